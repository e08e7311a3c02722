//! The gate: turns item statuses and sign-offs into the go/no-go decision.

use crate::config::GateConfig;
use crate::report::{Blocker, Decision, ReportItem, Signoff, SignoffStatus};

/// Decides readiness over the items of a run: every item whose status is
/// blocking and whose severity is at or above the floor blocks, and so does
/// every required role without a valid sign-off (one of this report's digest,
/// judged beforehand by [`Signoff::judge`]).
///
/// Blocking items are listed most severe first, then in report order.
#[must_use]
pub fn decide(gate: &GateConfig, items: &[ReportItem], signoffs: &[Signoff]) -> Decision {
    let mut items: Vec<&ReportItem> = items
        .iter()
        .filter(|item| {
            gate.blocking.contains(&item.status) && item.meta.severity >= gate.severity_floor
        })
        .collect();
    // Stable: report order within a severity.
    items.sort_by_key(|item| std::cmp::Reverse(item.meta.severity));
    let mut blocking: Vec<Blocker> = items
        .into_iter()
        .map(|item| Blocker::Item {
            id: item.meta.id.to_string(),
            status: item.status,
            severity: item.meta.severity,
            owner: item.meta.owner,
            reason: item.message.clone(),
        })
        .collect();
    for role in &gate.required_roles {
        let mine: Vec<&Signoff> = signoffs.iter().filter(|s| s.role == *role).collect();
        if mine.iter().any(|s| s.valid) {
            continue;
        }
        let reason = if mine.is_empty() {
            format!("no sign-off from role {} ({role})", role.title())
        } else {
            let describe = |status: SignoffStatus| {
                let names: Vec<&str> = mine
                    .iter()
                    .filter(|s| s.status == status)
                    .map(|s| s.name.as_str())
                    .collect();
                (!names.is_empty()).then(|| names.join(", "))
            };
            let mut parts = Vec::new();
            if let Some(names) = describe(SignoffStatus::Outdated) {
                parts.push(format!(
                    "the {} sign-off by {names} is outdated: it signed another report digest (the evidence changed since); sign this report again",
                    role.title()
                ));
            }
            if let Some(names) = describe(SignoffStatus::BadSignature) {
                parts.push(format!(
                    "the {} sign-off by {names} has a signature that does not verify: the record was changed; sign again",
                    role.title()
                ));
            }
            if let Some(names) = describe(SignoffStatus::WrongKey) {
                parts.push(format!(
                    "the {} sign-off by {names} is not signed with the role's key in [gate.signing_keys]; sign with `--key`",
                    role.title()
                ));
            }
            parts.join("; ")
        };
        blocking.push(Blocker::Signoff {
            role: *role,
            reason,
        });
    }
    Decision {
        ready: blocking.is_empty(),
        blocking,
    }
}
