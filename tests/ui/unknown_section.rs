use preflight_core::ChecklistItem;

/// `risk` is not a section of the checklist.
#[derive(ChecklistItem)]
#[item(
    id = "risk.limits.max-position",
    title = "Position limits configured",
    severity = "critical",
    owner = "risk-manager",
    attested
)]
struct MaxPosition;

fn main() {}
