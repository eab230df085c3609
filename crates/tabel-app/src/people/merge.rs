//! Merging a person typed twice (a parent named in two lists, a pupil entered again): every row
//! that names the duplicate moves to the person kept, then the duplicate is removed — in one
//! transaction, refused (naming why) when both have an account or when rows of both would
//! collide. A preview shows what would move first.

use super::{Record, audit_in, person_of, snapshot};
use crate::{App, AppError, Client, check};
use tabel_domain::access::Principal;
use tabel_domain::school::PersonSummary;
use tabel_domain::{PersonId, SchoolId};
use tabel_store::people::{self as repo, PersonFacts};
use tabel_store::{Conn, outbox, user};

/// One side of a merge.
#[derive(Debug, Clone)]
pub struct MergeParty {
    pub person: PersonSummary,
    pub pupil: bool,
    pub staff: bool,
    /// The account's login.
    pub login: Option<String>,
    /// Rows naming the person, as `table.column` and count.
    pub references: Vec<(String, i64)>,
}

/// What a merge would do.
#[derive(Debug, Clone)]
pub struct MergePlan {
    pub keep: MergeParty,
    pub duplicate: MergeParty,
    /// Why it cannot be done (empty: it can).
    pub conflicts: Vec<String>,
}

async fn party(c: &mut Conn<'_>, f: &PersonFacts) -> Result<MergeParty, AppError> {
    let id = f.person.id;
    Ok(MergeParty {
        person: f.person.clone(),
        pupil: f.pupil.is_some(),
        staff: f.staff.is_some(),
        login: user::user_of_person(c, id).await?.map(|u| u.login),
        references: repo::references(c, id).await?,
    })
}

/// Both persons of the school, of one kind, and what keeps them apart.
async fn plan(
    c: &mut Conn<'_>,
    school: SchoolId,
    keep: PersonId,
    dup: PersonId,
) -> Result<(PersonFacts, PersonFacts, MergePlan), AppError> {
    if keep == dup {
        return Err(AppError::invalid(
            "duplicate_id",
            "a person cannot be merged with themselves",
        ));
    }
    let k = person_of(c, school, keep).await?;
    let d = person_of(c, school, dup).await?;
    if k.pupil.is_some() != d.pupil.is_some() || k.staff.is_some() != d.staff.is_some() {
        return Err(AppError::invalid(
            "duplicate_id",
            "only two persons of the same kind (two pupils, two parents, two staff members) can be merged",
        ));
    }
    let conflicts = repo::collisions(c, keep, dup)
        .await?
        .into_iter()
        .map(str::to_owned)
        .collect();
    let plan = MergePlan {
        keep: party(c, &k).await?,
        duplicate: party(c, &d).await?,
        conflicts,
    };
    Ok((k, d, plan))
}

impl App {
    /// What merging `dup` into `keep` would move, and what forbids it (administrators).
    pub async fn merge_preview(
        &self,
        p: &Principal,
        school: SchoolId,
        keep: PersonId,
        dup: PersonId,
    ) -> Result<MergePlan, AppError> {
        check(p.may_administer(school))?;
        let mut c = self.db.acquire().await?;
        Ok(plan(&mut c.conn(), school, keep, dup).await?.2)
    }

    /// Merges `dup` into `keep` (administrators): every row naming the duplicate moves to the
    /// person kept and the duplicate is removed, in one transaction; refused with 409 naming
    /// the conflicts. Audited as `person.merge` with both records.
    pub async fn merge_people(
        &self,
        p: &Principal,
        school: SchoolId,
        keep: PersonId,
        dup: PersonId,
        client: &Client,
    ) -> Result<MergePlan, AppError> {
        check(p.may_administer(school))?;
        let mut tx = self.db.begin().await?;
        let (k, d, plan) = plan(&mut tx.conn(), school, keep, dup).await?;
        if !plan.conflicts.is_empty() {
            return Err(AppError::Conflict(format!(
                "cannot merge: {}",
                plan.conflicts.join("; ")
            )));
        }
        let dropped = repo::merge(&mut tx.conn(), keep, dup).await?;
        let mut moved: serde_json::Map<String, serde_json::Value> = plan
            .duplicate
            .references
            .iter()
            .map(|(col, n)| (col.clone(), (*n).into()))
            .collect();
        if dropped > 0 {
            moved.insert("invitations_dropped".into(), dropped.into());
        }
        let now = self.now();
        outbox::emit(
            &mut tx.conn(),
            Some(school),
            "person.merged",
            &serde_json::json!({ "kept_id": keep.to_string(), "removed_id": dup.to_string() }),
            now,
        )
        .await?;
        audit_in(
            &mut tx,
            Record {
                school,
                at: now,
                actor: p.user,
                action: "person.merge",
                person: keep,
                before: serde_json::json!({ "kept": snapshot(&k), "removed": snapshot(&d) }),
                after: serde_json::json!({ "kept": snapshot(&k), "moved": moved }),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }
}
