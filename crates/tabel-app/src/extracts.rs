//! Paper extracts and the documents printed from the journal (regulation point 2: «формирование
//! выписок в бумажной форме для родителей, не имеющих доступа к вычислительной технике и
//! интернету, либо отказавшихся от получения информации в электронной форме»; point 5: the
//! summary sheet; the year-end archive on paper).
//!
//! - The **print queue** of a class: the pupils whose families get paper (the consent
//!   registry's list — no representative with both consents in force — plus families with
//!   consents but no verified contact to deliver to), and the registry of extracts issued.
//! - **Issuing** extracts for a pupil or a class for a period or a date range: the data is
//!   gathered for the whole class at once (a fixed handful of queries, never one per pupil),
//!   each extract gets a short verification code, the caller's renderer makes the PDF on a
//!   blocking thread, and the registry row (with the PDF's SHA-256), the audit record and the
//!   outbox event are written in one transaction.
//! - **Verification** of a code, for anyone: that it was issued, when, by which school, and the
//!   hash — the pupil's initials at most, never the marks.
//! - The **journal print** of a class for the archive, gathered the same way.
//!
//! Who prints: administrators, deputy heads, and the class teacher for their class (the keepers
//! of the consent registry). A parent may download their own child's extract only with the
//! diary consent in force (the diary's gate); nobody else learns the child exists.

use crate::consent::{ClassRegistry, keeps};
use crate::diary::AttendanceSummary;
use crate::finals::{SubjectForecast, SummarySheet};
use crate::journal::period_of;
use crate::{App, AppError, Client, check};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use tabel_domain::access::{Principal, StudentFacts};
use tabel_domain::extract::ExtractCode;
use tabel_domain::finals::{self as rules, PeriodFacts};
use tabel_domain::journal::{Attendance, Average, Mark};
use tabel_domain::school::{ConsentState, GroupKind, Role};
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{GroupId, PeriodId, PersonId, SchoolId, SubjectId, UserId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::extracts::{
    self as repo, AbsenceFact, FinalFact, IssuedExtract, LessonFact, MarkFact, Pupil, PupilGroup,
    RecommendationFact,
};
use tabel_store::school::{self as school_repo, Group, Period, School};
use tabel_store::{Conn, StoreError, outbox};
use time::{Date, Duration};

/// The longest range one extract covers (a school year and a little).
pub const MAX_RANGE_DAYS: i64 = 400;
/// How many issued extracts a class's registry page lists.
pub const REGISTRY_LIMIT: i64 = 300;
/// The longest "handed to" note.
pub const MAX_HANDED_TO: usize = 200;
/// Minutes of a lesson, for "late by more than half of it counts as missed".
const LESSON_MINUTES: u16 = 45;
/// How far back homework may have been set for a due date in the range.
const HOMEWORK_LOOKBACK_DAYS: i64 = 31;

/// What period an extract covers: a reporting period, or a date range, or (neither) the class's
/// current period.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RangeInput {
    /// A reporting period.
    #[serde(default)]
    pub period: Option<PeriodId>,
    /// First day.
    #[serde(default)]
    pub from: Option<Date>,
    /// Last day.
    #[serde(default)]
    pub to: Option<Date>,
}

/// Whose extracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One pupil.
    Student(PersonId),
    /// The pupils of a class: all of them, or only those whose families get paper.
    Class {
        /// The class.
        class: GroupId,
        /// Only the print queue (families without electronic delivery).
        only_paper: bool,
    },
}

/// An extract request.
#[derive(Debug, Clone, Default)]
pub struct ExtractRequest {
    /// The period or dates.
    pub range: RangeInput,
    /// Include the homework of the range.
    pub homework: bool,
    /// To whom the paper is handed, when known at once.
    pub handed_to: String,
}

/// Who signs a document, as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SignerRole {
    /// The class teacher.
    ClassTeacher,
    /// A deputy head.
    Deputy,
    /// The school's administrator.
    Admin,
}

/// The signer: their role and short name ("Иванова М. П.").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// As whom they sign.
    pub role: SignerRole,
    /// Their name ("" when not known).
    pub name: String,
}

/// A subject's line of a pupil's extract.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectLine {
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub name: String,
    /// The marks of the range, by date.
    pub marks: Vec<MarkFact>,
    /// Their weighted average.
    #[serde(skip)]
    pub average: Average,
    /// Lessons held so far in the range.
    pub lessons: u32,
    /// Of them missed.
    pub missed: u32,
}

/// Homework of the range.
#[derive(Debug, Clone, Serialize)]
pub struct HomeworkLine {
    /// Due.
    pub due: Date,
    /// The subject's name.
    pub subject: String,
    /// The task.
    pub text: String,
}

/// One pupil's extract.
#[derive(Debug, Clone, Serialize)]
pub struct PupilExtract {
    /// The pupil.
    pub pupil: Pupil,
    /// The verification code printed on it.
    pub code: String,
    /// Marks by subject (the school's subject order).
    pub subjects: Vec<SubjectLine>,
    /// Attendance over the range.
    pub attendance: AttendanceSummary,
    /// Published final marks.
    pub finals: Vec<FinalFact>,
    /// The forecast for the current period, when the range reaches it.
    pub forecast: Vec<SubjectForecast>,
    /// Recommendations written in the range, their instants in the school's local time.
    pub recommendations: Vec<RecommendationFact>,
    /// Homework due in the range (when asked for).
    pub homework: Vec<HomeworkLine>,
}

/// Everything the extracts of one print run need.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractBatch {
    /// The school.
    pub school: School,
    /// The class.
    pub class: Group,
    /// "2026/2027".
    pub year: String,
    /// The period asked for, if any.
    pub period: Option<Period>,
    /// The periods of the class's grade.
    pub periods: Vec<Period>,
    /// First day covered.
    pub from: Date,
    /// Last day covered.
    pub to: Date,
    /// The period the forecast is for.
    pub forecast_period: Option<Period>,
    /// The final-mark columns to print, in order (slot codes).
    pub final_slots: Vec<String>,
    /// The school's work types seen in the marks: code → (name, weight).
    pub work_types: BTreeMap<String, (String, u8)>,
    /// Homework was asked for.
    pub with_homework: bool,
    /// The day of issue.
    pub today: Date,
    /// Who signs.
    pub signer: Signer,
    /// The print run's id.
    pub batch: String,
    /// `paper` (the school prints it) or `download` (a parent takes it).
    pub channel: &'static str,
    /// One extract per pupil, in list order.
    pub pupils: Vec<PupilExtract>,
}

/// What was issued: the PDF and its registry rows.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The PDF.
    pub pdf: Vec<u8>,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// The print run.
    pub batch: String,
    /// (pupil, verification code) in the PDF's order.
    pub codes: Vec<(PersonId, String)>,
    /// The class, for a file name.
    pub class_name: String,
}

/// Why a family gets paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PaperReason {
    /// A representative refused or withdrew the consent (diary or delivery).
    Refused,
    /// Nothing submitted yet.
    NoConsent,
    /// No representative on record.
    NoRepresentative,
    /// Consents in force, but no verified contact to deliver to.
    NoContact,
}

impl PaperReason {
    /// The code (`refused`, `no_consent`, `no_representative`, `no_contact`).
    pub const fn code(self) -> &'static str {
        match self {
            PaperReason::Refused => "refused",
            PaperReason::NoConsent => "no_consent",
            PaperReason::NoRepresentative => "no_representative",
            PaperReason::NoContact => "no_contact",
        }
    }
}

/// A pupil of the print queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueueLine {
    /// The pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub name: String,
    /// Why paper.
    pub reason: PaperReason,
    /// The latest extract issued for the pupil, if any.
    pub last_issued: Option<IssuedExtract>,
}

/// A class's print queue and registry.
#[derive(Debug, Clone, Serialize)]
pub struct PrintQueue {
    /// The class.
    pub class: Group,
    /// The periods of the class's grade (to choose from).
    pub periods: Vec<Period>,
    /// The current period, if the year is on.
    pub current: Option<Period>,
    /// Pupils whose families get paper.
    pub lines: Vec<QueueLine>,
    /// Every pupil of the class (to print one of them anyway): (id, name).
    pub pupils: Vec<(PersonId, String)>,
    /// Extracts issued for the class, newest first.
    pub issued: Vec<IssuedExtract>,
}

/// What the verification page shows: no marks, the pupil's initials at most.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The code.
    pub code: String,
    /// The school's full name.
    pub school: String,
    /// When issued.
    pub issued_at: time::OffsetDateTime,
    /// "И. П."
    pub initials: String,
    /// The class.
    pub class_name: Option<String>,
    /// First day covered.
    pub from: Date,
    /// Last day covered.
    pub to: Date,
    /// `paper` or `download`.
    pub channel: String,
    /// SHA-256 of the PDF it was printed from.
    pub pdf_sha256: String,
    /// SHA-256 of the pupil's data as printed.
    pub content_sha256: String,
}

/// A journal of a class for the archive print.
#[derive(Debug, Clone)]
pub struct ArchivedJournal {
    /// The journal's group.
    pub group: GroupId,
    /// Its name.
    pub group_name: String,
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// Its teachers ("Иванова Мария Петровна").
    pub teachers: Vec<String>,
    /// The group's pupils in the year, in journal order.
    pub pupils: Vec<Pupil>,
    /// The journal's lessons of the year, by date (cancelled ones included).
    pub lessons: Vec<LessonFact>,
    /// Its marks.
    pub marks: Vec<MarkFact>,
    /// Attendance on its lessons.
    pub attendance: Vec<AbsenceFact>,
    /// The period averages: (pupil, period) → average.
    pub averages: HashMap<(PersonId, PeriodId), Average>,
    /// Final marks of the subject: (pupil, slot code) → value code.
    pub finals: HashMap<(PersonId, String), String>,
}

/// A class's journals for the year-end archive.
#[derive(Debug, Clone)]
pub struct ClassArchive {
    /// The school.
    pub school: School,
    /// The class.
    pub class: Group,
    /// "2026/2027".
    pub year: String,
    /// The periods of the class's grade.
    pub periods: Vec<Period>,
    /// The journals.
    pub journals: Vec<ArchivedJournal>,
    /// The day printed.
    pub today: Date,
    /// Who signs.
    pub signer: Signer,
}

/// The summary sheet with what its print needs besides.
#[derive(Debug, Clone)]
pub struct SummaryDocument {
    /// The sheet.
    pub sheet: SummarySheet,
    /// The school.
    pub school: School,
    /// "2026/2027".
    pub year: String,
    /// The day printed.
    pub today: Date,
    /// Who signs.
    pub signer: Signer,
}

/// A fresh verification code (40 random bits).
fn new_code() -> Result<String, AppError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("random source: {e}")))?;
    Ok(ExtractCode::from_random(bytes).to_string())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Refusal for someone who may not print here: 403 for the school's staff, 404 otherwise.
fn refuse(p: &Principal, school: SchoolId) -> AppError {
    if p.is_staff_of(school) {
        AppError::Forbidden
    } else {
        AppError::NotFound
    }
}

/// The grade's periods and the current one (or the last started).
async fn periods_of(
    c: &mut Conn<'_>,
    class: &Group,
    today: Date,
) -> Result<(Option<Period>, Vec<Period>), AppError> {
    period_of(c, class, today).await
}

/// The range asked for, checked: a period of the class's grade, or dates (at most
/// [`MAX_RANGE_DAYS`], the end not before the start), or the current period.
fn resolve_range(
    input: &RangeInput,
    periods: &[Period],
    today: Date,
) -> Result<(Option<Period>, Date, Date), AppError> {
    match (input.period, input.from, input.to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(AppError::invalid(
            "period",
            "give a period or dates (from, to), not both",
        )),
        (Some(id), None, None) => {
            let p = periods
                .iter()
                .find(|p| p.id == id)
                .ok_or_else(|| AppError::invalid("period", "no such period for this class"))?;
            Ok((Some(p.clone()), p.starts_on, p.ends_on))
        }
        (None, Some(from), Some(to)) => {
            if to < from {
                return Err(AppError::invalid("to", "the end is before the start"));
            }
            if to - from > Duration::days(MAX_RANGE_DAYS) {
                return Err(AppError::invalid(
                    "to",
                    format!("at most {MAX_RANGE_DAYS} days at a time"),
                ));
            }
            let exact = periods
                .iter()
                .find(|p| p.starts_on == from && p.ends_on == to)
                .cloned();
            Ok((exact, from, to))
        }
        (None, Some(_), None) => Err(AppError::invalid("to", "give the last day too")),
        (None, None, Some(_)) => Err(AppError::invalid("from", "give the first day too")),
        (None, None, None) => {
            let p = periods
                .iter()
                .find(|x| x.starts_on <= today && today <= x.ends_on)
                .or_else(|| periods.iter().rev().find(|x| x.starts_on <= today))
                .or_else(|| periods.first())
                .ok_or_else(|| {
                    AppError::Conflict("the class's year has no reporting periods".into())
                })?;
            Ok((Some(p.clone()), p.starts_on, p.ends_on))
        }
    }
}

/// The school of a deployment by id.
async fn school_of(c: &mut Conn<'_>, id: SchoolId) -> Result<School, AppError> {
    school_repo::list_schools(c)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound)
}

/// The class of a pupil: on the range's last day, else today, else the latest membership.
async fn class_of_pupil(
    c: &mut Conn<'_>,
    student: PersonId,
    on: &[Date],
) -> Result<Option<Group>, AppError> {
    for d in on {
        if let Some(g) = school_repo::groups_of_student(c, student, *d)
            .await?
            .into_iter()
            .find(|g| g.kind == GroupKind::Class)
        {
            return Ok(Some(g));
        }
    }
    Ok(None)
}

/// What the extract form of a pupil offers.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractOptions {
    /// The pupil.
    pub student: PersonId,
    /// "Иванов Пётр".
    pub name: String,
    /// The pupil's class.
    pub class: Group,
    /// The periods of the class's grade.
    pub periods: Vec<Period>,
    /// The current one.
    pub current: Option<Period>,
    /// The viewer prints for the school (else: a parent's own download).
    pub keeper: bool,
    /// The extracts issued for the pupil (the school's keepers only).
    pub issued: Vec<IssuedExtract>,
}

impl App {
    /// Who may have a pupil's extract: the keepers of the pupil's class (the school prints it),
    /// or a representative of the pupil with the diary consent in force (a download). The
    /// pupil's class and whether `p` is a keeper.
    async fn student_access(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        student: PersonId,
        on: &[Date],
    ) -> Result<(Group, bool), AppError> {
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let class = class_of_pupil(c, student, on).await?;
        let keeper = keeps(p, card.school, class.as_ref().map(|g| g.id));
        if !keeper {
            if p.children.iter().any(|ch| ch.student == student) {
                // The diary's gate: a parent's own child needs the diary consent.
                check(p.may_view_student(&StudentFacts {
                    student,
                    school: card.school,
                }))?;
            } else {
                return Err(refuse(p, card.school));
            }
        }
        let class = class.ok_or_else(|| {
            AppError::Conflict("the pupil is not in a class this school year".into())
        })?;
        Ok((class, keeper))
    }

    /// What a pupil's extract form offers: the class's periods; for the school, the extracts
    /// issued for the pupil.
    pub async fn extract_options(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<ExtractOptions, AppError> {
        let today = self.today();
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let (class, keeper) = self.student_access(c, p, student, &[today]).await?;
        let (current, periods) = periods_of(c, &class, today).await?;
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let issued = if keeper {
            repo::of_student(c, student).await?
        } else {
            Vec::new()
        };
        Ok(ExtractOptions {
            student,
            name: format!("{} {}", card.person.last_name, card.person.first_name),
            class,
            periods,
            current,
            keeper,
            issued,
        })
    }

    /// Who signs what `p` prints for `class`: `p` themself by their role, when they are a
    /// person of the school; else (the command line, a parent's download) the class teacher.
    async fn signer_of(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        class: &Group,
    ) -> Result<Signer, AppError> {
        let role = if p.class_teacher_of.contains(&(class.school, class.id)) {
            Some(SignerRole::ClassTeacher)
        } else if p.has_role(Role::Deputy, class.school) {
            Some(SignerRole::Deputy)
        } else if p.is_admin_of(class.school) {
            Some(SignerRole::Admin)
        } else {
            None
        };
        if let (Some(role), Some(me)) = (role, p.person)
            && let Some((_, person)) = school_repo::get_person(c, me).await?
        {
            return Ok(Signer {
                role,
                name: person.short_name(),
            });
        }
        Ok(Signer {
            role: SignerRole::ClassTeacher,
            name: class.class_teacher.clone().unwrap_or_default(),
        })
    }

    /// Checks that `p` may print for a class: its keepers. The class, when allowed.
    async fn printable_class(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        class: GroupId,
    ) -> Result<Group, AppError> {
        let g = school_repo::get_group(c, class, self.today())
            .await?
            .ok_or(AppError::NotFound)?;
        if g.kind != GroupKind::Class {
            return Err(AppError::NotFound);
        }
        if !keeps(p, g.school, Some(g.id)) {
            return Err(refuse(p, g.school));
        }
        Ok(g)
    }

    /// A class's print queue: the pupils whose families get paper, with why, and the registry
    /// of extracts issued for the class (the registry's keepers).
    #[tracing::instrument(skip_all, fields(class = %class))]
    pub async fn print_queue(&self, p: &Principal, class: GroupId) -> Result<PrintQueue, AppError> {
        // The consent registry decides who has electronic consents; it checks the keeper too.
        let registry: ClassRegistry = self.class_consents(p, class).await?;
        let today = self.today();
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let reachable: HashSet<PersonId> = repo::parents_with_verified_contact(c, class, today)
            .await?
            .into_iter()
            .collect();
        let (current, periods) = periods_of(c, &registry.class, today).await?;
        let issued = repo::of_class(c, class, REGISTRY_LIMIT).await?;
        let mut lines: Vec<QueueLine> = Vec::new();
        let mut pupils: Vec<(PersonId, String)> = Vec::new();
        for l in &registry.lines {
            if pupils.last().map(|(id, _)| *id) != Some(l.student) {
                pupils.push((l.student, l.student_name.clone()));
            }
        }
        for (student, name) in &pupils {
            let of_pupil: Vec<_> = registry
                .lines
                .iter()
                .filter(|l| l.student == *student)
                .collect();
            let electronic = |l: &tabel_store::consent::RegistryLine| {
                l.diary == Some(ConsentState::Given) && l.delivery == Some(ConsentState::Given)
            };
            let reason = if registry.paper.contains(student) {
                if of_pupil.iter().all(|l| l.parent.is_none()) {
                    PaperReason::NoRepresentative
                } else if of_pupil.iter().any(|l| {
                    matches!(
                        l.diary,
                        Some(ConsentState::Refused | ConsentState::Withdrawn)
                    ) || matches!(
                        l.delivery,
                        Some(ConsentState::Refused | ConsentState::Withdrawn)
                    )
                }) {
                    PaperReason::Refused
                } else {
                    PaperReason::NoConsent
                }
            } else if !of_pupil
                .iter()
                .any(|l| electronic(l) && l.parent.is_some_and(|x| reachable.contains(&x)))
            {
                PaperReason::NoContact
            } else {
                continue;
            };
            lines.push(QueueLine {
                student: *student,
                name: name.clone(),
                reason,
                last_issued: issued.iter().find(|e| e.student == *student).cloned(),
            });
        }
        Ok(PrintQueue {
            class: registry.class,
            periods,
            current,
            lines,
            pupils,
            issued,
        })
    }

    /// Issues extracts: checks who asks, gathers the data of the pupils (the whole class in a
    /// fixed handful of queries), gives each extract a verification code, renders the PDF with
    /// `render` on a blocking thread, then records every extract (with the PDF's SHA-256), the
    /// audit record and the outbox event in one transaction. Nothing is recorded when
    /// rendering fails.
    #[tracing::instrument(skip_all, fields(target = ?target))]
    pub async fn issue_extracts<F>(
        &self,
        p: &Principal,
        target: Target,
        req: &ExtractRequest,
        client: &Client,
        render: F,
    ) -> Result<Issued, AppError>
    where
        F: FnOnce(&ExtractBatch) -> Result<Vec<u8>, String> + Send + 'static,
    {
        let batch = self.prepare_extracts(p, &target, req).await?;
        self.finish_extracts(p, batch, req, client, render).await
    }

    /// What the command line prints for a class or a pupil: as the school's operator
    /// (administrator rights, no user: the audit names no actor).
    pub async fn system_issue_extracts<F>(
        &self,
        target: Target,
        req: &ExtractRequest,
        render: F,
    ) -> Result<Issued, AppError>
    where
        F: FnOnce(&ExtractBatch) -> Result<Vec<u8>, String> + Send + 'static,
    {
        let school = {
            let mut pooled = self.db.acquire().await?;
            let c = &mut pooled.conn();
            match &target {
                Target::Student(s) => {
                    school_repo::get_student(c, *s)
                        .await?
                        .ok_or(AppError::NotFound)?
                        .school
                }
                Target::Class { class, .. } => {
                    school_repo::get_group(c, *class, self.today())
                        .await?
                        .ok_or(AppError::NotFound)?
                        .school
                }
            }
        };
        let p = operator(school);
        let batch = self.prepare_extracts(&p, &target, req).await?;
        self.finish_extracts(&p, batch, req, &Client::cli(), render)
            .await
    }

    async fn prepare_extracts(
        &self,
        p: &Principal,
        target: &Target,
        req: &ExtractRequest,
    ) -> Result<ExtractBatch, AppError> {
        let handed_to = req.handed_to.trim();
        if handed_to.chars().count() > MAX_HANDED_TO {
            return Err(AppError::invalid(
                "handed_to",
                format!("at most {MAX_HANDED_TO} characters"),
            ));
        }
        let today = self.today();
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let (class, only, channel, paper_only) = match target {
            Target::Class { class, only_paper } => (
                self.printable_class(c, p, *class).await?,
                None,
                "paper",
                *only_paper,
            ),
            Target::Student(student) => {
                let on: Vec<Date> = [req.range.to, Some(today)].into_iter().flatten().collect();
                let (class, keeper) = self.student_access(c, p, *student, &on).await?;
                (
                    class,
                    Some(*student),
                    if keeper { "paper" } else { "download" },
                    false,
                )
            }
        };
        let (current, periods) = periods_of(c, &class, today).await?;
        let (period, from, to) = resolve_range(&req.range, &periods, today)?;
        // The forecast is for the current period, when the range reaches it.
        let forecast_period = current
            .clone()
            .filter(|cp| cp.starts_on <= to && from <= cp.ends_on);
        let mut fetch = (from, to);
        if let Some(fp) = &forecast_period {
            fetch = (fetch.0.min(fp.starts_on), fetch.1.max(fp.ends_on));
        }
        if req.homework {
            fetch.0 = fetch.0.min(from - Duration::days(HOMEWORK_LOOKBACK_DAYS));
        }
        let school = school_of(c, class.school).await?;
        let year = tabel_store::finals::year(c, class.year)
            .await?
            .map(|(label, _, _)| label)
            .unwrap_or_default();
        let subjects = school_repo::list_subjects(c, class.school).await?;
        let policy = self.policy_of(c, class.school).await?;
        let mut pupils = repo::pupils(c, class.id, (from, to), only).await?;
        if paper_only {
            drop(pooled);
            let queue = self.print_queue(p, class.id).await?;
            let paper: HashSet<PersonId> = queue.lines.iter().map(|l| l.student).collect();
            pupils.retain(|x| paper.contains(&x.id));
            pooled = self.db.acquire().await?;
        }
        let c = &mut pooled.conn();
        let groups = repo::memberships(c, class.id, fetch, only).await?;
        let lessons = repo::lessons(c, class.id, fetch, only).await?;
        let marks = repo::marks(c, class.id, fetch, only).await?;
        let attendance = repo::attendance(c, class.id, fetch, only).await?;
        let recommendations = repo::recommendations(c, class.id, (from, to), only).await?;
        let finals = repo::finals(c, class.id, class.year, (from, to), only).await?;
        let signer = self.signer_of(c, p, &class).await?;
        drop(pooled);

        let gathered = Gathered {
            groups,
            lessons,
            marks,
            attendance,
            recommendations,
            finals,
        };
        let zone = &self.config.time_zone;
        let mut work_types: BTreeMap<String, (String, u8)> = BTreeMap::new();
        let mut slots_seen: HashSet<String> = HashSet::new();
        let mut out = Vec::with_capacity(pupils.len());
        for pupil in pupils {
            let e = gathered.pupil_extract(
                pupil,
                &subjects,
                &policy.policy,
                (from, to),
                forecast_period.as_ref(),
                today,
                req.homework,
                zone,
            );
            // The legend names every work type printed: those of the marks, and those the
            // forecast asks for («для «5» нужно 2 отметки «5» (ПР)»).
            let marked = e
                .subjects
                .iter()
                .flat_map(|s| &s.marks)
                .map(|m| (&m.work_type, m.weight));
            let needed = e
                .forecast
                .iter()
                .flat_map(|f| [&f.forecast.next_up, &f.forecast.avoid_two])
                .flatten()
                .map(|n| (&n.work_type, 0));
            for (code, weight) in marked.chain(needed) {
                if !work_types.contains_key(code) {
                    let (name, weight) = policy
                        .policy
                        .work_type(code)
                        .map_or_else(|| (code.clone(), weight), |w| (w.name.clone(), w.weight));
                    work_types.insert(code.clone(), (name, weight));
                }
            }
            slots_seen.extend(e.finals.iter().map(|f| f.slot.clone()));
            out.push(e);
        }
        // Final-mark columns: the periods begun by the range's end, then the year, exam and
        // итоговая when any pupil has one.
        let mut final_slots: Vec<String> = periods
            .iter()
            .filter(|x| x.starts_on <= to)
            .map(|x| tabel_store::finals::Slot::Period(x.id).code())
            .collect();
        for s in ["year", "exam", "final"] {
            if slots_seen.contains(s) {
                final_slots.push(s.to_owned());
            }
        }
        let mut seen_codes: HashSet<String> = HashSet::new();
        for e in &mut out {
            loop {
                let code = new_code()?;
                if seen_codes.insert(code.clone()) {
                    e.code = code;
                    break;
                }
            }
        }
        Ok(ExtractBatch {
            school,
            class,
            year,
            period,
            periods,
            from,
            to,
            forecast_period,
            final_slots,
            work_types,
            with_homework: req.homework,
            today,
            signer,
            batch: new_code()?,
            channel,
            pupils: out,
        })
    }

    async fn finish_extracts<F>(
        &self,
        p: &Principal,
        batch: ExtractBatch,
        req: &ExtractRequest,
        client: &Client,
        render: F,
    ) -> Result<Issued, AppError>
    where
        F: FnOnce(&ExtractBatch) -> Result<Vec<u8>, String> + Send + 'static,
    {
        if batch.pupils.is_empty() {
            return Err(AppError::Conflict(
                "nobody to print: no pupil of the class is in this list for these dates".into(),
            ));
        }
        // Typesetting takes a core: a few documents at once, the rest wait their turn.
        let (batch, pdf) = self
            .run_bounded(move || {
                let pdf = render(&batch);
                (batch, pdf)
            })
            .await?;
        let pdf = pdf.map_err(AppError::Internal)?;
        let sha256 = sha256_hex(&pdf);
        let actor = (p.user.get() != 0).then_some(p.user);
        let handed_to = match batch.channel {
            // A parent's own download: handed to them by the act.
            "download" => match p.person {
                Some(me) => {
                    let mut c = self.db.acquire().await?;
                    school_repo::get_person(&mut c.conn(), me)
                        .await?
                        .map(|(_, x)| x.full_name())
                        .unwrap_or_default()
                }
                None => String::new(),
            },
            _ => req.handed_to.trim().to_owned(),
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let mut codes = Vec::with_capacity(batch.pupils.len());
        for e in &batch.pupils {
            let content = serde_json::to_vec(e).map_err(|x| AppError::Internal(x.to_string()))?;
            let row = repo::NewExtract {
                school: batch.class.school,
                code: &e.code,
                batch: &batch.batch,
                student: e.pupil.id,
                class: Some(batch.class.id),
                period: batch.period.as_ref().map(|x| x.id),
                from: batch.from,
                to: batch.to,
                with_homework: batch.with_homework,
                channel: batch.channel,
                pdf_sha256: &sha256,
                content_sha256: &sha256_hex(&content),
                signer: &batch.signer.name,
                issued_by: actor,
                issued_at: now,
                handed_to: &handed_to,
            };
            repo::insert(c, &row).await.map_err(|e| match e {
                StoreError::Duplicate(_) => {
                    AppError::Conflict("a verification code was taken; print again".into())
                }
                other => other.into(),
            })?;
            codes.push((e.pupil.id, e.code.clone()));
        }
        let after = serde_json::json!({
            "batch": batch.batch, "class_id": batch.class.id.to_string(),
            "period_id": batch.period.as_ref().map(|x| x.id.to_string()),
            "from": batch.from.to_string(), "to": batch.to.to_string(),
            "channel": batch.channel, "with_homework": batch.with_homework,
            "pdf_sha256": sha256, "handed_to": handed_to,
            "extracts": codes.iter().map(|(s, code)| serde_json::json!({"student_id": s.to_string(), "code": code})).collect::<Vec<_>>(),
        });
        audit::append(
            c,
            &AuditEntry {
                chain: batch.class.school.get(),
                at: now,
                actor: actor.map(UserId::get),
                action: "extract.issue",
                entity: "extract_batch",
                entity_id: batch.batch.clone(),
                before: None,
                after: Some(after.clone()),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        outbox::emit(c, Some(batch.class.school), "extracts.issued", &after, now).await?;
        tx.commit().await?;
        Ok(Issued {
            pdf,
            sha256,
            batch: batch.batch,
            codes,
            class_name: batch.class.name,
        })
    }

    /// Records to whom the paper of an extract was handed (the registry's keepers of its
    /// class): audited, with an outbox event.
    pub async fn set_extract_handed_to(
        &self,
        p: &Principal,
        code: &ExtractCode,
        handed_to: &str,
        client: &Client,
    ) -> Result<IssuedExtract, AppError> {
        let code = code.as_str();
        let handed_to = handed_to.trim();
        if handed_to.chars().count() > MAX_HANDED_TO || handed_to.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "handed_to",
                format!("at most {MAX_HANDED_TO} characters on one line"),
            ));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let e = repo::by_code(c, code).await?.ok_or(AppError::NotFound)?;
        if !keeps(p, e.school, e.class) {
            return Err(refuse(p, e.school));
        }
        let actor = (p.user.get() != 0).then_some(p.user);
        repo::set_handed_to(c, e.id, handed_to, actor, now).await?;
        let after = serde_json::json!({"code": e.code, "student_id": e.student.to_string(), "handed_to": handed_to});
        audit::append(
            c,
            &AuditEntry {
                chain: e.school.get(),
                at: now,
                actor: actor.map(UserId::get),
                action: "extract.handed",
                entity: "extract",
                entity_id: e.code.clone(),
                before: Some(serde_json::json!({"handed_to": e.handed_to})),
                after: Some(after.clone()),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        outbox::emit(c, Some(e.school), "extract.handed", &after, now).await?;
        let updated = repo::by_code(c, code).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The extracts issued for a class (its registry's keepers), newest first.
    pub async fn class_extracts(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<Vec<IssuedExtract>, AppError> {
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        self.printable_class(c, p, class).await?;
        Ok(repo::of_class(c, class, REGISTRY_LIMIT).await?)
    }

    /// Whether an extract with this code was issued — for anyone, no login: the school, when,
    /// the dates and the hashes, the pupil's initials; never a mark. `NotFound` for a code
    /// never issued (or not a code at all).
    pub async fn verify_extract(&self, code: &ExtractCode) -> Result<Verification, AppError> {
        let code = code.as_str();
        let mut pooled = self.db.acquire().await?;
        let e = repo::by_code(&mut pooled.conn(), code)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Verification {
            code: e.code,
            school: e.school_name,
            issued_at: e.issued_at,
            initials: e.student_initials,
            class_name: e.class_name,
            from: e.from,
            to: e.to,
            channel: e.channel,
            pdf_sha256: e.pdf_sha256,
            content_sha256: e.content_sha256,
        })
    }

    /// The summary sheet with the school, year and signer for its print (who may read the
    /// sheet: administrators, deputy heads, the class teacher).
    pub async fn summary_document(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<SummaryDocument, AppError> {
        let sheet = self.summary_sheet(p, class).await?;
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let school = school_of(c, sheet.class.school).await?;
        let year = tabel_store::finals::year(c, sheet.class.year)
            .await?
            .map(|(label, _, _)| label)
            .unwrap_or_default();
        let signer = self.signer_of(c, p, &sheet.class).await?;
        Ok(SummaryDocument {
            sheet,
            school,
            year,
            today: self.today(),
            signer,
        })
    }

    /// A class's journals of its year for the archive print (administrators, deputy heads, the
    /// class teacher): every lesson with topic and homework, marks, attendance, averages and
    /// final marks, gathered in a fixed handful of queries for the whole class. `only` keeps
    /// one journal (group, subject).
    #[tracing::instrument(skip_all, fields(class = %class))]
    pub async fn class_archive(
        &self,
        p: &Principal,
        class: GroupId,
        only: Option<(GroupId, SubjectId)>,
    ) -> Result<ClassArchive, AppError> {
        let today = self.today();
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let g = self.printable_class(c, p, class).await?;
        let (label, first, last) = tabel_store::finals::year(c, g.year)
            .await?
            .ok_or(AppError::NotFound)?;
        let range = (first, last);
        let (_, periods) = periods_of(c, &g, today).await?;
        let journals = tabel_store::journal::journals_of_class(c, class).await?;
        if let Some((group, subject)) = only
            && !journals
                .iter()
                .any(|j| j.group == group && j.subject == subject)
        {
            return Err(AppError::NotFound);
        }
        let lessons = repo::journal_lessons(c, class, range).await?;
        let marks = repo::journal_marks(c, class, range).await?;
        let attendance = repo::journal_attendance(c, class, range).await?;
        let members = repo::journal_members(c, class, range).await?;
        let finals = repo::journal_finals(c, class, g.year).await?;
        let policy = self.policy_of(c, g.school).await?;
        let school = school_of(c, g.school).await?;
        let signer = self.signer_of(c, p, &g).await?;
        drop(pooled);

        // One journal per (group, subject), its teachers gathered.
        let mut keys: Vec<(GroupId, SubjectId)> = Vec::new();
        let mut names: HashMap<(GroupId, SubjectId), (String, String, Vec<String>)> =
            HashMap::new();
        for j in journals {
            let key = (j.group, j.subject);
            if only.is_some_and(|o| o != key) {
                continue;
            }
            let entry = names.entry(key).or_insert_with(|| {
                keys.push(key);
                (j.group_name.clone(), j.subject_name.clone(), Vec::new())
            });
            if !entry.2.contains(&j.teacher_name) {
                entry.2.push(j.teacher_name.clone());
            }
        }
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let (group_name, subject_name, teachers) = names.remove(&key).unwrap_or_default();
            let (group, subject) = key;
            let j_lessons: Vec<LessonFact> = lessons
                .iter()
                .filter(|l| l.group == group && l.subject == subject)
                .cloned()
                .collect();
            let ids: HashSet<i64> = j_lessons.iter().map(|l| l.id).collect();
            let j_marks: Vec<MarkFact> = marks
                .iter()
                .filter(|m| m.group == group && m.subject == subject)
                .cloned()
                .collect();
            let j_attendance: Vec<AbsenceFact> = attendance
                .iter()
                .filter(|a| ids.contains(&a.lesson))
                .cloned()
                .collect();
            let pupils: Vec<Pupil> = members
                .iter()
                .filter(|m| m.group == group)
                .map(|m| m.pupil.clone())
                .collect();
            let mut averages: HashMap<(PersonId, PeriodId), Average> = HashMap::new();
            for m in &j_marks {
                let Some(period) = periods
                    .iter()
                    .find(|x| x.starts_on <= m.on && m.on <= x.ends_on)
                else {
                    continue;
                };
                if let Ok(mark) = policy.policy.parse_mark(&m.value, subject.get()) {
                    averages
                        .entry((m.student, period.id))
                        .or_default()
                        .add(mark, m.weight);
                }
            }
            let members_of: HashSet<PersonId> = pupils.iter().map(|x| x.id).collect();
            let j_finals: HashMap<(PersonId, String), String> = finals
                .iter()
                .filter(|f| f.subject == subject && members_of.contains(&f.student))
                .map(|f| ((f.student, f.slot.clone()), f.value.clone()))
                .collect();
            out.push(ArchivedJournal {
                group,
                group_name,
                subject,
                subject_name,
                teachers,
                pupils,
                lessons: j_lessons,
                marks: j_marks,
                attendance: j_attendance,
                averages,
                finals: j_finals,
            });
        }
        Ok(ClassArchive {
            school,
            class: g,
            year: label,
            periods,
            journals: out,
            today,
            signer,
        })
    }

    /// The classes of a school's year named "2026/2027" (for the archive on the command line):
    /// the school (the only one, or `school`) and its classes.
    pub async fn system_year_classes(
        &self,
        school: Option<SchoolId>,
        year: &str,
    ) -> Result<(SchoolId, Vec<Group>), AppError> {
        let start: i32 = year
            .split('/')
            .next()
            .and_then(|y| y.trim().parse().ok())
            .filter(|y| (1990..=2100).contains(y))
            .ok_or_else(|| {
                AppError::invalid("year", format!("{year:?}: write the year as 2026/2027"))
            })?;
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let schools = school_repo::list_schools(c).await?;
        let school = match (school, schools.as_slice()) {
            (Some(s), _) if schools.iter().any(|x| x.id == s) => s,
            (Some(_), _) => return Err(AppError::invalid("school", "no such school")),
            (None, [one]) => one.id,
            (None, []) => return Err(AppError::invalid("school", "the database holds no school")),
            (None, many) => {
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
        };
        let on = Date::from_calendar_date(start, time::Month::September, 1)
            .map_err(|_| AppError::invalid("year", "write the year as 2026/2027"))?;
        let y = school_repo::academic_year_on(c, school, on)
            .await?
            .filter(|y| y.label.starts_with(&start.to_string()))
            .ok_or_else(|| AppError::invalid("year", format!("the school has no year {year}")))?;
        let classes = school_repo::list_groups(c, y.id, y.ends_on, Some(GroupKind::Class)).await?;
        Ok((school, classes))
    }

    /// A class by name in a school's current year (the command line's `--class 5А`).
    pub async fn system_class_by_name(
        &self,
        school: Option<SchoolId>,
        name: &str,
    ) -> Result<Group, AppError> {
        let today = self.today();
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let schools = school_repo::list_schools(c).await?;
        let candidates: Vec<SchoolId> = match school {
            Some(s) => vec![s],
            None => schools.iter().map(|s| s.id).collect(),
        };
        let mut found = Vec::new();
        for s in candidates {
            let Some(year) = school_repo::academic_year_on(c, s, today).await? else {
                continue;
            };
            found.extend(
                school_repo::list_groups(c, year.id, today, Some(GroupKind::Class))
                    .await?
                    .into_iter()
                    .filter(|g| g.name.eq_ignore_ascii_case(name.trim())),
            );
        }
        match found.len() {
            0 => Err(AppError::invalid(
                "class",
                format!("no class {name:?} this year"),
            )),
            1 => Ok(found.remove(0)),
            _ => Err(AppError::invalid(
                "class",
                format!("{name:?} is in several schools: choose one with --school"),
            )),
        }
    }
}

/// The console's operator acts as the school's administrator, with no user of its own.
pub fn operator(school: SchoolId) -> Principal {
    Principal {
        user: UserId::new(0),
        person: None,
        grants: vec![(Role::Admin, school)],
        class_teacher_of: Vec::new(),
        children: Vec::new(),
        student_in: None,
    }
}

/// The class's data of one print run, matched to pupils in memory.
struct Gathered {
    groups: Vec<PupilGroup>,
    lessons: Vec<LessonFact>,
    marks: Vec<MarkFact>,
    attendance: Vec<AbsenceFact>,
    recommendations: Vec<RecommendationFact>,
    finals: Vec<FinalFact>,
}

impl Gathered {
    #[allow(clippy::too_many_arguments)]
    fn pupil_extract(
        &self,
        pupil: Pupil,
        subjects: &[tabel_store::school::Subject],
        policy: &tabel_domain::journal::GradingPolicy,
        (from, to): (Date, Date),
        forecast_period: Option<&Period>,
        today: Date,
        with_homework: bool,
        zone: &tabel_domain::calendar::TimeZoneName,
    ) -> PupilExtract {
        let id = pupil.id;
        let groups: Vec<&PupilGroup> = self.groups.iter().filter(|g| g.student == id).collect();
        let mine = |l: &&LessonFact| groups.iter().any(|g| g.group == l.group && g.covers(l.on));
        let lessons: Vec<&LessonFact> = self.lessons.iter().filter(mine).collect();
        let held_by = to.min(today);
        let held = |l: &LessonFact| l.status != LessonStatus::Cancelled.code() && l.on <= held_by;
        let in_range = |d: Date| from <= d && d <= to;
        let absences: HashMap<i64, &AbsenceFact> = self
            .attendance
            .iter()
            .filter(|a| a.student == id)
            .map(|a| (a.lesson, a))
            .collect();

        let mut attendance = AttendanceSummary::default();
        let mut per_subject: HashMap<SubjectId, (u32, u32)> = HashMap::new();
        for l in lessons.iter().filter(|l| in_range(l.on)) {
            let counted = held(l);
            if counted {
                attendance.lessons += 1;
                per_subject.entry(l.subject).or_default().0 += 1;
            }
            let Some(kind) = absences
                .get(&l.id)
                .and_then(|a| Attendance::from_code(&a.code).ok())
            else {
                continue;
            };
            match kind {
                Attendance::Ill => attendance.ill += 1,
                Attendance::Excused => attendance.excused += 1,
                Attendance::Unexcused => attendance.unexcused += 1,
                Attendance::Late => attendance.late += 1,
            }
            if kind.is_absence() && counted {
                per_subject.entry(l.subject).or_default().1 += 1;
            }
        }
        let mut marks_by: HashMap<SubjectId, Vec<MarkFact>> = HashMap::new();
        for m in self
            .marks
            .iter()
            .filter(|m| m.student == id && in_range(m.on))
        {
            marks_by.entry(m.subject).or_default().push(m.clone());
        }
        let mut lines = Vec::new();
        for s in subjects {
            let marks = marks_by.remove(&s.id).unwrap_or_default();
            let (lessons_held, missed) = per_subject.get(&s.id).copied().unwrap_or_default();
            if marks.is_empty() && lessons_held == 0 {
                continue;
            }
            let mut average = Average::default();
            for m in &marks {
                if let Ok(mark) = policy.parse_mark(&m.value, s.id.get()) {
                    average.add(mark, m.weight);
                }
            }
            lines.push(SubjectLine {
                subject: s.id,
                name: s.name.clone(),
                marks,
                average,
                lessons: lessons_held,
                missed,
            });
        }

        // The forecast: the period's facts so far and the lessons left, as the diary's.
        let mut forecast = Vec::new();
        if let Some(fp) = forecast_period {
            let in_fp = |d: Date| fp.starts_on <= d && d <= fp.ends_on;
            let mut facts: BTreeMap<SubjectId, (PeriodFacts, u32)> = BTreeMap::new();
            for l in lessons.iter().filter(|l| in_fp(l.on)) {
                let e = facts.entry(l.subject).or_default();
                if l.status == LessonStatus::Cancelled.code() {
                    continue;
                }
                if l.on <= today {
                    e.0.lessons_held += 1;
                    let missed = absences.get(&l.id).is_some_and(|a| {
                        Attendance::from_code(&a.code).ok().is_some_and(|c| {
                            c.missed_lesson(a.minutes_late.unwrap_or(0), LESSON_MINUTES)
                        })
                    });
                    if missed {
                        e.0.lessons_missed += 1;
                    }
                } else {
                    e.1 += 1;
                }
            }
            for m in self.marks.iter().filter(|m| m.student == id && in_fp(m.on)) {
                let e = facts.entry(m.subject).or_default();
                match policy.parse_mark(&m.value, m.subject.get()) {
                    Ok(Mark::Pass) => e.0.passes += 1,
                    Ok(Mark::Fail) => e.0.fails += 1,
                    Ok(mark) => {
                        e.0.has_two |= mark.has_two();
                        e.0.average.add(mark, m.weight);
                    }
                    Err(_) => {}
                }
            }
            for s in subjects {
                let Some((f, left)) = facts.remove(&s.id) else {
                    continue;
                };
                let scale = policy.scale_of(s.id.get());
                forecast.push(SubjectForecast {
                    subject: s.id,
                    subject_name: s.name.clone(),
                    average: f.average.display(),
                    marks: f.average.count + f.passes + f.fails,
                    forecast: rules::forecast(policy, scale, &f, left),
                });
            }
        }

        let names: HashMap<SubjectId, &str> =
            subjects.iter().map(|s| (s.id, s.name.as_str())).collect();
        let homework = if with_homework {
            let mut items: Vec<HomeworkLine> = lessons
                .iter()
                .filter(|l| {
                    l.status != LessonStatus::Cancelled.code() && !l.homework.trim().is_empty()
                })
                .filter_map(|l| {
                    let due = l.homework_due_on.unwrap_or(l.on);
                    in_range(due).then(|| HomeworkLine {
                        due,
                        subject: names
                            .get(&l.subject)
                            .copied()
                            .unwrap_or_default()
                            .to_owned(),
                        text: l.homework.clone(),
                    })
                })
                .collect();
            items.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.subject.cmp(&b.subject)));
            items
        } else {
            Vec::new()
        };
        PupilExtract {
            code: String::new(),
            subjects: lines,
            attendance,
            finals: self
                .finals
                .iter()
                .filter(|f| f.student == id && f.published)
                .cloned()
                .collect(),
            forecast,
            recommendations: self
                .recommendations
                .iter()
                .filter(|r| r.student == id && in_range(zone.local_date(r.created_at)))
                // In the school's local time: the date printed is the one on its wall.
                .map(|r| RecommendationFact {
                    created_at: zone.local(r.created_at),
                    ..r.clone()
                })
                .collect(),
            homework,
            pupil,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recommendation_is_dated_by_the_schools_clock() {
        // Written at 22:30 UTC on 25 November: 01:30 on the 26th in Moscow.
        let written = time::macros::datetime!(2026-11-25 22:30 UTC);
        let pupil = Pupil {
            id: PersonId::new(7),
            last_name: "Петров".into(),
            first_name: "Иван".into(),
            middle_name: None,
            birth_date: None,
            from: time::macros::date!(2026 - 09 - 01),
            to: None,
        };
        let gathered = Gathered {
            groups: Vec::new(),
            lessons: Vec::new(),
            marks: Vec::new(),
            attendance: Vec::new(),
            recommendations: vec![RecommendationFact {
                student: pupil.id,
                subject_name: None,
                teacher_name: "Смирнова Е. В.".into(),
                body: "Повторить дроби".into(),
                created_at: written,
            }],
            finals: Vec::new(),
        };
        let zone = tabel_domain::calendar::TimeZoneName::parse("Europe/Moscow").unwrap();
        let day = time::macros::date!(2026 - 11 - 26);
        let e = gathered.pupil_extract(
            pupil,
            &[],
            &tabel_domain::journal::GradingPolicy::default(),
            (day, day),
            None,
            day,
            false,
            &zone,
        );
        assert_eq!(e.recommendations.len(), 1, "the 26th in Moscow");
        assert_eq!(e.recommendations[0].created_at.date(), day);
        assert_eq!(e.recommendations[0].created_at, written, "the same instant");
    }

    #[test]
    fn fresh_codes_are_in_their_stored_form() {
        for _ in 0..200 {
            let code = new_code().unwrap();
            assert_eq!(ExtractCode::parse(&code).map(|c| c.to_string()), Some(code));
        }
    }

    fn period(id: i64, from: Date, to: Date) -> Period {
        Period {
            id: PeriodId::new(id),
            kind: tabel_domain::school::PeriodKind::Quarter,
            number: u8::try_from(id).unwrap(),
            starts_on: from,
            ends_on: to,
            locked_at: None,
        }
    }

    #[test]
    fn a_range_is_a_period_or_dates_in_order_or_the_current_period() {
        use time::macros::date;
        let periods = vec![
            period(1, date!(2026 - 09 - 01), date!(2026 - 10 - 25)),
            period(2, date!(2026 - 11 - 05), date!(2026 - 12 - 28)),
        ];
        let today = date!(2026 - 11 - 28);
        let none = RangeInput::default();
        assert_eq!(
            resolve_range(&none, &periods, today).unwrap().1,
            date!(2026 - 11 - 05)
        );
        let p1 = RangeInput {
            period: Some(PeriodId::new(1)),
            ..RangeInput::default()
        };
        let (p, from, to) = resolve_range(&p1, &periods, today).unwrap();
        assert_eq!(
            (p.unwrap().id.get(), from, to),
            (1, date!(2026 - 09 - 01), date!(2026 - 10 - 25))
        );
        let backwards = RangeInput {
            period: None,
            from: Some(date!(2026 - 11 - 20)),
            to: Some(date!(2026 - 11 - 10)),
        };
        match resolve_range(&backwards, &periods, today) {
            Err(AppError::Invalid(e)) => assert!(e.contains_key("to")),
            other => panic!("{other:?}"),
        }
        let both = RangeInput {
            period: Some(PeriodId::new(1)),
            from: Some(today),
            to: Some(today),
        };
        assert!(matches!(
            resolve_range(&both, &periods, today),
            Err(AppError::Invalid(_))
        ));
        let unknown = RangeInput {
            period: Some(PeriodId::new(9)),
            ..RangeInput::default()
        };
        assert!(matches!(
            resolve_range(&unknown, &periods, today),
            Err(AppError::Invalid(_))
        ));
        let long = RangeInput {
            period: None,
            from: Some(date!(2025 - 01 - 01)),
            to: Some(date!(2026 - 11 - 10)),
        };
        assert!(matches!(
            resolve_range(&long, &periods, today),
            Err(AppError::Invalid(_))
        ));
        let exact = RangeInput {
            period: None,
            from: Some(date!(2026 - 11 - 05)),
            to: Some(date!(2026 - 12 - 28)),
        };
        assert_eq!(
            resolve_range(&exact, &periods, today)
                .unwrap()
                .0
                .unwrap()
                .id
                .get(),
            2
        );
    }
}
