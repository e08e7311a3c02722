//! Line-oriented files read as a stream, for logs too large to hold: a
//! block-at-a-time line reader that splits plain CSV lines itself (sixteen
//! bytes to a SIMD comparison, through `wide`) and hands quoted ones to the
//! CSV reader, a reading
//! thread that hashes the file while it is scanned (on a machine that gives
//! the process one CPU, the reading and hashing take turns with the scan
//! instead), and a clock that reads RFC 3339 timestamps quickly.
//!
//! The order log, OHLCV bars and feed captures are read with it.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use preflight_core::{Artifact, CheckError, InputSource};
use sha2::Digest as _;

/// A time as nanoseconds since the Unix epoch.
pub(crate) type Nanos = i64;

/// Reads RFC 3339 timestamps. UTC times `YYYY-MM-DDTHH:MM:SS[.fraction]Z`
/// take a fast path that parses each day once; any other form goes to jiff.
#[derive(Default)]
pub(crate) struct Clock {
    /// The last day seen: its text and its midnight.
    day: Option<([u8; 10], Nanos)>,
    /// The last minute seen (`YYYY-MM-DDTHH:MM:`): its text and its start.
    minute: Option<([u8; 17], Nanos)>,
    /// The last time read, as text and as read: events of one instant
    /// (an order and its risk decision, say) share it.
    last: ([u8; 32], usize, Nanos),
}

impl Clock {
    /// The instant `raw` names, or `None` if it is not RFC 3339.
    #[inline]
    pub(crate) fn parse(&mut self, raw: &[u8]) -> Option<Nanos> {
        let (text, len, nanos) = &self.last;
        if *len > 0 && raw.len() == *len && same_text(raw, text) {
            return Some(*nanos);
        }
        self.parse_new(raw)
    }

    /// [`Clock::parse`] of a time other than the last one read.
    #[inline(never)]
    fn parse_new(&mut self, raw: &[u8]) -> Option<Nanos> {
        let nanos = if let Some(nanos) = self.utc(raw) {
            nanos
        } else {
            let at: jiff::Timestamp = std::str::from_utf8(raw).ok()?.parse().ok()?;
            i64::try_from(at.as_nanosecond()).ok()?
        };
        // Kept as `same_text` reads it: the first sixteen bytes and the last
        // sixteen, two fixed copies rather than a call to `memcpy`. Every
        // RFC 3339 time has 20 bytes or more; one longer than 32 is not kept.
        let len = raw.len();
        if (16..=32).contains(&len) {
            self.last.0[..16].copy_from_slice(&raw[..16]);
            self.last.0[len - 16..len].copy_from_slice(&raw[len - 16..]);
            self.last.1 = len;
            self.last.2 = nanos;
        }
        Some(nanos)
    }

    /// The fast path: `YYYY-MM-DDTHH:MM:SS[.fraction]` with `Z` or a
    /// numeric offset (`+01:00`), its day parsed once.
    pub(crate) fn utc(&mut self, raw: &[u8]) -> Option<Nanos> {
        let (body, offset) = if raw.last()? == &b'Z' {
            (&raw[..raw.len() - 1], 0)
        } else {
            let (body, tail) = raw.split_at_checked(raw.len().checked_sub(6)?)?;
            let sign = match tail[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if tail[3] != b':' {
                return None;
            }
            let (h, m) = (digits2(tail[1], tail[2])?, digits2(tail[4], tail[5])?);
            if h > 23 || m > 59 {
                return None;
            }
            (body, sign * (h * 60 + m) * 60 * 1_000_000_000)
        };
        let (head, fraction) = (body.get(..19)?, body.get(19..)?);
        let start = match &self.minute {
            // Compared as sixteen bytes and one: no call to `memcmp`.
            Some((text, start)) if head[..16] == text[..16] && head[16] == text[16] => *start,
            _ => {
                let minute: [u8; 17] = head[..17].try_into().ok()?;
                let start = self.minute_start(minute)?;
                self.minute = Some((minute, start));
                start
            }
        };
        let s = digits2(head[17], head[18])?;
        // A leap second (`:60`) goes to jiff.
        if s >= 60 {
            return None;
        }
        let nanos = match *fraction {
            [] => 0,
            // Milliseconds, the most common fraction, without a loop.
            [b'.', a, b, c] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
                (i64::from(a - b'0') * 100 + i64::from(b - b'0') * 10 + i64::from(c - b'0'))
                    * 1_000_000
            }
            [b'.', ref digits @ ..] if (1..=9).contains(&digits.len()) => {
                let mut value = 0i64;
                for d in digits {
                    if !d.is_ascii_digit() {
                        return None;
                    }
                    value = value * 10 + i64::from(d - b'0');
                }
                value * SCALE[digits.len()]
            }
            _ => return None,
        };
        Some(start + s * 1_000_000_000 + nanos - offset)
    }

    /// The start (in UTC, as if the time had no offset) of the minute
    /// `YYYY-MM-DDTHH:MM:`.
    fn minute_start(&mut self, text: [u8; 17]) -> Option<Nanos> {
        if text[10] != b'T' || text[13] != b':' || text[16] != b':' {
            return None;
        }
        let midnight = self.midnight(text[..10].try_into().ok()?)?;
        let (h, m) = (digits2(text[11], text[12])?, digits2(text[14], text[15])?);
        if h >= 24 || m >= 60 {
            return None;
        }
        Some(midnight + (h * 60 + m) * 60 * 1_000_000_000)
    }

    /// A date `YYYY-MM-DD`: its midnight in UTC.
    pub(crate) fn date(&mut self, raw: &[u8]) -> Option<Nanos> {
        self.midnight(raw.try_into().ok()?)
    }

    /// The midnight (UTC) of the date `text`, parsed once for a run of
    /// the same day.
    fn midnight(&mut self, text: [u8; 10]) -> Option<Nanos> {
        if let Some((day, midnight)) = self.day
            && day == text
        {
            return Some(midnight);
        }
        let date: jiff::civil::Date = std::str::from_utf8(&text).ok()?.parse().ok()?;
        let at = jiff::tz::Offset::UTC
            .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
            .ok()?;
        let midnight = i64::try_from(at.as_nanosecond()).ok()?;
        self.day = Some((text, midnight));
        Some(midnight)
    }
}

/// Whether `raw` is the first `raw.len()` bytes of `text`, compared as
/// two overlapping 16-byte arrays when it has 16 to 32 bytes (every
/// timestamp the clock keeps has 20 or more): no call to `memcmp`.
fn same_text(raw: &[u8], text: &[u8; 32]) -> bool {
    let len = raw.len();
    if (16..=32).contains(&len) {
        let head = |b: &[u8]| -> [u8; 16] { b[..16].try_into().unwrap_or_default() };
        let tail = |b: &[u8]| -> [u8; 16] { b[len - 16..len].try_into().unwrap_or_default() };
        head(raw) == head(text) && tail(raw) == tail(text)
    } else {
        text.get(..len) == Some(raw)
    }
}

/// The nanoseconds of one unit of the `n`th digit of a fraction of a second.
const SCALE: [i64; 10] = [
    0,
    100_000_000,
    10_000_000,
    1_000_000,
    100_000,
    10_000,
    1_000,
    100,
    10,
    1,
];

/// Two ASCII digits as a number.
fn digits2(a: u8, b: u8) -> Option<i64> {
    (a.is_ascii_digit() && b.is_ascii_digit())
        .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
}

/// A file's lines, read a block at a time and split into fields: plain
/// lines by their commas, a line with a quote by the CSV reader (a record
/// may not span lines). Empty lines are skipped, as CSV readers do, and
/// counted, so that lines are named as an editor shows them.
pub(crate) struct Lines<S> {
    source: S,
    /// Bytes from `source`; those before `start` are read.
    buffer: Vec<u8>,
    start: usize,
    at_end: bool,
    /// The current line, in `buffer`.
    current: (usize, usize),
    /// The fields of a quoted line, unquoted, when the current line is one
    /// (read only when not `in_plain`: a line [`Lines::next_plain`] reads
    /// leaves it as it was).
    quoted: Option<Vec<u8>>,
    /// The fields of a line [`Lines::split`] split (in `buffer`, or in
    /// `quoted`).
    ranges: Vec<(usize, usize)>,
    /// How many fields the current line has: the first of `plain` or of
    /// `ranges`.
    fields: usize,
    /// The fields of a line [`Lines::next_plain`] read (then `in_plain`):
    /// written in place, where a push per field would store the vector's
    /// length back to memory each time.
    plain: Box<[(usize, usize); PLAIN_FIELDS]>,
    in_plain: bool,
    /// The current line's number (1-based).
    pub(crate) line: u64,
    /// The commas, line ends and quotes of 64 bytes of `buffer`, for
    /// [`Lines::next_plain`]; cleared when the buffer is refilled.
    marks: Marks,
}

/// Where the commas and the line ends or quotes are in the 64 bytes of a
/// buffer from `at`: bit `i` of each mask for the byte at `at + i`. Line
/// ends and quotes share a mask: either stops a plain line, and the byte
/// itself says which it is.
#[derive(Clone, Copy)]
struct Marks {
    at: usize,
    commas: u64,
    stops: u64,
}

impl Marks {
    /// Marks of no bytes.
    const NONE: Marks = Marks {
        at: usize::MAX,
        commas: 0,
        stops: 0,
    };

    /// The marks of `buffer[at..at + 64]`, sixteen bytes to a SIMD
    /// comparison; `None` when fewer than 64 bytes are left.
    #[inline]
    fn of(buffer: &[u8], at: usize) -> Option<Marks> {
        let window: &[u8; 64] = buffer.get(at..at.checked_add(64)?)?.try_into().ok()?;
        let (comma, end, quote) = (
            wide::u8x16::splat(b','),
            wide::u8x16::splat(b'\n'),
            wide::u8x16::splat(b'"'),
        );
        let mut marks = Marks {
            at,
            commas: 0,
            stops: 0,
        };
        for (i, sixteen) in window.chunks_exact(16).enumerate() {
            let bytes = wide::u8x16::new(sixteen.try_into().unwrap_or_default());
            let shift = 16 * i;
            let stops = bytes.simd_eq(end) | bytes.simd_eq(quote);
            marks.commas |= u64::from(bytes.simd_eq(comma).to_bitmask()) << shift;
            marks.stops |= u64::from(stops.to_bitmask()) << shift;
        }
        Some(marks)
    }

    /// Whether the marks cover the byte at `at`.
    #[inline]
    fn covers(&self, at: usize) -> bool {
        at >= self.at && at - self.at < 64
    }
}

/// The most fields of a line [`Lines::next_plain`] reads (a line with
/// more is split by [`Lines::split`]).
const PLAIN_FIELDS: usize = 64;

/// Bytes read at a time; also the longest line accepted.
pub(crate) const BLOCK: usize = 1 << 20;

/// Where [`Lines`] gets its bytes.
pub(crate) trait Source {
    /// Replaces `buffer` by its bytes `keep` (an unfinished line) followed
    /// by more of the input; `false` when the input has no more.
    fn refill(&mut self, buffer: &mut Vec<u8>, keep: std::ops::Range<usize>) -> io::Result<bool>;
}

/// A [`Source`] over any reader, a block at a time.
pub(crate) struct ReadSource<R>(pub(crate) R);

impl<R: Read> Source for ReadSource<R> {
    fn refill(&mut self, buffer: &mut Vec<u8>, keep: std::ops::Range<usize>) -> io::Result<bool> {
        let kept = keep.len();
        buffer.copy_within(keep, 0);
        buffer.truncate(kept);
        buffer.reserve(BLOCK);
        // `read_to_end` fills the spare capacity without zeroing it first.
        let read = self
            .0
            .by_ref()
            .take((BLOCK - kept.min(BLOCK)) as u64)
            .read_to_end(buffer)?;
        Ok(read > 0)
    }
}

impl<S: Source> Lines<S> {
    /// The lines of `source`, numbered from `line + 1` (a block that starts
    /// after `line` lines of its file).
    pub(crate) fn starting_at(source: S, line: u64) -> Self {
        let mut lines = Self::new(source);
        lines.line = line;
        lines
    }

    /// Reads the first non-empty line as a CSV header: its field names,
    /// trimmed. An empty input is an error at `shown:1:1` saying `empty`.
    pub(crate) fn header(&mut self, shown: &str, empty: &str) -> Result<Vec<Vec<u8>>, CheckError> {
        if !self.next(shown)? {
            return Err(malformed(shown, 1, 1, empty));
        }
        self.split(shown)?;
        Ok((0..self.len()).map(|c| self.get(c).to_vec()).collect())
    }

    /// The buffer, to be reused.
    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.buffer
    }

    /// The bytes not read yet and the number of the last line read, when
    /// that line ended with a line end (so the rest starts a line).
    pub(crate) fn into_rest(mut self) -> Option<(Vec<u8>, u64)> {
        let ended = self.start > 0 && self.buffer.get(self.start - 1) == Some(&b'\n');
        ended.then(|| {
            self.buffer.drain(..self.start);
            (self.buffer, self.line)
        })
    }

    pub(crate) fn new(source: S) -> Self {
        Lines {
            source,
            buffer: Vec::new(),
            start: 0,
            at_end: false,
            current: (0, 0),
            quoted: None,
            ranges: Vec::new(),
            fields: 0,
            plain: Box::new([(0, 0); PLAIN_FIELDS]),
            in_plain: false,
            line: 0,
            marks: Marks::NONE,
        }
    }

    /// The next line's bytes (without its line end) in `buffer`; `None` at
    /// the end of the input.
    fn next_raw(&mut self, shown: &str) -> Result<Option<(usize, usize)>, CheckError> {
        loop {
            let end = self.buffer.len();
            let found = memchr::memchr(b'\n', &self.buffer[self.start..end]);
            // A source of whole lines may hand over a line longer than a
            // block: the same error as when a block fills up without one.
            if found.unwrap_or(end - self.start) >= BLOCK {
                return Err(malformed(
                    shown,
                    self.line + 1,
                    1,
                    &format!(
                        "a line longer than {} MiB: is this an order log?",
                        BLOCK >> 20
                    ),
                ));
            }
            if let Some(n) = found {
                let line = (self.start, self.start + n);
                self.start += n + 1;
                return Ok(Some(line));
            }
            if self.at_end {
                if self.start == end {
                    return Ok(None);
                }
                let line = (self.start, end);
                self.start = end;
                return Ok(Some(line));
            }
            self.marks = Marks::NONE;
            let more = self
                .source
                .refill(&mut self.buffer, self.start..end)
                .map_err(|e| malformed(shown, self.line + 1, 1, &e.to_string()))?;
            self.start = 0;
            self.at_end = !more;
        }
    }

    /// Reads the next non-empty line; `false` at the end.
    pub(crate) fn next(&mut self, shown: &str) -> Result<bool, CheckError> {
        loop {
            let Some((mut a, mut b)) = self.next_raw(shown)? else {
                return Ok(false);
            };
            self.line += 1;
            while b > a && matches!(self.buffer[b - 1], b'\r') {
                b -= 1;
            }
            if a == b {
                continue;
            }
            if self.line == 1 && self.buffer[a..b].starts_with(b"\xef\xbb\xbf") {
                // A byte-order mark before the header.
                a += 3;
            }
            self.current = (a, b);
            self.quoted = None;
            return Ok(true);
        }
    }

    /// Reads the next non-empty line and splits it into fields: what
    /// [`Lines::next`] then [`Lines::split`] do, in one pass over a plain
    /// line; `false` at the end.
    #[allow(
        clippy::inline_always,
        reason = "measured: as a call, the order log's scan runs 1.5 % more instructions"
    )]
    #[inline(always)]
    pub(crate) fn next_split(&mut self, shown: &str) -> Result<bool, CheckError> {
        if self.next_plain() {
            return Ok(true);
        }
        if !self.next(shown)? {
            return Ok(false);
        }
        self.split(shown)?;
        Ok(true)
    }

    /// The common line, read in one pass: found in `buffer` with its line
    /// end, not empty, neither the first line nor ending in `\r`, without a
    /// quote. Its commas, line end and quotes are read from the [`Marks`] of
    /// the 64 bytes it starts in (and of the 64 after, for a line that goes
    /// on), found by SIMD comparisons once for all the lines in them.
    /// `false`, having read nothing, for any other line.
    #[allow(
        clippy::inline_always,
        reason = "measured: as a call, the order log's scan runs 4 % more instructions"
    )]
    #[inline(always)]
    fn next_plain(&mut self) -> bool {
        if self.line == 0 {
            return false;
        }
        let start = self.start;
        let mut at = start;
        let mut field = start;
        let mut count = 0;
        let end = loop {
            if !self.marks.covers(at) {
                let Some(marks) = Marks::of(&self.buffer, at) else {
                    return false;
                };
                self.marks = marks;
            }
            let shift = at - self.marks.at;
            let mut commas = self.marks.commas >> shift;
            let stops = self.marks.stops >> shift;
            let end = if stops == 0 {
                None
            } else {
                let first = stops.trailing_zeros() as usize;
                if self.buffer.get(at + first) != Some(&b'\n') {
                    // A quote: the CSV reader splits this line.
                    return false;
                }
                // The commas before the line end: the bits below it.
                commas &= (1u64 << first) - 1;
                Some(at + first)
            };
            while commas != 0 {
                let comma = at + commas.trailing_zeros() as usize;
                // A line of more fields than that is split by `split`.
                let Some(slot) = self.plain.get_mut(count) else {
                    return false;
                };
                *slot = (field, comma);
                count += 1;
                field = comma + 1;
                commas &= commas - 1;
            }
            if let Some(end) = end {
                break end;
            }
            at = self.marks.at + 64;
            if at - start >= BLOCK {
                return false;
            }
        };
        if end == start || self.buffer[end - 1] == b'\r' || end - start >= BLOCK {
            return false;
        }
        let Some(slot) = self.plain.get_mut(count) else {
            return false;
        };
        *slot = (field, end);
        self.fields = count + 1;
        self.in_plain = true;
        self.line += 1;
        self.start = end + 1;
        self.current = (start, end);
        // `quoted` is left as it is: with `in_plain`, nothing reads it.
        true
    }

    /// The current line.
    pub(crate) fn text(&self) -> &[u8] {
        &self.buffer[self.current.0..self.current.1]
    }

    /// Splits the current line into fields (CSV).
    pub(crate) fn split(&mut self, shown: &str) -> Result<(), CheckError> {
        self.ranges.clear();
        let (a, b) = self.current;
        if !split_plain(&self.buffer[a..b], a, &mut self.ranges) {
            self.ranges.clear();
            self.split_quoted(shown)?;
        }
        self.fields = self.ranges.len();
        self.in_plain = false;
        Ok(())
    }

    /// Splits a line with quotes as CSV does, into `quoted`.
    fn split_quoted(&mut self, shown: &str) -> Result<(), CheckError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(self.text());
        let mut record = csv::ByteRecord::new();
        let found = reader
            .read_byte_record(&mut record)
            .map_err(|e| malformed(shown, self.line, 1, &e.to_string()))?;
        let mut fields = Vec::new();
        if found {
            for field in &record {
                let start = fields.len();
                fields.extend_from_slice(field);
                self.ranges.push((start, fields.len()));
            }
        }
        self.quoted = Some(fields);
        Ok(())
    }

    /// The fields of the current line, to read several of them.
    #[inline]
    pub(crate) fn fields(&self) -> Fields<'_> {
        let (source, ranges) = if self.in_plain {
            (&self.buffer[..], self.plain.get(..self.fields))
        } else {
            (
                self.quoted.as_deref().unwrap_or(&self.buffer),
                self.ranges.get(..self.fields),
            )
        };
        Fields {
            source,
            ranges: ranges.unwrap_or_default(),
        }
    }

    /// The number of fields of the current line.
    pub(crate) fn len(&self) -> usize {
        self.fields
    }

    /// Field `c` of the current line, trimmed.
    pub(crate) fn get(&self, c: usize) -> &[u8] {
        self.fields().get(c)
    }

    /// Field `c` of the current line as a finite number (trimmed), read in
    /// place; `None` when it is not one.
    pub(crate) fn number(&self, c: usize) -> Option<f64> {
        self.fields().number(c)
    }
}

/// The fields of a line of [`Lines`], read without going back to it for
/// each: where its bytes are and where each field is in them.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    source: &'a [u8],
    ranges: &'a [(usize, usize)],
}

impl<'a> Fields<'a> {
    /// The number of fields.
    #[inline]
    pub(crate) fn len(self) -> usize {
        self.ranges.len()
    }

    /// Field `c`, trimmed; empty if the line has no such field.
    #[inline]
    pub(crate) fn get(self, c: usize) -> &'a [u8] {
        let Some(field) = self.ranges.get(c).and_then(|&(a, b)| self.source.get(a..b)) else {
            return &[];
        };
        match (field.first(), field.last()) {
            // Nothing to trim (no blank is above a space): one test of
            // both ends rather than a loop from each.
            (Some(&first), Some(&last)) if first.min(last) > b' ' => field,
            _ => field.trim_ascii(),
        }
    }

    /// Field `c` as a finite number (trimmed), read in place; `None` when
    /// it is not one.
    #[allow(
        clippy::inline_always,
        reason = "measured: as a call, the order log's scan runs 3.6 % more instructions"
    )]
    #[inline(always)]
    pub(crate) fn number(self, c: usize) -> Option<f64> {
        let &(mut a, mut b) = self.ranges.get(c)?;
        let source = self.source;
        if let Some(value) = crate::number::eight_byte_field(source, a, b) {
            return Some(value);
        }
        while a < b && source.get(a).is_some_and(u8::is_ascii_whitespace) {
            a += 1;
        }
        while b > a && source.get(b - 1).is_some_and(u8::is_ascii_whitespace) {
            b -= 1;
        }
        crate::number::parse_field(source, a, b)
    }
}

/// Splits `line` (which starts at `offset` of its buffer) at its commas
/// into `ranges`, eight bytes at a time; `false` if it has a quote (the CSV
/// reader must split it).
fn split_plain(line: &[u8], offset: usize, ranges: &mut Vec<(usize, usize)>) -> bool {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The top bit of every zero byte of `v`, exactly (no carry between bytes).
    let zeros = |v: u64| !((((v & LOW) + LOW) | v) | LOW);
    let commas = u64::from_le_bytes([b','; 8]);
    let quotes = u64::from_le_bytes([b'"'; 8]);
    let mut start = 0;
    let mut chunks = line.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        if zeros(word ^ quotes) != 0 {
            return false;
        }
        let mut found = zeros(word ^ commas);
        while found != 0 {
            let at = base + (found.trailing_zeros() / 8) as usize;
            ranges.push((offset + start, offset + at));
            start = at + 1;
            found &= found - 1;
        }
        base += 8;
    }
    for (i, b) in chunks.remainder().iter().enumerate() {
        match b {
            b',' => {
                ranges.push((offset + start, offset + base + i));
                start = base + i + 1;
            }
            b'"' => return false,
            _ => {}
        }
    }
    ranges.push((offset + start, offset + line.len()));
    true
}

/// What stopped a hashed scan.
pub(crate) enum Scanned {
    /// The scan's own error.
    Log(CheckError),
    /// Reading the file failed.
    Io(io::Error),
}

/// Bytes read at a time by `scan_hashed`: small enough that a block is
/// still in the cache when the scan reads it.
const READ: usize = 1 << 17;

/// How [`scan_hashed_chunks`] reads and hashes the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// On a thread of its own, while the scan runs: reading and SHA-256
    /// would otherwise take a third of a scan's time.
    Threaded,
    /// In turn with the scan, a block at a time, on the scan's thread.
    Inline,
}

impl Reading {
    /// [`Reading::Threaded`] where the process may use two CPUs or more;
    /// [`Reading::Inline`] on one, where a second thread would only add
    /// switches between the threads, each of which evicts the other's
    /// blocks from the cache.
    pub(crate) fn for_this_process() -> Self {
        match std::thread::available_parallelism() {
            Ok(n) if n.get() >= 2 => Reading::Threaded,
            _ => Reading::Inline,
        }
    }
}

#[cfg(test)]
impl Reading {
    /// Both ways of reading, for tests that must hold in each.
    pub(crate) const BOTH: [Reading; 2] = [Reading::Threaded, Reading::Inline];
}

/// What `each` makes of the file at `path` opened afresh for each way of
/// reading, which must be the same.
#[cfg(test)]
pub(crate) fn in_both_readings<T: PartialEq + std::fmt::Debug>(
    path: &std::path::Path,
    each: impl Fn(std::fs::File, Reading) -> T,
) -> T {
    let [threaded, inline] =
        Reading::BOTH.map(|reading| each(std::fs::File::open(path).unwrap(), reading));
    assert_eq!(threaded, inline, "the two ways of reading disagree");
    threaded
}

/// Scans `file` with `scan` while every byte of it is read and hashed as
/// `reading` says: what `scan` returns, the file's digest and its size.
#[cfg(test)]
pub(crate) fn scan_hashed<T>(
    file: std::fs::File,
    reading: Reading,
    scan: impl FnOnce(&mut Lines<Chunks>) -> Result<T, CheckError>,
) -> Result<(T, Vec<u8>, u64), Scanned> {
    scan_hashed_chunks(file, reading, |chunks| scan(&mut Lines::new(chunks)))
}

/// `scan_hashed` with the blocks of whole lines handed to `scan` as
/// they come, for a scan that parses them on several threads.
pub(crate) fn scan_hashed_chunks<T>(
    file: std::fs::File,
    reading: Reading,
    scan: impl FnOnce(Chunks) -> Result<T, CheckError>,
) -> Result<(T, Vec<u8>, u64), Scanned> {
    let (spare, spares) = mpsc::channel::<Vec<u8>>();
    // Set when the scan failed: the digest is no longer needed.
    let stop = AtomicBool::new(false);
    if reading == Reading::Inline {
        let shared = Arc::new(Mutex::new(Inline {
            reader: Reader::new(file),
            spares,
            error: None,
        }));
        let scanned = scan(Chunks {
            feed: Feed::Inline(Arc::clone(&shared)),
            spare,
            pending: None,
        });
        let mut inline = shared
            .lock()
            .map_err(|_| Scanned::Io(io::Error::other("a thread of the scan failed")))?;
        // As on the reading thread: a read error is the cause of whatever
        // the scan made of the blocks ending early.
        if let Some(e) = inline.error.take() {
            return Err(Scanned::Io(e));
        }
        let value = scanned.map_err(Scanned::Log)?;
        return match inline.reader.finish(&stop).map_err(Scanned::Io)? {
            Some((digest, size)) => Ok((value, digest, size)),
            None => Err(Scanned::Io(io::Error::other("the reading stopped"))),
        };
    }
    let (to_scan, chunks) = mpsc::sync_channel::<Vec<u8>>(8);
    std::thread::scope(|scope| {
        let stopped = &stop;
        let reader = scope.spawn(move || read_and_hash(file, &to_scan, &spares, stopped));
        // The scan drops the chunks when done: the reader then hashes what
        // follows the last line without sending it.
        let scanned = scan(Chunks {
            feed: Feed::Threaded(chunks),
            spare,
            pending: None,
        });
        if scanned.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reading thread failed")));
        // A read error ends the chunks early, which the scan may report as
        // a malformed line: the read error is the cause.
        match (scanned, read) {
            (_, Err(e)) => Err(Scanned::Io(e)),
            (Err(e), _) => Err(Scanned::Log(e)),
            (Ok(value), Ok(Some((digest, size)))) => Ok((value, digest, size)),
            (Ok(_), Ok(None)) => Err(Scanned::Io(io::Error::other("the reading thread stopped"))),
        }
    })
}

/// Opens `shown` (relative to the configuration's directory, as `source`
/// names it) and scans it with `scan` as `scan_hashed` does: what `scan`
/// returns and the file as an [`Artifact`]. A file that cannot be read is
/// an error of the input naming it.
pub(crate) fn scan_input<T>(
    source: &InputSource<'_>,
    shown: &str,
    scan: impl FnOnce(&mut Lines<Chunks>) -> Result<T, CheckError>,
) -> Result<(T, Artifact), CheckError> {
    scan_input_chunks(source, shown, |chunks| scan(&mut Lines::new(chunks)))
}

/// [`scan_input`] with the blocks of whole lines handed to `scan`, as
/// [`scan_hashed_chunks`] does.
pub(crate) fn scan_input_chunks<T>(
    source: &InputSource<'_>,
    shown: &str,
    scan: impl FnOnce(Chunks) -> Result<T, CheckError>,
) -> Result<(T, Artifact), CheckError> {
    let full = source.root().join(shown);
    let file = std::fs::File::open(&full)
        .map_err(|e| source.error(format!("cannot read `{shown}`: {e}")))?;
    let modified = file
        .metadata()
        .ok()
        .and_then(|m| m.modified().ok())
        .and_then(|t| jiff::Timestamp::try_from(t).ok());
    let (value, digest, size) = scan_hashed_chunks(file, Reading::for_this_process(), scan)
        .map_err(|e| match e {
            Scanned::Log(e) => e,
            Scanned::Io(e) => source.error(format!("cannot read `{shown}`: {e}")),
        })?;
    Ok((
        value,
        Artifact {
            path: shown.to_owned(),
            sha256: format!("sha256:{}", hex::encode(digest)),
            size,
            modified,
        },
    ))
}

/// Reads a file a block at a time and hashes every byte of it: the blocks
/// of `scan_hashed`, each cut after its last line end.
struct Reader {
    file: std::fs::File,
    hasher: sha2::Sha256,
    size: u64,
    /// The unfinished last line of the block before, hashed already.
    carry: Vec<u8>,
    done: bool,
}

impl Reader {
    fn new(file: std::fs::File) -> Self {
        Reader {
            file,
            hasher: sha2::Sha256::new(),
            size: 0,
            carry: Vec::new(),
            done: false,
        }
    }

    /// The next block of whole lines (the last one may end without a line
    /// end), read into `chunk`, a spare block; `None` at the end of the file.
    fn next_chunk(&mut self, mut chunk: Vec<u8>) -> io::Result<Option<Vec<u8>>> {
        while !self.done {
            chunk.clear();
            chunk.extend_from_slice(&self.carry);
            self.carry.clear();
            chunk.reserve(READ);
            let n = (&mut self.file).take(READ as u64).read_to_end(&mut chunk)?;
            self.hasher.update(&chunk[chunk.len() - n..]);
            self.size += n as u64;
            if n == 0 {
                self.done = true;
            } else if let Some(last) = memchr::memrchr(b'\n', &chunk) {
                self.carry.extend_from_slice(&chunk[last + 1..]);
                chunk.truncate(last + 1);
            }
            if !chunk.is_empty() {
                return Ok(Some(chunk));
            }
        }
        Ok(None)
    }

    /// Hashes the rest of the file, which the scan did not need: the
    /// file's digest and size, or `None` once `stop` is set.
    fn finish(&mut self, stop: &AtomicBool) -> io::Result<Option<(Vec<u8>, u64)>> {
        // Mostly the scan has read to the end: then no block is needed.
        let mut block = Vec::new();
        while !self.done {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            block.resize(READ, 0);
            let n = self.file.read(&mut block)?;
            self.hasher.update(&block[..n]);
            self.size += n as u64;
            self.done = n == 0;
        }
        let digest = std::mem::take(&mut self.hasher).finalize().to_vec();
        Ok(Some((digest, self.size)))
    }
}

/// The reading thread of [`Reading::Threaded`]: reads `file` to its end a
/// block at a time, hashing each and sending it, cut after its last line
/// end, to the scan while the scan wants them; its digest and size, or
/// `None` once `stop` is set.
fn read_and_hash(
    file: std::fs::File,
    to_scan: &mpsc::SyncSender<Vec<u8>>,
    spares: &mpsc::Receiver<Vec<u8>>,
    stop: &AtomicBool,
) -> io::Result<Option<(Vec<u8>, u64)>> {
    let mut reader = Reader::new(file);
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let spare = spares.try_recv().unwrap_or_default();
        // Once the scan is done, only the digest is left to finish.
        let sent = reader
            .next_chunk(spare)?
            .is_some_and(|chunk| to_scan.send(chunk).is_ok());
        if !sent {
            return reader.finish(stop);
        }
    }
}

/// The reading of [`Reading::Inline`], shared by the scan's [`Chunks`]
/// and [`scan_hashed_chunks`], which finishes the digest.
struct Inline {
    reader: Reader,
    /// Blocks read, back to be reused.
    spares: mpsc::Receiver<Vec<u8>>,
    /// The read error that ended the blocks early.
    error: Option<io::Error>,
}

/// Where [`Chunks`] gets its blocks.
enum Feed {
    /// From the reading thread.
    Threaded(mpsc::Receiver<Vec<u8>>),
    /// Read on demand, by whichever thread asks.
    Inline(Arc<Mutex<Inline>>),
}

/// The scan's side of `scan_hashed`: the blocks of whole lines, read and
/// hashed, become the buffer of [`Lines`] in turn, without a copy; each is
/// sent back to be reused once read.
pub(crate) struct Chunks {
    feed: Feed,
    spare: mpsc::Sender<Vec<u8>>,
    /// A block taken and put back, to come first.
    pending: Option<Vec<u8>>,
}

impl Chunks {
    /// The next block of whole lines (the last one may end without a line
    /// end); `None` at the end of the file, or after a read error (which
    /// [`scan_hashed_chunks`] then returns).
    pub(crate) fn next_block(&mut self) -> Option<Vec<u8>> {
        if let Some(block) = self.pending.take() {
            return Some(block);
        }
        match &self.feed {
            Feed::Threaded(blocks) => blocks.recv().ok(),
            Feed::Inline(shared) => {
                let mut inline = shared.lock().ok()?;
                if inline.error.is_some() {
                    return None;
                }
                let spare = inline.spares.try_recv().unwrap_or_default();
                match inline.reader.next_chunk(spare) {
                    Ok(block) => block,
                    Err(e) => {
                        inline.error = Some(e);
                        None
                    }
                }
            }
        }
    }

    /// Puts `block` back: it comes next.
    pub(crate) fn put_back(&mut self, block: Vec<u8>) {
        self.pending = Some(block);
    }

    /// Where read blocks go back to the reading thread to be reused.
    pub(crate) fn recycler(&self) -> mpsc::Sender<Vec<u8>> {
        self.spare.clone()
    }
}

/// One block of whole lines as a [`Source`]: a worker's share of a file.
pub(crate) struct Block(pub(crate) Option<Vec<u8>>);

impl Source for Block {
    fn refill(&mut self, buffer: &mut Vec<u8>, keep: std::ops::Range<usize>) -> io::Result<bool> {
        let Some(mut block) = self.0.take() else {
            let kept = keep.len();
            buffer.copy_within(keep, 0);
            buffer.truncate(kept);
            return Ok(false);
        };
        if !keep.is_empty() {
            block.splice(0..0, buffer[keep].iter().copied());
        }
        *buffer = block;
        Ok(true)
    }
}

impl Source for Chunks {
    fn refill(&mut self, buffer: &mut Vec<u8>, keep: std::ops::Range<usize>) -> io::Result<bool> {
        // The end of the file closes the channel.
        let Some(mut next) = self.next_block() else {
            let kept = keep.len();
            buffer.copy_within(keep, 0);
            buffer.truncate(kept);
            return Ok(false);
        };
        if !keep.is_empty() {
            // A line longer than a block: rare, and limited to one block.
            next.splice(0..0, buffer[keep].iter().copied());
        }
        let done = std::mem::replace(buffer, next);
        // The reader may be done: then nobody needs it back.
        let _ = self.spare.send(done);
        Ok(true)
    }
}

/// A malformed line: `CheckError::Malformed` located `shown:line:column`.
pub(crate) fn malformed(shown: &str, line: u64, column: usize, message: &str) -> CheckError {
    CheckError::Malformed {
        location: format!("{shown}:{line}:{column}"),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splitting eight bytes at a time finds the commas a plain split
    /// finds, wherever the line sits in its buffer, and sees every quote.
    #[test]
    fn lines_split_at_their_commas() {
        let lines = [
            "",
            ",",
            "a",
            "a,b",
            ",,,",
            "abcdefgh,ijklmnop",
            "2025-01-27T14:30:00Z,risk,A1,,approve",
            "1234567,",
            "12345678,9",
            "a\"b",
            "abcdefghij\"",
            "x,y,z,0123456789abcdef,",
        ];
        for line in lines {
            for (before, after) in [
                ("", ""),
                ("zz\n", ""),
                ("", "\n\"q\",,"),
                ("yyyyyyyyy\n", "\n\""),
            ] {
                let buffer = format!("{before}{line}{after}");
                let (from, to) = (before.len(), before.len() + line.len());
                let mut ranges = Vec::new();
                let plain = split_plain(&buffer.as_bytes()[from..to], from, &mut ranges);
                assert_eq!(plain, !line.contains('"'), "{line:?} in {buffer:?}");
                if plain {
                    let fields: Vec<&str> = ranges.iter().map(|&(a, b)| &buffer[a..b]).collect();
                    assert_eq!(
                        fields,
                        line.split(',').collect::<Vec<_>>(),
                        "{line:?} in {buffer:?}"
                    );
                }
            }
        }
    }

    /// A source handing over `step` bytes at a time, wherever they end.
    struct Pieces<'a>(&'a [u8], usize);

    impl Source for Pieces<'_> {
        fn refill(
            &mut self,
            buffer: &mut Vec<u8>,
            keep: std::ops::Range<usize>,
        ) -> io::Result<bool> {
            let kept = keep.len();
            buffer.copy_within(keep, 0);
            buffer.truncate(kept);
            let (piece, rest) = self.0.split_at(self.1.min(self.0.len()));
            buffer.extend_from_slice(piece);
            self.0 = rest;
            Ok(!piece.is_empty())
        }
    }

    /// Every line of `text` as the scan sees it (its number, text and
    /// fields, each also as a number), read `step` bytes at a time with
    /// [`Lines::next_split`] or with [`Lines::next`] and [`Lines::split`].
    fn rows(text: &[u8], step: usize, fused: bool) -> Vec<String> {
        let mut lines = Lines::new(Pieces(text, step));
        let mut seen = Vec::new();
        loop {
            let read = if fused {
                lines.next_split("t.csv")
            } else {
                lines.next("t.csv").and_then(|more| {
                    if more {
                        lines.split("t.csv")?;
                    }
                    Ok(more)
                })
            };
            match read {
                Ok(true) => {
                    let fields: Vec<String> = (0..=lines.len())
                        .map(|c| {
                            format!(
                                "{:?}={:?}",
                                String::from_utf8_lossy(lines.get(c)),
                                lines.number(c)
                            )
                        })
                        .collect();
                    seen.push(format!(
                        "{} {:?} {}: {}",
                        lines.line,
                        String::from_utf8_lossy(lines.text()),
                        lines.len(),
                        fields.join(" ")
                    ));
                }
                Ok(false) => return seen,
                Err(e) => {
                    seen.push(e.to_string());
                    return seen;
                }
            }
        }
    }

    /// Reading and splitting a plain line in one pass gives the lines, line
    /// numbers, fields and errors of reading it, then splitting it, on
    /// tricky lines: quotes, `\r\n`, blank lines, empty fields, short rows,
    /// a byte-order mark, signs after commas, commas on both sides of the
    /// 64 bytes taken at a time, a last line without a line end.
    #[test]
    fn one_pass_splits_as_two() {
        let mut texts: Vec<Vec<u8>> = [
            "",
            "\n",
            "a",
            "h,i\n",
            "\u{feff}time,event\n1,2\n",
            "h\n\r\n\n,\n,,\n,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n",
            "h\na,\"b,c\",d\n\"\"\n1,2\n",
            "h\nab,cd\n\"q\"\nx\"y,z\n",
            "h\r\n1,2\r\n3,4\r\r\n\r\n5\r6,7\n",
            "h\n1,-2,-3.5, 4 ,\t5\t,-\n",
            "h\n1,2\n3,4",
            "h\n1,2\n\"3,4",
            "h\n\"unclosed,1\n2,3\n",
            "h\n   \n , \n",
        ]
        .iter()
        .map(|t| t.as_bytes().to_vec())
        .collect();
        // Lines of every length around eight and 64 bytes, with commas at
        // every place, a quote or `\r` just after the line end.
        for len in [
            1, 7, 8, 9, 15, 16, 17, 62, 63, 64, 65, 66, 127, 128, 129, 200,
        ] {
            for comma in [0, 1, 7, 8, 63, 64, 65, 127, 128] {
                let mut line = vec![b'7'; len];
                if comma < len {
                    line[comma] = b',';
                }
                for after in ["", "\"", "\r", ",\n", "\n"] {
                    let mut text = b"h\n".to_vec();
                    text.extend_from_slice(&line);
                    text.push(b'\n');
                    text.extend_from_slice(after.as_bytes());
                    text.extend_from_slice(&line);
                    texts.push(text);
                }
            }
        }
        // Lines of about as many fields as one pass keeps (64), and more.
        for fields in [63, 64, 65, 66, 130] {
            let line = vec!["1"; fields].join(",");
            texts.push(format!("h\n{line}\n{line}\n").into_bytes());
        }
        // Random lines of commas, quotes, line ends and digits.
        let noise = b",,,,\n\n\r\"-.0123456789 ab";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..300 {
            let mut text = b"h,i,j\n".to_vec();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for _ in 0..state % 300 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let pick = usize::try_from(state % noise.len() as u64).unwrap();
                text.push(noise[pick]);
            }
            texts.push(text);
        }
        for text in &texts {
            for step in [1, 3, 8, 13, 64, 1000] {
                assert_eq!(
                    rows(text, step, true),
                    rows(text, step, false),
                    "{:?} a {step} bytes at a time",
                    String::from_utf8_lossy(text)
                );
            }
        }
        // A line longer than a block is an error either way.
        let long = format!("h\n1,2\n{},1\n2,3\n", "L".repeat(BLOCK + 5));
        for step in [5000, BLOCK + 100] {
            let fused = rows(long.as_bytes(), step, true);
            assert_eq!(fused, rows(long.as_bytes(), step, false));
            assert!(fused[2].contains("a line longer than 1 MiB"), "{fused:?}");
        }
        assert_eq!(
            rows(b"h\n1,-2\n", 64, true),
            [
                "1 \"h\" 1: \"h\"=None \"\"=None",
                "2 \"1,-2\" 2: \"1\"=Some(1.0) \"-2\"=Some(-2.0) \"\"=None"
            ]
        );
    }

    /// The clock's cached time is reused only for the very same text:
    /// `same_text` agrees with comparing the bytes, at every length and
    /// wherever they differ.
    #[test]
    fn same_text_compares_every_byte() {
        let text: [u8; 32] = *b"2025-01-27T14:30:00.123456+01:0Z";
        for len in 0..=32 {
            let raw = text[..len].to_vec();
            assert!(same_text(&raw, &text), "{len}");
            for at in 0..len {
                let mut other = raw.clone();
                other[at] ^= 1;
                assert!(!same_text(&other, &text), "{len} {at}");
            }
        }
        let mut clock = Clock::default();
        for (text, expected) in [
            ("2025-01-27T14:30:00.001Z", 1_737_988_200_001_000_000),
            ("2025-01-27T14:30:00.002Z", 1_737_988_200_002_000_000),
            ("2025-01-27T14:30:00.002Z", 1_737_988_200_002_000_000),
            ("2025-01-27T14:30:01.002Z", 1_737_988_201_002_000_000),
            ("2025-01-27T14:30:01Z", 1_737_988_201_000_000_000),
        ] {
            assert_eq!(clock.parse(text.as_bytes()), Some(expected), "{text}");
        }
    }

    /// The fast path reads what jiff reads, as the same instant, and leaves
    /// the rest to jiff (or rejects it).
    #[test]
    fn the_clock_agrees_with_jiff() {
        let mut clock = Clock::default();
        for text in [
            "2025-01-27T14:30:00Z",
            "2025-01-27T14:30:00.5Z",
            "2025-01-27T09:30:00-05:00",
            "2025-01-27T09:30:00.123456789-05:00",
            "2025-07-01T14:00:00+05:30",
            "2025-07-01T00:00:00+00:00",
            "2024-02-29T23:59:59.999+14:00",
            "1970-01-01T00:00:00.1Z",
            "2016-12-31T23:59:60Z",
            "2025-01-27 14:30:00Z",
            "2025-01-27t14:30:00z",
            // The minute of the last time read, again: only its seconds
            // are read, and its offset still counts.
            "2025-01-27T14:30:07.25Z",
            "2025-01-27T14:30:07.25Z",
            "2025-01-27T14:30:59.000000001Z",
            "2025-01-27T14:30:08+01:00",
            "2025-01-27T14:30:60Z",
            "2025-01-27T14:30:5xZ",
            "2025-01-27T14:30:09Z",
            "2025-01-27T14:31:00Z",
            "2025-01-27T14:60:00Z",
            "2025-01-27T14:30:01Z",
            "2025-01-28T14:30:01Z",
            // Milliseconds take a path of their own: good and bad digits in
            // each place, and with an offset.
            "2025-01-28T14:30:01.999Z",
            "2025-01-28T14:30:01.090Z",
            "2025-01-28T14:30:01.0a0Z",
            "2025-01-28T14:30:01.00/Z",
            "2025-01-28T14:30:01.:00Z",
            "2025-01-28T14:30:02.007+01:00",
            "2025-01-28T14:30:02.0070Z",
        ] {
            let expected: Option<jiff::Timestamp> = text.parse().ok();
            let expected = expected.map(|t| i64::try_from(t.as_nanosecond()).unwrap());
            assert_eq!(clock.parse(text.as_bytes()), expected, "{text}");
        }
        for bad in [
            "2025-01-27T14:30:00",
            "2025-01-27T14:30:00+5:00",
            "2025-02-30T14:30:00Z",
            "2025-01-27T14:3a:00Z",
            "",
        ] {
            assert_eq!(clock.parse(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(clock.date(b"2025-01-27"), Some(1_737_936_000_000_000_000));
        assert_eq!(clock.date(b"2025-13-01"), None);
        assert_eq!(clock.date(b"2025-01-2"), None);
    }
}
