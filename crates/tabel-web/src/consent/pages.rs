//! The consent registry's pages: a class's registry with the status of every pupil ×
//! representative, a child's consents with their history (recording an application,
//! withdrawing, attaching the scan of the paper), the printed form for a representative to
//! sign, and — for a parent — their own consents with a withdrawal in one step.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, href, id, parse_field};
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::consent::{ConsentInput, MAX_SCAN_BYTES, WithdrawalInput};
use tabel_app::upload::{Spool, SpoolError};
use tabel_domain::consent::{BasisInput, Status};
use tabel_domain::{ConsentId, GroupId, PersonId};
use tabel_present::date;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/consents/classes/{class}", get(class_page))
        .route("/consents/students/{student}", get(child_page))
        .route("/consents/students/{student}/register", post(register))
        .route("/consents/students/{student}/withdraw", post(withdraw))
        .route("/consents/form", get(form_page))
        .route(
            "/consents/records/{record}/scan",
            post(upload_scan).layer(DefaultBodyLimit::max(MAX_SCAN_BYTES + 64 * 1024)),
        )
}

/// A status as a badge: its label and style.
pub(crate) fn badge(t: &Tr<'_>, s: Status) -> (String, &'static str) {
    match s {
        Status::Given => (t.get("consent-given"), "ok"),
        Status::Refused => (t.get("consent-refused"), "bad"),
        Status::Withdrawn => (t.get("consent-withdrawn"), "bad"),
        Status::None => (t.get("consent-missing"), "warn"),
    }
}

/// A line of the class registry as shown.
pub struct LineRow {
    /// Pupil number in the list (only on the pupil's first line).
    pub number: String,
    /// Pupil.
    pub student: String,
    /// The family gets paper extracts (shown on the pupil's first line).
    pub paper: bool,
    /// The child's page.
    pub href: String,
    /// Representative ("" when none).
    pub parent: String,
    /// Relation.
    pub relation: String,
    /// Diary badge.
    pub diary: (String, &'static str),
    /// Delivery badge.
    pub delivery: (String, &'static str),
    /// Last record.
    pub updated: String,
}

#[derive(Template)]
#[template(path = "consent/class.html")]
struct ClassPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    class_name: String,
    class_href: String,
    summary: Vec<(String, &'static str, usize)>,
    without: usize,
    paper: usize,
    lines: Vec<LineRow>,
}

async fn class_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
) -> Result<Html<String>, PageError> {
    let r = state.app.class_consents(&user.who.principal, class).await?;
    let t = user.tr(&state);
    let zone = state.app.config().time_zone.clone();
    let mut number = 0;
    let mut previous = None;
    let lines = r
        .lines
        .iter()
        .map(|l| {
            let first = previous != Some(l.student);
            if first {
                number += 1;
            }
            previous = Some(l.student);
            LineRow {
                number: if first {
                    number.to_string()
                } else {
                    String::new()
                },
                student: if first {
                    l.student_name.clone()
                } else {
                    String::new()
                },
                paper: first && r.paper.contains(&l.student),
                href: format!("/consents/students/{}", l.student),
                parent: l.parent_name.clone(),
                relation: l
                    .relation
                    .map(|r| t.get(&format!("relation-{}", r.code())))
                    .unwrap_or_default(),
                diary: if l.parent.is_some() {
                    badge(&t, Status::of(l.diary))
                } else {
                    (String::new(), "")
                },
                delivery: if l.parent.is_some() {
                    badge(&t, Status::of(l.delivery))
                } else {
                    (String::new(), "")
                },
                updated: l
                    .updated_at
                    .map(|at| date(zone.local_date(at)))
                    .unwrap_or_default(),
            }
        })
        .collect();
    render(ClassPage {
        class_name: r.class.name.clone(),
        class_href: format!("/school/classes/{}", r.class.id),
        summary: r
            .counts
            .iter()
            .map(|(s, n)| {
                let (label, style) = badge(&t, *s);
                (label, style, *n)
            })
            .collect(),
        without: r.without_representative,
        paper: r.paper.len(),
        lines,
        nav: user.nav.clone(),
        t,
    })
}

/// A representative on the child's page.
pub struct ParentRow {
    /// Person id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Relation.
    pub relation: String,
    /// Diary badge.
    pub diary: (String, &'static str),
    /// Delivery badge.
    pub delivery: (String, &'static str),
    /// The diary consent is in force (may be withdrawn).
    pub diary_given: bool,
    /// Electronic delivery is in force.
    pub delivery_given: bool,
    /// The printed form.
    pub form_href: String,
    /// This is the viewer (a parent on their own page).
    pub me: bool,
}

/// A record in the history.
pub struct HistoryRow {
    /// Id.
    pub id: String,
    /// "01.09.2026 10:15".
    pub at: String,
    /// Representative.
    pub parent: String,
    /// Purpose.
    pub purpose: String,
    /// State badge.
    pub state: (String, &'static str),
    /// Basis in words.
    pub basis: String,
    /// Text version.
    pub version: String,
    /// Who recorded it.
    pub by: String,
    /// Note.
    pub note: String,
    /// Scan kept.
    pub has_scan: bool,
}

/// What a refused form held, to show it again.
#[derive(Deserialize, Default, Clone)]
struct RegisterForm {
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    diary: String,
    #[serde(default)]
    electronic_delivery: String,
    #[serde(default)]
    basis_kind: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    document_id: String,
    #[serde(default)]
    signature: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    purpose: String,
}

#[derive(Template)]
#[template(path = "consent/child.html")]
struct ChildPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    student_id: String,
    name: String,
    class_name: String,
    registry_href: String,
    parents: Vec<ParentRow>,
    history: Vec<HistoryRow>,
    may_keep: bool,
    typed: RegisterForm,
    error: String,
    done: bool,
    today: String,
}

#[derive(Deserialize, Default)]
struct Notice {
    done: Option<String>,
}

async fn child_view<'s>(
    state: &'s AppState,
    user: &PageUser,
    student: PersonId,
    typed: RegisterForm,
    error: String,
) -> Result<ChildPage<'s>, AppError> {
    let c = state
        .app
        .child_consents(&user.who.principal, student)
        .await?;
    let t = user.tr(state);
    let zone = state.app.config().time_zone.clone();
    let me = user.who.principal.person;
    let names: Vec<(PersonId, String)> = c
        .parents
        .iter()
        .map(|p| (p.person.id, p.person.full_name()))
        .collect();
    let purpose_label = |code: &str| t.get(&format!("consent-purpose-{code}"));
    let history = c
        .records
        .iter()
        .map(|r| {
            let at = zone.local(r.recorded_at);
            HistoryRow {
                id: r.id.to_string(),
                at: tabel_present::date_time(at),
                parent: names
                    .iter()
                    .find(|(id, _)| *id == r.parent)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| r.parent.to_string()),
                purpose: purpose_label(r.purpose.code()),
                state: badge(&t, Status::of(Some(r.state))),
                basis: r.basis_text.clone(),
                version: r.text_version.clone(),
                by: r.recorded_by.clone().unwrap_or_default(),
                note: r.note.clone(),
                has_scan: r.has_scan,
            }
        })
        .collect();
    Ok(ChildPage {
        student_id: student.to_string(),
        name: crate::diary::views::child_name(&t, &c.student),
        class_name: c.class.as_ref().map(|g| g.name.clone()).unwrap_or_default(),
        registry_href: c
            .class
            .as_ref()
            .filter(|_| c.may_keep)
            .map(|g| format!("/consents/classes/{}", g.id))
            .unwrap_or_default(),
        parents: c
            .parents
            .iter()
            .map(|p| ParentRow {
                id: p.person.id.to_string(),
                name: p.person.full_name(),
                relation: t.get(&format!("relation-{}", p.relation.code())),
                diary: badge(&t, p.diary),
                delivery: badge(&t, p.delivery),
                diary_given: p.diary.in_force(),
                delivery_given: p.delivery.in_force(),
                form_href: href(
                    "/consents/form",
                    &[("parent", p.person.id), ("student", student)],
                ),
                me: Some(p.person.id) == me,
            })
            .collect(),
        history,
        may_keep: c.may_keep,
        typed,
        error,
        done: false,
        today: state.app.today().to_string(),
        nav: user.nav.clone(),
        t,
    })
}

async fn child_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Query(n): Query<Notice>,
) -> Result<Html<String>, PageError> {
    let mut page = child_view(
        &state,
        &user,
        student,
        RegisterForm::default(),
        String::new(),
    )
    .await?;
    page.done = n.done.is_some();
    render(page)
}

fn basis_of(f: &RegisterForm) -> Result<Option<BasisInput>, AppError> {
    if f.basis_kind.trim().is_empty() {
        return Ok(None);
    }
    let date = match f.date.trim() {
        "" => None,
        d => Some(
            tabel_domain::calendar::parse_iso_date(d)
                .map_err(|_| AppError::invalid("basis.date", "use YYYY-MM-DD"))?,
        ),
    };
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(Some(BasisInput {
        kind: f.basis_kind.trim().to_owned(),
        number: some(&f.number),
        date,
        document_id: some(&f.document_id),
        signature: some(&f.signature),
    }))
}

/// After a form: back to the child's page; a refusal shows the page again with the reason and
/// what was typed.
async fn answer(
    state: &AppState,
    user: &PageUser,
    student: PersonId,
    f: RegisterForm,
    result: Result<Vec<i64>, AppError>,
) -> Result<Response, PageError> {
    let error = match result {
        Ok(_) => {
            return Ok(
                crate::redirect::see_other(&format!("/consents/students/{student}?done=1"))
                    .into_response(),
            );
        }
        Err(AppError::Invalid(errors)) => errors
            .into_iter()
            .map(|(k, m)| format!("{k}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
        Err(AppError::Conflict(m)) => m,
        Err(e) => return Err(PageError::from(e)),
    };
    let page = child_view(state, user, student, f, error).await;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, page?)
}

/// Records an application from the child's page.
async fn register(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Form(f): Form<RegisterForm>,
) -> Result<Response, PageError> {
    let result = async {
        let basis = basis_of(&f)?.unwrap_or_default();
        let input = ConsentInput {
            parent: parse_field("parent_id", &f.parent_id, "not a person id")?,
            student,
            diary: Some(f.diary.clone()).filter(|s| !s.trim().is_empty()),
            electronic_delivery: Some(f.electronic_delivery.clone())
                .filter(|s| !s.trim().is_empty()),
            basis,
            text_version: None,
            note: f.note.clone(),
        };
        state
            .app
            .register_consent(&user.who.principal, &input, &user.client)
            .await
    }
    .await;
    answer(&state, &user, student, f, result).await
}

/// Withdraws a consent: a representative's own in one step, or the school's record of an
/// application.
async fn withdraw(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Form(f): Form<RegisterForm>,
) -> Result<Response, PageError> {
    let result = async {
        let input = WithdrawalInput {
            parent: parse_field("parent_id", &f.parent_id, "not a person id")?,
            student,
            purpose: f.purpose.clone(),
            basis: basis_of(&f)?,
            note: f.note.clone(),
        };
        state
            .app
            .withdraw_consent(&user.who.principal, &input, &user.client)
            .await
    }
    .await;
    answer(&state, &user, student, f, result).await
}

/// The scan form's file: (name, type, bytes); `None` when the upload was too large.
async fn scan_field(mut form: Multipart) -> Result<Option<(String, String, Vec<u8>)>, AppError> {
    let cut_off = || AppError::invalid("file", "the upload was cut off");
    while let Ok(Some(mut field)) = form.next_field().await {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("scan").to_owned();
        let kind = field.content_type().unwrap_or_default().to_owned();
        // Streamed into a temporary file, refused the moment it passes the limit.
        let mut spool =
            Spool::new(MAX_SCAN_BYTES).map_err(|e| AppError::Internal(e.to_string()))?;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => match spool.write(&chunk).await {
                    Ok(()) => {}
                    Err(SpoolError::TooLarge) => return Ok(None),
                    Err(SpoolError::Io(e)) => return Err(AppError::Internal(e.to_string())),
                },
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(None),
                Err(_) => return Err(cut_off()),
            }
        }
        let bytes = spool
            .finish()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .read()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        return Ok(Some((name, kind, bytes)));
    }
    Err(AppError::invalid("file", "choose the scan's file"))
}

/// Keeps the scan of a record's paper, then shows the child's page.
async fn upload_scan(
    State(state): State<AppState>,
    user: PageUser,
    Path(record): Path<ConsentId>,
    form: Multipart,
) -> Result<Response, PageError> {
    let result = async {
        // Before a byte of the body is read: only the record's keepers make the server receive it.
        state
            .app
            .may_attach_consent_scan(&user.who.principal, record)
            .await?;
        let (name, kind, bytes) = scan_field(form)
            .await?
            .ok_or_else(|| AppError::invalid("file", "a scan may be at most 5 MB"))?;
        state
            .app
            .attach_consent_scan(
                &user.who.principal,
                record,
                (&name, &kind, bytes),
                &user.client,
            )
            .await?;
        Ok::<_, AppError>(record)
    }
    .await;
    match result {
        Ok(record) => {
            // Back to the child the record is about.
            match state.app.consent_record_student(record).await {
                Ok(student) => Ok(crate::redirect::see_other(&format!(
                    "/consents/students/{student}?done=1"
                ))
                .into_response()),
                Err(e) => Err(PageError::from(e)),
            }
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "consent/form.html")]
struct FormPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school: String,
    parent: String,
    student: String,
    born: String,
    class_name: String,
    version: &'static str,
    today: String,
    pdf_href: String,
}

#[derive(Deserialize, Default)]
struct FormQuery {
    #[serde(default)]
    parent: String,
    #[serde(default)]
    student: String,
}

/// The consent form for a representative to sign, as a print page.
async fn form_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<FormQuery>,
) -> Result<Html<String>, PageError> {
    let f = state
        .app
        .consent_form(&user.who.principal, id(&q.parent)?, id(&q.student)?)
        .await?;
    render(FormPage {
        school: f.school_name,
        parent: f.parent.full_name(),
        student: f.student.full_name(),
        born: f.student.birth_date.map(date).unwrap_or_default(),
        class_name: f.class_name,
        version: f.text_version,
        today: date(f.today),
        pdf_href: href(
            "/consents/form.pdf",
            &[("parent", f.parent.id), ("student", f.student.id)],
        ),
        nav: user.nav.clone(),
        t: user.tr(&state),
    })
}
