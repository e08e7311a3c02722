//! Test reports as a team meets them: the `JUnit` XML that pytest,
//! cargo-nextest, Maven Surefire and Jest (through jest-junit) really write
//! (generated here by the real tools), parsed and judged through the
//! registry and runner.

use std::path::{Path, PathBuf};
use std::process::Command;

use preflight_core::{CheckError, Status};
use preflight_probes::testing::junit::{FailureKind, parse_junit};

mod support;
use support::{item, js_tools, run, workspace};

const INTEGRATION: &str = "code.testing.integration-tests";
const END_TO_END: &str = "code.testing.end-to-end";

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
    assert_eq!(five(&report.cases), (4, 1, 1, 1, 0));
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

/// `cargo-nextest`, from `PATH` or where it is usually installed.
fn nextest() -> PathBuf {
    support::installed(
        "cargo-nextest",
        "install it (`cargo install cargo-nextest --locked`) to run this test",
    )
}

/// The five counts of `counts`: tests, failures, errors, skipped, flaky.
fn five(counts: &preflight_probes::testing::junit::Counts) -> (u64, u64, u64, u64, u64) {
    (
        counts.tests,
        counts.failures,
        counts.errors,
        counts.skipped,
        counts.flaky,
    )
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

const SUM: &str = "function sum(a, b) {\n  return a + b;\n}\n\nmodule.exports = { sum };\n";

/// Two `describe` blocks: one failing test (floating point), one skipped.
const SUM_TEST: &str = r#"const { sum } = require("./sum");

describe("sum", () => {
  test("adds two quantities", () => {
    expect(sum(1, 2)).toBe(3);
  });
  test("adds a short position", () => {
    expect(sum(5, -2)).toBe(3);
  });
  test("adds prices to the cent", () => {
    expect(sum(0.1, 0.2)).toBe(0.3);
  });
});

describe("orders", () => {
  test("totals a basket", () => {
    expect([1, 2, 3].reduce(sum, 0)).toBe(6);
  });
  test.skip("settles on the next business day", () => {
    expect(sum(1, 1)).toBe(2);
  });
});
"#;

/// A second test file: its own suite, all passing.
const PRICES_TEST: &str = r#"const { sum } = require("./sum");

describe("prices", () => {
  test("rounds to the tick", () => {
    expect(Math.round(sum(100, 0.25) * 4) / 4).toBe(100.25);
  });
});
"#;

/// Writes a tiny JavaScript project in `dir` and runs the real Jest on it
/// with the jest-junit reporter, which writes `report` (relative to `dir`).
fn jest(dir: &Path, report: &str) {
    let modules = js_tools(&["jest", "jest-junit"]);
    // The project's own `node_modules`, as after `npm install`: Jest
    // resolves the `jest-junit` reporter from the project's root.
    std::os::unix::fs::symlink(&modules, dir.join("node_modules")).unwrap();
    for (name, text) in [
        ("package.json", "{\"name\": \"desk\", \"private\": true}\n"),
        ("sum.js", SUM),
        ("sum.test.js", SUM_TEST),
        ("prices.test.js", PRICES_TEST),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let report = dir.join(report);
    let mut command = Command::new("node");
    command
        .arg(modules.join("jest/bin/jest.js"))
        .args([
            "--ci",
            "--watchman=false",
            "--no-cache",
            "--runInBand",
            "--reporters=default",
            "--reporters=jest-junit",
        ])
        .arg(format!("--rootDir={}", dir.display()))
        .current_dir(dir)
        .env("NO_COLOR", "1");
    // The outer environment's jest-junit options are not the fixture's.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("JEST_JUNIT_") {
            command.env_remove(key);
        }
    }
    command
        .env("JEST_JUNIT_OUTPUT_DIR", report.parent().unwrap())
        .env("JEST_JUNIT_OUTPUT_NAME", report.file_name().unwrap());
    let output = command.output().unwrap_or_else(|e| {
        panic!("`node` (Node.js) could not be run ({e}): install Node.js, then run `bash .ci/run` to install Jest")
    });
    // Exit code 1: a test failed, as `SUM_TEST` means to.
    assert!(
        output.status.code() == Some(1) && report.is_file(),
        "Jest did not run as expected ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn jest_report_of_a_tiny_project() {
    let dir = tempfile::tempdir().unwrap();
    jest(dir.path(), "reports/jest-junit.xml");
    let bytes = std::fs::read(dir.path().join("reports/jest-junit.xml")).unwrap();
    let report = parse_junit(&bytes, "jest-junit.xml").unwrap();
    assert_eq!(five(&report.cases), (6, 1, 0, 1, 0));
    // One suite per test file, named by default for its first `describe`.
    let mut suites: Vec<(&str, u64, u64, u64)> = report
        .suites
        .iter()
        .map(|s| (s.name.as_str(), s.tests, s.failures, s.skipped))
        .collect();
    suites.sort_unstable();
    assert_eq!(suites, [("prices", 1, 0, 0), ("sum", 5, 1, 1)]);
    assert_eq!(report.failing.len(), 1);
    let failing = &report.failing[0];
    // jest-junit names a test "{describe} {title}", as classname and name.
    assert_eq!(
        (
            failing.suite.as_str(),
            failing.classname.as_str(),
            failing.name.as_str(),
            failing.kind
        ),
        (
            "sum",
            "sum adds prices to the cent",
            "sum adds prices to the cent",
            FailureKind::Failure
        )
    );
    // No `message` attribute: the first line of the failure's text.
    assert_eq!(
        failing.message,
        "Error: expect(received).toBe(expected) // Object.is equality"
    );

    let report = run(
        dir.path(),
        "[inputs.junit]\npaths = [\"reports/*.xml\"]\n",
        &[INTEGRATION],
    );
    let (status, message, values) = item(&report, INTEGRATION);
    assert_eq!(status, Status::Fail, "{message}");
    assert!(
        message.starts_with(
            "1 of 6 tests failed and 0 errored: sum adds prices to the cent::sum adds prices to the cent (Error: expect(received).toBe(expected)"
        ),
        "{message}"
    );
    assert_eq!(
        (&values["tests"], &values["failures"], &values["skipped"]),
        (&6.into(), &1.into(), &1.into())
    );
    assert_eq!(
        values["files"],
        serde_json::json!(["reports/jest-junit.xml"])
    );
}

const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>desk</groupId>
  <artifactId>order-gate</artifactId>
  <version>1.0</version>
  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>4.13.2</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.10.1</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>2.22.3</version>
        <configuration>
          <!-- In Maven's own JVM: a forked one takes 10 s to be reaped here. -->
          <forkCount>0</forkCount>
          <rerunFailingTestsCount>1</rerunFailingTestsCount>
        </configuration>
      </plugin>
    </plugins>
  </build>
</project>
"#;

const ORDER_GATE: &str = r#"package desk;

public final class OrderGate {
    private OrderGate() {}

    /** ACCEPTED or REJECTED; the quantity check is the gap the tests find. */
    public static String decide(long quantity, long maxQuantity) {
        if (maxQuantity < 0) {
            throw new IllegalArgumentException("no reference price");
        }
        return "ACCEPTED";
    }
}
"#;

/// One test of each outcome: passed, failed twice, errored twice, skipped,
/// and passed on its rerun (flaky).
const ORDER_GATE_TEST: &str = r#"package desk;

import static org.junit.Assert.assertEquals;

import org.junit.Ignore;
import org.junit.Test;

public class OrderGateTest {
    private static int connectAttempts = 0;

    @Test
    public void acceptsOrderInsideLimits() {
        assertEquals("ACCEPTED", OrderGate.decide(100, 1_000));
    }

    @Test
    public void rejectsOrderAboveMaxQuantity() {
        assertEquals("REJECTED", OrderGate.decide(5_000, 1_000));
    }

    @Test
    public void rejectsWithoutReferencePrice() {
        OrderGate.decide(100, -1);
    }

    @Ignore("venue sandbox closed at weekends")
    @Test
    public void routesToBackupVenue() {
    }

    @Test
    public void reconnectsAfterDrop() {
        connectAttempts += 1;
        assertEquals("connected on the first attempt", 2, connectAttempts);
    }
}
"#;

/// The report Maven Surefire 2.22.3 writes for [`ORDER_GATE_TEST`], run once
/// per test binary offline against Debian's Maven repository
/// (`/usr/share/maven-repo`: packages `maven`, `libsurefire-java`,
/// `libmaven-compiler-plugin-java`, `libmaven-resources-plugin-java`,
/// `junit4`, which `.ci/run` installs).
fn surefire() -> &'static Path {
    static REPORT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    REPORT.get_or_init(|| {
        let repo = Path::new("/usr/share/maven-repo");
        for (package, path) in [
            ("maven", "/usr/bin/mvn"),
            (
                "libsurefire-java",
                "/usr/share/maven-repo/org/apache/maven/plugins/maven-surefire-plugin/2.22.3",
            ),
            (
                "libmaven-compiler-plugin-java",
                "/usr/share/maven-repo/org/apache/maven/plugins/maven-compiler-plugin/3.10.1",
            ),
            (
                "libmaven-resources-plugin-java",
                "/usr/share/maven-repo/org/apache/maven/plugins/maven-resources-plugin/3.3.0",
            ),
            ("junit4", "/usr/share/maven-repo/junit/junit/4.13.2"),
        ] {
            assert!(
                Path::new(path).exists(),
                "`{path}` is missing: install Debian's `{package}` (`bash .ci/run` does)"
            );
        }
        let dir = support::scratch("testing_junit_surefire");
        support::write_files(
            &dir,
            [
                ("pom.xml", POM),
                ("src/main/java/desk/OrderGate.java", ORDER_GATE),
                ("src/test/java/desk/OrderGateTest.java", ORDER_GATE_TEST),
            ],
        );
        let output = Command::new("mvn")
            .args(["--offline", "--batch-mode", "--quiet"])
            .arg(format!("-Dmaven.repo.local={}", repo.display()))
            .arg("test")
            .current_dir(&dir)
            .env_remove("MAVEN_OPTS")
            .env_remove("MAVEN_ARGS")
            .output()
            .unwrap();
        let report = dir.join("target/surefire-reports/TEST-desk.OrderGateTest.xml");
        // Maven exits 1 because tests failed, which they mean to.
        assert!(
            report.is_file(),
            "Surefire wrote no report:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
        report
    })
}

#[test]
fn surefire_report_of_a_tiny_maven_project() {
    let bytes = std::fs::read(surefire()).unwrap();
    // Surefire counts the reruns in the suite's attributes: 5 tests and 3
    // recorded attempts; 1 failure, 1 rerun and 1 flaky failure; 1 error and its rerun.
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains(r#"name="desk.OrderGateTest" time="#)
            && text.contains(r#"tests="8" errors="2" skipped="1" failures="3">"#),
        "{text}"
    );
    let report = parse_junit(&bytes, "TEST-desk.OrderGateTest.xml").unwrap();
    assert_eq!(five(&report.cases), (5, 1, 1, 1, 1));
    let failing: Vec<(&str, FailureKind, &str)> = report
        .failing
        .iter()
        .map(|f| (f.name.as_str(), f.kind, f.message.as_str()))
        .collect();
    assert_eq!(
        failing,
        [
            (
                "rejectsWithoutReferencePrice",
                FailureKind::Error,
                "no reference price"
            ),
            (
                "rejectsOrderAboveMaxQuantity",
                FailureKind::Failure,
                "expected:<[REJEC]TED> but was:<[ACCEP]TED>"
            ),
        ]
    );
    assert_eq!(report.failing[0].classname, "desk.OrderGateTest");

    // One attempt fewer than declared is a truncated report.
    let cut = text
        .replacen("<rerunError", "<other", 1)
        .replacen("</rerunError>", "</other>", 1);
    let error = parse_junit(cut.as_bytes(), "TEST-desk.OrderGateTest.xml").unwrap_err();
    assert!(
        error
            .to_string()
            .contains("declares tests=\"8\" but holds 5"),
        "{error}"
    );
}

/// A project with a real Surefire report and a real Jest report under `reports/`.
fn fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    std::fs::copy(surefire(), dir.path().join("reports/surefire.xml")).unwrap();
    jest(dir.path(), "reports/jest-junit.xml");
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
        (&11.into(), &2.into(), &1.into(), &2.into(), &1.into())
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

    // Selected by suite name: Jest's price suite alone passes.
    let report = run(
        dir.path(),
        "[inputs.junit_e2e]\npaths = [\"reports/*.xml\"]\nsuites = [\"pri*\"]\n",
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
