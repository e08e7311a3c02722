//! Latency samples of the critical paths, and the item
//! `code.testing.performance-latency` that holds their 99th percentile under a
//! limit.
//!
//! The samples are a CSV file named in `preflight.toml`:
//!
//! ```toml
//! [inputs.latency]
//! path = "target/perf/latency.csv"
//!
//! [checks."code.testing.performance-latency"]
//! max_p99_ms = 100.0                      # the default
//! paths = ["submit-order", "cancel-order"] # optional: these paths must be measured
//! ```
//!
//! | Column | Meaning |
//! |--------|---------|
//! | `path` | the critical path measured (any text; it may hold commas, since the last two columns are split off from the right) |
//! | `value` | one latency sample: a finite, non-negative number |
//! | `unit` | `ns`, `us` (or `µs`), `ms` or `s` |
//!
//! The first line is the header `path,value,unit` (column names compared
//! without case or surrounding blanks); blank lines and lines starting with
//! `#` are skipped; one sample per line, in any order and any mix of units.
//!
//! Quantiles are exact, over every sample of a path, by the *nearest-rank*
//! method: the `q` quantile of `n` sorted samples is the sample of rank
//! `⌈q·n⌉` (1-based, at least 1), so it is always an observed value (see
//! [`nearest_rank`]). They are reported in milliseconds.
//!
//! `HdrHistogram` interval logs are not read: the workspace builds the
//! `hdrhistogram` crate without its `serialization` feature, whose
//! dependencies (base64, nom, flate2) are not available to this build.
//! Export the samples as CSV instead.
//!
//! A malformed file is a [`CheckError::Malformed`] located `file:line:column`,
//! never a panic and never a pass.
//!
//! The item carries an evidence TTL of 30 days: a samples file last modified
//! longer ago than that makes the item `stale` (the runner compares each
//! artifact's modification time with the TTL).

use std::collections::BTreeMap;

use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use serde::Serialize;

/// The latency samples of one file, per critical path, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct LatencySamples {
    /// The samples of each path, sorted ascending, in milliseconds.
    pub paths: BTreeMap<String, Vec<f64>>,
}

/// The latency quantiles of one critical path, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PathLatency {
    /// The path's name.
    pub path: String,
    /// Its samples.
    pub count: usize,
    /// The median.
    pub p50_ms: f64,
    /// The 90th percentile.
    pub p90_ms: f64,
    /// The 99th percentile.
    pub p99_ms: f64,
    /// The 99.9th percentile.
    pub p999_ms: f64,
    /// The largest sample.
    pub max_ms: f64,
}

impl LatencySamples {
    /// The quantiles of every path, in path order.
    #[must_use]
    pub fn summarize(&self) -> Vec<PathLatency> {
        self.paths
            .iter()
            .map(|(path, sorted)| PathLatency {
                path: path.clone(),
                count: sorted.len(),
                p50_ms: nearest_rank(sorted, 0.5),
                p90_ms: nearest_rank(sorted, 0.9),
                p99_ms: nearest_rank(sorted, 0.99),
                p999_ms: nearest_rank(sorted, 0.999),
                max_ms: sorted.last().copied().unwrap_or(0.0),
            })
            .collect()
    }
}

/// The `q` quantile (`0 < q ≤ 1`) of `sorted` by the nearest-rank method: the
/// sample of 1-based rank `⌈q·n⌉`, at least 1; 0 for no sample.
///
/// ```
/// use preflight_probes::testing::latency::nearest_rank;
///
/// let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
/// assert_eq!(nearest_rank(&sorted, 0.99), 99.0);
/// assert_eq!(nearest_rank(&sorted, 0.5), 50.0);
/// assert_eq!(nearest_rank(&[7.0], 0.999), 7.0);
/// ```
#[must_use]
pub fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let n = sorted.len();
    // The product of a sample count and a fraction is far below 2^52.
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let rank = (q.clamp(0.0, 1.0) * n as f64).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

/// `file:line:column` of a malformed CSV field.
fn malformed(shown: &str, line: usize, column: usize, message: impl Into<String>) -> CheckError {
    CheckError::Malformed {
        location: format!("{shown}:{line}:{column}"),
        message: message.into(),
    }
}

/// Milliseconds per unit.
fn unit_ms(unit: &str) -> Option<f64> {
    match unit {
        "ns" => Some(1e-6),
        "us" | "µs" | "μs" => Some(1e-3),
        "ms" => Some(1.0),
        "s" => Some(1000.0),
        _ => None,
    }
}

/// The 1-based character column of byte offset `at` of `line`.
fn column(line: &str, at: usize) -> usize {
    line.get(..at).map_or(1, |s| s.chars().count() + 1)
}

/// Parses a latency CSV (`path,value,unit`; see the [module documentation](self)),
/// `shown` naming the file in errors.
///
/// ```
/// use preflight_probes::testing::latency::parse_latency_csv;
///
/// let csv = b"path,value,unit\nsubmit,1500,us\nsubmit,2,ms\ncancel,0.004,s\n";
/// let samples = parse_latency_csv(csv, "latency.csv").unwrap();
/// let summary = samples.summarize();
/// assert_eq!(summary[0].path, "cancel");
/// assert_eq!((summary[1].count, summary[1].max_ms), (2, 2.0));
///
/// let err = parse_latency_csv(b"path,value,unit\nsubmit,fast,ms\n", "latency.csv");
/// assert!(err.unwrap_err().to_string().starts_with("latency.csv:2:8: "));
/// ```
///
/// # Errors
///
/// [`CheckError::Malformed`] at `file:line:column` for text that is not
/// UTF-8, a missing or wrong header, a line without three columns, an empty
/// path, a value that is not a finite non-negative number, an unknown unit,
/// and a file without samples.
pub fn parse_latency_csv(bytes: &[u8], shown: &str) -> Result<LatencySamples, CheckError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        let line = before.split(|b| *b == b'\n').count();
        let start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let col = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
        malformed(shown, line, col, "not UTF-8 text")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut paths: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut header = false;
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !header {
            let names: Vec<String> = line.split(',').map(|c| c.trim().to_lowercase()).collect();
            if names != ["path", "value", "unit"] {
                return Err(malformed(
                    shown,
                    number,
                    1,
                    format!("expected the header `path,value,unit`, found `{line}`"),
                ));
            }
            header = true;
            continue;
        }
        let mut cut = line.rsplitn(3, ',');
        let (Some(unit), Some(value), Some(path)) = (cut.next(), cut.next(), cut.next()) else {
            return Err(malformed(
                shown,
                number,
                1,
                "expected three columns `path,value,unit`",
            ));
        };
        let value_at = path.len() + 1;
        let unit_at = value_at + value.len() + 1;
        let name = path.trim();
        if name.is_empty() {
            return Err(malformed(shown, number, 1, "the path is empty"));
        }
        let sample: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                malformed(
                    shown,
                    number,
                    column(line, value_at),
                    format!(
                        "`{}`: expected a finite, non-negative latency",
                        value.trim()
                    ),
                )
            })?;
        let scale = unit_ms(unit.trim()).ok_or_else(|| {
            malformed(
                shown,
                number,
                column(line, unit_at),
                format!(
                    "unknown unit `{}` (expected `ns`, `us`, `ms` or `s`)",
                    unit.trim()
                ),
            )
        })?;
        paths
            .entry(name.to_owned())
            .or_default()
            .push(sample * scale);
    }
    let lines = text.lines().count().max(1);
    if !header {
        return Err(malformed(
            shown,
            1,
            1,
            "no header `path,value,unit` and no sample",
        ));
    }
    if paths.is_empty() {
        return Err(malformed(
            shown,
            lines,
            1,
            "no latency sample after the header",
        ));
    }
    for samples in paths.values_mut() {
        samples.sort_by(f64::total_cmp);
    }
    Ok(LatencySamples { paths })
}

/// The samples file named by `[inputs.latency]`, parsed once per run.
#[derive(Debug)]
#[non_exhaustive]
pub struct LatencyArtifact {
    /// The samples.
    pub samples: LatencySamples,
    /// The file read: its path, sha256 and modification time.
    pub artifact: Artifact,
}

/// The path of a single-file input: `path = "..."` or a bare string.
pub(crate) fn input_path(source: &InputSource<'_>, what: &str) -> Result<String, CheckError> {
    match source.value() {
        toml::Value::String(path) => Ok(path.clone()),
        toml::Value::Table(t) => {
            if let Some(key) = t.keys().find(|k| k.as_str() != "path") {
                return Err(source.error(format!(
                    "unknown key `{key}` in [inputs.{}] (expected `path`)",
                    source.name()
                )));
            }
            Ok(t.get("path")
                .and_then(toml::Value::as_str)
                .ok_or_else(|| source.error(format!("expected `path = \"<{what}>\"`")))?
                .to_owned())
        }
        _ => Err(source.error(format!("expected a path to a {what}"))),
    }
}

/// Reads the file `shown` (relative to the project root) as an artifact.
pub(crate) fn read_input(
    source: &InputSource<'_>,
    shown: &str,
) -> Result<(Artifact, Vec<u8>), CheckError> {
    let full = source.root().join(shown);
    let bytes =
        std::fs::read(&full).map_err(|e| source.error(format!("cannot read `{shown}`: {e}")))?;
    let modified = std::fs::metadata(&full)
        .ok()
        .and_then(|m| m.modified().ok())
        .and_then(|t| jiff::Timestamp::try_from(t).ok());
    Ok((Artifact::from_bytes(shown, &bytes, modified), bytes))
}

impl Input for LatencyArtifact {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let shown = input_path(source, "latency samples CSV")?;
        let (artifact, bytes) = read_input(source, &shown)?;
        Ok(LatencyArtifact {
            samples: parse_latency_csv(&bytes, &shown)?,
            artifact,
        })
    }
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "worst p99 {worst_p99_ms:.3} ms over {samples} samples of {count} paths (maximum {max_p99_ms} ms)"
)]
struct LatencyEvidence {
    max_p99_ms: f64,
    worst_p99_ms: f64,
    samples: usize,
    count: usize,
    /// The quantiles of each path.
    paths: Vec<PathLatency>,
    /// The paths whose p99 is over the limit.
    over: Vec<String>,
    /// The paths required by `paths` that hold no sample.
    missing: Vec<String>,
}

/// Every critical path answers fast enough: the 99th percentile of the
/// latency samples of `[inputs.latency]` is at most `max_p99_ms` on every path,
/// and every path named in `paths` was measured (see the [module documentation](self)).
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "code.testing.performance-latency",
    title = "Performance tests show acceptable latency (<100ms for critical paths)",
    group = "Testing",
    severity = "high",
    owner = "tech-lead",
    evidence_ttl = "30d",
    inputs = ["latency"],
    remediation = "speed up the paths listed in `over` (or measure the ones in `missing`), rerun the performance tests and point [inputs.latency] at the fresh samples"
)]
pub struct PerformanceLatency {
    /// The highest acceptable 99th percentile of every path, in milliseconds.
    pub max_p99_ms: f64,
    /// Critical paths that must be present in the samples; empty accepts any.
    pub paths: Vec<String>,
}

impl Default for PerformanceLatency {
    fn default() -> Self {
        PerformanceLatency {
            max_p99_ms: 100.0,
            paths: Vec::new(),
        }
    }
}

impl Check for PerformanceLatency {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        if !(self.max_p99_ms.is_finite() && self.max_p99_ms > 0.0) {
            return Err(CheckError::msg(format!(
                "item `code.testing.performance-latency`: `max_p99_ms` is {}, expected a positive number of milliseconds",
                self.max_p99_ms
            )));
        }
        let input = cx.input::<LatencyArtifact>("latency")?;
        let paths = input.samples.summarize();
        let over: Vec<String> = paths
            .iter()
            .filter(|p| p.p99_ms > self.max_p99_ms)
            .map(|p| p.path.clone())
            .collect();
        let missing: Vec<String> = self
            .paths
            .iter()
            .filter(|p| !input.samples.paths.contains_key(p.as_str()))
            .cloned()
            .collect();
        let worst = paths.iter().max_by(|a, b| a.p99_ms.total_cmp(&b.p99_ms));
        let worst_p99_ms = worst.map_or(0.0, |p| p.p99_ms);
        let evidence = LatencyEvidence {
            max_p99_ms: self.max_p99_ms,
            worst_p99_ms,
            samples: paths.iter().map(|p| p.count).sum(),
            count: paths.len(),
            paths: paths.clone(),
            over: over.clone(),
            missing: missing.clone(),
        };
        let quote = |names: &[String]| {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let outcome = if !missing.is_empty() {
            Outcome::fail(format!(
                "no latency sample of the critical paths {} in `{}`",
                quote(&missing),
                input.artifact.path
            ))
        } else if !over.is_empty() {
            let shown: Vec<String> = paths
                .iter()
                .filter(|p| p.p99_ms > self.max_p99_ms)
                .map(|p| format!("`{}` {:.3} ms", p.path, p.p99_ms))
                .collect();
            Outcome::fail(format!(
                "p99 latency over {} ms on {} of {} paths: {}",
                self.max_p99_ms,
                over.len(),
                paths.len(),
                shown.join(", ")
            ))
        } else {
            Outcome::pass(format!(
                "p99 latency at most {} ms on all {} paths (worst {:.3} ms on `{}`)",
                self.max_p99_ms,
                paths.len(),
                worst_p99_ms,
                worst.map_or("", |p| p.path.as_str())
            ))
        };
        Ok(outcome
            .with_evidence(&evidence)
            .with_artifact(input.artifact.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::damage::for_each_damaged;

    const CSV: &str = "path,value,unit\n# warm\nsubmit,1500,us\nsubmit,2,ms\r\nsubmit,3000000,ns\n\ncancel,0.004,s\na,b,12,ms\n";

    #[test]
    fn units_convert_and_paths_may_hold_commas() {
        let samples = parse_latency_csv(CSV.as_bytes(), "l.csv").unwrap();
        assert_eq!(samples.paths["submit"], [1.5, 2.0, 3.0]);
        assert_eq!(samples.paths["cancel"], [4.0]);
        assert_eq!(samples.paths["a,b"], [12.0]);
        let summary = samples.summarize();
        let submit = summary.iter().find(|p| p.path == "submit").unwrap();
        assert_eq!(
            (submit.p50_ms, submit.p90_ms, submit.max_ms),
            (2.0, 3.0, 3.0)
        );
    }

    #[test]
    // The quantile is one of the samples itself: exact equality is the point.
    #[allow(clippy::float_cmp)]
    fn nearest_rank_is_an_observed_sample() {
        let sorted: Vec<f64> = (1..=1000).map(f64::from).collect();
        assert_eq!(nearest_rank(&sorted, 0.999), 999.0);
        assert_eq!(nearest_rank(&sorted, 0.99), 990.0);
        assert_eq!(nearest_rank(&sorted, 1.0), 1000.0);
        assert_eq!(nearest_rank(&sorted, 0.0), 1.0);
        assert_eq!(nearest_rank(&[], 0.5), 0.0);
        assert_eq!(nearest_rank(&[1.0, 2.0, 3.0], 0.5), 2.0);
    }

    #[test]
    fn malformed_files_are_located() {
        let cases: [(&[u8], &str); 8] = [
            (b"", "l.csv:1:1: no header"),
            (b"name,ms\nx,1\n", "l.csv:1:1: expected the header"),
            (b"path,value,unit\n", "l.csv:1:1: no latency sample"),
            (
                b"path,value,unit\nx,1\n",
                "l.csv:2:1: expected three columns",
            ),
            (b"path,value,unit\n ,1,ms\n", "l.csv:2:1: the path is empty"),
            (b"path,value,unit\nsubmit,-1,ms\n", "l.csv:2:8: `-1`"),
            (
                b"path,value,unit\nsubmit,1,min\n",
                "l.csv:2:10: unknown unit `min`",
            ),
            (b"path,value,unit\nsu\xffb,1,ms\n", "l.csv:2:3: not UTF-8"),
        ];
        for (bytes, expected) in cases {
            let err = parse_latency_csv(bytes, "l.csv").unwrap_err();
            assert!(matches!(err, CheckError::Malformed { .. }), "{err:?}");
            assert!(err.to_string().starts_with(expected), "{expected}: {err}");
        }
        let err = parse_latency_csv(b"path,value,unit\nx,NaN,ms\n", "l.csv").unwrap_err();
        assert!(err.to_string().starts_with("l.csv:2:3: "), "{err}");
    }

    /// Truncations and byte flips of a valid file: never a panic, and an
    /// error is always `Malformed` with a location.
    #[test]
    fn damaged_files_never_panic() {
        let runs = for_each_damaged(
            &[CSV.as_bytes()],
            0x2545_F491_4F6C_DD1D,
            1,
            3000,
            b",.\n\r#-e9 x\xff\xce",
            check_damaged,
        );
        assert!(runs > 3000);
    }

    fn check_damaged(bytes: &[u8]) {
        match parse_latency_csv(bytes, "d.csv") {
            Ok(samples) => {
                for p in samples.summarize() {
                    assert!(p.count > 0 && p.p50_ms <= p.p99_ms && p.p99_ms <= p.max_ms);
                }
            }
            Err(CheckError::Malformed { location, .. }) => {
                assert!(location.starts_with("d.csv:"), "{location}");
            }
            Err(other) => panic!("not Malformed: {other:?}"),
        }
    }

    #[test]
    fn the_item_carries_a_thirty_day_ttl() {
        let meta = <PerformanceLatency as ChecklistItem>::meta();
        assert_eq!(
            meta.evidence_ttl,
            Some(std::time::Duration::from_secs(30 * 86_400))
        );
    }
}
