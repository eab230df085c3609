//! Final marks: a pupil's mark in a subject for a slot of a year (a reporting period, the year,
//! the exam, the итоговая), each with the proposal it was set against, a reason where it
//! differs, a version for stale writes, and when the family could first see it.

use crate::{Conn, Result};
use tabel_domain::{AcademicYearId, GroupId, PeriodId, PersonId, SchoolId, SubjectId, UserId};
use time::OffsetDateTime;

pub use tabel_domain::finals::Slot;

pub use tabel_domain::finals::FinalRecord;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    student_id: i64,
    subject_id: i64,
    group_id: Option<i64>,
    slot: String,
    value: String,
    proposal: Option<String>,
    proposal_basis: Option<String>,
    reason: String,
    version: i64,
    set_by: Option<i64>,
    set_at: OffsetDateTime,
    published_at: Option<OffsetDateTime>,
}

impl From<Row> for FinalRecord {
    fn from(r: Row) -> Self {
        FinalRecord {
            id: r.id,
            school: SchoolId::new(r.school_id),
            year: AcademicYearId::new(r.academic_year_id),
            student: PersonId::new(r.student_id),
            subject: SubjectId::new(r.subject_id),
            group: r.group_id.map(GroupId::new),
            slot: Slot::parse(&r.slot).unwrap_or(Slot::Year),
            value: r.value,
            proposal: r.proposal,
            proposal_basis: r.proposal_basis,
            reason: r.reason,
            version: r.version,
            set_by: r.set_by,
            set_at: r.set_at,
            published_at: r.published_at,
        }
    }
}

macro_rules! final_sql {
    ($tail:literal) => {
        concat!(
            "SELECT f.id, f.school_id, f.academic_year_id, f.student_id, f.subject_id, f.group_id, f.slot, f.value, ",
            "f.proposal, f.proposal_basis, f.reason, f.version, f.set_by, f.set_at, f.published_at FROM final_marks f ",
            $tail
        )
    };
}

/// A final mark to write.
#[derive(Debug, Clone)]
pub struct NewFinal<'a> {
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// Pupil.
    pub student: PersonId,
    /// Subject.
    pub subject: SubjectId,
    /// The journal.
    pub group: Option<GroupId>,
    /// The slot.
    pub slot: Slot,
    /// The value's code.
    pub value: &'a str,
    /// The proposal's code.
    pub proposal: Option<&'a str>,
    /// Its basis.
    pub proposal_basis: Option<&'a str>,
    /// Why.
    pub reason: &'a str,
    /// Who.
    pub set_by: Option<UserId>,
    /// When (also when it is published: the diary shows it at once).
    pub at: OffsetDateTime,
}

/// Writes a final mark with the version read: 0 creates it (refused when one exists), any
/// other version changes it only while it still has that version. `None` = stale.
pub async fn write(
    conn: &mut Conn<'_>,
    f: &NewFinal<'_>,
    version: i64,
) -> Result<Option<FinalRecord>> {
    let slot = f.slot.code();
    let period = f.slot.period().map(PeriodId::get);
    if version == 0 {
        const SQL: &str = "INSERT INTO final_marks (school_id, academic_year_id, student_id, subject_id, group_id, slot, period_id, \
             value, proposal, proposal_basis, reason, version, set_by, set_at, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $13) \
             ON CONFLICT (student_id, subject_id, academic_year_id, slot) DO NOTHING RETURNING id";
        #[derive(sqlx::FromRow)]
        struct Id {
            id: i64,
        }
        let id = fetch_optional!(
            conn,
            Id,
            SQL,
            f.school.get(),
            f.year.get(),
            f.student.get(),
            f.subject.get(),
            f.group.map(GroupId::get),
            slot.as_str(),
            period,
            f.value,
            f.proposal,
            f.proposal_basis,
            f.reason,
            f.set_by.map(UserId::get),
            f.at
        )?;
        return match id {
            Some(r) => get(conn, r.id).await,
            None => Ok(None),
        };
    }
    const SQL: &str = "UPDATE final_marks SET value = $1, proposal = $2, proposal_basis = $3, reason = $4, \
         version = version + 1, set_by = $5, set_at = $6, group_id = COALESCE($7, group_id), \
         published_at = COALESCE(published_at, $6) \
         WHERE student_id = $8 AND subject_id = $9 AND academic_year_id = $10 AND slot = $11 AND version = $12 \
         RETURNING id";
    #[derive(sqlx::FromRow)]
    struct Id {
        id: i64,
    }
    let id = fetch_optional!(
        conn,
        Id,
        SQL,
        f.value,
        f.proposal,
        f.proposal_basis,
        f.reason,
        f.set_by.map(UserId::get),
        f.at,
        f.group.map(GroupId::get),
        f.student.get(),
        f.subject.get(),
        f.year.get(),
        slot.as_str(),
        version
    )?;
    match id {
        Some(r) => get(conn, r.id).await,
        None => Ok(None),
    }
}

/// Removes a final mark (an exemption's «осв.» that no longer holds, a derived итоговая whose
/// year mark is gone) while it still has `version`; whether it did.
pub async fn delete(conn: &mut Conn<'_>, id: i64, version: i64) -> Result<bool> {
    const SQL: &str = "DELETE FROM final_marks WHERE id = $1 AND version = $2";
    Ok(execute!(conn, SQL, id, version)? == 1)
}

/// One final mark.
pub async fn get(conn: &mut Conn<'_>, id: i64) -> Result<Option<FinalRecord>> {
    const SQL: &str = final_sql!("WHERE f.id = $1");
    Ok(fetch_optional!(conn, Row, SQL, id)?.map(FinalRecord::from))
}

/// The final mark of a pupil in a subject for a slot, if set.
pub async fn of_cell(
    conn: &mut Conn<'_>,
    student: PersonId,
    subject: SubjectId,
    year: AcademicYearId,
    slot: Slot,
) -> Result<Option<FinalRecord>> {
    const SQL: &str = final_sql!(
        "WHERE f.student_id = $1 AND f.subject_id = $2 AND f.academic_year_id = $3 AND f.slot = $4"
    );
    let slot = slot.code();
    Ok(fetch_optional!(
        conn,
        Row,
        SQL,
        student.get(),
        subject.get(),
        year.get(),
        slot.as_str()
    )?
    .map(FinalRecord::from))
}

/// The final marks of a subject for a slot of a year (the school's pupils; callers keep their
/// roster's).
pub async fn of_subject(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    subject: SubjectId,
    slot: Slot,
) -> Result<Vec<FinalRecord>> {
    const SQL: &str = final_sql!(
        "WHERE f.academic_year_id = $1 AND f.slot = $2 AND f.subject_id = $3 ORDER BY f.student_id"
    );
    let slot = slot.code();
    Ok(
        fetch_all!(conn, Row, SQL, year.get(), slot.as_str(), subject.get())?
            .into_iter()
            .map(FinalRecord::from)
            .collect(),
    )
}

/// Every final mark of a pupil, all years, by year and subject.
pub async fn of_student(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<FinalRecord>> {
    const SQL: &str =
        final_sql!("WHERE f.student_id = $1 ORDER BY f.academic_year_id, f.subject_id, f.slot");
    Ok(fetch_all!(conn, Row, SQL, student.get())?
        .into_iter()
        .map(FinalRecord::from)
        .collect())
}

/// The final marks of a year of every pupil who was a member of the class in it (those who left
/// included): the summary sheet's cells, in one query.
pub async fn of_class(
    conn: &mut Conn<'_>,
    class: GroupId,
    year: AcademicYearId,
) -> Result<Vec<FinalRecord>> {
    const SQL: &str = final_sql!(
        "WHERE f.academic_year_id = $2 AND f.student_id IN (SELECT m.student_id FROM memberships m WHERE m.group_id = $1) \
         ORDER BY f.student_id, f.subject_id, f.slot"
    );
    Ok(fetch_all!(conn, Row, SQL, class.get(), year.get())?
        .into_iter()
        .map(FinalRecord::from)
        .collect())
}

/// The final marks of a school's year for some slots (statistics): every pupil, every subject.
pub async fn of_school_year(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
) -> Result<Vec<FinalRecord>> {
    const SQL: &str = final_sql!(
        "WHERE f.school_id = $1 AND f.academic_year_id = $2 ORDER BY f.subject_id, f.slot, f.student_id"
    );
    Ok(fetch_all!(conn, Row, SQL, school.get(), year.get())?
        .into_iter()
        .map(FinalRecord::from)
        .collect())
}

/// An academic year by id: (label "2026/2027", first day, last day).
pub async fn year(
    conn: &mut Conn<'_>,
    id: AcademicYearId,
) -> Result<Option<(String, time::Date, time::Date)>> {
    #[derive(sqlx::FromRow)]
    struct YearRow {
        start_year: i64,
        starts_on: time::Date,
        ends_on: time::Date,
    }
    const SQL: &str = "SELECT start_year, starts_on, ends_on FROM academic_years WHERE id = $1";
    Ok(fetch_optional!(conn, YearRow, SQL, id.get())?.map(|r| {
        (
            format!("{}/{}", r.start_year, r.start_year + 1),
            r.starts_on,
            r.ends_on,
        )
    }))
}

/// The plain point marks the database adds up itself ("2" to "10"); everything else — "1"
/// (valid only where the policy allows it), 100-point marks, double marks, зачёт — comes row by
/// row for the policy to read.
macro_rules! plain_marks {
    () => {
        "('2','3','4','5','6','7','8','9','10')"
    };
}

/// A pupil's plain point marks in a subject over a range, added up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct MarkSums {
    /// Pupil.
    pub student_id: i64,
    /// Subject.
    pub subject_id: i64,
    /// Σ points × weight.
    pub sum: i64,
    /// Σ weight.
    pub weights: i64,
    /// How many.
    pub count: i64,
    /// The lowest.
    pub lowest: i64,
}

/// The plain point marks of a school's pupils over a range, added up per pupil and subject
/// (one entry per pupil × subject instead of one per mark; packed into one row).
pub async fn mark_sums_of_school(
    conn: &mut Conn<'_>,
    school: SchoolId,
    (from, to): (time::Date, time::Date),
) -> Result<Vec<MarkSums>> {
    fetch_packed!(
        conn,
        MarkSums,
        "student_id, subject_id, sum, weights, count, lowest",
        concat!(
            "SELECT student_id, subject_id, SUM(CAST(value AS BIGINT) * weight) AS sum, ",
            "SUM(weight) AS weights, COUNT(*) AS count, MIN(CAST(value AS BIGINT)) AS lowest ",
            "FROM marks WHERE school_id = $1 AND on_date >= $2 AND on_date <= $3 AND value IN ",
            plain_marks!(),
            " GROUP BY student_id, subject_id"
        ),
        school.get(),
        from,
        to
    )
}

/// A mark as the school-wide proposal reads it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct OtherMark {
    /// Pupil.
    pub student_id: i64,
    /// Subject.
    pub subject_id: i64,
    /// As written.
    pub value: String,
    /// Its weight.
    pub weight: i64,
}

/// The other marks of a school's pupils over a range (not plain "2" to "10"), one entry each
/// (packed into one row).
pub async fn other_marks_of_school(
    conn: &mut Conn<'_>,
    school: SchoolId,
    (from, to): (time::Date, time::Date),
) -> Result<Vec<OtherMark>> {
    fetch_packed!(
        conn,
        OtherMark,
        "student_id, subject_id, value, weight",
        concat!(
            "SELECT student_id, subject_id, value, weight FROM marks ",
            "WHERE school_id = $1 AND on_date >= $2 AND on_date <= $3 AND value NOT IN ",
            plain_marks!()
        ),
        school.get(),
        from,
        to
    )
}

/// A class's pupil over a range, for the school-wide proposals.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClassMember {
    /// The class.
    pub group_id: i64,
    /// The pupil.
    pub student_id: i64,
    /// Surname.
    pub last_name: String,
    /// Given name.
    pub first_name: String,
}

/// Every class's pupils of a year over a range, by class and the pupils' sort order (each pupil
/// once per class): the rosters of a whole school in one query.
pub async fn class_members(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    (from, to): (time::Date, time::Date),
) -> Result<Vec<ClassMember>> {
    const SQL: &str = concat!(
        "SELECT DISTINCT m.group_id, p.id AS student_id, p.last_name, p.first_name, p.sort_key ",
        "FROM memberships m JOIN study_groups g ON g.id = m.group_id ",
        "JOIN persons p ON p.id = m.student_id ",
        "WHERE g.academic_year_id = $1 AND g.kind = 'class' AND m.starts_on <= $3 ",
        "AND (m.ends_on IS NULL OR m.ends_on >= $2) ORDER BY m.group_id, p.sort_key, p.id"
    );
    Ok(fetch_all!(conn, ClassMember, SQL, year.get(), from, to)?)
}

/// How many lessons a group held in a subject over a range.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupLessons {
    /// The group.
    pub group_id: i64,
    /// The subject.
    pub subject_id: i64,
    /// Lessons held (not cancelled).
    pub count: i64,
}

/// The year's lessons held in a range, counted per group and subject (the `(year, date)`
/// index; one row per group × subject instead of one per lesson).
pub async fn lessons_held(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    (from, to): (time::Date, time::Date),
) -> Result<Vec<GroupLessons>> {
    const SQL: &str = "SELECT group_id, subject_id, COUNT(*) AS count FROM lessons \
         WHERE academic_year_id = $1 AND on_date >= $2 AND on_date <= $3 AND status <> 'cancelled' \
         GROUP BY group_id, subject_id";
    Ok(fetch_all!(conn, GroupLessons, SQL, year.get(), from, to)?)
}

/// A pupil's membership of a group that spans a whole range.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Member {
    /// The pupil.
    pub student_id: i64,
    /// The group.
    pub group_id: i64,
}

/// The memberships of the year's groups that span the whole range: those pupils were there for
/// every lesson of their groups in it (one row per membership; a pupil who left and came back
/// has two).
pub async fn members_throughout(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    (from, to): (time::Date, time::Date),
) -> Result<Vec<Member>> {
    const SQL: &str = "SELECT m.student_id, m.group_id FROM memberships m \
         JOIN study_groups g ON g.id = m.group_id WHERE g.academic_year_id = $1 \
         AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on >= $3)";
    Ok(fetch_all!(conn, Member, SQL, year.get(), from, to)?)
}

/// How many lessons of a subject a pupil was there for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PupilLessons {
    /// The pupil.
    pub student_id: i64,
    /// The subject.
    pub subject_id: i64,
    /// Lessons held (not cancelled) while the pupil was in the group.
    pub count: i64,
}

/// The lessons held in a range for the memberships that cover only part of it (a pupil who
/// came or left in the middle), counted per membership's pupil and subject within its dates:
/// the few the per-group counts cannot answer.
pub async fn lessons_of_part_members(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    (from, to): (time::Date, time::Date),
) -> Result<Vec<PupilLessons>> {
    const SQL: &str = concat!(
        "SELECT m.student_id, l.subject_id, COUNT(*) AS count FROM memberships m ",
        "JOIN study_groups g ON g.id = m.group_id JOIN lessons l ON l.group_id = m.group_id ",
        "WHERE g.academic_year_id = $1 AND (m.starts_on > $2 OR m.ends_on < $3) ",
        "AND l.on_date >= $2 AND l.on_date <= $3 AND l.status <> 'cancelled' ",
        "AND l.on_date >= m.starts_on AND (m.ends_on IS NULL OR l.on_date <= m.ends_on) ",
        "GROUP BY m.student_id, l.subject_id"
    );
    Ok(fetch_all!(conn, PupilLessons, SQL, year.get(), from, to)?)
}

/// Attendance records of one kind, as the school-wide proposal reads them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct AbsenceCount {
    /// Pupil.
    pub student_id: i64,
    /// Subject.
    pub subject_id: i64,
    /// Attendance code.
    pub code: String,
    /// Minutes late.
    pub minutes_late: Option<i64>,
    /// How many such records.
    pub count: i64,
}

/// The attendance records on the year's lessons held in a range, counted per pupil, subject,
/// code and minutes late (whether one is a missed lesson is the domain's rule, applied by the
/// caller); packed into one row.
pub async fn absences_of_year(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    (from, to): (time::Date, time::Date),
) -> Result<Vec<AbsenceCount>> {
    fetch_packed!(
        conn,
        AbsenceCount,
        "student_id, subject_id, code, minutes_late, count",
        concat!(
            "SELECT a.student_id, l.subject_id, a.code, a.minutes_late, COUNT(*) AS count ",
            "FROM attendance a JOIN lessons l ON l.id = a.lesson_id ",
            "WHERE l.academic_year_id = $1 AND l.on_date >= $2 AND l.on_date <= $3 ",
            "AND l.status <> 'cancelled' GROUP BY a.student_id, l.subject_id, a.code, a.minutes_late"
        ),
        year.get(),
        from,
        to
    )
}
