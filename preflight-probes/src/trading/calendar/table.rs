//! Per-year day tables, built once per venue and year on first use, so that
//! the questions asked per bar ("is this a session?", "when does it open?")
//! are an index into a slice: no time zone lookup and no allocation per call.

use std::sync::OnceLock;

use jiff::ToSpan as _;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::{SignedDuration, Timestamp};

use super::DayKind;
use super::rules::{Closure, EarlyClose, Rule, SpecialClose};

/// The first and last years the rules are known for.
pub(super) const FIRST_YEAR: i16 = 1990;
pub(super) const LAST_YEAR: i16 = 2035;
const YEARS: usize = (LAST_YEAR - FIRST_YEAR + 1) as usize;

/// Days from 1990-01-01 to January 1st of each year of the range, and to the
/// day after its end.
const YEAR_START: [usize; YEARS + 1] = {
    let mut starts = [0; YEARS + 1];
    let mut year = FIRST_YEAR.cast_unsigned() as usize;
    let mut i = 1;
    while i <= YEARS {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        starts[i] = starts[i - 1] + if leap { 366 } else { 365 };
        year += 1;
        i += 1;
    }
    starts
};

/// Days in the whole range.
pub(super) const DAYS: usize = YEAR_START[YEARS];

/// Days from the Unix epoch (1970-01-01) to 1990-01-01.
const EPOCH_TO_FIRST: i64 = 7305;

/// The index of `date` in the range (0 is 1990-01-01), `None` outside it.
pub(super) fn index_of(date: Date) -> Option<usize> {
    let year = date.year();
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return None;
    }
    let year_index = usize::try_from(year - FIRST_YEAR).ok()?;
    let day = usize::try_from(date.day_of_year() - 1).ok()?;
    Some(YEAR_START[year_index] + day)
}

/// The index (as for [`index_of`]) of the UTC day that contains `at`; it
/// may lie outside the range.
pub(super) fn utc_day_index(at: Timestamp) -> i64 {
    at.as_second().div_euclid(86_400) - EPOCH_TO_FIRST
}

/// The year of the range that holds day `index` (< [`DAYS`]), as an index.
fn year_of(index: usize) -> usize {
    // 146 097 days in 400 Gregorian years: the guess is off by at most one.
    let mut year = (index * 400 / 146_097).min(YEARS - 1);
    while YEAR_START[year] > index {
        year -= 1;
    }
    while YEAR_START[year + 1] <= index {
        year += 1;
    }
    year
}

/// One day of a venue.
#[derive(Debug, Clone, Copy)]
pub(super) struct Day {
    pub(super) date: Date,
    pub(super) kind: DayKind,
    /// The regular session's open and close, on sessions.
    pub(super) bounds: Option<(Timestamp, Timestamp)>,
}

/// The extended sessions around a venue's regular one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Extended {
    /// When pre-market trading starts, local time.
    pub(super) pre_open: Time,
    /// How long after the regular close (early or not) after-hours trading ends.
    pub(super) after_hours: SignedDuration,
}

/// A venue's rules; its tables are derived from them on first use.
pub(super) struct Venue {
    pub(super) name: &'static str,
    pub(super) time_zone: &'static str,
    pub(super) open: Time,
    pub(super) close: Time,
    pub(super) extended: Option<Extended>,
    pub(super) holidays: &'static [Rule],
    pub(super) closures: &'static [Closure],
    pub(super) early_closes: &'static [EarlyClose],
    pub(super) special_closes: &'static [SpecialClose],
    pub(super) cache: Cache,
}

impl std::fmt::Debug for Venue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Venue")
            .field("name", &self.name)
            .field("time_zone", &self.time_zone)
            .finish_non_exhaustive()
    }
}

/// What a venue computes once: its time zone and a table per year.
pub(super) struct Cache {
    zone: OnceLock<Zone>,
    years: [OnceLock<Box<[Day]>>; YEARS],
}

impl Cache {
    pub(super) const fn new() -> Cache {
        Cache {
            zone: OnceLock::new(),
            years: [const { OnceLock::new() }; YEARS],
        }
    }
}

/// A venue's time zone and the instants its range starts and ends.
pub(super) struct Zone {
    pub(super) tz: TimeZone,
    /// Local midnight starting 1990-01-01.
    pub(super) start: Timestamp,
    /// Local midnight ending 2035-12-31.
    pub(super) end: Timestamp,
}

impl Venue {
    pub(super) fn zone(&self) -> &Zone {
        self.cache.zone.get_or_init(|| {
            // The bundled copy, not `/usr/share/zoneinfo`: the same answers on
            // every machine, whatever its tzdata package (see Cargo.toml).
            let tz = TimeZoneDatabase::bundled()
                .get(self.time_zone)
                .expect("jiff's bundled tzdb (feature `tzdb-bundle-always`) has the venue's zone");
            let midnight = |year: i16| {
                tz.to_timestamp(DateTime::constant(year, 1, 1, 0, 0, 0, 0))
                    .expect("1990 and 2036 are within jiff's range")
            };
            Zone {
                start: midnight(FIRST_YEAR),
                end: midnight(LAST_YEAR + 1),
                tz: tz.clone(),
            }
        })
    }

    /// Day `index` (< [`DAYS`]) of the range.
    pub(super) fn day(&self, index: usize) -> &Day {
        let year = year_of(index);
        let table = self.cache.years[year].get_or_init(|| {
            let year = FIRST_YEAR + i16::try_from(year).expect("fewer than 2^15 years");
            self.build_year(year)
        });
        &table[index - YEAR_START[year]]
    }

    /// The day at `index` when it lies in the range.
    pub(super) fn day_checked(&self, index: i64) -> Option<&Day> {
        let index = usize::try_from(index).ok()?;
        (index < DAYS).then(|| self.day(index))
    }

    fn build_year(&self, year: i16) -> Box<[Day]> {
        let first = Date::constant(year, 1, 1);
        let mut days: Vec<Day> = first
            .series(1.day())
            .take(usize::try_from(first.days_in_year()).expect("365 or 366"))
            .map(|date| Day {
                date,
                kind: if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
                    DayKind::Weekend
                } else {
                    DayKind::Regular
                },
                bounds: None,
            })
            .collect();
        let slot = |date: Date| {
            (date.year() == year).then(|| usize::try_from(date.day_of_year() - 1).expect("1..=366"))
        };
        // A rule's date may move across New Year (a Saturday January 1st
        // observed on the Friday before), so the neighbouring years' dates
        // are placed too.
        let rule_dates = |rule: &'static Rule| {
            (year - 1..=year + 1).filter_map(move |y| rule.date_in(y).and_then(slot))
        };
        // Holidays and closures first: an early-close rule never reopens a
        // closed day (Christmas Eve on a Friday is Christmas observed).
        for rule in self.holidays {
            for i in rule_dates(rule) {
                if days[i].kind == DayKind::Regular {
                    days[i].kind = DayKind::Closed { reason: rule.name };
                }
            }
        }
        for closure in self.closures {
            if let Some(i) = slot(closure.date)
                && days[i].kind == DayKind::Regular
            {
                days[i].kind = DayKind::Closed {
                    reason: closure.reason,
                };
            }
        }
        let mut close_early = |i: usize, close: Time, reason: &'static str| match days[i].kind {
            DayKind::Regular => days[i].kind = DayKind::EarlyClose { close, reason },
            DayKind::EarlyClose { close: other, .. } if close < other => {
                days[i].kind = DayKind::EarlyClose { close, reason };
            }
            _ => {}
        };
        for early in self.early_closes {
            for i in rule_dates(&early.rule) {
                close_early(i, early.close, early.rule.name);
            }
        }
        for special in self.special_closes {
            if let Some(i) = slot(special.date) {
                close_early(i, special.close, special.reason);
            }
        }
        let tz = &self.zone().tz;
        let instant = |date: Date, time: Time| {
            tz.to_timestamp(date.to_datetime(time))
                .expect("session times of 1990..=2035 are within jiff's range")
        };
        for day in &mut days {
            let close = match day.kind {
                DayKind::Regular => self.close,
                DayKind::EarlyClose { close, .. } => close,
                DayKind::Closed { .. } | DayKind::Weekend => continue,
            };
            day.bounds = Some((instant(day.date, self.open), instant(day.date, close)));
        }
        days.into_boxed_slice()
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn indices_follow_the_calendar() {
        assert_eq!(index_of(date(1990, 1, 1)), Some(0));
        assert_eq!(index_of(date(1989, 12, 31)), None);
        assert_eq!(index_of(date(2036, 1, 1)), None);
        assert_eq!(index_of(date(2035, 12, 31)), Some(DAYS - 1));
        for (index, day) in date(1990, 1, 1).series(1.day()).take(DAYS).enumerate() {
            assert_eq!(index_of(day), Some(index), "{day}");
            assert_eq!(
                year_of(index),
                usize::try_from(day.year() - FIRST_YEAR).unwrap()
            );
            let noon = day
                .to_datetime(Time::constant(12, 0, 0, 0))
                .to_zoned_datetime(TimeZone::UTC)
                .unwrap()
                .timestamp();
            assert_eq!(utc_day_index(noon), i64::try_from(index).unwrap());
        }
        assert_eq!(
            date(1990, 1, 1).duration_since(date(1970, 1, 1)).as_hours() / 24,
            EPOCH_TO_FIRST
        );
    }
}
