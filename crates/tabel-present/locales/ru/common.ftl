## Wording shared by the pages, the notifications and the printed documents (tabel-present).
## A period: $kind is its kind's code (quarter, trimester, half_year), $n its number.

# "2 четверть": tabs, lists and headings of the pages.
period-name = { $n } { $kind ->
    [quarter] четверть
    [trimester] триместр
   *[half_year] полугодие
}
# "2-я четверть": titles of documents.
period-title = { $kind ->
    [quarter] { $n }-я четверть
    [trimester] { $n }-й триместр
   *[half_year] { $n }-е полугодие
}
# "2-ю четверть": after «за».
period-for = { $kind ->
    [quarter] { $n }-ю четверть
    [trimester] { $n }-й триместр
   *[half_year] { $n }-е полугодие
}
# "2 ч.": a column header.
period-short = { $n } { $kind ->
    [quarter] ч.
    [trimester] тр.
   *[half_year] пол.
}

## The marks beyond the periods': the year's, the exam's, the итоговая (for the certificate).
slot-year = Год
slot-exam = Экзамен
slot-final = Итоговая
# Titles of columns and tables in documents.
slot-year-title = Годовая
slot-exam-title = Экзамен
slot-final-title = Итоговая
# Short column headers.
slot-year-short = Год
slot-exam-short = Экз.
slot-final-short = Итог
# "Итоговая отметка по предмету «Математика» за год".
slot-for-period = за { period-for }
slot-for-year = за год
slot-for-exam = за экзамен
slot-for-final = итоговая за уровень образования

## Counted words: $n is the count.
events-count = { $n } { $n ->
    [one] событие
    [few] события
   *[many] событий
}
marks-count = { $n } { $n ->
    [one] отметка
    [few] отметки
   *[many] отметок
}
