//! The backtest's returns (and trades) CSV reader: `Backtest::from_table`
//! with arbitrary bytes written to `r.csv`; invariants in
//! `preflight_probes::fuzzing::backtest`.
#![no_main]
#![forbid(unsafe_code)]

use std::sync::LazyLock;

/// The directory the input is written to, once per process. It is never
/// removed: libFuzzer ends the process with `exit`, which runs no destructor.
static DIR: LazyLock<tempfile::TempDir> = LazyLock::new(|| match tempfile::tempdir() {
    Ok(dir) => dir,
    Err(e) => panic!("cannot create the scratch directory: {e}"),
});

libfuzzer_sys::fuzz_target!(|data: &[u8]| preflight_probes::fuzzing::backtest(DIR.path(), data));
