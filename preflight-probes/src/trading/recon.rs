//! End-of-day reconciliation: the service's own positions against the
//! broker's statement.
//!
//! `[inputs.internal_positions]` and `[inputs.broker_statement]` are CSV
//! files with the columns `date`, `symbol`, `quantity` and `avg_price`, one
//! row per symbol and day; or JSON lines with those keys, one object per
//! symbol and day (by the extension `.jsonl`/`.ndjson`, or `format = "jsonl"`). The latest day of each is compared: quantities
//! exactly, average prices within a relative tolerance.

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday};
use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use serde::Serialize;

use crate::table::Table;

/// One side's positions on its latest day.
#[derive(Debug)]
pub struct PositionStatement {
    /// The latest day in the file.
    pub date: Date,
    /// Quantity and average price per symbol on that day.
    pub positions: BTreeMap<String, (f64, f64)>,
    /// The file read.
    pub artifact: Artifact,
}

impl Input for PositionStatement {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        Self::from_table(Table::read(source)?)
    }
}

impl PositionStatement {
    /// The latest day of a statement already read (the fuzz targets read it from memory).
    pub(crate) fn from_table(table: Table) -> Result<Self, CheckError> {
        let (date, symbol, quantity, price) = (
            table.column("date")?,
            table.column("symbol")?,
            table.column("quantity")?,
            table.column("avg_price")?,
        );
        let mut latest: Option<Date> = None;
        let mut positions = BTreeMap::new();
        for (line, record) in &table.rows {
            let day = table.date(*line, record, date)?;
            if latest.is_some_and(|l| day < l) {
                continue;
            }
            if latest.is_none_or(|l| day > l) {
                latest = Some(day);
                positions.clear();
            }
            let name = record.get(symbol).unwrap_or("").to_owned();
            let row = (
                table.number(*line, record, quantity)?,
                table.number(*line, record, price)?,
            );
            if positions.insert(name.clone(), row).is_some() {
                return Err(CheckError::Malformed {
                    location: format!("{}:{line}:{}", table.shown, symbol + 1),
                    message: format!("symbol `{name}` appears twice on {day}"),
                });
            }
        }
        let date = latest.ok_or_else(|| CheckError::Malformed {
            location: format!("{}:2", table.shown),
            message: "no rows: the statement is empty".to_owned(),
        })?;
        Ok(PositionStatement {
            date,
            positions,
            artifact: table.artifact,
        })
    }
}

/// One difference between the two sides.
#[derive(Debug, Clone, Serialize)]
struct Difference {
    symbol: String,
    internal: Option<(f64, f64)>,
    broker: Option<(f64, f64)>,
    problem: String,
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{symbols} symbols on {date}: {break_count} breaks")]
struct ReconEvidence {
    date: Date,
    broker_date: Date,
    symbols: usize,
    break_count: usize,
    breaks: Vec<Difference>,
    /// Business days from the statement to today (for the end-of-day item).
    age_business_days: Option<i64>,
}

fn compare(
    internal: &PositionStatement,
    broker: &PositionStatement,
    tolerance: f64,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let symbols: std::collections::BTreeSet<&String> = internal
        .positions
        .keys()
        .chain(broker.positions.keys())
        .collect();
    for symbol in symbols {
        let (a, b) = (
            internal.positions.get(symbol).copied(),
            broker.positions.get(symbol).copied(),
        );
        // A flat position may be listed or left out by either side.
        let flat = |p: Option<(f64, f64)>| p.is_none_or(|(q, _)| q == 0.0);
        let problem = match (a, b) {
            _ if flat(a) && flat(b) => None,
            (Some((qa, _)), Some((qb, _))) if (qa - qb).abs() > 0.0 => {
                Some(format!("quantity {qa} here, {qb} at the broker"))
            }
            (Some((_, pa)), Some((_, pb))) if (pa - pb).abs() > tolerance * pb.abs().max(1e-12) => {
                Some(format!("average price {pa} here, {pb} at the broker"))
            }
            (None, Some((q, _))) => Some(format!("the broker holds {q}, we hold nothing")),
            (Some((q, _)), None) => Some(format!("we hold {q}, the broker holds nothing")),
            (Some(_), Some(_)) | (None, None) => None,
        };
        if let Some(problem) = problem {
            out.push(Difference {
                symbol: symbol.clone(),
                internal: a,
                broker: b,
                problem,
            });
        }
    }
    out
}

/// Business days after `from` up to and including `to` (Saturdays and Sundays not counted).
fn business_days(from: Date, to: Date) -> i64 {
    let mut days = 0;
    let mut day = from;
    while day < to {
        day = day.tomorrow().unwrap_or(to);
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            days += 1;
        }
    }
    days
}

fn reconcile(cx: &Context, tolerance: f64, max_age: Option<i64>) -> Result<Outcome, CheckError> {
    let internal = cx.input::<PositionStatement>("internal_positions")?;
    let broker = cx.input::<PositionStatement>("broker_statement")?;
    let breaks = compare(&internal, &broker, tolerance);
    let today = cx.now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let age = max_age.map(|_| business_days(internal.date.min(broker.date), today));
    let evidence = ReconEvidence {
        date: internal.date,
        broker_date: broker.date,
        symbols: internal.positions.len().max(broker.positions.len()),
        break_count: breaks.len(),
        breaks: breaks.clone(),
        age_business_days: age,
    };
    let mut problems = Vec::new();
    if internal.date != broker.date {
        problems.push(format!(
            "our latest positions are of {} but the broker's statement is of {}: reconcile the same day",
            internal.date, broker.date
        ));
    }
    if let (Some(age), Some(max)) = (age, max_age)
        && age > max
    {
        problems.push(format!(
            "the latest reconciliation is of {}, {age} business days ago (at most {max})",
            internal.date.min(broker.date)
        ));
    }
    if !breaks.is_empty() {
        let list: Vec<String> = breaks
            .iter()
            .map(|b| format!("{}: {}", b.symbol, b.problem))
            .collect();
        problems.push(format!("{} breaks: {}", breaks.len(), list.join("; ")));
    }
    let outcome = if problems.is_empty() {
        Outcome::pass(format!(
            "our positions equal the broker's statement of {} ({} symbols)",
            internal.date, evidence.symbols
        ))
    } else {
        Outcome::fail(problems.join("; "))
    };
    Ok(outcome
        .with_evidence(&evidence)
        .with_artifact(internal.artifact.clone())
        .with_artifact(broker.artifact.clone()))
}

/// The end-of-day reconciliation ran for the latest business day and found
/// no break: our positions equal the broker's statement.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "trading.logic.end-of-day-reconciliation",
    title = "End-of-day reconciliation automated",
    group = "Trading Logic",
    severity = "critical",
    owner = "risk-manager",
    inputs = ["internal_positions", "broker_statement"],
    remediation = "run the reconciliation after every close and resolve every break with the broker before the next open"
)]
pub struct EndOfDayReconciliation {
    /// Relative tolerance of average prices.
    pub price_tolerance: f64,
    /// Business days the latest reconciliation may be old.
    pub max_age_business_days: i64,
}

impl Default for EndOfDayReconciliation {
    fn default() -> Self {
        EndOfDayReconciliation {
            price_tolerance: 1e-4,
            max_age_business_days: 1,
        }
    }
}

impl Check for EndOfDayReconciliation {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        reconcile(cx, self.price_tolerance, Some(self.max_age_business_days))
    }
}

/// Our position tracking agrees with the broker: the same quantities, and
/// average prices within the tolerance, on the same day.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "trading.broker.position-tracking",
    title = "Position tracking verified",
    group = "Broker Integration",
    severity = "critical",
    owner = "tech-lead",
    inputs = ["internal_positions", "broker_statement"]
)]
pub struct PositionTracking {
    /// Relative tolerance of average prices.
    pub price_tolerance: f64,
}

impl Default for PositionTracking {
    fn default() -> Self {
        PositionTracking {
            price_tolerance: 1e-4,
        }
    }
}

impl Check for PositionTracking {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        reconcile(cx, self.price_tolerance, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_days_skip_weekends() {
        let friday = jiff::civil::date(2025, 1, 24);
        assert_eq!(business_days(friday, jiff::civil::date(2025, 1, 27)), 1);
        assert_eq!(business_days(friday, friday), 0);
        assert_eq!(business_days(friday, jiff::civil::date(2025, 1, 29)), 3);
    }
}
