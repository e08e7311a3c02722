//! Small CSV inputs read whole: each row with its line, the file's artifact,
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
    pub(crate) fn read(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let shown = match source.value() {
            toml::Value::String(p) => p.clone(),
            toml::Value::Table(t) => {
                if let Some(key) = t.keys().find(|k| *k != "path") {
                    return Err(source.error(format!(
                        "unknown key `{key}` in [inputs.{}] (expected `path`)",
                        source.name()
                    )));
                }
                t.get("path")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| source.error("expected `path = \"<csv>\"`"))?
                    .to_owned()
            }
            _ => return Err(source.error("expected a path to a CSV file")),
        };
        let full = source.root().join(&shown);
        let bytes = std::fs::read(&full)
            .map_err(|e| source.error(format!("cannot read `{shown}`: {e}")))?;
        let modified = std::fs::metadata(&full)
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| jiff::Timestamp::try_from(t).ok());
        let artifact = Artifact::from_bytes(&shown, &bytes, modified);
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(&bytes[..]);
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
