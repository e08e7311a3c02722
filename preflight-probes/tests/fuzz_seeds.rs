//! The fuzz targets' invariants, on every input kept under `fuzz/seeds/<target>/`:
//! the valid examples the fuzzing starts from and the reproducers of every
//! crash it found, so that a fixed crash stays fixed without a fuzzer.
//! The invariants are those of `preflight_probes::fuzzing`, shared with the
//! targets (see `fuzz/README.md`).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use preflight_probes::fuzzing;

/// A target's invariants: panics on the input that breaks one.
type Invariants<'a> = &'a dyn Fn(&[u8]);

/// The files of `fuzz/seeds/<target>/`, sorted.
fn seeds(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
}

/// The seeds of `target` that break `check`, each with its panic message.
fn failures(target: &str, check: Invariants<'_>) -> Vec<String> {
    let mut failed = Vec::new();
    for path in seeds(target) {
        let name = format!("{target}/{}", path.file_name().unwrap().to_string_lossy());
        let bytes = std::fs::read(&path).unwrap();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&bytes))) {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            failed.push(format!("{name}: {message}"));
        }
    }
    failed
}

/// Checks every seed of `target`, reporting all the failures at once.
fn check_seeds(target: &str, check: Invariants<'_>) {
    let failed = failures(target, check);
    assert!(
        failed.is_empty(),
        "{} seeds of `{target}` break its invariants:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn order_log() {
    check_seeds("order_log", &fuzzing::order_log);
}

#[test]
fn risk_limits() {
    check_seeds("risk_limits", &fuzzing::risk_limits);
}

#[test]
fn backtest() {
    let dir = tempfile::tempdir().unwrap();
    check_seeds("backtest", &|data| fuzzing::backtest(dir.path(), data));
}

#[test]
fn statement() {
    check_seeds("statement", &fuzzing::statement);
}

#[test]
fn coverage() {
    check_seeds("coverage", &fuzzing::coverage);
}

#[test]
fn junit() {
    check_seeds("junit", &fuzzing::junit);
}

#[test]
fn report() {
    check_seeds("report", &fuzzing::report);
}
