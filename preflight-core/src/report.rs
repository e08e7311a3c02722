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
use crate::records::Attestation;
use crate::render::Format;
use crate::select::Selection;
use crate::status::Status;

/// The report-level content a digest covers, serialized in a fixed field
/// order; items enter through their own digests.
#[derive(Serialize)]
struct Canonical<'a> {
    schema: &'a str,
    project: &'a str,
    environment: &'a str,
    gate: &'a GateConfig,
    selection: &'a Selection,
}

/// The content of one item that its digest covers (`serde_json` sorts the keys
/// of evidence values, so the bytes are canonical).
#[derive(Serialize)]
struct CanonicalItem<'a> {
    id: &'a str,
    title: &'a str,
    section: crate::meta::Section,
    group: &'a str,
    kind: crate::meta::Kind,
    applicability: crate::meta::Applicability,
    position: Option<u32>,
    severity: Severity,
    owner: Role,
    phase: Phase,
    status: Status,
    message: &'a str,
    evidence: Option<CanonicalEvidence<'a>>,
    attestation: Option<&'a Attestation>,
    raw: Option<&'a RawResult>,
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
    /// Which items the run covered (covered by the digest).
    pub selection: Selection,
    /// Every selected item, in checklist order (section, checklist line, ID).
    pub items: Vec<ReportItem>,
    /// Counts per status.
    pub summary: Summary,
    /// Whether the system may go live, and what blocks it.
    pub decision: Decision,
    /// The gate policy the decision applied (covered by the digest).
    pub gate: GateConfig,
    /// Sign-offs presented to the gate, each marked valid or not.
    pub signoffs: Vec<Signoff>,
    /// The final approval and go-live date, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<FinalApproval>,
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
    /// The attestation, waiver or not-applicable declaration that applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<Box<Attestation>>,
    /// Under a waiver: what the check itself decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<Box<RawResult>>,
    /// How long the check ran, in milliseconds (0 for items that did not run).
    pub duration_ms: f64,
    /// `sha256:` over the item's canonical content (see [`ReportItem::compute_digest`]).
    #[serde(default)]
    pub digest: String,
}

/// What a waived item's check decided, kept visible under the waiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RawResult {
    /// The check's own status.
    pub status: Status,
    /// The check's own message.
    pub message: String,
}

impl RawResult {
    /// A raw result.
    #[must_use]
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        RawResult {
            status,
            message: message.into(),
        }
    }
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
            attestation: None,
            raw: None,
            duration_ms: 0.0,
            digest: String::new(),
        }
    }

    /// Sets the attestation that applies.
    #[must_use]
    pub fn with_attestation(mut self, attestation: Option<Attestation>) -> Self {
        self.attestation = attestation.map(Box::new);
        self
    }

    /// The digest of the item's content: its metadata (ID, title, section,
    /// group, kind, applicability, position, severity, owner, phase),
    /// status, message, evidence (summary, values, artifact paths and hashes,
    /// findings), attestation and raw result. Timestamps and durations are left out.
    #[must_use]
    pub fn compute_digest(&self) -> String {
        self.digest_with(&mut Vec::new())
    }

    /// [`ReportItem::compute_digest`] with a scratch buffer that callers reuse
    /// across items: serializing in one piece and hashing once is several
    /// times faster than feeding the hash token by token.
    pub(crate) fn digest_with(&self, buffer: &mut Vec<u8>) -> String {
        let canonical = CanonicalItem {
            id: &self.meta.id,
            title: &self.meta.title,
            section: self.meta.section,
            group: &self.meta.group,
            kind: self.meta.kind,
            applicability: self.meta.applicability,
            position: self.meta.position,
            severity: self.meta.severity,
            owner: self.meta.owner,
            phase: self.meta.phase,
            status: self.status,
            message: &self.message,
            evidence: self.evidence.as_ref().map(|e| CanonicalEvidence {
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
            attestation: self.attestation.as_deref(),
            raw: self.raw.as_deref(),
        };
        buffer.clear();
        serde_json::to_writer(&mut *buffer, &canonical).expect("serializing to memory cannot fail");
        crate::evidence::format_sha256(&<sha2::Sha256 as sha2::Digest>::digest(&buffer))
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

/// Whether a sign-off counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SignoffStatus {
    /// It signed this report's digest (and its signature, if any, is good).
    Valid,
    /// It signed another digest: the evidence changed since; sign again.
    Outdated,
    /// Its signature does not verify: the record was changed or forged.
    BadSignature,
    /// The role's key is configured in `[gate.signing_keys]`, but the sign-off
    /// is unsigned or signed by another key.
    WrongKey,
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
    /// The Ed25519 signature, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The signer's public key, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Whether it counts, and if not why.
    pub status: SignoffStatus,
    /// Whether it counts (`status` is `valid`).
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
            signature: None,
            public_key: None,
            status: SignoffStatus::Outdated,
            valid: false,
        }
    }

    /// Judges the sign-off against the report's `digest` and the gate's keys.
    #[must_use]
    pub fn judge(&self, digest: &str, gate: &GateConfig) -> SignoffStatus {
        if let (Some(signature), Some(key)) = (&self.signature, &self.public_key) {
            let message =
                crate::signing::signoff_message(self.role, &self.name, self.date, &self.digest);
            if crate::signing::verify(key, signature, &message).is_err() {
                return SignoffStatus::BadSignature;
            }
        } else if self.signature.is_some() || self.public_key.is_some() {
            return SignoffStatus::BadSignature;
        }
        if let Some(expected) = gate.signing_keys.get(&self.role)
            && (self.signature.is_none()
                || !self
                    .public_key
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case(expected)))
        {
            return SignoffStatus::WrongKey;
        }
        if self.digest == digest {
            SignoffStatus::Valid
        } else {
            SignoffStatus::Outdated
        }
    }
}

impl From<&crate::records::SignoffRecord> for Signoff {
    fn from(record: &crate::records::SignoffRecord) -> Self {
        Signoff {
            signature: record.signature.clone(),
            public_key: record.public_key.clone(),
            ..Signoff::new(
                record.role,
                record.name.clone(),
                record.date,
                record.digest.clone(),
            )
        }
    }
}

/// The final approval of the seed's sign-off section, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FinalApproval {
    /// Who approved.
    pub by: String,
    /// When.
    pub date: jiff::civil::Date,
    /// The production go-live date.
    pub go_live: jiff::civil::Date,
    /// The digest approved.
    pub digest: String,
    /// Whether it approved this report's digest.
    pub valid: bool,
}

/// Something in a saved report that does not match what it claims.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Tampering {
    /// An item's content no longer matches its digest.
    #[error(
        "item `{id}`: its status, message, evidence or attestation was changed after the report was written (recorded digest {recorded}, content gives {computed})"
    )]
    Item {
        /// The item.
        id: String,
        /// The digest in the report.
        recorded: String,
        /// The digest of its content.
        computed: String,
    },
    /// The report's digest does not match its content.
    #[error(
        "the report digest {recorded} does not match its content ({computed}): items, selection, gate policy or project were changed"
    )]
    Digest {
        /// The digest in the report.
        recorded: String,
        /// The digest of its content.
        computed: String,
    },
    /// The summary counts do not match the items.
    #[error("the summary counts do not match the items' statuses")]
    Summary,
    /// The decision does not follow from the items, gate and sign-offs.
    #[error(
        "the decision (ready = {recorded}) does not follow from the items and sign-offs (ready = {computed})"
    )]
    Decision {
        /// The decision in the report.
        recorded: bool,
        /// The decision recomputed.
        computed: bool,
    },
    /// The final approval claims to approve this report but approved another digest (or the reverse).
    #[error(
        "the final approval by {by} claims valid = {recorded} but approved {} digest",
        if *computed { "this report's" } else { "another" }
    )]
    Approval {
        /// Who approved.
        by: String,
        /// The validity in the report.
        recorded: bool,
        /// The validity recomputed.
        computed: bool,
    },
    /// A sign-off's recorded status differs from what its signature and digest give.
    #[error("the {role} sign-off by {name} claims to be {recorded:?} but is {computed:?}")]
    Signoff {
        /// The role.
        role: Role,
        /// The signer.
        name: String,
        /// The status in the report.
        recorded: SignoffStatus,
        /// The status recomputed.
        computed: SignoffStatus,
    },
}

impl Report {
    /// The digest over the content that matters: project, environment, the gate
    /// policy, the selection, and every item's digest
    /// ([`ReportItem::compute_digest`]) in report order. Timestamps, durations
    /// and sign-offs are left out, so the same inputs give the same digest and
    /// any changed input changes it.
    ///
    /// Uses the items' recorded digests; [`Report::seal`] computes them first.
    #[must_use]
    pub fn compute_digest(&self) -> String {
        use sha2::Digest as _;
        let mut hasher = HashWriter(sha2::Sha256::new());
        serde_json::to_writer(
            &mut hasher,
            &Canonical {
                schema: &self.schema,
                project: &self.project,
                environment: &self.environment,
                gate: &self.gate,
                selection: &self.selection,
            },
        )
        .expect("hashing cannot fail");
        // Then each item in report order, length-prefixed so that no two
        // lists hash alike: its ID and its digest.
        for item in &self.items {
            for field in [&*item.meta.id, item.digest.as_str()] {
                hasher.0.update((field.len() as u64).to_le_bytes());
                hasher.0.update(field.as_bytes());
            }
        }
        crate::evidence::format_sha256(&hasher.0.finalize())
    }

    /// Computes every item's digest, the summary, the report digest, then
    /// judges the sign-offs and the approval and decides.
    pub fn seal(&mut self) {
        for item in &mut self.items {
            item.digest.clear();
        }
        self.seal_new_items();
    }

    /// [`Report::seal`] for items whose digest is not computed yet (empty):
    /// the runner computes the digests of the items it runs on its worker
    /// threads, as each finishes.
    pub(crate) fn seal_new_items(&mut self) {
        let mut buffer = Vec::new();
        for item in self.items.iter_mut().filter(|i| i.digest.is_empty()) {
            item.digest = item.digest_with(&mut buffer);
        }
        self.summary = Summary::of(&self.items);
        self.digest = self.compute_digest();
        self.judge();
    }

    /// Judges sign-offs and approval against the current digest, and decides.
    fn judge(&mut self) {
        for signoff in &mut self.signoffs {
            signoff.status = signoff.judge(&self.digest, &self.gate);
            signoff.valid = signoff.status == SignoffStatus::Valid;
        }
        if let Some(approval) = &mut self.approval {
            approval.valid = approval.digest == self.digest;
        }
        self.decision = crate::gate::decide(&self.gate, &self.items, &self.signoffs);
    }

    /// Checks a saved report against itself: every item's digest, the report
    /// digest, the summary, every sign-off's signature and status, and the
    /// decision. Returns everything that does not match (empty: untampered).
    ///
    /// ```
    /// # use preflight_core::{CheckMeta, Config, Registry, Runner, Status};
    /// let registry = Registry::builder()
    ///     .add_attested(CheckMeta::new("ops.docs.runbooks", "Runbooks created").unwrap())
    ///     .build()
    ///     .unwrap();
    /// let report = Runner::new(&registry, Config::default()).run().unwrap();
    /// assert!(report.verify().is_empty());
    ///
    /// let mut forged = report.clone();
    /// forged.items[0].status = Status::Pass;
    /// let problems = forged.verify();
    /// assert!(problems[0].to_string().contains("item `ops.docs.runbooks`"));
    /// ```
    #[must_use]
    pub fn verify(&self) -> Vec<Tampering> {
        let mut problems = Vec::new();
        for item in &self.items {
            let computed = item.compute_digest();
            if computed != item.digest {
                problems.push(Tampering::Item {
                    id: item.meta.id.to_string(),
                    recorded: item.digest.clone(),
                    computed,
                });
            }
        }
        let computed = self.compute_digest();
        if computed != self.digest {
            problems.push(Tampering::Digest {
                recorded: self.digest.clone(),
                computed,
            });
        }
        if Summary::of(&self.items) != self.summary {
            problems.push(Tampering::Summary);
        }
        let mut recomputed = self.clone();
        recomputed.judge();
        for (recorded, computed) in self.signoffs.iter().zip(&recomputed.signoffs) {
            if recorded.status != computed.status || recorded.valid != computed.valid {
                problems.push(Tampering::Signoff {
                    role: recorded.role,
                    name: recorded.name.clone(),
                    recorded: recorded.status,
                    computed: computed.status,
                });
            }
        }
        if let (Some(recorded), Some(computed)) = (&self.approval, &recomputed.approval)
            && recorded.valid != computed.valid
        {
            problems.push(Tampering::Approval {
                by: recorded.by.clone(),
                recorded: recorded.valid,
                computed: computed.valid,
            });
        }
        if recomputed.decision != self.decision {
            problems.push(Tampering::Decision {
                recorded: self.decision.ready,
                computed: recomputed.decision.ready,
            });
        }
        problems
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
        let mut bytes = Vec::new();
        format.renderer().render(self, &mut bytes)?;
        replace_file(path.as_ref(), &bytes)
    }
}

/// Replaces `path` with `bytes` atomically (a temporary file in the same
/// directory, synced, then renamed over it): readers see the old content or
/// the new, never a part. An existing file keeps its permissions; a new one is
/// readable by everyone (0644 on Unix), as a file written directly would be
/// under the usual umask.
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file_mut().flush()?;
    let permissions = match std::fs::metadata(path) {
        Ok(metadata) => Some(metadata.permissions()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => default_permissions(),
        Err(e) => return Err(e),
    };
    if let Some(permissions) = permissions {
        file.as_file().set_permissions(permissions)?;
    }
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)] // `None` on other platforms.
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}
