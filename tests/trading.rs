//! The order log as an operations engineer meets it: a drop copy of the
//! day's orders and fills, reconciled through the registry and runner.

use preflight_core::select::Selection;
use preflight_core::{Config, Registry, Report, Runner, Status};

const ID: &str = "trading.logic.order-reconciliation";

fn run(log: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orders.csv"), log).unwrap();
    let text = "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n[inputs.order_log]\npath = \"orders.csv\"\n";
    let mut config = Config::parse(text, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    Runner::new(&registry, config)
        .selection(Selection::default().with_ids([ID]).unwrap())
        .run()
        .unwrap()
}

const CLEAN: &str = "time,event,client_order_id,quantity,decision\n\
    2025-01-27T14:30:00.000Z,risk,O1,,approve\n\
    2025-01-27T14:30:00.002Z,order,O1,300,\n\
    2025-01-27T14:30:00.150Z,fill,O1,100,\n\
    2025-01-27T14:30:00.400Z,fill,O1,200,\n\
    2025-01-27T14:31:00.000Z,risk,O2,,approve\n\
    2025-01-27T14:31:00.002Z,order,O2,500,\n\
    2025-01-27T14:31:00.300Z,fill,O2,200,\n\
    2025-01-27T14:31:05.000Z,cancel,O2,,\n";

#[test]
fn matched_fills_pass_and_breaks_are_listed_by_line() {
    let report = run(CLEAN);
    let item = report.item(ID).unwrap();
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    let values = &item.evidence.as_ref().unwrap().values;
    assert_eq!(
        (values["orders"].as_u64(), values["fills"].as_u64()),
        (Some(2), Some(3))
    );

    // A fill after the cancel, and one for an order nobody sent.
    let broken = format!(
        "{CLEAN}2025-01-27T14:31:06.000Z,fill,O2,100,\n2025-01-27T14:32:00.000Z,fill,X7,50,\n"
    );
    let report = run(&broken);
    let item = report.item(ID).unwrap();
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(
        item.message.contains("first on line 10: `O2`"),
        "{}",
        item.message
    );
    let values = &item.evidence.as_ref().unwrap().values;
    assert_eq!(values["unknown"], 2);
    assert_eq!(values["unknown_fills"][1]["client_order_id"], "X7");

    let malformed = CLEAN.replace("fill,O1,100", "fill,O1,lots");
    let item = run(&malformed).item(ID).unwrap().clone();
    assert_eq!(item.status, Status::Error);
    assert!(
        item.message.starts_with("orders.csv:4:4: "),
        "{}",
        item.message
    );
}

fn reconcile(internal: &str, broker: &str, now: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ours.csv"), internal).unwrap();
    std::fs::write(dir.path().join("broker.csv"), broker).unwrap();
    let text = "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n\
        [inputs.internal_positions]\npath = \"ours.csv\"\n\
        [inputs.broker_statement]\npath = \"broker.csv\"\n";
    let mut config = Config::parse(text, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    Runner::new(&registry, config)
        .clock(preflight_core::FixedClock(now.parse().unwrap()))
        .selection(
            Selection::default()
                .with_ids([
                    "trading.logic.end-of-day-reconciliation",
                    "trading.broker.position-tracking",
                ])
                .unwrap(),
        )
        .run()
        .unwrap()
}

const OURS: &str = "date,symbol,quantity,avg_price\n\
    2025-01-23,AAPL,100,180.00\n\
    2025-01-24,AAPL,300,181.50\n2025-01-24,MSFT,-200,410.25\n2025-01-24,NVDA,0,0\n";

#[test]
fn end_of_day_positions_match_the_broker_statement() {
    let broker = "date,symbol,quantity,avg_price\n\
        2025-01-24,AAPL,300,181.5000\n2025-01-24,MSFT,-200,410.2500\n";
    // Monday morning: Friday's statement is one business day old.
    let report = reconcile(OURS, broker, "2025-01-27T08:00:00Z");
    for id in [
        "trading.logic.end-of-day-reconciliation",
        "trading.broker.position-tracking",
    ] {
        let item = report.item(id).unwrap();
        assert_eq!(item.status, Status::Pass, "{id}: {}", item.message);
    }

    // Tuesday: the same statement is stale; position tracking still agrees.
    let report = reconcile(OURS, broker, "2025-01-28T08:00:00Z");
    let eod = report
        .item("trading.logic.end-of-day-reconciliation")
        .unwrap();
    assert_eq!(eod.status, Status::Fail);
    assert!(
        eod.message.contains("2 business days ago"),
        "{}",
        eod.message
    );
    assert_eq!(
        report
            .item("trading.broker.position-tracking")
            .unwrap()
            .status,
        Status::Pass
    );

    // Breaks: a quantity, a price, and a position only the broker holds.
    let with_breaks = "date,symbol,quantity,avg_price\n\
        2025-01-24,AAPL,250,181.50\n2025-01-24,MSFT,-200,411.00\n2025-01-24,TSLA,10,230.0\n";
    let report = reconcile(OURS, with_breaks, "2025-01-27T08:00:00Z");
    let tracking = report.item("trading.broker.position-tracking").unwrap();
    assert_eq!(tracking.status, Status::Fail);
    let breaks = &tracking.evidence.as_ref().unwrap().values["breaks"];
    let symbols: Vec<&str> = breaks
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["symbol"].as_str().unwrap())
        .collect();
    assert_eq!(symbols, ["AAPL", "MSFT", "TSLA"]);
    assert!(
        tracking
            .message
            .contains("quantity 300 here, 250 at the broker"),
        "{}",
        tracking.message
    );
}
