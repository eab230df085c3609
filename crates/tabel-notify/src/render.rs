//! Short Russian messages: a subject and a text for e-mail, one line for SMS and digests. Only
//! what the family needs to know and where to read more; the diary has the rest.

use tabel_app::finals::StudentForecast;
use tabel_domain::finals::{Confidence, Risk};
use tabel_domain::school::PeriodKind;
use tabel_present::{FinalSlot, Lang, date, period_for, slot_for};
use time::Date;

/// A message for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// E-mail subject.
    pub subject: String,
    /// E-mail text.
    pub text: String,
    /// The one-line form: SMS and digest lines.
    pub line: String,
}

/// Parses an ISO date from a payload.
pub fn iso_date(raw: &str) -> Option<Date> {
    tabel_domain::calendar::parse_iso_date(raw).ok()
}

/// "за 2-ю четверть", "за год", "за экзамен".
pub fn slot_label(slot: &str, period: Option<(PeriodKind, i64)>) -> String {
    let named = match (slot, period) {
        ("year", _) => FinalSlot::Year,
        ("exam", _) => FinalSlot::Exam,
        ("final", _) => FinalSlot::Final,
        (_, Some((kind, n))) => match u8::try_from(n) {
            Ok(n) => FinalSlot::Period(kind, n),
            Err(_) => return "за период".into(),
        },
        (_, None) => return "за период".into(),
    };
    slot_for(Lang::Ru, named)
}

fn footer(public_url: &str) -> String {
    format!(
        "\n\nПодробности — в электронном дневнике: {public_url}\n\
         Настроить уведомления: {public_url}/account/notifications\n\
         Это письмо отправлено автоматически, отвечать на него не нужно."
    )
}

/// Facts of a final mark.
#[derive(Debug, Clone)]
pub struct FinalFacts<'a> {
    /// "Петров Иван".
    pub pupil: &'a str,
    /// "Школа № 1".
    pub school: &'a str,
    /// "Математика".
    pub subject: &'a str,
    /// "за 2-ю четверть".
    pub slot: &'a str,
    /// "5", "н/а".
    pub value: &'a str,
}

/// A final mark published (point 6).
pub fn final_mark(f: &FinalFacts<'_>, public_url: &str) -> Message {
    Message {
        subject: format!("Итоговая отметка: {}, {}", f.subject, f.pupil),
        text: format!(
            "{}, {}.\nИтоговая отметка по предмету «{}» {}: {}.{}",
            f.pupil,
            f.school,
            f.subject,
            f.slot,
            f.value,
            footer(public_url)
        ),
        line: format!(
            "{}: итоговая по предмету «{}» {} — {}",
            f.pupil, f.subject, f.slot, f.value
        ),
    }
}

/// Facts of an exam result.
#[derive(Debug, Clone)]
pub struct ExamFacts<'a> {
    /// "Петров Иван".
    pub pupil: &'a str,
    /// "Школа № 1".
    pub school: &'a str,
    /// "ОГЭ".
    pub exam: &'a str,
    /// "Математика".
    pub subject: &'a str,
    /// "4", "72 балла", "зачёт".
    pub result: &'a str,
}

/// An exam result published (point 6).
pub fn exam_result(f: &ExamFacts<'_>, public_url: &str) -> Message {
    Message {
        subject: format!(
            "Результат экзамена: {} — {}, {}",
            f.exam, f.subject, f.pupil
        ),
        text: format!(
            "{}, {}.\nРезультат экзамена ({}) по предмету «{}»: {}.{}",
            f.pupil,
            f.school,
            f.exam,
            f.subject,
            f.result,
            footer(public_url)
        ),
        line: format!(
            "{}: {} по предмету «{}» — {}",
            f.pupil, f.exam, f.subject, f.result
        ),
    }
}

/// A mark recorded or changed.
pub fn mark(
    (pupil, school): (&str, &str),
    subject: Option<&str>,
    value: &str,
    on: Option<Date>,
    changed: bool,
    public_url: &str,
) -> Message {
    let what = if changed {
        "Отметка изменена"
    } else {
        "Новая отметка"
    };
    let subject_part = subject
        .map(|s| format!(" по предмету «{s}»"))
        .unwrap_or_default();
    let on_part = on.map(|d| format!(" ({})", date(d))).unwrap_or_default();
    Message {
        subject: format!("{what}: {pupil}"),
        text: format!(
            "{pupil}, {school}.\n{what}{subject_part}: {value}{on_part}.{}",
            footer(public_url)
        ),
        line: format!(
            "{pupil}: {}{subject_part} — {value}{on_part}",
            what.to_lowercase()
        ),
    }
}

/// An absence note accepted or rejected (with the class teacher's comment).
pub fn absence_note(
    (pupil, school): (&str, &str),
    accepted: bool,
    (from, to): (Option<Date>, Option<Date>),
    comment: &str,
    public_url: &str,
) -> Message {
    let what = if accepted {
        "Объяснительная принята"
    } else {
        "Объяснительная отклонена"
    };
    let dates = match (from, to) {
        (Some(a), Some(b)) if a == b => format!(" за {}", date(a)),
        (Some(a), Some(b)) => format!(" за {}–{}", date(a), date(b)),
        _ => String::new(),
    };
    let comment = comment.trim();
    let comment_part = if comment.is_empty() {
        String::new()
    } else {
        format!("\nКомментарий: {comment}")
    };
    Message {
        subject: format!("{what}: {pupil}"),
        text: format!(
            "{pupil}, {school}.\n{what}{dates}.{comment_part}{}",
            footer(public_url)
        ),
        line: format!("{pupil}: {}{dates}", what.to_lowercase()),
    }
}

/// Homework set for a lesson.
pub fn homework(
    (pupil, school): (&str, &str),
    subject: &str,
    due: Option<Date>,
    text: &str,
    public_url: &str,
) -> Message {
    let short: String = text.chars().take(300).collect();
    let ellipsis = if text.chars().count() > 300 {
        "…"
    } else {
        ""
    };
    let due_part = due.map(|d| format!(" к {}", date(d))).unwrap_or_default();
    Message {
        subject: format!("Домашнее задание: {subject}, {pupil}"),
        text: format!(
            "{pupil}, {school}.\nДомашнее задание по предмету «{subject}»{due_part}:\n{short}{ellipsis}{}",
            footer(public_url)
        ),
        line: format!(
            "{pupil}: задание по предмету «{subject}»{due_part} — {}{}",
            text.chars().take(80).collect::<String>(),
            if text.chars().count() > 80 { "…" } else { "" }
        ),
    }
}

/// One message of a day's lines.
pub fn digest(on: Date, lines: &[String], public_url: &str) -> Message {
    let n = lines.len();
    let mut text = format!("Новое в электронном дневнике за {}:\n", date(on));
    for l in lines {
        text.push_str("\n• ");
        text.push_str(l);
    }
    text.push_str(&footer(public_url));
    let mut short = format!("Дневник {}: ", date(on));
    short.push_str(&lines.join("; "));
    Message {
        subject: format!("Электронный дневник за {}: {}", date(on), events(n)),
        text,
        line: short,
    }
}

/// "1 событие", "3 события", "5 событий".
pub fn events(n: usize) -> String {
    tabel_present::tr(Lang::Ru).count("events-count", i64::try_from(n).unwrap_or(i64::MAX))
}

/// The week's forecast of a pupil's final marks (point 4).
pub fn forecast(
    (pupil, school): (&str, &str),
    f: &StudentForecast,
    public_url: &str,
) -> Option<Message> {
    let period = f.period.as_ref()?;
    let lines: Vec<String> = f
        .subjects
        .iter()
        .filter(|s| s.marks > 0 || !s.forecast.risks.is_empty())
        .map(|s| {
            let projected = s
                .forecast
                .projected
                .as_ref()
                .map_or_else(|| "пока не ясно".to_owned(), |p| p.value.to_string());
            let average = if s.average.hundredths().is_none() {
                String::new()
            } else {
                format!(
                    ", средний балл {}",
                    tabel_present::average(Lang::Ru, &s.average)
                )
            };
            let sure = match s.forecast.confidence {
                Confidence::Low => ", может измениться",
                Confidence::Medium | Confidence::High => "",
            };
            let risks: Vec<&str> = s
                .forecast
                .risks
                .iter()
                .map(|r| match r {
                    Risk::TooFewMarks => "мало отметок",
                    Risk::ManyAbsences => "много пропусков",
                    Risk::ProjectedTwo => "прогноз «2»",
                    Risk::ProjectedNotAttested => "прогноз «н/а»",
                })
                .collect();
            let risk_part = if risks.is_empty() {
                String::new()
            } else {
                format!(" (внимание: {})", risks.join(", "))
            };
            format!("{} — {projected}{average}{sure}{risk_part}", s.subject_name)
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    let title = format!(
        "Прогноз итоговых отметок за {}",
        period_for(Lang::Ru, period.kind, period.number)
    );
    let mut text = format!("{pupil}, {school}.\n{title} (по отметкам на сегодня):\n");
    for l in &lines {
        text.push_str("\n• ");
        text.push_str(l);
    }
    text.push_str(&footer(public_url));
    let at_risk = f
        .subjects
        .iter()
        .filter(|s| !s.forecast.risks.is_empty())
        .count();
    Some(Message {
        subject: format!("{title}: {pupil}"),
        text,
        line: format!(
            "{pupil}: прогноз за {} готов, предметов с риском: {at_risk}. {public_url}",
            period_for(Lang::Ru, period.kind, period.number)
        ),
    })
}

/// The message carrying a verification code or link.
pub fn code(link: Option<&str>, code: &str, until: &str) -> Message {
    match link {
        Some(url) => Message {
            subject: "Подтвердите адрес электронной почты".into(),
            text: format!(
                "Чтобы получать уведомления электронного дневника на этот адрес, откройте ссылку:\n\n{url}\n\n\
                 Ссылка действует до {until}. Если вы не добавляли этот адрес, просто не открывайте её."
            ),
            line: format!("Подтвердите адрес: {url}"),
        },
        None => Message {
            subject: "Код подтверждения".into(),
            text: format!("Код подтверждения телефона: {code}. Действует до {until}."),
            line: format!(
                "Электронный дневник: код подтверждения {code}. Никому его не сообщайте."
            ),
        },
    }
}

/// A code for a forgotten password: typed on the page «Забыли пароль?» with the login.
pub fn password_reset(code: &str, until: &str) -> Message {
    Message {
        subject: "Восстановление пароля".into(),
        text: format!(
            "Код для нового пароля в электронном дневнике: {code}\n\n             Введите его на странице «Забыли пароль?» вместе с логином. Код действует до {until}. \n             Если вы не просили новый пароль, ничего не делайте: старый продолжает работать."
        ),
        line: format!(
            "Электронный дневник: код для нового пароля {code}. Никому его не сообщайте."
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    #[test]
    fn a_final_mark_reads_as_russian_and_fits_an_sms() {
        let m = final_mark(
            &FinalFacts {
                pupil: "Петров Иван",
                school: "Школа № 1",
                subject: "Математика",
                slot: &slot_label("p3", Some((PeriodKind::Quarter, 2))),
                value: "5",
            },
            "https://tabel.example",
        );
        assert_eq!(m.subject, "Итоговая отметка: Математика, Петров Иван");
        assert!(
            m.text.contains("«Математика» за 2-ю четверть: 5."),
            "{}",
            m.text
        );
        assert!(
            m.text
                .contains("https://tabel.example/account/notifications")
        );
        assert!(m.line.chars().count() <= 140, "{}", m.line);
    }

    #[test]
    fn plurals_and_digests() {
        assert_eq!(events(1), "1 событие");
        assert_eq!(events(3), "3 события");
        assert_eq!(events(11), "11 событий");
        assert_eq!(events(22), "22 события");
        assert_eq!(events(25), "25 событий");
        let d = digest(date!(2026 - 11 - 28), &["a".into(), "b".into()], "http://x");
        assert_eq!(d.subject, "Электронный дневник за 28.11.2026: 2 события");
        assert!(d.text.contains("\n• a\n• b"));
        assert_eq!(slot_label("year", None), "за год");
        let m = mark(
            ("Петров Иван", "Школа № 1"),
            Some("Математика"),
            "4",
            Some(date!(2026 - 11 - 27)),
            false,
            "u",
        );
        assert_eq!(
            m.line,
            "Петров Иван: новая отметка по предмету «Математика» — 4 (27.11.2026)"
        );
    }

    #[test]
    fn codes_go_out_whole() {
        let m = code(None, "123456", "14:05 UTC");
        assert!(m.line.contains("123456") && m.text.contains("123456"));
        let m = code(
            Some("https://t.example/contacts/verify/abc"),
            "abc",
            "завтра",
        );
        assert!(m.text.contains("https://t.example/contacts/verify/abc"));
    }
}
