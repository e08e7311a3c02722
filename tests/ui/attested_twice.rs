use preflight_core::ChecklistItem;

#[derive(ChecklistItem)]
#[item(
    id = "legal.licensing.broker-agreement",
    title = "Broker agreement signed",
    severity = "high",
    owner = "legal-compliance",
    kind = "attested",
    attested
)]
struct BrokerAgreement;

fn main() {}
