//! The regional administrator: lists the region's schools and creates a school with its first
//! administrator through the same use case as `tabel school add`. The role reaches no school's
//! inside (no pupil's data); it is given from the command line.

use crate::admin::{CreatedSchool, NewAccount, NewSchoolInput};
use crate::{App, AppError, Client, FieldErrors, check};
use tabel_domain::access::{Principal, RegionScope};
use tabel_domain::school::School;
use tabel_domain::text::{Login, NewPassword, Title};
use tabel_domain::{RegionId, UserId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::region as repo;
use tabel_store::school as school_repo;
use tabel_store::user::{self as user_repo, NewUser};
use tabel_store::{Conn, StoreError};

/// A region with its schools.
#[derive(Debug, Clone)]
pub struct RegionView {
    pub id: RegionId,
    pub name: String,
    pub schools: Vec<School>,
}

/// A new school of the region as the regional page gives it (the region is the page's).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewRegionSchool {
    pub name: String,
    pub short_name: String,
    pub municipality: String,
    pub time_zone: String,
}

async fn scope(
    c: &mut Conn<'_>,
    user: UserId,
) -> Result<(RegionScope, Vec<(RegionId, String)>), AppError> {
    let regions = repo::regions_of(c, user).await?;
    Ok((
        RegionScope {
            regions: regions.iter().map(|(id, _)| *id).collect(),
        },
        regions,
    ))
}

impl App {
    /// Whether the user administers a region (home links the regional page then).
    pub async fn administers_region(&self, p: &Principal) -> Result<bool, AppError> {
        let mut c = self.db.acquire().await?;
        Ok(!repo::regions_of(&mut c.conn(), p.user).await?.is_empty())
    }

    /// The regions the user administers with their schools; 404 for anyone else.
    pub async fn region_overview(&self, p: &Principal) -> Result<Vec<RegionView>, AppError> {
        let mut c = self.db.acquire().await?;
        let (scope, regions) = scope(&mut c.conn(), p.user).await?;
        check(scope.may_enter())?;
        let schools = school_repo::list_schools(&mut c.conn()).await?;
        Ok(regions
            .into_iter()
            .map(|(id, name)| RegionView {
                id,
                schools: schools
                    .iter()
                    .filter(|s| s.region == name)
                    .cloned()
                    .collect(),
                name,
            })
            .collect())
    }

    /// Creates a school of the region with its first administrator (regional administrators of
    /// that region): the same use case as `tabel school add`, audited with the actor.
    pub async fn region_create_school(
        &self,
        p: &Principal,
        region: RegionId,
        s: &NewRegionSchool,
        admin: &NewAccount,
        client: &Client,
    ) -> Result<CreatedSchool, AppError> {
        let name = {
            let mut c = self.db.acquire().await?;
            let (scope, regions) = scope(&mut c.conn(), p.user).await?;
            check(scope.may_administer_region(region))?;
            regions
                .into_iter()
                .find(|(id, _)| *id == region)
                .map(|(_, n)| n)
                .ok_or(AppError::NotFound)?
        };
        let input = NewSchoolInput {
            name: s.name.clone(),
            short_name: s.short_name.clone(),
            region: name,
            municipality: s.municipality.clone(),
            time_zone: s.time_zone.clone(),
        };
        let admin = NewAccount {
            roles: vec!["admin".into()],
            ..admin.clone()
        };
        self.create_school_as(Some(p.user), client, &input, &admin)
            .await
    }

    /// Creates a regional administrator's account for a region (found by name, or added), from
    /// the command line. Audited in the deployment-wide chain as `region_admin.create`.
    pub async fn system_create_region_admin(
        &self,
        region: &str,
        login: &str,
        display_name: &str,
        password: &str,
    ) -> Result<UserId, AppError> {
        let mut errors = FieldErrors::new();
        let region = Title::parse(region)
            .map_err(|e| errors.insert("region".into(), e.to_string()))
            .ok();
        let login = Login::parse(login)
            .map_err(|e| errors.insert("login".into(), e.to_string()))
            .ok();
        let name = Title::parse(display_name)
            .map_err(|e| errors.insert("display_name".into(), e.to_string()))
            .ok();
        let password = NewPassword::parse(password)
            .map_err(|e| errors.insert("password".into(), e.to_string()))
            .ok();
        let (Some(region), Some(login), Some(name), Some(password)) =
            (region, login, name, password)
        else {
            return Err(AppError::Invalid(errors));
        };
        let hash = self.hasher.hash(password.expose().to_owned()).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let region_id = school_repo::region_named(&mut tx.conn(), region.as_str()).await?;
        let user = match user_repo::insert_user(
            &mut tx.conn(),
            &NewUser {
                login: login.as_str(),
                password_hash: Some(&hash),
                person: None,
                display_name: name.as_str(),
                school: None,
                locale: "ru",
                created_at: now,
            },
        )
        .await
        {
            Ok(id) => id,
            Err(StoreError::Duplicate(_)) => {
                return Err(AppError::invalid("login", "this login is taken"));
            }
            Err(e) => return Err(e.into()),
        };
        repo::grant_region_admin(&mut tx.conn(), user, region_id).await?;
        audit::append(
            &mut tx.conn(),
            &AuditEntry {
                chain: 0,
                at: now,
                actor: None,
                action: "region_admin.create",
                entity: "region_admin",
                entity_id: user.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "login": login.as_str(),
                    "display_name": name.as_str(),
                    "region": region.as_str(),
                    "region_id": region_id.to_string(),
                })),
                reason: None,
                origin: Some(&Client::cli().address),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }
}
