//! Linter reports as a team meets them: what ruff, pylint (`json` and
//! `json2`), mypy, flake8 (text and flake8-json), clippy and `ESLint` (Checkstyle
//! XML) really write (generated here by the real tools on a small module, a
//! tiny crate and a small script), plus the committed Checkstyle fixture for
//! what `ESLint` never writes, parsed and judged through the registry and runner.

use std::path::{Path, PathBuf};
use std::process::Command;

use preflight_core::Status;
use preflight_probes::code::lint::{LintFormat, LintReport, Severity, parse_lint};

mod support;
use support::{item, js_tools, run, workspace};

const STYLE: &str = "code.review.style-guide";
const STATIC: &str = "code.review.static-analysis";

/// A tool of the test virtual environment.
fn tool(name: &str) -> PathBuf {
    let path = workspace().join("target/py-tools-venv/bin").join(name);
    assert!(
        path.is_file(),
        "`{}` is missing: run `bash .ci/run` to create the test tools' virtual environment",
        path.display()
    );
    path
}

/// Runs the tool `name` with `args` in `dir`, writing its standard output to
/// `reports/<out>` (the tools exit non-zero when they find something).
fn lint(dir: &Path, name: &str, args: &[&str], out: &str) -> Vec<u8> {
    let output = Command::new(tool(name))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        output.status.code().is_some_and(|c| c < 32),
        "{name} could not run: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::create_dir_all(dir.join("reports")).unwrap();
    std::fs::write(dir.join("reports").join(out), &output.stdout).unwrap();
    output.stdout
}

/// A module with style problems (unused and combined imports, missing
/// blank lines and whitespace, bad indentation) and a type error.
const MESSY: &str = "import os, sys\ndef Price(x:int)->int:\n    y = 1\n    return x+\"a\"\ndef unused( a ):\n  return a\n";

/// The same module, clean for every tool.
const CLEAN: &str = "\"\"\"Prices.\"\"\"\n\n\ndef price(x: int) -> int:\n    \"\"\"Return the price.\"\"\"\n    return x + 1\n";

/// Writes `module` as `desk.py` in `dir` and runs every Python tool on it.
fn lint_python(dir: &Path, module: &str) -> Vec<(&'static str, Vec<u8>)> {
    std::fs::write(dir.join("desk.py"), module).unwrap();
    let isolated = ["--isolated", "--no-cache"];
    vec![
        (
            "ruff.json",
            lint(
                dir,
                "ruff",
                &[
                    &["check"][..],
                    &isolated,
                    &["--output-format=json", "desk.py"],
                ]
                .concat(),
                "ruff.json",
            ),
        ),
        (
            "ruff.sarif",
            lint(
                dir,
                "ruff",
                &[
                    &["check"][..],
                    &isolated,
                    &["--output-format=sarif", "desk.py"],
                ]
                .concat(),
                "ruff.sarif",
            ),
        ),
        (
            "pylint.json",
            lint(
                dir,
                "pylint",
                &["--output-format=json", "--persistent=n", "desk.py"],
                "pylint.json",
            ),
        ),
        (
            "mypy.txt",
            lint(
                dir,
                "mypy",
                &["--no-incremental", "--cache-dir=/dev/null", "desk.py"],
                "mypy.txt",
            ),
        ),
        (
            "mypy-columns.txt",
            lint(
                dir,
                "mypy",
                &[
                    "--no-incremental",
                    "--cache-dir=/dev/null",
                    "--show-column-numbers",
                    "desk.py",
                ],
                "mypy-columns.txt",
            ),
        ),
        (
            "pylint.json2",
            lint(
                dir,
                "pylint",
                &["--output-format=json2", "--persistent=n", "desk.py"],
                "pylint.json2",
            ),
        ),
        (
            "flake8.txt",
            lint(dir, "flake8", &["--isolated", "desk.py"], "flake8.txt"),
        ),
        (
            "flake8.json",
            lint(
                dir,
                "flake8",
                &["--isolated", "--format=json", "desk.py"],
                "flake8.json",
            ),
        ),
    ]
}

fn only(name: &str, bytes: &[u8]) -> LintReport {
    let mut reports = parse_lint(name, bytes).unwrap();
    assert_eq!(reports.len(), 1, "{name}");
    reports.remove(0)
}

fn rules(report: &LintReport) -> Vec<&str> {
    report.diagnostics.iter().map(|d| d.rule.as_str()).collect()
}

#[test]
fn python_tools_reports_are_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = lint_python(dir.path(), MESSY);
    for (name, bytes) in &outputs {
        let report = only(name, bytes);
        assert!(!report.diagnostics.is_empty(), "{name}: {report:?}");
        for d in &report.diagnostics {
            assert!(d.file.ends_with("desk.py"), "{name}: {d:?}");
            assert!(
                d.line.is_some_and(|l| (1..=6).contains(&l)),
                "{name}: {d:?}"
            );
            assert!(!d.message.is_empty(), "{name}: {d:?}");
        }
        let expected = match *name {
            "ruff.json" => (LintFormat::RuffJson, "ruff"),
            "ruff.sarif" => (LintFormat::Sarif, "ruff"),
            "pylint.json" => (LintFormat::PylintJson, "pylint"),
            "pylint.json2" => (LintFormat::PylintJson2, "pylint"),
            "mypy.txt" | "mypy-columns.txt" => (LintFormat::MypyText, "mypy"),
            "flake8.json" => (LintFormat::Flake8Json, "flake8"),
            _ => (LintFormat::Flake8Text, "flake8"),
        };
        assert_eq!((report.format, report.tool.as_str()), expected, "{name}");
    }
    let report = |name: &str| {
        let (_, bytes) = outputs.iter().find(|(n, _)| *n == name).unwrap();
        only(name, bytes)
    };

    // ruff (default rules E4, E7, E9, F) reports the unused imports the same
    // way in both formats: warnings, by their codes.
    let (json, sarif) = (report("ruff.json"), report("ruff.sarif"));
    assert_eq!(rules(&json), rules(&sarif));
    assert!(rules(&json).contains(&"F401"), "{json:?}");
    assert!(
        json.diagnostics
            .iter()
            .all(|d| d.severity == Severity::Warning)
    );
    assert_eq!(json.diagnostics, sarif.diagnostics);

    let pylint = report("pylint.json");
    let bad_indentation = pylint
        .diagnostics
        .iter()
        .find(|d| d.rule == "W0311 (bad-indentation)")
        .unwrap();
    assert_eq!(
        (bad_indentation.line, bad_indentation.column),
        (Some(6), Some(1))
    );
    assert!(rules(&pylint).contains(&"C0114 (missing-module-docstring)"));

    let mypy = report("mypy.txt");
    assert_eq!(mypy.count(Severity::Error), 1, "{mypy:?}");
    let operator = &mypy.diagnostics[0];
    assert_eq!(
        (operator.line, operator.column, operator.rule.as_str()),
        (Some(4), None, "operator")
    );
    let columns = report("mypy-columns.txt");
    assert_eq!(columns.diagnostics[0].line, Some(4));
    assert!(columns.diagnostics[0].column.is_some());

    let flake8 = report("flake8.txt");
    let flake8_rules = rules(&flake8);
    for code in ["F401", "E401", "E302", "E231", "E111"] {
        assert!(flake8_rules.contains(&code), "{code}: {flake8_rules:?}");
    }

    // pylint's json2 and flake8-json hold what their other formats hold.
    let pylint2 = report("pylint.json2");
    assert_eq!(pylint2.diagnostics, pylint.diagnostics);
    assert_eq!(
        (
            pylint2.diagnostics.len(),
            pylint2.count(Severity::Warning),
            pylint2.count(Severity::Error)
        ),
        (9, 9, 0),
        "{pylint2:?}"
    );
    let flake8_json = report("flake8.json");
    assert_eq!(flake8_json.diagnostics, flake8.diagnostics);
    assert_eq!(
        rules(&flake8_json),
        [
            "F401", "F401", "E401", "E302", "E231", "E225", "F841", "E302", "E201", "E202", "E111"
        ]
    );
    let lines: Vec<Option<u32>> = flake8_json.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(
        lines,
        [1, 1, 1, 2, 2, 2, 3, 5, 5, 5, 6].map(Some),
        "{flake8_json:?}"
    );
    assert_eq!(flake8_json.count(Severity::Warning), 11);
}

/// A module pylint and flake8 cannot parse.
const BROKEN: &str = "def f(:\n    pass\n";

/// Lines of `report`'s diagnostics: `file:line:column rule severity`.
fn listed(report: &LintReport) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {} {:?}",
                d.file,
                d.line.unwrap_or(0),
                d.column.unwrap_or(0),
                d.rule,
                d.severity
            )
        })
        .collect()
}

#[test]
fn flake8_json_and_pylint_json2_read_as_the_same_runs_other_formats() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("broken.py"), BROKEN).unwrap();
    std::fs::write(root.join("desk.py"), MESSY).unwrap();
    let files = ["broken.py", "desk.py"];
    let flake8 = |format: &[&str], out: &str| {
        let args = [&["--isolated"][..], format, &files].concat();
        only(out, &lint(root, "flake8", &args, out))
    };
    let text = flake8(&[], "flake8.txt");
    let json = flake8(&["--format=json"], "flake8.json");
    let pretty = flake8(&["--format=json-pretty"], "flake8-pretty.json");
    assert_eq!(
        (text.format, json.format, pretty.format),
        (
            LintFormat::Flake8Text,
            LintFormat::Flake8Json,
            LintFormat::Flake8Json
        )
    );
    assert_eq!(json.tool, "flake8");
    assert_eq!(json.diagnostics, text.diagnostics);
    assert_eq!(pretty.diagnostics, text.diagnostics);
    let found = listed(&json);
    assert_eq!(found.len(), 12, "{found:#?}");
    // The syntax error is flake8's only error; every style code a warning.
    assert_eq!(found[0], "broken.py:1:8 E999 Error");
    assert_eq!(found[1], "desk.py:1:1 F401 Warning");
    assert_eq!(found[11], "desk.py:6:3 E111 Warning");
    assert_eq!(
        (json.count(Severity::Error), json.count(Severity::Warning)),
        (1, 11)
    );

    let pylint = |format: &str, out: &str| {
        let args = [&[format, "--persistent=n"][..], &files].concat();
        only(out, &lint(root, "pylint", &args, out))
    };
    let classic = pylint("--output-format=json", "pylint.json");
    let json2 = pylint("--output-format=json2", "pylint.json2");
    assert_eq!(
        (classic.format, json2.format, json2.tool.as_str()),
        (LintFormat::PylintJson, LintFormat::PylintJson2, "pylint")
    );
    assert_eq!(json2.diagnostics, classic.diagnostics);
    let found = listed(&json2);
    assert_eq!(found.len(), 10, "{found:#?}");
    assert_eq!(found[0], "broken.py:1:8 E0001 (syntax-error) Error");
    assert_eq!(found[1], "desk.py:6:1 W0311 (bad-indentation) Warning");
    assert!(
        found.contains(&"desk.py:2:1 C0103 (invalid-name) Warning".to_owned()),
        "{found:#?}"
    );
    assert_eq!(
        (json2.count(Severity::Error), json2.count(Severity::Warning)),
        (1, 9)
    );

    // Judged like their other formats: the syntax errors fail static analysis.
    let inputs = "[inputs.lint]\npaths = [\"reports/*.json\", \"reports/*.json2\"]\n";
    let (status, message, values) = item(&run(root, inputs, &[STATIC]), STATIC);
    assert_eq!(status, Status::Fail, "{message}");
    assert_eq!(values["by_severity"]["error"], 4, "{values}");
    assert_eq!(values["by_tool"]["flake8"], 24, "{values}");
    assert_eq!(values["by_tool"]["pylint"], 20, "{values}");
}

#[test]
fn items_judge_the_python_reports_against_their_limits() {
    let dir = tempfile::tempdir().unwrap();
    lint_python(dir.path(), MESSY);
    let inputs = "[inputs.lint]\npaths = [\"reports/*\"]\n";

    let report = run(dir.path(), inputs, &[STYLE, STATIC]);
    let (status, message, values) = item(&report, STYLE);
    assert_eq!(status, Status::Fail, "{message}");
    assert!(
        message.contains("at most 0 errors and 0 warnings allowed"),
        "{message}"
    );
    assert_eq!(values["files"].as_array().unwrap().len(), 8);
    let by_tool = values["by_tool"].as_object().unwrap();
    let tools: Vec<&str> = by_tool.keys().map(String::as_str).collect();
    assert_eq!(tools, ["flake8", "mypy", "pylint", "ruff"]);
    let by_severity = &values["by_severity"];
    let (errors, warnings) = (
        by_severity["error"].as_u64().unwrap(),
        by_severity["warning"].as_u64().unwrap(),
    );
    assert_eq!(
        errors, 2,
        "mypy's operator error, in both its reports: {values}"
    );
    assert_eq!(
        values["diagnostics"].as_u64().unwrap(),
        errors + warnings + by_severity["note"].as_u64().unwrap()
    );
    // Sorted by file, line and column, paths relative to the project.
    let first = values["first"].as_array().unwrap();
    assert_eq!(first[0]["file"], "desk.py");
    assert_eq!(first[0]["line"], 1);
    let evidence = report.item(STYLE).unwrap().evidence.as_ref().unwrap();
    assert_eq!(evidence.artifacts.len(), 8);
    assert!(evidence.findings.iter().all(|f| f.file == "desk.py"));
    assert_eq!(
        evidence.findings.len() as u64,
        values["diagnostics"].as_u64().unwrap()
    );

    // Static analysis counts errors only by default, so mypy fails it.
    let (status, message, _) = item(&report, STATIC);
    assert_eq!(status, Status::Fail, "{message}");
    assert!(message.contains("[operator]"), "{message}");

    // Limits and tool filters.
    let limits = format!(
        "{inputs}[checks.\"{STYLE}\"]\ntools = [\"ruff\", \"flake8\"]\nmax_warnings = 100\n\
         [checks.\"{STATIC}\"]\ntools = [\"ruff\", \"flake8\"]\n"
    );
    let report = run(dir.path(), &limits, &[STYLE, STATIC]);
    let (status, message, values) = item(&report, STYLE);
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(values["by_tool"]["mypy"], 0);
    assert_eq!(item(&report, STATIC).0, Status::Pass);

    let strict = format!(
        "{inputs}[checks.\"{STATIC}\"]\ntools = [\"pylint\"]\nmax_errors = 5\nmax_warnings = 1\n"
    );
    let (status, message, _) = item(&run(dir.path(), &strict, &[STATIC]), STATIC);
    assert_eq!(status, Status::Fail, "{message}");
    assert!(message.contains("and 1 warnings allowed"), "{message}");

    let typo = format!("{inputs}[checks.\"{STATIC}\"]\ntools = [\"mipy\"]\n");
    let (status, message, _) = item(&run(dir.path(), &typo, &[STATIC]), STATIC);
    assert_eq!(status, Status::Error, "{message}");
    assert!(message.contains("`mipy` names no tool"), "{message}");
}

#[test]
fn clean_reports_pass_and_missing_or_broken_ones_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    lint_python(dir.path(), CLEAN);
    let inputs = "[inputs.lint]\npaths = [\"reports/*\"]\n";
    let report = run(dir.path(), inputs, &[STYLE, STATIC]);
    for id in [STYLE, STATIC] {
        let (status, message, values) = item(&report, id);
        assert_eq!(status, Status::Pass, "{id}: {message} {values}");
        assert_eq!(values["diagnostics"], 0, "{values}");
    }
    // flake8 writes nothing when it finds nothing; flake8-json and pylint's
    // json2 still name the file or the tool.
    let flake8 = std::fs::read(dir.path().join("reports/flake8.txt")).unwrap();
    assert_eq!(only("flake8.txt", &flake8).format, LintFormat::Empty);
    for (name, format) in [
        ("flake8.json", LintFormat::Flake8Json),
        ("pylint.json2", LintFormat::PylintJson2),
    ] {
        let bytes = std::fs::read(dir.path().join("reports").join(name)).unwrap();
        let report = only(name, &bytes);
        assert_eq!(report.format, format, "{name}");
        assert!(report.diagnostics.is_empty(), "{name}: {report:?}");
    }
    // flake8-json with no file to check writes `{}`: nothing names the tool.
    let none = tempfile::tempdir().unwrap();
    let bytes = lint(
        none.path(),
        "flake8",
        &["--isolated", "--format=json", "."],
        "flake8.json",
    );
    assert_eq!(bytes, b"{}");
    let report = only("flake8.json", &bytes);
    assert_eq!(
        (report.format, report.tool.as_str()),
        (LintFormat::Empty, "unknown")
    );

    let missing = "[inputs.lint]\npaths = [\"reports/*\", \"lint/*.sarif\"]\n";
    let (status, message, _) = item(&run(dir.path(), missing, &[STYLE]), STYLE);
    assert_eq!(status, Status::Error);
    assert!(
        message.contains("`lint/*.sarif` matches no file"),
        "{message}"
    );

    let mut cut = std::fs::read(dir.path().join("reports/ruff.sarif")).unwrap();
    cut.truncate(cut.len() / 2);
    std::fs::write(dir.path().join("reports/ruff.sarif"), cut).unwrap();
    let (status, message, _) = item(&run(dir.path(), inputs, &[STYLE]), STYLE);
    assert_eq!(status, Status::Error);
    assert!(message.contains("reports/ruff.sarif:"), "{message}");
}

#[test]
fn clippy_messages_from_a_real_crate_are_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"lint-fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("src/lib.rs"),
        "//! A fixture.\n\n/// Doubles.\npub fn double(x: u32) -> u32 {\n    let y = x.clone();\n    return y * 2;\n}\n",
    )
    .unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["clippy", "--offline", "--quiet", "--message-format=json"])
        .current_dir(root)
        .env(
            "CARGO_TARGET_DIR",
            workspace().join("target/clippy-fixture"),
        )
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo clippy failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let clippy = only("clippy.json", &output.stdout);
    assert_eq!(
        (clippy.tool.as_str(), clippy.format),
        ("clippy", LintFormat::CargoJson)
    );
    let mut found = listed(&clippy);
    found.sort();
    assert_eq!(
        found,
        [
            "src/lib.rs:5:13 clippy::clone_on_copy Warning",
            "src/lib.rs:6:5 clippy::needless_return Warning",
        ]
    );

    std::fs::write(root.join("clippy.json"), &output.stdout).unwrap();
    let inputs = "[inputs.lint]\npaths = [\"clippy.json\"]\n";
    let report = run(root, inputs, &[STYLE, STATIC]);
    let (status, message, values) = item(&report, STYLE);
    assert_eq!(status, Status::Fail, "{message}");
    assert_eq!(values["by_tool"]["clippy"], 2);
    assert_eq!(item(&report, STATIC).0, Status::Pass);
}

/// Core rules only, some errors and some warnings.
const ESLINT_CONFIG: &str = r#"export default [
  {
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: {
      "no-unused-vars": "error",
      eqeqeq: "error",
      "no-var": "warn",
      semi: "warn",
    },
  },
];
"#;

/// A `var`, two missing semicolons, an unused parameter and a `==`.
const MESSY_JS: &str = "var total = 0\nfunction add(order, unused) {\n  if (order.qty == 0) return total\n  total += order.qty;\n  return total;\n}\n\nmodule.exports = { add };\n";

const CLEAN_JS: &str = "const tick = 0.25;\n\nmodule.exports = { tick };\n";

#[test]
fn eslint_checkstyle_report_is_parsed_and_judged() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let modules = js_tools(&["eslint", "eslint-formatter-checkstyle"]);
    // The project's own `node_modules`, as after `npm install`: ESLint
    // resolves `-f checkstyle` to `eslint-formatter-checkstyle` from there
    // (ESLint 9 moved the formatter out of its core).
    std::os::unix::fs::symlink(&modules, root.join("node_modules")).unwrap();
    std::fs::write(root.join("eslint.config.mjs"), ESLINT_CONFIG).unwrap();
    std::fs::write(root.join("orders.js"), MESSY_JS).unwrap();
    std::fs::write(root.join("clean.js"), CLEAN_JS).unwrap();
    std::fs::create_dir(root.join("reports")).unwrap();
    let output = Command::new("node")
        .arg(modules.join("eslint/bin/eslint.js"))
        .args([
            "-f",
            "checkstyle",
            "-o",
            "reports/checkstyle.xml",
            "orders.js",
            "clean.js",
        ])
        .current_dir(root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| {
            panic!("`node` (Node.js) could not be run ({e}): install Node.js, then run `bash .ci/run` to install ESLint")
        });
    // Exit code 1: ESLint found errors, as `MESSY_JS` means it to.
    assert_eq!(
        output.status.code(),
        Some(1),
        "ESLint did not run as expected: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let bytes = std::fs::read(root.join("reports/checkstyle.xml")).unwrap();
    let report = only("checkstyle.xml", &bytes);
    assert_eq!(
        (report.tool.as_str(), report.format),
        ("checkstyle", LintFormat::Checkstyle)
    );
    // ESLint names files by their absolute paths; the clean file is listed
    // with no `<error>`.
    let prefix = format!("{}/", root.display());
    let found: Vec<String> = listed(&report)
        .into_iter()
        .map(|l| l.strip_prefix(&prefix).unwrap_or(&l).to_owned())
        .collect();
    assert_eq!(
        found,
        [
            "orders.js:1:1 eslint.rules.no-var Warning",
            "orders.js:1:14 eslint.rules.semi Warning",
            "orders.js:2:21 eslint.rules.no-unused-vars Error",
            "orders.js:3:17 eslint.rules.eqeqeq Error",
            "orders.js:3:35 eslint.rules.semi Warning",
        ]
    );
    assert_eq!(
        (
            report.count(Severity::Error),
            report.count(Severity::Warning),
            report.count(Severity::Note)
        ),
        (2, 3, 0)
    );
    assert_eq!(
        report.diagnostics[2].message,
        "'unused' is defined but never used. (no-unused-vars)"
    );

    let inputs = "[inputs.lint]\npaths = [\"reports/checkstyle.xml\"]\n";
    let report = run(root, inputs, &[STYLE, STATIC]);
    let (status, message, values) = item(&report, STYLE);
    assert_eq!(status, Status::Fail, "{message}");
    assert_eq!(
        (
            &values["by_severity"]["error"],
            &values["by_severity"]["warning"]
        ),
        (&2.into(), &3.into()),
        "{values}"
    );
    assert_eq!(values["by_tool"]["checkstyle"], 5, "{values}");
    let evidence = report.item(STYLE).unwrap().evidence.as_ref().unwrap();
    assert!(
        evidence.findings.iter().all(|f| f.file == "orders.js"),
        "{:?}",
        evidence.findings
    );
    // Static analysis counts errors only by default: the two fail it, and
    // pass it once two are allowed.
    let (status, message, _) = item(&report, STATIC);
    assert_eq!(status, Status::Fail, "{message}");
    let allowed = format!("{inputs}[checks.\"{STATIC}\"]\nmax_errors = 2\n");
    let (status, message, _) = item(&run(root, &allowed, &[STATIC]), STATIC);
    assert_eq!(status, Status::Pass, "{message}");
}

/// Checkstyle's own XML, with the `info` severity `ESLint` never writes.
#[test]
fn committed_checkstyle_fixture_is_parsed_and_judged() {
    let fixture = workspace().join("tests/testdata/lint/checkstyle.xml");
    let report = only("checkstyle.xml", &std::fs::read(&fixture).unwrap());
    assert_eq!(
        (report.tool.as_str(), report.format),
        ("checkstyle", LintFormat::Checkstyle)
    );
    let severities: Vec<Severity> = report.diagnostics.iter().map(|d| d.severity).collect();
    assert_eq!(
        severities,
        [Severity::Warning, Severity::Error, Severity::Note]
    );
    assert_eq!(report.diagnostics[1].message, "'qty' hides a field.");

    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&fixture, dir.path().join("checkstyle.xml")).unwrap();
    let limits = format!(
        "[inputs.lint]\npaths = \"checkstyle.xml\"\n[checks.\"{STATIC}\"]\nmax_errors = 1\n"
    );
    let report = run(dir.path(), &limits, &[STYLE, STATIC]);
    assert_eq!(item(&report, STYLE).0, Status::Fail);
    let (status, message, values) = item(&report, STATIC);
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(values["by_severity"]["note"], 1);
}

/// A Checkstyle configuration with one check at each severity Checkstyle
/// writes: `error`, `warning` and `info`.
const CHECKSTYLE_CONFIG: &str = r#"<?xml version="1.0"?>
<!DOCTYPE module PUBLIC "-//Checkstyle//DTD Checkstyle Configuration 1.3//EN"
    "https://checkstyle.org/dtds/configuration_1_3.dtd">
<module name="Checker">
  <module name="TreeWalker">
    <module name="VisibilityModifier">
      <property name="severity" value="error"/>
    </module>
    <module name="WhitespaceAfter">
      <property name="severity" value="warning"/>
    </module>
    <module name="FinalParameters">
      <property name="severity" value="info"/>
    </module>
  </module>
</module>
"#;

/// A Java class with one public field, a missing space after a comma and
/// two parameters that are not final.
const MESSY_JAVA: &str = "package desk;\n\npublic class Desk {\n    public int orders;\n\n    int total(int a,int b) {\n        return a + b;\n    }\n}\n";

/// Checkstyle's XML report from Checkstyle itself (the Debian package that
/// `.ci/run` installs), at all three of its severities.
#[test]
fn checkstyle_report_from_checkstyle_is_parsed_and_judged() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("checks.xml"), CHECKSTYLE_CONFIG).unwrap();
    std::fs::write(root.join("Desk.java"), MESSY_JAVA).unwrap();
    let output = Command::new("checkstyle")
        .args(["-c", "checks.xml", "-f", "xml", "-o", "checkstyle.xml", "Desk.java"])
        .current_dir(root)
        .output()
        .unwrap_or_else(|e| {
            panic!("`checkstyle` could not be run ({e}): run `bash .ci/run`, which installs the Debian package `checkstyle`")
        });
    // Checkstyle exits with the number of errors (`severity="error"` only).
    assert_eq!(
        output.status.code(),
        Some(1),
        "Checkstyle did not run as expected: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let bytes = std::fs::read(root.join("checkstyle.xml")).unwrap();
    let report = only("checkstyle.xml", &bytes);
    assert_eq!(
        (report.tool.as_str(), report.format),
        ("checkstyle", LintFormat::Checkstyle)
    );
    // Checkstyle names files by their absolute paths.
    let prefix = format!("{}/", root.canonicalize().unwrap().display());
    let mut found: Vec<String> = listed(&report)
        .into_iter()
        .map(|l| l.strip_prefix(&prefix).unwrap_or(&l).to_owned())
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "Desk.java:4:16 com.puppycrawl.tools.checkstyle.checks.design.VisibilityModifierCheck Error",
            "Desk.java:6:15 com.puppycrawl.tools.checkstyle.checks.FinalParametersCheck Note",
            "Desk.java:6:20 com.puppycrawl.tools.checkstyle.checks.whitespace.WhitespaceAfterCheck Warning",
            "Desk.java:6:21 com.puppycrawl.tools.checkstyle.checks.FinalParametersCheck Note",
        ]
    );
    assert_eq!(
        report
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .map(|d| d.message.as_str()),
        Some("Variable 'orders' must be private and have accessor methods.")
    );

    let inputs = "[inputs.lint]\npaths = [\"checkstyle.xml\"]\n";
    let report = run(root, inputs, &[STYLE, STATIC]);
    let (status, message, values) = item(&report, STYLE);
    assert_eq!(status, Status::Fail, "{message}");
    assert_eq!(
        (
            &values["by_severity"]["error"],
            &values["by_severity"]["warning"],
            &values["by_severity"]["note"]
        ),
        (
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(2)
        )
    );
    assert_eq!(item(&report, STATIC).0, Status::Fail);
}
