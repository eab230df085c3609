//! Finding the school's people by any part of the name.

use super::PersonKind;
use crate::{App, AppError, check};
use tabel_domain::access::Principal;
use tabel_domain::school::PersonSummary;
use tabel_domain::{GroupId, SchoolId};
use tabel_store::people::{self as repo, KindFilter};
use time::Date;

/// People shown on one page of results.
pub const PAGE_SIZE: i64 = 50;
/// The longest query, in characters.
const MAX_QUERY_CHARS: usize = 100;
/// The last page one may ask for (a school has a few thousand people).
const MAX_PAGE: u32 = 1000;

/// A search: words of the name (each begins a word of the surname, name or patronymic; case and
/// ё ignored), a kind, and the page (from 0).
#[derive(Debug, Clone, Default)]
pub struct PeopleQuery {
    pub q: String,
    pub kind: Option<PersonKind>,
    pub page: u32,
}

/// A person found.
#[derive(Debug, Clone)]
pub struct FoundPerson {
    pub person: PersonSummary,
    /// What the person is to the school.
    pub kinds: Vec<PersonKind>,
    /// A pupil's class today.
    pub class: Option<(GroupId, String)>,
    /// A former pupil's last day.
    pub left_on: Option<Date>,
}

/// A page of people.
#[derive(Debug, Clone)]
pub struct PeopleFound {
    pub people: Vec<FoundPerson>,
    pub page: u32,
    /// Whether another page follows.
    pub more: bool,
    /// The classes of the current year (for a new pupil's arrival).
    pub classes: Vec<(GroupId, String)>,
}

impl App {
    /// The school's people matching the query, in name order, a page at a time
    /// (administrators). An empty query lists everyone.
    pub async fn find_people(
        &self,
        p: &Principal,
        school: SchoolId,
        query: &PeopleQuery,
    ) -> Result<PeopleFound, AppError> {
        check(p.may_administer(school))?;
        if query.q.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::invalid(
                "q",
                format!("must be at most {MAX_QUERY_CHARS} characters"),
            ));
        }
        if query.page > MAX_PAGE {
            return Err(AppError::invalid(
                "page",
                format!("must be at most {MAX_PAGE}"),
            ));
        }
        let kind = match query.kind {
            None => KindFilter::All,
            Some(PersonKind::Pupil) => KindFilter::Pupil,
            Some(PersonKind::Parent) => KindFilter::Parent,
            Some(PersonKind::Staff) => KindFilter::Staff,
        };
        let mut c = self.db.acquire().await?;
        let mut rows = repo::search(
            &mut c.conn(),
            school,
            &query.q,
            kind,
            self.today(),
            PAGE_SIZE + 1,
            i64::from(query.page) * PAGE_SIZE,
        )
        .await?;
        let more = rows.len() as i64 > PAGE_SIZE;
        let classes = super::card::classes_now(&mut c.conn(), school, self.today()).await?;
        rows.truncate(PAGE_SIZE as usize);
        Ok(PeopleFound {
            people: rows
                .into_iter()
                .map(|f| {
                    let kinds = [
                        (f.pupil, PersonKind::Pupil),
                        (f.parent, PersonKind::Parent),
                        (f.staff, PersonKind::Staff),
                    ]
                    .into_iter()
                    .filter_map(|(is, k)| is.then_some(k))
                    .collect();
                    FoundPerson {
                        person: f.person,
                        kinds,
                        class: f.class,
                        left_on: f.left_on,
                    }
                })
                .collect(),
            page: query.page,
            more,
            classes,
        })
    }
}
