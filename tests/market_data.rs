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

const MISSING: &str = "data.sources.missing-data-handling";
const BACKFILL: &str = "trading.market-data.historical-backfill";

#[test]
fn coverage_of_the_calendar_sessions() {
    let report = run(&clean(), "calendar = \"XNYS\"\n", &[MISSING, BACKFILL]);
    let item = report.item(MISSING).unwrap();
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert_eq!(
        item.message,
        "8 1d bars of 2 symbols cover 4 XNYS sessions from 2025-01-27 to 2025-01-30 (0 missing)"
    );
    let values = &item.evidence.as_ref().unwrap().values;
    assert_eq!(values["expected_bars"], 8);
    assert_eq!(values["gap_count"], 0);
    // Four sessions are not a backfilled history.
    let item = report.item(BACKFILL).unwrap();
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert_eq!(
        item.message,
        "the history holds 4 sessions (2025-01-27 to 2025-01-30), fewer than the 252 required"
    );

    // The history runs to the Saturday: Friday's bars are missing, and a
    // bar on the Saturday is outside every session; a bar before the
    // history is left out.
    let bars = format!("{}2025-02-01,AAPL,100,101,99,100,10\n", clean()).replacen(
        "2025-01-27,AAPL",
        "2025-01-24,AAPL,100,101,99,100,10\n2025-01-27,AAPL",
        1,
    );
    let report = run(
        &bars,
        "calendar = \"XNYS\"\nfrom = \"2025-01-27\"\nto = \"2025-02-01\"\n",
        &[MISSING],
    );
    let item = report.item(MISSING).unwrap();
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert_eq!(
        item.message,
        "1 bars lie outside the XNYS sessions; first on line 11 (2025-02-01T00:00:00Z, AAPL): \
         2025-02-01 is not a session: weekend; 2 of 10 bars missing (20.0000 %, at most 0.0000 %) \
         in 2 gaps; first gap: AAPL 2025-01-31 (1 bars)"
    );
}

#[test]
fn coverage_needs_its_settings() {
    let (status, message) = report_item(&clean(), MISSING);
    assert_eq!(status, Status::Error);
    assert!(message.contains("set `calendar`"), "{message}");
    for (settings, expected) in [
        (
            "calendar = \"XNYS\"\ninterval = \"1m\"\n",
            "bars.csv:1:1: the bars are daily (a `date` column) but the coverage asks for an intraday `interval`",
        ),
        ("calendar = \"XTSE\"\n", "`calendar`: calendar `XTSE`"),
        (
            "interval = \"1m\"\n",
            "`interval` is a coverage setting: set `calendar`",
        ),
        (
            "calendar = \"XNYS\"\nfrom = \"1985-01-02\"\n",
            "the history: calendar `XNYS`",
        ),
        (
            "calendar = \"XNYS\"\nbogus = 1\n",
            "unknown key `bogus` in [inputs.bars]",
        ),
    ] {
        let report = run(&clean(), settings, &[MISSING]);
        let item = report.item(MISSING).unwrap();
        assert_eq!(item.status, Status::Error, "{settings}: {}", item.message);
        assert!(
            item.message.contains(expected),
            "{settings}: {}",
            item.message
        );
    }
}

const BACKUP: &str = "data.sources.backup-sources";

/// Runs the backup comparison of `clean()` as the primary and `backup`.
fn compare_backup(backup: &str, extra: &str) -> (Status, String, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bars.csv"), clean()).unwrap();
    std::fs::write(dir.path().join("vendor-b.csv"), backup).unwrap();
    let text = format!(
        "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n[inputs.bars]\npath = \"bars.csv\"\n\
         [inputs.bars_backup]\npath = \"vendor-b.csv\"\n{extra}"
    );
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    let report = Runner::new(&registry, config)
        .selection(Selection::default().with_ids([BACKUP]).unwrap())
        .run()
        .unwrap();
    let item = report.item(BACKUP).unwrap();
    let values = item.evidence.as_ref().map_or(serde_json::Value::Null, |e| {
        serde_json::to_value(&e.values).unwrap()
    });
    (item.status, item.message.clone(), values)
}

#[test]
fn a_backup_source_agrees_on_the_bars_both_have() {
    // Another vendor: other volumes, columns in another order, one day less
    // and one more.
    let mut backup = String::from("symbol,date,close,open,high,low,volume\n");
    for line in clean().lines().skip(3) {
        let f: Vec<&str> = line.split(',').collect();
        writeln!(
            backup,
            "{},{},{},{},{},{},7",
            f[1], f[0], f[5], f[2], f[3], f[4]
        )
        .unwrap();
    }
    backup += "AAPL,2025-01-31,104,103,105,102,7\n";
    let (status, message, values) = compare_backup(&backup, "");
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(
        message,
        "the backup agrees with the primary on 6 overlapping bars (2 only in the primary, 1 only in the backup)"
    );
    assert_eq!(values["overlapping"], 6);

    // With volumes compared, every bar differs.
    let (status, message, _) = compare_backup(
        &backup,
        "[checks.\"data.sources.backup-sources\"]\ncompare_volume = true\n",
    );
    assert_eq!(status, Status::Fail, "{message}");
    assert!(
        message.starts_with("6 of 6 overlapping bars differ by more than 0.1 %"),
        "{message}"
    );

    // A close 1 % off.
    let off = backup.replace("MSFT,2025-01-29,49.9,", "MSFT,2025-01-29,50.4,");
    let (status, message, values) = compare_backup(&off, "");
    assert_eq!(status, Status::Fail, "{message}");
    assert_eq!(
        message,
        "1 of 6 overlapping bars differ by more than 0.1 %; first on line 7 \
         (2025-01-29T00:00:00Z, MSFT): close 49.9 here, 50.4 in the backup"
    );
    assert_eq!(values["first"][0]["field"], "close");
}

#[test]
fn a_backup_that_shares_nothing_or_is_missing_fails_closed() {
    let other = "date,symbol,open,high,low,close,volume\n2024-01-02,AAPL,1,2,0.5,1.5,10\n";
    let (status, message, _) = compare_backup(other, "");
    assert_eq!(status, Status::Fail);
    assert!(message.contains("share no bar"), "{message}");

    let intraday =
        "timestamp,symbol,open,high,low,close,volume\n2025-01-27T14:30:00Z,AAPL,1,2,0.5,1.5,10\n";
    let (status, message, _) = compare_backup(intraday, "");
    assert_eq!(status, Status::Error);
    assert!(
        message.contains("has daily bars but `vendor-b.csv` has intraday"),
        "{message}"
    );

    let twice = "date,symbol,open,high,low,close,volume\n2025-01-27,AAPL,1,2,0.5,1.5,10\n2025-01-27,AAPL,1,2,0.5,1.5,10\n";
    let (status, message, _) = compare_backup(twice, "");
    assert_eq!(status, Status::Error);
    assert!(
        message.starts_with("vendor-b.csv:3:1: a second bar"),
        "{message}"
    );

    let (status, message) = report_item(&clean(), BACKUP);
    assert_eq!(status, Status::Error);
    assert!(message.contains("bars_backup"), "{message}");
}
