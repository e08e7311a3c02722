//! Property tests: arbitrary reports written in a tool's format and read back
//! by the parsers give exactly what was written, and the same reports cut
//! short or damaged are errors, never a pass.
//!
//! - `JUnit` XML: suites of test cases that pass, fail, error or are skipped,
//!   with names and messages full of XML's special characters and non-ASCII
//!   text, written with their declared counts as pytest and Surefire write
//!   them; [`parse_junit`] must give back every count and every failing test.
//! - lcov tracefiles: files with line hits and branches, with the `LF`, `LH`,
//!   `BRF`, `BRH` totals `coverage lcov` writes; [`parse_coverage`] must give
//!   back every file's lines and branches, and a total that disagrees with
//!   the lines is an error.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use preflight_probes::testing::coverage::{CoverageFormat, parse_coverage};
use preflight_probes::testing::junit::{FailureKind, parse_junit};
use proptest::prelude::*;
use quick_xml::escape::escape;

/// How a generated test case ended.
#[derive(Debug, Clone)]
enum Outcome {
    Passed,
    Failed(String),
    Errored(String),
    Skipped,
}

#[derive(Debug, Clone)]
struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
}

#[derive(Debug, Clone)]
struct Suite {
    name: String,
    cases: Vec<Case>,
}

/// Text with XML's special characters, spaces and non-ASCII letters, but no
/// control characters (XML normalises those in attributes) and no leading or
/// trailing space.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9<>&\"'./:=éß→✓_-]([a-zA-Z0-9 <>&\"'./:=éß→✓_-]{0,30}[a-zA-Z0-9<>&\"'./:=éß→✓_-])?"
}

fn case() -> impl Strategy<Value = Case> {
    let outcome = prop_oneof![
        4 => Just(Outcome::Passed),
        2 => text().prop_map(Outcome::Failed),
        1 => text().prop_map(Outcome::Errored),
        1 => Just(Outcome::Skipped),
    ];
    (text(), text(), outcome).prop_map(|(classname, name, outcome)| Case {
        classname,
        name,
        outcome,
    })
}

fn suites() -> impl Strategy<Value = Vec<Suite>> {
    prop::collection::vec(
        (text(), prop::collection::vec(case(), 0..8))
            .prop_map(|(name, cases)| Suite { name, cases }),
        1..5,
    )
}

/// The suites as a `<testsuites>` report with declared counts.
fn junit_xml(suites: &[Suite]) -> String {
    let count =
        |s: &Suite, f: fn(&Outcome) -> bool| s.cases.iter().filter(|c| f(&c.outcome)).count();
    let failed = |o: &Outcome| matches!(o, Outcome::Failed(_));
    let errored = |o: &Outcome| matches!(o, Outcome::Errored(_));
    let skipped = |o: &Outcome| matches!(o, Outcome::Skipped);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites>\n");
    for suite in suites {
        writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            escape(&suite.name),
            suite.cases.len(),
            count(suite, failed),
            count(suite, errored),
            count(suite, skipped),
        )
        .unwrap();
        for case in &suite.cases {
            let head = format!(
                "    <testcase classname=\"{}\" name=\"{}\" time=\"0.001\"",
                escape(&case.classname),
                escape(&case.name)
            );
            match &case.outcome {
                Outcome::Passed => writeln!(xml, "{head}/>").unwrap(),
                Outcome::Failed(message) | Outcome::Errored(message) => {
                    let element = if failed(&case.outcome) {
                        "failure"
                    } else {
                        "error"
                    };
                    writeln!(
                        xml,
                        "{head}>\n      <{element} message=\"{}\">{}</{element}>\n    </testcase>",
                        escape(message),
                        escape(format!("Traceback: {message}"))
                    )
                    .unwrap();
                }
                Outcome::Skipped => writeln!(
                    xml,
                    "{head}>\n      <skipped message=\"not today\"/>\n    </testcase>"
                )
                .unwrap(),
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

/// A file of an lcov tracefile: line hits and branches (line, taken).
#[derive(Debug, Clone)]
struct LcovFile {
    lines: BTreeMap<u64, u64>,
    branches: Vec<(u64, Option<u64>)>,
}

fn lcov_files() -> impl Strategy<Value = BTreeMap<String, LcovFile>> {
    let file = (
        prop::collection::btree_map(1u64..5000, prop_oneof![Just(0u64), 1u64..1000], 0..40),
        prop::collection::vec((1u64..5000, prop::option::of(0u64..50)), 0..12),
    )
        .prop_map(|(lines, branches)| LcovFile { lines, branches });
    prop::collection::btree_map("[a-z][a-z0-9_]{0,8}(/[a-z0-9_]{1,8}){0,3}\\.py", file, 1..6)
}

/// The files as `coverage lcov` writes them, one record each.
fn lcov_text(files: &BTreeMap<String, LcovFile>) -> String {
    let mut out = String::new();
    for (path, file) in files {
        writeln!(out, "TN:\nSF:{path}").unwrap();
        for (line, hits) in &file.lines {
            writeln!(out, "DA:{line},{hits}").unwrap();
        }
        for (i, (line, taken)) in file.branches.iter().enumerate() {
            let taken = taken.map_or_else(|| "-".to_owned(), |t| t.to_string());
            writeln!(out, "BRDA:{line},0,{i},{taken}").unwrap();
        }
        let hit = file.lines.values().filter(|h| **h > 0).count();
        writeln!(out, "LF:{}\nLH:{hit}", file.lines.len()).unwrap();
        if !file.branches.is_empty() {
            let taken = file
                .branches
                .iter()
                .filter(|(_, t)| t.is_some_and(|t| t > 0))
                .count();
            writeln!(out, "BRF:{}\nBRH:{taken}", file.branches.len()).unwrap();
        }
        out.push_str("end_of_record\n");
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn junit_reports_read_back_exactly(suites in suites()) {
        let xml = junit_xml(&suites);
        let report = parse_junit(xml.as_bytes(), "report.xml")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        let all: Vec<&Case> = suites.iter().flat_map(|s| &s.cases).collect();
        let count = |f: fn(&Outcome) -> bool| all.iter().filter(|c| f(&c.outcome)).count() as u64;
        prop_assert_eq!(report.cases.tests, all.len() as u64);
        prop_assert_eq!(report.cases.failures, count(|o| matches!(o, Outcome::Failed(_))));
        prop_assert_eq!(report.cases.errors, count(|o| matches!(o, Outcome::Errored(_))));
        prop_assert_eq!(report.cases.skipped, count(|o| matches!(o, Outcome::Skipped)));
        let names: Vec<&str> = report.suites.iter().map(|s| s.name.as_str()).collect();
        let written: Vec<&str> = suites.iter().map(|s| s.name.as_str()).collect();
        prop_assert_eq!(names, written);
        // Every failing test, in order, with its suite, kind and message.
        let expected: Vec<(&str, &str, &str, FailureKind, &str)> = suites
            .iter()
            .flat_map(|s| s.cases.iter().map(move |c| (s, c)))
            .filter_map(|(s, c)| match &c.outcome {
                Outcome::Failed(m) => Some((s.name.as_str(), c.classname.as_str(), c.name.as_str(), FailureKind::Failure, m.as_str())),
                Outcome::Errored(m) => Some((s.name.as_str(), c.classname.as_str(), c.name.as_str(), FailureKind::Error, m.as_str())),
                _ => None,
            })
            .collect();
        let got: Vec<(&str, &str, &str, FailureKind, &str)> = report
            .failing
            .iter()
            .map(|f| (f.suite.as_str(), f.classname.as_str(), f.name.as_str(), f.kind, f.message.as_str()))
            .collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn junit_reports_cut_short_are_errors(suites in suites(), cut in 0.0f64..1.0) {
        let xml = junit_xml(&suites);
        // Cut before the closing `</testsuites>`: the report is incomplete.
        let end = xml.rfind("</testsuites>").unwrap();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let mut at = (end as f64 * cut) as usize;
        while !xml.is_char_boundary(at) {
            at -= 1;
        }
        let result = parse_junit(&xml.as_bytes()[..at], "report.xml");
        prop_assert!(result.is_err(), "a report cut at byte {} of {} was read: {:?}", at, xml.len(), result);
        let message = result.unwrap_err().to_string();
        prop_assert!(message.starts_with("report.xml:"), "no location in {}", message);
    }

    #[test]
    fn lcov_tracefiles_read_back_exactly(files in lcov_files()) {
        let text = lcov_text(&files);
        let report = parse_coverage("coverage.lcov", text.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(report.format, CoverageFormat::Lcov);
        prop_assert_eq!(report.files.len(), files.len());
        for (got, (path, file)) in report.files.iter().zip(&files) {
            prop_assert_eq!(&got.path, path);
            prop_assert_eq!(got.lines_total, file.lines.len() as u64);
            prop_assert_eq!(got.lines_covered, file.lines.values().filter(|h| **h > 0).count() as u64);
            prop_assert_eq!(got.branches_total, file.branches.len() as u64);
            prop_assert_eq!(
                got.branches_covered,
                file.branches.iter().filter(|(_, t)| t.is_some_and(|t| t > 0)).count() as u64
            );
        }
        let lines: usize = files.values().map(|f| f.lines.len()).sum();
        prop_assert_eq!(report.lines_total, lines as u64);
    }

    #[test]
    fn lcov_totals_that_disagree_are_errors(files in lcov_files(), extra in 1u64..5) {
        // The first file declares more lines than it lists.
        let text = lcov_text(&files);
        let first = files.values().next().unwrap();
        let declared = format!("LF:{}\n", first.lines.len());
        let wrong = text.replacen(&declared, &format!("LF:{}\n", first.lines.len() as u64 + extra), 1);
        let result = parse_coverage("coverage.lcov", wrong.as_bytes());
        prop_assert!(result.is_err(), "disagreeing totals were read: {:?}", result);
        prop_assert!(result.unwrap_err().to_string().starts_with("coverage.lcov:"));
    }
}
