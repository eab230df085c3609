//! Teachers' recommendations to a pupil.

use super::*;

impl App {
    /// Writes a recommendation for a pupil (a teacher of the pupil or the class teacher).
    pub async fn add_recommendation(
        &self,
        p: &Principal,
        student: PersonId,
        subject: Option<SubjectId>,
        body: &str,
        client: &Client,
    ) -> Result<i64, AppError> {
        let body = body.trim();
        if body.is_empty() || body.chars().count() > MAX_TEXT {
            return Err(AppError::invalid(
                "body",
                format!("1–{MAX_TEXT} characters"),
            ));
        }
        let Some(me) = p.person else {
            return Err(AppError::Forbidden);
        };
        let today = self.today();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let groups = school_repo::groups_of_student(c, student, today).await?;
        let mut allowed = false;
        for g in &groups {
            if p.class_teacher_of
                .iter()
                .any(|(s, k)| *s == card.school && *k == g.id)
            {
                allowed = true;
            }
            if let Some(s) = subject
                && repo::is_assigned(c, me, g.id, s).await?
            {
                allowed = true;
            }
        }
        if !allowed {
            return Err(if p.is_staff_of(card.school) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        let now = self.now();
        let rec = repo::Recommendation {
            id: 0,
            school: card.school,
            student,
            subject,
            teacher: me,
            body: body.to_owned(),
            version: 1,
            created_at: now,
        };
        let id = repo::insert_recommendation(c, &rec, Some(p.user)).await?;
        let after = serde_json::json!({"id": id.to_string(), "student_id": student.to_string(),
            "subject_id": subject.map(|s| s.to_string()), "body": body});
        write_audit(
            c,
            Audit {
                school: card.school,
                actor: p.user.get(),
                action: "recommendation.add",
                entity: "recommendation",
                key: id.to_string(),
                before: None,
                after: Some(after.clone()),
                reason: None,
            },
            client,
            now,
        )
        .await?;
        outbox::emit(c, Some(card.school), "recommendation.added", &after, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A pupil's recommendations (whoever may see the pupil: families with consent too).
    pub async fn recommendations(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<Vec<repo::Recommendation>, AppError> {
        self.student(p, student, self.today()).await?;
        let mut c = self.db.acquire().await?;
        Ok(repo::recommendations_of_student(&mut c.conn(), student).await?)
    }
}
