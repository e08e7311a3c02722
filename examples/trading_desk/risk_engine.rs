//! The desk's pre-trade risk engine, and its adapter for the conformance suite.
//!
//! It enforces the limits of its own `risk.toml` before every order. One gap
//! is left as real engines have them: it never remembers client order IDs, so
//! a resent order passes (the report shows `trading.logic.duplicate-order-prevention`
//! failing, with the scenario that caught it).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use preflight_probes::risk::limits::RiskLimits;
use preflight_probes::risk::pretrade::{Decision, Fill, OrderIntent, PreTradeRisk, Side};

/// The engine's limits: the desk's `risk.toml`, embedded.
fn limits() -> RiskLimits {
    RiskLimits::parse(include_str!("data/risk.toml"), "risk.toml")
        .expect("the desk's risk.toml is valid")
}

/// The desk's engine: its limits and the sandbox account's state.
pub(crate) struct DeskRiskEngine {
    limits: RiskLimits,
    account: Mutex<Account>,
}

#[derive(Default)]
struct Account {
    capital: f64,
    /// Quantity and average cost per symbol.
    positions: BTreeMap<String, (f64, f64)>,
    marks: BTreeMap<String, f64>,
    /// Seconds of the orders approved, for the rate limit.
    sent: Vec<i64>,
    killed: bool,
}

impl Account {
    fn mark(&self, symbol: &str, cost: f64) -> f64 {
        self.marks.get(symbol).copied().unwrap_or(cost)
    }

    fn unrealized(&self) -> f64 {
        self.positions
            .iter()
            .map(|(s, (q, cost))| q * (self.mark(s, *cost) - cost))
            .sum()
    }

    fn net(&self) -> f64 {
        self.positions
            .iter()
            .map(|(s, (q, cost))| q * self.mark(s, *cost))
            .sum()
    }

    fn gross(&self) -> f64 {
        self.positions
            .iter()
            .map(|(s, (q, cost))| (q * self.mark(s, *cost)).abs())
            .sum()
    }
}

impl DeskRiskEngine {
    pub(crate) fn adapter() -> Arc<dyn PreTradeRisk> {
        Arc::new(DeskRiskEngine {
            limits: limits(),
            account: Mutex::new(Account::default()),
        })
    }

    fn decide(&self, a: &mut Account, o: &OrderIntent) -> Result<(), String> {
        let g = &self.limits.global;
        let over = |value: f64, limit: Option<f64>| limit.is_some_and(|l| value > l);
        if a.killed {
            return Err("kill switch engaged: trading is halted".into());
        }
        if self.limits.restricted.contains(&o.symbol) {
            return Err(format!("{} is restricted", o.symbol));
        }
        let second = o.at.as_second();
        let rate = self
            .limits
            .rate_limits
            .as_ref()
            .and_then(|r| r.orders_per_second);
        #[allow(clippy::cast_precision_loss)] // order counts per second are small
        let in_second = a.sent.iter().filter(|s| **s == second).count() as f64;
        if rate.is_some_and(|r| in_second + 1.0 > r) {
            return Err("order rate limit reached".into());
        }
        let limits = &self.limits;
        if over(o.quantity, limits.max_order_quantity(&o.symbol)) {
            return Err(format!("quantity {} above the limit", o.quantity));
        }
        if over(o.quantity * o.price, limits.max_order_notional(&o.symbol)) {
            return Err("order notional above the limit".into());
        }
        let collar = limits.collar_width(&o.symbol, o.reference_price);
        if over((o.price - o.reference_price).abs(), collar) {
            return Err("price outside the collar".into());
        }
        let signed = if o.side == Side::Buy {
            o.quantity
        } else {
            -o.quantity
        };
        let held = a.positions.get(&o.symbol).map_or(0.0, |p| p.0);
        let after = held + signed;
        if after.abs() < held.abs() {
            // Risk-reducing orders pass the remaining controls.
            a.sent.push(second);
            return Ok(());
        }
        if over(after.abs(), limits.max_position(&o.symbol)) {
            return Err("position limit".into());
        }
        if over(-a.unrealized(), g.daily_loss_limit) {
            return Err("daily loss limit reached: only risk-reducing orders".into());
        }
        if over((a.net() + signed * o.price).abs(), g.max_net_exposure) {
            return Err("net exposure limit".into());
        }
        let gross = a.gross() + o.quantity * o.price;
        if over(gross, g.max_gross_exposure) || over(gross / a.capital, g.max_leverage) {
            return Err("exposure or leverage limit".into());
        }
        a.sent.push(second);
        Ok(())
    }
}

impl PreTradeRisk for DeskRiskEngine {
    fn reset(&self, capital: f64) {
        *self.account.lock().expect("the account lock") = Account {
            capital,
            ..Account::default()
        };
    }

    fn check(&self, order: &OrderIntent) -> Decision {
        let mut account = self.account.lock().expect("the account lock");
        match self.decide(&mut account, order) {
            Ok(()) => Decision::Approve,
            Err(reason) => Decision::Reject { reason },
        }
    }

    fn on_fill(&self, fill: &Fill) {
        let mut account = self.account.lock().expect("the account lock");
        let entry = account
            .positions
            .entry(fill.symbol.clone())
            .or_insert((0.0, 0.0));
        let signed = if fill.side == Side::Buy {
            fill.quantity
        } else {
            -fill.quantity
        };
        let quantity = entry.0 + signed;
        if entry.0 * signed >= 0.0 && quantity.abs() > 0.0 {
            entry.1 = (entry.0 * entry.1 + signed * fill.price) / quantity;
        }
        entry.0 = quantity;
    }

    fn on_mark(&self, symbol: &str, price: f64) {
        self.account
            .lock()
            .expect("the account lock")
            .marks
            .insert(symbol.to_owned(), price);
    }

    fn trigger_kill_switch(&self) {
        self.account.lock().expect("the account lock").killed = true;
    }

    fn reset_kill_switch(&self) {
        self.account.lock().expect("the account lock").killed = false;
    }

    /// Per-position stop-loss: a long or short position that lost more than
    /// `stop_loss.max_loss_fraction` of its entry value is closed at the mark.
    fn stop_orders(&self) -> Vec<OrderIntent> {
        let Some(fraction) = self
            .limits
            .stop_loss
            .as_ref()
            .and_then(|p| p.max_loss_fraction)
        else {
            return Vec::new();
        };
        let account = self.account.lock().expect("the account lock");
        account
            .positions
            .iter()
            .filter(|(_, (q, _))| *q != 0.0)
            .filter_map(|(symbol, (q, cost))| {
                let mark = account.mark(symbol, *cost);
                let loss = q * (cost - mark) / (q.abs() * cost);
                (loss > fraction).then(|| {
                    let side = if *q > 0.0 { Side::Sell } else { Side::Buy };
                    OrderIntent::new(
                        &format!("STOP-{symbol}"),
                        symbol,
                        side,
                        q.abs(),
                        mark,
                        mark,
                        jiff::Timestamp::UNIX_EPOCH,
                    )
                })
            })
            .collect()
    }

    /// Fixed-fractional sizing: risk `position_sizing.risk_per_trade` of
    /// capital between entry and stop, in whole shares.
    fn position_size(&self, _symbol: &str, _price: f64, stop_distance: f64) -> Option<f64> {
        let risk = self.limits.position_sizing.as_ref()?.risk_per_trade?;
        let capital = self.account.lock().expect("the account lock").capital;
        (stop_distance > 0.0).then(|| (risk * capital / stop_distance).floor())
    }
}
