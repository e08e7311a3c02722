//! `[inputs.cv_results]`: the model's cross-validation scores, fold by fold.

use std::collections::HashMap;
use std::path::Path;

use preflight_core::{Artifact, CheckError, Input, InputSource};

use super::read::CsvFile;
use super::settings::Settings;

const KEYS: &[&str] = &["path"];

/// Cross-validation results: one row per fold (and model), with its training
/// and validation scores.
///
/// ```toml
/// [inputs.cv_results]
/// path = "model/cv_results.csv"
/// ```
///
/// The file has columns `fold`, `train_score` and `validation_score`, and
/// optionally `model`; other columns are ignored. Folds are labels, kept as
/// written; a (model, fold) pair appears once. Scores are finite numbers, as
/// the model reports them (whether higher is better is the check's setting).
/// There are at least 2 rows.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CvResults {
    /// The rows, in file order.
    pub folds: Vec<CvFold>,
    /// Whether the file has a `model` column.
    pub has_model_column: bool,
    /// The file as read.
    pub artifact: Artifact,
}

/// One fold's scores.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CvFold {
    /// The `model` cell, when the column exists.
    pub model: Option<String>,
    /// The `fold` cell, as written.
    pub fold: String,
    /// The score on the fold's training data.
    pub train_score: f64,
    /// The score on the fold's validation data.
    pub validation_score: f64,
}

impl CvResults {
    /// Parses the `[inputs.<name>]` entry `value`, resolving paths against `root`.
    pub fn from_table(name: &str, value: &toml::Value, root: &Path) -> Result<Self, CheckError> {
        let settings = Settings::new(name, value, KEYS)?;
        let shown = settings.path();
        let mut file = CsvFile::open(name, shown, &root.join(shown))?;
        let fold_col = file.column("fold", "")?;
        let train_col = file.column("train_score", "")?;
        let validation_col = file.column("validation_score", "")?;
        let model_col = file.optional_column("model");
        let mut folds = Vec::new();
        let mut seen: HashMap<(Option<String>, String), u64> = HashMap::new();
        while file.next_row()? {
            let model = model_col
                .map(|c| file.text(c).map(str::to_owned))
                .transpose()?;
            let fold = file.text(fold_col)?.to_owned();
            let train_score = file.number(train_col)?;
            let validation_score = file.number(validation_col)?;
            if let Some(first) = seen.insert((model.clone(), fold.clone()), file.row_start()) {
                let first = file.line_at(first);
                let of = model
                    .as_ref()
                    .map(|m| format!(" of model `{m}`"))
                    .unwrap_or_default();
                return Err(file.field_error(
                    fold_col,
                    format!("fold `{fold}`{of} appears twice (also on line {first})"),
                ));
            }
            folds.push(CvFold {
                model,
                fold,
                train_score,
                validation_score,
            });
        }
        if folds.len() < 2 {
            return Err(file.too_few(2, file.rows(), "folds"));
        }
        Ok(CvResults {
            folds,
            has_model_column: model_col.is_some(),
            artifact: file.finish()?,
        })
    }

    /// The distinct models, in order of first appearance; empty without a
    /// `model` column.
    #[must_use]
    pub fn models(&self) -> Vec<&str> {
        let mut models: Vec<&str> = Vec::new();
        for model in self.folds.iter().filter_map(|f| f.model.as_deref()) {
            if !models.contains(&model) {
                models.push(model);
            }
        }
        models
    }

    /// The folds of `model`, or every fold with `None`.
    pub fn folds_of<'a>(&'a self, model: Option<&'a str>) -> impl Iterator<Item = &'a CvFold> {
        self.folds
            .iter()
            .filter(move |f| model.is_none() || f.model.as_deref() == model)
    }

    /// The file read.
    #[must_use]
    pub fn artifacts(&self) -> Vec<Artifact> {
        vec![self.artifact.clone()]
    }
}

impl Input for CvResults {
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
    fn folds_per_model() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "cv.csv",
            "model,fold,train_score,validation_score,seconds\n\
             gbm,1,0.71,0.62,3\ngbm,2,0.70,0.60,3\nlinear,1,0.55,0.54,1\nlinear,2,0.56,0.53,1\n",
        );
        let cv =
            CvResults::from_table("cv_results", &table("path = \"cv.csv\""), dir.path()).unwrap();
        assert!(cv.has_model_column);
        assert_eq!(cv.models(), ["gbm", "linear"]);
        let linear: Vec<f64> = cv
            .folds_of(Some("linear"))
            .map(|f| f.validation_score)
            .collect();
        assert_eq!(linear, [0.54, 0.53]);
        assert_eq!(cv.folds_of(None).count(), 4);
        let first = &cv.folds[0];
        assert_eq!(
            (
                first.model.as_deref(),
                first.fold.as_str(),
                first.train_score
            ),
            (Some("gbm"), "1", 0.71)
        );

        write(
            dir.path(),
            "cv.csv",
            "fold,train_score,validation_score\na,1,0.5\nb,1,0.4\n",
        );
        let cv =
            CvResults::from_table("cv_results", &toml::Value::from("cv.csv"), dir.path()).unwrap();
        assert!(!cv.has_model_column && cv.models().is_empty());
        assert_eq!(cv.folds[1].fold, "b");
    }

    #[test]
    fn malformed_cv_results() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                "fold,train,validation_score\n1,2,3\n",
                "cv.csv:1:1",
                "missing column `train_score` (found `fold`, `train`, `validation_score`)",
            ),
            (
                "fold,train_score,validation_score\n1,0.5,0.4\n1,0.5,0.4\n",
                "cv.csv:3:1",
                "column `fold`: fold `1` appears twice (also on line 2)",
            ),
            (
                "fold,train_score,validation_score\n1,0.5,0.4\n",
                "cv.csv:3:1",
                "expected at least 2 folds, found 1",
            ),
            (
                "fold,train_score,validation_score\n1,0.5,0.4\n,0.5,0.4\n",
                "cv.csv:3:1",
                "column `fold`: empty cell",
            ),
            (
                "model,fold,train_score,validation_score\nm,1,0.5,0.4\nm,1,0.5,0.4\n",
                "cv.csv:3:2",
                "column `fold`: fold `1` of model `m` appears twice (also on line 2)",
            ),
        ];
        for (content, location, message) in cases {
            write(dir.path(), "cv.csv", content);
            let err = CvResults::from_table("cv_results", &toml::Value::from("cv.csv"), dir.path())
                .unwrap_err();
            assert_eq!(malformed(&err), (location, message), "{content:?}");
        }
    }
}
