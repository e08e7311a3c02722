//! "Overfitting checks performed": the Deflated Sharpe Ratio of the deployed
//! strategy for the number of configurations tried, and the Probability of
//! Backtest Overfitting of the research's trials.

use preflight_core::{Check, CheckError, ChecklistItem, Context, Evidence, Outcome};
use serde::Serialize;

use super::backtest::{backtest, moments, with_artifacts};
use super::series::Trials;
use super::stats::{self, PboMetric};

/// The research's selection carries over: the Deflated Sharpe Ratio (Bailey
/// and López de Prado) of the backtest, deflated for every configuration in
/// `[inputs.trials]`, is high enough, and the Probability of Backtest
/// Overfitting of the trials by combinatorially symmetric cross-validation is
/// low enough.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "strategy.model.overfitting",
    title = "Overfitting checks performed",
    group = "Model Validation (if using ML)",
    severity = "critical",
    owner = "trading-strategist",
    inputs = ["backtest", "trials"],
    remediation = "reduce the number of configurations tried, or lengthen the history, until the deployed strategy's edge survives deflation"
)]
pub struct Overfitting {
    /// PBO at or above this fails.
    pub max_pbo: f64,
    /// A Deflated Sharpe Ratio below this fails.
    pub min_dsr: f64,
    /// Blocks of the combinatorially symmetric cross-validation (even).
    pub blocks: usize,
}

impl Default for Overfitting {
    fn default() -> Self {
        Overfitting {
            max_pbo: 0.5,
            min_dsr: 0.95,
            blocks: 16,
        }
    }
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "PBO {pbo:.3} over {combinations} splits, DSR {dsr:.3} for {trials} trials")]
struct OverfittingEvidence {
    pbo: f64,
    dsr: f64,
    trials: usize,
    blocks: usize,
    combinations: usize,
    /// Per-period Sharpe of the deployed strategy.
    sharpe_per_period: f64,
    /// The Sharpe the best of the trials would show by luck alone (per period).
    expected_max_sharpe: f64,
    /// Variance of the trials' per-period Sharpe ratios.
    sharpe_variance: f64,
    /// Share of splits where the in-sample best lost money out of sample.
    probability_of_loss: f64,
    max_pbo: f64,
    min_dsr: f64,
}

impl Check for Overfitting {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let bt = backtest(cx)?;
        let trials = cx.input::<Trials>("trials")?;
        let m = bt
            .profile()
            .summary
            .as_ref()
            .and_then(|s| moments(&bt, s))
            .ok_or_else(|| {
                CheckError::msg(
                    "the backtest returns have too few or constant values for a Sharpe ratio",
                )
            })?;
        let sharpes: Vec<f64> = trials
            .iter()
            .filter_map(|(_, column)| stats::sharpe_ratio(column, 0.0, 1))
            .collect();
        if sharpes.len() < 2 {
            return Err(CheckError::msg(
                "fewer than 2 trials have a Sharpe ratio: the trials matrix cannot show how many configurations were tried",
            ));
        }
        let variance = stats::sample_std(&sharpes).map_or(0.0, |s| s * s);
        let n_trials = trials.n_trials();
        let expected = stats::expected_max_sharpe(n_trials, variance);
        let dsr = stats::deflated_sharpe_ratio(
            m.sharpe,
            bt.len(),
            m.skew,
            m.kurtosis,
            n_trials,
            variance,
        );
        let rows: Vec<Vec<f64>> = (0..trials.n_periods())
            .map(|t| {
                (0..n_trials)
                    .map(|j| trials.value(t, j).unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        let pbo = stats::pbo(&rows, self.blocks, PboMetric::Sharpe)
            .map_err(|e| CheckError::msg(format!("PBO cannot be computed: {e}")))?;
        #[allow(clippy::cast_precision_loss)] // counts of combinations are small
        let probability_of_loss = pbo.out_of_sample.iter().filter(|v| **v < 0.0).count() as f64
            / pbo.combinations.max(1) as f64;
        let evidence = OverfittingEvidence {
            pbo: pbo.pbo,
            dsr,
            trials: n_trials,
            blocks: pbo.blocks,
            combinations: pbo.combinations,
            sharpe_per_period: m.sharpe,
            expected_max_sharpe: expected,
            sharpe_variance: variance,
            probability_of_loss,
            max_pbo: self.max_pbo,
            min_dsr: self.min_dsr,
        };
        let mut problems = Vec::new();
        if pbo.pbo >= self.max_pbo {
            problems.push(format!(
                "the in-sample best of {n_trials} trials ranks below the median out of sample in {:.0}% of {} splits (PBO, limit {:.0}%)",
                pbo.pbo * 100.0,
                pbo.combinations,
                self.max_pbo * 100.0
            ));
        }
        if dsr.is_nan() || dsr < self.min_dsr {
            problems.push(format!(
                "the Deflated Sharpe Ratio is {dsr:.3} (minimum {}): after {n_trials} trials the backtest's Sharpe is not distinguishable from luck",
                self.min_dsr
            ));
        }
        let outcome = if problems.is_empty() {
            Outcome::pass(format!(
                "PBO {:.1}% over {} splits and DSR {dsr:.3} for {n_trials} trials",
                pbo.pbo * 100.0,
                pbo.combinations
            ))
        } else {
            Outcome::fail(problems.join("; "))
        };
        let mut outcome = with_artifacts(outcome.with_evidence(&evidence), &bt);
        for artifact in trials.artifacts() {
            outcome = outcome.with_artifact(artifact);
        }
        Ok(outcome)
    }
}
