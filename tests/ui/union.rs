use preflight_core::ChecklistItem;

#[derive(ChecklistItem)]
#[item(
    id = "perf.latency.order-path",
    title = "Order path latency within budget",
    severity = "high",
    owner = "tech-lead"
)]
union Budget {
    micros: u32,
    nanos: u64,
}

fn main() {}
