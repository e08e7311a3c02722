use preflight_core::ChecklistItem;

#[derive(ChecklistItem)]
#[item(
    id = "deploy.rollout.strategy",
    title = "Rollout strategy chosen",
    severity = "high",
    owner = "devops-lead",
    attested
)]
enum Rollout {
    BlueGreen,
    Canary,
}

fn main() {}
