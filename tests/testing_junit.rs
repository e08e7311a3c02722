//! Test reports as a team meets them: the `JUnit` XML that pytest and
//! cargo-nextest really write (generated here by the real tools), plus the
//! committed Surefire and Jest fixtures, parsed and judged through the
//! registry and runner.

use std::path::{Path, PathBuf};
use std::process::Command;

use preflight_core::select::Selection;
use preflight_core::{CheckError, Config, Registry, Report, Runner, Status};
use preflight_probes::testing::junit::{FailureKind, parse_junit};

const INTEGRATION: &str = "code.testing.integration-tests";
const END_TO_END: &str = "code.testing.end-to-end";

/// The workspace root (this package's manifest directory).
fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `ids` in the project `dir` with the configuration `inputs`.
fn run(dir: &Path, inputs: &str, ids: &[&str]) -> Report {
    let text = format!("[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n{inputs}");
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
    dir.clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    Runner::new(&registry, config)
        .selection(Selection::default().with_ids(ids.iter().copied()).unwrap())
        .run()
        .unwrap()
}

/// The item `id` of `report`: status, message and evidence values.
fn item(report: &Report, id: &str) -> (Status, String, serde_json::Value) {
    let item = report.item(id).unwrap();
    let values = item
        .evidence
        .as_ref()
        .map(|e| serde_json::to_value(&e.values).unwrap())
        .unwrap_or_default();
    (item.status, item.message.clone(), values)
}

/// Runs pytest on `module` (as `test_desk.py`) in `dir`, writing `report`.
fn pytest(dir: &Path, module: &str, report: &str) {
    let python = workspace().join("target/py-tools-venv/bin/python");
    assert!(
        python.is_file(),
        "`{}` is missing: run `bash .ci/run` to create the test tools' virtual environment",
        python.display()
    );
    std::fs::write(dir.join("test_desk.py"), module).unwrap();
    let status = Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(format!("--junitxml={report}"))
        .arg("test_desk.py")
        .current_dir(dir)
        .output()
        .unwrap();
    // Exit code 1: tests failed, which some modules here mean to.
    assert!(
        matches!(status.status.code(), Some(0 | 1)),
        "pytest could not run: {}",
        String::from_utf8_lossy(&status.stdout)
    );
}

const MIXED: &str = r#"import pytest

def test_places_order():
    assert 1 + 1 == 2

def test_rejects_negative_quantity():
    assert "ACCEPTED" == "REJECTED", "negative quantity accepted"

@pytest.fixture
def broker():
    raise ConnectionError("broker unreachable")

def test_connects(broker):
    pass

@pytest.mark.skip(reason="no market on weekends")
def test_weekend():
    pass
"#;

const PASSING: &str = r#"import pytest

def test_places_order():
    assert 1 + 1 == 2

def test_cancels_order():
    assert "CANCELLED".lower() == "cancelled"

@pytest.mark.skip(reason="no market on weekends")
def test_weekend():
    pass
"#;

#[test]
fn pytest_report_is_parsed_and_its_failures_fail_the_item() {
    let dir = tempfile::tempdir().unwrap();
    pytest(dir.path(), MIXED, "report.xml");
    let bytes = std::fs::read(dir.path().join("report.xml")).unwrap();
    let report = parse_junit(&bytes, "report.xml").unwrap();
    let counts = report.cases;
    assert_eq!(
        (counts.tests, counts.failures, counts.errors, counts.skipped),
        (4, 1, 1, 1)
    );
    let failing: Vec<(&str, &str, FailureKind)> = report
        .failing
        .iter()
        .map(|f| (f.classname.as_str(), f.name.as_str(), f.kind))
        .collect();
    assert_eq!(
        failing,
        [
            (
                "test_desk",
                "test_rejects_negative_quantity",
                FailureKind::Failure
            ),
            ("test_desk", "test_connects", FailureKind::Error),
        ]
    );
    assert!(
        report.failing[0]
            .message
            .starts_with("AssertionError: negative quantity accepted"),
        "{}",
        report.failing[0].message
    );

    let report = run(
        dir.path(),
        "[inputs.junit]\npaths = [\"report.xml\"]\n",
        &[INTEGRATION],
    );
    let (status, message, values) = item(&report, INTEGRATION);
    assert_eq!(status, Status::Fail, "{message}");
    assert!(
        message.starts_with(
            "1 of 4 tests failed and 1 errored: test_desk::test_rejects_negative_quantity (AssertionError: negative quantity accepted"
        ),
        "{message}"
    );
    assert_eq!(
        (
            &values["tests"],
            &values["failures"],
            &values["errors"],
            &values["skipped"],
            &values["flaky"]
        ),
        (&4.into(), &1.into(), &1.into(), &1.into(), &0.into())
    );
    assert_eq!(values["failing"][1]["name"], "test_connects");
    assert_eq!(values["failing"][1]["kind"], "error");
    assert_eq!(values["files"], serde_json::json!(["report.xml"]));
    let artifacts = &report
        .item(INTEGRATION)
        .unwrap()
        .evidence
        .as_ref()
        .unwrap()
        .artifacts;
    assert_eq!(artifacts.len(), 1);
    assert_eq!(artifacts[0].path, "report.xml");
    assert!(artifacts[0].sha256.starts_with("sha256:"));
    assert!(artifacts[0].modified.is_some());
}

#[test]
fn passing_pytest_reports_pass_both_items_through_globs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    pytest(dir.path(), PASSING, "reports/e2e.xml");
    let report = run(
        dir.path(),
        "[inputs.junit]\npaths = [\"reports/*.xml\"]\n[inputs.junit_e2e]\npaths = [\"reports/e2e.xml\"]\nsuites = [\"pyt*\"]\n",
        &[INTEGRATION, END_TO_END],
    );
    for id in [INTEGRATION, END_TO_END] {
        let (status, message, values) = item(&report, id);
        assert_eq!(status, Status::Pass, "{id}: {message}");
        assert_eq!(message, "2 tests passed (1 skipped, 0 flaky) in 1 reports");
        assert_eq!(values["tests"], 3);
        assert_eq!(values["files"], serde_json::json!(["reports/e2e.xml"]));
    }
}

/// `cargo-nextest`, from `PATH` or where `.ci` installs it.
fn nextest() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("cargo-nextest"))
            .find(|p| p.is_file())
    });
    let found = on_path.unwrap_or_else(|| PathBuf::from("/usr/local/bin/cargo-nextest"));
    assert!(
        found.is_file(),
        "`cargo-nextest` is not installed: install it (`cargo install cargo-nextest --locked`) to run this test"
    );
    found
}

#[test]
fn nextest_report_of_a_tiny_crate() {
    let krate = tempfile::tempdir().unwrap();
    let root = krate.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join(".config")).unwrap();
    // No dependencies: the build needs no network.
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"nextest-fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("src/lib.rs"),
        "#[cfg(test)]\nmod tests {\n    #[test]\n    fn passes() {\n        assert_eq!(1 + 1, 2);\n    }\n\n    #[test]\n    fn fails() {\n        assert_eq!(1 + 1, 3, \"arithmetic broke\");\n    }\n}\n",
    )
    .unwrap();
    std::fs::write(
        root.join(".config/nextest.toml"),
        "[profile.ci.junit]\npath = \"junit.xml\"\n",
    )
    .unwrap();
    // Under the workspace's target directory, so the build is cached across runs.
    let target = workspace().join("target/nextest-fixture");
    let mut command = Command::new(nextest());
    command
        .args(["nextest", "run", "--profile", "ci", "--no-fail-fast"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_NET_OFFLINE", "true");
    // The outer run's settings (a nextest profile, a build target) are not the fixture's.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("NEXTEST") || key == "CARGO_BUILD_TARGET" {
            command.env_remove(key.as_ref());
        }
    }
    let output = command.output().unwrap();
    // nextest keeps its store (and the report) under the project's own
    // `target/nextest/<profile>/`, whatever the build's target directory.
    let junit = root.join("target/nextest/ci/junit.xml");
    assert!(
        junit.is_file(),
        "cargo nextest wrote no report: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bytes = std::fs::read(&junit).unwrap();
    let report = parse_junit(&bytes, "junit.xml").unwrap();
    assert_eq!((report.cases.tests, report.cases.failures), (2, 1));
    assert_eq!(report.suites[0].name, "nextest-fixture");
    assert_eq!(report.failing[0].name, "tests::fails");
    assert_eq!(report.failing[0].kind, FailureKind::Failure);

    let report = run(
        root,
        "[inputs.junit]\npaths = [\"target/nextest/ci/junit.xml\"]\n",
        &[INTEGRATION],
    );
    let (status, message, values) = item(&report, INTEGRATION);
    assert_eq!(status, Status::Fail, "{message}");
    assert!(
        message.starts_with("1 of 2 tests failed and 0 errored: nextest-fixture::tests::fails"),
        "{message}"
    );
    assert_eq!(values["files"][0], "target/nextest/ci/junit.xml");
}

/// A project with the committed Surefire and Jest fixtures under `reports/`.
fn fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    for name in ["surefire.xml", "jest-junit.xml"] {
        std::fs::copy(
            workspace().join("tests/testdata/junit").join(name),
            dir.path().join("reports").join(name),
        )
        .unwrap();
    }
    dir
}

#[test]
fn surefire_and_jest_reports_together_and_by_suite() {
    let dir = fixtures();
    let report = run(
        dir.path(),
        "[inputs.junit]\npaths = [\"reports/*.xml\"]\n",
        &[INTEGRATION],
    );
    let (status, message, values) = item(&report, INTEGRATION);
    assert_eq!(status, Status::Fail, "{message}");
    assert_eq!(
        (
            &values["tests"],
            &values["failures"],
            &values["errors"],
            &values["skipped"],
            &values["flaky"]
        ),
        (&9.into(), &2.into(), &1.into(), &2.into(), &1.into())
    );
    assert_eq!(
        values["files"],
        serde_json::json!(["reports/jest-junit.xml", "reports/surefire.xml"])
    );
    assert_eq!(values["failing"].as_array().unwrap().len(), 3);
    assert_eq!(
        report
            .item(INTEGRATION)
            .unwrap()
            .evidence
            .as_ref()
            .unwrap()
            .artifacts
            .len(),
        2
    );

    // Selected by suite name: the price suite alone passes.
    let report = run(
        dir.path(),
        "[inputs.junit_e2e]\npaths = [\"reports/*.xml\"]\nsuites = [\"src/prices*\"]\n",
        &[END_TO_END],
    );
    let (status, message, _) = item(&report, END_TO_END);
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(message, "1 tests passed (0 skipped, 0 flaky) in 2 reports");
}

#[test]
fn missing_malformed_or_empty_reports_never_pass() {
    let dir = fixtures();
    let cases = [
        (
            "[inputs.junit]\npaths = [\"reports/*.xml\", \"target/nextest/ci/junit.xml\"]\n",
            "input `junit`: `target/nextest/ci/junit.xml` matches no file under",
        ),
        (
            "[inputs.junit]\npaths = [\"reports/*.xml\"]\nsuites = [\"integration-*\"]\n",
            "input `junit`: `suites`: `integration-*` selects no suite in `reports/jest-junit.xml`, `reports/surefire.xml`",
        ),
        (
            "[inputs.junit]\npath = \"reports/surefire.xml\"\n",
            "input `junit`: unknown key `path` in [inputs.junit] (expected `paths`, `suites`)",
        ),
    ];
    for (inputs, expected) in cases {
        let (status, message, _) = item(&run(dir.path(), inputs, &[INTEGRATION]), INTEGRATION);
        assert_eq!(status, Status::Error, "{message}");
        assert!(message.starts_with(expected), "{message}");
    }
    let (status, message, _) = item(&run(dir.path(), "", &[INTEGRATION]), INTEGRATION);
    assert_eq!(status, Status::Error);
    assert!(message.contains("[inputs.junit]"), "{message}");

    std::fs::write(
        dir.path().join("reports/bad.xml"),
        "<testsuite name=\"x\">\n  <testcase name=\"a\">\n</testsuite>\n",
    )
    .unwrap();
    let (status, message, _) = item(
        &run(
            dir.path(),
            "[inputs.junit]\npaths = [\"reports/bad.xml\"]\n",
            &[INTEGRATION],
        ),
        INTEGRATION,
    );
    assert_eq!(status, Status::Error);
    assert!(
        message.starts_with("reports/bad.xml:3:1: invalid XML"),
        "{message}"
    );
    let err = parse_junit(
        &std::fs::read(dir.path().join("reports/bad.xml")).unwrap(),
        "bad.xml",
    )
    .unwrap_err();
    assert!(matches!(err, CheckError::Malformed { .. }));

    std::fs::write(
        dir.path().join("reports/empty.xml"),
        "<testsuites name=\"jest tests\" tests=\"0\"></testsuites>",
    )
    .unwrap();
    let (status, message, values) = item(
        &run(
            dir.path(),
            "[inputs.junit]\npaths = [\"reports/empty.xml\"]\n",
            &[INTEGRATION],
        ),
        INTEGRATION,
    );
    assert_eq!(status, Status::Fail);
    assert_eq!(
        message,
        "no test ran: `reports/empty.xml` holds no test case"
    );
    assert_eq!(values["tests"], 0);
}
