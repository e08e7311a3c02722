use preflight_core::{Check, CheckError, ChecklistItem, Context, Outcome};

/// Parameters are read over `Default`, which this struct lacks.
#[derive(ChecklistItem)]
#[item(
    id = "strategy.backtest-results.sharpe-ratio",
    title = "Sharpe ratio > 1.0",
    severity = "critical",
    owner = "trading-strategist"
)]
struct SharpeRatio {
    min: f64,
}

impl Check for SharpeRatio {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Ok(Outcome::pass(format!("minimum {}", self.min)))
    }
}

fn main() {}
