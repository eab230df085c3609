//! Who hears and how: facts cached within a batch, the contacts a parent's choice selects among
//! the channels this deployment has open, and the instant quiet hours release a message.

use crate::channel::Channels;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use tabel_domain::calendar::TimeZoneName;
use tabel_domain::contact::{ContactKind, deliverable};
use tabel_domain::notify::{Channel, ChannelChoice};
use tabel_domain::{PersonId, SchoolId};
use tabel_store::contact::{self as contacts, Contact};
use tabel_store::delivery::{self as repo, Settings};
use tabel_store::{Conn, StoreError};
use time::OffsetDateTime;

/// Facts reused within a batch.
#[derive(Default)]
pub(super) struct Cache {
    settings: HashMap<PersonId, Settings>,
    contacts: HashMap<PersonId, Vec<Contact>>,
    schools: HashMap<SchoolId, (String, TimeZoneName)>,
}

impl Cache {
    pub(super) async fn settings(
        &mut self,
        c: &mut Conn<'_>,
        parent: PersonId,
    ) -> Result<&Settings, StoreError> {
        if let Entry::Vacant(e) = self.settings.entry(parent) {
            e.insert(repo::settings_of(c, parent).await?);
        }
        Ok(&self.settings[&parent])
    }

    pub(super) async fn contacts(
        &mut self,
        c: &mut Conn<'_>,
        parent: PersonId,
    ) -> Result<&[Contact], StoreError> {
        if let Entry::Vacant(e) = self.contacts.entry(parent) {
            e.insert(contacts::contacts_of_parent(c, parent, false).await?);
        }
        Ok(&self.contacts[&parent])
    }

    pub(super) async fn school(
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
pub(super) fn usable(c: &Contact) -> bool {
    c.removed_at.is_none()
        && matches!(c.kind, ContactKind::Email | ContactKind::Phone)
        && deliverable(c.provenance, c.verified_at.is_some())
}

/// The contacts a choice selects among a parent's contacts.
pub(super) fn choose(all: &[Contact], choice: ChannelChoice, open: Open) -> Vec<&Contact> {
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
pub(super) struct Open {
    email: bool,
    sms: bool,
}

impl Open {
    pub(super) fn of(channels: &Channels) -> Open {
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

pub(super) fn channel_of(c: &Contact) -> Channel {
    match c.kind {
        ContactKind::Phone => Channel::Sms,
        _ => Channel::Email,
    }
}

/// The instant a non-urgent message may go, given the parent's quiet hours in the school's zone.
pub(super) fn release(
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
