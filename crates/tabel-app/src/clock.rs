//! Where "now" comes from. The application reads the time only through [`App::now`], which asks
//! the [`Clock`] it was given: the system's in a deployment, a [`TestClock`] in tests, which move
//! time by advancing it instead of rewriting rows.
//!
//! [`App::now`]: crate::App::now

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use time::{Duration, OffsetDateTime};

/// A source of the current instant.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant (any offset; [`crate::App::now`] converts it to UTC microseconds).
    fn now(&self) -> OffsetDateTime;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until told to move. Clones share the same time, so a test keeps
/// one and hands another to the application (the server's and its own `App` alike).
#[derive(Debug, Clone)]
pub struct TestClock {
    at: Arc<Mutex<OffsetDateTime>>,
}

impl TestClock {
    /// Stopped at `at`.
    pub fn at(at: OffsetDateTime) -> TestClock {
        TestClock {
            at: Arc::new(Mutex::new(at)),
        }
    }

    /// Stopped at the system's current instant: what a test wants when only the moves matter
    /// (rows written before the test began, e.g. by fixtures, stay in the past).
    pub fn starting_now() -> TestClock {
        TestClock::at(OffsetDateTime::now_utc())
    }

    /// Moves the clock by `by` (backwards when negative).
    pub fn advance(&self, by: Duration) {
        let mut at = self.at.lock().unwrap_or_else(PoisonError::into_inner);
        *at += by;
    }

    /// Sets the clock to `to`.
    pub fn set(&self, to: OffsetDateTime) {
        *self.at.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.at.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_test_clock_stands_still_and_moves_only_when_told() {
        let clock = TestClock::at(datetime!(2026-11-28 09:00 UTC));
        assert_eq!(clock.now(), datetime!(2026-11-28 09:00 UTC));
        assert_eq!(clock.now(), datetime!(2026-11-28 09:00 UTC));
        clock.advance(Duration::minutes(16));
        assert_eq!(clock.now(), datetime!(2026-11-28 09:16 UTC));
        clock.advance(Duration::hours(-1));
        assert_eq!(clock.now(), datetime!(2026-11-28 08:16 UTC));
        clock.set(datetime!(2027-01-01 00:00 UTC));
        assert_eq!(clock.now(), datetime!(2027-01-01 00:00 UTC));
    }

    #[test]
    fn clones_of_a_test_clock_share_its_time() {
        let clock = TestClock::at(datetime!(2026-11-28 09:00 UTC));
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        clock.advance(Duration::days(1));
        assert_eq!(shared.now(), datetime!(2026-11-29 09:00 UTC));
    }

    #[test]
    fn the_system_clock_follows_the_system_time() {
        let before = OffsetDateTime::now_utc();
        let now = SystemClock.now();
        let after = OffsetDateTime::now_utc();
        assert!(before <= now && now <= after);
    }
}
