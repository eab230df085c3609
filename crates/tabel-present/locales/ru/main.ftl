app-name = Табель
app-tagline = Табель — электронный журнал и дневник
nav-home = Главная
nav-admin = Администрирование
nav-logout = Выйти

login-title = Вход
login-login = Логин
login-password = Пароль
login-submit = Войти
login-wrong = Неверный логин или пароль.
login-locked-out = Слишком много неудачных попыток. Попробуйте позже.
login-disabled = Учётная запись заблокирована администратором школы.
login-rate-limited = Слишком много попыток входа с этого адреса. Подождите минуту.
error-too-many-requests = Слишком много запросов с этого адреса. Подождите минуту.

error-forbidden = Недостаточно прав
error-not-found = Страница не найдена
error-conflict = Конфликт изменений
error-invalid = Ошибка в данных
error-internal = Внутренняя ошибка. Сообщите администратору номер:
error-back-home = На главную

role-admin = Администратор
role-deputy = Заместитель директора
role-teacher = Учитель
role-class-teacher = Классный руководитель
role-parent = Родитель (законный представитель)
role-student = Обучающийся

group-kind-class = Класс
group-kind-subgroup = Подгруппа
group-kind-stream = Поток
group-kind-individual = Индивидуальный учебный план

relation-mother = Мать
relation-father = Отец
relation-guardian = Опекун
relation-trustee = Попечитель
relation-other = Иной законный представитель

consent-given = согласие дано
consent-refused = отказ
consent-withdrawn = согласие отозвано
consent-missing = согласие не оформлено

students-count = { $n ->
    [one] { $n } ученик
    [few] { $n } ученика
   *[many] { $n } учеников
}

home-title = Главная
home-no-roles = У учётной записи пока нет ролей. Обратитесь к администратору школы.
home-school = Школа
home-structure = Структура школы
home-accounts = Учётные записи
home-my-classes = Мои классы
home-teaching = Мои классы и предметы
home-children = Мои дети
home-consent = Обработка персональных данных
home-consent-needed = Сведения об успеваемости доступны после оформления согласия в школе.
home-paper-extracts = Электронное предоставление сведений не выбрано: школа выдаёт выписки на бумаге.
home-my-groups = Мой класс и группы

account-title = Учётная запись
account-sessions = Устройства и сеансы
account-device = Устройство
account-address = Адрес
account-last-seen = Последняя активность
account-this-device = это устройство
account-end = Завершить
account-logout-elsewhere = Выйти на всех других устройствах
account-change-password = Смена пароля
account-current-password = Текущий пароль
account-new-password = Новый пароль
account-repeat-password = Новый пароль ещё раз
account-save-password = Сохранить пароль
account-password-changed = Пароль изменён. Остальные сеансы завершены.
account-logged-out-elsewhere = Сеансы на других устройствах завершены.
account-session-ended = Сеанс завершён.
account-passwords-differ = Пароли не совпадают

school-year = учебный год
school-staff = Педагогический состав и сотрудники
school-classes = Классы
school-class = Класс
school-class-teacher = Классный руководитель
school-class-teacher-of = Классное руководство
school-members = Учеников
school-groups = Подгруппы, потоки и ИУП
school-group = Группа
school-kind = Вид
school-subject = Предмет
school-subjects = Предметы
school-back = к школе
school-name = ФИО
school-position = Должность
school-born = Дата рождения
school-enrolled = Зачислен(а)
school-groups-of-student = Класс и группы

count-students = обучающихся
count-staff = сотрудников
count-classes = классов
count-groups = подгрупп, потоков и ИУП
count-parents = законных представителей

admin-users = Учётные записи
admin-links = Связи родителей и детей
admin-search = Логин или имя
admin-search-people = Фамилия
admin-find = Найти
admin-roles = Роли
admin-state = Состояние
admin-actions = Действия
admin-lock = Заблокировать
admin-unlock = Разблокировать
admin-reset-password = Задать новый пароль
admin-create = Новая учётная запись
admin-display-name = Отображаемое имя
admin-initial-password = Начальный пароль
admin-person-id = Номер человека в базе (необязательно)
admin-create-button = Создать
admin-link-title = Связать законного представителя с ребёнком
admin-parent-id = Номер законного представителя
admin-student-id = Номер обучающегося
admin-relation = Кем приходится
admin-link-button = Связать
admin-done-created = Учётная запись создана.
admin-done-reset = Пароль изменён, сеансы пользователя завершены. При входе с ним пользователь задаст свой.
admin-done-locked = Учётная запись заблокирована.
admin-done-unlocked = Учётная запись разблокирована.
admin-done-linked = Связь сохранена.

user-state-active = активна
user-state-disabled = заблокирована
user-state-locked-out = временно заблокирована после неудачных входов

weekday-1 = Пн
weekday-2 = Вт
weekday-3 = Ср
weekday-4 = Чт
weekday-5 = Пт
weekday-6 = Сб
weekday-7 = Вс
lesson-substituted = замена
lesson-cancelled = отменён
lesson-transferred = перенесён
lesson-extra = дополнительный
lesson-instead-of = вместо
lesson-moved-from = перенесён с
lesson-room = каб.
timetable-title = Расписание
timetable-my-week = Моё расписание
timetable-prev-week = предыдущая неделя
timetable-next-week = следующая неделя
timetable-no-lessons = На этой неделе уроков нет.
timetable-lines = Недельное расписание
timetable-day = День
timetable-teacher = Учитель
timetable-valid = Действует
timetable-add-line = Добавить урок в расписание
timetable-from = Действует с (пусто — с начала года)
timetable-add-button = Добавить
timetable-line-added = Урок добавлен, уроки года пересозданы.
desk-title = Замены
desk-date = Дата
desk-absent = Отсутствующий учитель
desk-show = Показать
desk-nothing = У учителя нет уроков в этот день.
desk-substitute = Заменяет
desk-reason = Причина
desk-default-reason = болезнь учителя
desk-assign = Назначить замену
desk-cancel = Отменить урок
desk-nobody-free = Свободных учителей на этот урок нет: урок можно только отменить.
desk-qualified = ведёт этот предмет
desk-done-substituted = Замена назначена.
desk-done-cancelled = Урок отменён.
changes-title = Изменения в расписании
changes-what = Изменение
changes-none = Изменений нет.
home-timetable = Расписание

assessments-title = График оценочных процедур
assessments-export = Скачать график (XLSX)
assessments-level = Уровень
assessments-form = Форма
assessments-override = Вне правил
assessments-none = Оценочных процедур не запланировано.
assessments-plan = Запланировать процедуру
assessments-minutes = Минут
assessments-title-hint = Контрольная работа по теме …
assessments-override-reason = Причина отступления от правил (только заместитель директора)
assessments-plan-button = Запланировать
assessments-planned = Процедура внесена в график.
level-school = школьная
level-regional = региональная
level-federal = федеральная

calendar-title = Календарь
calendar-week-days = учебных дней в неделе
calendar-periods = Отчётные периоды
calendar-bells = Расписание звонков
calendar-days-off = Каникулы, праздники и переносы
dayoff-holiday = каникулы
dayoff-non_working = нерабочий день
dayoff-working_day = рабочий день (перенос)
timetable-last-day = Последний день
timetable-end = Завершить
timetable-teachers = Учителя класса
bells-start = Начало
bells-end = Конец
bells-save = Сохранить звонки
bells-saved = Расписание звонков сохранено.
bells-shift = { $n }-я смена

## ---- Journal grid (journal/*.html, journal.js) ----
journal-title = Журнал
journal-my = Мои журналы
journal-none = В этом учебном году вы не ведёте журналов.
journal-period = Отчётный период
journal-class-page = Страница класса
journal-closed = Период закрыт: исправления вносит администрация с указанием причины.
journal-read-only = Только просмотр
journal-keys = Стрелки — переход по ячейкам; 5, 4, 3, 2, 3/5 — отметка; Н, Б, УП, ОП — посещаемость; Enter — сохранить и перейти к следующему ученику; Esc — отмена; Delete — очистить ячейку; F2 — исправить; Shift+Enter — ячейка подробно (вид работы, вторая отметка, комментарий, долг, опоздание).
journal-pupil = Ученик
journal-marks = Отм.
journal-marks-long = Отметок в периоде
journal-average = Ср.
journal-average-long = Средний взвешенный балл за период
journal-absences = Пропусков
journal-no-lessons = В этом периоде уроков нет.
journal-no-pupils = В группе нет учеников.
journal-lessons = Уроки
journal-no-topic = тема не указана
journal-topic = Тема урока
journal-lesson-type = Тип урока
journal-homework = Домашнее задание
journal-homework-minutes = Минут на выполнение
journal-homework-due = Срок
journal-comment = Комментарий учителя
journal-save = Сохранить
journal-saving = Сохраняется…
journal-saved = Сохранено
journal-conflict = Изменено другим пользователем, показано текущее значение
journal-error = Не сохранено
journal-offline = нет связи с сервером
journal-cell-input = Отметка или посещаемость
## ---- end of journal grid ----
## ---- journal: history, period lock, homework load, lesson page, grading policy ----
journal-history = История ячейки
journal-history-page = Открыть отдельной страницей
journal-history-empty = Изменений нет.
journal-history-when = Когда
journal-history-action = Действие
journal-history-change = Было → стало
journal-history-reason = Причина
journal-action-mark-record = Отметка выставлена
journal-action-mark-change = Отметка исправлена
journal-action-mark-delete = Отметка удалена
journal-action-attendance-set = Посещаемость отмечена
journal-action-attendance-clear = Посещаемость снята
journal-close-period = Закрыть период
journal-reopen-period = Открыть период
journal-homework-overload = На { $date } задано { $minutes } мин при норме { $limit } мин для { $grade } класса
journal-lesson-page = Урок на одной странице
journal-lesson-pupils = Ученики
journal-lesson-mark = Отметка
journal-lesson-attendance = Посещаемость
journal-lesson-present = —
journal-lesson-save = Сохранить отметки
journal-lesson-grid = К журналу
journal-lesson-row-error = Ошибка в строке «{ $name }»
journal-history-hint = Клавиша H — история выбранной ячейки.
policy-title = Система оценивания
policy-version = Версия
policy-scale = Шкала
policy-scale-five = пятибалльная
policy-scale-pass_fail = зачёт / незачёт
policy-scale-ten = десятибалльная
policy-scale-hundred = стобалльная
policy-allow-one = Разрешить «1»
policy-work-types = Виды работ
policy-code = Код
policy-name = Название
policy-weight = Вес
policy-lesson-types = Типы уроков
policy-default-work = Вид работы по умолчанию
policy-letters = Обозначения посещаемости
policy-thresholds = Пороги средних для «3», «4», «5»
policy-min-marks = Наименьшее число отметок за период
policy-two-caps = «2» в периоде не даёт предложить «5»
policy-save = Сохранить новую версию
policy-saved = Сохранена новая версия.
## ---- end of journal extras ----
## ---- thematic plan page ----
journal-plan-link = Загрузить КТП
plan-title = Календарно-тематический план
plan-current = Текущий план
plan-none = План ещё не загружен.
plan-topic = Тема
plan-hours = Часы
plan-lesson-type = Тип урока
plan-upload = Загрузить КТП
plan-file = Файл CSV или XLSX
plan-hint = Столбцы: №, Тема, Часы, Тип урока. Не больше 2 МБ.
plan-imported = План загружен
plan-topics = Тем
plan-lessons-filled = Уроков заполнено
plan-lessons-kept = Уроков со своей темой
plan-lessons-without-topic = Уроков без темы
plan-topics-left-over = Тем не хватило уроков
plan-refused = Файл не принят, ничего не записано.
plan-too-large = Файл больше { $mb } МБ.
## ---- end of thematic plan page ----
## ---- recommendation form ----
recommend-link = Рекомендация
recommend-title = Рекомендация ученику
recommend-body = Текст рекомендации
recommend-hint = Её увидят ученик и родители.
recommend-save = Сохранить
recommend-empty = Напишите текст рекомендации
recommend-back = Назад
## ---- end of recommendation form ----
## ---- journal cell page ----
cell-title = Ячейка журнала
cell-lesson-number = урок { $n }
cell-to-lesson = К уроку
cell-marks = Отметки
cell-no-marks = Отметок нет.
cell-work-type = Вид работы
cell-work-default = по типу урока
cell-comment = Комментарий
cell-debt = Долг исправить до
cell-debt-hint = Отметка-долг: ученик исправляет её к этой дате.
cell-correction = Причина исправления (закрытый период)
cell-delete = Удалить отметку
cell-add-first = Поставить отметку
cell-add = Ещё одна отметка
cell-add-button = Добавить
cell-present = присутствовал
cell-minutes-late = Опоздание, минут
cell-minutes = мин
cell-reason = Причина
cell-stale = Ячейка уже изменилась (или в ней есть отметка этого вида работы); показано текущее состояние. Проверьте и сохраните ещё раз.
cell-att-ill = болезнь
cell-att-excused = уважительная причина
cell-att-unexcused = без уважительной причины
cell-att-late = опоздание
cell-open = Подробно
## ---- end of journal cell page ----
class-journals = Журналы класса
recommend-earlier = Рекомендации, данные раньше
## ---- homework files (lesson page) ----
hw-files-title = Файлы к домашнему заданию
hw-files-none = Файлов нет.
hw-file-choose = Файл
hw-file-upload = Прикрепить файл
hw-file-delete = Удалить
hw-file-hint = PDF, изображения, документы, таблицы, презентации, ZIP — до { $size }, не больше { $n } файлов к уроку.
hw-file-size-bytes = { $n } Б
hw-file-size-kb = { $n } КБ
hw-file-size-mb = { $n } МБ
hw-file-empty = Файл пустой или не выбран.
hw-file-too-large = Файл больше допустимого размера ({ $size }); ничего не сохранено.
hw-file-too-many = К уроку можно прикрепить не больше { $n } файлов.
hw-file-grade-one = В 1 классе домашние задания не задаются.
hw-file-cancelled = Урок отменён: файлы к нему не прикрепляются.
hw-file-daily-limit = Вы уже загрузили за сегодня столько, сколько можно за день. Попробуйте завтра.
hw-file-closed = Период закрыт: исправления вносит администрация с указанием причины.
hw-file-malformed = Форма не прочитана; выберите файл и отправьте ещё раз.
## ---- end of homework files ----
error-no-consent = Данные ребёнка недоступны: в школе не зарегистрировано ваше согласие на обработку персональных данных для электронного дневника (или оно отозвано). Подайте согласие в школу — письменным заявлением или электронным документом.
## ---- consent registry ----
consent-registry = Согласия родителей
consent-registry-hint = Согласие на обработку персональных данных для электронного дневника и на электронную доставку — по каждому законному представителю.
consent-no-representative = нет законного представителя
consent-pupil = Ученик
consent-representative = Законный представитель
consent-purpose = Для чего
consent-purpose-diary = Электронный дневник
consent-purpose-electronic_delivery = Электронная доставка
consent-updated = Изменено
consent-title = Согласия на обработку персональных данных
consent-done = Записано.
consent-what-to-do = Без согласия данные ребёнка в дневнике не показываются, а сведения об успеваемости школа выдаёт на бумаге. Чтобы открыть дневник, распечатайте бланк, подпишите и передайте его в школу (или направьте электронным документом).
consent-print-form = Бланк согласия для подписи
consent-withdraw-diary = Отозвать согласие на электронный дневник
consent-withdraw-delivery = Отказаться от электронной доставки
consent-withdraw-hint = Отзыв действует сразу: данные ребёнка перестанут показываться во всех ваших сеансах.
consent-register = Зарегистрировать заявление
consent-basis = Основание
consent-basis-written = письменное заявление
consent-basis-electronic = электронный документ
consent-number = Номер заявления
consent-date = Дата
consent-document-id = Идентификатор электронного документа
consent-signature = Электронная подпись (сведения)
consent-note = Примечание
consent-register-save = Записать
consent-withdraw = Отзыв согласия по заявлению
consent-withdraw-save = Записать отзыв
consent-history = История
consent-history-empty = Записей нет.
consent-when = Когда
consent-state = Состояние
consent-by = Кто записал
consent-text-version = текст согласия, версия
consent-scan = Скан заявления (PDF, JPEG, PNG, до 5 МБ)
consent-scan-save = Приложить
consent-scan-open = Скан заявления
consent-form-title = Согласие на обработку персональных данных
consent-print = Напечатать
consent-form-to = Директору
consent-form-from = от
consent-form-i = Я,
consent-form-representative-of = законный представитель
consent-form-born = г. р.
consent-form-class = ученика(цы) класса
consent-form-body = в соответствии со статьёй 9 Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных» даю согласие образовательной организации на обработку персональных данных ребёнка и моих персональных данных (фамилия, имя, отчество, дата рождения, класс, сведения об успеваемости и посещаемости, контактные данные) для ведения электронного журнала и предоставления услуги «Электронный дневник» (отметьте нужное):
consent-form-diary = на обработку персональных данных для электронного дневника;
consent-form-delivery = на получение сведений об успеваемости в электронном виде (без согласия они выдаются на бумаге).
consent-form-withdrawal = Согласие действует до окончания обучения и может быть отозвано мной в любое время письменным заявлением или в личном кабинете.
consent-form-date = Дата
consent-form-year = г.
consent-form-signature = Подпись
consent-form-printed = бланк напечатан
## ---- end of consent registry ----

## ---- The family's diary (diary/*.html, home) ----
diary-title = Дневник
diary-my = Мой дневник
diary-open = Дневник
diary-open-parent = Родителю: дети, согласия, контакты
diary-children = Дети
diary-sections = Разделы дневника
diary-nav-today = Сегодня
diary-nav-week = Неделя
diary-nav-marks = Отметки
diary-nav-finals = Итоговые
diary-nav-assessments = Контрольные
diary-nav-homework = Задания
diary-nav-recommendations = Рекомендации
diary-nav-teachers = Учителя
diary-nav-calendar = Календарь
diary-nav-me = Родителю
diary-no-consent-short = нет согласия
child-withheld = Ребёнок № { $id }
diary-today-badge = сегодня
diary-no-lessons = Уроков нет.
diary-next-day = Ближайший учебный день
diary-new-marks = Новые отметки за три дня
diary-new-marks-none = Новых отметок нет.
diary-homework-soon = Домашние задания на сегодня и ближайший учебный день
diary-homework-none = Заданий нет.
diary-assessments-soon = Контрольные работы в ближайшие две недели
diary-assessments-none = Контрольных работ в ближайшие две недели нет.
diary-assessments-none-period = Контрольных работ в этом периоде не запланировано.
diary-recommendations-latest = Рекомендации учителей
diary-recommendations-none = Рекомендаций пока нет.
diary-all-recommendations = Все рекомендации
diary-week-pager = Переход по неделям
diary-week-prev = ← Предыдущая
diary-week-next = Следующая →
diary-week-current = Текущая неделя
diary-lesson-number = урок { $n }
diary-topic = Тема
diary-homework = Домашнее задание
diary-files = Файлы задания
diary-due = к { $date }
diary-assigned = задано { $date }
diary-minutes = { $n ->
    [one] { $n } минута
    [few] { $n } минуты
   *[many] { $n } минут
}
diary-size-bytes = { $n } Б
diary-size-kb = { $n } КБ
diary-size-mb = { $n } МБ
diary-other-marks = Отметки за работы вне уроков
diary-period = Отчётный период
diary-average = Средний балл
diary-marks-count = { $n ->
    [one] { $n } отметка
    [few] { $n } отметки
   *[many] { $n } отметок
}
diary-missed = пропущено { $missed } из { $lessons ->
    [one] { $lessons } урока
   *[other] { $lessons } уроков
}
diary-lates = { $n ->
    [one] { $n } опоздание
    [few] { $n } опоздания
   *[many] { $n } опозданий
}
diary-no-marks = Отметок нет.
diary-attendance-summary = Посещаемость за период
diary-finals-link = Итоговые отметки и прогноз
diary-finals = Итоговые отметки
diary-finals-later = Итоговые отметки появятся здесь после закрытия отчётного периода — не позже чем через сутки после выставления.
diary-year-mark = год
diary-forecast = Прогноз итоговой отметки
diary-forecast-later = Прогноз по предметам появится здесь позже: он строится по средневзвешенному баллу и правилам округления школы.
diary-period-open = идёт
diary-period-ended = окончен, итоговые отметки выставляются
diary-period-closed = закрыт
diary-period-future = впереди
diary-homework-pager = Переход по датам
diary-earlier = ← Раньше
diary-later = Позже →
diary-from = С
diary-to = По
diary-show = Показать
diary-class-teacher = Классный руководитель
diary-not-set = не назначен
diary-no-teachers = Учителя пока не назначены.
diary-year = Учебный год
diary-week-days = { $n ->
    [one] { $n } учебный день в неделе
    [few] { $n } учебных дня в неделе
   *[many] { $n } учебных дней в неделе
}
diary-now = сейчас
diary-no-days-off = Каникулы и праздники не внесены.
diary-no-bells = Расписание звонков не внесено.
diary-no-class = Ученик не зачислен в класс в этом учебном году.
diary-no-consent-title = Дневник недоступен
diary-pupil-no-consent = Электронный дневник работает, пока в школе действует согласие вашего родителя (законного представителя) на обработку персональных данных для электронного дневника. Сейчас такого согласия нет или оно отозвано, поэтому отметки, посещаемость, задания и другие ваши данные здесь не показываются.
diary-pupil-no-consent-todo = Согласие даёт родитель — письменным заявлением в школу или электронным документом. Сведения об успеваемости школа выдаёт семье на бумаге (выписка).
diary-consent-state = Согласие на обработку персональных данных для дневника
diary-consent-given = Согласие действует: дневник открыт.
diary-consent-refused = Вы отказались от обработки персональных данных ребёнка для электронного дневника, поэтому сведения об успеваемости здесь не показываются. Школа выдаёт их на бумаге.
diary-consent-withdrawn = Вы отозвали согласие на обработку персональных данных ребёнка для электронного дневника: показ сведений прекращён. Школа выдаёт их на бумаге.
diary-consent-missing = В школе не зарегистрировано ваше согласие на обработку персональных данных ребёнка для электронного дневника.
diary-consent-todo = Чтобы открыть дневник, подайте в школу согласие на обработку персональных данных для электронного дневника: письменное заявление (классному руководителю или в канцелярию) или электронный документ с подписью. Дневник откроется сразу после того, как школа зарегистрирует согласие.
diary-consent-page = Согласие: подробности и история
diary-me-title = Родителю
diary-me-children = Мои дети и согласия
diary-me-no-children = К вашей учётной записи не привязаны дети. Привязку подтверждает школа.
diary-me-change = Как изменить согласие: согласие даётся в школе — письменным заявлением или электронным документом с подписью; здесь показано его состояние. Отозвать согласие можно заявлением в школу или на странице согласия ребёнка.
diary-delivery = Сведения в электронном виде
diary-me-settings = Настройки
diary-me-contacts = Контакты для уведомлений (телефон, электронная почта)
diary-me-account = Учётная запись: пароль, устройства и выход на других устройствах
## ---- end of the family's diary ----
consent-paper = выписки на бумаге
consent-paper-short = на бумаге
## ---- contacts (regulation point 7) ----
contact-title = Контакты для уведомлений
contact-intro = По этим контактам школа присылает сведения об учёбе — в том виде, который вы выбрали.
contact-to-account = ← Учётная запись
contact-student-link = Контакты родителей
contact-none = Контактов пока нет. Добавьте телефон или e-mail ниже — или передайте их в школу письменным заявлением.
contact-verified = подтверждён
contact-unverified = не подтверждён
contact-not-verifiable = подтверждение появится позже
contact-preferred = предпочтительный
contact-source = Источник
contact-entered = Внесён
contact-code-until = Код действует до
contact-link-until = Ссылка действует до
contact-code = Код из сообщения
contact-confirm = Подтвердить
contact-send-code = Прислать код
contact-send-link = Прислать ссылку для подтверждения
contact-remove = Удалить контакт
contact-preferred-title = Куда присылать уведомления
contact-preferred-hint = Отметьте предпочтительные способы связи
contact-needs-confirmation = сначала подтвердите
contact-save-preferred = Сохранить выбор
contact-add-title = Добавить контакт
contact-field-kind = Вид контакта
contact-field-network = Мессенджер
contact-field-value = Телефон, e-mail или имя в мессенджере
contact-field-provenance = Источник
contact-field-basis = Основание
contact-field-code = Код
contact-field-preferred = Предпочтительные
contact-field-token = Ссылка
contact-network-none = — (не мессенджер)
contact-network-hint = Только для вида «мессенджер».
contact-value-hint = Например: 8 (912) 345-67-89, ivanova@mail.ru, @ivanova_m
contact-make-preferred = Присылать уведомления сюда
contact-add = Добавить
contact-staff-title = Контакты родителей
contact-no-parents = У ученика нет законных представителей, связанных со школой.
contact-none-staff = Контактов нет: сведения получает на бумаге.
contact-history = Удалённые контакты
contact-removed-on = удалён
contact-register = Зарегистрировать контакт по заявлению
contact-basis-hint = Номер и дата заявления или идентификатор электронного документа.
contact-register-button = Зарегистрировать
contact-verify-title = Подтверждение адреса
contact-to-mine = К моим контактам
contact-verified-ok = Адрес электронной почты подтверждён.
contact-verified-unknown = Ссылка недействительна: возможно, в ней опечатка или контакт удалён.
contact-kind-email = Электронная почта
contact-kind-phone = Телефон
contact-kind-messenger = Мессенджер
contact-network-telegram = Telegram
contact-network-max = MAX
contact-network-vk = ВКонтакте
contact-provenance-written_application = письменное заявление
contact-provenance-electronic_document = электронный документ
contact-provenance-cabinet = введён родителем в личном кабинете
contact-done-added = Контакт добавлен.
contact-done-removed = Контакт удалён (запись о нём сохранена в истории).
contact-done-preferred = Выбор сохранён.
contact-done-sent-link = Ссылка для подтверждения будет отправлена на этот адрес; она действует сутки.
contact-done-sent-code = Код будет отправлен на этот номер; он действует 15 минут. Введите его ниже.
contact-done-verified = Контакт подтверждён.
contact-error-empty = заполните поле
contact-error-too-long = слишком длинное значение
contact-error-email = это не адрес электронной почты (например, ivanova@mail.ru)
contact-error-phone = это не номер телефона (например, 8 (912) 345-67-89)
contact-error-not-russian = принимаются только российские номера (+7)
contact-error-telegram = имя в Telegram: 5–32 латинские буквы, цифры и _, начинается с буквы; или номер телефона
contact-error-max = в MAX контакт — это номер телефона
contact-error-vk = страница ВКонтакте: id123 или короткий адрес из латинских букв, цифр, _ и точки
contact-error-network = выберите мессенджер
contact-error-kind = выберите вид контакта
contact-error-basis = укажите номер и дату заявления или идентификатор электронного документа
contact-error-wrong-code = неверный код
contact-error-expired = срок действия кода истёк — запросите новый
contact-error-attempts = код вводили слишком много раз — запросите новый
contact-error-no-code = действующего кода нет — запросите новый
contact-error-by-link = электронная почта подтверждается по ссылке из письма
contact-error-not-verifiable = контакты в мессенджерах пока не подтверждаются
contact-error-already-verified = контакт уже подтверждён
contact-error-duplicate = такой контакт уже есть
contact-error-too-many = не больше 10 контактов: сначала удалите лишний
contact-error-cabinet-only = контакты, которые вы вводите сами, вносятся через личный кабинет
contact-error-document = контакт регистрируется по письменному заявлению или электронному документу
contact-error-not-theirs = это не ваш контакт
contact-error-too-many-codes = Слишком много запросов кода для этого контакта; повторите после { $until }.
## ---- end of contacts ----
## ---- final marks ----
finals-title = Итоговые отметки
finals-year = Год
finals-exam = Экзамен
finals-final = Итоговая
finals-saved = Итоговые отметки сохранены и уже видны семьям.
finals-hint = В поле — предложение журнала по системе оценивания школы; подтвердите его или поставьте другую отметку (н/а, осв., зач., незач.) и укажите причину.
finals-missed = Пропуски
finals-proposal = Предложено
finals-value = Итоговая отметка
finals-reason = Причина, если не по предложению
finals-save = Сохранить итоговые отметки
finals-correct = Исправить (с причиной)
finals-published = Выставлена и опубликована
finals-left = выбыл
finals-joined = с
finals-basis-average = по среднему взвешенному
finals-basis-capped_by_two = «2» в периоде: не выше «4»
finals-basis-too_few_marks = мало отметок
finals-basis-mostly_absent = пропущено больше половины уроков
finals-basis-pass_fail = по зачётам
finals-basis-periods = по отметкам за периоды
finals-basis-period_not_attested = есть н/а за период
finals-link = Итоговые отметки
summary-title = Сводная ведомость
summary-hint = Только итоговые отметки: ведомость заполняется сама, ничего не вводится дважды.
summary-xlsx = Скачать XLSX
summary-left = выбыл
summary-link = Сводная ведомость
## ---- end of final marks ----
## ---- diary forecast ----
diary-forecast-how = Прогноз — отметка, которую дало бы среднее взвешенное сейчас по правилам школы; он меняется с каждой новой отметкой.
diary-forecast-average = средний балл
diary-confidence-low = прогноз неустойчив
diary-confidence-medium = прогноз вероятен
diary-confidence-high = прогноз устойчив
diary-risk-too_few_marks = мало отметок для аттестации
diary-risk-many_absences = пропущено больше половины уроков
diary-risk-projected_two = грозит «2»
diary-risk-projected_not_attested = грозит «н/а»
diary-forecast-next-up = для «{ $target }» нужно { $count ->
    [one] { $count } отметка
    [few] { $count } отметки
   *[other] { $count } отметок
} «{ $value }» ({ $work })
diary-forecast-avoid-two = чтобы не было «2», нужно { $count ->
    [one] { $count } отметка
    [few] { $count } отметки
   *[other] { $count } отметок
} «{ $value }» ({ $work })
## ---- end of diary forecast ----

## ---- exam results (regulation point 6) ----
exams-title = Результаты экзаменов
exams-hint = ОГЭ, ЕГЭ, ВПР, итоговое собеседование и школьные экзамены: загрузка файла с результатами и публикация в дневнике — не позже суток после получения.
exams-home-note = загрузка и публикация, просрочки
exams-import = Загрузить результаты
exams-exam = Экзамен
exams-kind-oge = ОГЭ
exams-kind-ege = ЕГЭ
exams-kind-vpr = ВПР
exams-kind-interview = Итоговое собеседование
exams-kind-school = Школьный экзамен
exams-received-at = Когда школа получила результаты
exams-received-hint = Сутки на публикацию считаются от этого времени.
exams-source = Файл
exams-file = Файл CSV или XLSX
exams-file-hint = Столбцы: ФИО (или Фамилия, Имя, Отчество), Класс, Дата рождения, Предмет, Дата, Первичный балл, Отметка (для ЕГЭ — Тестовый балл, для собеседования — зачёт/незачёт). Не больше { $mb } МБ.
exams-publish-now = Сразу показать ученикам и родителям
exams-refused = Файл не принят, ничего не записано.
exams-batches = Загруженные файлы
exams-none = Результатов ещё не загружали.
exams-received = Получены
exams-imported = Загружены
exams-rows = Строк
exams-published = Опубликовано
exams-unpublished = Не опубликовано
exams-overdue = просрочено
exams-late = опубликовано с опозданием
exams-pending = ждут публикации
exams-due = срок:
exams-publish = Опубликовать
exams-imported-published = { $n ->
    [one] Загружен и опубликован { $n } результат.
    [few] Загружено и опубликовано { $n } результата.
   *[many] Загружено и опубликовано { $n } результатов.
}
exams-imported-held = { $n ->
    [one] Загружен { $n } результат; он ещё не виден семье — опубликуйте его в течение суток.
    [few] Загружено { $n } результата; они ещё не видны семьям — опубликуйте их в течение суток.
   *[many] Загружено { $n } результатов; они ещё не видны семьям — опубликуйте их в течение суток.
}
exams-published-now = { $n ->
    [one] Опубликован { $n } результат.
    [few] Опубликовано { $n } результата.
   *[many] Опубликовано { $n } результатов.
}
exams-overdue-title = Просроченные публикации
exams-overdue-hint = Результаты, которые не видны ученику и родителям спустя сутки после получения, и опубликованные с опозданием за последнюю неделю — с тем, кто ещё не проинформирован.
exams-overdue-none = Просроченных публикаций нет.
exams-as-of = По состоянию на
exams-state = Состояние
exams-not-informed = Кто не проинформирован
exams-overdue-by = просрочено на { $span }
exams-published-late = опубликовано через { $span }
exams-hours = { $n } ч
exams-days-hours = { $d } дн. { $h } ч
exams-channel-diary = увидит в дневнике
exams-channel-no-account = нет учётной записи
exams-channel-paper = на бумаге
exams-role-pupil = ученик
exams-pass = зачёт
exams-fail = незачёт
exams-test-score = { $n ->
    [one] { $n } балл
    [few] { $n } балла
   *[many] { $n } баллов
}
diary-exams = Результаты экзаменов
diary-exams-none = Результатов экзаменов пока нет.
diary-exams-score = первичный балл
diary-exams-held-back = ещё не опубликован
## ---- end of exam results ----
## ---- statistics (stats/*.html) ----
stats-title = Статистика
stats-home-note = успеваемость, выполнение программы, посещаемость
stats-as-of = По данным журнала на
stats-scope = Что и за какой период
stats-period = Период
stats-grade = Параллель
stats-grade-n = { $n } классы
stats-threshold = Порог пропусков, %
stats-scope-hint = Классному руководителю доступен свой класс, учителю — свои группы и предметы (выберите себя в поле «Учитель»).
stats-show = Показать
stats-export = Скачать таблицы (XLSX)
stats-empty = Нет данных.
stats-any = все
stats-year = учебный год
stats-total = Итого
stats-by-class = По классам
stats-by-subject = По предметам
stats-current-marks = Текущие отметки
stats-types-total = Итого по видам уроков
stats-control-works = Результаты контрольных работ
stats-pupils-over = Ученики, пропустившие более { $n } % уроков или более половины уроков предмета
stats-results-note = N — все ученики, кроме освобождённых, выбывших до конца периода и не имеющих отметок; н/а входит в N. Где итоговая отметка ещё не выставлена, учитывается средневзвешенный балл журнала. Успеваемость = (5+4+3)/N, качество = (5+4)/N, СОУ = (100·«5» + 64·«4» + 36·«3» + 16·«2» + 7·н/а)/N. Столбец «итоговые / журнал» показывает, откуда взята отметка.
stats-curriculum-note = План — часы учебного плана, распределённые по учебным дням (без каникул; праздничные дни входят: их уроки потеряны). Проведено — уроки до даты, кроме отменённых и отмеченных учителем как непроведённые; замены входят. Отставание = план на дату − проведено; «прочее» — расписание даёт больше (минус) или меньше уроков, чем учебный план.
stats-types-note = План — часы тематического планирования с видом урока, приходящиеся на уроки периода по порядку (i-й неотменённый урок года — i-й час плана). Проведено — уроки до даты с этим видом.
stats-attendance-note = Пропущенный урок — отсутствие или опоздание более чем на половину урока. Уроки — проведённые уроки групп учеников до даты. Учитываются ученики, состоящие в классе на конец периода.
stats-view-results = Успеваемость
stats-view-curriculum = Выполнение программы
stats-view-lesson-types = Виды уроков
stats-view-attendance = Посещаемость
stats-chart-progress = Успеваемость и качество, %
stats-chart-finals = Отметки (итоговые или по журналу)
stats-chart-current = Текущие отметки
stats-chart-plan = План на дату и проведено, уроков
stats-chart-lag = Причины отставания, уроков
stats-chart-types = Работы по плану на дату и проведённые
stats-chart-absences = Пропущенные уроки по причинам
stats-h-class = Класс
stats-h-subject = Предмет
stats-h-group = Группа
stats-h-teacher = Учитель
stats-h-pupil = Ученик
stats-h-n = N
stats-h-n5 = «5»
stats-h-n4 = «4»
stats-h-n3 = «3»
stats-h-n2 = «2»
stats-h-na = н/а
stats-h-passfail = зач./незач.
stats-h-exempt = осв.
stats-h-without = без отметок
stats-h-left = выбыли
stats-h-progress = Успеваемость, %
stats-h-quality = Качество, %
stats-h-sou = СОУ, %
stats-h-average = Средний балл
stats-h-source = итоговые / журнал
stats-h-marks = Отметок
stats-h-pass = зач.
stats-h-fail = незач.
stats-h-m5 = 5
stats-h-m4 = 4
stats-h-m3 = 3
stats-h-m2 = 2
stats-h-m1 = 1
stats-h-planned-year = План на год
stats-h-planned-period = План на период
stats-h-planned-to-date = План на дату
stats-h-scheduled = По расписанию
stats-h-held = Проведено
stats-h-substituted = из них заменой
stats-h-done = Выполнено, %
stats-h-lag = Отставание
stats-h-cancelled-teacher = Отмена: отсутствие учителя
stats-h-cancelled-other = Отмена: иные причины
stats-h-holidays = Праздничные дни
stats-h-not-held = Не проведено
stats-h-moved = Перенесено
stats-h-other = Прочее
stats-h-lessons = Уроков
stats-h-type = Вид урока
stats-h-plan-year = По КТП на год
stats-h-plan-period = По КТП на период
stats-h-plan-to-date = По КТП на дату
stats-h-pupils = Учеников
stats-h-missed = Пропущено
stats-h-ill = по болезни
stats-h-excused = по уважительной
stats-h-unexcused = без уважительной
stats-h-late = Опозданий
stats-h-late-missed = опоздание > ½ урока
stats-h-missed-share = Пропущено, %
stats-h-over-half = Пропущено более половины уроков
## ---- end of statistics ----
## ---- pupils at risk ----
risks-title = Ученики в зоне риска
risks-hint = Прогноз итоговых отметок текущего периода: мало отметок, много пропусков, грозит «2» или «н/а» — и что нужно, чтобы выправить.
risks-none = Рисков по прогнозу нет.
risks-risks = Риски
risks-takes = Что нужно
risks-link = Ученики в зоне риска
## ---- end of pupils at risk ----
## ---- the pupil's record across the years (record/*.html) ----
diary-nav-record = Успеваемость по годам
record-title = Личное дело: успеваемость по годам
record-link = Личное дело
record-card = Карточка ученика
record-empty = Итоговых отметок и результатов экзаменов пока нет.
record-no-marks = Отметки на этом уровне не выставлялись
record-grade = { $n } класс
record-grade-one = без отметок
record-level-primary = Начальное общее образование (1–4 классы)
record-level-basic = Основное общее образование (5–9 классы)
record-level-secondary = Среднее общее образование (10–11 классы)
record-level-unknown = Класс не указан
record-col-subject = Предмет
record-col-year = годовая
record-col-exam = Экзамен
record-col-final = Итоговая
record-col-score = Первичный балл
record-period = период
record-exams = Экзамены и проверочные работы
record-held-back = ещё не опубликован для семьи
record-deferrals = Отсрочки итоговых отметок
record-basis = Основание
record-deferral-open = действует
record-deferral-resolved = отметка выставлена
record-deferral-lapsed = истекла: н/а
record-debts = Академические задолженности
record-debt-dates = возникла { $arisen }, ликвидировать до { $deadline }
record-retakes = Пересдачи
record-debt-open = не ликвидирована
record-debt-closed = ликвидирована
record-debt-expired = срок ликвидации истёк
record-debt-exhausted = пересдачи исчерпаны: решает педсовет
record-hint = Годовая отметка — жирным, под ней — отметки за четверти (полугодия). Итоговая — отметка в аттестат за уровень образования; экзамен — экзаменационная отметка.
record-staff-note = Вы видите и то, что семье ещё не опубликовано: такие строки помечены.
record-printed = Сформировано { $date }
## ---- end of the pupil's record ----

# Deferrals and academic debts
deferrals-title = Отсрочки и академические задолженности
deferrals-heading = Отсрочки итоговых отметок
deferrals-none = Открытых отсрочек нет.
deferral-open = Отсрочка
deferral-open-title = Отсрочка итоговой отметки
deferral-hint = По болезни ученика выставление итоговой отметки откладывается до указанного дня. Период можно закрыть: учитель выставит отметку позже. Если к концу отсрочки отметки нет, учителю и заместителю директора приходит напоминание; затем ученик не аттестован и у него академическая задолженность.
deferral-starts = С
deferral-ends = По
deferral-dates = Сроки
deferral-basis = Основание
deferral-basis-hint = Приказ № или медицинская справка №, дата
deferral-back = Назад к итоговым отметкам
deferral-until = Отсрочка до { $date } ({ $basis })
deferral-overdue = истекла, отметки нет
deferral-stage-pending = Ещё не началась
deferral-stage-running = Идёт
deferral-stage-overdue = Истекла без отметки
deferral-state-resolved = Отметка выставлена
deferral-state-lapsed = Не аттестован, задолженность
deferral-set-mark = Выставить отметку
deferral-lapse = Не аттестован → задолженность
debts-heading = Академические задолженности
debts-hint = Отсрочки по болезни, задолженности и их пересдачи
debts-none = Задолженностей нет.
debts-rule = Не более двух пересдач в пределах одного года с момента образования задолженности; время болезни в этот срок не включается.
debts-subject = Предмет
debts-slot = Отметка за
debts-state = Состояние
debts-deadline = Срок ликвидации
debts-retakes = Пересдачи
debts-record-retake = { $n ->
    [one] Записать пересдачу (осталась { $n })
   *[other] Записать пересдачу (осталось { $n })
}
debts-retake-date = Дата пересдачи
debts-retake-value = Отметка
debts-retake-note = Комиссия, форма
debts-retake-save = Записать пересдачу
debts-illness = Болезнь (продлевает срок)
debts-illness-basis = Медицинская справка
debts-illness-save = Записать болезнь
debts-saved = Сохранено.
debt-arisen = { $value } с { $date }
debt-deadline-ill = { $date } (+{ $days } дн. болезни)
debt-stage-open = Открыта
debt-stage-expired = Срок истёк
debt-stage-closed = Ликвидирована
debt-stage-exhausted = Пересдачи исчерпаны: решает педсовет
home-deferrals = Отсрочки, закончившиеся без отметки
## ---- notifications (issue 7) ----
notify-title = Уведомления
notify-intro = О чём и как сообщать вам об успеваемости детей. Уведомления приходят только на подтверждённые контакты и только при действующем согласии на электронное информирование.
notify-to-contacts = Мои контакты
notify-when = Когда
notify-channel = Куда
notify-event-final = Итоговые отметки
notify-event-exam = Результаты экзаменов
notify-event-mark = Текущие отметки
notify-event-homework = Домашние задания
notify-event-forecast = Прогноз итоговых отметок
notify-event-absence_note = Объяснительные об отсутствии
notify-hint-final = За четверть, полугодие, год — не позже суток после выставления; тихие часы их не задерживают.
notify-hint-exam = ОГЭ, ЕГЭ, ВПР, собеседование; тихие часы их не задерживают.
notify-hint-mark = Каждая новая или исправленная отметка.
notify-hint-homework = Задания, выданные на уроках.
notify-hint-forecast = Раз в неделю по каждому ребёнку: ожидаемые итоговые отметки и риски.
notify-hint-absence_note = Классный руководитель принял или отклонил объяснительную.
notify-mode-immediate = сразу
notify-mode-daily = сводкой раз в день
notify-mode-weekly = раз в неделю
notify-mode-off = не присылать
notify-channel-preferred = на основные контакты
notify-channel-email = на электронную почту
notify-channel-sms = по SMS
notify-quiet = Тихие часы
notify-quiet-hint = В это время (по времени школы) присылаем только итоговые отметки и результаты экзаменов, остальное — после. Оставьте пустыми, если тихие часы не нужны.
notify-quiet-from = С
notify-quiet-to = До
notify-save = Сохранить
notify-saved = Настройки уведомлений сохранены.
notify-dead-title = Недоставленные уведомления
notify-dead-intro = Сообщения, которые не удалось доставить после всех попыток, с ошибкой. Исправьте причину (настройки почты или SMS-шлюза, контакт) и отправьте снова.
notify-dead-none = Недоставленных уведомлений нет.
notify-dead-at = отказ
notify-attempts = попыток
notify-history = Все попытки
notify-resend = Отправить снова
notify-resent = Уведомление снова поставлено в очередь.
notify-via-email = эл. почта
notify-via-sms = SMS
notify-via-webhook = вебхук
notify-webhooks-title = Вебхуки
notify-webhooks-intro = Передача событий журнала другим системам: JSON-запрос POST, подписанный HMAC-SHA256 (заголовок X-Tabel-Signature).
notify-topics = События
notify-topics-hint = Через пробел, например final.published exam.result_published, или * — все.
notify-description = Назначение
notify-webhook-add = Подключить
notify-webhook-remove = Отключить
notify-webhook-removed = Вебхук отключён.
notify-webhook-removed-on = отключён
notify-webhook-secret = Секрет для проверки подписи запросов на
notify-webhook-secret-hint = Сохраните его сейчас: больше он показан не будет.
## ---- end of notifications ----
## ---- extracts and printed documents (issue 7) ----
extracts-title = Выписки
extracts-hint = Бумажные выписки из журнала для семей без электронного дневника: за период в один клик, с кодом проверки на каждой.
extracts-link = Выписки и печать
extracts-queue = Получают сведения на бумаге
extracts-queue-empty = Все семьи класса получают сведения в электронном виде.
extracts-reason = Почему на бумаге
extracts-reason-refused = отказ или отзыв согласия
extracts-reason-no_consent = согласие не подано
extracts-reason-no_representative = нет законного представителя в записях
extracts-reason-no_contact = нет подтверждённого контакта
extracts-last = Последняя выписка
extracts-period = Период
extracts-from = или с даты
extracts-to = по дату
extracts-with-homework = включить домашние задания
extracts-range-hint = Если указаны даты, выписка будет за эти даты, а не за выбранный период.
extracts-handed-to = Кому выдана
extracts-handed-to-hint = например, Иванова М. П. (мать)
extracts-print-queue = Напечатать выписки за период (очередь)
extracts-print-all = Выписки для всего класса
extracts-one-pupil = Выписка для одного ученика
extracts-registry = Выданные выписки
extracts-registry-empty = Выписок ещё не выдавали.
extracts-code = Код проверки
extracts-dates = Период
extracts-issued-at = Выдана
extracts-issued-by = Кем
extracts-by-console = командная строка
extracts-channel-paper = на бумаге
extracts-channel-download = скачана родителем
extracts-save = Сохранить
extracts-summary-pdf = Сводная ведомость (PDF)
extracts-archive = Журналы для архива
extracts-archive-hint = Печатные копии журналов класса за учебный год: уроки, темы, отметки, посещаемость, итоговые отметки.
extracts-archive-empty = У класса нет журналов.
extracts-pupil-title = Выписка из журнала
extracts-print-one = Напечатать выписку (PDF)
extracts-download = Скачать выписку (PDF)
extracts-form-pdf = Бланк согласия (PDF)
verify-title = Проверка выписки
verify-check = Проверить
verify-issued = Выписка с этим кодом выдана
verify-not-found = Выписки с таким кодом нет
verify-school = Школа
verify-pdf-hash = SHA-256 файла выписки
verify-content-hash = SHA-256 содержания
verify-hint = Оценки здесь не показываются: сравните бумагу с записями школы при необходимости.
## ---- end of extracts ----

## The school's set-up
setup-import = Загрузка списков школы
setup-accounts = Выдача учётных записей
setup-template = Шаблон книги (XLSX)
setup-upload = Файл
setup-upload-hint = Книга XLSX с листами Предметы, Сотрудники, Классы, Группы, Ученики, Родители, Учебный план, Нагрузка, Расписание — или эти списки в файлах CSV, названных по ним (ученики.csv). Сначала покажем, что изменится; запишем всё или ничего.
setup-files = Книга или файлы CSV
setup-preview-button = Проверить
setup-preview = Что изменится
setup-applied = Загружено
setup-creates-year = Учебный год будет создан по федеральному календарю: четверти, полугодия, каникулы, звонки.
setup-list = Список
setup-created = Новых
setup-updated = Изменится
setup-unchanged = Без изменений
setup-problems = Ошибки
setup-nothing-written = Ничего не записано: исправьте файл и загрузите его снова.
setup-sheet = Лист
setup-row = Строка
setup-column = Столбец
setup-problem = Что не так
setup-changes = Изменения
setup-what = Что
setup-action-create = новое
setup-action-update = изменение
setup-apply = Применить
setup-done = Изменений записано:
setup-lessons = уроков в расписании:
setup-nothing-to-change = Менять нечего: в школе уже есть эти списки.
setup-no-file = Выберите файл.
setup-too-large = Файл больше { $mb } МБ.
setup-draft-gone = Проверка устарела: загрузите файл ещё раз.
setup-accounts-hint = Учётные записи получат все, у кого их ещё нет: логин и временный пароль (при первом входе его нужно сменить). Родители получат коды приглашения для каждого ребёнка. Пароли и коды показываются один раз — распечатайте письма сразу.
setup-scope = Кому
setup-whole-school = Вся школа
setup-pupils = Ученики
setup-parents = Родители
setup-staff = Сотрудники (только для всей школы)
setup-format-pdf = Письма для печати (PDF)
setup-format-csv = Таблица для рассылки (CSV)
setup-issue = Выдать
setup-invitation = Привязать ребёнка
setup-invitation-hint = Введите код приглашения из письма школы. Код действует один раз.
setup-code = Код приглашения
setup-link = Привязать
setup-code-invalid = Код не подходит к вашей учётной записи: проверьте его или попросите в школе новое письмо.
account-first-login = Вы вошли с временным паролем. Задайте свой пароль, чтобы продолжить.

## A forgotten password
recovery-link = Забыли пароль?
recovery-title = Новый пароль
recovery-hint = Введите логин. Если у учётной записи есть подтверждённые почта или телефон, на них придёт код для нового пароля. Учителям и ученикам пароль задаёт администратор школы.
recovery-send = Получить код
recovery-sent = Если у учётной записи есть подтверждённый контакт, код отправлен на него. Он действует 30 минут.
recovery-code = Код
recovery-code-wrong = Код неверный или устарел: запросите новый.
setup-export = Списки школы сейчас (XLSX)

## The school's people: search, card, movement, merge; the regional administrator
people-title = Люди школы
people-search-hint = Фамилия, имя или отчество
people-kind = Кто
people-kind-all = Все
people-kind-pupil = Ученик
people-kind-parent = Родитель
people-kind-staff = Сотрудник
people-class = Класс
people-nobody = Никого не нашлось.
people-pages = Страницы
people-prev = ← Назад
people-next = Дальше →
people-card = Карточка
people-last-name = Фамилия
people-first-name = Имя
people-middle-name = Отчество
people-sex = Пол
people-sex-m = Мужской
people-sex-f = Женский
people-date-hint = дд.мм.гггг
people-snils = СНИЛС
people-school-number = Номер личного дела
people-position = Должность
people-save = Сохранить
people-record = Личное дело
people-enrolled-on = Зачислен(а)
people-arrived-from = Откуда прибыл(а)
people-left-on = Выбыл(а)
people-left-to = Куда выбыл(а)
people-order = Приказ
people-order-of = № { $number } от { $date }
people-order-number = Номер приказа
people-order-date = Дата приказа
people-groups = Классы и группы
people-group = Класс или группа
people-group-class = класс
people-group-subgroup = подгруппа
people-group-stream = поток
people-group-individual = индивидуальный план
people-from = С
people-to = По
people-parents = Родители (законные представители)
people-children = Дети
people-invited = приглашён, код не введён
people-movement = Движение
people-transfer = Перевести в другой класс
people-new-class = Новый класс
people-transfer-from = С какого дня
people-leaving = Выбытие
people-last-day = Последний день в школе
people-arrival = Прибытие
people-arrival-on = Первый день в школе
people-done-saved = Сохранено.
people-done-arrived = Прибытие записано.
people-done-left = Выбытие записано.
people-done-transferred = Ученик переведён.
people-done-merged = Записи объединены.
people-merge = Объединить дубликаты
people-merge-hint = Если человек записан дважды, оставьте одну запись: всё, что относится ко второй (оценки, связи, согласия, контакты, учётная запись), перейдёт к первой, а вторая будет удалена.
people-keep = Оставить (номер)
people-duplicate = Дубликат (номер)
people-preview = Показать, что изменится
people-merge-confirm-hint = Проверьте: это нельзя отменить.
people-merge-confirm = Объединить
people-merge-refused = Объединить нельзя:
region-title = Школы региона
region-school = Школа
region-municipality = Муниципалитет
region-time-zone = Часовой пояс
region-new-school = Новая школа
region-school-name = Полное название
region-short-name = Краткое название
region-first-admin = Первый администратор школы
region-admin-name = Имя
region-admin-password = Пароль
region-create = Создать школу
region-done-created = Школа создана.
people-new-pupil = Новый ученик (прибытие)
people-sex-by-patronymic = по отчеству

## The school's teaching structure (part 2): teaching load, groups and pupils, curriculum, staff
teaching-structure = Структура школы
teaching-assignments = Нагрузка
teaching-groups = Группы
teaching-curriculum = Учебный план
teaching-staff = Сотрудники и роли
teaching-year = Учебный год
teaching-show = Показать
teaching-end-hint = Завершённое назначение: со следующего дня после последнего учитель не пишет в журнале этой группы по предмету. Удалить можно только назначение, по которому ничего не записано; иначе его завершают. Расписание уроков с этим учителем меняется отдельно — на странице расписания.
teaching-teacher = Учитель
teaching-group = Группа
teaching-subject = Предмет
teaching-hours = Часов в неделю
teaching-from = С
teaching-until = По
teaching-actions = Действия
teaching-save = Сохранить
teaching-last-day = Последний день
teaching-end = Завершить
teaching-delete = Удалить
teaching-load-on = Нагрузка учителей на { $date }
teaching-total = Часов в неделю
teaching-running = Назначений
teaching-add-assignment = Новое назначение
teaching-add = Добавить
teaching-name = Название
teaching-kind = Вид
teaching-kind-class = класс
teaching-kind-subgroup = подгруппа
teaching-kind-stream = поток
teaching-kind-individual = ИУП
teaching-class = Класс
teaching-members = Учеников
teaching-pupils = Ученики
teaching-rename = Переименовать
teaching-add-group = Новая группа
teaching-group-hint = Подгруппе нужны класс и предмет, потоку — классы одной параллели, ИУП — ученик и дата. Классы создаются на странице классов.
teaching-subgroup-class = Класс подгруппы
teaching-classes = Классы потока
teaching-pupil = Ученик
teaching-pupils-of = Ученики группы { $group }
teaching-remove = Вывести
teaching-remove-hint = Последний день — день, когда ученик ещё в группе. Если это день накануне начала, запись удаляется (только если по ней ничего не записано).
teaching-add-pupils = Добавить учеников
teaching-pupils-hint = Ученик подгруппы должен учиться в её классе с этого дня, ученик потока — в одном из его классов.
teaching-for = Для кого
teaching-part = Часть
teaching-part-compulsory = обязательная
teaching-part-chosen = формируемая участниками
teaching-per-year = Часов в год
teaching-change = Изменить
teaching-totals = Итого по параллелям, часов в неделю
teaching-grade = Параллель
teaching-grade-n = { $grade } классы
teaching-add-line = Новая строка плана
teaching-leave-hint = Увольнение: укажите последний рабочий день. Учётная запись блокируется сразу. Сначала завершите назначения и классное руководство.
teaching-full-name = ФИО
teaching-position = Должность
teaching-roles = Роли
teaching-login = Учётная запись
teaching-class-teacher = Классный руководитель
teaching-left = Последний день
teaching-leave = Уволить
teaching-add-staff = Новый сотрудник
teaching-sex = Пол
teaching-birth-date = Дата рождения
teaching-refused = Не сделано:
teaching-done = Сохранено.

## The school's structure edited by its administrators (structure)
structure-title = Структура школы
structure-card = Карточка школы
structure-years = Учебные годы и отчётные периоды
structure-calendar = Календарь
structure-classes = Классы
structure-subjects = Предметы
structure-curriculum = Учебный план
structure-groups = Группы
structure-staff = Сотрудники и роли
structure-assignments = Нагрузка
structure-people = Люди
structure-import = Импорт списков
structure-no-year = учебного года нет
structure-year = Учебный год
structure-retired = выведены
structure-full-name = Полное наименование
structure-short-name = Краткое наименование
structure-code = Код
structure-address = Адрес
structure-director = Директор
structure-time-zone = Часовой пояс
structure-save = Сохранить
structure-add = Добавить
structure-edit = Изменить
structure-delete = Удалить
structure-show = Показать
structure-actions = Действия
structure-name = Название
structure-order = Порядок
structure-scale = Шкала
structure-school-scale = как у школы
structure-state = Состояние
structure-in-use = используется
structure-retired-on = выведен с
structure-retire = Вывести из употребления
structure-unretire = Вернуть
structure-new-subject = Новый предмет
structure-subjects-hint = Предмет с отметками или уроками удалить нельзя — его можно вывести из употребления: история, журнал, дневник и итоговые отметки сохранятся, но в новые строки учебного плана, нагрузки и расписания он больше не попадёт.
structure-subject-in-use = Предмет нельзя удалить: { $what }. Выведите его из употребления.
structure-class-in-use = Класс нельзя удалить: { $what }.
structure-and = и
structure-class = Класс
structure-shift = Смена
structure-class-teacher = Классный руководитель
structure-since = с
structure-from = С даты
structure-letter = Литера
structure-grade = Параллель
structure-week = Дней в неделе
structure-period-kind = Периоды
structure-by-grade = по параллели
structure-new-class = Новый класс
structure-new-parallel = Если параллели в этом году ещё нет
structure-shift-hint = Звонки в расписании следуют смене класса: после перевода в другую смену проверьте расписание.
structure-parallels = Параллели
structure-periods = Отчётные периоды
structure-dates = Даты
structure-locked = закрыт
structure-first-day = Первый день
structure-last-day = Последний день
structure-new-year = Новый учебный год
structure-new-year-hint = Даты, периоды и каникулы предложены по единому федеральному календарю; их можно изменить.
structure-start-year = Год начала
structure-federal-holidays = Добавить каникулы и праздники федерального календаря
structure-calendar-hint = Каникулы, выходные и рабочие дни меняют уроки года с первой затронутой даты; уроки с записями в журнале сохраняются.
structure-day-kind = Что это
structure-day-holiday = Каникулы
structure-day-non_working = Выходной день
structure-day-working_day = Рабочий день
structure-only-grade = Только для параллели
structure-as-weekday = По расписанию дня
structure-new-day = Добавить в календарь
structure-date-placeholder = дд.мм.гггг
structure-weekday-1 = понедельник
structure-weekday-2 = вторник
structure-weekday-3 = среда
structure-weekday-4 = четверг
structure-weekday-5 = пятница
structure-weekday-6 = суббота
structure-kind-quarter = четверти
structure-kind-trimester = триместры
structure-kind-half_year = полугодия
structure-done-saved = Сохранено.
structure-done-created = Добавлено.
structure-done-deleted = Удалено.
structure-done-scale = Шкала предмета сохранена в новой версии политики оценивания.
structure-done-retired = Предмет выведен из употребления.
structure-done-unretired = Предмет снова используется.
structure-dep-marks = { $n ->
    [one] { $n } отметка
    [few] { $n } отметки
   *[many] { $n } отметок
}
structure-dep-lessons = { $n ->
    [one] { $n } урок
    [few] { $n } урока
   *[many] { $n } уроков
}
structure-dep-final-marks = { $n ->
    [one] { $n } итоговая отметка
    [few] { $n } итоговые отметки
   *[many] { $n } итоговых отметок
}
structure-dep-timetable-lines = { $n ->
    [one] { $n } строка расписания
    [few] { $n } строки расписания
   *[many] { $n } строк расписания
}
structure-dep-curriculum-lines = { $n ->
    [one] { $n } строка учебного плана
    [few] { $n } строки учебного плана
   *[many] { $n } строк учебного плана
}
structure-dep-assignments = { $n ->
    [one] { $n } строка нагрузки
    [few] { $n } строки нагрузки
   *[many] { $n } строк нагрузки
}
structure-dep-assessments = { $n ->
    [one] { $n } оценочная процедура
    [few] { $n } оценочные процедуры
   *[many] { $n } оценочных процедур
}
structure-dep-groups = { $n ->
    [one] { $n } группа
    [few] { $n } группы
   *[many] { $n } групп
}
structure-dep-subgroups = { $n ->
    [one] { $n } подгруппа
    [few] { $n } подгруппы
   *[many] { $n } подгрупп
}
structure-dep-streams = { $n ->
    [one] { $n } поток
    [few] { $n } потока
   *[many] { $n } потоков
}
structure-dep-memberships = { $n ->
    [one] { $n } запись ученика
    [few] { $n } записи учеников
   *[many] { $n } записей учеников
}
structure-dep-thematic-plans = { $n ->
    [one] { $n } тематический план
    [few] { $n } тематических плана
   *[many] { $n } тематических планов
}
structure-dep-recommendations = { $n ->
    [one] { $n } рекомендация
    [few] { $n } рекомендации
   *[many] { $n } рекомендаций
}
structure-dep-deferrals = { $n ->
    [one] { $n } отсрочка
    [few] { $n } отсрочки
   *[many] { $n } отсрочек
}
structure-dep-debts = { $n ->
    [one] { $n } академическая задолженность
    [few] { $n } академические задолженности
   *[many] { $n } академических задолженностей
}
structure-dep-exam-results = { $n ->
    [one] { $n } результат экзамена
    [few] { $n } результата экзамена
   *[many] { $n } результатов экзаменов
}
structure-dep-extracts = { $n ->
    [one] { $n } выписка
    [few] { $n } выписки
   *[many] { $n } выписок
}
structure-short-days = Сокращённые дни
structure-short-days-hint = В сокращённый день уроки идут по сокращённому расписанию звонков (его задают на странице звонков).

# A detail of the audit log replaced by a redaction marker (issue 17).
audit-redacted-retention = скрыто по сроку хранения
audit-redacted-request = удалено по запросу

my-data-title = Мои данные
my-data-export = Выгрузка персональных данных
my-data-export-parent = Всё, что электронный журнал хранит о вас и ваших детях: учётная запись, контакты и откуда они взялись, согласия и их история, отметки, посещаемость, итоговые отметки, домашние задания и рекомендации учителей, отправленные вам уведомления, сеансы входа и записи журнала действий о вас. Выгрузка доступна и без согласия на электронный дневник (право на доступ к своим данным, ст. 14 152-ФЗ).
my-data-export-self = Всё, что электронный журнал хранит о вас: учётная запись, контакты, уведомления, сеансы входа и записи журнала действий о вас.
my-data-export-pdf = Скачать сводку (PDF)
my-data-export-json = Скачать полностью (JSON, для программ)
my-data-export-note = Каждая выгрузка записывается в журнал действий.
home-my-data = Мои данные
erasure-title = Удаление персональных данных
erasure-explained = Вы можете попросить школу удалить ваши персональные данные. Администратор школы рассмотрит запрос. После удаления: ваши контакты, история уведомлений, сеансы и доступ к учётной записи удаляются, ваше имя в документах, которые школа обязана хранить, заменяется обозначением «Представитель №…»; согласия хранятся как доказательство; классный журнал ребёнка (отметки, посещаемость, итоговые отметки) сохраняется, пока ребёнок учится в школе.
erasure-comment = Комментарий
erasure-ask = Попросить удалить мои данные
erasure-requested-at = Подан
erasure-state = Состояние
erasure-decision = Решение
erasure-state-pending = на рассмотрении
erasure-state-carried_out = выполнен
erasure-state-refused = отказано
erasure-admin-title = Запросы на удаление персональных данных
erasure-admin-explained = «Выполнить» удаляет контакты, историю уведомлений, сеансы и доступ представителя, заменяет его имя обозначением «Представитель №…» и прекращает его связь с детьми; журнал, согласия и журнал действий сохраняются. Действие записывается в журнал действий.
erasure-pending = Ждут решения
erasure-none = Запросов нет.
erasure-parent = Представитель
erasure-carry-out = Выполнить
erasure-refuse = Отказать
erasure-reason = Причина отказа

## Changing the timetable from the pages (issue 18)
lesson-number-suffix = урок
lesson-transfer = Перенос урока
lesson-transfer-button = Перенести
lesson-room-change = Замена кабинета
lesson-room-button = Сменить кабинет
lesson-cancel-cause = Причина отмены
cause-teacher_absent = отсутствие учителя
cause-class_absent = отсутствие класса
cause-other = другая
lesson-cancelled-nothing = Урок отменён: изменить его нельзя.
shift-title = Перевод в другую смену
shift-same = Класс уже учится в этой смене.
shift-no-clashes = Конфликтов нет: учителя и кабинеты свободны.
shift-clashes = { $n ->
    [one] После перевода { $n } конфликт:
    [few] После перевода { $n } конфликта:
   *[many] После перевода { $n } конфликтов:
}
shift-line = Урок класса
shift-what = Занят
shift-other = Где ещё
shift-accept = Я видел(а) конфликты и исправлю эти строки расписания
shift-move = Перевести класс
shift-clash-teacher = учитель
shift-clash-room = кабинет
timetable-to-move = Контрольные процедуры, которые больше не проходят по правилам
timetable-to-move-link = Перенести их в графике процедур
timetable-changes = Изменения расписания
timetable-changes-hint = Перенос, замена кабинета, замена учителя и отмена — по щелчку на урок в сетке.
timetable-extra = Дополнительный урок
timetable-extra-button = Добавить урок
timetable-bell-day = Сокращённый день
timetable-bells-of-day = Звонки в этот день
bells-variant-short = сокращённые
bells-variant-regular = обычные
timetable-bell-day-hint = Для всей школы; сокращённое расписание звонков задаётся на странице звонков.
timetable-bell-day-button = Сохранить
timetable-worked-days = Рабочие субботы и праздники
timetable-done-changed = Урок изменён.
timetable-done-extra = Дополнительный урок добавлен.
timetable-done-bells = Звонки на день сохранены.
timetable-done-shift = Класс переведён в другую смену.
assessments-broken = Больше не проходит по правилам
assessments-moved = Процедура перенесена.
assessments-move = Перенести
assessments-lesson = урок
assessments-change-added = добавлена
assessments-change-removed = отменена
assessments-change-moved = перенесена
assessments-change-changed = изменена
assessments-state-draft = Черновик: не утверждён
assessments-state-approved = Утверждён, не опубликован
assessments-state-published = Опубликован для семей
assessments-version = Версия
assessments-approved-on = Утверждён
assessments-approved-by = Утвердил
assessments-published-at = Опубликован
assessments-basis = Основание
assessments-basis-hint = Приказ № … от …
assessments-note = Что изменено
assessments-unpublished = Школа ещё не опубликовала график оценочных процедур.
assessments-document = График как документ
assessments-pending = Изменения после последней утверждённой версии
assessments-approve = Утвердить
assessments-publish = Опубликовать для семей
assessments-approved = График утверждён.
assessments-published = График опубликован для семей.
assessments-group = Пишет
assessments-whole-class = Весь класс
assessments-same-work = Та же работа, что в параллели
assessments-own-work = Отдельная работа
