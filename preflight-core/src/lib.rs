//! # preflight-core
//!
//! A trading system's production pre-flight checklist as code. Every checklist
//! item is a type: `#[derive(ChecklistItem)]` gives it its metadata (ID, title,
//! severity, owning sign-off role, ...) and registers it at link time;
//! `impl Check` reads real evidence and decides. A [`Runner`] runs every
//! registered item concurrently, each under its own timeout, and produces one
//! auditable [`Report`] whose [`Decision`] says whether the system may go
//! live. Items that no program can verify are attested by people, and the
//! go-live needs the required roles to sign the report's digest.
//!
//! ```
//! use preflight_core::{Check, CheckError, ChecklistItem, Config, Context, Evidence,
//!                      Outcome, Registry, Runner, Status};
//!
//! /// The strategy's backtest Sharpe ratio exceeds the minimum.
//! #[derive(ChecklistItem)]
//! #[item(id = "strategy.backtest.sharpe-ratio", title = "Sharpe ratio > 1.0",
//!        severity = "critical", owner = "trading-strategist")]
//! pub struct SharpeRatio {
//!     /// The lowest acceptable annualised Sharpe ratio.
//!     pub min: f64,
//! }
//!
//! impl Default for SharpeRatio {
//!     fn default() -> Self {
//!         SharpeRatio { min: 1.0 }
//!     }
//! }
//!
//! #[derive(Evidence, serde::Serialize)]
//! #[evidence(summary = "Sharpe {sharpe_ratio:.2} (minimum {min})")]
//! struct SharpeEvidence {
//!     sharpe_ratio: f64,
//!     min: f64,
//! }
//!
//! impl Check for SharpeRatio {
//!     fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
//!         let sharpe_ratio = 1.42; // a real check computes it from the backtest
//!         let evidence = SharpeEvidence { sharpe_ratio, min: self.min };
//!         let outcome = if sharpe_ratio > self.min {
//!             Outcome::pass("the Sharpe ratio exceeds the minimum")
//!         } else {
//!             Outcome::fail("the Sharpe ratio is below the minimum")
//!         };
//!         Ok(outcome.with_evidence(&evidence))
//!     }
//! }
//!
//! let registry = Registry::builder().item::<SharpeRatio>().build().unwrap();
//! let report = Runner::new(&registry, Config::default()).run().unwrap();
//! let item = report.item("strategy.backtest.sharpe-ratio").unwrap();
//! assert_eq!(item.status, Status::Pass);
//! assert_eq!(item.evidence.as_ref().unwrap().summary, "Sharpe 1.42 (minimum 1)");
//! ```
//!
//! ## People: attestations, waivers and sign-offs
//!
//! [`records`] reads and appends the record files people write:
//! `preflight/attestations.toml` (an item is done, does not apply, or is
//! waived until a date; records expire after 90 days) and
//! `preflight/signoffs.toml` (sign-offs of a report digest, optionally signed
//! with Ed25519 through [`signing`], and the final approval). Hand them to the
//! runner with [`Runner::attestations`] and [`Runner::signoffs`]; the
//! [`select::Selection`] of a run is recorded in the report and covered by its
//! digest, and [`Report::verify`] checks a saved report against itself.
//!
//! ## Feature flags
//! - `derive` (default): re-exports `#[derive(ChecklistItem)]` and `#[derive(Evidence)]`.
//!
//! ## Minimum supported Rust version
//! Rust 1.89.
#![forbid(unsafe_code)]

mod check;
pub mod config;
mod context;
pub mod evidence;
pub mod gate;
pub mod meta;
pub mod records;
pub mod registry;
pub mod render;
pub mod report;
mod runner;
pub mod select;
pub mod signing;
mod status;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use check::{Check, CheckError, ChecklistItem, Outcome, ParamError, ParamProblem};
pub use config::{Config, ConfigError};
pub use context::{Clock, Context, Extensions, FixedClock, Input, InputSource, SystemClock};
pub use evidence::{Artifact, Evidence, Finding};
pub use meta::CheckMeta;
pub use registry::{Provider, Registry, RegistryBuilder, RegistryError};
pub use render::Format;
pub use report::{Decision, Report, ReportItem};
pub use runner::{Observer, Runner, default_workers};
pub use status::Status;

#[cfg(feature = "derive")]
pub use preflight_derive::{ChecklistItem, Evidence};

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
