//! Testing: the reports real test tools write, read by parsers that are
//! independent of the checks (so they can be fuzzed and reused): coverage
//! reports ([`coverage`]), `JUnit` XML test reports ([`junit`]), latency
//! samples ([`latency`]), load-test summaries ([`load`]) and chaos
//! experiment journals ([`chaos`]).

pub mod chaos;
pub mod coverage;
pub mod junit;
pub mod latency;
pub mod load;
