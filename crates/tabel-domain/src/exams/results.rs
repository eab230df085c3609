//! Stored batches and results as the pages read them.

use super::{ExamKind, ExamMark};
use crate::{AcademicYearId, ExamBatchId, ExamResultId, SchoolId};
use crate::{PersonId, SubjectId};
use serde::Serialize;
use time::{Date, OffsetDateTime};

/// A batch with how much of it the families can see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExamBatch {
    /// Id.
    pub id: ExamBatchId,
    /// School.
    pub school: SchoolId,
    /// Which exam.
    pub exam: ExamKind,
    /// The file's name.
    pub file_name: String,
    /// When the school received the results.
    pub received_at: OffsetDateTime,
    /// Who imported it (their login; none for the command line and the demo).
    pub imported_by: Option<String>,
    /// When.
    pub imported_at: OffsetDateTime,
    /// Result rows.
    pub rows: i64,
    /// Rows the families can see.
    pub published: i64,
    /// The subjects of its rows, `, `-joined.
    pub subjects: String,
}

/// A stored result, with the pupil's name and class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExamResult {
    /// Id.
    pub id: ExamResultId,
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// The batch it came in.
    pub batch: Option<ExamBatchId>,
    /// Pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub student_name: String,
    /// The pupil's class in the result's year (the latest), if any.
    pub class_name: Option<String>,
    /// Which exam.
    pub exam: ExamKind,
    /// The school's subject.
    pub subject: Option<SubjectId>,
    /// The subject as received.
    pub subject_name: String,
    /// When taken.
    pub taken_on: Option<Date>,
    /// Primary score.
    pub score: Option<i64>,
    /// The result.
    pub mark: ExamMark,
    /// Where it came from.
    pub source: String,
    /// When the school received it.
    pub received_at: OffsetDateTime,
    /// When the family could first see it.
    pub published_at: Option<OffsetDateTime>,
}
