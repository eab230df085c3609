//! The exam desk of a school: recent batches, results overdue for publication, and a pupil's results.

use super::*;

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

impl App {
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
