//! The record files people write: `preflight/attestations.toml` (attestations,
//! waivers, not-applicable declarations) and `preflight/signoffs.toml`
//! (sign-offs of report digests and the final approval).
//!
//! Both are parsed strictly: a malformed record, an unknown key, item or role, or
//! a missing justification is an error naming the file and line, and the run
//! stops before any check runs. Writers append under a lock and replace the file
//! atomically, so existing records, comments and formatting are kept byte for
//! byte and concurrent writers never corrupt the file.
//!
//! ```
//! use preflight_core::records::{AttestationStatus, Attestations};
//!
//! let file = Attestations::parse(r#"
//! ## Reviewed in the go-live meeting.
//! [[attestation]]
//! item = "legal.review.legal-team-reviewed"
//! status = "done"
//! by = "Dana Cruz"
//! role = "legal-compliance"
//! date = 2026-11-02
//! evidence = "LEGAL-1142"
//! "#, "preflight/attestations.toml").unwrap();
//! let record = &file.records()[0];
//! assert_eq!(record.status, AttestationStatus::Done);
//! // Review quarterly: records expire 90 days after their date by default.
//! assert_eq!(record.expires, jiff::civil::date(2027, 1, 31));
//! ```

use std::fmt;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::meta::{Applicability, Role};
use crate::registry::Registry;

/// How long an attestation stays valid when it names no expiry: "review and
/// update quarterly".
pub const DEFAULT_VALIDITY_DAYS: i32 = 90;

/// What an attestation says about its item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttestationStatus {
    /// The item is done; `evidence` says where to see it.
    Done,
    /// The item does not apply to this system; `justification` says why.
    NotApplicable,
    /// The item is knowingly not satisfied until `expires`, approved by `role`;
    /// an automated item still runs and its result stays visible.
    Waived,
}

impl fmt::Display for AttestationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AttestationStatus::Done => "done",
            AttestationStatus::NotApplicable => "not-applicable",
            AttestationStatus::Waived => "waived",
        })
    }
}

/// One `[[attestation]]` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attestation {
    /// The item's ID.
    pub item: String,
    /// What the record says.
    pub status: AttestationStatus,
    /// Who attests (for a waiver: who approves it).
    pub by: String,
    /// The role they attest in.
    pub role: Role,
    /// When.
    pub date: Date,
    /// When the record stops counting (default: 90 days after `date`).
    pub expires: Date,
    /// Where to see the evidence: a URL, a ticket, a short text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Why the item does not apply, or why it is waived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// The record's line in its file (0 when not read from a file).
    #[serde(skip)]
    pub line: usize,
}

impl Attestation {
    /// Whether the record no longer counts on `today`.
    #[must_use]
    pub fn is_expired(&self, today: Date) -> bool {
        today > self.expires
    }
}

/// A date as TOML writes it (`2026-11-24`) or as a string (`"2026-11-24"`).
#[derive(Deserialize)]
#[serde(untagged)]
enum RawDate {
    Toml(toml::value::Datetime),
    Text(String),
}

impl RawDate {
    fn to_date(&self, key: &str) -> Result<Date, String> {
        let text = match self {
            RawDate::Toml(dt) => match (dt.date, dt.time) {
                (Some(d), None) => format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
                _ => {
                    return Err(format!(
                        "`{key}` must be a date such as 2026-11-24, without a time"
                    ));
                }
            },
            RawDate::Text(text) => text.clone(),
        };
        text.parse::<Date>()
            .map_err(|e| format!("`{key}` = `{text}` is not a date such as 2026-11-24 ({e})"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttestation {
    item: String,
    status: AttestationStatus,
    by: String,
    role: Role,
    date: RawDate,
    expires: Option<RawDate>,
    evidence: Option<String>,
    justification: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttestationsFile {
    #[serde(default)]
    attestation: Vec<toml::Spanned<RawAttestation>>,
}

/// A record file that cannot be used: the run stops (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RecordsError {
    /// The file.
    pub path: PathBuf,
    /// Every problem, each with its line when known.
    pub problems: Vec<RecordProblem>,
}

impl fmt::Display for RecordsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: ", self.path.display())?;
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// One problem of a record file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

fn toml_problem(text: &str, e: &toml::de::Error) -> RecordProblem {
    RecordProblem {
        line: e.span().map(|span| line_of(text, span.start)),
        message: e.message().to_owned(),
    }
}

/// The text of a record file; `None` when it does not exist (no records yet).
fn read_text(path: &Path) -> Result<Option<String>, RecordsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(RecordsError {
            path: path.to_owned(),
            problems: vec![RecordProblem {
                line: None,
                message: format!("cannot read the file: {e}"),
            }],
        }),
    }
}

/// The file's TOML against its schema; an error names the line.
fn parse_toml<T: serde::de::DeserializeOwned>(text: &str, path: &Path) -> Result<T, RecordsError> {
    toml::from_str(text).map_err(|e| RecordsError {
        path: path.to_owned(),
        problems: vec![toml_problem(text, &e)],
    })
}

fn non_empty(value: Option<&String>) -> Option<&str> {
    value.map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// The parsed `preflight/attestations.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attestations {
    path: PathBuf,
    records: Vec<Attestation>,
}

impl Attestations {
    /// No records (no file).
    #[must_use]
    pub fn empty(path: impl Into<PathBuf>) -> Self {
        Attestations {
            path: path.into(),
            records: Vec::new(),
        }
    }

    /// Reads the file; a missing file has no records.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, RecordsError> {
        let path = path.as_ref();
        match read_text(path)? {
            Some(text) => Self::parse(&text, path),
            None => Ok(Self::empty(path)),
        }
    }

    /// Parses the text of the file; `path` is used in messages. Checks each
    /// record on its own (required fields, dates, justifications); checks
    /// against the registry are [`Attestations::validate`].
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<Self, RecordsError> {
        let path = path.as_ref().to_owned();
        let raw: RawAttestationsFile = parse_toml(text, &path)?;
        let mut problems = Vec::new();
        let mut records = Vec::new();
        for spanned in raw.attestation {
            let line = line_of(text, spanned.span().start);
            let raw = spanned.into_inner();
            match attestation(raw, line) {
                Ok(record) => records.push(record),
                Err(messages) => {
                    problems.extend(messages.into_iter().map(|message| RecordProblem {
                        line: Some(line),
                        message,
                    }));
                }
            }
        }
        if problems.is_empty() {
            Ok(Attestations { path, records })
        } else {
            Err(RecordsError { path, problems })
        }
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every record, in file order.
    #[must_use]
    pub fn records(&self) -> &[Attestation] {
        &self.records
    }

    /// The record that counts for `item`: the latest by date, and of records of
    /// the same date the last in the file.
    #[must_use]
    pub fn current(&self, item: &str) -> Option<&Attestation> {
        self.records.iter().filter(|r| r.item == item).fold(
            None,
            |best: Option<&Attestation>, r| match best {
                Some(b) if b.date > r.date => Some(b),
                _ => Some(r),
            },
        )
    }

    /// [`Attestations::current`] of every item that has records, in one pass.
    #[must_use]
    pub fn current_by_item(&self) -> std::collections::HashMap<&str, &Attestation> {
        let mut current: std::collections::HashMap<&str, &Attestation> =
            std::collections::HashMap::new();
        for record in &self.records {
            let slot = current.entry(record.item.as_str()).or_insert(record);
            // Later in the file wins among records of the same date.
            if record.date >= slot.date {
                *slot = record;
            }
        }
        current
    }

    /// Checks the records against the registry: every item exists, and only
    /// "(if applicable)" items, or items `allow_not_applicable` matches, are
    /// declared not applicable.
    pub fn validate(
        &self,
        registry: &Registry,
        allow_not_applicable: &globset::GlobSet,
    ) -> Result<(), RecordsError> {
        let mut problems = Vec::new();
        for record in &self.records {
            let Some(entry) = registry.get(&record.item) else {
                problems.push(RecordProblem {
                    line: Some(record.line),
                    message: format!(
                        "unknown item `{}`: check the ID (`preflight list` shows them)",
                        record.item
                    ),
                });
                continue;
            };
            if record.status == AttestationStatus::NotApplicable
                && entry.meta().applicability == Applicability::Always
                && !allow_not_applicable.is_match(&record.item)
            {
                problems.push(RecordProblem {
                    line: Some(record.line),
                    message: format!(
                        "item `{}` applies to every system and cannot be declared not applicable; waive it instead, or list it in `allow_not_applicable` in [gate]",
                        record.item
                    ),
                });
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(RecordsError {
                path: self.path.clone(),
                problems,
            })
        }
    }

    /// Appends `record` to the file at `path` (creating it and its directory),
    /// under a lock, keeping every existing byte; the result is parsed before it
    /// replaces the file, so a malformed file is never written.
    pub fn append(path: impl AsRef<Path>, record: &Attestation) -> Result<(), RecordsError> {
        let mut block = String::from("\n[[attestation]]\n");
        push_str(&mut block, "item", &record.item);
        push_str(&mut block, "status", &record.status.to_string());
        push_str(&mut block, "by", &record.by);
        push_str(&mut block, "role", record.role.slug());
        push_raw(&mut block, "date", record.date);
        push_raw(&mut block, "expires", record.expires);
        if let Some(evidence) = &record.evidence {
            push_str(&mut block, "evidence", evidence);
        }
        if let Some(justification) = &record.justification {
            push_str(&mut block, "justification", justification);
        }
        append_block(path.as_ref(), &block, |text, path| {
            Attestations::parse(text, path).map(|_| ())
        })
    }
}

#[allow(clippy::needless_pass_by_value)] // Consumed field by field below.
fn attestation(raw: RawAttestation, line: usize) -> Result<Attestation, Vec<String>> {
    let mut problems = Vec::new();
    let item = raw.item.trim().to_owned();
    if let Err(e) = crate::meta::validate_id(&item) {
        problems.push(e.to_string());
    }
    if raw.by.trim().is_empty() {
        problems.push(format!("`by` of `{item}` is empty: name who attests"));
    }
    let date = raw.date.to_date("date").map_err(|e| problems.push(e)).ok();
    let expires = match &raw.expires {
        Some(d) => d.to_date("expires").map_err(|e| problems.push(e)).ok(),
        None => None,
    };
    let evidence = non_empty(raw.evidence.as_ref()).map(str::to_owned);
    let justification = non_empty(raw.justification.as_ref()).map(str::to_owned);
    match raw.status {
        AttestationStatus::Done if evidence.is_none() => problems.push(format!(
            "attestation of `{item}` has no `evidence`: say where to see it (a URL, a ticket, a document)"
        )),
        AttestationStatus::NotApplicable if justification.is_none() => problems.push(format!(
            "`{item}` is declared not applicable without a `justification`: say why it does not apply"
        )),
        AttestationStatus::Waived if justification.is_none() => problems.push(format!(
            "the waiver of `{item}` has no `justification`: say why going live without it is acceptable"
        )),
        AttestationStatus::Waived if raw.expires.is_none() => problems.push(format!(
            "the waiver of `{item}` has no `expires` date: a waiver must end"
        )),
        _ => {}
    }
    let (Some(date), true) = (date, problems.is_empty()) else {
        return Err(problems);
    };
    let expires = match expires {
        Some(expires) => expires,
        None => date
            .checked_add(jiff::Span::new().days(DEFAULT_VALIDITY_DAYS))
            .map_err(|e| vec![format!("`date` {date} is out of range: {e}")])?,
    };
    if expires < date {
        return Err(vec![format!(
            "`expires` ({expires}) of `{item}` is before its `date` ({date})"
        )]);
    }
    Ok(Attestation {
        item,
        status: raw.status,
        by: raw.by.trim().to_owned(),
        role: raw.role,
        date,
        expires,
        evidence,
        justification,
        line,
    })
}

/// `key = value` for values TOML writes bare (dates).
fn push_raw(block: &mut String, key: &str, value: impl fmt::Display) {
    use fmt::Write as _;
    let _ = writeln!(block, "{key} = {value}");
}

/// `key = "value"` with TOML escaping.
fn push_str(block: &mut String, key: &str, value: &str) {
    block.push_str(key);
    block.push_str(" = ");
    block.push_str(&toml::Value::String(value.to_owned()).to_string());
    block.push('\n');
}

/// Appends `block` to the file under an exclusive lock on a sidecar lock file,
/// validating the result and replacing the file atomically.
fn append_block(
    path: &Path,
    block: &str,
    validate: impl Fn(&str, &Path) -> Result<(), RecordsError>,
) -> Result<(), RecordsError> {
    let fail = |message: String| RecordsError {
        path: path.to_owned(),
        problems: vec![RecordProblem {
            line: None,
            message,
        }],
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| fail(format!("cannot create `{}`: {e}", dir.display())))?;
    let mut lock_name = path.file_name().unwrap_or_default().to_owned();
    lock_name.push(".lock");
    let lock_path = dir.join(lock_name);
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| {
            fail(format!(
                "cannot open the lock file `{}`: {e}",
                lock_path.display()
            ))
        })?;
    // Released when `lock` is dropped, after the rename.
    lock.lock()
        .map_err(|e| fail(format!("cannot lock `{}`: {e}", lock_path.display())))?;
    let mut text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(fail(format!("cannot read the file: {e}"))),
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if text.is_empty() {
        text.push_str(block.trim_start_matches('\n'));
    } else {
        text.push_str(block);
    }
    validate(&text, path)?;
    crate::report::replace_file(path, text.as_bytes())
        .map_err(|e| fail(format!("cannot replace the file: {e}")))?;
    drop(lock);
    Ok(())
}

/// One `[[signoff]]` record: a person signs the digest of one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SignoffRecord {
    /// The role signing.
    pub role: Role,
    /// Who signs.
    pub name: String,
    /// When.
    pub date: Date,
    /// The report digest signed (`sha256:...`).
    pub digest: String,
    /// The Ed25519 signature of [`signoff_message`](crate::signing::signoff_message), hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The signer's public key, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The record's line in its file.
    #[serde(skip)]
    pub line: usize,
}

/// An `[[approval]]` record: the final approval and the go-live date (the
/// last record counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Approval {
    /// Who approved.
    pub by: String,
    /// When.
    pub date: Date,
    /// The production go-live date.
    pub go_live: Date,
    /// The report digest approved.
    pub digest: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignoff {
    role: Role,
    name: String,
    date: RawDate,
    digest: String,
    signature: Option<String>,
    public_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApproval {
    by: String,
    date: RawDate,
    go_live: RawDate,
    digest: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignoffsFile {
    #[serde(default)]
    signoff: Vec<toml::Spanned<RawSignoff>>,
    #[serde(default)]
    approval: Vec<toml::Spanned<RawApproval>>,
}

/// The parsed `preflight/signoffs.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signoffs {
    path: PathBuf,
    records: Vec<SignoffRecord>,
    approval: Option<Approval>,
}

impl Signoffs {
    /// Reads the file; a missing file has no records.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, RecordsError> {
        let path = path.as_ref();
        match read_text(path)? {
            Some(text) => Self::parse(&text, path),
            None => Ok(Signoffs {
                path: path.to_owned(),
                ..Signoffs::default()
            }),
        }
    }

    /// Parses the text of the file; `path` is used in messages.
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<Self, RecordsError> {
        let path = path.as_ref().to_owned();
        let raw: RawSignoffsFile = parse_toml(text, &path)?;
        let mut problems = Vec::new();
        let mut records = Vec::new();
        for spanned in raw.signoff {
            let line = line_of(text, spanned.span().start);
            let raw = spanned.into_inner();
            let mut mine = Vec::new();
            if raw.name.trim().is_empty() {
                mine.push("`name` is empty: name who signs".to_owned());
            }
            if !raw.digest.starts_with("sha256:") {
                mine.push(format!(
                    "`digest` = `{}` is not a report digest (`sha256:...`)",
                    raw.digest
                ));
            }
            if raw.signature.is_some() != raw.public_key.is_some() {
                mine.push(
                    "`signature` and `public_key` go together: give both or neither".to_owned(),
                );
            }
            let date = raw.date.to_date("date").map_err(|e| mine.push(e)).ok();
            match date {
                Some(date) if mine.is_empty() => records.push(SignoffRecord {
                    role: raw.role,
                    name: raw.name.trim().to_owned(),
                    date,
                    digest: raw.digest,
                    signature: raw.signature,
                    public_key: raw.public_key,
                    line,
                }),
                _ => problems.extend(mine.into_iter().map(|message| RecordProblem {
                    line: Some(line),
                    message,
                })),
            }
        }
        let mut approval = None;
        for spanned in raw.approval {
            let line = line_of(text, spanned.span().start);
            let raw = spanned.into_inner();
            let dates = raw
                .date
                .to_date("date")
                .and_then(|d| raw.go_live.to_date("go_live").map(|g| (d, g)));
            match dates {
                Ok((date, go_live)) => {
                    approval = Some(Approval {
                        by: raw.by,
                        date,
                        go_live,
                        digest: raw.digest,
                    });
                }
                Err(message) => problems.push(RecordProblem {
                    line: Some(line),
                    message,
                }),
            }
        }
        if problems.is_empty() {
            Ok(Signoffs {
                path,
                records,
                approval,
            })
        } else {
            Err(RecordsError { path, problems })
        }
    }

    /// Every sign-off, in file order.
    #[must_use]
    pub fn records(&self) -> &[SignoffRecord] {
        &self.records
    }

    /// The final approval, when given.
    #[must_use]
    pub fn approval(&self) -> Option<&Approval> {
        self.approval.as_ref()
    }

    /// Appends the final approval to the file at `path`, as [`Attestations::append`] does.
    pub fn append_approval(
        path: impl AsRef<Path>,
        approval: &Approval,
    ) -> Result<(), RecordsError> {
        let mut block = String::from("\n[[approval]]\n");
        push_str(&mut block, "by", &approval.by);
        push_raw(&mut block, "date", approval.date);
        push_raw(&mut block, "go_live", approval.go_live);
        push_str(&mut block, "digest", &approval.digest);
        append_block(path.as_ref(), &block, |text, path| {
            Signoffs::parse(text, path).map(|_| ())
        })
    }

    /// Appends a sign-off to the file at `path`, as [`Attestations::append`] does.
    pub fn append(path: impl AsRef<Path>, record: &SignoffRecord) -> Result<(), RecordsError> {
        let mut block = String::from("\n[[signoff]]\n");
        push_str(&mut block, "role", record.role.slug());
        push_str(&mut block, "name", &record.name);
        push_raw(&mut block, "date", record.date);
        push_str(&mut block, "digest", &record.digest);
        if let (Some(signature), Some(key)) = (&record.signature, &record.public_key) {
            push_str(&mut block, "signature", signature);
            push_str(&mut block, "public_key", key);
        }
        append_block(path.as_ref(), &block, |text, path| {
            Signoffs::parse(text, path).map(|_| ())
        })
    }
}

impl Approval {
    /// An approval of `digest` by `by` on `date`, going live on `go_live`.
    #[must_use]
    pub fn new(
        by: impl Into<String>,
        date: Date,
        go_live: Date,
        digest: impl Into<String>,
    ) -> Self {
        Approval {
            by: by.into(),
            date,
            go_live,
            digest: digest.into(),
        }
    }
}

impl SignoffRecord {
    /// A sign-off of `digest`, unsigned until [`SignoffRecord::sign`].
    #[must_use]
    pub fn new(role: Role, name: impl Into<String>, date: Date, digest: impl Into<String>) -> Self {
        SignoffRecord {
            role,
            name: name.into(),
            date,
            digest: digest.into(),
            signature: None,
            public_key: None,
            line: 0,
        }
    }

    /// Signs the record with `keys`.
    #[must_use]
    pub fn sign(mut self, keys: &crate::signing::KeyPair) -> Self {
        let message =
            crate::signing::signoff_message(self.role, &self.name, self.date, &self.digest);
        self.signature = Some(keys.sign(&message));
        self.public_key = Some(keys.public_key_hex());
        self
    }
}

impl Attestation {
    /// A record of `status` for `item` by `by` in `role` on `date`, expiring
    /// after the default 90 days.
    #[must_use]
    pub fn new(
        item: impl Into<String>,
        status: AttestationStatus,
        by: impl Into<String>,
        role: Role,
        date: Date,
    ) -> Self {
        Attestation {
            item: item.into(),
            status,
            by: by.into(),
            role,
            date,
            expires: date
                .checked_add(jiff::Span::new().days(DEFAULT_VALIDITY_DAYS))
                .unwrap_or(Date::MAX),
            evidence: None,
            justification: None,
            line: 0,
        }
    }

    /// Sets the evidence.
    #[must_use]
    pub fn with_evidence(mut self, evidence: impl Into<String>) -> Self {
        self.evidence = Some(evidence.into());
        self
    }

    /// Sets the justification.
    #[must_use]
    pub fn with_justification(mut self, justification: impl Into<String>) -> Self {
        self.justification = Some(justification.into());
        self
    }

    /// Sets the expiry.
    #[must_use]
    pub fn with_expires(mut self, expires: Date) -> Self {
        self.expires = expires;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# Attestations of the desk.
# Keep one record per review; the latest counts.

[[attestation]]
item = "legal.review.legal-team-reviewed"   # signed in the meeting
status = "done"
by = "Dana Cruz"
role = "legal-compliance"
date = 2026-11-02
evidence = "LEGAL-1142"
"#;

    #[test]
    fn errors_name_the_line() {
        let bad_role = FILE.replace("legal-compliance", "lawyer");
        let err = Attestations::parse(&bad_role, "a.toml").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("line 8"), "{text}");
        assert!(text.contains("unknown variant `lawyer`"), "{text}");

        let no_evidence = FILE.replace("evidence = \"LEGAL-1142\"\n", "");
        let err = Attestations::parse(&no_evidence, "a.toml").unwrap_err();
        assert_eq!(err.problems[0].line, Some(4), "{err}");
        assert!(err.to_string().contains("no `evidence`"), "{err}");

        let waived = FILE.replace("\"done\"", "\"waived\"");
        let err = Attestations::parse(&waived, "a.toml").unwrap_err();
        assert!(err.to_string().contains("no `justification`"), "{err}");

        let typo = FILE.replace("evidence =", "evidense =");
        let err = Attestations::parse(&typo, "a.toml").unwrap_err();
        assert!(
            err.to_string().contains("unknown field `evidense`"),
            "{err}"
        );
    }

    #[test]
    fn append_keeps_every_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("preflight/attestations.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, FILE).unwrap();
        let record = Attestation::new(
            "ops.docs.runbooks",
            AttestationStatus::Waived,
            "Sam \"the\" Ops",
            Role::DevopsLead,
            jiff::civil::date(2026, 11, 20),
        )
        .with_justification("runbook review\nnext sprint")
        .with_expires(jiff::civil::date(2026, 12, 31));
        Attestations::append(&path, &record).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(FILE), "{text}");
        let parsed = Attestations::parse(&text, &path).unwrap();
        assert_eq!(parsed.records().len(), 2);
        let back = &parsed.records()[1];
        assert_eq!(back.by, "Sam \"the\" Ops");
        assert_eq!(
            back.justification.as_deref(),
            Some("runbook review\nnext sprint")
        );
        assert_eq!(back.expires, jiff::civil::date(2026, 12, 31));
    }

    #[test]
    fn concurrent_appends_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signoffs.toml");
        std::thread::scope(|scope| {
            for i in 0..16 {
                let path = &path;
                scope.spawn(move || {
                    let record = SignoffRecord::new(
                        Role::TechLead,
                        format!("signer {i}"),
                        jiff::civil::date(2026, 11, 24),
                        "sha256:ab",
                    );
                    Signoffs::append(path, &record).unwrap();
                });
            }
        });
        let parsed = Signoffs::load(&path).unwrap();
        let mut names: Vec<String> = parsed.records().iter().map(|r| r.name.clone()).collect();
        names.sort();
        let mut expected: Vec<String> = (0..16).map(|i| format!("signer {i}")).collect();
        expected.sort();
        assert_eq!(names, expected);
    }

    #[test]
    fn latest_record_counts() {
        let two = format!(
            "{FILE}\n[[attestation]]\nitem = \"legal.review.legal-team-reviewed\"\nstatus = \"done\"\nby = \"Eve\"\nrole = \"legal-compliance\"\ndate = \"2026-10-01\"\nevidence = \"old\"\n"
        );
        let parsed = Attestations::parse(&two, "a.toml").unwrap();
        let current = parsed.current("legal.review.legal-team-reviewed").unwrap();
        let by_item = parsed.current_by_item();
        assert_eq!(by_item["legal.review.legal-team-reviewed"], current);
        assert_eq!(current.by, "Dana Cruz");
        assert!(!current.is_expired(jiff::civil::date(2027, 1, 31)));
        assert!(current.is_expired(jiff::civil::date(2027, 2, 1)));
    }
}
