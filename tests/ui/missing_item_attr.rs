use preflight_core::ChecklistItem;

#[derive(ChecklistItem)]
struct IncidentRunbook;

fn main() {}
