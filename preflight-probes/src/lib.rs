//! # preflight-probes
//!
//! The seed checklist's catalog and the ready-made probes of preflight.
#![forbid(unsafe_code)]
