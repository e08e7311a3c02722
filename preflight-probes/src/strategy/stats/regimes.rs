//! Market regimes: a backtest's periods split by realized volatility and
//! by calendar year, with each regime's Sharpe ratio and drawdown.
//!
//! The definitions are on [`volatility_regimes`].

use jiff::civil::Date;

use super::count;

/// One market regime's performance.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RegimeStats {
    /// Periods in the regime.
    pub observations: usize,
    /// The annualised Sharpe ratio of its returns; `None` for fewer than
    /// two, no dispersion or `periods_per_year` 0.
    pub sharpe_ratio: Option<f64>,
    /// The max drawdown of the wealth compounded from its returns alone,
    /// as a positive fraction.
    pub max_drawdown: f64,
}

/// The windows [`volatility_regimes`] takes the tercile cuts from, about:
/// every window up to twice as many, a sample of this many to twice as
/// many beyond.
pub const REGIME_SAMPLE: usize = 1_000_000;

/// The calm, normal and turbulent regimes of `returns` over windows of
/// `window` periods, with `risk_free` per period. `None` when `window` is
/// below 2 or there are fewer than three windows (`returns` shorter than
/// `window + 2`).
///
/// - A **window** is `window` consecutive periods; window `w` ends at
///   period `w + window − 1`, and its return is that period's. A series of
///   `n` returns has `n − window + 1` windows.
/// - A window's **spread** is `window · Σr² − (Σr)²` over its returns: its
///   sample variance times `window · (window − 1)`, which orders windows as
///   their realized volatility does.
/// - The **tercile cuts** are the spreads a third and two thirds of the way
///   up the sorted spreads. A window is **calm** below the lower cut,
///   **turbulent** at or above the upper, and **normal** in between.
/// - A regime's returns are those of its windows, in time order (for
///   [`yearly_regimes`], those of the year's periods). Its Sharpe ratio is
///   `(mean − risk_free) / std · √periods_per_year` with the sample standard
///   deviation (`ddof = 1`), and its max drawdown that of the wealth
///   compounded from its returns alone, starting at 1, as
///   [`max_drawdown`](super::max_drawdown()) defines it.
///
/// The tercile cuts are exact up to twice [`REGIME_SAMPLE`] windows. For
/// more, they come from an evenly spaced sample of the windows (every
/// tenth chunk of 4 096 windows of ten million, for example), which is
/// exact enough for terciles at a fraction of the cost. The work is two
/// passes over the returns, a chunk of windows at a time, and the memory a
/// few chunks besides the sample.
///
/// ```
/// use preflight_probes::strategy::stats;
///
/// // Two years of daily returns whose volatility changes every 50 days.
/// let returns: Vec<f64> = (0..500)
///     .map(|i| {
///         let scale = if (i / 50) % 2 == 0 { 0.02 } else { 0.005 };
///         0.0004 + scale * if i % 2 == 0 { 1.0 } else { -1.0 }
///     })
///     .collect();
/// let [calm, normal, turbulent] = stats::volatility_regimes(&returns, 21, 0.0, 252).unwrap();
/// assert_eq!(calm.observations + normal.observations + turbulent.observations, 480);
/// assert!(turbulent.max_drawdown > calm.max_drawdown);
/// ```
#[must_use]
pub fn volatility_regimes(
    returns: &[f64],
    window: usize,
    risk_free: f64,
    periods_per_year: u32,
) -> Option<[RegimeStats; 3]> {
    if window < 2 || returns.len() < window.saturating_add(2) {
        return None;
    }
    let (low, high) = tercile_cuts(returns, window, REGIME_SAMPLE);
    Some(
        sort_into_regimes(returns, window, low, high)
            .map(|acc| acc.stats(risk_free, periods_per_year)),
    )
}

/// The calendar-year regimes of `returns`, whose dates come in runs: `runs`
/// gives each run's date and number of periods, in order (for one date per
/// period, `dates.iter().map(|d| (*d, 1))`). Each year's statistics, in
/// the order the years come; periods past the end of `returns` are left
/// out. The statistics are those of [`volatility_regimes`].
///
/// ```
/// use jiff::civil::date;
/// use preflight_probes::strategy::stats;
///
/// let returns = [0.01, -0.02, 0.03, 0.01, -0.01];
/// let runs = [(date(2023, 12, 29), 2), (date(2024, 1, 2), 3)];
/// let years = stats::yearly_regimes(runs, &returns, 0.0, 252);
/// assert_eq!(years.len(), 2);
/// assert_eq!((years[0].0, years[0].1.observations), (2023, 2));
/// assert!((years[0].1.max_drawdown - 0.02).abs() < 1e-12);
/// assert_eq!((years[1].0, years[1].1.observations), (2024, 3));
/// ```
#[must_use]
pub fn yearly_regimes(
    runs: impl IntoIterator<Item = (Date, usize)>,
    returns: &[f64],
    risk_free: f64,
    periods_per_year: u32,
) -> Vec<(i16, RegimeStats)> {
    let summarise = |periods: &[f64]| {
        let mut acc = Accumulator::default();
        acc.extend(periods);
        acc.stats(risk_free, periods_per_year)
    };
    let mut years = Vec::new();
    // The year being summed and its first period; the end of the last run.
    let mut current: Option<(i16, usize)> = None;
    let mut end = 0;
    for (date, periods) in runs {
        let year = date.year();
        match current {
            Some((same, _)) if same == year => {}
            Some((done, from)) => {
                years.push((done, summarise(&returns[from..end])));
                current = Some((year, end));
            }
            None => current = Some((year, end)),
        }
        end = end.saturating_add(periods).min(returns.len());
    }
    if let Some((year, from)) = current {
        years.push((year, summarise(&returns[from..end])));
    }
    years
}

/// The realized volatility of a rolling window, as a number that orders
/// windows as their sample variance does: n·Σr² − (Σr)², which is the
/// variance times n(n − 1), without a division. It is rolled a block of
/// windows at a time ([`BLOCK`]), so every pass over the windows sees the
/// very same values.
struct Spread {
    n: f64,
    sum: f64,
    squares: f64,
}

impl Spread {
    fn new(window: usize) -> Self {
        #[allow(clippy::cast_precision_loss)] // windows are small
        let n = window as f64;
        Spread {
            n,
            sum: 0.0,
            squares: 0.0,
        }
    }

    /// Takes `r` into the window and `old` (the return leaving it, 0 while
    /// the window fills) out: one addition each on the running sums.
    #[inline]
    fn roll(&mut self, r: f64, old: f64) {
        self.sum += r - old;
        self.squares += r * r - old * old;
    }

    /// The current window's spread, kept as f32: terciles need no more.
    #[inline]
    #[allow(clippy::cast_possible_truncation)] // f32 is the point
    fn value(&self) -> f32 {
        (self.n * self.squares - self.sum * self.sum) as f32
    }
}

/// One regime's returns, summarised as they stream in: count, sum and sum of
/// squares (per-period returns are small, so the two-sum variance loses
/// nothing that matters) and the drawdown of their compounded wealth.
#[derive(Debug)]
struct Accumulator {
    count: usize,
    sum: f64,
    squares: f64,
    wealth: f64,
    high: f64,
    max_drawdown: f64,
}

impl Default for Accumulator {
    fn default() -> Self {
        Accumulator {
            count: 0,
            sum: 0.0,
            squares: 0.0,
            wealth: 1.0,
            high: 1.0,
            max_drawdown: 0.0,
        }
    }
}

impl Accumulator {
    /// Takes `returns`, in order, into the summary.
    #[inline(never)]
    fn extend(&mut self, returns: &[f64]) {
        // The running values live in locals for the loop: kept in the
        // struct, each step would store them and load them back, and the
        // store-to-load delay would lengthen every chain (three times
        // slower on a year of minutes).
        let (mut sum, mut squares, mut wealth, mut high, mut max_drawdown) = (
            self.sum,
            self.squares,
            self.wealth,
            self.high,
            self.max_drawdown,
        );
        for r in returns {
            sum += r;
            squares += r * r;
            wealth *= 1.0 + r;
            // New highs come and go at random: a select (one `maxsd`), not
            // a branch.
            high = if wealth > high { wealth } else { high };
            if wealth < high * (1.0 - max_drawdown) {
                // A new worst fall (rare): only then is the division needed.
                max_drawdown = (high - wealth) / high;
            }
        }
        self.count += returns.len();
        (
            self.sum,
            self.squares,
            self.wealth,
            self.high,
            self.max_drawdown,
        ) = (sum, squares, wealth, high, max_drawdown);
    }

    /// The summary's [`RegimeStats`].
    fn stats(&self, risk_free: f64, periods_per_year: u32) -> RegimeStats {
        let n = count(self.count);
        let mean = self.sum / n;
        let std = (self.count > 1).then(|| {
            ((self.squares - self.sum * mean) / (n - 1.0))
                .max(0.0)
                .sqrt()
        });
        RegimeStats {
            observations: self.count,
            sharpe_ratio: std
                .filter(|s| *s > 0.0 && periods_per_year > 0)
                .map(|s| (mean - risk_free) / s * f64::from(periods_per_year).sqrt()),
            max_drawdown: self.max_drawdown,
        }
    }
}

/// Windows whose spreads are rolled together from scratch: a block's first
/// window is summed afresh from its returns, and each window after it is
/// rolled on from the one before. A window's spread so depends only on its
/// block: blocks can be rolled on their own, side by side and in any order,
/// and every pass over the windows sees the very same values.
const BLOCK: usize = 1 << 10;

/// Blocks rolled side by side: their running sums are independent chains
/// the processor overlaps.
const LOCKSTEP: usize = 4;

/// Windows [`volatility_regimes`] takes at a time: their spreads fit in the
/// fastest cache, and their returns are sorted by regime.
const CHUNK: usize = BLOCK * LOCKSTEP;

/// The [`Spread`]s of windows `first..first + out.len()` of `returns` into
/// `out` (window `w` ends at period `w + window − 1`): `first` is a
/// multiple of [`BLOCK`], `out` at most [`CHUNK`] long, and every window in
/// the series.
fn roll_chunk(returns: &[f64], window: usize, first: usize, out: &mut [f32]) {
    if out.len() == CHUNK {
        roll_blocks::<LOCKSTEP>(returns, window, first, BLOCK, |j, values| {
            for (b, value) in values.into_iter().enumerate() {
                // Never out of bounds (b · BLOCK + j < CHUNK); a check that
                // cannot fail spares the panic's call, which would make the
                // compiler keep the running sums in memory.
                if let Some(out) = out.get_mut(b * BLOCK + j) {
                    *out = value;
                }
            }
        });
    } else {
        for (b, out) in out.chunks_mut(BLOCK).enumerate() {
            roll_blocks::<1>(
                returns,
                window,
                first + b * BLOCK,
                out.len(),
                |j, [value]| {
                    if let Some(out) = out.get_mut(j) {
                        *out = value;
                    }
                },
            );
        }
    }
}

/// Rolls the first `len` windows of `N` blocks side by side, block `b`'s
/// from window `first + b · BLOCK`: `each(j, values)` gets window `j` of
/// each.
#[inline]
fn roll_blocks<const N: usize>(
    returns: &[f64],
    window: usize,
    first: usize,
    len: usize,
    mut each: impl FnMut(usize, [f32; N]),
) {
    if len == 0 {
        return;
    }
    let start = |b: usize| first + b * BLOCK;
    let mut spread: [Spread; N] = std::array::from_fn(|_| Spread::new(window));
    // A block's first window but one return fills it; then window `j`
    // takes return `start + j + window − 1` in and, after the first,
    // return `start + j − 1` out.
    for (b, spread) in spread.iter_mut().enumerate() {
        for r in &returns[start(b)..start(b) + window - 1] {
            spread.roll(*r, 0.0);
        }
    }
    let incoming: [&[f64]; N] =
        std::array::from_fn(|b| &returns[start(b) + window - 1..start(b) + window - 1 + len]);
    let mut values = [0.0_f32; N];
    for (b, spread) in spread.iter_mut().enumerate() {
        spread.roll(incoming[b][0], 0.0);
        values[b] = spread.value();
    }
    each(0, values);
    let outgoing: [&[f64]; N] = std::array::from_fn(|b| &returns[start(b)..start(b) + len]);
    for j in 1..len {
        for (b, spread) in spread.iter_mut().enumerate() {
            spread.roll(incoming[b][j], outgoing[b][j - 1]);
            values[b] = spread.value();
        }
        each(j, values);
    }
}

/// The tercile cuts of the spreads of `returns`' `window`-period windows:
/// the values a third and two thirds of the way up.
///
/// With fewer than twice `sample` windows, every window counts, and the
/// cuts are exact. With more, every `k`-th chunk of windows counts (`k` is
/// the number of windows over `sample`, rounded down): an evenly spaced
/// sample of `sample` to twice as many windows, such as every tenth chunk
/// of ten million windows for a sample of a million. That is exact enough
/// for terciles, and a fraction of the cost of rolling, keeping and
/// selecting among tens of millions. `returns` is at least `window` long.
fn tercile_cuts(returns: &[f64], window: usize, sample: usize) -> (f32, f32) {
    let windows = returns.len() + 1 - window;
    let stride = (windows / sample.max(1)).max(1);
    let mut values = Vec::with_capacity(windows.div_ceil(stride) + CHUNK);
    for first in (0..windows).step_by(CHUNK * stride) {
        let len = CHUNK.min(windows - first);
        let from = values.len();
        values.resize(from + len, 0.0);
        roll_chunk(returns, window, first, &mut values[from..]);
    }
    let third = values.len() / 3;
    // The upper cut first; the lower one is then among the values below it.
    let high = *values.select_nth_unstable_by(2 * third, f32::total_cmp).1;
    let low = *values[..2 * third]
        .select_nth_unstable_by(third, f32::total_cmp)
        .1;
    (low, high)
}

/// The calm, normal and turbulent regimes of `returns`: each window's
/// return (the one that ends it) joins the first when the window's spread
/// is below `low`, the last when it is at or above `high`, the second
/// otherwise. `returns` is at least `window` long.
fn sort_into_regimes(returns: &[f64], window: usize, low: f32, high: f32) -> [Accumulator; 3] {
    // Each return joins its regime's accumulator in order. Regimes change
    // every few windows, and a branch at each change costs more than the
    // work between them; so a chunk at a time, the windows' spreads are
    // rolled, their returns are sorted into one buffer per regime without a
    // branch (each return is written to all three buffers, and only its own
    // regime's count moves on), and each buffer then joins its accumulator
    // in a loop of its own.
    let windows = returns.len() + 1 - window;
    let mut accs: [Accumulator; 3] = Default::default();
    let mut values = vec![0.0_f32; CHUNK];
    let mut buffers = vec![0.0_f64; 3 * CHUNK];
    let (calm, rest) = buffers.split_at_mut(CHUNK);
    let (normal, turbulent) = rest.split_at_mut(CHUNK);
    let ended = &returns[window - 1..];
    for (first, chunk) in (0..windows).step_by(CHUNK).zip(ended.chunks(CHUNK)) {
        let values = &mut values[..chunk.len()];
        roll_chunk(returns, window, first, values);
        let (mut c, mut n, mut t) = (0, 0, 0);
        for (spread, r) in values.iter().zip(chunk) {
            // Each count is at most the index in the chunk, so the mask
            // changes nothing; it spares the bounds checks.
            calm[c & (CHUNK - 1)] = *r;
            normal[n & (CHUNK - 1)] = *r;
            turbulent[t & (CHUNK - 1)] = *r;
            let (above_low, above_high) = (*spread >= low, *spread >= high);
            c += usize::from(!above_low);
            n += usize::from(above_low && !above_high);
            t += usize::from(above_high);
        }
        accs[0].extend(&calm[..c]);
        accs[1].extend(&normal[..n]);
        accs[2].extend(&turbulent[..t]);
    }
    accs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The regimes of `n` generated daily returns from 2010-01-04, against a
    /// plain computation: every window's variance computed afresh, the
    /// terciles from all of them sorted, and each regime's returns
    /// collected and measured with [`sharpe_ratio`](super::super::sharpe_ratio)
    /// and [`max_drawdown`](super::super::max_drawdown).
    fn regimes_against_a_plain_computation(n: usize) -> Vec<RegimeStats> {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut returns = Vec::new();
        for i in 0..n {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise =
                f64::from(u32::try_from(state >> 40).unwrap()) / f64::from(1u32 << 24) - 0.5;
            // Volatility that changes over time, so the regimes differ.
            let scale = if (i / 250) % 3 == 0 { 0.03 } else { 0.01 };
            returns.push(0.0004 + noise * scale);
        }
        let mut dates = Vec::new();
        let mut day = jiff::civil::date(2010, 1, 4);
        for _ in &returns {
            dates.push(day);
            day = day.tomorrow().unwrap();
        }
        let window = 21;
        let mut regimes = volatility_regimes(&returns, window, 0.0, 252)
            .unwrap()
            .to_vec();
        let years = yearly_regimes(dates.iter().map(|d| (*d, 1)), &returns, 0.0, 252);
        regimes.extend(years.iter().map(|(_, stats)| *stats));

        let w = f64::from(u32::try_from(window).unwrap());
        let variance = |x: &[f64]| {
            let mean = x.iter().sum::<f64>() / w;
            x.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (w - 1.0)
        };
        let variances: Vec<f64> = returns.windows(window).map(variance).collect();
        let mut sorted = variances.clone();
        sorted.sort_by(f64::total_cmp);
        let third = sorted.len() / 3;
        let (low, high) = (sorted[third], sorted[2 * third]);
        let measure = |members: &[f64]| {
            (
                members.len(),
                super::super::sharpe_ratio(members, 0.0, 252),
                super::super::max_drawdown(members).max_drawdown,
            )
        };
        let mut expected = Vec::new();
        for k in 0..3 {
            let members: Vec<f64> = variances
                .iter()
                .zip(&returns[window - 1..])
                .filter(|(v, _)| usize::from(**v >= low) + usize::from(**v >= high) == k)
                .map(|(_, r)| *r)
                .collect();
            expected.push(measure(&members));
        }
        let (first, last) = (dates[0].year(), dates[n - 1].year());
        assert_eq!(
            years.iter().map(|(year, _)| *year).collect::<Vec<_>>(),
            (first..=last).collect::<Vec<_>>()
        );
        for year in first..=last {
            let members: Vec<f64> = dates
                .iter()
                .zip(&returns)
                .filter(|(d, _)| d.year() == year)
                .map(|(_, r)| *r)
                .collect();
            expected.push(measure(&members));
        }
        assert_eq!(regimes.len(), expected.len(), "{n} returns");
        for (i, (got, (observations, sharpe, drawdown))) in
            regimes.iter().zip(&expected).enumerate()
        {
            assert_eq!(got.observations, *observations, "{n} returns: regime {i}");
            match (got.sharpe_ratio, sharpe) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "regime {i}: {a} vs {b}"),
                (a, b) => assert_eq!(a, *b, "{n} returns: regime {i}"),
            }
            assert!(
                (got.max_drawdown - drawdown).abs() < 1e-12,
                "{n} returns: regime {i}"
            );
        }
        assert_eq!(
            regimes[0].observations + regimes[1].observations + regimes[2].observations,
            n + 1 - window
        );
        regimes
    }

    /// `n` returns whose volatility changes every 250 periods.
    fn changing_volatility(n: usize) -> Vec<f64> {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        (0..n)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let noise =
                    f64::from(u32::try_from(state >> 40).unwrap()) / f64::from(1u32 << 24) - 0.5;
                let scale = [0.03, 0.01, 0.02][(i / 250) % 3];
                0.0002 + noise * scale
            })
            .collect()
    }

    #[test]
    fn blocks_roll_the_same_side_by_side_as_alone() {
        let window = 21;
        // Three full chunks, then a block and a part of one.
        let windows = 3 * CHUNK + BLOCK + 300;
        let returns = changing_volatility(windows + window - 1);
        let mut values = vec![0.0_f32; windows];
        for (first, out) in (0..windows).step_by(CHUNK).zip(values.chunks_mut(CHUNK)) {
            roll_chunk(&returns, window, first, out);
        }
        for (b, block) in values.chunks(BLOCK).enumerate() {
            let mut alone = vec![0.0_f32; block.len()];
            roll_blocks::<1>(&returns, window, b * BLOCK, block.len(), |j, [value]| {
                alone[j] = value;
            });
            assert_eq!(block, alone, "block {b}");
        }
        // And each is the window's n·Σr² − (Σr)², summed afresh.
        let n = f64::from(u32::try_from(window).unwrap());
        for (w, value) in values.iter().enumerate() {
            let rs = &returns[w..w + window];
            let sum: f64 = rs.iter().sum();
            let squares: f64 = rs.iter().map(|r| r * r).sum();
            let fresh = n * squares - sum * sum;
            let error = (f64::from(*value) - fresh).abs() / fresh;
            assert!(error < 1e-5, "window {w}: {value} against {fresh}");
        }
    }

    #[test]
    fn tercile_cuts_from_a_sample_of_chunks() {
        let window = 21;
        let windows = 40 * CHUNK;
        // Volatility that also grows along the series threefold: a sample
        // from one part of it would put its cuts far off.
        let mut returns = changing_volatility(windows + window - 1);
        #[allow(clippy::cast_precision_loss)]
        let len = returns.len() as f64;
        for (i, r) in returns.iter_mut().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let at = i as f64 / len;
            *r *= 1.0 + 2.0 * at;
        }
        let mut values = vec![0.0_f32; windows];
        for (first, out) in (0..windows).step_by(CHUNK).zip(values.chunks_mut(CHUNK)) {
            roll_chunk(&returns, window, first, out);
        }
        let below = |cut: f32| values.iter().filter(|v| **v < cut).count();
        // Every window: the exact terciles.
        let mut sorted = values.clone();
        sorted.sort_by(f32::total_cmp);
        let third = windows / 3;
        assert_eq!(
            tercile_cuts(&returns, window, windows),
            (sorted[third], sorted[2 * third])
        );
        assert_eq!(
            tercile_cuts(&returns, window, windows / 2 + 1),
            (sorted[third], sorted[2 * third])
        );
        // Every fourth chunk (ten of forty): a third of all windows below
        // the lower cut and a third above the upper, within 3 %.
        let (low, high) = tercile_cuts(&returns, window, windows / 4);
        assert_ne!((low, high), (sorted[third], sorted[2 * third]));
        #[allow(clippy::cast_precision_loss)]
        let share = |count: usize| count as f64 / windows as f64;
        let (calm, turbulent) = (share(below(low)), 1.0 - share(below(high)));
        assert!((calm - 1.0 / 3.0).abs() < 0.03, "calm {calm}");
        assert!(
            (turbulent - 1.0 / 3.0).abs() < 0.03,
            "turbulent {turbulent}"
        );
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let returns = [
            0.01,
            f64::NAN,
            -0.02,
            f64::INFINITY,
            0.0,
            f64::NEG_INFINITY,
            0.03,
        ];
        for window in [0, 1, 2, 3, 5, 6, 7, usize::MAX] {
            let regimes = volatility_regimes(&returns, window, 0.0, 252);
            // Three windows at least, of two periods at least.
            assert_eq!(
                regimes.is_some(),
                (2..=5).contains(&window),
                "window {window}"
            );
        }
        assert_eq!(volatility_regimes(&[], 2, 0.0, 0), None);
        let dates = [
            jiff::civil::date(2021, 1, 1),
            jiff::civil::date(2020, 1, 1),
            jiff::civil::date(2021, 1, 1),
        ];
        // Out of order: still every period once, never a loop or a panic.
        let runs = || dates.iter().map(|d| (*d, 1));
        let years = yearly_regimes(runs(), &returns, 0.0, 252);
        assert_eq!(years.iter().map(|(_, s)| s.observations).sum::<usize>(), 3);
        assert_eq!(years.len(), 3);
        // More periods than returns: those past the end are left out.
        let years = yearly_regimes([(dates[0], usize::MAX)], &returns, 0.0, 252);
        assert_eq!(years[0].1.observations, returns.len());
        let years = yearly_regimes(runs(), &[], 0.0, 252);
        assert!(years.iter().all(|(_, s)| s.observations == 0));
    }

    #[test]
    fn regimes_agree_with_a_plain_computation() {
        let regimes = regimes_against_a_plain_computation(3000);
        // Turbulent windows are the volatile ones.
        assert!(regimes[2].max_drawdown > regimes[0].max_drawdown);
        // From the fewest windows (three) to several chunks, with whole
        // and partial blocks and chunks.
        for n in [23, 24, 25, 26, 100, 1044, 1045, 4116, 4117, 4118, 9000] {
            regimes_against_a_plain_computation(n);
        }
    }
}
