//! Staff, teaching assignments (who teaches what to whom) and class-teacher appointments.

use super::PairRow;
use super::people::PersonRow;
use crate::{Conn, Result};
use tabel_domain::school::PersonSummary;
use tabel_domain::*;
use time::Date;

const INSERT_STAFF: &str = "INSERT INTO staff (person_id, school_id, position) VALUES ($1, $2, $3)";
/// Makes a person a staff member.
pub async fn insert_staff(
    conn: &mut Conn<'_>,
    person: PersonId,
    school: SchoolId,
    position: &str,
) -> Result<()> {
    execute!(conn, INSERT_STAFF, person.get(), school.get(), position)?;
    Ok(())
}

pub use tabel_domain::school::StaffMember;

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    sex: String,
    birth_date: Option<Date>,
    position: String,
}

const SELECT_STAFF: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, st.position \
     FROM staff st JOIN persons p ON p.id = st.person_id WHERE st.school_id = $1 ORDER BY p.sort_key, p.id";
const SELECT_STAFF_SUBJECTS: &str = "SELECT DISTINCT ta.teacher_id AS person_id, s.name AS label, s.sort_order \
     FROM teaching_assignments ta JOIN subjects s ON s.id = ta.subject_id \
     WHERE ta.school_id = $1 AND ta.academic_year_id = $2 ORDER BY s.sort_order";
const SELECT_STAFF_CLASSES: &str = "SELECT ct.teacher_id AS person_id, g.name AS label \
     FROM class_teachers ct JOIN study_groups g ON g.id = ct.class_id \
     WHERE ct.school_id = $1 AND g.academic_year_id = $2 AND ct.starts_on <= $3 AND (ct.ends_on IS NULL OR ct.ends_on >= $3) \
     ORDER BY g.sort_key";

/// The staff of a school with the subjects they teach and the classes they lead in a year:
/// three queries for the whole list, not one per person.
pub async fn list_staff(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    on: Date,
) -> Result<Vec<StaffMember>> {
    let rows = fetch_all!(conn, StaffRow, SELECT_STAFF, school.get())?;
    let subjects = fetch_all!(
        conn,
        PairRow,
        SELECT_STAFF_SUBJECTS,
        school.get(),
        year.get()
    )?;
    let classes = fetch_all!(
        conn,
        PairRow,
        SELECT_STAFF_CLASSES,
        school.get(),
        year.get(),
        on
    )?;
    let mut by_person: std::collections::HashMap<i64, (Vec<String>, Vec<String>)> =
        std::collections::HashMap::new();
    for s in subjects {
        by_person.entry(s.person_id).or_default().0.push(s.label);
    }
    for c in classes {
        by_person.entry(c.person_id).or_default().1.push(c.label);
    }
    rows.into_iter()
        .map(|r| {
            let (subjects, class_teacher_of) = by_person.remove(&r.id).unwrap_or_default();
            Ok(StaffMember {
                position: r.position,
                subjects,
                class_teacher_of,
                person: PersonSummary::try_from(PersonRow {
                    id: r.id,
                    last_name: r.last_name,
                    first_name: r.first_name,
                    middle_name: r.middle_name,
                    sex: r.sex,
                    birth_date: r.birth_date,
                })?,
            })
        })
        .collect()
}

const SELECT_STAFF_PERSON: &str =
    "SELECT CAST(COUNT(*) AS BIGINT) FROM staff WHERE person_id = $1 AND school_id = $2";
/// Whether a person is on a school's staff.
pub async fn is_staff(conn: &mut Conn<'_>, person: PersonId, school: SchoolId) -> Result<bool> {
    Ok(fetch_scalar!(conn, i64, SELECT_STAFF_PERSON, person.get(), school.get())? > 0)
}

const INSERT_ASSIGNMENT: &str = "INSERT INTO teaching_assignments (school_id, academic_year_id, teacher_id, subject_id, group_id, starts_on, ends_on) \
     VALUES ($1, $2, $3, $4, $5, $6, NULL) RETURNING id";
/// Assigns a teacher to teach a subject to a group from a date.
pub async fn insert_assignment(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    teacher: PersonId,
    subject: SubjectId,
    group: GroupId,
    starts_on: Date,
) -> Result<AssignmentId> {
    Ok(AssignmentId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_ASSIGNMENT,
        school.get(),
        year.get(),
        teacher.get(),
        subject.get(),
        group.get(),
        starts_on
    )?))
}

pub use tabel_domain::school::Assignment;

#[derive(sqlx::FromRow)]
struct AssignmentRow {
    id: i64,
    teacher_id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    subject: String,
    group_id: i64,
    group_name: String,
}

impl From<AssignmentRow> for Assignment {
    fn from(r: AssignmentRow) -> Self {
        Assignment {
            id: AssignmentId::new(r.id),
            teacher: PersonId::new(r.teacher_id),
            teacher_name: text::short_name(&r.last_name, &r.first_name, r.middle_name.as_deref()),
            subject: r.subject,
            group: GroupId::new(r.group_id),
            group_name: r.group_name,
        }
    }
}

macro_rules! assignment_sql {
    ($tail:literal) => {
        concat!(
            "SELECT ta.id, ta.teacher_id, p.last_name, p.first_name, p.middle_name, s.name AS subject, ta.group_id, g.name AS group_name \
             FROM teaching_assignments ta JOIN persons p ON p.id = ta.teacher_id JOIN subjects s ON s.id = ta.subject_id \
             JOIN study_groups g ON g.id = ta.group_id ",
            $tail
        )
    };
}

/// What a teacher teaches in a year.
pub async fn assignments_of_teacher(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    year: AcademicYearId,
) -> Result<Vec<Assignment>> {
    const SQL: &str = assignment_sql!(
        "WHERE ta.teacher_id = $1 AND ta.academic_year_id = $2 ORDER BY g.sort_key, s.sort_order"
    );
    Ok(
        fetch_all!(conn, AssignmentRow, SQL, teacher.get(), year.get())?
            .into_iter()
            .map(Assignment::from)
            .collect(),
    )
}

/// Who teaches what in a group, and in the subgroups of a class.
pub async fn assignments_of_group(conn: &mut Conn<'_>, group: GroupId) -> Result<Vec<Assignment>> {
    const SQL: &str = assignment_sql!(
        "WHERE ta.group_id = $1 OR g.parent_group_id = $1 ORDER BY s.sort_order, g.sort_key"
    );
    Ok(fetch_all!(conn, AssignmentRow, SQL, group.get())?
        .into_iter()
        .map(Assignment::from)
        .collect())
}

const INSERT_CLASS_TEACHER: &str = "INSERT INTO class_teachers (school_id, class_id, teacher_id, starts_on, ends_on) \
     VALUES ($1, $2, $3, $4, NULL) RETURNING id";
/// Appoints a class teacher from a date.
pub async fn insert_class_teacher(
    conn: &mut Conn<'_>,
    school: SchoolId,
    class: GroupId,
    teacher: PersonId,
    starts_on: Date,
) -> Result<i64> {
    Ok(fetch_scalar!(
        conn,
        i64,
        INSERT_CLASS_TEACHER,
        school.get(),
        class.get(),
        teacher.get(),
        starts_on
    )?)
}

#[derive(sqlx::FromRow)]
struct IdPair {
    a: i64,
    b: i64,
}

const SELECT_CLASSES_LED: &str = "SELECT ct.school_id AS a, ct.class_id AS b FROM class_teachers ct \
     WHERE ct.teacher_id = $1 AND ct.starts_on <= $2 AND (ct.ends_on IS NULL OR ct.ends_on >= $2) ORDER BY ct.class_id";
/// The classes a person leads as class teacher on a date: (school, class).
pub async fn classes_led_by(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    on: Date,
) -> Result<Vec<(SchoolId, GroupId)>> {
    Ok(
        fetch_all!(conn, IdPair, SELECT_CLASSES_LED, teacher.get(), on)?
            .into_iter()
            .map(|r| (SchoolId::new(r.a), GroupId::new(r.b)))
            .collect(),
    )
}

#[derive(sqlx::FromRow)]
struct PupilRow {
    student_id: i64,
}

const SELECT_PUPILS_OF: &str = "SELECT DISTINCT m.student_id FROM memberships m \
     WHERE m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on >= $2) AND m.group_id IN ( \
       SELECT ta.group_id FROM teaching_assignments ta WHERE ta.teacher_id = $1 \
         AND ta.starts_on <= $2 AND (ta.ends_on IS NULL OR ta.ends_on >= $2) \
       UNION SELECT ct.class_id FROM class_teachers ct WHERE ct.teacher_id = $1 \
         AND ct.starts_on <= $2 AND (ct.ends_on IS NULL OR ct.ends_on >= $2)) \
     ORDER BY m.student_id";
/// The pupils a person teaches or is the class teacher of on a date, sorted: the members on
/// that date of a group with a teaching assignment of theirs running then, or of a class they
/// lead then. One query, for the principal.
pub async fn pupils_of_teacher(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    on: Date,
) -> Result<Vec<PersonId>> {
    Ok(
        fetch_all!(conn, PupilRow, SELECT_PUPILS_OF, teacher.get(), on)?
            .into_iter()
            .map(|r| PersonId::new(r.student_id))
            .collect(),
    )
}
