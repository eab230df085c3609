//! Persons and students: adding them, a student's card, a person by id, name search.

use crate::{Conn, Result, StoreError};
use tabel_domain::school::Sex;
use tabel_domain::*;
use time::Date;

/// A new person.
#[derive(Debug, Clone)]
pub struct NewPerson<'a> {
    /// The school.
    pub school: SchoolId,
    /// Name.
    pub name: &'a text::PersonName,
    /// Sex.
    pub sex: Sex,
    /// Birth date, if known.
    pub birth_date: Option<Date>,
}

const INSERT_PERSON: &str = "INSERT INTO persons (school_id, last_name, first_name, middle_name, sex, birth_date, sort_key) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
/// Adds a person.
pub async fn insert_person(conn: &mut Conn<'_>, p: &NewPerson<'_>) -> Result<PersonId> {
    Ok(PersonId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_PERSON,
        p.school.get(),
        p.name.last.as_str(),
        p.name.first.as_str(),
        p.name.middle.as_ref().map(text::NamePart::as_str),
        p.sex.code(),
        p.birth_date,
        p.name.sort_key()
    )?))
}

const INSERT_STUDENT: &str =
    "INSERT INTO students (person_id, school_id, enrolled_on, left_on) VALUES ($1, $2, $3, NULL)";
/// Makes a person a student of the school.
pub async fn insert_student(
    conn: &mut Conn<'_>,
    person: PersonId,
    school: SchoolId,
    enrolled_on: Date,
) -> Result<()> {
    execute!(
        conn,
        INSERT_STUDENT,
        person.get(),
        school.get(),
        enrolled_on
    )?;
    Ok(())
}

pub use tabel_domain::school::PersonSummary;

#[derive(sqlx::FromRow)]
pub(super) struct PersonRow {
    pub(super) id: i64,
    pub(super) last_name: String,
    pub(super) first_name: String,
    pub(super) middle_name: Option<String>,
    pub(super) sex: String,
    pub(super) birth_date: Option<Date>,
}

impl TryFrom<PersonRow> for PersonSummary {
    type Error = StoreError;
    fn try_from(r: PersonRow) -> Result<Self> {
        Ok(PersonSummary {
            id: PersonId::new(r.id),
            last_name: r.last_name,
            first_name: r.first_name,
            middle_name: r.middle_name,
            sex: Sex::from_code(&r.sex)?,
            birth_date: r.birth_date,
        })
    }
}

pub(super) fn persons(rows: Vec<PersonRow>) -> Result<Vec<PersonSummary>> {
    rows.into_iter().map(PersonSummary::try_from).collect()
}

pub use tabel_domain::school::StudentCard;

#[derive(sqlx::FromRow)]
struct StudentRow {
    id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    sex: String,
    birth_date: Option<Date>,
    school_id: i64,
    enrolled_on: Date,
    left_on: Option<Date>,
}

const SELECT_STUDENT: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, \
     s.school_id, s.enrolled_on, s.left_on \
     FROM students s JOIN persons p ON p.id = s.person_id WHERE s.person_id = $1";
/// A student by id.
pub async fn get_student(conn: &mut Conn<'_>, id: PersonId) -> Result<Option<StudentCard>> {
    fetch_optional!(conn, StudentRow, SELECT_STUDENT, id.get())?
        .map(|r| {
            Ok(StudentCard {
                school: SchoolId::new(r.school_id),
                enrolled_on: r.enrolled_on,
                left_on: r.left_on,
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
        .transpose()
}

/// A person in a school, of any kind (for account creation pick-lists).
pub async fn get_person(
    conn: &mut Conn<'_>,
    id: PersonId,
) -> Result<Option<(SchoolId, PersonSummary)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
        id: i64,
        last_name: String,
        first_name: String,
        middle_name: Option<String>,
        sex: String,
        birth_date: Option<Date>,
    }
    const SQL: &str = "SELECT school_id, id, last_name, first_name, middle_name, sex, birth_date FROM persons WHERE id = $1";
    fetch_optional!(conn, Row, SQL, id.get())?
        .map(|r| {
            Ok((
                SchoolId::new(r.school_id),
                PersonSummary::try_from(PersonRow {
                    id: r.id,
                    last_name: r.last_name,
                    first_name: r.first_name,
                    middle_name: r.middle_name,
                    sex: r.sex,
                    birth_date: r.birth_date,
                })?,
            ))
        })
        .transpose()
}

const SELECT_STUDENT_SCHOOL: &str = "SELECT school_id FROM students WHERE person_id = $1";
/// The school a person studies in, if they are a student.
pub async fn student_school(conn: &mut Conn<'_>, person: PersonId) -> Result<Option<SchoolId>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
    }
    Ok(
        fetch_optional!(conn, Row, SELECT_STUDENT_SCHOOL, person.get())?
            .map(|r| SchoolId::new(r.school_id)),
    )
}

/// Searches a school's people by name (case-folded, ё = е): each word of the query begins a word
/// of the surname, given name or patronymic, for pick-lists.
pub async fn search_people(
    conn: &mut Conn<'_>,
    school: SchoolId,
    query: &str,
    limit: i64,
) -> Result<Vec<PersonSummary>> {
    const SQL: &str = "SELECT id, last_name, first_name, middle_name, sex, birth_date FROM persons \
         WHERE school_id = $1 AND (' ' || sort_key) LIKE $2 AND (' ' || sort_key) LIKE $3 \
         AND (' ' || sort_key) LIKE $4 ORDER BY sort_key, id LIMIT $5";
    let [a, b, c] = crate::people::name_patterns(query);
    persons(fetch_all!(
        conn,
        PersonRow,
        SQL,
        school.get(),
        a,
        b,
        c,
        limit
    )?)
}
