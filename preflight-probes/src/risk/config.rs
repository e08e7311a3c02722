//! The seed's risk lines that a configuration satisfies: exposure, leverage,
//! loss and position limits set in `[inputs.risk_limits]`, present, positive
//! and consistent with each other.

use preflight_core::{Check, CheckError, Context, Evidence, Outcome};
use serde::Serialize;

use super::limits::{Area, RiskLimits, Violation};

#[derive(Evidence, Serialize)]
#[evidence(summary = "{violation_count} problems in the {area} limits")]
struct LimitsEvidence {
    area: &'static str,
    violation_count: usize,
    violations: Vec<Violation>,
    /// The limits of the area as configured.
    limits: serde_json::Value,
}

/// Judges one area of the limits.
fn judge(cx: &Context, area: Area) -> Result<Outcome, CheckError> {
    let limits = cx.input::<RiskLimits>("risk_limits")?;
    let violations = limits.violations(area);
    let g = &limits.global;
    let (name, configured) = match area {
        Area::Exposure => (
            "exposure",
            serde_json::json!({
                "max_gross_exposure": g.max_gross_exposure,
                "max_net_exposure": g.max_net_exposure,
                "max_position_notional": g.max_position_notional,
                "max_correlated_exposure": g.max_correlated_exposure,
            }),
        ),
        Area::Leverage => (
            "leverage",
            serde_json::json!({
                "max_leverage": g.max_leverage,
                "leverage_cap": g.leverage_cap,
                "capital": limits.capital,
            }),
        ),
        Area::Loss => (
            "loss",
            serde_json::json!({
                "daily_loss_limit": g.daily_loss_limit,
                "max_drawdown": g.max_drawdown,
                "capital": limits.capital,
            }),
        ),
        Area::Position => (
            "position",
            serde_json::json!({
                "max_position": g.max_position,
                "max_order_quantity": g.max_order_quantity,
                "max_order_notional": g.max_order_notional,
                "instruments": limits.instrument.len(),
            }),
        ),
    };
    let evidence = LimitsEvidence {
        area: name,
        violation_count: violations.len(),
        violations: violations.clone(),
        limits: configured,
    };
    let outcome = if violations.is_empty() {
        Outcome::pass(format!(
            "the {name} limits are set, positive and consistent"
        ))
    } else {
        let problems: Vec<String> = violations.iter().map(|v| v.message.clone()).collect();
        Outcome::fail(problems.join("; "))
    };
    let mut outcome = outcome.with_evidence(&evidence);
    if let Some(artifact) = &limits.artifact {
        outcome = outcome.with_artifact(artifact.clone());
    }
    Ok(outcome)
}

/// Gross, net and correlated exposure limits are set, and none is looser than
/// the gross limit.
#[derive(preflight_core::ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "strategy.risk.max-portfolio-exposure",
    title = "Maximum portfolio exposure limits set",
    group = "Risk Management",
    severity = "critical",
    owner = "risk-manager",
    inputs = ["risk_limits"],
    refs = ["SEC Rule 15c3-5(c)(1)(i)"],
    remediation = "set `global.max_gross_exposure` and `global.max_net_exposure` in risk.toml, net at most gross"
)]
pub struct MaxPortfolioExposure;

impl Check for MaxPortfolioExposure {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        judge(cx, Area::Exposure)
    }
}

/// A leverage limit is set, within the firm's cap, and the gross exposure
/// limit does not allow more leverage than it.
#[derive(preflight_core::ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "strategy.risk.leverage-limits",
    title = "Leverage limits configured",
    group = "Risk Management",
    severity = "critical",
    owner = "risk-manager",
    inputs = ["risk_limits"],
    refs = ["SEC Rule 15c3-5(c)(1)(i)"],
    remediation = "set `global.max_leverage` (and `capital`) in risk.toml, within `global.leverage_cap`"
)]
pub struct LeverageLimits;

impl Check for LeverageLimits {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        judge(cx, Area::Leverage)
    }
}

/// A daily loss limit and a maximum drawdown are set, and the daily limit
/// stops trading before the drawdown limit is reached.
#[derive(preflight_core::ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "trading.controls.loss-limits",
    title = "Loss limits configured",
    group = "Financial Controls",
    severity = "critical",
    owner = "risk-manager",
    inputs = ["risk_limits"],
    refs = ["SEC Rule 15c3-5(c)(1)(i)"],
    remediation = "set `global.daily_loss_limit` and `global.max_drawdown` (a fraction of `capital`) in risk.toml, the daily limit below the drawdown"
)]
pub struct LossLimits;

impl Check for LossLimits {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        judge(cx, Area::Loss)
    }
}

/// Position and order size limits are set, orders are smaller than
/// positions, and per-instrument overrides only tighten the global limits.
#[derive(preflight_core::ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "trading.controls.max-position-sizes",
    title = "Maximum position sizes set",
    group = "Financial Controls",
    severity = "critical",
    owner = "risk-manager",
    inputs = ["risk_limits"],
    refs = ["MiFID II RTS 6 Art. 15", "SEC Rule 15c3-5(c)(1)(ii)"],
    remediation = "set `global.max_position` and `global.max_order_quantity` in risk.toml; per-instrument limits may only be tighter"
)]
pub struct MaxPositionSizes;

impl Check for MaxPositionSizes {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        judge(cx, Area::Position)
    }
}
