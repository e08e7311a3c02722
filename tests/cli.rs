//! The command line as an operator uses it, through the demo desk's binary.

use std::path::PathBuf;
use std::process::{Command, Output};

use preflight_core::{Report, Status};

/// `cargo test` builds the examples before it runs the tests; they sit beside the test binaries.
fn trading_desk() -> Command {
    let mut dir = std::env::current_exe().expect("test binary path");
    dir.pop();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let exe: PathBuf = dir
        .join("examples")
        .join(format!("trading_desk{}", std::env::consts::EXE_SUFFIX));
    assert!(
        exe.exists(),
        "{} is missing: run the tests with `cargo test --workspace`",
        exe.display()
    );
    let mut command = Command::new(exe);
    // Run where no `preflight.toml` exists, so the desk uses its embedded one.
    command
        .current_dir(std::env::temp_dir())
        .env("NO_COLOR", "1");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("the demo desk runs")
}

#[test]
fn the_json_report_shows_why_the_desk_is_not_ready() {
    let out = run(trading_desk().args(["run", "--format", "json"]));
    assert_eq!(
        out.status.code(),
        Some(1),
        "not ready: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Report = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report.schema, "preflight.report/v1");
    assert_eq!(report.project, "demo-trading-desk");
    let status = |id: &str| {
        report
            .item(id)
            .unwrap_or_else(|| panic!("{id} in the report"))
            .status
    };
    // The seed's strategy lines are probes reading the desk's research files.
    assert_eq!(status("strategy.backtest.sharpe-ratio"), Status::Pass);
    assert_eq!(status("strategy.backtest.max-drawdown"), Status::Pass);
    assert_eq!(status("code.testing.backtest-history"), Status::Fail);
    // The conformance suite runs against the desk's own risk engine, whose
    // one gap (no memory of client order IDs) shows.
    assert_eq!(status("trading.controls.trading-limits"), Status::Pass);
    assert_eq!(
        status("trading.logic.duplicate-order-prevention"),
        Status::Fail
    );
    assert_eq!(status("trading.desk.instrument-universe"), Status::Fail);
    assert_eq!(status("trading.desk.order-throttle"), Status::Warn);
    assert_eq!(status("trading.desk.fix-session"), Status::Error);
    assert_eq!(status("legal.desk.venue-agreements"), Status::Pending);
    let sharpe = report
        .item("strategy.backtest.sharpe-ratio")
        .unwrap()
        .evidence
        .as_ref()
        .unwrap();
    assert!(sharpe.values["sharpe_ratio"].as_f64().unwrap() > 1.0);
    assert!(sharpe.values["psr"].as_f64().unwrap() > 0.95);
    assert_eq!(sharpe.values["observations"], 504);
    assert_eq!(sharpe.artifacts[0].path, "returns.csv");
    assert!(sharpe.artifacts[0].sha256.starts_with("sha256:"));
    assert!(!report.decision.ready);
    assert_eq!(report.digest, report.compute_digest());
}

#[test]
fn no_arguments_runs_the_human_report() {
    let out = run(&mut trading_desk());
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("trading.desk.instrument-universe"), "{text}");
    assert!(!text.contains('\u{1b}'), "NO_COLOR is honoured");
}

#[test]
fn the_report_is_written_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    let out = run(trading_desk()
        .args(["run", "--format", "markdown", "--output"])
        .arg(&path));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("- [ ]"), "{text}");
}

#[test]
fn configuration_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("preflight.toml");
    std::fs::write(&config, "[project]\nname = \"desk\"\n\n[checks.\"trading.desk.order-throttle\"]\nvenue_limit = 10\n").unwrap();
    let out = run(trading_desk().args(["run", "--config"]).arg(&config));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("unknown key `venue_limit` in [checks.\"trading.desk.order-throttle\"] (expected `venue_limit_per_second`, `headroom_warn`)"),
        "{stderr}"
    );

    let out = run(trading_desk().args(["run", "--format", "yaml"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown format `yaml`"));

    let out = run(trading_desk().args(["frobnicate"]));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn list_prints_every_item() {
    let out = run(trading_desk().args(["list", "--format", "json"]));
    assert_eq!(out.status.code(), Some(0));
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    // The seed catalog's 240 lines, in checklist order, and the desk's own 4 items.
    assert_eq!(items.len(), 244);
    assert_eq!(items[0]["id"], "code.review.peer-reviewed");
    assert_eq!(items[243]["id"], "post-launch.month-1.plan-next-iteration");
    assert!(
        items
            .iter()
            .any(|i| i["id"] == "legal.desk.venue-agreements")
    );
    assert!(items.iter().any(|i| i["id"] == "trading.desk.fix-session"));
}

#[test]
fn explain_shows_parameters_with_their_defaults() {
    let out = run(trading_desk().args(["explain", "trading.desk.order-throttle"]));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("venue_limit_per_second = 50   (u32): The venue's order limit per second."),
        "{text}"
    );
    assert!(text.contains("headroom_warn = 0.8   (f64)"), "{text}");
    assert!(
        text.contains("references  MiFID II RTS 6 Art. 15"),
        "{text}"
    );
    assert!(
        text.contains("trading_desk waive trading.desk.order-throttle"),
        "hints name the program: {text}"
    );

    let out = run(trading_desk().args(["explain", "legal.review.legal-team-reviewed"]));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("(checklist line 184)"), "{text}");
    assert!(
        text.contains(
            "trading_desk attest legal.review.legal-team-reviewed --by NAME --role legal-compliance"
        ),
        "{text}"
    );
}

#[test]
fn the_desk_shows_the_whole_checklist_with_its_records() {
    let out = run(trading_desk().args(["run", "--format", "json"]));
    let report: Report = serde_json::from_slice(&out.stdout).expect("a JSON report");
    // 225 pre-launch lines of the seed and the desk's 4 items.
    assert_eq!(report.items.len(), 229);
    assert!(report.verify().is_empty(), "{:?}", report.verify());
    let status = |id: &str| report.item(id).unwrap().status;
    assert_eq!(status("code.review.peer-reviewed"), Status::Pass);
    assert_eq!(status("ops.docs.architecture-diagrams"), Status::Stale);
    assert_eq!(status("security.audit.penetration-testing"), Status::Waived);
    assert_eq!(
        status("strategy.model.drift-detection"),
        Status::NotApplicable
    );
    assert_eq!(status("dr.backup.failover-tested"), Status::Pending);
    // Both sign-offs signed an earlier report.
    assert_eq!(report.signoffs.len(), 2);
    assert!(report.signoffs.iter().all(|s| !s.valid));
    let human = run(&mut trading_desk());
    let text = String::from_utf8(human.stdout).unwrap();
    let stale = text
        .find("Stale records (1)")
        .expect("stale records listed");
    assert!(
        stale < text.find("1. Code Quality and Testing").unwrap(),
        "{text}"
    );
    assert!(text.contains("Risk Manager        Rita Haas"), "{text}");
}

#[test]
fn calendar_prints_the_non_regular_days() {
    let out = run(trading_desk().args([
        "calendar",
        "XNYS",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
    ]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "date,kind,open,close");
    // Ten holidays, the day of mourning for President Carter, three early closes.
    assert_eq!(lines.len(), 1 + 14, "{text}");
    assert!(lines.contains(&"2025-01-09,closed,,"), "{text}");
    assert!(
        lines.contains(
            &"2025-07-03,early-close,2025-07-03T09:30:00-04:00,2025-07-03T13:00:00-04:00"
        ),
        "{text}"
    );
    assert!(
        lines.contains(
            &"2025-11-28,early-close,2025-11-28T09:30:00-05:00,2025-11-28T13:00:00-05:00"
        ),
        "{text}"
    );

    let out = run(trading_desk().args([
        "calendar",
        "XLON",
        "--from",
        "2022-12-20",
        "--to",
        "2023-01-03",
        "--format",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(0));
    let days: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        days,
        serde_json::json!([
            {"date": "2022-12-23", "kind": "early-close",
             "open": "2022-12-23T08:00:00+00:00", "close": "2022-12-23T12:30:00+00:00"},
            {"date": "2022-12-26", "kind": "closed", "open": null, "close": null},
            {"date": "2022-12-27", "kind": "closed", "open": null, "close": null},
            {"date": "2022-12-30", "kind": "early-close",
             "open": "2022-12-30T08:00:00+00:00", "close": "2022-12-30T12:30:00+00:00"},
            {"date": "2023-01-02", "kind": "closed", "open": null, "close": null},
        ])
    );

    // By default, a year from the desk's (pinned) today.
    let out = run(trading_desk().args(["calendar", "XNAS"]));
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).lines().count() > 10);
}

#[test]
fn calendar_usage_errors_exit_2() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["calendar", "XTKS"],
            "unknown exchange code: the known codes are `XNYS`",
        ),
        (
            &["calendar", "XNYS", "--from", "2025-02-30"],
            "invalid value '2025-02-30'",
        ),
        (
            &[
                "calendar",
                "XNYS",
                "--from",
                "2025-02-01",
                "--to",
                "2025-01-01",
            ],
            "is reversed",
        ),
        (
            &[
                "calendar",
                "XNYS",
                "--from",
                "1989-12-01",
                "--to",
                "1990-01-31",
            ],
            "1989-12-01 is outside the known range 1990-01-01..=2035-12-31",
        ),
        (
            &["calendar", "XNYS", "--format", "xml"],
            "invalid value 'xml'",
        ),
    ];
    for (args, message) in cases {
        let out = run(trading_desk().args(args));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// SARIF and `JUnit` go to code scanning and CI; the exit code still says not ready.
#[test]
fn sarif_and_junit_reports_keep_the_exit_code() {
    let json = run(trading_desk().args(["run", "--format", "json"]));
    let report: Report = serde_json::from_slice(&json.stdout).expect("a JSON report");

    let out = run(trading_desk().args(["run", "--format", "sarif"]));
    assert_eq!(out.status.code(), json.status.code());
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a SARIF log");
    assert_eq!(log["version"], "2.1.0");
    let run_ = &log["runs"][0];
    assert_eq!(run_["tool"]["driver"]["name"], "preflight");
    assert!(
        run_["properties"]["digest"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:"))
    );
    let failed = report
        .items
        .iter()
        .find(|item| item.status == Status::Fail)
        .expect("the desk has a failing item");
    let results = run_["results"].as_array().unwrap();
    assert!(
        results.iter().any(|r| r["ruleId"] == *failed.meta.id),
        "{} has a result",
        failed.meta.id
    );

    let out = run(trading_desk().args(["run", "--format", "junit"]));
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(
        xml.contains(&format!(
            "<testsuites name=\"preflight\" tests=\"{}\"",
            report.items.len()
        )),
        "{xml}"
    );
    assert!(xml.contains(&format!("name=\"{}\"", failed.meta.id)));
}
