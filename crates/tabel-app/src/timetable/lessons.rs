//! Lessons as they are held: a class's or teacher's lessons, changing one (substitution, transfer, cancellation), free teachers and extra lessons.

use super::*;

/// A lesson with its bell times, as views and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct LessonView {
    /// The lesson.
    #[serde(flatten)]
    pub lesson: Lesson,
    /// Start, minutes after midnight (None when the number is outside the bell schedule).
    pub starts: Option<u16>,
    /// End.
    pub ends: Option<u16>,
}

/// Whose lessons.
#[derive(Debug, Clone)]
pub enum LessonsOf {
    /// A class (with its subgroups and streams) or another group.
    Group(GroupId),
    /// A teacher (including lessons taken from them by substitution).
    Teacher(PersonId),
    /// A student.
    Student(PersonId),
    /// A room of a school (staff).
    Room(SchoolId, String),
}

/// A change to record on a lesson.
#[derive(Debug, Clone)]
pub enum Change {
    /// Another teacher takes the lesson.
    Substitute {
        /// The substitute.
        teacher: PersonId,
    },
    /// The lesson is not held.
    Cancel {
        /// Why, as the statistics count it (none: only the free-text reason says).
        cause: Option<CancelCause>,
    },
    /// The lesson moves to another date and/or number.
    Transfer {
        /// New date.
        on: Date,
        /// New number.
        number: u8,
    },
    /// Another room.
    Room {
        /// The room.
        room: String,
    },
}

impl App {
    /// The weekly lines of a group (who may see the group).
    pub async fn timetable_of(
        &self,
        p: &Principal,
        group: GroupId,
    ) -> Result<Vec<tt::TimetableLine>, AppError> {
        self.class(p, group, self.today()).await?;
        let mut c = self.db.acquire().await?;
        Ok(tt::entries_of_group(&mut c.conn(), group).await?)
    }

    /// Lessons in a date range, with bell times. Classes: whoever may see the class; teachers:
    /// themselves and the school's staff; students: whoever may see the student.
    pub async fn lessons(
        &self,
        p: &Principal,
        of: &LessonsOf,
        from: Date,
        to: Date,
    ) -> Result<Vec<LessonView>, AppError> {
        if to < from {
            return Err(AppError::invalid("to", "the end is before the start"));
        }
        if to - from > Duration::days(62) {
            return Err(AppError::invalid("to", "at most two months at a time"));
        }
        let mut c = self.db.acquire().await?;
        let lessons = match of {
            &LessonsOf::Group(g) => {
                drop(c);
                let group = self.class(p, g, from).await?;
                c = self.db.acquire().await?;
                let _ = group;
                tt::lessons_of_class(&mut c.conn(), g, from, to).await?
            }
            &LessonsOf::Teacher(t) => {
                let visible =
                    p.person == Some(t) || p.schools().into_iter().any(|s| p.is_staff_of(s));
                if !visible {
                    return Err(AppError::NotFound);
                }
                let list = tt::lessons_of_teacher(&mut c.conn(), t, from, to).await?;
                if p.person != Some(t) && list.iter().any(|l| !p.is_staff_of(l.school)) {
                    return Err(AppError::NotFound);
                }
                list
            }
            LessonsOf::Room(school, room) => {
                check(p.may_view_structure(*school))?;
                let year = year_of(&mut c.conn(), *school, from).await?;
                tt::lessons_of_room(&mut c.conn(), year.id, room.trim(), from, to).await?
            }
            &LessonsOf::Student(s) => {
                let card = repo::get_student(&mut c.conn(), s)
                    .await?
                    .ok_or(AppError::NotFound)?;
                check(p.may_view_student(&StudentFacts {
                    student: s,
                    school: card.school,
                }))?;
                tt::lessons_of_student(&mut c.conn(), s, from, to).await?
            }
        };
        let mut bells: HashMap<(AcademicYearId, u8, String), Vec<BellSlot>> = HashMap::new();
        let mut variants: HashMap<AcademicYearId, HashMap<Date, String>> = HashMap::new();
        let mut out = Vec::with_capacity(lessons.len());
        for l in lessons {
            if let std::collections::hash_map::Entry::Vacant(v) = variants.entry(l.year) {
                v.insert(
                    tt::bell_days(&mut c.conn(), l.year)
                        .await?
                        .into_iter()
                        .collect(),
                );
            }
            let variant = variants
                .get(&l.year)
                .and_then(|v| v.get(&l.on))
                .cloned()
                .unwrap_or_else(|| tt::REGULAR.to_owned());
            let key = (l.year, l.shift, variant);
            if let std::collections::hash_map::Entry::Vacant(v) = bells.entry(key.clone()) {
                v.insert(tt::bell_slots(&mut c.conn(), key.0, key.1, &key.2).await?);
            }
            let slot = bells
                .get(&key)
                .and_then(|s| s.iter().find(|b| b.number == l.number).copied());
            out.push(LessonView {
                starts: slot.map(|s| s.starts),
                ends: slot.map(|s| s.ends),
                lesson: l,
            });
        }
        Ok(out)
    }

    /// One lesson, if the user may see it.
    pub async fn lesson(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
    ) -> Result<Lesson, AppError> {
        let mut c = self.db.acquire().await?;
        let l = tt::get_lesson(&mut c.conn(), lesson)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(c);
        if p.is_staff_of(l.school) {
            return Ok(l);
        }
        self.class(p, l.group, l.on).await?;
        Ok(l)
    }

    /// Records a change to a lesson (administrators and deputy heads): checks the version, the
    /// reason, and that nobody ends up in two places; audits and announces it.
    pub async fn change_lesson(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
        version: i64,
        change: Change,
        reason: &str,
        client: &Client,
    ) -> Result<Lesson, AppError> {
        let reason = reason.trim();
        let mut tx = self.db.begin().await?;
        let l = tt::get_lesson(&mut tx.conn(), lesson)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, l.school))?;
        crate::closing::frozen_guard(&mut tx.conn(), p, l.school, l.year, Some(reason)).await?;
        if reason.is_empty() && !matches!(change, Change::Room { .. }) {
            return Err(AppError::invalid(
                "reason",
                "say why (e.g. болезнь учителя)",
            ));
        }
        if reason.chars().count() > 500 {
            return Err(AppError::invalid("reason", "at most 500 characters"));
        }
        if l.status == LessonStatus::Cancelled {
            return Err(AppError::Conflict("the lesson is cancelled".into()));
        }
        if l.version != version {
            return Err(AppError::Conflict(format!(
                "the lesson was changed meanwhile (version {} now)",
                l.version
            )));
        }
        let mut next = LessonChange {
            id: l.id,
            version,
            status: l.status,
            teacher: l.teacher,
            original_teacher: l.original_teacher,
            on: l.on,
            number: l.number,
            room: &l.room,
            original_date: l.original_date,
            original_number: l.original_number,
            reason: Some(reason),
            cause: None,
        };
        let room_holder;
        let action = match &change {
            Change::Substitute { teacher } => {
                if *teacher == l.teacher {
                    return Err(AppError::invalid(
                        "teacher_id",
                        "this teacher already gives the lesson",
                    ));
                }
                if !repo::is_staff(&mut tx.conn(), *teacher, l.school).await? {
                    return Err(AppError::invalid(
                        "teacher_id",
                        "no such teacher in this school",
                    ));
                }
                next.teacher = *teacher;
                next.original_teacher = Some(l.original_teacher.unwrap_or(l.teacher));
                next.status = LessonStatus::Substituted;
                "lesson.substitute"
            }
            Change::Cancel { cause } => {
                next.status = LessonStatus::Cancelled;
                next.cause = *cause;
                "lesson.cancel"
            }
            Change::Transfer { on, number } => {
                let year = year_of(&mut tx.conn(), l.school, l.on).await?;
                let cal = grade_calendars(&mut tx.conn(), &year).await?;
                if cal
                    .get(&l.grade)
                    .and_then(|c| c.timetable_day(*on))
                    .is_none()
                {
                    return Err(AppError::invalid(
                        "date",
                        format!("{on} is not a school day for grade {}", l.grade),
                    ));
                }
                let bells = tt::bell_slots(&mut tx.conn(), year.id, l.shift, tt::REGULAR).await?;
                if !bells.iter().any(|b| b.number == *number) {
                    return Err(AppError::invalid(
                        "number",
                        format!("lesson {number} is not in the bell schedule"),
                    ));
                }
                if (*on, *number) == (l.on, l.number) {
                    return Err(AppError::invalid(
                        "date",
                        "that is where the lesson already is",
                    ));
                }
                next.original_date = Some(l.original_date.unwrap_or(l.on));
                next.original_number = Some(l.original_number.unwrap_or(l.number));
                next.on = *on;
                next.number = *number;
                next.status = LessonStatus::Transferred;
                "lesson.transfer"
            }
            Change::Room { room } => {
                if room.chars().count() > 20 {
                    return Err(AppError::invalid("room", "at most 20 characters"));
                }
                room_holder = room.trim().to_owned();
                next.room = &room_holder;
                next.reason = if reason.is_empty() {
                    l.reason.as_deref()
                } else {
                    Some(reason)
                };
                "lesson.room"
            }
        };
        if next.status != LessonStatus::Cancelled {
            for other in
                lessons_overlapping(&mut tx.conn(), l.year, next.on, (l.shift, next.number)).await?
            {
                if other.id == l.id {
                    continue;
                }
                let when = format!("{} урок {}", next.on, next.number);
                if other.teacher == next.teacher {
                    return Err(AppError::Conflict(format!(
                        "{} already teaches {} in {} ({when})",
                        other.teacher_name, other.subject_name, other.group_name
                    )));
                }
                if !next.room.is_empty() && other.room == next.room {
                    return Err(AppError::Conflict(format!(
                        "room {} is taken by {} ({when})",
                        next.room, other.group_name
                    )));
                }
                if clash_with_classes(&mut tx.conn(), (l.group, other.group), next.on).await? {
                    return Err(AppError::Conflict(format!(
                        "{} already has {} ({when})",
                        other.group_name, other.subject_name
                    )));
                }
            }
        }
        let before = serde_json::json!({"status": l.status, "teacher_id": l.teacher.to_string(), "date": l.on.to_string(), "number": l.number, "room": l.room});
        let mut after = serde_json::json!({"status": next.status, "teacher_id": next.teacher.to_string(), "date": next.on.to_string(), "number": next.number, "room": next.room});
        if let Some(cause) = next.cause {
            after["cause"] = cause.code().into();
        }
        match tt::update_lesson(&mut tx.conn(), &next).await {
            Err(StoreError::Stale) => {
                return Err(AppError::Conflict(
                    "the lesson was changed meanwhile".into(),
                ));
            }
            other => other?,
        }
        audit_change(
            &mut tx.conn(),
            Record {
                school: l.school,
                at: self.now(),
                actor: Some(p.user.get()),
                action,
                entity_id: l.id.to_string(),
                before: Some(before),
                after: Some(after.clone()),
                reason: Some(reason),
            },
            client,
        )
        .await?;
        let event = serde_json::json!({"lesson_id": l.id.to_string(), "group_id": l.group.to_string(), "change": action, "after": after, "reason": reason});
        outbox::emit(
            &mut tx.conn(),
            Some(l.school),
            "lesson.changed",
            &event,
            self.now(),
        )
        .await?;
        let changed = tt::get_lesson(&mut tx.conn(), l.id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(changed)
    }
}

/// A teacher who could take a lesson.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// The teacher.
    pub teacher: PersonId,
    /// Full name.
    pub name: String,
    /// Teaches the lesson's subject this year.
    pub qualified: bool,
}

impl App {
    /// Teachers free in a lesson's slot, those teaching its subject first (the substitution desk).
    pub async fn free_teachers(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
    ) -> Result<Vec<Candidate>, AppError> {
        let mut c = self.db.acquire().await?;
        let l = tt::get_lesson(&mut c.conn(), lesson)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, l.school))?;
        let busy: HashSet<PersonId> =
            lessons_overlapping(&mut c.conn(), l.year, l.on, (l.shift, l.number))
                .await?
                .into_iter()
                .map(|x| x.teacher)
                .collect();
        let mut out: Vec<Candidate> = repo::list_staff(&mut c.conn(), l.school, l.year, l.on)
            .await?
            .into_iter()
            .filter(|s| !busy.contains(&s.person.id) && !s.subjects.is_empty())
            .map(|s| Candidate {
                teacher: s.person.id,
                name: s.person.full_name(),
                qualified: s.subjects.contains(&l.subject_name),
            })
            .collect();
        out.sort_by_key(|c| !c.qualified);
        Ok(out)
    }

    /// The school's lessons of a day (the desk and the day's changes; staff only).
    pub async fn day_lessons(
        &self,
        p: &Principal,
        school: SchoolId,
        on: Date,
    ) -> Result<Vec<Lesson>, AppError> {
        check(p.may_view_structure(school))?;
        let mut c = self.db.acquire().await?;
        let Some(year) = repo::academic_year_on(&mut c.conn(), school, on).await? else {
            return Ok(Vec::new());
        };
        Ok(tt::lessons_of_day(&mut c.conn(), year.id, on).await?)
    }
}

/// An extra lesson to add outside the timetable.
#[derive(Debug, Clone)]
pub struct ExtraLesson {
    /// The group.
    pub group: GroupId,
    /// Date.
    pub on: Date,
    /// Number.
    pub number: u8,
    /// Subject.
    pub subject: SubjectId,
    /// Teacher.
    pub teacher: PersonId,
    /// Room.
    pub room: String,
}

impl App {
    /// Adds an extra lesson (administrators, deputy heads): on a school day of the group, in
    /// the bell schedule, with nobody in two places; audited and announced.
    pub async fn add_extra_lesson(
        &self,
        p: &Principal,
        x: &ExtraLesson,
        reason: &str,
        client: &Client,
    ) -> Result<Lesson, AppError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(AppError::invalid(
                "reason",
                "say why, in at most 500 characters",
            ));
        }
        if x.room.chars().count() > 20 {
            return Err(AppError::invalid("room", "at most 20 characters"));
        }
        let mut tx = self.db.begin().await?;
        let g = repo::get_group(&mut tx.conn(), x.group, x.on)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, g.school))?;
        let year = year_of(&mut tx.conn(), g.school, x.on).await?;
        crate::closing::frozen_guard(&mut tx.conn(), p, g.school, year.id, Some(reason)).await?;
        let cal = grade_calendars(&mut tx.conn(), &year).await?;
        if cal
            .get(&g.grade)
            .and_then(|c| c.timetable_day(x.on))
            .is_none()
        {
            return Err(AppError::invalid(
                "date",
                format!("{} is not a school day for grade {}", x.on, g.grade),
            ));
        }
        let shift = tt::group_shift(&mut tx.conn(), x.group).await?;
        if !tt::bell_slots(&mut tx.conn(), year.id, shift, tt::REGULAR)
            .await?
            .iter()
            .any(|b| b.number == x.number)
        {
            return Err(AppError::invalid(
                "number",
                format!("lesson {} is not in the bell schedule", x.number),
            ));
        }
        if !repo::is_staff(&mut tx.conn(), x.teacher, g.school).await? {
            return Err(AppError::invalid(
                "teacher_id",
                "no such teacher in this school",
            ));
        }
        if !repo::list_subjects(&mut tx.conn(), g.school)
            .await?
            .iter()
            .any(|s| s.id == x.subject)
        {
            return Err(AppError::invalid(
                "subject_id",
                "no such subject in this school",
            ));
        }
        let room = x.room.trim();
        for other in lessons_overlapping(&mut tx.conn(), year.id, x.on, (shift, x.number)).await? {
            let when = format!("{} урок {}", x.on, x.number);
            if other.teacher == x.teacher {
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
            if clash_with_classes(&mut tx.conn(), (x.group, other.group), x.on).await? {
                return Err(AppError::Conflict(format!(
                    "{} already has {} ({when})",
                    other.group_name, other.subject_name
                )));
            }
        }
        tt::insert_lessons(
            &mut tx.conn(),
            &[NewLesson {
                school: g.school,
                year: year.id,
                group: x.group,
                on: x.on,
                number: x.number,
                subject: x.subject,
                teacher: x.teacher,
                room,
                status: LessonStatus::Extra,
                entry: None,
            }],
        )
        .await?;
        let added = tt::lessons_in_slot(&mut tx.conn(), year.id, x.on, x.number)
            .await?
            .into_iter()
            .filter(|l| l.group == x.group && l.status == LessonStatus::Extra)
            .max_by_key(|l| l.id)
            .ok_or(AppError::NotFound)?;
        let after = serde_json::json!({"group_id": x.group.to_string(), "date": x.on.to_string(), "number": x.number,
            "subject_id": x.subject.to_string(), "teacher_id": x.teacher.to_string(), "room": room});
        audit_change(
            &mut tx.conn(),
            Record {
                school: g.school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "lesson.extra",
                entity_id: added.id.to_string(),
                before: None,
                after: Some(after.clone()),
                reason: Some(reason),
            },
            client,
        )
        .await?;
        outbox::emit(
            &mut tx.conn(),
            Some(g.school),
            "lesson.changed",
            &after,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(added)
    }
}
