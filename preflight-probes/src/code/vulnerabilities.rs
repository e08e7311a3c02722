//! Reports of vulnerability scanners, read into one [`VulnReport`] whatever
//! tool wrote them, and the item `code.review.security-vulnerabilities` that
//! judges them.
//!
//! The reports are named in `preflight.toml`; each one's format is detected
//! from its content, never from its extension:
//!
//! ```toml
//! [inputs.vulnerabilities]
//! paths = ["reports/bandit.json", "reports/*-audit.json"]   # globs
//!
//! [checks."code.review.security-vulnerabilities"]
//! fail_on = "high"          # critical | high | medium | low; "high" by default
//! unknown_is = "high"       # the severity assumed when the tool gives none
//! ignore = ["RUSTSEC-2020-0071", "B101"]   # accepted advisories (ID or alias)
//! ```
//!
//! | Tool | Command | Recognised by | Finding per | Severity from |
//! |------|---------|---------------|-------------|---------------|
//! | cargo-audit | `cargo audit --json` | `vulnerabilities.list` | advisory and crate | `advisory.cvss` (CVSS 3 vector, scored) |
//! | pip-audit | `pip-audit -f json` | `dependencies[]` | vulnerability and package | none (unknown) |
//! | Safety 2.x/3.x | `safety check --json` | `vulnerabilities[]` or `report_meta` | vulnerability | `severity.cvssv3` |
//! | Bandit | `bandit -f json -r <dir>` | `results[]` with `metrics` or `generated_at` | issue (file and line) | `issue_severity` |
//! | npm audit (npm 7+) | `npm audit --json` | `vulnerabilities.<name>` with `auditReportVersion` or `metadata` | advisory and package in `via[]` (an advisory listed once per affected range is one finding) | `via[].severity` |
//! | OSV-Scanner | `osv-scanner --format json` | `results[]` of `packages[]` | group of aliases (`groups[]`) | `groups[].max_severity` (a CVSS score) |
//!
//! Severities are `critical`, `high`, `medium` (npm's and OSV's `moderate`),
//! `low` (also `info`) or `unknown`. A finding *blocks* when its severity is
//! at or above `fail_on`; a finding of unknown severity is judged as if it
//! were `unknown_is` (by default `high`, so that a tool that grades nothing,
//! such as pip-audit, fails the item at the default threshold: an ungraded
//! advisory is not a harmless one). Setting `unknown_is = "low"` lets
//! ungraded findings through a `high` threshold. An advisory listed in
//! `ignore` (by its ID or any of its aliases) never blocks; `ignore` entries
//! that match nothing are simply unused.
//!
//! cargo-audit's `warnings` (unmaintained, unsound and yanked crates) and
//! Bandit's `errors` (files it could not parse) are kept as
//! [`VulnReport::warnings`], shown in the evidence, and never block.
//!
//! Every file matched by `paths` is an artifact of the outcome (sha256 and
//! modification time); a glob that matches no file is an error, so a missing
//! report never passes. A malformed report is a [`CheckError::Malformed`]
//! located `file:line:column` (`serde_json`'s position, or the position of the
//! faulty entry's key), never a panic and never a pass. Bandit's findings are
//! also attached as located [`Finding`]s, for SARIF.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use preflight_core::evidence::FindingLevel;
use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Finding, Input, InputSource,
    Outcome,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::globs::{read_matches, report_paths};

/// The blocking advisories listed in the evidence.
const ADVISORIES_SHOWN: usize = 50;
/// The longest title kept, in characters.
const TITLE_CHARS: usize = 200;

/// How serious a vulnerability is, from `unknown` (the tool did not say) up
/// to `critical`. Ordered: `Unknown < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The tool gave no severity.
    Unknown,
    /// Low (also npm's and GitHub's `info`).
    Low,
    /// Medium (npm's and GitHub's `moderate`).
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// The severity's name: `critical`, `high`, `medium`, `low` or `unknown`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The severity a tool's word for it means, in any case: `moderate` is
    /// medium, `info`, `informational`, `negligible` and `none` are low;
    /// anything else (`UNDEFINED`, empty) is unknown.
    #[must_use]
    pub fn from_word(word: &str) -> Severity {
        match word.trim().to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" => Severity::High,
            "medium" | "moderate" => Severity::Medium,
            "low" | "info" | "informational" | "negligible" | "none" => Severity::Low,
            _ => Severity::Unknown,
        }
    }

    /// The qualitative rating of a CVSS base score (CVSS 3.1 section 5):
    /// 9.0 and above critical, 7.0 high, 4.0 medium, below that low.
    #[must_use]
    pub fn from_score(score: f64) -> Severity {
        if !(0.0..=10.0).contains(&score) {
            Severity::Unknown
        } else if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else {
            Severity::Low
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The scanners whose reports this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "&'static str")]
#[non_exhaustive]
pub enum VulnTool {
    /// `cargo audit --json`.
    CargoAudit,
    /// `pip-audit -f json`.
    PipAudit,
    /// `safety check --json` (Safety 2.x and 3.x).
    Safety,
    /// `bandit -f json`.
    Bandit,
    /// `npm audit --json` (npm 7 and later).
    NpmAudit,
    /// `osv-scanner --format json`.
    OsvScanner,
}

impl VulnTool {
    /// The tool's name, as shown in evidence: `cargo-audit`, `pip-audit`,
    /// `safety`, `bandit`, `npm-audit` or `osv-scanner`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            VulnTool::CargoAudit => "cargo-audit",
            VulnTool::PipAudit => "pip-audit",
            VulnTool::Safety => "safety",
            VulnTool::Bandit => "bandit",
            VulnTool::NpmAudit => "npm-audit",
            VulnTool::OsvScanner => "osv-scanner",
        }
    }
}

impl From<VulnTool> for &'static str {
    fn from(tool: VulnTool) -> Self {
        tool.name()
    }
}

impl fmt::Display for VulnTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One vulnerability: an advisory affecting a package, or a Bandit issue in
/// a source file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Vulnerability {
    /// The advisory's ID (`RUSTSEC-2023-0001`, `GHSA-...`, `PYSEC-...`,
    /// `CVE-...`, Safety's number) or Bandit's test ID (`B105`).
    pub id: String,
    /// Other IDs of the same advisory (CVE, GHSA, ...).
    pub aliases: Vec<String>,
    /// The affected package; `None` for Bandit.
    pub package: Option<String>,
    /// The affected version, when the tool says.
    pub version: Option<String>,
    /// The source file (Bandit); `None` for dependency scanners.
    pub file: Option<String>,
    /// The 1-based line in `file`.
    pub line: Option<u64>,
    /// The 1-based column in `file`.
    pub column: Option<u64>,
    /// How serious it is.
    pub severity: Severity,
    /// One line describing it (Bandit's issue text, with hardcoded passwords masked).
    pub title: String,
    /// Versions that fix it, when the tool says.
    pub fix_versions: Vec<String>,
}

impl Vulnerability {
    fn new(id: String, severity: Severity, title: &str) -> Self {
        Vulnerability {
            id,
            aliases: Vec::new(),
            package: None,
            version: None,
            file: None,
            line: None,
            column: None,
            severity,
            title: clip(first_line(title), TITLE_CHARS),
            fix_versions: Vec::new(),
        }
    }

    /// Whether `id` is this vulnerability's ID or one of its aliases (ignoring case).
    #[must_use]
    pub fn is_known_as(&self, id: &str) -> bool {
        self.id.eq_ignore_ascii_case(id) || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    }

    /// What it affects: `package version`, `package`, `file:line` or `file`.
    #[must_use]
    pub fn subject(&self) -> String {
        match (&self.package, &self.version, &self.file, self.line) {
            (Some(p), Some(v), _, _) => format!("{p} {v}"),
            (Some(p), None, _, _) => p.clone(),
            (None, _, Some(f), Some(l)) => format!("{f}:{l}"),
            (None, _, Some(f), None) => f.clone(),
            (None, _, None, _) => String::new(),
        }
    }
}

/// A scanner's report: its findings, whichever tool wrote it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct VulnReport {
    /// The tool that wrote the report.
    pub tool: VulnTool,
    /// Every vulnerability reported, in the report's order.
    pub findings: Vec<Vulnerability>,
    /// What the tool reported besides vulnerabilities (cargo-audit's
    /// unmaintained, unsound and yanked crates; Bandit's unparsable files;
    /// pip-audit's skipped dependencies), one line each.
    pub warnings: Vec<String>,
}

/// Detects the tool that wrote a report from its content; `None` when it is
/// not JSON or none of the [`VulnTool`]s' formats.
#[must_use]
pub fn detect_tool(bytes: &[u8]) -> Option<VulnTool> {
    tool_of(&serde_json::from_slice(bytes).ok()?)
}

fn tool_of(value: &Value) -> Option<VulnTool> {
    if value.is_array() {
        return Some(VulnTool::Safety);
    }
    let object = value.as_object()?;
    let has = |key: &str| object.contains_key(key);
    match object.get("vulnerabilities") {
        Some(Value::Object(v)) if v.contains_key("list") || v.contains_key("found") => {
            return Some(VulnTool::CargoAudit);
        }
        Some(Value::Object(_)) if has("auditReportVersion") || has("metadata") => {
            return Some(VulnTool::NpmAudit);
        }
        Some(Value::Array(_)) => return Some(VulnTool::Safety),
        _ => {}
    }
    if has("report_meta") {
        Some(VulnTool::Safety)
    } else if has("dependencies") && object.get("dependencies").is_some_and(Value::is_array) {
        Some(VulnTool::PipAudit)
    } else if has("results") && (has("metrics") || has("generated_at")) {
        Some(VulnTool::Bandit)
    } else if has("results") {
        Some(VulnTool::OsvScanner)
    } else {
        None
    }
}

/// Parses a vulnerability report of any of the [`VulnTool`]s, detected from
/// its content. `shown` names the file in error locations.
///
/// ```
/// use preflight_probes::code::vulnerabilities::{Severity, VulnTool, parse_vulnerabilities};
///
/// let json = br#"{"dependencies": [
///   {"name": "requests", "version": "2.19.1", "vulns": [
///     {"id": "PYSEC-2018-28", "fix_versions": ["2.20.0"],
///      "aliases": ["CVE-2018-18074"], "description": "Leaks credentials on redirect"}]},
///   {"name": "idna", "version": "3.7", "vulns": []}
/// ], "fixes": []}"#;
/// let report = parse_vulnerabilities("pip-audit.json", json).unwrap();
/// assert_eq!(report.tool, VulnTool::PipAudit);
/// let found = &report.findings[0];
/// assert_eq!(found.id, "PYSEC-2018-28");
/// assert!(found.is_known_as("cve-2018-18074"));
/// assert_eq!(found.package.as_deref(), Some("requests"));
/// assert_eq!(found.fix_versions, ["2.20.0"]);
/// assert_eq!(found.severity, Severity::Unknown); // pip-audit grades nothing
///
/// let broken = parse_vulnerabilities("pip-audit.json", b"{\"dependencies\": [\n  {\"name\": ");
/// assert!(broken.unwrap_err().to_string().starts_with("pip-audit.json:2:"));
/// ```
pub fn parse_vulnerabilities(shown: &str, bytes: &[u8]) -> Result<VulnReport, CheckError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| CheckError::Malformed {
        location: format!("{shown}:{}:{}", e.line(), e.column().max(1)),
        message: format!("invalid JSON: {e}"),
    })?;
    let doc = Doc { shown, bytes };
    let Some(tool) = tool_of(&value) else {
        return Err(doc.at(
            0,
            "not a vulnerability report: expected the JSON of cargo-audit, pip-audit, Safety, Bandit, npm audit (npm 7+) or OSV-Scanner",
        ));
    };
    let (findings, warnings) = match tool {
        VulnTool::CargoAudit => cargo_audit(&doc, &value)?,
        VulnTool::PipAudit => pip_audit(&doc, &value)?,
        VulnTool::Safety => safety(&doc, &value)?,
        VulnTool::Bandit => bandit(&doc, &value)?,
        VulnTool::NpmAudit => npm_audit(&doc, &value)?,
        VulnTool::OsvScanner => osv_scanner(&doc, &value)?,
    };
    Ok(VulnReport {
        tool,
        findings,
        warnings,
    })
}

type Parsed = (Vec<Vulnerability>, Vec<String>);

/// A report being read: its bytes, for errors located at a key.
struct Doc<'a> {
    shown: &'a str,
    bytes: &'a [u8],
}

impl Doc<'_> {
    /// A malformed-report error at byte offset `pos`, located `file:line:column`.
    fn at(&self, pos: usize, message: impl Into<String>) -> CheckError {
        let pos = pos.min(self.bytes.len());
        let before = &self.bytes[..pos];
        let line = before.split(|b| *b == b'\n').count();
        let column = pos
            - before
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        CheckError::Malformed {
            location: format!("{}:{line}:{column}", self.shown),
            message: message.into(),
        }
    }

    /// An error located at the first occurrence of `key` (quoted) in the report.
    fn error_at(&self, key: &str, message: impl Into<String>) -> CheckError {
        let needle = serde_json::to_string(key).unwrap_or_default();
        let pos = self
            .bytes
            .windows(needle.len().max(1))
            .position(|w| w == needle.as_bytes())
            .unwrap_or(0);
        self.at(pos, message)
    }

    /// The array at `key` of `value`; an empty one when absent and not `required`.
    fn array<'v>(
        &self,
        value: &'v Value,
        key: &str,
        required: bool,
    ) -> Result<&'v [Value], CheckError> {
        match value.get(key) {
            Some(Value::Array(items)) => Ok(items),
            None | Some(Value::Null) if !required => Ok(&[]),
            None => Err(self.error_at(key, format!("`{key}` is missing"))),
            Some(other) => Err(self.error_at(
                key,
                format!("`{key}`: expected an array, found {}", kind(other)),
            )),
        }
    }

    /// The string at `key` of `entry` (an entry of `what`), which must be there.
    fn string(&self, entry: &Value, key: &str, what: &str) -> Result<String, CheckError> {
        match entry.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            _ => Err(self.error_at(
                key,
                format!("{what}: `{key}` is missing or not a non-empty string"),
            )),
        }
    }

    /// `value` as an object, or an error naming `what`.
    fn object<'v>(
        &self,
        value: &'v Value,
        near: &str,
        what: &str,
    ) -> Result<&'v serde_json::Map<String, Value>, CheckError> {
        value.as_object().ok_or_else(|| {
            self.error_at(
                near,
                format!("{what}: expected an object, found {}", kind(value)),
            )
        })
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The string at `key`, if it is a non-empty string.
fn text(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The strings of the array at `key` (other values skipped).
fn texts(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn first_line(text: &str) -> &str {
    text.trim().lines().next().unwrap_or("").trim()
}

/// `text` cut to `chars` characters, marked with `...` when cut.
fn clip(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

/// The CVSS 3.0/3.1 base score of a vector such as
/// `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H` (CVSS 3.1 specification,
/// section 7.1); `None` for other versions or an incomplete vector.
#[must_use]
pub fn cvss3_base_score(vector: &str) -> Option<f64> {
    let mut parts = vector.trim().split('/');
    if !matches!(parts.next()?, "CVSS:3.0" | "CVSS:3.1") {
        return None;
    }
    let metrics: BTreeMap<&str, &str> = parts.filter_map(|p| p.split_once(':')).collect();
    let metric = |key: &str| metrics.get(key).copied();
    let changed = match metric("S")? {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let cia = |key: &str| match metric(key) {
        Some("H") => Some(0.56),
        Some("L") => Some(0.22),
        Some("N") => Some(0.0),
        _ => None,
    };
    let av = match metric("AV")? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match metric("AC")? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (metric("PR")?, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match metric("UI")? {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let iss = 1.0 - (1.0 - cia("C")?) * (1.0 - cia("I")?) * (1.0 - cia("A")?);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02_f64).powi(15)
    } else {
        6.42 * iss
    };
    if impact <= 0.0 {
        return Some(0.0);
    }
    let exploitability = 8.22 * av * ac * pr * ui;
    let raw = if changed {
        1.08 * (impact + exploitability)
    } else {
        impact + exploitability
    };
    Some(round_up(raw.min(10.0)))
}

/// CVSS 3.1's `Roundup`: the smallest number with one decimal at or above
/// `x`, computed on integers so that 4.000000001 rounds to 4.1 and 4.0 stays.
// Scores lie in 0..=10, so the integer is at most 1_000_000: exact in f64.
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
fn round_up(x: f64) -> f64 {
    let int = (x * 100_000.0).round() as i64;
    if int % 10_000 == 0 {
        int as f64 / 100_000.0
    } else {
        (int / 10_000 + 1) as f64 / 10.0
    }
}

// ---------------------------------------------------------------- cargo-audit

fn cargo_audit(doc: &Doc<'_>, root: &Value) -> Result<Parsed, CheckError> {
    let vulnerabilities = &root["vulnerabilities"];
    let mut findings = Vec::new();
    for entry in doc.array(vulnerabilities, "list", false)? {
        let advisory = entry.get("advisory").unwrap_or(&Value::Null);
        doc.object(advisory, "advisory", "cargo-audit `vulnerabilities.list[]`")?;
        let package = entry.get("package").unwrap_or(&Value::Null);
        doc.object(package, "package", "cargo-audit `vulnerabilities.list[]`")?;
        let id = doc.string(advisory, "id", "cargo-audit advisory")?;
        let severity = text(advisory, "cvss")
            .and_then(|v| cvss3_base_score(&v))
            .map_or(Severity::Unknown, Severity::from_score);
        let mut found =
            Vulnerability::new(id, severity, &text(advisory, "title").unwrap_or_default());
        found.aliases = texts(advisory, "aliases");
        found.package = Some(doc.string(package, "name", "cargo-audit package")?);
        found.version = text(package, "version");
        found.fix_versions = entry
            .get("versions")
            .map(|v| texts(v, "patched"))
            .unwrap_or_default();
        findings.push(found);
    }
    if let Some(declared) = vulnerabilities.get("count").and_then(Value::as_u64)
        && declared != findings.len() as u64
    {
        return Err(doc.error_at(
            "count",
            format!(
                "`vulnerabilities.count` is {declared} but `vulnerabilities.list` holds {} entries",
                findings.len()
            ),
        ));
    }
    let mut warnings = Vec::new();
    if let Some(groups) = root.get("warnings").and_then(Value::as_object) {
        for (kind, list) in groups {
            for warning in list.as_array().map(Vec::as_slice).unwrap_or_default() {
                let crate_name = warning
                    .get("package")
                    .map(|p| {
                        format!(
                            "{} {}",
                            text(p, "name").unwrap_or_default(),
                            text(p, "version").unwrap_or_default()
                        )
                    })
                    .unwrap_or_default();
                let advisory = warning
                    .get("advisory")
                    .and_then(|a| text(a, "id"))
                    .map(|id| format!(" ({id})"))
                    .unwrap_or_default();
                warnings.push(format!("{kind}: {}{advisory}", crate_name.trim()));
            }
        }
    }
    Ok((findings, warnings))
}

// ---------------------------------------------------------------- pip-audit

fn pip_audit(doc: &Doc<'_>, root: &Value) -> Result<Parsed, CheckError> {
    let mut findings = Vec::new();
    let mut warnings = Vec::new();
    for dependency in doc.array(root, "dependencies", true)? {
        doc.object(dependency, "dependencies", "pip-audit `dependencies[]`")?;
        let name = doc.string(dependency, "name", "pip-audit dependency")?;
        if let Some(reason) = text(dependency, "skip_reason") {
            warnings.push(format!("{name} skipped: {reason}"));
            continue;
        }
        let version = text(dependency, "version");
        for vuln in doc.array(dependency, "vulns", false)? {
            doc.object(vuln, "vulns", "pip-audit `vulns[]`")?;
            let id = doc.string(vuln, "id", "pip-audit vulnerability")?;
            let mut found = Vulnerability::new(
                id,
                Severity::Unknown,
                &text(vuln, "description").unwrap_or_default(),
            );
            found.aliases = texts(vuln, "aliases");
            found.package = Some(name.clone());
            found.version.clone_from(&version);
            found.fix_versions = texts(vuln, "fix_versions");
            findings.push(found);
        }
    }
    Ok((findings, warnings))
}

// ---------------------------------------------------------------- Safety

/// The severity of a Safety vulnerability: `severity.cvssv3` (its
/// `base_severity`, else its `base_score`), then `severity.cvssv2`.
fn safety_severity(severity: &Value) -> Severity {
    for key in ["cvssv3", "cvssv2"] {
        let Some(cvss) = severity.get(key) else {
            continue;
        };
        let graded =
            text(cvss, "base_severity").map_or(Severity::Unknown, |w| Severity::from_word(&w));
        if graded != Severity::Unknown {
            return graded;
        }
        if let Some(score) = cvss.get("base_score").and_then(Value::as_f64) {
            return Severity::from_score(score);
        }
    }
    Severity::Unknown
}

fn safety(doc: &Doc<'_>, root: &Value) -> Result<Parsed, CheckError> {
    let mut findings = Vec::new();
    if let Value::Array(rows) = root {
        // Safety 1.x: `[[name, spec, version, advisory, id, cve, more_info], ...]`.
        for row in rows {
            let cells = row.as_array().filter(|c| c.len() >= 5).ok_or_else(|| {
                doc.at(0, "Safety 1.x report: expected rows of at least 5 values (name, spec, version, advisory, id)")
            })?;
            let cell = |i: usize| cells.get(i).and_then(Value::as_str).map(str::to_owned);
            let id = cell(4).or_else(|| cells[4].as_u64().map(|n| n.to_string()));
            let (Some(name), Some(id)) = (cell(0), id) else {
                return Err(doc.at(0, "Safety 1.x report: a row without package name or ID"));
            };
            let mut found = Vulnerability::new(id, Severity::Unknown, &cell(3).unwrap_or_default());
            found.package = Some(name);
            found.version = cell(2);
            found.aliases = cell(5).into_iter().filter(|c| !c.is_empty()).collect();
            findings.push(found);
        }
        return Ok((findings, Vec::new()));
    }
    for entry in doc.array(root, "vulnerabilities", false)? {
        doc.object(entry, "vulnerabilities", "Safety `vulnerabilities[]`")?;
        let id = doc.string(entry, "vulnerability_id", "Safety vulnerability")?;
        let severity = entry
            .get("severity")
            .map_or(Severity::Unknown, safety_severity);
        let mut found =
            Vulnerability::new(id, severity, &text(entry, "advisory").unwrap_or_default());
        found.aliases = text(entry, "CVE").into_iter().collect();
        found.package = Some(doc.string(entry, "package_name", "Safety vulnerability")?);
        found.version = text(entry, "analyzed_version");
        found.fix_versions = texts(entry, "fixed_versions");
        findings.push(found);
    }
    Ok((findings, Vec::new()))
}

// ---------------------------------------------------------------- Bandit

/// Bandit's issue text, with the string of its hardcoded-password tests
/// (B105, B106, B107: "Possible hardcoded password: 'the password'") masked,
/// so that the evidence never repeats a credential.
fn bandit_title(test_id: &str, issue: &str) -> String {
    if matches!(test_id, "B105" | "B106" | "B107")
        && let Some((head, _)) = issue.split_once(": ")
    {
        return format!("{head}: '***'");
    }
    issue.to_owned()
}

fn bandit(doc: &Doc<'_>, root: &Value) -> Result<Parsed, CheckError> {
    let mut findings = Vec::new();
    for result in doc.array(root, "results", true)? {
        doc.object(result, "results", "Bandit `results[]`")?;
        let id = doc.string(result, "test_id", "Bandit result")?;
        let file = doc.string(result, "filename", "Bandit result")?;
        let line = result
            .get("line_number")
            .and_then(Value::as_u64)
            .ok_or_else(|| {
                doc.error_at(
                    "line_number",
                    "Bandit result: `line_number` is missing or not a whole number",
                )
            })?;
        let severity = Severity::from_word(&text(result, "issue_severity").unwrap_or_default());
        let issue = text(result, "issue_text").unwrap_or_default();
        let title = bandit_title(&id, &issue);
        let name = text(result, "test_name");
        let mut found = Vulnerability::new(id, severity, &title);
        found.aliases = name.into_iter().collect();
        if let Some(cwe) = result
            .get("issue_cwe")
            .and_then(|c| c.get("id"))
            .and_then(Value::as_u64)
        {
            found.aliases.push(format!("CWE-{cwe}"));
        }
        found.file = Some(file.strip_prefix("./").unwrap_or(&file).to_owned());
        found.line = Some(line);
        // Bandit's `col_offset` is 0-based.
        found.column = result
            .get("col_offset")
            .and_then(Value::as_u64)
            .map(|c| c + 1);
        findings.push(found);
    }
    let warnings = doc
        .array(root, "errors", false)?
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                text(e, "filename").unwrap_or_default(),
                text(e, "reason").unwrap_or_default()
            )
        })
        .collect();
    Ok((findings, warnings))
}

// ---------------------------------------------------------------- npm audit

/// The advisory ID of an npm `via[]` entry: the GHSA of its `url`, else its `source` number.
fn npm_id(via: &Value) -> Option<String> {
    if let Some(url) = via.get("url").and_then(Value::as_str) {
        let last = url.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if !last.is_empty() && !last.contains(':') {
            return Some(last.to_owned());
        }
    }
    match via.get("source")? {
        Value::Number(n) => Some(format!("npm-{n}")),
        Value::String(s) if !s.is_empty() => Some(format!("npm-{s}")),
        _ => None,
    }
}

fn npm_audit(doc: &Doc<'_>, root: &Value) -> Result<Parsed, CheckError> {
    let packages = doc.object(
        &root["vulnerabilities"],
        "vulnerabilities",
        "npm audit `vulnerabilities`",
    )?;
    // Each finding with the affected ranges listed for it.
    let mut findings: Vec<(Vulnerability, Vec<String>)> = Vec::new();
    for (name, entry) in packages {
        doc.object(entry, name, "npm audit package")?;
        let fix = match entry.get("fixAvailable") {
            Some(Value::Object(fix)) if fix.get("name").and_then(Value::as_str) == Some(name) => {
                fix.get("version")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            }
            _ => None,
        };
        for via in doc.array(entry, "via", true)? {
            // A string names another vulnerable package this one depends on:
            // that package has its own entry.
            if via.is_string() {
                continue;
            }
            doc.object(via, "via", "npm audit `via[]`")?;
            let id = npm_id(via).ok_or_else(|| {
                doc.error_at(
                    "via",
                    format!("npm audit `{name}`: an advisory without `url` or `source`"),
                )
            })?;
            let severity = Severity::from_word(
                &text(via, "severity")
                    .or_else(|| text(entry, "severity"))
                    .unwrap_or_default(),
            );
            let package = text(via, "name").unwrap_or_else(|| name.clone());
            let range = text(via, "range");
            // The registry lists an advisory with several affected ranges
            // once per range: one finding, its ranges joined.
            if let Some((same, ranges)) = findings
                .iter_mut()
                .find(|(f, _)| f.id == id && f.package.as_ref() == Some(&package))
            {
                ranges.extend(range);
                same.severity = same.severity.max(severity);
                continue;
            }
            let mut found =
                Vulnerability::new(id, severity, &text(via, "title").unwrap_or_default());
            found.package = Some(package);
            found.fix_versions = fix.iter().cloned().collect();
            findings.push((found, range.into_iter().collect()));
        }
    }
    let findings: Vec<Vulnerability> = findings
        .into_iter()
        .map(|(mut found, ranges)| {
            if !ranges.is_empty() {
                found.version = Some(format!("{} (affected range)", ranges.join(" || ")));
            }
            found
        })
        .collect();
    if let Some(total) = root
        .get("metadata")
        .and_then(|m| m.get("vulnerabilities"))
        .and_then(|v| v.get("total"))
        .and_then(Value::as_u64)
        && total != packages.len() as u64
    {
        return Err(doc.error_at(
            "total",
            format!(
                "`metadata.vulnerabilities.total` is {total} but `vulnerabilities` names {} packages",
                packages.len()
            ),
        ));
    }
    Ok((findings, Vec::new()))
}

// ---------------------------------------------------------------- OSV-Scanner

/// The severity of an OSV record: `database_specific.severity`, else its
/// CVSS 3 vector in `severity[]`.
fn osv_severity(vuln: &Value) -> Severity {
    let word = vuln
        .get("database_specific")
        .and_then(|d| text(d, "severity"))
        .map_or(Severity::Unknown, |w| Severity::from_word(&w));
    if word != Severity::Unknown {
        return word;
    }
    vuln.get("severity")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| text(s, "score"))
        .filter_map(|v| cvss3_base_score(&v))
        .map(Severity::from_score)
        .max()
        .unwrap_or(Severity::Unknown)
}

/// The versions that fix `vuln` for the package `name`: the `fixed` events of its ranges.
fn osv_fixes(vuln: &Value, name: &str, into: &mut Vec<String>) {
    for affected in vuln
        .get("affected")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let package = affected.get("package").and_then(|p| text(p, "name"));
        if package.is_some_and(|p| p != name) {
            continue;
        }
        for range in affected
            .get("ranges")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for event in range
                .get("events")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(fixed) = text(event, "fixed")
                    && !into.contains(&fixed)
                {
                    into.push(fixed);
                }
            }
        }
    }
}

fn osv_scanner(doc: &Doc<'_>, root: &Value) -> Result<Parsed, CheckError> {
    let mut findings = Vec::new();
    for result in doc.array(root, "results", true)? {
        doc.object(result, "results", "OSV-Scanner `results[]`")?;
        for entry in doc.array(result, "packages", false)? {
            let package = entry.get("package").unwrap_or(&Value::Null);
            doc.object(package, "package", "OSV-Scanner `packages[]`")?;
            let name = doc.string(package, "name", "OSV-Scanner package")?;
            let version = text(package, "version");
            let vulns = doc.array(entry, "vulnerabilities", false)?;
            let mut records: Vec<(String, &Value)> = Vec::with_capacity(vulns.len());
            for vuln in vulns {
                doc.object(vuln, "vulnerabilities", "OSV-Scanner `vulnerabilities[]`")?;
                records.push((doc.string(vuln, "id", "OSV record")?, vuln));
            }
            // Each group is one vulnerability known under several IDs; without
            // groups, each record is its own.
            let mut groups: Vec<(Vec<String>, Vec<String>, Option<Severity>)> = Vec::new();
            for group in doc.array(entry, "groups", false)? {
                let ids = texts(group, "ids");
                if ids.is_empty() {
                    return Err(
                        doc.error_at("groups", "OSV-Scanner group: `ids` is missing or empty")
                    );
                }
                let max = match group.get("max_severity") {
                    Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
                    Some(Value::Number(n)) => n.as_f64(),
                    _ => None,
                }
                .map(Severity::from_score);
                groups.push((ids, texts(group, "aliases"), max));
            }
            for (id, _) in &records {
                if !groups.iter().any(|(ids, _, _)| ids.contains(id)) {
                    groups.push((vec![id.clone()], Vec::new(), None));
                }
            }
            for (ids, aliases, max) in groups {
                let members: Vec<&Value> = records
                    .iter()
                    .filter(|(id, _)| ids.contains(id))
                    .map(|(_, v)| *v)
                    .collect();
                let severity = max.filter(|s| *s != Severity::Unknown).unwrap_or_else(|| {
                    members
                        .iter()
                        .map(|v| osv_severity(v))
                        .max()
                        .unwrap_or(Severity::Unknown)
                });
                let title = members
                    .iter()
                    .find_map(|v| text(v, "summary").or_else(|| text(v, "details")))
                    .unwrap_or_default();
                let mut found = Vulnerability::new(ids[0].clone(), severity, &title);
                let mut others: BTreeSet<String> = ids[1..].iter().cloned().collect();
                others.extend(aliases);
                for member in &members {
                    others.extend(texts(member, "aliases"));
                }
                others.remove(&found.id);
                found.aliases = others.into_iter().collect();
                found.package = Some(name.clone());
                found.version.clone_from(&version);
                for member in &members {
                    osv_fixes(member, &name, &mut found.fix_versions);
                }
                findings.push(found);
            }
        }
    }
    Ok((findings, Vec::new()))
}

// ---------------------------------------------------------------- the input

/// The reports named by `[inputs.vulnerabilities] paths`, parsed once per run.
#[derive(Debug)]
#[non_exhaustive]
pub struct VulnerabilityReports {
    /// Each file read, with its report, sorted by path.
    pub files: Vec<(Artifact, VulnReport)>,
}

impl Input for VulnerabilityReports {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let paths = report_paths(source, &[], "vulnerability reports")?;
        let mut out = Vec::new();
        for file in read_matches(source, &paths, "run the scanner first")? {
            let report = parse_vulnerabilities(&file.shown, &file.bytes)?;
            out.push((file.artifact(), report));
        }
        Ok(VulnerabilityReports { files: out })
    }
}

// ---------------------------------------------------------------- the item

/// One blocking advisory, as listed in the evidence.
#[derive(Debug, Clone, Serialize)]
struct Advisory {
    id: String,
    tool: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    severity: Severity,
    title: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fix_versions: Vec<String>,
}

impl Advisory {
    fn of(tool: VulnTool, found: &Vulnerability) -> Self {
        Advisory {
            id: found.id.clone(),
            tool: tool.name(),
            package: found.package.clone(),
            version: found.version.clone(),
            file: found.file.clone(),
            line: found.line,
            severity: found.severity,
            title: found.title.clone(),
            fix_versions: found.fix_versions.clone(),
        }
    }
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "{findings} findings, {blocking} at or above {fail_on}, {ignored} ignored, in {reports} reports"
)]
struct VulnEvidence {
    findings: u64,
    blocking: u64,
    ignored: u64,
    fail_on: Severity,
    unknown_is: Severity,
    reports: usize,
    by_severity: BTreeMap<Severity, u64>,
    by_tool: BTreeMap<&'static str, u64>,
    /// The first blocking advisories.
    advisories: Vec<Advisory>,
    /// What the tools reported besides vulnerabilities, first 50.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
    files: Vec<String>,
}

/// No vulnerability at or above `fail_on` in the reports of
/// `[inputs.vulnerabilities]` (cargo-audit, pip-audit, Safety, Bandit, npm
/// audit, OSV-Scanner; see the [module documentation](self)).
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "code.review.security-vulnerabilities",
    title = "No security vulnerabilities found (Safety, Bandit)",
    group = "Code Review",
    severity = "critical",
    owner = "security-lead",
    evidence_ttl = "7d",
    inputs = ["vulnerabilities"],
    remediation = "upgrade each package listed in `advisories` to a fixed version (or fix the code Bandit points at), rerun the scanners; accept a reviewed advisory with `ignore`"
)]
pub struct SecurityVulnerabilities {
    /// The lowest severity that fails the item: `critical`, `high`, `medium` or `low`.
    pub fail_on: Severity,
    /// The severity assumed for findings the tool does not grade.
    pub unknown_is: Severity,
    /// Advisory IDs (or aliases, or Bandit test IDs) accepted after review.
    pub ignore: Vec<String>,
}

impl Default for SecurityVulnerabilities {
    fn default() -> Self {
        SecurityVulnerabilities {
            fail_on: Severity::High,
            unknown_is: Severity::High,
            ignore: Vec::new(),
        }
    }
}

impl SecurityVulnerabilities {
    /// Whether `found` blocks: not ignored, and at or above `fail_on` (unknown
    /// severities judged as `unknown_is`).
    #[must_use]
    pub fn is_blocking(&self, found: &Vulnerability) -> bool {
        let severity = if found.severity == Severity::Unknown {
            self.unknown_is
        } else {
            found.severity
        };
        severity >= self.fail_on && !self.is_ignored(found)
    }

    fn is_ignored(&self, found: &Vulnerability) -> bool {
        self.ignore.iter().any(|id| found.is_known_as(id))
    }
}

fn finding_level(severity: Severity) -> FindingLevel {
    match severity {
        Severity::Critical | Severity::High => FindingLevel::Error,
        Severity::Medium => FindingLevel::Warning,
        Severity::Low | Severity::Unknown => FindingLevel::Note,
    }
}

impl Check for SecurityVulnerabilities {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        for (key, value) in [("fail_on", self.fail_on), ("unknown_is", self.unknown_is)] {
            if value == Severity::Unknown {
                return Err(CheckError::msg(format!(
                    "item `code.review.security-vulnerabilities`: `{key}` is `unknown`, expected `critical`, `high`, `medium` or `low`"
                )));
            }
        }
        let reports = cx.input::<VulnerabilityReports>("vulnerabilities")?;
        let mut by_severity = BTreeMap::new();
        let mut by_tool = BTreeMap::new();
        let mut blocking = Vec::new();
        let mut findings = 0u64;
        let mut ignored = 0u64;
        let mut located = Vec::new();
        let mut warnings = Vec::new();
        for (artifact, report) in &reports.files {
            *by_tool.entry(report.tool.name()).or_insert(0) += report.findings.len() as u64;
            warnings.extend(
                report
                    .warnings
                    .iter()
                    .map(|w| format!("{}: {w}", artifact.path)),
            );
            for found in &report.findings {
                findings += 1;
                *by_severity.entry(found.severity).or_insert(0u64) += 1;
                if self.is_ignored(found) {
                    ignored += 1;
                    continue;
                }
                if let (Some(file), Some(line)) = (&found.file, found.line) {
                    located.push(Finding {
                        rule: found.id.clone(),
                        message: found.title.clone(),
                        level: finding_level(found.severity),
                        file: file.clone(),
                        line: u32::try_from(line).unwrap_or(u32::MAX),
                        column: u32::try_from(found.column.unwrap_or(1)).unwrap_or(u32::MAX),
                    });
                }
                if self.is_blocking(found) {
                    blocking.push((report.tool, found));
                }
            }
        }
        blocking.sort_by_key(|(_, f)| std::cmp::Reverse(f.severity));
        let files: Vec<String> = reports.files.iter().map(|(a, _)| a.path.clone()).collect();
        let outcome = if blocking.is_empty() {
            Outcome::pass(format!(
                "{findings} findings in {} reports, none at or above `{}` ({ignored} ignored)",
                files.len(),
                self.fail_on
            ))
        } else {
            let shown: Vec<String> = blocking
                .iter()
                .take(5)
                .map(|(_, f)| format!("{} {} ({})", f.id, f.subject(), f.severity))
                .collect();
            let more = blocking.len() - shown.len();
            Outcome::fail(format!(
                "{} findings at or above `{}`: {}{}",
                blocking.len(),
                self.fail_on,
                shown.join("; "),
                if more > 0 {
                    format!("; and {more} more")
                } else {
                    String::new()
                }
            ))
        };
        let evidence = VulnEvidence {
            findings,
            blocking: blocking.len() as u64,
            ignored,
            fail_on: self.fail_on,
            unknown_is: self.unknown_is,
            reports: files.len(),
            by_severity,
            by_tool,
            advisories: blocking
                .iter()
                .take(ADVISORIES_SHOWN)
                .map(|(tool, f)| Advisory::of(*tool, f))
                .collect(),
            warnings: warnings.into_iter().take(ADVISORIES_SHOWN).collect(),
            files,
        };
        let mut outcome = outcome.with_evidence(&evidence).with_findings(located);
        for (artifact, _) in &reports.files {
            outcome = outcome.with_artifact(artifact.clone());
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARGO_AUDIT: &str = r#"{"database":{"advisory-count":1},"lockfile":{"dependency-count":3},
 "vulnerabilities":{"found":true,"count":1,"list":[{"advisory":{"id":"RUSTSEC-2021-0124","title":"Data race in oneshot","aliases":["CVE-2021-45710"],"cvss":"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"},
 "versions":{"patched":[">=1.13.1"]},"package":{"name":"tokio","version":"1.13.0"}}]},
 "warnings":{"unmaintained":[{"kind":"unmaintained","package":{"name":"ansi_term","version":"0.12.1"},"advisory":{"id":"RUSTSEC-2021-0139"}}]}}"#;

    const PIP_AUDIT: &str = r#"{"dependencies":[{"name":"requests","version":"2.19.1","vulns":[{"id":"PYSEC-2018-28","fix_versions":["2.20.0"],"aliases":["CVE-2018-18074"],"description":"Leaks credentials"}]},{"name":"x","skip_reason":"not on PyPI"}],"fixes":[]}"#;

    const SAFETY: &str = r#"{"report_meta":{"safety_version":"2.3.5"},"vulnerabilities":[
 {"vulnerability_id":"37065","package_name":"jinja2","analyzed_version":"2.10","advisory":"SSTI","CVE":"CVE-2019-10906","fixed_versions":["2.10.1"],
  "severity":{"cvssv3":{"base_score":8.6,"base_severity":"HIGH"}}},
 {"vulnerability_id":"38100","package_name":"pyyaml","analyzed_version":"5.3","advisory":"code execution","CVE":"CVE-2020-1747","severity":null}]}"#;

    const BANDIT: &str = r#"{"errors":[],"generated_at":"2026-11-24T06:00:00Z","metrics":{},"results":[
 {"col_offset":11,"filename":"./app/db.py","issue_confidence":"MEDIUM","issue_cwe":{"id":259},"issue_severity":"LOW","issue_text":"Possible hardcoded password: 'pw'","line_number":2,"test_id":"B105","test_name":"hardcoded_password_string"},
 {"col_offset":0,"filename":"./app/run.py","issue_confidence":"HIGH","issue_severity":"HIGH","issue_text":"subprocess call with shell=True identified","line_number":5,"test_id":"B602","test_name":"subprocess_popen_with_shell_equals_true"}]}"#;

    const NPM: &str = r#"{"auditReportVersion":2,"vulnerabilities":{
 "minimist":{"name":"minimist","severity":"critical","via":[{"source":1096464,"name":"minimist","title":"Prototype Pollution","url":"https://github.com/advisories/GHSA-xvch-5gv4-984h","severity":"critical","range":"<1.2.6"}],"fixAvailable":true},
 "mkdirp":{"name":"mkdirp","severity":"critical","via":["minimist"],"fixAvailable":{"name":"mkdirp","version":"0.5.6"}}},
 "metadata":{"vulnerabilities":{"info":0,"low":0,"moderate":0,"high":0,"critical":2,"total":2}}}"#;

    const OSV: &str = r#"{"results":[{"source":{"path":"Cargo.lock","type":"lockfile"},"packages":[{"package":{"name":"time","version":"0.1.45","ecosystem":"crates.io"},
 "vulnerabilities":[{"id":"GHSA-wcg3-cvx6-7396","aliases":["CVE-2020-26235"],"summary":"Segfault in time","affected":[{"package":{"name":"time"},"ranges":[{"events":[{"introduced":"0"},{"fixed":"0.2.23"}]}]}],"database_specific":{"severity":"MODERATE"}},
  {"id":"RUSTSEC-2020-0071","aliases":["CVE-2020-26235"],"summary":"Potential segfault"},
  {"id":"RUSTSEC-2099-0001","summary":"Ungrouped","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}],
 "groups":[{"ids":["GHSA-wcg3-cvx6-7396","RUSTSEC-2020-0071"],"aliases":["CVE-2020-26235"],"max_severity":"6.2"}]}]}]}"#;

    const ALL: [&str; 6] = [CARGO_AUDIT, PIP_AUDIT, SAFETY, BANDIT, NPM, OSV];

    fn location(error: &CheckError) -> &str {
        match error {
            CheckError::Malformed { location, .. } => location,
            other => panic!("expected a malformed-report error, got {other:?}"),
        }
    }

    fn parse(text: &str) -> VulnReport {
        parse_vulnerabilities("r.json", text.as_bytes()).unwrap()
    }

    #[test]
    fn each_tool_is_detected() {
        let tools: Vec<Option<VulnTool>> = ALL.iter().map(|t| detect_tool(t.as_bytes())).collect();
        assert_eq!(
            tools,
            [
                VulnTool::CargoAudit,
                VulnTool::PipAudit,
                VulnTool::Safety,
                VulnTool::Bandit,
                VulnTool::NpmAudit,
                VulnTool::OsvScanner
            ]
            .map(Some)
        );
        assert_eq!(detect_tool(b"{\"a\": 1}"), None);
        assert_eq!(detect_tool(b"not json"), None);
    }

    #[test]
    fn cargo_audit_scores_cvss_and_keeps_warnings() {
        let report = parse(CARGO_AUDIT);
        let found = &report.findings[0];
        assert_eq!(found.id, "RUSTSEC-2021-0124");
        assert_eq!(found.aliases, ["CVE-2021-45710"]);
        assert_eq!(found.subject(), "tokio 1.13.0");
        assert_eq!(found.severity, Severity::High);
        assert_eq!(found.fix_versions, [">=1.13.1"]);
        assert_eq!(
            report.warnings,
            ["unmaintained: ansi_term 0.12.1 (RUSTSEC-2021-0139)"]
        );
        let wrong = CARGO_AUDIT.replace("\"count\":1", "\"count\":2");
        let error = parse_vulnerabilities("r.json", wrong.as_bytes()).unwrap_err();
        assert_eq!(location(&error), "r.json:2:34", "{error}");
    }

    #[test]
    fn cvss_scores_match_the_specification() {
        for (vector, score) in [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N", 8.6),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3),
            ("CVSS:3.1/AV:L/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:H", 4.7),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
        ] {
            assert_eq!(cvss3_base_score(vector), Some(score), "{vector}");
        }
        assert_eq!(cvss3_base_score("CVSS:2.0/AV:N"), None);
        assert_eq!(cvss3_base_score("CVSS:3.1/AV:N/AC:L"), None);
        assert_eq!(Severity::from_score(6.9), Severity::Medium);
        assert_eq!(Severity::from_score(f64::NAN), Severity::Unknown);
    }

    #[test]
    fn pip_audit_has_no_severity_and_skips_are_warnings() {
        let report = parse(PIP_AUDIT);
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].severity, Severity::Unknown);
        assert_eq!(report.warnings, ["x skipped: not on PyPI"]);
    }

    #[test]
    fn safety_reads_cvss3_and_null_severities() {
        let report = parse(SAFETY);
        let got: Vec<(&str, Severity, &str)> = report
            .findings
            .iter()
            .map(|f| (f.id.as_str(), f.severity, f.aliases[0].as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("37065", Severity::High, "CVE-2019-10906"),
                ("38100", Severity::Unknown, "CVE-2020-1747")
            ]
        );
        let old = r#"[["jinja2","<2.10.1","2.10","SSTI","37065","CVE-2019-10906"]]"#;
        let report = parse(old);
        assert_eq!(report.tool, VulnTool::Safety);
        assert_eq!(report.findings[0].subject(), "jinja2 2.10");
    }

    #[test]
    fn bandit_findings_are_located_and_passwords_masked() {
        let report = parse(BANDIT);
        let first = &report.findings[0];
        assert_eq!(first.id, "B105");
        assert_eq!(first.file.as_deref(), Some("app/db.py"));
        assert_eq!((first.line, first.column), (Some(2), Some(12)));
        assert_eq!(first.severity, Severity::Low);
        assert_eq!(first.title, "Possible hardcoded password: '***'");
        assert!(first.is_known_as("CWE-259"));
        assert_eq!(report.findings[1].severity, Severity::High);
        assert_eq!(report.findings[1].subject(), "app/run.py:5");
    }

    #[test]
    fn npm_lists_advisories_not_dependents() {
        let report = parse(NPM);
        assert_eq!(report.findings.len(), 1);
        let found = &report.findings[0];
        assert_eq!(found.id, "GHSA-xvch-5gv4-984h");
        assert_eq!(found.severity, Severity::Critical);
        assert!(found.fix_versions.is_empty());
        assert_eq!(found.version.as_deref(), Some("<1.2.6 (affected range)"));
        // The registry lists an advisory once per affected range: one finding.
        let twice = NPM.replace(
            r#""range":"<1.2.6"}]"#,
            r#""range":"<1.2.6"},{"source":1096465,"name":"minimist","url":"https://github.com/advisories/GHSA-xvch-5gv4-984h","severity":"high","range":"<0.2.4"}]"#,
        );
        assert_ne!(twice, NPM);
        let report = parse(&twice);
        assert_eq!(report.findings.len(), 1);
        let found = &report.findings[0];
        assert_eq!(found.severity, Severity::Critical);
        assert_eq!(
            found.version.as_deref(),
            Some("<1.2.6 || <0.2.4 (affected range)")
        );
        let wrong = NPM.replace("\"total\":2", "\"total\":3");
        let error = parse_vulnerabilities("r.json", wrong.as_bytes()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`metadata.vulnerabilities.total` is 3"),
            "{error}"
        );
    }

    #[test]
    fn osv_groups_aliases_into_one_finding() {
        let report = parse(OSV);
        let got: Vec<(&str, Severity)> = report
            .findings
            .iter()
            .map(|f| (f.id.as_str(), f.severity))
            .collect();
        assert_eq!(
            got,
            [
                ("GHSA-wcg3-cvx6-7396", Severity::Medium),
                ("RUSTSEC-2099-0001", Severity::Critical)
            ]
        );
        let group = &report.findings[0];
        assert_eq!(group.aliases, ["CVE-2020-26235", "RUSTSEC-2020-0071"]);
        assert_eq!(group.fix_versions, ["0.2.23"]);
        assert_eq!(group.title, "Segfault in time");
    }

    #[test]
    fn malformed_reports_are_located() {
        let error =
            parse_vulnerabilities("a.json", b"{\"results\": [\n  {\"test_id\": }").unwrap_err();
        assert_eq!(location(&error), "a.json:2:15", "{error}");
        let error = parse_vulnerabilities("a.json", b"\n  {\"hello\": 1}").unwrap_err();
        assert_eq!(location(&error), "a.json:1:1", "{error}");
        assert!(
            error.to_string().contains("not a vulnerability report"),
            "{error}"
        );
        let missing = BANDIT.replace("\"test_id\":\"B602\",", "");
        let error = parse_vulnerabilities("a.json", missing.as_bytes()).unwrap_err();
        assert!(
            error.to_string().contains("`test_id` is missing"),
            "{error}"
        );
        let wrong = PIP_AUDIT.replace("\"vulns\":[", "\"vulns\":7,\"x\":[");
        let error = parse_vulnerabilities("a.json", wrong.as_bytes()).unwrap_err();
        assert!(
            error.to_string().contains("`vulns`: expected an array"),
            "{error}"
        );
    }

    #[test]
    fn blocking_follows_threshold_unknown_and_ignore() {
        let report = parse(SAFETY);
        let (high, unknown) = (&report.findings[0], &report.findings[1]);
        let item = SecurityVulnerabilities::default();
        assert!(item.is_blocking(high) && item.is_blocking(unknown));
        let item = SecurityVulnerabilities {
            unknown_is: Severity::Low,
            ..SecurityVulnerabilities::default()
        };
        assert!(item.is_blocking(high) && !item.is_blocking(unknown));
        let item = SecurityVulnerabilities {
            fail_on: Severity::Critical,
            ignore: vec!["cve-2020-1747".into()],
            ..SecurityVulnerabilities::default()
        };
        assert!(!item.is_blocking(high) && !item.is_blocking(unknown));
    }

    /// Damaged reports (cut short, a byte changed) are parsed or refused as
    /// malformed, never a panic.
    #[test]
    fn damaged_reports_never_panic() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            // xorshift64*: deterministic, no dependency.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        let noise = b"\"=,:{}[]0123456789-\n \xff\x00aHnt";
        let mut runs = 0;
        for text in ALL {
            for _ in 0..1000 {
                let mut bytes = text.as_bytes().to_vec();
                let len = u64::try_from(bytes.len()).unwrap();
                match next() % 3 {
                    0 => bytes.truncate(usize::try_from(next() % len).unwrap()),
                    _ => {
                        for _ in 0..=next() % 3 {
                            let at = usize::try_from(next() % len).unwrap();
                            bytes[at] = noise[usize::try_from(next()).unwrap_or(0) % noise.len()];
                        }
                    }
                }
                match parse_vulnerabilities("r", &bytes) {
                    Ok(report) => {
                        assert!(report.findings.iter().all(|f| !f.id.is_empty()));
                    }
                    Err(CheckError::Malformed { location, .. }) => {
                        assert!(location.starts_with("r:"), "{location}");
                    }
                    Err(other) => panic!("not a malformed-report error: {other:?}"),
                }
                runs += 1;
            }
        }
        assert_eq!(runs, 6000);
    }
}
