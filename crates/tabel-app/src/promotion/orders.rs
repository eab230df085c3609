//! Promotion orders (переводной приказ): drafted from the year's debts, edited, issued, amended.

use super::{audit_promotion, may_promote};
use crate::{App, AppError, Client, FieldErrors};
use serde::Serialize;
use tabel_domain::access::Principal;
use tabel_domain::calendar::SchoolYear;
use tabel_domain::debts::DebtState;
use tabel_domain::promotion::{Outcome, carried_name, propose};
use tabel_domain::school::{AcademicYear, GroupKind};
use tabel_domain::{AcademicYearId, GroupId, PersonId, PromotionOrderId, SchoolId};
use tabel_store::debts as debts_repo;
use tabel_store::people as people_repo;
use tabel_store::promotion::{self as repo, Line, LineDebt, NewLine, NewOrder, Order, YearClass};
use tabel_store::school as school_repo;
use tabel_store::structure as structure_repo;
use tabel_store::{Conn, outbox};
use time::Date;

/// The longest order number and leaving basis.
const MAX_NUMBER_CHARS: usize = 40;
const MAX_BASIS_CHARS: usize = 300;

/// What an order covers: a class, or a parallel (a grade) of a year (the current one by
/// default).
#[derive(Debug, Clone)]
pub enum OrderScope {
    Class(GroupId),
    Parallel {
        grade: u8,
        year: Option<AcademicYearId>,
    },
}

/// A pupil's outcome as the deputy head sets it.
#[derive(Debug, Clone)]
pub struct LineEdit {
    pub student: PersonId,
    pub outcome: Outcome,
    /// The last day, for a leaving.
    pub left_on: Option<Date>,
    /// Where to and on which basis, for a leaving (optional otherwise).
    pub basis: String,
}

/// An edit of a draft order: its number and date, and the outcomes that change.
#[derive(Debug, Clone)]
pub struct OrderEdit {
    /// The version read.
    pub version: i64,
    pub number: String,
    pub date: Option<Date>,
    pub lines: Vec<LineEdit>,
}

/// An order with its lines and what the caller may do with it.
#[derive(Debug, Clone, Serialize)]
pub struct OrderView {
    pub order: Order,
    /// The year it ends.
    pub year: AcademicYear,
    /// The year its pupils go on into, if it exists yet.
    pub next_year: Option<AcademicYear>,
    /// Whether the next year is still a draft.
    pub next_year_draft: bool,
    pub lines: Vec<Line>,
    /// A draft: its outcomes, number and date may change and it may be issued.
    pub may_edit: bool,
    /// Issued and not yet amended: a correcting order may be started.
    pub may_amend: bool,
}

fn order_json(o: &Order, lines: &[Line]) -> serde_json::Value {
    serde_json::json!({
        "grade": o.grade, "class_id": o.class.map(|c| c.to_string()), "number": o.number,
        "order_date": o.order_date.map(|d| d.to_string()), "state": o.state,
        "amends": o.amends.map(|a| a.to_string()),
        "lines": lines.iter().map(|l| serde_json::json!({
            "student_id": l.student.to_string(), "from_class_id": l.from_class.to_string(),
            "outcome": l.outcome.code(), "proposed": l.proposed.code(),
            "left_on": l.left_on.map(|d| d.to_string()), "basis": l.basis,
            "to_class_id": l.to_class.map(|c| c.to_string()), "debts": l.debts.len(),
        })).collect::<Vec<_>>(),
    })
}

async fn open_debts(c: &mut Conn<'_>, student: PersonId) -> Result<Vec<LineDebt>, AppError> {
    Ok(debts_repo::debts_of_student(c, student)
        .await?
        .into_iter()
        .filter(|d| d.state == DebtState::Open)
        .map(|d| LineDebt {
            subject: d.subject_name,
            deadline: d.deadline,
        })
        .collect())
}

/// The school's year that starts the calendar year after `year`, if any.
async fn year_after(
    c: &mut Conn<'_>,
    school: SchoolId,
    year: &AcademicYear,
) -> Result<Option<AcademicYear>, AppError> {
    let next = SchoolYear::containing(year.starts_on).start_year() + 1;
    Ok(structure_repo::academic_years(c, school)
        .await?
        .into_iter()
        .find(|y| SchoolYear::containing(y.starts_on).start_year() == next))
}

/// The next year's class a pupil of `from` goes on into with the outcome: the class carried
/// from it (or named as it would be), else the first class of the grade.
fn target_class(
    outcome: Outcome,
    from: &YearClass,
    next: &[YearClass],
) -> Result<Option<GroupId>, String> {
    let Some(grade) = outcome.next_grade(from.grade) else {
        return Ok(None);
    };
    let same_name = |name: &str| next.iter().find(|k| k.name == name).map(|k| k.id);
    let found = match outcome {
        Outcome::Repeat => same_name(&from.name),
        _ => next
            .iter()
            .find(|k| k.carried_from == Some(from.id))
            .map(|k| k.id)
            .or_else(|| carried_name(&from.name).and_then(|n| same_name(&n.to_string()))),
    }
    .or_else(|| next.iter().find(|k| k.grade == grade).map(|k| k.id));
    found
        .map(Some)
        .ok_or_else(|| format!("the next year has no class of grade {grade}: add one first"))
}

impl App {
    async fn order_in_school(
        &self,
        c: &mut Conn<'_>,
        school: SchoolId,
        id: PromotionOrderId,
    ) -> Result<Order, AppError> {
        match repo::order(c, id).await? {
            Some(o) if o.school == school => Ok(o),
            _ => Err(AppError::NotFound),
        }
    }

    /// The school's promotion orders, newest first.
    pub async fn promotion_orders(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<Vec<Order>, AppError> {
        may_promote(p, school)?;
        let mut pooled = self.db.acquire().await?;
        Ok(repo::orders_of_school(&mut pooled.conn(), school).await?)
    }

    /// Starts a draft order for a class or a parallel: a line for each pupil in it at the
    /// year's end who has no issued order yet, with the outcome proposed from the open debts.
    /// Audited as `promotion_order.create`.
    pub async fn start_promotion_order(
        &self,
        p: &Principal,
        school: SchoolId,
        scope: &OrderScope,
        client: &Client,
    ) -> Result<PromotionOrderId, AppError> {
        may_promote(p, school)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let (year, grade, class) = match scope {
            OrderScope::Class(id) => {
                let g = school_repo::get_group(c, *id, self.today())
                    .await?
                    .filter(|g| g.school == school && g.kind == GroupKind::Class)
                    .ok_or_else(|| AppError::invalid("class_id", "no such class in this school"))?;
                let year = structure_repo::academic_year(c, g.year)
                    .await?
                    .ok_or(AppError::NotFound)?;
                (year, g.grade, Some(g.id))
            }
            OrderScope::Parallel { grade, year } => {
                if !(1..=11).contains(grade) {
                    return Err(AppError::invalid("grade", "a grade from 1 to 11"));
                }
                let year = crate::structure::year_of_school(c, school, *year, self.today()).await?;
                (year, *grade, None)
            }
        };
        let classes: Vec<YearClass> = repo::classes_of_year(c, year.id)
            .await?
            .into_iter()
            .filter(|k| class.map_or(k.grade == grade, |id| k.id == id))
            .collect();
        if classes.is_empty() {
            return Err(AppError::invalid(
                "grade",
                format!("the year {} has no class of grade {grade}", year.label),
            ));
        }
        let id = repo::insert_order(
            c,
            &NewOrder {
                school,
                year: year.id,
                grade,
                class,
                amends: None,
                by: p.user,
                at: now,
            },
        )
        .await?;
        let mut count = 0;
        for k in &classes {
            for pupil in school_repo::group_members(c, k.id, year.ends_on).await? {
                if repo::standing_line(c, year.id, pupil.id).await?.is_some() {
                    continue;
                }
                let debts = open_debts(c, pupil.id).await?;
                let proposed = propose(k.grade, debts.len());
                repo::insert_line(
                    c,
                    &NewLine {
                        order: id,
                        school,
                        student: pupil.id,
                        from_class: k.id,
                        proposed,
                        outcome: proposed,
                        left_on: None,
                        basis: "",
                        debts: &debts,
                    },
                )
                .await?;
                count += 1;
            }
        }
        if count == 0 {
            return Err(AppError::Conflict(
                "every pupil there is in an issued order already: amend that order".into(),
            ));
        }
        let order = repo::order(c, id).await?.ok_or(AppError::NotFound)?;
        let lines = repo::lines(c, id).await?;
        audit_promotion(
            c,
            school,
            (now, p, client),
            ("promotion_order.create", id.to_string()),
            (None, order_json(&order, &lines)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An order with its lines (a draft's debts as they stand today).
    pub async fn promotion_order(
        &self,
        p: &Principal,
        school: SchoolId,
        id: PromotionOrderId,
    ) -> Result<OrderView, AppError> {
        may_promote(p, school)?;
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let order = self.order_in_school(c, school, id).await?;
        let year = structure_repo::academic_year(c, order.year)
            .await?
            .ok_or(AppError::NotFound)?;
        let next_year = year_after(c, school, &year).await?;
        let next_year_draft = match &next_year {
            Some(y) => repo::year_draft(c, y.id).await?.is_some_and(|d| d.draft),
            None => false,
        };
        let mut lines = repo::lines(c, id).await?;
        let draft = order.state == "draft";
        if draft {
            for l in &mut lines {
                l.debts = open_debts(c, l.student).await?;
            }
        }
        Ok(OrderView {
            may_edit: draft,
            may_amend: !draft && order.amended_by.is_none(),
            order,
            year,
            next_year,
            next_year_draft,
            lines,
        })
    }

    /// Changes a draft order's number, date and outcomes (each checked against the pupil's
    /// grade and open debts); an issued order: 409, a stale version: 409. Audited as
    /// `promotion_order.update`.
    pub async fn edit_promotion_order(
        &self,
        p: &Principal,
        school: SchoolId,
        id: PromotionOrderId,
        edit: &OrderEdit,
        client: &Client,
    ) -> Result<i64, AppError> {
        may_promote(p, school)?;
        let mut errors = FieldErrors::new();
        let number = edit.number.trim();
        if number.chars().count() > MAX_NUMBER_CHARS {
            errors.insert(
                "number".into(),
                format!("at most {MAX_NUMBER_CHARS} characters"),
            );
        }
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let order = self.order_in_school(c, school, id).await?;
        if order.state != "draft" {
            return Err(AppError::Conflict(
                "the order is issued: it cannot change; start an amending order".into(),
            ));
        }
        if order.version != edit.version {
            return Err(AppError::Stale {
                detail: "the order was changed by someone else".into(),
                current: Some(serde_json::json!({ "version": order.version })),
            });
        }
        let year = structure_repo::academic_year(c, order.year)
            .await?
            .ok_or(AppError::NotFound)?;
        let before = repo::lines(c, id).await?;
        for (i, e) in edit.lines.iter().enumerate() {
            let field = format!("lines[{i}]");
            let Some(line) = before.iter().find(|l| l.student == e.student) else {
                errors.insert(field, "this pupil is not in the order".into());
                continue;
            };
            let grade = repo::classes_of_year(c, year.id)
                .await?
                .into_iter()
                .find(|k| k.id == line.from_class)
                .map_or(order.grade, |k| k.grade);
            let debts = open_debts(c, e.student).await?.len();
            if let Err(err) = e.outcome.check(grade, debts) {
                errors.insert(field, err.to_string());
                continue;
            }
            let basis = e.basis.trim();
            if basis.chars().count() > MAX_BASIS_CHARS {
                errors.insert(field, format!("at most {MAX_BASIS_CHARS} characters"));
                continue;
            }
            let left_on = match (e.outcome, e.left_on) {
                (Outcome::Left, Some(d)) if !basis.is_empty() => {
                    if d < year.starts_on || d > year.ends_on {
                        errors.insert(
                            field,
                            format!("the last day must fall within the year {}", year.label),
                        );
                        continue;
                    }
                    Some(d)
                }
                (Outcome::Left, _) => {
                    errors.insert(field, "a leaving needs its last day and its basis".into());
                    continue;
                }
                _ => None,
            };
            repo::set_line(c, line.id, e.outcome, left_on, basis).await?;
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        if !repo::set_order_heading(c, id, edit.version, number, edit.date).await? {
            return Err(AppError::Stale {
                detail: "the order was changed by someone else".into(),
                current: None,
            });
        }
        let after = repo::order(c, id).await?.ok_or(AppError::NotFound)?;
        let after_lines = repo::lines(c, id).await?;
        audit_promotion(
            c,
            school,
            (self.now(), p, client),
            ("promotion_order.update", id.to_string()),
            (
                Some(order_json(&order, &before)),
                order_json(&after, &after_lines),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after.version)
    }

    /// Issues (signs) a draft order: it needs its number and date; every outcome is checked
    /// again. The pupils' memberships end at the year's end (a leaving's on its last day),
    /// graduations and leavings are recorded on the pupils, and those who stay are placed into
    /// the next year's classes — at once, or when a draft year is confirmed. An amending order
    /// first undoes what the order it corrects did to its pupils. The order is then immutable
    /// (409). Audited as `promotion_order.issue`, announced as `promotion.issued`.
    pub async fn issue_promotion_order(
        &self,
        p: &Principal,
        school: SchoolId,
        id: PromotionOrderId,
        version: i64,
        client: &Client,
    ) -> Result<(), AppError> {
        may_promote(p, school)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let order = self.order_in_school(c, school, id).await?;
        if order.state != "draft" {
            return Err(AppError::Conflict(
                "the order is issued already: it cannot change; start an amending order".into(),
            ));
        }
        if order.version != version {
            return Err(AppError::Stale {
                detail: "the order was changed by someone else".into(),
                current: Some(serde_json::json!({ "version": order.version })),
            });
        }
        let mut errors = FieldErrors::new();
        if order.number.trim().is_empty() {
            errors.insert("number".into(), "the order's number is needed".into());
        }
        let Some(order_date) = order.order_date else {
            errors.insert("order_date".into(), "the order's date is needed".into());
            return Err(AppError::Invalid(errors));
        };
        if order_date > self.today() {
            errors.insert("order_date".into(), "must not be in the future".into());
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let year = structure_repo::academic_year(c, order.year)
            .await?
            .ok_or(AppError::NotFound)?;
        let classes = repo::classes_of_year(c, year.id).await?;
        let next = year_after(c, school, &year).await?;
        let (next_classes, next_draft) = match &next {
            Some(y) => (
                repo::classes_of_year(c, y.id).await?,
                repo::year_draft(c, y.id).await?.is_some_and(|d| d.draft),
            ),
            None => (Vec::new(), false),
        };
        let lines = repo::lines(c, id).await?;
        for (i, line) in lines.iter().enumerate() {
            let field = format!("lines[{i}]");
            let from = classes
                .iter()
                .find(|k| k.id == line.from_class)
                .ok_or(AppError::NotFound)?;
            let debts = open_debts(c, line.student).await?;
            if let Err(e) = line.outcome.check(from.grade, debts.len()) {
                errors.insert(field, format!("{}: {e}", line.student_name));
                continue;
            }
            let standing = repo::standing_line(c, year.id, line.student).await?;
            match (&standing, order.amends) {
                (Some(s), Some(amended)) if s.order == amended => {}
                (Some(s), _) => {
                    errors.insert(
                        field,
                        format!(
                            "{} is in an issued order already (№ {}): amend that order",
                            line.student_name,
                            repo::order(c, s.order)
                                .await?
                                .map(|o| o.number)
                                .unwrap_or_default()
                        ),
                    );
                    continue;
                }
                (None, _) => {}
            }
            if line.outcome.stays() && next.is_none() {
                errors.insert(
                    field,
                    format!(
                        "{} stays at school: build the next year first",
                        line.student_name
                    ),
                );
                continue;
            }
            let target = match target_class(line.outcome, from, &next_classes) {
                Ok(t) => t,
                Err(e) => {
                    errors.insert(field, e);
                    continue;
                }
            };
            if let Some(s) = &standing {
                undo_line(c, s, &year, next.as_ref()).await?;
            }
            let last_day = match line.outcome {
                Outcome::Left => line.left_on.unwrap_or(year.ends_on),
                _ => year.ends_on,
            };
            people_repo::end_memberships(c, line.student, last_day).await?;
            match line.outcome {
                Outcome::Graduated | Outcome::Left => {
                    let to = if line.basis.trim().is_empty() {
                        format!("окончил(а) {} класс", from.grade)
                    } else {
                        line.basis.clone()
                    };
                    people_repo::set_leaving(
                        c,
                        line.student,
                        &people_repo::Leaving {
                            last_day,
                            to: &to,
                            order_number: &order.number,
                            order_date,
                        },
                    )
                    .await?;
                }
                _ => {}
            }
            let placed = match (target, &next) {
                (Some(class), Some(y)) if !next_draft => {
                    school_repo::insert_membership(
                        c,
                        school,
                        class,
                        line.student,
                        y.starts_on,
                        None,
                    )
                    .await?;
                    true
                }
                _ => false,
            };
            repo::set_placement(c, line.id, target, placed, Some(&debts)).await?;
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        if !repo::issue_order(c, id, version, p.user, now).await? {
            return Err(AppError::Stale {
                detail: "the order was changed by someone else".into(),
                current: None,
            });
        }
        let after = repo::order(c, id).await?.ok_or(AppError::NotFound)?;
        let after_lines = repo::lines(c, id).await?;
        let json = order_json(&after, &after_lines);
        audit_promotion(
            c,
            school,
            (now, p, client),
            ("promotion_order.issue", id.to_string()),
            (Some(order_json(&order, &lines)), json.clone()),
        )
        .await?;
        outbox::emit(c, Some(school), "promotion.issued", &json, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts a draft order that amends an issued one (not one amended already): the same
    /// pupils with the outcomes it gave, to edit and issue. Audited as
    /// `promotion_order.amend`.
    pub async fn amend_promotion_order(
        &self,
        p: &Principal,
        school: SchoolId,
        id: PromotionOrderId,
        client: &Client,
    ) -> Result<PromotionOrderId, AppError> {
        may_promote(p, school)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let order = self.order_in_school(c, school, id).await?;
        if order.state != "issued" {
            return Err(AppError::Conflict(
                "only an issued order is amended; a draft is edited".into(),
            ));
        }
        if order.amended_by.is_some() {
            return Err(AppError::Conflict(
                "the order is amended already: amend the amending order".into(),
            ));
        }
        if let Some(pending) = repo::orders_of_school(c, school)
            .await?
            .into_iter()
            .find(|o| o.amends == Some(id))
        {
            return Err(AppError::Conflict(format!(
                "an amending order is drafted already ({}): edit or delete it",
                pending.id
            )));
        }
        let new = repo::insert_order(
            c,
            &NewOrder {
                school,
                year: order.year,
                grade: order.grade,
                class: order.class,
                amends: Some(id),
                by: p.user,
                at: now,
            },
        )
        .await?;
        for l in repo::lines(c, id).await? {
            repo::insert_line(
                c,
                &NewLine {
                    order: new,
                    school,
                    student: l.student,
                    from_class: l.from_class,
                    proposed: l.outcome,
                    outcome: l.outcome,
                    left_on: l.left_on,
                    basis: &l.basis,
                    debts: &l.debts,
                },
            )
            .await?;
        }
        audit_promotion(
            c,
            school,
            (now, p, client),
            ("promotion_order.amend", new.to_string()),
            (None, serde_json::json!({ "amends": id.to_string() })),
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    /// Removes a draft order (an issued one: 409). Audited as `promotion_order.delete`.
    pub async fn delete_promotion_order(
        &self,
        p: &Principal,
        school: SchoolId,
        id: PromotionOrderId,
        client: &Client,
    ) -> Result<(), AppError> {
        may_promote(p, school)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let order = self.order_in_school(c, school, id).await?;
        let lines = repo::lines(c, id).await?;
        if !repo::delete_draft(c, id).await? {
            return Err(AppError::Conflict(
                "the order is issued: it stays; start an amending order".into(),
            ));
        }
        audit_promotion(
            c,
            school,
            (self.now(), p, client),
            ("promotion_order.delete", id.to_string()),
            (Some(order_json(&order, &lines)), serde_json::json!(null)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Undoes what an issued line did to its pupil (an amending order is being issued): the
/// place in the next year's class goes, a leaving or graduation it recorded is cleared, and the
/// pupil's memberships in the old class run to the year's end again.
async fn undo_line(
    c: &mut Conn<'_>,
    line: &Line,
    year: &AcademicYear,
    next: Option<&AcademicYear>,
) -> Result<(), AppError> {
    if let (Some(class), Some(y)) = (line.to_class, next) {
        repo::remove_placement(c, line.student, class, y.starts_on).await?;
    }
    if matches!(line.outcome, Outcome::Graduated | Outcome::Left) {
        repo::clear_leaving(c, line.student).await?;
    }
    if let Some(left_on) = line.left_on.filter(|_| line.outcome == Outcome::Left) {
        repo::reopen_class(c, line.student, line.from_class, left_on, year.ends_on).await?;
    }
    Ok(())
}

fn outcome_heading(o: Outcome, grade: u8) -> String {
    match o {
        Outcome::Promoted => format!("Перевести в {} класс", grade + 1),
        Outcome::Conditional => format!(
            "Перевести в {} класс условно, с академической задолженностью (ликвидировать в установленные сроки)",
            grade + 1
        ),
        Outcome::Repeat => format!("Оставить на повторное обучение в {grade} классе"),
        Outcome::Graduated => {
            format!("Считать окончившими {grade} класс, отчислить в связи с получением образования")
        }
        Outcome::Continues => format!(
            "Считать окончившими {grade} класс, зачислить в {} класс",
            grade + 1
        ),
        Outcome::Left => "Отчислить (выбытие)".to_owned(),
    }
}

impl App {
    /// An order as a PDF (its file name without the extension, the bytes).
    pub async fn promotion_order_pdf(
        &self,
        p: &Principal,
        school: SchoolId,
        id: PromotionOrderId,
    ) -> Result<(String, Vec<u8>), AppError> {
        use tabel_present::date;
        use tabel_reports::docs::{
            PromotionOrderDoc, PromotionPupil, PromotionSection, SchoolHeader, Signer,
        };
        let v = self.promotion_order(p, school, id).await?;
        let (header, director, amends) = {
            let mut pooled = self.db.acquire().await?;
            let c = &mut pooled.conn();
            let s = crate::extracts::school_of(c, school).await?;
            let card = structure_repo::school_card(c, school).await?;
            let amends = match v.order.amends {
                Some(a) => repo::order(c, a).await?.map(|o| {
                    format!(
                        "от {} № {}",
                        o.order_date.map(date).unwrap_or_default(),
                        o.number
                    )
                }),
                None => None,
            };
            (
                SchoolHeader {
                    name: s.name,
                    municipality: s.municipality,
                    region: s.region,
                },
                card.and_then(|c| c.director).unwrap_or_default(),
                amends.unwrap_or_default(),
            )
        };
        let mut sections: Vec<PromotionSection> = Vec::new();
        for outcome in Outcome::ALL {
            let pupils: Vec<PromotionPupil> = v
                .lines
                .iter()
                .filter(|l| l.outcome == *outcome)
                .map(|l| PromotionPupil {
                    name: l.student_name.clone(),
                    classes: match &l.to_class_name {
                        Some(to) => format!("{} → {to}", l.from_class_name),
                        None => l.from_class_name.clone(),
                    },
                    detail: match outcome {
                        Outcome::Left => {
                            format!("с {}; {}", l.left_on.map(date).unwrap_or_default(), l.basis)
                        }
                        _ => l
                            .debts
                            .iter()
                            .map(|d| format!("{} до {}", d.subject, date(d.deadline)))
                            .collect::<Vec<_>>()
                            .join("; "),
                    },
                })
                .collect();
            if !pupils.is_empty() {
                sections.push(PromotionSection {
                    heading: outcome_heading(*outcome, v.order.grade),
                    pupils,
                });
            }
        }
        let title = match &v.order.class_name {
            Some(c) => format!("О переводе обучающихся {c} класса"),
            None => format!("О переводе обучающихся {} классов", v.order.grade),
        };
        let doc = PromotionOrderDoc {
            school: header,
            number: v.order.number.clone(),
            date: v.order.order_date.map(date).unwrap_or_default(),
            title,
            year: v.year.label.clone(),
            next_year: v
                .next_year
                .as_ref()
                .map(|y| y.label.clone())
                .unwrap_or_default(),
            amends,
            sections,
            signer: Signer {
                title: "Директор".into(),
                name: director,
            },
        };
        let name = format!(
            "prikaz-{}",
            crate::documents::file_safe(if v.order.number.is_empty() {
                "proekt"
            } else {
                &v.order.number
            })
        );
        let pdf = self.typeset(move |r| r.promotion_order(&doc)).await?;
        Ok((name, pdf))
    }
}
