//! The bodies the permission matrix sends with writes, from `permission_bodies.tsv` (its
//! header says what a row holds).

/// What a write carries: a template with `$kind` for objects.
pub(crate) enum Body {
    Json(String),
    /// `name=value` pairs.
    Form(Vec<(String, String)>),
    /// Nothing: what the write needs is in its query.
    Empty,
    /// A file sent as the body, `text/csv`.
    Csv(String),
    /// A multipart form: `name=value` pairs, a value `@file:text` a file.
    Multipart(Vec<(String, String)>),
}

/// A write of the matrix: its query string (may be empty) and body.
pub(crate) struct Write {
    pub(crate) query: String,
    pub(crate) body: Body,
}

/// The table, by method and route.
pub(crate) type Writes = std::collections::HashMap<(String, String), Write>;

const FILE: &str = "tests/it/permission_bodies.tsv";

/// Reads the table; a malformed row names its line.
pub(crate) fn load() -> Writes {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FILE);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{FILE}: {e}"));
    let mut out = Writes::new();
    let rows = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1);
    for (n, line) in rows {
        let cells: Vec<&str> = line.splitn(5, '\t').collect();
        let [method, route, query, kind, body] = cells[..] else {
            panic!("{FILE}:{}: five cells separated by tabs", n + 1);
        };
        let body = match kind {
            "json" => {
                // `$kind` stands where a number goes too: check the JSON with numbers in place.
                let probe = tokens_as_one(body);
                serde_json::from_str::<serde_json::Value>(&probe)
                    .unwrap_or_else(|e| panic!("{FILE}:{}: {e}", n + 1));
                Body::Json(body.to_owned())
            }
            "form" => Body::Form(pairs(body)),
            "multipart" => Body::Multipart(pairs(body)),
            "csv" => Body::Csv(body.replace("\\n", "\n")),
            "none" => Body::Empty,
            other => panic!(
                "{FILE}:{}: {other:?} is not json, form, multipart, csv or none",
                n + 1
            ),
        };
        let query = if query == "-" { "" } else { query }.to_owned();
        let key = (method.to_owned(), route.to_owned());
        if out.insert(key, Write { query, body }).is_some() {
            panic!("{FILE}:{}: a second row for {method} {route}", n + 1);
        }
    }
    out
}

/// A template with each `$kind` written `1`.
pub(crate) fn tokens_as_one(template: &str) -> String {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' {
            while chars
                .peek()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            {
                chars.next();
            }
            out.push('1');
        } else {
            out.push(c);
        }
    }
    out
}

/// A form's `name=value` pairs, with `\n` in a value a line break.
fn pairs(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k.to_owned(), v.replace("\\n", "\n"))
        })
        .collect()
}
