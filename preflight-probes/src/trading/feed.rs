//! A captured market-data feed, read as a stream: the latency of every
//! message (its receive time less its exchange time), the sequence gaps of
//! each channel and the age of the newest message. The items
//! `trading.market-data.data-latency` and
//! `trading.market-data.real-time-feed` judge them.
//!
//! ```toml
//! [inputs.feed]
//! path = "captures/feed.csv"   # or a JSON-lines file: feed.jsonl
//! format = "csv"               # or "jsonl"; by default from the extension
//!                              # (`.jsonl` and `.ndjson` are JSON lines)
//! sequence_by = "channel"      # optional: a column whose values each number
//!                              # their messages on their own
//! ```
//!
//! One message per row (CSV, with a header) or per line (JSON lines: one
//! object a line, with these names as keys), in the order received:
//!
//! | column | meaning |
//! |--------|---------|
//! | `exchange_time` | when the exchange sent the message: an RFC 3339 timestamp, to the nanosecond (`2025-01-27T14:30:00.000123456Z`) |
//! | `receive_time` | when the capture received it, RFC 3339; never earlier than the message before it |
//! | `sequence` | optional: the message's sequence number, an unsigned integer (in JSON lines a number or a string of digits); empty (`null`) for a message without one, such as a heartbeat |
//! | the `sequence_by` column | optional: the channel the sequence numbers count in (a multicast group, a partition); in JSON lines a string or a number |
//! | `symbol`, others | ignored |
//!
//! **Latency** is recorded at microsecond resolution in an HDR histogram of
//! 3 significant digits: its quantiles are within 0.1 % of the exact ones,
//! in a fixed 224 KiB whatever the length of the capture, and the maximum is
//! exact. A negative latency (the message received before the exchange sent
//! it: the two clocks disagree) is counted, its first
//! [`FeedSummary::KEEP_NEGATIVE`] lines kept, and enters the quantiles as
//! zero; a latency beyond a day enters them as a day.
//!
//! **Sequences**: each channel (all messages, without `sequence_by`) expects
//! its highest sequence number so far plus one. A higher number is a gap
//! (the numbers skipped are missing messages; the first
//! [`FeedSummary::KEEP_GAPS`] gaps are kept). A lower one is a duplicate
//! when that number already arrived among the channel's last 128, and goes
//! `backwards` otherwise: a late message, which does not undo the gap
//! counted when it was skipped. Memory follows the number of channels.
//!
//! A missing column, a row with another number of fields than the header,
//! a timestamp that is not RFC 3339, a sequence that is not an unsigned
//! integer, a `receive_time` earlier than the one before it, a line that is
//! not a JSON object, or an empty file make the capture malformed: the
//! items that read it are `error`, located `file:line:column`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use hdrhistogram::Histogram;
use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use serde::Serialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

use super::orders::LogFormat;
use crate::lines::{Clock, Lines, Nanos, ReadSource, Source, malformed, scan_input};

/// A sequence gap: messages of a channel that never arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The channel: the value of the `sequence_by` column (empty without one).
    pub channel: String,
    /// The line of the message after the gap.
    pub line: u64,
    /// The sequence number the channel expected.
    pub expected: u64,
    /// The sequence number that came instead.
    pub found: u64,
}

/// Latency quantiles of a capture, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Latency {
    /// The median.
    pub p50_ms: f64,
    /// The 90th percentile.
    pub p90_ms: f64,
    /// The 99th percentile.
    pub p99_ms: f64,
    /// The 99.9th percentile.
    pub p999_ms: f64,
    /// The largest latency, exact.
    pub max_ms: f64,
}

/// What a pass over a feed capture found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FeedSummary {
    /// Messages read.
    pub messages: u64,
    /// The latency quantiles; `None` without a message.
    pub latency: Option<Latency>,
    /// Messages received before the exchange sent them (clock skew).
    pub negative_latencies: u64,
    /// The lines of the first [`FeedSummary::KEEP_NEGATIVE`] of them.
    pub negative_latency_lines: Vec<u64>,
    /// Messages with a sequence number.
    pub sequenced: u64,
    /// Channels with a sequence number (1 without `sequence_by`).
    pub channels: usize,
    /// Sequence gaps.
    pub gap_count: u64,
    /// Sequence numbers skipped by the gaps.
    pub missing_messages: u64,
    /// The first [`FeedSummary::KEEP_GAPS`] gaps, in the order found.
    pub gaps: Vec<Gap>,
    /// Messages whose sequence number already arrived.
    pub duplicates: u64,
    /// Messages numbered below their channel's highest so far, not seen before.
    pub backwards: u64,
    /// The `receive_time` of the first message.
    pub oldest: Option<jiff::Timestamp>,
    /// The `receive_time` of the last message.
    pub newest: Option<jiff::Timestamp>,
}

impl FeedSummary {
    /// Gaps kept as examples (all are counted).
    pub const KEEP_GAPS: usize = 20;
    /// Lines of negative latencies kept (all are counted).
    pub const KEEP_NEGATIVE: usize = 10;
}

/// How to read a capture: its format and the column of its channels.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct FeedOptions {
    /// CSV or JSON lines.
    pub format: LogFormat,
    /// The column (key) whose values each number their messages on their
    /// own; all messages share one sequence without it.
    pub sequence_by: Option<String>,
}

impl FeedOptions {
    /// Options for `format`, with one sequence for all messages.
    #[must_use]
    pub fn new(format: LogFormat) -> Self {
        FeedOptions {
            format,
            sequence_by: None,
        }
    }

    /// With a sequence per value of the column (key) `column`.
    #[must_use]
    pub fn sequence_by(mut self, column: impl Into<String>) -> Self {
        self.sequence_by = Some(column.into());
        self
    }
}

/// The largest latency the quantiles tell apart, in microseconds: a day.
const DAY_MICROS: u64 = 86_400_000_000;

/// Sequence numbers below a channel's highest that are remembered, to tell
/// a duplicate from a late message.
const WINDOW: u64 = 128;

/// One channel's sequence: its highest number and which of the
/// [`WINDOW`] numbers up to it arrived (bit `d` for `highest - d`).
struct Sequence {
    highest: u64,
    seen: u128,
}

/// What a sequence number is to its channel.
enum Step {
    /// The next one.
    Next,
    /// Beyond the next: `expected` was the next, and `missing` are skipped.
    Gap { expected: u64, missing: u64 },
    /// Already arrived.
    Duplicate,
    /// Below the highest, not seen before.
    Backwards,
}

impl Sequence {
    fn step(&mut self, number: u64) -> Step {
        if number > self.highest {
            let ahead = number - self.highest;
            let expected = self.highest + 1;
            self.seen = if ahead >= WINDOW {
                0
            } else {
                self.seen << ahead
            } | 1;
            self.highest = number;
            if ahead == 1 {
                Step::Next
            } else {
                Step::Gap {
                    expected,
                    missing: ahead - 1,
                }
            }
        } else {
            let behind = self.highest - number;
            if behind < WINDOW {
                let bit = 1u128 << behind;
                if self.seen & bit != 0 {
                    return Step::Duplicate;
                }
                self.seen |= bit;
            }
            Step::Backwards
        }
    }
}

/// The pass's state: a fixed histogram and one sequence per channel.
struct Pass {
    summary: FeedSummary,
    histogram: Histogram<u64>,
    max_latency: Nanos,
    first_receive: Option<Nanos>,
    /// The last message's receive time and line.
    last_receive: Option<(Nanos, u64)>,
    channels: HashMap<Box<[u8]>, Sequence, foldhash::fast::RandomState>,
}

impl Pass {
    fn new() -> Self {
        Pass {
            summary: FeedSummary::default(),
            histogram: Histogram::new_with_bounds(1, DAY_MICROS, 3)
                .expect("constant bounds of 1 µs to a day at 3 digits are valid"),
            max_latency: Nanos::MIN,
            first_receive: None,
            last_receive: None,
            channels: HashMap::default(),
        }
    }

    /// Takes in the message on `line`; `Err` with the line of the message
    /// before it when that one was received later.
    fn message(
        &mut self,
        line: u64,
        exchange: Nanos,
        receive: Nanos,
        sequence: Option<u64>,
        channel: &[u8],
    ) -> Result<(), u64> {
        if let Some((last, last_line)) = self.last_receive
            && receive < last
        {
            return Err(last_line);
        }
        self.last_receive = Some((receive, line));
        self.first_receive.get_or_insert(receive);
        self.summary.messages += 1;
        let latency = receive.saturating_sub(exchange);
        self.max_latency = self.max_latency.max(latency);
        if latency < 0 {
            self.summary.negative_latencies += 1;
            if self.summary.negative_latency_lines.len() < FeedSummary::KEEP_NEGATIVE {
                self.summary.negative_latency_lines.push(line);
            }
        }
        // Whole microseconds; a negative latency as zero.
        self.histogram
            .saturating_record(u64::try_from(latency / 1000).unwrap_or(0));
        if let Some(number) = sequence {
            self.sequence(line, number, channel);
        }
        Ok(())
    }

    fn sequence(&mut self, line: u64, number: u64, channel: &[u8]) {
        self.summary.sequenced += 1;
        let Some(state) = self.channels.get_mut(channel) else {
            self.channels.insert(
                channel.into(),
                Sequence {
                    highest: number,
                    seen: 1,
                },
            );
            return;
        };
        let summary = &mut self.summary;
        match state.step(number) {
            Step::Next => {}
            Step::Gap { expected, missing } => {
                summary.gap_count += 1;
                summary.missing_messages = summary.missing_messages.saturating_add(missing);
                if summary.gaps.len() < FeedSummary::KEEP_GAPS {
                    summary.gaps.push(Gap {
                        channel: String::from_utf8_lossy(channel).into_owned(),
                        line,
                        expected,
                        found: number,
                    });
                }
            }
            Step::Duplicate => summary.duplicates += 1,
            Step::Backwards => summary.backwards += 1,
        }
    }

    #[allow(clippy::cast_precision_loss)] // latencies in µs and ns are far below 2^52
    fn finish(mut self) -> FeedSummary {
        let at = |t: Nanos| jiff::Timestamp::from_nanosecond(i128::from(t)).ok();
        self.summary.oldest = self.first_receive.and_then(at);
        self.summary.newest = self.last_receive.and_then(|(t, _)| at(t));
        self.summary.channels = self.channels.len();
        if self.summary.messages > 0 {
            let max_ms = self.max_latency as f64 / 1e6;
            // A quantile's bucket may reach past the largest latency in it.
            let quantile =
                |q: f64| (self.histogram.value_at_quantile(q) as f64 / 1e3).min(max_ms.max(0.0));
            self.summary.latency = Some(Latency {
                p50_ms: quantile(0.5),
                p90_ms: quantile(0.9),
                p99_ms: quantile(0.99),
                p999_ms: quantile(0.999),
                max_ms,
            });
        }
        self.summary
    }
}

/// Reads a feed capture from `reader` in the format of `options`, in one
/// pass and in fixed memory (plus one entry per channel).
///
/// ```
/// use preflight_probes::trading::feed::{FeedOptions, scan_feed};
///
/// let capture = "exchange_time,receive_time,sequence,symbol\n\
///     2025-01-27T14:30:00.000000Z,2025-01-27T14:30:00.001500Z,1,AAPL\n\
///     2025-01-27T14:30:00.010000Z,2025-01-27T14:30:00.012000Z,2,MSFT\n\
///     2025-01-27T14:30:00.020000Z,2025-01-27T14:30:00.020800Z,5,AAPL\n";
/// let summary = scan_feed(capture.as_bytes(), "feed.csv", &FeedOptions::default())?;
/// assert_eq!(summary.messages, 3);
/// let latency = summary.latency.unwrap();
/// assert_eq!((latency.p50_ms, latency.max_ms), (1.5, 2.0));
/// // 3 and 4 never arrived: one gap, found on line 4.
/// assert_eq!((summary.gap_count, summary.missing_messages), (1, 2));
/// let gap = &summary.gaps[0];
/// assert_eq!((gap.line, gap.expected, gap.found), (4, 3, 5));
/// # Ok::<(), preflight_core::CheckError>(())
/// ```
///
/// # Errors
/// A malformed capture (a missing column, a row with another number of
/// fields, a timestamp that is not RFC 3339, a sequence that is not an
/// unsigned integer, a message received before the one above it, an empty
/// file): `CheckError::Malformed` located `shown:line:column`.
pub fn scan_feed(
    reader: impl Read,
    shown: &str,
    options: &FeedOptions,
) -> Result<FeedSummary, CheckError> {
    scan_lines(&mut Lines::new(ReadSource(reader)), shown, options)
}

/// [`scan_feed`] of the lines of any source.
fn scan_lines(
    rows: &mut Lines<impl Source>,
    shown: &str,
    options: &FeedOptions,
) -> Result<FeedSummary, CheckError> {
    let mut pass = Pass::new();
    let channel = options.sequence_by.as_deref();
    match options.format {
        LogFormat::Csv => scan_csv(rows, shown, channel, &mut pass)?,
        LogFormat::JsonLines => scan_json_lines(rows, shown, channel, &mut pass)?,
    }
    Ok(pass.finish())
}

/// The message of a `receive_time` earlier than the one on `previous`.
fn out_of_order(previous: u64) -> String {
    format!(
        "`receive_time` is earlier than that of the message before it (line {previous}): a capture must be in the order received"
    )
}

/// The message of a time in `key` that is not RFC 3339.
fn not_a_time(key: &str, raw: &[u8]) -> String {
    format!(
        "`{key}`: expected an RFC 3339 timestamp such as 2025-01-27T14:30:00.000123Z, found `{}`",
        shorten(raw)
    )
}

/// `raw` as text for a message, cut after 40 characters.
fn shorten(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.into_owned(),
    }
}

/// A sequence number of ASCII digits.
fn parse_sequence(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() {
        return None;
    }
    raw.iter().try_fold(0u64, |n, d| {
        d.is_ascii_digit()
            .then(|| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))?
    })
}

fn scan_csv(
    rows: &mut Lines<impl Source>,
    shown: &str,
    sequence_by: Option<&str>,
    pass: &mut Pass,
) -> Result<(), CheckError> {
    let header = rows.header(
        shown,
        "the file is empty: expected a header row with `exchange_time` and `receive_time`",
    )?;
    let find = |name: &str| header.iter().position(|h| h.as_slice() == name.as_bytes());
    let required = |name: &str| {
        find(name).ok_or_else(|| {
            malformed(
                shown,
                1,
                1,
                &format!(
                    "no column `{name}`: a feed capture needs `exchange_time` and `receive_time`"
                ),
            )
        })
    };
    let (exchange, receive) = (required("exchange_time")?, required("receive_time")?);
    let sequence = find("sequence");
    let channel = sequence_by
        .map(|name| {
            find(name).ok_or_else(|| {
                malformed(
                    shown,
                    1,
                    1,
                    &format!("no column `{name}`, which `sequence_by` names"),
                )
            })
        })
        .transpose()?;
    let (mut exchange_clock, mut receive_clock) = (Clock::default(), Clock::default());
    while rows.next_split(shown)? {
        let line = rows.line;
        if rows.len() != header.len() {
            let message = format!(
                "{} fields where the header has {}",
                rows.len(),
                header.len()
            );
            return Err(malformed(shown, line, 1, &message));
        }
        let time = |clock: &mut Clock, c: usize, key: &str| {
            clock
                .parse(rows.get(c))
                .ok_or_else(|| malformed(shown, line, c + 1, &not_a_time(key, rows.get(c))))
        };
        let sent = time(&mut exchange_clock, exchange, "exchange_time")?;
        let received = time(&mut receive_clock, receive, "receive_time")?;
        let number = match sequence.map(|c| (c, rows.get(c))) {
            None | Some((_, b"")) => None,
            Some((c, raw)) => Some(parse_sequence(raw).ok_or_else(|| {
                malformed(
                    shown,
                    line,
                    c + 1,
                    &format!(
                        "`sequence`: expected an unsigned integer, found `{}`",
                        shorten(raw)
                    ),
                )
            })?),
        };
        let channel = channel.map_or(&b""[..], |c| rows.get(c));
        pass.message(line, sent, received, number, channel)
            .map_err(|previous| malformed(shown, line, receive + 1, &out_of_order(previous)))?;
    }
    Ok(())
}

/// One line of a JSON-lines capture: its strings borrowed from the line
/// when they have no escapes.
#[derive(Default)]
struct JsonRow<'a> {
    exchange_time: Option<Cow<'a, str>>,
    receive_time: Option<Cow<'a, str>>,
    sequence: Option<u64>,
    channel: Option<Cow<'a, str>>,
}

/// Reads a [`JsonRow`], with the channel under the key `sequence_by` names.
struct RowSeed<'k>(Option<&'k str>);

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = JsonRow<'de>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = JsonRow<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with `exchange_time` and `receive_time`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut row = JsonRow::default();
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            match key.as_deref().unwrap_or_default() {
                "exchange_time" => row.exchange_time = map.next_value::<Text<'de>>()?.0,
                "receive_time" => row.receive_time = map.next_value::<Text<'de>>()?.0,
                "sequence" => row.sequence = map.next_value::<SequenceNumber>()?.0,
                key if self.0 == Some(key) => row.channel = map.next_value::<Text<'de>>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(row)
    }
}

/// A string of a JSON line (borrowed when it has no escapes), a number as
/// its text, or nothing for `null`.
struct Text<'a>(Option<Cow<'a, str>>);

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_owned()))))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v))))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
}

/// The `sequence` of a JSON line: an unsigned integer, a string of digits,
/// or nothing for `null`.
struct SequenceNumber(Option<u64>);

impl<'de> de::Deserialize<'de> for SequenceNumber {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SequenceVisitor)
    }
}

struct SequenceVisitor;

impl Visitor<'_> for SequenceVisitor {
    type Value = SequenceNumber;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an unsigned integer for `sequence`")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(SequenceNumber(Some(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            return Ok(SequenceNumber(None));
        }
        parse_sequence(v.as_bytes())
            .map(|n| SequenceNumber(Some(n)))
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(SequenceNumber(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(SequenceNumber(None))
    }
}

/// A `serde_json` error's message without the position it appends (the
/// location is shown in front).
fn bare(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}

fn scan_json_lines(
    rows: &mut Lines<impl Source>,
    shown: &str,
    sequence_by: Option<&str>,
    pass: &mut Pass,
) -> Result<(), CheckError> {
    let (mut exchange_clock, mut receive_clock) = (Clock::default(), Clock::default());
    let mut any = false;
    while rows.next(shown)? {
        any = true;
        let line = rows.line;
        let text = rows.text();
        let mut deserializer = serde_json::Deserializer::from_slice(text);
        let row = RowSeed(sequence_by)
            .deserialize(&mut deserializer)
            .and_then(|row| deserializer.end().map(|()| row))
            .map_err(|e| {
                malformed(
                    shown,
                    line,
                    e.column().max(1),
                    &format!("invalid JSON line: {}", bare(&e)),
                )
            })?;
        // A problem with a key's value is shown at the key.
        let at = |key: &str, message: &str| {
            let quoted = format!("\"{key}\"");
            let column = memchr::memmem::find(text, quoted.as_bytes()).map_or(1, |c| c + 1);
            malformed(shown, line, column, message)
        };
        let time = |clock: &mut Clock, value: Option<&str>, key: &str| {
            let value = value.ok_or_else(|| {
                malformed(
                    shown,
                    line,
                    1,
                    &format!("no `{key}`: a feed message needs `exchange_time` and `receive_time`"),
                )
            })?;
            clock
                .parse(value.as_bytes())
                .ok_or_else(|| at(key, &not_a_time(key, value.as_bytes())))
        };
        let sent = time(
            &mut exchange_clock,
            row.exchange_time.as_deref(),
            "exchange_time",
        )?;
        let received = time(
            &mut receive_clock,
            row.receive_time.as_deref(),
            "receive_time",
        )?;
        let channel = row.channel.as_deref().unwrap_or_default().as_bytes();
        pass.message(line, sent, received, row.sequence, channel)
            .map_err(|previous| at("receive_time", &out_of_order(previous)))?;
    }
    if !any {
        return Err(malformed(
            shown,
            1,
            1,
            "the file is empty: expected one JSON object a line, with `exchange_time` and `receive_time`",
        ));
    }
    Ok(())
}

/// `[inputs.feed]`, scanned once per run.
#[derive(Debug)]
pub struct Feed {
    /// What the pass found.
    pub summary: FeedSummary,
    /// The capture read.
    pub artifact: Artifact,
}

impl Input for Feed {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        const KEYS: [&str; 3] = ["path", "format", "sequence_by"];
        let mut options = FeedOptions::default();
        let mut format = None;
        let shown = match source.value() {
            toml::Value::String(path) => path.clone(),
            toml::Value::Table(t) => {
                if let Some(key) = t.keys().find(|k| !KEYS.contains(&k.as_str())) {
                    return Err(source.error(format!(
                        "unknown key `{key}` in [inputs.{}] (expected `path`, `format`, `sequence_by`)",
                        source.name()
                    )));
                }
                format = t
                    .get("format")
                    .map(|v| match v.as_str() {
                        Some("csv") => Ok(LogFormat::Csv),
                        Some("jsonl") => Ok(LogFormat::JsonLines),
                        _ => Err(source.error("`format`: expected \"csv\" or \"jsonl\"")),
                    })
                    .transpose()?;
                if let Some(v) = t.get("sequence_by") {
                    let column = v
                        .as_str()
                        .filter(|c| {
                            !c.is_empty()
                                && !["exchange_time", "receive_time", "sequence"].contains(c)
                        })
                        .ok_or_else(|| {
                            source.error(
                                "`sequence_by`: expected the name of the channel column, such as \"channel\" (not `exchange_time`, `receive_time` or `sequence`)",
                            )
                        })?;
                    options.sequence_by = Some(column.to_owned());
                }
                t.get("path")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| source.error("expected `path = \"<csv or jsonl capture>\"`"))?
                    .to_owned()
            }
            _ => return Err(source.error("expected a path to the feed capture")),
        };
        options.format = format.unwrap_or_else(|| {
            let extension = std::path::Path::new(&shown).extension();
            if extension.is_some_and(|e| {
                e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson")
            }) {
                LogFormat::JsonLines
            } else {
                LogFormat::Csv
            }
        });
        let (summary, artifact) =
            scan_input(source, &shown, |lines| scan_lines(lines, &shown, &options))?;
        Ok(Feed { summary, artifact })
    }
}

/// The gaps of `s` in a sentence: how many, and the first.
fn describe_gaps(s: &FeedSummary) -> String {
    let first = s.gaps.first().map_or_else(String::new, |g| {
        let channel = if g.channel.is_empty() {
            String::new()
        } else {
            format!("channel `{}` ", g.channel)
        };
        format!(
            "; first on line {}: {channel}expected {}, found {}",
            g.line, g.expected, g.found
        )
    });
    format!(
        "{} sequence gaps, {} messages missing{first}",
        s.gap_count, s.missing_messages
    )
}

/// The message of a capture without a message.
fn no_message(feed: &Feed) -> String {
    format!(
        "`{}` holds no message: capture the feed for a while and point [inputs.feed] at the capture",
        feed.artifact.path
    )
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "{messages} messages, {gap_count} sequence gaps, {negative_latencies} negative latencies"
)]
struct LatencyEvidence {
    messages: u64,
    p50_ms: Option<f64>,
    p90_ms: Option<f64>,
    p99_ms: Option<f64>,
    p999_ms: Option<f64>,
    max_ms: Option<f64>,
    /// The limit of the 99th percentile.
    max_p99_ms: f64,
    negative_latencies: u64,
    negative_latency_lines: Vec<u64>,
    gaps: Vec<Gap>,
    gap_count: u64,
    missing_messages: u64,
    duplicates: u64,
    backwards: u64,
    newest: Option<jiff::Timestamp>,
    oldest: Option<jiff::Timestamp>,
}

/// The market data arrives in time and complete: the 99th percentile of
/// the captured feed's latency (receive time less exchange time) is within
/// the limit, and no sequence number is skipped. Messages received before
/// the exchange sent them (the clocks disagree) warn.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "trading.market-data.data-latency",
    title = "Data latency measured and acceptable",
    group = "Market Data",
    severity = "high",
    owner = "tech-lead",
    inputs = ["feed"],
    remediation = "find where the slow or missing messages are lost (network, feed handler, vendor) from the lines the evidence lists, then capture the feed again"
)]
pub struct DataLatency {
    /// The largest acceptable 99th percentile of latency, in milliseconds.
    pub max_p99_ms: f64,
    /// Sequence gaps accepted.
    pub max_gap_count: u64,
}

impl Default for DataLatency {
    fn default() -> Self {
        DataLatency {
            max_p99_ms: 100.0,
            max_gap_count: 0,
        }
    }
}

impl Check for DataLatency {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        if !self.max_p99_ms.is_finite() || self.max_p99_ms < 0.0 {
            return Err(CheckError::msg(format!(
                "`max_p99_ms`: expected a non-negative number of milliseconds, found {}",
                self.max_p99_ms
            )));
        }
        let feed = cx.input::<Feed>("feed")?;
        let s = &feed.summary;
        let latency = s.latency;
        let evidence = LatencyEvidence {
            messages: s.messages,
            p50_ms: latency.map(|l| l.p50_ms),
            p90_ms: latency.map(|l| l.p90_ms),
            p99_ms: latency.map(|l| l.p99_ms),
            p999_ms: latency.map(|l| l.p999_ms),
            max_ms: latency.map(|l| l.max_ms),
            max_p99_ms: self.max_p99_ms,
            negative_latencies: s.negative_latencies,
            negative_latency_lines: s.negative_latency_lines.clone(),
            gaps: s.gaps.clone(),
            gap_count: s.gap_count,
            missing_messages: s.missing_messages,
            duplicates: s.duplicates,
            backwards: s.backwards,
            newest: s.newest,
            oldest: s.oldest,
        };
        let outcome = match latency {
            None => Outcome::fail(no_message(&feed)),
            Some(l) => {
                let mut problems = Vec::new();
                if l.p99_ms > self.max_p99_ms {
                    problems.push(format!(
                        "p99 latency {:.3} ms is above the limit of {} ms (p50 {:.3} ms, max {:.3} ms)",
                        l.p99_ms, self.max_p99_ms, l.p50_ms, l.max_ms
                    ));
                }
                if s.gap_count > self.max_gap_count {
                    problems.push(format!(
                        "{} (at most {} accepted)",
                        describe_gaps(s),
                        self.max_gap_count
                    ));
                }
                let measured = format!(
                    "{} messages: p50 {:.3} ms, p99 {:.3} ms (limit {} ms), max {:.3} ms, {} sequence gaps",
                    s.messages, l.p50_ms, l.p99_ms, self.max_p99_ms, l.max_ms, s.gap_count
                );
                if !problems.is_empty() {
                    Outcome::fail(problems.join("; "))
                } else if s.negative_latencies > 0 {
                    let lines: Vec<String> = s
                        .negative_latency_lines
                        .iter()
                        .map(u64::to_string)
                        .collect();
                    Outcome::warn(format!(
                        "{measured}; but {} messages were received before the exchange sent them (first on lines {}): synchronise the capture host's clock (PTP or NTP) and measure again",
                        s.negative_latencies,
                        lines.join(", ")
                    ))
                } else {
                    Outcome::pass(measured)
                }
            }
        };
        Ok(outcome
            .with_evidence(&evidence)
            .with_artifact(feed.artifact.clone()))
    }
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{messages} messages, the newest {age} old, {gap_count} sequence gaps")]
struct FreshnessEvidence {
    messages: u64,
    oldest: Option<jiff::Timestamp>,
    newest: Option<jiff::Timestamp>,
    /// From the oldest to the newest message (`1h 30m`).
    span: String,
    /// From the newest message to the run's clock.
    age: String,
    max_age: String,
    gap_count: u64,
    missing_messages: u64,
    gaps: Vec<Gap>,
}

/// A duration for a message, to the millisecond (`1h 30m 5s 250ms`,
/// `-2s` when negative).
fn show(duration: jiff::SignedDuration) -> String {
    let millis = i64::try_from(duration.abs().as_millis()).unwrap_or(i64::MAX);
    let shown = format!("{:#}", jiff::SignedDuration::from_millis(millis));
    if duration.is_negative() {
        format!("-{shown}")
    } else {
        shown
    }
}

/// The age of the newest message for a message: before the run, or after
/// it when the capture's clock is ahead of the run's.
fn show_age(age: jiff::SignedDuration) -> String {
    if age.is_negative() {
        format!("{} after the run's clock", show(-age))
    } else {
        format!("{} before the run", show(age))
    }
}

/// The real-time feed is connected and complete: the capture's newest
/// message is recent (within `max_age` of the run) and no sequence number
/// is skipped.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "trading.market-data.real-time-feed",
    title = "Real-time data feed connected and tested",
    group = "Market Data",
    severity = "critical",
    owner = "tech-lead",
    inputs = ["feed"],
    remediation = "capture the live feed again (the newest message must be recent) and recover every gap the evidence lists with the vendor"
)]
pub struct RealTimeFeed {
    /// How old the newest message may be at the run: a duration such as
    /// `"24h"` or `"15m"`.
    pub max_age: String,
}

impl Default for RealTimeFeed {
    fn default() -> Self {
        RealTimeFeed {
            max_age: "24h".to_owned(),
        }
    }
}

impl Check for RealTimeFeed {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let max_age = preflight_core::meta::parse_duration(&self.max_age)
            .map_err(|e| CheckError::msg(format!("`max_age`: {e}")))?;
        let max_age = jiff::SignedDuration::try_from(max_age).unwrap_or(jiff::SignedDuration::MAX);
        let feed = cx.input::<Feed>("feed")?;
        let s = &feed.summary;
        let now = cx.now();
        let age = s.newest.map(|newest| now.duration_since(newest));
        let span = s
            .oldest
            .zip(s.newest)
            .map(|(oldest, newest)| newest.duration_since(oldest));
        let evidence = FreshnessEvidence {
            messages: s.messages,
            oldest: s.oldest,
            newest: s.newest,
            span: span.map_or_else(|| "n/a".to_owned(), show),
            age: age.map_or_else(|| "n/a".to_owned(), show),
            max_age: self.max_age.clone(),
            gap_count: s.gap_count,
            missing_messages: s.missing_messages,
            gaps: s.gaps.clone(),
        };
        let outcome = match (s.newest, age) {
            (Some(newest), Some(age)) => {
                let mut problems = Vec::new();
                if age > max_age {
                    problems.push(format!(
                        "the newest message was received at {newest}, {} (at most {} before): capture the live feed again",
                        show_age(age), self.max_age
                    ));
                }
                if s.gap_count > 0 {
                    problems.push(describe_gaps(s));
                }
                if problems.is_empty() {
                    Outcome::pass(format!(
                        "{} messages over {}, the newest received {} (at most {} before), no sequence gap",
                        s.messages,
                        evidence.span,
                        show_age(age),
                        self.max_age
                    ))
                } else {
                    Outcome::fail(problems.join("; "))
                }
            }
            _ => Outcome::fail(no_message(&feed)),
        };
        Ok(outcome
            .with_evidence(&evidence)
            .with_artifact(feed.artifact.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    fn scan(text: &str) -> Result<FeedSummary, CheckError> {
        scan_feed(text.as_bytes(), "feed.csv", &FeedOptions::default())
    }

    fn at(nanos: i64) -> String {
        jiff::Timestamp::from_nanosecond(i128::from(nanos))
            .unwrap()
            .to_string()
    }

    /// 2025-01-27T14:30:00Z.
    const START: i64 = 1_737_988_200_000_000_000;

    /// A capture of `latencies` (ns), one message every millisecond, numbered
    /// from 1 in each of `channels` channels in turn.
    fn capture(latencies: &[i64], channels: usize) -> String {
        let mut csv = String::from("exchange_time,receive_time,sequence,channel,symbol\n");
        for (i, latency) in latencies.iter().enumerate() {
            let receive = START + i64::try_from(i).unwrap() * 1_000_000;
            writeln!(
                csv,
                "{},{},{},C{},AAPL",
                at(receive - latency),
                at(receive),
                i / channels + 1,
                i % channels
            )
            .unwrap();
        }
        csv
    }

    /// The quantiles agree with the exact ones of the sorted latencies
    /// (nearest rank) within the histogram's 3 digits and its microsecond.
    #[test]
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::float_cmp
    )]
    fn quantiles_agree_with_the_sorted_latencies() {
        let mut rng = crate::damage::Xorshift::new(0x2545_f491_4f6c_dd1d_u64);
        let mut next = || rng.next();
        // Mostly 0.1 to 5 ms, with a tail to a second.
        let latencies: Vec<i64> = (0..4000)
            .map(|_| {
                let base = 100_000 + next() % 4_900_000;
                let tail = if next() % 50 == 0 {
                    next() % 1_000_000_000
                } else {
                    0
                };
                i64::try_from(base + tail).unwrap() + i64::try_from(next() % 1000).unwrap()
            })
            .collect();
        let s = scan(&capture(&latencies, 1)).unwrap();
        let l = s.latency.unwrap();
        let mut sorted = latencies.clone();
        sorted.sort_unstable();
        let exact = |q: f64| {
            let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
            sorted[rank - 1] as f64 / 1e6
        };
        for (q, found) in [
            (0.5, l.p50_ms),
            (0.9, l.p90_ms),
            (0.99, l.p99_ms),
            (0.999, l.p999_ms),
        ] {
            let expected = exact(q);
            assert!(
                (found - expected).abs() <= expected * 1e-3 + 1e-3,
                "p{q}: {found} ms, exactly {expected} ms"
            );
        }
        assert_eq!(l.max_ms, *sorted.last().unwrap() as f64 / 1e6);
        assert!(l.p50_ms <= l.p90_ms && l.p90_ms <= l.p99_ms && l.p99_ms <= l.p999_ms);
        assert!(l.p999_ms <= l.max_ms);
        assert_eq!(s.messages, 4000);
        assert_eq!((s.gap_count, s.duplicates, s.backwards), (0, 0, 0));
        assert_eq!(s.oldest.unwrap().as_nanosecond(), i128::from(START));
        assert_eq!(
            s.newest.unwrap().as_nanosecond(),
            i128::from(START + 3999 * 1_000_000)
        );
    }

    #[test]
    fn gaps_are_found_per_channel() {
        let text = capture(&[1_000_000; 12], 3);
        // Channel C1's 3 (line 9) is lost: its 4 (line 12) is a gap.
        let lost: String = text
            .lines()
            .enumerate()
            .filter(|(i, _)| *i != 8)
            .fold(String::new(), |out, (_, l)| out + l + "\n");
        let options = FeedOptions::default().sequence_by("channel");
        let s = scan_feed(lost.as_bytes(), "feed.csv", &options).unwrap();
        assert_eq!((s.channels, s.sequenced), (3, 11));
        assert_eq!((s.gap_count, s.missing_messages), (1, 1));
        assert_eq!(
            s.gaps,
            [Gap {
                channel: "C1".to_owned(),
                line: 11,
                expected: 3,
                found: 4
            }]
        );
        // Without channels, the numbers of one sequence repeat and go back.
        let s = scan(&lost).unwrap();
        assert_eq!(s.channels, 1);
        assert!(s.duplicates > 0 && s.gap_count == 0, "{s:?}");
        // No sequence column: nothing to check.
        let plain = "exchange_time,receive_time\n\
            2025-01-27T14:30:00Z,2025-01-27T14:30:00.001Z\n";
        let s = scan(plain).unwrap();
        assert_eq!((s.messages, s.sequenced, s.channels), (1, 0, 0));
    }

    #[test]
    fn duplicates_and_backwards_are_told_apart() {
        let mut csv = String::from("exchange_time,receive_time,sequence\n");
        // 1 2 2 5 3 3 4 1000 6 7 -- then empty (a heartbeat).
        for (i, n) in ["1", "2", "2", "5", "3", "3", "4", "1000", "6", "7", ""]
            .iter()
            .enumerate()
        {
            let t = at(START + i64::try_from(i).unwrap() * 1000);
            writeln!(csv, "{t},{t},{n}").unwrap();
        }
        let s = scan(&csv).unwrap();
        assert_eq!((s.messages, s.sequenced), (11, 10));
        // 2 again, and 3 again once it arrived late.
        assert_eq!(s.duplicates, 2);
        // 3 and 4 arrive after 5; 6 and 7 after 1000, too far below it to
        // tell whether they arrived before: backwards all the same.
        assert_eq!(s.backwards, 4);
        assert_eq!((s.gap_count, s.missing_messages), (2, 2 + 994));
        assert_eq!(
            (s.gaps[0].line, s.gaps[0].expected, s.gaps[0].found),
            (5, 3, 5)
        );
        assert_eq!(s.gaps[1].expected, 6);
    }

    #[test]
    fn negative_latencies_are_counted_and_located() {
        let mut latencies = vec![2_000_000; 30];
        for i in [3, 7, 11, 12, 13, 14, 15, 16, 17, 18, 19, 25] {
            latencies[i] = -500_000;
        }
        let s = scan(&capture(&latencies, 1)).unwrap();
        assert_eq!(s.negative_latencies, 12);
        // Lines are one below the index (the header), first 10 kept.
        assert_eq!(
            s.negative_latency_lines,
            [5, 9, 13, 14, 15, 16, 17, 18, 19, 20]
        );
        let l = s.latency.unwrap();
        assert_eq!((l.p50_ms, l.max_ms), (2.0, 2.0));
        // The negative ones enter the quantiles as zero.
        let s = scan(&capture(&[-1_000_000, -2_000_000], 1)).unwrap();
        let l = s.latency.unwrap();
        assert_eq!((l.p50_ms, l.p99_ms, l.max_ms), (0.0, 0.0, -1.0));
    }

    #[test]
    fn malformed_lines_are_located() {
        let good = capture(&[1_000_000; 4], 1);
        for (bad, expected) in [
            (
                good.replacen(",3,C0", ",3x,C0", 1),
                "feed.csv:4:3: `sequence`: expected an unsigned integer, found `3x`",
            ),
            (
                good.replacen(",3,C0", ",-3,C0", 1),
                "feed.csv:4:3: `sequence`: expected an unsigned integer",
            ),
            (
                good.replacen("2025-01-27T14:30:00.003Z,", "2025-01-27 14:30:00.003,", 1),
                "feed.csv:5:2: `receive_time`: expected an RFC 3339 timestamp",
            ),
            (
                good.replacen(",AAPL\n", "\n", 1),
                "feed.csv:2:1: 4 fields where the header has 5",
            ),
            (
                good.replacen("receive_time", "received", 1),
                "feed.csv:1:1: no column `receive_time`",
            ),
            (String::new(), "feed.csv:1:1: the file is empty"),
        ] {
            let err = scan(&bad).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{expected}: {err}");
        }
        // Received out of order: line 4 before line 3.
        let lines: Vec<&str> = good.lines().collect();
        let swapped = [lines[0], lines[1], lines[3], lines[2], lines[4]].join("\n");
        let err = scan(&swapped).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "feed.csv:4:2: `receive_time` is earlier than that of the message before it (line 3)"
            ),
            "{err}"
        );
        let err = scan_feed(
            good.as_bytes(),
            "feed.csv",
            &FeedOptions::default().sequence_by("venue"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "feed.csv:1:1: no column `venue`, which `sequence_by` names"
        );
    }

    /// The capture as JSON lines, keys in any order and other keys ignored.
    fn as_json(csv: &str) -> String {
        let mut json = String::new();
        for row in csv.lines().skip(1) {
            let f: Vec<&str> = row.split(',').collect();
            let sequence = if f[2].is_empty() { "null" } else { f[2] };
            writeln!(
                json,
                "{{\"symbol\":\"{}\",\"receive_time\":\"{}\",\"sequence\":{sequence},\"exchange_time\":\"{}\",\"channel\":\"{}\",\"depth\":[1,2]}}",
                f[4], f[1], f[0], f[3]
            )
            .unwrap();
        }
        json
    }

    #[test]
    #[allow(clippy::float_cmp)] // 250 ms exactly
    fn json_lines_read_like_csv() {
        let mut latencies: Vec<i64> = (0..500).map(|i| 50_000 + i * 7_919).collect();
        latencies[7] = -1_000;
        let csv = capture(&latencies, 4);
        // A gap on three channels, each followed by late messages and a
        // duplicate.
        let csv = csv
            .replacen(",10,C2,", ",12,C2,", 1)
            .replacen(",20,C3,", ",19,C3,", 1)
            .replacen(",30,C1,", ",33,C1,", 1);
        let json = as_json(&csv);
        let options = FeedOptions::default().sequence_by("channel");
        let mut from_csv = scan_feed(csv.as_bytes(), "feed.csv", &options).unwrap();
        let from_json = scan_feed(
            json.as_bytes(),
            "feed.jsonl",
            &FeedOptions::new(LogFormat::JsonLines).sequence_by("channel"),
        )
        .unwrap();
        assert_eq!(
            (
                from_csv.gap_count,
                from_csv.duplicates,
                from_csv.backwards,
                from_csv.negative_latencies
            ),
            (3, 3, 3, 1)
        );
        for line in &mut from_csv.negative_latency_lines {
            *line -= 1;
        }
        // CSV lines are one further down (the header).
        for gap in &mut from_csv.gaps {
            gap.line -= 1;
        }
        assert_eq!(from_json, from_csv);

        let json_options = FeedOptions::new(LogFormat::JsonLines);
        for (bad, expected) in [
            (
                json.replacen("\"sequence\":3,", "\"sequence\":-3,", 1),
                "feed.jsonl:9:",
            ),
            (
                json.replacen("\"sequence\":3,", "\"sequence\":3.5,", 1),
                "expected an unsigned integer for `sequence`",
            ),
            (json.replacen("}\n", "\n", 2), "feed.jsonl:1:"),
            (
                json.replacen("\"exchange_time\"", "\"sent\"", 1),
                "feed.jsonl:1:1: no `exchange_time`",
            ),
            (
                json.replacen("2025-01-27T14:30:00.002Z", "yesterday", 1),
                "feed.jsonl:3:",
            ),
            (
                "[1,2]\n".to_owned(),
                "feed.jsonl:1:1: invalid JSON line: invalid type: sequence, expected a JSON object",
            ),
            ("\n\n".to_owned(), "feed.jsonl:1:1: the file is empty"),
        ] {
            let err = scan_feed(bad.as_bytes(), "feed.jsonl", &json_options)
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{expected}: {err}");
        }
        // A bad time is shown at its key.
        let bad = json.replacen(
            "2025-01-27T14:30:00.002Z\",\"sequence",
            "soon\",\"sequence",
            1,
        );
        let err = scan_feed(bad.as_bytes(), "feed.jsonl", &json_options).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("feed.jsonl:3:18: `receive_time`: expected an RFC 3339 timestamp"),
            "{err}"
        );
        // Sequence numbers as strings of digits, times with escapes.
        let line = "{\"exchange_time\":\"2025-01-27T14:30:00\\u005a\",\"receive_time\":\"2025-01-27T14:30:00.25Z\",\"sequence\":\"7\"}\n";
        let s = scan_feed(line.as_bytes(), "feed.jsonl", &json_options).unwrap();
        assert_eq!((s.messages, s.sequenced), (1, 1));
        assert_eq!(s.latency.unwrap().max_ms, 250.0);
    }

    /// Random damage to a capture never panics: the scan either finishes
    /// or names a line of the file.
    #[test]
    fn damaged_captures_never_panic() {
        let good = capture(&[1_000_000, 2_000_000, 3_000_000, 500_000, 4_000_000], 2);
        let noise = b",\n\r\"-.0123456789ZT:abz\xff";
        let mut rng = crate::damage::Xorshift::new(0x9e37_79b9_7f4a_7c15_u64);
        let mut next = |bound: usize| rng.below(bound);
        for format in [LogFormat::Csv, LogFormat::JsonLines] {
            let base = match format {
                LogFormat::Csv => good.clone().into_bytes(),
                LogFormat::JsonLines => as_json(&good).into_bytes(),
            };
            let options = FeedOptions::new(format).sequence_by("channel");
            for _ in 0..2000 {
                let mut bytes = base.clone();
                for _ in 0..=next(3) {
                    let at = next(bytes.len());
                    match next(3) {
                        0 => bytes[at] = noise[next(noise.len())],
                        1 => {
                            bytes.remove(at);
                        }
                        _ => bytes.insert(at, noise[next(noise.len())]),
                    }
                }
                match scan_feed(&bytes[..], "feed", &options) {
                    Ok(s) => assert!(s.sequenced <= s.messages && s.messages <= 5),
                    Err(e) => assert!(e.to_string().starts_with("feed:"), "{e}"),
                }
            }
        }
    }

    #[test]
    fn durations_show_to_the_millisecond() {
        assert_eq!(
            show(jiff::SignedDuration::new(5_405, 250_999_999)),
            "1h 30m 5s 250ms"
        );
        assert_eq!(show(jiff::SignedDuration::from_secs(-90)), "-1m 30s");
        assert_eq!(show(jiff::SignedDuration::ZERO), "0s");
        assert_eq!(
            show_age(jiff::SignedDuration::from_millis(-1500)),
            "1s 500ms after the run's clock"
        );
    }
}
