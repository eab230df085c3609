//! Exam results (регламент, п. 6): ОГЭ, ЕГЭ, ВПР, the итоговое собеседование and the school's own
//! exams arrive at the school as tables — exported from the regional systems or typed up — and
//! must be visible to the pupil and the family no later than a day after the school received
//! them.
//!
//! A file names its columns in a header row (title rows above it are skipped): the pupil as
//! «ФИО» or as «Фамилия», «Имя» (and «Отчество»), optionally «Класс» and «Дата рождения» to tell
//! namesakes apart; «Предмет»; «Дата» of the exam; «Первичный балл»; and the result — «Отметка»
//! (or «Оценка»), for ЕГЭ «Тестовый балл», for the собеседование «зачёт»/«незачёт». English
//! headings work too. Every error names its row (as the spreadsheet numbers it, from 1) and
//! column; a file with any error is refused whole.
//!
//! Matching a row to a pupil of the school ([`PupilIndex`]) and the publication clock
//! ([`Publication`]) are here too: both are rules, not storage.
//!
//! A file per topic; everything public is re-exported here, so `tabel_domain::exams::X` names
//! it wherever it lives.

mod dates;
mod kinds;
mod matching;
mod parser;
mod publication;
mod results;

pub use dates::*;
pub use kinds::*;
pub use matching::*;
pub use parser::*;
pub use publication::*;
pub use results::*;
