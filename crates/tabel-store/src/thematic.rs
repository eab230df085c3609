//! Thematic plans (КТП): one per group × subject × year, its topics in order, replaced as a whole
//! by an import; and the bulk write that flows topics onto the year's lessons.

use crate::{Conn, Result, StoreError};
use serde::Serialize;
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{AcademicYearId, GroupId, PersonId, SchoolId, SubjectId, UserId};
use time::{Date, OffsetDateTime};

/// A topic to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTopic {
    /// Title.
    pub title: String,
    /// Planned lessons, ≥ 1.
    pub hours: u8,
    /// Lesson type code (policy), if the plan gives one.
    pub lesson_type: Option<String>,
}

/// A plan to store, replacing the group × subject × year's previous one.
#[derive(Debug, Clone)]
pub struct NewPlan<'a> {
    /// School.
    pub school: SchoolId,
    /// The teacher whose plan it is (the assigned teacher), if known.
    pub teacher: Option<PersonId>,
    /// The journal's group.
    pub group: GroupId,
    /// Subject.
    pub subject: SubjectId,
    /// Year.
    pub year: AcademicYearId,
    /// The file it came from.
    pub source_name: &'a str,
    /// Topics in order.
    pub topics: &'a [NewTopic],
    /// Who.
    pub by: Option<UserId>,
    /// When.
    pub now: OffsetDateTime,
}

pub use tabel_domain::thematic::PlanTopic;

pub use tabel_domain::thematic::ThematicPlan;

#[derive(sqlx::FromRow)]
struct PlanRow {
    id: i64,
    school_id: i64,
    teacher_id: Option<i64>,
    group_id: i64,
    subject_id: i64,
    academic_year_id: i64,
    source_name: String,
    updated_at: OffsetDateTime,
    version: i64,
}

#[derive(sqlx::FromRow)]
struct TopicRow {
    position: i64,
    title: String,
    hours: i64,
    lesson_type: Option<String>,
}

impl TryFrom<TopicRow> for PlanTopic {
    type Error = StoreError;
    fn try_from(r: TopicRow) -> Result<PlanTopic> {
        let bad = |what: &str, v: i64| StoreError::Corrupt(format!("plan topic {what} {v}"));
        Ok(PlanTopic {
            position: u32::try_from(r.position).map_err(|_| bad("position", r.position))?,
            title: r.title,
            hours: u8::try_from(r.hours).map_err(|_| bad("hours", r.hours))?,
            lesson_type: r.lesson_type,
        })
    }
}

/// Stores a plan, replacing the group × subject × year's previous one and all its topics; run
/// inside the caller's transaction so that a failure leaves the old plan whole. Returns the
/// plan's id and new version.
pub async fn replace_plan(conn: &mut Conn<'_>, p: &NewPlan<'_>) -> Result<(i64, i64)> {
    const FIND: &str = "SELECT id, version FROM thematic_plans \
         WHERE group_id = $1 AND subject_id = $2 AND academic_year_id = $3";
    const DROP_TOPICS: &str = "DELETE FROM plan_topics WHERE plan_id = $1";
    const UPDATE: &str = "UPDATE thematic_plans SET teacher_id = $2, source_name = $3, updated_at = $4, \
         version = version + 1 WHERE id = $1";
    const INSERT: &str = "INSERT INTO thematic_plans (school_id, teacher_id, group_id, subject_id, academic_year_id, \
         source_name, created_at, created_by, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, 1) \
         RETURNING id";
    let existing = fetch_optional!(
        conn,
        (i64, i64),
        FIND,
        p.group.get(),
        p.subject.get(),
        p.year.get()
    )?;
    let (id, version) = match existing {
        Some((id, version)) => {
            execute!(conn, DROP_TOPICS, id)?;
            execute!(
                conn,
                UPDATE,
                id,
                p.teacher.map(PersonId::get),
                p.source_name,
                p.now
            )?;
            (id, version + 1)
        }
        None => {
            let id = fetch_scalar!(
                conn,
                i64,
                INSERT,
                p.school.get(),
                p.teacher.map(PersonId::get),
                p.group.get(),
                p.subject.get(),
                p.year.get(),
                p.source_name,
                p.now,
                p.by.map(UserId::get)
            )?;
            (id, 1)
        }
    };
    insert_topics(conn, p.school, id, p.topics).await?;
    Ok((id, version))
}

/// Topics in one multi-row statement (a plan has at most 500: 3,000 parameters).
async fn insert_topics(
    conn: &mut Conn<'_>,
    school: SchoolId,
    plan: i64,
    topics: &[NewTopic],
) -> Result<()> {
    const HEAD: &str =
        "INSERT INTO plan_topics (school_id, plan_id, position, title, hours, lesson_type) ";
    if topics.is_empty() {
        return Ok(());
    }
    let numbered: Vec<(i64, &NewTopic)> = (1..).zip(topics).collect();
    macro_rules! run {
        ($db:ty, $c:expr) => {{
            let mut qb = sqlx::QueryBuilder::<$db>::new(HEAD);
            qb.push_values(&numbered, |mut b, (position, t)| {
                b.push_bind(school.get())
                    .push_bind(plan)
                    .push_bind(*position)
                    .push_bind(t.title.clone())
                    .push_bind(i64::from(t.hours))
                    .push_bind(t.lesson_type.clone());
            });
            qb.build().execute(&mut **$c).await?
        }};
    }
    match conn {
        Conn::Sqlite(c) => {
            run!(sqlx::Sqlite, c);
        }
        Conn::Postgres(c) => {
            run!(sqlx::Postgres, c);
        }
    }
    Ok(())
}

macro_rules! plan_sql {
    ($tail:literal) => {
        concat!(
            "SELECT id, school_id, teacher_id, group_id, subject_id, academic_year_id, source_name, ",
            "updated_at, version FROM thematic_plans ",
            $tail
        )
    };
}

/// The plan of a group × subject in a year, with its topics in order.
pub async fn get_plan(
    conn: &mut Conn<'_>,
    group: GroupId,
    subject: SubjectId,
    year: AcademicYearId,
) -> Result<Option<ThematicPlan>> {
    const TOPICS: &str = "SELECT position, title, hours, lesson_type FROM plan_topics WHERE plan_id = $1 \
         ORDER BY position";
    const SQL: &str =
        plan_sql!("WHERE group_id = $1 AND subject_id = $2 AND academic_year_id = $3");
    let Some(r) = fetch_optional!(conn, PlanRow, SQL, group.get(), subject.get(), year.get())?
    else {
        return Ok(None);
    };
    let topics = fetch_all!(conn, TopicRow, TOPICS, r.id)?
        .into_iter()
        .map(PlanTopic::try_from)
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(plan_of(r, topics)))
}

fn plan_of(r: PlanRow, topics: Vec<PlanTopic>) -> ThematicPlan {
    ThematicPlan {
        id: r.id,
        school: SchoolId::new(r.school_id),
        teacher: r.teacher_id.map(PersonId::new),
        group: GroupId::new(r.group_id),
        subject: SubjectId::new(r.subject_id),
        year: AcademicYearId::new(r.academic_year_id),
        source_name: r.source_name,
        updated_at: r.updated_at,
        version: r.version,
        topics,
    }
}

/// A teacher's plans in a year, without their topics, by id.
pub async fn plans_of_teacher(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    year: AcademicYearId,
) -> Result<Vec<ThematicPlan>> {
    const SQL: &str = plan_sql!("WHERE teacher_id = $1 AND academic_year_id = $2 ORDER BY id");
    Ok(fetch_all!(conn, PlanRow, SQL, teacher.get(), year.get())?
        .into_iter()
        .map(|r| plan_of(r, Vec::new()))
        .collect())
}

/// The teacher assigned to a group × subject in a year (the first, if several share it).
pub async fn assigned_teacher(
    conn: &mut Conn<'_>,
    group: GroupId,
    subject: SubjectId,
    year: AcademicYearId,
) -> Result<Option<PersonId>> {
    const SQL: &str = "SELECT teacher_id FROM teaching_assignments WHERE group_id = $1 AND subject_id = $2 \
         AND academic_year_id = $3 ORDER BY starts_on, id LIMIT 1";
    Ok(
        fetch_optional!(conn, (i64,), SQL, group.get(), subject.get(), year.get())?
            .map(|(id,)| PersonId::new(id)),
    )
}

/// A lesson as the plan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLesson {
    /// Id.
    pub id: i64,
    /// Date.
    pub on: Date,
    /// Whether it already has a topic.
    pub has_topic: bool,
}

/// A group's lessons of a subject in a year that are held (not cancelled), in date and number
/// order: the slots the plan's topics flow into.
pub async fn lessons_for_plan(
    conn: &mut Conn<'_>,
    group: GroupId,
    subject: SubjectId,
    year: AcademicYearId,
) -> Result<Vec<PlanLesson>> {
    const SQL: &str = "SELECT id, on_date, topic FROM lessons WHERE group_id = $1 AND subject_id = $2 \
         AND academic_year_id = $3 AND status <> $4 ORDER BY on_date, number, id";
    Ok(fetch_all!(
        conn,
        (i64, Date, String),
        SQL,
        group.get(),
        subject.get(),
        year.get(),
        LessonStatus::Cancelled.code()
    )?
    .into_iter()
    .map(|(id, on, topic)| PlanLesson {
        id,
        on,
        has_topic: !topic.is_empty(),
    })
    .collect())
}

/// Gives lessons their planned topic, only where the topic is still empty (a teacher's own topic
/// is never overwritten, even one written a moment ago), and the topic's lesson type where the
/// lesson has none; each written record's version goes up by one. Returns the ids written.
pub async fn fill_topics(
    conn: &mut Conn<'_>,
    fills: &[(i64, &str, Option<&str>)],
) -> Result<Vec<i64>> {
    // A VALUES list's columns are column1, column2… on both databases.
    const HEAD: &str = "UPDATE lessons SET topic = v.column2, lesson_type = COALESCE(lessons.lesson_type, v.column3), \
         record_version = record_version + 1, has_journal_data = 1 FROM (";
    const TAIL: &str =
        ") AS v WHERE lessons.id = v.column1 AND lessons.topic = '' RETURNING lessons.id";
    let mut written = Vec::new();
    for chunk in fills.chunks(1000) {
        macro_rules! run {
            ($db:ty, $c:expr) => {{
                let mut qb = sqlx::QueryBuilder::<$db>::new(HEAD);
                qb.push_values(chunk, |mut b, (lesson, topic, lesson_type)| {
                    b.push_bind(*lesson)
                        .push_bind((*topic).to_owned())
                        .push_bind(lesson_type.map(str::to_owned));
                });
                qb.push(TAIL);
                qb.build_query_scalar::<i64>().fetch_all(&mut **$c).await?
            }};
        }
        written.extend(match conn {
            Conn::Sqlite(c) => run!(sqlx::Sqlite, c),
            Conn::Postgres(c) => run!(sqlx::Postgres, c),
        });
    }
    written.sort_unstable();
    Ok(written)
}
