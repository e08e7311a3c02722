//! The seed's "Backtesting Results" lines and "Backtesting completed with
//! minimum 2 years of data", judged on `[inputs.backtest]`.

use std::sync::Arc;

use jiff::civil::Date;
use preflight_core::{Check, CheckError, ChecklistItem, Context, Evidence, Outcome};
use serde::Serialize;

use super::series::{Backtest, Dates, Trials};
use super::stats;

/// The backtest input every item here reads.
pub(crate) fn backtest(cx: &Context) -> Result<Arc<Backtest>, CheckError> {
    cx.input::<Backtest>("backtest")
}

/// `periods_per_year` as the statistics take it: a whole, positive number.
pub(crate) fn periods_per_year(bt: &Backtest) -> Result<u32, CheckError> {
    let ppy = bt.periods_per_year;
    if ppy.fract() != 0.0 || !(1.0..=1_000_000.0).contains(&ppy) {
        return Err(CheckError::Input {
            name: "backtest".to_owned(),
            message: format!(
                "`periods_per_year` = {ppy} must be a whole number of periods (252 for daily equities, 365 for 24/7 venues)"
            ),
        });
    }
    // Checked above: a whole number in range.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(ppy as u32)
}

/// The per-period (not annualised) Sharpe ratio and the moments PSR needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Moments {
    pub(crate) sharpe: f64,
    pub(crate) skew: f64,
    pub(crate) kurtosis: f64,
}

/// The moments of the returns net of the risk-free rate, from a summary of
/// the returns themselves: subtracting a constant moves only the mean.
pub(crate) fn moments(bt: &Backtest, summary: &stats::Summary) -> Option<Moments> {
    Some(Moments {
        sharpe: summary.sharpe_ratio(bt.risk_free, 1)?,
        skew: summary.skewness?,
        kurtosis: summary.kurtosis?,
    })
}

fn degenerate(what: &str) -> CheckError {
    CheckError::msg(format!(
        "the backtest returns have no {what}: fewer than 2 observations or no variation at all"
    ))
}

/// The date of period `i`, or the day before the series when `None` (the
/// wealth of 1 before the first return).
fn date_at(bt: &Backtest, i: Option<usize>) -> Option<Date> {
    match i {
        Some(i) => bt.dates.get(i),
        None => bt.dates.first(),
    }
}

/// Annualised Sharpe ratio of the backtest at or above the minimum, with the
/// Probabilistic Sharpe Ratio (Bailey and López de Prado) against zero: a high
/// Sharpe on a short, skewed or fat-tailed track record is not trusted.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "strategy.backtest.sharpe-ratio",
    title = "Sharpe ratio > 1.0",
    group = "Backtesting Results",
    severity = "critical",
    owner = "trading-strategist",
    inputs = ["backtest"],
    remediation = "improve the strategy or lower its risk; a Sharpe below the minimum does not pay for its risk"
)]
pub struct SharpeRatio {
    /// The lowest acceptable annualised Sharpe ratio.
    pub min: f64,
    /// The PSR against zero below which the track record is too short to trust (a warning).
    pub min_psr: f64,
}

impl Default for SharpeRatio {
    fn default() -> Self {
        SharpeRatio {
            min: 1.0,
            min_psr: 0.95,
        }
    }
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "Sharpe {sharpe_ratio:.2} over {observations} periods (minimum {min}), PSR {psr:.3}"
)]
struct SharpeEvidence {
    sharpe_ratio: f64,
    psr: f64,
    observations: usize,
    min: f64,
    periods_per_year: u32,
    sortino_ratio: Option<f64>,
    annual_volatility: Option<f64>,
    cagr: Option<f64>,
    skewness: f64,
    kurtosis: f64,
    /// Periods of track record PSR needs to reach `min_psr` (None when the Sharpe is not positive).
    min_track_record_length: Option<f64>,
}

impl Check for SharpeRatio {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let bt = backtest(cx)?;
        let ppy = periods_per_year(&bt)?;
        // One summary (two passes) serves every statistic reported here: the
        // series may hold millions of periods.
        let summary = bt
            .profile()
            .summary
            .ok_or_else(|| degenerate("Sharpe ratio"))?;
        let sharpe = summary
            .sharpe_ratio(bt.risk_free, ppy)
            .ok_or_else(|| degenerate("Sharpe ratio"))?;
        let m = moments(&bt, &summary).ok_or_else(|| degenerate("Sharpe ratio"))?;
        let psr = stats::psr(m.sharpe, 0.0, bt.len(), m.skew, m.kurtosis);
        let min_trl =
            stats::min_track_record_length(m.sharpe, 0.0, m.skew, m.kurtosis, self.min_psr);
        let evidence = SharpeEvidence {
            sharpe_ratio: sharpe,
            psr,
            observations: bt.len(),
            min: self.min,
            periods_per_year: ppy,
            sortino_ratio: summary.sortino_ratio(ppy),
            annual_volatility: summary.annual_volatility(ppy),
            cagr: summary.cagr(ppy),
            skewness: m.skew,
            kurtosis: m.kurtosis,
            min_track_record_length: min_trl,
        };
        let outcome = if sharpe < self.min {
            Outcome::fail(format!(
                "the annualised Sharpe ratio {sharpe:.2} is below the minimum {}",
                self.min
            ))
        } else if psr.is_nan() || psr < self.min_psr {
            let needed = min_trl.map_or_else(
                || "a longer record".to_owned(),
                |n| format!("{n:.0} periods ({:.1} years)", n / f64::from(ppy)),
            );
            Outcome::warn(format!(
                "Sharpe {sharpe:.2} meets the minimum, but the probability that the true Sharpe is above 0 is only {psr:.3} (PSR, wanted {}): {} periods are too short to trust it; it needs {needed}",
                self.min_psr,
                bt.len()
            ))
        } else {
            Outcome::pass(format!(
                "the annualised Sharpe ratio {sharpe:.2} meets the minimum {} (PSR {psr:.3})",
                self.min
            ))
        };
        Ok(with_artifacts(outcome.with_evidence(&evidence), &bt))
    }
}

pub(crate) fn with_artifacts(mut outcome: Outcome, bt: &Backtest) -> Outcome {
    for artifact in bt.artifacts() {
        outcome = outcome.with_artifact(artifact);
    }
    outcome
}

/// Maximum drawdown of compounded wealth below the limit, with the dates of
/// its peak, trough and recovery.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "strategy.backtest.max-drawdown",
    title = "Maximum drawdown < 25%",
    group = "Backtesting Results",
    severity = "critical",
    owner = "trading-strategist",
    inputs = ["backtest"],
    remediation = "reduce position sizes or add risk controls until the worst peak-to-trough loss is within the limit"
)]
pub struct MaxDrawdown {
    /// The largest acceptable drawdown, as a fraction (0.25 = 25 %).
    pub max: f64,
}

impl Default for MaxDrawdown {
    fn default() -> Self {
        MaxDrawdown { max: 0.25 }
    }
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "max drawdown {max_drawdown:.4} (limit {max})")]
struct DrawdownEvidence {
    max_drawdown: f64,
    peak_date: Option<Date>,
    trough_date: Option<Date>,
    recovery_date: Option<Date>,
    max: f64,
    observations: usize,
}

impl Check for MaxDrawdown {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let bt = backtest(cx)?;
        if bt.len() < 2 {
            return Err(degenerate("drawdown"));
        }
        let dd = bt.profile().drawdown;
        let evidence = DrawdownEvidence {
            max_drawdown: dd.max_drawdown,
            peak_date: dd.trough.and_then(|_| date_at(&bt, dd.peak)),
            trough_date: dd.trough.and_then(|t| bt.dates.get(t)),
            recovery_date: dd.recovery.and_then(|r| bt.dates.get(r)),
            max: self.max,
            observations: bt.len(),
        };
        let when = match (evidence.peak_date, evidence.trough_date) {
            (Some(peak), Some(trough)) => {
                let recovered = evidence
                    .recovery_date
                    .map_or_else(|| "not recovered".to_owned(), |d| format!("recovered {d}"));
                format!(" from {peak} to {trough}, {recovered}")
            }
            _ => String::new(),
        };
        let pct = dd.max_drawdown * 100.0;
        let outcome = if dd.max_drawdown >= self.max {
            Outcome::fail(format!(
                "the maximum drawdown {pct:.1}%{when} reaches the {:.1}% limit",
                self.max * 100.0
            ))
        } else {
            Outcome::pass(format!(
                "the maximum drawdown {pct:.1}%{when} is within the {:.1}% limit",
                self.max * 100.0
            ))
        };
        Ok(with_artifacts(outcome.with_evidence(&evidence), &bt))
    }
}

/// Share of winning periods (or trades, when the backtest lists trades with
/// their P&L) at or above the minimum the desk expects.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "strategy.backtest.win-rate",
    title = "Win rate meets expectations",
    group = "Backtesting Results",
    severity = "medium",
    owner = "trading-strategist",
    inputs = ["backtest"]
)]
pub struct WinRate {
    /// The lowest acceptable win rate, as a fraction of decided periods or trades.
    pub min: f64,
}

impl Default for WinRate {
    fn default() -> Self {
        WinRate { min: 0.5 }
    }
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "win rate {win_rate:.3} per {basis} ({wins} wins, {losses} losses)")]
struct WinRateEvidence {
    win_rate: f64,
    wins: usize,
    losses: usize,
    basis: &'static str,
    min: f64,
}

impl Check for WinRate {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let bt = backtest(cx)?;
        let (rate, basis) = match bt.trades.as_ref().and_then(|t| t.pnl.as_deref()) {
            Some(pnl) => (stats::win_rate(pnl), "trade"),
            None => (bt.profile().win_rate, "period"),
        };
        let win_rate = rate.win_rate.ok_or_else(|| {
            CheckError::msg(format!(
                "no {basis} of the backtest won or lost anything: there is no win rate to judge"
            ))
        })?;
        let evidence = WinRateEvidence {
            win_rate,
            wins: rate.wins,
            losses: rate.losses,
            basis,
            min: self.min,
        };
        let outcome = if win_rate < self.min {
            Outcome::fail(format!(
                "{:.1}% of {basis}s win, below the expected {:.1}%",
                win_rate * 100.0,
                self.min * 100.0
            ))
        } else {
            Outcome::pass(format!(
                "{:.1}% of {basis}s win (expected at least {:.1}%)",
                win_rate * 100.0,
                self.min * 100.0
            ))
        };
        Ok(with_artifacts(outcome.with_evidence(&evidence), &bt))
    }
}

/// The regimes of a backtest of `returns` on `dates`: its three volatility
/// terciles (calm, normal, turbulent) over `window`-period windows, then its
/// calendar years.
fn split_regimes(
    dates: &Dates,
    returns: &[f64],
    risk_free: f64,
    window: usize,
    ppy: u32,
) -> Result<Vec<Regime>, CheckError> {
    let too_few = |periods: usize| {
        CheckError::msg(format!(
            "{periods} periods are too few to split into volatility regimes with a {window}-period window"
        ))
    };
    // Three windows at least, and one more period.
    if returns.len() < window + 3 {
        return Err(too_few(returns.len()));
    }
    // The years on another thread.
    let (volatility, years) = std::thread::scope(|scope| {
        let other = scope.spawn(|| {
            let runs = dates.runs().map(|(date, periods)| (date, periods.len()));
            stats::yearly_regimes(runs, returns, risk_free, ppy)
        });
        let volatility = stats::volatility_regimes(returns, window, risk_free, ppy);
        other.join().map(|years| (volatility, years))
    })
    .map_err(|_| CheckError::msg("the regime split failed"))?;
    let Some(volatility) = volatility else {
        return Err(too_few(returns.len()));
    };
    let regime = |name: String, kind: &'static str, stats: &stats::RegimeStats| Regime {
        name,
        kind,
        observations: stats.observations,
        sharpe_ratio: stats.sharpe_ratio,
        max_drawdown: stats.max_drawdown,
    };
    let mut regimes: Vec<Regime> = ["calm", "normal", "turbulent"]
        .into_iter()
        .zip(&volatility)
        .map(|(name, stats)| regime(format!("{name} volatility"), "volatility", stats))
        .collect();
    regimes.extend(
        years
            .iter()
            .map(|(year, stats)| regime(year.to_string(), "year", stats)),
    );
    Ok(regimes)
}

/// The strategy works in more than one market regime: the history is split
/// by realized-volatility terciles (calm, normal, turbulent) and by calendar
/// year, and each regime's Sharpe ratio and drawdown are reported.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "strategy.backtest.market-regimes",
    title = "Tested across multiple market regimes",
    group = "Backtesting Results",
    severity = "high",
    owner = "trading-strategist",
    inputs = ["backtest"]
)]
pub struct MarketRegimes {
    /// Periods in the rolling window of realized volatility.
    pub vol_window: usize,
    /// How many of the three volatility regimes must have a Sharpe above `min_regime_sharpe`.
    pub min_positive_regimes: usize,
    /// The Sharpe a regime needs to count as one where the strategy works.
    pub min_regime_sharpe: f64,
}

impl Default for MarketRegimes {
    fn default() -> Self {
        MarketRegimes {
            vol_window: 21,
            min_positive_regimes: 2,
            min_regime_sharpe: 0.0,
        }
    }
}

/// One regime's performance.
#[derive(Debug, Clone, Serialize)]
struct Regime {
    name: String,
    kind: &'static str,
    observations: usize,
    sharpe_ratio: Option<f64>,
    max_drawdown: f64,
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "{positive_regimes} of 3 volatility regimes with Sharpe above {min_regime_sharpe}"
)]
struct RegimeEvidence {
    regimes: Vec<Regime>,
    positive_regimes: usize,
    min_positive_regimes: usize,
    min_regime_sharpe: f64,
}

impl Check for MarketRegimes {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let bt = backtest(cx)?;
        let ppy = periods_per_year(&bt)?;
        let window = self.vol_window.max(2);
        let regimes = split_regimes(&bt.dates, &bt.returns, bt.risk_free, window, ppy)?;
        let positive = regimes[..3]
            .iter()
            .filter(|r| r.sharpe_ratio.is_some_and(|s| s > self.min_regime_sharpe))
            .count();
        let evidence = RegimeEvidence {
            regimes,
            positive_regimes: positive,
            min_positive_regimes: self.min_positive_regimes,
            min_regime_sharpe: self.min_regime_sharpe,
        };
        let describe = evidence.regimes[..3]
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r.name,
                    r.sharpe_ratio
                        .map_or_else(|| "n/a".to_owned(), |s| format!("{s:.2}"))
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let outcome = if positive < self.min_positive_regimes {
            Outcome::fail(format!(
                "the strategy works in only {positive} of 3 volatility regimes (Sharpe: {describe}); it needs {}",
                self.min_positive_regimes
            ))
        } else {
            Outcome::pass(format!(
                "the strategy works in {positive} of 3 volatility regimes (Sharpe: {describe})"
            ))
        };
        Ok(with_artifacts(outcome.with_evidence(&evidence), &bt))
    }
}

/// The backtest's trades carry their costs (fees or commissions, and
/// slippage), and what they cost is reported as a share of gross P&L.
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "strategy.backtest.costs-included",
    title = "Slippage and transaction costs included",
    group = "Backtesting Results",
    severity = "critical",
    owner = "trading-strategist",
    inputs = ["backtest"],
    remediation = "model fees, commissions and slippage in the backtest and export them in the trades file (`fee`, `commission`, `slippage` columns)"
)]
pub struct CostsIncluded {
    /// Also require a slippage column (not only fees or commissions).
    pub require_slippage: bool,
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{trades} trades, costs {total_costs:.2} ({cost_columns:?})")]
struct CostsEvidence {
    trades: usize,
    cost_columns: Vec<&'static str>,
    total_costs: f64,
    net_pnl: Option<f64>,
    gross_pnl: Option<f64>,
    cost_share_of_gross_pnl: Option<f64>,
}

impl Check for CostsIncluded {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let bt = backtest(cx)?;
        let trades = bt.trades.as_ref().ok_or_else(|| CheckError::Input {
            name: "backtest".to_owned(),
            message: "no trades file: set `trades = \"<csv>\"` in [inputs.backtest], one row per fill or round trip with its `fee`/`commission` and `slippage`".to_owned(),
        })?;
        let columns = trades.cost_columns();
        let costs: Vec<f64> = trades.costs().unwrap_or_default();
        let total: f64 = costs.iter().sum();
        let net: Option<f64> = trades.pnl.as_ref().map(|p| p.iter().sum());
        // The trades' P&L is after costs, as a broker statement shows it.
        let gross = net.map(|n| n + total);
        let evidence = CostsEvidence {
            trades: trades.len(),
            cost_columns: columns.clone(),
            total_costs: total,
            net_pnl: net,
            gross_pnl: gross,
            cost_share_of_gross_pnl: gross.filter(|g| *g > 0.0).map(|g| total / g),
        };
        let outcome = if columns.is_empty() {
            Outcome::fail(format!(
                "the {} trades carry no cost column (`fee`, `commission`, `slippage`): the backtest ignores transaction costs",
                trades.len()
            ))
        } else if total <= 0.0 {
            Outcome::fail(format!(
                "the cost columns {columns:?} are all zero over {} trades: costs are not modelled",
                trades.len()
            ))
        } else if self.require_slippage && !columns.contains(&"slippage") {
            Outcome::fail("the trades carry fees but no `slippage` column")
        } else {
            let share = evidence
                .cost_share_of_gross_pnl
                .map_or_else(String::new, |s| format!(", {:.1}% of gross P&L", s * 100.0));
            Outcome::pass(format!(
                "{} trades carry {columns:?}: costs {total:.2}{share}",
                trades.len()
            ))
        };
        Ok(with_artifacts(outcome.with_evidence(&evidence), &bt))
    }
}

/// Performance holds out of sample: the Sharpe ratio after `oos_start` is
/// compared with the Sharpe before it.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "strategy.backtest.out-of-sample",
    title = "Out-of-sample testing performed",
    group = "Backtesting Results",
    severity = "high",
    owner = "trading-strategist",
    inputs = ["backtest"],
    remediation = "hold out the most recent data (`oos_start` in [inputs.backtest]) and re-examine a strategy whose edge collapses on it"
)]
pub struct OutOfSample {
    /// The out-of-sample Sharpe must be at least this fraction of the in-sample Sharpe.
    pub min_ratio: f64,
}

impl Default for OutOfSample {
    fn default() -> Self {
        OutOfSample { min_ratio: 0.5 }
    }
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "Sharpe {in_sample_sharpe:.2} in sample, {out_of_sample_sharpe:.2} out of sample from {oos_start}"
)]
struct OosEvidence {
    oos_start: Date,
    in_sample_observations: usize,
    out_of_sample_observations: usize,
    in_sample_sharpe: f64,
    out_of_sample_sharpe: f64,
    ratio: Option<f64>,
    min_ratio: f64,
}

impl Check for OutOfSample {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let bt = backtest(cx)?;
        let ppy = periods_per_year(&bt)?;
        let (Some(oos_start), Some(oos)) = (bt.oos_start, bt.out_of_sample()) else {
            return Err(CheckError::Input {
                name: "backtest".to_owned(),
                message: "no out-of-sample period: set `oos_start = YYYY-MM-DD` in [inputs.backtest], the first date the strategy's research never saw".to_owned(),
            });
        };
        let is = bt.in_sample();
        let sharpe = |r: &[f64], part: &str| {
            stats::sharpe_ratio(r, bt.risk_free, ppy).ok_or_else(|| {
                CheckError::msg(format!(
                    "the {part} period has too few or constant returns for a Sharpe ratio"
                ))
            })
        };
        let is_sharpe = sharpe(is, "in-sample")?;
        let oos_sharpe = sharpe(oos, "out-of-sample")?;
        let ratio = (is_sharpe > 0.0).then(|| oos_sharpe / is_sharpe);
        let evidence = OosEvidence {
            oos_start,
            in_sample_observations: is.len(),
            out_of_sample_observations: oos.len(),
            in_sample_sharpe: is_sharpe,
            out_of_sample_sharpe: oos_sharpe,
            ratio,
            min_ratio: self.min_ratio,
        };
        let outcome = match ratio {
            None => Outcome::fail(format!(
                "the in-sample Sharpe {is_sharpe:.2} is not positive: there is no edge to confirm out of sample"
            )),
            Some(ratio) if oos_sharpe <= 0.0 || ratio < self.min_ratio => Outcome::fail(format!(
                "the Sharpe collapses out of sample: {oos_sharpe:.2} after {oos_start} against {is_sharpe:.2} before ({:.0}% of it, at least {:.0}% expected)",
                ratio * 100.0,
                self.min_ratio * 100.0
            )),
            Some(ratio) => Outcome::pass(format!(
                "the Sharpe holds out of sample: {oos_sharpe:.2} after {oos_start} against {is_sharpe:.2} before ({:.0}%)",
                ratio * 100.0
            )),
        };
        Ok(with_artifacts(outcome.with_evidence(&evidence), &bt))
    }
}

/// Walk-forward analysis: rolling train and test windows. With
/// `[inputs.trials]`, each train window selects the best configuration by
/// Sharpe and the next test window measures it (re-optimization, as a desk
/// would run it); without, the deployed series is measured window by window.
/// Reports the walk-forward efficiency (annualised test return over
/// annualised train return) and the share of positive test windows.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "strategy.backtest.walk-forward",
    title = "Walk-forward analysis completed",
    group = "Backtesting Results",
    severity = "high",
    owner = "trading-strategist",
    inputs = ["backtest", "trials"]
)]
pub struct WalkForward {
    /// Periods in each train window.
    pub train: usize,
    /// Periods in each test window (also the step).
    pub test: usize,
    /// The lowest acceptable walk-forward efficiency.
    pub min_efficiency: f64,
    /// The lowest acceptable share of test windows with a positive return.
    pub min_positive_share: f64,
    /// Fewest windows for a verdict.
    pub min_windows: usize,
}

impl Default for WalkForward {
    fn default() -> Self {
        WalkForward {
            train: 252,
            test: 63,
            min_efficiency: 0.5,
            min_positive_share: 0.5,
            min_windows: 2,
        }
    }
}

/// One train/test window.
#[derive(Debug, Clone, Serialize)]
struct Window {
    train_start: Date,
    test_start: Date,
    test_end: Date,
    selected: Option<String>,
    train_annual_return: f64,
    test_annual_return: f64,
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "{windows_count} windows, efficiency {efficiency:.2}, {positive_share:.2} of test windows positive"
)]
struct WalkForwardEvidence {
    mode: &'static str,
    windows_count: usize,
    efficiency: f64,
    positive_share: f64,
    /// Which windows `windows` lists: all of them, or the worst
    /// [`LISTED_WINDOWS`] by test return (a minute-bar history has
    /// hundreds of thousands).
    windows_listed: &'static str,
    windows: Vec<Window>,
}

/// The most windows the evidence lists.
const LISTED_WINDOWS: usize = 100;

impl Check for WalkForward {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let bt = backtest(cx)?;
        let ppy = f64::from(periods_per_year(&bt)?);
        let (train, test) = (self.train.max(2), self.test.max(1));
        let trials = if cx.config().inputs.contains_key("trials") {
            Some(cx.input::<Trials>("trials")?)
        } else {
            None
        };
        let trial_dates;
        let (dates, columns, names): (&Dates, Vec<&[f64]>, Vec<&str>) = match &trials {
            Some(t) => {
                trial_dates = Dates::from(&t.dates[..]);
                (
                    &trial_dates,
                    t.iter().map(|(_, c)| c).collect(),
                    t.iter().map(|(n, _)| n).collect(),
                )
            }
            None => (&bt.dates, vec![&bt.returns[..]], vec!["backtest"]),
        };
        let windows = walk(dates, &columns, &names, trials.is_some(), ppy, train, test);
        if windows.len() < self.min_windows {
            return Err(CheckError::msg(format!(
                "{} periods give {} walk-forward windows of {train} train and {test} test periods; at least {} are needed: lengthen the history or shorten the windows",
                dates.len(),
                windows.len(),
                self.min_windows
            )));
        }
        let count = windows.len();
        #[allow(clippy::cast_precision_loss)] // window counts are small
        let n = count as f64;
        let train_mean = windows.iter().map(|w| w.train_annual_return).sum::<f64>() / n;
        let test_mean = windows.iter().map(|w| w.test_annual_return).sum::<f64>() / n;
        #[allow(clippy::cast_precision_loss)]
        let positive = windows
            .iter()
            .filter(|w| w.test_annual_return > 0.0)
            .count() as f64
            / n;
        let efficiency = if train_mean > 0.0 {
            test_mean / train_mean
        } else {
            f64::NEG_INFINITY
        };
        let (windows_listed, windows) = listed(windows);
        let evidence = WalkForwardEvidence {
            mode: if trials.is_some() {
                "re-optimized over [inputs.trials]"
            } else {
                "fixed strategy"
            },
            windows_count: count,
            efficiency: if efficiency.is_finite() {
                efficiency
            } else {
                0.0
            },
            positive_share: positive,
            windows_listed,
            windows,
        };
        let outcome = if train_mean <= 0.0 {
            Outcome::fail(
                "the train windows lose money on average: there is nothing to walk forward",
            )
        } else if efficiency < self.min_efficiency || positive < self.min_positive_share {
            Outcome::fail(format!(
                "walk-forward efficiency {efficiency:.2} (minimum {}) with {:.0}% of {count} test windows positive (minimum {:.0}%)",
                self.min_efficiency,
                positive * 100.0,
                self.min_positive_share * 100.0
            ))
        } else {
            Outcome::pass(format!(
                "walk-forward efficiency {efficiency:.2} with {:.0}% of {count} test windows positive",
                positive * 100.0
            ))
        };
        let mut outcome = with_artifacts(outcome.with_evidence(&evidence), &bt);
        if let Some(t) = &trials {
            for artifact in t.artifacts() {
                outcome = outcome.with_artifact(artifact);
            }
        }
        Ok(outcome)
    }
}

/// The windows the evidence lists: all, or the [`LISTED_WINDOWS`] with the
/// lowest test return, in date order.
fn listed(mut windows: Vec<Window>) -> (&'static str, Vec<Window>) {
    if windows.len() <= LISTED_WINDOWS {
        return ("all", windows);
    }
    windows.select_nth_unstable_by(LISTED_WINDOWS, |a, b| {
        a.test_annual_return.total_cmp(&b.test_annual_return)
    });
    windows.truncate(LISTED_WINDOWS);
    windows.sort_by_key(|w| w.test_start);
    ("the 100 with the lowest test return", windows)
}

/// The train/test windows of a walk forward over `columns` (one per
/// configuration): in each train window the configuration with the best
/// Sharpe is selected, and both windows' annualised mean returns recorded.
fn walk(
    dates: &Dates,
    columns: &[&[f64]],
    names: &[&str],
    label_selection: bool,
    ppy: f64,
    train: usize,
    test: usize,
) -> Vec<Window> {
    let annual = |r: &[f64]| stats::mean(r).unwrap_or(0.0) * ppy;
    let mut windows = Vec::new();
    let mut start = 0;
    while start + train + test <= dates.len() {
        let (tr, te) = (start..start + train, start + train..start + train + test);
        let sharpe = |j: usize| {
            stats::sharpe_ratio(&columns[j][tr.clone()], 0.0, 1).unwrap_or(f64::NEG_INFINITY)
        };
        let best = (0..columns.len())
            .max_by(|&a, &b| sharpe(a).total_cmp(&sharpe(b)))
            .unwrap_or(0);
        let (Some(train_start), Some(test_start), Some(test_end)) = (
            dates.get(tr.start),
            dates.get(te.start),
            dates.get(te.end - 1),
        ) else {
            break;
        };
        windows.push(Window {
            train_start,
            test_start,
            test_end,
            selected: label_selection.then(|| names[best].to_owned()),
            train_annual_return: annual(&columns[best][tr]),
            test_annual_return: annual(&columns[best][te]),
        });
        start += test;
    }
    windows
}

/// The backtest covers at least the minimum history, in calendar years from
/// its first to its last date.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "code.testing.backtest-history",
    title = "Backtesting completed with minimum 2 years of data",
    group = "Testing",
    severity = "critical",
    owner = "trading-strategist",
    inputs = ["backtest"],
    remediation = "extend the backtest to cover the minimum history, including at least one full stress period"
)]
pub struct BacktestHistory {
    /// The shortest acceptable history, in years of 365.25 days.
    pub min_years: f64,
}

impl Default for BacktestHistory {
    fn default() -> Self {
        BacktestHistory { min_years: 2.0 }
    }
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{years:.2} years from {start} to {end} ({observations} observations)")]
struct HistoryEvidence {
    years: f64,
    start: Date,
    end: Date,
    observations: usize,
    min_years: f64,
}

impl Check for BacktestHistory {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let bt = backtest(cx)?;
        let (Some(start), Some(end)) = (bt.first_date(), bt.last_date()) else {
            return Err(degenerate("dates"));
        };
        let days = (end - start).get_days();
        let years = f64::from(days) / 365.25;
        let evidence = HistoryEvidence {
            years,
            start,
            end,
            observations: bt.len(),
            min_years: self.min_years,
        };
        let outcome = if years < self.min_years {
            Outcome::fail(format!(
                "the backtest covers {years:.2} years ({start} to {end}), less than the minimum {}",
                self.min_years
            ))
        } else {
            Outcome::pass(format!(
                "the backtest covers {years:.2} years ({start} to {end})"
            ))
        };
        Ok(with_artifacts(outcome.with_evidence(&evidence), &bt))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regimes_name_the_volatility_terciles_then_the_years() {
        let returns: Vec<f64> = (0..600)
            .map(|i| {
                let scale = if (i / 100) % 2 == 0 { 0.03 } else { 0.01 };
                0.0005 + scale * if i % 3 == 0 { 1.0 } else { -0.45 }
            })
            .collect();
        let mut days = Vec::new();
        let mut day = jiff::civil::date(2020, 12, 1);
        for _ in &returns {
            days.push(day);
            day = day.tomorrow().unwrap();
        }
        let dates = Dates::from(&days[..]);
        let regimes = split_regimes(&dates, &returns, 0.0, 21, 252).unwrap();
        let names: Vec<&str> = regimes.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "calm volatility",
                "normal volatility",
                "turbulent volatility",
                "2020",
                "2021",
                "2022"
            ]
        );
        assert_eq!(
            regimes[..3].iter().map(|r| r.observations).sum::<usize>(),
            600 + 1 - 21
        );
        assert_eq!(regimes[3].observations, 31);
        assert_eq!(regimes[4].observations, 365);
        assert!(regimes[..3].iter().all(|r| r.kind == "volatility"));
        assert!(regimes[3..].iter().all(|r| r.kind == "year"));
        // Fewer than three windows: an error, never a panic.
        let first = Dates::from(&days[..22]);
        let error = split_regimes(&first, &returns[..22], 0.0, 21, 252).unwrap_err();
        assert!(error.to_string().contains("too few"), "{error}");
    }
}
