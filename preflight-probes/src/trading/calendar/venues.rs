//! The rules of each venue, 1990 to 2035.
//!
//! Sources: the exchanges' published holiday calendars and, for the history,
//! the rules of `exchange_calendars` 4.13.2 (`exchange_calendar_xnys.py`,
//! `us_holidays.py`, `exchange_calendar_xlon.py`), against which
//! `tests/calendar.rs` checks every day of the range. Years before 1990 in a
//! rule record when the venue started to observe it; they are facts, not
//! answers: the API refuses dates before 1990.

use jiff::SignedDuration;
use jiff::civil::{Date, Time, Weekday};

use super::rules::{Closure, DateRule, EarlyClose, Observance, Rule, SpecialClose};
use super::table::{Cache, Extended, Venue};

const fn fixed(month: i8, day: i8) -> DateRule {
    DateRule::Fixed { month, day }
}

const fn nth(nth: i8, weekday: Weekday, month: i8) -> DateRule {
    DateRule::Nth {
        month,
        nth,
        weekday,
    }
}

const fn closure(year: i16, month: i8, day: i8, reason: &'static str) -> Closure {
    Closure {
        date: Date::constant(year, month, day),
        reason,
    }
}

const fn at(hour: i8, minute: i8) -> Time {
    Time::constant(hour, minute, 0, 0)
}

use Weekday::{Friday, Monday, Thursday, Tuesday, Wednesday};

/// NYSE's early close since 1993.
const NYSE_EARLY: Time = at(13, 0);
/// NYSE's early close until 1992.
const NYSE_EARLY_BEFORE_1993: Time = at(14, 0);

const THANKSGIVING: DateRule = nth(4, Thursday, 11);

/// The New York Stock Exchange (XNYS); Nasdaq (XNAS) keeps the same days.
pub(super) static NYSE: Venue = Venue {
    name: "New York Stock Exchange",
    time_zone: "America/New_York",
    open: at(9, 30),
    close: at(16, 0),
    // Pre-market from 04:00; after-hours until four hours after the close:
    // 20:00, and 17:00 on 13:00 early closes (Nasdaq's and NYSE Arca's
    // holiday schedules). The same hours are applied to every year of the
    // range, although extended sessions as they are today began in the 2000s.
    extended: Some(Extended {
        pre_open: at(4, 0),
        after_hours: SignedDuration::from_hours(4),
    }),
    holidays: &[
        // A Saturday New Year's Day is not observed on the Friday before:
        // NYSE Rule 7.2 keeps the exchange open on a Friday that ends the
        // yearly accounting period.
        Rule::new("New Year's Day", fixed(1, 1)).observed(Observance::SundayToMonday),
        Rule::new("Martin Luther King Jr. Day", nth(3, Monday, 1)).from(1998),
        Rule::new("Washington's Birthday", nth(3, Monday, 2)).from(1971),
        Rule::new("Good Friday", DateRule::Easter(-2)),
        Rule::new("Memorial Day", nth(-1, Monday, 5)).from(1971),
        Rule::new("Juneteenth", fixed(6, 19))
            .observed(Observance::NearestWorkday)
            .from(2022),
        Rule::new("Independence Day", fixed(7, 4))
            .observed(Observance::NearestWorkday)
            .from(1954),
        Rule::new("Labor Day", nth(1, Monday, 9)),
        Rule::new("Thanksgiving Day", THANKSGIVING).from(1942),
        Rule::new("Christmas Day", fixed(12, 25))
            .observed(Observance::NearestWorkday)
            .from(1954),
    ],
    closures: &[
        closure(1994, 4, 27, "Day of mourning for President Nixon"),
        closure(2001, 9, 11, "September 11 attacks"),
        closure(2001, 9, 12, "September 11 attacks"),
        closure(2001, 9, 13, "September 11 attacks"),
        closure(2001, 9, 14, "September 11 attacks"),
        closure(2004, 6, 11, "Day of mourning for President Reagan"),
        closure(2007, 1, 2, "Day of mourning for President Ford"),
        closure(2012, 10, 29, "Hurricane Sandy"),
        closure(2012, 10, 30, "Hurricane Sandy"),
        closure(
            2018,
            12,
            5,
            "Day of mourning for President George H. W. Bush",
        ),
        closure(2025, 1, 9, "Day of mourning for President Carter"),
    ],
    early_closes: &[
        // The day before Independence Day when the 4th is a Tuesday,
        // Wednesday or Friday; when it is a Thursday, the Friday after
        // closed early until 2012 and the Wednesday before since 2013.
        EarlyClose {
            rule: Rule::new("Day before Independence Day", fixed(7, 3))
                .on(&[Monday, Tuesday, Thursday])
                .from(1995),
            close: NYSE_EARLY,
        },
        EarlyClose {
            rule: Rule::new("Day after Independence Day", fixed(7, 5))
                .on(&[Friday])
                .from(1995)
                .until(2012),
            close: NYSE_EARLY,
        },
        EarlyClose {
            rule: Rule::new("Day before Independence Day", fixed(7, 3))
                .on(&[Wednesday])
                .from(2013),
            close: NYSE_EARLY,
        },
        EarlyClose {
            rule: Rule::new("Day after Thanksgiving", THANKSGIVING)
                .shift(1)
                .from(1992)
                .until(1992),
            close: NYSE_EARLY_BEFORE_1993,
        },
        EarlyClose {
            rule: Rule::new("Day after Thanksgiving", THANKSGIVING)
                .shift(1)
                .from(1993),
            close: NYSE_EARLY,
        },
        // On a Friday, Christmas Eve is Christmas Day observed.
        EarlyClose {
            rule: Rule::new("Christmas Eve", fixed(12, 24))
                .on(&[Monday, Tuesday, Wednesday, Thursday])
                .until(1992),
            close: NYSE_EARLY_BEFORE_1993,
        },
        EarlyClose {
            rule: Rule::new("Christmas Eve", fixed(12, 24))
                .on(&[Monday, Tuesday, Wednesday, Thursday])
                .from(1993),
            close: NYSE_EARLY,
        },
    ],
    special_closes: &[
        SpecialClose {
            date: Date::constant(1997, 12, 26),
            close: NYSE_EARLY,
            reason: "Day after Christmas",
        },
        SpecialClose {
            date: Date::constant(1999, 12, 31),
            close: NYSE_EARLY,
            reason: "New Year's Eve 1999",
        },
        SpecialClose {
            date: Date::constant(2003, 12, 26),
            close: NYSE_EARLY,
            reason: "Day after Christmas",
        },
    ],
    cache: Cache::new(),
};

/// The LSE's half days close at 12:30.
const LSE_EARLY: Time = at(12, 30);

const MAY_DAY: DateRule = nth(1, Monday, 5);
const SPRING_BANK_HOLIDAY: DateRule = nth(-1, Monday, 5);

/// The London Stock Exchange (XLON): the bank holidays of England and Wales.
pub(super) static LSE: Venue = Venue {
    name: "London Stock Exchange",
    time_zone: "Europe/London",
    open: at(8, 0),
    close: at(16, 30),
    // The LSE's auctions around the regular session are part of it; it
    // has no pre-market or after-hours session.
    extended: None,
    holidays: &[
        Rule::new("New Year's Day", fixed(1, 1)).observed(Observance::WeekendToMonday),
        Rule::new("Good Friday", DateRule::Easter(-2)),
        Rule::new("Easter Monday", DateRule::Easter(1)),
        // Moved to VE Day (May 8th) for its 50th and 75th anniversaries.
        Rule::new("Early May bank holiday", MAY_DAY)
            .from(1978)
            .except(&[1995, 2020]),
        // Moved for the Golden, Diamond and Platinum Jubilees (see the closures).
        Rule::new("Spring bank holiday", SPRING_BANK_HOLIDAY)
            .from(1971)
            .except(&[2002, 2012, 2022]),
        Rule::new("Summer bank holiday", nth(-1, Monday, 8)).from(1971),
        Rule::new("Christmas Day", fixed(12, 25)),
        // December 27th or 28th replaces a weekend Christmas or Boxing Day:
        // the 27th is a Monday or Tuesday only when Christmas is on the
        // weekend, the 28th only when Boxing Day is.
        Rule::new("Christmas Day (substitute)", fixed(12, 27)).on(&[Monday, Tuesday]),
        Rule::new("Boxing Day", fixed(12, 26)),
        Rule::new("Boxing Day (substitute)", fixed(12, 28)).on(&[Monday, Tuesday]),
    ],
    closures: &[
        closure(1995, 5, 8, "VE Day 50th anniversary"),
        closure(1999, 12, 31, "Millennium celebrations"),
        closure(2002, 6, 3, "Spring bank holiday (Golden Jubilee)"),
        closure(2002, 6, 4, "Golden Jubilee of Queen Elizabeth II"),
        closure(
            2011,
            4,
            29,
            "Wedding of Prince William and Catherine Middleton",
        ),
        closure(2012, 6, 4, "Spring bank holiday (Diamond Jubilee)"),
        closure(2012, 6, 5, "Diamond Jubilee of Queen Elizabeth II"),
        closure(2020, 5, 8, "VE Day 75th anniversary"),
        closure(2022, 6, 2, "Spring bank holiday (Platinum Jubilee)"),
        closure(2022, 6, 3, "Platinum Jubilee of Queen Elizabeth II"),
        closure(2022, 9, 19, "State funeral of Queen Elizabeth II"),
        closure(2023, 5, 8, "Coronation of King Charles III"),
    ],
    early_closes: &[
        // On the Friday before when the eve falls on a weekend.
        EarlyClose {
            rule: Rule::new("Christmas Eve", fixed(12, 24)).observed(Observance::PreviousFriday),
            close: LSE_EARLY,
        },
        EarlyClose {
            rule: Rule::new("New Year's Eve", fixed(12, 31))
                .observed(Observance::PreviousFriday)
                .except(&[1999]),
            close: LSE_EARLY,
        },
    ],
    special_closes: &[],
    cache: Cache::new(),
};
