//! Small CSV (or JSON-lines) inputs read whole: each row with its line, the file's artifact,
//! and errors located `file:line:column`. (The large series have their own
//! streaming readers.)

use preflight_core::{Artifact, CheckError, InputSource};

/// A CSV read whole into string records, with the line of each and the file's artifact.
pub(crate) struct Table {
    pub(crate) shown: String,
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<(u64, csv::StringRecord)>,
    pub(crate) artifact: Artifact,
}

impl Table {
    /// Reads the file of `[inputs.<name>]`: `path`, and `format` (`csv`, or
    /// `jsonl` for one flat JSON object a line; by default from the
    /// extension, `.jsonl` and `.ndjson` being JSON lines).
    pub(crate) fn read(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let (shown, format) = match source.value() {
            toml::Value::String(p) => (p.clone(), None),
            toml::Value::Table(t) => {
                if let Some(key) = t.keys().find(|k| !["path", "format"].contains(&k.as_str())) {
                    return Err(source.error(format!(
                        "unknown key `{key}` in [inputs.{}] (expected `path`, `format`)",
                        source.name()
                    )));
                }
                let path = t
                    .get("path")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| source.error("expected `path = \"<csv or jsonl>\"`"))?
                    .to_owned();
                let format = t
                    .get("format")
                    .map(|v| match v.as_str() {
                        Some(f @ ("csv" | "jsonl")) => Ok(f == "jsonl"),
                        _ => Err(source.error("`format`: expected \"csv\" or \"jsonl\"")),
                    })
                    .transpose()?;
                (path, format)
            }
            _ => return Err(source.error("expected a path to a CSV or JSON-lines file")),
        };
        let json_lines = format.unwrap_or_else(|| {
            std::path::Path::new(&shown).extension().is_some_and(|e| {
                e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson")
            })
        });
        let full = source.root().join(&shown);
        let bytes = std::fs::read(&full)
            .map_err(|e| source.error(format!("cannot read `{shown}`: {e}")))?;
        let modified = std::fs::metadata(&full)
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| jiff::Timestamp::try_from(t).ok());
        if json_lines {
            Self::from_json_lines(shown, &bytes, modified)
        } else {
            Self::from_bytes(shown, &bytes, modified)
        }
    }

    /// Parses JSON lines: one flat object a line (blank lines skipped),
    /// its keys the columns. A string is kept as it is, a number as written,
    /// a boolean as `true`/`false`, `null` or a missing key as an empty cell.
    pub(crate) fn from_json_lines(
        shown: String,
        bytes: &[u8],
        modified: Option<jiff::Timestamp>,
    ) -> Result<Self, CheckError> {
        let artifact = Artifact::from_bytes(&shown, bytes, modified);
        let malformed = |line: u64, message: String| CheckError::Malformed {
            location: format!("{shown}:{line}"),
            message,
        };
        let mut header: Vec<String> = Vec::new();
        let mut objects = Vec::new();
        for (line, text) in (1u64..).zip(bytes.split(|b| *b == b'\n')) {
            if text.trim_ascii().is_empty() {
                continue;
            }
            let object: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(text)
                    .map_err(|e| malformed(line, format!("expected a JSON object: {e}")))?;
            for key in object.keys() {
                if !header.contains(key) {
                    header.push(key.clone());
                }
            }
            objects.push((line, object));
        }
        let mut rows = Vec::with_capacity(objects.len());
        for (line, object) in objects {
            let mut record = csv::StringRecord::new();
            for key in &header {
                let cell = match object.get(key) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.trim().to_owned(),
                    Some(serde_json::Value::Number(n)) => n.to_string(),
                    Some(serde_json::Value::Bool(b)) => b.to_string(),
                    Some(_) => {
                        return Err(malformed(
                            line,
                            format!(
                                "`{key}`: expected a string, number or boolean, not a list or object"
                            ),
                        ));
                    }
                };
                record.push_field(&cell);
            }
            rows.push((line, record));
        }
        Ok(Table {
            shown,
            header,
            rows,
            artifact,
        })
    }

    /// Parses the CSV `bytes` of the file shown as `shown`: the part of
    /// [`Table::read`] after the file is read (the fuzz targets call it directly).
    pub(crate) fn from_bytes(
        shown: String,
        bytes: &[u8],
        modified: Option<jiff::Timestamp>,
    ) -> Result<Self, CheckError> {
        let artifact = Artifact::from_bytes(&shown, bytes, modified);
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let malformed = |line: u64, message: String| CheckError::Malformed {
            location: format!("{shown}:{line}"),
            message,
        };
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| malformed(1, e.to_string()))?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, csv::Position::line);
                malformed(line, e.to_string())
            })?;
            let line = record.position().map_or(0, csv::Position::line);
            rows.push((line, record));
        }
        Ok(Table {
            shown,
            header,
            rows,
            artifact,
        })
    }

    pub(crate) fn column(&self, name: &str) -> Result<usize, CheckError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| CheckError::Malformed {
                location: format!("{}:1", self.shown),
                message: format!(
                    "no column `{name}` (found {})",
                    self.header
                        .iter()
                        .map(|h| format!("`{h}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
    }

    pub(crate) fn number(
        &self,
        line: u64,
        record: &csv::StringRecord,
        col: usize,
    ) -> Result<f64, CheckError> {
        let raw = record.get(col).unwrap_or("");
        raw.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| CheckError::Malformed {
                location: format!("{}:{line}:{}", self.shown, col + 1),
                message: format!(
                    "column `{}`: expected a finite number, found `{raw}`",
                    self.header[col]
                ),
            })
    }

    pub(crate) fn date(
        &self,
        line: u64,
        record: &csv::StringRecord,
        col: usize,
    ) -> Result<jiff::civil::Date, CheckError> {
        let raw = record.get(col).unwrap_or("");
        raw.parse().map_err(|_| CheckError::Malformed {
            location: format!("{}:{line}:{}", self.shown, col + 1),
            message: format!(
                "column `{}`: expected a date such as 2024-01-02, found `{raw}`",
                self.header[col]
            ),
        })
    }
}
