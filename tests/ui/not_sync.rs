use preflight_core::ChecklistItem;

#[derive(ChecklistItem, Default)]
#[item(
    id = "ops.on-call.rota-published",
    title = "On-call rota published",
    severity = "low",
    owner = "devops-lead",
    attested
)]
struct RotaPublished {
    /// Items run on worker threads, so they must be `Send + Sync`.
    published: std::cell::Cell<bool>,
}

fn main() {}
