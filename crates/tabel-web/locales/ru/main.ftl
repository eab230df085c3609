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
admin-done-reset = Пароль изменён, сеансы пользователя завершены.
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
