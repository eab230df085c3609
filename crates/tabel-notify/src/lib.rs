//! Tabel's notifier: a worker that drains the outbox and tells families what they agreed to
//! hear about (regulation points 4, 6 and 7) — by e-mail over SMTP, by SMS through an HTTP
//! gateway — and services by signed webhooks; at least once, with idempotency keys, retries
//! with backoff and a dead-letter list; and the courier that delivers contact verification
//! codes the moment they are made.
//!
//! Start-up: [`Worker::new`] with the [`NotifyConfig`]; [`Worker::run`] inside `tabel serve`,
//! [`Worker::run_once`] for `tabel notify run-once` and tests; [`ChannelCourier::start`] for
//! the codes, plugged into the application with `App::with_code_courier`.
#![forbid(unsafe_code)]

pub mod channel;
pub mod config;
mod courier;
pub mod render;
#[cfg(feature = "test-support")]
pub mod test_support;
mod worker;

pub use channel::{Channels, ConfigError, SendError, install_tls_provider, sign, verify};
pub use config::{NotifyConfig, Secret, SmsConfig, SmsMethod, SmtpConfig, TlsMode};
pub use courier::ChannelCourier;
pub use worker::{Report, Worker, WorkerError};
