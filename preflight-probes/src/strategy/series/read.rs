//! Streaming CSV reading shared by the inputs: the bytes are hashed as they go
//! by, every error is located `file:line:column`, numbers and dates are parsed
//! strictly and in place.

use crate::number::parse_number;
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
    fn long_values_are_cut_in_messages() {
        let long = "x".repeat(100);
        assert_eq!(shown_value(long.as_bytes()).chars().count(), 41);
        assert_eq!(shown_value(b"abc"), "abc");
    }
}
