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
//! - Cobertura XML as `coverage xml` writes it: files of line hits and branch
//!   lines (`condition-coverage="50% (1/2)"`), a file's lines sometimes split
//!   over several `<class>`es of one `filename` and repeated in a
//!   `<method>`, with the `lines-valid`, `lines-covered`, `branches-valid`,
//!   `branches-covered` totals of `<coverage>`; [`parse_coverage`] must merge
//!   each file's classes and give back its lines and branches, and a total
//!   that disagrees with the lines, or a report cut short, is an error.
//! - coverage.py JSON as `coverage json` writes it, with or without branch
//!   measurement: each file's `executed_lines`, `missing_lines`, `summary`
//!   and module-level `functions` and `classes` entries, and the `totals`;
//!   [`parse_coverage`] must give back every file's `summary` counts, and
//!   `totals` that disagree with the files, or a report cut short, are an
//!   error.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use preflight_probes::testing::coverage::{CoverageFormat, CoverageReport, parse_coverage};
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

/// A line of a coverage.py report: its hits, its branches (taken, total)
/// when it is a branch line, and the class it is written in (Cobertura
/// only: a file's lines may be split over several classes).
#[derive(Debug, Clone)]
struct PyLine {
    hits: u64,
    branch: Option<(u64, u64)>,
    class: usize,
}

/// A file of a coverage.py report; `method` repeats its first line in a
/// `<method>` of the Cobertura XML, as other Cobertura writers do.
#[derive(Debug, Clone)]
struct PyFile {
    lines: BTreeMap<u64, PyLine>,
    method: bool,
}

impl PyFile {
    /// Lines measured, lines covered, branches measured, branches taken.
    fn counts(&self) -> [u64; 4] {
        let branches = self.lines.values().filter_map(|l| l.branch);
        [
            self.lines.len() as u64,
            self.lines.values().filter(|l| l.hits > 0).count() as u64,
            branches.clone().map(|(_, total)| total).sum(),
            branches.map(|(taken, _)| taken).sum(),
        ]
    }
}

/// A coverage.py report; `branch` is `coverage run --branch`.
#[derive(Debug, Clone)]
struct PyReport {
    branch: bool,
    files: BTreeMap<String, PyFile>,
}

impl PyReport {
    /// The sums of [`PyFile::counts`] over the files.
    fn totals(&self) -> [u64; 4] {
        self.files.values().fold([0; 4], |mut sum, file| {
            for (s, c) in sum.iter_mut().zip(file.counts()) {
                *s += c;
            }
            sum
        })
    }
}

fn py_reports() -> impl Strategy<Value = PyReport> {
    // An executed branch line took some of its 2 to 4 exits; a line never
    // executed took none, as coverage.py reports it.
    let branch = (2u64..=4).prop_flat_map(|total| (0..=total, Just(total)));
    let line = (
        prop_oneof![Just(0u64), 1u64..1000],
        prop::option::weighted(0.3, branch),
        0usize..3,
    )
        .prop_map(|(hits, branch, class)| PyLine {
            hits,
            branch: branch.map(|(taken, total)| (if hits == 0 { 0 } else { taken }, total)),
            class,
        });
    let file = (
        prop::collection::btree_map(1u64..5000, line, 0..40),
        any::<bool>(),
    )
        .prop_map(|(lines, method)| PyFile { lines, method });
    (
        any::<bool>(),
        prop::collection::btree_map("[a-z][a-z0-9_]{0,8}(/[a-z0-9_]{1,8}){0,3}\\.py", file, 1..6),
    )
        .prop_map(|(branch, mut files)| {
            if !branch {
                for line in files.values_mut().flat_map(|f| f.lines.values_mut()) {
                    line.branch = None;
                }
            }
            PyReport { branch, files }
        })
}

/// `hit` of `total` as coverage.py writes a rate: `1` when there is nothing to hit.
// Generated counts stay far below 2^52, where f64 is exact.
#[allow(clippy::cast_precision_loss)]
fn rate(hit: u64, total: u64) -> String {
    if total == 0 {
        "1".to_owned()
    } else {
        format!("{:.4}", hit as f64 / total as f64)
    }
}

/// A `<line>` as `coverage xml` writes it.
fn cobertura_line(out: &mut String, indent: &str, number: u64, line: &PyLine) {
    write!(
        out,
        "{indent}<line number=\"{number}\" hits=\"{}\"",
        line.hits
    )
    .unwrap();
    if let Some((taken, total)) = line.branch {
        write!(
            out,
            " branch=\"true\" condition-coverage=\"{}% ({taken}/{total})\"",
            taken * 100 / total
        )
        .unwrap();
        if taken < total {
            let missing: Vec<String> = (taken..total)
                .map(|k| (number + 1 + k).to_string())
                .collect();
            write!(out, " missing-branches=\"{}\"", missing.join(",")).unwrap();
        }
    }
    out.push_str("/>\n");
}

/// The report as `coverage xml` writes it, with `declared` as the
/// `lines-valid`, `lines-covered`, `branches-valid` and `branches-covered`
/// of `<coverage>`. A file whose lines name several classes is written as
/// that many `<class>`es of the same `filename` (`mod.py`, `mod.py$1`, ...).
fn cobertura_xml(report: &PyReport, declared: [u64; 4]) -> String {
    let [lines_valid, lines_covered, branches_valid, branches_covered] = declared;
    let mut packages: BTreeMap<String, Vec<(&String, &PyFile)>> = BTreeMap::new();
    for (path, file) in &report.files {
        let package = path.rsplit_once('/').map_or(".", |(dir, _)| dir);
        packages
            .entry(package.replace('/', "."))
            .or_default()
            .push((path, file));
    }
    let mut xml = String::from("<?xml version=\"1.0\" ?>\n");
    writeln!(
        xml,
        "<coverage version=\"7.17.3\" timestamp=\"1795513581918\" lines-valid=\"{lines_valid}\" lines-covered=\"{lines_covered}\" line-rate=\"{}\" branches-valid=\"{branches_valid}\" branches-covered=\"{branches_covered}\" branch-rate=\"{}\" complexity=\"0\">",
        rate(lines_covered, lines_valid),
        if report.branch { rate(branches_covered, branches_valid) } else { "0".to_owned() },
    )
    .unwrap();
    xml.push_str(
        "\t<!-- Generated by coverage.py: https://coverage.readthedocs.io/en/7.17.3 -->\n",
    );
    xml.push_str("\t<sources>\n\t\t<source>/tmp/project</source>\n\t</sources>\n\t<packages>\n");
    for (package, files) in &packages {
        writeln!(
            xml,
            "\t\t<package name=\"{}\" line-rate=\"1\" branch-rate=\"1\" complexity=\"0\">\n\t\t\t<classes>",
            escape(package)
        )
        .unwrap();
        for (path, file) in files {
            let name = path.rsplit('/').next().unwrap_or(path);
            let classes = file.lines.values().map(|l| l.class + 1).max().unwrap_or(1);
            for class in 0..classes {
                let lines: Vec<(u64, &PyLine)> = file
                    .lines
                    .iter()
                    .filter(|(_, l)| l.class == class)
                    .map(|(n, l)| (*n, l))
                    .collect();
                let suffix = if class == 0 {
                    String::new()
                } else {
                    format!("${class}")
                };
                let hit = lines.iter().filter(|(_, l)| l.hits > 0).count() as u64;
                writeln!(
                    xml,
                    "\t\t\t\t<class name=\"{}{suffix}\" filename=\"{}\" complexity=\"0\" line-rate=\"{}\" branch-rate=\"1\">",
                    escape(name),
                    escape(path.as_str()),
                    rate(hit, lines.len() as u64),
                )
                .unwrap();
                match lines.first() {
                    // A method's `<lines>` repeat lines of its class: they count once.
                    Some((number, line)) if file.method => {
                        xml.push_str("\t\t\t\t\t<methods>\n\t\t\t\t\t\t<method name=\"f\" signature=\"\" complexity=\"0\" line-rate=\"1\" branch-rate=\"1\">\n\t\t\t\t\t\t\t<lines>\n");
                        cobertura_line(&mut xml, "\t\t\t\t\t\t\t\t", *number, line);
                        xml.push_str(
                            "\t\t\t\t\t\t\t</lines>\n\t\t\t\t\t\t</method>\n\t\t\t\t\t</methods>\n",
                        );
                    }
                    _ => xml.push_str("\t\t\t\t\t<methods/>\n"),
                }
                if lines.is_empty() {
                    xml.push_str("\t\t\t\t\t<lines/>\n");
                } else {
                    xml.push_str("\t\t\t\t\t<lines>\n");
                    for (number, line) in &lines {
                        cobertura_line(&mut xml, "\t\t\t\t\t\t", *number, line);
                    }
                    xml.push_str("\t\t\t\t\t</lines>\n");
                }
                xml.push_str("\t\t\t\t</class>\n");
            }
        }
        xml.push_str("\t\t\t</classes>\n\t\t</package>\n");
    }
    xml.push_str("\t</packages>\n</coverage>\n");
    xml
}

/// A `summary` object of `coverage json` for `counts` (see [`PyFile::counts`]).
// Generated counts stay far below 2^52, where f64 is exact.
#[allow(clippy::cast_precision_loss)]
fn json_summary(counts: [u64; 4], partial: u64, branch: bool) -> String {
    let [statements, covered, branches, taken] = counts;
    let percent = |hit: u64, total: u64| {
        if total == 0 {
            100.0
        } else {
            hit as f64 * 100.0 / total as f64
        }
    };
    // coverage.py's `percent_covered` counts branches as well as lines.
    let all = if branch {
        percent(covered + taken, statements + branches)
    } else {
        percent(covered, statements)
    };
    let lines = percent(covered, statements);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let display = |p: f64| (p.round() as u64).to_string();
    let mut out = format!(
        "{{\"covered_lines\": {covered}, \"num_statements\": {statements}, \"percent_covered\": {all:?}, \"percent_covered_display\": \"{}\", \"missing_lines\": {}, \"excluded_lines\": 0, \"percent_statements_covered\": {lines:?}, \"percent_statements_covered_display\": \"{}\"",
        display(all),
        statements.saturating_sub(covered),
        display(lines),
    );
    if branch {
        let on_branches = percent(taken, branches);
        write!(
            out,
            ", \"num_branches\": {branches}, \"num_partial_branches\": {partial}, \"covered_branches\": {taken}, \"missing_branches\": {}, \"percent_branches_covered\": {on_branches:?}, \"percent_branches_covered_display\": \"{}\"",
            branches.saturating_sub(taken),
            display(on_branches),
        )
        .unwrap();
    }
    out.push('}');
    out
}

/// The report as `coverage json` writes it, with `declared` as the
/// `num_statements`, `covered_lines`, `num_branches` and `covered_branches`
/// of `totals`. Each file also has the module-level entry coverage.py writes
/// under `functions` and `classes`, with a `summary` of its own.
fn coverage_json(report: &PyReport, declared: [u64; 4]) -> String {
    let list = |numbers: &mut dyn Iterator<Item = String>| numbers.collect::<Vec<_>>().join(", ");
    let mut files = Vec::new();
    let mut partial_total = 0;
    for (path, file) in &report.files {
        let lines = |executed: bool| {
            list(
                &mut file
                    .lines
                    .iter()
                    .filter(|(_, l)| (l.hits > 0) == executed)
                    .map(|(n, _)| n.to_string()),
            )
        };
        let arcs = |executed: bool| {
            list(&mut file.lines.iter().flat_map(|(n, l)| {
                let (taken, total) = l.branch.unwrap_or((0, 0));
                let range = if executed { 0..taken } else { taken..total };
                range.map(move |k| format!("[{n}, {}]", n + 1 + k))
            }))
        };
        let partial = file
            .lines
            .values()
            .filter(|l| l.hits > 0 && l.branch.is_some_and(|(taken, total)| taken < total))
            .count() as u64;
        partial_total += partial;
        let head = format!(
            "\"executed_lines\": [{}], \"summary\": {}, \"missing_lines\": [{}], \"excluded_lines\": []",
            lines(true),
            json_summary(file.counts(), partial, report.branch),
            lines(false),
        );
        let tail = if report.branch {
            format!(
                ", \"executed_branches\": [{}], \"missing_branches\": [{}]",
                arcs(true),
                arcs(false)
            )
        } else {
            String::new()
        };
        let module = format!("{{\"\": {{{head}, \"start_line\": 1{tail}}}}}");
        files.push(format!(
            "{}: {{{head}{tail}, \"functions\": {module}, \"classes\": {module}}}",
            serde_json::to_string(path).unwrap()
        ));
    }
    format!(
        "{{\"meta\": {{\"format\": 3, \"version\": \"7.17.3\", \"timestamp\": \"2026-01-01T00:00:00.000000\", \"branch_coverage\": {}, \"show_contexts\": false}}, \"files\": {{{}}}, \"totals\": {}}}",
        report.branch,
        files.join(", "),
        json_summary(declared, partial_total, report.branch),
    )
}

/// `report` read back has every file of `written` with its lines and
/// branches, and their sums as totals.
fn assert_py_report(
    report: &CoverageReport,
    format: CoverageFormat,
    written: &PyReport,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(report.format, format);
    let paths: Vec<&String> = report.files.iter().map(|f| &f.path).collect();
    let written_paths: Vec<&String> = written.files.keys().collect();
    prop_assert_eq!(paths, written_paths);
    for (got, (path, file)) in report.files.iter().zip(&written.files) {
        let counts = [
            got.lines_total,
            got.lines_covered,
            got.branches_total,
            got.branches_covered,
        ];
        prop_assert_eq!(counts, file.counts(), "file {}", path);
    }
    let [lines_total, lines_covered, branches_total, branches_covered] = written.totals();
    prop_assert_eq!(
        (report.lines_total, report.lines_covered),
        (lines_total, lines_covered)
    );
    let measured = branches_total > 0;
    prop_assert_eq!(report.branches_total, measured.then_some(branches_total));
    prop_assert_eq!(
        report.branches_covered,
        measured.then_some(branches_covered)
    );
    Ok(())
}

/// `text` cut at a fraction `cut` of `end`, on a character boundary.
fn cut_short(text: &str, end: usize, cut: f64) -> &str {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let mut at = (end as f64 * cut) as usize;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
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
        let short = cut_short(&xml, end, cut);
        let result = parse_junit(short.as_bytes(), "report.xml");
        prop_assert!(result.is_err(), "a report cut at byte {} of {} was read: {:?}", short.len(), xml.len(), result);
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

proptest! {
    // Six properties share the coverage.py generator; half the cases keep
    // the whole file within a few seconds in a debug build.
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn cobertura_reports_read_back_exactly(written in py_reports()) {
        let xml = cobertura_xml(&written, written.totals());
        let report = parse_coverage("coverage.xml", xml.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        assert_py_report(&report, CoverageFormat::Cobertura, &written)?;
    }

    #[test]
    fn cobertura_totals_that_disagree_are_errors(written in py_reports(), which in 0usize..4, extra in 1u64..5) {
        // One of `lines-valid`, `lines-covered`, `branches-valid`, `branches-covered` is off.
        let mut declared = written.totals();
        declared[which] += extra;
        let xml = cobertura_xml(&written, declared);
        let result = parse_coverage("coverage.xml", xml.as_bytes());
        prop_assert!(result.is_err(), "disagreeing totals were read: {:?}", result);
        let message = result.unwrap_err().to_string();
        prop_assert!(message.starts_with("coverage.xml:"), "no location in {}", message);
    }

    #[test]
    fn cobertura_reports_cut_short_are_errors(written in py_reports(), cut in 0.0f64..1.0) {
        // Anywhere before the last `>` of `</coverage>`: the report is incomplete.
        let xml = cobertura_xml(&written, written.totals());
        let end = xml.rfind("</coverage>").unwrap() + "</coverage".len();
        let short = cut_short(&xml, end, cut);
        let result = parse_coverage("coverage.xml", short.as_bytes());
        prop_assert!(result.is_err(), "a report cut at byte {} of {} was read: {:?}", short.len(), xml.len(), result);
        let message = result.unwrap_err().to_string();
        prop_assert!(message.starts_with("coverage.xml:"), "no location in {}", message);
    }

    #[test]
    fn coverage_py_json_reads_back_exactly(written in py_reports()) {
        let json = coverage_json(&written, written.totals());
        let report = parse_coverage("coverage.json", json.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{json}")))?;
        assert_py_report(&report, CoverageFormat::CoveragePyJson, &written)?;
    }

    #[test]
    fn coverage_py_json_totals_that_disagree_are_errors(written in py_reports(), which in 0usize..4, extra in 1u64..5) {
        // One of the `totals` is off; `num_branches` and `covered_branches`
        // are written only when branches are measured.
        let mut declared = written.totals();
        declared[if written.branch { which } else { which % 2 }] += extra;
        let json = coverage_json(&written, declared);
        let result = parse_coverage("coverage.json", json.as_bytes());
        prop_assert!(result.is_err(), "disagreeing totals were read: {:?}", result);
        let message = result.unwrap_err().to_string();
        prop_assert!(message.starts_with("coverage.json:"), "no location in {}", message);
    }

    #[test]
    fn coverage_py_json_cut_short_is_an_error(written in py_reports(), cut in 0.0f64..1.0) {
        // Anywhere before the closing `}` of the document.
        let json = coverage_json(&written, written.totals());
        let short = cut_short(&json, json.len() - 1, cut);
        let result = parse_coverage("coverage.json", short.as_bytes());
        prop_assert!(result.is_err(), "a report cut at byte {} of {} was read: {:?}", short.len(), json.len(), result);
        let message = result.unwrap_err().to_string();
        prop_assert!(message.starts_with("coverage.json:"), "no location in {}", message);
    }
}
