//! Academic years with their parallels and reporting periods: create a year (the federal
//! calendar proposes the dates, periods and holidays), move a period's dates (not a locked
//! one; the periods of a kind stay in order, without overlaps or gaps of school days), and
//! change a parallel's kind of periods or week length (not once final marks were given for the
//! old kind's periods).

use super::{Change, audit_change, may_edit_structure};
use crate::{App, AppError, Client, FieldErrors, check};
use serde::{Deserialize, Serialize};
use tabel_domain::access::Principal;
use tabel_domain::calendar::{SchoolYear, WeekLength, parse_iso_date};
use tabel_domain::school::{AcademicYear, DayOffKind, Period, PeriodKind};
use tabel_domain::structure::{check_periods, proposed_periods};
use tabel_domain::{AcademicYearId, ParallelId, PeriodId, SchoolId, federal};
use tabel_store::Conn;
use tabel_store::school::{self as repo, Parallel};
use tabel_store::structure as store;
use time::Date;

/// The year, if it is the school's (else 404); without one, the year of `today` (or the
/// newest).
pub(crate) async fn year_of_school(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: Option<AcademicYearId>,
    today: Date,
) -> Result<AcademicYear, AppError> {
    match year {
        Some(id) => match store::academic_year(conn, id).await? {
            Some(y) if y.school == school => Ok(y),
            _ => Err(AppError::NotFound),
        },
        None => match repo::academic_year_on(conn, school, today).await? {
            Some(y) => Ok(y),
            None => store::academic_years(conn, school)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    AppError::invalid("year_id", "the school has no academic year yet: add one")
                }),
        },
    }
}

/// Adds the year's periods of a kind as the federal calendar proposes them, unless it has them.
pub(crate) async fn ensure_periods(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: &AcademicYear,
    kind: PeriodKind,
) -> Result<(), AppError> {
    if repo::list_periods(conn, year.id)
        .await?
        .iter()
        .any(|p| p.kind == kind)
    {
        return Ok(());
    }
    let plan = federal_plan(year.starts_on)?;
    for (i, (from, to)) in proposed_periods(kind, &plan, year.starts_on, year.ends_on)
        .into_iter()
        .enumerate()
    {
        let number = u8::try_from(i + 1).unwrap_or(u8::MAX);
        repo::insert_period(conn, school, year.id, kind, number, from, to).await?;
    }
    Ok(())
}

pub(crate) fn federal_plan(starts_on: Date) -> Result<federal::CalendarPlan, AppError> {
    federal::plan(SchoolYear::containing(starts_on))
        .map_err(|e| AppError::invalid("start_year", e.to_string()))
}

/// Writes a year with its parallels, their periods and (given the plan) the federal calendar's
/// days off: the year and how many days off it got.
pub(crate) async fn insert_year(
    conn: &mut Conn<'_>,
    school: SchoolId,
    (start_year, starts_on, ends_on): (i32, Date, Date),
    parallels: &[(u8, WeekLength, PeriodKind)],
    holidays_of: Option<&federal::CalendarPlan>,
) -> Result<(AcademicYearId, usize), AppError> {
    let id = repo::insert_academic_year(conn, school, start_year, starts_on, ends_on).await?;
    let year = AcademicYear {
        id,
        school,
        label: format!("{}/{}", start_year, start_year + 1),
        starts_on,
        ends_on,
    };
    for (grade, week, kind) in parallels {
        repo::insert_parallel(conn, school, id, *grade, *week, *kind).await?;
        ensure_periods(conn, school, &year, *kind).await?;
    }
    let mut holidays = 0;
    for d in holidays_of
        .iter()
        .flat_map(|plan| plan.days_off.iter())
        .filter(|d| d.starts_on <= ends_on && d.ends_on >= starts_on)
    {
        repo::insert_holiday(
            conn,
            school,
            id,
            &tabel_domain::school::Holiday {
                id: tabel_domain::HolidayId::new(0),
                kind: d.kind,
                name: d.name.clone(),
                starts_on: d.starts_on,
                ends_on: d.ends_on,
                only_grade: d.only_grade,
            },
        )
        .await?;
        holidays += 1;
    }
    Ok((id, holidays))
}

/// A parallel's settings in a new year.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ParallelInput {
    /// Grade 1–11.
    pub grade: u8,
    /// Days in the week: 5 or 6.
    #[serde(default = "five")]
    pub week_days: u8,
    /// `quarter`, `trimester` or `half_year`.
    pub period_kind: String,
}

fn five() -> u8 {
    5
}

/// A new academic year.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct YearInput {
    /// The calendar year it starts in, e.g. 2027 for 2027/2028.
    pub start_year: i32,
    /// First day of lessons (ISO; default: the federal calendar's).
    #[serde(default)]
    pub starts_on: Option<String>,
    /// Last day of lessons (ISO; default: the federal calendar's).
    #[serde(default)]
    pub ends_on: Option<String>,
    /// The parallels (default: grades 1–11, five-day weeks, quarters for 1–9 and half-years
    /// for 10–11).
    #[serde(default)]
    pub parallels: Vec<ParallelInput>,
    /// Add the federal calendar's holidays and transferred days (default: yes).
    #[serde(default)]
    pub federal_holidays: Option<bool>,
}

/// A year with its parallels and periods.
#[derive(Debug, Clone, Serialize)]
pub struct YearView {
    /// The year.
    pub year: AcademicYear,
    /// Its parallels.
    pub parallels: Vec<Parallel>,
    /// Its periods, by kind and number.
    pub periods: Vec<Period>,
}

/// What the years page proposes for a new year: the federal calendar of the year after the
/// newest.
#[derive(Debug, Clone, Serialize)]
pub struct YearProposal {
    /// The start year.
    pub start_year: i32,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
}

/// Moves a period.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PeriodInput {
    /// First day (ISO).
    pub starts_on: String,
    /// Last day (ISO).
    pub ends_on: String,
}

/// Changes a parallel; what is absent stays.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ParallelUpdate {
    /// `quarter`, `trimester` or `half_year`.
    #[serde(default)]
    pub period_kind: Option<String>,
    /// 5 or 6.
    #[serde(default)]
    pub week_days: Option<u8>,
}

fn iso(field: &str, raw: &str, errors: &mut FieldErrors) -> Option<Date> {
    parse_iso_date(raw.trim())
        .map_err(|_| errors.insert(field.into(), "a date as YYYY-MM-DD".into()))
        .ok()
}

fn period_json(p: &Period) -> serde_json::Value {
    serde_json::json!({
        "kind": p.kind.code(), "number": p.number,
        "starts_on": p.starts_on.to_string(), "ends_on": p.ends_on.to_string(),
    })
}

/// Whether a date is a holiday or a day off for everyone (what may lie between two periods).
fn is_off(days: &[store::CalendarDay]) -> impl Fn(Date) -> bool + '_ {
    move |d| {
        days.iter().any(|h| {
            h.starts_on <= d
                && d <= h.ends_on
                && h.only_grade.is_none()
                && (h.kind == DayOffKind::Holiday.code() || h.kind == DayOffKind::NonWorking.code())
        })
    }
}

impl App {
    /// The school's years with parallels and periods, newest first, and the proposal for the
    /// next one (administrators and deputy heads).
    pub async fn year_list(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<(Vec<YearView>, Option<YearProposal>), AppError> {
        check(may_edit_structure(p, school))?;
        let mut c = self.db.acquire().await?;
        let mut out = Vec::new();
        for year in store::academic_years(&mut c.conn(), school).await? {
            out.push(YearView {
                parallels: repo::list_parallels(&mut c.conn(), year.id).await?,
                periods: repo::list_periods(&mut c.conn(), year.id).await?,
                year,
            });
        }
        let next = out
            .first()
            .map(|y| SchoolYear::containing(y.year.starts_on).start_year() + 1)
            .unwrap_or_else(|| SchoolYear::containing(self.today()).start_year());
        let proposal = SchoolYear::starting(next)
            .ok()
            .and_then(|y| federal::plan(y).ok())
            .map(|plan| YearProposal {
                start_year: next,
                starts_on: plan.starts_on,
                ends_on: plan.ends_on,
            });
        Ok((out, proposal))
    }

    /// Adds an academic year with its parallels, their periods and (by default) the federal
    /// calendar's holidays; audited as `year.create`.
    pub async fn create_year(
        &self,
        p: &Principal,
        school: SchoolId,
        input: &YearInput,
        client: &Client,
    ) -> Result<AcademicYearId, AppError> {
        check(may_edit_structure(p, school))?;
        let mut errors = FieldErrors::new();
        let sy = SchoolYear::starting(input.start_year)
            .map_err(|e| errors.insert("start_year".into(), e.to_string()))
            .ok();
        let plan = sy.and_then(|y| {
            federal::plan(y)
                .map_err(|e| errors.insert("start_year".into(), e.to_string()))
                .ok()
        });
        let starts_on = input
            .starts_on
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| iso("starts_on", s, &mut errors));
        let ends_on = input
            .ends_on
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| iso("ends_on", s, &mut errors));
        let mut parallels: Vec<(u8, WeekLength, PeriodKind)> = Vec::new();
        for (i, par) in input.parallels.iter().enumerate() {
            let field = format!("parallels[{i}]");
            let week = WeekLength::try_from(par.week_days).ok();
            let kind = PeriodKind::from_code(par.period_kind.trim()).ok();
            match (week, kind) {
                (Some(w), Some(k)) if (1..=11).contains(&par.grade) => {
                    if parallels.iter().any(|(g, _, _)| *g == par.grade) {
                        errors.insert(field, format!("grade {} is named twice", par.grade));
                    } else {
                        parallels.push((par.grade, w, k));
                    }
                }
                _ => {
                    errors.insert(
                        field,
                        "a grade 1–11, a week of 5 or 6 days, and quarter, trimester or half_year"
                            .into(),
                    );
                }
            }
        }
        if input.parallels.len() > 11 {
            errors.insert("parallels".into(), "at most 11 parallels".into());
        }
        let Some(plan) = plan else {
            return Err(AppError::Invalid(errors));
        };
        let starts_on = starts_on.unwrap_or(Some(plan.starts_on));
        let ends_on = ends_on.unwrap_or(Some(plan.ends_on));
        let (Some(starts_on), Some(ends_on)) = (starts_on, ends_on) else {
            return Err(AppError::Invalid(errors));
        };
        if SchoolYear::containing(starts_on).start_year() != input.start_year
            || SchoolYear::containing(ends_on).start_year() != input.start_year
            || ends_on <= starts_on
        {
            errors.insert(
                "ends_on".into(),
                format!(
                    "the year {}/{} runs from a first day to a later last day inside it",
                    input.start_year,
                    input.start_year + 1
                ),
            );
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        if parallels.is_empty() {
            parallels = (1..=11)
                .map(|g| {
                    let kind = if g >= 10 {
                        PeriodKind::HalfYear
                    } else {
                        PeriodKind::Quarter
                    };
                    (g, WeekLength::FIVE, kind)
                })
                .collect();
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if store::academic_years(&mut tx.conn(), school)
            .await?
            .iter()
            .any(|y| SchoolYear::containing(y.starts_on).start_year() == input.start_year)
        {
            return Err(AppError::invalid(
                "start_year",
                format!(
                    "the school already has the year {}/{}",
                    input.start_year,
                    input.start_year + 1
                ),
            ));
        }
        let (id, holidays) = insert_year(
            &mut tx.conn(),
            school,
            (input.start_year, starts_on, ends_on),
            &parallels,
            input.federal_holidays.unwrap_or(true).then_some(&plan),
        )
        .await?;
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: now,
                actor: p.user.get(),
                action: "year.create",
                entity_id: id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "start_year": input.start_year,
                    "starts_on": starts_on.to_string(), "ends_on": ends_on.to_string(),
                    "parallels": parallels.iter().map(|(g, w, k)| serde_json::json!({
                        "grade": g, "week_days": w.days(), "period_kind": k.code()
                    })).collect::<Vec<_>>(),
                    "holidays": holidays,
                })),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Moves a reporting period's dates (not a locked one); the periods of its kind stay inside
    /// the year, numbered 1..n, without overlaps or school days between them. Audited as
    /// `period.update`.
    pub async fn update_period(
        &self,
        p: &Principal,
        school: SchoolId,
        id: PeriodId,
        input: &PeriodInput,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_edit_structure(p, school))?;
        let mut errors = FieldErrors::new();
        let from = iso("starts_on", &input.starts_on, &mut errors);
        let to = iso("ends_on", &input.ends_on, &mut errors);
        let mut tx = self.db.begin().await?;
        let year_id = match store::period_year(&mut tx.conn(), id).await? {
            Some((s, y)) if s == school => y,
            _ => return Err(AppError::NotFound),
        };
        let (Some(from), Some(to)) = (from, to) else {
            return Err(AppError::Invalid(errors));
        };
        let year = year_of_school(&mut tx.conn(), school, Some(year_id), self.today()).await?;
        let periods = repo::list_periods(&mut tx.conn(), year_id).await?;
        let before = periods
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        if before.locked_at.is_some() {
            return Err(AppError::Conflict(
                "the period is closed (locked): its dates cannot change".into(),
            ));
        }
        if (before.starts_on, before.ends_on) == (from, to) {
            return Ok(());
        }
        let of_kind: Vec<(u8, Date, Date)> = periods
            .iter()
            .filter(|p| p.kind == before.kind)
            .map(|p| {
                if p.id == id {
                    (p.number, from, to)
                } else {
                    (p.number, p.starts_on, p.ends_on)
                }
            })
            .collect();
        let days = store::calendar_days(&mut tx.conn(), year_id).await?;
        check_periods(year.starts_on, year.ends_on, &of_kind, is_off(&days))
            .map_err(|e| AppError::invalid("dates", e.to_string()))?;
        store::set_period_dates(&mut tx.conn(), id, from, to).await?;
        let after = Period {
            starts_on: from,
            ends_on: to,
            ..before.clone()
        };
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: "period.update",
                entity_id: id.to_string(),
                before: Some(period_json(&before)),
                after: Some(period_json(&after)),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a parallel's kind of periods (only while no final marks were given for the old
    /// kind's periods in that grade; the new kind's periods are added if the year has none) or
    /// its week length (the year's lessons are regenerated from today). Audited as
    /// `parallel.update`.
    pub async fn update_parallel(
        &self,
        p: &Principal,
        school: SchoolId,
        id: ParallelId,
        input: &ParallelUpdate,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_edit_structure(p, school))?;
        let mut errors = FieldErrors::new();
        let kind = input
            .period_kind
            .as_deref()
            .map(|k| {
                PeriodKind::from_code(k.trim())
                    .map_err(|_| {
                        errors.insert(
                            "period_kind".into(),
                            "quarter, trimester or half_year".into(),
                        )
                    })
                    .ok()
            })
            .unwrap_or(None);
        let week = input
            .week_days
            .map(|w| {
                WeekLength::try_from(w)
                    .map_err(|e| errors.insert("week_days".into(), e.to_string()))
                    .ok()
            })
            .unwrap_or(None);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut tx = self.db.begin().await?;
        let mut found = None;
        for y in store::academic_years(&mut tx.conn(), school).await? {
            if let Some(par) = repo::list_parallels(&mut tx.conn(), y.id)
                .await?
                .into_iter()
                .find(|par| par.id == id)
            {
                found = Some((y, par));
                break;
            }
        }
        let Some((year, before)) = found else {
            return Err(AppError::NotFound);
        };
        let kind = kind.unwrap_or(before.period_kind);
        let week_days = week.map_or(before.week_days, WeekLength::days);
        if kind == before.period_kind && week_days == before.week_days {
            return Ok(());
        }
        if kind != before.period_kind {
            let finals = store::finals_of_period_kind(
                &mut tx.conn(),
                year.id,
                before.period_kind.code(),
                before.grade,
            )
            .await?;
            if finals > 0 {
                let given = if finals == 1 {
                    "1 final mark was".to_owned()
                } else {
                    format!("{} final marks were", super::grouped(finals))
                };
                return Err(AppError::invalid(
                    "period_kind",
                    format!(
                        "{given} given for grade {}'s periods ({}): the kind of periods cannot change",
                        before.grade,
                        before.period_kind.code()
                    ),
                ));
            }
            ensure_periods(&mut tx.conn(), school, &year, kind).await?;
        }
        store::set_parallel(&mut tx.conn(), id, kind.code(), week_days).await?;
        if week_days != before.week_days {
            let from = self.today().max(year.starts_on);
            if from <= year.ends_on {
                crate::timetable::regenerate(&mut tx.conn(), school, &year, from).await?;
            }
        }
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: "parallel.update",
                entity_id: id.to_string(),
                before: Some(serde_json::json!({
                    "grade": before.grade, "period_kind": before.period_kind.code(), "week_days": before.week_days
                })),
                after: Some(serde_json::json!({
                    "grade": before.grade, "period_kind": kind.code(), "week_days": week_days
                })),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
