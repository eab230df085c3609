//! The grading policy of a school: work types, weights, thresholds and attendance codes.

use super::*;

/// A school's policy with its version (0 = the built-in default, never saved).
#[derive(Debug, Clone, Serialize)]
pub struct PolicyView {
    /// Version.
    pub version: i64,
    /// The policy.
    pub policy: GradingPolicy,
}

impl App {
    /// The school's current policy: parsed once per version and kept.
    pub(crate) async fn policy_of(
        &self,
        c: &mut Conn<'_>,
        school: SchoolId,
    ) -> Result<std::sync::Arc<PolicyView>, AppError> {
        let version = repo::policy_version(c, school).await?;
        let cached = self
            .policies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&school)
            .filter(|p| p.version == version)
            .cloned();
        if let Some(p) = cached {
            return Ok(p);
        }
        let loaded = std::sync::Arc::new(load_policy(c, school).await?);
        self.policies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(school, loaded.clone());
        Ok(loaded)
    }
}

/// Loads a school's current policy.
pub async fn load_policy(conn: &mut Conn<'_>, school: SchoolId) -> Result<PolicyView, AppError> {
    match repo::current_policy(conn, school).await? {
        Some(p) => Ok(PolicyView {
            version: p.version,
            policy: serde_json::from_str(&p.body)
                .map_err(|e| AppError::Internal(format!("stored grading policy: {e}")))?,
        }),
        None => Ok(PolicyView {
            version: 0,
            policy: GradingPolicy::default(),
        }),
    }
}

impl App {
    /// The grading policy of a school (its staff, and families reading the diary).
    pub async fn grading_policy(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<PolicyView, AppError> {
        check(p.may_view_school(school))?;
        let mut c = self.db.acquire().await?;
        self.policy_of(&mut c.conn(), school)
            .await
            .map(|p| (*p).clone())
    }

    /// Saves a new version of the school's grading policy (administrators).
    pub async fn set_grading_policy(
        &self,
        p: &Principal,
        school: SchoolId,
        policy: &GradingPolicy,
        client: &Client,
    ) -> Result<i64, AppError> {
        check(p.may_administer(school))?;
        policy
            .validate()
            .map_err(|e| AppError::invalid(e.field, e.message))?;
        let body = serde_json::to_string(policy).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let current = self.policy_of(c, school).await?;
        let version = current.version + 1;
        let now = self.now();
        repo::insert_policy(c, school, version, &body, (Some(p.user), now)).await?;
        write_audit(
            c,
            Audit {
                school,
                actor: p.user.get(),
                action: "policy.set",
                entity: "policy",
                key: school.to_string(),
                before: serde_json::to_value(&current.policy).ok(),
                after: serde_json::to_value(policy).ok(),
                reason: None,
            },
            client,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }
}

impl App {
    /// The school's grading policy for editing (administrators only).
    pub async fn grading_policy_to_edit(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<PolicyView, AppError> {
        check(p.may_administer(school))?;
        self.grading_policy(p, school).await
    }
}
