//! End-of-day reconciliation: the service's own positions against the
//! broker's statement.
//!
//! `[inputs.internal_positions]` and `[inputs.broker_statement]` are CSV
//! files with the columns `date`, `symbol`, `quantity` and `avg_price`, one
//! row per symbol and day; or JSON lines with those keys, one object per
//! symbol and day (by the extension `.jsonl`/`.ndjson`, or `format = "jsonl"`).
//! The latest day of each is compared: quantities exactly, average prices
//! within a relative tolerance.
//!
//! ```toml
//! [inputs.internal_positions]
//! path = "positions/eod.csv"
//! [inputs.broker_statement]
//! path = "broker/statement.jsonl"
//!
//! [checks."trading.logic.end-of-day-reconciliation"]
//! price_tolerance = 1e-4      # relative tolerance of average prices (default 1e-4)
//! max_age_business_days = 1  # how old the latest reconciliation may be (default 1)
//! calendar = "XNYS"           # count that age in this exchange's sessions (default: weekdays)
//!
//! [checks."trading.broker.position-tracking"]
//! price_tolerance = 1e-4
//! ```
//!
//! # The age of the latest reconciliation
//!
//! The end-of-day item also judges how old the latest reconciliation is: the
//! earlier of the two sides' latest days, the *reconciliation date*. Its age
//! is the number of trading days after the reconciliation date up to and
//! including *today*:
//!
//! - without `calendar`, trading days are weekdays (Saturdays and Sundays are
//!   not counted, holidays are) and today is the run's date in UTC;
//! - with `calendar` (`"XNYS"`, `"XNAS"`, `"XLON"`, see
//!   [`calendar`](super::calendar)), trading days are that exchange's
//!   sessions (early closes included, holidays and closures not) and today is
//!   the run's date in the exchange's time zone.
//!
//! So a reconciliation of the latest session before today is age 1 on the
//! next session (whatever the time of day, before or after its close), and
//! age 0 on the days between, which are not sessions. With the default
//! `max_age_business_days = 1`, the reconciliation of Wednesday 2026-11-25
//! passes on Friday 2026-11-27 with `calendar = "XNYS"` (Thanksgiving is not
//! a session: age 1) and fails without it (Thursday and Friday are weekdays:
//! age 2). An unknown code, or a reconciliation date or today outside the
//! calendar's range (1990 to 2035), makes the item `error`: the age is not
//! guessed.
//!
//! The evidence keeps `age_business_days`, the weekday count as before, on
//! every run of the end-of-day item; adds `age_sessions`, the session count,
//! when `calendar` is set; and names the count judged in `age_counted_in`
//! (`"weekdays"` or `"XNYS sessions"`). The position-tracking item judges no
//! age and leaves the three empty.

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday};
use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use serde::Serialize;

use super::calendar::Calendar;
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
    /// Weekdays from the statement to today (for the end-of-day item).
    age_business_days: Option<i64>,
    /// Sessions of the calendar from the statement to today, when `calendar` is set.
    age_sessions: Option<i64>,
    /// The count judged: `weekdays`, or `XNYS sessions`.
    age_counted_in: Option<String>,
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

/// The section of the end-of-day item's parameters, for messages.
const EOD_CHECKS: &str = "[checks.\"trading.logic.end-of-day-reconciliation\"]";

/// Sessions of `calendar` after `from` up to and including `to`; an error
/// when either date is outside the calendar's range.
fn sessions_between(calendar: &Calendar, from: Date, to: Date) -> Result<i64, CheckError> {
    let outside = |e| {
        CheckError::msg(format!(
            "the age of the reconciliation of {from} cannot be counted in {} sessions on {to}: {e}; \
             remove `calendar` from {EOD_CHECKS} to count weekdays instead",
            calendar.code()
        ))
    };
    calendar.is_session(from).map_err(outside)?;
    calendar.is_session(to).map_err(outside)?;
    if from >= to {
        return Ok(0);
    }
    let first = from
        .tomorrow()
        .map_err(|e| CheckError::msg(e.to_string()))?;
    let count = calendar.sessions(first, to).map_err(outside)?.count();
    Ok(i64::try_from(count).unwrap_or(i64::MAX))
}

/// How old the latest reconciliation is, counted as configured.
struct Age {
    weekdays: i64,
    sessions: Option<(i64, &'static Calendar)>,
}

impl Age {
    /// The count judged against the maximum.
    fn judged(&self) -> i64 {
        self.sessions.map_or(self.weekdays, |(n, _)| n)
    }

    /// What the judged count counts: `weekdays` or `XNYS sessions`.
    fn unit(&self) -> String {
        self.sessions.map_or_else(
            || "weekdays".to_owned(),
            |(_, calendar)| format!("{} sessions", calendar.code()),
        )
    }
}

/// The calendar named by the end-of-day item's `calendar`, if any.
fn calendar_of(code: Option<&str>) -> Result<Option<&'static Calendar>, CheckError> {
    code.map(|code| {
        Calendar::by_code(code).map_err(|e| {
            CheckError::msg(format!(
                "{EOD_CHECKS}: `calendar`: {e}; set `calendar` to one of them, or remove it to count the age in weekdays"
            ))
        })
    })
    .transpose()
}

/// What the end-of-day item asks of the age: the maximum and how it is counted.
#[derive(Clone, Copy)]
struct AgeRule {
    max: i64,
    calendar: Option<&'static Calendar>,
}

fn reconcile(
    cx: &Context,
    tolerance: f64,
    age_rule: Option<AgeRule>,
) -> Result<Outcome, CheckError> {
    let internal = cx.input::<PositionStatement>("internal_positions")?;
    let broker = cx.input::<PositionStatement>("broker_statement")?;
    let breaks = compare(&internal, &broker, tolerance);
    let reconciled = internal.date.min(broker.date);
    let now = cx.now();
    let age = age_rule
        .map(|rule| -> Result<Age, CheckError> {
            let today = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
            let sessions = rule
                .calendar
                .map(|calendar| {
                    let local = now.to_zoned_datetime(calendar.time_zone().clone()).date();
                    sessions_between(calendar, reconciled, local).map(|n| (n, calendar))
                })
                .transpose()?;
            Ok(Age {
                weekdays: business_days(reconciled, today),
                sessions,
            })
        })
        .transpose()?;
    let evidence = ReconEvidence {
        date: internal.date,
        broker_date: broker.date,
        symbols: internal.positions.len().max(broker.positions.len()),
        break_count: breaks.len(),
        breaks: breaks.clone(),
        age_business_days: age.as_ref().map(|a| a.weekdays),
        age_sessions: age.as_ref().and_then(|a| a.sessions.map(|(n, _)| n)),
        age_counted_in: age.as_ref().map(Age::unit),
    };
    let mut problems = Vec::new();
    if internal.date != broker.date {
        problems.push(format!(
            "our latest positions are of {} but the broker's statement is of {}: reconcile the same day",
            internal.date, broker.date
        ));
    }
    if let (Some(age), Some(rule)) = (&age, age_rule)
        && age.judged() > rule.max
    {
        let max = rule.max;
        problems.push(match age.sessions {
            Some((n, calendar)) => format!(
                "the latest reconciliation is of {reconciled}, {n} {} sessions ago (at most {max})",
                calendar.code()
            ),
            None => format!(
                "the latest reconciliation is of {reconciled}, {} business days ago (weekdays, at most {max}; \
                 set `calendar` in {EOD_CHECKS} to count an exchange's sessions and skip its holidays)",
                age.weekdays
            ),
        });
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

/// The end-of-day reconciliation ran for the latest trading day (weekday,
/// or session of `calendar`) and found no break: our positions equal the broker's statement.
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
    /// Trading days the latest reconciliation may be old: weekdays, or the
    /// sessions of `calendar` when it is set (see the module docs).
    pub max_age_business_days: i64,
    /// The exchange whose sessions count the age (`"XNYS"`, `"XNAS"`,
    /// `"XLON"`); `None` counts weekdays.
    pub calendar: Option<String>,
}

impl Default for EndOfDayReconciliation {
    fn default() -> Self {
        EndOfDayReconciliation {
            price_tolerance: 1e-4,
            max_age_business_days: 1,
            calendar: None,
        }
    }
}

impl Check for EndOfDayReconciliation {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let rule = AgeRule {
            max: self.max_age_business_days,
            calendar: calendar_of(self.calendar.as_deref())?,
        };
        reconcile(cx, self.price_tolerance, Some(rule))
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

    use jiff::civil::date;

    fn nyse() -> &'static Calendar {
        Calendar::by_code("XNYS").unwrap()
    }

    #[test]
    fn business_days_skip_weekends() {
        let friday = date(2025, 1, 24);
        assert_eq!(business_days(friday, date(2025, 1, 27)), 1);
        assert_eq!(business_days(friday, friday), 0);
        assert_eq!(business_days(friday, date(2025, 1, 29)), 3);
    }

    /// Thursday 2026-11-26 is Thanksgiving: Wednesday's reconciliation is one
    /// session old on Friday, two weekdays old.
    #[test]
    fn sessions_skip_thanksgiving() {
        let wednesday = date(2026, 11, 25);
        let friday = date(2026, 11, 27);
        assert_eq!(sessions_between(nyse(), wednesday, friday).unwrap(), 1);
        assert_eq!(business_days(wednesday, friday), 2);
        // On Thanksgiving itself Wednesday's reconciliation is current.
        assert_eq!(
            sessions_between(nyse(), wednesday, date(2026, 11, 26)).unwrap(),
            0
        );
        // Tuesday's is two sessions old on Friday.
        assert_eq!(
            sessions_between(nyse(), date(2026, 11, 24), friday).unwrap(),
            2
        );
    }

    /// Good Friday 2026-04-03 closes the NYSE; London also closes on Easter Monday.
    #[test]
    fn sessions_skip_good_friday() {
        let thursday = date(2026, 4, 2);
        let monday = date(2026, 4, 6);
        assert_eq!(sessions_between(nyse(), thursday, monday).unwrap(), 1);
        assert_eq!(business_days(thursday, monday), 2);
        assert_eq!(
            sessions_between(nyse(), thursday, date(2026, 4, 3)).unwrap(),
            0
        );
        let london = Calendar::by_code("XLON").unwrap();
        assert_eq!(sessions_between(london, thursday, monday).unwrap(), 0);
        assert_eq!(
            sessions_between(london, thursday, date(2026, 4, 7)).unwrap(),
            1
        );
    }

    /// Juneteenth 2026-06-19 is a Friday holiday: a long weekend.
    #[test]
    fn sessions_skip_juneteenth() {
        let thursday = date(2026, 6, 18);
        let monday = date(2026, 6, 22);
        assert_eq!(sessions_between(nyse(), thursday, monday).unwrap(), 1);
        assert_eq!(business_days(thursday, monday), 2);
        assert_eq!(
            sessions_between(nyse(), thursday, date(2026, 6, 23)).unwrap(),
            2
        );
    }

    /// Christmas on a Friday (2026) and on a Thursday (2025); Christmas Eve
    /// is an early close, a session all the same.
    #[test]
    fn sessions_skip_christmas() {
        let eve = date(2026, 12, 24);
        assert_eq!(
            sessions_between(nyse(), date(2026, 12, 23), eve).unwrap(),
            1
        );
        assert_eq!(
            sessions_between(nyse(), eve, date(2026, 12, 28)).unwrap(),
            1
        );
        assert_eq!(business_days(eve, date(2026, 12, 28)), 2);
        assert_eq!(
            sessions_between(nyse(), date(2025, 12, 24), date(2025, 12, 26)).unwrap(),
            1
        );
        assert_eq!(business_days(date(2025, 12, 24), date(2025, 12, 26)), 2);
    }

    #[test]
    fn dates_outside_the_calendar_and_unknown_codes_are_errors() {
        let err = sessions_between(nyse(), date(2035, 12, 28), date(2036, 1, 2)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("2036-01-02") && text.contains("remove `calendar`"),
            "{text}"
        );
        assert!(sessions_between(nyse(), date(1989, 12, 29), date(1990, 1, 3)).is_err());
        let err = calendar_of(Some("XTKS")).unwrap_err().to_string();
        assert!(
            err.contains("`XTKS`") && err.contains("`XNYS`") && err.contains("set `calendar`"),
            "{err}"
        );
        assert_eq!(calendar_of(Some("xnys")).unwrap().unwrap().code(), "XNYS");
        assert!(calendar_of(None).unwrap().is_none());
    }
}
