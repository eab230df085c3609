//! Exam results (регламент, п. 6): ОГЭ, ЕГЭ, ВПР, the итоговое собеседование and the school's own
//! exams arrive at the school as tables — exported from the regional systems or typed up — and
//! must be visible to the pupil and the family no later than a day after the school received
//! them.
//!
//! A file names its columns in a header row (title rows above it are skipped): the pupil as
//! «ФИО» or as «Фамилия», «Имя» (and «Отчество»), optionally «Класс» and «Дата рождения» to tell
//! namesakes apart; «Предмет»; «Дата» of the exam; «Первичный балл»; and the result — «Отметка»
//! (or «Оценка»), for ЕГЭ «Тестовый балл», for the собеседование «зачёт»/«незачёт». English
//! headings work too. Every error names its row (as the spreadsheet numbers it, from 1) and
//! column; a file with any error is refused whole.
//!
//! Matching a row to a pupil of the school ([`PupilIndex`]) and the publication clock
//! ([`Publication`]) are here too: both are rules, not storage.

use crate::calendar::TimeZoneName;
use crate::table::{self, CellError};
use crate::text::sort_key;
use crate::{AcademicYearId, ExamBatchId, ExamResultId, SchoolId};
use crate::{PersonId, SubjectId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// The most result rows one file may have (a large school's ВПР of a year is a few thousand).
pub const MAX_ROWS: usize = 5000;
/// The longest subject name kept, in characters.
pub const MAX_SUBJECT: usize = 100;
/// How long the school has to make a result visible: a day from receipt (п. 6).
pub const PUBLICATION_DEADLINE: Duration = Duration::hours(24);
/// How long a result published late stays on the dashboard of overdue publications.
pub const LATE_LISTED_FOR: Duration = Duration::days(7);
/// Header rows are looked for among the first this many non-blank rows.
const HEADER_SEARCH: usize = 15;
/// Errors reported at most.
const MAX_ERRORS: usize = 20;

/// Which exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExamKind {
    /// ОГЭ, the state exam after grade 9.
    Oge,
    /// ЕГЭ, the unified state exam after grade 11 (a test score 0–100).
    Ege,
    /// ВПР, the all-Russian check works.
    Vpr,
    /// The итоговое собеседование по русскому языку in grade 9 (зачёт/незачёт).
    Interview,
    /// The school's own exam (переводной экзамен and the like).
    School,
}

impl ExamKind {
    /// Every kind.
    pub const ALL: [ExamKind; 5] = [
        ExamKind::Oge,
        ExamKind::Ege,
        ExamKind::Vpr,
        ExamKind::Interview,
        ExamKind::School,
    ];

    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            ExamKind::Oge => "oge",
            ExamKind::Ege => "ege",
            ExamKind::Vpr => "vpr",
            ExamKind::Interview => "interview",
            ExamKind::School => "school",
        }
    }

    /// The Russian abbreviation or name, for files, logs and the CLI.
    pub const fn russian(self) -> &'static str {
        match self {
            ExamKind::Oge => "ОГЭ",
            ExamKind::Ege => "ЕГЭ",
            ExamKind::Vpr => "ВПР",
            ExamKind::Interview => "итоговое собеседование",
            ExamKind::School => "школьный экзамен",
        }
    }

    /// Parses a code or a Russian name (`oge`, `ОГЭ`, `собеседование`, …).
    pub fn parse(raw: &str) -> Option<ExamKind> {
        let k = sort_key(raw.trim());
        let k = k.as_str();
        ExamKind::ALL
            .into_iter()
            .find(|e| e.code() == k || sort_key(e.russian()) == k)
            .or(match k {
                "собеседование" | "итоговое собеседование по русскому языку" | "ис" => {
                    Some(ExamKind::Interview)
                }
                "школьный" | "школа" | "экзамен" => Some(ExamKind::School),
                _ => None,
            })
    }

    /// The highest primary score a row may carry.
    pub const fn max_score(self) -> u16 {
        match self {
            ExamKind::Interview => 20,
            _ => 100,
        }
    }

    /// The subject a file of this kind may leave out (the собеседование is in Russian).
    pub const fn default_subject(self) -> Option<&'static str> {
        match self {
            ExamKind::Interview => Some("Русский язык"),
            _ => None,
        }
    }

    /// What the result column holds, for messages.
    fn result_hint(self) -> &'static str {
        match self {
            ExamKind::Ege => "a test score from 0 to 100",
            ExamKind::Interview => "зачёт or незачёт",
            _ => "a mark from 2 to 5",
        }
    }

    /// Reads a result as a file writes it: `5`, `5,0`, `отлично`; `зачёт`; a test score.
    pub fn parse_mark(self, raw: &str) -> Result<ExamMark, String> {
        let t = raw.trim();
        let key = sort_key(t).replace(['«', '»', '"', '.'], "");
        let bad = || format!("«{t}» is not {}", self.result_hint());
        match self {
            ExamKind::Interview => match key.as_str() {
                "зачет" | "зач" | "pass" | "passed" | "+" => Ok(ExamMark::Pass),
                "незачет" | "не зачет" | "незач" | "fail" | "failed" | "-" => {
                    Ok(ExamMark::Fail)
                }
                _ => Err(bad()),
            },
            ExamKind::Ege => match whole(t) {
                Some(n) if n <= 100 => u8::try_from(n).map(ExamMark::Score).map_err(|_| bad()),
                _ => Err(bad()),
            },
            ExamKind::Oge | ExamKind::Vpr | ExamKind::School => {
                let named = match key.as_str() {
                    "отлично" | "отл" => Some(5),
                    "хорошо" | "хор" => Some(4),
                    "удовлетворительно" | "удовл" | "уд" => Some(3),
                    "неудовлетворительно" | "неуд" => Some(2),
                    _ => None,
                };
                match named.or_else(|| whole(t)) {
                    Some(n @ 2..=5) => u8::try_from(n).map(ExamMark::Mark).map_err(|_| bad()),
                    _ => Err(bad()),
                }
            }
        }
    }
}

impl fmt::Display for ExamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A result as the exam gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ExamMark {
    /// A mark 2–5 (ОГЭ, ВПР, school exams).
    Mark(u8),
    /// Зачёт (the собеседование).
    Pass,
    /// Незачёт.
    Fail,
    /// A ЕГЭ test score, 0–100.
    Score(u8),
}

impl ExamMark {
    /// The stored code: `5`, `pass`, `fail`, or the test score's number.
    pub fn code(self) -> String {
        match self {
            ExamMark::Mark(n) | ExamMark::Score(n) => n.to_string(),
            ExamMark::Pass => "pass".into(),
            ExamMark::Fail => "fail".into(),
        }
    }

    /// Reads a stored code back (the kind says what a number is).
    pub fn from_code(kind: ExamKind, code: &str) -> Option<ExamMark> {
        match (kind, code) {
            (_, "pass") => Some(ExamMark::Pass),
            (_, "fail") => Some(ExamMark::Fail),
            (ExamKind::Ege, n) => n.parse().ok().filter(|n| *n <= 100).map(ExamMark::Score),
            (_, n) => n
                .parse()
                .ok()
                .filter(|n| (2..=5).contains(n))
                .map(ExamMark::Mark),
        }
    }

    /// A failing result (a 2, a незачёт); a test score has no pass line of its own here.
    pub fn failing(self) -> bool {
        matches!(self, ExamMark::Mark(2) | ExamMark::Fail)
    }
}

/// A whole number as a cell writes it: `12`, ` 12 `, `12.0`, `12,00`.
fn whole(raw: &str) -> Option<u32> {
    let t = raw.trim();
    let w = match t.split_once(['.', ',']) {
        Some((w, frac)) if !frac.is_empty() && frac.chars().all(|c| c == '0') => w,
        _ => t,
    };
    if w.is_empty() || w.len() > 6 || !w.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    w.parse().ok()
}

/// A date as files write it: `28.11.2026`, `2026-11-28`, `28/11/2026`, with a time after it
/// ignored (`28.11.2026 0:00:00`).
pub fn parse_date(raw: &str) -> Option<Date> {
    let t = raw.split_whitespace().next()?;
    let t = t.split_once('T').map_or(t, |(d, _)| d);
    let parts: Vec<&str> = t.split(['.', '-', '/']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, d) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else if c.len() == 4 {
        (num(c)?, num(b)?, num(a)?)
    } else {
        return None;
    };
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    let year = i32::try_from(y)
        .ok()
        .filter(|y| (1900..=2200).contains(y))?;
    Date::from_calendar_date(year, month, u8::try_from(d).ok()?).ok()
}

/// An instant as an operator writes when the school received a file: RFC 3339
/// (`2026-11-27T10:00:00+03:00`, `…Z`), or the school's local time `2026-11-27 10:00`,
/// `2026-11-27T10:00` (what a browser's date-time field sends) or `27.11.2026 10:00`.
pub fn parse_received_at(raw: &str, zone: &TimeZoneName) -> Option<OffsetDateTime> {
    let t = raw.trim();
    if let Ok(at) = OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339) {
        return at
            .checked_to_offset(UtcOffset::UTC)
            .filter(|u| crate::calendar::is_plausible(&u.date()));
    }
    let (day, clock) = t.split_once(['T', ' ']).map(|(d, c)| (d, c.trim()))?;
    let date = parse_date(day)?;
    let mut hms = clock.split(':');
    let mut part = |max: u8| -> Option<u8> {
        match hms.next() {
            None => Some(0),
            Some(s) if !s.is_empty() && s.len() <= 2 && s.chars().all(|c| c.is_ascii_digit()) => {
                s.parse().ok().filter(|n| *n <= max)
            }
            Some(_) => None,
        }
    };
    let (h, m, s) = (part(23)?, part(59)?, part(59)?);
    if hms.next().is_some() {
        return None;
    }
    let offset = UtcOffset::from_hms(zone.utc_offset_hours(), 0, 0).ok()?;
    let local = PrimitiveDateTime::new(date, Time::from_hms(h, m, s).ok()?);
    Some(local.assume_offset(offset).to_offset(UtcOffset::UTC))
}

/// Where a result stands against the day the regulation gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publication {
    /// Not visible yet, and the day has not run out: due by then.
    Pending {
        /// The deadline.
        due: OffsetDateTime,
    },
    /// Not visible, and the day has run out.
    Overdue {
        /// The deadline.
        due: OffsetDateTime,
        /// How long past it.
        by: Duration,
    },
    /// Visible within the day.
    OnTime,
    /// Made visible after the day ran out.
    Late {
        /// How long after receipt it became visible.
        delay: Duration,
    },
}

impl Publication {
    /// The state of a result received at `received`, visible since `published` (if it is), at
    /// `now`.
    pub fn of(
        received: OffsetDateTime,
        published: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Publication {
        let due = received + PUBLICATION_DEADLINE;
        match published {
            None if now > due => Publication::Overdue { due, by: now - due },
            None => Publication::Pending { due },
            Some(at) if at > due => Publication::Late {
                delay: at - received,
            },
            Some(_) => Publication::OnTime,
        }
    }

    /// Whether the dashboard of overdue publications lists it at `now`: overdue, or published
    /// late within the last [`LATE_LISTED_FOR`].
    pub fn listed(self, published: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
        match self {
            Publication::Overdue { .. } => true,
            Publication::Late { .. } => published.is_some_and(|at| now - at <= LATE_LISTED_FOR),
            Publication::Pending { .. } | Publication::OnTime => false,
        }
    }
}

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
enum Col {
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
    fn default_name(self) -> &'static str {
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
fn split_full_name(raw: &str) -> Option<(String, String, Option<String>)> {
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

/// Reads exam results from CSV bytes (UTF-8 with or without a BOM, or Windows-1251; `;`, `,`
/// or tab separated; RFC 4180 quoting).
pub fn parse_csv(kind: ExamKind, bytes: &[u8]) -> Result<ParsedExams, ExamErrors> {
    let text = table::decode(bytes);
    let records = table::records(&text, MAX_ROWS * 2 + HEADER_SEARCH).map_err(|e| {
        ExamErrors(vec![e.cell_error(format!(
            "too many rows: a file has at most {MAX_ROWS} result rows"
        ))])
    })?;
    parse_rows(kind, records)
}

/// A pupil of the school as matching sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The pupil.
    pub id: PersonId,
    /// Surname.
    pub last: String,
    /// Given name.
    pub first: String,
    /// Patronymic.
    pub middle: Option<String>,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// Class name now (`9А`), if in one.
    pub class: Option<String>,
}

/// A class name as compared: no spaces or dashes, upper case, Latin look-alikes as Cyrillic
/// (`9 a` and `9-А` are `9А`).
fn class_key(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .map(|c| match c {
            'A' => 'А',
            'B' => 'В',
            'E' => 'Е',
            'K' => 'К',
            'M' => 'М',
            'H' => 'Н',
            'O' => 'О',
            'P' => 'Р',
            'C' => 'С',
            'T' => 'Т',
            'X' => 'Х',
            'Ё' => 'Е',
            other => other,
        })
        .collect()
}

/// The school's pupils by surname and given name (case-folded, `ё` as `е`).
#[derive(Debug, Clone, Default)]
pub struct PupilIndex {
    by_name: HashMap<(String, String), Vec<Candidate>>,
}

/// Why a row names no single pupil.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoMatch {
    /// Nobody of the school has the name.
    Unknown,
    /// Namesakes exist, but none in the class the row gives.
    NotInClass,
    /// Namesakes exist, but none born on the date the row gives.
    NotBornThen,
    /// Several pupils fit what the row gives.
    Ambiguous(usize),
}

impl PupilIndex {
    /// Indexes the school's pupils.
    pub fn new(pupils: Vec<Candidate>) -> PupilIndex {
        let mut by_name: HashMap<(String, String), Vec<Candidate>> = HashMap::new();
        for c in pupils {
            by_name
                .entry((sort_key(&c.last), sort_key(&c.first)))
                .or_default()
                .push(c);
        }
        PupilIndex { by_name }
    }

    /// The one pupil the row names: by surname and given name, then the patronymic, class and
    /// birth date where the row gives them.
    pub fn find(&self, r: &PupilRef) -> Result<PersonId, NoMatch> {
        let Some(namesakes) = self.by_name.get(&(sort_key(&r.last), sort_key(&r.first))) else {
            return Err(NoMatch::Unknown);
        };
        let mut fit: Vec<&Candidate> = namesakes
            .iter()
            .filter(|c| match (&r.middle, &c.middle) {
                (Some(a), Some(b)) => sort_key(a) == sort_key(b),
                _ => true,
            })
            .collect();
        if fit.is_empty() {
            return Err(NoMatch::Unknown);
        }
        if let Some(class) = &r.class {
            let want = class_key(class);
            fit.retain(|c| c.class.as_deref().map(class_key).as_deref() == Some(want.as_str()));
            if fit.is_empty() {
                return Err(NoMatch::NotInClass);
            }
        }
        if let Some(born) = r.birth_date {
            fit.retain(|c| c.birth_date == Some(born));
            if fit.is_empty() {
                return Err(NoMatch::NotBornThen);
            }
        }
        match fit.as_slice() {
            [one] => Ok(one.id),
            many => Err(NoMatch::Ambiguous(many.len())),
        }
    }
}

impl ParsedExams {
    /// The pupil of every row, in order; every row that names no single pupil is an error
    /// naming its row and the column to fix.
    pub fn match_pupils(&self, index: &PupilIndex) -> Result<Vec<PersonId>, ExamErrors> {
        let mut ids = Vec::with_capacity(self.rows.len());
        let mut errors = Vec::new();
        for r in &self.rows {
            match index.find(&r.pupil) {
                Ok(id) => ids.push(id),
                Err(e) => {
                    let name = r.pupil.name();
                    let (column, message) = match e {
                        NoMatch::Unknown => (
                            self.name_column.clone(),
                            format!("no pupil «{name}» in the school"),
                        ),
                        NoMatch::NotInClass => (
                            self.class_column
                                .clone()
                                .unwrap_or_else(|| Col::Class.default_name().to_owned()),
                            format!(
                                "no pupil «{name}» in class {}",
                                r.pupil.class.as_deref().unwrap_or_default()
                            ),
                        ),
                        NoMatch::NotBornThen => (
                            self.birth_column
                                .clone()
                                .unwrap_or_else(|| Col::Birth.default_name().to_owned()),
                            format!("no pupil «{name}» born on that date"),
                        ),
                        NoMatch::Ambiguous(n) => (
                            self.name_column.clone(),
                            if self.class_column.is_some() && self.birth_column.is_some() {
                                format!(
                                    "{n} pupils of the school are «{name}» and the class and \
                                     birth date do not tell them apart"
                                )
                            } else {
                                format!(
                                    "{n} pupils of the school are «{name}»: add the column \
                                     «Класс» or «Дата рождения» to tell them apart"
                                )
                            },
                        ),
                    };
                    errors.push(CellError {
                        row: r.row,
                        column: Some(column),
                        message,
                    });
                    if errors.len() >= MAX_ERRORS {
                        break;
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(ids)
        } else {
            Err(ExamErrors(errors))
        }
    }
}

/// The school's subject a name means (by its name or short name, case-folded, `ё` as `е`), if
/// any; results in other subjects keep the name as written.
pub fn match_subject(name: &str, subjects: &[(SubjectId, String, String)]) -> Option<SubjectId> {
    let want = sort_key(name.trim());
    subjects
        .iter()
        .find(|(_, n, short)| sort_key(n) == want || sort_key(short) == want)
        .map(|(id, _, _)| *id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

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

    #[test]
    fn marks_read_as_people_write_them_and_round_trip_their_codes() {
        let oge = ExamKind::Oge;
        assert_eq!(oge.parse_mark("5,0"), Ok(ExamMark::Mark(5)));
        assert_eq!(oge.parse_mark("«отлично»"), Ok(ExamMark::Mark(5)));
        assert_eq!(oge.parse_mark("неуд."), Ok(ExamMark::Mark(2)));
        assert!(oge.parse_mark("1").is_err() && oge.parse_mark("4.5").is_err());
        assert!(ExamKind::Ege.parse_mark("101").is_err());
        assert!(ExamKind::Interview.parse_mark("5").is_err());
        for (kind, m) in [
            (ExamKind::Vpr, ExamMark::Mark(3)),
            (ExamKind::Ege, ExamMark::Score(5)),
            (ExamKind::Interview, ExamMark::Pass),
            (ExamKind::Interview, ExamMark::Fail),
        ] {
            assert_eq!(ExamMark::from_code(kind, &m.code()), Some(m));
        }
        assert_eq!(ExamMark::from_code(ExamKind::Oge, "7"), None);
        for k in ExamKind::ALL {
            assert_eq!(ExamKind::parse(k.code()), Some(k));
            assert_eq!(ExamKind::parse(k.russian()), Some(k));
        }
        assert_eq!(ExamKind::parse("огэ"), Some(ExamKind::Oge));
        assert_eq!(ExamKind::parse("ГИА"), None);
    }

    #[test]
    fn dates_and_receipt_instants_read_in_the_schools_zone() {
        assert_eq!(
            parse_date("03.06.2027 0:00:00"),
            Some(date!(2027 - 06 - 03))
        );
        assert_eq!(parse_date("2027/06/03"), Some(date!(2027 - 06 - 03)));
        assert_eq!(parse_date("31.02.2027"), None);
        assert_eq!(parse_date("03.06.27"), None);
        let msk = TimeZoneName::MOSCOW;
        let utc = datetime!(2026-11-27 07:00 UTC);
        assert_eq!(parse_received_at("2026-11-27T10:00", &msk), Some(utc));
        assert_eq!(parse_received_at("27.11.2026 10:00", &msk), Some(utc));
        assert_eq!(
            parse_received_at("2026-11-27T10:00:00+03:00", &msk),
            Some(utc)
        );
        assert_eq!(parse_received_at("2026-11-27T07:00:00Z", &msk), Some(utc));
        assert_eq!(parse_received_at("2026-11-27", &msk), None);
        assert_eq!(parse_received_at("2026-11-27 25:00", &msk), None);
        assert_eq!(parse_received_at("2026-11-27 10:00:00:00", &msk), None);
    }

    #[test]
    fn a_result_is_due_a_day_after_receipt_and_listed_a_week_when_late() {
        let received = datetime!(2026-11-26 10:00 UTC);
        let now = datetime!(2026-11-27 09:00 UTC);
        assert!(matches!(
            Publication::of(received, None, now),
            Publication::Pending { .. }
        ));
        let now = datetime!(2026-11-27 16:00 UTC);
        let state = Publication::of(received, None, now);
        assert_eq!(
            state,
            Publication::Overdue {
                due: datetime!(2026-11-27 10:00 UTC),
                by: Duration::hours(6)
            }
        );
        assert!(state.listed(None, now));
        let on_time = Some(datetime!(2026-11-27 09:59 UTC));
        assert_eq!(Publication::of(received, on_time, now), Publication::OnTime);
        let late = Some(datetime!(2026-11-27 12:00 UTC));
        let state = Publication::of(received, late, now);
        assert_eq!(
            state,
            Publication::Late {
                delay: Duration::hours(26)
            }
        );
        assert!(state.listed(late, now));
        assert!(!state.listed(late, now + Duration::days(8)));
    }

    fn candidate(id: i64, name: &str, class: &str, born: Option<Date>) -> Candidate {
        let (last, first, middle) = split_full_name(name).unwrap();
        Candidate {
            id: PersonId::new(id),
            last,
            first,
            middle,
            birth_date: born,
            class: Some(class.to_owned()),
        }
    }

    fn pupil(name: &str, class: Option<&str>, born: Option<Date>) -> PupilRef {
        let (last, first, middle) = split_full_name(name).unwrap();
        PupilRef {
            last,
            first,
            middle,
            class: class.map(str::to_owned),
            birth_date: born,
        }
    }

    #[test]
    fn namesakes_are_told_apart_by_patronymic_class_or_birth_date() {
        let index = PupilIndex::new(vec![
            candidate(
                1,
                "Петров Иван Сергеевич",
                "9А",
                Some(date!(2011 - 03 - 14)),
            ),
            candidate(2, "Петров Иван Олегович", "9Б", Some(date!(2011 - 05 - 01))),
            candidate(3, "Сёмина Анна Петровна", "9А", None),
        ]);
        assert_eq!(
            index.find(&pupil("ПЕТРОВ иван сергеевич", None, None)),
            Ok(PersonId::new(1))
        );
        assert_eq!(
            index.find(&pupil("Петров Иван", Some("9 б"), None)),
            Ok(PersonId::new(2))
        );
        assert_eq!(
            index.find(&pupil("Петров Иван", Some("9-a"), None)),
            Ok(PersonId::new(1))
        );
        assert_eq!(
            index.find(&pupil("Петров Иван", None, Some(date!(2011 - 05 - 01)))),
            Ok(PersonId::new(2))
        );
        assert_eq!(
            index.find(&pupil("Семина Анна", None, None)),
            Ok(PersonId::new(3))
        );
        assert_eq!(
            index.find(&pupil("Петров Иван", None, None)),
            Err(NoMatch::Ambiguous(2))
        );
        assert_eq!(
            index.find(&pupil("Петров Иван", Some("9В"), None)),
            Err(NoMatch::NotInClass)
        );
        assert_eq!(
            index.find(&pupil("Петров Иван", None, Some(date!(2011 - 01 - 01)))),
            Err(NoMatch::NotBornThen)
        );
        assert_eq!(
            index.find(&pupil("Петров Пётр", None, None)),
            Err(NoMatch::Unknown)
        );
        assert_eq!(
            index.find(&pupil("Петров Иван Ильич", None, None)),
            Err(NoMatch::Unknown)
        );
    }

    #[test]
    fn unmatched_rows_are_named_by_row_and_column() {
        let index = PupilIndex::new(vec![
            candidate(1, "Петров Иван Сергеевич", "9А", None),
            candidate(2, "Петров Иван Олегович", "9Б", None),
        ]);
        let csv = "Фамилия;Имя;Класс;Предмет;Отметка\nПетров;Иван;9А;Физика;5\nПетров;Иван;9В;Физика;5\nИванов;Пётр;9А;Физика;4\n";
        let p = parse_csv(ExamKind::Oge, csv.as_bytes()).unwrap();
        let e = p.match_pupils(&index).unwrap_err();
        let text: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            vec![
                "row 3, column «Класс»: no pupil «Петров Иван» in class 9В",
                "row 4, column «Фамилия»: no pupil «Иванов Пётр» in the school",
            ]
        );
        let csv = "ФИО;Предмет;Отметка\nПетров Иван;Физика;5\n";
        let p = parse_csv(ExamKind::Oge, csv.as_bytes()).unwrap();
        let e = p.match_pupils(&index).unwrap_err();
        assert_eq!(
            e.0[0].to_string(),
            "row 2, column «ФИО»: 2 pupils of the school are «Петров Иван»: add the column «Класс» or «Дата рождения» to tell them apart"
        );
    }

    #[test]
    fn subjects_match_by_name_or_short_name() {
        let subjects = vec![
            (SubjectId::new(1), "Математика".to_owned(), "Мат".to_owned()),
            (
                SubjectId::new(2),
                "Русский язык".to_owned(),
                "Рус. яз.".to_owned(),
            ),
        ];
        assert_eq!(
            match_subject(" математика ", &subjects),
            Some(SubjectId::new(1))
        );
        assert_eq!(
            match_subject("рус. яз.", &subjects),
            Some(SubjectId::new(2))
        );
        assert_eq!(match_subject("Окружающий мир", &subjects), None);
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

        #[test]
        fn receipt_instants_never_panic(raw in "\\PC{0,40}") {
            let _ = parse_received_at(&raw, &TimeZoneName::MOSCOW);
            let _ = parse_date(&raw);
        }
    }
}

/// A batch with how much of it the families can see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExamBatch {
    /// Id.
    pub id: ExamBatchId,
    /// School.
    pub school: SchoolId,
    /// Which exam.
    pub exam: ExamKind,
    /// The file's name.
    pub file_name: String,
    /// When the school received the results.
    pub received_at: OffsetDateTime,
    /// Who imported it (their login; none for the command line and the demo).
    pub imported_by: Option<String>,
    /// When.
    pub imported_at: OffsetDateTime,
    /// Result rows.
    pub rows: i64,
    /// Rows the families can see.
    pub published: i64,
    /// The subjects of its rows, `, `-joined.
    pub subjects: String,
}

/// A stored result, with the pupil's name and class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExamResult {
    /// Id.
    pub id: ExamResultId,
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// The batch it came in.
    pub batch: Option<ExamBatchId>,
    /// Pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub student_name: String,
    /// The pupil's class in the result's year (the latest), if any.
    pub class_name: Option<String>,
    /// Which exam.
    pub exam: ExamKind,
    /// The school's subject.
    pub subject: Option<SubjectId>,
    /// The subject as received.
    pub subject_name: String,
    /// When taken.
    pub taken_on: Option<Date>,
    /// Primary score.
    pub score: Option<i64>,
    /// The result.
    pub mark: ExamMark,
    /// Where it came from.
    pub source: String,
    /// When the school received it.
    pub received_at: OffsetDateTime,
    /// When the family could first see it.
    pub published_at: Option<OffsetDateTime>,
}
