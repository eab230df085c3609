//! The school model's enumerations: roles, kinds of study groups and reporting periods,
//! relations of legal representatives, consent states. Each is stored as a short text code.

pub use crate::code::UnknownCode;
use crate::code::coded_enum;

coded_enum!(
    /// A role a user holds in a school. Scopes (which classes, which children) come from the
    /// school model: assignments, class-teacher appointments, parent↔child links.
    Role {
        /// School administrator: accounts, structure, settings.
        Admin = "admin",
        /// Deputy head (завуч): reads everything of the school, plans, reports.
        Deputy = "deputy",
        /// A teacher: writes where assigned.
        Teacher = "teacher",
        /// Class teacher (классный руководитель) of one or more classes.
        ClassTeacher = "class_teacher",
        /// A legal representative: sees linked children with a valid consent.
        Parent = "parent",
        /// A student: sees self.
        Student = "student",
    }
);

impl Role {
    /// Roles that are granted directly; the others follow from the school model.
    pub const GRANTABLE: &'static [Role] = &[Role::Admin, Role::Deputy, Role::Teacher];
}

coded_enum!(
    /// What a study group is.
    GroupKind {
        /// A class, e.g. 5А.
        Class = "class",
        /// A subgroup of a class, e.g. English group 1.
        Subgroup = "subgroup",
        /// A stream across classes of a parallel, e.g. a profile group in grade 10.
        Stream = "stream",
        /// A group of one: a student on an individual curriculum (ИУП).
        Individual = "individual",
    }
);

coded_enum!(
    /// How a parallel's year is divided for attestation.
    PeriodKind {
        /// Четверть: four a year.
        Quarter = "quarter",
        /// Триместр: three a year.
        Trimester = "trimester",
        /// Полугодие: two a year.
        HalfYear = "half_year",
    }
);

impl PeriodKind {
    /// How many periods of this kind a year has.
    pub const fn per_year(self) -> u8 {
        match self {
            PeriodKind::Quarter => 4,
            PeriodKind::Trimester => 3,
            PeriodKind::HalfYear => 2,
        }
    }
}

coded_enum!(
    /// How a legal representative is related to the child.
    Relation {
        /// Мать.
        Mother = "mother",
        /// Отец.
        Father = "father",
        /// Опекун (guardian of a child under 14).
        Guardian = "guardian",
        /// Попечитель (guardian of a child 14–18).
        Trustee = "trustee",
        /// Another legal representative (e.g. a foster parent).
        Other = "other",
    }
);

coded_enum!(
    /// A person's sex, for the grammatical forms of names and documents.
    Sex {
        /// Male.
        Male = "m",
        /// Female.
        Female = "f",
    }
);

coded_enum!(
    /// What a holiday row means.
    DayOffKind {
        /// Каникулы: a holiday range.
        Holiday = "holiday",
        /// A public non-working day.
        NonWorking = "non_working",
        /// A working day that is normally off (a worked Saturday).
        WorkingDay = "working_day",
    }
);

coded_enum!(
    /// The purpose a consent is given for (152-ФЗ: specific and separate).
    ConsentPurpose {
        /// Processing personal data for the electronic diary.
        Diary = "diary",
        /// Delivering the diary's information electronically (otherwise: paper extracts).
        ElectronicDelivery = "electronic_delivery",
    }
);

coded_enum!(
    /// Who sets an assessment procedure.
    Level {
        /// The school's own.
        School = "school",
        /// Regional.
        Regional = "regional",
        /// Federal (e.g. ВПР).
        Federal = "federal",
    }
);

coded_enum!(
    /// The state a consent record puts a parent × child × purpose in.
    ConsentState {
        /// Consent given.
        Given = "given",
        /// Consent refused.
        Refused = "refused",
        /// A consent given earlier and withdrawn.
        Withdrawn = "withdrawn",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()).unwrap(), *r);
        }
        for k in GroupKind::ALL {
            assert_eq!(GroupKind::from_code(k.code()).unwrap(), *k);
        }
        assert!(Role::from_code("root").is_err());
    }
}
