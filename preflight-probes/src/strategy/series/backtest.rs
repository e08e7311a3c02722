//! `[inputs.backtest]`: the strategy's backtest return series and its trades.

use std::path::Path;
use std::sync::OnceLock;

use jiff::civil::Date;
use preflight_core::{Artifact, CheckError, Input, InputSource};

use super::super::stats::Profile;
use super::dates::Dates;
use super::fast;
use super::read::{CsvFile, DateOrder, Order};
use super::returns::Returns;
use super::settings::Settings;

const KEYS: &[&str] = &[
    "path",
    "date_column",
    "returns_column",
    "equity_column",
    "periods_per_year",
    "risk_free",
    "trades",
    "oos_start",
];

/// The backtest: one simple return per period, dated, with the settings that
/// annualise it and, optionally, the trades behind it.
///
/// ```toml
/// [inputs.backtest]
/// path = "backtest/returns.csv"   # required
/// date_column = "date"            # default
/// returns_column = "return"       # default; or `equity_column = "equity"`
/// periods_per_year = 252          # default
/// risk_free = 0.0                 # per period, default
/// trades = "backtest/trades.csv"  # optional, see `Trades`
/// oos_start = 2024-01-02          # optional: first out-of-sample date
/// ```
///
/// With `returns_column`, each row holds the period's simple return
/// (`0.01` is +1 %). With `equity_column`, each row holds the equity (or price)
/// at the period's end, which must be positive; the returns are
/// `e_t / e_{t-1} - 1`, so the first row only seeds them and
/// [`dates`](Self::dates) starts on the second row. Dates are strictly
/// increasing and there are at least 2 returns.
///
/// `backtest = "returns.csv"` is short for a table with only `path`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Backtest {
    /// The UTC date of each return (the period's end): strictly increasing for a
    /// daily series, repeated within a day for an intraday one, and kept as
    /// runs of equal dates ([`Dates::get`] gives period `i`'s).
    pub dates: Dates,
    /// The simple return of each period, finite; as long as [`dates`](Self::dates).
    pub returns: Returns,
    /// Whether the file held returns or equity.
    pub kind: SeriesKind,
    /// The date column's name.
    pub date_column: String,
    /// The returns or equity column's name.
    pub value_column: String,
    /// Periods per year, for annualising (`periods_per_year`, default 252).
    pub periods_per_year: f64,
    /// The risk-free rate per period (`risk_free`, default 0).
    pub risk_free: f64,
    /// The first out-of-sample date (`oos_start`), after the first date and on
    /// or before the last.
    pub oos_start: Option<Date>,
    /// The index in [`returns`](Self::returns) of the first out-of-sample
    /// period: the first date on or after [`oos_start`](Self::oos_start).
    pub oos_index: Option<usize>,
    /// The trades file (`trades`), when configured.
    pub trades: Option<Trades>,
    /// The returns file as read.
    pub artifact: Artifact,
    /// The statistics of the whole series, computed when first asked for.
    profile: ProfileCache,
}

/// [`Backtest::profile`]'s cache: derived from the returns, so it takes no
/// part in comparisons.
#[derive(Debug, Clone, Default)]
struct ProfileCache(OnceLock<Profile>);

impl PartialEq for ProfileCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// What the backtest file's value column held.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum SeriesKind {
    /// Simple returns per period (`returns_column`).
    Returns,
    /// Equity or price (`equity_column`); the returns are derived.
    Equity {
        /// The first row's date, which only seeds the returns.
        first_date: Date,
        /// The first row's equity.
        first_equity: f64,
    },
}

impl Backtest {
    /// Parses the `[inputs.<name>]` entry `value`, resolving paths against `root`.
    pub fn from_table(name: &str, value: &toml::Value, root: &Path) -> Result<Self, CheckError> {
        let settings = Settings::new(name, value, KEYS)?;
        let date_column = settings.string("date_column")?.unwrap_or("date");
        let returns_column = settings.string("returns_column")?;
        let equity_column = settings.string("equity_column")?;
        if returns_column.is_some() && equity_column.is_some() {
            return Err(settings.error(format!(
                "set either `returns_column` or `equity_column` in [inputs.{name}], not both"
            )));
        }
        let periods_per_year = settings.number("periods_per_year")?.unwrap_or(252.0);
        if periods_per_year <= 0.0 {
            return Err(settings.error(format!(
                "`periods_per_year` in [inputs.{name}] must be positive, found {periods_per_year}"
            )));
        }
        let risk_free = settings.number("risk_free")?.unwrap_or(0.0);
        let oos_start = settings.date("oos_start")?;
        let trades_path = settings.string("trades")?;

        let shown = settings.path();
        let full = root.join(shown);
        let mut file = CsvFile::open(name, shown, &full)?;
        let hint = |key: &str| format!(" (set `{key}` in [inputs.{name}])");
        let date_col = file.column(date_column, &hint("date_column"))?;
        let (value_column, dates, returns, kind, artifact) = if let Some(column) = equity_column {
            let col = file.column(column, &hint("equity_column"))?;
            let (dates, returns, kind) = read_equity(&mut file, date_col, col)?;
            if returns.len() < 2 {
                return Err(file.too_few(2, returns.len() as u64, "returns"));
            }
            (column, dates, Returns::from(returns), kind, file.finish()?)
        } else {
            let column = returns_column.unwrap_or("return");
            let col = file.column(column, &hint("returns_column"))?;
            // A large plain file is parsed in parallel; anything else, and
            // every error, goes through the CSV reader (see `fast`).
            let large = std::fs::metadata(&full).is_ok_and(|m| m.len() >= fast::FAST_FROM);
            let columns = file.header().len();
            if let Some(series) = large
                .then(|| fast::read_returns(shown, &full, columns, date_col, col))
                .flatten()
            {
                (
                    column,
                    series.dates,
                    series.values,
                    SeriesKind::Returns,
                    series.artifact,
                )
            } else {
                let (dates, returns, kind) = read_returns(&mut file, date_col, col)?;
                if returns.len() < 2 {
                    return Err(file.too_few(2, returns.len() as u64, "returns"));
                }
                (column, dates, Returns::from(returns), kind, file.finish()?)
            }
        };

        let oos_index = match oos_start {
            Some(start) => {
                let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
                    return Err(settings.error(format!(
                        "the series in `{shown}` has no dates to place `oos_start` {start} among"
                    )));
                };
                if start <= first || start > last {
                    return Err(settings.error(format!(
                        "`oos_start` {start} in [inputs.{name}] is outside the series in `{shown}` \
                         ({first} to {last}): set a date after the first and on or before the last"
                    )));
                }
                Some(dates.partition_point(|d| d < start))
            }
            None => None,
        };
        let trades = match trades_path {
            Some(path) => Some(Trades::read(name, path, root)?),
            None => None,
        };
        Ok(Backtest {
            dates,
            returns,
            kind,
            date_column: date_column.to_owned(),
            value_column: value_column.to_owned(),
            periods_per_year,
            risk_free,
            oos_start,
            oos_index,
            trades,
            artifact,
            profile: ProfileCache::default(),
        })
    }

    /// The [`Profile`] of the returns (drawdown, win rate and summary against
    /// the risk-free rate), computed by the first item that asks for it:
    /// items running at the same time wait for it rather than read a long
    /// series again.
    pub fn profile(&self) -> &Profile {
        self.profile
            .0
            .get_or_init(|| Profile::of(&self.returns, self.risk_free))
    }

    /// The number of returns.
    #[must_use]
    pub fn len(&self) -> usize {
        self.returns.len()
    }

    /// Whether there are no returns (never, once parsed).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.returns.is_empty()
    }

    /// The first return's date.
    #[must_use]
    pub fn first_date(&self) -> Option<Date> {
        self.dates.first()
    }

    /// The last return's date.
    #[must_use]
    pub fn last_date(&self) -> Option<Date> {
        self.dates.last()
    }

    /// The returns before [`oos_start`](Self::oos_start), or all of them without one.
    #[must_use]
    pub fn in_sample(&self) -> &[f64] {
        let end = self.oos_index.unwrap_or(self.returns.len());
        self.returns.get(..end).unwrap_or_default()
    }

    /// The returns from [`oos_start`](Self::oos_start) on, when it is set.
    #[must_use]
    pub fn out_of_sample(&self) -> Option<&[f64]> {
        self.oos_index.and_then(|i| self.returns.get(i..))
    }

    /// Every file read: the returns file, then the trades file.
    #[must_use]
    pub fn artifacts(&self) -> Vec<Artifact> {
        let mut artifacts = vec![self.artifact.clone()];
        artifacts.extend(self.trades.iter().map(|t| t.artifact.clone()));
        artifacts
    }
}

impl Input for Backtest {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        Self::from_table(source.name(), source.value(), source.root())
    }
}

type Series = (Dates, Vec<f64>, SeriesKind);

fn read_returns(file: &mut CsvFile, date_col: usize, col: usize) -> Result<Series, CheckError> {
    let mut dates = Dates::new();
    let mut returns = Vec::new();
    let mut order = DateOrder::new(Order::Increasing);
    while file.next_row()? {
        let moment = file.moment(date_col)?;
        order.check_moment(file, date_col, moment)?;
        let date = moment.0;
        let value = file.number(col)?;
        if returns.is_empty() {
            returns.reserve(file.rows_hint());
        }
        dates.push(date);
        returns.push(value);
    }
    Ok((dates, returns, SeriesKind::Returns))
}

fn read_equity(file: &mut CsvFile, date_col: usize, col: usize) -> Result<Series, CheckError> {
    let mut dates = Dates::new();
    let mut returns = Vec::new();
    let mut order = DateOrder::new(Order::Increasing);
    let mut first: Option<(Date, f64)> = None;
    let mut previous = 0.0;
    while file.next_row()? {
        let moment = file.moment(date_col)?;
        order.check_moment(file, date_col, moment)?;
        let date = moment.0;
        let equity = file.number(col)?;
        if equity <= 0.0 {
            return Err(file.field_error(
                col,
                format!("equity must be positive to derive returns, found {equity}"),
            ));
        }
        if first.is_none() {
            first = Some((date, equity));
            returns.reserve(file.rows_hint());
        } else {
            // Both are finite and positive, but their ratio may still overflow.
            let value = equity / previous - 1.0;
            if !value.is_finite() {
                return Err(file.field_error(
                    col,
                    format!(
                        "equity {equity:e} after {previous:e} gives a return too large to represent: \
                         check the column's values"
                    ),
                ));
            }
            dates.push(date);
            returns.push(value);
        }
        previous = equity;
    }
    let kind = match first {
        Some((first_date, first_equity)) => SeriesKind::Equity {
            first_date,
            first_equity,
        },
        None => SeriesKind::Returns,
    };
    Ok((dates, returns, kind))
}

/// The trades behind a backtest (`trades` in `[inputs.backtest]`): one row per
/// fill or round trip.
///
/// The file needs a `date` column (dates may repeat but never decrease) and
/// may have `pnl`, `fee`, `commission`, `slippage` and `notional`; each
/// present column is read in full, other columns are ignored. Values are as
/// written: whether costs are positive amounts or negative P&L is the file's
/// convention. A file with a header and no rows is no trades.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Trades {
    /// The date of each trade, non-decreasing.
    pub dates: Vec<Date>,
    /// `pnl` per trade, when the column is present.
    pub pnl: Option<Vec<f64>>,
    /// `fee` per trade, when present.
    pub fee: Option<Vec<f64>>,
    /// `commission` per trade, when present.
    pub commission: Option<Vec<f64>>,
    /// `slippage` per trade, when present.
    pub slippage: Option<Vec<f64>>,
    /// `notional` per trade, when present.
    pub notional: Option<Vec<f64>>,
    /// The trades file as read.
    pub artifact: Artifact,
}

/// The optional numeric columns of a trades file, in [`Trades`] field order.
const TRADE_COLUMNS: [&str; 5] = ["pnl", "fee", "commission", "slippage", "notional"];

impl Trades {
    fn read(input: &str, shown: &str, root: &Path) -> Result<Self, CheckError> {
        let mut file = CsvFile::open(input, shown, &root.join(shown))?;
        let date_col = file.column("date", " (a trades file needs a `date` column)")?;
        let cols: Vec<Option<usize>> = TRADE_COLUMNS
            .iter()
            .map(|c| file.optional_column(c))
            .collect();
        let mut dates = Vec::new();
        let mut values: Vec<Option<Vec<f64>>> =
            cols.iter().map(|c| c.map(|_| Vec::new())).collect();
        let mut order = DateOrder::new(Order::NonDecreasing);
        while file.next_row()? {
            let date = file.date(date_col)?;
            order.check(&file, date_col, date)?;
            dates.push(date);
            for (col, column) in cols.iter().zip(values.iter_mut()) {
                if let (Some(col), Some(column)) = (col, column) {
                    column.push(file.number(*col)?);
                }
            }
        }
        let artifact = file.finish()?;
        let mut values = values.into_iter();
        let mut next = || values.next().flatten();
        Ok(Trades {
            dates,
            pnl: next(),
            fee: next(),
            commission: next(),
            slippage: next(),
            notional: next(),
            artifact,
        })
    }

    /// The number of trades.
    #[must_use]
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Whether the file lists no trades.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The cost columns present, among `fee`, `commission` and `slippage`.
    #[must_use]
    pub fn cost_columns(&self) -> Vec<&'static str> {
        [
            ("fee", &self.fee),
            ("commission", &self.commission),
            ("slippage", &self.slippage),
        ]
        .into_iter()
        .filter_map(|(name, column)| column.as_ref().map(|_| name))
        .collect()
    }

    /// Whether any cost column is present.
    #[must_use]
    pub fn has_costs(&self) -> bool {
        self.fee.is_some() || self.commission.is_some() || self.slippage.is_some()
    }

    /// Each trade's cost: the sum of its present cost columns, as written;
    /// `None` when the file has no cost column.
    #[must_use]
    pub fn costs(&self) -> Option<Vec<f64>> {
        if !self.has_costs() {
            return None;
        }
        let mut total = vec![0.0; self.len()];
        for column in [&self.fee, &self.commission, &self.slippage]
            .into_iter()
            .flatten()
        {
            for (sum, value) in total.iter_mut().zip(column) {
                *sum += value;
            }
        }
        Some(total)
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::float_cmp,
        reason = "values are compared with the decimals they were parsed from"
    )]

    use super::*;
    use crate::strategy::series::testutil::{date, malformed, table, write};

    fn parse(dir: &Path, toml: &str) -> Result<Backtest, CheckError> {
        Backtest::from_table("backtest", &table(toml), dir)
    }

    #[test]
    fn returns_form_with_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let content = "date,return\n2024-01-02,0.01\n2024-01-03,-0.02\n2024-01-04,0.005\n";
        write(dir.path(), "r.csv", content);
        let b = parse(dir.path(), r#"path = "r.csv""#).unwrap();
        assert_eq!(
            b.dates.to_vec(),
            [date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)]
        );
        assert_eq!(*b.returns, [0.01, -0.02, 0.005]);
        assert_eq!(b.kind, SeriesKind::Returns);
        assert_eq!((b.periods_per_year, b.risk_free), (252.0, 0.0));
        assert_eq!(b.value_column, "return");
        assert_eq!(
            (b.oos_start, b.oos_index, b.trades.is_none()),
            (None, None, true)
        );
        assert_eq!(b.in_sample().len(), 3);
        assert_eq!(
            b.artifact,
            Artifact::from_bytes("r.csv", content.as_bytes(), b.artifact.modified)
        );
        assert!(b.artifact.modified.is_some());
        // A bare path is the same input.
        let short =
            Backtest::from_table("backtest", &toml::Value::from("r.csv"), dir.path()).unwrap();
        assert_eq!(short, b);
    }

    #[test]
    fn equity_form_settings_and_oos() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "data/eq.csv",
            "day;nav\n2024-01-01T21:00:00Z;100\n2024-01-02T21:00:00Z;110\n\
             2024-01-03T21:00:00.5Z;99\n2024-01-04;99\n",
        );
        // The separator is a comma: a `;` file has one column, named `day;nav`.
        let err = parse(dir.path(), r#"path = "data/eq.csv""#).unwrap_err();
        assert_eq!(
            malformed(&err),
            (
                "data/eq.csv:1:1",
                "missing column `date` (found `day;nav`) (set `date_column` in [inputs.backtest])"
            )
        );
        write(
            dir.path(),
            "data/eq.csv",
            "day,nav\n2024-01-01T21:00:00Z,100\n2024-01-02T21:00:00Z,110\n\
             2024-01-03T21:00:00.5Z,99\n2024-01-04,99\n",
        );
        let b = parse(
            dir.path(),
            r#"path = "data/eq.csv"
               date_column = "day"
               equity_column = "nav"
               periods_per_year = 365
               risk_free = 0.0001
               oos_start = 2024-01-03"#,
        )
        .unwrap();
        assert_eq!(
            b.kind,
            SeriesKind::Equity {
                first_date: date(2024, 1, 1),
                first_equity: 100.0
            }
        );
        assert_eq!(
            b.dates.to_vec(),
            [date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)]
        );
        assert!((b.returns[0] - 0.1).abs() < 1e-12);
        assert!((b.returns[1] - (99.0 / 110.0 - 1.0)).abs() < 1e-12);
        assert_eq!(b.returns[2], 0.0);
        assert_eq!((b.periods_per_year, b.risk_free), (365.0, 0.0001));
        assert_eq!(
            (b.oos_start, b.oos_index),
            (Some(date(2024, 1, 3)), Some(1))
        );
        assert_eq!(b.in_sample().len(), 1);
        assert_eq!(b.out_of_sample().unwrap().len(), 2);
        assert_eq!(b.artifact.path, "data/eq.csv");
        // The date may also be a string.
        let s = parse(
            dir.path(),
            "path = \"data/eq.csv\"\ndate_column = \"day\"\nequity_column = \"nav\"\noos_start = \"2024-01-04\"",
        )
        .unwrap();
        assert_eq!(s.oos_index, Some(2));
    }

    #[test]
    fn trades_with_costs() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "r.csv",
            "date,return\n2024-01-02,0.01\n2024-01-03,0.02\n",
        );
        let content = "date,symbol,notional,pnl,fee,slippage\n\
                       2024-01-02,AAPL,1000,-5,1.5,0.5\n\
                       2024-01-02,MSFT,2000,10,2,1\n\
                       2024-01-03T15:00:00Z,AAPL,500,3,0.5,0.25\n";
        write(dir.path(), "t.csv", content);
        let b = parse(dir.path(), "path = \"r.csv\"\ntrades = \"t.csv\"").unwrap();
        let t = b.trades.as_ref().unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t.dates[2], date(2024, 1, 3));
        assert_eq!(t.pnl.as_deref(), Some(&[-5.0, 10.0, 3.0][..]));
        assert_eq!(t.notional.as_deref(), Some(&[1000.0, 2000.0, 500.0][..]));
        assert_eq!(t.commission, None);
        assert_eq!(t.cost_columns(), ["fee", "slippage"]);
        assert!(t.has_costs());
        assert_eq!(t.costs().unwrap(), [2.0, 3.0, 0.75]);
        assert_eq!(
            t.artifact,
            Artifact::from_bytes("t.csv", content.as_bytes(), t.artifact.modified)
        );
        let paths: Vec<String> = b.artifacts().into_iter().map(|a| a.path).collect();
        assert_eq!(paths, ["r.csv", "t.csv"]);

        // Without cost columns.
        write(dir.path(), "t.csv", "date\n2024-01-02\n");
        let b = parse(dir.path(), "path = \"r.csv\"\ntrades = \"t.csv\"").unwrap();
        let t = b.trades.unwrap();
        assert_eq!((t.len(), t.has_costs(), t.costs()), (1, false, None));
        assert!(t.cost_columns().is_empty());

        // Fills may share a date but not go back.
        write(
            dir.path(),
            "t.csv",
            "date,fee\n2024-01-03,1\n2024-01-02,1\n",
        );
        let err = parse(dir.path(), "path = \"r.csv\"\ntrades = \"t.csv\"").unwrap_err();
        assert_eq!(
            malformed(&err),
            (
                "t.csv:3:1",
                "column `date`: date 2024-01-02 comes after 2024-01-03 on line 2: dates must not decrease"
            )
        );
    }

    /// Writes `content` as `r.csv` and returns the error of parsing it.
    fn error_of(content: &str) -> CheckError {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "r.csv", content);
        parse(dir.path(), r#"path = "r.csv""#).unwrap_err()
    }

    /// Malformed returns files: content, location, message.
    const MALFORMED: &[(&str, &str, &str)] = &[
        (
            "date,ret\n2024-01-02,0.1\n",
            "r.csv:1:1",
            "missing column `return` (found `date`, `ret`) (set `returns_column` in [inputs.backtest])",
        ),
        (
            "date,return\n2024-01-02,0.1\n2024-01-03,0.2\n2024-01-04,abc\n",
            "r.csv:4:2",
            "column `return`: expected a number, found `abc`",
        ),
        (
            "date,return\n2024-01-02,0.1\n2024-01-03,NaN\n",
            "r.csv:3:2",
            "column `return`: `NaN` is not a finite number",
        ),
        (
            "date,return\n2024-01-02,0.1\n2024-01-03,-inf\n",
            "r.csv:3:2",
            "column `return`: `-inf` is not a finite number",
        ),
        (
            "date,return\n2024-01-02,0.1\n2024-01-03,1e999\n",
            "r.csv:3:2",
            "column `return`: `1e999` is not a finite number",
        ),
        (
            "date,return\n2024-01-02,0.1\n2024-01-03,\n",
            "r.csv:3:2",
            "column `return`: empty cell (expected a number)",
        ),
        (
            "date,return\n2024-01-02,0.1\n2024-01-02,0.2\n",
            "r.csv:3:1",
            "column `date`: duplicate date 2024-01-02 (also on line 2): dates must be strictly increasing",
        ),
        (
            "date,return\n2024-01-02T16:00:00Z,0.1\n2024-01-02T10:00:00.5+00:00,0.2\n",
            "r.csv:3:1",
            "column `date`: the time on 2024-01-02 is not after the one on line 2: times must be strictly increasing",
        ),
        (
            "date,return\n2024-01-03,0.1\n2024-01-04,0.1\n2024-01-02,0.2\n",
            "r.csv:4:1",
            "column `date`: date 2024-01-02 comes after 2024-01-04 on line 3: dates must be strictly increasing",
        ),
        (
            "date,return\n2024-01-02,0.1\n01/03/2024,0.2\n",
            "r.csv:3:1",
            "column `date`: expected a date `YYYY-MM-DD` or an RFC 3339 timestamp such as `2024-01-02T21:00:00Z`, found `01/03/2024`",
        ),
        (
            "date,return\n2024-01-02,0.1\n2024-02-30,0.2\n",
            "r.csv:3:1",
            "column `date`: `2024-02-30` is not a valid date: parameter 'day' for `2024-02` is invalid, must be in range `1..=29`",
        ),
        (
            "date,return\n2024-01-02,0.1\n",
            "r.csv:3:1",
            "expected at least 2 returns, found 1",
        ),
        ("", "r.csv:1:1", "the file is empty: expected a header row"),
        // Lines are counted across blank lines and `\r\n` line ends.
        (
            "date,return\r\n2024-01-02,0.1\r\n\r\n2024-01-03,abc\r\n",
            "r.csv:4:2",
            "column `return`: expected a number, found `abc`",
        ),
        (
            "\ndate,return\n\n2024-01-02,0.1\n\n\n2024-01-02,0.2\n",
            "r.csv:7:1",
            "column `date`: duplicate date 2024-01-02 (also on line 4): dates must be strictly increasing",
        ),
        (
            "date,return\r2024-01-02,0.1\r2024-01-03,x\r",
            "r.csv:3:2",
            "column `return`: expected a number, found `x`",
        ),
        (
            "date,return\n2024-01-02,0.1\n\n",
            "r.csv:4:1",
            "expected at least 2 returns, found 1",
        ),
        (
            "\n\ndate,ret\n2024-01-02,0.1\n",
            "r.csv:3:1",
            "missing column `return` (found `date`, `ret`) (set `returns_column` in [inputs.backtest])",
        ),
        (
            "date,return\n2024-01-02,0.1,7\n",
            "r.csv:2:3",
            "expected 2 fields as in the header, found 3",
        ),
        (
            "date,return\n2024-01-02\n",
            "r.csv:2:2",
            "expected 2 fields as in the header, found 1",
        ),
        (
            "date,return,date\n2024-01-02,1,2\n",
            "r.csv:1:3",
            "column `date` appears twice (columns 1 and 3): rename one",
        ),
    ];

    #[test]
    fn malformed_files_are_located() {
        for &(content, location, message) in MALFORMED {
            let err = error_of(content);
            assert_eq!(malformed(&err), (location, message), "{content:?}");
        }
    }

    #[test]
    fn equity_needs_positive_values_and_three_rows() {
        let dir = tempfile::tempdir().unwrap();
        let config = "path = \"e.csv\"\nequity_column = \"equity\"";
        write(
            dir.path(),
            "e.csv",
            "date,equity\n2024-01-02,100\n2024-01-03,0\n2024-01-04,1\n",
        );
        let err = parse(dir.path(), config).unwrap_err();
        assert_eq!(
            malformed(&err),
            (
                "e.csv:3:2",
                "column `equity`: equity must be positive to derive returns, found 0"
            )
        );
        write(
            dir.path(),
            "e.csv",
            "date,equity\n2024-01-02,100\n2024-01-03,101\n",
        );
        let err = parse(dir.path(), config).unwrap_err();
        assert_eq!(
            malformed(&err),
            ("e.csv:4:1", "expected at least 2 returns, found 1")
        );
        // Positive and finite, but the return between them is not.
        write(
            dir.path(),
            "e.csv",
            "date,equity\n2024-01-02,1e-300\n2024-01-03,1e300\n2024-01-04,1\n",
        );
        let err = parse(dir.path(), config).unwrap_err();
        assert_eq!(
            malformed(&err),
            (
                "e.csv:3:2",
                "column `equity`: equity 1e300 after 1e-300 gives a return too large to represent: \
                 check the column's values"
            )
        );
    }

    #[test]
    fn configuration_errors_name_the_input() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "r.csv",
            "date,return\n2024-01-02,0.1\n2024-01-03,0.2\n2024-01-04,0.3\n",
        );
        let input = |toml: &str| match parse(dir.path(), toml).unwrap_err() {
            CheckError::Input { name, message } => {
                assert_eq!(name, "backtest");
                message
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            input("path = \"r.csv\"\nreturn_column = \"r\""),
            "unknown key `return_column` in [inputs.backtest] (expected `path`, `date_column`, \
             `returns_column`, `equity_column`, `periods_per_year`, `risk_free`, `trades`, `oos_start`)"
        );
        assert_eq!(
            input("path = \"r.csv\"\noos_start = 2024-01-05"),
            "`oos_start` 2024-01-05 in [inputs.backtest] is outside the series in `r.csv` \
             (2024-01-02 to 2024-01-04): set a date after the first and on or before the last"
        );
        assert!(
            input("path = \"r.csv\"\noos_start = 2024-01-02").contains("is outside the series")
        );
        assert!(parse(dir.path(), "path = \"r.csv\"\noos_start = 2024-01-04").is_ok());
        assert_eq!(
            input("path = \"r.csv\"\nreturns_column = \"a\"\nequity_column = \"b\""),
            "set either `returns_column` or `equity_column` in [inputs.backtest], not both"
        );
        assert_eq!(
            input("path = \"r.csv\"\nperiods_per_year = \"daily\""),
            "`periods_per_year` in [inputs.backtest] must be a finite number, found a string"
        );
        assert_eq!(
            input("path = \"r.csv\"\nperiods_per_year = 0"),
            "`periods_per_year` in [inputs.backtest] must be positive, found 0"
        );
        assert_eq!(
            input("date_column = \"d\""),
            "missing key `path` in [inputs.backtest]: set it to the file, relative to the project root"
        );
        let missing = input("path = \"nope.csv\"");
        assert!(missing.starts_with("cannot read `nope.csv`: "), "{missing}");
        let missing = input("path = \"r.csv\"\ntrades = \"t.csv\"");
        assert!(missing.starts_with("cannot read `t.csv`: "), "{missing}");
    }

    #[test]
    fn a_hundred_thousand_rows() {
        use std::fmt::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let mut content = String::from("date,return\n");
        let mut day = date(1800, 1, 1);
        for i in 0..100_000 {
            writeln!(content, "{day},{}", f64::from(i % 1000 - 500) / 1e5).unwrap();
            day = day.tomorrow().unwrap();
        }
        write(dir.path(), "big.csv", &content);
        let b = parse(dir.path(), r#"path = "big.csv""#).unwrap();
        assert_eq!(b.len(), 100_000);
        assert_eq!(
            (b.dates.first(), b.returns[0]),
            (Some(date(1800, 1, 1)), -0.005)
        );
        assert_eq!(b.last_date(), Some(day.yesterday().unwrap()));
        assert_eq!(b.returns[99_999], 0.00499);
        assert_eq!(b.artifact.size, content.len() as u64);
        assert_eq!(
            b.artifact.sha256,
            preflight_core::evidence::sha256_hex(content.as_bytes())
        );
    }

    /// Random damage to a valid file (bytes flipped, dropped, duplicated, or
    /// a line cut short) never panics, and a file that still parses keeps its
    /// invariants: finite returns, one date each, at least 2 of them.
    #[test]
    fn damaged_files_never_panic() {
        use std::fmt::Write as _;

        let mut valid = String::from("date,return\n");
        let mut day = date(2024, 1, 1);
        for i in 0..200 {
            let _ = writeln!(valid, "{day},{}", f64::from(i % 17) / 1000.0 - 0.008);
            day = day.tomorrow().unwrap();
        }
        let noise = b",.\n\r\"-+eE0123456789 :TZnaNinf\xff";
        let mut rng = crate::damage::Xorshift::new(0x9e37_79b9_7f4a_7c15_u64);
        let mut next = |bound: usize| rng.below(bound);
        let dir = tempfile::tempdir().unwrap();
        for _ in 0..2000 {
            let mut bytes = valid.clone().into_bytes();
            for _ in 0..=next(4) {
                let at = next(bytes.len());
                match next(4) {
                    0 => bytes[at] = noise[next(noise.len())],
                    1 => {
                        bytes.remove(at);
                    }
                    2 => bytes.insert(at, bytes[at]),
                    _ => bytes.truncate(at.max(1)),
                }
            }
            std::fs::write(dir.path().join("r.csv"), &bytes).unwrap();
            if let Ok(bt) = parse(dir.path(), r#"path = "r.csv""#) {
                assert!(bt.returns.len() >= 2);
                assert_eq!(bt.returns.len(), bt.dates.len());
                assert!(bt.returns.iter().all(|r| r.is_finite()));
            }
        }
    }
}
