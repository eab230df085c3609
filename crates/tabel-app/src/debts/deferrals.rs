//! Deferred finals (a pupil's assessment moved to a later date): opening, lapsing, listing and reminding.

use super::*;

/// A deferral to open.
#[derive(Debug, Clone)]
pub struct DeferralInput {
    /// The pupil.
    pub student: PersonId,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// The order or medical document.
    pub basis: String,
}

/// A deferral with where it stands today.
#[derive(Debug, Clone, Serialize)]
pub struct DeferralLine {
    /// The deferral.
    pub deferral: Deferral,
    /// `open`, `resolved`, `lapsed`.
    pub state: &'static str,
    /// For an open one: pending, running or overdue.
    pub stage: Option<&'static str>,
}

impl DeferralLine {
    pub(super) fn of(deferral: Deferral, today: Date) -> DeferralLine {
        let stage = (deferral.state == DeferralState::Open).then(|| {
            match rules::deferral_stage(deferral.starts_on, deferral.ends_on, today) {
                DeferralStage::Pending => "pending",
                DeferralStage::Running => "running",
                DeferralStage::Overdue => "overdue",
            }
        });
        DeferralLine {
            state: deferral.state.code(),
            stage,
            deferral,
        }
    }

    /// Its end has passed with no mark.
    pub fn overdue(&self) -> bool {
        self.stage == Some("overdue")
    }
}

impl App {
    /// Opens a deferral of a pupil's final mark in a journal's slot (a period, or the year):
    /// administrators and deputy heads; the pupil in the journal, no mark set, no deferral open,
    /// the dates in order with a basis.
    pub async fn open_deferral(
        &self,
        p: &Principal,
        (group, subject, slot): (GroupId, SubjectId, Option<Slot>),
        input: &DeferralInput,
        client: &Client,
    ) -> Result<Deferral, AppError> {
        let sheet = self.finals_sheet(p, group, subject, slot).await?;
        let v = &sheet.journal;
        check(may_plan(p, v.group.school))?;
        if v.group.grade == 1 {
            return Err(AppError::invalid(
                "student_id",
                "grade 1 has no final marks to defer",
            ));
        }
        let Some(row) = sheet.rows.iter().find(|r| r.entry.student == input.student) else {
            return Err(AppError::invalid(
                "student_id",
                "not a pupil of this journal",
            ));
        };
        rules::check_deferral(input.starts_on, input.ends_on, &input.basis)
            .map_err(|e| deferral_errors(&e))?;
        if row.current.is_some() {
            return Err(AppError::Conflict(
                "the pupil has a final mark in this cell: correct it instead of deferring".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        if repo::open_deferral_of_cell(c, input.student, subject, v.group.year, sheet.slot)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(
                "a deferral of this final mark is open already".into(),
            ));
        }
        if finals_repo::of_cell(c, input.student, subject, v.group.year, sheet.slot)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(
                "the pupil has a final mark in this cell: correct it instead of deferring".into(),
            ));
        }
        let id = repo::insert_deferral(
            c,
            &NewDeferral {
                school: v.group.school,
                year: v.group.year,
                student: input.student,
                subject,
                group: Some(group),
                slot: sheet.slot,
                starts_on: input.starts_on,
                ends_on: input.ends_on,
                basis: input.basis.trim(),
                by: p.user,
                at: now,
            },
        )
        .await?;
        let d = repo::deferral(c, id).await?.ok_or(AppError::NotFound)?;
        let after = deferral_json(&d);
        audit::append(
            c,
            &AuditEntry {
                chain: v.group.school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "deferral.open",
                entity: "deferral",
                entity_id: id.to_string(),
                before: None,
                after: Some(after.clone()),
                reason: Some(d.basis.as_str()),
                origin: Some(&client.address),
            },
        )
        .await?;
        outbox::emit(c, Some(v.group.school), "final.deferred", &after, now).await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Records that a deferral ended without a mark: the pupil is н/а in the cell and owes an
    /// academic debt. Administrators and deputy heads, after the deferral's end.
    pub async fn lapse_deferral(
        &self,
        p: &Principal,
        id: tabel_domain::DeferralId,
        client: &Client,
    ) -> Result<DebtLine, AppError> {
        let today = self.today();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let d = repo::deferral(c, id).await?.ok_or(AppError::NotFound)?;
        check(may_plan(p, d.school))?;
        if d.state != DeferralState::Open {
            return Err(AppError::Conflict(format!(
                "the deferral is {} already",
                d.state.code()
            )));
        }
        if today <= d.ends_on {
            return Err(AppError::invalid(
                "deferral",
                format!(
                    "the deferral runs until {}: its lapse is recorded after that day",
                    d.ends_on
                ),
            ));
        }
        if !repo::close_deferral(c, d.id, DeferralState::Lapsed, p.user, now).await? {
            return Err(AppError::Conflict(
                "the deferral was closed meanwhile".into(),
            ));
        }
        let reason = format!(
            "Отсрочка до {} истекла без отметки ({})",
            tabel_present::date(d.ends_on),
            d.basis
        );
        let na = FinalValue::NotAttested.code();
        let Some(f) = finals_repo::write(
            c,
            &NewFinal {
                school: d.school,
                year: d.year,
                student: d.student,
                subject: d.subject,
                group: d.group,
                slot: d.slot,
                value: &na,
                proposal: None,
                proposal_basis: None,
                reason: &reason,
                set_by: Some(p.user),
                at: now,
            },
            0,
        )
        .await?
        else {
            return Err(AppError::Conflict(
                "a final mark was set in this cell meanwhile".into(),
            ));
        };
        let mut after = deferral_json(&d);
        after["state"] = DeferralState::Lapsed.code().into();
        let actor = Some(p.user.get());
        for (action, entity, entity_id, before, after, reason) in [
            (
                "deferral.lapse",
                "deferral",
                d.id.to_string(),
                Some(deferral_json(&d)),
                after,
                None,
            ),
            (
                "final.set",
                "final",
                format!("{}:{}:{}", f.student, f.subject, f.slot.code()),
                None,
                final_json(&f),
                Some(reason.as_str()),
            ),
        ] {
            audit::append(
                c,
                &AuditEntry {
                    chain: d.school.get(),
                    at: now,
                    actor,
                    action,
                    entity,
                    entity_id,
                    before,
                    after: Some(after),
                    reason,
                    origin: Some(&client.address),
                },
            )
            .await?;
        }
        outbox::emit(c, Some(d.school), "final.published", &final_json(&f), now).await?;
        let debt_id = repo::upsert_debt(
            c,
            &NewDebt {
                school: d.school,
                year: d.year,
                student: d.student,
                subject: d.subject,
                group: d.group,
                slot: d.slot,
                origin: "deferral",
                arisen_value: &na,
                arisen_on: today,
                deadline: rules::a_year_after(today),
                at: now,
            },
        )
        .await?;
        let debt = repo::debt(c, debt_id).await?.ok_or(AppError::NotFound)?;
        debt_changed(
            c,
            (None, &debt),
            ("debt.arise", "debt.arisen", Some(&reason)),
            (now, actor, client),
        )
        .await?;
        let retakes = repo::retakes_of_debt(c, debt_id).await?;
        tx.commit().await?;
        Ok(DebtLine::of(debt, retakes, today))
    }
}

impl App {
    /// The open deferrals of the journals a teacher keeps (their reminders): those ended are
    /// marked overdue.
    pub async fn my_deferrals(&self, p: &Principal) -> Result<Vec<DeferralLine>, AppError> {
        let Some(me) = p.person else {
            return Ok(Vec::new());
        };
        let today = self.today();
        let since = self.now();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let mut out = Vec::new();
        let mut mine = None;
        for school in p.schools() {
            if !p.has_role(Role::Teacher, school) {
                continue;
            }
            for d in repo::deferrals_of_school(c, school, since).await? {
                let Some(group) = d.group else { continue };
                if d.state != DeferralState::Open {
                    continue;
                }
                let journals = match &mut mine {
                    Some(j) => j,
                    None => mine.insert(journal_repo::assigned_journals(c, me).await?),
                };
                if journals.contains(&(group, d.subject)) {
                    out.push(DeferralLine::of(d, today));
                }
            }
        }
        out.sort_by_key(|l| (!l.overdue(), l.deferral.ends_on));
        Ok(out)
    }
}

impl App {
    /// Sends the reminders of deferrals that ended without a mark (once each): an outbox event
    /// `final.deferral_ended` for the notifier and the change feed. The number sent. Run by the
    /// server's clock.
    pub async fn remind_deferrals(&self) -> Result<usize, AppError> {
        let today = self.today();
        // Most ticks find nothing: look first without taking the write lock.
        {
            let mut pooled = self.db.acquire().await?;
            if repo::reminders_due(&mut pooled.conn(), today)
                .await?
                .is_empty()
            {
                return Ok(0);
            }
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let due = repo::reminders_due(c, today).await?;
        let mut sent = 0;
        for d in &due {
            if repo::mark_reminded(c, d.id, now).await? {
                let mut event = deferral_json(d);
                event["group_id"] = d.group.map(|g| g.to_string()).into();
                event["student"] = d.student_name.clone().into();
                event["subject"] = d.subject_name.clone().into();
                outbox::emit(c, Some(d.school), "final.deferral_ended", &event, now).await?;
                sent += 1;
            }
        }
        tx.commit().await?;
        Ok(sent)
    }
}
