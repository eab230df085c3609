//! Typed path parameters. A path's ids are parsed into domain types before a handler runs; an id
//! that does not parse names nothing, so it answers 404 like an id nobody may see, never a
//! sentinel passed on to a use case.

use crate::error::{ApiError, PageError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// The path's parameters as domain values (ids, codes): `Path(student): Path<PersonId>`,
/// `Path((class, subject)): Path<(GroupId, SubjectId)>`.
pub struct Path<T>(pub T);

/// The rejection of a path that does not parse: 404, as problem+json under `/api/`, else the
/// error page.
pub struct Unknown {
    api: bool,
}

impl IntoResponse for Unknown {
    fn into_response(self) -> Response {
        if self.api {
            ApiError::from(tabel_app::AppError::NotFound).into_response()
        } else {
            PageError::not_found().into_response()
        }
    }
}

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Unknown;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Unknown> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(_) => Err(Unknown {
                api: parts.uri.path().starts_with("/api/"),
            }),
        }
    }
}

/// An id named in a query string or a body to be looked up: one that does not parse names
/// nothing (404).
pub fn id<T: std::str::FromStr>(raw: &str) -> Result<T, tabel_app::AppError> {
    raw.trim()
        .parse()
        .map_err(|_| tabel_app::AppError::NotFound)
}

/// An id typed into a form's or a request's field: one that does not parse is that field's
/// error (422).
pub fn field_id<T: std::str::FromStr>(field: &str, raw: &str) -> Result<T, tabel_app::AppError> {
    parse_field(field, raw, "unknown")
}

/// A form's or body's field parsed, or 422 naming the field with `message`.
pub fn parse_field<T: std::str::FromStr>(
    field: &str,
    raw: &str,
    message: &str,
) -> Result<T, tabel_app::AppError> {
    raw.trim()
        .parse()
        .map_err(|_| tabel_app::AppError::invalid(field, message))
}

/// The query string of a link or a redirect, `?` included: `query(&[("week", "2026-W48")])` is
/// `?week=2026-W48`. `query` is a list (or a tuple) of name–value pairs, or a struct; every value
/// is percent-encoded, a `None` leaves its name out, and nothing at all is the empty string.
pub fn query(query: &impl serde::Serialize) -> String {
    match serde_urlencoded::to_string(query) {
        Ok(q) if !q.is_empty() => format!("?{q}"),
        // Only a value that is no list of pairs fails, which every page's tests would show.
        _ => String::new(),
    }
}

/// A path with a query string ([`query`]): `href("/diary", &[("week", "2026-W48")])`.
pub fn href(path: &str, pairs: &impl serde::Serialize) -> String {
    format!("{path}{}", query(pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_encode_their_values_and_leave_out_what_is_missing() {
        assert_eq!(
            href(
                "/timetable/desk",
                &(("date", "2026-11-28"), ("teacher", "Иванова И. & Ко"))
            ),
            "/timetable/desk?date=2026-11-28&teacher=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2%D0%B0+%D0%98.+%26+%D0%9A%D0%BE"
        );
        let school: Option<u32> = None;
        assert_eq!(
            href("/exams", &(("published", 3), ("school", school))),
            "/exams?published=3"
        );
        assert_eq!(
            href("/school/deferrals", &[("school", school)]),
            "/school/deferrals"
        );
        assert_eq!(query(&[("period", Some(7))]), "?period=7");
        assert_eq!(query(&[("period", "")]), "?period=");
    }
}
