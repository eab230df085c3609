//! Absence notes from families (объяснительная, справка; issue 18, point 7).
//!
//! Who may do what (default deny):
//! - a legal representative of the pupil, with the diary consent in force, sends a note (dates,
//!   reason, an optional scan of a document) and reads the pupil's notes; a representative
//!   without that consent gets [`AppError::NoConsent`];
//! - the pupil's own account reads the notes (with the consent, as the diary) but does not
//!   send them: a note is the legal representative's statement (403);
//! - the class teacher of the class the pupil was in when the note was sent, and the school's
//!   administrators and deputy heads, list the notes waiting, read them, download the scan and
//!   accept or reject a note (a rejection needs a comment); other staff of the school get 403;
//! - the scan is downloaded only by the deciders and the representative who sent it;
//! - anyone else, another school's staff included, is told nothing (404).
//!
//! Accepting a note excuses the pupil's absences without a reason (Н) on the lessons within
//! its dates — Б for an illness, УП otherwise — through the journal's own versioned write, with
//! an audit record and an event per absence ([`crate::journal`]); absences in a closed period
//! stay for an administrator's correction. Absences recorded later within an accepted note's
//! dates are excused as they are recorded. The decision reaches the pupil's consenting
//! representatives through the notification channels (`absence_note.decided`).
//!
//! A scan is authorised before its body is read ([`App::may_send_absence_note`]) and streamed
//! into a temporary file with the size cap, as every upload ([`crate::upload`]); it counts
//! against the sender's daily upload limit.

use crate::homework_files::{FileUpload, content_type, refusal, sanitize_file_name};
use crate::{App, AppError, Client, FieldErrors, check};
use tabel_domain::absence::{
    AbsenceNote, MAX_COMMENT_CHARS, MAX_SCAN_BYTES, NoteReason, NoteState, SCAN_TYPES, check_note,
};
use tabel_domain::access::{Decision, Principal, StudentFacts};
use tabel_domain::school::{GroupKind, Role};
use tabel_domain::{AbsenceNoteId, GroupId, PersonId, SchoolId};
use tabel_store::absence_notes::{self as repo, NewNote, NewScan};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school as school_repo;
use tabel_store::{Conn, outbox};
use time::{Date, OffsetDateTime};

/// A note as a family sends it, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendNote {
    /// First day away.
    pub from: Date,
    /// Last day away.
    pub to: Date,
    /// Why.
    pub reason: NoteReason,
    /// The family's words.
    pub text: String,
}

/// A decision on a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecideNote {
    /// Accept (`true`) or reject.
    pub accept: bool,
    /// Why (required to reject).
    pub comment: String,
    /// The version read, to refuse a decision on a note changed meanwhile.
    pub version: Option<i64>,
}

/// A note with what the reader may do with it.
#[derive(Debug, Clone)]
pub struct NoteView {
    /// The note.
    pub note: AbsenceNote,
    /// The reader may accept or reject it now (a decider, and it is pending).
    pub may_decide: bool,
    /// The reader may download its scan (a decider or the sender, and there is one).
    pub may_download_scan: bool,
}

/// A pupil's notes, for the diary.
#[derive(Debug, Clone)]
pub struct StudentNotes {
    /// The pupil, as every diary view carries them.
    pub child: crate::diary::DiaryChild,
    /// Newest first.
    pub notes: Vec<NoteView>,
    /// The reader may send a note for the pupil (a consenting representative).
    pub may_send: bool,
}

/// How a reader stands to a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// Its class teacher, or an administrator or deputy head of the school.
    Decider,
    /// The representative who sent it (with the consent still in force).
    Sender,
    /// Another consenting representative, or the pupil.
    Family,
}

/// Whether `p` decides the notes of a class: its class teacher, or an administrator or deputy
/// head of the school.
fn decides(p: &Principal, school: SchoolId, class: GroupId) -> bool {
    office(p, school) || p.class_teacher_of.contains(&(school, class))
}

/// An administrator or deputy head of the school: decides every class's notes.
fn office(p: &Principal, school: SchoolId) -> bool {
    p.is_admin_of(school) || p.grants.contains(&(Role::Deputy, school))
}

/// How `p` may read a note, or the refusal: 403 for the school's staff and the family without
/// consent (which is told why), 404 for anyone else.
fn reader_of(p: &Principal, n: &AbsenceNote) -> Result<Reader, AppError> {
    if decides(p, n.school, n.class) {
        return Ok(Reader::Decider);
    }
    let facts = StudentFacts {
        student: n.student,
        school: n.school,
    };
    let family = p.visible_children().any(|s| s == n.student)
        || (p.person == Some(n.student) && p.student_consent);
    if family {
        return Ok(if p.person == Some(n.sent_by) {
            Reader::Sender
        } else {
            Reader::Family
        });
    }
    match p.may_view_student(&facts) {
        Decision::NoConsent => Err(AppError::NoConsent),
        Decision::Hidden => Err(AppError::NotFound),
        // Staff who read the pupil otherwise: notes are for the class teacher and the office.
        _ => Err(AppError::Forbidden),
    }
}

fn view(note: AbsenceNote, reader: Reader) -> NoteView {
    NoteView {
        may_decide: reader == Reader::Decider && note.state == NoteState::Pending,
        may_download_scan: note.scan.is_some()
            && matches!(reader, Reader::Decider | Reader::Sender),
        note,
    }
}

fn note_json(n: &AbsenceNote) -> serde_json::Value {
    serde_json::json!({
        "id": n.id.to_string(), "student_id": n.student.to_string(), "class_id": n.class.to_string(),
        "from": n.from.to_string(), "to": n.to.to_string(), "reason": n.reason.code(),
        "state": n.state.code(), "comment": n.comment, "excused": n.excused,
        "scan": n.scan.as_ref().map(|s| serde_json::json!({
            "file_name": s.file_name, "content_type": s.content_type, "size_bytes": s.size_bytes})),
    })
}

async fn append_audit(
    c: &mut Conn<'_>,
    p: &Principal,
    (action, n): (&str, &AbsenceNote),
    (before, after): (Option<serde_json::Value>, serde_json::Value),
    reason: Option<&str>,
    (client, at): (&Client, OffsetDateTime),
) -> Result<(), AppError> {
    audit::append(
        c,
        &AuditEntry {
            chain: n.school.get(),
            at,
            actor: Some(p.user.get()),
            action,
            entity: "absence_note",
            entity_id: n.id.to_string(),
            before,
            after: Some(after),
            reason: reason.map(str::trim).filter(|r| !r.is_empty()),
            origin: Some(&client.address),
        },
    )
    .await?;
    Ok(())
}

/// A scan as it will be stored: a safe name, an allowed type, the bytes.
struct CheckedScan {
    name: String,
    kind: &'static str,
    upload: FileUpload,
}

/// Checks an uploaded scan: an empty one is no scan; a PDF, JPEG or PNG of at most
/// [`MAX_SCAN_BYTES`], else 422 (the size with [`refusal::TOO_LARGE`], as every upload).
fn check_scan(scan: Option<FileUpload>) -> Result<Option<CheckedScan>, AppError> {
    let Some(upload) = scan.filter(|s| !s.content.is_empty()) else {
        return Ok(None);
    };
    if upload.content.len() > MAX_SCAN_BYTES {
        return Err(AppError::invalid("file", refusal::TOO_LARGE));
    }
    let kind = content_type(&upload.content_type);
    if !SCAN_TYPES.contains(&kind) {
        return Err(AppError::invalid("file", "a scan is a PDF, JPEG or PNG"));
    }
    Ok(Some(CheckedScan {
        name: sanitize_file_name(&upload.file_name),
        kind,
        upload,
    }))
}

impl App {
    /// The largest scan of a note accepted, in bytes.
    pub fn absence_note_scan_max_bytes(&self) -> usize {
        MAX_SCAN_BYTES
    }

    /// Checks that `p` sends notes for the pupil: a legal representative with the diary
    /// consent in force; returns the pupil's school and class today.
    async fn sender_gate(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        student: PersonId,
    ) -> Result<(SchoolId, GroupId), AppError> {
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        if !p.visible_children().any(|s| s == student) {
            return Err(
                match p.may_view_student(&StudentFacts {
                    student,
                    school: card.school,
                }) {
                    // The pupil and the staff read notes; only a representative sends one.
                    Decision::Allow => AppError::Forbidden,
                    d => match check(d) {
                        Err(e) => e,
                        Ok(()) => AppError::Forbidden,
                    },
                },
            );
        }
        let class = school_repo::groups_of_student(c, student, self.today())
            .await?
            .into_iter()
            .find(|g| g.kind == GroupKind::Class)
            .ok_or_else(|| {
                AppError::Conflict("the pupil is not in a class this school year".into())
            })?;
        Ok((card.school, class.id))
    }

    /// Whether `p` sends notes for the pupil (a legal representative with the diary consent):
    /// asked before a note's body is read, so that others learn nothing from its validation.
    pub async fn absence_note_sender(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<(), AppError> {
        let mut c = self.db.acquire().await?;
        self.sender_gate(&mut c.conn(), p, student).await?;
        Ok(())
    }

    /// Whether `p` may send a note for the pupil, decided before a scan is read: 404 for a
    /// pupil they do not see, 403 for one they may not send for (the pupil themself, staff),
    /// the consent refusal, and the daily upload limit when used up.
    pub async fn may_send_absence_note(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<(), AppError> {
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        self.sender_gate(c, p, student).await?;
        self.check_daily_upload(c, p, 0).await
    }

    /// Sends a note for a pupil (a consenting legal representative), with an optional scan.
    #[tracing::instrument(skip_all, fields(student = student.get()))]
    pub async fn send_absence_note(
        &self,
        p: &Principal,
        student: PersonId,
        input: &SendNote,
        scan: Option<FileUpload>,
        client: &Client,
    ) -> Result<NoteView, AppError> {
        let draft = check_note(
            (input.from, input.to),
            input.reason,
            &input.text,
            self.today(),
        )
        .map_err(|e| {
            AppError::Invalid(
                e.into_iter()
                    .map(|(f, m)| (f.to_owned(), m))
                    .collect::<FieldErrors>(),
            )
        })?;
        let scan = check_scan(scan)?;
        let bytes = match &scan {
            Some(s) => Some(
                s.upload
                    .content
                    .read()
                    .await
                    .map_err(|e| AppError::Internal(format!("the uploaded scan: {e}")))?,
            ),
            None => None,
        };
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let (school, class) = self.sender_gate(c, p, student).await?;
        let person = p.person.ok_or(AppError::Forbidden)?;
        self.check_daily_upload(c, p, bytes.as_ref().map_or(0, Vec::len))
            .await?;
        let now = self.now();
        let new_scan = match (&scan, &bytes) {
            (Some(s), Some(b)) => Some(NewScan {
                file_name: &s.name,
                content_type: s.kind,
                sha256: s.upload.content.sha256(),
                content: b,
            }),
            _ => None,
        };
        let id = repo::insert_note(
            c,
            &NewNote {
                school,
                student,
                class,
                dates: (draft.from, draft.to),
                reason: draft.reason,
                text: &draft.text,
                by: (person, p.user),
                at: now,
                scan: new_scan,
            },
        )
        .await?;
        let note = repo::get_note(c, id).await?.ok_or(AppError::NotFound)?;
        let after = note_json(&note);
        append_audit(
            c,
            p,
            ("absence_note.send", &note),
            (None, after.clone()),
            None,
            (client, now),
        )
        .await?;
        outbox::emit(c, Some(school), "absence_note.sent", &after, now).await?;
        tx.commit().await?;
        Ok(view(note, Reader::Sender))
    }

    /// A pupil's notes, newest first: the family (with the consent), the class teacher,
    /// administrators and deputy heads; other staff get 403.
    pub async fn absence_notes_of_student(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<StudentNotes, AppError> {
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let child = self.diary_child(c, p, student).await?;
        let school = child.card.school;
        let family = p.visible_children().any(|s| s == student)
            || (p.person == Some(student) && p.student_consent);
        let class_decider = child
            .class
            .as_ref()
            .is_some_and(|g| decides(p, school, g.id));
        if !family && !class_decider && !office(p, school) {
            return Err(AppError::Forbidden);
        }
        let notes = repo::notes_of_student(c, student)
            .await?
            .into_iter()
            .filter_map(|n| reader_of(p, &n).ok().map(|r| view(n, r)))
            .collect();
        Ok(StudentNotes {
            may_send: p.visible_children().any(|s| s == student),
            child,
            notes,
        })
    }

    /// The notes the caller decides — of the classes they lead, or of the whole school for
    /// administrators and deputy heads — in one state (`None`: all), pending ones first.
    /// Anyone who decides none gets 403.
    pub async fn absence_notes_to_decide(
        &self,
        p: &Principal,
        state: Option<NoteState>,
    ) -> Result<Vec<NoteView>, AppError> {
        let (schools, classes) = deciding(p);
        if schools.is_empty() && classes.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let mut out = Vec::new();
        for s in &schools {
            out.extend(repo::notes_of_school(c, *s, None, state).await?);
        }
        for (s, class) in classes.iter().filter(|(s, _)| !schools.contains(s)) {
            out.extend(repo::notes_of_school(c, *s, Some(*class), state).await?);
        }
        Ok(out.into_iter().map(|n| view(n, Reader::Decider)).collect())
    }

    /// How many notes wait for the caller's decision; `None` when they decide none (the home
    /// page shows no tile then).
    pub async fn absence_notes_waiting(&self, p: &Principal) -> Result<Option<i64>, AppError> {
        let (schools, classes) = deciding(p);
        if schools.is_empty() && classes.is_empty() {
            return Ok(None);
        }
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let mut n = 0;
        for s in &schools {
            n += repo::count_pending(c, *s, None).await?;
        }
        for (s, class) in classes.iter().filter(|(s, _)| !schools.contains(s)) {
            n += repo::count_pending(c, *s, Some(*class)).await?;
        }
        Ok(Some(n))
    }

    /// One note (its deciders and the pupil's family).
    pub async fn absence_note(
        &self,
        p: &Principal,
        id: AbsenceNoteId,
    ) -> Result<NoteView, AppError> {
        let mut c = self.db.acquire().await?;
        let note = repo::get_note(&mut c.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        let reader = reader_of(p, &note)?;
        Ok(view(note, reader))
    }

    /// A note's scan: name, type and bytes (its deciders and the representative who sent it;
    /// the rest of the family gets 403).
    pub async fn absence_note_scan(
        &self,
        p: &Principal,
        id: AbsenceNoteId,
    ) -> Result<(String, String, Vec<u8>), AppError> {
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let note = repo::get_note(c, id).await?.ok_or(AppError::NotFound)?;
        match reader_of(p, &note)? {
            Reader::Decider | Reader::Sender => {}
            Reader::Family => return Err(AppError::Forbidden),
        }
        repo::scan(c, id).await?.ok_or(AppError::NotFound)
    }

    /// Accepts or rejects a pending note (its class teacher, an administrator or deputy head).
    /// Accepting excuses the pupil's absences without a reason within its dates; see the
    /// module's documentation.
    #[tracing::instrument(skip_all, fields(note = id.get(), accept = input.accept))]
    pub async fn decide_absence_note(
        &self,
        p: &Principal,
        id: AbsenceNoteId,
        input: &DecideNote,
        client: &Client,
    ) -> Result<NoteView, AppError> {
        let comment = input.comment.trim();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let note = repo::get_note(c, id).await?.ok_or(AppError::NotFound)?;
        if reader_of(p, &note)? != Reader::Decider {
            return Err(AppError::Forbidden);
        }
        if note.state != NoteState::Pending {
            return Err(AppError::Conflict(
                "the note is already decided; the family may send a new one".into(),
            ));
        }
        if input.version.is_some_and(|v| v != note.version) {
            return Err(AppError::Stale {
                detail: "the note was changed by someone else; here is the current one".into(),
                current: Some(note_json(&note)),
            });
        }
        if comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(AppError::invalid(
                "comment",
                format!("at most {MAX_COMMENT_CHARS} characters"),
            ));
        }
        if !input.accept && comment.is_empty() {
            return Err(AppError::invalid(
                "comment",
                "say why the note is rejected: the family reads it",
            ));
        }
        let now = self.now();
        let state = if input.accept {
            NoteState::Accepted
        } else {
            NoteState::Rejected
        };
        let decided = repo::decide(
            c,
            id,
            note.version,
            &repo::Decision {
                state,
                comment,
                by: (p.person, p.user),
                at: now,
            },
        )
        .await?;
        if !decided {
            return Err(AppError::Conflict(
                "the note was decided by someone else meanwhile".into(),
            ));
        }
        let mut decided_note = repo::get_note(c, id).await?.ok_or(AppError::NotFound)?;
        let mut closed = 0;
        if input.accept {
            let (excused, left) =
                crate::journal::excuse_absences_in(c, p, &decided_note, client, now).await?;
            repo::add_excused(c, id, excused).await?;
            decided_note.excused += excused;
            closed = left;
        }
        let mut after = note_json(&decided_note);
        after["left_in_closed_periods"] = closed.into();
        append_audit(
            c,
            p,
            (
                if input.accept {
                    "absence_note.accept"
                } else {
                    "absence_note.reject"
                },
                &decided_note,
            ),
            (Some(note_json(&note)), after.clone()),
            Some(comment),
            (client, now),
        )
        .await?;
        outbox::emit(
            c,
            Some(decided_note.school),
            "absence_note.decided",
            &after,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(view(decided_note, Reader::Decider))
    }
}

/// The schools whose notes `p` decides whole (administrator, deputy head) and the classes they
/// lead.
fn deciding(p: &Principal) -> (Vec<SchoolId>, Vec<(SchoolId, GroupId)>) {
    let mut schools: Vec<SchoolId> = p
        .grants
        .iter()
        .filter(|(r, _)| matches!(r, Role::Admin | Role::Deputy))
        .map(|(_, s)| *s)
        .collect();
    schools.sort();
    schools.dedup();
    (schools, p.class_teacher_of.clone())
}
