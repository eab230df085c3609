//! The school's frame: the school row, its academic year with parallels, periods and holidays,
//! subjects and the curriculum per parallel, classes, subgroups and streams.

use crate::curriculum::{SubjectCode, yearly_hours};
use crate::model::*;
use crate::rng::SplitMix64;
use crate::{Ctx, DemoError};
use tabel_domain::calendar::{TimeZoneName, WeekLength, WeeklyHours};
use tabel_domain::school::{GroupKind, PeriodKind};
use tabel_domain::text::ClassName;
use tabel_domain::{HolidayId, MunicipalityId};
use tabel_store::Conn;
use tabel_store::school::{self as repo, NewCurriculumItem, NewGroup, NewSchool};

/// Weekly hours (tenths) of the profile mathematics stream: the advanced level's extra algebra.
pub(crate) const STREAM_ALGEBRA_TENTHS: u16 = 20;

const LETTERS: [char; 3] = ['А', 'Б', 'В'];

/// Creates the school and its frame; people come later.
pub(crate) async fn create_school(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    index: u32,
    municipality: MunicipalityId,
    rng: &mut SplitMix64,
) -> Result<DemoSchool, DemoError> {
    let number = index + 1;
    let name = format!("МБОУ «Средняя общеобразовательная школа № {number}»");
    let short_name = format!("СОШ № {number}");
    let time_zone = TimeZoneName::MOSCOW;
    let id = repo::insert_school(
        c,
        &NewSchool {
            municipality,
            name: &name,
            short_name: &short_name,
            time_zone: time_zone.as_str(),
            created_at: ctx.now,
        },
    )
    .await?;

    let cal = ctx.calendar;
    let start_year = cal.year.start_year();
    let year_id = repo::insert_academic_year(c, id, start_year, cal.starts_on, cal.ends_on).await?;
    let year = DemoYear {
        id: year_id,
        start_year,
        starts_on: cal.starts_on,
        ends_on: cal.ends_on,
    };

    let mut parallels = Vec::new();
    for grade in 1..=11u8 {
        let (week, periods) = if grade >= 10 {
            (WeekLength::SIX, PeriodKind::HalfYear)
        } else {
            (WeekLength::FIVE, PeriodKind::Quarter)
        };
        let pid = repo::insert_parallel(c, id, year_id, grade, week, periods).await?;
        parallels.push(DemoParallel {
            id: pid,
            grade,
            week,
            periods,
        });
    }

    let mut periods = Vec::new();
    let all_periods = cal
        .quarters
        .iter()
        .map(|p| (PeriodKind::Quarter, *p))
        .chain(cal.half_years.iter().map(|p| (PeriodKind::HalfYear, *p)));
    let mut number_of = [0u8; 2];
    for (kind, (starts_on, ends_on)) in all_periods {
        let slot = usize::from(kind == PeriodKind::HalfYear);
        number_of[slot] += 1;
        let number = number_of[slot];
        let pid = repo::insert_period(c, id, year_id, kind, number, starts_on, ends_on).await?;
        periods.push(DemoPeriod {
            id: pid,
            kind,
            number,
            starts_on,
            ends_on,
        });
    }

    let mut days_off = Vec::new();
    for d in &cal.days_off {
        let row = repo::Holiday {
            id: HolidayId::new(0),
            kind: d.kind,
            name: d.name.clone(),
            starts_on: d.starts_on,
            ends_on: d.ends_on,
            only_grade: d.only_grade,
        };
        let hid = repo::insert_holiday(c, id, year_id, &row).await?;
        days_off.push(DemoDayOff {
            id: hid,
            kind: d.kind,
            name: d.name.clone(),
            starts_on: d.starts_on,
            ends_on: d.ends_on,
            only_grade: d.only_grade,
        });
    }

    let mut subjects = Vec::new();
    for (i, code) in SubjectCode::ALL.iter().enumerate() {
        let order = i64::try_from(i).unwrap_or(0) * 10 + 10;
        let sid = repo::insert_subject(c, id, code.name(), code.short_name(), order).await?;
        subjects.push(DemoSubject {
            code: *code,
            id: sid,
        });
    }

    let mut school = DemoSchool {
        index,
        id,
        municipality,
        name,
        short_name,
        time_zone,
        year,
        calendar: cal.clone(),
        parallels,
        periods,
        days_off,
        subjects,
        classes: Vec::new(),
        groups: Vec::new(),
        curriculum: Vec::new(),
        staff: Vec::new(),
        students: Vec::new(),
        parents: Vec::new(),
        families: Vec::new(),
        moves: Vec::new(),
        assignments: Vec::new(),
        accounts: Vec::new(),
        timetable: DemoTimetable::default(),
        assessments: Vec::new(),
        journal: DemoJournal::default(),
    };

    for grade in 1..=11u8 {
        for code in SubjectCode::ALL {
            let tenths = code.weekly_tenths(grade);
            if tenths > 0 {
                add_curriculum(c, &mut school, Some(grade), None, code, tenths).await?;
            }
        }
    }

    create_classes(c, &mut school, rng).await?;
    Ok(school)
}

/// Adds a curriculum line for a parallel or a group.
pub(crate) async fn add_curriculum(
    c: &mut Conn<'_>,
    school: &mut DemoSchool,
    grade: Option<u8>,
    group: Option<GroupRef>,
    code: SubjectCode,
    tenths: u16,
) -> Result<(), DemoError> {
    let of_grade = match (grade, group) {
        (Some(g), _) => g,
        (None, Some(GroupRef::Class(i))) => school.classes.get(i).map_or(1, |c| c.grade),
        (None, Some(GroupRef::Group(i))) => school.groups.get(i).map_or(1, |g| g.grade),
        (None, None) => {
            return Err(DemoError::Invalid(
                "a curriculum line needs a grade or a group".into(),
            ));
        }
    };
    let subject = school
        .subject_id(code)
        .ok_or_else(|| DemoError::Invalid(format!("no subject {}", code.name())))?;
    let weekly = WeeklyHours::from_tenths(tenths);
    let yearly = yearly_hours(tenths, of_grade);
    let item = NewCurriculumItem {
        school: school.id,
        year: school.year.id,
        grade,
        group: group.and_then(|g| school.group_id(g)),
        subject,
        weekly,
        yearly,
    };
    let id = repo::insert_curriculum_item(c, &item).await?;
    school.curriculum.push(DemoCurriculumItem {
        id,
        grade,
        group,
        subject: code,
        weekly,
        yearly,
    });
    Ok(())
}

/// Inserts a subgroup, stream or individual-curriculum group and records it.
pub(crate) async fn add_group(
    c: &mut Conn<'_>,
    school: &mut DemoSchool,
    kind: GroupKind,
    name: String,
    grade: u8,
    class: Option<usize>,
    subject: Option<SubjectCode>,
) -> Result<usize, DemoError> {
    let parent = class.and_then(|i| school.classes.get(i)).map(|c| c.id);
    let subject_id = subject.and_then(|s| school.subject_id(s));
    let id = repo::insert_group(
        c,
        &NewGroup {
            school: school.id,
            year: school.year.id,
            kind,
            name: &name,
            grade,
            parent,
            subject: subject_id,
        },
    )
    .await?;
    school.groups.push(DemoGroup {
        id,
        kind,
        name,
        grade,
        class,
        subject,
        classes: Vec::new(),
        members: Vec::new(),
    });
    Ok(school.groups.len() - 1)
}

/// Classes per grade: three in primary school, two in grades 5–9 but one (random) with three,
/// two in grades 10–11 — 27 classes, about 650 pupils.
fn classes_per_grade(rng: &mut SplitMix64) -> [usize; 11] {
    let mut counts = [3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2];
    let bigger = 4 + rng.index(5);
    counts[bigger] = 3;
    counts
}

async fn create_classes(
    c: &mut Conn<'_>,
    school: &mut DemoSchool,
    rng: &mut SplitMix64,
) -> Result<(), DemoError> {
    let counts = classes_per_grade(rng);
    for grade in 1..=11u8 {
        for letter in LETTERS.iter().take(counts[usize::from(grade - 1)]) {
            let name =
                ClassName::new(grade, *letter).map_err(|e| DemoError::Invalid(e.to_string()))?;
            let label = name.to_string();
            let id = repo::insert_group(
                c,
                &NewGroup {
                    school: school.id,
                    year: school.year.id,
                    kind: GroupKind::Class,
                    name: &label,
                    grade,
                    parent: None,
                    subject: None,
                },
            )
            .await?;
            school.classes.push(DemoClass {
                id,
                name,
                grade,
                letter: *letter,
                members: Vec::new(),
                english: Vec::new(),
                informatics: Vec::new(),
                class_teacher: None,
            });
        }
    }

    for ci in 0..school.classes.len() {
        let (grade, label) = match school.classes.get(ci) {
            Some(class) => (class.grade, class.name.to_string()),
            None => continue,
        };
        if grade >= 2 {
            for n in 1..=2 {
                let g = add_group(
                    c,
                    school,
                    GroupKind::Subgroup,
                    format!("{label} англ. {n}"),
                    grade,
                    Some(ci),
                    Some(SubjectCode::English),
                )
                .await?;
                if let Some(class) = school.classes.get_mut(ci) {
                    class.english.push(g);
                }
            }
        }
        if grade >= 7 {
            for n in 1..=2 {
                let g = add_group(
                    c,
                    school,
                    GroupKind::Subgroup,
                    format!("{label} инф. {n}"),
                    grade,
                    Some(ci),
                    Some(SubjectCode::Informatics),
                )
                .await?;
                if let Some(class) = school.classes.get_mut(ci) {
                    class.informatics.push(g);
                }
            }
        }
    }

    // The profile mathematics streams of the senior grades draw from every class of the
    // parallel; the stream's own curriculum line holds the advanced level's extra hours.
    for grade in [10u8, 11] {
        let sources: Vec<usize> = (0..school.classes.len())
            .filter(|i| school.classes.get(*i).is_some_and(|c| c.grade == grade))
            .collect();
        let g = add_group(
            c,
            school,
            GroupKind::Stream,
            format!("{grade} мат. (профиль)"),
            grade,
            None,
            Some(SubjectCode::Algebra),
        )
        .await?;
        let stream_id = school.groups.get(g).map(|g| g.id);
        for ci in &sources {
            if let (Some(stream), Some(class)) = (stream_id, school.classes.get(*ci)) {
                repo::insert_stream_class(c, stream, class.id).await?;
            }
        }
        if let Some(group) = school.groups.get_mut(g) {
            group.classes = sources;
        }
        add_curriculum(
            c,
            school,
            None,
            Some(GroupRef::Group(g)),
            SubjectCode::Algebra,
            STREAM_ALGEBRA_TENTHS,
        )
        .await?;
    }
    Ok(())
}
