//! The order log as an operations engineer meets it: a drop copy of the
//! day's orders and fills, reconciled through the registry and runner.

use preflight_core::select::Selection;
use preflight_core::{Config, Registry, Report, Runner, Status};

const ID: &str = "trading.logic.order-reconciliation";

fn run(log: &str) -> Report {
    run_as("orders.csv", "", log)
}

/// The log as the file `name`, with more `[inputs.order_log]` settings.
fn run_as(name: &str, settings: &str, log: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), log).unwrap();
    let text = format!(
        "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n[inputs.order_log]\npath = \"{name}\"\n{settings}"
    );
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
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
    reconcile_as(internal, "broker.csv", broker, now)
}

/// [`reconcile`] with the broker's statement in the file `name`.
fn reconcile_as(internal: &str, name: &str, broker: &str, now: &str) -> Report {
    reconcile_with(internal, name, broker, now, "")
}

/// [`reconcile_as`] with more of the configuration (`[checks]` tables).
fn reconcile_with(internal: &str, name: &str, broker: &str, now: &str, checks: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ours.csv"), internal).unwrap();
    std::fs::write(dir.path().join(name), broker).unwrap();
    let text = format!(
        "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n\
        [inputs.internal_positions]\npath = \"ours.csv\"\n\
        [inputs.broker_statement]\npath = \"{name}\"\n{checks}"
    );
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
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

/// The same log as JSON lines, from the extension or from `format`; an
/// unknown format is an error, never a pass.
#[test]
fn json_lines_logs_are_read_by_extension_or_format() {
    let json = concat!(
        r#"{"time":"2025-01-27T14:30:00Z","event":"risk","client_order_id":"O1","decision":"approve"}"#,
        "\n",
        r#"{"time":"2025-01-27T14:30:00.002Z","event":"order","client_order_id":"O1","quantity":300,"venue":"XNAS"}"#,
        "\n\n",
        r#"{"time":"2025-01-27T14:30:00.150Z","event":"fill","client_order_id":"O1","quantity":300}"#,
        "\n",
        r#"{"time":"2025-01-27T14:30:01Z","event":"fill","client_order_id":"X9","quantity":5}"#,
        "\n",
    );
    for (name, settings) in [
        ("orders.jsonl", ""),
        ("drop-copy.log", "format = \"jsonl\"\n"),
    ] {
        let report = run_as(name, settings, json);
        let item = report.item(ID).unwrap();
        assert_eq!(item.status, Status::Fail, "{name}: {}", item.message);
        assert!(
            item.message.contains("first on line 5: `X9`"),
            "{name}: {}",
            item.message
        );
        let artifacts = &item.evidence.as_ref().unwrap().artifacts;
        assert_eq!(artifacts[0].path, name);
        assert_eq!(artifacts[0].size, json.len() as u64);
    }
    let item = run_as("orders.log", "format = \"xml\"\n", json)
        .item(ID)
        .unwrap()
        .clone();
    assert_eq!(item.status, Status::Error);
    assert!(
        item.message
            .contains("`format`: expected \"csv\" or \"jsonl\""),
        "{}",
        item.message
    );
    // A JSON-lines file read as CSV does not pass either.
    let item = run_as("orders.csv", "", json).item(ID).unwrap().clone();
    assert_eq!(item.status, Status::Error, "{}", item.message);
}

/// A broker statement as JSON lines reconciles like the CSV one; a nested
/// value is an error naming its line.
#[test]
fn json_lines_statements_reconcile() {
    let broker = concat!(
        r#"{"date":"2025-01-24","symbol":"AAPL","quantity":250,"avg_price":181.5,"account":"PB-1"}"#,
        "\n\n",
        r#"{"date":"2025-01-24","symbol":"MSFT","quantity":-200,"avg_price":"411.00"}"#,
        "\n",
        r#"{"date":"2025-01-24","symbol":"TSLA","quantity":10,"avg_price":230.0}"#,
        "\n",
    );
    let report = reconcile_as(OURS, "broker.jsonl", broker, "2025-01-27T08:00:00Z");
    let tracking = report.item("trading.broker.position-tracking").unwrap();
    assert_eq!(tracking.status, Status::Fail, "{}", tracking.message);
    let breaks = &tracking.evidence.as_ref().unwrap().values["breaks"];
    let symbols: Vec<&str> = breaks
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["symbol"].as_str().unwrap())
        .collect();
    assert_eq!(symbols, ["AAPL", "MSFT", "TSLA"]);

    let nested = broker.replace(r#""quantity":10"#, r#""quantity":{"long":10}"#);
    let report = reconcile_as(OURS, "broker.jsonl", &nested, "2025-01-27T08:00:00Z");
    let tracking = report.item("trading.broker.position-tracking").unwrap();
    assert_eq!(tracking.status, Status::Error);
    assert!(
        tracking.message.contains("broker.jsonl:4")
            && tracking
                .message
                .contains("`quantity`: expected a string, number or boolean"),
        "{}",
        tracking.message
    );
}

const EOD: &str = "trading.logic.end-of-day-reconciliation";

/// Wednesday's statements before Thanksgiving 2026 (Thursday 2026-11-26).
const BEFORE_THANKSGIVING: &str = "date,symbol,quantity,avg_price\n\
    2026-11-24,AAPL,100,180.00\n\
    2026-11-25,AAPL,300,181.50\n2026-11-25,MSFT,-200,410.25\n";

fn eod_age(report: &Report) -> (Status, String, serde_json::Value) {
    let item = report.item(EOD).unwrap();
    let values = item.evidence.as_ref().unwrap().values.clone();
    (item.status, item.message.clone(), values)
}

/// On the Friday after Thanksgiving, Wednesday's reconciliation is one NYSE
/// session old: current with `calendar = "XNYS"`, two weekdays (stale)
/// without it.
#[test]
fn the_day_after_thanksgiving_counts_in_exchange_sessions() {
    let (ours, broker) = (BEFORE_THANKSGIVING, BEFORE_THANKSGIVING);
    let friday = "2026-11-27T14:00:00Z";
    let xnys = format!("[checks.\"{EOD}\"]\ncalendar = \"XNYS\"\n");

    let (status, message, values) =
        eod_age(&reconcile_with(ours, "broker.csv", broker, friday, &xnys));
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(values["age_sessions"], 1);
    assert_eq!(values["age_counted_in"], "XNYS sessions");
    assert_eq!(values["age_business_days"], 2, "the weekday count is kept");

    let (status, message, values) = eod_age(&reconcile(ours, broker, friday));
    assert_eq!(status, Status::Fail, "{message}");
    assert!(
        message.contains("of 2026-11-25, 2 business days ago (weekdays, at most 1;")
            && message.contains("set `calendar`"),
        "{message}"
    );
    assert_eq!(values["age_counted_in"], "weekdays");
    assert_eq!(values["age_business_days"], 2);
    assert!(values["age_sessions"].is_null());

    // The next Monday the calendar finds it stale too: Friday was a session.
    let report = reconcile_with(ours, "broker.csv", broker, "2026-11-30T14:00:00Z", &xnys);
    let (status, message, values) = eod_age(&report);
    assert_eq!(status, Status::Fail, "{message}");
    assert!(
        message.contains("2 XNYS sessions ago (at most 1)"),
        "{message}"
    );
    assert_eq!(values["age_sessions"], 2);

    // Late on Thanksgiving evening in New York it is already Friday in UTC;
    // the exchange's own date counts, and Thanksgiving is not a session.
    let report = reconcile_with(ours, "broker.csv", broker, "2026-11-27T03:00:00Z", &xnys);
    let (status, message, values) = eod_age(&report);
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(values["age_sessions"], 0);

    // Position tracking judges no age, with or without the calendar.
    let tracking = reconcile_with(ours, "broker.csv", broker, friday, &xnys);
    let tracking = tracking.item("trading.broker.position-tracking").unwrap();
    assert_eq!(tracking.status, Status::Pass, "{}", tracking.message);
    assert!(tracking.evidence.as_ref().unwrap().values["age_counted_in"].is_null());
}

/// An unknown exchange code, or a date the calendar does not know, is an
/// error that says what to set, never a guess.
#[test]
fn an_unknown_calendar_or_a_date_outside_it_is_an_error() {
    let tokyo = format!("[checks.\"{EOD}\"]\ncalendar = \"XTKS\"\n");
    let report = reconcile_with(
        BEFORE_THANKSGIVING,
        "broker.csv",
        BEFORE_THANKSGIVING,
        "2026-11-27T14:00:00Z",
        &tokyo,
    );
    let item = report.item(EOD).unwrap();
    assert_eq!(item.status, Status::Error, "{}", item.message);
    assert!(
        item.message.contains("`calendar`")
            && item.message.contains("`XTKS`")
            && item.message.contains("`XNYS`")
            && item.message.contains("set `calendar` to one of them"),
        "{}",
        item.message
    );

    let xnys = format!("[checks.\"{EOD}\"]\ncalendar = \"XNYS\"\n");
    let report = reconcile_with(
        BEFORE_THANKSGIVING,
        "broker.csv",
        BEFORE_THANKSGIVING,
        "2036-01-02T14:00:00Z",
        &xnys,
    );
    let item = report.item(EOD).unwrap();
    assert_eq!(item.status, Status::Error, "{}", item.message);
    assert!(
        item.message.contains("outside the known range")
            && item.message.contains("remove `calendar`"),
        "{}",
        item.message
    );
}
