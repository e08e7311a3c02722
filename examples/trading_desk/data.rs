//! The desk's embedded data: everything the demo judges ships inside the binary.

use std::path::PathBuf;

use preflight_core::{Artifact, CheckError};

/// The day the demo desk is judged on (its records are dated around it).
pub(crate) const AS_OF: &str = "2026-11-24T07:30:00Z";

/// The embedded `preflight.toml`.
pub(crate) const CONFIG: &str = include_str!("data/preflight.toml");

/// Daily simple returns of the strategy's two-year backtest.
pub(crate) const RETURNS_CSV: &str = include_str!("data/returns.csv");

/// The strategy's configuration.
pub(crate) const STRATEGY_TOML: &str = include_str!("data/strategy.toml");

/// The venue's tradable universe.
pub(crate) const UNIVERSE_CSV: &str = include_str!("data/universe.csv");

/// The directory that relative paths resolve against (files not embedded live there).
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/trading_desk/data")
}

/// Describes an embedded file by content, as a check that read it from disk would.
pub(crate) fn artifact(name: &str, content: &str) -> Artifact {
    Artifact::from_bytes(
        format!("examples/trading_desk/data/{name}"),
        content.as_bytes(),
        None,
    )
}

/// Parses the `date,return` CSV; any malformed line is an error naming it.
pub(crate) fn returns() -> Result<Vec<f64>, CheckError> {
    let mut lines = RETURNS_CSV.lines().enumerate();
    match lines.next() {
        Some((_, "date,return")) => {}
        _ => {
            return Err(CheckError::Malformed {
                location: "returns.csv:1".to_owned(),
                message: "expected the header `date,return`".to_owned(),
            });
        }
    }
    lines
        .map(|(i, line)| {
            let malformed = |message: String| CheckError::Malformed {
                location: format!("returns.csv:{}", i + 1),
                message,
            };
            let (_, value) = line
                .split_once(',')
                .ok_or_else(|| malformed(format!("expected `date,return`, found `{line}`")))?;
            let value: f64 = value
                .parse()
                .map_err(|e| malformed(format!("`{value}` is not a number: {e}")))?;
            if value.is_finite() {
                Ok(value)
            } else {
                Err(malformed(format!("`{value}` is not a finite return")))
            }
        })
        .collect()
}
