//! The school's card: names, code, address, director and time zone.

use super::{Change, audit_change, may_edit_structure, optional_title};
use crate::{App, AppError, Client, FieldErrors, check};
use serde::{Deserialize, Serialize};
use tabel_domain::SchoolId;
use tabel_domain::access::Principal;
use tabel_domain::calendar::TimeZoneName;
use tabel_domain::text::Title;
use tabel_store::structure::{self as store, SchoolCard};

/// The card as a form or an API body gives it, and as it is shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct CardInput {
    /// Full name, e.g. "МБОУ «Средняя общеобразовательная школа № 5»".
    pub name: String,
    /// Short name, e.g. "СОШ № 5".
    pub short_name: String,
    /// The school's code (ОКПО, ИНН or the region's own), if any.
    #[serde(default)]
    pub code: Option<String>,
    /// Postal address.
    #[serde(default)]
    pub address: Option<String>,
    /// The director's name.
    #[serde(default)]
    pub director: Option<String>,
    /// IANA time zone, e.g. "Asia/Yekaterinburg".
    pub time_zone: String,
}

/// The card with what the caller may do.
#[derive(Debug, Clone, Serialize)]
pub struct CardView {
    /// The card.
    pub card: CardInput,
    /// The time zones to choose from.
    pub time_zones: &'static [&'static str],
}

fn to_input(c: SchoolCard) -> CardInput {
    CardInput {
        name: c.name,
        short_name: c.short_name,
        code: c.code,
        address: c.address,
        director: c.director,
        time_zone: c.time_zone,
    }
}

fn validate(input: &CardInput) -> Result<SchoolCard, AppError> {
    let mut errors = FieldErrors::new();
    let mut title = |field: &str, raw: &str| {
        Title::parse(raw)
            .map_err(|e| errors.insert(field.into(), e.to_string()))
            .ok()
    };
    let name = title("name", &input.name);
    let short_name = title("short_name", &input.short_name);
    let code = optional_title("code", input.code.as_deref(), &mut errors);
    if code.as_ref().is_some_and(|c| c.chars().count() > 32) {
        errors.insert("code".into(), "at most 32 characters".into());
    }
    let address = optional_title("address", input.address.as_deref(), &mut errors);
    let director = optional_title("director", input.director.as_deref(), &mut errors);
    let time_zone = TimeZoneName::parse(input.time_zone.trim())
        .map_err(|e| errors.insert("time_zone".into(), e.to_string()))
        .ok();
    match (name, short_name, time_zone) {
        (Some(name), Some(short_name), Some(tz)) if errors.is_empty() => Ok(SchoolCard {
            name: name.as_str().to_owned(),
            short_name: short_name.as_str().to_owned(),
            code,
            address,
            director,
            time_zone: tz.as_str().to_owned(),
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

impl App {
    /// The school's card (administrators and deputy heads).
    pub async fn school_card(&self, p: &Principal, school: SchoolId) -> Result<CardView, AppError> {
        check(may_edit_structure(p, school))?;
        let mut c = self.db.acquire().await?;
        let card = store::school_card(&mut c.conn(), school)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(CardView {
            card: to_input(card),
            time_zones: tabel_domain::calendar::RUSSIAN_TIME_ZONES,
        })
    }

    /// Rewrites the school's card (administrators and deputy heads); audited as `school.update`.
    pub async fn update_school_card(
        &self,
        p: &Principal,
        school: SchoolId,
        input: &CardInput,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_edit_structure(p, school))?;
        let card = validate(input)?;
        let mut tx = self.db.begin().await?;
        let before = store::school_card(&mut tx.conn(), school)
            .await?
            .ok_or(AppError::NotFound)?;
        if before == card {
            return Ok(());
        }
        store::update_school_card(&mut tx.conn(), school, &card).await?;
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: "school.update",
                entity_id: school.to_string(),
                before: serde_json::to_value(to_input(before)).ok(),
                after: serde_json::to_value(to_input(card)).ok(),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_needs_names_and_a_known_time_zone() {
        let good = CardInput {
            name: "  МБОУ «СОШ № 5» ".into(),
            short_name: "СОШ № 5".into(),
            code: Some(" ".into()),
            address: None,
            director: Some("Иванова М. П.".into()),
            time_zone: "Asia/Yekaterinburg".into(),
        };
        let card = validate(&good).unwrap();
        assert_eq!(card.name, "МБОУ «СОШ № 5»");
        assert_eq!(card.code, None);
        let bad = CardInput {
            name: String::new(),
            time_zone: "Mars/Olympus".into(),
            code: Some("x".repeat(40)),
            ..good
        };
        let Err(AppError::Invalid(e)) = validate(&bad) else {
            panic!("accepted")
        };
        assert!(e.contains_key("name") && e.contains_key("time_zone") && e.contains_key("code"));
    }
}

/// The hub's summary: the card, the current year and how many classes and subjects it has.
#[derive(Debug, Clone, Serialize)]
pub struct StructureSummary {
    /// The card.
    pub card: CardInput,
    /// The current year ("2026/2027"), if the school has one.
    pub year: Option<String>,
    /// Classes of that year.
    pub classes: usize,
    /// Subjects in use.
    pub subjects: usize,
    /// Retired subjects.
    pub retired_subjects: usize,
}

impl App {
    /// The structure hub's summary (administrators and deputy heads).
    pub async fn structure_summary(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<StructureSummary, AppError> {
        check(may_edit_structure(p, school))?;
        let mut c = self.db.acquire().await?;
        let card = store::school_card(&mut c.conn(), school)
            .await?
            .ok_or(AppError::NotFound)?;
        let today = self.today();
        let year = tabel_store::school::academic_year_on(&mut c.conn(), school, today).await?;
        let classes = match &year {
            Some(y) => store::class_cards(&mut c.conn(), y.id, today).await?.len(),
            None => 0,
        };
        let subjects = store::subject_cards(&mut c.conn(), school).await?;
        let retired = subjects.iter().filter(|s| s.retired_on.is_some()).count();
        Ok(StructureSummary {
            card: to_input(card),
            year: year.map(|y| y.label),
            classes,
            subjects: subjects.len() - retired,
            retired_subjects: retired,
        })
    }
}
