//! The school's teaching structure edited by its administrators: teaching assignments, groups
//! and their pupils, the curriculum, staff with roles — as pages under
//! `/admin/{school}/structure/…` and as the JSON API under `/api/v1/schools/{id}/structure/…`.

pub(crate) mod api;
pub(crate) mod pages;

use tabel_app::AppError;
use tabel_domain::calendar::WeeklyHours;
use tabel_domain::school::Role;
use tabel_domain::setup::values::{self, CurriculumPart};
use time::Date;

/// A date typed as `дд.мм.гггг` or ISO, or the field's error.
fn date_field(field: &str, raw: &str) -> Result<Date, AppError> {
    values::date(raw).map_err(|m| AppError::invalid(field, m))
}

/// An optional date: empty is none.
fn optional_date(field: &str, raw: Option<&str>) -> Result<Option<Date>, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => date_field(field, s).map(Some),
    }
}

/// Hours a week typed with a decimal comma (`2`, `0,5`), or the field's error.
fn hours_field(field: &str, raw: &str) -> Result<WeeklyHours, AppError> {
    values::hours(raw).map_err(|m| AppError::invalid(field, m))
}

/// Hours a week in tenths (the API's unit), 1 to 400.
fn tenths_field(field: &str, tenths: i64) -> Result<WeeklyHours, AppError> {
    match u16::try_from(tenths) {
        Ok(t) if (1..=400).contains(&t) => Ok(WeeklyHours::from_tenths(t)),
        _ => Err(AppError::invalid(
            field,
            "tenths of an hour a week, 1 to 400",
        )),
    }
}

/// The curriculum's part by code or as schools write it.
fn part_field(raw: &str) -> Result<CurriculumPart, AppError> {
    CurriculumPart::from_code(raw.trim())
        .or_else(|_| values::part(raw))
        .map_err(|_| AppError::invalid("part", "compulsory or chosen"))
}

/// Role codes (`admin`, `deputy`, `teacher`).
fn roles_field(codes: &[String]) -> Result<Vec<Role>, AppError> {
    if codes.len() > 8 {
        return Err(AppError::invalid("roles", "at most three roles"));
    }
    codes
        .iter()
        .map(|c| {
            Role::from_code(c.trim())
                .ok()
                .filter(|r| Role::GRANTABLE.contains(r))
                .ok_or_else(|| {
                    AppError::invalid("roles", format!("{c:?}: use admin, deputy, teacher"))
                })
        })
        .collect()
}

/// A text field of a request, capped before anything else reads it.
fn capped(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    if raw.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(raw.to_owned())
}
