use preflight_core::ChecklistItem;

#[derive(ChecklistItem)]
#[item(
    id = "security.secrets.no-hardcoded-secrets",
    title = "No hardcoded secrets",
    severity = "blocker",
    owner = "security-lead",
    attested
)]
struct NoHardcodedSecrets;

fn main() {}
