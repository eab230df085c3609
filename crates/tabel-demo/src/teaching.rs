//! Staff and teaching loads: the administration, a primary teacher per primary class, subject
//! teachers in numbers that follow the curriculum's hours (about 20 h a week each), teaching
//! assignments balanced over them, and a class teacher for every class.

use crate::curriculum::SubjectCode;
use crate::model::*;
use crate::names;
use crate::people::{insert_person, random_date};
use crate::rng::SplitMix64;
use crate::structure::STREAM_ALGEBRA_TENTHS;
use crate::{Ctx, DemoError};
use tabel_domain::calendar::WeeklyHours;
use tabel_domain::school::{GroupKind, Sex};
use tabel_store::Conn;
use tabel_store::school as repo;

/// A teacher's specialty: which subjects (and in which grades) they teach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Specialty {
    /// Учитель начальных классов: everything in their own class but English, music and PE.
    Primary,
    /// Русский язык и литература.
    RussianLiterature,
    /// Математика, алгебра, геометрия, вероятность и статистика.
    Mathematics,
    /// Информатика.
    Informatics,
    /// Английский язык.
    English,
    /// История и обществознание.
    HistorySocial,
    /// География.
    Geography,
    /// Биология.
    Biology,
    /// Химия.
    Chemistry,
    /// Физика.
    Physics,
    /// Музыка.
    Music,
    /// Изобразительное искусство.
    Art,
    /// Труд (технология).
    Labour,
    /// Физическая культура.
    PhysicalEducation,
    /// ОБЗР.
    Obzr,
}

impl Specialty {
    /// Every specialty.
    pub const ALL: [Specialty; 15] = [
        Specialty::Primary,
        Specialty::RussianLiterature,
        Specialty::Mathematics,
        Specialty::Informatics,
        Specialty::English,
        Specialty::HistorySocial,
        Specialty::Geography,
        Specialty::Biology,
        Specialty::Chemistry,
        Specialty::Physics,
        Specialty::Music,
        Specialty::Art,
        Specialty::Labour,
        Specialty::PhysicalEducation,
        Specialty::Obzr,
    ];

    /// The position as the staff list writes it.
    pub const fn position(self) -> &'static str {
        match self {
            Specialty::Primary => "учитель начальных классов",
            Specialty::RussianLiterature => "учитель русского языка и литературы",
            Specialty::Mathematics => "учитель математики",
            Specialty::Informatics => "учитель информатики",
            Specialty::English => "учитель английского языка",
            Specialty::HistorySocial => "учитель истории и обществознания",
            Specialty::Geography => "учитель географии",
            Specialty::Biology => "учитель биологии",
            Specialty::Chemistry => "учитель химии",
            Specialty::Physics => "учитель физики",
            Specialty::Music => "учитель музыки",
            Specialty::Art => "учитель изобразительного искусства",
            Specialty::Labour => "учитель труда (технологии)",
            Specialty::PhysicalEducation => "учитель физической культуры",
            Specialty::Obzr => "преподаватель-организатор ОБЗР",
        }
    }

    /// The share of men among such teachers, in percent (Russian schools: mostly women).
    const fn men_percent(self) -> u64 {
        match self {
            Specialty::Primary => 2,
            Specialty::RussianLiterature => 5,
            Specialty::English => 8,
            Specialty::Biology => 15,
            Specialty::Mathematics | Specialty::Chemistry | Specialty::Music => 20,
            Specialty::Art => 25,
            Specialty::Geography => 30,
            Specialty::HistorySocial => 35,
            Specialty::Informatics | Specialty::Physics => 45,
            Specialty::Labour => 50,
            Specialty::PhysicalEducation => 60,
            Specialty::Obzr => 85,
        }
    }

    /// Who teaches a subject in a grade.
    pub const fn of(subject: SubjectCode, grade: u8) -> Specialty {
        use SubjectCode::*;
        match subject {
            English => Specialty::English,
            Music => Specialty::Music,
            PhysicalEducation => Specialty::PhysicalEducation,
            _ if grade <= 4 => Specialty::Primary,
            LiteraryReading | WorldAround | Orkse => Specialty::Primary,
            Russian | Literature => Specialty::RussianLiterature,
            Mathematics | Algebra | Geometry | Probability => Specialty::Mathematics,
            Informatics => Specialty::Informatics,
            History | SocialStudies => Specialty::HistorySocial,
            Geography => Specialty::Geography,
            Biology => Specialty::Biology,
            Chemistry => Specialty::Chemistry,
            Physics => Specialty::Physics,
            Art => Specialty::Art,
            Labour => Specialty::Labour,
            Obzr => Specialty::Obzr,
        }
    }
}

/// The administration and other staff who keep no journal.
const ADMINISTRATION: [(&str, StaffKind, Option<Sex>); 7] = [
    ("директор", StaffKind::Director, None),
    (
        "заместитель директора по учебно-воспитательной работе",
        StaffKind::Deputy,
        Some(Sex::Female),
    ),
    (
        "заместитель директора по учебно-воспитательной работе в начальной школе",
        StaffKind::Deputy,
        Some(Sex::Female),
    ),
    (
        "заместитель директора по воспитательной работе",
        StaffKind::Deputy,
        None,
    ),
    ("педагог-психолог", StaffKind::Support, Some(Sex::Female)),
    ("социальный педагог", StaffKind::Support, Some(Sex::Female)),
    (
        "педагог-библиотекарь",
        StaffKind::Support,
        Some(Sex::Female),
    ),
];

/// Weekly hours (tenths) a teacher count is rounded to: a ставка is 18 h, most teach more.
const TYPICAL_LOAD: u32 = 200;

/// What one teacher takes at once: a specialty's subjects in one class, or one subgroup.
#[derive(Debug)]
struct Bundle {
    specialty: Specialty,
    class: usize,
    part: u8,
    items: Vec<(SubjectCode, GroupRef, u16)>,
    tenths: u32,
}

fn bundles(school: &DemoSchool) -> Vec<Bundle> {
    let mut out: Vec<Bundle> = Vec::new();
    for (ci, class) in school.classes.iter().enumerate() {
        for code in SubjectCode::ALL {
            let tenths = code.weekly_tenths(class.grade);
            if tenths == 0 {
                continue;
            }
            let specialty = Specialty::of(code, class.grade);
            let subgroups = match code {
                SubjectCode::English => &class.english,
                SubjectCode::Informatics => &class.informatics,
                _ => &Vec::new(),
            };
            let targets: Vec<(u8, GroupRef)> = if subgroups.is_empty() {
                vec![(0, GroupRef::Class(ci))]
            } else {
                (1u8..)
                    .zip(subgroups.iter().map(|g| GroupRef::Group(*g)))
                    .collect()
            };
            for (part, group) in targets {
                let item = (code, group, tenths);
                match out
                    .iter_mut()
                    .find(|b| b.specialty == specialty && b.class == ci && b.part == part)
                {
                    Some(b) => {
                        b.items.push(item);
                        b.tenths += u32::from(tenths);
                    }
                    None => out.push(Bundle {
                        specialty,
                        class: ci,
                        part,
                        items: vec![item],
                        tenths: u32::from(tenths),
                    }),
                }
            }
        }
    }
    for (gi, group) in school.groups.iter().enumerate() {
        if group.kind == GroupKind::Stream {
            out.push(Bundle {
                specialty: Specialty::Mathematics,
                class: group.classes.first().copied().unwrap_or(0),
                part: 9,
                items: vec![(
                    SubjectCode::Algebra,
                    GroupRef::Group(gi),
                    STREAM_ALGEBRA_TENTHS,
                )],
                tenths: u32::from(STREAM_ALGEBRA_TENTHS),
            });
        }
    }
    out.sort_by_key(|b| (b.specialty, b.class, b.part));
    out
}

async fn add_staff(
    c: &mut Conn<'_>,
    school: &mut DemoSchool,
    rng: &mut SplitMix64,
    position: &str,
    kind: StaffKind,
    sex: Sex,
) -> Result<usize, DemoError> {
    let name = names::random_adult(rng, sex)?;
    let y = school.year.start_year;
    // Heads are 38–62, teachers 23–64.
    let (oldest, youngest) = match kind {
        StaffKind::Director | StaffKind::Deputy => (62, 38),
        _ => (64, 23),
    };
    let born = random_date(
        rng,
        crate::calendar_date(y - oldest, time::Month::January, 1)?,
        crate::calendar_date(y - youngest, time::Month::December, 31)?,
    );
    let person = insert_person(c, school.id, name, sex, Some(born)).await?;
    repo::insert_staff(c, person.id, school.id, position).await?;
    school.staff.push(DemoStaff {
        person,
        position: position.to_owned(),
        kind,
        load_tenths: 0,
    });
    Ok(school.staff.len() - 1)
}

/// Adds a teaching assignment from the first day of the year.
pub(crate) async fn add_assignment(
    c: &mut Conn<'_>,
    school: &mut DemoSchool,
    teacher: usize,
    subject: SubjectCode,
    group: GroupRef,
    tenths: u16,
) -> Result<(), DemoError> {
    let (Some(person), Some(subject_id), Some(group_id)) = (
        school.staff.get(teacher).map(|t| t.person.id),
        school.subject_id(subject),
        school.group_id(group),
    ) else {
        return Err(DemoError::Invalid("an assignment refers to nothing".into()));
    };
    let id = repo::insert_assignment(
        c,
        school.id,
        school.year.id,
        person,
        subject_id,
        group_id,
        school.year.starts_on,
    )
    .await?;
    if let Some(t) = school.staff.get_mut(teacher) {
        t.load_tenths += u32::from(tenths);
    }
    school.assignments.push(DemoAssignment {
        id,
        teacher,
        subject,
        group,
        weekly: WeeklyHours::from_tenths(tenths),
    });
    Ok(())
}

/// Creates the staff, assigns every curriculum line of every class, subgroup and stream, and
/// appoints class teachers.
pub(crate) async fn staff_and_assignments(
    c: &mut Conn<'_>,
    _ctx: &Ctx<'_>,
    school: &mut DemoSchool,
    rng: &mut SplitMix64,
) -> Result<(), DemoError> {
    for (position, kind, sex) in ADMINISTRATION {
        let sex = sex.unwrap_or(if rng.percent(40) {
            Sex::Male
        } else {
            Sex::Female
        });
        add_staff(c, school, rng, position, kind, sex).await?;
    }

    let bundles = bundles(school);
    let mut primary_of_class = vec![None; school.classes.len()];
    let primary_classes: Vec<usize> = (0..school.classes.len())
        .filter(|i| school.classes.get(*i).is_some_and(|c| c.grade <= 4))
        .collect();
    for ci in primary_classes {
        let sex = teacher_sex(rng, Specialty::Primary);
        let t = add_staff(
            c,
            school,
            rng,
            Specialty::Primary.position(),
            StaffKind::Teacher(Specialty::Primary),
            sex,
        )
        .await?;
        if let Some(slot) = primary_of_class.get_mut(ci) {
            *slot = Some(t);
        }
    }
    let mut teachers: Vec<(Specialty, Vec<usize>)> = Vec::new();
    for specialty in Specialty::ALL
        .into_iter()
        .filter(|s| *s != Specialty::Primary)
    {
        let total: u32 = bundles
            .iter()
            .filter(|b| b.specialty == specialty)
            .map(|b| b.tenths)
            .sum();
        if total == 0 {
            continue;
        }
        let count = ((total + TYPICAL_LOAD / 2) / TYPICAL_LOAD).max(1);
        let mut ids = Vec::new();
        for _ in 0..count {
            let sex = teacher_sex(rng, specialty);
            ids.push(
                add_staff(
                    c,
                    school,
                    rng,
                    specialty.position(),
                    StaffKind::Teacher(specialty),
                    sex,
                )
                .await?,
            );
        }
        teachers.push((specialty, ids));
    }

    // Who holds which (class, specialty): keeps the two subgroups of a class with different
    // teachers where there are two.
    let mut holders: Vec<(usize, Specialty, usize)> = Vec::new();
    for bundle in &bundles {
        let teacher = if bundle.specialty == Specialty::Primary {
            primary_of_class.get(bundle.class).copied().flatten()
        } else {
            let pool = teachers
                .iter()
                .find(|(s, _)| *s == bundle.specialty)
                .map(|(_, ids)| ids.as_slice())
                .unwrap_or_default();
            let busy = |t: usize| {
                holders
                    .iter()
                    .any(|(c, s, h)| *c == bundle.class && *s == bundle.specialty && *h == t)
            };
            let load = |t: usize| school.staff.get(t).map_or(u32::MAX, |s| s.load_tenths);
            let free: Vec<usize> = pool.iter().copied().filter(|t| !busy(*t)).collect();
            let choose_from = if bundle.part > 0 && bundle.part < 9 && !free.is_empty() {
                free
            } else {
                pool.to_vec()
            };
            choose_from.into_iter().min_by_key(|t| (load(*t), *t))
        };
        let Some(teacher) = teacher else {
            return Err(DemoError::Invalid("a lesson without a teacher".into()));
        };
        holders.push((bundle.class, bundle.specialty, teacher));
        for (code, group, tenths) in &bundle.items {
            add_assignment(c, school, teacher, *code, *group, *tenths).await?;
        }
    }

    appoint_class_teachers(c, school, &primary_of_class).await
}

fn teacher_sex(rng: &mut SplitMix64, specialty: Specialty) -> Sex {
    if rng.percent(specialty.men_percent()) {
        Sex::Male
    } else {
        Sex::Female
    }
}

async fn appoint_class_teachers(
    c: &mut Conn<'_>,
    school: &mut DemoSchool,
    primary_of_class: &[Option<usize>],
) -> Result<(), DemoError> {
    let mut leading: Vec<usize> = Vec::new();
    for ci in 0..school.classes.len() {
        let teacher = match primary_of_class.get(ci).copied().flatten() {
            Some(t) => Some(t),
            None => {
                // The teacher with the most hours in the class who leads no class yet.
                let mut hours: Vec<(usize, u32)> = Vec::new();
                for a in &school.assignments {
                    let in_class = match a.group {
                        GroupRef::Class(c) => c == ci,
                        GroupRef::Group(g) => {
                            school.groups.get(g).and_then(|g| g.class) == Some(ci)
                        }
                    };
                    if in_class && !leading.contains(&a.teacher) {
                        match hours.iter_mut().find(|(t, _)| *t == a.teacher) {
                            Some((_, h)) => *h += u32::from(a.weekly.tenths()),
                            None => hours.push((a.teacher, u32::from(a.weekly.tenths()))),
                        }
                    }
                }
                hours
                    .into_iter()
                    .max_by_key(|(t, h)| (*h, std::cmp::Reverse(*t)))
                    .map(|(t, _)| t)
                    .or_else(|| {
                        (0..school.staff.len()).find(|t| {
                            !leading.contains(t)
                                && school
                                    .staff
                                    .get(*t)
                                    .is_some_and(|s| matches!(s.kind, StaffKind::Teacher(_)))
                        })
                    })
            }
        };
        let Some(teacher) = teacher else {
            continue;
        };
        leading.push(teacher);
        let (Some(class_id), Some(person)) = (
            school.classes.get(ci).map(|c| c.id),
            school.staff.get(teacher).map(|s| s.person.id),
        ) else {
            continue;
        };
        repo::insert_class_teacher(c, school.id, class_id, person, school.year.starts_on).await?;
        if let Some(class) = school.classes.get_mut(ci) {
            class.class_teacher = Some(teacher);
        }
    }
    Ok(())
}
