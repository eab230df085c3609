//! The consent registry (regulation point 1): the school records each legal representative's
//! consent or refusal — to the processing of the child's personal data for the electronic diary,
//! and to electronic delivery — on its basis; either may be withdrawn at any time, by the school
//! on a written application or by the parent in the cabinet. The history is append-only and
//! audited; every change drops the remembered sessions, so a withdrawal takes effect at the next
//! request of every session.
//!
//! Who keeps the registry: the school's administrators and deputy heads, and the class teacher
//! for the pupils of their class (they collect the applications at parents' meetings). A parent
//! reads their own records and withdraws their own consents; nobody else sees any of it.

use crate::{App, AppError, Client};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tabel_domain::access::Principal;
use tabel_domain::consent::{self as rules, Basis, BasisInput, Status};
use tabel_domain::school::{ConsentPurpose, ConsentState, GroupKind, Role};
use tabel_domain::{GroupId, PersonId, SchoolId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::consent::{self as repo, ConsentRecord, RegistryLine};
use tabel_store::school::{self as school_repo, Group, PersonSummary};
use tabel_store::{Conn, outbox};
use time::Date;

/// The largest scan of an application kept.
pub const MAX_SCAN_BYTES: usize = 5 * 1024 * 1024;

/// Scan types kept (what a scanner or a phone camera produces).
const SCAN_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// What a member of staff records from an application: the states for one or both purposes on
/// one basis.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ConsentInput {
    /// The legal representative.
    pub parent: PersonId,
    /// The child.
    pub student: PersonId,
    /// `given` or `refused` for the diary; absent = not part of this application.
    #[serde(default)]
    pub diary: Option<String>,
    /// `given` or `refused` for electronic delivery; absent = not part of this application.
    #[serde(default)]
    pub electronic_delivery: Option<String>,
    /// The basis.
    pub basis: BasisInput,
    /// The consent text's version (the current one when absent).
    #[serde(default)]
    pub text_version: Option<String>,
    /// A note.
    #[serde(default)]
    pub note: String,
}

/// A withdrawal: by staff on an application (a basis), or by the parent themself in the cabinet
/// (no basis: the session is the act).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct WithdrawalInput {
    /// The legal representative.
    pub parent: PersonId,
    /// The child.
    pub student: PersonId,
    /// `diary` (which also ends electronic delivery) or `electronic_delivery`.
    pub purpose: String,
    /// The basis (staff).
    #[serde(default)]
    pub basis: Option<BasisInput>,
    /// A note.
    #[serde(default)]
    pub note: String,
}

/// A class's registry.
#[derive(Debug, Clone, Serialize)]
pub struct ClassRegistry {
    /// The class.
    pub class: Group,
    /// Pupil × representative lines.
    pub lines: Vec<RegistryLine>,
    /// Pairs by the diary consent's status: given, refused, withdrawn, none.
    pub counts: [(Status, usize); 4],
    /// Pupils of the class with no representative on record.
    pub without_representative: usize,
    /// Pupils whose families get paper extracts: no representative has both consents in force
    /// (a refusal, a withdrawal, nothing submitted, or no representative at all).
    pub paper: Vec<PersonId>,
}

/// A child's consents: the representatives and every record.
#[derive(Debug, Clone, Serialize)]
pub struct ChildConsents {
    /// The child.
    pub student: PersonSummary,
    /// The child's school.
    pub school: SchoolId,
    /// The child's class now, if any.
    pub class: Option<Group>,
    /// The current representatives, with the statuses in force: (person, relation, diary,
    /// delivery).
    pub parents: Vec<ParentStatus>,
    /// Every record, newest first (a parent sees only their own).
    pub records: Vec<ConsentRecord>,
    /// The viewer keeps the registry (may register and withdraw on applications).
    pub may_keep: bool,
}

/// A representative of the child with the statuses in force.
#[derive(Debug, Clone, Serialize)]
pub struct ParentStatus {
    /// The person.
    pub person: PersonSummary,
    /// How related.
    pub relation: tabel_domain::school::Relation,
    /// The diary consent.
    pub diary: Status,
    /// Electronic delivery.
    pub delivery: Status,
}

/// What the printed consent form needs.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentForm {
    /// The school's full name.
    pub school_name: String,
    /// The representative.
    pub parent: PersonSummary,
    /// The child.
    pub student: PersonSummary,
    /// The child's class.
    pub class_name: String,
    /// The text's version.
    pub text_version: &'static str,
    /// Today.
    pub today: Date,
}

fn parse_state(field: &str, raw: &str) -> Result<ConsentState, AppError> {
    match raw.trim() {
        "given" => Ok(ConsentState::Given),
        "refused" => Ok(ConsentState::Refused),
        other => Err(AppError::invalid(
            field,
            format!("{other:?}: use given or refused (a withdrawal is its own request)"),
        )),
    }
}

fn rule(e: rules::ConsentError) -> AppError {
    AppError::invalid(e.field, e.message)
}

fn record_json(r: &repo::NewRecord<'_>, id: i64) -> serde_json::Value {
    serde_json::json!({
        "id": id.to_string(), "parent_id": r.parent.to_string(), "student_id": r.student.to_string(),
        "purpose": r.purpose.code(), "state": r.state.code(), "text_version": r.text_version,
        "basis": r.basis.summary(), "basis_kind": r.basis.kind.code(), "note": r.note,
    })
}

/// The child's class (kind class) on a date.
async fn class_of(
    c: &mut Conn<'_>,
    student: PersonId,
    on: Date,
) -> Result<Option<Group>, AppError> {
    Ok(school_repo::groups_of_student(c, student, on)
        .await?
        .into_iter()
        .find(|g| g.kind == GroupKind::Class))
}

/// Whether the principal keeps the registry for a pupil of `class` in `school`: administrators,
/// deputy heads, the class's class teacher.
pub fn keeps(p: &Principal, school: SchoolId, class: Option<GroupId>) -> bool {
    p.is_admin_of(school)
        || p.has_role(Role::Deputy, school)
        || class.is_some_and(|k| p.class_teacher_of.contains(&(school, k)))
}

/// Refusal for someone who may not keep the registry here: 403 for the school's staff, 404 for
/// families (other families' children are not theirs to learn of) and strangers.
fn refuse(p: &Principal, school: SchoolId) -> AppError {
    if p.is_staff_of(school) {
        AppError::Forbidden
    } else {
        AppError::NotFound
    }
}

impl App {
    /// The registry of a class: every pupil × representative with the statuses in force.
    pub async fn class_consents(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<ClassRegistry, AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = crate::school::class_group(c, class, today).await?;
        if !keeps(p, g.school, Some(g.id)) {
            return Err(refuse(p, g.school));
        }
        let lines = repo::registry_of_class(c, class, today).await?;
        let mut counts = Status::ALL.map(|s| (s, 0usize));
        let mut without_representative = 0;
        for l in &lines {
            if l.parent.is_none() {
                without_representative += 1;
                continue;
            }
            let status = Status::of(l.diary);
            for (s, n) in &mut counts {
                if *s == status {
                    *n += 1;
                }
            }
        }
        let mut paper: Vec<PersonId> = Vec::new();
        for l in &lines {
            let electronic = lines.iter().any(|x| {
                x.student == l.student
                    && x.diary == Some(ConsentState::Given)
                    && x.delivery == Some(ConsentState::Given)
            });
            if !electronic && paper.last() != Some(&l.student) {
                paper.push(l.student);
            }
        }
        Ok(ClassRegistry {
            class: g,
            lines,
            counts,
            without_representative,
            paper,
        })
    }

    /// A child's consents: for the registry's keepers, all of them; for a representative of the
    /// child, their own (whatever the consent's state: this is where they learn it).
    pub async fn child_consents(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<ChildConsents, AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let class = class_of(c, student, today).await?;
        let may_keep = keeps(p, card.school, class.as_ref().map(|g| g.id));
        let own_parent = p
            .person
            .filter(|me| p.children.iter().any(|ch| ch.student == student) && *me != student);
        if !may_keep && own_parent.is_none() {
            return Err(if p.is_staff_of(card.school) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        let mut records = repo::history_of_student(c, student).await?;
        let mut parents = Vec::new();
        for (parent, relation) in school_repo::parents_of(c, student).await? {
            if !may_keep && Some(parent) != own_parent {
                continue;
            }
            let Some((_, person)) = school_repo::get_person(c, parent).await? else {
                continue;
            };
            let latest = |purpose: ConsentPurpose| {
                Status::of(
                    records
                        .iter()
                        .find(|r| r.parent == parent && r.purpose == purpose)
                        .map(|r| r.state),
                )
            };
            parents.push(ParentStatus {
                diary: latest(ConsentPurpose::Diary),
                delivery: latest(ConsentPurpose::ElectronicDelivery),
                person,
                relation,
            });
        }
        if !may_keep {
            records.retain(|r| Some(r.parent) == own_parent);
        }
        // A representative without the diary consent in force learns the consent's state here,
        // not the child's name or class (the API's answer has neither).
        let shows_child = may_keep || parents.iter().any(|x| x.diary.in_force());
        Ok(ChildConsents {
            student: if shows_child {
                card.person
            } else {
                card.person.withheld()
            },
            school: card.school,
            class: class.filter(|_| shows_child),
            parents,
            records,
            may_keep,
        })
    }

    /// Records an application: consent or refusal for the diary and/or electronic delivery, on
    /// its basis. Electronic delivery cannot be given without the diary consent in force after
    /// this application.
    pub async fn register_consent(
        &self,
        p: &Principal,
        input: &ConsentInput,
        client: &Client,
    ) -> Result<Vec<i64>, AppError> {
        let (parent, student) = (input.parent, input.student);
        let diary = input
            .diary
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_state("diary", s))
            .transpose()?;
        let delivery = input
            .electronic_delivery
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_state("electronic_delivery", s))
            .transpose()?;
        if diary.is_none() && delivery.is_none() {
            return Err(AppError::invalid(
                "diary",
                "say what the application gives or refuses: diary and/or electronic_delivery",
            ));
        }
        let today = self.today();
        let basis = input.basis.check(today).map_err(rule)?;
        let note = rules::check_note(&input.note).map_err(rule)?;
        let text_version = match input.text_version.as_deref().map(str::trim) {
            None | Some("") => rules::CURRENT_TEXT_VERSION.to_owned(),
            Some(v) if v.chars().count() <= 20 && !v.chars().any(char::is_control) => v.to_owned(),
            Some(_) => {
                return Err(AppError::invalid("text_version", "at most 20 characters"));
            }
        };
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let school = self.check_keeper(c, p, student, today).await?;
        if !school_repo::is_linked(c, parent, student).await? {
            return Err(AppError::invalid(
                "parent_id",
                "this person is not a legal representative of the child on record",
            ));
        }
        let diary_after = match diary {
            Some(s) => Some(s),
            None => repo::latest(c, parent, student, ConsentPurpose::Diary).await?,
        };
        if delivery == Some(ConsentState::Given) && diary_after != Some(ConsentState::Given) {
            return Err(AppError::invalid(
                "electronic_delivery",
                "electronic delivery needs the diary consent in force",
            ));
        }
        let now = self.now();
        let mut ids = Vec::new();
        // Refusing the diary ends electronic delivery too, when it was given.
        let mut writes: Vec<(ConsentPurpose, ConsentState)> = Vec::new();
        if let Some(s) = diary {
            writes.push((ConsentPurpose::Diary, s));
            if s == ConsentState::Refused
                && delivery.is_none()
                && repo::latest(c, parent, student, ConsentPurpose::ElectronicDelivery).await?
                    == Some(ConsentState::Given)
            {
                writes.push((ConsentPurpose::ElectronicDelivery, ConsentState::Refused));
            }
        }
        if let Some(s) = delivery {
            writes.push((ConsentPurpose::ElectronicDelivery, s));
        }
        for (purpose, state) in writes {
            let record = repo::NewRecord {
                school,
                parent,
                student,
                purpose,
                state,
                text_version: &text_version,
                basis: &basis,
                note: &note,
                recorded_by: Some(p.user),
                recorded_at: now,
            };
            ids.push(self.append_record(c, p, &record, client).await?);
        }
        tx.commit().await?;
        self.forget_sessions();
        Ok(ids)
    }

    /// Withdraws a consent in force. Staff need the application's basis; a representative
    /// withdraws their own in the cabinet. Withdrawing the diary consent ends electronic
    /// delivery too. Takes effect at once: every remembered session is dropped.
    pub async fn withdraw_consent(
        &self,
        p: &Principal,
        input: &WithdrawalInput,
        client: &Client,
    ) -> Result<Vec<i64>, AppError> {
        let (parent, student) = (input.parent, input.student);
        let purpose = match input.purpose.trim() {
            "diary" => ConsentPurpose::Diary,
            "electronic_delivery" => ConsentPurpose::ElectronicDelivery,
            other => {
                return Err(AppError::invalid(
                    "purpose",
                    format!("{other:?}: use diary or electronic_delivery"),
                ));
            }
        };
        let today = self.today();
        let note = rules::check_note(&input.note).map_err(rule)?;
        let by_parent = p.person == Some(parent) && p.children.iter().any(|c| c.student == student);
        let basis = match (&input.basis, by_parent) {
            (Some(b), _) if !b.kind.trim().is_empty() => b.check(today).map_err(rule)?,
            (_, true) => Basis::cabinet(today),
            (_, false) => {
                return Err(AppError::invalid(
                    "basis.kind",
                    "a withdrawal recorded by the school needs its application",
                ));
            }
        };
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let school = if by_parent && basis.kind == rules::BasisKind::Cabinet {
            school_repo::get_student(c, student)
                .await?
                .ok_or(AppError::NotFound)?
                .school
        } else {
            self.check_keeper(c, p, student, today).await?
        };
        if !school_repo::is_linked(c, parent, student).await? {
            return Err(AppError::invalid(
                "parent_id",
                "this person is not a legal representative of the child on record",
            ));
        }
        let mut purposes = vec![purpose];
        if purpose == ConsentPurpose::Diary {
            purposes.push(ConsentPurpose::ElectronicDelivery);
        }
        let now = self.now();
        let mut ids = Vec::new();
        for (i, purpose) in purposes.into_iter().enumerate() {
            let latest = repo::latest(c, parent, student, purpose).await?;
            if i > 0 && latest != Some(ConsentState::Given) {
                // Electronic delivery was not in force: nothing to end with the diary.
                continue;
            }
            rules::may_follow(latest, ConsentState::Withdrawn)
                .map_err(|e| AppError::Conflict(format!("{}: {}", purpose.code(), e.message)))?;
            let record = repo::NewRecord {
                school,
                parent,
                student,
                purpose,
                state: ConsentState::Withdrawn,
                text_version: rules::CURRENT_TEXT_VERSION,
                basis: &basis,
                note: &note,
                recorded_by: Some(p.user),
                recorded_at: now,
            };
            ids.push(self.append_record(c, p, &record, client).await?);
        }
        tx.commit().await?;
        self.forget_sessions();
        Ok(ids)
    }

    async fn append_record(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        record: &repo::NewRecord<'_>,
        client: &Client,
    ) -> Result<i64, AppError> {
        let before = repo::latest(c, record.parent, record.student, record.purpose).await?;
        let id = repo::insert(c, record).await?;
        let after = record_json(record, id);
        audit::append(
            c,
            &AuditEntry {
                chain: record.school.get(),
                at: record.recorded_at,
                actor: Some(p.user.get()),
                action: match record.state {
                    ConsentState::Given => "consent.give",
                    ConsentState::Refused => "consent.refuse",
                    ConsentState::Withdrawn => "consent.withdraw",
                },
                entity: "consent",
                entity_id: format!(
                    "{}:{}:{}",
                    record.parent,
                    record.student,
                    record.purpose.code()
                ),
                before: before.map(|s| serde_json::json!({"state": s.code()})),
                after: Some(after.clone()),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        outbox::emit(
            c,
            Some(record.school),
            "consent.changed",
            &after,
            record.recorded_at,
        )
        .await?;
        Ok(id)
    }

    /// The child's school, when the principal keeps the registry for the child.
    async fn check_keeper(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        student: PersonId,
        today: Date,
    ) -> Result<SchoolId, AppError> {
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let class = class_of(c, student, today).await?;
        if keeps(p, card.school, class.map(|g| g.id)) {
            Ok(card.school)
        } else if p.children.iter().any(|c| c.student == student) {
            // The child's own representative: known to them, not theirs to record.
            Err(AppError::Forbidden)
        } else {
            Err(refuse(p, card.school))
        }
    }

    /// Whether the caller may keep a scan for the record, decided before the scan is read: the
    /// registry's keepers of the record's pupil (others get 403 or 404 as for the record), a
    /// record without a scan yet (409), and the uploader's daily limit not used up.
    pub async fn may_attach_consent_scan(
        &self,
        p: &Principal,
        consent: tabel_domain::ConsentId,
    ) -> Result<(), AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let record = repo::get(c, consent).await?.ok_or(AppError::NotFound)?;
        self.check_keeper(c, p, record.student, today).await?;
        if record.has_scan {
            return Err(AppError::Conflict(
                "this record already has its scan; a new application is a new record".into(),
            ));
        }
        self.check_daily_upload(c, p, 0).await
    }

    /// Keeps the scan of the paper a record rests on (PDF, JPEG, PNG up to 5 MB; one per
    /// record; within the uploader's daily limit).
    pub async fn attach_consent_scan(
        &self,
        p: &Principal,
        consent: tabel_domain::ConsentId,
        (file_name, content_type, bytes): (&str, &str, Vec<u8>),
        client: &Client,
    ) -> Result<(), AppError> {
        if bytes.is_empty() {
            return Err(AppError::invalid("file", "the file is empty"));
        }
        if bytes.len() > MAX_SCAN_BYTES {
            return Err(AppError::invalid("file", "a scan may be at most 5 MB"));
        }
        let content_type = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !SCAN_TYPES.contains(&content_type.as_str()) {
            return Err(AppError::invalid("file", "a scan is a PDF, JPEG or PNG"));
        }
        let name: String = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(120)
            .collect();
        let name = if name.trim().is_empty() {
            "scan".to_owned()
        } else {
            name.trim().to_owned()
        };
        let today = self.today();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let record = repo::get(c, consent).await?.ok_or(AppError::NotFound)?;
        self.check_keeper(c, p, record.student, today).await?;
        if record.has_scan {
            return Err(AppError::Conflict(
                "this record already has its scan; a new application is a new record".into(),
            ));
        }
        self.check_daily_upload(c, p, bytes.len()).await?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let now = self.now();
        let scan = repo::Scan {
            consent: consent.get(),
            school: record.school,
            file_name: name,
            content_type,
            sha256,
            content: bytes,
        };
        repo::insert_scan(c, &scan, Some(p.user), now).await?;
        audit::append(
            c,
            &AuditEntry {
                chain: record.school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "consent.scan",
                entity: "consent_scan",
                entity_id: consent.to_string(),
                before: None,
                after: Some(serde_json::json!({"consent_id": consent.to_string(),
                    "file_name": scan.file_name, "content_type": scan.content_type,
                    "size": scan.content.len(), "sha256": scan.sha256})),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The child a record is about (to return to their page after a scan is kept).
    pub async fn consent_record_student(
        &self,
        consent: tabel_domain::ConsentId,
    ) -> Result<PersonId, AppError> {
        let mut c = self.db.acquire().await?;
        Ok(repo::get(&mut c.conn(), consent)
            .await?
            .ok_or(AppError::NotFound)?
            .student)
    }

    /// The scan of a record (the registry's keepers only).
    pub async fn consent_scan(
        &self,
        p: &Principal,
        consent: tabel_domain::ConsentId,
    ) -> Result<repo::Scan, AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let record = repo::get(c, consent).await?.ok_or(AppError::NotFound)?;
        self.check_keeper(c, p, record.student, today).await?;
        repo::scan(c, consent).await?.ok_or(AppError::NotFound)
    }

    /// What the printed form for a representative to sign needs (the registry's keepers, and
    /// the representative themself).
    pub async fn consent_form(
        &self,
        p: &Principal,
        parent: PersonId,
        student: PersonId,
    ) -> Result<ConsentForm, AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let own = p.person == Some(parent) && p.children.iter().any(|ch| ch.student == student);
        if !own {
            self.check_keeper(c, p, student, today).await?;
        }
        if !school_repo::is_linked(c, parent, student).await? {
            return Err(AppError::NotFound);
        }
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let (_, parent_person) = school_repo::get_person(c, parent)
            .await?
            .ok_or(AppError::NotFound)?;
        let class = class_of(c, student, today).await?;
        let school_name = school_repo::list_schools(c)
            .await?
            .into_iter()
            .find(|s| s.id == card.school)
            .map(|s| s.name)
            .unwrap_or_default();
        Ok(ConsentForm {
            school_name,
            parent: parent_person,
            student: card.person,
            class_name: class.map(|g| g.name).unwrap_or_default(),
            text_version: rules::CURRENT_TEXT_VERSION,
            today,
        })
    }
}
