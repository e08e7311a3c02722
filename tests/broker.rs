//! Broker conformance: adapters connected to the simulated venue, one that
//! paces and fails over, and a naive one that does neither.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use preflight_core::select::Selection;
use preflight_core::{Config, Registry, Report, Runner, Status};
use preflight_probes::trading::broker::{
    Broker, BrokerConformance, BrokerOrder, OrderState, SimulatedVenue,
};

/// An adapter that paces its requests and routes to a backup when the
/// primary refuses.
struct Adapter {
    primary: Arc<SimulatedVenue>,
    backup: Option<Arc<SimulatedVenue>>,
    per_second: usize,
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
}

impl Broker for Adapter {
    fn submit(&self, order: &BrokerOrder) -> Result<String, String> {
        self.pace();
        match self.primary.submit(order) {
            Err(reason) if reason == "venue unavailable" => match &self.backup {
                Some(backup) => backup.submit(order),
                None => Err(reason),
            },
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
