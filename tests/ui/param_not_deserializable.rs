use preflight_core::ChecklistItem;

/// Parameters are read from `[checks."<id>"]`, so their types must implement
/// `serde::Deserialize`; `Threshold` does not.
#[derive(Default)]
struct Threshold(f64);

#[derive(ChecklistItem, Default)]
#[item(
    id = "strategy.backtest-results.max-drawdown",
    title = "Max drawdown < 20%",
    severity = "critical",
    owner = "risk-manager",
    attested
)]
struct MaxDrawdown {
    max: Threshold,
}

fn main() {}
