//! Pre-trade risk conformance: the service's own risk engine, driven through
//! a thin adapter, must approve orders just inside each limit of `risk.toml`
//! and reject those just outside.
//!
//! The service implements [`PreTradeRisk`] over its engine and hands it to
//! the run:
//!
//! ```no_run
//! use std::sync::Arc;
//! use preflight_probes::risk::pretrade::{Decision, Fill, OrderIntent, PreTradeRisk, RiskEngine};
//!
//! /// The adapter over the service's engine (this one is closed for trading).
//! struct Adapter;
//!
//! impl PreTradeRisk for Adapter {
//!     fn reset(&self, _capital: f64) {}
//!     fn check(&self, _order: &OrderIntent) -> Decision {
//!         Decision::Reject { reason: "closed".into() }
//!     }
//!     fn on_fill(&self, _fill: &Fill) {}
//!     fn on_mark(&self, _symbol: &str, _price: f64) {}
//!     fn trigger_kill_switch(&self) {}
//!     fn reset_kill_switch(&self) {}
//! }
//!
//! let registry = preflight_core::Registry::from_inventory(&[preflight_probes::items()]).unwrap();
//! let config = preflight_core::Config::load("preflight.toml").unwrap();
//! let report = preflight_core::Runner::new(&registry, config)
//!     .extension(RiskEngine::new(Arc::new(Adapter)))
//!     .run()
//!     .unwrap();
//! ```
//!
//! The suite ([`run_suite`]) resets the engine before each scenario, so it
//! must be a sandbox account, never the production one. Every scenario is a
//! line of evidence: what was sent, what was expected, what the engine said.
//!
//! Besides the orders at each limit, the suite draws random orders from the
//! items' `seed` (default 1, shown in the evidence): a dozen inside every
//! limit, which must be approved (`within-limits`), and a dozen beyond one of
//! the quantity, notional and collar limits, which must be rejected. The
//! same seed draws the same orders, so a failure can be replayed.

use std::sync::{Arc, OnceLock};

use preflight_core::{Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Outcome};
use serde::Serialize;

use super::limits::{RiskLimits, Violation};

/// Buy or sell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Increases a long position.
    Buy,
    /// Decreases a long position or increases a short one.
    Sell,
}

/// An order the strategy wants to send, as the risk engine sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OrderIntent {
    /// The client order ID (unique per order).
    pub client_order_id: String,
    /// The instrument.
    pub symbol: String,
    /// Buy or sell.
    pub side: Side,
    /// Quantity, positive.
    pub quantity: f64,
    /// Limit price.
    pub price: f64,
    /// The reference price (last trade or mid) the price collar applies to.
    pub reference_price: f64,
    /// When the order is sent (the suite's clock, for rate limits).
    pub at: jiff::Timestamp,
}

impl OrderIntent {
    /// An order intent (for engines that emit orders, such as stop-losses).
    #[must_use]
    #[allow(clippy::too_many_arguments)] // one per field
    pub fn new(
        client_order_id: &str,
        symbol: &str,
        side: Side,
        quantity: f64,
        price: f64,
        reference_price: f64,
        at: jiff::Timestamp,
    ) -> Self {
        OrderIntent {
            client_order_id: client_order_id.to_owned(),
            symbol: symbol.to_owned(),
            side,
            quantity,
            price,
            reference_price,
            at,
        }
    }
}

/// A fill of an earlier order, for the engine's positions and P&L.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Fill {
    /// The instrument.
    pub symbol: String,
    /// Buy or sell.
    pub side: Side,
    /// Quantity filled.
    pub quantity: f64,
    /// Fill price.
    pub price: f64,
}

/// The engine's answer to an order intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum Decision {
    /// The order may be sent.
    Approve,
    /// The order must not be sent, and why.
    Reject {
        /// The engine's reason.
        reason: String,
    },
}

/// A thin adapter over a service's own pre-trade risk engine.
///
/// The engine keeps its account state (positions, P&L, order counts) from
/// the fills and marks it is told about; [`PreTradeRisk::reset`] starts a
/// fresh sandbox account with `capital` of equity.
pub trait PreTradeRisk: Send + Sync {
    /// Starts a fresh account: no positions, no orders, no P&L, kill switch off.
    fn reset(&self, capital: f64);
    /// Decides whether `order` may be sent.
    fn check(&self, order: &OrderIntent) -> Decision;
    /// An order was filled.
    fn on_fill(&self, fill: &Fill);
    /// A new market price.
    fn on_mark(&self, symbol: &str, price: f64);
    /// Fires the kill switch: every new order must be rejected.
    fn trigger_kill_switch(&self);
    /// Re-enables trading after the kill switch.
    fn reset_kill_switch(&self);

    /// The orders the engine's stop-loss policy wants sent now, given the
    /// fills and marks so far: closing positions that lost more than the
    /// policy allows. An engine without stop-losses returns none (and fails
    /// the stop-loss scenarios).
    fn stop_orders(&self) -> Vec<OrderIntent> {
        Vec::new()
    }

    /// The quantity the engine's sizing rule gives a new position in `symbol`
    /// at `price` with its stop `stop_distance` away; `None` when it has no
    /// sizing rule (and fails the sizing scenario).
    fn position_size(&self, symbol: &str, price: f64, stop_distance: f64) -> Option<f64> {
        let _ = (symbol, price, stop_distance);
        None
    }
}

/// The extension a run takes: the adapter, and the suite's results once run
/// (every conformance item shares one run of the suite).
pub struct RiskEngine {
    engine: Arc<dyn PreTradeRisk>,
    results: OnceLock<Result<Vec<Scenario>, String>>,
}

impl std::fmt::Debug for RiskEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RiskEngine").finish_non_exhaustive()
    }
}

impl RiskEngine {
    /// Wraps an adapter for [`Runner::extension`](preflight_core::Runner::extension).
    #[must_use]
    pub fn new(engine: Arc<dyn PreTradeRisk>) -> Self {
        RiskEngine {
            engine,
            results: OnceLock::new(),
        }
    }
}

/// One conformance scenario: an order the engine must approve or reject.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    /// The control it exercises (`quantity`, `notional`, `price-collar`, ...).
    pub control: &'static str,
    /// What the scenario does, in words.
    pub description: String,
    /// The order sent.
    pub order: OrderIntent,
    /// Whether the engine should approve it.
    pub expect_approve: bool,
    /// What the engine said.
    pub decision: Decision,
    /// Whether the engine did what the limits require.
    pub passed: bool,
}

/// The suite's parameters: which instrument, at what price.
#[derive(Debug, Clone)]
struct Setup {
    symbol: String,
    price: f64,
    capital: f64,
    start: jiff::Timestamp,
}

struct Driver<'a> {
    engine: &'a dyn PreTradeRisk,
    setup: &'a Setup,
    /// The reference price of the orders sent (the collar's anchor).
    reference: f64,
    scenarios: Vec<Scenario>,
    next_id: u64,
    seconds: i64,
}

impl Driver<'_> {
    fn reset(&mut self) {
        self.reference = self.setup.price;
        self.engine.reset(self.setup.capital);
        self.engine.on_mark(&self.setup.symbol, self.setup.price);
        // A new second for each scenario, so that rate limits do not carry over.
        self.seconds += 10;
    }

    fn order(&mut self, symbol: &str, side: Side, quantity: f64, price: f64) -> OrderIntent {
        self.next_id += 1;
        OrderIntent {
            client_order_id: format!("PF-{:06}", self.next_id),
            symbol: symbol.to_owned(),
            side,
            quantity,
            price,
            reference_price: self.reference,
            at: self
                .setup
                .start
                .checked_add(jiff::SignedDuration::from_secs(self.seconds))
                .unwrap_or(self.setup.start),
        }
    }

    fn expect(
        &mut self,
        control: &'static str,
        description: String,
        order: OrderIntent,
        approve: bool,
    ) {
        let decision = self.engine.check(&order);
        let passed = matches!(decision, Decision::Approve) == approve;
        self.scenarios.push(Scenario {
            control,
            description,
            order,
            expect_approve: approve,
            decision,
            passed,
        });
    }

    /// A scenario judged on the engine's output rather than an order decision.
    fn record(&mut self, control: &'static str, description: String, passed: bool) {
        let symbol = self.setup.symbol.clone();
        let order = self.order(&symbol, Side::Buy, 0.0, self.setup.price);
        self.scenarios.push(Scenario {
            control,
            description,
            order,
            expect_approve: passed,
            decision: if passed {
                Decision::Approve
            } else {
                Decision::Reject {
                    reason: "the engine did not do what its policy requires".to_owned(),
                }
            },
            passed,
        });
    }

    fn fill(&self, side: Side, quantity: f64, price: f64) {
        self.engine.on_fill(&Fill {
            symbol: self.setup.symbol.clone(),
            side,
            quantity,
            price,
        });
    }
}

/// What the scenarios are built from: the limits that apply to the symbol.
struct Plan<'a> {
    limits: &'a RiskLimits,
    symbol: &'a str,
    /// The reference price, on the tick.
    price: f64,
    max_qty: Option<f64>,
    max_position: Option<f64>,
    /// The instrument's tick size, when risk.toml gives one.
    tick: Option<f64>,
}

impl Plan<'_> {
    /// `price` on the tick (rounded down, or up), so that an engine that
    /// checks ticks does not refuse an order for that; unchanged without a
    /// tick size.
    fn on_tick(&self, price: f64, up: bool) -> f64 {
        match self.tick {
            Some(t) if up => (price / t).ceil() * t,
            Some(t) => (price / t).floor() * t,
            None => price,
        }
    }

    /// The largest order notional allowed for the symbol (the lower of its
    /// own and the global limit; unbounded when neither is set).
    fn max_notional(&self) -> f64 {
        self.limits
            .max_order_notional(self.symbol)
            .unwrap_or(f64::MAX)
    }
}

/// One method per control: each resets the account and sends its orders.
impl Driver<'_> {
    fn stop_loss(&mut self, plan: &Plan<'_>) {
        let Some(fraction) = plan
            .limits
            .stop_loss
            .as_ref()
            .and_then(|p| p.max_loss_fraction)
        else {
            return;
        };
        let (symbol, price) = (plan.symbol, plan.price);
        let qty = plan
            .max_qty
            .unwrap_or(100.0)
            .min(plan.max_position.unwrap_or(f64::MAX));
        self.reset();
        self.fill(Side::Buy, qty, price);
        let within = price * (1.0 - fraction * 0.5);
        self.engine.on_mark(symbol, within);
        let early = self.engine.stop_orders();
        self.record(
            "stop-loss",
            format!("long {qty} at {price}, marked at {within:.4} (half the {fraction} stop): no stop order (got {})", early.len()),
            early.is_empty(),
        );
        let through = price * (1.0 - fraction * 1.2);
        self.engine.on_mark(symbol, through);
        let stops = self.engine.stop_orders();
        let closes = stops
            .iter()
            .any(|o| o.symbol == symbol && o.side == Side::Sell && (o.quantity - qty).abs() < 1e-9);
        self.record(
            "stop-loss",
            format!("marked at {through:.4}, past the {fraction} stop: a sell of {qty} closes the position (got {} orders)", stops.len()),
            closes,
        );
    }

    fn position_sizing(&mut self, plan: &Plan<'_>) {
        let Some(risk) = plan
            .limits
            .position_sizing
            .as_ref()
            .and_then(|p| p.risk_per_trade)
        else {
            return;
        };
        let (symbol, price) = (plan.symbol, plan.price);
        self.reset();
        let stop_distance = price * 0.02;
        let budget = risk * self.setup.capital;
        let size = self.engine.position_size(symbol, price, stop_distance);
        let passed = size.is_some_and(|q| q > 0.0 && q * stop_distance <= budget * (1.0 + 1e-9));
        self.record(
            "position-sizing",
            format!("a position at {price} with its stop {stop_distance:.4} away may risk {budget:.2} ({risk} of capital): size {size:?}"),
            passed,
        );
    }

    fn quantity(&mut self, plan: &Plan<'_>) {
        let symbol = plan.symbol;
        let max_qty = plan.max_qty;
        if let Some(max) = max_qty {
            // Priced so that both orders are within the notional limit, and
            // the reference with them (the collar does not decide either):
            // only the quantity can turn the second down.
            let price = plan.on_tick(
                plan.price.min(plan.max_notional() / (max + 1.0) * 0.999),
                false,
            );
            self.reset();
            self.reference = price;
            let o = self.order(symbol, Side::Buy, max, price);
            self.expect(
                "quantity",
                format!("an order of exactly the maximum quantity {max}"),
                o,
                true,
            );
            self.reset();
            self.reference = price;
            let o = self.order(symbol, Side::Buy, max + 1.0, price);
            self.expect(
                "quantity",
                format!("an order of {} (one above the maximum)", max + 1.0),
                o,
                false,
            );
        }
    }

    fn notional(&mut self, plan: &Plan<'_>) {
        let symbol = plan.symbol;
        let max_qty = plan.max_qty;
        if let Some(max) = plan.limits.max_order_notional(symbol) {
            // A quantity within the size limit, priced around the notional limit.
            let qty = max_qty.map_or(100.0, |q| (q / 2.0).floor().max(1.0));
            let at_limit = max / qty;
            // The reference moves with the order's price, so the collar does not decide.
            let (inside, above) = (
                plan.on_tick(at_limit * 0.999, false),
                plan.on_tick(at_limit * 1.001, true),
            );
            self.reset();
            self.reference = at_limit;
            let o = self.order(symbol, Side::Buy, qty, inside);
            self.expect(
                "notional",
                format!("{qty} at {inside:.4}: just inside the notional limit {max}"),
                o,
                true,
            );
            self.reset();
            self.reference = at_limit;
            let o = self.order(symbol, Side::Buy, qty, above);
            self.expect(
                "notional",
                format!("{qty} at {above:.4}: just above the notional limit {max}"),
                o,
                false,
            );
        }
    }

    fn price_collar(&mut self, plan: &Plan<'_>) {
        let symbol = plan.symbol;
        let price = plan.price;
        let Some(width) = plan.limits.collar_width(symbol, price) else {
            return;
        };
        // With a tick size, prices are whole ticks: the reference rounded to
        // one, then one tick inside and one beyond the collar. Otherwise 5 %
        // of the width either side of it.
        let tick = plan
            .limits
            .instrument
            .get(symbol)
            .and_then(|i| i.tick_size)
            .filter(|t| *t > 0.0 && *t < width);
        let (reference, inside, outside) = match tick {
            Some(t) => {
                let n = (price / t).round();
                let ticks = (width / t + 1e-9).floor();
                (n * t, (n + ticks - 1.0) * t, (n + ticks + 1.0) * t)
            }
            None => (price, price + width * 0.95, price + width * 1.05),
        };
        for (at, within) in [(inside, true), (outside, false)] {
            self.reset();
            self.reference = reference;
            let o = self.order(symbol, Side::Buy, 1.0, at);
            self.expect(
                "price-collar",
                format!(
                    "a buy at {at:.4}, {} the collar of {width:.4} around {reference:.4}",
                    if within { "within" } else { "beyond" }
                ),
                o,
                within,
            );
        }
    }

    fn position(&mut self, plan: &Plan<'_>) {
        let symbol = plan.symbol;
        let price = plan.price;
        let max_qty = plan.max_qty;
        let max_position = plan.max_position;
        if let (Some(max), Some(qty)) = (max_position, max_qty) {
            // Orders small enough for the notional limit too, so that only
            // the position limit decides.
            let qty = plan
                .limits
                .max_order_notional(symbol)
                .map_or(qty, |n| qty.min((n / price).floor()).max(1.0));
            // Fill to exactly one order below the position limit (the last
            // fill partial), then ask for the order that reaches it, one
            // more share beyond it, and a sell that reduces it.
            self.reset();
            let qty = qty.min(max);
            let target = max - qty;
            let mut held = 0.0;
            while held < target {
                let part = qty.min(target - held);
                self.fill(Side::Buy, part, price);
                held += part;
            }
            let o = self.order(symbol, Side::Buy, qty, price);
            self.expect(
                "position",
                format!("holding {held}, a buy of {qty} reaching the position limit {max}"),
                o,
                true,
            );
            self.fill(Side::Buy, qty, price);
            let o = self.order(symbol, Side::Buy, 1.0, price);
            self.expect(
                "position",
                format!("holding {max}, a buy of 1 beyond the position limit {max}"),
                o,
                false,
            );
            let o = self.order(symbol, Side::Sell, 1.0, price);
            self.expect(
                "position",
                "at the position limit, a sell that reduces it".to_owned(),
                o,
                true,
            );
        }
    }

    fn leverage(&mut self, plan: &Plan<'_>) {
        let (symbol, price) = (plan.symbol, plan.price);
        let g = &plan.limits.global;
        let (Some(leverage), Some(capital)) = (g.max_leverage, plan.limits.capital) else {
            return;
        };
        // The full order passes every per-order and position limit on its
        // own, so that only the exposure can turn it down: shown first, on
        // an empty book.
        let order_qty = Self::full_order(plan);
        self.reset();
        let o = self.order(symbol, Side::Buy, order_qty, price);
        self.expect(
            "leverage",
            format!(
                "with no exposure, a buy of {order_qty} (within the order and position limits)"
            ),
            o,
            true,
        );
        // Gross exposure is built in other instruments, each within the
        // position limits, to half an order below the leverage limit (or the
        // gross exposure limit, when it binds first), long and short alike;
        // then a small order fits and the full one does not.
        self.reset();
        let leverage_limit = leverage * capital;
        let (gross_limit, binding) = match g.max_gross_exposure {
            Some(gross) if gross < leverage_limit => (
                gross,
                format!("the gross exposure limit, below {leverage}x capital"),
            ),
            _ => (leverage_limit, format!("{leverage}x capital")),
        };
        let per_order = order_qty * price;
        // Half long, half short: no net exposure, so that a net limit
        // below the gross one does not decide.
        let target = gross_limit - per_order * 0.5;
        let gross = self.hold_elsewhere(plan, target / 2.0, Side::Buy)
            + self.hold_elsewhere(plan, target / 2.0, Side::Sell);
        self.fits_then_not(
            plan,
            "leverage",
            &format!("gross {gross:.0} of {gross_limit:.0} allowed ({binding})"),
            order_qty,
            "",
        );
    }

    /// Half an order below an exposure limit: a quarter of the order fits,
    /// the whole `order_qty` does not.
    fn fits_then_not(
        &mut self,
        plan: &Plan<'_>,
        control: &'static str,
        held: &str,
        order_qty: f64,
        note: &str,
    ) {
        let (symbol, price) = (plan.symbol, plan.price);
        let small = (order_qty * 0.25).floor().max(1.0);
        let o = self.order(symbol, Side::Buy, small, price);
        self.expect(
            control,
            format!("{held}, a buy of {small} that fits"),
            o,
            true,
        );
        let o = self.order(symbol, Side::Buy, order_qty, price);
        self.expect(
            control,
            format!("{held}, a buy of {order_qty} taking it past the limit{note}"),
            o,
            false,
        );
    }

    /// The largest order of the exposure scenarios: within the quantity,
    /// position and notional limits, so that only exposure can refuse it.
    fn full_order(plan: &Plan<'_>) -> f64 {
        plan.max_qty
            .unwrap_or(100.0)
            .min(plan.max_position.unwrap_or(f64::MAX))
            .min((plan.max_notional() / plan.price).floor())
            .max(1.0)
    }

    /// Positions on `side` in other instruments (`<symbol>-L1`, ... long,
    /// `<symbol>-S1`, ... short), each within the position limits, worth
    /// `target` at the plan's price: the gross exposure they make.
    fn hold_elsewhere(&mut self, plan: &Plan<'_>, target: f64, side: Side) -> f64 {
        let price = plan.price;
        let per_symbol = plan
            .max_position
            .unwrap_or(f64::MAX)
            .min(
                plan.limits
                    .global
                    .max_position_notional
                    .map_or(f64::MAX, |n| n / price),
            )
            .min(1e9);
        let mut held = 0.0;
        let mut k = 0;
        while held + 1e-9 < target && k < 10_000 {
            k += 1;
            let other = match side {
                Side::Buy => format!("{}-L{k}", plan.symbol),
                Side::Sell => format!("{}-S{k}", plan.symbol),
            };
            let qty = per_symbol.min((target - held) / price);
            self.engine.on_mark(&other, price);
            self.engine.on_fill(&Fill {
                symbol: other,
                side,
                quantity: qty,
                price,
            });
            held += qty * price;
        }
        held
    }

    /// Net exposure, when its limit binds before the gross and leverage
    /// limits: long positions elsewhere up to half an order below it, then
    /// a small buy fits and the full one does not (its gross still within
    /// the other limits, so that only the net limit can refuse it).
    fn net_exposure(&mut self, plan: &Plan<'_>) {
        let g = &plan.limits.global;
        let Some(net) = g.max_net_exposure else {
            return;
        };
        let others = [
            g.max_gross_exposure,
            g.max_leverage.zip(plan.limits.capital).map(|(l, c)| l * c),
        ]
        .into_iter()
        .flatten()
        .fold(f64::MAX, f64::min);
        let price = plan.price;
        let order_qty = Self::full_order(plan);
        let per_order = order_qty * price;
        if net + per_order * 0.5 >= others * 0.999 {
            return;
        }
        self.reset();
        let held = self.hold_elsewhere(plan, net - per_order * 0.5, Side::Buy);
        self.fits_then_not(
            plan,
            "exposure",
            &format!("net exposure {held:.0} of {net:.0} allowed"),
            order_qty,
            &format!(" (gross stays within {others:.0})"),
        );
    }

    fn daily_loss(&mut self, plan: &Plan<'_>) {
        let symbol = plan.symbol;
        let price = plan.price;
        let g = &plan.limits.global;
        let max_qty = plan.max_qty;
        let max_position = plan.max_position;
        if let Some(daily) = g.daily_loss_limit {
            // A losing day: buy, then mark below the entry until the loss passes the limit.
            self.reset();
            let qty = max_qty.map_or(100.0, |q| q.min(max_position.unwrap_or(q)));
            self.fill(Side::Buy, qty, price);
            let marked = plan.on_tick(price - (daily * 1.1 / qty).min(price * 0.9), false);
            let drop = price - marked;
            self.engine.on_mark(symbol, marked);
            // Orders now trade at the new price: the collar must not decide.
            self.reference = marked;
            let loss = drop * qty;
            let o = self.order(symbol, Side::Buy, 1.0, marked);
            self.expect(
                "daily-loss",
                format!("after a loss of {loss:.0} (limit {daily}), a buy that adds risk"),
                o,
                false,
            );
            let o = self.order(symbol, Side::Sell, 1.0, marked);
            self.expect(
                "daily-loss",
                format!("after a loss of {loss:.0}, a sell that reduces risk"),
                o,
                true,
            );
        }
    }

    fn order_rate(&mut self, plan: &Plan<'_>) {
        let symbol = plan.symbol;
        let price = plan.price;
        let limits = plan.limits;
        if let Some(rate) = limits
            .rate_limits
            .as_ref()
            .and_then(|r| r.orders_per_second)
        {
            self.reset();
            let n = rate.floor();
            let mut all_inside = true;
            let mut sent = 0.0;
            while sent < n {
                let o = self.order(symbol, Side::Buy, 1.0, price);
                all_inside &= matches!(self.engine.check(&o), Decision::Approve);
                sent += 1.0;
            }
            let o = self.order(symbol, Side::Buy, 1.0, price);
            self.expect(
                "order-rate",
                format!(
                    "order {} within one second (limit {rate} per second; the first {n} were {})",
                    n + 1.0,
                    if all_inside {
                        "approved"
                    } else {
                        "not all approved"
                    }
                ),
                o,
                false,
            );
            if !all_inside && let Some(last) = self.scenarios.last_mut() {
                last.passed = false;
            }
        }
    }

    fn duplicate(&mut self, plan: &Plan<'_>) {
        let symbol = plan.symbol;
        let price = plan.price;
        {
            self.reset();
            let o = self.order(symbol, Side::Buy, 1.0, price);
            self.expect(
                "duplicate-order",
                "a first order".to_owned(),
                o.clone(),
                true,
            );
            self.expect(
                "duplicate-order",
                format!("the same client order ID `{}` again", o.client_order_id),
                o,
                false,
            );
        }
    }

    fn restricted(&mut self, plan: &Plan<'_>) {
        let price = plan.price;
        let limits = plan.limits;
        for restricted in &limits.restricted {
            self.reset();
            let o = self.order(restricted, Side::Buy, 1.0, price);
            self.expect(
                "restricted",
                format!("an order in the restricted instrument {restricted}"),
                o,
                false,
            );
        }
    }

    fn kill_switch(&mut self, plan: &Plan<'_>) {
        let symbol = plan.symbol;
        let price = plan.price;
        let limits = plan.limits;
        if limits.kill_switch.is_some() {
            self.reset();
            self.engine.trigger_kill_switch();
            let o = self.order(symbol, Side::Sell, 1.0, price);
            self.expect(
                "kill-switch",
                "after the kill switch fires, a risk-reducing sell".to_owned(),
                o,
                false,
            );
            self.engine.reset_kill_switch();
            let o = self.order(symbol, Side::Buy, 1.0, price);
            self.expect(
                "kill-switch",
                "after the kill switch is reset, a small buy".to_owned(),
                o,
                true,
            );
        }
    }
}

/// How many random orders the suite draws inside the limits, and as many
/// beyond one of them.
const DRAWS: usize = 12;

/// What the random orders are drawn within, besides the [`Plan`]: the
/// limits that apply to an order on an empty book.
struct Bounds {
    /// The collar's width around the plan's price.
    width: Option<f64>,
    max_notional: Option<f64>,
    /// The largest quantity on an empty book (order and position limits).
    quantity_cap: f64,
    /// The largest notional on an empty book (order and exposure limits).
    exposure: f64,
}

impl Bounds {
    fn of(plan: &Plan<'_>) -> Self {
        let (symbol, limits) = (plan.symbol, plan.limits);
        let g = &limits.global;
        let max_notional = limits.max_order_notional(symbol);
        Bounds {
            width: limits.collar_width(symbol, plan.price),
            max_notional,
            quantity_cap: plan
                .max_qty
                .unwrap_or(1e6)
                .min(plan.max_position.unwrap_or(f64::MAX)),
            exposure: [
                max_notional,
                g.max_gross_exposure,
                g.max_position_notional,
                g.max_leverage.zip(limits.capital).map(|(l, c)| l * c),
            ]
            .into_iter()
            .flatten()
            .fold(f64::MAX, f64::min),
        }
    }
}

/// A whole quantity from 1 to `high`.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "quantities are whole numbers far below 2^53"
)]
fn whole(rng: &mut fastrand::Rng, high: f64) -> f64 {
    rng.u64(1..=high.max(1.0) as u64) as f64
}

impl Driver<'_> {
    /// Orders drawn from `seed`, each on an empty book: inside every limit
    /// (a quantity, a price within nine tenths of the collar, a notional
    /// below the order and exposure limits), which must be approved; and
    /// beyond exactly one of the quantity, notional and collar limits, the
    /// others kept, which must be rejected. With a tick size, prices are
    /// whole ticks. The same seed draws the same orders.
    fn random(&mut self, plan: &Plan<'_>, seed: u64) {
        let mut rng = fastrand::Rng::with_seed(seed);
        let b = Bounds::of(plan);
        let beyond: Vec<&'static str> = [
            plan.max_qty.map(|_| "quantity"),
            b.max_notional.map(|_| "notional"),
            b.width.map(|_| "price-collar"),
        ]
        .into_iter()
        .flatten()
        .collect();
        for k in 1..=DRAWS {
            let tag = format!("random order {k} of seed {seed}");
            let offset = b.width.map_or(0.0, |w| w * 0.9 * (2.0 * rng.f64() - 1.0));
            let price = plan
                .on_tick(plan.price + offset, offset < 0.0)
                .max(plan.tick.unwrap_or(0.0001));
            let qty = whole(
                &mut rng,
                b.quantity_cap.min((b.exposure * 0.99 / price).floor()),
            );
            self.reset();
            self.reference = plan.price;
            let o = self.order(plan.symbol, Side::Buy, qty, price);
            self.expect(
                "within-limits",
                format!(
                    "{tag}: a buy of {qty} at {price:.4} (reference {:.4}), inside every limit",
                    plan.price
                ),
                o,
                true,
            );
            if !beyond.is_empty() {
                let control = beyond[rng.usize(..beyond.len())];
                self.beyond(plan, &b, &mut rng, control, &tag);
            }
        }
    }

    /// A random order beyond the limit of `control` alone.
    fn beyond(
        &mut self,
        plan: &Plan<'_>,
        b: &Bounds,
        rng: &mut fastrand::Rng,
        control: &'static str,
        tag: &str,
    ) {
        self.reset();
        let (qty, price, what) = match control {
            "quantity" => {
                let max = plan.max_qty.unwrap_or(1.0);
                let qty = max + whole(rng, max / 2.0);
                // Priced within the notional limit, the reference with it.
                let price = plan.on_tick(
                    plan.price
                        .min(b.max_notional.unwrap_or(f64::MAX) * 0.99 / qty),
                    false,
                );
                self.reference = price;
                (qty, price, format!("over the quantity limit {max}"))
            }
            "notional" => {
                let limit = b.max_notional.unwrap_or(f64::MAX);
                let qty = whole(rng, b.quantity_cap);
                let price = plan.on_tick(limit * (1.01 + rng.f64() * 0.5) / qty, true);
                self.reference = price;
                (qty, price, format!("a notional over the limit {limit}"))
            }
            _ => {
                let w = b.width.unwrap_or(0.0);
                let deviation = w * (1.05 + rng.f64());
                let (price, side) = if rng.bool() || plan.price - deviation <= 0.0 {
                    (plan.on_tick(plan.price + deviation, true), "above")
                } else {
                    (plan.on_tick(plan.price - deviation, false), "below")
                };
                self.reference = plan.price;
                (
                    1.0,
                    price,
                    format!("{side} the collar of {w:.4} around {:.4}", plan.price),
                )
            }
        };
        let o = self.order(plan.symbol, Side::Buy, qty, price);
        self.expect(
            control,
            format!("{tag}: a buy of {qty} at {price:.4}, {what}"),
            o,
            false,
        );
    }
}

/// Runs every scenario the limits allow against `engine`. Limits that are not
/// set produce no scenario ([`RiskLimits::control_violations`] names them, and
/// the items fail on them).
#[must_use]
pub fn run_suite(
    engine: &dyn PreTradeRisk,
    limits: &RiskLimits,
    symbol: &str,
    price: f64,
    seed: u64,
) -> Vec<Scenario> {
    // Every order price on the instrument's tick, the reference first.
    let tick = limits
        .instrument
        .get(symbol)
        .and_then(|i| i.tick_size)
        .filter(|t| *t > 0.0);
    let price = tick.map_or(price, |t| (price / t).round() * t);
    let setup = Setup {
        symbol: symbol.to_owned(),
        price,
        capital: limits.capital.unwrap_or(1_000_000.0),
        start: jiff::Timestamp::from_second(1_767_225_600).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
    };
    let mut d = Driver {
        engine,
        setup: &setup,
        reference: price,
        scenarios: Vec::new(),
        next_id: 0,
        seconds: 0,
    };
    let plan = Plan {
        limits,
        symbol,
        price,
        max_qty: limits.max_order_quantity(symbol),
        max_position: limits.max_position(symbol),
        tick,
    };

    d.quantity(&plan);
    d.notional(&plan);
    d.price_collar(&plan);
    d.position(&plan);
    d.leverage(&plan);
    d.net_exposure(&plan);
    d.daily_loss(&plan);
    d.order_rate(&plan);
    d.duplicate(&plan);
    d.restricted(&plan);
    d.kill_switch(&plan);
    d.stop_loss(&plan);
    d.position_sizing(&plan);
    d.random(&plan, seed);
    d.scenarios
}

/// What the order log adds to an item, when `[inputs.order_log]` is set:
/// services in any language can show the control works in production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogCheck {
    /// Nothing: the item is judged by the conformance suite alone.
    Nothing,
    /// Orders sent without an approving risk decision before them.
    Unapproved,
    /// Client order IDs used twice.
    Duplicates,
}

/// Breaks of the order log for one item.
#[derive(Debug, Clone, Serialize)]
struct LogFindings {
    check: &'static str,
    orders: u64,
    count: u64,
    /// The first of them: the log's line and the client order ID.
    first: Vec<(u64, String)>,
}

#[cfg(feature = "trading")]
fn log_findings(cx: &Context, check: LogCheck) -> Result<Option<LogFindings>, CheckError> {
    if check == LogCheck::Nothing || !cx.config().inputs.contains_key("order_log") {
        return Ok(None);
    }
    let log = cx.input::<crate::trading::orders::OrderLog>("order_log")?;
    let (name, kinds) = match check {
        LogCheck::Unapproved => (
            "orders without an approving risk decision",
            vec![&log.summary.unapproved_orders],
        ),
        _ => (
            "duplicate client order IDs or identical orders within the window",
            vec![&log.summary.duplicate_ids, &log.summary.identical_orders],
        ),
    };
    let mut first: Vec<(u64, String)> = kinds
        .iter()
        .flat_map(|b| b.first.iter().map(|b| (b.line, b.client_order_id.clone())))
        .collect();
    first.sort();
    Ok(Some(LogFindings {
        check: name,
        orders: log.summary.orders,
        count: kinds.iter().map(|b| b.count).sum(),
        first,
    }))
}

#[cfg(not(feature = "trading"))]
#[allow(clippy::unnecessary_wraps)] // the same signature as with the feature
fn log_findings(_cx: &Context, _check: LogCheck) -> Result<Option<LogFindings>, CheckError> {
    Ok(None)
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "{passed} of {total} scenarios conform (symbol {symbol} at {price}, seed {seed})"
)]
struct SuiteEvidence {
    symbol: String,
    price: f64,
    /// The seed of the random orders.
    seed: u64,
    total: usize,
    passed: usize,
    scenarios: Vec<Scenario>,
    /// Settings of risk.toml the item's controls need and do not find.
    unset_limits: Vec<Violation>,
    /// What the order log shows, when it is configured.
    order_log: Option<LogFindings>,
}

/// The scenarios of `controls` (all when empty), the suite run once per run.
fn scenarios(
    cx: &Context,
    engine: &RiskEngine,
    params: &Conformance,
    controls: &[&str],
) -> Result<(Vec<Scenario>, Option<Artifact>), CheckError> {
    let limits = cx.input::<RiskLimits>("risk_limits")?;
    let all = engine
        .results
        .get_or_init(|| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                run_suite(
                    engine.engine.as_ref(),
                    &limits,
                    &params.symbol,
                    params.price,
                    params.seed,
                )
            }))
            .map_err(|_| "the risk engine adapter panicked during the conformance suite".to_owned())
        })
        .clone()
        .map_err(CheckError::msg)?;
    let mine: Vec<Scenario> = all
        .into_iter()
        .filter(|s| controls.is_empty() || controls.contains(&s.control))
        .collect();
    Ok((mine, limits.artifact.clone()))
}

fn describe(s: &Scenario) -> String {
    format!(
        "{}: {} was {} (expected {})",
        s.control,
        s.description,
        match &s.decision {
            Decision::Approve => "approved".to_owned(),
            Decision::Reject { reason } => format!("rejected ({reason})"),
        },
        if s.expect_approve {
            "approve"
        } else {
            "reject"
        }
    )
}

/// Judges an item on the conformance suite (when the service hands in its
/// engine) and on the order log (when one is configured and the item reads
/// it); at least one of the two is needed.
fn judge(
    cx: &Context,
    params: &Conformance,
    controls: &[&str],
    log_check: LogCheck,
) -> Result<Outcome, CheckError> {
    let findings = log_findings(cx, log_check)?;
    let engine = match (cx.extension::<RiskEngine>(), &findings) {
        (Ok(engine), _) => Some(engine),
        (Err(_), Some(_)) => None,
        (Err(e), None) => return Err(e),
    };
    let limits = cx.input::<RiskLimits>("risk_limits")?;
    let unset: Vec<Violation> = controls
        .iter()
        .flat_map(|c| limits.control_violations(c, &params.symbol))
        .collect();
    let (mine, artifact) = match engine {
        Some(engine) => scenarios(cx, engine, params, controls)?,
        None => (Vec::new(), limits.artifact.clone()),
    };
    if engine.is_some() && mine.is_empty() && unset.is_empty() {
        return Err(CheckError::msg(format!(
            "no conformance scenario for {controls:?} at {} {}: check the item's `symbol` and `price`",
            params.symbol, params.price
        )));
    }
    let failed: Vec<&Scenario> = mine.iter().filter(|s| !s.passed).collect();
    let mut problems = Vec::new();
    if !unset.is_empty() {
        let list: Vec<&str> = unset.iter().map(|v| v.message.as_str()).collect();
        problems.push(format!(
            "risk.toml does not set what the controls are tested against: {}",
            list.join("; ")
        ));
    }
    if !failed.is_empty() {
        let list: Vec<String> = failed.iter().map(|s| describe(s)).collect();
        problems.push(format!(
            "{} of {} scenarios do not conform: {}",
            failed.len(),
            mine.len(),
            list.join("; ")
        ));
    }
    if let Some(f) = findings.as_ref().filter(|f| f.count > 0) {
        let first = f.first.first().map_or_else(String::new, |(line, id)| {
            format!(" (first `{id}` on line {line})")
        });
        problems.push(format!(
            "the order log shows {} {}{first}",
            f.count, f.check
        ));
    }
    let mut passes = Vec::new();
    if !mine.is_empty() {
        passes.push(format!(
            "the risk engine conforms in all {} scenarios",
            mine.len()
        ));
    }
    if let Some(f) = &findings {
        passes.push(format!(
            "the order log's {} orders show no {}",
            f.orders, f.check
        ));
    }
    let evidence = SuiteEvidence {
        symbol: params.symbol.clone(),
        price: params.price,
        seed: params.seed,
        total: mine.len(),
        passed: mine.len() - failed.len(),
        scenarios: mine.clone(),
        unset_limits: unset,
        order_log: findings,
    };
    let outcome = if problems.is_empty() {
        Outcome::pass(passes.join("; "))
    } else {
        Outcome::fail(problems.join("; "))
    };
    let mut outcome = outcome.with_evidence(&evidence);
    if let Some(artifact) = artifact {
        outcome = outcome.with_artifact(artifact);
    }
    Ok(outcome)
}

/// The instrument and reference price the suite trades, and the seed of its
/// random orders (every conformance item takes the same parameters; set
/// them alike).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default)]
pub struct Conformance {
    /// The instrument the suite's orders are in.
    pub symbol: String,
    /// Its reference price.
    pub price: f64,
    /// The seed the random orders are drawn from (shown in the evidence:
    /// the same seed draws the same orders).
    pub seed: u64,
}

impl Default for Conformance {
    fn default() -> Self {
        Conformance {
            symbol: "TEST".to_owned(),
            price: 100.0,
            seed: 1,
        }
    }
}

macro_rules! conformance_item {
    ($(#[$doc:meta])* $name:ident, $id:literal, $title:literal, $group:literal, $owner:literal, [$($control:literal),*], $log:expr) => {
        $(#[$doc])*
        #[derive(ChecklistItem, Debug, Clone)]
        #[item(
            id = $id,
            title = $title,
            group = $group,
            severity = "critical",
            owner = $owner,
            inputs = ["risk_limits"],
            refs = ["SEC Rule 15c3-5", "MiFID II RTS 6 Art. 15"],
            remediation = "fix the risk engine so that it rejects every order beyond the limits of risk.toml (the evidence lists each scenario)"
        )]
        pub struct $name {
            /// The instrument the suite's orders are in.
            pub symbol: String,
            /// Its reference price.
            pub price: f64,
            /// The seed of the suite's random orders.
            pub seed: u64,
        }

        impl Default for $name {
            fn default() -> Self {
                let c = Conformance::default();
                $name { symbol: c.symbol, price: c.price, seed: c.seed }
            }
        }

        impl Check for $name {
            fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
                let params = Conformance { symbol: self.symbol.clone(), price: self.price, seed: self.seed };
                judge(cx, &params, &[$($control),*], $log)
            }
        }
    };
}

conformance_item!(
    /// Every pre-trade control of the risk engine conforms to risk.toml: all
    /// the order-decision scenarios of the suite pass (stop-loss and sizing
    /// have their own lines).
    RiskChecksBeforeEveryOrder,
    "trading.logic.risk-checks-before-every-order",
    "Risk checks before every order",
    "Trading Logic",
    "risk-manager",
    [
        "quantity",
        "notional",
        "price-collar",
        "within-limits",
        "position",
        "exposure",
        "leverage",
        "daily-loss",
        "order-rate",
        "duplicate-order",
        "restricted",
        "kill-switch"
    ],
    LogCheck::Unapproved
);

conformance_item!(
    /// The risk engine rejects a second order with a client order ID it has seen.
    DuplicateOrderPrevention,
    "trading.logic.duplicate-order-prevention",
    "Duplicate order prevention implemented",
    "Trading Logic",
    "tech-lead",
    ["duplicate-order"],
    LogCheck::Duplicates
);

conformance_item!(
    /// The risk engine enforces the order quantity, notional, price collar,
    /// position, net exposure, order rate and restricted-instrument limits.
    TradingLimits,
    "trading.controls.trading-limits",
    "Trading limits enforced",
    "Financial Controls",
    "risk-manager",
    [
        "quantity",
        "notional",
        "price-collar",
        "within-limits",
        "position",
        "exposure",
        "restricted",
        "order-rate"
    ],
    LogCheck::Nothing
);

conformance_item!(
    /// The risk engine rejects orders that would take gross exposure past the
    /// leverage limit.
    LeverageEnforced,
    "trading.controls.leverage-limits",
    "Leverage limits enforced",
    "Financial Controls",
    "risk-manager",
    ["leverage"],
    LogCheck::Nothing
);

conformance_item!(
    /// After losing more than the daily limit, the engine rejects orders that
    /// add risk and allows those that reduce it.
    DailyLossCircuitBreakers,
    "trading.controls.daily-loss-circuit-breakers",
    "Daily loss circuit breakers tested",
    "Financial Controls",
    "risk-manager",
    ["daily-loss"],
    LogCheck::Nothing
);

conformance_item!(
    /// The kill switch stops every new order until it is reset, and the daily
    /// loss breaker stops risk-adding orders.
    CircuitBreakers,
    "strategy.risk.circuit-breakers",
    "Circuit breakers configured and tested",
    "Risk Management",
    "risk-manager",
    ["kill-switch", "daily-loss"],
    LogCheck::Nothing
);

conformance_item!(
    /// The engine's stop-loss policy closes a position that lost more than
    /// `stop_loss.max_loss_fraction`, and not before.
    StopLoss,
    "strategy.risk.stop-loss",
    "Stop-loss mechanisms implemented",
    "Risk Management",
    "risk-manager",
    ["stop-loss"],
    LogCheck::Nothing
);

conformance_item!(
    /// The engine's sizing rule never risks more than
    /// `position_sizing.risk_per_trade` of capital to the stop.
    PositionSizing,
    "strategy.risk.position-sizing",
    "Position sizing rules defined and tested",
    "Risk Management",
    "risk-manager",
    ["position-sizing"],
    LogCheck::Nothing
);

conformance_item!(
    /// The same sizing rule, validated in the trading path.
    PositionSizingValidated,
    "trading.logic.position-sizing",
    "Position sizing validated",
    "Trading Logic",
    "risk-manager",
    ["position-sizing", "position"],
    LogCheck::Nothing
);
