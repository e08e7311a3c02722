//! Helpers shared by the inputs' unit tests.

use std::path::Path;

use jiff::civil::Date;
use preflight_core::CheckError;

/// Writes `content` to `dir/relative`, creating directories.
pub(super) fn write(dir: &Path, relative: &str, content: &str) {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
}

/// An `[inputs.<name>]` table written as TOML.
pub(super) fn table(toml: &str) -> toml::Value {
    toml::Value::Table(toml.parse().unwrap())
}

/// A valid date.
pub(super) fn date(year: i16, month: i8, day: i8) -> Date {
    Date::new(year, month, day).unwrap()
}

/// The location and message of a `Malformed` error.
pub(super) fn malformed(error: &CheckError) -> (&str, &str) {
    match error {
        CheckError::Malformed { location, message } => (location, message),
        other => panic!("expected a malformed-input error, got {other:?}"),
    }
}
