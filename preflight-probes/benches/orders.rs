//! Throughput of the streaming order-log reconciliation (issue target: at
//! least 2 million orders a second on one core, memory bounded by the orders
//! open at a time).

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use preflight_probes::trading::orders::{LogFormat, ScanOptions, scan, scan_log, scan_with};

/// `orders` orders, each approved, sent and filled in two parts, with at most
/// a handful open at a time: four rows per order.
fn log(orders: u64) -> Vec<u8> {
    let mut text = String::from("time,event,client_order_id,quantity,decision\n");
    for n in 0..orders {
        let (s, ms) = (n / 1000, n % 1000);
        let time = format!(
            "2025-01-27T{:02}:{:02}:{:02}.{ms:03}Z",
            9 + s / 3600 % 12,
            s / 60 % 60,
            s % 60
        );
        let _ = writeln!(text, "{time},risk,O{n},,approve");
        let _ = writeln!(text, "{time},order,O{n},300,");
        let _ = writeln!(text, "{time},fill,O{n},100,");
        let _ = writeln!(text, "{time},fill,O{n},200,");
    }
    text.into_bytes()
}

fn bench_scan(c: &mut Criterion) {
    let orders = 1_000_000;
    let bytes = log(orders);
    let mut group = c.benchmark_group("order log");
    group.sample_size(10);
    group.throughput(Throughput::Elements(orders));
    group.bench_function("reconcile 1 000 000 orders (4 000 000 rows)", |b| {
        b.iter(|| {
            let summary = scan(black_box(&bytes[..]), "orders.csv").unwrap();
            assert_eq!(summary.orders, orders);
            assert!(summary.max_open <= 1);
        });
    });
    let wide = wide_log(orders);
    group.bench_function(
        "reconcile 1 000 000 orders, 8 columns, identical-order window",
        |b| {
            b.iter(|| {
                let window = Some(std::time::Duration::from_secs(1));
                let summary = scan_with(black_box(&wide[..]), "orders.csv", window).unwrap();
                assert_eq!(summary.orders, orders);
                assert_eq!(summary.identical_orders.count, 0);
            });
        },
    );
    let json = json_lines(&bytes);
    group.bench_function("reconcile 1 000 000 orders as JSON lines", |b| {
        b.iter(|| {
            let options = ScanOptions::new(LogFormat::JsonLines);
            let summary = scan_log(black_box(&json[..]), "orders.jsonl", options).unwrap();
            assert_eq!(summary.orders, orders);
        });
    });
    group.finish();
}

/// The log of `scripts/order_log_scale.py`: `orders` orders, one a
/// millisecond, with symbol, side and price, each filled in two parts two
/// orders later (three open at a time).
fn wide_log(orders: u64) -> Vec<u8> {
    const SYMBOLS: [&str; 8] = [
        "AAPL", "MSFT", "NVDA", "AMZN", "GOOG", "META", "TSLA", "JPM",
    ];
    let mut text = String::from("time,event,client_order_id,symbol,side,quantity,price,decision\n");
    let mut pending = std::collections::VecDeque::new();
    for n in 0..orders {
        let time = format!(
            "2025-01-27T{:02}:{:02}:{:02}.{:03}Z",
            9 + n / 3_600_000 % 12,
            n / 60_000 % 60,
            n / 1000 % 60,
            n % 1000
        );
        let symbol = SYMBOLS[usize::try_from(n % 8).unwrap_or(0)];
        let side = if n % 2 == 1 { "buy" } else { "sell" };
        let price = format!("{}.{:02}", 100 + n % 97, n % 100);
        let _ = writeln!(text, "{time},risk,O{n},{symbol},{side},300,{price},approve");
        let _ = writeln!(text, "{time},order,O{n},{symbol},{side},300,{price},");
        pending.push_back((n, symbol, side, price));
        if pending.len() > 2
            && let Some((o, symbol, side, price)) = pending.pop_front()
        {
            let _ = writeln!(text, "{time},fill,O{o},{symbol},{side},100,{price},");
            let _ = writeln!(text, "{time},fill,O{o},{symbol},{side},200,{price},");
        }
    }
    for (o, symbol, side, price) in pending {
        let _ = writeln!(
            text,
            "2025-01-27T23:59:59.999Z,fill,O{o},{symbol},{side},300,{price},"
        );
    }
    text.into_bytes()
}

/// The CSV log `csv` as JSON lines, the same events.
fn json_lines(csv: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(csv).unwrap();
    let mut out = String::with_capacity(text.len() * 2);
    for row in text.lines().skip(1) {
        let f: Vec<&str> = row.split(',').collect();
        let _ = write!(
            out,
            r#"{{"time":"{}","event":"{}","client_order_id":"{}""#,
            f[0], f[1], f[2]
        );
        if !f[3].is_empty() {
            let _ = write!(out, r#","quantity":{}"#, f[3]);
        }
        if !f[4].is_empty() {
            let _ = write!(out, r#","decision":"{}""#, f[4]);
        }
        out.push_str("}\n");
    }
    out.into_bytes()
}

criterion_group!(benches, bench_scan);
criterion_main!(benches);
