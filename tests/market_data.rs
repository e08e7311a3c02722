//! Market data as a data engineer meets it: a file of OHLCV bars checked
//! through the registry and runner, its defects listed by rule and line.

use std::fmt::Write as _;

use preflight_core::select::Selection;
use preflight_core::{Config, Registry, Report, Runner, Status};

const QUALITY: &str = "data.sources.quality-checks";
const VALIDATION: &str = "data.pipeline.validation-rules";

/// Runs `ids` on `bars` as `bars.csv`, with more configuration `extra`.
fn run(bars: &str, extra: &str, ids: &[&str]) -> Report {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bars.csv"), bars).unwrap();
    let text = format!(
        "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n[inputs.bars]\npath = \"bars.csv\"\n{extra}"
    );
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    Runner::new(&registry, config)
        .selection(Selection::default().with_ids(ids.iter().copied()).unwrap())
        .run()
        .unwrap()
}

/// A week of clean daily bars of two symbols.
fn clean() -> String {
    let mut csv = String::from("date,symbol,open,high,low,close,volume\n");
    for (day, (a, b)) in [(101.0, 50.0), (102.5, 50.5), (101.8, 49.9), (103.0, 51.2)]
        .iter()
        .enumerate()
    {
        let date = format!("2025-01-{:02}", 27 + day);
        writeln!(csv, "{date},AAPL,{a},{},{},{a},1000", a + 1.0, a - 1.0).unwrap();
        writeln!(csv, "{date},MSFT,{b},{},{},{b},800", b + 0.5, b - 0.5).unwrap();
    }
    csv
}

#[test]
fn clean_bars_pass_both_items() {
    let report = run(&clean(), "", &[QUALITY, VALIDATION]);
    for id in [QUALITY, VALIDATION] {
        let item = report.item(id).unwrap();
        assert_eq!(item.status, Status::Pass, "{id}: {}", item.message);
        assert_eq!(item.message, "8 bars of 2 symbols pass every data rule");
        let evidence = item.evidence.as_ref().unwrap();
        assert_eq!(evidence.values["bars"], 8);
        assert_eq!(evidence.values["rules"].as_array().unwrap().len(), 8);
        assert!(evidence.artifacts[0].sha256.starts_with("sha256:"));
    }
}

#[test]
fn defects_fail_and_suspicious_bars_warn() {
    // A zero-volume bar only: suspicious, not wrong.
    let quiet = clean().replace(
        "2025-01-28,MSFT,50.5,51,50,50.5,800",
        "2025-01-28,MSFT,50.5,51,50,50.5,0",
    );
    let report = run(&quiet, "", &[QUALITY, VALIDATION]);
    let quality = report.item(QUALITY).unwrap();
    assert_eq!(quality.status, Status::Warn, "{}", quality.message);
    assert_eq!(
        quality.message,
        "8 bars pass the data rules, but: 1 zero_volume (first on line 5, MSFT: volume 0)"
    );
    let validation = report.item(VALIDATION).unwrap();
    assert_eq!(validation.status, Status::Fail, "{}", validation.message);
    assert_eq!(
        validation.evidence.as_ref().unwrap().values["failing"][0],
        "zero_volume"
    );
    // Allowed on purpose.
    let report = run(
        &quiet,
        "[checks.\"data.pipeline.validation-rules\"]\nallow = [\"zero_volume\"]\n",
        &[VALIDATION],
    );
    assert_eq!(report.item(VALIDATION).unwrap().status, Status::Pass);

    // A high below the close: wrong data.
    let wrong = clean().replace(
        "2025-01-29,AAPL,101.8,102.8,",
        "2025-01-29,AAPL,101.8,101.0,",
    );
    let item = report_item(&wrong, QUALITY);
    assert_eq!(item.0, Status::Fail);
    assert!(
        item.1.starts_with("1 ohlc_inconsistent (first on line 6, AAPL: open 101.8, high 101, low 100.8, close 101.8)"),
        "{}",
        item.1
    );
}

fn report_item(bars: &str, id: &str) -> (Status, String) {
    let report = run(bars, "", &[id]);
    let item = report.item(id).unwrap();
    (item.status, item.message.clone())
}

#[test]
fn malformed_or_missing_bars_are_errors_never_a_pass() {
    let (status, message) = report_item("date,symbol,open,high,low,close\n", QUALITY);
    assert_eq!(status, Status::Error);
    assert_eq!(message, "bars.csv:1:1: no column `volume`");
    let (status, message) = report_item(
        &clean().replace("2025-01-30,MSFT", "30/01/2025,MSFT"),
        QUALITY,
    );
    assert_eq!(status, Status::Error);
    assert_eq!(message, "bars.csv:9:1: expected a date YYYY-MM-DD");
    let (status, message) = report_item("date,symbol,open,high,low,close,volume\n", QUALITY);
    assert_eq!(status, Status::Fail);
    assert_eq!(
        message,
        "`bars.csv` holds no bar: there is nothing to check"
    );

    let report = run(&clean(), "", &[QUALITY]);
    assert_eq!(report.item(QUALITY).unwrap().status, Status::Pass);
    let dir = tempfile::tempdir().unwrap();
    let text = "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n[inputs.bars]\npath = \"missing.csv\"\n";
    let mut config = Config::parse(text, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    let report = Runner::new(&registry, config)
        .selection(Selection::default().with_ids([QUALITY]).unwrap())
        .run()
        .unwrap();
    let item = report.item(QUALITY).unwrap();
    assert_eq!(item.status, Status::Error);
    assert!(
        item.message.contains("cannot read `missing.csv`"),
        "{}",
        item.message
    );
}

#[test]
fn thresholds_and_unknown_rules_are_configuration() {
    // 102.5 -> 101.8 is a 0.7 % move: extreme at a 0.5 % threshold.
    let report = run(&clean(), "extreme_return = 0.005\n", &[QUALITY]);
    let item = report.item(QUALITY).unwrap();
    assert_eq!(item.status, Status::Warn, "{}", item.message);
    assert!(item.message.contains("extreme_returns"), "{}", item.message);

    let report = run(
        &clean(),
        "[checks.\"data.sources.quality-checks\"]\nallow = [\"zero-volume\"]\n",
        &[QUALITY],
    );
    let item = report.item(QUALITY).unwrap();
    assert_eq!(item.status, Status::Error);
    assert!(
        item.message
            .contains("unknown rule `zero-volume` (expected one of non_finite,"),
        "{}",
        item.message
    );
}
