//! The demo school's schedule of assessment procedures (график оценочных процедур) for the
//! year: control works spread over the year per class and subject, ВПР in spring for grades
//! 4–8 and 10, a regional diagnostic work in grades 9 and 11 — every one placed on a real lesson
//! of its class and checked by the same rules the application applies
//! ([`tabel_domain::assessment::check`]): one per class a day, 18 days apart per subject, at most
//! 10 % of the subject's yearly hours, not on the day's first or last lesson unless the subject
//! has one lesson a week, none in grade 1 before the second half-year.

use crate::curriculum::SubjectCode;
use crate::model::{DemoAssessment, DemoSchool};
use crate::rng::SplitMix64;
use crate::{Ctx, DemoError};
use std::collections::{BTreeMap, HashMap};
use tabel_domain::SubjectId;
use tabel_domain::assessment::{self as rules, Context, Planned};
use tabel_domain::school::Level;
use tabel_domain::timetable::LessonStatus;
use tabel_store::Conn;
use tabel_store::assessment::{self as repo, NewAssessment};
use tabel_store::school as school_repo;
use tabel_store::timetable::{self as tt, Lesson};
use time::{Date, Duration, Month};

/// One procedure to place: a subject's `index`-th of `count` in the year, wanted near `target`.
struct Want {
    subject: SubjectId,
    code: Option<SubjectCode>,
    index: usize,
    count: usize,
    target: Date,
}

/// How many procedures a subject gets in a year: about one a quarter for subjects with three or
/// more lessons a week, two for two-hour subjects, sometimes one for the rest; never more than
/// the rules allow, and in grade 1 only Russian and mathematics, once, in spring.
fn wanted(
    grade: u8,
    code: Option<SubjectCode>,
    weekly_tenths: u32,
    yearly: u32,
    rng: &mut SplitMix64,
) -> usize {
    let allowed = usize::try_from(rules::allowed_per_year(yearly)).unwrap_or(0);
    let n = if grade == 1 {
        usize::from(matches!(
            code,
            Some(SubjectCode::Russian | SubjectCode::Mathematics)
        ))
    } else if matches!(
        code,
        Some(
            SubjectCode::PhysicalEducation
                | SubjectCode::Music
                | SubjectCode::Art
                | SubjectCode::Labour
        )
    ) {
        0
    } else if weekly_tenths >= 30 {
        4
    } else if weekly_tenths >= 20 {
        2
    } else {
        usize::from(rng.percent(50))
    };
    n.min(allowed)
}

/// Level, title and minutes of a procedure.
fn describe(grade: u8, want: &Want, on: Date, first_half_ends: Date) -> (Level, &'static str, u16) {
    let core = matches!(
        want.code,
        Some(SubjectCode::Russian | SubjectCode::Mathematics | SubjectCode::Algebra)
    );
    let spring = on.month() >= Month::March && on.month() <= Month::May;
    let last = want.index + 1 == want.count;
    if core && last && spring && matches!(grade, 4..=8 | 10) {
        (Level::Federal, "Всероссийская проверочная работа", 45)
    } else if core
        && matches!(grade, 9 | 11)
        && on <= first_half_ends
        && on.month() == Month::December
    {
        (Level::Regional, "Региональная диагностическая работа", 45)
    } else if last && want.count > 1 {
        (Level::School, "Итоговая контрольная работа", 40)
    } else {
        (Level::School, "Контрольная работа", 40)
    }
}

/// Plans and stores the year's procedures of every class of the school.
pub(crate) async fn schedule(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    school: &mut DemoSchool,
    rng: &mut SplitMix64,
) -> Result<(), DemoError> {
    let year = school_repo::academic_year_on(c, school.id, school.year.starts_on)
        .await?
        .ok_or_else(|| DemoError::Invalid("the demo school has no academic year".into()))?;
    let codes: HashMap<SubjectId, SubjectCode> =
        school.subjects.iter().map(|s| (s.id, s.code)).collect();
    let mut half_ends: HashMap<u8, Date> = HashMap::new();
    // A parallel writes one work per subject and stretch of the course: the first class to
    // place it starts the work, the others of the parallel join it (the frequency rule holds
    // per parallel, and a work written class by class counts once).
    let mut works: HashMap<(u8, SubjectId, usize, usize), i64> = HashMap::new();
    let mut parallels: HashMap<u8, Vec<Planned>> = HashMap::new();
    for (ci, class) in school.classes.iter().enumerate() {
        let parallel = parallels.remove(&class.grade).unwrap_or_default();
        let first_half_ends = match half_ends.get(&class.grade) {
            Some(d) => *d,
            None => {
                let d = tabel_app::assessment::first_half_ends(c, &year, class.grade)
                    .await
                    .map_err(|e| DemoError::Invalid(e.to_string()))?;
                half_ends.insert(class.grade, d);
                d
            }
        };
        // The class's lessons as the rules see them: its own, its subgroups' and streams', not
        // cancelled, by date.
        let lessons = tt::lessons_of_class(c, class.id, year.starts_on, year.ends_on).await?;
        let mut days: BTreeMap<Date, Vec<&Lesson>> = BTreeMap::new();
        for l in lessons
            .iter()
            .filter(|l| l.status != LessonStatus::Cancelled)
        {
            days.entry(l.on).or_default().push(l);
        }
        let mut subjects: Vec<SubjectId> = lessons.iter().map(|l| l.subject).collect();
        subjects.sort_unstable();
        subjects.dedup();
        // Wanted procedures, spread over the part of the year they may fall in.
        let from = if class.grade == 1 {
            first_half_ends + Duration::days(1)
        } else {
            year.starts_on + Duration::days(10)
        };
        let to = year.ends_on - Duration::days(7);
        let span = (to - from).whole_days().max(1);
        let mut wants = Vec::new();
        let mut hours: HashMap<SubjectId, (u32, u32)> = HashMap::new();
        for subject in subjects {
            let Some((weekly, yearly)) =
                repo::curriculum_hours(c, year.id, class.id, class.grade, subject).await?
            else {
                continue;
            };
            hours.insert(subject, (weekly, yearly));
            let code = codes.get(&subject).copied();
            let count = wanted(class.grade, code, weekly, yearly, rng);
            for index in 0..count {
                // Near the end of each of `count` equal parts of the year: a work closes a
                // stretch of the course (a quarter, for a four-work subject).
                let end = span * (i64::try_from(index).unwrap_or(0) + 1)
                    / i64::try_from(count).unwrap_or(1);
                let jitter = rng.between(-8, 4);
                let target = from + Duration::days((end - 14 + jitter).clamp(0, span));
                wants.push(Want {
                    subject,
                    code,
                    index,
                    count,
                    target,
                });
            }
        }
        wants.sort_by_key(|w| (w.target, w.subject));
        let mut planned: Vec<Planned> = Vec::new();
        for want in &wants {
            let key = (class.grade, want.subject, want.index, want.count);
            let work = works.get(&key).copied();
            let (weekly_tenths, yearly_hours) = hours.get(&want.subject).copied().unwrap_or((0, 0));
            let place = days.range(want.target..).find_map(|(on, held)| {
                let day_bounds = held
                    .iter()
                    .map(|l| l.number)
                    .min()
                    .zip(held.iter().map(|l| l.number).max());
                held.iter()
                    .filter(|l| l.subject == want.subject)
                    .find_map(|l| {
                        let candidate = Planned {
                            id: 0,
                            class: class.id.get(),
                            subject: want.subject.get(),
                            on: *on,
                            number: l.number,
                            group: None,
                            work: work.unwrap_or(0),
                        };
                        let rules_ctx = Context {
                            grade: class.grade,
                            class_schedule: &planned,
                            parallel_schedule: &parallel,
                            yearly_hours,
                            weekly_tenths,
                            day_bounds,
                            first_half_ends,
                            minutes: 45,
                        };
                        rules::check(&candidate, &rules_ctx)
                            .is_empty()
                            .then_some(candidate)
                    })
            });
            let Some(mut p) = place else { continue };
            let (level, title, minutes) = describe(class.grade, want, p.on, first_half_ends);
            p.id = repo::insert_assessment(
                c,
                &NewAssessment {
                    school: school.id,
                    year: year.id,
                    class: class.id,
                    group: None,
                    work: work.map(tabel_domain::AssessmentId::new),
                    subject: want.subject,
                    on: p.on,
                    number: p.number,
                    level,
                    minutes,
                    title,
                    override_reason: None,
                    created_by: None,
                    now: ctx.now,
                },
            )
            .await?;
            p.work = *works.entry(key).or_insert(p.id);
            planned.push(p);
            school.assessments.push(DemoAssessment {
                id: p.id,
                class: ci,
                subject: want.subject,
                on: p.on,
                number: p.number,
                level,
            });
        }
        let mut parallel = parallel;
        parallel.extend(planned);
        parallels.insert(class.grade, parallel);
    }
    // The deputy head approves the schedule on the year's first day and it is published to
    // families: the families' accounts see it (a school without the demo's accounts keeps its
    // schedule a draft, as nobody there could have signed it).
    if let Some(deputy) = school.accounts.iter().find(|a| a.login == "zavuch") {
        let (version, _) = repo::approve_schedule(
            c,
            &repo::NewScheduleVersion {
                school: school.id,
                year: year.id,
                approved_on: year.starts_on,
                approved_by: deputy.user,
                basis: "Приказ № 1 о графике оценочных процедур",
                note: "",
                now: ctx.now,
            },
        )
        .await?;
        repo::publish_schedule(c, version, deputy.user, ctx.now).await?;
    }
    Ok(())
}
