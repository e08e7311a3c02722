use preflight_core::Evidence;

#[derive(Evidence, serde::Serialize)]
struct SharpeEvidence {
    sharpe: f64,
}

fn main() {
    // The stub impl keeps this call free of follow-on errors.
    let _ = SharpeEvidence { sharpe: 1.0 }.summary();
}
