//! A backup source of bars compared with the primary
//! (`data.sources.backup-sources`): on the bars both have, prices agree
//! within a relative tolerance.
//!
//! ```toml
//! [inputs.bars]
//! path = "data/bars.csv"            # the primary (see `bars`)
//!
//! [inputs.bars_backup]
//! path = "data/bars-vendor-b.csv"   # the same columns as the primary
//! ```
//!
//! The backup is held in memory (about 70 bytes a bar) and the primary is
//! read again as a stream, bar by bar, so the primary may be of any length.
//! Bars are matched by symbol and time; a bar of one source the other does
//! not have is counted, not judged: the sources may cover different spans.

use std::collections::HashMap;
use std::path::PathBuf;

use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use serde::Serialize;

use super::bars::{BarColumns, Bars};
use crate::lines::{Clock, Lines, Nanos, ReadSource, malformed, scan_input};

/// The backup's bars by symbol and time: open, high, low, close, volume.
type BarMap = HashMap<(u32, Nanos), [f64; 5]>;

/// `[inputs.bars_backup]`: the backup source, read into memory.
#[derive(Debug)]
pub struct BackupBars {
    symbols: HashMap<Vec<u8>, u32>,
    bars: BarMap,
    daily: bool,
    /// Bars with a value that is not a finite number (not compared).
    unreadable: u64,
    /// The file.
    pub artifact: Artifact,
}

impl Input for BackupBars {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let shown = match source.value() {
            toml::Value::String(path) => path.clone(),
            toml::Value::Table(t) => {
                if let Some(key) = t.keys().find(|k| k.as_str() != "path") {
                    return Err(source.error(format!(
                        "unknown key `{key}` in [inputs.{}] (expected `path`)",
                        source.name()
                    )));
                }
                t.get("path")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| source.error("expected `path = \"<bars csv>\"`"))?
                    .to_owned()
            }
            _ => return Err(source.error("expected a path to the backup's bars")),
        };
        let ((symbols, bars, daily, unreadable), artifact) = scan_input(source, &shown, |rows| {
            let columns = BarColumns::read(rows, &shown)?;
            let mut clock = Clock::default();
            let mut symbols: HashMap<Vec<u8>, u32> = HashMap::new();
            let mut bars = BarMap::new();
            let mut unreadable = 0;
            while let Some(bar) = columns.next(rows, &mut clock, &shown)? {
                let next = u32::try_from(symbols.len()).unwrap_or(u32::MAX);
                let symbol = *symbols.entry(bar.symbol.to_vec()).or_insert(next);
                let values: Result<Vec<f64>, _> = bar.values.into_iter().collect();
                let Ok(values) = values else {
                    unreadable += 1;
                    continue;
                };
                let values = [values[0], values[1], values[2], values[3], values[4]];
                if bars.insert((symbol, bar.time), values).is_some() {
                    return Err(malformed(
                        &shown,
                        bar.line,
                        1,
                        "a second bar of the same symbol and time: the backup must have one bar per symbol and time",
                    ));
                }
            }
            Ok((symbols, bars, columns.daily, unreadable))
        })?;
        Ok(BackupBars {
            symbols,
            bars,
            daily,
            unreadable,
            artifact,
        })
    }
}

/// One bar on which the sources disagree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreement {
    /// The primary's line.
    pub line: u64,
    /// The symbol (empty without a `symbol` column).
    pub symbol: String,
    /// The bar's time.
    pub at: jiff::Timestamp,
    /// The field that differs most (`close`, ...).
    pub field: &'static str,
    /// The primary's value.
    pub primary: f64,
    /// The backup's value.
    pub backup: f64,
    /// `|primary − backup| / |backup|`.
    pub relative: f64,
}

/// What the comparison found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Agreement {
    /// Bars both sources have.
    pub overlapping: u64,
    /// Overlapping bars that differ beyond the tolerance.
    pub disagreeing: u64,
    /// The first [`Agreement::KEEP`] of them.
    pub first: Vec<Disagreement>,
    /// Primary bars the backup does not have.
    pub only_primary: u64,
    /// Backup bars the primary does not have.
    pub only_backup: u64,
}

impl Agreement {
    /// Disagreements kept.
    pub const KEEP: usize = 20;
}

const FIELDS: [&str; 5] = ["open", "high", "low", "close", "volume"];

/// Reads the primary again from `full` (shown as `shown`) and compares each
/// of its bars with the backup's.
fn compare(
    full: &PathBuf,
    shown: &str,
    backup: &BackupBars,
    tolerance: f64,
    volume: bool,
) -> Result<Agreement, CheckError> {
    let file = std::fs::File::open(full)
        .map_err(|e| CheckError::msg(format!("cannot read `{shown}` again: {e}")))?;
    let mut rows = Lines::new(ReadSource(std::io::BufReader::new(file)));
    let columns = BarColumns::read(&mut rows, shown)?;
    if columns.daily != backup.daily {
        return Err(CheckError::msg(format!(
            "`{shown}` has {} bars but `{}` has {}: compare sources of the same bars",
            if columns.daily { "daily" } else { "intraday" },
            backup.artifact.path,
            if backup.daily { "daily" } else { "intraday" },
        )));
    }
    let mut clock = Clock::default();
    let mut found = Agreement::default();
    let compared = if volume { 5 } else { 4 };
    while let Some(bar) = columns.next(&mut rows, &mut clock, shown)? {
        let theirs = backup
            .symbols
            .get(bar.symbol)
            .and_then(|s| backup.bars.get(&(*s, bar.time)));
        let Some(theirs) = theirs else {
            found.only_primary += 1;
            continue;
        };
        found.overlapping += 1;
        let mut worst: Option<(usize, f64, f64, f64)> = None;
        for (i, (ours, theirs)) in bar.values.iter().zip(theirs).enumerate().take(compared) {
            let ours = ours.as_ref().map_or(f64::NAN, |v| *v);
            let relative = (ours - theirs).abs() / theirs.abs().max(f64::MIN_POSITIVE);
            // A value the primary cannot read (NaN) disagrees most.
            let relative = if relative.is_nan() {
                f64::INFINITY
            } else {
                relative
            };
            if relative > tolerance && worst.is_none_or(|w| relative > w.3) {
                worst = Some((i, ours, *theirs, relative));
            }
        }
        if let Some((i, primary, backup_value, relative)) = worst {
            found.disagreeing += 1;
            if found.first.len() < Agreement::KEEP {
                found.first.push(Disagreement {
                    line: bar.line,
                    symbol: String::from_utf8_lossy(bar.symbol).into_owned(),
                    at: jiff::Timestamp::from_nanosecond(i128::from(bar.time))
                        .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                    field: FIELDS[i],
                    primary,
                    backup: backup_value,
                    relative,
                });
            }
        }
    }
    let backup_bars = u64::try_from(backup.bars.len()).unwrap_or(u64::MAX);
    found.only_backup = backup_bars.saturating_sub(found.overlapping);
    Ok(found)
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{overlapping} overlapping bars, {disagreeing} beyond the tolerance")]
struct BackupEvidence {
    overlapping: u64,
    disagreeing: u64,
    tolerance: f64,
    compare_volume: bool,
    first: Vec<Disagreement>,
    only_primary: u64,
    only_backup: u64,
    backup_unreadable: u64,
}

/// A backup data source is available and agrees with the primary: on the
/// bars both have, prices differ by at most `tolerance`, relatively.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "data.sources.backup-sources",
    title = "Backup data sources available",
    group = "Data Sources",
    severity = "high",
    owner = "tech-lead",
    inputs = ["bars", "bars_backup"],
    remediation = "configure a second vendor's bars as [inputs.bars_backup] and investigate the bars on which they disagree"
)]
pub struct BackupSources {
    /// The relative difference of prices accepted (0.001 = 0.1 %).
    pub tolerance: f64,
    /// Whether volumes are compared too (vendors often count volume differently).
    pub compare_volume: bool,
    /// The share of overlapping bars that may disagree.
    pub max_disagreeing_fraction: f64,
}

impl Default for BackupSources {
    fn default() -> Self {
        BackupSources {
            tolerance: 0.001,
            compare_volume: false,
            max_disagreeing_fraction: 0.0,
        }
    }
}

impl Check for BackupSources {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let primary = cx.input::<Bars>("bars")?;
        let backup = cx.input::<BackupBars>("bars_backup")?;
        let found = compare(
            &primary.full,
            &primary.artifact.path,
            &backup,
            self.tolerance,
            self.compare_volume,
        )?;
        let evidence = BackupEvidence {
            overlapping: found.overlapping,
            disagreeing: found.disagreeing,
            tolerance: self.tolerance,
            compare_volume: self.compare_volume,
            first: found.first.clone(),
            only_primary: found.only_primary,
            only_backup: found.only_backup,
            backup_unreadable: backup.unreadable,
        };
        #[allow(clippy::cast_precision_loss)] // a share for people
        let share = found.disagreeing as f64 / found.overlapping.max(1) as f64;
        let outcome = if found.overlapping == 0 {
            Outcome::fail(format!(
                "`{}` and `{}` share no bar (same symbol and time): the backup cannot stand in for the primary",
                primary.artifact.path, backup.artifact.path
            ))
        } else if share > self.max_disagreeing_fraction {
            let first = found.first.first().map_or_else(String::new, |d| {
                format!(
                    "; first on line {} ({}{}): {} {} here, {} in the backup",
                    d.line,
                    d.at,
                    if d.symbol.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", d.symbol)
                    },
                    d.field,
                    d.primary,
                    d.backup
                )
            });
            Outcome::fail(format!(
                "{} of {} overlapping bars differ by more than {} %{first}",
                found.disagreeing,
                found.overlapping,
                self.tolerance * 100.0
            ))
        } else {
            Outcome::pass(format!(
                "the backup agrees with the primary on {} overlapping bars ({} only in the primary, {} only in the backup)",
                found.overlapping, found.only_primary, found.only_backup
            ))
        };
        Ok(outcome
            .with_evidence(&evidence)
            .with_artifact(primary.artifact.clone())
            .with_artifact(backup.artifact.clone()))
    }
}
