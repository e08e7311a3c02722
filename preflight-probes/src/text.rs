//! Wording shared by the items' messages and the parsers' error locations.

/// `n` and the noun, plural unless `n` is 1: "1 marker", "3 files".
#[cfg(any(feature = "code", feature = "trading"))]
pub(crate) fn counted(n: impl TryInto<u64>, noun: &str) -> String {
    let n = n.try_into().unwrap_or(u64::MAX);
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `file:line:column` of the byte offset `pos` of `bytes` (clamped to its
/// length), the column counted in characters: the bytes that start a UTF-8
/// sequence.
#[cfg(any(feature = "code", feature = "testing"))]
pub(crate) fn locate(bytes: &[u8], pos: usize, shown: &str) -> String {
    let before = &bytes[..pos.min(bytes.len())];
    let line = before.split(|b| *b == b'\n').count();
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = before[start..]
        .iter()
        .filter(|b| (**b & 0xC0) != 0x80)
        .count()
        + 1;
    format!("{shown}:{line}:{column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(feature = "code", feature = "testing"))]
    #[test]
    fn locations_count_lines_and_characters() {
        let text = "ab\nçé,x\n".as_bytes();
        assert_eq!(locate(text, 0, "f"), "f:1:1");
        assert_eq!(locate(text, 3, "f"), "f:2:1");
        // After `çé`: four bytes, two characters.
        assert_eq!(locate(text, 7, "f"), "f:2:3");
        assert_eq!(locate(text, 99, "f"), "f:3:1");
    }

    #[cfg(any(feature = "code", feature = "trading"))]
    #[test]
    fn one_is_singular_and_the_rest_plural() {
        assert_eq!(counted(0_u64, "order"), "0 orders");
        assert_eq!(counted(1_u64, "order"), "1 order");
        assert_eq!(counted(2_u32, "file"), "2 files");
        assert_eq!(counted(1_usize, "file"), "1 file");
    }
}
