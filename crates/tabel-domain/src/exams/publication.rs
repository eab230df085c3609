//! The publication clock: a result is due a day after the school received it (п. 6).

use time::{Duration, OffsetDateTime};

/// How long the school has to make a result visible: a day from receipt (п. 6).
pub const PUBLICATION_DEADLINE: Duration = Duration::hours(24);
/// How long a result published late stays on the dashboard of overdue publications.
pub const LATE_LISTED_FOR: Duration = Duration::days(7);

/// Where a result stands against the day the regulation gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publication {
    /// Not visible yet, and the day has not run out: due by then.
    Pending {
        /// The deadline.
        due: OffsetDateTime,
    },
    /// Not visible, and the day has run out.
    Overdue {
        /// The deadline.
        due: OffsetDateTime,
        /// How long past it.
        by: Duration,
    },
    /// Visible within the day.
    OnTime,
    /// Made visible after the day ran out.
    Late {
        /// How long after receipt it became visible.
        delay: Duration,
    },
}

impl Publication {
    /// The state of a result received at `received`, visible since `published` (if it is), at
    /// `now`.
    pub fn of(
        received: OffsetDateTime,
        published: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Publication {
        let due = received + PUBLICATION_DEADLINE;
        match published {
            None if now > due => Publication::Overdue { due, by: now - due },
            None => Publication::Pending { due },
            Some(at) if at > due => Publication::Late {
                delay: at - received,
            },
            Some(_) => Publication::OnTime,
        }
    }

    /// Whether the dashboard of overdue publications lists it at `now`: overdue, or published
    /// late within the last [`LATE_LISTED_FOR`].
    pub fn listed(self, published: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
        match self {
            Publication::Overdue { .. } => true,
            Publication::Late { .. } => published.is_some_and(|at| now - at <= LATE_LISTED_FOR),
            Publication::Pending { .. } | Publication::OnTime => false,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    use time::macros::datetime;

    #[test]
    fn a_result_is_due_a_day_after_receipt_and_listed_a_week_when_late() {
        let received = datetime!(2026-11-26 10:00 UTC);
        let now = datetime!(2026-11-27 09:00 UTC);
        assert!(matches!(
            Publication::of(received, None, now),
            Publication::Pending { .. }
        ));
        let now = datetime!(2026-11-27 16:00 UTC);
        let state = Publication::of(received, None, now);
        assert_eq!(
            state,
            Publication::Overdue {
                due: datetime!(2026-11-27 10:00 UTC),
                by: Duration::hours(6)
            }
        );
        assert!(state.listed(None, now));
        let on_time = Some(datetime!(2026-11-27 09:59 UTC));
        assert_eq!(Publication::of(received, on_time, now), Publication::OnTime);
        let late = Some(datetime!(2026-11-27 12:00 UTC));
        let state = Publication::of(received, late, now);
        assert_eq!(
            state,
            Publication::Late {
                delay: Duration::hours(26)
            }
        );
        assert!(state.listed(late, now));
        assert!(!state.listed(late, now + Duration::days(8)));
    }
}
