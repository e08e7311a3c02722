//! The gate: turns item statuses and sign-offs into the go/no-go decision.

use crate::config::GateConfig;
use crate::meta::Phase;
use crate::report::{Blocker, Decision, ReportItem, Signoff};

/// Decides readiness: every pre-launch item whose status is blocking and whose
/// severity is at or above the floor blocks (post-launch items are due after
/// go-live, so they cannot block it), and so does every required role without a
/// valid sign-off (one whose digest is this report's).
///
/// Marks each sign-off `valid` or not as a side effect.
#[must_use]
pub fn decide(
    gate: &GateConfig,
    items: &[ReportItem],
    signoffs: &mut [Signoff],
    digest: &str,
) -> Decision {
    let mut blocking: Vec<Blocker> = items
        .iter()
        .filter(|item| {
            item.meta.phase == Phase::PreLaunch
                && gate.blocking.contains(&item.status)
                && item.meta.severity >= gate.severity_floor
        })
        .map(|item| Blocker::Item {
            id: item.meta.id.to_string(),
            status: item.status,
            severity: item.meta.severity,
            owner: item.meta.owner,
            reason: item.message.clone(),
        })
        .collect();
    for signoff in signoffs.iter_mut() {
        signoff.valid = signoff.digest == digest;
    }
    for role in &gate.required_roles {
        let mine: Vec<&Signoff> = signoffs.iter().filter(|s| s.role == *role).collect();
        if mine.iter().any(|s| s.valid) {
            continue;
        }
        let reason = if mine.is_empty() {
            format!("no sign-off from role {} ({role})", role.title())
        } else {
            let names: Vec<&str> = mine.iter().map(|s| s.name.as_str()).collect();
            format!(
                "the {} sign-off by {} is outdated: it signed another report digest; sign this report again",
                role.title(),
                names.join(", ")
            )
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
