//! Stored journal rows as pages read them: marks, attendance, lesson records, homework files,
//! rosters, recommendations and a class's journals.

use super::Attendance;
use crate::{
    AttendanceId, GroupId, HomeworkFileId, LessonId, MarkId, PersonId, SchoolId, SubjectId, UserId,
};
use serde::Serialize;
use time::{Date, OffsetDateTime};

/// A stored mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkEntry {
    /// Id.
    pub id: MarkId,
    /// School.
    pub school: SchoolId,
    /// Pupil.
    pub student: PersonId,
    /// Journal group.
    pub group: GroupId,
    /// Subject.
    pub subject: SubjectId,
    /// Lesson.
    pub lesson: Option<LessonId>,
    /// Date.
    pub on: Date,
    /// Value as written.
    pub value: String,
    /// Work type code.
    pub work_type: String,
    /// Weight.
    pub weight: u8,
    /// Comment.
    pub comment: String,
    /// Debt to correct by.
    pub debt_until: Option<Date>,
    /// Version.
    pub version: i64,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// A stored attendance record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceEntry {
    /// Id.
    pub id: AttendanceId,
    /// School.
    pub school: SchoolId,
    /// Lesson.
    pub lesson: LessonId,
    /// Pupil.
    pub student: PersonId,
    /// What the record says.
    pub code: Attendance,
    /// Minutes late.
    pub minutes_late: Option<u16>,
    /// Reason.
    pub reason: String,
    /// Version.
    pub version: i64,
}

/// A lesson's record with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionedRecord {
    /// The lesson.
    pub lesson: LessonId,
    /// The record.
    #[serde(flatten)]
    pub record: LessonRecord,
    /// Its version (0 before the first write).
    pub version: i64,
}

/// A stored file's metadata (without the bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HomeworkFile {
    /// Id.
    pub id: HomeworkFileId,
    /// School.
    pub school: SchoolId,
    /// The lesson it belongs to.
    pub lesson: LessonId,
    /// Name as uploaded (sanitised).
    pub file_name: String,
    /// Content type as served.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// The uploading account.
    pub uploaded_by: Option<UserId>,
    /// Its person (the teacher).
    pub uploaded_by_person: Option<PersonId>,
    /// When it was uploaded.
    pub uploaded_at: OffsetDateTime,
}

/// What a teacher records on a lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct LessonRecord {
    /// The topic.
    pub topic: String,
    /// The lesson type code (policy).
    pub lesson_type: Option<String>,
    /// Held (true) or not held (false); unknown until the teacher says.
    pub held: Option<bool>,
    /// Homework text (links included).
    pub homework: String,
    /// Estimated minutes of the homework.
    pub homework_minutes: Option<u16>,
    /// The date it is due (the next lesson of the subject, usually).
    pub homework_due_on: Option<Date>,
    /// The teacher's comment.
    pub teacher_comment: String,
}

/// A pupil on a journal's roster with the dates of the membership that overlaps the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterEntry {
    /// The pupil.
    pub student: PersonId,
    /// Surname.
    pub last_name: String,
    /// Given name.
    pub first_name: String,
    /// From.
    pub from: Date,
    /// To (inclusive), if the pupil left.
    pub to: Option<Date>,
    /// Spells within `from`..`to` when the pupil was not in the group (left and came back),
    /// both days inclusive.
    pub away: Vec<(Date, Date)>,
}

impl RosterEntry {
    /// Whether the pupil was in the group on a day.
    pub fn was_in(&self, on: Date) -> bool {
        self.from <= on
            && self.to.is_none_or(|to| on <= to)
            && !self.away.iter().any(|&(a, b)| a <= on && on <= b)
    }
}

/// A teacher's recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// Id.
    pub id: i64,
    /// School.
    pub school: SchoolId,
    /// Pupil.
    pub student: PersonId,
    /// Subject, if about one.
    pub subject: Option<SubjectId>,
    /// The teacher.
    pub teacher: PersonId,
    /// The text.
    pub body: String,
    /// Version.
    pub version: i64,
    /// When written.
    pub created_at: OffsetDateTime,
}

/// A journal of a class: a subject taught in the class, one of its subgroups or a stream it
/// belongs to, with who teaches it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClassJournal {
    /// The journal's group (the class, a subgroup, a stream).
    pub group: GroupId,
    /// Its name.
    pub group_name: String,
    /// Subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The teacher.
    pub teacher: PersonId,
    /// "Иванова Мария Петровна".
    pub teacher_name: String,
}

/// A teacher's recommendation with the names a family reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedRecommendation {
    /// Id.
    pub id: i64,
    /// Subject, if about one.
    pub subject: Option<SubjectId>,
    /// Its name.
    pub subject_name: Option<String>,
    /// The teacher.
    pub teacher: PersonId,
    /// "Смирнова Е. В.".
    pub teacher_name: String,
    /// The text.
    pub body: String,
    /// When written.
    pub created_at: OffsetDateTime,
}
