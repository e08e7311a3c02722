//! The risk limit probes as a risk manager meets them: a `risk.toml` in a
//! temporary project, judged through the registry and runner.

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
