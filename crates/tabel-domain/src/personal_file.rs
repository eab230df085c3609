//! The personal file (личное дело) a pupil takes to another school: every year of the record —
//! the classes with their school, the subjects with every final mark, exam results, deferrals,
//! academic debts with their retakes and the year's attendance totals — as a machine-readable
//! document another Tabel deployment imports.
//!
//! The document is self-contained: no local id of the sending deployment, only names, codes,
//! dates and instants. It names its format (`tabel.personal-file`, version 1), the verification
//! code it was registered under, the issuing school and when, and the pupil. Its `sha256` is
//! the SHA-256 (hex) of the canonical content: the document serialised as compact JSON, members
//! in the order of [`PersonalFile`], with `sha256` itself empty. The receiver re-serialises what
//! it parsed the same way, so a changed value breaks the checksum while a re-indented file does
//! not.
//!
//! An imported file is outside input: [`PersonalFile::parse`] caps the size before reading,
//! refuses unknown members, checks the format and version, the checksum, every count against a
//! cap and every code, date and instant, and names what is wrong.

use crate::exams::{ExamKind, ExamMark};
use crate::extract::ExtractCode;
use crate::finals::FinalValue;
use crate::school::PeriodKind;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

/// The format's name.
pub const FORMAT: &str = "tabel.personal-file";
/// The format's version this build writes and reads.
pub const VERSION: u32 = 1;
/// The largest document accepted, in bytes (eleven full years take about a tenth of it).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// At most this many years in a file (eleven grades and some repeated).
pub const MAX_YEARS: usize = 16;
/// At most this many classes, subjects, exam results, deferrals or debts in a year.
pub const MAX_PER_YEAR: usize = 80;
/// At most this many marks of a subject in a year (periods, year, exam, итоговая).
pub const MAX_MARKS: usize = 12;
/// At most this many retakes of a debt.
pub const MAX_RETAKES: usize = 4;
/// At most this many characters in a name, a basis or another text.
pub const MAX_TEXT: usize = 400;

/// The school that issued the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSchool {
    /// The full name.
    pub name: String,
    /// Municipality ("" when not known).
    pub municipality: String,
    /// Region ("" when not known).
    pub region: String,
}

/// The pupil the file is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilePupil {
    /// Surname.
    pub last_name: String,
    /// Name.
    pub first_name: String,
    /// Patronymic ("" when none).
    pub middle_name: String,
    /// ISO date, null when not known.
    pub birth_date: Option<String>,
}

/// A class the pupil was in during a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileClass {
    /// The school's full name.
    pub school: String,
    /// "5А".
    pub name: String,
    /// 1–11.
    pub grade: u8,
    /// ISO date the pupil joined.
    pub from: String,
    /// ISO date the pupil left, null while in it.
    pub to: Option<String>,
}

/// A final mark of a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileMark {
    /// `period`, `year`, `exam` or `final` (итоговая).
    pub slot: String,
    /// A period's kind (`quarter`, `trimester`, `half_year`), for `period` only.
    pub period_kind: Option<String>,
    /// A period's number within the year, for `period` only.
    pub period_number: Option<u8>,
    /// The stored code: `5`, `na`, `exempt`, `pass`, `fail`.
    pub code: String,
    /// As the sending school showed it ("5", "н/а", "осв."); informative only.
    pub shown: String,
    /// RFC 3339.
    pub set_at: String,
    /// When the family could first see it (RFC 3339), null: never published.
    pub published_at: Option<String>,
}

/// A subject of a year with its marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSubject {
    /// The name as the school wrote it.
    pub name: String,
    /// Its place in the school's order.
    pub order: i64,
    /// The periods' marks in order, then the year's, the exam's and the итоговая.
    pub marks: Vec<FileMark>,
}

/// An exam result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileExam {
    /// `oge`, `ege`, `gve`, `vpr`, `interview`, `school`.
    pub exam: String,
    /// The subject's name.
    pub subject: String,
    /// ISO date, if known.
    pub taken_on: Option<String>,
    /// Primary score.
    pub score: Option<i64>,
    /// `5`, `pass`, `fail`, or a ЕГЭ test score.
    pub mark: String,
    /// RFC 3339.
    pub received_at: String,
    /// RFC 3339, null: not published to the family.
    pub published_at: Option<String>,
}

/// A deferral of a final mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDeferral {
    /// The subject's name.
    pub subject: String,
    /// Which mark: `period`, `year`, `exam`, `final`.
    pub slot: String,
    /// For `period`: its kind.
    pub period_kind: Option<String>,
    /// For `period`: its number.
    pub period_number: Option<u8>,
    /// ISO date.
    pub starts_on: String,
    /// ISO date.
    pub ends_on: String,
    /// The order or document.
    pub basis: String,
    /// `open`, `resolved`, `lapsed`.
    pub state: String,
}

/// A retake of a debt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRetake {
    /// 1 or 2.
    pub attempt: i64,
    /// ISO date.
    pub on: String,
    /// The result's code.
    pub value: String,
}

/// An academic debt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDebt {
    /// The subject's name.
    pub subject: String,
    /// Which mark: `period`, `year`, `exam`, `final`.
    pub slot: String,
    /// For `period`: its kind.
    pub period_kind: Option<String>,
    /// For `period`: its number.
    pub period_number: Option<u8>,
    /// ISO date.
    pub arisen_on: String,
    /// ISO date.
    pub deadline: String,
    /// `open`, `expired`, `closed`, `exhausted`, as on the day of issue.
    pub state: String,
    /// The result that closed it.
    pub result: Option<String>,
    /// Retakes in order.
    pub retakes: Vec<FileRetake>,
}

/// A year's attendance: lessons missed, of them for a good reason (illness or a valid reason),
/// and lates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAttendance {
    /// Lessons missed.
    pub missed: u32,
    /// Of them for a good reason.
    pub excused: u32,
    /// Lates.
    pub late: u32,
}

/// A school year of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileYear {
    /// The calendar year it starts in.
    pub start_year: i32,
    /// "2025/2026".
    pub label: String,
    /// The pupil's grade, null when unknown.
    pub grade: Option<u8>,
    /// The classes, in order.
    pub classes: Vec<FileClass>,
    /// Subjects in the school's order.
    pub subjects: Vec<FileSubject>,
    /// Exam results.
    pub exams: Vec<FileExam>,
    /// Deferrals.
    pub deferrals: Vec<FileDeferral>,
    /// Academic debts.
    pub debts: Vec<FileDebt>,
    /// Attendance totals.
    pub attendance: FileAttendance,
}

/// The personal file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalFile {
    /// [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// The verification code it was registered under ("7K3M-Q9XD").
    pub code: String,
    /// RFC 3339.
    pub issued_at: String,
    /// Who issued it.
    pub school: FileSchool,
    /// Whom it is about.
    pub pupil: FilePupil,
    /// Every year of the record, oldest first.
    pub years: Vec<FileYear>,
    /// SHA-256 (hex) of the canonical content (see the module's documentation).
    pub sha256: String,
}

/// What is wrong with a file offered for import: the member it concerns and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Larger than [`MAX_BYTES`].
    #[error("the file is {0} bytes; a personal file is at most {MAX_BYTES} bytes")]
    TooLarge(usize),
    /// Not JSON, or not of this shape.
    #[error("not a personal file: {0}")]
    Malformed(String),
    /// Another format, or another version of this one.
    #[error("{0}")]
    Format(String),
    /// The content does not match its checksum.
    #[error("the checksum does not match the content: the file was changed after it was issued")]
    Checksum,
    /// A member breaks a rule or a cap.
    #[error("{field}: {message}")]
    Invalid {
        /// Where, as a path: `years[2].subjects[0].marks[1].code`.
        field: String,
        /// Why.
        message: String,
    },
}

impl FileError {
    /// The member it concerns, for a problem's `errors`.
    pub fn field(&self) -> &str {
        match self {
            FileError::TooLarge(_) | FileError::Malformed(_) => "file",
            FileError::Format(_) => "format",
            FileError::Checksum => "sha256",
            FileError::Invalid { field, .. } => field,
        }
    }
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> FileError {
    FileError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// Parses an ISO date.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, &time::format_description::well_known::Iso8601::DATE).ok()
}

/// Parses an RFC 3339 instant.
pub fn parse_instant(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// A slot of a mark, deferral or debt as the file names it.
pub const SLOTS: [&str; 4] = ["period", "year", "exam", "final"];

/// Only the format's name and version, read first so that another document is told so.
#[derive(Deserialize)]
struct Probe {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

impl PersonalFile {
    /// The SHA-256 (hex) of the canonical content.
    pub fn content_sha256(&self) -> String {
        let mut bare = self.clone();
        bare.sha256 = String::new();
        // Serialising plain strings, numbers and vectors cannot fail.
        let bytes = serde_json::to_vec(&bare).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    }

    /// Sets `sha256` from the content.
    pub fn seal(&mut self) {
        self.sha256 = self.content_sha256();
    }

    /// The document as the file carries it.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Reads and checks a file offered for import (see the module's documentation).
    pub fn parse(bytes: &[u8]) -> Result<PersonalFile, FileError> {
        if bytes.len() > MAX_BYTES {
            return Err(FileError::TooLarge(bytes.len()));
        }
        let probe: Probe =
            serde_json::from_slice(bytes).map_err(|e| FileError::Malformed(e.to_string()))?;
        if probe.format.as_ref().and_then(|v| v.as_str()) != Some(FORMAT) {
            return Err(FileError::Format(format!(
                "the format is {}, not \"{FORMAT}\"",
                probe
                    .format
                    .map_or_else(|| "missing".to_owned(), |v| v.to_string())
            )));
        }
        if probe.version.as_ref().and_then(|v| v.as_u64()) != Some(u64::from(VERSION)) {
            return Err(FileError::Format(format!(
                "version {} of the format is not read here (this server reads version {VERSION})",
                probe
                    .version
                    .map_or_else(|| "missing".to_owned(), |v| v.to_string())
            )));
        }
        let file: PersonalFile =
            serde_json::from_slice(bytes).map_err(|e| FileError::Malformed(e.to_string()))?;
        if file.sha256.len() != 64 || !file.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid("sha256", "not a SHA-256 in hex"));
        }
        if !file.sha256.eq_ignore_ascii_case(&file.content_sha256()) {
            return Err(FileError::Checksum);
        }
        file.check()?;
        Ok(file)
    }

    /// Every count, text, code, date and instant against the rules.
    fn check(&self) -> Result<(), FileError> {
        if ExtractCode::parse(&self.code).map(|c| c.as_str().to_owned()) != Some(self.code.clone())
        {
            return Err(invalid("code", "not a verification code (XXXX-XXXX)"));
        }
        instant("issued_at", &self.issued_at)?;
        text("school.name", &self.school.name, true)?;
        text("school.municipality", &self.school.municipality, false)?;
        text("school.region", &self.school.region, false)?;
        text("pupil.last_name", &self.pupil.last_name, true)?;
        text("pupil.first_name", &self.pupil.first_name, true)?;
        text("pupil.middle_name", &self.pupil.middle_name, false)?;
        if let Some(d) = &self.pupil.birth_date {
            date("pupil.birth_date", d)?;
        }
        count("years", self.years.len(), MAX_YEARS)?;
        for (i, y) in self.years.iter().enumerate() {
            let at = format!("years[{i}]");
            if !(1990..=2100).contains(&y.start_year) {
                return Err(invalid(format!("{at}.start_year"), "not a school year"));
            }
            if y.label != format!("{}/{}", y.start_year, y.start_year + 1) {
                return Err(invalid(format!("{at}.label"), "does not match start_year"));
            }
            if let Some(g) = y.grade {
                grade(&format!("{at}.grade"), g)?;
            }
            count(&format!("{at}.classes"), y.classes.len(), MAX_PER_YEAR)?;
            for (j, c) in y.classes.iter().enumerate() {
                let at = format!("{at}.classes[{j}]");
                text(&format!("{at}.school"), &c.school, true)?;
                text(&format!("{at}.name"), &c.name, true)?;
                grade(&format!("{at}.grade"), c.grade)?;
                date(&format!("{at}.from"), &c.from)?;
                if let Some(to) = &c.to {
                    date(&format!("{at}.to"), to)?;
                }
            }
            count(&format!("{at}.subjects"), y.subjects.len(), MAX_PER_YEAR)?;
            for (j, s) in y.subjects.iter().enumerate() {
                let at = format!("{at}.subjects[{j}]");
                text(&format!("{at}.name"), &s.name, true)?;
                count(&format!("{at}.marks"), s.marks.len(), MAX_MARKS)?;
                for (k, m) in s.marks.iter().enumerate() {
                    let at = format!("{at}.marks[{k}]");
                    slot(&at, &m.slot, m.period_kind.as_deref(), m.period_number)?;
                    if FinalValue::from_code(&m.code).is_none_or(|v| v.code() != m.code) {
                        return Err(invalid(format!("{at}.code"), "not a final mark's code"));
                    }
                    text(&format!("{at}.shown"), &m.shown, false)?;
                    instant(&format!("{at}.set_at"), &m.set_at)?;
                    if let Some(p) = &m.published_at {
                        instant(&format!("{at}.published_at"), p)?;
                    }
                }
            }
            count(&format!("{at}.exams"), y.exams.len(), MAX_PER_YEAR)?;
            for (j, e) in y.exams.iter().enumerate() {
                let at = format!("{at}.exams[{j}]");
                let kind = exam_kind(&e.exam)
                    .ok_or_else(|| invalid(format!("{at}.exam"), "not an exam's code"))?;
                text(&format!("{at}.subject"), &e.subject, true)?;
                if let Some(d) = &e.taken_on {
                    date(&format!("{at}.taken_on"), d)?;
                }
                if e.score.is_some_and(|s| !(0..=1000).contains(&s)) {
                    return Err(invalid(format!("{at}.score"), "out of range"));
                }
                if ExamMark::from_code(kind, &e.mark).is_none_or(|m| m.code() != e.mark) {
                    return Err(invalid(format!("{at}.mark"), "not a result of this exam"));
                }
                instant(&format!("{at}.received_at"), &e.received_at)?;
                if let Some(p) = &e.published_at {
                    instant(&format!("{at}.published_at"), p)?;
                }
            }
            count(&format!("{at}.deferrals"), y.deferrals.len(), MAX_PER_YEAR)?;
            for (j, d) in y.deferrals.iter().enumerate() {
                let at = format!("{at}.deferrals[{j}]");
                text(&format!("{at}.subject"), &d.subject, true)?;
                slot(&at, &d.slot, d.period_kind.as_deref(), d.period_number)?;
                date(&format!("{at}.starts_on"), &d.starts_on)?;
                date(&format!("{at}.ends_on"), &d.ends_on)?;
                text(&format!("{at}.basis"), &d.basis, false)?;
                one_of(
                    &format!("{at}.state"),
                    &d.state,
                    &["open", "resolved", "lapsed"],
                )?;
            }
            count(&format!("{at}.debts"), y.debts.len(), MAX_PER_YEAR)?;
            for (j, d) in y.debts.iter().enumerate() {
                let at = format!("{at}.debts[{j}]");
                text(&format!("{at}.subject"), &d.subject, true)?;
                slot(&at, &d.slot, d.period_kind.as_deref(), d.period_number)?;
                date(&format!("{at}.arisen_on"), &d.arisen_on)?;
                date(&format!("{at}.deadline"), &d.deadline)?;
                one_of(
                    &format!("{at}.state"),
                    &d.state,
                    &["open", "expired", "closed", "exhausted"],
                )?;
                if let Some(r) = &d.result {
                    text(&format!("{at}.result"), r, false)?;
                }
                count(&format!("{at}.retakes"), d.retakes.len(), MAX_RETAKES)?;
                for (k, r) in d.retakes.iter().enumerate() {
                    let at = format!("{at}.retakes[{k}]");
                    if !(1..=9).contains(&r.attempt) {
                        return Err(invalid(format!("{at}.attempt"), "out of range"));
                    }
                    date(&format!("{at}.on"), &r.on)?;
                    text(&format!("{at}.value"), &r.value, true)?;
                }
            }
        }
        Ok(())
    }
}

/// An exam's code as stored (`oge`), nothing looser.
pub fn exam_kind(code: &str) -> Option<ExamKind> {
    ExamKind::parse(code).filter(|k| k.code() == code)
}

fn count(field: &str, n: usize, max: usize) -> Result<(), FileError> {
    if n > max {
        return Err(invalid(field, format!("{n} entries; at most {max}")));
    }
    Ok(())
}

fn text(field: &str, s: &str, required: bool) -> Result<(), FileError> {
    if required && s.trim().is_empty() {
        return Err(invalid(field, "empty"));
    }
    if s.chars().count() > MAX_TEXT {
        return Err(invalid(field, format!("longer than {MAX_TEXT} characters")));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(invalid(field, "contains control characters"));
    }
    Ok(())
}

fn date(field: &str, s: &str) -> Result<Date, FileError> {
    parse_date(s).ok_or_else(|| invalid(field, "not an ISO date (2026-11-28)"))
}

fn instant(field: &str, s: &str) -> Result<OffsetDateTime, FileError> {
    parse_instant(s).ok_or_else(|| invalid(field, "not an RFC 3339 instant"))
}

fn grade(field: &str, g: u8) -> Result<(), FileError> {
    if !(1..=11).contains(&g) {
        return Err(invalid(field, "a grade is 1–11"));
    }
    Ok(())
}

fn one_of(field: &str, s: &str, allowed: &[&str]) -> Result<(), FileError> {
    if !allowed.contains(&s) {
        return Err(invalid(field, format!("one of {}", allowed.join(", "))));
    }
    Ok(())
}

/// A slot with its period: `period` needs a kind and a number 1–4, the others neither.
fn slot(at: &str, slot: &str, kind: Option<&str>, number: Option<u8>) -> Result<(), FileError> {
    one_of(&format!("{at}.slot"), slot, &SLOTS)?;
    match (slot, kind, number) {
        ("period", Some(k), Some(n)) => {
            let kind = PeriodKind::from_code(k)
                .map_err(|_| invalid(format!("{at}.period_kind"), "not a period's kind"))?;
            if n == 0 || n > kind.per_year() {
                return Err(invalid(format!("{at}.period_number"), "out of range"));
            }
            Ok(())
        }
        ("period", _, _) => Err(invalid(
            format!("{at}.period_kind"),
            "a period's mark names its period's kind and number",
        )),
        (_, None, None) => Ok(()),
        _ => Err(invalid(
            format!("{at}.period_kind"),
            "only a period's mark names a period",
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sample() -> PersonalFile {
        let mut f = PersonalFile {
            format: FORMAT.into(),
            version: VERSION,
            code: "7K3M-Q9XD".into(),
            issued_at: "2026-11-28T10:00:00Z".into(),
            school: FileSchool {
                name: "МБОУ СОШ № 1".into(),
                ..FileSchool::default()
            },
            pupil: FilePupil {
                last_name: "Иванов".into(),
                first_name: "Иван".into(),
                middle_name: String::new(),
                birth_date: Some("2016-03-01".into()),
            },
            years: vec![FileYear {
                start_year: 2025,
                label: "2025/2026".into(),
                grade: Some(4),
                classes: vec![],
                subjects: vec![FileSubject {
                    name: "Математика".into(),
                    order: 10,
                    marks: vec![FileMark {
                        slot: "period".into(),
                        period_kind: Some("quarter".into()),
                        period_number: Some(1),
                        code: "5".into(),
                        shown: "5".into(),
                        set_at: "2025-10-28T10:00:00Z".into(),
                        published_at: None,
                    }],
                }],
                exams: vec![],
                deferrals: vec![],
                debts: vec![],
                attendance: FileAttendance::default(),
            }],
            sha256: String::new(),
        };
        f.seal();
        f
    }

    #[test]
    fn a_sealed_file_reads_back_whatever_its_layout() {
        let f = sample();
        assert_eq!(PersonalFile::parse(&f.to_json()).unwrap(), f);
        let compact = serde_json::to_vec(&f).unwrap();
        assert_eq!(PersonalFile::parse(&compact).unwrap(), f);
    }

    #[test]
    fn a_changed_value_breaks_the_checksum() {
        let mut f = sample();
        f.years[0].subjects[0].marks[0].code = "4".into();
        assert_eq!(PersonalFile::parse(&f.to_json()), Err(FileError::Checksum));
    }

    #[test]
    fn another_format_or_version_is_named() {
        let mut f = sample();
        f.version = 2;
        let e = PersonalFile::parse(&f.to_json()).unwrap_err();
        assert!(matches!(e, FileError::Format(_)), "{e}");
        assert_eq!(e.field(), "format");
        let e = PersonalFile::parse(br#"{"format":"oneroster"}"#).unwrap_err();
        assert!(matches!(e, FileError::Format(_)), "{e}");
        let e = PersonalFile::parse(b"[1,2").unwrap_err();
        assert!(matches!(e, FileError::Malformed(_)), "{e}");
    }

    #[test]
    fn unknown_members_and_bad_values_are_refused_with_their_place() {
        let mut v = serde_json::to_value(sample()).unwrap();
        v["extra"] = serde_json::json!(1);
        let e = PersonalFile::parse(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert!(matches!(e, FileError::Malformed(_)), "{e}");

        let mut f = sample();
        f.years[0].subjects[0].marks[0].period_number = Some(5);
        f.seal();
        let e = PersonalFile::parse(&f.to_json()).unwrap_err();
        assert_eq!(e.field(), "years[0].subjects[0].marks[0].period_number");

        let mut f = sample();
        f.years[0].subjects[0].marks[0].code = "отл".into();
        f.seal();
        let e = PersonalFile::parse(&f.to_json()).unwrap_err();
        assert_eq!(e.field(), "years[0].subjects[0].marks[0].code");
    }

    #[test]
    fn counts_and_sizes_are_capped() {
        let mut f = sample();
        let y = f.years[0].clone();
        f.years = vec![y; MAX_YEARS + 1];
        f.seal();
        let e = PersonalFile::parse(&f.to_json()).unwrap_err();
        assert_eq!(e.field(), "years");
        let big = vec![b' '; MAX_BYTES + 1];
        assert_eq!(
            PersonalFile::parse(&big),
            Err(FileError::TooLarge(MAX_BYTES + 1))
        );
    }
}
