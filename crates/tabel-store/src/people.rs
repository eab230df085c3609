//! The school's people as the administrators keep them: finding them by any part of the name,
//! a person's card (pupil, parent, staff), a pupil's dated arrival, leaving and move to another
//! class, and merging a person typed twice into one.
//!
//! Name search matches a key computed in Rust (`persons.sort_key`: case-folded, `ё` → `е`), because
//! SQLite's `lower()` ignores Cyrillic; each word of the query must begin a word of the name.

use crate::{Conn, Result, StoreError};
use tabel_domain::school::{GroupKind, Relation, Sex};
use tabel_domain::*;
use time::Date;

/// Words of a name query the search looks at (surname, given name, patronymic).
pub const MAX_QUERY_WORDS: usize = 3;

/// The `LIKE` patterns of a name query: one per word (at most [`MAX_QUERY_WORDS`]), each
/// matching a word of `' ' || sort_key` that begins with it; `%` for the words not given. The
/// query is folded like the stored key; `LIKE`'s own wildcards are dropped from it.
pub fn name_patterns(query: &str) -> [String; MAX_QUERY_WORDS] {
    let folded = text::sort_key(query).replace(['\\', '%', '_'], "");
    let mut out: [String; MAX_QUERY_WORDS] = Default::default();
    let mut words = folded.split_whitespace();
    for slot in &mut out {
        *slot = match words.next() {
            Some(w) => format!("% {w}%"),
            None => "%".to_owned(),
        };
    }
    out
}

/// Which people a search lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindFilter {
    /// Everyone.
    All,
    /// Pupils (current and former).
    Pupil,
    /// Legal representatives: named for a child, linked or invited.
    Parent,
    /// Staff members.
    Staff,
}

impl KindFilter {
    fn code(self) -> &'static str {
        match self {
            KindFilter::All => "",
            KindFilter::Pupil => "pupil",
            KindFilter::Parent => "parent",
            KindFilter::Staff => "staff",
        }
    }
}

/// A person found by a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub person: school::PersonSummary,
    pub pupil: bool,
    pub staff: bool,
    pub parent: bool,
    /// The pupil's class on the day asked for.
    pub class: Option<(GroupId, String)>,
    /// The pupil's last day at school, if they left.
    pub left_on: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct FoundRow {
    id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    sex: String,
    birth_date: Option<Date>,
    is_pupil: bool,
    is_staff: bool,
    is_parent: bool,
    class_id: Option<i64>,
    class_name: Option<String>,
    left_on: Option<Date>,
}

fn summary(
    id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    sex: &str,
    birth_date: Option<Date>,
) -> Result<school::PersonSummary> {
    Ok(school::PersonSummary {
        id: PersonId::new(id),
        last_name,
        first_name,
        middle_name,
        sex: Sex::from_code(sex)?,
        birth_date,
    })
}

impl TryFrom<FoundRow> for Found {
    type Error = StoreError;
    fn try_from(r: FoundRow) -> Result<Found> {
        Ok(Found {
            person: summary(
                r.id,
                r.last_name,
                r.first_name,
                r.middle_name,
                &r.sex,
                r.birth_date,
            )?,
            pupil: r.is_pupil,
            staff: r.is_staff,
            parent: r.is_parent,
            class: r.class_id.map(GroupId::new).zip(r.class_name),
            left_on: r.left_on,
        })
    }
}

const SEARCH: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, \
     s.person_id IS NOT NULL AS is_pupil, st.person_id IS NOT NULL AS is_staff, \
     (EXISTS (SELECT 1 FROM guardianships g WHERE g.parent_id = p.id AND g.ended_at IS NULL) \
      OR EXISTS (SELECT 1 FROM invitations i WHERE i.parent_id = p.id AND i.used_at IS NULL)) AS is_parent, \
     c.id AS class_id, c.name AS class_name, s.left_on \
     FROM persons p \
     LEFT JOIN students s ON s.person_id = p.id \
     LEFT JOIN staff st ON st.person_id = p.id \
     LEFT JOIN study_groups c ON c.id = (SELECT m.group_id FROM memberships m JOIN study_groups k ON k.id = m.group_id \
         WHERE m.student_id = p.id AND k.kind = 'class' AND m.starts_on <= $6 AND (m.ends_on IS NULL OR m.ends_on >= $6) \
         ORDER BY m.starts_on DESC LIMIT 1) \
     WHERE p.school_id = $1 AND (' ' || p.sort_key) LIKE $2 AND (' ' || p.sort_key) LIKE $3 \
     AND (' ' || p.sort_key) LIKE $4 \
     AND ($5 = '' OR ($5 = 'pupil' AND s.person_id IS NOT NULL) OR ($5 = 'staff' AND st.person_id IS NOT NULL) \
       OR ($5 = 'parent' AND (EXISTS (SELECT 1 FROM guardianships g WHERE g.parent_id = p.id) \
           OR EXISTS (SELECT 1 FROM invitations i WHERE i.parent_id = p.id)))) \
     ORDER BY p.sort_key, p.id LIMIT $7 OFFSET $8";
/// A school's people whose name has a word beginning with each word of `query`, in name
/// order, with their class on `on`: at most `limit` from `offset`.
pub async fn search(
    conn: &mut Conn<'_>,
    school: SchoolId,
    query: &str,
    kind: KindFilter,
    on: Date,
    limit: i64,
    offset: i64,
) -> Result<Vec<Found>> {
    let [a, b, c] = name_patterns(query);
    fetch_all!(
        conn,
        FoundRow,
        SEARCH,
        school.get(),
        a,
        b,
        c,
        kind.code(),
        on,
        limit,
        offset
    )?
    .into_iter()
    .map(Found::try_from)
    .collect()
}

/// A person's own facts, of every kind they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    pub school: SchoolId,
    pub person: school::PersonSummary,
    /// 11 digits.
    pub snils: Option<String>,
    pub pupil: Option<PupilFacts>,
    /// Position, and the roles the account is handed out with (codes, comma-separated).
    pub staff: Option<(String, String)>,
}

/// A pupil's school record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PupilFacts {
    pub school_number: Option<String>,
    pub enrolled_on: Date,
    pub arrived_from: Option<String>,
    pub left_on: Option<Date>,
    pub left_to: Option<String>,
    pub leaving_order_number: Option<String>,
    pub leaving_order_date: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct PersonFactsRow {
    id: i64,
    school_id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    sex: String,
    birth_date: Option<Date>,
    snils: Option<String>,
    enrolled_on: Option<Date>,
    school_number: Option<String>,
    arrived_from: Option<String>,
    left_on: Option<Date>,
    left_to: Option<String>,
    leaving_order_number: Option<String>,
    leaving_order_date: Option<Date>,
    position: Option<String>,
    roles: Option<String>,
}

const PERSON: &str = "SELECT p.id, p.school_id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, p.snils, \
     s.enrolled_on, s.school_number, s.arrived_from, s.left_on, s.left_to, s.leaving_order_number, s.leaving_order_date, \
     st.position, st.roles \
     FROM persons p LEFT JOIN students s ON s.person_id = p.id LEFT JOIN staff st ON st.person_id = p.id \
     WHERE p.id = $1";
/// A person by id with their pupil's and staff member's records.
pub async fn person(conn: &mut Conn<'_>, id: PersonId) -> Result<Option<PersonFacts>> {
    let Some(r) = fetch_optional!(conn, PersonFactsRow, PERSON, id.get())? else {
        return Ok(None);
    };
    Ok(Some(PersonFacts {
        school: SchoolId::new(r.school_id),
        person: summary(
            r.id,
            r.last_name,
            r.first_name,
            r.middle_name,
            &r.sex,
            r.birth_date,
        )?,
        snils: r.snils,
        pupil: r.enrolled_on.map(|enrolled_on| PupilFacts {
            school_number: r.school_number,
            enrolled_on,
            arrived_from: r.arrived_from,
            left_on: r.left_on,
            left_to: r.left_to,
            leaving_order_number: r.leaving_order_number,
            leaving_order_date: r.leaving_order_date,
        }),
        staff: r.position.zip(r.roles),
    }))
}

/// A pupil's membership in a class, subgroup or stream, with its dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipFacts {
    pub id: MembershipId,
    pub group: GroupId,
    pub name: String,
    pub kind: GroupKind,
    /// The class of a subgroup.
    pub class: Option<GroupId>,
    pub year: AcademicYearId,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct MembershipRow {
    id: i64,
    group_id: i64,
    name: String,
    kind: String,
    parent_group_id: Option<i64>,
    academic_year_id: i64,
    starts_on: Date,
    ends_on: Option<Date>,
}

const MEMBERSHIPS: &str = "SELECT m.id, m.group_id, g.name, g.kind, g.parent_group_id, g.academic_year_id, m.starts_on, m.ends_on \
     FROM memberships m JOIN study_groups g ON g.id = m.group_id WHERE m.student_id = $1 \
     ORDER BY m.starts_on DESC, CASE g.kind WHEN 'class' THEN 0 ELSE 1 END, g.sort_key, m.id";
/// Every membership a pupil has had, the latest first.
pub async fn memberships(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<MembershipFacts>> {
    fetch_all!(conn, MembershipRow, MEMBERSHIPS, student.get())?
        .into_iter()
        .map(|r| {
            Ok(MembershipFacts {
                id: MembershipId::new(r.id),
                group: GroupId::new(r.group_id),
                name: r.name,
                kind: GroupKind::from_code(&r.kind)?,
                class: r.parent_group_id.map(GroupId::new),
                year: AcademicYearId::new(r.academic_year_id),
                starts_on: r.starts_on,
                ends_on: r.ends_on,
            })
        })
        .collect()
}

/// A legal representative and a child: linked (the code was redeemed or the school linked
/// them) or still invited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkFacts {
    /// The other side: the parent on a pupil's card, the child on a parent's.
    pub other: school::PersonSummary,
    pub relation: Relation,
    pub linked: bool,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    sex: String,
    birth_date: Option<Date>,
    relation: String,
    linked: bool,
}

macro_rules! links_sql {
    ($me:literal, $other:literal) => {
        concat!(
            "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, p.sort_key, g.relation, TRUE AS linked \
             FROM guardianships g JOIN persons p ON p.id = g.", $other, " WHERE g.", $me, " = $1 AND g.ended_at IS NULL \
             UNION ALL \
             SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, p.sort_key, i.relation, FALSE AS linked \
             FROM invitations i JOIN persons p ON p.id = i.", $other, " WHERE i.", $me, " = $1 AND i.used_at IS NULL \
             ORDER BY 7, 1"
        )
    };
}
const PARENTS: &str = links_sql!("student_id", "parent_id");
const CHILDREN: &str = links_sql!("parent_id", "student_id");

async fn links(conn: &mut Conn<'_>, sql: &'static str, of: PersonId) -> Result<Vec<LinkFacts>> {
    fetch_all!(conn, LinkRow, sql, of.get())?
        .into_iter()
        .map(|r| {
            Ok(LinkFacts {
                relation: Relation::from_code(&r.relation)?,
                linked: r.linked,
                other: summary(
                    r.id,
                    r.last_name,
                    r.first_name,
                    r.middle_name,
                    &r.sex,
                    r.birth_date,
                )?,
            })
        })
        .collect()
}

/// A pupil's legal representatives, linked and invited.
pub async fn parents_of(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<LinkFacts>> {
    links(conn, PARENTS, student).await
}

/// A parent's children, linked and invited.
pub async fn children_of(conn: &mut Conn<'_>, parent: PersonId) -> Result<Vec<LinkFacts>> {
    links(conn, CHILDREN, parent).await
}

const SET_ARRIVAL: &str = "UPDATE students SET enrolled_on = $2, arrived_from = $3, left_on = NULL, left_to = NULL, \
     leaving_order_number = NULL, leaving_order_date = NULL WHERE person_id = $1";
/// Records a pupil's arrival: from `on`, from where; a former leaving is cleared.
pub async fn set_arrival(
    conn: &mut Conn<'_>,
    student: PersonId,
    on: Date,
    arrived_from: Option<&str>,
) -> Result<()> {
    execute!(conn, SET_ARRIVAL, student.get(), on, arrived_from)?;
    Ok(())
}

/// A pupil's leaving as the order records it.
#[derive(Debug, Clone)]
pub struct Leaving<'a> {
    /// The last day at school.
    pub last_day: Date,
    pub to: &'a str,
    pub order_number: &'a str,
    pub order_date: Date,
}

const SET_LEAVING: &str = "UPDATE students SET left_on = $2, left_to = $3, leaving_order_number = $4, \
     leaving_order_date = $5 WHERE person_id = $1";
/// Records a pupil's leaving.
pub async fn set_leaving(conn: &mut Conn<'_>, student: PersonId, l: &Leaving<'_>) -> Result<()> {
    execute!(
        conn,
        SET_LEAVING,
        student.get(),
        l.last_day,
        l.to,
        l.order_number,
        l.order_date
    )?;
    Ok(())
}

const END_OPEN: &str = "UPDATE memberships SET ends_on = $2 WHERE student_id = $1 AND starts_on <= $2 \
     AND (ends_on IS NULL OR ends_on > $2)";
const DROP_LATER: &str = "DELETE FROM memberships WHERE student_id = $1 AND starts_on > $2";
/// Ends every membership of a pupil running on `last_day` on that day, and removes those that
/// would begin after it. Returns how many rows changed.
pub async fn end_memberships(
    conn: &mut Conn<'_>,
    student: PersonId,
    last_day: Date,
) -> Result<u64> {
    let ended = execute!(conn, END_OPEN, student.get(), last_day)?;
    Ok(ended + execute!(conn, DROP_LATER, student.get(), last_day)?)
}

const END_IN_CLASS: &str = "UPDATE memberships SET ends_on = $3 WHERE student_id = $1 \
     AND (group_id = $2 OR group_id IN (SELECT id FROM study_groups WHERE parent_group_id = $2)) \
     AND starts_on <= $3 AND (ends_on IS NULL OR ends_on > $3)";
const DROP_IN_CLASS: &str = "DELETE FROM memberships WHERE student_id = $1 \
     AND (group_id = $2 OR group_id IN (SELECT id FROM study_groups WHERE parent_group_id = $2)) \
     AND starts_on > $3";
/// Ends a pupil's membership in a class and in the class's subgroups on `last_day` (those that
/// would begin later are removed). Returns how many rows changed.
pub async fn end_class_memberships(
    conn: &mut Conn<'_>,
    student: PersonId,
    class: GroupId,
    last_day: Date,
) -> Result<u64> {
    let ended = execute!(conn, END_IN_CLASS, student.get(), class.get(), last_day)?;
    Ok(ended + execute!(conn, DROP_IN_CLASS, student.get(), class.get(), last_day)?)
}

const END_IN_STREAMS_LEFT: &str = "UPDATE memberships SET ends_on = $4 WHERE student_id = $1 \
     AND group_id IN (SELECT stream_id FROM stream_classes WHERE class_id = $2) \
     AND group_id NOT IN (SELECT stream_id FROM stream_classes WHERE class_id = $3) \
     AND starts_on <= $4 AND (ends_on IS NULL OR ends_on > $4)";
const DROP_IN_STREAMS_LEFT: &str = "DELETE FROM memberships WHERE student_id = $1 \
     AND group_id IN (SELECT stream_id FROM stream_classes WHERE class_id = $2) \
     AND group_id NOT IN (SELECT stream_id FROM stream_classes WHERE class_id = $3) \
     AND starts_on > $4";
/// Ends a pupil's memberships in the streams that draw from the class they leave but not from
/// the class they join, on `last_day` (those that would begin later are removed).
pub async fn end_streams_left(
    conn: &mut Conn<'_>,
    student: PersonId,
    old_class: GroupId,
    new_class: GroupId,
    last_day: Date,
) -> Result<u64> {
    let args = (student.get(), old_class.get(), new_class.get());
    let ended = execute!(conn, END_IN_STREAMS_LEFT, args.0, args.1, args.2, last_day)?;
    Ok(ended + execute!(conn, DROP_IN_STREAMS_LEFT, args.0, args.1, args.2, last_day)?)
}

/// A column that holds a person's id, and the statements that count and move its rows.
struct Ref {
    table: &'static str,
    column: &'static str,
    count: &'static str,
    update: &'static str,
}

macro_rules! refs {
    ($(($table:literal, $column:literal)),* $(,)?) => {
        &[$(Ref {
            table: $table,
            column: $column,
            count: concat!("SELECT CAST(COUNT(*) AS BIGINT) FROM ", $table, " WHERE ", $column, " = $1"),
            update: concat!("UPDATE ", $table, " SET ", $column, " = $2 WHERE ", $column, " = $1"),
        }),*]
    };
}

/// Every column of the schema that names a person (found in the migrations: `REFERENCES
/// persons`, `students` or `staff`). A merge moves them all; a new table with such a column
/// must be listed here.
const PERSON_REFS: &[Ref] = refs![
    ("users", "person_id"),
    ("memberships", "student_id"),
    ("guardianships", "parent_id"),
    ("guardianships", "student_id"),
    ("consents", "parent_id"),
    ("consents", "student_id"),
    ("invitations", "parent_id"),
    ("invitations", "student_id"),
    ("contacts", "parent_id"),
    ("contacts", "entered_by_person"),
    ("notify_settings", "parent_id"),
    ("notify_event_settings", "parent_id"),
    ("deliveries", "parent_id"),
    ("deliveries", "student_id"),
    ("digest_items", "parent_id"),
    ("digest_items", "student_id"),
    ("marks", "student_id"),
    ("attendance", "student_id"),
    ("recommendations", "student_id"),
    ("recommendations", "teacher_id"),
    ("final_marks", "student_id"),
    ("final_deferrals", "student_id"),
    ("academic_debts", "student_id"),
    ("exam_results", "student_id"),
    ("extracts", "student_id"),
    ("teaching_assignments", "teacher_id"),
    ("class_teachers", "teacher_id"),
    ("timetable_entries", "teacher_id"),
    ("lessons", "teacher_id"),
    ("lessons", "original_teacher_id"),
    ("thematic_plans", "teacher_id"),
    ("homework_files", "uploaded_by_person"),
    ("erasure_requests", "parent_id"),
    ("exemptions", "student_id"),
    ("absence_notes", "student_id"),
    ("absence_notes", "sent_by"),
    ("absence_notes", "decided_by"),
    ("promotion_lines", "student_id"),
    ("personal_files", "student_id"),
    ("received_personal_files", "student_id"),
];

/// Rows naming a person, per table and column (only those with rows).
pub async fn references(conn: &mut Conn<'_>, person: PersonId) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for r in PERSON_REFS {
        let n = fetch_scalar!(conn, i64, r.count, person.get())?;
        if n > 0 {
            out.push((format!("{}.{}", r.table, r.column), n));
        }
    }
    Ok(out)
}

/// A reason two persons cannot be merged: rows of both that would collide.
struct Collision {
    what: &'static str,
    sql: &'static str,
}

/// Each query counts the pairs of rows, one of `$1`'s and one of `$2`'s, that could not both
/// belong to one person (a unique key, or dates that overlap).
const COLLISIONS: &[Collision] = &[
    Collision {
        what: "both have an account",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM users a JOIN users b ON b.person_id = $2 WHERE a.person_id = $1",
    },
    Collision {
        what: "both have a mark of the same kind on the same lesson",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM marks a JOIN marks b ON b.lesson_id = a.lesson_id AND b.work_type = a.work_type \
              WHERE a.student_id = $1 AND b.student_id = $2",
    },
    Collision {
        what: "both have attendance recorded on the same lesson",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM attendance a JOIN attendance b ON b.lesson_id = a.lesson_id \
              WHERE a.student_id = $1 AND b.student_id = $2",
    },
    Collision {
        what: "both have a final mark for the same subject and period",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM final_marks a JOIN final_marks b ON b.subject_id = a.subject_id \
              AND b.academic_year_id = a.academic_year_id AND b.slot = a.slot WHERE a.student_id = $1 AND b.student_id = $2",
    },
    Collision {
        what: "both have a deferral of the same final mark",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM final_deferrals a JOIN final_deferrals b ON b.subject_id = a.subject_id \
              AND b.academic_year_id = a.academic_year_id AND b.slot = a.slot WHERE a.student_id = $1 AND b.student_id = $2",
    },
    Collision {
        what: "both have an academic debt in the same subject and period",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM academic_debts a JOIN academic_debts b ON b.subject_id = a.subject_id \
              AND b.academic_year_id = a.academic_year_id AND b.slot = a.slot WHERE a.student_id = $1 AND b.student_id = $2",
    },
    Collision {
        what: "both are linked to the same child",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM guardianships a JOIN guardianships b ON b.student_id = a.student_id \
              AND b.ended_at IS NULL WHERE a.parent_id = $1 AND b.parent_id = $2 AND a.ended_at IS NULL",
    },
    Collision {
        what: "both redeemed an invitation for the same child",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM invitations a JOIN invitations b ON b.student_id = a.student_id \
              AND b.used_at IS NOT NULL WHERE a.parent_id = $1 AND b.parent_id = $2 AND a.used_at IS NOT NULL",
    },
    Collision {
        what: "both have the same parent linked",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM guardianships a JOIN guardianships b ON b.parent_id = a.parent_id \
              AND b.ended_at IS NULL WHERE a.student_id = $1 AND b.student_id = $2 AND a.ended_at IS NULL",
    },
    Collision {
        what: "the same parent redeemed an invitation for both",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM invitations a JOIN invitations b ON b.parent_id = a.parent_id \
              AND b.used_at IS NOT NULL WHERE a.student_id = $1 AND b.student_id = $2 AND a.used_at IS NOT NULL",
    },
    Collision {
        what: "both have the same contact",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM contacts a JOIN contacts b ON b.kind = a.kind \
              AND COALESCE(b.network, '') = COALESCE(a.network, '') AND b.value = a.value AND b.removed_at IS NULL \
              WHERE a.parent_id = $1 AND b.parent_id = $2 AND a.removed_at IS NULL",
    },
    Collision {
        what: "both have their own quiet hours",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM notify_settings a JOIN notify_settings b ON b.parent_id = $2 \
              WHERE a.parent_id = $1",
    },
    Collision {
        what: "both chose how to hear of the same event",
        sql: "SELECT CAST(COUNT(*) AS BIGINT) FROM notify_event_settings a JOIN notify_event_settings b \
              ON b.event = a.event WHERE a.parent_id = $1 AND b.parent_id = $2",
    },
];

/// What keeps `keep` and `dup` from becoming one person (empty: they can be merged).
pub async fn collisions(
    conn: &mut Conn<'_>,
    keep: PersonId,
    dup: PersonId,
) -> Result<Vec<&'static str>> {
    let mut out = Vec::new();
    for c in COLLISIONS {
        if fetch_scalar!(conn, i64, c.sql, keep.get(), dup.get())? > 0 {
            out.push(c.what);
        }
    }
    Ok(out)
}

/// A pending invitation that the merge makes redundant: the pair it would link is linked, or
/// invited, through the other person. `$1` is the one whose invitations go, `$2` the other.
const DROP_PARENT_INVITATIONS: &str = "DELETE FROM invitations WHERE parent_id = $1 AND used_at IS NULL \
     AND (student_id IN (SELECT student_id FROM guardianships WHERE parent_id = $2 AND ended_at IS NULL) \
       OR student_id IN (SELECT student_id FROM invitations WHERE parent_id = $2))";
const DROP_STUDENT_INVITATIONS: &str = "DELETE FROM invitations WHERE student_id = $1 AND used_at IS NULL \
     AND (parent_id IN (SELECT parent_id FROM guardianships WHERE student_id = $2 AND ended_at IS NULL) \
       OR parent_id IN (SELECT parent_id FROM invitations WHERE student_id = $2))";
const SET_MEMBERSHIP_SPAN: &str =
    "UPDATE memberships SET starts_on = $2, ends_on = $3 WHERE id = $1";
const DELETE_MEMBERSHIP: &str = "DELETE FROM memberships WHERE id = $1";
/// A pupil typed twice is in the same class (and groups) twice: each of the duplicate's
/// memberships that overlaps one of the kept person's in the same group becomes part of it (the
/// kept row spans both; the duplicate's goes), so that the merged pupil is in each group once.
/// Returns how many were folded.
async fn fold_memberships(conn: &mut Conn<'_>, keep: PersonId, dup: PersonId) -> Result<u64> {
    let mut kept: Vec<MembershipFacts> = memberships(conn, keep).await?;
    let mut folded = 0;
    for d in memberships(conn, dup).await? {
        let overlaps = |k: &MembershipFacts| {
            k.group == d.group
                && k.ends_on.is_none_or(|e| d.starts_on <= e)
                && d.ends_on.is_none_or(|e| k.starts_on <= e)
        };
        let Some(k) = kept.iter_mut().find(|k| overlaps(k)) else {
            continue;
        };
        k.starts_on = k.starts_on.min(d.starts_on);
        k.ends_on = k.ends_on.zip(d.ends_on).map(|(a, b)| a.max(b));
        execute!(
            conn,
            SET_MEMBERSHIP_SPAN,
            k.id.get(),
            k.starts_on,
            k.ends_on
        )?;
        execute!(conn, DELETE_MEMBERSHIP, d.id.get())?;
        folded += 1;
    }
    Ok(folded)
}

const DELETE_STUDENT: &str = "DELETE FROM students WHERE person_id = $1";
const DELETE_STAFF: &str = "DELETE FROM staff WHERE person_id = $1";
const DELETE_PERSON: &str = "DELETE FROM persons WHERE id = $1";
/// Moves every row naming `dup` to `keep`, then removes `dup` (its pupil's and staff member's
/// records first); pending invitations made redundant by the other person's link or invitation
/// are dropped (the duplicate's first). The caller checked [`collisions`] in the same
/// transaction. Returns how many invitations were dropped.
pub async fn merge(conn: &mut Conn<'_>, keep: PersonId, dup: PersonId) -> Result<u64> {
    fold_memberships(conn, keep, dup).await?;
    let mut dropped = 0;
    for (sql, gone, other) in [
        (DROP_PARENT_INVITATIONS, dup, keep),
        (DROP_PARENT_INVITATIONS, keep, dup),
        (DROP_STUDENT_INVITATIONS, dup, keep),
        (DROP_STUDENT_INVITATIONS, keep, dup),
    ] {
        dropped += execute!(conn, sql, gone.get(), other.get())?;
    }
    for r in PERSON_REFS {
        execute!(conn, r.update, dup.get(), keep.get())?;
    }
    execute!(conn, DELETE_STUDENT, dup.get())?;
    execute!(conn, DELETE_STAFF, dup.get())?;
    execute!(conn, DELETE_PERSON, dup.get())?;
    Ok(dropped)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every `table.column` of the migrations that references a person (`persons`, `students`
    /// or `staff`), besides the pupil's and staff member's own rows.
    fn person_columns_in_migrations() -> Vec<(String, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let mut out = Vec::new();
        for file in files {
            let sql = std::fs::read_to_string(&file).unwrap();
            let mut table = String::new();
            for line in sql.lines() {
                let words: Vec<&str> = line.split_whitespace().collect();
                if let ["CREATE", "TABLE", name, ..] | ["ALTER", "TABLE", name, ..] = words[..] {
                    table = name.trim_end_matches('(').to_owned();
                }
                let refers = [
                    "REFERENCES persons(",
                    "REFERENCES students(",
                    "REFERENCES staff(",
                ]
                .iter()
                .any(|r| line.contains(r));
                if !refers {
                    continue;
                }
                let column = match words[..] {
                    ["ALTER", "TABLE", _, "ADD", "COLUMN", column, ..] => column,
                    [column, ..] => column,
                    [] => continue,
                };
                if !matches!(
                    (table.as_str(), column),
                    ("students" | "staff", "person_id")
                ) {
                    out.push((table.clone(), column.to_owned()));
                }
            }
        }
        out
    }

    #[test]
    fn a_merge_moves_every_column_that_names_a_person() {
        let found = person_columns_in_migrations();
        assert!(found.len() >= 30, "{found:?}");
        for (table, column) in &found {
            assert!(
                PERSON_REFS
                    .iter()
                    .any(|r| r.table == table && r.column == column),
                "{table}.{column} names a person but a merge would not move it"
            );
        }
        // And nothing listed is made up.
        for r in PERSON_REFS {
            assert!(
                found.iter().any(|(t, c)| t == r.table && c == r.column),
                "{}.{} is not in the migrations",
                r.table,
                r.column
            );
        }
    }

    #[test]
    fn a_query_is_folded_into_word_prefix_patterns() {
        assert_eq!(name_patterns("ЁЛК"), ["% елк%", "%", "%"]);
        assert_eq!(
            name_patterns("  Анна   ёлкина  x y"),
            ["% анна%", "% елкина%", "% x%"]
        );
        assert_eq!(name_patterns("100%_\\"), ["% 100%", "%", "%"]);
        assert_eq!(name_patterns(""), ["%", "%", "%"]);
    }
}
