//! CPU-bound work off the async runtime, a bounded number of jobs at once: a burst (of logins,
//! of uploads) queues for a permit instead of taking every core and every job's memory at once.

use crate::AppError;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Runs closures on blocking threads, at most a fixed number at a time.
#[derive(Debug, Clone)]
pub struct Bounded {
    permits: Arc<Semaphore>,
}

impl Bounded {
    /// At most `concurrency` jobs at once (at least one).
    pub fn new(concurrency: usize) -> Bounded {
        Bounded {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// Runs `job` on a blocking thread once a permit is free. The job holds the permit until it
    /// ends, even when the request that started it is dropped (a client gone, a time-out): a
    /// blocking thread cannot be cancelled, so its permit must not come back before it does.
    pub async fn run<T, F>(&self, job: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let out = job();
            drop(permit);
            out
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    #[tokio::test]
    async fn jobs_past_the_permits_wait_their_turn() {
        let bounded = Bounded::new(2);
        let busy = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let (b, busy, most) = (bounded.clone(), busy.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                b.run(move || {
                    most.fetch_max(busy.fetch_add(1, SeqCst) + 1, SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    busy.fetch_sub(1, SeqCst);
                })
                .await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(most.load(SeqCst), 2);
    }

    #[tokio::test]
    async fn a_dropped_caller_does_not_free_the_permit_before_its_job_ends() {
        let bounded = Bounded::new(1);
        let running = Arc::new(AtomicUsize::new(0));
        let r = running.clone();
        let b = bounded.clone();
        let first = tokio::spawn(async move {
            b.run(move || {
                r.fetch_add(1, SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(200));
                r.fetch_sub(1, SeqCst);
            })
            .await
        });
        while running.load(SeqCst) == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        // The request is dropped (as a time-out drops it) while its job still runs.
        first.abort();
        let r = running.clone();
        let overlapped = bounded.run(move || r.load(SeqCst)).await.unwrap();
        assert_eq!(overlapped, 0, "the second job ran beside the first");
    }
}
