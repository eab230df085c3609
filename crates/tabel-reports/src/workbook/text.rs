//! Texts out of XML events: attributes by local name, character data with entities resolved,
//! and OOXML's `_xHHHH_` escapes, each held only up to the cell's limit.

use quick_xml::events::{BytesRef, BytesStart};

/// Whether an element has this local name (whatever its namespace prefix).
pub(super) fn is(e: &BytesStart<'_>, local: &[u8]) -> bool {
    e.local_name().as_ref() == local
}

/// An attribute's value by local name, unescaped.
pub(super) fn attr(e: &BytesStart<'_>, local: &[u8]) -> Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        if a.key.local_name().as_ref() == local {
            return a
                .unescape_value()
                .map(|v| Some(v.into_owned()))
                .map_err(|e| e.to_string());
        }
    }
    Ok(None)
}

/// A cell's text as it is read, kept only while it is within `max` characters.
#[derive(Debug, Default)]
pub(super) struct Text {
    value: String,
    chars: usize,
    too_long: bool,
}

impl Text {
    pub fn clear(&mut self) {
        self.value.clear();
        self.chars = 0;
        self.too_long = false;
    }

    /// Appends character data; past `max` characters the text is dropped and only marked.
    pub fn push(&mut self, s: &str, max: usize) {
        if self.too_long {
            return;
        }
        self.chars += s.chars().count();
        if self.chars > max {
            self.too_long = true;
            self.value = String::new();
        } else {
            self.value.push_str(s);
        }
    }

    /// Appends an entity or character reference (`&amp;`, `&#1105;`).
    pub fn push_ref(&mut self, r: &BytesRef<'_>, max: usize) -> Result<(), String> {
        if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
            self.push(c.encode_utf8(&mut [0; 4]), max);
            return Ok(());
        }
        let name = r.decode().map_err(|e| e.to_string())?;
        let s = match name.as_ref() {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            other => return Err(format!("unknown entity &{other};")),
        };
        self.push(s, max);
        Ok(())
    }

    pub fn too_long(&self) -> bool {
        self.too_long
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The text with OOXML's escapes (`_x000D_` for a carriage return) resolved.
    pub fn take(&mut self) -> String {
        let s = std::mem::take(&mut self.value);
        self.clear();
        unescape_ooxml(s)
    }
}

/// Resolves `_xHHHH_` (a UTF-16 unit in hex, as OOXML writes characters XML cannot hold);
/// `_x005F_` escapes the underscore itself. The result is never longer than the input.
fn unescape_ooxml(s: String) -> String {
    if !s.contains("_x") {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let code = tail
            .get(2..6)
            .filter(|_| tail.as_bytes().get(6) == Some(&b'_'))
            .and_then(|h| u16::from_str_radix(h, 16).ok())
            .and_then(|u| char::from_u32(u32::from(u)));
        match code {
            Some(c) => {
                out.push(c);
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ooxml_escapes_resolve() {
        assert_eq!(unescape_ooxml("a_x000D_b".into()), "a\rb");
        assert_eq!(unescape_ooxml("_x005F_x000D_".into()), "_x000D_");
        assert_eq!(unescape_ooxml("max_x".into()), "max_x");
        assert_eq!(unescape_ooxml("_xZZZZ_".into()), "_xZZZZ_");
        assert_eq!(unescape_ooxml("Тема_x0020_1".into()), "Тема 1");
    }

    #[test]
    fn a_text_past_its_limit_is_dropped_not_kept() {
        let mut t = Text::default();
        t.push("абв", 4);
        assert_eq!(t.as_str(), "абв");
        t.push("гд", 4);
        assert!(t.too_long());
        assert_eq!(t.as_str(), "");
        t.clear();
        t.push("ok", 4);
        assert_eq!(t.take(), "ok");
    }
}
