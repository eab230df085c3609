//! Matching a file's rows to the school's pupils ([`PupilIndex`]) and its subjects.

use super::parser::{Col, MAX_ERRORS};
use super::{ExamErrors, ParsedExams, PupilRef};
use crate::table::CellError;
use crate::text::sort_key;
use crate::{PersonId, SubjectId};
use std::collections::HashMap;
use time::Date;

/// A pupil of the school as matching sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The pupil.
    pub id: PersonId,
    /// Surname.
    pub last: String,
    /// Given name.
    pub first: String,
    /// Patronymic.
    pub middle: Option<String>,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// Class name now (`9А`), if in one.
    pub class: Option<String>,
}

/// A class name as compared: no spaces or dashes, upper case, Latin look-alikes as Cyrillic
/// (`9 a` and `9-А` are `9А`).
fn class_key(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .map(|c| match c {
            'A' => 'А',
            'B' => 'В',
            'E' => 'Е',
            'K' => 'К',
            'M' => 'М',
            'H' => 'Н',
            'O' => 'О',
            'P' => 'Р',
            'C' => 'С',
            'T' => 'Т',
            'X' => 'Х',
            'Ё' => 'Е',
            other => other,
        })
        .collect()
}

/// The school's pupils by surname and given name (case-folded, `ё` as `е`).
#[derive(Debug, Clone, Default)]
pub struct PupilIndex {
    by_name: HashMap<(String, String), Vec<Candidate>>,
}

/// Why a row names no single pupil.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoMatch {
    /// Nobody of the school has the name.
    Unknown,
    /// Namesakes exist, but none in the class the row gives.
    NotInClass,
    /// Namesakes exist, but none born on the date the row gives.
    NotBornThen,
    /// Several pupils fit what the row gives.
    Ambiguous(usize),
}

impl PupilIndex {
    /// Indexes the school's pupils.
    pub fn new(pupils: Vec<Candidate>) -> PupilIndex {
        let mut by_name: HashMap<(String, String), Vec<Candidate>> = HashMap::new();
        for c in pupils {
            by_name
                .entry((sort_key(&c.last), sort_key(&c.first)))
                .or_default()
                .push(c);
        }
        PupilIndex { by_name }
    }

    /// The one pupil the row names: by surname and given name, then the patronymic, class and
    /// birth date where the row gives them.
    pub fn find(&self, r: &PupilRef) -> Result<PersonId, NoMatch> {
        let Some(namesakes) = self.by_name.get(&(sort_key(&r.last), sort_key(&r.first))) else {
            return Err(NoMatch::Unknown);
        };
        let mut fit: Vec<&Candidate> = namesakes
            .iter()
            .filter(|c| match (&r.middle, &c.middle) {
                (Some(a), Some(b)) => sort_key(a) == sort_key(b),
                _ => true,
            })
            .collect();
        if fit.is_empty() {
            return Err(NoMatch::Unknown);
        }
        if let Some(class) = &r.class {
            let want = class_key(class);
            fit.retain(|c| c.class.as_deref().map(class_key).as_deref() == Some(want.as_str()));
            if fit.is_empty() {
                return Err(NoMatch::NotInClass);
            }
        }
        if let Some(born) = r.birth_date {
            fit.retain(|c| c.birth_date == Some(born));
            if fit.is_empty() {
                return Err(NoMatch::NotBornThen);
            }
        }
        match fit.as_slice() {
            [one] => Ok(one.id),
            many => Err(NoMatch::Ambiguous(many.len())),
        }
    }
}

impl ParsedExams {
    /// The pupil of every row, in order; every row that names no single pupil is an error
    /// naming its row and the column to fix.
    pub fn match_pupils(&self, index: &PupilIndex) -> Result<Vec<PersonId>, ExamErrors> {
        let mut ids = Vec::with_capacity(self.rows.len());
        let mut errors = Vec::new();
        for r in &self.rows {
            match index.find(&r.pupil) {
                Ok(id) => ids.push(id),
                Err(e) => {
                    let name = r.pupil.name();
                    let (column, message) = match e {
                        NoMatch::Unknown => (
                            self.name_column.clone(),
                            format!("no pupil «{name}» in the school"),
                        ),
                        NoMatch::NotInClass => (
                            self.class_column
                                .clone()
                                .unwrap_or_else(|| Col::Class.default_name().to_owned()),
                            format!(
                                "no pupil «{name}» in class {}",
                                r.pupil.class.as_deref().unwrap_or_default()
                            ),
                        ),
                        NoMatch::NotBornThen => (
                            self.birth_column
                                .clone()
                                .unwrap_or_else(|| Col::Birth.default_name().to_owned()),
                            format!("no pupil «{name}» born on that date"),
                        ),
                        NoMatch::Ambiguous(n) => (
                            self.name_column.clone(),
                            if self.class_column.is_some() && self.birth_column.is_some() {
                                format!(
                                    "{n} pupils of the school are «{name}» and the class and \
                                     birth date do not tell them apart"
                                )
                            } else {
                                format!(
                                    "{n} pupils of the school are «{name}»: add the column \
                                     «Класс» or «Дата рождения» to tell them apart"
                                )
                            },
                        ),
                    };
                    errors.push(CellError {
                        row: r.row,
                        column: Some(column),
                        message,
                    });
                    if errors.len() >= MAX_ERRORS {
                        break;
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(ids)
        } else {
            Err(ExamErrors(errors))
        }
    }
}

/// The school's subject a name means (by its name or short name, case-folded, `ё` as `е`), if
/// any; results in other subjects keep the name as written.
pub fn match_subject(name: &str, subjects: &[(SubjectId, String, String)]) -> Option<SubjectId> {
    let want = sort_key(name.trim());
    subjects
        .iter()
        .find(|(_, n, short)| sort_key(n) == want || sort_key(short) == want)
        .map(|(id, _, _)| *id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::exams::parser::split_full_name;
    use crate::exams::{ExamKind, parse_csv};

    use time::macros::date;

    fn candidate(id: i64, name: &str, class: &str, born: Option<Date>) -> Candidate {
        let (last, first, middle) = split_full_name(name).unwrap();
        Candidate {
            id: PersonId::new(id),
            last,
            first,
            middle,
            birth_date: born,
            class: Some(class.to_owned()),
        }
    }

    fn pupil(name: &str, class: Option<&str>, born: Option<Date>) -> PupilRef {
        let (last, first, middle) = split_full_name(name).unwrap();
        PupilRef {
            last,
            first,
            middle,
            class: class.map(str::to_owned),
            birth_date: born,
        }
    }

    #[test]
    fn namesakes_are_told_apart_by_patronymic_class_or_birth_date() {
        let index = PupilIndex::new(vec![
            candidate(
                1,
                "Петров Иван Сергеевич",
                "9А",
                Some(date!(2011 - 03 - 14)),
            ),
            candidate(2, "Петров Иван Олегович", "9Б", Some(date!(2011 - 05 - 01))),
            candidate(3, "Сёмина Анна Петровна", "9А", None),
        ]);
        assert_eq!(
            index.find(&pupil("ПЕТРОВ иван сергеевич", None, None)),
            Ok(PersonId::new(1))
        );
        assert_eq!(
            index.find(&pupil("Петров Иван", Some("9 б"), None)),
            Ok(PersonId::new(2))
        );
        assert_eq!(
            index.find(&pupil("Петров Иван", Some("9-a"), None)),
            Ok(PersonId::new(1))
        );
        assert_eq!(
            index.find(&pupil("Петров Иван", None, Some(date!(2011 - 05 - 01)))),
            Ok(PersonId::new(2))
        );
        assert_eq!(
            index.find(&pupil("Семина Анна", None, None)),
            Ok(PersonId::new(3))
        );
        assert_eq!(
            index.find(&pupil("Петров Иван", None, None)),
            Err(NoMatch::Ambiguous(2))
        );
        assert_eq!(
            index.find(&pupil("Петров Иван", Some("9В"), None)),
            Err(NoMatch::NotInClass)
        );
        assert_eq!(
            index.find(&pupil("Петров Иван", None, Some(date!(2011 - 01 - 01)))),
            Err(NoMatch::NotBornThen)
        );
        assert_eq!(
            index.find(&pupil("Петров Пётр", None, None)),
            Err(NoMatch::Unknown)
        );
        assert_eq!(
            index.find(&pupil("Петров Иван Ильич", None, None)),
            Err(NoMatch::Unknown)
        );
    }

    #[test]
    fn unmatched_rows_are_named_by_row_and_column() {
        let index = PupilIndex::new(vec![
            candidate(1, "Петров Иван Сергеевич", "9А", None),
            candidate(2, "Петров Иван Олегович", "9Б", None),
        ]);
        let csv = "Фамилия;Имя;Класс;Предмет;Отметка\nПетров;Иван;9А;Физика;5\nПетров;Иван;9В;Физика;5\nИванов;Пётр;9А;Физика;4\n";
        let p = parse_csv(ExamKind::Oge, csv.as_bytes()).unwrap();
        let e = p.match_pupils(&index).unwrap_err();
        let text: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            vec![
                "row 3, column «Класс»: no pupil «Петров Иван» in class 9В",
                "row 4, column «Фамилия»: no pupil «Иванов Пётр» in the school",
            ]
        );
        let csv = "ФИО;Предмет;Отметка\nПетров Иван;Физика;5\n";
        let p = parse_csv(ExamKind::Oge, csv.as_bytes()).unwrap();
        let e = p.match_pupils(&index).unwrap_err();
        assert_eq!(
            e.0[0].to_string(),
            "row 2, column «ФИО»: 2 pupils of the school are «Петров Иван»: add the column «Класс» or «Дата рождения» to tell them apart"
        );
    }

    #[test]
    fn subjects_match_by_name_or_short_name() {
        let subjects = vec![
            (SubjectId::new(1), "Математика".to_owned(), "Мат".to_owned()),
            (
                SubjectId::new(2),
                "Русский язык".to_owned(),
                "Рус. яз.".to_owned(),
            ),
        ];
        assert_eq!(
            match_subject(" математика ", &subjects),
            Some(SubjectId::new(1))
        );
        assert_eq!(
            match_subject("рус. яз.", &subjects),
            Some(SubjectId::new(2))
        );
        assert_eq!(match_subject("Окружающий мир", &subjects), None);
    }
}
