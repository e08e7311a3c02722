//! Vulnerability reports as a security lead meets them: the real Bandit run
//! on a small Python package with a hardcoded password and a shell command,
//! its JSON parsed and judged by `code.review.security-vulnerabilities`; and
//! the committed reports of the scanners that need a vulnerability database
//! (`tests/testdata/vulnerabilities/`, see its README).
//!
//! Bandit comes from `target/py-tools-venv`, which `.ci/run` creates; without
//! it these tests fail and say so.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use preflight_core::select::Selection;
use preflight_core::{CheckError, Config, Registry, Report, ReportItem, Runner, Status};
use preflight_probes::code::vulnerabilities::{
    Severity, VulnReport, VulnTool, detect_tool, parse_vulnerabilities,
};

const ID: &str = "code.review.security-vulnerabilities";

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    workspace().join("tests/testdata/vulnerabilities")
}

/// A package with a hardcoded password (built from pieces here, so that the
/// project's own secret scanner does not flag this file) and a command run
/// through the shell.
fn sources() -> [(&'static str, String); 3] {
    let password = ["s3", "cr", "et", "-", "pa", "ss"].concat();
    [
        ("app/__init__.py", String::new()),
        (
            "app/db.py",
            format!("def connect():\n    password = \"{password}\"\n    return password\n"),
        ),
        (
            "app/run.py",
            "import subprocess\n\n\ndef run(command):\n    return subprocess.call(command, shell=True)\n"
                .to_owned(),
        ),
    ]
}

/// The project scanned once per test run: the package and `bandit.json`,
/// written by the real Bandit.
fn project() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let bandit = workspace().join("target/py-tools-venv/bin/bandit");
        assert!(
            bandit.is_file(),
            "`{}` is missing: run `bash .ci/run` once to install Bandit into it",
            bandit.display()
        );
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("code_vulnerabilities");
        if dir.exists() {
            fs::remove_dir_all(&dir).unwrap();
        }
        for (path, text) in sources() {
            let path = dir.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        fs::create_dir_all(dir.join("reports")).unwrap();
        let output = Command::new(&bandit)
            .args(["-q", "-f", "json", "-o", "reports/bandit.json", "-r", "app"])
            .current_dir(&dir)
            .output()
            .unwrap();
        // Bandit exits 1 when it finds issues, which it must here.
        assert_eq!(
            output.status.code(),
            Some(1),
            "bandit found nothing or failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        dir
    })
}

/// Runs the item on `root` with `[inputs.vulnerabilities] paths` and the item's `params` (TOML lines).
fn run(root: &Path, paths: &str, params: &str) -> Report {
    let text = format!(
        "[project]\nname = \"app\"\n[gate]\nrequired_roles = []\n\
         [inputs.vulnerabilities]\npaths = {paths}\n\
         [checks.\"{ID}\"]\n{params}\n"
    );
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
    root.clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    Runner::new(&registry, config)
        .selection(Selection::default().with_ids([ID]).unwrap())
        .run()
        .unwrap()
}

fn judged(report: &Report) -> &ReportItem {
    report.item(ID).unwrap()
}

fn read(dir: &Path, name: &str) -> VulnReport {
    let bytes = fs::read(dir.join(name)).unwrap();
    parse_vulnerabilities(name, &bytes).unwrap()
}

#[test]
fn bandit_finds_the_password_and_the_shell() {
    let report = read(project(), "reports/bandit.json");
    assert_eq!(report.tool, VulnTool::Bandit);
    let mut got: Vec<(&str, Option<&str>, Option<u64>, Severity)> = report
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f.file.as_deref(), f.line, f.severity))
        .collect();
    got.sort_unstable();
    assert_eq!(
        got,
        [
            ("B105", Some("app/db.py"), Some(2), Severity::Low),
            ("B404", Some("app/run.py"), Some(1), Severity::Low),
            ("B602", Some("app/run.py"), Some(5), Severity::High),
        ]
    );
    let password = report.findings.iter().find(|f| f.id == "B105").unwrap();
    assert_eq!(password.title, "Possible hardcoded password: '***'");
    assert!(password.is_known_as("hardcoded_password_string"));
    // The password itself never reaches the parsed report.
    assert!(!format!("{report:?}").contains(&["s3", "cr", "et"].concat()));
}

#[test]
fn the_item_fails_on_the_shell_and_passes_once_it_is_ignored() {
    let report = run(project(), "[\"reports/*.json\"]", "");
    let item = judged(&report);
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(
        item.message.contains("B602 app/run.py:5 (high)"),
        "{}",
        item.message
    );
    let evidence = item.evidence.as_ref().unwrap();
    let values = &evidence.values;
    assert_eq!(values["findings"], 3);
    assert_eq!(values["blocking"], 1);
    assert_eq!(values["by_severity"]["low"], 2);
    assert_eq!(values["by_tool"]["bandit"], 3);
    assert_eq!(values["advisories"][0]["id"], "B602");
    assert_eq!(values["files"][0], "reports/bandit.json");
    assert_eq!(evidence.findings.len(), 3);
    let shell = evidence.findings.iter().find(|f| f.rule == "B602").unwrap();
    assert_eq!((shell.file.as_str(), shell.line), ("app/run.py", 5));
    assert!(evidence.artifacts[0].sha256.starts_with("sha256:"));

    let report = run(project(), "[\"reports/*.json\"]", "ignore = [\"B602\"]");
    let item = judged(&report);
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert_eq!(item.evidence.as_ref().unwrap().values["ignored"], 1);

    let report = run(
        project(),
        "[\"reports/*.json\"]",
        "ignore = [\"B602\"]\nfail_on = \"low\"",
    );
    assert_eq!(item_status(&report), Status::Fail);
}

fn item_status(report: &Report) -> Status {
    judged(report).status
}

#[test]
fn each_fixture_reads() {
    let dir = fixtures();
    let cases = [
        ("cargo-audit.json", VulnTool::CargoAudit, 2, 2),
        ("pip-audit.json", VulnTool::PipAudit, 2, 0),
        ("pip-audit-skipped.json", VulnTool::PipAudit, 0, 2),
        ("safety.json", VulnTool::Safety, 2, 0),
        ("npm-audit.json", VulnTool::NpmAudit, 5, 0),
        ("osv-scanner.json", VulnTool::OsvScanner, 2, 0),
    ];
    for (name, tool, findings, warnings) in cases {
        let bytes = fs::read(dir.join(name)).unwrap();
        assert_eq!(detect_tool(&bytes), Some(tool), "{name}");
        let report = parse_vulnerabilities(name, &bytes).unwrap();
        assert_eq!(report.findings.len(), findings, "{name}");
        assert_eq!(
            report.warnings.len(),
            warnings,
            "{name}: {:?}",
            report.warnings
        );
    }
    let cargo = read(&dir, "cargo-audit.json");
    let severities: Vec<(&str, Severity)> = cargo
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f.severity))
        .collect();
    assert_eq!(
        severities,
        [
            ("RUSTSEC-2020-0071", Severity::Medium),
            ("RUSTSEC-2021-0124", Severity::High)
        ]
    );
    let npm = read(&dir, "npm-audit.json");
    let lodash = npm
        .findings
        .iter()
        .find(|f| f.id == "GHSA-35jh-r3h4-6jhm")
        .unwrap();
    assert_eq!(lodash.fix_versions, ["4.17.21"]);
    assert_eq!(lodash.severity, Severity::High);
    let osv = read(&dir, "osv-scanner.json");
    assert!(osv.findings[0].is_known_as("RUSTSEC-2020-0071"));
    assert_eq!(osv.findings[1].severity, Severity::High);
    let safety = read(&dir, "safety.json");
    assert_eq!(safety.findings[0].severity, Severity::High);
}

#[test]
fn the_fixtures_fail_or_pass_by_threshold() {
    let dir = fixtures();
    let report = run(&dir, "[\"*.json\"]", "");
    let item = judged(&report);
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    let values = &item.evidence.as_ref().unwrap().values;
    assert_eq!(values["findings"], 13);
    assert_eq!(values["files"].as_array().unwrap().len(), 6);
    // Critical first.
    assert_eq!(values["advisories"][0]["id"], "GHSA-xvch-5gv4-984h");
    assert_eq!(values["by_tool"]["npm-audit"], 5);
    assert_eq!(values["by_severity"]["unknown"], 3);
    assert_eq!(item.evidence.as_ref().unwrap().artifacts.len(), 6);

    // Only the critical minimist advisory reaches `critical`; pip-audit's and
    // Safety's ungraded ones count as high unless `unknown_is` says otherwise.
    let report = run(
        &dir,
        "[\"*.json\"]",
        "fail_on = \"critical\"\nunknown_is = \"low\"",
    );
    let item = judged(&report);
    assert_eq!(item.status, Status::Fail);
    assert_eq!(item.evidence.as_ref().unwrap().values["blocking"], 1);
    let params = "fail_on = \"critical\"\nunknown_is = \"low\"\nignore = [\"CVE-2021-44906\", \"GHSA-xvch-5gv4-984h\"]";
    assert_eq!(
        item_status(&run(&dir, "[\"*.json\"]", params)),
        Status::Pass
    );
    let params = "fail_on = \"critical\"\nignore = [\"GHSA-xvch-5gv4-984h\"]";
    assert_eq!(
        item_status(&run(&dir, "[\"*.json\"]", params)),
        Status::Pass
    );
    let params = "fail_on = \"high\"\nignore = [\"GHSA-xvch-5gv4-984h\"]";
    assert_eq!(
        item_status(&run(&dir, "[\"*.json\"]", params)),
        Status::Fail
    );
}

#[test]
fn missing_and_damaged_reports_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let report = run(dir.path(), "[\"reports/*.json\"]", "");
    let item = judged(&report);
    assert_eq!(item.status, Status::Error);
    assert!(item.message.contains("matches no file"), "{}", item.message);

    let bandit = fs::read(project().join("reports/bandit.json")).unwrap();
    fs::create_dir_all(dir.path().join("reports")).unwrap();
    fs::write(
        dir.path().join("reports/cut.json"),
        &bandit[..bandit.len() / 2],
    )
    .unwrap();
    let report = run(dir.path(), "[\"reports/*.json\"]", "");
    let item = judged(&report);
    assert_eq!(item.status, Status::Error, "{}", item.message);
    assert!(
        item.message.starts_with("reports/cut.json:"),
        "{}",
        item.message
    );
    let error = parse_vulnerabilities("cut.json", &bandit[..bandit.len() / 2]).unwrap_err();
    assert!(matches!(error, CheckError::Malformed { .. }), "{error:?}");

    let report = run(project(), "[\"reports/*.json\"]", "fail_on = \"unknown\"");
    let item = judged(&report);
    assert_eq!(item.status, Status::Error);
    assert!(
        item.message.contains("`fail_on` is `unknown`"),
        "{}",
        item.message
    );
}
