//! Latency of the critical paths, and the item
//! `code.testing.performance-latency` that holds their 99th percentile under a
//! limit.
//!
//! The latencies are a file named in `preflight.toml`, either a CSV of
//! samples or an `HdrHistogram` interval log:
//!
//! ```toml
//! [inputs.latency]
//! path = "target/perf/latency.csv"        # or "target/perf/orders.hlog"
//! unit = "ns"                             # interval logs only; the default
//! path_for_untagged = "orders"            # interval logs only; default: the file stem
//!
//! [checks."code.testing.performance-latency"]
//! max_p99_ms = 100.0                      # the default
//! paths = ["submit-order", "cancel-order"] # optional: these paths must be measured
//! ```
//!
//! The format is read from the content ([`LatencyFormat::detect`]), not from
//! the file name, and is reported in the evidence as `format`.
//!
//! # CSV of samples
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
//! # `HdrHistogram` interval log (`.hlog`)
//!
//! The log written by `HistogramLogWriter` of `HdrHistogram` (Java), of the
//! Python package `hdrhistogram` (`hdrh.log`) and of the Rust crate
//! `hdrhistogram` (`serialization::interval_log`): `#` comment lines (among
//! them `#[StartTime: ...]` and `#[BaseTime: ...]`), an optional legend
//! `"StartTimestamp","Interval_Length",...`, then one interval per line,
//! `[Tag=<name>,]<start>,<length>,<max>,<histogram>`, the histogram a
//! base64-encoded, compressed V2 `HdrHistogram` (see
//! [`parse_latency_hlog`]). Blank lines are skipped.
//!
//! - **Paths.** The tag of an interval names its critical path; the
//!   intervals of one tag are added together, whatever their times (the
//!   timestamps and the `<max>` column are not used). Untagged intervals
//!   belong to the path `path_for_untagged`, by default the file name
//!   without its extension (`orders` for `perf/orders.hlog`); a tag of the
//!   same name adds to them.
//! - **Unit.** The values of a histogram carry no unit, so `unit` (`ns`,
//!   `us`, `ms` or `s`) says which one they were recorded in. It defaults to
//!   `ns`: the writers' convention is nanoseconds, as their default
//!   `maxValueUnitRatio` of 1,000,000 shows (it turns the recorded maximum
//!   into the milliseconds of the `<max>` column). `unit` and
//!   `path_for_untagged` are errors on a CSV input, whose samples name their
//!   own unit and path.
//! - **Quantiles** are the merged histogram's `value_at_quantile`
//!   (`HdrHistogram`'s own definition, the same as `getValueAtPercentile`
//!   of the Java and Python implementations): the highest value equivalent
//!   to the recorded one at rank `⌈q·n⌉`, so they are exact only *within the
//!   histogram's precision* (its significant digits, typically 3: within
//!   0.1%). The maximum is the histogram's maximum, to the same precision.
//!   Paths whose intervals record no value are left out (a required one is
//!   then `missing`).
//!
//! # Errors
//!
//! A malformed file is a [`CheckError::Malformed`] located `file:line` or
//! `file:line:column` (a line that is neither a comment, the legend nor an
//! interval, bad base64, a histogram that does not decode, intervals that
//! cannot be added), never a panic and never a pass.
//!
//! The item carries an evidence TTL of 30 days: a latency file last modified
//! longer ago than that makes the item `stale` (the runner compares each
//! artifact's modification time with the TTL).

use crate::text::locate;
use std::collections::BTreeMap;
use std::path::Path;

use hdrhistogram::Histogram;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use hdrhistogram::serialization::{DeserializeError, Deserializer};
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

/// The unit of a latency value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum LatencyUnit {
    /// `ns`, the default of interval logs (see the [module documentation](self)).
    #[default]
    #[serde(rename = "ns")]
    Nanoseconds,
    /// `us` (or `µs`).
    #[serde(rename = "us")]
    Microseconds,
    /// `ms`.
    #[serde(rename = "ms")]
    Milliseconds,
    /// `s`.
    #[serde(rename = "s")]
    Seconds,
}

impl LatencyUnit {
    /// The unit named `name`: `ns`, `us` (or `µs`), `ms` or `s`.
    ///
    /// ```
    /// use preflight_probes::testing::latency::LatencyUnit;
    ///
    /// assert_eq!(LatencyUnit::from_name("µs"), Some(LatencyUnit::Microseconds));
    /// assert_eq!(LatencyUnit::from_name("min"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "ns" => Some(LatencyUnit::Nanoseconds),
            "us" | "µs" | "μs" => Some(LatencyUnit::Microseconds),
            "ms" => Some(LatencyUnit::Milliseconds),
            "s" => Some(LatencyUnit::Seconds),
            _ => None,
        }
    }

    /// Milliseconds per unit.
    #[must_use]
    pub fn millis(self) -> f64 {
        match self {
            LatencyUnit::Nanoseconds => 1e-6,
            LatencyUnit::Microseconds => 1e-3,
            LatencyUnit::Milliseconds => 1.0,
            LatencyUnit::Seconds => 1000.0,
        }
    }
}

/// `bytes` as text without a leading byte-order mark, or the location of
/// the first byte that is not UTF-8.
fn utf8_text<'a>(bytes: &'a [u8], shown: &str) -> Result<&'a str, CheckError> {
    let text = std::str::from_utf8(bytes).map_err(|e| CheckError::Malformed {
        location: locate(bytes, e.valid_up_to(), shown),
        message: "not UTF-8 text".to_owned(),
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
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
    let text = utf8_text(bytes, shown)?;
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
        let scale = LatencyUnit::from_name(unit.trim())
            .map(LatencyUnit::millis)
            .ok_or_else(|| {
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

/// The two formats of a latency file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum LatencyFormat {
    /// A CSV of samples, `path,value,unit` ([`parse_latency_csv`]).
    Csv,
    /// An `HdrHistogram` interval log ([`parse_latency_hlog`]).
    Hlog,
}

impl LatencyFormat {
    /// The format of `bytes`, from its first line that is neither blank nor
    /// a plain `#` comment: an interval log when that line is a `#[...]`
    /// header, the legend `"StartTimestamp",...`, a tagged interval
    /// (`Tag=...`) or four fields whose last is an encoded histogram (it
    /// starts `HIST`, the base64 of a V2 cookie); a CSV otherwise.
    ///
    /// ```
    /// use preflight_probes::testing::latency::LatencyFormat;
    ///
    /// let hlog = b"#[Histogram log format version 1.3]\n#[StartTime: 1700000000.000 (seconds since epoch)]\n";
    /// assert_eq!(LatencyFormat::detect(hlog), LatencyFormat::Hlog);
    /// assert_eq!(LatencyFormat::detect(b"# warm\npath,value,unit\n"), LatencyFormat::Csv);
    /// ```
    #[must_use]
    pub fn detect(bytes: &[u8]) -> LatencyFormat {
        let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        for line in bytes.split(|b| *b == b'\n').map(<[u8]>::trim_ascii) {
            if line.is_empty() || (line.starts_with(b"#") && !line.starts_with(b"#[")) {
                continue;
            }
            let fields: Vec<&[u8]> = line.split(|b| *b == b',').collect();
            let hlog = line.starts_with(b"#[")
                || line.starts_with(b"\"StartTimestamp\"")
                || line.starts_with(b"Tag=")
                || (fields.len() == 4 && fields[3].trim_ascii().starts_with(b"HIST"));
            return if hlog {
                LatencyFormat::Hlog
            } else {
                LatencyFormat::Csv
            };
        }
        LatencyFormat::Csv
    }
}

/// The merged interval histograms of one interval log, per critical path.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LatencyHistograms {
    /// The sum of the interval histograms of each path, in `unit`.
    pub paths: BTreeMap<String, Histogram<u64>>,
    /// The unit of the recorded values.
    pub unit: LatencyUnit,
}

impl LatencyHistograms {
    /// The quantiles of every path that recorded a value, in path order, in
    /// milliseconds, within the precision of the histograms (see the
    /// [module documentation](self)).
    #[must_use]
    pub fn summarize(&self) -> Vec<PathLatency> {
        let ms = self.unit.millis();
        // Histogram values and counts far above 2^53 do not come from
        // latencies; the conversion is exact below it.
        #[allow(clippy::cast_precision_loss)]
        let millis = |value: u64| value as f64 * ms;
        self.paths
            .iter()
            .filter(|(_, h)| !h.is_empty())
            .map(|(path, h)| PathLatency {
                path: path.clone(),
                count: usize::try_from(h.len()).unwrap_or(usize::MAX),
                p50_ms: millis(h.value_at_quantile(0.5)),
                p90_ms: millis(h.value_at_quantile(0.9)),
                p99_ms: millis(h.value_at_quantile(0.99)),
                p999_ms: millis(h.value_at_quantile(0.999)),
                max_ms: millis(h.max()),
            })
            .collect()
    }
}

/// The most values a path may record: counts stay exact as `f64` and their
/// running sums cannot overflow.
const MAX_COUNT: u64 = 1 << 53;

/// `file:line` of a malformed line of an interval log.
fn malformed_line(shown: &str, line: usize, message: impl Into<String>) -> CheckError {
    CheckError::Malformed {
        location: format!("{shown}:{line}"),
        message: message.into(),
    }
}

/// Parses an `HdrHistogram` interval log (see the [module documentation](self)),
/// `shown` naming the file in errors: the intervals of each tag added
/// together, the untagged ones under the path `untagged`, the values in
/// `unit`.
///
/// The lines are read by the `hdrhistogram` crate's
/// `interval_log::IntervalLogIterator`, one at a time so that an error
/// names its line, and each histogram is decoded by its `Deserializer`.
///
/// ```
/// use hdrhistogram::Histogram;
/// use hdrhistogram::serialization::V2DeflateSerializer;
/// use hdrhistogram::serialization::interval_log::{IntervalLogWriterBuilder, Tag};
/// use preflight_probes::testing::latency::{LatencyUnit, parse_latency_hlog};
/// use std::time::Duration;
///
/// let mut log = Vec::new();
/// let mut serializer = V2DeflateSerializer::new();
/// let mut writer = IntervalLogWriterBuilder::new()
///     .begin_log_with(&mut log, &mut serializer)
///     .unwrap();
/// let mut h = Histogram::<u64>::new(3).unwrap();
/// for us in 1..=100 {
///     h.record(us * 1000).unwrap();
/// }
/// let second = Duration::from_secs(1);
/// writer.write_histogram(&h, second, second, Tag::new("submit")).unwrap();
/// writer.write_histogram(&h, 2 * second, second, None).unwrap();
///
/// let histograms = parse_latency_hlog(&log, "orders.hlog", LatencyUnit::Microseconds, "orders").unwrap();
/// let summary = histograms.summarize();
/// assert_eq!((summary[0].path.as_str(), summary[0].count), ("orders", 100));
/// assert_eq!(summary[1].path, "submit");
/// assert!((summary[1].p99_ms - 99.0).abs() < 0.1);
///
/// let err = parse_latency_hlog(b"1.0,1.0,1.0,HIST!\n", "orders.hlog", LatencyUnit::Nanoseconds, "orders");
/// assert!(err.unwrap_err().to_string().starts_with("orders.hlog:1:13: "));
/// ```
///
/// # Errors
///
/// [`CheckError::Malformed`] at `file:line` (or `file:line:column`, at the
/// histogram) for text that is not UTF-8, a line that is neither blank, a
/// `#` comment, the legend nor an interval, an empty tag, a histogram that
/// is not base64 or does not decode as an `HdrHistogram`, intervals of a path
/// that cannot be added or hold more than 2^53 values, and a log without an
/// interval or without a recorded value.
pub fn parse_latency_hlog(
    bytes: &[u8],
    shown: &str,
    unit: LatencyUnit,
    untagged: &str,
) -> Result<LatencyHistograms, CheckError> {
    let text = utf8_text(bytes, shown)?;
    let mut paths: BTreeMap<String, Histogram<u64>> = BTreeMap::new();
    let mut deserializer = Deserializer::new();
    let mut intervals = 0_usize;
    let mut lines = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let number = index + 1;
        lines = number;
        if raw.trim().is_empty() {
            continue;
        }
        // The crate's parser wants every line, the last one too, to end in `\n`.
        let owned;
        let line = if raw.ends_with('\n') {
            raw
        } else {
            owned = format!("{raw}\n");
            owned.as_str()
        };
        let entry = match IntervalLogIterator::new(line.as_bytes()).next() {
            None | Some(Ok(LogEntry::StartTime(_) | LogEntry::BaseTime(_))) => continue,
            Some(Ok(LogEntry::Interval(interval))) => interval,
            Some(Err(_)) => {
                return Err(malformed_line(
                    shown,
                    number,
                    "expected an interval `[Tag=<name>,]<start>,<length>,<max>,<histogram>`, a `#` comment or the legend",
                ));
            }
        };
        intervals += 1;
        let path = match entry.tag() {
            Some(tag) if tag.as_str().is_empty() => {
                return Err(malformed(shown, number, 5, "the tag is empty"));
            }
            Some(tag) => tag.as_str(),
            None => untagged,
        };
        let encoded = entry.encoded_histogram().trim();
        let content = line.trim_end_matches(['\n', '\r']);
        let at = column(content, content.rfind(encoded).unwrap_or(0));
        let decoded = base64_bytes(encoded)
            .ok_or_else(|| malformed(shown, number, at, "the histogram is not base64"))?;
        claimed_size_fits(&decoded).map_err(|message| malformed(shown, number, at, message))?;
        let histogram: Histogram<u64> = deserializer
            .deserialize(&mut decoded.as_slice())
            .map_err(|e| malformed(shown, number, at, undecodable(&e)))?;
        if let Some(merged) = paths.get_mut(path) {
            merged.add(&histogram).map_err(|_| {
                malformed(
                    shown,
                    number,
                    at,
                    format!("the histogram does not fit the earlier intervals of `{path}`: its values are out of their range"),
                )
            })?;
        } else {
            let mut first = histogram;
            // Later intervals may reach higher values.
            first.auto(true);
            paths.insert(path.to_owned(), first);
        }
        let merged = &paths[path];
        if merged.len() > MAX_COUNT {
            return Err(malformed(
                shown,
                number,
                at,
                format!("more than 2^53 values recorded for `{path}`"),
            ));
        }
    }
    if intervals == 0 {
        return Err(malformed_line(
            shown,
            lines.max(1),
            "no interval histogram in the log",
        ));
    }
    if paths.values().all(Histogram::is_empty) {
        return Err(malformed_line(
            shown,
            lines.max(1),
            format!("none of the {intervals} interval histograms records a value"),
        ));
    }
    Ok(LatencyHistograms { paths, unit })
}

/// What is wrong with a histogram the `Deserializer` rejected.
fn undecodable(error: &DeserializeError) -> String {
    let what = match error {
        DeserializeError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "it is cut short".to_owned()
        }
        DeserializeError::IoError(e) => format!("it does not decompress ({e})"),
        DeserializeError::InvalidCookie => "it does not start with a V2 cookie".to_owned(),
        DeserializeError::UnsupportedFeature => {
            "it uses a normalizing offset or a floating-point conversion ratio, which this reader does not support".to_owned()
        }
        DeserializeError::UnsuitableCounterType => "a count does not fit in 64 bits".to_owned(),
        DeserializeError::InvalidParameters => {
            "its lowest or highest trackable value or its significant digits are invalid".to_owned()
        }
        DeserializeError::UsizeTypeTooSmall => "it is too large for this machine".to_owned(),
        DeserializeError::EncodedArrayTooLong => {
            "its counts run past its highest trackable value".to_owned()
        }
    };
    format!("the histogram does not decode: {what}")
}

/// The cookie of an uncompressed V2 histogram, then of a compressed one.
const V2_COOKIE: u32 = 0x1c84_9313;
const V2_COMPRESSED_COOKIE: u32 = 0x1c84_9314;
/// The most bytes deflate can expand one byte into (zlib's own bound is
/// 1032:1), with room for the stream's header.
const DEFLATE_RATIO: u64 = 1032;

/// Checks the sizes a histogram's header claims against the bytes it has,
/// before the `hdrhistogram` crate reads it: the crate sets aside as many
/// bytes as the header claims for the counts, so a damaged header of a few
/// bytes could otherwise ask for gigabytes. An uncompressed histogram must
/// hold its counts; a compressed one must hold its compressed length, and
/// the counts it claims must fit in what that many compressed bytes can
/// expand to.
fn claimed_size_fits(bytes: &[u8]) -> Result<(), String> {
    let word = |b: &[u8], at: usize| {
        b.get(at..at + 4)
            .map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
    };
    // Anything shorter or with another cookie is the crate's to reject.
    let (Some(cookie), Some(length)) = (word(bytes, 0), word(bytes, 4)) else {
        return Ok(());
    };
    let (counts, room) = match cookie {
        V2_COOKIE => (u64::from(length), bytes.len().saturating_sub(40) as u64),
        V2_COMPRESSED_COOKIE => {
            let compressed = bytes.len().saturating_sub(8) as u64;
            if u64::from(length) > compressed {
                return Err(format!(
                    "the histogram claims {length} compressed bytes but has {compressed}: it is cut short"
                ));
            }
            // The inner header: its cookie, then the length of its counts.
            let mut inner = [0_u8; 8];
            let mut reader = flate2::read::ZlibDecoder::new(&bytes[8..]);
            if std::io::Read::read_exact(&mut reader, &mut inner).is_err() {
                return Ok(());
            }
            let Some(counts) = word(&inner, 4) else {
                return Ok(());
            };
            (u64::from(counts), compressed * DEFLATE_RATIO)
        }
        _ => return Ok(()),
    };
    if counts > room {
        return Err(format!(
            "the histogram claims {counts} bytes of counts, more than its {} bytes can hold",
            bytes.len()
        ));
    }
    Ok(())
}

/// The bytes of base64 `text` (the standard alphabet of RFC 4648, the
/// encoding of every interval log writer; padding optional), or `None` for
/// any other character, misplaced padding or an impossible length.
///
/// The `hdrhistogram` crate leaves this step to its caller (see
/// `IntervalLogHistogram::encoded_histogram`); the histogram itself is
/// decoded by the crate.
fn base64_bytes(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LOG_BASE64: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    LOG_BASE64.decode(text).ok()
}

/// Reads a latency file of either format ([`LatencyFormat::detect`]) and
/// summarizes it; `unit` and `untagged` apply to an interval log only (see
/// [`parse_latency_hlog`]).
///
/// ```
/// use preflight_probes::testing::latency::{LatencyFormat, LatencyUnit, parse_latency};
///
/// let csv = b"path,value,unit\nsubmit,2,ms\n";
/// let (format, paths) = parse_latency(csv, "l.csv", LatencyUnit::Nanoseconds, "l").unwrap();
/// assert_eq!((format, paths[0].max_ms), (LatencyFormat::Csv, 2.0));
/// ```
///
/// # Errors
///
/// Those of [`parse_latency_csv`] or [`parse_latency_hlog`].
pub fn parse_latency(
    bytes: &[u8],
    shown: &str,
    unit: LatencyUnit,
    untagged: &str,
) -> Result<(LatencyFormat, Vec<PathLatency>), CheckError> {
    let format = LatencyFormat::detect(bytes);
    let paths = match format {
        LatencyFormat::Csv => parse_latency_csv(bytes, shown)?.summarize(),
        LatencyFormat::Hlog => parse_latency_hlog(bytes, shown, unit, untagged)?.summarize(),
    };
    Ok((format, paths))
}

/// The latency file named by `[inputs.latency]`, parsed once per run.
#[derive(Debug)]
#[non_exhaustive]
pub struct LatencyArtifact {
    /// The format the file was read in.
    pub format: LatencyFormat,
    /// The quantiles of each path that holds a value, in path order.
    pub paths: Vec<PathLatency>,
    /// The file read: its path, sha256 and modification time.
    pub artifact: Artifact,
}

/// The entry `[inputs.latency]`: a path, or a table with `path` and the
/// interval log settings `unit` and `path_for_untagged`.
struct LatencySettings {
    path: String,
    unit: Option<LatencyUnit>,
    untagged: Option<String>,
}

impl LatencySettings {
    fn from_source(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let toml::Value::Table(table) = source.value() else {
            return Ok(LatencySettings {
                path: input_path(source, "latency file")?,
                unit: None,
                untagged: None,
            });
        };
        let name = source.name();
        let mut settings = LatencySettings {
            path: String::new(),
            unit: None,
            untagged: None,
        };
        let text = |key: &str, value: &'_ toml::Value| -> Result<String, CheckError> {
            value
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| source.error(format!("`{key}` in [inputs.{name}] must be a string")))
        };
        for (key, value) in table {
            match key.as_str() {
                "path" => settings.path = text(key, value)?,
                "unit" => {
                    let unit = text(key, value)?;
                    settings.unit = Some(LatencyUnit::from_name(&unit).ok_or_else(|| {
                        source.error(format!(
                            "unknown `unit` `{unit}` in [inputs.{name}] (expected `ns`, `us`, `ms` or `s`)"
                        ))
                    })?);
                }
                "path_for_untagged" => {
                    let path = text(key, value)?;
                    let path = path.trim();
                    if path.is_empty() {
                        return Err(source.error(format!(
                            "`path_for_untagged` in [inputs.{name}] is empty: name the critical path of the untagged intervals"
                        )));
                    }
                    settings.untagged = Some(path.to_owned());
                }
                _ => {
                    return Err(source.error(format!(
                        "unknown key `{key}` in [inputs.{name}] (expected `path`, `unit` or `path_for_untagged`)"
                    )));
                }
            }
        }
        if settings.path.is_empty() {
            return Err(source.error("expected `path = \"<latency file>\"`"));
        }
        Ok(settings)
    }
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
        let settings = LatencySettings::from_source(source)?;
        let shown = settings.path;
        let (artifact, bytes) = read_input(source, &shown)?;
        let format = LatencyFormat::detect(&bytes);
        if format == LatencyFormat::Csv && (settings.unit.is_some() || settings.untagged.is_some())
        {
            return Err(source.error(format!(
                "`unit` and `path_for_untagged` apply to HdrHistogram interval logs, and `{shown}` is a CSV of samples that name their own path and unit: remove them from [inputs.{}]",
                source.name()
            )));
        }
        let untagged = settings.untagged.unwrap_or_else(|| {
            Path::new(&shown)
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .filter(|stem| !stem.is_empty())
                .unwrap_or_else(|| "untagged".to_owned())
        });
        let (format, paths) =
            parse_latency(&bytes, &shown, settings.unit.unwrap_or_default(), &untagged)?;
        Ok(LatencyArtifact {
            format,
            paths,
            artifact,
        })
    }
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "worst p99 {worst_p99_ms:.3} ms over {samples} samples of {count} paths (maximum {max_p99_ms} ms)"
)]
struct LatencyEvidence {
    /// `csv` or `hlog`.
    format: LatencyFormat,
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
        let paths = &input.paths;
        let over: Vec<String> = paths
            .iter()
            .filter(|p| p.p99_ms > self.max_p99_ms)
            .map(|p| p.path.clone())
            .collect();
        let missing: Vec<String> = self
            .paths
            .iter()
            .filter(|p| !paths.iter().any(|measured| measured.path == **p))
            .cloned()
            .collect();
        let worst = paths.iter().max_by(|a, b| a.p99_ms.total_cmp(&b.p99_ms));
        let worst_p99_ms = worst.map_or(0.0, |p| p.p99_ms);
        let evidence = LatencyEvidence {
            format: input.format,
            max_p99_ms: self.max_p99_ms,
            worst_p99_ms,
            samples: paths.iter().fold(0, |sum, p| sum.saturating_add(p.count)),
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
    use std::time::{Duration, SystemTime};

    use hdrhistogram::serialization::V2DeflateSerializer;
    use hdrhistogram::serialization::interval_log::{IntervalLogWriterBuilder, Tag};

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

    /// A log of the `hdrhistogram` crate's writer, in microseconds: three
    /// intervals of `submit` (1 to 300 ms, 100 each) and untagged ones of
    /// 5 ms with one 250 ms outlier.
    fn hlog() -> Vec<u8> {
        let mut log = Vec::new();
        let mut serializer = V2DeflateSerializer::new();
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut writer = IntervalLogWriterBuilder::new()
            .add_comment("[Histogram log format version 1.3]")
            .with_start_time(start)
            .with_base_time(start)
            .begin_log_with(&mut log, &mut serializer)
            .unwrap();
        for k in 0..3_u64 {
            let mut submit = Histogram::<u64>::new_with_bounds(1, 1_000_000, 3).unwrap();
            let mut other = submit.clone();
            for i in 1..=100 {
                submit.record((k * 100 + i) * 1000).unwrap();
                other
                    .record(if k == 1 && i == 100 { 250_000 } else { 5000 })
                    .unwrap();
            }
            let at = Duration::from_secs(10 * k);
            let length = Duration::from_secs(10);
            writer
                .write_histogram(&submit, at, length, Tag::new("submit"))
                .unwrap();
            writer.write_histogram(&other, at, length, None).unwrap();
        }
        drop(writer);
        log
    }

    #[test]
    fn hlog_intervals_add_up_per_tag() {
        let log = hlog();
        assert_eq!(LatencyFormat::detect(&log), LatencyFormat::Hlog);
        let histograms = parse_latency_hlog(
            &log,
            "perf/orders.hlog",
            LatencyUnit::Microseconds,
            "orders",
        )
        .unwrap();
        let summary = histograms.summarize();
        let names: Vec<&str> = summary.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(names, ["orders", "submit"]);
        let close = |a: f64, b: f64| (a - b).abs() <= b * 1e-3;
        let submit = &summary[1];
        assert_eq!(submit.count, 300);
        for (got, want) in [
            (submit.p50_ms, 150.0),
            (submit.p90_ms, 270.0),
            (submit.p99_ms, 297.0),
            (submit.p999_ms, 300.0),
            (submit.max_ms, 300.0),
        ] {
            assert!(close(got, want), "{got} ms, expected {want} ms: {submit:?}");
        }
        let orders = &summary[0];
        assert_eq!(orders.count, 300);
        assert!(
            close(orders.p99_ms, 5.0) && close(orders.p999_ms, 250.0),
            "{orders:?}"
        );
        // The unit scales every value.
        let ns = parse_latency_hlog(&log, "o.hlog", LatencyUnit::Nanoseconds, "o").unwrap();
        assert!(close(ns.summarize()[1].p99_ms * 1000.0, submit.p99_ms));
        // The summary is the merged histogram's own quantiles.
        let merged = &histograms.paths["submit"];
        assert_eq!(merged.len(), 300);
        #[allow(clippy::cast_precision_loss)]
        let p99 = merged.value_at_quantile(0.99) as f64 / 1000.0;
        assert!((submit.p99_ms - p99).abs() < 1e-9);
    }

    #[test]
    fn the_format_is_read_from_the_content() {
        let cases: [(&[u8], LatencyFormat); 7] = [
            (b"", LatencyFormat::Csv),
            (b"# warm\n\npath,value,unit\n", LatencyFormat::Csv),
            (
                b"\xef\xbb\xbf#[BaseTime: 1.0 (seconds since epoch)]\n",
                LatencyFormat::Hlog,
            ),
            (
                b"\"StartTimestamp\",\"Interval_Length\"\n",
                LatencyFormat::Hlog,
            ),
            (
                b"# comment\nTag=a,0.1,1.0,2.0,HISTFAAA\n",
                LatencyFormat::Hlog,
            ),
            (
                b"0.127,1.007,2.769,HISTFAAAAEV42pNpmSz\n",
                LatencyFormat::Hlog,
            ),
            (b"submit,1.5,ms\n", LatencyFormat::Csv),
        ];
        for (bytes, format) in cases {
            assert_eq!(
                LatencyFormat::detect(bytes),
                format,
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    /// A header that claims more counts than the histogram holds is an
    /// error before the crate sets aside room for them (gigabytes, for a
    /// damaged length).
    #[test]
    fn histograms_claiming_more_than_they_hold_are_errors() {
        use std::io::Write as _;

        use base64::Engine as _;
        use hdrhistogram::serialization::{Serializer as _, V2Serializer};

        let mut h = Histogram::<u64>::new(3).unwrap();
        h.record(1500).unwrap();
        let mut plain = Vec::new();
        V2Serializer::new().serialize(&h, &mut plain).unwrap();
        assert_eq!(claimed_size_fits(&plain), Ok(()));
        let mut claims = plain.clone();
        claims[4..8].copy_from_slice(&0xffff_fff0_u32.to_be_bytes());
        let message = claimed_size_fits(&claims).unwrap_err();
        assert!(
            message.starts_with("the histogram claims 4294967280 bytes of counts"),
            "{message}"
        );

        // The same lie inside a compressed histogram.
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&claims).unwrap();
        let deflated = encoder.finish().unwrap();
        let mut compressed = V2_COMPRESSED_COOKIE.to_be_bytes().to_vec();
        compressed.extend_from_slice(&u32::try_from(deflated.len()).unwrap().to_be_bytes());
        compressed.extend_from_slice(&deflated);
        let message = claimed_size_fits(&compressed).unwrap_err();
        assert!(
            message.starts_with("the histogram claims 4294967280 bytes of counts"),
            "{message}"
        );
        // A compressed length past the end.
        let mut cut = compressed.clone();
        cut.truncate(cut.len() - 3);
        assert!(
            claimed_size_fits(&cut)
                .unwrap_err()
                .ends_with("it is cut short")
        );

        // Through the log reader: an error at the histogram's line and column.
        let line = format!(
            "0.0,1.0,1.5,{}\n",
            base64::engine::general_purpose::STANDARD.encode(&compressed)
        );
        let err = parse_latency_hlog(line.as_bytes(), "o.hlog", LatencyUnit::Nanoseconds, "o")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("o.hlog:1:13: the histogram claims 4294967280"),
            "{err}"
        );
    }

    #[test]
    fn base64_is_strict() {
        // Padding may be short or absent (the crate's `Indifferent` mode).
        let ok: [(&str, &[u8]); 7] = [
            ("", b""),
            ("QQ==", b"A"),
            ("QQ=", b"A"),
            ("QUI=", b"AB"),
            ("QUJD", b"ABC"),
            ("QUJDRA", b"ABCD"),
            ("+/8=", b"\xfb\xff"),
        ];
        for (text, bytes) in ok {
            assert_eq!(base64_bytes(text).as_deref(), Some(bytes), "{text}");
        }
        for text in [
            "Q", "QUJDR", "Q===", "QU=I", "QU-_", "QUJD=", "QQ==QQ==", "QUJ D",
        ] {
            assert_eq!(base64_bytes(text), None, "{text}");
        }
    }

    #[test]
    fn hlog_lines_may_end_without_a_newline_or_in_crlf() {
        let log = String::from_utf8(hlog()).unwrap();
        let crlf = log.replace('\n', "\r\n");
        let cut = log.trim_end().replace('\n', "\n\n");
        for text in [crlf, cut] {
            let (format, paths) =
                parse_latency(text.as_bytes(), "o.hlog", LatencyUnit::Microseconds, "o").unwrap();
            assert_eq!(format, LatencyFormat::Hlog);
            assert_eq!(paths.len(), 2);
            assert_eq!(paths[1].count, 300);
        }
    }

    #[test]
    fn malformed_logs_are_located() {
        let log = String::from_utf8(hlog()).unwrap();
        let last = log.lines().last().unwrap();
        let (head, histogram) = last.rsplit_once(',').unwrap();
        let at = head.chars().count() + 2;
        let with_last = |line: &str| log.replace(last, line);
        let lines = log.lines().count();
        let empty = {
            let mut none = Vec::new();
            let mut serializer = V2DeflateSerializer::new();
            let mut writer = IntervalLogWriterBuilder::new()
                .begin_log_with(&mut none, &mut serializer)
                .unwrap();
            let h = Histogram::<u64>::new(3).unwrap();
            writer
                .write_histogram(&h, Duration::ZERO, Duration::from_secs(1), None)
                .unwrap();
            drop(writer);
            String::from_utf8(none).unwrap()
        };
        let cases = [
            (
                with_last(&format!("{head},{}!", &histogram[1..])),
                format!("o.hlog:{lines}:{at}: the histogram is not base64"),
            ),
            (
                // Valid base64, not a histogram.
                with_last(&format!("{head},QUJDREVGR0g=")),
                format!("o.hlog:{lines}:{at}: the histogram does not decode: it does not start"),
            ),
            (
                // Cut at a whole number of base64 quadruples: the bytes are
                // base64, the histogram is cut short.
                with_last(&format!("{head},{}", &histogram[..histogram.len() / 8 * 4])),
                format!("o.hlog:{lines}:{at}: the histogram claims "),
            ),
            (
                with_last("0.5;10.0;2.0;HISTFAAA"),
                format!("o.hlog:{lines}: expected an interval `[Tag=<name>,]<start>,"),
            ),
            (
                with_last(&format!("Tag=,{last}")),
                format!("o.hlog:{lines}:5: the tag is empty"),
            ),
            (
                "#[Histogram log format version 1.3]\n".to_owned(),
                "o.hlog:1: no interval histogram in the log".to_owned(),
            ),
            (
                empty,
                "o.hlog:1: none of the 1 interval histograms records a value".to_owned(),
            ),
        ];
        for (text, expected) in cases {
            let err = parse_latency_hlog(text.as_bytes(), "o.hlog", LatencyUnit::Nanoseconds, "o")
                .unwrap_err();
            assert!(matches!(err, CheckError::Malformed { .. }), "{err:?}");
            assert!(err.to_string().starts_with(&expected), "{expected}: {err}");
        }
        let err = parse_latency_hlog(b"#[x]\n\xff\n", "o.hlog", LatencyUnit::Nanoseconds, "o");
        assert!(
            err.unwrap_err()
                .to_string()
                .starts_with("o.hlog:2:1: not UTF-8")
        );
    }

    /// Truncations and byte flips of a valid interval log: never a panic,
    /// and an error is always `Malformed` with a location.
    #[test]
    fn damaged_logs_never_panic() {
        let log = hlog();
        let runs = for_each_damaged(
            &[&log],
            0x9E37_79B9_7F4A_7C15,
            1,
            3000,
            b",.\n\r#=+/AHQTz0Tag",
            |bytes| match parse_latency(bytes, "d.hlog", LatencyUnit::Microseconds, "d") {
                Ok((_, paths)) => {
                    for p in paths {
                        assert!(p.count > 0 && p.p50_ms <= p.p99_ms && p.p99_ms <= p.max_ms);
                    }
                }
                Err(CheckError::Malformed { location, .. }) => {
                    assert!(location.starts_with("d.hlog:"), "{location}");
                }
                Err(other) => panic!("not Malformed: {other:?}"),
            },
        );
        assert!(runs > 3000);
    }

    #[test]
    fn the_item_carries_a_thirty_day_ttl() {
        let meta = <PerformanceLatency as ChecklistItem>::meta();
        assert_eq!(meta.evidence_ttl, Some(Duration::from_secs(30 * 86_400)));
    }
}
