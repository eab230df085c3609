//! Setting final marks: validation, the closed period, corrections with a reason, and the debts a 2 or н/а opens.

use super::*;

/// One pupil's final mark to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetFinal {
    /// The pupil.
    pub student: PersonId,
    /// "5", "н/а", "осв.", "зач.", "незач." (parsed on the subject's scale).
    pub value: String,
    /// Required when the value differs from the proposal, or in a closed period.
    pub reason: String,
    /// The version read (0 when none was set).
    pub version: i64,
}

impl App {
    /// Sets final marks of a journal, all or nothing: each value on the subject's scale (or a
    /// code), a reason where it differs from the proposal, the version read; in a closed period
    /// only an administrator, with a reason for each. Every mark is audited, visible to the
    /// family at once and announced in the outbox (`final.published`).
    pub async fn set_finals(
        &self,
        p: &Principal,
        (group, subject, slot): (GroupId, SubjectId, Option<Slot>),
        rows: &[SetFinal],
        client: &Client,
    ) -> Result<Vec<FinalRecord>, AppError> {
        if rows.is_empty() {
            return Err(AppError::invalid("rows", "no final marks to set"));
        }
        let sheet = self.finals_sheet(p, group, subject, slot).await?;
        if sheet.journal.group.grade == 1 {
            return Err(AppError::invalid(
                "rows",
                "grade 1 has no marks and no final marks (first-grade rules)",
            ));
        }
        let closed = sheet.closed;
        let policy = &sheet.journal.policy.policy;
        // One row a pupil at most: a pupil named twice would be written, audited and announced
        // twice in one request.
        if rows.len() > sheet.rows.len() {
            return Err(AppError::invalid(
                "rows",
                format!("the journal has {} pupils", sheet.rows.len()),
            ));
        }
        let mut errors = BTreeMap::new();
        let mut writes = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, r) in rows.iter().enumerate() {
            let row = sheet.rows.iter().find(|x| x.entry.student == r.student);
            let Some(row) = row else {
                errors.insert(
                    format!("rows[{i}].student_id"),
                    "not a pupil of this journal".to_owned(),
                );
                continue;
            };
            if !seen.insert(row.entry.student) {
                errors.insert(
                    format!("rows[{i}].student_id"),
                    "this pupil has a row already".to_owned(),
                );
                continue;
            }
            let value = match FinalValue::parse(&r.value, sheet.scale, policy.allow_one) {
                Ok(v) => v,
                Err(e) => {
                    errors.insert(format!("rows[{i}].value"), e.to_string());
                    continue;
                }
            };
            let reason = r.reason.trim();
            if reason.chars().count() > crate::MAX_REASON_CHARS {
                errors.insert(
                    format!("rows[{i}].reason"),
                    format!("at most {} characters", crate::MAX_REASON_CHARS),
                );
                continue;
            }
            // The «осв.» an exemption gave stays while the exemption covers the cell: the
            // administration ends the exemption first.
            if let Some(f) = &row.current
                && f.proposal_basis.as_deref() == Some(super::EXEMPTION_BASIS)
                && value != FinalValue::Exempt
            {
                errors.insert(
                    format!("rows[{i}].value"),
                    format!(
                        "the pupil is exempted ({}): end the exemption first",
                        f.reason
                    ),
                );
                continue;
            }
            let correction = sheet.is_correction(row);
            if correction && !sheet.may_correct {
                return Err(if closed && sheet.teaches {
                    AppError::Conflict(
                        "the period is closed; an administrator can correct it with a reason"
                            .into(),
                    )
                } else {
                    AppError::Forbidden
                });
            }
            let proposed = row.proposal.map(|x| x.value);
            if proposed != Some(value) && reason.is_empty() {
                errors.insert(
                    format!("rows[{i}].reason"),
                    match proposed {
                        Some(x) => format!("the journal proposes {x}: say why {value} instead"),
                        None => format!("the journal proposes nothing: say why {value}"),
                    },
                );
                continue;
            }
            if correction && reason.is_empty() {
                errors.insert(
                    format!("rows[{i}].reason"),
                    "an administrator corrects a closed period with a reason".into(),
                );
                continue;
            }
            writes.push((row, value, reason, r.version, correction));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let v = &sheet.journal;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let mut out = Vec::new();
        let today = self.today();
        for (i, (row, value, reason, version, correction)) in writes.into_iter().enumerate() {
            let code = value.code();
            let proposal = row.proposal.map(|x| x.value.code());
            let basis = row.proposal.map(|x| x.basis.code().to_owned());
            let new = NewFinal {
                school: v.group.school,
                year: v.group.year,
                student: row.entry.student,
                subject,
                group: Some(group),
                slot: sheet.slot,
                value: &code,
                proposal: proposal.as_deref(),
                proposal_basis: basis.as_deref(),
                reason,
                set_by: Some(p.user),
                at: now,
            };
            let Some(stored) = repo::write(c, &new, version).await? else {
                let current =
                    repo::of_cell(c, row.entry.student, subject, v.group.year, sheet.slot).await?;
                return Err(AppError::Stale {
                    detail: format!(
                        "row {i}: the final mark was changed by someone else; here is the current value"
                    ),
                    current: current.map(|f| final_json(&f)),
                });
            };
            let after = final_json(&stored);
            audit::append(
                c,
                &AuditEntry {
                    chain: v.group.school.get(),
                    at: now,
                    actor: Some(p.user.get()),
                    action: if correction {
                        "final.correct"
                    } else {
                        "final.set"
                    },
                    entity: "final",
                    entity_id: format!("{}:{}:{}", stored.student, subject, sheet.slot.code()),
                    before: row.current.as_ref().map(final_json),
                    after: Some(after.clone()),
                    reason: Some(reason).filter(|r| !r.is_empty()),
                    origin: Some(&client.address),
                },
            )
            .await?;
            outbox::emit(c, Some(v.group.school), "final.published", &after, now).await?;
            crate::debts::resolve_deferral(c, &stored, (now, p, client)).await?;
            crate::debts::sync_debt(
                c,
                &stored,
                sheet.scale,
                (today, now, Some(p.user.get()), client),
            )
            .await?;
            if stored.slot == Slot::Year {
                let w = super::Writer {
                    now,
                    today,
                    actor: Some(p.user),
                    client,
                };
                super::settle_certificate(
                    c,
                    &w,
                    (v.group.school, v.group.year, stored.student, subject),
                )
                .await?;
            }
            out.push(stored);
        }
        tx.commit().await?;
        Ok(out)
    }
}
