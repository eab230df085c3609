//! Who hears about a pupil: the legal representatives and the consents in force.

use crate::{Conn, Result};
use tabel_domain::school::ConsentState;
use tabel_domain::{PersonId, SchoolId};

/// A legal representative of a pupil with the consents in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guardian {
    /// The parent.
    pub parent: PersonId,
    /// The school of the link.
    pub school: SchoolId,
    /// The diary consent (processing of the child's data).
    pub diary: Option<ConsentState>,
    /// The electronic delivery consent.
    pub delivery: Option<ConsentState>,
}

impl Guardian {
    /// Both consents given and in force: the family may be told about the child electronically.
    pub fn consents(&self) -> bool {
        self.diary == Some(ConsentState::Given) && self.delivery == Some(ConsentState::Given)
    }
}

#[derive(sqlx::FromRow)]
struct GuardianRow {
    parent_id: i64,
    school_id: i64,
    diary: Option<String>,
    delivery: Option<String>,
}

fn state(raw: Option<String>) -> Result<Option<ConsentState>> {
    Ok(raw.as_deref().map(ConsentState::from_code).transpose()?)
}

/// A pupil's current legal representatives with the consents in force (the latest record of
/// each purpose).
pub async fn guardians_of(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<Guardian>> {
    const SQL: &str = "SELECT g.parent_id, g.school_id, \
         (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'diary' ORDER BY c.id DESC LIMIT 1) AS diary, \
         (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'electronic_delivery' ORDER BY c.id DESC LIMIT 1) AS delivery \
         FROM guardianships g WHERE g.student_id = $1 AND g.ended_at IS NULL ORDER BY g.parent_id";
    fetch_all!(conn, GuardianRow, SQL, student.get())?
        .into_iter()
        .map(|r| {
            Ok(Guardian {
                parent: PersonId::new(r.parent_id),
                school: SchoolId::new(r.school_id),
                diary: state(r.diary)?,
                delivery: state(r.delivery)?,
            })
        })
        .collect()
}

/// A pupil × representative pair of a school (for the weekly forecasts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    /// The pupil.
    pub student: PersonId,
    /// The representative.
    pub parent: PersonId,
}

/// The school's pupils (enrolled, not left) with each current representative whose consents
/// to the diary and to electronic delivery are both in force.
pub async fn consenting_pairs(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<Pair>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        student_id: i64,
        parent_id: i64,
        diary: Option<String>,
        delivery: Option<String>,
    }
    const SQL: &str = "SELECT g.student_id, g.parent_id, \
         (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'diary' ORDER BY c.id DESC LIMIT 1) AS diary, \
         (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'electronic_delivery' ORDER BY c.id DESC LIMIT 1) AS delivery \
         FROM guardianships g JOIN students s ON s.person_id = g.student_id \
         WHERE s.school_id = $1 AND s.left_on IS NULL AND g.ended_at IS NULL \
         ORDER BY g.student_id, g.parent_id";
    let given = Some(ConsentState::Given.code());
    Ok(fetch_all!(conn, Row, SQL, school.get())?
        .into_iter()
        .filter(|r| r.diary.as_deref() == given && r.delivery.as_deref() == given)
        .map(|r| Pair {
            student: PersonId::new(r.student_id),
            parent: PersonId::new(r.parent_id),
        })
        .collect())
}
