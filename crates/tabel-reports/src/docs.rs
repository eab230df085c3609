//! What the PDF templates read: view structs of ready-to-print text. Everything is formatted
//! before it gets here (dates `28.11.2026`, decimals `4,67`, names in full), so a template only
//! lays text out and a deployment that overrides a template never has to compute anything.
//!
//! The structs travel to typst as JSON (`sys.inputs.data`); the field names are the templates'
//! contract: extend them, don't rename them.

use serde::{Deserialize, Serialize};

/// The school in a document's header.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SchoolHeader {
    /// Full name: «Муниципальное бюджетное общеобразовательное учреждение …».
    pub name: String,
    /// Municipality.
    pub municipality: String,
    /// Region.
    pub region: String,
}

/// Who signs a document: «Классный руководитель», «Иванова М. П.».
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Signer {
    /// The position.
    pub title: String,
    /// The name.
    pub name: String,
}

/// Paper extracts (выписки) for one or more pupils: one PDF, a page break before each pupil.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExtractDoc {
    /// The school.
    pub school: SchoolHeader,
    /// One extract per pupil.
    pub pupils: Vec<ExtractPupil>,
}

/// One pupil's extract.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExtractPupil {
    /// «Иванов Пётр Сергеевич».
    pub student: String,
    /// «12.03.2015» or "".
    pub birth_date: String,
    /// «5А».
    pub class_name: String,
    /// The class teacher's name or "".
    pub class_teacher: String,
    /// «2026/2027».
    pub year: String,
    /// What the extract covers: «2-я четверть (04.11.2026 — 28.12.2026)» or a date range.
    pub period: String,
    /// Marks by subject.
    pub subjects: Vec<ExtractSubject>,
    /// The work types seen, for the legend: («КР», «Контрольная работа», «5»).
    pub work_types: Vec<WorkTypeLegend>,
    /// Attendance over the range.
    pub attendance: AttendanceLine,
    /// Column headers of the final marks («1 ч.», «2 ч.», «Год»).
    pub final_columns: Vec<String>,
    /// Final marks by subject (only subjects with at least one).
    pub finals: Vec<FinalLine>,
    /// The period the forecast is for («2-я четверть»), "" when none.
    pub forecast_period: String,
    /// The forecast by subject (empty when the range has no current period).
    pub forecast: Vec<ForecastLine>,
    /// Teachers' recommendations in the range.
    pub recommendations: Vec<RecommendationLine>,
    /// Homework in the range, when asked for.
    pub homework: Option<Vec<HomeworkLine>>,
    /// «28.11.2026».
    pub issued_on: String,
    /// Who signs.
    pub signer: Signer,
    /// The verification code printed on the page: «7K3M-Q9XD».
    pub code: String,
    /// Where the code is checked: «/verify/7K3M-Q9XD» (or a full address).
    pub verify_path: String,
}

/// A subject's marks in an extract.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExtractSubject {
    /// «Математика».
    pub name: String,
    /// The marks in date order.
    pub marks: Vec<MarkLine>,
    /// The weighted average «4,67» or «—».
    pub average: String,
    /// Lessons held so far in the range.
    pub lessons: u32,
    /// Of them missed.
    pub missed: u32,
}

/// One mark.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct MarkLine {
    /// «12.11».
    pub date: String,
    /// «5», «4/5», «зач».
    pub value: String,
    /// The work type's abbreviation from the legend: «КР».
    pub work: String,
}

/// A work type in the legend.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct WorkTypeLegend {
    /// «КР».
    pub short: String,
    /// «Контрольная работа».
    pub name: String,
    /// «5».
    pub weight: String,
}

/// Attendance over a range: lessons and absences by reason.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AttendanceLine {
    /// Lessons held so far.
    pub lessons: u32,
    /// Missed in total.
    pub missed: u32,
    /// Of them by illness (Б).
    pub ill: u32,
    /// With a reason (УП).
    pub excused: u32,
    /// Without a reason (Н).
    pub unexcused: u32,
    /// Late arrivals (ОП).
    pub late: u32,
}

/// A subject's final marks, one cell per column of [`ExtractPupil::final_columns`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FinalLine {
    /// «Математика».
    pub subject: String,
    /// «5», «н/а», "" when not set.
    pub cells: Vec<String>,
}

/// A subject's forecast.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ForecastLine {
    /// «Математика».
    pub subject: String,
    /// «4,43» or «—».
    pub average: String,
    /// The projected final mark «4», «н/а» or «—».
    pub projected: String,
    /// «устойчив», «вероятен», «неустойчив».
    pub confidence: String,
    /// Risks and what it takes, in words: «мало отметок; для «5» нужно 2 отметки «5» (КР)».
    pub note: String,
}

/// A teacher's recommendation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecommendationLine {
    /// «20.11.2026».
    pub date: String,
    /// «Математика» or "".
    pub subject: String,
    /// «Смирнова Е. В.».
    pub teacher: String,
    /// The text.
    pub text: String,
}

/// Homework set in the range.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct HomeworkLine {
    /// Due «24.11».
    pub due: String,
    /// «Математика».
    pub subject: String,
    /// The task.
    pub text: String,
}

/// The summary sheet (сводная ведомость) of a class for a year: one table per column slot
/// (each period, the year, the exam, the итоговая), pupils × subjects.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SummarySheetDoc {
    /// The school.
    pub school: SchoolHeader,
    /// «5А».
    pub class_name: String,
    /// «2026/2027».
    pub year: String,
    /// The class teacher's name or "".
    pub class_teacher: String,
    /// Subjects, in column order.
    pub subjects: Vec<String>,
    /// Pupils, in list order.
    pub pupils: Vec<SummaryPupil>,
    /// The tables: one per slot that has any mark (the periods are always shown).
    pub sections: Vec<SummarySection>,
    /// «28.11.2026».
    pub issued_on: String,
    /// Who signs.
    pub signer: Signer,
}

/// A pupil's line heading.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SummaryPupil {
    /// «1».
    pub number: String,
    /// «Иванов Пётр».
    pub name: String,
    /// «выбыл 12.01.2027» or "".
    pub note: String,
}

/// One slot's table: `cells[pupil][subject]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SummarySection {
    /// «1-я четверть», «Годовая», «Экзамен», «Итоговая».
    pub title: String,
    /// Values as shown ("" when not set).
    pub cells: Vec<Vec<String>>,
}

/// The consent form a legal representative signs (152-ФЗ: a separate document).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ConsentFormDoc {
    /// The school.
    pub school: SchoolHeader,
    /// The representative's full name.
    pub parent: String,
    /// The child's full name.
    pub student: String,
    /// The child's birth date or "".
    pub birth_date: String,
    /// The child's class or "".
    pub class_name: String,
    /// The consent text's version.
    pub text_version: String,
    /// «28.11.2026».
    pub printed_on: String,
}

/// One class journal (a group × subject) for a year, for the paper archive: per period, the
/// grid of marks and attendance by lesson with the averages and final marks, then the lessons
/// with their topics and homework.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct JournalArchiveDoc {
    /// The school.
    pub school: SchoolHeader,
    /// «5А» (the class the journal belongs to).
    pub class_name: String,
    /// The journal's group: «5А», «5А — группа 1», a stream.
    pub group_name: String,
    /// «Математика».
    pub subject: String,
    /// The teachers of the journal.
    pub teachers: String,
    /// «2026/2027».
    pub year: String,
    /// Pupils in journal order (those who left included).
    pub pupils: Vec<SummaryPupil>,
    /// The periods.
    pub periods: Vec<ArchivePeriod>,
    /// The year's final marks by pupil: («Год», «Экзамен», «Итоговая») → values.
    pub final_columns: Vec<String>,
    /// `finals[pupil][column]`.
    pub finals: Vec<Vec<String>>,
    /// «28.11.2026».
    pub printed_on: String,
    /// Who signs.
    pub signer: Signer,
}

/// A period of an archived journal.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ArchivePeriod {
    /// «1-я четверть (01.09.2026 — 26.10.2026)».
    pub title: String,
    /// The lessons' columns: «02.09».
    pub dates: Vec<String>,
    /// `cells[pupil][lesson]`: marks and attendance letters («5», «Н», «4 ОП»).
    pub cells: Vec<Vec<String>>,
    /// Marks not on a lesson (a standalone work), by pupil: «5 (12.10)».
    pub other_marks: Vec<String>,
    /// The weighted average by pupil.
    pub averages: Vec<String>,
    /// The period's final mark by pupil.
    pub finals: Vec<String>,
    /// The lessons: date, topic, homework.
    pub lessons: Vec<ArchiveLesson>,
}

/// A lesson of an archived journal.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ArchiveLesson {
    /// «02.09».
    pub date: String,
    /// The lesson's number in the day.
    pub number: String,
    /// The topic.
    pub topic: String,
    /// Homework.
    pub homework: String,
    /// The teacher when not the journal's own (a substitution), else "".
    pub note: String,
}

/// Login letters: one sheet per person, handed out on paper. Debug of the letters hides the
/// passwords and the invitation codes (the documents may end up in a log).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct LoginLettersDoc {
    /// The school.
    pub school: SchoolHeader,
    /// The address to open: «https://tabel.school.example/».
    pub address: String,
    /// «07.12.2026».
    pub issued_on: String,
    /// One sheet each, in print order.
    pub letters: Vec<LoginLetter>,
}

/// One person's sheet.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct LoginLetter {
    /// «Иванова Мария Петровна».
    pub name: String,
    /// As the caller words it: «Ученик 5А», «Родитель», «Учитель».
    pub role: String,
    pub login: String,
    /// The one-time password; `None` when the person already has an account.
    pub password: Option<String>,
    /// For a parent: the children the invitation codes link to.
    pub children: Vec<LetterChild>,
}

impl std::fmt::Debug for LoginLetter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginLetter")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("login", &self.login)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("children", &self.children)
            .finish()
    }
}

/// A child a parent's invitation code links to.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct LetterChild {
    /// «Иванов Пётр Сергеевич».
    pub name: String,
    /// «5А».
    pub class: String,
    /// The invitation code: «K7QM-2XPD». Works once.
    pub code: String,
    /// The code's last valid day: «21.12.2026».
    pub expires_on: String,
}

impl std::fmt::Debug for LetterChild {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LetterChild")
            .field("name", &self.name)
            .field("class", &self.class)
            .field("code", &"***")
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_of_login_letters_hides_passwords_and_codes() {
        let doc = crate::sample::login_letters_doc(3);
        let shown = format!("{doc:?}");
        for letter in &doc.letters {
            assert!(shown.contains(&letter.login), "{shown}");
            for secret in letter
                .password
                .iter()
                .chain(letter.children.iter().map(|c| &c.code))
            {
                assert!(!shown.contains(secret.as_str()), "{secret:?} in {shown}");
            }
        }
    }
}

/// What Tabel holds about a person and their children, for them to read (152-ФЗ, art. 14):
/// sections of lines and tables, all text made by the caller.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DataExportDoc {
    /// Whose data: the person's full name (or the login).
    pub holder: String,
    /// «28.11.2026 14:05».
    pub made_at: String,
    /// In order.
    pub sections: Vec<ExportSection>,
}

/// A school's statistics of a year (the archive of a closed year): the statistics' tables as
/// sections, all text made by the caller.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct StatisticsDoc {
    /// The school's name.
    pub school: String,
    /// "2026/2027".
    pub year: String,
    /// What they cover: "вся школа", "класс 5А".
    pub scope: String,
    /// «28.11.2026».
    pub made_at: String,
    /// The tables, in order.
    pub tables: Vec<ExportSection>,
}

/// A section of the data export: a heading, lines of text, then a table if it has columns.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExportSection {
    /// The heading.
    pub heading: String,
    /// Lines («Логин: parent»).
    pub lines: Vec<String>,
    /// The table's column headings (none: no table).
    pub columns: Vec<String>,
    /// The table's rows, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

/// A promotion order (переводной приказ): its number and date, what it decides, and the pupils
/// under each outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PromotionOrderDoc {
    /// The school.
    pub school: SchoolHeader,
    /// «12-о».
    pub number: String,
    /// «28.05.2027».
    pub date: String,
    /// «О переводе обучающихся 5А класса».
    pub title: String,
    /// «2026/2027».
    pub year: String,
    /// «2027/2028», or "".
    pub next_year: String,
    /// «Приказ от 25.05.2027 № 10-о» when it amends one, else "".
    pub amends: String,
    /// The outcomes with their pupils, in the order's order.
    pub sections: Vec<PromotionSection>,
    /// Who signs: the director.
    pub signer: Signer,
}

/// An outcome's paragraph of the order.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PromotionSection {
    /// «Перевести в следующий класс условно с академической задолженностью».
    pub heading: String,
    /// The pupils.
    pub pupils: Vec<PromotionPupil>,
}

/// A pupil in an order.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PromotionPupil {
    /// Full name.
    pub name: String,
    /// «5А → 6А».
    pub classes: String,
    /// The debts with their deadlines, a leaving's date and basis, or "".
    pub detail: String,
}

/// A pupil's personal file (личное дело) for the school the pupil moves to: every year of the
/// record, with the verification code and the checksum of the machine-readable file it prints.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PersonalFileDoc {
    /// The issuing school.
    pub school: SchoolHeader,
    /// «Иванов Иван Петрович».
    pub pupil: String,
    /// «01.03.2016» or "".
    pub birth_date: String,
    /// The verification code.
    pub code: String,
    /// SHA-256 of the file's canonical content.
    pub sha256: String,
    /// «28.11.2026».
    pub issued_on: String,
    /// Who signs.
    pub signer: Signer,
    /// The years, oldest first.
    pub years: Vec<PersonalFileYear>,
}

/// A school year of the personal file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PersonalFileYear {
    /// «2025/2026».
    pub label: String,
    /// «4 класс» or "".
    pub grade: String,
    /// «4А класс, МБОУ СОШ № 2 (01.09.2025 – 26.05.2026)».
    pub classes: Vec<String>,
    /// The table's heads: «Предмет», the periods, «Год», «Экзамен», «Итоговая».
    pub columns: Vec<String>,
    /// A row per subject, as long as `columns`.
    pub rows: Vec<Vec<String>>,
    /// «Пропущено уроков: 12, из них по уважительной причине: 10; опозданий: 3».
    pub attendance: String,
    /// Exam results, deferrals and debts written out.
    pub lines: Vec<String>,
}
