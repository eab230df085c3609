//! Importing a file of exam results: reading, matching pupils, storing the batch.

use super::*;

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

impl App {
    /// The school whose exam results `p` loads (`school`: the one asked for, else the only one
    /// `p` manages): asked before the server receives the file, with the answer
    /// [`App::import_exam_results`] gives.
    pub fn may_import_exam_results(
        &self,
        p: &Principal,
        school: Option<SchoolId>,
    ) -> Result<SchoolId, AppError> {
        managed_school(p, school)
    }

    /// Whether `p` manages the exams of any school: asked before a page's upload, whose school
    /// is a field of the form, is read.
    pub fn manages_any_exams(&self, p: &Principal) -> Result<(), AppError> {
        if p.schools().into_iter().any(|s| super::manages(p, s)) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

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
                    batch: Some(batch.get()),
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
                id,
                school,
                year: year.id,
                batch: Some(batch),
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
            let w = crate::finals::Writer {
                now: self.now(),
                today: self.today(),
                actor,
                client,
            };
            crate::finals::take_exam_result(c, &w, &stored).await?;
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
}
