//! The credential scanner as a security lead meets it: measured against the
//! test cases of an open-source secret scanner (secretlint, in
//! `../shared/testdata/secrets`), and run on this project through the
//! registry and runner.
//!
//! Nothing here prints a secret: failures name the rule, the file and the line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use preflight_core::select::Selection;
use preflight_core::{Config, Registry, Runner, Status};
use preflight_probes::code::secrets::{ScanOptions, Scanner};

const ITEM: &str = "security.access.no-hardcoded-credentials";

/// Expected findings the scanner does not cover, by secretlint `messageId`:
/// account, tenant and client IDs are identifiers, not credentials, and
/// PKCS#12 inputs are binary files that the fixture set leaves out.
const NOT_COVERED: &[&str] = &[
    "AWSAccountID",
    "AzureTenantId",
    "AzureClientId",
    "PrivateKeyP12",
];

/// Files of a case that are the test harness's, not inputs.
const HARNESS_FILES: &[&str] = &["output.json", ".secretlintrc.json", "options.ts"];

fn fixtures() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/secrets/secretlint");
    assert!(
        dir.is_dir(),
        "the secret-scanner fixtures are missing: expected them at `{}`",
        dir.display()
    );
    dir
}

/// One expected finding: its file name and its line range.
struct Expected {
    file: String,
    lines: (u64, u64),
    message_id: String,
}

/// Options from a case's `.secretlintrc.json`, as a user would set them here:
/// `allows` become `allow_patterns`, `enableIDScanRule: false` disables the
/// access-key-ID rule (it is always on otherwise).
fn options(case: &Path) -> ScanOptions {
    let mut options = ScanOptions::new();
    let Ok(text) = std::fs::read_to_string(case.join(".secretlintrc.json")) else {
        return options;
    };
    let rc: serde_json::Value = serde_json::from_str(&text).unwrap();
    for rule in rc["rules"].as_array().unwrap() {
        let opts = &rule["options"];
        if let Some(allows) = opts["allows"].as_array() {
            let patterns = allows.iter().map(|a| {
                let a = a.as_str().unwrap();
                match a.strip_prefix('/').and_then(|a| a.strip_suffix('/')) {
                    Some(regex) => regex.to_owned(),
                    None => format!("^{}$", escape(a)),
                }
            });
            options = options.with_allow_patterns(patterns);
        }
        if opts["enableIDScanRule"] == false {
            options = options.with_disabled(["aws-access-key-id".to_owned()]);
        }
    }
    options
}

fn escape(text: &str) -> String {
    text.chars().fold(String::new(), |mut out, c| {
        if "\\.+*?()|[]{}^$/".contains(c) {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

#[derive(Default)]
struct Tally {
    expected: usize,
    found: usize,
    unlisted: usize,
    ok_cases: usize,
    ok_findings: usize,
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one pass over the fixture cases, read top to bottom"
)]
fn fixtures_recall_and_false_positives() {
    let root = fixtures();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut false_positives = Vec::new();
    let mut excluded = Vec::new();
    let mut unlisted = Vec::new();
    let mut rules: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    rules.sort();
    for rule_dir in rules {
        let rule = rule_dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut cases: Vec<_> = std::fs::read_dir(&rule_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        cases.sort();
        for case in cases {
            let name = format!("{rule}/{}", case.file_name().unwrap().to_string_lossy());
            let output: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(case.join("output.json")).unwrap())
                    .unwrap();
            let target = output["filePath"]
                .as_str()
                .and_then(|p| p.rsplit('/').next())
                .unwrap_or("")
                .to_owned();
            let messages = output["messages"].as_array().cloned().unwrap_or_default();
            let all_expected: Vec<Expected> = messages
                .iter()
                .map(|m| Expected {
                    file: target.clone(),
                    lines: (
                        m["loc"]["start"]["line"].as_u64().unwrap(),
                        m["loc"]["end"]["line"].as_u64().unwrap(),
                    ),
                    message_id: m["messageId"].as_str().unwrap_or("").to_owned(),
                })
                .collect();
            let expected: Vec<&Expected> = all_expected
                .iter()
                .filter(|e| !NOT_COVERED.contains(&e.message_id.as_str()))
                .collect();
            let inputs: Vec<PathBuf> = std::fs::read_dir(&case)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    !HARNESS_FILES.contains(&p.file_name().unwrap().to_string_lossy().as_ref())
                })
                .collect();
            if inputs.is_empty() || (expected.is_empty() && !all_expected.is_empty()) {
                excluded.push(name);
                continue;
            }
            let scanner = Scanner::new(&options(&case)).unwrap();
            // (file, line) of every finding.
            let mut found: Vec<(String, u64, String)> = Vec::new();
            for input in &inputs {
                let file = input.file_name().unwrap().to_string_lossy().into_owned();
                for m in scanner.scan(&std::fs::read(input).unwrap()) {
                    found.push((file.clone(), u64::from(m.line), m.rule));
                }
            }
            let tally = tallies.entry(rule.clone()).or_default();
            if all_expected.is_empty() {
                tally.ok_cases += 1;
                tally.ok_findings += found.len();
                for (file, line, rule) in &found {
                    false_positives.push(format!("{name}: {rule} at {file}:{line}"));
                }
                continue;
            }
            let within = |e: &Expected, (file, line, _): &(String, u64, String)| {
                *file == e.file && (e.lines.0..=e.lines.1).contains(line)
            };
            for e in &expected {
                tally.expected += 1;
                if found.iter().any(|f| within(e, f)) {
                    tally.found += 1;
                } else {
                    misses.push(format!("{name}: {} at line {}", e.message_id, e.lines.0));
                }
            }
            for (file, line, rule) in found
                .iter()
                .filter(|f| !all_expected.iter().any(|e| within(e, f)))
            {
                tally.unlisted += 1;
                unlisted.push(format!("{name}: {rule} at {file}:{line}"));
            }
        }
    }

    let mut table = String::from(
        "rule                         expected found recall unlisted ok-cases ok-findings\n",
    );
    let mut total = Tally::default();
    for (rule, t) in &tallies {
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let recall = if t.expected == 0 {
            1.0
        } else {
            t.found as f64 / t.expected as f64
        };
        writeln!(
            table,
            "{rule:<28} {:>8} {:>5} {recall:>6.2} {:>8} {:>8} {:>11}",
            t.expected, t.found, t.unlisted, t.ok_cases, t.ok_findings
        )
        .unwrap();
        total.expected += t.expected;
        total.found += t.found;
        total.unlisted += t.unlisted;
        total.ok_cases += t.ok_cases;
        total.ok_findings += t.ok_findings;
    }
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let recall = total.found as f64 / total.expected as f64;
    writeln!(
        table,
        "{:<28} {:>8} {:>5} {recall:>6.2} {:>8} {:>8} {:>11}",
        "TOTAL", total.expected, total.found, total.unlisted, total.ok_cases, total.ok_findings
    )
    .unwrap();
    println!("{table}");
    println!("excluded (binary inputs or identifiers only): {excluded:?}");
    println!("missed: {misses:#?}");
    println!("findings in ok cases: {false_positives:#?}");
    println!("findings in ng cases that output.json does not list: {unlisted:#?}");

    assert!(
        total.expected > 100,
        "too few expected findings: {}",
        total.expected
    );
    assert!(
        recall >= 0.95,
        "recall {recall:.3} below 0.95; missed: {misses:#?}"
    );
    assert!(
        false_positives.is_empty(),
        "findings in ok cases: {false_positives:#?}"
    );
}

#[test]
fn the_project_has_no_hardcoded_credentials() {
    let text = "[project]\nname = \"preflight\"\n[gate]\nrequired_roles = []\n";
    let mut config = Config::parse(text, "preflight.toml").unwrap();
    Path::new(env!("CARGO_MANIFEST_DIR")).clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    let report = Runner::new(&registry, config)
        .selection(Selection::default().with_ids([ITEM]).unwrap())
        .run()
        .unwrap();
    let item = report.item(ITEM).unwrap();
    let evidence = item.evidence.as_ref().unwrap();
    // Findings are masked: printing them shows no secret.
    assert_eq!(
        item.status,
        Status::Pass,
        "{}; findings: {}",
        item.message,
        evidence.values["findings"]
    );
    assert!(evidence.values["files_scanned"].as_u64().unwrap() > 50);
    assert!(evidence.values["bytes_scanned"].as_u64().unwrap() > 100_000);
    assert_eq!(evidence.values["count"], 0);
}

#[test]
fn planted_credentials_fail_with_masked_findings() {
    let dir = tempfile::tempdir().unwrap();
    // Built from pieces so that this file holds no credential itself.
    let key = format!("{}_{}", "ghp", "Zq8Xw3Lm7Np2Rt5Vb9Kc4Hd6Jf1Gs0TyAbCd");
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/app.py"),
        format!("import os\nTOKEN = \"{key}\"\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("README.md"), "nothing here\n").unwrap();
    // Ignored by .gitignore even outside a git repository.
    std::fs::write(dir.path().join(".gitignore"), "build/\n").unwrap();
    std::fs::create_dir(dir.path().join("build")).unwrap();
    std::fs::write(dir.path().join("build/out.txt"), &key).unwrap();
    // Binary: skipped.
    std::fs::write(
        dir.path().join("blob.bin"),
        [key.as_bytes(), &[0u8; 4]].concat(),
    )
    .unwrap();

    let run = |extra: &str| {
        let text = format!(
            "[project]\nname = \"app\"\n[gate]\nrequired_roles = []\n[checks.\"{ITEM}\"]\n{extra}"
        );
        let mut config = Config::parse(&text, "preflight.toml").unwrap();
        dir.path().clone_into(&mut config.root);
        let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
        Runner::new(&registry, config)
            .selection(Selection::default().with_ids([ITEM]).unwrap())
            .run()
            .unwrap()
    };
    let report = run("");
    let item = report.item(ITEM).unwrap();
    assert_eq!(item.status, Status::Fail);
    assert_eq!(
        item.message,
        "1 hardcoded credentials (at most 0); first github-token at src/app.py:2:10"
    );
    let values = &item.evidence.as_ref().unwrap().values;
    assert_eq!(values["count"], 1);
    assert_eq!(values["files_scanned"], 3);
    assert_eq!(values["files_skipped"], 1);
    assert_eq!(values["by_rule"]["github-token"], 1);
    assert_eq!(values["findings"][0]["masked"], "ghp_… (40 chars)");
    assert_eq!(
        values["findings"][0]["fingerprint"].as_str().unwrap().len(),
        16
    );
    let shown = serde_json::to_string(&report).unwrap();
    assert!(!shown.contains(&key[4..]), "the report shows the secret");

    let report = run("allow_paths = [\"src/*.py\"]\n");
    assert_eq!(report.item(ITEM).unwrap().status, Status::Pass);
    let report = run("paths = [\"missing\"]\n");
    let item = report.item(ITEM).unwrap();
    assert_eq!(item.status, Status::Error);
    assert!(
        item.message.contains("`missing` does not exist"),
        "{}",
        item.message
    );
}
