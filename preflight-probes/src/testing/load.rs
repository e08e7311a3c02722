//! Load-test summaries, and the item `code.testing.load` that requires the
//! system to sustain its expected peak with headroom and few errors.
//!
//! The summary is named in `preflight.toml`; its format is detected from its
//! content:
//!
//! ```toml
//! [inputs.load]
//! path = "target/perf/k6-summary.json"
//!
//! [checks."code.testing.load"]
//! expected_peak_rps = 400.0   # required: the busiest load production should see
//! headroom = 1.5              # the default: sustain 1.5 × the peak
//! max_error_rate = 0.01       # the default: at most 1 % of requests fail
//! ```
//!
//! | Format | Recognised by | Throughput | Error rate | Duration |
//! |--------|---------------|------------|------------|----------|
//! | k6 `--summary-export` JSON | a `metrics` object | `metrics.http_reqs.rate` (and `count`) | `metrics.http_req_failed.value` (or `.rate`); without it, the failed share of `metrics.checks` (`fails / (passes + fails)`) | `count / rate` |
//! | generic JSON summary | a `throughput_rps` key | `throughput_rps` | `error_rate` (a fraction, 0 to 1) | `duration_s` (optional) |
//!
//! k6's `handleSummary()` JSON, which nests each metric's numbers under
//! `values`, is read alike. The generic summary is for tools other than k6
//! (Locust, Gatling, wrk, a custom harness): one object
//! `{"throughput_rps": 612.5, "error_rate": 0.002, "duration_s": 300}`.
//!
//! The 95th percentile of `metrics.http_req_duration` (`p(95)`) is kept in the
//! evidence when present. A malformed summary is a [`CheckError::Malformed`]
//! located `file:line:column` (`serde_json`'s position, or the position of the
//! faulty key), never a panic and never a pass.
//!
//! The item carries an evidence TTL of 30 days: a summary last modified longer
//! ago than that makes the item `stale` (the runner compares each artifact's
//! modification time with the TTL).

use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, Outcome,
};
use serde::Serialize;
use serde_json::{Map, Value};

use super::latency::{input_path, read_input};

/// The formats of load-test summaries this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum LoadFormat {
    /// k6 `--summary-export` (or `handleSummary()`) JSON.
    K6,
    /// `{"throughput_rps", "error_rate", "duration_s"}`.
    Generic,
}

/// One load-test summary, parsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LoadSummary {
    /// The format it was read from.
    pub format: LoadFormat,
    /// Achieved throughput, in requests per second.
    pub throughput_rps: f64,
    /// The share of requests that failed, from 0 to 1.
    pub error_rate: f64,
    /// The requests made, when the summary says.
    pub requests: Option<u64>,
    /// The test's duration in seconds, when the summary says (or it follows
    /// from the request count and rate).
    pub duration_s: Option<f64>,
    /// The 95th percentile of request durations in milliseconds (k6 only).
    pub p95_ms: Option<f64>,
}

/// `file:line:column` of the first `"key"` in `bytes` (`1:1` when absent).
pub(crate) fn at_key(
    bytes: &[u8],
    shown: &str,
    key: &str,
    message: impl Into<String>,
) -> CheckError {
    let needle = format!("\"{key}\"");
    let pos = bytes
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .unwrap_or(0);
    let before = &bytes[..pos];
    let line = before.split(|b| *b == b'\n').count();
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    CheckError::Malformed {
        location: format!("{shown}:{line}:{column}"),
        message: message.into(),
    }
}

/// A k6 metric's number `key`, read directly or under `values`.
fn metric_number(metric: &Value, key: &str) -> Option<f64> {
    metric
        .get(key)
        .or_else(|| metric.get("values").and_then(|v| v.get(key)))
        .and_then(Value::as_f64)
}

/// Parses a load-test summary (k6 or generic; see the [module documentation](self)),
/// `shown` naming the file in errors.
///
/// ```
/// use preflight_probes::testing::load::{LoadFormat, parse_load_summary};
///
/// let k6 = br#"{"metrics": {
///   "http_reqs": {"count": 6000, "rate": 100.0},
///   "http_req_failed": {"passes": 6, "fails": 5994, "value": 0.001}
/// }}"#;
/// let summary = parse_load_summary(k6, "k6.json").unwrap();
/// assert_eq!(summary.format, LoadFormat::K6);
/// assert_eq!((summary.throughput_rps, summary.error_rate), (100.0, 0.001));
/// assert_eq!(summary.duration_s, Some(60.0));
///
/// let generic = br#"{"throughput_rps": 612.5, "error_rate": 0.002, "duration_s": 300}"#;
/// assert_eq!(parse_load_summary(generic, "s.json").unwrap().format, LoadFormat::Generic);
///
/// let err = parse_load_summary(b"{\"throughput_rps\": 1,\n  \"error_rate\": -1}", "s.json");
/// assert!(err.unwrap_err().to_string().starts_with("s.json:2:3: "));
/// ```
///
/// # Errors
///
/// [`CheckError::Malformed`] for invalid JSON, a document of neither format,
/// and a missing or out-of-range number (a negative or non-finite
/// throughput, an error rate outside 0 to 1).
pub fn parse_load_summary(bytes: &[u8], shown: &str) -> Result<LoadSummary, CheckError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| CheckError::Malformed {
        location: format!("{shown}:{}:{}", e.line(), e.column().max(1)),
        message: format!("invalid JSON: {e}"),
    })?;
    let Some(root) = value.as_object() else {
        return Err(at_key(bytes, shown, "", "expected a JSON object"));
    };
    if let Some(metrics) = root.get("metrics") {
        let metrics = metrics
            .as_object()
            .ok_or_else(|| at_key(bytes, shown, "metrics", "`metrics`: expected an object"))?;
        parse_k6(bytes, shown, metrics)
    } else if root.contains_key("throughput_rps") {
        parse_generic(bytes, shown, root)
    } else {
        Err(at_key(
            bytes,
            shown,
            "",
            "neither a k6 summary (`metrics`) nor a generic summary (`throughput_rps`, `error_rate`)",
        ))
    }
}

fn rate(bytes: &[u8], shown: &str, key: &str, value: Option<f64>) -> Result<f64, CheckError> {
    match value {
        Some(v) if (0.0..=1.0).contains(&v) => Ok(v),
        Some(v) => Err(at_key(
            bytes,
            shown,
            key,
            format!("`{key}` is {v}: expected a fraction from 0 to 1"),
        )),
        None => Err(at_key(
            bytes,
            shown,
            key,
            format!("`{key}`: expected a number"),
        )),
    }
}

fn non_negative(
    bytes: &[u8],
    shown: &str,
    key: &str,
    value: Option<f64>,
) -> Result<f64, CheckError> {
    match value {
        Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(at_key(
            bytes,
            shown,
            key,
            format!("`{key}`: expected a non-negative number"),
        )),
    }
}

fn parse_k6(
    bytes: &[u8],
    shown: &str,
    metrics: &Map<String, Value>,
) -> Result<LoadSummary, CheckError> {
    let reqs = metrics.get("http_reqs").ok_or_else(|| {
        at_key(
            bytes,
            shown,
            "metrics",
            "`metrics.http_reqs` is missing: the test made no HTTP request",
        )
    })?;
    let throughput_rps = non_negative(bytes, shown, "http_reqs", metric_number(reqs, "rate"))?;
    let count = metric_number(reqs, "count")
        .map(|c| non_negative(bytes, shown, "http_reqs", Some(c)))
        .transpose()?;
    let error_rate = if let Some(failed) = metrics.get("http_req_failed") {
        let share = metric_number(failed, "value").or_else(|| metric_number(failed, "rate"));
        rate(bytes, shown, "http_req_failed", share)?
    } else if let Some(checks) = metrics.get("checks") {
        let passes = metric_number(checks, "passes");
        let fails = metric_number(checks, "fails");
        match (passes, fails) {
            (Some(p), Some(f)) if p >= 0.0 && f >= 0.0 && p + f > 0.0 => f / (p + f),
            _ => {
                // `handleSummary()` keeps the pass share as `rate`.
                1.0 - rate(bytes, shown, "checks", metric_number(checks, "rate"))?
            }
        }
    } else {
        return Err(at_key(
            bytes,
            shown,
            "metrics",
            "neither `metrics.http_req_failed` nor `metrics.checks`: the error rate is unknown",
        ));
    };
    // Counts are whole numbers far below 2^53.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let requests = count.map(|c| c as u64);
    let duration_s = count
        .filter(|_| throughput_rps > 0.0)
        .map(|c| c / throughput_rps);
    let p95_ms = metrics
        .get("http_req_duration")
        .and_then(|d| metric_number(d, "p(95)"));
    Ok(LoadSummary {
        format: LoadFormat::K6,
        throughput_rps,
        error_rate,
        requests,
        duration_s,
        p95_ms,
    })
}

fn parse_generic(
    bytes: &[u8],
    shown: &str,
    root: &Map<String, Value>,
) -> Result<LoadSummary, CheckError> {
    let number = |key: &str| root.get(key).and_then(Value::as_f64);
    let throughput_rps = non_negative(bytes, shown, "throughput_rps", number("throughput_rps"))?;
    let error_rate = rate(bytes, shown, "error_rate", number("error_rate"))?;
    let duration_s = match root.get("duration_s") {
        None | Some(Value::Null) => None,
        Some(_) => Some(non_negative(
            bytes,
            shown,
            "duration_s",
            number("duration_s"),
        )?),
    };
    Ok(LoadSummary {
        format: LoadFormat::Generic,
        throughput_rps,
        error_rate,
        requests: None,
        duration_s,
        p95_ms: None,
    })
}

/// The summary named by `[inputs.load]`, parsed once per run.
#[derive(Debug)]
#[non_exhaustive]
pub struct LoadArtifact {
    /// The summary.
    pub summary: LoadSummary,
    /// The file read: its path, sha256 and modification time.
    pub artifact: Artifact,
}

impl Input for LoadArtifact {
    fn parse(source: &preflight_core::InputSource<'_>) -> Result<Self, CheckError> {
        let shown = input_path(source, "load-test summary")?;
        let (artifact, bytes) = read_input(source, &shown)?;
        Ok(LoadArtifact {
            summary: parse_load_summary(&bytes, &shown)?,
            artifact,
        })
    }
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "{throughput_rps:.1} req/s for a required {required_rps:.1} ({headroom} × {expected_peak_rps} peak); error rate {error_rate:.4} (maximum {max_error_rate})"
)]
struct LoadEvidence {
    format: LoadFormat,
    throughput_rps: f64,
    error_rate: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    requests: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p95_ms: Option<f64>,
    expected_peak_rps: f64,
    headroom: f64,
    required_rps: f64,
    max_error_rate: f64,
}

/// The system handles its expected peak load with headroom: the load test of
/// `[inputs.load]` achieved at least `headroom` × `expected_peak_rps` requests
/// per second with an error rate of at most `max_error_rate` (see the
/// [module documentation](self)).
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "code.testing.load",
    title = "Load testing completed (handles expected peak load + 50%)",
    group = "Testing",
    severity = "high",
    owner = "tech-lead",
    evidence_ttl = "30d",
    inputs = ["load"],
    remediation = "run the load test at headroom × the expected peak (for instance a k6 constant-arrival-rate scenario), fix what fails or saturates, and point [inputs.load] at its fresh summary"
)]
pub struct LoadTest {
    /// The busiest load production is expected to see, in requests per
    /// second; required.
    pub expected_peak_rps: Option<f64>,
    /// The factor over the expected peak the test must sustain.
    pub headroom: f64,
    /// The highest acceptable share of failed requests, from 0 to 1.
    pub max_error_rate: f64,
}

impl Default for LoadTest {
    fn default() -> Self {
        LoadTest {
            expected_peak_rps: None,
            headroom: 1.5,
            max_error_rate: 0.01,
        }
    }
}

impl Check for LoadTest {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let Some(peak) = self.expected_peak_rps else {
            return Err(CheckError::msg(
                "item `code.testing.load`: `expected_peak_rps` is not set: add `expected_peak_rps = <requests per second>` to [checks.\"code.testing.load\"]",
            ));
        };
        if !(peak.is_finite() && peak > 0.0) {
            return Err(CheckError::msg(format!(
                "item `code.testing.load`: `expected_peak_rps` is {peak}, expected a positive number of requests per second"
            )));
        }
        if !(self.headroom.is_finite() && self.headroom >= 1.0) {
            return Err(CheckError::msg(format!(
                "item `code.testing.load`: `headroom` is {}, expected a factor of at least 1",
                self.headroom
            )));
        }
        if !(0.0..=1.0).contains(&self.max_error_rate) {
            return Err(CheckError::msg(format!(
                "item `code.testing.load`: `max_error_rate` is {}, expected a fraction from 0 to 1",
                self.max_error_rate
            )));
        }
        let input = cx.input::<LoadArtifact>("load")?;
        let s = &input.summary;
        let required_rps = peak * self.headroom;
        let evidence = LoadEvidence {
            format: s.format,
            throughput_rps: s.throughput_rps,
            error_rate: s.error_rate,
            requests: s.requests,
            duration_s: s.duration_s,
            p95_ms: s.p95_ms,
            expected_peak_rps: peak,
            headroom: self.headroom,
            required_rps,
            max_error_rate: self.max_error_rate,
        };
        let outcome = if s.throughput_rps < required_rps {
            Outcome::fail(format!(
                "throughput {:.1} req/s is below the required {required_rps:.1} req/s ({} × the expected peak of {peak} req/s)",
                s.throughput_rps, self.headroom
            ))
        } else if s.error_rate > self.max_error_rate {
            Outcome::fail(format!(
                "error rate {:.4} is above the maximum {} at {:.1} req/s",
                s.error_rate, self.max_error_rate, s.throughput_rps
            ))
        } else {
            Outcome::pass(format!(
                "sustained {:.1} req/s (required {required_rps:.1}: {} × the expected peak of {peak}) with error rate {:.4}",
                s.throughput_rps, self.headroom, s.error_rate
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

    const K6: &str = include_str!("../../../tests/testdata/load/k6-summary-export.json");

    #[test]
    fn the_k6_fixture() {
        let s = parse_load_summary(K6.as_bytes(), "k6.json").unwrap();
        assert_eq!(s.format, LoadFormat::K6);
        assert_eq!(s.requests, Some(180_412));
        assert!((s.throughput_rps - 601.37).abs() < 0.01);
        assert!((s.error_rate - 0.0021).abs() < 1e-5);
        assert_eq!(s.p95_ms, Some(48.31));
        assert!((s.duration_s.unwrap() - 300.0).abs() < 0.1);
    }

    #[test]
    fn handle_summary_and_checks_fallback() {
        let json = br#"{"metrics": {"http_reqs": {"type": "counter", "values": {"count": 100, "rate": 10}},
            "checks": {"values": {"rate": 0.95, "passes": 95, "fails": 5}}}}"#;
        let s = parse_load_summary(json, "h.json").unwrap();
        assert!((s.error_rate - 0.05).abs() < 1e-12);
        assert_eq!(s.duration_s, Some(10.0));
        let json =
            br#"{"metrics": {"http_reqs": {"count": 100, "rate": 10}, "checks": {"rate": 0.9}}}"#;
        let s = parse_load_summary(json, "h.json").unwrap();
        assert!((s.error_rate - 0.1).abs() < 1e-12);
    }

    #[test]
    fn malformed_summaries_are_located() {
        let cases: [(&[u8], &str); 7] = [
            (b"{\"metrics\": {\n", "s.json:2:1"),
            (b"[1, 2]", "s.json:1:1: expected a JSON object"),
            (b"{\"x\": 1}", "s.json:1:1: neither a k6 summary"),
            (b"{\"metrics\": {}}", "s.json:1:2: `metrics.http_reqs` is missing"),
            (
                b"{\"metrics\": {\"http_reqs\": {\"rate\": 1}}}",
                "s.json:1:2: neither `metrics.http_req_failed`",
            ),
            (
                b"{\"metrics\": {\"http_reqs\": {\"rate\": 1}, \"http_req_failed\": {\"value\": 2}}}",
                "s.json:1:40: `http_req_failed` is 2",
            ),
            (b"{\"throughput_rps\": \"fast\"}", "s.json:1:2: `throughput_rps`: expected"),
        ];
        for (bytes, expected) in cases {
            let err = parse_load_summary(bytes, "s.json").unwrap_err();
            assert!(matches!(err, CheckError::Malformed { .. }), "{err:?}");
            assert!(err.to_string().starts_with(expected), "{expected}: {err}");
        }
    }

    /// Truncations and byte flips of valid summaries: never a panic, and an
    /// error is always `Malformed` with a location.
    #[test]
    fn damaged_summaries_never_panic() {
        let generic = r#"{"throughput_rps": 612.5, "error_rate": 0.002, "duration_s": 300}"#;
        let runs = for_each_damaged(
            &[K6.as_bytes(), generic.as_bytes()],
            0x1234_5678_9ABC_DEF1,
            3,
            1500,
            b"{}[]\":,-9e. \n\xff",
            check_damaged,
        );
        assert!(runs > 3000);
    }

    fn check_damaged(bytes: &[u8]) {
        match parse_load_summary(bytes, "d.json") {
            Ok(s) => {
                assert!(s.throughput_rps.is_finite() && s.throughput_rps >= 0.0);
                assert!((0.0..=1.0).contains(&s.error_rate));
            }
            Err(CheckError::Malformed { location, .. }) => {
                assert!(location.starts_with("d.json:"), "{location}");
            }
            Err(other) => panic!("not Malformed: {other:?}"),
        }
    }
}
