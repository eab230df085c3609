//! The year's end and the next year: the next year built from the previous one (a draft to
//! review and confirm) and promotion orders — pages under `/admin/{school}/promotion` and the
//! JSON API under `/api/v1/schools/{id}/…`. Administrators and deputy heads of the school.

pub(crate) mod api;
pub(crate) mod pages;

use tabel_app::promotion::LineEdit;
use tabel_app::{AppError, FieldErrors};
use tabel_domain::PersonId;
use tabel_domain::calendar::parse_iso_date;
use tabel_domain::promotion::Outcome;

/// A pupil's outcome as a form or a body gives it: parsed, or the line's error.
pub(crate) fn line_edit(
    field: &str,
    (student, outcome, left_on, basis): (&str, &str, &str, &str),
    errors: &mut FieldErrors,
) -> Option<LineEdit> {
    let Ok(student) = student.trim().parse::<PersonId>() else {
        errors.insert(field.into(), "unknown pupil".into());
        return None;
    };
    let Ok(outcome) = Outcome::from_code(outcome.trim()) else {
        errors.insert(
            field.into(),
            "promoted, conditional, repeat, graduated, continues or left".into(),
        );
        return None;
    };
    let left_on = match left_on.trim() {
        "" => None,
        raw => match parse_iso_date(&page_date(raw)) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.insert(field.into(), "a date as YYYY-MM-DD".into());
                return None;
            }
        },
    };
    Some(LineEdit {
        student,
        outcome,
        left_on,
        basis: basis.to_owned(),
    })
}

/// A date typed on a page: `28.05.2027` or ISO.
pub(crate) fn page_date(raw: &str) -> String {
    let s = raw.trim();
    let parts: Vec<&str> = s.split('.').collect();
    match parts.as_slice() {
        [d, m, y] if y.len() == 4 => format!("{y}-{m:0>2}-{d:0>2}"),
        _ => s.to_owned(),
    }
}

/// An order's date as typed (empty: none yet), or the field's error.
pub(crate) fn order_date(raw: &str) -> Result<Option<time::Date>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        d => parse_iso_date(&page_date(d))
            .map(Some)
            .map_err(|_| AppError::invalid("order_date", "a date as YYYY-MM-DD")),
    }
}
