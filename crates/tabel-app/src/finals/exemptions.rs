//! Exemptions (освобождение) of a pupil from a subject: recorded and ended by the deputy head
//! or an administrator, each with its dates and document. Every reporting period of the pupil's
//! class falling inside an exemption gets «осв.» as its final mark, and so does the year when
//! all its periods do (the итоговая follows the year mark); the summary sheet, the diary, the
//! record and the statistics read those marks as they read any final mark, so an exempted pupil
//! leaves N (DOMAIN.md, "Statistics"). Ending an exemption early removes the «осв.» it gave to
//! the periods it no longer covers. The writes are audited; the final marks they change are
//! announced as any final mark is (`final.published`).

use super::certificate::{Writer, remove_cell, settle_certificate, write_cell};
use super::*;
use tabel_domain::ExemptionId;
use tabel_domain::finals::{Exemption, ExemptionDocument, check_exemption};
use tabel_store::exemptions::{self as exemptions_repo, NewExemption};

/// The basis written on the «осв.» final marks an exemption gives.
pub const EXEMPTION_BASIS: &str = "exemption";

/// An exemption to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExemptionInput {
    /// The subject.
    pub subject: SubjectId,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// The document.
    pub document: ExemptionDocument,
}

fn exemption_json(e: &Exemption) -> serde_json::Value {
    serde_json::json!({
        "id": e.id.to_string(), "student_id": e.student.to_string(), "subject_id": e.subject.to_string(),
        "starts_on": e.starts_on.to_string(), "ends_on": e.ends_on.to_string(),
        "document_kind": e.document.kind.code(), "document_number": e.document.number,
        "document_date": e.document.issued_on.to_string(), "document_note": e.document.note,
        "version": e.version,
    })
}

/// The reason written on the «осв.» marks: the document.
fn exemption_reason(e: &Exemption) -> String {
    format!(
        "освобождение: {} № {} от {}",
        e.document.kind.russian(),
        e.document.number,
        tabel_present::date(e.document.issued_on)
    )
}

/// Writes «осв.» into the final marks of a pupil's subject that the pupil's exemptions cover,
/// and removes the «осв.» an exemption gave where none covers any more; then the итоговая
/// follows (inside the caller's transaction).
async fn apply_exemptions(
    c: &mut Conn<'_>,
    w: &Writer<'_>,
    (school, student, subject): (SchoolId, PersonId, SubjectId),
    class: &tabel_store::record::RecordClass,
) -> Result<(), AppError> {
    let Some(group) = school_repo::get_group(c, class.class, w.today).await? else {
        return Ok(());
    };
    let (_, periods) = period_of(c, &group, w.today).await?;
    let exemptions: Vec<Exemption> = exemptions_repo::of_student(c, student)
        .await?
        .into_iter()
        .filter(|e| e.subject == subject && e.school == school)
        .collect();
    let covering = |from: Date, to: Date| exemptions.iter().find(|e| e.covers(from, to));
    let mut slots: Vec<(Slot, Option<&Exemption>)> = periods
        .iter()
        .map(|p| (Slot::Period(p.id), covering(p.starts_on, p.ends_on)))
        .collect();
    let whole_year = !slots.is_empty() && slots.iter().all(|(_, e)| e.is_some());
    slots.push((Slot::Year, if whole_year { slots[0].1 } else { None }));
    let exempt = FinalValue::Exempt.code();
    for (slot, by) in slots {
        let current = repo::of_cell(c, student, subject, class.year, slot).await?;
        match (by, &current) {
            (Some(e), _) if current.as_ref().map(|f| &f.value) != Some(&exempt) => {
                let reason = exemption_reason(e);
                let stored = write_cell(
                    c,
                    w,
                    (school, class.year, student, subject, slot),
                    (&exempt, Some(&exempt), Some(EXEMPTION_BASIS), &reason),
                    "final.exempt",
                    current.as_ref(),
                )
                .await?;
                // An open debt of the cell ends: the pupil no longer owes the subject.
                crate::debts::sync_debt(
                    c,
                    &stored,
                    Scale::Five,
                    (w.today, w.now, w.actor.map(|u| u.get()), w.client),
                )
                .await?;
            }
            (None, Some(f))
                if f.value == exempt && f.proposal_basis.as_deref() == Some(EXEMPTION_BASIS) =>
            {
                remove_cell(
                    c,
                    w,
                    f,
                    "final.unexempt",
                    "the exemption no longer covers it",
                )
                .await?;
            }
            _ => {}
        }
    }
    settle_certificate(c, w, (school, class.year, student, subject)).await
}

impl App {
    /// A pupil's exemptions, the latest first: whoever may see the pupil (a parent with the diary
    /// consent).
    pub async fn student_exemptions(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<Vec<Exemption>, AppError> {
        let mut conn = self.db.acquire().await?;
        let c = &mut conn.conn();
        let school = gate(c, p, student).await?;
        Ok(exemptions_repo::of_student(c, student)
            .await?
            .into_iter()
            .filter(|e| e.school == school)
            .collect())
    }

    /// Records an exemption of a pupil from a subject (administrators and deputy heads of the
    /// pupil's school): the dates and the document are checked; one overlapping another of
    /// the same subject is refused. The periods inside it get «осв.».
    pub async fn create_exemption(
        &self,
        p: &Principal,
        student: PersonId,
        input: &ExemptionInput,
        client: &Client,
    ) -> Result<Exemption, AppError> {
        let mut document = input.document.clone();
        document.number = document.number.trim().to_owned();
        document.note = document.note.trim().to_owned();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let (school, class) = self.administration_gate(c, p, student).await?;
        check_exemption(input.starts_on, input.ends_on, &document)
            .map_err(|e| AppError::invalid(e.field(), e.to_string()))?;
        if !school_repo::list_subjects(c, school)
            .await?
            .iter()
            .any(|s| s.id == input.subject)
        {
            return Err(AppError::invalid(
                "subject_id",
                "not a subject of the school",
            ));
        }
        if let Some(other) = exemptions_repo::of_student(c, student)
            .await?
            .into_iter()
            .find(|e| {
                e.subject == input.subject
                    && e.starts_on <= input.ends_on
                    && input.starts_on <= e.ends_on
            })
        {
            return Err(AppError::invalid(
                "starts_on",
                format!(
                    "overlaps the exemption from {} to {}",
                    other.starts_on, other.ends_on
                ),
            ));
        }
        let id = exemptions_repo::insert(
            c,
            &NewExemption {
                school,
                student,
                subject: input.subject,
                starts_on: input.starts_on,
                ends_on: input.ends_on,
                document: &document,
                by: p.user,
                at: now,
            },
        )
        .await?;
        let e = exemptions_repo::get(c, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let json = exemption_json(&e);
        audit::append(
            c,
            &AuditEntry {
                chain: school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "exemption.create",
                entity: "exemption",
                entity_id: id.to_string(),
                before: None,
                after: Some(json),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        let w = Writer {
            now,
            today: self.today(),
            actor: Some(p.user),
            client,
        };
        apply_exemptions(c, &w, (school, student, input.subject), &class).await?;
        tx.commit().await?;
        Ok(e)
    }

    /// Ends an exemption early (administrators and deputy heads): its last day becomes
    /// `ends_on` (not before its first day, not after its last). The periods it no longer covers
    /// lose the «осв.» it gave them. `version` is the exemption's, as read.
    pub async fn end_exemption(
        &self,
        p: &Principal,
        id: ExemptionId,
        (ends_on, version): (Date, i64),
        client: &Client,
    ) -> Result<Exemption, AppError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let e = exemptions_repo::get(c, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (school, class) = self.administration_gate(c, p, e.student).await?;
        if ends_on < e.starts_on || ends_on > e.ends_on {
            return Err(AppError::invalid(
                "ends_on",
                format!(
                    "an exemption from {} to {} ends on a day between them",
                    e.starts_on, e.ends_on
                ),
            ));
        }
        if !exemptions_repo::end(c, id, ends_on, (p.user, now), version).await? {
            return Err(AppError::Stale {
                detail: "the exemption was changed by someone else; here it is".into(),
                current: Some(exemption_json(&e)),
            });
        }
        let after = exemptions_repo::get(c, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let json = exemption_json(&after);
        audit::append(
            c,
            &AuditEntry {
                chain: school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "exemption.end",
                entity: "exemption",
                entity_id: id.to_string(),
                before: Some(exemption_json(&e)),
                after: Some(json),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        let w = Writer {
            now,
            today: self.today(),
            actor: Some(p.user),
            client,
        };
        apply_exemptions(c, &w, (school, e.student, e.subject), &class).await?;
        tx.commit().await?;
        Ok(after)
    }
}
