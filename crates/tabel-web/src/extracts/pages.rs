//! Paper extracts and printed documents in the interface: a class's print queue (the families
//! that get paper, "print the extracts for this period" in one click, the registry of issued
//! extracts with "handed to"), a pupil's extract (the school prints it; a parent with the diary
//! consent downloads it), the summary sheet and the consent form as PDF, the class's journals
//! for the archive, and the public verification page of a printed code.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser, Visitor};
use crate::i18n::Tr;
use crate::paths::{Path, id, parse_field};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::extracts::{ExtractRequest, Issued, PaperReason, RangeInput, Target};
use tabel_domain::extract::ExtractCode;
use tabel_domain::extract::IssuedExtract;
use tabel_domain::school::Period;
use tabel_domain::{GroupId, PersonId, SubjectId};
use tabel_present::date;
use time::Date;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/extracts/classes/{class}", get(queue_page))
        .route("/extracts/classes/{class}/print", post(print_class))
        .route("/extracts/classes/{class}/archive", get(archive_page))
        .route(
            "/extracts/classes/{class}/journals/{group}/{subject}",
            get(journal_pdf),
        )
        .route(
            "/extracts/students/{student}",
            get(student_page).post(print_student),
        )
        .route("/extracts/{code}/handed-to", post(handed_to))
        .route("/school/classes/{class}/summary.pdf", get(summary_pdf))
        .route("/consents/form.pdf", get(consent_form_pdf))
        .route("/verify", get(verify_lookup))
        .route("/verify/{code}", get(verify_page))
}

/// What a PDF's `filename*` keeps as it is (a subset of RFC 5987's attr-char).
const FILE_NAME: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_');

/// A PDF answer: `inline` opens in the browser, otherwise a download named `name` (UTF-8 names
/// in `filename*`, an ASCII fallback in `filename`).
pub(crate) fn pdf_response(bytes: Vec<u8>, name: &str, inline: bool) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(name, FILE_NAME);
    let disposition = format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}",
        if inline { "inline" } else { "attachment" }
    );
    let mut res = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/pdf"),
        )],
        bytes,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// The headers that say what an issued PDF holds: its codes, batch and hash.
pub(crate) fn issued_headers(res: &mut Response, issued: &Issued) {
    let codes = issued
        .codes
        .iter()
        .map(|(_, c)| c.as_str())
        .collect::<Vec<_>>()
        .join(",");
    for (name, value) in [
        ("x-extract-codes", codes),
        ("x-extract-batch", issued.batch.clone()),
        ("x-content-sha256", issued.sha256.clone()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            res.headers_mut().insert(name, v);
        }
    }
}

/// The period/dates fields of the forms.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct RangeForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    homework: Option<String>,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    handed_to: String,
}

fn form_date(field: &str, raw: &str) -> Result<Option<Date>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        d => tabel_domain::calendar::parse_iso_date(d)
            .map(Some)
            .map_err(|_| AppError::invalid(field, "use YYYY-MM-DD")),
    }
}

impl RangeForm {
    fn request(&self) -> Result<ExtractRequest, AppError> {
        let from = form_date("from", &self.from)?;
        let to = form_date("to", &self.to)?;
        // Dates typed win over the period chosen in the list.
        let period = if from.is_some() || to.is_some() {
            None
        } else {
            match self.period.trim() {
                "" => None,
                p => Some(parse_field("period", p, "not a period id")?),
            }
        };
        Ok(ExtractRequest {
            range: RangeInput { period, from, to },
            homework: self.homework.is_some(),
            handed_to: self.handed_to.clone(),
        })
    }
}

/// A period choice in a form.
pub struct PeriodOption {
    /// Its id.
    pub id: String,
    /// "2-я четверть (04.11.2026 — 28.12.2026)".
    pub label: String,
    /// Chosen.
    pub selected: bool,
}

fn period_options(periods: &[Period], current: Option<&Period>) -> Vec<PeriodOption> {
    periods
        .iter()
        .map(|p| PeriodOption {
            id: p.id.to_string(),
            label: format!(
                "{} ({} — {})",
                tabel_present::period_title(tabel_present::Lang::Ru, p.kind, p.number),
                date(p.starts_on),
                date(p.ends_on)
            ),
            selected: current.is_some_and(|c| c.id == p.id),
        })
        .collect()
}

/// An issued extract as a registry row.
pub struct IssuedRow {
    /// The code.
    pub code: String,
    /// The pupil.
    pub student: String,
    /// "01.11.2026 — 28.11.2026".
    pub dates: String,
    /// "28.11.2026 10:15".
    pub issued_at: String,
    /// Who issued it.
    pub by: String,
    /// `paper` / `download` in words.
    pub channel: String,
    /// To whom it was handed.
    pub handed_to: String,
    /// Where the "handed to" form posts.
    pub action: String,
}

fn issued_rows(t: &Tr<'_>, state: &AppState, list: &[IssuedExtract]) -> Vec<IssuedRow> {
    let zone = state.app.config().time_zone.clone();
    list.iter()
        .map(|e| {
            let at = zone.local(e.issued_at);
            IssuedRow {
                code: e.code.clone(),
                student: e.student_name.clone(),
                dates: format!("{} — {}", date(e.from), date(e.to)),
                issued_at: tabel_present::date_time(at),
                by: e
                    .issued_by
                    .clone()
                    .unwrap_or_else(|| t.get("extracts-by-console")),
                channel: t.get(&format!("extracts-channel-{}", e.channel)),
                handed_to: e.handed_to.clone(),
                action: format!("/extracts/{}/handed-to", e.code),
            }
        })
        .collect()
}

/// A pupil of the print queue.
pub struct QueueRow {
    /// Number.
    pub n: usize,
    /// Name.
    pub name: String,
    /// Why paper, in words.
    pub reason: String,
    /// The reason's code (a CSS hook).
    pub reason_code: &'static str,
    /// The latest extract: "28.11.2026 · 7K3M-Q9XD" or "".
    pub last: String,
    /// The pupil's extract page.
    pub href: String,
}

#[derive(Template)]
#[template(path = "extracts/queue.html")]
struct QueuePage<'a> {
    t: Tr<'a>,
    nav: Nav,
    class_id: String,
    class_name: String,
    periods: Vec<PeriodOption>,
    rows: Vec<QueueRow>,
    pupils: Vec<(String, String)>,
    issued: Vec<IssuedRow>,
}

#[derive(Deserialize, Default)]
struct PeriodQuery {
    #[serde(default)]
    period: Option<String>,
}

async fn queue_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
    Query(q): Query<PeriodQuery>,
) -> Result<Html<String>, PageError> {
    let queue = state.app.print_queue(&user.who.principal, class).await?;
    let t = user.tr(&state);
    let zone = state.app.config().time_zone.clone();
    let chosen = q
        .period
        .as_deref()
        .and_then(|p| queue.periods.iter().find(|x| x.id.to_string() == p))
        .or(queue.current.as_ref());
    render(QueuePage {
        class_id: queue.class.id.to_string(),
        class_name: queue.class.name.clone(),
        periods: period_options(&queue.periods, chosen),
        rows: queue
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| QueueRow {
                n: i + 1,
                name: l.name.clone(),
                reason: t.get(&format!("extracts-reason-{}", l.reason.code())),
                reason_code: l.reason.code(),
                last: l
                    .last_issued
                    .as_ref()
                    .map(|e| format!("{} · {}", date(zone.local_date(e.issued_at)), e.code))
                    .unwrap_or_default(),
                href: format!("/extracts/students/{}", l.student),
            })
            .collect(),
        pupils: queue
            .pupils
            .iter()
            .map(|(id, name)| (format!("/extracts/students/{id}"), name.clone()))
            .collect(),
        issued: issued_rows(&t, &state, &queue.issued),
        nav: user.nav.clone(),
        t,
    })
}

/// "Print the extracts for this period": one PDF, a page run per pupil.
async fn print_class(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
    Form(f): Form<RangeForm>,
) -> Result<Response, PageError> {
    let req = f.request()?;
    let target = Target::Class {
        class,
        only_paper: f.scope != "all",
    };
    let issued = state
        .app
        .issue_extracts(
            &user.who.principal,
            target,
            &req,
            &user.client,
            state.app.extract_renderer(),
        )
        .await?;
    let name = format!(
        "vypiski-{}.pdf",
        tabel_app::documents::file_safe(&issued.class_name)
    );
    let mut res = pdf_response(issued.pdf.clone(), &name, false);
    issued_headers(&mut res, &issued);
    Ok(res)
}

#[derive(Template)]
#[template(path = "extracts/student.html")]
struct StudentPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    student_id: String,
    name: String,
    class_name: String,
    queue_href: String,
    keeper: bool,
    periods: Vec<PeriodOption>,
    issued: Vec<IssuedRow>,
}

async fn student_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
) -> Result<Html<String>, PageError> {
    let o = state
        .app
        .extract_options(&user.who.principal, student)
        .await?;
    let t = user.tr(&state);
    render(StudentPage {
        student_id: student.to_string(),
        name: o.name.clone(),
        class_name: o.class.name.clone(),
        queue_href: if o.keeper {
            format!("/extracts/classes/{}", o.class.id)
        } else {
            String::new()
        },
        keeper: o.keeper,
        periods: period_options(&o.periods, o.current.as_ref()),
        issued: issued_rows(&t, &state, &o.issued),
        nav: user.nav.clone(),
        t,
    })
}

/// A pupil's extract: printed by the school, or downloaded by a representative with consent.
async fn print_student(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Form(f): Form<RangeForm>,
) -> Result<Response, PageError> {
    let req = f.request()?;
    let issued = state
        .app
        .issue_extracts(
            &user.who.principal,
            Target::Student(student),
            &req,
            &user.client,
            state.app.extract_renderer(),
        )
        .await?;
    let code = issued
        .codes
        .first()
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    let mut res = pdf_response(issued.pdf.clone(), &format!("vypiska-{code}.pdf"), false);
    issued_headers(&mut res, &issued);
    Ok(res)
}

#[derive(Deserialize, Default)]
struct HandedForm {
    #[serde(default)]
    handed_to: String,
}

/// Records to whom the paper was handed, then back to the class's queue.
async fn handed_to(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<ExtractCode>,
    Form(f): Form<HandedForm>,
) -> Result<Response, PageError> {
    let e = state
        .app
        .set_extract_handed_to(&user.who.principal, &code, &f.handed_to, &user.client)
        .await?;
    let back = match e.class {
        Some(class) => format!("/extracts/classes/{class}#registry"),
        None => format!("/extracts/students/{}", e.student),
    };
    Ok(crate::redirect::see_other(&back).into_response())
}

/// The summary sheet of a class as PDF.
async fn summary_pdf(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
) -> Result<Response, PageError> {
    let d = state
        .app
        .summary_document(&user.who.principal, class)
        .await?;
    let name = format!(
        "svodnaya-vedomost-{}.pdf",
        tabel_app::documents::file_safe(&d.sheet.class.name)
    );
    let bytes = state.app.summary_sheet_pdf(&d).await?;
    Ok(pdf_response(bytes, &name, true))
}

#[derive(Deserialize, Default)]
struct FormQuery {
    #[serde(default)]
    parent: String,
    #[serde(default)]
    student: String,
}

/// The consent form as PDF, for a representative to sign.
async fn consent_form_pdf(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<FormQuery>,
) -> Result<Response, PageError> {
    let f = state
        .app
        .consent_form(&user.who.principal, id(&q.parent)?, id(&q.student)?)
        .await?;
    let bytes = state.app.consent_form_pdf(&f).await?;
    Ok(pdf_response(bytes, "soglasie.pdf", true))
}

/// A journal of the archive page.
pub struct JournalLink {
    /// "Математика".
    pub subject: String,
    /// The group when not the class.
    pub group: String,
    /// Teachers.
    pub teachers: String,
    /// The PDF.
    pub href: String,
}

#[derive(Template)]
#[template(path = "extracts/archive.html")]
struct ArchivePage<'a> {
    t: Tr<'a>,
    nav: Nav,
    class_id: String,
    class_name: String,
    journals: Vec<JournalLink>,
}

async fn archive_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
) -> Result<Html<String>, PageError> {
    // The archive's keepers only: class_journals shows a teacher their own, so ask the
    // print queue first (it refuses everyone else).
    let queue = state.app.print_queue(&user.who.principal, class).await?;
    let list = state.app.class_journals(&user.who.principal, class).await?;
    let mut journals: Vec<JournalLink> = Vec::new();
    for j in list {
        let href = format!(
            "/extracts/classes/{class}/journals/{}/{}",
            j.group, j.subject
        );
        match journals.iter_mut().find(|x| x.href == href) {
            Some(x) => {
                x.teachers.push_str(", ");
                x.teachers.push_str(&j.teacher_name);
            }
            None => journals.push(JournalLink {
                subject: j.subject_name,
                group: if j.group_name == queue.class.name {
                    String::new()
                } else {
                    j.group_name
                },
                teachers: j.teacher_name,
                href,
            }),
        }
    }
    render(ArchivePage {
        class_id: class.to_string(),
        class_name: queue.class.name,
        journals,
        nav: user.nav.clone(),
        t: user.tr(&state),
    })
}

/// One journal of the class for the archive, as PDF.
async fn journal_pdf(
    State(state): State<AppState>,
    user: PageUser,
    Path((class, group, subject)): Path<(GroupId, GroupId, SubjectId)>,
) -> Result<Response, PageError> {
    let archive = state
        .app
        .class_archive(&user.who.principal, class, Some((group, subject)))
        .await?;
    let (name, bytes) = state
        .app
        .class_journal_pdfs(&archive)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    Ok(pdf_response(
        bytes,
        &format!("{}-{name}.pdf", archive.class.name),
        true,
    ))
}

#[derive(Template)]
#[template(path = "extracts/verify.html")]
struct VerifyPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    typed: String,
    found: bool,
    school: String,
    initials: String,
    class_name: String,
    dates: String,
    issued_at: String,
    channel: String,
    pdf_sha256: String,
    content_sha256: String,
}

#[derive(Deserialize, Default)]
struct CodeQuery {
    #[serde(default)]
    code: String,
}

/// The verification form's target: to the code's page.
async fn verify_lookup(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<CodeQuery>,
) -> Result<Response, PageError> {
    if q.code.trim().is_empty() {
        return verify_answer(&state, &v, String::new(), None);
    }
    match ExtractCode::parse(&q.code) {
        Some(code) => Ok(crate::redirect::see_other(&format!("/verify/{code}")).into_response()),
        None => verify_answer(&state, &v, q.code.trim().to_owned(), None),
    }
}

/// Whether an extract with the printed code was issued: public, no login, no marks; a client
/// address may look up as many codes a minute as it may try logins (429 past that), so that the
/// codes cannot be guessed in bulk.
async fn verify_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<ExtractCode>,
) -> Result<Response, PageError> {
    state.app.throttle_verification(&v.client.address).await?;
    match state.app.verify_extract(&code).await {
        Ok(found) => verify_answer(&state, &v, found.code.clone(), Some(found)),
        Err(AppError::NotFound) => verify_answer(&state, &v, code.to_string(), None),
        Err(e) => Err(e.into()),
    }
}

fn verify_answer(
    state: &AppState,
    v: &Visitor,
    typed: String,
    found: Option<tabel_app::extracts::Verification>,
) -> Result<Response, PageError> {
    let t = state.i18n.tr(v.lang);
    let zone = state.app.config().time_zone.clone();
    let status = if found.is_none() && !typed.is_empty() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let page = match found {
        Some(f) => {
            let at = zone.local(f.issued_at);
            VerifyPage {
                found: true,
                school: f.school,
                initials: f.initials,
                class_name: f.class_name.unwrap_or_default(),
                dates: format!("{} — {}", date(f.from), date(f.to)),
                issued_at: tabel_present::date_time(at),
                channel: t.get(&format!("extracts-channel-{}", f.channel)),
                pdf_sha256: f.pdf_sha256,
                content_sha256: f.content_sha256,
                typed: f.code,
                nav: Nav::anonymous(),
                t,
            }
        }
        None => VerifyPage {
            found: false,
            typed,
            school: String::new(),
            initials: String::new(),
            class_name: String::new(),
            dates: String::new(),
            issued_at: String::new(),
            channel: String::new(),
            pdf_sha256: String::new(),
            content_sha256: String::new(),
            nav: Nav::anonymous(),
            t,
        },
    };
    render_status(status, page)
}

/// Why a family gets paper, for the API.
pub(crate) fn reason_code(r: PaperReason) -> &'static str {
    r.code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfs_are_named_in_utf8_with_an_ascii_fallback() {
        let res = pdf_response(Vec::new(), "Выписка 7А_2026-05.pdf", true);
        assert_eq!(
            res.headers()[header::CONTENT_DISPOSITION],
            "inline; filename=\"________7__2026-05.pdf\"; \
             filename*=UTF-8''%D0%92%D1%8B%D0%BF%D0%B8%D1%81%D0%BA%D0%B0%207%D0%90_2026-05.pdf"
        );
    }
}
