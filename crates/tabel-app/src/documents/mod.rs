//! Documents: the use cases' results typeset as PDF (tabel-reports' typst templates) or laid out
//! as XLSX workbooks. The pages, the API and the command line all print through these methods,
//! so a document is built one way whoever asks for it.
//!
//! - [`print`]: the data of the printed papers (extracts, the summary sheet, the consent form,
//!   the class journals for the archive);
//! - [`sheets`]: the spreadsheets (the summary sheet, the assessment schedule, statistics).

pub mod print;
pub mod sheets;

pub use print::{file_safe, period_title};

use crate::consent::ConsentForm;
use crate::extracts::{ClassArchive, ExtractBatch, SummaryDocument};
use crate::{App, AppError};
use std::sync::{Arc, OnceLock};
use tabel_reports::{Renderer, ReportError};

/// The renderer with the embedded templates and fonts, loaded once per process when first
/// needed.
pub(crate) fn embedded() -> Arc<Renderer> {
    static EMBEDDED: OnceLock<Arc<Renderer>> = OnceLock::new();
    EMBEDDED
        .get_or_init(|| Arc::new(Renderer::embedded()))
        .clone()
}

fn typeset_error(e: ReportError) -> AppError {
    AppError::Internal(e.to_string())
}

impl App {
    /// The PDF renderer: a deployment's template overrides, else the embedded templates.
    pub fn renderer(&self) -> Arc<Renderer> {
        self.reports.clone().unwrap_or_else(embedded)
    }

    /// Typesets off the async runtime (typst is CPU-bound). Not on the bounded pool of
    /// [`App::run_bounded`]: a class's documents take seconds, and logins must not queue behind
    /// them.
    pub(crate) async fn typeset<F>(&self, f: F) -> Result<Vec<u8>, AppError>
    where
        F: FnOnce(&Renderer) -> Result<Vec<u8>, ReportError> + Send + 'static,
    {
        let r = self.renderer();
        tokio::task::spawn_blocking(move || f(&r))
            .await
            .map_err(|e| AppError::Internal(format!("rendering stopped: {e}")))?
            .map_err(typeset_error)
    }

    /// The extracts of a print run as one PDF, a page or more per pupil.
    pub fn extracts_pdf(&self, b: &ExtractBatch) -> Result<Vec<u8>, AppError> {
        self.renderer()
            .extracts(&print::extract_doc(b, ""))
            .map_err(typeset_error)
    }

    /// A renderer of print runs for the use cases that issue extracts (they register each
    /// extract with the hash of its PDF, so they typeset inside the run).
    pub fn extract_renderer(
        &self,
    ) -> impl FnOnce(&ExtractBatch) -> Result<Vec<u8>, String> + Send + 'static {
        let r = self.renderer();
        move |b| {
            r.extracts(&print::extract_doc(b, ""))
                .map_err(|e| e.to_string())
        }
    }

    /// The summary sheet of a class as a PDF.
    pub async fn summary_sheet_pdf(&self, d: &SummaryDocument) -> Result<Vec<u8>, AppError> {
        let doc = print::summary_doc(d);
        self.typeset(move |r| r.summary_sheet(&doc)).await
    }

    /// The consent form to print for a parent and a child.
    pub async fn consent_form_pdf(&self, f: &ConsentForm) -> Result<Vec<u8>, AppError> {
        let doc = print::consent_doc(f);
        self.typeset(move |r| r.consent_form(&doc)).await
    }

    /// The journals of a class for the archive: (a file name without extension, the PDF).
    pub async fn class_journal_pdfs(
        &self,
        archive: &ClassArchive,
    ) -> Result<Vec<(String, Vec<u8>)>, AppError> {
        let mut out = Vec::new();
        for (name, doc) in print::journal_docs(archive) {
            out.push((name, self.typeset(move |r| r.journal_archive(&doc)).await?));
        }
        Ok(out)
    }
}
