//! Teachers' recommendations to a pupil.

use crate::{Conn, Result};
use tabel_domain::{PersonId, SchoolId, SubjectId, UserId};
use time::OffsetDateTime;

pub use tabel_domain::journal::Recommendation;

#[derive(sqlx::FromRow)]
struct RecommendationRow {
    id: i64,
    school_id: i64,
    student_id: i64,
    subject_id: Option<i64>,
    teacher_id: i64,
    body: String,
    version: i64,
    created_at: OffsetDateTime,
}

impl From<RecommendationRow> for Recommendation {
    fn from(r: RecommendationRow) -> Recommendation {
        Recommendation {
            id: r.id,
            school: SchoolId::new(r.school_id),
            student: PersonId::new(r.student_id),
            subject: r.subject_id.map(SubjectId::new),
            teacher: PersonId::new(r.teacher_id),
            body: r.body,
            version: r.version,
            created_at: r.created_at,
        }
    }
}

/// Stores a recommendation.
pub async fn insert_recommendation(
    conn: &mut Conn<'_>,
    r: &Recommendation,
    by: Option<UserId>,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO recommendations (school_id, student_id, subject_id, teacher_id, body, version, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7) RETURNING id";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        r.school.get(),
        r.student.get(),
        r.subject.map(SubjectId::get),
        r.teacher.get(),
        r.body.as_str(),
        by.map(UserId::get),
        r.created_at
    )?)
}

/// A pupil's recommendations, newest first.
pub async fn recommendations_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
) -> Result<Vec<Recommendation>> {
    const SQL: &str = "SELECT id, school_id, student_id, subject_id, teacher_id, body, version, created_at \
         FROM recommendations WHERE student_id = $1 ORDER BY created_at DESC, id DESC";
    Ok(fetch_all!(conn, RecommendationRow, SQL, student.get())?
        .into_iter()
        .map(Recommendation::from)
        .collect())
}
