//! Static files compiled into the binary. URLs carry the version, so they can be cached for a
//! year without ever serving a stale file.

use crate::AppState;
use crate::paths::Path;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Path of Pico CSS (see `assets/vendor/README.md`).
pub const PICO: &str = "/assets/pico-2.1.1.min.css";
/// Path of Tabel's own styles.
pub const APP_CSS: &str = concat!("/assets/tabel-", env!("CARGO_PKG_VERSION"), ".css");
/// Path of the journal grid's script.
pub const JOURNAL_JS: &str = concat!("/assets/journal-", env!("CARGO_PKG_VERSION"), ".js");

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "pico-2.1.1.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/vendor/pico/pico.min.css"),
    ),
    (
        concat!("tabel-", env!("CARGO_PKG_VERSION"), ".css"),
        "text/css; charset=utf-8",
        include_bytes!("../assets/tabel.css"),
    ),
    (
        concat!("journal-", env!("CARGO_PKG_VERSION"), ".js"),
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/journal.js"),
    ),
];

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/assets/{file}", get(asset))
}

/// A vendored file named in the path; a name not served is unknown (404).
struct Asset {
    mime: &'static str,
    bytes: &'static [u8],
}

impl<'de> serde::Deserialize<'de> for Asset {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Asset, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        FILES
            .iter()
            .find(|(file, _, _)| *file == name)
            .map(|(_, mime, bytes)| Asset { mime, bytes })
            .ok_or_else(|| serde::de::Error::custom("no such file"))
    }
}

async fn asset(Path(file): Path<Asset>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(file.mime)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        file.bytes,
    )
        .into_response()
}
