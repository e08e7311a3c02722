//! Performance evidence as a team meets it: latency samples written by a
//! benchmark harness, a k6 load-test summary (committed fixture) and a
//! generic one, and Chaos Toolkit journals written here by a real `chaos run`,
//! judged through the registry and runner.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use preflight_core::{Report, Status};

mod support;
use support::{item, run_at, workspace};

/// Item `id` of the seed catalog on the project in `dir`, the run's clock at
/// `now` when given.
fn run(dir: &Path, extra: &str, id: &str, now: Option<jiff::Timestamp>) -> Report {
    run_at(dir, extra, &[id], now)
}

const LATENCY: &str = "code.testing.performance-latency";
const LOAD: &str = "code.testing.load";
const CHAOS: &str = "code.testing.chaos";

/// Samples of two paths: `submit` from 1 to 100 ms (1 ms apart, 1000 in
/// microseconds), `cancel` 5 ms flat, plus `slow` samples when asked.
fn latency_csv(slow_ms: Option<f64>) -> String {
    let mut csv = String::from("path,value,unit\n");
    for i in 1..=100 {
        writeln!(csv, "submit,{},us", i * 1000).unwrap();
        writeln!(csv, "cancel,0.005,s").unwrap();
    }
    if let Some(ms) = slow_ms {
        for _ in 0..100 {
            writeln!(csv, "risk-check,{ms},ms").unwrap();
        }
    }
    csv
}

#[test]
fn latency_under_the_limit_passes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("latency.csv"), latency_csv(None)).unwrap();
    let config = "[inputs.latency]\npath = \"latency.csv\"\n[checks.\"code.testing.performance-latency\"]\npaths = [\"submit\", \"cancel\"]\n";
    let report = run(dir.path(), config, LATENCY, None);
    let (status, message, values) = item(&report, LATENCY);
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(
        message,
        "p99 latency at most 100 ms on all 2 paths (worst 99.000 ms on `submit`)"
    );
    assert_eq!(values["samples"], 200);
    let submit = &values["paths"][1];
    assert_eq!(submit["path"], "submit");
    assert_eq!(
        (
            submit["p50_ms"].as_f64(),
            submit["p99_ms"].as_f64(),
            submit["max_ms"].as_f64()
        ),
        (Some(50.0), Some(99.0), Some(100.0))
    );
    let evidence = report.item(LATENCY).unwrap().evidence.as_ref().unwrap();
    assert!(evidence.artifacts[0].sha256.starts_with("sha256:"));
    assert!(evidence.artifacts[0].modified.is_some());
}

#[test]
fn latency_over_the_limit_or_a_missing_path_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("latency.csv"), latency_csv(Some(140.0))).unwrap();
    let report = run(
        dir.path(),
        "[inputs.latency]\npath = \"latency.csv\"\n",
        LATENCY,
        None,
    );
    let (status, message, values) = item(&report, LATENCY);
    assert_eq!(status, Status::Fail, "{message}");
    assert_eq!(
        message,
        "p99 latency over 100 ms on 1 of 3 paths: `risk-check` 140.000 ms"
    );
    assert_eq!(values["over"], serde_json::json!(["risk-check"]));
    // A tighter limit catches `submit` too.
    let report = run(
        dir.path(),
        "[inputs.latency]\npath = \"latency.csv\"\n[checks.\"code.testing.performance-latency\"]\nmax_p99_ms = 50.0\n",
        LATENCY,
        None,
    );
    assert_eq!(
        item(&report, LATENCY).2["over"],
        serde_json::json!(["risk-check", "submit"])
    );
    // A critical path without samples fails even when the others are fast.
    std::fs::write(dir.path().join("latency.csv"), latency_csv(None)).unwrap();
    let config = "[inputs.latency]\npath = \"latency.csv\"\n[checks.\"code.testing.performance-latency\"]\npaths = [\"submit\", \"modify-order\"]\n";
    let (status, message, values) = item(&run(dir.path(), config, LATENCY, None), LATENCY);
    assert_eq!(status, Status::Fail);
    assert_eq!(
        message,
        "no latency sample of the critical paths `modify-order` in `latency.csv`"
    );
    assert_eq!(values["missing"], serde_json::json!(["modify-order"]));
}

#[test]
fn latency_malformed_or_stale_samples() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("latency.csv"),
        "path,value,unit\nsubmit,12,ms\nsubmit,12,minutes\n",
    )
    .unwrap();
    let config = "[inputs.latency]\npath = \"latency.csv\"\n";
    let (status, message, _) = item(&run(dir.path(), config, LATENCY, None), LATENCY);
    assert_eq!(status, Status::Error);
    assert_eq!(
        message,
        "latency.csv:3:11: unknown unit `minutes` (expected `ns`, `us`, `ms` or `s`)"
    );
    // Samples older than the item's 30-day evidence TTL are stale.
    std::fs::write(dir.path().join("latency.csv"), latency_csv(None)).unwrap();
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 45);
    let (status, message, _) = item(&run(dir.path(), config, LATENCY, Some(later)), LATENCY);
    assert_eq!(status, Status::Stale);
    assert!(
        message.starts_with("stale evidence: `latency.csv` was last modified"),
        "{message}"
    );
    assert!(
        message.contains("(45 days ago), longer ago than the item's evidence TTL of 30 days"),
        "{message}"
    );
}

fn k6_fixture(dir: &Path) {
    std::fs::copy(
        workspace().join("tests/testdata/load/k6-summary-export.json"),
        dir.join("k6.json"),
    )
    .unwrap();
}

#[test]
fn the_k6_summary_passes_with_headroom() {
    let dir = tempfile::tempdir().unwrap();
    k6_fixture(dir.path());
    let config = "[inputs.load]\npath = \"k6.json\"\n[checks.\"code.testing.load\"]\nexpected_peak_rps = 400.0\n";
    let (status, message, values) = item(&run(dir.path(), config, LOAD, None), LOAD);
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(
        message,
        "sustained 601.4 req/s (required 600.0: 1.5 × the expected peak of 400) with error rate 0.0021"
    );
    assert_eq!(values["format"], "k6");
    assert_eq!(values["requests"], 180_412);
    assert_eq!(values["p95_ms"], 48.31);
    // A busier expected peak needs more than the test achieved.
    let config = "[inputs.load]\npath = \"k6.json\"\n[checks.\"code.testing.load\"]\nexpected_peak_rps = 500.0\n";
    let (status, message, _) = item(&run(dir.path(), config, LOAD, None), LOAD);
    assert_eq!(status, Status::Fail);
    assert!(
        message.starts_with("throughput 601.4 req/s is below the required 750.0 req/s"),
        "{message}"
    );
}

#[test]
fn generic_summaries_fail_on_throughput_and_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let write = |json: &str| std::fs::write(dir.path().join("load.json"), json).unwrap();
    let config = "[inputs.load]\npath = \"load.json\"\n[checks.\"code.testing.load\"]\nexpected_peak_rps = 100.0\n";
    write(r#"{"throughput_rps": 180.0, "error_rate": 0.002, "duration_s": 600}"#);
    let (status, message, values) = item(&run(dir.path(), config, LOAD, None), LOAD);
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(values["format"], "generic");
    assert_eq!(values["duration_s"], 600.0);
    write(r#"{"throughput_rps": 120.0, "error_rate": 0.0}"#);
    let (status, message, _) = item(&run(dir.path(), config, LOAD, None), LOAD);
    assert_eq!(status, Status::Fail);
    assert!(
        message.starts_with("throughput 120.0 req/s is below"),
        "{message}"
    );
    write(r#"{"throughput_rps": 180.0, "error_rate": 0.05}"#);
    let (status, message, _) = item(&run(dir.path(), config, LOAD, None), LOAD);
    assert_eq!(status, Status::Fail);
    assert_eq!(
        message,
        "error rate 0.0500 is above the maximum 0.01 at 180.0 req/s"
    );
    // Malformed: located.
    write("{\"throughput_rps\": 180.0,\n \"error_rate\": 5}");
    let (status, message, _) = item(&run(dir.path(), config, LOAD, None), LOAD);
    assert_eq!(status, Status::Error);
    assert_eq!(
        message,
        "load.json:2:2: `error_rate` is 5: expected a fraction from 0 to 1"
    );
}

#[test]
fn an_unset_expected_peak_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    k6_fixture(dir.path());
    let (status, message, _) = item(
        &run(
            dir.path(),
            "[inputs.load]\npath = \"k6.json\"\n",
            LOAD,
            None,
        ),
        LOAD,
    );
    assert_eq!(status, Status::Error);
    assert_eq!(
        message,
        "item `code.testing.load`: `expected_peak_rps` is not set: add `expected_peak_rps = <requests per second>` to [checks.\"code.testing.load\"]"
    );
}

/// Runs a real Chaos Toolkit experiment in `dir`, writing `journals/<name>`.
fn chaos_run(dir: &Path, name: &str) -> serde_json::Value {
    let chaos = workspace().join("target/py-tools-venv/bin/chaos");
    assert!(
        chaos.is_file(),
        "`{}` is missing: run `bash .ci/run` to create the test tools' virtual environment",
        chaos.display()
    );
    let experiment = serde_json::json!({
        "version": "1.0.0",
        "title": "Order gateway survives a restart",
        "description": "The steady-state probe and the method run /bin/true: no network, no service.",
        "steady-state-hypothesis": {
            "title": "the gateway answers",
            "probes": [{
                "type": "probe", "name": "gateway-answers", "tolerance": 0,
                "provider": {"type": "process", "path": "/bin/true"}
            }]
        },
        "method": [{
            "type": "action", "name": "restart-gateway",
            "provider": {"type": "process", "path": "/bin/true"}
        }]
    });
    std::fs::write(
        dir.join("experiment.json"),
        serde_json::to_string_pretty(&experiment).unwrap(),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("journals")).unwrap();
    let out = Command::new(&chaos)
        .args([
            "--no-version-check",
            "--no-log-file",
            "run",
            "experiment.json",
        ])
        .arg("--journal-path")
        .arg(format!("journals/{name}"))
        .current_dir(dir)
        // chaos reads its settings under the home directory.
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chaos run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("journals").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_real_chaos_run_passes_and_damaged_or_old_journals_fail() {
    let dir = tempfile::tempdir().unwrap();
    let journal = chaos_run(dir.path(), "gateway.json");
    assert_eq!(journal["status"], "completed");
    let config = "[inputs.chaos]\npaths = [\"journals/*.json\"]\n";
    let report = run(dir.path(), config, CHAOS, None);
    let (status, message, values) = item(&report, CHAOS);
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(
        message,
        "all 1 chaos experiments completed and held their steady state within 30d"
    );
    let experiment = &values["experiments"][0];
    assert_eq!(experiment["title"], "Order gateway survives a restart");
    assert_eq!(experiment["status"], "completed");
    assert_eq!(experiment["deviated"], false);
    assert_eq!(experiment["steady_state_before"], true);
    assert_eq!(experiment["steady_state_after"], true);
    // The same instant (jiff writes no trailing zeros of the fraction).
    let end: jiff::Timestamp = experiment["end"].as_str().unwrap().parse().unwrap();
    let journal_end: jiff::Timestamp = journal["end"].as_str().unwrap().parse().unwrap();
    assert_eq!(end, journal_end);
    let artifacts = &report
        .item(CHAOS)
        .unwrap()
        .evidence
        .as_ref()
        .unwrap()
        .artifacts;
    assert_eq!(artifacts[0].path, "journals/gateway.json");
    assert!(artifacts[0].sha256.starts_with("sha256:"));

    // The same run, edited: it deviated and the hypothesis failed afterwards.
    let mut deviated = journal.clone();
    deviated["status"] = "failed".into();
    deviated["deviated"] = true.into();
    deviated["steady_states"]["after"]["steady_state_met"] = false.into();
    std::fs::write(
        dir.path().join("journals/gateway-deviated.json"),
        serde_json::to_string_pretty(&deviated).unwrap(),
    )
    .unwrap();
    let (status, message, values) = item(&run(dir.path(), config, CHAOS, None), CHAOS);
    assert_eq!(status, Status::Fail);
    assert_eq!(
        message,
        "1 of 2 chaos experiments do not count: `Order gateway survives a restart` in `journals/gateway-deviated.json`: status failed, deviated, steady state not met after the method"
    );
    assert_eq!(
        (values["count"].as_u64(), values["passed"].as_u64()),
        (Some(2), Some(1))
    );
    // Pinned 40 days after the run: a failing experiment still fails the
    // item, however old.
    let end: jiff::Timestamp = journal["end"].as_str().unwrap().parse().unwrap();
    let later = end + jiff::SignedDuration::from_hours(24 * 40);
    let (status, message, _) = item(&run(dir.path(), config, CHAOS, Some(later)), CHAOS);
    assert_eq!(status, Status::Fail, "{message}");
    std::fs::remove_file(dir.path().join("journals/gateway-deviated.json")).unwrap();

    // One that held, ended longer ago than `max_age`: stale evidence, unless allowed.
    let (status, message, values) = item(&run(dir.path(), config, CHAOS, Some(later)), CHAOS);
    assert_eq!(status, Status::Stale);
    assert!(message.contains("stale: ended"), "{message}");
    assert!(message.ends_with("; run them again"), "{message}");
    assert_eq!(values["experiments"][0]["age_days"], 40);
    let relaxed = format!("{config}[checks.\"code.testing.chaos\"]\nmax_age = \"60d\"\n");
    let (status, message, _) = item(&run(dir.path(), &relaxed, CHAOS, Some(later)), CHAOS);
    assert_eq!(status, Status::Pass, "{message}");
}

#[test]
fn chaos_inputs_and_params_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("journals")).unwrap();
    let config = "[inputs.chaos]\npaths = [\"journals/*.json\"]\n";
    let (status, message, _) = item(&run(dir.path(), config, CHAOS, None), CHAOS);
    assert_eq!(status, Status::Error);
    assert!(
        message.contains("`journals/*.json` matches no file"),
        "{message}"
    );
    std::fs::write(dir.path().join("journals/j.json"), "{\"status\": \"done\"}").unwrap();
    let (status, message, _) = item(&run(dir.path(), config, CHAOS, None), CHAOS);
    assert_eq!(status, Status::Error);
    assert!(
        message.starts_with("journals/j.json:1:2: unknown `status` `done`"),
        "{message}"
    );
    let bad_age = format!("{config}[checks.\"code.testing.chaos\"]\nmax_age = \"1 month\"\n");
    let (status, message, _) = item(&run(dir.path(), &bad_age, CHAOS, None), CHAOS);
    assert_eq!(status, Status::Error);
    assert!(
        message.starts_with("item `code.testing.chaos`: `max_age`: "),
        "{message}"
    );
}

/// Writes `dir/orders.hlog` with the real `HistogramLogWriter` of the Python
/// package `hdrhistogram` and returns the quantiles the package itself
/// computes (`get_value_at_percentile` of the merged histogram of each tag,
/// in nanoseconds): three 10-second intervals of `submit-order` (1 to 300 ms,
/// 100 values each) and of `cancel-order` (about 5 ms, one 250 ms outlier),
/// plus one untagged interval of 2 ms values.
fn python_hlog(dir: &Path) -> serde_json::Value {
    let python = workspace().join("target/py-tools-venv/bin/python");
    assert!(
        python.is_file(),
        "`{}` is missing: run `bash .ci/run` to create the test tools' virtual environment",
        python.display()
    );
    // hdrhistogram 0.10.8's writer has no tag parameter (its reader reads
    // the `Tag=<name>,` prefix of the Java writer), so the script prefixes
    // the lines the writer wrote; its `output_start_time` fails on
    // `datetime.fromtimestamp` of milliseconds, so the header is a comment.
    let script = r#"
import io, json, sys
from hdrh.histogram import HdrHistogram
from hdrh.log import HistogramLogWriter

HOUR_NS = 3600 * 10**9
def values(tag, k):
    if tag == "submit-order":
        return [(k * 100 + i) * 1_000_000 for i in range(1, 101)]
    if tag is None:
        return [2_000_000] * 50
    return [5_000_000 + 1_000 * i for i in range(99)] + [250_000_000 if k == 1 else 6_000_000]

def interval(h, start):
    buf = io.StringIO()
    HistogramLogWriter(buf).output_interval_histogram(h, start, start + 10.0)
    return buf.getvalue()

with open(sys.argv[1], "w") as out:
    w = HistogramLogWriter(out)
    w.output_log_format_version()
    w.output_comment("[StartTime: 1700000000.000 (seconds since epoch), 2023-11-14 22:13:20]")
    w.output_base_time(1_700_000_000_000)
    w.output_legend()
    merged = {}
    for k in range(3):
        for tag in ["submit-order", "cancel-order"]:
            h = HdrHistogram(1, HOUR_NS, 3)
            for v in values(tag, k):
                h.record_value(v)
            out.write("Tag=%s,%s" % (tag, interval(h, 10.0 * k)))
            merged.setdefault(tag, HdrHistogram(1, HOUR_NS, 3)).add(h)
    h = HdrHistogram(1, HOUR_NS, 3)
    for v in values(None, 0):
        h.record_value(v)
    out.write(interval(h, 30.0))
print(json.dumps({tag: {
    "count": h.get_total_count(),
    "ns": [h.get_value_at_percentile(p) for p in (50, 90, 99, 99.9)],
    "max_ns": h.get_max_value(),
} for tag, h in merged.items()}))
"#;
    let out = Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(dir.join("orders.hlog"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the Python package `hdrhistogram` (pinned in `.ci/run`; run `bash .ci/run` to install it) failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_real_python_hdrhistogram_log_is_judged_per_tag() {
    let dir = tempfile::tempdir().unwrap();
    let expected = python_hlog(dir.path());
    let config = "[inputs.latency]\npath = \"orders.hlog\"\n[checks.\"code.testing.performance-latency\"]\nmax_p99_ms = 300.0\npaths = [\"submit-order\", \"cancel-order\"]\n";
    let report = run(dir.path(), config, LATENCY, None);
    let (status, message, values) = item(&report, LATENCY);
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(values["format"], "hlog");
    assert_eq!(values["samples"], 650);
    // The untagged interval belongs to the file stem.
    let names: Vec<&str> = values["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cancel-order", "orders", "submit-order"]);
    // The quantiles are the Python package's own, in milliseconds.
    for (index, tag) in [(0, "cancel-order"), (2, "submit-order")] {
        let path = &values["paths"][index];
        let want = &expected[tag];
        assert_eq!(path["count"], want["count"], "{tag}");
        let ns = want["ns"].as_array().unwrap();
        let keys = ["p50_ms", "p90_ms", "p99_ms", "p999_ms"];
        for (key, ns) in keys
            .iter()
            .zip(ns)
            .chain([("max_ms", &want["max_ns"])].iter().map(|(k, v)| (k, *v)))
        {
            let got = path[*key].as_f64().unwrap();
            let want = ns.as_f64().unwrap() / 1e6;
            assert!(
                (got - want).abs() < 1e-9,
                "{tag} {key}: {got} ms, Python says {want} ms"
            );
        }
    }
    assert!(
        message.starts_with("p99 latency at most 300 ms on all 3 paths (worst 297."),
        "{message}"
    );

    // The default limit of 100 ms fails `submit-order` (p99 about 297 ms);
    // `path_for_untagged` renames the untagged path.
    let config = "[inputs.latency]\npath = \"orders.hlog\"\npath_for_untagged = \"gateway\"\n";
    let (status, message, values) = item(&run(dir.path(), config, LATENCY, None), LATENCY);
    assert_eq!(status, Status::Fail);
    assert!(
        message.starts_with("p99 latency over 100 ms on 1 of 3 paths: `submit-order` 297."),
        "{message}"
    );
    assert_eq!(values["over"], serde_json::json!(["submit-order"]));
    assert_eq!(values["paths"][1]["path"], "gateway");
    // Recorded in microseconds, every value is a thousand times larger.
    let config = "[inputs.latency]\npath = \"orders.hlog\"\nunit = \"us\"\n[checks.\"code.testing.performance-latency\"]\nmax_p99_ms = 400000.0\n";
    let (status, message, values) = item(&run(dir.path(), config, LATENCY, None), LATENCY);
    assert_eq!(status, Status::Pass, "{message}");
    let p99 = values["paths"][2]["p99_ms"].as_f64().unwrap();
    let python_p99 = expected["submit-order"]["ns"][2].as_f64().unwrap() / 1e3;
    assert!((p99 - python_p99).abs() < 1e-6, "{p99} vs {python_p99}");

    // A damaged histogram is an error at its line, never a pass.
    let log = std::fs::read_to_string(dir.path().join("orders.hlog")).unwrap();
    let damaged = log.replacen(",HISTF", ",HISTF!", 1);
    std::fs::write(dir.path().join("orders.hlog"), damaged).unwrap();
    let config = "[inputs.latency]\npath = \"orders.hlog\"\n";
    let (status, message, _) = item(&run(dir.path(), config, LATENCY, None), LATENCY);
    assert_eq!(status, Status::Error);
    assert!(message.starts_with("orders.hlog:5:"), "{message}");
    assert!(
        message.ends_with("the histogram is not base64"),
        "{message}"
    );
    // So is a line that is no interval, and a CSV-only setting on a log.
    std::fs::write(
        dir.path().join("orders.hlog"),
        log.replacen("Tag=cancel-order,10.0", "Tag=cancel-order,ten", 1),
    )
    .unwrap();
    let (status, message, _) = item(&run(dir.path(), config, LATENCY, None), LATENCY);
    assert_eq!(status, Status::Error);
    assert!(
        message.starts_with("orders.hlog:8: expected an interval"),
        "{message}"
    );
    std::fs::write(dir.path().join("latency.csv"), latency_csv(None)).unwrap();
    let config = "[inputs.latency]\npath = \"latency.csv\"\nunit = \"us\"\n";
    let (status, message, _) = item(&run(dir.path(), config, LATENCY, None), LATENCY);
    assert_eq!(status, Status::Error);
    assert!(
        message.contains("`unit` and `path_for_untagged` apply to HdrHistogram interval logs"),
        "{message}"
    );
}
