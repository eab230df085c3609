//! The import's one pass: each list in order, each line matched with what the school holds,
//! then created, updated or left; in a preview nothing is written and new things get
//! placeholder (negative) ids so that later lists can name them.

use crate::AppError;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use tabel_domain::calendar::{SchoolYear, WeekLength, WeeklyHours};
use tabel_domain::federal;
use tabel_domain::school::{GroupKind, PeriodKind, Relation};
use tabel_domain::setup::values::{StaffRef, name_key};
use tabel_domain::setup::{
    At, ChildRef, PlanTarget, Problems, SetupError, SetupFile, SheetKind, Target,
};
use tabel_domain::text::{ClassName, PersonName, sort_key};
use tabel_domain::*;
use tabel_store::Conn;
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school::{self as repo, NewGroup, NewPerson};
use tabel_store::setup::{self as facts, PersonFacts};
use tabel_store::timetable as tt;
use time::{Date, Duration, OffsetDateTime};

/// Who imports, where, when.
pub(super) struct Context {
    pub school: SchoolId,
    pub today: Date,
    pub now: OffsetDateTime,
    pub actor: Option<UserId>,
    pub origin: String,
}

/// What an import did (or, in a preview, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Whether it was written.
    pub applied: bool,
    /// The academic year the lists go into, e.g. "2026/2027".
    pub year: String,
    /// Whether the year is created (from the federal calendar).
    pub creates_year: bool,
    /// The first day the changes take effect (memberships, load, timetable).
    pub effective_from: Option<String>,
    /// Per list: created, updated, unchanged.
    pub lists: Vec<ListCount>,
    /// Each line created or updated.
    pub changes: Vec<PlannedChange>,
    /// Problems: with any, nothing is written.
    pub errors: Vec<SetupError>,
    /// Problems not listed (after the first 500).
    pub more_errors: usize,
    /// Lessons generated from the timetable (when applied).
    pub lessons: u64,
}

impl ImportReport {
    /// Whether applying it writes nothing.
    pub fn is_unchanged(&self) -> bool {
        !self.creates_year && self.changes.is_empty()
    }
}

/// One list's tally.
#[derive(Debug, Clone, Serialize)]
pub struct ListCount {
    pub list: SheetKind,
    pub sheet: &'static str,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// A line that creates or updates something.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedChange {
    pub sheet: &'static str,
    pub row: usize,
    /// "create" or "update".
    pub action: &'static str,
    /// What: «Петров Артём Сергеевич, 5А».
    pub what: String,
    /// For an update: what changes («класс 5А → 5Б»).
    pub detail: String,
}

/// A line that creates or updates something, for the report and the audit.
struct Change {
    kind: SheetKind,
    row: usize,
    created: bool,
    what: String,
    detail: String,
    id: i64,
    after: serde_json::Value,
}

struct Staffer {
    id: i64,
    name: PersonName,
}

struct ClassState {
    id: i64,
    grade: u8,
    shift: u8,
}

/// A group other than a class, as the school holds it (or this file makes it).
struct GroupState {
    id: i64,
    name: String,
    kind: GroupKind,
    grade: u8,
    shift: u8,
    /// The class of a subgroup or individual curriculum.
    class: Option<i64>,
    /// The classes a stream draws from.
    classes: Vec<i64>,
    subject: Option<i64>,
}

impl GroupState {
    /// Whether a pupil of `class` may be in it.
    fn admits(&self, class: i64) -> bool {
        match self.kind {
            GroupKind::Stream => self.classes.contains(&class),
            _ => self.class == Some(class),
        }
    }
}

struct Pupil {
    id: i64,
    key: String,
    birth: Option<Date>,
    number: Option<String>,
    /// Siblings share it: surname and patronymic without their endings ([`family`]).
    family: String,
}

/// What siblings' names share: the surname without a feminine `-а` and the patronymic without
/// `-вич`/`-вна` (`Петров Артём Сергеевич` and `Петрова Дарья Сергеевна` give `петров|сергее`).
/// A parent named alike for two children is one person only when the children share it: two
/// mothers of the same name in one school are rare, and merging them would hand one of them
/// the other's child.
pub(crate) fn family(name: &PersonName) -> String {
    let last = sort_key(name.last.as_str());
    let last = match last.strip_suffix('а') {
        Some(stem) if stem.chars().count() >= 3 => stem.to_owned(),
        _ => last,
    };
    let middle = name
        .middle
        .as_ref()
        .map(|m| sort_key(m.as_str()))
        .unwrap_or_default();
    let middle = ["вич", "вна", "ич", "на", "оглы", "кызы"]
        .iter()
        .find_map(|end| middle.strip_suffix(end))
        .map_or(middle.clone(), str::to_owned);
    format!("{last}|{middle}")
}

pub(super) struct Run<'a, 'c> {
    conn: &'a mut Conn<'c>,
    writing: bool,
    cx: &'a Context,
    fake: i64,
    year: AcademicYearId,
    year_start: Date,
    year_end: Date,
    on: Date,
    report: ImportReport,
    problems: Problems,
    counts: HashMap<SheetKind, (usize, usize, usize)>,
    subjects: HashMap<String, i64>,
    /// Subjects retired on the structure page: kept, but refused for new lines.
    retired: std::collections::HashSet<i64>,
    next_order: i64,
    staff: Vec<Staffer>,
    classes: HashMap<String, ClassState>,
    /// By the name folded ([`sort_key`]).
    groups: HashMap<String, GroupState>,
    parallels: HashMap<u8, u8>,
    pupils: Vec<Pupil>,
}

fn err(
    sheet: SheetKind,
    row: usize,
    column: Option<&str>,
    message: impl Into<String>,
) -> SetupError {
    SetupError {
        sheet: sheet.title().to_owned(),
        row,
        column: column.map(str::to_owned),
        message: message.into(),
    }
}

fn name_of(p: &PersonFacts) -> Option<PersonName> {
    tabel_domain::setup::values::person_name(
        &p.last_name,
        &p.first_name,
        p.middle_name.as_deref().unwrap_or(""),
    )
    .ok()
}

/// Hours a year of a curriculum line: 33 weeks in grade 1, 34 in the others.
pub(crate) fn yearly(grade: u8, weekly: WeeklyHours) -> u16 {
    let weeks: u32 = if grade == 1 { 33 } else { 34 };
    u16::try_from(u32::from(weekly.tenths()) * weeks / 10).unwrap_or(u16::MAX)
}

/// Runs the import over `file`; `apply` inside the apply's transaction, which the caller commits
/// only when the report has no problem.
pub(super) async fn run(
    conn: &mut Conn<'_>,
    apply: bool,
    cx: &Context,
    file: &SetupFile,
    problems: Problems,
) -> Result<ImportReport, AppError> {
    let writing = apply && problems.is_empty();
    let school_year = SchoolYear::containing(cx.today);
    let existing = repo::academic_year_on(conn, cx.school, cx.today)
        .await?
        .filter(|y| {
            y.starts_on.year() == school_year.start_year() || y.starts_on >= school_year.first_day()
        });
    let mut report = ImportReport {
        year: format!(
            "{}/{}",
            school_year.start_year(),
            school_year.start_year() + 1
        ),
        ..ImportReport::default()
    };
    let cal = federal::plan(school_year).map_err(|e| AppError::Internal(e.to_string()))?;
    let (year, year_start, year_end) = match &existing {
        Some(y) => (y.id, y.starts_on, y.ends_on),
        None => {
            report.creates_year = true;
            let id = if writing {
                create_year(conn, cx, &cal).await?
            } else {
                AcademicYearId::new(-1)
            };
            (id, cal.starts_on, cal.ends_on)
        }
    };
    let on = cx.today.max(year_start);
    report.effective_from = Some(on.to_string());
    let mut run = Run {
        conn,
        writing,
        cx,
        fake: -1,
        year,
        year_start,
        year_end,
        on,
        report,
        problems,
        counts: HashMap::new(),
        subjects: HashMap::new(),
        retired: std::collections::HashSet::new(),
        next_order: 10,
        staff: Vec::new(),
        classes: HashMap::new(),
        groups: HashMap::new(),
        parallels: HashMap::new(),
        pupils: Vec::new(),
    };
    run.load().await?;
    run.subjects(file).await?;
    run.staff(file).await?;
    run.classes(file).await?;
    run.groups(file).await?;
    run.pupils(file).await?;
    run.parents(file).await?;
    run.curriculum(file).await?;
    run.assignments(file).await?;
    run.timetable(file).await?;
    let Run {
        mut report,
        problems,
        counts,
        writing,
        ..
    } = run;
    report.lists = file
        .sheets
        .iter()
        .map(|k| {
            let (created, updated, unchanged) = counts.get(k).copied().unwrap_or_default();
            ListCount {
                list: *k,
                sheet: k.title(),
                created,
                updated,
                unchanged,
            }
        })
        .collect();
    report.errors = problems.list;
    report.more_errors = problems.more;
    report.applied = writing && report.errors.is_empty();
    Ok(report)
}

async fn create_year(
    conn: &mut Conn<'_>,
    cx: &Context,
    cal: &federal::CalendarPlan,
) -> Result<AcademicYearId, AppError> {
    let id = repo::insert_academic_year(
        conn,
        cx.school,
        cal.year.start_year(),
        cal.starts_on,
        cal.ends_on,
    )
    .await?;
    for (n, (starts, ends)) in (1u8..).zip(cal.quarters.iter()) {
        repo::insert_period(conn, cx.school, id, PeriodKind::Quarter, n, *starts, *ends).await?;
    }
    for (n, (starts, ends)) in (1u8..).zip(cal.half_years.iter()) {
        repo::insert_period(conn, cx.school, id, PeriodKind::HalfYear, n, *starts, *ends).await?;
    }
    for d in &cal.days_off {
        let h = repo::Holiday {
            id: HolidayId::new(0),
            kind: d.kind,
            name: d.name.clone(),
            starts_on: d.starts_on,
            ends_on: d.ends_on,
            only_grade: d.only_grade,
        };
        repo::insert_holiday(conn, cx.school, id, &h).await?;
    }
    let regular = federal::regular_bells();
    let short = federal::short_bells();
    // The second shift starts five and a half hours later (14:00).
    let later = |slots: &[tabel_domain::timetable::BellSlot]| {
        slots
            .iter()
            .map(|s| tabel_domain::timetable::BellSlot {
                number: s.number,
                starts: s.starts + 330,
                ends: s.ends + 330,
            })
            .collect::<Vec<_>>()
    };
    tt::replace_bell_slots(conn, cx.school, id, 1, tt::REGULAR, &regular).await?;
    tt::replace_bell_slots(conn, cx.school, id, 1, tt::SHORT, &short).await?;
    tt::replace_bell_slots(conn, cx.school, id, 2, tt::REGULAR, &later(&regular)).await?;
    tt::replace_bell_slots(conn, cx.school, id, 2, tt::SHORT, &later(&short)).await?;
    audit::append(
        conn,
        &AuditEntry {
            chain: cx.school.get(),
            at: cx.now,
            actor: cx.actor.map(UserId::get),
            action: "year.import",
            entity: "year",
            entity_id: id.get().to_string(),
            before: None,
            after: Some(serde_json::json!({
                "start_year": cal.year.start_year(),
                "starts_on": cal.starts_on.to_string(),
                "ends_on": cal.ends_on.to_string(),
                "calendar": "federal",
            })),
            reason: None,
            origin: Some(&cx.origin),
        },
    )
    .await?;
    Ok(id)
}

impl Run<'_, '_> {
    fn new_id(&mut self) -> i64 {
        self.fake -= 1;
        self.fake
    }

    fn tally(&mut self, kind: SheetKind, slot: usize) {
        let c = self.counts.entry(kind).or_default();
        match slot {
            0 => c.0 += 1,
            1 => c.1 += 1,
            _ => c.2 += 1,
        }
    }

    fn unchanged(&mut self, kind: SheetKind) {
        self.tally(kind, 2);
    }

    async fn changed(&mut self, c: Change) -> Result<(), AppError> {
        let Change {
            kind,
            row,
            created,
            what,
            detail,
            id: entity_id,
            after,
        } = c;
        self.tally(kind, usize::from(!created));
        if self.writing {
            let action = format!("{}.import", kind.code());
            audit::append(
                self.conn,
                &AuditEntry {
                    chain: self.cx.school.get(),
                    at: self.cx.now,
                    actor: self.cx.actor.map(UserId::get),
                    action: &action,
                    entity: kind.code(),
                    entity_id: entity_id.to_string(),
                    before: None,
                    after: Some(after),
                    reason: Some(if created { "created" } else { "updated" }),
                    origin: Some(&self.cx.origin),
                },
            )
            .await?;
        }
        self.report.changes.push(PlannedChange {
            sheet: kind.title(),
            row,
            action: if created { "create" } else { "update" },
            what,
            detail,
        });
        Ok(())
    }

    fn problem(&mut self, e: SetupError) {
        self.problems.push(e);
        // Once a line has a problem nothing is written: the rest is only checked.
        self.writing = false;
    }

    async fn load(&mut self) -> Result<(), AppError> {
        for s in facts::subjects(self.conn, self.cx.school).await? {
            self.next_order = self.next_order.max(s.sort_order + 10);
            self.subjects.insert(sort_key(&s.name), s.id);
        }
        self.retired = tabel_store::structure::retired_subjects(self.conn, self.cx.school)
            .await?
            .into_iter()
            .map(SubjectId::get)
            .collect();
        for s in facts::staff(self.conn, self.cx.school).await? {
            if let Some(name) = name_of(&s.person) {
                self.staff.push(Staffer {
                    id: s.person.id,
                    name,
                });
            }
        }
        if self.year.get() > 0 {
            for p in repo::list_parallels(self.conn, self.year).await? {
                self.parallels.insert(p.grade, p.week_days);
            }
            for c in facts::classes(self.conn, self.year, self.on).await? {
                self.classes.insert(
                    c.name.clone(),
                    ClassState {
                        id: c.id,
                        grade: u8::try_from(c.grade).unwrap_or(0),
                        shift: u8::try_from(c.shift).unwrap_or(1),
                    },
                );
            }
            let mut streams: HashMap<i64, Vec<i64>> = HashMap::new();
            for (stream, class) in facts::stream_classes(self.conn, self.year).await? {
                streams.entry(stream).or_default().push(class);
            }
            for g in facts::groups(self.conn, self.year).await? {
                let Ok(kind) = GroupKind::from_code(&g.kind) else {
                    continue;
                };
                self.groups.insert(
                    sort_key(&g.name),
                    GroupState {
                        id: g.id,
                        kind,
                        grade: u8::try_from(g.grade).unwrap_or(0),
                        shift: u8::try_from(g.shift).unwrap_or(1),
                        class: g.parent_group_id,
                        classes: streams.remove(&g.id).unwrap_or_default(),
                        subject: g.subject_id,
                        name: g.name,
                    },
                );
            }
        }
        Ok(())
    }

    fn find_staff(&self, r: &StaffRef) -> Result<i64, String> {
        let found: Vec<&Staffer> = self.staff.iter().filter(|s| r.names(&s.name)).collect();
        match found.as_slice() {
            [one] => Ok(one.id),
            [] => Err(format!(
                "no staff member «{}»: add them to the sheet «Сотрудники»",
                r.as_str()
            )),
            _ => Err(format!(
                "«{}» names {} staff members: write the full name",
                r.as_str(),
                found.len()
            )),
        }
    }

    fn find_class(&self, name: &ClassName) -> Result<&ClassState, String> {
        self.classes
            .get(&name.to_string())
            .ok_or_else(|| format!("no class {name} in this year: add it to the sheet «Классы»"))
    }

    fn find_group(&self, name: &str) -> Result<&GroupState, String> {
        self.groups
            .get(&sort_key(name))
            .ok_or_else(|| format!("no group «{name}» in this year: add it to the sheet «Группы»"))
    }

    /// A class or a group a line names: its id, grade and shift.
    fn find_target(&self, t: &Target) -> Result<(i64, u8, u8), String> {
        match t {
            Target::Class(c) => self.find_class(c).map(|c| (c.id, c.grade, c.shift)),
            Target::Group(g) => self
                .find_group(g.as_str())
                .map(|g| (g.id, g.grade, g.shift)),
        }
    }

    /// Refuses a new line (curriculum, assignment, timetable) of a retired subject; existing
    /// lines stay as they are.
    fn refuse_retired(&mut self, kind: SheetKind, row: usize, subject: i64, name: &str) -> bool {
        if !self.retired.contains(&subject) {
            return false;
        }
        self.problem(err(
            kind,
            row,
            Some("Предмет"),
            format!("the subject «{name}» is retired: bring it back on the structure page first"),
        ));
        true
    }

    fn find_subject(&self, name: &str) -> Result<i64, String> {
        self.subjects
            .get(&sort_key(name))
            .copied()
            .ok_or_else(|| format!("no subject «{name}»: add it to the sheet «Предметы»"))
    }

    async fn subjects(&mut self, file: &SetupFile) -> Result<(), AppError> {
        let existing: HashMap<i64, String> = facts::subjects(self.conn, self.cx.school)
            .await?
            .into_iter()
            .map(|s| (s.id, s.short_name))
            .collect();
        for At { row, value: s } in &file.subjects {
            let short = if s.short_name.is_empty() {
                s.name.as_str().to_owned()
            } else {
                s.short_name.clone()
            };
            match self.subjects.get(&sort_key(s.name.as_str())).copied() {
                Some(id) => {
                    if s.short_name.is_empty() || existing.get(&id) == Some(&short) {
                        self.unchanged(SheetKind::Subjects);
                        continue;
                    }
                    if self.writing {
                        facts::set_subject_short_name(self.conn, SubjectId::new(id), &short)
                            .await?;
                    }
                    let before = existing.get(&id).cloned().unwrap_or_default();
                    self.changed(Change {
                        kind: SheetKind::Subjects,
                        row: *row,
                        created: false,
                        what: s.name.to_string(),
                        detail: format!("сокращение {before} → {short}"),
                        id,
                        after: serde_json::json!({"name": s.name.as_str(), "short_name": short}),
                    })
                    .await?;
                }
                None => {
                    let id = if self.writing {
                        repo::insert_subject(
                            self.conn,
                            self.cx.school,
                            s.name.as_str(),
                            &short,
                            self.next_order,
                        )
                        .await?
                        .get()
                    } else {
                        self.new_id()
                    };
                    self.next_order += 10;
                    self.subjects.insert(sort_key(s.name.as_str()), id);
                    self.changed(Change {
                        kind: SheetKind::Subjects,
                        row: *row,
                        created: true,
                        what: s.name.to_string(),
                        detail: String::new(),
                        id,
                        after: serde_json::json!({"name": s.name.as_str(), "short_name": short}),
                    })
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn staff(&mut self, file: &SetupFile) -> Result<(), AppError> {
        let existing: HashMap<i64, facts::StaffFacts> = facts::staff(self.conn, self.cx.school)
            .await?
            .into_iter()
            .map(|s| (s.person.id, s))
            .collect();
        for At { row, value: s } in &file.staff {
            let roles: Vec<&str> = s.roles.iter().map(|r| r.code()).collect();
            let roles = roles.join(",");
            let key = s.name.sort_key();
            let same: Vec<i64> = self
                .staff
                .iter()
                .filter(|x| x.name.sort_key() == key)
                .map(|x| x.id)
                .filter(|id| {
                    s.birth_date.is_none()
                        || existing.get(id).and_then(|e| e.person.birth_date).is_none()
                        || existing.get(id).and_then(|e| e.person.birth_date) == s.birth_date
                })
                .collect();
            let after = serde_json::json!({
                "name": s.name.full(), "position": s.position.as_str(), "roles": roles,
            });
            match same.as_slice() {
                [id] => {
                    let id = *id;
                    let Some(e) = existing.get(&id) else {
                        // Created by an earlier line of this file: a duplicate the reader let by.
                        self.unchanged(SheetKind::Staff);
                        continue;
                    };
                    let mut detail = Vec::new();
                    if e.position != s.position.as_str() {
                        detail.push(format!("должность {} → {}", e.position, s.position));
                    }
                    if e.roles != roles {
                        detail.push(format!("роли {} → {roles}", e.roles));
                    }
                    let sex_differs = e.person.sex != s.sex.code();
                    let birth_differs =
                        s.birth_date.is_some() && e.person.birth_date != s.birth_date;
                    if sex_differs || birth_differs {
                        detail.push("пол или дата рождения".into());
                    }
                    if detail.is_empty() {
                        self.unchanged(SheetKind::Staff);
                        continue;
                    }
                    if self.writing {
                        let pid = PersonId::new(id);
                        facts::set_staff_facts(self.conn, pid, s.position.as_str(), &roles).await?;
                        if sex_differs || birth_differs {
                            facts::update_person(
                                self.conn,
                                pid,
                                &s.name,
                                s.sex,
                                s.birth_date.or(e.person.birth_date),
                            )
                            .await?;
                        }
                    }
                    self.changed(Change {
                        kind: SheetKind::Staff,
                        row: *row,
                        created: false,
                        what: s.name.full(),
                        detail: detail.join("; "),
                        id,
                        after,
                    })
                    .await?;
                }
                [] => {
                    let id = if self.writing {
                        let pid = repo::insert_person(
                            self.conn,
                            &NewPerson {
                                school: self.cx.school,
                                name: &s.name,
                                sex: s.sex,
                                birth_date: s.birth_date,
                            },
                        )
                        .await?;
                        repo::insert_staff(self.conn, pid, self.cx.school, s.position.as_str())
                            .await?;
                        facts::set_staff_facts(self.conn, pid, s.position.as_str(), &roles).await?;
                        pid.get()
                    } else {
                        self.new_id()
                    };
                    self.staff.push(Staffer {
                        id,
                        name: s.name.clone(),
                    });
                    self.changed(Change {
                        kind: SheetKind::Staff,
                        row: *row,
                        created: true,
                        what: s.name.full(),
                        detail: String::new(),
                        id,
                        after,
                    })
                    .await?;
                }
                more => self.problem(err(
                    SheetKind::Staff,
                    *row,
                    None,
                    format!(
                        "{} staff members are named {}: add the birth date to tell them apart",
                        more.len(),
                        s.name.full()
                    ),
                )),
            }
        }
        Ok(())
    }

    async fn ensure_parallel(
        &mut self,
        grade: u8,
        week: Option<WeekLength>,
    ) -> Result<(), AppError> {
        if self.parallels.contains_key(&grade) {
            return Ok(());
        }
        let week = week.unwrap_or(if grade >= 10 {
            WeekLength::SIX
        } else {
            WeekLength::FIVE
        });
        let kind = if grade >= 10 {
            PeriodKind::HalfYear
        } else {
            PeriodKind::Quarter
        };
        if self.writing {
            repo::insert_parallel(self.conn, self.cx.school, self.year, grade, week, kind).await?;
        }
        self.parallels.insert(grade, week.days());
        Ok(())
    }

    async fn classes(&mut self, file: &SetupFile) -> Result<(), AppError> {
        let existing: HashMap<i64, facts::ClassFacts> = if self.year.get() > 0 {
            facts::classes(self.conn, self.year, self.on)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect()
        } else {
            HashMap::new()
        };
        for At { row, value: c } in &file.classes {
            let teacher = match &c.class_teacher {
                Some(r) => match self.find_staff(r) {
                    Ok(id) => Some(id),
                    Err(m) => {
                        self.problem(err(
                            SheetKind::Classes,
                            *row,
                            Some("Классный руководитель"),
                            m,
                        ));
                        continue;
                    }
                },
                None => None,
            };
            if let (Some(w), Some(days)) = (c.week, self.parallels.get(&c.name.grade()))
                && w.days() != *days
            {
                self.problem(err(
                    SheetKind::Classes,
                    *row,
                    Some("Дней в неделе"),
                    format!(
                        "grade {} studies {days} days a week; a class of it cannot have {}",
                        c.name.grade(),
                        w.days()
                    ),
                ));
                continue;
            }
            self.ensure_parallel(c.name.grade(), c.week).await?;
            let name = c.name.to_string();
            let after =
                serde_json::json!({"name": name, "shift": c.shift, "class_teacher": teacher});
            match self.classes.get(&name).map(|s| (s.id, s.shift)) {
                Some((id, shift)) => {
                    let e = existing.get(&id);
                    let current_teacher = e.and_then(|e| e.class_teacher);
                    let mut detail = Vec::new();
                    if shift != c.shift {
                        detail.push(format!("смена {shift} → {}", c.shift));
                    }
                    let teacher_changes = c.class_teacher.is_some() && current_teacher != teacher;
                    if teacher_changes {
                        detail.push("классный руководитель".into());
                    }
                    if detail.is_empty() {
                        self.unchanged(SheetKind::Classes);
                        continue;
                    }
                    if self.writing {
                        if shift != c.shift {
                            tt::set_group_shift(self.conn, GroupId::new(id), c.shift).await?;
                        }
                        if teacher_changes {
                            if let Some(row_id) = e.and_then(|e| e.class_teacher_row) {
                                facts::end_class_teacher(
                                    self.conn,
                                    row_id,
                                    self.on - Duration::days(1),
                                )
                                .await?;
                            }
                            if let Some(t) = teacher {
                                repo::insert_class_teacher(
                                    self.conn,
                                    self.cx.school,
                                    GroupId::new(id),
                                    PersonId::new(t),
                                    self.on,
                                )
                                .await?;
                            }
                        }
                    }
                    if let Some(s) = self.classes.get_mut(&name) {
                        s.shift = c.shift;
                    }
                    self.changed(Change {
                        kind: SheetKind::Classes,
                        row: *row,
                        created: false,
                        what: name,
                        detail: detail.join("; "),
                        id,
                        after,
                    })
                    .await?;
                }
                None => {
                    let id = if self.writing {
                        let gid = repo::insert_group(
                            self.conn,
                            &NewGroup {
                                school: self.cx.school,
                                year: self.year,
                                kind: GroupKind::Class,
                                name: &name,
                                grade: c.name.grade(),
                                parent: None,
                                subject: None,
                            },
                        )
                        .await?;
                        if c.shift != 1 {
                            tt::set_group_shift(self.conn, gid, c.shift).await?;
                        }
                        if let Some(t) = teacher {
                            repo::insert_class_teacher(
                                self.conn,
                                self.cx.school,
                                gid,
                                PersonId::new(t),
                                self.year_start.max(self.on.min(self.cx.today)),
                            )
                            .await?;
                        }
                        gid.get()
                    } else {
                        self.new_id()
                    };
                    self.classes.insert(
                        name.clone(),
                        ClassState {
                            id,
                            grade: c.name.grade(),
                            shift: c.shift,
                        },
                    );
                    self.changed(Change {
                        kind: SheetKind::Classes,
                        row: *row,
                        created: true,
                        what: name,
                        detail: String::new(),
                        id,
                        after,
                    })
                    .await?;
                }
            }
        }
        Ok(())
    }
}

mod groups;
mod people;
pub(crate) use people::relation_word;
mod teaching;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::family;
    use tabel_domain::setup::values::full_name;

    #[test]
    fn siblings_share_a_family_and_namesakes_do_not() {
        let f = |n: &str| family(&full_name(n).unwrap());
        assert_eq!(f("Петров Артём Сергеевич"), f("Петрова Дарья Сергеевна"));
        // Irregular patronymics fall to the safe side: two persons rather than one.
        assert_ne!(f("Ёлкин Иван Ильич"), f("Ёлкина Анна Ильинична"));
        assert_ne!(f("Петров Артём Сергеевич"), f("Петрова Дарья Олеговна"));
        assert_ne!(f("Петров Артём Сергеевич"), f("Сидорова Дарья Сергеевна"));
    }
}
