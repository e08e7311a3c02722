use preflight_core::ChecklistItem;

/// Four mistakes in one derive, all reported at once.
#[derive(ChecklistItem, Default)]
#[item(
    id = "Strategy.backtest.sharpe_ratio",
    title = "Sharpe ratio > 1.0",
    severity = "urgent",
    owner = "trading-strategist",
    colour = "red"
)]
struct SharpeRatio {
    enabled: bool,
}

fn main() {}
