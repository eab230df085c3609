//! A pupil's record across the years (регламент, п. 3) on three faces: the family's diary
//! (`/diary/{student}/record`, a section of the cabinet), the school's page for the class
//! teacher, deputy heads and administrators (`/school/students/{id}/record`, printable), and
//! `GET /api/v1/students/{id}/record`.
//!
//! The pages show a table per level of education — subjects × years (with the class of each
//! year), the year's mark and the periods' beneath it, the exam and the итоговая — then the
//! level's exam results, deferrals and academic debts.

use crate::AppState;
use crate::diary::views::{self, Head, Section};
use crate::error::{ApiError, PageError, Problem, render};
use crate::extract::{ApiUser, Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::Path;
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use serde::Serialize;
use tabel_app::record::{FinalEntry, LevelRecord, StudentRecord, SubjectLine, YearRecord};
use tabel_domain::PersonId;
use tabel_domain::exams::ExamMark;
use tabel_domain::finals::FinalValue;
use tabel_domain::finals::Slot;
use tabel_domain::record::EducationLevel;
use tabel_domain::record::{RecordDebt, RecordDeferral, RecordExam};
use tabel_domain::school::PeriodKind;
use tabel_present::date;
use tabel_present::rfc3339;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/diary/{student}/record", get(diary_page))
        .route("/school/students/{id}/record", get(school_page))
}

pub(crate) fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(student_record))
}

// ---------------------------------------------------------------- the view of a record

/// A year's column head.
pub struct YearHead {
    /// "2025/2026".
    pub label: String,
    /// "5А", "5А → 5Б", or the grade ("5 класс") when no class is kept.
    pub class: String,
    /// The school, when it is not the pupil's school now.
    pub school: String,
    /// "без отметок" for grade 1 (first-grade rules).
    pub note: String,
}

/// A cell of a year: the year's mark and, beneath, the periods'.
pub struct Cell {
    /// The year's mark ("" when not set).
    pub year: String,
    /// A failing year mark (2, н/а, незач.).
    pub failing: bool,
    /// The periods' marks, "5 4 5 4" ("" when none).
    pub periods: String,
    /// The periods' marks named: "1 четверть: 5; 2 четверть: 4".
    pub periods_title: String,
}

/// A subject's row of a level's table.
pub struct Row {
    /// The subject.
    pub name: String,
    /// One cell per year of the level.
    pub cells: Vec<Cell>,
    /// The exam's mark.
    pub exam: String,
    /// The итоговая.
    pub final_mark: String,
}

/// An exam result's line.
pub struct ExamRow {
    /// "2025/2026".
    pub year: String,
    /// "ОГЭ".
    pub exam: String,
    /// Subject.
    pub subject: String,
    /// "03.06.2026" or "".
    pub taken_on: String,
    /// Primary score or "".
    pub score: String,
    /// The result.
    pub mark: String,
    /// Not yet visible to the family (only staff see such lines).
    pub held_back: bool,
}

/// A deferral's line.
pub struct DeferralRow {
    /// "2026/2027".
    pub year: String,
    /// Subject.
    pub subject: String,
    /// Which mark: "1 четверть", "год".
    pub mark: String,
    /// "20.10.2026 – 10.11.2026".
    pub dates: String,
    /// The order or document.
    pub basis: String,
    /// "открыта", "закрыта: отметка выставлена", "истекла: н/а".
    pub state: String,
    /// Badge style.
    pub style: &'static str,
}

/// An academic debt's line.
pub struct DebtRow {
    /// "2025/2026".
    pub year: String,
    /// Subject.
    pub subject: String,
    /// Which mark.
    pub mark: String,
    /// "arose 01.06.2026, retake by 31.05.2027".
    pub dates: String,
    /// Retakes: "1) 15.09.2026: 2".
    pub retakes: String,
    /// State (and the result that closed it).
    pub state: String,
    /// Badge style.
    pub style: &'static str,
}

/// A level's part of the page.
pub struct LevelView {
    /// Element id, "level-basic".
    pub id: String,
    /// "Основное общее образование (5–9 классы)".
    pub title: String,
    /// The years' heads.
    pub years: Vec<YearHead>,
    /// A row per subject.
    pub rows: Vec<Row>,
    /// Any exam marks in the level (the column is shown).
    pub has_exam: bool,
    /// Any итоговая marks in the level.
    pub has_final: bool,
    /// Exam results.
    pub exams: Vec<ExamRow>,
    /// Deferrals.
    pub deferrals: Vec<DeferralRow>,
    /// Academic debts.
    pub debts: Vec<DebtRow>,
}

/// The record as the pages show it.
pub struct RecordView {
    /// The levels, in order.
    pub levels: Vec<LevelView>,
    /// The reader sees results not yet published (and is told which).
    pub staff: bool,
}

fn period_label(t: &Tr<'_>, period: Option<(PeriodKind, u8)>) -> String {
    match period {
        Some((kind, n)) => tabel_present::period_name(t.lang, kind, n),
        None => t.get("record-period"),
    }
}

/// Which mark a deferral or debt concerns: a period's, the year's, the exam's, the итоговая.
fn slot_label(t: &Tr<'_>, slot: &str, period: Option<(PeriodKind, u8)>) -> String {
    match Slot::parse(slot) {
        Some(Slot::Period(_)) => period_label(t, period),
        Some(Slot::Year) => t.get("record-col-year"),
        Some(Slot::Exam) => t.get("record-col-exam"),
        Some(Slot::Final) => t.get("record-col-final"),
        None => slot.to_owned(),
    }
}

fn failing(e: &FinalEntry) -> bool {
    matches!(
        FinalValue::from_code(&e.code),
        Some(FinalValue::NotAttested | FinalValue::Fail | FinalValue::Points(0..=2))
    )
}

fn cell(t: &Tr<'_>, line: Option<&SubjectLine>) -> Cell {
    let Some(line) = line else {
        return Cell {
            year: String::new(),
            failing: false,
            periods: String::new(),
            periods_title: String::new(),
        };
    };
    Cell {
        year: line
            .year
            .as_ref()
            .map(|e| e.shown.clone())
            .unwrap_or_default(),
        failing: line.year.as_ref().is_some_and(failing),
        periods: line
            .periods
            .iter()
            .map(|e| e.shown.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        periods_title: line
            .periods
            .iter()
            .map(|e| format!("{}: {}", period_label(t, e.period), e.shown))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn level_title(t: &Tr<'_>, level: Option<EducationLevel>) -> String {
    match level {
        Some(l) => t.get(&format!("record-level-{}", l.code())),
        None => t.get("record-level-unknown"),
    }
}

fn year_head(t: &Tr<'_>, y: &YearRecord, school: tabel_domain::SchoolId) -> YearHead {
    let class = y.class_names();
    YearHead {
        label: y.label.clone(),
        class: match (class.is_empty(), y.grade) {
            (false, _) => class,
            (true, Some(g)) => t.count("record-grade", i64::from(g)),
            (true, None) => String::new(),
        },
        school: match &y.source {
            // A year from a received personal file: its school and the file's code.
            Some(src) => t.args(
                "record-from-file",
                &[
                    ("school", src.school.clone().into()),
                    ("code", src.code.clone().into()),
                ],
            ),
            None => y
                .classes
                .iter()
                .filter(|c| c.school != school)
                .map(|c| c.school_name.clone())
                .next_back()
                .unwrap_or_default(),
        },
        note: if y.grade == Some(1) {
            t.get("record-grade-one")
        } else {
            String::new()
        },
    }
}

fn exam_row(t: &Tr<'_>, y: &YearRecord, e: &RecordExam) -> ExamRow {
    ExamRow {
        year: y.label.clone(),
        exam: crate::exams::pages::kind_label(t, e.exam),
        subject: e.subject_name.clone(),
        taken_on: e.taken_on.map(date).unwrap_or_default(),
        score: e.score.map(|s| s.to_string()).unwrap_or_default(),
        mark: crate::exams::pages::mark_label(t, e.mark),
        held_back: e.published_at.is_none(),
    }
}

fn deferral_row(t: &Tr<'_>, y: &YearRecord, d: &RecordDeferral) -> DeferralRow {
    DeferralRow {
        year: y.label.clone(),
        subject: d.subject_name.clone(),
        mark: slot_label(t, &d.slot, d.period),
        dates: format!("{} – {}", date(d.starts_on), date(d.ends_on)),
        basis: d.basis.clone(),
        state: t.get(&format!("record-deferral-{}", d.state)),
        style: match d.state.as_str() {
            "resolved" => "ok",
            "lapsed" => "bad",
            _ => "warn",
        },
    }
}

fn debt_row(t: &Tr<'_>, y: &YearRecord, d: &RecordDebt) -> DebtRow {
    let shown =
        |code: &str| FinalValue::from_code(code).map_or_else(|| code.to_owned(), |v| v.to_string());
    let mut state = t.get(&format!("record-debt-{}", d.state));
    if let Some(r) = d.result.as_deref().filter(|r| !r.is_empty()) {
        state.push_str(&format!(": {}", shown(r)));
    }
    DebtRow {
        year: y.label.clone(),
        subject: d.subject_name.clone(),
        mark: slot_label(t, &d.slot, d.period),
        dates: t.args(
            "record-debt-dates",
            &[
                ("arisen", date(d.arisen_on).into()),
                ("deadline", date(d.deadline).into()),
            ],
        ),
        retakes: d
            .retakes
            .iter()
            .map(|r| format!("{}) {}: {}", r.attempt, date(r.on), shown(&r.value)))
            .collect::<Vec<_>>()
            .join("; "),
        state,
        style: match d.state.as_str() {
            "closed" => "ok",
            "expired" | "exhausted" => "bad",
            _ => "warn",
        },
    }
}

fn level_view(t: &Tr<'_>, l: &LevelRecord, school: tabel_domain::SchoolId) -> LevelView {
    let subjects = l.subjects();
    let rows = subjects
        .iter()
        .map(|(key, name)| {
            let lines: Vec<Option<&SubjectLine>> = l.years.iter().map(|y| y.subject(key)).collect();
            // The exam and the итоговая of the level: the latest year that has one.
            let last = |pick: fn(&SubjectLine) -> Option<&FinalEntry>| {
                lines
                    .iter()
                    .rev()
                    .flatten()
                    .find_map(|s| pick(s))
                    .map(|e| e.shown.clone())
                    .unwrap_or_default()
            };
            Row {
                name: name.clone(),
                exam: last(|s| s.exam.as_ref()),
                final_mark: last(|s| s.final_mark.as_ref()),
                cells: lines.into_iter().map(|s| cell(t, s)).collect(),
            }
        })
        .collect::<Vec<Row>>();
    LevelView {
        id: format!("level-{}", l.level.map_or("unknown", EducationLevel::code)),
        title: level_title(t, l.level),
        years: l.years.iter().map(|y| year_head(t, y, school)).collect(),
        has_exam: rows.iter().any(|r| !r.exam.is_empty()),
        has_final: rows.iter().any(|r| !r.final_mark.is_empty()),
        rows,
        exams: l
            .years
            .iter()
            .flat_map(|y| y.exams.iter().map(move |e| (y, e)))
            .map(|(y, e)| exam_row(t, y, e))
            .collect(),
        deferrals: l
            .years
            .iter()
            .flat_map(|y| y.deferrals.iter().map(move |d| (y, d)))
            .map(|(y, d)| deferral_row(t, y, d))
            .collect(),
        debts: l
            .years
            .iter()
            .flat_map(|y| y.debts.iter().map(move |d| (y, d)))
            .map(|(y, d)| debt_row(t, y, d))
            .collect(),
    }
}

fn record_view(t: &Tr<'_>, r: &StudentRecord) -> RecordView {
    RecordView {
        levels: r
            .levels
            .iter()
            .map(|l| level_view(t, l, r.child.card.school))
            .collect(),
        staff: r.reader.sees_unpublished(),
    }
}

// ---------------------------------------------------------------- pages

#[derive(Template)]
#[template(path = "record/diary.html")]
struct DiaryRecordPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    head: Head,
    record: RecordView,
}

/// The record in the family's cabinet.
async fn diary_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
) -> Result<Html<String>, PageError> {
    let family = state.app.family(&user.who.principal).await?;
    let t = user.tr(&state);
    let r = state
        .app
        .student_record(&user.who.principal, student)
        .await?;
    render(DiaryRecordPage {
        head: views::head(
            &t,
            &family,
            &r.child,
            Section::Record,
            views::is_parent(&user),
        ),
        record: record_view(&t, &r),
        nav: user.nav.clone(),
        t,
    })
}

#[derive(Template)]
#[template(path = "record/school.html")]
struct SchoolRecordPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    name: String,
    /// "5А" ("" when in no class now).
    class: String,
    /// The class's page ("" when none).
    class_href: String,
    student_href: String,
    /// The pupil's exam and итоговая marks and exemptions.
    certificate_href: String,
    born: String,
    enrolled: String,
    /// "Сформировано 28.11.2026" (for the printout).
    printed: String,
    record: RecordView,
    /// Where the personal file's buttons post ("" when the reader may not issue it).
    file_href: String,
    /// Where the import form posts ("" when the reader may not import).
    import_href: String,
    /// Personal files received from other schools.
    received: Vec<ReceivedRow>,
}

/// A received personal file's line on the school's record page.
struct ReceivedRow {
    code: String,
    school: String,
    years: String,
    issued: String,
    imported: String,
    shown: bool,
}

/// The record for the school: the class teacher, deputy heads, administrators (and the pupil's
/// teachers).
async fn school_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
) -> Result<Html<String>, PageError> {
    let r = state
        .app
        .student_record(&user.who.principal, student)
        .await?;
    let t = user.tr(&state);
    let card = &r.child.card;
    render(SchoolRecordPage {
        name: card.person.full_name(),
        class: r
            .child
            .class
            .as_ref()
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        class_href: r
            .child
            .class
            .as_ref()
            .map(|g| format!("/school/classes/{}", g.id))
            .unwrap_or_default(),
        student_href: format!("/students/{student}"),
        certificate_href: format!("/school/students/{student}/certificate"),
        born: card.person.birth_date.map(date).unwrap_or_default(),
        enrolled: date(card.enrolled_on),
        printed: t.with("record-printed", "date", date(state.app.today())),
        record: record_view(&t, &r),
        file_href: if r.may_issue_file {
            format!("/school/students/{student}/personal-file")
        } else {
            String::new()
        },
        import_href: if r.may_import_file {
            format!("/school/students/{student}/personal-file/import")
        } else {
            String::new()
        },
        received: r
            .received
            .iter()
            .map(|f| ReceivedRow {
                code: f.code.clone(),
                school: f.school.clone(),
                years: f.years.clone(),
                issued: date(f.issued_at.date()),
                imported: format!("{} {}", date(f.imported_at.date()), f.imported_by),
                shown: f.shown,
            })
            .collect(),
        nav: user.nav.clone(),
        t,
    })
}

// ---------------------------------------------------------------- API

/// A final mark's details.
#[derive(Serialize, ToSchema)]
struct RecordFinalDto {
    /// `5`, `na`, `exempt`, `pass`, `fail`.
    code: String,
    /// `quarter`, `trimester`, `half_year` for a period's mark.
    period_kind: Option<&'static str>,
    /// The period's number within the year.
    period_number: Option<u8>,
    /// RFC 3339.
    set_at: String,
    /// When the family could first see it (RFC 3339).
    published_at: Option<String>,
}

/// An exam result's details.
#[derive(Serialize, ToSchema)]
struct RecordExamDto {
    id: String,
    /// `oge`, `ege`, `vpr`, `interview`, `school`.
    exam: &'static str,
    /// ISO date, if the source gave one.
    taken_on: Option<String>,
    /// Primary score.
    score: Option<i64>,
    /// `5`, `pass`, `fail`, or a ЕГЭ test score.
    mark: String,
    /// RFC 3339.
    received_at: String,
    /// When the family could first see it; null: not yet (only staff get such entries).
    published_at: Option<String>,
}

/// A deferral's details.
#[derive(Serialize, ToSchema)]
struct RecordDeferralDto {
    id: String,
    starts_on: String,
    ends_on: String,
    /// The order or medical document.
    basis: String,
    /// `open`, `resolved`, `lapsed`.
    state: String,
    /// For a period's mark: `quarter`, `trimester`, `half_year`.
    period_kind: Option<&'static str>,
    /// For a period's mark: its number within the year.
    period_number: Option<u8>,
}

/// A retake of a debt.
#[derive(Serialize, ToSchema)]
struct RecordRetakeDto {
    attempt: i64,
    on: String,
    /// The result's code.
    value: String,
}

/// An academic debt's details.
#[derive(Serialize, ToSchema)]
struct RecordDebtDto {
    id: String,
    arisen_on: String,
    deadline: String,
    /// `open`, `expired` (open past its deadline), `closed`, `exhausted` (both retakes failed).
    state: String,
    /// The result that closed it.
    result: Option<String>,
    retakes: Vec<RecordRetakeDto>,
    /// For a period's mark: `quarter`, `trimester`, `half_year`.
    period_kind: Option<&'static str>,
    /// For a period's mark: its number within the year.
    period_number: Option<u8>,
}

/// Where an entry from a received personal file comes from.
#[derive(Serialize, ToSchema)]
struct RecordSourceDto {
    /// The school that issued the file.
    school: String,
    /// The file's verification code (of the sending deployment).
    code: String,
}

/// An entry of a pupil's record. `year`, `subject_id`, `subject`, `slot` and `value` are as
/// they always were for final marks; the rest place the entry (level, class, school) and carry
/// the details of its kind.
#[derive(Serialize, ToSchema)]
struct RecordEntryDto {
    /// `final` (a final mark), `exam_result`, `deferral`, `debt`.
    kind: &'static str,
    /// `primary` (grades 1–4), `basic` (5–9), `secondary` (10–11); null when unknown.
    level: Option<&'static str>,
    /// The school year, "2025/2026".
    year: String,
    /// The pupil's grade that year.
    grade: Option<u8>,
    /// The pupil's class that year: "5А", "5А → 5Б" ("" when none is kept).
    class: String,
    /// The school the entry comes from.
    school_id: String,
    /// The academic year's id (of that school).
    year_id: String,
    /// The subject (of that school; "" for an exam result in a subject the school does not
    /// teach).
    subject_id: String,
    /// The subject's name there.
    subject: String,
    /// The final mark's slot: `p<period id>`, `year`, `exam`, `final` (for a deferral or debt:
    /// the mark it concerns; null for an exam result).
    slot: Option<String>,
    /// As shown: "5", "н/а", "осв."; an exam result's mark; a deferral's or debt's state.
    value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    final_mark: Option<RecordFinalDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exam_result: Option<RecordExamDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deferral: Option<RecordDeferralDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    debt: Option<RecordDebtDto>,
    /// For a year from a personal file received from another deployment: the school that
    /// issued it and the file's code. Such entries name no local row: `school_id`, `year_id`,
    /// `subject_id` and the ids of their details are "", and a period's slot is `period` (its
    /// kind and number in the details).
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<RecordSourceDto>,
}

/// An exam result as shown: the mark or score, зач./незач.
fn exam_shown(m: ExamMark) -> String {
    match m {
        ExamMark::Mark(n) | ExamMark::Score(n) => n.to_string(),
        ExamMark::Pass => FinalValue::Pass.to_string(),
        ExamMark::Fail => FinalValue::Fail.to_string(),
    }
}

/// The record as a flat list in order: level → year → the year's final marks by subject
/// (periods, year, exam, итоговая), its exam results, deferrals, debts.
fn entries(r: &StudentRecord) -> Vec<RecordEntryDto> {
    let mut out = Vec::new();
    for (level, y) in r.years() {
        let start = out.len();
        let class = y.class_names();
        let base = |kind, school: tabel_domain::SchoolId, year: tabel_domain::AcademicYearId| {
            RecordEntryDto {
                kind,
                level: level.map(EducationLevel::code),
                year: y.label.clone(),
                grade: y.grade,
                class: class.clone(),
                school_id: school.to_string(),
                year_id: year.to_string(),
                subject_id: String::new(),
                subject: String::new(),
                slot: None,
                value: String::new(),
                final_mark: None,
                exam_result: None,
                deferral: None,
                debt: None,
                source: None,
            }
        };
        for s in &y.subjects {
            for e in s.entries() {
                out.push(RecordEntryDto {
                    subject_id: e.subject.to_string(),
                    subject: s.name.clone(),
                    slot: Some(e.slot.code()),
                    value: e.shown.clone(),
                    final_mark: Some(RecordFinalDto {
                        code: e.code.clone(),
                        period_kind: e.period.map(|(k, _)| k.code()),
                        period_number: e.period.map(|(_, n)| n),
                        set_at: rfc3339(e.set_at),
                        published_at: e.published_at.map(rfc3339),
                    }),
                    ..base("final", e.school, e.year)
                });
            }
        }
        for e in &y.exams {
            out.push(RecordEntryDto {
                subject_id: e.subject.map(|s| s.to_string()).unwrap_or_default(),
                subject: e.subject_name.clone(),
                value: exam_shown(e.mark),
                exam_result: Some(RecordExamDto {
                    id: e.id.to_string(),
                    exam: e.exam.code(),
                    taken_on: e.taken_on.map(|d| d.to_string()),
                    score: e.score,
                    mark: e.mark.code(),
                    received_at: rfc3339(e.received_at),
                    published_at: e.published_at.map(rfc3339),
                }),
                ..base("exam_result", e.school, e.year)
            });
        }
        for d in &y.deferrals {
            out.push(RecordEntryDto {
                subject_id: d.subject.to_string(),
                subject: d.subject_name.clone(),
                slot: Some(d.slot.clone()),
                value: d.state.clone(),
                deferral: Some(RecordDeferralDto {
                    id: d.id.to_string(),
                    starts_on: d.starts_on.to_string(),
                    ends_on: d.ends_on.to_string(),
                    basis: d.basis.clone(),
                    state: d.state.clone(),
                    period_kind: d.period.map(|(k, _)| k.code()),
                    period_number: d.period.map(|(_, n)| n),
                }),
                ..base("deferral", d.school, d.year)
            });
        }
        for d in &y.debts {
            out.push(RecordEntryDto {
                subject_id: d.subject.to_string(),
                subject: d.subject_name.clone(),
                slot: Some(d.slot.clone()),
                value: d.state.clone(),
                debt: Some(RecordDebtDto {
                    id: d.id.to_string(),
                    arisen_on: d.arisen_on.to_string(),
                    deadline: d.deadline.to_string(),
                    state: d.state.clone(),
                    result: d.result.clone(),
                    retakes: d
                        .retakes
                        .iter()
                        .map(|t| RecordRetakeDto {
                            attempt: t.attempt,
                            on: t.on.to_string(),
                            value: t.value.clone(),
                        })
                        .collect(),
                    period_kind: d.period.map(|(k, _)| k.code()),
                    period_number: d.period.map(|(_, n)| n),
                }),
                ..base("debt", d.school, d.year)
            });
        }
        if let Some(src) = &y.source {
            for e in &mut out[start..] {
                received_entry(e, src);
            }
        }
    }
    out
}

/// An entry of a year from a received personal file: no local ids, its source named.
fn received_entry(e: &mut RecordEntryDto, src: &tabel_app::personal_file::RecordSource) {
    e.school_id.clear();
    e.year_id.clear();
    e.subject_id.clear();
    let period = |slot: &mut Option<String>| {
        if slot
            .as_deref()
            .is_some_and(|s| matches!(Slot::parse(s), Some(Slot::Period(_))) || s == "period")
        {
            *slot = Some("period".into());
        }
    };
    period(&mut e.slot);
    if let Some(x) = &mut e.exam_result {
        x.id.clear();
    }
    if let Some(x) = &mut e.deferral {
        x.id.clear();
    }
    if let Some(x) = &mut e.debt {
        x.id.clear();
    }
    e.source = Some(RecordSourceDto {
        school: src.school.clone(),
        code: src.code.clone(),
    });
}

/// A pupil's record across the years and levels of education (регламент, п. 3), in order:
/// level → school year (with the class the pupil was in) → subject. Every final mark (the
/// periods', year, exam, итоговая), exam result, deferral and academic debt, from every class
/// and school of the deployment the pupil was in. The pupil and a parent with the diary consent
/// (403 `consent-required` without it) see what was published to the family; the school's
/// administrators and deputy heads, the class teacher and the pupil's teachers see everything
/// (`published_at` null: not yet visible to the family). Other staff of the school: 403.
#[utoipa::path(get, path = "/api/v1/students/{id}/record", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<RecordEntryDto>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn student_record(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
) -> Result<Json<Vec<RecordEntryDto>>, ApiError> {
    let r = state.app.student_record(&who.principal, student).await?;
    Ok(Json(entries(&r)))
}
