//! Reporting periods and final-mark slots by name, in the forms the texts need.

use crate::{FluentValue, Lang, tr};
use tabel_domain::school::PeriodKind;

fn period(lang: Lang, id: &str, kind: PeriodKind, n: u8) -> String {
    tr(lang).args(
        id,
        &[
            ("kind", FluentValue::from(kind.code())),
            ("n", FluentValue::from(n)),
        ],
    )
}

/// "2 четверть", "1 триместр", "2 полугодие": the pages' tabs and lists.
pub fn period_name(lang: Lang, kind: PeriodKind, n: u8) -> String {
    period(lang, "period-name", kind, n)
}

/// "2-я четверть", "1-й триместр", "2-е полугодие": a document's title.
pub fn period_title(lang: Lang, kind: PeriodKind, n: u8) -> String {
    period(lang, "period-title", kind, n)
}

/// "2-ю четверть", "1-й триместр", "2-е полугодие": after «за».
pub fn period_for(lang: Lang, kind: PeriodKind, n: u8) -> String {
    period(lang, "period-for", kind, n)
}

/// "2 ч.", "1 тр.", "2 пол.": a column header.
pub fn period_short(lang: Lang, kind: PeriodKind, n: u8) -> String {
    period(lang, "period-short", kind, n)
}

/// Which final mark a text names: a period's (by its kind and number), the year's, the exam's
/// or the итоговая (the certificate's, for the level of education).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalSlot {
    /// A reporting period's mark.
    Period(PeriodKind, u8),
    /// The year's (годовая).
    Year,
    /// The exam's.
    Exam,
    /// The итоговая.
    Final,
}

fn slot(lang: Lang, s: FinalSlot, suffix: &str, period_id: &str) -> String {
    let id = match s {
        FinalSlot::Period(kind, n) => return period(lang, period_id, kind, n),
        FinalSlot::Year => "slot-year",
        FinalSlot::Exam => "slot-exam",
        FinalSlot::Final => "slot-final",
    };
    tr(lang).get(&format!("{id}{suffix}"))
}

/// "2 четверть", "Год", "Экзамен", "Итоговая": the pages' lists.
pub fn slot_name(lang: Lang, s: FinalSlot) -> String {
    slot(lang, s, "", "period-name")
}

/// "2-я четверть", "Годовая", "Экзамен", "Итоговая": a document's column or table.
pub fn slot_title(lang: Lang, s: FinalSlot) -> String {
    slot(lang, s, "-title", "period-title")
}

/// "2 ч.", "Год", "Экз.", "Итог": a narrow column header.
pub fn slot_short(lang: Lang, s: FinalSlot) -> String {
    slot(lang, s, "-short", "period-short")
}

/// "за 2-ю четверть", "за год", "за экзамен", "итоговая за уровень образования".
pub fn slot_for(lang: Lang, s: FinalSlot) -> String {
    match s {
        FinalSlot::Period(kind, n) => period(lang, "slot-for-period", kind, n),
        FinalSlot::Year => tr(lang).get("slot-for-year"),
        FinalSlot::Exam => tr(lang).get("slot-for-exam"),
        FinalSlot::Final => tr(lang).get("slot-for-final"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PeriodKind::*;

    #[test]
    fn russian_periods_in_every_form() {
        let ru = Lang::Ru;
        assert_eq!(period_name(ru, Quarter, 2), "2 четверть");
        assert_eq!(period_name(ru, Trimester, 1), "1 триместр");
        assert_eq!(period_name(ru, HalfYear, 2), "2 полугодие");
        assert_eq!(period_title(ru, Quarter, 2), "2-я четверть");
        assert_eq!(period_title(ru, Trimester, 1), "1-й триместр");
        assert_eq!(period_title(ru, HalfYear, 2), "2-е полугодие");
        assert_eq!(period_for(ru, Quarter, 2), "2-ю четверть");
        assert_eq!(period_for(ru, Trimester, 3), "3-й триместр");
        assert_eq!(period_for(ru, HalfYear, 1), "1-е полугодие");
        assert_eq!(period_short(ru, Quarter, 1), "1 ч.");
        assert_eq!(period_short(ru, Trimester, 2), "2 тр.");
        assert_eq!(period_short(ru, HalfYear, 1), "1 пол.");
    }

    #[test]
    fn english_periods_keep_the_page_form() {
        assert_eq!(period_name(Lang::En, Quarter, 2), "2 quarter");
        assert_eq!(period_name(Lang::En, HalfYear, 1), "1 half-year");
        assert_eq!(period_title(Lang::En, Trimester, 3), "Trimester 3");
        assert_eq!(period_short(Lang::En, Quarter, 4), "Q4");
    }

    #[test]
    fn slots_by_name_title_short_and_for() {
        let ru = Lang::Ru;
        let q2 = FinalSlot::Period(Quarter, 2);
        assert_eq!(slot_name(ru, q2), "2 четверть");
        assert_eq!(slot_name(ru, FinalSlot::Year), "Год");
        assert_eq!(slot_title(ru, q2), "2-я четверть");
        assert_eq!(slot_title(ru, FinalSlot::Year), "Годовая");
        assert_eq!(slot_title(ru, FinalSlot::Final), "Итоговая");
        assert_eq!(slot_short(ru, q2), "2 ч.");
        assert_eq!(slot_short(ru, FinalSlot::Exam), "Экз.");
        assert_eq!(slot_short(ru, FinalSlot::Final), "Итог");
        assert_eq!(slot_for(ru, q2), "за 2-ю четверть");
        assert_eq!(
            slot_for(ru, FinalSlot::Period(HalfYear, 1)),
            "за 1-е полугодие"
        );
        assert_eq!(slot_for(ru, FinalSlot::Year), "за год");
        assert_eq!(slot_for(ru, FinalSlot::Exam), "за экзамен");
        assert_eq!(
            slot_for(ru, FinalSlot::Final),
            "итоговая за уровень образования"
        );
    }
}
