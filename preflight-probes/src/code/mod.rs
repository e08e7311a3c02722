//! Code: source scanners that walk the project's tree as git does
//! (`.gitignore` honoured, binary files skipped, on every core): leftover
//! markers such as TODO and FIXME ([`markers`]) and hardcoded credentials <!-- preflight: allow(marker) -->
//! ([`secrets`]). Both report findings with their locations.

pub mod markers;
pub mod secrets;
