//! An `[inputs.<name>]` entry: a path, or a table of known keys.

use std::fmt;

use jiff::civil::Date;
use preflight_core::CheckError;

/// An input's entry, its keys checked against those the input expects.
pub(super) struct Settings<'a> {
    name: &'a str,
    path: &'a str,
    table: Option<&'a toml::Table>,
}

impl<'a> Settings<'a> {
    /// Reads the entry of input `name`, which knows the keys `expected`
    /// (`path` among them): every unknown key is reported at once.
    pub(super) fn new(
        name: &'a str,
        value: &'a toml::Value,
        expected: &[&str],
    ) -> Result<Self, CheckError> {
        let error = |message: String| CheckError::Input {
            name: name.to_owned(),
            message,
        };
        let table = match value {
            toml::Value::String(path) if path.is_empty() => {
                return Err(error(format!(
                    "the path of input `{name}` is empty: set it to the file, relative to the project root"
                )));
            }
            toml::Value::String(path) => {
                return Ok(Settings {
                    name,
                    path,
                    table: None,
                });
            }
            toml::Value::Table(table) => table,
            _ => {
                return Err(error(format!(
                    "expected a path: `{name} = \"file\"` or [inputs.{name}] with `path = \"file\"`"
                )));
            }
        };
        let unknown: Vec<String> = table
            .keys()
            .filter(|key| !expected.contains(&key.as_str()))
            .map(|key| {
                format!(
                    "unknown key `{key}` in [inputs.{name}] (expected {})",
                    super::read::list(expected)
                )
            })
            .collect();
        if !unknown.is_empty() {
            return Err(error(unknown.join("; ")));
        }
        let path = match table.get("path") {
            Some(toml::Value::String(path)) => path,
            Some(other) => {
                return Err(error(format!(
                    "`path` in [inputs.{name}] must be a string, found {}",
                    type_name(other)
                )));
            }
            None => {
                return Err(error(format!(
                    "missing key `path` in [inputs.{name}]: set it to the file, relative to the project root"
                )));
            }
        };
        if path.is_empty() {
            return Err(error(format!(
                "`path` in [inputs.{name}] is empty: set it to the file, relative to the project root"
            )));
        }
        Ok(Settings {
            name,
            path,
            table: Some(table),
        })
    }

    /// The file's path as written.
    pub(super) fn path(&self) -> &'a str {
        self.path
    }

    fn get(&self, key: &str) -> Option<&'a toml::Value> {
        self.table.and_then(|t| t.get(key))
    }

    /// An error about this input.
    pub(super) fn error(&self, message: impl fmt::Display) -> CheckError {
        CheckError::Input {
            name: self.name.to_owned(),
            message: message.to_string(),
        }
    }

    fn wrong_type(&self, key: &str, expected: &str, found: &toml::Value) -> CheckError {
        self.error(format!(
            "`{key}` in [inputs.{}] must be {expected}, found {}",
            self.name,
            type_name(found)
        ))
    }

    /// A string setting; an empty string is an error.
    pub(super) fn string(&self, key: &str) -> Result<Option<&'a str>, CheckError> {
        match self.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) if !s.is_empty() => Ok(Some(s)),
            Some(toml::Value::String(_)) => {
                Err(self.error(format!("`{key}` in [inputs.{}] is empty", self.name)))
            }
            Some(other) => Err(self.wrong_type(key, "a string", other)),
        }
    }

    /// A finite number setting (an integer is accepted).
    pub(super) fn number(&self, key: &str) -> Result<Option<f64>, CheckError> {
        match self.get(key) {
            None => Ok(None),
            Some(toml::Value::Float(f)) if f.is_finite() => Ok(Some(*f)),
            #[expect(
                clippy::cast_precision_loss,
                reason = "settings such as periods per year are far below 2^52"
            )]
            Some(toml::Value::Integer(i)) => Ok(Some(*i as f64)),
            Some(other) => Err(self.wrong_type(key, "a finite number", other)),
        }
    }

    /// A date setting: a TOML local date (`2024-01-02`) or a string that parses as one.
    pub(super) fn date(&self, key: &str) -> Result<Option<Date>, CheckError> {
        let expected = "a date such as `2024-01-02`";
        match self.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => super::read::parse_date(s.as_bytes())
                .map(Some)
                .map_err(|e| self.error(format!("`{key}` in [inputs.{}]: {e}", self.name))),
            Some(toml::Value::Datetime(dt)) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    let parts = (
                        i16::try_from(d.year),
                        i8::try_from(d.month),
                        i8::try_from(d.day),
                    );
                    if let (Ok(y), Ok(m), Ok(d)) = parts
                        && let Ok(date) = Date::new(y, m, d)
                    {
                        return Ok(Some(date));
                    }
                    Err(self.error(format!(
                        "`{key}` in [inputs.{}] must be {expected}, found `{dt}`",
                        self.name
                    )))
                }
                _ => Err(self.error(format!(
                    "`{key}` in [inputs.{}] must be {expected}, found `{dt}`",
                    self.name
                ))),
            },
            Some(other) => Err(self.wrong_type(key, expected, other)),
        }
    }
}

/// A TOML value's type, for messages.
fn type_name(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date-time",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    }
}
