//! Backtest items, computed from the embedded daily returns.

use preflight_core::{Check, CheckError, ChecklistItem, Context, Evidence, Outcome};
use serde::Serialize;

use crate::data;

/// The backtest's annualised Sharpe ratio (mean over sample standard deviation of
/// daily returns, times the square root of 252) reaches the desk's minimum.
#[derive(ChecklistItem)]
#[item(
    id = "strategy.desk.backtest-sharpe",
    title = "Backtest Sharpe ratio reaches the desk minimum",
    severity = "critical",
    owner = "trading-strategist",
    group = "Desk Backtest"
)]
pub(crate) struct BacktestSharpe {
    /// The lowest acceptable annualised Sharpe ratio.
    pub(crate) min: f64,
}

impl Default for BacktestSharpe {
    fn default() -> Self {
        BacktestSharpe { min: 1.0 }
    }
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "Sharpe {sharpe_ratio:.2} over {observations} daily returns (minimum {min})")]
struct SharpeEvidence {
    sharpe_ratio: f64,
    observations: usize,
    min: f64,
}

impl Check for BacktestSharpe {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        let returns = data::returns()?;
        if returns.len() < 2 {
            return Err(CheckError::msg("the backtest needs at least two returns"));
        }
        #[allow(clippy::cast_precision_loss)] // fewer than 2^52 returns
        let n = returns.len() as f64;
        let mean = returns.iter().sum::<f64>() / n;
        let var = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0);
        if var == 0.0 {
            return Err(CheckError::msg(
                "the returns have zero variance: the Sharpe ratio is undefined",
            ));
        }
        let sharpe_ratio = mean / var.sqrt() * 252f64.sqrt();
        let evidence = SharpeEvidence {
            sharpe_ratio,
            observations: returns.len(),
            min: self.min,
        };
        let outcome = if sharpe_ratio >= self.min {
            Outcome::pass("the backtest's Sharpe ratio reaches the minimum")
        } else {
            Outcome::fail("the backtest's Sharpe ratio is below the minimum")
        };
        Ok(outcome
            .with_evidence(&evidence)
            .with_artifact(data::artifact("returns.csv", data::RETURNS_CSV)))
    }
}

/// The backtest's maximum drawdown on compounded wealth stays within the limit.
#[derive(ChecklistItem)]
#[item(
    id = "strategy.desk.backtest-drawdown",
    title = "Backtest drawdown within the desk limit",
    severity = "critical",
    owner = "risk-manager",
    group = "Desk Backtest"
)]
pub(crate) struct BacktestDrawdown {
    /// The largest acceptable peak-to-trough loss, as a fraction (0.25 = 25 %).
    pub(crate) max: f64,
}

impl Default for BacktestDrawdown {
    fn default() -> Self {
        BacktestDrawdown { max: 0.25 }
    }
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "max drawdown {max_drawdown_pct:.1}% (limit {limit_pct:.1}%)")]
struct DrawdownEvidence {
    max_drawdown: f64,
    max_drawdown_pct: f64,
    limit_pct: f64,
}

impl Check for BacktestDrawdown {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        let returns = data::returns()?;
        let (mut wealth, mut peak, mut max_drawdown) = (1.0_f64, 1.0_f64, 0.0_f64);
        for r in returns {
            wealth *= 1.0 + r;
            peak = peak.max(wealth);
            max_drawdown = max_drawdown.max(1.0 - wealth / peak);
        }
        let evidence = DrawdownEvidence {
            max_drawdown,
            max_drawdown_pct: max_drawdown * 100.0,
            limit_pct: self.max * 100.0,
        };
        let outcome = if max_drawdown <= self.max {
            Outcome::pass("the drawdown stays within the limit")
        } else {
            Outcome::fail("the drawdown exceeds the limit")
        };
        Ok(outcome
            .with_evidence(&evidence)
            .with_artifact(data::artifact("returns.csv", data::RETURNS_CSV)))
    }
}
