//! The risk limit probes as a risk manager meets them: a `risk.toml` in a
//! temporary project, judged through the registry and runner.

use std::fmt::Write as _;

use preflight_core::select::Selection;
use preflight_core::{Config, FixedClock, Registry, Report, ReportItem, Runner, Status};

const LIMITS: &str = r#"
capital = 5_000_000.0
restricted = ["XYZQ"]

[global]
max_order_quantity = 2_000
max_order_notional = 400_000.0
max_position = 10_000
max_position_notional = 1_500_000.0
max_gross_exposure = 6_000_000.0
max_net_exposure = 3_000_000.0
max_leverage = 1.2
leverage_cap = 2.0
daily_loss_limit = 75_000.0
max_drawdown = 0.08
max_pairwise_correlation = 0.8

[instrument.NVDA]
max_order_quantity = 1_000
max_position = 5_000
"#;

const IDS: [&str; 4] = [
    "strategy.risk.max-portfolio-exposure",
    "strategy.risk.leverage-limits",
    "trading.controls.loss-limits",
    "trading.controls.max-position-sizes",
];

fn run(limits: Option<&str>) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let mut config = String::from("[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n");
    if let Some(limits) = limits {
        std::fs::write(dir.path().join("risk.toml"), limits).unwrap();
        config.push_str("[inputs.risk_limits]\npath = \"risk.toml\"\n");
    }
    let mut config = Config::parse(&config, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    Runner::new(&registry, config)
        .clock(FixedClock("2026-11-24T12:00:00Z".parse().unwrap()))
        .selection(Selection::default().with_ids(IDS).unwrap())
        .run()
        .unwrap()
}

fn item<'r>(report: &'r Report, id: &str) -> &'r ReportItem {
    report
        .item(id)
        .unwrap_or_else(|| panic!("{id} in the report"))
}

#[test]
fn consistent_limits_pass_with_the_file_as_evidence() {
    let report = run(Some(LIMITS));
    for id in IDS {
        let item = item(&report, id);
        assert_eq!(item.status, Status::Pass, "{id}: {}", item.message);
        let evidence = item.evidence.as_ref().unwrap();
        assert_eq!(evidence.values["violation_count"], 0);
        assert_eq!(evidence.artifacts[0].path, "risk.toml");
    }
    let leverage = item(&report, "strategy.risk.leverage-limits");
    assert_eq!(
        leverage.evidence.as_ref().unwrap().values["limits"]["max_leverage"],
        1.2
    );
}

#[test]
fn each_inconsistency_fails_its_item_naming_the_keys() {
    let broken = LIMITS
        .replace(
            "max_net_exposure = 3_000_000.0",
            "max_net_exposure = 9_000_000.0",
        )
        .replace("max_leverage = 1.2", "max_leverage = 2.5")
        .replace(
            "daily_loss_limit = 75_000.0",
            "daily_loss_limit = 500_000.0",
        )
        .replace("max_position = 5_000", "max_position = 50_000");
    let report = run(Some(&broken));
    let keys = |id: &str| -> Vec<String> {
        let values = &item(&report, id).evidence.as_ref().unwrap().values;
        values["violations"][0]["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect()
    };
    for id in IDS {
        assert_eq!(item(&report, id).status, Status::Fail, "{id}");
    }
    assert_eq!(
        keys("strategy.risk.max-portfolio-exposure"),
        ["global.max_net_exposure", "global.max_gross_exposure"]
    );
    assert_eq!(
        keys("strategy.risk.leverage-limits"),
        ["global.max_leverage", "global.leverage_cap"]
    );
    assert_eq!(
        keys("trading.controls.loss-limits"),
        ["global.daily_loss_limit", "global.max_drawdown", "capital"]
    );
    assert_eq!(
        keys("trading.controls.max-position-sizes"),
        ["instrument.NVDA.max_position", "global.max_position"]
    );
}

#[test]
fn a_missing_or_malformed_file_is_an_error_never_a_pass() {
    let report = run(None);
    for id in IDS {
        let item = item(&report, id);
        assert_eq!(item.status, Status::Error, "{id}");
        assert!(
            item.message.contains("[inputs.risk_limits]"),
            "{}",
            item.message
        );
    }
    let report = run(Some(&LIMITS.replace("max_leverage", "max_levrage")));
    let item = item(&report, "strategy.risk.leverage-limits");
    assert_eq!(item.status, Status::Error);
    assert!(
        item.message.starts_with("risk.toml:12: "),
        "{}",
        item.message
    );
    assert!(
        item.message.contains("unknown field `max_levrage`"),
        "{}",
        item.message
    );
}

fn run_with(files: &[(&str, &str)], inputs: &str, ids: &[&str]) -> Report {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("risk.toml"), LIMITS).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let text = format!(
        "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n[inputs.risk_limits]\npath = \"risk.toml\"\n{inputs}"
    );
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    Runner::new(&registry, config)
        .selection(Selection::default().with_ids(ids.iter().copied()).unwrap())
        .run()
        .unwrap()
}

#[test]
fn the_backtest_history_is_judged_against_the_limits_date_by_date() {
    let within = "date,symbol,position,price,order_quantity\n\
        2024-01-02,AAPL,4000,180.0,1500\n2024-01-02,NVDA,2000,500.0,800\n\
        2024-01-03,AAPL,6000,182.0,2000\n2024-01-03,NVDA,-1000,505.0,1000\n";
    let breaching = "date,symbol,position,price,order_quantity\n\
        2024-01-02,AAPL,4000,180.0,1500\n2024-01-02,NVDA,6000,500.0,800\n\
        2024-01-03,AAPL,9000,182.0,2500\n2024-01-03,XYZQ,10,3.0,10\n";
    let inputs = "[inputs.position_history]\npath = \"history.csv\"\n";
    let id = "strategy.risk.validated-in-backtest";
    let report = run_with(&[("history.csv", within)], inputs, &[id]);
    let found_item = item(&report, id);
    assert_eq!(found_item.status, Status::Pass, "{}", found_item.message);
    assert_eq!(found_item.evidence.as_ref().unwrap().values["days"], 2);

    let report = run_with(&[("history.csv", breaching)], inputs, &[id]);
    let found_item = item(&report, id);
    assert_eq!(found_item.status, Status::Fail, "{}", found_item.message);
    let breaches = found_item.evidence.as_ref().unwrap().values["breaches"]
        .as_array()
        .unwrap()
        .clone();
    let found: Vec<(String, String)> = breaches
        .iter()
        .map(|b| {
            (
                b["date"].as_str().unwrap().to_owned(),
                b["limit"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // NVDA over its own position limit (5 000) and notional; AAPL's order
    // above the global order size; a restricted symbol held.
    assert!(
        found.contains(&("2024-01-02".into(), "instrument.NVDA.max_position".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("2024-01-02".into(), "global.max_position_notional".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("2024-01-03".into(), "global.max_order_quantity".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("2024-01-03".into(), "restricted".into())),
        "{found:?}"
    );
    assert!(
        found_item.message.contains("first on 2024-01-02"),
        "{}",
        found_item.message
    );

    let bad = within.replace("182.0", "n/a");
    let report = run_with(&[("history.csv", &bad)], inputs, &[id]);
    let found_item = item(&report, id);
    assert_eq!(found_item.status, Status::Error);
    assert!(
        found_item.message.contains("history.csv:4:4"),
        "{}",
        found_item.message
    );
}

#[test]
fn held_pairs_respect_the_correlation_limit() {
    let id = "strategy.risk.correlation-limits";
    let mut returns = String::from("date,AAPL,MSFT,GLD\n");
    let mut day = jiff::civil::date(2024, 1, 1);
    for i in 0..60_i32 {
        let base = f64::from((i * 37) % 19 - 9) / 1000.0;
        let other = f64::from((i * 11) % 13 - 6) / 1000.0;
        let _ = writeln!(returns, "{day},{base},{},{other}", base * 0.9 + other * 0.1);
        day = day.tomorrow().unwrap();
    }
    let inputs = "[inputs.positions]\npath = \"positions.csv\"\n[inputs.instrument_returns]\npath = \"returns.csv\"\n";
    let both = "symbol,position\nAAPL,100\nMSFT,200\nGLD,0\n";
    let report = run_with(
        &[("positions.csv", both), ("returns.csv", &returns)],
        inputs,
        &[id],
    );
    let found_item = item(&report, id);
    assert_eq!(found_item.status, Status::Fail, "{}", found_item.message);
    assert!(
        found_item.message.contains("AAPL/MSFT"),
        "{}",
        found_item.message
    );

    let diversified = "symbol,position\nAAPL,100\nMSFT,0\nGLD,50\n";
    let report = run_with(
        &[("positions.csv", diversified), ("returns.csv", &returns)],
        inputs,
        &[id],
    );
    let found_item = item(&report, id);
    assert_eq!(found_item.status, Status::Pass, "{}", found_item.message);
    assert_eq!(
        found_item.evidence.as_ref().unwrap().values["held"],
        serde_json::json!(["AAPL", "GLD"])
    );
}
