## Absence notes (объяснительные) from families.
diary-nav-absence-notes = Объяснительные
notes-title = Объяснительные
notes-one = Объяснительная
notes-none = Объяснительных пока нет.
notes-none-to-decide = Здесь ничего нет.
notes-new = Отправить объяснительную
notes-from = С какого дня
notes-to = По какой день
notes-dates = Дни
notes-reason = Причина
notes-reason-illness = Болезнь
notes-reason-family = Семейные обстоятельства
notes-reason-other = Другая причина
notes-text = Пояснение
notes-scan = Скан справки
notes-scan-hint = PDF, JPEG или PNG, не больше 5 МБ; необязательно.
notes-scan-attached = Приложен скан
notes-send = Отправить
notes-sent = Объяснительная отправлена классному руководителю.
notes-sent-by = Отправил(а)
notes-decided-by = Решение
notes-state = Состояние
notes-state-pending = Ожидает
notes-state-accepted = Принята
notes-state-rejected = Отклонена
notes-tab-pending = Ожидают
notes-tab-accepted = Принятые
notes-tab-rejected = Отклонённые
notes-tab-all = Все
notes-pupil = Ученик
notes-comment = Комментарий
notes-comment-hint = Обязателен, если отклоняете: семья его прочитает
notes-journal = В журнале
notes-excused = { $n ->
    [one] { $n } пропуск отмечен уважительным
    [few] { $n } пропуска отмечены уважительными
   *[other] { $n } пропусков отмечены уважительными
}
notes-open = Открыть
notes-accept = Принять
notes-reject = Отклонить
notes-accept-explained = Принятая объяснительная отмечает пропуски «Н» в эти дни как уважительные (Б при болезни, УП в остальных случаях), в том числе те, что будут отмечены позже.
notes-in-diary = Все объяснительные ученика
notes-home = Ожидают решения: { $n }
notes-error-from = Первый день — не раньше чем 30 дней назад, в формате ГГГГ-ММ-ДД.
notes-error-to = Последний день — не раньше первого и не позже чем через 30 дней.
notes-error-reason = Выберите причину.
notes-error-text = Для другой причины напишите пояснение; не больше 1000 знаков.
notes-error-file = Скан — файл PDF, JPEG или PNG.
notes-error-file-size = Скан больше 5 МБ; уменьшите его и отправьте снова.
notes-error-comment = Чтобы отклонить объяснительную, напишите комментарий (не больше 500 знаков).
notes-error-decided = Решение по этой объяснительной уже принято.
