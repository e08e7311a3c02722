//! Broker conformance: adapters connected to the simulated venue, one that
//! paces, times out and fails over, and a naive one that does none of it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use preflight_core::select::Selection;
use preflight_core::{Config, Registry, Report, Runner, Status};
use preflight_probes::trading::broker::{
    Broker, BrokerConformance, BrokerOrder, OrderState, SimulatedVenue,
};

/// An adapter that paces its requests, gives up on the primary after its
/// timeout (when it has one), and routes to a backup when the primary
/// refuses or times out.
struct Adapter {
    primary: Arc<SimulatedVenue>,
    backup: Option<Arc<SimulatedVenue>>,
    per_second: usize,
    timeout: Option<Duration>,
    sent: Mutex<VecDeque<Instant>>,
}

impl Adapter {
    fn pace(&self) {
        let mut sent = self.sent.lock().unwrap();
        if self.per_second == 0 {
            return;
        }
        while sent.len() >= self.per_second {
            let oldest = sent[0];
            let wait = Duration::from_secs(1).saturating_sub(oldest.elapsed());
            if wait.is_zero() {
                sent.pop_front();
            } else {
                std::thread::sleep(wait);
            }
        }
        sent.push_back(Instant::now());
    }

    /// The primary's answer, or "timed out" once the timeout has passed (the
    /// request goes on in the background, as it would on a real socket).
    fn primary_submit(&self, order: &BrokerOrder) -> Result<String, String> {
        let Some(timeout) = self.timeout else {
            return self.primary.submit(order);
        };
        let (tx, rx) = mpsc::channel();
        let (primary, order) = (self.primary.clone(), order.clone());
        std::thread::spawn(move || tx.send(primary.submit(&order)));
        rx.recv_timeout(timeout)
            .unwrap_or_else(|_| Err("timed out".to_owned()))
    }
}

impl Broker for Adapter {
    fn submit(&self, order: &BrokerOrder) -> Result<String, String> {
        self.pace();
        match self.primary_submit(order) {
            Err(reason) if reason == "venue unavailable" || reason == "timed out" => {
                match &self.backup {
                    Some(backup) => backup.submit(order),
                    None => Err(reason),
                }
            }
            other => other,
        }
    }

    fn cancel(&self, order_id: &str) -> Result<(), String> {
        self.pace();
        self.primary.cancel(order_id)
    }

    fn status(&self, order_id: &str) -> Option<OrderState> {
        self.primary.status(order_id)
    }

    fn positions(&self) -> BTreeMap<String, f64> {
        self.primary.positions()
    }

    fn cash(&self) -> f64 {
        self.primary.cash()
    }
}

const IDS: [&str; 7] = [
    "trading.broker.api-integration",
    "trading.broker.order-execution",
    "trading.broker.account-balance",
    "trading.broker.rejected-orders",
    "trading.broker.api-rate-limits",
    "trading.broker.backup-broker-failover",
    "trading.logic.order-routing",
];

fn run(conformance: Option<BrokerConformance>) -> Report {
    let config = Config::parse(
        "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n",
        "preflight.toml",
    )
    .unwrap();
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    let mut runner =
        Runner::new(&registry, config).selection(Selection::default().with_ids(IDS).unwrap());
    if let Some(conformance) = conformance {
        runner = runner.extension(conformance);
    }
    runner.run().unwrap()
}

fn status(report: &Report, id: &str) -> Status {
    report.item(id).unwrap().status
}

#[test]
fn a_pacing_adapter_with_a_backup_conforms() {
    let conformance = BrokerConformance::new(
        |primary, backup| {
            Arc::new(Adapter {
                primary,
                backup,
                per_second: 8,
                timeout: None,
                sent: Mutex::new(VecDeque::new()),
            })
        },
        true,
    );
    let report = run(Some(conformance));
    for id in IDS {
        let item = report.item(id).unwrap();
        assert_eq!(item.status, Status::Pass, "{id}: {}", item.message);
    }
    let rate = report.item("trading.broker.api-rate-limits").unwrap();
    let scenario = &rate.evidence.as_ref().unwrap().values["scenarios"][0];
    assert!(
        scenario["description"]
            .as_str()
            .unwrap()
            .contains("15 accepted"),
        "{scenario}"
    );
}

#[test]
fn a_naive_adapter_fails_the_rate_limit_and_has_no_failover() {
    let conformance = BrokerConformance::new(
        |primary, backup| {
            Arc::new(Adapter {
                primary,
                backup,
                per_second: 0,
                timeout: None,
                sent: Mutex::new(VecDeque::new()),
            })
        },
        false,
    );
    let report = run(Some(conformance));
    assert_eq!(
        status(&report, "trading.broker.order-execution"),
        Status::Pass
    );
    let rate = report.item("trading.broker.api-rate-limits").unwrap();
    assert_eq!(rate.status, Status::Fail, "{}", rate.message);
    assert!(rate.message.contains("10 accepted"), "{}", rate.message);
    assert_eq!(
        status(&report, "trading.broker.backup-broker-failover"),
        Status::NotApplicable
    );
}

#[test]
fn the_venue_rejects_invalid_orders_with_reasons() {
    let venue = SimulatedVenue::new(preflight_probes::trading::broker::VenueRules::default());
    let order = |qty: f64, symbol: &str| {
        BrokerOrder::new(
            "X",
            symbol,
            preflight_probes::risk::pretrade::Side::Buy,
            qty,
            preflight_probes::trading::broker::OrderType::Market,
        )
    };
    assert_eq!(
        venue.submit(&order(0.0, "ACME")),
        Err("invalid quantity 0".to_owned())
    );
    assert_eq!(
        venue.submit(&order(1.0, "NOPE")),
        Err("unknown symbol NOPE".to_owned())
    );
    let report = run(None);
    assert_eq!(
        status(&report, "trading.broker.order-execution"),
        Status::Error
    );
}

/// The adapter's timeout, as the tests declare it to the suite.
const TIMEOUT: Duration = Duration::from_millis(100);

/// The scenario of `control` in the evidence of item `id`.
fn scenario(report: &Report, id: &str, control: &str) -> serde_json::Value {
    let item = report.item(id).unwrap();
    let scenarios = item.evidence.as_ref().unwrap().values["scenarios"].clone();
    scenarios
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["control"] == control)
        .unwrap_or_else(|| panic!("{id}: no `{control}` scenario in {scenarios}"))
        .clone()
}

#[test]
fn an_adapter_with_a_timeout_gives_up_on_a_slow_venue_and_routes_to_the_backup() {
    let conformance = BrokerConformance::new(
        |primary, backup| {
            Arc::new(Adapter {
                primary,
                backup,
                per_second: 8,
                timeout: Some(TIMEOUT),
                sent: Mutex::new(VecDeque::new()),
            })
        },
        true,
    )
    .with_timeout(TIMEOUT);
    let report = run(Some(conformance));
    for id in IDS {
        let item = report.item(id).unwrap();
        assert_eq!(item.status, Status::Pass, "{id}: {}", item.message);
    }
    let alone = scenario(&report, "trading.broker.api-integration", "timeout");
    let text = alone["description"].as_str().unwrap();
    assert!(
        text.contains(
            "the primary answers after 0.500 s, the adapter's timeout is 0.100 s; it answered in "
        ) && text.contains(" s (at most 0.300 s): Err(\"timed out\")"),
        "{text}"
    );
    for id in [
        "trading.broker.backup-broker-failover",
        "trading.logic.order-routing",
    ] {
        let routed = scenario(&report, id, "timeout-failover");
        assert_eq!(routed["passed"], true, "{routed}");
        assert!(
            routed["description"]
                .as_str()
                .unwrap()
                .contains("the backup received 1 order"),
            "{routed}"
        );
    }
}

#[test]
fn an_adapter_that_ignores_its_timeout_fails_the_timeout_scenario() {
    let conformance = BrokerConformance::new(
        |primary, backup| {
            Arc::new(Adapter {
                primary,
                backup,
                per_second: 8,
                timeout: None,
                sent: Mutex::new(VecDeque::new()),
            })
        },
        false,
    )
    .with_timeout(TIMEOUT);
    let started = Instant::now();
    let report = run(Some(conformance));
    // The slow venue answered after its latency: the wait is bounded.
    assert!(started.elapsed() >= Duration::from_millis(500));
    let integration = report.item("trading.broker.api-integration").unwrap();
    assert_eq!(integration.status, Status::Fail, "{}", integration.message);
    assert!(
        integration
            .message
            .starts_with("1 of 10 scenarios fail: timeout: ")
            && integration.message.contains("(at most 0.300 s): Ok("),
        "{}",
        integration.message
    );
    assert_eq!(
        status(&report, "trading.broker.order-execution"),
        Status::Pass
    );
    // Without a backup there is no failover, slow or down, to test.
    assert_eq!(
        status(&report, "trading.broker.backup-broker-failover"),
        Status::NotApplicable
    );
}
