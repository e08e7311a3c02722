//! A parallel fast path for large, plain return series.
//!
//! A ten-million-row backtest spends most of its time reading, hashing and
//! parsing. When a returns file is large and plain (no quoted field, every
//! row with the header's number of fields), it is read here instead, as a
//! pipeline: the calling thread reads blocks of whole lines; one thread
//! hashes them in file order (SHA-256 cannot be split, so it gets a core of
//! its own); the blocks are parsed, by the reading thread itself on two
//! cores and by worker threads in parallel on more, with the very functions
//! the CSV path uses ([`parse_moment`], [`parse_number`]); and each parsed
//! block joins the series as soon as the blocks before it have, so that its
//! buffers are used again.
//!
//! The fast path never reports an error itself: anything it does not accept
//! (a quote, a short row, a bad number, a time out of order, too few rows)
//! makes it give up, and the caller reads the file with the CSV reader, which
//! finds and locates the problem exactly. So both paths accept the same files
//! and produce the same values (a test compares them).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use jiff::civil::Date;
use preflight_core::Artifact;
use sha2::{Digest as _, Sha256};

use super::dates::Dates;
use super::digest::format_sha256;
use super::read::{modified, parse_moment};
use super::returns::{MappedReturns, Returns};
use crate::number::{parse_number, unit_decimal};

/// Files from this size on take the fast path; smaller ones are quick anyway.
pub(super) const FAST_FROM: u64 = 8 << 20;

/// Bytes read at a time (a block ends at the last line end in it). Measured
/// on 10 M rows, 2 cores: 1 MiB runs 2–3 % faster than 4 MiB (the blocks in
/// flight stay in the shared cache for the hasher and the workers, and fewer
/// fresh pages are touched) and than 256 KiB (more hand-offs).
const BLOCK: usize = 1 << 20;

/// Blocks read ahead of the hasher: reading is faster than hashing, and
/// each block waiting costs [`BLOCK`] bytes of memory.
const HASH_AHEAD: usize = 4;

/// A time: the date and nanoseconds of the day.
type Moment = (Date, i64);

/// A block for the workers: its index, its bytes and the range of its rows.
type RowBlock = (usize, Arc<Vec<u8>>, Range<usize>);

/// One parsed block: its rows, its first and last times (for the order
/// check across blocks) and how many bytes it had (to size the series).
#[derive(Default)]
struct Parsed {
    dates: Dates,
    values: Vec<f64>,
    first: Option<Moment>,
    last: Option<Moment>,
    bytes: usize,
}

impl Parsed {
    #[inline]
    fn push(&mut self, moment: Moment, value: f64) -> Option<()> {
        if self.last.is_some_and(|p| moment <= p) {
            return None;
        }
        self.first.get_or_insert(moment);
        self.last = Some(moment);
        self.dates.push(moment.0);
        self.values.push(value);
        Some(())
    }
}

/// The series of a plain returns file: dates, returns and the file's artifact.
pub(super) struct Series {
    pub(super) dates: Dates,
    pub(super) values: Returns,
    pub(super) artifact: Artifact,
}

/// The series as it is put together: parsed blocks wait here until every
/// block before them has joined.
struct Joiner {
    size: u64,
    next: usize,
    waiting: BTreeMap<usize, Parsed>,
    dates: Dates,
    /// The returns joined, once the first block is.
    values: Option<MappedReturns>,
    last: Option<Moment>,
    /// Emptied blocks, for the parsers to fill again: fresh vectors would
    /// each cost their page faults.
    spare: Vec<Parsed>,
}

impl Joiner {
    /// Joins block `index` and every waiting block after it; `None` when a
    /// block's first time is not after the previous block's last, or when
    /// no memory can be mapped for the returns (the CSV path then reads the
    /// file into the heap).
    fn accept(&mut self, index: usize, parsed: Parsed) -> Option<()> {
        self.waiting.insert(index, parsed);
        while let Some(mut block) = self.waiting.remove(&self.next) {
            if let Some(first) = block.first {
                if self.last.is_some_and(|l| first <= l) {
                    return None;
                }
                self.last = block.last;
            }
            let values = match &mut self.values {
                Some(values) => values,
                empty @ None => {
                    // The rows of the whole file, at this block's bytes a row.
                    let per_row = block.bytes / block.values.len().max(1);
                    let rows = usize::try_from(self.size).unwrap_or(usize::MAX) / per_row.max(1);
                    empty.insert(MappedReturns::with_capacity(rows + rows / 32)?)
                }
            };
            values.extend(&block.values)?;
            self.dates.append(&block.dates);
            block.dates = Dates::new();
            block.values.clear();
            block.first = None;
            block.last = None;
            self.spare.push(block);
            self.next += 1;
        }
        Some(())
    }
}

/// Gives a block buffer back to the reader once its last user is done.
fn recycle(block: Arc<Vec<u8>>, spare: &mpsc::Sender<Vec<u8>>) {
    if let Some(block) = Arc::into_inner(block) {
        // The reader may have finished: then nobody needs it back.
        let _ = spare.send(block);
    }
}

/// Reads the returns file at `full` (shown as `shown`): column `date_col` of
/// `columns` holds the dates, `value_col` the returns. `None` when the file is
/// not plain or not valid: the CSV path must read it.
///
/// The hasher has a core, and so has the reader: on two cores the reader
/// parses every block itself (measured on 10 M rows: 6 % faster than two
/// parsing threads, which only took turns with the hasher), and on more,
/// threads on the cores beyond those two parse.
pub(super) fn read_returns(
    shown: &str,
    full: &Path,
    columns: usize,
    date_col: usize,
    value_col: usize,
) -> Option<Series> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let workers = cores.saturating_sub(2);
    read_with(shown, full, [columns, date_col, value_col], workers)
}

/// [`read_returns`] with `workers` parsing threads, or none: the reader
/// parses.
fn read_with(
    shown: &str,
    full: &Path,
    [columns, date_col, value_col]: [usize; 3],
    workers: usize,
) -> Option<Series> {
    let mut file = File::open(full).ok()?;
    let metadata = file.metadata().ok()?;
    let abort = AtomicBool::new(false);
    let (to_parse, parse_queue) = mpsc::sync_channel::<RowBlock>(workers * 2);
    let parse_queue = Mutex::new(parse_queue);
    let (to_hash, hash_queue) = mpsc::sync_channel::<(Arc<Vec<u8>>, usize)>(HASH_AHEAD);
    let (spare, spares) = mpsc::channel::<Vec<u8>>();
    let joiner = Mutex::new(Joiner {
        size: metadata.len(),
        next: 0,
        waiting: BTreeMap::new(),
        dates: Dates::new(),
        values: None,
        last: None,
        spare: Vec::new(),
    });
    // Parses one block into the series (unless an earlier one failed), then
    // gives its buffer back.
    let parse = |(index, block, range): RowBlock, spare: &mpsc::Sender<Vec<u8>>| {
        if !abort.load(Ordering::Relaxed) {
            let mut parsed = joiner
                .lock()
                .ok()
                .and_then(|mut j| j.spare.pop())
                .unwrap_or_default();
            parsed.bytes = range.len();
            let accepted = parse_block(&block[range], columns, date_col, value_col, &mut parsed)
                .and_then(|()| joiner.lock().ok()?.accept(index, parsed));
            if accepted.is_none() {
                abort.store(true, Ordering::Relaxed);
            }
        }
        recycle(block, spare);
    };
    let (sha256, size) = std::thread::scope(|scope| {
        let hasher = {
            let spare = spare.clone();
            scope.spawn(move || {
                let mut hasher = Sha256::new();
                for (block, from) in hash_queue {
                    hasher.update(block.get(from..).unwrap_or_default());
                    recycle(block, &spare);
                }
                format_sha256(&hasher.finalize())
            })
        };
        for _ in 0..workers {
            let spare = spare.clone();
            let (parse_queue, parse) = (&parse_queue, &parse);
            scope.spawn(move || {
                while let Some(block) = parse_queue.lock().ok().and_then(|q| q.recv().ok()) {
                    parse(block, &spare);
                }
            });
        }
        let fed = if workers == 0 {
            feed(
                &mut file,
                &to_hash,
                |block| parse(block, &spare),
                &spares,
                &abort,
            )
        } else {
            // No worker left to take a block (one panicked): give up.
            let send = |block| {
                if to_parse.send(block).is_err() {
                    abort.store(true, Ordering::Relaxed);
                }
            };
            feed(&mut file, &to_hash, send, &spares, &abort)
        };
        drop((to_hash, to_parse, spare));
        let sha256 = hasher.join().ok();
        fed.ok().zip(sha256).map(|(size, sha)| (sha, size))
    })?;
    if abort.load(Ordering::Relaxed) {
        return None;
    }
    let joiner = joiner.into_inner().ok()?;
    let values = joiner.values?;
    if !joiner.waiting.is_empty() || values.len() < 2 {
        return None;
    }
    Some(Series {
        dates: joiner.dates,
        values: values.finish(),
        artifact: Artifact {
            path: shown.to_owned(),
            sha256,
            size,
            modified: modified(&metadata),
        },
    })
}

/// Reads the file in blocks of whole lines: every byte goes to the hasher in
/// file order, and each block's rows (after the header) to `parse`, which
/// parses them or hands them to a parsing thread.
/// Gives up (sets `abort`) on a quote in the header or a file of a header
/// alone. Returns the file's size.
fn feed(
    file: &mut File,
    to_hash: &mpsc::SyncSender<(Arc<Vec<u8>>, usize)>,
    mut parse: impl FnMut(RowBlock),
    spares: &mpsc::Receiver<Vec<u8>>,
    abort: &AtomicBool,
) -> io::Result<u64> {
    let mut size = 0u64;
    // The end of the last line read, carried into the next block; the first
    // `carry_hashed` bytes of it have gone to the hasher already.
    let mut carry: Vec<u8> = Vec::new();
    let mut carry_hashed = 0;
    let mut header_done = false;
    let mut index = 0;
    loop {
        if abort.load(Ordering::Relaxed) {
            return Ok(size);
        }
        let mut block = spares.try_recv().unwrap_or_default();
        block.clear();
        block.extend_from_slice(&carry);
        let hash_from = carry_hashed;
        block.reserve(BLOCK);
        // `read_to_end` fills the spare capacity without zeroing it first.
        let read = file.by_ref().take(BLOCK as u64).read_to_end(&mut block)?;
        size += read as u64;
        let at_end = read == 0;
        let mut rows_from = 0;
        if !header_done {
            let Some(end) = memchr::memchr(b'\n', &block) else {
                if at_end {
                    // A header and no row: the CSV path says so.
                    abort.store(true, Ordering::Relaxed);
                    return Ok(size);
                }
                carry = block;
                continue;
            };
            if block[..end].contains(&b'"') {
                abort.store(true, Ordering::Relaxed);
                return Ok(size);
            }
            rows_from = end + 1;
        }
        let cut = if at_end {
            block.len()
        } else if let Some(last) = memchr::memrchr(b'\n', &block[rows_from..]) {
            rows_from + last + 1
        } else {
            // No line ends here (after the header, if this block has it):
            // nothing has been hashed, all of it comes again.
            carry = block;
            continue;
        };
        header_done = true;
        carry.clear();
        carry.extend_from_slice(&block[cut..]);
        carry_hashed = carry.len();
        let block = Arc::new(block);
        // The hasher first: it is the slower, and works on the block while
        // it is parsed.
        if to_hash.send((Arc::clone(&block), hash_from)).is_err() {
            return Ok(size);
        }
        if cut > rows_from {
            parse((index, block, rows_from..cut));
        }
        index += 1;
        if at_end {
            return Ok(size);
        }
    }
}

/// Parses the lines of one block into `out`; `None` at anything the CSV
/// path must judge.
fn parse_block(
    block: &[u8],
    columns: usize,
    date_col: usize,
    value_col: usize,
    out: &mut Parsed,
) -> Option<()> {
    // A quote could hide line ends and commas in a field this path does not
    // parse. With two columns it parses every field, and neither a date nor
    // a number takes a quote: a quote fails the row, so no search is needed.
    if columns > 2 && memchr::memchr(b'"', block).is_some() {
        return None;
    }
    // A row is at least a date, a comma, a digit and a line end.
    let rows = block.len() / 16;
    out.values.reserve(rows);
    // The day of the last row when it was `YYYY-MM-DDTHH:MM:SSZ`: the rows
    // after it on that day take `timestamp_row`.
    let mut day: Option<([u8; 10], Date)> = None;
    // `date,return` rows may take the shortcut.
    let simple = columns == 2 && date_col == 0 && value_col == 1;
    let mut at = 0;
    while at < block.len() {
        if simple && let Some((bytes, date)) = day {
            let next = day_run(block, at, bytes, date, out)?;
            if next != at {
                at = next;
                continue;
            }
        }
        let end = memchr::memchr(b'\n', &block[at..]).map_or(block.len(), |e| at + e);
        let line = &block[at..end];
        at = end + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // The CSV reader skips empty lines.
        if line.is_empty() {
            continue;
        }
        let (mut moment, mut value) = (None, None);
        let mut fields = 0;
        for (i, field) in line.split(|b| *b == b',').enumerate() {
            fields += 1;
            if i == date_col {
                let raw = field.trim_ascii();
                moment = Some(parse_moment(raw).ok()?);
                day = day_of(raw).zip(moment.map(|m| m.0));
            } else if i == value_col {
                value = Some(parse_number(field.trim_ascii())?);
            }
        }
        if fields != columns {
            return None;
        }
        out.push(moment?, value?)?;
    }
    Some(())
}

/// The first ten bytes of `raw` when it is exactly `YYYY-MM-DDTHH:MM:SSZ`
/// (a UTC time, so that they name its date).
fn day_of(raw: &[u8]) -> Option<[u8; 10]> {
    if raw.len() == 20 && raw[10] == b'T' && raw[19] == b'Z' {
        raw[..10].try_into().ok()
    } else {
        None
    }
}

/// Reads the `YYYY-MM-DDTHH:MM:SSZ,<decimal>` rows from `at` of `block`
/// that fall on the day whose first ten bytes are `day`: the day of the
/// last row pushed, so that only the time of day needs checking for order.
/// Returns where the first row it does not take starts; that row goes the
/// general way. `None` when a row goes back in time (the CSV path must say
/// where). A row it takes has its date and number untrimmed, its time
/// valid, a return's decimal ([`unit_decimal`]) and its line end right
/// after, all within [`ROW_BYTES`] (the last row of a block goes the
/// general way).
#[inline]
fn day_run(
    block: &[u8],
    mut at: usize,
    day: [u8; 10],
    date: Date,
    out: &mut Parsed,
) -> Option<usize> {
    let Some((_, last)) = out.last else {
        return Some(at);
    };
    let (day_head, day_tail) = day.split_at(8);
    let day_head = u64::from_le_bytes(day_head.try_into().ok()?);
    let day_tail = u16::from_le_bytes(day_tail.try_into().ok()?);
    // Within a day, times of the one fixed shape are in order exactly when
    // their texts are: each row's is compared as a big-endian word. (A last
    // time outside the day cannot come from a parsed row; the general way
    // would judge the rows after it.)
    let Some(mut last_key) = clock_key(last) else {
        return Some(at);
    };
    let before = out.values.len();
    while let Some(row) = block.get(at..at + ROW_BYTES) {
        let Ok(row) = <&[u8; ROW_BYTES]>::try_from(row) else {
            break;
        };
        let Some((key, value, len)) = return_row(row, day_head, day_tail) else {
            break;
        };
        if key <= last_key {
            return None;
        }
        out.values.push(value);
        last_key = key;
        at += len;
    }
    let taken = out.values.len() - before;
    if taken > 0 {
        // The run's rows all fall on `date`: one run of dates for all of them.
        out.dates.push_run(date, taken);
        out.last = Some((date, clock_nanos(last_key)));
    }
    Some(at)
}

/// The bytes [`day_run`] reads a row from: the 21 of the time and its comma,
/// a sign, a digit, a point, seven digits and a line end of two bytes.
const ROW_BYTES: usize = 40;

/// `HH:MM:SS` with every digit taken for 0 and the colons as they are.
const CLOCK: u64 = u64::from_le_bytes(*b"00:00:00");

/// A row of [`day_run`] on the day whose first ten bytes are `day_head` and
/// `day_tail`: the big-endian word of its `HH:MM:SS` ([`clock_key`]), its
/// return and its length with the line end. `None` for any other row.
#[inline]
fn return_row(row: &[u8; ROW_BYTES], day_head: u64, day_tail: u16) -> Option<(u64, f64, usize)> {
    // Added to the bytes XORed with `CLOCK`, this sets the top bit of any
    // that is not a digit (0 to 9) where a digit belongs, or not 0 where a
    // colon does; a carry comes only out of a byte already flagged.
    const OVER: u64 = u64::from_le_bytes([0x76, 0x76, 0x7f, 0x76, 0x76, 0x7f, 0x76, 0x76]);
    // Added to valid digits, this sets the top bit of a tens of minutes or
    // of seconds above 5.
    const SIXTY: u64 = u64::from_le_bytes([0, 0, 0, 0x7a, 0, 0, 0x7a, 0]);
    const TOPS: u64 = 0x8080_8080_8080_8080;
    // The largest time of day; with valid minutes and seconds, a text up
    // to it has hours up to 23.
    const LATEST: u64 = u64::from_be_bytes(*b"23:59:59");
    let [head @ .., b'T', _, _, _, _, _, _, _, _, b'Z', b','] = *row.first_chunk::<21>()? else {
        return None;
    };
    let (date_head, date_tail) = head.split_at(8);
    if u64::from_le_bytes(date_head.try_into().ok()?) != day_head
        || u16::from_le_bytes(date_tail.try_into().ok()?) != day_tail
    {
        return None;
    }
    let time = u64::from_le_bytes(*row[11..].first_chunk::<8>()?);
    let digits = time ^ CLOCK;
    if (digits | digits.wrapping_add(OVER) | digits.wrapping_add(SIXTY)) & TOPS != 0 {
        return None;
    }
    let key = time.swap_bytes();
    if key > LATEST {
        return None;
    }
    let (value, len) = unit_decimal(row[21..].first_chunk::<16>()?)?;
    let end = 21 + len;
    let len = match row[end..] {
        [b'\n', ..] => end + 1,
        [b'\r', b'\n', ..] => end + 2,
        _ => return None,
    };
    Some((key, value, len))
}

/// The big-endian word of `HH:MM:SS` for the whole seconds of `nanos` into
/// a day: a time of day is later than `nanos` exactly when its word is
/// greater. `None` outside a day.
fn clock_key(nanos: i64) -> Option<u64> {
    let seconds = u32::try_from(nanos.div_euclid(1_000_000_000)).ok()?;
    if seconds >= 24 * 3600 {
        return None;
    }
    // Hours, minutes and seconds: each below 100.
    let two = |n: u32| u8::try_from(n).map(|n| [b'0' + n / 10, b'0' + n % 10]);
    let [h0, h1] = two(seconds / 3600).ok()?;
    let [m0, m1] = two(seconds / 60 % 60).ok()?;
    let [s0, s1] = two(seconds % 60).ok()?;
    Some(u64::from_be_bytes([h0, h1, b':', m0, m1, b':', s0, s1]))
}

/// The nanoseconds into the day of a [`clock_key`] of valid digits.
fn clock_nanos(key: u64) -> i64 {
    let [h0, h1, _, m0, m1, _, s0, s1] = (key.swap_bytes() ^ CLOCK).to_le_bytes().map(i64::from);
    (((h0 * 10 + h1) * 60 + m0 * 10 + m1) * 60 + s0 * 10 + s1) * 1_000_000_000
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::strategy::series::Backtest;
    use crate::strategy::series::testutil::{table, write};

    /// The same file through both paths: the same values, dates and digest.
    fn both_paths(content: &str) -> (Option<Series>, Backtest) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "r.csv", content);
        // Small enough that `Backtest` reads it with the CSV reader, large
        // enough to span blocks.
        let size = content.len() as u64;
        assert!(size < FAST_FROM && size > 1 << 22, "{size} bytes");
        let fast = read_returns("r.csv", &dir.path().join("r.csv"), 2, 0, 1);
        let slow = Backtest::from_table("backtest", &table(r#"path = "r.csv""#), dir.path())
            .expect("a valid file");
        (fast, slow)
    }

    fn rows(n: usize, intraday: bool) -> String {
        let mut text = String::from("date,return\n");
        let mut day = jiff::civil::date(1990, 1, 1);
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for i in 0..n {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let value = f64::from(u32::try_from(state % 2_000_001).unwrap()) / 1e8 - 0.01;
            if intraday {
                // Mostly returns of seven decimals, which `day_run` takes,
                // and some of more, and some line ends of two bytes.
                let minute = i % 360;
                let time = format!("{day}T{:02}:{:02}:00Z", 10 + minute / 60, minute % 60);
                let end = if i % 7 == 0 { "\r" } else { "" };
                let _ = if i % 5 == 0 {
                    writeln!(text, "{time},{value}{end}")
                } else {
                    writeln!(text, "{time},{value:.7}{end}")
                };
                if i % 360 == 359 {
                    day = day.tomorrow().unwrap();
                }
            } else {
                let _ = writeln!(text, "{day}, {value:.7}\r");
                day = day.tomorrow().unwrap();
            }
        }
        text
    }

    #[test]
    fn agrees_with_the_csv_path() {
        for content in [rows(200_000, false), rows(200_000, true)] {
            let (fast, slow) = both_paths(&content);
            let fast = fast.expect("a plain file takes the fast path");
            assert_eq!(fast.values, slow.returns);
            assert_eq!(fast.dates, slow.dates);
            assert_eq!(fast.artifact.sha256, slow.artifact.sha256);
            assert_eq!(fast.artifact.size, slow.artifact.size);
        }
    }

    /// The reader parsing every block itself, and one to three threads
    /// parsing them: the same series (this machine's core count picks one).
    #[test]
    fn any_number_of_parsing_threads() {
        let content = rows(200_000, true);
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "r.csv", &content);
        let path = dir.path().join("r.csv");
        let read = |workers| read_with("r.csv", &path, [2, 0, 1], workers).expect("plain");
        let inline = read(0);
        assert_eq!(inline.values.len(), 200_000);
        for workers in 1..=3 {
            let parallel = read(workers);
            assert_eq!(parallel.values, inline.values);
            assert_eq!(parallel.dates, inline.dates);
            assert_eq!(parallel.artifact, inline.artifact);
        }
        // A row out of order in the middle: every way gives up.
        let damaged = content.replacen("1990-06-01T12:00:00Z", "1990-06-01T09:00:00Z", 1);
        assert_ne!(damaged, content);
        write(dir.path(), "r.csv", &damaged);
        for workers in 0..=3 {
            assert!(read_with("r.csv", &path, [2, 0, 1], workers).is_none());
        }
    }

    #[test]
    fn gives_up_on_what_the_csv_path_must_judge() {
        let good = rows(1000, false);
        let cases = [
            good.replacen("0.00", "\"0.00", 1),
            good.replace("1990-02-01", "1990-01-31"),
            good.replacen("\r\n", ",extra\r\n", 7),
            good.replacen("0.00", "abc", 3),
            "date,return\n1990-01-01,0.1\n".to_owned(),
            // 10:00 at UTC-15:00 is 01:00 on the 3rd: the next row, on the
            // 2nd, goes back in time, though it shares the text of its day.
            rows(1000, true).replacen("1990-01-02T10:00:00Z", "1990-01-02T10:00:00-15:00", 1),
        ];
        let dir = tempfile::tempdir().unwrap();
        for content in cases {
            write(dir.path(), "r.csv", &content);
            assert!(read_returns("r.csv", &dir.path().join("r.csv"), 2, 0, 1).is_none());
        }
        // A quoted field, which the CSV reader takes as its content.
        write(
            dir.path(),
            "r.csv",
            "date,return\n1990-01-01,\"0.01\"\n1990-01-02,0.02\n1990-01-03,0.03\n",
        );
        assert!(read_returns("r.csv", &dir.path().join("r.csv"), 2, 0, 1).is_none());
        // A third column, not parsed, whose quotes hide a line end and what
        // reads as a valid row: only the search for quotes sees it.
        let mut noted = String::from(
            "date,return,note\n1990-01-01,0.01,a\n1990-01-02,0.02,\"b\n1990-01-03,0.03,c\"\n",
        );
        let mut day = jiff::civil::date(1990, 1, 4);
        for _ in 0..1000 {
            let _ = writeln!(noted, "{day},0.01,x");
            day = day.tomorrow().unwrap();
        }
        write(dir.path(), "r.csv", &noted);
        assert!(read_returns("r.csv", &dir.path().join("r.csv"), 3, 0, 1).is_none());
    }

    /// Damage anywhere in a file: the fast path either gives up or agrees
    /// with the CSV reader, which must then accept the file too.
    #[test]
    fn damaged_files_give_up_or_agree() {
        let valid = rows(160_000, true).into_bytes();
        let noise = b",.\n\r\"-+e0123456789 :TZ\xff";
        let mut rng = crate::damage::Xorshift::new(0x2545_f491_4f6c_dd1d_u64);
        let mut next = |bound: usize| rng.below(bound);
        let dir = tempfile::tempdir().unwrap();
        for _ in 0..12 {
            let mut bytes = valid.clone();
            let at = 12 + next(bytes.len() - 12);
            match next(3) {
                0 => bytes[at] = noise[next(noise.len())],
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, noise[next(noise.len())]),
            }
            gives_up_or_agrees(dir.path(), &bytes);
        }
    }

    /// The fast path on `bytes` written to `r.csv` in `dir` either gives up
    /// or agrees with the CSV reader, which must then accept the file too;
    /// whether it gave up.
    fn gives_up_or_agrees(dir: &Path, bytes: &[u8]) -> bool {
        let path = dir.join("r.csv");
        std::fs::write(&path, bytes).unwrap();
        let slow = Backtest::from_table("backtest", &table(r#"path = "r.csv""#), dir);
        let Some(fast) = read_returns("r.csv", &path, 2, 0, 1) else {
            return true;
        };
        let slow = slow.expect("what the fast path accepts, the CSV reader accepts");
        assert_eq!(fast.values, slow.returns);
        assert_eq!(fast.dates, slow.dates);
        false
    }

    /// A row of a day's run: every time of day in range, none out of it;
    /// the row's length with its line end; the clock's word as text orders.
    #[test]
    fn return_rows() {
        let day = *b"1990-01-02";
        let head = u64::from_le_bytes(day[..8].try_into().unwrap());
        let tail = u16::from_le_bytes(day[8..].try_into().unwrap());
        let row = |text: &str| {
            let mut bytes = [b'#'; ROW_BYTES];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            return_row(&bytes, head, tail)
        };
        let mut keys = Vec::new();
        for seconds in (0..24 * 3600).step_by(7) {
            let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
            let text = format!("1990-01-02T{h:02}:{m:02}:{s:02}Z,-0.0012345\n");
            let (key, value, len) = row(&text).expect(&text);
            assert_eq!((value, len), (-0.001_234_5, text.len()));
            let nanos = i64::from(seconds) * 1_000_000_000;
            assert_eq!(clock_nanos(key), nanos);
            assert_eq!(clock_key(nanos), Some(key));
            assert_eq!(clock_key(nanos + 999_999_999), Some(key));
            keys.push(key);
        }
        assert!(keys.is_sorted() && keys.windows(2).all(|k| k[0] != k[1]));
        assert_eq!(clock_key(24 * 3600 * 1_000_000_000), None);
        assert_eq!(row("1990-01-02T10:00:00Z,0.5\r\n").map(|r| r.2), Some(26));
        for odd in [
            "1990-01-02T24:00:00Z,0.5\n",
            "1990-01-02T30:00:00Z,0.5\n",
            "1990-01-02T23:60:00Z,0.5\n",
            "1990-01-02T23:59:60Z,0.5\n",
            "1990-01-02T10:60:00Z,0.5\n",
            "1990-01-02T10:00:60Z,0.5\n",
            "1990-01-02T23:5:59Z,0.5\n",
            "1990-01-02 10:00:00Z,0.5\n",
            "1990-01-03T10:00:00Z,0.5\n",
            "1990-01-02T10:00:00+00:00,0.5\n",
            "1990-01-02T10:00:00Z,0.5\r",
            "1990-01-02T10:00:00Z,0.5 \n",
            "1990-01-02T10:00:00Z,12.5\n",
            "1990-01-02T10:00:00Z,0.12345678\n",
        ] {
            assert_eq!(row(odd), None, "{odd}");
        }
    }

    /// Rows amid a day's run of rows, or ending it, that are almost of its
    /// shape: times out of range or out of order, other signs, numbers and
    /// line ends. (A bad time ending a day is followed by a good one, on
    /// the next day.)
    #[test]
    fn odd_rows_in_a_run() {
        let valid = rows(160_000, true);
        let (amid, last) = ("1990-01-02T10:01:00Z,", "1990-01-02T15:59:00Z,");
        assert!(valid.contains(amid) && valid.contains(last));
        let dir = tempfile::tempdir().unwrap();
        for (row, odd, gives_up) in [
            (amid, "1990-01-02T10:00:00Z,", true),
            (amid, "1990-01-02T09:59:59Z,", true),
            (amid, "1990-01-02T1O:01:00Z,", true),
            (amid, "1990-01-02T10:01:00.5Z,", false),
            (amid, "1990-01-02T10:00:00.5Z,", false),
            (amid, "1990-01-02T10:00:00+00:00,", true),
            (amid, "1990-01-02T10:01:00Z,+", false),
            (amid, "1990-01-02T10:01:00Z,1", false),
            (amid, "1990-01-02T10:01:00Z, ", false),
            (last, "1990-01-02T24:00:00Z,", true),
            (last, "1990-01-02T23:60:00Z,", true),
            (last, "1990-01-02T23:59:61Z,", true),
            (last, "1990-01-02T23:59:59Z,", false),
            (last, "1990-01-02T16:00:00Z,-", false),
        ] {
            let bytes = valid.replacen(row, odd, 1).into_bytes();
            assert_eq!(gives_up_or_agrees(dir.path(), &bytes), gives_up, "{odd}");
        }
    }
}
