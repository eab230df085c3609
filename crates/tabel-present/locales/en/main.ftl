app-name = Tabel
app-tagline = Tabel — electronic class journal and diary
nav-home = Home
nav-admin = Administration
nav-logout = Log out

login-title = Log in
login-login = Login
login-password = Password
login-submit = Log in
login-wrong = Wrong login or password.
login-locked-out = Too many failed attempts. Try again later.
login-disabled = This account is locked by the school administrator.
login-rate-limited = Too many login attempts from this address. Wait a minute.
error-too-many-requests = Too many requests from this address. Wait a minute.

error-forbidden = Not allowed
error-not-found = Page not found
error-conflict = Conflicting change
error-invalid = Invalid data
error-internal = Internal error. Tell the administrator this reference:
error-back-home = Home

role-admin = Administrator
role-deputy = Deputy head
role-teacher = Teacher
role-class-teacher = Class teacher
role-parent = Parent (legal representative)
role-student = Student

group-kind-class = Class
group-kind-subgroup = Subgroup
group-kind-stream = Stream
group-kind-individual = Individual curriculum

relation-mother = Mother
relation-father = Father
relation-guardian = Guardian
relation-trustee = Trustee
relation-other = Other legal representative

consent-given = consent given
consent-refused = refused
consent-withdrawn = consent withdrawn
consent-missing = no consent on file

students-count = { $n ->
    [one] { $n } student
   *[other] { $n } students
}

home-title = Home
home-no-roles = This account has no roles yet. Ask the school administrator.
home-school = School
home-structure = School structure
home-accounts = Accounts
home-my-classes = My classes
home-teaching = My classes and subjects
home-children = My children
home-consent = Personal data processing
home-consent-needed = Progress is shown once consent is registered at the school.
home-paper-extracts = Electronic delivery not chosen: the school gives paper extracts.
home-my-groups = My class and groups

account-title = Account
account-sessions = Devices and sessions
account-device = Device
account-address = Address
account-last-seen = Last active
account-this-device = this device
account-end = End
account-logout-elsewhere = Log out on all other devices
account-change-password = Change password
account-current-password = Current password
account-new-password = New password
account-repeat-password = New password again
account-save-password = Save password
account-password-changed = Password changed. Other sessions have ended.
account-logged-out-elsewhere = Sessions on other devices have ended.
account-session-ended = Session ended.
account-passwords-differ = The passwords differ

school-year = school year
school-staff = Teachers and staff
school-classes = Classes
school-class = Class
school-class-teacher = Class teacher
school-class-teacher-of = Class teacher of
school-members = Students
school-groups = Subgroups, streams and individual curricula
school-group = Group
school-kind = Kind
school-subject = Subject
school-subjects = Subjects
school-back = back to the school
school-name = Name
school-position = Position
school-born = Date of birth
school-enrolled = Enrolled
school-groups-of-student = Class and groups

count-students = students
count-staff = staff
count-classes = classes
count-groups = subgroups, streams and individual curricula
count-parents = legal representatives

admin-users = Accounts
admin-links = Parent–child links
admin-search = Login or name
admin-search-people = Surname
admin-find = Find
admin-roles = Roles
admin-state = State
admin-actions = Actions
admin-lock = Lock
admin-unlock = Unlock
admin-reset-password = Set a new password
admin-create = New account
admin-display-name = Display name
admin-initial-password = Initial password
admin-person-id = Person number (optional)
admin-create-button = Create
admin-link-title = Link a legal representative to a child
admin-parent-id = Representative's number
admin-student-id = Student's number
admin-relation = Relation
admin-link-button = Link
admin-done-created = Account created.
admin-done-reset = Password set; the user's sessions have ended. Signing in with it, they will set their own.
admin-done-locked = Account locked.
admin-done-unlocked = Account unlocked.
admin-done-linked = Link saved.

user-state-active = active
user-state-disabled = locked
user-state-locked-out = temporarily locked after failed logins

weekday-1 = Mon
weekday-2 = Tue
weekday-3 = Wed
weekday-4 = Thu
weekday-5 = Fri
weekday-6 = Sat
weekday-7 = Sun
lesson-substituted = substitution
lesson-cancelled = cancelled
lesson-transferred = moved
lesson-extra = extra
lesson-instead-of = instead of
lesson-moved-from = moved from
lesson-room = room
timetable-title = Timetable
timetable-my-week = My timetable
timetable-prev-week = previous week
timetable-next-week = next week
timetable-no-lessons = No lessons this week.
timetable-lines = Weekly timetable
timetable-day = Day
timetable-teacher = Teacher
timetable-valid = Valid
timetable-add-line = Add a lesson to the timetable
timetable-from = Valid from (empty: the start of the year)
timetable-add-button = Add
timetable-line-added = Lesson added; the year's lessons were regenerated.
desk-title = Substitutions
desk-date = Date
desk-absent = Absent teacher
desk-show = Show
desk-nothing = The teacher has no lessons that day.
desk-substitute = Substitute
desk-reason = Reason
desk-default-reason = teacher ill
desk-assign = Assign substitute
desk-cancel = Cancel the lesson
desk-nobody-free = No teacher is free for this lesson: it can only be cancelled.
desk-qualified = teaches this subject
desk-done-substituted = Substitution assigned.
desk-done-cancelled = Lesson cancelled.
changes-title = Timetable changes
changes-what = Change
changes-none = No changes.
home-timetable = Timetable

assessments-title = Assessment schedule
assessments-export = Download the schedule (XLSX)
assessments-level = Level
assessments-form = Form
assessments-override = Outside the rules
assessments-none = No assessment procedures planned.
assessments-plan = Plan a procedure
assessments-minutes = Minutes
assessments-title-hint = Test on …
assessments-override-reason = Reason to depart from the rules (deputy head only)
assessments-plan-button = Plan
assessments-planned = The procedure is in the schedule.
level-school = school
level-regional = regional
level-federal = federal

calendar-title = Calendar
calendar-week-days = school days a week
calendar-periods = Reporting periods
calendar-bells = Bell schedule
calendar-days-off = Holidays, days off and transfers
dayoff-holiday = holidays
dayoff-non_working = day off
dayoff-working_day = working day (transfer)
timetable-last-day = Last day
timetable-end = End
timetable-teachers = Teachers of the class
bells-start = Start
bells-end = End
bells-save = Save the bells
bells-saved = Bell schedule saved.
bells-shift = Shift { $n }

## ---- Journal grid (journal/*.html, journal.js) ----
journal-title = Journal
journal-my = My journals
journal-none = You keep no journals this school year.
journal-period = Reporting period
journal-class-page = Class page
journal-closed = The period is closed: corrections are made by the administration with a reason.
journal-read-only = Read only
journal-keys = Arrows move between cells; 5, 4, 3, 2, 3/5 enter a mark; Н, Б, УП, ОП record attendance; Enter saves and moves to the next student; Esc cancels; Delete clears the cell; F2 edits; Shift+Enter opens the cell in detail (work type, another mark, comment, debt, minutes late).
journal-pupil = Student
journal-marks = Marks
journal-marks-long = Marks in the period
journal-average = Avg.
journal-average-long = Weighted average for the period
journal-absences = Absences
journal-no-lessons = No lessons in this period.
journal-no-pupils = No students in the group.
journal-lessons = Lessons
journal-no-topic = no topic yet
journal-topic = Topic
journal-lesson-type = Lesson type
journal-homework = Homework
journal-homework-minutes = Minutes to do it
journal-homework-due = Due
journal-comment = Teacher's comment
journal-save = Save
journal-saving = Saving…
journal-saved = Saved
journal-conflict = Changed by someone else; the current value is shown
journal-error = Not saved
journal-offline = no connection to the server
journal-cell-input = Mark or attendance
## ---- end of journal grid ----
## ---- journal: history, period lock, homework load, lesson page, grading policy ----
journal-history = Cell history
journal-history-page = Open as a page
journal-history-empty = No changes.
journal-history-when = When
journal-history-action = Action
journal-history-change = Before → after
journal-history-reason = Reason
journal-action-mark-record = Mark given
journal-action-mark-change = Mark corrected
journal-action-mark-delete = Mark deleted
journal-action-attendance-set = Attendance recorded
journal-action-attendance-clear = Attendance cleared
journal-close-period = Close the period
journal-reopen-period = Reopen the period
journal-homework-overload = Homework due { $date }: { $minutes } min, the limit for grade { $grade } is { $limit } min
journal-lesson-page = The lesson on one page
journal-lesson-pupils = Pupils
journal-lesson-mark = Mark
journal-lesson-attendance = Attendance
journal-lesson-present = —
journal-lesson-save = Save marks
journal-lesson-grid = To the journal
journal-lesson-row-error = Error in the row “{ $name }”
journal-history-hint = H shows the history of the selected cell.
policy-title = Grading policy
policy-version = Version
policy-scale = Scale
policy-scale-five = 5-point
policy-scale-pass_fail = pass / fail
policy-scale-ten = 10-point
policy-scale-hundred = 100-point
policy-allow-one = Allow “1”
policy-work-types = Work types
policy-code = Code
policy-name = Name
policy-weight = Weight
policy-lesson-types = Lesson types
policy-default-work = Default work type
policy-letters = Attendance letters
policy-thresholds = Average thresholds for “3”, “4”, “5”
policy-min-marks = Fewest marks in a period
policy-two-caps = A “2” in the period rules out proposing “5”
policy-save = Save a new version
policy-saved = A new version is saved.
## ---- end of journal extras ----
## ---- thematic plan page ----
journal-plan-link = Upload the plan
plan-title = Thematic plan
plan-current = Current plan
plan-none = No plan has been uploaded yet.
plan-topic = Topic
plan-hours = Hours
plan-lesson-type = Lesson type
plan-upload = Upload the plan
plan-file = CSV or XLSX file
plan-hint = Columns: No, Topic, Hours, Lesson type. At most 2 MB.
plan-imported = The plan is uploaded
plan-topics = Topics
plan-lessons-filled = Lessons filled
plan-lessons-kept = Lessons keeping their own topic
plan-lessons-without-topic = Lessons without a topic
plan-topics-left-over = Topics left without a lesson
plan-refused = The file was refused; nothing was written.
plan-too-large = The file is larger than { $mb } MB.
## ---- end of thematic plan page ----
## ---- recommendation form ----
recommend-link = Recommendation
recommend-title = A recommendation to the pupil
recommend-body = Recommendation
recommend-hint = The pupil and the parents will see it.
recommend-save = Save
recommend-empty = Write the recommendation's text
recommend-back = Back
## ---- end of recommendation form ----
## ---- journal cell page ----
cell-title = Journal cell
cell-lesson-number = lesson { $n }
cell-to-lesson = To the lesson
cell-marks = Marks
cell-no-marks = No marks.
cell-work-type = Work type
cell-work-default = by lesson type
cell-comment = Comment
cell-debt = Debt to correct by
cell-debt-hint = A debt mark: the pupil corrects it by this date.
cell-correction = Reason for the correction (closed period)
cell-delete = Delete the mark
cell-add-first = Give a mark
cell-add = Another mark
cell-add-button = Add
cell-present = present
cell-minutes-late = Late, minutes
cell-minutes = min
cell-reason = Reason
cell-stale = The cell has changed meanwhile (or already holds a mark of this work type); its current state is shown. Check it and save again.
cell-att-ill = illness
cell-att-excused = excused
cell-att-unexcused = unexcused
cell-att-late = late
cell-open = Details
## ---- end of journal cell page ----
class-journals = The class's journals
recommend-earlier = Earlier recommendations
## ---- homework files (lesson page) ----
hw-files-title = Homework files
hw-files-none = No files.
hw-file-choose = File
hw-file-upload = Attach file
hw-file-delete = Delete
hw-file-hint = PDF, images, documents, spreadsheets, presentations, ZIP — up to { $size }, at most { $n } files per lesson.
hw-file-size-bytes = { $n } B
hw-file-size-kb = { $n } KB
hw-file-size-mb = { $n } MB
hw-file-empty = The file is empty or none was chosen.
hw-file-too-large = The file is larger than allowed ({ $size }); nothing was saved.
hw-file-too-many = A lesson takes at most { $n } files.
hw-file-grade-one = Grade 1 has no homework.
hw-file-cancelled = The lesson was cancelled: it takes no files.
hw-file-daily-limit = You have uploaded as much as one person may in a day. Try again tomorrow.
hw-file-closed = The period is closed: the administration corrects it with a reason.
hw-file-malformed = The form could not be read; choose the file and send it again.
## ---- end of homework files ----
error-no-consent = The child's data is not available: the school has no consent of yours in force to the processing of personal data for the electronic diary (or it was withdrawn). Submit a consent to the school, on paper or as an electronic document.
## ---- consent registry ----
consent-registry = Parents' consents
consent-registry-hint = Consent to the processing of personal data for the electronic diary and to electronic delivery, for each legal representative.
consent-no-representative = no legal representative
consent-pupil = Pupil
consent-representative = Legal representative
consent-purpose = Purpose
consent-purpose-diary = Electronic diary
consent-purpose-electronic_delivery = Electronic delivery
consent-updated = Changed
consent-title = Consents to the processing of personal data
consent-done = Recorded.
consent-what-to-do = Without a consent the child's data is not shown in the diary, and the school hands out the reports on paper. To open the diary, print the form, sign it and bring it to the school (or send it as an electronic document).
consent-print-form = Consent form to sign
consent-withdraw-diary = Withdraw the consent to the electronic diary
consent-withdraw-delivery = Stop electronic delivery
consent-withdraw-hint = A withdrawal takes effect at once: the child's data disappears from all your sessions.
consent-register = Record an application
consent-basis = Basis
consent-basis-written = written application
consent-basis-electronic = electronic document
consent-number = Application number
consent-date = Date
consent-document-id = Electronic document identifier
consent-signature = Electronic signature (details)
consent-note = Note
consent-register-save = Record
consent-withdraw = Withdrawal on an application
consent-withdraw-save = Record the withdrawal
consent-history = History
consent-history-empty = No records.
consent-when = When
consent-state = State
consent-by = Recorded by
consent-text-version = consent text, version
consent-scan = Scan of the application (PDF, JPEG, PNG, up to 5 MB)
consent-scan-save = Attach
consent-scan-open = Scan of the application
consent-form-title = Consent to the processing of personal data
consent-print = Print
consent-form-to = To the head of
consent-form-from = from
consent-form-i = I,
consent-form-representative-of = legal representative of
consent-form-born = born
consent-form-class = pupil of class
consent-form-body = under article 9 of Federal Law No. 152-FZ of 27.07.2006 "On personal data", consent to the school processing the child's and my personal data (names, date of birth, class, marks and attendance, contacts) to keep the electronic journal and provide the electronic diary service (tick what applies):
consent-form-diary = to the processing of personal data for the electronic diary;
consent-form-delivery = to receiving the reports electronically (without it they are handed out on paper).
consent-form-withdrawal = The consent lasts until the end of schooling and may be withdrawn by me at any time with a written application or in the cabinet.
consent-form-date = Date
consent-form-year = { "" }
consent-form-signature = Signature
consent-form-printed = form printed
## ---- end of consent registry ----

## ---- The family's diary (diary/*.html, home) ----
diary-title = Diary
diary-my = My diary
diary-open = Diary
diary-open-parent = For parents: children, consents, contacts
diary-children = Children
diary-sections = Diary sections
diary-nav-today = Today
diary-nav-week = Week
diary-nav-marks = Marks
diary-nav-finals = Final marks
diary-nav-assessments = Tests
diary-nav-homework = Homework
diary-nav-recommendations = Advice
diary-nav-teachers = Teachers
diary-nav-calendar = Calendar
diary-nav-me = For parents
diary-no-consent-short = no consent
child-withheld = Child No. { $id }
diary-today-badge = today
diary-no-lessons = No lessons.
diary-next-day = Next school day
diary-new-marks = New marks, last three days
diary-new-marks-none = No new marks.
diary-homework-soon = Homework due today and on the next school day
diary-homework-none = No homework.
diary-assessments-soon = Tests in the next two weeks
diary-assessments-none = No tests in the next two weeks.
diary-assessments-none-period = No tests planned in this period.
diary-recommendations-latest = Teachers' advice
diary-recommendations-none = No advice yet.
diary-all-recommendations = All advice
diary-week-pager = Weeks
diary-week-prev = ← Previous
diary-week-next = Next →
diary-week-current = This week
diary-lesson-number = lesson { $n }
diary-topic = Topic
diary-homework = Homework
diary-files = Homework files
diary-due = due { $date }
diary-assigned = set { $date }
diary-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
diary-size-bytes = { $n } B
diary-size-kb = { $n } KB
diary-size-mb = { $n } MB
diary-other-marks = Marks for work outside lessons
diary-period = Reporting period
diary-average = Average
diary-marks-count = { $n ->
    [one] { $n } mark
   *[other] { $n } marks
}
diary-missed = missed { $missed } of { $lessons ->
    [one] { $lessons } lesson
   *[other] { $lessons } lessons
}
diary-lates = { $n ->
    [one] late once
   *[other] late { $n } times
}
diary-no-marks = No marks.
diary-attendance-summary = Attendance in the period
diary-finals-link = Final marks and forecast
diary-finals = Final marks
diary-finals-later = Final marks appear here after the reporting period is closed — within a day of being given.
diary-year-mark = year
diary-forecast = Forecast of the final mark
diary-forecast-later = A forecast per subject will appear here later: it follows the weighted average and the school's rounding rules.
diary-period-open = in progress
diary-period-ended = over, final marks being given
diary-period-closed = closed
diary-period-future = ahead
diary-homework-pager = Dates
diary-earlier = ← Earlier
diary-later = Later →
diary-from = From
diary-to = To
diary-show = Show
diary-class-teacher = Class teacher
diary-not-set = not appointed
diary-no-teachers = No teachers appointed yet.
diary-year = School year
diary-week-days = { $n ->
    [one] { $n } school day a week
   *[other] { $n } school days a week
}
diary-now = now
diary-no-days-off = No holidays entered.
diary-no-bells = No bell schedule entered.
diary-no-class = The pupil is not in a class this school year.
diary-no-consent-title = The diary is closed
diary-pupil-no-consent = The electronic diary works while the school holds a consent of your parent (legal representative) to the processing of personal data for the diary. There is no such consent now, or it was withdrawn, so your marks, attendance, homework and other data are not shown here.
diary-pupil-no-consent-todo = A parent gives the consent with a written application to the school or an electronic document. Until then the school gives the family paper extracts.
diary-consent-state = Consent to the processing of personal data for the diary
diary-consent-given = The consent is in force: the diary is open.
diary-consent-refused = You refused the processing of your child's personal data for the electronic diary, so no results are shown here. The school gives them to you on paper.
diary-consent-withdrawn = You withdrew your consent to the processing of your child's personal data for the electronic diary: nothing is shown any more. The school gives the results to you on paper.
diary-consent-missing = The school has no consent of yours to the processing of your child's personal data for the electronic diary.
diary-consent-todo = To open the diary, give the school your consent to the processing of personal data for the electronic diary: a written application (to the class teacher or the office) or a signed electronic document. The diary opens as soon as the school records it.
diary-consent-page = Consent: details and history
diary-me-title = For parents
diary-me-children = My children and consents
diary-me-no-children = No children are linked to your account. The school confirms the links.
diary-me-change = How to change a consent: it is given at the school — a written application or a signed electronic document; this page shows its state. You can withdraw it by an application to the school or on your child's consent page.
diary-delivery = Results in electronic form
diary-me-settings = Settings
diary-me-contacts = Contacts for notifications (phone, e-mail)
diary-me-account = Account: password, devices, logging out elsewhere
## ---- end of the family's diary ----
consent-paper = paper extracts
consent-paper-short = on paper
## ---- contacts (regulation point 7) ----
contact-title = Contacts for notifications
contact-intro = The school sends information about the studies to these contacts, in the form you chose.
contact-to-account = ← Account
contact-student-link = Parents' contacts
contact-none = No contacts yet. Add a phone or an e-mail below, or give them to the school in a written application.
contact-verified = confirmed
contact-unverified = not confirmed
contact-not-verifiable = confirmation comes later
contact-preferred = preferred
contact-source = Source
contact-entered = Entered
contact-code-until = The code is valid until
contact-link-until = The link is valid until
contact-code = Code from the message
contact-confirm = Confirm
contact-send-code = Send a code
contact-send-link = Send a confirmation link
contact-remove = Remove the contact
contact-preferred-title = Where to send notifications
contact-preferred-hint = Tick the preferred channels
contact-needs-confirmation = confirm it first
contact-save-preferred = Save the choice
contact-add-title = Add a contact
contact-field-kind = Kind of contact
contact-field-network = Messenger
contact-field-value = Phone, e-mail or messenger name
contact-field-provenance = Source
contact-field-basis = Basis
contact-field-code = Code
contact-field-preferred = Preferred
contact-field-token = Link
contact-network-none = — (not a messenger)
contact-network-hint = Only for the kind "messenger".
contact-value-hint = For example: 8 (912) 345-67-89, ivanova@mail.ru, @ivanova_m
contact-make-preferred = Send notifications here
contact-add = Add
contact-staff-title = Parents' contacts
contact-no-parents = The student has no legal representatives linked in the school.
contact-none-staff = No contacts: receives information on paper.
contact-history = Removed contacts
contact-removed-on = removed
contact-register = Register a contact from an application
contact-basis-hint = The application's number and date, or the electronic document's identifier.
contact-register-button = Register
contact-verify-title = Confirming the address
contact-to-mine = To my contacts
contact-verified-ok = The e-mail address is confirmed.
contact-verified-unknown = The link is not valid: it may be mistyped, or the contact was removed.
contact-kind-email = E-mail
contact-kind-phone = Phone
contact-kind-messenger = Messenger
contact-network-telegram = Telegram
contact-network-max = MAX
contact-network-vk = VK
contact-provenance-written_application = written application
contact-provenance-electronic_document = electronic document
contact-provenance-cabinet = entered by the parent in the cabinet
contact-done-added = The contact is added.
contact-done-removed = The contact is removed (its record stays in the history).
contact-done-preferred = The choice is saved.
contact-done-sent-link = A confirmation link will be sent to this address; it is valid for a day.
contact-done-sent-code = A code will be sent to this number; it is valid for 15 minutes. Enter it below.
contact-done-verified = The contact is confirmed.
contact-error-empty = fill in the field
contact-error-too-long = the value is too long
contact-error-email = not an e-mail address (like ivanova@mail.ru)
contact-error-phone = not a phone number (like 8 (912) 345-67-89)
contact-error-not-russian = only Russian numbers (+7) are accepted
contact-error-telegram = a Telegram name: 5–32 Latin letters, digits and _, starting with a letter; or a phone number
contact-error-max = a MAX contact is a phone number
contact-error-vk = a VK page: id123 or a short address of Latin letters, digits, _ and dots
contact-error-network = choose the messenger
contact-error-kind = choose the kind of contact
contact-error-basis = name the application's number and date or the electronic document's identifier
contact-error-wrong-code = the code is wrong
contact-error-expired = the code has expired: ask for a new one
contact-error-attempts = the code was tried too many times: ask for a new one
contact-error-no-code = no code is in force: ask for a new one
contact-error-by-link = an e-mail address is confirmed by the link in the letter
contact-error-not-verifiable = messenger contacts cannot be confirmed yet
contact-error-already-verified = the contact is confirmed already
contact-error-duplicate = this contact exists already
contact-error-too-many = at most 10 contacts: remove one first
contact-error-cabinet-only = contacts you enter yourself are entered in the cabinet
contact-error-document = a contact is registered from a written application or an electronic document
contact-error-not-theirs = not your contact
contact-error-too-many-codes = Too many codes were asked for this contact; try again after { $until }.
## ---- end of contacts ----
## ---- final marks ----
finals-title = Final marks
finals-year = Year
finals-exam = Exam
finals-final = Final
finals-saved = Final marks saved; families can see them now.
finals-hint = Each field holds the journal's proposal under the school's grading policy; confirm it or set another mark (н/а, осв., зач., незач.) with a reason.
finals-missed = Missed
finals-proposal = Proposed
finals-value = Final mark
finals-reason = Reason, if not as proposed
finals-save = Save the final marks
finals-correct = Correct (with a reason)
finals-published = Set and published
finals-left = left
finals-joined = since
finals-basis-average = by the weighted average
finals-basis-capped_by_two = a "2" in the period: at most "4"
finals-basis-too_few_marks = too few marks
finals-basis-mostly_absent = more than half of the lessons missed
finals-basis-pass_fail = by the passes
finals-basis-periods = by the periods' marks
finals-basis-period_not_attested = a period is н/а
finals-link = Final marks
summary-title = Summary sheet
summary-hint = Final marks only: the sheet fills itself; nothing is typed twice.
summary-xlsx = Download XLSX
summary-left = left
summary-link = Summary sheet
## ---- end of final marks ----
## ---- diary forecast ----
diary-forecast-how = The forecast is the mark the weighted average would give now under the school's rules; it moves with every new mark.
diary-forecast-average = average
diary-confidence-low = may change
diary-confidence-medium = likely
diary-confidence-high = settled
diary-risk-too_few_marks = too few marks for a final mark
diary-risk-many_absences = more than half of the lessons missed
diary-risk-projected_two = heading for a "2"
diary-risk-projected_not_attested = heading for "н/а"
diary-forecast-next-up = for a "{ $target }": { $count ->
    [one] { $count } mark
   *[other] { $count } marks
} of "{ $value }" ({ $work })
diary-forecast-avoid-two = to avoid a "2": { $count ->
    [one] { $count } mark
   *[other] { $count } marks
} of "{ $value }" ({ $work })
## ---- end of diary forecast ----

## ---- exam results (regulation point 6) ----
exams-title = Exam results
exams-hint = ОГЭ, ЕГЭ, ВПР, the final interview and school exams: upload the results file and publish it to the diary within a day of receipt.
exams-home-note = upload, publish, overdue
exams-import = Upload results
exams-exam = Exam
exams-kind-oge = OGE
exams-kind-ege = EGE
exams-kind-vpr = VPR
exams-kind-interview = Final interview
exams-kind-school = School exam
exams-received-at = When the school received the results
exams-received-hint = The day to publish counts from this time.
exams-source = File
exams-file = CSV or XLSX file
exams-file-hint = Columns: ФИО (or Фамилия, Имя, Отчество), Класс, Дата рождения, Предмет, Дата, Первичный балл, Отметка (ЕГЭ: Тестовый балл; interview: зачёт/незачёт). At most { $mb } MB.
exams-publish-now = Show to pupils and parents at once
exams-refused = The file was refused; nothing was stored.
exams-batches = Uploaded files
exams-none = No results uploaded yet.
exams-received = Received
exams-imported = Uploaded
exams-rows = Rows
exams-published = Published
exams-unpublished = Unpublished
exams-overdue = overdue
exams-late = published late
exams-pending = awaiting publication
exams-due = due:
exams-publish = Publish
exams-imported-published = { $n ->
    [one] { $n } result uploaded and published.
   *[other] { $n } results uploaded and published.
}
exams-imported-held = { $n ->
    [one] { $n } result uploaded; the family does not see it yet — publish it within a day.
   *[other] { $n } results uploaded; the families do not see them yet — publish them within a day.
}
exams-published-now = { $n ->
    [one] { $n } result published.
   *[other] { $n } results published.
}
exams-overdue-title = Overdue publications
exams-overdue-hint = Results not visible to the pupil and parents a day after receipt, and those published late in the last week — with who has not been informed.
exams-overdue-none = No overdue publications.
exams-as-of = As of
exams-state = State
exams-not-informed = Not informed
exams-overdue-by = overdue by { $span }
exams-published-late = published after { $span }
exams-hours = { $n } h
exams-days-hours = { $d } d { $h } h
exams-channel-diary = will see it in the diary
exams-channel-no-account = no account
exams-channel-paper = on paper
exams-role-pupil = pupil
exams-pass = pass
exams-fail = fail
exams-test-score = { $n ->
    [one] { $n } point
   *[other] { $n } points
}
diary-exams = Exam results
diary-exams-none = No exam results yet.
diary-exams-score = primary score
diary-exams-held-back = not published yet
## ---- end of exam results ----
## ---- statistics (stats/*.html) ----
stats-title = Statistics
stats-home-note = results, curriculum compliance, attendance
stats-as-of = From the journal as of
stats-scope = Scope and period
stats-period = Period
stats-grade = Grade
stats-grade-n = grade { $n }
stats-threshold = Absence threshold, %
stats-scope-hint = A class teacher sees their class, a teacher their own groups and subjects (choose yourself as the teacher).
stats-show = Show
stats-export = Download the tables (XLSX)
stats-empty = No data.
stats-any = all
stats-year = school year
stats-total = Total
stats-by-class = By class
stats-by-subject = By subject
stats-current-marks = Current marks
stats-types-total = Total by lesson type
stats-control-works = Results of control works
stats-pupils-over = Pupils who missed more than { $n } % of their lessons or more than half of a subject's
stats-results-note = N is every pupil except the exempt, those who left before the period's end and those without marks; н/а is in N. Where no final mark is set yet, the journal's weighted average counts. Progress = (5+4+3)/N, quality = (5+4)/N, СОУ = (100·"5" + 64·"4" + 36·"3" + 16·"2" + 7·н/а)/N. The "final / journal" column tells where the marks came from.
stats-curriculum-note = Plan: the curriculum's hours spread over the study days (holidays excluded; public holidays included, their lessons are lost). Held: lessons so far, except cancelled ones and those the teacher marked as not held; substitutions count. Lag = plan to date − held; "other" is the timetable giving more (negative) or fewer lessons than the curriculum.
stats-types-note = Plan: the thematic plan's typed hours falling on the period's lessons in order (the i-th lesson of the year not cancelled carries the i-th planned hour). Held: lessons so far recorded with that type.
stats-attendance-note = A missed lesson is an absence or lateness over half the lesson. Lessons: those held in the pupils' groups so far. Pupils on the roll at the period's end are counted.
stats-view-results = Results
stats-view-curriculum = Curriculum compliance
stats-view-lesson-types = Lesson types
stats-view-attendance = Attendance
stats-chart-progress = Progress and quality, %
stats-chart-finals = Marks (final or from the journal)
stats-chart-current = Current marks
stats-chart-plan = Planned to date and held, lessons
stats-chart-lag = Reasons of the lag, lessons
stats-chart-types = Works planned to date and held
stats-chart-absences = Missed lessons by reason
stats-h-class = Class
stats-h-subject = Subject
stats-h-group = Group
stats-h-teacher = Teacher
stats-h-pupil = Pupil
stats-h-n = N
stats-h-n5 = "5"
stats-h-n4 = "4"
stats-h-n3 = "3"
stats-h-n2 = "2"
stats-h-na = н/а
stats-h-passfail = pass/fail
stats-h-exempt = exempt
stats-h-without = no marks
stats-h-left = left
stats-h-progress = Progress, %
stats-h-quality = Quality, %
stats-h-sou = СОУ, %
stats-h-average = Average
stats-h-source = final / journal
stats-h-marks = Marks
stats-h-pass = pass
stats-h-fail = fail
stats-h-m5 = 5
stats-h-m4 = 4
stats-h-m3 = 3
stats-h-m2 = 2
stats-h-m1 = 1
stats-h-planned-year = Plan, year
stats-h-planned-period = Plan, period
stats-h-planned-to-date = Plan to date
stats-h-scheduled = Timetabled
stats-h-held = Held
stats-h-substituted = of them substituted
stats-h-done = Done, %
stats-h-lag = Lag
stats-h-cancelled-teacher = Cancelled: teacher absent
stats-h-cancelled-other = Cancelled: other
stats-h-holidays = Public holidays
stats-h-not-held = Not held
stats-h-moved = Moved
stats-h-other = Other
stats-h-lessons = Lessons
stats-h-type = Lesson type
stats-h-plan-year = Plan, year
stats-h-plan-period = Plan, period
stats-h-plan-to-date = Plan to date
stats-h-pupils = Pupils
stats-h-missed = Missed
stats-h-ill = ill
stats-h-excused = excused
stats-h-unexcused = unexcused
stats-h-late = Late
stats-h-late-missed = late > ½ lesson
stats-h-missed-share = Missed, %
stats-h-over-half = More than half missed
## ---- end of statistics ----
## ---- pupils at risk ----
risks-title = Pupils at risk
risks-hint = The forecast of the current period's final marks: too few marks, many absences, a projected "2" or "н/а" — and what it takes.
risks-none = No risks in the forecast.
risks-risks = Risks
risks-takes = What it takes
risks-link = Pupils at risk
## ---- end of pupils at risk ----
## ---- the pupil's record across the years (record/*.html) ----
diary-nav-record = Record by years
record-title = Personal file: record by years
record-link = Personal file
record-card = Pupil's card
record-empty = No final marks or exam results yet.
record-no-marks = No marks were given at this level
record-grade = Grade { $n }
record-grade-one = no marks
record-level-primary = Primary general education (grades 1–4)
record-level-basic = Basic general education (grades 5–9)
record-level-secondary = Secondary general education (grades 10–11)
record-level-unknown = Grade unknown
record-col-subject = Subject
record-col-year = year
record-col-exam = Exam
record-col-final = Final
record-col-score = Primary score
record-period = period
record-exams = Exams and check works
record-held-back = not yet published to the family
record-deferrals = Deferrals of final marks
record-basis = Basis
record-deferral-open = running
record-deferral-resolved = mark set
record-deferral-lapsed = lapsed: not attested
record-debts = Academic debts
record-debt-dates = arose { $arisen }, to be cleared by { $deadline }
record-retakes = Retakes
record-debt-open = not cleared
record-debt-closed = cleared
record-debt-expired = the term ran out
record-debt-exhausted = retakes used up: the pedagogical council decides
record-hint = The year's mark in bold, the periods' marks beneath. "Final" is the certificate's mark for the level of education; "Exam" is the exam mark.
record-staff-note = You also see what has not been published to the family yet: such lines are marked.
record-printed = Made on { $date }
## ---- end of the pupil's record ----

# Deferrals and academic debts
deferrals-title = Deferrals and academic debts
deferrals-heading = Deferred final marks
deferrals-none = No open deferrals.
deferral-open = Defer
deferral-open-title = Defer a final mark
deferral-hint = For a pupil's illness the final mark is deferred until the given day. The period may close meanwhile: the teacher sets the mark later. If there is no mark when the deferral ends, the teacher and the deputy head are reminded; then the pupil is not attested and owes an academic debt.
deferral-starts = From
deferral-ends = To
deferral-dates = Dates
deferral-basis = Basis
deferral-basis-hint = Order no. or medical certificate no., date
deferral-back = Back to the final marks
deferral-until = Deferred until { $date } ({ $basis })
deferral-overdue = ended, no mark
deferral-stage-pending = Not begun
deferral-stage-running = Running
deferral-stage-overdue = Ended without a mark
deferral-state-resolved = Mark set
deferral-state-lapsed = Not attested, debt
deferral-set-mark = Set the mark
deferral-lapse = Not attested → debt
debts-heading = Academic debts
debts-hint = Deferrals for illness, debts and their retakes
debts-none = No debts.
debts-rule = At most two retakes within a year of the debt arising; time ill is not counted.
debts-subject = Subject
debts-slot = Mark for
debts-state = State
debts-deadline = Deadline
debts-retakes = Retakes
debts-record-retake = { $n ->
    [one] Record a retake ({ $n } left)
   *[other] Record a retake ({ $n } left)
}
debts-retake-date = Date of the retake
debts-retake-value = Mark
debts-retake-note = Commission, form
debts-retake-save = Record the retake
debts-illness = Illness (moves the deadline)
debts-illness-basis = Medical certificate
debts-illness-save = Record the illness
debts-saved = Saved.
debt-arisen = { $value } since { $date }
debt-deadline-ill = { $date } (+{ $days } days ill)
debt-stage-open = Open
debt-stage-expired = Deadline passed
debt-stage-closed = Cleared
debt-stage-exhausted = Retakes used up: the pedagogical council decides
home-deferrals = Deferrals ended without a mark
## ---- notifications (issue 7) ----
notify-title = Notifications
notify-intro = What to tell you about your children's progress, and how. Notifications go only to confirmed contacts and only while your consent to electronic delivery is in force.
notify-to-contacts = My contacts
notify-when = When
notify-channel = Where
notify-event-final = Final marks
notify-event-exam = Exam results
notify-event-mark = Marks
notify-event-homework = Homework
notify-event-forecast = Forecast of final marks
notify-event-absence_note = Absence notes
notify-hint-final = For a quarter, half-year, year — within a day of being set; quiet hours do not hold them.
notify-hint-exam = State exams, check works, the interview; quiet hours do not hold them.
notify-hint-mark = Every new or corrected mark.
notify-hint-homework = Homework set in lessons.
notify-hint-forecast = Once a week for each child: the expected final marks and risks.
notify-hint-absence_note = The class teacher accepted or rejected an absence note.
notify-mode-immediate = at once
notify-mode-daily = in a daily digest
notify-mode-weekly = weekly
notify-mode-off = never
notify-channel-preferred = to my preferred contacts
notify-channel-email = by e-mail
notify-channel-sms = by SMS
notify-quiet = Quiet hours
notify-quiet-hint = During these hours (school time) only final marks and exam results are sent; the rest waits. Leave empty for none.
notify-quiet-from = From
notify-quiet-to = Until
notify-save = Save
notify-saved = Notification settings saved.
notify-dead-title = Undelivered notifications
notify-dead-intro = Messages that could not be delivered after every attempt, with the error. Fix the cause (mail or SMS gateway settings, the contact) and send them again.
notify-dead-none = No undelivered notifications.
notify-dead-at = gave up
notify-attempts = attempts
notify-history = Every attempt
notify-resend = Send again
notify-resent = The notification is queued again.
notify-via-email = e-mail
notify-via-sms = SMS
notify-via-webhook = webhook
notify-webhooks-title = Webhooks
notify-webhooks-intro = Journal events for other systems: a JSON POST signed with HMAC-SHA256 (header X-Tabel-Signature).
notify-topics = Events
notify-topics-hint = Separated by spaces, e.g. final.published exam.result_published, or * for all.
notify-description = Purpose
notify-webhook-add = Subscribe
notify-webhook-remove = Unsubscribe
notify-webhook-removed = Webhook removed.
notify-webhook-removed-on = removed
notify-webhook-secret = The secret to verify request signatures for
notify-webhook-secret-hint = Keep it now: it is not shown again.
## ---- end of notifications ----
## ---- extracts and printed documents (issue 7) ----
extracts-title = Extracts
extracts-hint = Paper extracts from the journal for families without the electronic diary: a period in one click, each with a verification code.
extracts-link = Extracts and printing
extracts-queue = Get their information on paper
extracts-queue-empty = Every family of the class gets its information electronically.
extracts-reason = Why paper
extracts-reason-refused = consent refused or withdrawn
extracts-reason-no_consent = no consent submitted
extracts-reason-no_representative = no legal representative on record
extracts-reason-no_contact = no verified contact
extracts-last = Latest extract
extracts-period = Period
extracts-from = or from
extracts-to = to
extracts-with-homework = include homework
extracts-range-hint = When dates are given, the extract covers them instead of the period chosen.
extracts-handed-to = Handed to
extracts-handed-to-hint = e.g. Ivanova M. P. (mother)
extracts-print-queue = Print the extracts for the period (queue)
extracts-print-all = Extracts for the whole class
extracts-one-pupil = An extract for one pupil
extracts-registry = Issued extracts
extracts-registry-empty = No extracts issued yet.
extracts-code = Verification code
extracts-dates = Period
extracts-issued-at = Issued
extracts-issued-by = By
extracts-by-console = command line
extracts-channel-paper = on paper
extracts-channel-download = downloaded by a parent
extracts-save = Save
extracts-summary-pdf = Summary sheet (PDF)
extracts-archive = Journals for the archive
extracts-archive-hint = Printed copies of the class's journals for the school year: lessons, topics, marks, attendance, final marks.
extracts-archive-empty = The class has no journals.
extracts-pupil-title = Extract from the journal
extracts-print-one = Print the extract (PDF)
extracts-download = Download the extract (PDF)
extracts-form-pdf = Consent form (PDF)
verify-title = Check an extract
verify-check = Check
verify-issued = An extract with this code was issued
verify-not-found = No extract has this code
verify-school = School
verify-pdf-hash = SHA-256 of the extract's file
verify-content-hash = SHA-256 of its content
verify-hint = Marks are not shown here: compare the paper with the school's records if needed.
## ---- end of extracts ----

## The school's set-up
setup-import = Import the school's lists
setup-accounts = Hand out accounts
setup-template = Template workbook (XLSX)
setup-upload = File
setup-upload-hint = An XLSX workbook with the sheets Subjects, Staff, Classes, Groups, Pupils, Parents, Curriculum, Assignments, Timetable — or these lists as CSV files named after them (pupils.csv). You see what changes first; then all is written, or nothing.
setup-files = Workbook or CSV files
setup-preview-button = Check
setup-preview = What changes
setup-applied = Imported
setup-creates-year = The academic year will be created from the federal calendar: terms, holidays, bells.
setup-list = List
setup-created = New
setup-updated = Updated
setup-unchanged = Unchanged
setup-problems = Problems
setup-nothing-written = Nothing was written: fix the file and upload it again.
setup-sheet = Sheet
setup-row = Row
setup-column = Column
setup-problem = What is wrong
setup-changes = Changes
setup-what = What
setup-action-create = new
setup-action-update = update
setup-apply = Apply
setup-done = Changes written:
setup-lessons = lessons scheduled:
setup-nothing-to-change = Nothing to change: the school already holds these lists.
setup-no-file = Choose a file.
setup-too-large = The file is larger than { $mb } MB.
setup-draft-gone = The check is out of date: upload the file again.
setup-accounts-hint = Everyone without an account gets one: a login and a one-time password (to be replaced at the first login). Parents get an invitation code per child. Passwords and codes are shown once — print the letters at once.
setup-scope = For
setup-whole-school = The whole school
setup-pupils = Pupils
setup-parents = Parents
setup-staff = Staff (whole school only)
setup-format-pdf = Letters to print (PDF)
setup-format-csv = Table for a mail merge (CSV)
setup-issue = Hand out
setup-invitation = Link a child
setup-invitation-hint = Enter the invitation code from the school's letter. A code works once.
setup-code = Invitation code
setup-link = Link
setup-code-invalid = This code does not fit your account: check it, or ask the school for a new letter.
account-first-login = You signed in with a one-time password. Set your own password to go on.

## A forgotten password
recovery-link = Forgot your password?
recovery-title = A new password
recovery-hint = Enter your login. If the account has a confirmed e-mail or phone, a code for a new password goes there. Teachers and pupils get a new password from the school's administrator.
recovery-send = Send a code
recovery-sent = If the account has a confirmed contact, a code was sent to it. It works for 30 minutes.
recovery-code = Code
recovery-code-wrong = The code is wrong or out of date: ask for a new one.
setup-export = The school's lists now (XLSX)

## The school's people: search, card, movement, merge; the regional administrator
people-title = People of the school
people-search-hint = Surname, name or patronymic
people-kind = Who
people-kind-all = Everyone
people-kind-pupil = Pupil
people-kind-parent = Parent
people-kind-staff = Staff
people-class = Class
people-nobody = Nobody found.
people-pages = Pages
people-prev = ← Back
people-next = Next →
people-card = Card
people-last-name = Surname
people-first-name = Name
people-middle-name = Patronymic
people-sex = Sex
people-sex-m = Male
people-sex-f = Female
people-date-hint = dd.mm.yyyy
people-snils = SNILS
people-school-number = School number
people-position = Position
people-save = Save
people-record = School record
people-enrolled-on = Enrolled
people-arrived-from = Arrived from
people-left-on = Left
people-left-to = Left for
people-order = Order
people-order-of = No. { $number } of { $date }
people-order-number = Order number
people-order-date = Order date
people-groups = Classes and groups
people-group = Class or group
people-group-class = class
people-group-subgroup = subgroup
people-group-stream = stream
people-group-individual = individual plan
people-from = From
people-to = To
people-parents = Parents (legal representatives)
people-children = Children
people-invited = invited, code not entered
people-movement = Movement
people-transfer = Move to another class
people-new-class = New class
people-transfer-from = From which day
people-leaving = Leaving
people-last-day = Last day at school
people-arrival = Arrival
people-arrival-on = First day at school
people-done-saved = Saved.
people-done-arrived = The arrival is recorded.
people-done-left = The leaving is recorded.
people-done-transferred = The pupil has been moved.
people-done-merged = The records are merged.
people-merge = Merge duplicates
people-merge-hint = If a person is recorded twice, keep one record: everything of the other (marks, links, consents, contacts, the account) moves to the first, and the other is removed.
people-keep = Keep (number)
people-duplicate = Duplicate (number)
people-preview = Show what would change
people-merge-confirm-hint = Check it: this cannot be undone.
people-merge-confirm = Merge
people-merge-refused = Cannot merge:
region-title = Schools of the region
region-school = School
region-municipality = Municipality
region-time-zone = Time zone
region-new-school = New school
region-school-name = Full name
region-short-name = Short name
region-first-admin = The school's first administrator
region-admin-name = Name
region-admin-password = Password
region-create = Create the school
region-done-created = The school is created.
people-new-pupil = A new pupil (arrival)
people-sex-by-patronymic = by the patronymic

## The school's teaching structure (part 2): teaching load, groups and pupils, curriculum, staff
teaching-structure = School structure
teaching-assignments = Teaching load
teaching-groups = Groups
teaching-curriculum = Curriculum
teaching-staff = Staff and roles
teaching-year = School year
teaching-show = Show
teaching-end-hint = An ended assignment: from the day after its last day the teacher no longer writes in this group's journal of the subject. Only an assignment nothing was written under can be deleted; otherwise it is ended. The timetable's lessons with this teacher are changed on the timetable page.
teaching-teacher = Teacher
teaching-group = Group
teaching-subject = Subject
teaching-hours = Hours a week
teaching-from = From
teaching-until = Until
teaching-actions = Actions
teaching-save = Save
teaching-last-day = Last day
teaching-end = End
teaching-delete = Delete
teaching-load-on = Teachers' load on { $date }
teaching-total = Hours a week
teaching-running = Assignments
teaching-add-assignment = New assignment
teaching-add = Add
teaching-name = Name
teaching-kind = Kind
teaching-kind-class = class
teaching-kind-subgroup = subgroup
teaching-kind-stream = stream
teaching-kind-individual = individual curriculum
teaching-class = Class
teaching-members = Pupils
teaching-pupils = Pupils
teaching-rename = Rename
teaching-add-group = New group
teaching-group-hint = A subgroup needs its class and subject, a stream classes of one parallel, an individual curriculum its pupil and a date. Classes are made on the classes page.
teaching-subgroup-class = The subgroup's class
teaching-classes = The stream's classes
teaching-pupil = Pupil
teaching-pupils-of = Pupils of { $group }
teaching-remove = Take out
teaching-remove-hint = The last day is a day the pupil is still in the group. The day before the start deletes the membership (only if nothing was written for it).
teaching-add-pupils = Add pupils
teaching-pupils-hint = A subgroup's pupil must be in its class from that day, a stream's in one of its classes.
teaching-for = For
teaching-part = Part
teaching-part-compulsory = compulsory
teaching-part-chosen = chosen by the participants
teaching-per-year = Hours a year
teaching-change = Change
teaching-totals = Totals per parallel, hours a week
teaching-grade = Parallel
teaching-grade-n = Grade { $grade }
teaching-add-line = New curriculum line
teaching-leave-hint = Leaving: give the last working day. The account is locked at once. End their assignments and class-teacher terms first.
teaching-full-name = Full name
teaching-position = Position
teaching-roles = Roles
teaching-login = Account
teaching-class-teacher = Class teacher of
teaching-left = Last day
teaching-leave = Record leaving
teaching-add-staff = New staff member
teaching-sex = Sex
teaching-birth-date = Birth date
teaching-refused = Not done:
teaching-done = Saved.

## The school's structure edited by its administrators (structure)
structure-title = School structure
structure-card = The school's card
structure-years = Academic years and reporting periods
structure-calendar = Calendar
structure-classes = Classes
structure-subjects = Subjects
structure-curriculum = Curriculum
structure-groups = Groups
structure-staff = Staff and roles
structure-assignments = Teaching load
structure-people = People
structure-import = Import lists
structure-no-year = no academic year
structure-year = Academic year
structure-retired = retired
structure-full-name = Full name
structure-short-name = Short name
structure-code = Code
structure-address = Address
structure-director = Director
structure-time-zone = Time zone
structure-save = Save
structure-add = Add
structure-edit = Edit
structure-delete = Delete
structure-show = Show
structure-actions = Actions
structure-name = Name
structure-order = Order
structure-scale = Scale
structure-school-scale = the school's
structure-state = State
structure-in-use = in use
structure-retired-on = retired since
structure-retire = Retire
structure-unretire = Bring back
structure-new-subject = New subject
structure-subjects-hint = A subject with marks or lessons cannot be deleted; it can be retired: its history, journal, diary and final marks stay, but it is no longer offered for new curriculum, load or timetable lines.
structure-subject-in-use = The subject cannot be deleted: { $what }. Retire it instead.
structure-class-in-use = The class cannot be deleted: { $what }.
structure-and = and
structure-class = Class
structure-shift = Shift
structure-class-teacher = Class teacher
structure-since = since
structure-from = From
structure-letter = Letter
structure-grade = Grade
structure-week = Days a week
structure-period-kind = Periods
structure-by-grade = by grade
structure-new-class = New class
structure-new-parallel = If the grade has no parallel this year yet
structure-shift-hint = The timetable's bells follow the class's shift: check the timetable after moving a class to the other shift.
structure-parallels = Parallels
structure-periods = Reporting periods
structure-dates = Dates
structure-locked = closed
structure-first-day = First day
structure-last-day = Last day
structure-new-year = New academic year
structure-new-year-hint = Dates, periods and holidays are proposed from the single federal calendar; change them as needed.
structure-start-year = Start year
structure-federal-holidays = Add the federal calendar's holidays and public holidays
structure-calendar-hint = Holidays, days off and worked days change the year's lessons from the first date they touch; lessons with journal records stay.
structure-day-kind = What it is
structure-day-holiday = Holidays
structure-day-non_working = Day off
structure-day-working_day = Worked day
structure-only-grade = Only for grade
structure-as-weekday = Follows the timetable of
structure-new-day = Add to the calendar
structure-date-placeholder = dd.mm.yyyy
structure-weekday-1 = Monday
structure-weekday-2 = Tuesday
structure-weekday-3 = Wednesday
structure-weekday-4 = Thursday
structure-weekday-5 = Friday
structure-weekday-6 = Saturday
structure-kind-quarter = quarters
structure-kind-trimester = trimesters
structure-kind-half_year = half-years
structure-done-saved = Saved.
structure-done-created = Added.
structure-done-deleted = Deleted.
structure-done-scale = The subject's scale is saved in a new version of the grading policy.
structure-done-retired = The subject is retired.
structure-done-unretired = The subject is in use again.
structure-dep-marks = { $n ->
    [one] { $n } mark
   *[other] { $n } marks
}
structure-dep-lessons = { $n ->
    [one] { $n } lesson
   *[other] { $n } lessons
}
structure-dep-final-marks = { $n ->
    [one] { $n } final mark
   *[other] { $n } final marks
}
structure-dep-timetable-lines = { $n ->
    [one] { $n } timetable line
   *[other] { $n } timetable lines
}
structure-dep-curriculum-lines = { $n ->
    [one] { $n } curriculum line
   *[other] { $n } curriculum lines
}
structure-dep-assignments = { $n ->
    [one] { $n } teaching assignment
   *[other] { $n } teaching assignments
}
structure-dep-assessments = { $n ->
    [one] { $n } assessment procedure
   *[other] { $n } assessment procedures
}
structure-dep-groups = { $n ->
    [one] { $n } group
   *[other] { $n } groups
}
structure-dep-subgroups = { $n ->
    [one] { $n } subgroup
   *[other] { $n } subgroups
}
structure-dep-streams = { $n ->
    [one] { $n } stream
   *[other] { $n } streams
}
structure-dep-memberships = { $n ->
    [one] { $n } pupil membership
   *[other] { $n } pupil memberships
}
structure-dep-thematic-plans = { $n ->
    [one] { $n } thematic plan
   *[other] { $n } thematic plans
}
structure-dep-recommendations = { $n ->
    [one] { $n } recommendation
   *[other] { $n } recommendations
}
structure-dep-deferrals = { $n ->
    [one] { $n } deferral
   *[other] { $n } deferrals
}
structure-dep-debts = { $n ->
    [one] { $n } academic debt
   *[other] { $n } academic debts
}
structure-dep-exam-results = { $n ->
    [one] { $n } exam result
   *[other] { $n } exam results
}
structure-dep-extracts = { $n ->
    [one] { $n } paper extract
   *[other] { $n } paper extracts
}
structure-short-days = Shortened days
structure-short-days-hint = On a shortened day lessons follow the short bell schedule (set it on the bells page).

# A detail of the audit log replaced by a redaction marker (issue 17).
audit-redacted-retention = hidden: retention period over
audit-redacted-request = erased on request

my-data-title = My data
my-data-export = Export of personal data
my-data-export-parent = Everything the journal holds about you and your children: the account, contacts and where they came from, consents and their history, marks, attendance, final marks, homework and teachers' recommendations, notifications sent to you, sessions and audit records about you. Available without the diary consent (the right of access, art. 14 of 152-FZ).
my-data-export-self = Everything the journal holds about you: the account, contacts, notifications, sessions and audit records about you.
my-data-export-pdf = Download the summary (PDF)
my-data-export-json = Download everything (JSON, for programs)
my-data-export-note = Every export is recorded in the audit log.
home-my-data = My data
erasure-title = Erasure of personal data
erasure-explained = You may ask the school to erase your personal data. The school's administrator decides. Once carried out, your contacts, notification history, sessions and account access are gone, your name in the records the school must keep becomes «Представитель №…»; consents are kept as proof; your child's journal (marks, attendance, final marks) stays while the child studies at the school.
erasure-comment = Comment
erasure-ask = Ask to erase my data
erasure-requested-at = Asked
erasure-state = State
erasure-decision = Decision
erasure-state-pending = pending
erasure-state-carried_out = carried out
erasure-state-refused = refused
erasure-admin-title = Requests to erase personal data
erasure-admin-explained = «Carry out» deletes the representative's contacts, notification history, sessions and access, replaces the name with «Представитель №…» and ends the links to children; the journal, consents and audit log stay. The action is audited.
erasure-pending = Waiting
erasure-none = No requests.
erasure-parent = Representative
erasure-carry-out = Carry out
erasure-refuse = Refuse
erasure-reason = Reason for refusal

## Changing the timetable from the pages (issue 18)
lesson-number-suffix = lesson
lesson-transfer = Move the lesson
lesson-transfer-button = Move
lesson-room-change = Change the room
lesson-room-button = Change the room
lesson-cancel-cause = Why cancelled
cause-teacher_absent = teacher absent
cause-class_absent = class absent
cause-other = other
lesson-cancelled-nothing = The lesson is cancelled: it cannot be changed.
shift-title = Move to the other shift
shift-same = The class already studies in this shift.
shift-no-clashes = No clashes: teachers and rooms are free.
shift-clashes = { $n ->
    [one] The move makes { $n } clash:
   *[other] The move makes { $n } clashes:
}
shift-line = The class's lesson
shift-what = Taken
shift-other = Where else
shift-accept = I have seen the clashes and will change those lines
shift-move = Move the class
shift-clash-teacher = teacher
shift-clash-room = room
timetable-to-move = Assessment procedures the rules no longer allow
timetable-to-move-link = Move them in the schedule of procedures
timetable-changes = Changes
timetable-changes-hint = Move, room, substitution and cancellation: click a lesson in the grid.
timetable-extra = Extra lesson
timetable-extra-button = Add the lesson
timetable-bell-day = Shortened day
timetable-bells-of-day = Bells on this day
bells-variant-short = short
bells-variant-regular = regular
timetable-bell-day-hint = For the whole school; the short bells are set on the bells page.
timetable-bell-day-button = Save
timetable-worked-days = Worked Saturdays and holidays
timetable-done-changed = The lesson is changed.
timetable-done-extra = The extra lesson is added.
timetable-done-bells = The day's bells are saved.
timetable-done-shift = The class moved to the other shift.
assessments-broken = No longer allowed by the rules
assessments-moved = The procedure is moved.
assessments-move = Move
assessments-lesson = lesson
assessments-change-added = added
assessments-change-removed = removed
assessments-change-moved = moved
assessments-change-changed = changed
assessments-state-draft = Draft: not approved
assessments-state-approved = Approved, not published
assessments-state-published = Published to families
assessments-version = Version
assessments-approved-on = Approved on
assessments-approved-by = Approved by
assessments-published-at = Published
assessments-basis = Basis
assessments-basis-hint = Order No. … of …
assessments-note = What changed
assessments-unpublished = The school has not published its schedule of assessment procedures yet.
assessments-document = The schedule as a document
assessments-pending = Changes since the latest approved version
assessments-approve = Approve
assessments-publish = Publish to families
assessments-approved = The schedule is approved.
assessments-published = The schedule is published to families.
assessments-group = Written by
assessments-whole-class = The whole class
assessments-same-work = The same work as in the parallel
assessments-own-work = A work of its own
