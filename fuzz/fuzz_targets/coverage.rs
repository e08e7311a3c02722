//! Coverage reports (`[inputs.coverage]`): lcov, Cobertura XML, coverage.py
//! JSON and llvm-cov JSON, detected from the content; invariants in
//! `preflight_probes::fuzzing::coverage`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| preflight_probes::fuzzing::coverage(data));
