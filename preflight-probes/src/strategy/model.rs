//! The seed's "Model Validation (if using ML)" lines that read model
//! artifacts: drift of live features, cross-validation, versioning and the
//! fallback model.

use preflight_core::{Check, CheckError, ChecklistItem, Context, Evidence, Outcome};
use serde::Serialize;

use super::series::{CvResults, FeatureTable, ModelFileState, ModelFileStatus, ModelManifest};
use super::stats;

/// The live features have not drifted from the training reference: the
/// Population Stability Index (Sturges bins on the pooled sample, 1e-4 floor)
/// and the two-sample Kolmogorov–Smirnov test, per feature.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "strategy.model.drift-detection",
    title = "Model drift detection implemented",
    group = "Model Validation (if using ML)",
    severity = "high",
    owner = "trading-strategist",
    inputs = ["features_reference", "features_live"],
    remediation = "retrain on recent data or investigate the drifting features before trading on the model"
)]
pub struct DriftDetection {
    /// A feature's PSI at or above this warns.
    pub warn_psi: f64,
    /// A feature's PSI at or above this fails.
    pub fail_psi: f64,
}

impl Default for DriftDetection {
    fn default() -> Self {
        DriftDetection {
            warn_psi: 0.1,
            fail_psi: 0.25,
        }
    }
}

/// One feature's drift.
#[derive(Debug, Clone, Serialize)]
struct FeatureDrift {
    name: String,
    psi: f64,
    ks_statistic: f64,
    ks_p_value: f64,
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{feature_count} features, max PSI {max_psi:.3}")]
struct DriftEvidence {
    feature_count: usize,
    max_psi: f64,
    features: Vec<FeatureDrift>,
    warn_psi: f64,
    fail_psi: f64,
}

impl Check for DriftDetection {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let reference = cx.input::<FeatureTable>("features_reference")?;
        let live = cx.input::<FeatureTable>("features_live")?;
        let missing: Vec<&str> = reference
            .names()
            .filter(|n| live.get(n).is_none())
            .collect();
        let extra: Vec<&str> = live
            .names()
            .filter(|n| reference.get(n).is_none())
            .collect();
        if !missing.is_empty() || !extra.is_empty() {
            return Err(CheckError::msg(format!(
                "the live features do not match the reference: missing {missing:?}, unexpected {extra:?}"
            )));
        }
        let features: Vec<FeatureDrift> = reference
            .features
            .iter()
            .map(|f| {
                let live = live.column(&f.name).unwrap_or_default();
                let ks = stats::ks_2samp(&f.values, live);
                FeatureDrift {
                    name: f.name.clone(),
                    psi: stats::psi(&f.values, live),
                    ks_statistic: ks.statistic,
                    ks_p_value: ks.p_value,
                }
            })
            .collect();
        let max_psi = features.iter().map(|f| f.psi).fold(0.0, f64::max);
        let over = |limit: f64| -> Vec<String> {
            features
                .iter()
                .filter(|f| f.psi >= limit || f.psi.is_nan())
                .map(|f| format!("{} (PSI {:.3})", f.name, f.psi))
                .collect()
        };
        let (failing, warning) = (over(self.fail_psi), over(self.warn_psi));
        let evidence = DriftEvidence {
            feature_count: features.len(),
            max_psi,
            features,
            warn_psi: self.warn_psi,
            fail_psi: self.fail_psi,
        };
        let outcome = if !failing.is_empty() {
            Outcome::fail(format!(
                "features drifted beyond PSI {}: {}",
                self.fail_psi,
                failing.join(", ")
            ))
        } else if !warning.is_empty() {
            Outcome::warn(format!(
                "features drifting (PSI ≥ {}): {}",
                self.warn_psi,
                warning.join(", ")
            ))
        } else {
            Outcome::pass(format!(
                "no feature drifted: max PSI {max_psi:.3} over {} features",
                evidence.feature_count
            ))
        };
        let mut outcome = outcome.with_evidence(&evidence);
        for artifact in reference.artifacts().into_iter().chain(live.artifacts()) {
            outcome = outcome.with_artifact(artifact);
        }
        Ok(outcome)
    }
}

/// Cross-validation results reviewed: the fold scores of every model, their
/// mean, spread and worst, and the gap between training and validation
/// scores that betrays overfitting. Higher scores are better.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "strategy.model.cross-validation",
    title = "Cross-validation results reviewed",
    group = "Model Validation (if using ML)",
    severity = "high",
    owner = "trading-strategist",
    inputs = ["cv_results"]
)]
pub struct CrossValidation {
    /// Fewest folds per model.
    pub min_folds: usize,
    /// The largest acceptable mean of `train_score − validation_score`.
    pub max_gap: f64,
    /// The lowest acceptable validation score of any fold (none when unset).
    pub min_validation_score: Option<f64>,
}

impl Default for CrossValidation {
    fn default() -> Self {
        CrossValidation {
            min_folds: 3,
            max_gap: 0.1,
            min_validation_score: None,
        }
    }
}

/// One model's folds.
#[derive(Debug, Clone, Serialize)]
struct ModelScores {
    model: Option<String>,
    folds: usize,
    mean: f64,
    std: Option<f64>,
    worst: f64,
    worst_fold: String,
    mean_gap: f64,
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{model_count} models cross-validated")]
struct CvEvidence {
    model_count: usize,
    models: Vec<ModelScores>,
}

impl Check for CrossValidation {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let cv = cx.input::<CvResults>("cv_results")?;
        let models: Vec<Option<&str>> = if cv.has_model_column {
            cv.models().into_iter().map(Some).collect()
        } else {
            vec![None]
        };
        let mut scores = Vec::new();
        let mut problems = Vec::new();
        for model in models {
            let folds: Vec<_> = cv.folds_of(model).collect();
            let label = model.map_or_else(|| "the model".to_owned(), |m| format!("model `{m}`"));
            let validation: Vec<f64> = folds.iter().map(|f| f.validation_score).collect();
            let gaps: Vec<f64> = folds
                .iter()
                .map(|f| f.train_score - f.validation_score)
                .collect();
            let Some(worst) = folds
                .iter()
                .min_by(|a, b| a.validation_score.total_cmp(&b.validation_score))
            else {
                continue;
            };
            let entry = ModelScores {
                model: model.map(str::to_owned),
                folds: folds.len(),
                mean: stats::mean(&validation).unwrap_or(f64::NAN),
                std: stats::sample_std(&validation),
                worst: worst.validation_score,
                worst_fold: worst.fold.clone(),
                mean_gap: stats::mean(&gaps).unwrap_or(f64::NAN),
            };
            if entry.folds < self.min_folds {
                problems.push(format!(
                    "{label} has {} folds (minimum {})",
                    entry.folds, self.min_folds
                ));
            }
            if entry.mean_gap > self.max_gap {
                problems.push(format!(
                    "{label} scores {:.3} higher in training than in validation on average (limit {}): it overfits",
                    entry.mean_gap, self.max_gap
                ));
            }
            if let Some(min) = self.min_validation_score.filter(|min| entry.worst < *min) {
                problems.push(format!(
                    "{label}'s fold `{}` validates at {:.3}, below {min}",
                    entry.worst_fold, entry.worst
                ));
            }
            scores.push(entry);
        }
        let evidence = CvEvidence {
            model_count: scores.len(),
            models: scores,
        };
        let outcome = if problems.is_empty() {
            let summary: Vec<String> = evidence
                .models
                .iter()
                .map(|m| {
                    format!(
                        "{}: mean {:.3}, worst {:.3}, gap {:.3} over {} folds",
                        m.model.as_deref().unwrap_or("model"),
                        m.mean,
                        m.worst,
                        m.mean_gap,
                        m.folds
                    )
                })
                .collect();
            Outcome::pass(summary.join("; "))
        } else {
            Outcome::fail(problems.join("; "))
        };
        let mut outcome = outcome.with_evidence(&evidence);
        for artifact in cv.artifacts() {
            outcome = outcome.with_artifact(artifact);
        }
        Ok(outcome)
    }
}

/// Evidence of model files checked against the manifest.
#[derive(Evidence, Serialize)]
#[evidence(summary = "{ok} of {total} model files match the manifest")]
struct ManifestEvidence {
    ok: usize,
    total: usize,
    models: Vec<ModelFileReport>,
}

/// One model file as found.
#[derive(Debug, Clone, Serialize)]
struct ModelFileReport {
    name: String,
    version: String,
    path: String,
    state: &'static str,
    expected: String,
    actual: Option<String>,
}

fn report(status: &ModelFileStatus) -> ModelFileReport {
    ModelFileReport {
        name: status.name.clone(),
        version: status.version.clone(),
        path: status.path.clone(),
        state: match status.state {
            ModelFileState::Ok(_) => "ok",
            ModelFileState::Mismatch(_) => "mismatch",
            ModelFileState::Missing => "missing",
            ModelFileState::Unreadable(_) => "unreadable",
        },
        expected: status.expected.clone(),
        actual: status.actual().map(str::to_owned),
    }
}

fn problem(status: &ModelFileStatus) -> Option<String> {
    let who = format!("{} {} (`{}`)", status.name, status.version, status.path);
    match &status.state {
        ModelFileState::Ok(_) => None,
        ModelFileState::Mismatch(a) => Some(format!(
            "{who} has digest {} but the manifest says {}",
            a.sha256, status.expected
        )),
        ModelFileState::Missing => Some(format!("{who} is missing")),
        ModelFileState::Unreadable(e) => Some(format!("{who} cannot be read: {e}")),
    }
}

fn manifest_outcome(
    manifest: &ModelManifest,
    statuses: &[ModelFileStatus],
    pass: String,
) -> Outcome {
    let problems: Vec<String> = statuses.iter().filter_map(problem).collect();
    let evidence = ManifestEvidence {
        ok: statuses.iter().filter(|s| s.is_ok()).count(),
        total: statuses.len(),
        models: statuses.iter().map(report).collect(),
    };
    let outcome = if problems.is_empty() {
        Outcome::pass(pass)
    } else {
        Outcome::fail(problems.join("; "))
    };
    let mut outcome = outcome.with_evidence(&evidence);
    for artifact in manifest
        .artifacts()
        .into_iter()
        .chain(statuses.iter().filter_map(|s| s.artifact().cloned()))
    {
        outcome = outcome.with_artifact(artifact);
    }
    outcome
}

/// Every model file listed in `[inputs.model_manifest]` exists with the
/// version's recorded sha256: what runs in production is what was validated.
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "strategy.model.versioning",
    title = "Model versioning in place",
    group = "Model Validation (if using ML)",
    severity = "high",
    owner = "trading-strategist",
    inputs = ["model_manifest"],
    remediation = "record every deployed model file with its version and sha256 in the manifest, and deploy exactly those files"
)]
pub struct ModelVersioning;

impl Check for ModelVersioning {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let manifest = cx.input::<ModelManifest>("model_manifest")?;
        if manifest.models.is_empty() {
            return Err(CheckError::msg("the model manifest lists no model"));
        }
        let statuses = manifest.verify_files();
        let pass = format!(
            "all {} model files match their versions' digests",
            statuses.len()
        );
        Ok(manifest_outcome(&manifest, &statuses, pass))
    }
}

/// The manifest names a fallback model, and its file exists with its
/// recorded digest.
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "strategy.model.fallback",
    title = "Fallback models available",
    group = "Model Validation (if using ML)",
    severity = "high",
    owner = "trading-strategist",
    inputs = ["model_manifest"],
    remediation = "mark a validated fallback model (`fallback = true`) in the manifest and deploy its file"
)]
pub struct FallbackModel;

impl Check for FallbackModel {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let manifest = cx.input::<ModelManifest>("model_manifest")?;
        let Some(fallback) = manifest.fallback() else {
            return Ok(Outcome::fail(format!(
                "none of the {} models in the manifest is marked `fallback = true`",
                manifest.models.len()
            )));
        };
        let statuses: Vec<ModelFileStatus> = manifest
            .verify_files()
            .into_iter()
            .filter(|s| s.name == fallback.name && s.version == fallback.version)
            .collect();
        let pass = format!(
            "fallback model {} {} is deployed with its recorded digest",
            fallback.name, fallback.version
        );
        Ok(manifest_outcome(&manifest, &statuses, pass))
    }
}
