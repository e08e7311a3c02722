//! Leftover markers as a tech lead meets them: the project's own tree passes
//! `code.review.no-todo-fixme`, and generated trees show what the scanner
//! skips, matches and reports.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use preflight_core::select::Selection;
use preflight_core::{Config, Registry, Report, Runner, Status};
use preflight_probes::code::markers::{MarkerOptions, ScanErrorKind, scan_markers};

const ID: &str = "code.review.no-todo-fixme";

// The markers, spelled once here so that this file mentions them deliberately
// on these lines only.
const TODO_WORD: &str = "TODO"; // preflight: allow(marker)
const FIXME_WORD: &str = "FIXME"; // preflight: allow(marker)
const HACK_WORD: &str = "HACK"; // preflight: allow(marker)

/// How this project configures the item in its own `preflight.toml`: the
/// insta snapshots and the seed checklist are data that quote the item's
/// title and cannot hold a comment.
const PROJECT_CHECKS: &str = r#"
[checks."code.review.no-todo-fixme"]
exclude = ["tests/snapshots/", "preflight-probes/seed/"]
"#;

/// Runs the item on `root`, with more configuration `extra`.
fn run(root: &Path, extra: &str) -> Report {
    let text = format!("[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n{extra}");
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
    root.clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    Runner::new(&registry, config)
        .selection(Selection::default().with_ids([ID]).unwrap())
        .run()
        .unwrap()
}

/// Writes `files` (path, content) under `root`, creating directories.
fn tree(root: &Path, files: &[(&str, &[u8])]) {
    for (path, content) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
}

fn options() -> MarkerOptions {
    MarkerOptions::default()
}

#[test]
fn the_project_passes_its_own_item() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = run(root, PROJECT_CHECKS);
    let item = report.item(ID).unwrap();
    let evidence = item.evidence.as_ref().unwrap();
    assert_eq!(
        item.status,
        Status::Pass,
        "{}\n{:#}",
        item.message,
        evidence.values["first"]
    );
    assert_eq!(evidence.values["count"], 0);
    assert!(evidence.values["files_scanned"].as_u64().unwrap() > 100);
    // Build output and the fuzzers' corpus are gitignored, never scanned.
    let scan = scan_markers(root, &options()).unwrap();
    for location in &scan.first {
        assert!(
            !location.file.starts_with("target/") && !location.file.starts_with("fuzz/corpus"),
            "{location}"
        );
    }
}

#[test]
fn gitignored_binary_and_large_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let marked = format!("// {TODO_WORD}: one\n");
    let mut binary = b"\x7fELF\0\0".to_vec();
    binary.extend_from_slice(marked.as_bytes());
    let large = format!("{}{marked}", "x".repeat(100));
    tree(
        dir.path(),
        &[
            (".gitignore", b"/build/\n*.log\n"),
            ("build/out.rs", marked.as_bytes()),
            ("run.log", marked.as_bytes()),
            ("src/main.bin", &binary),
            ("src/large.rs", large.as_bytes()),
            ("src/ok.rs", b"fn main() {}\n"),
        ],
    );
    // Not a git checkout: the .gitignore applies all the same.
    assert!(!dir.path().join(".git").exists());
    let mut opts = options();
    opts.max_file_size = 64;
    let scan = scan_markers(dir.path(), &opts).unwrap();
    assert_eq!(scan.count, 0, "{:?}", scan.first);
    // .gitignore and ok.rs.
    assert_eq!(scan.files_scanned, 2);
    assert_eq!(scan.files_skipped, 2);
    assert_eq!(scan.bytes_scanned, 14 + 13);

    // Under the default limit the large file counts.
    let scan = scan_markers(dir.path(), &options()).unwrap();
    assert_eq!((scan.count, scan.files_skipped), (1, 1));
    assert_eq!(scan.first[0].file, "src/large.rs");
    assert_eq!((scan.first[0].line, scan.first[0].column), (1, 104));
}

#[test]
fn markers_are_whole_words_and_the_allow_comment_silences_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{TODO_WORD}S and MAX{TODO_WORD} and {TODO_WORD}_x are words of their own\n\
         let x = 1; // {FIXME_WORD}(ana): handle the close\n\
         \t{HACK_WORD}\r\n\
         // The word {TODO_WORD} in a doc. // preflight: allow(marker)\n\
         #{TODO_WORD}: last"
    );
    tree(dir.path(), &[("src/lib.rs", text.as_bytes())]);
    let scan = scan_markers(dir.path(), &options()).unwrap();
    let found: Vec<_> = scan
        .first
        .iter()
        .map(|l| (l.line, l.column, l.marker.as_str(), l.text.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                2,
                15,
                FIXME_WORD,
                &*format!("let x = 1; // {FIXME_WORD}(ana): handle the close")
            ),
            (3, 2, HACK_WORD, HACK_WORD),
            (5, 2, TODO_WORD, &*format!("#{TODO_WORD}: last")),
        ]
    );
    assert_eq!(scan.count, 3);
}

#[test]
fn exclude_globs_and_custom_markers() {
    let dir = tempfile::tempdir().unwrap();
    let marked = format!("{TODO_WORD} NOCOMMIT\n");
    tree(
        dir.path(),
        &[
            ("src/a.rs", marked.as_bytes()),
            ("src/gen/b.rs", marked.as_bytes()),
            ("docs/c.snap", marked.as_bytes()),
        ],
    );
    let mut opts = options();
    opts.exclude = vec!["src/gen/".to_owned(), "*.snap".to_owned()];
    let scan = scan_markers(dir.path(), &opts).unwrap();
    assert_eq!((scan.count, scan.files_scanned), (1, 1));
    assert_eq!(scan.first[0].file, "src/a.rs");

    opts.markers = vec!["NOCOMMIT".to_owned()];
    let scan = scan_markers(dir.path(), &opts).unwrap();
    assert_eq!(scan.count, 1);
    assert_eq!(
        (scan.first[0].marker.as_str(), scan.first[0].column),
        ("NOCOMMIT", 6)
    );

    // `paths` narrows the scan, relative to the root.
    let mut opts = options();
    opts.paths = vec!["docs".into()];
    let scan = scan_markers(dir.path(), &opts).unwrap();
    assert_eq!(
        (scan.count, scan.first[0].file.as_str()),
        (1, "docs/c.snap")
    );

    // The same through the item's parameters.
    let config = r#"
[checks."code.review.no-todo-fixme"]
markers = ["NOCOMMIT"]
exclude = ["src/gen/", "*.snap"]
"#;
    let report = run(dir.path(), config);
    let item = report.item(ID).unwrap();
    assert_eq!(item.status, Status::Fail);
    assert_eq!(
        item.message,
        format!(
            "1 marker in 1 file (at most 0 allowed); first at src/a.rs:1:6: {TODO_WORD} NOCOMMIT"
        )
    );
}

#[test]
fn sixty_markers_are_counted_and_the_first_fifty_kept_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    // Six files of ten markers each, written in an order unlike their names.
    for name in ["f5", "f1", "f3", "f0", "f4", "f2"] {
        let mut text = String::new();
        for i in 0..10 {
            writeln!(text, "line {i}\n{}{FIXME_WORD}", " ".repeat(i)).unwrap();
        }
        files.push((format!("src/{name}.rs"), text));
    }
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_bytes()))
        .collect();
    tree(dir.path(), &files);
    for threads in [1, 4] {
        let mut opts = options();
        opts.threads = threads;
        let scan = scan_markers(dir.path(), &opts).unwrap();
        assert_eq!(scan.count, 60);
        assert_eq!(scan.first.len(), 50);
        let got: Vec<_> = scan
            .first
            .iter()
            .map(|l| (l.file.clone(), l.line, l.column))
            .collect();
        let want: Vec<_> = (0..5)
            .flat_map(|f| (0..10).map(move |i| (format!("src/f{f}.rs"), 2 * i + 2, i + 1)))
            .collect();
        assert_eq!(got, want);
    }

    let report = run(
        dir.path(),
        "[checks.\"code.review.no-todo-fixme\"]\nmax = 60\n",
    );
    let item = report.item(ID).unwrap();
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    let evidence = item.evidence.as_ref().unwrap();
    assert_eq!(evidence.values["count"], 60);
    assert_eq!(evidence.values["files_scanned"], 6);
    assert_eq!(evidence.values["files_skipped"], 0);
    assert_eq!(evidence.values["first"].as_array().unwrap().len(), 50);
    assert_eq!(
        evidence.values["first"][0],
        serde_json::json!({"file": "src/f0.rs", "line": 2, "column": 1, "marker": FIXME_WORD, "text": FIXME_WORD})
    );
    assert_eq!(evidence.findings.len(), 50);
    assert_eq!(
        evidence.findings[0].to_string(),
        format!("src/f0.rs:2:1: [fixme] {FIXME_WORD}")
    );

    let report = run(dir.path(), "");
    let item = report.item(ID).unwrap();
    assert_eq!(item.status, Status::Fail);
    assert_eq!(
        item.message,
        format!("60 markers in 6 files (at most 0 allowed); first at src/f0.rs:2:1: {FIXME_WORD}")
    );
}

#[test]
fn a_missing_path_or_an_empty_scan_is_an_error_never_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    tree(
        dir.path(),
        &[("src/a.rs", b"fn main() {}\n"), ("data.bin", b"\0")],
    );
    let mut opts = options();
    opts.paths = vec!["src".into(), "lib".into()];
    let error = scan_markers(dir.path(), &opts).unwrap_err();
    assert!(matches!(error.kind, ScanErrorKind::NotFound));
    assert_eq!(
        error.to_string(),
        "`lib`: does not exist: fix or remove it in `paths`"
    );

    let report = run(
        dir.path(),
        "[checks.\"code.review.no-todo-fixme\"]\npaths = [\"src\", \"lib\"]\n",
    );
    let item = report.item(ID).unwrap();
    assert_eq!(item.status, Status::Error);
    assert_eq!(
        item.message,
        "`lib`: does not exist: fix or remove it in `paths`"
    );

    // Only a binary file where the scan looks: nothing was checked.
    let report = run(
        dir.path(),
        "[checks.\"code.review.no-todo-fixme\"]\npaths = [\"data.bin\"]\n",
    );
    let item = report.item(ID).unwrap();
    assert_eq!(item.status, Status::Error);
    assert!(
        item.message.starts_with("no text file to scan under `"),
        "{}",
        item.message
    );

    // Everything excluded.
    let report = run(
        dir.path(),
        "[checks.\"code.review.no-todo-fixme\"]\nexclude = [\"*\"]\n",
    );
    assert_eq!(report.item(ID).unwrap().status, Status::Error);

    // No marker to look for.
    let report = run(
        dir.path(),
        "[checks.\"code.review.no-todo-fixme\"]\nmarkers = []\n",
    );
    let item = report.item(ID).unwrap();
    assert_eq!(item.status, Status::Error);
    assert_eq!(
        item.message,
        "`markers`: a marker must be a non-empty string, and at least one is needed"
    );
}

#[test]
fn a_clean_tree_passes_with_what_was_scanned() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path(), &[("src/a.rs", b"fn main() {}\n")]);
    let report = run(dir.path(), "");
    let item = report.item(ID).unwrap();
    assert_eq!(item.status, Status::Pass);
    assert_eq!(item.message, "no marker in 1 file (13 bytes) scanned");
    assert_eq!(
        item.evidence.as_ref().unwrap().summary,
        "markers: 0; files scanned: 1 (13 bytes), skipped: 0"
    );
}
