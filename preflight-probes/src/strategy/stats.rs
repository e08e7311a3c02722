//! Backtest statistics: performance ratios, drawdown, market regimes, the
//! probabilistic and deflated Sharpe ratios, the probability of backtest
//! overfitting and drift tests, each a pure function of plain slices.
//!
//! Nothing here knows about checks, files or configuration, so every function
//! can be reused, tested against reference values and fuzzed on its own.
//!
//! # Conventions
//!
//! - **Returns** are simple per-period returns as fractions (`0.01` is +1 %),
//!   in time order, one per period. Callers drop missing periods first, as
//!   empyrical drops `NaN`; the functions here assume finite input, never
//!   panic on `NaN` or infinities, but then return meaningless numbers.
//! - **`periods_per_year`** is the annualisation factor: 252 for daily
//!   returns ([`DEFAULT_PERIODS_PER_YEAR`]), 52 weekly, 12 monthly, 1 yearly.
//!   Annualised functions return `None` when it is 0.
//! - **Risk-free and required returns** are per period, like the returns.
//! - **Standard deviations** are sample standard deviations (`ddof = 1`);
//!   skewness and kurtosis are population (biased) moments, as
//!   `scipy.stats.skew` and `scipy.stats.kurtosis(fisher=False)` compute them.
//! - **Degenerate input** (too few observations, zero dispersion) gives `None`
//!   rather than `NaN` or an infinity, except where a function documents
//!   otherwise.
//!
//! The definitions follow [empyrical](https://github.com/quantopian/empyrical)
//! (and its fork empyrical-reloaded), so results match the Python ecosystem;
//! the unit tests reproduce empyrical's own test vectors.
//!
//! ```
//! use preflight_probes::strategy::stats;
//!
//! // empyrical's `mixed_returns` test series, without its leading NaN.
//! let returns = [0.01, 0.10, -0.04, 0.02, 0.03, 0.02, 0.01, -0.10];
//! let sharpe = stats::sharpe_ratio(&returns, 0.0, 252).unwrap();
//! assert!((sharpe - 1.723_861_396_170_686_6).abs() < 1e-12);
//! assert!((stats::max_drawdown(&returns).max_drawdown - 0.10).abs() < 1e-12);
//! ```
//!
//! # The Sharpe ratio of PSR, DSR and the minimum track record length
//!
//! [`psr`], [`deflated_sharpe_ratio`], [`min_track_record_length`] and
//! [`expected_max_sharpe`] take the Sharpe ratio **per period, not
//! annualised** (mean over sample standard deviation of the per-period
//! returns), as Bailey and López de Prado define them. Divide an annualised
//! Sharpe ratio by `√periods_per_year` first; a variance of annualised Sharpe
//! ratios divides by `periods_per_year`.

use statrs::distribution::{ContinuousCDF, Normal};

mod regimes;

pub use regimes::{REGIME_SAMPLE, RegimeStats, volatility_regimes, yearly_regimes};

/// The annualisation factor of daily returns: 252 trading days a year.
pub const DEFAULT_PERIODS_PER_YEAR: u32 = 252;

/// The Euler–Mascheroni constant γ, used by [`expected_max_sharpe`].
pub const EULER_MASCHERONI: f64 = 0.577_215_664_901_532_9;

/// The number of blocks `S` that [`pbo`] is usually run with: C(16, 8) =
/// 12 870 combinations.
pub const DEFAULT_PBO_BLOCKS: usize = 16;

/// The largest number of blocks [`pbo`] accepts: C(24, 12) ≈ 2.7·10⁶
/// combinations, about 5 s over 100 trials; every further step of two blocks
/// would cost about four times more.
pub const MAX_PBO_BLOCKS: usize = 24;

/// The floor of bin proportions in [`psi`], so that an empty bin does not
/// make the index infinite.
pub const PSI_FLOOR: f64 = 1e-4;

/// A count as `f64`.
#[allow(
    clippy::cast_precision_loss,
    reason = "counts of observations stay far below 2^52, where f64 is exact"
)]
fn count(n: usize) -> f64 {
    n as f64
}

/// Whether every value equals the first, so that the dispersion is exactly
/// zero even where the computed mean is off by a rounding error.
#[allow(
    clippy::float_cmp,
    reason = "exact equality is the point: only a truly constant series has zero dispersion"
)]
fn is_constant(xs: &[f64]) -> bool {
    xs.split_first()
        .is_none_or(|(first, rest)| rest.iter().all(|x| x == first))
}

/// Running sums a long reduction keeps side by side (see [`Summary::of`]).
const LANES: usize = 8;

/// Calls `each(lane, value)` for every value, the `i`-th in lane `i % LANES`.
#[inline]
fn lanes(xs: &[f64], mut each: impl FnMut(usize, f64)) {
    let mut chunks = xs.chunks_exact(LANES);
    for chunk in chunks.by_ref() {
        for (k, x) in chunk.iter().enumerate() {
            each(k, *x);
        }
    }
    for (k, x) in chunks.remainder().iter().enumerate() {
        each(k, *x);
    }
}

/// The sum of the lanes' sums, added pairwise.
#[inline]
fn total(lanes: [f64; LANES]) -> f64 {
    let pairs: [f64; LANES / 2] = std::array::from_fn(|i| lanes[2 * i] + lanes[2 * i + 1]);
    (pairs[0] + pairs[1]) + (pairs[2] + pairs[3])
}

/// Arithmetic mean, `Σ xᵢ / n`, in the unit of the values.
///
/// Returns `None` for an empty slice.
#[must_use]
pub fn mean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    Some(xs.iter().sum::<f64>() / count(xs.len()))
}

/// Mean and sample standard deviation of `xᵢ − shift`.
fn mean_and_std(xs: &[f64], shift: f64) -> Option<(f64, f64)> {
    if xs.len() < 2 {
        return None;
    }
    let n = count(xs.len());
    let m = xs.iter().map(|x| x - shift).sum::<f64>() / n;
    if is_constant(xs) {
        return Some((m, 0.0));
    }
    let ss = xs.iter().map(|x| (x - shift - m).powi(2)).sum::<f64>();
    Some((m, (ss / (n - 1.0)).sqrt()))
}

/// Sample standard deviation (`ddof = 1`),
/// `√(Σ (xᵢ − x̄)² / (n − 1))`, in the unit of the values.
///
/// Returns `None` for fewer than 2 values and exactly `0.0` for a constant
/// series.
#[must_use]
pub fn sample_std(xs: &[f64]) -> Option<f64> {
    mean_and_std(xs, 0.0).map(|(_, std)| std)
}

/// The moments of one series in two passes over it, for callers that need
/// several statistics of a long series (the functions below each take one
/// or two passes of their own). Agrees with them to rounding (a test checks).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Summary {
    /// Number of values.
    pub observations: usize,
    /// [`mean`].
    pub mean: f64,
    /// [`sample_std`]; 0 for a constant series.
    pub std: f64,
    /// [`skewness`]; `None` for a constant series.
    pub skewness: Option<f64>,
    /// [`kurtosis`] (raw); `None` for a constant series.
    pub kurtosis: Option<f64>,
    /// Compounded wealth at the end, `Π (1 + rᵢ)`.
    pub wealth: f64,
    /// `Σ min(rᵢ − required, 0)² / n`, the square of the per-period
    /// [`downside_risk`] against `required`.
    pub downside_variance: f64,
    /// The required return of `downside_variance`.
    pub required_return: f64,
}

impl Summary {
    /// The summary of `returns`, with the downside measured below
    /// `required_return`; `None` for fewer than 2 values.
    #[must_use]
    pub fn of(returns: &[f64], required_return: f64) -> Option<Self> {
        if returns.len() < 2 {
            return None;
        }
        // Each pass keeps `LANES` running sums (and products) of every
        // `LANES`-th value, added up at the end: independent chains the
        // processor overlaps, where one chain waits on every addition. Only
        // the order of the additions changes, so the results agree with the
        // one-value-at-a-time functions to rounding.
        let (mut sum, mut wealth) = ([0.0; LANES], [1.0; LANES]);
        lanes(returns, |k, r| {
            sum[k] += r;
            wealth[k] *= 1.0 + r;
        });
        Self::around(
            returns,
            total(sum),
            wealth.iter().product::<f64>(),
            required_return,
        )
    }

    /// The summary of `returns` from their `sum` and final `wealth` (the
    /// first pass): the second pass, the moments around the mean. `None`
    /// for fewer than 2 values.
    fn around(returns: &[f64], sum: f64, wealth: f64, required_return: f64) -> Option<Self> {
        if returns.len() < 2 {
            return None;
        }
        let n = count(returns.len());
        let m = sum / n;
        let (mut m2, mut m3, mut m4, mut down) =
            ([0.0; LANES], [0.0; LANES], [0.0; LANES], [0.0; LANES]);
        lanes(returns, |k, r| {
            let d = r - m;
            let d2 = d * d;
            m2[k] += d2;
            m3[k] += d2 * d;
            m4[k] += d2 * d2;
            let below = (r - required_return).min(0.0);
            down[k] += below * below;
        });
        let (m2, m3, m4, down) = (total(m2), total(m3), total(m4), total(down));
        let constant = is_constant(returns);
        let (p2, p3, p4) = (m2 / n, m3 / n, m4 / n);
        Some(Summary {
            observations: returns.len(),
            mean: m,
            std: if constant {
                0.0
            } else {
                (m2 / (n - 1.0)).sqrt()
            },
            skewness: (!constant).then(|| p3 / p2.powf(1.5)),
            kurtosis: (!constant).then(|| p4 / (p2 * p2)),
            wealth,
            downside_variance: down / n,
            required_return,
        })
    }

    /// [`sharpe_ratio`] against `risk_free` per period.
    #[must_use]
    pub fn sharpe_ratio(&self, risk_free: f64, periods_per_year: u32) -> Option<f64> {
        (self.std > 0.0 && periods_per_year > 0)
            .then(|| (self.mean - risk_free) / self.std * f64::from(periods_per_year).sqrt())
    }

    /// [`sortino_ratio`] against the summary's required return.
    #[must_use]
    pub fn sortino_ratio(&self, periods_per_year: u32) -> Option<f64> {
        if periods_per_year == 0 {
            return None;
        }
        let ppy = f64::from(periods_per_year);
        let excess = (self.mean - self.required_return) * ppy;
        let downside = self.downside_variance.sqrt() * ppy.sqrt();
        if downside > 0.0 {
            Some(excess / downside)
        } else if excess > 0.0 {
            Some(f64::INFINITY)
        } else {
            None
        }
    }

    /// [`annual_volatility`].
    #[must_use]
    pub fn annual_volatility(&self, periods_per_year: u32) -> Option<f64> {
        (periods_per_year > 0).then(|| self.std * f64::from(periods_per_year).sqrt())
    }

    /// [`cagr`].
    #[must_use]
    pub fn cagr(&self, periods_per_year: u32) -> Option<f64> {
        (periods_per_year > 0 && self.wealth >= 0.0).then(|| {
            self.wealth
                .powf(f64::from(periods_per_year) / count(self.observations))
                - 1.0
        })
    }
}

/// Annualised Sharpe ratio (empyrical `sharpe_ratio`):
/// `mean(r − rf) / std(r − rf, ddof = 1) · √periods_per_year`.
///
/// `risk_free` is per period. Dimensionless. With `periods_per_year` = 1 it
/// is the per-period Sharpe ratio that [`psr`] takes. Returns `None` for
/// fewer than 2 returns, a zero standard deviation (empyrical's `inf` or
/// `NaN`) or `periods_per_year` = 0.
#[must_use]
pub fn sharpe_ratio(returns: &[f64], risk_free: f64, periods_per_year: u32) -> Option<f64> {
    if periods_per_year == 0 {
        return None;
    }
    let (excess, std) = mean_and_std(returns, risk_free)?;
    if std == 0.0 {
        return None;
    }
    Some(excess / std * f64::from(periods_per_year).sqrt())
}

/// Annualised downside risk (empyrical `downside_risk`):
/// `√(mean(min(r − required, 0)²)) · √periods_per_year`, over **all**
/// observations (returns above the requirement count as zero).
///
/// `required_return` is per period; the result is an annualised return
/// fraction. Returns `None` for no returns or `periods_per_year` = 0.
#[must_use]
pub fn downside_risk(returns: &[f64], required_return: f64, periods_per_year: u32) -> Option<f64> {
    if returns.is_empty() || periods_per_year == 0 {
        return None;
    }
    let squares = returns
        .iter()
        .map(|r| (r - required_return).min(0.0).powi(2))
        .sum::<f64>();
    Some((squares / count(returns.len())).sqrt() * f64::from(periods_per_year).sqrt())
}

/// Annualised Sortino ratio (empyrical `sortino_ratio`):
/// `mean(r − required) · periods_per_year / downside_risk`, with
/// [`downside_risk`] over all observations.
///
/// Dimensionless. Returns `None` for fewer than 2 returns or
/// `periods_per_year` = 0. When no return falls below `required_return` the
/// downside risk is zero: the ratio is then `Some(f64::INFINITY)` if the mean
/// excess return is positive (empyrical's `inf`) and `None` if it is zero
/// (empyrical's `NaN`).
#[must_use]
pub fn sortino_ratio(returns: &[f64], required_return: f64, periods_per_year: u32) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let risk = downside_risk(returns, required_return, periods_per_year)?;
    let excess = returns.iter().map(|r| r - required_return).sum::<f64>() / count(returns.len());
    let annual = excess * f64::from(periods_per_year);
    if risk > 0.0 {
        Some(annual / risk)
    } else if annual > 0.0 {
        Some(f64::INFINITY)
    } else {
        None
    }
}

/// Annualised volatility (empyrical `annual_volatility`):
/// `std(r, ddof = 1) · √periods_per_year`, an annualised return fraction.
///
/// Returns `None` for fewer than 2 returns or `periods_per_year` = 0.
#[must_use]
pub fn annual_volatility(returns: &[f64], periods_per_year: u32) -> Option<f64> {
    if periods_per_year == 0 {
        return None;
    }
    Some(sample_std(returns)? * f64::from(periods_per_year).sqrt())
}

/// Compound annual growth rate (empyrical `annual_return` and `cagr`):
/// `(Π (1 + rᵢ))^(periods_per_year / n) − 1`, an annual return fraction.
///
/// Returns `None` for no returns, `periods_per_year` = 0, or a final wealth
/// below zero (a return below −100 %); a wipe-out to exactly zero gives −1.
#[must_use]
pub fn cagr(returns: &[f64], periods_per_year: u32) -> Option<f64> {
    if returns.is_empty() || periods_per_year == 0 {
        return None;
    }
    let wealth = returns.iter().fold(1.0, |w, r| w * (1.0 + r));
    if wealth < 0.0 {
        return None;
    }
    Some(wealth.powf(f64::from(periods_per_year) / count(returns.len())) - 1.0)
}

/// Calmar ratio (empyrical `calmar_ratio`): [`cagr`] divided by the maximum
/// drawdown of [`max_drawdown`] (a positive fraction). Dimensionless.
///
/// Returns `None` when there is no drawdown (including no returns), or when
/// [`cagr`] is `None`.
#[must_use]
pub fn calmar_ratio(returns: &[f64], periods_per_year: u32) -> Option<f64> {
    let drawdown = max_drawdown(returns).max_drawdown;
    if drawdown > 0.0 {
        Some(cagr(returns, periods_per_year)? / drawdown)
    } else {
        None
    }
}

/// The largest peak-to-trough fall of compounded wealth, found by
/// [`max_drawdown`].
///
/// Indices are positions in the returns slice: index `i` is the wealth at the
/// end of period `i`. Wealth starts at 1 *before* the first return, so a loss
/// in the first period is already a drawdown, from the start.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
#[non_exhaustive]
pub struct Drawdown {
    /// The fall as a positive fraction of the peak's wealth: `0.1` is −10 %.
    /// Zero when wealth never falls below its running maximum.
    pub max_drawdown: f64,
    /// The last period at which wealth stood at the peak before the trough;
    /// `None` when the peak is the initial wealth of 1 (or there is no
    /// drawdown).
    pub peak: Option<usize>,
    /// The period at which wealth was lowest relative to the peak; `None`
    /// only when there is no drawdown.
    pub trough: Option<usize>,
    /// The first period after the trough at which wealth is back at or above
    /// the peak's wealth; `None` if it never recovers (or there is no
    /// drawdown).
    pub recovery: Option<usize>,
}

/// Maximum drawdown of compounded wealth (empyrical `max_drawdown`, as a
/// positive fraction): with `Wₜ = Π_{i≤t} (1 + rᵢ)`, `W₋₁ = 1` and the running
/// maximum `Mₜ = max(1, W₀ … Wₜ)`, the largest `(Mₜ − Wₜ) / Mₜ`.
///
/// Of several equal drawdowns the earliest trough is reported. No returns, or
/// wealth that never falls, give a zero drawdown with every index `None`.
#[must_use]
pub fn max_drawdown(returns: &[f64]) -> Drawdown {
    drawdown_and(returns, |_| {}).0
}

/// [`max_drawdown`] and the final wealth `Π (1 + rᵢ)`, calling `also` with
/// each return on the way: other one-pass statistics ride along in the same
/// loop (see [`Profile`]).
///
/// Wealth is compounded one return at a time, in order, whatever the path
/// below; only the checks are taken [`RUN`] periods at a time: most runs of
/// periods neither reach the high nor fall below the floor, and for them one
/// test of their highest and lowest wealth replaces a branch a period (new
/// highs come at random, and each mispredicted branch costs more than the
/// period's arithmetic). A run that might change the state is checked
/// period by period, exactly as the rest.
#[inline]
fn drawdown_and(returns: &[f64], mut also: impl FnMut(f64)) -> (Drawdown, f64) {
    let mut falls = Falls::new();
    let mut wealth = 1.0;
    let mut runs = returns.chunks_exact(RUN);
    for (n, run) in runs.by_ref().enumerate() {
        let mut path = [0.0; RUN];
        for (w, r) in path.iter_mut().zip(run) {
            wealth *= 1.0 + r;
            *w = wealth;
        }
        for r in run {
            also(*r);
        }
        let (lowest, highest) = path[1..].iter().fold((path[0], path[0]), |(lo, hi), w| {
            (if *w < lo { *w } else { lo }, if *w > hi { *w } else { hi })
        });
        if !falls.unmoved(lowest, highest) {
            for (k, w) in path.into_iter().enumerate() {
                falls.at(n * RUN + k, w);
            }
        }
    }
    let done = returns.len() - runs.remainder().len();
    for (k, r) in runs.remainder().iter().enumerate() {
        also(*r);
        wealth *= 1.0 + r;
        falls.at(done + k, wealth);
    }
    (falls.best, wealth)
}

/// Periods [`drawdown_and`] checks at a time (measured on 10 M returns: 8 is
/// faster than 4 and 16).
const RUN: usize = 8;

/// The state of [`drawdown_and`]: the deepest fall so far and the high
/// wealth is measured against.
struct Falls {
    best: Drawdown,
    /// The high of the deepest fall, which wealth must reach again to recover.
    best_peak_wealth: f64,
    high: f64,
    high_at: Option<usize>,
    /// Wealth at or above `floor` cannot be a deeper fall than the best one:
    /// the division (the slow part) is skipped for it. The margin of 1e-12
    /// of the high is far above rounding, so every fall the exact test would
    /// take still reaches it.
    floor: f64,
}

impl Falls {
    fn new() -> Self {
        Falls {
            best: Drawdown::default(),
            best_peak_wealth: 1.0,
            high: 1.0,
            high_at: None,
            floor: Self::floor_of(1.0, 0.0),
        }
    }

    fn floor_of(high: f64, best: f64) -> f64 {
        high * (1.0 - best) + high * 1e-12
    }

    /// Takes the wealth at the end of period `i`.
    #[inline]
    fn at(&mut self, i: usize, wealth: f64) {
        if self.best.recovery.is_none()
            && self.best.trough.is_some()
            && wealth >= self.best_peak_wealth
        {
            self.best.recovery = Some(i);
        }
        if wealth >= self.high {
            self.high = wealth;
            self.high_at = Some(i);
            self.floor = Self::floor_of(self.high, self.best.max_drawdown);
            return;
        }
        if wealth >= self.floor {
            return;
        }
        let drawdown = (self.high - wealth) / self.high;
        if drawdown > self.best.max_drawdown {
            self.best = Drawdown {
                max_drawdown: drawdown,
                peak: self.high_at,
                trough: Some(i),
                recovery: None,
            };
            self.best_peak_wealth = self.high;
            self.floor = Self::floor_of(self.high, drawdown);
        }
    }

    /// Whether [`Falls::at`] would leave the state as it is for every wealth
    /// from `lowest` to `highest`: below the high, so no new high, and no
    /// recovery either (while one is awaited the high is the peak of the
    /// deepest fall: any wealth reaching the high recovers first), and at or
    /// above the floor, so no deeper fall.
    #[inline]
    fn unmoved(&self, lowest: f64, highest: f64) -> bool {
        highest < self.high && lowest >= self.floor
    }
}

/// The whole-series statistics the backtest items report, from two passes
/// over the returns: the first finds the drawdown, the win rate, the sum
/// and the final wealth together; the second the moments around the mean.
/// For a long series read by several items at once, this is a fraction of
/// the memory traffic of [`Summary::of`], [`max_drawdown`] and [`win_rate`]
/// each reading it; they agree with it (the drawdown and win rate exactly,
/// the summary to rounding; a test checks).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Profile {
    /// [`Summary::of`] the returns against the required return; `None` for
    /// fewer than 2 returns.
    pub summary: Option<Summary>,
    /// [`max_drawdown`].
    pub drawdown: Drawdown,
    /// [`win_rate`].
    pub win_rate: WinRate,
}

impl Profile {
    /// The profile of `returns`, with the downside measured below
    /// `required_return`.
    #[must_use]
    pub fn of(returns: &[f64], required_return: f64) -> Self {
        let (mut sum, mut wins, mut losses) = (0.0, 0, 0);
        let (drawdown, wealth) = drawdown_and(returns, |r| {
            sum += r;
            wins += usize::from(r > 0.0);
            losses += usize::from(r < 0.0);
        });
        Profile {
            summary: Summary::around(returns, sum, wealth, required_return),
            drawdown,
            win_rate: WinRate::of(wins, losses, returns.len()),
        }
    }
}

/// Counts of winning and losing periods, from [`win_rate`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct WinRate {
    /// `wins / (wins + losses)`; `None` when every period is flat (or there
    /// are none), since a strategy that never made or lost money has no win
    /// rate.
    pub win_rate: Option<f64>,
    /// Periods with a return above zero.
    pub wins: usize,
    /// Periods with a return below zero.
    pub losses: usize,
    /// Periods with a return of exactly zero (or `NaN`), left out of the rate.
    pub flat: usize,
}

/// Win rate: positive periods over non-zero periods, `wins / (wins +
/// losses)`, a fraction in `[0, 1]`. Flat periods (return exactly 0, such as
/// days without a position) count neither way.
#[must_use]
pub fn win_rate(returns: &[f64]) -> WinRate {
    // One pass, counting without branches.
    let (mut wins, mut losses) = (0, 0);
    for r in returns {
        wins += usize::from(*r > 0.0);
        losses += usize::from(*r < 0.0);
    }
    WinRate::of(wins, losses, returns.len())
}

impl WinRate {
    /// The rate of `wins` and `losses` among `periods`.
    fn of(wins: usize, losses: usize, periods: usize) -> Self {
        let decided = wins + losses;
        WinRate {
            win_rate: (decided > 0).then(|| count(wins) / count(decided)),
            wins,
            losses,
            flat: periods - decided,
        }
    }
}

/// Population central moments `m₂, m₃, m₄` (`mₖ = Σ (xᵢ − x̄)ᵏ / n`), or `None`
/// for no values or a constant series.
fn central_moments(xs: &[f64]) -> Option<(f64, f64, f64)> {
    let m = mean(xs)?;
    if is_constant(xs) {
        return None;
    }
    let n = count(xs.len());
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for x in xs {
        let d = x - m;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    Some((m2 / n, m3 / n, m4 / n))
}

/// Skewness, population (biased) form as `scipy.stats.skew` by default:
/// `m₃ / m₂^{3/2}` with `mₖ = Σ (xᵢ − x̄)ᵏ / n`. Dimensionless; 0 for a
/// symmetric distribution.
///
/// Returns `None` for no values or a constant series (scipy's `NaN`).
#[must_use]
pub fn skewness(xs: &[f64]) -> Option<f64> {
    let (m2, m3, _) = central_moments(xs)?;
    Some(m3 / m2.powf(1.5))
}

/// Kurtosis, **raw** (not excess: a normal distribution has 3), population
/// form as `scipy.stats.kurtosis(fisher=False)`: `m₄ / m₂²` with
/// `mₖ = Σ (xᵢ − x̄)ᵏ / n`. This is the kurtosis [`psr`] expects.
///
/// Returns `None` for no values or a constant series.
#[must_use]
pub fn kurtosis(xs: &[f64]) -> Option<f64> {
    let (m2, _, m4) = central_moments(xs)?;
    Some(m4 / (m2 * m2))
}

/// The variance factor of the Sharpe ratio estimator under non-normal
/// returns: `1 − γ₃·SR + (γ₄ − 1)/4 · SR²`.
fn sharpe_variance_factor(sr: f64, skew: f64, kurtosis: f64) -> f64 {
    1.0 - skew * sr + (kurtosis - 1.0) / 4.0 * sr * sr
}

/// Probabilistic Sharpe ratio (Bailey and López de Prado, 2012, "The Sharpe
/// Ratio Efficient Frontier"): the probability that the true Sharpe ratio
/// exceeds `sr_benchmark`, given an estimate `sr` from `n` returns with
/// skewness `skew` and raw `kurtosis` (normal = 3):
///
/// `PSR = Φ( (SR − SR*) · √(n − 1) / √(1 − γ₃·SR + (γ₄ − 1)/4 · SR²) )`.
///
/// `sr` and `sr_benchmark` are **per-period, non-annualised** Sharpe ratios
/// (see the module docs). Returns a probability in `[0, 1]`, or `NaN` when
/// `n` < 2 or the variance factor under the square root is not positive
/// (strongly positive skew with a large Sharpe ratio), where the test is
/// undefined.
#[must_use]
pub fn psr(sr: f64, sr_benchmark: f64, n: usize, skew: f64, kurtosis: f64) -> f64 {
    let factor = sharpe_variance_factor(sr, skew, kurtosis);
    if n < 2 || factor.is_nan() || factor <= 0.0 {
        return f64::NAN;
    }
    let z = (sr - sr_benchmark) * (count(n) - 1.0).sqrt() / factor.sqrt();
    Normal::standard().cdf(z)
}

/// Minimum track record length (Bailey and López de Prado, 2012): the number
/// of returns needed before a Sharpe ratio `sr` is above `sr_benchmark` with
/// probability `confidence` (0.95 for the usual 5 % significance):
///
/// `MinTRL = 1 + (1 − γ₃·SR + (γ₄ − 1)/4 · SR²) · (z_α / (SR − SR*))²`,
/// with `z_α = Φ⁻¹(confidence)`.
///
/// Per-period, non-annualised Sharpe ratios; raw kurtosis. The result is a
/// number of periods (not years), fractional. Returns `None` when
/// `sr ≤ sr_benchmark` (no track record is long enough), `confidence` is not
/// inside `(0, 1)`, or the variance factor is not positive.
#[must_use]
pub fn min_track_record_length(
    sr: f64,
    sr_benchmark: f64,
    skew: f64,
    kurtosis: f64,
    confidence: f64,
) -> Option<f64> {
    let factor = sharpe_variance_factor(sr, skew, kurtosis);
    let valid = sr > sr_benchmark && confidence > 0.0 && confidence < 1.0 && factor > 0.0;
    if !valid {
        return None;
    }
    let z = Normal::standard().inverse_cdf(confidence);
    Some(1.0 + factor * (z / (sr - sr_benchmark)).powi(2))
}

/// Expected maximum of `n_trials` independent Sharpe ratio estimates whose
/// true value is zero and whose variance across trials is `sharpe_variance`
/// (Bailey and López de Prado, 2014, "The Deflated Sharpe Ratio", via the
/// Euler–Mascheroni approximation of the expected maximum of normals):
///
/// `E[max SR] = √V · ((1 − γ) · Φ⁻¹(1 − 1/N) + γ · Φ⁻¹(1 − 1/(N·e)))`,
/// γ = [`EULER_MASCHERONI`].
///
/// In the unit of the Sharpe ratios whose variance is given (per period for
/// [`deflated_sharpe_ratio`]). Returns 0 for fewer than 2 trials (nothing was
/// selected, so there is no selection bias) and `NaN` for a negative or `NaN`
/// variance.
#[must_use]
pub fn expected_max_sharpe(n_trials: usize, sharpe_variance: f64) -> f64 {
    if sharpe_variance.is_nan() || sharpe_variance < 0.0 {
        return f64::NAN;
    }
    if n_trials < 2 {
        return 0.0;
    }
    let n = count(n_trials);
    let normal = Normal::standard();
    let z = (1.0 - EULER_MASCHERONI) * normal.inverse_cdf(1.0 - 1.0 / n)
        + EULER_MASCHERONI * normal.inverse_cdf(1.0 - 1.0 / (n * std::f64::consts::E));
    sharpe_variance.sqrt() * z
}

/// Deflated Sharpe ratio (Bailey and López de Prado, 2014): the [`psr`] of
/// the selected strategy against the Sharpe ratio that the best of
/// `n_trials` skill-less trials would show by luck,
///
/// `DSR = PSR(SR* = E[max SR])` with `E[max SR] =`
/// [`expected_max_sharpe`]`(n_trials, sharpe_variance)`.
///
/// `sr` is the per-period Sharpe ratio of the selected strategy over `n`
/// returns with skewness `skew` and raw `kurtosis`; `sharpe_variance` is the
/// variance of the per-period Sharpe ratios across all trials. Returns a
/// probability in `[0, 1]`, or `NaN` where [`psr`] or
/// [`expected_max_sharpe`] is undefined.
#[must_use]
pub fn deflated_sharpe_ratio(
    sr: f64,
    n: usize,
    skew: f64,
    kurtosis: f64,
    n_trials: usize,
    sharpe_variance: f64,
) -> f64 {
    psr(
        sr,
        expected_max_sharpe(n_trials, sharpe_variance),
        n,
        skew,
        kurtosis,
    )
}

/// The performance measure by which [`pbo`] selects and ranks trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PboMetric {
    /// Per-period Sharpe ratio of the concatenated rows: mean over sample
    /// standard deviation (`ddof = 1`), risk-free rate 0, not annualised. A
    /// trial with zero variance over a half scores +∞, −∞ or 0 by the sign of
    /// its mean.
    #[default]
    Sharpe,
    /// Mean per-period return of the concatenated rows.
    MeanReturn,
    /// Compounded return of the concatenated rows, `Π (1 + rᵢ) − 1` (ranked
    /// by `Σ ln(1 + rᵢ)`, which orders the same way).
    TotalReturn,
}

impl PboMetric {
    /// The score that selection and ranking compare, from the sums of one
    /// trial over a set of rows: `sum` and `squares` of the values shifted by
    /// `center` (of `ln(1 + r)` for [`PboMetric::TotalReturn`]) over `n`
    /// rows.
    fn score(self, sum: f64, squares: f64, n: usize, center: f64) -> f64 {
        let nf = count(n);
        match self {
            PboMetric::MeanReturn => center + sum / nf,
            PboMetric::TotalReturn => sum,
            PboMetric::Sharpe => {
                let mean = sum / nf;
                let variance = if n > 1 {
                    ((squares - sum * mean) / (nf - 1.0)).max(0.0)
                } else {
                    0.0
                };
                let mu = center + mean;
                if variance > 0.0 {
                    mu / variance.sqrt()
                } else if mu > 0.0 {
                    f64::INFINITY
                } else if mu < 0.0 {
                    f64::NEG_INFINITY
                } else {
                    0.0
                }
            }
        }
    }

    /// The metric's own value from a [`PboMetric::score`].
    fn value(self, score: f64) -> f64 {
        match self {
            PboMetric::TotalReturn => score.exp_m1(),
            PboMetric::Sharpe | PboMetric::MeanReturn => score,
        }
    }
}

/// The result of [`pbo`]: the probability of backtest overfitting and what
/// it was computed from, one entry per combination.
///
/// Per-combination vectors are in the order the combinations were visited:
/// in-sample block sets as bit masks (bit `b` = block `b`) in increasing
/// numeric order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Pbo {
    /// Share of combinations whose logit is ≤ 0, i.e. where the in-sample
    /// best trial ranked in the lower half out of sample; in `[0, 1]`.
    pub pbo: f64,
    /// `λ = ln(ω / (1 − ω))` per combination, with `ω = rank / (N + 1)`.
    pub logits: Vec<f64>,
    /// The metric of the in-sample best trial, in sample, per combination.
    pub in_sample: Vec<f64>,
    /// The metric of the in-sample best trial, out of sample, per
    /// combination (its pairs with `in_sample` give the performance
    /// degradation; its share below zero, the probability of loss).
    pub out_of_sample: Vec<f64>,
    /// The number of combinations, C(S, S/2).
    pub combinations: usize,
    /// The number of blocks `S`.
    pub blocks: usize,
    /// The number of trials `N` (columns).
    pub trials: usize,
    /// The number of periods used, `T − (T mod S)`.
    pub rows: usize,
    /// The number of oldest periods left out, `T mod S`, so that all blocks
    /// have the same size.
    pub dropped_rows: usize,
}

/// Why [`pbo`] could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PboError {
    /// The number of blocks is odd, below 2 or above [`MAX_PBO_BLOCKS`].
    #[error(
        "cannot split the trials into {blocks} blocks: the number of blocks `S` must be even and between 2 and {MAX_PBO_BLOCKS} (16 is usual)"
    )]
    Blocks {
        /// The number of blocks asked for.
        blocks: usize,
    },
    /// Fewer rows than blocks.
    #[error(
        "cannot split {rows} rows into {blocks} blocks: give at least one row per block (lower `S` or supply more periods)"
    )]
    TooFewRows {
        /// The number of rows given.
        rows: usize,
        /// The number of blocks asked for.
        blocks: usize,
    },
    /// Fewer than 2 trials: there is nothing to select from.
    #[error(
        "{trials} trial(s) given: the probability of backtest overfitting ranks trials against each other, give at least 2"
    )]
    TooFewTrials {
        /// The number of trials (columns of the first row).
        trials: usize,
    },
    /// A row with another number of trials than the first row.
    #[error(
        "row {row} (from 0) has {len} values but row 0 has {expected}: every row needs one return per trial"
    )]
    RaggedRow {
        /// The row's index, from 0.
        row: usize,
        /// Its number of values.
        len: usize,
        /// The number of values of row 0.
        expected: usize,
    },
}

/// Probability of backtest overfitting by combinatorially symmetric
/// cross-validation (Bailey, Borwein, López de Prado and Zhu, 2017, "The
/// Probability of Backtest Overfitting").
///
/// `rows` is a `T × N` matrix of per-period returns: one row per period, in
/// time order, one column per trial (strategy configuration). The first
/// (oldest) `T mod S` rows are left out, as `pypbo` does, so that the rest
/// splits into `blocks` = S contiguous blocks of equal size and in- and
/// out-of-sample halves are symmetric, as CSCV requires. For each of the
/// C(S, S/2) choices of S/2 blocks as the in-sample set (the rest is out of
/// sample):
///
/// 1. the trial with the best `metric` in sample is selected (the first such
///    trial on ties);
/// 2. its out-of-sample rank among all N trials is taken, 1 = worst, with
///    tied trials sharing the average of their ranks (scipy's `rankdata`
///    default, as in `pypbo`);
/// 3. `ω = rank / (N + 1)` and the logit `λ = ln(ω / (1 − ω))`.
///
/// PBO is the share of combinations with `λ ≤ 0`: the selected trial did no
/// better than the median out of sample. A result near 0 means selection
/// carries over, near 0.5 or above that the in-sample winner is noise.
///
/// Per-block, per-trial sums and sums of squares are computed once, so each
/// combination costs O(S·N) rather than O(T·N); S = 16 over 2 520 × 100
/// takes about 25 ms on one core (`cargo bench --bench stats`). Values
/// should be finite (returns above −1 for [`PboMetric::TotalReturn`]); others
/// give meaningless ranks but no panic.
///
/// # Errors
///
/// [`PboError`] when `blocks` is odd, below 2 or above [`MAX_PBO_BLOCKS`],
/// when there are fewer rows than blocks or fewer than 2 trials, or when rows
/// differ in length.
pub fn pbo<R: AsRef<[f64]>>(rows: &[R], blocks: usize, metric: PboMetric) -> Result<Pbo, PboError> {
    let trials = validate_trials(rows, blocks)?;
    let dropped_rows = rows.len() % blocks;
    let rows = &rows[dropped_rows..];
    let sums = BlockSums::new(rows, blocks, trials, metric);
    let mut scratch = Scratch::new(trials);

    let half = blocks / 2;
    let end = 1u64 << blocks;
    let mut mask: u64 = (1u64 << half) - 1;
    let mut logits = Vec::new();
    let mut in_sample = Vec::new();
    let mut out_of_sample = Vec::new();
    while mask < end {
        let (logit, is_score, oos_score) = sums.select(mask, metric, &mut scratch);
        logits.push(logit);
        in_sample.push(metric.value(is_score));
        out_of_sample.push(metric.value(oos_score));

        // Gosper's hack: the next larger mask with the same number of bits.
        let lowest = mask & mask.wrapping_neg();
        let ripple = mask + lowest;
        mask = (((ripple ^ mask) >> 2) / lowest) | ripple;
    }

    let combinations = logits.len();
    let overfit = logits.iter().filter(|l| **l <= 0.0).count();
    Ok(Pbo {
        pbo: count(overfit) / count(combinations),
        logits,
        in_sample,
        out_of_sample,
        combinations,
        blocks,
        trials,
        rows: rows.len(),
        dropped_rows,
    })
}

/// Checks the shape of a trial matrix for [`pbo`] and returns its number of
/// trials.
fn validate_trials<R: AsRef<[f64]>>(rows: &[R], blocks: usize) -> Result<usize, PboError> {
    if !blocks.is_multiple_of(2) || !(2..=MAX_PBO_BLOCKS).contains(&blocks) {
        return Err(PboError::Blocks { blocks });
    }
    if rows.len() < blocks {
        return Err(PboError::TooFewRows {
            rows: rows.len(),
            blocks,
        });
    }
    let trials = rows[0].as_ref().len();
    if trials < 2 {
        return Err(PboError::TooFewTrials { trials });
    }
    match rows
        .iter()
        .enumerate()
        .find(|(_, values)| values.as_ref().len() != trials)
    {
        Some((row, values)) => Err(PboError::RaggedRow {
            row,
            len: values.as_ref().len(),
            expected: trials,
        }),
        None => Ok(trials),
    }
}

/// Per-block, per-trial sums of a trial matrix, from which the metric of
/// any half of the blocks follows in O(blocks · trials) instead of O(rows ·
/// trials).
struct BlockSums {
    trials: usize,
    /// Rows in half of the blocks, in sample or out of sample.
    half_rows: usize,
    /// Each trial's mean (0 for [`PboMetric::TotalReturn`]), subtracted
    /// before summing.
    center: Vec<f64>,
    /// Block-major: `sums[b * trials + j]` is the sum over block `b` of
    /// trial `j`'s shifted values.
    sums: Vec<f64>,
    /// Block-major sums of the squared shifted values.
    squares: Vec<f64>,
    /// Sums over all blocks.
    total_sum: Vec<f64>,
    /// Sums of squares over all blocks.
    total_squares: Vec<f64>,
}

impl BlockSums {
    /// Sums of `rows`, whose number is a multiple of `blocks`.
    fn new<R: AsRef<[f64]>>(rows: &[R], blocks: usize, trials: usize, metric: PboMetric) -> Self {
        let transform = |x: f64| match metric {
            PboMetric::TotalReturn => x.ln_1p(),
            PboMetric::Sharpe | PboMetric::MeanReturn => x,
        };
        // Shifting every trial by its own mean keeps the sums of squares
        // well conditioned, so that the one-pass variance loses no precision.
        let mut center = vec![0.0; trials];
        if metric != PboMetric::TotalReturn {
            for row in rows {
                for (c, x) in center.iter_mut().zip(row.as_ref()) {
                    *c += x;
                }
            }
            for c in &mut center {
                *c /= count(rows.len());
            }
        }

        let mut sums = vec![0.0; blocks * trials];
        let mut squares = vec![0.0; blocks * trials];
        let block_rows = rows.len() / blocks;
        for ((block_sums, block_squares), block) in sums
            .chunks_exact_mut(trials)
            .zip(squares.chunks_exact_mut(trials))
            .zip(rows.chunks_exact(block_rows))
        {
            for row in block {
                let values = row.as_ref().iter().zip(&center);
                for ((sum, square), (x, c)) in block_sums
                    .iter_mut()
                    .zip(block_squares.iter_mut())
                    .zip(values)
                {
                    let v = transform(*x) - c;
                    *sum += v;
                    *square += v * v;
                }
            }
        }

        let mut total_sum = vec![0.0; trials];
        let mut total_squares = vec![0.0; trials];
        for (block_sums, block_squares) in
            sums.chunks_exact(trials).zip(squares.chunks_exact(trials))
        {
            add_into(&mut total_sum, block_sums);
            add_into(&mut total_squares, block_squares);
        }
        BlockSums {
            trials,
            half_rows: block_rows * blocks / 2,
            center,
            sums,
            squares,
            total_sum,
            total_squares,
        }
    }

    /// One combination: the in-sample blocks are the set bits of `mask`.
    /// Returns the logit of the in-sample best trial's out-of-sample rank
    /// and its in- and out-of-sample scores.
    fn select(&self, mask: u64, metric: PboMetric, scratch: &mut Scratch) -> (f64, f64, f64) {
        let trials = self.trials;
        scratch.is_sum.fill(0.0);
        scratch.is_squares.fill(0.0);
        let blocks = self.sums.len() / trials;
        for b in (0..blocks).filter(|b| mask & (1 << b) != 0) {
            let range = b * trials..(b + 1) * trials;
            add_into(&mut scratch.is_sum, &self.sums[range.clone()]);
            add_into(&mut scratch.is_squares, &self.squares[range]);
        }

        let mut best = 0;
        let mut best_score = f64::NEG_INFINITY;
        for j in 0..trials {
            let score = metric.score(
                scratch.is_sum[j],
                scratch.is_squares[j],
                self.half_rows,
                self.center[j],
            );
            if j == 0 || score > best_score {
                best = j;
                best_score = score;
            }
        }
        for (j, oos) in scratch.oos_scores.iter_mut().enumerate() {
            *oos = metric.score(
                self.total_sum[j] - scratch.is_sum[j],
                self.total_squares[j] - scratch.is_squares[j],
                self.half_rows,
                self.center[j],
            );
        }
        let chosen = scratch.oos_scores[best];
        let below = scratch.oos_scores.iter().filter(|s| **s < chosen).count();
        let above = scratch.oos_scores.iter().filter(|s| **s > chosen).count();
        let tied_others = trials - below - above - 1;
        // Average rank: 1 + those below + half of the others tied with it.
        let rank = 1.0 + count(below) + count(tied_others) / 2.0;
        let omega = rank / (count(trials) + 1.0);
        ((omega / (1.0 - omega)).ln(), best_score, chosen)
    }
}

/// Buffers reused across the combinations of [`pbo`].
struct Scratch {
    is_sum: Vec<f64>,
    is_squares: Vec<f64>,
    oos_scores: Vec<f64>,
}

impl Scratch {
    fn new(trials: usize) -> Self {
        Scratch {
            is_sum: vec![0.0; trials],
            is_squares: vec![0.0; trials],
            oos_scores: vec![0.0; trials],
        }
    }
}

/// `acc[j] += values[j]` for every `j`.
fn add_into(acc: &mut [f64], values: &[f64]) {
    for (a, v) in acc.iter_mut().zip(values) {
        *a += v;
    }
}

/// Population Stability Index of `live` against `reference`:
///
/// `PSI = Σ_bins (live% − ref%) · ln(live% / ref%)`.
///
/// Bins: k = ⌈log₂ n⌉ + 1 (Sturges, n = the pooled size of both samples)
/// equal-width bins over the pooled sample's range `[min, max]`, each
/// half-open `[eᵢ, eᵢ₊₁)` except the last, which is closed, exactly as
/// `numpy.histogram` bins. A bin's share of each sample is floored at
/// [`PSI_FLOOR`] (10⁻⁴), without renormalising, so that empty bins stay
/// finite.
///
/// Dimensionless, ≥ 0; by the usual rule of thumb below 0.1 is stable and
/// above 0.25 a significant shift. Returns `NaN` when either sample is empty
/// or holds a `NaN`; 0 when all pooled values are equal.
#[must_use]
pub fn psi(reference: &[f64], live: &[f64]) -> f64 {
    if reference.is_empty() || live.is_empty() {
        return f64::NAN;
    }
    let pooled = || reference.iter().chain(live);
    if pooled().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    let n = reference.len() + live.len();
    let k = (usize::BITS - (n - 1).leading_zeros()) as usize + 1;
    let lo = pooled().copied().fold(f64::INFINITY, f64::min);
    let hi = pooled().copied().fold(f64::NEG_INFINITY, f64::max);

    // numpy.linspace edges: eᵢ = i · step + lo, the last set to hi.
    let step = (hi - lo) / count(k);
    let edge = |i: usize| if i == k { hi } else { count(i) * step + lo };
    let bin = |x: f64| -> usize {
        if hi <= lo {
            return 0;
        }
        // numpy's fast path: an index from the scaled offset, then
        // corrected against the edges so it agrees with them exactly.
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "x ≥ lo, so the scaled offset lies in [0, k]"
        )]
        let mut i = (((x - lo) / (hi - lo)) * count(k)) as usize;
        i = i.min(k - 1);
        if x < edge(i) {
            i = i.saturating_sub(1);
        } else if i != k - 1 && x >= edge(i + 1) {
            i += 1;
        }
        i
    };
    let shares = |xs: &[f64]| {
        let mut counts = vec![0usize; k];
        for x in xs {
            counts[bin(*x)] += 1;
        }
        counts
            .into_iter()
            .map(|c| (count(c) / count(xs.len())).max(PSI_FLOOR))
            .collect::<Vec<_>>()
    };
    let (expected, actual) = (shares(reference), shares(live));
    expected
        .iter()
        .zip(&actual)
        .map(|(e, a)| (a - e) * (a / e).ln())
        .sum()
}

/// The result of [`ks_2samp`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct KsTest {
    /// `D = sup |F_a(x) − F_b(x)|`, the largest distance between the two
    /// empirical distribution functions, in `[0, 1]`.
    pub statistic: f64,
    /// Two-sided asymptotic p-value `Q_KS(√(n·m/(n+m)) · D)`.
    pub p_value: f64,
}

/// Two-sample Kolmogorov–Smirnov test, two-sided, with the asymptotic
/// p-value.
///
/// The statistic is `D = sup_x |F_a(x) − F_b(x)|` over the empirical
/// distribution functions (ties handled by stepping past all equal values).
/// The p-value is the Kolmogorov distribution's survival function at
/// `λ = √en · D`, `en = n·m / (n + m)`:
///
/// `Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}`,
///
/// evaluated for λ < 1.18 through its equivalent Jacobi theta form
/// `1 − (√(2π)/λ) Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)}`, where the alternating series
/// converges slowly. This is `scipy.stats.kstwobign.sf(√en · D)`, R's
/// `ks.test(exact = FALSE)` and scipy 1.3–1.4's `ks_2samp(method='asymp')`;
/// scipy ≥ 1.5's `method='asymp'` evaluates the finite-n distribution
/// `kstwo.sf(D, round(en))` instead, which gives smaller p-values on small
/// samples and converges to this one as they grow.
///
/// Returns `NaN` for both fields when a sample is empty or holds a `NaN`.
#[must_use]
pub fn ks_2samp(a: &[f64], b: &[f64]) -> KsTest {
    let invalid = a.is_empty() || b.is_empty() || a.iter().chain(b).any(|x| x.is_nan());
    if invalid {
        return KsTest {
            statistic: f64::NAN,
            p_value: f64::NAN,
        };
    }
    let mut first = a.to_vec();
    let mut second = b.to_vec();
    first.sort_by(f64::total_cmp);
    second.sort_by(f64::total_cmp);
    let (len_first, len_second) = (count(first.len()), count(second.len()));
    let (mut below_first, mut below_second) = (0, 0);
    let mut statistic: f64 = 0.0;
    while below_first < first.len() && below_second < second.len() {
        let next = first[below_first].min(second[below_second]);
        while below_first < first.len() && first[below_first] <= next {
            below_first += 1;
        }
        while below_second < second.len() && second[below_second] <= next {
            below_second += 1;
        }
        let distance = count(below_first) / len_first - count(below_second) / len_second;
        statistic = statistic.max(distance.abs());
    }
    let en = len_first * len_second / (len_first + len_second);
    KsTest {
        statistic,
        p_value: kolmogorov_sf(en.sqrt() * statistic),
    }
}

/// The survival function of the Kolmogorov distribution, `Q_KS(λ)`.
fn kolmogorov_sf(lambda: f64) -> f64 {
    use std::f64::consts::PI;
    if lambda.is_nan() {
        return f64::NAN;
    }
    if lambda <= 0.0 {
        return 1.0;
    }
    let mut total = 0.0;
    if lambda < 1.18 {
        let a = -PI * PI / (8.0 * lambda * lambda);
        for k in 1..=100_u32 {
            let odd = f64::from(2 * k - 1);
            let term = (a * odd * odd).exp();
            total += term;
            if term <= f64::EPSILON * total {
                break;
            }
        }
        (1.0 - (2.0 * PI).sqrt() / lambda * total).clamp(0.0, 1.0)
    } else {
        let a = -2.0 * lambda * lambda;
        let mut sign = 1.0;
        for k in 1..=100_u32 {
            let kf = f64::from(k);
            let term = (a * kf * kf).exp();
            total += sign * term;
            if term <= f64::EPSILON * total.abs() {
                break;
            }
            sign = -sign;
        }
        (2.0 * total).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
#[allow(
    clippy::excessive_precision,
    reason = "reference values are quoted digit for digit from their sources"
)]
#[allow(
    clippy::float_cmp,
    reason = "exact results (0, 1, ∞, exact fractions) are asserted exactly"
)]
mod tests {
    use super::*;

    #[test]
    fn summary_agrees_with_the_single_statistics() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let returns: Vec<f64> = (0..5000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                f64::from(u32::try_from(state % 2_000_001).unwrap()) / 1e8 - 0.0095
            })
            .collect();
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            (a, b) => a == b,
        };
        let profile = Profile::of(&returns, 0.0001);
        // The summary alone and the one of the profile (another order of
        // additions) against the single statistics.
        for s in [
            Summary::of(&returns, 0.0001).unwrap(),
            profile.summary.unwrap(),
        ] {
            assert!(close(
                s.sharpe_ratio(0.0001, 252),
                sharpe_ratio(&returns, 0.0001, 252)
            ));
            assert!(close(
                s.sortino_ratio(252),
                sortino_ratio(&returns, 0.0001, 252)
            ));
            assert!(close(
                s.annual_volatility(252),
                annual_volatility(&returns, 252)
            ));
            assert!(close(s.cagr(252), cagr(&returns, 252)));
            assert!(close(s.skewness, skewness(&returns)));
            assert!(close(s.kurtosis, kurtosis(&returns)));
            assert!(close(Some(s.std), sample_std(&returns)));
        }
        // The profile's drawdown and win rate are those of the single
        // functions, exactly, at every length (including too short for a
        // summary).
        for n in [0, 1, 2, 3, 100, 5000] {
            let part = &returns[..n];
            let p = Profile::of(part, 0.0001);
            assert_eq!(p.drawdown, max_drawdown(part), "{n} returns");
            assert_eq!(p.win_rate, win_rate(part), "{n} returns");
            assert_eq!(p.summary.is_none(), n < 2);
        }
        assert!(profile.drawdown.max_drawdown > 0.0);
        let flat = Summary::of(&[0.01, 0.01, 0.01], 0.0).unwrap();
        assert_eq!((flat.std, flat.skewness), (0.0, None));
        assert!(Summary::of(&[0.01], 0.0).is_none());
    }

    /// Asserts `actual` is within `tol` of `expected`, relative for large
    /// values and absolute for small ones.
    #[track_caller]
    fn close(actual: f64, expected: f64, tol: f64) {
        let scale = expected.abs().max(1.0);
        assert!(
            (actual - expected).abs() <= tol * scale,
            "expected {expected:e}, got {actual:e} (difference {:e})",
            actual - expected
        );
    }

    #[track_caller]
    fn some_close(actual: Option<f64>, expected: f64, tol: f64) {
        close(actual.expect("a value"), expected, tol);
    }

    // Test series and expected values of empyrical's test suite, which checks
    // them to 8 decimal places: `empyrical/tests/test_stats.py` of
    // quantopian/empyrical (commit 0a9fa5848a3ed519be0f514df9e3a04fb7b37ad3)
    // and `tests/test_stats.py` of its maintained fork
    // stefan-jansen/empyrical-reloaded (commit
    // 31173cf13db00328bd5bbe70a016e62a36ba067e); the two agree except where
    // noted. Series in percent; `mixed_returns` without its leading NaN,
    // which empyrical's means and deviations skip.
    fn pct(values: &[f64]) -> Vec<f64> {
        values.iter().map(|v| v / 100.0).collect()
    }
    fn simple_benchmark() -> Vec<f64> {
        pct(&[0., 1., 0., 1., 0., 1., 0., 1., 0.])
    }
    fn positive_returns() -> Vec<f64> {
        pct(&[1., 2., 1., 1., 1., 1., 1., 1., 1.])
    }
    fn negative_returns() -> Vec<f64> {
        pct(&[0., -6., -7., -1., -9., -2., -6., -8., -5.])
    }
    fn mixed_returns() -> Vec<f64> {
        pct(&[1., 10., -4., 2., 3., 2., 1., -10.])
    }
    /// `weekly_returns` and `monthly_returns` are the same nine values.
    fn weekly_returns() -> Vec<f64> {
        pct(&[0., 1., 10., -4., 2., 3., 2., 1., -10.])
    }
    fn one_return() -> Vec<f64> {
        pct(&[1.])
    }
    fn flat_line_1_tz() -> Vec<f64> {
        vec![0.01; 1000]
    }

    const TOL: f64 = 1e-10;

    #[test]
    fn sharpe_matches_empyrical() {
        assert_eq!(sharpe_ratio(&[], 0.0, 252), None);
        assert_eq!(sharpe_ratio(&one_return(), 0.0, 252), None);
        // (mixed_returns, mixed_returns) is NaN there: zero dispersion.
        assert_eq!(sharpe_ratio(&[0.01; 8], 0.01, 252), None);
        some_close(
            sharpe_ratio(&mixed_returns(), 0.0, 252),
            1.723_861_396_170_686_6,
            TOL,
        );
        some_close(
            sharpe_ratio(&positive_returns(), 0.0, 252),
            52.915_026_221_291_804,
            TOL,
        );
        some_close(
            sharpe_ratio(&negative_returns(), 0.0, 252),
            -24.406_808_633_910_085,
            TOL,
        );
        assert_eq!(sharpe_ratio(&mixed_returns(), 0.0, 0), None);
    }

    #[test]
    fn information_ratio_vector_is_the_per_period_sharpe() {
        // test_information_ratio: (mixed_returns, 0.0) = 0.10859306069076737,
        // empyrical's non-annualised mean / std(ddof=1).
        some_close(
            sharpe_ratio(&mixed_returns(), 0.0, 1),
            0.108_593_060_690_767_37,
            TOL,
        );
    }

    #[test]
    fn downside_risk_matches_empyrical() {
        assert_eq!(downside_risk(&[], 0.0, 252), None);
        some_close(downside_risk(&one_return(), 0.0, 252), 0.0, TOL);
        some_close(
            downside_risk(&mixed_returns(), 0.0, 252),
            0.604_483_250_388_296_53,
            TOL,
        );
        some_close(
            downside_risk(&mixed_returns(), 0.1, 252),
            1.716_173_068_195_629_5,
            TOL,
        );
        some_close(
            downside_risk(&weekly_returns(), 0.0, 52),
            0.258_886_504_519_301_34,
            TOL,
        );
        some_close(
            downside_risk(&weekly_returns(), 0.1, 52),
            0.773_304_597_167_248_2,
            TOL,
        );
        some_close(
            downside_risk(&weekly_returns(), 0.0, 12),
            0.124_365_054_041_184_2,
            TOL,
        );
        some_close(
            downside_risk(&weekly_returns(), 0.1, 12),
            0.371_483_512_420_134_22,
            TOL,
        );
    }

    #[test]
    fn sortino_matches_empyrical() {
        assert_eq!(sortino_ratio(&[], 0.0, 252), None);
        assert_eq!(sortino_ratio(&one_return(), 0.0, 252), None);
        // (mixed_returns, mixed_returns): every excess return is 0, NaN there.
        assert_eq!(sortino_ratio(&[0.02; 8], 0.02, 252), None);
        some_close(
            sortino_ratio(&mixed_returns(), 0.0, 252),
            2.605_531_251_673_693,
            TOL,
        );
        // (mixed_returns, flat_line_1): a required return of 1 % a period.
        some_close(
            sortino_ratio(&mixed_returns(), 0.01, 252),
            -1.393_477_958_891_997_7,
            TOL,
        );
        assert_eq!(
            sortino_ratio(&positive_returns(), 0.0, 252),
            Some(f64::INFINITY)
        );
        assert_eq!(
            sortino_ratio(&simple_benchmark(), 0.0, 252),
            Some(f64::INFINITY)
        );
        some_close(
            sortino_ratio(&negative_returns(), 0.0, 252),
            -13.532_743_075_043_401,
            TOL,
        );
        // empyrical-reloaded's values. quantopian/empyrical expected
        // 0.50690062680370862 and 0.11697706772393276, from a bug that
        // annualised the downside risk as daily whatever the period.
        some_close(
            sortino_ratio(&weekly_returns(), 0.0, 52),
            1.115_890_105_686_643_9,
            TOL,
        );
        some_close(
            sortino_ratio(&weekly_returns(), 0.0, 12),
            0.536_056_267_418_897_56,
            TOL,
        );
    }

    #[test]
    fn annual_volatility_matches_empyrical() {
        some_close(annual_volatility(&flat_line_1_tz(), 252), 0.0, TOL);
        some_close(
            annual_volatility(&mixed_returns(), 252),
            0.913_646_539_970_463_7,
            TOL,
        );
        some_close(
            annual_volatility(&weekly_returns(), 52),
            0.388_515_693_948_705_83,
            TOL,
        );
        some_close(
            annual_volatility(&weekly_returns(), 12),
            0.186_636_902_388_925_58,
            TOL,
        );
        assert_eq!(annual_volatility(&one_return(), 252), None);
    }

    #[test]
    fn cagr_matches_empyrical() {
        // test_annual_ret and test_cagr.
        assert_eq!(cagr(&[], 252), None);
        // empyrical counts mixed_returns' NaN period in the number of years
        // (len(returns) / 252) while compounding only the 8 returns: the same
        // as a return of 0 in its place, which is `weekly_returns`.
        some_close(cagr(&weekly_returns(), 252), 1.913_592_537_319_423_1, TOL);
        some_close(cagr(&weekly_returns(), 52), 0.246_908_305_139_982_08, TOL);
        some_close(cagr(&weekly_returns(), 12), 0.052_242_061_386_048_144, TOL);
        some_close(cagr(&one_return(), 252), 11.274_002_099_240_244, TOL);
        some_close(cagr(&flat_line_1_tz(), 252), 11.274_002_099_240_256, TOL);
        some_close(cagr(&pct(&[3., 3., 3.]), 1), 0.03, TOL);
        // Not empyrical: a wipe-out, and wealth below zero.
        some_close(cagr(&[0.5, -1.0], 252), -1.0, TOL);
        assert_eq!(cagr(&[-1.5], 252), None);
    }

    #[test]
    fn calmar_matches_empyrical() {
        assert_eq!(calmar_ratio(&[], 252), None);
        assert_eq!(calmar_ratio(&one_return(), 252), None);
        // mixed_returns, its NaN period counted as in `cagr_matches_empyrical`.
        some_close(
            calmar_ratio(&weekly_returns(), 252),
            19.135_925_373_194_233,
            TOL,
        );
        some_close(
            calmar_ratio(&weekly_returns(), 52),
            2.469_083_051_399_820_8,
            TOL,
        );
        some_close(
            calmar_ratio(&weekly_returns(), 12),
            0.522_420_613_860_481_44,
            TOL,
        );
    }

    #[test]
    fn max_drawdown_matches_empyrical() {
        // test_max_drawdown, whose values are negative there.
        let none = Drawdown::default();
        assert_eq!(max_drawdown(&[]), none);
        assert_eq!(max_drawdown(&one_return()), none);
        assert_eq!(max_drawdown(&simple_benchmark()), none);
        assert_eq!(max_drawdown(&positive_returns()), none);

        let mixed = max_drawdown(&mixed_returns());
        close(mixed.max_drawdown, 0.1, TOL);
        // Wealth peaks at the end of period 6 and falls 10 % in period 7.
        assert_eq!(
            (mixed.peak, mixed.trough, mixed.recovery),
            (Some(6), Some(7), None)
        );

        let negative = max_drawdown(&negative_returns());
        close(negative.max_drawdown, 0.365_907_303_498_736_01, TOL);
        // The first return is 0: wealth is still at its high-water mark of 1
        // at the end of period 0.
        assert_eq!(
            (negative.peak, negative.trough, negative.recovery),
            (Some(0), Some(8), None)
        );

        let up_down_up = max_drawdown(&pct(&[10., -10., 10.]));
        close(up_down_up.max_drawdown, 0.10, TOL);
        assert_eq!(
            (up_down_up.peak, up_down_up.trough, up_down_up.recovery),
            (Some(0), Some(1), None)
        );
    }

    #[test]
    fn drawdown_from_the_start_and_recovery() {
        // 0.9, 0.945, 1.0395, 1.0395: a drawdown from the initial wealth,
        // recovered in period 2.
        let dd = max_drawdown(&[-0.1, 0.05, 0.1, 0.0]);
        close(dd.max_drawdown, 0.1, TOL);
        assert_eq!((dd.peak, dd.trough, dd.recovery), (None, Some(0), Some(2)));

        // A smaller, recovered drawdown, then a larger, unrecovered one.
        let dd = max_drawdown(&[0.1, -0.05, 0.1, -0.2, 0.1]);
        close(dd.max_drawdown, 0.2, TOL);
        assert_eq!((dd.peak, dd.trough, dd.recovery), (Some(2), Some(3), None));

        // Two equal drawdowns: the first is reported, with its recovery.
        let dd = max_drawdown(&[-0.5, 1.0, -0.5, 1.0]);
        close(dd.max_drawdown, 0.5, TOL);
        assert_eq!((dd.peak, dd.trough, dd.recovery), (None, Some(0), Some(1)));
    }

    /// [`max_drawdown`], which checks [`RUN`] periods at a time, against
    /// the definition taken period by period: every fall measured, the
    /// recovery searched for afterwards. Random walks up, flat and down, of
    /// every length around a multiple of the run, some with flat periods
    /// (wealth back at its high exactly), give the same drawdown, peak,
    /// trough and recovery.
    #[test]
    fn drawdown_runs_agree_with_every_period() {
        fn plain(returns: &[f64]) -> Drawdown {
            let (mut wealth, mut high, mut high_at) = (1.0, 1.0, None);
            let (mut best, mut peak_wealth, mut path) = (Drawdown::default(), 1.0, Vec::new());
            for (i, r) in returns.iter().enumerate() {
                wealth *= 1.0 + r;
                path.push(wealth);
                if wealth >= high {
                    (high, high_at) = (wealth, Some(i));
                }
                let fall = (high - wealth) / high;
                if fall > best.max_drawdown {
                    best = Drawdown {
                        max_drawdown: fall,
                        peak: high_at,
                        trough: Some(i),
                        recovery: None,
                    };
                    peak_wealth = high;
                }
            }
            if let Some(t) = best.trough {
                best.recovery = path[t + 1..]
                    .iter()
                    .position(|w| *w >= peak_wealth)
                    .map(|p| t + 1 + p);
            }
            best
        }
        // A run that starts level with the high (a flat period right after
        // a new high): the peak moves to it, and the deeper fall after it
        // is measured from there.
        let mut level = vec![-0.2, 0.3, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01];
        level.extend([0.0, -0.01, -0.01, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5, 0.0]);
        let dd = max_drawdown(&level);
        assert_eq!((dd.peak, dd.trough), (Some(8), Some(16)));
        assert_eq!(dd, plain(&level));
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut uniform = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            f64::from(u32::try_from(state >> 40).unwrap()) / f64::from(1u32 << 24) - 0.5
        };
        let lengths = (0..=40).chain([1000, 1001, 4095, 4099, 100_003]);
        for n in lengths {
            for (drift, flat) in [(0.002, false), (0.0, false), (-0.001, false), (0.0, true)] {
                let returns: Vec<f64> = (0..n)
                    .map(|_| {
                        let r = drift + 0.02 * uniform();
                        if flat { (r * 200.0).round() / 200.0 } else { r }
                    })
                    .collect();
                let expected = plain(&returns);
                assert_eq!(
                    max_drawdown(&returns),
                    expected,
                    "{n} returns, drift {drift}"
                );
                assert_eq!(Profile::of(&returns, 0.0).drawdown, expected);
            }
        }
    }

    #[test]
    fn win_rate_counts_non_zero_periods() {
        let rate = win_rate(&mixed_returns());
        assert_eq!(
            (rate.win_rate, rate.wins, rate.losses, rate.flat),
            (Some(0.75), 6, 2, 0)
        );
        let rate = win_rate(&simple_benchmark());
        assert_eq!(
            (rate.win_rate, rate.wins, rate.losses, rate.flat),
            (Some(1.0), 4, 0, 5)
        );
        let rate = win_rate(&[0.0, 0.0]);
        assert_eq!(
            (rate.win_rate, rate.wins, rate.losses, rate.flat),
            (None, 0, 0, 2)
        );
        assert_eq!(win_rate(&[]).win_rate, None);
    }

    #[test]
    fn helpers() {
        assert_eq!(mean(&[]), None);
        some_close(mean(&[1.0, 2.0, 6.0]), 3.0, TOL);
        assert_eq!(sample_std(&[1.0]), None);
        // A constant series whose computed mean is off by a rounding error
        // still has exactly zero dispersion.
        assert_eq!(sample_std(&[0.1; 10]), Some(0.0));
        some_close(sample_std(&[1.0, 2.0, 6.0]), 7.0_f64.sqrt(), TOL);
    }

    /// Ten and twelve values used for the scipy comparisons below.
    fn sample_a() -> Vec<f64> {
        vec![0.1, -0.3, 0.25, 0.7, -1.2, 0.05, 0.9, 1.4, -0.6, 0.33]
    }
    fn sample_b() -> Vec<f64> {
        vec![
            0.5, 1.1, -0.2, 0.8, 1.9, 0.45, 1.3, 0.0, 2.2, 0.75, 1.05, -0.15,
        ]
    }

    #[test]
    fn moments_match_scipy() {
        // scipy 1.17.1: stats.skew(x), stats.kurtosis(x, fisher=False).
        some_close(skewness(&mixed_returns()), -0.365_057_269_017_786_5, TOL);
        some_close(kurtosis(&mixed_returns()), 3.119_534_731_656_992, TOL);
        some_close(skewness(&sample_a()), -0.172_935_995_750_836_93, TOL);
        some_close(kurtosis(&sample_a()), 2.552_600_116_031_575_4, TOL);
        assert_eq!(skewness(&[]), None);
        assert_eq!(kurtosis(&[0.3; 4]), None);
    }

    #[test]
    fn psr_matches_mlfinlab_and_the_paper() {
        // mlfinlab `tests/test_backtest_statistics.py`
        // (hudson-and-thames/mlfinlab): SR 1.14 vs 1, 250 returns, normal.
        close(psr(1.14, 1.0, 250, 0.0, 3.0), 0.957_27, 1e-4);
        // Same numbers, from scipy 1.17.1 to full precision (statrs' normal
        // distribution function agrees with scipy's to about 1e-11).
        close(
            psr(1.14, 1.0, 250, 0.0, 3.0),
            0.957_277_880_327_312_9,
            1e-10,
        );
        // A PSR of empyrical's mixed_returns against 0, with its per-period
        // Sharpe, scipy skew and raw kurtosis (computed with scipy 1.17.1).
        let r = mixed_returns();
        let sr = sharpe_ratio(&r, 0.0, 1).unwrap();
        let value = psr(
            sr,
            0.0,
            r.len(),
            skewness(&r).unwrap(),
            kurtosis(&r).unwrap(),
        );
        close(value, 0.610_620_360_402_507_9, 1e-12);
        // At the benchmark the probability is one half.
        close(psr(0.1, 0.1, 100, -1.0, 6.0), 0.5, 1e-15);
        assert!(psr(0.1, 0.0, 1, 0.0, 3.0).is_nan());
        assert!(psr(2.0, 0.0, 100, 3.0, 3.0).is_nan());
    }

    #[test]
    fn min_track_record_length_matches_mlfinlab() {
        // mlfinlab `tests/test_backtest_statistics.py`: alpha 0.05.
        some_close(
            min_track_record_length(1.14, 1.0, 0.0, 3.0, 0.95),
            228.734_97,
            1e-6,
        );
        // scipy 1.17.1 to full precision.
        some_close(
            min_track_record_length(1.14, 1.0, 0.0, 3.0, 0.95),
            228.734_979_110_541_36,
            1e-11,
        );
        assert_eq!(min_track_record_length(1.0, 1.0, 0.0, 3.0, 0.95), None);
        assert_eq!(min_track_record_length(0.5, 1.0, 0.0, 3.0, 0.95), None);
        assert_eq!(min_track_record_length(1.5, 1.0, 0.0, 3.0, 1.0), None);
    }

    #[test]
    fn deflated_sharpe_matches_the_paper_and_mlfinlab() {
        // Bailey and López de Prado (2014), "The Deflated Sharpe Ratio",
        // numerical example: annualised SR 2.5 over 1 250 daily returns
        // (250 a year), skew −3, kurtosis 10, 100 trials whose annualised
        // Sharpe ratios have variance 1/2. The paper gives E[max SR] ≈ 0.1132
        // per period and DSR ≈ 0.9004; full precision from scipy 1.17.1.
        let variance = 0.5 / 250.0;
        let sr = 2.5 / 250.0_f64.sqrt();
        close(
            expected_max_sharpe(100, variance),
            0.113_172_001_865_132_14,
            1e-9,
        );
        close(
            deflated_sharpe_ratio(sr, 1250, -3.0, 10.0, 100, variance),
            0.900_396_834_449_390_3,
            1e-9,
        );
        close(
            deflated_sharpe_ratio(sr, 1250, -3.0, 10.0, 100, variance),
            0.9004,
            1e-4,
        );

        // mlfinlab `tests/test_backtest_statistics.py`: trial Sharpe ratios
        // [3.5, 1.01, 1.02] (numpy variance, ddof = 0), SR 1.14 over 250
        // returns, normal: 0.95836.
        let trials = [3.5, 1.01, 1.02];
        let m = mean(&trials).unwrap();
        let variance = trials.iter().map(|s| (s - m).powi(2)).sum::<f64>() / 3.0;
        close(
            deflated_sharpe_ratio(1.14, 250, 0.0, 3.0, 3, variance),
            0.958_36,
            1e-4,
        );
        close(
            deflated_sharpe_ratio(1.14, 250, 0.0, 3.0, 3, variance),
            0.958_365_811_747_866_2,
            1e-9,
        );

        assert_eq!(expected_max_sharpe(1, 0.5), 0.0);
        assert!(expected_max_sharpe(10, -1.0).is_nan());
    }

    /// xorshift64*: deterministic noise for the tests, uniform in [−1, 1).
    struct Noise(u64);

    impl Noise {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
            #[allow(clippy::cast_precision_loss, reason = "53 bits fit an f64 exactly")]
            let unit = bits as f64 / (1u64 << 53) as f64;
            2.0 * unit - 1.0
        }

        fn matrix(&mut self, rows: usize, trials: usize, scale: f64) -> Vec<Vec<f64>> {
            (0..rows)
                .map(|_| (0..trials).map(|_| scale * self.next()).collect())
                .collect()
        }
    }

    /// CSCV the straightforward way: concatenate the rows of each half and
    /// compute every trial's metric from them, two-pass.
    fn brute_force_logits(rows: &[Vec<f64>], blocks: usize, metric: PboMetric) -> Vec<f64> {
        let t = rows.len();
        let n = rows[0].len();
        let (size, dropped) = (t / blocks, t % blocks);
        let starts: Vec<usize> = (0..=blocks).map(|b| dropped + b * size).collect();
        let score = |picked: &[usize], j: usize| -> f64 {
            let column: Vec<f64> = picked
                .iter()
                .flat_map(|b| starts[*b]..starts[b + 1])
                .map(|r| rows[r][j])
                .collect();
            match metric {
                PboMetric::Sharpe => {
                    let (m, s) = mean_and_std(&column, 0.0).unwrap();
                    m / s
                }
                PboMetric::MeanReturn => mean(&column).unwrap(),
                PboMetric::TotalReturn => column.iter().fold(1.0, |w, r| w * (1.0 + r)) - 1.0,
            }
        };
        let mut logits = Vec::new();
        for mask in 0u32..(1 << blocks) {
            if mask.count_ones() as usize != blocks / 2 {
                continue;
            }
            let is: Vec<usize> = (0..blocks).filter(|b| mask & (1 << b) != 0).collect();
            let oos: Vec<usize> = (0..blocks).filter(|b| mask & (1 << b) == 0).collect();
            let is_scores: Vec<f64> = (0..n).map(|j| score(&is, j)).collect();
            let best = (0..n).fold(0, |best, j| {
                if is_scores[j] > is_scores[best] {
                    j
                } else {
                    best
                }
            });
            let oos_scores: Vec<f64> = (0..n).map(|j| score(&oos, j)).collect();
            let below = oos_scores.iter().filter(|s| **s < oos_scores[best]).count();
            #[allow(clippy::float_cmp, reason = "ties are exact in these tests")]
            let tied = oos_scores
                .iter()
                .filter(|s| **s == oos_scores[best])
                .count()
                - 1;
            let rank = 1.0 + count(below) + count(tied) / 2.0;
            let omega = rank / (count(n) + 1.0);
            logits.push((omega / (1.0 - omega)).ln());
        }
        logits
    }

    #[test]
    fn pbo_by_hand() {
        // T = 4 rows, S = 4 one-row blocks, N = 3 trials, by mean return.
        // In-sample blocks → IS means (t0, t1, t2) → best → OOS means → rank:
        //   {0,1}: .04 .03 .02 → t0 → OOS −.02 .04 .00 → rank 1, ω 1/4, λ < 0
        //   {0,2}: .01 .02 .03 → t2 → OOS  .01 .05 −.01 → rank 1, λ < 0
        //   {1,2}: −.01 .03 .01 → t1 → OOS .03 .04 .01 → rank 3, ω 3/4, λ > 0
        //   {0,3}: .03 .04 .01 → t1 → OOS −.01 .03 .01 → rank 3, λ > 0
        //   {1,3}: .01 .05 −.01 → t1 → OOS .01 .02 .03 → rank 2, ω 1/2, λ = 0
        //   {2,3}: −.02 .04 .00 → t1 → OOS .04 .03 .02 → rank 2, λ = 0
        // (sums shown; both halves have 2 rows.) PBO = 4/6.
        let rows = vec![
            vec![0.03, 0.01, 0.02],
            vec![0.01, 0.02, 0.00],
            vec![-0.02, 0.01, 0.01],
            vec![0.00, 0.03, -0.01],
        ];
        let result = pbo(&rows, 4, PboMetric::MeanReturn).unwrap();
        assert_eq!(
            (
                result.combinations,
                result.blocks,
                result.trials,
                result.rows
            ),
            (6, 4, 3, 4)
        );
        close(result.pbo, 4.0 / 6.0, 1e-15);
        // Masks in increasing order: 0011, 0101, 0110, 1001, 1010, 1100.
        let third = (1.0_f64 / 3.0).ln();
        let expected = [third, third, -third, -third, 0.0, 0.0];
        for (actual, expected) in result.logits.iter().zip(expected) {
            close(*actual, expected, 1e-12);
        }
        close(result.in_sample[0], 0.02, 1e-15);
        close(result.out_of_sample[0], -0.01, 1e-15);
    }

    #[test]
    fn pbo_ties_share_the_average_rank() {
        // Trials 0 and 1 are identical and beat trial 2 everywhere: trial 0
        // is selected (first on ties) and ranks 2.5 of 3 out of sample,
        // ω = 2.5 / 4 > 1/2, so no combination is overfit.
        let mut noise = Noise(7);
        let rows: Vec<Vec<f64>> = (0..40)
            .map(|_| {
                let x = 0.01 * noise.next();
                vec![x + 0.05, x + 0.05, x]
            })
            .collect();
        let result = pbo(&rows, 8, PboMetric::MeanReturn).unwrap();
        assert_eq!(result.pbo, 0.0);
        for logit in &result.logits {
            close(*logit, (0.625_f64 / 0.375).ln(), 1e-12);
        }
        // Two identical trials alone: rank 1.5 of 2, ω = 1/2, λ = 0, overfit.
        let pair: Vec<Vec<f64>> = rows.iter().map(|r| r[..2].to_vec()).collect();
        assert_eq!(pbo(&pair, 8, PboMetric::Sharpe).unwrap().pbo, 1.0);
    }

    #[test]
    fn pbo_matches_brute_force() {
        let mut noise = Noise(0x5eed);
        for (rows, trials, blocks) in [(12, 5, 4), (23, 6, 6), (50, 9, 8), (17, 4, 2)] {
            let matrix = noise.matrix(rows, trials, 0.02);
            for metric in [
                PboMetric::Sharpe,
                PboMetric::MeanReturn,
                PboMetric::TotalReturn,
            ] {
                let fast = pbo(&matrix, blocks, metric).unwrap();
                let slow = brute_force_logits(&matrix, blocks, metric);
                assert_eq!(
                    fast.logits.len(),
                    slow.len(),
                    "{rows}x{trials} S={blocks} {metric:?}"
                );
                for (f, s) in fast.logits.iter().zip(&slow) {
                    close(*f, *s, 1e-12);
                }
                let overfit = slow.iter().filter(|l| **l <= 0.0).count();
                assert_eq!(fast.pbo, count(overfit) / count(slow.len()));
            }
        }
    }

    #[test]
    fn pbo_matches_pypbo() {
        // pypbo's CSCV (esvhd/pypbo, `pypbo/pbo.py`: oldest T mod S rows
        // dropped, Sharpe with ddof = 1, `rankdata`, ω = rank / (N + 1)),
        // restated with numpy 2.4.6 and scipy 1.17.1 over this same xorshift
        // matrix: PBO = 65/70, Σ logits = −65.50427290277072.
        let rows = Noise(99).matrix(103, 7, 0.01);
        close(rows[0][0], -0.004_059_23, 1e-8);
        let result = pbo(&rows, 8, PboMetric::Sharpe).unwrap();
        assert_eq!(
            (result.combinations, result.rows, result.dropped_rows),
            (70, 96, 7)
        );
        close(result.pbo, 65.0 / 70.0, 1e-15);
        close(
            result.logits.iter().sum::<f64>(),
            -65.504_272_902_770_72,
            1e-10,
        );
    }

    #[test]
    fn pbo_of_a_dominant_trial_is_zero() {
        // Trial 0 earns 0.5 % a period more than noise of ±1 %: it wins in
        // sample and ranks first out of sample in every combination.
        let mut noise = Noise(42);
        let mut rows = noise.matrix(640, 10, 0.01);
        for row in &mut rows {
            row[0] += 0.005;
        }
        let result = pbo(&rows, 8, PboMetric::Sharpe).unwrap();
        assert_eq!(result.combinations, 70);
        assert_eq!(result.pbo, 0.0);
        for logit in &result.logits {
            close(*logit, 10.0_f64.ln(), 1e-12);
        }
    }

    #[test]
    fn pbo_of_noise_is_one_half() {
        // Selection among pure noise carries no information: the in-sample
        // winner's out-of-sample rank is uniform, so PBO averages 1/2 (with
        // an even N, λ ≤ 0 for exactly half of the ranks).
        let mut noise = Noise(2024);
        let runs = 24;
        let total: f64 = (0..runs)
            .map(|_| {
                pbo(&noise.matrix(320, 20, 0.01), 8, PboMetric::Sharpe)
                    .unwrap()
                    .pbo
            })
            .sum();
        let average = total / count(runs);
        assert!(
            (average - 0.5).abs() < 0.08,
            "average PBO of noise {average}"
        );
    }

    #[test]
    fn pbo_sixteen_blocks() {
        let mut noise = Noise(1);
        let rows = noise.matrix(252, 8, 0.01);
        let result = pbo(&rows, DEFAULT_PBO_BLOCKS, PboMetric::Sharpe).unwrap();
        assert_eq!(result.combinations, 12_870);
        assert_eq!(result.logits.len(), 12_870);
        assert!((0.0..=1.0).contains(&result.pbo));
    }

    #[test]
    fn pbo_rejects_bad_input() {
        let rows = vec![vec![0.0; 3]; 8];
        assert_eq!(
            pbo(&rows, 5, PboMetric::Sharpe),
            Err(PboError::Blocks { blocks: 5 })
        );
        assert_eq!(
            pbo(&rows, 0, PboMetric::Sharpe),
            Err(PboError::Blocks { blocks: 0 })
        );
        assert_eq!(
            pbo(&rows, 26, PboMetric::Sharpe),
            Err(PboError::Blocks { blocks: 26 })
        );
        assert_eq!(
            PboError::Blocks { blocks: 5 }.to_string(),
            "cannot split the trials into 5 blocks: the number of blocks `S` must be even and \
             between 2 and 24 (16 is usual)"
        );
        assert_eq!(
            pbo(&rows, 16, PboMetric::Sharpe),
            Err(PboError::TooFewRows {
                rows: 8,
                blocks: 16
            })
        );
        let narrow = vec![vec![0.0; 1]; 8];
        assert_eq!(
            pbo(&narrow, 4, PboMetric::Sharpe),
            Err(PboError::TooFewTrials { trials: 1 })
        );
        let mut ragged = rows.clone();
        ragged[5].push(1.0);
        let error = pbo(&ragged, 4, PboMetric::Sharpe).unwrap_err();
        assert_eq!(
            error,
            PboError::RaggedRow {
                row: 5,
                len: 4,
                expected: 3
            }
        );
        assert_eq!(
            error.to_string(),
            "row 5 (from 0) has 4 values but row 0 has 3: every row needs one return per trial"
        );
        let empty: [Vec<f64>; 0] = [];
        assert_eq!(
            pbo(&empty, 2, PboMetric::Sharpe),
            Err(PboError::TooFewRows { rows: 0, blocks: 2 })
        );
    }

    #[test]
    fn psi_matches_numpy() {
        // numpy 2.4.6: k = ceil(log2(n)) + 1 bins from
        // np.histogram_bin_edges(pooled, k), np.histogram of each sample,
        // shares floored at 1e-4, Σ (live − ref) ln(live / ref).
        // sample_b holds 0.5, which lies on a bin edge.
        close(
            psi(&sample_a(), &sample_b()),
            2.047_563_193_501_497_3,
            1e-12,
        );
        let x: Vec<f64> = (0..300).map(|i| (f64::from(i) * 1.7).sin() * 1.3).collect();
        let y: Vec<f64> = (0..200)
            .map(|i| (f64::from(i) * 2.3).sin() * 1.1 + 0.15)
            .collect();
        close(psi(&x, &y), 1.616_799_866_794_894, 1e-12);
        close(psi(&x, &x), 0.0, 1e-15);
        close(psi(&[1.0; 5], &[1.0; 3]), 0.0, 1e-15);
        assert!(psi(&[], &[1.0]).is_nan());
        assert!(psi(&[f64::NAN], &[1.0]).is_nan());
    }

    #[test]
    fn ks_matches_scipy() {
        // scipy 1.17.1: ks_2samp(a, b).statistic and
        // kstwobign.sf(sqrt(n·m/(n+m)) · D). (scipy's own
        // ks_2samp(method='asymp') gives 0.19399374999999963 here, from
        // kstwo.sf(D, round(en)); see `ks_2samp`.)
        let test = ks_2samp(&sample_a(), &sample_b());
        close(test.statistic, 0.45, 1e-15);
        close(test.p_value, 0.219_310_147_417_173_72, 1e-12);
        let x: Vec<f64> = (0..300).map(|i| (f64::from(i) * 1.7).sin() * 1.3).collect();
        let y: Vec<f64> = (0..200)
            .map(|i| (f64::from(i) * 2.3).sin() * 1.1 + 0.15)
            .collect();
        let test = ks_2samp(&x, &y);
        close(test.statistic, 0.236_666_666_666_666_66, 1e-15);
        // kstwobign: 2.903715349046789e-06 (scipy's asymp: 2.1356e-06).
        close(test.p_value / 2.903_715_349_046_789e-6, 1.0, 1e-9);
        let same = ks_2samp(&x, &x);
        assert_eq!((same.statistic, same.p_value), (0.0, 1.0));
        assert!(ks_2samp(&[], &x).p_value.is_nan());
    }

    #[test]
    fn ks_handles_ties() {
        // Equal values step both distribution functions together.
        let test = ks_2samp(&[1.0, 1.0, 2.0, 2.0], &[1.0, 2.0]);
        assert_eq!(test.statistic, 0.0);
        let test = ks_2samp(&[1.0, 1.0, 1.0], &[2.0, 2.0]);
        assert_eq!(test.statistic, 1.0);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let nasty = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -1.0,
            -2.0,
            0.0,
            -0.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            1e300,
        ];
        for len in 0..=nasty.len() {
            let xs = &nasty[..len];
            let _ = (mean(xs), sample_std(xs), skewness(xs), kurtosis(xs));
            let _ = (sharpe_ratio(xs, 0.0, 252), sortino_ratio(xs, 0.0, 252));
            let _ = (downside_risk(xs, 0.0, 252), annual_volatility(xs, 252));
            let _ = (
                cagr(xs, 252),
                calmar_ratio(xs, 252),
                max_drawdown(xs),
                win_rate(xs),
            );
            let _ = (
                psi(xs, &nasty),
                psi(&nasty[3..], xs),
                ks_2samp(xs, &nasty[1..]),
            );
            let rows: Vec<Vec<f64>> = (0..8)
                .map(|i| vec![nasty[i], nasty[(i + 3) % 10]])
                .collect();
            for metric in [
                PboMetric::Sharpe,
                PboMetric::MeanReturn,
                PboMetric::TotalReturn,
            ] {
                let _ = pbo(&rows, 4, metric);
            }
        }
        for x in nasty {
            let _ = (
                psr(x, 0.0, 10, x, x),
                min_track_record_length(x, 0.0, x, x, 0.95),
            );
            let _ = (
                expected_max_sharpe(usize::MAX, x),
                deflated_sharpe_ratio(x, 0, x, x, 0, x),
            );
            let _ = kolmogorov_sf(x);
        }
        // C(20, 10) = 184 756 combinations of a flat matrix.
        let flat = pbo(&vec![vec![0.0; 2]; 40], 20, PboMetric::Sharpe).unwrap();
        assert_eq!((flat.combinations, flat.pbo), (184_756, 1.0));
    }

    #[test]
    fn kolmogorov_series_agree_where_they_meet() {
        // Both representations of Q_KS are exact; at the switch they agree.
        // Values of scipy 1.17.1's kstwobign.sf.
        close(kolmogorov_sf(1.0), 0.269_999_671_677_354_56, 1e-14);
        close(kolmogorov_sf(0.5), 0.963_945_243_664_875_1, 1e-14);
        close(kolmogorov_sf(2.0), 0.000_670_925_255_779_695_3, 1e-14);
        close(kolmogorov_sf(3.0) / 3.045_995_948_942_526e-8, 1.0, 1e-12);
        close(
            kolmogorov_sf(1.18 - 1e-12),
            kolmogorov_sf(1.18 + 1e-12),
            1e-10,
        );
        assert_eq!(kolmogorov_sf(0.0), 1.0);
    }
}
