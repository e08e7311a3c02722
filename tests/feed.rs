//! A market-data feed as a trading-infrastructure engineer meets it: a
//! capture of the live feed (exchange and receive times, sequence numbers
//! per channel) judged through the registry and runner for its latency,
//! its gaps and the age of its newest message.
//!
//! No standard tool writes such captures: the tests write them as a feed
//! handler would, a minute of the open on two channels.

use std::fmt::Write as _;

use jiff::{SignedDuration, Timestamp};
use preflight_core::select::Selection;
use preflight_core::{Config, FixedClock, Registry, Report, Runner, Status};

const LATENCY: &str = "trading.market-data.data-latency";
const FEED: &str = "trading.market-data.real-time-feed";

/// Half an hour after the capture.
const SOON_AFTER: &str = "2025-01-27T15:00:00Z";

/// Runs both items on `capture` as the file `name`, with more
/// `[inputs.feed]` settings and then more configuration `extra`, the run's
/// clock at `now`.
fn run(name: &str, capture: &str, settings: &str, extra: &str, now: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), capture).unwrap();
    let text = format!(
        "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n\
         [inputs.feed]\npath = \"{name}\"\n{settings}{extra}"
    );
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    Runner::new(&registry, config)
        .clock(FixedClock(now.parse().unwrap()))
        .selection(Selection::default().with_ids([LATENCY, FEED]).unwrap())
        .run()
        .unwrap()
}

/// Each channel numbers its own messages.
const BY_CHANNEL: &str = "sequence_by = \"channel\"\n";

/// [`run`] of a CSV capture numbered by channel, half an hour after it.
fn run_csv(capture: &str, extra: &str) -> Report {
    run("feed.csv", capture, BY_CHANNEL, extra, SOON_AFTER)
}

/// The status and message of item `id`.
fn outcome(report: &Report, id: &str) -> (Status, String) {
    let item = report.item(id).unwrap();
    (item.status, item.message.clone())
}

/// A minute of the open as a feed handler captures it: 3000 messages, one
/// every 20 ms from 14:30:00Z, alternating between channels `A` and `B`,
/// each numbered from 1; latencies from 0.4 to 2.9 ms, except `slow` of
/// every 100 messages, which take 250 ms.
fn capture(slow: u64) -> String {
    let start: Timestamp = "2025-01-27T14:30:00Z".parse().unwrap();
    let mut csv = String::from("exchange_time,receive_time,channel,sequence,symbol,price\n");
    for i in 0..3000u64 {
        let receive = start + SignedDuration::from_millis(20 * i64::try_from(i).unwrap());
        let micros = if i % 100 < slow {
            250_000
        } else {
            400 + (i * 7919) % 2500
        };
        let exchange = receive - SignedDuration::from_micros(i64::try_from(micros).unwrap());
        let (channel, symbol) = if i % 2 == 0 {
            ("A", "AAPL")
        } else {
            ("B", "MSFT")
        };
        writeln!(
            csv,
            "{exchange:.9},{receive:.9},{channel},{},{symbol},{}.{:02}",
            i / 2 + 1,
            180 + i % 7,
            i % 100
        )
        .unwrap();
    }
    csv
}

/// A CSV capture as JSON lines.
fn as_json(csv: &str) -> String {
    let mut json = String::new();
    for row in csv.lines().skip(1) {
        let f: Vec<&str> = row.split(',').collect();
        writeln!(
            json,
            "{{\"exchange_time\":\"{}\",\"receive_time\":\"{}\",\"channel\":\"{}\",\"sequence\":{},\"symbol\":\"{}\",\"price\":{}}}",
            f[0], f[1], f[2], f[3], f[4], f[5]
        )
        .unwrap();
    }
    json
}

#[test]
fn a_clean_capture_passes_both_items() {
    let report = run_csv(&capture(0), "");
    let (status, message) = outcome(&report, LATENCY);
    assert_eq!(status, Status::Pass, "{message}");
    assert!(message.starts_with("3000 messages: p50 1.6"), "{message}");
    assert!(
        message.ends_with("(limit 100 ms), max 2.899 ms, 0 sequence gaps"),
        "{message}"
    );
    let item = report.item(LATENCY).unwrap();
    let evidence = item.evidence.as_ref().unwrap();
    let values = &evidence.values;
    assert_eq!(values["messages"], 3000);
    assert_eq!(values["gap_count"], 0);
    assert_eq!(values["missing_messages"], 0);
    assert_eq!(values["duplicates"], 0);
    assert_eq!(values["backwards"], 0);
    assert_eq!(values["negative_latencies"], 0);
    let p99 = values["p99_ms"].as_f64().unwrap();
    assert!((2.8..=2.9).contains(&p99), "{p99}");
    assert_eq!(values["max_ms"], 2.899);
    assert_eq!(values["oldest"], "2025-01-27T14:30:00Z");
    assert_eq!(values["newest"], "2025-01-27T14:30:59.98Z");
    assert_eq!(
        evidence.summary,
        "3000 messages, 0 sequence gaps, 0 negative latencies"
    );
    assert_eq!(evidence.artifacts[0].path, "feed.csv");
    assert!(evidence.artifacts[0].sha256.starts_with("sha256:"));

    let (status, message) = outcome(&report, FEED);
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(
        message,
        "3000 messages over 59s 980ms, the newest received 29m 20ms before the run (at most 24h before), no sequence gap"
    );
    let values = &report.item(FEED).unwrap().evidence.as_ref().unwrap().values;
    assert_eq!(values["age"], "29m 20ms");
    assert_eq!(values["max_age"], "24h");

    // The same capture as JSON lines: the same evidence.
    let json = run(
        "feed.jsonl",
        &as_json(&capture(0)),
        BY_CHANNEL,
        "",
        SOON_AFTER,
    );
    for id in [LATENCY, FEED] {
        let (status, message) = outcome(&json, id);
        assert_eq!(status, Status::Pass, "{id}: {message}");
        assert_eq!(
            json.item(id).unwrap().evidence.as_ref().unwrap().values,
            report.item(id).unwrap().evidence.as_ref().unwrap().values,
            "{id}"
        );
    }
}

#[test]
fn a_sequence_gap_fails_both_items() {
    // Message 1001 (channel B's 501, line 1003) never arrived: B's 502
    // comes next, on line 1004 of the capture.
    let clean = capture(0);
    let lost: String = clean
        .lines()
        .enumerate()
        .filter(|(line, _)| *line != 1002)
        .fold(String::new(), |out, (_, row)| out + row + "\n");
    let report = run_csv(&lost, "");
    let expected = "1 sequence gaps, 1 messages missing; first on line 1004: channel `B` expected 501, found 502";
    let (status, message) = outcome(&report, LATENCY);
    assert_eq!(status, Status::Fail, "{message}");
    assert_eq!(message, format!("{expected} (at most 0 accepted)"));
    let values = &report
        .item(LATENCY)
        .unwrap()
        .evidence
        .as_ref()
        .unwrap()
        .values;
    assert_eq!(values["gap_count"], 1);
    assert_eq!(
        values["gaps"][0],
        serde_json::json!({"channel": "B", "line": 1004, "expected": 501, "found": 502})
    );
    let (status, message) = outcome(&report, FEED);
    assert_eq!(status, Status::Fail, "{message}");
    assert_eq!(message, expected);

    // A gap accepted on purpose.
    let report = run_csv(
        &lost,
        "[checks.\"trading.market-data.data-latency\"]\nmax_gap_count = 1\n",
    );
    assert_eq!(outcome(&report, LATENCY).0, Status::Pass);

    // Each symbol on its own channel: the same sequences.
    let report = run(
        "feed.csv",
        &clean,
        "sequence_by = \"symbol\"\n",
        "",
        SOON_AFTER,
    );
    assert_eq!(outcome(&report, LATENCY).0, Status::Pass);
    // Without channels, A's and B's numbers interleave: one sequence,
    // every number twice.
    let report = run("feed.csv", &clean, "", "", SOON_AFTER);
    let values = &report
        .item(LATENCY)
        .unwrap()
        .evidence
        .as_ref()
        .unwrap()
        .values;
    assert_eq!(
        (values["gap_count"].as_u64(), values["duplicates"].as_u64()),
        (Some(0), Some(1500))
    );
}

#[test]
fn a_slow_p99_fails_the_latency_item_only() {
    // 2 % of the messages take 250 ms.
    let slow = capture(2);
    let report = run_csv(&slow, "");
    let (status, message) = outcome(&report, LATENCY);
    assert_eq!(status, Status::Fail, "{message}");
    assert!(
        message.starts_with("p99 latency 250.000 ms is above the limit of 100 ms (p50 1.6"),
        "{message}"
    );
    assert!(message.ends_with(", max 250.000 ms)"), "{message}");
    let values = &report
        .item(LATENCY)
        .unwrap()
        .evidence
        .as_ref()
        .unwrap()
        .values;
    assert_eq!(values["max_p99_ms"], 100.0);
    assert_eq!(values["p99_ms"], 250.0);
    assert_eq!(outcome(&report, FEED).0, Status::Pass);

    let report = run_csv(
        &slow,
        "[checks.\"trading.market-data.data-latency\"]\nmax_p99_ms = 300.0\n",
    );
    assert_eq!(outcome(&report, LATENCY).0, Status::Pass);
    let report = run_csv(
        &slow,
        "[checks.\"trading.market-data.data-latency\"]\nmax_p99_ms = -1.0\n",
    );
    let (status, message) = outcome(&report, LATENCY);
    assert_eq!(status, Status::Error);
    assert_eq!(
        message,
        "`max_p99_ms`: expected a non-negative number of milliseconds, found -1"
    );
}

#[test]
fn clock_skew_warns() {
    // Two messages (lines 3 and 4) received before the exchange sent them:
    // stamped by the exchange a millisecond after they arrived.
    let skewed: String = capture(0)
        .lines()
        .enumerate()
        .map(|(i, row)| {
            let mut fields: Vec<String> = row.split(',').map(str::to_owned).collect();
            if i == 2 || i == 3 {
                let received: Timestamp = fields[1].parse().unwrap();
                fields[0] = format!("{:.9}", received + SignedDuration::from_millis(1));
            }
            fields.join(",") + "\n"
        })
        .collect();
    let report = run_csv(&skewed, "");
    let (status, message) = outcome(&report, LATENCY);
    assert_eq!(status, Status::Warn, "{message}");
    assert!(
        message.ends_with("but 2 messages were received before the exchange sent them (first on lines 3, 4): synchronise the capture host's clock (PTP or NTP) and measure again"),
        "{message}"
    );
    let values = &report
        .item(LATENCY)
        .unwrap()
        .evidence
        .as_ref()
        .unwrap()
        .values;
    assert_eq!(values["negative_latency_lines"], serde_json::json!([3, 4]));
}

#[test]
fn malformed_or_missing_captures_are_errors_never_a_pass() {
    let clean = capture(0);
    for (bad, expected) in [
        (
            clean.replacen(",B,2,", ",B,two,", 1),
            "feed.csv:5:4: `sequence`: expected an unsigned integer, found `two`",
        ),
        (
            clean.replacen(
                "2025-01-27T14:30:00.040000000Z",
                "2025-01-27 14:30:00.04",
                1,
            ),
            "feed.csv:4:2: `receive_time`: expected an RFC 3339 timestamp such as 2025-01-27T14:30:00.000123Z, found `2025-01-27 14:30:00.04`",
        ),
        (
            clean.replacen("exchange_time,", "sent,", 1),
            "feed.csv:1:1: no column `exchange_time`: a feed capture needs `exchange_time` and `receive_time`",
        ),
        (
            clean.replacen(",AAPL,", ",AAPL,,", 1),
            "feed.csv:2:1: 7 fields where the header has 6",
        ),
        (
            clean.replacen(
                "2025-01-27T14:30:00.040000000Z",
                "2025-01-27T14:30:00.010000000Z",
                1,
            ),
            "feed.csv:4:2: `receive_time` is earlier than that of the message before it (line 3): a capture must be in the order received",
        ),
        (
            String::new(),
            "feed.csv:1:1: the file is empty: expected a header row with `exchange_time` and `receive_time`",
        ),
    ] {
        let report = run_csv(&bad, "");
        for id in [LATENCY, FEED] {
            let (status, message) = outcome(&report, id);
            assert_eq!(status, Status::Error, "{id}: {message}");
            assert_eq!(message, expected, "{id}");
        }
    }
    // A broken JSON line.
    let json = as_json(&clean).replacen("}\n", "\n", 2);
    let report = run("feed.jsonl", &json, BY_CHANNEL, "", SOON_AFTER);
    let (status, message) = outcome(&report, LATENCY);
    assert_eq!(status, Status::Error);
    assert!(message.starts_with("feed.jsonl:1:"), "{message}");

    // No file at all.
    let dir = tempfile::tempdir().unwrap();
    let text = "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n[inputs.feed]\npath = \"missing.csv\"\n";
    let mut config = Config::parse(text, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    let report = Runner::new(&registry, config)
        .selection(Selection::default().with_ids([LATENCY, FEED]).unwrap())
        .run()
        .unwrap();
    for id in [LATENCY, FEED] {
        let (status, message) = outcome(&report, id);
        assert_eq!(status, Status::Error);
        assert!(
            message.starts_with("input `feed`: cannot read `missing.csv`"),
            "{message}"
        );
    }

    // Settings that make no sense.
    for (settings, expected) in [
        (
            "format = \"parquet\"\n",
            "`format`: expected \"csv\" or \"jsonl\"",
        ),
        (
            "partition = \"channel\"\n",
            "unknown key `partition` in [inputs.feed]",
        ),
    ] {
        let report = run("feed.csv", &clean, settings, "", SOON_AFTER);
        let (status, message) = outcome(&report, FEED);
        assert_eq!(status, Status::Error);
        assert!(message.contains(expected), "{message}");
    }
    let report = run("feed.csv", &clean, BY_CHANNEL, "", SOON_AFTER);
    assert_eq!(outcome(&report, FEED).0, Status::Pass);
}

#[test]
fn a_capture_without_a_message_fails() {
    let header = "exchange_time,receive_time,channel,sequence\n";
    let report = run_csv(header, "");
    for id in [LATENCY, FEED] {
        let (status, message) = outcome(&report, id);
        assert_eq!(status, Status::Fail, "{id}: {message}");
        assert_eq!(
            message,
            "`feed.csv` holds no message: capture the feed for a while and point [inputs.feed] at the capture"
        );
    }
    let values = &report.item(FEED).unwrap().evidence.as_ref().unwrap().values;
    assert_eq!(values["age"], "n/a");
    assert_eq!(values["messages"], 0);
}

#[test]
fn the_newest_message_must_be_recent() {
    let clean = capture(0);
    // A day later: the capture is stale.
    let report = run("feed.csv", &clean, BY_CHANNEL, "", "2025-01-28T15:00:00Z");
    let (status, message) = outcome(&report, FEED);
    assert_eq!(status, Status::Fail, "{message}");
    assert_eq!(
        message,
        "the newest message was received at 2025-01-27T14:30:59.98Z, 24h 29m 20ms before the run (at most 24h before): capture the live feed again"
    );
    // The latency does not age.
    assert_eq!(outcome(&report, LATENCY).0, Status::Pass);

    // A tighter limit.
    let tight = "[checks.\"trading.market-data.real-time-feed\"]\nmax_age = \"1h\"\n";
    let report = run("feed.csv", &clean, BY_CHANNEL, tight, SOON_AFTER);
    assert_eq!(outcome(&report, FEED).0, Status::Pass);
    let report = run(
        "feed.csv",
        &clean,
        BY_CHANNEL,
        tight,
        "2025-01-27T15:31:00Z",
    );
    let (status, message) = outcome(&report, FEED);
    assert_eq!(status, Status::Fail);
    assert!(
        message.contains("1h 20ms before the run (at most 1h before)"),
        "{message}"
    );

    // The capture's clock ahead of the run's.
    let report = run(
        "feed.csv",
        &clean,
        BY_CHANNEL,
        tight,
        "2025-01-27T14:30:59Z",
    );
    let (status, message) = outcome(&report, FEED);
    assert_eq!(status, Status::Pass, "{message}");
    assert!(
        message.contains("the newest received 980ms after the run's clock"),
        "{message}"
    );

    let report = run(
        "feed.csv",
        &clean,
        BY_CHANNEL,
        "[checks.\"trading.market-data.real-time-feed\"]\nmax_age = \"soon\"\n",
        SOON_AFTER,
    );
    let (status, message) = outcome(&report, FEED);
    assert_eq!(status, Status::Error);
    assert!(
        message.starts_with("`max_age`: `soon` is not a duration such as `30s`"),
        "{message}"
    );
}
