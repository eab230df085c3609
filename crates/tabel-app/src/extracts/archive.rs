//! Checking an issued extract by its code, the class archive at the year's end and the summary document.

use super::*;

/// What the verification page shows: no marks, the pupil's initials at most.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The code.
    pub code: String,
    /// The school's full name.
    pub school: String,
    /// When issued.
    pub issued_at: time::OffsetDateTime,
    /// "И. П."
    pub initials: String,
    /// The class.
    pub class_name: Option<String>,
    /// First day covered.
    pub from: Date,
    /// Last day covered.
    pub to: Date,
    /// `paper` or `download`.
    pub channel: String,
    /// SHA-256 of the PDF it was printed from.
    pub pdf_sha256: String,
    /// SHA-256 of the pupil's data as printed.
    pub content_sha256: String,
}

/// A journal of a class for the archive print.
#[derive(Debug, Clone)]
pub struct ArchivedJournal {
    /// The journal's group.
    pub group: GroupId,
    /// Its name.
    pub group_name: String,
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// Its teachers ("Иванова Мария Петровна").
    pub teachers: Vec<String>,
    /// The group's pupils in the year, in journal order.
    pub pupils: Vec<Pupil>,
    /// The journal's lessons of the year, by date (cancelled ones included).
    pub lessons: Vec<LessonFact>,
    /// Its marks.
    pub marks: Vec<MarkFact>,
    /// Attendance on its lessons.
    pub attendance: Vec<AbsenceFact>,
    /// The period averages: (pupil, period) → average.
    pub averages: HashMap<(PersonId, PeriodId), Average>,
    /// Final marks of the subject: (pupil, slot code) → value code.
    pub finals: HashMap<(PersonId, String), String>,
}

/// A class's journals for the year-end archive.
#[derive(Debug, Clone)]
pub struct ClassArchive {
    /// The school.
    pub school: School,
    /// The class.
    pub class: Group,
    /// "2026/2027".
    pub year: String,
    /// The periods of the class's grade.
    pub periods: Vec<Period>,
    /// The journals.
    pub journals: Vec<ArchivedJournal>,
    /// The day printed.
    pub today: Date,
    /// Who signs.
    pub signer: Signer,
}

/// The summary sheet with what its print needs besides.
#[derive(Debug, Clone)]
pub struct SummaryDocument {
    /// The sheet.
    pub sheet: SummarySheet,
    /// The school.
    pub school: School,
    /// "2026/2027".
    pub year: String,
    /// The day printed.
    pub today: Date,
    /// Who signs.
    pub signer: Signer,
}

impl App {
    /// Whether an extract with this code was issued — for anyone, no login: the school, when,
    /// the dates and the hashes, the pupil's initials; never a mark. A personal file's code
    /// answers too (channel `personal_file`). `NotFound` for a code never issued (or not a
    /// code at all).
    pub async fn verify_extract(&self, code: &ExtractCode) -> Result<Verification, AppError> {
        let code = code.as_str();
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let Some(e) = repo::by_code(c, code).await? else {
            // A personal file's code is checked the same way.
            return self
                .verify_personal_file(c, code)
                .await?
                .ok_or(AppError::NotFound);
        };
        Ok(Verification {
            code: e.code,
            school: e.school_name,
            issued_at: e.issued_at,
            initials: e.student_initials,
            class_name: e.class_name,
            from: e.from,
            to: e.to,
            channel: e.channel,
            pdf_sha256: e.pdf_sha256,
            content_sha256: e.content_sha256,
        })
    }

    /// The summary sheet with the school, year and signer for its print (who may read the
    /// sheet: administrators, deputy heads, the class teacher).
    pub async fn summary_document(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<SummaryDocument, AppError> {
        let sheet = self.summary_sheet(p, class).await?;
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let school = school_of(c, sheet.class.school).await?;
        let year = tabel_store::finals::year(c, sheet.class.year)
            .await?
            .map(|(label, _, _)| label)
            .unwrap_or_default();
        let signer = self.signer_of(c, p, &sheet.class).await?;
        Ok(SummaryDocument {
            sheet,
            school,
            year,
            today: self.today(),
            signer,
        })
    }

    /// A class's journals of its year for the archive print (administrators, deputy heads, the
    /// class teacher): every lesson with topic and homework, marks, attendance, averages and
    /// final marks, gathered in a fixed handful of queries for the whole class. `only` keeps
    /// one journal (group, subject).
    #[tracing::instrument(skip_all, fields(class = %class))]
    pub async fn class_archive(
        &self,
        p: &Principal,
        class: GroupId,
        only: Option<(GroupId, SubjectId)>,
    ) -> Result<ClassArchive, AppError> {
        let today = self.today();
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let g = self.printable_class(c, p, class).await?;
        let (label, first, last) = tabel_store::finals::year(c, g.year)
            .await?
            .ok_or(AppError::NotFound)?;
        let range = (first, last);
        let (_, periods) = periods_of(c, &g, today).await?;
        let journals = tabel_store::journal::journals_of_class(c, class).await?;
        if let Some((group, subject)) = only
            && !journals
                .iter()
                .any(|j| j.group == group && j.subject == subject)
        {
            return Err(AppError::NotFound);
        }
        let lessons = repo::journal_lessons(c, class, range).await?;
        let marks = repo::journal_marks(c, class, range).await?;
        let attendance = repo::journal_attendance(c, class, range).await?;
        let members = repo::journal_members(c, class, range).await?;
        let finals = repo::journal_finals(c, class, g.year).await?;
        let policy = self.policy_of(c, g.school).await?;
        let school = school_of(c, g.school).await?;
        let signer = self.signer_of(c, p, &g).await?;
        drop(pooled);

        // One journal per (group, subject), its teachers gathered.
        let mut keys: Vec<(GroupId, SubjectId)> = Vec::new();
        let mut names: HashMap<(GroupId, SubjectId), (String, String, Vec<String>)> =
            HashMap::new();
        for j in journals {
            let key = (j.group, j.subject);
            if only.is_some_and(|o| o != key) {
                continue;
            }
            let entry = names.entry(key).or_insert_with(|| {
                keys.push(key);
                (j.group_name.clone(), j.subject_name.clone(), Vec::new())
            });
            if !entry.2.contains(&j.teacher_name) {
                entry.2.push(j.teacher_name.clone());
            }
        }
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let (group_name, subject_name, teachers) = names.remove(&key).unwrap_or_default();
            let (group, subject) = key;
            let j_lessons: Vec<LessonFact> = lessons
                .iter()
                .filter(|l| l.group == group && l.subject == subject)
                .cloned()
                .collect();
            let ids: HashSet<i64> = j_lessons.iter().map(|l| l.id).collect();
            let j_marks: Vec<MarkFact> = marks
                .iter()
                .filter(|m| m.group == group && m.subject == subject)
                .cloned()
                .collect();
            let j_attendance: Vec<AbsenceFact> = attendance
                .iter()
                .filter(|a| ids.contains(&a.lesson))
                .cloned()
                .collect();
            let pupils: Vec<Pupil> = members
                .iter()
                .filter(|m| m.group == group)
                .map(|m| m.pupil.clone())
                .collect();
            let mut averages: HashMap<(PersonId, PeriodId), Average> = HashMap::new();
            for m in &j_marks {
                let Some(period) = periods
                    .iter()
                    .find(|x| x.starts_on <= m.on && m.on <= x.ends_on)
                else {
                    continue;
                };
                if let Ok(mark) = policy.policy.parse_mark(&m.value, subject.get()) {
                    averages
                        .entry((m.student, period.id))
                        .or_default()
                        .add(mark, m.weight);
                }
            }
            let members_of: HashSet<PersonId> = pupils.iter().map(|x| x.id).collect();
            let j_finals: HashMap<(PersonId, String), String> = finals
                .iter()
                .filter(|f| f.subject == subject && members_of.contains(&f.student))
                .map(|f| ((f.student, f.slot.clone()), f.value.clone()))
                .collect();
            out.push(ArchivedJournal {
                group,
                group_name,
                subject,
                subject_name,
                teachers,
                pupils,
                lessons: j_lessons,
                marks: j_marks,
                attendance: j_attendance,
                averages,
                finals: j_finals,
            });
        }
        Ok(ClassArchive {
            school,
            class: g,
            year: label,
            periods,
            journals: out,
            today,
            signer,
        })
    }

    /// The classes of a school's year named "2026/2027" (for the archive on the command line):
    /// the school (the only one, or `school`) and its classes.
    pub async fn system_year_classes(
        &self,
        school: Option<SchoolId>,
        year: &str,
    ) -> Result<(SchoolId, Vec<Group>), AppError> {
        let start: i32 = year
            .split('/')
            .next()
            .and_then(|y| y.trim().parse().ok())
            .filter(|y| (1990..=2100).contains(y))
            .ok_or_else(|| {
                AppError::invalid("year", format!("{year:?}: write the year as 2026/2027"))
            })?;
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let schools = school_repo::list_schools(c).await?;
        let school = match (school, schools.as_slice()) {
            (Some(s), _) if schools.iter().any(|x| x.id == s) => s,
            (Some(_), _) => return Err(AppError::invalid("school", "no such school")),
            (None, [one]) => one.id,
            (None, []) => return Err(AppError::invalid("school", "the database holds no school")),
            (None, many) => {
                return Err(AppError::invalid(
                    "school",
                    format!(
                        "the database holds {} schools: choose one (numbers: {})",
                        many.len(),
                        many.iter()
                            .map(|s| s.id.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        };
        let on = Date::from_calendar_date(start, time::Month::September, 1)
            .map_err(|_| AppError::invalid("year", "write the year as 2026/2027"))?;
        let y = school_repo::academic_year_on(c, school, on)
            .await?
            .filter(|y| y.label.starts_with(&start.to_string()))
            .ok_or_else(|| AppError::invalid("year", format!("the school has no year {year}")))?;
        let classes = school_repo::list_groups(c, y.id, y.ends_on, Some(GroupKind::Class)).await?;
        Ok((school, classes))
    }

    /// A class by name in a school's current year (the command line's `--class 5А`).
    pub async fn system_class_by_name(
        &self,
        school: Option<SchoolId>,
        name: &str,
    ) -> Result<Group, AppError> {
        let today = self.today();
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let schools = school_repo::list_schools(c).await?;
        let candidates: Vec<SchoolId> = match school {
            Some(s) => vec![s],
            None => schools.iter().map(|s| s.id).collect(),
        };
        let mut found = Vec::new();
        for s in candidates {
            let Some(year) = school_repo::academic_year_on(c, s, today).await? else {
                continue;
            };
            found.extend(
                school_repo::list_groups(c, year.id, today, Some(GroupKind::Class))
                    .await?
                    .into_iter()
                    .filter(|g| g.name.eq_ignore_ascii_case(name.trim())),
            );
        }
        match found.len() {
            0 => Err(AppError::invalid(
                "class",
                format!("no class {name:?} this year"),
            )),
            1 => Ok(found.remove(0)),
            _ => Err(AppError::invalid(
                "class",
                format!("{name:?} is in several schools: choose one with --school"),
            )),
        }
    }
}
