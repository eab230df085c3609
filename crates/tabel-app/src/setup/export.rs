//! A school's lists in the import's own format: what it holds today, as the workbook the import
//! reads back. Download, edit, import again. The demo imports its own school's export twice: as
//! a preview against itself (it must change nothing) and applied to a new school in a scratch
//! database, whose export must hold the same rows ([`first_difference`]).
//! Groups other than classes (subgroups, streams, individual curricula) have their own sheet,
//! their pupils are named on the pupils' sheet, and their load, curriculum and timetable lines
//! name them in the column «Класс».

use crate::{App, AppError, check};
use std::collections::HashMap;
use tabel_domain::SchoolId;
use tabel_domain::access::Principal;
use tabel_domain::calendar::WeeklyHours;
use tabel_domain::setup::{self, Col, SheetKind};
use tabel_reports::workbook;
use tabel_store::school as school_repo;
use tabel_store::setup::{self as facts, PersonFacts};
use time::Date;

fn full(p: &PersonFacts) -> String {
    match &p.middle_name {
        Some(m) => format!("{} {} {}", p.last_name, p.first_name, m),
        None => format!("{} {}", p.last_name, p.first_name),
    }
}

fn date(d: Option<Date>) -> String {
    d.map(tabel_present::date).unwrap_or_default()
}

fn sex(code: &str) -> String {
    if code == "f" { "ж" } else { "м" }.to_owned()
}

fn hours(tenths: Option<i64>) -> String {
    tenths
        .and_then(|t| u16::try_from(t).ok())
        .map(|t| WeeklyHours::from_tenths(t).to_string())
        .unwrap_or_default()
}

fn role_words(codes: &str) -> String {
    codes
        .split(',')
        .map(|c| match c.trim() {
            "admin" => "администратор",
            "deputy" => "завуч",
            _ => "учитель",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn relation_word(code: &str) -> String {
    tabel_domain::school::Relation::from_code(code)
        .map(super::import::relation_word)
        .unwrap_or("законный представитель")
        .to_owned()
}

/// A sheet with the template's headings for `cols`, in that order.
fn sheet(
    kind: SheetKind,
    cols: &[Col],
    rows: Vec<Vec<String>>,
    on: Date,
) -> tabel_reports::xlsx::Sheet {
    tabel_reports::xlsx::Sheet {
        name: kind.title().to_owned(),
        title: kind.title().to_owned(),
        subtitle: format!("Выгрузка на {}", tabel_present::date(on)),
        headers: cols.iter().map(|c| c.heading().to_owned()).collect(),
        widths: cols.iter().map(|_| 18.0).collect(),
        rows,
    }
}

impl App {
    /// The school's lists as of today, as a workbook the import reads back (administrators).
    pub async fn export_school(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<Vec<u8>, AppError> {
        check(p.may_administer(school))?;
        self.system_export_school(school).await
    }

    /// [`App::export_school`] for the operator and the demo.
    pub async fn system_export_school(&self, school: SchoolId) -> Result<Vec<u8>, AppError> {
        let on = self.today();
        let mut c = self.db.acquire().await?;
        let conn = &mut c.conn();
        let year = school_repo::academic_year_on(conn, school, on)
            .await?
            .ok_or(AppError::NotFound)?;
        let on = on.max(year.starts_on).min(year.ends_on);
        let subjects = facts::subjects(conn, school).await?;
        let staff = facts::staff(conn, school).await?;
        let classes = facts::classes(conn, year.id, on).await?;
        let groups = facts::groups(conn, year.id).await?;
        let streams = facts::stream_classes(conn, year.id).await?;
        let members = facts::group_members(conn, year.id, on).await?;
        let pupils = facts::pupils(conn, school, year.id, on).await?;
        let parents = facts::parents(conn, school).await?;
        let contacts = facts::contacts(conn, school).await?;
        let plan = facts::plan(conn, year.id).await?;
        let load = facts::assignments(conn, year.id, on).await?;
        let slots = facts::slots(conn, year.id, on, on).await?;
        drop(c);

        let subject: HashMap<i64, &str> =
            subjects.iter().map(|s| (s.id, s.name.as_str())).collect();
        let staff_name: HashMap<i64, String> = staff
            .iter()
            .map(|s| (s.person.id, full(&s.person)))
            .collect();
        let class: HashMap<i64, &str> = classes.iter().map(|c| (c.id, c.name.as_str())).collect();
        // What a line of the load, the curriculum or the timetable names: a class or a group.
        let target: HashMap<i64, &str> = class
            .iter()
            .map(|(id, name)| (*id, *name))
            .chain(groups.iter().map(|g| (g.id, g.name.as_str())))
            .collect();
        let mut groups_of: HashMap<i64, Vec<&str>> = HashMap::new();
        for m in &members {
            if let Some(name) = target.get(&m.group_id) {
                groups_of.entry(m.student_id).or_default().push(name);
            }
        }
        for names in groups_of.values_mut() {
            names.sort_by_key(|n| tabel_domain::text::sort_key(n));
        }
        let pupil: HashMap<i64, &facts::PupilFacts> =
            pupils.iter().map(|p| (p.person.id, p)).collect();
        // A parent's phones and e-mails the school registered from a document, with the first
        // one's document: what the import reads back. Contacts a parent typed in the cabinet
        // are theirs, not the school's list.
        let mut documented: HashMap<i64, (Vec<&str>, Vec<&str>, &str)> = HashMap::new();
        for c in contacts.iter().filter(|c| c.provenance != "cabinet") {
            let entry = documented
                .entry(c.parent_id)
                .or_insert_with(|| (Vec::new(), Vec::new(), c.basis.as_str()));
            match c.kind.as_str() {
                "phone" => entry.0.push(&c.value),
                "email" => entry.1.push(&c.value),
                _ => {}
            }
        }
        use Col::*;
        let mut sheets = Vec::new();
        sheets.push(sheet(
            SheetKind::Subjects,
            &[Subject, ShortName],
            subjects
                .iter()
                .map(|s| vec![s.name.clone(), s.short_name.clone()])
                .collect(),
            on,
        ));
        sheets.push(sheet(
            SheetKind::Staff,
            &[Last, First, Middle, BirthDate, SexCol, Position, Roles],
            staff
                .iter()
                .map(|s| {
                    let p = &s.person;
                    vec![
                        p.last_name.clone(),
                        p.first_name.clone(),
                        p.middle_name.clone().unwrap_or_default(),
                        date(p.birth_date),
                        sex(&p.sex),
                        s.position.clone(),
                        role_words(&s.roles),
                    ]
                })
                .collect(),
            on,
        ));
        sheets.push(sheet(
            SheetKind::Classes,
            &[Class, Shift, ClassTeacher],
            classes
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        c.shift.to_string(),
                        c.class_teacher
                            .and_then(|t| staff_name.get(&t).cloned())
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
            on,
        ));
        sheets.push(sheet(
            SheetKind::Groups,
            &[Group, Kind, Classes, Subject],
            groups
                .iter()
                .filter_map(|g| {
                    let kind = tabel_domain::school::GroupKind::from_code(&g.kind).ok()?;
                    let of: Vec<&str> = if kind == tabel_domain::school::GroupKind::Stream {
                        let mut of: Vec<&str> = streams
                            .iter()
                            .filter(|(s, _)| *s == g.id)
                            .filter_map(|(_, c)| class.get(c).copied())
                            .collect();
                        of.sort_unstable();
                        of
                    } else {
                        vec![*class.get(&g.parent_group_id?)?]
                    };
                    Some(vec![
                        g.name.clone(),
                        tabel_domain::setup::values::group_kind_word(kind).to_owned(),
                        of.join(", "),
                        g.subject_id
                            .and_then(|s| subject.get(&s))
                            .map_or_else(String::new, |s| (*s).to_owned()),
                    ])
                })
                .collect(),
            on,
        ));
        sheets.push(sheet(
            SheetKind::Pupils,
            &[
                Last, First, Middle, BirthDate, SexCol, Class, Number, SnilsCol, Groups,
            ],
            pupils
                .iter()
                .filter_map(|p| {
                    let class = class.get(&p.class_id?)?;
                    let me = &p.person;
                    Some(vec![
                        me.last_name.clone(),
                        me.first_name.clone(),
                        me.middle_name.clone().unwrap_or_default(),
                        date(me.birth_date),
                        sex(&me.sex),
                        (*class).to_owned(),
                        p.school_number.clone().unwrap_or_default(),
                        p.snils.clone().unwrap_or_default(),
                        groups_of
                            .get(&me.id)
                            .map(|g| g.join("; "))
                            .unwrap_or_default(),
                    ])
                })
                .collect(),
            on,
        ));
        sheets.push(sheet(
            SheetKind::Parents,
            &[
                Last,
                First,
                Middle,
                BirthDate,
                SexCol,
                RelationCol,
                ChildNumber,
                Child,
                ChildBirth,
                Phone,
                EmailCol,
                Basis,
            ],
            parents
                .iter()
                .filter_map(|link| {
                    let child = pupil.get(&link.student_id)?;
                    child.class_id?;
                    let p = &link.person;
                    let (phones, emails, basis) = documented
                        .get(&p.id)
                        .filter(|(phones, emails, _)| !phones.is_empty() || !emails.is_empty())
                        .map_or((String::new(), String::new(), ""), |(p, e, b)| {
                            (p.join("; "), e.join("; "), *b)
                        });
                    Some(vec![
                        p.last_name.clone(),
                        p.first_name.clone(),
                        p.middle_name.clone().unwrap_or_default(),
                        date(p.birth_date),
                        sex(&p.sex),
                        relation_word(&link.relation),
                        child.school_number.clone().unwrap_or_default(),
                        full(&child.person),
                        date(child.person.birth_date),
                        phones,
                        emails,
                        basis.to_owned(),
                    ])
                })
                .collect(),
            on,
        ));
        sheets.push(sheet(
            SheetKind::Curriculum,
            &[Grade, Class, Subject, Hours, Part],
            plan.iter()
                .filter_map(|l| {
                    let target = match (l.grade, l.group_id) {
                        (Some(g), _) => (g.to_string(), String::new()),
                        (None, Some(g)) => (String::new(), (*target.get(&g)?).to_owned()),
                        (None, None) => return None,
                    };
                    Some(vec![
                        target.0,
                        target.1,
                        (*subject.get(&l.subject_id)?).to_owned(),
                        hours(Some(l.hours_per_week_tenths)),
                        if l.part == "chosen" {
                            "формируемая"
                        } else {
                            "обязательная"
                        }
                        .to_owned(),
                    ])
                })
                .collect(),
            on,
        ));
        sheets.push(sheet(
            SheetKind::Assignments,
            &[Teacher, Class, Subject, Hours],
            load.iter()
                .filter_map(|a| {
                    Some(vec![
                        staff_name.get(&a.teacher_id)?.clone(),
                        (*target.get(&a.group_id)?).to_owned(),
                        (*subject.get(&a.subject_id)?).to_owned(),
                        hours(a.hours_per_week_tenths),
                    ])
                })
                .collect(),
            on,
        ));
        sheets.push(sheet(
            SheetKind::Timetable,
            &[Class, Day, Lesson, Subject, Teacher, Room],
            slots
                .iter()
                .filter_map(|s| {
                    Some(vec![
                        (*target.get(&s.group_id)?).to_owned(),
                        tabel_domain::setup::values::weekday_short(
                            u8::try_from(s.weekday).unwrap_or(0),
                        )
                        .to_owned(),
                        s.number.to_string(),
                        (*subject.get(&s.subject_id)?).to_owned(),
                        staff_name.get(&s.teacher_id)?.clone(),
                        s.room.clone(),
                    ])
                })
                .collect(),
            on,
        ));
        tabel_reports::xlsx::workbook(&sheets).map_err(|e| AppError::Internal(e.to_string()))
    }
}

/// Rows above a list in an export: its title, the date, a blank row and the heading.
const HEAD_ROWS: usize = 4;

/// The first difference between two exports of a school's lists, or `None` when every sheet
/// holds the same rows (in any order: two schools number their people differently, so people
/// of the same name may come in another order). The demo checks its round trip with it.
pub fn first_difference(a: &[u8], b: &[u8]) -> Result<Option<String>, AppError> {
    let limits = workbook::Limits::table(setup::MAX_ROWS, setup::MAX_COLUMNS);
    let read = |bytes: &[u8]| {
        workbook::read_sheets(bytes, &limits).map_err(|e| AppError::Internal(e.to_string()))
    };
    let (left, right) = (read(a)?, read(b)?);
    let names = |s: &[workbook::NamedSheet]| s.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    if names(&left) != names(&right) {
        return Ok(Some(format!(
            "the sheets differ: {:?} and {:?}",
            names(&left),
            names(&right)
        )));
    }
    for (l, r) in left.into_iter().zip(right) {
        let sorted = |mut rows: Vec<Vec<String>>| {
            // The title rows and the heading stay first; the lists' rows are compared sorted.
            let mut body = rows.split_off(rows.len().min(HEAD_ROWS));
            body.sort();
            (rows, body)
        };
        let (l_head, l_rows) = sorted(l.rows);
        let (r_head, r_rows) = sorted(r.rows);
        if l_head != r_head {
            return Ok(Some(format!("«{}»: the headings differ", l.name)));
        }
        if let Some((x, y)) = l_rows.iter().zip(&r_rows).find(|(x, y)| x != y) {
            return Ok(Some(format!("«{}»: {x:?} against {y:?}", l.name)));
        }
        if l_rows.len() != r_rows.len() {
            return Ok(Some(format!(
                "«{}»: {} rows against {}",
                l.name,
                l_rows.len(),
                r_rows.len()
            )));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::first_difference;
    use tabel_reports::xlsx::{Sheet, workbook};

    fn book(rows: &[&[&str]]) -> Vec<u8> {
        workbook(&[Sheet {
            name: "Ученики".into(),
            title: "Ученики".into(),
            subtitle: "Выгрузка на 23.11.2026".into(),
            headers: vec!["ФИО".into(), "Класс".into()],
            widths: Vec::new(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
                .collect(),
        }])
        .unwrap()
    }

    #[test]
    fn exports_differ_by_their_rows_not_by_the_rows_order() {
        let a = book(&[&["Иванов Иван", "5А"], &["Петров Пётр", "5Б"]]);
        let reordered = book(&[&["Петров Пётр", "5Б"], &["Иванов Иван", "5А"]]);
        assert_eq!(first_difference(&a, &reordered).unwrap(), None);
        let moved = book(&[&["Иванов Иван", "5Б"], &["Петров Пётр", "5Б"]]);
        let d = first_difference(&a, &moved).unwrap().unwrap();
        assert!(d.contains("Ученики") && d.contains("5А"), "{d}");
        let fewer = book(&[&["Иванов Иван", "5А"]]);
        assert!(first_difference(&a, &fewer).unwrap().is_some());
        assert!(first_difference(&fewer, &a).unwrap().is_some());
    }
}
