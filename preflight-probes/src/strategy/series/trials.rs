//! `[inputs.trials]`: the returns of every configuration tried while
//! developing the strategy, for the overfitting statistics.

use std::path::Path;

use jiff::civil::Date;
use preflight_core::{Artifact, CheckError, Input, InputSource};

use super::read::{CsvFile, DateOrder, Order};
use super::settings::Settings;

const KEYS: &[&str] = &["path", "date_column"];

/// The returns of every trial (configuration, parameter set) of the strategy's
/// search, on common dates: a T × N matrix, T periods by N trials.
///
/// ```toml
/// [inputs.trials]
/// path = "research/trials.csv"  # required
/// date_column = "date"          # default
/// ```
///
/// The file has the date column and one column of simple returns per trial,
/// named in the header; dates are strictly increasing. There are at least 2
/// trials and 2 periods. The matrix is stored column-major, so each trial's
/// returns are one slice ([`trial`](Self::trial)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Trials {
    /// The trials' names, in column order.
    pub names: Vec<String>,
    /// The date of each period, strictly increasing.
    pub dates: Vec<Date>,
    /// The file as read.
    pub artifact: Artifact,
    /// Column-major: trial `j`'s returns are `values[j * T..(j + 1) * T]`.
    values: Vec<f64>,
}

impl Trials {
    /// Parses the `[inputs.<name>]` entry `value`, resolving paths against `root`.
    pub fn from_table(name: &str, value: &toml::Value, root: &Path) -> Result<Self, CheckError> {
        let settings = Settings::new(name, value, KEYS)?;
        let date_column = settings.string("date_column")?.unwrap_or("date");
        let shown = settings.path();
        let mut file = CsvFile::open(name, shown, &root.join(shown))?;
        let date_col = file.column(
            date_column,
            &format!(" (set `date_column` in [inputs.{name}])"),
        )?;
        let cols: Vec<usize> = (0..file.header().len())
            .filter(|&c| c != date_col)
            .collect();
        if cols.len() < 2 {
            return Err(file.header_error(
                0,
                format!(
                    "expected at least 2 trial columns besides `{date_column}`, found {}",
                    cols.len()
                ),
            ));
        }
        if let Some(&empty) = cols.iter().find(|&&c| file.header()[c].is_empty()) {
            return Err(file.header_error(empty, "a trial column has no name"));
        }
        let names: Vec<String> = cols.iter().map(|&c| file.header()[c].clone()).collect();

        let mut dates = Vec::new();
        let mut columns: Vec<Vec<f64>> = vec![Vec::new(); cols.len()];
        let mut order = DateOrder::new(Order::Increasing);
        while file.next_row()? {
            let date = file.date(date_col)?;
            order.check(&file, date_col, date)?;
            if dates.is_empty() {
                dates.reserve(file.rows_hint());
                for column in &mut columns {
                    column.reserve(file.rows_hint());
                }
            }
            dates.push(date);
            for (&col, column) in cols.iter().zip(&mut columns) {
                column.push(file.number(col)?);
            }
        }
        if dates.len() < 2 {
            return Err(file.too_few(2, file.rows(), "periods"));
        }
        let artifact = file.finish()?;
        let mut values = Vec::with_capacity(dates.len() * columns.len());
        for column in columns {
            values.extend(column);
        }
        Ok(Trials {
            names,
            dates,
            artifact,
            values,
        })
    }

    /// T: the number of periods.
    #[must_use]
    pub fn n_periods(&self) -> usize {
        self.dates.len()
    }

    /// N: the number of trials.
    #[must_use]
    pub fn n_trials(&self) -> usize {
        self.names.len()
    }

    /// The returns of trial `j` over every period, if there is such a trial.
    #[must_use]
    pub fn trial(&self, j: usize) -> Option<&[f64]> {
        let t = self.n_periods();
        self.values.get(j * t..(j + 1) * t)
    }

    /// The returns of the trial named `name`.
    #[must_use]
    pub fn trial_named(&self, name: &str) -> Option<&[f64]> {
        let j = self.names.iter().position(|n| n == name)?;
        self.trial(j)
    }

    /// The return of trial `j` in period `t`.
    #[must_use]
    pub fn value(&self, t: usize, j: usize) -> Option<f64> {
        if t >= self.n_periods() {
            return None;
        }
        self.values.get(j * self.n_periods() + t).copied()
    }

    /// Every trial's name and returns, in column order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[f64])> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.values.chunks_exact(self.n_periods().max(1)))
    }

    /// The whole matrix, column-major (T × N values, trial after trial).
    #[must_use]
    pub fn column_major(&self) -> &[f64] {
        &self.values
    }

    /// The file read.
    #[must_use]
    pub fn artifacts(&self) -> Vec<Artifact> {
        vec![self.artifact.clone()]
    }
}

impl Input for Trials {
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

    #[test]
    fn matrix_by_trial() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "t.csv",
            "a,when,b,c\n0.1,2024-01-02,0.2,0.3\n-0.1,2024-01-03,-0.2,-0.3\n",
        );
        let t = Trials::from_table(
            "trials",
            &table("path = \"t.csv\"\ndate_column = \"when\""),
            dir.path(),
        )
        .unwrap();
        assert_eq!((t.n_periods(), t.n_trials()), (2, 3));
        assert_eq!(t.names, ["a", "b", "c"]);
        assert_eq!(t.dates, [date(2024, 1, 2), date(2024, 1, 3)]);
        assert_eq!(t.trial(1), Some(&[0.2, -0.2][..]));
        assert_eq!(t.trial(3), None);
        assert_eq!(t.trial_named("c"), Some(&[0.3, -0.3][..]));
        assert_eq!((t.value(1, 0), t.value(2, 0)), (Some(-0.1), None));
        assert_eq!(t.column_major(), [0.1, -0.1, 0.2, -0.2, 0.3, -0.3]);
        let names: Vec<&str> = t.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(t.artifacts()[0].path, "t.csv");
    }

    #[test]
    fn malformed_trials() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                "date,a\n2024-01-02,1\n2024-01-03,1\n",
                "t.csv:1:1",
                "expected at least 2 trial columns besides `date`, found 1",
            ),
            (
                "date,a,b\n2024-01-02,1,2\n",
                "t.csv:3:1",
                "expected at least 2 periods, found 1",
            ),
            (
                "date,a,b\n2024-01-02,1,2\n2024-01-03,1,x\n",
                "t.csv:3:3",
                "column `b`: expected a number, found `x`",
            ),
            (
                "date,a,\n2024-01-02,1,2\n2024-01-03,1,2\n",
                "t.csv:1:3",
                "a trial column has no name",
            ),
            (
                "date,a,b\n2024-01-03,1,2\n2024-01-03,1,2\n",
                "t.csv:3:1",
                "column `date`: duplicate date 2024-01-03 (also on line 2): dates must be strictly increasing",
            ),
        ];
        for (content, location, message) in cases {
            write(dir.path(), "t.csv", content);
            let err =
                Trials::from_table("trials", &toml::Value::from("t.csv"), dir.path()).unwrap_err();
            assert_eq!(malformed(&err), (location, message), "{content:?}");
        }
    }
}
