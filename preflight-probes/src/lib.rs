//! # preflight-probes
//!
//! The ready-made side of preflight: the `preflight` command line that any
//! crate can offer over its own items with one call from `main`
//! ([`cli::main`]). The seed catalog and the probes by area build on it.
#![forbid(unsafe_code)]

pub mod catalog;
pub mod cli;
