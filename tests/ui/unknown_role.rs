use preflight_core::ChecklistItem;

#[derive(ChecklistItem)]
#[item(
    id = "security.secrets.no-hardcoded-secrets",
    title = "No hardcoded secrets",
    severity = "critical",
    owner = "ciso",
    attested
)]
struct NoHardcodedSecrets;

fn main() {}
