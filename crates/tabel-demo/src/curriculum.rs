//! The subjects and the weekly hours of the federal curricula (ФОП НОО, ООО, СОО, five-day
//! variant 1 for grades 1–9 and the universal profile for grades 10–11), close enough for a
//! realistic school: the obligatory part, without the hours the school adds itself.

/// A subject of the demo school's curriculum, in curriculum order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubjectCode {
    /// Русский язык.
    Russian,
    /// Литературное чтение (grades 1–4).
    LiteraryReading,
    /// Литература (grades 5–11).
    Literature,
    /// Иностранный язык (английский).
    English,
    /// Математика (grades 1–6).
    Mathematics,
    /// Алгебра (grades 7–11).
    Algebra,
    /// Геометрия (grades 7–11).
    Geometry,
    /// Вероятность и статистика (grades 7–11).
    Probability,
    /// Информатика (grades 7–11).
    Informatics,
    /// Окружающий мир (grades 1–4).
    WorldAround,
    /// ОРКСЭ (grade 4).
    Orkse,
    /// История.
    History,
    /// Обществознание.
    SocialStudies,
    /// География.
    Geography,
    /// Биология.
    Biology,
    /// Физика.
    Physics,
    /// Химия.
    Chemistry,
    /// Изобразительное искусство.
    Art,
    /// Музыка.
    Music,
    /// Труд (технология).
    Labour,
    /// Физическая культура.
    PhysicalEducation,
    /// ОБЗР.
    Obzr,
}

use SubjectCode::*;

/// Per subject: name, short name, weekly hours in tenths for grades 1..=11 (0 = not taught).
#[rustfmt::skip]
const TABLE: [(SubjectCode, &str, &str, [u16; 11]); 22] = [
    (Russian, "Русский язык", "Рус. яз.", [50, 50, 50, 50, 50, 60, 40, 30, 30, 20, 20]),
    (LiteraryReading, "Литературное чтение", "Лит. чт.", [40, 40, 40, 30, 0, 0, 0, 0, 0, 0, 0]),
    (Literature, "Литература", "Лит.", [0, 0, 0, 0, 30, 30, 20, 20, 30, 30, 30]),
    (English, "Иностранный язык (английский)", "Англ. яз.", [0, 20, 20, 20, 30, 30, 30, 30, 30, 30, 30]),
    (Mathematics, "Математика", "Матем.", [40, 40, 40, 40, 50, 50, 0, 0, 0, 0, 0]),
    (Algebra, "Алгебра", "Алг.", [0, 0, 0, 0, 0, 0, 30, 30, 30, 20, 20]),
    (Geometry, "Геометрия", "Геом.", [0, 0, 0, 0, 0, 0, 20, 20, 20, 20, 20]),
    (Probability, "Вероятность и статистика", "Вер. и стат.", [0, 0, 0, 0, 0, 0, 10, 10, 10, 10, 10]),
    (Informatics, "Информатика", "Информ.", [0, 0, 0, 0, 0, 0, 10, 10, 10, 10, 10]),
    (WorldAround, "Окружающий мир", "Окр. мир", [20, 20, 20, 20, 0, 0, 0, 0, 0, 0, 0]),
    (Orkse, "Основы религиозных культур и светской этики", "ОРКСЭ", [0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0]),
    (History, "История", "Ист.", [0, 0, 0, 0, 20, 20, 20, 20, 20, 20, 20]),
    (SocialStudies, "Обществознание", "Общ.", [0, 0, 0, 0, 0, 10, 10, 10, 10, 20, 20]),
    (Geography, "География", "Геогр.", [0, 0, 0, 0, 10, 10, 20, 20, 20, 10, 10]),
    (Biology, "Биология", "Биол.", [0, 0, 0, 0, 10, 10, 10, 20, 20, 10, 10]),
    (Physics, "Физика", "Физ.", [0, 0, 0, 0, 0, 0, 20, 20, 30, 20, 20]),
    (Chemistry, "Химия", "Хим.", [0, 0, 0, 0, 0, 0, 0, 20, 20, 10, 10]),
    (Art, "Изобразительное искусство", "ИЗО", [10, 10, 10, 10, 10, 10, 10, 0, 0, 0, 0]),
    (Music, "Музыка", "Муз.", [10, 10, 10, 10, 10, 10, 10, 10, 0, 0, 0]),
    (Labour, "Труд (технология)", "Труд", [10, 10, 10, 10, 20, 20, 20, 10, 10, 0, 0]),
    (PhysicalEducation, "Физическая культура", "Физ-ра", [20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20]),
    (Obzr, "Основы безопасности и защиты Родины", "ОБЗР", [0, 0, 0, 0, 0, 0, 0, 10, 10, 10, 10]),
];

impl SubjectCode {
    /// Every subject, in curriculum order.
    pub const ALL: [SubjectCode; 22] = {
        let mut all = [Russian; 22];
        let mut i = 0;
        while i < all.len() {
            all[i] = TABLE[i].0;
            i += 1;
        }
        all
    };

    /// Position in [`SubjectCode::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The subject's name as documents write it.
    pub const fn name(self) -> &'static str {
        TABLE[self.index()].1
    }

    /// The short name for narrow columns.
    pub const fn short_name(self) -> &'static str {
        TABLE[self.index()].2
    }

    /// Weekly hours in tenths of an hour in a grade (0 where the subject is not taught).
    pub fn weekly_tenths(self, grade: u8) -> u16 {
        match grade {
            1..=11 => TABLE[self.index()].3[usize::from(grade - 1)],
            _ => 0,
        }
    }
}

/// Study weeks in a year: 33 in grade 1, 34 in the others.
pub const fn weeks(grade: u8) -> u16 {
    if grade == 1 { 33 } else { 34 }
}

/// Hours a year for weekly hours (in tenths) in a grade.
pub const fn yearly_hours(tenths: u16, grade: u8) -> u16 {
    tenths * weeks(grade) / 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_enum_order_and_within_the_federal_maximum() {
        for (i, code) in SubjectCode::ALL.iter().enumerate() {
            assert_eq!(TABLE[i].0, *code);
            assert_eq!(code.index(), i);
        }
        // Maximum weekly load of a five-day week (СанПиН): 21, 23, 23, 23, 29, 30, 32, 33, 33.
        let max = [210, 230, 230, 230, 290, 300, 320, 330, 330, 340, 340];
        for grade in 1..=11u8 {
            let total: u16 = SubjectCode::ALL
                .iter()
                .map(|s| s.weekly_tenths(grade))
                .sum();
            assert!(
                total <= max[usize::from(grade - 1)],
                "grade {grade}: {total}"
            );
            assert!(total >= 200, "grade {grade}: {total}");
        }
        assert_eq!(yearly_hours(50, 1), 165);
        assert_eq!(yearly_hours(50, 5), 170);
    }
}
