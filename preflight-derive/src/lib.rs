//! Derive macros of [preflight]: `#[derive(ChecklistItem)]` turns a struct
//! into a registered checklist item, `#[derive(Evidence)]` gives typed
//! evidence its one-line summary.
//!
//! Use them through `preflight-core` (feature `derive`, on by default), which
//! re-exports both; generated code refers to `::preflight_core` only.
//!
//! ```ignore
//! use preflight_core::{Check, CheckError, ChecklistItem, Context, Evidence, Outcome};
//!
//! /// Sharpe ratio of the backtest exceeds the minimum.
//! #[derive(ChecklistItem, Default)]
//! #[item(
//!     id = "strategy.backtest-results.sharpe-ratio",
//!     title = "Sharpe ratio > 1.0",
//!     severity = "critical",
//!     owner = "trading-strategist",
//!     timeout = "30s",
//! )]
//! pub struct SharpeRatio {
//!     /// The lowest acceptable annualized Sharpe ratio.
//!     pub min: f64,
//! }
//!
//! #[derive(Evidence, serde::Serialize)]
//! #[evidence(summary = "Sharpe {sharpe:.2} (minimum {min})")]
//! struct SharpeEvidence {
//!     sharpe: f64,
//!     min: f64,
//! }
//!
//! impl Check for SharpeRatio {
//!     fn run(&self, cx: &Context) -> Result<Outcome, CheckError> { /* ... */ }
//! }
//! ```
//!
//! # `#[item(...)]`
//!
//! | key | required | values |
//! |-----|----------|--------|
//! | `id` | yes | `section.group.item`, lowercase kebab words; the section is one of `code`, `strategy`, `infra`, `security`, `monitoring`, `data`, `deploy`, `dr`, `ops`, `legal`, `perf`, `trading`, `post-launch` |
//! | `title` | yes | the checklist line |
//! | `severity` | yes | `critical`, `high`, `medium`, `low` |
//! | `owner` | yes | `tech-lead`, `devops-lead`, `security-lead`, `trading-strategist`, `risk-manager`, `product-owner`, `legal-compliance` |
//! | `section` | no | the ID's first segment (inferred) |
//! | `group` | no | heading text; inferred from the ID's second segment (`backtest-results` → `Backtest Results`) |
//! | `kind` / `attested` | no | `automated` (default) or `attested`; the bare flag `attested` is short for `kind = "attested"` |
//! | `applicability` | no | `always` (default), `if-applicable` |
//! | `phase` | no | `pre-launch` (default), `post-launch-week-1`, `post-launch-weeks-2-4`, `post-launch-month-1` |
//! | `timeout`, `evidence_ttl` | no | durations such as `30s`, `5m`, `90d`, `1h 30m` (no months or years) |
//! | `tags`, `refs` | no | lists of strings |
//! | `inputs` | no | the shared inputs the check reads (`[inputs.<name>]` in `preflight.toml`), for `preflight explain` |
//! | `remediation` | no | what to do when the item does not pass |
//!
//! The struct's doc comment is the item's description; its named fields are
//! the item's parameters (`[checks."<id>"]` in `preflight.toml`), read over
//! `Default`, with the field doc comments as parameter docs. Field names
//! `enabled`, `reason` and `timeout` are reserved by the runner. Automated
//! items implement `Check`; attested items (`attested`) need no `impl Check`.
//!
//! # `#[evidence(summary = "...")]`
//!
//! The summary is a `format!` string whose placeholders name fields:
//! `{field}` or `{field:spec}` (`{sharpe:.2}`); `{{` and `}}` are literal
//! braces. Positional placeholders (`{}`, `{0}`) are refused.
//!
//! Every mistake in an attribute is a compile error at the offending token,
//! all reported at once.
//!
//! [preflight]: https://example.invalid/preflight

#![forbid(unsafe_code)]

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod fallback;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Makes a struct a checklist item: implements `ChecklistItem` from its
/// `#[item(...)]` attribute and registers it. See the [crate docs](crate).
#[proc_macro_derive(ChecklistItem, attributes(item))]
pub fn derive_checklist_item(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::checklist_item(&input).into()
}

/// Implements `Evidence` from `#[evidence(summary = "...")]`. See the
/// [crate docs](crate).
#[proc_macro_derive(Evidence, attributes(evidence))]
pub fn derive_evidence(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::evidence(&input).into()
}
