//! Academic debts and their retakes: the desk of a school, a pupil's debts, recording a retake or an illness.

use super::*;

/// A debt with where it stands today and its retakes.
#[derive(Debug, Clone, Serialize)]
pub struct DebtLine {
    /// The debt.
    pub debt: Debt,
    /// `open`, `expired`, `closed`, `exhausted`.
    pub stage: &'static str,
    /// Retakes so far.
    pub retakes: Vec<Retake>,
    /// Retakes left.
    pub attempts_left: u8,
}

impl DebtLine {
    pub(super) fn of(debt: Debt, retakes: Vec<Retake>, today: Date) -> DebtLine {
        let used = u8::try_from(retakes.len()).unwrap_or(u8::MAX);
        let stage = rules::debt_stage(debt.state, debt.deadline, today);
        DebtLine {
            stage: stage.code(),
            attempts_left: if matches!(stage, DebtStage::Open) {
                rules::MAX_RETAKES.saturating_sub(used)
            } else {
                0
            },
            retakes,
            debt,
        }
    }
}

/// A school's deferrals and debts (the deputy head's desk).
#[derive(Debug, Clone, Serialize)]
pub struct DebtsDesk {
    /// The school.
    pub school: SchoolId,
    /// As of.
    pub today: Date,
    /// Open deferrals (overdue first) and those closed lately.
    pub deferrals: Vec<DeferralLine>,
    /// Open, expired and exhausted debts, and those closed lately.
    pub debts: Vec<DebtLine>,
    /// The reporting periods of the years they concern (to name the slots).
    pub periods: Vec<Period>,
}

/// A pupil's deferrals and debts, every year.
#[derive(Debug, Clone, Serialize)]
pub struct StudentDebts {
    /// Deferrals.
    pub deferrals: Vec<DeferralLine>,
    /// Debts with retakes.
    pub debts: Vec<DebtLine>,
    /// The reporting periods of the years they concern (to name the slots).
    pub periods: Vec<Period>,
}

/// A retake to record.
#[derive(Debug, Clone)]
pub struct RetakeInput {
    /// When it took place.
    pub on: Date,
    /// The mark as typed ("4", "зач.").
    pub value: String,
    /// The commission, the work.
    pub note: String,
    /// The debt's version read.
    pub version: i64,
}

/// An illness to record on a debt.
#[derive(Debug, Clone)]
pub struct IllnessInput {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The medical document.
    pub basis: String,
    /// The debt's version read.
    pub version: i64,
}

impl App {
    /// Records a retake of a debt: administrators and deputy heads; at most two, within the
    /// debt's year (illness counted), not in the future. A passing one closes the debt and
    /// becomes the cell's final mark; the second failing one exhausts it.
    pub async fn record_retake(
        &self,
        p: &Principal,
        id: tabel_domain::DebtId,
        input: &RetakeInput,
        client: &Client,
    ) -> Result<DebtLine, AppError> {
        let today = self.today();
        let now = self.now();
        let mut c0 = self.db.acquire().await?;
        let debt = repo::debt(&mut c0.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, debt.school))?;
        let policy = self.policy_of(&mut c0.conn(), debt.school).await?;
        drop(c0);
        let scale = policy.policy.scale_of(debt.subject.get());
        let value = FinalValue::parse(&input.value, scale, policy.policy.allow_one)
            .map_err(|e| AppError::invalid("value", e.to_string()))?;
        if matches!(value, FinalValue::Exempt | FinalValue::NotAttested) {
            return Err(AppError::invalid(
                "value",
                "a retake gives a mark (or зачёт/незачёт)",
            ));
        }
        let note = input.note.trim();
        if note.chars().count() > 500 {
            return Err(AppError::invalid("note", "at most 500 characters"));
        }
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let debt = repo::debt(c, id).await?.ok_or(AppError::NotFound)?;
        if debt.version != input.version {
            return Err(AppError::Stale {
                detail: "the debt was changed by someone else; here is the current state".into(),
                current: Some(debt_json(&debt)),
            });
        }
        let done = repo::retakes_of_debt(c, id).await?;
        let facts = DebtFacts {
            state: debt.state,
            arisen_on: debt.arisen_on,
            deadline: debt.deadline,
            attempts: u8::try_from(done.len()).unwrap_or(u8::MAX),
            last_retake: done.last().map(|r| r.on_date),
        };
        let attempt = rules::check_retake(&facts, input.on, today).map_err(|e| retake_error(&e))?;
        let code = value.code();
        if !repo::insert_retake(c, id, attempt, input.on, &code, note, p.user, now).await? {
            return Err(AppError::Stale {
                detail: "this retake was recorded by someone else meanwhile".into(),
                current: Some(debt_json(&debt)),
            });
        }
        let passed = value.passing(scale);
        let state = rules::after_retake(attempt, passed);
        let closed_at = (state != DebtState::Open).then_some(now);
        if !repo::set_debt_state(
            c,
            id,
            debt.version,
            state,
            passed.then_some(code.as_str()),
            closed_at,
        )
        .await?
        {
            return Err(AppError::Stale {
                detail: "the debt was changed by someone else".into(),
                current: Some(debt_json(&debt)),
            });
        }
        let reason = format!(
            "Пересдача №{attempt} от {}: {value}{}",
            tabel_present::date(input.on),
            if note.is_empty() {
                String::new()
            } else {
                format!(" ({note})")
            }
        );
        let after = repo::debt(c, id).await?.ok_or(AppError::NotFound)?;
        let topic = if passed {
            "debt.closed"
        } else {
            "debt.retaken"
        };
        debt_changed(
            c,
            (Some(&debt), &after),
            ("debt.retake", topic, Some(&reason)),
            (now, Some(p.user.get()), client),
        )
        .await?;
        if passed {
            // The passing retake is the cell's final mark now: an audited correction.
            let current =
                finals_repo::of_cell(c, debt.student, debt.subject, debt.year, debt.slot).await?;
            let closing = format!("Ликвидация академической задолженности. {reason}");
            let Some(f) = finals_repo::write(
                c,
                &NewFinal {
                    school: debt.school,
                    year: debt.year,
                    student: debt.student,
                    subject: debt.subject,
                    group: debt.group,
                    slot: debt.slot,
                    value: &code,
                    proposal: None,
                    proposal_basis: None,
                    reason: &closing,
                    set_by: Some(p.user),
                    at: now,
                },
                current.as_ref().map_or(0, |f| f.version),
            )
            .await?
            else {
                return Err(AppError::Stale {
                    detail: "the final mark was changed by someone else meanwhile".into(),
                    current: None,
                });
            };
            audit::append(
                c,
                &AuditEntry {
                    chain: debt.school.get(),
                    at: now,
                    actor: Some(p.user.get()),
                    action: "final.correct",
                    entity: "final",
                    entity_id: format!("{}:{}:{}", f.student, f.subject, f.slot.code()),
                    before: current.as_ref().map(final_json),
                    after: Some(final_json(&f)),
                    reason: Some(&closing),
                    origin: Some(&client.address),
                },
            )
            .await?;
            outbox::emit(
                c,
                Some(debt.school),
                "final.published",
                &final_json(&f),
                now,
            )
            .await?;
            // A cleared year or exam mark changes the итоговая.
            let w = crate::finals::Writer {
                now,
                today,
                actor: Some(p.user),
                client,
            };
            crate::finals::settle_certificate(c, &w, (f.school, f.year, f.student, f.subject))
                .await?;
        }
        let retakes = repo::retakes_of_debt(c, id).await?;
        tx.commit().await?;
        Ok(DebtLine::of(after, retakes, today))
    }

    /// Records a documented illness of a pupil with a debt: the deadline moves by its days
    /// (each day once). Administrators and deputy heads.
    pub async fn record_debt_illness(
        &self,
        p: &Principal,
        id: tabel_domain::DebtId,
        input: &IllnessInput,
        client: &Client,
    ) -> Result<DebtLine, AppError> {
        let today = self.today();
        let now = self.now();
        if input.to < input.from {
            return Err(AppError::invalid(
                "to",
                format!(
                    "the illness ends ({}) before it starts ({})",
                    input.to, input.from
                ),
            ));
        }
        rules::check_deferral(input.from, input.to, &input.basis).map_err(|e| match e {
            DeferralError::NoBasis | DeferralError::BasisTooLong => {
                AppError::invalid("basis", e.to_string())
            }
            _ => AppError::invalid("to", "an illness is recorded at most a year at a time"),
        })?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let debt = repo::debt(c, id).await?.ok_or(AppError::NotFound)?;
        check(may_plan(p, debt.school))?;
        if debt.version != input.version {
            return Err(AppError::Stale {
                detail: "the debt was changed by someone else; here is the current state".into(),
                current: Some(debt_json(&debt)),
            });
        }
        if debt.state != DebtState::Open {
            return Err(AppError::Conflict(
                "the debt is no longer open: its deadline does not matter".into(),
            ));
        }
        repo::insert_illness(
            c,
            id,
            (input.from, input.to),
            input.basis.trim(),
            p.user,
            now,
        )
        .await?;
        let ills: Vec<Illness> = repo::illnesses_of(c, id)
            .await?
            .into_iter()
            .map(|i| Illness {
                from: i.from_on,
                to: i.to_on,
            })
            .collect();
        let (deadline, days) = rules::debt_deadline(debt.arisen_on, &ills);
        if !repo::set_deadline(c, id, debt.version, deadline, days).await? {
            return Err(AppError::Stale {
                detail: "the debt was changed by someone else".into(),
                current: Some(debt_json(&debt)),
            });
        }
        let after = repo::debt(c, id).await?.ok_or(AppError::NotFound)?;
        debt_changed(
            c,
            (Some(&debt), &after),
            ("debt.illness", "debt.changed", Some(input.basis.trim())),
            (now, Some(p.user.get()), client),
        )
        .await?;
        let retakes = repo::retakes_of_debt(c, id).await?;
        tx.commit().await?;
        Ok(DebtLine::of(after, retakes, today))
    }

    /// A school's deferrals and debts: administrators and deputy heads. Overdue deferrals and
    /// expired debts first.
    pub async fn debts_desk(
        &self,
        p: &Principal,
        school: Option<SchoolId>,
    ) -> Result<DebtsDesk, AppError> {
        let school = match school {
            Some(s) => s,
            None => {
                let mine: Vec<SchoolId> = p
                    .schools()
                    .into_iter()
                    .filter(|s| may_plan(p, *s).allowed())
                    .collect();
                match mine.as_slice() {
                    [one] => *one,
                    [] => return Err(AppError::Forbidden),
                    _ => {
                        return Err(AppError::invalid(
                            "school_id",
                            "you manage several schools: choose one",
                        ));
                    }
                }
            }
        };
        check(may_plan(p, school))?;
        let today = self.today();
        let since = self.now() - RECENTLY_CLOSED;
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let mut deferrals: Vec<DeferralLine> = repo::deferrals_of_school(c, school, since)
            .await?
            .into_iter()
            .map(|d| DeferralLine::of(d, today))
            .collect();
        deferrals.sort_by_key(|l| (!l.overdue(), l.stage.is_none(), l.deferral.ends_on));
        let debts = debt_lines(
            repo::debts_of_school(c, school, since).await?,
            repo::retakes_of(c, school, None).await?,
            today,
        );
        let periods = periods_of(
            c,
            deferrals
                .iter()
                .map(|d| d.deferral.year)
                .chain(debts.iter().map(|d| d.debt.year)),
        )
        .await?;
        Ok(DebtsDesk {
            school,
            today,
            deferrals,
            debts,
            periods,
        })
    }
}

impl App {
    /// A pupil's deferrals and debts: whoever may see the pupil (a parent only with consent).
    pub async fn student_debts(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<StudentDebts, AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let school = gate(c, p, student).await?;
        let deferrals: Vec<DeferralLine> = repo::deferrals_of_student(c, student)
            .await?
            .into_iter()
            .map(|d| DeferralLine::of(d, today))
            .collect();
        let debts = debt_lines(
            repo::debts_of_student(c, student).await?,
            repo::retakes_of(c, school, Some(student)).await?,
            today,
        );
        let periods = periods_of(
            c,
            deferrals
                .iter()
                .map(|d| d.deferral.year)
                .chain(debts.iter().map(|d| d.debt.year)),
        )
        .await?;
        Ok(StudentDebts {
            deferrals,
            debts,
            periods,
        })
    }
}
