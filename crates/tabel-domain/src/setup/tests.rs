#![allow(clippy::unwrap_used)]
use super::*;
use proptest::prelude::*;
use time::macros::date;

const TODAY: Date = date!(2026 - 12 - 07);

fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split(';').map(str::to_owned).collect())
        .collect()
}

fn sheet(name: &str, text: &str) -> (String, Vec<Vec<String>>) {
    (name.to_owned(), rows(text))
}

#[test]
fn a_workbook_reads_each_list_under_a_title_and_in_any_column_order() {
    let (file, problems) = read_workbook(
        &[
            sheet(
                "Ученики",
                "Список учеников;;\n;;\nКласс;Фамилия;Имя;Отчество;Дата рождения;СНИЛС\n\
                 5а;Петров;Артём;Сергеевич;12.05.2015;112-233-445 95\n;;\n\
                 5Б;Ёлкина;Анна;Игоревна;2015-02-01;",
            ),
            sheet(
                "Classes",
                "Class;Shift;Class teacher\n5А;1;Иванова М. П.\n5Б;2;",
            ),
            sheet(
                "Расписание",
                "Класс;День;Урок;Предмет;Учитель;Кабинет\n5А;Пн;1;Математика;Иванова М.П.;21",
            ),
        ],
        TODAY,
    );
    assert!(problems.is_empty(), "{:?}", problems.list);
    assert_eq!(
        file.sheets,
        [SheetKind::Classes, SheetKind::Pupils, SheetKind::Timetable]
    );
    assert_eq!(file.pupils.len(), 2);
    let p = &file.pupils[0];
    assert_eq!(p.row, 4);
    assert_eq!(p.value.class.to_string(), "5А");
    assert_eq!(p.value.sex, Sex::Male);
    assert_eq!(p.value.snils.as_ref().unwrap().as_str(), "11223344595");
    assert_eq!(file.pupils[1].row, 6);
    assert_eq!(file.pupils[1].value.sex, Sex::Female);
    assert_eq!(file.classes[1].value.shift, 2);
    assert!(file.classes[1].value.class_teacher.is_none());
    assert_eq!(file.timetable[0].value.weekday, 1);
}

#[test]
fn groups_are_read_with_their_kind_classes_and_pupils() {
    let (file, problems) = read_workbook(
        &[
            sheet(
                "Группы",
                "Группа;Вид;Классы;Предмет\n\
                 5А англ. 1;;5А;Английский язык\n\
                 10 мат. (профиль);;10А, 10Б;Алгебра\n\
                 ИУП: Орлов И.;иуп;5А;\n\
                 5А англ. 2;подгруппа;5А, 5Б;Английский язык\n\
                 5А нем.;подгруппа;5А;\n\
                 9 физ.;поток;9А, 10А;Физика\n\
                 5А;класс;5А;Математика",
            ),
            sheet(
                "Ученики",
                "ФИО;Дата рождения;Класс;Группы\n\
                 Орлов Иван Ильич;20.10.2015;5А;5А англ. 1; ИУП: Орлов И.\n\
                 Петров Артём Сергеевич;12.05.2015;5А;",
            ),
            sheet(
                "Расписание",
                "Класс;День;Урок;Предмет;Учитель\n\
                 5А англ. 1;Пн;1;Английский язык;Волкова И. С.\n\
                 5A;Пн;2;Математика;Иванова М. П.",
            ),
        ],
        TODAY,
    );
    let g = &file.groups;
    assert_eq!(g.len(), 3);
    assert_eq!(g[0].value.kind, GroupKind::Subgroup);
    assert_eq!(
        g[1].value.kind,
        GroupKind::Stream,
        "several classes: a stream"
    );
    assert_eq!(g[1].value.classes.len(), 2);
    assert_eq!(g[2].value.kind, GroupKind::Individual);
    assert!(g[2].value.subject.is_none());
    let messages: Vec<String> = problems.list.iter().map(ToString::to_string).collect();
    for expected in [
        "«Группы», row 5, column «Классы»: a subgroup or an individual curriculum belongs to one class",
        "«Группы», row 6, column «Предмет»: a subgroup or a stream is for a subject: name it",
        "«Группы», row 7, column «Классы»: a stream draws from classes of one parallel",
        "«Группы», row 8, column «Вид»: a class goes to the sheet «Классы»",
        // What looks like a class is one: a Latin A is an error, not a group's name.
        "«Расписание», row 3, column «Класс»: «5A»:",
    ] {
        assert!(
            messages.iter().any(|m| m.starts_with(expected)),
            "{expected}\n{messages:#?}"
        );
    }
    assert_eq!(problems.list.len(), 5, "{messages:#?}");
    // The CSV-like fixture splits at every `;`: the pupil's second group is in the next cell,
    // so only the first is read here; a real cell holds both.
    let names: Vec<&str> = file.pupils[0]
        .value
        .groups
        .as_ref()
        .unwrap()
        .iter()
        .map(|t| t.as_str())
        .collect();
    assert_eq!(names, ["5А англ. 1"]);
    assert_eq!(
        file.pupils[1].value.groups,
        Some(Vec::new()),
        "empty: in no group"
    );
    assert_eq!(
        file.timetable[0].value.class,
        Target::Group(Title::parse("5А англ. 1").unwrap())
    );
}

#[test]
fn a_pupils_groups_are_split_at_semicolons_and_read_once_each() {
    let (file, problems) = read_workbook(
        &[(
            "Ученики".to_owned(),
            vec![
                vec![
                    "ФИО".to_owned(),
                    "Дата рождения".to_owned(),
                    "Класс".to_owned(),
                    "Группы".to_owned(),
                ],
                vec![
                    "Орлов Иван Ильич".to_owned(),
                    "20.10.2015".to_owned(),
                    "5А".to_owned(),
                    "5А англ. 1; ИУП: Орлов И.;\n5а  англ. 1 ; 5А англ. 1".to_owned(),
                ],
            ],
        )],
        TODAY,
    );
    assert!(problems.is_empty(), "{:?}", problems.list);
    let names: Vec<&str> = file.pupils[0]
        .value
        .groups
        .as_ref()
        .unwrap()
        .iter()
        .map(|t| t.as_str())
        .collect();
    assert_eq!(names, ["5А англ. 1", "ИУП: Орлов И."]);
    // Without the column the pupils' groups are left alone.
    let (file, _) = read_workbook(
        &[sheet(
            "Ученики",
            "ФИО;Дата рождения;Класс\nОрлов Иван Ильич;20.10.2015;5А",
        )],
        TODAY,
    );
    assert_eq!(file.pupils[0].value.groups, None);
}

#[test]
fn a_parents_phones_and_emails_need_the_document_they_come_from() {
    let (file, problems) = read_workbook(
        &[sheet(
            "Родители",
            "ФИО;Кем приходится;Номер ученика;Телефон;E-mail;Основание\n\
             Петрова Елена Викторовна;мать;101;8 (912) 345-67-89, +7 912 345 67 89;P@Example.ru;\
             заявление № 12 от 01.09.2026\n\
             Петров Сергей Иванович;отец;101;+7 912 000-00-00;;\n\
             Петров Сергей Иванович;отец;102;12345;;заявление № 13\n\
             Сидорова Анна Петровна;мать;103;;;",
        )],
        TODAY,
    );
    let p = &file.parents[0].value;
    // The same number typed twice is one contact; the address is kept in lower case.
    let values: Vec<&str> = p.contacts.iter().map(ContactValue::as_str).collect();
    assert_eq!(values, ["+79123456789", "p@example.ru"]);
    assert_eq!(p.basis.as_deref(), Some("заявление № 12 от 01.09.2026"));
    assert!(file.parents[1].value.contacts.is_empty());
    assert_eq!(file.parents[1].value.basis, None);
    let messages: Vec<String> = problems.list.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(messages[0].starts_with("«Родители», row 3, column «Основание»: name the document"));
    assert!(messages[1].starts_with("«Родители», row 4, column «Телефон»: «12345»"));
}

#[test]
fn a_full_name_in_one_column_is_split() {
    let (file, problems) = read_workbook(
        &[sheet(
            "Родители",
            "ФИО;Кем приходится;Номер ученика\nПетрова Елена Викторовна;мать;2019-045",
        )],
        TODAY,
    );
    assert!(problems.is_empty(), "{:?}", problems.list);
    let p = &file.parents[0].value;
    assert_eq!(p.name.full(), "Петрова Елена Викторовна");
    assert_eq!(p.sex, Sex::Female);
    assert_eq!(p.child, ChildRef::Number("2019-045".into()));
}

#[test]
fn every_problem_names_the_sheet_the_row_and_the_column_as_the_file_heads_it() {
    let (file, problems) = read_workbook(
        &[sheet(
            "pupils",
            "Surname;First name;Birth date;Class;Sex\n\
             Petrov;Artyom;12.05.2015;5А;m\n\
             Ivanova;Anna;01.01.2030;5А;f\n\
             Sidorov;Ivan;01.01.2015;13Б;m\n\
             Kuznetsova;Olga;01.01.2015;5А;\n\
             Petrov;Artyom;12.05.2015;5Б;m",
        )],
        TODAY,
    );
    assert_eq!(file.pupils.len(), 2);
    let shown: Vec<String> = problems.list.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "«Ученики», row 3, column «Birth date»: the birth date 01.01.2030 is in the future",
            "«Ученики», row 4, column «Class»: «13Б»: the grade must be from 1 to 11",
            "«Ученики», row 5, column «Sex»: must say м or ж (the patronymic does not tell)",
            "«Ученики», row 6: the same pupil (name and birth date) as row 2",
        ]
    );
}

#[test]
fn a_sheet_without_its_columns_or_with_an_unknown_name_is_named() {
    let (_, problems) = read_workbook(
        &[
            sheet("Ученики", "Фамилия;Имя\nПетров;Артём"),
            sheet("Оценки", "Что-то\n1"),
            sheet("Лист3", ""),
        ],
        TODAY,
    );
    assert_eq!(problems.list.len(), 2);
    assert!(problems.list[0].message.contains("«Дата рождения»"));
    assert_eq!(problems.list[1].sheet, "Оценки");
}

#[test]
fn csv_files_are_named_by_their_file_names_in_either_encoding() {
    let utf8 = "\u{FEFF}Предмет;Сокращение\nМатематика;Матем.\n"
        .as_bytes()
        .to_vec();
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode("Класс,Смена\n5А,1\n");
    let (file, problems) = read_csv_files(
        &[
            ("subjects.csv".into(), csv(&utf8)),
            ("Классы.csv".into(), csv(&cp1251)),
        ],
        TODAY,
    );
    assert!(problems.is_empty(), "{:?}", problems.list);
    assert_eq!(file.subjects[0].value.short_name, "Матем.");
    assert_eq!(file.classes[0].value.name.to_string(), "5А");
}

#[test]
fn a_csv_of_an_unknown_list_is_named_by_its_file() {
    let (_, problems) = read_csv_files(&[("marks.csv".into(), csv(b"a;b"))], TODAY);
    assert_eq!(problems.list[0].sheet, "marks.csv");
    assert_eq!(list_title("marks.csv"), "marks.csv");
    assert_eq!(list_title("pupils.csv"), "Ученики");
}

/// The rows of CSV bytes as the upload's reader reads them.
fn csv(bytes: &[u8]) -> Vec<Vec<String>> {
    crate::table::read_csv(bytes, &CAPS).unwrap()
}

#[test]
fn the_template_headings_are_read_back_in_both_languages() {
    for kind in SheetKind::ALL {
        for english in [false, true] {
            let heads: Vec<String> = kind
                .columns()
                .iter()
                .map(|c| {
                    if english {
                        c.col.english().to_owned()
                    } else {
                        c.col.heading().to_owned()
                    }
                })
                .collect();
            let examples: Vec<String> = kind
                .columns()
                .iter()
                .map(|c| c.example.to_owned())
                .collect();
            let name = if english { kind.code() } else { kind.title() };
            let (file, problems) = read_workbook(&[(name.into(), vec![heads, examples])], TODAY);
            assert!(
                problems.is_empty(),
                "{kind:?} {english}: {:?}",
                problems.list
            );
            assert_eq!(file.sheets, [kind]);
        }
    }
}

proptest! {
    #[test]
    fn no_sheet_makes_the_reader_panic(
        cells in proptest::collection::vec(
            proptest::collection::vec("[А-Яа-я0-9 .;,-]{0,12}|Фамилия|Имя|Класс|Дата рождения", 0..8),
            0..12,
        ),
        kind in 0usize..8,
    ) {
        let name = SheetKind::ALL[kind].title().to_owned();
        let _ = read_workbook(&[(name, cells)], TODAY);
    }

    #[test]
    fn no_bytes_make_the_csv_reader_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(rows) = crate::table::read_csv(&bytes, &CAPS) {
            let _ = read_csv_files(&[("pupils.csv".into(), rows)], TODAY);
        }
    }
}
