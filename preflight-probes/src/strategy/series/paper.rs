//! `[inputs.paper_trading]`: the record of the strategy's paper-trading period.

use std::path::Path;

use jiff::civil::Date;
use preflight_core::{Artifact, CheckError, Input, InputSource};

use super::read::{CsvFile, DateOrder, Order};
use super::settings::Settings;

const KEYS: &[&str] = &["path", "date_column", "equity_column", "pnl_column"];

/// The paper-trading record: fills, daily equity or P&L, dated.
///
/// ```toml
/// [inputs.paper_trading]
/// path = "paper/equity.csv"  # required
/// date_column = "date"       # default
/// equity_column = "equity"   # optional; or `pnl_column = "pnl"`; neither: fills
/// ```
///
/// - Without a value column the file is a log of fills: only the dates are
///   read, and they may repeat but never decrease.
/// - With `equity_column`, one row per period: dates strictly increasing,
///   [`equity`](Self::equity) holds the values.
/// - With `pnl_column`, one row per fill or per period: dates never decrease,
///   [`pnl`](Self::pnl) holds the values.
///
/// There are at least 2 rows.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PaperTrading {
    /// The date of each row, in file order (see the ordering rules above).
    pub dates: Vec<Date>,
    /// The equity of each row, with `equity_column`.
    pub equity: Option<Vec<f64>>,
    /// The P&L of each row, with `pnl_column`.
    pub pnl: Option<Vec<f64>>,
    /// The date column's name.
    pub date_column: String,
    /// The file as read.
    pub artifact: Artifact,
}

impl PaperTrading {
    /// Parses the `[inputs.<name>]` entry `value`, resolving paths against `root`.
    pub fn from_table(name: &str, value: &toml::Value, root: &Path) -> Result<Self, CheckError> {
        let settings = Settings::new(name, value, KEYS)?;
        let date_column = settings.string("date_column")?.unwrap_or("date");
        let equity_column = settings.string("equity_column")?;
        let pnl_column = settings.string("pnl_column")?;
        if equity_column.is_some() && pnl_column.is_some() {
            return Err(settings.error(format!(
                "set either `equity_column` or `pnl_column` in [inputs.{name}], not both"
            )));
        }
        let shown = settings.path();
        let mut file = CsvFile::open(name, shown, &root.join(shown))?;
        let hint = |key: &str| format!(" (set `{key}` in [inputs.{name}])");
        let date_col = file.column(date_column, &hint("date_column"))?;
        let value_col = match (equity_column, pnl_column) {
            (Some(column), _) => Some(file.column(column, &hint("equity_column"))?),
            (_, Some(column)) => Some(file.column(column, &hint("pnl_column"))?),
            (None, None) => None,
        };
        let order = if equity_column.is_some() {
            Order::Increasing
        } else {
            Order::NonDecreasing
        };
        let mut order = DateOrder::new(order);
        let mut dates = Vec::new();
        let mut values = Vec::new();
        while file.next_row()? {
            let date = file.date(date_col)?;
            order.check(&file, date_col, date)?;
            if dates.is_empty() {
                dates.reserve(file.rows_hint());
            }
            dates.push(date);
            if let Some(col) = value_col {
                values.push(file.number(col)?);
            }
        }
        if dates.len() < 2 {
            return Err(file.too_few(2, file.rows(), "rows"));
        }
        let artifact = file.finish()?;
        let (equity, pnl) = match (equity_column, pnl_column) {
            (Some(_), _) => (Some(values), None),
            (_, Some(_)) => (None, Some(values)),
            (None, None) => (None, None),
        };
        Ok(PaperTrading {
            dates,
            equity,
            pnl,
            date_column: date_column.to_owned(),
            artifact,
        })
    }

    /// The first date of the record.
    #[must_use]
    pub fn first_date(&self) -> Date {
        self.dates.first().copied().unwrap_or_default()
    }

    /// The last date of the record.
    #[must_use]
    pub fn last_date(&self) -> Date {
        self.dates.last().copied().unwrap_or_default()
    }

    /// Calendar days from the first date to the last.
    #[must_use]
    pub fn span_days(&self) -> i64 {
        self.first_date()
            .duration_until(self.last_date())
            .as_hours()
            / 24
    }

    /// The number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Whether there are no rows (never, once parsed).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The file read.
    #[must_use]
    pub fn artifacts(&self) -> Vec<Artifact> {
        vec![self.artifact.clone()]
    }
}

impl Input for PaperTrading {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        Self::from_table(source.name(), source.value(), source.root())
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

    fn parse(dir: &Path, toml: &str) -> Result<PaperTrading, CheckError> {
        PaperTrading::from_table("paper_trading", &table(toml), dir)
    }

    #[test]
    fn equity_pnl_and_fills() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "e.csv",
            "date,equity\n2024-01-02,100\n2024-01-03,101.5\n2024-03-01,99\n",
        );
        let p = parse(dir.path(), "path = \"e.csv\"\nequity_column = \"equity\"").unwrap();
        assert_eq!(
            (p.first_date(), p.last_date()),
            (date(2024, 1, 2), date(2024, 3, 1))
        );
        assert_eq!(p.span_days(), 59);
        assert_eq!(p.equity.as_deref(), Some(&[100.0, 101.5, 99.0][..]));
        assert_eq!((p.pnl.as_ref(), p.len()), (None, 3));

        write(
            dir.path(),
            "f.csv",
            "time,symbol,pnl\n2024-01-02T10:00:00Z,A,1\n2024-01-02T11:00:00Z,B,-2\n2024-01-05T11:00:00Z,B,3\n",
        );
        let p = parse(
            dir.path(),
            "path = \"f.csv\"\ndate_column = \"time\"\npnl_column = \"pnl\"",
        )
        .unwrap();
        assert_eq!(p.pnl.as_deref(), Some(&[1.0, -2.0, 3.0][..]));
        assert_eq!(
            p.dates,
            [date(2024, 1, 2), date(2024, 1, 2), date(2024, 1, 5)]
        );
        let fills = parse(dir.path(), "path = \"f.csv\"\ndate_column = \"time\"").unwrap();
        assert_eq!(
            (fills.equity, fills.pnl, fills.dates.len()),
            (None, None, 3)
        );
    }

    #[test]
    fn malformed_paper_trading() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "e.csv",
            "date,equity\n2024-01-02,100\n2024-01-02,101\n",
        );
        let err = parse(dir.path(), "path = \"e.csv\"\nequity_column = \"equity\"").unwrap_err();
        assert_eq!(
            malformed(&err),
            (
                "e.csv:3:1",
                "column `date`: duplicate date 2024-01-02 (also on line 2): dates must be strictly increasing"
            )
        );
        // The same dates are fine for fills.
        assert!(parse(dir.path(), "path = \"e.csv\"").is_ok());
        let err = parse(dir.path(), "path = \"e.csv\"\npnl_column = \"pnl\"").unwrap_err();
        assert_eq!(
            malformed(&err),
            (
                "e.csv:1:1",
                "missing column `pnl` (found `date`, `equity`) (set `pnl_column` in [inputs.paper_trading])"
            )
        );
        write(dir.path(), "e.csv", "date\n2024-01-02\n");
        let err = parse(dir.path(), "path = \"e.csv\"").unwrap_err();
        assert_eq!(
            malformed(&err),
            ("e.csv:3:1", "expected at least 2 rows, found 1")
        );
        let err = parse(
            dir.path(),
            "path = \"e.csv\"\nequity_column = \"e\"\npnl_column = \"p\"",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "input `paper_trading`: set either `equity_column` or `pnl_column` in [inputs.paper_trading], not both"
        );
    }
}
