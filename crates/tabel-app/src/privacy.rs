//! A person's right of access (152-ФЗ, art. 14): everything Tabel holds about the user and,
//! for a legal representative, about their linked children, as one machine-readable document
//! (and its human-readable summary in PDF).
//!
//! The right of access does not depend on the diary consent: a parent who refused or withdrew
//! it still gets their own data and their children's (the consent governs the electronic diary
//! service, not the data subject's right to know what is processed). Every export is audited.
//!
//! Whose data: the user's own account, person, contacts, consents given, notifications sent to
//! them, sessions and audit records; a parent's linked children (every current link, with or
//! without consent) with their journal: marks, attendance, final marks, homework set to their
//! groups and the teachers' recommendations. A pupil's or a teacher's export holds only
//! themselves: a pupil's journal reaches the family through the parent's export (the consent and
//! the right of access of a minor are exercised by the legal representative).

use crate::{App, AppError, Client};
use serde_json::{Value, json};
use std::collections::HashMap;
use tabel_domain::PersonId;
use tabel_domain::access::Principal;
use tabel_present::rfc3339;
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school as school_repo;
use tabel_store::{Conn, consent as consent_repo, contact as contact_repo, delivery, session};
use time::{Date, OffsetDateTime};

/// The most audit records an export lists (newest dropped past it; a parent's whole history is
/// far below).
pub const MAX_AUDIT_RECORDS: i64 = 10_000;

/// The span of dates an export reads the journal in: every school year there is.
const EVER: (Date, Date) = (
    time::macros::date!(1990 - 01 - 01),
    time::macros::date!(2199 - 12 - 31),
);

/// The export as a document: `Value` with the sections named in the module's doc.
#[derive(Debug, Clone)]
pub struct DataExport {
    /// The document (JSON).
    pub document: Value,
    /// When made.
    pub made_at: OffsetDateTime,
}

impl App {
    /// The user's data export; `only` narrows the children to one of them (404 for anyone not a
    /// linked child of the user). Audited as `data.export` with the format asked for.
    pub async fn export_my_data(
        &self,
        p: &Principal,
        only: Option<PersonId>,
        format: &str,
        client: &Client,
    ) -> Result<DataExport, AppError> {
        let now = self.now();
        let children: Vec<PersonId> = p
            .children
            .iter()
            .map(|c| c.student)
            .filter(|c| only.is_none_or(|o| o == *c))
            .collect();
        if only.is_some() && children.is_empty() {
            return Err(AppError::NotFound);
        }
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let account = tabel_store::user::profile(c, p.user)
            .await?
            .ok_or(AppError::NotFound)?;
        let person = match p.person {
            Some(me) => school_repo::get_person(c, me).await?.map(|(_, s)| s),
            None => None,
        };
        let contacts = match p.person {
            Some(me) => contact_repo::contacts_of_parent(c, me, true).await?,
            None => Vec::new(),
        };
        let notifications = match p.person {
            Some(me) => delivery::deliveries_to_parent(c, me).await?,
            None => Vec::new(),
        };
        let sessions = session::all_sessions_of(c, p.user).await?;
        let records = audit::records_about(
            c,
            Some(p.user.get()),
            p.person.map(PersonId::get),
            MAX_AUDIT_RECORDS,
        )
        .await?;
        let links = match p.person {
            Some(me) => school_repo::children_of(c, me).await?,
            None => Vec::new(),
        };
        let mut kids = Vec::new();
        for link in links.iter().filter(|l| children.contains(&l.student.id)) {
            kids.push(child_section(c, p, link).await?);
        }
        let document = json!({
            "format": "tabel-data-export/1",
            "made_at": rfc3339(now),
            "account": {
                "id": account.id.to_string(),
                "login": account.login,
                "display_name": account.display_name,
                "locale": account.locale,
                "school_id": account.school.map(|s| s.to_string()),
                "disabled": account.disabled,
                "roles": p.roles().into_iter().map(|(r, s)| json!({"role": r.code(), "school_id": s.to_string()})).collect::<Vec<_>>(),
            },
            "person": person.map(|s| json!({
                "id": s.id.to_string(),
                "last_name": s.last_name,
                "first_name": s.first_name,
                "middle_name": s.middle_name,
                "sex": s.sex.code(),
                "birth_date": s.birth_date.map(|d| d.to_string()),
            })),
            "contacts": contacts.iter().map(|k| json!({
                "id": k.id.to_string(),
                "kind": k.kind.code(),
                "network": k.network.map(|n| n.code()),
                "value": k.value,
                "provenance": k.provenance.code(),
                "basis": k.basis,
                "preferred": k.preferred,
                "entered_by": k.entered_by_name,
                "entered_at": rfc3339(k.entered_at),
                "verified_at": k.verified_at.map(rfc3339),
                "removed_at": k.removed_at.map(rfc3339),
            })).collect::<Vec<_>>(),
            "children": kids,
            "notifications": notifications.iter().map(|d| json!({
                "id": d.id.to_string(),
                "kind": d.kind,
                "channel": d.channel.code(),
                "student_id": d.student.map(|s| s.to_string()),
                "address": d.address,
                "subject": d.subject,
                "body": d.body,
                "state": d.state.code(),
                "attempts": d.attempts,
                "created_at": rfc3339(d.created_at),
                "sent_at": d.sent_at.map(rfc3339),
                "last_error": d.last_error,
            })).collect::<Vec<_>>(),
            "sessions": sessions.iter().map(|s| json!({
                "kind": s.kind,
                "created_at": rfc3339(s.created_at),
                "last_seen_at": rfc3339(s.last_seen_at),
                "expires_at": rfc3339(s.expires_at),
                "revoked_at": s.revoked_at.map(rfc3339),
                "address": s.origin,
                "user_agent": s.user_agent,
            })).collect::<Vec<_>>(),
            "audit": records.iter().map(|r| json!({
                "id": r.id.to_string(),
                "at": OffsetDateTime::from_unix_timestamp_nanos(i128::from(r.at_micros) * 1000).map(rfc3339).ok(),
                "by_me": r.actor_user_id == Some(p.user.get()),
                "action": r.action,
                "entity": r.entity,
                "entity_id": r.entity_id,
                "before": r.before_json.as_deref().and_then(|j| serde_json::from_str::<Value>(j).ok()),
                "after": r.after_json.as_deref().and_then(|j| serde_json::from_str::<Value>(j).ok()),
                "reason": r.reason,
                "address": r.origin,
            })).collect::<Vec<_>>(),
        });
        let school = account
            .school
            .or_else(|| p.schools().first().copied())
            .map_or(0, |s| s.get());
        let mut tx = self.db.begin().await?;
        audit::append(
            &mut tx.conn(),
            &AuditEntry {
                chain: school,
                at: now,
                actor: Some(p.user.get()),
                action: "data.export",
                entity: "user",
                entity_id: p.user.to_string(),
                before: None,
                after: Some(json!({
                    "format": format,
                    "children": children.iter().map(ToString::to_string).collect::<Vec<_>>(),
                })),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(DataExport {
            document,
            made_at: now,
        })
    }
}

/// One linked child's part of the export: the link, the consents this parent gave, and the
/// child's journal.
async fn child_section(
    c: &mut Conn<'_>,
    p: &Principal,
    link: &tabel_domain::school::ChildLink,
) -> Result<Value, AppError> {
    let student = link.student.id;
    let subjects: HashMap<i64, String> = school_repo::list_subjects(c, link.school)
        .await?
        .into_iter()
        .map(|s| (s.id.get(), s.name))
        .collect();
    let subject = |id: i64| subjects.get(&id).cloned().unwrap_or_default();
    let consents: Vec<Value> = consent_repo::history_of_student(c, student)
        .await?
        .into_iter()
        .filter(|r| Some(r.parent) == p.person)
        .rev()
        .map(|r| {
            json!({
                "id": r.id.to_string(),
                "purpose": r.purpose.code(),
                "state": r.state.code(),
                "text_version": r.text_version,
                "basis": r.basis_text,
                "note": r.note,
                "recorded_by": r.recorded_by,
                "recorded_at": rfc3339(r.recorded_at),
            })
        })
        .collect();
    let marks: Vec<Value> = tabel_store::journal::marks_of_student(c, student, EVER)
        .await?
        .into_iter()
        .map(|m| {
            json!({
                "date": m.on.to_string(),
                "subject": subject(m.subject.get()),
                "value": m.value,
                "work_type": m.work_type,
                "weight": m.weight,
                "comment": m.comment,
                "updated_at": rfc3339(m.updated_at),
            })
        })
        .collect();
    let attendance: Vec<Value> = tabel_store::diary::attendance_of_student(c, student, EVER)
        .await?
        .into_iter()
        .map(|a| {
            json!({
                "date": a.on.to_string(),
                "lesson_number": a.number,
                "subject": subject(a.subject.get()),
                "code": a.attendance.code.code(),
                "minutes_late": a.attendance.minutes_late,
                "reason": a.attendance.reason,
            })
        })
        .collect();
    let finals: Vec<Value> = tabel_store::finals::of_student(c, student)
        .await?
        .into_iter()
        .map(|f| {
            json!({
                "subject": subject(f.subject.get()),
                "slot": f.slot.code(),
                "value": f.value,
                "reason": f.reason,
                "set_at": rfc3339(f.set_at),
            })
        })
        .collect();
    let homework: Vec<Value> = tabel_store::diary::homework_of_student(c, student, EVER)
        .await?
        .into_iter()
        .map(|l| {
            json!({
                "date": l.lesson.on.to_string(),
                "subject": l.lesson.subject_name,
                "homework": l.record.record.homework,
                "due_on": l.record.record.homework_due_on.map(|d| d.to_string()),
                "minutes": l.record.record.homework_minutes,
            })
        })
        .collect();
    let recommendations: Vec<Value> =
        tabel_store::diary::recommendations_of_student(c, student, MAX_AUDIT_RECORDS)
            .await?
            .into_iter()
            .map(|r| {
                json!({
                    "subject": r.subject_name,
                    "teacher": r.teacher_name,
                    "text": r.body,
                    "created_at": rfc3339(r.created_at),
                })
            })
            .collect();
    let s = &link.student;
    Ok(json!({
        "id": student.to_string(),
        "last_name": s.last_name,
        "first_name": s.first_name,
        "middle_name": s.middle_name,
        "birth_date": s.birth_date.map(|d| d.to_string()),
        "school_id": link.school.to_string(),
        "relation": link.relation.code(),
        "consent": {
            "diary": link.diary_consent.map(|x| x.code()),
            "electronic_delivery": link.delivery_consent.map(|x| x.code()),
        },
        "consents": consents,
        "marks": marks,
        "attendance": attendance,
        "finals": finals,
        "homework": homework,
        "recommendations": recommendations,
    }))
}

impl App {
    /// The export's human-readable summary as a PDF (the same sections as the JSON, in
    /// Russian), through the typst templates.
    pub async fn export_my_data_pdf(
        &self,
        p: &Principal,
        only: Option<PersonId>,
        client: &Client,
    ) -> Result<Vec<u8>, AppError> {
        let export = self.export_my_data(p, only, "pdf", client).await?;
        let zone = self.config().time_zone.clone();
        let at = move |v: &Value| -> String {
            v.as_str()
                .and_then(|s| {
                    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
                })
                .map(|t| tabel_present::date_time(zone.local(t)))
                .unwrap_or_default()
        };
        let doc = summary(&export.document, &at);
        self.typeset(move |r| r.data_export(&doc)).await
    }
}

/// A JSON value as a table cell: text as it is, numbers and booleans written, null empty.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "да".into(),
        Value::Bool(false) => "нет".into(),
        other => other.to_string(),
    }
}

/// `2026-11-23` → `23.11.2026`.
fn day(v: &Value) -> String {
    let s = cell(v);
    match (s.get(0..4), s.get(5..7), s.get(8..10)) {
        (Some(y), Some(m), Some(d)) if s.len() == 10 => format!("{d}.{m}.{y}"),
        _ => s,
    }
}

fn table(
    heading: String,
    lines: Vec<String>,
    columns: &[&str],
    items: &Value,
    row: impl Fn(&Value) -> Vec<String>,
) -> tabel_reports::docs::ExportSection {
    let rows: Vec<Vec<String>> = items
        .as_array()
        .map(|a| a.iter().map(&row).collect())
        .unwrap_or_default();
    let mut lines = lines;
    if rows.is_empty() {
        lines.push("Записей нет.".into());
    }
    tabel_reports::docs::ExportSection {
        heading,
        lines,
        columns: if rows.is_empty() {
            Vec::new()
        } else {
            columns.iter().map(|c| (*c).to_owned()).collect()
        },
        rows,
    }
}

fn full_name(v: &Value) -> String {
    [&v["last_name"], &v["first_name"], &v["middle_name"]]
        .into_iter()
        .map(cell)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The PDF's sections from the JSON document.
fn summary(d: &Value, at: &dyn Fn(&Value) -> String) -> tabel_reports::docs::DataExportDoc {
    use tabel_reports::docs::{DataExportDoc, ExportSection};
    let account = &d["account"];
    let person = &d["person"];
    let holder = if person.is_null() {
        cell(&account["login"])
    } else {
        full_name(person)
    };
    let mut sections = vec![ExportSection {
        heading: "Учётная запись".into(),
        lines: vec![
            format!("Логин: {}", cell(&account["login"])),
            format!("Имя в системе: {}", cell(&account["display_name"])),
            format!("Язык интерфейса: {}", cell(&account["locale"])),
            format!(
                "Роли: {}",
                account["roles"]
                    .as_array()
                    .map(|a| a
                        .iter()
                        .map(|r| cell(&r["role"]))
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default()
            ),
            format!(
                "ФИО: {}; дата рождения: {}",
                full_name(person),
                day(&person["birth_date"])
            ),
        ],
        ..ExportSection::default()
    }];
    sections.push(table(
        "Контакты (с историей)".into(),
        Vec::new(),
        &[
            "Вид",
            "Значение",
            "Источник",
            "Основание",
            "Внесён",
            "Удалён",
        ],
        &d["contacts"],
        |k| {
            vec![
                cell(&k["kind"]),
                cell(&k["value"]),
                cell(&k["provenance"]),
                cell(&k["basis"]),
                at(&k["entered_at"]),
                at(&k["removed_at"]),
            ]
        },
    ));
    for c in d["children"].as_array().into_iter().flatten() {
        let name = full_name(c);
        sections.push(table(
            format!("Ребёнок: {name}"),
            vec![
                format!("Родство: {}", cell(&c["relation"])),
                format!(
                    "Согласие на электронный дневник: {}; на электронную доставку: {}",
                    cell(&c["consent"]["diary"]),
                    cell(&c["consent"]["electronic_delivery"])
                ),
                "История ваших согласий:".into(),
            ],
            &["Когда", "Цель", "Состояние", "Основание", "Кто внёс"],
            &c["consents"],
            |r| {
                vec![
                    at(&r["recorded_at"]),
                    cell(&r["purpose"]),
                    cell(&r["state"]),
                    cell(&r["basis"]),
                    cell(&r["recorded_by"]),
                ]
            },
        ));
        sections.push(table(
            format!("Отметки: {name}"),
            Vec::new(),
            &["Дата", "Предмет", "Отметка", "Вид работы", "Комментарий"],
            &c["marks"],
            |m| {
                vec![
                    day(&m["date"]),
                    cell(&m["subject"]),
                    cell(&m["value"]),
                    cell(&m["work_type"]),
                    cell(&m["comment"]),
                ]
            },
        ));
        sections.push(table(
            format!("Посещаемость: {name}"),
            Vec::new(),
            &["Дата", "Урок", "Предмет", "Отметка", "Причина"],
            &c["attendance"],
            |a| {
                vec![
                    day(&a["date"]),
                    cell(&a["lesson_number"]),
                    cell(&a["subject"]),
                    cell(&a["code"]),
                    cell(&a["reason"]),
                ]
            },
        ));
        sections.push(table(
            format!("Итоговые отметки: {name}"),
            Vec::new(),
            &["Предмет", "Период", "Отметка", "Выставлена"],
            &c["finals"],
            |f| {
                vec![
                    cell(&f["subject"]),
                    cell(&f["slot"]),
                    cell(&f["value"]),
                    at(&f["set_at"]),
                ]
            },
        ));
        sections.push(table(
            format!("Домашние задания: {name}"),
            Vec::new(),
            &["Урок", "Предмет", "Задание", "Срок"],
            &c["homework"],
            |h| {
                vec![
                    day(&h["date"]),
                    cell(&h["subject"]),
                    cell(&h["homework"]),
                    day(&h["due_on"]),
                ]
            },
        ));
        sections.push(table(
            format!("Рекомендации учителей: {name}"),
            Vec::new(),
            &["Когда", "Учитель", "Предмет", "Текст"],
            &c["recommendations"],
            |r| {
                vec![
                    at(&r["created_at"]),
                    cell(&r["teacher"]),
                    cell(&r["subject"]),
                    cell(&r["text"]),
                ]
            },
        ));
    }
    sections.push(table(
        "Уведомления, отправленные вам".into(),
        Vec::new(),
        &[
            "Создано",
            "Канал",
            "Адрес",
            "Тема",
            "Состояние",
            "Отправлено",
        ],
        &d["notifications"],
        |n| {
            vec![
                at(&n["created_at"]),
                cell(&n["channel"]),
                cell(&n["address"]),
                cell(&n["subject"]),
                cell(&n["state"]),
                at(&n["sent_at"]),
            ]
        },
    ));
    sections.push(table(
        "Сеансы входа".into(),
        Vec::new(),
        &[
            "Вход",
            "Последнее действие",
            "Адрес",
            "Устройство",
            "Завершён",
        ],
        &d["sessions"],
        |s| {
            vec![
                at(&s["created_at"]),
                at(&s["last_seen_at"]),
                cell(&s["address"]),
                cell(&s["user_agent"]),
                at(&s["revoked_at"]),
            ]
        },
    ));
    sections.push(table(
        "Записи журнала действий о вас".into(),
        Vec::new(),
        &["Когда", "Действие", "Объект", "Ваше действие", "Адрес"],
        &d["audit"],
        |r| {
            vec![
                at(&r["at"]),
                cell(&r["action"]),
                format!("{} {}", cell(&r["entity"]), cell(&r["entity_id"])),
                cell(&r["by_me"]),
                cell(&r["address"]),
            ]
        },
    ));
    DataExportDoc {
        holder,
        made_at: at(&d["made_at"]),
        sections,
    }
}

pub use tabel_store::erasure::{ErasureRequest, ErasureState};

/// The longest comment of an erasure request, and the longest reason of a refusal.
pub const MAX_ERASURE_TEXT: usize = 2000;

/// The name an erased representative's person row carries from then on: «Представитель №123»
/// (surname and given name), so that the records the school must keep still name someone.
pub fn pseudonym(parent: PersonId) -> (String, String) {
    ("Представитель".to_owned(), format!("№{parent}"))
}

fn bounded(field: &str, text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.chars().count() > MAX_ERASURE_TEXT {
        return Err(AppError::invalid(
            field,
            format!("at most {MAX_ERASURE_TEXT} characters"),
        ));
    }
    Ok(text.to_owned())
}

impl App {
    /// A legal representative asks the school to erase their personal data. Only a parent (a
    /// person with linked children) asks, only for themselves; one request waits at a time.
    pub async fn request_erasure(
        &self,
        p: &Principal,
        comment: &str,
        client: &Client,
    ) -> Result<i64, AppError> {
        let (Some(me), false) = (p.person, p.children.is_empty()) else {
            return Err(AppError::Forbidden);
        };
        let comment = bounded("comment", comment)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let (school, _) = school_repo::get_person(c, me)
            .await?
            .ok_or(AppError::NotFound)?;
        if tabel_store::erasure::requests_of_parent(c, me)
            .await?
            .iter()
            .any(|r| r.state == ErasureState::Pending)
        {
            return Err(AppError::Conflict(
                "a request of yours is already waiting for the school's decision".into(),
            ));
        }
        let id = tabel_store::erasure::insert_request(c, school, me, &comment, now).await?;
        audit::append(
            c,
            &AuditEntry {
                chain: school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "erasure.requested",
                entity: "person",
                entity_id: me.to_string(),
                before: None,
                after: Some(json!({"request": id.to_string()})),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The user's own erasure requests, newest first.
    pub async fn my_erasure_requests(
        &self,
        p: &Principal,
    ) -> Result<Vec<ErasureRequest>, AppError> {
        let Some(me) = p.person else {
            return Ok(Vec::new());
        };
        let mut c = self.db.acquire().await?;
        Ok(tabel_store::erasure::requests_of_parent(&mut c.conn(), me).await?)
    }

    /// A school's erasure requests, pending first: its administrators.
    pub async fn erasure_requests(
        &self,
        p: &Principal,
        school: tabel_domain::SchoolId,
    ) -> Result<Vec<ErasureRequest>, AppError> {
        crate::check(p.may_administer(school))?;
        let mut c = self.db.acquire().await?;
        Ok(tabel_store::erasure::requests_of_school(&mut c.conn(), school).await?)
    }

    /// How many erasure requests wait in a school (0 for anyone but its administrators).
    pub async fn pending_erasures(
        &self,
        p: &Principal,
        school: tabel_domain::SchoolId,
    ) -> Result<i64, AppError> {
        if !p.is_admin_of(school) {
            return Ok(0);
        }
        let mut c = self.db.acquire().await?;
        Ok(tabel_store::erasure::count_pending(&mut c.conn(), school).await?)
    }

    /// The request and the school's administrator's right to decide it: 404 when unknown or of
    /// another school, 403 for others of the school, 409 once decided.
    async fn pending_request(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        id: i64,
    ) -> Result<ErasureRequest, AppError> {
        let r = tabel_store::erasure::get_request(c, id)
            .await?
            .ok_or(AppError::NotFound)?;
        crate::check(p.may_administer(r.school))?;
        if r.state != ErasureState::Pending {
            return Err(AppError::Conflict("the request is already decided".into()));
        }
        Ok(r)
    }

    /// Carries out an erasure request (the school's administrator): the representative's
    /// contacts, notification history and settings, sessions and account access go; their name
    /// becomes [`pseudonym`] wherever records keep a reference; their links to children end.
    /// The journal, consent records (legal proof) and the audit log stay. Audited.
    pub async fn carry_out_erasure(
        &self,
        p: &Principal,
        id: i64,
        client: &Client,
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let r = self.pending_request(c, p, id).await?;
        let (last, first) = pseudonym(r.parent);
        let key = tabel_domain::text::sort_key(&format!("{last} {first}"));
        let erased =
            tabel_store::erasure::erase_parent(c, r.parent, (&last, &first), &key, now).await?;
        tabel_store::erasure::decide(c, id, ErasureState::CarriedOut, p.user, now, "").await?;
        // The clear contact values of this person in the audit log give way to the redaction
        // marker (their keyed digests stay, so the chain still verifies).
        let redacted = audit::redact_contacts_of(c, r.school, r.parent).await?;
        audit::append(
            c,
            &AuditEntry {
                chain: r.school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "erasure.carried_out",
                entity: "person",
                entity_id: r.parent.to_string(),
                before: None,
                after: Some(json!({
                    "request": id.to_string(),
                    "pseudonym": format!("{last} {first}"),
                    "contacts": erased.contacts,
                    "notifications": erased.notifications,
                    "sessions": erased.sessions,
                    "links_ended": erased.links_ended,
                    "audit_contact_records_redacted": redacted,
                })),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(())
    }

    /// Refuses an erasure request with a reason (the school's administrator). Audited.
    pub async fn refuse_erasure(
        &self,
        p: &Principal,
        id: i64,
        reason: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        // Who may decide first: nobody else learns anything from the reason's checks.
        let r = self.pending_request(c, p, id).await?;
        let reason = bounded("reason", reason)?;
        if reason.is_empty() {
            return Err(AppError::invalid(
                "reason",
                "say why the request is refused",
            ));
        }
        tabel_store::erasure::decide(c, id, ErasureState::Refused, p.user, now, &reason).await?;
        audit::append(
            c,
            &AuditEntry {
                chain: r.school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "erasure.refused",
                entity: "person",
                entity_id: r.parent.to_string(),
                before: None,
                after: Some(json!({"request": id.to_string()})),
                reason: Some(&reason),
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
