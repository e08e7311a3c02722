//! One line of a JSON-lines order log: the keys the scan reads.
//!
//! Most lines are flat objects of short ASCII strings and plain numbers.
//! [`JsonLine::read`] reads those in one pass over the bytes; any other line
//! (an escape, a byte outside ASCII, an exponent, a nested value, a key
//! twice, a missing or mistyped key, anything that is not JSON) goes to
//! `serde_json`, which reads it or says exactly what is wrong. Both give the
//! same row for every line the fast pass takes (a test compares them), with
//! the strings as bytes ([`JsonLine`]).

use std::borrow::Cow;

use serde::Deserialize;

use crate::number::parse_number;

/// One line of a JSON-lines log.
#[derive(Debug, Deserialize, PartialEq)]
pub(super) struct JsonRow<'a> {
    #[serde(borrow)]
    pub(super) time: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) event: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) client_order_id: Cow<'a, str>,
    #[serde(default)]
    pub(super) quantity: Option<f64>,
    #[serde(default, borrow)]
    pub(super) decision: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) symbol: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) side: Option<Cow<'a, str>>,
    #[serde(default)]
    pub(super) price: Option<f64>,
    #[serde(default)]
    pub(super) intended: Option<bool>,
}

/// A [`JsonRow`] with its strings as bytes, which is how the scan reads
/// them: the fast pass checks they are ASCII and need not say so again.
#[derive(Debug, PartialEq)]
pub(super) struct JsonLine<'a> {
    pub(super) time: Cow<'a, [u8]>,
    pub(super) event: Cow<'a, [u8]>,
    pub(super) client_order_id: Cow<'a, [u8]>,
    pub(super) quantity: Option<f64>,
    pub(super) decision: Option<Cow<'a, [u8]>>,
    pub(super) symbol: Option<Cow<'a, [u8]>>,
    pub(super) side: Option<Cow<'a, [u8]>>,
    pub(super) price: Option<f64>,
    pub(super) intended: Option<bool>,
}

/// A string read by serde, as bytes.
fn bytes(text: Cow<'_, str>) -> Cow<'_, [u8]> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    }
}

impl<'a> From<JsonRow<'a>> for JsonLine<'a> {
    fn from(row: JsonRow<'a>) -> Self {
        JsonLine {
            time: bytes(row.time),
            event: bytes(row.event),
            client_order_id: bytes(row.client_order_id),
            quantity: row.quantity,
            decision: row.decision.map(bytes),
            symbol: row.symbol.map(bytes),
            side: row.side.map(bytes),
            price: row.price,
            intended: row.intended,
        }
    }
}

impl<'a> JsonLine<'a> {
    /// The row of `text`, one JSON object.
    pub(super) fn read(text: &'a [u8]) -> Result<Self, serde_json::Error> {
        match Flat::row(text) {
            Some(row) => Ok(row),
            None => serde_json::from_slice::<JsonRow<'a>>(text).map(JsonLine::from),
        }
    }
}

/// Checks that serde reads `line` as the fast pass does, when the fast pass
/// takes it: the same row, numbers bit for bit (the fuzz targets and the
/// tests call it). Returns whether the fast pass took it.
///
/// # Panics
/// When the two disagree, or serde rejects a line the fast pass took.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn fast_pass_agrees(line: &[u8]) -> bool {
    let Some(fast) = Flat::row(line) else {
        return false;
    };
    let serde = serde_json::from_slice::<JsonRow<'_>>(line).map_or_else(
        |e| panic!("serde rejects a line the fast pass took ({e}): {line:?}"),
        JsonLine::from,
    );
    assert_eq!(fast, serde, "{line:?}");
    // Bit for bit, signs of zero included.
    assert_eq!(
        fast.quantity.map(f64::to_bits),
        serde.quantity.map(f64::to_bits)
    );
    assert_eq!(fast.price.map(f64::to_bits), serde.price.map(f64::to_bits));
    true
}

/// The one-pass reader of a flat object.
struct Flat<'a> {
    text: &'a [u8],
    at: usize,
}

/// Bits of the keys seen, to leave a key given twice to serde (an error).
const TIME: u16 = 1;
const EVENT: u16 = 1 << 1;
const ID: u16 = 1 << 2;
const QUANTITY: u16 = 1 << 3;
const DECISION: u16 = 1 << 4;
const SYMBOL: u16 = 1 << 5;
const SIDE: u16 = 1 << 6;
const PRICE: u16 = 1 << 7;
const INTENDED: u16 = 1 << 8;

impl<'a> Flat<'a> {
    /// The row, when `text` is a flat object the fast pass reads.
    fn row(text: &'a [u8]) -> Option<JsonLine<'a>> {
        let mut p = Flat { text, at: 0 };
        let (mut time, mut event, mut id) = (None, None, None);
        let mut row = JsonLine {
            time: Cow::Borrowed(b""),
            event: Cow::Borrowed(b""),
            client_order_id: Cow::Borrowed(b""),
            quantity: None,
            decision: None,
            symbol: None,
            side: None,
            price: None,
            intended: None,
        };
        let mut seen = 0u16;
        p.space();
        p.byte(b'{')?;
        p.space();
        if p.peek() == Some(b'}') {
            return None;
        }
        loop {
            let key = p.string()?;
            p.space();
            p.byte(b':')?;
            p.space();
            let bit = match key {
                b"time" => {
                    time = Some(p.string()?);
                    TIME
                }
                b"event" => {
                    event = Some(p.string()?);
                    EVENT
                }
                b"client_order_id" => {
                    id = Some(p.string()?);
                    ID
                }
                b"quantity" => {
                    p.nullable(&mut row.quantity, Self::number)?;
                    QUANTITY
                }
                b"decision" => {
                    p.nullable(&mut row.decision, Self::text)?;
                    DECISION
                }
                b"symbol" => {
                    p.nullable(&mut row.symbol, Self::text)?;
                    SYMBOL
                }
                b"side" => {
                    p.nullable(&mut row.side, Self::text)?;
                    SIDE
                }
                b"price" => {
                    p.nullable(&mut row.price, Self::number)?;
                    PRICE
                }
                b"intended" => {
                    p.nullable(&mut row.intended, Self::boolean)?;
                    INTENDED
                }
                _ => {
                    p.scalar()?;
                    0
                }
            };
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            p.space();
            match p.next()? {
                b',' => p.space(),
                b'}' => break,
                _ => return None,
            }
        }
        p.space();
        if p.at != text.len() {
            return None;
        }
        row.time = Cow::Borrowed(time?);
        row.event = Cow::Borrowed(event?);
        row.client_order_id = Cow::Borrowed(id?);
        Some(row)
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn byte(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// JSON's white space.
    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.at += 1;
        }
    }

    /// A string of printable ASCII without escapes.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.byte(b'"')?;
        // Strings here are short: a loop beats `memchr`'s setup.
        let from = self.at;
        loop {
            match self.next()? {
                b'"' => return Some(&self.text[from..self.at - 1]),
                b'\\' => return None,
                b' '..=b'~' => {}
                _ => return None,
            }
        }
    }

    /// `-`, then `0` or digits not starting with `0`, then an optional
    /// fraction: JSON's number without an exponent, at most 15 digits, as
    /// `serde_json` reads it (`-0` too is `-0.0` to both).
    fn number(&mut self) -> Option<f64> {
        let from = self.at;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let digits = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let whole = self.at - digits;
        if whole == 0 || (whole > 1 && self.text[digits] == b'0') {
            return None;
        }
        let mut fraction = 0;
        if self.peek() == Some(b'.') {
            self.at += 1;
            let start = self.at;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.at += 1;
            }
            fraction = self.at - start;
            if fraction == 0 {
                return None;
            }
        }
        if whole + fraction > 15 || matches!(self.peek(), Some(b'e' | b'E')) {
            return None;
        }
        parse_number(&self.text[from..self.at])
    }

    fn boolean(&mut self) -> Option<bool> {
        if self.literal(b"true") {
            Some(true)
        } else if self.literal(b"false") {
            Some(false)
        } else {
            None
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        let found = self.text[self.at..].starts_with(word);
        if found {
            self.at += word.len();
        }
        found
    }

    /// `null` (`None` in `slot`), or what `value` reads.
    fn nullable<T>(
        &mut self,
        slot: &mut Option<T>,
        value: fn(&mut Self) -> Option<T>,
    ) -> Option<()> {
        *slot = if self.literal(b"null") {
            None
        } else {
            Some(value(self)?)
        };
        Some(())
    }

    /// A string, borrowed.
    fn text(&mut self) -> Option<Cow<'a, [u8]>> {
        self.string().map(Cow::Borrowed)
    }

    /// The value of a key the scan does not read: a string, a number, a
    /// boolean or `null` (anything nested goes to serde).
    fn scalar(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b't' | b'f' => self.boolean().map(drop),
            b'n' => self.literal(b"null").then_some(()),
            _ => self.number().map(drop),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast pass takes a line only when serde reads it the same way.
    fn agree(line: &str) -> bool {
        fast_pass_agrees(line.as_bytes())
    }

    #[test]
    fn the_fast_pass_reads_flat_lines_as_serde_does() {
        let taken = [
            r#"{"time":"2025-01-27T14:30:00Z","event":"order","client_order_id":"A1","quantity":300}"#,
            r#" { "time" : "t" , "event":"fill", "client_order_id":"B", "quantity": 12.5, "price": null } "#,
            r#"{"client_order_id":"C","event":"risk","time":"t","decision":"approve","venue":"XNYS","n":-3,"ok":true,"x":null}"#,
            r#"{"time":"t","event":"order","client_order_id":"D","symbol":"AAPL","side":"buy","quantity":0,"price":-0,"intended":false}"#,
            r#"{"time":"t","event":"order","client_order_id":"E","quantity":-0.0,"price":0.1,"intended":null}"#,
            "{\"time\":\"t\",\"event\":\"order\",\"client_order_id\":\"F\"}\r",
        ];
        for line in taken {
            assert!(agree(line), "not taken: {line}");
        }
        let left = [
            r#"{"time":"t\u0031","event":"order","client_order_id":"A"}"#,
            r#"{"time":"t","event":"ordér","client_order_id":"A"}"#,
            r#"{"time":"t","event":"order","client_order_id":"A","quantity":1e3}"#,
            r#"{"time":"t","event":"order","client_order_id":"A","quantity":01}"#,
            r#"{"time":"t","event":"order","client_order_id":"A","quantity":1.}"#,
            r#"{"time":"t","event":"order","client_order_id":"A","quantity":"1"}"#,
            r#"{"time":"t","event":"order","client_order_id":"A","quantity":1234567890123456}"#,
            r#"{"time":"t","event":"order","client_order_id":"A","extra":{"a":1}}"#,
            r#"{"time":"t","event":"order","client_order_id":"A","time":"u"}"#,
            r#"{"time":"t","event":"order"}"#,
            r#"{"time":"t","event":"order","client_order_id":"A"} x"#,
            r#"{"time":"t","event":"order","client_order_id":"A",}"#,
            "{\"time\":\"t\tx\",\"event\":\"order\",\"client_order_id\":\"A\"}",
            "{}",
            "[]",
            "",
        ];
        for line in left {
            assert!(!agree(line), "taken: {line}");
        }
    }

    /// Random lines built from the pieces of JSON: whatever the fast pass
    /// takes, serde reads the same.
    #[test]
    fn random_lines_agree() {
        let pieces = [
            "{",
            "}",
            ",",
            ":",
            " ",
            "\"time\"",
            "\"event\"",
            "\"client_order_id\"",
            "\"quantity\"",
            "\"price\"",
            "\"intended\"",
            "\"side\"",
            "\"x\"",
            "\"a\"",
            "1",
            "-0",
            "0.5",
            "12",
            "-",
            ".",
            "e",
            "true",
            "false",
            "null",
            "\"\\\"",
            "[",
            "]",
        ];
        let mut rng = fastrand::Rng::with_seed(0x9e37_79b9_7f4a_7c15);
        let mut taken = 0;
        for _ in 0..20_000 {
            let mut line = String::from(r#"{"time":"t","event":"e","client_order_id":"i""#);
            for _ in 0..rng.usize(..12) {
                line.push_str(pieces[rng.usize(..pieces.len())]);
            }
            line.push('}');
            taken += usize::from(agree(&line));
        }
        // Some are taken, so the comparison means something.
        assert!(taken > 100, "{taken}");
    }
}
