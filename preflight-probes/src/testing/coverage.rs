//! Coverage reports, read into one [`CoverageReport`] whatever tool wrote
//! them, and the item `code.testing.unit-coverage` that judges them.
//!
//! The report is named in `preflight.toml`; its format is detected from its
//! content, never from its extension:
//!
//! ```toml
//! [inputs.coverage]
//! path = "target/coverage/cov.xml"
//!
//! [checks."code.testing.unit-coverage"]
//! min = 85.0   # percent of lines; 80.0 by default
//! ```
//!
//! | Format | Written by | Recognised by | Totals cross-checked |
//! |--------|------------|---------------|----------------------|
//! | lcov tracefile | `coverage lcov`, `cargo llvm-cov --lcov`, `llvm-cov export -format=lcov`, geninfo | `TN:`/`SF:` records closed by `end_of_record` | `LF`, `LH`, `BRF`, `BRH` of each record |
//! | Cobertura XML | `coverage xml`, `cargo llvm-cov --cobertura`, JaCoCo-to-Cobertura | root element `<coverage>` | `lines-valid`, `lines-covered`, `branches-valid`, `branches-covered` |
//! | coverage.py JSON | `coverage json` | an object with `meta` and `files` | `totals` |
//! | llvm-cov JSON export | `llvm-cov export -format=text`, `cargo llvm-cov --json` | an object with `data` (type `llvm.coverage.json.export`) | `data[].totals` |
//!
//! Every report is reduced to lines and branches per file
//! ([`FileCoverage`]); the report's totals are the sums over its files, and
//! where the format also declares totals, a disagreement is a malformed
//! report. Line coverage is covered lines over measured lines (coverage.py's
//! own `percent_covered` mixes lines and branches when branches are
//! measured; this module keeps them apart). Branch coverage is present when
//! the report measures at least one branch.
//!
//! A malformed report is a [`CheckError::Malformed`] located
//! `file:line[:column]` (for XML, the byte offset of the faulty markup turned
//! into a line and column; for JSON, `serde_json`'s position or the position of
//! the faulty entry's key), never a panic and never a pass.

use std::collections::BTreeMap;
use std::fmt;

use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use serde::Serialize;
use serde_json::Value;

/// The formats of coverage reports this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "&'static str")]
#[non_exhaustive]
pub enum CoverageFormat {
    /// An lcov tracefile (`SF:`, `DA:`, `LF:`, `LH:`, `BRDA:`, ..., `end_of_record`).
    Lcov,
    /// Cobertura XML.
    Cobertura,
    /// The JSON report of coverage.py (`coverage json`).
    CoveragePyJson,
    /// The JSON export of llvm-cov (`llvm-cov export -format=text`).
    LlvmCovJson,
}

impl CoverageFormat {
    /// The format's short name, as shown in evidence: `lcov`, `cobertura`,
    /// `coverage.py-json` or `llvm-cov-json`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            CoverageFormat::Lcov => "lcov",
            CoverageFormat::Cobertura => "cobertura",
            CoverageFormat::CoveragePyJson => "coverage.py-json",
            CoverageFormat::LlvmCovJson => "llvm-cov-json",
        }
    }
}

impl From<CoverageFormat> for &'static str {
    fn from(format: CoverageFormat) -> Self {
        format.name()
    }
}

impl fmt::Display for CoverageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Lines and branches of one source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FileCoverage {
    /// The file's path as the report names it.
    pub path: String,
    /// Lines measured (executable lines, statements).
    pub lines_total: u64,
    /// Lines executed at least once.
    pub lines_covered: u64,
    /// Branches measured (0 when the report measures none in this file).
    pub branches_total: u64,
    /// Branches taken at least once.
    pub branches_covered: u64,
}

impl FileCoverage {
    /// Percent of lines covered; `None` when the file has no measured line.
    #[must_use]
    pub fn line_percent(&self) -> Option<f64> {
        percent(self.lines_covered, self.lines_total)
    }
}

/// A coverage report reduced to lines and branches, per file and in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CoverageReport {
    /// The format the report was written in.
    pub format: CoverageFormat,
    /// Every file of the report, sorted by path (a file named several times is merged).
    pub files: Vec<FileCoverage>,
    /// Lines measured, over all files.
    pub lines_total: u64,
    /// Lines executed at least once, over all files.
    pub lines_covered: u64,
    /// Branches measured, over all files; `None` when the report measures no branch.
    pub branches_total: Option<u64>,
    /// Branches taken at least once; `None` when the report measures no branch.
    pub branches_covered: Option<u64>,
}

impl CoverageReport {
    /// The report of `files`, its totals summed from them.
    fn from_files(format: CoverageFormat, mut files: Vec<FileCoverage>) -> Self {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let sum = |f: fn(&FileCoverage) -> u64| files.iter().map(f).fold(0u64, u64::saturating_add);
        let branches_total = sum(|f| f.branches_total);
        let branches_covered = sum(|f| f.branches_covered);
        CoverageReport {
            format,
            lines_total: sum(|f| f.lines_total),
            lines_covered: sum(|f| f.lines_covered),
            branches_total: (branches_total > 0).then_some(branches_total),
            branches_covered: (branches_total > 0).then_some(branches_covered),
            files,
        }
    }

    /// Percent of lines covered; `None` when the report has no measured line.
    #[must_use]
    pub fn line_percent(&self) -> Option<f64> {
        percent(self.lines_covered, self.lines_total)
    }

    /// Percent of branches covered; `None` when the report measures no branch.
    #[must_use]
    pub fn branch_percent(&self) -> Option<f64> {
        percent(self.branches_covered?, self.branches_total?)
    }
}

// Counts of lines and branches stay far below 2^52, where f64 is exact.
#[allow(clippy::cast_precision_loss)]
fn percent(covered: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| covered as f64 * 100.0 / total as f64)
}

/// Detects the format of a coverage report from its content; `None` when it
/// is none of the [`CoverageFormat`]s. A JSON document is parsed to tell
/// coverage.py's report from llvm-cov's export.
#[must_use]
pub fn detect_format(bytes: &[u8]) -> Option<CoverageFormat> {
    let text = content(bytes);
    match text.first()? {
        b'<' => Some(CoverageFormat::Cobertura),
        b'{' => json_kind(&serde_json::from_slice(bytes).ok()?),
        _ => is_lcov(text).then_some(CoverageFormat::Lcov),
    }
}

/// The bytes after a UTF-8 byte order mark and leading white space.
fn content(bytes: &[u8]) -> &[u8] {
    bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .trim_ascii_start()
}

/// Whether the first line of `text` opens an lcov tracefile.
fn is_lcov(text: &[u8]) -> bool {
    [&b"TN:"[..], b"SF:", b"VER:"]
        .iter()
        .any(|key| text.starts_with(key))
}

fn json_kind(value: &Value) -> Option<CoverageFormat> {
    let object = value.as_object()?;
    if object.get("type").and_then(Value::as_str) == Some("llvm.coverage.json.export")
        || object.get("data").is_some_and(Value::is_array)
    {
        Some(CoverageFormat::LlvmCovJson)
    } else if object.contains_key("files")
        && (object.contains_key("meta") || object.contains_key("totals"))
    {
        Some(CoverageFormat::CoveragePyJson)
    } else {
        None
    }
}

/// Parses a coverage report in any of the [`CoverageFormat`]s, detected from
/// its content. `shown` names the file in error locations.
///
/// ```
/// use preflight_probes::testing::coverage::{CoverageFormat, parse_coverage};
///
/// let lcov = b"SF:src/lib.rs\nDA:1,4\nDA:2,0\nDA:3,1\nLF:3\nLH:2\nend_of_record\n";
/// let report = parse_coverage("cov.lcov", lcov).unwrap();
/// assert_eq!(report.format, CoverageFormat::Lcov);
/// assert_eq!((report.lines_covered, report.lines_total), (2, 3));
/// assert_eq!(report.branches_total, None);
///
/// // Declared totals must agree with the lines listed.
/// let wrong = b"SF:src/lib.rs\nDA:1,4\nLF:2\nLH:1\nend_of_record\n";
/// let error = parse_coverage("cov.lcov", wrong).unwrap_err();
/// assert!(error.to_string().starts_with("cov.lcov:3:"), "{error}");
/// ```
pub fn parse_coverage(shown: &str, bytes: &[u8]) -> Result<CoverageReport, CheckError> {
    let text = content(bytes);
    match text.first() {
        Some(b'<') => parse_cobertura(shown, bytes),
        Some(b'{') => parse_json(shown, bytes),
        Some(_) if is_lcov(text) => parse_lcov(shown, bytes),
        _ => Err(malformed_at(
            shown,
            bytes,
            bytes.len() - text.len(),
            "not a coverage report: expected an lcov tracefile, Cobertura XML, coverage.py JSON or an llvm-cov JSON export",
        )),
    }
}

/// Parses a coverage report known to be in `format`.
pub fn parse_coverage_as(
    format: CoverageFormat,
    shown: &str,
    bytes: &[u8],
) -> Result<CoverageReport, CheckError> {
    let report = match format {
        CoverageFormat::Lcov => parse_lcov(shown, bytes)?,
        CoverageFormat::Cobertura => parse_cobertura(shown, bytes)?,
        CoverageFormat::CoveragePyJson | CoverageFormat::LlvmCovJson => {
            let report = parse_json(shown, bytes)?;
            if report.format != format {
                return Err(malformed_at(
                    shown,
                    bytes,
                    0,
                    format!("expected {format}, found {}", report.format),
                ));
            }
            report
        }
    };
    Ok(report)
}

/// A malformed-report error at byte offset `pos` of `bytes`, located `file:line:column`.
fn malformed_at(shown: &str, bytes: &[u8], pos: usize, message: impl Into<String>) -> CheckError {
    let pos = pos.min(bytes.len());
    let before = &bytes[..pos];
    let line = before.split(|b| *b == b'\n').count();
    let column = pos
        - before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    CheckError::Malformed {
        location: format!("{shown}:{line}:{column}"),
        message: message.into(),
    }
}

/// Shortens `text` for a message.
fn clip(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

// ---------------------------------------------------------------- lcov

/// One `SF:` ... `end_of_record` record being read.
struct LcovRecord {
    path: String,
    start: u64,
    lines: BTreeMap<u64, u64>,
    branches: BTreeMap<(u64, String, String), u64>,
    /// `LF`, `LH`, `BRF`, `BRH` as declared, with their line.
    declared: [Option<(u64, u64)>; 4],
}

impl LcovRecord {
    /// Reads the line `key:value` (line `n`) of the record.
    fn read(
        &mut self,
        key: &str,
        value: &str,
        n: u64,
        at: &dyn Fn(u64, String) -> CheckError,
    ) -> Result<(), CheckError> {
        let number = |field: &str, what: &str| {
            field.trim().parse::<u64>().map_err(|_| {
                at(
                    n,
                    format!(
                        "`{key}:`: expected {what} (a whole number), found `{}`",
                        clip(field)
                    ),
                )
            })
        };
        match key {
            "DA" => {
                let mut fields = value.split(',');
                let line_no = number(fields.next().unwrap_or(""), "a line number")?;
                let hits = number(fields.next().unwrap_or(""), "an execution count")?;
                let entry = self.lines.entry(line_no).or_insert(0);
                *entry = entry.saturating_add(hits);
            }
            "BRDA" => {
                let (head, taken) = value.rsplit_once(',').unwrap_or((value, ""));
                let mut fields = head.splitn(3, ',');
                let line_no = number(fields.next().unwrap_or(""), "a line number")?;
                let block = fields.next().unwrap_or("").to_owned();
                let branch = fields.next().ok_or_else(|| {
                    at(
                        n,
                        format!(
                            "`BRDA:`: expected `line,block,branch,taken`, found `{}`",
                            clip(value)
                        ),
                    )
                })?;
                // `-`: the block was never reached, so the branch was not taken.
                let taken = if taken.trim() == "-" {
                    0
                } else {
                    number(taken, "a count or `-`")?
                };
                let entry = self
                    .branches
                    .entry((line_no, block, branch.to_owned()))
                    .or_insert(0);
                *entry = entry.saturating_add(taken);
            }
            "LF" | "LH" | "BRF" | "BRH" => {
                let slot = ["LF", "LH", "BRF", "BRH"]
                    .iter()
                    .position(|k| *k == key)
                    .unwrap_or(0);
                self.declared[slot] = Some((number(value, "a count")?, n));
            }
            // Functions and lcov 2 additions: not needed for line and branch coverage.
            _ if key.bytes().all(|b| b.is_ascii_uppercase()) => {}
            _ => return Err(at(n, format!("unknown lcov key `{}:`", clip(key)))),
        }
        Ok(())
    }
}

/// Lines and branches of one file, merged over its records or classes.
#[derive(Default)]
struct Merged {
    lines: BTreeMap<u64, u64>,
    branches_total: u64,
    branches_covered: u64,
}

impl Merged {
    fn file(path: String, merged: &Merged) -> FileCoverage {
        FileCoverage {
            path,
            lines_total: merged.lines.len() as u64,
            lines_covered: merged.lines.values().filter(|h| **h > 0).count() as u64,
            branches_total: merged.branches_total,
            branches_covered: merged.branches_covered,
        }
    }
}

fn parse_lcov(shown: &str, bytes: &[u8]) -> Result<CoverageReport, CheckError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| malformed_at(shown, bytes, e.valid_up_to(), "the tracefile is not UTF-8"))?;
    let at = |line: u64, message: String| CheckError::Malformed {
        location: format!("{shown}:{line}"),
        message,
    };
    let mut files = LcovFiles::new();
    let mut record: Option<LcovRecord> = None;
    let mut last = 0;
    for (n, raw) in (1u64..).zip(text.lines()) {
        last = n;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if line == "end_of_record" {
            let closed = record.take().ok_or_else(|| {
                at(
                    n,
                    "`end_of_record` outside a record (no `SF:` before it)".to_owned(),
                )
            })?;
            close_lcov_record(closed, &at, &mut files)?;
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(at(
                n,
                format!(
                    "expected `KEY:value` or `end_of_record`, found `{}`",
                    clip(line)
                ),
            ));
        };
        if matches!(key, "TN" | "VER") {
            continue;
        }
        if key == "SF" {
            if let Some(open) = &record {
                return Err(at(
                    n,
                    format!(
                        "`SF:` inside the record of `{}` opened on line {}: its `end_of_record` is missing",
                        open.path, open.start
                    ),
                ));
            }
            record = Some(LcovRecord {
                path: value.to_owned(),
                start: n,
                lines: BTreeMap::new(),
                branches: BTreeMap::new(),
                declared: [None; 4],
            });
            continue;
        }
        let open = record
            .as_mut()
            .ok_or_else(|| at(n, format!("`{key}:` outside a record (no `SF:` before it)")))?;
        open.read(key, value, n, &at)?;
    }
    if let Some(open) = record {
        return Err(at(
            last.max(1),
            format!(
                "the record of `{}` opened on line {} has no `end_of_record`: the tracefile is truncated",
                open.path, open.start
            ),
        ));
    }
    let files = files
        .into_iter()
        .map(|(path, (lines, branches))| {
            let merged = Merged {
                lines,
                branches_total: branches.len() as u64,
                branches_covered: branches.values().filter(|t| **t > 0).count() as u64,
            };
            Merged::file(path, &merged)
        })
        .collect();
    Ok(CoverageReport::from_files(CoverageFormat::Lcov, files))
}

type LcovFiles = BTreeMap<String, (BTreeMap<u64, u64>, BTreeMap<(u64, String, String), u64>)>;

/// Checks a closed record against its declared `LF`/`LH`/`BRF`/`BRH` and merges it.
fn close_lcov_record(
    record: LcovRecord,
    at: &dyn Fn(u64, String) -> CheckError,
    files: &mut LcovFiles,
) -> Result<(), CheckError> {
    let counted = [
        record.lines.len() as u64,
        record.lines.values().filter(|h| **h > 0).count() as u64,
        record.branches.len() as u64,
        record.branches.values().filter(|t| **t > 0).count() as u64,
    ];
    let what = [
        "`DA:` lines",
        "`DA:` lines executed",
        "`BRDA:` branches",
        "`BRDA:` branches taken",
    ];
    for (i, key) in ["LF", "LH", "BRF", "BRH"].iter().enumerate() {
        if let Some((declared, line)) = record.declared[i]
            && declared != counted[i]
        {
            return Err(at(
                line,
                format!(
                    "`{key}:{declared}` but the record of `{}` has {} {}: the totals disagree with the lines",
                    record.path, counted[i], what[i]
                ),
            ));
        }
    }
    let (lines, branches) = files.entry(record.path).or_default();
    for (line, hits) in record.lines {
        let entry = lines.entry(line).or_insert(0);
        *entry = entry.saturating_add(hits);
    }
    for (key, taken) in record.branches {
        let entry = branches.entry(key).or_insert(0);
        *entry = entry.saturating_add(taken);
    }
    Ok(())
}

// ---------------------------------------------------------------- Cobertura

/// The elements whose nesting matters: a `<line>` counts only in a class's
/// own `<lines>` (a method's `<lines>` repeats them).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    Coverage,
    Class,
    ClassLines,
    Other,
}

/// Totals as the `<coverage>` element declares them, or as counted from its `<line>`s.
#[derive(Default, Clone, Copy)]
struct XmlTotals {
    lines_total: Option<u64>,
    lines_covered: Option<u64>,
    branches_total: Option<u64>,
    branches_covered: Option<u64>,
}

struct CoberturaReader<'a> {
    shown: &'a str,
    bytes: &'a [u8],
    stack: Vec<Tag>,
    root_seen: bool,
    root_pos: usize,
    declared: XmlTotals,
    counted: [u64; 4],
    current: Option<String>,
    files: BTreeMap<String, BTreeMap<u64, (u64, u64, u64)>>,
}

impl CoberturaReader<'_> {
    fn error(&self, pos: usize, message: impl Into<String>) -> CheckError {
        malformed_at(self.shown, self.bytes, pos, message)
    }

    fn attr(
        &self,
        e: &BytesStart<'_>,
        name: &str,
        pos: usize,
    ) -> Result<Option<String>, CheckError> {
        let bad = |err: &dyn fmt::Display| {
            self.error(
                pos,
                format!("`<{}>`: attribute `{name}`: {err}", e.name().as_ref()),
            )
        };
        match e.try_get_attribute(name) {
            Ok(Some(a)) => a
                .normalized_value(XmlVersion::Implicit1_0)
                .map(|v| Some(v.into_owned()))
                .map_err(|err| bad(&err)),
            Ok(None) => Ok(None),
            Err(err) => Err(bad(&err)),
        }
    }

    fn count(&self, e: &BytesStart<'_>, name: &str, pos: usize) -> Result<Option<u64>, CheckError> {
        self.attr(e, name, pos)?
            .map(|raw| {
                raw.trim().parse::<u64>().map_err(|_| {
                    self.error(
                        pos,
                        format!(
                            "`<{}>`: attribute `{name}`: expected a whole number, found `{}`",
                            e.name().as_ref(),
                            clip(&raw)
                        ),
                    )
                })
            })
            .transpose()
    }

    /// Handles an opening (or empty) element; returns the tag to push.
    fn open(&mut self, e: &BytesStart<'_>, pos: usize, empty: bool) -> Result<Tag, CheckError> {
        let name = e.local_name();
        let name = name.as_ref();
        let parent = self.stack.last().copied();
        if parent.is_none() {
            if self.root_seen {
                return Err(self.error(pos, format!("a second root element `<{name}>`")));
            }
            if name != "coverage" {
                return Err(self.error(
                    pos,
                    format!(
                        "the root element is `<{name}>`, not `<coverage>`: not a Cobertura report"
                    ),
                ));
            }
            self.root_seen = true;
            self.root_pos = pos;
            self.declared = XmlTotals {
                lines_total: self.count(e, "lines-valid", pos)?,
                lines_covered: self.count(e, "lines-covered", pos)?,
                branches_total: self.count(e, "branches-valid", pos)?,
                branches_covered: self.count(e, "branches-covered", pos)?,
            };
            return Ok(Tag::Coverage);
        }
        match (name, parent) {
            ("class", _) => {
                let path = self
                    .attr(e, "filename", pos)?
                    .ok_or_else(|| self.error(pos, "`<class>` without a `filename` attribute"))?;
                self.files.entry(path.clone()).or_default();
                self.current = (!empty).then_some(path);
                Ok(Tag::Class)
            }
            ("lines", Some(Tag::Class)) => Ok(Tag::ClassLines),
            ("line", Some(Tag::ClassLines)) => {
                self.line(e, pos)?;
                Ok(Tag::Other)
            }
            _ => Ok(Tag::Other),
        }
    }

    /// Records a `<line number hits [branch condition-coverage]>` of the current class.
    fn line(&mut self, e: &BytesStart<'_>, pos: usize) -> Result<(), CheckError> {
        let number = self
            .count(e, "number", pos)?
            .ok_or_else(|| self.error(pos, "`<line>` without a `number` attribute"))?;
        let hits = self
            .count(e, "hits", pos)?
            .ok_or_else(|| self.error(pos, "`<line>` without a `hits` attribute"))?;
        let branch = self.attr(e, "branch", pos)?.is_some_and(|b| b == "true");
        let (taken, total) = match self.attr(e, "condition-coverage", pos)? {
            Some(raw) if branch => condition_coverage(&raw).ok_or_else(|| {
                self.error(
                    pos,
                    format!(
                        "`<line>`: attribute `condition-coverage`: expected such as `50% (1/2)`, found `{}`",
                        clip(&raw)
                    ),
                )
            })?,
            _ => (0, 0),
        };
        let add = |slot: &mut u64, by: u64| *slot = slot.saturating_add(by);
        add(&mut self.counted[0], 1);
        add(&mut self.counted[1], u64::from(hits > 0));
        add(&mut self.counted[2], total);
        add(&mut self.counted[3], taken);
        let Some(path) = &self.current else {
            return Ok(());
        };
        let lines = self.files.entry(path.clone()).or_default();
        // A line named by several classes of one file (inner classes) counts once.
        let entry = lines.entry(number).or_insert((0, 0, 0));
        *entry = (entry.0.max(hits), entry.1.max(taken), entry.2.max(total));
        Ok(())
    }

    fn read(mut self) -> Result<CoverageReport, CheckError> {
        let mut reader = Reader::from_reader(self.bytes);
        loop {
            let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = reader.read_event().map_err(|err| {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                self.error(at, format!("invalid XML: {err}"))
            })?;
            match event {
                Event::Start(e) => {
                    let tag = self.open(&e, pos, false)?;
                    self.stack.push(tag);
                }
                Event::Empty(e) => {
                    self.open(&e, pos, true)?;
                }
                Event::End(_) => {
                    let closed = self.stack.pop();
                    if closed == Some(Tag::Class) {
                        self.current = None;
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !self.stack.is_empty() {
            return Err(self.error(
                self.bytes.len(),
                "the document ends inside an open element: the report is truncated",
            ));
        }
        if !self.root_seen {
            return Err(self.error(0, "no `<coverage>` element: not a Cobertura report"));
        }
        let declared = [
            ("lines-valid", self.declared.lines_total),
            ("lines-covered", self.declared.lines_covered),
            ("branches-valid", self.declared.branches_total),
            ("branches-covered", self.declared.branches_covered),
        ];
        let what = [
            "`<line>` elements",
            "`<line>` elements with hits",
            "branches in `condition-coverage`",
            "branches covered in `condition-coverage`",
        ];
        for (i, (attr, value)) in declared.iter().enumerate() {
            if let Some(value) = value
                && *value != self.counted[i]
            {
                return Err(self.error(
                    self.root_pos,
                    format!(
                        "`{attr}=\"{value}\"` but the classes have {} {}: the totals disagree with the files",
                        self.counted[i], what[i]
                    ),
                ));
            }
        }
        let files = std::mem::take(&mut self.files)
            .into_iter()
            .map(|(path, lines)| {
                let merged = Merged {
                    branches_total: lines.values().map(|l| l.2).fold(0, u64::saturating_add),
                    branches_covered: lines.values().map(|l| l.1).fold(0, u64::saturating_add),
                    lines: lines.into_iter().map(|(n, l)| (n, l.0)).collect(),
                };
                Merged::file(path, &merged)
            })
            .collect();
        Ok(CoverageReport::from_files(CoverageFormat::Cobertura, files))
    }
}

/// `50% (1/2)` → `(1, 2)`.
fn condition_coverage(raw: &str) -> Option<(u64, u64)> {
    let inner = raw.split_once('(')?.1.trim().strip_suffix(')')?;
    let (taken, total) = inner.split_once('/')?;
    let (taken, total) = (taken.trim().parse().ok()?, total.trim().parse().ok()?);
    (taken <= total).then_some((taken, total))
}

fn parse_cobertura(shown: &str, bytes: &[u8]) -> Result<CoverageReport, CheckError> {
    CoberturaReader {
        shown,
        bytes,
        stack: Vec::new(),
        root_seen: false,
        root_pos: 0,
        declared: XmlTotals::default(),
        counted: [0; 4],
        current: None,
        files: BTreeMap::new(),
    }
    .read()
}

// ---------------------------------------------------------------- JSON

/// A JSON report: the document, for errors located at a key.
struct JsonReport<'a> {
    shown: &'a str,
    bytes: &'a [u8],
}

impl JsonReport<'_> {
    /// An error located at the first occurrence of `key` (a JSON string, quoted) in the document.
    fn error_at(&self, key: &str, message: impl Into<String>) -> CheckError {
        let needle = serde_json::to_string(key).unwrap_or_default();
        let pos = self
            .bytes
            .windows(needle.len().max(1))
            .position(|w| w == needle.as_bytes())
            .unwrap_or(0);
        malformed_at(self.shown, self.bytes, pos, message)
    }

    /// The whole number at `keys` under `value`; `None` when absent and `optional`.
    fn count(
        &self,
        value: &Value,
        keys: &[&str],
        near: &str,
        what: &str,
    ) -> Result<Option<u64>, CheckError> {
        let mut node = value;
        for key in keys {
            match node.get(key) {
                Some(next) => node = next,
                None => return Ok(None),
            }
        }
        node.as_u64().map(Some).ok_or_else(|| {
            self.error_at(
                near,
                format!(
                    "{what}: `{}`: expected a whole number, found {}",
                    keys.join("."),
                    clip(&node.to_string())
                ),
            )
        })
    }

    fn required(
        &self,
        value: &Value,
        keys: &[&str],
        near: &str,
        what: &str,
    ) -> Result<u64, CheckError> {
        self.count(value, keys, near, what)?
            .ok_or_else(|| self.error_at(near, format!("{what}: `{}` is missing", keys.join("."))))
    }
}

fn parse_json(shown: &str, bytes: &[u8]) -> Result<CoverageReport, CheckError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| CheckError::Malformed {
        location: format!("{shown}:{}:{}", e.line(), e.column().max(1)),
        message: format!("invalid JSON: {e}"),
    })?;
    let json = JsonReport { shown, bytes };
    match json_kind(&value) {
        Some(CoverageFormat::LlvmCovJson) => parse_llvm_cov(&json, &value),
        Some(_) => parse_coverage_py(&json, &value),
        None => Err(malformed_at(
            shown,
            bytes,
            0,
            "a JSON document that is neither a coverage.py report (`meta`, `files`, `totals`) nor an llvm-cov export (`data[].files`, `data[].totals`)",
        )),
    }
}

fn parse_coverage_py(json: &JsonReport<'_>, root: &Value) -> Result<CoverageReport, CheckError> {
    let entries = root
        .get("files")
        .and_then(Value::as_object)
        .ok_or_else(|| json.error_at("files", "`files`: expected an object of files"))?;
    let mut files = Vec::with_capacity(entries.len());
    for (path, entry) in entries {
        let what = format!("file `{path}`");
        let file = FileCoverage {
            path: path.clone(),
            lines_total: json.required(entry, &["summary", "num_statements"], path, &what)?,
            lines_covered: json.required(entry, &["summary", "covered_lines"], path, &what)?,
            branches_total: json
                .count(entry, &["summary", "num_branches"], path, &what)?
                .unwrap_or(0),
            branches_covered: json
                .count(entry, &["summary", "covered_branches"], path, &what)?
                .unwrap_or(0),
        };
        check_file(json, &file)?;
        files.push(file);
    }
    let totals = root
        .get("totals")
        .ok_or_else(|| json.error_at("files", "`totals` is missing: the report is incomplete"))?;
    let report = CoverageReport::from_files(CoverageFormat::CoveragePyJson, files);
    let declared = [
        (
            "num_statements",
            json.required(totals, &["num_statements"], "totals", "`totals`")?,
        ),
        (
            "covered_lines",
            json.required(totals, &["covered_lines"], "totals", "`totals`")?,
        ),
        (
            "num_branches",
            json.count(totals, &["num_branches"], "totals", "`totals`")?
                .unwrap_or(0),
        ),
        (
            "covered_branches",
            json.count(totals, &["covered_branches"], "totals", "`totals`")?
                .unwrap_or(0),
        ),
    ];
    check_totals(json, &report, "totals", &declared)?;
    Ok(report)
}

fn parse_llvm_cov(json: &JsonReport<'_>, root: &Value) -> Result<CoverageReport, CheckError> {
    let exports = root
        .get("data")
        .and_then(Value::as_array)
        .filter(|d| !d.is_empty())
        .ok_or_else(|| json.error_at("data", "`data`: expected a non-empty array of exports"))?;
    let mut merged: BTreeMap<String, FileCoverage> = BTreeMap::new();
    for (i, export) in exports.iter().enumerate() {
        let entries = export
            .get("files")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                json.error_at(
                    "data",
                    format!("`data[{i}].files`: expected an array of files"),
                )
            })?;
        let mut files = Vec::with_capacity(entries.len());
        for entry in entries {
            let path = entry
                .get("filename")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    json.error_at(
                        "files",
                        format!("`data[{i}].files`: an entry without a `filename`"),
                    )
                })?;
            let what = format!("file `{path}`");
            let file = FileCoverage {
                path: path.to_owned(),
                lines_total: json.required(entry, &["summary", "lines", "count"], path, &what)?,
                lines_covered: json.required(
                    entry,
                    &["summary", "lines", "covered"],
                    path,
                    &what,
                )?,
                branches_total: json
                    .count(entry, &["summary", "branches", "count"], path, &what)?
                    .unwrap_or(0),
                branches_covered: json
                    .count(entry, &["summary", "branches", "covered"], path, &what)?
                    .unwrap_or(0),
            };
            check_file(json, &file)?;
            files.push(file);
        }
        let report = CoverageReport::from_files(CoverageFormat::LlvmCovJson, files);
        let what = format!("`data[{i}].totals`");
        let totals = export.get("totals").ok_or_else(|| {
            json.error_at(
                "files",
                format!("{what} is missing: the export is incomplete"),
            )
        })?;
        let declared = [
            (
                "lines.count",
                json.required(totals, &["lines", "count"], "totals", &what)?,
            ),
            (
                "lines.covered",
                json.required(totals, &["lines", "covered"], "totals", &what)?,
            ),
            (
                "branches.count",
                json.count(totals, &["branches", "count"], "totals", &what)?
                    .unwrap_or(0),
            ),
            (
                "branches.covered",
                json.count(totals, &["branches", "covered"], "totals", &what)?
                    .unwrap_or(0),
            ),
        ];
        check_totals(json, &report, "totals", &declared)?;
        for file in report.files {
            match merged.get_mut(&file.path) {
                Some(seen) => {
                    seen.lines_total = seen.lines_total.saturating_add(file.lines_total);
                    seen.lines_covered = seen.lines_covered.saturating_add(file.lines_covered);
                    seen.branches_total = seen.branches_total.saturating_add(file.branches_total);
                    seen.branches_covered =
                        seen.branches_covered.saturating_add(file.branches_covered);
                }
                None => {
                    merged.insert(file.path.clone(), file);
                }
            }
        }
    }
    Ok(CoverageReport::from_files(
        CoverageFormat::LlvmCovJson,
        merged.into_values().collect(),
    ))
}

/// A file cannot cover more than it measures.
fn check_file(json: &JsonReport<'_>, file: &FileCoverage) -> Result<(), CheckError> {
    if file.lines_covered > file.lines_total || file.branches_covered > file.branches_total {
        return Err(json.error_at(
            &file.path,
            format!(
                "file `{}`: covers {} of {} lines and {} of {} branches: more covered than measured",
                file.path, file.lines_covered, file.lines_total, file.branches_covered, file.branches_total
            ),
        ));
    }
    Ok(())
}

/// The declared totals (lines measured, covered, branches measured, covered) against the files' sums.
fn check_totals(
    json: &JsonReport<'_>,
    report: &CoverageReport,
    near: &str,
    declared: &[(&str, u64); 4],
) -> Result<(), CheckError> {
    let counted = [
        report.lines_total,
        report.lines_covered,
        report.branches_total.unwrap_or(0),
        report.branches_covered.unwrap_or(0),
    ];
    for ((key, value), counted) in declared.iter().zip(counted) {
        if *value != counted {
            return Err(json.error_at(
                near,
                format!(
                    "`{near}.{key}` is {value} but the files sum to {counted}: the totals disagree with the files"
                ),
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- the item

/// The report named by `[inputs.coverage]`, parsed once per run.
#[derive(Debug)]
#[non_exhaustive]
pub struct CoverageArtifact {
    /// The report.
    pub report: CoverageReport,
    /// The file read: its path, sha256 and modification time.
    pub artifact: Artifact,
}

impl Input for CoverageArtifact {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let shown = match source.value() {
            toml::Value::String(path) => path.clone(),
            toml::Value::Table(t) => {
                if let Some(key) = t.keys().find(|k| k.as_str() != "path") {
                    return Err(source.error(format!(
                        "unknown key `{key}` in [inputs.{}] (expected `path`)",
                        source.name()
                    )));
                }
                t.get("path")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| source.error("expected `path = \"<coverage report>\"`"))?
                    .to_owned()
            }
            _ => return Err(source.error("expected a path to a coverage report")),
        };
        let full = source.root().join(&shown);
        let bytes = std::fs::read(&full)
            .map_err(|e| source.error(format!("cannot read `{shown}`: {e}")))?;
        let modified = std::fs::metadata(&full)
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| jiff::Timestamp::try_from(t).ok());
        Ok(CoverageArtifact {
            report: parse_coverage(&shown, &bytes)?,
            artifact: Artifact::from_bytes(shown, &bytes, modified),
        })
    }
}

/// One of the files with the lowest line coverage.
#[derive(Debug, Clone, Serialize)]
struct WorstFile {
    path: String,
    percent: f64,
    covered: u64,
    total: u64,
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "{line_coverage:.2}% of {lines_total} lines covered in {files} files ({format}; minimum {min}%)"
)]
struct CoverageEvidence {
    format: &'static str,
    line_coverage: f64,
    lines_covered: u64,
    lines_total: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch_coverage: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    branches_covered: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    branches_total: Option<u64>,
    min: f64,
    files: usize,
    /// The 10 files with the lowest line coverage (files without lines left out).
    worst_files: Vec<WorstFile>,
}

/// The files of `report` with the lowest line coverage, at most `n`.
fn worst_files(report: &CoverageReport, n: usize) -> Vec<WorstFile> {
    let mut files: Vec<WorstFile> = report
        .files
        .iter()
        .filter_map(|f| {
            Some(WorstFile {
                path: f.path.clone(),
                percent: f.line_percent()?,
                covered: f.lines_covered,
                total: f.lines_total,
            })
        })
        .collect();
    files.sort_by(|a, b| {
        a.percent
            .total_cmp(&b.percent)
            .then(b.total.cmp(&a.total))
            .then_with(|| a.path.cmp(&b.path))
    });
    files.truncate(n);
    files
}

/// Unit tests cover at least `min` percent of the measured lines, as the
/// coverage report of `[inputs.coverage]` says (lcov, Cobertura XML,
/// coverage.py JSON or llvm-cov JSON; see the [module documentation](self)).
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "code.testing.unit-coverage",
    title = "Unit test coverage >= 80%",
    group = "Testing",
    severity = "high",
    owner = "tech-lead",
    evidence_ttl = "30d",
    inputs = ["coverage"],
    remediation = "add unit tests for the files listed in `worst_files`, regenerate the coverage report, and point [inputs.coverage] at it"
)]
pub struct UnitCoverage {
    /// The lowest acceptable line coverage, in percent.
    pub min: f64,
}

impl Default for UnitCoverage {
    fn default() -> Self {
        UnitCoverage { min: 80.0 }
    }
}

impl Check for UnitCoverage {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        if !(0.0..=100.0).contains(&self.min) {
            return Err(CheckError::msg(format!(
                "item `code.testing.unit-coverage`: `min` is {}, expected a percent from 0 to 100",
                self.min
            )));
        }
        let input = cx.input::<CoverageArtifact>("coverage")?;
        let report = &input.report;
        let line_coverage = report.line_percent().unwrap_or(0.0);
        let evidence = CoverageEvidence {
            format: report.format.name(),
            line_coverage,
            lines_covered: report.lines_covered,
            lines_total: report.lines_total,
            branch_coverage: report.branch_percent(),
            branches_covered: report.branches_covered,
            branches_total: report.branches_total,
            min: self.min,
            files: report.files.len(),
            worst_files: worst_files(report, 10),
        };
        let outcome = if report.lines_total == 0 {
            Outcome::fail(format!(
                "the report covers no line: `{}` ({}) measures no line in {} files; run the tests under coverage and regenerate it",
                input.artifact.path,
                report.format,
                report.files.len()
            ))
        } else if line_coverage < self.min {
            Outcome::fail(format!(
                "line coverage {line_coverage:.2}% is below the minimum {}% ({} of {} lines)",
                self.min, report.lines_covered, report.lines_total
            ))
        } else {
            Outcome::pass(format!(
                "line coverage {line_coverage:.2}% meets the minimum {}% ({} of {} lines)",
                self.min, report.lines_covered, report.lines_total
            ))
        };
        Ok(outcome
            .with_evidence(&evidence)
            .with_artifact(input.artifact.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LCOV: &str = "TN:\nSF:pkg/a.py\nDA:1,1\nDA:2,0\nDA:3,2\nLF:3\nLH:2\nBRDA:3,0,jump to line 4,1\nBRDA:3,0,jump to line 5,-\nBRF:2\nBRH:1\nend_of_record\nSF:pkg/b.py\nDA:1,1\nLF:1\nLH:1\nend_of_record\n";

    const COBERTURA: &str = r#"<?xml version="1.0" ?>
<coverage version="7.17.3" lines-valid="4" lines-covered="3" line-rate="0.75" branches-valid="2" branches-covered="1" branch-rate="0.5">
	<packages>
		<package name="pkg">
			<classes>
				<class name="a.py" filename="pkg/a.py">
					<methods>
						<method name="f"><lines><line number="1" hits="1"/></lines></method>
					</methods>
					<lines>
						<line number="1" hits="1"/>
						<line number="2" hits="0"/>
						<line number="3" hits="2" branch="true" condition-coverage="50% (1/2)"/>
					</lines>
				</class>
				<class name="b.py" filename="pkg/b.py">
					<lines>
						<line number="1" hits="1"/>
					</lines>
				</class>
			</classes>
		</package>
	</packages>
</coverage>
"#;

    const COVERAGE_PY: &str = r#"{
  "meta": {"format": 3, "version": "7.17.3", "branch_coverage": true},
  "files": {
    "pkg/a.py": {"summary": {"covered_lines": 2, "num_statements": 3, "num_branches": 2, "covered_branches": 1}},
    "pkg/b.py": {"summary": {"covered_lines": 1, "num_statements": 1, "num_branches": 0, "covered_branches": 0}}
  },
  "totals": {"covered_lines": 3, "num_statements": 4, "num_branches": 2, "covered_branches": 1}
}"#;

    const LLVM: &str = r#"{"data":[{"files":[
  {"filename":"/src/a.rs","summary":{"lines":{"count":3,"covered":2,"percent":66.6},"branches":{"count":2,"covered":1}}},
  {"filename":"/src/b.rs","summary":{"lines":{"count":1,"covered":1,"percent":100},"branches":{"count":0,"covered":0}}}
 ],
 "totals":{"lines":{"count":4,"covered":3,"percent":75},"branches":{"count":2,"covered":1}}}],
 "type":"llvm.coverage.json.export","version":"2.0.1"}"#;

    fn totals(report: &CoverageReport) -> (u64, u64, Option<u64>, Option<u64>) {
        (
            report.lines_total,
            report.lines_covered,
            report.branches_total,
            report.branches_covered,
        )
    }

    fn location(error: &CheckError) -> &str {
        match error {
            CheckError::Malformed { location, .. } => location,
            other => panic!("expected a malformed-report error, got {other:?}"),
        }
    }

    #[test]
    fn every_format_reads_the_same_numbers() {
        for (text, format) in [
            (LCOV, CoverageFormat::Lcov),
            (COBERTURA, CoverageFormat::Cobertura),
            (COVERAGE_PY, CoverageFormat::CoveragePyJson),
            (LLVM, CoverageFormat::LlvmCovJson),
        ] {
            assert_eq!(detect_format(text.as_bytes()), Some(format));
            let report = parse_coverage("r", text.as_bytes()).unwrap();
            assert_eq!(report.format, format);
            assert_eq!(totals(&report), (4, 3, Some(2), Some(1)), "{format}");
            assert_eq!(report.files.len(), 2);
            assert_eq!(
                (report.files[0].lines_total, report.files[0].lines_covered),
                (3, 2)
            );
            assert_eq!(report.line_percent(), Some(75.0));
            assert_eq!(report.branch_percent(), Some(50.0));
            assert_eq!(
                parse_coverage_as(format, "r", text.as_bytes()).unwrap(),
                report
            );
        }
    }

    #[test]
    fn detection_refuses_other_content() {
        assert_eq!(detect_format(b""), None);
        assert_eq!(detect_format(b"date,symbol\n"), None);
        assert_eq!(detect_format(b"{\"tests\": 3}"), None);
        assert_eq!(
            detect_format(b"\xEF\xBB\xBF  SF:a\n"),
            Some(CoverageFormat::Lcov)
        );
        let error = parse_coverage("x.csv", b"\n\ndate,symbol\n").unwrap_err();
        assert_eq!(location(&error), "x.csv:3:1");
        let error = parse_coverage("x.json", b"{\"tests\": 3}").unwrap_err();
        assert_eq!(location(&error), "x.json:1:1");
        let error = parse_coverage_as(CoverageFormat::CoveragePyJson, "x.json", LLVM.as_bytes())
            .unwrap_err();
        assert!(error.to_string().contains("found llvm-cov-json"), "{error}");
    }

    #[test]
    fn lcov_records_of_one_file_merge() {
        let text = "SF:a\nDA:1,0\nDA:2,0\nend_of_record\nSF:a\nDA:1,3\nDA:2,0\nend_of_record\n";
        let report = parse_coverage("r", text.as_bytes()).unwrap();
        assert_eq!(totals(&report), (2, 1, None, None));
        assert_eq!(report.files.len(), 1);
    }

    #[test]
    fn lcov_errors_are_located() {
        let cases = [
            ("SF:a\nDA:1,x\nend_of_record\n", "r:2", "execution count"),
            ("SF:a\nDA:1,1\nLF:1\nLH:0\nend_of_record\n", "r:4", "`LH:0`"),
            (
                "SF:a\nBRDA:1,0,0,1\nBRF:2\nend_of_record\n",
                "r:3",
                "`BRF:2`",
            ),
            ("SF:a\nDA:1,1\n", "r:2", "truncated"),
            ("SF:a\nSF:b\n", "r:2", "`end_of_record` is missing"),
            ("TN:\nDA:1,1\n", "r:2", "outside a record"),
            ("SF:a\ngarbage\n", "r:2", "`KEY:value`"),
            ("SF:a\nda:1,1\n", "r:2", "unknown lcov key"),
            ("SF:a\nBRDA:1\nend_of_record\n", "r:2", "BRDA"),
        ];
        for (text, at, needle) in cases {
            let error = parse_coverage("r", text.as_bytes()).unwrap_err();
            assert_eq!(location(&error), at, "{text:?}: {error}");
            assert!(error.to_string().contains(needle), "{text:?}: {error}");
        }
    }

    #[test]
    fn truncated_xml_is_located() {
        let cut = &COBERTURA[..COBERTURA.find("<class name=\"b.py\"").unwrap() + 10];
        let error = parse_coverage("cov.xml", cut.as_bytes()).unwrap_err();
        let at = location(&error);
        assert_eq!(at, "cov.xml:16:5", "{error}");
        // A cut between elements leaves them open.
        let cut = &COBERTURA[..COBERTURA.find("</classes>").unwrap()];
        let error = parse_coverage("cov.xml", cut.as_bytes()).unwrap_err();
        assert!(error.to_string().contains("truncated"), "{error}");
    }

    #[test]
    fn xml_errors_are_located() {
        let bad_hits = COBERTURA.replace(r#"number="2" hits="0""#, r#"number="2" hits="many""#);
        let error = parse_coverage("cov.xml", bad_hits.as_bytes()).unwrap_err();
        assert_eq!(location(&error), "cov.xml:12:7", "{error}");
        assert!(error.to_string().contains("`many`"), "{error}");
        let disagree = COBERTURA.replace(r#"lines-covered="3""#, r#"lines-covered="4""#);
        let error = parse_coverage("cov.xml", disagree.as_bytes()).unwrap_err();
        assert_eq!(location(&error), "cov.xml:2:1", "{error}");
        assert!(error.to_string().contains("disagree"), "{error}");
        let bad_condition = COBERTURA.replace("50% (1/2)", "half");
        let error = parse_coverage("cov.xml", bad_condition.as_bytes()).unwrap_err();
        assert!(location(&error).starts_with("cov.xml:13:"), "{error}");
        let error = parse_coverage("x.xml", b"<testsuites/>").unwrap_err();
        assert!(
            error.to_string().contains("not a Cobertura report"),
            "{error}"
        );
    }

    #[test]
    fn json_errors_are_located() {
        let error = parse_coverage("cov.json", &COVERAGE_PY.as_bytes()[..200]).unwrap_err();
        assert!(location(&error).starts_with("cov.json:5:"), "{error}");
        let disagree = COVERAGE_PY.replace(r#""covered_lines": 3"#, r#""covered_lines": 4"#);
        let error = parse_coverage("cov.json", disagree.as_bytes()).unwrap_err();
        assert_eq!(location(&error), "cov.json:7:3", "{error}");
        assert!(
            error.to_string().contains("`totals.covered_lines` is 4"),
            "{error}"
        );
        let negative = COVERAGE_PY.replace(r#""covered_lines": 1,"#, r#""covered_lines": -1,"#);
        let error = parse_coverage("cov.json", negative.as_bytes()).unwrap_err();
        assert_eq!(location(&error), "cov.json:5:5", "{error}");
        let over = LLVM.replace(r#""count":1,"covered":1"#, r#""count":1,"covered":2"#);
        let error = parse_coverage("llvm.json", over.as_bytes()).unwrap_err();
        assert_eq!(location(&error), "llvm.json:3:15", "{error}");
        let disagree = LLVM.replace(r#""count":4"#, r#""count":5"#);
        let error = parse_coverage("llvm.json", disagree.as_bytes()).unwrap_err();
        assert!(
            error.to_string().contains("`totals.lines.count` is 5"),
            "{error}"
        );
    }

    #[test]
    fn worst_files_come_first() {
        let report = parse_coverage("r", LCOV.as_bytes()).unwrap();
        let worst = worst_files(&report, 10);
        assert_eq!(worst[0].path, "pkg/a.py");
        assert_eq!(worst.len(), 2);
        assert_eq!(worst_files(&report, 1).len(), 1);
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
        let noise = b"<>/\"=,:{}[]0123456789-\n \xff\x00a";
        let mut runs = 0;
        for text in [LCOV, COBERTURA, COVERAGE_PY, LLVM] {
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
                match parse_coverage("r", &bytes) {
                    Ok(report) => {
                        assert!(report.lines_covered <= report.lines_total);
                    }
                    Err(CheckError::Malformed { location, .. }) => {
                        assert!(location.starts_with("r:"), "{location}");
                    }
                    Err(other) => panic!("not a malformed-report error: {other:?}"),
                }
                runs += 1;
            }
        }
        assert_eq!(runs, 4000);
    }
}
