//! "Forward testing (paper trading) completed for minimum 30 days", judged on
//! `[inputs.paper_trading]`.

use jiff::civil::Date;
use preflight_core::{Check, CheckError, ChecklistItem, Context, Evidence, Outcome};
use serde::Serialize;

use super::series::PaperTrading as PaperTradingLog;

/// The paper-trading record spans at least the minimum number of calendar
/// days, counted from its first entry to its last.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "code.testing.paper-trading",
    title = "Forward testing (paper trading) completed for minimum 30 days",
    group = "Testing",
    severity = "critical",
    owner = "trading-strategist",
    inputs = ["paper_trading"],
    remediation = "keep paper trading until the record covers the minimum period"
)]
pub struct PaperTrading {
    /// The shortest acceptable record, in calendar days.
    pub min_days: i64,
}

impl Default for PaperTrading {
    fn default() -> Self {
        PaperTrading { min_days: 30 }
    }
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{days} days of paper trading from {start} to {end} ({entries} entries)")]
struct PaperEvidence {
    days: i64,
    start: Date,
    end: Date,
    entries: usize,
    min_days: i64,
    /// Return of the paper account over the record, when it reports equity.
    total_return: Option<f64>,
}

impl Check for PaperTrading {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let log = cx.input::<PaperTradingLog>("paper_trading")?;
        let days = log.span_days();
        let total_return = log
            .equity
            .as_ref()
            .and_then(|e| match (e.first(), e.last()) {
                (Some(first), Some(last)) if *first > 0.0 => Some(last / first - 1.0),
                _ => None,
            });
        let evidence = PaperEvidence {
            days,
            start: log.first_date(),
            end: log.last_date(),
            entries: log.len(),
            min_days: self.min_days,
            total_return,
        };
        let outcome = if days < self.min_days {
            Outcome::fail(format!(
                "paper trading covers {days} days ({} to {}), less than the minimum {}",
                evidence.start, evidence.end, self.min_days
            ))
        } else {
            Outcome::pass(format!(
                "paper trading covers {days} days ({} to {})",
                evidence.start, evidence.end
            ))
        };
        let mut outcome = outcome.with_evidence(&evidence);
        for artifact in log.artifacts() {
            outcome = outcome.with_artifact(artifact);
        }
        Ok(outcome)
    }
}
