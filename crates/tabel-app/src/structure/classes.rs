//! Classes of a year: create one (with its parallel when the grade has none yet), rename it,
//! move it to the other shift, appoint its class teacher (the previous term ends the day
//! before, never deleted), and delete one nothing depends on.

use super::years::{ensure_periods, year_of_school};
use super::{Change, audit_change, in_use, may_edit_structure};
use crate::{App, AppError, Client, FieldErrors, check};
use serde::{Deserialize, Serialize};
use tabel_domain::access::Principal;
use tabel_domain::calendar::{WeekLength, parse_iso_date};
use tabel_domain::school::{AcademicYear, GroupKind, PeriodKind};
use tabel_domain::text::ClassName;
use tabel_domain::{AcademicYearId, GroupId, PersonId, SchoolId};
use tabel_store::school as repo;
use tabel_store::structure::{self as store, ClassCard};
use tabel_store::{Conn, timetable as tt};
use time::{Date, Duration};

/// A new class as a form or an API body gives it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ClassInput {
    /// Grade 1–11.
    pub grade: u8,
    /// The letter: «А» makes «5А».
    pub letter: String,
    /// Shift 1 or 2 (default 1).
    #[serde(default)]
    pub shift: Option<u8>,
    /// For a grade with no parallel yet this year: days in its week (5 or 6, default 5).
    #[serde(default)]
    pub week_days: Option<u8>,
    /// For a grade with no parallel yet: `quarter`, `trimester` or `half_year` (default:
    /// quarters for grades 1–9, half-years for 10–11).
    #[serde(default)]
    pub period_kind: Option<String>,
    /// The class teacher: a staff member's id.
    #[serde(default)]
    pub class_teacher_id: Option<String>,
    /// From when (ISO date; default today, or the year's first day if it is later).
    #[serde(default)]
    pub teacher_from: Option<String>,
}

/// A change to a class; what is absent stays.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ClassUpdate {
    /// A new letter.
    #[serde(default)]
    pub letter: Option<String>,
    /// Shift 1 or 2.
    #[serde(default)]
    pub shift: Option<u8>,
    /// A new class teacher (a staff member's id); empty: the class has none from `teacher_from`.
    #[serde(default)]
    pub class_teacher_id: Option<String>,
    /// From when the new class teacher serves (ISO date; default today).
    #[serde(default)]
    pub teacher_from: Option<String>,
}

/// A class teacher's term as shown.
#[derive(Debug, Clone, Serialize)]
pub struct ClassTeacherView {
    /// The staff member.
    pub id: PersonId,
    /// Their name.
    pub name: String,
    /// Since when.
    pub since: Date,
}

/// A class on the administrators' list.
#[derive(Debug, Clone, Serialize)]
pub struct ClassView {
    /// Id.
    pub id: GroupId,
    /// Name, e.g. «5А».
    pub name: String,
    /// Grade.
    pub grade: u8,
    /// Shift.
    pub shift: u8,
    /// The class teacher today.
    pub class_teacher: Option<ClassTeacherView>,
}

/// The classes page: the year, the years to choose from, the classes, and the staff who may
/// lead one.
#[derive(Debug, Clone, Serialize)]
pub struct ClassesView {
    /// The year shown.
    pub year: AcademicYear,
    /// The school's years, newest first.
    pub years: Vec<AcademicYear>,
    /// Its classes.
    pub classes: Vec<ClassView>,
    /// Staff: id and name.
    pub staff: Vec<(PersonId, String)>,
}

fn full_name(p: &tabel_store::setup::PersonFacts) -> String {
    match &p.middle_name {
        Some(m) => format!("{} {} {m}", p.last_name, p.first_name),
        None => format!("{} {}", p.last_name, p.first_name),
    }
}

async fn staff_names(
    conn: &mut Conn<'_>,
    school: SchoolId,
) -> Result<Vec<(PersonId, String)>, AppError> {
    let mut v: Vec<(PersonId, String)> = tabel_store::setup::staff(conn, school)
        .await?
        .iter()
        .map(|s| (PersonId::new(s.person.id), full_name(&s.person)))
        .collect();
    v.sort_by_key(|(_, n)| tabel_domain::text::sort_key(n));
    Ok(v)
}

fn class_json(c: &ClassCard) -> serde_json::Value {
    serde_json::json!({
        "name": c.name, "grade": c.grade, "shift": c.shift, "year_id": c.year.to_string(),
        "class_teacher": c.class_teacher.map(|(_, t, from)| serde_json::json!({
            "id": t.to_string(), "since": from.to_string()
        })),
    })
}

fn letter_of(raw: &str, grade: u8, errors: &mut FieldErrors) -> Option<ClassName> {
    let mut chars = raw.trim().chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => ClassName::new(grade, c)
            .map_err(|e| errors.insert("letter".into(), e.to_string()))
            .ok(),
        _ => {
            errors.insert("letter".into(), "one Cyrillic letter, e.g. А".into());
            None
        }
    }
}

fn date_field(field: &str, raw: Option<&str>, errors: &mut FieldErrors) -> Option<Date> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => parse_iso_date(s)
            .map_err(|_| errors.insert(field.into(), "a date as YYYY-MM-DD".into()))
            .ok(),
    }
}

fn teacher_field(raw: &str, errors: &mut FieldErrors) -> Option<PersonId> {
    raw.trim()
        .parse::<PersonId>()
        .map_err(|_| errors.insert("class_teacher_id".into(), "unknown".into()))
        .ok()
}

/// The class, if it is the school's (else 404).
async fn class_of(
    conn: &mut Conn<'_>,
    school: SchoolId,
    id: GroupId,
    on: Date,
) -> Result<ClassCard, AppError> {
    match store::class_card(conn, id, on).await? {
        Some(c) if c.school == school => Ok(c),
        _ => Err(AppError::NotFound),
    }
}

async fn check_teacher(
    conn: &mut Conn<'_>,
    school: SchoolId,
    teacher: PersonId,
) -> Result<(), AppError> {
    if repo::is_staff(conn, teacher, school).await? {
        Ok(())
    } else {
        Err(AppError::invalid(
            "class_teacher_id",
            "no such staff member in this school",
        ))
    }
}

impl App {
    /// The classes of a year (default: the current one), administrators and deputy heads.
    pub async fn class_list(
        &self,
        p: &Principal,
        school: SchoolId,
        year: Option<AcademicYearId>,
    ) -> Result<ClassesView, AppError> {
        check(may_edit_structure(p, school))?;
        let mut c = self.db.acquire().await?;
        let year = year_of_school(&mut c.conn(), school, year, self.today()).await?;
        let on = self.today().clamp(year.starts_on, year.ends_on);
        let staff = staff_names(&mut c.conn(), school).await?;
        let name_of = |id: PersonId| {
            staff
                .iter()
                .find(|(p, _)| *p == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        };
        let classes = store::class_cards(&mut c.conn(), year.id, on)
            .await?
            .into_iter()
            .map(|k| ClassView {
                id: k.id,
                name: k.name,
                grade: k.grade,
                shift: k.shift,
                class_teacher: k.class_teacher.map(|(_, t, since)| ClassTeacherView {
                    id: t,
                    name: name_of(t),
                    since,
                }),
            })
            .collect();
        let years = store::academic_years(&mut c.conn(), school).await?;
        Ok(ClassesView {
            year,
            years,
            classes,
            staff,
        })
    }

    /// Adds a class to a year (default: the current one), with its parallel and that
    /// parallel's periods when the grade has none yet; audited as `class.create` (and
    /// `parallel.create`).
    pub async fn create_class(
        &self,
        p: &Principal,
        school: SchoolId,
        year: Option<AcademicYearId>,
        input: &ClassInput,
        client: &Client,
    ) -> Result<GroupId, AppError> {
        check(may_edit_structure(p, school))?;
        let mut errors = FieldErrors::new();
        if !(1..=11).contains(&input.grade) {
            errors.insert("grade".into(), "a grade from 1 to 11".into());
        }
        let name = if errors.is_empty() {
            letter_of(&input.letter, input.grade, &mut errors)
        } else {
            None
        };
        let shift = input.shift.unwrap_or(1);
        if !(1..=2).contains(&shift) {
            errors.insert("shift".into(), "1 or 2".into());
        }
        let week = match WeekLength::try_from(input.week_days.unwrap_or(5)) {
            Ok(w) => Some(w),
            Err(_) => {
                errors.insert("week_days".into(), "5 or 6".into());
                None
            }
        };
        let kind = match input.period_kind.as_deref().map(str::trim) {
            None | Some("") if input.grade >= 10 => Some(PeriodKind::HalfYear),
            None | Some("") => Some(PeriodKind::Quarter),
            Some(k) => PeriodKind::from_code(k)
                .map_err(|_| {
                    errors.insert(
                        "period_kind".into(),
                        "quarter, trimester or half_year".into(),
                    )
                })
                .ok(),
        };
        let teacher = match input
            .class_teacher_id
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            None => None,
            Some(raw) => teacher_field(raw, &mut errors),
        };
        let from = date_field("teacher_from", input.teacher_from.as_deref(), &mut errors);
        let (Some(name), Some(week), Some(kind)) = (name, week, kind) else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let year = year_of_school(&mut tx.conn(), school, year, self.today()).await?;
        let name = name.to_string();
        if store::class_name_taken(&mut tx.conn(), year.id, &name, None).await? {
            return Err(AppError::invalid(
                "letter",
                format!("the year already has a class {name}"),
            ));
        }
        if let Some(t) = teacher {
            check_teacher(&mut tx.conn(), school, t).await?;
        }
        let from = from.unwrap_or(self.today().max(year.starts_on));
        if from < year.starts_on || from > year.ends_on {
            return Err(AppError::invalid(
                "teacher_from",
                "a date inside the academic year",
            ));
        }
        let has_parallel = repo::list_parallels(&mut tx.conn(), year.id)
            .await?
            .iter()
            .any(|p| p.grade == input.grade);
        if !has_parallel {
            let parallel =
                repo::insert_parallel(&mut tx.conn(), school, year.id, input.grade, week, kind)
                    .await?;
            ensure_periods(&mut tx.conn(), school, &year, kind).await?;
            audit_change(
                &mut tx.conn(),
                Change {
                    school,
                    at: now,
                    actor: p.user.get(),
                    action: "parallel.create",
                    entity_id: parallel.to_string(),
                    before: None,
                    after: Some(serde_json::json!({
                        "grade": input.grade, "week_days": week.days(), "period_kind": kind.code(),
                        "year_id": year.id.to_string(),
                    })),
                },
                client,
            )
            .await?;
        }
        let id = repo::insert_group(
            &mut tx.conn(),
            &repo::NewGroup {
                school,
                year: year.id,
                kind: GroupKind::Class,
                name: &name,
                grade: input.grade,
                parent: None,
                subject: None,
            },
        )
        .await?;
        tt::set_group_shift(&mut tx.conn(), id, shift).await?;
        if let Some(t) = teacher {
            repo::insert_class_teacher(&mut tx.conn(), school, id, t, from).await?;
        }
        let card = class_of(&mut tx.conn(), school, id, from).await?;
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: now,
                actor: p.user.get(),
                action: "class.create",
                entity_id: id.to_string(),
                before: None,
                after: Some(class_json(&card)),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(id)
    }

    /// Renames a class, moves it to a shift, or appoints its class teacher (the previous term
    /// ends the day before); audited as `class.update`.
    pub async fn update_class(
        &self,
        p: &Principal,
        school: SchoolId,
        id: GroupId,
        input: &ClassUpdate,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_edit_structure(p, school))?;
        let mut errors = FieldErrors::new();
        if let Some(s) = input.shift
            && !(1..=2).contains(&s)
        {
            errors.insert("shift".into(), "1 or 2".into());
        }
        let from = date_field("teacher_from", input.teacher_from.as_deref(), &mut errors);
        let teacher: Option<Option<PersonId>> = match input.class_teacher_id.as_deref() {
            None => None,
            Some(raw) if raw.trim().is_empty() => Some(None),
            Some(raw) => teacher_field(raw, &mut errors).map(Some),
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let today = self.today();
        let mut tx = self.db.begin().await?;
        let before = class_of(&mut tx.conn(), school, id, today).await?;
        let year = year_of_school(&mut tx.conn(), school, Some(before.year), today).await?;
        let from = from.unwrap_or(today.max(year.starts_on));
        // The term that runs on the new one's first day, or today's if that is later: a new
        // term never starts before the current one.
        let on = from.max(today.min(year.ends_on));
        let before = class_of(&mut tx.conn(), school, id, on).await?;
        let mut changed = false;
        if let Some(letter) = input.letter.as_deref() {
            let name = letter_of(letter, before.grade, &mut errors)
                .ok_or_else(|| AppError::Invalid(errors.clone()))?
                .to_string();
            if name != before.name {
                if store::class_name_taken(&mut tx.conn(), year.id, &name, Some(id)).await? {
                    return Err(AppError::invalid(
                        "letter",
                        format!("the year already has a class {name}"),
                    ));
                }
                store::rename_group(&mut tx.conn(), id, before.grade, &name).await?;
                changed = true;
            }
        }
        if let Some(shift) = input.shift
            && shift != before.shift
        {
            // The timetable's class page moves a class with its clashes seen and accepted.
            if let Some(g) = tabel_store::school::get_group(&mut tx.conn(), id, today).await? {
                let found =
                    crate::timetable::shift_conflicts(&mut tx.conn(), &g, shift, today).await?;
                if !found.is_empty() {
                    return Err(AppError::Conflict(
                        crate::timetable::shift_conflict_message(&found),
                    ));
                }
            }
            tt::set_group_shift(&mut tx.conn(), id, shift).await?;
            changed = true;
        }
        if let Some(teacher) = teacher {
            let current = before.class_teacher;
            if current.map(|c| c.1) != teacher {
                if from < year.starts_on || from > year.ends_on {
                    return Err(AppError::invalid(
                        "teacher_from",
                        "a date inside the academic year",
                    ));
                }
                if let Some(t) = teacher {
                    check_teacher(&mut tx.conn(), school, t).await?;
                }
                if let Some((row, _, since)) = current {
                    if since >= from {
                        return Err(AppError::invalid(
                            "teacher_from",
                            format!(
                                "the current class teacher serves since {since}: the new term must start later"
                            ),
                        ));
                    }
                    tabel_store::setup::end_class_teacher(
                        &mut tx.conn(),
                        row,
                        from - Duration::days(1),
                    )
                    .await?;
                }
                if let Some(t) = teacher {
                    repo::insert_class_teacher(&mut tx.conn(), school, id, t, from).await?;
                }
                changed = true;
            }
        }
        if !changed {
            return Ok(());
        }
        let after = class_of(&mut tx.conn(), school, id, on).await?;
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: "class.update",
                entity_id: id.to_string(),
                before: Some(class_json(&before)),
                after: Some(class_json(&after)),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(())
    }

    /// What refers to a class, by kind.
    pub async fn class_dependants(
        &self,
        p: &Principal,
        school: SchoolId,
        id: GroupId,
    ) -> Result<Vec<(String, i64)>, AppError> {
        check(may_edit_structure(p, school))?;
        let mut c = self.db.acquire().await?;
        class_of(&mut c.conn(), school, id, self.today()).await?;
        Ok(store::group_dependants(&mut c.conn(), id).await?)
    }

    /// Deletes a class nothing depends on (pupils, lessons, timetable, marks…), with its
    /// class-teacher appointments; otherwise 422 naming the dependants. Audited as
    /// `class.delete`.
    pub async fn delete_class(
        &self,
        p: &Principal,
        school: SchoolId,
        id: GroupId,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_edit_structure(p, school))?;
        let mut tx = self.db.begin().await?;
        let before = class_of(&mut tx.conn(), school, id, self.today()).await?;
        let deps = store::group_dependants(&mut tx.conn(), id).await?;
        if !deps.is_empty() {
            return Err(in_use(&deps, "it cannot be deleted"));
        }
        store::delete_class(&mut tx.conn(), id).await?;
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: "class.delete",
                entity_id: id.to_string(),
                before: Some(class_json(&before)),
                after: None,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(())
    }
}
