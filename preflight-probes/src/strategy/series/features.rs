//! `[inputs.features_reference]` and `[inputs.features_live]`: samples of the
//! model's features, to compare their distributions.

use std::path::Path;

use preflight_core::{Artifact, CheckError, Input, InputSource};

use super::read::CsvFile;
use super::settings::Settings;

const KEYS: &[&str] = &["path"];

/// A sample of feature values: one column per feature, one row per
/// observation. The same type reads the reference sample
/// (`[inputs.features_reference]`, e.g. the training set) and the live one
/// (`[inputs.features_live]`).
///
/// ```toml
/// [inputs.features_reference]
/// path = "model/features_train.csv"
///
/// [inputs.features_live]
/// path = "model/features_live.csv"
/// ```
///
/// The header names the features; every other cell is a finite number. A
/// column named `date` is skipped, whatever it holds. There is at least one
/// feature and there are at least 2 rows.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FeatureTable {
    /// The features, in column order.
    pub features: Vec<Feature>,
    /// The file as read.
    pub artifact: Artifact,
}

/// One feature's values.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Feature {
    /// The column's name.
    pub name: String,
    /// The column's values, one per row.
    pub values: Vec<f64>,
}

impl FeatureTable {
    /// Parses the `[inputs.<name>]` entry `value`, resolving paths against `root`.
    pub fn from_table(name: &str, value: &toml::Value, root: &Path) -> Result<Self, CheckError> {
        let settings = Settings::new(name, value, KEYS)?;
        let shown = settings.path();
        let mut file = CsvFile::open(name, shown, &root.join(shown))?;
        let cols: Vec<usize> = (0..file.header().len())
            .filter(|&c| file.header()[c] != "date")
            .collect();
        if cols.is_empty() {
            return Err(file.header_error(0, "expected at least one feature column"));
        }
        if let Some(&empty) = cols.iter().find(|&&c| file.header()[c].is_empty()) {
            return Err(file.header_error(empty, "a feature column has no name"));
        }
        let mut features: Vec<Feature> = cols
            .iter()
            .map(|&c| Feature {
                name: file.header()[c].clone(),
                values: Vec::new(),
            })
            .collect();
        while file.next_row()? {
            if file.rows() == 1 {
                for feature in &mut features {
                    feature.values.reserve(file.rows_hint());
                }
            }
            for (&col, feature) in cols.iter().zip(&mut features) {
                feature.values.push(file.number(col)?);
            }
        }
        if file.rows() < 2 {
            return Err(file.too_few(2, file.rows(), "rows"));
        }
        Ok(FeatureTable {
            features,
            artifact: file.finish()?,
        })
    }

    /// The feature named `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Feature> {
        self.features.iter().find(|f| f.name == name)
    }

    /// The values of the feature named `name`.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.get(name).map(|f| f.values.as_slice())
    }

    /// The features' names, in column order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.features.iter().map(|f| f.name.as_str())
    }

    /// The number of rows.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.features.first().map_or(0, |f| f.values.len())
    }

    /// The file read.
    #[must_use]
    pub fn artifacts(&self) -> Vec<Artifact> {
        vec![self.artifact.clone()]
    }
}

impl Input for FeatureTable {
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
    use crate::strategy::series::testutil::{malformed, table, write};

    #[test]
    fn columns_by_feature_without_the_date() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "f.csv",
            "momentum,date,\"vol 20d\"\n1.5,2024-01-02,0.2\n-0.5,not a date,0.3\n",
        );
        let f = FeatureTable::from_table("features_live", &table("path = \"f.csv\""), dir.path())
            .unwrap();
        assert_eq!(f.names().collect::<Vec<_>>(), ["momentum", "vol 20d"]);
        assert_eq!(f.column("momentum"), Some(&[1.5, -0.5][..]));
        assert_eq!(f.get("vol 20d").unwrap().values, [0.2, 0.3]);
        assert_eq!((f.rows(), f.column("date")), (2, None));
        assert_eq!(f.artifacts()[0].path, "f.csv");
    }

    #[test]
    fn malformed_features() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                "a,b\n1,2\n3,inf\n",
                "f.csv:3:2",
                "column `b`: `inf` is not a finite number",
            ),
            (
                "a,b\n1,2\n",
                "f.csv:3:1",
                "expected at least 2 rows, found 1",
            ),
            (
                "date\n2024-01-02\n2024-01-03\n",
                "f.csv:1:1",
                "expected at least one feature column",
            ),
            (
                "a,b\n1,2\n\n3, \n",
                "f.csv:4:2",
                "column `b`: empty cell (expected a number)",
            ),
        ];
        for (content, location, message) in cases {
            write(dir.path(), "f.csv", content);
            let err = FeatureTable::from_table(
                "features_reference",
                &toml::Value::from("f.csv"),
                dir.path(),
            )
            .unwrap_err();
            assert_eq!(malformed(&err), (location, message), "{content:?}");
        }
    }
}
