//! Reads for the statistics (regulation point 5): every figure is derived from the journal and
//! the timetable, never typed twice. Each function is one aggregate query over one school's
//! year — grouped in the database, bounded by the year's indexes — whatever the number of
//! pupils: the application layer combines the groups, never asks per pupil.
//!
//! Dates split a reporting period in two: `from ..= cut` is "to date" (held, missed, planned so
//! far) and `cut < date <= to` the rest of the period (scheduled, planned). Lessons come back
//! with a [`Bucket`] saying on which side of those lines their date lies.

use crate::{Conn, Result, StoreError};
use tabel_domain::{AcademicYearId, GroupId, PeriodId, PersonId, SchoolId, SubjectId};
use time::Date;

fn small(v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("value {v} out of range")))
}

fn count(v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("count {v} out of range")))
}

pub use tabel_domain::stats::Bucket;

/// The year a reporting period belongs to, with the period's dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodYear {
    /// The period.
    pub period: PeriodId,
    /// Its school.
    pub school: SchoolId,
    /// Its year.
    pub year: AcademicYearId,
    /// Kind code (`quarter`…).
    pub kind: String,
    /// Number in the year.
    pub number: u8,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
}

/// A reporting period with its school and year, if it exists.
pub async fn period_year(conn: &mut Conn<'_>, period: PeriodId) -> Result<Option<PeriodYear>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
        academic_year_id: i64,
        kind: String,
        number: i64,
        starts_on: Date,
        ends_on: Date,
    }
    const SQL: &str = "SELECT school_id, academic_year_id, kind, number, starts_on, ends_on \
         FROM reporting_periods WHERE id = $1";
    fetch_optional!(conn, Row, SQL, period.get())?
        .map(|r| {
            Ok(PeriodYear {
                period,
                school: SchoolId::new(r.school_id),
                year: AcademicYearId::new(r.academic_year_id),
                kind: r.kind,
                number: small(r.number)?,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
            })
        })
        .transpose()
}

pub use tabel_domain::stats::StatsGroup;

/// The study groups of a school's year, in grade and name order, with the classes each
/// stream draws from.
pub async fn groups(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
) -> Result<Vec<StatsGroup>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        kind: String,
        grade: i64,
        parent_group_id: Option<i64>,
        sort_key: String,
        class_id: Option<i64>,
    }
    const SQL: &str = "SELECT g.id, g.name, g.kind, g.grade, g.parent_group_id, g.sort_key, sc.class_id \
         FROM study_groups g LEFT JOIN stream_classes sc ON sc.stream_id = g.id \
         WHERE g.school_id = $1 AND g.academic_year_id = $2 ORDER BY g.grade, g.sort_key, g.id, sc.class_id";
    let mut out: Vec<StatsGroup> = Vec::new();
    for r in fetch_all!(conn, Row, SQL, school.get(), year.get())? {
        if let Some(last) = out.last_mut().filter(|g| g.id.get() == r.id) {
            last.stream_classes.extend(r.class_id.map(GroupId::new));
            continue;
        }
        out.push(StatsGroup {
            id: GroupId::new(r.id),
            name: r.name,
            kind: r.kind,
            grade: small(r.grade)?,
            parent: r.parent_group_id.map(GroupId::new),
            stream_classes: r.class_id.map(GroupId::new).into_iter().collect(),
            sort_key: r.sort_key,
        });
    }
    Ok(out)
}

/// A journal (group × subject) of the year with one teacher assigned to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalTeacher {
    /// The group.
    pub group: GroupId,
    /// The subject.
    pub subject: SubjectId,
    /// The teacher.
    pub teacher: PersonId,
    /// "Смирнова Е. В.".
    pub teacher_name: String,
}

/// Every journal of a school's year with its teachers (teaching assignments): one row per
/// group × subject × teacher.
pub async fn journals(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
) -> Result<Vec<JournalTeacher>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: i64,
        subject_id: i64,
        teacher_id: i64,
        last_name: String,
        first_name: String,
        middle_name: Option<String>,
    }
    const SQL: &str = "SELECT DISTINCT ta.group_id, ta.subject_id, ta.teacher_id, p.last_name, p.first_name, p.middle_name \
         FROM teaching_assignments ta JOIN persons p ON p.id = ta.teacher_id \
         WHERE ta.school_id = $1 AND ta.academic_year_id = $2 ORDER BY ta.group_id, ta.subject_id, ta.teacher_id";
    Ok(fetch_all!(conn, Row, SQL, school.get(), year.get())?
        .into_iter()
        .map(|r| {
            let initial = |s: &str| {
                s.chars()
                    .next()
                    .map(|c| format!("{c}."))
                    .unwrap_or_default()
            };
            let mut name = format!("{} {}", r.last_name, initial(&r.first_name));
            if let Some(m) = r.middle_name.as_deref().filter(|m| !m.is_empty()) {
                name.push(' ');
                name.push_str(&initial(m));
            }
            JournalTeacher {
                group: GroupId::new(r.group_id),
                subject: SubjectId::new(r.subject_id),
                teacher: PersonId::new(r.teacher_id),
                teacher_name: name,
            }
        })
        .collect())
}

/// A curriculum line: hours a year of a subject for a parallel or one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurriculumHours {
    /// The parallel…
    pub grade: Option<u8>,
    /// …or the group.
    pub group: Option<GroupId>,
    /// The subject.
    pub subject: SubjectId,
    /// Hours a year.
    pub hours_per_year: u32,
}

/// The curriculum of a year.
pub async fn curriculum(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<CurriculumHours>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        grade: Option<i64>,
        group_id: Option<i64>,
        subject_id: i64,
        hours_per_year: i64,
    }
    const SQL: &str = "SELECT grade, group_id, subject_id, hours_per_year FROM curriculum_items \
         WHERE academic_year_id = $1 ORDER BY id";
    fetch_all!(conn, Row, SQL, year.get())?
        .into_iter()
        .map(|r| {
            Ok(CurriculumHours {
                grade: r.grade.map(small).transpose()?,
                group: r.group_id.map(GroupId::new),
                subject: SubjectId::new(r.subject_id),
                hours_per_year: count(r.hours_per_year)?,
            })
        })
        .collect()
}

pub use tabel_domain::stats::LessonCount;

/// The lessons of a school's year dated in `from ..= to`, or moved out of it, counted by
/// journal, status, record and date bucket: one query over the `(year, date)` index (the
/// moved ones over the year's lessons).
pub async fn lesson_counts(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    (from, cut, to): (Date, Date, Date),
) -> Result<Vec<LessonCount>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: i64,
        subject_id: i64,
        status: String,
        held: i64,
        cause: Option<String>,
        reason: Option<String>,
        lesson_type: Option<String>,
        at_bucket: i64,
        was_bucket: Option<i64>,
        n: i64,
    }
    // Literals are cast: PostgreSQL would otherwise type them int4.
    const SQL: &str = "SELECT group_id, subject_id, status, held, cause, reason, lesson_type, at_bucket, was_bucket, COUNT(*) AS n FROM ( \
           SELECT l.group_id, l.subject_id, l.status, \
             CAST(CASE WHEN l.held = 0 THEN 0 ELSE 1 END AS BIGINT) AS held, \
             CASE WHEN l.status = 'cancelled' THEN l.cause END AS cause, \
             CASE WHEN l.status = 'cancelled' AND l.cause IS NULL THEN l.reason END AS reason, l.lesson_type, \
             CAST(CASE WHEN l.on_date < $3 THEN 0 WHEN l.on_date <= $4 THEN 1 WHEN l.on_date <= $5 THEN 2 ELSE 3 END AS BIGINT) AS at_bucket, \
             CAST(CASE WHEN l.original_date IS NULL THEN NULL WHEN l.original_date < $3 THEN 0 \
                  WHEN l.original_date <= $4 THEN 1 WHEN l.original_date <= $5 THEN 2 ELSE 3 END AS BIGINT) AS was_bucket \
           FROM lessons l WHERE l.academic_year_id = $2 AND l.school_id = $1 AND l.on_date >= $3 AND l.on_date <= $5 \
           UNION ALL \
           SELECT l.group_id, l.subject_id, l.status, CAST(1 AS BIGINT), NULL, NULL, l.lesson_type, \
             CAST(CASE WHEN l.on_date < $3 THEN 0 ELSE 3 END AS BIGINT), \
             CAST(CASE WHEN l.original_date <= $4 THEN 1 ELSE 2 END AS BIGINT) \
           FROM lessons l WHERE l.academic_year_id = $2 AND l.school_id = $1 AND l.status = 'transferred' \
             AND l.original_date >= $3 AND l.original_date <= $5 AND (l.on_date < $3 OR l.on_date > $5) \
         ) x GROUP BY group_id, subject_id, status, held, cause, reason, lesson_type, at_bucket, was_bucket";
    fetch_all!(conn, Row, SQL, school.get(), year.get(), from, cut, to)?
        .into_iter()
        .map(|r| {
            Ok(LessonCount {
                group: GroupId::new(r.group_id),
                subject: SubjectId::new(r.subject_id),
                status: r.status,
                held: r.held != 0,
                cause: r.cause,
                reason: r.reason,
                lesson_type: r.lesson_type,
                at: Bucket::from_code(r.at_bucket),
                was: r.was_bucket.map(Bucket::from_code),
                n: count(r.n)?,
            })
        })
        .collect()
}

pub use tabel_domain::stats::WeeklyLessons;

/// The weekly timetable of a year, by journal and weekday.
pub async fn weekly_lessons(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
) -> Result<Vec<WeeklyLessons>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: i64,
        subject_id: i64,
        weekday: i64,
        valid_from: Date,
        valid_to: Option<Date>,
        n: i64,
    }
    const SQL: &str = "SELECT group_id, subject_id, weekday, valid_from, valid_to, COUNT(*) AS n \
         FROM timetable_entries WHERE academic_year_id = $1 \
         GROUP BY group_id, subject_id, weekday, valid_from, valid_to";
    fetch_all!(conn, Row, SQL, year.get())?
        .into_iter()
        .map(|r| {
            Ok(WeeklyLessons {
                group: GroupId::new(r.group_id),
                subject: SubjectId::new(r.subject_id),
                weekday: small(r.weekday)?,
                valid_from: r.valid_from,
                valid_to: r.valid_to,
                n: count(r.n)?,
            })
        })
        .collect()
}

/// Hours of a lesson type in a journal's thematic plan: in the whole plan, and those falling on
/// lessons of the period and of the period to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedType {
    /// The group.
    pub group: GroupId,
    /// The subject.
    pub subject: SubjectId,
    /// The lesson type code.
    pub lesson_type: String,
    /// Hours of the type in the plan.
    pub year: u32,
    /// Of them, on lessons of the period.
    pub period: u32,
    /// Of them, on lessons of the period to date.
    pub to_date: u32,
}

/// The typed hours of the year's thematic plans laid over the journals' lessons the way the
/// plan flows (the i-th lesson of the year that is not cancelled carries the i-th planned
/// hour): one query, numbering lessons and topics with window functions.
pub async fn planned_types(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    (from, cut, to): (Date, Date, Date),
) -> Result<Vec<PlannedType>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: i64,
        subject_id: i64,
        lesson_type: String,
        year_hours: i64,
        period_hours: i64,
        to_date_hours: i64,
    }
    const SQL: &str = "WITH tp AS ( \
           SELECT t.id, p.group_id, p.subject_id, t.lesson_type, t.hours, \
             CAST(SUM(t.hours) OVER (PARTITION BY t.plan_id ORDER BY t.position) AS BIGINT) AS last_pos \
           FROM plan_topics t JOIN thematic_plans p ON p.id = t.plan_id \
           WHERE p.school_id = $1 AND p.academic_year_id = $2), \
         typed AS (SELECT * FROM tp WHERE lesson_type IS NOT NULL), \
         ls AS ( \
           SELECT l.group_id, l.subject_id, l.on_date, \
             ROW_NUMBER() OVER (PARTITION BY l.group_id, l.subject_id ORDER BY l.on_date, l.number, l.id) AS pos \
           FROM lessons l WHERE l.academic_year_id = $2 AND l.school_id = $1 AND l.status <> 'cancelled' \
             AND EXISTS (SELECT 1 FROM typed WHERE typed.group_id = l.group_id AND typed.subject_id = l.subject_id)), \
         per_topic AS ( \
           SELECT typed.id, typed.group_id, typed.subject_id, typed.lesson_type, typed.hours, \
             CAST(SUM(CASE WHEN ls.on_date >= $3 AND ls.on_date <= $5 THEN 1 ELSE 0 END) AS BIGINT) AS period_hours, \
             CAST(SUM(CASE WHEN ls.on_date >= $3 AND ls.on_date <= $4 THEN 1 ELSE 0 END) AS BIGINT) AS to_date_hours \
           FROM typed LEFT JOIN ls ON ls.group_id = typed.group_id AND ls.subject_id = typed.subject_id \
             AND ls.pos > typed.last_pos - typed.hours AND ls.pos <= typed.last_pos \
           GROUP BY typed.id, typed.group_id, typed.subject_id, typed.lesson_type, typed.hours) \
         SELECT group_id, subject_id, lesson_type, CAST(SUM(hours) AS BIGINT) AS year_hours, \
           CAST(COALESCE(SUM(period_hours), 0) AS BIGINT) AS period_hours, \
           CAST(COALESCE(SUM(to_date_hours), 0) AS BIGINT) AS to_date_hours \
         FROM per_topic GROUP BY group_id, subject_id, lesson_type";
    fetch_all!(conn, Row, SQL, school.get(), year.get(), from, cut, to)?
        .into_iter()
        .map(|r| {
            Ok(PlannedType {
                group: GroupId::new(r.group_id),
                subject: SubjectId::new(r.subject_id),
                lesson_type: r.lesson_type,
                year: count(r.year_hours)?,
                period: count(r.period_hours)?,
                to_date: count(r.to_date_hours)?,
            })
        })
        .collect()
}

/// A pupil's membership of a group during a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    /// The pupil.
    pub student: PersonId,
    /// The group.
    pub group: GroupId,
    /// Still a member on the period's last day (otherwise left before its end).
    pub present: bool,
    /// The latest start of a membership in the period (to pick the class a pupil moved to).
    pub since: Date,
}

/// The memberships of a school's groups of a year that overlap `from ..= to`, one per pupil and
/// group.
pub async fn members(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    (from, to): (Date, Date),
) -> Result<Vec<Member>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        student_id: i64,
        group_id: i64,
        present: i64,
        since: Date,
    }
    const SQL: &str = "SELECT m.student_id, m.group_id, \
           CAST(MAX(CASE WHEN m.ends_on IS NULL OR m.ends_on >= $4 THEN 1 ELSE 0 END) AS BIGINT) AS present, \
           MAX(m.starts_on) AS since \
         FROM memberships m JOIN study_groups g ON g.id = m.group_id \
         WHERE g.school_id = $1 AND g.academic_year_id = $2 AND m.starts_on <= $4 \
           AND (m.ends_on IS NULL OR m.ends_on >= $3) \
         GROUP BY m.student_id, m.group_id";
    Ok(
        fetch_all!(conn, Row, SQL, school.get(), year.get(), from, to)?
            .into_iter()
            .map(|r| Member {
                student: PersonId::new(r.student_id),
                group: GroupId::new(r.group_id),
                present: r.present != 0,
                since: r.since,
            })
            .collect(),
    )
}

/// A final mark's value code of a pupil in a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalCode {
    /// The pupil.
    pub student: PersonId,
    /// The subject.
    pub subject: SubjectId,
    /// The value's code (`5`, `na`, `exempt`, `pass`, `fail`).
    pub value: String,
}

/// The final marks of a slot (`p12`, `year` …) of a school's year.
pub async fn final_codes(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    slot: &str,
) -> Result<Vec<FinalCode>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        student_id: i64,
        subject_id: i64,
        value: String,
    }
    const SQL: &str = "SELECT student_id, subject_id, value FROM final_marks \
         WHERE academic_year_id = $2 AND slot = $3 AND school_id = $1";
    Ok(fetch_all!(conn, Row, SQL, school.get(), year.get(), slot)?
        .into_iter()
        .map(|r| FinalCode {
            student: PersonId::new(r.student_id),
            subject: SubjectId::new(r.subject_id),
            value: r.value,
        })
        .collect())
}

/// How many marks of one value a pupil has in a subject, and their total weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkCount {
    /// The pupil.
    pub student: PersonId,
    /// The subject.
    pub subject: SubjectId,
    /// The value as written ("5", "3/5", "зач").
    pub value: String,
    /// Σ weight.
    pub weights: u64,
    /// How many.
    pub n: u32,
}

/// The marks of a school dated in `from ..= to` (a stretch of one year), counted by pupil,
/// subject and value (over the `(school, date, …)` index of marks).
pub async fn mark_counts(
    conn: &mut Conn<'_>,
    school: SchoolId,
    (from, to): (Date, Date),
) -> Result<Vec<MarkCount>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        student_id: i64,
        subject_id: i64,
        value: String,
        weights: i64,
        n: i64,
    }
    const SQL: &str = "SELECT m.student_id, m.subject_id, m.value, CAST(SUM(m.weight) AS BIGINT) AS weights, COUNT(*) AS n \
         FROM marks m WHERE m.school_id = $1 AND m.on_date >= $2 AND m.on_date <= $3 \
         GROUP BY m.student_id, m.subject_id, m.value";
    fetch_all!(conn, Row, SQL, school.get(), from, to)?
        .into_iter()
        .map(|r| {
            Ok(MarkCount {
                student: PersonId::new(r.student_id),
                subject: SubjectId::new(r.subject_id),
                value: r.value,
                weights: u64::try_from(r.weights)
                    .map_err(|_| StoreError::Corrupt(format!("weights {}", r.weights)))?,
                n: count(r.n)?,
            })
        })
        .collect()
}

/// How many marks of one value a journal has in a work type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalMarks {
    /// The group.
    pub group: GroupId,
    /// The subject.
    pub subject: SubjectId,
    /// The value as written.
    pub value: String,
    /// How many.
    pub n: u32,
}

/// The marks of one work type (the control works) of a school's year dated in `from ..= to`,
/// counted by journal and value.
pub async fn work_marks(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    work_type: &str,
    (from, to): (Date, Date),
) -> Result<Vec<JournalMarks>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: i64,
        subject_id: i64,
        value: String,
        n: i64,
    }
    const SQL: &str = "SELECT m.group_id, m.subject_id, m.value, COUNT(*) AS n \
         FROM marks m WHERE m.group_id IN (SELECT id FROM study_groups WHERE school_id = $1 AND academic_year_id = $2) \
           AND m.on_date >= $4 AND m.on_date <= $5 AND m.work_type = $3 \
         GROUP BY m.group_id, m.subject_id, m.value";
    fetch_all!(
        conn,
        Row,
        SQL,
        school.get(),
        year.get(),
        work_type,
        from,
        to
    )?
    .into_iter()
    .map(|r| {
        Ok(JournalMarks {
            group: GroupId::new(r.group_id),
            subject: SubjectId::new(r.subject_id),
            value: r.value,
            n: count(r.n)?,
        })
    })
    .collect()
}

/// Attendance records of a pupil in a journal with one code (and, for lateness, the minutes
/// late and the lesson's length by the regular bells).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsenceCount {
    /// The pupil.
    pub student: PersonId,
    /// The group.
    pub group: GroupId,
    /// The subject.
    pub subject: SubjectId,
    /// The code (`ill`, `excused`, `unexcused`, `late`).
    pub code: String,
    /// Minutes late (lateness only).
    pub minutes_late: Option<u16>,
    /// The lesson's length in minutes (lateness only; `None` without bells).
    pub lesson_minutes: Option<u16>,
    /// How many.
    pub n: u32,
}

/// The attendance records on the lessons of a school's year dated in `from ..= to` (not
/// cancelled), counted by pupil, journal and code.
pub async fn absence_counts(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    (from, to): (Date, Date),
) -> Result<Vec<AbsenceCount>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        student_id: i64,
        group_id: i64,
        subject_id: i64,
        code: String,
        minutes_late: Option<i64>,
        lesson_minutes: Option<i64>,
        n: i64,
    }
    const SQL: &str = "SELECT a.student_id, l.group_id, l.subject_id, a.code, \
           CASE WHEN a.code = 'late' THEN a.minutes_late END AS minutes_late, \
           CASE WHEN a.code = 'late' THEN b.ends_min - b.starts_min END AS lesson_minutes, COUNT(*) AS n \
         FROM lessons l JOIN attendance a ON a.lesson_id = l.id JOIN study_groups g ON g.id = l.group_id \
           LEFT JOIN bell_slots b ON b.academic_year_id = l.academic_year_id AND b.shift = g.shift \
             AND b.variant = 'regular' AND b.number = l.number \
         WHERE l.academic_year_id = $2 AND l.school_id = $1 AND l.on_date >= $3 AND l.on_date <= $4 \
           AND l.status <> 'cancelled' \
         GROUP BY a.student_id, l.group_id, l.subject_id, a.code, \
           CASE WHEN a.code = 'late' THEN a.minutes_late END, \
           CASE WHEN a.code = 'late' THEN b.ends_min - b.starts_min END";
    let minutes = |v: Option<i64>| v.map(|m| u16::try_from(m.max(0)).unwrap_or(u16::MAX));
    fetch_all!(conn, Row, SQL, school.get(), year.get(), from, to)?
        .into_iter()
        .map(|r| {
            Ok(AbsenceCount {
                student: PersonId::new(r.student_id),
                group: GroupId::new(r.group_id),
                subject: SubjectId::new(r.subject_id),
                code: r.code,
                minutes_late: minutes(r.minutes_late),
                lesson_minutes: minutes(r.lesson_minutes),
                n: count(r.n)?,
            })
        })
        .collect()
}

/// A pupil's name for lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PupilName {
    /// The pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub name: String,
    /// Sort key.
    pub sort_key: String,
}

/// The names of some pupils (one query per thousand).
pub async fn pupil_names(conn: &mut Conn<'_>, ids: &[PersonId]) -> Result<Vec<PupilName>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        last_name: String,
        first_name: String,
        sort_key: String,
    }
    const HEAD: &str = "SELECT id, last_name, first_name, sort_key FROM persons WHERE id IN (";
    let mut out = Vec::new();
    for chunk in ids.chunks(1000) {
        macro_rules! run {
            ($db:ty, $c:expr) => {{
                let mut qb = sqlx::QueryBuilder::<$db>::new(HEAD);
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(id.get());
                }
                qb.push(")");
                qb.build_query_as::<Row>().fetch_all(&mut **$c).await?
            }};
        }
        let rows = match conn {
            Conn::Sqlite(c) => run!(sqlx::Sqlite, c),
            Conn::Postgres(c) => run!(sqlx::Postgres, c),
        };
        out.extend(rows.into_iter().map(|r| PupilName {
            student: PersonId::new(r.id),
            name: format!("{} {}", r.last_name, r.first_name),
            sort_key: r.sort_key,
        }));
    }
    out.sort_by(|a, b| a.sort_key.cmp(&b.sort_key).then(a.student.cmp(&b.student)));
    Ok(out)
}
