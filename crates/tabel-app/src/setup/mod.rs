//! A real school moves in: its lists imported from a workbook or CSV files (a preview first,
//! then all or nothing), accounts handed out with login letters, parents' invitation codes.
//!
//! The import compares the file with what the school already holds and reports, per list,
//! what it creates, what it updates and what stays. The preview and the apply run the same
//! code: the preview without a transaction to write in (new things get placeholder ids), the
//! apply in one transaction that is committed only when no line has a problem. Importing the
//! same file again changes nothing and writes nothing, not even an audit record.

pub mod accounts;
mod export;
mod import;

pub use export::first_difference;
pub(crate) use import::yearly as yearly_hours;
pub use import::{ImportReport, ListCount, PlannedChange};

use crate::{App, AppError, Client};
use tabel_domain::access::Principal;
use tabel_domain::setup::{self, SetupError, SetupFile};
use tabel_domain::{SchoolId, UserId};

/// The largest set-up upload: a workbook of a large school is well under 2 MB.
pub const MAX_UPLOAD_BYTES: usize = 16 << 20;

/// One uploaded file: its name (which names the list of a CSV file) and bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads the uploads into the lists they hold; problems name file or sheet, row and column.
pub fn read_uploads(files: &[Upload], today: time::Date) -> (SetupFile, setup::Problems) {
    let whole = |sheet: &str, message: String| SetupError {
        sheet: sheet.to_owned(),
        row: 0,
        column: None,
        message,
    };
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    if total > MAX_UPLOAD_BYTES {
        let mut p = setup::Problems::default();
        p.push(whole(
            files.first().map_or("", |f| f.name.as_str()),
            format!(
                "the upload is {} MB; a set-up file may be at most {} MB",
                total.div_ceil(1 << 20),
                MAX_UPLOAD_BYTES >> 20
            ),
        ));
        return (SetupFile::default(), p);
    }
    let mut sheets = Vec::new();
    let mut csv = Vec::new();
    let mut problems = setup::Problems::default();
    let too_many = format!("a list may have at most {} rows", setup::MAX_ROWS);
    let spec = crate::upload::Spec {
        caps: setup::CAPS,
        max_bytes: MAX_UPLOAD_BYTES,
        too_many_rows: &too_many,
    };
    for f in files {
        match crate::upload::read_tables(&f.bytes, &spec) {
            Ok(tables) => {
                for t in tables {
                    match t.sheet {
                        Some(sheet) => sheets.push((sheet, t.rows)),
                        None => csv.push((f.name.clone(), t.rows)),
                    }
                }
            }
            Err(e) => problems.push(SetupError {
                // A workbook is reported under its file's name, a CSV file under its list's.
                sheet: if crate::upload::is_workbook(&f.bytes) {
                    f.name.clone()
                } else {
                    setup::list_title(&f.name)
                },
                row: e.row,
                column: e.column,
                message: e.message,
            }),
        }
    }
    let (mut file, from_sheets) = setup::read_workbook(&sheets, today);
    let (from_csv, csv_problems) = setup::read_csv_files(&csv, today);
    for e in from_sheets.list.into_iter().chain(csv_problems.list) {
        problems.push(e);
    }
    problems.more += from_sheets.more + csv_problems.more;
    merge(&mut file, from_csv, &mut problems);
    (file, problems)
}

fn merge(into: &mut SetupFile, from: SetupFile, problems: &mut setup::Problems) {
    for kind in &from.sheets {
        if into.sheets.contains(kind) {
            problems.push(SetupError {
                sheet: kind.title().to_owned(),
                row: 0,
                column: None,
                message: "this list is given twice (a sheet and a CSV file)".into(),
            });
        }
    }
    into.sheets.extend(from.sheets);
    into.sheets.sort();
    into.sheets.dedup();
    into.subjects.extend(from.subjects);
    into.staff.extend(from.staff);
    into.classes.extend(from.classes);
    into.groups.extend(from.groups);
    into.pupils.extend(from.pupils);
    into.parents.extend(from.parents);
    into.curriculum.extend(from.curriculum);
    into.assignments.extend(from.assignments);
    into.timetable.extend(from.timetable);
}

impl App {
    /// Imports a school's lists (administrators): a preview when `apply` is false, else all or
    /// nothing. The report lists every problem; with any, nothing is written.
    pub async fn import_school(
        &self,
        p: &Principal,
        school: SchoolId,
        files: Vec<Upload>,
        apply: bool,
        client: &Client,
    ) -> Result<ImportReport, AppError> {
        crate::check(p.may_administer(school))?;
        self.import_as(Some(p.user), school, files, apply, client)
            .await
    }

    /// [`App::import_school`] for the operator's CLI: no actor, the school's existence checked.
    pub async fn system_import_school(
        &self,
        school: SchoolId,
        files: Vec<Upload>,
        apply: bool,
        client: &Client,
    ) -> Result<ImportReport, AppError> {
        if !self.system_schools().await?.iter().any(|s| s.id == school) {
            return Err(AppError::NotFound);
        }
        self.import_as(None, school, files, apply, client).await
    }

    async fn import_as(
        &self,
        actor: Option<UserId>,
        school: SchoolId,
        files: Vec<Upload>,
        apply: bool,
        client: &Client,
    ) -> Result<ImportReport, AppError> {
        let today = self.today();
        let (file, problems) = self
            .run_bounded(move || read_uploads(&files, today))
            .await?;
        let ctx = import::Context {
            school,
            today,
            now: self.now(),
            actor,
            origin: client.address.clone(),
        };
        if !apply || !problems.is_empty() {
            let mut conn = self.db.acquire().await?;
            return import::run(&mut conn.conn(), false, &ctx, &file, problems).await;
        }
        let mut tx = self.db.begin().await?;
        let report = import::run(&mut tx.conn(), true, &ctx, &file, problems).await?;
        if report.errors.is_empty() {
            tx.commit().await?;
        }
        Ok(report)
    }
}

/// The template workbook: a sheet per list with its headings, an example row and, above the
/// table, which columns are required and which values the coded ones take.
pub fn template() -> Result<Vec<u8>, AppError> {
    use tabel_domain::setup::SheetKind;
    let sheets: Vec<tabel_reports::xlsx::Sheet> = SheetKind::ALL
        .iter()
        .map(|kind| {
            let columns = kind.columns();
            let required: Vec<&str> = columns
                .iter()
                .filter(|c| c.required)
                .map(|c| c.col.heading())
                .collect();
            tabel_reports::xlsx::Sheet {
                name: kind.title().to_owned(),
                title: format!(
                    "{} — пример строки; удалите его и впишите свои",
                    kind.title()
                ),
                subtitle: format!(
                    "Обязательные столбцы: {}. {}",
                    required.join(", "),
                    allowed_values(*kind)
                ),
                headers: columns.iter().map(|c| c.col.heading().to_owned()).collect(),
                widths: columns.iter().map(|_| 18.0).collect(),
                rows: vec![columns.iter().map(|c| c.example.to_owned()).collect()],
            }
        })
        .collect();
    tabel_reports::xlsx::workbook(&sheets).map_err(|e| AppError::Internal(e.to_string()))
}

fn allowed_values(kind: tabel_domain::setup::SheetKind) -> &'static str {
    use tabel_domain::setup::SheetKind;
    match kind {
        SheetKind::Subjects => "Сокращение — как в журнале (необязательно).",
        SheetKind::Staff => {
            "Пол: м или ж (по отчеству, если не указан). Роли через запятую: учитель, завуч, \
             администратор (по умолчанию учитель). Даты: ДД.ММ.ГГГГ."
        }
        SheetKind::Classes => {
            "Класс: номер и буква (5А). Смена: 1 или 2. Дней в неделе: 5 или 6. Классный \
             руководитель — как в листе «Сотрудники» (Иванова М. П.)."
        }
        SheetKind::Groups => {
            "Группы, кроме классов. Вид: подгруппа (одного класса), поток (из классов одной \
             параллели, через запятую) или ИУП (индивидуальный учебный план ученика). Ученики \
             групп — в листе «Ученики», столбец «Группы». В нагрузке, учебном плане и \
             расписании группу называют в столбце «Класс»."
        }
        SheetKind::Pupils => {
            "Ученик находится по номеру личного дела или СНИЛС, иначе по ФИО и дате рождения. \
             Пол: м или ж. Смена класса в файле — перевод с сегодняшнего дня. Группы — через \
             точку с запятой, как в листе «Группы»; пустая ячейка — ни в одной группе."
        }
        SheetKind::Parents => {
            "Кем приходится: мать, отец, опекун, попечитель, законный представитель. Ребёнок — \
             по номеру ученика или ФИО (и дате рождения). Связь с ребёнком появится, когда \
             родитель введёт код приглашения. Телефоны и e-mail — через точку с запятой; с ними \
             нужно основание: документ, из которого они взяты (заявление, его номер и дата)."
        }
        SheetKind::Curriculum => {
            "Параллель (5), класс (5А) или группа. Часов в неделю: 2 или 0,5. Часть: обязательная или \
             формируемая."
        }
        SheetKind::Assignments => {
            "Учитель — как в листе «Сотрудники». Часов в неделю — необязательно."
        }
        SheetKind::Timetable => {
            "День: Пн, Вт, Ср, Чт, Пт, Сб. Урок: номер по звонкам (1–8). Новое расписание \
             действует с сегодняшнего дня."
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_template_reads_back_as_one_example_line_per_list() {
        let bytes = template().unwrap();
        let today = time::macros::date!(2026 - 12 - 07);
        let (file, problems) = read_uploads(
            &[Upload {
                name: "template.xlsx".into(),
                bytes,
            }],
            today,
        );
        assert!(problems.is_empty(), "{:?}", problems.list);
        assert_eq!(file.sheets.len(), 9);
        assert_eq!(file.groups.len(), 1);
        assert_eq!(file.pupils.len(), 1);
        assert_eq!(file.pupils[0].row, 5);
        assert_eq!(file.timetable.len(), 1);
    }
}
