//! The results file parser: the header row found among title rows, columns by their headings,
//! every row read into an [`ExamRow`] or an error naming its row and column.

use super::kinds::whole;
use super::{ExamKind, ExamMark, parse_date};
use crate::table::{self, CellError};
use time::Date;

/// The most result rows one file may have (a large school's ВПР of a year is a few thousand).
pub const MAX_ROWS: usize = 5000;
/// The longest subject name kept, in characters.
pub const MAX_SUBJECT: usize = 100;

/// Header rows are looked for among the first this many non-blank rows.
const HEADER_SEARCH: usize = 15;
/// Errors reported at most.
pub(super) const MAX_ERRORS: usize = 20;

/// A pupil as a row names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PupilRef {
    /// Surname.
    pub last: String,
    /// Given name.
    pub first: String,
    /// Patronymic, if written.
    pub middle: Option<String>,
    /// Class as written (`9А`, `9 а`), if the file has the column.
    pub class: Option<String>,
    /// Birth date, if the file has the column.
    pub birth_date: Option<Date>,
}

impl PupilRef {
    /// "Петров Иван Сергеевич".
    pub fn name(&self) -> String {
        match &self.middle {
            Some(m) => format!("{} {} {m}", self.last, self.first),
            None => format!("{} {}", self.last, self.first),
        }
    }
}

/// One result row of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamRow {
    /// The row of the file (from 1, title and header rows included).
    pub row: usize,
    /// Whose.
    pub pupil: PupilRef,
    /// The subject as written (or the kind's default).
    pub subject: String,
    /// When the exam was taken, if the file says.
    pub taken_on: Option<Date>,
    /// The primary score, if the file gives it.
    pub score: Option<u16>,
    /// The result.
    pub mark: ExamMark,
}

/// A file read: its rows, and how it headed the columns errors point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedExams {
    /// Which exam.
    pub kind: ExamKind,
    /// Result rows in file order.
    pub rows: Vec<ExamRow>,
    /// The column naming the pupil (`ФИО` or `Фамилия`).
    pub name_column: String,
    /// The class column, if any.
    pub class_column: Option<String>,
    /// The birth-date column, if any.
    pub birth_column: Option<String>,
    /// The subject column (`Предмет` when the file has none).
    pub subject_column: String,
    /// The date column (`Дата` when the file has none).
    pub date_column: String,
}

/// Why a file was refused: every problem found (up to twenty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the exam results have errors: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct ExamErrors(pub Vec<CellError>);

impl ExamErrors {
    fn whole(message: impl Into<String>) -> ExamErrors {
        ExamErrors(vec![CellError::whole(message)])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Col {
    FullName,
    Last,
    First,
    Middle,
    Class,
    Birth,
    Subject,
    Date,
    Score,
    TestScore,
    Mark,
}

impl Col {
    pub(super) fn default_name(self) -> &'static str {
        match self {
            Col::FullName => "ФИО",
            Col::Last => "Фамилия",
            Col::First => "Имя",
            Col::Middle => "Отчество",
            Col::Class => "Класс",
            Col::Birth => "Дата рождения",
            Col::Subject => "Предмет",
            Col::Date => "Дата",
            Col::Score => "Первичный балл",
            Col::TestScore => "Тестовый балл",
            Col::Mark => "Отметка",
        }
    }
}

/// What a heading names, if it is one of ours.
fn heading(raw: &str) -> Option<Col> {
    let h = table::heading_key(raw);
    let h = h.as_str();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| h.starts_with(p));
    if matches!(
        h,
        "фио"
            | "ф и о"
            | "ученик"
            | "обучающийся"
            | "участник"
            | "учащийся"
            | "full name"
            | "name"
            | "student"
            | "pupil"
    ) || starts(&["фамилия имя", "фамилия, имя", "фио ", "ф и о "])
    {
        Some(Col::FullName)
    } else if matches!(h, "фамилия" | "last name" | "surname" | "family name") {
        Some(Col::Last)
    } else if matches!(h, "имя" | "first name" | "given name") {
        Some(Col::First)
    } else if matches!(h, "отчество" | "middle name" | "patronymic") {
        Some(Col::Middle)
    } else if starts(&["дата рождения", "birth", "date of birth"]) || h == "др" {
        Some(Col::Birth)
    } else if starts(&["класс", "class"]) {
        Some(Col::Class)
    } else if starts(&["предмет", "учебный предмет", "subject"]) {
        Some(Col::Subject)
    } else if starts(&["дата", "date"]) {
        Some(Col::Date)
    } else if starts(&["тестовый балл", "test score", "балл егэ"]) {
        Some(Col::TestScore)
    } else if starts(&[
        "первичный балл",
        "перв балл",
        "балл",
        "баллы",
        "сумма баллов",
        "primary score",
        "score",
    ]) {
        Some(Col::Score)
    } else if starts(&["отметка", "оценка", "mark", "результат", "result", "зачет"])
    {
        Some(Col::Mark)
    } else {
        None
    }
}

/// Where each column is and what the file calls it.
#[derive(Debug)]
struct Layout {
    cols: Vec<(Col, usize, String)>,
}

impl Layout {
    /// The layout a row gives, if it is a header: it names the pupil and a result.
    fn from_header(cells: &[String]) -> Option<Layout> {
        let mut cols: Vec<(Col, usize, String)> = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            if let Some(c) = heading(cell)
                && !cols.iter().any(|(k, _, _)| *k == c)
            {
                cols.push((c, i, cell.trim().to_owned()));
            }
        }
        let l = Layout { cols };
        let pupil = l.has(Col::FullName) || (l.has(Col::Last) && l.has(Col::First));
        let result = l.has(Col::Mark) || l.has(Col::TestScore) || l.has(Col::Score);
        (pupil && result).then_some(l)
    }

    fn has(&self, c: Col) -> bool {
        self.cols.iter().any(|(k, _, _)| *k == c)
    }

    fn index(&self, c: Col) -> Option<usize> {
        self.cols
            .iter()
            .find(|(k, _, _)| *k == c)
            .map(|(_, i, _)| *i)
    }

    fn name(&self, c: Col) -> String {
        self.cols
            .iter()
            .find(|(k, _, _)| *k == c)
            .map_or_else(|| c.default_name().to_owned(), |(_, _, n)| n.clone())
    }
}

/// Splits «Петров Иван Сергеевич» into surname, given name and the rest.
pub(super) fn split_full_name(raw: &str) -> Option<(String, String, Option<String>)> {
    let mut words = raw.split_whitespace();
    let last = words.next()?.to_owned();
    let first = words.next()?.to_owned();
    let rest: Vec<&str> = words.collect();
    Some((last, first, (!rest.is_empty()).then(|| rest.join(" "))))
}

/// Reads exam results from a table's rows (each a list of cell texts). All or nothing: any
/// error refuses the whole.
pub fn parse_rows<I>(kind: ExamKind, rows: I) -> Result<ParsedExams, ExamErrors>
where
    I: IntoIterator<Item = Vec<String>>,
{
    let mut layout: Option<Layout> = None;
    let mut seen = 0usize;
    let mut out: Vec<ExamRow> = Vec::new();
    let mut errors: Vec<CellError> = Vec::new();
    for (index, cells) in rows.into_iter().enumerate() {
        let row = index + 1;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let Some(l) = &layout else {
            // Title rows ("Результаты ВПР, 5 класс…") come before the header.
            seen += 1;
            layout = Layout::from_header(&cells);
            if layout.is_none() && seen >= HEADER_SEARCH {
                break;
            }
            continue;
        };
        if out.len() == MAX_ROWS {
            errors.push(CellError::whole(format!(
                "a file has at most {MAX_ROWS} result rows"
            )));
            break;
        }
        if let Some(r) = parse_row(kind, l, row, &cells, &mut errors) {
            out.push(r);
        }
        if errors.len() >= MAX_ERRORS {
            break;
        }
    }
    let Some(l) = layout else {
        return Err(ExamErrors::whole(
            "no header row: the first rows must name the columns «ФИО» (or «Фамилия» and «Имя»), \
             «Предмет», «Дата», «Первичный балл» and «Отметка»",
        ));
    };
    let result = result_column(kind, &l);
    if !l.has(result) {
        return Err(ExamErrors::whole(format!(
            "no «{}» column: each row needs {}",
            result.default_name(),
            kind.result_hint()
        )));
    }
    if kind.default_subject().is_none() && !l.has(Col::Subject) {
        return Err(ExamErrors::whole(
            "no «Предмет» column: each row needs the subject",
        ));
    }
    if !errors.is_empty() {
        return Err(ExamErrors(errors));
    }
    if out.is_empty() {
        return Err(ExamErrors::whole("the file has no result rows"));
    }
    Ok(ParsedExams {
        kind,
        rows: out,
        name_column: if l.has(Col::FullName) {
            l.name(Col::FullName)
        } else {
            l.name(Col::Last)
        },
        class_column: l.has(Col::Class).then(|| l.name(Col::Class)),
        birth_column: l.has(Col::Birth).then(|| l.name(Col::Birth)),
        subject_column: l.name(Col::Subject),
        date_column: l.name(Col::Date),
    })
}

/// The column holding the result for a kind: ЕГЭ's test score (or a mark column holding it),
/// the mark otherwise.
fn result_column(kind: ExamKind, l: &Layout) -> Col {
    if kind == ExamKind::Ege && (l.has(Col::TestScore) || !l.has(Col::Mark)) {
        Col::TestScore
    } else {
        Col::Mark
    }
}

fn parse_row(
    kind: ExamKind,
    l: &Layout,
    row: usize,
    cells: &[String],
    errors: &mut Vec<CellError>,
) -> Option<ExamRow> {
    let before = errors.len();
    let cell = |c: Col| {
        l.index(c)
            .and_then(|i| cells.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    };
    let mut fail = |c: Col, message: String| {
        errors.push(CellError {
            row,
            column: Some(l.name(c)),
            message,
        });
    };
    let name = if l.has(Col::FullName) {
        let raw = cell(Col::FullName);
        match split_full_name(raw) {
            Some(parts) => Some(parts),
            None if raw.is_empty() => {
                fail(Col::FullName, "the pupil's name is empty".into());
                None
            }
            None => {
                fail(
                    Col::FullName,
                    format!("«{raw}»: write the surname and the first name"),
                );
                None
            }
        }
    } else {
        let (last, first) = (cell(Col::Last), cell(Col::First));
        if last.is_empty() {
            fail(Col::Last, "the surname is empty".into());
        }
        if first.is_empty() {
            fail(Col::First, "the first name is empty".into());
        }
        let middle = Some(cell(Col::Middle))
            .filter(|m| !m.is_empty())
            .map(str::to_owned);
        (!last.is_empty() && !first.is_empty()).then(|| (last.to_owned(), first.to_owned(), middle))
    };
    let class = Some(cell(Col::Class))
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let birth_date = match cell(Col::Birth) {
        "" => None,
        raw => parse_date(raw).or_else(|| {
            fail(
                Col::Birth,
                format!("«{raw}» is not a date (write it as 14.03.2015)"),
            );
            None
        }),
    };
    let subject = match (cell(Col::Subject), kind.default_subject()) {
        ("", Some(default)) => default.to_owned(),
        ("", None) => {
            fail(Col::Subject, "the subject is empty".into());
            String::new()
        }
        (s, _) if s.chars().count() > MAX_SUBJECT => {
            fail(
                Col::Subject,
                format!("the subject is longer than {MAX_SUBJECT} characters"),
            );
            String::new()
        }
        (s, _) if s.chars().any(char::is_control) => {
            fail(Col::Subject, "the subject has control characters".into());
            String::new()
        }
        (s, _) => s.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    let taken_on = match cell(Col::Date) {
        "" => None,
        raw => parse_date(raw).or_else(|| {
            fail(
                Col::Date,
                format!("«{raw}» is not a date (write it as 21.04.2027)"),
            );
            None
        }),
    };
    let max = kind.max_score();
    let score = match cell(Col::Score) {
        "" => None,
        raw => match whole(raw).and_then(|n| u16::try_from(n).ok()) {
            Some(n) if n <= max => Some(n),
            Some(_) => {
                fail(Col::Score, format!("«{raw}» is not between 0 and {max}"));
                None
            }
            None => {
                fail(Col::Score, format!("«{raw}» is not a whole number"));
                None
            }
        },
    };
    let result = result_column(kind, l);
    let mark = match cell(result) {
        "" => {
            fail(
                result,
                format!("the result is empty: write {}", kind.result_hint()),
            );
            None
        }
        raw => kind.parse_mark(raw).map_err(|m| fail(result, m)).ok(),
    };
    if errors.len() > before {
        return None;
    }
    let ((last, first, middle), mark) = (name?, mark?);
    Some(ExamRow {
        row,
        pupil: PupilRef {
            last,
            first,
            middle,
            class,
            birth_date,
        },
        subject,
        taken_on,
        score,
        mark,
    })
}

/// How much an exam file may hold: twice the result rows (blank lines between them) below the
/// rows searched for the heading, in at most 32 columns.
pub const CAPS: table::Caps = table::Caps {
    rows: (MAX_ROWS * 2 + HEADER_SEARCH) as u32,
    columns: 32,
};

/// Results from CSV bytes, read as an upload is read (the refusals of the reader itself are
/// the upload's to word): for tests.
#[cfg(test)]
pub(crate) fn parse_csv(kind: ExamKind, bytes: &[u8]) -> Result<ParsedExams, ExamErrors> {
    let rows = table::read_csv(bytes, &CAPS)
        .map_err(|e| ExamErrors(vec![CellError::whole(format!("{e:?}"))]))?;
    parse_rows(kind, rows)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const OGE: &str = "\u{FEFF}Результаты ОГЭ, 9 классы;;;;;\r\n\
        ;;;;;\r\n\
        ФИО;Класс;Предмет;Дата;Первичный балл;Отметка\r\n\
        Петров Иван Сергеевич;9А;Математика;03.06.2027;22;4\r\n\
        Сидорова Ёлка;9 б;математика;2027-06-03;8,0;2\r\n";

    #[test]
    fn a_file_with_title_rows_a_bom_and_russian_headers_is_read() {
        let p = parse_csv(ExamKind::Oge, OGE.as_bytes()).unwrap();
        assert_eq!(p.rows.len(), 2);
        let r = &p.rows[0];
        assert_eq!(r.row, 4);
        assert_eq!(r.pupil.last, "Петров");
        assert_eq!(r.pupil.middle.as_deref(), Some("Сергеевич"));
        assert_eq!(r.pupil.class.as_deref(), Some("9А"));
        assert_eq!(r.subject, "Математика");
        assert_eq!(r.taken_on, Some(date!(2027 - 06 - 03)));
        assert_eq!((r.score, r.mark), (Some(22), ExamMark::Mark(4)));
        assert_eq!(p.rows[1].score, Some(8));
        assert!(p.rows[1].mark.failing());
        assert_eq!(p.name_column, "ФИО");
    }

    #[test]
    fn separate_name_columns_and_english_headings_work() {
        let csv =
            "Last name,First name,Middle name,Subject,Test score\nIvanova,Maria,,Physics,78\n";
        let p = parse_csv(ExamKind::Ege, csv.as_bytes()).unwrap();
        assert_eq!(p.rows[0].pupil.first, "Maria");
        assert_eq!(p.rows[0].pupil.middle, None);
        assert_eq!(p.rows[0].mark, ExamMark::Score(78));
    }

    #[test]
    fn the_interview_needs_no_subject_and_reads_zachyot() {
        let csv = "ФИО;Результат;Баллы\nПетров Иван;зачёт;15\nСидоров Олег;Незачет;5\n";
        let p = parse_csv(ExamKind::Interview, csv.as_bytes()).unwrap();
        assert_eq!(p.rows[0].subject, "Русский язык");
        assert_eq!(p.rows[0].mark, ExamMark::Pass);
        assert_eq!(p.rows[1].mark, ExamMark::Fail);
        let e = parse_csv(
            ExamKind::Interview,
            "ФИО;Результат;Баллы\nА Б;зачёт;21\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            e.0[0].to_string(),
            "row 2, column «Баллы»: «21» is not between 0 and 20"
        );
    }

    #[test]
    fn every_bad_cell_is_named_by_row_and_column() {
        let csv = "ФИО;Предмет;Дата;Первичный балл;Отметка\n\
            Петров Иван;Математика;32.13.2027;10;6\n\
            Петров;;03.06.2027;-1;4\n\
            Сидоров Олег;Математика;;;\n";
        let e = parse_csv(ExamKind::Oge, csv.as_bytes()).unwrap_err();
        let text: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            vec![
                "row 2, column «Дата»: «32.13.2027» is not a date (write it as 21.04.2027)",
                "row 2, column «Отметка»: «6» is not a mark from 2 to 5",
                "row 3, column «ФИО»: «Петров»: write the surname and the first name",
                "row 3, column «Предмет»: the subject is empty",
                "row 3, column «Первичный балл»: «-1» is not a whole number",
                "row 4, column «Отметка»: the result is empty: write a mark from 2 to 5",
            ]
        );
    }

    #[test]
    fn a_file_without_a_header_or_the_result_column_is_refused_whole() {
        let e = parse_csv(ExamKind::Vpr, "Петров Иван;Математика;4\n".as_bytes()).unwrap_err();
        assert!(e.0[0].message.starts_with("no header row"), "{e}");
        assert_eq!(e.0[0].place(), "file");
        let e = parse_csv(
            ExamKind::Ege,
            "ФИО;Предмет;Отметка\nА Б;Физика;5\n".as_bytes(),
        );
        assert_eq!(
            e.unwrap().rows[0].mark,
            ExamMark::Score(5),
            "a mark column holds the score"
        );
        let e = parse_csv(
            ExamKind::Oge,
            "ФИО;Предмет;Первичный балл\nА Б;Физика;5\n".as_bytes(),
        )
        .unwrap_err();
        assert!(e.0[0].message.contains("«Отметка»"), "{e}");
        let e = parse_csv(ExamKind::Oge, "ФИО;Отметка\nА Б;5\n".as_bytes()).unwrap_err();
        assert!(e.0[0].message.contains("«Предмет»"), "{e}");
        assert!(parse_csv(ExamKind::Oge, "ФИО;Предмет;Отметка\n;;\n".as_bytes()).is_err());
    }

    #[test]
    fn windows_1251_from_russian_excel_is_decoded() {
        // "ФИО;Предмет;Отметка\nЁж Ян;Химия;5\n" in Windows-1251.
        let mut bytes = vec![0xD4, 0xC8, 0xCE, b';'];
        bytes.extend_from_slice(&[0xCF, 0xF0, 0xE5, 0xE4, 0xEC, 0xE5, 0xF2, b';']);
        bytes.extend_from_slice(&[0xCE, 0xF2, 0xEC, 0xE5, 0xF2, 0xEA, 0xE0, b'\n']);
        bytes.extend_from_slice(&[0xA8, 0xE6, b' ', 0xDF, 0xED, b';']);
        bytes.extend_from_slice(&[0xD5, 0xE8, 0xEC, 0xE8, 0xFF, b';', b'5', b'\n']);
        let p = parse_csv(ExamKind::Oge, &bytes).unwrap();
        assert_eq!(p.rows[0].pupil.last, "Ёж");
        assert_eq!(p.rows[0].subject, "Химия");
    }

    proptest! {

        #[test]
        fn the_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            for kind in ExamKind::ALL {
                let _ = parse_csv(kind, &bytes);
            }
        }

        #[test]
        fn the_parser_never_panics_on_table_like_text(
            text in "[;,\"\\r\\n ФИОПредметДатаОтметкаБаллзачётКласс0-9.\\-аяЁ\u{FEFF}]{0,500}"
        ) {
            for kind in ExamKind::ALL {
                if let Ok(p) = parse_csv(kind, text.as_bytes()) {
                    prop_assert!(!p.rows.is_empty() && p.rows.len() <= MAX_ROWS);
                    for r in &p.rows {
                        prop_assert_eq!(ExamMark::from_code(kind, &r.mark.code()), Some(r.mark));
                        prop_assert!(r.score.is_none_or(|s| s <= kind.max_score()));
                        prop_assert!(!r.pupil.last.is_empty() && !r.pupil.first.is_empty());
                    }
                }
            }
        }

    }
}
