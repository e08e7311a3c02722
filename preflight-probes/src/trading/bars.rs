//! OHLCV bars, checked in one streaming pass: the data-quality rules of
//! `data.sources.quality-checks` and `data.pipeline.validation-rules`.
//!
//! ```toml
//! [inputs.bars]
//! path = "data/bars.csv"
//! stale_run = 5          # identical closes in a row that make a stale run (default 5)
//! extreme_return = 0.5   # a bar-to-bar return beyond ±50 % is extreme (default 0.5)
//! ```
//!
//! A CSV file with a header, one bar per row, in time order per symbol:
//!
//! | column | meaning |
//! |--------|---------|
//! | `timestamp` (or `date`) | the bar's start: an RFC 3339 timestamp (`2025-01-27T14:30:00Z`, `2025-01-27T09:30:00-05:00`), or a date `YYYY-MM-DD` for daily bars |
//! | `open`, `high`, `low`, `close` | prices |
//! | `volume` | traded volume |
//! | `symbol` | optional: the instrument; without it every bar is of one instrument |
//!
//! Other columns are ignored. A missing required column, a row with another
//! number of fields than the header or a timestamp that is not RFC 3339 (or
//! a date) makes the file malformed: the items that read it are `error`,
//! located `file:line:column`. Everything else is a finding of a rule,
//! counted, with the first [`RuleFindings::KEEP`] rows kept:
//!
//! | rule | a bar breaks it when |
//! |------|----------------------|
//! | `non_finite` | a price or the volume is empty, not a number, NaN or infinite |
//! | `ohlc_inconsistent` | `high` is below `open`, `close` or `low`, or `low` above `open` or `close` |
//! | `negative_values` | a price is zero or negative, or the volume is negative |
//! | `duplicate_timestamps` | its symbol already has a bar at that time |
//! | `out_of_order` | its time is earlier than its symbol's bar before it |
//! | `stale_closes` | it starts a run of `stale_run` or more identical closes (one finding per run) |
//! | `extreme_returns` | its close is more than `extreme_return` away from the close before it, relatively |
//! | `zero_volume` | its volume is zero |
//!
//! Bars of a duplicate or out-of-order time, or with a value that is not a
//! finite number, are left out of the run and return rules. Memory follows
//! the number of symbols, not the file, which is hashed as it is read.

use std::collections::HashMap;
use std::io::Read;

use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use serde::Serialize;

use super::calendar::Calendar;
use super::coverage::{Coverage, CoverageOptions, CoverageSummary};
use crate::lines::{Clock, Lines, Nanos, ReadSource, Source, malformed, scan_input_chunks};

/// A data-quality rule of the bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rule {
    /// A price or the volume is empty, not a number, NaN or infinite.
    NonFinite,
    /// `high` below `open`, `close` or `low`, or `low` above `open` or `close`.
    OhlcInconsistent,
    /// A price zero or negative, or a negative volume.
    NegativeValues,
    /// A second bar of a symbol at the same time.
    DuplicateTimestamps,
    /// A bar earlier than its symbol's bar before it.
    OutOfOrder,
    /// A run of identical closes at least `stale_run` long.
    StaleCloses,
    /// A bar-to-bar return beyond `extreme_return`.
    ExtremeReturns,
    /// A bar without volume.
    ZeroVolume,
}

impl Rule {
    /// Every rule, in the order reports list them.
    pub const ALL: [Rule; 8] = [
        Rule::NonFinite,
        Rule::OhlcInconsistent,
        Rule::NegativeValues,
        Rule::DuplicateTimestamps,
        Rule::OutOfOrder,
        Rule::StaleCloses,
        Rule::ExtremeReturns,
        Rule::ZeroVolume,
    ];

    /// The rule's name in configuration and evidence (`ohlc_inconsistent`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Rule::NonFinite => "non_finite",
            Rule::OhlcInconsistent => "ohlc_inconsistent",
            Rule::NegativeValues => "negative_values",
            Rule::DuplicateTimestamps => "duplicate_timestamps",
            Rule::OutOfOrder => "out_of_order",
            Rule::StaleCloses => "stale_closes",
            Rule::ExtremeReturns => "extreme_returns",
            Rule::ZeroVolume => "zero_volume",
        }
    }

    /// The rule named `name`.
    #[must_use]
    pub fn by_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Whether a finding makes the data wrong (rather than suspicious):
    /// `data.sources.quality-checks` fails on these and warns on the rest.
    #[must_use]
    pub fn is_defect(self) -> bool {
        matches!(
            self,
            Rule::NonFinite
                | Rule::OhlcInconsistent
                | Rule::NegativeValues
                | Rule::DuplicateTimestamps
                | Rule::OutOfOrder
        )
    }
}

/// One bar that breaks a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Its line in the file (1-based, the header is line 1).
    pub line: u64,
    /// Its symbol (empty without a `symbol` column).
    pub symbol: String,
    /// What is wrong, with the values.
    pub detail: String,
}

/// The findings of one rule: how many, and the first ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleFindings {
    /// The rule.
    pub rule: Rule,
    /// Bars (runs, for `stale_closes`) that break it.
    pub count: u64,
    /// The first [`RuleFindings::KEEP`], in the order found.
    pub first: Vec<Finding>,
}

impl RuleFindings {
    /// Findings kept per rule.
    pub const KEEP: usize = 10;

    fn push(&mut self, line: u64, symbol: &str, detail: impl FnOnce() -> String) {
        self.count += 1;
        if self.first.len() < Self::KEEP {
            self.first.push(Finding {
                line,
                symbol: symbol.to_owned(),
                detail: detail(),
            });
        }
    }
}

/// What a pass over the bars found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BarsSummary {
    /// Bars read.
    pub bars: u64,
    /// Distinct symbols.
    pub symbols: usize,
    /// Whether the bars are daily (a `date` per bar rather than a time).
    pub daily: bool,
    /// The earliest and latest bar times.
    pub first: Option<jiff::Timestamp>,
    /// See `first`.
    pub last: Option<jiff::Timestamp>,
    /// Every rule's findings, in [`Rule::ALL`] order.
    pub rules: Vec<RuleFindings>,
    /// The coverage of the calendar's sessions, when asked for.
    pub coverage: Option<CoverageSummary>,
}

impl BarsSummary {
    /// The findings of `rule`.
    #[must_use]
    pub fn findings(&self, rule: Rule) -> &RuleFindings {
        // Built with every rule, in order.
        &self.rules[Rule::ALL.iter().position(|r| *r == rule).unwrap_or(0)]
    }
}

/// The thresholds of the run and return rules, and the coverage to compute.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct BarsOptions {
    /// Coverage of the calendar's sessions, when set.
    pub coverage: Option<CoverageOptions>,
    /// Identical closes in a row that make a stale run (at least 2).
    pub stale_run: u64,
    /// The relative bar-to-bar change of the close beyond which a return is extreme.
    pub extreme_return: f64,
}

impl BarsOptions {
    /// With the coverage of `coverage`'s calendar computed in the same pass.
    #[must_use]
    pub fn with_coverage(mut self, coverage: CoverageOptions) -> Self {
        self.coverage = Some(coverage);
        self
    }
}

impl Default for BarsOptions {
    fn default() -> Self {
        BarsOptions {
            coverage: None,
            stale_run: 5,
            extreme_return: 0.5,
        }
    }
}

/// One symbol's state during the pass.
struct SymbolState {
    name: String,
    last_time: Option<Nanos>,
    last_close: Option<f64>,
    /// The current run of identical closes: its first line and length.
    run: (u64, u64),
}

/// Symbols looked up by a linear search rather than a hash.
const FEW: usize = 16;

/// The pass's state.
pub(crate) struct Pass {
    options: BarsOptions,
    symbols: Vec<SymbolState>,
    /// Symbols by name, and the last one found.
    index: HashMap<Vec<u8>, usize, foldhash::fast::RandomState>,
    recent: usize,
    rules: Vec<RuleFindings>,
    bars: u64,
    first: Option<Nanos>,
    last: Option<Nanos>,
    coverage: Option<Coverage>,
}

impl Pass {
    pub(crate) fn new(options: BarsOptions) -> Self {
        Pass {
            coverage: options.coverage.map(Coverage::new),
            options,
            symbols: Vec::new(),
            index: HashMap::default(),
            recent: 0,
            rules: Rule::ALL
                .iter()
                .map(|&rule| RuleFindings {
                    rule,
                    count: 0,
                    first: Vec::new(),
                })
                .collect(),
            bars: 0,
            first: None,
            last: None,
        }
    }

    fn finding(&mut self, rule: Rule, line: u64, symbol: usize, detail: impl FnOnce() -> String) {
        let name = &self.symbols[symbol].name;
        self.rules[rule as usize].push(line, name, detail);
    }

    /// The index of the symbol `name`, added when new.
    pub(crate) fn symbol(&mut self, name: &[u8]) -> usize {
        let n = self.symbols.len();
        if n <= FEW {
            // Files of a few symbols hold them in turn, or one after the
            // other: the last one found, then the ones after it.
            for k in 0..n {
                let i = (self.recent + k) % n;
                if self.symbols[i].name.as_bytes() == name {
                    self.recent = i;
                    return i;
                }
            }
        } else if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.symbols.len();
        self.symbols.push(SymbolState {
            name: String::from_utf8_lossy(name).into_owned(),
            last_time: None,
            last_close: None,
            run: (0, 0),
        });
        self.index.insert(name.to_vec(), i);
        i
    }

    /// Ends the run of identical closes of `symbol`, reporting it if long.
    fn end_run(&mut self, symbol: usize) {
        let (start, length) = self.symbols[symbol].run;
        if length >= self.options.stale_run {
            let close = self.symbols[symbol].last_close.unwrap_or(f64::NAN);
            self.finding(Rule::StaleCloses, start, symbol, || {
                format!("close {close} on {length} bars in a row from line {start}")
            });
        }
        self.symbols[symbol].run = (0, 0);
    }

    /// Takes in one bar; `values` are open, high, low, close and volume,
    /// each `Err` with its text when it is not a finite number.
    pub(crate) fn bar(
        &mut self,
        line: u64,
        symbol: usize,
        time: Nanos,
        values: [Result<f64, &[u8]>; 5],
    ) {
        self.bars += 1;
        self.first = Some(self.first.map_or(time, |t| t.min(time)));
        self.last = Some(self.last.map_or(time, |t| t.max(time)));
        let state = &self.symbols[symbol];
        let ordered = match state.last_time {
            Some(last) if time == last => {
                self.finding(Rule::DuplicateTimestamps, line, symbol, || {
                    "a second bar at the same time".to_owned()
                });
                false
            }
            Some(last) if time < last => {
                self.finding(Rule::OutOfOrder, line, symbol, || {
                    format!(
                        "{} is before the bar before it ({})",
                        show_time(time),
                        show_time(last)
                    )
                });
                false
            }
            _ => {
                self.symbols[symbol].last_time = Some(time);
                if let Some(coverage) = &mut self.coverage {
                    coverage.bar(line, symbol, &self.symbols[symbol].name, time);
                }
                true
            }
        };
        let mut finite = [0.0; 5];
        let mut bad = Vec::new();
        for (i, value) in values.iter().enumerate() {
            match value {
                Ok(v) => finite[i] = *v,
                Err(text) => bad.push((COLUMNS[i + 1], String::from_utf8_lossy(text))),
            }
        }
        if !bad.is_empty() {
            self.finding(Rule::NonFinite, line, symbol, || {
                let list: Vec<String> = bad
                    .iter()
                    .map(|(column, text)| {
                        if text.is_empty() {
                            format!("`{column}` is empty")
                        } else {
                            format!("`{column}` is `{text}`, not a finite number")
                        }
                    })
                    .collect();
                list.join(", ")
            });
            return;
        }
        let [open, high, low, close, volume] = finite;
        if high < open.max(close).max(low) || low > open.min(close) {
            self.finding(Rule::OhlcInconsistent, line, symbol, || {
                format!("open {open}, high {high}, low {low}, close {close}")
            });
        }
        if open <= 0.0 || high <= 0.0 || low <= 0.0 || close <= 0.0 || volume < 0.0 {
            self.finding(Rule::NegativeValues, line, symbol, || {
                format!("open {open}, high {high}, low {low}, close {close}, volume {volume}")
            });
        }
        if volume == 0.0 {
            self.finding(Rule::ZeroVolume, line, symbol, || "volume 0".to_owned());
        }
        if !ordered {
            return;
        }
        let previous = self.symbols[symbol].last_close;
        if let Some(previous) = previous {
            let change = close / previous - 1.0;
            if previous > 0.0 && change.abs() > self.options.extreme_return {
                self.finding(Rule::ExtremeReturns, line, symbol, || {
                    format!("close {close} after {previous}: {:+.1} %", change * 100.0)
                });
            }
        }
        if previous == Some(close) {
            self.symbols[symbol].run.1 += 1;
        } else {
            self.end_run(symbol);
            self.symbols[symbol].run = (line, 1);
        }
        self.symbols[symbol].last_close = Some(close);
    }

    pub(crate) fn finish(mut self, daily: bool) -> BarsSummary {
        for symbol in 0..self.symbols.len() {
            self.end_run(symbol);
        }
        let at =
            |t: Option<Nanos>| t.and_then(|t| jiff::Timestamp::from_nanosecond(i128::from(t)).ok());
        let names: Vec<&str> = self.symbols.iter().map(|s| s.name.as_str()).collect();
        let coverage = self.coverage.map(|c| c.finish(&names));
        BarsSummary {
            bars: self.bars,
            symbols: self.symbols.len(),
            daily,
            first: at(self.first),
            last: at(self.last),
            rules: self.rules,
            coverage,
        }
    }
}

/// A time for a message.
fn show_time(t: Nanos) -> String {
    jiff::Timestamp::from_nanosecond(i128::from(t))
        .map_or_else(|_| t.to_string(), |t| t.to_string())
}

/// `options` with its coverage's interval checked against the bars: none
/// (or a day) for daily bars, one for intraday bars.
pub(crate) fn coverage_for(
    mut options: BarsOptions,
    daily: bool,
    shown: &str,
    time: usize,
) -> Result<BarsOptions, CheckError> {
    if let Some(coverage) = &mut options.coverage {
        match (daily, coverage.interval) {
            (true, Some(i)) if i != DAILY => {
                return Err(malformed(
                    shown,
                    1,
                    time + 1,
                    "the bars are daily (a `date` column) but the coverage asks for an intraday `interval`: drop it or use a `timestamp` column",
                ));
            }
            (true, _) => coverage.interval = None,
            (false, None) => {
                return Err(malformed(
                    shown,
                    1,
                    time + 1,
                    "the bars are intraday (a `timestamp` column): set `interval` (\"1m\", \"5m\", ...) for their coverage",
                ));
            }
            (false, Some(_)) => {}
        }
    }
    Ok(options)
}

/// The interval of daily bars.
const DAILY: std::time::Duration = std::time::Duration::from_secs(86_400);

/// The time column (either name) and the five value columns, in order.
const COLUMNS: [&str; 6] = ["timestamp", "open", "high", "low", "close", "volume"];

/// Reads the bars from `reader` (CSV with a header) in one pass.
///
/// ```
/// use preflight_probes::trading::bars::{BarsOptions, Rule, scan_bars};
///
/// let csv = "timestamp,open,high,low,close,volume\n\
///     2025-01-27T14:30:00Z,10.0,10.5,9.9,10.2,1200\n\
///     2025-01-27T14:31:00Z,10.2,10.1,10.0,10.3,900\n";
/// let summary = scan_bars(csv.as_bytes(), "bars.csv", BarsOptions::default())?;
/// assert_eq!(summary.bars, 2);
/// // A high below the close.
/// let inconsistent = summary.findings(Rule::OhlcInconsistent);
/// assert_eq!((inconsistent.count, inconsistent.first[0].line), (1, 3));
/// # Ok::<(), preflight_core::CheckError>(())
/// ```
///
/// # Errors
/// A malformed file (a missing column, a row with another number of fields,
/// a time that is not RFC 3339 or a date): `CheckError::Malformed` located
/// `shown:line:column`.
pub fn scan_bars(
    reader: impl Read,
    shown: &str,
    options: BarsOptions,
) -> Result<BarsSummary, CheckError> {
    scan_lines(&mut Lines::new(ReadSource(reader)), shown, options)
}

/// One bar as read, its text borrowed from the line.
pub(crate) struct Bar<'r> {
    pub(crate) line: u64,
    pub(crate) symbol: &'r [u8],
    pub(crate) time: Nanos,
    /// Open, high, low, close and volume; the text of one that is not a
    /// finite number.
    pub(crate) values: [Result<f64, &'r [u8]>; 5],
}

/// The columns of a bars file, from its header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BarColumns {
    /// The `timestamp` (or `date`) column.
    time: usize,
    /// Whether the bars are daily (a `date` column).
    pub(crate) daily: bool,
    /// `open`, `high`, `low`, `close`, `volume`.
    values: [usize; 5],
    symbol: Option<usize>,
    fields: usize,
}

impl BarColumns {
    /// The `timestamp` (or `date`) column.
    pub(crate) fn time(&self) -> usize {
        self.time
    }

    /// Whether the file has a `symbol` column.
    pub(crate) fn has_symbol(&self) -> bool {
        self.symbol.is_some()
    }

    /// Reads the header line of `rows`.
    pub(crate) fn read(rows: &mut Lines<impl Source>, shown: &str) -> Result<Self, CheckError> {
        let header = rows.header(shown, "the file is empty: expected a header row")?;
        let find = |name: &str| header.iter().position(|h| *h == name.as_bytes());
        let (time, daily) = match (find("timestamp"), find("date")) {
            (Some(c), _) => (c, false),
            (None, Some(c)) => (c, true),
            (None, None) => {
                return Err(malformed(
                    shown,
                    1,
                    1,
                    "no column `timestamp` (or `date`, for daily bars)",
                ));
            }
        };
        let mut values = [0; 5];
        for (slot, name) in values.iter_mut().zip(&COLUMNS[1..]) {
            *slot =
                find(name).ok_or_else(|| malformed(shown, 1, 1, &format!("no column `{name}`")))?;
        }
        Ok(BarColumns {
            time,
            daily,
            values,
            symbol: find("symbol"),
            fields: header.len(),
        })
    }

    /// Reads the next bar of `rows`: its line, its symbol's text, its time,
    /// and its values (each `Err` with its text when not a finite number);
    /// `None` at the end.
    #[inline]
    pub(crate) fn next<'r, S: Source>(
        &self,
        rows: &'r mut Lines<S>,
        clock: &mut Clock,
        shown: &str,
    ) -> Result<Option<Bar<'r>>, CheckError> {
        if !rows.next_split(shown)? {
            return Ok(None);
        }
        let line = rows.line;
        if rows.len() != self.fields {
            let message = format!("{} fields where the header has {}", rows.len(), self.fields);
            return Err(malformed(shown, line, 1, &message));
        }
        let rows: &'r Lines<S> = rows;
        let raw = rows.get(self.time);
        let at = if self.daily {
            clock.date(raw)
        } else {
            clock.parse(raw)
        }
        .ok_or_else(|| {
            let expected = if self.daily {
                "a date YYYY-MM-DD"
            } else {
                "an RFC 3339 timestamp such as 2025-01-27T14:30:00Z"
            };
            malformed(shown, line, self.time + 1, &format!("expected {expected}"))
        })?;
        let symbol = self.symbol.map_or(&[][..], |c| rows.get(c));
        let value = |c: usize| rows.number(c).ok_or_else(|| rows.get(c));
        Ok(Some(Bar {
            line,
            symbol,
            time: at,
            values: self.values.map(value),
        }))
    }
}

pub(crate) fn scan_lines(
    rows: &mut Lines<impl Source>,
    shown: &str,
    options: BarsOptions,
) -> Result<BarsSummary, CheckError> {
    let columns = BarColumns::read(rows, shown)?;
    let options = coverage_for(options, columns.daily, shown, columns.time)?;
    let mut pass = Pass::new(options);
    let mut clock = Clock::default();
    if columns.symbol.is_none() {
        pass.symbol(b"");
    }
    while let Some(bar) = columns.next(rows, &mut clock, shown)? {
        let index = pass.symbol(bar.symbol);
        pass.bar(bar.line, index, bar.time, bar.values);
    }
    Ok(pass.finish(columns.daily))
}

/// The coverage settings of `[inputs.bars]`: `calendar`, `interval`,
/// `from` and `to`; `None` without a calendar.
fn coverage_options(
    source: &InputSource<'_>,
    t: &toml::Table,
) -> Result<Option<CoverageOptions>, CheckError> {
    let text = |key: &str| -> Result<Option<&str>, CheckError> {
        t.get(key)
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| source.error(format!("`{key}`: expected a string")))
            })
            .transpose()
    };
    let date = |key: &str| -> Result<Option<jiff::civil::Date>, CheckError> {
        text(key)?
            .map(|d| {
                d.parse().map_err(|e| {
                    source.error(format!(
                        "`{key}`: expected a date YYYY-MM-DD, found `{d}`: {e}"
                    ))
                })
            })
            .transpose()
    };
    let Some(code) = text("calendar")? else {
        if let Some(key) = ["interval", "from", "to"]
            .into_iter()
            .find(|k| t.contains_key(*k))
        {
            return Err(source.error(format!(
                "`{key}` is a coverage setting: set `calendar` (\"XNYS\", \"XLON\") too"
            )));
        }
        return Ok(None);
    };
    let calendar = Calendar::by_code(code).map_err(|e| source.error(format!("`calendar`: {e}")))?;
    let mut options = CoverageOptions::new(calendar).history(date("from")?, date("to")?);
    if let (Some(from), Some(to)) = (options.from, options.to)
        && from > to
    {
        return Err(source.error(format!("`from` {from} is after `to` {to}")));
    }
    for day in [options.from, options.to].into_iter().flatten() {
        calendar
            .is_session(day)
            .map_err(|e| source.error(format!("the history: {e}")))?;
    }
    if let Some(interval) = text("interval")? {
        let parsed = preflight_core::meta::parse_duration(interval)
            .map_err(|e| source.error(format!("`interval`: {e}")))?;
        if parsed.is_zero()
            || parsed > DAILY
            || !DAILY.as_secs().is_multiple_of(parsed.as_secs().max(1))
        {
            return Err(source.error(format!(
                "`interval`: `{interval}` does not divide a day: use a bar length such as \"1m\", \"5m\" or \"1h\""
            )));
        }
        options = options.interval(parsed);
    }
    Ok(Some(options))
}

/// `[inputs.bars]`, scanned once per run.
#[derive(Debug)]
pub struct Bars {
    /// What the pass found.
    pub summary: BarsSummary,
    /// The file.
    pub artifact: Artifact,
    /// Where it is, to read it again (the backup comparison does).
    pub(crate) full: std::path::PathBuf,
}

impl Input for Bars {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let mut options = BarsOptions::default();
        let shown = match source.value() {
            toml::Value::String(path) => path.clone(),
            toml::Value::Table(t) => {
                const KEYS: [&str; 7] = [
                    "path",
                    "stale_run",
                    "extreme_return",
                    "calendar",
                    "interval",
                    "from",
                    "to",
                ];
                if let Some(key) = t.keys().find(|k| !KEYS.contains(&k.as_str())) {
                    return Err(source.error(format!(
                        "unknown key `{key}` in [inputs.{}] (expected one of {})",
                        source.name(),
                        KEYS.map(|k| format!("`{k}`")).join(", ")
                    )));
                }
                options.coverage = coverage_options(source, t)?;
                if let Some(v) = t.get("stale_run") {
                    options.stale_run = v
                        .as_integer()
                        .and_then(|n| u64::try_from(n).ok())
                        .filter(|n| *n >= 2)
                        .ok_or_else(|| {
                            source.error("`stale_run`: expected a whole number of at least 2")
                        })?;
                }
                if let Some(v) = t.get("extreme_return") {
                    options.extreme_return = v
                        .as_float()
                        .or_else(|| {
                            v.as_integer()
                                .and_then(|n| i32::try_from(n).ok())
                                .map(f64::from)
                        })
                        .filter(|x| x.is_finite() && *x > 0.0)
                        .ok_or_else(|| {
                            source
                                .error("`extreme_return`: expected a positive fraction such as 0.5")
                        })?;
                }
                t.get("path")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| source.error("expected `path = \"<bars csv>\"`"))?
                    .to_owned()
            }
            _ => return Err(source.error("expected a path to the bars")),
        };
        // Parsed on every core: the pass that judges the bars stays in order.
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let (summary, artifact) = scan_input_chunks(source, &shown, |chunks| {
            super::bar_blocks::scan_chunks(chunks, &shown, options, workers)
        })?;
        Ok(Bars {
            summary,
            artifact,
            full: source.root().join(&shown),
        })
    }
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{bars} bars of {symbols} symbols: {failing_count} rules with failures")]
struct QualityEvidence {
    bars: u64,
    symbols: usize,
    first: Option<jiff::Timestamp>,
    last: Option<jiff::Timestamp>,
    /// The rules that fail the item, by name.
    failing: Vec<&'static str>,
    failing_count: usize,
    /// The rules with findings that only warn.
    warning: Vec<&'static str>,
    rules: Vec<RuleFindings>,
}

/// Judges the bars: rules in `fail` fail the item, other rules with
/// findings warn (unless in `allow`).
fn judge(cx: &Context, fail: impl Fn(Rule) -> bool, allow: &[Rule]) -> Result<Outcome, CheckError> {
    let bars = cx.input::<Bars>("bars")?;
    let s = &bars.summary;
    let with = |pick: &dyn Fn(Rule) -> bool| -> Vec<&RuleFindings> {
        s.rules
            .iter()
            .filter(|r| r.count > 0 && !allow.contains(&r.rule) && pick(r.rule))
            .collect()
    };
    let failing = with(&|r| fail(r));
    let warning = with(&|r| !fail(r));
    let evidence = QualityEvidence {
        bars: s.bars,
        symbols: s.symbols,
        first: s.first,
        last: s.last,
        failing: failing.iter().map(|r| r.rule.name()).collect(),
        failing_count: failing.len(),
        warning: warning.iter().map(|r| r.rule.name()).collect(),
        rules: s.rules.clone(),
    };
    let describe = |list: &[&RuleFindings]| -> String {
        list.iter()
            .map(|r| match r.first.first() {
                Some(f) => format!(
                    "{} {} (first on line {}{}: {})",
                    r.count,
                    r.rule.name(),
                    f.line,
                    if f.symbol.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", f.symbol)
                    },
                    f.detail
                ),
                None => format!("{} {}", r.count, r.rule.name()),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let outcome = if s.bars == 0 {
        Outcome::fail(format!(
            "`{}` holds no bar: there is nothing to check",
            bars.artifact.path
        ))
    } else if !failing.is_empty() {
        Outcome::fail(describe(&failing))
    } else if !warning.is_empty() {
        Outcome::warn(format!(
            "{} bars pass the data rules, but: {}",
            s.bars,
            describe(&warning)
        ))
    } else {
        Outcome::pass(format!(
            "{} bars of {} symbols pass every data rule",
            s.bars, s.symbols
        ))
    };
    Ok(outcome
        .with_evidence(&evidence)
        .with_artifact(bars.artifact.clone()))
}

/// Names in `names` as rules; an unknown name is a configuration error.
fn rules_named(names: &[String], key: &str) -> Result<Vec<Rule>, CheckError> {
    names
        .iter()
        .map(|name| {
            Rule::by_name(name).ok_or_else(|| {
                let known: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
                CheckError::msg(format!(
                    "`{key}`: unknown rule `{name}` (expected one of {})",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

/// The market data is checked for quality: no value that is not a finite
/// number, no inconsistent or negative bar, no duplicate or out-of-order
/// time. Stale runs, extreme returns and bars without volume warn.
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "data.sources.quality-checks",
    title = "Data quality checks implemented",
    group = "Data Sources",
    severity = "critical",
    owner = "tech-lead",
    inputs = ["bars"],
    remediation = "fix or drop the bars the evidence lists at the source, then run the checks again"
)]
pub struct DataQualityChecks {
    /// Rules whose findings are accepted (by name, e.g. `zero_volume`).
    pub allow: Vec<String>,
}

impl Check for DataQualityChecks {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let allow = rules_named(&self.allow, "allow")?;
        judge(cx, Rule::is_defect, &allow)
    }
}

/// The data pipeline's output passes every validation rule: any finding of
/// any rule fails, except of the rules configured as allowed.
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "data.pipeline.validation-rules",
    title = "Data validation rules in place",
    group = "Data Pipeline",
    severity = "high",
    owner = "tech-lead",
    inputs = ["bars"],
    remediation = "make the pipeline reject or repair the bars the evidence lists, or allow a rule on purpose"
)]
pub struct ValidationRules {
    /// Rules whose findings are accepted (by name, e.g. `zero_volume`).
    pub allow: Vec<String>,
}

impl Check for ValidationRules {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let allow = rules_named(&self.allow, "allow")?;
        judge(cx, |_| true, &allow)
    }
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{missing_bars} of {expected_bars} bars missing over {sessions} sessions")]
struct CoverageEvidence {
    calendar: &'static str,
    interval: String,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    sessions: u64,
    symbols: usize,
    expected_bars: u64,
    present_bars: u64,
    missing_bars: u64,
    missing_fraction: f64,
    max_missing_fraction: f64,
    gap_count: u64,
    gaps: Vec<super::coverage::Gap>,
    outside_count: u64,
    outside: Vec<super::coverage::Outside>,
    misaligned_count: u64,
}

/// What keeps the coverage `c` from passing: bars outside sessions or off
/// the grid, too many missing, too short a history.
fn coverage_problems(c: &CoverageSummary, max_missing: f64, min_sessions: u64) -> Vec<String> {
    let mut problems = Vec::new();
    if c.outside_count > 0 {
        let first = c.outside.first().map_or_else(String::new, |o| {
            format!(
                "; first on line {} ({}{}): {}",
                o.line,
                o.at,
                if o.symbol.is_empty() {
                    String::new()
                } else {
                    format!(", {}", o.symbol)
                },
                o.detail
            )
        });
        problems.push(format!(
            "{} bars lie outside the {} sessions{first}",
            c.outside_count, c.calendar
        ));
    }
    if c.missing_fraction > max_missing {
        // Daily gaps by the exchange's dates, intraday ones by time.
        let zone = Calendar::by_code(c.calendar)
            .ok()
            .map(|cal| cal.time_zone().clone());
        let show = |t: jiff::Timestamp| match &zone {
            Some(zone) if c.interval == "1d" => {
                t.to_zoned_datetime(zone.clone()).date().to_string()
            }
            _ => t.to_string(),
        };
        let first = c.gaps.first().map_or_else(String::new, |g| {
            let span = if g.from == g.to {
                show(g.from)
            } else {
                format!("{} to {}", show(g.from), show(g.to))
            };
            format!(
                "; first gap: {}{span} ({} bars)",
                if g.symbol.is_empty() {
                    String::new()
                } else {
                    format!("{} ", g.symbol)
                },
                g.bars
            )
        });
        problems.push(format!(
            "{} of {} bars missing ({:.4} %, at most {:.4} %) in {} gaps{first}",
            c.missing_bars,
            c.expected_bars,
            c.missing_fraction * 100.0,
            max_missing * 100.0,
            c.gap_count
        ));
    }
    if c.misaligned_count > 0 {
        problems.push(format!(
            "{} bars do not start on the {} grid from the open: is `interval` right?",
            c.misaligned_count, c.interval
        ));
    }
    if c.sessions < min_sessions {
        problems.push(format!(
            "the history holds {} sessions ({} to {}), fewer than the {min_sessions} required",
            c.sessions, c.from, c.to
        ));
    }
    problems
}

/// Judges the bars' coverage of the calendar: no bar outside a session, at
/// most `max_missing` of the expected bars missing, at least `min_sessions`
/// sessions of history.
fn judge_coverage(
    cx: &Context,
    max_missing: f64,
    min_sessions: u64,
) -> Result<Outcome, CheckError> {
    let bars = cx.input::<Bars>("bars")?;
    let Some(coverage) = &bars.summary.coverage else {
        return Err(CheckError::msg(
            "the coverage needs the exchange: set `calendar` (\"XNYS\", \"XLON\") in [inputs.bars], and `interval` for intraday bars",
        ));
    };
    let c = coverage;
    let problems = coverage_problems(c, max_missing, min_sessions);
    let evidence = CoverageEvidence {
        calendar: c.calendar,
        interval: c.interval.clone(),
        from: c.from,
        to: c.to,
        sessions: c.sessions,
        symbols: bars.summary.symbols,
        expected_bars: c.expected_bars,
        present_bars: c.present_bars,
        missing_bars: c.missing_bars,
        missing_fraction: c.missing_fraction,
        max_missing_fraction: max_missing,
        gap_count: c.gap_count,
        gaps: c.gaps.clone(),
        outside_count: c.outside_count,
        outside: c.outside.clone(),
        misaligned_count: c.misaligned_count,
    };
    let outcome = if problems.is_empty() {
        Outcome::pass(format!(
            "{} {} bars of {} symbols cover {} {} sessions from {} to {} ({} missing)",
            c.present_bars,
            c.interval,
            bars.summary.symbols,
            c.sessions,
            c.calendar,
            c.from,
            c.to,
            c.missing_bars
        ))
    } else {
        Outcome::fail(problems.join("; "))
    };
    Ok(outcome
        .with_evidence(&evidence)
        .with_artifact(bars.artifact.clone()))
}

/// Missing data is handled: the bars cover every session of the history
/// (every minute of it, for intraday bars) and none lies outside a session.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "data.sources.missing-data-handling",
    title = "Missing data handling defined",
    group = "Data Sources",
    severity = "high",
    owner = "tech-lead",
    inputs = ["bars"],
    remediation = "backfill the gaps the evidence lists (or forward-fill them on purpose and raise the tolerance), and drop bars outside sessions"
)]
pub struct MissingDataHandling {
    /// The share of expected bars that may be missing (0.001 = 0.1 %).
    pub max_missing_fraction: f64,
}

impl Default for MissingDataHandling {
    fn default() -> Self {
        MissingDataHandling {
            max_missing_fraction: 0.0,
        }
    }
}

impl Check for MissingDataHandling {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        judge_coverage(cx, self.max_missing_fraction, 0)
    }
}

/// The historical backfill is complete: at least `min_sessions` sessions of
/// history, with at most `max_missing_fraction` of the bars missing and
/// none outside a session.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "trading.market-data.historical-backfill",
    title = "Historical data backfill completed",
    group = "Market Data",
    severity = "medium",
    owner = "trading-strategist",
    inputs = ["bars"],
    remediation = "run the backfill for the gaps the evidence lists, or over the whole history if it is too short"
)]
pub struct HistoricalBackfill {
    /// The share of expected bars that may be missing (0.001 = 0.1 %).
    pub max_missing_fraction: f64,
    /// Sessions of history required.
    pub min_sessions: u64,
}

impl Default for HistoricalBackfill {
    fn default() -> Self {
        HistoricalBackfill {
            max_missing_fraction: 0.001,
            min_sessions: 252,
        }
    }
}

impl Check for HistoricalBackfill {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        judge_coverage(cx, self.max_missing_fraction, self.min_sessions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    const HEADER: &str = "symbol,timestamp,open,high,low,close,volume\n";

    fn scan(body: &str) -> BarsSummary {
        scan_bars(
            format!("{HEADER}{body}").as_bytes(),
            "bars.csv",
            BarsOptions::default(),
        )
        .unwrap()
    }

    fn lines(summary: &BarsSummary, rule: Rule) -> Vec<u64> {
        summary
            .findings(rule)
            .first
            .iter()
            .map(|f| f.line)
            .collect()
    }

    #[test]
    fn clean_bars_have_no_findings() {
        let s = scan(
            "A,2025-01-27T14:30:00Z,10,10.5,9.5,10.2,100\n\
             B,2025-01-27T14:30:00Z,20,20.5,19.5,20.2,100\n\
             A,2025-01-27T14:31:00Z,10.2,10.6,10.1,10.4,50\n",
        );
        assert_eq!((s.bars, s.symbols, s.daily), (3, 2, false));
        assert!(s.rules.iter().all(|r| r.count == 0), "{s:?}");
        assert_eq!(s.first.unwrap().to_string(), "2025-01-27T14:30:00Z");
        assert_eq!(s.last.unwrap().to_string(), "2025-01-27T14:31:00Z");
    }

    #[test]
    fn each_rule_finds_its_bars() {
        let s = scan(
            "A,2025-01-27T14:30:00Z,10,10.5,9.5,10.2,100\n\
             A,2025-01-27T14:31:00Z,10,9.8,9.5,10.2,100\n\
             A,2025-01-27T14:32:00Z,10,NaN,9.5,,100\n\
             A,2025-01-27T14:32:00Z,10,10.5,9.5,10.2,100\n\
             A,2025-01-27T14:31:30Z,10,10.5,9.5,10.2,100\n\
             A,2025-01-27T14:33:00Z,-1,10.5,-2,10.2,0\n\
             A,2025-01-27T14:34:00Z,16,16,16,16,5\n\
             B,2025-01-27T09:34:00-05:00,5,5,5,5,1\n\
             B,2025-01-27T14:35:00Z,5,5,5,5,1\n\
             B,2025-01-27T14:36:00Z,5,5,5,5,1\n\
             B,2025-01-27T14:37:00Z,5,5,5,5,1\n\
             B,2025-01-27T14:38:00Z,5,5,5,5,1\n\
             B,2025-01-27T14:39:00Z,5.1,5.1,5.1,5.1,1\n",
        );
        assert_eq!(s.bars, 13);
        assert_eq!(lines(&s, Rule::OhlcInconsistent), [3]);
        assert_eq!(lines(&s, Rule::NonFinite), [4]);
        assert_eq!(
            s.findings(Rule::NonFinite).first[0].detail,
            "`high` is `NaN`, not a finite number, `close` is empty"
        );
        assert_eq!(lines(&s, Rule::DuplicateTimestamps), [5]);
        assert_eq!(lines(&s, Rule::OutOfOrder), [6]);
        assert_eq!(lines(&s, Rule::NegativeValues), [7]);
        assert_eq!(lines(&s, Rule::ZeroVolume), [7]);
        // 10.2 to 16 (line 8): the bars in between are left out.
        assert_eq!(lines(&s, Rule::ExtremeReturns), [8]);
        assert_eq!(
            s.findings(Rule::ExtremeReturns).first[0].detail,
            "close 16 after 10.2: +56.9 %"
        );
        // B's five closes of 5 (the first at 09:34 New York time).
        assert_eq!(lines(&s, Rule::StaleCloses), [9]);
        assert_eq!(
            s.findings(Rule::StaleCloses).first[0].detail,
            "close 5 on 5 bars in a row from line 9"
        );
        assert_eq!(s.findings(Rule::StaleCloses).first[0].symbol, "B");
    }

    #[test]
    fn a_run_shorter_than_the_threshold_is_not_stale() {
        let s = scan(
            "A,2025-01-27T14:30:00Z,5,5,5,5,1\n\
             A,2025-01-27T14:31:00Z,5,5,5,5,1\n\
             A,2025-01-27T14:32:00Z,5,5,5,5,1\n\
             A,2025-01-27T14:33:00Z,5,5,5,5,1\n",
        );
        assert_eq!(s.findings(Rule::StaleCloses).count, 0);
    }

    #[test]
    fn daily_bars_and_no_symbol_column() {
        let csv = "date,open,high,low,close,volume\n\
            2025-01-02,10,11,9,10,100\n\
            2025-01-03,10,11,9,16,100\n";
        let s = scan_bars(csv.as_bytes(), "d.csv", BarsOptions::default()).unwrap();
        assert_eq!((s.bars, s.symbols, s.daily), (2, 1, true));
        assert_eq!(lines(&s, Rule::ExtremeReturns), [3]);
        assert_eq!(s.findings(Rule::ExtremeReturns).first[0].symbol, "");
    }

    #[test]
    fn malformed_files_name_line_and_column() {
        let error = |csv: &str| {
            scan_bars(csv.as_bytes(), "bars.csv", BarsOptions::default())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error("time,open,high,low,close,volume\n"),
            "bars.csv:1:1: no column `timestamp` (or `date`, for daily bars)"
        );
        assert_eq!(
            error("timestamp,open,high,low,close\n"),
            "bars.csv:1:1: no column `volume`"
        );
        assert_eq!(
            error(&format!("{HEADER}A,2025-01-27 14:30,1,1,1,1,1\n")),
            "bars.csv:2:2: expected an RFC 3339 timestamp such as 2025-01-27T14:30:00Z"
        );
        assert_eq!(
            error(&format!("{HEADER}A,2025-01-27T14:30:00Z,1,1,1,1\n")),
            "bars.csv:2:1: 6 fields where the header has 7"
        );
        assert_eq!(
            error(""),
            "bars.csv:1:1: the file is empty: expected a header row"
        );
    }

    /// Lines are named as an editor shows them, blank lines included.
    #[test]
    fn blank_lines_count_in_line_numbers() {
        let s = scan("A,2025-01-27T14:30:00Z,1,1,1,1,5\n\n\r\nA,2025-01-27T14:31:00Z,1,1,1,1,0\n");
        assert_eq!(lines(&s, Rule::ZeroVolume), [5]);
    }

    /// Past a few symbols they are found by hash: each keeps its own state.
    #[test]
    fn many_symbols_interleaved() {
        let mut body = String::new();
        for minute in 0..3 {
            for symbol in 0..40 {
                writeln!(body, "S{symbol},2025-01-27T14:{minute:02}:00Z,1,1,1,1,5").unwrap();
            }
        }
        // A second bar of S37 at 14:02.
        body += "S37,2025-01-27T14:02:00Z,1,1,1,1,5\n";
        let s = scan(&body);
        assert_eq!((s.bars, s.symbols), (121, 40));
        let duplicates = s.findings(Rule::DuplicateTimestamps);
        assert_eq!(duplicates.count, 1);
        assert_eq!(duplicates.first[0].symbol, "S37");
        assert_eq!(s.findings(Rule::OutOfOrder).count, 0);
    }

    #[test]
    fn findings_are_counted_past_the_kept_ones() {
        let mut body = String::new();
        for minute in 0..30 {
            writeln!(body, "A,2025-01-27T14:{minute:02}:00Z,1,1,1,1,0").unwrap();
        }
        let s = scan(&body);
        let zero = s.findings(Rule::ZeroVolume);
        assert_eq!((zero.count, zero.first.len()), (30, RuleFindings::KEEP));
        assert_eq!(zero.first[9].line, 11);
    }
}
