//! Absence notes from families (объяснительная, справка): a legal representative tells the
//! class teacher why the pupil was (or will be) away, for which dates, with a scan of a
//! document if there is one; the class teacher (or an administrator or deputy head) accepts or
//! rejects it with a comment. An accepted note excuses the pupil's absences without a reason (Н)
//! within its dates: an illness gives Б, anything else УП.

use crate::code::coded_enum;
use crate::journal::Attendance;
use crate::{AbsenceNoteId, GroupId, PersonId, SchoolId};
use time::{Date, Duration, OffsetDateTime};

coded_enum!(
    /// Why the pupil was away, as the family says.
    NoteReason {
        /// Illness (болезнь): the absences become Б.
        Illness = "illness",
        /// Family circumstances (семейные обстоятельства): УП.
        Family = "family",
        /// Anything else, said in the text: УП.
        Other = "other",
    }
);

coded_enum!(
    /// Where a note stands.
    NoteState {
        /// Sent, waiting for the class teacher (ожидает).
        Pending = "pending",
        /// Accepted (принята): the absences within its dates are excused.
        Accepted = "accepted",
        /// Rejected (отклонена), with the teacher's comment.
        Rejected = "rejected",
    }
);

/// How far back a note may reach: its first day is at most this many days before today.
pub const MAX_DAYS_BACK: i64 = 30;
/// How far ahead a note may reach (a planned absence told in advance).
pub const MAX_DAYS_AHEAD: i64 = 30;
/// Longest text of a note, in characters.
pub const MAX_TEXT_CHARS: usize = 1000;
/// Longest comment of a decision, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;
/// The largest scan kept, in bytes.
pub const MAX_SCAN_BYTES: usize = 5 * 1024 * 1024;
/// The kinds of scan kept (what a scanner or a phone camera produces).
pub const SCAN_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

impl NoteReason {
    /// The attendance code an accepted note gives an absence without a reason.
    pub fn attendance(self) -> Attendance {
        match self {
            NoteReason::Illness => Attendance::Ill,
            NoteReason::Family | NoteReason::Other => Attendance::Excused,
        }
    }
}

/// A note as a family writes it, checked by [`check_note`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteDraft {
    /// First day away.
    pub from: Date,
    /// Last day away (the same as `from` for one day).
    pub to: Date,
    /// Why.
    pub reason: NoteReason,
    /// The family's words, trimmed (required for [`NoteReason::Other`]).
    pub text: String,
}

/// Checks a note's dates and text against today: `from` not more than [`MAX_DAYS_BACK`] days
/// ago, `to` not before `from` and not more than [`MAX_DAYS_AHEAD`] days ahead, a text of at
/// most [`MAX_TEXT_CHARS`] characters, required when the reason is "other". The errors name
/// the field.
pub fn check_note(
    (from, to): (Date, Date),
    reason: NoteReason,
    text: &str,
    today: Date,
) -> Result<NoteDraft, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    if from < today - Duration::days(MAX_DAYS_BACK) {
        errors.push((
            "from",
            format!("a note reaches at most {MAX_DAYS_BACK} days back"),
        ));
    }
    if to < from {
        errors.push(("to", "the last day is before the first".to_owned()));
    } else if to > today + Duration::days(MAX_DAYS_AHEAD) {
        errors.push((
            "to",
            format!("a note reaches at most {MAX_DAYS_AHEAD} days ahead"),
        ));
    }
    let text = text.trim();
    if text.chars().count() > MAX_TEXT_CHARS {
        errors.push(("text", format!("at most {MAX_TEXT_CHARS} characters")));
    } else if text.is_empty() && reason == NoteReason::Other {
        errors.push(("text", "say what the reason was".to_owned()));
    }
    if errors.is_empty() {
        Ok(NoteDraft {
            from,
            to,
            reason,
            text: text.to_owned(),
        })
    } else {
        Err(errors)
    }
}

/// A note's scan, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteScan {
    /// The name it came with (made safe).
    pub file_name: String,
    /// PDF, JPEG or PNG.
    pub content_type: String,
    /// Its size.
    pub size_bytes: i64,
}

/// A stored note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsenceNote {
    /// Id.
    pub id: AbsenceNoteId,
    /// The pupil's school.
    pub school: SchoolId,
    /// The pupil.
    pub student: PersonId,
    /// «Петров Иван».
    pub student_name: String,
    /// The pupil's class when the note was sent: its class teacher decides.
    pub class: GroupId,
    /// «5А».
    pub class_name: String,
    /// First day away.
    pub from: Date,
    /// Last day away.
    pub to: Date,
    /// Why.
    pub reason: NoteReason,
    /// The family's words.
    pub text: String,
    /// Where it stands.
    pub state: NoteState,
    /// The decider's comment (why a note was rejected).
    pub comment: String,
    /// The legal representative who sent it.
    pub sent_by: PersonId,
    /// Their name.
    pub sent_by_name: String,
    /// When.
    pub sent_at: OffsetDateTime,
    /// Who decided, by name.
    pub decided_by_name: Option<String>,
    /// When.
    pub decided_at: Option<OffsetDateTime>,
    /// How many absences the acceptance excused (more come as lessons within its dates are
    /// marked later; they are excused as they are recorded).
    pub excused: i64,
    /// The attached scan.
    pub scan: Option<NoteScan>,
    /// Changes with every decision.
    pub version: i64,
}

impl AbsenceNote {
    /// Whether the note covers a date.
    pub fn covers(&self, on: Date) -> bool {
        self.from <= on && on <= self.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 28);

    #[test]
    fn a_note_reaches_thirty_days_back_and_ahead() {
        let ok = check_note(
            (date!(2026 - 10 - 29), date!(2026 - 12 - 28)),
            NoteReason::Illness,
            "",
            TODAY,
        );
        assert!(ok.is_ok(), "{ok:?}");
        let e = check_note(
            (date!(2026 - 10 - 28), date!(2026 - 12 - 29)),
            NoteReason::Illness,
            "",
            TODAY,
        )
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["from", "to"]);
    }

    #[test]
    fn the_last_day_is_not_before_the_first() {
        let e = check_note(
            (date!(2026 - 11 - 25), date!(2026 - 11 - 24)),
            NoteReason::Family,
            "",
            TODAY,
        )
        .unwrap_err();
        assert_eq!(e[0].0, "to");
    }

    #[test]
    fn another_reason_needs_words_and_words_have_a_limit() {
        let day = (date!(2026 - 11 - 27), date!(2026 - 11 - 27));
        assert_eq!(
            check_note(day, NoteReason::Other, "  ", TODAY).unwrap_err()[0].0,
            "text"
        );
        let long = "я".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            check_note(day, NoteReason::Illness, &long, TODAY).unwrap_err()[0].0,
            "text"
        );
        let ok = check_note(day, NoteReason::Other, " Соревнования ", TODAY).unwrap();
        assert_eq!(ok.text, "Соревнования");
    }

    #[test]
    fn illness_gives_b_and_the_rest_a_valid_reason() {
        assert_eq!(NoteReason::Illness.attendance(), Attendance::Ill);
        assert_eq!(NoteReason::Family.attendance(), Attendance::Excused);
        assert_eq!(NoteReason::Other.attendance(), Attendance::Excused);
    }
}
