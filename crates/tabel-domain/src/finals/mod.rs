//! Final marks (итоговые отметки) and what leads to them: the proposal from a period's marks
//! under the school's grading policy, the year's proposal from the periods', the forecast of the
//! current period with "what it takes", and the statistics schools compute from final marks
//! (DOMAIN.md: % успеваемости, % качества, СОУ, average mark).
//!
//! Everything here is exact: averages are compared with thresholds in integers (see
//! [`Average`](crate::journal::Average)), percentages are kept in hundredths of a percent and
//! rounded half up once, at the end.
//!
//! A file per topic; everything public is re-exported here, so `tabel_domain::finals::X` names
//! it wherever it lives.

mod certificate;
mod exemption;
mod forecast;
mod proposal;
mod records;
mod statistics;
mod values;

pub use certificate::*;
pub use exemption::*;
pub use forecast::*;
pub use proposal::*;
pub use records::*;
pub use statistics::*;
pub use values::*;

/// A period's facts from marks given as (points, weight): for the tests of proposals and
/// forecasts.
#[cfg(test)]
fn facts(marks: &[(u8, u8)]) -> PeriodFacts {
    use crate::journal::{Average, Mark};
    PeriodFacts {
        average: Average::of(marks.iter().map(|(m, w)| (Mark::Points(*m), *w))),
        has_two: marks.iter().any(|(m, _)| *m == 2),
        lessons_held: 20,
        ..PeriodFacts::default()
    }
}
