//! The thematic plan (КТП): a teacher imports the plan of a journal (group × subject) from the
//! CSV or XLSX they already keep; its topics flow onto the year's lessons in order, each topic
//! taking as many lessons as it has hours. A lesson that already has a topic keeps it (the
//! teacher's own word wins) but still takes its place in the sequence, so that importing the
//! plan again lines up with the first import instead of shifting. Lessons of closed periods are
//! left alone. Per-lesson edits go through [`App::record_lesson`].

use crate::{App, AppError, Client, FieldErrors};
use serde::Serialize;
use tabel_domain::access::Principal;
use tabel_domain::school::Role;
use tabel_domain::thematic::{self as rules, CellError, ParsedPlan, PlanErrors};
use tabel_domain::{GroupId, SubjectId};
use tabel_store::Conn;
use tabel_store::audit::{self, AuditEntry};
use tabel_store::journal as journal_repo;
use tabel_store::school::{self as school_repo, Group};
use tabel_store::thematic::{self as repo, NewPlan, NewTopic, ThematicPlan};

/// The largest file accepted (a year's plan is a few dozen kilobytes).
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// The plan's id.
    pub plan_id: i64,
    /// Its version (one per import).
    pub version: i64,
    /// Topics in the plan.
    pub topics: usize,
    /// Planned lessons in total.
    pub hours: u32,
    /// The year's lessons of the journal (cancelled ones not counted).
    pub lessons: usize,
    /// Lessons that got a topic from the plan.
    pub lessons_filled: usize,
    /// Lessons in the plan's span that kept the topic the teacher had written (or that lie in
    /// a closed period).
    pub lessons_kept: usize,
    /// Lessons still without a topic (the plan is shorter than the year).
    pub lessons_without_topic: usize,
    /// Topics that found no lesson (the plan is longer than the year).
    pub topics_left_over: usize,
}

/// The errors of a refused file as field errors: `row 7, column «Часы»` → the message.
fn field_errors(e: &PlanErrors) -> AppError {
    let mut out = FieldErrors::new();
    for c in &e.0 {
        out.entry(c.place())
            .and_modify(|m: &mut String| {
                m.push_str("; ");
                m.push_str(&c.message);
            })
            .or_insert_with(|| c.message.clone());
    }
    AppError::Invalid(out)
}

/// Reads a plan from a file (XLSX, the first sheet, or CSV) with the one reader of uploads.
pub fn read_plan_file(bytes: &[u8]) -> Result<ParsedPlan, PlanErrors> {
    let too_many = format!(
        "too many rows: a plan has at most {} topics",
        rules::MAX_TOPICS
    );
    let spec = crate::upload::Spec {
        caps: rules::CAPS,
        max_bytes: MAX_FILE_BYTES,
        too_many_rows: &too_many,
    };
    let rows = crate::upload::read_table(bytes, &spec).map_err(|e| PlanErrors(vec![e]))?;
    rules::parse_rows(rows)
}

/// The lesson-type codes of a plan's topics: a policy code or name (any case) per topic; an
/// unknown one is an error naming the row.
fn lesson_types(
    plan: &ParsedPlan,
    policy: &tabel_domain::journal::GradingPolicy,
) -> Result<Vec<NewTopic>, PlanErrors> {
    let mut errors = Vec::new();
    let mut topics = Vec::with_capacity(plan.topics.len());
    for t in &plan.topics {
        let code = match t.lesson_type.as_deref() {
            None => None,
            Some(raw) => {
                let wanted = raw.to_lowercase();
                let found = policy
                    .lesson_types
                    .iter()
                    .find(|l| l.code == raw || l.name.to_lowercase() == wanted);
                if found.is_none() {
                    errors.push(CellError {
                        row: t.row,
                        column: Some(plan.type_column.clone()),
                        message: format!("no lesson type «{raw}» in the school's policy"),
                    });
                }
                found.map(|l| l.code.clone())
            }
        };
        topics.push(NewTopic {
            title: t.title.clone(),
            hours: t.hours,
            lesson_type: code,
        });
    }
    if errors.is_empty() {
        Ok(topics)
    } else {
        Err(PlanErrors(errors))
    }
}

/// Whether `p` keeps this journal: its assigned teacher.
async fn keeps(
    c: &mut Conn<'_>,
    p: &Principal,
    g: &Group,
    subject: SubjectId,
) -> Result<bool, AppError> {
    Ok(match p.person {
        Some(me) if p.has_role(Role::Teacher, g.school) => {
            journal_repo::is_assigned(c, me, g.id, subject).await?
        }
        _ => false,
    })
}

fn refuse(p: &Principal, g: &Group) -> AppError {
    if p.is_staff_of(g.school) || p.schools().contains(&g.school) {
        AppError::Forbidden
    } else {
        AppError::NotFound
    }
}

/// Which lessons get which topic: `slots[i]` is the topic of the i-th lesson.
fn slots(topics: &[NewTopic]) -> Vec<usize> {
    topics
        .iter()
        .enumerate()
        .flat_map(|(i, t)| std::iter::repeat_n(i, usize::from(t.hours)))
        .collect()
}

impl App {
    /// Whether `p` may load the thematic plan of `group`'s `subject`: asked before the server
    /// receives the file. The same answer as [`App::import_plan`] gives.
    pub async fn may_import_plan(
        &self,
        p: &Principal,
        group: GroupId,
        subject: SubjectId,
    ) -> Result<(), AppError> {
        self.plan_keeper(p, group, subject).await.map(|_| ())
    }

    /// The group whose plan `p` loads: the assigned teacher, a deputy head or an administrator.
    async fn plan_keeper(
        &self,
        p: &Principal,
        group: GroupId,
        subject: SubjectId,
    ) -> Result<Group, AppError> {
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = school_repo::get_group(c, group, self.today())
            .await?
            .ok_or(AppError::NotFound)?;
        // A subject of another school (or none) answers as a missing journal.
        match tabel_store::structure::subject_card(c, subject).await? {
            Some(s) if s.school == g.school => {}
            _ => return Err(AppError::NotFound),
        }
        let allowed = keeps(c, p, &g, subject).await?
            || p.is_admin_of(g.school)
            || p.has_role(Role::Deputy, g.school);
        if !allowed {
            return Err(refuse(p, &g));
        }
        Ok(g)
    }

    /// Imports the thematic plan of a journal from a CSV or XLSX file, replacing the previous
    /// one, and flows its topics onto the year's lessons (see the module). The journal's
    /// assigned teacher, a deputy head or an administrator. A file with any error is refused
    /// whole, every error naming its row and column; nothing is written.
    #[tracing::instrument(skip_all, fields(group = %group, subject = %subject, bytes = bytes.len()))]
    pub async fn import_plan(
        &self,
        p: &Principal,
        group: GroupId,
        subject: SubjectId,
        file_name: &str,
        bytes: Vec<u8>,
        client: &Client,
    ) -> Result<ImportSummary, AppError> {
        let g = self.plan_keeper(p, group, subject).await?;
        if bytes.len() > MAX_FILE_BYTES {
            return Err(AppError::invalid(
                "file",
                format!("at most {} MB", MAX_FILE_BYTES / 1024 / 1024),
            ));
        }
        let parsed = self
            .run_bounded(move || read_plan_file(&bytes))
            .await?
            .map_err(|e| field_errors(&e))?;
        let file_name: String = file_name.trim().chars().take(200).collect();

        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        crate::closing::frozen_guard(c, p, g.school, g.year, None).await?;
        let policy = self.policy_of(c, g.school).await?;
        let topics = lesson_types(&parsed, &policy.policy).map_err(|e| field_errors(&e))?;
        let teacher = repo::assigned_teacher(c, group, subject, g.year).await?;
        let before = repo::get_plan(c, group, subject, g.year).await?;
        let now = self.now();
        let (plan_id, version) = repo::replace_plan(
            c,
            &NewPlan {
                school: g.school,
                teacher,
                group,
                subject,
                year: g.year,
                source_name: &file_name,
                topics: &topics,
                by: Some(p.user),
                now,
            },
        )
        .await?;

        // Flow: the i-th lesson of the year carries the i-th planned hour.
        let closed = closed_periods(c, &g).await?;
        let lessons = repo::lessons_for_plan(c, group, subject, g.year).await?;
        let order = slots(&topics);
        let mut fills: Vec<(i64, &str, Option<&str>)> = Vec::new();
        let mut kept = 0;
        for (lesson, &topic) in lessons.iter().zip(&order) {
            let locked = closed
                .iter()
                .any(|(a, b)| *a <= lesson.on && lesson.on <= *b);
            if lesson.has_topic || locked {
                kept += 1;
                continue;
            }
            let t = &topics[topic];
            fills.push((lesson.id, t.title.as_str(), t.lesson_type.as_deref()));
        }
        let filled = repo::fill_topics(c, &fills).await?;
        let empty_before = lessons.iter().filter(|l| !l.has_topic).count();
        let summary = ImportSummary {
            plan_id,
            version,
            topics: topics.len(),
            hours: parsed.hours(),
            lessons: lessons.len(),
            lessons_filled: filled.len(),
            lessons_kept: kept,
            lessons_without_topic: empty_before.saturating_sub(filled.len()),
            topics_left_over: topics.len()
                - order
                    .get(..lessons.len().min(order.len()))
                    .and_then(<[usize]>::last)
                    .map_or(0, |last| last + 1),
        };
        let written: Vec<serde_json::Value> = fills
            .iter()
            .filter(|(id, _, _)| filled.binary_search(id).is_ok())
            .map(|(id, title, _)| serde_json::json!([id.to_string(), title]))
            .collect();
        audit::append(
            c,
            &AuditEntry {
                chain: g.school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "thematic.import",
                entity: "thematic_plan",
                entity_id: plan_id.to_string(),
                before: before
                    .map(|b| serde_json::json!({"version": b.version, "topics": b.topics})),
                after: Some(serde_json::json!({
                    "group_id": group.to_string(), "subject_id": subject.to_string(),
                    "file": file_name, "version": version, "topics": topics,
                    "lessons_filled": written,
                })),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The thematic plan of a journal in its year: the journal's teachers, the class teacher,
    /// deputies and administrators. `None` when none was imported.
    pub async fn plan(
        &self,
        p: &Principal,
        group: GroupId,
        subject: SubjectId,
    ) -> Result<Option<ThematicPlan>, AppError> {
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = school_repo::get_group(c, group, self.today())
            .await?
            .ok_or(AppError::NotFound)?;
        let class = g.parent.unwrap_or(g.id);
        let reader = keeps(c, p, &g, subject).await?
            || p.is_admin_of(g.school)
            || p.has_role(Role::Deputy, g.school)
            || p.class_teacher_of
                .iter()
                .any(|(s, k)| *s == g.school && *k == class);
        if !reader {
            return Err(refuse(p, &g));
        }
        Ok(repo::get_plan(c, group, subject, g.year).await?)
    }
}

/// The closed reporting periods of a group's parallel, as date ranges.
async fn closed_periods(
    c: &mut Conn<'_>,
    g: &Group,
) -> Result<Vec<(time::Date, time::Date)>, AppError> {
    let kind = school_repo::list_parallels(c, g.year)
        .await?
        .into_iter()
        .find(|p| p.grade == g.grade)
        .map(|p| p.period_kind);
    Ok(school_repo::list_periods(c, g.year)
        .await?
        .into_iter()
        .filter(|p| Some(p.kind) == kind && p.locked_at.is_some())
        .map(|p| (p.starts_on, p.ends_on))
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn xlsx(rows: &[&[&str]], numbers: &[(u32, u16, f64)]) -> Vec<u8> {
        crate::test_support::xlsx(rows, numbers, &[])
    }

    #[test]
    fn an_xlsx_first_sheet_is_read_like_a_csv() {
        let bytes = xlsx(
            &[
                &["№", "Тема урока", "Кол-во часов", "Тип урока"],
                &["1", "Натуральные числа"],
                &["2", "Контрольная работа", "", "Контрольная работа"],
            ],
            &[(1, 2, 2.0)],
        );
        let plan = read_plan_file(&bytes).unwrap();
        assert_eq!(plan.topics.len(), 2);
        assert_eq!(plan.topics[0].hours, 2);
        assert_eq!(plan.topics[1].row, 3);
        let topics = lesson_types(&plan, &Default::default()).unwrap();
        assert_eq!(topics[1].lesson_type.as_deref(), Some("control"));
    }

    #[test]
    fn xlsx_errors_name_the_spreadsheet_row() {
        let bytes = xlsx(&[&[], &["Тема", "Часы"], &["Дроби", "два"]], &[]);
        let e = read_plan_file(&bytes).unwrap_err();
        assert_eq!(
            e.0[0].to_string(),
            "row 3, column «Часы»: «два» is not a number"
        );
        let e = read_plan_file(b"PK\x03\x04garbage").unwrap_err();
        assert!(e.0[0].message.contains("XLSX"));
    }

    #[test]
    fn unknown_lesson_types_name_the_row() {
        let plan = read_plan_file("Тема;Часы;Тип\nА;1;lesson\nБ;1;пикник\n".as_bytes()).unwrap();
        let e = lesson_types(&plan, &Default::default()).unwrap_err();
        assert_eq!(
            e.0[0].to_string(),
            "row 3, column «Тип»: no lesson type «пикник» in the school's policy"
        );
    }

    #[test]
    fn each_topic_takes_its_hours_in_order() {
        let t = |h| NewTopic {
            title: String::new(),
            hours: h,
            lesson_type: None,
        };
        assert_eq!(slots(&[t(2), t(1), t(3)]), vec![0, 0, 1, 2, 2, 2]);
    }
}
