//! The dates of a return series, kept as runs of equal dates.

use std::ops::Range;

use jiff::civil::Date;

/// The date of each period of a series, one per period, kept as runs of
/// equal dates. An intraday series repeats its date for every period of the
/// day: a run per day keeps ten million one-minute periods in a few hundred
/// kilobytes, where a date per period would take 40 MB.
///
/// Runs are always merged (two runs in a row never have the same date), so
/// two `Dates` are equal exactly when they hold the same dates.
///
/// ```
/// use jiff::civil::date;
/// use preflight_probes::strategy::series::Dates;
///
/// let mut dates = Dates::new();
/// dates.push(date(2024, 1, 2));
/// dates.push(date(2024, 1, 2));
/// dates.push_run(date(2024, 1, 3), 3);
/// assert_eq!(dates.len(), 5);
/// assert_eq!(dates.get(1), Some(date(2024, 1, 2)));
/// assert_eq!(dates.get(2), Some(date(2024, 1, 3)));
/// assert_eq!(dates.get(5), None);
/// assert_eq!(dates.runs().count(), 2);
/// assert_eq!(dates.partition_point(|d| d < date(2024, 1, 3)), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dates {
    /// Each run's date and the index just past its last period.
    runs: Vec<(Date, usize)>,
}

impl Dates {
    /// No dates.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of periods.
    #[must_use]
    pub fn len(&self) -> usize {
        self.runs.last().map_or(0, |(_, end)| *end)
    }

    /// Whether there are no periods.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The date of period `index`, if there is one.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<Date> {
        let run = self.runs.partition_point(|(_, end)| *end <= index);
        self.runs.get(run).map(|(date, _)| *date)
    }

    /// The first period's date.
    #[must_use]
    pub fn first(&self) -> Option<Date> {
        self.runs.first().map(|(date, _)| *date)
    }

    /// The last period's date.
    #[must_use]
    pub fn last(&self) -> Option<Date> {
        self.runs.last().map(|(date, _)| *date)
    }

    /// Adds a period on `date`.
    pub fn push(&mut self, date: Date) {
        self.push_run(date, 1);
    }

    /// Adds `count` periods on `date`.
    pub fn push_run(&mut self, date: Date, count: usize) {
        if count == 0 {
            return;
        }
        match self.runs.last_mut() {
            Some((last, end)) if *last == date => *end += count,
            _ => {
                let end = self.len() + count;
                self.runs.push((date, end));
            }
        }
    }

    /// Adds the periods of `other` after these.
    pub fn append(&mut self, other: &Dates) {
        for (date, periods) in other.runs() {
            self.push_run(date, periods.len());
        }
    }

    /// Each run's date and the range of its periods, in order.
    pub fn runs(&self) -> impl Iterator<Item = (Date, Range<usize>)> + '_ {
        let starts = std::iter::once(0).chain(self.runs.iter().map(|(_, end)| *end));
        self.runs
            .iter()
            .zip(starts)
            .map(|((date, end), start)| (*date, start..*end))
    }

    /// Each period's date, in order.
    pub fn iter(&self) -> impl Iterator<Item = Date> + '_ {
        self.runs()
            .flat_map(|(date, periods)| std::iter::repeat_n(date, periods.len()))
    }

    /// The index of the first period whose date fails `pred`, for dates in
    /// order and a `pred` that holds up to some date and fails after it (as
    /// [`slice::partition_point`]); the number of periods when it holds for
    /// all.
    pub fn partition_point(&self, mut pred: impl FnMut(Date) -> bool) -> usize {
        let run = self.runs.partition_point(|(date, _)| pred(*date));
        run.checked_sub(1)
            .and_then(|before| self.runs.get(before))
            .map_or(0, |(_, end)| *end)
    }

    /// Every period's date, one each.
    #[must_use]
    pub fn to_vec(&self) -> Vec<Date> {
        self.iter().collect()
    }
}

impl FromIterator<Date> for Dates {
    fn from_iter<I: IntoIterator<Item = Date>>(iter: I) -> Self {
        let mut dates = Dates::new();
        for date in iter {
            dates.push(date);
        }
        dates
    }
}

impl From<&[Date]> for Dates {
    fn from(dates: &[Date]) -> Self {
        dates.iter().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn runs_hold_every_period() {
        let days = [
            date(2024, 1, 2),
            date(2024, 1, 2),
            date(2024, 1, 3),
            date(2024, 1, 5),
            date(2024, 1, 5),
            date(2024, 1, 5),
        ];
        let dates = Dates::from(&days[..]);
        assert_eq!(dates.len(), 6);
        assert!(!dates.is_empty());
        assert_eq!(dates.to_vec(), days);
        for (i, day) in days.iter().enumerate() {
            assert_eq!(dates.get(i), Some(*day), "period {i}");
        }
        assert_eq!(dates.get(6), None);
        assert_eq!(
            (dates.first(), dates.last()),
            (Some(days[0]), Some(days[5]))
        );
        assert_eq!(
            dates.runs().collect::<Vec<_>>(),
            [(days[0], 0..2), (days[2], 2..3), (days[3], 3..6)]
        );
        // As the slice's own partition point, for every cut.
        for cut in [
            date(2024, 1, 1),
            days[0],
            days[2],
            date(2024, 1, 4),
            days[5],
            date(2024, 2, 1),
        ] {
            assert_eq!(
                dates.partition_point(|d| d < cut),
                days.partition_point(|d| *d < cut),
                "{cut}"
            );
        }
        // Built in pieces, merged the same.
        let mut pieces = Dates::from(&days[..1]);
        pieces.append(&Dates::from(&days[1..4]));
        pieces.push_run(days[4], 0);
        pieces.append(&Dates::from(&days[4..]));
        assert_eq!(pieces, dates);
        assert_ne!(Dates::from(&days[..5]), dates);
    }

    #[test]
    fn no_dates() {
        let dates = Dates::new();
        assert_eq!((dates.len(), dates.is_empty()), (0, true));
        assert_eq!(
            (dates.get(0), dates.first(), dates.last()),
            (None, None, None)
        );
        assert_eq!(dates.partition_point(|_| true), 0);
        assert_eq!(dates.iter().count(), 0);
    }
}
