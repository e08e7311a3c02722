//! The broker statement and internal positions of the end-of-day
//! reconciliation, on arbitrary bytes as `statement.csv`; invariants in
//! `preflight_probes::fuzzing::statement`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| preflight_probes::fuzzing::statement(data));
