//! Code: source scanners that walk the project's tree as git does
//! (`.gitignore` honoured, binary files skipped, on every core) for leftover
//! work markers ([`markers`]) and hardcoded credentials ([`secrets`]), both
//! reporting findings with their locations; and the reports of linters and
//! static analysers ([`lint`]) and of vulnerability scanners
//! ([`vulnerabilities`]).

pub mod lint;
pub mod markers;
pub mod secrets;
pub mod vulnerabilities;
