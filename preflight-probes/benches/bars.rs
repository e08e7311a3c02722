//! Throughput of the market-data checks: the data-quality rules and the
//! coverage of the NYSE's sessions in one streaming pass over one-minute
//! bars (issue target: at least 10 times pandas and `exchange_calendars`, with
//! flat memory; `scripts/compare_bars_quality.py` measures that side by side).

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use preflight_probes::trading::bars::{BarsOptions, scan_bars};
use preflight_probes::trading::calendar::Calendar;
use preflight_probes::trading::coverage::CoverageOptions;

/// One-minute bars of four symbols, interleaved by time, over whole NYSE
/// sessions from 2020-01-02 until there are at least `rows`.
fn bars(rows: usize) -> Vec<u8> {
    let nyse = Calendar::by_code("XNYS").unwrap();
    let from = jiff::civil::date(2020, 1, 2);
    let mut text = String::from("timestamp,symbol,open,high,low,close,volume\n");
    let mut written = 0;
    let mut price = [100.0_f64, 50.0, 20.0, 300.0];
    for session in nyse
        .sessions(from, jiff::civil::date(2035, 12, 31))
        .unwrap()
    {
        let mut minute = session.open;
        while minute < session.close {
            for (i, symbol) in ["AAA", "BBB", "CCC", "DDD"].iter().enumerate() {
                let open = price[i];
                // A deterministic walk: up and down by turns.
                let close = open * if written % 3 == 0 { 1.0004 } else { 0.9998 };
                let _ = writeln!(
                    text,
                    "{minute},{symbol},{open:.2},{:.2},{:.2},{close:.2},{}",
                    open.max(close) * 1.0005,
                    open.min(close) * 0.9995,
                    100 + written % 900
                );
                price[i] = close;
                written += 1;
            }
            minute += jiff::SignedDuration::from_mins(1);
        }
        if written >= rows {
            break;
        }
    }
    text.into_bytes()
}

fn bench_bars(c: &mut Criterion) {
    let bytes = bars(1_000_000);
    let rows = bytes
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .count() as u64
        - 1;
    let nyse = Calendar::by_code("XNYS").unwrap();
    let mut group = c.benchmark_group("bars");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows));
    group.bench_function("quality rules, 1 000 000 one-minute bars", |b| {
        b.iter(|| {
            let summary =
                scan_bars(black_box(&bytes[..]), "bars.csv", BarsOptions::default()).unwrap();
            assert_eq!(summary.bars, rows);
        });
    });
    group.bench_function(
        "quality rules and XNYS coverage, 1 000 000 one-minute bars",
        |b| {
            b.iter(|| {
                let options = BarsOptions::default()
                    .with_coverage(CoverageOptions::new(nyse).interval(Duration::from_secs(60)));
                let summary = scan_bars(black_box(&bytes[..]), "bars.csv", options).unwrap();
                let coverage = summary.coverage.unwrap();
                assert_eq!((coverage.missing_bars, coverage.outside_count), (0, 0));
            });
        },
    );
    group.finish();
}

criterion_group!(benches, bench_bars);
criterion_main!(benches);
