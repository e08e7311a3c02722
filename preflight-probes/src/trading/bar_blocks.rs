//! The bars of a file read on several threads: the reading thread hands
//! over blocks of whole lines; a dispatching thread numbers them (counting
//! their line ends, so every worker knows the line its block starts on);
//! workers split and parse the blocks in parallel, each into compact rows
//! with its own symbol table; and the calling thread applies the parsed
//! blocks in file order to the one pass that judges the rules and the
//! coverage, so the result is exactly the sequential one (a test compares
//! them). The first malformed line in file order is the error, as when the
//! file is read on one thread.
//!
//! Memory stays flat: a few blocks are in flight at a time.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, mpsc};

use preflight_core::CheckError;

use super::bars::{BarColumns, BarsOptions, BarsSummary, Pass, coverage_for, scan_lines};
use crate::lines::{Block, Chunks, Clock, Lines, Nanos};

/// One parsed bar.
struct Row {
    line: u64,
    /// Its symbol in the block's own table.
    symbol: u32,
    time: Nanos,
    values: [f64; 5],
    /// The values that are not finite numbers, one bit each.
    bad: u8,
}

/// A parsed block: its rows, its symbols, and the texts of the values
/// that are not numbers (by row and column).
struct Parsed {
    rows: Vec<Row>,
    symbols: Vec<Vec<u8>>,
    texts: Vec<(usize, usize, Vec<u8>)>,
}

/// A block's symbols by name.
#[derive(Default)]
struct Names {
    list: Vec<Vec<u8>>,
    index: HashMap<Vec<u8>, u32, foldhash::fast::RandomState>,
    recent: usize,
}

impl Names {
    /// Linear search below this many names.
    const FEW: usize = 16;

    fn id(&mut self, name: &[u8]) -> u32 {
        let n = self.list.len();
        if n <= Self::FEW {
            for k in 0..n {
                let i = (self.recent + k) % n;
                if self.list[i] == name {
                    self.recent = i;
                    return u32::try_from(i).unwrap_or(u32::MAX);
                }
            }
        } else if let Some(&i) = self.index.get(name) {
            return i;
        }
        let id = u32::try_from(n).unwrap_or(u32::MAX);
        self.list.push(name.to_vec());
        self.index.insert(name.to_vec(), id);
        id
    }
}

/// Parses the block that starts after line `base` of its file.
fn parse(
    block: Vec<u8>,
    base: u64,
    columns: &BarColumns,
    shown: &str,
    recycle: &mpsc::Sender<Vec<u8>>,
) -> Result<Parsed, CheckError> {
    let mut lines = Lines::starting_at(Block(Some(block)), base);
    let mut clock = Clock::default();
    let mut names = Names::default();
    let mut rows = Vec::new();
    let mut texts = Vec::new();
    while let Some(bar) = columns.next(&mut lines, &mut clock, shown)? {
        let mut values = [0.0; 5];
        let mut bad = 0;
        for (i, value) in bar.values.iter().enumerate() {
            match value {
                Ok(v) => values[i] = *v,
                Err(text) => {
                    bad |= 1 << i;
                    texts.push((rows.len(), i, text.to_vec()));
                }
            }
        }
        rows.push(Row {
            line: bar.line,
            symbol: names.id(bar.symbol),
            time: bar.time,
            values,
            bad,
        });
    }
    // The reading thread may be done: then nobody needs it back.
    let _ = recycle.send(lines.into_buffer());
    Ok(Parsed {
        rows,
        symbols: names.list,
        texts,
    })
}

/// Applies a parsed block to the pass, in its order.
fn apply(pass: &mut Pass, parsed: &Parsed) {
    let symbols: Vec<usize> = parsed.symbols.iter().map(|s| pass.symbol(s)).collect();
    let mut texts = parsed.texts.iter().peekable();
    for (r, row) in parsed.rows.iter().enumerate() {
        let mut values: [Result<f64, &[u8]>; 5] = row.values.map(Ok);
        if row.bad != 0 {
            while let Some((_, column, text)) = texts.next_if(|t| t.0 == r) {
                values[*column] = Err(text.as_slice());
            }
        }
        pass.bar(row.line, symbols[row.symbol as usize], row.time, values);
    }
}

/// Scans the bars of `chunks` with `workers` parsing threads (the
/// sequential scan for fewer than two, or when the header does not end in
/// the first block).
pub(super) fn scan_chunks(
    mut chunks: Chunks,
    shown: &str,
    options: BarsOptions,
    workers: usize,
) -> Result<BarsSummary, CheckError> {
    let Some(first) = chunks.next_block() else {
        return scan_lines(&mut Lines::new(chunks), shown, options);
    };
    if workers < 2 || memchr::memchr(b'\n', &first).is_none() {
        chunks.put_back(first);
        return scan_lines(&mut Lines::new(chunks), shown, options);
    }
    let mut head = Lines::new(Block(Some(first.clone())));
    let columns = BarColumns::read(&mut head, shown)?;
    let Some((rest, header_lines)) = head.into_rest() else {
        chunks.put_back(first);
        return scan_lines(&mut Lines::new(chunks), shown, options);
    };
    let options = coverage_for(options, columns.daily, shown, columns.time())?;
    let recycle = chunks.recycler();
    let (to_workers, work) = mpsc::sync_channel::<(u64, u64, Vec<u8>)>(workers * 2);
    // Shared by the workers, dropped with the last: a dispatcher blocked on
    // sending then stops.
    let work = Arc::new(Mutex::new(work));
    let (to_main, results) = mpsc::sync_channel::<(u64, Result<Parsed, CheckError>)>(workers * 4);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut block = Some(rest);
            let (mut index, mut line) = (0u64, header_lines);
            while let Some(next) = block.take().or_else(|| chunks.next_block()) {
                let ends = memchr::memchr_iter(b'\n', &next).count() as u64;
                if to_workers.send((index, line, next)).is_err() {
                    return;
                }
                index += 1;
                line += ends;
            }
        });
        for _ in 0..workers {
            let (work, to_main, recycle) = (Arc::clone(&work), to_main.clone(), recycle.clone());
            let columns = &columns;
            scope.spawn(move || {
                loop {
                    let job = work.lock().ok().and_then(|w| w.recv().ok());
                    let Some((index, base, block)) = job else {
                        return;
                    };
                    let parsed = parse(block, base, columns, shown, &recycle);
                    if to_main.send((index, parsed)).is_err() {
                        return;
                    }
                }
            });
        }
        drop((to_main, work));
        let mut pass = Pass::new(options);
        if !columns.has_symbol() {
            pass.symbol(b"");
        }
        let mut waiting: BTreeMap<u64, Result<Parsed, CheckError>> = BTreeMap::new();
        let mut next = 0;
        for (index, parsed) in &results {
            waiting.insert(index, parsed);
            while let Some(parsed) = waiting.remove(&next) {
                apply(&mut pass, &parsed?);
                next += 1;
            }
        }
        Ok(pass.finish(columns.daily))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::{in_both_readings, scan_hashed_chunks};
    use crate::trading::bars::{Rule, scan_bars};
    use crate::trading::calendar::Calendar;
    use crate::trading::coverage::CoverageOptions;
    use std::fmt::Write as _;

    /// `text` scanned from a file on `workers` threads, the same whether
    /// the file is read on a thread of its own or in turn with the scan.
    fn parallel(text: &str, options: BarsOptions, workers: usize) -> Result<BarsSummary, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bars.csv");
        std::fs::write(&path, text).unwrap();
        in_both_readings(&path, |file, reading| {
            match scan_hashed_chunks(file, reading, |chunks| {
                scan_chunks(chunks, "bars.csv", options, workers)
            }) {
                Ok((summary, _, _)) => Ok(summary),
                Err(crate::lines::Scanned::Log(e)) => Err(e.to_string()),
                Err(crate::lines::Scanned::Io(e)) => panic!("{e}"),
            }
        })
    }

    fn sequential(text: &str, options: BarsOptions) -> Result<BarsSummary, String> {
        scan_bars(text.as_bytes(), "bars.csv", options).map_err(|e| e.to_string())
    }

    /// Many blocks of one-minute bars of five symbols, with defects of
    /// every rule spread over them, blank lines and CRLF line ends.
    fn file() -> String {
        let nyse = Calendar::by_code("XNYS").unwrap();
        let mut text = String::from("\r\ntimestamp,symbol,open,high,low,close,volume\r\n");
        let mut n = 0u64;
        for session in nyse
            .sessions(
                jiff::civil::date(2025, 1, 2),
                jiff::civil::date(2025, 1, 24),
            )
            .unwrap()
        {
            let mut minute = session.open;
            while minute < session.close {
                for symbol in ["A", "BB", "CCC", "DDDD", "EEEEE"] {
                    n += 1;
                    let close = 10.0 + f64::from(u8::try_from(n % 7).unwrap()) * 0.01;
                    let (high, volume) = match n % 997 {
                        0 => (close - 1.0, "5".to_owned()),
                        1 => (close, "0".to_owned()),
                        2 => (close, "x".to_owned()),
                        _ => (close + 0.5, (n % 50 + 1).to_string()),
                    };
                    if n.is_multiple_of(1999) {
                        continue;
                    }
                    writeln!(text, "{minute},{symbol},10,{high},9.5,{close},{volume}").unwrap();
                    if n.is_multiple_of(2999) {
                        text += "\n";
                        writeln!(text, "{minute},{symbol},10,{high},9.5,{close},{volume}").unwrap();
                    }
                }
                minute += jiff::SignedDuration::from_mins(1);
            }
        }
        text
    }

    #[test]
    fn the_parallel_scan_is_the_sequential_one() {
        let text = file();
        assert!(text.len() > 8 * (1 << 17), "several blocks: {}", text.len());
        let nyse = Calendar::by_code("XNYS").unwrap();
        for options in [
            BarsOptions::default(),
            BarsOptions::default().with_coverage(
                CoverageOptions::new(nyse).interval(std::time::Duration::from_secs(60)),
            ),
        ] {
            let expected = sequential(&text, options).unwrap();
            for rule in [
                Rule::NonFinite,
                Rule::OhlcInconsistent,
                Rule::DuplicateTimestamps,
                Rule::ZeroVolume,
            ] {
                assert!(expected.findings(rule).count > 1, "{rule:?}: {expected:?}");
            }
            for workers in [1, 2, 3] {
                assert_eq!(
                    parallel(&text, options, workers).unwrap(),
                    expected,
                    "{workers} workers"
                );
            }
        }
    }

    #[test]
    fn the_first_malformed_line_in_file_order_is_the_error() {
        let mut text = file();
        // Two malformed lines in different blocks: the earlier one counts.
        let lines: Vec<&str> = text.lines().collect();
        let (early, late) = (lines.len() / 3, 2 * lines.len() / 3);
        let damaged: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| match i {
                _ if i == early => l.replacen(",10,", ",", 1),
                _ if i == late => l.replacen("Z,", "Q,", 1),
                _ => (*l).to_owned(),
            })
            .collect();
        text = damaged.join("\n") + "\n";
        let expected = sequential(&text, BarsOptions::default()).unwrap_err();
        assert!(
            expected.starts_with(&format!("bars.csv:{}:1: 6 fields", early + 1)),
            "{expected}"
        );
        assert_eq!(
            parallel(&text, BarsOptions::default(), 2).unwrap_err(),
            expected
        );
    }

    #[test]
    fn small_and_odd_files_read_as_on_one_thread() {
        for text in [
            "",
            "\n\n",
            "timestamp,open,high,low,close,volume",
            "timestamp,open,high,low,close,volume\n",
            "timestamp,open,high,low,close,volume\n2025-01-02T14:30:00Z,1,1,1,1,0",
            "date,open,high,low,close\n2025-01-02,1,1,1,1\n",
        ] {
            assert_eq!(
                parallel(text, BarsOptions::default(), 2),
                sequential(text, BarsOptions::default()),
                "{text:?}"
            );
        }
    }
}
