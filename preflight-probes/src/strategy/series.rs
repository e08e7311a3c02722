//! The strategy inputs: the files named in `[inputs]` that the strategy checks
//! judge, each parsed once per run by an [`Input`](preflight_core::Input) type.
//!
//! | `[inputs.<name>]`                        | type             | file |
//! |------------------------------------------|------------------|------|
//! | `backtest`                               | [`Backtest`]     | CSV of dates and returns (or equity), optional trades CSV |
//! | `trials`                                 | [`Trials`]       | CSV of dates and one return column per configuration tried |
//! | `paper_trading`                          | [`PaperTrading`] | CSV of fills, daily equity or P&L |
//! | `features_reference`, `features_live`    | [`FeatureTable`] | CSV of feature values, one column per feature |
//! | `cv_results`                             | [`CvResults`]    | CSV of per-fold train and validation scores |
//! | `model_manifest`                         | [`ModelManifest`]| TOML list of deployed models and their digests |
//!
//! Checks ask for them by name, and each type's `from_table` parses the same
//! entry without a run:
//!
//! ```no_run
//! # use preflight_core::{CheckError, Context};
//! # use preflight_probes::strategy::series::Backtest;
//! # fn run(cx: &Context) -> Result<(), CheckError> {
//! let backtest = cx.input::<Backtest>("backtest")?;
//! let observations = backtest.returns.len();
//! # Ok(()) }
//! ```
//!
//! An entry is either a path (`backtest = "data/returns.csv"`) or a table with
//! a `path` key and the settings listed on each type; a key the type does not
//! know is an error naming it and the keys it expects. Paths resolve against
//! the project root and are shown as written.
//!
//! # Strictness
//!
//! Inputs fail closed: a check never judges a file that was only partly
//! understood. Every CSV is read as UTF-8 with a header row; fields may be
//! quoted and are trimmed of ASCII whitespace. A missing column, a row with
//! more or fewer fields than the header, an empty cell, a value that is not a
//! number, `NaN` or an infinity, a date that does not parse, dates out of
//! order and too few rows are [`CheckError::Malformed`](preflight_core::CheckError::Malformed)
//! errors located `<path as written>:<line>:<column>`: the line is 1-based with
//! the header on line 1, and the column is the 1-based position of the field in
//! its row (the second field is column 2, whatever its width). A file that
//! cannot be opened or read is a [`CheckError::Input`](preflight_core::CheckError::Input)
//! naming the input and the path; a setting of the wrong type is one too.
//!
//! # Dates
//!
//! A date is `YYYY-MM-DD` or an RFC 3339 timestamp
//! (`2024-01-02T21:00:00Z`, `2024-01-02T21:00:00.250+00:00`), of which the
//! date in UTC is kept. The backtest's returns or equity may be intraday: with
//! timestamps, the times must be strictly increasing (set `periods_per_year`
//! to match, e.g. 98 280 one-minute bars of a 6.5-hour session over 252 days),
//! and [`Backtest::dates`] holds each period's UTC date. Trials and equity of
//! paper trading are daily: strictly increasing dates, so two timestamps of
//! the same UTC day are a duplicate. Files of fills may repeat a date but
//! never go back in time.
//!
//! # Digests
//!
//! Every file read is described by an [`Artifact`](preflight_core::Artifact)
//! (path as written, `sha256:<hex>` of the bytes, size, modification time),
//! computed from the bytes as they stream through the parser, so a check's
//! report proves which file it judged. The files listed in a model manifest
//! are not read when the manifest is parsed: [`ModelManifest::verify_files`]
//! hashes them on request.
//!
//! # Performance
//!
//! CSV files are streamed, never loaded whole: one reused record, numbers
//! parsed in place, vectors sized from the file's length. A 10-million-row
//! `date,return` file parses in a fraction of a second in release builds.

mod backtest;
mod cv;
mod dates;
mod digest;
mod fast;
mod features;
mod manifest;
mod paper;
mod read;
mod returns;
mod settings;
mod trials;

pub use backtest::{Backtest, SeriesKind, Trades};
pub use cv::{CvFold, CvResults};
pub use dates::Dates;
pub use features::{Feature, FeatureTable};
pub use manifest::{ModelEntry, ModelFileState, ModelFileStatus, ModelManifest};
pub use paper::PaperTrading;
pub use returns::Returns;
pub use trials::Trials;

#[cfg(test)]
mod testutil;
