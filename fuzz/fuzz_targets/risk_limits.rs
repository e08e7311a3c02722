//! `risk.toml`: `RiskLimits::parse` on arbitrary UTF-8, then the violations
//! of every area; invariants in `preflight_probes::fuzzing::risk_limits`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| preflight_probes::fuzzing::risk_limits(data));
