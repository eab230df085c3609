//! Marks: how a subject is marked, the policy's work types, and marks drawn around a pupil's
//! ability.

use crate::DemoError;
use crate::curriculum::SubjectCode;
use crate::rng::SplitMix64;
use tabel_domain::journal::{GradingPolicy, Mark};
use tabel_domain::{GroupId, PersonId, SubjectId, UserId};
use time::{Date, OffsetDateTime};

/// Percent of present pupils who answer and get a mark on an ordinary lesson.
pub(super) const ANSWER: u64 = 42;
/// Percent of present pupils marked on a lesson of physical education, art, music or labour.
pub(super) const ACTIVITY: u64 = 40;
/// Percent of lessons of a main subject with an independent work, and with a check work.
pub(super) const INDEPENDENT: u64 = 20;
pub(super) const TEST: u64 = 8;
/// Percent of a main subject's ordinary lessons where homework is checked, and of the present
/// pupils marked for it then.
pub(super) const HOMEWORK_CHECK: u64 = 30;
pub(super) const HOMEWORK_MARKED: u64 = 25;
/// Percent of pupils who write every work the whole class writes (the rest were called away,
/// forgot the notebook, will write it later).
pub(super) const WRITES: u64 = 94;

/// Percent of Russian-language works marked twice ("4/3": literacy and content).
pub(super) const DOUBLE_RUSSIAN: u64 = 30;

/// How a subject is taught, for marks and homework.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Written works, oral answers, homework.
    Main,
    /// Marks for the activity itself; homework rare (art, labour, music).
    Arts,
    /// Physical education: marks for the activity, no homework.
    Sport,
    /// ОРКСЭ: taught without marks.
    Unmarked,
}

pub(super) fn kind(code: SubjectCode) -> Kind {
    match code {
        SubjectCode::PhysicalEducation => Kind::Sport,
        SubjectCode::Art | SubjectCode::Music | SubjectCode::Labour => Kind::Arts,
        SubjectCode::Orkse => Kind::Unmarked,
        _ => Kind::Main,
    }
}

/// A work type as the policy weighs it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Work<'p> {
    pub(super) code: &'p str,
    pub(super) weight: u8,
}

/// The work types the demo uses, looked up once in the policy.
#[derive(Debug, Clone, Copy)]
pub(super) struct Works<'p> {
    pub(super) answer: Work<'p>,
    pub(super) control: Work<'p>,
    pub(super) test: Work<'p>,
    pub(super) independent: Work<'p>,
    pub(super) practical: Work<'p>,
    pub(super) homework: Work<'p>,
}

impl<'p> Works<'p> {
    pub(super) fn of(policy: &'p GradingPolicy) -> Result<Works<'p>, DemoError> {
        let work = |code: &str| {
            policy
                .work_type(code)
                .map(|w| Work {
                    code: w.code.as_str(),
                    weight: w.weight,
                })
                .ok_or_else(|| {
                    DemoError::Invalid(format!("the default policy has no work type «{code}»"))
                })
        };
        Ok(Works {
            answer: work("answer")?,
            control: work("control")?,
            test: work("test")?,
            independent: work("independent")?,
            practical: work("practical")?,
            homework: work("homework")?,
        })
    }
}

/// A mark before it is stored.
#[derive(Debug, Clone, Copy)]
pub(super) struct DraftMark<'p> {
    pub(super) student: PersonId,
    pub(super) group: GroupId,
    pub(super) subject: SubjectId,
    pub(super) lesson: i64,
    pub(super) on: Date,
    pub(super) mark: Mark,
    pub(super) work: Work<'p>,
    pub(super) by: Option<UserId>,
    pub(super) at: OffsetDateTime,
}

/// How a work type moves a pupil's usual mark, in hundredths: written works come out a little
/// lower than answers, homework a little higher.
pub(super) fn adjustment(work: &str) -> i64 {
    match work {
        "control" => -20,
        "test" => -10,
        "independent" => -5,
        "homework" => 15,
        _ => 0,
    }
}

/// A 5-point mark around `center` (hundredths): the sum of three uniform draws, sd ≈ 0.55.
pub(super) fn draw(center: i64, rng: &mut SplitMix64) -> u8 {
    let noise: i64 = (0..3).map(|_| rng.between(-55, 55)).sum();
    let x = (center + noise + 50).div_euclid(100);
    u8::try_from(x.clamp(2, 5)).unwrap_or(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_drawn_around_the_ability_within_the_scale() {
        let mut rng = SplitMix64::new(3);
        for center in [250, 300, 400, 480, 520] {
            let marks: Vec<u8> = (0..10_000).map(|_| draw(center, &mut rng)).collect();
            assert!(marks.iter().all(|m| (2..=5).contains(m)));
            let mean = marks.iter().map(|m| i64::from(*m)).sum::<i64>() * 100 / 10_000;
            assert!((mean - center.min(470)).abs() < 45, "{center}: {mean}");
        }
    }

    #[test]
    fn stored_values_are_the_domain_marks() {
        for m in [Mark::Points(5), Mark::Double(3, 4)] {
            let text = m.to_string();
            assert_eq!(
                Mark::parse(&text, tabel_domain::journal::Scale::Five, false),
                Ok(m)
            );
        }
        assert_eq!(Mark::Double(3, 4).to_string(), "3/4");
    }
}
