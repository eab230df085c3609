//! The Fluent catalogue: the files under `locales/`, compiled into the binary.

use crate::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::LazyLock;

pub use fluent_bundle::FluentValue;

/// The pages' wording.
const RU_MAIN: &str = include_str!("../locales/ru/main.ftl");
const EN_MAIN: &str = include_str!("../locales/en/main.ftl");
/// What pages, notifications and documents share: periods, counted words.
const RU_COMMON: &str = include_str!("../locales/ru/common.ftl");
const EN_COMMON: &str = include_str!("../locales/en/common.ftl");
/// Exam and итоговая marks, exemptions.
const RU_CERTIFICATE: &str = include_str!("../locales/ru/certificate.ftl");
const EN_CERTIFICATE: &str = include_str!("../locales/en/certificate.ftl");
/// The absence notes' pages (a file of their own: a feature added beside the others).
const RU_NOTES: &str = include_str!("../locales/ru/notes.ftl");
const EN_NOTES: &str = include_str!("../locales/en/notes.ftl");
/// Closing periods and the year, the year's archive (a file of their own, as the notes').
const RU_CLOSING: &str = include_str!("../locales/ru/closing.ftl");
const EN_CLOSING: &str = include_str!("../locales/en/closing.ftl");
/// Promotion and the next year (a file of its own, as the notes').
const RU_PROMOTION: &str = include_str!("../locales/ru/promotion.ftl");
const EN_PROMOTION: &str = include_str!("../locales/en/promotion.ftl");
/// The personal file of a pupil who moves to another school.
const RU_PERSONAL_FILE: &str = include_str!("../locales/ru/personal_file.ftl");
const EN_PERSONAL_FILE: &str = include_str!("../locales/en/personal_file.ftl");

/// The compiled translations.
pub struct Catalogue {
    ru: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Catalogue")
    }
}

impl Default for Catalogue {
    fn default() -> Self {
        Self::new()
    }
}

fn bundle(lang: unic_langid::LanguageIdentifier, sources: &[&str]) -> FluentBundle<FluentResource> {
    let mut b = FluentBundle::new_concurrent(vec![lang]);
    // Fluent wraps interpolations in invisible Unicode isolation marks; they break copy-paste
    // and tests, and our texts have no mixed-direction parts.
    b.set_use_isolating(false);
    for source in sources {
        let res = match FluentResource::try_new((*source).to_owned()) {
            Ok(r) => r,
            // A syntax error in a bundled file: keep the parsed part (a unit test forbids errors).
            Err((r, _)) => r,
        };
        // A message defined twice keeps its first text (a unit test forbids it too).
        let _ = b.add_resource(res);
    }
    b
}

impl Catalogue {
    /// Loads the bundled files.
    pub fn new() -> Catalogue {
        Catalogue {
            ru: bundle(
                unic_langid::langid!("ru"),
                &[
                    RU_MAIN,
                    RU_COMMON,
                    RU_CERTIFICATE,
                    RU_NOTES,
                    RU_CLOSING,
                    RU_PROMOTION,
                    RU_PERSONAL_FILE,
                ],
            ),
            en: bundle(
                unic_langid::langid!("en"),
                &[
                    EN_MAIN,
                    EN_COMMON,
                    EN_CERTIFICATE,
                    EN_NOTES,
                    EN_CLOSING,
                    EN_PROMOTION,
                    EN_PERSONAL_FILE,
                ],
            ),
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

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(Catalogue::new);

/// The process's catalogue, loaded on first use.
pub fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}

/// Translations in a language from the process's catalogue.
pub fn tr(lang: Lang) -> Tr<'static> {
    CATALOGUE.tr(lang)
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

    /// A message with one numeric argument, `$n`: "3 ученика".
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        assert_eq!(ids(RU_MAIN), ids(EN_MAIN));
        assert_eq!(ids(RU_COMMON), ids(EN_COMMON));
        assert_eq!(ids(RU_CERTIFICATE), ids(EN_CERTIFICATE));
        assert_eq!(ids(RU_NOTES), ids(EN_NOTES));
        assert_eq!(ids(RU_CLOSING), ids(EN_CLOSING));
        assert_eq!(ids(RU_PROMOTION), ids(EN_PROMOTION));
        assert_eq!(ids(RU_PERSONAL_FILE), ids(EN_PERSONAL_FILE));
    }

    #[test]
    fn no_message_is_defined_in_two_files() {
        let main = ids(RU_MAIN);
        let twice: Vec<String> = ids(RU_COMMON)
            .into_iter()
            .chain(ids(RU_CERTIFICATE))
            .chain(ids(RU_NOTES))
            .chain(ids(RU_CLOSING))
            .chain(ids(RU_PROMOTION))
            .chain(ids(RU_PERSONAL_FILE))
            .filter(|id| main.binary_search(id).is_ok())
            .collect();
        assert!(twice.is_empty(), "{twice:?}");
    }

    #[test]
    fn russian_plurals_and_plain_interpolation() {
        let t = tr(Lang::Ru);
        assert_eq!(t.count("students-count", 1), "1 ученик");
        assert_eq!(t.count("students-count", 3), "3 ученика");
        assert_eq!(t.count("students-count", 25), "25 учеников");
        assert_eq!(tr(Lang::En).count("students-count", 1), "1 student");
        assert_eq!(t.get("no-such-message"), "no-such-message");
    }

    /// The rule as the grammar books state it, to check Fluent's against.
    fn russian_form(n: u64) -> usize {
        match (n % 10, n % 100) {
            (1, r) if r != 11 => 0,
            (2..=4, r) if !(12..=14).contains(&r) => 1,
            _ => 2,
        }
    }

    #[test]
    fn every_count_to_a_thousand_takes_the_right_russian_form() {
        let t = tr(Lang::Ru);
        for n in 0..=1000u64 {
            let forms = [
                format!("{n} событие"),
                format!("{n} события"),
                format!("{n} событий"),
            ];
            let shown = t.count("events-count", i64::try_from(n).unwrap_or(0));
            assert_eq!(shown, forms[russian_form(n)], "n = {n}");
        }
    }

    #[test]
    fn english_counts_are_one_or_other() {
        let t = tr(Lang::En);
        assert_eq!(t.count("events-count", 0), "0 events");
        assert_eq!(t.count("events-count", 1), "1 event");
        assert_eq!(t.count("events-count", 21), "21 events");
        assert_eq!(t.count("marks-count", 1), "1 mark");
    }

    proptest! {
        #[test]
        fn large_counts_take_the_form_of_their_last_two_digits(n in 0u64..1_000_000_000_000) {
            let ru = tr(Lang::Ru);
            let shown = ru.count("marks-count", i64::try_from(n).unwrap_or(0));
            let word = ["отметка", "отметки", "отметок"][russian_form(n)];
            prop_assert_eq!(shown, format!("{n} {word}"));
        }
    }
}
