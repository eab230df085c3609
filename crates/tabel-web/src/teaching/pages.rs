//! Pages under `/admin/{school}/structure/…`.

use crate::AppState;
use axum::Router;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
}
