//! A pupil's exam and итоговая marks and exemptions (освобождение): the page of the
//! administration and the families, and the API.

pub(crate) mod api;
pub(crate) mod pages;
