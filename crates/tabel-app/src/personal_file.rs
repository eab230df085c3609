//! The personal file (личное дело) of a pupil who moves to another school: issued here as a
//! machine-readable document ([`tabel_domain::personal_file`]) or as a PDF, each with a
//! verification code registered like the extracts' (`/verify/{code}`), and imported from
//! another deployment so that the receiving school's record shows the earlier years.
//!
//! Who issues: the school's administrators and deputy heads — the file leaves the school with
//! everything the record holds, so it is the office's act, not the class teacher's (who reads
//! the record but is refused the file: 403). Who imports: the receiving school's
//! administrators. Both are audited.
//!
//! A received file is kept as received (checked and canonical). The record shows the years of
//! the latest issued file a pupil received (a newer file from the sending school supersedes an
//! older one, which stays listed); the same file imported twice is kept once.

use crate::extracts::Verification;
use crate::record::{FinalEntry, SubjectLine, YearRecord};
use crate::{App, AppError, Client, check};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tabel_domain::access::{Decision, Principal, StudentFacts};
use tabel_domain::debts::{DebtState, debt_stage};
use tabel_domain::exams::ExamMark;
use tabel_domain::extract::ExtractCode;
use tabel_domain::finals::{FinalValue, Slot};
use tabel_domain::personal_file::{
    FORMAT, FileAttendance, FileClass, FileDebt, FileDeferral, FileError, FileExam, FileMark,
    FilePupil, FileRetake, FileSchool, FileSubject, FileYear, PersonalFile, VERSION, exam_kind,
    parse_date, parse_instant,
};
use tabel_domain::record::{
    EducationLevel, RecordClass, RecordDebt, RecordDeferral, RecordExam, RecordReader, RecordRetake,
};
use tabel_domain::school::{PeriodKind, Role};
use tabel_domain::text::sort_key;
use tabel_domain::{
    AcademicYearId, DebtId, DeferralId, ExamResultId, GroupId, PeriodId, PersonId, SchoolId,
    SubjectId, UserId,
};
use tabel_present::rfc3339;
use tabel_reports::docs::{PersonalFileDoc, PersonalFileYear, SchoolHeader, Signer};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::personal_file as repo;
use tabel_store::school as school_repo;
use tabel_store::{Conn, StoreError};
use time::{Date, OffsetDateTime};

/// At most this many files kept for one pupil (each import of a new file adds one).
pub const MAX_RECEIVED: i64 = 20;

/// Where an imported year of the record comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordSource {
    /// The school that issued the file.
    pub school: String,
    /// The file's verification code.
    pub code: String,
}

/// A file received for the pupil, as the record page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedSummary {
    /// The file's code.
    pub code: String,
    /// The sending school.
    pub school: String,
    /// When issued there.
    pub issued_at: OffsetDateTime,
    /// When imported here.
    pub imported_at: OffsetDateTime,
    /// Who imported it.
    pub imported_by: String,
    /// The years it covers, "2023/2024 – 2025/2026".
    pub years: String,
    /// Whether the record shows its years (the latest issued one).
    pub shown: bool,
}

/// An issued personal file: the document, and the PDF when one was asked for.
#[derive(Debug, Clone)]
pub struct IssuedFile {
    /// The document (with its code and checksum).
    pub file: PersonalFile,
    /// The PDF.
    pub pdf: Option<Vec<u8>>,
    /// A file name without extension: "personal-file-Иванов-Иван".
    pub name: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// The file's code.
    pub code: String,
    /// Its checksum.
    pub sha256: String,
    /// The sending school.
    pub school: String,
    /// How many years it carries.
    pub years: usize,
    /// False when the pupil had this very file already (nothing was written).
    pub created: bool,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn new_code() -> Result<String, AppError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("random source: {e}")))?;
    Ok(ExtractCode::from_random(bytes).to_string())
}

fn shown(code: &str) -> String {
    FinalValue::from_code(code).map_or_else(|| code.to_owned(), |v| v.to_string())
}

/// A slot as the file names it: `period`, `year`, `exam`, `final`.
fn file_slot(slot: Slot) -> &'static str {
    match slot {
        Slot::Period(_) => "period",
        Slot::Year => "year",
        Slot::Exam => "exam",
        Slot::Final => "final",
    }
}

/// A deferral's or debt's slot code (`p12`, `year`) as the file names it.
fn file_slot_code(code: &str) -> String {
    Slot::parse(code).map_or_else(|| code.to_owned(), |s| file_slot(s).to_owned())
}

fn period_parts(p: Option<(PeriodKind, u8)>) -> (Option<String>, Option<u8>) {
    (p.map(|(k, _)| k.code().to_owned()), p.map(|(_, n)| n))
}

fn period_of(kind: Option<&str>, number: Option<u8>) -> Option<(PeriodKind, u8)> {
    Some((PeriodKind::from_code(kind?).ok()?, number?))
}

fn mark_of(e: &FinalEntry) -> Option<FileMark> {
    let (period_kind, period_number) = period_parts(e.period);
    if matches!(e.slot, Slot::Period(_)) && e.period.is_none() {
        // A period's mark whose period is not known cannot be placed elsewhere.
        return None;
    }
    Some(FileMark {
        slot: file_slot(e.slot).to_owned(),
        period_kind,
        period_number,
        code: e.code.clone(),
        shown: e.shown.clone(),
        set_at: rfc3339(e.set_at),
        published_at: e.published_at.map(rfc3339),
    })
}

/// A year of the record as the file carries it.
fn file_year(y: &YearRecord, attendance: FileAttendance) -> FileYear {
    FileYear {
        start_year: y.start_year,
        label: y.label.clone(),
        grade: y.grade,
        classes: y
            .classes
            .iter()
            .map(|c| FileClass {
                school: c.school_name.clone(),
                name: c.name.clone(),
                grade: c.grade,
                from: c.from.to_string(),
                to: c.to.map(|d| d.to_string()),
            })
            .collect(),
        subjects: y
            .subjects
            .iter()
            .map(|s| FileSubject {
                name: s.name.clone(),
                order: s.order,
                marks: s.entries().filter_map(mark_of).collect(),
            })
            .collect(),
        exams: y
            .exams
            .iter()
            .map(|e| FileExam {
                exam: e.exam.code().to_owned(),
                subject: e.subject_name.clone(),
                taken_on: e.taken_on.map(|d| d.to_string()),
                score: e.score,
                mark: e.mark.code(),
                received_at: rfc3339(e.received_at),
                published_at: e.published_at.map(rfc3339),
            })
            .collect(),
        deferrals: y
            .deferrals
            .iter()
            .map(|d| {
                let (period_kind, period_number) = period_parts(d.period);
                FileDeferral {
                    subject: d.subject_name.clone(),
                    slot: file_slot_code(&d.slot),
                    period_kind,
                    period_number,
                    starts_on: d.starts_on.to_string(),
                    ends_on: d.ends_on.to_string(),
                    basis: d.basis.clone(),
                    state: d.state.clone(),
                }
            })
            .collect(),
        debts: y
            .debts
            .iter()
            .map(|d| {
                let (period_kind, period_number) = period_parts(d.period);
                FileDebt {
                    subject: d.subject_name.clone(),
                    slot: file_slot_code(&d.slot),
                    period_kind,
                    period_number,
                    arisen_on: d.arisen_on.to_string(),
                    deadline: d.deadline.to_string(),
                    state: d.state.clone(),
                    result: d.result.clone(),
                    retakes: d
                        .retakes
                        .iter()
                        .map(|r| FileRetake {
                            attempt: r.attempt,
                            on: r.on.to_string(),
                            value: r.value.clone(),
                        })
                        .collect(),
                }
            })
            .collect(),
        attendance,
    }
}

/// The journal's attendance counted into a year's totals: absences (ill, excused, unexcused)
/// are missed lessons, the first two for a good reason; lates are counted apart.
fn attendance_totals(counts: &[repo::AttendanceCount]) -> BTreeMap<i32, FileAttendance> {
    let mut out: BTreeMap<i32, FileAttendance> = BTreeMap::new();
    for c in counts {
        let Ok(year) = i32::try_from(c.start_year) else {
            continue;
        };
        let n = u32::try_from(c.lessons).unwrap_or(u32::MAX);
        let a = out.entry(year).or_default();
        match c.code.as_str() {
            "ill" | "excused" => {
                a.missed = a.missed.saturating_add(n);
                a.excused = a.excused.saturating_add(n);
            }
            "unexcused" => a.missed = a.missed.saturating_add(n),
            "late" => a.late = a.late.saturating_add(n),
            _ => {}
        }
    }
    out
}

// ------------------------------------------------------------------ the record's imported years

const NO_SCHOOL: SchoolId = SchoolId::new(0);
const NO_YEAR: AcademicYearId = AcademicYearId::new(0);
const NO_SUBJECT: SubjectId = SubjectId::new(0);

fn instant(s: &str) -> Result<OffsetDateTime, AppError> {
    parse_instant(s).ok_or_else(|| AppError::Internal(format!("kept personal file: instant {s:?}")))
}

fn day(s: &str) -> Result<Date, AppError> {
    parse_date(s).ok_or_else(|| AppError::Internal(format!("kept personal file: date {s:?}")))
}

fn slot_of(code: &str) -> Slot {
    match code {
        "year" => Slot::Year,
        "exam" => Slot::Exam,
        "final" => Slot::Final,
        _ => Slot::Period(PeriodId::new(0)),
    }
}

/// The years of a received file as years of the record. Ids of its entries are 0: they name no
/// row of this deployment. Families see what the sending school had published to them.
pub(crate) fn imported_years(
    file: &PersonalFile,
    reader: RecordReader,
    today: Date,
) -> Result<Vec<YearRecord>, AppError> {
    let source = RecordSource {
        school: file.school.name.clone(),
        code: file.code.clone(),
    };
    let staff = reader.sees_unpublished();
    let mut out = Vec::with_capacity(file.years.len());
    for y in &file.years {
        let mut year = YearRecord::new(y.start_year);
        year.grade = y.grade;
        year.source = Some(source.clone());
        year.attendance = Some(y.attendance);
        for c in &y.classes {
            year.classes.push(RecordClass {
                school: NO_SCHOOL,
                school_name: c.school.clone(),
                year: NO_YEAR,
                start_year: y.start_year,
                class: GroupId::new(0),
                name: c.name.clone(),
                grade: c.grade,
                from: day(&c.from)?,
                to: c.to.as_deref().map(day).transpose()?,
            });
        }
        for s in &y.subjects {
            let mut line = SubjectLine::new(&s.name, s.order);
            for m in &s.marks {
                let published_at = m.published_at.as_deref().map(instant).transpose()?;
                if published_at.is_none() && !staff {
                    continue;
                }
                let entry = FinalEntry {
                    school: NO_SCHOOL,
                    year: NO_YEAR,
                    subject: NO_SUBJECT,
                    slot: slot_of(&m.slot),
                    period: period_of(m.period_kind.as_deref(), m.period_number),
                    code: m.code.clone(),
                    shown: shown(&m.code),
                    set_at: instant(&m.set_at)?,
                    published_at,
                };
                match entry.slot {
                    Slot::Period(_) => line.periods.push(entry),
                    Slot::Year => line.year = Some(entry),
                    Slot::Exam => line.exam = Some(entry),
                    Slot::Final => line.final_mark = Some(entry),
                }
            }
            if line.entries().next().is_some() {
                year.subjects.push(line);
            }
        }
        for e in &y.exams {
            let published_at = e.published_at.as_deref().map(instant).transpose()?;
            if published_at.is_none() && !staff {
                continue;
            }
            let kind = exam_kind(&e.exam).ok_or_else(|| {
                AppError::Internal(format!("kept personal file: exam {:?}", e.exam))
            })?;
            year.exams.push(RecordExam {
                id: ExamResultId::new(0),
                school: NO_SCHOOL,
                year: NO_YEAR,
                start_year: y.start_year,
                exam: kind,
                subject: None,
                subject_name: e.subject.clone(),
                taken_on: e.taken_on.as_deref().map(day).transpose()?,
                score: e.score,
                mark: ExamMark::from_code(kind, &e.mark).ok_or_else(|| {
                    AppError::Internal(format!("kept personal file: mark {:?}", e.mark))
                })?,
                received_at: instant(&e.received_at)?,
                published_at,
            });
        }
        for d in &y.deferrals {
            year.deferrals.push(RecordDeferral {
                id: DeferralId::new(0),
                school: NO_SCHOOL,
                year: NO_YEAR,
                start_year: y.start_year,
                subject: NO_SUBJECT,
                subject_name: d.subject.clone(),
                slot: d.slot.clone(),
                period: period_of(d.period_kind.as_deref(), d.period_number),
                starts_on: day(&d.starts_on)?,
                ends_on: day(&d.ends_on)?,
                basis: d.basis.clone(),
                state: d.state.clone(),
            });
        }
        for d in &y.debts {
            let deadline = day(&d.deadline)?;
            let mut state = d.state.clone();
            if let Ok(s) = DebtState::from_code(&state) {
                state = debt_stage(s, deadline, today).code().to_owned();
            }
            year.debts.push(RecordDebt {
                id: DebtId::new(0),
                school: NO_SCHOOL,
                year: NO_YEAR,
                start_year: y.start_year,
                subject: NO_SUBJECT,
                subject_name: d.subject.clone(),
                slot: d.slot.clone(),
                period: period_of(d.period_kind.as_deref(), d.period_number),
                arisen_on: day(&d.arisen_on)?,
                deadline,
                state,
                result: d.result.clone(),
                retakes: d
                    .retakes
                    .iter()
                    .map(|r| {
                        Ok(RecordRetake {
                            attempt: r.attempt,
                            on: day(&r.on)?,
                            value: r.value.clone(),
                        })
                    })
                    .collect::<Result<_, AppError>>()?,
            });
        }
        out.push(year);
    }
    Ok(out)
}

/// "2023/2024 – 2025/2026" ("" for a file without years).
fn years_span(file: &PersonalFile) -> String {
    match (file.years.first(), file.years.last()) {
        (Some(a), Some(b)) if a.label == b.label => a.label.clone(),
        (Some(a), Some(b)) => format!("{} – {}", a.label, b.label),
        _ => String::new(),
    }
}

/// The files received for a pupil (listed, latest issued first) and the document of the one
/// the record shows.
pub(crate) async fn received(
    c: &mut Conn<'_>,
    student: PersonId,
) -> Result<(Vec<ReceivedSummary>, Option<PersonalFile>), AppError> {
    let rows = repo::received_of(c, student).await?;
    let mut list = Vec::with_capacity(rows.len());
    let mut shown_file = None;
    for (i, r) in rows.into_iter().enumerate() {
        let file = PersonalFile::parse(r.document.as_bytes())
            .map_err(|e| AppError::Internal(format!("kept personal file {}: {e}", r.id)))?;
        list.push(ReceivedSummary {
            code: r.code,
            school: r.source_school,
            issued_at: r.issued_at,
            imported_at: r.imported_at,
            imported_by: r.imported_by.unwrap_or_default(),
            years: years_span(&file),
            shown: i == 0,
        });
        if i == 0 {
            shown_file = Some(file);
        }
    }
    Ok((list, shown_file))
}

/// Puts imported years into the record's levels (by their grade) beside the native ones, each
/// level's years in order, an imported year before a native year of the same label.
pub(crate) fn merge_years(levels: &mut Vec<crate::record::LevelRecord>, years: Vec<YearRecord>) {
    for y in years {
        let level = y.grade.and_then(EducationLevel::of_grade);
        match levels.iter_mut().find(|l| l.level == level) {
            Some(l) => l.years.push(y),
            None => levels.push(crate::record::LevelRecord {
                level,
                years: vec![y],
            }),
        }
    }
    for l in levels.iter_mut() {
        l.years.sort_by_key(|y| (y.start_year, y.source.is_none()));
    }
    levels.sort_by_key(|l| (l.level.is_none(), l.level));
}

// ------------------------------------------------------------------ the use cases

/// Who may issue a pupil's file: the administrators and deputy heads of the pupil's school;
/// others who know the pupil are refused (403), anyone else is told nothing (404).
pub(crate) fn may_issue(p: &Principal, f: &StudentFacts) -> Decision {
    if p.is_admin_of(f.school) || p.grants.contains(&(Role::Deputy, f.school)) {
        return Decision::Allow;
    }
    match p.may_view_student(f) {
        Decision::Hidden => Decision::Hidden,
        _ => Decision::Forbidden,
    }
}

fn refusal(d: Decision) -> AppError {
    match check(d) {
        Err(AppError::NoConsent) | Ok(()) => AppError::Forbidden,
        Err(e) => e,
    }
}

impl App {
    /// Issues a pupil's personal file: the record of every year (the years received from
    /// another school included, so a file travels on), the attendance totals of each year,
    /// the pupil's identity and the issuing school, sealed with its checksum; with `pdf`, the
    /// PDF of it too. Registers the code (and the hashes) and audits it in one transaction;
    /// nothing is registered when typesetting fails.
    #[tracing::instrument(skip_all, fields(student = %student, pdf))]
    pub async fn issue_personal_file(
        &self,
        p: &Principal,
        student: PersonId,
        pdf: bool,
        client: &Client,
    ) -> Result<IssuedFile, AppError> {
        let (card, school, signer, counts) = {
            let mut pooled = self.db.acquire().await?;
            let c = &mut pooled.conn();
            let card = school_repo::get_student(c, student)
                .await?
                .ok_or(AppError::NotFound)?;
            let facts = StudentFacts {
                student,
                school: card.school,
            };
            let d = may_issue(p, &facts);
            if d != Decision::Allow {
                return Err(refusal(d));
            }
            let school = school_repo::list_schools(c)
                .await?
                .into_iter()
                .find(|s| s.id == card.school)
                .ok_or(AppError::NotFound)?;
            let me = match p.person {
                Some(me) => school_repo::get_person(c, me).await?.map(|(_, x)| x),
                None => None,
            };
            let signer = Signer {
                title: if p.is_admin_of(card.school) {
                    "Администратор".into()
                } else {
                    "Заместитель директора".into()
                },
                name: me.map(|m| m.short_name()).unwrap_or_default(),
            };
            let counts = repo::attendance_of(c, student).await?;
            (card, school, signer, counts)
        };
        let record = self.student_record(p, student).await?;
        let totals = attendance_totals(&counts);
        let now = self.now();
        let person = &card.person;
        let mut file = PersonalFile {
            format: FORMAT.into(),
            version: VERSION,
            code: new_code()?,
            issued_at: rfc3339(now),
            school: FileSchool {
                name: school.name.clone(),
                municipality: school.municipality.clone(),
                region: school.region.clone(),
            },
            pupil: FilePupil {
                last_name: person.last_name.clone(),
                first_name: person.first_name.clone(),
                middle_name: person.middle_name.clone().unwrap_or_default(),
                birth_date: person.birth_date.map(|d| d.to_string()),
            },
            years: record
                .years()
                .map(|(_, y)| {
                    let a = y
                        .attendance
                        .or_else(|| totals.get(&y.start_year).copied())
                        .unwrap_or_default();
                    file_year(y, a)
                })
                .collect(),
            sha256: String::new(),
        };
        file.seal();
        let pdf = if pdf {
            let doc = pdf_doc(&file, &school, signer, self.today());
            Some(self.typeset(move |r| r.personal_file(&doc)).await?)
        } else {
            None
        };
        let pdf_sha256 = pdf.as_deref().map(sha256_hex).unwrap_or_default();
        let kind = if pdf.is_some() { "pdf" } else { "json" };
        let span = file
            .years
            .first()
            .zip(file.years.last())
            .map(|(a, b)| (a.start_year, b.start_year));
        let actor = (p.user.get() != 0).then_some(p.user);
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        repo::insert_issued(
            c,
            &repo::NewIssued {
                school: card.school,
                code: &file.code,
                student,
                kind,
                years: span,
                content_sha256: &file.sha256,
                pdf_sha256: &pdf_sha256,
                issued_by: actor,
                issued_at: now,
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => {
                AppError::Conflict("a verification code was taken; issue the file again".into())
            }
            other => other.into(),
        })?;
        audit::append(
            c,
            &AuditEntry {
                chain: card.school.get(),
                at: now,
                actor: actor.map(UserId::get),
                action: "personal_file.issue",
                entity: "student",
                entity_id: student.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "code": file.code, "kind": kind, "content_sha256": file.sha256,
                    "pdf_sha256": pdf_sha256, "years": file.years.len(),
                })),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        let name = format!(
            "personal-file-{}-{}",
            crate::documents::file_safe(&person.last_name),
            crate::documents::file_safe(&person.first_name)
        );
        Ok(IssuedFile { file, pdf, name })
    }

    /// Whether `p` may import a personal file for the pupil: the administrators of the
    /// pupil's school; others who know the pupil are refused (403), anyone else is told
    /// nothing (404). Checked before the file is read.
    pub async fn may_import_personal_file(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<(), AppError> {
        let mut pooled = self.db.acquire().await?;
        let card = school_repo::get_student(&mut pooled.conn(), student)
            .await?
            .ok_or(AppError::NotFound)?;
        let facts = StudentFacts {
            student,
            school: card.school,
        };
        if p.is_admin_of(card.school) {
            return Ok(());
        }
        Err(match p.may_view_student(&facts) {
            Decision::Hidden => AppError::NotFound,
            _ => AppError::Forbidden,
        })
    }

    /// Imports a personal file another deployment issued, for a pupil of the administrator's
    /// school: checked strictly ([`PersonalFile::parse`]; a problem names the member), about
    /// this pupil (surname, name and birth date agree), kept and audited in one transaction.
    /// The same file again writes nothing (`created: false`).
    #[tracing::instrument(skip_all, fields(student = %student, bytes = bytes.len()))]
    pub async fn import_personal_file(
        &self,
        p: &Principal,
        student: PersonId,
        bytes: &[u8],
        client: &Client,
    ) -> Result<Imported, AppError> {
        self.may_import_personal_file(p, student).await?;
        let file = PersonalFile::parse(bytes).map_err(|e| match &e {
            FileError::Invalid { field, message } => AppError::invalid(field, message.clone()),
            other => AppError::invalid(other.field(), other.to_string()),
        })?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let person = &card.person;
        let same = |a: &str, b: &str| sort_key(a.trim()) == sort_key(b.trim());
        let born = file.pupil.birth_date.as_deref().and_then(parse_date);
        if !same(&file.pupil.last_name, &person.last_name)
            || !same(&file.pupil.first_name, &person.first_name)
            || (born.is_some() && person.birth_date.is_some() && born != person.birth_date)
        {
            return Err(AppError::invalid(
                "pupil",
                format!(
                    "the file is about {} {}{}, not this pupil",
                    file.pupil.last_name,
                    file.pupil.first_name,
                    born.map(|d| format!(", born {d}")).unwrap_or_default()
                ),
            ));
        }
        if repo::count_received(c, student).await? >= MAX_RECEIVED {
            return Err(AppError::invalid(
                "file",
                format!("the pupil has {MAX_RECEIVED} personal files already"),
            ));
        }
        let document = serde_json::to_string(&file)
            .map_err(|e| AppError::Internal(format!("personal file: {e}")))?;
        let actor = (p.user.get() != 0).then_some(p.user);
        let id = repo::insert_received(
            c,
            &repo::NewReceived {
                school: card.school,
                student,
                code: &file.code,
                sha256: &file.sha256,
                source_school: &file.school.name,
                issued_at: instant(&file.issued_at)?,
                document: &document,
                imported_by: actor,
                imported_at: now,
            },
        )
        .await?;
        let created = id.is_some();
        if created {
            audit::append(
                c,
                &AuditEntry {
                    chain: card.school.get(),
                    at: now,
                    actor: actor.map(UserId::get),
                    action: "personal_file.import",
                    entity: "student",
                    entity_id: student.to_string(),
                    before: None,
                    after: Some(serde_json::json!({
                        "code": file.code, "sha256": file.sha256, "school": file.school.name,
                        "issued_at": file.issued_at, "years": file.years.len(),
                    })),
                    reason: None,
                    origin: Some(&client.address),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Imported {
            code: file.code.clone(),
            sha256: file.sha256.clone(),
            school: file.school.name.clone(),
            years: file.years.len(),
            created,
        })
    }

    /// A personal file issued here, for the verification page (`None`: no such code).
    pub(crate) async fn verify_personal_file(
        &self,
        c: &mut Conn<'_>,
        code: &str,
    ) -> Result<Option<Verification>, AppError> {
        let Some(f) = repo::issued_by_code(c, code).await? else {
            return Ok(None);
        };
        let initial = |s: &str| {
            s.chars()
                .next()
                .map(|c| format!("{c}."))
                .unwrap_or_default()
        };
        let mut initials = format!("{} {}", initial(&f.last_name), initial(&f.first_name));
        if let Some(m) = f.middle_name.as_deref().filter(|m| !m.is_empty()) {
            initials.push(' ');
            initials.push_str(&initial(m));
        }
        let issued_on = f.issued_at.date();
        let first = f
            .first_year
            .and_then(|y| i32::try_from(y).ok())
            .and_then(|y| Date::from_calendar_date(y, time::Month::September, 1).ok())
            .filter(|d| *d <= issued_on)
            .unwrap_or(issued_on);
        Ok(Some(Verification {
            code: f.code,
            school: f.school_name,
            issued_at: f.issued_at,
            initials,
            class_name: None,
            from: first,
            to: issued_on,
            channel: "personal_file".into(),
            pdf_sha256: f.pdf_sha256,
            content_sha256: f.content_sha256,
        }))
    }
}

/// The PDF's data: a section per year with its classes, a table of subjects × marks, the
/// attendance, exam results, deferrals and debts written out.
fn pdf_doc(
    file: &PersonalFile,
    school: &tabel_domain::school::School,
    signer: Signer,
    today: Date,
) -> PersonalFileDoc {
    let lang = tabel_present::Lang::Ru;
    let date_of = |s: &str| parse_date(s).map(tabel_present::date).unwrap_or_default();
    let period_label = |kind: Option<&str>, n: Option<u8>| {
        period_of(kind, n).map_or_else(String::new, |(k, n)| tabel_present::period_name(lang, k, n))
    };
    let slot_label = |slot: &str, kind: Option<&str>, n: Option<u8>| match slot {
        "year" => "годовая".to_owned(),
        "exam" => "экзаменационная".to_owned(),
        "final" => "итоговая".to_owned(),
        _ => period_label(kind, n),
    };
    let years = file
        .years
        .iter()
        .map(|y| {
            // The period columns seen in the year, in order.
            let mut periods: Vec<(PeriodKind, u8)> = y
                .subjects
                .iter()
                .flat_map(|s| &s.marks)
                .filter_map(|m| period_of(m.period_kind.as_deref(), m.period_number))
                .collect();
            periods.sort();
            periods.dedup();
            let mut columns = vec!["Предмет".to_owned()];
            columns.extend(
                periods
                    .iter()
                    .map(|(k, n)| tabel_present::period_name(lang, *k, *n)),
            );
            columns.extend(["Год", "Экзамен", "Итоговая"].map(str::to_owned));
            let rows = y
                .subjects
                .iter()
                .map(|s| {
                    let pick = |slot: &str| {
                        s.marks
                            .iter()
                            .find(|m| m.slot == slot)
                            .map(|m| shown(&m.code))
                            .unwrap_or_default()
                    };
                    let mut row = vec![s.name.clone()];
                    row.extend(periods.iter().map(|p| {
                        s.marks
                            .iter()
                            .find(|m| {
                                period_of(m.period_kind.as_deref(), m.period_number) == Some(*p)
                            })
                            .map(|m| shown(&m.code))
                            .unwrap_or_default()
                    }));
                    row.extend([pick("year"), pick("exam"), pick("final")]);
                    row
                })
                .collect();
            let classes = y
                .classes
                .iter()
                .map(|c| {
                    format!(
                        "{} класс, {} ({} – {})",
                        c.name,
                        c.school,
                        date_of(&c.from),
                        c.to.as_deref().map(date_of).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>();
            let mut lines = Vec::new();
            for e in &y.exams {
                lines.push(format!(
                    "{} по предмету «{}»{}: {}{}",
                    exam_kind(&e.exam).map_or_else(|| e.exam.clone(), |k| k.russian().to_owned()),
                    e.subject,
                    e.taken_on
                        .as_deref()
                        .map(|d| format!(" ({})", date_of(d)))
                        .unwrap_or_default(),
                    shown(&e.mark),
                    e.score
                        .map(|s| format!(", первичный балл {s}"))
                        .unwrap_or_default()
                ));
            }
            for d in &y.deferrals {
                lines.push(format!(
                    "Отсрочка аттестации по предмету «{}» ({} отметка): {} – {}, основание: {}",
                    d.subject,
                    slot_label(&d.slot, d.period_kind.as_deref(), d.period_number),
                    date_of(&d.starts_on),
                    date_of(&d.ends_on),
                    d.basis
                ));
            }
            for d in &y.debts {
                let retakes = d
                    .retakes
                    .iter()
                    .map(|r| format!("{}) {}: {}", r.attempt, date_of(&r.on), shown(&r.value)))
                    .collect::<Vec<_>>()
                    .join("; ");
                lines.push(format!(
                    "Академическая задолженность по предмету «{}» ({} отметка) с {}, ликвидировать до {}{}{}",
                    d.subject,
                    slot_label(&d.slot, d.period_kind.as_deref(), d.period_number),
                    date_of(&d.arisen_on),
                    date_of(&d.deadline),
                    if retakes.is_empty() {
                        String::new()
                    } else {
                        format!("; пересдачи: {retakes}")
                    },
                    d.result
                        .as_deref()
                        .map(|r| format!("; итог: {}", shown(r)))
                        .unwrap_or_default()
                ));
            }
            PersonalFileYear {
                label: y.label.clone(),
                grade: y.grade.map(|g| format!("{g} класс")).unwrap_or_default(),
                classes,
                columns,
                rows,
                attendance: format!(
                    "Пропущено уроков: {}, из них по уважительной причине: {}; опозданий: {}",
                    y.attendance.missed, y.attendance.excused, y.attendance.late
                ),
                lines,
            }
        })
        .collect();
    PersonalFileDoc {
        school: SchoolHeader {
            name: school.name.clone(),
            municipality: school.municipality.clone(),
            region: school.region.clone(),
        },
        pupil: [
            file.pupil.last_name.as_str(),
            &file.pupil.first_name,
            &file.pupil.middle_name,
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" "),
        birth_date: file
            .pupil
            .birth_date
            .as_deref()
            .map(date_of)
            .unwrap_or_default(),
        code: file.code.clone(),
        sha256: file.sha256.clone(),
        issued_on: tabel_present::date(today),
        signer,
        years,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absences_count_as_missed_and_illness_as_a_good_reason() {
        let c = |y: i64, code: &str, n: i64| repo::AttendanceCount {
            start_year: y,
            code: code.into(),
            lessons: n,
        };
        let t = attendance_totals(&[
            c(2025, "ill", 4),
            c(2025, "excused", 2),
            c(2025, "unexcused", 3),
            c(2025, "late", 5),
            c(2026, "unexcused", 1),
        ]);
        assert_eq!(
            t.get(&2025),
            Some(&FileAttendance {
                missed: 9,
                excused: 6,
                late: 5
            })
        );
        assert_eq!(
            t.get(&2026),
            Some(&FileAttendance {
                missed: 1,
                excused: 0,
                late: 0
            })
        );
    }
}
