//! The next year built from the previous one (a draft until confirmed) and promotion orders
//! with their pupils' lines.

use crate::{Conn, Result, StoreError};
use serde::{Deserialize, Serialize};
use tabel_domain::promotion::Outcome;
use tabel_domain::school::GroupKind;
use tabel_domain::*;
use time::{Date, OffsetDateTime};

// ------------------------------------------------------------------------------- the next year

/// Whether a year is a draft and what it was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearDraft {
    /// The year it was built from, if any.
    pub built_from: Option<AcademicYearId>,
    /// Not yet confirmed: no pupil is placed into its classes.
    pub draft: bool,
    /// When it was confirmed.
    pub confirmed_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct YearDraftRow {
    built_from: Option<i64>,
    draft: i64,
    confirmed_at: Option<OffsetDateTime>,
}

/// A year's draft state (none for an unknown year).
pub async fn year_draft(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Option<YearDraft>> {
    const SQL: &str = "SELECT built_from, draft, confirmed_at FROM academic_years WHERE id = $1";
    Ok(
        fetch_optional!(conn, YearDraftRow, SQL, year.get())?.map(|r| YearDraft {
            built_from: r.built_from.map(AcademicYearId::new),
            draft: r.draft != 0,
            confirmed_at: r.confirmed_at,
        }),
    )
}

/// Marks a year as a draft built from another.
pub async fn mark_draft(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    from: AcademicYearId,
) -> Result<()> {
    const SQL: &str = "UPDATE academic_years SET draft = 1, built_from = $2 WHERE id = $1";
    execute!(conn, SQL, year.get(), from.get())?;
    Ok(())
}

/// Confirms a draft year; false when it was not one (any more).
pub async fn confirm_year(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    by: UserId,
    at: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = "UPDATE academic_years SET draft = 0, confirmed_at = $3, confirmed_by = $2 \
         WHERE id = $1 AND draft = 1";
    Ok(execute!(conn, SQL, year.get(), by.get(), at)? == 1)
}

/// Copies a year's bells (every shift and variant) into another; how many.
pub async fn copy_bells(
    conn: &mut Conn<'_>,
    from: AcademicYearId,
    to: AcademicYearId,
) -> Result<u64> {
    const SQL: &str = "INSERT INTO bell_slots (school_id, academic_year_id, shift, variant, number, starts_min, ends_min) \
         SELECT school_id, $2, shift, variant, number, starts_min, ends_min FROM bell_slots \
         WHERE academic_year_id = $1";
    Ok(execute!(conn, SQL, from.get(), to.get())?)
}

/// A class of a year as the carrying reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearClass {
    pub id: GroupId,
    pub name: String,
    pub grade: u8,
    pub shift: i64,
    /// The class it was carried from.
    pub carried_from: Option<GroupId>,
}

#[derive(sqlx::FromRow)]
struct YearClassRow {
    id: i64,
    name: String,
    grade: i64,
    shift: i64,
    carried_from: Option<i64>,
}

/// The classes of a year, in the school's order.
pub async fn classes_of_year(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<YearClass>> {
    const SQL: &str = "SELECT id, name, grade, shift, carried_from FROM study_groups \
         WHERE academic_year_id = $1 AND kind = $2 ORDER BY sort_key, id";
    fetch_all!(conn, YearClassRow, SQL, year.get(), GroupKind::Class.code())?
        .into_iter()
        .map(|r| {
            Ok(YearClass {
                id: GroupId::new(r.id),
                name: r.name,
                grade: u8::try_from(r.grade)
                    .map_err(|_| StoreError::Corrupt(format!("grade {}", r.grade)))?,
                shift: r.shift,
                carried_from: r.carried_from.map(GroupId::new),
            })
        })
        .collect()
}

/// Records the class a new one was carried from, and takes over its shift.
pub async fn set_carried(
    conn: &mut Conn<'_>,
    class: GroupId,
    from: GroupId,
    shift: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE study_groups SET carried_from = $2, shift = $3 WHERE id = $1";
    execute!(conn, SQL, class.get(), from.get(), shift)?;
    Ok(())
}

/// The class teachers of the carried classes lead them on (those still at the school and
/// leading the old class at its year's end), from `starts_on`; how many.
pub async fn carry_class_teachers(
    conn: &mut Conn<'_>,
    to: AcademicYearId,
    starts_on: Date,
    old_end: Date,
) -> Result<u64> {
    const SQL: &str = "INSERT INTO class_teachers (school_id, class_id, teacher_id, starts_on, ends_on) \
         SELECT ct.school_id, g.id, ct.teacher_id, $2, NULL FROM class_teachers ct \
         JOIN study_groups g ON g.carried_from = ct.class_id \
         JOIN staff st ON st.person_id = ct.teacher_id \
         WHERE g.academic_year_id = $1 AND st.left_on IS NULL \
         AND ct.starts_on <= $3 AND (ct.ends_on IS NULL OR ct.ends_on >= $3)";
    Ok(execute!(conn, SQL, to.get(), starts_on, old_end)?)
}

/// The parallels' curriculum lines (not a group's own) of one year for the grades the other
/// has: the new 6th parallel gets the old 6th's lines. Retired subjects stay behind. How many.
pub async fn copy_curriculum(
    conn: &mut Conn<'_>,
    from: AcademicYearId,
    to: AcademicYearId,
) -> Result<u64> {
    const SQL: &str = "INSERT INTO curriculum_items (school_id, academic_year_id, grade, group_id, subject_id, \
         hours_per_week_tenths, hours_per_year, part) \
         SELECT c.school_id, $2, c.grade, NULL, c.subject_id, c.hours_per_week_tenths, c.hours_per_year, c.part \
         FROM curriculum_items c JOIN subjects s ON s.id = c.subject_id \
         WHERE c.academic_year_id = $1 AND c.grade IS NOT NULL AND s.retired_on IS NULL \
         AND c.grade IN (SELECT grade FROM parallels WHERE academic_year_id = $2) \
         ORDER BY c.id";
    Ok(execute!(conn, SQL, from.get(), to.get())?)
}

/// The teaching assignments of the carried classes follow them (the teacher of 5А's
/// mathematics teaches 6А's), for teachers still at the school whose assignment ran to the
/// old year's end; from `starts_on`. How many.
pub async fn carry_assignments(
    conn: &mut Conn<'_>,
    from: AcademicYearId,
    to: AcademicYearId,
    starts_on: Date,
    old_end: Date,
) -> Result<u64> {
    const SQL: &str = "INSERT INTO teaching_assignments (school_id, academic_year_id, teacher_id, subject_id, \
         group_id, starts_on, ends_on, hours_per_week_tenths) \
         SELECT ta.school_id, $2, ta.teacher_id, ta.subject_id, g.id, $3, NULL, ta.hours_per_week_tenths \
         FROM teaching_assignments ta JOIN study_groups g ON g.carried_from = ta.group_id \
         JOIN staff st ON st.person_id = ta.teacher_id JOIN subjects s ON s.id = ta.subject_id \
         WHERE ta.academic_year_id = $1 AND g.academic_year_id = $2 AND st.left_on IS NULL \
         AND s.retired_on IS NULL AND (ta.ends_on IS NULL OR ta.ends_on >= $4) ORDER BY ta.id";
    Ok(execute!(
        conn,
        SQL,
        from.get(),
        to.get(),
        starts_on,
        old_end
    )?)
}

/// A teaching assignment of a draft year, as its review lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftAssignment {
    pub id: AssignmentId,
    pub class: String,
    pub subject: String,
    pub teacher: String,
}

#[derive(sqlx::FromRow)]
struct DraftAssignmentRow {
    id: i64,
    class_name: String,
    subject_name: String,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
}

/// A year's teaching assignments by class and subject.
pub async fn assignments_of_year(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
) -> Result<Vec<DraftAssignment>> {
    const SQL: &str = "SELECT ta.id, g.name AS class_name, s.name AS subject_name, p.last_name, p.first_name, p.middle_name \
         FROM teaching_assignments ta JOIN study_groups g ON g.id = ta.group_id \
         JOIN subjects s ON s.id = ta.subject_id JOIN persons p ON p.id = ta.teacher_id \
         WHERE ta.academic_year_id = $1 ORDER BY g.sort_key, s.sort_order, ta.id";
    Ok(fetch_all!(conn, DraftAssignmentRow, SQL, year.get())?
        .into_iter()
        .map(|r| DraftAssignment {
            id: AssignmentId::new(r.id),
            class: r.class_name,
            subject: r.subject_name,
            teacher: short_name(&r.last_name, &r.first_name, r.middle_name.as_deref()),
        })
        .collect())
}

/// Curriculum lines of a year per grade: (grade, lines, hours a week in tenths).
pub async fn curriculum_by_grade(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
) -> Result<Vec<(u8, i64, i64)>> {
    const SQL: &str = "SELECT grade, CAST(COUNT(*) AS BIGINT) AS lines, CAST(SUM(hours_per_week_tenths) AS BIGINT) AS tenths \
         FROM curriculum_items WHERE academic_year_id = $1 AND grade IS NOT NULL GROUP BY grade ORDER BY grade";
    #[derive(sqlx::FromRow)]
    struct Row {
        grade: i64,
        lines: i64,
        tenths: Option<i64>,
    }
    fetch_all!(conn, Row, SQL, year.get())?
        .into_iter()
        .map(|r| {
            Ok((
                u8::try_from(r.grade)
                    .map_err(|_| StoreError::Corrupt(format!("grade {}", r.grade)))?,
                r.lines,
                r.tenths.unwrap_or(0),
            ))
        })
        .collect()
}

fn short_name(last: &str, first: &str, middle: Option<&str>) -> String {
    let initial = |s: &str| {
        s.chars()
            .next()
            .map(|c| format!("{c}."))
            .unwrap_or_default()
    };
    match middle.filter(|m| !m.is_empty()) {
        Some(m) => format!("{last} {} {}", initial(first), initial(m)),
        None => format!("{last} {}", initial(first)),
    }
}

// ------------------------------------------------------------------------------------- orders

/// A promotion order's heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    pub id: PromotionOrderId,
    pub school: SchoolId,
    /// The year it ends.
    pub year: AcademicYearId,
    pub grade: u8,
    /// The class, or none for the whole parallel.
    pub class: Option<GroupId>,
    pub class_name: Option<String>,
    pub number: String,
    pub order_date: Option<Date>,
    /// `draft` or `issued`.
    pub state: String,
    /// The issued order it corrects.
    pub amends: Option<PromotionOrderId>,
    /// The order that corrects this one, if issued.
    pub amended_by: Option<PromotionOrderId>,
    pub created_at: OffsetDateTime,
    pub issued_at: Option<OffsetDateTime>,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    grade: i64,
    class_id: Option<i64>,
    class_name: Option<String>,
    number: String,
    order_date: Option<Date>,
    state: String,
    amends: Option<i64>,
    amended_by: Option<i64>,
    created_at: OffsetDateTime,
    issued_at: Option<OffsetDateTime>,
    version: i64,
}

impl TryFrom<OrderRow> for Order {
    type Error = StoreError;
    fn try_from(r: OrderRow) -> Result<Order> {
        Ok(Order {
            id: PromotionOrderId::new(r.id),
            school: SchoolId::new(r.school_id),
            year: AcademicYearId::new(r.academic_year_id),
            grade: u8::try_from(r.grade)
                .map_err(|_| StoreError::Corrupt(format!("grade {}", r.grade)))?,
            class: r.class_id.map(GroupId::new),
            class_name: r.class_name,
            number: r.number,
            order_date: r.order_date,
            state: r.state,
            amends: r.amends.map(PromotionOrderId::new),
            amended_by: r.amended_by.map(PromotionOrderId::new),
            created_at: r.created_at,
            issued_at: r.issued_at,
            version: r.version,
        })
    }
}

macro_rules! order_sql {
    ($tail:literal) => {
        concat!(
            "SELECT o.id, o.school_id, o.academic_year_id, o.grade, o.class_id, g.name AS class_name, o.number, ",
            "o.order_date, o.state, o.amends, (SELECT MIN(a.id) FROM promotion_orders a WHERE a.amends = o.id ",
            "AND a.state = 'issued') AS amended_by, o.created_at, o.issued_at, o.version ",
            "FROM promotion_orders o LEFT JOIN study_groups g ON g.id = o.class_id ",
            $tail
        )
    };
}

/// A new order's heading.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub school: SchoolId,
    pub year: AcademicYearId,
    pub grade: u8,
    pub class: Option<GroupId>,
    pub amends: Option<PromotionOrderId>,
    pub by: UserId,
    pub at: OffsetDateTime,
}

/// Adds a draft order.
pub async fn insert_order(conn: &mut Conn<'_>, o: &NewOrder) -> Result<PromotionOrderId> {
    const SQL: &str = "INSERT INTO promotion_orders (school_id, academic_year_id, grade, class_id, number, \
         state, amends, created_by, created_at) VALUES ($1, $2, $3, $4, '', 'draft', $5, $6, $7) RETURNING id";
    Ok(PromotionOrderId::new(fetch_scalar!(
        conn,
        i64,
        SQL,
        o.school.get(),
        o.year.get(),
        i64::from(o.grade),
        o.class.map(GroupId::get),
        o.amends.map(PromotionOrderId::get),
        o.by.get(),
        o.at
    )?))
}

/// An order by id.
pub async fn order(conn: &mut Conn<'_>, id: PromotionOrderId) -> Result<Option<Order>> {
    const SQL: &str = order_sql!("WHERE o.id = $1");
    fetch_optional!(conn, OrderRow, SQL, id.get())?
        .map(Order::try_from)
        .transpose()
}

/// A school's orders, newest first.
pub async fn orders_of_school(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<Order>> {
    const SQL: &str = order_sql!("WHERE o.school_id = $1 ORDER BY o.id DESC");
    fetch_all!(conn, OrderRow, SQL, school.get())?
        .into_iter()
        .map(Order::try_from)
        .collect()
}

/// Sets a draft order's number and date with the version read; false when stale or issued.
pub async fn set_order_heading(
    conn: &mut Conn<'_>,
    id: PromotionOrderId,
    version: i64,
    number: &str,
    date: Option<Date>,
) -> Result<bool> {
    const SQL: &str = "UPDATE promotion_orders SET number = $3, order_date = $4, version = version + 1 \
         WHERE id = $1 AND version = $2 AND state = 'draft'";
    Ok(execute!(conn, SQL, id.get(), version, number, date)? == 1)
}

/// Issues a draft order with the version read; false when stale or issued already.
pub async fn issue_order(
    conn: &mut Conn<'_>,
    id: PromotionOrderId,
    version: i64,
    by: UserId,
    at: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = "UPDATE promotion_orders SET state = 'issued', issued_by = $3, issued_at = $4, \
         version = version + 1 WHERE id = $1 AND version = $2 AND state = 'draft'";
    Ok(execute!(conn, SQL, id.get(), version, by.get(), at)? == 1)
}

/// Removes a draft order with its lines; false when it is not a draft.
pub async fn delete_draft(conn: &mut Conn<'_>, id: PromotionOrderId) -> Result<bool> {
    const LINES: &str = "DELETE FROM promotion_lines WHERE order_id = $1 \
         AND order_id IN (SELECT id FROM promotion_orders WHERE state = 'draft')";
    const ORDER: &str = "DELETE FROM promotion_orders WHERE id = $1 AND state = 'draft'";
    execute!(conn, LINES, id.get())?;
    Ok(execute!(conn, ORDER, id.get())? == 1)
}

/// An open debt as a line keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDebt {
    pub subject: String,
    pub deadline: Date,
}

/// A pupil's line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub id: i64,
    pub order: PromotionOrderId,
    pub student: PersonId,
    pub student_name: String,
    pub from_class: GroupId,
    pub from_class_name: String,
    pub proposed: Outcome,
    pub outcome: Outcome,
    pub left_on: Option<Date>,
    pub basis: String,
    pub debts: Vec<LineDebt>,
    pub to_class: Option<GroupId>,
    pub to_class_name: Option<String>,
    pub placed: bool,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    order_id: i64,
    student_id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    from_class_id: i64,
    from_name: String,
    proposed: String,
    outcome: String,
    left_on: Option<Date>,
    basis: String,
    debts: String,
    to_class_id: Option<i64>,
    to_name: Option<String>,
    placed: i64,
}

impl TryFrom<LineRow> for Line {
    type Error = StoreError;
    fn try_from(r: LineRow) -> Result<Line> {
        let code = |c: &str| Outcome::from_code(c).map_err(|e| StoreError::Corrupt(e.to_string()));
        Ok(Line {
            id: r.id,
            order: PromotionOrderId::new(r.order_id),
            student: PersonId::new(r.student_id),
            student_name: match r.middle_name.filter(|m| !m.is_empty()) {
                Some(m) => format!("{} {} {m}", r.last_name, r.first_name),
                None => format!("{} {}", r.last_name, r.first_name),
            },
            from_class: GroupId::new(r.from_class_id),
            from_class_name: r.from_name,
            proposed: code(&r.proposed)?,
            outcome: code(&r.outcome)?,
            left_on: r.left_on,
            basis: r.basis,
            debts: serde_json::from_str(&r.debts)
                .map_err(|e| StoreError::Corrupt(format!("line debts: {e}")))?,
            to_class: r.to_class_id.map(GroupId::new),
            to_class_name: r.to_name,
            placed: r.placed != 0,
        })
    }
}

macro_rules! line_sql {
    ($tail:literal) => {
        concat!(
            "SELECT l.id, l.order_id, l.student_id, p.last_name, p.first_name, p.middle_name, l.from_class_id, ",
            "f.name AS from_name, l.proposed, l.outcome, l.left_on, l.basis, l.debts, l.to_class_id, ",
            "t.name AS to_name, l.placed FROM promotion_lines l JOIN persons p ON p.id = l.student_id ",
            "JOIN study_groups f ON f.id = l.from_class_id LEFT JOIN study_groups t ON t.id = l.to_class_id ",
            $tail
        )
    };
}

/// A line to add.
#[derive(Debug, Clone)]
pub struct NewLine<'a> {
    pub order: PromotionOrderId,
    pub school: SchoolId,
    pub student: PersonId,
    pub from_class: GroupId,
    pub proposed: Outcome,
    pub outcome: Outcome,
    pub left_on: Option<Date>,
    pub basis: &'a str,
    pub debts: &'a [LineDebt],
}

/// Adds a pupil's line.
pub async fn insert_line(conn: &mut Conn<'_>, l: &NewLine<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO promotion_lines (order_id, school_id, student_id, from_class_id, proposed, \
         outcome, left_on, basis, debts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    let debts =
        serde_json::to_string(l.debts).map_err(|e| StoreError::Corrupt(format!("debts: {e}")))?;
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        l.order.get(),
        l.school.get(),
        l.student.get(),
        l.from_class.get(),
        l.proposed.code(),
        l.outcome.code(),
        l.left_on,
        l.basis,
        debts
    )?)
}

/// An order's lines, by class and the pupils' order.
pub async fn lines(conn: &mut Conn<'_>, order: PromotionOrderId) -> Result<Vec<Line>> {
    const SQL: &str = line_sql!("WHERE l.order_id = $1 ORDER BY f.sort_key, p.sort_key, l.id");
    fetch_all!(conn, LineRow, SQL, order.get())?
        .into_iter()
        .map(Line::try_from)
        .collect()
}

/// Sets a line's outcome (with its leaving date and basis).
pub async fn set_line(
    conn: &mut Conn<'_>,
    id: i64,
    outcome: Outcome,
    left_on: Option<Date>,
    basis: &str,
) -> Result<()> {
    const SQL: &str =
        "UPDATE promotion_lines SET outcome = $2, left_on = $3, basis = $4 WHERE id = $1";
    execute!(conn, SQL, id, outcome.code(), left_on, basis)?;
    Ok(())
}

/// Records where an issued line places the pupil, whether the membership exists yet, and
/// (when given) the open debts as they stood.
pub async fn set_placement(
    conn: &mut Conn<'_>,
    id: i64,
    to_class: Option<GroupId>,
    placed: bool,
    debts: Option<&[LineDebt]>,
) -> Result<()> {
    const SQL: &str = "UPDATE promotion_lines SET to_class_id = $2, placed = $3, debts = COALESCE($4, debts) \
         WHERE id = $1";
    let debts = debts
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("debts: {e}")))?;
    execute!(
        conn,
        SQL,
        id,
        to_class.map(GroupId::get),
        i64::from(placed),
        debts
    )?;
    Ok(())
}

/// Lines of issued orders waiting to place their pupils into a (draft) year's classes.
pub async fn unplaced_into(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<Line>> {
    const SQL: &str = line_sql!(
        "JOIN promotion_orders o ON o.id = l.order_id WHERE o.state = 'issued' AND l.placed = 0 \
         AND t.academic_year_id = $1 ORDER BY l.id"
    );
    fetch_all!(conn, LineRow, SQL, year.get())?
        .into_iter()
        .map(Line::try_from)
        .collect()
}

/// The pupil's line in an issued order of the year that no issued order amends: what stands.
pub async fn standing_line(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    student: PersonId,
) -> Result<Option<Line>> {
    const SQL: &str = line_sql!(
        "JOIN promotion_orders o ON o.id = l.order_id WHERE o.academic_year_id = $1 AND l.student_id = $2 \
         AND o.state = 'issued' ORDER BY o.id DESC LIMIT 1"
    );
    fetch_optional!(conn, LineRow, SQL, year.get(), student.get())?
        .map(Line::try_from)
        .transpose()
}

/// Removes a pupil's place in a class that begins on `starts_on` (an amended order's).
pub async fn remove_placement(
    conn: &mut Conn<'_>,
    student: PersonId,
    class: GroupId,
    starts_on: Date,
) -> Result<u64> {
    const SQL: &str =
        "DELETE FROM memberships WHERE student_id = $1 AND group_id = $2 AND starts_on = $3";
    Ok(execute!(conn, SQL, student.get(), class.get(), starts_on)?)
}

/// Clears a pupil's leaving (an amended order recorded it).
pub async fn clear_leaving(conn: &mut Conn<'_>, student: PersonId) -> Result<()> {
    const SQL: &str = "UPDATE students SET left_on = NULL, left_to = NULL, leaving_order_number = NULL, \
         leaving_order_date = NULL WHERE person_id = $1";
    execute!(conn, SQL, student.get())?;
    Ok(())
}

/// The memberships of a class (and its subgroups) a leaving ended on `left_on` run to
/// `year_end` again.
pub async fn reopen_class(
    conn: &mut Conn<'_>,
    student: PersonId,
    class: GroupId,
    left_on: Date,
    year_end: Date,
) -> Result<u64> {
    const SQL: &str = "UPDATE memberships SET ends_on = $4 WHERE student_id = $1 AND ends_on = $3 \
         AND (group_id = $2 OR group_id IN (SELECT id FROM study_groups WHERE parent_group_id = $2))";
    Ok(execute!(
        conn,
        SQL,
        student.get(),
        class.get(),
        left_on,
        year_end
    )?)
}
