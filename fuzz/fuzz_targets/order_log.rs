//! The order log (`[inputs.order_log]`): `scan` and `scan_with` on arbitrary
//! bytes as `orders.csv`; invariants in `preflight_probes::fuzzing::order_log`.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| preflight_probes::fuzzing::order_log(data));
