//! Vulnerability reports as a security lead meets them, parsed and judged by
//! `code.review.security-vulnerabilities`: the real Bandit run on a small
//! Python package with a hardcoded password and a shell command; the real
//! cargo-audit, Safety and npm audit, run offline against vulnerability
//! databases made here (a local `RustSec` slice, a local Safety database, a
//! loopback npm registry); and the committed reports of the scanners that
//! cannot run here (`tests/testdata/vulnerabilities/`, see its README).
//!
//! Bandit comes from `target/py-tools-venv`, Safety from
//! `target/py-safety-venv`, cargo-audit from cargo's `bin`, all installed by
//! `.ci/run`; npm is the system's. Without them these tests fail and say so.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use preflight_core::select::Selection;
use preflight_core::{CheckError, Config, Registry, Report, ReportItem, Runner, Status};
use preflight_probes::code::vulnerabilities::{
    Severity, VulnReport, VulnTool, detect_tool, parse_vulnerabilities,
};

mod support;
use support::{scratch, write_files};

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
        let dir = scratch("code_vulnerabilities");
        write_files(&dir, sources());
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

/// Writes the standard output of a scanner that exited with `code` (the
/// code it gives when it finds vulnerabilities) to `dir/name`.
fn keep_report(dir: &Path, name: &str, output: &std::process::Output, code: i32) -> PathBuf {
    assert_eq!(
        output.status.code(),
        Some(code),
        "the scanner failed or found nothing:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report = dir.join(name);
    fs::write(&report, &output.stdout).unwrap();
    report
}

/// Each finding's ID, package, version and severity.
fn listed(report: &VulnReport) -> Vec<(&str, Option<&str>, Option<&str>, Severity)> {
    report
        .findings
        .iter()
        .map(|f| {
            (
                f.id.as_str(),
                f.package.as_deref(),
                f.version.as_deref(),
                f.severity,
            )
        })
        .collect()
}

/// The report `bytes` (as `name`) judged alone: it fails with `blocking`
/// blocking advisories under `params`, and passes with `accepted` ignored.
fn fails_until_ignored(name: &str, bytes: &[u8], params: &str, blocking: u64, accepted: &str) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(name), bytes).unwrap();
    let paths = format!("[\"{name}\"]");
    let report = run(dir.path(), &paths, params);
    let item = judged(&report);
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert_eq!(item.evidence.as_ref().unwrap().values["blocking"], blocking);
    let params = format!("{params}\nignore = {accepted}");
    let report = run(dir.path(), &paths, &params);
    let item = judged(&report);
    assert_eq!(item.status, Status::Pass, "{}", item.message);
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
        ("cargo-audit.json", VulnTool::CargoAudit, 2, 1),
        ("pip-audit.json", VulnTool::PipAudit, 2, 0),
        ("pip-audit-skipped.json", VulnTool::PipAudit, 0, 2),
        ("safety.json", VulnTool::Safety, 2, 0),
        ("npm-audit.json", VulnTool::NpmAudit, 2, 0),
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
    // The committed cargo-audit, npm audit and Safety reports are copies of
    // what the tests below make with the real tools; the copies read alike.
    for (name, made) in [
        ("cargo-audit.json", cargo_audit()),
        ("npm-audit.json", npm_audit()),
        ("safety.json", safety()),
    ] {
        let made = parse_vulnerabilities(name, &fs::read(made).unwrap()).unwrap();
        assert_eq!(read(&dir, name).findings, made.findings, "{name}");
    }
    let osv = read(&dir, "osv-scanner.json");
    assert!(osv.findings[0].is_known_as("RUSTSEC-2020-0071"));
    assert_eq!(osv.findings[1].severity, Severity::High);
}

#[test]
fn the_fixtures_fail_or_pass_by_threshold() {
    let dir = fixtures();
    let report = run(&dir, "[\"*.json\"]", "");
    let item = judged(&report);
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    let values = &item.evidence.as_ref().unwrap().values;
    assert_eq!(values["findings"], 10);
    assert_eq!(values["files"].as_array().unwrap().len(), 6);
    // Critical first: npm's minimist and Safety's urllib3.
    let first: Vec<&str> = (0..2)
        .map(|i| values["advisories"][i]["id"].as_str().unwrap())
        .collect();
    assert_eq!(first, ["GHSA-xvch-5gv4-984h", "37055"], "{values:#}");
    assert_eq!(values["by_tool"]["npm-audit"], 2);
    assert_eq!(values["by_severity"]["critical"], 2);
    assert_eq!(values["by_severity"]["unknown"], 2);
    assert_eq!(item.evidence.as_ref().unwrap().artifacts.len(), 6);

    // Only the two critical advisories reach `critical`; pip-audit's
    // ungraded ones count as high unless `unknown_is` says otherwise.
    let report = run(
        &dir,
        "[\"*.json\"]",
        "fail_on = \"critical\"\nunknown_is = \"low\"",
    );
    let item = judged(&report);
    assert_eq!(item.status, Status::Fail);
    assert_eq!(item.evidence.as_ref().unwrap().values["blocking"], 2);
    let params = "fail_on = \"critical\"\nunknown_is = \"low\"\nignore = [\"CVE-2018-20060\", \"GHSA-xvch-5gv4-984h\"]";
    assert_eq!(
        item_status(&run(&dir, "[\"*.json\"]", params)),
        Status::Pass
    );
    let params = "fail_on = \"critical\"\nignore = [\"37055\", \"GHSA-xvch-5gv4-984h\"]";
    assert_eq!(
        item_status(&run(&dir, "[\"*.json\"]", params)),
        Status::Pass
    );
    let params = "fail_on = \"high\"\nignore = [\"37055\", \"GHSA-xvch-5gv4-984h\"]";
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

// ------------------------------------------------------------------ npm audit

/// What the loopback registry answers to `npm audit`'s bulk request: the
/// GitHub advisories of minimist (one advisory, two ranges, as the registry
/// lists it) and lodash.
const NPM_ADVISORIES: &str = r#"{
 "minimist": [
  {"id": 1097678, "url": "https://github.com/advisories/GHSA-xvch-5gv4-984h", "title": "Prototype Pollution in minimist", "severity": "critical", "vulnerable_versions": "<0.2.4", "cwe": ["CWE-1321"], "cvss": {"score": 9.8, "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
  {"id": 1097677, "url": "https://github.com/advisories/GHSA-xvch-5gv4-984h", "title": "Prototype Pollution in minimist", "severity": "critical", "vulnerable_versions": ">=1.0.0 <1.2.6", "cwe": ["CWE-1321"], "cvss": {"score": 9.8, "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}
 ],
 "lodash": [
  {"id": 1096305, "url": "https://github.com/advisories/GHSA-35jh-r3h4-6jhm", "title": "Command Injection in lodash", "severity": "high", "vulnerable_versions": "<4.17.21", "cwe": ["CWE-77", "CWE-94"], "cvss": {"score": 7.2, "vectorString": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}}
 ]
}"#;

/// The versions the loopback registry publishes (name, version, dependencies),
/// from which npm works out the fixes.
const NPM_VERSIONS: [(&str, &str, &str); 9] = [
    ("minimist", "0.0.8", "{}"),
    ("minimist", "0.2.4", "{}"),
    ("minimist", "1.2.0", "{}"),
    ("minimist", "1.2.6", "{}"),
    ("minimist", "1.2.8", "{}"),
    ("lodash", "4.17.15", "{}"),
    ("lodash", "4.17.21", "{}"),
    ("mkdirp", "0.5.1", r#"{"minimist": "0.0.8"}"#),
    ("mkdirp", "0.5.6", r#"{"minimist": "^1.2.6"}"#),
];

/// A front end locked to lodash 4.17.15, minimist 1.2.0 and mkdirp 0.5.1
/// (which brings minimist 0.0.8).
const NPM_PACKAGE: &str = r#"{"name": "desk-ui", "version": "1.0.0", "dependencies": {"lodash": "4.17.15", "minimist": "1.2.0", "mkdirp": "0.5.1"}}"#;
const NPM_LOCK: &str = r#"{
  "name": "desk-ui",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "desk-ui", "version": "1.0.0", "dependencies": {"lodash": "4.17.15", "minimist": "1.2.0", "mkdirp": "0.5.1"}},
    "node_modules/lodash": {"version": "4.17.15"},
    "node_modules/minimist": {"version": "1.2.0"},
    "node_modules/mkdirp": {"version": "0.5.1", "dependencies": {"minimist": "0.0.8"}},
    "node_modules/mkdirp/node_modules/minimist": {"version": "0.0.8"}
  }
}"#;

/// The packument (registry document) of `name`, as `npm audit` fetches it.
fn packument(name: &str, port: u16) -> Option<String> {
    let versions: Vec<String> = NPM_VERSIONS
        .iter()
        .filter(|(n, ..)| *n == name)
        .map(|(_, version, deps)| {
            format!(
                r#""{version}": {{"name": "{name}", "version": "{version}", "dependencies": {deps}, "dist": {{"tarball": "http://127.0.0.1:{port}/{name}/-/{name}-{version}.tgz"}}}}"#
            )
        })
        .collect();
    let latest = NPM_VERSIONS.iter().rfind(|(n, ..)| *n == name)?.1;
    Some(format!(
        r#"{{"name": "{name}", "dist-tags": {{"latest": "{latest}"}}, "versions": {{{}}}}}"#,
        versions.join(", ")
    ))
}

/// `npm audit --json` (the system's npm) on [`NPM_LOCK`], answered by a
/// registry on loopback that serves [`NPM_ADVISORIES`] and the packuments of
/// [`NPM_VERSIONS`]: the report npm writes, made once per test run.
fn npm_audit() -> &'static Path {
    static REPORT: OnceLock<PathBuf> = OnceLock::new();
    REPORT.get_or_init(|| {
        let dir = scratch("code_vulnerabilities_npm");
        fs::write(dir.join("package.json"), NPM_PACKAGE).unwrap();
        fs::write(dir.join("package-lock.json"), NPM_LOCK).unwrap();

        let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let registry = {
            let server = std::sync::Arc::clone(&server);
            std::thread::spawn(move || {
                // Ends when the test unblocks it, after npm is done.
                for request in server.incoming_requests() {
                    let url = request.url().trim_start_matches('/').to_owned();
                    let body = if url == "-/npm/v1/security/advisories/bulk" {
                        Some(NPM_ADVISORIES.to_owned())
                    } else {
                        packument(&url, port)
                    };
                    let json =
                        tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
                    let response = match body {
                        Some(body) => tiny_http::Response::from_string(body).with_header(json),
                        None => tiny_http::Response::from_string("{}")
                            .with_header(json)
                            .with_status_code(404),
                    };
                    // npm may have closed the connection: nothing to tell it then.
                    let _ = request.respond(response);
                }
            })
        };
        let npm = Command::new("npm")
            .args(["audit", "--json", "--package-lock-only"])
            .arg(format!("--registry=http://127.0.0.1:{port}/"))
            .arg(format!("--cache={}", dir.join("cache").display()))
            .args(["--fetch-retries=0", "--fetch-timeout=30000"])
            .current_dir(&dir)
            .env("npm_config_userconfig", dir.join("npmrc"))
            .output();
        server.unblock();
        registry.join().unwrap();
        let npm =
            npm.unwrap_or_else(|e| panic!("`npm` could not run ({e}): install Node.js and npm"));
        // npm exits 1 when it finds vulnerabilities.
        keep_report(&dir, "npm-audit.json", &npm, 1)
    })
}

#[test]
fn npm_audit_against_a_loopback_registry() {
    let bytes = fs::read(npm_audit()).unwrap();
    let raw: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(raw["auditReportVersion"], 2);
    assert_eq!(raw["metadata"]["vulnerabilities"]["total"], 3);
    assert_eq!(detect_tool(&bytes), Some(VulnTool::NpmAudit));
    let report = parse_vulnerabilities("npm-audit.json", &bytes).unwrap();
    // mkdirp is vulnerable only through minimist: not an advisory of its own.
    assert_eq!(
        listed(&report),
        [
            (
                "GHSA-35jh-r3h4-6jhm",
                Some("lodash"),
                Some("<4.17.21 (affected range)"),
                Severity::High
            ),
            (
                "GHSA-xvch-5gv4-984h",
                Some("minimist"),
                Some(">=1.0.0 <1.2.6 || <0.2.4 (affected range)"),
                Severity::Critical
            ),
        ]
    );
    // npm's fix for lodash is lodash 4.17.21; minimist is fixed through mkdirp 0.5.6.
    assert_eq!(report.findings[0].fix_versions, ["4.17.21"]);
    assert!(report.findings[1].fix_versions.is_empty());
    assert_eq!(
        raw["vulnerabilities"]["minimist"]["fixAvailable"]["name"],
        "mkdirp"
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);

    // Judged: the critical minimist advisory blocks until it is ignored.
    fails_until_ignored(
        "npm-audit.json",
        &bytes,
        "fail_on = \"critical\"",
        1,
        "[\"GHSA-xvch-5gv4-984h\"]",
    );
}

// --------------------------------------------------------------------- Safety

/// A local Safety database (`safety check --db <dir>` reads `insecure.json`,
/// then `insecure_full.json` for the packages it matched) of two advisories.
const SAFETY_INSECURE: &str = r#"{"$meta": {"advisory": "PyUp.io metadata", "timestamp": 1732406400}, "requests": ["<2.20.0"], "urllib3": ["<1.24.2"]}"#;
const SAFETY_INSECURE_FULL: &str = r#"{
 "$meta": {
  "advisory": "PyUp.io metadata",
  "timestamp": 1732406400,
  "base_domain": "https://pyup.io",
  "schema_version": "2.0.0",
  "packages": {
   "requests": {"insecure_versions": ["2.19.0", "2.19.1"], "secure_versions": ["2.20.0", "2.31.0"], "latest_version_without_known_vulnerabilities": "2.31.0", "latest_version": "2.31.0", "more_info_path": "/p/pypi/requests/"},
   "urllib3": {"insecure_versions": ["1.24.0", "1.24.1"], "secure_versions": ["1.24.2", "1.26.18"], "latest_version_without_known_vulnerabilities": "1.26.18", "latest_version": "1.26.18", "more_info_path": "/p/pypi/urllib3/"}
  },
  "cve": {
   "CVE-2018-18074": {"cvssv2": {"base_score": 5.0, "impact_score": 2.9, "vector_string": "AV:N/AC:L/Au:N/C:P/I:N/A:N"}, "cvssv3": {"base_score": 7.5, "impact_score": 3.6, "base_severity": "HIGH", "vector_string": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}},
   "CVE-2018-20060": {"cvssv2": {"base_score": 5.0, "impact_score": 2.9, "vector_string": "AV:N/AC:L/Au:N/C:P/I:N/A:N"}, "cvssv3": {"base_score": 9.8, "impact_score": 5.9, "base_severity": "CRITICAL", "vector_string": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}
  }
 },
 "requests": [
  {"advisory": "Requests before 2.20.0 sends an HTTP Authorization header to an http URI upon receiving a same-hostname https-to-http redirect.", "cve": "CVE-2018-18074", "id": "pyup.io-36546", "more_info_path": "/vulnerabilities/CVE-2018-18074/36546/", "specs": ["<2.20.0"], "v": "<2.20.0", "affected_versions": ["2.19.0", "2.19.1"]}
 ],
 "urllib3": [
  {"advisory": "urllib3 before 1.24.2 does not remove the authorization HTTP header when following a cross-origin redirect.", "cve": "CVE-2018-20060", "id": "pyup.io-37055", "more_info_path": "/vulnerabilities/CVE-2018-20060/37055/", "specs": ["<1.24.2"], "v": "<1.24.2", "affected_versions": ["1.24.0", "1.24.1"]}
 ]
}"#;

/// `safety check --json` (Safety 2.3.5 from `target/py-safety-venv`) on a
/// requirements file pinning requests 2.19.1, urllib3 1.24.1 and a safe
/// idna, against the local database above: the report Safety writes, made
/// once per test run, offline.
fn safety() -> &'static Path {
    static REPORT: OnceLock<PathBuf> = OnceLock::new();
    REPORT.get_or_init(|| {
        let safety = workspace().join("target/py-safety-venv/bin/safety");
        assert!(
            safety.is_file(),
            "`{}` is missing: run `bash .ci/run` once to install Safety 2.3.5 into it",
            safety.display()
        );
        let dir = scratch("code_vulnerabilities_safety");
        fs::create_dir_all(dir.join("db")).unwrap();
        fs::write(dir.join("db/insecure.json"), SAFETY_INSECURE).unwrap();
        fs::write(dir.join("db/insecure_full.json"), SAFETY_INSECURE_FULL).unwrap();
        fs::write(
            dir.join("requirements.txt"),
            "requests==2.19.1\nurllib3==1.24.1\nidna==2.7\n",
        )
        .unwrap();
        let output = Command::new(&safety)
            .args(["--disable-optional-telemetry-data", "check"])
            .args(["--db", "db", "-r", "requirements.txt", "--json"])
            .current_dir(&dir)
            .output()
            .unwrap();
        // Safety exits 64 when it finds vulnerabilities.
        keep_report(&dir, "safety.json", &output, 64)
    })
}

#[test]
fn safety_against_a_local_database() {
    let bytes = fs::read(safety()).unwrap();
    let raw: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(raw["report_meta"]["safety_version"], "2.3.5");
    assert_eq!(raw["report_meta"]["packages_found"], 3);
    assert_eq!(detect_tool(&bytes), Some(VulnTool::Safety));
    let report = parse_vulnerabilities("safety.json", &bytes).unwrap();
    assert_eq!(
        listed(&report),
        [
            ("36546", Some("requests"), Some("2.19.1"), Severity::High),
            ("37055", Some("urllib3"), Some("1.24.1"), Severity::Critical),
        ]
    );
    assert!(report.findings[0].is_known_as("CVE-2018-18074"));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);

    fails_until_ignored(
        "safety.json",
        &bytes,
        "fail_on = \"critical\"",
        1,
        "[\"CVE-2018-20060\"]",
    );
}

// ---------------------------------------------------------------- cargo-audit

/// A local slice of the `RustSec` advisory database (`crates/<crate>/<id>.md`,
/// TOML front matter then the description): two vulnerabilities and one
/// crate marked unmaintained.
const RUSTSEC: [(&str, &str); 3] = [
    (
        "crates/time/RUSTSEC-2020-0071.md",
        r#"```toml
[advisory]
id = "RUSTSEC-2020-0071"
package = "time"
date = "2020-11-18"
url = "https://github.com/time-rs/time/issues/293"
categories = ["code-execution", "memory-corruption"]
keywords = ["segfault"]
aliases = ["CVE-2020-26235", "GHSA-wcg3-cvx6-7396"]
cvss = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:H"

[versions]
patched = [">= 0.2.23"]
unaffected = ["= 0.2.0", "= 0.2.1", "= 0.2.2", "= 0.2.3", "= 0.2.4", "= 0.2.5", "= 0.2.6"]
```

# Potential segfault in the time crate

Unix-like operating systems may segfault due to dereferencing a dangling
pointer in specific circumstances.
"#,
    ),
    (
        "crates/tokio/RUSTSEC-2021-0124.md",
        r#"```toml
[advisory]
id = "RUSTSEC-2021-0124"
package = "tokio"
date = "2021-11-16"
url = "https://github.com/tokio-rs/tokio/issues/4225"
categories = ["memory-corruption"]
aliases = ["CVE-2021-45710", "GHSA-fg7r-2g4j-5cgr"]
cvss = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"

[versions]
patched = [">= 1.8.4, < 1.9.0", ">= 1.13.1"]
unaffected = ["< 0.1.14"]
```

# Data race when sending and receiving after closing a `oneshot` channel

If a `tokio::sync::oneshot` channel is closed and at the same time its
value is sent and received, a data race may occur.
"#,
    ),
    (
        "crates/term/RUSTSEC-2018-0015.md",
        r#"```toml
[advisory]
id = "RUSTSEC-2018-0015"
package = "term"
date = "2018-11-19"
informational = "unmaintained"
url = "https://github.com/Stebalien/term/issues/93"

[versions]
patched = []
unaffected = ["> 0.7.0"]
```

# term is looking for a new maintainer

The author of the `term` crate does not have time to maintain it.
"#,
    ),
];

/// The lock file audited: `time`, `tokio` and `term` at affected versions,
/// and a `serde` no advisory names.
const CARGO_LOCK: &str = r#"version = 4

[[package]]
name = "desk"
version = "0.1.0"
dependencies = [
 "serde",
 "term",
 "time",
 "tokio",
]

[[package]]
name = "serde"
version = "1.0.228"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "term"
version = "0.5.2"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "time"
version = "0.1.43"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "tokio"
version = "1.8.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

/// `cargo audit --json` (cargo-audit 0.22.2, which `.ci/run` installs) on
/// [`CARGO_LOCK`] against the local database [`RUSTSEC`], without fetching
/// and without the yanked check (both need the network): the report
/// cargo-audit writes, made once per test run.
fn cargo_audit() -> &'static Path {
    static REPORT: OnceLock<PathBuf> = OnceLock::new();
    REPORT.get_or_init(|| {
        let audit = support::installed(
            "cargo-audit",
            "run `bash .ci/run` once (it runs `cargo install cargo-audit --version 0.22.2 --locked`)",
        );
        let dir = scratch("code_vulnerabilities_cargo_audit");
        write_files(&dir.join("advisory-db"), RUSTSEC);
        fs::write(dir.join("Cargo.lock"), CARGO_LOCK).unwrap();
        let output = Command::new(audit)
            .args(["audit", "--db", "advisory-db", "--no-fetch", "--no-yanked"])
            .args(["--json", "--file", "Cargo.lock"])
            .current_dir(&dir)
            .output()
            .unwrap();
        // cargo-audit exits 1 when it finds vulnerabilities.
        keep_report(&dir, "cargo-audit.json", &output, 1)
    })
}

#[test]
fn cargo_audit_against_a_local_advisory_database() {
    let bytes = fs::read(cargo_audit()).unwrap();
    let raw: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(raw["database"]["advisory-count"], 3);
    assert_eq!(raw["lockfile"]["dependency-count"], 5);
    assert_eq!(detect_tool(&bytes), Some(VulnTool::CargoAudit));
    let report = parse_vulnerabilities("cargo-audit.json", &bytes).unwrap();
    // Severities scored from the CVSS vectors: 5.3 and 8.1.
    assert_eq!(
        listed(&report),
        [
            (
                "RUSTSEC-2020-0071",
                Some("time"),
                Some("0.1.43"),
                Severity::Medium
            ),
            (
                "RUSTSEC-2021-0124",
                Some("tokio"),
                Some("1.8.1"),
                Severity::High
            ),
        ]
    );
    assert_eq!(
        report.findings[1].fix_versions,
        [">=1.8.4, <1.9.0", ">=1.13.1"]
    );
    assert!(report.findings[0].is_known_as("CVE-2020-26235"));
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(
        report.warnings[0].contains("RUSTSEC-2018-0015"),
        "{:?}",
        report.warnings
    );

    fails_until_ignored(
        "cargo-audit.json",
        &bytes,
        "",
        1,
        "[\"GHSA-fg7r-2g4j-5cgr\"]",
    );
}
