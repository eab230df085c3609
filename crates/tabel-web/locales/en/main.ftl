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
admin-done-reset = Password set; the user's sessions have ended.
admin-done-locked = Account locked.
admin-done-unlocked = Account unlocked.
admin-done-linked = Link saved.

user-state-active = active
user-state-disabled = locked
user-state-locked-out = temporarily locked after failed logins
