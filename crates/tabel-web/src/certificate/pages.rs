//! The page of a pupil's exam and итоговая marks and exemptions,
//! `/school/students/{id}/certificate`: a line per subject (year, exam — with the exam it came
//! from —, итоговая, and whether it was overridden and why) and the exemptions with their
//! documents. The administration enters exam marks, overrides an итоговая with a reason (or
//! withdraws the override), records and ends exemptions, each with a form that works without
//! JavaScript; a refused form comes back with what went wrong (422, 409 when stale). Teachers of
//! the pupil and the family (with consent) read it.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, href};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::finals::{ExamMarkInput, ExemptionInput, FinalOverride, StudentCertificate};
use tabel_domain::exams::ExamKind;
use tabel_domain::finals::{DocumentKind, ExemptionDocument, FinalRecord, FinalValue};
use tabel_domain::{ExemptionId, PersonId, SubjectId};
use tabel_present::date;
use time::Date;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/school/students/{id}/certificate", get(show))
        .route(
            "/school/students/{id}/certificate/exam-mark",
            post(enter_exam_mark),
        )
        .route(
            "/school/students/{id}/certificate/override",
            post(override_final),
        )
        .route(
            "/school/students/{id}/certificate/withdraw",
            post(withdraw_override),
        )
        .route(
            "/school/students/{id}/certificate/exemption",
            post(create_exemption),
        )
        .route(
            "/school/students/{id}/certificate/exemptions/{exemption}/end",
            post(end_exemption),
        )
}

fn form_date(field: &str, raw: &str) -> Result<Date, AppError> {
    tabel_domain::exams::parse_date(raw.trim())
        .ok_or_else(|| AppError::invalid(field, "write the date as ДД.ММ.ГГГГ or pick it"))
}

fn form_id<T: std::str::FromStr>(field: &str, raw: &str) -> Result<T, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::invalid(field, "choose one"))
}

/// A subject's line as the page shows it.
struct Line {
    subject_id: String,
    subject: String,
    year: String,
    exam: String,
    /// "ОГЭ", "ГВЭ", "школьный экзамен".
    exam_kind: String,
    final_mark: String,
    /// What the rule gives, when overridden.
    derived: String,
    overridden: bool,
    reason: String,
    version: i64,
}

/// An exemption as the page shows it.
struct ExemptionLine {
    id: String,
    subject: String,
    /// "01.09.2026 – 31.05.2027".
    dates: String,
    /// "медицинская справка № 17 от 28.08.2026".
    document: String,
    note: String,
    ended: bool,
    version: i64,
}

#[derive(Template)]
#[template(path = "certificate/student.html")]
struct CertificatePage<'a> {
    t: Tr<'a>,
    nav: Nav,
    base: String,
    student: String,
    class_name: String,
    rule: String,
    lines: Vec<Line>,
    exemptions: Vec<ExemptionLine>,
    may_manage: bool,
    /// (id, name) for the forms.
    subjects: Vec<(String, String)>,
    /// (code, name).
    exams: Vec<(&'static str, &'static str)>,
    /// (code, name).
    documents: Vec<(&'static str, &'static str)>,
    notice: bool,
    errors: Vec<String>,
}

fn shown(f: Option<&FinalRecord>) -> String {
    f.map(|f| FinalValue::from_code(&f.value).map_or_else(|| f.value.clone(), |v| v.to_string()))
        .unwrap_or_default()
}

fn page<'s>(state: &'s AppState, user: &PageUser, s: &StudentCertificate) -> CertificatePage<'s> {
    let t = user.tr(state);
    CertificatePage {
        base: format!("/school/students/{}/certificate", s.student),
        student: s.student_name.clone(),
        class_name: s.class_name.clone(),
        rule: t.get(&format!("policy-final-rule-{}", s.rule.code())),
        lines: s
            .lines
            .iter()
            .map(|l| Line {
                subject_id: l.subject.to_string(),
                subject: l.subject_name.clone(),
                year: shown(l.year.as_ref()),
                exam: shown(l.exam.as_ref()),
                exam_kind: l
                    .exam_kind
                    .map(|k| k.russian().to_owned())
                    .unwrap_or_default(),
                final_mark: shown(l.final_mark.as_ref()),
                derived: l
                    .derived
                    .as_deref()
                    .and_then(FinalValue::from_code)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "—".into()),
                overridden: l.overridden,
                reason: l
                    .final_mark
                    .as_ref()
                    .map(|f| f.reason.clone())
                    .unwrap_or_default(),
                version: l.final_mark.as_ref().map_or(0, |f| f.version),
            })
            .collect(),
        exemptions: s
            .exemptions
            .iter()
            .map(|e| ExemptionLine {
                id: e.id.to_string(),
                subject: e.subject_name.clone(),
                dates: format!("{} – {}", date(e.starts_on), date(e.ends_on)),
                document: format!(
                    "{} № {} от {}",
                    e.document.kind.russian(),
                    e.document.number,
                    date(e.document.issued_on)
                ),
                note: e.document.note.clone(),
                ended: e.ended_at.is_some(),
                version: e.version,
            })
            .collect(),
        may_manage: s.may_manage,
        subjects: s
            .subjects
            .iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect(),
        exams: [
            ExamKind::Oge,
            ExamKind::Gve,
            ExamKind::Ege,
            ExamKind::School,
        ]
        .into_iter()
        .map(|k| (k.code(), k.russian()))
        .collect(),
        documents: DocumentKind::ALL
            .into_iter()
            .map(|k| (k.code(), k.russian()))
            .collect(),
        notice: false,
        errors: Vec::new(),
        nav: user.nav.clone(),
        t,
    }
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, PageError> {
    let s = state
        .app
        .student_certificate(&user.who.principal, student)
        .await?;
    let mut p = page(&state, &user, &s);
    p.notice = !q.done.is_empty();
    render(p)
}

/// After a form: back to the page, or the page again with what went wrong.
async fn after_form<T>(
    state: &AppState,
    user: &PageUser,
    student: PersonId,
    result: Result<T, AppError>,
) -> Result<Response, PageError> {
    let status = match &result {
        Ok(_) => {
            let back = href(
                &format!("/school/students/{student}/certificate"),
                &(("done", 1),),
            );
            return Ok(crate::redirect::see_other(&back).into_response());
        }
        Err(AppError::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        Err(AppError::Conflict(_) | AppError::Stale { .. }) => StatusCode::CONFLICT,
        Err(_) => StatusCode::OK,
    };
    let e = match result {
        Ok(_) => return Ok(StatusCode::OK.into_response()),
        Err(e) if status == StatusCode::OK => return Err(e.into()),
        Err(e) => e,
    };
    let s = state
        .app
        .student_certificate(&user.who.principal, student)
        .await?;
    let mut p = page(state, user, &s);
    p.errors = match e {
        AppError::Invalid(errors) => errors
            .into_iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect(),
        other => vec![other.to_string()],
    };
    render_status(status, p)
}

#[derive(Deserialize, Default)]
struct ExamMarkForm {
    #[serde(default)]
    subject_id: String,
    #[serde(default)]
    exam: String,
    #[serde(default)]
    mark: String,
    #[serde(default)]
    taken_on: String,
}

async fn enter_exam_mark(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Form(f): Form<ExamMarkForm>,
) -> Result<Response, PageError> {
    state
        .app
        .require_certificate_writer(&user.who.principal, student)
        .await?;
    let result = async {
        let input = ExamMarkInput {
            subject: form_id::<SubjectId>("subject_id", &f.subject_id)?,
            exam: ExamKind::parse(&f.exam).ok_or_else(|| AppError::invalid("exam", "choose"))?,
            mark: f.mark.clone(),
            taken_on: form_date("taken_on", &f.taken_on)?,
        };
        state
            .app
            .enter_exam_mark(&user.who.principal, student, &input, &user.client)
            .await
    }
    .await;
    after_form(&state, &user, student, result).await
}

#[derive(Deserialize, Default)]
struct OverrideForm {
    #[serde(default)]
    subject_id: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

async fn override_final(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Form(f): Form<OverrideForm>,
) -> Result<Response, PageError> {
    state
        .app
        .require_certificate_writer(&user.who.principal, student)
        .await?;
    let result = async {
        let o = FinalOverride {
            subject: form_id::<SubjectId>("subject_id", &f.subject_id)?,
            value: f.value.clone(),
            reason: f.reason.clone(),
            version: f.version.trim().parse().unwrap_or(0),
        };
        state
            .app
            .override_final(&user.who.principal, student, &o, &user.client)
            .await
    }
    .await;
    after_form(&state, &user, student, result).await
}

async fn withdraw_override(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Form(f): Form<OverrideForm>,
) -> Result<Response, PageError> {
    state
        .app
        .require_certificate_writer(&user.who.principal, student)
        .await?;
    let result = async {
        let subject = form_id::<SubjectId>("subject_id", &f.subject_id)?;
        let version = f.version.trim().parse().unwrap_or(0);
        state
            .app
            .withdraw_final_override(
                &user.who.principal,
                student,
                (subject, version),
                &user.client,
            )
            .await
    }
    .await;
    after_form(&state, &user, student, result).await
}

#[derive(Deserialize, Default)]
struct ExemptionForm {
    #[serde(default)]
    subject_id: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    document_kind: String,
    #[serde(default)]
    document_number: String,
    #[serde(default)]
    document_date: String,
    #[serde(default)]
    document_note: String,
}

async fn create_exemption(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Form(f): Form<ExemptionForm>,
) -> Result<Response, PageError> {
    state
        .app
        .require_certificate_writer(&user.who.principal, student)
        .await?;
    let result = async {
        let input = ExemptionInput {
            subject: form_id::<SubjectId>("subject_id", &f.subject_id)?,
            starts_on: form_date("starts_on", &f.starts_on)?,
            ends_on: form_date("ends_on", &f.ends_on)?,
            document: ExemptionDocument {
                kind: DocumentKind::parse(&f.document_kind)
                    .ok_or_else(|| AppError::invalid("document_kind", "choose"))?,
                number: f.document_number.clone(),
                issued_on: form_date("document_date", &f.document_date)?,
                note: f.document_note.clone(),
            },
        };
        state
            .app
            .create_exemption(&user.who.principal, student, &input, &user.client)
            .await
    }
    .await;
    after_form(&state, &user, student, result).await
}

#[derive(Deserialize, Default)]
struct EndForm {
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    version: String,
}

async fn end_exemption(
    State(state): State<AppState>,
    user: PageUser,
    Path((student, id)): Path<(PersonId, ExemptionId)>,
    Form(f): Form<EndForm>,
) -> Result<Response, PageError> {
    state
        .app
        .require_certificate_writer(&user.who.principal, student)
        .await?;
    let result = async {
        let ends_on = form_date("ends_on", &f.ends_on)?;
        let version = f.version.trim().parse().unwrap_or(0);
        state
            .app
            .end_exemption(&user.who.principal, id, (ends_on, version), &user.client)
            .await
    }
    .await;
    after_form(&state, &user, student, result).await
}
