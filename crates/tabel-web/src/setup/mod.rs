//! The school's set-up through the JSON API: import of its lists (preview or apply) and the
//! template workbook.

pub(crate) mod api;
pub(crate) mod pages;

pub use pages::Drafts;

use crate::AppState;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use tabel_app::AppError;
use tabel_app::setup::accounts::{Issued, letters_csv};

/// Handed-out letters as a download: `csv` for a mail merge, else the PDF to print, its address
/// the one the request came to.
pub(crate) async fn letters_download(
    state: &AppState,
    issued: &Issued,
    csv: bool,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    if csv {
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"login-letters.csv\"",
                ),
            ],
            letters_csv(issued),
        )
            .into_response());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.web.secure_cookies {
        "https"
    } else {
        "http"
    };
    let pdf = state
        .app
        .login_letters_pdf(issued, &format!("{scheme}://{host}/"))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"login-letters.pdf\"",
            ),
        ],
        pdf,
    )
        .into_response())
}
