use preflight_core::ChecklistItem;

#[derive(ChecklistItem)]
#[item(id = "ops.runbooks.incident-response", attested)]
struct IncidentRunbook;

fn main() {}
