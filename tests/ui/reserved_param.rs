use preflight_core::ChecklistItem;

#[derive(ChecklistItem, Default)]
#[item(
    id = "infra.health.http-endpoints",
    title = "Health endpoints respond",
    severity = "high",
    owner = "devops-lead",
    attested
)]
struct HealthEndpoints {
    urls: Vec<String>,
    /// Clashes with the runner's own `timeout` key.
    timeout: u64,
}

fn main() {}
