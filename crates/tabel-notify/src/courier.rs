//! Verification codes, delivered the moment they are made. The database keeps only a code's
//! hash, so a code cannot wait in the deliveries table for a retry after a restart: the
//! courier holds it in memory, tries a few times within a minute, and otherwise logs that the
//! parent should ask for a new one (the code expires anyway). The request that made the code
//! never waits for the mail server.

use crate::channel::{Channels, Outgoing};
use crate::render;
use std::sync::Arc;
use std::time::Duration;
use tabel_app::notify::{CodeCourier, CodeDelivery, CodeUse};
use tabel_domain::contact::ContactKind;
use tabel_domain::notify::Channel;
use tokio::sync::mpsc;

/// Codes waiting at most; beyond that a burst is refused (and logged) rather than held.
const QUEUE: usize = 1024;
/// Tries per code.
const TRIES: u32 = 3;

/// Sends codes through the notifier's channels on a task of its own.
#[derive(Debug, Clone)]
pub struct ChannelCourier {
    queue: mpsc::Sender<CodeDelivery>,
}

impl ChannelCourier {
    /// Starts the courier's task (on the current tokio runtime); it ends when the last handle
    /// is dropped.
    pub fn start(channels: Arc<Channels>, public_url: &str) -> ChannelCourier {
        let (tx, mut rx) = mpsc::channel::<CodeDelivery>(QUEUE);
        let base = public_url.trim_end_matches('/').to_owned();
        tokio::spawn(async move {
            while let Some(d) = rx.recv().await {
                let channels = channels.clone();
                let base = base.clone();
                // One task per code: a slow server does not hold the others up.
                tokio::spawn(async move { send(&channels, &base, &d).await });
            }
        });
        ChannelCourier { queue: tx }
    }
}

fn until(d: &CodeDelivery) -> String {
    tabel_present::date_time_utc(d.code.expires_at())
}

async fn send(channels: &Channels, base: &str, d: &CodeDelivery) {
    let m = match d.purpose {
        CodeUse::PasswordReset => render::password_reset(d.code.expose(), &until(d)),
        CodeUse::ContactVerification => {
            let link = d.code.link_path().map(|p| format!("{base}{p}"));
            render::code(link.as_deref(), d.code.expose(), &until(d))
        }
    };
    let (channel, body) = match d.kind {
        ContactKind::Email => (Channel::Email, &m.text),
        ContactKind::Phone => (Channel::Sms, &m.line),
        ContactKind::Messenger => return,
    };
    let key = format!(
        "code:{}:{}",
        d.code.contact(),
        d.code.expires_at().unix_timestamp()
    );
    for attempt in 1..=TRIES {
        let out = Outgoing {
            channel,
            address: &d.address,
            subject: &m.subject,
            body,
            key: &key,
            secret: None,
        };
        match channels.send(&out).await {
            Ok(()) => {
                tracing::info!(contact = %d.code.contact(), channel = %channel, "verification code sent");
                return;
            }
            Err(e) if attempt < TRIES => {
                tracing::info!(contact = %d.code.contact(), attempt, error = %e, "verification code not sent yet; trying again");
                tokio::time::sleep(Duration::from_secs(5 * u64::from(attempt))).await;
            }
            Err(e) => {
                tracing::warn!(contact = %d.code.contact(), error = %e, "verification code could not be sent; the parent may ask for a new one");
            }
        }
    }
}

impl CodeCourier for ChannelCourier {
    fn deliver(&self, code: CodeDelivery) {
        let contact = code.code.contact();
        if let Err(e) = self.queue.try_send(code) {
            tracing::warn!(%contact, error = %e, "too many verification codes at once: this one was not sent");
        }
    }
}
