//! Coverage of bars against an exchange calendar: every session (daily
//! bars) or every minute of every session (intraday bars, early closes
//! included) of the history has its bar, and no bar lies outside a session.
//!
//! Computed in the same streaming pass as the data-quality rules
//! ([`super::bars`]), from the settings of `[inputs.bars]`:
//!
//! ```toml
//! [inputs.bars]
//! path = "data/bars.csv"
//! calendar = "XNYS"          # the exchange whose sessions the bars must cover
//! interval = "1m"            # the bar length: "1m", "5m", "1h"; daily bars (a `date` column) need none
//! from = "2024-01-02"        # optional: the history to cover (default: the first to the last bar's day)
//! to = "2024-12-31"
//! ```
//!
//! An intraday bar is labelled by its start: the minute bars of a regular
//! NYSE session run from 09:30 to 15:59 (390 bars), to 12:59 on early
//! closes (210). Each symbol is followed separately with a cursor over the
//! sessions, so memory follows the number of symbols. Gaps are found
//! between consecutive bars, so the evidence can say where they are.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan as _};
use serde::Serialize;

use super::calendar::{Calendar, FIRST_DATE, LAST_DATE};
use crate::lines::Nanos;

/// Nanoseconds in a day.
const DAY: Nanos = 86_400 * 1_000_000_000;

/// What the coverage pass needs to know.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CoverageOptions {
    /// The exchange whose sessions the bars must cover.
    pub calendar: &'static Calendar,
    /// The bar length; `None` for daily bars.
    pub interval: Option<std::time::Duration>,
    /// The first day of the history to cover (the exchange's); `None`:
    /// the first bar's.
    pub from: Option<Date>,
    /// The last day of the history; `None`: the last bar's.
    pub to: Option<Date>,
}

impl CoverageOptions {
    /// Coverage of daily bars against `calendar`, over the bars' own span.
    ///
    /// ```
    /// use preflight_probes::trading::bars::{BarsOptions, scan_bars};
    /// use preflight_probes::trading::calendar::Calendar;
    /// use preflight_probes::trading::coverage::CoverageOptions;
    ///
    /// // Friday 2025-01-17, then Tuesday 2025-01-21: Monday was a holiday.
    /// let csv = "date,open,high,low,close,volume\n\
    ///     2025-01-16,10,11,9,10,100\n\
    ///     2025-01-21,10,11,9,10,100\n";
    /// let nyse = Calendar::by_code("XNYS")?;
    /// let options = BarsOptions::default().with_coverage(CoverageOptions::new(nyse));
    /// let coverage = scan_bars(csv.as_bytes(), "d.csv", options)?.coverage.unwrap();
    /// // The 17th is missing; the 20th (Martin Luther King Jr. Day) is not a session.
    /// assert_eq!((coverage.sessions, coverage.missing_bars), (3, 1));
    /// assert_eq!(coverage.gaps[0].from.to_string(), "2025-01-17T14:30:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(calendar: &'static Calendar) -> Self {
        CoverageOptions {
            calendar,
            interval: None,
            from: None,
            to: None,
        }
    }

    /// Intraday bars of length `interval`.
    #[must_use]
    pub fn interval(mut self, interval: std::time::Duration) -> Self {
        self.interval = Some(interval);
        self
    }

    /// The history to cover, both days included.
    #[must_use]
    pub fn history(mut self, from: Option<Date>, to: Option<Date>) -> Self {
        self.from = from;
        self.to = to;
        self
    }
}

/// A stretch of missing bars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The symbol (empty without a `symbol` column).
    pub symbol: String,
    /// The first missing bar's start (intraday) or session's open (daily).
    pub from: Timestamp,
    /// The last missing bar's start, or the last missing session's open.
    pub to: Timestamp,
    /// Bars missing in it.
    pub bars: u64,
}

/// A bar where no session is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outside {
    /// Its line in the file.
    pub line: u64,
    /// Its symbol.
    pub symbol: String,
    /// Its time.
    pub at: Timestamp,
    /// Why it is outside: the day's kind, or the session's hours.
    pub detail: String,
}

/// The coverage of the bars against the calendar.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CoverageSummary {
    /// The exchange (`XNYS`).
    pub calendar: &'static str,
    /// `1d` for daily bars, else the interval in minutes (`1m`, `5m`).
    pub interval: String,
    /// The history covered (the exchange's days).
    pub from: Date,
    /// See `from`.
    pub to: Date,
    /// Sessions in the history.
    pub sessions: u64,
    /// Bars the history should have, over all symbols.
    pub expected_bars: u64,
    /// Bars present inside sessions (a symbol's first bar at a time only).
    pub present_bars: u64,
    /// Expected bars without one.
    pub missing_bars: u64,
    /// `missing_bars / expected_bars`.
    pub missing_fraction: f64,
    /// The first [`CoverageSummary::KEEP`] gaps, in the order found.
    pub gaps: Vec<Gap>,
    /// How many gaps there are.
    pub gap_count: u64,
    /// Bars outside every session, and the first of them.
    pub outside_count: u64,
    /// See `outside_count`.
    pub outside: Vec<Outside>,
    /// Intraday bars that do not start on the interval's grid from the
    /// open: counted here, not as present.
    pub misaligned_count: u64,
}

impl CoverageSummary {
    /// Gaps and outside bars kept.
    pub const KEEP: usize = 20;
}

/// One session, as the pass uses it.
#[derive(Clone, Copy)]
struct Span {
    /// Days since the Unix epoch of its date.
    day: i64,
    open: Nanos,
    close: Nanos,
    /// Bars it should have.
    bars: u64,
}

/// One symbol's place in the sessions: every session before `at` is
/// accounted for, and session `at` up to `last`.
struct Cursor {
    /// The session being filled (an index into `spans`).
    at: usize,
    /// The start of the symbol's last bar in session `at`, if any.
    last: Option<Nanos>,
    /// The session of its first bar.
    first: usize,
}

/// The coverage pass.
pub(crate) struct Coverage {
    options: CoverageOptions,
    /// `options.interval` in nanoseconds.
    interval: Option<Nanos>,
    spans: Vec<Span>,
    /// The sessions of the configured history (`from`, `to`), if set.
    begin: Option<usize>,
    end: Option<usize>,
    cursors: Vec<Option<Cursor>>,
    /// The latest bar's time.
    latest: Option<Nanos>,
    present: u64,
    missing: u64,
    gaps: Vec<Gap>,
    gap_count: u64,
    outside: Vec<Outside>,
    outside_count: u64,
    misaligned: u64,
}

fn nanos(t: Timestamp) -> Nanos {
    i64::try_from(t.as_nanosecond()).unwrap_or(Nanos::MAX)
}

fn at(t: Nanos) -> Timestamp {
    Timestamp::from_nanosecond(i128::from(t)).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Days since the Unix epoch of `date`.
fn day_number(date: Date) -> i64 {
    jiff::tz::Offset::UTC
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .map_or(0, |t| t.as_second().div_euclid(86_400))
}

/// The date `day` days after the Unix epoch.
fn date_of(day: i64) -> Date {
    Date::constant(1970, 1, 1)
        .checked_add(day.days())
        .unwrap_or(FIRST_DATE)
}

impl Coverage {
    pub(crate) fn new(options: CoverageOptions) -> Coverage {
        let interval = options
            .interval
            .map(|i| i64::try_from(i.as_nanos()).unwrap_or(Nanos::MAX).max(1));
        let spans: Vec<Span> = options
            .calendar
            .sessions(FIRST_DATE, LAST_DATE)
            .map(|sessions| {
                sessions
                    .map(|s| {
                        let (open, close) = (nanos(s.open), nanos(s.close));
                        let bars = interval.map_or(1, |i| {
                            u64::try_from((close - open + i - 1) / i).unwrap_or(0)
                        });
                        Span {
                            day: day_number(s.date),
                            open,
                            close,
                            bars,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let session_from = |day: i64| spans.partition_point(|s| s.day < day);
        let begin = options.from.map(|d| session_from(day_number(d)));
        let end = options.to.map(|d| session_from(day_number(d) + 1));
        Coverage {
            options,
            interval,
            spans,
            begin,
            end,
            cursors: Vec::new(),
            latest: None,
            present: 0,
            missing: 0,
            gaps: Vec::new(),
            gap_count: 0,
            outside: Vec::new(),
            outside_count: 0,
            misaligned: 0,
        }
    }

    /// The first session at or after `day` (days since the epoch).
    fn session_from(&self, day: i64) -> usize {
        self.spans.partition_point(|s| s.day < day)
    }

    fn gap(&mut self, symbol: &str, from: Nanos, to: Nanos, bars: u64) {
        if bars == 0 {
            return;
        }
        self.missing += bars;
        self.gap_count += 1;
        if self.gaps.len() < CoverageSummary::KEEP {
            self.gaps.push(Gap {
                symbol: symbol.to_owned(),
                from: at(from),
                to: at(to),
                bars,
            });
        }
    }

    /// The start of the last bar of session `index`.
    fn last_start(&self, index: usize) -> Nanos {
        let span = self.spans[index];
        self.interval.map_or(span.open, |i| {
            span.open + (i64::try_from(span.bars).unwrap_or(1) - 1) * i
        })
    }

    /// Whole sessions `range` missing for `symbol`: one gap.
    fn missing_sessions(&mut self, symbol: &str, range: std::ops::Range<usize>) {
        let range = range.start.min(self.spans.len())..range.end.min(self.spans.len());
        if range.is_empty() {
            return;
        }
        let bars = self.spans[range.clone()].iter().map(|s| s.bars).sum();
        let (from, to) = (self.spans[range.start].open, self.last_start(range.end - 1));
        self.gap(symbol, from, to, bars);
    }

    /// Session `index` is over for `symbol`: what follows `last` is missing.
    fn session_end(&mut self, symbol: &str, index: usize, last: Nanos) {
        if let Some(interval) = self.interval {
            let span = self.spans[index];
            let next = last + interval;
            if next < span.close {
                let bars =
                    u64::try_from((span.close - next + interval - 1) / interval).unwrap_or(0);
                let to = self.last_start(index);
                self.gap(symbol, next, to, bars);
            }
        }
    }

    /// Accounts for `cursor`'s sessions up to `until` (excluded).
    fn close_until(&mut self, symbol: &str, cursor: &mut Cursor, until: usize) {
        if until <= cursor.at {
            return;
        }
        match cursor.last {
            None => self.missing_sessions(symbol, cursor.at..until),
            Some(last) => {
                self.session_end(symbol, cursor.at, last);
                self.missing_sessions(symbol, cursor.at + 1..until);
            }
        }
        cursor.at = until;
        cursor.last = None;
    }

    fn outside(&mut self, line: u64, symbol: &str, time: Nanos, detail: impl FnOnce() -> String) {
        self.outside_count += 1;
        if self.outside.len() < CoverageSummary::KEEP {
            self.outside.push(Outside {
                line,
                symbol: symbol.to_owned(),
                at: at(time),
                detail: detail(),
            });
        }
    }

    /// The exchange's date of `time` (for a daily bar: its date).
    fn local_date(&self, time: Nanos) -> Date {
        if self.interval.is_none() {
            return date_of(time.div_euclid(DAY));
        }
        at(time)
            .to_zoned_datetime(self.options.calendar.time_zone().clone())
            .date()
    }

    /// Why a bar at `time` is in no session.
    fn why_outside(&self, time: Nanos) -> String {
        let calendar = self.options.calendar;
        let date = self.local_date(time);
        let zone = calendar.time_zone();
        match calendar.day_kind(date) {
            Ok(kind) if kind.is_session() => match calendar.session_bounds(date) {
                Ok(Some((open, close))) => format!(
                    "outside the session of {date} ({} to {})",
                    open.to_zoned_datetime(zone.clone()).strftime("%H:%M %Z"),
                    close.to_zoned_datetime(zone.clone()).strftime("%H:%M %Z"),
                ),
                _ => format!("outside the session of {date}"),
            },
            Ok(kind) => format!("{date} is not a session: {kind}"),
            Err(e) => e.to_string(),
        }
    }

    /// Whether a bar at `time` lies outside the configured history.
    fn beyond_history(&self, time: Nanos) -> bool {
        let early = self
            .begin
            .is_some_and(|b| self.spans.get(b).is_none_or(|s| time < s.open));
        let late = self
            .end
            .is_some_and(|e| e == 0 || self.spans.get(e - 1).is_none_or(|s| time >= s.close));
        (early || late) && {
            let date = self.local_date(time);
            self.options.from.is_some_and(|from| date < from)
                || self.options.to.is_some_and(|to| date > to)
        }
    }

    /// Takes in a bar of symbol `index` (named `symbol`) starting at `time`,
    /// in order for its symbol (duplicates and bars out of order are not
    /// passed in).
    pub(crate) fn bar(&mut self, line: u64, index: usize, symbol: &str, time: Nanos) {
        if self.beyond_history(time) {
            return;
        }
        self.latest = Some(self.latest.map_or(time, |t| t.max(time)));
        if self.cursors.len() <= index {
            self.cursors.resize_with(index + 1, || None);
        }
        // The session this bar belongs in: the first whose close is after it
        // (daily: the first on or after its day).
        let day = time.div_euclid(DAY);
        let mut cursor = if let Some(cursor) = self.cursors[index].take() {
            cursor
        } else {
            let found = match self.interval {
                None => self.session_from(day),
                Some(_) => self.spans.partition_point(|s| s.close <= time),
            };
            Cursor {
                at: self.begin.unwrap_or(found).min(found),
                last: None,
                first: found,
            }
        };
        let mut found = cursor.at;
        match self.interval {
            None => found = found.max(self.session_from(day)),
            Some(_) => {
                while found < self.spans.len() && self.spans[found].close <= time {
                    found += 1;
                }
            }
        }
        let inside = self.spans.get(found).is_some_and(|s| match self.interval {
            None => s.day == day,
            Some(_) => s.open <= time,
        });
        if found < self.spans.len() {
            self.close_until(symbol, &mut cursor, found);
        }
        if inside {
            let span = self.spans[found];
            if let Some(interval) = self.interval {
                if (time - span.open) % interval != 0 {
                    // Off the grid: not one of the bars the session expects.
                    self.misaligned += 1;
                    self.cursors[index] = Some(cursor);
                    return;
                }
                let expected = cursor.last.map_or(span.open, |t| t + interval);
                if time > expected {
                    let bars = u64::try_from((time - expected) / interval).unwrap_or(0);
                    let to = expected + (i64::try_from(bars).unwrap_or(1) - 1) * interval;
                    self.gap(symbol, expected, to, bars);
                }
            }
            self.present += 1;
            cursor.last = Some(time);
        } else {
            let detail =
                (self.outside.len() < CoverageSummary::KEEP).then(|| self.why_outside(time));
            self.outside(line, symbol, time, || detail.unwrap_or_default());
        }
        self.cursors[index] = Some(cursor);
    }

    /// Closes every symbol's history at its end and sums up; `names` are
    /// the symbols by index.
    pub(crate) fn finish(mut self, names: &[&str]) -> CoverageSummary {
        let end = match (self.end, self.latest) {
            (Some(end), _) => end,
            (None, Some(t)) => self.session_from(day_number(self.local_date(t)) + 1),
            (None, None) => 0,
        };
        let begin = self.begin.unwrap_or_else(|| {
            self.cursors
                .iter()
                .flatten()
                .map(|c| c.first)
                .min()
                .unwrap_or(end)
        });
        for (index, name) in names.iter().enumerate() {
            let Some(mut cursor) = self.cursors.get_mut(index).and_then(Option::take) else {
                continue;
            };
            // A symbol that starts after the others misses what came before.
            if self.begin.is_none() && cursor.first > begin {
                self.missing_sessions(name, begin..cursor.first);
            }
            self.close_until(name, &mut cursor, end);
        }
        let symbols = u64::try_from(names.len()).unwrap_or(0);
        let history = self.spans.get(begin..end).unwrap_or_default();
        let per_symbol: u64 = history.iter().map(|s| s.bars).sum();
        let expected = per_symbol * symbols;
        let from = self
            .options
            .from
            .or_else(|| history.first().map(|s| date_of(s.day)))
            .unwrap_or(FIRST_DATE);
        let to = self
            .options
            .to
            .or_else(|| history.last().map(|s| date_of(s.day)))
            .unwrap_or(from);
        let interval = match self.interval {
            None => "1d".to_owned(),
            Some(i) if i % 60_000_000_000 == 0 => format!("{}m", i / 60_000_000_000),
            Some(i) => format!("{}s", i / 1_000_000_000),
        };
        #[allow(clippy::cast_precision_loss)] // a fraction for people
        let missing_fraction = if expected == 0 {
            0.0
        } else {
            self.missing as f64 / expected as f64
        };
        CoverageSummary {
            calendar: self.options.calendar.code(),
            interval,
            from,
            to,
            sessions: u64::try_from(history.len()).unwrap_or(0),
            expected_bars: expected,
            present_bars: self.present,
            missing_bars: self.missing,
            missing_fraction,
            gaps: self.gaps,
            gap_count: self.gap_count,
            outside_count: self.outside_count,
            outside: self.outside,
            misaligned_count: self.misaligned,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trading::bars::{BarsOptions, scan_bars};
    use jiff::civil::date;
    use std::fmt::Write as _;
    use std::time::Duration;

    fn xnys() -> &'static Calendar {
        Calendar::by_code("XNYS").unwrap()
    }

    /// One-minute bars of `symbol` for every minute of the session of
    /// `day`, except the minutes (from the open) in `skip`.
    fn session(csv: &mut String, symbol: &str, day: Date, skip: &[i64]) {
        let (open, close) = xnys().session_bounds(day).unwrap().unwrap();
        let minutes = (close.as_second() - open.as_second()) / 60;
        for m in (0..minutes).filter(|m| !skip.contains(m)) {
            let t = Timestamp::from_second(open.as_second() + m * 60).unwrap();
            writeln!(csv, "{symbol},{t},10,10.5,9.5,10.1,100").unwrap();
        }
    }

    fn cover(csv: &str, options: CoverageOptions) -> CoverageSummary {
        let bars = BarsOptions::default().with_coverage(options);
        let text = format!("symbol,timestamp,open,high,low,close,volume\n{csv}");
        let summary = scan_bars(text.as_bytes(), "bars.csv", bars).unwrap();
        let c = summary.coverage.unwrap();
        assert_eq!(
            c.expected_bars,
            c.present_bars + c.missing_bars,
            "every expected bar is present or missing: {c:?}"
        );
        c
    }

    #[test]
    fn intraday_gaps_early_closes_and_bars_outside_sessions() {
        let mut csv = String::new();
        // The day after Thanksgiving closes at 13:00: 210 minutes.
        session(&mut csv, "A", date(2025, 11, 28), &[]);
        csv += "A,2025-11-29T15:00:00Z,10,10.5,9.5,10.1,100\n";
        csv += "A,2025-12-01T13:00:00Z,10,10.5,9.5,10.1,100\n";
        // 10:00 to 10:04, and the last two minutes.
        session(
            &mut csv,
            "A",
            date(2025, 12, 1),
            &[30, 31, 32, 33, 34, 388, 389],
        );
        let c = cover(
            &csv,
            CoverageOptions::new(xnys()).interval(Duration::from_secs(60)),
        );
        assert_eq!((c.calendar, c.interval.as_str()), ("XNYS", "1m"));
        assert_eq!(
            (c.from, c.to, c.sessions),
            (date(2025, 11, 28), date(2025, 12, 1), 2)
        );
        assert_eq!(
            (c.expected_bars, c.present_bars, c.missing_bars),
            (600, 593, 7)
        );
        let gaps: Vec<(String, String, u64)> = c
            .gaps
            .iter()
            .map(|g| (g.from.to_string(), g.to.to_string(), g.bars))
            .collect();
        assert_eq!(
            gaps,
            [
                (
                    "2025-12-01T15:00:00Z".into(),
                    "2025-12-01T15:04:00Z".into(),
                    5
                ),
                (
                    "2025-12-01T20:58:00Z".into(),
                    "2025-12-01T20:59:00Z".into(),
                    2
                ),
            ]
        );
        assert_eq!(c.outside_count, 2);
        assert_eq!(c.outside[0].line, 212);
        assert_eq!(c.outside[0].detail, "2025-11-29 is not a session: weekend");
        assert_eq!(
            c.outside[1].detail,
            "outside the session of 2025-12-01 (09:30 EST to 16:00 EST)"
        );
        assert_eq!(c.misaligned_count, 0);
    }

    #[test]
    fn a_symbol_that_starts_late_misses_the_sessions_before() {
        let mut csv = String::new();
        session(&mut csv, "A", date(2025, 12, 1), &[]);
        session(&mut csv, "A", date(2025, 12, 2), &[]);
        session(&mut csv, "B", date(2025, 12, 2), &[]);
        let c = cover(
            &csv,
            CoverageOptions::new(xnys()).interval(Duration::from_secs(60)),
        );
        assert_eq!(
            (c.sessions, c.expected_bars, c.missing_bars),
            (2, 1560, 390)
        );
        assert_eq!(c.gaps[0].symbol, "B");
        assert_eq!(c.gaps[0].from.to_string(), "2025-12-01T14:30:00Z");
        assert_eq!(c.gaps[0].to.to_string(), "2025-12-01T20:59:00Z");
    }

    #[test]
    fn daily_bars_against_the_sessions_of_a_configured_history() {
        let header = "date,open,high,low,close,volume\n";
        // January 2025: the 1st, 9th (Carter) and 20th (MLK) are closed.
        let mut csv = String::from(header);
        for day in 2..=31 {
            let d = date(2025, 1, day);
            let session = xnys().is_session(d).unwrap();
            // The 15th is missing; the 20th has a bar although closed.
            if (session && day != 15) || day == 20 {
                writeln!(csv, "{d},10,11,9,10.5,100").unwrap();
            }
        }
        let bars = BarsOptions::default().with_coverage(
            CoverageOptions::new(xnys()).history(Some(date(2024, 12, 31)), Some(date(2025, 2, 3))),
        );
        let summary = scan_bars(csv.as_bytes(), "d.csv", bars).unwrap();
        let c = summary.coverage.unwrap();
        // 2024-12-31, 20 January sessions, 2025-02-03.
        assert_eq!((c.interval.as_str(), c.sessions), ("1d", 22));
        assert_eq!((c.present_bars, c.missing_bars), (19, 3));
        let gaps: Vec<(String, u64)> = c
            .gaps
            .iter()
            .map(|g| (g.from.to_string(), g.bars))
            .collect();
        assert_eq!(
            gaps,
            [
                ("2024-12-31T14:30:00Z".into(), 1),
                ("2025-01-15T14:30:00Z".into(), 1),
                ("2025-02-03T14:30:00Z".into(), 1),
            ]
        );
        assert_eq!(c.outside_count, 1);
        assert_eq!(
            c.outside[0].detail,
            "2025-01-20 is not a session: closed (Martin Luther King Jr. Day)"
        );
    }

    #[test]
    fn bars_outside_the_configured_history_are_not_counted() {
        let mut csv = String::new();
        session(&mut csv, "A", date(2025, 11, 26), &[]);
        session(&mut csv, "A", date(2025, 11, 28), &[]);
        session(&mut csv, "A", date(2025, 12, 1), &[]);
        let c = cover(
            &csv,
            CoverageOptions::new(xnys())
                .interval(Duration::from_secs(300))
                .history(Some(date(2025, 11, 27)), Some(date(2025, 11, 28))),
        );
        // Only the early close of the 28th: 42 five-minute bars, every
        // fifth minute of the one-minute file; the others are off the grid.
        assert_eq!((c.sessions, c.expected_bars, c.missing_bars), (1, 42, 0));
        assert_eq!((c.present_bars, c.misaligned_count), (42, 168));
    }
}
