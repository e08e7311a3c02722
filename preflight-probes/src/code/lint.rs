//! The reports of linters and static analysers, read into [`LintReport`]s
//! whatever tool wrote them, and the items `code.review.style-guide` and
//! `code.review.static-analysis` that count their diagnostics against limits.
//!
//! The reports are named in `preflight.toml`; each one's format is detected
//! from its content, never from its name:
//!
//! ```toml
//! [inputs.lint]
//! paths = ["reports/ruff.sarif", "reports/*.json", "reports/mypy.txt"]
//!
//! [checks."code.review.style-guide"]
//! tools = ["ruff", "flake8"]   # optional: only these tools' reports
//! max_warnings = 10            # 0 by default
//!
//! [checks."code.review.static-analysis"]
//! tools = ["mypy", "pylint", "clippy"]
//! max_errors = 0               # 0 by default; warnings are unlimited by default
//! ```
//!
//! | Format | Written by | Recognised by | Severity |
//! |--------|------------|---------------|----------|
//! | SARIF 2.1.0 | `ruff check --output-format=sarif`, `CodeQL`, Semgrep, ... | any other JSON object (one with `runs`) | `level` (`error`, `warning`, `note`/`none`; `warning` when absent), ruff's by its rule code |
//! | cargo JSON messages | `cargo clippy --message-format=json` | JSON lines, the first with `reason` | `message.level` |
//! | ruff JSON | `ruff check --output-format=json` | a JSON array of objects with `code` and `location` | by rule code |
//! | pylint JSON | `pylint --output-format=json` | a JSON array of objects with `message-id` | `type`: `fatal`/`error` → error, `warning`/`refactor`/`convention` → warning, `info` → note |
//! | pylint `json2` | `pylint --output-format=json2` | a JSON object whose first key is `messages` (or, keys sorted, `statistics`) | as pylint JSON |
//! | mypy text | `mypy` (with or without `--show-column-numbers`) | lines `file:line[:col]: error: message  [code]` | `error`, `warning`, `note` |
//! | flake8 text | `flake8` (default format) | lines `path:line:col: CODE message` | by rule code |
//! | flake8 JSON | `flake8 --format=json` or `--format=json-pretty` (the flake8-json plugin) | a JSON object whose first key, not one of SARIF's (`$schema`, `version`, `runs`, `inlineExternalProperties`, `properties`), holds an array | by rule code |
//! | Checkstyle XML | Checkstyle, `ESLint`, ktlint, ... | root element `<checkstyle>` | `severity`: `error`, `warning`, `info`/`ignore` → note |
//!
//! ruff and flake8 give no severity of their own (ruff calls every violation
//! an error, in its JSON and its SARIF alike), so their rule codes decide: the
//! codes that flake8's documentation selects for "syntax errors or undefined
//! names" (`E9`, `F63`, `F7`, `F82`) and a ruff diagnostic without a code (a
//! syntax error) are errors; every other code is a warning.
//!
//! A report in pylint's `json2` or flake8-json's format is the same
//! diagnostics, in the same order, as the same run's pylint JSON or flake8
//! text: only the format differs.
//!
//! An empty file (what flake8 writes when it finds nothing), an empty JSON
//! array (ruff's and pylint's clean report) and an empty JSON object
//! (flake8-json's report when it checked no file) are reports with no
//! diagnostic, of format [`LintFormat::Empty`] and tool `unknown`: nothing in
//! them names the tool. A clean report that does name it (pylint's `json2`
//! with no message, flake8-json's `{"desk.py": []}`) is that tool's, with no
//! diagnostic.
//!
//! Lines and columns are 1-based (pylint's 0-based columns are shifted);
//! `None` where the report does not give them.
//!
//! A malformed report is a [`CheckError::Malformed`] located
//! `file:line[:column]` (`serde_json`'s position for JSON, the line for the
//! text formats, the byte offset of the faulty markup for XML), never a panic
//! and never a pass.
//!
//! # Items
//!
//! Both items read every report of `[inputs.lint]` (its `paths` are globs
//! relative to the directory of `preflight.toml`; a glob that matches no file
//! is an error, and each file read is an artifact of the outcome). Each keeps
//! the reports of the tools named in its `tools` parameter (every report
//! when empty; a name that selects no report is an error, unless an empty
//! report of unknown tool was read) and fails when the errors exceed
//! `max_errors` or the warnings exceed `max_warnings`. Notes never count.
//!
//! - `code.review.style-guide`: `max_errors` 0, `max_warnings` 0: a style
//!   guide is followed or it is not.
//! - `code.review.static-analysis`: `max_errors` 0, `max_warnings` unlimited:
//!   analysers warn about much that is not a defect.

use crate::text::locate;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::LazyLock;

use preflight_core::evidence::FindingLevel;
use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Finding, Input, InputSource,
    Outcome,
};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::globs::{read_matches, report_paths};

/// The diagnostics listed in the evidence.
const FIRST_SHOWN: usize = 50;
/// The findings attached to an outcome, at most.
const MAX_FINDINGS: usize = 1000;
/// The tool of an empty report.
const UNKNOWN_TOOL: &str = "unknown";

/// The formats of linter reports this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "&'static str")]
#[non_exhaustive]
pub enum LintFormat {
    /// A SARIF 2.1.0 log.
    Sarif,
    /// cargo's JSON messages (`--message-format=json`), clippy's included.
    CargoJson,
    /// ruff's JSON report.
    RuffJson,
    /// pylint's JSON report (`--output-format=json`).
    PylintJson,
    /// pylint's `json2` report (`--output-format=json2`).
    PylintJson2,
    /// mypy's text output.
    MypyText,
    /// flake8's default text output.
    Flake8Text,
    /// flake8's JSON report, written by the flake8-json plugin
    /// (`--format=json` or `--format=json-pretty`).
    Flake8Json,
    /// Checkstyle XML.
    Checkstyle,
    /// An empty file, an empty JSON array or an empty JSON object: no
    /// diagnostic, tool unknown.
    Empty,
}

impl LintFormat {
    /// The format's short name, as shown in evidence: `sarif`, `cargo-json`,
    /// `ruff-json`, `pylint-json`, `pylint-json2`, `mypy-text`,
    /// `flake8-text`, `flake8-json`, `checkstyle` or `empty`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            LintFormat::Sarif => "sarif",
            LintFormat::CargoJson => "cargo-json",
            LintFormat::RuffJson => "ruff-json",
            LintFormat::PylintJson => "pylint-json",
            LintFormat::PylintJson2 => "pylint-json2",
            LintFormat::MypyText => "mypy-text",
            LintFormat::Flake8Text => "flake8-text",
            LintFormat::Flake8Json => "flake8-json",
            LintFormat::Checkstyle => "checkstyle",
            LintFormat::Empty => "empty",
        }
    }
}

impl From<LintFormat> for &'static str {
    fn from(format: LintFormat) -> Self {
        format.name()
    }
}

impl fmt::Display for LintFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A defect, or a violation the tool calls an error.
    Error,
    /// A probable problem or a convention broken.
    Warning,
    /// Information; never counted against a limit.
    Note,
}

impl Severity {
    fn level(self) -> FindingLevel {
        match self {
            Severity::Error => FindingLevel::Error,
            Severity::Warning => FindingLevel::Warning,
            Severity::Note => FindingLevel::Note,
        }
    }
}

/// One diagnostic of a linter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// The file, as the report names it (empty when the report names none).
    pub file: String,
    /// 1-based line, when the report gives one.
    pub line: Option<u32>,
    /// 1-based column, when the report gives one.
    pub column: Option<u32>,
    /// The rule (`F401`, `clippy::needless_return`, `arg-type`, ...); empty when none.
    pub rule: String,
    /// How serious it is.
    pub severity: Severity,
    /// What the tool says.
    pub message: String,
}

/// The diagnostics of one run of one tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LintReport {
    /// The tool: `ruff`, `clippy`, `pylint`, `mypy`, `flake8`, SARIF's
    /// `tool.driver.name`, Checkstyle's `checkstyle`, or `unknown`.
    pub tool: String,
    /// The format it was written in.
    pub format: LintFormat,
    /// Its diagnostics, in report order.
    pub diagnostics: Vec<Diagnostic>,
}

impl LintReport {
    /// The number of diagnostics of `severity`.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

fn malformed(location: String, message: impl Into<String>) -> CheckError {
    CheckError::Malformed {
        location,
        message: message.into(),
    }
}

/// A `serde_json` error at its own position, shifted by `line_offset` lines.
fn json_error(shown: &str, line_offset: usize, err: &serde_json::Error) -> CheckError {
    let line = err.line().max(1) + line_offset;
    let column = err.column().max(1);
    // The message without serde_json's own " at line L column C".
    let text = err.to_string();
    let text = text
        .rfind(" at line ")
        .map_or(text.as_str(), |i| &text[..i]);
    malformed(format!("{shown}:{line}:{column}"), text)
}

/// The bytes after a UTF-8 byte order mark.
fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Detects the format of a linter report from its content; `None` when it is
/// none of the [`LintFormat`]s. Only the start of the report is looked at:
/// a detected report may still be malformed.
#[must_use]
pub fn detect_format(bytes: &[u8]) -> Option<LintFormat> {
    let bytes = without_bom(bytes);
    let text = bytes.trim_ascii();
    match text.first() {
        None => Some(LintFormat::Empty),
        Some(b'<') => Some(LintFormat::Checkstyle),
        Some(b'{') => {
            let first = text.split(|b| *b == b'\n').next().unwrap_or_default();
            let is_cargo = serde_json::from_slice::<Value>(first)
                .ok()
                .is_some_and(|v| v.get("reason").is_some());
            if is_cargo {
                return Some(LintFormat::CargoJson);
            }
            Some(object_format(text))
        }
        Some(b'[') => {
            let rest = text[1..].trim_ascii_start();
            if rest.starts_with(b"]") {
                return Some(LintFormat::Empty);
            }
            // The first element's keys tell ruff from pylint; serde_json reads
            // only as far as that element when it is parsed on its own.
            let element = serde_json::Deserializer::from_slice(rest)
                .into_iter::<Value>()
                .next()
                .and_then(Result::ok)?;
            if element.get("message-id").is_some() {
                Some(LintFormat::PylintJson)
            } else if element.get("code").is_some() && element.get("location").is_some() {
                Some(LintFormat::RuffJson)
            } else {
                None
            }
        }
        Some(_) => {
            let line = std::str::from_utf8(text)
                .ok()?
                .lines()
                .next()
                .unwrap_or_default();
            if MYPY.is_match(line) || MYPY_SUMMARY.is_match(line) {
                Some(LintFormat::MypyText)
            } else if FLAKE8.is_match(line) {
                Some(LintFormat::Flake8Text)
            } else {
                None
            }
        }
    }
}

/// The top-level properties of a SARIF log.
const SARIF_KEYS: [&str; 5] = [
    "$schema",
    "version",
    "runs",
    "inlineExternalProperties",
    "properties",
];

/// The format of the JSON object `text` (trimmed, starting with `{`), told
/// by its first key and the first byte of that key's value: no key is
/// [`LintFormat::Empty`]; pylint's `json2` starts with `messages` (or, keys
/// sorted, `statistics`); a SARIF log with one of [`SARIF_KEYS`];
/// flake8-json maps file names to arrays; anything else is read as SARIF,
/// whose parser reports what is wrong with it.
fn object_format(text: &[u8]) -> LintFormat {
    let rest = text[1..].trim_ascii_start();
    if rest.starts_with(b"}") {
        return LintFormat::Empty;
    }
    let Some((key, value)) = first_entry(rest) else {
        return LintFormat::Sarif;
    };
    match (key.as_str(), value) {
        ("messages" | "statistics", _) => LintFormat::PylintJson2,
        (key, b'[') if !SARIF_KEYS.contains(&key) => LintFormat::Flake8Json,
        _ => LintFormat::Sarif,
    }
}

/// The first key of a JSON object whose members start `rest` (after its
/// `{`), and the first byte of that key's value; `None` when `rest` does not
/// start that way.
fn first_entry(rest: &[u8]) -> Option<(String, u8)> {
    if rest.first() != Some(&b'"') {
        return None;
    }
    let mut escaped = false;
    let end = rest[1..].iter().position(|b| {
        let end = !escaped && *b == b'"';
        escaped = !escaped && *b == b'\\';
        end
    })? + 1;
    let key: String = serde_json::from_slice(&rest[..=end]).ok()?;
    let after = rest[end + 1..].trim_ascii_start().strip_prefix(b":")?;
    Some((key, *after.trim_ascii_start().first()?))
}

/// Parses a linter report in any of the [`LintFormat`]s, detected from its
/// content: one [`LintReport`] per tool run (a SARIF log holds one per
/// run; every other format one). `shown` names the file in error locations.
///
/// ```
/// use preflight_probes::code::lint::{LintFormat, Severity, parse_lint};
///
/// let flake8 = b"desk.py:1:1: F401 'os' imported but unused\ndesk.py:4:9: F821 undefined name 'x'\n";
/// let reports = parse_lint("flake8.txt", flake8).unwrap();
/// assert_eq!((reports[0].tool.as_str(), reports[0].format), ("flake8", LintFormat::Flake8Text));
/// let first = &reports[0].diagnostics[0];
/// assert_eq!((first.line, first.column, first.rule.as_str()), (Some(1), Some(1), "F401"));
/// assert_eq!(first.severity, Severity::Warning);
/// // An undefined name is an error.
/// assert_eq!(reports[0].diagnostics[1].severity, Severity::Error);
///
/// let broken = parse_lint("pylint.json", b"[\n  {\"type\": \"error\",\n");
/// assert!(broken.unwrap_err().to_string().starts_with("pylint.json:3:"));
/// ```
pub fn parse_lint(shown: &str, bytes: &[u8]) -> Result<Vec<LintReport>, CheckError> {
    let body = without_bom(bytes);
    let start = bytes.len() - body.trim_ascii_start().len();
    match body.trim_ascii().first() {
        None => Ok(vec![empty()]),
        Some(b'<') => parse_checkstyle(shown, bytes).map(|r| vec![r]),
        Some(b'{') => match detect_format(bytes) {
            Some(LintFormat::CargoJson) => parse_cargo(shown, bytes).map(|r| vec![r]),
            Some(LintFormat::Empty) => {
                // Still a document to check: `{} junk` is not a report.
                serde_json::from_slice::<serde_json::Map<String, Value>>(body)
                    .map_err(|e| json_error(shown, 0, &e))?;
                Ok(vec![empty()])
            }
            Some(LintFormat::PylintJson2) => parse_pylint2(shown, bytes).map(|r| vec![r]),
            Some(LintFormat::Flake8Json) => parse_flake8_json(shown, bytes).map(|r| vec![r]),
            _ => parse_sarif(shown, bytes).map_err(|err| {
                // An object that does not start like a SARIF log may have been
                // meant as another format: say which objects are read.
                let sarif_like = first_entry(body.trim_ascii()[1..].trim_ascii_start())
                    .is_none_or(|(key, _)| SARIF_KEYS.contains(&key.as_str()));
                match err {
                    CheckError::Malformed { location, message } if !sarif_like => malformed(
                        location,
                        format!(
                            "{message} (a JSON object is read as SARIF, as pylint `json2` when its first key is `messages`, or as flake8-json when it maps file names to arrays)"
                        ),
                    ),
                    err => err,
                }
            }),
        },
        Some(b'[') => match detect_format(bytes) {
            Some(LintFormat::Empty) => {
                // Still a document to check: `[] junk` is not a report.
                serde_json::from_slice::<Vec<Value>>(body).map_err(|e| json_error(shown, 0, &e))?;
                Ok(vec![empty()])
            }
            Some(LintFormat::PylintJson) => parse_pylint(shown, bytes).map(|r| vec![r]),
            Some(LintFormat::RuffJson) => parse_ruff(shown, bytes).map(|r| vec![r]),
            _ => {
                // Report serde_json's position when the array is broken.
                serde_json::from_slice::<Vec<Value>>(body).map_err(|e| json_error(shown, 0, &e))?;
                Err(malformed(
                    locate(bytes, start + 1, shown),
                    "a JSON array that is neither a ruff nor a pylint report (expected objects with `code` and `location`, or with `message-id`)",
                ))
            }
        },
        Some(_) => match detect_format(bytes) {
            Some(LintFormat::MypyText) => parse_mypy(shown, bytes).map(|r| vec![r]),
            Some(LintFormat::Flake8Text) => parse_flake8(shown, bytes).map(|r| vec![r]),
            _ => Err(malformed(
                locate(bytes, start, shown),
                "not a linter report: expected SARIF, cargo JSON messages, ruff, pylint or flake8 JSON, mypy or flake8 text, or Checkstyle XML",
            )),
        },
    }
}

fn empty() -> LintReport {
    LintReport {
        tool: UNKNOWN_TOOL.to_owned(),
        format: LintFormat::Empty,
        diagnostics: Vec::new(),
    }
}

/// The severity of a ruff or flake8 rule `code` (see the module documentation).
fn code_severity(code: &str) -> Severity {
    let errors = ["E9", "F63", "F7", "F82"];
    if code.is_empty() || errors.iter().any(|p| code.starts_with(p)) {
        Severity::Error
    } else {
        Severity::Warning
    }
}

/// A 1-based position from a JSON number, `None` when absent or zero.
fn position(value: Option<u64>) -> Option<u32> {
    value
        .filter(|v| *v > 0)
        .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
}

/// A `file://` URI as a path (percent-escapes of spaces decoded).
fn uri_path(uri: &str) -> String {
    let path = uri.strip_prefix("file://").unwrap_or(uri);
    path.replace("%20", " ")
}

// SARIF 2.1.0, the parts read. Required fields make a structural error a
// located serde_json error.

#[derive(Deserialize)]
struct SarifLog {
    version: Option<String>,
    runs: Vec<SarifRun>,
}

#[derive(Deserialize)]
struct SarifRun {
    tool: SarifTool,
    #[serde(default)]
    results: Option<Vec<SarifResult>>,
}

#[derive(Deserialize)]
struct SarifTool {
    driver: SarifDriver,
}

#[derive(Deserialize)]
struct SarifDriver {
    name: String,
    #[serde(default)]
    rules: Vec<SarifRule>,
}

#[derive(Deserialize)]
struct SarifRule {
    id: String,
    #[serde(default, rename = "defaultConfiguration")]
    default_configuration: Option<SarifConfiguration>,
}

#[derive(Deserialize)]
struct SarifConfiguration {
    level: Option<String>,
}

#[derive(Deserialize)]
struct SarifResult {
    #[serde(rename = "ruleId")]
    rule_id: Option<String>,
    level: Option<String>,
    kind: Option<String>,
    message: SarifMessage,
    #[serde(default)]
    locations: Vec<SarifLocation>,
}

#[derive(Deserialize)]
struct SarifMessage {
    text: Option<String>,
    id: Option<String>,
}

#[derive(Deserialize)]
struct SarifLocation {
    #[serde(rename = "physicalLocation")]
    physical_location: Option<SarifPhysical>,
}

#[derive(Deserialize)]
struct SarifPhysical {
    #[serde(rename = "artifactLocation")]
    artifact_location: Option<SarifArtifact>,
    region: Option<SarifRegion>,
}

#[derive(Deserialize)]
struct SarifArtifact {
    uri: Option<String>,
}

#[derive(Deserialize)]
struct SarifRegion {
    #[serde(rename = "startLine")]
    start_line: Option<u64>,
    #[serde(rename = "startColumn")]
    start_column: Option<u64>,
}

fn sarif_severity(level: &str) -> Option<Severity> {
    match level {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        "note" | "none" => Some(Severity::Note),
        _ => None,
    }
}

fn parse_sarif(shown: &str, bytes: &[u8]) -> Result<Vec<LintReport>, CheckError> {
    let body = without_bom(bytes);
    let log: SarifLog = serde_json::from_slice(body).map_err(|e| json_error(shown, 0, &e))?;
    let at = bytes.len() - body.trim_ascii_start().len();
    if let Some(version) = log.version.as_deref().filter(|v| *v != "2.1.0") {
        return Err(malformed(
            locate(bytes, at, shown),
            format!("SARIF version `{version}`: expected `2.1.0`"),
        ));
    }
    let mut reports = Vec::new();
    for run in log.runs {
        let tool = run.tool.driver.name;
        let defaults: BTreeMap<&str, &str> = run
            .tool
            .driver
            .rules
            .iter()
            .filter_map(|r| {
                let level = r.default_configuration.as_ref()?.level.as_deref()?;
                Some((r.id.as_str(), level))
            })
            .collect();
        let mut diagnostics = Vec::new();
        for result in run.results.unwrap_or_default() {
            // Results of kind `pass`, `open`, `notApplicable`, ... are no problem.
            if result.kind.as_deref().is_some_and(|k| k != "fail") {
                continue;
            }
            let rule = result.rule_id.unwrap_or_default();
            let severity = if tool == "ruff" {
                code_severity(&rule)
            } else {
                let level = result
                    .level
                    .as_deref()
                    .or_else(|| defaults.get(rule.as_str()).copied())
                    .unwrap_or("warning");
                sarif_severity(level).ok_or_else(|| {
                    malformed(
                        locate(bytes, at, shown),
                        format!(
                            "result of rule `{rule}`: level `{level}` (expected `error`, `warning`, `note` or `none`)"
                        ),
                    )
                })?
            };
            let physical = result
                .locations
                .into_iter()
                .find_map(|l| l.physical_location);
            let (file, region) = match physical {
                Some(p) => (
                    p.artifact_location
                        .and_then(|a| a.uri)
                        .map(|u| uri_path(&u))
                        .unwrap_or_default(),
                    p.region,
                ),
                None => (String::new(), None),
            };
            diagnostics.push(Diagnostic {
                file,
                line: position(region.as_ref().and_then(|r| r.start_line)),
                column: position(region.as_ref().and_then(|r| r.start_column)),
                rule,
                severity,
                message: result
                    .message
                    .text
                    .or(result.message.id)
                    .unwrap_or_default(),
            });
        }
        reports.push(LintReport {
            tool,
            format: LintFormat::Sarif,
            diagnostics,
        });
    }
    Ok(reports)
}

// cargo's JSON messages, the parts read.

#[derive(Deserialize)]
struct CargoLine {
    reason: String,
    message: Option<CargoMessage>,
}

#[derive(Deserialize)]
struct CargoMessage {
    message: String,
    level: String,
    code: Option<CargoCode>,
    spans: Vec<CargoSpan>,
}

#[derive(Deserialize)]
struct CargoCode {
    code: String,
}

#[derive(Deserialize)]
struct CargoSpan {
    file_name: String,
    line_start: u64,
    column_start: u64,
    is_primary: bool,
}

/// The counts rustc prints at the end, as messages of their own.
static RUSTC_SUMMARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(aborting due to |\d+ warnings? emitted$|\d+ errors?( and \d+ warnings?)? emitted$)",
    )
    .expect("a valid regex")
});

fn parse_cargo(shown: &str, bytes: &[u8]) -> Result<LintReport, CheckError> {
    let text = text(shown, bytes)?;
    let mut diagnostics = Vec::new();
    let mut tool = "cargo";
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let message: CargoLine =
            serde_json::from_str(line).map_err(|e| json_error(shown, index, &e))?;
        if message.reason != "compiler-message" {
            continue;
        }
        let Some(message) = message.message else {
            return Err(malformed(
                format!("{shown}:{}", index + 1),
                "a `compiler-message` without `message`",
            ));
        };
        let severity = match message.level.as_str() {
            "error" | "error: internal compiler error" => Severity::Error,
            "warning" => Severity::Warning,
            "note" | "help" | "failure-note" => Severity::Note,
            other => {
                return Err(malformed(
                    format!("{shown}:{}", index + 1),
                    format!(
                        "message level `{other}` (expected `error`, `warning`, `note` or `help`)"
                    ),
                ));
            }
        };
        if message.spans.is_empty()
            && message.code.is_none()
            && RUSTC_SUMMARY.is_match(&message.message)
        {
            continue;
        }
        let rule = message.code.map(|c| c.code).unwrap_or_default();
        if rule.starts_with("clippy::") {
            tool = "clippy";
        }
        let span = message
            .spans
            .iter()
            .find(|s| s.is_primary)
            .or(message.spans.first());
        diagnostics.push(Diagnostic {
            file: span.map(|s| s.file_name.clone()).unwrap_or_default(),
            line: position(span.map(|s| s.line_start)),
            column: position(span.map(|s| s.column_start)),
            rule,
            severity,
            message: message.message,
        });
    }
    Ok(LintReport {
        tool: tool.to_owned(),
        format: LintFormat::CargoJson,
        diagnostics,
    })
}

// ruff's JSON report, the parts read.

#[derive(Deserialize)]
struct RuffDiagnostic {
    code: Option<String>,
    filename: String,
    location: Option<RuffLocation>,
    message: String,
}

#[derive(Deserialize)]
struct RuffLocation {
    row: u64,
    column: u64,
}

fn parse_ruff(shown: &str, bytes: &[u8]) -> Result<LintReport, CheckError> {
    let items: Vec<RuffDiagnostic> =
        serde_json::from_slice(without_bom(bytes)).map_err(|e| json_error(shown, 0, &e))?;
    let diagnostics = items
        .into_iter()
        .map(|d| {
            let rule = d.code.unwrap_or_default();
            Diagnostic {
                file: d.filename,
                line: position(d.location.as_ref().map(|l| l.row)),
                column: position(d.location.as_ref().map(|l| l.column)),
                severity: code_severity(&rule),
                rule,
                message: d.message,
            }
        })
        .collect();
    Ok(LintReport {
        tool: "ruff".to_owned(),
        format: LintFormat::RuffJson,
        diagnostics,
    })
}

// pylint's JSON reports, the parts read: a message is the same in `json`
// and `json2` but for the name of its id.

#[derive(Deserialize)]
struct PylintMessage {
    #[serde(rename = "type")]
    kind: String,
    path: String,
    line: Option<u64>,
    column: Option<u64>,
    #[serde(rename = "message-id")]
    message_id: String,
    symbol: Option<String>,
    message: String,
}

/// pylint's `json2` report: its messages; the statistics are pylint's own
/// counts of them.
#[derive(Deserialize)]
struct Pylint2Report {
    messages: Vec<Pylint2Message>,
}

#[derive(Deserialize)]
struct Pylint2Message {
    #[serde(rename = "type")]
    kind: String,
    path: String,
    line: Option<u64>,
    column: Option<u64>,
    #[serde(rename = "messageId")]
    message_id: String,
    symbol: Option<String>,
    message: String,
}

impl From<Pylint2Message> for PylintMessage {
    fn from(m: Pylint2Message) -> Self {
        PylintMessage {
            kind: m.kind,
            path: m.path,
            line: m.line,
            column: m.column,
            message_id: m.message_id,
            symbol: m.symbol,
            message: m.message,
        }
    }
}

fn parse_pylint(shown: &str, bytes: &[u8]) -> Result<LintReport, CheckError> {
    let items: Vec<PylintMessage> =
        serde_json::from_slice(without_bom(bytes)).map_err(|e| json_error(shown, 0, &e))?;
    pylint_report(shown, bytes, items, LintFormat::PylintJson)
}

fn parse_pylint2(shown: &str, bytes: &[u8]) -> Result<LintReport, CheckError> {
    let report: Pylint2Report =
        serde_json::from_slice(without_bom(bytes)).map_err(|e| json_error(shown, 0, &e))?;
    let items = report
        .messages
        .into_iter()
        .map(PylintMessage::from)
        .collect();
    pylint_report(shown, bytes, items, LintFormat::PylintJson2)
}

/// The report of pylint's messages `items`, read from `bytes` in `format`.
fn pylint_report(
    shown: &str,
    bytes: &[u8],
    items: Vec<PylintMessage>,
    format: LintFormat,
) -> Result<LintReport, CheckError> {
    let body = without_bom(bytes);
    let mut diagnostics = Vec::with_capacity(items.len());
    for m in items {
        let severity = match m.kind.as_str() {
            "fatal" | "error" => Severity::Error,
            "warning" | "refactor" | "convention" => Severity::Warning,
            "info" => Severity::Note,
            other => {
                return Err(malformed(
                    locate(bytes, bytes.len() - body.trim_ascii_start().len(), shown),
                    format!(
                        "message `{}`: type `{other}` (expected `fatal`, `error`, `warning`, `refactor`, `convention` or `info`)",
                        m.message_id
                    ),
                ));
            }
        };
        let rule = match m.symbol {
            Some(symbol) if !symbol.is_empty() => format!("{} ({symbol})", m.message_id),
            _ => m.message_id,
        };
        diagnostics.push(Diagnostic {
            file: m.path,
            line: position(m.line),
            // pylint counts columns from 0.
            column: m.column.and_then(|c| position(c.checked_add(1))),
            rule,
            severity,
            message: m.message,
        });
    }
    Ok(LintReport {
        tool: "pylint".to_owned(),
        format,
        diagnostics,
    })
}

/// The report as UTF-8 text, or an error at the first invalid byte.
fn text<'a>(shown: &str, bytes: &'a [u8]) -> Result<&'a str, CheckError> {
    std::str::from_utf8(without_bom(bytes)).map_err(|e| {
        let at = bytes.len() - without_bom(bytes).len() + e.valid_up_to();
        malformed(locate(bytes, at, shown), "not UTF-8 text")
    })
}

/// `file:line[:col][:end_line:end_col]: severity: message  [code]`.
static MYPY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?<file>.+?):(?<line>\d+)(?::(?<col>\d+))?(?::\d+:\d+)?: (?<sev>error|warning|note): (?<msg>.*?)(?:  \[(?<code>[a-z0-9-]+)\])?$",
    )
    .expect("a valid regex")
});

/// The lines mypy ends with, and a file-wide message without a line.
static MYPY_SUMMARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(Found \d+ errors? in \d+ files? \(checked \d+ source files?\)|Success: no issues found in \d+ source files?)$")
        .expect("a valid regex")
});

static MYPY_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?<file>[^:]+): (?<sev>error|warning|note): (?<msg>.*)$").expect("a valid regex")
});

/// `path:line[:col]: CODE message`.
static FLAKE8: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?<file>.+?):(?<line>\d+)(?::(?<col>\d+))?: (?<code>[A-Z]+[0-9]+) (?<msg>.*)$")
        .expect("a valid regex")
});

/// A 1-based position from the digits of a regex group.
fn digits(capture: Option<regex::Match<'_>>) -> Option<u32> {
    capture.and_then(|m| position(m.as_str().parse().ok().or(Some(u64::MAX))))
}

fn parse_mypy(shown: &str, bytes: &[u8]) -> Result<LintReport, CheckError> {
    let text = text(shown, bytes)?;
    let mut diagnostics = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || MYPY_SUMMARY.is_match(line) {
            continue;
        }
        let captures = MYPY
            .captures(line)
            .or_else(|| MYPY_FILE.captures(line))
            .ok_or_else(|| {
                malformed(
                    format!("{shown}:{}", index + 1),
                    "not a mypy message: expected `file:line[:column]: error|warning|note: message` (`--pretty` output is not read)",
                )
            })?;
        let severity = match &captures["sev"] {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            _ => Severity::Note,
        };
        diagnostics.push(Diagnostic {
            file: captures["file"].to_owned(),
            line: digits(captures.name("line")),
            column: digits(captures.name("col")),
            rule: captures
                .name("code")
                .map(|m| m.as_str().to_owned())
                .unwrap_or_default(),
            severity,
            message: captures["msg"].to_owned(),
        });
    }
    Ok(LintReport {
        tool: "mypy".to_owned(),
        format: LintFormat::MypyText,
        diagnostics,
    })
}

fn parse_flake8(shown: &str, bytes: &[u8]) -> Result<LintReport, CheckError> {
    let text = text(shown, bytes)?;
    let mut diagnostics = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let captures = FLAKE8.captures(line).ok_or_else(|| {
            malformed(
                format!("{shown}:{}", index + 1),
                "not a flake8 message: expected `path:line:column: CODE message` (the default `--format`)",
            )
        })?;
        let rule = captures["code"].to_owned();
        diagnostics.push(Diagnostic {
            file: captures["file"].to_owned(),
            line: digits(captures.name("line")),
            column: digits(captures.name("col")),
            severity: code_severity(&rule),
            rule,
            message: captures["msg"].to_owned(),
        });
    }
    Ok(LintReport {
        tool: "flake8".to_owned(),
        format: LintFormat::Flake8Text,
        diagnostics,
    })
}

// flake8-json's report, the parts read: an object mapping each file checked
// to its violations (an empty array when it has none), in report order.

#[derive(Deserialize)]
struct Flake8Violation {
    code: String,
    filename: String,
    line_number: u64,
    column_number: u64,
    text: String,
}

/// The violations of every file of a flake8-json report, in report order.
struct Flake8Files(Vec<Flake8Violation>);

impl<'de> Deserialize<'de> for Flake8Files {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Files;

        impl<'de> serde::de::Visitor<'de> for Files {
            type Value = Flake8Files;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object mapping file names to arrays of flake8 violations")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Flake8Files, A::Error> {
                let mut all = Vec::new();
                while let Some((_, violations)) =
                    map.next_entry::<String, Vec<Flake8Violation>>()?
                {
                    all.extend(violations);
                }
                Ok(Flake8Files(all))
            }
        }

        deserializer.deserialize_map(Files)
    }
}

fn parse_flake8_json(shown: &str, bytes: &[u8]) -> Result<LintReport, CheckError> {
    let Flake8Files(violations) =
        serde_json::from_slice(without_bom(bytes)).map_err(|e| json_error(shown, 0, &e))?;
    let diagnostics = violations
        .into_iter()
        .map(|v| Diagnostic {
            file: v.filename,
            line: position(Some(v.line_number)),
            column: position(Some(v.column_number)),
            severity: code_severity(&v.code),
            rule: v.code,
            message: v.text,
        })
        .collect();
    Ok(LintReport {
        tool: "flake8".to_owned(),
        format: LintFormat::Flake8Json,
        diagnostics,
    })
}

/// The attributes of `e` named in `keys`, unescaped, in that order.
fn attributes<const N: usize>(
    shown: &str,
    bytes: &[u8],
    e: &BytesStart<'_>,
    at: usize,
    keys: [&str; N],
) -> Result<[Option<String>; N], CheckError> {
    let mut out = [const { None }; N];
    for attr in e.attributes() {
        let attr = attr
            .map_err(|err| malformed(locate(bytes, at, shown), format!("bad attribute: {err}")))?;
        let key = attr.key.local_name();
        let Some(slot) = keys.iter().position(|k| *k == key.as_ref()) else {
            continue;
        };
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| {
                malformed(
                    locate(bytes, at, shown),
                    format!("bad attribute value: {err}"),
                )
            })?;
        out[slot] = Some(value.into_owned());
    }
    Ok(out)
}

/// A Checkstyle `<error>` element `e` at `at`, of the file `file`.
fn checkstyle_error(
    shown: &str,
    bytes: &[u8],
    e: &BytesStart<'_>,
    at: usize,
    file: String,
) -> Result<Diagnostic, CheckError> {
    let [line, column, severity, message, source] = attributes(
        shown,
        bytes,
        e,
        at,
        ["line", "column", "severity", "message", "source"],
    )?;
    let number = |key: &str, value: Option<String>| -> Result<Option<u32>, CheckError> {
        value
            .map(|v| {
                v.trim().parse::<u32>().map_err(|_| {
                    malformed(
                        locate(bytes, at, shown),
                        format!("attribute `{key}`: expected a number, found `{v}`"),
                    )
                })
            })
            .transpose()
            .map(|v| v.filter(|n| *n > 0))
    };
    let severity = match severity.as_deref().unwrap_or("error") {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" | "ignore" => Severity::Note,
        other => {
            return Err(malformed(
                locate(bytes, at, shown),
                format!(
                    "attribute `severity`: `{other}` (expected `error`, `warning`, `info` or `ignore`)"
                ),
            ));
        }
    };
    Ok(Diagnostic {
        file,
        line: number("line", line)?,
        column: number("column", column)?,
        rule: source.unwrap_or_default(),
        severity,
        message: message.unwrap_or_default(),
    })
}

fn parse_checkstyle(shown: &str, bytes: &[u8]) -> Result<LintReport, CheckError> {
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut file: Option<String> = None;
    let mut diagnostics = Vec::new();
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event_into(&mut buf).map_err(|err| {
            let pos = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            malformed(locate(bytes, pos, shown), format!("malformed XML: {err}"))
        })?;
        let (e, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    file = None;
                }
                buf.clear();
                continue;
            }
            Event::Text(t) if depth == 0 && !t.as_ref().trim_ascii().is_empty() => {
                return Err(malformed(
                    locate(bytes, at, shown),
                    "text outside the root element",
                ));
            }
            Event::Eof => break,
            _ => {
                buf.clear();
                continue;
            }
        };
        let name = e.local_name();
        match (depth, name.as_ref()) {
            (0, _) if seen_root => {
                return Err(malformed(
                    locate(bytes, at, shown),
                    "content after the root element",
                ));
            }
            (0, "checkstyle") => seen_root = true,
            (0, other) => {
                return Err(malformed(
                    locate(bytes, at, shown),
                    format!("the root element is `<{other}>`: expected `<checkstyle>`"),
                ));
            }
            (1, "file") => {
                let [name] = attributes(shown, bytes, e, at, ["name"])?;
                file = Some(name.ok_or_else(|| {
                    malformed(locate(bytes, at, shown), "a `<file>` without `name`")
                })?);
            }
            (2, "error") if file.is_some() => {
                let file = file.clone().unwrap_or_default();
                diagnostics.push(checkstyle_error(shown, bytes, e, at, file)?);
            }
            _ => {}
        }
        if !empty {
            depth += 1;
        }
        buf.clear();
    }
    if depth > 0 || !seen_root {
        return Err(malformed(
            locate(bytes, bytes.len(), shown),
            "the report ends before its root element closes",
        ));
    }
    Ok(LintReport {
        tool: "checkstyle".to_owned(),
        format: LintFormat::Checkstyle,
        diagnostics,
    })
}

/// The linter reports of `[inputs.lint]`: every file its `paths` globs match,
/// parsed (see the [module documentation](self)).
#[derive(Debug)]
#[non_exhaustive]
pub struct LintReports {
    /// Each file read, with the reports it holds.
    pub files: Vec<(Artifact, Vec<LintReport>)>,
}

impl Input for LintReports {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let paths = report_paths(source, &[], "linter reports")?;
        let mut out = Vec::new();
        for file in read_matches(source, &paths, "run the linters first")? {
            let reports = parse_lint(&file.shown, &file.bytes)?;
            out.push((file.artifact(), reports));
        }
        Ok(LintReports { files: out })
    }
}

/// Diagnostics by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SeverityCounts {
    /// Errors.
    pub error: u64,
    /// Warnings.
    pub warning: u64,
    /// Notes.
    pub note: u64,
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{diagnostics} diagnostics in {reports} reports")]
struct LintEvidence {
    diagnostics: u64,
    reports: u64,
    by_severity: SeverityCounts,
    /// Diagnostics per tool (every tool read, the filtered-out ones at 0).
    by_tool: BTreeMap<String, u64>,
    /// The first diagnostics, sorted by file, line and column.
    first: Vec<Diagnostic>,
    /// The reports read.
    files: Vec<String>,
}

/// `file` relative to `root` when it lies below it.
fn relative(root: &Path, file: &str) -> String {
    Path::new(file)
        .strip_prefix(root)
        .map_or_else(|_| file.to_owned(), |p| p.display().to_string())
}

/// The limits of one item.
struct Limits<'a> {
    tools: &'a [String],
    max_errors: u64,
    max_warnings: Option<u64>,
}

/// An error when a name of `tools` selects none of the reports `all`
/// (unless an empty report of unknown tool was read).
fn check_tools(all: &[&LintReport], tools: &[String]) -> Result<(), CheckError> {
    let has_unknown = all.iter().any(|r| r.format == LintFormat::Empty);
    if let Some(missing) = tools
        .iter()
        .find(|t| !has_unknown && !all.iter().any(|r| &&r.tool == t))
    {
        let read: BTreeSet<&str> = all.iter().map(|r| r.tool.as_str()).collect();
        return Err(CheckError::msg(format_args!(
            "`tools`: `{missing}` names no tool of the reports read (tools: {}): fix the name or add its report to [inputs.lint]",
            read.iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

fn judge(cx: &Context, limits: &Limits<'_>) -> Result<Outcome, CheckError> {
    let reports = cx.input::<LintReports>("lint")?;
    let all: Vec<&LintReport> = reports.files.iter().flat_map(|(_, r)| r.iter()).collect();
    check_tools(&all, limits.tools)?;
    let selected = |r: &&&LintReport| limits.tools.is_empty() || limits.tools.contains(&r.tool);
    let mut by_tool: BTreeMap<String, u64> = BTreeMap::new();
    let mut counts = SeverityCounts::default();
    let mut kept: Vec<Diagnostic> = Vec::new();
    for report in &all {
        let entry = by_tool.entry(report.tool.clone()).or_default();
        if !selected(&report) {
            continue;
        }
        *entry += report.diagnostics.len() as u64;
        for d in &report.diagnostics {
            match d.severity {
                Severity::Error => counts.error += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Note => counts.note += 1,
            }
            let mut d = d.clone();
            d.file = relative(cx.root(), &d.file);
            kept.push(d);
        }
    }
    kept.sort();
    let findings: Vec<Finding> = kept
        .iter()
        .filter(|d| !d.file.is_empty())
        .take(MAX_FINDINGS)
        .map(|d| Finding {
            rule: if d.rule.is_empty() {
                "lint".to_owned()
            } else {
                d.rule.clone()
            },
            message: d.message.clone(),
            level: d.severity.level(),
            file: d.file.clone(),
            line: d.line.unwrap_or(1),
            column: d.column.unwrap_or(1),
        })
        .collect();
    let total = counts.error + counts.warning + counts.note;
    let over_errors = counts.error > limits.max_errors;
    let over_warnings = limits.max_warnings.is_some_and(|m| counts.warning > m);
    let allowed = match limits.max_warnings {
        Some(m) => format!(
            "at most {} errors and {m} warnings allowed",
            limits.max_errors
        ),
        None => format!("at most {} errors allowed", limits.max_errors),
    };
    let outcome = if over_errors || over_warnings {
        let worst = kept
            .iter()
            .find(|d| {
                (over_errors && d.severity == Severity::Error)
                    || (!over_errors && d.severity == Severity::Warning)
            })
            .map(|d| {
                format!(
                    "; first at {}:{}:{}: [{}] {}",
                    d.file,
                    d.line.unwrap_or(0),
                    d.column.unwrap_or(0),
                    d.rule,
                    d.message
                )
            })
            .unwrap_or_default();
        Outcome::fail(format!(
            "{} errors, {} warnings ({allowed}){worst}",
            counts.error, counts.warning
        ))
    } else {
        Outcome::pass(format!(
            "{} errors, {} warnings, {} notes in {} reports ({allowed})",
            counts.error,
            counts.warning,
            counts.note,
            all.iter().filter(|r| selected(r)).count()
        ))
    };
    let evidence = LintEvidence {
        diagnostics: total,
        reports: all.iter().filter(|r| selected(r)).count() as u64,
        by_severity: counts,
        by_tool,
        first: kept.into_iter().take(FIRST_SHOWN).collect(),
        files: reports.files.iter().map(|(a, _)| a.path.clone()).collect(),
    };
    let mut outcome = outcome.with_evidence(&evidence).with_findings(findings);
    for (artifact, _) in &reports.files {
        outcome = outcome.with_artifact(artifact.clone());
    }
    Ok(outcome)
}

/// The code follows its style guide: the linter reports of `[inputs.lint]`
/// (of the tools in `tools`) hold at most `max_errors` errors and
/// `max_warnings` warnings (see the [module documentation](self)).
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "code.review.style-guide",
    title = "Code follows style guide (PEP 8 for Python)",
    group = "Code Review",
    severity = "low",
    owner = "tech-lead",
    evidence_ttl = "30d",
    inputs = ["lint"],
    remediation = "fix the style violations listed (ruff and flake8 name the rule of each), rerun the linters and point [inputs.lint] at their fresh reports"
)]
pub struct StyleGuide {
    /// The tools whose reports count (`ruff`, `flake8`, `pylint`, ...); empty counts every report.
    pub tools: Vec<String>,
    /// Errors allowed.
    pub max_errors: u64,
    /// Warnings allowed.
    pub max_warnings: u64,
}

impl Check for StyleGuide {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        judge(
            cx,
            &Limits {
                tools: &self.tools,
                max_errors: self.max_errors,
                max_warnings: Some(self.max_warnings),
            },
        )
    }
}

/// Static analysis passed: the reports of `[inputs.lint]` (of the tools in
/// `tools`) hold at most `max_errors` errors, and at most `max_warnings`
/// warnings when set (see the [module documentation](self)).
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "code.review.static-analysis",
    title = "Static analysis passed (pylint, mypy, bandit)",
    group = "Code Review",
    severity = "high",
    owner = "tech-lead",
    evidence_ttl = "30d",
    inputs = ["lint"],
    remediation = "fix the errors the analysers report (or the code under them), rerun them and point [inputs.lint] at their fresh reports"
)]
pub struct StaticAnalysis {
    /// The tools whose reports count (`mypy`, `pylint`, `clippy`, ...); empty counts every report.
    pub tools: Vec<String>,
    /// Errors allowed.
    pub max_errors: u64,
    /// Warnings allowed; unlimited when unset.
    pub max_warnings: Option<u64>,
}

impl Check for StaticAnalysis {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        judge(
            cx,
            &Limits {
                tools: &self.tools,
                max_errors: self.max_errors,
                max_warnings: self.max_warnings,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::damage::for_each_damaged;
    use crate::globs::expand;

    /// The head of a SARIF log ruff 0.17.6 wrote (`--output-format=sarif`),
    /// fixes and rule texts cut.
    const RUFF_SARIF: &str = r#"{
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "runs": [
    {
      "results": [
        {
          "level": "error",
          "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///tmp/lintx/desk.py"},
            "region": {"endColumn": 15, "endLine": 1, "startColumn": 1, "startLine": 1}}}],
          "message": {"text": "Multiple imports on one line"},
          "ruleId": "E401"
        },
        {
          "level": "error",
          "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///tmp/lintx/desk.py"},
            "region": {"startColumn": 3, "startLine": 9}}}],
          "message": {"text": "Undefined name `x`"},
          "ruleId": "F821"
        }
      ],
      "tool": {"driver": {"informationUri": "https://github.com/astral-sh/ruff", "name": "ruff",
        "rules": [{"id": "E401", "defaultConfiguration": {"enabled": false, "level": "error"}}], "version": "0.17.6"}}
    }
  ],
  "version": "2.1.0"
}"#;

    const GENERIC_SARIF: &str = r#"{"version": "2.1.0", "runs": [
  {"tool": {"driver": {"name": "semgrep", "rules": [{"id": "r1", "defaultConfiguration": {"level": "note"}}]}},
   "results": [
     {"ruleId": "r1", "message": {"text": "from the rule"}, "locations": []},
     {"ruleId": "r2", "message": {"text": "no level"}},
     {"ruleId": "r3", "level": "error", "kind": "pass", "message": {"text": "passed"}}
   ]},
  {"tool": {"driver": {"name": "codeql"}}, "results": []}
]}"#;

    /// Two messages of `cargo clippy --message-format=json` (1.95), cut.
    const CLIPPY: &str = r#"{"reason":"compiler-message","package_id":"path+file:///tmp/clipfx#0.1.0","message":{"rendered":"warning: unneeded `return` statement","$message_type":"diagnostic","children":[],"level":"warning","message":"unneeded `return` statement","spans":[{"byte_end":61,"byte_start":53,"column_end":13,"column_start":5,"expansion":null,"file_name":"src/lib.rs","is_primary":true,"label":null,"line_end":3,"line_start":3,"suggested_replacement":null,"suggestion_applicability":null,"text":[]}],"code":{"code":"clippy::needless_return","explanation":null}}}
{"reason":"compiler-message","message":{"rendered":"error[E0425]","children":[],"level":"error","message":"cannot find value `z` in this scope","spans":[{"byte_end":61,"byte_start":53,"column_end":13,"column_start":9,"file_name":"src/main.rs","is_primary":true,"line_end":7,"line_start":7}],"code":{"code":"E0425","explanation":"..."}}}
{"reason":"compiler-message","message":{"level":"warning","message":"2 warnings emitted","spans":[],"code":null}}
{"reason":"compiler-artifact","package_id":"path+file:///tmp/clipfx#0.1.0","fresh":false}
{"reason":"build-finished","success":true}
"#;

    /// From ruff 0.17.6's `--output-format=json`, fixes cut.
    const RUFF_JSON: &str = r#"[
  {"cell": null, "code": "F401", "end_location": {"column": 10, "row": 1}, "filename": "/tmp/lintx/desk.py",
   "fix": null, "location": {"column": 8, "row": 1}, "message": "`os` imported but unused", "noqa_row": 1,
   "severity": "error", "url": "https://docs.astral.sh/ruff/rules/unused-import"},
  {"cell": null, "code": null, "end_location": {"column": 1, "row": 3}, "filename": "/tmp/lintx/desk.py",
   "fix": null, "location": {"column": 1, "row": 3}, "message": "SyntaxError: unexpected indent", "noqa_row": null}
]"#;

    /// From pylint 4.1.4's `--output-format=json`.
    const PYLINT: &str = r#"[
    {"type": "warning", "module": "desk", "obj": "", "line": 6, "column": 0, "endLine": null, "endColumn": null,
     "path": "desk.py", "symbol": "bad-indentation", "message": "Bad indentation. Found 2 spaces, expected 4", "message-id": "W0311"},
    {"type": "convention", "module": "desk", "obj": "", "line": 1, "column": 0, "endLine": null, "endColumn": null,
     "path": "desk.py", "symbol": "missing-module-docstring", "message": "Missing module docstring", "message-id": "C0114"},
    {"type": "error", "module": "desk", "obj": "f", "line": 4, "column": 11, "endLine": 4, "endColumn": 16,
     "path": "desk.py", "symbol": "undefined-variable", "message": "Undefined variable 'z'", "message-id": "E0602"}
]"#;

    const MYPY: &str = "desk.py:4:14: error: Unsupported operand types for + (\"int\" and \"str\")  [operator]\n\
        desk.py:9: note: Revealed type is \"builtins.int\"\n\
        setup.py: error: Duplicate module named \"setup\"\n\
        Found 2 errors in 2 files (checked 2 source files)\n";

    const FLAKE8: &str = "desk.py:1:1: F401 'os' imported but unused\n\
        desk.py:2:12: E231 missing whitespace after ':'\n\
        desk.py:3:1: E999 SyntaxError: invalid syntax\n";

    /// One run of flake8 7.5.0 on three files (a syntax error, a clean
    /// file, an unused import, a missing blank line and an undefined name):
    /// its default text, then flake8-json 24.4.0's `--format=json` and
    /// `--format=json-pretty`.
    const FLAKE8_RUN_TEXT: &str = "bad.py:1:8: E999 SyntaxError: invalid syntax\n\
        run.py:1:1: F401 'os' imported but unused\n\
        run.py:2:1: E302 expected 2 blank lines, found 0\n\
        run.py:3:12: F821 undefined name 'z'\n";

    const FLAKE8_RUN_JSON: &str = r#"{"bad.py": [{"code": "E999", "filename": "bad.py", "line_number": 1, "column_number": 8, "text": "SyntaxError: invalid syntax", "physical_line": null}], "clean.py": [], "run.py": [{"code": "F401", "filename": "run.py", "line_number": 1, "column_number": 1, "text": "'os' imported but unused", "physical_line": "import os\n"}, {"code": "E302", "filename": "run.py", "line_number": 2, "column_number": 1, "text": "expected 2 blank lines, found 0", "physical_line": "def f():\n"}, {"code": "F821", "filename": "run.py", "line_number": 3, "column_number": 12, "text": "undefined name 'z'", "physical_line": "    return z\n"}]}"#;

    const FLAKE8_RUN_PRETTY: &str = r#"{
  "bad.py": [
    {
      "code": "E999",
      "filename": "bad.py",
      "line_number": 1,
      "column_number": 8,
      "text": "SyntaxError: invalid syntax",
      "physical_line": null
    }
  ],
  "clean.py": [],
  "run.py": [
    {
      "code": "F401",
      "filename": "run.py",
      "line_number": 1,
      "column_number": 1,
      "text": "'os' imported but unused",
      "physical_line": "import os\n"
    },
    {
      "code": "E302",
      "filename": "run.py",
      "line_number": 2,
      "column_number": 1,
      "text": "expected 2 blank lines, found 0",
      "physical_line": "def f():\n"
    },
    {
      "code": "F821",
      "filename": "run.py",
      "line_number": 3,
      "column_number": 12,
      "text": "undefined name 'z'",
      "physical_line": "    return z\n"
    }
  ]
}
"#;

    /// One run of pylint 4.1.4 on two of those files, as `--output-format=json`
    /// and as `--output-format=json2`.
    const PYLINT_RUN_JSON: &str = r#"[
    {"type": "error", "module": "bad", "obj": "", "line": 1, "column": 7, "endLine": null, "endColumn": null,
     "path": "bad.py", "symbol": "syntax-error", "message": "Parsing failed: 'invalid syntax (bad, line 1)'", "message-id": "E0001"},
    {"type": "convention", "module": "run", "obj": "", "line": 1, "column": 0, "endLine": null, "endColumn": null,
     "path": "run.py", "symbol": "missing-module-docstring", "message": "Missing module docstring", "message-id": "C0114"},
    {"type": "error", "module": "run", "obj": "f", "line": 3, "column": 11, "endLine": 3, "endColumn": 12,
     "path": "run.py", "symbol": "undefined-variable", "message": "Undefined variable 'z'", "message-id": "E0602"},
    {"type": "warning", "module": "run", "obj": "", "line": 1, "column": 0, "endLine": 1, "endColumn": 9,
     "path": "run.py", "symbol": "unused-import", "message": "Unused import os", "message-id": "W0611"}
]"#;

    const PYLINT_RUN_JSON2: &str = r#"{
    "messages": [
        {"type": "error", "symbol": "syntax-error", "message": "Parsing failed: 'invalid syntax (bad, line 1)'",
         "messageId": "E0001", "confidence": "HIGH", "module": "bad", "obj": "", "line": 1, "column": 7,
         "endLine": null, "endColumn": null, "path": "bad.py", "absolutePath": "bad.py"},
        {"type": "convention", "symbol": "missing-module-docstring", "message": "Missing module docstring",
         "messageId": "C0114", "confidence": "HIGH", "module": "run", "obj": "", "line": 1, "column": 0,
         "endLine": null, "endColumn": null, "path": "run.py", "absolutePath": "/tmp/lintx/run.py"},
        {"type": "error", "symbol": "undefined-variable", "message": "Undefined variable 'z'",
         "messageId": "E0602", "confidence": "UNDEFINED", "module": "run", "obj": "f", "line": 3, "column": 11,
         "endLine": 3, "endColumn": 12, "path": "run.py", "absolutePath": "/tmp/lintx/run.py"},
        {"type": "warning", "symbol": "unused-import", "message": "Unused import os",
         "messageId": "W0611", "confidence": "UNDEFINED", "module": "run", "obj": "", "line": 1, "column": 0,
         "endLine": 1, "endColumn": 9, "path": "run.py", "absolutePath": "/tmp/lintx/run.py"}
    ],
    "statistics": {
        "messageTypeCount": {"fatal": 0, "error": 2, "warning": 1, "refactor": 0, "convention": 1, "info": 0},
        "modulesLinted": 2,
        "score": 0
    }
}"#;

    const CHECKSTYLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<checkstyle version="4.3">
  <file name="src/Main.java">
    <error line="3" column="5" severity="warning" message="Line is longer than 100 characters" source="com.puppycrawl.tools.checkstyle.checks.sizes.LineLengthCheck"/>
    <error line="7" severity="error" message="&apos;x&apos; hides a field" source="HiddenField"/>
  </file>
  <file name="src/Empty.java"/>
</checkstyle>"#;

    fn one(shown: &str, text: &str) -> LintReport {
        let mut reports = parse_lint(shown, text.as_bytes()).unwrap();
        assert_eq!(reports.len(), 1);
        reports.remove(0)
    }

    fn row(d: &Diagnostic) -> (&str, Option<u32>, Option<u32>, &str, Severity) {
        (
            d.file.as_str(),
            d.line,
            d.column,
            d.rule.as_str(),
            d.severity,
        )
    }

    #[test]
    fn sarif_from_ruff_maps_severity_by_rule_code() {
        assert_eq!(
            detect_format(RUFF_SARIF.as_bytes()),
            Some(LintFormat::Sarif)
        );
        let report = one("ruff.sarif", RUFF_SARIF);
        assert_eq!(report.tool, "ruff");
        let rows: Vec<_> = report.diagnostics.iter().map(row).collect();
        assert_eq!(
            rows,
            [
                (
                    "/tmp/lintx/desk.py",
                    Some(1),
                    Some(1),
                    "E401",
                    Severity::Warning
                ),
                (
                    "/tmp/lintx/desk.py",
                    Some(9),
                    Some(3),
                    "F821",
                    Severity::Error
                ),
            ]
        );
    }

    #[test]
    fn generic_sarif_uses_levels_rule_defaults_and_skips_passes() {
        let reports = parse_lint("s.sarif", GENERIC_SARIF.as_bytes()).unwrap();
        assert_eq!(reports.len(), 2);
        assert_eq!(
            (reports[0].tool.as_str(), reports[1].tool.as_str()),
            ("semgrep", "codeql")
        );
        let severities: Vec<Severity> = reports[0].diagnostics.iter().map(|d| d.severity).collect();
        assert_eq!(severities, [Severity::Note, Severity::Warning]);
        assert_eq!(reports[0].diagnostics[0].file, "");
        assert_eq!(reports[0].diagnostics[0].line, None);
    }

    #[test]
    fn cargo_messages_keep_primary_spans_and_skip_summaries() {
        assert_eq!(
            detect_format(CLIPPY.as_bytes()),
            Some(LintFormat::CargoJson)
        );
        let report = one("clippy.json", CLIPPY);
        assert_eq!(report.tool, "clippy");
        let rows: Vec<_> = report.diagnostics.iter().map(row).collect();
        assert_eq!(
            rows,
            [
                (
                    "src/lib.rs",
                    Some(3),
                    Some(5),
                    "clippy::needless_return",
                    Severity::Warning
                ),
                ("src/main.rs", Some(7), Some(9), "E0425", Severity::Error),
            ]
        );
    }

    #[test]
    fn ruff_json_and_pylint_json() {
        let ruff = one("ruff.json", RUFF_JSON);
        assert_eq!(
            (ruff.tool.as_str(), ruff.format),
            ("ruff", LintFormat::RuffJson)
        );
        let rows: Vec<_> = ruff.diagnostics.iter().map(row).collect();
        assert_eq!(
            rows,
            [
                (
                    "/tmp/lintx/desk.py",
                    Some(1),
                    Some(8),
                    "F401",
                    Severity::Warning
                ),
                ("/tmp/lintx/desk.py", Some(3), Some(1), "", Severity::Error),
            ]
        );
        let pylint = one("pylint.json", PYLINT);
        assert_eq!(pylint.format, LintFormat::PylintJson);
        let rows: Vec<_> = pylint.diagnostics.iter().map(row).collect();
        assert_eq!(
            rows,
            [
                (
                    "desk.py",
                    Some(6),
                    Some(1),
                    "W0311 (bad-indentation)",
                    Severity::Warning
                ),
                (
                    "desk.py",
                    Some(1),
                    Some(1),
                    "C0114 (missing-module-docstring)",
                    Severity::Warning
                ),
                (
                    "desk.py",
                    Some(4),
                    Some(12),
                    "E0602 (undefined-variable)",
                    Severity::Error
                ),
            ]
        );
    }

    #[test]
    fn mypy_and_flake8_text() {
        let mypy = one("mypy.txt", MYPY);
        assert_eq!(mypy.format, LintFormat::MypyText);
        let rows: Vec<_> = mypy.diagnostics.iter().map(row).collect();
        assert_eq!(
            rows,
            [
                ("desk.py", Some(4), Some(14), "operator", Severity::Error),
                ("desk.py", Some(9), None, "", Severity::Note),
                ("setup.py", None, None, "", Severity::Error),
            ]
        );
        assert_eq!(
            mypy.diagnostics[0].message,
            "Unsupported operand types for + (\"int\" and \"str\")"
        );
        let clean = one("mypy.txt", "Success: no issues found in 3 source files\n");
        assert_eq!(
            (clean.format, clean.diagnostics.len()),
            (LintFormat::MypyText, 0)
        );

        let flake8 = one("flake8.txt", FLAKE8);
        let severities: Vec<Severity> = flake8.diagnostics.iter().map(|d| d.severity).collect();
        assert_eq!(
            severities,
            [Severity::Warning, Severity::Warning, Severity::Error]
        );
        assert_eq!(
            flake8.diagnostics[1].message,
            "missing whitespace after ':'"
        );
    }

    #[test]
    fn flake8_json_reads_as_the_same_runs_text() {
        let text = one("flake8.txt", FLAKE8_RUN_TEXT);
        for (shown, json) in [
            ("flake8.json", FLAKE8_RUN_JSON),
            ("flake8-pretty.json", FLAKE8_RUN_PRETTY),
        ] {
            assert_eq!(detect_format(json.as_bytes()), Some(LintFormat::Flake8Json));
            let report = one(shown, json);
            assert_eq!(
                (report.tool.as_str(), report.format),
                ("flake8", LintFormat::Flake8Json)
            );
            assert_eq!(report.diagnostics, text.diagnostics, "{shown}");
        }
        let rows: Vec<_> = text.diagnostics.iter().map(row).collect();
        assert_eq!(
            rows,
            [
                ("bad.py", Some(1), Some(8), "E999", Severity::Error),
                ("run.py", Some(1), Some(1), "F401", Severity::Warning),
                ("run.py", Some(2), Some(1), "E302", Severity::Warning),
                ("run.py", Some(3), Some(12), "F821", Severity::Error),
            ]
        );
        assert_eq!(text.diagnostics[3].message, "undefined name 'z'");
    }

    #[test]
    fn pylint_json2_reads_as_the_same_runs_json() {
        assert_eq!(
            detect_format(PYLINT_RUN_JSON2.as_bytes()),
            Some(LintFormat::PylintJson2)
        );
        let json = one("pylint.json", PYLINT_RUN_JSON);
        let json2 = one("pylint.json2", PYLINT_RUN_JSON2);
        assert_eq!(
            (json2.tool.as_str(), json2.format),
            ("pylint", LintFormat::PylintJson2)
        );
        assert_eq!(json2.diagnostics, json.diagnostics);
        let rows: Vec<_> = json2.diagnostics.iter().map(row).collect();
        assert_eq!(
            rows,
            [
                (
                    "bad.py",
                    Some(1),
                    Some(8),
                    "E0001 (syntax-error)",
                    Severity::Error
                ),
                (
                    "run.py",
                    Some(1),
                    Some(1),
                    "C0114 (missing-module-docstring)",
                    Severity::Warning
                ),
                (
                    "run.py",
                    Some(3),
                    Some(12),
                    "E0602 (undefined-variable)",
                    Severity::Error
                ),
                (
                    "run.py",
                    Some(1),
                    Some(1),
                    "W0611 (unused-import)",
                    Severity::Warning
                ),
            ]
        );
        // `info` is a note, in json2 as in json.
        let info = r#"{"messages": [{"type": "info", "symbol": "locally-disabled", "message": "m",
            "messageId": "I0011", "line": 2, "column": 0, "path": "a.py"}]}"#;
        assert_eq!(one("i", info).diagnostics[0].severity, Severity::Note);
    }

    #[test]
    fn json_objects_are_told_apart_by_their_first_key() {
        let cases: &[(&str, LintFormat)] = &[
            ("{}", LintFormat::Empty),
            ("{\n}\n", LintFormat::Empty),
            ("{\"desk.py\": []}", LintFormat::Flake8Json),
            (
                "{\"a \\\"quoted\\\" name.py\" :\n [{",
                LintFormat::Flake8Json,
            ),
            (
                "{\"messages\": [], \"statistics\": {}}",
                LintFormat::PylintJson2,
            ),
            (
                "{\"statistics\": {}, \"messages\": []}",
                LintFormat::PylintJson2,
            ),
            ("{\"messages\": {}}", LintFormat::PylintJson2),
            ("{\"runs\": []}", LintFormat::Sarif),
            ("{\"inlineExternalProperties\": []}", LintFormat::Sarif),
            ("{\"$schema\": \"x\", \"runs\": []}", LintFormat::Sarif),
            ("{\"desk.py\": {}}", LintFormat::Sarif),
            ("{\"desk.py\"", LintFormat::Sarif),
            ("{\"reason\": \"build-finished\"}\n", LintFormat::CargoJson),
        ];
        for (text, format) in cases {
            assert_eq!(detect_format(text.as_bytes()), Some(*format), "{text}");
        }
    }

    #[test]
    fn checkstyle_xml() {
        let report = one("checkstyle.xml", CHECKSTYLE);
        assert_eq!(
            (report.tool.as_str(), report.format),
            ("checkstyle", LintFormat::Checkstyle)
        );
        let rows: Vec<_> = report.diagnostics.iter().map(row).collect();
        assert_eq!(
            rows,
            [
                (
                    "src/Main.java",
                    Some(3),
                    Some(5),
                    "com.puppycrawl.tools.checkstyle.checks.sizes.LineLengthCheck",
                    Severity::Warning
                ),
                (
                    "src/Main.java",
                    Some(7),
                    None,
                    "HiddenField",
                    Severity::Error
                ),
            ]
        );
        assert_eq!(report.diagnostics[1].message, "'x' hides a field");
    }

    #[test]
    fn empty_reports_have_no_diagnostic() {
        // flake8 text finding nothing, ruff and pylint JSON finding nothing,
        // flake8-json checking no file (`json` and `json-pretty`): nothing
        // names the tool.
        for text in ["", "\n", "[]", " [ ]\n", "{}", "{}\n", "\u{feff}{ }"] {
            let report = one("r", text);
            assert_eq!(
                (report.format, report.tool.as_str()),
                (LintFormat::Empty, "unknown"),
                "{text:?}"
            );
            assert!(report.diagnostics.is_empty());
        }
        // Clean reports that name their tool are that tool's.
        for (text, tool, format) in [
            ("{\"clean.py\": []}", "flake8", LintFormat::Flake8Json),
            (
                "{\n  \"clean.py\": [],\n  \"desk.py\": []\n}\n",
                "flake8",
                LintFormat::Flake8Json,
            ),
            (
                "{\"messages\": [], \"statistics\": {\"score\": 10.0}}",
                "pylint",
                LintFormat::PylintJson2,
            ),
        ] {
            let report = one("r", text);
            assert_eq!((report.format, report.tool.as_str()), (format, tool));
            assert!(report.diagnostics.is_empty());
        }
    }

    fn error(shown: &str, text: &str) -> String {
        match parse_lint(shown, text.as_bytes()) {
            Err(err @ CheckError::Malformed { .. }) => err.to_string(),
            other => panic!("not Malformed: {other:?}"),
        }
    }

    #[test]
    fn malformed_reports_are_located() {
        let cases: &[(&str, &str)] = &[
            (
                "{\"version\": \"2.1.0\",\n \"runs\": [{\"tool\": {}}]}",
                "r:2:",
            ),
            (
                "{\"version\": \"2.0.0\", \"runs\": []}",
                "r:1:1: SARIF version",
            ),
            (
                "{\"runs\": [{\"tool\": {\"driver\": {\"name\": \"x\"}}, \"results\": [{\"level\": \"bad\", \"message\": {}}]}]}",
                "r:1:1: result of rule",
            ),
            (
                "{\"reason\":\"compiler-message\",\"message\":null}\n",
                "r:1: a `compiler-message`",
            ),
            ("{\"reason\":\"build-finished\"}\nnot json\n", "r:2:"),
            (
                "[{\"code\": \"F401\", \"location\": {\"row\": 1, \"column\": 1}}]",
                "r:1:",
            ),
            (
                "[\n  {\"message-id\": \"C0114\", \"type\": \"style\", \"path\": \"a.py\", \"message\": \"m\"}]",
                "r:1:1: message `C0114`: type `style`",
            ),
            ("[{\"a\": 1}]", "r:1:2: a JSON array"),
            ("{} []", "r:1:4: trailing characters"),
            ("{\n}\n{}", "r:3:1: trailing characters"),
            (
                "{\n  \"desk.py\": [\n    {\"code\": \"F401\", \"filename\": \"desk.py\"}]}",
                "r:3:",
            ),
            (
                "{\"desk.py\": [{\"code\": \"F401\", \"filename\": \"desk.py\", \"line_number\": -1, \"column_number\": 1, \"text\": \"t\"}]}",
                "r:1:",
            ),
            ("{\"desk.py\": [],\n \"run.py\": 3}", "r:2:"),
            ("{\"desk.py\": [\n", "r:2:"),
            ("{\"desk.py\": {}}", "r:1:"),
            (
                "{\"messages\": [\n  {\"type\": \"style\", \"messageId\": \"C0114\", \"path\": \"a.py\", \"message\": \"m\"}]}",
                "r:1:1: message `C0114`: type `style`",
            ),
            (
                "{\"messages\": [{\"type\": \"error\", \"path\": \"a.py\", \"message\": \"m\"}]}",
                "r:1:63: missing field `messageId`",
            ),
            (
                "{\"desk.py\": {}}",
                "r:1:15: missing field `runs` (a JSON object is read as SARIF",
            ),
            (
                "{\"runs\": 1}",
                "r:1:10: invalid type: integer `1`, expected a sequence",
            ),
            ("{\"messages\": {}}", "r:1:"),
            ("{\"statistics\": {}}", "r:1:"),
            ("{\"messages\": [],\n", "r:2:"),
            ("[1, 2", "r:1:"),
            (
                "a.py:1: error: ok\nsomething else\n",
                "r:2: not a mypy message",
            ),
            (
                "a.py:1:1: F401 x\na.py:1:1 F401\n",
                "r:2: not a flake8 message",
            ),
            ("hello", "r:1:1: not a linter report"),
            (
                "<checkstyle>\n  <file name=\"a\">\n    <error line=\"x\"/>",
                "r:3:5: attribute `line`",
            ),
            ("<checkstyle>\n  <file>", "r:2:3: a `<file>` without"),
            ("<report/>", "r:1:1: the root element"),
            ("<checkstyle><file name=\"a\"/>", "r:1:29: the report ends"),
            ("<checkstyle></checkstyle><x/>", "r:1:26: content after"),
        ];
        for (text, expected) in cases {
            let got = error("r", text);
            assert!(got.starts_with(expected), "{text:?}: {got}");
        }
        let got = match parse_lint("r", b"a.py:1:1: F401 \xff\n") {
            Err(err) => err.to_string(),
            Ok(r) => panic!("{r:?}"),
        };
        assert!(got.starts_with("r:1:"), "{got}");
    }

    /// Truncations and byte flips of valid reports: never a panic, and an
    /// error is always `Malformed` with a location.
    #[test]
    fn damaged_reports_never_panic() {
        let runs = for_each_damaged(
            &[
                RUFF_SARIF.as_bytes(),
                CLIPPY.as_bytes(),
                RUFF_JSON.as_bytes(),
                PYLINT.as_bytes(),
                MYPY.as_bytes(),
                FLAKE8.as_bytes(),
                CHECKSTYLE.as_bytes(),
                FLAKE8_RUN_JSON.as_bytes(),
                FLAKE8_RUN_PRETTY.as_bytes(),
                PYLINT_RUN_JSON2.as_bytes(),
            ],
            0x9E37_79B9_7F4A_7C15,
            5,
            500,
            b"<>/\"'&=x:{}[],0 \n\xff",
            check_damaged,
        );
        assert!(runs > 3000);
    }

    fn check_damaged(bytes: &[u8]) {
        match parse_lint("d.txt", bytes) {
            Ok(reports) => {
                for r in reports {
                    assert!(r.diagnostics.iter().all(|d| d.line != Some(0)));
                }
            }
            Err(CheckError::Malformed { location, .. }) => {
                assert!(location.starts_with("d.txt:"), "{location}");
            }
            Err(other) => panic!("not Malformed: {other:?}"),
        }
    }

    #[test]
    fn globs_expand_below_their_literal_directory() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("reports/py")).unwrap();
        for f in ["reports/a.json", "reports/py/b.json", "reports/n.txt"] {
            std::fs::write(root.join(f), "[]").unwrap();
        }
        let shown = |pattern: &str| -> Vec<String> {
            let mut found: Vec<String> = expand(root, pattern)
                .unwrap()
                .iter()
                .map(|p| p.strip_prefix(root).unwrap().display().to_string())
                .collect();
            found.sort();
            found
        };
        assert_eq!(shown("reports/*.json"), ["reports/a.json"]);
        assert_eq!(
            shown("reports/**/*.json"),
            ["reports/a.json", "reports/py/b.json"]
        );
        assert!(shown("missing/*.json").is_empty());
        assert!(expand(root, "reports/[.json").is_err());
    }
}
