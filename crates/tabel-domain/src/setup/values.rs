//! The values of a set-up sheet's cells as schools type them: sex as «м»/«ж», relations as
//! «мать», weekdays as «Пн», hours with a decimal comma, dates as `01.09.2014` (or the ISO date
//! the workbook reader gives a date-formatted cell), СНИЛС with or without its dashes.

use crate::calendar::WeeklyHours;
use crate::code::coded_enum;
use crate::school::{GroupKind, Relation, Role, Sex};
use crate::table::heading_key;
use crate::text::{NamePart, PersonName, sort_key};
use serde::Serialize;
use std::fmt;
use time::{Date, Month};

/// A cell's value was refused; the message is shown to the person who typed it.
pub type Refusal = String;

/// A date as `дд.мм.гггг` (also `д.м.гггг`) or ISO `гггг-мм-дд`.
pub fn date(raw: &str) -> Result<Date, Refusal> {
    let s = raw.trim();
    let bad = || format!("«{s}» is not a date (дд.мм.гггг)");
    let (y, m, d) = if let Some((d, rest)) = s.split_once('.') {
        let (m, y) = rest.split_once('.').ok_or_else(bad)?;
        (y, m, d)
    } else {
        let mut it = s.splitn(3, '-');
        match (it.next(), it.next(), it.next()) {
            (Some(y), Some(m), Some(d)) => (y, m, d),
            _ => return Err(bad()),
        }
    };
    let num = |t: &str, max_len: usize| -> Result<u32, Refusal> {
        let t = t.trim();
        if t.is_empty() || t.len() > max_len || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        t.parse().map_err(|_| bad())
    };
    let (y, m, d) = (num(y, 4)?, num(m, 2)?, num(d, 2)?);
    if y < 1900 {
        return Err(bad());
    }
    let month = Month::try_from(u8::try_from(m).map_err(|_| bad())?).map_err(|_| bad())?;
    Date::from_calendar_date(
        i32::try_from(y).map_err(|_| bad())?,
        month,
        u8::try_from(d).map_err(|_| bad())?,
    )
    .map_err(|_| bad())
}

/// A birth date: a date, and not after `today`.
pub fn birth_date(raw: &str, today: Date) -> Result<Date, Refusal> {
    let d = date(raw)?;
    if d > today {
        return Err(format!("the birth date {raw} is in the future"));
    }
    Ok(d)
}

/// Sex as «м»/«ж», «муж»/«жен», `m`/`f`, `male`/`female`.
pub fn sex(raw: &str) -> Result<Sex, Refusal> {
    match heading_key(raw).as_str() {
        "м" | "муж" | "мужской" | "m" | "male" => Ok(Sex::Male),
        "ж" | "жен" | "женский" | "f" | "female" => Ok(Sex::Female),
        _ => Err(format!("«{}» is not a sex: write м or ж", raw.trim())),
    }
}

/// The sex a Russian patronymic says (…вич, …вна, оглы, кызы), if it says one.
pub fn sex_of_patronymic(middle: &str) -> Option<Sex> {
    let m = sort_key(middle.trim());
    if m.ends_with("вна") || m.ends_with("чна") || m.ends_with("кызы") || m.ends_with("гызы")
    {
        Some(Sex::Female)
    } else if m.ends_with("вич") || m.ends_with("ич") || m.ends_with("оглы") || m.ends_with("улы")
    {
        Some(Sex::Male)
    } else {
        None
    }
}

/// A relation as a school's list names it.
pub fn relation(raw: &str) -> Result<Relation, Refusal> {
    match heading_key(raw).as_str() {
        "мать" | "мама" | "mother" => Ok(Relation::Mother),
        "отец" | "папа" | "father" => Ok(Relation::Father),
        "опекун" | "guardian" => Ok(Relation::Guardian),
        "попечитель" | "trustee" => Ok(Relation::Trustee),
        "законный представитель"
        | "приемный родитель"
        | "приемная мать"
        | "приемный отец"
        | "other" => Ok(Relation::Other),
        _ => Err(format!(
            "«{}» is not a relation: write мать, отец, опекун, попечитель or законный представитель",
            raw.trim()
        )),
    }
}

/// What kind of group a line of the sheet «Группы» is: «подгруппа», «поток», «ИУП».
pub fn group_kind(raw: &str) -> Result<GroupKind, Refusal> {
    match heading_key(raw).as_str() {
        "подгруппа" | "группа" | "subgroup" => Ok(GroupKind::Subgroup),
        "поток" | "профильная группа" | "stream" => Ok(GroupKind::Stream),
        "иуп" | "индивидуальный учебный план" | "индивидуальный план" | "individual" => {
            Ok(GroupKind::Individual)
        }
        "класс" | "class" => Err("a class goes to the sheet «Классы»".into()),
        _ => Err(format!(
            "«{}» is not a kind of group: write подгруппа, поток or ИУП",
            raw.trim()
        )),
    }
}

/// The word for a group's kind in the lists (what [`group_kind`] reads).
pub fn group_kind_word(kind: GroupKind) -> &'static str {
    match kind {
        GroupKind::Subgroup | GroupKind::Class => "подгруппа",
        GroupKind::Stream => "поток",
        GroupKind::Individual => "ИУП",
    }
}

/// The roles a staff member is granted, separated by commas: «учитель», «завуч»,
/// «администратор» (or `teacher`, `deputy`, `admin`). None listed: a teacher.
pub fn roles(raw: &str) -> Result<Vec<Role>, Refusal> {
    let mut out = Vec::new();
    for part in raw.split([',', ';']) {
        let key = heading_key(part);
        if key.is_empty() {
            continue;
        }
        let role = match key.as_str() {
            "учитель" | "педагог" | "teacher" => Role::Teacher,
            "завуч" | "заместитель директора" | "зам директора" | "deputy" => {
                Role::Deputy
            }
            "администратор" | "админ" | "admin" | "administrator" => Role::Admin,
            _ => {
                return Err(format!(
                    "«{}» is not a role: write учитель, завуч or администратор",
                    part.trim()
                ));
            }
        };
        if !out.contains(&role) {
            out.push(role);
        }
    }
    Ok(out)
}

/// A weekday as «Пн», «понедельник», `1`, `Mon` or `Monday`: 1 (Monday) to 6 (Saturday).
pub fn weekday(raw: &str) -> Result<u8, Refusal> {
    let key = heading_key(raw);
    let n = match key.as_str() {
        "1" | "пн" | "понедельник" | "mon" | "monday" => 1,
        "2" | "вт" | "вторник" | "tue" | "tuesday" => 2,
        "3" | "ср" | "среда" | "wed" | "wednesday" => 3,
        "4" | "чт" | "четверг" | "thu" | "thursday" => 4,
        "5" | "пт" | "пятница" | "fri" | "friday" => 5,
        "6" | "сб" | "суббота" | "sat" | "saturday" => 6,
        _ => {
            return Err(format!(
                "«{}» is not a school day: write Пн, Вт, Ср, Чт, Пт or Сб",
                raw.trim()
            ));
        }
    };
    Ok(n)
}

/// A school day's short name as lists write it: 1 → «Пн» … 6 → «Сб» (empty otherwise).
pub fn weekday_short(day: u8) -> &'static str {
    ["", "Пн", "Вт", "Ср", "Чт", "Пт", "Сб"]
        .get(usize::from(day))
        .copied()
        .unwrap_or("")
}

/// A lesson's number in the day, 1 to 12 (`3`, or `3.0` from a spreadsheet).
pub fn lesson_number(raw: &str) -> Result<u8, Refusal> {
    let s = raw.trim();
    let s = s.strip_suffix(".0").unwrap_or(s);
    match s.parse::<u8>() {
        Ok(n) if (1..=12).contains(&n) => Ok(n),
        _ => Err(format!(
            "«{}» is not a lesson number from 1 to 12",
            raw.trim()
        )),
    }
}

/// A shift, 1 or 2 (empty: 1).
pub fn shift(raw: &str) -> Result<u8, Refusal> {
    match raw.trim().trim_end_matches(".0") {
        "" | "1" => Ok(1),
        "2" => Ok(2),
        _ => Err(format!("«{}» is not a shift: write 1 or 2", raw.trim())),
    }
}

/// Hours a week with at most one decimal (`2`, `0,5`, `1.5`), more than 0 and at most 40.
pub fn hours(raw: &str) -> Result<WeeklyHours, Refusal> {
    let s = raw.trim().replace(',', ".");
    let bad = || {
        format!(
            "«{}» is not a number of hours a week (e.g. 2 or 0,5)",
            raw.trim()
        )
    };
    let (whole, tenth) = match s.split_once('.') {
        Some((w, f)) => {
            let f = f.trim_end_matches('0');
            if f.len() > 1 {
                return Err(format!("«{}»: hours are counted to a tenth", raw.trim()));
            }
            (w, f)
        }
        None => (s.as_str(), ""),
    };
    if whole.is_empty() && tenth.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 2
    {
        return Err(bad());
    }
    let w: u16 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let t: u16 = if tenth.is_empty() {
        0
    } else {
        tenth.parse().map_err(|_| bad())?
    };
    let tenths = w * 10 + t;
    if tenths == 0 || tenths > 400 {
        return Err(format!(
            "«{}»: hours a week are more than 0 and at most 40",
            raw.trim()
        ));
    }
    Ok(WeeklyHours::from_tenths(tenths))
}

coded_enum!(
    /// The curriculum's part a line belongs to (ФГОС: обязательная часть и часть, формируемая
    /// участниками образовательных отношений).
    CurriculumPart {
        /// Обязательная часть.
        Compulsory = "compulsory",
        /// Часть, формируемая участниками образовательных отношений.
        Chosen = "chosen",
    }
);

/// The part as a school writes it (empty: compulsory).
pub fn part(raw: &str) -> Result<CurriculumPart, Refusal> {
    let key = heading_key(raw);
    if key.is_empty()
        || key.starts_with("обяз")
        || key == "о"
        || key == "compulsory"
        || key == "required"
    {
        Ok(CurriculumPart::Compulsory)
    } else if key.starts_with("форм")
        || key.starts_with("часть, форм")
        || key.starts_with("по выбору")
        || key == "ф"
        || key == "chosen"
        || key == "elective"
    {
        Ok(CurriculumPart::Chosen)
    } else {
        Err(format!(
            "«{}» is not a part of the curriculum: write обязательная or формируемая",
            raw.trim()
        ))
    }
}

/// A СНИЛС (страховой номер индивидуального лицевого счёта): 11 digits, the last two a check
/// number of the first nine.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct Snils(String);

impl Snils {
    /// Parses `123-456-789 64` or `12345678964`, checking the check number (numbers up to
    /// 001-001-998 were issued before the check number existed and are taken as they are).
    pub fn parse(raw: &str) -> Result<Snils, Refusal> {
        let digits: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() != 11 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("«{}» is not a СНИЛС (11 digits)", raw.trim()));
        }
        let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let number: u32 = d[..9].iter().fold(0, |n, x| n * 10 + x);
        let check = d[9] * 10 + d[10];
        if number > 1_001_998 {
            let sum: u32 = d[..9]
                .iter()
                .enumerate()
                .map(|(i, x)| x * (9 - i as u32))
                .sum();
            let expected = match sum {
                s if s < 100 => s,
                100 | 101 => 0,
                s => (s % 101) % 100,
            };
            if check != expected {
                return Err(format!(
                    "«{}» is not a valid СНИЛС: its check number does not match",
                    raw.trim()
                ));
            }
        }
        Ok(Snils(digits))
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Rebuilds a stored value (11 digits, checked when it was stored).
    pub fn from_stored(digits: String) -> Snils {
        Snils(digits)
    }
}

impl fmt::Display for Snils {
    /// `123-456-789 64`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{}-{}-{} {}", &s[0..3], &s[3..6], &s[6..9], &s[9..11])
    }
}

impl From<Snils> for String {
    fn from(s: Snils) -> String {
        s.0
    }
}

/// A full name from one cell («Иванова Мария Петровна», «Алиев Рашид Ильхам оглы») or from
/// three: surname, given name, patronymic (optional).
pub fn person_name(last: &str, first: &str, middle: &str) -> Result<PersonName, Refusal> {
    let part = |raw: &str, what: &str| NamePart::parse(raw).map_err(|e| format!("the {what} {e}"));
    Ok(PersonName {
        last: part(last, "surname")?,
        first: part(first, "given name")?,
        middle: if middle.trim().is_empty() {
            None
        } else {
            Some(part(middle, "patronymic")?)
        },
    })
}

/// A full name from one cell: surname, given name, then the patronymic (the rest).
pub fn full_name(raw: &str) -> Result<PersonName, Refusal> {
    let mut words = raw.split_whitespace();
    match (words.next(), words.next()) {
        (Some(last), Some(first)) => {
            let rest: Vec<&str> = words.collect();
            person_name(last, first, &rest.join(" "))
        }
        _ => Err(format!(
            "«{}» is not a full name: write the surname, the given name and the patronymic",
            raw.trim()
        )),
    }
}

/// How a sheet names a staff member: the full name («Иванова Мария Петровна») or the short one
/// («Иванова М. П.», «Иванова М.П.»). Compared case-folded, `ё` as `е`, dots and spacing
/// ignored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct StaffRef {
    shown: String,
    key: String,
}

impl StaffRef {
    /// The name as a cell has it; empty is refused.
    pub fn parse(raw: &str) -> Result<StaffRef, Refusal> {
        let key = name_key(raw);
        if key.is_empty() {
            return Err("a staff member's name is needed".into());
        }
        Ok(StaffRef {
            shown: raw.split_whitespace().collect::<Vec<_>>().join(" "),
            key,
        })
    }

    /// Whether it names this person, fully or by initials.
    pub fn names(&self, name: &PersonName) -> bool {
        self.key == name_key(&name.full()) || self.key == name_key(&name.short())
    }

    /// The name as the sheet wrote it.
    pub fn as_str(&self) -> &str {
        &self.shown
    }
}

/// A name's comparison key: case-folded, `ё` as `е`, dots as spaces, white space collapsed.
pub fn name_key(raw: &str) -> String {
    let folded = sort_key(&raw.replace('.', " "));
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn dates_read_as_russian_lists_and_the_workbook_reader_write_them() {
        assert_eq!(date("01.09.2014").unwrap(), date!(2014 - 09 - 01));
        assert_eq!(date("1.9.2014").unwrap(), date!(2014 - 09 - 01));
        assert_eq!(date("2014-09-01").unwrap(), date!(2014 - 09 - 01));
        for bad in [
            "31.02.2014",
            "2014",
            "01.09.14",
            "",
            "1.1.1899",
            "01.09.2014x",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
        assert!(birth_date("01.01.2030", date!(2026 - 12 - 07)).is_err());
    }

    #[test]
    fn a_snils_is_checked_by_its_check_number() {
        let s = Snils::parse("112-233-445 95").unwrap();
        assert_eq!(s.as_str(), "11223344595");
        assert_eq!(s.to_string(), "112-233-445 95");
        assert!(Snils::parse("112-233-445 96").is_err());
        assert!(Snils::parse("1122334459").is_err());
        // Before the check number existed.
        assert!(Snils::parse("001-001-997 00").is_ok());
    }

    #[test]
    fn cells_read_in_russian_and_english() {
        assert_eq!(sex("Ж").unwrap(), Sex::Female);
        assert_eq!(sex("male").unwrap(), Sex::Male);
        assert_eq!(sex_of_patronymic("Петровна"), Some(Sex::Female));
        assert_eq!(sex_of_patronymic("Ильич"), Some(Sex::Male));
        assert_eq!(sex_of_patronymic("Ильхам оглы"), Some(Sex::Male));
        assert_eq!(relation("Мать").unwrap(), Relation::Mother);
        assert_eq!(relation("Законный представитель").unwrap(), Relation::Other);
        assert_eq!(
            roles("учитель, завуч").unwrap(),
            [Role::Teacher, Role::Deputy]
        );
        assert!(roles("директор").is_err());
        assert_eq!(weekday("Сб").unwrap(), 6);
        for d in 1..=6 {
            assert_eq!(weekday(weekday_short(d)).unwrap(), d);
        }
        assert!(weekday("Вс").is_err());
        assert_eq!(hours("0,5").unwrap().tenths(), 5);
        assert_eq!(hours("2").unwrap().tenths(), 20);
        assert_eq!(hours("1.50").unwrap().tenths(), 15);
        for bad in ["0", "-1", "1,25", "41", "два", ""] {
            assert!(hours(bad).is_err(), "{bad}");
        }
        assert_eq!(part("").unwrap(), CurriculumPart::Compulsory);
        assert_eq!(
            part("Часть, формируемая участниками").unwrap(),
            CurriculumPart::Chosen
        );
        assert_eq!(lesson_number("3.0").unwrap(), 3);
        assert!(lesson_number("13").is_err());
    }

    #[test]
    fn a_staff_member_is_named_fully_or_by_initials() {
        let name = full_name("Ёлкина  Мария Петровна").unwrap();
        for r in ["Елкина Мария Петровна", "ёлкина м. п.", "Ёлкина М.П."]
        {
            assert!(StaffRef::parse(r).unwrap().names(&name), "{r}");
        }
        assert!(!StaffRef::parse("Ёлкина М. А.").unwrap().names(&name));
        let long = full_name("Алиев Рашид Ильхам оглы").unwrap();
        assert_eq!(long.middle.unwrap().as_str(), "Ильхам оглы");
        assert!(full_name("Алиев").is_err());
    }

    proptest! {
        #[test]
        fn no_cell_makes_a_parser_panic(s in "\\PC{0,40}") {
            let _ = date(&s);
            let _ = hours(&s);
            let _ = Snils::parse(&s);
            let _ = weekday(&s);
            let _ = lesson_number(&s);
            let _ = full_name(&s);
            let _ = StaffRef::parse(&s);
        }

        #[test]
        fn hours_read_back_as_written(tenths in 1u16..=400) {
            let text = WeeklyHours::from_tenths(tenths).to_string();
            prop_assert_eq!(hours(&text).unwrap().tenths(), tenths);
        }
    }
}
