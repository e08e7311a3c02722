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
/// refuses or times out. Orders at the backup get IDs starting `B:`; unless
/// `primary_only`, their status and positions are followed there.
struct Adapter {
    primary: Arc<SimulatedVenue>,
    backup: Option<Arc<SimulatedVenue>>,
    per_second: usize,
    timeout: Option<Duration>,
    sent: Mutex<VecDeque<Instant>>,
    primary_only: bool,
}

impl Adapter {
    fn new(
        primary: Arc<SimulatedVenue>,
        backup: Option<Arc<SimulatedVenue>>,
        per_second: usize,
        timeout: Option<Duration>,
    ) -> Self {
        Adapter {
            primary,
            backup,
            per_second,
            timeout,
            sent: Mutex::new(VecDeque::new()),
            primary_only: false,
        }
    }

    /// The venue holding `order_id`, and its ID there.
    fn venue<'a>(&'a self, order_id: &'a str) -> (&'a SimulatedVenue, &'a str) {
        match (order_id.strip_prefix("B:"), &self.backup) {
            (Some(id), Some(backup)) if !self.primary_only => (backup, id),
            _ => (&self.primary, order_id),
        }
    }
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
                    Some(backup) => backup.submit(order).map(|id| format!("B:{id}")),
                    None => Err(reason),
                }
            }
            other => other,
        }
    }

    fn cancel(&self, order_id: &str) -> Result<(), String> {
        self.pace();
        let (venue, id) = self.venue(order_id);
        venue.cancel(id)
    }

    fn status(&self, order_id: &str) -> Option<OrderState> {
        let (venue, id) = self.venue(order_id);
        venue.status(id)
    }

    /// What the primary and the backup hold between them.
    fn positions(&self) -> BTreeMap<String, f64> {
        let mut all = self.primary.positions();
        if let Some(backup) = self.backup.as_ref().filter(|_| !self.primary_only) {
            for (symbol, quantity) in backup.positions() {
                *all.entry(symbol).or_insert(0.0) += quantity;
            }
        }
        all
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
        |primary, backup| Arc::new(Adapter::new(primary, backup, 8, None)),
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
        |primary, backup| Arc::new(Adapter::new(primary, backup, 0, None)),
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
        |primary, backup| Arc::new(Adapter::new(primary, backup, 8, Some(TIMEOUT))),
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

/// After a failover the order lives at the backup, and a timed-out order may
/// fill late at the primary as well: an adapter that only follows the
/// primary loses both.
#[test]
fn an_adapter_that_forgets_the_backup_after_failover_fails() {
    let conformance = BrokerConformance::new(
        |primary, backup| {
            let mut adapter = Adapter::new(primary, backup, 8, Some(TIMEOUT));
            adapter.primary_only = true;
            Arc::new(adapter)
        },
        true,
    )
    .with_timeout(TIMEOUT);
    let report = run(Some(conformance));
    let failover = report
        .item("trading.broker.backup-broker-failover")
        .unwrap();
    assert_eq!(failover.status, Status::Fail, "{}", failover.message);
    assert!(
        failover.message.starts_with("2 of 4 scenarios fail: ")
            && failover.message.contains(
                "failover: after the failover, the status of Ok(\"B:V1\") is None; the venues hold {\"ACME\": 1.0}, the adapter reports {}"
            )
            && failover.message.contains(
                "timeout-failover: the primary executed 1 late order after the adapter gave up (the order filled at both venues); the venues hold {\"ACME\": 2.0}, the adapter reports {\"ACME\": 1.0}"
            ),
        "{}",
        failover.message
    );
    // Without the backup, the late fill at the primary is the adapter's own.
    let alone = report.item("trading.broker.api-integration").unwrap();
    assert_eq!(alone.status, Status::Pass, "{}", alone.message);
}

#[test]
fn an_adapter_that_ignores_its_timeout_fails_the_timeout_scenario() {
    let conformance = BrokerConformance::new(
        |primary, backup| Arc::new(Adapter::new(primary, backup, 8, None)),
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
            .starts_with("1 of 11 scenarios fail: timeout: ")
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
