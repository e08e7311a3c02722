//! The invariants of the input parsers on arbitrary bytes, in one place: the
//! fuzz targets of `fuzz/` call these functions, and so does the regression
//! test `tests/fuzz_seeds.rs` on every file under `fuzz/seeds/`, so that a
//! crash reproducer saved there is checked the same way by `cargo test`.
//!
//! Not public API: compiled with the feature `fuzzing` only, and hidden from
//! the docs. Each function panics when an invariant breaks, which is what a
//! fuzzer reports. For every parser:
//!
//! - it never panics;
//! - it fails only with [`CheckError::Malformed`], located
//!   `<file>:<line>[:<column>]` in the file it read, with a line at most one
//!   past the input's last line and a column at most its number of fields;
//! - what it accepts keeps the guarantees its docs state (finite numbers,
//!   ordered dates, consistent counts, the digest of the very bytes read).

use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use preflight_core::CheckError;
use preflight_core::evidence::sha256_hex;

use crate::code::lint::parse_lint;
use crate::code::vulnerabilities::parse_vulnerabilities;
use crate::risk::limits::{Area, RiskLimits};
use crate::strategy::series::{Backtest, SeriesKind, Trades};
use crate::table::Table;
use crate::testing::chaos::parse_chaos_journal;
use crate::testing::coverage::parse_coverage;
use crate::testing::junit::parse_junit;
use crate::testing::latency::{LatencyUnit, parse_latency};
use crate::testing::load::parse_load_summary;
use crate::trading::orders::{
    Breaks, LogFormat, OrderLogSummary, ScanOptions, scan, scan_log, scan_with,
};
use crate::trading::recon::PositionStatement;

/// `order_log`: [`scan`] and [`scan_with`] (a one-second window) of `data`
/// as `orders.csv`, and [`scan_log`] of it as JSON lines (`orders.jsonl`),
/// with and without the window.
///
/// Besides the common invariants: the counts of breaks are consistent with
/// the numbers of orders and fills, and the window changes nothing but the
/// identical-order check (a log accepted with it is accepted without it,
/// with the same summary). A JSON error's column counts bytes. On every
/// line the one-pass JSON reader takes, serde reads the same row.
pub fn order_log(data: &[u8]) {
    const CSV: &str = "orders.csv";
    const JSON: &str = "orders.jsonl";
    for line in data.split(|b| *b == b'\n') {
        crate::trading::orders::json::fast_pass_agrees(line);
    }
    let window = Duration::from_secs(1);
    order_log_pair(
        data,
        CSV,
        Columns::Fields,
        &scan(data, CSV),
        &scan_with(data, CSV, Some(window)),
    );
    let json = ScanOptions::new(LogFormat::JsonLines);
    order_log_pair(
        data,
        JSON,
        Columns::Bytes,
        &scan_log(data, JSON, json),
        &scan_log(data, JSON, json.identical_window(window)),
    );
}

/// The invariants of one format, read without and with the window.
fn order_log_pair(
    data: &[u8],
    shown: &str,
    columns: Columns,
    plain: &Result<OrderLogSummary, CheckError>,
    windowed: &Result<OrderLogSummary, CheckError>,
) {
    for result in [plain, windowed] {
        match result {
            Ok(summary) => order_summary(summary, data),
            Err(error) => located(error, shown, data, Shape::LineColumn, columns),
        }
    }
    if let Ok(summary) = plain {
        assert_eq!(
            summary.identical_orders,
            Breaks::default(),
            "no window, no identical orders"
        );
    }
    if let Ok(windowed) = windowed {
        let Ok(plain) = plain else {
            panic!("{shown}: accepted with a window but not without one: {plain:?}");
        };
        let without = OrderLogSummary {
            identical_orders: Breaks::default(),
            ..windowed.clone()
        };
        assert_eq!(
            &without, plain,
            "{shown}: the window changed more than identical orders"
        );
    }
}

fn order_summary(summary: &OrderLogSummary, data: &[u8]) {
    let kinds = [
        ("unknown_fills", &summary.unknown_fills),
        ("overfills", &summary.overfills),
        ("unapproved_orders", &summary.unapproved_orders),
        ("duplicate_ids", &summary.duplicate_ids),
        ("identical_orders", &summary.identical_orders),
    ];
    let last = line_ends(data) + 2;
    for (kind, breaks) in kinds {
        let kept = usize::try_from(breaks.count).map_or(Breaks::KEEP, |n| n.min(Breaks::KEEP));
        assert_eq!(breaks.first.len(), kept, "{kind}: kept examples");
        // One break of a kind per row at most, rows after the header, in log order.
        let lines: Vec<u64> = breaks.first.iter().map(|b| b.line).collect();
        assert!(
            lines.windows(2).all(|w| w[0] < w[1]) && lines.iter().all(|l| (2..=last).contains(l)),
            "{kind}: lines {lines:?} (the input has {} line ends)",
            last - 2
        );
    }
    // A fill is unknown or overfills (or neither), never both.
    assert!(
        summary.unknown_fills.count + summary.overfills.count <= summary.fills,
        "{summary:?}"
    );
    for (kind, breaks) in &kinds[2..] {
        assert!(breaks.count <= summary.orders, "{kind}: {summary:?}");
    }
    assert!(summary.open_at_end <= summary.max_open, "{summary:?}");
    assert!(
        u64::try_from(summary.max_open).is_ok_and(|open| open <= summary.orders),
        "{summary:?}"
    );
}

/// `risk_limits`: [`RiskLimits::parse`] of `data` as `risk.toml` (inputs that
/// are not UTF-8 are skipped: the loader rejects them before parsing), then
/// [`RiskLimits::violations`] of every [`Area`], each naming its keys.
pub fn risk_limits(data: &[u8]) {
    const SHOWN: &str = "risk.toml";
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match RiskLimits::parse(text, SHOWN) {
        Ok(limits) => {
            for area in areas() {
                for violation in limits.violations(area) {
                    assert!(
                        !violation.keys.is_empty() && !violation.message.is_empty(),
                        "{area:?}: {violation:?}"
                    );
                }
            }
        }
        Err(error) => located(&error, SHOWN, data, Shape::MaybeLine, Columns::Fields),
    }
}

/// Every [`Area`]; a new one does not compile until it is added here.
fn areas() -> [Area; 4] {
    let every = |area: Area| match area {
        Area::Exposure | Area::Leverage | Area::Loss | Area::Position => area,
    };
    [Area::Exposure, Area::Leverage, Area::Loss, Area::Position].map(every)
}

/// The `[inputs.backtest]` entries `data` is read with, as `r.csv`: as
/// returns, as equity, and as the trades of a valid series (`base.csv`).
static BACKTEST_ENTRIES: LazyLock<[toml::Value; 3]> = LazyLock::new(|| {
    [
        "path = \"r.csv\"",
        "path = \"r.csv\"\nequity_column = \"equity\"",
        "path = \"base.csv\"\ntrades = \"r.csv\"",
    ]
    .map(|text| match toml::from_str::<toml::Table>(text) {
        Ok(table) => toml::Value::Table(table),
        Err(e) => panic!("entry `{text}`: {e}"),
    })
});

/// A valid returns file, for the entry that reads `data` as trades.
const BASE: &str = "date,return\n2024-01-02,0.01\n2024-01-03,-0.02\n";

/// `backtest`: [`Backtest::from_table`] with `data` written to `dir/r.csv`
/// (the caller owns `dir` and reuses it; `base.csv` is written next to it),
/// read as returns (`date`, `return`), as equity (`date`, `equity`) and as
/// the trades file of a valid series.
///
/// Besides the common invariants: at least 2 returns, one date each, all
/// finite, dates in order; the artifacts hold the digest and size of `data`.
pub fn backtest(dir: &Path, data: &[u8]) {
    const SHOWN: &str = "r.csv";
    let write = |name: &str, bytes: &[u8]| {
        if let Err(e) = std::fs::write(dir.join(name), bytes) {
            panic!("cannot write `{name}` in {}: {e}", dir.display());
        }
    };
    write(SHOWN, data);
    write("base.csv", BASE.as_bytes());
    for (i, entry) in BACKTEST_ENTRIES.iter().enumerate() {
        match Backtest::from_table("backtest", entry, dir) {
            Ok(series) => {
                backtest_series(&series, i == 1, data);
                match (&series.trades, i) {
                    (Some(trades), 2) => backtest_trades(trades, data),
                    (None, 0 | 1) => {}
                    (trades, _) => panic!("entry {i}: trades {trades:?}"),
                }
            }
            Err(error) => located(&error, SHOWN, data, Shape::LineColumn, Columns::Fields),
        }
    }
}

fn backtest_series(series: &Backtest, equity: bool, data: &[u8]) {
    let returns = &series.returns;
    assert!(returns.len() >= 2, "{} returns", returns.len());
    assert_eq!(series.dates.len(), returns.len(), "one date per return");
    assert!(
        returns.iter().all(|r| r.is_finite()),
        "returns must be finite: {returns:?}"
    );
    assert!(
        series
            .dates
            .runs()
            .zip(series.dates.runs().skip(1))
            .all(|(a, b)| a.0 < b.0),
        "dates out of order, or runs not merged: {:?}",
        series.dates
    );
    match (equity, series.kind) {
        (
            true,
            SeriesKind::Equity {
                first_date,
                first_equity,
            },
        ) => {
            assert!(
                first_equity.is_finite() && first_equity > 0.0,
                "{first_equity}"
            );
            assert!(
                series
                    .dates
                    .first()
                    .is_some_and(|first| first_date <= first),
                "{first_date} after the first return"
            );
            // Positive equity loses less than everything (up to rounding).
            assert!(returns.iter().all(|r| *r >= -1.0), "{returns:?}");
            artifact(&series.artifact, "r.csv", data);
        }
        (false, SeriesKind::Returns) => {
            if series.artifact.path == "r.csv" {
                artifact(&series.artifact, "r.csv", data);
            }
        }
        (_, kind) => panic!("read as {kind:?} with equity = {equity}"),
    }
}

fn backtest_trades(trades: &Trades, data: &[u8]) {
    assert!(
        trades.dates.windows(2).all(|w| w[0] <= w[1]),
        "trade dates decrease: {:?}",
        trades.dates
    );
    for column in [
        &trades.pnl,
        &trades.fee,
        &trades.commission,
        &trades.slippage,
        &trades.notional,
    ]
    .into_iter()
    .flatten()
    {
        assert_eq!(column.len(), trades.len(), "a value per trade");
        assert!(column.iter().all(|v| v.is_finite()), "{column:?}");
    }
    artifact(&trades.artifact, "r.csv", data);
}

fn artifact(artifact: &preflight_core::Artifact, shown: &str, data: &[u8]) {
    assert_eq!(artifact.path, shown);
    assert_eq!(artifact.size, data.len() as u64, "size of `{shown}`");
    assert_eq!(artifact.sha256, sha256_hex(data), "digest of `{shown}`");
}

/// `statement`: the broker statement (or internal positions) reader of
/// `trading.logic.end-of-day-reconciliation`, on `data` as `statement.csv`
/// and as JSON lines (`statement.jsonl`).
///
/// Besides the common invariants (the column is optional in its locations):
/// at least one position, all quantities and prices finite.
pub fn statement(data: &[u8]) {
    const CSV: &str = "statement.csv";
    const JSON: &str = "statement.jsonl";
    let csv = Table::from_bytes(CSV.to_owned(), data, None);
    let json = Table::from_json_lines(JSON.to_owned(), data, None);
    for (shown, table, columns) in [(CSV, csv, Columns::Fields), (JSON, json, Columns::Bytes)] {
        match table.and_then(PositionStatement::from_table) {
            Ok(statement) => {
                assert!(!statement.positions.is_empty(), "{statement:?}");
                assert!(
                    statement
                        .positions
                        .values()
                        .all(|(quantity, price)| quantity.is_finite() && price.is_finite()),
                    "{statement:?}"
                );
                artifact(&statement.artifact, shown, data);
            }
            Err(error) => located(&error, shown, data, Shape::LineMaybeColumn, columns),
        }
    }
}

/// `coverage`: [`parse_coverage`] of `data` as `coverage.out` (any of the
/// four formats, detected from the content).
///
/// Besides the common invariants (the column is optional in its locations,
/// and counts bytes for XML and JSON): the totals are the sums of the files,
/// nothing covered beyond its total.
pub fn coverage(data: &[u8]) {
    const SHOWN: &str = "coverage.out";
    match parse_coverage(SHOWN, data) {
        Ok(report) => {
            let lines: u64 = report.files.iter().map(|f| f.lines_total).sum();
            let covered: u64 = report.files.iter().map(|f| f.lines_covered).sum();
            assert_eq!((report.lines_total, report.lines_covered), (lines, covered));
            assert!(report.lines_covered <= report.lines_total, "{report:?}");
            for file in &report.files {
                assert!(file.lines_covered <= file.lines_total, "{file:?}");
                assert!(file.branches_covered <= file.branches_total, "{file:?}");
            }
            if let (Some(total), Some(covered)) = (report.branches_total, report.branches_covered) {
                assert!(covered <= total, "{report:?}");
            }
        }
        Err(error) => located(&error, SHOWN, data, Shape::LineMaybeColumn, Columns::Bytes),
    }
}

/// `junit`: [`parse_junit`] of `data` as `junit.xml`.
///
/// Besides the common invariants (columns count bytes): every failing
/// case is counted, and no count of a suite exceeds its tests.
pub fn junit(data: &[u8]) {
    const SHOWN: &str = "junit.xml";
    match parse_junit(data, SHOWN) {
        Ok(report) => {
            let c = &report.cases;
            assert_eq!(
                report.failing.len() as u64,
                c.failures + c.errors,
                "{report:?}"
            );
            for suite in &report.suites {
                assert!(
                    suite.failures + suite.errors + suite.skipped <= suite.tests,
                    "{suite:?}"
                );
            }
        }
        Err(error) => located(&error, SHOWN, data, Shape::LineMaybeColumn, Columns::Bytes),
    }
}

/// `report`: the parsers of the other tools' reports on `data`: linters
/// ([`parse_lint`], as `lint.out`), vulnerability scanners
/// ([`parse_vulnerabilities`], `vulns.json`), latency files, CSV samples or
/// `HdrHistogram` interval logs ([`parse_latency`], `latency.csv`, values in
/// nanoseconds, untagged intervals under `latency`), load summaries
/// ([`parse_load_summary`], `load.json`) and Chaos Toolkit journals
/// ([`parse_chaos_journal`], `journal.json`).
///
/// Each never panics and fails only with a located `Malformed` error; what
/// it accepts holds only finite numbers where it reports numbers; latency
/// paths hold values, with quantiles in order up to the maximum.
pub fn report(data: &[u8]) {
    let check = |shown: &str, result: Result<(), CheckError>| {
        if let Err(error) = result {
            located(&error, shown, data, Shape::LineMaybeColumn, Columns::Bytes);
        }
    };
    check(
        "lint.out",
        parse_lint("lint.out", data).map(|reports| {
            for report in reports {
                for d in &report.diagnostics {
                    assert!(d.line.is_none_or(|l| l >= 1), "{d:?}");
                    assert!(d.column.is_none_or(|c| c >= 1), "{d:?}");
                }
            }
        }),
    );
    check(
        "vulns.json",
        parse_vulnerabilities("vulns.json", data).map(drop),
    );
    check(
        "latency.csv",
        parse_latency(data, "latency.csv", LatencyUnit::Nanoseconds, "latency").map(
            |(_, paths)| {
                for path in paths {
                    let q = [path.p50_ms, path.p90_ms, path.p99_ms, path.p999_ms];
                    assert!(
                        path.count > 0
                            && path.max_ms.is_finite()
                            && q.iter().all(|v| v.is_finite() && *v >= 0.0)
                            && q.windows(2).all(|w| w[0] <= w[1])
                            && path.p999_ms <= path.max_ms,
                        "{path:?}"
                    );
                }
            },
        ),
    );
    check(
        "load.json",
        parse_load_summary(data, "load.json").map(|summary| {
            assert!(
                summary.throughput_rps.is_finite() && summary.error_rate.is_finite(),
                "{summary:?}"
            );
        }),
    );
    check(
        "journal.json",
        parse_chaos_journal(data, "journal.json").map(drop),
    );
}

/// What a parser's locations hold after `<file>:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `line:column`, both 1-based.
    LineColumn,
    /// `line` or `line:column`.
    LineMaybeColumn,
    /// Nothing (the whole file) or `line`.
    MaybeLine,
}

/// What a location's column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Columns {
    /// CSV fields: no further than the number of fields a line can have.
    Fields,
    /// Bytes of the line or keys of an object (JSON lines): no further
    /// than one past the end of the input.
    Bytes,
}

/// Checks that `error` is [`CheckError::Malformed`] located in `shown` as
/// `shape` says, with a line at most one past the last line of `data` (an
/// error at the end of the file names the line after it) and a column in
/// the bounds of `columns`.
fn located(error: &CheckError, shown: &str, data: &[u8], shape: Shape, columns: Columns) {
    let CheckError::Malformed { location, message } = error else {
        panic!("expected a `Malformed` error, found {error:?}");
    };
    assert!(!message.is_empty(), "{error:?}");
    let rest = match location.strip_prefix(shown) {
        Some("") if shape == Shape::MaybeLine => return,
        Some(rest) => rest.strip_prefix(':'),
        None => None,
    };
    let Some(rest) = rest else {
        panic!("location `{location}` does not start with `{shown}:` ({message})");
    };
    let number = |part: &str| -> u64 {
        match part.parse() {
            Ok(n) => n,
            Err(e) => panic!("location `{location}`: `{part}`: {e} ({message})"),
        }
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (line, column) = match (shape, parts.as_slice()) {
        (Shape::LineColumn | Shape::LineMaybeColumn, [line, column]) => {
            (number(line), Some(number(column)))
        }
        (Shape::LineMaybeColumn | Shape::MaybeLine, [line]) => (number(line), None),
        _ => panic!("location `{location}` is not `{shown}:{shape:?}` ({message})"),
    };
    let last = line_ends(data) + 2;
    assert!(
        (1..=last).contains(&line),
        "location `{location}`: line {line} outside 1..={last} ({message})"
    );
    if let Some(column) = column {
        let most = match columns {
            Columns::Fields => memchr::memchr_iter(b',', data).count() as u64 + 1,
            Columns::Bytes => data.len() as u64 + 1,
        };
        assert!(
            (1..=most).contains(&column),
            "location `{location}`: column {column} outside 1..={most} ({message})"
        );
    }
}

/// The `\n` and `\r` bytes in `data` (so `\r\n` counts twice): at least
/// as many as the line ends any of the readers counts.
fn line_ends(data: &[u8]) -> u64 {
    memchr::memchr2_iter(b'\n', b'\r', data).count() as u64
}
