//! The other tools' reports: linters, vulnerability scanners, latency
//! samples, load summaries and Chaos Toolkit journals, each parser on the
//! same bytes; invariants in `preflight_probes::fuzzing::report`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| preflight_probes::fuzzing::report(data));
