//! Translations: Russian first, English second, from Fluent files compiled into the binary.

use axum::http::{HeaderMap, header};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Русский.
    Ru,
    /// English.
    En,
}

impl Lang {
    /// The code used in cookies, settings and `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// From a code; unknown codes are `None`.
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().get(..2) {
            Some("ru") => Some(Lang::Ru),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }

    /// The language a path names (`/lang/en`); unknown codes name nothing.
    pub fn from_path<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
        let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Lang::parse(&code).ok_or_else(|| serde::de::Error::custom("unknown language"))
    }

    /// The `tabel_lang` cookie, else the user's setting, else the first supported language of
    /// Accept-Language, else Russian.
    pub fn from_headers(headers: &HeaderMap, user_locale: Option<&str>) -> Lang {
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
}

const RU: &str = include_str!("../locales/ru/main.ftl");
const EN: &str = include_str!("../locales/en/main.ftl");

/// The compiled translations.
pub struct I18n {
    ru: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("I18n")
    }
}

impl Default for I18n {
    fn default() -> Self {
        Self::new()
    }
}

fn bundle(lang: unic_langid::LanguageIdentifier, source: &str) -> FluentBundle<FluentResource> {
    let mut b = FluentBundle::new_concurrent(vec![lang]);
    // Fluent wraps interpolations in invisible Unicode isolation marks; they break copy-paste
    // and tests, and our pages have no mixed-direction text.
    b.set_use_isolating(false);
    let res = match FluentResource::try_new(source.to_owned()) {
        Ok(r) => r,
        // A syntax error in a bundled file: keep the parsed part (a unit test forbids errors).
        Err((r, _)) => r,
    };
    let _ = b.add_resource(res);
    b
}

impl I18n {
    /// Loads the bundled files.
    pub fn new() -> I18n {
        I18n {
            ru: bundle(unic_langid::langid!("ru"), RU),
            en: bundle(unic_langid::langid!("en"), EN),
        }
    }

    /// Translations in a language.
    pub fn tr(&self, lang: Lang) -> Tr<'_> {
        Tr {
            lang,
            bundle: match lang {
                Lang::Ru => &self.ru,
                Lang::En => &self.en,
            },
        }
    }
}

/// Translations in one language, as templates use them: `{{ t.get("key") }}`.
#[derive(Clone, Copy)]
pub struct Tr<'a> {
    /// The language.
    pub lang: Lang,
    bundle: &'a FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Tr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tr").field("lang", &self.lang).finish()
    }
}

impl Tr<'_> {
    /// A message; its id if missing (visible, so it gets noticed).
    pub fn get(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// A message with one argument (numbers choose plural forms).
    pub fn with(&self, id: &str, name: &str, value: impl Into<FluentValue<'static>>) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), value.into());
        self.format(id, Some(&args))
    }

    /// A message with several arguments.
    pub fn args(&self, id: &str, values: &[(&str, FluentValue<'static>)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set(*name, value.clone());
        }
        self.format(id, Some(&args))
    }

    /// A message with one numeric argument.
    pub fn count(&self, id: &str, n: i64) -> String {
        self.with(id, "n", n)
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// The language code.
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}

impl<'de> serde::Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
        Lang::from_path(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(src: &str) -> Vec<String> {
        let res = FluentResource::try_new(src.to_owned())
            .unwrap_or_else(|(_, e)| panic!("syntax errors: {e:?}"));
        let mut v: Vec<String> = res
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn both_languages_have_the_same_messages_and_parse_cleanly() {
        assert_eq!(ids(RU), ids(EN));
    }

    #[test]
    fn russian_plurals_and_plain_interpolation() {
        let i = I18n::new();
        let t = i.tr(Lang::Ru);
        assert_eq!(t.count("students-count", 1), "1 ученик");
        assert_eq!(t.count("students-count", 3), "3 ученика");
        assert_eq!(t.count("students-count", 25), "25 учеников");
        assert_eq!(i.tr(Lang::En).count("students-count", 1), "1 student");
    }

    #[test]
    fn language_comes_from_cookie_then_setting_then_header() {
        let mut h = HeaderMap::new();
        assert_eq!(Lang::from_headers(&h, None), Lang::Ru);
        h.insert(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9".parse().unwrap());
        assert_eq!(Lang::from_headers(&h, None), Lang::En);
        assert_eq!(Lang::from_headers(&h, Some("ru")), Lang::Ru);
        h.insert(header::COOKIE, "tabel_lang=en".parse().unwrap());
        assert_eq!(Lang::from_headers(&h, Some("ru")), Lang::En);
    }
}
