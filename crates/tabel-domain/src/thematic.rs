//! The thematic plan (КТП, тематическое планирование): the ordered topics of a course with their
//! planned hours and lesson types, read from the table teachers already keep — a CSV exported from
//! Excel, or the cells of a spreadsheet's first sheet (the reading of XLSX bytes lives with the
//! use case; its cells come here as text).
//!
//! The table has the columns №, Тема, Часы, Тип урока (English: No, Topic, Hours, Lesson type) in
//! any order, found by the header row; without a header the columns are taken in that order.
//! Blank rows are skipped. Every error names the row (as the spreadsheet numbers it, from 1) and
//! the column, so that a teacher can find and fix it.

use crate::table;

/// A problem with one cell (or row) of the file (shared with the other importers).
pub use crate::table::CellError;
use crate::{AcademicYearId, GroupId, PersonId, SchoolId, SubjectId};
use serde::Serialize;
use time::OffsetDateTime;

/// The most topics a plan may have (a year of daily lessons is about 200).
pub const MAX_TOPICS: usize = 500;
/// The longest topic title, in characters.
pub const MAX_TITLE: usize = 500;
/// The most lessons one topic may take.
pub const MAX_HOURS: u8 = 20;
/// Errors reported at most; the rest are summarised.
const MAX_ERRORS: usize = 20;

/// One topic of a plan as read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    /// The row of the file (from 1, the header included) it came from.
    pub row: usize,
    /// The topic.
    pub title: String,
    /// Planned lessons, 1–20 (a blank cell is one lesson).
    pub hours: u8,
    /// The lesson type as written (a policy code or name), if any.
    pub lesson_type: Option<String>,
}

/// A plan read from a file: its topics in order, and how the file named the lesson-type column
/// (for messages about unknown types).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPlan {
    /// Topics in order.
    pub topics: Vec<PlanRow>,
    /// The lesson-type column's heading as written (`Тип урока` without a header).
    pub type_column: String,
}

impl ParsedPlan {
    /// Planned lessons in total.
    pub fn hours(&self) -> u32 {
        self.topics.iter().map(|t| u32::from(t.hours)).sum()
    }
}

/// Why a file was refused: every problem found (up to twenty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the thematic plan has errors: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct PlanErrors(pub Vec<CellError>);

impl PlanErrors {
    fn whole(message: impl Into<String>) -> PlanErrors {
        PlanErrors(vec![CellError::whole(message)])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Number,
    Title,
    Hours,
    Type,
}

impl Col {
    fn default_name(self) -> &'static str {
        match self {
            Col::Number => "№",
            Col::Title => "Тема",
            Col::Hours => "Часы",
            Col::Type => "Тип урока",
        }
    }
}

/// What a heading names, if it is one of ours: Russian or English, any case, `ё` as `е`.
fn heading(raw: &str) -> Option<Col> {
    let h: String = raw
        .trim()
        .trim_end_matches(['.', ':'])
        .to_lowercase()
        .replace('ё', "е");
    let h = h.split_whitespace().collect::<Vec<_>>().join(" ");
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| h.starts_with(p));
    if matches!(
        h.as_str(),
        "№" | "#" | "n" | "no" | "nr" | "номер" | "number"
    ) || starts(&["№ ", "n ", "номер ", "no."])
    {
        Some(Col::Number)
    } else if starts(&["тип", "вид урока", "lesson type", "type", "форма урока"])
    {
        Some(Col::Type)
    } else if starts(&["час", "кол-во час", "количество час", "кол. час", "hours"]) || h == "ч"
    {
        Some(Col::Hours)
    } else if starts(&[
        "тема",
        "темы",
        "наименование",
        "название",
        "содержание",
        "topic",
        "title",
    ]) {
        Some(Col::Title)
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
    fn positional() -> Layout {
        Layout {
            cols: [Col::Number, Col::Title, Col::Hours, Col::Type]
                .into_iter()
                .enumerate()
                .map(|(i, c)| (c, i, c.default_name().to_owned()))
                .collect(),
        }
    }

    /// The layout a header row gives, if the row is a header: it names the topic column and
    /// another one (a first topic called «Тема 1» is not a header).
    fn from_header(cells: &[String]) -> Option<Layout> {
        let mut cols: Vec<(Col, usize, String)> = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            if let Some(c) = heading(cell)
                && !cols.iter().any(|(k, _, _)| *k == c)
            {
                cols.push((c, i, cell.trim().to_owned()));
            }
        }
        (cols.len() >= 2 && cols.iter().any(|(c, _, _)| *c == Col::Title))
            .then_some(Layout { cols })
    }

    fn find(&self, c: Col) -> Option<(usize, &str)> {
        self.cols
            .iter()
            .find(|(k, _, _)| *k == c)
            .map(|(_, i, name)| (*i, name.as_str()))
    }

    fn name(&self, c: Col) -> String {
        self.find(c)
            .map_or_else(|| c.default_name().to_owned(), |(_, n)| n.to_owned())
    }
}

/// Hours as written: `2`, ` 2 `, `2.0` or `2,0` (spreadsheets store numbers as decimals).
fn parse_hours(raw: &str) -> Result<u8, String> {
    let t = raw.trim();
    let whole = match t.split_once(['.', ',']) {
        Some((w, frac)) if !frac.is_empty() && frac.chars().all(|c| c == '0') => w,
        _ => t,
    };
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("«{t}» is not a number"));
    }
    match whole.parse::<u32>() {
        Ok(n) if (1..=u32::from(MAX_HOURS)).contains(&n) => {
            u8::try_from(n).map_err(|_| format!("«{t}» is not between 1 and {MAX_HOURS}"))
        }
        _ => Err(format!("«{t}» is not between 1 and {MAX_HOURS}")),
    }
}

/// Reads a plan from a table's rows (each a list of cell texts), the first non-blank row
/// being either the header or the first topic. All or nothing: any error refuses the whole.
pub fn parse_rows<I>(rows: I) -> Result<ParsedPlan, PlanErrors>
where
    I: IntoIterator<Item = Vec<String>>,
{
    let mut layout: Option<Layout> = None;
    let mut topics: Vec<PlanRow> = Vec::new();
    let mut errors: Vec<CellError> = Vec::new();
    let mut too_many = false;
    for (index, cells) in rows.into_iter().enumerate() {
        let row = index + 1;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let layout = match &layout {
            Some(l) => l,
            None => {
                let (l, header) = match Layout::from_header(&cells) {
                    Some(l) => (l, true),
                    None => (Layout::positional(), false),
                };
                let l = layout.insert(l);
                if header {
                    continue;
                }
                l
            }
        };
        if topics.len() == MAX_TOPICS {
            too_many = true;
            break;
        }
        let cell = |c: Col| {
            layout
                .find(c)
                .and_then(|(i, _)| cells.get(i))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let mut fail = |c: Col, message: String| {
            errors.push(CellError {
                row,
                column: Some(layout.name(c)),
                message,
            });
        };
        let title = cell(Col::Title);
        let length = title.chars().count();
        if length == 0 {
            fail(Col::Title, "the topic is empty".into());
        } else if length > MAX_TITLE {
            fail(
                Col::Title,
                format!("the topic is longer than {MAX_TITLE} characters"),
            );
        }
        let hours = match cell(Col::Hours) {
            "" => 1,
            raw => parse_hours(raw).unwrap_or_else(|m| {
                fail(Col::Hours, m);
                1
            }),
        };
        let lesson_type = Some(cell(Col::Type))
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        topics.push(PlanRow {
            row,
            title: title.to_owned(),
            hours,
            lesson_type,
        });
        if errors.len() >= MAX_ERRORS {
            break;
        }
    }
    if too_many {
        errors.push(CellError {
            row: 0,
            column: None,
            message: format!("a plan has at most {MAX_TOPICS} topics"),
        });
    }
    if !errors.is_empty() {
        return Err(PlanErrors(errors));
    }
    if topics.is_empty() {
        return Err(PlanErrors::whole("the file has no topics"));
    }
    let type_column = layout.map_or_else(
        || Col::Type.default_name().to_owned(),
        |l| l.name(Col::Type),
    );
    Ok(ParsedPlan {
        topics,
        type_column,
    })
}

/// How much a plan's file may hold: a header, blank lines and up to four rows a topic's worth
/// of room below it, in at most 32 columns.
pub const CAPS: table::Caps = table::Caps {
    rows: (MAX_TOPICS * 4 + 10) as u32,
    columns: 32,
};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    /// A plan from CSV bytes, read as an upload is read (the refusals of the reader itself are
    /// the upload's to word).
    fn parse_csv(bytes: &[u8]) -> Result<ParsedPlan, PlanErrors> {
        let rows = table::read_csv(bytes, &CAPS)
            .map_err(|e| PlanErrors(vec![CellError::whole(format!("{e:?}"))]))?;
        parse_rows(rows)
    }

    #[test]
    fn a_semicolon_csv_with_a_bom_and_a_russian_header_is_read_in_order() {
        let csv = "\u{FEFF}№;Тема;Часы;Тип урока\r\n1;Натуральные числа;2;\r\n\r\n2;\"Сложение; вычитание\";1;lesson\r\n3;Контрольная работа № 1;1;control\r\n";
        let plan = parse_csv(csv.as_bytes()).unwrap();
        let got: Vec<_> = plan
            .topics
            .iter()
            .map(|t| (t.row, t.title.as_str(), t.hours, t.lesson_type.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "Натуральные числа", 2, None),
                (4, "Сложение; вычитание", 1, Some("lesson")),
                (5, "Контрольная работа № 1", 1, Some("control")),
            ]
        );
        assert_eq!(plan.hours(), 4);
        assert_eq!(plan.type_column, "Тип урока");
    }

    #[test]
    fn an_english_comma_csv_with_columns_in_another_order_is_read() {
        let csv = "Topic,Hours,No\n\"Fractions, part 1\",3,1\n\"He said \"\"hi\"\"\",,2\n";
        let plan = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(plan.topics[0].title, "Fractions, part 1");
        assert_eq!(plan.topics[0].hours, 3);
        assert_eq!(plan.topics[1].title, "He said \"hi\"");
        assert_eq!(plan.topics[1].hours, 1, "a blank hours cell is one lesson");
    }

    #[test]
    fn a_file_without_a_header_is_taken_column_by_column() {
        let plan = parse_csv("1;Дроби;2;practical\n2;Проценты;1\n".as_bytes()).unwrap();
        assert_eq!(plan.topics.len(), 2);
        assert_eq!(plan.topics[0].lesson_type.as_deref(), Some("practical"));
        assert_eq!(plan.topics[1].row, 2);
    }

    #[test]
    fn an_error_names_the_row_and_the_column_as_the_file_heads_it() {
        let csv = "№;Тема;Часы\n1;Числа;2\n2;Дроби;два\n3;;1\n4;Проценты;21\n";
        let e = parse_csv(csv.as_bytes()).unwrap_err();
        let text: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            vec![
                "row 3, column «Часы»: «два» is not a number",
                "row 4, column «Тема»: the topic is empty",
                "row 5, column «Часы»: «21» is not between 1 and 20",
            ]
        );
    }

    #[test]
    fn limits_on_rows_and_titles_hold() {
        let mut csv = String::from("Тема;Часы\n");
        for i in 0..=MAX_TOPICS {
            csv.push_str(&format!("Тема {i};1\n"));
        }
        let e = parse_csv(csv.as_bytes()).unwrap_err();
        assert!(e.0[0].message.contains("at most 500"), "{e}");
        let long = format!("Тема;Часы\n{};1\n", "я".repeat(501));
        let e = parse_csv(long.as_bytes()).unwrap_err();
        assert_eq!(e.0[0].place(), "row 2, column «Тема»");
        assert!(parse_csv(b"").is_err());
        assert!(parse_csv("Тема;Часы\n\n;\n".as_bytes()).is_err());
    }

    #[test]
    fn windows_1251_from_russian_excel_is_decoded() {
        // "№;Тема;Часы\n1;Ёлки;2\n" in Windows-1251.
        let mut bytes = vec![
            0xB9, b';', 0xD2, 0xE5, 0xEC, 0xE0, b';', 0xD7, 0xE0, 0xF1, 0xFB,
        ];
        bytes.extend_from_slice(b"\n1;");
        bytes.extend_from_slice(&[0xA8, 0xEB, 0xEA, 0xE8]);
        bytes.extend_from_slice(b";2\n");
        let plan = parse_csv(&bytes).unwrap();
        assert_eq!(plan.topics[0].title, "Ёлки");
        assert_eq!(plan.topics[0].hours, 2);
    }

    #[test]
    fn an_unclosed_quote_is_an_error_not_a_guess() {
        let e = parse_csv("Тема;Часы\n\"Дроби;2\n".as_bytes()).unwrap_err();
        assert!(e.0[0].message.contains("UnclosedQuote"));
    }

    #[test]
    fn spreadsheet_decimals_are_whole_hours() {
        assert_eq!(parse_hours("2.0"), Ok(2));
        assert_eq!(parse_hours("3,00"), Ok(3));
        assert!(parse_hours("1.5").is_err());
        assert!(parse_hours("0").is_err());
        assert!(parse_hours("-1").is_err());
        assert!(parse_hours("99999999999999999999").is_err());
    }

    proptest! {
        #[test]
        fn the_csv_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let _ = parse_csv(&bytes);
        }

        #[test]
        fn the_csv_parser_never_panics_on_csv_like_text(text in "[;,\"\\r\\n№Тема Часы0-9a-zа-я\u{FEFF}]{0,400}") {
            if let Ok(plan) = parse_csv(text.as_bytes()) {
                prop_assert!(!plan.topics.is_empty() && plan.topics.len() <= MAX_TOPICS);
                prop_assert!(plan.topics.iter().all(|t| (1..=MAX_HOURS).contains(&t.hours)));
            }
        }
    }
}

/// A stored plan with its topics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThematicPlan {
    /// Id.
    pub id: i64,
    /// School.
    pub school: SchoolId,
    /// The teacher whose plan it is.
    pub teacher: Option<PersonId>,
    /// Group.
    pub group: GroupId,
    /// Subject.
    pub subject: SubjectId,
    /// Year.
    pub year: AcademicYearId,
    /// The file it came from.
    pub source_name: String,
    /// Last import.
    pub updated_at: OffsetDateTime,
    /// Version: one per import.
    pub version: i64,
    /// Topics in order.
    pub topics: Vec<PlanTopic>,
}

/// A stored topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanTopic {
    /// Position from 1.
    pub position: u32,
    /// Title.
    pub title: String,
    /// Planned lessons.
    pub hours: u8,
    /// Lesson type code.
    pub lesson_type: Option<String>,
}
