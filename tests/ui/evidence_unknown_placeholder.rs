use preflight_core::Evidence;

#[derive(Evidence, serde::Serialize)]
#[evidence(summary = "Sharpe {sharpe:.2} over {periods} periods")]
struct SharpeEvidence {
    sharpe: f64,
    observations: usize,
}

fn main() {}
