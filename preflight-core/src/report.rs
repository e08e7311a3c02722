//! The report of a run (`preflight.report/v1`), its canonical digest and atomic writing.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::GateConfig;
use crate::evidence::EvidenceRecord;
use crate::meta::{CheckMeta, Phase, Role, Severity};
use crate::render::Format;
use crate::status::Status;

/// The content a digest covers, serialized in a fixed field order (and
/// `serde_json` sorts the keys of evidence values), so the bytes are canonical.
#[derive(Serialize)]
struct Canonical<'a> {
    schema: &'a str,
    project: &'a str,
    environment: &'a str,
    gate: &'a GateConfig,
    items: Vec<CanonicalItem<'a>>,
}

#[derive(Serialize)]
struct CanonicalItem<'a> {
    id: &'a str,
    severity: Severity,
    owner: Role,
    phase: Phase,
    status: Status,
    message: &'a str,
    evidence: Option<CanonicalEvidence<'a>>,
}

#[derive(Serialize)]
struct CanonicalEvidence<'a> {
    summary: &'a str,
    values: &'a serde_json::Value,
    artifacts: Vec<CanonicalArtifact<'a>>,
    findings: &'a [crate::evidence::Finding],
}

#[derive(Serialize)]
struct CanonicalArtifact<'a> {
    path: &'a str,
    sha256: &'a str,
    size: u64,
}

/// Feeds serialized bytes straight into the hash, without an intermediate string.
struct HashWriter(sha2::Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        sha2::Digest::update(&mut self.0, buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The schema identifier written into every report.
pub const SCHEMA: &str = "preflight.report/v1";

/// The outcome of a run: every item, the summary, the go/no-go decision and the sign-offs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The project's name.
    pub project: String,
    /// The environment being readied.
    pub environment: String,
    /// When the run finished.
    pub generated_at: jiff::Timestamp,
    /// The version of preflight that made the report.
    pub preflight_version: String,
    /// Every item, ordered by ID.
    pub items: Vec<ReportItem>,
    /// Counts per status.
    pub summary: Summary,
    /// Whether the system may go live, and what blocks it.
    pub decision: Decision,
    /// The gate policy the decision applied (covered by the digest).
    pub gate: GateConfig,
    /// Sign-offs presented to the gate, each marked valid or outdated.
    pub signoffs: Vec<Signoff>,
    /// `sha256:` over the canonical content (see [`Report::compute_digest`]).
    pub digest: String,
}

/// One item of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReportItem {
    /// The item's metadata.
    #[serde(flatten)]
    pub meta: Arc<CheckMeta>,
    /// The item's status.
    pub status: Status,
    /// One line: why the item has this status.
    pub message: String,
    /// What the check observed, when it observed anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceRecord>,
    /// How long the check ran, in milliseconds (0 for items that did not run).
    pub duration_ms: f64,
}

impl ReportItem {
    /// A result for `meta`.
    #[must_use]
    pub fn new(
        meta: impl Into<Arc<CheckMeta>>,
        status: Status,
        message: impl Into<String>,
    ) -> Self {
        ReportItem {
            meta: meta.into(),
            status,
            message: message.into(),
            evidence: None,
            duration_ms: 0.0,
        }
    }

    /// Sets the duration.
    #[must_use]
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.duration_ms = duration.as_secs_f64() * 1000.0;
        self
    }

    /// Sets the evidence.
    #[must_use]
    pub fn with_evidence(mut self, evidence: Option<EvidenceRecord>) -> Self {
        self.evidence = evidence;
        self
    }
}

/// Number of items per status.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Summary {
    /// All items.
    pub total: usize,
    /// Count per status; statuses with no item are left out.
    pub by_status: BTreeMap<Status, usize>,
}

impl Summary {
    /// Counts the statuses of `items`.
    #[must_use]
    pub fn of(items: &[ReportItem]) -> Self {
        let mut by_status = BTreeMap::new();
        for item in items {
            *by_status.entry(item.status).or_insert(0) += 1;
        }
        Summary {
            total: items.len(),
            by_status,
        }
    }

    /// How many items have `status`.
    #[must_use]
    pub fn count(&self, status: Status) -> usize {
        self.by_status.get(&status).copied().unwrap_or(0)
    }
}

/// The go/no-go decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Decision {
    /// Whether the system may go live.
    pub ready: bool,
    /// Everything that stands in the way, items first, then missing sign-offs.
    pub blocking: Vec<Blocker>,
}

/// One reason the system is not ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Blocker {
    /// An item whose status blocks.
    Item {
        /// The item.
        id: String,
        /// Its status.
        status: Status,
        /// Its severity.
        severity: Severity,
        /// Its owner, who must act.
        owner: Role,
        /// The item's message.
        reason: String,
    },
    /// A required role that has not signed this report's digest.
    Signoff {
        /// The role.
        role: Role,
        /// Why its sign-off does not count.
        reason: String,
    },
}

/// A person's sign-off of one report digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Signoff {
    /// The role signing.
    pub role: Role,
    /// Who signed.
    pub name: String,
    /// When.
    pub date: jiff::civil::Date,
    /// The report digest that was signed.
    pub digest: String,
    /// Whether `digest` is this report's digest; an outdated sign-off does not count.
    #[serde(default)]
    pub valid: bool,
}

impl Signoff {
    /// A sign-off of `digest` by `name` in `role` on `date`.
    #[must_use]
    pub fn new(
        role: Role,
        name: impl Into<String>,
        date: jiff::civil::Date,
        digest: impl Into<String>,
    ) -> Self {
        Signoff {
            role,
            name: name.into(),
            date,
            digest: digest.into(),
            valid: false,
        }
    }
}

impl Report {
    /// The digest over the content that matters: project, environment, the gate
    /// policy, and for every item its ID, severity, owner, phase, status, message,
    /// evidence summary and values, artifact paths and hashes, and findings. Timestamps, durations and sign-offs are
    /// left out, so the same inputs give the same digest and any changed input
    /// changes it.
    #[must_use]
    pub fn compute_digest(&self) -> String {
        use sha2::Digest as _;
        let canonical = Canonical {
            schema: &self.schema,
            project: &self.project,
            environment: &self.environment,
            gate: &self.gate,
            items: self
                .items
                .iter()
                .map(|item| CanonicalItem {
                    id: &item.meta.id,
                    severity: item.meta.severity,
                    owner: item.meta.owner,
                    phase: item.meta.phase,
                    status: item.status,
                    message: &item.message,
                    evidence: item.evidence.as_ref().map(|e| CanonicalEvidence {
                        summary: &e.summary,
                        values: &e.values,
                        artifacts: e
                            .artifacts
                            .iter()
                            .map(|a| CanonicalArtifact {
                                path: &a.path,
                                sha256: &a.sha256,
                                size: a.size,
                            })
                            .collect(),
                        findings: &e.findings,
                    }),
                })
                .collect(),
        };
        let mut hasher = HashWriter(sha2::Sha256::new());
        serde_json::to_writer(&mut hasher, &canonical).expect("hashing cannot fail");
        crate::evidence::format_sha256(&hasher.0.finalize())
    }

    /// Whether the system may go live.
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.decision.ready
    }

    /// The item with this ID.
    #[must_use]
    pub fn item(&self, id: &str) -> Option<&ReportItem> {
        self.items.iter().find(|item| item.meta.id == id)
    }

    /// The process exit code of the decision: 0 ready, 1 not ready
    /// (2 is for usage and configuration errors, before any report exists).
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.decision.ready)
    }

    /// Renders the report in `format` to a string.
    #[must_use]
    pub fn render(&self, format: Format) -> String {
        let mut out = Vec::new();
        format
            .renderer()
            .render(self, &mut out)
            .expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("renderers write UTF-8")
    }

    /// Writes the report in `format` to `path` atomically: readers see the old
    /// file or the whole new one, never a partial write.
    pub fn write_atomic(&self, path: impl AsRef<Path>, format: Format) -> std::io::Result<()> {
        let path = path.as_ref();
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        format.renderer().render(self, file.as_file_mut())?;
        file.as_file_mut().flush()?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}
