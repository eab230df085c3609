//! Parents' contacts (regulation point 7): information is delivered "in the agreed form, to the
//! contact data the parents gave or entered themselves; the contact data are passed on by the
//! parents in writing or through electronic document systems".
//!
//! A contact is an e-mail address, a phone number or a messenger handle of a legal
//! representative, kept with its provenance (a written application, an electronic document, or
//! entered by the parent in the cabinet), who entered it, whether the parent confirmed it (an
//! e-mail by a link, a phone by a code) and whether it is one of the parent's preferred channels.
//!
//! This module holds the values and rules: parsing and normalising what people type (an e-mail,
//! `8 (912) 345-67-89`, `t.me/ivan_petrov`), the verification codes' lifetimes and hashing, and
//! who may manage whose contacts.
//!
//! A file per topic; everything public is re-exported here, so `tabel_domain::contact::X` names
//! it wherever it lives.

mod access;
mod codes;
mod error;
mod provenance;
mod records;
mod values;

pub use access::*;
pub use codes::*;
pub use error::*;
pub use provenance::*;
pub use records::*;
pub use values::*;
