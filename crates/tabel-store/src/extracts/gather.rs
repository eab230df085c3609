//! Gathering a class's journal data for extracts: its pupils and their memberships, lessons,
//! marks, attendance, recommendations and final marks, each in one query for the whole class
//! (or one pupil of it), and the parents the school can reach.

use crate::{Conn, Result, StoreError};
use serde::Serialize;
use tabel_domain::{GroupId, PersonId, SubjectId, text};
use time::{Date, OffsetDateTime};

/// The pupils of a class over a date range: `$1` the class, `$2`/`$3` the range, `$4` one
/// pupil or 0 for all.
macro_rules! pupils_of {
    () => {
        "SELECT pm.student_id FROM memberships pm WHERE pm.group_id = $1 AND pm.starts_on <= $3 \
         AND (pm.ends_on IS NULL OR pm.ends_on >= $2) AND ($4 = 0 OR pm.student_id = $4)"
    };
}

pub use tabel_domain::extract::Pupil;

/// The pupils who were in a group at some point of a range (one of them when `only` is set),
/// in journal order; a pupil who left and came back is one line with the widest dates.
pub async fn pupils(
    conn: &mut Conn<'_>,
    group: GroupId,
    (from, to): (Date, Date),
    only: Option<PersonId>,
) -> Result<Vec<Pupil>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        last_name: String,
        first_name: String,
        middle_name: Option<String>,
        birth_date: Option<Date>,
        starts_on: Date,
        ends_on: Option<Date>,
    }
    const SQL: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.birth_date, m.starts_on, m.ends_on \
         FROM memberships m JOIN persons p ON p.id = m.student_id \
         WHERE m.group_id = $1 AND m.starts_on <= $3 AND (m.ends_on IS NULL OR m.ends_on >= $2) \
         AND ($4 = 0 OR m.student_id = $4) ORDER BY p.sort_key, p.id, m.starts_on";
    let mut out: Vec<Pupil> = Vec::new();
    let only = only.map_or(0, PersonId::get);
    for r in fetch_all!(conn, Row, SQL, group.get(), from, to, only)? {
        if let Some(last) = out.last_mut().filter(|p| p.id.get() == r.id) {
            last.to = match (last.to, r.ends_on) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            continue;
        }
        out.push(Pupil {
            id: PersonId::new(r.id),
            last_name: r.last_name,
            first_name: r.first_name,
            middle_name: r.middle_name,
            birth_date: r.birth_date,
            from: r.starts_on,
            to: r.ends_on,
        });
    }
    Ok(out)
}

/// A pupil's membership of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PupilGroup {
    /// The pupil.
    pub student: PersonId,
    /// The group.
    pub group: GroupId,
    /// From.
    pub from: Date,
    /// Until (inclusive).
    pub to: Option<Date>,
}

impl PupilGroup {
    /// Whether the membership covers a date.
    pub fn covers(&self, on: Date) -> bool {
        self.from <= on && self.to.is_none_or(|t| on <= t)
    }
}

/// Every group membership, in the range, of the class's pupils (one pupil's with `only`).
pub async fn memberships(
    conn: &mut Conn<'_>,
    class: GroupId,
    (from, to): (Date, Date),
    only: Option<PersonId>,
) -> Result<Vec<PupilGroup>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        student_id: i64,
        group_id: i64,
        starts_on: Date,
        ends_on: Option<Date>,
    }
    const SQL: &str = concat!(
        "SELECT m.student_id, m.group_id, m.starts_on, m.ends_on FROM memberships m ",
        "WHERE m.student_id IN (",
        pupils_of!(),
        ") AND m.starts_on <= $3 AND (m.ends_on IS NULL OR m.ends_on >= $2) ORDER BY m.student_id, m.group_id, m.starts_on"
    );
    let only = only.map_or(0, PersonId::get);
    Ok(fetch_all!(conn, Row, SQL, class.get(), from, to, only)?
        .into_iter()
        .map(|r| PupilGroup {
            student: PersonId::new(r.student_id),
            group: GroupId::new(r.group_id),
            from: r.starts_on,
            to: r.ends_on,
        })
        .collect())
}

/// A lesson with what the teacher recorded (for extracts and the journal print).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LessonFact {
    /// Id.
    pub id: i64,
    /// The group.
    pub group: GroupId,
    /// The subject.
    pub subject: SubjectId,
    /// Date.
    pub on: Date,
    /// Number in the day.
    pub number: u8,
    /// `planned`, `held`, `cancelled`… (a `LessonStatus` code).
    pub status: String,
    /// Who taught it: "Смирнова Е. В.".
    pub teacher_name: String,
    /// Who it was planned for, when substituted.
    pub original_teacher_name: Option<String>,
    /// Topic.
    pub topic: String,
    /// Homework.
    pub homework: String,
    /// Homework due date.
    pub homework_due_on: Option<Date>,
}

#[derive(sqlx::FromRow)]
pub(super) struct LessonRow {
    id: i64,
    group_id: i64,
    subject_id: i64,
    on_date: Date,
    number: i64,
    status: String,
    t_last: String,
    t_first: String,
    t_middle: Option<String>,
    o_last: Option<String>,
    o_first: Option<String>,
    o_middle: Option<String>,
    topic: String,
    homework: String,
    homework_due_on: Option<Date>,
}

pub(super) fn lesson_facts(rows: Vec<LessonRow>) -> Result<Vec<LessonFact>> {
    rows.into_iter()
        .map(|r| {
            Ok(LessonFact {
                id: r.id,
                group: GroupId::new(r.group_id),
                subject: SubjectId::new(r.subject_id),
                on: r.on_date,
                number: u8::try_from(r.number)
                    .map_err(|_| StoreError::Corrupt(format!("lesson number {}", r.number)))?,
                status: r.status,
                teacher_name: text::short_name(&r.t_last, &r.t_first, r.t_middle.as_deref()),
                original_teacher_name: match (r.o_last, r.o_first) {
                    (Some(l), Some(f)) => Some(text::short_name(&l, &f, r.o_middle.as_deref())),
                    _ => None,
                },
                topic: r.topic,
                homework: r.homework,
                homework_due_on: r.homework_due_on,
            })
        })
        .collect()
}

macro_rules! lesson_sql {
    ($groups:expr, $tail:literal) => {
        concat!(
            "SELECT l.id, l.group_id, l.subject_id, l.on_date, l.number, l.status, t.last_name AS t_last, ",
            "t.first_name AS t_first, t.middle_name AS t_middle, o.last_name AS o_last, o.first_name AS o_first, ",
            "o.middle_name AS o_middle, l.topic, l.homework, l.homework_due_on ",
            "FROM lessons l JOIN persons t ON t.id = l.teacher_id LEFT JOIN persons o ON o.id = l.original_teacher_id ",
            "WHERE l.group_id IN (",
            $groups,
            ") ",
            $tail
        )
    };
}
pub(super) use lesson_sql;

/// The lessons in the range of every group the class's pupils (one pupil's with `only`) were
/// in, cancelled ones included, by date and number.
pub async fn lessons(
    conn: &mut Conn<'_>,
    class: GroupId,
    (from, to): (Date, Date),
    only: Option<PersonId>,
) -> Result<Vec<LessonFact>> {
    const SQL: &str = lesson_sql!(
        concat!(
            "SELECT m.group_id FROM memberships m WHERE m.student_id IN (",
            pupils_of!(),
            ") AND m.starts_on <= $3 AND (m.ends_on IS NULL OR m.ends_on >= $2)"
        ),
        "AND l.on_date >= $2 AND l.on_date <= $3 ORDER BY l.on_date, l.number, l.id"
    );
    let only = only.map_or(0, PersonId::get);
    lesson_facts(fetch_all!(
        conn,
        LessonRow,
        SQL,
        class.get(),
        from,
        to,
        only
    )?)
}

/// A mark, as extracts and the journal print need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkFact {
    /// The pupil.
    pub student: PersonId,
    /// The journal's group.
    pub group: GroupId,
    /// The subject.
    pub subject: SubjectId,
    /// The lesson, if on one.
    pub lesson: Option<i64>,
    /// Date.
    pub on: Date,
    /// "5", "4/5", "зач".
    pub value: String,
    /// Work type code.
    pub work_type: String,
    /// Weight.
    pub weight: u8,
}

#[derive(sqlx::FromRow)]
pub(super) struct MarkRow {
    student_id: i64,
    group_id: i64,
    subject_id: i64,
    lesson_id: Option<i64>,
    on_date: Date,
    value: String,
    work_type: String,
    weight: i64,
}

pub(super) fn mark_facts(rows: Vec<MarkRow>) -> Result<Vec<MarkFact>> {
    rows.into_iter()
        .map(|r| {
            Ok(MarkFact {
                student: PersonId::new(r.student_id),
                group: GroupId::new(r.group_id),
                subject: SubjectId::new(r.subject_id),
                lesson: r.lesson_id,
                on: r.on_date,
                value: r.value,
                work_type: r.work_type,
                weight: u8::try_from(r.weight)
                    .map_err(|_| StoreError::Corrupt(format!("weight {}", r.weight)))?,
            })
        })
        .collect()
}

/// The marks in the range of the class's pupils (one pupil's with `only`), by date.
pub async fn marks(
    conn: &mut Conn<'_>,
    class: GroupId,
    (from, to): (Date, Date),
    only: Option<PersonId>,
) -> Result<Vec<MarkFact>> {
    const SQL: &str = concat!(
        "SELECT student_id, group_id, subject_id, lesson_id, on_date, value, work_type, weight FROM marks ",
        "WHERE student_id IN (",
        pupils_of!(),
        ") AND on_date >= $2 AND on_date <= $3 ORDER BY on_date, id"
    );
    let only = only.map_or(0, PersonId::get);
    mark_facts(fetch_all!(conn, MarkRow, SQL, class.get(), from, to, only)?)
}

/// An attendance record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AbsenceFact {
    /// The pupil.
    pub student: PersonId,
    /// The lesson.
    pub lesson: i64,
    /// `ill`, `excused`, `unexcused`, `late`.
    pub code: String,
    /// Minutes late.
    pub minutes_late: Option<u16>,
}

#[derive(sqlx::FromRow)]
pub(super) struct AbsenceRow {
    student_id: i64,
    lesson_id: i64,
    code: String,
    minutes_late: Option<i64>,
}

pub(super) fn absence_facts(rows: Vec<AbsenceRow>) -> Vec<AbsenceFact> {
    rows.into_iter()
        .map(|r| AbsenceFact {
            student: PersonId::new(r.student_id),
            lesson: r.lesson_id,
            code: r.code,
            minutes_late: r.minutes_late.and_then(|m| u16::try_from(m).ok()),
        })
        .collect()
}

/// The attendance records in the range of the class's pupils (one pupil's with `only`).
pub async fn attendance(
    conn: &mut Conn<'_>,
    class: GroupId,
    (from, to): (Date, Date),
    only: Option<PersonId>,
) -> Result<Vec<AbsenceFact>> {
    const SQL: &str = concat!(
        "SELECT a.student_id, a.lesson_id, a.code, a.minutes_late FROM attendance a JOIN lessons l ON l.id = a.lesson_id ",
        "WHERE a.student_id IN (",
        pupils_of!(),
        ") AND l.on_date >= $2 AND l.on_date <= $3 ORDER BY a.lesson_id, a.id"
    );
    let only = only.map_or(0, PersonId::get);
    Ok(absence_facts(fetch_all!(
        conn,
        AbsenceRow,
        SQL,
        class.get(),
        from,
        to,
        only
    )?))
}

/// A recommendation with names, for an extract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecommendationFact {
    /// The pupil.
    pub student: PersonId,
    /// The subject's name, if about one.
    pub subject_name: Option<String>,
    /// "Смирнова Е. В.".
    pub teacher_name: String,
    /// The text.
    pub body: String,
    /// When written.
    pub created_at: OffsetDateTime,
}

/// The recommendations written for the class's pupils (one pupil's with `only`), newest first
/// (the use case keeps those of the range: instants are compared in Rust).
pub async fn recommendations(
    conn: &mut Conn<'_>,
    class: GroupId,
    (from, to): (Date, Date),
    only: Option<PersonId>,
) -> Result<Vec<RecommendationFact>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        student_id: i64,
        subject_name: Option<String>,
        last_name: String,
        first_name: String,
        middle_name: Option<String>,
        body: String,
        created_at: OffsetDateTime,
    }
    const SQL: &str = concat!(
        "SELECT r.student_id, s.name AS subject_name, p.last_name, p.first_name, p.middle_name, r.body, r.created_at ",
        "FROM recommendations r LEFT JOIN subjects s ON s.id = r.subject_id JOIN persons p ON p.id = r.teacher_id ",
        "WHERE r.student_id IN (",
        pupils_of!(),
        ") ORDER BY r.created_at DESC, r.id DESC"
    );
    let only = only.map_or(0, PersonId::get);
    Ok(fetch_all!(conn, Row, SQL, class.get(), from, to, only)?
        .into_iter()
        .map(|r| RecommendationFact {
            student: PersonId::new(r.student_id),
            subject_name: r.subject_name,
            teacher_name: text::short_name(&r.last_name, &r.first_name, r.middle_name.as_deref()),
            body: r.body,
            created_at: r.created_at,
        })
        .collect())
}

/// The representatives of a class's pupils (on a date) who have a verified live contact: the
/// ones the school can reach electronically at all.
pub async fn parents_with_verified_contact(
    conn: &mut Conn<'_>,
    class: GroupId,
    on: Date,
) -> Result<Vec<PersonId>> {
    const SQL: &str = "SELECT DISTINCT c.parent_id FROM contacts c WHERE c.removed_at IS NULL AND c.verified_at IS NOT NULL \
         AND c.parent_id IN (SELECT g.parent_id FROM guardianships g JOIN memberships m ON m.student_id = g.student_id \
         WHERE m.group_id = $1 AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on >= $2) AND g.ended_at IS NULL) \
         ORDER BY c.parent_id";
    Ok(fetch_all!(conn, (i64,), SQL, class.get(), on)?
        .into_iter()
        .map(|(id,)| PersonId::new(id))
        .collect())
}

/// A final mark, as extracts and the journal print need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FinalFact {
    /// The pupil.
    pub student: PersonId,
    /// The subject.
    pub subject: SubjectId,
    /// The slot's code: `p<period id>`, `year`, `exam`, `final`.
    pub slot: String,
    /// The value's code (`5`, `na`, `exempt`, `pass`, `fail`).
    pub value: String,
    /// Published to the family.
    pub published: bool,
}

#[derive(sqlx::FromRow)]
pub(super) struct FinalRow {
    student_id: i64,
    subject_id: i64,
    slot: String,
    value: String,
    published: i64,
}

pub(super) fn final_facts(rows: Vec<FinalRow>) -> Vec<FinalFact> {
    rows.into_iter()
        .map(|r| FinalFact {
            student: PersonId::new(r.student_id),
            subject: SubjectId::new(r.subject_id),
            slot: r.slot,
            value: r.value,
            published: r.published != 0,
        })
        .collect()
}

/// The final marks of a year (`$5`) of the class's pupils in the range (one pupil's with
/// `only`).
pub async fn finals(
    conn: &mut Conn<'_>,
    class: GroupId,
    year: tabel_domain::AcademicYearId,
    (from, to): (Date, Date),
    only: Option<PersonId>,
) -> Result<Vec<FinalFact>> {
    const SQL: &str = concat!(
        "SELECT f.student_id, f.subject_id, f.slot, f.value, ",
        "CAST(CASE WHEN f.published_at IS NULL THEN 0 ELSE 1 END AS BIGINT) AS published FROM final_marks f ",
        "WHERE f.academic_year_id = $5 AND f.student_id IN (",
        pupils_of!(),
        ") ORDER BY f.student_id, f.subject_id, f.slot"
    );
    let only = only.map_or(0, PersonId::get);
    Ok(final_facts(fetch_all!(
        conn,
        FinalRow,
        SQL,
        class.get(),
        from,
        to,
        only,
        year.get()
    )?))
}
