//! The status of an item in a report.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The status of one item in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The evidence satisfies the item.
    Pass,
    /// Satisfied, with a concern worth reading; does not block by default.
    Warn,
    /// The evidence shows the item is not satisfied.
    Fail,
    /// The item could not be evaluated: evidence missing or malformed, a timeout, a panic.
    Error,
    /// An attested item that nobody has attested yet.
    Pending,
    /// An attestation or evidence older than its time-to-live.
    Stale,
    /// Not satisfied, but an approver accepted the risk until a date.
    Waived,
    /// Declared not to apply to this system, with a justification.
    NotApplicable,
    /// Not run: disabled in the configuration or filtered out of the run.
    Skipped,
}

impl Status {
    /// Every status, from the most to the least urgent; reports list items in this order.
    pub const ALL: [Status; 9] = [
        Status::Error,
        Status::Fail,
        Status::Stale,
        Status::Pending,
        Status::Warn,
        Status::Waived,
        Status::Pass,
        Status::NotApplicable,
        Status::Skipped,
    ];

    /// The kebab-case name used in reports.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Pending => "pending",
            Status::Stale => "stale",
            Status::Waived => "waived",
            Status::NotApplicable => "not-applicable",
            Status::Skipped => "skipped",
        }
    }

    /// Whether the status counts as the item being satisfied (pass, warn, waived, not applicable).
    #[must_use]
    pub const fn is_satisfied(self) -> bool {
        matches!(
            self,
            Status::Pass | Status::Warn | Status::Waived | Status::NotApplicable
        )
    }
}

impl PartialOrd for Status {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Status {
    /// Most urgent first, as in [`Status::ALL`].
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let rank = |s: &Status| Status::ALL.iter().position(|x| x == s);
        rank(self).cmp(&rank(other))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Status {
    type Err = crate::meta::UnknownSlug;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| crate::meta::UnknownSlug {
                what: "status",
                value: s.to_owned(),
                expected: &[
                    "pass",
                    "warn",
                    "fail",
                    "error",
                    "pending",
                    "stale",
                    "waived",
                    "not-applicable",
                    "skipped",
                ],
            })
    }
}
