//! The derives' expansions stay clean under strict lints (like thiserror's
//! `test_lints.rs`): this file is checked by `cargo clippy --all-targets -- -D
//! warnings`, and its tests check what the generated code does.

#![deny(missing_docs, unused_qualifications)]
#![deny(clippy::pedantic)]

use std::fmt::Display;
use std::time::Duration;

use preflight_core::meta::{Applicability, Kind, Phase, Role, Section, Severity};
use preflight_core::{
    Check, CheckError, ChecklistItem, Context, Evidence, Outcome, ParamError, ParamProblem,
};
use serde::Serialize;

/// The backtest's Sharpe ratio exceeds the minimum.
///
/// Computed on daily returns,
/// annualized.
#[derive(ChecklistItem, Debug, Clone, PartialEq)]
#[item(
    id = "strategy.backtest-results.sharpe-ratio",
    title = "Sharpe ratio > 1.0",
    severity = "critical",
    owner = "trading-strategist",
    timeout = "30s",
    tags = ["backtest", "risk-adjusted"]
)]
pub struct SharpeRatio {
    /// The lowest acceptable annualized Sharpe ratio.
    pub min: f64,
    /// Trading periods in a year.
    pub periods_per_year: u32,
    /// The `[inputs]` entry holding the returns.
    pub input: String,
    /// Symbols to leave out.
    pub exclude: Option<Vec<String>>,
}

impl Default for SharpeRatio {
    fn default() -> Self {
        SharpeRatio {
            min: 1.0,
            periods_per_year: 252,
            input: "backtest_returns".to_owned(),
            exclude: None,
        }
    }
}

impl Check for SharpeRatio {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        let evidence = SharpeEvidence {
            sharpe: 1.234,
            observations: 504,
        };
        Ok(Outcome::pass("the Sharpe ratio exceeds the minimum").with_evidence(&evidence))
    }
}

/// Every key of `#[item(...)]` at once.
#[derive(ChecklistItem)]
#[item(
    id = "legal.regulatory.algo-trading-notification",
    title = "Regulator notified of algorithmic trading",
    section = "legal",
    group = "Regulatory Compliance",
    severity = "high",
    owner = "legal-compliance",
    kind = "attested",
    applicability = "if-applicable",
    phase = "post-launch-weeks-2-4",
    timeout = "1m 30s",
    evidence_ttl = "90d",
    tags = ["regulatory"],
    refs = ["MiFID II RTS 6 Art. 15", "SEC Rule 15c3-5"],
    remediation = "File the notification with the competent authority."
)]
pub struct AlgoTradingNotification;

/// An attested item written with the `attested` flag and empty braces.
#[derive(ChecklistItem, Debug)]
#[item(
    id = "ops.on-call.rota-published",
    title = "On-call rota published",
    severity = "low",
    owner = "devops-lead",
    attested
)]
pub struct RotaPublished {}

/// What the Sharpe check observed.
#[derive(Evidence, Serialize)]
#[evidence(summary = "Sharpe {sharpe:.2} over {observations} periods ({{annualized}})")]
pub struct SharpeEvidence {
    /// The annualized Sharpe ratio.
    pub sharpe: f64,
    /// How many returns it was computed from.
    pub observations: usize,
}

/// Generic evidence, with a field the summary leaves out.
#[derive(Evidence, Serialize)]
#[evidence(summary = "{count:>width$} {what}")]
pub struct Counted<T: Display + Serialize> {
    /// What was counted.
    pub what: T,
    /// How many.
    pub count: u64,
    /// Padding of the count.
    pub width: usize,
    /// Not in the summary.
    pub note: String,
}

fn table(text: &str) -> toml::Table {
    toml::from_str(text).unwrap()
}

/// The line that declares `needle` in this file.
fn line_of(needle: &str) -> u32 {
    let index = include_str!("derive_lints.rs")
        .lines()
        .position(|line| line == needle)
        .unwrap();
    u32::try_from(index + 1).unwrap()
}

#[test]
fn automated_item_metadata() {
    let meta = SharpeRatio::meta();
    assert_eq!(meta.id, "strategy.backtest-results.sharpe-ratio");
    assert_eq!(meta.title, "Sharpe ratio > 1.0");
    assert_eq!(meta.section, Section::Strategy);
    assert_eq!(meta.group, "Backtest Results");
    assert_eq!(meta.severity, Severity::Critical);
    assert_eq!(meta.owner, Role::TradingStrategist);
    assert_eq!(meta.kind, Kind::Automated);
    assert_eq!(meta.applicability, Applicability::Always);
    assert_eq!(meta.phase, Phase::PreLaunch);
    assert_eq!(meta.timeout, Some(Duration::from_secs(30)));
    assert_eq!(meta.evidence_ttl, None);
    assert_eq!(meta.tags.as_ref(), ["backtest", "risk-adjusted"]);
    assert!(meta.refs.is_empty());
    assert_eq!(meta.remediation, None);
    assert_eq!(
        meta.description,
        "The backtest's Sharpe ratio exceeds the minimum.\n\nComputed on daily returns, annualized."
    );
    let params: Vec<(&str, &str, &str)> = meta
        .params
        .iter()
        .map(|p| (&*p.name, &*p.ty, &*p.doc))
        .collect();
    assert_eq!(
        params,
        [
            (
                "min",
                "f64",
                "The lowest acceptable annualized Sharpe ratio."
            ),
            ("periods_per_year", "u32", "Trading periods in a year."),
            (
                "input",
                "String",
                "The `[inputs]` entry holding the returns."
            ),
            ("exclude", "Option<Vec<String>>", "Symbols to leave out."),
        ]
    );
    let location = meta.location.as_ref().unwrap();
    assert!(location.file.ends_with("derive_lints.rs"), "{location}");
    assert_eq!(location.line, line_of("pub struct SharpeRatio {"));
    assert_eq!(location.module_path, "derive_lints");
}

#[test]
fn attested_item_metadata() {
    let meta = AlgoTradingNotification::meta();
    assert_eq!(meta.id, "legal.regulatory.algo-trading-notification");
    assert_eq!(meta.section, Section::Legal);
    assert_eq!(meta.group, "Regulatory Compliance");
    assert_eq!(meta.severity, Severity::High);
    assert_eq!(meta.owner, Role::LegalCompliance);
    assert_eq!(meta.kind, Kind::Attested);
    assert_eq!(meta.applicability, Applicability::IfApplicable);
    assert_eq!(meta.phase, Phase::PostLaunchWeeks2To4);
    assert_eq!(meta.timeout, Some(Duration::from_secs(90)));
    assert_eq!(
        meta.evidence_ttl,
        Some(Duration::from_secs(90 * 24 * 60 * 60))
    );
    assert_eq!(meta.tags.as_ref(), ["regulatory"]);
    assert_eq!(
        meta.refs.as_ref(),
        ["MiFID II RTS 6 Art. 15", "SEC Rule 15c3-5"]
    );
    assert_eq!(
        meta.remediation.as_deref(),
        Some("File the notification with the competent authority.")
    );
    assert_eq!(meta.description, "Every key of `#[item(...)]` at once.");
    assert!(meta.params.is_empty());

    let item = AlgoTradingNotification::from_params(&toml::Table::new()).unwrap();
    assert!(item.into_check().is_none());

    let rota = RotaPublished::meta();
    assert_eq!(rota.kind, Kind::Attested);
    assert_eq!(rota.section, Section::Ops);
    assert_eq!(rota.group, "On Call");
    assert!(
        RotaPublished::from_params(&table(""))
            .unwrap()
            .into_check()
            .is_none()
    );
}

#[test]
fn parameters_are_read_over_default() {
    assert_eq!(
        SharpeRatio::from_params(&toml::Table::new()).unwrap(),
        SharpeRatio::default()
    );
    let item = SharpeRatio::from_params(&table("min = 1.5\nexclude = [\"XYZ\"]")).unwrap();
    assert_eq!(
        item,
        SharpeRatio {
            min: 1.5,
            exclude: Some(vec!["XYZ".to_owned()]),
            ..SharpeRatio::default()
        }
    );
    assert!(item.into_check().is_some());
}

#[test]
fn unknown_and_invalid_parameters_are_all_reported() {
    let err: ParamError =
        SharpeRatio::from_params(&table("minimum = 2.0\nperiods_per_year = \"daily\""))
            .unwrap_err();
    assert_eq!(err.id, "strategy.backtest-results.sharpe-ratio");
    assert_eq!(err.problems.len(), 2, "{err}");
    assert!(matches!(
        &err.problems[0],
        ParamProblem::InvalidValue { key, .. } if key == "periods_per_year"
    ));
    assert_eq!(
        err.problems[1],
        ParamProblem::UnknownKey {
            key: "minimum".to_owned(),
            expected: ["min", "periods_per_year", "input", "exclude"]
                .map(str::to_owned)
                .to_vec(),
        }
    );
    let text = err.to_string();
    assert!(text.contains("unknown key `minimum`"), "{text}");
    assert!(
        text.contains("(expected `min`, `periods_per_year`, `input`, `exclude`)"),
        "{text}"
    );

    let err = RotaPublished::from_params(&table("min = 1")).unwrap_err();
    assert!(
        err.to_string().contains("the item has no parameters"),
        "{err}"
    );
}

#[test]
fn evidence_summary() {
    let evidence = SharpeEvidence {
        sharpe: 1.234,
        observations: 504,
    };
    assert_eq!(
        evidence.summary(),
        "Sharpe 1.23 over 504 periods ({annualized})"
    );

    let counted = Counted {
        what: "orders",
        count: 42,
        width: 5,
        note: String::new(),
    };
    assert_eq!(counted.summary(), "   42 orders");
    assert!(counted.note.is_empty());
}

#[test]
fn derived_items_register_themselves() {
    let registry = preflight_core::Registry::builder()
        .inventory()
        .build()
        .unwrap();
    let ids: Vec<&str> = registry.entries().iter().map(|e| &*e.meta().id).collect();
    assert_eq!(
        ids,
        [
            "legal.regulatory.algo-trading-notification",
            "ops.on-call.rota-published",
            "strategy.backtest-results.sharpe-ratio",
        ]
    );
}
