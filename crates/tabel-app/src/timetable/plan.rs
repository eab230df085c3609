//! Planning the timetable: bells, shifts, weekly entries with their clash checks, ending an entry and regenerating lessons.

use super::*;
use tabel_domain::school::GroupKind;

/// A weekly timetable line to add. An id the form or body did not name (absent or not an id)
/// is `None`, reported with the other fields' errors.
#[derive(Debug, Clone)]
pub struct EntryInput {
    /// Class, subgroup, stream or ИУП group.
    pub group: Option<GroupId>,
    /// 1 = Monday … 6 = Saturday.
    pub weekday: u8,
    /// Lesson number in the bell schedule.
    pub number: u8,
    /// Subject.
    pub subject: Option<SubjectId>,
    /// Teacher.
    pub teacher: Option<PersonId>,
    /// Room (may be empty).
    pub room: String,
    /// First date (default: the first day of the year).
    pub valid_from: Option<Date>,
    /// Last date (default: to the end of the year).
    pub valid_to: Option<Date>,
}

impl App {
    /// Sets a bell schedule (administrators and deputy heads).
    pub async fn set_bell_schedule(
        &self,
        p: &Principal,
        school: SchoolId,
        (shift, variant): (u8, &str),
        slots: Vec<BellSlot>,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_plan(p, school))?;
        if variant != tt::REGULAR && variant != tt::SHORT {
            return Err(AppError::invalid("variant", "use regular or short"));
        }
        if !(1..=2).contains(&shift) {
            return Err(AppError::invalid("shift", "use 1 or 2"));
        }
        let schedule =
            BellSchedule::new(slots).map_err(|e| AppError::invalid("slots", e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let year = year_of(&mut tx.conn(), school, self.today()).await?;
        crate::closing::frozen_guard(&mut tx.conn(), p, school, year.id, None).await?;
        tt::replace_bell_slots(
            &mut tx.conn(),
            school,
            year.id,
            shift,
            variant,
            schedule.slots(),
        )
        .await?;
        let after = serde_json::to_value(schedule.slots()).unwrap_or_default();
        audit_change(
            &mut tx.conn(),
            Record {
                school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "bells.set",
                entity_id: format!("{}:{shift}:{variant}", year.id),
                before: None,
                after: Some(after),
                reason: None,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The regular bell schedule of a shift of a school's current year.
    pub async fn bells(
        &self,
        p: &Principal,
        school: SchoolId,
        shift: u8,
    ) -> Result<Vec<BellSlot>, AppError> {
        check(p.may_view_school(school))?;
        let mut c = self.db.acquire().await?;
        let year = year_of(&mut c.conn(), school, self.today()).await?;
        Ok(tt::bell_slots(&mut c.conn(), year.id, shift, tt::REGULAR).await?)
    }

    /// The shift a class studies in (planners).
    pub async fn class_shift(&self, p: &Principal, class: GroupId) -> Result<u8, AppError> {
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = repo::get_group(c, class, self.today())
            .await?
            .filter(|g| g.kind == GroupKind::Class)
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, g.school))?;
        Ok(tt::group_shift(c, class).await?)
    }

    /// What moving a class (with its subgroups) to `shift` would clash with: for each of its
    /// weekly lines still in force, the other classes' lines at an overlapping time of their own
    /// shift (by the bells) with the same teacher or the same room (planners). With the current
    /// shift.
    pub async fn class_shift_conflicts(
        &self,
        p: &Principal,
        class: GroupId,
        shift: u8,
    ) -> Result<(u8, Vec<ShiftConflict>), AppError> {
        if !(1..=2).contains(&shift) {
            return Err(AppError::invalid("shift", "use 1 or 2"));
        }
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = repo::get_group(c, class, self.today())
            .await?
            .filter(|g| g.kind == GroupKind::Class)
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, g.school))?;
        let current = tt::group_shift(c, class).await?;
        if current == shift {
            return Ok((current, Vec::new()));
        }
        let found = shift_conflicts(c, &g, shift, self.today()).await?;
        Ok((current, found))
    }

    /// Moves a class (with its subgroups) to a shift (planners). The teachers' and rooms'
    /// clashes the move makes ([`App::class_shift_conflicts`]) refuse it (409, naming them)
    /// unless `accept_conflicts`: the planner has seen them and will change those lines.
    pub async fn set_class_shift(
        &self,
        p: &Principal,
        class: GroupId,
        shift: u8,
        accept_conflicts: bool,
        client: &Client,
    ) -> Result<Vec<ShiftConflict>, AppError> {
        if !(1..=2).contains(&shift) {
            return Err(AppError::invalid("shift", "use 1 or 2"));
        }
        let mut tx = self.db.begin().await?;
        let g = repo::get_group(&mut tx.conn(), class, self.today())
            .await?
            .filter(|g| g.kind == GroupKind::Class)
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, g.school))?;
        crate::closing::frozen_guard(&mut tx.conn(), p, g.school, g.year, None).await?;
        let before = tt::group_shift(&mut tx.conn(), class).await?;
        let found = if before == shift {
            Vec::new()
        } else {
            shift_conflicts(&mut tx.conn(), &g, shift, self.today()).await?
        };
        if !found.is_empty() && !accept_conflicts {
            return Err(AppError::Conflict(shift_conflict_message(&found)));
        }
        tt::set_group_shift(&mut tx.conn(), class, shift).await?;
        audit_change(
            &mut tx.conn(),
            Record {
                school: g.school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "group.shift",
                entity_id: class.to_string(),
                before: Some(serde_json::json!({"shift": before})),
                after: Some(serde_json::json!({"shift": shift, "accepted_conflicts": found.len()})),
                reason: None,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Adds a weekly line and regenerates the year's lessons from its first date (lessons with
    /// journal data stay). Refused when the slot is outside the bell schedule or the week, the
    /// dates are reversed or outside the year, or a teacher, room or class would be in two places.
    pub async fn add_timetable_entry(
        &self,
        p: &Principal,
        school: SchoolId,
        input: &EntryInput,
        client: &Client,
    ) -> Result<i64, AppError> {
        check(may_plan(p, school))?;
        let mut errors = FieldErrors::new();
        let group = named("group_id", input.group, &mut errors);
        let subject = named("subject_id", input.subject, &mut errors);
        let teacher = named("teacher_id", input.teacher, &mut errors);
        let room = input.room.trim();
        if room.chars().count() > 20 {
            errors.insert("room".into(), "at most 20 characters".into());
        }
        let (Some(group), Some(subject), Some(teacher)) = (group, subject, teacher) else {
            return Err(AppError::Invalid(errors));
        };
        let mut tx = self.db.begin().await?;
        let year = year_of(&mut tx.conn(), school, self.today()).await?;
        crate::closing::frozen_guard(&mut tx.conn(), p, school, year.id, None).await?;
        let valid_from = input.valid_from.unwrap_or(year.starts_on);
        let valid_to = input.valid_to;
        match repo::get_group(&mut tx.conn(), group, valid_from).await? {
            Some(g) if g.school == school && g.year == year.id => {
                let week = repo::list_parallels(&mut tx.conn(), year.id)
                    .await?
                    .into_iter()
                    .find(|p| p.grade == g.grade)
                    .map_or(5, |p| p.week_days);
                if input.weekday == 0 || input.weekday > week {
                    errors.insert(
                        "weekday".into(),
                        format!(
                            "the {}-day week of grade {} has days 1–{week}",
                            week, g.grade
                        ),
                    );
                }
            }
            _ => {
                errors.insert(
                    "group_id".into(),
                    "no such group in this school's year".into(),
                );
            }
        }
        if !repo::list_subjects(&mut tx.conn(), school)
            .await?
            .iter()
            .any(|s| s.id == subject)
        {
            errors.insert("subject_id".into(), "no such subject in this school".into());
        }
        match crate::structure::refuse_retired(&mut tx.conn(), school, subject).await {
            Ok(()) => {}
            Err(AppError::Invalid(e)) => errors.extend(e),
            Err(e) => return Err(e),
        }
        if !repo::is_staff(&mut tx.conn(), teacher, school).await? {
            errors.insert("teacher_id".into(), "no such teacher in this school".into());
        }
        let shift = tt::group_shift(&mut tx.conn(), group).await?;
        let bells = tt::bell_slots(&mut tx.conn(), year.id, shift, tt::REGULAR).await?;
        if !bells.iter().any(|b| b.number == input.number) {
            let range = match (bells.first(), bells.last()) {
                (Some(a), Some(b)) => format!("{}–{}", a.number, b.number),
                _ => "none yet: set the bell schedule first".into(),
            };
            errors.insert(
                "number".into(),
                format!(
                    "lesson {} is not in the bell schedule ({range})",
                    input.number
                ),
            );
        }
        if valid_to.is_some_and(|t| t < valid_from) {
            errors.insert("valid_to".into(), "the end is before the start".into());
        }
        if valid_from < year.starts_on
            || valid_from > year.ends_on
            || valid_to.is_some_and(|t| t > year.ends_on)
        {
            errors.insert(
                "valid_from".into(),
                format!("the dates must lie within the year {}", year.label),
            );
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let line = WeeklyLine {
            entry: 0,
            weekday: input.weekday,
            number: input.number,
            valid_from,
            valid_to,
        };
        for other in entries_overlapping(
            &mut tx.conn(),
            year.id,
            input.weekday,
            (shift, input.number),
        )
        .await?
        {
            let o = WeeklyLine {
                entry: other.id.get(),
                weekday: other.weekday,
                number: other.number,
                valid_from: other.valid_from,
                valid_to: other.valid_to,
            };
            if !line.overlaps(&o) {
                continue;
            }
            let when = format!("{}, урок {}", day_name(input.weekday), input.number);
            if other.teacher == teacher {
                return Err(AppError::Conflict(format!(
                    "{} already teaches {} in {} ({when})",
                    other.teacher_name, other.subject_name, other.group_name
                )));
            }
            if !room.is_empty() && other.room == room {
                return Err(AppError::Conflict(format!(
                    "room {room} is taken by {} ({when})",
                    other.group_name
                )));
            }
            if clash_with_classes(&mut tx.conn(), (group, other.group), valid_from).await? {
                return Err(AppError::Conflict(format!(
                    "{} already has {} at this time ({when})",
                    other.group_name, other.subject_name
                )));
            }
        }
        let now = self.now();
        let entry = tt::insert_entry(
            &mut tx.conn(),
            &NewEntry {
                school,
                year: year.id,
                group,
                weekday: input.weekday,
                number: input.number,
                subject,
                teacher,
                room,
                valid_from,
                valid_to,
                now,
            },
        )
        .await?;
        let created = regenerate(&mut tx.conn(), school, &year, valid_from).await?;
        let after = serde_json::json!({
            "group_id": group.to_string(), "weekday": input.weekday, "number": input.number,
            "subject_id": subject.to_string(), "teacher_id": teacher.to_string(), "room": room,
            "valid_from": valid_from.to_string(), "valid_to": valid_to.map(|d| d.to_string()), "lessons_created": created,
        });
        audit_change(
            &mut tx.conn(),
            Record {
                school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "timetable.add",
                entity_id: entry.to_string(),
                before: None,
                after: Some(after.clone()),
                reason: None,
            },
            client,
        )
        .await?;
        outbox::emit(
            &mut tx.conn(),
            Some(school),
            "timetable.changed",
            &after,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(entry)
    }
}

impl App {
    /// Regenerates a school's lessons from a date (administrators and deputy heads).
    pub async fn regenerate_lessons(
        &self,
        p: &Principal,
        school: SchoolId,
        from: Date,
        client: &Client,
    ) -> Result<u64, AppError> {
        check(may_plan(p, school))?;
        let mut tx = self.db.begin().await?;
        let year = year_of(&mut tx.conn(), school, from).await?;
        crate::closing::frozen_guard(&mut tx.conn(), p, school, year.id, None).await?;
        let n = regenerate(&mut tx.conn(), school, &year, from).await?;
        audit_change(
            &mut tx.conn(),
            Record {
                school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "lessons.regenerate",
                entity_id: year.id.to_string(),
                before: None,
                after: Some(serde_json::json!({"from": from.to_string(), "created": n})),
                reason: None,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}

impl App {
    /// Marks a date as following a bell-schedule variant, e.g. a shortened day (planners).
    pub async fn set_bell_day(
        &self,
        p: &Principal,
        school: SchoolId,
        on: Date,
        variant: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_plan(p, school))?;
        if variant != tt::REGULAR && variant != tt::SHORT {
            return Err(AppError::invalid("variant", "use regular or short"));
        }
        let mut tx = self.db.begin().await?;
        let year = year_of(&mut tx.conn(), school, on).await?;
        crate::closing::frozen_guard(&mut tx.conn(), p, school, year.id, None).await?;
        if on < year.starts_on || on > year.ends_on {
            return Err(AppError::invalid("date", "outside the school year"));
        }
        if variant == tt::SHORT
            && tt::bell_slots(&mut tx.conn(), year.id, 1, tt::SHORT)
                .await?
                .is_empty()
        {
            return Err(AppError::invalid(
                "variant",
                "set the short bell schedule first",
            ));
        }
        tt::set_bell_day(&mut tx.conn(), school, year.id, on, variant).await?;
        audit_change(
            &mut tx.conn(),
            Record {
                school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "bells.day",
                entity_id: on.to_string(),
                before: None,
                after: Some(serde_json::json!({"variant": variant})),
                reason: None,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl App {
    /// Ends a weekly line after `last_day` (the timetable changes mid-year) and regenerates the
    /// lessons from the next day; lessons with journal data or changes stay (planners).
    pub async fn end_timetable_entry(
        &self,
        p: &Principal,
        entry: tabel_domain::TimetableLineId,
        last_day: Date,
        client: &Client,
    ) -> Result<u64, AppError> {
        let mut tx = self.db.begin().await?;
        let (school, group, valid_from, valid_to) = tt::entry_scope(&mut tx.conn(), entry)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, school))?;
        let year = year_of(&mut tx.conn(), school, valid_from).await?;
        crate::closing::frozen_guard(&mut tx.conn(), p, school, year.id, None).await?;
        let earliest = valid_from - Duration::days(1);
        if last_day < earliest || last_day > year.ends_on {
            return Err(AppError::invalid(
                "last_day",
                format!("between {earliest} (removes the line) and {}", year.ends_on),
            ));
        }
        if valid_to.is_some_and(|t| last_day > t) {
            return Err(AppError::invalid(
                "last_day",
                "the line already ends earlier",
            ));
        }
        tt::end_entry(&mut tx.conn(), entry, last_day).await?;
        let created =
            regenerate(&mut tx.conn(), school, &year, last_day + Duration::days(1)).await?;
        audit_change(
            &mut tx.conn(),
            Record {
                school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "timetable.end",
                entity_id: entry.to_string(),
                before: Some(serde_json::json!({"valid_to": valid_to.map(|d| d.to_string())})),
                after: Some(serde_json::json!({"valid_to": last_day.to_string(), "group_id": group.to_string(), "lessons_created": created})),
                reason: None,
            },
            client,
        )
        .await?;
        outbox::emit(
            &mut tx.conn(),
            Some(school),
            "timetable.changed",
            &serde_json::json!({"entry_id": entry.to_string(), "valid_to": last_day.to_string()}),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }
}

/// A clash that moving a class to another shift would make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShiftConflict {
    /// 1 = Monday … 6 = Saturday.
    pub weekday: u8,
    /// The class's line: its lesson number, group and subject.
    pub number: u8,
    /// Its group (the class or a subgroup).
    pub group: String,
    /// Its subject.
    pub subject: String,
    /// `teacher` or `room`.
    pub kind: &'static str,
    /// The teacher's short name or the room.
    pub who: String,
    /// The other line's group, subject, lesson number and shift.
    pub other_group: String,
    /// Its subject.
    pub other_subject: String,
    /// Its lesson number.
    pub other_number: u8,
    /// Its shift.
    pub other_shift: u8,
}

/// The clashes of a class's lines in force on or after `today`, moved to `shift`.
pub(crate) async fn shift_conflicts(
    c: &mut Conn<'_>,
    class: &repo::Group,
    shift: u8,
    today: Date,
) -> Result<Vec<ShiftConflict>, AppError> {
    let ours: HashSet<GroupId> = repo::list_groups(c, class.year, today, None)
        .await?
        .into_iter()
        .filter(|g| g.id == class.id || g.parent == Some(class.id))
        .map(|g| g.id)
        .collect();
    let lines = tt::entries_of_year(c, class.year).await?;
    let still = |l: &tt::TimetableLine| l.valid_to.is_none_or(|t| t >= today);
    let weekly = |l: &tt::TimetableLine| WeeklyLine {
        entry: l.id.get(),
        weekday: l.weekday,
        number: l.number,
        valid_from: l.valid_from,
        valid_to: l.valid_to,
    };
    let mut slots: HashMap<u8, Vec<(u8, u8)>> = HashMap::new();
    let mut out = Vec::new();
    for mine in lines.iter().filter(|l| ours.contains(&l.group) && still(l)) {
        if let std::collections::hash_map::Entry::Vacant(e) = slots.entry(mine.number) {
            e.insert(overlapping_slots(c, class.year, shift, mine.number).await?);
        }
        let at = slots.get(&mine.number).map_or(&[][..], Vec::as_slice);
        for other in lines.iter().filter(|o| {
            !ours.contains(&o.group)
                && o.weekday == mine.weekday
                && still(o)
                && at.contains(&(o.shift, o.number))
                && weekly(mine).overlaps(&weekly(o))
        }) {
            let clash = if other.teacher == mine.teacher {
                Some(("teacher", mine.teacher_name.clone()))
            } else if !mine.room.is_empty() && other.room == mine.room {
                Some(("room", mine.room.clone()))
            } else {
                None
            };
            if let Some((kind, who)) = clash {
                out.push(ShiftConflict {
                    weekday: mine.weekday,
                    number: mine.number,
                    group: mine.group_name.clone(),
                    subject: mine.subject_name.clone(),
                    kind,
                    who,
                    other_group: other.group_name.clone(),
                    other_subject: other.subject_name.clone(),
                    other_number: other.number,
                    other_shift: other.shift,
                });
            }
        }
    }
    out.sort_by_key(|x| (x.weekday, x.number, x.kind));
    out.dedup();
    Ok(out)
}

/// The 409's text: the first clashes, and how many more.
pub(crate) fn shift_conflict_message(found: &[ShiftConflict]) -> String {
    let mut parts: Vec<String> = found
        .iter()
        .take(5)
        .map(|x| {
            format!(
                "{}, урок {}: {} ({}) and {} in {} (shift {}, lesson {})",
                day_name(x.weekday),
                x.number,
                if x.kind == "teacher" {
                    "teacher"
                } else {
                    "room"
                },
                x.who,
                x.other_subject,
                x.other_group,
                x.other_shift,
                x.other_number
            )
        })
        .collect();
    if found.len() > 5 {
        parts.push(format!("and {} more", found.len() - 5));
    }
    format!(
        "the move to the other shift makes {} clash(es): {}; see them before moving, or accept them",
        found.len(),
        parts.join("; ")
    )
}
