# Promotion and the next year (a file of its own: a feature added beside the others).
promotion-title = Promotion and the next school year
promotion-hint = The next year is built from the current one as a draft; a promotion order is issued for a class or a parallel
promotion-years = School years
promotion-year = School year
promotion-year-state = State
promotion-draft = Draft
promotion-in-force = In force
promotion-build-next = Build the next year
promotion-new-order = New promotion order
promotion-class = Class
promotion-or-parallel = or the whole parallel (grade)
promotion-start = Draft the order
promotion-choose-scope = Choose a class or give a grade.
promotion-orders = Promotion orders
promotion-orders-none = No orders yet.
promotion-number = Order number
promotion-date = Order date
promotion-parallel = grade (parallel)
promotion-state-draft = draft
promotion-state-issued = issued
promotion-built-from = built from
promotion-draft-hint = The curriculum, teaching assignments and classes were carried from last year. Review and edit them; until it is confirmed its classes have no pupils and families see nothing of it.
promotion-edit-curriculum = Curriculum
promotion-edit-assignments = Teaching assignments
promotion-edit-classes = Classes
promotion-confirmed-on = confirmed
promotion-classes = Classes
promotion-carried-from = Carried from
promotion-curriculum = Curriculum by grade
promotion-grade = Grade
promotion-lines = Subjects
promotion-hours = Hours a week
promotion-assignments = Teaching assignments
promotion-subject = Subject
promotion-teacher = Teacher
promotion-waiting = { $n ->
    [one] Orders placed { $n } pupil: they join the class when the year is confirmed.
   *[other] Orders placed { $n } pupils: they join their classes when the year is confirmed.
}
promotion-confirm = Confirm the school year
promotion-order = Promotion order
promotion-pdf = Printable (PDF)
promotion-amends = Amends the order
promotion-amended-by = Amended by the order
promotion-no-next-year = There is no next school year yet: build it to promote pupils.
promotion-next-draft = The next year is a draft: pupils join their classes when it is confirmed:
promotion-pupil = Pupil
promotion-debts = Academic debts
promotion-proposed = Proposed
promotion-outcome = Decision
promotion-leaving = Leaving: date and basis
promotion-left-on = Last day
promotion-basis = Where to, basis
promotion-until = by
promotion-save = Save
promotion-issue = Issue (sign) the order
promotion-amend = Amend by a new order
promotion-outcome-promoted = Promoted
promotion-outcome-conditional = Promoted conditionally
promotion-outcome-repeat = Kept for a second year
promotion-outcome-graduated = Graduated
promotion-outcome-continues = Finished grade 9, continues in grade 10
promotion-outcome-left = Left
promotion-done-built = The next year was built as a draft.
promotion-done-confirmed = The school year is confirmed.
promotion-done-started = The order is drafted.
promotion-done-saved = Saved.
promotion-done-issued = The order is issued.
structure-dep-promotion-lines = { $n ->
    [one] { $n } pupil of a promotion order
   *[other] { $n } pupils of promotion orders
}
structure-dep-promotion-orders = { $n ->
    [one] { $n } promotion order
   *[other] { $n } promotion orders
}
structure-dep-carried-classes = { $n ->
    [one] { $n } class carried into the next year
   *[other] { $n } classes carried into the next year
}
