//! PDF documents through the typst library, inside the binary: vendored fonts (PT Sans, PT
//! Mono), the templates embedded with `include_str!`, no file or network access while rendering
//! (the `packages` feature of typst-as-lib stays off). A deployment may override any template by
//! a file of the same name in its templates folder; the folder is read once, when the
//! [`Renderer`] is built.
//!
//! Rendering is CPU-bound (a pupil's extract takes milliseconds, a class tens of them): call it
//! from `tokio::task::spawn_blocking`, never on the async runtime's threads.

use crate::docs::{
    ConsentFormDoc, DataExportDoc, ExtractDoc, JournalArchiveDoc, LoginLettersDoc, PersonalFileDoc,
    PromotionOrderDoc, StatisticsDoc, SummarySheetDoc,
};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Smart};
use typst::syntax::{DiagSpan, FileId, Source};
use typst::{World, WorldExt};
use typst_as_lib::conversions::IntoFileId;
use typst_as_lib::file_resolver::FileResolver;
use typst_as_lib::{TypstAsLibError, TypstEngine};
use typst_layout::PagedDocument;

/// The fonts every document may use (PT Sans family and PT Mono; see `fonts/README.md`).
const FONTS: [&[u8]; 6] = [
    include_bytes!("../fonts/PTS55F.ttf"),
    include_bytes!("../fonts/PTS56F.ttf"),
    include_bytes!("../fonts/PTS75F.ttf"),
    include_bytes!("../fonts/PTN57F.ttf"),
    include_bytes!("../fonts/PTN77F.ttf"),
    include_bytes!("../fonts/PTM55F.ttf"),
];

/// The templates and their embedded text. `common.typ` is imported by the others.
pub const TEMPLATES: [(&str, &str); 10] = [
    ("common.typ", include_str!("../templates/common.typ")),
    ("extract.typ", include_str!("../templates/extract.typ")),
    (
        "summary_sheet.typ",
        include_str!("../templates/summary_sheet.typ"),
    ),
    (
        "consent_form.typ",
        include_str!("../templates/consent_form.typ"),
    ),
    (
        "journal_archive.typ",
        include_str!("../templates/journal_archive.typ"),
    ),
    (
        "login_letters.typ",
        include_str!("../templates/login_letters.typ"),
    ),
    (
        "data_export.typ",
        include_str!("../templates/data_export.typ"),
    ),
    (
        "year_statistics.typ",
        include_str!("../templates/year_statistics.typ"),
    ),
    (
        "promotion_order.typ",
        include_str!("../templates/promotion_order.typ"),
    ),
    (
        "personal_file.typ",
        include_str!("../templates/personal_file.typ"),
    ),
];

/// Why a document was not made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The templates folder or one of its files could not be read.
    #[error("cannot read the template {path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A template did not compile with this data (an override with a mistake, most likely).
    #[error("the template {template} failed: {message}")]
    Template {
        /// Which template.
        template: &'static str,
        /// typst's diagnostics.
        message: String,
    },
    /// The data could not be serialised for the template.
    #[error("cannot pass the data to the template: {0}")]
    Data(#[from] serde_json::Error),
    /// The laid-out document could not be written as PDF.
    #[error("cannot write the PDF: {0}")]
    Pdf(String),
}

/// The files of the renders in flight: each render's generated main source and its data, under
/// names unique to the render. The data reaches typst as a file, not as `sys.inputs`: inputs
/// change typst's standard library, which throws away the layout typst memoised for the
/// templates (measured: a new pupil's extract 26 → 14 ms).
#[derive(Default)]
struct Slots {
    sources: Mutex<HashMap<FileId, Source>>,
    data: Mutex<HashMap<FileId, Bytes>>,
}

struct SlotResolver(Arc<Slots>);

impl FileResolver for SlotResolver {
    fn resolve_binary(&self, id: FileId) -> FileResult<Cow<'_, Bytes>> {
        let data = self.0.data.lock().unwrap_or_else(PoisonError::into_inner);
        data.get(&id)
            .cloned()
            .map(Cow::Owned)
            .ok_or_else(|| FileError::NotFound(std::path::PathBuf::new()))
    }

    fn resolve_source(&self, id: FileId) -> FileResult<Cow<'_, Source>> {
        let sources = self
            .0
            .sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        sources
            .get(&id)
            .cloned()
            .map(Cow::Owned)
            .ok_or_else(|| FileError::NotFound(std::path::PathBuf::new()))
    }
}

/// A render's files, removed when it ends (also on an error or a panic).
struct SlotGuard<'a> {
    slots: &'a Slots,
    main: FileId,
    data: FileId,
}

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        self.slots
            .sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.main);
        self.slots
            .data
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.data);
    }
}

/// Renders Tabel's documents. Built once (fonts parsed once), shared by every request:
/// `Send + Sync`, and rendering takes `&self` (renders run side by side).
pub struct Renderer {
    engine: TypstEngine,
    /// The names of the templates taken from the override folder.
    overridden: Vec<&'static str>,
    slots: Arc<Slots>,
    next: AtomicU64,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("overridden", &self.overridden)
            .finish_non_exhaustive()
    }
}

impl Renderer {
    /// A renderer with the embedded templates.
    pub fn embedded() -> Renderer {
        Renderer::build(TEMPLATES.map(|(n, t)| (n, t.to_owned())), Vec::new(), None)
    }

    /// A renderer whose templates come from `dir` where it has a file of the same name, the
    /// embedded ones otherwise. Other files of the folder (a logo, an included part) are
    /// readable from the templates by relative path; nothing outside it is.
    pub fn with_overrides(dir: &Path) -> Result<Renderer, ReportError> {
        let io = |path: &Path, source| ReportError::Io {
            path: path.display().to_string(),
            source,
        };
        if !dir.is_dir() {
            return Err(io(
                dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder"),
            ));
        }
        let mut overridden = Vec::new();
        let mut sources = TEMPLATES.map(|(n, t)| (n, t.to_owned()));
        for (name, text) in &mut sources {
            let path = dir.join(*name);
            match std::fs::read_to_string(&path) {
                Ok(own) => {
                    *text = own;
                    overridden.push(*name);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&path, e)),
            }
        }
        Ok(Renderer::build(sources, overridden, Some(dir)))
    }

    fn build(
        sources: [(&'static str, String); TEMPLATES.len()],
        overridden: Vec<&'static str>,
        dir: Option<&Path>,
    ) -> Renderer {
        let slots = Arc::new(Slots::default());
        let mut builder = TypstEngine::builder()
            .fonts(FONTS)
            .with_static_source_file_resolver(sources)
            .add_file_resolver(SlotResolver(slots.clone()))
            // Memoised layout results survive a few renders: the next pupil's page reuses the
            // template's work; older entries are dropped so memory stays flat.
            .comemo_evict_max_age(Some(8));
        if let Some(dir) = dir {
            builder = builder.with_file_system_resolver(dir);
        }
        Renderer {
            engine: builder.build(),
            overridden,
            slots,
            next: AtomicU64::new(0),
        }
    }

    /// Which templates were taken from the override folder.
    pub fn overridden(&self) -> &[&'static str] {
        &self.overridden
    }

    /// Extracts: one pupil after another, a page break before each.
    pub fn extracts(&self, doc: &ExtractDoc) -> Result<Vec<u8>, ReportError> {
        self.render("extract.typ", doc)
    }

    /// The summary sheet of a class.
    pub fn summary_sheet(&self, doc: &SummarySheetDoc) -> Result<Vec<u8>, ReportError> {
        self.render("summary_sheet.typ", doc)
    }

    /// The consent form for a representative to sign.
    pub fn consent_form(&self, doc: &ConsentFormDoc) -> Result<Vec<u8>, ReportError> {
        self.render("consent_form.typ", doc)
    }

    /// A class journal for the year-end archive.
    pub fn journal_archive(&self, doc: &JournalArchiveDoc) -> Result<Vec<u8>, ReportError> {
        self.render("journal_archive.typ", doc)
    }

    /// Login letters: a page per person with the login, the one-time password and, for a
    /// parent, the children's invitation codes.
    pub fn login_letters(&self, doc: &LoginLettersDoc) -> Result<Vec<u8>, ReportError> {
        self.render("login_letters.typ", doc)
    }

    /// The summary of everything held about a person and their children (the right of access).
    pub fn data_export(&self, doc: &DataExportDoc) -> Result<Vec<u8>, ReportError> {
        self.render("data_export.typ", doc)
    }

    /// A school's (or a class's) statistics of a year, for the archive of the closed year.
    pub fn statistics(&self, doc: &StatisticsDoc) -> Result<Vec<u8>, ReportError> {
        self.render("year_statistics.typ", doc)
    }

    /// A promotion order (переводной приказ) with its pupils by outcome.
    pub fn promotion_order(&self, doc: &PromotionOrderDoc) -> Result<Vec<u8>, ReportError> {
        self.render("promotion_order.typ", doc)
    }

    /// A pupil's personal file (личное дело) for the school the pupil moves to.
    pub fn personal_file(&self, doc: &PersonalFileDoc) -> Result<Vec<u8>, ReportError> {
        self.render("personal_file.typ", doc)
    }

    /// Compiles `template` with `data`: a main source made for this render imports the
    /// template's `document` and calls it with the data read as JSON (so user text is never
    /// typst markup), then writes the PDF.
    fn render<T: Serialize>(
        &self,
        template: &'static str,
        data: &T,
    ) -> Result<Vec<u8>, ReportError> {
        let json = serde_json::to_vec(data)?;
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let (main_name, data_name) = (format!("render-{n}.typ"), format!("render-{n}.json"));
        let main = main_name.as_str().into_file_id();
        let data = data_name.as_str().into_file_id();
        let text = format!("#import \"{template}\": document\n#document(json(\"{data_name}\"))\n");
        self.slots
            .sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(main, Source::new(main, text));
        self.slots
            .data
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(data, Bytes::new(json));
        let _guard = SlotGuard {
            slots: &self.slots,
            main,
            data,
        };
        let document: PagedDocument =
            self.engine
                .compile(main)
                .output
                .map_err(|e| ReportError::Template {
                    template,
                    message: self.explain(template, e),
                })?;
        let options = typst_pdf::PdfOptions {
            ident: Smart::Custom(format!("tabel-{template}")),
            ..typst_pdf::PdfOptions::default()
        };
        typst_pdf::pdf(&document, &options).map_err(|d| ReportError::Pdf(diagnostics(&d, |_| None)))
    }

    /// typst's errors with the file and line they point at (`extract.typ:12:5: …`), so a
    /// mistake in an override can be found.
    fn explain(&self, template: &'static str, e: TypstAsLibError) -> String {
        let TypstAsLibError::TypstSource(list) = e else {
            return e.to_string();
        };
        let Ok(world) = self.engine.world_builder(template).build() else {
            return diagnostics(&list, |_| None);
        };
        diagnostics(&list, |span| {
            let id = span.id()?;
            let range = world.range(span)?;
            let source = world.source(id).ok()?;
            let (line, column) = source.lines().byte_to_line_column(range.start)?;
            let name = TEMPLATES
                .iter()
                .map(|(n, _)| *n)
                .find(|n| IntoFileId::into_file_id(*n) == id)
                .unwrap_or("(the call of the template's `document`)");
            Some(format!("{name}:{}:{}", line + 1, column + 1))
        })
    }
}

fn diagnostics(list: &[SourceDiagnostic], locate: impl Fn(DiagSpan) -> Option<String>) -> String {
    list.iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let mut s = match locate(d.span) {
                Some(at) => format!("{at}: {}", d.message),
                None => d.message.to_string(),
            };
            for h in &d.hints {
                s.push_str(" (hint: ");
                s.push_str(&h.v);
                s.push(')');
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_renderer_is_shared_across_threads() {
        assert_send_sync::<Renderer>();
    }

    #[test]
    fn every_document_renders_as_a_pdf() {
        let r = Renderer::embedded();
        for bytes in [
            r.extracts(&crate::sample::extract_doc(2)).unwrap(),
            r.summary_sheet(&crate::sample::summary_sheet_doc(5))
                .unwrap(),
            r.consent_form(&crate::sample::consent_form_doc()).unwrap(),
            r.data_export(&crate::sample::data_export_doc()).unwrap(),
            r.statistics(&crate::sample::statistics_doc()).unwrap(),
            r.journal_archive(&crate::sample::journal_archive_doc(6))
                .unwrap(),
            r.login_letters(&crate::sample::login_letters_doc(3))
                .unwrap(),
            r.personal_file(&crate::sample::personal_file_doc())
                .unwrap(),
        ] {
            assert!(bytes.starts_with(b"%PDF-"), "{:?}", &bytes[..8]);
            assert!(bytes.len() > 2_000);
        }
    }

    #[test]
    fn the_same_data_gives_the_same_bytes() {
        let r = Renderer::embedded();
        let doc = crate::sample::extract_doc(1);
        assert_eq!(r.extracts(&doc).unwrap(), r.extracts(&doc).unwrap());
    }

    #[test]
    fn an_override_folder_wins_and_a_broken_template_is_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join(format!("tabel-tpl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("consent_form.typ"),
            "#let document(data) = [#data.parent — своя форма школы]\n",
        )
        .unwrap();
        std::fs::write(dir.join("summary_sheet.typ"), "#let document(data) = (\n").unwrap();
        let r = Renderer::with_overrides(&dir).unwrap();
        assert_eq!(r.overridden(), ["summary_sheet.typ", "consent_form.typ"]);
        let pdf = r.consent_form(&crate::sample::consent_form_doc()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        match r.summary_sheet(&crate::sample::summary_sheet_doc(2)) {
            Err(ReportError::Template { template, message }) => {
                assert_eq!(template, "summary_sheet.typ");
                assert!(!message.is_empty());
            }
            other => panic!("{other:?}"),
        }
        // Templates not in the folder stay the embedded ones.
        assert!(r.extracts(&crate::sample::extract_doc(1)).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(
            Renderer::with_overrides(&dir),
            Err(ReportError::Io { .. })
        ));
    }
}

#[cfg(test)]
mod promotion_tests {
    use super::*;
    use crate::docs::{PromotionPupil, PromotionSection, SchoolHeader, Signer};

    #[test]
    fn a_promotion_order_prints_its_number_outcomes_and_debts() {
        let doc = PromotionOrderDoc {
            school: SchoolHeader {
                name: "МБОУ «Школа № 1»".into(),
                ..SchoolHeader::default()
            },
            number: "12-о".into(),
            date: "28.05.2027".into(),
            title: "О переводе обучающихся 5А класса".into(),
            year: "2026/2027".into(),
            next_year: "2027/2028".into(),
            amends: String::new(),
            sections: vec![PromotionSection {
                heading: "Перевести в 6 класс условно".into(),
                pupils: vec![PromotionPupil {
                    name: "Петров Иван Сергеевич".into(),
                    classes: "5А → 6А".into(),
                    detail: "Математика до 28.05.2028".into(),
                }],
            }],
            signer: Signer {
                title: "Директор".into(),
                name: "Директоров Н. И.".into(),
            },
        };
        let pdf = Renderer::embedded().promotion_order(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        if let Some(p) = crate::poppler::poppler() {
            let text = p.text(&pdf, "promotion_order").unwrap();
            for want in [
                "ПРИКАЗ",
                "№ 12-о",
                "Петров Иван Сергеевич",
                "Математика до 28.05.2028",
                "условно",
            ] {
                assert!(text.contains(want), "{want:?} in {text}");
            }
        }
    }
}
