//! The documents as a reader sees them: rendered from the sample data, read back with poppler
//! (text, page count), page 1 kept as a PNG under `$CARGO_TARGET_DIR/pdf/`.

use tabel_reports::poppler::poppler;
use tabel_reports::{Renderer, sample};

#[test]
fn an_extract_for_a_class_has_a_page_per_pupil_with_cyrillic_text_marks_and_the_code() {
    let r = Renderer::embedded();
    let doc = sample::extract_doc(3);
    let pdf = r.extracts(&doc).unwrap();
    let Some(pp) = poppler() else { return };
    let text = pp.text(&pdf, "sample-extract-class").unwrap();
    for needle in [
        "ВЫПИСКА",
        "Средняя общеобразовательная школа",
        "Иванов Пётр Сергеевич",
        "Смирнова Анна Сергеевич",
        "Математика",
        "Физическая культура",
        "Контрольная работа",
        "Посещаемость",
        "Прогноз итоговых отметок",
        "Повторить действия с обыкновенными дробями",
        "Код проверки выписки: 7K3M-Q001",
        "/verify/7K3M-Q002",
        "Смирнова Е. В.",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    // The first pupil's marks in mathematics, in order, as printed.
    let math = &doc.pupils[0].subjects[2];
    let line = text.lines().find(|l| l.contains("Математика")).unwrap();
    assert!(line.contains(&math.average), "{line}");
    let marks: Vec<&str> = math.marks.iter().map(|m| m.value.as_str()).collect();
    let printed: Vec<&str> = line
        .split_whitespace()
        .filter(|w| marks.contains(w))
        .collect();
    assert!(printed.len() >= marks.len().min(3), "{line} vs {marks:?}");
    // Each pupil starts on a new page; one pupil fits on one or two pages.
    let pages = pp.pages(&pdf, "sample-extract-class").unwrap();
    assert!((3..=6).contains(&pages), "{pages} pages");
    let one = r.extracts(&sample::extract_doc(1)).unwrap();
    let single = pp.pages(&one, "sample-extract-one").unwrap();
    assert_eq!(pages, 3 * single, "pupils are not one page run each");
    let png = pp.first_page_png(&one, "sample-extract").unwrap();
    assert!(std::fs::metadata(png).unwrap().len() > 10_000);
}

#[test]
fn the_summary_sheet_shows_every_pupil_subject_and_slot() {
    let pdf = Renderer::embedded()
        .summary_sheet(&sample::summary_sheet_doc(30))
        .unwrap();
    let Some(pp) = poppler() else { return };
    let text = pp.text(&pdf, "sample-summary-sheet").unwrap();
    for needle in [
        "СВОДНАЯ ВЕДОМОСТЬ",
        "1-я четверть",
        "Годовая",
        "Новиков Ульяна",
        "выбыл 12.01.2027",
        "н/а",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    pp.first_page_png(&pdf, "sample-summary-sheet").unwrap();
}

#[test]
fn the_consent_form_names_the_parent_and_the_child() {
    let pdf = Renderer::embedded()
        .consent_form(&sample::consent_form_doc())
        .unwrap();
    let Some(pp) = poppler() else { return };
    let text = pp.text(&pdf, "sample-consent-form").unwrap();
    for needle in [
        "СОГЛАСИЕ",
        "Иванова Мария Петровна",
        "Иванов Пётр Сергеевич",
        "152-ФЗ",
        "Версия текста согласия: 2025-09",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    assert_eq!(pp.pages(&pdf, "sample-consent-form").unwrap(), 1);
    pp.first_page_png(&pdf, "sample-consent-form").unwrap();
}

#[test]
fn a_years_data_export_reads_as_rows_of_its_tables() {
    let doc = sample::data_export_year_doc(3);
    let pdf = Renderer::embedded().data_export(&doc).unwrap();
    let Some(pp) = poppler() else { return };
    let text = pp.text(&pdf, "sample-data-export-year").unwrap();
    let lines: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    // Every row of every table is on the page, its cells on one line and in column order
    // (the long recommendation text wraps inside its own column, so only its first word is
    // checked).
    let mut rows = 0;
    for s in &doc.sections {
        assert!(text.contains(&s.heading), "{:?}", s.heading);
        for r in &s.rows {
            let first: Vec<&str> = r
                .iter()
                .filter_map(|c| c.split_whitespace().next())
                .collect();
            assert!(
                lines.iter().any(|l| {
                    let mut at = 0;
                    first
                        .iter()
                        .all(|w| match l[at..].iter().position(|x| x == w) {
                            Some(i) => {
                                at += i + 1;
                                true
                            }
                            None => false,
                        })
                }),
                "row {r:?} is not a line of the PDF"
            );
            rows += 1;
        }
    }
    assert!(rows > 1_800, "{rows}");
    let pages = pp.pages(&pdf, "sample-data-export-year").unwrap();
    assert!((30..60).contains(&pages), "{pages} pages");
    pp.first_page_png(&pdf, "sample-data-export-year").unwrap();
}

#[test]
fn the_journal_archive_has_the_grid_topics_and_finals() {
    let pdf = Renderer::embedded()
        .journal_archive(&sample::journal_archive_doc(25))
        .unwrap();
    let Some(pp) = poppler() else { return };
    let text = pp.text(&pdf, "sample-journal-archive").unwrap();
    for needle in [
        "КЛАССНЫЙ ЖУРНАЛ",
        "Математика",
        "4-я четверть",
        "Тема урока № 40: действия с дробями",
        "замена: Орлова Т. Н.",
        "Итоговые отметки за год",
        "Отметки вне уроков",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    assert!(pp.pages(&pdf, "sample-journal-archive").unwrap() >= 8);
    pp.first_page_png(&pdf, "sample-journal-archive").unwrap();
}

/// Data is data: typst markup in a name (a function call, strong emphasis, maths, a label, a
/// comment, a heading marker, a raw block's backticks, a backslash) is printed as typed, not run or
/// formatted. The form prints the parent's name three times (the header, the statement, the
/// signature line); a wrapped one may interleave with the text beside it in the layout, so at
/// least two must read whole.
#[test]
fn typst_markup_in_the_data_is_printed_as_text() {
    let markup = r#"#panic("boom") *жирный* _курсив_ $x^2$ <метка> @ссылка // = `raw` \ конец"#;
    let mut doc = sample::consent_form_doc();
    doc.parent = markup.into();
    let pdf = Renderer::embedded().consent_form(&doc).unwrap();
    let Some(pp) = poppler() else { return };
    let text = pp.text(&pdf, "sample-consent-markup").unwrap();
    // The statement wraps its line: compare with runs of white space made one space.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let printed = flat.matches(markup).count();
    assert!(
        printed >= 2,
        "{markup:?} printed {printed} times in:\n{text}"
    );
}

/// The sheets are cut apart and handed to different people: each page holds its person's name,
/// login and password (and a parent's codes), and none of the other sheets' secrets.
#[test]
fn login_letters_have_a_page_per_person_with_only_their_own_secrets() {
    let doc = sample::login_letters_doc(3);
    let [pupil, parent, teacher] = &doc.letters[..] else {
        panic!("the sample has three letters: {:?}", doc.letters)
    };
    assert!(pupil.children.is_empty() && pupil.password.is_some());
    assert_eq!(parent.children.len(), 2);
    assert!(teacher.password.is_none());
    let secrets_of = |l: &tabel_reports::docs::LoginLetter| -> Vec<String> {
        l.password
            .iter()
            .cloned()
            .chain(l.children.iter().map(|c| c.code.clone()))
            .collect()
    };
    let all: Vec<String> = doc.letters.iter().flat_map(secrets_of).collect();
    let mut distinct = all.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        all.len(),
        "the sample's secrets repeat: {all:?}"
    );

    let pdf = Renderer::embedded().login_letters(&doc).unwrap();
    let Some(pp) = poppler() else { return };
    assert_eq!(pp.pages(&pdf, "sample-login-letters").unwrap(), 3);
    let pages = pp.page_texts(&pdf, "sample-login-letters").unwrap();
    assert_eq!(pages.len(), 3, "{pages:#?}");
    for (page, letter) in pages.iter().zip(&doc.letters) {
        let own = secrets_of(letter);
        let mut needles = vec![
            "Доступ к электронному дневнику",
            "Средняя общеобразовательная школа",
            "https://tabel.school.example/",
            "Выдано 07.12.2026. Храните письмо в тайне",
            &letter.name,
            &letter.role,
            &letter.login,
        ];
        needles.extend(own.iter().map(String::as_str));
        match &letter.password {
            Some(_) => needles.push("При первом входе система попросит сменить временный пароль."),
            None => needles.push("— (учётная запись уже есть, используйте свой пароль)"),
        }
        for c in &letter.children {
            needles.extend([c.name.as_str(), &c.class, &c.expires_on]);
        }
        if !letter.children.is_empty() {
            needles.push("введите код приглашения. Код действует один раз.");
        }
        for needle in needles {
            assert!(
                page.contains(needle),
                "{needle:?} not on {}'s page:\n{page}",
                letter.name
            );
        }
        for other in all.iter().filter(|s| !own.contains(s)) {
            assert!(
                !page.contains(other.as_str()),
                "{other:?} on {}'s page:\n{page}",
                letter.name
            );
        }
    }
    assert!(!pages[0].contains("Код приглашения") && !pages[2].contains("Код приглашения"));
    assert!(!pages[2].contains("сменить временный пароль"));
    pp.first_page_png(&pdf, "sample-login-letters").unwrap();
}

/// A password is typed from the paper character by character: typst markup in it (and in a
/// login or a name) comes out as written.
#[test]
fn typst_markup_in_a_login_letter_is_printed_as_typed() {
    let mut doc = sample::login_letters_doc(1);
    let password = r#"a*b_c$d#e\f`g<h>@i//j"#;
    doc.letters[0].password = Some(password.into());
    doc.letters[0].login = "#panic(\"boom\")".into();
    let pdf = Renderer::embedded().login_letters(&doc).unwrap();
    let Some(pp) = poppler() else { return };
    let text = pp.text(&pdf, "sample-login-letters-markup").unwrap();
    for needle in [password, "#panic(\"boom\")"] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}
