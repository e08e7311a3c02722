//! The order log, read as a stream: every execution matches an order, no fill
//! exceeds its order, every order had an approving risk decision first, and
//! no client order ID is used twice.
//!
//! `[inputs.order_log] path = "orders.csv"`: one event per row, in time order,
//! with the columns
//!
//! | column | meaning |
//! |--------|---------|
//! | `time` | RFC 3339 timestamp |
//! | `event` | `risk` (a pre-trade decision), `order` (sent), `fill`, `cancel` |
//! | `client_order_id` | the order the event belongs to |
//! | `quantity` | order quantity (`order`) or fill quantity (`fill`) |
//! | `decision` | `approve` or `reject` (`risk` events; empty otherwise) |
//!
//! Memory is bounded by the orders open at a time (plus 8 bytes per order for
//! the duplicate check), never by the length of the file.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::BuildHasher as _;

use sha2::Digest as _;

use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use serde::Serialize;

/// One problem found in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    /// The log's line.
    pub line: u64,
    /// The client order ID.
    pub client_order_id: String,
    /// What is wrong.
    pub problem: String,
}

/// Breaks of one kind: how many, and the first [`Breaks::KEEP`] of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Breaks {
    /// How many were found.
    pub count: u64,
    /// The first of them, in log order.
    pub first: Vec<Break>,
}

impl Breaks {
    /// How many breaks of a kind are kept as examples (all are counted).
    pub const KEEP: usize = 50;

    fn push(&mut self, line: u64, client_order_id: String, problem: String) {
        self.count += 1;
        if self.first.len() < Self::KEEP {
            self.first.push(Break {
                line,
                client_order_id,
                problem,
            });
        }
    }
}

/// What a pass over the order log found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OrderLogSummary {
    /// Orders sent.
    pub orders: u64,
    /// Fills.
    pub fills: u64,
    /// Orders still open at the end of the log.
    pub open_at_end: usize,
    /// The most orders open at once (the pass's memory).
    pub max_open: usize,
    /// Fills of no known order, or of an order already complete.
    pub unknown_fills: Breaks,
    /// Fills taking an order past its quantity.
    pub overfills: Breaks,
    /// Orders sent without an approving risk decision before them.
    pub unapproved_orders: Breaks,
    /// Client order IDs sent twice.
    pub duplicate_ids: Breaks,
    /// Orders identical to another one (symbol, side, quantity, price) sent
    /// within the configured window and not marked `intended`.
    pub identical_orders: Breaks,
}

/// An open order: its quantity and what has filled.
struct Open {
    quantity: f64,
    filled: f64,
}

/// The pass's state: the orders open now, the approvals not yet used, and
/// a hash of every client order ID sent.
///
/// Open orders and approvals are keyed by a 128-bit hash of their ID (two
/// independent 64-bit hashes): no allocation per order, and a collision, at
/// odds of about 2⁻¹²⁸ per pair, is not a practical concern. The duplicate
/// check keeps 64 bits per order to bound its memory; a collision there
/// would report a duplicate that is not one, never hide one.
#[derive(Default)]
struct State {
    summary: OrderLogSummary,
    open: HashMap<u128, Open, Keep>,
    approved: HashMap<u128, u32, Keep>,
    seen: HashSet<u64, Keep>,
    hasher: Hashers,
}

/// Two independently seeded hashers.
struct Hashers(foldhash::fast::FixedState, foldhash::fast::FixedState);

impl Default for Hashers {
    fn default() -> Self {
        Hashers(
            foldhash::fast::FixedState::with_seed(0x9e37_79b9_7f4a_7c15),
            foldhash::fast::FixedState::with_seed(0x2545_f491_4f6c_dd1d),
        )
    }
}

impl Hashers {
    fn wide(&self, key: &[u8]) -> u128 {
        (u128::from(self.0.hash_one(key)) << 64) | u128::from(self.1.hash_one(key))
    }
}

/// Hash maps keyed by our own hashes: no second hashing.
type Keep = std::hash::BuildHasherDefault<Identity>;

/// The hasher of [`Keep`]: the key is already a hash.
#[derive(Default)]
struct Identity(u64);

impl std::hash::Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    #[allow(clippy::cast_possible_truncation)] // folding the halves is the point
    fn write_u128(&mut self, n: u128) {
        self.0 = (n as u64) ^ ((n >> 64) as u64);
    }
}

impl State {
    fn approve(&mut self, key: &[u8]) {
        *self.approved.entry(self.hasher.wide(key)).or_default() += 1;
    }

    fn order(&mut self, line: u64, key: &[u8], quantity: f64) {
        let text = || String::from_utf8_lossy(key).into_owned();
        self.summary.orders += 1;
        let wide = self.hasher.wide(key);
        #[allow(clippy::cast_possible_truncation)] // the low half suffices here
        if !self.seen.insert(wide as u64) {
            self.summary.duplicate_ids.push(
                line,
                text(),
                "client order ID already used".to_owned(),
            );
        }
        match self.approved.get_mut(&wide) {
            Some(n) if *n > 1 => *n -= 1,
            Some(_) => {
                self.approved.remove(&wide);
            }
            None => self.summary.unapproved_orders.push(
                line,
                text(),
                "sent without an approving risk decision before it".to_owned(),
            ),
        }
        self.open.insert(
            wide,
            Open {
                quantity,
                filled: 0.0,
            },
        );
        self.summary.max_open = self.summary.max_open.max(self.open.len());
    }

    fn fill(&mut self, line: u64, key: &[u8], quantity: f64) {
        let text = || String::from_utf8_lossy(key).into_owned();
        self.summary.fills += 1;
        let wide = self.hasher.wide(key);
        let Some(o) = self.open.get_mut(&wide) else {
            self.summary.unknown_fills.push(
                line,
                text(),
                format!("fill of {quantity} for no open order"),
            );
            return;
        };
        o.filled += quantity;
        if o.filled > o.quantity * (1.0 + 1e-9) {
            let problem = format!("filled {} of an order of {}", o.filled, o.quantity);
            self.summary.overfills.push(line, text(), problem);
        }
        if o.filled >= o.quantity * (1.0 - 1e-9) {
            self.open.remove(&wide);
        }
    }

    fn cancel(&mut self, key: &[u8]) {
        let wide = self.hasher.wide(key);
        self.open.remove(&wide);
    }
}

/// Reads the log from `reader` (CSV with a header) in one pass.
///
/// # Errors
/// A malformed row: `CheckError::Malformed` with `shown:line:column`.
pub fn scan(reader: impl std::io::Read, shown: &str) -> Result<OrderLogSummary, CheckError> {
    scan_with(reader, shown, None)
}

/// The orders of the last `window`, to find identical ones: their times and
/// signatures (a hash of symbol, side, quantity and price).
struct Recent {
    window: jiff::SignedDuration,
    orders: VecDeque<(jiff::Timestamp, u64)>,
    counts: HashMap<u64, usize, Keep>,
}

impl Recent {
    /// Whether an order with `signature` at `at` repeats one of the window; records it.
    fn repeats(&mut self, at: jiff::Timestamp, signature: u64) -> bool {
        while let Some((t, sig)) = self.orders.front().copied() {
            if at.duration_since(t) <= self.window {
                break;
            }
            self.orders.pop_front();
            if let Some(n) = self.counts.get_mut(&sig) {
                *n -= 1;
                if *n == 0 {
                    self.counts.remove(&sig);
                }
            }
        }
        let seen = self.counts.get(&signature).copied().unwrap_or(0) > 0;
        self.orders.push_back((at, signature));
        *self.counts.entry(signature).or_default() += 1;
        seen
    }
}

/// The log's lines, split into fields: plain lines by their commas, a line
/// with a quote by the CSV reader (a record may not span lines). Empty lines
/// are skipped, as CSV readers do, and counted, so that lines are named as
/// an editor shows them.
struct Lines<R> {
    reader: std::io::BufReader<R>,
    buffer: Vec<u8>,
    ranges: Vec<(usize, usize)>,
    /// The current line's number (1-based).
    line: u64,
}

impl<R: std::io::Read> Lines<R> {
    fn new(reader: R) -> Self {
        Lines {
            reader: std::io::BufReader::with_capacity(1 << 16, reader),
            buffer: Vec::new(),
            ranges: Vec::new(),
            line: 0,
        }
    }

    /// Reads the next non-empty line; `false` at the end.
    fn next(&mut self, shown: &str) -> Result<bool, CheckError> {
        use std::io::BufRead as _;
        loop {
            self.buffer.clear();
            let read = self
                .reader
                .read_until(b'\n', &mut self.buffer)
                .map_err(|e| malformed(shown, self.line + 1, 1, &e.to_string()))?;
            if read == 0 {
                return Ok(false);
            }
            self.line += 1;
            while matches!(self.buffer.last(), Some(b'\n' | b'\r')) {
                self.buffer.pop();
            }
            if self.buffer.is_empty() {
                continue;
            }
            self.ranges.clear();
            if self.buffer.contains(&b'"') {
                self.split_quoted(shown)?;
            } else {
                let mut start = 0;
                for end in memchr::memchr_iter(b',', &self.buffer) {
                    self.ranges.push((start, end));
                    start = end + 1;
                }
                self.ranges.push((start, self.buffer.len()));
            }
            return Ok(true);
        }
    }

    /// Splits a line with quotes as CSV does, into the same buffer.
    fn split_quoted(&mut self, shown: &str) -> Result<(), CheckError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&self.buffer[..]);
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
        self.buffer = fields;
        Ok(())
    }

    fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Reads the header line: its field names.
    fn header(&mut self, shown: &str) -> Result<Vec<Vec<u8>>, CheckError> {
        if !self.next(shown)? {
            return Err(malformed(
                shown,
                1,
                1,
                "the file is empty: expected a header row",
            ));
        }
        Ok((0..self.len()).map(|c| self.get(c).to_vec()).collect())
    }

    /// Field `c` of the current line, trimmed.
    fn get(&self, c: usize) -> &[u8] {
        self.ranges
            .get(c)
            .map_or(&[][..], |(a, b)| self.buffer[*a..*b].trim_ascii())
    }
}

/// Accepts the time `t` of the next row, after `last`: RFC 3339 timestamps
/// of one offset sort as text, so a row going back is out of order.
fn in_order(last: &mut Vec<u8>, t: &[u8]) -> Result<(), &'static str> {
    if t.is_empty() || t < last.as_slice() {
        return Err(
            "time is empty or earlier than the previous row's: the log must be in time order",
        );
    }
    last.clear();
    last.extend_from_slice(t);
    Ok(())
}

/// The identical-order check, when a window is set and the log has the
/// columns it needs: the window and the signature columns; and the
/// `intended` column, when there is one.
fn window_check(
    header: &[Vec<u8>],
    quantity: usize,
    window: Option<std::time::Duration>,
) -> (Option<(Recent, [usize; 4])>, Option<usize>) {
    let optional = |name: &str| header.iter().position(|h| h.as_slice() == name.as_bytes());
    let columns = match (optional("symbol"), optional("side"), optional("price")) {
        (Some(a), Some(b), Some(c)) => Some([a, b, quantity, c]),
        _ => None,
    };
    let recent = window
        .and_then(|w| jiff::SignedDuration::try_from(w).ok())
        .zip(columns)
        .map(|(window, columns)| {
            let recent = Recent {
                window,
                orders: VecDeque::new(),
                counts: HashMap::default(),
            };
            (recent, columns)
        });
    (recent, optional("intended"))
}

/// [`scan`], also reporting orders identical to one sent less than `window`
/// before (when the log has `symbol`, `side` and `price` columns; an order
/// whose `intended` column is `true` is exempt).
///
/// # Errors
/// As [`scan`]; and a `time` that is not an RFC 3339 timestamp, when a window is set.
pub fn scan_with(
    reader: impl std::io::Read,
    shown: &str,
    window: Option<std::time::Duration>,
) -> Result<OrderLogSummary, CheckError> {
    let mut rows = Lines::new(reader);
    let header = rows.header(shown)?;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.as_slice() == name.as_bytes())
            .ok_or_else(|| malformed(shown, 1, 1, &format!("no column `{name}`")))
    };
    let (event, id, quantity, decision) = (
        col("event")?,
        col("client_order_id")?,
        col("quantity")?,
        col("decision")?,
    );
    let time = col("time")?;
    let (mut recent, intended) = window_check(&header, quantity, window);
    let mut state = State::default();
    let mut last_time: Vec<u8> = Vec::new();
    while rows.next(shown)? {
        let line = rows.line;
        if rows.len() != header.len() {
            let message = format!(
                "{} fields where the header has {}",
                rows.len(),
                header.len()
            );
            return Err(malformed(shown, line, 1, &message));
        }
        let field = |c: usize| rows.get(c);
        let key = field(id);
        let t = field(time);
        in_order(&mut last_time, t).map_err(|m| malformed(shown, line, time + 1, m))?;
        let number = |c: usize| -> Result<f64, CheckError> {
            std::str::from_utf8(field(c))
                .ok()
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| malformed(shown, line, c + 1, "expected a non-negative number"))
        };
        match field(event) {
            b"risk" => match field(decision) {
                b"approve" => state.approve(key),
                b"reject" => {}
                _ => {
                    return Err(malformed(
                        shown,
                        line,
                        decision + 1,
                        "expected `approve` or `reject`",
                    ));
                }
            },
            b"order" => {
                if let Some((recent, cols)) = recent.as_mut() {
                    let exempt =
                        intended.is_some_and(|c| matches!(field(c), b"true" | b"yes" | b"1"));
                    let at: jiff::Timestamp = std::str::from_utf8(t)
                        .ok()
                        .and_then(|t| t.parse().ok())
                        .ok_or_else(|| {
                            malformed(shown, line, time + 1, "expected an RFC 3339 timestamp")
                        })?;
                    let signature = state.hasher.0.hash_one(cols.map(field));
                    if recent.repeats(at, signature) && !exempt {
                        state.summary.identical_orders.push(
                            line,
                            String::from_utf8_lossy(key).into_owned(),
                            "identical to an order sent within the window".to_owned(),
                        );
                    }
                }
                state.order(line, key, number(quantity)?);
            }
            b"fill" => state.fill(line, key, number(quantity)?),
            b"cancel" => state.cancel(key),
            other => {
                return Err(malformed(
                    shown,
                    line,
                    event + 1,
                    &format!(
                        "unknown event `{}` (expected risk, order, fill or cancel)",
                        String::from_utf8_lossy(other)
                    ),
                ));
            }
        }
    }
    state.summary.open_at_end = state.open.len();
    Ok(state.summary)
}

fn malformed(shown: &str, line: u64, column: usize, message: &str) -> CheckError {
    CheckError::Malformed {
        location: format!("{shown}:{line}:{column}"),
        message: message.to_owned(),
    }
}

/// `[inputs.order_log]`, scanned once per run.
#[derive(Debug)]
pub struct OrderLog {
    /// What the scan found.
    pub summary: OrderLogSummary,
    /// The file read.
    pub artifact: Artifact,
}

impl Input for OrderLog {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let (shown, window) = match source.value() {
            toml::Value::String(p) => (p.clone(), None),
            toml::Value::Table(t) => {
                if let Some(key) = t
                    .keys()
                    .find(|k| !["path", "identical_window"].contains(&k.as_str()))
                {
                    return Err(source.error(format!(
                        "unknown key `{key}` in [inputs.{}] (expected `path`, `identical_window`)",
                        source.name()
                    )));
                }
                let path = t
                    .get("path")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| source.error("expected `path = \"<csv>\"`"))?
                    .to_owned();
                let window = t
                    .get("identical_window")
                    .map(|v| {
                        v.as_str()
                            .ok_or_else(|| "expected a duration such as \"2s\"".to_owned())
                            .and_then(preflight_core::meta::parse_duration)
                            .map_err(|e| source.error(format!("`identical_window`: {e}")))
                    })
                    .transpose()?;
                (path, window)
            }
            _ => return Err(source.error("expected a path to the order log")),
        };
        let full = source.root().join(&shown);
        let file = std::fs::File::open(&full)
            .map_err(|e| source.error(format!("cannot read `{shown}`: {e}")))?;
        let modified = file
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| jiff::Timestamp::try_from(t).ok());
        // Streamed and hashed as it goes: memory follows the open orders,
        // not the size of the file.
        let mut reader = Hashing {
            inner: std::io::BufReader::with_capacity(1 << 16, file),
            hasher: sha2::Sha256::new(),
            size: 0,
        };
        let summary = scan_with(&mut reader, &shown, window)?;
        // The reader stops at the last record; hash whatever follows it too.
        std::io::copy(&mut reader, &mut std::io::sink())
            .map_err(|e| source.error(format!("cannot read `{shown}`: {e}")))?;
        let digest = reader.hasher.finalize();
        Ok(OrderLog {
            summary,
            artifact: Artifact {
                path: shown,
                sha256: format!("sha256:{}", hex::encode(digest)),
                size: reader.size,
                modified,
            },
        })
    }
}

/// A reader that hashes and counts what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: sha2::Sha256,
    size: u64,
}

impl<R: std::io::Read> std::io::Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        sha2::Digest::update(&mut self.hasher, &buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{orders} orders, {fills} fills: {unknown} unknown fills, {over} overfills")]
struct ReconEvidence {
    orders: u64,
    fills: u64,
    unknown: u64,
    over: u64,
    open_at_end: usize,
    max_open: usize,
    unknown_fills: Vec<Break>,
    overfills: Vec<Break>,
}

/// Every execution in the order log matches an open order, and no order is
/// filled beyond its quantity (drop-copy style reconciliation).
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "trading.logic.order-reconciliation",
    title = "Order reconciliation process working",
    group = "Trading Logic",
    severity = "critical",
    owner = "tech-lead",
    inputs = ["order_log"],
    remediation = "investigate every unknown fill and overfill with the broker; the log lists their lines"
)]
pub struct OrderReconciliation;

impl Check for OrderReconciliation {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let log = cx.input::<OrderLog>("order_log")?;
        let s = &log.summary;
        let evidence = ReconEvidence {
            orders: s.orders,
            fills: s.fills,
            unknown: s.unknown_fills.count,
            over: s.overfills.count,
            open_at_end: s.open_at_end,
            max_open: s.max_open,
            unknown_fills: s.unknown_fills.first.clone(),
            overfills: s.overfills.first.clone(),
        };
        let outcome = if s.orders == 0 {
            Outcome::fail("the order log holds no order: there is nothing to reconcile")
        } else if s.unknown_fills.count == 0 && s.overfills.count == 0 {
            Outcome::pass(format!(
                "all {} fills match their {} orders",
                s.fills, s.orders
            ))
        } else {
            let first = s.unknown_fills.first.first().or(s.overfills.first.first());
            Outcome::fail(format!(
                "{} unknown fills and {} overfills{}",
                s.unknown_fills.count,
                s.overfills.count,
                first.map_or_else(String::new, |b| format!(
                    "; first on line {}: `{}` {}",
                    b.line, b.client_order_id, b.problem
                ))
            ))
        };
        Ok(outcome
            .with_evidence(&evidence)
            .with_artifact(log.artifact.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "time,event,client_order_id,quantity,decision\n\
        2024-01-02T14:30:00Z,risk,A1,,approve\n\
        2024-01-02T14:30:00Z,order,A1,100,\n\
        2024-01-02T14:30:01Z,fill,A1,60,\n\
        2024-01-02T14:30:02Z,fill,A1,40,\n\
        2024-01-02T14:30:03Z,order,B2,50,\n\
        2024-01-02T14:30:04Z,fill,B2,70,\n\
        2024-01-02T14:30:05Z,fill,Z9,10,\n\
        2024-01-02T14:30:06Z,risk,A1,,approve\n\
        2024-01-02T14:30:06Z,order,A1,5,\n";

    #[test]
    fn one_pass_finds_every_kind_of_break() {
        let s = scan(LOG.as_bytes(), "orders.csv").unwrap();
        assert_eq!((s.orders, s.fills), (3, 4));
        assert_eq!(s.unknown_fills.first[0].line, 8);
        assert_eq!(s.unknown_fills.first[0].client_order_id, "Z9");
        assert_eq!(s.overfills.first[0].line, 7);
        assert_eq!(s.unapproved_orders.first[0].client_order_id, "B2");
        assert_eq!(s.duplicate_ids.first[0].line, 10);
        // Each order completed before the next was sent: one open at a time.
        assert_eq!(s.max_open, 1);
        assert_eq!(s.open_at_end, 1);
    }

    #[test]
    fn malformed_rows_name_line_and_column() {
        let bad = LOG.replace("fill,A1,60", "fill,A1,sixty");
        let err = scan(bad.as_bytes(), "orders.csv").unwrap_err();
        assert!(err.to_string().starts_with("orders.csv:4:4: "), "{err}");
        let unordered = LOG.replace("14:30:05Z", "14:29:00Z");
        let err = scan(unordered.as_bytes(), "orders.csv").unwrap_err();
        assert!(err.to_string().starts_with("orders.csv:8:1: "), "{err}");
    }

    /// Random damage to a valid log never panics: the scan either finishes
    /// with consistent counts or names a line.
    #[test]
    fn damaged_logs_never_panic() {
        let noise = b",\n\r\"-.0123456789ZTabz\xff";
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % bound as u64).unwrap()
        };
        for _ in 0..3000 {
            let mut bytes = LOG.as_bytes().to_vec();
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
            match scan(&bytes[..], "orders.csv") {
                Ok(s) => assert!(s.unknown_fills.count + s.overfills.count <= s.fills),
                Err(e) => assert!(e.to_string().starts_with("orders.csv:"), "{e}"),
            }
        }
    }

    #[test]
    fn identical_orders_inside_the_window_unless_intended() {
        let log = "time,event,client_order_id,symbol,side,quantity,price,decision,intended\n\
            2025-01-27T14:30:00.000Z,order,A,ACME,buy,100,10.00,,\n\
            2025-01-27T14:30:00.500Z,order,B,ACME,buy,100,10.00,,\n\
            2025-01-27T14:30:00.700Z,order,C,ACME,buy,100,10.00,,true\n\
            2025-01-27T14:30:00.800Z,order,D,ACME,sell,100,10.00,,\n\
            2025-01-27T14:30:05.000Z,order,E,ACME,buy,100,10.00,,\n";
        let s = scan_with(
            log.as_bytes(),
            "orders.csv",
            Some(std::time::Duration::from_secs(1)),
        )
        .unwrap();
        assert_eq!(s.identical_orders.count, 1);
        assert_eq!(s.identical_orders.first[0].client_order_id, "B");
        // Without a window, nothing is compared.
        let s = scan(log.as_bytes(), "orders.csv").unwrap();
        assert_eq!(s.identical_orders.count, 0);
    }

    /// Quoted fields go through the CSV reader; blank lines and `\r\n` keep
    /// the lines as an editor numbers them.
    #[test]
    fn quotes_blank_lines_and_crlf() {
        let log = "time,event,client_order_id,quantity,decision\r\n\r\n\
            2025-01-27T14:30:00Z,risk,\"A,1\",,approve\r\n\
            2025-01-27T14:30:01Z,order,\"A,1\",100,\r\n\
            \r\n\
            2025-01-27T14:30:02Z,fill,\"A,1\",100,\r\n\
            2025-01-27T14:30:03Z,fill,B,5,\r\n";
        let s = scan(log.as_bytes(), "orders.csv").unwrap();
        assert_eq!((s.orders, s.fills, s.unapproved_orders.count), (1, 2, 0));
        assert_eq!(s.unknown_fills.first[0].line, 7);
        assert_eq!(s.unknown_fills.first[0].client_order_id, "B");
        let short = log.replace("fill,B,5,", "fill,B");
        let err = scan(short.as_bytes(), "orders.csv").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("orders.csv:7:1: 3 fields where the header has 5"),
            "{err}"
        );
    }
}
