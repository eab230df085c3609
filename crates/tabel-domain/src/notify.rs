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
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
        /// An absence note accepted or rejected by the class teacher (`absence_note.decided`).
        Note = "absence_note",
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
            "absence_note.decided" => Some(EventKind::Note),
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
            EventKind::Final | EventKind::Exam | EventKind::Note => Mode::Immediate,
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

/// Which webhook URLs a deployment accepts. Webhooks leave from inside the school's network, so
/// by default only `https://` to a public address: never loopback, private, link-local (the
/// cloud's metadata service at 169.254.169.254), shared (CGNAT), documentation, multicast or
/// reserved addresses, nor IPv6 forms of them. The operator may list hosts reached over plain
/// `http://`; a listed host may also be a non-public address (a receiver on the same machine or
/// network, as in the tests). The list is explicit: nothing else loosens the rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookRules {
    allow_http_hosts: Vec<String>,
}

impl WebhookRules {
    /// Rules allowing plain http (and a non-public address) for these hosts: names or
    /// addresses as a URL spells them (`127.0.0.1`, `hooks.lan`, `::1`), compared without case.
    pub fn allowing_http(hosts: impl IntoIterator<Item = impl AsRef<str>>) -> WebhookRules {
        WebhookRules {
            allow_http_hosts: hosts
                .into_iter()
                .map(|h| bare_host(h.as_ref().trim()).to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        }
    }

    /// The hosts listed.
    pub fn http_hosts(&self) -> &[String] {
        &self.allow_http_hosts
    }

    /// Whether a host (a name or an address as the URL spells it) is listed.
    pub fn is_listed(&self, host: &str) -> bool {
        let host = bare_host(host);
        self.allow_http_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Whether a webhook to `host` may connect to `ip`: a public address, or any address of a
    /// listed host.
    pub fn may_connect(&self, host: &str, ip: IpAddr) -> bool {
        is_public_address(ip) || self.is_listed(host)
    }
}

/// `[::1]` as `::1`: the brackets of an IPv6 literal in a URL.
fn bare_host(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// Whether an address is reachable on the public internet: not loopback, private (RFC 1918),
/// shared (100.64/10), link-local, "this network" (0/8), IETF protocol assignments, benchmarking,
/// documentation, multicast, reserved or broadcast; for IPv6 only global unicast (2000::/3)
/// outside documentation and IETF ranges, with IPv4-mapped and -compatible addresses refused
/// and the IPv4 address inside NAT64 and 6to4 addresses checked as IPv4.
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 0 && c == 2)
        || (a == 192 && b == 88 && c == 99)
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || a >= 224)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        is_public_v4(Ipv4Addr::new(a, b, c, d))
    };
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that decides.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return embedded(s[6], s[7]);
    }
    if s[0] == 0x2002 {
        return embedded(s[1], s[2]);
    }
    // Global unicast only; this also refuses ::, ::1, IPv4-mapped (::ffff:0:0/96) and
    // -compatible (::/96) addresses, 100::/64, unique-local fc00::/7, link-local fe80::/10,
    // site-local fec0::/10 and multicast ff00::/8.
    (s[0] & 0xe000) == 0x2000
        // IETF protocol assignments (Teredo, benchmarking, ORCHID): 2001::/23.
        && !(s[0] == 0x2001 && s[1] < 0x0200)
        // Documentation: 2001:db8::/32 and 3fff::/20.
        && !(s[0] == 0x2001 && s[1] == 0x0db8)
        && (s[0] & 0xfff0) != 0x3ff0
}

/// A webhook's URL: `https://` (or `http://` to a host the [`WebhookRules`] list), a host and no
/// user or password, an address literal only when public (or listed), at most 2,000
/// characters; kept as the HTTP client will read it (`https://127.1/` is `https://127.0.0.1/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// Parses a URL under the deployment's rules.
    pub fn parse(raw: &str, rules: &WebhookRules) -> Result<WebhookUrl, NotifyError> {
        let raw = raw.trim();
        let bad = || {
            err(
                "url",
                "use an https:// address, e.g. https://example.org/hook",
            )
        };
        if raw.len() > 2000 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let url = url::Url::parse(raw).map_err(|_| bad())?;
        if !matches!(url.scheme(), "https" | "http")
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(bad());
        }
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(bad)?;
        let listed = rules.is_listed(host);
        if url.scheme() == "http" && !listed {
            return Err(err(
                "url",
                "use https:// (plain http:// only to a host the deployment lists in webhook_allow_http_hosts)",
            ));
        }
        let not_public = || {
            err(
                "url",
                "the address is not public (loopback, private, link-local or reserved): a webhook goes to a service on the internet",
            )
        };
        match url.host() {
            Some(url::Host::Ipv4(ip)) if !listed && !is_public_v4(ip) => return Err(not_public()),
            Some(url::Host::Ipv6(ip)) if !listed && !is_public_v6(ip) => return Err(not_public()),
            Some(url::Host::Domain(name)) if !listed && is_local_name(name) => {
                return Err(not_public());
            }
            _ => {}
        }
        Ok(WebhookUrl(url.into()))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Names that never leave the machine or the local network (RFC 6761, 6762, 8375).
fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    ["localhost", "local", "internal", "home.arpa", "localdomain"]
        .iter()
        .any(|suffix| name == *suffix || name.ends_with(&format!(".{suffix}")))
}

impl From<WebhookUrl> for String {
    fn from(v: WebhookUrl) -> String {
        v.0
    }
}

/// Every topic Tabel writes to the outbox, in one place: a webhook subscribes to some of these
/// (or `*`), and the outbox refuses (in debug builds) a topic that is not here, so that the
/// list cannot fall behind the code.
pub const TOPICS: &[&str] = &[
    "absence_note.decided",
    "absence_note.sent",
    "assessment-schedule.published",
    "assessment.moved",
    "assessment.planned",
    "attendance.set",
    "consent.changed",
    "contact.added",
    "contact.preferences_changed",
    "contact.removed",
    "contact.verification_requested",
    "contact.verified",
    "debt.arisen",
    "debt.changed",
    "debt.closed",
    "debt.retaken",
    "exam.result_published",
    "extract.handed",
    "extracts.issued",
    "final.deferral_ended",
    "final.deferred",
    "final.published",
    "guardianship.created",
    "homework.file_attached",
    "homework.file_deleted",
    "homework.published",
    "lesson.changed",
    "mark.changed",
    "mark.recorded",
    "person.merged",
    "promotion.issued",
    "pupil.arrived",
    "pupil.left",
    "pupil.transferred",
    "recommendation.added",
    "school.created",
    "timetable.changed",
    "user.created",
];

/// The topics a webhook receives: `*` for every outbox topic, or a list like
/// `final.published exam.result_published`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Topics(Vec<String>);

fn split_topics(raw: &str) -> Vec<String> {
    raw.split([' ', ',', '\n', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Topics {
    /// Parses topics separated by spaces or commas: `*`, or topics of [`TOPICS`] (a misspelt
    /// topic would otherwise subscribe to nothing, silently).
    pub fn parse(raw: &str) -> Result<Topics, NotifyError> {
        let list = split_topics(raw);
        if list.is_empty() {
            return Err(err("topics", "name at least one topic, or * for all"));
        }
        if list.len() > 50 {
            return Err(err("topics", "at most 50 topics"));
        }
        for t in &list {
            if t != "*" && !TOPICS.contains(&t.as_str()) {
                let shown: String = t.chars().take(64).collect();
                return Err(err(
                    "topics",
                    format!(
                        "{shown:?} is not a topic Tabel sends; use * or some of: {}",
                        TOPICS.join(", ")
                    ),
                ));
            }
        }
        Ok(Topics(list))
    }

    /// Topics as stored with a subscription, read without judging them (a subscription made
    /// before a topic was renamed keeps what it had).
    pub fn from_stored(stored: &str) -> Topics {
        Topics(split_topics(stored))
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
        let strict = WebhookRules::default();
        assert_eq!(
            WebhookUrl::parse("https://example.org/hook?x=1", &strict)
                .unwrap()
                .as_str(),
            "https://example.org/hook?x=1"
        );
        assert!(WebhookUrl::parse("https://93.184.215.14/h", &strict).is_ok());
        assert!(WebhookUrl::parse("https://[2a00:1450:4010::65]/h", &strict).is_ok());
        for bad in [
            "ftp://x",
            "https://",
            "https://a b",
            "javascript:alert(1)",
            "https://u:p@h/",
            "http://example.org/hook",
            "http://127.0.0.1:9000/",
        ] {
            assert!(WebhookUrl::parse(bad, &strict).is_err(), "{bad}");
        }
        // Every non-public address, however it is spelt, is refused at registration.
        for inside in [
            "https://127.0.0.1/",
            "https://127.1/",
            "https://2130706433/",
            "https://0x7f.0.0.1/",
            "https://0.0.0.0/",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://100.64.0.1/",
            "https://169.254.169.254/latest/meta-data/",
            "https://198.18.0.1/",
            "https://192.0.2.1/",
            "https://224.0.0.1/",
            "https://255.255.255.255/",
            "https://[::1]/",
            "https://[::]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:8.8.8.8]/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[ff02::1]/",
            "https://[2001:db8::1]/",
            "https://[64:ff9b::a00:1]/",
            "https://[2002:a00:1::1]/",
            "https://localhost/",
            "https://printer.local/",
            "https://LOCALHOST./",
        ] {
            let e = WebhookUrl::parse(inside, &strict).unwrap_err();
            assert_eq!(e.field, "url", "{inside}");
        }
        // A listed host may be reached over http, at a non-public address too; others may not.
        let tests = WebhookRules::allowing_http(["127.0.0.1", "[::1]"]);
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/", &tests).is_ok());
        assert!(WebhookUrl::parse("https://127.0.0.1:9000/", &tests).is_ok());
        assert!(WebhookUrl::parse("http://[::1]:9000/", &tests).is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.2/", &tests).is_err());
        assert!(WebhookUrl::parse("https://10.0.0.1/", &tests).is_err());
        assert!(tests.may_connect("127.0.0.1", "127.0.0.1".parse().unwrap()));
        assert!(!tests.may_connect("evil.example", "127.0.0.1".parse().unwrap()));
        assert!(strict.may_connect("example.org", "93.184.215.14".parse().unwrap()));
        assert!(is_public_address("64:ff9b::808:808".parse().unwrap()));
        assert!(!is_public_address("3fff::1".parse().unwrap()));
        assert!(!is_public_address("2001::1".parse().unwrap()));
        let t = Topics::parse("final.published, exam.result_published").unwrap();
        assert!(t.matches("final.published") && !t.matches("mark.recorded"));
        assert_eq!(t.stored(), "final.published exam.result_published");
        assert!(Topics::parse("*").unwrap().matches("anything.else"));
        assert!(Topics::parse("").is_err());
        assert!(Topics::parse("DROP TABLE").is_err());
        // A topic Tabel never sends is refused, naming the field.
        let e = Topics::parse("final.published finals.published").unwrap_err();
        assert_eq!(e.field, "topics");
        assert!(e.message.contains("finals.published"), "{}", e.message);
        assert!(Topics::parse("mark.recorded,debt.arisen").is_ok());
        assert!(Topics::from_stored("final.published old.topic").matches("old.topic"));
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
