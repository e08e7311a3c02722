//! Coverage as a tech lead meets it: a small Python package tested under
//! pytest and measured by the real coverage.py, whose lcov, Cobertura XML and
//! JSON reports must read the same, and `code.testing.unit-coverage` judging
//! them; and the same for a small Rust crate measured by the real
//! cargo-llvm-cov (llvm-cov JSON export, Cobertura XML, lcov).
//!
//! coverage.py and pytest come from `target/py-tools-venv`, which `.ci/run`
//! creates; without it these tests fail and say so.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use preflight_core::select::Selection;
use preflight_core::{CheckError, Config, Registry, Report, Runner, Status};
use preflight_probes::testing::coverage::{
    CoverageFormat, CoverageReport, detect_format, parse_coverage,
};

mod support;

const ID: &str = "code.testing.unit-coverage";

const ARITH: &str = "\
def add(a, b):
    return a + b


def clamp(x, low, high):
    if x < low:
        return low
    if x > high:
        return high
    return x
";

const TEXT: &str = "\
def shout(s):
    return s.upper() + \"!\"


def never_called(s):
    words = s.split()
    return len(words)
";

const TESTS: &str = "\
from calc.arith import add, clamp
from calc.text import shout


def test_add():
    assert add(2, 3) == 5


def test_clamp_low():
    assert clamp(-1, 0, 10) == 0


def test_shout():
    assert shout(\"hi\") == \"HI!\"
";

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The Python of the tools' virtual environment, or a failure saying how to make it.
fn python() -> PathBuf {
    let python = workspace().join("target/py-tools-venv/bin/python");
    assert!(
        python.is_file(),
        "`{}` is missing: run `bash .ci/run` once to install pytest and coverage.py into it",
        python.display()
    );
    python
}

fn run_tool(dir: &Path, args: &[&str]) {
    let output = Command::new(python())
        .args(args)
        .current_dir(dir)
        .env_remove("COVERAGE_FILE")
        .env_remove("COVERAGE_RCFILE")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The project measured once per test run: the package, its tests, and
/// `cov.lcov`, `cov.xml` and `cov.json` written by coverage.py.
fn project() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = support::scratch("testing_coverage");
        support::write_files(
            &dir,
            [
                ("calc/__init__.py", ""),
                ("calc/arith.py", ARITH),
                ("calc/text.py", TEXT),
                ("tests/test_calc.py", TESTS),
            ],
        );
        run_tool(
            &dir,
            &[
                "-m",
                "coverage",
                "run",
                "--branch",
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
            ],
        );
        for (kind, out) in [
            ("lcov", "cov.lcov"),
            ("xml", "cov.xml"),
            ("json", "cov.json"),
        ] {
            run_tool(&dir, &["-m", "coverage", kind, "-o", out]);
        }
        dir
    })
}

fn read(name: &str) -> CoverageReport {
    let bytes = fs::read(project().join(name)).unwrap();
    parse_coverage(name, &bytes).unwrap()
}

/// Runs the item on the project with `[inputs.coverage] path = report` and `min`.
fn run(root: &Path, report: &str, min: f64) -> Report {
    let text = format!(
        "[project]\nname = \"calc\"\n[gate]\nrequired_roles = []\n\
         [inputs.coverage]\npath = \"{report}\"\n\
         [checks.\"{ID}\"]\nmin = {min:?}\n"
    );
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
    root.clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    Runner::new(&registry, config)
        .selection(Selection::default().with_ids([ID]).unwrap())
        .run()
        .unwrap()
}

#[test]
fn the_three_reports_of_coverage_py_agree() {
    let lcov = read("cov.lcov");
    let xml = read("cov.xml");
    let json = read("cov.json");
    assert_eq!(lcov.format, CoverageFormat::Lcov);
    assert_eq!(xml.format, CoverageFormat::Cobertura);
    assert_eq!(json.format, CoverageFormat::CoveragePyJson);
    for other in [&xml, &json] {
        assert_eq!(other.files, lcov.files, "{}", other.format);
        assert_eq!(
            (other.lines_total, other.lines_covered),
            (lcov.lines_total, lcov.lines_covered)
        );
        assert_eq!(
            (other.branches_total, other.branches_covered),
            (lcov.branches_total, lcov.branches_covered)
        );
    }
    // coverage.py's own totals.
    let raw: serde_json::Value =
        serde_json::from_slice(&fs::read(project().join("cov.json")).unwrap()).unwrap();
    let totals = &raw["totals"];
    assert_eq!(totals["num_statements"], lcov.lines_total);
    assert_eq!(totals["covered_lines"], lcov.lines_covered);
    assert_eq!(totals["num_branches"], lcov.branches_total.unwrap());
    assert_eq!(totals["covered_branches"], lcov.branches_covered.unwrap());
    // What the package is: `clamp` half tested, `never_called` never called.
    assert_eq!((lcov.lines_total, lcov.lines_covered), (21, 16));
    assert_eq!(
        (lcov.branches_total, lcov.branches_covered),
        (Some(4), Some(1))
    );
    let arith = lcov
        .files
        .iter()
        .find(|f| f.path == "calc/arith.py")
        .unwrap();
    assert_eq!((arith.lines_covered, arith.lines_total), (5, 8));
    assert_eq!((arith.branches_covered, arith.branches_total), (1, 4));
}

#[test]
fn the_item_passes_below_and_fails_above_the_measured_percent() {
    let measured = read("cov.xml").line_percent().unwrap();
    for report in ["cov.lcov", "cov.xml", "cov.json"] {
        let pass = run(project(), report, measured - 1.0);
        let item = pass.item(ID).unwrap();
        assert_eq!(item.status, Status::Pass, "{report}: {}", item.message);
        let evidence = item.evidence.as_ref().unwrap();
        let values = &evidence.values;
        assert_eq!(values["lines_total"], 21);
        assert_eq!(values["lines_covered"], 16);
        assert_eq!(values["branches_total"], 4);
        assert_eq!(values["branches_covered"], 1);
        assert_eq!(values["branch_coverage"], 25.0);
        assert!((values["line_coverage"].as_f64().unwrap() - measured).abs() < 1e-9);
        // The least covered file first; files without lines left out.
        let worst = values["worst_files"].as_array().unwrap();
        assert_eq!(worst[0]["path"], "calc/text.py");
        assert_eq!(worst[0]["covered"], 3);
        assert_eq!(worst.len(), 3);
        let artifact = &evidence.artifacts[0];
        assert_eq!(artifact.path, report);
        assert!(artifact.sha256.starts_with("sha256:"));
        assert!(artifact.modified.is_some());

        let fail = run(project(), report, measured + 1.0);
        let item = fail.item(ID).unwrap();
        assert_eq!(item.status, Status::Fail, "{report}: {}", item.message);
        assert!(
            item.message.contains("below the minimum"),
            "{}",
            item.message
        );
    }
    let format = |report: &str| {
        run(project(), report, 0.0)
            .item(ID)
            .unwrap()
            .evidence
            .as_ref()
            .unwrap()
            .values["format"]
            .clone()
    };
    assert_eq!(format("cov.json"), "coverage.py-json");
    assert_eq!(format("cov.lcov"), "lcov");
}

#[test]
fn a_report_without_lines_fails_and_a_damaged_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("empty.lcov"),
        "SF:calc/__init__.py\nend_of_record\n",
    )
    .unwrap();
    let item_report = run(dir.path(), "empty.lcov", 0.0);
    let item = item_report.item(ID).unwrap();
    assert_eq!(item.status, Status::Fail);
    assert!(item.message.contains("covers no line"), "{}", item.message);

    // coverage.py's XML cut in the middle of a tag.
    let xml = fs::read(project().join("cov.xml")).unwrap();
    let cut = xml.len() / 2;
    fs::write(dir.path().join("cut.xml"), &xml[..cut]).unwrap();
    let item_report = run(dir.path(), "cut.xml", 0.0);
    let item = item_report.item(ID).unwrap();
    assert_eq!(item.status, Status::Error, "{}", item.message);
    assert!(item.message.contains("cut.xml:"), "{}", item.message);
    let error = parse_coverage("cut.xml", &xml[..cut]).unwrap_err();
    assert!(matches!(error, CheckError::Malformed { .. }), "{error:?}");

    // coverage.py's JSON with totals edited.
    let json = fs::read_to_string(project().join("cov.json")).unwrap();
    let edited = json.replacen("\"covered_lines\": 16", "\"covered_lines\": 17", 1);
    assert_ne!(edited, json, "the totals were not found in cov.json");
    let error = parse_coverage("cov.json", edited.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("disagree"), "{error}");
}

/// A crate of two files: `fees.rs` fully tested, `lib.rs` with two of
/// `classify`'s three arms never run.
const LLVM_LIB: &str = "\
pub mod fees;

pub fn classify(x: i32) -> &'static str {
    if x > 0 {
        \"long\"
    } else if x < 0 {
        \"short\"
    } else {
        \"flat\"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn long() {
        assert_eq!(super::classify(3), \"long\");
        assert_eq!(super::fees::fee(1000), 2);
    }
}
";

const LLVM_FEES: &str = "\
/// Two basis points, rounded down.
pub fn fee(notional: u64) -> u64 {
    notional * 2 / 1000
}
";

/// `cargo-llvm-cov`, from `PATH` or cargo's own `bin` directory, with the
/// LLVM 19 tools of Debian's `llvm-19` (which read rustc's profiles).
fn cargo_llvm_cov() -> Command {
    let found = support::installed(
        "cargo-llvm-cov",
        "run `bash .ci/run` once (it runs `cargo install cargo-llvm-cov --version 0.9.1 --locked`)",
    );
    for tool in ["/usr/bin/llvm-cov-19", "/usr/bin/llvm-profdata-19"] {
        assert!(
            Path::new(tool).is_file(),
            "`{tool}` is missing: install Debian's `llvm-19` (`bash .ci/run` does)"
        );
    }
    let mut command = Command::new(found);
    command
        .arg("llvm-cov")
        .env("LLVM_COV", "/usr/bin/llvm-cov-19")
        .env("LLVM_PROFDATA", "/usr/bin/llvm-profdata-19")
        .env("CARGO_NET_OFFLINE", "true");
    // The outer run's settings are not the fixture's.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_LLVM_COV")
            || key.starts_with("NEXTEST")
            || ["CARGO_BUILD_TARGET", "CARGO_TARGET_DIR", "RUSTFLAGS"].contains(&key.as_ref())
        {
            command.env_remove(key.as_ref());
        }
    }
    command
}

/// The crate measured once per test run by the real cargo-llvm-cov:
/// `cov.json` (llvm-cov's JSON export), `cov.xml` (Cobertura) and `cov.lcov`.
fn llvm_project() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = support::scratch("testing_coverage_llvm");
        support::write_files(
            &dir,
            [
                // No dependencies: the build needs no network.
                (
                    "Cargo.toml",
                    "[package]\nname = \"ledger\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
                ),
                ("src/lib.rs", LLVM_LIB),
                ("src/fees.rs", LLVM_FEES),
            ],
        );
        let steps: [&[&str]; 4] = [
            &["--no-report"],
            &["report", "--json", "--output-path", "cov.json"],
            &["report", "--cobertura", "--output-path", "cov.xml"],
            &["report", "--lcov", "--output-path", "cov.lcov"],
        ];
        for args in steps {
            let output = cargo_llvm_cov()
                .args(args)
                .current_dir(&dir)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "cargo llvm-cov {args:?} failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        dir
    })
}

#[test]
fn the_three_reports_of_cargo_llvm_cov_agree() {
    let dir = llvm_project();
    let mut reports = Vec::new();
    for (name, format) in [
        ("cov.json", CoverageFormat::LlvmCovJson),
        ("cov.xml", CoverageFormat::Cobertura),
        ("cov.lcov", CoverageFormat::Lcov),
    ] {
        let bytes = fs::read(dir.join(name)).unwrap();
        assert_eq!(detect_format(&bytes), Some(format), "{name}");
        reports.push(parse_coverage(name, &bytes).unwrap());
    }
    // llvm-cov's own totals.
    let raw: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("cov.json")).unwrap()).unwrap();
    let lines = &raw["data"][0]["totals"]["lines"];
    for report in &reports {
        assert_eq!(lines["count"], 14);
        assert_eq!(lines["count"], report.lines_total, "{}", report.format);
        assert_eq!(lines["covered"], report.lines_covered, "{}", report.format);
        // Stable Rust measures no branches.
        assert_eq!(
            (report.branches_total, report.branches_covered),
            (None, None)
        );
        // The JSON export and lcov name files by absolute path, Cobertura
        // relative to its `<source>`.
        let counts: Vec<(&str, u64, u64)> = report
            .files
            .iter()
            .map(|f| {
                let name = f.path.rsplit('/').next().unwrap();
                (name, f.lines_covered, f.lines_total)
            })
            .collect();
        assert_eq!(
            counts,
            [("fees.rs", 3, 3), ("lib.rs", 8, 11)],
            "{}",
            report.format
        );
    }
    assert_eq!(reports[1].files[1].path, "src/lib.rs");

    let report = run(dir, "cov.json", 75.0);
    let item = report.item(ID).unwrap();
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    let report = run(dir, "cov.xml", 80.0);
    let item = report.item(ID).unwrap();
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    let values = &item.evidence.as_ref().unwrap().values;
    assert_eq!(values["format"], "cobertura");
    assert!(values.get("branch_coverage").is_none());
}
