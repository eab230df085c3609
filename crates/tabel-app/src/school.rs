//! Reading the school's structure, each read checked against the reader's access.

use crate::{App, AppError, check};
use serde::Serialize;
use tabel_domain::access::{GroupFacts, Principal, StudentFacts};
use tabel_domain::school::GroupKind;
use tabel_domain::{GroupId, PersonId, SchoolId};
use tabel_store::Conn;
use tabel_store::school::{
    self as repo, AcademicYear, Assignment, ChildLink, Group, PersonSummary, School, SchoolCounts,
    StaffMember, StudentCard, Subject,
};
use tabel_store::user::{self as user_repo, UserSummary};
use time::Date;

/// A student's card with the groups they are in on the date.
#[derive(Debug, Clone, Serialize)]
pub struct StudentView {
    /// The card.
    #[serde(flatten)]
    pub card: StudentCard,
    /// Class, subgroups, stream, ИУП on the date.
    pub groups: Vec<Group>,
}

/// What a school's overview page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// The school.
    pub school: School,
    /// The year containing the date, if set up.
    pub year: Option<AcademicYear>,
    /// Counts.
    pub counts: SchoolCounts,
}

/// What access to a group depends on: whether one of `p`'s children (with consent) or `p`
/// themself is a member on the date.
pub(crate) async fn group_facts(
    conn: &mut Conn<'_>,
    p: &Principal,
    g: &Group,
    on: Date,
) -> Result<GroupFacts, AppError> {
    let mut has_own_child = false;
    for child in p.visible_children() {
        if repo::is_member(conn, g.id, child, on).await? {
            has_own_child = true;
            break;
        }
    }
    let has_self = match p.person {
        Some(me) if p.student_in == Some(g.school) => repo::is_member(conn, g.id, me, on).await?,
        _ => false,
    };
    Ok(GroupFacts {
        group: g.id,
        school: g.school,
        has_own_child,
        has_self,
    })
}

impl App {
    /// The schools where the user holds a role.
    /// Every school, for the operator's CLI (no principal: the operator runs the server).
    pub async fn system_schools(&self) -> Result<Vec<School>, AppError> {
        let mut conn = self.db.acquire().await?;
        Ok(repo::list_schools(&mut conn.conn()).await?)
    }

    pub async fn schools(&self, p: &Principal) -> Result<Vec<School>, AppError> {
        let mine = p.schools();
        let mut c = self.db.acquire().await?;
        Ok(repo::list_schools(&mut c.conn())
            .await?
            .into_iter()
            .filter(|s| mine.contains(&s.id))
            .collect())
    }

    /// The first school the user belongs to (their home page's school).
    pub fn home_school(&self, p: &Principal) -> Option<SchoolId> {
        p.schools().into_iter().next()
    }

    /// A school's overview (staff only).
    pub async fn overview(
        &self,
        p: &Principal,
        school: SchoolId,
        on: Date,
    ) -> Result<Overview, AppError> {
        check(p.may_view_structure(school))?;
        let mut c = self.db.acquire().await?;
        let s = repo::list_schools(&mut c.conn())
            .await?
            .into_iter()
            .find(|s| s.id == school)
            .ok_or(AppError::NotFound)?;
        let year = repo::academic_year_on(&mut c.conn(), school, on).await?;
        let counts = match &year {
            Some(y) => repo::school_counts(&mut c.conn(), school, y.id).await?,
            None => SchoolCounts::default(),
        };
        Ok(Overview {
            school: s,
            year,
            counts,
        })
    }

    /// The classes the user may see on a date: every class of their schools for staff; the
    /// classes of their children or their own class for families. With `kind` = `None`, all
    /// groups (classes, subgroups, streams, ИУП) for staff.
    pub async fn classes(
        &self,
        p: &Principal,
        on: Date,
        kind: Option<GroupKind>,
    ) -> Result<Vec<Group>, AppError> {
        let mut c = self.db.acquire().await?;
        let mut out = Vec::new();
        for school in p.schools() {
            let Some(year) = repo::academic_year_on(&mut c.conn(), school, on).await? else {
                continue;
            };
            if p.is_staff_of(school) {
                out.extend(repo::list_groups(&mut c.conn(), year.id, on, kind).await?);
            }
        }
        // Families: the groups their children (with consent) or they themselves are in.
        let mut people: Vec<PersonId> = p.visible_children().collect();
        if p.student_in.is_some() {
            people.extend(p.person);
        }
        for person in people {
            for g in repo::groups_of_student(&mut c.conn(), person, on).await? {
                let wanted = kind.is_none_or(|k| k == g.kind);
                if wanted && !p.is_staff_of(g.school) && !out.iter().any(|o: &Group| o.id == g.id) {
                    out.push(g);
                }
            }
        }
        Ok(out)
    }

    /// One class or group, if visible.
    pub async fn class(&self, p: &Principal, id: GroupId, on: Date) -> Result<Group, AppError> {
        let mut c = self.db.acquire().await?;
        let g = repo::get_group(&mut c.conn(), id, on)
            .await?
            .ok_or(AppError::NotFound)?;
        let facts = group_facts(&mut c.conn(), p, &g, on).await?;
        check(p.may_view_group(&facts))?;
        Ok(g)
    }

    /// The students of a class or group on a date (staff only).
    pub async fn class_students(
        &self,
        p: &Principal,
        id: GroupId,
        on: Date,
    ) -> Result<(Group, Vec<PersonSummary>), AppError> {
        let mut c = self.db.acquire().await?;
        let g = repo::get_group(&mut c.conn(), id, on)
            .await?
            .ok_or(AppError::NotFound)?;
        let facts = group_facts(&mut c.conn(), p, &g, on).await?;
        check(p.may_view_roster(&facts))?;
        let members = repo::group_members(&mut c.conn(), id, on).await?;
        Ok((g, members))
    }

    /// A student's card with their groups, if visible.
    pub async fn student(
        &self,
        p: &Principal,
        id: PersonId,
        on: Date,
    ) -> Result<StudentView, AppError> {
        let mut c = self.db.acquire().await?;
        let card = repo::get_student(&mut c.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        check(p.may_view_student(&StudentFacts {
            student: id,
            school: card.school,
        }))?;
        let groups = repo::groups_of_student(&mut c.conn(), id, on).await?;
        Ok(StudentView { card, groups })
    }

    /// The subjects of a school (anyone with a role there).
    pub async fn subjects(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<Vec<Subject>, AppError> {
        check(p.may_view_school(school))?;
        let mut c = self.db.acquire().await?;
        Ok(repo::list_subjects(&mut c.conn(), school).await?)
    }

    /// The staff of a school with subjects and classes (staff only).
    pub async fn staff(
        &self,
        p: &Principal,
        school: SchoolId,
        on: Date,
    ) -> Result<Vec<StaffMember>, AppError> {
        check(p.may_view_structure(school))?;
        let mut c = self.db.acquire().await?;
        let Some(year) = repo::academic_year_on(&mut c.conn(), school, on).await? else {
            return Ok(Vec::new());
        };
        Ok(repo::list_staff(&mut c.conn(), school, year.id, on).await?)
    }

    /// A school's accounts (administrators only).
    pub async fn users(
        &self,
        p: &Principal,
        school: SchoolId,
        query: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<UserSummary>, AppError> {
        check(p.may_administer(school))?;
        let mut c = self.db.acquire().await?;
        let query = query.map(str::trim).filter(|q| !q.is_empty());
        Ok(user_repo::list_users(
            &mut c.conn(),
            school,
            query,
            limit.clamp(1, 500),
            offset.max(0),
        )
        .await?)
    }

    /// The user's linked children with consent states (parents). A child whose diary consent
    /// from this parent is not in force comes without a name or birth date
    /// ([`tabel_domain::school::PersonSummary::withheld`]): the family then holds only what the
    /// API shows (the id, the relation, the consent states).
    pub async fn my_children(&self, p: &Principal) -> Result<Vec<ChildLink>, AppError> {
        let Some(me) = p.person else {
            return Ok(Vec::new());
        };
        let mut c = self.db.acquire().await?;
        let mut links = repo::children_of(&mut c.conn(), me).await?;
        for l in &mut links {
            if l.diary_consent != Some(tabel_domain::school::ConsentState::Given) {
                l.student = l.student.withheld();
            }
        }
        Ok(links)
    }

    /// What the user teaches this year, in each school where they hold the teacher role:
    /// (group, subject) pairs in timetable order.
    pub async fn my_teaching(&self, p: &Principal, on: Date) -> Result<Vec<Assignment>, AppError> {
        let Some(me) = p.person else {
            return Ok(Vec::new());
        };
        let mut c = self.db.acquire().await?;
        let mut out = Vec::new();
        for school in p.schools() {
            if !p.has_role(tabel_domain::school::Role::Teacher, school) {
                continue;
            }
            if let Some(year) = repo::academic_year_on(&mut c.conn(), school, on).await? {
                out.extend(repo::assignments_of_teacher(&mut c.conn(), me, year.id).await?);
            }
        }
        Ok(out)
    }

    /// People of a school by name prefix (administrators, for pick-lists); an empty query finds
    /// nobody.
    pub async fn search_people(
        &self,
        p: &Principal,
        school: SchoolId,
        query: &str,
    ) -> Result<Vec<PersonSummary>, AppError> {
        check(p.may_administer(school))?;
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let mut c = self.db.acquire().await?;
        Ok(repo::search_people(&mut c.conn(), school, query, 20).await?)
    }
}

/// A class (not a subgroup or stream) by id on a date, or `NotFound`: the access check is the
/// caller's.
pub(crate) async fn class_group(
    c: &mut Conn<'_>,
    class: GroupId,
    on: Date,
) -> Result<Group, AppError> {
    match tabel_store::school::get_group(c, class, on).await? {
        Some(g) if g.kind == GroupKind::Class => Ok(g),
        _ => Err(AppError::NotFound),
    }
}
