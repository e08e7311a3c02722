use preflight_core::Evidence;

#[derive(Evidence, serde::Serialize)]
#[evidence(sumary = "Sharpe {sharpe:.2}")]
struct SharpeEvidence {
    sharpe: f64,
}

fn main() {}
