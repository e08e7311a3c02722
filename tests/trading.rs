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
