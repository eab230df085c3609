//! The spreadsheets: the summary sheet, the assessment schedule and the statistics as XLSX
//! workbooks, with Russian headings whatever the interface language (they are the school's
//! papers).

use crate::finals::SummarySheet;
use crate::stats::Table;
use crate::{App, AppError};
use tabel_domain::PersonId;
use tabel_domain::assessment::Assessment;
use tabel_domain::finals::Slot;
use tabel_present::date;
use tabel_reports::xlsx;
pub use tabel_reports::xlsx::Sheet;

/// The content type of an XLSX workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl From<Table> for Sheet {
    fn from(t: Table) -> Sheet {
        Sheet {
            name: t.name,
            title: t.title,
            subtitle: t.subtitle,
            headers: t.headers,
            widths: t.widths,
            rows: t.rows,
        }
    }
}

impl SummarySheet {
    /// The slot codes of its columns: the periods, then the year, the exam and the итоговая.
    pub fn slots(&self) -> Vec<String> {
        let mut slots: Vec<String> = self
            .periods
            .iter()
            .map(|p| Slot::Period(p.id).code())
            .collect();
        slots.extend(["year", "exam", "final"].map(str::to_owned));
        slots
    }

    /// A pupil's values: per subject, per slot of `slots` ("" where none).
    pub fn row(&self, student: PersonId, slots: &[String]) -> Vec<Vec<String>> {
        self.subjects
            .iter()
            .map(|(subject, _)| {
                slots
                    .iter()
                    .map(|slot| {
                        self.cells
                            .get(&(student, *subject, slot.clone()))
                            .cloned()
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect()
    }
}

/// The summary sheet as a spreadsheet: one row per pupil, "Subject: slot" columns.
pub fn summary_sheet(s: &SummarySheet) -> Sheet {
    let slots = s.slots();
    let slot_names: Vec<String> = s
        .periods
        .iter()
        .map(|p| format!("{} {}", p.number, p.kind.code()))
        .chain(["год", "экзамен", "итоговая"].map(str::to_owned))
        .collect();
    let mut headers = vec!["№".to_owned(), "Ученик".to_owned()];
    let mut widths = vec![5.0, 28.0];
    for (_, name) in &s.subjects {
        for slot in &slot_names {
            headers.push(format!("{name}: {slot}"));
            widths.push(9.0);
        }
    }
    let rows = s
        .students
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut row = vec![
                (i + 1).to_string(),
                format!(
                    "{} {}{}",
                    e.last_name,
                    e.first_name,
                    if e.to.is_some() { " (выбыл)" } else { "" }
                ),
            ];
            row.extend(s.row(e.student, &slots).into_iter().flatten());
            row
        })
        .collect();
    Sheet {
        name: s.class.name.clone(),
        title: format!("Сводная ведомость итоговых отметок · {}", s.class.name),
        subtitle: String::new(),
        headers,
        widths,
        rows,
    }
}

fn level_ru(a: &Assessment) -> &'static str {
    match a.level.code() {
        "federal" => "федеральная",
        "regional" => "региональная",
        _ => "школьная",
    }
}

/// The assessment schedule, one sheet per parallel, in the shape schools publish on their sites.
pub fn assessment_sheets(school: &str, list: &[Assessment]) -> Vec<Sheet> {
    let mut grades: Vec<u8> = list.iter().map(|a| a.grade).collect();
    grades.sort_unstable();
    grades.dedup();
    grades
        .into_iter()
        .map(|g| Sheet {
            name: format!("{g} классы"),
            title: format!("График оценочных процедур: {g} классы"),
            subtitle: school.to_owned(),
            headers: [
                "Класс",
                "Дата",
                "Урок",
                "Предмет",
                "Уровень",
                "Форма",
                "Минут",
            ]
            .map(String::from)
            .to_vec(),
            widths: vec![8.0, 12.0, 6.0, 32.0, 14.0, 44.0, 8.0],
            rows: list
                .iter()
                .filter(|a| a.grade == g)
                .map(|a| {
                    vec![
                        a.class_name.clone(),
                        date(a.on),
                        a.number.to_string(),
                        a.subject_name.clone(),
                        level_ru(a).to_owned(),
                        a.title.clone(),
                        a.minutes.to_string(),
                    ]
                })
                .collect(),
        })
        .collect()
}

/// A workbook of sheets.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, AppError> {
    xlsx::workbook(sheets).map_err(|e| AppError::Internal(e.to_string()))
}

impl App {
    /// The summary sheet of a class as an XLSX workbook.
    pub fn summary_sheet_xlsx(&self, s: &SummarySheet) -> Result<Vec<u8>, AppError> {
        workbook(&[summary_sheet(s)])
    }

    /// The assessment schedule of a school as an XLSX workbook.
    pub fn assessments_xlsx(&self, school: &str, list: &[Assessment]) -> Result<Vec<u8>, AppError> {
        workbook(&assessment_sheets(school, list))
    }

    /// Statistics tables as an XLSX workbook, a sheet each.
    pub fn tables_xlsx(&self, tables: Vec<Table>) -> Result<Vec<u8>, AppError> {
        let sheets: Vec<Sheet> = tables.into_iter().map(Sheet::from).collect();
        workbook(&sheets)
    }
}
