use preflight_core::ChecklistItem;

/// The ID has two segments instead of three.
#[derive(ChecklistItem)]
#[item(
    id = "strategy.sharpe-ratio",
    title = "Sharpe ratio > 1.0",
    severity = "critical",
    owner = "trading-strategist",
    attested
)]
struct SharpeRatio;

fn main() {}
