//! The risk lines judged on what the strategy held: the backtest's position
//! history against the limits, and the current positions' correlations.
//!
//! `[inputs.position_history]`: a CSV with columns `date`, `symbol`,
//! `position` (signed quantity held at the end of the date) and `price`, and
//! optionally `order_quantity` (the largest order sent that date).
//!
//! `[inputs.positions]`: a CSV with columns `symbol` and `position`, the book
//! now. `[inputs.instrument_returns]`: a CSV with a `date` column and one
//! column of periodic returns per symbol.

use std::collections::BTreeMap;

use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use serde::Serialize;

use super::limits::RiskLimits;
use crate::table::Table;

/// One row of the position history.
#[derive(Debug, Clone)]
struct Holding {
    date: jiff::civil::Date,
    symbol: String,
    position: f64,
    price: f64,
    order_quantity: Option<f64>,
}

/// `[inputs.position_history]`: what the backtest held, date by date.
#[derive(Debug)]
pub struct PositionHistory {
    holdings: Vec<Holding>,
    artifact: Artifact,
}

impl Input for PositionHistory {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let table = Table::read(source)?;
        let (date, symbol, position, price) = (
            table.column("date")?,
            table.column("symbol")?,
            table.column("position")?,
            table.column("price")?,
        );
        let order = table.header.iter().position(|h| h == "order_quantity");
        let mut holdings = Vec::with_capacity(table.rows.len());
        let mut previous = None;
        for (line, record) in &table.rows {
            let day = table.date(*line, record, date)?;
            if previous.is_some_and(|p| day < p) {
                return Err(CheckError::Malformed {
                    location: format!("{}:{line}:{}", table.shown, date + 1),
                    message: format!(
                        "date {day} comes before the previous row's: dates must not decrease"
                    ),
                });
            }
            previous = Some(day);
            holdings.push(Holding {
                date: day,
                symbol: record.get(symbol).unwrap_or("").to_owned(),
                position: table.number(*line, record, position)?,
                price: table.number(*line, record, price)?,
                order_quantity: order.map(|c| table.number(*line, record, c)).transpose()?,
            });
        }
        if holdings.is_empty() {
            return Err(CheckError::Malformed {
                location: format!("{}:2", table.shown),
                message: "no rows: the position history is empty".to_owned(),
            });
        }
        Ok(PositionHistory {
            holdings,
            artifact: table.artifact,
        })
    }
}

/// One limit the backtest broke.
#[derive(Debug, Clone, Serialize)]
struct Breach {
    date: jiff::civil::Date,
    symbol: Option<String>,
    limit: String,
    value: f64,
    allowed: f64,
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{breach_count} breaches over {rows} rows and {days} days")]
struct BreachEvidence {
    breach_count: usize,
    rows: usize,
    days: usize,
    /// The first 50 breaches, in date order.
    breaches: Vec<Breach>,
}

/// The limits the backtest's history is judged against, all optional.
fn breaches(history: &PositionHistory, limits: &RiskLimits) -> (Vec<Breach>, usize) {
    let g = &limits.global;
    let mut out = Vec::new();
    let mut day_start = 0;
    let mut days = 0;
    let rows = &history.holdings;
    while day_start < rows.len() {
        let date = rows[day_start].date;
        let end = day_start
            + rows[day_start..]
                .iter()
                .take_while(|h| h.date == date)
                .count();
        days += 1;
        let (mut gross, mut net) = (0.0, 0.0);
        for h in &rows[day_start..end] {
            let notional = h.position * h.price;
            gross += notional.abs();
            net += notional;
            let instrument = limits.instrument.get(&h.symbol);
            let mut check = |limit: String, value: f64, allowed: Option<f64>| {
                if let Some(allowed) = allowed.filter(|a| value > *a) {
                    out.push(Breach {
                        date,
                        symbol: Some(h.symbol.clone()),
                        limit,
                        value,
                        allowed,
                    });
                }
            };
            let (position_key, position_limit) = match instrument.and_then(|i| i.max_position) {
                Some(limit) => (format!("instrument.{}.max_position", h.symbol), Some(limit)),
                None => ("global.max_position".to_owned(), g.max_position),
            };
            check(position_key, h.position.abs(), position_limit);
            check(
                "global.max_position_notional".to_owned(),
                notional.abs(),
                g.max_position_notional,
            );
            if let Some(order) = h.order_quantity {
                let (key, limit) = match instrument.and_then(|i| i.max_order_quantity) {
                    Some(limit) => (
                        format!("instrument.{}.max_order_quantity", h.symbol),
                        Some(limit),
                    ),
                    None => ("global.max_order_quantity".to_owned(), g.max_order_quantity),
                };
                check(key, order.abs(), limit);
            }
            if h.position != 0.0 && limits.restricted.contains(&h.symbol) {
                out.push(Breach {
                    date,
                    symbol: Some(h.symbol.clone()),
                    limit: "restricted".to_owned(),
                    value: h.position,
                    allowed: 0.0,
                });
            }
        }
        let mut day = |limit: &str, value: f64, allowed: Option<f64>| {
            if let Some(allowed) = allowed.filter(|a| value > *a) {
                out.push(Breach {
                    date,
                    symbol: None,
                    limit: limit.to_owned(),
                    value,
                    allowed,
                });
            }
        };
        day("global.max_gross_exposure", gross, g.max_gross_exposure);
        day("global.max_net_exposure", net.abs(), g.max_net_exposure);
        if let Some(capital) = limits.capital.filter(|c| *c > 0.0) {
            day("global.max_leverage", gross / capital, g.max_leverage);
        }
        day_start = end;
    }
    (out, days)
}

/// The backtest never held or traded beyond a configured limit: position and
/// order sizes (per instrument where overridden), position notional, gross
/// and net exposure, leverage, and restricted instruments, date by date.
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "strategy.risk.validated-in-backtest",
    title = "Risk limits validated in backtesting",
    group = "Risk Management",
    severity = "high",
    owner = "risk-manager",
    inputs = ["risk_limits", "position_history"],
    remediation = "make the backtest enforce the production limits, or change the limits, until its history never breaches them"
)]
pub struct ValidatedInBacktest;

impl Check for ValidatedInBacktest {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let limits = cx.input::<RiskLimits>("risk_limits")?;
        let history = cx.input::<PositionHistory>("position_history")?;
        let (all, days) = breaches(&history, &limits);
        let evidence = BreachEvidence {
            breach_count: all.len(),
            rows: history.holdings.len(),
            days,
            breaches: all.iter().take(50).cloned().collect(),
        };
        let outcome = match all.first() {
            None => Outcome::pass(format!(
                "{days} days of backtest positions stay within every configured limit"
            )),
            Some(first) => Outcome::fail(format!(
                "the backtest breaches its limits {} times; first on {}: {}{} {} above {}",
                all.len(),
                first.date,
                first.limit,
                first
                    .symbol
                    .as_ref()
                    .map_or_else(String::new, |s| format!(" ({s})")),
                first.value,
                first.allowed
            )),
        };
        let mut outcome = outcome.with_evidence(&evidence);
        for artifact in limits.artifact.iter().chain([&history.artifact]) {
            outcome = outcome.with_artifact(artifact.clone());
        }
        Ok(outcome)
    }
}

/// `[inputs.positions]`: the book now, symbol by symbol.
#[derive(Debug)]
pub struct Positions {
    positions: BTreeMap<String, f64>,
    artifact: Artifact,
}

impl Input for Positions {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let table = Table::read(source)?;
        let (symbol, position) = (table.column("symbol")?, table.column("position")?);
        let mut positions = BTreeMap::new();
        for (line, record) in &table.rows {
            let name = record.get(symbol).unwrap_or("").to_owned();
            let value = table.number(*line, record, position)?;
            if positions.insert(name.clone(), value).is_some() {
                return Err(CheckError::Malformed {
                    location: format!("{}:{line}:{}", table.shown, symbol + 1),
                    message: format!("symbol `{name}` is listed twice"),
                });
            }
        }
        Ok(Positions {
            positions,
            artifact: table.artifact,
        })
    }
}

/// `[inputs.instrument_returns]`: periodic returns, one column per symbol.
#[derive(Debug)]
pub struct InstrumentReturns {
    columns: BTreeMap<String, Vec<f64>>,
    artifact: Artifact,
}

impl Input for InstrumentReturns {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let table = Table::read(source)?;
        let date = table.column("date")?;
        let mut columns: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for (line, record) in &table.rows {
            table.date(*line, record, date)?;
            for (col, name) in table.header.iter().enumerate().filter(|(c, _)| *c != date) {
                let value = table.number(*line, record, col)?;
                columns.entry(name.clone()).or_default().push(value);
            }
        }
        if table.rows.len() < 3 {
            return Err(CheckError::Malformed {
                location: table.shown.clone(),
                message: format!("{} rows: correlations need at least 3", table.rows.len()),
            });
        }
        Ok(InstrumentReturns {
            columns,
            artifact: table.artifact,
        })
    }
}

/// Pearson correlation of two equally long series (`None` when one is constant).
fn correlation(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.is_empty() || a.len() != b.len() {
        return None;
    }
    #[allow(clippy::cast_precision_loss)] // lengths of return series
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

/// One pair of held instruments.
#[derive(Debug, Clone, Serialize)]
struct Pair {
    a: String,
    b: String,
    correlation: f64,
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{pairs_over} of {pair_count} held pairs above the correlation limit {limit}")]
struct CorrelationEvidence {
    limit: f64,
    held: Vec<String>,
    pair_count: usize,
    pairs_over: usize,
    pairs: Vec<Pair>,
}

/// A correlation limit between positions is defined, and the positions held
/// now respect it: every pair of held instruments' returns correlate at most
/// `global.max_pairwise_correlation`.
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "strategy.risk.correlation-limits",
    title = "Correlation limits between positions defined",
    group = "Risk Management",
    severity = "high",
    owner = "risk-manager",
    inputs = ["risk_limits", "positions", "instrument_returns"],
    remediation = "set `global.max_pairwise_correlation` in risk.toml and reduce one side of every pair above it"
)]
pub struct CorrelationLimits;

impl Check for CorrelationLimits {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let limits = cx.input::<RiskLimits>("risk_limits")?;
        let Some(limit) = limits.global.max_pairwise_correlation else {
            return Ok(Outcome::fail(
                "no correlation limit: set `global.max_pairwise_correlation` in risk.toml",
            ));
        };
        let positions = cx.input::<Positions>("positions")?;
        let returns = cx.input::<InstrumentReturns>("instrument_returns")?;
        let held: Vec<&String> = positions
            .positions
            .iter()
            .filter(|(_, q)| **q != 0.0)
            .map(|(s, _)| s)
            .collect();
        let missing: Vec<&str> = held
            .iter()
            .filter(|s| !returns.columns.contains_key(s.as_str()))
            .map(|s| s.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(CheckError::msg(format!(
                "no returns for held instruments {missing:?} in [inputs.instrument_returns]: add a column for each"
            )));
        }
        let mut pairs = Vec::new();
        for (i, a) in held.iter().enumerate() {
            for b in &held[i + 1..] {
                let c = correlation(&returns.columns[a.as_str()], &returns.columns[b.as_str()])
                    .unwrap_or(0.0);
                pairs.push(Pair {
                    a: (*a).clone(),
                    b: (*b).clone(),
                    correlation: c,
                });
            }
        }
        let over: Vec<&Pair> = pairs.iter().filter(|p| p.correlation > limit).collect();
        let evidence = CorrelationEvidence {
            limit,
            held: held.iter().map(|s| (*s).clone()).collect(),
            pair_count: pairs.len(),
            pairs_over: over.len(),
            pairs: pairs.clone(),
        };
        let outcome = if over.is_empty() {
            Outcome::pass(format!(
                "the {} held pairs correlate at most {limit}",
                pairs.len()
            ))
        } else {
            let list: Vec<String> = over
                .iter()
                .map(|p| format!("{}/{} {:.2}", p.a, p.b, p.correlation))
                .collect();
            Outcome::fail(format!(
                "held pairs above the correlation limit {limit}: {}",
                list.join(", ")
            ))
        };
        let mut outcome = outcome.with_evidence(&evidence);
        for artifact in limits
            .artifact
            .iter()
            .chain([&positions.artifact, &returns.artifact])
        {
            outcome = outcome.with_artifact(artifact.clone());
        }
        Ok(outcome)
    }
}
