//! Study groups (classes, subgroups, streams, ИУП) and their dated memberships.

use super::people::{PersonRow, persons};
use super::small;
use crate::{Conn, Result, StoreError};
use tabel_domain::school::GroupKind;
use tabel_domain::school::PersonSummary;
use tabel_domain::*;
use time::Date;

/// A new study group.
#[derive(Debug, Clone)]
pub struct NewGroup<'a> {
    /// The school.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// Class, subgroup, stream or individual curriculum.
    pub kind: GroupKind,
    /// Name: "5А", "5А, английский, гр. 1", "10 физ-мат", "ИУП: Петров П.".
    pub name: &'a str,
    /// Grade.
    pub grade: u8,
    /// The class a subgroup belongs to.
    pub parent: Option<GroupId>,
    /// The subject of a subgroup or stream.
    pub subject: Option<SubjectId>,
}

const INSERT_GROUP: &str = "INSERT INTO study_groups (school_id, academic_year_id, kind, name, grade, parent_group_id, subject_id, sort_key) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
/// Adds a study group.
pub async fn insert_group(conn: &mut Conn<'_>, g: &NewGroup<'_>) -> Result<GroupId> {
    // Sort "5А" before "10А": the grade zero-padded, then the name.
    let sort_key = format!("{:02} {}", g.grade, text::sort_key(g.name));
    Ok(GroupId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_GROUP,
        g.school.get(),
        g.year.get(),
        g.kind.code(),
        g.name,
        i64::from(g.grade),
        g.parent.map(GroupId::get),
        g.subject.map(SubjectId::get),
        sort_key
    )?))
}

const INSERT_STREAM_CLASS: &str =
    "INSERT INTO stream_classes (stream_id, class_id) VALUES ($1, $2)";
/// Records that a stream draws from a class.
pub async fn insert_stream_class(
    conn: &mut Conn<'_>,
    stream: GroupId,
    class: GroupId,
) -> Result<()> {
    execute!(conn, INSERT_STREAM_CLASS, stream.get(), class.get())?;
    Ok(())
}

pub use tabel_domain::school::Group;

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    kind: String,
    name: String,
    grade: i64,
    parent_group_id: Option<i64>,
    subject: Option<String>,
    members: i64,
    ct_last: Option<String>,
    ct_first: Option<String>,
    ct_middle: Option<String>,
}

impl TryFrom<GroupRow> for Group {
    type Error = StoreError;
    fn try_from(r: GroupRow) -> Result<Self> {
        Ok(Group {
            id: GroupId::new(r.id),
            school: SchoolId::new(r.school_id),
            year: AcademicYearId::new(r.academic_year_id),
            kind: GroupKind::from_code(&r.kind)?,
            name: r.name,
            grade: small(r.grade)?,
            parent: r.parent_group_id.map(GroupId::new),
            subject: r.subject,
            members: r.members,
            class_teacher: match (r.ct_last, r.ct_first) {
                (Some(l), Some(f)) => Some(text::short_name(&l, &f, r.ct_middle.as_deref())),
                _ => None,
            },
        })
    }
}

// Members and class teacher are counted "on $2": dated rows whose range covers the date. Dates
// are ISO text on SQLite, where text order is date order, so date comparisons are safe in SQL.

/// The groups of a school's year, classes first, then by grade and name; members counted on
/// `on`.
pub async fn list_groups(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    on: Date,
    kind: Option<GroupKind>,
) -> Result<Vec<Group>> {
    const SQL: &str = const_format_groups::LIST;
    fetch_all!(
        conn,
        GroupRow,
        SQL,
        year.get(),
        on,
        kind.map(GroupKind::code)
    )?
    .into_iter()
    .map(Group::try_from)
    .collect()
}

/// One group, with members counted on `on`.
pub async fn get_group(conn: &mut Conn<'_>, id: GroupId, on: Date) -> Result<Option<Group>> {
    const SQL: &str = const_format_groups::ONE;
    fetch_optional!(conn, GroupRow, SQL, id.get(), on)?
        .map(Group::try_from)
        .transpose()
}

/// Groups that contain a student on a date (class, subgroups, stream, ИУП).
pub async fn groups_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
    on: Date,
) -> Result<Vec<Group>> {
    const SQL: &str = const_format_groups::OF_STUDENT;
    fetch_all!(conn, GroupRow, SQL, student.get(), on)?
        .into_iter()
        .map(Group::try_from)
        .collect()
}

mod const_format_groups {
    // String literals concatenated at compile time: one column list, several filters.
    macro_rules! group_sql {
        ($tail:literal) => {
            concat!(
                "SELECT g.id, g.school_id, g.academic_year_id, g.kind, g.name, g.grade, g.parent_group_id, \
                 sub.name AS subject, \
                 (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on >= $2)) AS members, \
                 p.last_name AS ct_last, p.first_name AS ct_first, p.middle_name AS ct_middle \
                 FROM study_groups g \
                 LEFT JOIN subjects sub ON sub.id = g.subject_id \
                 LEFT JOIN class_teachers ct ON ct.class_id = g.id AND ct.starts_on <= $2 AND (ct.ends_on IS NULL OR ct.ends_on >= $2) \
                 LEFT JOIN persons p ON p.id = ct.teacher_id ",
                $tail
            )
        };
    }
    pub(super) const LIST: &str = group_sql!(
        "WHERE g.academic_year_id = $1 AND ($3 IS NULL OR g.kind = $3) \
         ORDER BY CASE g.kind WHEN 'class' THEN 0 WHEN 'subgroup' THEN 1 WHEN 'stream' THEN 2 ELSE 3 END, g.sort_key, g.id"
    );
    pub(super) const ONE: &str = group_sql!("WHERE g.id = $1");
    pub(super) const OF_STUDENT: &str = group_sql!(
        "WHERE g.id IN (SELECT m2.group_id FROM memberships m2 WHERE m2.student_id = $1 \
         AND m2.starts_on <= $2 AND (m2.ends_on IS NULL OR m2.ends_on >= $2)) \
         ORDER BY CASE g.kind WHEN 'class' THEN 0 WHEN 'subgroup' THEN 1 WHEN 'stream' THEN 2 ELSE 3 END, g.sort_key"
    );
}

const INSERT_MEMBERSHIP: &str = "INSERT INTO memberships (school_id, group_id, student_id, starts_on, ends_on) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id";
/// Adds a student to a group from a date (to a date, if known).
pub async fn insert_membership(
    conn: &mut Conn<'_>,
    school: SchoolId,
    group: GroupId,
    student: PersonId,
    starts_on: Date,
    ends_on: Option<Date>,
) -> Result<MembershipId> {
    Ok(MembershipId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_MEMBERSHIP,
        school.get(),
        group.get(),
        student.get(),
        starts_on,
        ends_on
    )?))
}

const END_MEMBERSHIP: &str = "UPDATE memberships SET ends_on = $3 \
     WHERE group_id = $1 AND student_id = $2 AND ends_on IS NULL";
/// Ends a student's open membership in a group on a date (the last day in the group). History
/// stays: the row is kept with its end date.
pub async fn end_membership(
    conn: &mut Conn<'_>,
    group: GroupId,
    student: PersonId,
    last_day: Date,
) -> Result<u64> {
    Ok(execute!(
        conn,
        END_MEMBERSHIP,
        group.get(),
        student.get(),
        last_day
    )?)
}

const SELECT_MEMBERS: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date \
     FROM memberships m JOIN persons p ON p.id = m.student_id \
     WHERE m.group_id = $1 AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on >= $2) \
     ORDER BY p.sort_key, p.id";
/// The students of a group on a date, in journal order.
pub async fn group_members(
    conn: &mut Conn<'_>,
    group: GroupId,
    on: Date,
) -> Result<Vec<PersonSummary>> {
    persons(fetch_all!(
        conn,
        PersonRow,
        SELECT_MEMBERS,
        group.get(),
        on
    )?)
}

const SELECT_MEMBER_OF: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM memberships \
     WHERE group_id = $1 AND student_id = $2 AND starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)";
/// Whether a student is a member of a group on a date.
pub async fn is_member(
    conn: &mut Conn<'_>,
    group: GroupId,
    student: PersonId,
    on: Date,
) -> Result<bool> {
    Ok(fetch_scalar!(conn, i64, SELECT_MEMBER_OF, group.get(), student.get(), on)? > 0)
}
