//! The order log, read as a stream: every execution matches an order, no fill
//! exceeds its order, every order had an approving risk decision first, no
//! client order ID is used twice, and (with a window) no order repeats one
//! sent just before it.
//!
//! ```toml
//! [inputs.order_log]
//! path = "orders.csv"        # or a JSON-lines file: orders.jsonl
//! format = "csv"             # or "jsonl"; by default from the extension
//!                            # (`.jsonl` and `.ndjson` are JSON lines)
//! identical_window = "1s"    # optional: the identical-order check
//! ```
//!
//! One event per row (CSV, with a header) or per line (JSON lines: one object
//! a line, with these names as keys; other columns or keys are ignored), in
//! time order:
//!
//! | column | meaning |
//! |--------|---------|
//! | `time` | RFC 3339 timestamp |
//! | `event` | `risk` (a pre-trade decision), `order` (sent), `fill`, `cancel` |
//! | `client_order_id` | the order the event belongs to |
//! | `quantity` | order quantity (`order`) or fill quantity (`fill`), a non-negative number |
//! | `decision` | `approve` or `reject` (`risk` events; empty otherwise) |
//! | `symbol`, `side`, `price` | optional: with `identical_window`, orders with the same symbol, side, quantity and price inside the window are reported (`price` a number, or empty for a market order) |
//! | `intended` | optional: `true` exempts an order from the identical-order check |
//!
//! Memory follows the orders open at a time and the approvals not yet used,
//! never the length of the log: the client order IDs the duplicate check
//! needs are kept in a fixed buffer, and a longer log spills them to
//! unnamed temporary files, split by hash, which are read back one part at
//! a time at the end. A malformed row stops the scan with `file:line:column`.

use std::collections::hash_map::{Entry, OccupiedEntry};
use std::collections::{BinaryHeap, HashMap};
use std::hash::BuildHasher as _;
use std::io::{self, Read, Seek as _, Write as _};

use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use serde::Serialize;

use crate::lines::{Clock, Lines, Nanos, ReadSource, Source, malformed, scan_input};

pub(crate) mod json;
use json::JsonLine;

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

    fn push(&mut self, line: u64, client_order_id: &[u8], problem: String) {
        self.count += 1;
        if self.first.len() < Self::KEEP {
            self.first.push(Break {
                line,
                client_order_id: String::from_utf8_lossy(client_order_id).into_owned(),
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

/// The two formats of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LogFormat {
    /// CSV with a header row.
    #[default]
    Csv,
    /// One JSON object per line.
    JsonLines,
}

/// How to read a log: its format and the identical-order window.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct ScanOptions {
    /// CSV or JSON lines.
    pub format: LogFormat,
    /// Report orders identical to one sent less than this before.
    pub identical_window: Option<std::time::Duration>,
}

impl ScanOptions {
    /// Options for `format`, without the identical-order check.
    #[must_use]
    pub fn new(format: LogFormat) -> Self {
        ScanOptions {
            format,
            identical_window: None,
        }
    }

    /// With the identical-order check over `window`.
    #[must_use]
    pub fn identical_window(mut self, window: std::time::Duration) -> Self {
        self.identical_window = Some(window);
        self
    }
}

/// What the pass knows of one client order ID: approvals not yet used by an
/// order, and, while the order is open, its quantity and what has filled.
/// An ID is forgotten once it has neither.
#[derive(Default)]
struct Pending {
    approvals: u32,
    open: bool,
    quantity: f64,
    filled: f64,
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
    /// The key of a client order ID in the map of open orders and
    /// approvals. An ID of up to 15 bytes is its own key: its bytes in the
    /// low 15 bytes and its length in the top one, read as a few words (two
    /// overlapping reads cover every byte; the overlap is read twice and
    /// shifted out), so two IDs share a key only when they are equal. A
    /// longer ID's key is two independent 64-bit hashes of it, with the top
    /// byte set to `0xff`, which no short ID's length is: two long IDs
    /// share one at odds of about 2⁻¹²⁰ a pair.
    #[inline]
    fn key(&self, id: &[u8]) -> u128 {
        let len = id.len();
        let word = |at: usize| {
            id.get(at..at + 8)
                .and_then(|w| w.try_into().ok())
                .map_or(0, u64::from_le_bytes)
        };
        let half = |at: usize| {
            id.get(at..at + 4)
                .and_then(|w| w.try_into().ok())
                .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
        };
        let byte = |at: usize| u64::from(id.get(at).copied().unwrap_or_default()) << (8 * at);
        let (low, high) = match len {
            // Bytes 8 to `len`: the top `len - 8` of the word that ends the ID.
            8..=15 => (
                word(0),
                u32::try_from(8 * (16 - len))
                    .ok()
                    .and_then(|shift| word(len - 8).checked_shr(shift))
                    .unwrap_or(0),
            ),
            4..=7 => (half(0) | half(len - 4) << (8 * (len - 4)), 0),
            1..=3 => (byte(0) | byte(len / 2) | byte(len - 1), 0),
            0 => (0, 0),
            _ => return self.wide(id) | 0xff << 120,
        };
        u128::from(low) | u128::from(high | (len as u64) << 56) << 64
    }

    /// Two independent 64-bit hashes of `key`, as one 128-bit number: the
    /// key of an ID too long to be its own.
    fn wide(&self, key: &[u8]) -> u128 {
        (u128::from(self.0.hash_one(key)) << 64) | u128::from(self.1.hash_one(key))
    }
}

/// The halves of the product of `a` and `b` folded together (`foldhash`'s
/// mixing step): every bit of each input moves bits all over the result.
#[inline]
#[allow(clippy::cast_possible_truncation)] // folding the halves is the point
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// A 64-bit hash of an ID's [`Hashers::key`], for the duplicate check:
/// its top bits pick a part, its low byte a group, and the middle ones a
/// place in a map, so all of them must vary.
#[inline]
#[allow(clippy::cast_possible_truncation)] // the halves of the key
fn key_hash(key: u128) -> u64 {
    let (low, high) = (key as u64, (key >> 64) as u64);
    fold(
        fold(low ^ 0x243f_6a88_85a3_08d3, high ^ 0x1319_8a2e_0370_7344),
        0xa409_3822_299f_31d0,
    )
}

/// Hash maps keyed by our own hashes and keys: [`Identity`] mixes them
/// once rather than hash them again.
type Keep = std::hash::BuildHasherDefault<Identity>;

/// The hasher of [`Keep`]: a `u64` key is already a hash and kept as it is;
/// a `u128` key ([`Hashers::key`]) may hold an ID's bytes, so it is mixed
/// ([`key_hash`]).
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

    fn write_u128(&mut self, n: u128) {
        self.0 = key_hash(n);
    }
}

/// What an event of the log is, read from its `event` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Risk,
    Order,
    Fill,
    Cancel,
    /// Anything else: an error.
    Unknown,
}

impl Event {
    /// The event `raw` names, its bytes compared as words rather than one
    /// at a time.
    #[inline]
    fn of(raw: &[u8]) -> Event {
        let word = |at: usize| -> u32 {
            raw.get(at..at + 4)
                .and_then(|four| four.try_into().ok())
                .map_or(0, u32::from_le_bytes)
        };
        let of = |text: &[u8; 4]| u32::from_le_bytes(*text);
        match raw.len() {
            4 if word(0) == of(b"risk") => Event::Risk,
            4 if word(0) == of(b"fill") => Event::Fill,
            5 if word(0) == of(b"orde") && raw[4] == b'r' => Event::Order,
            6 if word(0) == of(b"canc") && word(2) == of(b"ncel") => Event::Cancel,
            _ => Event::Unknown,
        }
    }
}

/// One event of the log, whichever its format.
struct Row<'a> {
    time: Nanos,
    /// What it is ([`Event::of`] its `event` field).
    kind: Event,
    /// Its `event` field as written, for the message of an unknown one.
    event: &'a [u8],
    id: &'a [u8],
    /// The quantity of an order or fill.
    quantity: Option<f64>,
    decision: &'a [u8],
    /// Symbol, side, quantity and price hashed, when the log has them.
    signature: Option<u64>,
    intended: bool,
}

/// The field of a row a problem is in.
#[derive(Debug, Clone, Copy)]
enum Field {
    Time,
    Event,
    Quantity,
    Decision,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Time => "time",
            Field::Event => "event",
            Field::Quantity => "quantity",
            Field::Decision => "decision",
        }
    }
}

/// The orders of the last `window`, to find identical ones: the time each
/// signature was last sent.
///
/// The log is in time order, so an order repeats one of the window exactly
/// when the last order with its signature is inside the window. Time is
/// cut into stretches at least a window long: `current` holds the
/// signatures of the stretch under way (from `since`), `previous` those of
/// the one before it, which reaches back at least a window from `since`.
/// An order looks in both; when its time is a window or more past `since`,
/// a new stretch starts with it, the current one becomes the previous, and
/// the previous one is dropped whole (every time in it is more than a
/// window old). No signature is ever removed on its own, which costs more
/// than a lookup, and the maps hold the signatures of two windows at most.
struct Recent {
    window: Nanos,
    since: Nanos,
    current: HashMap<u64, Nanos, Keep>,
    previous: HashMap<u64, Nanos, Keep>,
}

impl Recent {
    fn new(window: Nanos) -> Self {
        Recent {
            window,
            since: Nanos::MIN,
            current: HashMap::default(),
            previous: HashMap::default(),
        }
    }

    /// Whether an order with `signature` at `at` (no earlier than the last
    /// order's) repeats one of the window; records it.
    fn repeats(&mut self, at: Nanos, signature: u64) -> bool {
        let window = self.window;
        // A window of 0 still starts a stretch at each new time.
        if at.saturating_sub(self.since) >= window.max(1) {
            std::mem::swap(&mut self.current, &mut self.previous);
            // Its capacity is kept: the next stretch will need as much.
            self.current.clear();
            self.since = at;
        }
        let within = |before: Nanos| at.saturating_sub(before) <= window;
        if let Some(before) = self.current.insert(signature, at) {
            return within(before);
        }
        self.previous
            .get(&signature)
            .is_some_and(|&before| within(before))
    }

    /// The signatures held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }
}

/// The pass's state: the orders open now, the approvals not yet used, every
/// client order ID sent (in [`SeenIds`]) and the orders of the window.
///
/// Open orders and approvals share one map, keyed by their ID's 128-bit
/// [`Hashers::key`]: one lookup per event and no allocation per order. An
/// ID of up to 15 bytes is its own key, exactly; a longer one is keyed by
/// two independent 64-bit hashes, whose collision, at odds of about 2⁻¹²⁰
/// per pair, is not a practical concern.
struct State {
    summary: OrderLogSummary,
    pending: HashMap<u128, Pending, Keep>,
    /// The entries of `pending` whose order is open.
    open: usize,
    seen: SeenIds,
    hasher: Hashers,
    recent: Option<Recent>,
    last_time: Nanos,
}

impl State {
    fn new(window: Option<std::time::Duration>) -> Self {
        State {
            summary: OrderLogSummary::default(),
            pending: HashMap::default(),
            open: 0,
            seen: SeenIds::default(),
            hasher: Hashers::default(),
            recent: window.map(|w| Recent::new(i64::try_from(w.as_nanos()).unwrap_or(i64::MAX))),
            last_time: Nanos::MIN,
        }
    }

    /// Takes in the event on `line`; a problem in one of its fields is an
    /// error.
    #[allow(
        clippy::inline_always,
        reason = "measured: as a call, the scan runs 3.3 % more instructions"
    )]
    #[inline(always)]
    fn apply(&mut self, line: u64, row: &Row<'_>) -> Result<(), (Field, String)> {
        if row.time < self.last_time {
            return Err((
                Field::Time,
                "earlier than the previous row's: the log must be in time order".to_owned(),
            ));
        }
        self.last_time = row.time;
        let quantity = || {
            row.quantity
                .ok_or_else(|| (Field::Quantity, "expected a non-negative number".to_owned()))
        };
        match row.kind {
            Event::Risk => match row.decision {
                b"approve" => {
                    let key = self.hasher.key(row.id);
                    self.pending.entry(key).or_default().approvals += 1;
                }
                b"reject" => {}
                _ => return Err((Field::Decision, "expected `approve` or `reject`".to_owned())),
            },
            Event::Order => {
                let quantity = quantity()?;
                if let (Some(recent), Some(signature)) = (self.recent.as_mut(), row.signature)
                    && recent.repeats(row.time, signature)
                    && !row.intended
                {
                    self.summary.identical_orders.push(
                        line,
                        row.id,
                        "identical to an order sent within the window".to_owned(),
                    );
                }
                self.order(line, row.id, quantity)
                    .map_err(|e| (Field::Event, e.to_string()))?;
            }
            Event::Fill => {
                let quantity = quantity()?;
                self.fill(line, row.id, quantity);
            }
            Event::Cancel => {
                let key = self.hasher.key(row.id);
                if let Entry::Occupied(known) = self.pending.entry(key)
                    && known.get().open
                {
                    close(&mut self.open, known);
                }
            }
            Event::Unknown => {
                return Err((
                    Field::Event,
                    format!(
                        "unknown event `{}` (expected risk, order, fill or cancel)",
                        String::from_utf8_lossy(row.event)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn order(&mut self, line: u64, key: &[u8], quantity: f64) -> io::Result<()> {
        self.summary.orders += 1;
        let id = self.hasher.key(key);
        self.seen.insert(key_hash(id), line, key)?;
        let pending = self.pending.entry(id).or_default();
        if pending.approvals > 0 {
            pending.approvals -= 1;
        } else {
            self.summary.unapproved_orders.push(
                line,
                key,
                "sent without an approving risk decision before it".to_owned(),
            );
        }
        if !pending.open {
            pending.open = true;
            self.open += 1;
            self.summary.max_open = self.summary.max_open.max(self.open);
        }
        // An ID sent again while its order is open starts that order over.
        pending.quantity = quantity;
        pending.filled = 0.0;
        Ok(())
    }

    fn fill(&mut self, line: u64, key: &[u8], quantity: f64) {
        self.summary.fills += 1;
        let id = self.hasher.key(key);
        let mut known = match self.pending.entry(id) {
            Entry::Occupied(known) if known.get().open => known,
            _ => {
                self.summary.unknown_fills.push(
                    line,
                    key,
                    format!("fill of {quantity} for no open order"),
                );
                return;
            }
        };
        let o = known.get_mut();
        o.filled += quantity;
        if o.filled > o.quantity * (1.0 + 1e-9) {
            let problem = format!("filled {} of an order of {}", o.filled, o.quantity);
            self.summary.overfills.push(line, key, problem);
        }
        if o.filled >= o.quantity * (1.0 - 1e-9) {
            close(&mut self.open, known);
        }
    }

    /// The summary, once the duplicate check has gone over every ID.
    fn finish(mut self, shown: &str) -> Result<OrderLogSummary, CheckError> {
        self.summary.open_at_end = self.open;
        self.summary.duplicate_ids = self.seen.duplicates().map_err(|e| {
            CheckError::msg(format!(
                "{shown}: the duplicate-ID check could not use its temporary files: {e}; point TMPDIR at a writable directory with space"
            ))
        })?;
        Ok(self.summary)
    }
}

/// Closes the open order of `known`, one of the `open` orders, and forgets
/// its ID unless an approval waits for its next order.
fn close(open: &mut usize, mut known: OccupiedEntry<'_, u128, Pending>) {
    known.get_mut().open = false;
    *open -= 1;
    if known.get().approvals == 0 {
        known.remove();
    }
}

/// Every client order ID sent, for the duplicate check, in bounded memory.
///
/// IDs are kept with their line and a 64-bit hash. Up to a budget of them
/// ([`SeenIds::BUDGET`]) are held in memory; past that, each goes to one of
/// [`SeenIds::PARTS`] temporary files chosen by its hash, so that equal IDs
/// land in the same file. At the end each part is read back and its IDs
/// looked up by hash, and IDs with equal hashes are compared byte by byte:
/// a duplicate is exact, never a hash collision. A part too large for the budget is
/// split again by the next bits of the hash.
///
/// A part file holds each ID as its line (the step from the part's previous
/// line) and length, both as LEB128 varints, then its bytes: about 11 bytes
/// for an ID of 8 rather than 28. The hash is not written but computed again
/// ([`SeenIds::hash`]) when the part is read back, which costs less than
/// writing and reading it.
struct SeenIds {
    ids: Ids,
    spilled: Option<Parts>,
    /// IDs held in memory at most ([`SeenIds::BUDGET`]; smaller in tests).
    budget: usize,
    /// The hash `insert` is given for an ID ([`id_hash`]; another in tests,
    /// to make collisions).
    hash: fn(&[u8]) -> u64,
}

/// The 64-bit hash the duplicate check files an ID under: the
/// [`key_hash`] of its [`Hashers::key`], which the scan has at hand.
fn id_hash(id: &[u8]) -> u64 {
    key_hash(Hashers::default().key(id))
}

/// Client order IDs: each one's hash, line and place in `text`.
#[derive(Default)]
struct Ids {
    keys: Vec<IdKey>,
    text: Vec<u8>,
}

#[derive(Clone, Copy)]
struct IdKey {
    hash: u64,
    line: u64,
    start: usize,
    end: usize,
}

/// The temporary files of a spill, each with the bytes not yet written to
/// it, how many IDs went to it and the line of the last one (the next line
/// is written as the step from it).
struct Parts {
    files: Vec<std::fs::File>,
    pending: Vec<Vec<u8>>,
    counts: Vec<u64>,
    lines: Vec<u64>,
}

impl Parts {
    /// Bytes of a part kept before they are written.
    const PENDING: usize = 1 << 15;

    /// New temporary files for the parts of a spill.
    fn new() -> io::Result<Self> {
        let files = (0..SeenIds::PARTS)
            .map(|_| tempfile::tempfile())
            .collect::<io::Result<_>>()?;
        Ok(Parts {
            files,
            pending: (0..SeenIds::PARTS)
                .map(|_| Vec::with_capacity(Self::PENDING + 64))
                .collect(),
            counts: vec![0; SeenIds::PARTS],
            lines: vec![0; SeenIds::PARTS],
        })
    }

    /// Adds `id`, used on `line`, to `part`: straight into its pending
    /// bytes, written out once they fill up.
    fn add(&mut self, part: usize, line: u64, id: &[u8]) -> io::Result<()> {
        let out = &mut self.pending[part];
        put_varint(out, line.wrapping_sub(self.lines[part]));
        put_varint(out, id.len() as u64);
        out.extend_from_slice(id);
        self.lines[part] = line;
        self.counts[part] += 1;
        if out.len() >= Self::PENDING {
            self.files[part].write_all(out)?;
            out.clear();
            // A very long ID grew it: back to its size.
            out.shrink_to(Self::PENDING + 64);
        }
        Ok(())
    }

    /// Each part's file, written out and rewound, and how many IDs it holds.
    fn into_files(self) -> io::Result<Vec<(std::fs::File, u64)>> {
        self.files
            .into_iter()
            .zip(self.pending)
            .zip(self.counts)
            .map(|((mut file, pending), count)| {
                file.write_all(&pending)?;
                file.rewind()?;
                Ok((file, count))
            })
            .collect()
    }
}

/// Appends `n` to `out` as a LEB128 varint: seven bits a byte, low first,
/// the top bit set on every byte but the last.
fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        #[allow(clippy::cast_possible_truncation)] // the low seven bits
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    #[allow(clippy::cast_possible_truncation)] // below 0x80
    out.push(n as u8);
}

/// The varint [`put_varint`] wrote, from the bytes `next` gives; `None` if
/// they end first or it is longer than a `u64`.
fn take_varint(mut next: impl FnMut() -> Option<u8>) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = next()?;
        n |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(n);
        }
    }
    None
}

impl Ids {
    fn push(&mut self, hash: u64, line: u64, id: &[u8]) {
        let start = self.text.len();
        self.text.extend_from_slice(id);
        self.keys.push(IdKey {
            hash,
            line,
            start,
            end: self.text.len(),
        });
    }

    fn id(&self, key: &IdKey) -> &[u8] {
        &self.text[key.start..key.end]
    }

    /// Writes every ID to the part of `parts` its hash picks at `depth`.
    fn write(&self, parts: &mut Parts, depth: u32) -> io::Result<()> {
        for key in &self.keys {
            parts.add(part_of(key.hash, depth), key.line, self.id(key))?;
        }
        Ok(())
    }

    /// Finds the IDs of a part file read whole into `text`, as
    /// [`Parts::add`] wrote them, each left where it is and hashed with
    /// `hash`.
    fn index(&mut self, hash: fn(&[u8]) -> u64) -> io::Result<()> {
        let truncated = || io::Error::from(io::ErrorKind::UnexpectedEof);
        let (mut at, mut line) = (0, 0u64);
        while at < self.text.len() {
            let mut next = || {
                let byte = self.text.get(at).copied();
                at += 1;
                byte
            };
            let step = take_varint(&mut next).ok_or_else(truncated)?;
            let len = take_varint(&mut next).ok_or_else(truncated)?;
            line = line.wrapping_add(step);
            let start = at;
            let end = usize::try_from(len)
                .ok()
                .and_then(|len| start.checked_add(len))
                .filter(|end| *end <= self.text.len())
                .ok_or_else(truncated)?;
            self.keys.push(IdKey {
                hash: hash(&self.text[start..end]),
                line,
                start,
                end,
            });
            at = end;
        }
        Ok(())
    }

    /// Appends the next ID of a part file, whose previous ID was on `line`
    /// (then this one's), hashed with `hash`; `false` at its end.
    fn read_one(
        &mut self,
        input: &mut impl io::BufRead,
        line: &mut u64,
        hash: fn(&[u8]) -> u64,
    ) -> io::Result<bool> {
        if input.fill_buf()?.is_empty() {
            return Ok(false);
        }
        let mut failed = None;
        let mut next = || {
            let mut byte = [0u8; 1];
            match input.read_exact(&mut byte) {
                Ok(()) => Some(byte[0]),
                Err(e) => {
                    failed = Some(e);
                    None
                }
            }
        };
        let step = take_varint(&mut next);
        let len = take_varint(&mut next);
        let (Some(step), Some(len)) = (step, len) else {
            return Err(failed.unwrap_or_else(|| io::ErrorKind::InvalidData.into()));
        };
        *line = line.wrapping_add(step);
        let start = self.text.len();
        let end = start + usize::try_from(len).map_err(|_| io::ErrorKind::InvalidData)?;
        self.text.resize(end, 0);
        input.read_exact(&mut self.text[start..end])?;
        self.keys.push(IdKey {
            hash: hash(&self.text[start..end]),
            line: *line,
            start,
            end,
        });
        Ok(true)
    }
}

impl Default for SeenIds {
    fn default() -> Self {
        SeenIds {
            ids: Ids::default(),
            spilled: None,
            budget: Self::BUDGET,
            hash: id_hash,
        }
    }
}

impl SeenIds {
    /// IDs held in memory at most.
    const BUDGET: usize = 1 << 18;
    /// Temporary files a spill splits the IDs into (by 6 bits of hash).
    const PARTS: usize = 64;

    /// Records `id`, used on `line`, whose hash is `hash` (what
    /// [`SeenIds::hash`] gives for it).
    fn insert(&mut self, hash: u64, line: u64, id: &[u8]) -> io::Result<()> {
        debug_assert_eq!(hash, (self.hash)(id));
        // Once spilled, the log is long: each ID goes to its part at once.
        if let Some(parts) = &mut self.spilled {
            return parts.add(part_of(hash, 0), line, id);
        }
        self.ids.push(hash, line, id);
        if self.ids.keys.len() >= self.budget {
            if self.spilled.is_none() {
                self.spilled = Some(Parts::new()?);
            }
            if let Some(parts) = &mut self.spilled {
                self.ids.write(parts, 0)?;
            }
            self.ids.keys.clear();
            self.ids.text.clear();
        }
        Ok(())
    }

    /// The duplicate IDs: every use of an ID after its first.
    fn duplicates(mut self) -> io::Result<Breaks> {
        let mut found = Duplicates {
            budget: self.budget,
            hash: self.hash,
            ..Duplicates::default()
        };
        match self.spilled.take() {
            None => found.among(&self.ids),
            Some(mut parts) => {
                self.ids.write(&mut parts, 0)?;
                for (file, count) in parts.into_files()? {
                    found.in_file(file, count, 1)?;
                }
            }
        }
        Ok(found.into_breaks())
    }
}

/// The part (of [`SeenIds::PARTS`]) of an ID with `hash` at split `depth`.
fn part_of(hash: u64, depth: u32) -> usize {
    // Six bits a level, from the top.
    usize::try_from((hash >> (58 - 6 * depth.min(9))) & 63).unwrap_or(0)
}

/// The duplicates found so far: all counted, the first kept.
struct Duplicates {
    /// The IDs a part may hold to be checked in memory.
    budget: usize,
    /// How the IDs were hashed ([`SeenIds::hash`]).
    hash: fn(&[u8]) -> u64,
    count: u64,
    /// The earliest [`Breaks::KEEP`] (a max-heap on line: the latest on top).
    first: BinaryHeap<(u64, Box<[u8]>, u64)>,
    /// The IDs of a part, their order by group and the first use of each
    /// hash of a group, kept from part to part so that their memory is
    /// taken once.
    part: Ids,
    /// Each ID's hash and index, by group.
    grouped: Vec<(u64, usize)>,
    first_uses: HashMap<u64, usize, Keep>,
}

impl Default for Duplicates {
    fn default() -> Self {
        Duplicates {
            budget: SeenIds::BUDGET,
            hash: id_hash,
            count: 0,
            first: BinaryHeap::new(),
            part: Ids::default(),
            grouped: Vec::new(),
            first_uses: HashMap::default(),
        }
    }
}

impl Duplicates {
    /// Finds the duplicates among `ids` (all the IDs with their hashes, in
    /// log order): each ID is looked up by its hash among the first uses,
    /// and a use whose text equals a first use's is a duplicate of it.
    ///
    /// The IDs are first put in 256 groups by the low byte of their hash
    /// (equal hashes fall in one group), each kept in log order, and each
    /// group is looked up in a map of its own: a map of a few hundred
    /// entries stays in the cache, where one of a whole part would miss it
    /// on every lookup. The groups hold each ID's hash with its index, so
    /// that they are read in order; an ID itself is read only when its
    /// hash was seen before.
    fn among(&mut self, ids: &Ids) {
        const GROUPS: usize = 256;
        let group = |key: &IdKey| usize::from(key.hash.to_le_bytes()[0]);
        let mut starts = [0usize; GROUPS + 1];
        for key in &ids.keys {
            starts[group(key) + 1] += 1;
        }
        for g in 0..GROUPS {
            starts[g + 1] += starts[g];
        }
        let mut grouped = std::mem::take(&mut self.grouped);
        grouped.clear();
        grouped.resize(ids.keys.len(), (0, 0));
        let mut next = starts;
        for (i, key) in ids.keys.iter().enumerate() {
            let g = group(key);
            grouped[next[g]] = (key.hash, i);
            next[g] += 1;
        }
        // The first use of each hash; the first uses of other texts with an
        // already taken hash (a 64-bit collision) in `collided`.
        let mut first = std::mem::take(&mut self.first_uses);
        let mut collided: Vec<usize> = Vec::new();
        for g in 0..GROUPS {
            first.clear();
            collided.clear();
            for &(hash, i) in &grouped[starts[g]..starts[g + 1]] {
                // The hashes of a part share their top bits, which the map
                // takes as its tag (and [`Keep`] does not mix): turned half
                // round, the tag and the slot come from bits that differ.
                let taken = *first.entry(hash.rotate_left(32)).or_insert(i);
                if taken == i {
                    continue;
                }
                let key = &ids.keys[i];
                let id = ids.id(key);
                let original = std::iter::once(taken)
                    .chain(collided.iter().copied())
                    .map(|j| &ids.keys[j])
                    .find(|o| o.hash == key.hash && ids.id(o) == id);
                match original {
                    Some(original) => self.add(key.line, id, original.line),
                    None => collided.push(i),
                }
            }
        }
        self.first_uses = first;
        self.grouped = grouped;
    }

    /// Finds the duplicates among the `count` IDs of a part file, split
    /// again while a part is larger than the budget.
    fn in_file(&mut self, mut file: std::fs::File, count: u64, depth: u32) -> io::Result<()> {
        let size = file.metadata()?.len();
        let budget = u64::try_from(self.budget).unwrap_or(u64::MAX);
        // Read whole with at most a budget of IDs in at most 20 bytes for
        // each ID of the budget: long IDs are bounded too.
        if (count <= budget && size <= budget * 20) || depth >= 9 {
            // Read whole, the IDs left in place: a budget's worth at most,
            // but past the deepest split (which only equal hashes reach).
            let mut ids = std::mem::take(&mut self.part);
            ids.keys.clear();
            ids.text.clear();
            ids.text.reserve(usize::try_from(size).unwrap_or(0));
            file.read_to_end(&mut ids.text)?;
            ids.index(self.hash)?;
            self.among(&ids);
            self.part = ids;
            return Ok(());
        }
        let mut input = io::BufReader::with_capacity(1 << 16, file);
        // Split again by the next bits, a budget's worth at a time.
        let mut parts = Parts::new()?;
        let mut ids = Ids::default();
        let mut line = 0;
        while ids.read_one(&mut input, &mut line, self.hash)? {
            if ids.keys.len() >= self.budget {
                ids.write(&mut parts, depth)?;
                ids.keys.clear();
                ids.text.clear();
            }
        }
        ids.write(&mut parts, depth)?;
        for (file, count) in parts.into_files()? {
            self.in_file(file, count, depth + 1)?;
        }
        Ok(())
    }

    fn add(&mut self, line: u64, id: &[u8], original: u64) {
        self.count += 1;
        if self.first.len() < Breaks::KEEP {
            self.first.push((line, id.into(), original));
        } else if self.first.peek().is_some_and(|top| line < top.0) {
            self.first.pop();
            self.first.push((line, id.into(), original));
        }
    }

    fn into_breaks(self) -> Breaks {
        let mut first: Vec<Break> = self
            .first
            .into_iter()
            .map(|(line, id, original)| Break {
                line,
                client_order_id: String::from_utf8_lossy(&id).into_owned(),
                problem: format!("client order ID already used on line {original}"),
            })
            .collect();
        first.sort_by_key(|b| b.line);
        Breaks {
            count: self.count,
            first,
        }
    }
}

/// Reads the log from `reader` (CSV with a header) in one pass.
///
/// # Errors
/// A malformed row: `CheckError::Malformed` with `shown:line:column`.
pub fn scan(reader: impl Read, shown: &str) -> Result<OrderLogSummary, CheckError> {
    scan_log(reader, shown, ScanOptions::default())
}

/// [`scan`], also reporting orders identical to one sent less than `window`
/// before (when the log has `symbol`, `side` and `price` columns; an order
/// whose `intended` column is `true` is exempt).
///
/// # Errors
/// As [`scan`].
pub fn scan_with(
    reader: impl Read,
    shown: &str,
    window: Option<std::time::Duration>,
) -> Result<OrderLogSummary, CheckError> {
    scan_log(
        reader,
        shown,
        ScanOptions {
            format: LogFormat::Csv,
            identical_window: window,
        },
    )
}

/// Reads the log from `reader` in the format and with the checks of
/// `options`, in one pass.
///
/// ```
/// use preflight_probes::trading::orders::{LogFormat, ScanOptions, scan_log};
///
/// let log = concat!(
///     r#"{"time":"2025-01-27T14:30:00Z","event":"risk","client_order_id":"A1","decision":"approve"}"#, "\n",
///     r#"{"time":"2025-01-27T14:30:00.2Z","event":"order","client_order_id":"A1","quantity":100}"#, "\n",
///     r#"{"time":"2025-01-27T14:30:01Z","event":"fill","client_order_id":"A1","quantity":100}"#, "\n",
/// );
/// let summary = scan_log(log.as_bytes(), "orders.jsonl", ScanOptions::new(LogFormat::JsonLines))?;
/// assert_eq!((summary.orders, summary.fills, summary.open_at_end), (1, 1, 0));
/// assert_eq!(summary.unapproved_orders.count, 0);
/// # Ok::<(), preflight_core::CheckError>(())
/// ```
///
/// # Errors
/// A malformed row: `CheckError::Malformed` with `shown:line:column`.
pub fn scan_log(
    reader: impl Read,
    shown: &str,
    options: ScanOptions,
) -> Result<OrderLogSummary, CheckError> {
    let mut lines = Lines::new(ReadSource(reader));
    scan_lines(&mut lines, shown, options)
}

/// [`scan_log`] of the lines of any source.
fn scan_lines(
    lines: &mut Lines<impl Source>,
    shown: &str,
    options: ScanOptions,
) -> Result<OrderLogSummary, CheckError> {
    let mut state = State::new(options.identical_window);
    match options.format {
        LogFormat::Csv => scan_csv(lines, shown, &mut state)?,
        LogFormat::JsonLines => scan_json_lines(lines, shown, &mut state)?,
    }
    state.finish(shown)
}

fn scan_csv(
    rows: &mut Lines<impl Source>,
    shown: &str,
    state: &mut State,
) -> Result<(), CheckError> {
    let header = rows.header(shown, "the file is empty: expected a header row")?;
    let optional = |name: &str| header.iter().position(|h| h.as_slice() == name.as_bytes());
    let col = |name: &str| {
        optional(name).ok_or_else(|| malformed(shown, 1, 1, &format!("no column `{name}`")))
    };
    let (time, event, id, quantity, decision) = (
        col("time")?,
        col("event")?,
        col("client_order_id")?,
        col("quantity")?,
        col("decision")?,
    );
    let signature = match (optional("symbol"), optional("side"), optional("price")) {
        (Some(a), Some(b), Some(c)) if state.recent.is_some() => Some([a, b, c]),
        _ => None,
    };
    let intended = optional("intended");
    let column = |f: Field| match f {
        Field::Time => time,
        Field::Event => event,
        Field::Quantity => quantity,
        Field::Decision => decision,
    };
    // Built once, out of the loop: a closure that captured the row's line
    // would be built again for every row.
    let at = |line: u64, f: Field, message: &str| malformed(shown, line, column(f) + 1, message);
    let mut clock = Clock::default();
    while rows.next_split(shown)? {
        let line = rows.line;
        let fields = rows.fields();
        if fields.len() != header.len() {
            let message = format!(
                "{} fields where the header has {}",
                fields.len(),
                header.len()
            );
            return Err(malformed(shown, line, 1, &message));
        }
        let field = |c: usize| fields.get(c);
        let t = clock
            .parse(field(time))
            .ok_or_else(|| at(line, Field::Time, "expected an RFC 3339 timestamp"))?;
        let event = field(event);
        let kind = Event::of(event);
        let quantity = if matches!(kind, Event::Order | Event::Fill) {
            Some(
                fields
                    .number(quantity)
                    .filter(|q| *q >= 0.0)
                    .ok_or_else(|| at(line, Field::Quantity, "expected a non-negative number"))?,
            )
        } else {
            None
        };
        let signature = match signature {
            Some([symbol, side, price]) if kind == Event::Order => {
                let price = match field(price) {
                    b"" => None,
                    _ => Some(fields.number(price).ok_or_else(|| {
                        malformed(
                            shown,
                            line,
                            price + 1,
                            "expected a price, or nothing for a market order",
                        )
                    })?),
                };
                Some(signature_of(
                    state,
                    field(symbol),
                    field(side),
                    quantity,
                    price,
                ))
            }
            _ => None,
        };
        let row = Row {
            time: t,
            kind,
            event,
            id: field(id),
            quantity,
            decision: field(decision),
            signature,
            intended: intended.is_some_and(|c| matches!(field(c), b"true" | b"yes" | b"1")),
        };
        state
            .apply(line, &row)
            .map_err(|(f, message)| at(line, f, &message))?;
    }
    Ok(())
}

/// The identical-order signature: symbol, side, quantity and price.
fn signature_of(
    state: &State,
    symbol: &[u8],
    side: &[u8],
    quantity: Option<f64>,
    price: Option<f64>,
) -> u64 {
    state.hasher.0.hash_one((
        symbol,
        side,
        quantity.map(f64::to_bits),
        price.map(f64::to_bits),
    ))
}

fn scan_json_lines(
    rows: &mut Lines<impl Source>,
    shown: &str,
    state: &mut State,
) -> Result<(), CheckError> {
    let mut clock = Clock::default();
    while rows.next(shown)? {
        let line = rows.line;
        let text = rows.text();
        let row = JsonLine::read(text).map_err(|e| {
            malformed(
                shown,
                line,
                e.column().max(1),
                &format!("expected a JSON object with `time`, `event` and `client_order_id`: {e}"),
            )
        })?;
        // A problem with a key is shown at the key.
        let at = |key: &str, message: &str| {
            let quoted = format!("\"{key}\"");
            let column = memchr::memmem::find(text, quoted.as_bytes()).map_or(1, |c| c + 1);
            malformed(shown, line, column, &format!("`{key}`: {message}"))
        };
        let time = clock
            .parse(&row.time)
            .ok_or_else(|| at("time", "expected an RFC 3339 timestamp"))?;
        let quantity = match row.quantity {
            Some(q) if q < 0.0 => return Err(at("quantity", "expected a non-negative number")),
            q => q,
        };
        let kind = Event::of(&row.event);
        let signature = match (&row.symbol, &row.side) {
            (Some(symbol), Some(side)) if state.recent.is_some() && kind == Event::Order => {
                Some(signature_of(state, symbol, side, quantity, row.price))
            }
            _ => None,
        };
        let event = Row {
            time,
            kind,
            event: &row.event,
            id: &row.client_order_id,
            quantity,
            decision: row.decision.as_deref().unwrap_or_default(),
            signature,
            intended: row.intended.unwrap_or(false),
        };
        state
            .apply(line, &event)
            .map_err(|(f, message)| at(f.name(), &message))?;
    }
    Ok(())
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
        const KEYS: [&str; 3] = ["path", "format", "identical_window"];
        let (shown, format, window) = match source.value() {
            toml::Value::String(p) => (p.clone(), None, None),
            toml::Value::Table(t) => {
                if let Some(key) = t.keys().find(|k| !KEYS.contains(&k.as_str())) {
                    return Err(source.error(format!(
                        "unknown key `{key}` in [inputs.{}] (expected `path`, `format`, `identical_window`)",
                        source.name()
                    )));
                }
                let path = t
                    .get("path")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| source.error("expected `path = \"<csv or jsonl>\"`"))?
                    .to_owned();
                let format = t
                    .get("format")
                    .map(|v| match v.as_str() {
                        Some("csv") => Ok(LogFormat::Csv),
                        Some("jsonl") => Ok(LogFormat::JsonLines),
                        _ => Err(source.error("`format`: expected \"csv\" or \"jsonl\"")),
                    })
                    .transpose()?;
                let window = t
                    .get("identical_window")
                    .map(|v| {
                        v.as_str()
                            .ok_or_else(|| "expected a duration such as \"2s\"".to_owned())
                            .and_then(preflight_core::meta::parse_duration)
                            .map_err(|e| source.error(format!("`identical_window`: {e}")))
                    })
                    .transpose()?;
                (path, format, window)
            }
            _ => return Err(source.error("expected a path to the order log")),
        };
        let format = format.unwrap_or_else(|| {
            let extension = std::path::Path::new(&shown).extension();
            if extension.is_some_and(|e| {
                e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson")
            }) {
                LogFormat::JsonLines
            } else {
                LogFormat::Csv
            }
        });
        let options = ScanOptions {
            format,
            identical_window: window,
        };
        let (summary, artifact) =
            scan_input(source, &shown, |lines| scan_lines(lines, &shown, options))?;
        Ok(OrderLog { summary, artifact })
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
    use crate::lines::{BLOCK, Reading, Scanned, in_both_readings, scan_hashed};
    use sha2::Digest as _;
    use std::fmt::Write as _;

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

    /// Approvals wait for their order, a cancelled or completed order takes
    /// no fill, an ID sent again while open starts its order over, and an
    /// approval left over serves the ID's next order.
    #[test]
    fn approvals_and_open_orders_of_one_id() {
        let log = "time,event,client_order_id,quantity,decision\n\
            2024-01-02T14:30:00Z,risk,C1,,approve\n\
            2024-01-02T14:30:00Z,risk,C1,,approve\n\
            2024-01-02T14:30:01Z,fill,C1,10,\n\
            2024-01-02T14:30:01Z,cancel,C1,,\n\
            2024-01-02T14:30:02Z,order,C1,100,\n\
            2024-01-02T14:30:02Z,risk,D4,,approve\n\
            2024-01-02T14:30:02Z,order,D4,30,\n\
            2024-01-02T14:30:03Z,cancel,D4,,\n\
            2024-01-02T14:30:03Z,fill,D4,30,\n\
            2024-01-02T14:30:04Z,fill,C1,100,\n\
            2024-01-02T14:30:05Z,order,C1,20,\n\
            2024-01-02T14:30:06Z,order,C1,20,\n\
            2024-01-02T14:30:07Z,fill,C1,20,\n\
            2024-01-02T14:30:08Z,fill,C1,1,\n";
        let s = scan(log.as_bytes(), "orders.csv").unwrap();
        let lines = |b: &Breaks| b.first.iter().map(|b| b.line).collect::<Vec<_>>();
        assert_eq!((s.orders, s.fills), (4, 5));
        assert_eq!(lines(&s.unknown_fills), [4, 10, 15]);
        assert_eq!(s.overfills.count, 0);
        assert_eq!(lines(&s.unapproved_orders), [13]);
        assert_eq!(lines(&s.duplicate_ids), [12, 13]);
        assert_eq!((s.max_open, s.open_at_end), (2, 0));
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
        let mut rng = crate::damage::Xorshift::new(0x9e37_79b9_7f4a_7c15_u64);
        let mut next = |bound: usize| rng.below(bound);
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

    /// Past its budget the duplicate check spills to files, splits parts
    /// that are still too large, and finds exactly the same duplicates.
    #[test]
    fn duplicates_survive_spilling() {
        let ids: Vec<String> = (0..20_000)
            .map(|n| format!("O{}", if n % 997 == 0 && n > 0 { n - 500 } else { n }))
            .collect();
        let run = |budget: usize| {
            let mut seen = SeenIds {
                budget,
                ..SeenIds::default()
            };
            for (line, id) in (1..).zip(&ids) {
                seen.insert(id_hash(id.as_bytes()), line, id.as_bytes())
                    .unwrap();
            }
            seen.duplicates().unwrap()
        };
        let in_memory = run(SeenIds::BUDGET);
        // 20 duplicates: 997, 1994, ... use the ID of 500 orders before.
        assert_eq!(in_memory.count, 20);
        assert_eq!(in_memory.first[0].line, 998);
        assert_eq!(in_memory.first[0].client_order_id, "O497");
        assert_eq!(
            in_memory.first[0].problem,
            "client order ID already used on line 498"
        );
        // Spilled into 64 parts of ~310 IDs, each split again (budget 100).
        assert_eq!(run(100), in_memory);
        // Spilled, each part checked in memory.
        assert_eq!(run(5000), in_memory);
    }

    /// Equal 64-bit hashes of different IDs are not duplicates, in memory
    /// or spilled (where equal hashes split again to the deepest level).
    #[test]
    fn hash_collisions_are_not_duplicates() {
        for budget in [SeenIds::BUDGET, 2] {
            let mut seen = SeenIds {
                budget,
                hash: |_| 7,
                ..SeenIds::default()
            };
            seen.insert(7, 1, b"A").unwrap();
            seen.insert(7, 2, b"B").unwrap();
            seen.insert(7, 3, b"A").unwrap();
            seen.insert(7, 4, b"C").unwrap();
            seen.insert(7, 5, b"B").unwrap();
            let found = seen.duplicates().unwrap();
            let shown: Vec<(u64, &str, &str)> = found
                .first
                .iter()
                .map(|b| (b.line, b.client_order_id.as_str(), b.problem.as_str()))
                .collect();
            assert_eq!(
                shown,
                [
                    (3, "A", "client order ID already used on line 1"),
                    (5, "B", "client order ID already used on line 2"),
                ],
                "budget {budget}"
            );
            assert_eq!(found.count, 2);
        }
    }

    /// With a hash weak enough that thousands of IDs share theirs, true
    /// duplicates are found and collisions are not, whether the IDs stay in
    /// memory, spill to parts, or spill to parts split again: as a map of
    /// every ID finds them.
    #[test]
    fn duplicates_and_collisions_across_parts() {
        // Twelve top bits (the parts of two levels) and two low bits (the
        // groups of `among`): 2^14 hashes for 30 000 IDs.
        let weak = |id: &[u8]| id_hash(id) & 0xfff0_0000_0000_0003;
        let ids: Vec<String> = (0..30_000u64)
            .map(|n| match n {
                n if n % 13 == 0 && n > 0 => format!("O{}", n / 2),
                n if n % 997 == 0 && n > 0 => format!("O{}", n - 500),
                // Long IDs, longer than a varint byte can say.
                n if n % 101 == 0 => format!("O{n}-{}", "x".repeat(200)),
                n => format!("O{n}"),
            })
            .collect();
        let mut first_use = HashMap::new();
        let mut expected = Breaks::default();
        for (line, id) in (1..).zip(&ids) {
            let first = *first_use.entry(id.as_str()).or_insert(line);
            if first != line {
                expected.push(
                    line,
                    id.as_bytes(),
                    format!("client order ID already used on line {first}"),
                );
            }
        }
        assert!(expected.count > 1000, "{}", expected.count);
        let mut hashes = std::collections::HashSet::new();
        let collided = ids
            .iter()
            .filter(|id| !hashes.insert(weak(id.as_bytes())))
            .count();
        assert!(collided > usize::try_from(expected.count).unwrap() + 5000);
        for budget in [SeenIds::BUDGET, 5000, 100] {
            let mut seen = SeenIds {
                budget,
                hash: weak,
                ..SeenIds::default()
            };
            // Lines far apart, that their steps take several varint bytes.
            for (line, id) in (1..).zip(&ids) {
                seen.insert(weak(id.as_bytes()), line, id.as_bytes())
                    .unwrap();
            }
            assert_eq!(seen.duplicates().unwrap(), expected, "budget {budget}");
        }
    }

    /// An ID of up to 15 bytes is its own key: keys are equal exactly when
    /// the IDs are, whatever the bytes (a zero byte, a byte read twice by
    /// overlapping words) and the length; a longer ID's key is its hash,
    /// marked so that it is never a short ID's.
    #[test]
    fn short_ids_are_their_own_keys() {
        let hashers = Hashers::default();
        let base: Vec<u8> = (b'A'..=b'Z').collect();
        let mut ids: Vec<Vec<u8>> = Vec::new();
        for len in 0..=20 {
            let id = base[..len].to_vec();
            // Each byte changed in turn, to another letter and to zero.
            for at in 0..len {
                for other in [b'x', 0] {
                    let mut changed = id.clone();
                    changed[at] = other;
                    ids.push(changed);
                }
            }
            // The same bytes followed by a zero: only the length differs.
            let mut longer = id.clone();
            longer.push(0);
            ids.push(longer);
            ids.push(id);
        }
        ids.sort();
        ids.dedup();
        let mut keys = HashMap::new();
        for id in &ids {
            let key = hashers.key(id);
            assert_eq!(key, hashers.key(&id.clone()), "{id:?}");
            let tag = key >> 120;
            if id.len() <= 15 {
                assert_eq!(tag, id.len() as u128, "{id:?}");
            } else {
                assert_eq!(tag, 0xff, "{id:?}");
            }
            if let Some(other) = keys.insert(key, id) {
                panic!("{id:?} and {other:?} share a key");
            }
        }
        assert_eq!(keys.len(), ids.len());
        assert!(ids.len() > 400, "{}", ids.len());
    }

    /// Each event is read by its exact name: near misses are errors at
    /// the event's column, never taken for another event.
    #[test]
    fn events_are_read_by_their_exact_names() {
        for (name, event) in [
            ("risk", Event::Risk),
            ("order", Event::Order),
            ("fill", Event::Fill),
            ("cancel", Event::Cancel),
        ] {
            assert_eq!(Event::of(name.as_bytes()), event, "{name}");
        }
        for near in [
            "", "r", "ris", "risks", "Risk", "rusk", "fil", "fills", "filL", "orde", "orders",
            "ordex", "xrder", "cance", "cancel!", "cancal", "cxncel", "canceled",
        ] {
            assert_eq!(Event::of(near.as_bytes()), Event::Unknown, "{near}");
            let log = format!(
                "time,event,client_order_id,quantity,decision\n2025-01-27T14:30:00Z,\"{near}\",A,,\n"
            );
            let err = scan(log.as_bytes(), "orders.csv").unwrap_err().to_string();
            assert!(
                err.contains(&format!("orders.csv:2:2: unknown event `{near}`")),
                "{near}: {err}"
            );
        }
    }

    /// Times compare as instants: a fraction, or none, and any offset.
    #[test]
    fn times_compare_as_instants() {
        let log = "time,event,client_order_id,quantity,decision\n\
            2025-01-27T14:30:00Z,risk,A,,approve\n\
            2025-01-27T14:30:00.5Z,order,A,100,\n\
            2025-01-27T15:30:00.75+01:00,fill,A,40,\n\
            2025-01-27T14:30:01.000000001Z,fill,A,60,\n";
        let s = scan(log.as_bytes(), "orders.csv").unwrap();
        assert_eq!((s.orders, s.fills, s.open_at_end), (1, 2, 0));
        let back = log.replace("14:30:00.5Z", "14:29:59.999Z");
        let back = back.replace("2025-01-27T14:30:00Z,risk", "2025-01-27T14:30:00.001Z,risk");
        let err = scan(back.as_bytes(), "orders.csv").unwrap_err();
        assert!(
            err.to_string().starts_with("orders.csv:3:1: earlier than"),
            "{err}"
        );
        for bad in [
            "2025-01-27 14:30",
            "2025-02-30T14:30:00Z",
            "2025-01-27T24:00:00Z",
            "2025-01-27T14:30:00.Z",
        ] {
            let log = format!("time,event,client_order_id,quantity,decision\n{bad},cancel,A,,\n");
            let err = scan(log.as_bytes(), "orders.csv").unwrap_err();
            assert!(
                err.to_string()
                    .contains("orders.csv:2:1: expected an RFC 3339 timestamp"),
                "{bad}: {err}"
            );
        }
        let mut clock = Clock::default();
        for text in [
            "2025-01-27T14:30:00Z",
            "2025-01-27T23:59:59.123456789Z",
            "1970-01-01T00:00:00.1Z",
        ] {
            let expected: jiff::Timestamp = text.parse().unwrap();
            assert_eq!(
                i128::from(clock.utc(text.as_bytes()).unwrap()),
                expected.as_nanosecond(),
                "{text}"
            );
        }
    }

    /// The same log as JSON lines finds the same breaks; a problem names the
    /// line and the column of its key.
    #[test]
    fn json_lines_read_like_csv() {
        let json: String = LOG
            .lines()
            .skip(1)
            .map(|row| {
                let f: Vec<&str> = row.split(',').collect();
                let mut object = format!(
                    r#"{{"time":"{}","event":"{}","client_order_id":"{}""#,
                    f[0], f[1], f[2]
                );
                if !f[3].is_empty() {
                    write!(object, r#","quantity":{}"#, f[3]).unwrap();
                }
                if !f[4].is_empty() {
                    write!(object, r#","decision":"{}""#, f[4]).unwrap();
                }
                object + ",\"venue\":\"X\"}\n"
            })
            .collect();
        let from_json = scan_log(
            json.as_bytes(),
            "orders.jsonl",
            ScanOptions::new(LogFormat::JsonLines),
        )
        .unwrap();
        let mut from_csv = scan(LOG.as_bytes(), "orders.csv").unwrap();
        // CSV lines are one further down (the header).
        for breaks in [
            &mut from_csv.unknown_fills,
            &mut from_csv.overfills,
            &mut from_csv.unapproved_orders,
            &mut from_csv.duplicate_ids,
        ] {
            for b in &mut breaks.first {
                b.line -= 1;
                b.problem = b.problem.replace("line 3", "line 2");
            }
        }
        assert_eq!(from_json, from_csv);

        let bad = json.replace(r#""quantity":60"#, r#""quantity":-60"#);
        let err = scan_log(
            bad.as_bytes(),
            "orders.jsonl",
            ScanOptions::new(LogFormat::JsonLines),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("orders.jsonl:3:"), "{err}");
        assert!(
            err.to_string()
                .contains("`quantity`: expected a non-negative number"),
            "{err}"
        );
        let broken = json.replacen("}\n", "\n", 2);
        let err = scan_log(
            broken.as_bytes(),
            "orders.jsonl",
            ScanOptions::new(LogFormat::JsonLines),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("orders.jsonl:1:"), "{err}");
        let no_id = json.replacen(r#","client_order_id":"A1""#, "", 1);
        let err = scan_log(
            no_id.as_bytes(),
            "orders.jsonl",
            ScanOptions::new(LogFormat::JsonLines),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("missing field `client_order_id`"),
            "{err}"
        );
    }

    /// The digest of a hashed scan is the file's SHA-256, and the scan the
    /// same as without hashing.
    #[test]
    fn hashed_scans_hash_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.csv");
        // Long enough for many reads, with trailing blank lines.
        let mut text = LOG.to_owned();
        for n in 0..30_000 {
            write!(
                text,
                "2024-01-02T14:31:00Z,risk,N{n},,approve\n2024-01-02T14:31:00Z,order,N{n},1,\n"
            )
            .unwrap();
        }
        text += "\n\n";
        std::fs::write(&path, &text).unwrap();
        for reading in Reading::BOTH {
            let file = std::fs::File::open(&path).unwrap();
            let Ok((summary, digest, size)) = scan_hashed(file, reading, |lines| {
                scan_lines(lines, "orders.csv", ScanOptions::default())
            }) else {
                panic!("the scan fails ({reading:?})");
            };
            assert_eq!(digest, sha2::Sha256::digest(text.as_bytes()).to_vec());
            assert_eq!(size, text.len() as u64);
            assert_eq!(summary, scan(text.as_bytes(), "orders.csv").unwrap());
            assert_eq!(summary.orders, 30_003);
        }
    }

    /// The reading thread's blocks end at line ends: lines across a block
    /// boundary, long lines, a last line without a line end and a line
    /// longer than a block read as from memory.
    #[test]
    fn hashed_scans_read_as_from_memory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.csv");
        // Both ways of reading, which must agree.
        let hashed = |text: &str| {
            std::fs::write(&path, text).unwrap();
            in_both_readings(&path, |file, reading| {
                match scan_hashed(file, reading, |lines| {
                    scan_lines(lines, "orders.csv", ScanOptions::default())
                }) {
                    Ok((summary, digest, size)) => {
                        assert_eq!(digest, sha2::Sha256::digest(text.as_bytes()).to_vec());
                        assert_eq!(size, text.len() as u64);
                        Ok(summary)
                    }
                    Err(Scanned::Log(e)) => Err(e.to_string()),
                    Err(Scanned::Io(e)) => panic!("read error ({reading:?}): {e}"),
                }
            })
        };
        let plain = |text: &str| scan(text.as_bytes(), "orders.csv").map_err(|e| e.to_string());
        let long_id = "L".repeat(BLOCK - 200);
        let mut long_lines = LOG.to_owned();
        for n in 0..3 {
            write!(
                long_lines,
                "2024-01-02T14:31:00Z,risk,{long_id}{n},,approve\r\n\
                 2024-01-02T14:31:00Z,order,{long_id}{n},1,\n"
            )
            .unwrap();
        }
        let too_long = format!(
            "{LOG}2024-01-02T14:31:00Z,risk,{},,approve\n",
            "L".repeat(BLOCK)
        );
        let unterminated = format!("{long_lines}2024-01-02T14:32:00Z,cancel,A1,,");
        for text in [&long_lines, &too_long, &unterminated] {
            assert_eq!(hashed(text), plain(text));
        }
        assert_eq!(hashed(&long_lines).unwrap().orders, 6);
        assert!(
            hashed(&too_long)
                .unwrap_err()
                .contains("a line longer than 1 MiB")
        );
    }

    /// A malformed line early in a long file stops the reading thread too:
    /// the scan's error comes back, without waiting for the whole file.
    #[test]
    fn hashed_scans_stop_at_a_malformed_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.csv");
        let mut text = LOG.replace("fill,A1,40", "fill,A1,forty");
        // Several times what the channel between the threads holds.
        while text.len() < 12 * BLOCK {
            text += "2024-01-02T14:31:00Z,cancel,Z,,\n";
        }
        std::fs::write(&path, &text).unwrap();
        for reading in Reading::BOTH {
            let file = std::fs::File::open(&path).unwrap();
            match scan_hashed(file, reading, |lines| {
                scan_lines(lines, "orders.csv", ScanOptions::default())
            }) {
                Err(Scanned::Log(e)) => assert_eq!(
                    e.to_string(),
                    scan(text.as_bytes(), "orders.csv").unwrap_err().to_string()
                ),
                Err(Scanned::Io(e)) => panic!("read error ({reading:?}): {e}"),
                Ok(summary) => panic!("accepted ({reading:?}): {summary:?}"),
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

    /// The window keeps only the last time of each signature and drops old
    /// ones as it grows: it finds the repeats that comparing every pair of
    /// orders finds, across many prunings and with gaps longer than the
    /// window.
    #[test]
    fn the_window_finds_what_every_pair_finds() {
        let mut rng = fastrand::Rng::with_seed(7);
        let window: Nanos = 1_000;
        let mut recent = Recent::new(window);
        let mut sent: Vec<(Nanos, u64)> = Vec::new();
        let mut at: Nanos = 0;
        let mut dropped = 0;
        let mut most = 0;
        for _ in 0..60_000 {
            // Mostly steps inside the window, sometimes a pause beyond it;
            // signatures drawn from many more than fit in a window.
            at += if rng.u8(..) == 0 {
                5_000
            } else {
                rng.i64(0..3)
            };
            let signature = rng.u64(0..20_000);
            let expected = sent
                .iter()
                .rev()
                .take_while(|(t, _)| at - t <= window)
                .any(|(_, s)| *s == signature);
            let before = recent.len();
            assert_eq!(recent.repeats(at, signature), expected, "at {at}");
            dropped += usize::from(recent.len() < before);
            most = most.max(recent.len());
            sent.push((at, signature));
        }
        assert!(
            dropped > 100,
            "old signatures were dropped only {dropped} times"
        );
        // The signatures of about two windows (some 1 000 orders each, at a
        // nanosecond apart on average), never those of the whole log.
        assert!(most < 3_000, "{most} signatures held");
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
