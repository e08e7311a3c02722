//! Streaming CSV reading shared by the inputs: the bytes are hashed as they go
//! by, every error is located `file:line:column`, numbers and dates are parsed
//! strictly and in place.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use jiff::civil::Date;
use preflight_core::{Artifact, CheckError};

use super::digest::Hashing;

/// The capacity of the CSV reader's buffer: large enough that reads and hash
/// updates are few, small enough to stay in cache.
const BUFFER: usize = 1 << 16;

/// The error for a file that cannot be opened or read.
pub(super) fn io_error(input: &str, shown: &str, error: &io::Error) -> CheckError {
    CheckError::Input {
        name: input.to_owned(),
        message: format!("cannot read `{shown}`: {error}"),
    }
}

/// The modification time of an open file, when the file system reports one.
pub(super) fn modified(metadata: &std::fs::Metadata) -> Option<jiff::Timestamp> {
    metadata
        .modified()
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
}

/// A value as it appears in a message: lossy UTF-8, cut to a readable length.
pub(super) fn shown_value(raw: &[u8]) -> String {
    const MAX: usize = 40;
    let text = String::from_utf8_lossy(raw);
    if text.chars().count() <= MAX {
        text.into_owned()
    } else {
        let mut cut: String = text.chars().take(MAX).collect();
        cut.push('…');
        cut
    }
}

/// A list of names as `` `a`, `b` ``.
pub(super) fn list(names: impl IntoIterator<Item = impl fmt::Display>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        "no columns".to_owned()
    } else {
        names.join(", ")
    }
}

/// A CSV file being streamed, one record at a time, behind its header.
///
/// Lines in messages are counted here, not taken from the CSV reader: its
/// `Position::line` is wrong for the first record after a blank line
/// (<https://github.com/BurntSushi/rust-csv/issues/208>) and for `\r\n` line
/// ends. Byte offsets are right, so rows are remembered by the byte where
/// they start and turned into lines only for an error, by counting the line
/// ends before it.
pub(super) struct CsvFile {
    input: String,
    shown: String,
    full: PathBuf,
    reader: csv::Reader<Hashing<File>>,
    record: ByteRecord,
    header: Vec<String>,
    file_len: u64,
    modified: Option<jiff::Timestamp>,
    records: u64,
    rows_hint: usize,
}

impl CsvFile {
    /// Opens `full` (shown as `shown`, read for input `input`) and reads its header.
    pub(super) fn open(input: &str, shown: &str, full: &Path) -> Result<Self, CheckError> {
        let io = |e: &io::Error| io_error(input, shown, e);
        let file = File::open(full).map_err(|e| io(&e))?;
        let metadata = file.metadata().map_err(|e| io(&e))?;
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(BUFFER)
            .from_reader(Hashing::new(file, metadata.len()));
        let mut file = CsvFile {
            input: input.to_owned(),
            shown: shown.to_owned(),
            full: full.to_owned(),
            reader,
            record: ByteRecord::new(),
            header: Vec::new(),
            file_len: metadata.len(),
            modified: modified(&metadata),
            records: 0,
            rows_hint: 0,
        };
        file.read_header()?;
        Ok(file)
    }

    fn read_header(&mut self) -> Result<(), CheckError> {
        if !self.read()? {
            return Err(self.malformed(1, 1, "the file is empty: expected a header row"));
        }
        let mut header = Vec::with_capacity(self.record.len());
        for (i, raw) in self.record.iter().enumerate() {
            // A UTF-8 byte order mark is not part of the first name.
            let raw = if i == 0 {
                raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
            } else {
                raw
            };
            let Ok(name) = std::str::from_utf8(raw.trim_ascii()) else {
                return Err(self.error_at(i, "the column name is not valid UTF-8"));
            };
            if let Some(first) = header.iter().position(|h: &String| h == name) {
                return Err(self.error_at(
                    i,
                    format!(
                        "column `{name}` appears twice (columns {} and {}): rename one",
                        first + 1,
                        i + 1
                    ),
                ));
            }
            header.push(name.to_owned());
        }
        self.header = header;
        Ok(())
    }

    /// The column names, trimmed.
    pub(super) fn header(&self) -> &[String] {
        &self.header
    }

    /// The index of column `name`, if the header has it.
    pub(super) fn optional_column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The index of column `name`; `hint` (e.g. " (set `date_column` in
    /// [inputs.backtest])") says how to point the input at another column.
    pub(super) fn column(&self, name: &str, hint: &str) -> Result<usize, CheckError> {
        self.optional_column(name).ok_or_else(|| {
            self.malformed(
                self.line_at(0),
                1,
                format!(
                    "missing column `{name}` (found {}){hint}",
                    list(&self.header)
                ),
            )
        })
    }

    /// An error about column `col` (0-based) of the header row.
    pub(super) fn header_error(&self, col: usize, message: impl fmt::Display) -> CheckError {
        self.malformed(self.line_at(0), col as u64 + 1, message)
    }

    fn read(&mut self) -> Result<bool, CheckError> {
        self.reader
            .read_byte_record(&mut self.record)
            .map_err(|e| self.csv_error(&e))
    }

    /// Reads the next data row; `false` at the end of the file.
    #[inline]
    pub(super) fn next_row(&mut self) -> Result<bool, CheckError> {
        if !self.read()? {
            return Ok(false);
        }
        if self.record.len() != self.header.len() {
            return Err(self.width_error());
        }
        if self.records == 0 {
            self.rows_hint = self.estimate_rows();
        }
        self.records += 1;
        Ok(true)
    }

    /// How many data rows the file probably holds, judged from the first row's
    /// length; `0` before the first row. Only a capacity hint.
    pub(super) fn rows_hint(&self) -> usize {
        self.rows_hint
    }

    fn estimate_rows(&self) -> usize {
        let start = self.record.position().map_or(0, csv::Position::byte);
        let end = self.reader.position().byte();
        let row = end.saturating_sub(start).max(1);
        // At most one row per 4 bytes (`1,2\n`) whatever the first row says,
        // and an eighth more in case later rows are shorter: capacity that is
        // never touched costs address space, not memory.
        let rows = self.file_len.saturating_sub(start) / row.max(4);
        let rows = rows + rows / 8 + 1;
        usize::try_from(rows).unwrap_or(0)
    }

    /// Where the current row starts: the byte after the previous row, which
    /// [`line_at`](Self::line_at) turns into the row's line.
    #[inline]
    pub(super) fn row_start(&self) -> u64 {
        self.record.position().map_or(0, csv::Position::byte)
    }

    /// The 1-based line of the row starting at byte `start` (from
    /// [`row_start`](Self::row_start)): the line of the first byte at or after
    /// `start` that ends no line, found by reading the file again. For the
    /// error path only.
    #[cold]
    pub(super) fn line_at(&self, start: u64) -> u64 {
        count_lines(&self.full, start).unwrap_or_else(|_| {
            // The file went away since it was read: the reader's count is the best left.
            self.record.position().map_or(1, csv::Position::line)
        })
    }

    /// The number of data rows read so far.
    pub(super) fn rows(&self) -> u64 {
        self.records
    }

    /// The raw bytes of field `col` of the current row, trimmed.
    #[inline]
    pub(super) fn raw(&self, col: usize) -> &[u8] {
        self.record.get(col).unwrap_or_default().trim_ascii()
    }

    /// Field `col` of the current row as a finite number.
    #[inline]
    pub(super) fn number(&self, col: usize) -> Result<f64, CheckError> {
        parse_number(self.raw(col)).ok_or_else(|| self.number_error(col))
    }

    #[cold]
    fn number_error(&self, col: usize) -> CheckError {
        let raw = self.raw(col);
        let parsed = std::str::from_utf8(raw)
            .ok()
            .and_then(|t| t.parse::<f64>().ok());
        let what = if raw.is_empty() {
            "empty cell (expected a number)".to_owned()
        } else if parsed.is_some() {
            format!("`{}` is not a finite number", shown_value(raw))
        } else {
            format!("expected a number, found `{}`", shown_value(raw))
        };
        self.field_error(col, what)
    }

    /// Field `col` of the current row as a date.
    #[inline]
    pub(super) fn date(&self, col: usize) -> Result<Date, CheckError> {
        parse_date(self.raw(col)).map_err(|e| self.field_error(col, e))
    }

    /// Field `col` of the current row as a date and, for a timestamp, the
    /// nanoseconds since midnight UTC (0 for a plain date).
    #[inline]
    pub(super) fn moment(&self, col: usize) -> Result<(Date, i64), CheckError> {
        parse_moment(self.raw(col)).map_err(|e| self.field_error(col, e))
    }

    /// Field `col` of the current row as non-empty text.
    pub(super) fn text(&self, col: usize) -> Result<&str, CheckError> {
        let raw = self.raw(col);
        if raw.is_empty() {
            return Err(self.field_error(col, "empty cell"));
        }
        std::str::from_utf8(raw).map_err(|_| self.field_error(col, "not valid UTF-8"))
    }

    /// An error about field `col` of the current row, naming its column.
    #[cold]
    pub(super) fn field_error(&self, col: usize, message: impl fmt::Display) -> CheckError {
        let name = self.header.get(col).map_or("", String::as_str);
        self.error_at(col, format!("column `{name}`: {message}"))
    }

    /// An error at field `col` (0-based) of the current row.
    #[cold]
    pub(super) fn error_at(&self, col: usize, message: impl fmt::Display) -> CheckError {
        self.malformed(self.line_at(self.row_start()), col as u64 + 1, message)
    }

    /// An error at `line:column` of this file.
    #[cold]
    pub(super) fn malformed(
        &self,
        line: u64,
        column: u64,
        message: impl fmt::Display,
    ) -> CheckError {
        CheckError::Malformed {
            location: format!("{}:{line}:{column}", self.shown),
            message: message.to_string(),
        }
    }

    /// The error for a file with fewer than `min` data rows.
    #[cold]
    pub(super) fn too_few(&self, min: u64, found: u64, what: &str) -> CheckError {
        self.malformed(
            self.line_at(self.reader.position().byte()),
            1,
            format!("expected at least {min} {what}, found {found}"),
        )
    }

    #[cold]
    fn width_error(&self) -> CheckError {
        let (expected, found) = (self.header.len(), self.record.len());
        self.error_at(
            found.min(expected),
            format!("expected {expected} fields as in the header, found {found}"),
        )
    }

    #[cold]
    fn csv_error(&self, error: &csv::Error) -> CheckError {
        if let csv::ErrorKind::Io(e) = error.kind() {
            return io_error(&self.input, &self.shown, e);
        }
        let start = error
            .position()
            .map_or_else(|| self.reader.position().byte(), csv::Position::byte);
        self.malformed(
            self.line_at(start),
            1,
            format!("not a valid CSV row: {error}"),
        )
    }

    /// The file's artifact; call it once the last row has been read, so that
    /// every byte has been hashed.
    pub(super) fn finish(self) -> Result<Artifact, CheckError> {
        let (sha256, size) = self
            .reader
            .into_inner()
            .finish()
            .map_err(|e| io_error(&self.input, &self.shown, &e))?;
        Ok(Artifact {
            path: self.shown,
            sha256,
            size,
            modified: self.modified,
        })
    }
}

/// Order rules for a date column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
    /// Each date after the previous one: a daily series.
    Increasing,
    /// Each date on or after the previous one: fills.
    NonDecreasing,
}

/// Checks the dates of a column row by row.
pub(super) struct DateOrder {
    order: Order,
    previous: Option<(Date, i64, u64)>,
}

impl DateOrder {
    pub(super) fn new(order: Order) -> Self {
        DateOrder {
            order,
            previous: None,
        }
    }

    /// Accepts `date` of the current row of `file` or says why not.
    #[inline]
    pub(super) fn check(
        &mut self,
        file: &CsvFile,
        col: usize,
        date: Date,
    ) -> Result<(), CheckError> {
        self.check_moment(file, col, (date, 0))
    }

    /// Like [`DateOrder::check`] for a date and time of day (see
    /// [`CsvFile::moment`]): intraday series order by both.
    #[inline]
    pub(super) fn check_moment(
        &mut self,
        file: &CsvFile,
        col: usize,
        (date, nanos): (Date, i64),
    ) -> Result<(), CheckError> {
        if let Some((previous, previous_nanos, line)) = self.previous {
            let ok = match self.order {
                Order::Increasing => (date, nanos) > (previous, previous_nanos),
                Order::NonDecreasing => (date, nanos) >= (previous, previous_nanos),
            };
            if !ok {
                if nanos != 0 || previous_nanos != 0 {
                    let line = file.line_at(line);
                    return Err(file.field_error(
                        col,
                        format!(
                            "the time on {date} is not after the one on line {line}: times must be strictly increasing"
                        ),
                    ));
                }
                return Err(self.error(file, col, date, previous, line));
            }
        }
        self.previous = Some((date, nanos, file.row_start()));
        Ok(())
    }

    #[cold]
    fn error(
        &self,
        file: &CsvFile,
        col: usize,
        date: Date,
        previous: Date,
        start: u64,
    ) -> CheckError {
        let line = file.line_at(start);
        let rule = match self.order {
            Order::Increasing => "dates must be strictly increasing",
            Order::NonDecreasing => "dates must not decrease",
        };
        let what = if date == previous {
            format!("duplicate date {date} (also on line {line}): {rule}")
        } else {
            format!("date {date} comes after {previous} on line {line}: {rule}")
        };
        file.field_error(col, what)
    }
}

/// The line of the first byte at or after `start` in the file at `path` that
/// is not a line end (`\n`, `\r\n` or a lone `\r`): the line a CSV row starting
/// at `start`, perhaps after blank lines, is on.
fn count_lines(path: &Path, start: u64) -> io::Result<u64> {
    let mut reader = io::BufReader::with_capacity(BUFFER, File::open(path)?);
    let mut buf = vec![0; BUFFER];
    let (mut offset, mut line, mut after_cr) = (0u64, 1u64, false);
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(line + u64::from(after_cr));
        }
        for &b in buf.get(..n).unwrap_or_default() {
            let ends_line = matches!(b, b'\n' | b'\r');
            if offset >= start && !ends_line {
                return Ok(line + u64::from(after_cr));
            }
            // `\r\n` ends one line, a lone `\r` one too.
            if b == b'\n' || after_cr {
                line += 1;
            }
            after_cr = b == b'\r';
            offset += 1;
        }
    }
}

/// The finite number written in `raw`, as `str::parse::<f64>` reads it.
#[inline]
pub(super) fn parse_number(raw: &[u8]) -> Option<f64> {
    if let Some(value) = plain_decimal(raw) {
        return Some(value);
    }
    let value = std::str::from_utf8(raw).ok()?.parse::<f64>().ok()?;
    value.is_finite().then_some(value)
}

/// The common case of [`parse_number`], twice as fast as `str::parse`: an
/// optional sign, digits and an optional fraction (`-0.001147`, `12.5`, `3`),
/// at most 15 digits in all. The digits then make an integer below 2^53 and
/// the divisor a power of ten up to 10^15, both exact doubles, and IEEE
/// division rounds the quotient correctly: the very value `str::parse`
/// returns (Clinger's fast path). Anything else is left to `str::parse`.
#[inline]
fn plain_decimal(raw: &[u8]) -> Option<f64> {
    decimal_prefix(raw).and_then(|(value, len)| (len == raw.len()).then_some(value))
}

/// The plain decimal (as [`plain_decimal`] reads it) at the start of `raw`,
/// and how many bytes it takes: it ends at the first byte that is neither a
/// digit nor the first `.`. `None` when there is no digit or more than 15.
#[allow(
    clippy::inline_always,
    reason = "measured: a call per number costs a sixth of the parse"
)]
#[inline(always)]
pub(super) fn decimal_prefix(raw: &[u8]) -> Option<(f64, usize)> {
    match short_decimal(raw) {
        Some(found) => Some(found),
        None => long_decimal(raw),
    }
}

/// Powers of ten up to 10^7, for the mantissa of a short decimal.
const SCALES: [u64; 8] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000];

/// Powers of ten that are exact doubles, for the fraction's digits.
const POWERS: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// How many of the eight bytes of `chunk` (little-endian: the first byte is
/// the lowest) are digits before the first that is not, and their value.
/// Eight digits at a time, as in simdjson and `fast_float`: a subtraction
/// flags the bytes below `0`, an addition those above `9` (a borrow or carry
/// out of a flagged byte only changes the bytes after it, which are
/// dropped), and three multiplications add the digits up.
#[allow(
    clippy::inline_always,
    reason = "measured: a call per number costs a sixth of the parse"
)]
#[inline(always)]
fn digit_run(chunk: u64) -> (u64, u32) {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    let digits = chunk.wrapping_sub(ZEROS);
    let flagged = (digits | digits.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080;
    let count = flagged.trailing_zeros() / 8;
    if count == 0 {
        return (0, 0);
    }
    // The digits move to the top; the bytes below become leading zeros.
    let mut value = digits << (64 - 8 * count);
    value = value.wrapping_mul(10).wrapping_add(value >> 8);
    value = ((value & 0x0000_00ff_0000_00ff)
        .wrapping_mul(0x000f_4240_0000_0064)
        .wrapping_add(((value >> 16) & 0x0000_00ff_0000_00ff).wrapping_mul(0x0000_2710_0000_0001)))
        >> 32;
    (value, count)
}

/// The eight bytes at `at` of `raw`, if there are eight.
#[allow(
    clippy::inline_always,
    reason = "measured: a call per number costs a sixth of the parse"
)]
#[inline(always)]
fn chunk_at(raw: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(raw.get(at..at + 8)?.try_into().ok()?))
}

/// [`decimal_prefix`] for numbers of at most 7 digits before and 7 after
/// the point, read eight bytes at a time: the same digits, mantissa and
/// division as [`long_decimal`], so the same value. `None` when the number
/// is not of that shape or too near the end of `raw`: `long_decimal` then
/// decides.
#[allow(
    clippy::inline_always,
    reason = "measured: a call per number costs a sixth of the parse"
)]
#[inline(always)]
fn short_decimal(raw: &[u8]) -> Option<(f64, usize)> {
    let first = *raw.first()?;
    let negative = first == b'-';
    let signed = usize::from(negative || first == b'+');
    let (whole, whole_digits) = digit_run(chunk_at(raw, signed)?);
    let point = signed + whole_digits as usize;
    let (mantissa, fraction_digits, len) = if whole_digits == 8 {
        return None;
    } else if raw[point] == b'.' {
        let (fraction, fraction_digits) = digit_run(chunk_at(raw, point + 1)?);
        if fraction_digits == 8 || whole_digits + fraction_digits == 0 {
            return None;
        }
        (
            whole * SCALES[fraction_digits as usize] + fraction,
            fraction_digits,
            point + 1 + fraction_digits as usize,
        )
    } else if whole_digits == 0 {
        return None;
    } else {
        (whole, 0, point)
    };
    // Below 10^14: a signed conversion (one instruction) is exact.
    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_wrap,
        reason = "at most 14 digits: below 2^53, exact"
    )]
    let mantissa = f64::from_bits((mantissa as i64 as f64).to_bits() | (u64::from(negative) << 63));
    Some((mantissa / POWERS[fraction_digits as usize], len))
}

/// [`decimal_prefix`] one byte at a time, for any length.
#[inline(never)]
fn long_decimal(raw: &[u8]) -> Option<(f64, usize)> {
    // Signs are random in a return series: they set a bit rather than take a
    // branch, which would be mispredicted half the time.
    let first = raw.first().copied().unwrap_or_default();
    let negative = first == b'-';
    let signed = usize::from(negative || first == b'+');
    let digits = raw.get(signed..)?;
    let (mut mantissa, mut count, mut fraction, mut dot) = (0u64, 0usize, 0usize, false);
    let mut len = digits.len();
    for (i, &b) in digits.iter().enumerate() {
        if b.is_ascii_digit() {
            mantissa = mantissa * 10 + u64::from(b - b'0');
            count += 1;
            fraction += usize::from(dot);
            if count > 15 {
                return None;
            }
        } else if b == b'.' && !dot {
            dot = true;
        } else {
            len = i;
            break;
        }
    }
    if count == 0 {
        return None;
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "at most 15 digits: below 2^53, exact"
    )]
    let mantissa = f64::from_bits((mantissa as f64).to_bits() | (u64::from(negative) << 63));
    Some((mantissa / *POWERS.get(fraction)?, signed + len))
}

/// Parses `YYYY-MM-DD` (time 0), or an RFC 3339 timestamp as its UTC date
/// and nanoseconds since midnight; `YYYY-MM-DDTHH:MM:SSZ` takes a fast path.
pub(super) fn parse_moment(raw: &[u8]) -> Result<(Date, i64), String> {
    if raw.len() == 10 {
        return parse_date(raw).map(|d| (d, 0));
    }
    if let [.., b'T', h0, h1, b':', n0, n1, b':', s0, s1, b'Z'] = *raw
        && raw.len() == 20
        && let (Some(h), Some(n), Some(sec)) =
            (digits(&[h0, h1]), digits(&[n0, n1]), digits(&[s0, s1]))
        && h < 24
        && n < 60
        && sec < 60
    {
        let date = parse_date(&raw[..10])?;
        return Ok((
            date,
            (i64::from(h) * 3600 + i64::from(n) * 60 + i64::from(sec)) * 1_000_000_000,
        ));
    }
    if matches!(raw.get(10), Some(b'T' | b't' | b' '))
        && let Some(ts) = std::str::from_utf8(raw)
            .ok()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
    {
        let at = jiff::tz::Offset::UTC.to_datetime(ts);
        let t = at.time();
        let nanos = ((i64::from(t.hour()) * 60 + i64::from(t.minute())) * 60
            + i64::from(t.second()))
            * 1_000_000_000
            + i64::from(t.subsec_nanosecond());
        return Ok((at.date(), nanos));
    }
    Err(date_expected(raw))
}

/// Parses `YYYY-MM-DD`, or an RFC 3339 timestamp of which the UTC date is kept.
pub(super) fn parse_date(raw: &[u8]) -> Result<Date, String> {
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *raw {
        if let (Some(year), Some(month), Some(day)) = (
            digits(&[y0, y1, y2, y3]),
            digits(&[m0, m1]),
            digits(&[d0, d1]),
        ) {
            return match (i8::try_from(month), i8::try_from(day)) {
                (Ok(month), Ok(day)) => Date::new(year, month, day)
                    .map_err(|e| format!("`{}` is not a valid date: {e}", shown_value(raw))),
                _ => Err(date_expected(raw)),
            };
        }
        return Err(date_expected(raw));
    }
    if matches!(raw.get(10), Some(b'T' | b't' | b' '))
        && let Some(ts) = std::str::from_utf8(raw)
            .ok()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
    {
        return Ok(jiff::tz::Offset::UTC.to_datetime(ts).date());
    }
    Err(date_expected(raw))
}

#[cold]
fn date_expected(raw: &[u8]) -> String {
    if raw.is_empty() {
        return "empty cell (expected a date)".to_owned();
    }
    format!(
        "expected a date `YYYY-MM-DD` or an RFC 3339 timestamp such as `2024-01-02T21:00:00Z`, found `{}`",
        shown_value(raw)
    )
}

/// The decimal number written by `bytes`, all ASCII digits.
#[inline]
fn digits(bytes: &[u8]) -> Option<i16> {
    bytes.iter().try_fold(0i16, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + i16::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_fast_and_as_timestamps() {
        let d = |y, m, d| Date::new(y, m, d).unwrap();
        assert_eq!(parse_date(b"2024-02-29"), Ok(d(2024, 2, 29)));
        assert_eq!(parse_date(b"2024-01-02T21:00:00Z"), Ok(d(2024, 1, 2)));
        assert_eq!(parse_date(b"2024-01-02T21:00:00.250Z"), Ok(d(2024, 1, 2)));
        // 23:30 at UTC-02:00 is the next day in UTC.
        assert_eq!(parse_date(b"2024-01-02T23:30:00-02:00"), Ok(d(2024, 1, 3)));
        let invalid = parse_date(b"2023-02-29").unwrap_err();
        assert!(
            invalid.starts_with("`2023-02-29` is not a valid date"),
            "{invalid}"
        );
        for bad in [
            &b"2024/01/02"[..],
            b"24-01-02",
            b"2024-01-0x",
            b"2024-01-02T10:00:00",
            b"",
        ] {
            assert!(parse_date(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn numbers_parse_as_str_parse_does() {
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "-0.0",
            "+1",
            "5.",
            ".5",
            "+.5",
            "-.5",
            "007",
            "0.1",
            "0.3",
            "-0.001147",
            "123456789012345",
            "1234567890123456",
            "9007199254740993",
            "0.000000000000001",
            "0.0000000000000001",
            "1e-5",
            "2.5E3",
            "1_000",
            "",
            ".",
            "-",
            "+",
            "1.2.3",
            "--1",
            "inf",
            "-infinity",
            "NaN",
            "1e999",
            "0x10",
            "1,5",
            "١",
        ]
        .map(str::to_owned)
        .into();
        // Plain decimals of every length, from a fixed linear congruential sequence.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let digits = format!("{:019}", state >> 1);
            let len = 1 + usize::try_from(state % 18).unwrap();
            let dot = usize::try_from((state >> 8) % 19).unwrap();
            let mut text = digits[..len].to_owned();
            if dot <= len {
                text.insert(dot, '.');
            }
            if state & (1 << 40) != 0 {
                text.insert(0, '-');
            }
            texts.push(text);
        }
        for text in &texts {
            let expected = text.parse::<f64>().ok().filter(|v| v.is_finite());
            let parsed = parse_number(text.as_bytes());
            assert_eq!(
                parsed.map(f64::to_bits),
                expected.map(f64::to_bits),
                "{text:?}"
            );
        }
    }

    /// The eight-bytes-at-a-time reader and the byte-at-a-time one agree on
    /// every prefix, whatever follows the number.
    #[test]
    fn short_and_long_decimals_agree() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |bound: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % bound).unwrap()
        };
        let alphabet = b"0123456789.-+eE,\n\r x/:";
        let mut short = 0;
        for _ in 0..200_000 {
            let len = next(20);
            let mut text: Vec<u8> = (0..len)
                .map(|_| {
                    // Mostly digits, as numbers are.
                    if next(3) == 0 {
                        alphabet[next(alphabet.len() as u64)]
                    } else {
                        b'0' + u8::try_from(next(10)).unwrap()
                    }
                })
                .collect();
            text.extend_from_slice(b"\n0123456789abcdef");
            let fast = short_decimal(&text);
            let slow = long_decimal(&text);
            if let Some((value, len)) = fast {
                short += 1;
                let (expected, expected_len) = slow.expect("the long reader accepts it too");
                assert_eq!(
                    (value.to_bits(), len),
                    (expected.to_bits(), expected_len),
                    "{}",
                    String::from_utf8_lossy(&text)
                );
                let std = std::str::from_utf8(&text[..len])
                    .unwrap()
                    .parse::<f64>()
                    .unwrap();
                assert_eq!(value.to_bits(), std.to_bits());
            }
            assert_eq!(
                decimal_prefix(&text).map(|(v, l)| (v.to_bits(), l)),
                slow.map(|(v, l)| (v.to_bits(), l))
            );
        }
        assert!(short > 50_000, "only {short} took the short path");
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let long = "x".repeat(100);
        assert_eq!(shown_value(long.as_bytes()).chars().count(), 41);
        assert_eq!(shown_value(b"abc"), "abc");
    }
}
