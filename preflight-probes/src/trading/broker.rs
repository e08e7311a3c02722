//! Broker conformance: the service's broker adapter, connected to a
//! deterministic simulated venue, must execute market, limit and stop orders,
//! reject invalid ones with a reason, cancel, keep positions and cash
//! consistent, respect the venue's request rate, and route to a backup
//! broker when the primary fails.
//!
//! The service hands the run a [`BrokerConformance`]: a function that
//! connects its adapter (its own [`Broker`] implementation) to the venues the
//! suite creates. The suite moves the venue's prices itself.
//!
//! The suite is configured in code, on the extension (the items take no
//! `[checks]` keys):
//!
//! - `has_backup` ([`BrokerConformance::new`]): the adapter routes to a
//!   backup broker; adds the `failover` scenarios: with the primary down,
//!   the order goes to the backup, and the adapter then follows its status
//!   and its fill there (its positions are what the venues hold between
//!   them).
//! - `timeout` ([`BrokerConformance::with_timeout`]): the adapter's request
//!   timeout; adds the `timeout` scenario (and `timeout-failover` with a
//!   backup), in which the primary venue answers only after five times the
//!   timeout and the adapter must answer within three times it. The primary
//!   still executes the abandoned order late, and the adapter's positions
//!   must show that fill too.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use preflight_probes::trading::broker::{Broker, BrokerConformance};
//!
//! // An adapter that forwards to the venue: it conforms except for the
//! // timeout, which it ignores (a real one would give up after 200 ms).
//! let conformance = BrokerConformance::new(|primary, _backup| primary as Arc<dyn Broker>, false)
//!     .with_timeout(Duration::from_millis(200));
//! # let _ = conformance;
//! ```

use crate::text::counted;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use preflight_core::{Check, CheckError, ChecklistItem, Context, Evidence, Outcome};
use serde::Serialize;

use crate::risk::pretrade::Side;

/// How an order executes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "type", content = "price")]
pub enum OrderType {
    /// At the current price.
    Market,
    /// At the limit price or better; rests until the market reaches it.
    Limit(f64),
    /// Becomes a market order once the market trades through the stop price.
    Stop(f64),
}

/// An order sent to a broker.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BrokerOrder {
    /// The client order ID.
    pub client_order_id: String,
    /// The instrument.
    pub symbol: String,
    /// Buy or sell.
    pub side: Side,
    /// Quantity.
    pub quantity: f64,
    /// Market, limit or stop.
    pub order_type: OrderType,
}

impl BrokerOrder {
    /// An order.
    #[must_use]
    pub fn new(id: &str, symbol: &str, side: Side, quantity: f64, order_type: OrderType) -> Self {
        BrokerOrder {
            client_order_id: id.to_owned(),
            symbol: symbol.to_owned(),
            side,
            quantity,
            order_type,
        }
    }
}

/// Where an order stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum OrderState {
    /// Accepted and resting (a limit or untriggered stop).
    Working,
    /// Partly filled; the rest is working.
    PartiallyFilled {
        /// Quantity filled so far.
        filled: f64,
        /// Average fill price so far.
        price: f64,
    },
    /// Completely filled at this average price.
    Filled {
        /// Average fill price.
        price: f64,
    },
    /// Canceled before it filled.
    Canceled,
}

/// A broker as the service's adapter presents it.
pub trait Broker: Send + Sync {
    /// Sends an order: the broker's order ID, or the reason it was rejected.
    fn submit(&self, order: &BrokerOrder) -> Result<String, String>;
    /// Cancels a working order.
    fn cancel(&self, order_id: &str) -> Result<(), String>;
    /// Where an order stands (`None` for an unknown ID).
    fn status(&self, order_id: &str) -> Option<OrderState>;
    /// Positions by symbol.
    fn positions(&self) -> BTreeMap<String, f64>;
    /// Cash balance.
    fn cash(&self) -> f64;
}

/// The simulated venue's rules.
#[derive(Debug, Clone)]
pub struct VenueRules {
    /// Tradable symbols and their starting prices.
    pub prices: BTreeMap<String, f64>,
    /// Price increment.
    pub tick: f64,
    /// Starting cash.
    pub cash: f64,
    /// Requests allowed per rolling second; more are rejected.
    pub max_requests_per_second: usize,
    /// Quantity available per order at each price (a larger order fills in
    /// parts as the price updates); `None` for unlimited.
    pub liquidity: Option<f64>,
    /// Time each request takes.
    pub latency: Duration,
    /// The scripted price path: the moves [`SimulatedVenue::step`] plays,
    /// one at a time, in order (symbol and new price).
    pub price_path: Vec<(String, f64)>,
}

impl Default for VenueRules {
    fn default() -> Self {
        VenueRules {
            prices: [("ACME".to_owned(), 100.0), ("GLOBEX".to_owned(), 50.0)].into(),
            tick: 0.01,
            cash: 1_000_000.0,
            max_requests_per_second: 20,
            liquidity: None,
            latency: Duration::ZERO,
            price_path: Vec::new(),
        }
    }
}

#[derive(Debug)]
struct Resting {
    order: BrokerOrder,
    state: OrderState,
    filled: f64,
    notional: f64,
    /// A stop whose price has been reached: it now executes as a market order.
    triggered: bool,
}

impl Resting {
    fn active(&self) -> bool {
        matches!(
            self.state,
            OrderState::Working | OrderState::PartiallyFilled { .. }
        )
    }

    /// The price it executes at, when `price` lets it.
    fn executes_at(&mut self, price: f64) -> Option<f64> {
        match (self.order.order_type, self.order.side) {
            (OrderType::Market, _) => Some(price),
            // A resting limit fills at its limit when the market reaches it.
            (OrderType::Limit(l), Side::Buy) => (price <= l).then_some(l),
            (OrderType::Limit(l), Side::Sell) => (price >= l).then_some(l),
            (OrderType::Stop(l), side) => {
                let reached = match side {
                    Side::Buy => price >= l,
                    Side::Sell => price <= l,
                };
                self.triggered |= reached;
                self.triggered.then_some(price)
            }
        }
    }
}

#[derive(Debug, Default)]
struct VenueState {
    prices: BTreeMap<String, f64>,
    orders: BTreeMap<String, Resting>,
    positions: BTreeMap<String, f64>,
    cash: f64,
    next_id: u64,
    requests: VecDeque<Instant>,
    /// The most requests seen in any rolling second.
    peak_rate: usize,
    rate_rejects: usize,
    down: bool,
    /// The moves of the price path played so far.
    played: usize,
}

/// A deterministic simulated venue: fills market orders at the current price,
/// rests limit and stop orders until the price crosses them (moved by
/// [`SimulatedVenue::set_price`], or by [`SimulatedVenue::step`] along the
/// rules' scripted path), rejects invalid orders with a reason, and enforces
/// a request rate.
#[derive(Debug)]
pub struct SimulatedVenue {
    rules: VenueRules,
    state: Mutex<VenueState>,
}

impl SimulatedVenue {
    /// A venue with `rules`.
    #[must_use]
    pub fn new(rules: VenueRules) -> Self {
        let state = VenueState {
            prices: rules.prices.clone(),
            cash: rules.cash,
            ..VenueState::default()
        };
        SimulatedVenue {
            rules,
            state: Mutex::new(state),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, VenueState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Plays the next move of the scripted price path (as
    /// [`SimulatedVenue::set_price`] does) and returns it; `None` once the
    /// path is played out.
    pub fn step(&self) -> Option<(String, f64)> {
        let next = {
            let mut s = self.state();
            let next = self.rules.price_path.get(s.played)?.clone();
            s.played += 1;
            next
        };
        self.set_price(&next.0, next.1);
        Some(next)
    }

    /// Moves the market: working orders that the new price reaches execute,
    /// each up to the venue's liquidity.
    pub fn set_price(&self, symbol: &str, price: f64) {
        let mut s = self.state();
        s.prices.insert(symbol.to_owned(), price);
        let ids: Vec<String> = s
            .orders
            .iter()
            .filter(|(_, r)| r.active() && r.order.symbol == symbol)
            .map(|(id, _)| id.clone())
            .collect();
        for id in ids {
            self.execute(&mut s, &id, price);
        }
    }

    /// Fills order `id` as far as `price` and the liquidity allow.
    fn execute(&self, s: &mut VenueState, id: &str, price: f64) {
        let Some(r) = s.orders.get_mut(id) else {
            return;
        };
        let Some(at) = r.executes_at(price) else {
            return;
        };
        let remaining = r.order.quantity - r.filled;
        let quantity = self.rules.liquidity.map_or(remaining, |l| remaining.min(l));
        r.filled += quantity;
        r.notional += quantity * at;
        let average = r.notional / r.filled;
        r.state = if r.filled >= r.order.quantity - 1e-9 {
            OrderState::Filled { price: average }
        } else {
            OrderState::PartiallyFilled {
                filled: r.filled,
                price: average,
            }
        };
        let (symbol, side) = (r.order.symbol.clone(), r.order.side);
        let signed = if side == Side::Buy {
            quantity
        } else {
            -quantity
        };
        *s.positions.entry(symbol).or_insert(0.0) += signed;
        s.cash -= signed * at;
    }

    /// Takes the venue down (every request fails) or brings it back.
    pub fn set_down(&self, down: bool) {
        self.state().down = down;
    }

    /// The most requests the venue saw in any rolling second.
    #[must_use]
    pub fn peak_rate(&self) -> usize {
        self.state().peak_rate
    }

    /// Orders the venue received (accepted or not).
    #[must_use]
    pub fn orders_received(&self) -> usize {
        self.state().next_id.try_into().unwrap_or(usize::MAX)
    }

    /// Counts a request against the rate limit.
    fn request(&self, s: &mut VenueState) -> Result<(), String> {
        if !self.rules.latency.is_zero() {
            std::thread::sleep(self.rules.latency);
        }
        if s.down {
            return Err("venue unavailable".to_owned());
        }
        let now = Instant::now();
        while s
            .requests
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            s.requests.pop_front();
        }
        if s.requests.len() >= self.rules.max_requests_per_second {
            s.rate_rejects += 1;
            return Err("rate limit exceeded".to_owned());
        }
        s.requests.push_back(now);
        s.peak_rate = s.peak_rate.max(s.requests.len());
        Ok(())
    }
}

impl Broker for SimulatedVenue {
    fn submit(&self, order: &BrokerOrder) -> Result<String, String> {
        let mut s = self.state();
        self.request(&mut s)?;
        s.next_id += 1;
        let id = format!("V{}", s.next_id);
        let Some(&price) = s.prices.get(&order.symbol) else {
            return Err(format!("unknown symbol {}", order.symbol));
        };
        if !(order.quantity > 0.0 && order.quantity.is_finite()) {
            return Err(format!("invalid quantity {}", order.quantity));
        }
        if let OrderType::Limit(p) | OrderType::Stop(p) = order.order_type {
            let ticks = p / self.rules.tick;
            if (ticks - ticks.round()).abs() > 1e-6 || p <= 0.0 {
                return Err(format!(
                    "price {p} is not a multiple of the tick {}",
                    self.rules.tick
                ));
            }
        }
        s.orders.insert(
            id.clone(),
            Resting {
                order: order.clone(),
                state: OrderState::Working,
                filled: 0.0,
                notional: 0.0,
                triggered: false,
            },
        );
        self.execute(&mut s, &id, price);
        Ok(id)
    }

    fn cancel(&self, order_id: &str) -> Result<(), String> {
        let mut s = self.state();
        self.request(&mut s)?;
        match s.orders.get_mut(order_id) {
            Some(r) if r.active() => {
                r.state = OrderState::Canceled;
                Ok(())
            }
            Some(_) => Err(format!("order {order_id} is not working")),
            None => Err(format!("unknown order {order_id}")),
        }
    }

    fn status(&self, order_id: &str) -> Option<OrderState> {
        self.state().orders.get(order_id).map(|r| r.state.clone())
    }

    fn positions(&self) -> BTreeMap<String, f64> {
        self.state()
            .positions
            .iter()
            .filter(|(_, q)| **q != 0.0)
            .map(|(s, q)| (s.clone(), *q))
            .collect()
    }

    fn cash(&self) -> f64 {
        self.state().cash
    }
}

/// Connects the service's adapter to a primary venue and, when the service
/// has one, a backup venue.
pub type Connect =
    dyn Fn(Arc<SimulatedVenue>, Option<Arc<SimulatedVenue>>) -> Arc<dyn Broker> + Send + Sync;

/// The extension a run takes for broker conformance, and the suite's results
/// once run.
pub struct BrokerConformance {
    connect: Box<Connect>,
    has_backup: bool,
    timeout: Option<Duration>,
    results: OnceLock<Vec<BrokerScenario>>,
}

impl std::fmt::Debug for BrokerConformance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerConformance")
            .field("has_backup", &self.has_backup)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl BrokerConformance {
    /// The service's adapter, connected by `connect`; `has_backup` when it
    /// routes to a backup broker.
    #[must_use]
    pub fn new(
        connect: impl Fn(Arc<SimulatedVenue>, Option<Arc<SimulatedVenue>>) -> Arc<dyn Broker>
        + Send
        + Sync
        + 'static,
        has_backup: bool,
    ) -> Self {
        BrokerConformance {
            connect: Box::new(connect),
            has_backup,
            timeout: None,
            results: OnceLock::new(),
        }
    }

    /// The adapter gives up on a request after `timeout`: the suite adds a
    /// primary venue that answers only after [`SLOW_VENUE_FACTOR`] times the
    /// timeout, and the adapter must answer within [`ANSWER_BOUND_FACTOR`]
    /// times it: with an error (scenario `timeout`), or, when it has a
    /// backup, with the order placed at the backup (`timeout-failover`).
    ///
    /// The bound leaves room for a loaded machine; an adapter that waits for
    /// the venue takes the whole latency and fails. The venue still executes
    /// an abandoned request once its latency has passed, as a real venue may:
    /// with a backup, the order has then filled twice. No adapter can stop a
    /// market order the venue already took, so the suite does not fail the
    /// double execution itself (the scenario line reports it); it fails an
    /// adapter whose positions then differ from what the venues hold, having
    /// lost the late fill. A timeout under 1 ms is tested as 1 ms. Each scenario waits about the
    /// timeout with a conforming adapter, and five times it with one that
    /// ignores it.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

/// How many times the adapter's timeout the slow venue of the `timeout`
/// scenarios takes to answer.
pub const SLOW_VENUE_FACTOR: u32 = 5;

/// Within how many times its timeout the adapter must answer in the
/// `timeout` scenarios.
pub const ANSWER_BOUND_FACTOR: u32 = 3;

/// One broker scenario.
#[derive(Debug, Clone, Serialize)]
pub struct BrokerScenario {
    /// What it exercises (`market`, `limit`, `stop`, `partial`, `reject`, `cancel`, `balance`,
    /// `rate`, `failover`, `timeout`, `timeout-failover`).
    pub control: &'static str,
    /// What was done and seen.
    pub description: String,
    /// Whether the adapter behaved.
    pub passed: bool,
}

fn scenario(
    out: &mut Vec<BrokerScenario>,
    control: &'static str,
    description: String,
    passed: bool,
) {
    out.push(BrokerScenario {
        control,
        description,
        passed,
    });
}

/// Runs every broker scenario against the adapter `connect` builds.
#[must_use]
pub fn run_broker_suite(connect: &Connect, has_backup: bool) -> Vec<BrokerScenario> {
    let mut out = Vec::new();
    // The market the scenarios below trade in, one move at a time.
    let path = [98.5, 100.0, 101.5, 89.0].map(|p| ("ACME".to_owned(), p));
    let venue = Arc::new(SimulatedVenue::new(VenueRules {
        price_path: path.to_vec(),
        ..VenueRules::default()
    }));
    let broker = connect(venue.clone(), None);
    let buy = |id: &str, qty: f64, t: OrderType| BrokerOrder::new(id, "ACME", Side::Buy, qty, t);

    // Market, limit and stop execution.
    let market = broker.submit(&buy("M1", 100.0, OrderType::Market));
    let filled = market.as_ref().ok().and_then(|id| broker.status(id));
    scenario(
        &mut out,
        "market",
        format!("a market buy of 100 at 100: {market:?}, then {filled:?}"),
        matches!(filled, Some(OrderState::Filled { price }) if (price - 100.0).abs() < 1e-9),
    );
    let limit = broker.submit(&buy("L1", 50.0, OrderType::Limit(99.0)));
    let resting = limit.as_ref().ok().and_then(|id| broker.status(id));
    venue.step(); // 98.50
    let after = limit.as_ref().ok().and_then(|id| broker.status(id));
    scenario(
        &mut out,
        "limit",
        format!(
            "a limit buy at 99 rests ({resting:?}), then fills when the price falls to 98.50 ({after:?})"
        ),
        resting == Some(OrderState::Working) && matches!(after, Some(OrderState::Filled { .. })),
    );
    venue.step(); // 100
    let stop = broker.submit(&buy("S1", 10.0, OrderType::Stop(101.0)));
    let waiting = stop.as_ref().ok().and_then(|id| broker.status(id));
    venue.step(); // 101.50
    let triggered = stop.as_ref().ok().and_then(|id| broker.status(id));
    scenario(
        &mut out,
        "stop",
        format!("a buy stop at 101 waits ({waiting:?}), then triggers at 101.50 ({triggered:?})"),
        waiting == Some(OrderState::Working)
            && matches!(triggered, Some(OrderState::Filled { .. })),
    );

    // Invalid orders are rejected with a reason.
    for (what, order) in [
        ("zero quantity", buy("R1", 0.0, OrderType::Market)),
        (
            "unknown symbol",
            BrokerOrder::new("R2", "NOPE", Side::Buy, 1.0, OrderType::Market),
        ),
        ("price off tick", buy("R3", 1.0, OrderType::Limit(99.005))),
    ] {
        let result = broker.submit(&order);
        let passed = matches!(&result, Err(reason) if !reason.trim().is_empty());
        scenario(&mut out, "reject", format!("{what}: {result:?}"), passed);
    }

    // Cancel of a resting order.
    let resting = broker.submit(&buy("C1", 5.0, OrderType::Limit(90.0)));
    let canceled = resting.as_ref().ok().map(|id| broker.cancel(id));
    venue.step(); // 89
    let state = resting.as_ref().ok().and_then(|id| broker.status(id));
    scenario(
        &mut out,
        "cancel",
        format!(
            "a resting limit canceled ({canceled:?}) stays canceled when the price crosses ({state:?})"
        ),
        matches!(canceled, Some(Ok(()))) && state == Some(OrderState::Canceled),
    );

    // Positions and cash follow the fills: 100 at 100, 50 at 99, 10 at 101.5.
    let position = broker.positions().get("ACME").copied().unwrap_or(0.0);
    let cash = broker.cash();
    let expected_cash = 1_000_000.0 - 100.0 * 100.0 - 50.0 * 99.0 - 10.0 * 101.5;
    scenario(
        &mut out,
        "balance",
        format!("position {position} (expected 160), cash {cash:.2} (expected {expected_cash:.2})"),
        (position - 160.0).abs() < 1e-9 && (cash - expected_cash).abs() < 1e-6,
    );

    partial_scenario(connect, &mut out);
    rate_scenario(connect, &mut out);
    if has_backup {
        failover_scenario(connect, &mut out);
    }
    out
}

/// [`run_broker_suite`], and the `timeout` scenarios when the adapter has a timeout.
fn run_suite(
    connect: &Connect,
    has_backup: bool,
    timeout: Option<Duration>,
) -> Vec<BrokerScenario> {
    let mut out = run_broker_suite(connect, has_backup);
    if let Some(timeout) = timeout {
        timeout_scenarios(connect, has_backup, timeout, &mut out);
    }
    out
}

/// A primary venue slower than the adapter's timeout: the adapter must give
/// up in bounded time, with an error, or route to the backup when it has one.
fn timeout_scenarios(
    connect: &Connect,
    has_backup: bool,
    timeout: Duration,
    out: &mut Vec<BrokerScenario>,
) {
    let timeout = timeout.max(Duration::from_millis(1));
    let (latency, bound) = (timeout * SLOW_VENUE_FACTOR, timeout * ANSWER_BOUND_FACTOR);
    let slow = || {
        Arc::new(SimulatedVenue::new(VenueRules {
            latency,
            ..VenueRules::default()
        }))
    };
    let order = |id: &str| BrokerOrder::new(id, "ACME", Side::Buy, 1.0, OrderType::Market);
    let seen = |took: Duration| {
        format!(
            "the primary answers after {:.3} s, the adapter's timeout is {:.3} s; it answered in {:.3} s (at most {:.3} s)",
            latency.as_secs_f64(),
            timeout.as_secs_f64(),
            took.as_secs_f64(),
            bound.as_secs_f64()
        )
    };

    let primary = slow();
    let alone = connect(primary.clone(), None);
    let started = Instant::now();
    let result = alone.submit(&order("T1"));
    let took = started.elapsed();
    scenario(
        out,
        "timeout",
        format!("{}: {result:?}", seen(took)),
        result.is_err() && took <= bound,
    );
    // The venue executes the timed-out request late: the order the adapter
    // reported failed has filled, and its positions must show it.
    late_fill(
        &primary,
        None,
        started + latency * 2,
        timeout,
        alone.as_ref(),
        out,
        "timeout",
    );

    if has_backup {
        let (primary, backup) = (slow(), Arc::new(SimulatedVenue::new(VenueRules::default())));
        let routed = connect(primary.clone(), Some(backup.clone()));
        let started = Instant::now();
        let result = routed.submit(&order("T2"));
        let took = started.elapsed();
        scenario(
            out,
            "timeout-failover",
            format!(
                "{}: {result:?}; the backup received {}",
                seen(took),
                counted(backup.orders_received(), "order")
            ),
            result.is_ok() && backup.orders_received() == 1 && took <= bound,
        );
        // The timed-out request still reaches the primary, which executes
        // it late: the order may now have filled twice. The venue cannot be
        // stopped from doing so, but the adapter must not lose track of it.
        late_fill(
            &primary,
            Some(&backup),
            started + latency * 2,
            timeout,
            routed.as_ref(),
            out,
            "timeout-failover",
        );
    }
}

/// Waits (until `deadline` at most) for the slow `primary` to execute the
/// request the adapter gave up on, then compares the adapter's positions
/// with what the venues hold between them.
fn late_fill(
    primary: &SimulatedVenue,
    backup: Option<&SimulatedVenue>,
    deadline: Instant,
    timeout: Duration,
    adapter: &dyn Broker,
    out: &mut Vec<BrokerScenario>,
    control: &'static str,
) {
    // The venue holds its lock while it takes its latency, so this waits
    // for the request in progress.
    while primary.orders_received() == 0 && Instant::now() < deadline {
        std::thread::sleep(timeout / 10);
    }
    let late = primary.orders_received();
    let venues: Vec<&SimulatedVenue> = std::iter::once(primary).chain(backup).collect();
    let (held, reported) = (held_at(&venues), adapter.positions());
    let twice = late > 0 && backup.is_some_and(|b| b.orders_received() > 0);
    scenario(
        out,
        control,
        format!(
            "the primary executed {} after the adapter gave up{}; the venues hold {held:?}, the adapter reports {reported:?}",
            counted(late, "late order"),
            if twice {
                " (the order filled at both venues)"
            } else {
                ""
            }
        ),
        same_positions(&held, &reported),
    );
}

/// An order larger than the venue's liquidity fills in parts, and the
/// adapter reports the partial state until the rest fills.
fn partial_scenario(connect: &Connect, out: &mut Vec<BrokerScenario>) {
    let venue = Arc::new(SimulatedVenue::new(VenueRules {
        liquidity: Some(60.0),
        ..VenueRules::default()
    }));
    let broker = connect(venue.clone(), None);
    let order = BrokerOrder::new("P1", "ACME", Side::Buy, 100.0, OrderType::Market);
    let id = broker.submit(&order);
    let first = id.as_ref().ok().and_then(|id| broker.status(id));
    venue.set_price("ACME", 100.0);
    let then = id.as_ref().ok().and_then(|id| broker.status(id));
    let position = broker.positions().get("ACME").copied().unwrap_or(0.0);
    scenario(
        out,
        "partial",
        format!(
            "a market buy of 100 with 60 available: {first:?}, then {then:?}, position {position}"
        ),
        matches!(first, Some(OrderState::PartiallyFilled { filled, .. }) if (filled - 60.0).abs() < 1e-9)
            && matches!(then, Some(OrderState::Filled { .. }))
            && (position - 100.0).abs() < 1e-9,
    );
}

/// A burst the venue's rate limit cannot take at once: the adapter must pace it.
fn rate_scenario(connect: &Connect, out: &mut Vec<BrokerScenario>) {
    let rate_venue = Arc::new(SimulatedVenue::new(VenueRules {
        max_requests_per_second: 10,
        ..VenueRules::default()
    }));
    let paced = connect(rate_venue.clone(), None);
    let started = Instant::now();
    let accepted = (0..15)
        .filter(|i| {
            paced
                .submit(&BrokerOrder::new(
                    &format!("B{i}"),
                    "ACME",
                    Side::Buy,
                    1.0,
                    OrderType::Market,
                ))
                .is_ok()
        })
        .count();
    scenario(
        out,
        "rate",
        format!(
            "15 orders through a venue allowing 10 a second: {accepted} accepted in {:.2} s, at most {} requests in a second",
            started.elapsed().as_secs_f64(),
            rate_venue.peak_rate()
        ),
        accepted == 15 && rate_venue.peak_rate() <= 10,
    );
}

/// Failover: with the primary down, orders go to the backup.
fn failover_scenario(connect: &Connect, out: &mut Vec<BrokerScenario>) {
    let (primary, backup) = (
        Arc::new(SimulatedVenue::new(VenueRules::default())),
        Arc::new(SimulatedVenue::new(VenueRules::default())),
    );
    let routed = connect(primary.clone(), Some(backup.clone()));
    primary.set_down(true);
    let result = routed.submit(&BrokerOrder::new(
        "F1",
        "ACME",
        Side::Buy,
        1.0,
        OrderType::Market,
    ));
    scenario(
        out,
        "failover",
        format!(
            "the primary is down: {result:?}; the backup received {}",
            counted(backup.orders_received(), "order")
        ),
        result.is_ok() && backup.orders_received() == 1,
    );
    // The order now lives at the backup: the adapter still knows it.
    let state = result.as_ref().ok().and_then(|id| routed.status(id));
    let (held, reported) = (held_at(&[&primary, &backup]), routed.positions());
    scenario(
        out,
        "failover",
        format!(
            "after the failover, the status of {result:?} is {state:?}; the venues hold {held:?}, the adapter reports {reported:?}"
        ),
        matches!(state, Some(OrderState::Filled { .. })) && same_positions(&held, &reported),
    );
}

/// The positions the venues hold between them, by symbol.
fn held_at(venues: &[&SimulatedVenue]) -> BTreeMap<String, f64> {
    let mut held = BTreeMap::new();
    for venue in venues {
        for (symbol, quantity) in venue.positions() {
            *held.entry(symbol).or_insert(0.0) += quantity;
        }
    }
    held.retain(|_, q| *q != 0.0);
    held
}

/// The same positions, symbol by symbol (a zero and an absent one alike).
fn same_positions(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>) -> bool {
    a.keys().chain(b.keys()).all(|symbol| {
        let (x, y) = (a.get(symbol), b.get(symbol));
        (x.copied().unwrap_or(0.0) - y.copied().unwrap_or(0.0)).abs() < 1e-9
    })
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{passed} of {total} broker scenarios conform")]
struct BrokerEvidence {
    total: usize,
    passed: usize,
    scenarios: Vec<BrokerScenario>,
}

fn judge(cx: &Context, controls: &[&str]) -> Result<Outcome, CheckError> {
    let conformance = cx.extension::<BrokerConformance>()?;
    let all = conformance.results.get_or_init(|| {
        run_suite(
            conformance.connect.as_ref(),
            conformance.has_backup,
            conformance.timeout,
        )
    });
    let mine: Vec<BrokerScenario> = all
        .iter()
        .filter(|s| controls.contains(&s.control))
        .cloned()
        .collect();
    if mine.is_empty() {
        return Ok(Outcome::not_applicable(
            "the service declares no backup broker: there is no failover to test",
        ));
    }
    let failed: Vec<&BrokerScenario> = mine.iter().filter(|s| !s.passed).collect();
    let evidence = BrokerEvidence {
        total: mine.len(),
        passed: mine.len() - failed.len(),
        scenarios: mine.clone(),
    };
    let outcome = if failed.is_empty() {
        Outcome::pass(format!(
            "the broker adapter conforms in all {} scenarios",
            mine.len()
        ))
    } else {
        let list: Vec<String> = failed
            .iter()
            .map(|s| format!("{}: {}", s.control, s.description))
            .collect();
        Outcome::fail(format!(
            "{} of {} scenarios fail: {}",
            failed.len(),
            mine.len(),
            list.join("; ")
        ))
    };
    Ok(outcome.with_evidence(&evidence))
}

macro_rules! broker_item {
    ($(#[$doc:meta])* $name:ident, $id:literal, $title:literal, $group:literal, $severity:literal, $applicability:literal, [$($control:literal),*]) => {
        $(#[$doc])*
        #[derive(ChecklistItem, Debug, Clone, Default)]
        #[item(
            id = $id,
            title = $title,
            group = $group,
            severity = $severity,
            owner = "tech-lead",
            applicability = $applicability,
            remediation = "fix the broker adapter until it passes every scenario against the simulated venue (the evidence lists them)"
        )]
        pub struct $name;

        impl Check for $name {
            fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
                judge(cx, &[$($control),*])
            }
        }
    };
}

broker_item!(
    /// The adapter works end to end against the simulated venue: orders,
    /// rejects, cancels, positions and cash, and, when it has a timeout, it
    /// gives up on a venue slower than that timeout in bounded time.
    ApiIntegration, "trading.broker.api-integration", "Broker API integration tested",
    "Broker Integration", "critical", "always",
    ["market", "limit", "stop", "partial", "reject", "cancel", "balance", "timeout"]
);
broker_item!(
    /// Market orders fill, limit orders rest then fill when crossed, stop orders trigger.
    OrderExecution, "trading.broker.order-execution", "Order execution tested (market, limit, stop orders)",
    "Broker Integration", "critical", "always", ["market", "limit", "stop"]
);
broker_item!(
    /// Positions and cash follow the fills.
    AccountBalance, "trading.broker.account-balance", "Account balance updates working",
    "Broker Integration", "high", "always", ["balance"]
);
broker_item!(
    /// Invalid orders come back rejected with a reason, and a canceled order stays canceled.
    RejectedOrders, "trading.broker.rejected-orders", "Error handling for rejected orders tested",
    "Broker Integration", "critical", "always", ["reject", "cancel"]
);
broker_item!(
    /// A burst beyond the venue's request rate is paced, not rejected.
    ApiRateLimits, "trading.broker.api-rate-limits", "API rate limits understood and respected",
    "Broker Integration", "high", "always", ["rate"]
);
broker_item!(
    /// With the primary broker down, or slower than the adapter's timeout
    /// when it has one, orders go to the backup broker.
    BackupBrokerFailover, "trading.broker.backup-broker-failover", "Failover to backup broker tested (if applicable)",
    "Broker Integration", "high", "if-applicable", ["failover", "timeout-failover"]
);
broker_item!(
    /// Orders reach the venue and route to the backup when the primary
    /// fails or times out.
    OrderRouting, "trading.logic.order-routing", "Order routing logic tested",
    "Trading Logic", "critical", "always", ["market", "failover", "timeout-failover"]
);

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    /// Gives up on the primary after `timeout`, then tries the backup.
    struct TimingOut {
        primary: Arc<SimulatedVenue>,
        backup: Option<Arc<SimulatedVenue>>,
        timeout: Duration,
    }

    impl Broker for TimingOut {
        fn submit(&self, order: &BrokerOrder) -> Result<String, String> {
            let (tx, rx) = mpsc::channel();
            let (primary, order_copy) = (self.primary.clone(), order.clone());
            std::thread::spawn(move || tx.send(primary.submit(&order_copy)));
            match rx.recv_timeout(self.timeout) {
                Ok(result) => result,
                Err(_) => match &self.backup {
                    Some(backup) => backup.submit(order),
                    None => Err(format!("timed out after {:?}", self.timeout)),
                },
            }
        }
        fn cancel(&self, order_id: &str) -> Result<(), String> {
            self.primary.cancel(order_id)
        }
        fn status(&self, order_id: &str) -> Option<OrderState> {
            self.primary.status(order_id)
        }
        fn positions(&self) -> BTreeMap<String, f64> {
            let venues: Vec<&SimulatedVenue> = std::iter::once(&*self.primary)
                .chain(self.backup.as_deref())
                .collect();
            held_at(&venues)
        }
        fn cash(&self) -> f64 {
            self.primary.cash()
        }
    }

    const TIMEOUT: Duration = Duration::from_millis(50);

    fn timeouts(connect: &Connect, has_backup: bool) -> Vec<BrokerScenario> {
        let mut out = Vec::new();
        timeout_scenarios(connect, has_backup, TIMEOUT, &mut out);
        out
    }

    #[test]
    fn the_venue_plays_its_price_path_in_order() {
        let venue = SimulatedVenue::new(VenueRules {
            price_path: vec![("ACME".to_owned(), 99.0), ("GLOBEX".to_owned(), 51.0)],
            ..VenueRules::default()
        });
        let id = venue
            .submit(&BrokerOrder::new(
                "P1",
                "ACME",
                Side::Buy,
                5.0,
                OrderType::Limit(99.0),
            ))
            .unwrap();
        assert_eq!(venue.status(&id), Some(OrderState::Working));
        assert_eq!(venue.step(), Some(("ACME".to_owned(), 99.0)));
        assert_eq!(venue.status(&id), Some(OrderState::Filled { price: 99.0 }));
        assert_eq!(venue.step(), Some(("GLOBEX".to_owned(), 51.0)));
        assert_eq!(venue.step(), None);
        // Played out, the prices stay where the path left them.
        let order = BrokerOrder::new("P2", "GLOBEX", Side::Sell, 1.0, OrderType::Market);
        let sold = venue.submit(&order).unwrap();
        assert_eq!(
            venue.status(&sold),
            Some(OrderState::Filled { price: 51.0 })
        );
    }

    #[test]
    fn the_venue_takes_its_latency() {
        let venue = SimulatedVenue::new(VenueRules {
            latency: Duration::from_millis(30),
            ..VenueRules::default()
        });
        let started = Instant::now();
        let order = BrokerOrder::new("L1", "ACME", Side::Buy, 1.0, OrderType::Market);
        assert!(venue.submit(&order).is_ok());
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn an_adapter_with_a_timeout_gives_up_and_routes_to_the_backup() {
        let connect = |primary, backup| -> Arc<dyn Broker> {
            Arc::new(TimingOut {
                primary,
                backup,
                timeout: TIMEOUT,
            })
        };
        let out = timeouts(&connect, true);
        let controls: Vec<&str> = out.iter().map(|s| s.control).collect();
        assert_eq!(
            controls,
            ["timeout", "timeout", "timeout-failover", "timeout-failover"]
        );
        for s in &out {
            assert!(s.passed, "{}: {}", s.control, s.description);
        }
        assert!(
            out[0].description.contains("timed out after")
                && out[0]
                    .description
                    .contains("the adapter's timeout is 0.050 s"),
            "{}",
            out[0].description
        );
        assert!(
            out[2].description.contains("the backup received 1 order"),
            "{}",
            out[2].description
        );
        assert!(
            out[3]
                .description
                .contains("the primary executed 1 late order after the adapter gave up (the order filled at both venues); the venues hold {\"ACME\": 2.0}"),
            "{}",
            out[3].description
        );
        // Without a backup there is no failover to test.
        assert_eq!(timeouts(&connect, false).len(), 2);
    }

    #[test]
    fn an_adapter_that_waits_for_the_venue_fails() {
        let connect = |primary: Arc<SimulatedVenue>, _| -> Arc<dyn Broker> { primary };
        let out = timeouts(&connect, false);
        assert!(!out[0].passed, "{}", out[0].description);
        assert!(
            out[0].description.contains("(at most 0.150 s): Ok("),
            "{}",
            out[0].description
        );
    }
}
