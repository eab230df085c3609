//! Notifying families (regulation points 4, 6 and 7): which events a legal representative hears
//! about, through which channel, at once or in a daily digest, and when not (quiet hours); how a
//! delivery is retried (exponential backoff, then the dead-letter list); the keys that make a
//! delivery happen once per event, recipient and channel; the shapes of webhook subscriptions.
//!
//! Final and exam results are urgent (point 6: within a day): they are never held by quiet
//! hours. Everything else waits for the quiet hours to end.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Duration, OffsetDateTime, Time};

use crate::code::coded_enum;
use crate::{ContactId, PersonId};
use crate::{SchoolId, WebhookId};
use std::collections::BTreeMap;

coded_enum!(
    /// What a family may hear about: a group of outbox topics with one setting.
    EventKind {
        /// A final mark published (`final.published`).
        Final = "final",
        /// An exam result published (`exam.result_published`).
        Exam = "exam",
        /// A mark recorded or changed (`mark.recorded`, `mark.changed`).
        Mark = "mark",
        /// Homework set for a lesson (`homework.published`).
        Homework = "homework",
        /// The weekly forecast of the period's final marks, per child (point 4).
        Forecast = "forecast",
    }
);

coded_enum!(
    /// When a family hears about an event.
    Mode {
        /// As soon as the worker sees it (quiet hours permitting, unless urgent).
        Immediate = "immediate",
        /// Collected into one message a day.
        Daily = "daily",
        /// Once a week (the forecast).
        Weekly = "weekly",
        /// Not at all (the diary still shows it).
        Off = "off",
    }
);

coded_enum!(
    /// Which of the parent's contacts an event goes to.
    ChannelChoice {
        /// The contacts the parent marked preferred; with none marked, the first e-mail address,
        /// else the first phone.
        Preferred = "preferred",
        /// Every deliverable e-mail address.
        Email = "email",
        /// Every deliverable phone, by SMS.
        Sms = "sms",
    }
);

coded_enum!(
    /// The way a message leaves.
    Channel {
        /// E-mail over SMTP.
        Email = "email",
        /// SMS through the configured HTTP gateway.
        Sms = "sms",
        /// A signed JSON POST to a service's URL.
        Webhook = "webhook",
    }
);

coded_enum!(
    /// Where a delivery stands.
    DeliveryState {
        /// Waiting for its time (first try or a retry).
        Pending = "pending",
        /// Claimed by a worker, which holds it until its lease runs out.
        Sending = "sending",
        /// Accepted by the server or gateway.
        Sent = "sent",
        /// Out of attempts: on the dead-letter list, with the last error, until re-sent.
        Dead = "dead",
        /// Not sent, and never to be: the consent was withdrawn or the contact removed or the
        /// subscription ended before its time came.
        Cancelled = "cancelled",
    }
);

impl EventKind {
    /// The kind an outbox topic belongs to, if families hear about it.
    pub fn from_topic(topic: &str) -> Option<EventKind> {
        match topic {
            "final.published" => Some(EventKind::Final),
            "exam.result_published" => Some(EventKind::Exam),
            "mark.recorded" | "mark.changed" => Some(EventKind::Mark),
            "homework.published" => Some(EventKind::Homework),
            _ => None,
        }
    }

    /// Results the family must have within a day (point 6): not held by quiet hours.
    pub fn urgent(self) -> bool {
        matches!(self, EventKind::Final | EventKind::Exam)
    }

    /// The modes a parent may choose for this kind.
    pub fn modes(self) -> &'static [Mode] {
        match self {
            EventKind::Forecast => &[Mode::Weekly, Mode::Off],
            _ => &[Mode::Immediate, Mode::Daily, Mode::Off],
        }
    }

    /// The setting in force when the parent chose nothing: results at once, marks and homework
    /// in the evening digest, the forecast weekly; to the preferred contacts.
    pub fn default_setting(self) -> EventSetting {
        let mode = match self {
            EventKind::Final | EventKind::Exam => Mode::Immediate,
            EventKind::Mark | EventKind::Homework => Mode::Daily,
            EventKind::Forecast => Mode::Weekly,
        };
        EventSetting {
            channel: ChannelChoice::Preferred,
            mode,
        }
    }
}

/// A parent's choice for one kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSetting {
    /// Which contacts.
    pub channel: ChannelChoice,
    /// When.
    pub mode: Mode,
}

/// A setting or subscription that breaks a rule: the field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct NotifyError {
    /// The field.
    pub field: String,
    /// Why.
    pub message: String,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> NotifyError {
    NotifyError {
        field: field.into(),
        message: message.into(),
    }
}

/// Checks a setting against its kind (the forecast is weekly or off; the others are immediate,
/// daily or off).
pub fn check_setting(kind: EventKind, s: EventSetting) -> Result<EventSetting, NotifyError> {
    if kind.modes().contains(&s.mode) {
        Ok(s)
    } else {
        let allowed: Vec<&str> = kind.modes().iter().map(|m| m.code()).collect();
        Err(err(
            format!("{}.mode", kind.code()),
            format!("use one of: {}", allowed.join(", ")),
        ))
    }
}

/// Quiet hours in the school's local time: from `from` until `to`, across midnight when `to`
/// is earlier (22:00–07:00). Minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    from: u16,
    to: u16,
}

const DAY_MINUTES: u16 = 24 * 60;

/// Parses `HH:MM`.
pub fn parse_clock(raw: &str) -> Option<u16> {
    let (h, m) = raw.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Formats minutes after midnight as `HH:MM`.
pub fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl QuietHours {
    /// Quiet hours from two `HH:MM` clocks; equal clocks are refused (all day or never?).
    pub fn parse(from: &str, to: &str) -> Result<QuietHours, NotifyError> {
        let f = parse_clock(from).ok_or_else(|| err("quiet_from", "use HH:MM, e.g. 22:00"))?;
        let t = parse_clock(to).ok_or_else(|| err("quiet_to", "use HH:MM, e.g. 07:00"))?;
        QuietHours::from_minutes(f, t)
    }

    /// Quiet hours from minutes after midnight.
    pub fn from_minutes(from: u16, to: u16) -> Result<QuietHours, NotifyError> {
        if from >= DAY_MINUTES || to >= DAY_MINUTES {
            return Err(err("quiet_from", "a time of day is 00:00 to 23:59"));
        }
        if from == to {
            return Err(err("quiet_to", "the quiet hours must end at another time"));
        }
        Ok(QuietHours { from, to })
    }

    /// Start, minutes after midnight.
    pub fn from(self) -> u16 {
        self.from
    }

    /// End, minutes after midnight.
    pub fn to(self) -> u16 {
        self.to
    }

    /// Whether a local minute of the day falls inside.
    pub fn contains(self, minute: u16) -> bool {
        if self.from < self.to {
            (self.from..self.to).contains(&minute)
        } else {
            minute >= self.from || minute < self.to
        }
    }

    /// The first instant at or after `at` outside the quiet hours, with `at` given in the
    /// school's local offset (see [`crate::calendar::TimeZoneName::local`]).
    pub fn release(self, at: OffsetDateTime) -> OffsetDateTime {
        let minute = u16::from(at.hour()) * 60 + u16::from(at.minute());
        if !self.contains(minute) {
            return at;
        }
        let end = Time::from_hms(
            u8::try_from(self.to / 60).unwrap_or(0),
            u8::try_from(self.to % 60).unwrap_or(0),
            0,
        )
        .unwrap_or(Time::MIDNIGHT);
        let mut day = at.date();
        if minute >= self.to {
            // Inside the evening part of quiet hours that run past midnight.
            day = day.next_day().unwrap_or(day);
        }
        at.replace_date(day).replace_time(end)
    }

    /// "22:00–07:00".
    pub fn label(self) -> String {
        format!("{}–{}", clock(self.from), clock(self.to))
    }
}

/// How failed deliveries are retried: the n-th failure waits `base · 2^(n-1)`, at most `cap`;
/// after `max_attempts` failures the delivery is dead (the dead-letter list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Wait after the first failure.
    pub base: Duration,
    /// Longest wait.
    pub cap: Duration,
    /// Failures before the dead-letter list.
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// 30 s, 1, 2, 4, 8, 16, 32 min, 1 h: about two hours of trying.
    fn default() -> Self {
        Backoff {
            base: Duration::seconds(30),
            cap: Duration::hours(1),
            max_attempts: 8,
        }
    }
}

impl Backoff {
    /// What to do after `failures` failures (counting the one just now): retry after a wait,
    /// or give up.
    pub fn after(self, failures: u32) -> Option<Duration> {
        if failures >= self.max_attempts {
            return None;
        }
        let shift = failures.saturating_sub(1).min(30);
        let wait = self.base.saturating_mul(1_i32 << shift);
        Some(if wait > self.cap { self.cap } else { wait })
    }
}

/// The idempotency key of an event's delivery to a contact or a webhook: one per event,
/// recipient and channel, so that a restarted worker never makes a second one.
pub fn event_key(event: i64, channel: Channel, recipient: Recipient) -> String {
    format!("e{event}:{}:{recipient}", channel.code())
}

/// The key of a parent's daily digest to one contact for a local date.
pub fn digest_key(contact: i64, on: Date) -> String {
    format!("digest:{on}:c{contact}")
}

/// The key of a child's weekly forecast to one contact, for the week starting `monday`.
pub fn forecast_key(student: i64, contact: i64, monday: Date) -> String {
    format!("forecast:{monday}:s{student}:c{contact}")
}

/// The Monday of the ISO week holding `d`.
pub fn week_start(d: Date) -> Date {
    let back = i64::from(d.weekday().number_days_from_monday());
    d - Duration::days(back)
}

/// Who a delivery goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// A parent's contact.
    Contact(i64),
    /// A webhook subscription.
    Webhook(i64),
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Contact(id) => write!(f, "c{id}"),
            Recipient::Webhook(id) => write!(f, "w{id}"),
        }
    }
}

/// A webhook's URL: `http://` or `https://`, a host, no spaces, at most 2,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// Parses a URL.
    pub fn parse(raw: &str) -> Result<WebhookUrl, NotifyError> {
        let url = raw.trim();
        let bad = || {
            err(
                "url",
                "use an http:// or https:// address, e.g. https://example.org/hook",
            )
        };
        if url.len() > 2000 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(bad)?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || host.contains('@') {
            return Err(bad());
        }
        Ok(WebhookUrl(url.to_owned()))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<WebhookUrl> for String {
    fn from(v: WebhookUrl) -> String {
        v.0
    }
}

/// The topics a webhook receives: `*` for every outbox topic, or a list like
/// `final.published exam.result_published`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Topics(Vec<String>);

impl Topics {
    /// Parses topics separated by spaces or commas.
    pub fn parse(raw: &str) -> Result<Topics, NotifyError> {
        let list: Vec<String> = raw
            .split([' ', ',', '\n', '\t'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if list.is_empty() {
            return Err(err("topics", "name at least one topic, or * for all"));
        }
        if list.len() > 50 {
            return Err(err("topics", "at most 50 topics"));
        }
        for t in &list {
            let ok = t == "*"
                || (t.len() <= 64
                    && t.contains('.')
                    && t.chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'));
            if !ok {
                return Err(err(
                    "topics",
                    format!("{t:?} is not a topic such as final.published"),
                ));
            }
        }
        Ok(Topics(list))
    }

    /// Whether an outbox topic is among them.
    pub fn matches(&self, topic: &str) -> bool {
        self.0.iter().any(|t| t == "*" || t == topic)
    }

    /// As stored: separated by single spaces.
    pub fn stored(&self) -> String {
        self.0.join(" ")
    }

    /// The list.
    pub fn list(&self) -> &[String] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    #[test]
    fn topics_map_to_kinds_and_results_are_urgent() {
        assert_eq!(
            EventKind::from_topic("final.published"),
            Some(EventKind::Final)
        );
        assert_eq!(EventKind::from_topic("mark.changed"), Some(EventKind::Mark));
        assert_eq!(EventKind::from_topic("user.created"), None);
        assert!(EventKind::Final.urgent() && EventKind::Exam.urgent());
        assert!(!EventKind::Mark.urgent() && !EventKind::Forecast.urgent());
        for k in EventKind::ALL {
            assert_eq!(EventKind::from_code(k.code()).unwrap(), *k);
            assert!(check_setting(*k, k.default_setting()).is_ok());
        }
        let weekly_final = EventSetting {
            channel: ChannelChoice::Email,
            mode: Mode::Weekly,
        };
        assert_eq!(
            check_setting(EventKind::Final, weekly_final)
                .unwrap_err()
                .field,
            "final.mode"
        );
    }

    #[test]
    fn quiet_hours_across_midnight_release_in_the_morning() {
        let q = QuietHours::parse("22:00", "07:30").unwrap();
        assert!(q.contains(22 * 60) && q.contains(3 * 60) && !q.contains(7 * 60 + 30));
        let msk = time::UtcOffset::from_hms(3, 0, 0).unwrap();
        let late = datetime!(2026-11-28 23:15 +3);
        assert_eq!(q.release(late), datetime!(2026-11-29 07:30 +3));
        let early = datetime!(2026-11-29 05:00 +3);
        assert_eq!(q.release(early), datetime!(2026-11-29 07:30 +3));
        let day = datetime!(2026-11-28 12:00 UTC).to_offset(msk);
        assert_eq!(q.release(day), day);
        let lunch = QuietHours::parse("13:00", "14:00").unwrap();
        assert_eq!(
            lunch.release(datetime!(2026-11-28 13:20 +3)),
            datetime!(2026-11-28 14:00 +3)
        );
        assert!(QuietHours::parse("25:00", "07:00").is_err());
        assert!(QuietHours::parse("7:00", "7:00").is_err());
        assert!(QuietHours::parse("7", "8:00").is_err());
        assert_eq!(q.label(), "22:00–07:30");
    }

    #[test]
    fn backoff_doubles_to_its_cap_then_gives_up() {
        let b = Backoff::default();
        assert_eq!(b.after(1), Some(Duration::seconds(30)));
        assert_eq!(b.after(2), Some(Duration::minutes(1)));
        assert_eq!(b.after(7), Some(Duration::minutes(32)));
        assert_eq!(b.after(8), None);
        let capped = Backoff {
            max_attempts: 100,
            ..b
        };
        assert_eq!(capped.after(60), Some(Duration::hours(1)));
    }

    #[test]
    fn keys_name_event_channel_and_recipient() {
        assert_eq!(
            event_key(42, Channel::Email, Recipient::Contact(7)),
            "e42:email:c7"
        );
        assert_eq!(
            event_key(42, Channel::Webhook, Recipient::Webhook(3)),
            "e42:webhook:w3"
        );
        assert_eq!(digest_key(7, date!(2026 - 11 - 28)), "digest:2026-11-28:c7");
        assert_eq!(week_start(date!(2026 - 11 - 28)), date!(2026 - 11 - 23));
        assert_eq!(week_start(date!(2026 - 11 - 23)), date!(2026 - 11 - 23));
    }

    #[test]
    fn webhook_urls_and_topics_are_checked() {
        assert!(WebhookUrl::parse("https://example.org/hook?x=1").is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/").is_ok());
        for bad in [
            "ftp://x",
            "https://",
            "https://a b",
            "javascript:alert(1)",
            "https://u:p@h/",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
        let t = Topics::parse("final.published, exam.result_published").unwrap();
        assert!(t.matches("final.published") && !t.matches("mark.recorded"));
        assert_eq!(t.stored(), "final.published exam.result_published");
        assert!(Topics::parse("*").unwrap().matches("anything.else"));
        assert!(Topics::parse("").is_err());
        assert!(Topics::parse("DROP TABLE").is_err());
    }

    proptest! {
        #[test]
        fn a_release_is_never_earlier_and_never_quiet(
            from in 0u16..1440, to in 0u16..1440, minute in 0i64..(3 * 1440),
        ) {
            prop_assume!(from != to);
            let q = QuietHours::from_minutes(from, to).unwrap();
            let at = datetime!(2026-11-27 00:00 +3) + Duration::minutes(minute);
            let out = q.release(at);
            prop_assert!(out >= at);
            prop_assert!(out - at <= Duration::hours(24));
            let m = u16::from(out.hour()) * 60 + u16::from(out.minute());
            prop_assert!(!q.contains(m));
        }

        #[test]
        fn backoff_never_shrinks(n in 1u32..40) {
            let b = Backoff { max_attempts: 100, ..Backoff::default() };
            prop_assert!(b.after(n + 1).unwrap() >= b.after(n).unwrap());
        }
    }
}

/// A webhook subscription. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Webhook {
    /// Id.
    pub id: WebhookId,
    /// The school whose events it receives.
    pub school: SchoolId,
    /// Where to POST.
    pub url: String,
    /// The HMAC key.
    #[serde(skip)]
    pub secret: String,
    /// Outbox topics, separated by spaces (`*` for all).
    pub topics: String,
    /// What it is for.
    pub description: String,
    /// When made.
    pub created_at: OffsetDateTime,
    /// When removed.
    pub removed_at: Option<OffsetDateTime>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("school", &self.school)
            .field("url", &self.url)
            .field("secret", &"***")
            .field("topics", &self.topics)
            .finish_non_exhaustive()
    }
}

/// A stored delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Id.
    pub id: i64,
    /// School.
    pub school: Option<SchoolId>,
    /// The idempotency key.
    pub key: String,
    /// The outbox event.
    pub event: Option<i64>,
    /// What it is about.
    pub kind: String,
    /// How it leaves.
    pub channel: Channel,
    /// The parent.
    pub parent: Option<PersonId>,
    /// The pupil.
    pub student: Option<PersonId>,
    /// The contact.
    pub contact: Option<ContactId>,
    /// The subscription.
    pub webhook: Option<i64>,
    /// Where to.
    pub address: String,
    /// Subject.
    pub subject: String,
    /// Text or JSON.
    pub body: String,
    /// Not held by quiet hours.
    pub urgent: bool,
    /// Where it stands.
    pub state: DeliveryState,
    /// Failed tries so far.
    pub attempts: i64,
    /// When it is (or was) due.
    pub due_at: OffsetDateTime,
    /// The last error.
    pub last_error: Option<String>,
    /// When made.
    pub created_at: OffsetDateTime,
    /// When accepted.
    pub sent_at: Option<OffsetDateTime>,
    /// When given up.
    pub dead_at: Option<OffsetDateTime>,
    /// When an administrator sent it again.
    pub resent_at: Option<OffsetDateTime>,
}

/// A parent's notification settings: quiet hours and a choice per kind of event (kinds left
/// out have their defaults).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    /// Quiet hours, school-local.
    pub quiet: Option<QuietHours>,
    /// Choices made.
    pub events: BTreeMap<EventKind, EventSetting>,
    /// When last saved.
    pub updated_at: Option<OffsetDateTime>,
}

impl Settings {
    /// The setting in force for a kind: the parent's choice or the default.
    pub fn for_kind(&self, kind: EventKind) -> EventSetting {
        self.events
            .get(&kind)
            .copied()
            .unwrap_or_else(|| kind.default_setting())
    }
}
