use preflight_core::ChecklistItem;

#[derive(ChecklistItem, Default)]
#[item(
    id = "perf.latency.p99-budget",
    title = "p99 latency within budget",
    severity = "high",
    owner = "tech-lead",
    attested
)]
struct LatencyBudget<T> {
    budget: T,
}

fn main() {}
