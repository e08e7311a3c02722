//! The desk's embedded data: everything the demo judges ships inside the binary.

use std::path::PathBuf;

use preflight_core::Artifact;

/// The day the demo desk is judged on (its records are dated around it).
pub(crate) const AS_OF: &str = "2026-11-24T07:30:00Z";

/// The embedded `preflight.toml`.
pub(crate) const CONFIG: &str = include_str!("data/preflight.toml");

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
