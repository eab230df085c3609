//! The printed documents' data: the use cases' results turned into tabel-reports' view structs
//! (ready-to-print text). The documents are Russian school papers whatever the interface
//! language: the wording of values lives here, the wording of the page in the templates (which a
//! deployment may override).

use crate::consent::ConsentForm;
use crate::extracts::{ClassArchive, ExtractBatch, Signer, SignerRole, SummaryDocument};
use std::collections::HashMap;
use tabel_domain::finals::Slot;
use tabel_domain::finals::{Confidence, FinalValue, Forecast, Need, Risk};
use tabel_domain::journal::{Attendance, Average};
use tabel_domain::school::{Period, School};
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{PersonId, SubjectId};
use tabel_present::{
    FinalSlot, Lang, date, day_month, slot_short, slot_title, tr, work_abbreviations,
};
use tabel_reports::docs::*;

fn header(s: &School) -> SchoolHeader {
    SchoolHeader {
        name: s.name.clone(),
        municipality: s.municipality.clone(),
        region: s.region.clone(),
    }
}

fn signer(s: &Signer) -> tabel_reports::docs::Signer {
    tabel_reports::docs::Signer {
        title: match s.role {
            SignerRole::ClassTeacher => "Классный руководитель",
            SignerRole::Deputy => "Заместитель директора",
            SignerRole::Admin => "Администратор",
        }
        .into(),
        name: s.name.clone(),
    }
}

const RU: Lang = Lang::Ru;

/// An average as the papers print it: "4,43" or "—".
fn comma(a: &Average) -> String {
    tabel_present::average(RU, a)
}

/// "2-я четверть", "1-й триместр", "2-е полугодие".
pub fn period_title(p: &Period) -> String {
    tabel_present::period_title(RU, p.kind, p.number)
}

/// A slot's column header among the periods.
fn slot_header(code: &str, periods: &[Period], short: bool) -> String {
    let slot = match Slot::parse(code) {
        Some(Slot::Period(id)) => match periods.iter().find(|p| p.id == id) {
            Some(p) => FinalSlot::Period(p.kind, p.number),
            None => return code.to_owned(),
        },
        Some(Slot::Year) => FinalSlot::Year,
        Some(Slot::Exam) => FinalSlot::Exam,
        Some(Slot::Final) => FinalSlot::Final,
        None => return code.to_owned(),
    };
    if short {
        slot_short(RU, slot)
    } else {
        slot_title(RU, slot)
    }
}

/// A final mark's code as printed ("5", "н/а", "зач.").
fn final_value(code: &str) -> String {
    FinalValue::from_code(code).map_or_else(|| code.to_owned(), |v| v.to_string())
}

fn confidence(c: Confidence) -> &'static str {
    match c {
        Confidence::Low => "неустойчив",
        Confidence::Medium => "вероятен",
        Confidence::High => "устойчив",
    }
}

fn need_text(n: &Need, abbr: &HashMap<String, String>) -> String {
    let work = abbr
        .get(&n.work_type)
        .cloned()
        .unwrap_or_else(|| n.work_type.clone());
    format!(
        "для «{}» нужно {} «{}» ({work})",
        n.target,
        tr(RU).count("marks-count", i64::from(n.count)),
        n.value
    )
}

fn forecast_note(f: &Forecast, abbr: &HashMap<String, String>) -> String {
    let mut parts: Vec<String> = f
        .risks
        .iter()
        .map(|r| {
            match r {
                Risk::TooFewMarks => "мало отметок",
                Risk::ManyAbsences => "пропущено больше половины уроков",
                Risk::ProjectedTwo => "прогноз «2»",
                Risk::ProjectedNotAttested => "прогноз «н/а»",
            }
            .to_owned()
        })
        .collect();
    if let Some(n) = &f.avoid_two {
        parts.push(need_text(n, abbr).replacen("для «3»", "чтобы не было «2»,", 1));
    } else if let Some(n) = &f.next_up {
        parts.push(need_text(n, abbr));
    }
    parts.join("; ")
}

/// The extracts of a print run. `verify_base` prefixes the verification path (the site's
/// address when known, else "").
pub fn extract_doc(b: &ExtractBatch, verify_base: &str) -> ExtractDoc {
    let abbr = work_abbreviations(
        b.work_types
            .iter()
            .map(|(code, (name, _))| (code.as_str(), name.as_str())),
    );
    let legend: Vec<WorkTypeLegend> = b
        .work_types
        .iter()
        .map(|(code, (name, weight))| WorkTypeLegend {
            short: abbr[code].clone(),
            name: name.clone(),
            weight: weight.to_string(),
        })
        .collect();
    let period = match &b.period {
        Some(p) => format!(
            "{} ({} — {})",
            tabel_present::period_for(RU, p.kind, p.number),
            date(p.starts_on),
            date(p.ends_on)
        ),
        None => format!("период с {} по {}", date(b.from), date(b.to)),
    };
    let subject_names: HashMap<SubjectId, &str> = b
        .pupils
        .iter()
        .flat_map(|p| p.subjects.iter().map(|s| (s.subject, s.name.as_str())))
        .chain(b.pupils.iter().flat_map(|p| {
            p.forecast
                .iter()
                .map(|f| (f.subject, f.subject_name.as_str()))
        }))
        .collect();
    let pupils = b
        .pupils
        .iter()
        .map(|e| {
            // Finals: the subjects with at least one, in the school's order of the marks.
            let mut finals: Vec<(SubjectId, Vec<String>)> = Vec::new();
            for f in &e.finals {
                if !b.final_slots.contains(&f.slot) {
                    continue;
                }
                let row = match finals.iter_mut().find(|(s, _)| *s == f.subject) {
                    Some(row) => row,
                    None => {
                        finals.push((f.subject, vec![String::new(); b.final_slots.len()]));
                        let last = finals.len() - 1;
                        &mut finals[last]
                    }
                };
                if let Some(i) = b.final_slots.iter().position(|s| *s == f.slot) {
                    row.1[i] = final_value(&f.value);
                }
            }
            let order: Vec<SubjectId> = e.subjects.iter().map(|s| s.subject).collect();
            finals.sort_by_key(|(s, _)| order.iter().position(|x| x == s).unwrap_or(usize::MAX));
            let a = &e.attendance;
            ExtractPupil {
                student: e.pupil.full_name(),
                birth_date: e.pupil.birth_date.map(date).unwrap_or_default(),
                class_name: b.class.name.clone(),
                class_teacher: b.class.class_teacher.clone().unwrap_or_default(),
                year: b.year.clone(),
                period: period.clone(),
                subjects: e
                    .subjects
                    .iter()
                    .map(|s| ExtractSubject {
                        name: s.name.clone(),
                        marks: s
                            .marks
                            .iter()
                            .map(|m| MarkLine {
                                date: day_month(m.on),
                                value: m.value.clone(),
                                work: abbr.get(&m.work_type).cloned().unwrap_or_default(),
                            })
                            .collect(),
                        average: comma(&s.average),
                        lessons: s.lessons,
                        missed: s.missed,
                    })
                    .collect(),
                work_types: legend.clone(),
                attendance: AttendanceLine {
                    lessons: a.lessons,
                    missed: a.missed(),
                    ill: a.ill,
                    excused: a.excused,
                    unexcused: a.unexcused,
                    late: a.late,
                },
                final_columns: b
                    .final_slots
                    .iter()
                    .map(|s| slot_header(s, &b.periods, true))
                    .collect(),
                finals: finals
                    .into_iter()
                    .map(|(s, cells)| FinalLine {
                        subject: subject_names
                            .get(&s)
                            .copied()
                            .unwrap_or_default()
                            .to_owned(),
                        cells,
                    })
                    .filter(|l| !l.subject.is_empty())
                    .collect(),
                forecast_period: b
                    .forecast_period
                    .as_ref()
                    .map(period_title)
                    .unwrap_or_default(),
                forecast: e
                    .forecast
                    .iter()
                    .map(|f| ForecastLine {
                        subject: f.subject_name.clone(),
                        average: comma(&f.average),
                        projected: f
                            .forecast
                            .projected
                            .map_or_else(|| "—".to_owned(), |p| p.value.to_string()),
                        confidence: confidence(f.forecast.confidence).into(),
                        note: forecast_note(&f.forecast, &abbr),
                    })
                    .collect(),
                recommendations: e
                    .recommendations
                    .iter()
                    .map(|r| RecommendationLine {
                        date: date(r.created_at.date()),
                        subject: r.subject_name.clone().unwrap_or_default(),
                        teacher: r.teacher_name.clone(),
                        text: r.body.clone(),
                    })
                    .collect(),
                homework: b.with_homework.then(|| {
                    e.homework
                        .iter()
                        .map(|h| HomeworkLine {
                            due: day_month(h.due),
                            subject: h.subject.clone(),
                            text: h.text.clone(),
                        })
                        .collect()
                }),
                issued_on: date(b.today),
                signer: signer(&b.signer),
                code: e.code.clone(),
                verify_path: format!("{verify_base}/verify/{}", e.code),
            }
        })
        .collect();
    ExtractDoc {
        school: header(&b.school),
        pupils,
    }
}

/// The summary sheet's print: a table per slot; the periods always, the year, exam and
/// итоговая when any pupil has one.
pub fn summary_doc(d: &SummaryDocument) -> SummarySheetDoc {
    let s = &d.sheet;
    let mut slots: Vec<String> = s
        .periods
        .iter()
        .map(|p| Slot::Period(p.id).code())
        .collect();
    for extra in ["year", "exam", "final"] {
        if s.cells.keys().any(|(_, _, slot)| slot == extra) {
            slots.push(extra.to_owned());
        }
    }
    SummarySheetDoc {
        school: header(&d.school),
        class_name: s.class.name.clone(),
        year: d.year.clone(),
        class_teacher: s.class.class_teacher.clone().unwrap_or_default(),
        subjects: s.subjects.iter().map(|(_, n)| n.clone()).collect(),
        pupils: s
            .students
            .iter()
            .enumerate()
            .map(|(i, e)| SummaryPupil {
                number: (i + 1).to_string(),
                name: format!("{} {}", e.last_name, e.first_name),
                note: e
                    .to
                    .map(|t| format!("выбыл(а) {}", date(t)))
                    .unwrap_or_default(),
            })
            .collect(),
        sections: slots
            .iter()
            .map(|slot| SummarySection {
                title: slot_header(slot, &s.periods, false),
                cells: s
                    .students
                    .iter()
                    .map(|e| {
                        s.subjects
                            .iter()
                            .map(|(subject, _)| {
                                s.cells
                                    .get(&(e.student, *subject, slot.clone()))
                                    .cloned()
                                    .unwrap_or_default()
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect(),
        issued_on: date(d.today),
        signer: signer(&d.signer),
    }
}

/// The consent form's print.
pub fn consent_doc(f: &ConsentForm) -> ConsentFormDoc {
    ConsentFormDoc {
        school: SchoolHeader {
            name: f.school_name.clone(),
            ..SchoolHeader::default()
        },
        parent: f.parent.full_name(),
        student: f.student.full_name(),
        birth_date: f.student.birth_date.map(date).unwrap_or_default(),
        class_name: f.class_name.clone(),
        text_version: f.text_version.to_owned(),
        printed_on: date(f.today),
    }
}

/// What goes into a journal's grid cell: marks, then the attendance letter.
fn cell_text(marks: &[&str], absence: Option<(&str, Option<u16>)>) -> String {
    let mut parts: Vec<String> = marks.iter().map(|m| (*m).to_owned()).collect();
    if let Some((code, _)) = absence {
        let letter = match Attendance::from_code(code).ok() {
            Some(Attendance::Ill) => "Б",
            Some(Attendance::Excused) => "УП",
            Some(Attendance::Unexcused) => "Н",
            Some(Attendance::Late) => "ОП",
            None => code,
        };
        parts.push(letter.to_owned());
    }
    parts.join(" ")
}

/// The journals of a class for the archive: (a file name without extension, the document).
pub fn journal_docs(a: &ClassArchive) -> Vec<(String, JournalArchiveDoc)> {
    a.journals
        .iter()
        .enumerate()
        .map(|(k, j)| {
            let pupils: Vec<SummaryPupil> = j
                .pupils
                .iter()
                .enumerate()
                .map(|(i, p)| SummaryPupil {
                    number: (i + 1).to_string(),
                    name: format!("{} {}", p.last_name, p.first_name),
                    note: p
                        .to
                        .map(|t| format!("выбыл(а) {}", date(t)))
                        .unwrap_or_default(),
                })
                .collect();
            let index: HashMap<PersonId, usize> = j
                .pupils
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id, i))
                .collect();
            let periods = a
                .periods
                .iter()
                .map(|p| {
                    let lessons: Vec<_> = j
                        .lessons
                        .iter()
                        .filter(|l| p.starts_on <= l.on && l.on <= p.ends_on)
                        .filter(|l| l.status != LessonStatus::Cancelled.code())
                        // Printed before the year ends: what was planned after today is not
                        // the journal yet.
                        .filter(|l| l.on <= a.today)
                        .collect();
                    let mut cells = vec![vec![String::new(); lessons.len()]; j.pupils.len()];
                    let mut other = vec![Vec::<String>::new(); j.pupils.len()];
                    let col: HashMap<i64, usize> =
                        lessons.iter().enumerate().map(|(c, l)| (l.id, c)).collect();
                    let mut by_cell: HashMap<(usize, usize), Vec<&str>> = HashMap::new();
                    for m in j
                        .marks
                        .iter()
                        .filter(|m| p.starts_on <= m.on && m.on <= p.ends_on)
                    {
                        let Some(&row) = index.get(&m.student) else {
                            continue;
                        };
                        match m.lesson.and_then(|l| col.get(&l)) {
                            Some(&c) => by_cell.entry((row, c)).or_default().push(&m.value),
                            None => other[row].push(format!("{} ({})", m.value, day_month(m.on))),
                        }
                    }
                    let absences: HashMap<(usize, usize), (&str, Option<u16>)> = j
                        .attendance
                        .iter()
                        .filter_map(|x| {
                            Some((
                                (*index.get(&x.student)?, *col.get(&x.lesson)?),
                                (x.code.as_str(), x.minutes_late),
                            ))
                        })
                        .collect();
                    for (r, row) in cells.iter_mut().enumerate() {
                        for (c, cell) in row.iter_mut().enumerate() {
                            let marks = by_cell.get(&(r, c)).map(Vec::as_slice).unwrap_or(&[]);
                            *cell = cell_text(marks, absences.get(&(r, c)).copied());
                        }
                    }
                    let slot = Slot::Period(p.id).code();
                    ArchivePeriod {
                        title: format!(
                            "{} ({} — {})",
                            period_title(p),
                            date(p.starts_on),
                            date(p.ends_on)
                        ),
                        dates: lessons.iter().map(|l| day_month(l.on)).collect(),
                        cells,
                        other_marks: other.into_iter().map(|v| v.join(", ")).collect(),
                        averages: j
                            .pupils
                            .iter()
                            .map(|x| {
                                let avg =
                                    j.averages.get(&(x.id, p.id)).copied().unwrap_or_default();
                                if avg.count == 0 {
                                    String::new()
                                } else {
                                    comma(&avg)
                                }
                            })
                            .collect(),
                        finals: j
                            .pupils
                            .iter()
                            .map(|x| {
                                j.finals
                                    .get(&(x.id, slot.clone()))
                                    .map(|v| final_value(v))
                                    .unwrap_or_default()
                            })
                            .collect(),
                        lessons: lessons
                            .iter()
                            .map(|l| ArchiveLesson {
                                date: day_month(l.on),
                                number: l.number.to_string(),
                                topic: l.topic.clone(),
                                homework: l.homework.clone(),
                                note: l
                                    .original_teacher_name
                                    .as_ref()
                                    .map(|_| format!("замена: {}", l.teacher_name))
                                    .unwrap_or_default(),
                            })
                            .collect(),
                    }
                })
                .collect();
            let final_slots = ["year", "exam", "final"];
            let columns: Vec<&str> = final_slots
                .iter()
                .copied()
                .filter(|s| *s == "year" || j.finals.keys().any(|(_, slot)| slot == s))
                .collect();
            let doc = JournalArchiveDoc {
                school: header(&a.school),
                class_name: a.class.name.clone(),
                group_name: j.group_name.clone(),
                subject: j.subject_name.clone(),
                teachers: j.teachers.join(", "),
                year: a.year.clone(),
                pupils,
                periods,
                final_columns: columns
                    .iter()
                    .map(|s| slot_header(s, &a.periods, false))
                    .collect(),
                finals: j
                    .pupils
                    .iter()
                    .map(|x| {
                        columns
                            .iter()
                            .map(|s| {
                                j.finals
                                    .get(&(x.id, (*s).to_owned()))
                                    .map(|v| final_value(v))
                                    .unwrap_or_default()
                            })
                            .collect()
                    })
                    .collect(),
                printed_on: date(a.today),
                signer: signer(&a.signer),
            };
            let name = if j.group_name == a.class.name {
                format!("{:02}-{}", k + 1, j.subject_name)
            } else {
                format!("{:02}-{}-{}", k + 1, j.subject_name, j.group_name)
            };
            (file_safe(&name), doc)
        })
        .collect()
}

/// A file name from a title: letters, digits, dashes (Cyrillic kept), spaces to `_`.
pub fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_letters_and_digits() {
        assert_eq!(
            file_safe("01-Английский язык-5А/1"),
            "01-Английский_язык-5А_1"
        );
    }
}
