//! Exam results (регламент, п. 6): the school imports ОГЭ, ЕГЭ, ВПР, собеседование and school
//! exam results from the CSV or XLSX it receives, with the time it received them; each result
//! becomes visible to the pupil and the consenting parents when published — at import, or
//! later — and must be within a day of receipt. The dashboard of overdue publications lists
//! every result past that day and still unpublished, and those published late in the last
//! week, each with who of the family has not been informed and how they can be (the diary, or
//! paper for a family without the diary consent).
//!
//! Administrators and deputy heads import and publish; the command line imports as the
//! system. A file with any error — a bad cell, a pupil the school does not have or cannot tell
//! apart from a namesake, a result already stored — is refused whole, every error naming its
//! row and column. Each result written and each publication is audited; each publication emits
//! `exam.result_published` for the notifier.
//!
//! "Now" here is the deployment's clock ([`App::now`]): real time, or — when the deployment
//! pins "today" (the demo, tests) — that day at the current time of day, so that the day to
//! publish runs against the same calendar as everything else.

use crate::{App, AppError, Client, FieldErrors, check};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use tabel_domain::access::{Principal, StudentFacts};
use tabel_domain::exams::{
    self as rules, ExamErrors, ExamKind, ParsedExams, Publication, PupilIndex,
};
use tabel_domain::school::{ConsentState, Relation, Role};
use tabel_domain::table::CellError;
use tabel_domain::text::sort_key;
use tabel_domain::{ExamBatchId, ExamResultId};
use tabel_domain::{PersonId, SchoolId, UserId};
use tabel_present::rfc3339;
use tabel_store::audit::{self, AuditEntry};
use tabel_store::exams::{self as repo, ExamBatch, ExamResult, NewBatch, NewResult};
use tabel_store::school as school_repo;
use tabel_store::{Conn, outbox};
use time::{Duration, OffsetDateTime};

/// The largest file accepted (a school's results are a few hundred kilobytes).
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// The most results one publication request may name.
pub const MAX_PUBLISH_IDS: usize = 5000;
/// How far ahead of the clock a receipt time may be (clocks differ a little).
const RECEIPT_SKEW: Duration = Duration::minutes(10);
/// Pupils who left this long before the receipt still match (summer exams come after leaving).
const LEAVERS_MATCH_DAYS: i64 = 92;
/// Batches the exams page lists.
const BATCHES_LISTED: i64 = 30;

/// A file to import.
#[derive(Debug, Clone)]
pub struct ExamImport {
    /// Which exam.
    pub exam: ExamKind,
    /// When the school received the results (`None`: now).
    pub received_at: Option<OffsetDateTime>,
    /// Make them visible to the families at once.
    pub publish: bool,
    /// The file's name.
    pub file_name: String,
    /// Its bytes: CSV or XLSX.
    pub bytes: Vec<u8>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    /// The batch written.
    pub batch: ExamBatch,
    /// Results published with it (0 when held back).
    pub published: usize,
    /// When the results are due to be visible.
    pub due_at: OffsetDateTime,
    /// Subjects the school's list does not have (kept as written).
    pub other_subjects: Vec<String>,
}

/// What to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishTarget {
    /// These results.
    Ids(Vec<tabel_domain::ExamResultId>),
    /// Every unpublished result of a batch.
    Batch(tabel_domain::ExamBatchId),
}

/// What a publication did.
#[derive(Debug, Clone, Serialize)]
pub struct PublishSummary {
    /// Results made visible now.
    pub published: Vec<i64>,
    /// Results named that were visible already.
    pub already: usize,
    /// When.
    pub at: OffsetDateTime,
}

/// A batch with its publication state.
#[derive(Debug, Clone, Serialize)]
pub struct BatchState {
    /// The batch.
    pub batch: ExamBatch,
    /// Rows not yet visible.
    pub unpublished: i64,
    /// When they are due.
    pub due_at: OffsetDateTime,
    /// Unpublished rows past due.
    pub overdue: bool,
}

/// The exams desk of a school: its latest batches.
#[derive(Debug, Clone, Serialize)]
pub struct ExamDesk {
    /// The school.
    pub school: SchoolId,
    /// Newest first.
    pub batches: Vec<BatchState>,
    /// As of.
    pub as_of: OffsetDateTime,
}

/// How someone can learn of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// In the electronic diary: an account, and for a parent the diary consent in force.
    Diary,
    /// The consent is in force (or it is the pupil) but there is no account to log in with.
    NoAccount,
    /// No diary consent in force: a paper extract (регламент, п. 2).
    Paper,
}

/// Who someone is to the pupil.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RecipientRole {
    /// The pupil.
    Pupil,
    /// A legal representative.
    Representative(Relation),
}

/// Someone who has to learn of a result.
#[derive(Debug, Clone, Serialize)]
pub struct Recipient {
    /// The person.
    pub person: PersonId,
    /// Full name.
    pub name: String,
    /// Who they are to the pupil.
    pub role: RecipientRole,
    /// How they can learn of it.
    pub channel: Channel,
}

/// A result on the dashboard of overdue publications.
#[derive(Debug, Clone, Serialize)]
pub struct OverdueLine {
    /// The result.
    pub result: ExamResult,
    /// Overdue (unpublished), or published late.
    pub state: LineState,
    /// When it was due.
    pub due_at: OffsetDateTime,
    /// Who has not been informed: everyone while it is unpublished; after a late publication,
    /// those the diary does not reach.
    pub not_informed: Vec<Recipient>,
}

/// Where a listed result stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LineState {
    /// Still unpublished, past due by this much.
    Overdue(Duration),
    /// Published this long after receipt.
    PublishedLate(Duration),
}

/// The dashboard of overdue publications of a school.
#[derive(Debug, Clone, Serialize)]
pub struct Overdue {
    /// The school.
    pub school: SchoolId,
    /// As of.
    pub as_of: OffsetDateTime,
    /// Overdue results (longest overdue first), then those published late.
    pub lines: Vec<OverdueLine>,
    /// Unpublished results still within their day.
    pub pending: usize,
}

/// Whether `p` imports and publishes a school's exam results: administrators, deputy heads.
pub fn manages(p: &Principal, school: SchoolId) -> bool {
    p.is_admin_of(school) || p.has_role(Role::Deputy, school)
}

/// Refusal for someone who does not manage a school's exams: 403 for anyone with a role there,
/// 404 for strangers.
fn refuse(p: &Principal, school: SchoolId) -> AppError {
    if p.schools().contains(&school) {
        AppError::Forbidden
    } else {
        AppError::NotFound
    }
}

/// The school `p` manages exams of: the one asked for, or the only one.
fn managed_school(p: &Principal, wanted: Option<SchoolId>) -> Result<SchoolId, AppError> {
    match wanted {
        Some(s) if manages(p, s) => Ok(s),
        Some(s) => Err(refuse(p, s)),
        None => {
            let mine: Vec<SchoolId> = p.schools().into_iter().filter(|s| manages(p, *s)).collect();
            match mine.as_slice() {
                [one] => Ok(*one),
                [] => Err(AppError::Forbidden),
                _ => Err(AppError::invalid(
                    "school_id",
                    "you manage exams of several schools: choose one",
                )),
            }
        }
    }
}

/// The errors of a refused file as field errors: `row 7, column «Отметка»` → the message.
fn field_errors(e: &ExamErrors) -> AppError {
    let mut out = FieldErrors::new();
    for c in &e.0 {
        out.entry(c.place())
            .and_modify(|m: &mut String| {
                m.push_str("; ");
                m.push_str(&c.message);
            })
            .or_insert_with(|| c.message.clone());
    }
    AppError::Invalid(out)
}

/// Reads an exam file: XLSX when it is a ZIP archive (the first sheet), CSV otherwise.
pub fn read_exam_file(kind: ExamKind, bytes: &[u8]) -> Result<ParsedExams, ExamErrors> {
    if crate::upload::is_workbook(bytes) {
        let last_row = (rules::MAX_ROWS * 2 + 20) as u32;
        let too_many = format!(
            "too many rows: a file has at most {} result rows",
            rules::MAX_ROWS
        );
        let rows = crate::upload::workbook_rows(bytes, last_row, &too_many)
            .map_err(|e| ExamErrors(vec![e]))?;
        rules::parse_rows(kind, rows)
    } else {
        rules::parse_csv(kind, bytes)
    }
}

fn result_json(r: &ExamResult) -> serde_json::Value {
    serde_json::json!({
        "id": r.id.to_string(), "batch_id": r.batch.map(|b| b.to_string()),
        "student_id": r.student.to_string(), "exam": r.exam.code(),
        "subject_id": r.subject.map(|s| s.to_string()), "subject": r.subject_name,
        "taken_on": r.taken_on.map(|d| d.to_string()), "score": r.score, "mark": r.mark.code(),
        "received_at": rfc3339(r.received_at), "published_at": r.published_at.map(rfc3339),
    })
}

/// Audits a publication of one result and tells the notifier (inside the transaction).
async fn announce(
    c: &mut Conn<'_>,
    actor: Option<UserId>,
    r: &ExamResult,
    action: &str,
    client: &Client,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    let after = result_json(r);
    audit::append(
        c,
        &AuditEntry {
            chain: r.school.get(),
            at,
            actor: actor.map(UserId::get),
            action,
            entity: "exam_result",
            entity_id: r.id.to_string(),
            before: (action == "exam.publish").then(|| serde_json::json!({"published_at": null})),
            after: Some(after),
            reason: None,
            origin: Some(&client.address),
        },
    )
    .await?;
    if let Some(at) = r.published_at {
        outbox::emit(
            c,
            Some(r.school),
            "exam.result_published",
            &serde_json::json!({
                "id": r.id.to_string(), "student_id": r.student.to_string(), "exam": r.exam.code(),
                "subject": r.subject_name, "received_at": rfc3339(r.received_at),
                "published_at": rfc3339(at),
            }),
            at,
        )
        .await?;
    }
    Ok(())
}

impl App {
    /// Imports exam results from a CSV or XLSX file as `p`, an administrator or deputy head of
    /// the school (`school`: the one asked for, else the only one `p` manages).
    #[tracing::instrument(skip_all, fields(exam = %f.exam, bytes = f.bytes.len()))]
    pub async fn import_exam_results(
        &self,
        p: &Principal,
        school: Option<SchoolId>,
        f: ExamImport,
        client: &Client,
    ) -> Result<ImportSummary, AppError> {
        let school = managed_school(p, school)?;
        self.import_into(Some(p.user), school, f, client).await
    }

    /// Imports exam results from the command line (as the system): into `school`, or the only
    /// school of the database.
    pub async fn system_import_exam_results(
        &self,
        school: Option<SchoolId>,
        f: ExamImport,
    ) -> Result<ImportSummary, AppError> {
        let school = match school {
            Some(s) => s,
            None => {
                let mut c = self.db.acquire().await?;
                let all = school_repo::list_schools(&mut c.conn()).await?;
                match all.as_slice() {
                    [one] => one.id,
                    [] => return Err(AppError::invalid("school", "the database holds no school")),
                    many => {
                        return Err(AppError::invalid(
                            "school",
                            format!(
                                "the database holds {} schools: choose one (numbers: {})",
                                many.len(),
                                many.iter()
                                    .map(|s| s.id.to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                }
            }
        };
        self.import_into(None, school, f, &Client::cli()).await
    }

    async fn import_into(
        &self,
        actor: Option<UserId>,
        school: SchoolId,
        f: ExamImport,
        client: &Client,
    ) -> Result<ImportSummary, AppError> {
        if f.bytes.is_empty() {
            return Err(AppError::invalid("file", "the file is empty"));
        }
        if f.bytes.len() > MAX_FILE_BYTES {
            return Err(AppError::invalid(
                "file",
                format!("at most {} MB", MAX_FILE_BYTES / 1024 / 1024),
            ));
        }
        let now = self.calendar_now();
        let received = f.received_at.unwrap_or(now);
        if received > now + RECEIPT_SKEW {
            return Err(AppError::invalid(
                "received_at",
                "the results cannot have been received in the future",
            ));
        }
        let received_on = self.config.time_zone.local_date(received);
        let kind = f.exam;
        let sha256 = hex::encode(Sha256::digest(&f.bytes));
        let extension = if crate::upload::is_workbook(&f.bytes) {
            "xlsx"
        } else {
            "csv"
        };
        let bytes = f.bytes;
        let parsed = self
            .run_bounded(move || read_exam_file(kind, &bytes))
            .await?
            .map_err(|e| field_errors(&e))?;
        let file_name: String = f
            .file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let file_name = match file_name.trim() {
            "" => format!("{}.{extension}", kind.code()),
            n => n.to_owned(),
        };

        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let year = school_repo::academic_year_on(c, school, received_on)
            .await?
            .ok_or_else(|| {
                AppError::Conflict(format!("the school has no academic year for {received_on}"))
            })?;
        if let Some(b) = repo::batch_of_file(c, school, &sha256).await? {
            return Err(AppError::Conflict(format!(
                "this file was imported already (batch {}, {} rows)",
                b.id, b.rows
            )));
        }
        let index = PupilIndex::new(
            repo::candidates(
                c,
                school,
                received_on,
                received_on - Duration::days(LEAVERS_MATCH_DAYS),
            )
            .await?,
        );
        let pupils = parsed.match_pupils(&index).map_err(|e| field_errors(&e))?;
        let subjects: Vec<_> = school_repo::list_subjects(c, school)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name, s.short_name))
            .collect();
        // The same result twice — in the file, or already stored — is an error, not a copy.
        let mut seen: HashMap<(PersonId, String, Option<time::Date>), usize> =
            repo::existing_keys(c, school, year.id, kind)
                .await?
                .into_iter()
                .map(|(s, n, d)| ((s, sort_key(&n), d), 0))
                .collect();
        let mut errors = Vec::new();
        for (r, student) in parsed.rows.iter().zip(&pupils) {
            if r.taken_on.is_some_and(|d| d > received_on) {
                errors.push(CellError {
                    row: r.row,
                    column: Some(parsed.date_column.clone()),
                    message: "the exam is dated after the results were received".into(),
                });
            }
            let key = (*student, sort_key(&r.subject), r.taken_on);
            match seen.get(&key) {
                Some(0) => errors.push(CellError {
                    row: r.row,
                    column: Some(parsed.subject_column.clone()),
                    message: format!(
                        "the school already has this result of «{}» in «{}»",
                        r.pupil.name(),
                        r.subject
                    ),
                }),
                Some(first) => errors.push(CellError {
                    row: r.row,
                    column: Some(parsed.subject_column.clone()),
                    message: format!("the same pupil, subject and date as row {first}"),
                }),
                None => {
                    seen.insert(key, r.row);
                }
            }
        }
        if !errors.is_empty() {
            errors.truncate(20);
            return Err(field_errors(&ExamErrors(errors)));
        }

        let batch = repo::insert_batch(
            c,
            &NewBatch {
                school,
                year: year.id,
                exam: kind,
                file_name: &file_name,
                sha256: &sha256,
                received_at: received,
                imported_by: actor,
                imported_at: now,
                rows: parsed.rows.len(),
            },
        )
        .await?;
        let published_at = f.publish.then_some(now);
        let mut other_subjects: Vec<String> = Vec::new();
        for (r, student) in parsed.rows.iter().zip(&pupils) {
            let subject = rules::match_subject(&r.subject, &subjects);
            if subject.is_none() && !other_subjects.contains(&r.subject) {
                other_subjects.push(r.subject.clone());
            }
            let id = repo::insert_result(
                c,
                &NewResult {
                    school,
                    year: year.id,
                    batch: Some(batch),
                    student: *student,
                    exam: kind,
                    subject,
                    subject_name: &r.subject,
                    taken_on: r.taken_on,
                    score: r.score,
                    mark: r.mark,
                    source: &file_name,
                    received_at: received,
                    imported_by: actor,
                    published_at,
                },
            )
            .await?;
            // What the audit and the outbox need, without reading the row back.
            let stored = ExamResult {
                id: ExamResultId::new(id),
                school,
                year: year.id,
                batch: Some(ExamBatchId::new(batch)),
                student: *student,
                student_name: String::new(),
                class_name: None,
                exam: kind,
                subject,
                subject_name: r.subject.clone(),
                taken_on: r.taken_on,
                score: r.score.map(i64::from),
                mark: r.mark,
                source: file_name.clone(),
                received_at: received,
                published_at,
            };
            announce(c, actor, &stored, "exam.import", client, self.now()).await?;
        }
        let batch = repo::get_batch(c, batch).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(ImportSummary {
            published: if f.publish { parsed.rows.len() } else { 0 },
            due_at: received + rules::PUBLICATION_DEADLINE,
            other_subjects,
            batch,
        })
    }

    /// Makes held-back results visible to the families now: the results named, or a batch's
    /// unpublished ones. Administrators and deputy heads of the results' school; naming a
    /// result that does not exist (or is not theirs) refuses the whole request.
    #[tracing::instrument(skip_all)]
    pub async fn publish_exam_results(
        &self,
        p: &Principal,
        target: PublishTarget,
        client: &Client,
    ) -> Result<PublishSummary, AppError> {
        if let PublishTarget::Ids(ids) = &target {
            if ids.is_empty() {
                return Err(AppError::invalid("ids", "name at least one result"));
            }
            if ids.len() > MAX_PUBLISH_IDS {
                return Err(AppError::invalid(
                    "ids",
                    format!("at most {MAX_PUBLISH_IDS} results at once"),
                ));
            }
        }
        let now = self.calendar_now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let ids = match target {
            PublishTarget::Batch(id) => {
                let id = id.get();
                let b = repo::get_batch(c, id).await?.ok_or(AppError::NotFound)?;
                if !manages(p, b.school) {
                    return Err(refuse(p, b.school));
                }
                repo::unpublished_of_batch(c, id).await?
            }
            PublishTarget::Ids(ids) => {
                let mut ids: Vec<i64> = ids
                    .into_iter()
                    .map(tabel_domain::ExamResultId::get)
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            }
        };
        let mut published = Vec::new();
        let mut already = 0;
        for id in ids {
            let r = repo::get_result(c, id).await?.ok_or(AppError::NotFound)?;
            if !manages(p, r.school) {
                return Err(refuse(p, r.school));
            }
            if repo::publish(c, id, r.school, now).await? {
                let r = ExamResult {
                    published_at: Some(now),
                    ..r
                };
                announce(c, Some(p.user), &r, "exam.publish", client, self.now()).await?;
                published.push(id);
            } else {
                already += 1;
            }
        }
        tx.commit().await?;
        Ok(PublishSummary {
            published,
            already,
            at: now,
        })
    }

    /// The exams desk: the school's latest batches with how much of each is visible.
    pub async fn exam_desk(
        &self,
        p: &Principal,
        school: Option<SchoolId>,
    ) -> Result<ExamDesk, AppError> {
        let school = managed_school(p, school)?;
        let now = self.calendar_now();
        let mut c = self.db.acquire().await?;
        let batches = repo::list_batches(&mut c.conn(), school, BATCHES_LISTED).await?;
        Ok(ExamDesk {
            school,
            as_of: now,
            batches: batches
                .into_iter()
                .map(|b| {
                    let unpublished = b.rows - b.published;
                    let due_at = b.received_at + rules::PUBLICATION_DEADLINE;
                    BatchState {
                        overdue: unpublished > 0 && now > due_at,
                        unpublished,
                        due_at,
                        batch: b,
                    }
                })
                .collect(),
        })
    }

    /// The dashboard of overdue publications of a school (see the module).
    #[tracing::instrument(skip_all)]
    pub async fn overdue_exam_results(
        &self,
        p: &Principal,
        school: Option<SchoolId>,
    ) -> Result<Overdue, AppError> {
        let school = managed_school(p, school)?;
        let now = self.calendar_now();
        let today = self.config.time_zone.local_date(now);
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let Some(year) = school_repo::academic_year_on(c, school, today).await? else {
            return Ok(Overdue {
                school,
                as_of: now,
                lines: Vec::new(),
                pending: 0,
            });
        };
        let results = repo::dashboard_results(c, school, year.id).await?;
        let mut pending = 0;
        let mut listed: Vec<(ExamResult, LineState)> = Vec::new();
        for r in results {
            let state = Publication::of(r.received_at, r.published_at, now);
            let line = match state {
                Publication::Pending { .. } => {
                    pending += 1;
                    None
                }
                Publication::Overdue { by, .. } => Some(LineState::Overdue(by)),
                Publication::Late { delay } => state
                    .listed(r.published_at, now)
                    .then_some(LineState::PublishedLate(delay)),
                Publication::OnTime => None,
            };
            if let Some(line) = line {
                listed.push((r, line));
            }
        }
        let (representatives, pupils_with_accounts) = if listed.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (
                repo::dashboard_representatives(c, school, year.id).await?,
                repo::dashboard_pupils_with_accounts(c, school, year.id).await?,
            )
        };
        let mut lines: Vec<OverdueLine> = listed
            .into_iter()
            .map(|(r, state)| {
                let mut everyone = vec![Recipient {
                    person: r.student,
                    name: r.student_name.clone(),
                    role: RecipientRole::Pupil,
                    channel: if pupils_with_accounts.contains(&r.student) {
                        Channel::Diary
                    } else {
                        Channel::NoAccount
                    },
                }];
                everyone.extend(
                    representatives
                        .iter()
                        .filter(|x| x.student == r.student)
                        .map(|x| Recipient {
                            person: x.parent,
                            name: x.name.clone(),
                            role: RecipientRole::Representative(x.relation),
                            channel: match (x.diary, x.has_account) {
                                (Some(ConsentState::Given), true) => Channel::Diary,
                                (Some(ConsentState::Given), false) => Channel::NoAccount,
                                _ => Channel::Paper,
                            },
                        }),
                );
                // Once published, the diary has reached those it can; the rest still wait.
                if matches!(state, LineState::PublishedLate(_)) {
                    everyone.retain(|x| x.channel != Channel::Diary);
                }
                OverdueLine {
                    due_at: r.received_at + rules::PUBLICATION_DEADLINE,
                    result: r,
                    state,
                    not_informed: everyone,
                }
            })
            .collect();
        lines.sort_by(|a, b| match (a.state, b.state) {
            (LineState::Overdue(x), LineState::Overdue(y)) => {
                y.cmp(&x).then(a.result.id.cmp(&b.result.id))
            }
            (LineState::Overdue(_), LineState::PublishedLate(_)) => std::cmp::Ordering::Less,
            (LineState::PublishedLate(_), LineState::Overdue(_)) => std::cmp::Ordering::Greater,
            (LineState::PublishedLate(_), LineState::PublishedLate(_)) => {
                b.result.published_at.cmp(&a.result.published_at)
            }
        });
        Ok(Overdue {
            school,
            as_of: now,
            lines,
            pending,
        })
    }

    /// A pupil's exam results as `p` may see them, newest first: the pupil and the parents
    /// with the diary consent in force (through the diary's gate) see the published ones; the
    /// school's administrators and deputy heads see every one (`published_at` tells which the
    /// family sees); other staff see what the family sees.
    pub async fn exam_results_of(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<Vec<ExamResult>, AppError> {
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        check(p.may_view_student(&StudentFacts {
            student,
            school: card.school,
        }))?;
        let mut results = repo::results_of_student(c, student).await?;
        if !manages(p, card.school) {
            results.retain(|r| r.published_at.is_some());
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tabel_domain::exams::ExamMark;

    fn xlsx(rows: &[&[&str]], numbers: &[(u32, u16, f64)], dates: &[(u32, u16)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (col, text) in row.iter().enumerate() {
                sheet
                    .write_string(
                        u32::try_from(r).unwrap(),
                        u16::try_from(col).unwrap(),
                        *text,
                    )
                    .unwrap();
            }
        }
        for (r, col, n) in numbers {
            sheet.write_number(*r, *col, *n).unwrap();
        }
        let format = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
        for (r, col) in dates {
            let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2027, 6, 3).unwrap();
            sheet
                .write_datetime_with_format(*r, *col, &d, &format)
                .unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn an_xlsx_first_sheet_is_read_with_numbers_and_date_cells() {
        let bytes = xlsx(
            &[
                &["Результаты ОГЭ"],
                &[],
                &["ФИО", "Предмет", "Дата", "Первичный балл", "Отметка"],
                &["Петров Иван", "Математика"],
            ],
            &[(3, 3, 22.0), (3, 4, 4.0)],
            &[(3, 2)],
        );
        let p = read_exam_file(ExamKind::Oge, &bytes).unwrap();
        assert_eq!(p.rows.len(), 1);
        let r = &p.rows[0];
        assert_eq!(r.row, 4);
        assert_eq!(r.taken_on, Some(time::macros::date!(2027 - 06 - 03)));
        assert_eq!((r.score, r.mark), (Some(22), ExamMark::Mark(4)));
    }

    #[test]
    fn xlsx_errors_name_the_spreadsheet_row_and_garbage_is_refused() {
        let bytes = xlsx(
            &[
                &[],
                &["ФИО", "Предмет", "Отметка"],
                &["Петров Иван", "Физика", "7"],
            ],
            &[],
            &[],
        );
        let e = read_exam_file(ExamKind::Oge, &bytes).unwrap_err();
        assert_eq!(
            e.0[0].to_string(),
            "row 3, column «Отметка»: «7» is not a mark from 2 to 5"
        );
        let e = read_exam_file(ExamKind::Oge, b"PK\x03\x04garbage").unwrap_err();
        assert!(e.0[0].message.contains("XLSX"));
    }

    #[test]
    fn only_administrators_and_deputies_manage_and_must_choose_among_schools() {
        let s = SchoolId::new(1);
        let other = SchoolId::new(2);
        let p = |grants: Vec<(Role, SchoolId)>| Principal {
            user: UserId::new(1),
            person: None,
            grants,
            class_teacher_of: Vec::new(),
            children: Vec::new(),
            student_in: None,
        };
        assert_eq!(
            managed_school(&p(vec![(Role::Deputy, s)]), None).unwrap(),
            s
        );
        assert!(matches!(
            managed_school(&p(vec![(Role::Teacher, s)]), Some(s)),
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            managed_school(&p(vec![(Role::Admin, s)]), Some(other)),
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            managed_school(&p(vec![(Role::Admin, s), (Role::Admin, other)]), None),
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            managed_school(&p(Vec::new()), None),
            Err(AppError::Forbidden)
        ));
    }
}
