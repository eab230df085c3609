//! Notification settings, webhooks and the delivery log: pages and API.

pub(crate) mod api;
pub(crate) mod pages;
