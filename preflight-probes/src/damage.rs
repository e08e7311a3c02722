//! Damaged inputs for the parsers' unit tests: truncations and byte flips of
//! valid documents, from a fixed xorshift sequence (deterministic, no
//! dependency). A parser must never panic on them, and fail only with a
//! located `Malformed` error; the callers check that on each input.

/// The xorshift64 sequence (13, 7, 17) from `seed`: the damage here, and the
/// random texts and positions of other tests.
pub(crate) struct Xorshift(u64);

impl Xorshift {
    /// The sequence after `seed` (not zero).
    pub(crate) fn new(seed: u64) -> Self {
        Xorshift(seed)
    }

    /// The next number of the sequence.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// The next number below `bound` (not zero).
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % bound as u64).unwrap_or(0)
    }
}

/// Calls `check` on every prefix of each of `bases` at `step`-byte
/// intervals, then on `flips` copies of it with one to three bytes replaced
/// by bytes of `junk` (the random sequence starts at `seed` and runs on
/// across the bases). Returns how many inputs were checked.
pub(crate) fn for_each_damaged(
    bases: &[&[u8]],
    seed: u64,
    step: usize,
    flips: usize,
    junk: &[u8],
    mut check: impl FnMut(&[u8]),
) -> usize {
    let mut rng = Xorshift::new(seed);
    let mut next = move || rng.next();
    let pick = |n: u64, len: usize| usize::try_from(n % len as u64).unwrap_or(0);
    let mut runs = 0;
    for bytes in bases {
        for cut in (0..bytes.len()).step_by(step) {
            check(&bytes[..cut]);
            runs += 1;
        }
        for _ in 0..flips {
            let mut damaged = bytes.to_vec();
            for _ in 0..=(next() % 3) {
                let at = pick(next(), bytes.len());
                damaged[at] = junk[pick(next(), junk.len())];
            }
            check(&damaged);
            runs += 1;
        }
    }
    runs
}
