//! The calendar of a year: holidays (каникулы), extra days off, worked days (a Saturday that
//! follows another weekday's timetable). Each change regenerates the year's lessons from its
//! first date (lessons with journal data stay); a day off is refused where lessons already
//! carry journal data.

use super::years::year_of_school;
use super::{Change, audit_change, may_edit_structure};
use crate::{App, AppError, Client, FieldErrors, check};
use serde::{Deserialize, Serialize};
use tabel_domain::access::Principal;
use tabel_domain::calendar::parse_iso_date;
use tabel_domain::school::{AcademicYear, DayOffKind};
use tabel_domain::text::Title;
use tabel_domain::{AcademicYearId, HolidayId, SchoolId};
use tabel_store::structure::{self as store, CalendarDay};
use tabel_store::timetable as tt;
use time::Date;

/// A row of the calendar as a form or an API body gives it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct DayInput {
    /// `holiday` (каникулы), `non_working` (a day off) or `working_day` (a worked day).
    pub kind: String,
    /// Its name, e.g. "Осенние каникулы".
    pub name: String,
    /// First day (ISO).
    pub starts_on: String,
    /// Last day (ISO; default: the first).
    #[serde(default)]
    pub ends_on: Option<String>,
    /// Only for one grade.
    #[serde(default)]
    pub only_grade: Option<u8>,
    /// For a worked day: the weekday (1 = Monday … 6 = Saturday) whose timetable it follows.
    #[serde(default)]
    pub as_weekday: Option<u8>,
}

/// A row of the calendar as shown.
#[derive(Debug, Clone, Serialize)]
pub struct DayView {
    /// Id.
    pub id: HolidayId,
    /// What it is.
    pub kind: DayOffKind,
    /// Name.
    pub name: String,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// Only for one grade.
    pub only_grade: Option<u8>,
    /// The weekday a worked day follows.
    pub as_weekday: Option<u8>,
}

/// The calendar page: the year, the years to choose from, its rows.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarYearView {
    /// The year.
    pub year: AcademicYear,
    /// The school's years, newest first.
    pub years: Vec<AcademicYear>,
    /// The rows, by date.
    pub days: Vec<DayView>,
    /// Shortened days (the short bell schedule), by date.
    pub short_days: Vec<Date>,
}

fn view(d: &CalendarDay) -> Option<DayView> {
    Some(DayView {
        id: HolidayId::new(d.id),
        kind: DayOffKind::from_code(&d.kind).ok()?,
        name: d.name.clone(),
        starts_on: d.starts_on,
        ends_on: d.ends_on,
        only_grade: d.only_grade.and_then(|g| u8::try_from(g).ok()),
        as_weekday: d.as_weekday.and_then(|g| u8::try_from(g).ok()),
    })
}

fn day_json(d: &CalendarDay) -> serde_json::Value {
    serde_json::json!({
        "kind": d.kind, "name": d.name, "starts_on": d.starts_on.to_string(),
        "ends_on": d.ends_on.to_string(), "only_grade": d.only_grade, "as_weekday": d.as_weekday,
    })
}

/// The longest calendar row: a holiday range of a few weeks, never a season.
const MAX_DAYS: i64 = 62;

impl App {
    /// A year's calendar (default: the current year).
    pub async fn calendar_year(
        &self,
        p: &Principal,
        school: SchoolId,
        year: Option<AcademicYearId>,
    ) -> Result<CalendarYearView, AppError> {
        check(may_edit_structure(p, school))?;
        let mut c = self.db.acquire().await?;
        let year = year_of_school(&mut c.conn(), school, year, self.today()).await?;
        let days = store::calendar_days(&mut c.conn(), year.id)
            .await?
            .iter()
            .filter_map(view)
            .collect();
        let short_days = tt::bell_days(&mut c.conn(), year.id)
            .await?
            .into_iter()
            .filter(|(_, v)| v == tt::SHORT)
            .map(|(d, _)| d)
            .collect();
        let years = store::academic_years(&mut c.conn(), school).await?;
        Ok(CalendarYearView {
            year,
            years,
            days,
            short_days,
        })
    }

    /// Adds a holiday, a day off or a worked day to a year and regenerates its lessons from the
    /// first date. A holiday or day off is refused where lessons already carry journal data.
    /// Audited as `holiday.create`.
    pub async fn add_calendar_day(
        &self,
        p: &Principal,
        school: SchoolId,
        year: Option<AcademicYearId>,
        input: &DayInput,
        client: &Client,
    ) -> Result<HolidayId, AppError> {
        check(may_edit_structure(p, school))?;
        let mut errors = FieldErrors::new();
        let kind = DayOffKind::from_code(input.kind.trim())
            .map_err(|_| errors.insert("kind".into(), "holiday, non_working or working_day".into()))
            .ok();
        let name = Title::parse(&input.name)
            .map_err(|e| errors.insert("name".into(), e.to_string()))
            .ok();
        let from = parse_iso_date(input.starts_on.trim())
            .map_err(|_| errors.insert("starts_on".into(), "a date as YYYY-MM-DD".into()))
            .ok();
        let to = match input.ends_on.as_deref().map(str::trim) {
            None | Some("") => from,
            Some(s) => parse_iso_date(s)
                .map_err(|_| errors.insert("ends_on".into(), "a date as YYYY-MM-DD".into()))
                .ok(),
        };
        if let Some(g) = input.only_grade
            && !(1..=11).contains(&g)
        {
            errors.insert("only_grade".into(), "a grade from 1 to 11".into());
        }
        if let Some(w) = input.as_weekday
            && !(1..=6).contains(&w)
        {
            errors.insert("as_weekday".into(), "a weekday from 1 (Monday) to 6".into());
        }
        let (Some(kind), Some(name), Some(from), Some(to)) = (kind, name, from, to) else {
            return Err(AppError::Invalid(errors));
        };
        if to < from {
            errors.insert("ends_on".into(), "not before the first day".into());
        } else if (to - from).whole_days() >= MAX_DAYS {
            errors.insert("ends_on".into(), format!("at most {MAX_DAYS} days"));
        }
        if kind == DayOffKind::WorkingDay && to != from {
            errors.insert("ends_on".into(), "a worked day is one day".into());
        }
        if kind != DayOffKind::WorkingDay && input.as_weekday.is_some() {
            errors.insert(
                "as_weekday".into(),
                "only a worked day follows a weekday".into(),
            );
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut tx = self.db.begin().await?;
        let year = year_of_school(&mut tx.conn(), school, year, self.today()).await?;
        if from < year.starts_on || to > year.ends_on {
            return Err(AppError::invalid(
                "starts_on",
                format!(
                    "inside the academic year {} ({} – {})",
                    year.label, year.starts_on, year.ends_on
                ),
            ));
        }
        if kind != DayOffKind::WorkingDay {
            let busy = store::lessons_with_data(
                &mut tx.conn(),
                year.id,
                from,
                to,
                input.only_grade.unwrap_or(0),
            )
            .await?;
            if !busy.is_empty() {
                let total: i64 = busy.iter().map(|(_, n)| n).sum();
                let classes: Vec<&str> = busy.iter().map(|(c, _)| c.as_str()).collect();
                return Err(AppError::invalid(
                    "starts_on",
                    format!(
                        "{} lesson{} on these days already carry journal data (classes {}): they cannot become days off",
                        super::grouped(total),
                        if total == 1 { "" } else { "s" },
                        classes.join(", ")
                    ),
                ));
            }
        }
        let day = CalendarDay {
            id: 0,
            school_id: school.get(),
            academic_year_id: year.id.get(),
            kind: kind.code().to_owned(),
            name: name.as_str().to_owned(),
            starts_on: from,
            ends_on: to,
            only_grade: input.only_grade.map(i64::from),
            as_weekday: input.as_weekday.map(i64::from),
        };
        let id = store::insert_calendar_day(&mut tx.conn(), &day).await?;
        let created = crate::timetable::regenerate(&mut tx.conn(), school, &year, from).await?;
        let mut after = day_json(&day);
        after["lessons_created"] = serde_json::json!(created);
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: "holiday.create",
                entity_id: id.to_string(),
                before: None,
                after: Some(after),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Removes a row of the calendar and regenerates the year's lessons from its first date.
    /// A worked day whose lessons carry journal data is refused. Audited as `holiday.delete`.
    pub async fn remove_calendar_day(
        &self,
        p: &Principal,
        school: SchoolId,
        id: HolidayId,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_edit_structure(p, school))?;
        let mut tx = self.db.begin().await?;
        let day = match store::calendar_day(&mut tx.conn(), id).await? {
            Some(d) if d.school_id == school.get() => d,
            _ => return Err(AppError::NotFound),
        };
        let year = year_of_school(
            &mut tx.conn(),
            school,
            Some(AcademicYearId::new(day.academic_year_id)),
            self.today(),
        )
        .await?;
        if day.kind == DayOffKind::WorkingDay.code() {
            let grade = day
                .only_grade
                .and_then(|g| u8::try_from(g).ok())
                .unwrap_or(0);
            let busy = store::lessons_with_data(
                &mut tx.conn(),
                year.id,
                day.starts_on,
                day.ends_on,
                grade,
            )
            .await?;
            if !busy.is_empty() {
                let total: i64 = busy.iter().map(|(_, n)| n).sum();
                let classes: Vec<&str> = busy.iter().map(|(c, _)| c.as_str()).collect();
                return Err(AppError::invalid(
                    "dependants",
                    format!(
                        "{} lessons of this worked day already carry journal data (classes {})",
                        super::grouped(total),
                        classes.join(", ")
                    ),
                ));
            }
        }
        store::delete_calendar_day(&mut tx.conn(), id).await?;
        crate::timetable::regenerate(&mut tx.conn(), school, &year, day.starts_on).await?;
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: "holiday.delete",
                entity_id: id.to_string(),
                before: Some(day_json(&day)),
                after: None,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl App {
    /// Makes a date of a year a shortened day: its lessons follow the short bell schedule
    /// (which must be set first). Audited as `shortday.create`.
    pub async fn add_short_day(
        &self,
        p: &Principal,
        school: SchoolId,
        year: Option<AcademicYearId>,
        on: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_edit_structure(p, school))?;
        let on = parse_iso_date(on.trim())
            .map_err(|_| AppError::invalid("on", "a date as YYYY-MM-DD"))?;
        let mut tx = self.db.begin().await?;
        let year = year_of_school(&mut tx.conn(), school, year, self.today()).await?;
        if on < year.starts_on || on > year.ends_on {
            return Err(AppError::invalid(
                "on",
                format!("inside the academic year {}", year.label),
            ));
        }
        if tt::bell_slots(&mut tx.conn(), year.id, 1, tt::SHORT)
            .await?
            .is_empty()
        {
            return Err(AppError::invalid(
                "on",
                "set the short bell schedule first (timetable, bells)",
            ));
        }
        tt::set_bell_day(&mut tx.conn(), school, year.id, on, tt::SHORT).await?;
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: "shortday.create",
                entity_id: format!("{}:{on}", year.id),
                before: None,
                after: Some(serde_json::json!({"on": on.to_string(), "variant": tt::SHORT})),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Returns a shortened day to the regular bells. Audited as `shortday.delete`.
    pub async fn remove_short_day(
        &self,
        p: &Principal,
        school: SchoolId,
        year: Option<AcademicYearId>,
        on: Date,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_edit_structure(p, school))?;
        let mut tx = self.db.begin().await?;
        let year = year_of_school(&mut tx.conn(), school, year, on).await?;
        if store::delete_bell_day(&mut tx.conn(), year.id, on).await? == 0 {
            return Err(AppError::NotFound);
        }
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: "shortday.delete",
                entity_id: format!("{}:{on}", year.id),
                before: Some(serde_json::json!({"on": on.to_string(), "variant": tt::SHORT})),
                after: None,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
