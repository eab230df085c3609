//! Publishing exam results to families within a day, through the channels they agreed to.

use super::*;

/// What to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishTarget {
    /// These results.
    Ids(Vec<tabel_domain::ExamResultId>),
    /// Every unpublished result of a batch.
    Batch(tabel_domain::ExamBatchId),
}

/// What a publication did.
#[derive(Debug, Clone, Serialize)]
pub struct PublishSummary {
    /// Results made visible now.
    pub published: Vec<ExamResultId>,
    /// Results named that were visible already.
    pub already: usize,
    /// When.
    pub at: OffsetDateTime,
}

/// How someone can learn of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// In the electronic diary: an account, and for a parent the diary consent in force.
    Diary,
    /// The consent is in force (or it is the pupil) but there is no account to log in with.
    NoAccount,
    /// No diary consent in force: a paper extract (регламент, п. 2).
    Paper,
}

/// Who someone is to the pupil.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RecipientRole {
    /// The pupil.
    Pupil,
    /// A legal representative.
    Representative(Relation),
}

/// Someone who has to learn of a result.
#[derive(Debug, Clone, Serialize)]
pub struct Recipient {
    /// The person.
    pub person: PersonId,
    /// Full name.
    pub name: String,
    /// Who they are to the pupil.
    pub role: RecipientRole,
    /// How they can learn of it.
    pub channel: Channel,
}

/// Audits a publication of one result and tells the notifier (inside the transaction).
pub(super) async fn announce(
    c: &mut Conn<'_>,
    actor: Option<UserId>,
    r: &ExamResult,
    action: &str,
    client: &Client,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    let after = result_json(r);
    audit::append(
        c,
        &AuditEntry {
            chain: r.school.get(),
            at,
            actor: actor.map(UserId::get),
            action,
            entity: "exam_result",
            entity_id: r.id.to_string(),
            before: (action == "exam.publish").then(|| serde_json::json!({"published_at": null})),
            after: Some(after),
            reason: None,
            origin: Some(&client.address),
        },
    )
    .await?;
    if let Some(at) = r.published_at {
        outbox::emit(
            c,
            Some(r.school),
            "exam.result_published",
            &serde_json::json!({
                "id": r.id.to_string(), "student_id": r.student.to_string(), "exam": r.exam.code(),
                "subject": r.subject_name, "received_at": rfc3339(r.received_at),
                "published_at": rfc3339(at),
            }),
            at,
        )
        .await?;
    }
    Ok(())
}

impl App {
    /// Makes held-back results visible to the families now: the results named, or a batch's
    /// unpublished ones. Administrators and deputy heads of the results' school; naming a
    /// result that does not exist (or is not theirs) refuses the whole request.
    #[tracing::instrument(skip_all)]
    pub async fn publish_exam_results(
        &self,
        p: &Principal,
        target: PublishTarget,
        client: &Client,
    ) -> Result<PublishSummary, AppError> {
        if let PublishTarget::Ids(ids) = &target {
            if ids.is_empty() {
                return Err(AppError::invalid("ids", "name at least one result"));
            }
            if ids.len() > MAX_PUBLISH_IDS {
                return Err(AppError::invalid(
                    "ids",
                    format!("at most {MAX_PUBLISH_IDS} results at once"),
                ));
            }
        }
        let now = self.calendar_now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let ids = match target {
            PublishTarget::Batch(id) => {
                let b = repo::get_batch(c, id).await?.ok_or(AppError::NotFound)?;
                if !manages(p, b.school) {
                    return Err(refuse(p, b.school));
                }
                repo::unpublished_of_batch(c, id).await?
            }
            PublishTarget::Ids(ids) => {
                let mut ids = ids;
                ids.sort_unstable();
                ids.dedup();
                ids
            }
        };
        let mut published = Vec::new();
        let mut already = 0;
        for id in ids {
            let r = repo::get_result(c, id).await?.ok_or(AppError::NotFound)?;
            if !manages(p, r.school) {
                return Err(refuse(p, r.school));
            }
            if repo::publish(c, id, r.school, now).await? {
                let r = ExamResult {
                    published_at: Some(now),
                    ..r
                };
                announce(c, Some(p.user), &r, "exam.publish", client, self.now()).await?;
                let w = crate::finals::Writer {
                    now: self.now(),
                    today: self.today(),
                    actor: Some(p.user),
                    client,
                };
                crate::finals::take_exam_result(c, &w, &r).await?;
                published.push(id);
            } else {
                already += 1;
            }
        }
        tx.commit().await?;
        Ok(PublishSummary {
            published,
            already,
            at: now,
        })
    }
}
