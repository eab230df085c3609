# The personal file (личное дело) of a pupil who moves to another school.
personal-file-title = Личное дело
personal-file-hint = Для перевода в другую школу: PDF с кодом проверки и машиночитаемый файл, который другая школа с электронным журналом «Табель» загрузит в свою систему. Выдача записывается в журнал аудита.
personal-file-pdf = Личное дело (PDF)
personal-file-json = Файл для другой школы (JSON)
personal-file-code = Код
personal-file-school = Школа
personal-file-years = Годы
personal-file-issued = Выдано
personal-file-imported = Загружено
personal-file-shown = показано в учёте
personal-file-import = Загрузить личное дело из прежней школы
personal-file-import-hint = Файл JSON, выданный электронным журналом прежней школы (до 2 МБ). Годы из него появятся в учёте с пометкой школы и кода.
personal-file-import-submit = Загрузить
personal-file-too-large = Файл личного дела больше 2 МБ.
personal-file-malformed = Форму не удалось прочитать: выберите файл и отправьте ещё раз.
record-from-file = { $school } · личное дело { $code }
extracts-channel-personal_file = личное дело
