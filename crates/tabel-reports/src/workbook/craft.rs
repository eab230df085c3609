//! Workbooks made byte by byte for tests: valid ones, and the hostile ones the reader must
//! refuse cheaply (values far out in the grid, zip bombs, sizes that lie, archives of many
//! files). A part can repeat a piece of XML millions of times while the archive stays small:
//! the piece is deflated once, flushed to a byte boundary, and its compressed bytes repeated.

use flate2::Compression;
use flate2::write::DeflateEncoder;
use std::io::Write;

/// A part's content: pieces of text, each repeated a number of times.
#[derive(Debug, Clone)]
pub struct Part {
    pieces: Vec<(Vec<u8>, usize)>,
}

impl Part {
    /// A part that is this text once.
    pub fn text(s: impl Into<String>) -> Part {
        Part {
            pieces: vec![(s.into().into_bytes(), 1)],
        }
    }

    /// `head`, then `body` `times` times, then `tail`.
    pub fn repeated(head: &str, body: &str, times: usize, tail: &str) -> Part {
        Part {
            pieces: vec![
                (head.as_bytes().to_vec(), 1),
                (body.as_bytes().to_vec(), times),
                (tail.as_bytes().to_vec(), 1),
            ],
        }
    }

    /// The bytes it inflates to.
    pub fn len(&self) -> u64 {
        self.pieces
            .iter()
            .map(|(p, n)| p.len() as u64 * *n as u64)
            .sum()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each piece as a chunk of about 1 MiB (whole copies of it) and how many times the chunk
    /// stands, then the copies left over.
    fn chunks(&self) -> Vec<(Vec<u8>, usize)> {
        let mut out = Vec::new();
        for (piece, times) in &self.pieces {
            if piece.is_empty() || *times == 0 {
                continue;
            }
            let per_chunk = ((1 << 20) / piece.len()).clamp(1, *times);
            out.push((piece.repeat(per_chunk), times / per_chunk));
            if times % per_chunk > 0 {
                out.push((piece.repeat(times % per_chunk), 1));
            }
        }
        out
    }

    fn crc(&self) -> u32 {
        let mut h = crc32fast::Hasher::new();
        for (chunk, n) in self.chunks() {
            for _ in 0..n {
                h.update(&chunk);
            }
        }
        h.finalize()
    }

    /// Raw deflate: each chunk compressed on its own and sync-flushed to a byte boundary, so
    /// that its bytes can be repeated; then an empty final block.
    fn deflate(&self, level: u32) -> Vec<u8> {
        let mut out = Vec::new();
        for (chunk, n) in self.chunks() {
            let mut e = DeflateEncoder::new(Vec::new(), Compression::new(level));
            let _ = e.write_all(&chunk);
            let _ = e.flush();
            for _ in 0..n {
                out.extend_from_slice(e.get_ref());
            }
        }
        // A final fixed-Huffman block holding only its end code.
        out.extend_from_slice(&[0x03, 0x00]);
        out
    }

    fn stored(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (p, n) in &self.pieces {
            for _ in 0..*n {
                out.extend_from_slice(p);
            }
        }
        out
    }
}

/// How a part is put into the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    /// Deflated at this level (0–9).
    Deflate(u32),
    /// Not compressed.
    Stored,
}

/// One file of the archive.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub part: Part,
    pub packing: Packing,
    /// The uncompressed size the headers declare, when it should lie.
    pub declared: Option<u32>,
}

/// A ZIP archive of these entries, with correct CRCs (and sizes, unless told to lie).
pub fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let (method, data) = match e.packing {
            Packing::Deflate(level) => (8u16, e.part.deflate(level)),
            Packing::Stored => (0u16, e.part.stored()),
        };
        let crc = e.part.crc();
        let size = e
            .declared
            .unwrap_or_else(|| u32::try_from(e.part.len()).unwrap_or(u32::MAX));
        let compressed = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let offset = u32::try_from(out.len()).unwrap_or(u32::MAX);
        let name = e.name.as_bytes();
        let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, 0, method, 0, 0x21] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, compressed, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(&data);
        // Its central directory record.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [20u16, 20, 0, method, 0, 0x21] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, compressed, size] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let count = u16::try_from(entries.len()).unwrap_or(u16::MAX);
    let central_at = u32::try_from(out.len()).unwrap_or(u32::MAX);
    let central_len = u32::try_from(central.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, count, count] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A workbook of one sheet, as Excel lays it out.
#[derive(Debug, Clone)]
pub struct Book {
    pub sheet: Part,
    pub shared_strings: Option<Part>,
    pub styles: Option<Part>,
    /// `<workbookPr …/>` attributes, e.g. `date1904="1"`.
    pub workbook_pr: String,
    pub packing: Packing,
    /// Empty files added to the archive.
    pub padding: usize,
    /// A lie about the sheet's uncompressed size.
    pub declared_sheet: Option<u32>,
}

const WORKSHEET: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#;

impl Book {
    /// A workbook whose sheet holds this `<sheetData>` content (rows), after a dimension.
    pub fn rows(dimension: &str, rows: &str) -> Book {
        Book::sheet(Part::text(format!(
            "{WORKSHEET}<dimension ref=\"{dimension}\"/><sheetData>{rows}</sheetData></worksheet>"
        )))
    }

    /// A workbook with this sheet part.
    pub fn sheet(sheet: Part) -> Book {
        Book {
            sheet,
            shared_strings: None,
            styles: None,
            workbook_pr: String::new(),
            packing: Packing::Deflate(6),
            padding: 0,
            declared_sheet: None,
        }
    }

    /// The shared-strings table of these texts (escaped here).
    pub fn with_shared(mut self, texts: &[&str]) -> Book {
        let items: String = texts
            .iter()
            .map(|t| format!("<si><t xml:space=\"preserve\">{}</t></si>", escape(t)))
            .collect();
        self.shared_strings = Some(Part::text(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{0}\" uniqueCount=\"{0}\">{items}</sst>",
            texts.len()
        )));
        self
    }

    /// The archive.
    pub fn bytes(&self) -> Vec<u8> {
        let text = |name: &str, s: String| Entry {
            name: name.to_owned(),
            part: Part::text(s),
            packing: self.packing,
            declared: None,
        };
        let mut rels = String::from(
            r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
        );
        if self.shared_strings.is_some() {
            rels.push_str(r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#);
        }
        if self.styles.is_some() {
            rels.push_str(r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="/xl/styles.xml"/>"#);
        }
        let mut entries = vec![
            text(
                "[Content_Types].xml",
                r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_owned(),
            ),
            text(
                "_rels/.rels",
                r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned(),
            ),
            text(
                "xl/workbook.xml",
                format!(
                    r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr {}/><sheets><sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
                    self.workbook_pr
                ),
            ),
            text(
                "xl/_rels/workbook.xml.rels",
                format!(
                    r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
                ),
            ),
            Entry {
                name: "xl/worksheets/sheet1.xml".to_owned(),
                part: self.sheet.clone(),
                packing: self.packing,
                declared: self.declared_sheet,
            },
        ];
        if let Some(s) = &self.shared_strings {
            entries.push(Entry {
                name: "xl/sharedStrings.xml".to_owned(),
                part: s.clone(),
                packing: self.packing,
                declared: None,
            });
        }
        if let Some(s) = &self.styles {
            entries.push(Entry {
                name: "xl/styles.xml".to_owned(),
                part: s.clone(),
                packing: self.packing,
                declared: None,
            });
        }
        for i in 0..self.padding {
            entries.push(text(&format!("xl/media/pad{i}.bin"), String::new()));
        }
        zip(&entries)
    }
}

/// A row of inline-string cells from column A, numbered.
pub fn inline_row(row: u32, cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "<c r=\"{}{row}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                super::column_name(i as u32 + 1),
                escape(c)
            )
        })
        .collect();
    format!("<row r=\"{row}\">{cells}</row>")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The workbooks a review found could stop the server, each small enough to upload.
pub mod hostile {
    use super::{Book, Part};

    /// 1.6 KB: a value at A1 and one at XFD1048576 (the dense grid would be 549 GB).
    pub fn far_cells() -> Vec<u8> {
        Book::rows(
            "A1:XFD1048576",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>№</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
        )
        .bytes()
    }

    /// About 1.8 MB: a sheet that inflates to `mib` MiB of rows that all restate row 1 (so no
    /// row limit stops them; only the inflation budget does).
    pub fn row_bomb(mib: usize) -> Vec<u8> {
        let row = bomb_row();
        let times = (mib << 20) / row.len();
        Book::sheet(Part::repeated(
            &format!("{}<sheetData>", super::WORKSHEET),
            &row,
            times,
            "</sheetData></worksheet>",
        ))
        .bytes()
    }

    /// A row restating A1, padded with the white space XML allows between elements (it packs
    /// a thousand to one, as a bomb does).
    fn bomb_row() -> String {
        format!(
            r#"<row r="1"><c r="A1"><v>1</v></c></row>{}"#,
            " ".repeat(4_000)
        )
    }

    /// About 1 MB: one shared text of `mib` MiB, which A1 shows.
    pub fn string_bomb(mib: usize) -> Vec<u8> {
        let mut book = Book::rows("A1", r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
        book.shared_strings = Some(Part::repeated(
            r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#,
            "a",
            mib << 20,
            "</t></si></sst>",
        ));
        book.bytes()
    }

    /// A bomb whose headers say the sheet is small: only the hard stop while inflating finds it.
    pub fn lying_bomb(mib: usize) -> Vec<u8> {
        let row = bomb_row();
        let mut book = Book::sheet(Part::repeated(
            &format!("{}<sheetData>", super::WORKSHEET),
            &row,
            (mib << 20) / row.len(),
            "</sheetData></worksheet>",
        ));
        book.declared_sheet = Some(1_000);
        book.bytes()
    }

    /// A shared-strings table that declares a count of four billion and holds many entries.
    pub fn many_shared_strings(n: usize) -> Vec<u8> {
        let mut book = Book::rows("A1", r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
        book.shared_strings = Some(Part::repeated(
            r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4294967295" uniqueCount="4294967295">"#,
            "<si><t>x</t></si>",
            n,
            "</sst>",
        ));
        book.bytes()
    }

    /// An archive of `n` files.
    pub fn many_entries(n: usize) -> Vec<u8> {
        let mut book = Book::rows("A1", r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
        book.padding = n;
        book.bytes()
    }

    /// Every workbook above at the sizes the review used, by name.
    pub fn all() -> Vec<(&'static str, Vec<u8>)> {
        vec![
            ("far cells (A1 and XFD1048576)", far_cells()),
            ("700 MiB of rows", row_bomb(700)),
            ("a 1 GiB string", string_bomb(1024)),
            ("a sheet that lies about its size", lying_bomb(200)),
            ("a million shared strings", many_shared_strings(1_000_000)),
            ("ten thousand files", many_entries(10_000)),
        ]
    }
}
