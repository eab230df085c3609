//! Facts for the messages: a pupil's and a school's names, a subject, a period, a lesson.

use crate::{Conn, Result};
use tabel_domain::{LessonId, PeriodId, SubjectId};
use tabel_domain::{PersonId, SchoolId};

/// A pupil's school, names and the school's short name and time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PupilBrief {
    /// School.
    pub school: SchoolId,
    /// "Петров Иван".
    pub name: String,
    /// "Школа № 1".
    pub school_name: String,
    /// The school's IANA zone.
    pub time_zone: String,
}

/// A pupil's names and school.
pub async fn pupil_brief(conn: &mut Conn<'_>, student: PersonId) -> Result<Option<PupilBrief>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
        last_name: String,
        first_name: String,
        short_name: String,
        time_zone: String,
    }
    const SQL: &str = "SELECT s.school_id, p.last_name, p.first_name, sc.short_name, sc.time_zone \
         FROM students s JOIN persons p ON p.id = s.person_id JOIN schools sc ON sc.id = s.school_id \
         WHERE s.person_id = $1";
    Ok(
        fetch_optional!(conn, Row, SQL, student.get())?.map(|r| PupilBrief {
            school: SchoolId::new(r.school_id),
            name: format!("{} {}", r.last_name, r.first_name),
            school_name: r.short_name,
            time_zone: r.time_zone,
        }),
    )
}

/// A school's short name and time zone.
pub async fn school_brief(
    conn: &mut Conn<'_>,
    school: SchoolId,
) -> Result<Option<(String, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        short_name: String,
        time_zone: String,
    }
    const SQL: &str = "SELECT short_name, time_zone FROM schools WHERE id = $1";
    Ok(fetch_optional!(conn, Row, SQL, school.get())?.map(|r| (r.short_name, r.time_zone)))
}

/// A subject's name.
pub async fn subject_name(conn: &mut Conn<'_>, subject: SubjectId) -> Result<Option<String>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        name: String,
    }
    const SQL: &str = "SELECT name FROM subjects WHERE id = $1";
    Ok(fetch_optional!(conn, Row, SQL, subject.get())?.map(|r| r.name))
}

/// A reporting period's kind code and number.
pub async fn period_brief(conn: &mut Conn<'_>, period: PeriodId) -> Result<Option<(String, i64)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        kind: String,
        number: i64,
    }
    const SQL: &str = "SELECT kind, number FROM reporting_periods WHERE id = $1";
    Ok(fetch_optional!(conn, Row, SQL, period.get())?.map(|r| (r.kind, r.number)))
}

/// A lesson's subject name.
pub async fn lesson_subject(conn: &mut Conn<'_>, lesson: LessonId) -> Result<Option<String>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        name: String,
    }
    const SQL: &str =
        "SELECT s.name FROM lessons l JOIN subjects s ON s.id = l.subject_id WHERE l.id = $1";
    Ok(fetch_optional!(conn, Row, SQL, lesson.get())?.map(|r| r.name))
}
