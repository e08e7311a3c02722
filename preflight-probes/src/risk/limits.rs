//! The risk limits of a trading service, `risk.toml`, and the rules that make
//! them usable: present, positive and consistent with each other.
//!
//! Named in `preflight.toml` as `[inputs.risk_limits] path = "risk.toml"`.
//!
//! ```toml
//! capital = 10_000_000.0          # account equity the fractions refer to
//! restricted = ["XYZQ"]            # never traded (top-level keys come before any table)
//!
//! [global]
//! max_order_quantity = 5_000       # per order, shares or contracts
//! max_order_notional = 500_000.0   # per order, account currency
//! max_position = 20_000            # absolute quantity per instrument
//! max_position_notional = 2_000_000.0
//! max_gross_exposure = 12_000_000.0
//! max_net_exposure = 6_000_000.0
//! max_leverage = 1.2               # gross exposure / capital
//! leverage_cap = 2.0               # the firm's or regulator's ceiling
//! max_correlated_exposure = 4_000_000.0
//! max_pairwise_correlation = 0.8
//! daily_loss_limit = 150_000.0     # account currency
//! max_drawdown = 0.10              # fraction of capital
//!
//! [price_collar]
//! percent = 5.0                    # or `ticks = 20`
//!
//! [rate_limits]
//! orders_per_second = 40
//! messages_per_second = 150
//!
//! [stop_loss]
//! policy = "per-position"          # per-position | portfolio | trailing
//! max_loss_fraction = 0.02
//!
//! [position_sizing]
//! rule = "volatility-target"       # fixed-quantity | fixed-fractional | volatility-target
//! risk_per_trade = 0.005
//!
//! [kill_switch]
//! triggers = ["manual", "daily-loss-limit"]
//! action = "cancel-all-and-block"
//! re_enable_roles = ["risk-manager"]
//!
//! [[circuit_breaker]]
//! trigger = "drawdown"
//! threshold = 0.05
//! action = "halt-new-orders"
//! re_enable_roles = ["risk-manager", "tech-lead"]
//!
//! [instrument.AAPL]                # overrides of the global order and position limits
//! max_order_quantity = 2_000
//! max_order_notional = 300_000.0   # an override may only tighten the global limit
//! max_position = 10_000
//! tick_size = 0.01                 # needed for a collar in `ticks`
//! price_collar_percent = 4.0       # the instrument's own collar
//! ```
//!
//! For one instrument, [`RiskLimits::max_order_quantity`],
//! [`RiskLimits::max_order_notional`], [`RiskLimits::max_position`] and
//! [`RiskLimits::collar_width`] combine the instrument's overrides with the
//! global limits; the conformance suite and a service's engine read them
//! alike.
//!
//! # Regulatory mapping
//!
//! | keys | requirement |
//! |------|-------------|
//! | `max_order_quantity`, `max_order_notional`, `price_collar` | `MiFID` II RTS 6 Art. 15 (maximum order volume and value, price collars); SEC Rule 15c3-5(c)(1)(ii) (erroneous orders: price or size parameters) |
//! | `rate_limits` | `MiFID` II RTS 6 Art. 15 (maximum messages, execution throttles) |
//! | `capital`, `daily_loss_limit`, `max_gross_exposure`, `max_leverage` | SEC Rule 15c3-5(c)(1)(i) (pre-set credit or capital thresholds) |
//! | `kill_switch` | `MiFID` II RTS 6 Art. 12 (kill functionality) |
//! | `restricted` | SEC Rule 15c3-5(c)(2) (restricted securities) |
//! | duplicate client order IDs (checked by the conformance suite) | SEC Rule 15c3-5(c)(1)(ii) (duplicative orders) |
//!
//! Parsing is strict: an unknown key is an error naming its line. The rules
//! that need several keys are [`RiskLimits::violations`], each naming the key
//! paths involved. What each pre-trade control is tested against (a collar,
//! a rate limit, the kill switch's triggers, action and re-enabling roles, the
//! stop-loss policy, ...) is [`RiskLimits::control_violations`]: a conformance
//! item whose control lacks its settings fails, naming them.

use std::collections::BTreeMap;
use std::path::Path;

use preflight_core::{Artifact, CheckError, Input, InputSource};
use serde::Deserialize;

/// The global limits (`[global]`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GlobalLimits {
    /// Largest quantity of one order.
    pub max_order_quantity: Option<f64>,
    /// Largest notional of one order.
    pub max_order_notional: Option<f64>,
    /// Largest absolute position in one instrument (quantity).
    pub max_position: Option<f64>,
    /// Largest absolute position in one instrument (notional).
    pub max_position_notional: Option<f64>,
    /// Largest sum of absolute position notionals.
    pub max_gross_exposure: Option<f64>,
    /// Largest absolute sum of signed position notionals.
    pub max_net_exposure: Option<f64>,
    /// Largest gross exposure over capital.
    pub max_leverage: Option<f64>,
    /// The ceiling `max_leverage` must stay within.
    pub leverage_cap: Option<f64>,
    /// Largest exposure to a group of correlated instruments.
    pub max_correlated_exposure: Option<f64>,
    /// Largest pairwise return correlation of two held positions.
    pub max_pairwise_correlation: Option<f64>,
    /// Largest loss of one day, in account currency.
    pub daily_loss_limit: Option<f64>,
    /// Largest peak-to-trough loss, as a fraction of capital.
    pub max_drawdown: Option<f64>,
}

/// Per-instrument overrides (`[instrument.<symbol>]`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct InstrumentLimits {
    /// Largest quantity of one order in this instrument.
    pub max_order_quantity: Option<f64>,
    /// Largest notional of one order in this instrument.
    pub max_order_notional: Option<f64>,
    /// Largest absolute position in this instrument.
    pub max_position: Option<f64>,
    /// The instrument's tick size, for collars in ticks.
    pub tick_size: Option<f64>,
    /// The instrument's own price collar, in percent.
    pub price_collar_percent: Option<f64>,
}

/// `[price_collar]`: the furthest an order's price may be from the reference price.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PriceCollar {
    /// In percent of the reference price.
    pub percent: Option<f64>,
    /// In ticks of the instrument's `tick_size`.
    pub ticks: Option<f64>,
}

/// `[rate_limits]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RateLimits {
    /// New orders per second.
    pub orders_per_second: Option<f64>,
    /// All messages (new, amend, cancel) per second.
    pub messages_per_second: Option<f64>,
}

/// `[stop_loss]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct StopLoss {
    /// `per-position`, `portfolio` or `trailing`.
    pub policy: Option<String>,
    /// Loss that closes a position, as a fraction of its entry value.
    pub max_loss_fraction: Option<f64>,
}

/// `[position_sizing]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PositionSizing {
    /// `fixed-quantity`, `fixed-fractional` or `volatility-target`.
    pub rule: Option<String>,
    /// Capital risked per trade, as a fraction.
    pub risk_per_trade: Option<f64>,
}

/// `[kill_switch]` and each `[[circuit_breaker]]`: what fires, what happens, who may undo it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Breaker {
    /// What fires a kill switch (`manual`, `daily-loss-limit`, ...).
    #[serde(default)]
    pub triggers: Vec<String>,
    /// What fires a circuit breaker (`drawdown`, `daily-loss`, `message-rate`, ...).
    pub trigger: Option<String>,
    /// The circuit breaker's threshold, in the trigger's unit.
    pub threshold: Option<f64>,
    /// What happens (`cancel-all-and-block`, `halt-new-orders`, ...).
    pub action: Option<String>,
    /// The sign-off roles that may re-enable trading.
    #[serde(default)]
    pub re_enable_roles: Vec<preflight_core::meta::Role>,
}

/// The parsed `risk.toml`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RiskLimits {
    /// Account equity the fractional limits refer to.
    pub capital: Option<f64>,
    /// `[global]`.
    #[serde(default)]
    pub global: GlobalLimits,
    /// `[price_collar]`.
    pub price_collar: Option<PriceCollar>,
    /// `[rate_limits]`.
    pub rate_limits: Option<RateLimits>,
    /// `[stop_loss]`.
    pub stop_loss: Option<StopLoss>,
    /// `[position_sizing]`.
    pub position_sizing: Option<PositionSizing>,
    /// `[kill_switch]`.
    pub kill_switch: Option<Breaker>,
    /// `[[circuit_breaker]]`.
    #[serde(default)]
    pub circuit_breaker: Vec<Breaker>,
    /// Instruments never traded.
    #[serde(default)]
    pub restricted: Vec<String>,
    /// `[instrument.<symbol>]`.
    #[serde(default)]
    pub instrument: BTreeMap<String, InstrumentLimits>,
    /// The file read.
    #[serde(skip)]
    pub artifact: Option<Artifact>,
}

/// One limit that is missing, not positive, or inconsistent with another.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// The key paths involved, e.g. `global.max_position_notional`.
    pub keys: Vec<String>,
    /// What is wrong and what to do.
    pub message: String,
}

/// Which limits a rule concerns, so that each item reports its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Gross, net and correlated exposure.
    Exposure,
    /// Leverage and its cap.
    Leverage,
    /// Daily loss and drawdown.
    Loss,
    /// Order and position sizes.
    Position,
}

impl RiskLimits {
    /// Parses `risk.toml` text; `shown` names the file in messages.
    pub fn parse(text: &str, shown: &str) -> Result<Self, CheckError> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            CheckError::Malformed {
                location: match line {
                    Some(line) => format!("{shown}:{line}"),
                    None => shown.to_owned(),
                },
                message: e.message().to_owned(),
            }
        })
    }

    /// Reads and parses the file at `root/shown`.
    pub fn load(name: &str, shown: &str, root: &Path) -> Result<Self, CheckError> {
        let bytes = std::fs::read(root.join(shown)).map_err(|e| CheckError::Input {
            name: name.to_owned(),
            message: format!("cannot read `{shown}`: {e}"),
        })?;
        let modified = std::fs::metadata(root.join(shown))
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| jiff::Timestamp::try_from(t).ok());
        let text = String::from_utf8(bytes.clone()).map_err(|_| CheckError::Malformed {
            location: shown.to_owned(),
            message: "not valid UTF-8".to_owned(),
        })?;
        let mut limits = Self::parse(&text, shown)?;
        limits.artifact = Some(Artifact::from_bytes(shown, &bytes, modified));
        Ok(limits)
    }

    /// The largest quantity of one order in `symbol`: its own limit, else the global one.
    #[must_use]
    pub fn max_order_quantity(&self, symbol: &str) -> Option<f64> {
        self.instrument
            .get(symbol)
            .and_then(|i| i.max_order_quantity)
            .or(self.global.max_order_quantity)
    }

    /// The largest notional of one order in `symbol`: the tighter of its own
    /// and the global limit (an override may only tighten).
    #[must_use]
    pub fn max_order_notional(&self, symbol: &str) -> Option<f64> {
        let own = self
            .instrument
            .get(symbol)
            .and_then(|i| i.max_order_notional);
        match (own, self.global.max_order_notional) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The largest absolute position in `symbol`: its own limit, else the global one.
    #[must_use]
    pub fn max_position(&self, symbol: &str) -> Option<f64> {
        self.instrument
            .get(symbol)
            .and_then(|i| i.max_position)
            .or(self.global.max_position)
    }

    /// The furthest an order's price in `symbol` may be from `reference`, in
    /// price units. The percent collar is the instrument's own
    /// `price_collar_percent`, else `price_collar.percent`; the ticks collar
    /// is `price_collar.ticks` of the instrument's `tick_size`. When both
    /// apply, the narrower one binds. `None` when no collar applies.
    ///
    /// ```
    /// use preflight_probes::risk::limits::RiskLimits;
    ///
    /// let limits = RiskLimits::parse(
    ///     "[price_collar]\npercent = 5.0\nticks = 20\n[instrument.AAPL]\ntick_size = 0.01\n",
    ///     "risk.toml",
    /// )
    /// .unwrap();
    /// assert_eq!(limits.collar_width("MSFT", 100.0), Some(5.0));
    /// assert!((limits.collar_width("AAPL", 100.0).unwrap() - 0.2).abs() < 1e-12);
    /// ```
    #[must_use]
    pub fn collar_width(&self, symbol: &str, reference: f64) -> Option<f64> {
        let instrument = self.instrument.get(symbol);
        let collar = self.price_collar.as_ref();
        let percent = instrument
            .and_then(|i| i.price_collar_percent)
            .or(collar.and_then(|c| c.percent))
            .map(|p| reference.abs() * p / 100.0);
        let ticks = collar
            .and_then(|c| c.ticks)
            .zip(instrument.and_then(|i| i.tick_size))
            .map(|(n, tick)| n * tick);
        match (percent, ticks) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// What the pre-trade conformance scenarios of `control` (`quantity`,
    /// `price-collar`, `kill-switch`, ...) need from the limits of `symbol`
    /// and do not find: each missing or unusable setting, named by its key.
    /// A control that needs nothing (`duplicate-order`, `restricted`) has
    /// none.
    #[must_use]
    pub fn control_violations(&self, control: &str, symbol: &str) -> Vec<Violation> {
        let g = &self.global;
        let mut out = Vec::new();
        match control {
            "quantity" => require_either(
                &format!("instrument.{symbol}.max_order_quantity"),
                "global.max_order_quantity",
                self.max_order_quantity(symbol),
                &mut out,
            ),
            "notional" => require_either(
                &format!("instrument.{symbol}.max_order_notional"),
                "global.max_order_notional",
                self.max_order_notional(symbol),
                &mut out,
            ),
            "position" => {
                require_either(
                    &format!("instrument.{symbol}.max_position"),
                    "global.max_position",
                    self.max_position(symbol),
                    &mut out,
                );
                require_either(
                    &format!("instrument.{symbol}.max_order_quantity"),
                    "global.max_order_quantity",
                    self.max_order_quantity(symbol),
                    &mut out,
                );
            }
            "price-collar" => self.collar_rules(symbol, &mut out),
            "exposure" => require("global.max_net_exposure", g.max_net_exposure, &mut out),
            "leverage" => {
                require("global.max_leverage", g.max_leverage, &mut out);
                require("capital", self.capital, &mut out);
            }
            "daily-loss" => require("global.daily_loss_limit", g.daily_loss_limit, &mut out),
            "order-rate" => require(
                "rate_limits.orders_per_second",
                self.rate_limits.as_ref().and_then(|r| r.orders_per_second),
                &mut out,
            ),
            "kill-switch" => self.breaker_rules(&mut out),
            "stop-loss" => {
                let s = self.stop_loss.as_ref();
                policy(
                    ("stop_loss.policy", s.and_then(|s| s.policy.as_deref())),
                    &["per-position", "portfolio", "trailing"],
                    (
                        "stop_loss.max_loss_fraction",
                        s.and_then(|s| s.max_loss_fraction),
                    ),
                    &mut out,
                );
            }
            "position-sizing" => {
                let s = self.position_sizing.as_ref();
                policy(
                    ("position_sizing.rule", s.and_then(|s| s.rule.as_deref())),
                    &["fixed-quantity", "fixed-fractional", "volatility-target"],
                    (
                        "position_sizing.risk_per_trade",
                        s.and_then(|s| s.risk_per_trade),
                    ),
                    &mut out,
                );
            }
            _ => {}
        }
        out
    }

    fn collar_rules(&self, symbol: &str, out: &mut Vec<Violation>) {
        let collar = self.price_collar.as_ref();
        let own = self.instrument.get(symbol);
        let percent = own
            .and_then(|i| i.price_collar_percent)
            .map(|p| (format!("instrument.{symbol}.price_collar_percent"), p))
            .or_else(|| {
                collar
                    .and_then(|c| c.percent)
                    .map(|p| ("price_collar.percent".to_owned(), p))
            });
        let ticks = collar.and_then(|c| c.ticks);
        if percent.is_none() && ticks.is_none() {
            out.push(violation(
                &["price_collar.percent", "price_collar.ticks"],
                "no price collar: set `price_collar.percent` (or `ticks` with each instrument's `tick_size`) in risk.toml".to_owned(),
            ));
        }
        if let Some((key, p)) = percent
            && !(p.is_finite() && p > 0.0 && p < 100.0)
        {
            out.push(violation(
                &[&key],
                format!("`{key}` = {p} must be a percentage above 0 and below 100"),
            ));
        }
        if let Some(n) = ticks {
            require("price_collar.ticks", Some(n), out);
            let key = format!("instrument.{symbol}.tick_size");
            require(&key, own.and_then(|i| i.tick_size), out);
        }
    }

    /// The kill switch, and each circuit breaker, says what fires it, what it
    /// does and who may re-enable trading.
    fn breaker_rules(&self, out: &mut Vec<Violation>) {
        let Some(kill) = &self.kill_switch else {
            out.push(violation(
                &["kill_switch"],
                "no `[kill_switch]`: set its `triggers`, `action` and `re_enable_roles` in risk.toml".to_owned(),
            ));
            return;
        };
        let mut breakers = vec![("kill_switch".to_owned(), kill, kill.triggers.is_empty())];
        for (i, b) in self.circuit_breaker.iter().enumerate() {
            let key = format!("circuit_breaker[{i}]");
            breakers.push((key.clone(), b, b.trigger.is_none()));
            if b.trigger.is_some() {
                require(&format!("{key}.threshold"), b.threshold, out);
            }
        }
        for (key, b, untriggered) in breakers {
            let what = if key == "kill_switch" {
                "triggers"
            } else {
                "trigger"
            };
            if untriggered {
                out.push(violation(
                    &[&format!("{key}.{what}")],
                    format!("`{key}.{what}` is not set: say what fires it"),
                ));
            }
            if b.action.as_deref().is_none_or(str::is_empty) {
                out.push(violation(
                    &[&format!("{key}.action")],
                    format!("`{key}.action` is not set: say what happens when it fires"),
                ));
            }
            if b.re_enable_roles.is_empty() {
                out.push(violation(
                    &[&format!("{key}.re_enable_roles")],
                    format!("`{key}.re_enable_roles` is empty: name the sign-off roles that may re-enable trading"),
                ));
            }
        }
    }

    /// Every rule of `area` the limits break, each naming its keys.
    #[must_use]
    pub fn violations(&self, area: Area) -> Vec<Violation> {
        let mut out = Vec::new();
        match area {
            Area::Exposure => self.exposure_rules(&mut out),
            Area::Leverage => self.leverage_rules(&mut out),
            Area::Loss => self.loss_rules(&mut out),
            Area::Position => self.position_rules(&mut out),
        }
        out
    }

    fn exposure_rules(&self, out: &mut Vec<Violation>) {
        let g = &self.global;
        require("global.max_gross_exposure", g.max_gross_exposure, out);
        require("global.max_net_exposure", g.max_net_exposure, out);
        if let Some((net, gross)) = both(g.max_net_exposure, g.max_gross_exposure)
            && net > gross
        {
            out.push(violation(
                &["global.max_net_exposure", "global.max_gross_exposure"],
                format!("the net exposure limit {net} exceeds the gross limit {gross}: net exposure can never exceed gross"),
            ));
        }
        if let Some((position, gross)) = both(g.max_position_notional, g.max_gross_exposure)
            && position > gross
        {
            out.push(violation(
                &["global.max_position_notional", "global.max_gross_exposure"],
                format!("one position may reach {position}, more than the whole gross exposure limit {gross}"),
            ));
        }
        if let Some((correlated, gross)) = both(g.max_correlated_exposure, g.max_gross_exposure)
            && correlated > gross
        {
            out.push(violation(
                &[
                    "global.max_correlated_exposure",
                    "global.max_gross_exposure",
                ],
                format!(
                    "the correlated exposure limit {correlated} exceeds the gross limit {gross}"
                ),
            ));
        }
        if let Some(c) = g.max_pairwise_correlation
            && !(c > 0.0 && c <= 1.0)
        {
            out.push(violation(
                &["global.max_pairwise_correlation"],
                format!("`global.max_pairwise_correlation` = {c} must be in (0, 1]"),
            ));
        }
    }

    fn leverage_rules(&self, out: &mut Vec<Violation>) {
        let g = &self.global;
        require("global.max_leverage", g.max_leverage, out);
        require("capital", self.capital, out);
        if let Some((leverage, cap)) = both(g.max_leverage, g.leverage_cap)
            && leverage > cap
        {
            out.push(violation(
                &["global.max_leverage", "global.leverage_cap"],
                format!("the leverage limit {leverage} exceeds the cap {cap}"),
            ));
        }
        if let (Some(leverage), Some(capital), Some(gross)) =
            (g.max_leverage, self.capital, g.max_gross_exposure)
            && gross > leverage * capital
        {
            out.push(violation(
                &["global.max_gross_exposure", "global.max_leverage", "capital"],
                format!("the gross exposure limit {gross} allows leverage {:.2}, above the leverage limit {leverage}", gross / capital),
            ));
        }
    }

    fn loss_rules(&self, out: &mut Vec<Violation>) {
        let g = &self.global;
        require("global.daily_loss_limit", g.daily_loss_limit, out);
        require("global.max_drawdown", g.max_drawdown, out);
        require("capital", self.capital, out);
        if let Some(dd) = g.max_drawdown
            && dd >= 1.0
        {
            out.push(violation(
                &["global.max_drawdown"],
                format!(
                    "`global.max_drawdown` = {dd} is a fraction of capital and must be below 1"
                ),
            ));
        }
        if let (Some(daily), Some(dd), Some(capital)) =
            (g.daily_loss_limit, g.max_drawdown, self.capital)
            && daily >= dd * capital
        {
            out.push(violation(
                &["global.daily_loss_limit", "global.max_drawdown", "capital"],
                format!("one day may lose {daily}, at least the whole drawdown limit ({:.0} = {dd} of {capital}): the daily limit must stop trading first", dd * capital),
            ));
        }
    }

    fn position_rules(&self, out: &mut Vec<Violation>) {
        let g = &self.global;
        require("global.max_position", g.max_position, out);
        require("global.max_order_quantity", g.max_order_quantity, out);
        if let Some((order, position)) = both(g.max_order_quantity, g.max_position)
            && order > position
        {
            out.push(violation(
                &["global.max_order_quantity", "global.max_position"],
                format!("one order may be {order}, more than the largest position {position}"),
            ));
        }
        if let Some((order, position)) = both(g.max_order_notional, g.max_position_notional)
            && order > position
        {
            out.push(violation(
                &["global.max_order_notional", "global.max_position_notional"],
                format!(
                    "one order may be worth {order}, more than the largest position {position}"
                ),
            ));
        }
        for (symbol, limits) in &self.instrument {
            let key = |k: &str| format!("instrument.{symbol}.{k}");
            for (name, value, global) in [
                ("max_position", limits.max_position, g.max_position),
                (
                    "max_order_quantity",
                    limits.max_order_quantity,
                    g.max_order_quantity,
                ),
                (
                    "max_order_notional",
                    limits.max_order_notional,
                    g.max_order_notional,
                ),
            ] {
                if let Some(v) = value {
                    if !(v.is_finite() && v > 0.0) {
                        out.push(violation(
                            &[&key(name)],
                            format!("`{}` = {v} must be a positive number", key(name)),
                        ));
                    } else if let Some(gv) = global.filter(|gv| v > *gv) {
                        out.push(violation(
                            &[&key(name), &format!("global.{name}")],
                            format!("{symbol}'s {name} {v} is above the global {name} {gv}: an override may only tighten"),
                        ));
                    }
                }
            }
            if let (Some(order), Some(position)) = (limits.max_order_quantity, limits.max_position)
                && order > position
            {
                out.push(violation(
                    &[&key("max_order_quantity"), &key("max_position")],
                    format!("{symbol}: one order may be {order}, more than its largest position {position}"),
                ));
            }
        }
        for symbol in &self.restricted {
            if self.instrument.contains_key(symbol) {
                out.push(violation(
                    &["restricted", &format!("instrument.{symbol}")],
                    format!(
                        "{symbol} is restricted but has trading limits: remove one or the other"
                    ),
                ));
            }
        }
    }
}

/// A missing, non-finite or non-positive limit.
fn require(key: &str, value: Option<f64>, out: &mut Vec<Violation>) {
    match value {
        None => out.push(violation(
            &[key],
            format!("`{key}` is not set: set it in risk.toml"),
        )),
        Some(v) if !(v.is_finite() && v > 0.0) => out.push(violation(
            &[key],
            format!("`{key}` = {v} must be a positive number"),
        )),
        Some(_) => {}
    }
}

/// A limit that may be set for the instrument (`own`) or globally.
fn require_either(own: &str, global: &str, value: Option<f64>, out: &mut Vec<Violation>) {
    match value {
        None => out.push(violation(
            &[global, own],
            format!("neither `{global}` nor `{own}` is set: set one in risk.toml"),
        )),
        Some(v) if !(v.is_finite() && v > 0.0) => out.push(violation(
            &[global, own],
            format!("the limit `{own}` (or `{global}`) = {v} must be a positive number"),
        )),
        Some(_) => {}
    }
}

/// A policy: its name one of `allowed`, and its fraction of capital or
/// entry value (each a key and its value).
fn policy(
    name: (&str, Option<&str>),
    allowed: &[&str],
    share: (&str, Option<f64>),
    out: &mut Vec<Violation>,
) {
    one_of(name.0, name.1, allowed, out);
    fraction(share.0, share.1, out);
}

/// A fraction strictly between 0 and 1.
fn fraction(key: &str, value: Option<f64>, out: &mut Vec<Violation>) {
    match value {
        Some(v) if !(v > 0.0 && v < 1.0) => out.push(violation(
            &[key],
            format!("`{key}` = {v} is a fraction and must be above 0 and below 1"),
        )),
        other => require(key, other, out),
    }
}

/// A setting that names one of `allowed`.
fn one_of(key: &str, value: Option<&str>, allowed: &[&str], out: &mut Vec<Violation>) {
    match value {
        Some(v) if allowed.contains(&v) => {}
        Some(v) => out.push(violation(
            &[key],
            format!("`{key}` = {v:?} is not one of {}", allowed.join(", ")),
        )),
        None => out.push(violation(
            &[key],
            format!(
                "`{key}` is not set: set one of {} in risk.toml",
                allowed.join(", ")
            ),
        )),
    }
}

/// Both limits, when both are set.
fn both(a: Option<f64>, b: Option<f64>) -> Option<(f64, f64)> {
    a.zip(b)
}

fn violation(keys: &[&str], message: String) -> Violation {
    Violation {
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        message,
    }
}

impl Input for RiskLimits {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let shown = match source.value() {
            toml::Value::String(path) => path.clone(),
            toml::Value::Table(table) => {
                if let Some(key) = table.keys().find(|k| *k != "path") {
                    return Err(source.error(format!(
                        "unknown key `{key}` in [inputs.{}] (expected `path`)",
                        source.name()
                    )));
                }
                table
                    .get("path")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| source.error("expected `path = \"risk.toml\"`"))?
                    .to_owned()
            }
            _ => return Err(source.error("expected a path to risk.toml")),
        };
        Self::load(source.name(), &shown, source.root())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the module docs, which must itself be valid.
    fn example() -> RiskLimits {
        let docs = include_str!("limits.rs");
        let text: String = docs
            .lines()
            .skip_while(|l| !l.starts_with("//! ```toml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| l.strip_prefix("//! ").unwrap_or("").to_owned() + "\n")
            .collect();
        RiskLimits::parse(&text, "risk.toml").unwrap()
    }

    #[test]
    fn the_documented_example_is_consistent() {
        let limits = example();
        for area in [Area::Exposure, Area::Leverage, Area::Loss, Area::Position] {
            assert_eq!(limits.violations(area), [], "{area:?}");
        }
        assert_eq!(limits.restricted, ["XYZQ"]);
        assert_eq!(limits.circuit_breaker.len(), 1);
    }

    #[test]
    fn inconsistencies_name_their_keys() {
        let mut limits = example();
        limits.global.max_net_exposure = Some(20_000_000.0);
        limits.global.max_leverage = Some(3.0);
        limits.global.daily_loss_limit = Some(2_000_000.0);
        limits.global.max_position = None;
        limits.instrument.get_mut("AAPL").unwrap().max_position = Some(50_000.0);
        let exposure = limits.violations(Area::Exposure);
        assert_eq!(
            exposure[0].keys,
            ["global.max_net_exposure", "global.max_gross_exposure"]
        );
        let leverage = limits.violations(Area::Leverage);
        assert_eq!(
            leverage[0].keys,
            ["global.max_leverage", "global.leverage_cap"]
        );
        let loss = limits.violations(Area::Loss);
        assert!(
            loss[0]
                .message
                .contains("the daily limit must stop trading first"),
            "{loss:?}"
        );
        let position = limits.violations(Area::Position);
        assert_eq!(position[0].keys, ["global.max_position"]);
        assert!(position[0].message.contains("is not set"));
    }

    #[test]
    fn each_control_names_the_settings_it_lacks() {
        let limits = example();
        for control in [
            "quantity",
            "notional",
            "position",
            "price-collar",
            "leverage",
            "daily-loss",
            "order-rate",
            "exposure",
            "kill-switch",
            "stop-loss",
            "position-sizing",
            "duplicate-order",
            "restricted",
        ] {
            let found = limits.control_violations(control, "AAPL");
            assert!(found.is_empty(), "{control}: {found:?}");
        }
        let text = "[price_collar]\nticks = 20\n[stop_loss]\npolicy = \"hourly\"\nmax_loss_fraction = 2.0\n\
            [kill_switch]\ntriggers = [\"manual\"]\naction = \"cancel-all-and-block\"\nre_enable_roles = [\"risk-manager\"]\n\
            [[circuit_breaker]]\ntrigger = \"drawdown\"\naction = \"halt-new-orders\"\n";
        let limits = RiskLimits::parse(text, "risk.toml").unwrap();
        let keys = |control: &str| -> Vec<Vec<String>> {
            limits
                .control_violations(control, "AAPL")
                .into_iter()
                .map(|v| v.keys)
                .collect()
        };
        assert_eq!(keys("price-collar"), [["instrument.AAPL.tick_size"]]);
        assert_eq!(
            keys("stop-loss"),
            [["stop_loss.policy"], ["stop_loss.max_loss_fraction"]]
        );
        assert_eq!(
            keys("kill-switch"),
            [
                vec!["circuit_breaker[0].threshold".to_owned()],
                vec!["circuit_breaker[0].re_enable_roles".to_owned()]
            ]
        );
        assert_eq!(
            keys("notional"),
            [[
                "global.max_order_notional",
                "instrument.AAPL.max_order_notional"
            ]]
        );
        assert!(keys("restricted").is_empty());
    }

    #[test]
    fn unknown_keys_and_roles_name_their_line() {
        let err = RiskLimits::parse("capital = 1.0\n[global]\nmax_levrage = 2.0\n", "risk.toml")
            .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("risk.toml:3: "), "{text}");
        assert!(text.contains("unknown field `max_levrage`"), "{text}");
        let err = RiskLimits::parse("[kill_switch]\nre_enable_roles = [\"ceo\"]\n", "risk.toml")
            .unwrap_err();
        assert!(err.to_string().contains("unknown variant `ceo`"), "{err}");
    }
}
