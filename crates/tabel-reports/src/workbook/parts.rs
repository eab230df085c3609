//! The archive: which parts exist, where the first sheet is, and each part inflated through a
//! hard stop.

use super::text::{attr, is};
use super::{Limit, Limits, WorkbookError};
use quick_xml::events::Event;
use std::io::{self, BufReader, Cursor, Read};

/// Relationships read from one `.rels` part at most (each names a part of the package).
const MAX_RELATIONSHIPS: usize = 4_096;

/// Sheets a workbook may list (Excel's own default limit is 255).
pub(super) const MAX_SHEETS: usize = 255;

/// An opened workbook and what is left of its inflation budget.
pub(super) struct Package<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    pub(super) limits: &'a Limits,
    inflated_left: u64,
}

/// Where the parts the reader needs are.
#[derive(Debug)]
pub(super) struct Paths {
    /// The sheets in the workbook's order: each one's name and part.
    pub sheets: Vec<(String, String)>,
    pub shared_strings: Option<String>,
    pub styles: Option<String>,
    /// Dates count from 1904-01-01 (old Mac workbooks) instead of 1899-12-30.
    pub date1904: bool,
}

struct Relationship {
    id: String,
    kind: String,
    target: String,
}

impl<'a> Package<'a> {
    pub fn open(bytes: &'a [u8], limits: &'a Limits) -> Result<Package<'a>, WorkbookError> {
        // The central directory is read whole, but zip sizes it by the directory's own bytes
        // (at least 46 a file), which the upload's size already bounds.
        let zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| WorkbookError::Unreadable(e.to_string()))?;
        if zip.len() > limits.entries {
            return Err(WorkbookError::TooLarge(Limit::Entries(limits.entries)));
        }
        Ok(Package {
            zip,
            limits,
            inflated_left: limits.inflated_bytes,
        })
    }

    /// A part as a stream of XML events, or `None` when the archive has no such file.
    pub fn part(&mut self, path: &str) -> Result<Option<Part<'_, 'a>>, WorkbookError> {
        let Package {
            zip,
            limits,
            inflated_left,
        } = self;
        let (cap, limit) = if limits.part_bytes <= *inflated_left {
            (limits.part_bytes, Limit::PartBytes(limits.part_bytes))
        } else {
            (*inflated_left, Limit::InflatedBytes(limits.inflated_bytes))
        };
        let file = match zip.by_name(path) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(WorkbookError::Unreadable(format!("{path}: {e}"))),
        };
        // An honest bomb says how large it is: refuse it before inflating a byte. A lying one
        // meets the same limit while inflating.
        if file.size() > cap {
            return Err(WorkbookError::TooLarge(limit));
        }
        let capped = Capped {
            inner: file,
            left: cap,
            over: false,
        };
        let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(16 * 1024, capped));
        xml.config_mut().check_end_names = true;
        Ok(Some(Part {
            xml,
            path: path.to_owned(),
            cap,
            limit,
            inflated_left,
        }))
    }

    /// Finds the sheets, the shared strings and the styles through the package's and the
    /// workbook's relationships (with the usual names where a workbook has none).
    pub fn locate(&mut self) -> Result<Paths, WorkbookError> {
        let workbook = self
            .relationships("_rels/.rels")?
            .into_iter()
            .find(|r| r.kind == "officeDocument")
            .map(|r| resolve("", &r.target))
            .unwrap_or_else(|| "xl/workbook.xml".to_owned());
        let (listed, date1904) = self.workbook(&workbook)?;
        let (dir, name) = workbook.rsplit_once('/').unwrap_or(("", &workbook));
        // Paths inside the workbook's folder (the archive's root when it has none).
        let inside = |path: &str| resolve(dir, path);
        let rels = self.relationships(&inside(&format!("_rels/{name}.rels")))?;
        let find = |kind: &str| {
            rels.iter()
                .find(|r| r.kind == kind)
                .map(|r| resolve(dir, &r.target))
        };
        let sheets = if listed.is_empty() {
            if !rels.is_empty() {
                return Err(WorkbookError::Unreadable("it has no sheets".into()));
            }
            vec![("Sheet1".to_owned(), inside("worksheets/sheet1.xml"))]
        } else {
            let mut out = Vec::with_capacity(listed.len());
            for (name, id) in listed {
                let path = rels
                    .iter()
                    .find(|r| r.id == id)
                    .map(|r| resolve(dir, &r.target))
                    .ok_or_else(|| {
                        WorkbookError::Unreadable(format!(
                            "the part of sheet «{name}» ({id}) is not listed"
                        ))
                    })?;
                out.push((name, path));
            }
            out
        };
        Ok(Paths {
            sheets,
            shared_strings: find("sharedStrings")
                .or_else(|| rels.is_empty().then(|| inside("sharedStrings.xml"))),
            styles: find("styles").or_else(|| rels.is_empty().then(|| inside("styles.xml"))),
            date1904,
        })
    }

    /// The workbook's sheets (name and relationship id, in order), and whether it counts dates
    /// from 1904.
    fn workbook(&mut self, path: &str) -> Result<(Vec<(String, String)>, bool), WorkbookError> {
        let Some(mut part) = self.part(path)? else {
            return Err(WorkbookError::Unreadable(format!("no {path}")));
        };
        let mut buf = Vec::new();
        let mut date1904 = false;
        let mut sheets = Vec::new();
        loop {
            match part.next(&mut buf)? {
                Event::Start(e) | Event::Empty(e) => {
                    if is(&e, b"workbookPr") {
                        let v = attr(&e, b"date1904").map_err(|m| part.broken(m))?;
                        date1904 = matches!(v.as_deref(), Some("1" | "true"));
                    } else if is(&e, b"sheet") {
                        if sheets.len() == MAX_SHEETS {
                            return Err(part.broken(format!("more than {MAX_SHEETS} sheets")));
                        }
                        let id = attr(&e, b"id").map_err(|m| part.broken(m))?;
                        let name = attr(&e, b"name").map_err(|m| part.broken(m))?;
                        sheets.push((name.unwrap_or_default(), id.unwrap_or_default()));
                    }
                }
                Event::Eof => return Ok((sheets, date1904)),
                _ => {}
            }
            buf.clear();
        }
    }

    fn relationships(&mut self, path: &str) -> Result<Vec<Relationship>, WorkbookError> {
        let Some(mut part) = self.part(path)? else {
            return Ok(Vec::new());
        };
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            match part.next(&mut buf)? {
                Event::Start(e) | Event::Empty(e) if is(&e, b"Relationship") => {
                    if out.len() == MAX_RELATIONSHIPS {
                        return Err(
                            part.broken(format!("more than {MAX_RELATIONSHIPS} relationships"))
                        );
                    }
                    let get = |name: &[u8]| attr(&e, name).map(Option::unwrap_or_default);
                    let (id, kind, target) = (get(b"Id"), get(b"Type"), get(b"Target"));
                    let (id, kind, target) = (
                        id.map_err(|m| part.broken(m))?,
                        kind.map_err(|m| part.broken(m))?,
                        target.map_err(|m| part.broken(m))?,
                    );
                    let kind = kind.rsplit('/').next().unwrap_or_default().to_owned();
                    out.push(Relationship { id, kind, target });
                }
                Event::Eof => return Ok(out),
                _ => {}
            }
            buf.clear();
        }
    }
}

/// A part's inflated bytes, stopped at its budget, as XML.
type PartXml<'p, 'a> =
    quick_xml::Reader<BufReader<Capped<zip::read::ZipFile<'p, Cursor<&'a [u8]>>>>>;

/// One part being read: XML events out of a stream that stops at the part's budget.
pub(super) struct Part<'p, 'a> {
    xml: PartXml<'p, 'a>,
    path: String,
    cap: u64,
    limit: Limit,
    inflated_left: &'p mut u64,
}

impl Part<'_, '_> {
    /// The next event; reaching the budget is [`WorkbookError::TooLarge`].
    pub fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> Result<Event<'b>, WorkbookError> {
        match self.xml.read_event_into(buf) {
            Ok(e) => Ok(e),
            Err(_) if self.xml.get_mut().get_mut().over => Err(WorkbookError::TooLarge(self.limit)),
            Err(e) => Err(self.broken(e.to_string())),
        }
    }

    /// A refusal naming this part.
    pub fn broken(&self, why: impl std::fmt::Display) -> WorkbookError {
        WorkbookError::Unreadable(format!("{}: {why}", self.path))
    }
}

impl Drop for Part<'_, '_> {
    fn drop(&mut self) {
        let used = self.cap - self.xml.get_mut().get_mut().left;
        *self.inflated_left = self.inflated_left.saturating_sub(used);
    }
}

/// A reader that fails once more than `left` bytes come out of it. It reads one byte past the
/// budget to tell a part that ends exactly there from one that goes on.
struct Capped<R> {
    inner: R,
    left: u64,
    over: bool,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.over = true;
            return Err(io::Error::other("the part is over its budget"));
        }
        let want = usize::try_from(self.left).map_or(buf.len(), |l| l.min(buf.len()));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// A relationship's target as a path inside the archive: absolute (`/xl/…`) as it is, relative
/// to the part's folder otherwise, with `.` and `..` folded.
fn resolve(dir: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(abs) => abs.to_owned(),
        None if dir.is_empty() => target.to_owned(),
        None => format!("{dir}/{target}"),
    };
    let mut out: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_against_the_parts_folder() {
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(resolve("xl", "/xl/worksheets/s.xml"), "xl/worksheets/s.xml");
        assert_eq!(
            resolve("xl/x", "../sharedStrings.xml"),
            "xl/sharedStrings.xml"
        );
        assert_eq!(resolve("", "xl/workbook.xml"), "xl/workbook.xml");
        assert_eq!(resolve("", "../../../etc/passwd"), "etc/passwd");
    }

    #[test]
    fn the_capped_reader_tells_the_end_from_the_budget() {
        let mut exact = Capped {
            inner: &b"abcd"[..],
            left: 4,
            over: false,
        };
        let mut out = Vec::new();
        assert_eq!(exact.read_to_end(&mut out).unwrap(), 4);
        assert!(!exact.over);

        let mut long = Capped {
            inner: &b"abcde"[..],
            left: 4,
            over: false,
        };
        let mut out = Vec::new();
        assert!(long.read_to_end(&mut out).is_err());
        assert!(long.over);
        assert_eq!(out.len(), 4);
    }
}
