//! Numbers as CSV files write them: the value `str::parse::<f64>` gives,
//! read faster for the plain decimals that fill return series and order logs.

/// The finite number written in `raw`, as `str::parse::<f64>` reads it.
#[inline]
pub(crate) fn parse_number(raw: &[u8]) -> Option<f64> {
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
pub(crate) fn decimal_prefix(raw: &[u8]) -> Option<(f64, usize)> {
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

/// The eight bytes at `at` of `raw`; past its end, zero bytes (which are
/// neither digits nor a point, so a number ends there). `None` when `at` is
/// past the end.
#[allow(
    clippy::inline_always,
    reason = "measured: a call per number costs a sixth of the parse"
)]
#[inline(always)]
fn chunk_at(raw: &[u8], at: usize) -> Option<u64> {
    if let Some(eight) = raw.get(at..at + 8) {
        return Some(u64::from_le_bytes(eight.try_into().ok()?));
    }
    // Shifted in a byte at a time: a copy to the stack and a load of the
    // whole word would stall on the store.
    let rest = raw.get(at..)?;
    Some(
        rest.iter()
            .enumerate()
            .fold(0, |word, (i, b)| word | (u64::from(*b) << (8 * i))),
    )
}

/// [`decimal_prefix`] for numbers of at most 7 digits before and 7 after
/// the point, read eight bytes at a time: the same digits, mantissa and
/// division as [`long_decimal`], so the same value. `None` when the number
/// is not of that shape: `long_decimal` then decides.
#[allow(
    clippy::inline_always,
    reason = "measured: a call per number costs a sixth of the parse"
)]
#[inline(always)]
fn short_decimal(raw: &[u8]) -> Option<(f64, usize)> {
    short_decimal_with(
        *raw.first()?,
        |at| chunk_at(raw, at),
        |at| raw.get(at).copied(),
    )
}

/// [`short_decimal`] over the eight-byte words `chunk(at)` gives (the
/// bytes of the number from `at`, zero past its end) and its bytes
/// `byte(at)`, its first byte `first`.
#[allow(
    clippy::inline_always,
    reason = "measured: a call per number costs a sixth of the parse"
)]
#[inline(always)]
fn short_decimal_with(
    first: u8,
    chunk: impl Fn(usize) -> Option<u64>,
    byte: impl Fn(usize) -> Option<u8>,
) -> Option<(f64, usize)> {
    let negative = first == b'-';
    let signed = usize::from(negative || first == b'+');
    let (whole, whole_digits) = digit_run(chunk(signed)?);
    let point = signed + whole_digits as usize;
    let (fraction, fraction_digits, len) = if whole_digits == 8 {
        return None;
    } else if byte(point) == Some(b'.') {
        let (fraction, fraction_digits) = digit_run(chunk(point + 1)?);
        if fraction_digits == 8 || whole_digits + fraction_digits == 0 {
            return None;
        }
        (
            fraction,
            fraction_digits as usize,
            point + 1 + fraction_digits as usize,
        )
    } else if whole_digits == 0 {
        return None;
    } else {
        (0, 0, point)
    };
    Some((
        decimal_value(whole, fraction, fraction_digits, negative),
        len,
    ))
}

/// The decimal `whole.fraction` with `digits` digits after the point (at
/// most 7; 0 for a whole number), negated when `negative`. All its digits
/// make one integer below 2^53, exact as a double, and 10^`digits` is an
/// exact double too, so IEEE division rounds their quotient correctly: the
/// value `str::parse` gives (Clinger's fast path). Every fast reader here
/// ends with it, so all of them give the same value for the same digits.
#[inline]
fn decimal_value(whole: u64, fraction: u64, digits: usize, negative: bool) -> f64 {
    let mantissa = whole * SCALES[digits] + fraction;
    // Below 10^14: a signed conversion (one instruction) is exact.
    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_wrap,
        reason = "at most 14 digits: below 2^53, exact"
    )]
    let mantissa = f64::from_bits((mantissa as i64 as f64).to_bits() | (u64::from(negative) << 63));
    // Whole numbers (quantities, mostly) skip the division, which would
    // keep their value (`x / 1.0 == x`) and costs its latency.
    if digits == 0 {
        return mantissa;
    }
    mantissa / POWERS[digits]
}

/// [`decimal_prefix`] for the shape of a per-period return, read from the
/// sixteen bytes `raw` starts with: an optional sign, one digit, a point
/// and one to seven digits (`-0.0012345`). The same mantissa and division
/// as [`short_decimal`], so the same value, in half its work: the whole
/// part is one byte, and every byte read is in `raw`. `None` for any other
/// shape, which [`decimal_prefix`] then reads.
#[inline]
#[cfg(feature = "strategy")]
pub(crate) fn unit_decimal(raw: &[u8; 16]) -> Option<(f64, usize)> {
    let negative = raw[0] == b'-';
    let signed = usize::from(negative || raw[0] == b'+');
    let [digit, point, fraction @ ..] = *raw[signed..].first_chunk::<10>()?;
    let digit = digit.wrapping_sub(b'0');
    if digit > 9 || point != b'.' {
        return None;
    }
    let (fraction, digits) = digit_run(u64::from_le_bytes(fraction));
    let digits = digits as usize;
    if digits == 0 || digits == 8 {
        return None;
    }
    Some((
        decimal_value(u64::from(digit), fraction, digits, negative),
        signed + 2 + digits,
    ))
}

/// [`parse_number`] of the bytes `start..end` of `buffer`, faster for a
/// field of a line: the words of a short number are read from `buffer` in
/// place, the bytes past the field masked off, rather than gathered. (The
/// commonest fields, [`eight_byte_field`] reads before their ends are
/// trimmed.)
#[cfg(feature = "trading")]
#[inline]
pub(crate) fn parse_field(buffer: &[u8], start: usize, end: usize) -> Option<f64> {
    let raw = buffer.get(start..end)?;
    let len = raw.len();
    let word = |at: usize| -> Option<u64> {
        if at > len {
            return None;
        }
        let Some(eight) = buffer.get(start + at..start + at + 8) else {
            return chunk_at(raw, at);
        };
        let word = u64::from_le_bytes(eight.try_into().ok()?);
        let keep = len - at;
        Some(if keep >= 8 {
            word
        } else {
            word & ((1u64 << (8 * keep)) - 1)
        })
    };
    if let Some((value, used)) = raw
        .first()
        .and_then(|&first| short_decimal_with(first, word, |at| raw.get(at).copied()))
        && used == len
    {
        return Some(value);
    }
    parse_number(raw)
}

/// The commonest fields of an order log or a bar file, read from one word
/// with no sign: digits (`300`) or digits, a point and digits (`101.25`),
/// up to eight bytes in all, as [`short_decimal`] reads them (the same
/// mantissa and division, so the same value). `None` for anything else,
/// which [`parse_field`] then reads.
#[allow(
    clippy::inline_always,
    reason = "measured: left to the compiler, the scan of an order log runs 1.3 % more instructions"
)]
#[inline(always)]
#[cfg(feature = "trading")]
pub(crate) fn eight_byte_field(buffer: &[u8], start: usize, end: usize) -> Option<f64> {
    let len = end.checked_sub(start)?;
    if !(1..=8).contains(&len) {
        return None;
    }
    let eight: [u8; 8] = buffer.get(start..start.checked_add(8)?)?.try_into().ok()?;
    // The bytes past the field become zero bytes, which end a digit run.
    let word = u64::from_le_bytes(eight) & (u64::MAX >> (64 - 8 * len));
    let (whole, whole_digits) = digit_run(word);
    let point = whole_digits as usize;
    if point == len {
        return Some(decimal_value(whole, 0, 0, false));
    }
    if (word >> (8 * point)) & 0xff != u64::from(b'.') {
        return None;
    }
    let (fraction, fraction_digits) = digit_run(word.checked_shr(8 * (whole_digits + 1))?);
    if point + 1 + fraction_digits as usize != len || whole_digits + fraction_digits == 0 {
        return None;
    }
    Some(decimal_value(
        whole,
        fraction,
        fraction_digits as usize,
        false,
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A field read in place reads as the same bytes alone, whatever
    /// follows it in the buffer.
    #[test]
    fn fields_parse_as_numbers_do() {
        for text in [
            "0",
            "-0.5",
            "+1",
            "12.25",
            "100.23",
            "1234567.1234567",
            "12345678",
            "1e5",
            "5.",
            ".5",
            "-",
            "",
            "1.2.3",
            "0.000000000000001",
            "9007199254740993",
            "nan",
            "7x",
            "300",
            "99999999",
            "00000000",
            "1234.567",
            "1234567.",
            ".1234567",
            "0.0",
            "12.3456",
            "1.2345678",
            "12,5",
            "1 5",
            "1.5 ",
        ] {
            for after in ["", ",", ",123.45,678", "999999999", ".5"] {
                let buffer = format!("x,{text}{after}");
                let (start, end) = (2, 2 + text.len());
                let expected = parse_number(text.as_bytes()).map(f64::to_bits);
                assert_eq!(
                    parse_field(buffer.as_bytes(), start, end).map(f64::to_bits),
                    expected,
                    "`{text}` followed by `{after}`"
                );
                // The fast path reads a number as it is, or leaves it.
                if let Some(value) = eight_byte_field(buffer.as_bytes(), start, end) {
                    assert_eq!(Some(value.to_bits()), expected, "`{text}` read in one word");
                }
            }
        }
    }

    /// Digits, or digits with a point, of up to eight bytes take the fast
    /// path when eight bytes can be read from the field's start; signs,
    /// exponents, longer numbers and a short buffer do not.
    #[test]
    fn eight_byte_fields_take_the_fast_path() {
        // The field is the first `len` bytes of each buffer.
        for (buffer, len, fast) in [
            ("300,1,2,3", 3, Some(300.0)),
            ("12.3456,7", 7, Some(12.3456)),
            ("99999999", 8, Some(99_999_999.0)),
            (".5,00000", 2, Some(0.5)),
            ("5.,00000", 2, Some(5.0)),
            ("-1,00000", 2, None),
            ("1e5,0000", 3, None),
            ("123456789", 9, None),
            ("300", 3, None),
        ] {
            assert_eq!(
                eight_byte_field(buffer.as_bytes(), 0, len),
                fast,
                "{buffer}"
            );
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

    /// A return's decimal read from sixteen bytes is what [`decimal_prefix`]
    /// reads, whatever follows it, and most returns take that way.
    #[test]
    #[cfg(feature = "strategy")]
    fn unit_decimals_agree_with_decimal_prefix() {
        let mut rng = crate::damage::Xorshift::new(0x2545_f491_4f6c_dd1d_u64);
        let mut next = |bound: usize| rng.below(bound);
        let alphabet = b"0123456789.-+eE,\n\r x";
        let digit = |d: usize| b'0' + u8::try_from(d).unwrap();
        let mut taken = 0;
        for _ in 0..200_000 {
            let mut text = match next(4) {
                0 => vec![b'-'],
                1 => vec![b'+'],
                _ => Vec::new(),
            };
            text.extend([digit(next(10)), b'.']);
            for _ in 0..next(10) {
                text.push(digit(next(10)));
            }
            text.extend_from_slice(b"\r\n2000-01-03T14:30:00Z,");
            // A damaged byte in a third of them.
            if next(3) == 0 {
                let at = next(12);
                text[at] = alphabet[next(alphabet.len())];
            }
            let raw: [u8; 16] = text[..16].try_into().unwrap();
            let expected = decimal_prefix(&text).map(|(v, l)| (v.to_bits(), l));
            if let Some((value, len)) = unit_decimal(&raw) {
                taken += 1;
                assert_eq!(
                    Some((value.to_bits(), len)),
                    expected,
                    "{}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
        assert!(taken > 80_000, "only {taken} took the unit path");
    }

    /// The eight-bytes-at-a-time reader and the byte-at-a-time one agree on
    /// every prefix, whatever follows the number.
    #[test]
    fn short_and_long_decimals_agree() {
        let mut rng = crate::damage::Xorshift::new(0x9e37_79b9_7f4a_7c15_u64);
        let mut next = |bound: u64| rng.below(usize::try_from(bound).unwrap());
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
            // Half the numbers end their input: the reader pads with zeros.
            if next(2) == 0 {
                text.extend_from_slice(b"\n0123456789abcdef");
            }
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
}
