use preflight_core::ChecklistItem;

#[derive(ChecklistItem)]
#[item(
    id = "data.quality.vendor-feed",
    title = "Vendor feed validated",
    severity = "high",
    owner = "tech-lead",
    attested,
    evidence_ttl = "3 months"
)]
struct VendorFeed;

fn main() {}
