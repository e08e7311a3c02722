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
//! max_position = 10_000
//! tick_size = 0.01
//! ```
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
//! paths involved.

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
