//! The school's structure edited by its administrators: the hub, the card, subjects, classes,
//! academic years with periods, and the calendar — pages under `/admin/{school}/structure` and
//! the JSON API under `/api/v1/schools/{id}/structure`.

pub(crate) mod api;
pub(crate) mod pages;

use crate::i18n::Tr;

/// "1 240 отметок и 96 уроков": what depends on a row, in the page's language.
pub(crate) fn dependants_text(t: &Tr<'_>, deps: &[(String, i64)]) -> String {
    let parts: Vec<String> = deps
        .iter()
        .map(|(kind, n)| t.count(&format!("structure-dep-{}", kind.replace('_', "-")), *n))
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), t.get("structure-and")),
    }
}
