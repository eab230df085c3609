//! The daily digests of the day's lines and the weekly forecasts.

use super::recipients::{Cache, Open, channel_of, choose, release, usable};
use super::{Report, Worker, WorkerError};
use crate::render::{self, Message};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use tabel_domain::PersonId;
use tabel_domain::calendar::TimeZoneName;
use tabel_domain::notify::{Channel, EventKind, Mode, digest_key, forecast_key, week_start};
use tabel_store::contact::{self as contacts, Contact};
use tabel_store::delivery::{self as repo, Guardian, NewDelivery};
use time::OffsetDateTime;

impl Worker {
    pub(super) async fn digests(&self, now: OffsetDateTime) -> Result<Report, WorkerError> {
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

    pub(super) async fn forecasts(&self, now: OffsetDateTime) -> Result<Report, WorkerError> {
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
}
