//! Testing: the reports real test tools write, read by parsers that are
//! independent of the checks (so they can be fuzzed and reused): coverage
//! reports ([`coverage`]) and `JUnit` XML test reports ([`junit`]).

pub mod coverage;
pub mod junit;
