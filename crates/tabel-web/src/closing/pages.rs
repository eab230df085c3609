//! Closing on the pages: a period's closing for the school, a parallel or a class
//! (`/periods/{period}/closing?scope=`: the classes with their locks, what the scope's classes
//! still lack, and the close / reopen form), and the archive (`/archive`: the school's years;
//! `/archive/years/{year}`: a year's periods, what it lacks, the form that closes it, and once
//! closed its files with size and SHA-256, each downloadable at `/archive/files/{file}`).

use crate::AppState;
use crate::error::{PageError, render};
use crate::extract::{Nav, PageUser};
use crate::homework_files::api::attachment;
use crate::i18n::Tr;
use crate::paths::Path;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::closing::{ArchiveFile, ClassMissing, CloseScope};
use tabel_domain::{AcademicYearId, ArchiveFileId, PeriodId};
use tabel_present::date;

use super::api::ScopeQuery;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/periods/{period}/closing",
            get(period_page).post(period_action),
        )
        .route("/archive", get(archive_page))
        .route("/archive/years/{year}", get(year_page))
        .route("/archive/years/{year}/close", post(close_year))
        .route("/archive/files/{file}", get(download))
}

/// What a class lacks, as the pages list it.
pub struct MissingRow {
    /// «5А».
    pub class: String,
    /// «Петров Иван — Математика».
    pub finals: Vec<String>,
    /// «01.10.2026, 2-й урок: 5А, Математика».
    pub lessons: Vec<String>,
    /// «Петров Иван — ОГЭ, Математика».
    pub results: Vec<String>,
}

fn missing_rows(list: &[ClassMissing]) -> Vec<MissingRow> {
    list.iter()
        .filter(|m| !m.is_empty())
        .map(|m| MissingRow {
            class: m.class_name.clone(),
            finals: m
                .finals
                .iter()
                .map(|f| format!("{} — {}", f.student_name, f.subject_name))
                .collect(),
            lessons: m
                .lessons
                .iter()
                .map(|l| {
                    format!(
                        "{}, {}: {}, {}",
                        date(l.on),
                        l.number,
                        l.group_name,
                        l.subject_name
                    )
                })
                .collect(),
            results: m
                .results
                .iter()
                .map(|r| format!("{} — {}, {}", r.student_name, r.exam, r.subject_name))
                .collect(),
        })
        .collect()
}

/// A class with its lock, for the period page.
pub struct ClassRow {
    /// `class:<id>`.
    pub scope: String,
    /// «5А».
    pub name: String,
    /// «закрыт 28.11.2026 14:05» or «открыт».
    pub state: String,
    /// Closed.
    pub closed: bool,
}

#[derive(Template)]
#[template(path = "closing/period.html")]
struct PeriodPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    period_id: String,
    /// «2 четверть, 01.11.2026 – 27.12.2026».
    title: String,
    /// The scope's code.
    scope: String,
    /// (code, label, selected) for the scope picker.
    scopes: Vec<(String, String, bool)>,
    classes: Vec<ClassRow>,
    missing: Vec<MissingRow>,
    /// Every class of the scope is closed.
    all_closed: bool,
    /// Some class of the scope is closed.
    any_closed: bool,
    year_frozen: bool,
    year_href: String,
}

async fn period_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(period): Path<PeriodId>,
    Query(q): Query<ScopeQuery>,
) -> Result<Html<String>, PageError> {
    let scope = q.parse()?;
    let v = state
        .app
        .period_closing(&user.who.principal, period, scope)
        .await?;
    let t = user.tr(&state);
    let zone = state.app.config().time_zone.clone();
    let mut scopes = vec![(
        "school".to_owned(),
        t.get("closing-scope-school"),
        scope == CloseScope::School,
    )];
    let mut grades: Vec<u8> = v.classes.iter().map(|c| c.grade).collect();
    grades.dedup();
    for g in grades {
        scopes.push((
            format!("grade:{g}"),
            t.with("closing-scope-grade", "grade", g),
            scope == CloseScope::Parallel(g),
        ));
    }
    for c in &v.classes {
        scopes.push((
            format!("class:{}", c.class),
            c.name.clone(),
            scope == CloseScope::Class(c.class),
        ));
    }
    let scoped = v.scoped();
    let title = format!(
        "{}, {} – {}",
        tabel_present::period_name(user.lang, v.period.kind, v.period.number),
        date(v.period.starts_on),
        date(v.period.ends_on)
    );
    render(PeriodPage {
        period_id: period.to_string(),
        title,
        scope: scope.code(),
        all_closed: scoped.iter().all(|c| c.locked_at.is_some()),
        any_closed: scoped.iter().any(|c| c.locked_at.is_some()),
        classes: v
            .classes
            .iter()
            .map(|c| ClassRow {
                scope: format!("class:{}", c.class),
                name: c.name.clone(),
                state: match c.locked_at {
                    Some(at) => t.with(
                        "closing-closed-at",
                        "at",
                        tabel_present::date_time(zone.local(at)),
                    ),
                    None => t.get("closing-open"),
                },
                closed: c.locked_at.is_some(),
            })
            .collect(),
        missing: missing_rows(&v.missing),
        year_frozen: v.year_frozen,
        year_href: format!("/archive/years/{}", v.year),
        scopes,
        nav: user.nav.clone(),
        t,
    })
}

/// The period page's form.
#[derive(Deserialize)]
struct PeriodForm {
    scope: String,
    /// `close` or `reopen`.
    action: String,
}

#[tracing::instrument(skip_all, fields(period = %period))]
async fn period_action(
    State(state): State<AppState>,
    user: PageUser,
    Path(period): Path<PeriodId>,
    Form(f): Form<PeriodForm>,
) -> Result<Response, PageError> {
    let scope = CloseScope::parse(&f.scope)?;
    let close = match f.action.as_str() {
        "close" => true,
        "reopen" => false,
        _ => return Err(AppError::invalid("action", "close or reopen").into()),
    };
    state
        .app
        .close_period_for(&user.who.principal, period, scope, close, &user.client)
        .await?;
    let to = format!("/periods/{period}/closing?scope={}", scope.code());
    Ok(crate::redirect::see_other(&to).into_response())
}

/// A year in the archive's list.
pub struct YearRow {
    /// «2026/2027».
    pub label: String,
    /// Where its page is.
    pub href: String,
    /// «закрыт 31.05.2027 18:00» or «идёт».
    pub state: String,
    /// Closed.
    pub closed: bool,
}

#[derive(Template)]
#[template(path = "closing/archive.html")]
struct ArchivePage<'a> {
    t: Tr<'a>,
    nav: Nav,
    years: Vec<YearRow>,
}

async fn archive_page(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Html<String>, PageError> {
    let p = &user.who.principal;
    let school = p.schools().into_iter().next().ok_or(AppError::Forbidden)?;
    let years = state.app.archive_years(p, school).await?;
    let t = user.tr(&state);
    let zone = state.app.config().time_zone.clone();
    render(ArchivePage {
        years: years
            .into_iter()
            .map(|y| YearRow {
                href: format!("/archive/years/{}", y.year),
                state: match y.frozen_at {
                    Some(at) => t.with(
                        "closing-year-closed-at",
                        "at",
                        tabel_present::date_time(zone.local(at)),
                    ),
                    None => t.get("closing-year-open"),
                },
                closed: y.frozen_at.is_some(),
                label: y.label,
            })
            .collect(),
        nav: user.nav.clone(),
        t,
    })
}

/// A file of the archive as the year page lists it.
pub struct FileRow {
    /// Id (element ids).
    pub id: String,
    /// «5А/Сводная_ведомость_5А.pdf».
    pub name: String,
    /// «12,3 КБ».
    pub size: String,
    /// Bytes.
    pub bytes: i64,
    /// SHA-256.
    pub sha256: String,
    /// Where to download it.
    pub href: String,
}

fn file_row(f: &ArchiveFile) -> FileRow {
    FileRow {
        id: f.id.to_string(),
        name: f.file_name.clone(),
        size: kib(f.size_bytes),
        bytes: f.size_bytes,
        sha256: f.sha256.clone(),
        href: format!("/archive/files/{}", f.id),
    }
}

fn kib(bytes: i64) -> String {
    let tenths = (bytes * 10 + 512) / 1024;
    format!("{},{} КБ", tenths / 10, tenths % 10)
}

/// A period as the year page lists it.
pub struct PeriodRow {
    /// «1 четверть».
    pub name: String,
    /// Where its closing page is.
    pub href: String,
    /// Classes it is still open for («5А, 5Б»), "" when closed for all.
    pub open_for: String,
}

#[derive(Template)]
#[template(path = "closing/year.html")]
struct YearPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    year_id: String,
    label: String,
    /// «закрыт 31.05.2027 18:00» or «идёт».
    state: String,
    closed: bool,
    may_close: bool,
    all_closed: bool,
    periods: Vec<PeriodRow>,
    missing: Vec<MissingRow>,
    files: Vec<FileRow>,
}

async fn year_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(year): Path<AcademicYearId>,
) -> Result<Html<String>, PageError> {
    let v = state.app.year_closing(&user.who.principal, year).await?;
    let t = user.tr(&state);
    let zone = state.app.config().time_zone.clone();
    render(YearPage {
        year_id: year.to_string(),
        label: v.year.label.clone(),
        state: match v.year.frozen_at {
            Some(at) => t.with(
                "closing-year-closed-at",
                "at",
                tabel_present::date_time(zone.local(at)),
            ),
            None => t.get("closing-year-open"),
        },
        closed: v.year.frozen_at.is_some(),
        may_close: v.may_close,
        all_closed: v.all_closed(),
        periods: v
            .periods
            .iter()
            .map(|p| PeriodRow {
                name: tabel_present::period_name(user.lang, p.period.kind, p.period.number),
                href: format!("/periods/{}/closing", p.period.id),
                open_for: p.open_for.join(", "),
            })
            .collect(),
        missing: missing_rows(&v.missing),
        files: v.files.iter().map(file_row).collect(),
        nav: user.nav.clone(),
        t,
    })
}

/// The year page's form.
#[derive(Deserialize)]
struct CloseYearForm {
    /// `1` when the box «close anyway» is ticked.
    anyway: Option<String>,
}

#[tracing::instrument(skip_all, fields(year = %year))]
async fn close_year(
    State(state): State<AppState>,
    user: PageUser,
    Path(year): Path<AcademicYearId>,
    Form(f): Form<CloseYearForm>,
) -> Result<Response, PageError> {
    let anyway = f.anyway.is_some_and(|a| !a.is_empty());
    state
        .app
        .close_year(&user.who.principal, year, anyway, &user.client)
        .await?;
    Ok(crate::redirect::see_other(&format!("/archive/years/{year}")).into_response())
}

async fn download(
    State(state): State<AppState>,
    user: PageUser,
    Path(file): Path<ArchiveFileId>,
) -> Result<Response, PageError> {
    let (f, bytes) = state.app.archive_file(&user.who.principal, file).await?;
    let name = f.file_name.rsplit('/').next().unwrap_or(&f.file_name);
    Ok(attachment(name, &f.content_type, bytes))
}
