//! `JUnit` XML test reports, and the items that require every test to pass.
//!
//! [`parse_junit`] reads one report as a stream of XML events (no tree is
//! built), whichever tool wrote it:
//!
//! - pytest (`--junitxml=report.xml`): `<testsuites>` around one `<testsuite>`;
//! - cargo-nextest (`[profile.<name>.junit] path`, written under
//!   `target/nextest/<name>/`): `<testsuites>` with one `<testsuite>` per binary;
//! - Maven Surefire (`target/surefire-reports/TEST-*.xml`): a bare `<testsuite>`;
//! - Jest with jest-junit: `<testsuites>` with one `<testsuite>` per test file.
//!
//! Suites may nest. A `<testcase>` counts as failed when it holds a
//! `<failure>`, as errored when it holds an `<error>` and as skipped when it
//! holds a `<skipped>`. Surefire and nextest record the attempts of a retried
//! test as `<flakyFailure>`/`<flakyError>` (the test passed on a retry) and
//! `<rerunFailure>`/`<rerunError>` (next to the `<failure>` of a test that
//! failed every attempt): those count as *flaky*, never as failed, so a test
//! that eventually passed does not fail the item, and one that never passed
//! fails it through its `<failure>`. Output elements (`<system-out>`,
//! `<system-err>`, `<properties>`) are ignored.
//!
//! The counts are those of the test cases themselves. A suite's declared
//! `tests`, `failures`, `errors` and `skipped` attributes (and those of the
//! `<testsuites>` root) are cross-checked against them: a disagreement means
//! a truncated or hand-edited report and is a malformed-report error naming
//! the suite. Surefire (2.22) counts every rerun attempt in those attributes
//! as well (`tests` plus one per `<rerun…>`/`<flaky…>` element, `failures`
//! plus one per `<rerunFailure>`/`<flakyFailure>`, `errors` likewise), so a
//! count that equals the cases plus their recorded attempts is consistent too. Malformed XML is a [`CheckError::Malformed`] located at
//! `file:line:column`, never a panic and never a pass.
//!
//! ```
//! use preflight_probes::testing::junit::{FailureKind, parse_junit};
//!
//! let xml = br#"<testsuite name="unit" tests="2" failures="1">
//!   <testcase classname="math" name="adds"/>
//!   <testcase classname="math" name="divides">
//!     <failure message="division by zero&#10;at line 3">trace</failure>
//!   </testcase>
//! </testsuite>"#;
//! let report = parse_junit(xml, "report.xml").unwrap();
//! assert_eq!((report.cases.tests, report.cases.failures), (2, 1));
//! assert_eq!(report.failing[0].name, "divides");
//! assert_eq!(report.failing[0].kind, FailureKind::Failure);
//! assert_eq!(report.failing[0].message, "division by zero");
//!
//! let broken = parse_junit(b"<testsuite name=\"unit\">\n  <testcase", "report.xml");
//! assert!(broken.unwrap_err().to_string().starts_with("report.xml:2:3: "));
//! ```
//!
//! # Items
//!
//! `code.testing.integration-tests` reads the input `junit` and
//! `code.testing.end-to-end` the input `junit_e2e`, both configured alike:
//!
//! ```toml
//! [inputs.junit]
//! paths = ["target/nextest/ci/junit.xml", "reports/*.xml"]
//! suites = ["integration-*"]   # optional: select suites by name
//! ```
//!
//! The `paths` are globs relative to the directory of `preflight.toml`; a glob
//! that matches no file, and a `suites` glob that selects no suite, are errors
//! (a missing report never passes). Each file read is an artifact of the
//! outcome (sha256 and modification time). The items fail on any failed or
//! errored test, and when no test ran.

use crate::text::locate;
use globset::{Glob, GlobSet, GlobSetBuilder};
use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use serde::Serialize;

use crate::globs::{read_matches, report_paths, strings};

/// The longest failure message kept, in characters.
const MESSAGE_CHARS: usize = 200;
/// The failing tests listed in the evidence.
const FAILING_SHOWN: usize = 50;

/// The counts of a set of test cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Counts {
    /// Test cases.
    pub tests: u64,
    /// Test cases with a `<failure>`.
    pub failures: u64,
    /// Test cases with an `<error>`.
    pub errors: u64,
    /// Test cases with a `<skipped>`.
    pub skipped: u64,
    /// Test cases that passed on a retry, or were retried (`<flakyFailure>`,
    /// `<rerunFailure>` and their `Error` forms) without a `<failure>` or `<error>`.
    pub flaky: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
        self.flaky += other.flaky;
    }
}

/// One `<testsuite>` of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Suite {
    /// Its `name` attribute (empty when absent).
    pub name: String,
    /// Its test cases, those of nested suites included.
    pub tests: u64,
    /// Its failed test cases, those of nested suites included.
    pub failures: u64,
    /// Its errored test cases, those of nested suites included.
    pub errors: u64,
    /// Its skipped test cases, those of nested suites included.
    pub skipped: u64,
    /// Its flaky test cases (see [`Counts::flaky`]), those of nested suites included.
    pub flaky: u64,
    /// The index in [`TestReport::suites`] of the suite it is nested in.
    pub parent: Option<usize>,
}

impl Suite {
    fn counts(&self) -> Counts {
        Counts {
            tests: self.tests,
            failures: self.failures,
            errors: self.errors,
            skipped: self.skipped,
            flaky: self.flaky,
        }
    }
}

/// Whether a test case failed (an assertion) or errored (anything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    /// A `<failure>` element.
    Failure,
    /// An `<error>` element (and no `<failure>`).
    Error,
}

/// A test case that failed or errored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FailingCase {
    /// The name of the innermost suite holding it.
    pub suite: String,
    /// Its `classname` attribute (empty when absent).
    pub classname: String,
    /// Its `name` attribute (empty when absent).
    pub name: String,
    /// Failure or error.
    pub kind: FailureKind,
    /// The first line of the failure's `message` attribute (or of its text
    /// when it has none), at most 200 characters.
    pub message: String,
    /// The index in [`TestReport::suites`] of its innermost suite.
    #[serde(skip)]
    pub suite_index: usize,
}

/// One `JUnit` XML report, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TestReport {
    /// Every suite, in document order (outer suites before the ones they hold).
    pub suites: Vec<Suite>,
    /// The counts of all test cases.
    pub cases: Counts,
    /// The failed and errored test cases, in document order.
    pub failing: Vec<FailingCase>,
}

impl TestReport {
    /// The part of the report in the suites `selected` (by index), and in the
    /// suites nested in them.
    #[must_use]
    pub fn select(&self, mut selected: impl FnMut(usize, &Suite) -> bool) -> TestReport {
        let mut keep = vec![false; self.suites.len()];
        let mut cases = Counts::default();
        for (i, suite) in self.suites.iter().enumerate() {
            let inherited = suite.parent.is_some_and(|p| keep[p]);
            keep[i] = inherited || selected(i, suite);
            // Nested totals are already in the outermost selected suite's.
            if keep[i] && !inherited {
                cases.add(suite.counts());
            }
        }
        TestReport {
            suites: (0..self.suites.len())
                .filter(|i| keep[*i])
                .map(|i| self.suites[i].clone())
                .collect(),
            cases,
            failing: self
                .failing
                .iter()
                .filter(|f| keep[f.suite_index])
                .cloned()
                .collect(),
        }
    }
}

/// [`locate`] at an offset of the XML reader (a `u64`).
fn locate_at(bytes: &[u8], pos: u64, shown: &str) -> String {
    locate(bytes, usize::try_from(pos).unwrap_or(usize::MAX), shown)
}

/// The first line of `text`, trimmed, at most [`MESSAGE_CHARS`] characters.
fn first_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("").trim();
    if line.chars().count() <= MESSAGE_CHARS {
        line.to_owned()
    } else {
        let mut short: String = line.chars().take(MESSAGE_CHARS - 1).collect();
        short.push('…');
        short
    }
}

/// What an open element is, for the parser's stack.
enum Open {
    Suites,
    Suite(usize),
    Case,
    /// A `<failure>` or `<error>` whose text may give the message.
    Outcome,
    /// Anything else: its content is ignored.
    Other,
}

/// The test case being read.
#[derive(Default)]
struct Case {
    suite: usize,
    classname: String,
    name: String,
    failure: Option<String>,
    error: Option<String>,
    /// Whether the message of the first failure or error came from its attribute.
    has_message: bool,
    text: String,
    skipped: bool,
    flaky: bool,
    /// Its recorded attempts.
    reruns: Reruns,
}

/// Recorded rerun attempts (`<rerunFailure>` and `<flakyFailure>`;
/// `<rerunError>` and `<flakyError>`), which Surefire adds to the declared
/// counts.
#[derive(Default, Clone, Copy)]
struct Reruns {
    failures: u64,
    errors: u64,
}

impl Reruns {
    fn add(&mut self, other: Reruns) {
        self.failures += other.failures;
        self.errors += other.errors;
    }
}

/// Declared counts of a suite (or of the root), to cross-check.
#[derive(Default, Clone)]
struct Declared {
    tests: Option<u64>,
    failures: Option<u64>,
    errors: Option<u64>,
    skipped: Option<u64>,
    /// Where the element starts, for the error.
    at: u64,
}

struct Parser<'a> {
    bytes: &'a [u8],
    shown: &'a str,
    report: TestReport,
    declared: Vec<Declared>,
    /// The recorded attempts in each suite (by index), nested ones included.
    reruns: Vec<Reruns>,
    /// The recorded attempts in the whole report.
    all_reruns: Reruns,
    root: Option<(String, Declared)>,
    case: Option<Case>,
}

impl<'a> Parser<'a> {
    fn new(bytes: &'a [u8], shown: &'a str) -> Self {
        Parser {
            bytes,
            shown,
            report: TestReport::default(),
            declared: Vec::new(),
            reruns: Vec::new(),
            all_reruns: Reruns::default(),
            root: None,
            case: None,
        }
    }

    fn malformed(&self, pos: u64, message: impl Into<String>) -> CheckError {
        CheckError::Malformed {
            location: locate_at(self.bytes, pos, self.shown),
            message: message.into(),
        }
    }

    /// The attributes of `e` that the parser reads, unescaped.
    fn attributes(&self, e: &BytesStart<'_>, at: u64) -> Result<Attributes, CheckError> {
        let mut out = Attributes::default();
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.malformed(at, format!("bad attribute: {err}")))?;
            let slot = match attr.key.local_name().as_ref() {
                "name" => &mut out.name,
                "classname" => &mut out.classname,
                "message" => &mut out.message,
                "tests" => &mut out.tests,
                "failures" => &mut out.failures,
                "errors" => &mut out.errors,
                "skipped" => &mut out.skipped,
                _ => continue,
            };
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| self.malformed(at, format!("bad attribute value: {err}")))?;
            *slot = Some(value.into_owned());
        }
        Ok(out)
    }

    fn declared(&self, attrs: &Attributes, at: u64) -> Result<Declared, CheckError> {
        let number = |key: &str, value: &Option<String>| -> Result<Option<u64>, CheckError> {
            value
                .as_deref()
                .map(|v| {
                    v.trim().parse::<u64>().map_err(|_| {
                        self.malformed(
                            at,
                            format!("attribute `{key}`: expected a count, found `{v}`"),
                        )
                    })
                })
                .transpose()
        };
        Ok(Declared {
            tests: number("tests", &attrs.tests)?,
            failures: number("failures", &attrs.failures)?,
            errors: number("errors", &attrs.errors)?,
            skipped: number("skipped", &attrs.skipped)?,
            at,
        })
    }

    /// A start tag (`empty` when self-closing); returns what to push.
    fn start(
        &mut self,
        e: &BytesStart<'_>,
        top: Option<&Open>,
        at: u64,
        done: bool,
    ) -> Result<Open, CheckError> {
        let name = e.local_name();
        let name = name.as_ref();
        let in_case = matches!(top, Some(Open::Case));
        match (top, name) {
            (_, _) if done => Err(self.malformed(at, "content after the root element")),
            (None, "testsuites") => {
                let attrs = self.attributes(e, at)?;
                let declared = self.declared(&attrs, at)?;
                self.root = Some((attrs.name.unwrap_or_default(), declared));
                Ok(Open::Suites)
            }
            (None | Some(Open::Suites | Open::Suite(_)), "testsuite") => {
                let attrs = self.attributes(e, at)?;
                let declared = self.declared(&attrs, at)?;
                let parent = match top {
                    Some(Open::Suite(p)) => Some(*p),
                    _ => None,
                };
                self.report.suites.push(Suite {
                    name: attrs.name.unwrap_or_default(),
                    tests: 0,
                    failures: 0,
                    errors: 0,
                    skipped: 0,
                    flaky: 0,
                    parent,
                });
                self.declared.push(declared);
                self.reruns.push(Reruns::default());
                Ok(Open::Suite(self.report.suites.len() - 1))
            }
            (None, other) => Err(self.malformed(
                at,
                format!(
                    "the root element is `<{other}>`: expected `<testsuites>` or `<testsuite>`"
                ),
            )),
            (Some(Open::Suite(suite)), "testcase") => {
                let attrs = self.attributes(e, at)?;
                self.case = Some(Case {
                    suite: *suite,
                    classname: attrs.classname.unwrap_or_default(),
                    name: attrs.name.unwrap_or_default(),
                    ..Case::default()
                });
                Ok(Open::Case)
            }
            (Some(Open::Suites), "testcase") => {
                Err(self.malformed(at, "a `<testcase>` outside any `<testsuite>`"))
            }
            (Some(Open::Case), "testsuite" | "testcase") => {
                Err(self.malformed(at, format!("a `<{name}>` inside a `<testcase>`")))
            }
            (_, "failure" | "error") if in_case => {
                let attrs = self.attributes(e, at)?;
                let case = self
                    .case
                    .as_mut()
                    .expect("a case is open inside <testcase>");
                let first = case.failure.is_none() && case.error.is_none();
                let message = attrs.message.map(|m| first_line(&m));
                if first {
                    case.has_message = message.as_ref().is_some_and(|m| !m.is_empty());
                }
                let slot = if name == "failure" {
                    &mut case.failure
                } else {
                    &mut case.error
                };
                if slot.is_none() {
                    *slot = Some(message.unwrap_or_default());
                }
                Ok(if first { Open::Outcome } else { Open::Other })
            }
            (_, "skipped") if in_case => {
                if let Some(case) = self.case.as_mut() {
                    case.skipped = true;
                }
                Ok(Open::Other)
            }
            (_, "flakyFailure" | "flakyError" | "rerunFailure" | "rerunError") if in_case => {
                self.attempt(name.ends_with("Failure"));
                Ok(Open::Other)
            }
            _ => Ok(Open::Other),
        }
    }

    /// A recorded attempt of the open test case (`failure` when of a `<…Failure>`).
    fn attempt(&mut self, failure: bool) {
        if let Some(case) = self.case.as_mut() {
            case.flaky = true;
            if failure {
                case.reruns.failures += 1;
            } else {
                case.reruns.errors += 1;
            }
        }
    }

    /// The end of a `<testcase>`: its counts go to its suite and every enclosing one.
    fn end_case(&mut self) {
        let Some(case) = self.case.take() else {
            return;
        };
        let kind = match (&case.failure, &case.error) {
            (Some(_), _) => Some(FailureKind::Failure),
            (None, Some(_)) => Some(FailureKind::Error),
            (None, None) => None,
        };
        let counts = Counts {
            tests: 1,
            failures: u64::from(case.failure.is_some()),
            errors: u64::from(case.error.is_some()),
            skipped: u64::from(case.skipped && kind.is_none()),
            flaky: u64::from(case.flaky && kind.is_none()),
        };
        let mut at = Some(case.suite);
        while let Some(i) = at {
            let suite = &mut self.report.suites[i];
            suite.tests += counts.tests;
            suite.failures += counts.failures;
            suite.errors += counts.errors;
            suite.skipped += counts.skipped;
            suite.flaky += counts.flaky;
            self.reruns[i].add(case.reruns);
            at = suite.parent;
        }
        self.report.cases.add(counts);
        self.all_reruns.add(case.reruns);
        if let Some(kind) = kind {
            let attribute = match kind {
                FailureKind::Failure => case.failure.clone(),
                FailureKind::Error => case.error.clone(),
            };
            let message = if case.has_message {
                attribute.unwrap_or_default()
            } else {
                first_line(&case.text)
            };
            self.report.failing.push(FailingCase {
                suite: self.report.suites[case.suite].name.clone(),
                classname: case.classname,
                name: case.name,
                kind,
                message,
                suite_index: case.suite,
            });
        }
    }

    /// The end of an element.
    fn close(&mut self, open: &Open) -> Result<(), CheckError> {
        match open {
            Open::Case => self.end_case(),
            Open::Suite(i) => {
                let suite = &self.report.suites[*i];
                let what = format!("suite `{}`", suite.name);
                self.cross_check(&what, &self.declared[*i], suite.counts(), self.reruns[*i])?;
            }
            Open::Suites | Open::Outcome | Open::Other => {}
        }
        Ok(())
    }

    /// Declared counts against the counted ones, with or without the
    /// recorded attempts `reruns`.
    fn cross_check(
        &self,
        what: &str,
        declared: &Declared,
        counted: Counts,
        reruns: Reruns,
    ) -> Result<(), CheckError> {
        for (key, said, found, attempts) in [
            (
                "tests",
                declared.tests,
                counted.tests,
                reruns.failures + reruns.errors,
            ),
            (
                "failures",
                declared.failures,
                counted.failures,
                reruns.failures,
            ),
            ("errors", declared.errors, counted.errors, reruns.errors),
            ("skipped", declared.skipped, counted.skipped, 0),
        ] {
            if let Some(said) = said
                && said != found
                && said != found + attempts
            {
                return Err(self.malformed(
                    declared.at,
                    format!(
                        "{what} declares {key}=\"{said}\" but holds {found}: the report is truncated or was edited"
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct Attributes {
    name: Option<String>,
    classname: Option<String>,
    message: Option<String>,
    tests: Option<String>,
    failures: Option<String>,
    errors: Option<String>,
    skipped: Option<String>,
}

/// Parses one `JUnit` XML report; `shown` names it in errors (usually its path).
///
/// See the [module documentation](self) for the dialects read and an example.
///
/// # Errors
/// [`CheckError::Malformed`] at `shown:line:column` when the bytes are not
/// UTF-8 XML, when the root is neither `<testsuites>` nor `<testsuite>`, when
/// an element is not closed, or when a suite's declared counts disagree with
/// its test cases.
pub fn parse_junit(bytes: &[u8], shown: &str) -> Result<TestReport, CheckError> {
    let text = std::str::from_utf8(bytes).map_err(|e| CheckError::Malformed {
        location: locate(bytes, e.valid_up_to(), shown),
        message: "not UTF-8 text".to_owned(),
    })?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut parser = Parser::new(bytes, shown);
    // The open elements, with where each starts.
    let mut stack: Vec<(Open, u64, String)> = Vec::new();
    let mut done = false;
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|err| {
            parser.malformed(reader.error_position(), format!("invalid XML: {err}"))
        })?;
        match event {
            Event::Start(e) => {
                let open = parser.start(&e, stack.last().map(|(o, _, _)| o), at, done)?;
                stack.push((open, at, e.local_name().as_ref().to_owned()));
            }
            Event::Empty(e) => {
                let open = parser.start(&e, stack.last().map(|(o, _, _)| o), at, done)?;
                parser.close(&open)?;
                if stack.is_empty() {
                    done = true;
                }
            }
            Event::End(_) => {
                // quick-xml checks that end tags match their start tags.
                let Some((open, _, _)) = stack.pop() else {
                    return Err(parser.malformed(at, "an end tag without a start tag"));
                };
                parser.close(&open)?;
                if stack.is_empty() {
                    done = true;
                }
            }
            Event::Text(t) => {
                if let Some((Open::Outcome, _, _)) = stack.last()
                    && let Some(case) = parser.case.as_mut()
                {
                    case.text.push_str(&t.xml10_content());
                } else if stack.is_empty() && !t.xml10_content().trim().is_empty() {
                    return Err(parser.malformed(at, "text outside the root element"));
                }
            }
            Event::CData(t) => {
                if let Some((Open::Outcome, _, _)) = stack.last()
                    && let Some(case) = parser.case.as_mut()
                {
                    case.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((Open::Outcome, _, _)) = stack.last()
                    && let Some(case) = parser.case.as_mut()
                {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        Ok(None) => {
                            quick_xml::escape::resolve_predefined_entity(&r).map(str::to_owned)
                        }
                        Err(_) => None,
                    };
                    case.text.push_str(resolved.as_deref().unwrap_or(""));
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some((_, at, name)) = stack.last() {
        return Err(parser.malformed(
            bytes.len() as u64,
            format!(
                "unexpected end of file: `<{name}>` opened at {} is not closed",
                locate_at(bytes, *at, shown)
                    .strip_prefix(shown)
                    .and_then(|l| l.strip_prefix(':'))
                    .unwrap_or("")
            ),
        ));
    }
    if !done {
        return Err(parser.malformed(0, "no `<testsuites>` or `<testsuite>` element"));
    }
    if let Some((name, declared)) = &parser.root {
        let what = if name.is_empty() {
            "`<testsuites>`".to_owned()
        } else {
            format!("`<testsuites name=\"{name}\">`")
        };
        parser.cross_check(&what, declared, parser.report.cases, parser.all_reruns)?;
    }
    Ok(parser.report)
}

/// The test reports of one `[inputs]` entry: every file its `paths` globs
/// match, parsed and restricted to its `suites` (see the [module documentation](self)).
#[derive(Debug)]
#[non_exhaustive]
pub struct JunitReports {
    /// Each file read, with the part of its report in the selected suites.
    pub files: Vec<(Artifact, TestReport)>,
}

impl JunitReports {
    /// The counts of every file together.
    #[must_use]
    pub fn counts(&self) -> Counts {
        let mut total = Counts::default();
        for (_, report) in &self.files {
            total.add(report.cases);
        }
        total
    }
}

impl Input for JunitReports {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let paths = report_paths(source, &["suites"], "JUnit XML reports")?;
        let suites = match source.value() {
            toml::Value::Table(t) => t
                .get("suites")
                .map(|v| strings(source, "suites", v))
                .transpose()?
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let files = read_matches(source, &paths, "run the tests first")?;
        let mut selector = GlobSetBuilder::new();
        for pattern in &suites {
            let glob = Glob::new(pattern).map_err(|e| {
                source.error(format!("`suites`: `{pattern}` is not a valid glob: {e}"))
            })?;
            selector.add(glob);
        }
        let selector: GlobSet = selector
            .build()
            .map_err(|e| source.error(format!("`suites`: {e}")))?;
        let mut used = vec![false; suites.len()];
        let mut out = Vec::new();
        for file in files {
            let report = parse_junit(&file.bytes, &file.shown)?;
            let report = if suites.is_empty() {
                report
            } else {
                report.select(|_, suite| {
                    let hits = selector.matches(&suite.name);
                    for i in &hits {
                        used[*i] = true;
                    }
                    !hits.is_empty()
                })
            };
            out.push((file.artifact(), report));
        }
        if let Some(unused) = used.iter().position(|u| !u) {
            return Err(source.error(format!(
                "`suites`: `{}` selects no suite in {}: check the suite names",
                suites[unused],
                out.iter()
                    .map(|(a, _)| format!("`{}`", a.path))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(JunitReports { files: out })
    }
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "{tests} tests: {failures} failed, {errors} errored, {skipped} skipped, {flaky} flaky"
)]
struct JunitEvidence {
    tests: u64,
    failures: u64,
    errors: u64,
    skipped: u64,
    flaky: u64,
    /// The first failing tests, with their messages.
    failing: Vec<FailingCase>,
    /// The reports read.
    files: Vec<String>,
}

/// Judges the reports of the input `input`.
fn judge(cx: &Context, input: &str) -> Result<Outcome, CheckError> {
    let reports = cx.input::<JunitReports>(input)?;
    let counts = reports.counts();
    let failing: Vec<FailingCase> = reports
        .files
        .iter()
        .flat_map(|(_, r)| r.failing.iter().cloned())
        .take(FAILING_SHOWN)
        .collect();
    let files: Vec<String> = reports.files.iter().map(|(a, _)| a.path.clone()).collect();
    let outcome = if counts.tests == 0 {
        Outcome::fail(format!(
            "no test ran: {} holds no test case",
            files
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    } else if counts.failures + counts.errors > 0 {
        let shown: Vec<String> = failing
            .iter()
            .take(5)
            .map(|f| {
                let id = if f.classname.is_empty() {
                    f.name.clone()
                } else {
                    format!("{}::{}", f.classname, f.name)
                };
                if f.message.is_empty() {
                    id
                } else {
                    format!("{id} ({})", f.message)
                }
            })
            .collect();
        let more = failing.len().saturating_sub(shown.len());
        Outcome::fail(format!(
            "{} of {} tests failed and {} errored: {}{}",
            counts.failures,
            counts.tests,
            counts.errors,
            shown.join("; "),
            if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            }
        ))
    } else {
        Outcome::pass(format!(
            "{} tests passed ({} skipped, {} flaky) in {} reports",
            counts.tests - counts.skipped,
            counts.skipped,
            counts.flaky,
            files.len()
        ))
    };
    let evidence = JunitEvidence {
        tests: counts.tests,
        failures: counts.failures,
        errors: counts.errors,
        skipped: counts.skipped,
        flaky: counts.flaky,
        failing,
        files,
    };
    let mut outcome = outcome.with_evidence(&evidence);
    for (artifact, _) in &reports.files {
        outcome = outcome.with_artifact(artifact.clone());
    }
    Ok(outcome)
}

/// Every integration test passed: the `JUnit` XML reports of the input `junit`
/// hold at least one test case and no failure or error.
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "code.testing.integration-tests",
    title = "All integration tests passing",
    group = "Testing",
    severity = "high",
    owner = "tech-lead",
    evidence_ttl = "30d",
    inputs = ["junit"],
    remediation = "fix every failing or erroring test listed (or the code under it), rerun the suite and point [inputs.junit] at its fresh reports"
)]
pub struct IntegrationTests;

impl Check for IntegrationTests {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        judge(cx, "junit")
    }
}

/// The end-to-end suite passed: the `JUnit` XML reports of the input
/// `junit_e2e` hold at least one test case and no failure or error.
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "code.testing.end-to-end",
    title = "End-to-end tests completed successfully",
    group = "Testing",
    severity = "high",
    owner = "tech-lead",
    evidence_ttl = "30d",
    inputs = ["junit_e2e"],
    remediation = "fix every failing or erroring end-to-end test listed, rerun the suite against the release candidate and point [inputs.junit_e2e] at its fresh reports"
)]
pub struct EndToEnd;

impl Check for EndToEnd {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        judge(cx, "junit_e2e")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::damage::for_each_damaged;
    use crate::globs::expand;

    /// A report pytest 9.2.0 wrote with `--junitxml` (traces shortened).
    const PYTEST: &str = r#"<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" time="0.041" timestamp="2026-11-24T06:32:25.073509+00:00" hostname="vm"><testcase classname="test_m" name="test_ok" time="0.000" /><testcase classname="test_m" name="test_bad" time="0.001"><failure message="AssertionError: one is not two&#10;assert 1 == 2">&gt;   def test_bad(): assert 1 == 2, "one is not two"
E   AssertionError: one is not two

test_m.py:3: AssertionError</failure></testcase><testcase classname="test_m" name="test_err" time="0.000"><error message="failed on setup with &quot;RuntimeError: setup broke&quot;">@pytest.fixture
test_m.py:5: RuntimeError</error></testcase><testcase classname="test_m" name="test_skip" time="0.000"><skipped type="pytest.skip" message="later">/tmp/jt/test_m.py:7: later</skipped></testcase></testsuite></testsuites>"#;

    /// A report cargo-nextest wrote for `[profile.ci.junit]`, with a flaky
    /// test and a test that failed every retry added in nextest's form.
    const NEXTEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="4" skipped="0" failures="2" errors="0" uuid="e10e4e24-094a-44c5-8e30-e492101ca3aa" timestamp="2026-11-24T06:32:28.905+00:00" time="0.087">
    <testsuite name="nx-fixture" tests="4" skipped="0" errors="0" failures="2">
        <testcase name="tests::passes" classname="nx-fixture" timestamp="2026-11-24T06:32:28.905+00:00" time="0.005"/>
        <testcase name="tests::fails" classname="nx-fixture" timestamp="2026-11-24T06:32:28.905+00:00" time="0.086">
            <failure message="thread &apos;tests::fails&apos; (12568) panicked at src/lib.rs:6:18" type="test failure with exit code 101">thread &apos;tests::fails&apos; (12568) panicked at src/lib.rs:6:18:
assertion `left == right` failed: arithmetic broke</failure>
            <system-out>
running 1 test
test tests::fails ... FAILED
</system-out>
        </testcase>
        <testcase name="tests::sometimes" classname="nx-fixture" time="0.010">
            <flakyFailure timestamp="2026-11-24T06:32:28.905+00:00" time="0.004" message="test failure" type="test failure"><system-out>once</system-out></flakyFailure>
        </testcase>
        <testcase name="tests::never" classname="nx-fixture" time="0.010">
            <failure message="test failure" type="test failure"/>
            <rerunFailure timestamp="2026-11-24T06:32:28.905+00:00" time="0.004" message="test failure" type="test failure"/>
        </testcase>
    </testsuite>
</testsuites>"#;

    fn parse(xml: &str) -> Result<TestReport, CheckError> {
        parse_junit(xml.as_bytes(), "r.xml")
    }

    fn names(report: &TestReport) -> Vec<(&str, FailureKind, &str)> {
        report
            .failing
            .iter()
            .map(|f| (f.name.as_str(), f.kind, f.message.as_str()))
            .collect()
    }

    #[test]
    fn pytest() {
        let report = parse(PYTEST).unwrap();
        assert_eq!(
            report.cases,
            Counts {
                tests: 4,
                failures: 1,
                errors: 1,
                skipped: 1,
                flaky: 0
            }
        );
        assert_eq!(
            names(&report),
            [
                (
                    "test_bad",
                    FailureKind::Failure,
                    "AssertionError: one is not two"
                ),
                (
                    "test_err",
                    FailureKind::Error,
                    "failed on setup with \"RuntimeError: setup broke\""
                ),
            ]
        );
        assert_eq!(report.failing[0].classname, "test_m");
        assert_eq!(report.failing[0].suite, "pytest");
        assert_eq!(report.suites.len(), 1);
    }

    #[test]
    fn nextest_with_retries() {
        let report = parse(NEXTEST).unwrap();
        assert_eq!(
            (
                report.cases.tests,
                report.cases.failures,
                report.cases.flaky
            ),
            (4, 2, 1)
        );
        assert_eq!(
            names(&report),
            [
                (
                    "tests::fails",
                    FailureKind::Failure,
                    "thread 'tests::fails' (12568) panicked at src/lib.rs:6:18"
                ),
                ("tests::never", FailureKind::Failure, "test failure"),
            ]
        );
    }

    #[test]
    fn surefire_and_jest_fixtures() {
        let surefire = parse(include_str!("../../../tests/testdata/junit/surefire.xml")).unwrap();
        assert_eq!(
            surefire.cases,
            Counts {
                tests: 5,
                failures: 1,
                errors: 1,
                skipped: 1,
                flaky: 1
            }
        );
        // Surefire's declared counts include the reruns (tests="8").
        assert_eq!(surefire.failing[0].message, "no reference price");
        assert_eq!(
            surefire.failing[1].message,
            "expected:<[REJEC]TED> but was:<[ACCEP]TED>"
        );
        let jest = parse(include_str!("../../../tests/testdata/junit/jest-junit.xml")).unwrap();
        assert_eq!((jest.cases.tests, jest.cases.failures), (4, 1));
        assert_eq!(jest.suites.len(), 2);
        // No `message` attribute: the first line of the text.
        assert_eq!(
            jest.failing[0].message,
            "Error: expect(received).toBe(expected) // Object.is equality"
        );
    }

    #[test]
    fn nested_suites_count_into_their_parents_and_select_by_name() {
        let xml = r#"<testsuites tests="3">
          <testsuite name="all" tests="3" failures="1">
            <testsuite name="fast" tests="2"><testcase name="a"/><testcase name="b"><skipped/></testcase></testsuite>
            <testsuite name="slow" tests="1" failures="1"><testcase name="c"><failure><![CDATA[boom
at x]]></failure></testcase></testsuite>
          </testsuite>
        </testsuites>"#;
        let report = parse(xml).unwrap();
        let shape: Vec<(&str, u64, u64, Option<usize>)> = report
            .suites
            .iter()
            .map(|s| (s.name.as_str(), s.tests, s.failures, s.parent))
            .collect();
        assert_eq!(
            shape,
            [
                ("all", 3, 1, None),
                ("fast", 2, 0, Some(0)),
                ("slow", 1, 1, Some(0))
            ]
        );
        assert_eq!(names(&report), [("c", FailureKind::Failure, "boom")]);
        assert_eq!(report.failing[0].suite, "slow");
        let fast = report.select(|_, s| s.name == "fast");
        assert_eq!((fast.cases.tests, fast.cases.skipped), (2, 1));
        assert!(fast.failing.is_empty());
        // Selecting a parent takes its children once.
        let all = report.select(|_, s| s.name == "all" || s.name == "slow");
        assert_eq!(all.cases, report.cases);
        assert_eq!(all.failing.len(), 1);
    }

    #[test]
    fn declared_counts_are_cross_checked() {
        let xml = "<testsuites>\n<testsuite name=\"unit\" tests=\"3\" failures=\"0\">\n<testcase name=\"a\"/><testcase name=\"b\"/></testsuite></testsuites>";
        let err = parse(xml).unwrap_err().to_string();
        assert_eq!(
            err,
            "r.xml:2:1: suite `unit` declares tests=\"3\" but holds 2: the report is truncated or was edited"
        );
        let xml = r#"<testsuites name="run" failures="1"><testsuite name="unit"><testcase name="a"/></testsuite></testsuites>"#;
        let err = parse(xml).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "r.xml:1:1: `<testsuites name=\"run\">` declares failures=\"1\" but holds 0"
            ),
            "{err}"
        );
        let err = parse(r#"<testsuite tests="many"/>"#)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "r.xml:1:1: attribute `tests`: expected a count, found `many`"
        );
    }

    #[test]
    fn malformed_reports_are_located() {
        let cases = [
            (
                "<testsuite name=\"u\">\n  <testcase name=\"a\">\n  </testsuite>",
                "r.xml:3:3: invalid XML",
            ),
            (
                "<testsuite name=\"u\">\n  <testcase name=\"a\"/>\n",
                "r.xml:3:1: unexpected end of file: `<testsuite>` opened at 1:1 is not closed",
            ),
            (
                "<?xml version=\"1.0\"?>\n<html/>",
                "r.xml:2:1: the root element is `<html>`",
            ),
            ("", "r.xml:1:1: no `<testsuites>` or `<testsuite>` element"),
            (
                "<testsuites><testcase/></testsuites>",
                "r.xml:1:13: a `<testcase>` outside any `<testsuite>`",
            ),
            (
                "<testsuite/><testsuite/>",
                "r.xml:1:13: content after the root element",
            ),
            (
                "<testsuite name=\"é\">\n\u{e9}<testcase name=\"x\" name=\"y\"/></testsuite>",
                "r.xml:2:2: bad attribute",
            ),
        ];
        for (xml, expected) in cases {
            let err = parse(xml).unwrap_err();
            assert!(matches!(err, CheckError::Malformed { .. }), "{err:?}");
            assert!(err.to_string().starts_with(expected), "{xml:?}: {err}");
        }
        let err = parse_junit(b"<testsuite>\n \xff</testsuite>", "r.xml").unwrap_err();
        assert_eq!(err.to_string(), "r.xml:2:2: not UTF-8 text");
    }

    #[test]
    fn long_messages_keep_their_first_line_shortened() {
        let long = "x".repeat(300);
        let xml = format!(
            r#"<testsuite><testcase name="a"><error message="{long}&#10;second"/></testcase></testsuite>"#
        );
        let message = &parse(&xml).unwrap().failing[0].message;
        assert_eq!(message.chars().count(), MESSAGE_CHARS);
        assert!(message.ends_with('…'));
    }

    /// Truncations and byte flips of valid reports: never a panic, and an
    /// error is always `Malformed` with a location.
    #[test]
    fn damaged_reports_never_panic() {
        let runs = for_each_damaged(
            &[PYTEST.as_bytes(), NEXTEST.as_bytes()],
            0x9E37_79B9_7F4A_7C15,
            7,
            1500,
            b"<>/\"'&=x \n\xff",
            check_damaged,
        );
        assert!(runs > 3000);
    }

    fn check_damaged(bytes: &[u8]) {
        match parse_junit(bytes, "d.xml") {
            Ok(report) => {
                assert!(report.cases.failures + report.cases.errors <= report.cases.tests);
            }
            Err(CheckError::Malformed { location, .. }) => {
                assert!(location.starts_with("d.xml:"), "{location}");
            }
            Err(other) => panic!("not Malformed: {other:?}"),
        }
    }

    #[test]
    fn globs_expand_below_their_literal_directory() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("reports/e2e")).unwrap();
        for f in [
            "reports/a.xml",
            "reports/b.xml",
            "reports/e2e/c.xml",
            "reports/n.txt",
        ] {
            std::fs::write(root.join(f), "<testsuite/>").unwrap();
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
        assert_eq!(shown("reports/*.xml"), ["reports/a.xml", "reports/b.xml"]);
        assert_eq!(
            shown("reports/**/*.xml"),
            ["reports/a.xml", "reports/b.xml", "reports/e2e/c.xml"]
        );
        assert_eq!(shown("reports/e2e/c.xml"), ["reports/e2e/c.xml"]);
        assert!(shown("missing/*.xml").is_empty());
        assert!(expand(root, "reports/[.xml").is_err());
    }
}
