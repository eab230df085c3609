//! Black-box tests: the real application on a loopback port, spoken to over HTTP (and through
//! a real headless Chromium, and the real `tabel` binary for the CLI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod assessment;
mod auth;
mod browser;
mod cli;
mod consent;
mod contact;
mod debts;
mod demo;
mod diary;
mod diary_ui;
mod exams;
mod extracts;
mod finals;
mod homework_files;
mod input;
mod journal;
mod journal_cell;
mod journal_ui;
mod notify;
mod ops;
mod people;
mod record;
mod security_outbound;
mod setup;
mod stats;
mod structure;
mod support;
mod teaching;
mod thematic;
mod timetable;
mod upload;
