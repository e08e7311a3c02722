//! Benchmarks of the strategy statistics: the probability of backtest
//! overfitting at the size a pre-flight run meets (ten years of daily returns
//! of 100 trials, S = 16, so C(16, 8) = 12 870 combinations), the backtest
//! items' statistics and regimes on long series in memory, and the reading
//! of a long returns file.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use preflight_probes::strategy::series::{Backtest, Dates};
use preflight_probes::strategy::stats::{self, DEFAULT_PBO_BLOCKS, PboMetric, pbo};

/// Deterministic daily returns, `rows × trials`: xorshift64* noise of ±1 %
/// around a drift of 0.02 % a day, so runs are comparable without a random
/// number crate.
fn trial_matrix(rows: usize, trials: usize, mut state: u64) -> Vec<Vec<f64>> {
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let bits = state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
        #[allow(clippy::cast_precision_loss, reason = "53 bits fit an f64 exactly")]
        let unit = bits as f64 / (1u64 << 53) as f64;
        0.0002 + 0.02 * (unit - 0.5)
    };
    (0..rows)
        .map(|_| (0..trials).map(|_| next()).collect())
        .collect()
}

fn bench_pbo(c: &mut Criterion) {
    let matrix = trial_matrix(2520, 100, 0x9e37_79b9_7f4a_7c15);
    c.bench_function("pbo S=16, 2520 x 100", |b| {
        b.iter(|| pbo(black_box(&matrix), DEFAULT_PBO_BLOCKS, PboMetric::Sharpe).unwrap());
    });
}

/// Every statistic the backtest items report, on one series of a million
/// returns already in memory (reading the file is `bench_backtest_file`;
/// the whole run is timed by `scripts/compare_backtest_stats.py`).
fn bench_backtest_statistics(c: &mut Criterion) {
    let returns: Vec<f64> = trial_matrix(1_000_000, 1, 0x2545_f491_4f6c_dd1d)
        .into_iter()
        .map(|row| row[0])
        .collect();
    c.bench_function("backtest statistics, 1 000 000 returns", |b| {
        b.iter(|| {
            let r = black_box(&returns[..]);
            let sharpe = stats::sharpe_ratio(r, 0.0, 252).unwrap();
            let skew = stats::skewness(r).unwrap();
            let kurtosis = stats::kurtosis(r).unwrap();
            let per_period = sharpe / 252f64.sqrt();
            (
                sharpe,
                stats::psr(per_period, 0.0, r.len(), skew, kurtosis),
                stats::min_track_record_length(per_period, 0.0, skew, kurtosis, 0.95),
                stats::sortino_ratio(r, 0.0, 252),
                stats::annual_volatility(r, 252),
                stats::cagr(r, 252),
                stats::calmar_ratio(r, 252),
                stats::max_drawdown(r),
                stats::win_rate(r),
            )
        });
    });
}

/// The market-regimes item's statistics on ten million one-minute returns
/// in memory, the size of the peer comparison's file: the volatility
/// terciles of 21-period windows, and the calendar years (which the item
/// computes on a second thread, side by side with the terciles).
fn bench_regimes(c: &mut Criterion) {
    const ROWS: usize = 10_000_000;
    let returns: Vec<f64> = trial_matrix(ROWS / 1000, 1000, 0x2545_f491_4f6c_dd1d)
        .into_iter()
        .flatten()
        .collect();
    // 390 one-minute periods a trading day, five days a week.
    let mut dates = Dates::new();
    let mut day = jiff::civil::date(2000, 1, 3);
    while dates.len() < ROWS {
        if day.weekday().to_monday_one_offset() <= 5 {
            dates.push_run(day, 390.min(ROWS - dates.len()));
        }
        day = day.tomorrow().unwrap();
    }
    let ppy = 390 * 252;
    let mut group = c.benchmark_group("market regimes, 10 000 000 returns");
    group.sample_size(10);
    group.bench_function("volatility terciles", |b| {
        b.iter(|| stats::volatility_regimes(black_box(&returns), 21, 0.0, ppy).unwrap());
    });
    group.bench_function("calendar years", |b| {
        b.iter(|| {
            let runs = black_box(&dates)
                .runs()
                .map(|(day, periods)| (day, periods.len()));
            stats::yearly_regimes(runs, black_box(&returns), 0.0, ppy)
        });
    });
    group.finish();
}

/// A million one-minute returns read from their CSV file, as the peer
/// comparison writes them (`2000-01-03T14:30:00Z,-0.0001234`, 31 MB): the
/// parallel fast path, SHA-256 of the bytes included, from the page cache.
fn bench_backtest_file(c: &mut Criterion) {
    use std::fmt::Write as _;

    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut text = String::from("date,return\n");
    let mut at = jiff::civil::date(2000, 1, 3).at(14, 30, 0, 0);
    for row in trial_matrix(1_000_000, 1, 0x9e37_79b9_7f4a_7c15) {
        let _ = writeln!(text, "{at}Z,{:.7}", row[0] / 20.0);
        at = at
            .checked_add(jiff::SignedDuration::from_mins(1))
            .expect("in range");
    }
    std::fs::write(dir.path().join("returns.csv"), &text).expect("written");
    let input = toml::Value::String("returns.csv".to_owned());
    let mut group = c.benchmark_group("backtest file");
    group.sample_size(20);
    group.bench_function("1 000 000 one-minute returns", |b| {
        b.iter(|| {
            let backtest = Backtest::from_table("backtest", &input, dir.path()).expect("valid");
            assert_eq!(backtest.len(), 1_000_000);
            backtest
        });
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_pbo,
    bench_backtest_statistics,
    bench_regimes,
    bench_backtest_file
);
criterion_main!(benches);
