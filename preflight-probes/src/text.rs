//! Wording shared by the items' messages.

/// `n` and the noun, plural unless `n` is 1: "1 marker", "3 files".
pub(crate) fn counted(n: impl TryInto<u64>, noun: &str) -> String {
    let n = n.try_into().unwrap_or(u64::MAX);
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::counted;

    #[test]
    fn one_is_singular_and_the_rest_plural() {
        assert_eq!(counted(0_u64, "order"), "0 orders");
        assert_eq!(counted(1_u64, "order"), "1 order");
        assert_eq!(counted(2_u32, "file"), "2 files");
        assert_eq!(counted(1_usize, "file"), "1 file");
    }
}
