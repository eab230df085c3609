//! The school's people in the browser and the API: finding them, a person's card and its edits,
//! a pupil's arrival, leaving and move to another class, merging a person typed twice; and the
//! regional administrator's page.

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod region;

use axum::Router;

use crate::AppState;

/// The pages of this feature.
pub(crate) fn router() -> Router<AppState> {
    pages::router().merge(region::router())
}
