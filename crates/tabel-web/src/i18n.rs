//! Translations: the catalogue of tabel-present, and the language a request asks for.

use axum::http::{HeaderMap, header};

pub use tabel_present::{Catalogue as I18n, Lang, Tr};

/// The `tabel_lang` cookie, else the user's setting, else the first supported language of
/// Accept-Language, else Russian.
pub fn lang_from_headers(headers: &HeaderMap, user_locale: Option<&str>) -> Lang {
    if let Some(l) = crate::extract::cookie(headers, "tabel_lang")
        .as_deref()
        .and_then(Lang::parse)
    {
        return l;
    }
    if let Some(l) = user_locale.and_then(Lang::parse) {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
        })
        .unwrap_or(Lang::Ru)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_comes_from_cookie_then_setting_then_header() {
        let mut h = HeaderMap::new();
        assert_eq!(lang_from_headers(&h, None), Lang::Ru);
        h.insert(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9".parse().unwrap());
        assert_eq!(lang_from_headers(&h, None), Lang::En);
        assert_eq!(lang_from_headers(&h, Some("ru")), Lang::Ru);
        h.insert(header::COOKIE, "tabel_lang=en".parse().unwrap());
        assert_eq!(lang_from_headers(&h, Some("ru")), Lang::En);
    }
}
