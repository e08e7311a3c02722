use preflight_core::ChecklistItem;

/// Values that are not string literals; the keys after them are still read.
#[derive(ChecklistItem)]
#[item(
    id = "ops.runbooks.incident-response",
    title = "Incident response runbook reviewed",
    severity = critical,
    owner = "devops-lead",
    tags = "runbooks",
    attested = true,
    phase = "launch"
)]
struct IncidentRunbook;

fn main() {}
