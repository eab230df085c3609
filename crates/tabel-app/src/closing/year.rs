//! Closing the school year: once every period is closed (or anyway, with what is missing kept in
//! the audit entry), the year's archive is built once — per class the journals and the summary
//! sheet as PDFs; for the school the year's statistics as a PDF (by class and by subject), the
//! year's journals and finals as JSON and a manifest of every file's size and SHA-256 — stored in
//! the database beside the journal (so the backup carries it), and the year is frozen: its
//! journal then takes only an administrator's corrections with a reason. A closed year is not
//! reopened.
//!
//! The archive is read by administrators and deputy heads; a class teacher reads the files of
//! their class.

use super::*;
use crate::stats::{DEFAULT_ABSENCE_THRESHOLD, PeriodChoice, Scope, StatsQuery};
use sha2::{Digest, Sha256};
use tabel_domain::ArchiveFileId;
use tabel_domain::school::{GroupKind, Role};
use tabel_reports::docs::{ExportSection, StatisticsDoc};

/// A period of the year with the classes it is still open for.
#[derive(Debug, Clone)]
pub struct PeriodState {
    /// The period.
    pub period: Period,
    /// Classes of its parallels it is still open for ("5А").
    pub open_for: Vec<String>,
}

/// A year as the closing and archive pages show it.
#[derive(Debug, Clone)]
pub struct YearClosing {
    /// The school.
    pub school: SchoolId,
    /// The year.
    pub year: YearState,
    /// Its periods, each with the classes still open.
    pub periods: Vec<PeriodState>,
    /// What the classes still lack for the year marks (empty once the year is closed).
    pub missing: Vec<ClassMissing>,
    /// The archive's files the viewer may read (once the year is closed).
    pub files: Vec<ArchiveFile>,
    /// The viewer may close the year (it is open; administrators, deputy heads).
    pub may_close: bool,
}

impl YearClosing {
    /// Every period is closed for every class.
    pub fn all_closed(&self) -> bool {
        self.periods.iter().all(|p| p.open_for.is_empty())
    }
}

/// A file made for the archive, before it is stored.
struct Made {
    class: Option<GroupId>,
    kind: &'static str,
    name: String,
    content_type: &'static str,
    bytes: Vec<u8>,
}

impl Made {
    fn sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.bytes))
    }
}

/// How a viewer reads a school's archive.
enum ArchiveReader {
    /// Administrators and deputy heads: every file.
    Whole,
    /// A class teacher: the files of these classes.
    Classes(Vec<GroupId>),
}

fn archive_reader(p: &Principal, school: SchoolId) -> Result<ArchiveReader, AppError> {
    if p.is_admin_of(school) || p.has_role(Role::Deputy, school) {
        return Ok(ArchiveReader::Whole);
    }
    let led: Vec<GroupId> = p
        .class_teacher_of
        .iter()
        .filter(|(s, _)| *s == school)
        .map(|(_, c)| *c)
        .collect();
    if !led.is_empty() {
        Ok(ArchiveReader::Classes(led))
    } else if p.is_staff_of(school) || p.schools().contains(&school) {
        Err(AppError::Forbidden)
    } else {
        Err(AppError::NotFound)
    }
}

impl ArchiveReader {
    fn reads(&self, f: &ArchiveFile) -> bool {
        match self {
            ArchiveReader::Whole => true,
            ArchiveReader::Classes(led) => f.class.is_some_and(|c| led.contains(&c)),
        }
    }
}

impl App {
    /// The years of a school with their state, the latest first (whoever reads its archive:
    /// administrators, deputy heads, class teachers).
    pub async fn archive_years(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<Vec<YearState>, AppError> {
        archive_reader(p, school)?;
        let mut pooled = self.db.acquire().await?;
        Ok(repo::years_of_school(&mut pooled.conn(), school).await?)
    }

    /// A year with its periods' state, what is missing and its archive's files (the files
    /// only for a class teacher; see the module).
    pub async fn year_closing(
        &self,
        p: &Principal,
        year: AcademicYearId,
    ) -> Result<YearClosing, AppError> {
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let (school, state) = repo::year_state(c, year).await?.ok_or(AppError::NotFound)?;
        let reader = archive_reader(p, school)?;
        let files: Vec<ArchiveFile> = repo::files_of_year(c, year)
            .await?
            .into_iter()
            .filter(|f| reader.reads(f))
            .collect();
        let planner = may_plan(p, school).allowed();
        let (periods, missing) = if planner {
            self.year_state_of(c, &state).await?
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(YearClosing {
            school,
            may_close: planner && state.frozen_at.is_none(),
            year: state,
            periods,
            missing,
            files,
        })
    }

    async fn year_state_of(
        &self,
        c: &mut Conn<'_>,
        y: &YearState,
    ) -> Result<(Vec<PeriodState>, Vec<ClassMissing>), AppError> {
        let mut periods = Vec::new();
        for period in school_repo::list_periods(c, y.year).await? {
            let open_for = repo::period_classes(c, period.id)
                .await?
                .into_iter()
                .filter(|x| x.locked_at.is_none())
                .map(|x| x.name)
                .collect();
            periods.push(PeriodState { period, open_for });
        }
        let mut missing = Vec::new();
        if y.frozen_at.is_none() {
            let today = self.today();
            for class in year_classes(c, y).await? {
                let m =
                    missing_of_class(c, &class, (y.year, "year"), (y.starts_on, y.ends_on), today)
                        .await?;
                missing.push(m);
            }
        }
        Ok((periods, missing))
    }

    /// Closes the year (administrators, deputy heads): refused (409) while a period is open
    /// for some class unless `anyway`; then builds the archive once, stores it, closes the
    /// periods still open and freezes the year, all audited (`year.close`, with the open
    /// periods, what was missing and the manifest). A closed year is not closed again (409).
    pub async fn close_year(
        &self,
        p: &Principal,
        year: AcademicYearId,
        anyway: bool,
        client: &Client,
    ) -> Result<YearClosing, AppError> {
        self.close_year_as(p, Some(p.user.get()), year, anyway, client)
            .await?;
        self.year_closing(p, year).await
    }

    /// [`App::close_year`] from the server's console (`tabel year close`): the operator acts as
    /// the school's administrator; the audit entry names no account. The files stored.
    pub async fn system_close_year(
        &self,
        year: AcademicYearId,
        anyway: bool,
    ) -> Result<Vec<ArchiveFile>, AppError> {
        let school = {
            let mut pooled = self.db.acquire().await?;
            repo::year_state(&mut pooled.conn(), year)
                .await?
                .ok_or(AppError::NotFound)?
                .0
        };
        let operator = Principal {
            user: tabel_domain::UserId::new(0),
            person: None,
            grants: vec![(Role::Admin, school)],
            class_teacher_of: Vec::new(),
            children: Vec::new(),
            student_in: None,
            pupils: Vec::new(),
            student_consent: false,
        };
        self.close_year_as(&operator, None, year, anyway, &Client::cli())
            .await?;
        let mut pooled = self.db.acquire().await?;
        Ok(repo::files_of_year(&mut pooled.conn(), year).await?)
    }

    async fn close_year_as(
        &self,
        p: &Principal,
        actor: Option<i64>,
        year: AcademicYearId,
        anyway: bool,
        client: &Client,
    ) -> Result<(), AppError> {
        let (school, state, periods, missing, classes) = {
            let mut pooled = self.db.acquire().await?;
            let c = &mut pooled.conn();
            let (school, state) = repo::year_state(c, year).await?.ok_or(AppError::NotFound)?;
            check(may_plan(p, school))?;
            if state.frozen_at.is_some() {
                return Err(AppError::Conflict(
                    "the school year is closed already".into(),
                ));
            }
            let (periods, missing) = self.year_state_of(c, &state).await?;
            let classes = year_classes(c, &state).await?;
            (school, state, periods, missing, classes)
        };
        let open: Vec<String> = periods
            .iter()
            .filter(|x| !x.open_for.is_empty())
            .map(|x| {
                format!(
                    "{} {}: {}",
                    x.period.number,
                    x.period.kind.code(),
                    x.open_for.join(", ")
                )
            })
            .collect();
        if !open.is_empty() && !anyway {
            return Err(AppError::Conflict(format!(
                "periods still open: {}; close them, or close the year anyway",
                open.join("; ")
            )));
        }
        let made = self.build_archive(p, &state, &classes).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        if !repo::freeze_year(c, year, actor.map(tabel_domain::UserId::new), now).await? {
            return Err(AppError::Conflict(
                "the school year is closed already".into(),
            ));
        }
        repo::lock_year_periods(c, year, now).await?;
        let mut manifest = Vec::new();
        for m in &made {
            let sha256 = m.sha256();
            repo::insert_file(
                c,
                &repo::NewArchiveFile {
                    school,
                    year,
                    class: m.class,
                    kind: m.kind,
                    file_name: &m.name,
                    content_type: m.content_type,
                    sha256: &sha256,
                    content: &m.bytes,
                    now,
                },
            )
            .await?;
            manifest.push(json!({"file": m.name, "size": m.bytes.len(), "sha256": sha256}));
        }
        let manifest_bytes = serde_json::to_vec_pretty(&json!({
            "format": "tabel.year-archive/1",
            "year": state.label,
            "closed_at": tabel_present::rfc3339(now),
            "files": manifest,
        }))
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let manifest_sha = hex::encode(Sha256::digest(&manifest_bytes));
        repo::insert_file(
            c,
            &repo::NewArchiveFile {
                school,
                year,
                class: None,
                kind: "manifest",
                file_name: "manifest.json",
                content_type: "application/json",
                sha256: &manifest_sha,
                content: &manifest_bytes,
                now,
            },
        )
        .await?;
        audit::append(
            c,
            &AuditEntry {
                chain: school.get(),
                at: now,
                actor,
                action: "year.close",
                entity: "academic_year",
                entity_id: year.to_string(),
                before: None,
                after: Some(json!({
                    "frozen": true,
                    "anyway": anyway,
                    "open_periods": open,
                    "missing": missing_json(&missing),
                    "files": manifest,
                    "manifest_sha256": manifest_sha,
                })),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The archive's files: per class its journals and summary sheet as PDFs; for the school
    /// the year's statistics as a PDF (results by class and by subject, curriculum, lesson
    /// types, attendance) and the year's journals and finals as one JSON export. Classes are
    /// typeset side by side, a class per core.
    async fn build_archive(
        &self,
        p: &Principal,
        y: &YearState,
        classes: &[PeriodClass],
    ) -> Result<Vec<Made>, AppError> {
        let workers = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .clamp(1, 4);
        let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(workers));
        let mut set = tokio::task::JoinSet::new();
        for (i, class) in classes.iter().cloned().enumerate() {
            let permit = permits
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let (app, p) = (self.clone(), p.clone());
            set.spawn(async move {
                let out = app.archive_class(&p, &class).await;
                drop(permit);
                (i, out)
            });
        }
        let mut done: Vec<(usize, Vec<Made>, serde_json::Value)> = Vec::new();
        while let Some(joined) = set.join_next().await {
            let (i, out) = joined.map_err(|e| AppError::Internal(format!("archive: {e}")))?;
            let (files, export) = out?;
            done.push((i, files, export));
        }
        done.sort_by_key(|(i, _, _)| *i);
        let mut made = Vec::new();
        let mut export = Vec::new();
        for (_, files, class_export) in done {
            made.extend(files);
            export.push(class_export);
        }
        let school = {
            let mut pooled = self.db.acquire().await?;
            let (school, _) = repo::year_state(&mut pooled.conn(), y.year)
                .await?
                .ok_or(AppError::NotFound)?;
            school
        };
        let stats = self
            .stats_all(
                p,
                &StatsQuery {
                    scope: Scope::school(school),
                    period: PeriodChoice::YearOf(y.year),
                    absence_threshold: DEFAULT_ABSENCE_THRESHOLD,
                },
            )
            .await?;
        let doc = StatisticsDoc {
            school: stats.results.frame.school_name.clone(),
            year: y.label.clone(),
            scope: "вся школа".into(),
            made_at: tabel_present::date(self.today()),
            tables: stats
                .tables()
                .into_iter()
                .map(|t| ExportSection {
                    heading: t.title,
                    lines: vec![t.subtitle],
                    columns: t.headers,
                    rows: t.rows,
                })
                .collect(),
        };
        let year_file = y.label.replace('/', "-");
        made.push(Made {
            class: None,
            kind: "statistics",
            name: format!("Статистика_{year_file}.pdf"),
            content_type: "application/pdf",
            bytes: self.typeset(move |r| r.statistics(&doc)).await?,
        });
        // Compact: the whole school's year of marks runs to tens of megabytes.
        let bytes = serde_json::to_vec(&json!({
            "format": "tabel.year-export/1",
            "year": y.label,
            "starts_on": y.starts_on.to_string(),
            "ends_on": y.ends_on.to_string(),
            "classes": export,
        }))
        .map_err(|e| AppError::Internal(e.to_string()))?;
        made.push(Made {
            class: None,
            kind: "export",
            name: format!("Журналы_{year_file}.json"),
            content_type: "application/json",
            bytes,
        });
        Ok(made)
    }

    /// One class's files (its journals, its summary sheet) and its part of the export.
    async fn archive_class(
        &self,
        p: &Principal,
        class: &PeriodClass,
    ) -> Result<(Vec<Made>, serde_json::Value), AppError> {
        let folder = crate::documents::file_safe(&class.name);
        let archive = self.class_archive(p, class.class, None).await?;
        let mut made = Vec::new();
        for (name, bytes) in self.class_journal_pdfs(&archive).await? {
            made.push(Made {
                class: Some(class.class),
                kind: "journal",
                name: format!("{folder}/{name}.pdf"),
                content_type: "application/pdf",
                bytes,
            });
        }
        let summary = self.summary_document(p, class.class).await?;
        made.push(Made {
            class: Some(class.class),
            kind: "summary",
            name: format!("{folder}/Сводная_ведомость_{folder}.pdf"),
            content_type: "application/pdf",
            bytes: self.summary_sheet_pdf(&summary).await?,
        });
        Ok((made, class_export(&archive, &summary.sheet)))
    }

    /// A year's archive: its files the viewer reads (see the module).
    pub async fn year_archive(
        &self,
        p: &Principal,
        year: AcademicYearId,
    ) -> Result<(YearState, Vec<ArchiveFile>), AppError> {
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let (school, state) = repo::year_state(c, year).await?.ok_or(AppError::NotFound)?;
        let reader = archive_reader(p, school)?;
        let files = repo::files_of_year(c, year)
            .await?
            .into_iter()
            .filter(|f| reader.reads(f))
            .collect();
        Ok((state, files))
    }

    /// One file of an archive with its bytes (whoever reads it; others as for the archive:
    /// 403 for the school's other staff, 404 for everyone else, and 404 for a class teacher
    /// asking for another class's file).
    pub async fn archive_file(
        &self,
        p: &Principal,
        id: ArchiveFileId,
    ) -> Result<(ArchiveFile, Vec<u8>), AppError> {
        let mut pooled = self.db.acquire().await?;
        let (f, bytes) = repo::file_with_content(&mut pooled.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !archive_reader(p, f.school)?.reads(&f) {
            return Err(AppError::NotFound);
        }
        Ok((f, bytes))
    }
}

/// The classes of a year (of the parallels of any kind of period), in the school's order.
async fn year_classes(c: &mut Conn<'_>, y: &YearState) -> Result<Vec<PeriodClass>, AppError> {
    let groups = school_repo::list_groups(c, y.year, y.ends_on, Some(GroupKind::Class)).await?;
    let mut out: Vec<PeriodClass> = groups
        .into_iter()
        .map(|g| PeriodClass {
            class: g.id,
            name: g.name,
            grade: g.grade,
            locked_at: None,
        })
        .collect();
    out.sort_by(|a, b| (a.grade, &a.name).cmp(&(b.grade, &b.name)));
    Ok(out)
}

/// A class's year in the machine-readable export: pupils, each journal's lessons, marks,
/// absences and final marks, and the summary sheet's cells.
fn class_export(
    a: &crate::extracts::ClassArchive,
    sheet: &crate::finals::SummarySheet,
) -> serde_json::Value {
    let journals: Vec<serde_json::Value> = a
        .journals
        .iter()
        .map(|j| {
            let mut finals: Vec<(PersonId, &String, &String)> = j
                .finals
                .iter()
                .map(|((s, slot), v)| (*s, slot, v))
                .collect();
            finals.sort();
            json!({
                "group_id": j.group,
                "group": j.group_name,
                "subject_id": j.subject,
                "subject": j.subject_name,
                "teachers": j.teachers,
                "pupils": j.pupils.iter().map(|p| p.id).collect::<Vec<_>>(),
                "lessons": j.lessons.iter().map(|l| json!({
                    "id": l.id.to_string(),
                    "date": l.on.to_string(),
                    "number": l.number,
                    "status": l.status,
                    "teacher": l.teacher_name,
                    "topic": l.topic,
                    "homework": l.homework,
                })).collect::<Vec<_>>(),
                "marks": j.marks.iter().map(|m| json!({
                    "student_id": m.student,
                    "lesson_id": m.lesson.map(|l| l.to_string()),
                    "date": m.on.to_string(),
                    "value": m.value,
                    "work_type": m.work_type,
                    "weight": m.weight,
                })).collect::<Vec<_>>(),
                "absences": j.attendance.iter().map(|x| json!({
                    "student_id": x.student,
                    "lesson_id": x.lesson.to_string(),
                    "code": x.code,
                    "minutes_late": x.minutes_late,
                })).collect::<Vec<_>>(),
                "finals": finals.into_iter().map(|(s, slot, v)| json!({
                    "student_id": s, "slot": slot, "value": v,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut cells: Vec<(PersonId, SubjectId, &String, &String)> = sheet
        .cells
        .iter()
        .map(|((p, s, slot), v)| (*p, *s, slot, v))
        .collect();
    cells.sort();
    json!({
        "class_id": a.class.id,
        "class": a.class.name,
        "grade": a.class.grade,
        "pupils": sheet.students.iter().map(|s| json!({
            "id": s.student,
            "last_name": s.last_name,
            "first_name": s.first_name,
            "from": s.from.to_string(),
            "to": s.to.map(|t| t.to_string()),
        })).collect::<Vec<_>>(),
        "journals": journals,
        "summary_sheet": cells.into_iter().map(|(p, s, slot, v)| json!({
            "student_id": p, "subject_id": s, "slot": slot, "value": v,
        })).collect::<Vec<_>>(),
    })
}
