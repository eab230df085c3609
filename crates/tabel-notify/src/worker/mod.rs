//! The worker: drains the outbox into deliveries, makes the daily digests and the weekly
//! forecasts, and sends what is due through the channels, with retries and dead letters.
//!
//! One round ([`Worker::run_once`]):
//! 1. **Fan-out.** Events the notifier has not handled are claimed in batches (on PostgreSQL
//!    with `FOR UPDATE SKIP LOCKED`, so several workers share the work); for each, the
//!    webhooks subscribed to its topic get a delivery, and for events families hear about the
//!    pupil's representatives are resolved — only those whose consents to the diary and to
//!    electronic delivery are both in force, only their deliverable contacts, as their
//!    settings say (a delivery now, a digest line, or nothing). Deliveries carry an
//!    idempotency key unique per event, recipient and channel, and the event is marked handled
//!    in the same transaction: a crash repeats the batch, and the keys make the repeat a no-op.
//! 2. **Digests** of the day's lines, once the school's local clock passes the digest hour;
//!    **forecasts** once a week per child (regulation point 4).
//! 3. **Delivery.** Due deliveries are claimed with a lease, sent a few at a time, and each is
//!    marked sent (or failed: a retry after a backoff, or the dead-letter list) at once, in its
//!    own short transaction: a worker killed mid-batch leaves only the messages in flight
//!    unmarked, and they are taken over when their lease runs out. Delivery is at least once;
//!    the key goes out as the e-mail's Message-ID and the webhook's `X-Tabel-Delivery` so a
//!    receiver can drop the rare second copy.

use crate::channel::{Channels, ConfigError, Outgoing};
use crate::config::NotifyConfig;
use crate::render::{self, Message};
use serde_json::Value;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use tabel_app::{App, AppError};
use tabel_domain::calendar::TimeZoneName;
use tabel_domain::contact::{ContactKind, deliverable};
use tabel_domain::exams::{ExamKind, ExamMark};
use tabel_domain::finals::FinalValue;
use tabel_domain::notify::{
    Channel, ChannelChoice, DeliveryState, EventKind, Mode, Recipient, Topics, digest_key,
    event_key, forecast_key, week_start,
};
use tabel_domain::school::PeriodKind;
use tabel_domain::{GroupId, PersonId, SchoolId};
use tabel_store::contact::{self as contacts, Contact};
use tabel_store::delivery::{
    self as repo, Delivery, Event, Guardian, NewDelivery, NewDigestItem, Retry, Settings, Webhook,
};
use tabel_store::{Conn, Db, StoreError};
use time::{Duration, OffsetDateTime};
use tokio::sync::Semaphore;

/// What a round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Outbox events handled.
    pub events: usize,
    /// Deliveries made (events, digests, forecasts).
    pub created: usize,
    /// Lines put aside for digests.
    pub digest_lines: usize,
    /// Messages accepted by a server or gateway.
    pub sent: usize,
    /// Failures that will be retried.
    pub retried: usize,
    /// Failures that went to the dead-letter list.
    pub dead: usize,
    /// Deliveries cancelled (consent withdrawn, contact removed).
    pub cancelled: usize,
}

impl std::ops::AddAssign for Report {
    fn add_assign(&mut self, o: Report) {
        self.events += o.events;
        self.created += o.created;
        self.digest_lines += o.digest_lines;
        self.sent += o.sent;
        self.retried += o.retried;
        self.dead += o.dead;
        self.cancelled += o.cancelled;
    }
}

/// Why a round stopped early (the next round tries again).
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A use case.
    #[error(transparent)]
    App(#[from] AppError),
}

/// The notifier's worker. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Worker {
    app: App,
    channels: Arc<Channels>,
    config: Arc<NotifyConfig>,
}

/// Facts reused within a batch.
#[derive(Default)]
struct Cache {
    settings: HashMap<PersonId, Settings>,
    contacts: HashMap<PersonId, Vec<Contact>>,
    schools: HashMap<SchoolId, (String, TimeZoneName)>,
}

impl Cache {
    async fn settings(
        &mut self,
        c: &mut Conn<'_>,
        parent: PersonId,
    ) -> Result<&Settings, StoreError> {
        if let Entry::Vacant(e) = self.settings.entry(parent) {
            e.insert(repo::settings_of(c, parent).await?);
        }
        Ok(&self.settings[&parent])
    }

    async fn contacts(
        &mut self,
        c: &mut Conn<'_>,
        parent: PersonId,
    ) -> Result<&[Contact], StoreError> {
        if let Entry::Vacant(e) = self.contacts.entry(parent) {
            e.insert(contacts::contacts_of_parent(c, parent, false).await?);
        }
        Ok(&self.contacts[&parent])
    }

    async fn school(
        &mut self,
        c: &mut Conn<'_>,
        school: SchoolId,
    ) -> Result<(String, TimeZoneName), StoreError> {
        if let Some(s) = self.schools.get(&school) {
            return Ok(s.clone());
        }
        let (name, zone) = repo::school_brief(c, school)
            .await?
            .unwrap_or_else(|| (String::new(), TimeZoneName::MOSCOW.as_str().to_owned()));
        let zone = TimeZoneName::parse(&zone).unwrap_or(TimeZoneName::MOSCOW);
        self.schools.insert(school, (name.clone(), zone.clone()));
        Ok((name, zone))
    }
}

/// Whether a contact may be used now: live, of a kind with a channel, and deliverable (confirmed,
/// or given in the parent's signed document; see [`tabel_domain::contact::deliverable`]).
fn usable(c: &Contact) -> bool {
    c.removed_at.is_none()
        && matches!(c.kind, ContactKind::Email | ContactKind::Phone)
        && deliverable(c.provenance, c.verified_at.is_some())
}

/// The contacts a choice selects among a parent's contacts.
fn choose(all: &[Contact], choice: ChannelChoice, open: Open) -> Vec<&Contact> {
    let ok: Vec<&Contact> = all
        .iter()
        .filter(|c| usable(c) && open.has(channel_of(c)))
        .collect();
    match choice {
        ChannelChoice::Email => ok
            .into_iter()
            .filter(|c| c.kind == ContactKind::Email)
            .collect(),
        ChannelChoice::Sms => ok
            .into_iter()
            .filter(|c| c.kind == ContactKind::Phone)
            .collect(),
        ChannelChoice::Preferred => {
            let preferred: Vec<&Contact> = ok.iter().copied().filter(|c| c.preferred).collect();
            if !preferred.is_empty() {
                return preferred;
            }
            ok.iter()
                .copied()
                .find(|c| c.kind == ContactKind::Email)
                .or_else(|| ok.iter().copied().find(|c| c.kind == ContactKind::Phone))
                .into_iter()
                .collect()
        }
    }
}

/// The channels this deployment can send through: a contact of a channel it lacks is never
/// chosen (a delivery to it could only fail and retry until it is a dead letter).
#[derive(Debug, Clone, Copy)]
struct Open {
    email: bool,
    sms: bool,
}

impl Open {
    fn of(channels: &Channels) -> Open {
        Open {
            email: channels.has_email(),
            sms: channels.has_sms(),
        }
    }

    fn has(self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email,
            Channel::Sms => self.sms,
            Channel::Webhook => true,
        }
    }
}

fn channel_of(c: &Contact) -> Channel {
    match c.kind {
        ContactKind::Phone => Channel::Sms,
        _ => Channel::Email,
    }
}

/// The instant a non-urgent message may go, given the parent's quiet hours in the school's zone.
fn release(
    settings: &Settings,
    zone: &TimeZoneName,
    urgent: bool,
    at: OffsetDateTime,
) -> OffsetDateTime {
    match settings.quiet {
        Some(q) if !urgent => q.release(zone.local(at)).to_offset(time::UtcOffset::UTC),
        _ => at,
    }
}

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
    /// A worker over the application's database with the configured channels.
    pub fn new(app: App, config: NotifyConfig) -> Result<Worker, ConfigError> {
        let channels = Channels::new(&config)?;
        Ok(Worker {
            app,
            channels: Arc::new(channels),
            config: Arc::new(config),
        })
    }

    /// A worker sending through channels built already (shared with the code courier).
    pub fn with_channels(app: App, config: NotifyConfig, channels: Arc<Channels>) -> Worker {
        Worker {
            app,
            channels,
            config: Arc::new(config),
        }
    }

    /// The channels (the code courier shares them).
    pub fn channels(&self) -> Arc<Channels> {
        self.channels.clone()
    }

    /// The settings.
    pub fn config(&self) -> &NotifyConfig {
        &self.config
    }

    fn db(&self) -> &Db {
        self.app.db()
    }

    /// Runs rounds until `stop` completes, pausing `interval` between them. A failed round is
    /// logged and the next one tries again; nothing here ends the process.
    pub async fn run(self, stop: impl std::future::Future<Output = ()> + Send) {
        tokio::pin!(stop);
        tracing::info!(
            email = self.channels.has_email(),
            sms = self.channels.has_sms(),
            interval_ms = u64::try_from(self.config.interval.as_millis()).unwrap_or(u64::MAX),
            "notification worker started"
        );
        loop {
            match self.run_once().await {
                Ok(r) if r != Report::default() => tracing::info!(?r, "notification round"),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "notification round failed; trying again later")
                }
            }
            tokio::select! {
                () = &mut stop => break,
                () = tokio::time::sleep(self.config.interval) => {}
            }
        }
        tracing::info!("notification worker stopped");
    }

    /// One round at the application clock's time ([`App::now`]).
    pub async fn run_once(&self) -> Result<Report, WorkerError> {
        self.run_once_at(self.app.now()).await
    }

    /// One round as if it were `now` (tests pin the clock for quiet hours, digests, retries).
    #[tracing::instrument(skip_all)]
    pub async fn run_once_at(&self, now: OffsetDateTime) -> Result<Report, WorkerError> {
        let mut report = self.fan_out_all(now).await?;
        report += self.digests(now).await?;
        report += self.forecasts(now).await?;
        report += self.send_due(now).await?;
        Ok(report)
    }

    /// The first step of a round alone: every event not handled yet becomes deliveries and
    /// digest lines (benchmarks time the steps apart).
    pub async fn fan_out_all(&self, now: OffsetDateTime) -> Result<Report, WorkerError> {
        let mut report = Report::default();
        loop {
            let r = self.fan_out(now).await?;
            let done = r.events == 0;
            report += r;
            if done {
                return Ok(report);
            }
        }
    }

    /// The last step of a round alone: everything due at `now` is sent (or retried later, or
    /// dead).
    pub async fn send_due(&self, now: OffsetDateTime) -> Result<Report, WorkerError> {
        let mut report = Report::default();
        loop {
            let (claimed, r) = self.deliver(now).await?;
            report += r;
            if claimed == 0 {
                return Ok(report);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Fan-out.

    async fn fan_out(&self, now: OffsetDateTime) -> Result<Report, WorkerError> {
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
        for w in webhooks {
            if Some(w.school.get()) != e.school_id
                || !Topics::parse(&w.topics).is_ok_and(|t| t.matches(&e.topic))
            {
                continue;
            }
            let key = event_key(e.id, Channel::Webhook, Recipient::Webhook(w.id));
            let body = serde_json::json!({
                "delivery": key, "event_id": e.id.to_string(), "topic": e.topic,
                "school_id": e.school_id.map(|s| s.to_string()),
                "created_at": e.created_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
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
                    student: None,
                    contact: None,
                    webhook: Some(w.id),
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
                        Some(s) => repo::subject_name(c, s).await?.unwrap_or_default(),
                        None => String::new(),
                    };
                    let slot = str_of(v, "slot").unwrap_or("");
                    let period = match id_of(v, "period_id") {
                        Some(id) => repo::period_brief(c, id)
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
                    let Some(r) = tabel_store::exams::get_result(c, id).await? else {
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
                        Some(l) => repo::lesson_subject(c, l).await?,
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

    // -----------------------------------------------------------------------------------------
    // Digests and forecasts.

    async fn digests(&self, now: OffsetDateTime) -> Result<Report, WorkerError> {
        let mut report = Report::default();
        let mut after = 0;
        let url = self.config.public_url.trim_end_matches('/').to_owned();
        loop {
            let mut tx = self.db().begin().await?;
            let c = &mut tx.conn();
            let open = repo::open_digests(c, after, 200).await?;
            let Some(last) = open.last() else {
                break;
            };
            after = last.contact.get();
            let mut cache = Cache::default();
            let mut guardians: HashMap<PersonId, Vec<Guardian>> = HashMap::new();
            for d in &open {
                let (_, zone) = cache.school(c, d.school).await?;
                let local = zone.local(now);
                if local.hour() < self.config.digest_hour {
                    continue;
                }
                let key = digest_key(d.contact.get(), local.date());
                if repo::delivery_by_key(c, &key).await?.is_some() {
                    continue; // today's went out; these lines wait for tomorrow's
                }
                let items = repo::open_items(c, d.contact).await?;
                let contact = contacts::get_contact(c, d.contact).await?;
                let mut keep = Vec::new();
                let mut drop = Vec::new();
                for i in items {
                    if let Entry::Vacant(e) = guardians.entry(i.student) {
                        e.insert(repo::guardians_of(c, i.student).await?);
                    }
                    let consents = guardians[&i.student]
                        .iter()
                        .any(|g| g.parent == d.parent && g.consents());
                    if consents && contact.as_ref().is_some_and(usable) {
                        keep.push(i);
                    } else {
                        drop.push(i.id);
                    }
                }
                repo::drop_items(c, &drop).await?;
                let Some(contact) = contact.filter(|_| !keep.is_empty()) else {
                    continue;
                };
                let settings = cache.settings(c, d.parent).await?.clone();
                let lines: Vec<String> = keep.iter().map(|i| i.line.clone()).collect();
                let m = render::digest(local.date(), &lines, &url);
                let channel = channel_of(&contact);
                let body = if channel == Channel::Sms {
                    &m.line
                } else {
                    &m.text
                };
                let made = repo::insert_delivery(
                    c,
                    &NewDelivery {
                        school: Some(d.school),
                        key: &key,
                        event: None,
                        kind: "digest",
                        channel,
                        parent: Some(d.parent),
                        student: None,
                        contact: Some(contact.id),
                        webhook: None,
                        address: &contact.value,
                        subject: &m.subject,
                        body,
                        urgent: false,
                        due: release(&settings, &zone, false, now),
                        at: now,
                    },
                )
                .await?;
                if let Some(id) = made {
                    let ids: Vec<i64> = keep.iter().map(|i| i.id).collect();
                    repo::attach_items(c, &ids, id).await?;
                    report.created += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(report)
    }

    async fn forecasts(&self, now: OffsetDateTime) -> Result<Report, WorkerError> {
        let mut report = Report::default();
        let Some(weekday) = self.config.forecast_weekday else {
            return Ok(report);
        };
        let url = self.config.public_url.trim_end_matches('/').to_owned();
        let schools = {
            let mut c = self.db().acquire().await?;
            tabel_store::school::list_schools(&mut c.conn()).await?
        };
        for school in schools {
            let zone = TimeZoneName::parse(&school.time_zone).unwrap_or(TimeZoneName::MOSCOW);
            let local = zone.local(now);
            let monday = week_start(local.date());
            if local.weekday().number_days_from_monday() < weekday.number_days_from_monday()
                || local.hour() < self.config.digest_hour
            {
                continue;
            }
            let run = format!("forecast:{}:{monday}", school.id);
            let (pairs, done) = {
                let mut c = self.db().acquire().await?;
                let c = &mut c.conn();
                if repo::run_done(c, &run).await? {
                    (Vec::new(), true)
                } else {
                    (repo::consenting_pairs(c, school.id).await?, false)
                }
            };
            if done {
                continue;
            }
            // Read first (the forecasts use their own connections), then write in one go.
            let mut planned = Vec::new();
            let mut cache = Cache::default();
            let mut forecasts: HashMap<PersonId, Option<Message>> = HashMap::new();
            {
                let mut conn = self.db().acquire().await?;
                let c = &mut conn.conn();
                let open = Open::of(&self.channels);
                for pair in &pairs {
                    let settings = cache.settings(c, pair.parent).await?.clone();
                    let setting = settings.for_kind(EventKind::Forecast);
                    if setting.mode != Mode::Weekly {
                        continue;
                    }
                    let chosen: Vec<Contact> =
                        choose(cache.contacts(c, pair.parent).await?, setting.channel, open)
                            .into_iter()
                            .cloned()
                            .collect();
                    for contact in chosen {
                        let key = forecast_key(pair.student.get(), contact.id.get(), monday);
                        if repo::delivery_by_key(c, &key).await?.is_some() {
                            continue;
                        }
                        if let Entry::Vacant(slot) = forecasts.entry(pair.student) {
                            let m = match repo::pupil_brief(c, pair.student).await? {
                                Some(p) => {
                                    let f = self
                                        .app
                                        .forecast_for_family(pair.parent, pair.student, school.id)
                                        .await?;
                                    render::forecast((&p.name, &school.short_name), &f, &url)
                                }
                                None => None,
                            };
                            slot.insert(m);
                        }
                        if let Some(m) = &forecasts[&pair.student] {
                            planned.push((key, *pair, contact, m.clone(), settings.clone()));
                        }
                    }
                }
            }
            let mut tx = self.db().begin().await?;
            let c = &mut tx.conn();
            for (key, pair, contact, m, settings) in &planned {
                let channel = channel_of(contact);
                let body = if channel == Channel::Sms {
                    &m.line
                } else {
                    &m.text
                };
                let made = repo::insert_delivery(
                    c,
                    &NewDelivery {
                        school: Some(school.id),
                        key,
                        event: None,
                        kind: EventKind::Forecast.code(),
                        channel,
                        parent: Some(pair.parent),
                        student: Some(pair.student),
                        contact: Some(contact.id),
                        webhook: None,
                        address: &contact.value,
                        subject: &m.subject,
                        body,
                        urgent: false,
                        due: release(settings, &zone, false, now),
                        at: now,
                    },
                )
                .await?;
                report.created += usize::from(made.is_some());
            }
            repo::mark_run(c, &run, now).await?;
            tx.commit().await?;
        }
        Ok(report)
    }

    // -----------------------------------------------------------------------------------------
    // Delivery.

    /// Claims a batch of due deliveries and sends them; how many were claimed.
    async fn deliver(&self, now: OffsetDateTime) -> Result<(usize, Report), WorkerError> {
        let mut report = Report::default();
        let lease = Duration::try_from(self.config.lease).unwrap_or(Duration::minutes(2));
        let limit = i64::try_from(self.config.batch.max(1)).unwrap_or(500);
        let claimed = {
            let mut tx = self.db().begin().await?;
            let list = repo::claim_due(&mut tx.conn(), now, now + lease, limit).await?;
            tx.commit().await?;
            list
        };
        let n = claimed.len();
        if n == 0 {
            return Ok((0, report));
        }
        // Look again, just before sending: a consent withdrawn, a contact removed or a
        // subscription ended since the delivery was made stops it.
        let mut ready = Vec::new();
        {
            let mut conn = self.db().acquire().await?;
            let c = &mut conn.conn();
            let mut guardians: HashMap<PersonId, Vec<Guardian>> = HashMap::new();
            let mut hooks: HashMap<i64, Option<Webhook>> = HashMap::new();
            for d in claimed {
                match self
                    .check_still_wanted(c, &d, &mut guardians, &mut hooks)
                    .await?
                {
                    Ok(secret) => ready.push((d, secret)),
                    Err(why) => {
                        let mut tx = self.db().begin().await?;
                        repo::mark_cancelled(&mut tx.conn(), d.id, why, now).await?;
                        tx.commit().await?;
                        report.cancelled += 1;
                    }
                }
            }
        }
        let permits = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for (d, secret) in ready {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                break;
            };
            let worker = self.clone();
            tasks.spawn(async move {
                let outcome = worker.send_one(&d, secret.as_deref(), now).await;
                drop(permit);
                outcome
            });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(Ok(r)) => report += r,
                Ok(Err(e)) => return Err(e),
                Err(e) => tracing::error!(error = %e, "a delivery task failed"),
            }
        }
        Ok((n, report))
    }

    /// `Ok(webhook secret)` when the delivery may still go; `Err(why)` otherwise.
    async fn check_still_wanted(
        &self,
        c: &mut Conn<'_>,
        d: &Delivery,
        guardians: &mut HashMap<PersonId, Vec<Guardian>>,
        hooks: &mut HashMap<i64, Option<Webhook>>,
    ) -> Result<Result<Option<String>, &'static str>, WorkerError> {
        if let Some(w) = d.webhook {
            if let Entry::Vacant(e) = hooks.entry(w) {
                e.insert(repo::get_webhook(c, w).await?);
            }
            return Ok(match &hooks[&w] {
                Some(h) if h.removed_at.is_none() => Ok(Some(h.secret.clone())),
                _ => Err("the webhook subscription was removed"),
            });
        }
        if let (Some(parent), Some(student)) = (d.parent, d.student) {
            if let Entry::Vacant(e) = guardians.entry(student) {
                e.insert(repo::guardians_of(c, student).await?);
            }
            if !guardians[&student]
                .iter()
                .any(|g| g.parent == parent && g.consents())
            {
                return Ok(Err(
                    "the consent to electronic delivery is no longer in force",
                ));
            }
        }
        if let Some(contact) = d.contact {
            let live = contacts::get_contact(c, contact)
                .await?
                .is_some_and(|k| usable(&k) && k.value == d.address);
            if !live {
                return Ok(Err("the contact was removed or changed"));
            }
        }
        Ok(Ok(None))
    }

    /// Sends one claimed delivery and records the outcome at once.
    async fn send_one(
        &self,
        d: &Delivery,
        secret: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Report, WorkerError> {
        let mut report = Report::default();
        let result = self
            .channels
            .send(&Outgoing {
                channel: d.channel,
                address: &d.address,
                subject: &d.subject,
                body: &d.body,
                key: &d.key,
                secret,
            })
            .await;
        let at = self.app.now().max(now);
        let mut tx = self.db().begin().await?;
        let c = &mut tx.conn();
        match result {
            Ok(()) => {
                repo::mark_sent(c, d.id, at).await?;
                report.sent += 1;
            }
            Err(e) => {
                let failures = d.attempts + 1;
                let retry = match self
                    .config
                    .backoff
                    .after(u32::try_from(failures).unwrap_or(u32::MAX))
                {
                    Some(wait) => Retry::At(now + wait),
                    None => Retry::Dead,
                };
                let message = e.to_string();
                repo::mark_failed(c, (d.id, failures), &message, retry, at).await?;
                match retry {
                    Retry::Dead => {
                        tracing::warn!(delivery = d.id, channel = %d.channel, error = %message, "delivery failed for good: on the dead-letter list");
                        report.dead += 1;
                    }
                    Retry::At(_) => {
                        tracing::info!(delivery = d.id, channel = %d.channel, attempt = failures, error = %message, "delivery failed; will retry");
                        report.retried += 1;
                    }
                }
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Counts of deliveries by state (for the CLI and `/metrics`).
    pub async fn counts(&self) -> Result<Vec<(DeliveryState, i64)>, WorkerError> {
        let mut c = self.db().acquire().await?;
        let c = &mut c.conn();
        Ok(repo::count_by_state(c).await?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tabel_domain::ContactId;
    use tabel_domain::contact::{Network, Provenance};
    use tabel_domain::notify::QuietHours;

    fn contact(id: i64, kind: ContactKind, verified: bool, preferred: bool) -> Contact {
        Contact {
            id: ContactId::new(id),
            school: SchoolId::new(1),
            parent: PersonId::new(1),
            kind,
            network: (kind == ContactKind::Messenger).then_some(Network::Telegram),
            value: format!("v{id}"),
            provenance: Provenance::Cabinet,
            basis: String::new(),
            preferred,
            entered_by: None,
            entered_by_name: None,
            entered_at: OffsetDateTime::UNIX_EPOCH,
            verified_at: verified.then_some(OffsetDateTime::UNIX_EPOCH),
            removed_at: None,
            removed_by: None,
            code: None,
        }
    }

    #[test]
    fn only_deliverable_contacts_are_chosen() {
        let all = vec![
            contact(1, ContactKind::Email, false, false),
            contact(2, ContactKind::Phone, true, false),
            contact(3, ContactKind::Email, true, false),
            contact(4, ContactKind::Messenger, true, true),
        ];
        let ids = |v: Vec<&Contact>| v.iter().map(|c| c.id.get()).collect::<Vec<_>>();
        let both = Open {
            email: true,
            sms: true,
        };
        // The messenger is preferred but has no channel: the first e-mail that works is used.
        assert_eq!(ids(choose(&all, ChannelChoice::Preferred, both)), [3]);
        assert_eq!(ids(choose(&all, ChannelChoice::Email, both)), [3]);
        assert_eq!(ids(choose(&all, ChannelChoice::Sms, both)), [2]);
        let mut with_pref = all.clone();
        with_pref[1].preferred = true;
        assert_eq!(ids(choose(&with_pref, ChannelChoice::Preferred, both)), [2]);
        let unverified = vec![contact(1, ContactKind::Email, false, true)];
        assert!(choose(&unverified, ChannelChoice::Preferred, both).is_empty());
        // A deployment without an SMS gateway: the preferred phone gives way to the e-mail,
        // and one asking for SMS gets nothing rather than a delivery that cannot go.
        let mail_only = Open {
            email: true,
            sms: false,
        };
        assert_eq!(
            ids(choose(&with_pref, ChannelChoice::Preferred, mail_only)),
            [3]
        );
        assert!(choose(&all, ChannelChoice::Sms, mail_only).is_empty());
        let none = Open {
            email: false,
            sms: false,
        };
        assert!(choose(&all, ChannelChoice::Preferred, none).is_empty());
    }

    #[test]
    fn quiet_hours_hold_only_what_is_not_urgent() {
        let settings = Settings {
            quiet: Some(QuietHours::parse("21:00", "08:00").unwrap()),
            ..Settings::default()
        };
        let msk = TimeZoneName::MOSCOW;
        let at = time::macros::datetime!(2026-11-28 20:00 UTC); // 23:00 in Moscow
        assert_eq!(release(&settings, &msk, true, at), at);
        assert_eq!(
            release(&settings, &msk, false, at),
            time::macros::datetime!(2026-11-29 05:00 UTC)
        );
        assert_eq!(release(&Settings::default(), &msk, false, at), at);
    }
}
