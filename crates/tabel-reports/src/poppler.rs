//! Test support: reading our PDFs back with poppler's tools (Debian `poppler-utils`:
//! `pdftotext`, `pdfinfo`, `pdftoppm`), so tests check what a reader sees — Cyrillic text, the
//! marks, the page count — and keep a PNG of page 1 for a person to look at.
//!
//! A machine without poppler fails those tests, unless skipping was asked for with
//! `TABEL_ALLOW_SKIP=1` (never under `CI=true`; `.ci/run` installs poppler).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Poppler's tools, found on this machine.
#[derive(Debug, Clone, Copy)]
pub struct Poppler(());

/// Poppler when installed; `None` (after a loud SKIPPED line) when not and skipping was allowed.
///
/// # Panics
/// Without `pdftotext`, unless skipping was allowed ([`skip`]).
pub fn poppler() -> Option<Poppler> {
    let found = Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty());
    if found {
        return Some(Poppler(()));
    }
    skip(
        "pdftotext is not installed (apt-get install poppler-utils): the PDFs cannot be read back",
    );
    None
}

/// The one check for a test that cannot run here, as `tabel_store::test_support::skip` has it
/// (word for word: this crate cannot depend on that one): it fails naming what is missing, unless
/// `TABEL_ALLOW_SKIP=1` and not `CI=true`; then it prints a loud SKIPPED line.
///
/// # Panics
/// Unless skipping was allowed.
pub fn skip(what: &str) {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| v == "1" || v == "true");
    assert!(
        set("TABEL_ALLOW_SKIP") && !set("CI"),
        "this test cannot run here: {what}. Install what is missing, or set TABEL_ALLOW_SKIP=1 \
         to skip it (never under CI=true)"
    );
    // Straight to the process's stderr: the harness hides what a passing test prints with eprintln!.
    let _ = writeln!(
        std::io::stderr(),
        "\n!!!!! SKIPPED: {what} (TABEL_ALLOW_SKIP=1) !!!!!\n"
    );
}

/// Where test artifacts go: `$CARGO_TARGET_DIR/pdf/` (else the target folder of the running
/// test binary).
pub fn artifact_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        })
        .unwrap_or_else(std::env::temp_dir);
    target.join("pdf")
}

/// The PDF written where poppler reads it: a file of its own (tests of both backends run at
/// once and may name the same artifact), moved over `<artifact_dir>/<name>.pdf` when dropped so
/// the last one read is kept for a person to look at.
struct Scratch {
    path: PathBuf,
    keep: PathBuf,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // A rename is atomic: a reader of the kept file never sees half of it.
        if std::fs::rename(&self.path, &self.keep).is_err() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn scratch(pdf: &[u8], name: &str) -> Result<Scratch, String> {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let dir = artifact_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!("{name}.{}-{seq}.tmp.pdf", std::process::id()));
    std::fs::write(&path, pdf).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Scratch {
        path,
        keep: dir.join(format!("{name}.pdf")),
    })
}

fn run(cmd: &mut Command) -> Result<Vec<u8>, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

impl Poppler {
    /// The text of the PDF in reading layout (`pdftotext -layout`). The PDF is kept as
    /// `<artifact_dir>/<name>.pdf`.
    pub fn text(self, pdf: &[u8], name: &str) -> Result<String, String> {
        let path = scratch(pdf, name)?;
        let out = run(Command::new("pdftotext")
            .arg("-layout")
            .arg(&path.path)
            .arg("-"))?;
        String::from_utf8(out).map_err(|e| e.to_string())
    }

    /// The text of each page in reading layout: [`Poppler::text`] cut at the form feed
    /// `pdftotext` ends every page with.
    pub fn page_texts(self, pdf: &[u8], name: &str) -> Result<Vec<String>, String> {
        let text = self.text(pdf, name)?;
        let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
        // What follows the last page's form feed is no page.
        if pages.last().is_some_and(String::is_empty) {
            pages.pop();
        }
        Ok(pages)
    }

    /// The number of pages (`pdfinfo`).
    pub fn pages(self, pdf: &[u8], name: &str) -> Result<u32, String> {
        let path = scratch(pdf, name)?;
        let out =
            String::from_utf8_lossy(&run(Command::new("pdfinfo").arg(&path.path))?).into_owned();
        out.lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .ok_or_else(|| format!("pdfinfo gave no page count: {out}"))
    }

    /// Page 1 as `<artifact_dir>/<name>.png` at 80 dpi (`pdftoppm -png -r 80 -singlefile`).
    pub fn first_page_png(self, pdf: &[u8], name: &str) -> Result<PathBuf, String> {
        let path = scratch(pdf, name)?;
        let stem = artifact_dir().join(name);
        run(Command::new("pdftoppm")
            .args(["-png", "-r", "80", "-singlefile"])
            .arg(&path.path)
            .arg(&stem))?;
        Ok(stem.with_extension("png"))
    }
}
