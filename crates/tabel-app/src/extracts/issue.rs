//! Issuing extracts: who signs, gathering a class's data once, building, typesetting and registering each pupil's paper.

use super::*;

/// Who signs a document, as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SignerRole {
    /// The class teacher.
    ClassTeacher,
    /// A deputy head.
    Deputy,
    /// The school's administrator.
    Admin,
}

/// The signer: their role and short name ("Иванова М. П.").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// As whom they sign.
    pub role: SignerRole,
    /// Their name ("" when not known).
    pub name: String,
}

/// A subject's line of a pupil's extract.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectLine {
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub name: String,
    /// The marks of the range, by date.
    pub marks: Vec<MarkFact>,
    /// Their weighted average.
    #[serde(skip)]
    pub average: Average,
    /// Lessons held so far in the range.
    pub lessons: u32,
    /// Of them missed.
    pub missed: u32,
}

/// Homework of the range.
#[derive(Debug, Clone, Serialize)]
pub struct HomeworkLine {
    /// Due.
    pub due: Date,
    /// The subject's name.
    pub subject: String,
    /// The task.
    pub text: String,
}

/// One pupil's extract.
#[derive(Debug, Clone, Serialize)]
pub struct PupilExtract {
    /// The pupil.
    pub pupil: Pupil,
    /// The verification code printed on it.
    pub code: String,
    /// Marks by subject (the school's subject order).
    pub subjects: Vec<SubjectLine>,
    /// Attendance over the range.
    pub attendance: AttendanceSummary,
    /// Published final marks.
    pub finals: Vec<FinalFact>,
    /// The forecast for the current period, when the range reaches it.
    pub forecast: Vec<SubjectForecast>,
    /// Recommendations written in the range, their instants in the school's local time.
    pub recommendations: Vec<RecommendationFact>,
    /// Homework due in the range (when asked for).
    pub homework: Vec<HomeworkLine>,
}

/// Everything the extracts of one print run need.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractBatch {
    /// The school.
    pub school: School,
    /// The class.
    pub class: Group,
    /// "2026/2027".
    pub year: String,
    /// The period asked for, if any.
    pub period: Option<Period>,
    /// The periods of the class's grade.
    pub periods: Vec<Period>,
    /// First day covered.
    pub from: Date,
    /// Last day covered.
    pub to: Date,
    /// The period the forecast is for.
    pub forecast_period: Option<Period>,
    /// The final-mark columns to print, in order (slot codes).
    pub final_slots: Vec<String>,
    /// The school's work types seen in the marks: code → (name, weight).
    pub work_types: BTreeMap<String, (String, u8)>,
    /// Homework was asked for.
    pub with_homework: bool,
    /// The day of issue.
    pub today: Date,
    /// Who signs.
    pub signer: Signer,
    /// The print run's id.
    pub batch: String,
    /// `paper` (the school prints it) or `download` (a parent takes it).
    pub channel: &'static str,
    /// One extract per pupil, in list order.
    pub pupils: Vec<PupilExtract>,
}

/// What was issued: the PDF and its registry rows.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The PDF.
    pub pdf: Vec<u8>,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// The print run.
    pub batch: String,
    /// (pupil, verification code) in the PDF's order.
    pub codes: Vec<(PersonId, String)>,
    /// The class, for a file name.
    pub class_name: String,
}

impl App {
    /// Who signs what `p` prints for `class`: `p` themself by their role, when they are a
    /// person of the school; else (the command line, a parent's download) the class teacher.
    pub(super) async fn signer_of(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        class: &Group,
    ) -> Result<Signer, AppError> {
        let role = if p.class_teacher_of.contains(&(class.school, class.id)) {
            Some(SignerRole::ClassTeacher)
        } else if p.has_role(Role::Deputy, class.school) {
            Some(SignerRole::Deputy)
        } else if p.is_admin_of(class.school) {
            Some(SignerRole::Admin)
        } else {
            None
        };
        if let (Some(role), Some(me)) = (role, p.person)
            && let Some((_, person)) = school_repo::get_person(c, me).await?
        {
            return Ok(Signer {
                role,
                name: person.short_name(),
            });
        }
        Ok(Signer {
            role: SignerRole::ClassTeacher,
            name: class.class_teacher.clone().unwrap_or_default(),
        })
    }
}

impl App {
    /// Issues extracts: checks who asks, gathers the data of the pupils (the whole class in a
    /// fixed handful of queries), gives each extract a verification code, renders the PDF with
    /// `render` on a blocking thread, then records every extract (with the PDF's SHA-256), the
    /// audit record and the outbox event in one transaction. Nothing is recorded when
    /// rendering fails.
    #[tracing::instrument(skip_all, fields(target = ?target))]
    pub async fn issue_extracts<F>(
        &self,
        p: &Principal,
        target: Target,
        req: &ExtractRequest,
        client: &Client,
        render: F,
    ) -> Result<Issued, AppError>
    where
        F: FnOnce(&ExtractBatch) -> Result<Vec<u8>, String> + Send + 'static,
    {
        let batch = self.prepare_extracts(p, &target, req).await?;
        self.finish_extracts(p, batch, req, client, render).await
    }

    /// What the command line prints for a class or a pupil: as the school's operator
    /// (administrator rights, no user: the audit names no actor).
    pub async fn system_issue_extracts<F>(
        &self,
        target: Target,
        req: &ExtractRequest,
        render: F,
    ) -> Result<Issued, AppError>
    where
        F: FnOnce(&ExtractBatch) -> Result<Vec<u8>, String> + Send + 'static,
    {
        let school = {
            let mut pooled = self.db.acquire().await?;
            let c = &mut pooled.conn();
            match &target {
                Target::Student(s) => {
                    school_repo::get_student(c, *s)
                        .await?
                        .ok_or(AppError::NotFound)?
                        .school
                }
                Target::Class { class, .. } => {
                    school_repo::get_group(c, *class, self.today())
                        .await?
                        .ok_or(AppError::NotFound)?
                        .school
                }
            }
        };
        let p = operator(school);
        let batch = self.prepare_extracts(&p, &target, req).await?;
        self.finish_extracts(&p, batch, req, &Client::cli(), render)
            .await
    }

    async fn prepare_extracts(
        &self,
        p: &Principal,
        target: &Target,
        req: &ExtractRequest,
    ) -> Result<ExtractBatch, AppError> {
        let handed_to = req.handed_to.trim();
        if handed_to.chars().count() > MAX_HANDED_TO {
            return Err(AppError::invalid(
                "handed_to",
                format!("at most {MAX_HANDED_TO} characters"),
            ));
        }
        let today = self.today();
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let (class, only, channel, paper_only) = match target {
            Target::Class { class, only_paper } => (
                self.printable_class(c, p, *class).await?,
                None,
                "paper",
                *only_paper,
            ),
            Target::Student(student) => {
                let on: Vec<Date> = [req.range.to, Some(today)].into_iter().flatten().collect();
                let (class, keeper) = self.student_access(c, p, *student, &on).await?;
                (
                    class,
                    Some(*student),
                    if keeper { "paper" } else { "download" },
                    false,
                )
            }
        };
        let (current, periods) = periods_of(c, &class, today).await?;
        let (period, from, to) = resolve_range(&req.range, &periods, today)?;
        // The forecast is for the current period, when the range reaches it.
        let forecast_period = current
            .clone()
            .filter(|cp| cp.starts_on <= to && from <= cp.ends_on);
        let mut fetch = (from, to);
        if let Some(fp) = &forecast_period {
            fetch = (fetch.0.min(fp.starts_on), fetch.1.max(fp.ends_on));
        }
        if req.homework {
            fetch.0 = fetch.0.min(from - Duration::days(HOMEWORK_LOOKBACK_DAYS));
        }
        let school = school_of(c, class.school).await?;
        let year = tabel_store::finals::year(c, class.year)
            .await?
            .map(|(label, _, _)| label)
            .unwrap_or_default();
        let subjects = school_repo::list_subjects(c, class.school).await?;
        let policy = self.policy_of(c, class.school).await?;
        let mut pupils = repo::pupils(c, class.id, (from, to), only).await?;
        if paper_only {
            drop(pooled);
            let queue = self.print_queue(p, class.id).await?;
            let paper: HashSet<PersonId> = queue.lines.iter().map(|l| l.student).collect();
            pupils.retain(|x| paper.contains(&x.id));
            pooled = self.db.acquire().await?;
        }
        let c = &mut pooled.conn();
        let groups = repo::memberships(c, class.id, fetch, only).await?;
        let lessons = repo::lessons(c, class.id, fetch, only).await?;
        let marks = repo::marks(c, class.id, fetch, only).await?;
        let attendance = repo::attendance(c, class.id, fetch, only).await?;
        let recommendations = repo::recommendations(c, class.id, (from, to), only).await?;
        let finals = repo::finals(c, class.id, class.year, (from, to), only).await?;
        let signer = self.signer_of(c, p, &class).await?;
        drop(pooled);

        let gathered = Gathered {
            groups,
            lessons,
            marks,
            attendance,
            recommendations,
            finals,
        };
        let zone = &self.config.time_zone;
        let mut work_types: BTreeMap<String, (String, u8)> = BTreeMap::new();
        let mut slots_seen: HashSet<String> = HashSet::new();
        let mut out = Vec::with_capacity(pupils.len());
        for pupil in pupils {
            let e = gathered.pupil_extract(
                pupil,
                &subjects,
                &policy.policy,
                (from, to),
                forecast_period.as_ref(),
                today,
                req.homework,
                zone,
            );
            // The legend names every work type printed: those of the marks, and those the
            // forecast asks for («для «5» нужно 2 отметки «5» (ПР)»).
            let marked = e
                .subjects
                .iter()
                .flat_map(|s| &s.marks)
                .map(|m| (&m.work_type, m.weight));
            let needed = e
                .forecast
                .iter()
                .flat_map(|f| [&f.forecast.next_up, &f.forecast.avoid_two])
                .flatten()
                .map(|n| (&n.work_type, 0));
            for (code, weight) in marked.chain(needed) {
                if !work_types.contains_key(code) {
                    let (name, weight) = policy
                        .policy
                        .work_type(code)
                        .map_or_else(|| (code.clone(), weight), |w| (w.name.clone(), w.weight));
                    work_types.insert(code.clone(), (name, weight));
                }
            }
            slots_seen.extend(e.finals.iter().map(|f| f.slot.clone()));
            out.push(e);
        }
        // Final-mark columns: the periods begun by the range's end, then the year, exam and
        // итоговая when any pupil has one.
        let mut final_slots: Vec<String> = periods
            .iter()
            .filter(|x| x.starts_on <= to)
            .map(|x| tabel_store::finals::Slot::Period(x.id).code())
            .collect();
        for s in ["year", "exam", "final"] {
            if slots_seen.contains(s) {
                final_slots.push(s.to_owned());
            }
        }
        let mut seen_codes: HashSet<String> = HashSet::new();
        for e in &mut out {
            loop {
                let code = new_code()?;
                if seen_codes.insert(code.clone()) {
                    e.code = code;
                    break;
                }
            }
        }
        Ok(ExtractBatch {
            school,
            class,
            year,
            period,
            periods,
            from,
            to,
            forecast_period,
            final_slots,
            work_types,
            with_homework: req.homework,
            today,
            signer,
            batch: new_code()?,
            channel,
            pupils: out,
        })
    }

    async fn finish_extracts<F>(
        &self,
        p: &Principal,
        batch: ExtractBatch,
        req: &ExtractRequest,
        client: &Client,
        render: F,
    ) -> Result<Issued, AppError>
    where
        F: FnOnce(&ExtractBatch) -> Result<Vec<u8>, String> + Send + 'static,
    {
        if batch.pupils.is_empty() {
            return Err(AppError::Conflict(
                "nobody to print: no pupil of the class is in this list for these dates".into(),
            ));
        }
        // Typesetting takes a core: a few documents at once, the rest wait their turn.
        let (batch, pdf) = self
            .run_bounded(move || {
                let pdf = render(&batch);
                (batch, pdf)
            })
            .await?;
        let pdf = pdf.map_err(AppError::Internal)?;
        let sha256 = sha256_hex(&pdf);
        let actor = (p.user.get() != 0).then_some(p.user);
        let handed_to = match batch.channel {
            // A parent's own download: handed to them by the act.
            "download" => match p.person {
                Some(me) => {
                    let mut c = self.db.acquire().await?;
                    school_repo::get_person(&mut c.conn(), me)
                        .await?
                        .map(|(_, x)| x.full_name())
                        .unwrap_or_default()
                }
                None => String::new(),
            },
            _ => req.handed_to.trim().to_owned(),
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let mut codes = Vec::with_capacity(batch.pupils.len());
        for e in &batch.pupils {
            let content = serde_json::to_vec(e).map_err(|x| AppError::Internal(x.to_string()))?;
            let row = repo::NewExtract {
                school: batch.class.school,
                code: &e.code,
                batch: &batch.batch,
                student: e.pupil.id,
                class: Some(batch.class.id),
                period: batch.period.as_ref().map(|x| x.id),
                from: batch.from,
                to: batch.to,
                with_homework: batch.with_homework,
                channel: batch.channel,
                pdf_sha256: &sha256,
                content_sha256: &sha256_hex(&content),
                signer: &batch.signer.name,
                issued_by: actor,
                issued_at: now,
                handed_to: &handed_to,
            };
            repo::insert(c, &row).await.map_err(|e| match e {
                StoreError::Duplicate(_) => {
                    AppError::Conflict("a verification code was taken; print again".into())
                }
                other => other.into(),
            })?;
            codes.push((e.pupil.id, e.code.clone()));
        }
        let after = serde_json::json!({
            "batch": batch.batch, "class_id": batch.class.id.to_string(),
            "period_id": batch.period.as_ref().map(|x| x.id.to_string()),
            "from": batch.from.to_string(), "to": batch.to.to_string(),
            "channel": batch.channel, "with_homework": batch.with_homework,
            "pdf_sha256": sha256, "handed_to": handed_to,
            "extracts": codes.iter().map(|(s, code)| serde_json::json!({"student_id": s.to_string(), "code": code})).collect::<Vec<_>>(),
        });
        audit::append(
            c,
            &AuditEntry {
                chain: batch.class.school.get(),
                at: now,
                actor: actor.map(UserId::get),
                action: "extract.issue",
                entity: "extract_batch",
                entity_id: batch.batch.clone(),
                before: None,
                after: Some(after.clone()),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        outbox::emit(c, Some(batch.class.school), "extracts.issued", &after, now).await?;
        tx.commit().await?;
        Ok(Issued {
            pdf,
            sha256,
            batch: batch.batch,
            codes,
            class_name: batch.class.name,
        })
    }
}
