//! A school's set-up as schools keep it: one workbook with a sheet per list (classes, groups,
//! subjects, staff, pupils, parents, curriculum, teaching load, the weekly timetable), or the
//! same lists as CSV files. This module reads the sheets' texts into typed lines, each with the row it came
//! from, and names every problem by sheet, row and column. Whether a class or a teacher a line
//! names exists is for the use case to say: it knows the school.
//!
//! A sheet is recognised by its name (Russian or English, e.g. «Ученики» or `pupils`); its
//! heading row is the first of its first [`HEADING_ROWS`] rows that holds the sheet's required
//! columns, so that a title above the table does no harm. Columns may come in any order; those
//! a sheet does not know are left alone.

pub mod values;

use crate::calendar::{WeekLength, WeeklyHours};
use crate::contact::{ContactValue, Email, Phone, Provenance, parse_basis};
use crate::school::{GroupKind, Relation, Role, Sex};
use crate::table::{self, heading_key};
use crate::text::{ClassName, PersonName, Title};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use time::Date;
use values::{CurriculumPart, Snils, StaffRef};

/// Rows a sheet may use: a large school has 3,000 pupils and twice as many parents.
pub const MAX_ROWS: u32 = 10_000;

/// Columns a sheet may use (A to AF).
pub const MAX_COLUMNS: u32 = 32;

/// Rows searched for the heading row.
pub const HEADING_ROWS: usize = 20;

/// Problems reported at most; the rest are counted.
pub const MAX_ERRORS: usize = 500;

/// The lists a set-up file holds, in the order they are applied (later ones name earlier ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetKind {
    Subjects,
    Staff,
    Classes,
    Groups,
    Pupils,
    Parents,
    Curriculum,
    Assignments,
    Timetable,
}

impl SheetKind {
    /// Every kind, in the order of application.
    pub const ALL: [SheetKind; 9] = [
        SheetKind::Subjects,
        SheetKind::Staff,
        SheetKind::Classes,
        SheetKind::Groups,
        SheetKind::Pupils,
        SheetKind::Parents,
        SheetKind::Curriculum,
        SheetKind::Assignments,
        SheetKind::Timetable,
    ];

    /// The sheet's name in the template.
    pub fn title(self) -> &'static str {
        match self {
            SheetKind::Subjects => "Предметы",
            SheetKind::Staff => "Сотрудники",
            SheetKind::Classes => "Классы",
            SheetKind::Groups => "Группы",
            SheetKind::Pupils => "Ученики",
            SheetKind::Parents => "Родители",
            SheetKind::Curriculum => "Учебный план",
            SheetKind::Assignments => "Нагрузка",
            SheetKind::Timetable => "Расписание",
        }
    }

    /// The English name (also a CSV file's name: `pupils.csv`).
    pub fn code(self) -> &'static str {
        match self {
            SheetKind::Subjects => "subjects",
            SheetKind::Staff => "staff",
            SheetKind::Classes => "classes",
            SheetKind::Groups => "groups",
            SheetKind::Pupils => "pupils",
            SheetKind::Parents => "parents",
            SheetKind::Curriculum => "curriculum",
            SheetKind::Assignments => "assignments",
            SheetKind::Timetable => "timetable",
        }
    }

    /// The kind a sheet's (or a CSV file's) name says, if any: «Ученики», `pupils`,
    /// `Учащиеся.csv`.
    pub fn from_name(name: &str) -> Option<SheetKind> {
        let stem = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let stem = stem
            .strip_suffix(".csv")
            .or_else(|| stem.strip_suffix(".CSV"))
            .unwrap_or(stem);
        let key = heading_key(stem);
        let kind = match key.as_str() {
            "предметы" | "учебные предметы" | "subjects" => {
                SheetKind::Subjects
            }
            "сотрудники" | "педагоги" | "учителя" | "персонал" | "staff" | "teachers" => {
                SheetKind::Staff
            }
            "классы" | "classes" => SheetKind::Classes,
            "группы" | "подгруппы" | "groups" => SheetKind::Groups,
            "ученики" | "учащиеся" | "обучающиеся" | "pupils" | "students" => {
                SheetKind::Pupils
            }
            "родители" | "законные представители" | "представители" | "parents" | "guardians" => {
                SheetKind::Parents
            }
            "учебный план" | "план" | "curriculum" => SheetKind::Curriculum,
            "нагрузка"
            | "распределение нагрузки"
            | "педагогическая нагрузка"
            | "assignments"
            | "load" => SheetKind::Assignments,
            "расписание" | "timetable" | "schedule" => SheetKind::Timetable,
            _ => return None,
        };
        Some(kind)
    }

    /// The columns of the sheet: heading in the template, whether required, example value.
    pub fn columns(self) -> &'static [Column] {
        match self {
            SheetKind::Subjects => columns::SUBJECTS,
            SheetKind::Staff => columns::STAFF,
            SheetKind::Classes => columns::CLASSES,
            SheetKind::Groups => columns::GROUPS,
            SheetKind::Pupils => columns::PUPILS,
            SheetKind::Parents => columns::PARENTS,
            SheetKind::Curriculum => columns::CURRICULUM,
            SheetKind::Assignments => columns::ASSIGNMENTS,
            SheetKind::Timetable => columns::TIMETABLE,
        }
    }
}

/// The columns of each list, as the template writes them.
mod columns {
    use super::Col::*;
    use super::{Col, Column};

    const fn c(col: Col, required: bool, example: &'static str) -> Column {
        Column {
            col,
            required,
            example,
        }
    }

    pub(super) const SUBJECTS: &[Column] = &[
        c(Subject, true, "Математика"),
        c(ShortName, false, "Матем."),
    ];

    pub(super) const STAFF: &[Column] = &[
        c(Last, true, "Иванова"),
        c(First, true, "Мария"),
        c(Middle, false, "Петровна"),
        c(BirthDate, false, "14.03.1985"),
        c(SexCol, false, "ж"),
        c(Position, true, "учитель математики"),
        c(Roles, false, "учитель, завуч"),
    ];

    pub(super) const CLASSES: &[Column] = &[
        c(Class, true, "5А"),
        c(Shift, false, "1"),
        c(WeekDays, false, "5"),
        c(ClassTeacher, false, "Иванова М. П."),
    ];

    pub(super) const GROUPS: &[Column] = &[
        c(Group, true, "5А мат. 1"),
        c(Kind, false, "подгруппа"),
        c(Classes, true, "5А"),
        c(Subject, false, "Математика"),
    ];

    pub(super) const PUPILS: &[Column] = &[
        c(Last, true, "Петров"),
        c(First, true, "Артём"),
        c(Middle, false, "Сергеевич"),
        c(BirthDate, true, "12.05.2015"),
        c(SexCol, false, "м"),
        c(Class, true, "5А"),
        c(Number, false, "2019-045"),
        c(SnilsCol, false, "112-233-445 95"),
        c(ArrivedOn, false, "01.09.2026"),
        c(ArrivedFrom, false, "МБОУ СОШ № 3"),
        c(Groups, false, "5А мат. 1"),
    ];

    pub(super) const PARENTS: &[Column] = &[
        c(Last, true, "Петрова"),
        c(First, true, "Елена"),
        c(Middle, false, "Викторовна"),
        c(BirthDate, false, "03.03.1988"),
        c(SexCol, false, "ж"),
        c(RelationCol, true, "мать"),
        c(ChildNumber, false, "2019-045"),
        c(Child, false, "Петров Артём Сергеевич"),
        c(ChildBirth, false, "12.05.2015"),
        c(Phone, false, "+7 912 345-67-89"),
        c(EmailCol, false, "petrova@example.ru"),
        c(Basis, false, "заявление о приёме № 45 от 20.08.2019"),
    ];

    pub(super) const CURRICULUM: &[Column] = &[
        c(Grade, false, "5"),
        c(Class, false, ""),
        c(Subject, true, "Математика"),
        c(Hours, true, "5"),
        c(Part, false, "обязательная"),
    ];

    pub(super) const ASSIGNMENTS: &[Column] = &[
        c(Teacher, true, "Иванова М. П."),
        c(Class, true, "5А"),
        c(Subject, true, "Математика"),
        c(Hours, false, "5"),
    ];

    pub(super) const TIMETABLE: &[Column] = &[
        c(Class, true, "5А"),
        c(Day, true, "Пн"),
        c(Lesson, true, "1"),
        c(Subject, true, "Математика"),
        c(Teacher, true, "Иванова М. П."),
        c(Room, false, "21"),
    ];
}

impl fmt::Display for SheetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// A column of a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub col: Col,
    pub required: bool,
    /// The template's example value.
    pub example: &'static str,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Col {
    Class,
    Shift,
    WeekDays,
    ClassTeacher,
    Subject,
    ShortName,
    Last,
    First,
    Middle,
    BirthDate,
    SexCol,
    SnilsCol,
    Number,
    ArrivedOn,
    ArrivedFrom,
    Position,
    Roles,
    RelationCol,
    Child,
    ChildNumber,
    ChildBirth,
    Grade,
    Hours,
    Part,
    Teacher,
    Day,
    Lesson,
    Room,
    Group,
    Kind,
    Classes,
    Groups,
    Phone,
    EmailCol,
    Basis,
}

impl Col {
    /// The heading in the template (Russian).
    pub fn heading(self) -> &'static str {
        self.aliases()[0]
    }

    /// The English heading.
    pub fn english(self) -> &'static str {
        self.aliases()
            .iter()
            .find(|a| a.is_ascii())
            .copied()
            .unwrap_or_else(|| self.heading())
    }

    /// The headings a file may use for it, compared as [`heading_key`] makes them.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Col::Class => &["Класс", "class"],
            Col::Shift => &["Смена", "shift"],
            Col::WeekDays => &["Дней в неделе", "учебная неделя", "days a week"],
            Col::ClassTeacher => &["Классный руководитель", "кл руководитель", "class teacher"],
            Col::Subject => &["Предмет", "учебный предмет", "subject"],
            Col::ShortName => &["Сокращение", "краткое название", "short name"],
            Col::Last => &["Фамилия", "surname", "last name"],
            Col::First => &["Имя", "first name", "given name"],
            Col::Middle => &["Отчество", "patronymic", "middle name"],
            Col::BirthDate => &["Дата рождения", "birth date", "date of birth"],
            Col::SexCol => &["Пол", "sex", "gender"],
            Col::SnilsCol => &["СНИЛС", "snils"],
            Col::Number => &[
                "Номер",
                "номер личного дела",
                "№ личного дела",
                "school number",
                "number",
            ],
            Col::ArrivedOn => &["Дата зачисления", "дата прибытия", "arrived on"],
            Col::ArrivedFrom => &["Откуда прибыл", "прибыл из", "arrived from"],
            Col::Position => &["Должность", "position"],
            Col::Roles => &["Роли", "роль", "roles", "role"],
            Col::RelationCol => &["Кем приходится", "степень родства", "relation"],
            Col::Child => &["Ученик", "ребенок", "фио ученика", "child", "pupil"],
            Col::ChildNumber => &["Номер ученика", "child number", "pupil number"],
            Col::ChildBirth => &[
                "Дата рождения ученика",
                "child birth date",
                "pupil birth date",
            ],
            Col::Grade => &["Параллель", "grade"],
            Col::Hours => &["Часов в неделю", "часы", "часов", "hours", "hours a week"],
            Col::Part => &["Часть", "part"],
            Col::Teacher => &["Учитель", "преподаватель", "педагог", "teacher"],
            Col::Day => &["День", "день недели", "day", "weekday"],
            Col::Lesson => &["Урок", "номер урока", "№ урока", "lesson"],
            Col::Room => &["Кабинет", "каб", "room"],
            Col::Group => &["Группа", "название группы", "group"],
            Col::Kind => &["Вид", "вид группы", "тип", "kind"],
            Col::Classes => &["Классы", "класс", "classes", "class"],
            Col::Groups => &["Группы", "подгруппы", "groups"],
            Col::Phone => &[
                "Телефон",
                "телефоны",
                "мобильный телефон",
                "phone",
                "phones",
            ],
            Col::EmailCol => &[
                "E-mail",
                "email",
                "эл почта",
                "электронная почта",
                "e-mail address",
            ],
            Col::Basis => &[
                "Основание",
                "основание контактов",
                "документ",
                "basis",
                "source document",
            ],
        }
    }
}

/// A problem with a set-up file: the sheet, the row (from 1 as the spreadsheet numbers it; 0 =
/// the sheet or file as a whole) and the column as the file heads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetupError {
    pub sheet: String,
    pub row: usize,
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "«{}»", self.sheet)?;
        if self.row > 0 {
            write!(f, ", row {}", self.row)?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column «{c}»")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A value with the row it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct At<T> {
    pub row: usize,
    pub value: T,
}

/// A class: its name, shift, week and class teacher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassLine {
    pub name: ClassName,
    pub shift: u8,
    pub week: Option<WeekLength>,
    pub class_teacher: Option<StaffRef>,
}

/// A group other than a class: a subgroup of a class, a stream across classes of a parallel, or
/// an individual curriculum (ИУП) of one pupil. Its pupils are named on the sheet «Ученики».
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupLine {
    pub name: Title,
    pub kind: GroupKind,
    /// The class of a subgroup or ИУП; the classes a stream draws from (one parallel).
    pub classes: Vec<ClassName>,
    pub subject: Option<Title>,
}

/// What a line of the curriculum, the load or the timetable is for: a class, or a group of the
/// sheet «Группы» by its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Target {
    Class(ClassName),
    Group(Title),
}

impl Target {
    /// Compares as schools type it: a class by its name, a group by its name folded.
    pub fn key(&self) -> String {
        match self {
            Target::Class(c) => c.to_string(),
            Target::Group(g) => crate::text::sort_key(g.as_str()),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Class(c) => write!(f, "{c}"),
            Target::Group(g) => f.write_str(g.as_str()),
        }
    }
}

/// A subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectLine {
    pub name: Title,
    /// Empty: the name.
    pub short_name: String,
}

/// A staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffLine {
    pub name: PersonName,
    pub sex: Sex,
    pub birth_date: Option<Date>,
    pub position: Title,
    /// At least one (a teacher when the sheet names none).
    pub roles: Vec<Role>,
}

/// A pupil.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PupilLine {
    pub name: PersonName,
    pub birth_date: Date,
    pub sex: Sex,
    pub class: ClassName,
    pub number: Option<String>,
    pub snils: Option<Snils>,
    pub arrived_on: Option<Date>,
    pub arrived_from: Option<String>,
    /// The groups of the sheet «Группы» the pupil belongs to; `None` when the sheet has no
    /// such column (the pupils' groups are then left as they are).
    pub groups: Option<Vec<Title>>,
}

/// How a parent's line names the child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChildRef {
    /// By the school's number.
    Number(String),
    /// By full name (as a [`values::name_key`]), and birth date when given.
    Named {
        shown: String,
        key: String,
        birth_date: Option<Date>,
    },
}

/// A parent or other legal representative of one child, and the parent's phones and e-mail
/// addresses as the school registered them from a document (the application for admission).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParentLine {
    pub name: PersonName,
    pub sex: Sex,
    /// Tells namesakes apart (two parents of one name are two persons when born apart).
    pub birth_date: Option<Date>,
    pub relation: Relation,
    pub child: ChildRef,
    #[serde(skip)]
    pub contacts: Vec<ContactValue>,
    /// The document the contacts come from (required with any contact).
    pub basis: Option<String>,
}

/// Whom a curriculum line is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum PlanTarget {
    /// A whole parallel.
    Grade(u8),
    /// One class.
    Class(ClassName),
    /// A group (a stream's or an individual curriculum's own lines).
    Group(Title),
}

/// A line of the curriculum: hours a week of a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanLine {
    pub target: PlanTarget,
    pub subject: Title,
    pub hours: WeeklyHours,
    pub part: CurriculumPart,
}

/// A teaching assignment (нагрузка): a teacher teaches a subject in a class or a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssignmentLine {
    pub teacher: StaffRef,
    pub class: Target,
    pub subject: Title,
    pub hours: Option<WeeklyHours>,
}

/// A lesson of the weekly timetable as schools type it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotLine {
    /// A class, or a group (a subgroup's, a stream's lesson).
    pub class: Target,
    /// 1 (Monday) to 6.
    pub weekday: u8,
    pub number: u8,
    pub subject: Title,
    pub teacher: StaffRef,
    pub room: String,
}

/// Everything a set-up file holds, read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SetupFile {
    /// The sheets found, in the order of application.
    pub sheets: Vec<SheetKind>,
    pub subjects: Vec<At<SubjectLine>>,
    pub staff: Vec<At<StaffLine>>,
    pub classes: Vec<At<ClassLine>>,
    pub groups: Vec<At<GroupLine>>,
    pub pupils: Vec<At<PupilLine>>,
    pub parents: Vec<At<ParentLine>>,
    pub curriculum: Vec<At<PlanLine>>,
    pub assignments: Vec<At<AssignmentLine>>,
    pub timetable: Vec<At<SlotLine>>,
}

/// Collects problems up to [`MAX_ERRORS`], counting the rest.
#[derive(Debug, Default)]
pub struct Problems {
    pub list: Vec<SetupError>,
    pub more: usize,
}

impl Problems {
    /// Records a problem.
    pub fn push(&mut self, e: SetupError) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(e);
        } else {
            self.more += 1;
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Where each known column of a sheet stands, and the headings as the file writes them.
struct Layout {
    at: HashMap<Col, (usize, String)>,
    heading_row: usize,
}

fn find_layout(kind: SheetKind, rows: &[Vec<String>]) -> Option<Layout> {
    for (i, row) in rows.iter().take(HEADING_ROWS).enumerate() {
        let mut at = HashMap::new();
        for (j, cell) in row.iter().enumerate() {
            let key = heading_key(cell);
            if key.is_empty() {
                continue;
            }
            for c in kind.columns() {
                if c.col.aliases().iter().any(|a| heading_key(a) == key) {
                    at.entry(c.col).or_insert((j, cell.trim().to_owned()));
                }
            }
        }
        let full_name = at.contains_key(&Col::Last) || has_full_name(row);
        let ok = kind.columns().iter().filter(|c| c.required).all(|c| {
            at.contains_key(&c.col) || (matches!(c.col, Col::Last | Col::First) && full_name)
        });
        if ok && !at.is_empty() {
            if !at.contains_key(&Col::Last)
                && let Some(j) = row.iter().position(|c| is_full_name_heading(c))
            {
                at.insert(Col::Last, (j, row[j].trim().to_owned()));
            }
            return Some(Layout { at, heading_row: i });
        }
    }
    None
}

fn is_full_name_heading(cell: &str) -> bool {
    matches!(
        heading_key(cell).as_str(),
        "фио" | "ф и о" | "full name" | "name"
    )
}

fn has_full_name(row: &[String]) -> bool {
    row.iter().any(|c| is_full_name_heading(c))
}

/// One row's cells by column.
struct RowCells<'a> {
    kind: SheetKind,
    layout: &'a Layout,
    cells: &'a [String],
    row: usize,
}

impl RowCells<'_> {
    fn get(&self, c: Col) -> &str {
        self.layout
            .at
            .get(&c)
            .and_then(|(j, _)| self.cells.get(*j))
            .map_or("", |s| s.trim())
    }

    fn error(&self, c: Option<Col>, message: impl Into<String>) -> SetupError {
        SetupError {
            sheet: self.kind.title().to_owned(),
            row: self.row,
            column: c.map(|c| {
                self.layout
                    .at
                    .get(&c)
                    .map_or_else(|| c.heading().to_owned(), |(_, h)| h.clone())
            }),
            message: message.into(),
        }
    }

    /// A required cell's value parsed, or the problem.
    fn need<T>(
        &self,
        c: Col,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, SetupError> {
        let raw = self.get(c);
        if raw.is_empty() {
            return Err(self.error(Some(c), "must not be empty"));
        }
        parse(raw).map_err(|m| self.error(Some(c), m))
    }

    /// An optional cell's value parsed (None when empty), or the problem.
    fn maybe<T>(
        &self,
        c: Col,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, SetupError> {
        let raw = self.get(c);
        if raw.is_empty() {
            return Ok(None);
        }
        parse(raw).map(Some).map_err(|m| self.error(Some(c), m))
    }

    /// The person's name: three columns, or one «ФИО» column (standing where Last is).
    fn name(&self) -> Result<PersonName, SetupError> {
        let one_cell = self
            .layout
            .at
            .get(&Col::Last)
            .is_some_and(|(_, h)| is_full_name_heading(h));
        if one_cell {
            return self.need(Col::Last, values::full_name);
        }
        let last = self.get(Col::Last);
        let first = self.get(Col::First);
        if last.is_empty() {
            return Err(self.error(Some(Col::Last), "must not be empty"));
        }
        if first.is_empty() {
            return Err(self.error(Some(Col::First), "must not be empty"));
        }
        values::person_name(last, first, self.get(Col::Middle))
            .map_err(|m| self.error(Some(Col::Last), m))
    }

    /// Sex from its column, else from the patronymic.
    fn sex(&self, name: &PersonName) -> Result<Sex, SetupError> {
        if let Some(s) = self.maybe(Col::SexCol, values::sex)? {
            return Ok(s);
        }
        name.middle
            .as_ref()
            .and_then(|m| values::sex_of_patronymic(m.as_str()))
            .ok_or_else(|| {
                self.error(
                    Some(Col::SexCol),
                    "must say м or ж (the patronymic does not tell)",
                )
            })
    }
}

fn title(raw: &str) -> Result<Title, String> {
    Title::parse(raw).map_err(|e| e.to_string())
}

fn class(raw: &str) -> Result<ClassName, String> {
    ClassName::parse(raw).map_err(|e| format!("«{raw}»: {e}"))
}

/// A class («5А») or a group's name («5А англ. 1»). What looks like a class (a grade and one
/// character) must be one: «5A» with a Latin A is an error, not a group.
fn target(raw: &str) -> Result<Target, String> {
    let squeezed: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let digits = squeezed.chars().take_while(char::is_ascii_digit).count();
    let looks_like_class = digits > 0 && squeezed.chars().count() == digits + 1;
    if looks_like_class {
        return class(raw).map(Target::Class);
    }
    Title::parse(raw)
        .map(Target::Group)
        .map_err(|e| format!("«{raw}»: {e}"))
}

/// Names in one cell, separated by `;` (or line breaks): at most 20, each once.
fn name_list<T: PartialEq>(
    raw: &str,
    separators: &[char],
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for part in raw.split(|c| separators.contains(&c) || c == '\n') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let v = parse(part)?;
        if !out.contains(&v) {
            out.push(v);
        }
        if out.len() > 20 {
            return Err("names more than 20".into());
        }
    }
    Ok(out)
}

fn free_text(max: usize) -> impl Fn(&str) -> Result<String, String> {
    move |raw| {
        if raw.chars().count() > max {
            Err(format!("must be at most {max} characters"))
        } else if raw.chars().any(char::is_control) {
            Err("must not contain control characters".into())
        } else {
            Ok(raw.split_whitespace().collect::<Vec<_>>().join(" "))
        }
    }
}

fn parse_line(r: &RowCells<'_>, file: &mut SetupFile, today: Date) -> Result<(), SetupError> {
    let row = r.row;
    match r.kind {
        SheetKind::Subjects => {
            let name = r.need(Col::Subject, title)?;
            let short_name = r.maybe(Col::ShortName, free_text(40))?.unwrap_or_default();
            file.subjects.push(At {
                row,
                value: SubjectLine { name, short_name },
            });
        }
        SheetKind::Staff => {
            let name = r.name()?;
            let sex = r.sex(&name)?;
            let birth_date = r.maybe(Col::BirthDate, |s| values::birth_date(s, today))?;
            let position = r.need(Col::Position, title)?;
            let mut roles = r.maybe(Col::Roles, values::roles)?.unwrap_or_default();
            if roles.is_empty() {
                roles.push(Role::Teacher);
            }
            file.staff.push(At {
                row,
                value: StaffLine {
                    name,
                    sex,
                    birth_date,
                    position,
                    roles,
                },
            });
        }
        SheetKind::Classes => {
            let name = r.need(Col::Class, class)?;
            let shift =
                values::shift(r.get(Col::Shift)).map_err(|m| r.error(Some(Col::Shift), m))?;
            let week = r.maybe(Col::WeekDays, |s| {
                let n = s
                    .trim()
                    .trim_end_matches(".0")
                    .parse::<u8>()
                    .map_err(|_| "write 5 or 6".to_owned())?;
                WeekLength::try_from(n).map_err(|e| e.to_string())
            })?;
            let class_teacher = r.maybe(Col::ClassTeacher, StaffRef::parse)?;
            file.classes.push(At {
                row,
                value: ClassLine {
                    name,
                    shift,
                    week,
                    class_teacher,
                },
            });
        }
        SheetKind::Groups => {
            let name = r.need(Col::Group, title)?;
            let classes = r.need(Col::Classes, |s| name_list(s, &[',', ';'], class))?;
            let subject = r.maybe(Col::Subject, title)?;
            let kind = match r.maybe(Col::Kind, values::group_kind)? {
                Some(k) => k,
                None if classes.len() > 1 => GroupKind::Stream,
                None => GroupKind::Subgroup,
            };
            if classes.is_empty() {
                return Err(r.error(Some(Col::Classes), "must not be empty"));
            }
            if kind != GroupKind::Stream && classes.len() > 1 {
                return Err(r.error(
                    Some(Col::Classes),
                    "a subgroup or an individual curriculum belongs to one class",
                ));
            }
            if classes.iter().any(|c| c.grade() != classes[0].grade()) {
                return Err(r.error(
                    Some(Col::Classes),
                    "a stream draws from classes of one parallel",
                ));
            }
            if kind != GroupKind::Individual && subject.is_none() {
                return Err(r.error(
                    Some(Col::Subject),
                    "a subgroup or a stream is for a subject: name it",
                ));
            }
            file.groups.push(At {
                row,
                value: GroupLine {
                    name,
                    kind,
                    classes,
                    subject,
                },
            });
        }
        SheetKind::Pupils => {
            let name = r.name()?;
            let birth_date = r.need(Col::BirthDate, |s| values::birth_date(s, today))?;
            let sex = r.sex(&name)?;
            let class = r.need(Col::Class, class)?;
            let number = r.maybe(Col::Number, free_text(30))?;
            let snils = r.maybe(Col::SnilsCol, Snils::parse)?;
            let arrived_on = r.maybe(Col::ArrivedOn, values::date)?;
            if let Some(d) = arrived_on
                && d < birth_date
            {
                return Err(r.error(Some(Col::ArrivedOn), "is before the birth date"));
            }
            let arrived_from = r.maybe(Col::ArrivedFrom, free_text(200))?;
            let groups = if r.layout.at.contains_key(&Col::Groups) {
                let mut names = r
                    .maybe(Col::Groups, |s| name_list(s, &[';'], title))?
                    .unwrap_or_default();
                // A group named twice (in another case) is one group.
                let mut seen = std::collections::HashSet::new();
                names.retain(|n| seen.insert(crate::text::sort_key(n.as_str())));
                Some(names)
            } else {
                None
            };
            file.pupils.push(At {
                row,
                value: PupilLine {
                    name,
                    birth_date,
                    sex,
                    class,
                    number,
                    snils,
                    arrived_on,
                    arrived_from,
                    groups,
                },
            });
        }
        SheetKind::Parents => {
            let name = r.name()?;
            let sex = r.sex(&name)?;
            let birth_date = r.maybe(Col::BirthDate, |s| values::birth_date(s, today))?;
            let relation = r.need(Col::RelationCol, values::relation)?;
            let child = if let Some(n) = r.maybe(Col::ChildNumber, free_text(30))? {
                ChildRef::Number(n)
            } else if let Some(shown) = r.maybe(Col::Child, free_text(200))? {
                let birth_date = r.maybe(Col::ChildBirth, values::date)?;
                ChildRef::Named {
                    key: values::name_key(&shown),
                    shown,
                    birth_date,
                }
            } else {
                return Err(r.error(
                    Some(Col::Child),
                    "name the child: the pupil's number or full name",
                ));
            };
            let phones = r
                .maybe(Col::Phone, |s| {
                    name_list(s, &[',', ';'], |p| {
                        Phone::parse(p)
                            .map(ContactValue::Phone)
                            .map_err(|e| format!("«{p}»: {e}"))
                    })
                })?
                .unwrap_or_default();
            let emails = r
                .maybe(Col::EmailCol, |s| {
                    name_list(s, &[',', ';'], |e| {
                        Email::parse(e)
                            .map(ContactValue::Email)
                            .map_err(|err| format!("«{e}»: {err}"))
                    })
                })?
                .unwrap_or_default();
            let contacts: Vec<ContactValue> = phones.into_iter().chain(emails).collect();
            let basis = r.maybe(Col::Basis, |b| {
                parse_basis(Provenance::WrittenApplication, b).map_err(|e| e.to_string())
            })?;
            if !contacts.is_empty() && basis.is_none() {
                return Err(r.error(
                    Some(Col::Basis),
                    "name the document the phone and e-mail come from (the application's number \
                     and date)",
                ));
            }
            file.parents.push(At {
                row,
                value: ParentLine {
                    name,
                    sex,
                    birth_date,
                    relation,
                    child,
                    contacts,
                    basis,
                },
            });
        }
        SheetKind::Curriculum => {
            let grade = r.maybe(Col::Grade, |s| {
                match s.trim_end_matches(".0").parse::<u8>() {
                    Ok(g) if (1..=11).contains(&g) => Ok(g),
                    _ => Err(format!("«{s}» is not a grade from 1 to 11")),
                }
            })?;
            let class = r.maybe(Col::Class, target)?;
            let target = match (grade, class) {
                (Some(g), None) => PlanTarget::Grade(g),
                (None, Some(Target::Class(c))) => PlanTarget::Class(c),
                (None, Some(Target::Group(g))) => PlanTarget::Group(g),
                (Some(_), Some(_)) => {
                    return Err(r.error(Some(Col::Class), "name a parallel or a class, not both"));
                }
                (None, None) => {
                    return Err(r.error(Some(Col::Grade), "name a parallel (5) or a class (5А)"));
                }
            };
            let subject = r.need(Col::Subject, title)?;
            let hours = r.need(Col::Hours, values::hours)?;
            let part = values::part(r.get(Col::Part)).map_err(|m| r.error(Some(Col::Part), m))?;
            file.curriculum.push(At {
                row,
                value: PlanLine {
                    target,
                    subject,
                    hours,
                    part,
                },
            });
        }
        SheetKind::Assignments => {
            let teacher = r.need(Col::Teacher, StaffRef::parse)?;
            let class = r.need(Col::Class, target)?;
            let subject = r.need(Col::Subject, title)?;
            let hours = r.maybe(Col::Hours, values::hours)?;
            file.assignments.push(At {
                row,
                value: AssignmentLine {
                    teacher,
                    class,
                    subject,
                    hours,
                },
            });
        }
        SheetKind::Timetable => {
            let class = r.need(Col::Class, target)?;
            let weekday = r.need(Col::Day, values::weekday)?;
            let number = r.need(Col::Lesson, values::lesson_number)?;
            let subject = r.need(Col::Subject, title)?;
            let teacher = r.need(Col::Teacher, StaffRef::parse)?;
            let room = r.maybe(Col::Room, free_text(20))?.unwrap_or_default();
            file.timetable.push(At {
                row,
                value: SlotLine {
                    class,
                    weekday,
                    number,
                    subject,
                    teacher,
                    room,
                },
            });
        }
    }
    Ok(())
}

/// Reads one sheet's rows (row 1 first) into `file`, recording problems.
pub fn read_sheet(
    kind: SheetKind,
    rows: &[Vec<String>],
    today: Date,
    file: &mut SetupFile,
    problems: &mut Problems,
) {
    if file.sheets.contains(&kind) {
        problems.push(SetupError {
            sheet: kind.title().to_owned(),
            row: 0,
            column: None,
            message: "this list is given twice".into(),
        });
        return;
    }
    file.sheets.push(kind);
    file.sheets.sort();
    let Some(layout) = find_layout(kind, rows) else {
        let needed: Vec<String> = kind
            .columns()
            .iter()
            .filter(|c| c.required)
            .map(|c| format!("«{}»", c.col.heading()))
            .collect();
        problems.push(SetupError {
            sheet: kind.title().to_owned(),
            row: 0,
            column: None,
            message: format!(
                "no heading row in the first {HEADING_ROWS} rows: the sheet needs the columns {} \
                 (a CSV file must be in UTF-8 or Windows-1251)",
                needed.join(", ")
            ),
        });
        return;
    };
    for (i, cells) in rows.iter().enumerate().skip(layout.heading_row + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let r = RowCells {
            kind,
            layout: &layout,
            cells,
            row: i + 1,
        };
        if let Err(e) = parse_line(&r, file, today) {
            problems.push(e);
        }
    }
}

/// Reads a workbook's sheets (name and rows): the sheets whose names say a list are read,
/// the others named in one problem each.
pub fn read_workbook(sheets: &[(String, Vec<Vec<String>>)], today: Date) -> (SetupFile, Problems) {
    let mut file = SetupFile::default();
    let mut problems = Problems::default();
    for (name, rows) in sheets {
        match SheetKind::from_name(name) {
            Some(kind) => read_sheet(kind, rows, today, &mut file, &mut problems),
            None if rows.iter().all(|r| r.iter().all(|c| c.trim().is_empty())) => {}
            None => problems.push(unknown_sheet(name)),
        }
    }
    check_duplicates(&file, &mut problems);
    (file, problems)
}

fn unknown_sheet(name: &str) -> SetupError {
    let known: Vec<&str> = SheetKind::ALL.iter().map(|k| k.title()).collect();
    SetupError {
        sheet: name.to_owned(),
        row: 0,
        column: None,
        message: format!(
            "the sheet's name is not a list Tabel reads; name it one of: {}",
            known.join(", ")
        ),
    }
}

/// How much a list may hold, as a CSV file or as a workbook's sheet.
pub const CAPS: table::Caps = table::Caps {
    rows: MAX_ROWS,
    columns: MAX_COLUMNS,
};

/// Reads CSV files (file name and rows, as the upload's reader read them), each one list named
/// by its file name.
pub fn read_csv_files(files: &[(String, Vec<Vec<String>>)], today: Date) -> (SetupFile, Problems) {
    let mut file = SetupFile::default();
    let mut problems = Problems::default();
    for (name, rows) in files {
        match SheetKind::from_name(name) {
            Some(kind) => read_sheet(kind, rows, today, &mut file, &mut problems),
            None => problems.push(unknown_sheet(name)),
        }
    }
    check_duplicates(&file, &mut problems);
    (file, problems)
}

/// The list a file or sheet is reported under: the list's title when its name says one, else
/// the name itself.
pub fn list_title(name: &str) -> String {
    SheetKind::from_name(name).map_or_else(|| name.to_owned(), |k| k.title().to_owned())
}

/// Two lines of one list that are the same thing: the second is the error.
fn check_duplicates(file: &SetupFile, problems: &mut Problems) {
    fn dup<T, K: std::hash::Hash + Eq>(
        sheet: SheetKind,
        lines: &[At<T>],
        key: impl Fn(&T) -> Option<K>,
        what: &str,
        problems: &mut Problems,
    ) {
        let mut seen: HashMap<K, usize> = HashMap::new();
        for l in lines {
            if let Some(k) = key(&l.value) {
                if let Some(first) = seen.get(&k) {
                    problems.push(SetupError {
                        sheet: sheet.title().to_owned(),
                        row: l.row,
                        column: None,
                        message: format!("{what} as row {first}"),
                    });
                } else {
                    seen.insert(k, l.row);
                }
            }
        }
    }
    let sk = crate::text::sort_key;
    dup(
        SheetKind::Subjects,
        &file.subjects,
        |s| Some(sk(s.name.as_str())),
        "the same subject",
        problems,
    );
    dup(
        SheetKind::Staff,
        &file.staff,
        |s| Some((s.name.sort_key(), s.birth_date)),
        "the same staff member",
        problems,
    );
    dup(
        SheetKind::Classes,
        &file.classes,
        |c| Some(c.name.to_string()),
        "the same class",
        problems,
    );
    dup(
        SheetKind::Groups,
        &file.groups,
        |g| Some(sk(g.name.as_str())),
        "the same group",
        problems,
    );
    dup(
        SheetKind::Pupils,
        &file.pupils,
        |p| Some((p.name.sort_key(), p.birth_date)),
        "the same pupil (name and birth date)",
        problems,
    );
    dup(
        SheetKind::Pupils,
        &file.pupils,
        |p| p.number.clone(),
        "the same pupil number",
        problems,
    );
    dup(
        SheetKind::Pupils,
        &file.pupils,
        |p| p.snils.clone(),
        "the same СНИЛС",
        problems,
    );
    dup(
        SheetKind::Curriculum,
        &file.curriculum,
        |l| Some((l.target.clone(), sk(l.subject.as_str()))),
        "the same curriculum line",
        problems,
    );
    dup(
        SheetKind::Assignments,
        &file.assignments,
        |a| {
            Some((
                values::name_key(a.teacher.as_str()),
                a.class.key(),
                sk(a.subject.as_str()),
            ))
        },
        "the same assignment",
        problems,
    );
    dup(
        SheetKind::Timetable,
        &file.timetable,
        |s| Some((s.class.key(), s.weekday, s.number)),
        "the same class or group, day and lesson",
        problems,
    );
}

#[cfg(test)]
mod tests;
