//! The exchange calendars against `exchange_calendars` (from `PyPI`) as an oracle:
//! every session with its open and close, every holiday and every early close
//! of XNYS (and XNAS, which keeps its days) and XLON, 1990-01-01 to 2035-12-31.
//!
//! The oracle runs in the virtual environment `target/oracle-venv`, which
//! `bash .ci/run` creates; `PREFLIGHT_ORACLE_PYTHON` names another
//! interpreter that has `exchange_calendars` installed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use jiff::ToSpan as _;
use jiff::civil::Date;
use preflight_probes::trading::calendar::{Calendar, DayKind, FIRST_DATE, LAST_DATE};

/// The version whose rules the calendars follow (pinned in `.ci/run`).
const ORACLE_VERSION: &str = "4.13.2";

/// How to install the oracle, for the failure messages.
const INSTALL: &str = "run `bash .ci/run`, or `python3 -m venv target/oracle-venv && target/oracle-venv/bin/pip install exchange_calendars==4.13.2` at the workspace root";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn interpreter() -> PathBuf {
    if let Some(python) = std::env::var_os("PREFLIGHT_ORACLE_PYTHON") {
        return PathBuf::from(python);
    }
    let venv = root().join("target").join("oracle-venv");
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// What the oracle says about one weekday: a session's open and close in
/// Unix seconds, or closed.
type Oracle = BTreeMap<(String, Date), Option<(i64, i64)>>;

/// Runs `tests/oracle/exchange_calendars_dump.py` and parses its lines.
fn oracle() -> Oracle {
    let python = interpreter();
    let script = root().join("tests/oracle/exchange_calendars_dump.py");
    let output = Command::new(&python)
        .arg(&script)
        .args([FIRST_DATE.to_string(), LAST_DATE.to_string()])
        .args(["XNYS", "XLON"])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "the calendar oracle needs Python with exchange_calendars {ORACLE_VERSION}, but `{}` cannot run ({e}): {INSTALL} (or set PREFLIGHT_ORACLE_PYTHON to an interpreter that has it)",
                python.display()
            )
        });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the calendar oracle failed with `{}`{}: {INSTALL}\n{stderr}",
        python.display(),
        if stderr.contains("No module named") {
            " (exchange_calendars is not installed there)"
        } else {
            ""
        }
    );
    let stdout = String::from_utf8(output.stdout).expect("the oracle writes UTF-8");
    let mut lines = stdout.lines();
    let version = lines.next().and_then(|line| line.strip_prefix("version,"));
    assert_eq!(
        version,
        Some(ORACLE_VERSION),
        "the calendars follow exchange_calendars {ORACLE_VERSION}, but `{}` has another version: {INSTALL}",
        python.display()
    );
    let mut days = Oracle::new();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        let date = |text: &str| -> Date { text.parse().unwrap_or_else(|e| panic!("{line}: {e}")) };
        let second = |text: &str| -> i64 { text.parse().unwrap_or_else(|e| panic!("{line}: {e}")) };
        match fields[..] {
            ["session", code, day, open, close] => {
                days.insert(
                    (code.to_owned(), date(day)),
                    Some((second(open), second(close))),
                );
            }
            ["closed", code, day] => {
                days.insert((code.to_owned(), date(day)), None);
            }
            _ => panic!("unexpected oracle line `{line}`"),
        }
    }
    days
}

#[derive(Debug, Default)]
struct Counts {
    sessions: usize,
    closed: usize,
    early_closes: usize,
}

/// Compares every day of the range of `calendar` with the oracle's days of
/// `oracle_code`, adding every disagreement to `differences`.
fn compare(
    calendar: &Calendar,
    oracle_code: &str,
    oracle: &Oracle,
    differences: &mut Vec<String>,
) -> Counts {
    let code = calendar.code();
    let mut counts = Counts::default();
    let regular_length = {
        // The length of a regular session: the most common one.
        let mut lengths = BTreeMap::<i64, usize>::new();
        for ((c, _), day) in oracle {
            if let (true, Some((open, close))) = (c == oracle_code, day) {
                *lengths.entry(close - open).or_default() += 1;
            }
        }
        lengths
            .into_iter()
            .max_by_key(|&(_, n)| n)
            .map(|(length, _)| length)
            .expect("sessions")
    };
    for date in FIRST_DATE.series(1.day()).take_while(|d| *d <= LAST_DATE) {
        let kind = calendar.day_kind(date).expect("a date in range");
        let bounds = calendar
            .session_bounds(date)
            .expect("a date in range")
            .map(|(open, close)| (open.as_second(), close.as_second()));
        let expected = oracle.get(&(oracle_code.to_owned(), date));
        match (expected, kind) {
            (None, DayKind::Weekend) => {}
            (None, _) => differences.push(format!(
                "{code} {date}: the oracle has no weekday there, preflight says {kind}"
            )),
            (Some(_), DayKind::Weekend) => differences.push(format!(
                "{code} {date}: preflight says weekend, the oracle lists the day"
            )),
            (Some(None), DayKind::Closed { .. }) => counts.closed += 1,
            (Some(None), _) => differences.push(format!(
                "{code} {date}: closed per exchange_calendars, preflight says {kind}"
            )),
            (Some(Some(_)), DayKind::Closed { reason }) => differences.push(format!(
                "{code} {date}: a session per exchange_calendars, preflight says closed ({reason})"
            )),
            (Some(Some(want)), _) => {
                counts.sessions += 1;
                let early = want.1 - want.0 < regular_length;
                if early {
                    counts.early_closes += 1;
                }
                if bounds != Some(*want) || early != matches!(kind, DayKind::EarlyClose { .. }) {
                    differences.push(format!(
                        "{code} {date}: exchange_calendars opens {} and closes {}{}, preflight says {kind} ({})",
                        unix(want.0),
                        unix(want.1),
                        if early { " (early)" } else { "" },
                        bounds.map_or("no session".to_owned(), |(open, close)| {
                            format!("{} to {}", unix(open), unix(close))
                        })
                    ));
                }
            }
        }
    }
    counts
}

fn unix(second: i64) -> String {
    jiff::Timestamp::from_second(second).map_or_else(|e| e.to_string(), |t| t.to_string())
}

#[test]
fn every_day_agrees_with_exchange_calendars() {
    let oracle = oracle();
    let mut differences = Vec::new();
    let mut summary = Vec::new();
    for (code, oracle_code) in [("XNYS", "XNYS"), ("XNAS", "XNYS"), ("XLON", "XLON")] {
        let calendar = Calendar::by_code(code).unwrap();
        let counts = compare(calendar, oracle_code, &oracle, &mut differences);
        assert!(counts.sessions > 11_000, "{code}: {counts:?}");
        summary.push(format!(
            "{code}: {} sessions, {} holidays and closures, {} early closes",
            counts.sessions, counts.closed, counts.early_closes
        ));
    }
    println!("compared with exchange_calendars {ORACLE_VERSION}, {FIRST_DATE}..={LAST_DATE}:");
    for line in &summary {
        println!("  {line}");
    }
    let mut shown: Vec<String> = differences
        .iter()
        .take(50)
        .map(|d| format!("  {d}"))
        .collect();
    if differences.len() > 50 {
        shown.push(format!("  ... and {} more", differences.len() - 50));
    }
    assert!(
        differences.is_empty(),
        "{} differences from exchange_calendars {ORACLE_VERSION}:\n{}",
        differences.len(),
        shown.join("\n")
    );
}
