//! The curriculum, the teaching load and the weekly timetable; then the lessons the timetable
//! makes, from the effective date.

use super::*;

impl Run<'_, '_> {
    pub(super) async fn curriculum(&mut self, file: &SetupFile) -> Result<(), AppError> {
        let existing = if self.year.get() > 0 {
            facts::plan(self.conn, self.year).await?
        } else {
            Vec::new()
        };
        let mut lines: HashMap<(Option<u8>, Option<i64>, i64), facts::PlanFacts> = existing
            .into_iter()
            .map(|l| {
                (
                    (
                        l.grade.and_then(|g| u8::try_from(g).ok()),
                        l.group_id,
                        l.subject_id,
                    ),
                    l,
                )
            })
            .collect();
        for At { row, value: l } in &file.curriculum {
            let row = *row;
            let subject = match self.find_subject(l.subject.as_str()) {
                Ok(s) => s,
                Err(m) => {
                    self.problem(err(SheetKind::Curriculum, row, Some("Предмет"), m));
                    continue;
                }
            };
            let (grade, group, target, shown) = match &l.target {
                PlanTarget::Grade(g) => {
                    if !self.parallels.contains_key(g) {
                        self.problem(err(
                            SheetKind::Curriculum,
                            row,
                            Some("Параллель"),
                            format!("the school has no class of grade {g} this year"),
                        ));
                        continue;
                    }
                    (Some(*g), None, *g, format!("{g} кл."))
                }
                PlanTarget::Class(c) => match self.find_class(c) {
                    Ok(s) => (None, Some(s.id), s.grade, c.to_string()),
                    Err(m) => {
                        self.problem(err(SheetKind::Curriculum, row, Some("Класс"), m));
                        continue;
                    }
                },
                PlanTarget::Group(g) => match self.find_group(g.as_str()) {
                    Ok(s) => (None, Some(s.id), s.grade, g.to_string()),
                    Err(m) => {
                        self.problem(err(SheetKind::Curriculum, row, Some("Класс"), m));
                        continue;
                    }
                },
            };
            let what = format!("{shown}: {}, {} ч", l.subject, l.hours);
            let after = serde_json::json!({
                "grade": grade, "group": group, "subject": subject,
                "hours_tenths": l.hours.tenths(), "part": l.part.code(),
            });
            if !lines.contains_key(&(grade, group, subject))
                && self.refuse_retired(SheetKind::Curriculum, row, subject, l.subject.as_str())
            {
                continue;
            }
            match lines.get(&(grade, group, subject)) {
                Some(e) => {
                    if e.hours_per_week_tenths == i64::from(l.hours.tenths())
                        && e.part == l.part.code()
                    {
                        self.unchanged(SheetKind::Curriculum);
                        continue;
                    }
                    let id = e.id;
                    let detail = format!(
                        "{} → {} ч",
                        WeeklyHours::from_tenths(
                            u16::try_from(e.hours_per_week_tenths).unwrap_or(0)
                        ),
                        l.hours
                    );
                    if self.writing {
                        facts::update_plan(
                            self.conn,
                            CurriculumItemId::new(id),
                            l.hours,
                            yearly(target, l.hours),
                            l.part.code(),
                        )
                        .await?;
                    }
                    self.changed(Change {
                        kind: SheetKind::Curriculum,
                        row,
                        created: false,
                        what,
                        detail,
                        id,
                        after,
                    })
                    .await?;
                }
                None => {
                    let id = if self.writing {
                        let id = repo::insert_curriculum_item(
                            self.conn,
                            &repo::NewCurriculumItem {
                                school: self.cx.school,
                                year: self.year,
                                grade,
                                group: group.map(GroupId::new),
                                subject: SubjectId::new(subject),
                                weekly: l.hours,
                                yearly: yearly(target, l.hours),
                            },
                        )
                        .await?;
                        facts::set_plan_part(self.conn, id, l.part.code()).await?;
                        id.get()
                    } else {
                        self.new_id()
                    };
                    lines.insert(
                        (grade, group, subject),
                        facts::PlanFacts {
                            id,
                            grade: grade.map(i64::from),
                            group_id: group,
                            subject_id: subject,
                            hours_per_week_tenths: i64::from(l.hours.tenths()),
                            part: l.part.code().to_owned(),
                        },
                    );
                    self.changed(Change {
                        kind: SheetKind::Curriculum,
                        row,
                        created: true,
                        what,
                        detail: String::new(),
                        id,
                        after,
                    })
                    .await?;
                }
            }
        }
        Ok(())
    }

    pub(super) async fn assignments(&mut self, file: &SetupFile) -> Result<(), AppError> {
        let existing = if self.year.get() > 0 {
            facts::assignments(self.conn, self.year, self.on).await?
        } else {
            Vec::new()
        };
        let mut current: HashMap<(i64, i64, i64), (i64, Option<i64>)> = existing
            .into_iter()
            .map(|a| {
                (
                    (a.teacher_id, a.subject_id, a.group_id),
                    (a.id, a.hours_per_week_tenths),
                )
            })
            .collect();
        for At { row, value: a } in &file.assignments {
            let row = *row;
            let teacher = self.find_staff(&a.teacher);
            let class = self.find_target(&a.class).map(|c| c.0);
            let subject = self.find_subject(a.subject.as_str());
            let (teacher, class, subject) = match (teacher, class, subject) {
                (Ok(t), Ok(c), Ok(s)) => (t, c, s),
                (t, c, s) => {
                    for (e, col) in [
                        (t.err(), "Учитель"),
                        (c.err(), "Класс"),
                        (s.err(), "Предмет"),
                    ] {
                        if let Some(m) = e {
                            self.problem(err(SheetKind::Assignments, row, Some(col), m));
                        }
                    }
                    continue;
                }
            };
            let hours = a.hours.map(|h| i64::from(h.tenths()));
            let what = format!("{}: {}, {}", a.teacher.as_str(), a.class, a.subject);
            let after = serde_json::json!({
                "teacher": teacher, "group": class, "subject": subject, "hours_tenths": hours,
            });
            if !current.contains_key(&(teacher, subject, class))
                && self.refuse_retired(SheetKind::Assignments, row, subject, a.subject.as_str())
            {
                continue;
            }
            match current.get(&(teacher, subject, class)).copied() {
                Some((id, stored)) => {
                    if hours.is_none() || stored == hours {
                        self.unchanged(SheetKind::Assignments);
                        continue;
                    }
                    if self.writing {
                        facts::set_assignment_hours(self.conn, AssignmentId::new(id), a.hours)
                            .await?;
                    }
                    let shown = |t: Option<i64>| {
                        t.and_then(|t| u16::try_from(t).ok())
                            .map_or("—".to_owned(), |t| {
                                WeeklyHours::from_tenths(t).to_string()
                            })
                    };
                    self.changed(Change {
                        kind: SheetKind::Assignments,
                        row,
                        created: false,
                        what,
                        detail: format!("{} → {} ч", shown(stored), shown(hours)),
                        id,
                        after,
                    })
                    .await?;
                }
                None => {
                    let id = if self.writing {
                        let id = repo::insert_assignment(
                            self.conn,
                            self.cx.school,
                            self.year,
                            PersonId::new(teacher),
                            SubjectId::new(subject),
                            GroupId::new(class),
                            self.on,
                        )
                        .await?;
                        if a.hours.is_some() {
                            facts::set_assignment_hours(self.conn, id, a.hours).await?;
                        }
                        id.get()
                    } else {
                        self.new_id()
                    };
                    current.insert((teacher, subject, class), (id, hours));
                    self.changed(Change {
                        kind: SheetKind::Assignments,
                        row,
                        created: true,
                        what,
                        detail: String::new(),
                        id,
                        after,
                    })
                    .await?;
                }
            }
        }
        Ok(())
    }

    pub(super) async fn timetable(&mut self, file: &SetupFile) -> Result<(), AppError> {
        if !file.sheets.contains(&SheetKind::Timetable) {
            return Ok(());
        }
        let existing = if self.year.get() > 0 {
            facts::slots(self.conn, self.year, self.on, self.on).await?
        } else {
            Vec::new()
        };
        let mut slots: HashMap<(i64, u8, u8), facts::SlotFacts> = HashMap::new();
        for s in existing {
            let key = (
                s.group_id,
                u8::try_from(s.weekday).unwrap_or(0),
                u8::try_from(s.number).unwrap_or(0),
            );
            slots.insert(key, s);
        }
        let mut bells: HashMap<u8, Vec<u8>> = HashMap::new();
        for shift in [1u8, 2] {
            let numbers: Vec<u8> = if self.year.get() > 0 {
                tt::bell_slots(self.conn, self.year, shift, tt::REGULAR)
                    .await?
                    .iter()
                    .map(|b| b.number)
                    .collect()
            } else {
                federal::regular_bells().iter().map(|b| b.number).collect()
            };
            bells.insert(shift, numbers);
        }
        // Who and where at each time of the week, for the conflicts a file may bring.
        let mut teacher_at: HashMap<(u8, u8, u8, i64), String> = HashMap::new();
        let mut room_at: HashMap<(u8, u8, u8, String), String> = HashMap::new();
        let mut changed_any = false;
        for At { row, value: s } in &file.timetable {
            let row = *row;
            let class = self.find_target(&s.class);
            let teacher = self.find_staff(&s.teacher);
            let subject = self.find_subject(s.subject.as_str());
            let ((class, grade, shift), teacher, subject) = match (class, teacher, subject) {
                (Ok(c), Ok(t), Ok(s)) => (c, t, s),
                (c, t, s) => {
                    for (e, col) in [
                        (c.err(), "Класс"),
                        (t.err(), "Учитель"),
                        (s.err(), "Предмет"),
                    ] {
                        if let Some(m) = e {
                            self.problem(err(SheetKind::Timetable, row, Some(col), m));
                        }
                    }
                    continue;
                }
            };
            let week = self.parallels.get(&grade).copied().unwrap_or(5);
            if s.weekday > week {
                self.problem(err(
                    SheetKind::Timetable,
                    row,
                    Some("День"),
                    format!("grade {grade} studies {week} days a week"),
                ));
                continue;
            }
            if !bells.get(&shift).is_some_and(|b| b.contains(&s.number)) {
                self.problem(err(
                    SheetKind::Timetable,
                    row,
                    Some("Урок"),
                    format!(
                        "lesson {} is not in the bell schedule of shift {shift}",
                        s.number
                    ),
                ));
                continue;
            }
            let name = s.class.to_string();
            if let Some(other) =
                teacher_at.insert((shift, s.weekday, s.number, teacher), name.clone())
            {
                self.problem(err(
                    SheetKind::Timetable,
                    row,
                    Some("Учитель"),
                    format!(
                        "{} already teaches {other} at this time",
                        s.teacher.as_str()
                    ),
                ));
                continue;
            }
            if !s.room.is_empty()
                && let Some(other) =
                    room_at.insert((shift, s.weekday, s.number, s.room.clone()), name.clone())
            {
                self.problem(err(
                    SheetKind::Timetable,
                    row,
                    Some("Кабинет"),
                    format!("room {} is taken by {other} at this time", s.room),
                ));
                continue;
            }
            let what = format!(
                "{name}, {} урок {}: {}",
                tabel_domain::setup::values::weekday_short(s.weekday),
                s.number,
                s.subject
            );
            let after = serde_json::json!({
                "group": class, "weekday": s.weekday, "number": s.number,
                "subject": subject, "teacher": teacher, "room": s.room,
            });
            let old = slots.get(&(class, s.weekday, s.number)).cloned();
            if let Some(o) = &old
                && o.subject_id == subject
                && o.teacher_id == teacher
                && o.room == s.room
            {
                self.unchanged(SheetKind::Timetable);
                continue;
            }
            if self.refuse_retired(SheetKind::Timetable, row, subject, s.subject.as_str()) {
                continue;
            }
            let id = if self.writing {
                if let Some(o) = &old {
                    let line = TimetableLineId::new(o.id);
                    if o.valid_from >= self.on {
                        if !facts::delete_unused_slot(self.conn, line).await? {
                            tt::end_entry(self.conn, line, self.on - Duration::days(1)).await?;
                        }
                    } else {
                        tt::end_entry(self.conn, line, self.on - Duration::days(1)).await?;
                    }
                }
                tt::insert_entry(
                    self.conn,
                    &tt::NewEntry {
                        school: self.cx.school,
                        year: self.year,
                        group: GroupId::new(class),
                        weekday: s.weekday,
                        number: s.number,
                        subject: SubjectId::new(subject),
                        teacher: PersonId::new(teacher),
                        room: &s.room,
                        valid_from: self.on,
                        valid_to: None,
                        now: self.cx.now,
                    },
                )
                .await?
            } else {
                self.new_id()
            };
            changed_any = true;
            let created = old.is_none();
            self.changed(Change {
                kind: SheetKind::Timetable,
                row,
                created,
                what,
                detail: String::new(),
                id,
                after,
            })
            .await?;
        }
        if changed_any && self.writing {
            let year = repo::academic_year_on(self.conn, self.cx.school, self.on)
                .await?
                .ok_or(AppError::NotFound)?;
            self.report.lessons =
                crate::timetable::regenerate(self.conn, self.cx.school, &year, self.on).await?;
        }
        Ok(())
    }
}
