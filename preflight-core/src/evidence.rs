//! Typed evidence: what a check observed, in a form a report can keep and audit.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A typed, serializable record of what a check observed: measured values,
/// thresholds, the tool or format detected. Its fields become the item's
/// `evidence.values` in the JSON report; [`summary`](Evidence::summary) is
/// the one-line evidence shown by every renderer.
///
/// Usually derived with a summary template whose `{field}` placeholders
/// (with optional format specs such as `{sharpe:.2}`) name fields:
///
/// ```
/// use preflight_core::Evidence;
///
/// #[derive(Evidence, serde::Serialize)]
/// #[evidence(summary = "Sharpe {sharpe:.2} over {observations} periods")]
/// struct SharpeEvidence {
///     sharpe: f64,
///     observations: usize,
/// }
///
/// let evidence = SharpeEvidence { sharpe: 1.234, observations: 504 };
/// assert_eq!(evidence.summary(), "Sharpe 1.23 over 504 periods");
/// ```
pub trait Evidence: Serialize {
    /// One line for people: what was measured against what.
    fn summary(&self) -> String;
}

/// A file a check read, identified by content so that a report proves what it judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// The path, relative to the project root when it lies below it.
    pub path: String,
    /// `sha256:` and the hex digest of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification time, when the file system reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<jiff::Timestamp>,
}

impl Artifact {
    /// Describes content read from `path`, hashing `bytes`.
    #[must_use]
    pub fn from_bytes(
        path: impl Into<String>,
        bytes: &[u8],
        modified: Option<jiff::Timestamp>,
    ) -> Self {
        Artifact {
            path: path.into(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
            modified,
        }
    }
}

/// `sha256:` followed by the lowercase hex digest of `bytes`.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format_sha256(&sha2::Sha256::digest(bytes))
}

/// `sha256:` followed by the lowercase hex of a finished SHA-256 `digest`.
pub(crate) fn format_sha256(digest: &[u8]) -> String {
    let mut out = vec![0u8; 7 + 2 * digest.len()];
    out[..7].copy_from_slice(b"sha256:");
    hex::encode_to_slice(digest, &mut out[7..]).expect("the buffer fits the hex digits");
    String::from_utf8(out).expect("hex digits are ASCII")
}

/// How serious a finding is (SARIF's `level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingLevel {
    /// A defect.
    Error,
    /// A probable problem.
    Warning,
    /// Worth knowing.
    Note,
}

/// One located problem (a marker, a secret, a lint), for SARIF and reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule that matched, e.g. `aws-access-key-id`.
    pub rule: String,
    /// What was found; secrets appear masked, never whole.
    pub message: String,
    /// How serious it is.
    pub level: FindingLevel,
    /// The file, relative to the project root.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: [{}] {}",
            self.file, self.line, self.column, self.rule, self.message
        )
    }
}

/// The evidence part of a report item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// One line for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// When the check finished observing.
    pub observed_at: jiff::Timestamp,
    /// The evidence's fields (object), or `null` when the check attached none.
    #[serde(default)]
    pub values: serde_json::Value,
    /// Files the check read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
    /// Located findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
