use preflight_core::Evidence;

#[derive(Evidence, serde::Serialize)]
#[evidence(summary = "Sharpe {:.2}")]
struct SharpeEvidence {
    sharpe: f64,
}

fn main() {}
