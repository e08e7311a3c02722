//! A parallel fast path for large, plain return series.
//!
//! A ten-million-row backtest spends most of its time in the CSV reader. When
//! a returns file is large and plain (no quoted field, every row with the
//! header's number of fields), it is read here instead: the calling thread
//! reads blocks of whole lines and hashes them in file order, while worker
//! threads parse blocks in parallel with the very functions the CSV path uses
//! ([`parse_moment`], [`parse_number`]), and the blocks are joined in order.
//!
//! The fast path never reports an error itself: anything it does not accept
//! (a quote, a short row, a bad number, a time out of order, too few rows)
//! makes it give up, and the caller reads the file with the CSV reader, which
//! finds and locates the problem exactly. So both paths accept the same files
//! and produce the same values (a test compares them).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use jiff::civil::Date;
use preflight_core::Artifact;
use sha2::{Digest as _, Sha256};

use super::digest::format_sha256;
use super::read::{modified, parse_moment, parse_number};

/// Files from this size on take the fast path; smaller ones are quick anyway.
pub(super) const FAST_FROM: u64 = 8 << 20;

/// Bytes read at a time (a block ends at the last line end in it).
const BLOCK: usize = 4 << 20;

/// One parsed block: its rows, and its first and last times (date and
/// nanoseconds of the day) for the order check across blocks.
struct Parsed {
    dates: Vec<Date>,
    values: Vec<f64>,
    first: Option<(Date, i64)>,
    last: Option<(Date, i64)>,
}

/// The series of a plain returns file: dates, returns and the file's artifact.
pub(super) struct Series {
    pub(super) dates: Vec<Date>,
    pub(super) values: Vec<f64>,
    pub(super) artifact: Artifact,
}

/// Reads the returns file at `full` (shown as `shown`): column `date_col` of
/// `columns` holds the dates, `value_col` the returns. `None` when the file is
/// not plain or not valid: the CSV path must read it.
pub(super) fn read_returns(
    shown: &str,
    full: &Path,
    columns: usize,
    date_col: usize,
    value_col: usize,
) -> Option<Series> {
    let mut file = File::open(full).ok()?;
    let metadata = file.metadata().ok()?;
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let abort = AtomicBool::new(false);
    let (blocks, queue) = mpsc::sync_channel::<(usize, Vec<u8>)>(workers * 2);
    let queue = Mutex::new(queue);
    // Parsed blocks come back to be filled again: fresh 4 MiB buffers would
    // each cost their page faults.
    let (spare, spares) = mpsc::channel::<Vec<u8>>();
    let results: Mutex<Vec<Option<Parsed>>> = Mutex::new(Vec::new());
    let hashed = std::thread::scope(|scope| {
        for _ in 0..workers {
            let spare = spare.clone();
            scope.spawn(|| {
                let spare = spare;
                loop {
                    let next = queue.lock().ok().and_then(|q| q.recv().ok());
                    let Some((index, block)) = next else { return };
                    if abort.load(Ordering::Relaxed) {
                        continue;
                    }
                    match parse_block(&block, columns, date_col, value_col) {
                        Some(parsed) => {
                            if let Ok(mut results) = results.lock() {
                                if results.len() <= index {
                                    results.resize_with(index + 1, || None);
                                }
                                results[index] = Some(parsed);
                            }
                        }
                        None => abort.store(true, Ordering::Relaxed),
                    }
                    // The reader may have finished: then nobody needs it back.
                    let _ = spare.send(block);
                }
            });
        }
        drop(spare);
        let hashed = feed(&mut file, &blocks, &spares, &abort);
        drop(blocks);
        hashed
    });
    let (sha256, size) = hashed.ok()?;
    if abort.load(Ordering::Relaxed) {
        return None;
    }
    let parsed: Vec<Parsed> = results
        .into_inner()
        .ok()?
        .into_iter()
        .collect::<Option<_>>()?;
    join(parsed, shown, sha256, size, modified(&metadata))
}

/// Reads the file in blocks of whole lines, hashing every byte in order and
/// sending each block after the header to the workers. Gives up (sets
/// `abort`) on a quote in the header.
fn feed(
    file: &mut File,
    blocks: &mpsc::SyncSender<(usize, Vec<u8>)>,
    spares: &mpsc::Receiver<Vec<u8>>,
    abort: &AtomicBool,
) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut carry: Vec<u8> = Vec::new();
    let mut header_done = false;
    let mut index = 0;
    loop {
        if abort.load(Ordering::Relaxed) {
            return Ok((String::new(), size));
        }
        let mut block = spares.try_recv().unwrap_or_default();
        block.clear();
        block.extend_from_slice(&carry);
        carry.clear();
        let start = block.len();
        block.reserve(BLOCK);
        // `read_to_end` fills the spare capacity without zeroing it first.
        let read = file.by_ref().take(BLOCK as u64).read_to_end(&mut block)?;
        hasher.update(&block[start..]);
        size += read as u64;
        let at_end = read == 0;
        if !header_done {
            let Some(end) = block.iter().position(|b| *b == b'\n') else {
                if at_end {
                    // A header and no row: the CSV path says so.
                    abort.store(true, Ordering::Relaxed);
                    return Ok((String::new(), size));
                }
                carry = block;
                continue;
            };
            if block[..end].contains(&b'"') {
                abort.store(true, Ordering::Relaxed);
                return Ok((String::new(), size));
            }
            block.drain(..=end);
            header_done = true;
        }
        let cut = if at_end {
            block.len()
        } else if let Some(last) = block.iter().rposition(|b| *b == b'\n') {
            last + 1
        } else {
            carry = block;
            continue;
        };
        carry.extend_from_slice(&block[cut..]);
        block.truncate(cut);
        if !block.is_empty() && blocks.send((index, block)).is_err() {
            return Ok((String::new(), size));
        }
        index += 1;
        if at_end {
            return Ok((format_sha256(&hasher.finalize()), size));
        }
    }
}

/// Parses the lines of one block; `None` at anything the CSV path must judge.
fn parse_block(block: &[u8], columns: usize, date_col: usize, value_col: usize) -> Option<Parsed> {
    if block.contains(&b'"') {
        return None;
    }
    // A row is at least a date, a comma, a digit and a line end.
    let rows = block.len() / 16;
    let mut parsed = Parsed {
        dates: Vec::with_capacity(rows),
        values: Vec::with_capacity(rows),
        first: None,
        last: None,
    };
    // Intraday rows repeat their day: its date is parsed once.
    let mut day: Option<([u8; 10], Date)> = None;
    // `date,return` rows take the shortcut of `simple_row`.
    let simple = columns == 2 && date_col == 0 && value_col == 1;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', block).chain(std::iter::once(block.len())) {
        let line = &block[start..end];
        start = end + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // The CSV reader skips empty lines.
        if line.is_empty() {
            continue;
        }
        let moment_and_value = if simple {
            simple_row(line, &mut day)
        } else {
            None
        };
        if let Some((moment, value)) = moment_and_value {
            if parsed.last.is_some_and(|p| moment <= p) {
                return None;
            }
            parsed.first.get_or_insert(moment);
            parsed.last = Some(moment);
            parsed.dates.push(moment.0);
            parsed.values.push(value);
            continue;
        }
        let (mut date, mut value) = (None, None);
        let mut fields = 0;
        for (i, field) in line.split(|b| *b == b',').enumerate() {
            fields += 1;
            if i == date_col {
                date = Some(moment(field.trim_ascii(), &mut day)?);
            } else if i == value_col {
                value = Some(parse_number(field.trim_ascii())?);
            }
        }
        if fields != columns {
            return None;
        }
        let moment = date?;
        if parsed.last.is_some_and(|p| moment <= p) {
            return None;
        }
        parsed.first.get_or_insert(moment);
        parsed.last = Some(moment);
        parsed.dates.push(moment.0);
        parsed.values.push(value?);
    }
    Some(parsed)
}

/// A `date,return` row whose date is exactly `YYYY-MM-DD` or
/// `YYYY-MM-DDTHH:MM:SSZ`: the comma is where the date ends, so the row is
/// not searched for it. `None` for any other row, which then goes the
/// general way (and a row the general way rejects makes the block give up).
#[inline]
fn simple_row(line: &[u8], day: &mut Option<([u8; 10], Date)>) -> Option<((Date, i64), f64)> {
    let comma = match line.get(10) {
        Some(b',') => 10,
        Some(b'T') if line.get(20) == Some(&b',') => 20,
        _ => return None,
    };
    let moment = moment(&line[..comma], day)?;
    let value = parse_number(&line[comma + 1..])?;
    Some((moment, value))
}

/// [`parse_moment`], reusing the date of the previous row when a timestamp
/// `YYYY-MM-DDTHH:MM:SSZ` falls on the same day.
#[inline]
fn moment(raw: &[u8], day: &mut Option<([u8; 10], Date)>) -> Option<(Date, i64)> {
    if let [y0, y1, y2, y3, d0, m0, m1, d1, e0, e1, b'T', h0, h1, b':', n0, n1, b':', s0, s1, b'Z'] =
        *raw
        && let Some((bytes, date)) = *day
        // An array compare: no call to `memcmp` for ten bytes.
        && bytes == [y0, y1, y2, y3, d0, m0, m1, d1, e0, e1]
    {
        let two = |a: u8, b: u8| {
            (a.is_ascii_digit() && b.is_ascii_digit())
                .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
        };
        let (h, n, s) = (two(h0, h1)?, two(n0, n1)?, two(s0, s1)?);
        if h < 24 && n < 60 && s < 60 {
            return Some((date, ((h * 60 + n) * 60 + s) * 1_000_000_000));
        }
        return None;
    }
    let parsed = parse_moment(raw).ok()?;
    if raw.len() > 10
        && let Ok(prefix) = <[u8; 10]>::try_from(&raw[..10])
    {
        *day = Some((prefix, parsed.0));
    }
    Some(parsed)
}

/// Joins the blocks in file order, checking the order across them.
fn join(
    parsed: Vec<Parsed>,
    shown: &str,
    sha256: String,
    size: u64,
    modified: Option<jiff::Timestamp>,
) -> Option<Series> {
    let rows: usize = parsed.iter().map(|p| p.values.len()).sum();
    if rows < 2 {
        return None;
    }
    let mut dates = Vec::with_capacity(rows);
    let mut values = Vec::with_capacity(rows);
    let mut last: Option<(Date, i64)> = None;
    for block in parsed {
        if let Some(first) = block.first {
            if last.is_some_and(|l| first <= l) {
                return None;
            }
            last = block.last;
        }
        dates.extend_from_slice(&block.dates);
        values.extend_from_slice(&block.values);
    }
    Some(Series {
        dates,
        values,
        artifact: Artifact {
            path: shown.to_owned(),
            sha256,
            size,
            modified,
        },
    })
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
                let minute = i % 360;
                let _ = writeln!(
                    text,
                    "{day}T{:02}:{:02}:00Z,{value}",
                    10 + minute / 60,
                    minute % 60
                );
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

    #[test]
    fn gives_up_on_what_the_csv_path_must_judge() {
        let good = rows(1000, false);
        let cases = [
            good.replacen("0.00", "\"0.00", 1),
            good.replace("1990-02-01", "1990-01-31"),
            good.replacen("\r\n", ",extra\r\n", 7),
            good.replacen("0.00", "abc", 3),
            "date,return\n1990-01-01,0.1\n".to_owned(),
        ];
        for content in cases {
            let dir = tempfile::tempdir().unwrap();
            write(dir.path(), "r.csv", &content);
            assert!(read_returns("r.csv", &dir.path().join("r.csv"), 2, 0, 1).is_none());
        }
    }

    /// Damage anywhere in a file: the fast path either gives up or agrees
    /// with the CSV reader, which must then accept the file too.
    #[test]
    fn damaged_files_give_up_or_agree() {
        let valid = rows(160_000, true).into_bytes();
        let noise = b",.\n\r\"-+e0123456789 :TZ\xff";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % bound as u64).unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
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
            std::fs::write(&path, &bytes).unwrap();
            let slow = Backtest::from_table("backtest", &table(r#"path = "r.csv""#), dir.path());
            if let Some(fast) = read_returns("r.csv", &path, 2, 0, 1) {
                let slow = slow.expect("what the fast path accepts, the CSV reader accepts");
                assert_eq!(fast.values, slow.returns);
                assert_eq!(fast.dates, slow.dates);
            }
        }
    }
}
