//! Fan-out: outbox events become deliveries for webhooks and for the representatives who
//! consented, or lines for the digest.

use super::recipients::{Cache, Open, channel_of, choose, release};
use super::{Report, Worker, WorkerError};
use crate::render::{self, Message};
use serde_json::Value;
use tabel_domain::exams::{ExamKind, ExamMark};
use tabel_domain::finals::FinalValue;
use tabel_domain::notify::{Channel, EventKind, Mode, Recipient, Topics, event_key};
use tabel_domain::school::PeriodKind;
use tabel_domain::{ExamResultId, LessonId, PeriodId, SubjectId};
use tabel_domain::{GroupId, PersonId, SchoolId};
use tabel_store::contact::Contact;
use tabel_store::delivery::{self as repo, Event, NewDelivery, NewDigestItem, Webhook};
use tabel_store::{Conn, StoreError};
use time::OffsetDateTime;

fn id_of(v: &Value, field: &str) -> Option<i64> {
    match &v[field] {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

fn str_of<'a>(v: &'a Value, field: &str) -> Option<&'a str> {
    v[field].as_str()
}

/// A message about one pupil, and who it concerns.
struct About {
    student: PersonId,
    school: SchoolId,
    message: Message,
}

impl Worker {
    pub(super) async fn fan_out(&self, now: OffsetDateTime) -> Result<Report, WorkerError> {
        let mut report = Report::default();
        let mut tx = self.db().begin().await?;
        let c = &mut tx.conn();
        let limit = i64::try_from(self.config.batch.max(1)).unwrap_or(500);
        let events = repo::unnotified(c, limit).await?;
        if events.is_empty() {
            return Ok(report);
        }
        let webhooks = repo::live_webhooks(c).await?;
        let mut cache = Cache::default();
        for e in &events {
            self.fan_out_event(c, e, &webhooks, &mut cache, now, &mut report)
                .await?;
            repo::mark_notified(c, e.id, now).await?;
            report.events += 1;
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn fan_out_event(
        &self,
        c: &mut Conn<'_>,
        e: &Event,
        webhooks: &[Webhook],
        cache: &mut Cache,
        now: OffsetDateTime,
        report: &mut Report,
    ) -> Result<(), WorkerError> {
        let payload: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
        // An event about a pupil (their marks, attendance, finals, movements…) carries the
        // pupil's personal data: it leaves for services only while the family's diary consent
        // is in force (checked again at delivery, see `check_still_wanted`).
        let pupil = id_of(&payload, "student_id").map(PersonId::new);
        let consented = match pupil {
            Some(p) if webhooks.iter().any(|w| Some(w.school.get()) == e.school_id) => {
                tabel_store::school::family_consents(c, p).await?
            }
            _ => true,
        };
        for w in webhooks.iter().filter(|_| consented) {
            if Some(w.school.get()) != e.school_id
                || !Topics::from_stored(&w.topics).matches(&e.topic)
            {
                continue;
            }
            let key = event_key(e.id, Channel::Webhook, Recipient::Webhook(w.id.get()));
            let body = serde_json::json!({
                "delivery": key, "event_id": e.id.to_string(), "topic": e.topic,
                "school_id": e.school_id.map(|s| s.to_string()),
                "created_at": tabel_present::rfc3339(e.created_at),
                "payload": payload,
            })
            .to_string();
            let made = repo::insert_delivery(
                c,
                &NewDelivery {
                    school: Some(w.school),
                    key: &key,
                    event: Some(e.id),
                    kind: &e.topic,
                    channel: Channel::Webhook,
                    parent: None,
                    student: pupil,
                    contact: None,
                    webhook: Some(w.id.get()),
                    address: &w.url,
                    subject: &e.topic,
                    body: &body,
                    urgent: true,
                    due: now,
                    at: now,
                },
            )
            .await?;
            report.created += usize::from(made.is_some());
        }
        let Some(kind) = EventKind::from_topic(&e.topic) else {
            return Ok(());
        };
        let about = match self.render_event(c, kind, e, &payload, cache).await {
            Ok(about) => about,
            Err(WorkerError::Store(StoreError::Database(err))) => {
                return Err(StoreError::Database(err).into());
            }
            Err(err) => {
                tracing::warn!(event = e.id, topic = %e.topic, error = %err, "event skipped: cannot read what it is about");
                Vec::new()
            }
        };
        for a in &about {
            self.to_family(c, (kind, e.id), a, cache, now, report)
                .await?;
        }
        Ok(())
    }

    /// The messages an event makes, one per pupil it concerns.
    async fn render_event(
        &self,
        c: &mut Conn<'_>,
        kind: EventKind,
        e: &Event,
        v: &Value,
        cache: &mut Cache,
    ) -> Result<Vec<About>, WorkerError> {
        let url = self.config.public_url.trim_end_matches('/');
        let students: Vec<PersonId> = match kind {
            EventKind::Homework => {
                let (Some(group), Some(on)) = (
                    id_of(v, "group_id"),
                    str_of(v, "date").and_then(render::iso_date),
                ) else {
                    return Ok(Vec::new());
                };
                tabel_store::school::group_members(c, GroupId::new(group), on)
                    .await?
                    .into_iter()
                    .map(|p| p.id)
                    .collect()
            }
            _ => id_of(v, "student_id")
                .map(PersonId::new)
                .into_iter()
                .collect(),
        };
        let mut out = Vec::new();
        for student in students {
            let Some(p) = repo::pupil_brief(c, student).await? else {
                continue;
            };
            let (school_name, _) = cache.school(c, p.school).await?;
            let who = (p.name.as_str(), school_name.as_str());
            let message = match kind {
                EventKind::Final => {
                    let subject = match id_of(v, "subject_id") {
                        Some(s) => repo::subject_name(c, SubjectId::new(s))
                            .await?
                            .unwrap_or_default(),
                        None => String::new(),
                    };
                    let slot = str_of(v, "slot").unwrap_or("");
                    let period = match id_of(v, "period_id") {
                        Some(id) => repo::period_brief(c, PeriodId::new(id))
                            .await?
                            .and_then(|(k, n)| PeriodKind::from_code(&k).ok().map(|k| (k, n))),
                        None => None,
                    };
                    let code = str_of(v, "value").unwrap_or("");
                    let value = FinalValue::from_code(code)
                        .map_or_else(|| code.to_owned(), |f| f.to_string());
                    render::final_mark(
                        &render::FinalFacts {
                            pupil: who.0,
                            school: who.1,
                            subject: &subject,
                            slot: &render::slot_label(slot, period),
                            value: &value,
                        },
                        url,
                    )
                }
                EventKind::Exam => {
                    let Some(id) = id_of(v, "id") else { continue };
                    let Some(r) = tabel_store::exams::get_result(c, ExamResultId::new(id)).await?
                    else {
                        continue;
                    };
                    let result = match r.mark {
                        ExamMark::Mark(n) => n.to_string(),
                        ExamMark::Score(n) => format!("{n} б."),
                        ExamMark::Pass => "зачёт".into(),
                        ExamMark::Fail => "незачёт".into(),
                    };
                    let exam = match r.exam {
                        ExamKind::Interview => "итоговое собеседование",
                        other => other.russian(),
                    };
                    render::exam_result(
                        &render::ExamFacts {
                            pupil: who.0,
                            school: who.1,
                            exam,
                            subject: &r.subject_name,
                            result: &result,
                        },
                        url,
                    )
                }
                EventKind::Mark => {
                    let subject = match id_of(v, "lesson_id") {
                        Some(l) => repo::lesson_subject(c, LessonId::new(l)).await?,
                        None => None,
                    };
                    render::mark(
                        who,
                        subject.as_deref(),
                        str_of(v, "value").unwrap_or(""),
                        str_of(v, "date").and_then(render::iso_date),
                        e.topic == "mark.changed",
                        url,
                    )
                }
                EventKind::Homework => {
                    let text = str_of(v, "homework").unwrap_or("").trim();
                    if text.is_empty() {
                        continue;
                    }
                    render::homework(
                        who,
                        str_of(v, "subject").unwrap_or(""),
                        str_of(v, "due_on").and_then(render::iso_date),
                        text,
                        url,
                    )
                }
                EventKind::Note => render::absence_note(
                    who,
                    str_of(v, "state") == Some("accepted"),
                    (
                        str_of(v, "from").and_then(render::iso_date),
                        str_of(v, "to").and_then(render::iso_date),
                    ),
                    str_of(v, "comment").unwrap_or(""),
                    url,
                ),
                EventKind::Forecast => continue,
            };
            out.push(About {
                student,
                school: p.school,
                message,
            });
        }
        Ok(out)
    }

    /// Deliveries or digest lines for a pupil's representatives who consented.
    async fn to_family(
        &self,
        c: &mut Conn<'_>,
        (kind, event): (EventKind, i64),
        a: &About,
        cache: &mut Cache,
        now: OffsetDateTime,
        report: &mut Report,
    ) -> Result<(), WorkerError> {
        let (_, zone) = cache.school(c, a.school).await?;
        for g in repo::guardians_of(c, a.student).await? {
            if !g.consents() {
                continue;
            }
            let settings = cache.settings(c, g.parent).await?.clone();
            let setting = settings.for_kind(kind);
            if setting.mode == Mode::Off {
                continue;
            }
            let open = Open::of(&self.channels);
            let chosen: Vec<Contact> =
                choose(cache.contacts(c, g.parent).await?, setting.channel, open)
                    .into_iter()
                    .cloned()
                    .collect();
            for contact in &chosen {
                let channel = channel_of(contact);
                if setting.mode == Mode::Daily {
                    let added = repo::add_digest_item(
                        c,
                        &NewDigestItem {
                            school: a.school,
                            parent: g.parent,
                            student: a.student,
                            contact: contact.id,
                            event,
                            line: &a.message.line,
                            at: now,
                        },
                    )
                    .await?;
                    report.digest_lines += usize::from(added);
                    continue;
                }
                let key = event_key(event, channel, Recipient::Contact(contact.id.get()));
                let (subject, body) = match channel {
                    Channel::Sms => (a.message.subject.as_str(), a.message.line.as_str()),
                    _ => (a.message.subject.as_str(), a.message.text.as_str()),
                };
                let made = repo::insert_delivery(
                    c,
                    &NewDelivery {
                        school: Some(a.school),
                        key: &key,
                        event: Some(event),
                        kind: kind.code(),
                        channel,
                        parent: Some(g.parent),
                        student: Some(a.student),
                        contact: Some(contact.id),
                        webhook: None,
                        address: &contact.value,
                        subject,
                        body,
                        urgent: kind.urgent(),
                        due: release(&settings, &zone, kind.urgent(), now),
                        at: now,
                    },
                )
                .await?;
                report.created += usize::from(made.is_some());
            }
        }
        Ok(())
    }
}
