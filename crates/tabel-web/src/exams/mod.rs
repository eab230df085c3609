//! Exam results (ОГЭ, ЕГЭ, ВПР…) and their publication: pages and API.

pub(crate) mod api;
pub(crate) mod pages;
