use preflight_core::ChecklistItem;

#[derive(ChecklistItem)]
#[item(
    id = "infra.tls.certificates-valid",
    section = "security",
    title = "TLS certificates valid",
    severity = "high",
    owner = "security-lead",
    attested
)]
struct TlsCertificates;

fn main() {}
