//! Pupils (matched by school number, СНИЛС, else full name and birth date; moved between
//! classes on the effective date) and parents (named for a child; linked when they redeem the
//! invitation code).

use super::*;
use tabel_domain::contact::{ContactValue, MAX_CONTACTS_PER_PARENT, Provenance};

impl Run<'_, '_> {
    pub(super) async fn pupils(&mut self, file: &SetupFile) -> Result<(), AppError> {
        let year = if self.year.get() > 0 {
            self.year
        } else {
            AcademicYearId::new(0)
        };
        let existing = facts::pupils(self.conn, self.cx.school, year, self.on).await?;
        let by_id: HashMap<i64, &facts::PupilFacts> =
            existing.iter().map(|p| (p.person.id, p)).collect();
        let mut by_number: HashMap<&str, i64> = HashMap::new();
        let mut by_snils: HashMap<&str, i64> = HashMap::new();
        let mut by_name: HashMap<(String, Option<Date>), Vec<i64>> = HashMap::new();
        for p in &existing {
            if let Some(n) = &p.school_number {
                by_number.insert(n, p.person.id);
            }
            if let Some(s) = &p.snils {
                by_snils.insert(s, p.person.id);
            }
            if let Some(name) = name_of(&p.person) {
                by_name
                    .entry((name.sort_key(), p.person.birth_date))
                    .or_default()
                    .push(p.person.id);
                self.pupils.push(Pupil {
                    id: p.person.id,
                    key: name_key(&name.full()),
                    birth: p.person.birth_date,
                    number: p.school_number.clone(),
                    family: family(&name),
                });
            }
        }
        let mut in_groups: HashMap<i64, Vec<facts::GroupMemberFacts>> = HashMap::new();
        if self.year.get() > 0 {
            for m in facts::group_members(self.conn, self.year, self.on).await? {
                in_groups.entry(m.student_id).or_default().push(m);
            }
        }
        let group_names: HashMap<i64, String> = self
            .groups
            .values()
            .map(|g| (g.id, g.name.clone()))
            .collect();
        let class_names: HashMap<i64, String> = self
            .classes
            .iter()
            .map(|(n, c)| (c.id, n.clone()))
            .collect();
        for At { row, value: p } in &file.pupils {
            let row = *row;
            let class = match self.find_class(&p.class) {
                Ok(c) => c.id,
                Err(m) => {
                    self.problem(err(SheetKind::Pupils, row, Some("Класс"), m));
                    continue;
                }
            };
            let groups = match &p.groups {
                Some(names) => match self.pupil_groups(row, class, &p.class, names) {
                    Some(ids) => Some(ids),
                    None => continue,
                },
                None => None,
            };
            let by_num = p.number.as_deref().and_then(|n| by_number.get(n)).copied();
            let by_sn = p
                .snils
                .as_ref()
                .and_then(|s| by_snils.get(s.as_str()))
                .copied();
            let named = by_name
                .get(&(p.name.sort_key(), Some(p.birth_date)))
                .cloned()
                .unwrap_or_default();
            let found = match (by_num, by_sn) {
                (Some(a), Some(b)) if a != b => {
                    self.problem(err(
                        SheetKind::Pupils,
                        row,
                        None,
                        "the number and the СНИЛС belong to two different pupils",
                    ));
                    continue;
                }
                (Some(a), _) | (None, Some(a)) => Some(a),
                (None, None) => match named.as_slice() {
                    [] => None,
                    [one] => Some(*one),
                    _ => {
                        self.problem(err(
                            SheetKind::Pupils,
                            row,
                            None,
                            format!(
                                "{} pupils are named {} and born {}: add the number or the СНИЛС",
                                named.len(),
                                p.name.full(),
                                tabel_present::date(p.birth_date)
                            ),
                        ));
                        continue;
                    }
                },
            };
            let what = format!("{}, {}", p.name.full(), p.class);
            let after = serde_json::json!({
                "name": p.name.full(), "birth_date": p.birth_date.to_string(),
                "class": p.class.to_string(), "number": p.number,
                "snils": p.snils.as_ref().map(|s| s.as_str()), "groups": groups,
            });
            let Some(id) = found else {
                let starts = p
                    .arrived_on
                    .unwrap_or(self.year_start)
                    .max(self.year_start)
                    .min(self.year_end);
                let id = if self.writing {
                    let pid = repo::insert_person(
                        self.conn,
                        &NewPerson {
                            school: self.cx.school,
                            name: &p.name,
                            sex: p.sex,
                            birth_date: Some(p.birth_date),
                        },
                    )
                    .await?;
                    repo::insert_student(self.conn, pid, self.cx.school, starts).await?;
                    if let Some(s) = &p.snils {
                        facts::set_snils(self.conn, pid, Some(s.as_str())).await?;
                    }
                    if p.number.is_some() || p.arrived_from.is_some() {
                        facts::set_pupil_facts(
                            self.conn,
                            pid,
                            p.number.as_deref(),
                            p.arrived_from.as_deref(),
                        )
                        .await?;
                    }
                    repo::insert_membership(
                        self.conn,
                        self.cx.school,
                        GroupId::new(class),
                        pid,
                        starts,
                        None,
                    )
                    .await?;
                    for g in groups.iter().flatten() {
                        repo::insert_membership(
                            self.conn,
                            self.cx.school,
                            GroupId::new(*g),
                            pid,
                            starts,
                            None,
                        )
                        .await?;
                    }
                    pid.get()
                } else {
                    self.new_id()
                };
                self.pupils.push(Pupil {
                    id,
                    key: name_key(&p.name.full()),
                    birth: Some(p.birth_date),
                    number: p.number.clone(),
                    family: family(&p.name),
                });
                self.changed(Change {
                    kind: SheetKind::Pupils,
                    row,
                    created: true,
                    what,
                    detail: String::new(),
                    id,
                    after,
                })
                .await?;
                continue;
            };
            let Some(e) = by_id.get(&id) else {
                continue;
            };
            let mut detail = Vec::new();
            let stored = name_of(&e.person);
            let person_differs = stored.as_ref() != Some(&p.name)
                || e.person.sex != p.sex.code()
                || e.person.birth_date != Some(p.birth_date);
            if person_differs {
                detail.push("ФИО, пол или дата рождения".to_owned());
            }
            let snils_differs =
                p.snils.is_some() && e.snils.as_deref() != p.snils.as_ref().map(|s| s.as_str());
            if snils_differs {
                detail.push("СНИЛС".into());
            }
            let number_differs = p.number.is_some() && e.school_number != p.number;
            let from_differs = p.arrived_from.is_some() && e.arrived_from != p.arrived_from;
            if number_differs {
                detail.push("номер".into());
            }
            if from_differs {
                detail.push("откуда прибыл".into());
            }
            let moves = e.class_id != Some(class);
            if moves {
                let from = e
                    .class_id
                    .and_then(|c| class_names.get(&c).cloned())
                    .unwrap_or_else(|| "—".into());
                detail.push(format!(
                    "класс {from} → {} с {}",
                    p.class,
                    tabel_present::date(self.on)
                ));
            }
            let current: Vec<&facts::GroupMemberFacts> = in_groups
                .get(&id)
                .map(|v| v.iter().collect())
                .unwrap_or_default();
            let (joins, leaves): (Vec<i64>, Vec<&facts::GroupMemberFacts>) = match &groups {
                Some(wanted) => (
                    wanted
                        .iter()
                        .copied()
                        .filter(|g| current.iter().all(|m| m.group_id != *g))
                        .collect(),
                    current
                        .iter()
                        .copied()
                        .filter(|m| !wanted.contains(&m.group_id))
                        .collect(),
                ),
                None => (Vec::new(), Vec::new()),
            };
            let named = |id: &i64| group_names.get(id).cloned().unwrap_or_default();
            for g in &joins {
                detail.push(format!(
                    "в группу {} с {}",
                    named(g),
                    tabel_present::date(self.on)
                ));
            }
            for m in &leaves {
                detail.push(format!(
                    "из группы {} с {}",
                    named(&m.group_id),
                    tabel_present::date(self.on)
                ));
            }
            if detail.is_empty() {
                self.unchanged(SheetKind::Pupils);
                continue;
            }
            if self.writing {
                let pid = PersonId::new(id);
                if person_differs {
                    facts::update_person(self.conn, pid, &p.name, p.sex, Some(p.birth_date))
                        .await?;
                }
                if snils_differs {
                    facts::set_snils(self.conn, pid, p.snils.as_ref().map(|s| s.as_str())).await?;
                }
                if number_differs || from_differs {
                    facts::set_pupil_facts(
                        self.conn,
                        pid,
                        p.number.as_deref().or(e.school_number.as_deref()),
                        p.arrived_from.as_deref().or(e.arrived_from.as_deref()),
                    )
                    .await?;
                }
                if moves {
                    let mut starts = self.on;
                    if let Some(m) = e.membership_id.map(MembershipId::new) {
                        let began = facts::membership_start(self.conn, m).await?;
                        if let Some(b) = began.filter(|b| *b >= self.on) {
                            // Put in the wrong class on or after the effective date: a
                            // correction, not a move.
                            starts = b;
                            facts::delete_membership(self.conn, m).await?;
                        } else {
                            facts::end_membership_row(self.conn, m, self.on - Duration::days(1))
                                .await?;
                        }
                    }
                    repo::insert_membership(
                        self.conn,
                        self.cx.school,
                        GroupId::new(class),
                        pid,
                        starts,
                        None,
                    )
                    .await?;
                }
                for m in &leaves {
                    let membership = MembershipId::new(m.id);
                    if m.starts_on >= self.on {
                        // Put in the wrong group on or after the effective date: a correction.
                        facts::delete_membership(self.conn, membership).await?;
                    } else {
                        facts::end_membership_row(
                            self.conn,
                            membership,
                            self.on - Duration::days(1),
                        )
                        .await?;
                    }
                }
                for g in &joins {
                    repo::insert_membership(
                        self.conn,
                        self.cx.school,
                        GroupId::new(*g),
                        pid,
                        self.on,
                        None,
                    )
                    .await?;
                }
            }
            self.changed(Change {
                kind: SheetKind::Pupils,
                row,
                created: false,
                what,
                detail: detail.join("; "),
                id,
                after,
            })
            .await?;
        }
        Ok(())
    }

    fn find_child(&self, c: &ChildRef) -> Result<i64, String> {
        let found: Vec<i64> = match c {
            ChildRef::Number(n) => self
                .pupils
                .iter()
                .filter(|p| p.number.as_deref() == Some(n.as_str()))
                .map(|p| p.id)
                .collect(),
            ChildRef::Named {
                key, birth_date, ..
            } => self
                .pupils
                .iter()
                .filter(|p| &p.key == key && (birth_date.is_none() || p.birth == *birth_date))
                .map(|p| p.id)
                .collect(),
        };
        let shown = match c {
            ChildRef::Number(n) => format!("number {n}"),
            ChildRef::Named { shown, .. } => shown.clone(),
        };
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!("no pupil {shown}: add them to the sheet «Ученики»")),
            _ => Err(format!(
                "{} pupils match {shown}: name the child by number or add the birth date",
                found.len()
            )),
        }
    }

    pub(super) async fn parents(&mut self, file: &SetupFile) -> Result<(), AppError> {
        let existing = facts::parents(self.conn, self.cx.school).await?;
        // Each parent's live contacts (kind and value), and how many they hold.
        let mut contacts = Contacts::default();
        for c in facts::contacts(self.conn, self.cx.school).await? {
            *contacts.count.entry(c.parent_id).or_default() += 1;
            contacts.held.insert((c.parent_id, c.kind, c.value));
        }
        // Pairs already named (linked or invited): (parent's name, child) → parent, relation.
        let mut pairs: HashMap<(String, i64), (i64, String)> = HashMap::new();
        // Parent's name → the parents of that name, their birth dates and the families of their
        // children.
        let mut by_name: HashMap<String, HashSet<(i64, String, Option<Date>)>> = HashMap::new();
        let families: HashMap<i64, String> = self
            .pupils
            .iter()
            .map(|p| (p.id, p.family.clone()))
            .collect();
        let mut born: HashMap<i64, Option<Date>> = existing
            .iter()
            .map(|p| (p.person.id, p.person.birth_date))
            .collect();
        for p in &existing {
            if let Some(name) = name_of(&p.person) {
                pairs.insert(
                    (name.sort_key(), p.student_id),
                    (p.person.id, p.relation.clone()),
                );
                if let Some(f) = families.get(&p.student_id) {
                    by_name.entry(name.sort_key()).or_default().insert((
                        p.person.id,
                        f.clone(),
                        p.person.birth_date,
                    ));
                }
            }
        }
        for At { row, value: p } in &file.parents {
            let row = *row;
            let child = match self.find_child(&p.child) {
                Ok(c) => c,
                Err(m) => {
                    let col = match p.child {
                        ChildRef::Number(_) => "Номер ученика",
                        ChildRef::Named { .. } => "Ученик",
                    };
                    self.problem(err(SheetKind::Parents, row, Some(col), m));
                    continue;
                }
            };
            let key = p.name.sort_key();
            let what = format!("{} ({})", p.name.full(), relation_word(p.relation));
            let after = serde_json::json!({
                "name": p.name.full(), "child": child, "relation": p.relation.code(),
                "contacts": p.contacts.iter().map(ContactValue::as_str).collect::<Vec<_>>(),
                "basis": p.basis,
            });
            if let Some((parent, relation)) = pairs.get(&(key.clone(), child)).cloned() {
                let Some(new_contacts) = self.new_contacts(row, parent, p, &mut contacts) else {
                    continue;
                };
                let relation_changes = relation != p.relation.code();
                let birth_changes =
                    p.birth_date.is_some() && born.get(&parent).copied().flatten() != p.birth_date;
                if !relation_changes && !birth_changes && new_contacts.is_empty() {
                    self.unchanged(SheetKind::Parents);
                    continue;
                }
                let mut detail = Vec::new();
                if birth_changes {
                    if self.writing {
                        facts::update_person(
                            self.conn,
                            PersonId::new(parent),
                            &p.name,
                            p.sex,
                            p.birth_date,
                        )
                        .await?;
                    }
                    born.insert(parent, p.birth_date);
                    detail.push("дата рождения".to_owned());
                }
                if relation_changes {
                    if self.writing {
                        let (pp, cc) = (PersonId::new(parent), PersonId::new(child));
                        facts::set_invitation_relation(self.conn, pp, cc, p.relation).await?;
                        facts::set_guardianship_relation(self.conn, pp, cc, p.relation).await?;
                    }
                    let old = Relation::from_code(&relation).map_or("—", relation_word);
                    detail.push(format!("{old} → {}", relation_word(p.relation)));
                }
                self.write_contacts(parent, p, &new_contacts, &mut detail)
                    .await?;
                self.changed(Change {
                    kind: SheetKind::Parents,
                    row,
                    created: false,
                    what,
                    detail: detail.join("; "),
                    id: parent,
                    after,
                })
                .await?;
                continue;
            }
            // The same person for another child: the one parent of that name whose children
            // are this child's siblings (see [`family`]) and, where both are known, born on the
            // same day (namesakes born on other days are two persons).
            let child_family = families.get(&child).cloned().unwrap_or_default();
            let known: HashSet<i64> = by_name
                .get(&key)
                .into_iter()
                .flatten()
                .filter(|(_, f, b)| {
                    *f == child_family
                        && (b.is_none() || p.birth_date.is_none() || *b == p.birth_date)
                })
                .map(|(id, _, _)| *id)
                .collect();
            let parent = match known.len() {
                0 => None,
                1 => known.iter().next().copied(),
                n => {
                    self.problem(err(
                        SheetKind::Parents,
                        row,
                        None,
                        format!(
                            "{n} parents in the school are named {}: link this one on the \
                             pupil's page",
                            p.name.full()
                        ),
                    ));
                    continue;
                }
            };
            let created = parent.is_none();
            let new_contacts = match parent {
                Some(id) => self.new_contacts(row, id, p, &mut contacts),
                // A new person: the fake id below holds nothing yet.
                None => self.new_contacts(row, 0, p, &mut contacts),
            };
            let Some(new_contacts) = new_contacts else {
                continue;
            };
            let parent = match parent {
                Some(id) => id,
                None if self.writing => repo::insert_person(
                    self.conn,
                    &NewPerson {
                        school: self.cx.school,
                        name: &p.name,
                        sex: p.sex,
                        birth_date: p.birth_date,
                    },
                )
                .await?
                .get(),
                None => self.new_id(),
            };
            if self.writing {
                facts::insert_invitation(
                    self.conn,
                    self.cx.school,
                    PersonId::new(parent),
                    PersonId::new(child),
                    p.relation,
                    self.cx.now,
                )
                .await?;
            }
            pairs.insert((key.clone(), child), (parent, p.relation.code().to_owned()));
            let birth = match born.get(&parent) {
                Some(b) => *b,
                None => p.birth_date,
            };
            born.insert(parent, birth);
            by_name
                .entry(key)
                .or_default()
                .insert((parent, child_family, birth));
            if created {
                // What the line added was counted for "nobody" (id 0): it is the new parent's.
                contacts.adopt(parent);
            }
            let mut detail = Vec::new();
            if !created {
                detail.push("ещё один ребёнок".to_owned());
            }
            self.write_contacts(parent, p, &new_contacts, &mut detail)
                .await?;
            if created {
                detail.clear();
            }
            self.changed(Change {
                kind: SheetKind::Parents,
                row,
                created,
                what,
                detail: detail.join("; "),
                id: parent,
                after,
            })
            .await?;
        }
        Ok(())
    }
}

/// «мать», «отец» … as the lists write it.
pub(crate) fn relation_word(r: Relation) -> &'static str {
    match r {
        Relation::Mother => "мать",
        Relation::Father => "отец",
        Relation::Guardian => "опекун",
        Relation::Trustee => "попечитель",
        Relation::Other => "законный представитель",
    }
}

/// The parents' live contacts as the import goes: what each holds and how many.
#[derive(Default)]
struct Contacts {
    held: HashSet<(i64, String, String)>,
    count: HashMap<i64, usize>,
}

impl Contacts {
    /// Moves what was counted for a parent not yet written (id 0) to their new id.
    fn adopt(&mut self, parent: i64) {
        let moved: Vec<(i64, String, String)> =
            self.held.iter().filter(|h| h.0 == 0).cloned().collect();
        for (_, kind, value) in moved {
            self.held.remove(&(0, kind.clone(), value.clone()));
            self.held.insert((parent, kind, value));
        }
        if let Some(n) = self.count.remove(&0) {
            *self.count.entry(parent).or_default() += n;
        }
    }
}

impl Run<'_, '_> {
    /// The contacts of a parent's line the parent does not hold yet (counted as held from now
    /// on), or `None` with the problem recorded when they would exceed the parent's limit.
    fn new_contacts(
        &mut self,
        row: usize,
        parent: i64,
        line: &tabel_domain::setup::ParentLine,
        contacts: &mut Contacts,
    ) -> Option<Vec<ContactValue>> {
        let fresh: Vec<ContactValue> = line
            .contacts
            .iter()
            .filter(|c| {
                !contacts.held.contains(&(
                    parent,
                    c.kind().code().to_owned(),
                    c.as_str().to_owned(),
                ))
            })
            .cloned()
            .collect();
        let count = contacts.count.get(&parent).copied().unwrap_or(0);
        if count + fresh.len() > MAX_CONTACTS_PER_PARENT {
            self.problem(err(
                SheetKind::Parents,
                row,
                Some("Телефон"),
                format!(
                    "{} would hold more than {MAX_CONTACTS_PER_PARENT} contacts",
                    line.name.full()
                ),
            ));
            return None;
        }
        for c in &fresh {
            contacts
                .held
                .insert((parent, c.kind().code().to_owned(), c.as_str().to_owned()));
        }
        *contacts.count.entry(parent).or_default() += fresh.len();
        Some(fresh)
    }

    /// Registers a line's new contacts for the parent (from the document the line names).
    async fn write_contacts(
        &mut self,
        parent: i64,
        line: &tabel_domain::setup::ParentLine,
        fresh: &[ContactValue],
        detail: &mut Vec<String>,
    ) -> Result<(), AppError> {
        let basis = line.basis.as_deref().unwrap_or_default();
        for value in fresh {
            detail.push(format!("контакт {}", value.as_str()));
            if !self.writing {
                continue;
            }
            let id = tabel_store::contact::insert_contact(
                self.conn,
                &tabel_store::contact::NewContact {
                    school: self.cx.school,
                    parent: PersonId::new(parent),
                    value,
                    provenance: Provenance::WrittenApplication,
                    basis,
                    preferred: false,
                    entered_by: self.cx.actor,
                    entered_by_person: None,
                    entered_at: self.cx.now,
                    verified_at: None,
                },
            )
            .await?;
            tabel_store::outbox::emit(
                self.conn,
                Some(self.cx.school),
                "contact.added",
                &serde_json::json!({
                    "contact_id": id.to_string(), "parent_id": parent.to_string(),
                    "kind": value.kind().code(), "network": null,
                    "provenance": Provenance::WrittenApplication.code(),
                    "preferred": false, "verified": false,
                }),
                self.cx.now,
            )
            .await?;
        }
        Ok(())
    }
}
