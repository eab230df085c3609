//! Exam and итоговая marks of a pupil (регламент, п. 5–6; DOMAIN.md, "Final (итоговые) marks
//! for the аттестат").
//!
//! The exam column of a subject holds the pupil's latest published ОГЭ, ГВЭ or school-exam
//! result in it — imported, or entered here by the deputy head or an administrator (entering is
//! publishing). The итоговая column is derived by the rule the school's grading policy names
//! ([`FinalRule`]) from the year and exam columns, for pupils of grade 9 in every subject and
//! for anyone with an exam mark in the subject; it is derived again whenever the year or exam
//! mark changes, unless the deputy head overrode it with a reason (the override keeps its value
//! and shows what the rule would give). A failing exam mark opens an academic debt as a failing
//! year mark does. Every write is audited and announced (`final.published`).

use super::*;
use tabel_domain::UserId;
use tabel_domain::exams::ExamKind;
use tabel_domain::finals::{Exemption, FinalRule};
use tabel_store::exams::{self as exams_repo, ExamResult, NewResult};
use tabel_store::record as record_repo;

/// The source written on exam results entered by hand.
pub const MANUAL_SOURCE: &str = "введено вручную";

/// An exam mark to enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamMarkInput {
    /// The subject.
    pub subject: SubjectId,
    /// Which exam.
    pub exam: ExamKind,
    /// The mark as typed: "4", "отлично", a ЕГЭ test score.
    pub mark: String,
    /// The day of the exam.
    pub taken_on: Date,
}

/// An override of the итоговая mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalOverride {
    /// The subject.
    pub subject: SubjectId,
    /// "5", "н/а", "осв.", "зач.", "незач." (the subject's scale).
    pub value: String,
    /// Why (required).
    pub reason: String,
    /// The version of the итоговая mark read (0 when none was set).
    pub version: i64,
}

/// A subject's year, exam and итоговая marks of a pupil.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateLine {
    /// Subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The year mark.
    pub year: Option<FinalRecord>,
    /// The exam mark.
    pub exam: Option<FinalRecord>,
    /// The exam it came from (its code is the exam mark's basis).
    pub exam_kind: Option<ExamKind>,
    /// The итоговая mark.
    pub final_mark: Option<FinalRecord>,
    /// What the rule gives now (a value's code).
    pub derived: Option<String>,
    /// The итоговая was set by an override with a reason, not by the rule.
    pub overridden: bool,
}

/// A pupil's exam and итоговая marks for the current year, with the exemptions and exam results.
#[derive(Debug, Clone, Serialize)]
pub struct StudentCertificate {
    /// The pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub student_name: String,
    /// Their school.
    pub school: SchoolId,
    /// The year shown (the pupil's latest class's).
    pub year: AcademicYearId,
    /// The class ("9А").
    pub class_name: String,
    /// Its grade.
    pub grade: u8,
    /// The rule the school's policy names.
    pub rule: FinalRule,
    /// A line per subject with a year, exam or итоговая mark.
    pub lines: Vec<CertificateLine>,
    /// Every exemption of the pupil, the latest first.
    pub exemptions: Vec<Exemption>,
    /// The pupil's exam results the viewer may see (published ones for families).
    pub results: Vec<ExamResult>,
    /// The school's subjects, for the forms.
    pub subjects: Vec<(SubjectId, String)>,
    /// The viewer enters exam marks, overrides and exemptions (administration).
    pub may_manage: bool,
}

/// The pupil's class in a year of their school: the latest membership.
pub(crate) async fn pupil_class(
    c: &mut Conn<'_>,
    student: PersonId,
    year: Option<AcademicYearId>,
    school: SchoolId,
) -> Result<Option<record_repo::RecordClass>, AppError> {
    Ok(record_repo::classes_of(c, student)
        .await?
        .into_iter()
        .rfind(|k| k.school == school && year.is_none_or(|y| k.year == y)))
}

/// Who writes and why, for the writes that follow one another inside a transaction.
pub(crate) struct Writer<'a> {
    pub(crate) now: time::OffsetDateTime,
    pub(crate) today: Date,
    pub(crate) actor: Option<UserId>,
    pub(crate) client: &'a Client,
}

/// Writes a cell of a pupil (version-checked), audits and announces it.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_cell(
    c: &mut Conn<'_>,
    w: &Writer<'_>,
    (school, year, student, subject, slot): (SchoolId, AcademicYearId, PersonId, SubjectId, Slot),
    (value, proposal, basis, reason): (&str, Option<&str>, Option<&str>, &str),
    action: &str,
    current: Option<&FinalRecord>,
) -> Result<FinalRecord, AppError> {
    let new = NewFinal {
        school,
        year,
        student,
        subject,
        group: None,
        slot,
        value,
        proposal,
        proposal_basis: basis,
        reason,
        set_by: w.actor,
        at: w.now,
    };
    let Some(stored) = repo::write(c, &new, current.map_or(0, |f| f.version)).await? else {
        let current = repo::of_cell(c, student, subject, year, slot).await?;
        return Err(AppError::Stale {
            detail: "the final mark was changed by someone else; here is the current value".into(),
            current: current.map(|f| final_json(&f)),
        });
    };
    let after = final_json(&stored);
    audit::append(
        c,
        &AuditEntry {
            chain: school.get(),
            at: w.now,
            actor: w.actor.map(UserId::get),
            action,
            entity: "final",
            entity_id: format!("{student}:{subject}:{}", slot.code()),
            before: current.map(final_json),
            after: Some(after.clone()),
            reason: Some(reason).filter(|r| !r.is_empty()),
            origin: Some(&w.client.address),
        },
    )
    .await?;
    outbox::emit(c, Some(school), "final.published", &after, w.now).await?;
    Ok(stored)
}

/// Removes a cell (version-checked) and audits it.
pub(crate) async fn remove_cell(
    c: &mut Conn<'_>,
    w: &Writer<'_>,
    f: &FinalRecord,
    action: &str,
    reason: &str,
) -> Result<(), AppError> {
    if !repo::delete(c, f.id, f.version).await? {
        return Err(AppError::Stale {
            detail: "the final mark was changed by someone else".into(),
            current: None,
        });
    }
    audit::append(
        c,
        &AuditEntry {
            chain: f.school.get(),
            at: w.now,
            actor: w.actor.map(UserId::get),
            action,
            entity: "final",
            entity_id: format!("{}:{}:{}", f.student, f.subject, f.slot.code()),
            before: Some(final_json(f)),
            after: None,
            reason: Some(reason).filter(|r| !r.is_empty()),
            origin: Some(&w.client.address),
        },
    )
    .await?;
    Ok(())
}

/// Takes a published exam result into the pupil's exam column of its subject and year (inside
/// the caller's transaction): results of ОГЭ, ГВЭ and school exams; a failing mark opens a debt
/// as a failing year mark does; the итоговая follows.
pub(crate) async fn take_exam_result(
    c: &mut Conn<'_>,
    w: &Writer<'_>,
    r: &ExamResult,
) -> Result<(), AppError> {
    let (Some(subject), Some(value), Some(_)) =
        (r.subject, r.mark.exam_final(r.exam), r.published_at)
    else {
        return Ok(());
    };
    let value = value.code();
    let current = repo::of_cell(c, r.student, subject, r.year, Slot::Exam).await?;
    if current.as_ref().map(|f| &f.value) != Some(&value) {
        let policy = crate::journal::load_policy(c, r.school).await?.policy;
        let stored = write_cell(
            c,
            w,
            (r.school, r.year, r.student, subject, Slot::Exam),
            (&value, Some(&value), Some(r.exam.code()), ""),
            "final.exam",
            current.as_ref(),
        )
        .await?;
        crate::debts::sync_debt(
            c,
            &stored,
            scale_of(&policy, subject),
            (w.today, w.now, w.actor.map(UserId::get), w.client),
        )
        .await?;
    }
    settle_certificate(c, w, (r.school, r.year, r.student, subject)).await
}

/// Derives a pupil's итоговая mark in a subject again from the year and exam columns (inside
/// the caller's transaction), by the policy's rule, unless it was overridden (then only the
/// rule's value beside it is brought up to date). Pupils of grade 9 get one in every subject
/// with a year mark; others only where they have an exam mark. Without a year mark a derived
/// итоговая is removed.
pub(crate) async fn settle_certificate(
    c: &mut Conn<'_>,
    w: &Writer<'_>,
    (school, year, student, subject): (SchoolId, AcademicYearId, PersonId, SubjectId),
) -> Result<(), AppError> {
    let policy = crate::journal::load_policy(c, school).await?.policy;
    let scale = scale_of(&policy, subject);
    let exam_cell = repo::of_cell(c, student, subject, year, Slot::Exam).await?;
    // The итоговая column.
    let year_cell = repo::of_cell(c, student, subject, year, Slot::Year).await?;
    let grade = pupil_class(c, student, Some(year), school)
        .await?
        .map_or(0, |k| k.grade);
    let value = |f: &Option<FinalRecord>| f.as_ref().and_then(|f| FinalValue::from_code(&f.value));
    let derived = if grade == 9 || exam_cell.is_some() {
        policy.final_rule.derive(
            scale,
            policy.thresholds,
            value(&year_cell),
            value(&exam_cell),
        )
    } else {
        None
    };
    let derived = derived.map(FinalValue::code);
    let current = repo::of_cell(c, student, subject, year, Slot::Final).await?;
    let rule = policy.final_rule.code();
    match (&current, &derived) {
        // Overridden: the value stays; the proposal says what the rule gives now.
        (Some(f), _) if !f.reason.is_empty() && f.proposal != derived => {
            write_cell(
                c,
                w,
                (school, year, student, subject, Slot::Final),
                (&f.value, derived.as_deref(), Some(rule), &f.reason),
                "final.derive",
                Some(f),
            )
            .await?;
        }
        (Some(f), _) if !f.reason.is_empty() => {}
        (Some(f), None) => {
            remove_cell(c, w, f, "final.underive", "").await?;
        }
        (_, Some(d)) if current.as_ref().map(|f| &f.value) != Some(d) => {
            write_cell(
                c,
                w,
                (school, year, student, subject, Slot::Final),
                (d, Some(d), Some(rule), ""),
                "final.derive",
                current.as_ref(),
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Whether `p` writes a school's exam and итоговая marks and exemptions: its administrators and
/// deputy heads.
pub(crate) fn administers(p: &Principal, school: SchoolId) -> bool {
    crate::exams::manages(p, school)
}

impl App {
    /// A pupil's exam and итоговая marks of the current year, the exemptions and the exam results:
    /// whoever may see the pupil (a parent with the diary consent; families see published
    /// results only).
    pub async fn student_certificate(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<StudentCertificate, AppError> {
        let mut conn = self.db.acquire().await?;
        let c = &mut conn.conn();
        let school = gate(c, p, student).await?;
        self.certificate_of(c, p, school, student).await
    }

    async fn certificate_of(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        school: SchoolId,
        student: PersonId,
    ) -> Result<StudentCertificate, AppError> {
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let class = pupil_class(c, student, None, school)
            .await?
            .ok_or(AppError::NotFound)?;
        let policy = self.policy_of(c, school).await?;
        let subjects: Vec<(SubjectId, String)> = school_repo::list_subjects(c, school)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let finals: Vec<FinalRecord> = repo::of_student(c, student)
            .await?
            .into_iter()
            .filter(|f| f.year == class.year)
            .collect();
        let staff = p.reads_as_staff(&StudentFacts { student, school });
        let results: Vec<ExamResult> = exams_repo::results_of_student(c, student)
            .await?
            .into_iter()
            .filter(|r| r.school == school && (staff || r.published_at.is_some()))
            .collect();
        let exemptions: Vec<Exemption> = tabel_store::exemptions::of_student(c, student)
            .await?
            .into_iter()
            .filter(|e| e.school == school)
            .collect();
        let cell = |subject: SubjectId, slot: Slot| {
            finals
                .iter()
                .find(|f| f.subject == subject && f.slot == slot)
                .cloned()
        };
        let lines = subjects
            .iter()
            .filter_map(|(id, name)| {
                let (year, exam, final_mark) = (
                    cell(*id, Slot::Year),
                    cell(*id, Slot::Exam),
                    cell(*id, Slot::Final),
                );
                if year.is_none() && exam.is_none() && final_mark.is_none() {
                    return None;
                }
                Some(CertificateLine {
                    subject: *id,
                    subject_name: name.clone(),
                    exam_kind: exam
                        .as_ref()
                        .and_then(|f| f.proposal_basis.as_deref())
                        .and_then(ExamKind::parse),
                    derived: final_mark.as_ref().and_then(|f| f.proposal.clone()),
                    overridden: final_mark.as_ref().is_some_and(|f| !f.reason.is_empty()),
                    year,
                    exam,
                    final_mark,
                })
            })
            .collect();
        Ok(StudentCertificate {
            student,
            student_name: format!("{} {}", card.person.last_name, card.person.first_name),
            school,
            year: class.year,
            class_name: class.name,
            grade: class.grade,
            rule: policy.policy.final_rule,
            lines,
            exemptions,
            results,
            subjects,
            may_manage: administers(p, school),
        })
    }

    /// Refuses (403) a viewer who sees the pupil but does not administer the school (404 for
    /// whoever does not see the pupil: [`gate`] answers first).
    pub(crate) async fn administration_gate(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        student: PersonId,
    ) -> Result<(SchoolId, record_repo::RecordClass), AppError> {
        let school = gate(c, p, student).await?;
        if !administers(p, school) {
            return Err(AppError::Forbidden);
        }
        let class = pupil_class(c, student, None, school)
            .await?
            .ok_or_else(|| AppError::invalid("student_id", "the pupil is in no class"))?;
        Ok((school, class))
    }

    /// Refuses whoever may not write a pupil's exam and итоговая marks and exemptions: 404 for
    /// whoever does not see the pupil, 403 for the others but the administration (pages ask
    /// before they read a form).
    pub async fn require_certificate_writer(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<(), AppError> {
        let mut conn = self.db.acquire().await?;
        let c = &mut conn.conn();
        let school = gate(c, p, student).await?;
        if administers(p, school) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Enters a pupil's exam mark (administrators and deputy heads): stored as a published exam
    /// result of the pupil's current year; the exam column, the итоговая and a debt for a
    /// failing mark follow.
    pub async fn enter_exam_mark(
        &self,
        p: &Principal,
        student: PersonId,
        input: &ExamMarkInput,
        client: &Client,
    ) -> Result<StudentCertificate, AppError> {
        let now = self.now();
        let today = self.today();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let (school, class) = self.administration_gate(c, p, student).await?;
        // An exam mark carries no reason: in a closed year an administrator overrides the
        // итоговая mark instead, with one.
        crate::closing::frozen_guard(c, p, school, class.year, None).await?;
        let mark = input
            .exam
            .parse_mark(&input.mark)
            .map_err(|e| AppError::invalid("mark", e))?;
        let subject_name = school_repo::list_subjects(c, school)
            .await?
            .into_iter()
            .find(|s| s.id == input.subject)
            .map(|s| s.name)
            .ok_or_else(|| AppError::invalid("subject_id", "not a subject of the school"))?;
        if input.taken_on > today {
            return Err(AppError::invalid("taken_on", "the exam is not taken yet"));
        }
        let id = exams_repo::insert_result(
            c,
            &NewResult {
                school,
                year: class.year,
                batch: None,
                student,
                exam: input.exam,
                subject: Some(input.subject),
                subject_name: &subject_name,
                taken_on: Some(input.taken_on),
                score: None,
                mark,
                source: MANUAL_SOURCE,
                received_at: now,
                imported_by: Some(p.user),
                published_at: Some(now),
            },
        )
        .await?;
        let r = exams_repo::get_result(c, id)
            .await?
            .ok_or(AppError::NotFound)?;
        crate::exams::announce_result(c, Some(p.user), &r, "exam.enter", client, now).await?;
        let w = Writer {
            now,
            today,
            actor: Some(p.user),
            client,
        };
        // An ЕГЭ score or a ВПР is stored as a result only: no subject's exam mark.
        take_exam_result(c, &w, &r).await?;
        let view = self.certificate_of(c, p, school, student).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Overrides a pupil's итоговая mark in a subject with a reason (administrators and deputy
    /// heads): the value stays until the override is withdrawn; the rule's value is kept beside
    /// it. Audited (`final.override`).
    pub async fn override_final(
        &self,
        p: &Principal,
        student: PersonId,
        o: &FinalOverride,
        client: &Client,
    ) -> Result<StudentCertificate, AppError> {
        let now = self.now();
        let reason = o.reason.trim();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let (school, class) = self.administration_gate(c, p, student).await?;
        crate::closing::frozen_guard(c, p, school, class.year, Some(reason)).await?;
        let policy = self.policy_of(c, school).await?.policy.clone();
        let scale = scale_of(&policy, o.subject);
        let mut errors = BTreeMap::new();
        let value = FinalValue::parse(&o.value, scale, policy.allow_one);
        if let Err(e) = &value {
            errors.insert("value".to_owned(), e.to_string());
        }
        if reason.is_empty() {
            errors.insert(
                "reason".to_owned(),
                "an override of the итоговая mark needs a reason".to_owned(),
            );
        } else if reason.chars().count() > crate::MAX_REASON_CHARS {
            errors.insert(
                "reason".to_owned(),
                format!("at most {} characters", crate::MAX_REASON_CHARS),
            );
        }
        if !school_repo::list_subjects(c, school)
            .await?
            .iter()
            .any(|s| s.id == o.subject)
        {
            errors.insert(
                "subject_id".to_owned(),
                "not a subject of the school".into(),
            );
        }
        let value = match value {
            Ok(v) if errors.is_empty() => v,
            _ => return Err(AppError::Invalid(errors)),
        };
        let year = class.year;
        let current = repo::of_cell(c, student, o.subject, year, Slot::Final).await?;
        if current.as_ref().map_or(0, |f| f.version) != o.version {
            return Err(AppError::Stale {
                detail: "the итоговая mark was changed by someone else; here is the current value"
                    .into(),
                current: current.as_ref().map(final_json),
            });
        }
        let year_value = repo::of_cell(c, student, o.subject, year, Slot::Year)
            .await?
            .and_then(|f| FinalValue::from_code(&f.value));
        let exam_value = repo::of_cell(c, student, o.subject, year, Slot::Exam)
            .await?
            .and_then(|f| FinalValue::from_code(&f.value));
        let derived = policy
            .final_rule
            .derive(scale, policy.thresholds, year_value, exam_value)
            .map(FinalValue::code);
        let w = Writer {
            now,
            today: self.today(),
            actor: Some(p.user),
            client,
        };
        write_cell(
            c,
            &w,
            (school, year, student, o.subject, Slot::Final),
            (
                &value.code(),
                derived.as_deref(),
                Some(policy.final_rule.code()),
                reason,
            ),
            "final.override",
            current.as_ref(),
        )
        .await?;
        let view = self.certificate_of(c, p, school, student).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Withdraws the override of a pupil's итоговая mark (administrators and deputy heads): the
    /// rule's value returns. Audited (`final.derive`, with the reason given).
    pub async fn withdraw_final_override(
        &self,
        p: &Principal,
        student: PersonId,
        (subject, version): (SubjectId, i64),
        client: &Client,
    ) -> Result<StudentCertificate, AppError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let (school, class) = self.administration_gate(c, p, student).await?;
        crate::closing::frozen_guard(c, p, school, class.year, None).await?;
        let current = repo::of_cell(c, student, subject, class.year, Slot::Final)
            .await?
            .filter(|f| !f.reason.is_empty())
            .ok_or(AppError::NotFound)?;
        if current.version != version {
            return Err(AppError::Stale {
                detail: "the итоговая mark was changed by someone else; here is the current value"
                    .into(),
                current: Some(final_json(&current)),
            });
        }
        let w = Writer {
            now,
            today: self.today(),
            actor: Some(p.user),
            client,
        };
        // Clear the reason first (the value the override gave stays for a moment), then let the
        // rule set the cell as it would have.
        write_cell(
            c,
            &w,
            (school, class.year, student, subject, Slot::Final),
            (
                &current.value,
                current.proposal.as_deref(),
                current.proposal_basis.as_deref(),
                "",
            ),
            "final.override_withdrawn",
            Some(&current),
        )
        .await?;
        settle_certificate(c, &w, (school, class.year, student, subject)).await?;
        let view = self.certificate_of(c, p, school, student).await?;
        tx.commit().await?;
        Ok(view)
    }
}
