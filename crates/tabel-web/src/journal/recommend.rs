//! Writing a recommendation to a pupil from the journal.

use super::lesson::*;
use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::id;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_domain::{PersonId, SubjectId};
use tabel_present::date;

#[derive(Template)]
#[template(path = "journal/recommend.html")]
struct RecommendPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    student: String,
    subject: String,
    back: String,
    body: String,
    error: String,
    /// The pupil's earlier recommendations, newest first: (date, text).
    earlier: Vec<(String, String)>,
}

/// `?student=…&subject=…&back=…`, and the form's fields.
#[derive(Deserialize, Default)]
pub(super) struct RecommendForm {
    #[serde(default)]
    student: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    body: String,
}

impl RecommendForm {
    fn ids(&self) -> Result<(PersonId, Option<SubjectId>), AppError> {
        let subject = match self.subject.trim() {
            "" => None,
            s => Some(id(s)?),
        };
        Ok((id(self.student.trim())?, subject))
    }

    fn page<'a>(&self, t: Tr<'a>, user: &PageUser, error: String) -> RecommendPage<'a> {
        RecommendPage {
            t,
            nav: user.nav.clone(),
            student: self.student.trim().to_owned(),
            subject: self.subject.trim().to_owned(),
            back: local_back(&self.back),
            body: self.body.clone(),
            error,
            earlier: Vec::new(),
        }
    }
}

/// What teachers have recommended to the pupil before (none shown when the viewer may not see
/// the pupil; whether they may write is decided when the form is posted).
async fn earlier_recommendations(
    state: &AppState,
    user: &PageUser,
    student: PersonId,
) -> Vec<(String, String)> {
    let zone = state.app.config().time_zone.clone();
    let mut list = state
        .app
        .recommendations(&user.who.principal, student)
        .await
        .unwrap_or_default();
    list.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    list.into_iter()
        .map(|r| (date(zone.local_date(r.created_at)), r.body))
        .collect()
}

/// The form for a recommendation to a pupil (and the family), reached from the lesson page.
/// Whether the viewer may write it is decided when it is posted.
#[tracing::instrument(skip_all)]
pub(super) async fn recommend_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<RecommendForm>,
) -> Result<Response, PageError> {
    let (student, _) = q.ids()?;
    let mut page = q.page(user.tr(&state), &user, String::new());
    page.earlier = earlier_recommendations(&state, &user, student).await;
    Ok(render(page)?.into_response())
}

/// Writes the recommendation and returns to the page it was asked from; an empty text comes
/// back as 422 with the form.
#[tracing::instrument(skip_all)]
pub(super) async fn save_recommendation(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<RecommendForm>,
) -> Result<Response, PageError> {
    let result = match f.ids() {
        Ok((student, subject)) => {
            state
                .app
                .add_recommendation(&user.who.principal, student, subject, &f.body, &user.client)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(crate::redirect::see_other(&local_back(&f.back)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let message = errors.into_values().collect::<Vec<_>>().join("; ");
            let t = user.tr(&state);
            let error = format!("{}: {message}", t.get("recommend-empty"));
            render_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                f.page(t, &user, error),
            )
        }
        Err(e) => Err(PageError::from(e)),
    }
}
