//! Work types by name and abbreviation. The names are the school's (its grading policy lists
//! them), so they are data, not catalogue wording.

use std::collections::HashMap;
use tabel_domain::journal::GradingPolicy;

/// The name the school gave a work type ("Контрольная работа"); the code itself when the policy
/// no longer lists it (a mark outlives a renamed policy).
pub fn work_name<'a>(policy: &'a GradingPolicy, code: &'a str) -> &'a str {
    policy.work_type(code).map_or(code, |w| w.name.as_str())
}

/// The initials of a name's first three words: "Контрольная работа" → "КР".
fn initials(name: &str) -> String {
    let short: String = name
        .split_whitespace()
        .take(3)
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    if short.is_empty() { "?".into() } else { short }
}

/// Abbreviations of work types for a legend, by code, from (code, name) pairs in the legend's
/// order: the initials of the name, numbered from 2 when taken ("КР", then "КР2" for a
/// "Комплексная работа").
pub fn work_abbreviations<'a>(
    types: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for (code, name) in types {
        if out.contains_key(code) {
            continue;
        }
        let base = initials(name);
        let mut short = base.clone();
        let mut n = 2;
        while out.values().any(|s| *s == short) {
            short = format!("{base}{n}");
            n += 1;
        }
        out.insert(code.to_owned(), short);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_types_abbreviate_uniquely_in_order() {
        let types = [
            ("control", "Контрольная работа"),
            ("independent", "Самостоятельная работа"),
            ("answer", "Ответ на уроке"),
            ("complex", "Комплексная работа"),
            ("cr3", "Контрольная работа"),
            ("dictation", "диктант"),
            ("blank", "  "),
        ];
        let abbr = work_abbreviations(types);
        let got: Vec<&str> = types.iter().map(|(c, _)| abbr[*c].as_str()).collect();
        assert_eq!(got, ["КР", "СР", "ОНУ", "КР2", "КР3", "Д", "?"]);
    }

    #[test]
    fn the_default_policys_work_types_get_distinct_abbreviations() {
        let policy = GradingPolicy::default();
        let abbr = work_abbreviations(
            policy
                .work_types
                .iter()
                .map(|w| (w.code.as_str(), w.name.as_str())),
        );
        // "Проверочная работа" comes before "Практическая работа" in the policy.
        assert_eq!(abbr["test"], "ПР");
        assert_eq!(abbr["practical"], "ПР2");
        let mut all: Vec<&String> = abbr.values().collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), policy.work_types.len());
    }

    #[test]
    fn a_work_type_is_named_by_the_policy_or_by_its_code() {
        let policy = GradingPolicy::default();
        assert_eq!(work_name(&policy, "control"), "Контрольная работа");
        assert_eq!(work_name(&policy, "retired"), "retired");
    }
}
