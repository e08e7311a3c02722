//! End-to-end tests of the `preflight` binary: each test works in its own
//! temporary project directory, spawns the binary there and checks exit codes,
//! the record files it writes and the JSON reports it produces.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use preflight_core::records::Attestations;
use serde_json::Value;

/// The seven roles of the seed's sign-off table.
const ROLES: [&str; 7] = [
    "tech-lead",
    "devops-lead",
    "security-lead",
    "trading-strategist",
    "risk-manager",
    "product-owner",
    "legal-compliance",
];

/// The item waived on the way to a ready state.
const WAIVED: &str = "legal.business.roi-projections";

/// The role that signs with an Ed25519 key on the way to a ready state.
const KEYED_ROLE: &str = "legal-compliance";

/// The attestations file `init` configures.
const ATTESTATIONS: &str = "preflight/attestations.toml";

/// The `preflight` binary, run in `dir` without colours.
fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_preflight"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command
}

/// A finished run of the binary.
struct Run {
    args: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn new(args: &[&str], output: &Output) -> Self {
        Run {
            args: args.join(" "),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Everything a failure message needs.
    fn context(&self) -> String {
        format!(
            "`preflight {}` exited with {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args, self.code, self.stdout, self.stderr
        )
    }

    /// Standard output parsed as JSON.
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{}", self.context()))
    }
}

/// Runs the binary in `dir` and returns what it did, whatever its exit code.
fn preflight(dir: &Path, args: &[&str]) -> Run {
    let output = command(dir, args)
        .output()
        .unwrap_or_else(|e| panic!("cannot spawn `preflight {}`: {e}", args.join(" ")));
    Run::new(args, &output)
}

/// Runs the binary in `dir` and asserts its exit code.
#[track_caller]
fn expect(dir: &Path, args: &[&str], code: i32) -> Run {
    let run = preflight(dir, args);
    assert_eq!(
        run.code,
        Some(code),
        "expected exit code {code}\n{}",
        run.context()
    );
    run
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn read_json(path: impl AsRef<Path>) -> Value {
    let path = path.as_ref();
    serde_json::from_str(&read(path))
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn write_json(path: impl AsRef<Path>, value: &Value) {
    let text = serde_json::to_string_pretty(value).expect("JSON serializes");
    std::fs::write(path, text).expect("write the JSON file");
}

fn str_of<'v>(value: &'v Value, key: &str) -> &'v str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {value:#}"))
}

fn array_of<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("`{key}` is not an array in {value:#}"))
}

/// The report's item `id`.
fn item<'r>(report: &'r Value, id: &str) -> &'r Value {
    array_of(report, "items")
        .iter()
        .find(|item| item["id"] == id)
        .unwrap_or_else(|| panic!("no item `{id}` in the report"))
}

/// A new temporary project with the starter files of `init`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    expect(dir.path(), &["init"], 0);
    dir
}

/// The (ID, owner) of every item of the legal section, from `list --format json`.
fn legal_items(dir: &Path) -> Vec<(String, String)> {
    let run = expect(dir, &["list", "--section", "legal", "--format", "json"], 0);
    let items: Vec<(String, String)> = run
        .json()
        .as_array()
        .unwrap_or_else(|| panic!("`list --format json` is not an array\n{}", run.context()))
        .iter()
        .map(|meta| {
            (
                str_of(meta, "id").to_owned(),
                str_of(meta, "owner").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        items.len(),
        16,
        "the legal section has 16 items\n{}",
        run.context()
    );
    items
}

/// Attests `id` as done, dated 2026-01-01 and valid for centuries, so that the
/// test does not depend on today's date.
fn attest(dir: &Path, id: &str, role: &str, evidence: &str) -> Run {
    expect(
        dir,
        &[
            "attest",
            id,
            "--by",
            "Dana Cruz",
            "--role",
            role,
            "--evidence",
            evidence,
            "--date",
            "2026-01-01",
            "--expires",
            "2999-12-31",
        ],
        0,
    )
}

/// The name each role signs under.
fn signer(role: &str) -> String {
    format!("Signer of {role}")
}

/// The `kind`s of the report's blocking reasons.
fn blocking_kinds(report: &Value) -> Vec<&str> {
    array_of(&report["decision"], "blocking")
        .iter()
        .map(|blocker| str_of(blocker, "kind"))
        .collect()
}

/// Attests every legal item, waives one, and checks that only sign-offs block.
fn attest_the_legal_section(dir: &Path) {
    let run = expect(dir, &["run", "--section", "legal", "--format", "json"], 1);
    let report = run.json();
    assert_eq!(report["decision"]["ready"], false, "{}", run.context());
    assert_eq!(
        report["summary"]["by_status"]["pending"],
        16,
        "every legal item is pending before anyone attests\n{}",
        run.context()
    );
    for (id, owner) in legal_items(dir) {
        attest(dir, &id, &owner, &format!("DOC-{id}"));
    }
    expect(
        dir,
        &[
            "waive",
            WAIVED,
            "--by",
            "Ann Lee",
            "--role",
            "risk-manager",
            "--date",
            "2026-06-01",
            "--until",
            "2999-12-31",
            "--reason",
            "projections follow the first quarter",
        ],
        0,
    );
    let run = expect(dir, &["run", "--section", "legal", "--format", "json"], 1);
    let report = run.json();
    assert_eq!(
        blocking_kinds(&report),
        vec!["signoff"; 7],
        "with every item attested only the seven sign-offs block\n{}",
        run.context()
    );
    assert_eq!(
        item(&report, WAIVED)["status"],
        "waived",
        "{}",
        run.context()
    );
}

/// Brings the project in `dir` (after `init`) to a ready state for
/// `--section legal`: every legal item attested, one waived, all seven roles
/// signed (legal-compliance with the Ed25519 key `k.pem`), and writes the
/// ready report to `r.json`, which it returns.
fn make_ready(dir: &Path) -> Value {
    attest_the_legal_section(dir);
    let run = expect(dir, &["sign", "--generate-key", "--key", "k.pem"], 0);
    assert!(
        dir.join("k.pem").is_file() && dir.join("k.pem.pub").is_file(),
        "`sign --generate-key` writes k.pem and k.pem.pub\n{}",
        run.context()
    );
    for role in ROLES {
        let name = signer(role);
        let mut args = vec![
            "sign",
            "--role",
            role,
            "--by",
            &name,
            "--date",
            "2026-07-01",
            "--section",
            "legal",
        ];
        if role == KEYED_ROLE {
            args.extend(["--key", "k.pem"]);
        }
        expect(dir, &args, 0);
    }
    let run = expect(
        dir,
        &[
            "run",
            "--section",
            "legal",
            "--format",
            "json",
            "--output",
            "r.json",
        ],
        0,
    );
    let report = read_json(dir.join("r.json"));
    assert_eq!(
        report["decision"]["ready"],
        true,
        "ready once all seven roles signed\n{}\n{report:#}",
        run.context()
    );
    report
}

#[test]
fn init_writes_starter_files_and_never_overwrites() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let dir = dir.path();
    let run = expect(dir, &["init"], 0);
    for file in ["preflight.toml", ATTESTATIONS, "preflight/signoffs.toml"] {
        assert!(
            dir.join(file).is_file(),
            "`init` writes {file}\n{}",
            run.context()
        );
        assert!(
            run.stdout
                .contains(&format!("created {}", Path::new(".").join(file).display())),
            "`init` says it created {file}\n{}",
            run.context()
        );
    }
    assert!(
        read(dir.join("preflight.toml")).contains("required_roles"),
        "the starter configuration names the required roles"
    );

    let edited = "# edited by the desk\n[project]\nname = \"desk\"\nenvironment = \"production\"\n";
    std::fs::write(dir.join("preflight.toml"), edited).expect("edit preflight.toml");
    let signoffs_before = read(dir.join("preflight/signoffs.toml"));
    let run = expect(dir, &["init"], 0);
    assert_eq!(
        read(dir.join("preflight.toml")),
        edited,
        "a second `init` keeps the edited file\n{}",
        run.context()
    );
    assert_eq!(read(dir.join("preflight/signoffs.toml")), signoffs_before);
    assert_eq!(
        run.stdout.matches("kept").count(),
        4,
        "a second `init` keeps all four files (with preflight/.gitignore) and says so\n{}",
        run.context()
    );
    assert!(!run.stdout.contains("created"), "{}", run.context());
}

#[test]
fn go_live_flow() {
    let dir = project();
    let dir = dir.path();
    let report = make_ready(dir);

    let signoffs = array_of(&report, "signoffs");
    assert_eq!(signoffs.len(), 7, "seven sign-offs in {report:#}");
    for role in ROLES {
        let signoff = signoffs
            .iter()
            .find(|s| s["role"] == role)
            .unwrap_or_else(|| panic!("no {role} sign-off in {report:#}"));
        assert_eq!(signoff["status"], "valid", "{signoff:#}");
        assert_eq!(signoff["valid"], true, "{signoff:#}");
        assert_eq!(signoff["name"], signer(role).as_str(), "{signoff:#}");
        assert_eq!(signoff["digest"], report["digest"], "{signoff:#}");
        let signed = role == KEYED_ROLE;
        for key in ["signature", "public_key"] {
            assert_eq!(
                signoff[key].as_str().is_some_and(|hex| !hex.is_empty()),
                signed,
                "only the {KEYED_ROLE} sign-off carries `{key}`: {signoff:#}"
            );
        }
    }
    let public_key = read(dir.join("k.pem.pub"));
    assert!(
        public_key.contains("BEGIN PUBLIC KEY"),
        "k.pem.pub is a PEM public key: {public_key}"
    );
    assert_eq!(report["summary"]["total"], 16, "{:#}", report["summary"]);
    assert_eq!(
        report["summary"]["by_status"]["pass"], 15,
        "{:#}",
        report["summary"]
    );
    assert_eq!(
        report["summary"]["by_status"]["waived"], 1,
        "{:#}",
        report["summary"]
    );
    assert!(
        array_of(&report["decision"], "blocking").is_empty(),
        "{:#}",
        report["decision"]
    );

    let run = expect(dir, &["verify", "r.json"], 0);
    assert!(
        run.stdout.starts_with("ok:") && run.stdout.contains("decision: ready"),
        "{}",
        run.context()
    );
}

#[test]
fn changed_evidence_outdates_signoffs() {
    let dir = project();
    let dir = dir.path();
    let ready = make_ready(dir);

    // Same date as the first record, later in the file: the new one counts.
    let changed = "legal.review.data-privacy";
    attest(dir, changed, "legal-compliance", "DPIA-2 (revised)");
    let run = expect(
        dir,
        &[
            "run",
            "--section",
            "legal",
            "--format",
            "json",
            "--output",
            "r2.json",
        ],
        1,
    );
    let report = read_json(dir.join("r2.json"));
    assert_eq!(
        item(&report, changed)["attestation"]["evidence"],
        "DPIA-2 (revised)",
        "the latest record counts\n{}",
        run.context()
    );
    assert_ne!(
        report["digest"], ready["digest"],
        "new evidence, new digest"
    );
    assert_eq!(report["decision"]["ready"], false);
    for signoff in array_of(&report, "signoffs") {
        assert_eq!(signoff["status"], "outdated", "{signoff:#}");
        assert_eq!(signoff["valid"], false, "{signoff:#}");
    }
    let blocking = array_of(&report["decision"], "blocking");
    assert_eq!(blocking.len(), 7, "{:#}", report["decision"]);
    for role in ROLES {
        let blocker = blocking
            .iter()
            .find(|b| b["kind"] == "signoff" && b["role"] == role)
            .unwrap_or_else(|| panic!("no blocker for {role}: {:#}", report["decision"]));
        let reason = str_of(blocker, "reason");
        assert!(
            reason.contains(&signer(role)) && reason.contains("outdated"),
            "the reason names the signer and says outdated: {reason}"
        );
    }
}

/// Writes `report` changed by `tamper` to `name` and runs `verify` on it.
fn verify_tampered(dir: &Path, report: &Value, name: &str, tamper: impl FnOnce(&mut Value)) -> Run {
    let mut forged = report.clone();
    tamper(&mut forged);
    assert_ne!(&forged, report, "the tampering changes the report");
    write_json(dir.join(name), &forged);
    let run = expect(dir, &["verify", name], 1);
    assert!(run.stdout.contains("TAMPERED"), "{}", run.context());
    run
}

#[test]
fn verify_detects_tampering() {
    let dir = project();
    let dir = dir.path();
    let report = make_ready(dir);
    expect(dir, &["verify", "r.json"], 0);

    let failed = "legal.regulatory.audit-trail";
    let run = verify_tampered(dir, &report, "status.json", |r| {
        r["items"]
            .as_array_mut()
            .and_then(|items| items.iter_mut().find(|i| i["id"] == failed))
            .expect("the item")["status"] = "fail".into();
    });
    assert!(
        run.stdout.contains(&format!("item `{failed}`")),
        "{}",
        run.context()
    );

    let edited = "legal.review.third-party-agreements";
    let rewrite = |name: &str, field: &dyn Fn(&mut Value) -> &mut Value| {
        let run = verify_tampered(dir, &report, name, |r| {
            let item = r["items"]
                .as_array_mut()
                .and_then(|items| items.iter_mut().find(|i| i["id"] == edited))
                .expect("the item");
            let value = field(item);
            let text = value.as_str().expect("a string").replace("DOC-", "FORGED-");
            *value = text.into();
        });
        assert!(
            run.stdout.contains(&format!("item `{edited}`")),
            "verify names the item whose {name} changed\n{}",
            run.context()
        );
    };
    rewrite(
        "evidence.json",
        &|item| &mut item["attestation"]["evidence"],
    );
    rewrite("message.json", &|item| &mut item["message"]);

    let run = verify_tampered(dir, &report, "signer.json", |r| {
        r["signoffs"]
            .as_array_mut()
            .and_then(|signoffs| signoffs.iter_mut().find(|s| s["signature"].is_string()))
            .expect("a signed sign-off")["name"] = "Mallory".into();
    });
    assert!(
        run.stdout.contains(KEYED_ROLE) && run.stdout.contains("Mallory"),
        "verify names the sign-off whose signature no longer verifies\n{}",
        run.context()
    );

    std::fs::write(
        dir.join("garbage.json"),
        "{\"schema\": \"preflight.report/v1\", ",
    )
    .expect("write");
    let run = expect(dir, &["verify", "garbage.json"], 2);
    assert!(run.stderr.contains("garbage.json"), "{}", run.context());
}

/// A record that is fine, so that the bad one is not on the first lines.
const GOOD_RECORD: &str = r#"# Attestations of the desk.

[[attestation]]
item = "legal.review.data-privacy"
status = "done"
by = "Dana Cruz"
role = "legal-compliance"
date = 2026-01-01
evidence = "DPIA-1"
"#;

/// The 1-based line of the first line of `text` that starts with `prefix`,
/// searching from line `from`.
fn line_starting(text: &str, prefix: &str, from: usize) -> usize {
    let found = text
        .lines()
        .enumerate()
        .skip(from - 1)
        .find(|(_, line)| line.starts_with(prefix));
    match found {
        Some((index, _)) => index + 1,
        None => panic!("no line starting with `{prefix}` in\n{text}"),
    }
}

/// Writes `bad` after a good record and checks that `run` stops with exit
/// code 2, naming the attestations file, the right line and `what`.
fn assert_rejected(dir: &Path, bad: &str, line_prefix: &str, what: &str) {
    let text = format!("{GOOD_RECORD}\n{bad}");
    let bad_start = GOOD_RECORD.lines().count() + 1;
    let line = line_starting(&text, line_prefix, bad_start + 1);
    std::fs::write(dir.join(ATTESTATIONS), &text).expect("write the attestations");
    let run = expect(dir, &["run", "--section", "legal", "--format", "json"], 2);
    assert!(
        run.stdout.is_empty(),
        "no report on a bad record file\n{}",
        run.context()
    );
    for needle in [ATTESTATIONS, &format!("line {line}:"), what] {
        assert!(
            run.stderr.contains(needle),
            "stderr names `{needle}` for\n{text}\n{}",
            run.context()
        );
    }
}

#[test]
fn strict_records_abort_before_running() {
    let dir = project();
    let dir = dir.path();
    let record = |item: &str, status: &str, role: &str, extra: &str| {
        format!(
            "[[attestation]]\nitem = \"{item}\"\nstatus = \"{status}\"\nby = \"Dana Cruz\"\nrole = \"{role}\"\ndate = 2026-01-01\n{extra}"
        )
    };
    let unknown_item = record(
        "legal.review.no-such-item",
        "done",
        "legal-compliance",
        "evidence = \"E\"\n",
    );
    assert_rejected(
        dir,
        &unknown_item,
        "[[attestation]]",
        "legal.review.no-such-item",
    );
    let unknown_role = record(
        "legal.review.data-privacy",
        "done",
        "lawyer",
        "evidence = \"E\"\n",
    );
    assert_rejected(dir, &unknown_role, "role =", "lawyer");
    let waived = record(
        "legal.review.data-privacy",
        "waived",
        "risk-manager",
        "expires = 2999-12-31\n",
    );
    assert_rejected(dir, &waived, "[[attestation]]", "justification");
    let not_applicable = record(
        "legal.review.legal-team-reviewed",
        "not-applicable",
        "legal-compliance",
        "justification = \"we have no lawyers\"\n",
    );
    assert_rejected(
        dir,
        &not_applicable,
        "[[attestation]]",
        "legal.review.legal-team-reviewed",
    );

    std::fs::write(dir.join(ATTESTATIONS), GOOD_RECORD).expect("write the attestations");
    let run = expect(
        dir,
        &[
            "attest",
            "legal.review.legal-team-reviewed",
            "--by",
            "Dana Cruz",
            "--role",
            "legal-compliance",
            "--not-applicable",
            "x",
        ],
        2,
    );
    assert!(
        run.stderr.contains("cannot be declared not applicable"),
        "{}",
        run.context()
    );
    assert_eq!(
        read(dir.join(ATTESTATIONS)),
        GOOD_RECORD,
        "a refused record is not written"
    );

    let insurance = "legal.business.insurance-reviewed";
    let args = [
        "attest",
        insurance,
        "--by",
        "X",
        "--role",
        "product-owner",
        "--not-applicable",
        "no insurance needed",
    ];
    expect(dir, &args, 0);
    let run = expect(dir, &["run", "--id", insurance, "--format", "json"], 1);
    let report = run.json();
    let item = item(&report, insurance);
    assert_eq!(item["status"], "not-applicable", "{}", run.context());
    assert_eq!(
        item["attestation"]["justification"], "no insurance needed",
        "{item:#}"
    );
}

#[test]
fn records_keep_comments_and_formatting() {
    let dir = project();
    let dir = dir.path();
    // Comments, odd spacing, a literal string, a tab, and no final newline.
    let old = "# Attestations of the desk.   \n#   Keep one record per review; the latest counts.\n\n\n[[attestation]]\nitem   =   \"legal.review.legal-team-reviewed\"   # signed in the meeting\nstatus=\"done\"\n\tby = 'Dana Cruz'\nrole = \"legal-compliance\"\ndate = 2026-01-01\nexpires    = 2999-12-31\nevidence = \"\"\"LEGAL-1142\"\"\"\n# more to come";
    std::fs::write(dir.join(ATTESTATIONS), old).expect("write the attestations");
    attest(
        dir,
        "legal.review.data-privacy",
        "legal-compliance",
        "DPIA-1",
    );
    let new = read(dir.join(ATTESTATIONS));
    assert!(
        new.starts_with(old),
        "the new file starts with the old bytes\n--- old ---\n{old}\n--- new ---\n{new}"
    );
    let records = Attestations::load(dir.join(ATTESTATIONS)).expect("the new file parses");
    assert_eq!(records.records().len(), 2, "{new}");

    let run = expect(
        dir,
        &["run", "--id", "legal.review.*", "--format", "json"],
        1,
    );
    let report = run.json();
    let reviewed = item(&report, "legal.review.legal-team-reviewed");
    assert_eq!(reviewed["status"], "pass", "{reviewed:#}");
    assert_eq!(
        reviewed["attestation"]["evidence"], "LEGAL-1142",
        "{reviewed:#}"
    );
    let privacy = item(&report, "legal.review.data-privacy");
    assert_eq!(privacy["status"], "pass", "{privacy:#}");
    assert_eq!(privacy["attestation"]["evidence"], "DPIA-1", "{privacy:#}");
}

#[test]
fn stale_records_are_listed_first() {
    let dir = project();
    let dir = dir.path();
    let stale = "legal.review.data-privacy";
    let args = [
        "attest",
        stale,
        "--by",
        "Dana Cruz",
        "--role",
        "legal-compliance",
        "--evidence",
        "DPIA-0",
        "--date",
        "2020-01-01",
    ];
    let run = expect(dir, &args, 0);
    assert!(
        run.stdout.contains("expires 2020-03-31"),
        "90 days by default\n{}",
        run.context()
    );

    let run = expect(dir, &["run", "--section", "legal"], 1);
    let out = &run.stdout;
    let heading = out
        .find("Stale records")
        .unwrap_or_else(|| panic!("no `Stale records` heading\n{}", run.context()));
    let section = out
        .find("10. Business and Legal")
        .unwrap_or_else(|| panic!("no section heading\n{}", run.context()));
    assert!(
        heading < section,
        "stale records come first\n{}",
        run.context()
    );
    let listed = out[heading..].find(stale).map(|i| i + heading);
    assert!(
        listed.is_some_and(|i| i < section),
        "the stale item is listed under the heading\n{}",
        run.context()
    );

    let run = expect(dir, &["run", "--section", "legal", "--format", "json"], 1);
    let report = run.json();
    assert_eq!(item(&report, stale)["status"], "stale", "{}", run.context());
    let blocker = array_of(&report["decision"], "blocking")
        .iter()
        .find(|b| b["kind"] == "item" && b["id"] == stale)
        .unwrap_or_else(|| panic!("the stale item blocks: {:#}", report["decision"]));
    assert_eq!(blocker["status"], "stale", "{blocker:#}");
}

#[test]
fn selection_is_recorded_and_changes_the_digest() {
    let dir = project();
    let dir = dir.path();
    make_ready(dir);

    let run = expect(dir, &["run", "--section", "legal", "--format", "json"], 0);
    let section = run.json();
    assert_eq!(
        section["selection"]["sections"],
        serde_json::json!(["legal"]),
        "{}",
        run.context()
    );
    assert!(
        section["selection"].get("ids").is_none(),
        "{:#}",
        section["selection"]
    );

    let run = expect(
        dir,
        &["run", "--id", "legal.review.*", "--format", "json"],
        1,
    );
    let ids = run.json();
    assert_eq!(
        ids["selection"]["ids"],
        serde_json::json!(["legal.review.*"]),
        "{}",
        run.context()
    );
    assert!(
        ids["selection"].get("sections").is_none(),
        "{:#}",
        ids["selection"]
    );
    assert_eq!(array_of(&ids, "items").len(), 5, "{}", run.context());
    assert_ne!(
        section["digest"], ids["digest"],
        "another selection, another digest"
    );
    for signoff in array_of(&ids, "signoffs") {
        assert_eq!(
            signoff["status"], "outdated",
            "a sign-off of `--section legal` does not count for `--id legal.review.*`: {signoff:#}"
        );
    }
    assert_eq!(
        blocking_kinds(&ids),
        vec!["signoff"; 7],
        "{:#}",
        ids["decision"]
    );
}

#[test]
fn post_launch_phase_runs_only_its_items() {
    let dir = project();
    let dir = dir.path();
    let run = expect(
        dir,
        &["run", "--phase", "post-launch-week-1", "--format", "json"],
        1,
    );
    let report = run.json();
    let items = array_of(&report, "items");
    assert_eq!(items.len(), 5, "{}", run.context());
    for item in items {
        assert_eq!(item["phase"], "post-launch-week-1", "{item:#}");
    }
    assert_eq!(
        report["selection"]["phases"],
        serde_json::json!(["post-launch-week-1"]),
        "{:#}",
        report["selection"]
    );

    let run = preflight(dir, &["run", "--format", "json"]);
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.context());
    let report = run.json();
    let items = array_of(&report, "items");
    assert!(!items.is_empty(), "{}", run.context());
    let post_launch: Vec<&str> = items
        .iter()
        .filter(|item| item["phase"] != "pre-launch")
        .map(|item| str_of(item, "id"))
        .collect();
    assert!(
        post_launch.is_empty(),
        "the default run has post-launch items: {post_launch:?}"
    );
}

#[test]
fn list_and_explain() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let dir = dir.path();
    let run = expect(dir, &["list"], 0);
    assert!(
        run.stdout.lines().any(|line| line == "240 items"),
        "{}",
        run.context()
    );
    assert!(
        run.stdout.contains("strategy.backtest.sharpe-ratio"),
        "{}",
        run.context()
    );

    let run = expect(dir, &["list", "--format", "markdown"], 0);
    assert!(
        run.stdout.contains("### Backtesting Results"),
        "{}",
        run.context()
    );
    assert!(
        run.stdout.contains("- [ ] Sharpe ratio > 1.0"),
        "{}",
        run.context()
    );

    let run = expect(dir, &["explain", "strategy.backtest.sharpe-ratio"], 0);
    assert!(
        run.stdout
            .starts_with("strategy.backtest.sharpe-ratio: Sharpe ratio > 1.0"),
        "{}",
        run.context()
    );
    assert!(
        run.stdout.contains("How to satisfy it"),
        "{}",
        run.context()
    );

    let run = expect(dir, &["explain", "no.such.item"], 2);
    assert!(
        run.stderr.contains("unknown item `no.such.item`"),
        "{}",
        run.context()
    );
}

#[test]
fn concurrent_attests_lose_nothing() {
    let dir = project();
    let dir = dir.path();
    let starter = read(dir.join(ATTESTATIONS));
    let items: Vec<(String, String)> = legal_items(dir).into_iter().take(8).collect();
    let children: Vec<(Vec<String>, Child)> = items
        .iter()
        .map(|(id, owner)| {
            let args: Vec<String> = [
                "attest",
                id,
                "--by",
                "Dana Cruz",
                "--role",
                owner,
                "--evidence",
                &format!("DOC-{id}"),
            ]
            .map(str::to_owned)
            .to_vec();
            let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let child = command(dir, &arg_refs)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn `preflight attest`");
            (args, child)
        })
        .collect();
    let mut failures = String::new();
    for (args, child) in children {
        let output = child
            .wait_with_output()
            .expect("wait for `preflight attest`");
        let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = Run::new(&arg_refs, &output);
        if run.code != Some(0) {
            let _ = writeln!(failures, "{}", run.context());
        }
    }
    assert!(failures.is_empty(), "{failures}");

    let text = read(dir.join(ATTESTATIONS));
    assert!(
        text.starts_with(&starter),
        "the starter comments are kept\n{text}"
    );
    let records = Attestations::load(dir.join(ATTESTATIONS))
        .unwrap_or_else(|e| panic!("the attestations file parses: {e}\n{text}"));
    let mut recorded: Vec<&str> = records.records().iter().map(|r| r.item.as_str()).collect();
    recorded.sort_unstable();
    let mut expected: Vec<&str> = items.iter().map(|(id, _)| id.as_str()).collect();
    expected.sort_unstable();
    assert_eq!(
        recorded, expected,
        "every concurrent attest is recorded\n{text}"
    );
}

#[cfg(unix)]
#[test]
fn attest_keeps_the_record_file_permissions() {
    use std::os::unix::fs::PermissionsExt as _;

    let dir = project();
    let dir = dir.path();
    let path = dir.join(ATTESTATIONS);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    attest(
        dir,
        "legal.review.data-privacy",
        "legal-compliance",
        "DPIA-1",
    );
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "`attest` keeps the file's mode, got {mode:o}");
}

#[test]
fn verify_detects_a_forged_final_approval() {
    let dir = project();
    let dir = dir.path();
    make_ready(dir);
    expect(
        dir,
        &[
            "approve",
            "--by",
            "Chief Officer",
            "--go-live",
            "2027-01-15",
            "--section",
            "legal",
        ],
        0,
    );
    expect(
        dir,
        &[
            "run",
            "--section",
            "legal",
            "--format",
            "json",
            "--output",
            "approved.json",
        ],
        0,
    );
    let report = read_json(dir.join("approved.json"));
    assert_eq!(
        report["approval"]["valid"], true,
        "{:#}",
        report["approval"]
    );
    expect(dir, &["verify", "approved.json"], 0);
    verify_tampered(dir, &report, "forged-approval.json", |r| {
        r["approval"]["digest"] = format!("sha256:{}", "0".repeat(64)).into();
    });
}
