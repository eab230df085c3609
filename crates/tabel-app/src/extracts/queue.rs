//! The print queue of a class (who needs paper and why) and the record of papers handed to families.

use super::*;

/// Why a family gets paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PaperReason {
    /// A representative refused or withdrew the consent (diary or delivery).
    Refused,
    /// Nothing submitted yet.
    NoConsent,
    /// No representative on record.
    NoRepresentative,
    /// Consents in force, but no verified contact to deliver to.
    NoContact,
}

impl PaperReason {
    /// The code (`refused`, `no_consent`, `no_representative`, `no_contact`).
    pub const fn code(self) -> &'static str {
        match self {
            PaperReason::Refused => "refused",
            PaperReason::NoConsent => "no_consent",
            PaperReason::NoRepresentative => "no_representative",
            PaperReason::NoContact => "no_contact",
        }
    }
}

/// A pupil of the print queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueueLine {
    /// The pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub name: String,
    /// Why paper.
    pub reason: PaperReason,
    /// The latest extract issued for the pupil, if any.
    pub last_issued: Option<IssuedExtract>,
}

/// A class's print queue and registry.
#[derive(Debug, Clone, Serialize)]
pub struct PrintQueue {
    /// The class.
    pub class: Group,
    /// The periods of the class's grade (to choose from).
    pub periods: Vec<Period>,
    /// The current period, if the year is on.
    pub current: Option<Period>,
    /// Pupils whose families get paper.
    pub lines: Vec<QueueLine>,
    /// Every pupil of the class (to print one of them anyway): (id, name).
    pub pupils: Vec<(PersonId, String)>,
    /// Extracts issued for the class, newest first.
    pub issued: Vec<IssuedExtract>,
}

impl App {
    /// Checks that `p` may print for a class: its keepers. The class, when allowed.
    pub(super) async fn printable_class(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        class: GroupId,
    ) -> Result<Group, AppError> {
        let g = crate::school::class_group(c, class, self.today()).await?;
        if !keeps(p, g.school, Some(g.id)) {
            return Err(refuse(p, g.school));
        }
        Ok(g)
    }

    /// A class's print queue: the pupils whose families get paper, with why, and the registry
    /// of extracts issued for the class (the registry's keepers).
    #[tracing::instrument(skip_all, fields(class = %class))]
    pub async fn print_queue(&self, p: &Principal, class: GroupId) -> Result<PrintQueue, AppError> {
        // The consent registry decides who has electronic consents; it checks the keeper too.
        let registry: ClassRegistry = self.class_consents(p, class).await?;
        let today = self.today();
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let reachable: HashSet<PersonId> = repo::parents_with_verified_contact(c, class, today)
            .await?
            .into_iter()
            .collect();
        let (current, periods) = periods_of(c, &registry.class, today).await?;
        let issued = repo::of_class(c, class, REGISTRY_LIMIT).await?;
        let mut lines: Vec<QueueLine> = Vec::new();
        let mut pupils: Vec<(PersonId, String)> = Vec::new();
        for l in &registry.lines {
            if pupils.last().map(|(id, _)| *id) != Some(l.student) {
                pupils.push((l.student, l.student_name.clone()));
            }
        }
        for (student, name) in &pupils {
            let of_pupil: Vec<_> = registry
                .lines
                .iter()
                .filter(|l| l.student == *student)
                .collect();
            let electronic = |l: &tabel_store::consent::RegistryLine| {
                l.diary == Some(ConsentState::Given) && l.delivery == Some(ConsentState::Given)
            };
            let reason = if registry.paper.contains(student) {
                if of_pupil.iter().all(|l| l.parent.is_none()) {
                    PaperReason::NoRepresentative
                } else if of_pupil.iter().any(|l| {
                    matches!(
                        l.diary,
                        Some(ConsentState::Refused | ConsentState::Withdrawn)
                    ) || matches!(
                        l.delivery,
                        Some(ConsentState::Refused | ConsentState::Withdrawn)
                    )
                }) {
                    PaperReason::Refused
                } else {
                    PaperReason::NoConsent
                }
            } else if !of_pupil
                .iter()
                .any(|l| electronic(l) && l.parent.is_some_and(|x| reachable.contains(&x)))
            {
                PaperReason::NoContact
            } else {
                continue;
            };
            lines.push(QueueLine {
                student: *student,
                name: name.clone(),
                reason,
                last_issued: issued.iter().find(|e| e.student == *student).cloned(),
            });
        }
        Ok(PrintQueue {
            class: registry.class,
            periods,
            current,
            lines,
            pupils,
            issued,
        })
    }
}

impl App {
    /// Records to whom the paper of an extract was handed (the registry's keepers of its
    /// class): audited, with an outbox event.
    pub async fn set_extract_handed_to(
        &self,
        p: &Principal,
        code: &ExtractCode,
        handed_to: &str,
        client: &Client,
    ) -> Result<IssuedExtract, AppError> {
        let code = code.as_str();
        let handed_to = handed_to.trim();
        if handed_to.chars().count() > MAX_HANDED_TO || handed_to.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "handed_to",
                format!("at most {MAX_HANDED_TO} characters on one line"),
            ));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let e = repo::by_code(c, code).await?.ok_or(AppError::NotFound)?;
        if !keeps(p, e.school, e.class) {
            return Err(refuse(p, e.school));
        }
        let actor = (p.user.get() != 0).then_some(p.user);
        repo::set_handed_to(c, e.id, handed_to, actor, now).await?;
        let after = serde_json::json!({"code": e.code, "student_id": e.student.to_string(), "handed_to": handed_to});
        audit::append(
            c,
            &AuditEntry {
                chain: e.school.get(),
                at: now,
                actor: actor.map(UserId::get),
                action: "extract.handed",
                entity: "extract",
                entity_id: e.code.clone(),
                before: Some(serde_json::json!({"handed_to": e.handed_to})),
                after: Some(after.clone()),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        outbox::emit(c, Some(e.school), "extract.handed", &after, now).await?;
        let updated = repo::by_code(c, code).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The extracts issued for a class (its registry's keepers), newest first.
    pub async fn class_extracts(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<Vec<IssuedExtract>, AppError> {
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        self.printable_class(c, p, class).await?;
        Ok(repo::of_class(c, class, REGISTRY_LIMIT).await?)
    }
}
