//! Redirects that cannot fail. axum's `Redirect` answers 500 when its location is not a valid
//! header value (a CR or LF from a form or a percent-decoded path), and headers added to that
//! answer, such as a session cookie, would still be sent: here such a location goes home instead.

use axum::http::HeaderValue;
use axum::response::Redirect;

/// 303 See Other to `to`, or to `/` when `to` cannot be a `Location`.
pub(crate) fn see_other(to: &str) -> Redirect {
    if HeaderValue::from_str(to).is_ok() {
        Redirect::to(to)
    } else {
        Redirect::to("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[test]
    fn a_location_with_a_line_break_goes_home() {
        let res = see_other("/journal\r\nSet-Cookie: x=1").into_response();
        assert_eq!(res.status(), axum::http::StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/");
        let res = see_other("/journal/5").into_response();
        assert_eq!(res.headers()["location"], "/journal/5");
    }
}
