use preflight_core::ChecklistItem;

#[derive(ChecklistItem)]
#[item(
    id = "ops.runbooks.incident-response",
    title = "Incident response runbook reviewed",
    severity = "high",
    owner = "devops-lead",
    severity = "critical",
    attested
)]
struct IncidentRunbook;

fn main() {}
