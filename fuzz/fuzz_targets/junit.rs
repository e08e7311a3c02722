//! JUnit XML test reports (`[inputs.junit]`); invariants in
//! `preflight_probes::fuzzing::junit`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| preflight_probes::fuzzing::junit(data));
