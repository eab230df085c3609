//! Academic debts, retakes and deferred finals: pages and API.

pub(crate) mod api;
pub(crate) mod pages;
