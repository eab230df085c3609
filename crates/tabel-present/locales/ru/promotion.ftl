# Promotion and the next year (a file of its own: a feature added beside the others).
promotion-title = Перевод и новый учебный год
promotion-hint = Новый год строится из текущего черновиком; переводной приказ издаётся по классу или параллели
promotion-years = Учебные годы
promotion-year = Учебный год
promotion-year-state = Состояние
promotion-draft = Черновик
promotion-in-force = Действует
promotion-build-next = Построить следующий год
promotion-new-order = Новый переводной приказ
promotion-class = Класс
promotion-or-parallel = или вся параллель (номер класса)
promotion-start = Составить приказ
promotion-choose-scope = Выберите класс или укажите параллель.
promotion-orders = Переводные приказы
promotion-orders-none = Приказов пока нет.
promotion-number = Номер приказа
promotion-date = Дата приказа
promotion-parallel = классы (параллель)
promotion-state-draft = проект
promotion-state-issued = издан
promotion-built-from = построен из
promotion-draft-hint = Учебный план, нагрузка и классы перенесены из прошлого года. Проверьте и поправьте их; до подтверждения в классах нет учеников и семьи ничего не видят.
promotion-edit-curriculum = Учебный план
promotion-edit-assignments = Нагрузка
promotion-edit-classes = Классы
promotion-confirmed-on = подтверждён
promotion-classes = Классы
promotion-carried-from = Перенесён из
promotion-curriculum = Учебный план по параллелям
promotion-grade = Параллель
promotion-lines = Предметов
promotion-hours = Часов в неделю
promotion-assignments = Нагрузка
promotion-subject = Предмет
promotion-teacher = Учитель
promotion-waiting = { $n ->
    [one] Приказами переведён { $n } ученик: он войдёт в класс после подтверждения.
    [few] Приказами переведены { $n } ученика: они войдут в классы после подтверждения.
   *[other] Приказами переведены { $n } учеников: они войдут в классы после подтверждения.
}
promotion-confirm = Подтвердить учебный год
promotion-order = Переводной приказ
promotion-pdf = Печатная форма (PDF)
promotion-amends = Изменяет приказ
promotion-amended-by = Изменён приказом
promotion-no-next-year = Следующего учебного года ещё нет: постройте его, чтобы перевести учеников.
promotion-next-draft = Следующий год — черновик: ученики войдут в классы после его подтверждения:
promotion-pupil = Ученик
promotion-debts = Академические задолженности
promotion-proposed = Предложено
promotion-outcome = Решение
promotion-leaving = Выбытие: дата и основание
promotion-left-on = Последний день
promotion-basis = Куда выбыл, основание
promotion-until = до
promotion-save = Сохранить
promotion-issue = Издать (подписать) приказ
promotion-amend = Изменить приказом
promotion-outcome-promoted = Переведён
promotion-outcome-conditional = Переведён условно
promotion-outcome-repeat = Оставлен на повторное обучение
promotion-outcome-graduated = Окончил (выпуск)
promotion-outcome-continues = Окончил 9 класс, продолжает в 10
promotion-outcome-left = Выбыл
promotion-done-built = Следующий год построен черновиком.
promotion-done-confirmed = Учебный год подтверждён.
promotion-done-started = Проект приказа составлен.
promotion-done-saved = Сохранено.
promotion-done-issued = Приказ издан.
structure-dep-promotion-lines = { $n ->
    [one] { $n } ученик в переводном приказе
    [few] { $n } ученика в переводных приказах
   *[many] { $n } учеников в переводных приказах
}
structure-dep-promotion-orders = { $n ->
    [one] { $n } переводной приказ
    [few] { $n } переводных приказа
   *[many] { $n } переводных приказов
}
structure-dep-carried-classes = { $n ->
    [one] { $n } класс, перенесённый в следующий год
    [few] { $n } класса, перенесённых в следующий год
   *[many] { $n } классов, перенесённых в следующий год
}
