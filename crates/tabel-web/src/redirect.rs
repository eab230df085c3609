//! Redirects that cannot fail, and the one rule for a user-given place to go back to. axum's
//! `Redirect` answers 500 when its location is not a valid header value (a CR or LF from a form
//! or a percent-decoded path), and headers added to that answer, such as a session cookie, would
//! still be sent: here such a location goes home instead.

use axum::http::HeaderValue;
use axum::response::Redirect;
use std::borrow::Cow;

/// The longest user-given path followed.
const MAX_LOCAL_PATH: usize = 2048;

/// `raw` when it is certainly a path on this site, for every browser: it starts with one `/`,
/// and neither it nor its percent-decoded forms hold `//`, a `\` (browsers read it as `/`), a
/// control character or white space (browsers drop a tab or line break from a URL, and
/// `/\t/evil.example` becomes `//evil.example`); it is visible ASCII as given (what
/// [`crate::auth::encode_next`] makes). Starting with `/`, it has no scheme. Every redirect to a
/// place that came with the request (a `next` parameter, a form's `back`, a `Referer`) goes
/// through here.
pub(crate) fn local_path(raw: &str) -> Option<&str> {
    if raw.len() > MAX_LOCAL_PATH
        || !raw.starts_with('/')
        || !raw.bytes().all(|b| b.is_ascii_graphic())
    {
        return None;
    }
    // Decoded until nothing changes (a few rounds at most: `%252F` is `%2F` is `/`).
    let mut form = Cow::Borrowed(raw);
    for _ in 0..4 {
        if form.contains("//")
            || form.contains('\\')
            || form.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(&form)
            .decode_utf8_lossy()
            .into_owned();
        if decoded == form {
            return Some(raw);
        }
        form = Cow::Owned(decoded);
    }
    None
}

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
    fn only_plain_paths_of_this_site_are_local() {
        for hostile in [
            "//x",
            "//evil.example/",
            "/\\x",
            "\\\\x",
            "/\t/x",
            "/\n/x",
            "/\r\nSet-Cookie: a=b",
            "/%2F%2Fx",
            "/%2f/x",
            "/%252F%252Fx",
            "/%5Cx",
            "/%5c%5cx",
            "/%09/x",
            "/%0d%0aSet-Cookie:%20a=b",
            "/%00",
            "/%C2%A0/x",
            "/a b",
            "/journal//evil.example",
            "https://x",
            "http:/x",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            " /x",
            "/x ",
            "x",
            "",
            "/дневник",
            "\u{0}/x",
        ] {
            assert_eq!(local_path(hostile), None, "{hostile:?}");
        }
        assert_eq!(local_path(&format!("/{}", "a".repeat(3000))), None);
        for fine in [
            "/",
            "/admin/users",
            "/diary?week=2026-W48",
            "/people?q=%D0%98%D0%B2",
            "/%D0%B4%D0%B7%231",
            "/journal/5/7#cell",
            "/x?next=/y",
        ] {
            assert_eq!(local_path(fine), Some(fine), "{fine:?}");
        }
    }

    #[test]
    fn a_location_with_a_line_break_goes_home() {
        let res = see_other("/journal\r\nSet-Cookie: x=1").into_response();
        assert_eq!(res.status(), axum::http::StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/");
        let res = see_other("/journal/5").into_response();
        assert_eq!(res.headers()["location"], "/journal/5");
    }
}
