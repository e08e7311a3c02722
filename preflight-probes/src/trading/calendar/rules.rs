//! Holiday and early-close rules: a date per year, moved off weekends the way
//! the venue does it, and valid for the years the venue applied it.

use jiff::ToSpan as _;
use jiff::civil::{Date, Time, Weekday};

/// Which day of a year a rule names, before it is moved off a weekend.
#[derive(Debug, Clone, Copy)]
pub(super) enum DateRule {
    /// A fixed day of a month (Christmas Day, 12-25).
    Fixed { month: i8, day: i8 },
    /// The `nth` weekday of a month, counted from the month's end when `nth`
    /// is negative (Memorial Day: the last Monday of May is `-1`).
    Nth {
        month: i8,
        nth: i8,
        weekday: Weekday,
    },
    /// Days after Easter Sunday, negative before (Good Friday is `-2`).
    Easter(i16),
}

/// How a rule's date moves when it falls on a weekend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Observance {
    /// It does not move: a weekend date is simply not a weekday closure.
    None,
    /// Sunday moves to Monday; Saturday is not observed (NYSE's New Year's Day).
    SundayToMonday,
    /// Saturday moves to Friday, Sunday to Monday (most NYSE holidays).
    NearestWorkday,
    /// Saturday and Sunday move to Monday (LSE's New Year's Day).
    WeekendToMonday,
    /// Saturday and Sunday move back to Friday (LSE's half days).
    PreviousFriday,
}

/// A day of each year in `first..=last` (except `except`) that is a holiday
/// or an early close.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rule {
    /// Shown as the reason: "Christmas Day".
    pub(super) name: &'static str,
    pub(super) date: DateRule,
    /// Days added to `date` before the observance (Black Friday: Thanksgiving + 1).
    pub(super) shift: i8,
    pub(super) observance: Observance,
    /// The weekdays on which the observed date counts, a bit per weekday
    /// (`1 << monday_zero_offset`); the rule does not apply on the others.
    pub(super) weekdays: u8,
    /// The first and last years the rule applies.
    pub(super) first: i16,
    pub(super) last: i16,
    /// Years in `first..=last` where the venue replaced it by an ad-hoc day.
    pub(super) except: &'static [i16],
}

/// Every weekday.
pub(super) const ANY_DAY: u8 = 0b0111_1111;

/// The bit of `weekday` in [`Rule::weekdays`].
pub(super) const fn day_bit(weekday: Weekday) -> u8 {
    1 << weekday.to_monday_zero_offset()
}

impl Rule {
    /// A rule on `date` in every year, observed as it falls.
    pub(super) const fn new(name: &'static str, date: DateRule) -> Rule {
        Rule {
            name,
            date,
            shift: 0,
            observance: Observance::None,
            weekdays: ANY_DAY,
            first: i16::MIN,
            last: i16::MAX,
            except: &[],
        }
    }

    pub(super) const fn shift(mut self, days: i8) -> Rule {
        self.shift = days;
        self
    }

    pub(super) const fn observed(mut self, observance: Observance) -> Rule {
        self.observance = observance;
        self
    }

    /// Only when the observed date falls on one of these weekdays.
    pub(super) const fn on(mut self, weekdays: &[Weekday]) -> Rule {
        let mut bits = 0;
        let mut i = 0;
        while i < weekdays.len() {
            bits |= day_bit(weekdays[i]);
            i += 1;
        }
        self.weekdays = bits;
        self
    }

    pub(super) const fn from(mut self, year: i16) -> Rule {
        self.first = year;
        self
    }

    pub(super) const fn until(mut self, year: i16) -> Rule {
        self.last = year;
        self
    }

    pub(super) const fn except(mut self, years: &'static [i16]) -> Rule {
        self.except = years;
        self
    }

    /// The observed date of the rule for `year`, if it applies that year.
    ///
    /// Years are the rule's own: a date moved into the neighbouring year
    /// (none of the venues' rules does that between 1990 and 2035) still
    /// belongs to the year it was computed for.
    pub(super) fn date_in(&self, year: i16) -> Option<Date> {
        if year < self.first || year > self.last || self.except.contains(&year) {
            return None;
        }
        let base = match self.date {
            DateRule::Fixed { month, day } => Date::new(year, month, day).ok()?,
            DateRule::Nth {
                month,
                nth,
                weekday,
            } => Date::new(year, month, 1)
                .ok()?
                .nth_weekday_of_month(nth, weekday)
                .ok()?,
            DateRule::Easter(days) => easter(year)?.checked_add(days.days()).ok()?,
        };
        let shifted = base.checked_add(self.shift.days()).ok()?;
        let observed = observe(shifted, self.observance)?;
        (self.weekdays & day_bit(observed.weekday()) != 0).then_some(observed)
    }
}

/// Moves `date` off a weekend per `observance`; `None` when it is not observed.
fn observe(date: Date, observance: Observance) -> Option<Date> {
    let days: i8 = match (date.weekday(), observance) {
        (Weekday::Saturday, Observance::SundayToMonday) => return None,
        (Weekday::Saturday, Observance::NearestWorkday | Observance::PreviousFriday) => -1,
        (Weekday::Saturday, Observance::WeekendToMonday) => 2,
        (
            Weekday::Sunday,
            Observance::SundayToMonday | Observance::NearestWorkday | Observance::WeekendToMonday,
        ) => 1,
        (Weekday::Sunday, Observance::PreviousFriday) => -2,
        _ => 0,
    };
    date.checked_add(days.days()).ok()
}

/// Easter Sunday of the Gregorian calendar (the anonymous algorithm
/// published in Nature, 1876), for the western churches' Good Friday and
/// Easter Monday.
#[allow(
    clippy::many_single_char_names,
    reason = "the names of the published algorithm, so it can be checked against it"
)]
pub(super) fn easter(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// A closure outside the rules: a day of mourning, a storm, a jubilee.
#[derive(Debug, Clone, Copy)]
pub(super) struct Closure {
    pub(super) date: Date,
    pub(super) reason: &'static str,
}

/// An early close outside the rules.
#[derive(Debug, Clone, Copy)]
pub(super) struct SpecialClose {
    pub(super) date: Date,
    pub(super) close: Time,
    pub(super) reason: &'static str,
}

/// An early-close rule and the local time the session closes.
#[derive(Debug, Clone, Copy)]
pub(super) struct EarlyClose {
    pub(super) rule: Rule,
    pub(super) close: Time,
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn easter_sundays() {
        for (year, month, day) in [
            (1990, 4, 15),
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2038, 4, 25),
        ] {
            assert_eq!(easter(year), Some(date(year, month, day)), "{year}");
        }
    }

    #[test]
    fn observances_move_weekend_dates() {
        let saturday = date(2022, 1, 1);
        let sunday = date(2023, 1, 1);
        let wednesday = date(2025, 1, 1);
        assert_eq!(observe(saturday, Observance::SundayToMonday), None);
        assert_eq!(
            observe(sunday, Observance::SundayToMonday),
            Some(date(2023, 1, 2))
        );
        assert_eq!(
            observe(saturday, Observance::NearestWorkday),
            Some(date(2021, 12, 31))
        );
        assert_eq!(
            observe(saturday, Observance::WeekendToMonday),
            Some(date(2022, 1, 3))
        );
        assert_eq!(
            observe(sunday, Observance::PreviousFriday),
            Some(date(2022, 12, 30))
        );
        for observance in [
            Observance::None,
            Observance::SundayToMonday,
            Observance::NearestWorkday,
            Observance::WeekendToMonday,
            Observance::PreviousFriday,
        ] {
            assert_eq!(observe(wednesday, observance), Some(wednesday));
        }
    }

    #[test]
    fn rules_apply_within_their_years_and_weekdays() {
        let juneteenth = Rule::new("Juneteenth", DateRule::Fixed { month: 6, day: 19 })
            .observed(Observance::NearestWorkday)
            .from(2022);
        assert_eq!(juneteenth.date_in(2021), None);
        assert_eq!(juneteenth.date_in(2022), Some(date(2022, 6, 20)));
        assert_eq!(juneteenth.date_in(2027), Some(date(2027, 6, 18)));
        let black_friday = Rule::new(
            "Day after Thanksgiving",
            DateRule::Nth {
                month: 11,
                nth: 4,
                weekday: Weekday::Thursday,
            },
        )
        .shift(1);
        assert_eq!(black_friday.date_in(2025), Some(date(2025, 11, 28)));
        let july_3 = Rule::new("July 3", DateRule::Fixed { month: 7, day: 3 }).on(&[
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Thursday,
        ]);
        assert_eq!(july_3.date_in(2025), Some(date(2025, 7, 3)));
        assert_eq!(july_3.date_in(2024), None, "a Wednesday");
        let spring = Rule::new(
            "Spring bank holiday",
            DateRule::Nth {
                month: 5,
                nth: -1,
                weekday: Weekday::Monday,
            },
        )
        .except(&[2022]);
        assert_eq!(spring.date_in(2022), None);
        assert_eq!(spring.date_in(2023), Some(date(2023, 5, 29)));
    }
}
