## Wording shared by the pages, the notifications and the printed documents (tabel-present).
## A period: $kind is its kind's code (quarter, trimester, half_year), $n its number.

# "2 quarter": tabs, lists and headings of the pages.
period-name = { $n } { $kind ->
    [quarter] quarter
    [trimester] trimester
   *[half_year] half-year
}
# "Quarter 2": titles of documents.
period-title = { $kind ->
    [quarter] Quarter
    [trimester] Trimester
   *[half_year] Half-year
} { $n }
# "quarter 2": after "for".
period-for = { $kind ->
    [quarter] quarter
    [trimester] trimester
   *[half_year] half-year
} { $n }
# "Q2": a column header.
period-short = { $kind ->
    [quarter] Q
    [trimester] T
   *[half_year] H
}{ $n }

## The marks beyond the periods': the year's, the exam's, the final (for the certificate).
slot-year = Year
slot-exam = Exam
slot-final = Final
# Titles of columns and tables in documents.
slot-year-title = Year
slot-exam-title = Exam
slot-final-title = Final
# Short column headers.
slot-year-short = Year
slot-exam-short = Exam
slot-final-short = Final
# "Final mark in Mathematics for the year".
slot-for-period = for { period-for }
slot-for-year = for the year
slot-for-exam = for the exam
slot-for-final = final for the level of education

## Counted words: $n is the count.
events-count = { $n } { $n ->
    [one] event
   *[other] events
}
marks-count = { $n } { $n ->
    [one] mark
   *[other] marks
}
