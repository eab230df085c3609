//! Realistic sample documents: for the tests and benchmarks of this crate, and for anyone
//! writing an override of a template (render these to see it). Deterministic.

use crate::docs::*;

const SUBJECTS: [&str; 12] = [
    "Русский язык",
    "Литература",
    "Математика",
    "Английский язык",
    "История",
    "Обществознание",
    "География",
    "Биология",
    "Информатика",
    "Музыка",
    "Технология",
    "Физическая культура",
];

const SURNAMES: [&str; 10] = [
    "Иванов",
    "Смирнова",
    "Кузнецов",
    "Попова",
    "Васильев",
    "Петрова",
    "Соколов",
    "Михайлова",
    "Новиков",
    "Фёдорова",
];

const NAMES: [&str; 10] = [
    "Пётр",
    "Анна",
    "Илья",
    "Дарья",
    "Егор",
    "Софья",
    "Артём",
    "Алиса",
    "Максим",
    "Ульяна",
];

fn school() -> SchoolHeader {
    SchoolHeader {
        name: "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 7»".into(),
        municipality: "Городской округ Заречный".into(),
        region: "Свердловская область".into(),
    }
}

fn signer() -> Signer {
    Signer {
        title: "Классный руководитель".into(),
        name: "Смирнова Е. В.".into(),
    }
}

/// A pseudo-random but fixed sequence (no dependency for a sample).
fn pick(seed: usize, n: usize) -> usize {
    (seed.wrapping_mul(2_654_435_761) >> 7) % n
}

/// The `i`-th pupil's name.
pub fn pupil_name(i: usize) -> String {
    format!(
        "{} {}",
        SURNAMES[i % SURNAMES.len()],
        NAMES[(i / SURNAMES.len() + i) % NAMES.len()]
    )
}

/// One pupil's extract for a quarter: twelve subjects with 4–9 marks each, finals, forecast,
/// recommendations and homework.
pub fn extract_pupil(i: usize) -> ExtractPupil {
    let works = [
        ("КР", "Контрольная работа", "5"),
        ("СР", "Самостоятельная работа", "3"),
        ("ОУ", "Ответ на уроке", "2"),
        ("ДР", "Домашняя работа", "1"),
    ];
    let subjects: Vec<ExtractSubject> = SUBJECTS
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let n = 4 + pick(i * 31 + k, 6);
            let marks: Vec<MarkLine> = (0..n)
                .map(|m| MarkLine {
                    date: format!("{:02}.{:02}", 5 + m * 6 % 24, 11 + (m * 6 + 5) / 30),
                    value: ["5", "4", "4", "3", "5", "2", "4/5"][pick(i + k * 7 + m, 7)].into(),
                    work: works[pick(i + m + k, 4)].0.into(),
                })
                .collect();
            ExtractSubject {
                name: (*name).into(),
                marks,
                average: format!("4,{:02}", pick(i + k, 100)),
                lessons: 16 + u32::try_from(pick(k, 20)).unwrap_or(0),
                missed: u32::try_from(pick(i + k, 4)).unwrap_or(0),
            }
        })
        .collect();
    ExtractPupil {
        student: format!("{} Сергеевич", pupil_name(i)),
        birth_date: format!("{:02}.03.2015", 1 + i % 28),
        class_name: "5А".into(),
        class_teacher: "Смирнова Елена Викторовна".into(),
        year: "2026/2027".into(),
        period: "2-ю четверть (04.11.2026 — 28.12.2026)".into(),
        work_types: works
            .iter()
            .map(|(s, n, w)| WorkTypeLegend {
                short: (*s).into(),
                name: (*n).into(),
                weight: (*w).into(),
            })
            .collect(),
        attendance: AttendanceLine {
            lessons: 168,
            missed: 7,
            ill: 5,
            excused: 1,
            unexcused: 1,
            late: 2,
        },
        final_columns: vec![
            "1 ч.".into(),
            "2 ч.".into(),
            "3 ч.".into(),
            "4 ч.".into(),
            "Год".into(),
        ],
        finals: SUBJECTS
            .iter()
            .take(8)
            .enumerate()
            .map(|(k, s)| FinalLine {
                subject: (*s).into(),
                cells: vec![
                    ["5", "4", "3", "4"][pick(i + k, 4)].into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
            })
            .collect(),
        forecast_period: "2-я четверть".into(),
        forecast: SUBJECTS
            .iter()
            .enumerate()
            .map(|(k, s)| ForecastLine {
                subject: (*s).into(),
                average: format!("4,{:02}", pick(i + k, 100)),
                projected: ["5", "4", "3", "н/а"][pick(i * 3 + k, 4)].into(),
                confidence: ["устойчив", "вероятен", "неустойчив"][pick(k, 3)].into(),
                note: if k % 3 == 0 {
                    "для «5» нужно 2 отметки «5» (КР)".into()
                } else {
                    String::new()
                },
            })
            .collect(),
        recommendations: vec![RecommendationLine {
            date: "20.11.2026".into(),
            subject: "Математика".into(),
            teacher: "Орлова Т. Н.".into(),
            text: "Повторить действия с обыкновенными дробями; решить № 412–418 из учебника."
                .into(),
        }],
        homework: Some(vec![
            HomeworkLine {
                due: "24.11".into(),
                subject: "Русский язык".into(),
                text: "Упр. 214, выучить правило на с. 96.".into(),
            },
            HomeworkLine {
                due: "25.11".into(),
                subject: "История".into(),
                text: "§ 12, вопросы 1–4 устно.".into(),
            },
        ]),
        issued_on: "28.11.2026".into(),
        signer: signer(),
        code: format!("7K3M-Q{:03}", i % 1000),
        verify_path: format!("/verify/7K3M-Q{:03}", i % 1000),
        subjects,
    }
}

/// Extracts for `n` pupils in one document.
pub fn extract_doc(n: usize) -> ExtractDoc {
    ExtractDoc {
        school: school(),
        pupils: (0..n).map(extract_pupil).collect(),
    }
}

/// The summary sheet of a class of `n` pupils: four quarters and the year.
pub fn summary_sheet_doc(n: usize) -> SummarySheetDoc {
    let titles = [
        "1-я четверть",
        "2-я четверть",
        "3-я четверть",
        "4-я четверть",
        "Годовая",
    ];
    SummarySheetDoc {
        school: school(),
        class_name: "5А".into(),
        year: "2026/2027".into(),
        class_teacher: "Смирнова Елена Викторовна".into(),
        subjects: SUBJECTS.iter().map(|s| (*s).into()).collect(),
        pupils: (0..n)
            .map(|i| SummaryPupil {
                number: (i + 1).to_string(),
                name: pupil_name(i),
                note: if i == 3 {
                    "выбыл 12.01.2027".into()
                } else {
                    String::new()
                },
            })
            .collect(),
        sections: titles
            .iter()
            .enumerate()
            .map(|(t, title)| SummarySection {
                title: (*title).into(),
                cells: (0..n)
                    .map(|i| {
                        SUBJECTS
                            .iter()
                            .enumerate()
                            .map(|(k, _)| {
                                ["5", "4", "4", "3", "н/а", "осв."][pick(i + k + t, 6)].into()
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect(),
        issued_on: "28.11.2026".into(),
        signer: signer(),
    }
}

/// A consent form.
pub fn consent_form_doc() -> ConsentFormDoc {
    ConsentFormDoc {
        school: school(),
        parent: "Иванова Мария Петровна".into(),
        student: "Иванов Пётр Сергеевич".into(),
        birth_date: "12.03.2015".into(),
        class_name: "5А".into(),
        text_version: "2025-09".into(),
        printed_on: "28.11.2026".into(),
    }
}

/// A journal of `n` pupils for a year of four quarters, ~5 lessons a week.
pub fn journal_archive_doc(n: usize) -> JournalArchiveDoc {
    let periods = (0..4)
        .map(|q| {
            let lessons = 40;
            let dates: Vec<String> = (0..lessons)
                .map(|d| format!("{:02}.{:02}", 1 + d % 28, 9 + q * 2 + d / 28))
                .collect();
            ArchivePeriod {
                title: format!("{}-я четверть", q + 1),
                cells: (0..n)
                    .map(|i| {
                        (0..lessons)
                            .map(|d| {
                                ["", "", "5", "", "4", "Н", "", "3", "", "Б"]
                                    [pick(i * 7 + d + q, 10)]
                                .into()
                            })
                            .collect()
                    })
                    .collect(),
                other_marks: (0..n)
                    .map(|i| {
                        if i == 2 {
                            "5 (12.10)".into()
                        } else {
                            String::new()
                        }
                    })
                    .collect(),
                averages: (0..n)
                    .map(|i| format!("4,{:02}", pick(i + q, 100)))
                    .collect(),
                finals: (0..n)
                    .map(|i| ["5", "4", "3"][pick(i + q, 3)].into())
                    .collect(),
                lessons: dates
                    .iter()
                    .enumerate()
                    .map(|(d, date)| ArchiveLesson {
                        date: date.clone(),
                        number: (1 + d % 5).to_string(),
                        topic: format!("Тема урока № {}: действия с дробями", d + 1),
                        homework: if d % 2 == 0 {
                            format!("№ {}–{}", 100 + d, 104 + d)
                        } else {
                            String::new()
                        },
                        note: if d == 7 {
                            "замена: Орлова Т. Н.".into()
                        } else {
                            String::new()
                        },
                    })
                    .collect(),
                dates,
            }
        })
        .collect();
    JournalArchiveDoc {
        school: school(),
        class_name: "5А".into(),
        group_name: "5А".into(),
        subject: "Математика".into(),
        teachers: "Орлова Татьяна Николаевна".into(),
        year: "2026/2027".into(),
        pupils: (0..n)
            .map(|i| SummaryPupil {
                number: (i + 1).to_string(),
                name: pupil_name(i),
                note: String::new(),
            })
            .collect(),
        periods,
        final_columns: vec!["Год".into(), "Экзамен".into(), "Итоговая".into()],
        finals: (0..n)
            .map(|i| {
                vec![
                    ["5", "4", "3"][pick(i, 3)].into(),
                    String::new(),
                    String::new(),
                ]
            })
            .collect(),
        printed_on: "28.11.2026".into(),
        signer: Signer {
            title: "Заместитель директора".into(),
            name: "Кузнецова О. А.".into(),
        },
    }
}

/// A one-time password or an invitation code's half: letters and digits that cannot be
/// mistaken for each other on paper (no O/0, I/l/1).
fn secret(seed: usize, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    (0..len)
        .map(|k| char::from(ALPHABET[pick(seed * 7919 + k * 104_729 + 17, ALPHABET.len())]))
        .collect()
}

/// The `i`-th login letter, by turns: a pupil, a parent of two children, a teacher who
/// already has an account (no password).
pub fn login_letter(i: usize) -> LoginLetter {
    let child = |k: usize| LetterChild {
        name: format!("{} Сергеевич", pupil_name(i + k)),
        class: ["5А", "2Б"][k % 2].into(),
        code: format!("{}-{}", secret(i * 5 + k, 4), secret(i * 5 + k + 100, 4)),
        expires_on: "21.12.2026".into(),
    };
    match i % 3 {
        0 => LoginLetter {
            name: format!("{} Сергеевич", pupil_name(i)),
            role: "Ученик 5А".into(),
            login: format!("pupil{i:03}"),
            password: Some(secret(i, 10)),
            children: Vec::new(),
        },
        1 => LoginLetter {
            name: "Иванова Мария Петровна".into(),
            role: "Родитель".into(),
            login: format!("ivanova.mp{i}"),
            password: Some(secret(i, 10)),
            children: vec![child(0), child(1)],
        },
        _ => LoginLetter {
            name: "Орлова Татьяна Николаевна".into(),
            role: "Учитель".into(),
            login: format!("orlova.tn{i}"),
            password: None,
            children: Vec::new(),
        },
    }
}

/// Login letters for `n` people (see [`login_letter`]).
pub fn login_letters_doc(n: usize) -> LoginLettersDoc {
    LoginLettersDoc {
        school: school(),
        address: "https://tabel.school.example/".into(),
        issued_on: "07.12.2026".into(),
        letters: (0..n).map(login_letter).collect(),
    }
}

/// A data export of a parent with one child.
pub fn data_export_doc() -> DataExportDoc {
    DataExportDoc {
        holder: "Петрова Мария Андреевна".into(),
        made_at: "28.11.2026 14:05".into(),
        sections: vec![
            ExportSection {
                heading: "Учётная запись".into(),
                lines: vec!["Логин: parent".into(), "Язык: ru".into()],
                columns: Vec::new(),
                rows: Vec::new(),
            },
            ExportSection {
                heading: "Отметки: Петров Иван Сергеевич".into(),
                lines: Vec::new(),
                columns: vec!["Дата".into(), "Предмет".into(), "Отметка".into()],
                rows: vec![vec!["23.11.2026".into(), "Математика".into(), "5".into()]],
            },
        ],
    }
}

/// A personal file of a pupil with two years: marks of four quarters, an exam result, a debt.
pub fn personal_file_doc() -> PersonalFileDoc {
    let year = |label: &str, grade: u8, class: &str| {
        PersonalFileYear {
        label: label.into(),
        grade: format!("{grade} класс"),
        classes: vec![format!("{class} класс, МБОУ СОШ № 7 (01.09.2025 – 26.05.2026)")],
        columns: [
            "Предмет",
            "1 четверть",
            "2 четверть",
            "3 четверть",
            "4 четверть",
            "Год",
            "Экзамен",
            "Итоговая",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: ["Русский язык", "Литература", "Математика", "Окружающий мир"]
            .iter()
            .map(|s| {
                let mut row = vec![(*s).to_owned()];
                row.extend(["5", "4", "5", "5", "5", "", ""].map(str::to_owned));
                row
            })
            .collect(),
        attendance: "Пропущено уроков: 12, из них по уважительной причине: 10; опозданий: 3"
            .into(),
        lines: vec![
            "ВПР по предмету «Математика» (21.04.2026): 5, первичный балл 17".into(),
            "Академическая задолженность по предмету «Математика» (годовая отметка) с 28.05.2026, ликвидировать до 27.05.2027; пересдачи: 1) 15.06.2026: 2; 2) 18.09.2026: 3; итог: 3".into(),
        ],
    }
    };
    PersonalFileDoc {
        school: school(),
        pupil: "Петров Иван Сергеевич".into(),
        birth_date: "01.03.2016".into(),
        code: "7K3M-Q9XD".into(),
        sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        issued_on: "28.11.2026".into(),
        signer: Signer {
            title: "Заместитель директора".into(),
            name: "Сидорова А. В.".into(),
        },
        years: vec![year("2024/2025", 3, "3А"), year("2025/2026", 4, "4А")],
    }
}

/// A parent's data export at the end of a school year (the size issue 17 budgets): two children
/// with about 470 and 420 marks, 600 and 500 homework lines, 60 and 36 final marks, absences,
/// recommendations, and the notifications sent — about 1,900 table rows. `seed` varies the text,
/// so that a renderer's layout memo does not hide the cost.
pub fn data_export_year_doc(seed: usize) -> DataExportDoc {
    let mut sections = vec![ExportSection {
        heading: "Учётная запись".into(),
        lines: vec![
            "Логин: parent".into(),
            "Язык: ru".into(),
            format!("Создана: 01.09.2026 08:{:02}", seed % 60),
        ],
        columns: Vec::new(),
        rows: Vec::new(),
    }];
    let table = |heading: String, columns: &[&str], rows: Vec<Vec<String>>| ExportSection {
        heading,
        lines: Vec::new(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        rows,
    };
    let day = |n: usize| {
        format!(
            "{:02}.{:02}.202{}",
            1 + n % 28,
            1 + (n / 28) % 12,
            6 + n % 2
        )
    };
    for (child, (marks, homework, finals)) in
        [(470, 600, 60), (420, 500, 36)].into_iter().enumerate()
    {
        let name = pupil_name(seed * 2 + child);
        let k = seed * 7919 + child * 104_729;
        sections.push(table(
            format!("Отметки: {name}"),
            &["Дата", "Предмет", "Отметка", "Вид работы", "Комментарий"],
            (0..marks)
                .map(|i| {
                    vec![
                        day(k + i),
                        SUBJECTS[pick(k + i, SUBJECTS.len())].into(),
                        ["5", "4", "3", "2", "4/5"][pick(k + i * 3, 5)].into(),
                        [
                            "Ответ на уроке",
                            "Контрольная работа",
                            "Самостоятельная работа",
                            "Домашняя работа",
                        ][pick(k + i * 5, 4)]
                        .into(),
                        if i % 9 == 0 {
                            format!("Ошибки в задаче № {}", 10 + (k + i) % 90)
                        } else {
                            String::new()
                        },
                    ]
                })
                .collect(),
        ));
        sections.push(table(
            format!("Посещаемость: {name}"),
            &["Дата", "Урок", "Предмет", "Отметка", "Причина"],
            (0..45)
                .map(|i| {
                    vec![
                        day(k + i * 11),
                        (1 + (k + i) % 6).to_string(),
                        SUBJECTS[pick(k + i * 13, SUBJECTS.len())].into(),
                        ["Н", "Б", "У", "ОП"][pick(k + i, 4)].into(),
                        if i % 3 == 0 {
                            "Справка".into()
                        } else {
                            String::new()
                        },
                    ]
                })
                .collect(),
        ));
        sections.push(table(
            format!("Итоговые отметки: {name}"),
            &["Предмет", "Период", "Отметка", "Выставлена"],
            (0..finals)
                .map(|i| {
                    vec![
                        SUBJECTS[i % SUBJECTS.len()].into(),
                        format!("{} четверть", 1 + i / SUBJECTS.len()),
                        ["5", "4", "3"][pick(k + i, 3)].into(),
                        format!("{} 12:{:02}", day(k + i * 17), (k + i) % 60),
                    ]
                })
                .collect(),
        ));
        sections.push(table(
            format!("Домашние задания: {name}"),
            &["Урок", "Предмет", "Задание", "Срок"],
            (0..homework)
                .map(|i| {
                    let n = 20 + (k + i * 7) % 900;
                    vec![
                        day(k + i),
                        SUBJECTS[pick(k + i * 7, SUBJECTS.len())].into(),
                        match i % 4 {
                            0 => format!("§ {}, упр. {n}–{}", 1 + i / 3 % 40, n + 2),
                            1 => format!("№ {n}, {}, {}", n + 2, n + 5),
                            2 => format!(
                                "Прочитать с. {}–{}, ответить на вопросы",
                                n % 140,
                                n % 140 + 8
                            ),
                            _ => format!("SB p. {}, ex. {}; WB p. {}", n % 120, 1 + n % 7, n % 60),
                        },
                        day(k + i + 2),
                    ]
                })
                .collect(),
        ));
        sections.push(table(
            format!("Рекомендации учителей: {name}"),
            &["Когда", "Учитель", "Предмет", "Текст"],
            (0..8)
                .map(|i| {
                    vec![
                        format!("{} 15:{:02}", day(k + i * 23), i * 7),
                        pupil_name(k + i + 500),
                        SUBJECTS[pick(k + i, SUBJECTS.len())].into(),
                        "Повторить правила правописания безударных гласных и решить дополнительные задачи из сборника"
                            .into(),
                    ]
                })
                .collect(),
        ));
    }
    sections.push(table(
        "Уведомления, отправленные вам".into(),
        &["Когда", "Канал", "Тема", "Состояние"],
        (0..90)
            .map(|i| {
                vec![
                    format!("{} 18:{:02}", day(seed + i * 3), i % 60),
                    ["e-mail", "SMS"][i % 2].into(),
                    format!("Новые отметки за {}", day(seed + i * 3)),
                    "доставлено".into(),
                ]
            })
            .collect(),
    ));
    DataExportDoc {
        holder: pupil_name(seed + 1000),
        made_at: format!("25.05.2027 14:{:02}", seed % 60),
        sections,
    }
}

/// A class's statistics of a year.
pub fn statistics_doc() -> StatisticsDoc {
    StatisticsDoc {
        school: "МБОУ «Школа № 1»".into(),
        year: "2026/2027".into(),
        scope: "класс 5А".into(),
        made_at: "31.05.2027".into(),
        tables: vec![ExportSection {
            heading: "Успеваемость".into(),
            lines: vec!["5А, 2026/2027 учебный год".into()],
            columns: vec![
                "Предмет".into(),
                "% успеваемости".into(),
                "% качества".into(),
            ],
            rows: vec![vec!["Математика".into(), "100".into(), "64".into()]],
        }],
    }
}
