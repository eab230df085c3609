//! Groups other than classes: subgroups of a class, streams across the classes of a parallel,
//! individual curricula (ИУП). Matched by name within the year; their pupils are named on the
//! sheet «Ученики» ([`Run::pupil_groups`]).

use super::*;
use tabel_domain::setup::values::group_kind_word;

impl Run<'_, '_> {
    pub(super) async fn groups(&mut self, file: &SetupFile) -> Result<(), AppError> {
        for At { row, value: g } in &file.groups {
            let row = *row;
            let mut classes = Vec::new();
            let mut bad = false;
            for c in &g.classes {
                match self.find_class(c) {
                    Ok(s) => classes.push((s.id, s.grade, s.shift)),
                    Err(m) => {
                        self.problem(err(SheetKind::Groups, row, Some("Классы"), m));
                        bad = true;
                    }
                }
            }
            let subject = match &g.subject {
                Some(s) => match self.find_subject(s.as_str()) {
                    Ok(id) => Some(id),
                    Err(m) => {
                        self.problem(err(SheetKind::Groups, row, Some("Предмет"), m));
                        bad = true;
                        None
                    }
                },
                None => None,
            };
            if bad {
                continue;
            }
            let Some(&(first, grade, shift)) = classes.first() else {
                continue;
            };
            let key = sort_key(g.name.as_str());
            if self.classes.keys().any(|n| sort_key(n) == key) {
                self.problem(err(
                    SheetKind::Groups,
                    row,
                    Some("Группа"),
                    format!("«{}» is the name of a class", g.name),
                ));
                continue;
            }
            let stream = g.kind == GroupKind::Stream;
            let class = (!stream).then_some(first);
            let mut members_of: Vec<i64> = if stream {
                classes.iter().map(|c| c.0).collect()
            } else {
                Vec::new()
            };
            members_of.sort_unstable();
            let what = g.name.to_string();
            let after = serde_json::json!({
                "name": g.name.as_str(), "kind": g.kind.code(), "grade": grade,
                "class": class, "classes": members_of, "subject": subject,
            });
            let existing = self
                .groups
                .get(&key)
                .map(|e| (e.id, e.kind, e.grade, e.class, e.classes.clone(), e.subject));
            match existing {
                Some((id, kind, old_grade, old_class, mut old_classes, old_subject)) => {
                    if kind != g.kind {
                        self.problem(err(
                            SheetKind::Groups,
                            row,
                            Some("Вид"),
                            format!(
                                "«{}» is a {} in Tabel; a group of another kind needs another name",
                                g.name,
                                group_kind_word(kind)
                            ),
                        ));
                        continue;
                    }
                    if old_grade != grade {
                        self.problem(err(
                            SheetKind::Groups,
                            row,
                            Some("Классы"),
                            format!("«{}» is a group of grade {old_grade}", g.name),
                        ));
                        continue;
                    }
                    old_classes.sort_unstable();
                    let mut detail = Vec::new();
                    if old_subject != subject {
                        detail.push("предмет");
                    }
                    if old_class != class {
                        detail.push("класс");
                    }
                    if stream && old_classes != members_of {
                        detail.push("классы");
                    }
                    if detail.is_empty() {
                        self.unchanged(SheetKind::Groups);
                        continue;
                    }
                    if self.writing {
                        let gid = GroupId::new(id);
                        facts::set_group_facts(
                            self.conn,
                            gid,
                            class.map(GroupId::new),
                            subject.map(SubjectId::new),
                            shift,
                        )
                        .await?;
                        if stream {
                            let ids: Vec<GroupId> =
                                members_of.iter().copied().map(GroupId::new).collect();
                            facts::set_stream_classes(self.conn, gid, &ids).await?;
                        }
                    }
                    if let Some(e) = self.groups.get_mut(&key) {
                        e.class = class;
                        e.classes.clone_from(&members_of);
                        e.subject = subject;
                        e.shift = shift;
                    }
                    self.changed(Change {
                        kind: SheetKind::Groups,
                        row,
                        created: false,
                        what,
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
                                kind: g.kind,
                                name: g.name.as_str(),
                                grade,
                                parent: class.map(GroupId::new),
                                subject: subject.map(SubjectId::new),
                            },
                        )
                        .await?;
                        // A group studies in its class's shift.
                        if shift != 1 {
                            tt::set_group_shift(self.conn, gid, shift).await?;
                        }
                        if stream {
                            let ids: Vec<GroupId> =
                                members_of.iter().copied().map(GroupId::new).collect();
                            facts::set_stream_classes(self.conn, gid, &ids).await?;
                        }
                        gid.get()
                    } else {
                        self.new_id()
                    };
                    self.groups.insert(
                        key,
                        GroupState {
                            id,
                            name: g.name.to_string(),
                            kind: g.kind,
                            grade,
                            shift,
                            class,
                            classes: members_of,
                            subject,
                        },
                    );
                    self.changed(Change {
                        kind: SheetKind::Groups,
                        row,
                        created: true,
                        what,
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

    /// The groups a pupil's line names, checked against the pupil's class: ids, or the problem.
    pub(super) fn pupil_groups(
        &mut self,
        row: usize,
        class: i64,
        class_name: &ClassName,
        names: &[tabel_domain::text::Title],
    ) -> Option<Vec<i64>> {
        let mut ids = Vec::new();
        for n in names {
            let found = self
                .find_group(n.as_str())
                .map(|g| (g.id, g.kind, g.admits(class), g.name.clone()));
            match found {
                Ok((id, _, true, _)) => ids.push(id),
                Ok((_, kind, false, name)) => {
                    let what = match kind {
                        GroupKind::Stream => "does not draw from",
                        _ => "is not a group of",
                    };
                    self.problem(err(
                        SheetKind::Pupils,
                        row,
                        Some("Группы"),
                        format!("«{name}» {what} {class_name}"),
                    ));
                    return None;
                }
                Err(m) => {
                    self.problem(err(SheetKind::Pupils, row, Some("Группы"), m));
                    return None;
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Some(ids)
    }
}
