//! Exchange calendars: which days an exchange trades, and from when to when.
//!
//! The rules (holidays with the years they apply, ad-hoc closures, early
//! closes) are evaluated in the exchange's own time zone, so daylight saving
//! time moves the UTC open the way it does on the exchange: the NYSE opens at
//! 13:30 UTC in summer and 14:30 UTC in winter. Venues:
//!
//! | code   | exchange                                   | regular session (local) | early close |
//! |--------|--------------------------------------------|-------------------------|-------------|
//! | `XNYS` | New York Stock Exchange, `America/New_York`| 09:30–16:00             | 13:00 (14:00 until 1992) |
//! | `XNAS` | Nasdaq: the NYSE's days and hours          | 09:30–16:00             | 13:00 (14:00 until 1992) |
//! | `XLON` | London Stock Exchange, `Europe/London`     | 08:00–16:30             | 12:30       |
//!
//! The calendars know 1990-01-01 to 2035-12-31 ([`FIRST_DATE`], [`LAST_DATE`]);
//! outside that range every question is answered with an error instead of a
//! guess. Every session, holiday and early close of the range is checked
//! against [exchange_calendars](https://pypi.org/project/exchange-calendars/)
//! 4.13.2 by `tests/calendar.rs`.
//!
//! Answers come from per-year tables built on first use: asking whether a
//! date is a session, or when a session opens, costs an index into a slice.
//!
//! Conventions:
//! - A session runs from its open (included) to its close (excluded);
//!   [`Calendar::next_open`] and [`Calendar::next_close`] look strictly after
//!   the instant given.
//! - Extended hours (NYSE and Nasdaq): pre-market from 04:00, after-hours
//!   until four hours after the regular close (20:00, or 17:00 after a 13:00
//!   early close), on sessions only; see [`Calendar::extended_bounds`].
//! - Where the exchanges' history is thin, the rules are those of
//!   `exchange_calendars`: the NYSE's July 3rd (and July 5th) early closes
//!   start in 1995 and the day after Thanksgiving closes early from 1992;
//!   London's half days on Christmas Eve and New Year's Eve move to the
//!   Friday before when they fall on a weekend. There is no deliberate
//!   difference from `exchange_calendars` in the range.
//!
//! ```
//! use jiff::civil::date;
//! use preflight_probes::trading::calendar::{Calendar, DayKind};
//!
//! let nyse = Calendar::by_code("XNYS")?;
//! // Hurricane Sandy closed the exchange for two days.
//! assert!(!nyse.is_session(date(2012, 10, 29))?);
//! assert!(matches!(
//!     nyse.day_kind(date(2012, 10, 30))?,
//!     DayKind::Closed { reason: "Hurricane Sandy" }
//! ));
//! // Summer time: 09:30 in New York is 13:30 UTC.
//! let (open, close) = nyse.session_bounds(date(2025, 7, 3))?.expect("a session");
//! assert_eq!(open.to_string(), "2025-07-03T13:30:00Z");
//! assert_eq!(close.to_string(), "2025-07-03T17:00:00Z", "an early close, 13:00 local");
//! // The first open after the Independence Day weekend.
//! let next = nyse.next_open("2025-07-03T20:00:00Z".parse()?)?;
//! assert_eq!(next.to_string(), "2025-07-07T13:30:00Z");
//! // Outside the known range the calendar says so.
//! assert!(nyse.is_session(date(2036, 1, 2)).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A service's own calendar is checked against the reference through the
//! [`SessionCalendar`] trait and [`compare()`].

mod compare;
mod rules;
mod table;
mod venues;

use std::fmt;
use std::iter::FusedIterator;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

pub use self::compare::{Difference, SessionCalendar, compare};
use self::table::{DAYS, Day, Venue, index_of, utc_day_index};

/// The first date the calendars know.
pub const FIRST_DATE: Date = Date::constant(table::FIRST_YEAR, 1, 1);

/// The last date the calendars know.
pub const LAST_DATE: Date = Date::constant(table::LAST_YEAR, 12, 31);

/// The codes [`Calendar::by_code`] knows, as its error lists them.
const KNOWN_CODES: &str = "`XNYS` (New York Stock Exchange), `XNAS` (Nasdaq, the NYSE's days and hours) and `XLON` (London Stock Exchange)";

/// An exchange's calendar: its sessions, holidays and early closes from
/// [`FIRST_DATE`] to [`LAST_DATE`].
///
/// Obtained with [`Calendar::by_code`]; every calendar is a `'static` value.
#[derive(Debug)]
pub struct Calendar {
    code: &'static str,
    venue: &'static Venue,
}

static CALENDARS: [Calendar; 3] = [
    Calendar {
        code: "XNYS",
        venue: &venues::NYSE,
    },
    // Nasdaq closes on the NYSE's holidays and keeps its hours; the two
    // codes share one set of tables.
    Calendar {
        code: "XNAS",
        venue: &venues::NYSE,
    },
    Calendar {
        code: "XLON",
        venue: &venues::LSE,
    },
];

impl Calendar {
    /// The calendar of the exchange with this ISO 10383 market identifier
    /// code (`XNYS`, `XNAS`, `XLON`; letter case does not matter).
    ///
    /// ```
    /// use preflight_probes::trading::calendar::Calendar;
    ///
    /// assert_eq!(Calendar::by_code("xnas")?.code(), "XNAS");
    /// let err = Calendar::by_code("XTKS").unwrap_err();
    /// assert!(err.to_string().contains("`XLON`"), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn by_code(code: &str) -> Result<&'static Calendar, CalendarError> {
        CALENDARS
            .iter()
            .find(|calendar| calendar.code.eq_ignore_ascii_case(code))
            .ok_or_else(|| CalendarError {
                code: code.to_owned(),
                kind: CalendarErrorKind::UnknownCode,
            })
    }

    /// Every calendar, in the order `XNYS`, `XNAS`, `XLON`.
    #[must_use]
    pub fn all() -> &'static [Calendar] {
        &CALENDARS
    }

    /// The market identifier code: `XNYS`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The exchange whose rules the calendar follows: "New York Stock
    /// Exchange" (also for `XNAS`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.venue.name
    }

    /// The exchange's time zone (`America/New_York`), from the copy of the
    /// time zone database compiled into the program, so that answers do not
    /// depend on the machine's `/usr/share/zoneinfo`.
    #[must_use]
    pub fn time_zone(&self) -> &'static TimeZone {
        &self.venue.zone().tz
    }

    /// Whether the exchange has pre-market and after-hours sessions
    /// (`XNYS`, `XNAS`); see [`Calendar::extended_bounds`].
    #[must_use]
    pub fn has_extended_hours(&self) -> bool {
        self.venue.extended.is_some()
    }

    /// Whether the exchange trades on `date` (early closes included).
    pub fn is_session(&self, date: Date) -> Result<bool, CalendarError> {
        Ok(self.day(date)?.bounds.is_some())
    }

    /// What kind of day `date` is: a regular session, an early close, a
    /// weekday the exchange is closed (and why), or a weekend.
    pub fn day_kind(&self, date: Date) -> Result<DayKind, CalendarError> {
        Ok(self.day(date)?.kind)
    }

    /// The regular session's open and close on `date` (the close is the early
    /// one on early-close days), or `None` when `date` is not a session.
    pub fn session_bounds(
        &self,
        date: Date,
    ) -> Result<Option<(Timestamp, Timestamp)>, CalendarError> {
        Ok(self.day(date)?.bounds)
    }

    /// The extended trading day on `date`, from the pre-market open to the
    /// end of after-hours trading, or `None` when `date` is not a session.
    ///
    /// On the NYSE (and Nasdaq) pre-market trading starts at 04:00 and
    /// after-hours trading ends four hours after the regular close: at 20:00,
    /// and at 17:00 on 13:00 early closes, as the exchanges' holiday schedules
    /// state. Extended sessions exist only on sessions. The same hours are
    /// applied to every year of the range. An exchange without extended
    /// sessions (`XLON`) returns its regular bounds.
    pub fn extended_bounds(
        &self,
        date: Date,
    ) -> Result<Option<(Timestamp, Timestamp)>, CalendarError> {
        let day = self.day(date)?;
        let (Some(extended), Some(bounds)) = (self.venue.extended, day.bounds) else {
            return Ok(day.bounds);
        };
        let close = match day.kind {
            DayKind::EarlyClose { close, .. } => close,
            _ => self.venue.close,
        };
        let tz = self.time_zone();
        let instant = |at: jiff::civil::DateTime| {
            tz.to_timestamp(at)
                .expect("local times of 1990..=2035 are within jiff's range")
        };
        let after_hours = date
            .to_datetime(close)
            .checked_add(extended.after_hours)
            .expect("hours after a close in 1990..=2035 are within jiff's range");
        debug_assert!(bounds.1 <= instant(after_hours));
        Ok(Some((
            instant(date.to_datetime(extended.pre_open)),
            instant(after_hours),
        )))
    }

    /// The sessions from `from` to `to`, both included, in date order.
    ///
    /// ```
    /// use jiff::civil::date;
    /// use preflight_probes::trading::calendar::Calendar;
    ///
    /// let lse = Calendar::by_code("XLON")?;
    /// // Christmas 2021 fell on a Saturday: the 27th and 28th were bank holidays.
    /// let days: Vec<_> = lse
    ///     .sessions(date(2021, 12, 23), date(2021, 12, 31))?
    ///     .map(|s| s.date.to_string())
    ///     .collect();
    /// assert_eq!(days, ["2021-12-23", "2021-12-24", "2021-12-29", "2021-12-30", "2021-12-31"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sessions(&self, from: Date, to: Date) -> Result<Sessions, CalendarError> {
        let (first, last) = self.range(from, to)?;
        Ok(Sessions {
            venue: self.venue,
            next: first,
            end: last + 1,
        })
    }

    /// The weekdays from `from` to `to` (both included) that are not regular
    /// sessions: holidays and closures, and early closes with their hours.
    pub fn non_regular_days(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<NonRegularDay>, CalendarError> {
        let (first, last) = self.range(from, to)?;
        Ok((first..=last)
            .map(|index| self.venue.day(index))
            .filter(|day| {
                matches!(
                    day.kind,
                    DayKind::EarlyClose { .. } | DayKind::Closed { .. }
                )
            })
            .map(|day| NonRegularDay {
                date: day.date,
                kind: day.kind,
                bounds: day.bounds,
            })
            .collect())
    }

    /// Whether the regular session is open at `at`: from its open (included)
    /// to its close (excluded).
    pub fn is_open_at(&self, at: Timestamp) -> Result<bool, CalendarError> {
        self.check_instant(at)?;
        // A session lies within its local day, which is the UTC day of `at`
        // or a neighbour of it.
        let utc_day = utc_day_index(at);
        Ok((utc_day - 1..=utc_day + 1).any(|index| {
            self.venue
                .day_checked(index)
                .and_then(|day| day.bounds)
                .is_some_and(|(open, close)| open <= at && at < close)
        }))
    }

    /// The first regular open strictly after `at`.
    pub fn next_open(&self, at: Timestamp) -> Result<Timestamp, CalendarError> {
        self.next(at, |(open, _)| open)
            .ok_or_else(|| self.error(CalendarErrorKind::NoOpenAfter { at }))
    }

    /// The first regular close (early closes included) strictly after `at`.
    pub fn next_close(&self, at: Timestamp) -> Result<Timestamp, CalendarError> {
        self.next(at, |(_, close)| close)
            .ok_or_else(|| self.error(CalendarErrorKind::NoCloseAfter { at }))
    }

    /// The first instant `pick` chooses from a session's bounds that is after
    /// `at`; sessions are in order, so the first one found is the earliest.
    fn next(
        &self,
        at: Timestamp,
        pick: impl Fn((Timestamp, Timestamp)) -> Timestamp,
    ) -> Option<Timestamp> {
        if self.check_instant(at).is_err() {
            return None;
        }
        let start = usize::try_from(utc_day_index(at) - 1).unwrap_or(0);
        (start..DAYS)
            .filter_map(|index| self.venue.day(index).bounds.map(&pick))
            .find(|&instant| instant > at)
    }

    fn day(&self, date: Date) -> Result<&'static Day, CalendarError> {
        match index_of(date) {
            Some(index) => Ok(self.venue.day(index)),
            None => Err(self.error(CalendarErrorKind::DateOutOfRange { date })),
        }
    }

    /// The indices of an inclusive range of dates.
    fn range(&self, from: Date, to: Date) -> Result<(usize, usize), CalendarError> {
        if from > to {
            return Err(self.error(CalendarErrorKind::ReversedRange { from, to }));
        }
        let first = self.day_index(from)?;
        let last = self.day_index(to)?;
        Ok((first, last))
    }

    fn day_index(&self, date: Date) -> Result<usize, CalendarError> {
        index_of(date).ok_or_else(|| self.error(CalendarErrorKind::DateOutOfRange { date }))
    }

    fn check_instant(&self, at: Timestamp) -> Result<(), CalendarError> {
        let zone = self.venue.zone();
        if zone.start <= at && at < zone.end {
            Ok(())
        } else {
            Err(self.error(CalendarErrorKind::TimestampOutOfRange { at }))
        }
    }

    fn error(&self, kind: CalendarErrorKind) -> CalendarError {
        CalendarError {
            code: self.code.to_owned(),
            kind,
        }
    }
}

/// What kind of day a date is on an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DayKind {
    /// A session with the regular hours.
    Regular,
    /// A session that closes early, at `close` local time.
    EarlyClose {
        /// The local close: 13:00 on the NYSE, 12:30 in London.
        close: Time,
        /// Why: "Christmas Eve", "Day after Thanksgiving".
        reason: &'static str,
    },
    /// A weekday without a session: a holiday or an ad-hoc closure.
    Closed {
        /// Why: "Good Friday", "Hurricane Sandy".
        reason: &'static str,
    },
    /// Saturday or Sunday.
    Weekend,
}

impl DayKind {
    /// Whether the exchange trades that day (a regular session or an early close).
    #[must_use]
    pub fn is_session(self) -> bool {
        matches!(self, DayKind::Regular | DayKind::EarlyClose { .. })
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DayKind::Regular => f.write_str("regular session"),
            DayKind::EarlyClose { close, reason } => {
                write!(f, "early close at {} ({reason})", close.strftime("%H:%M"))
            }
            DayKind::Closed { reason } => write!(f, "closed ({reason})"),
            DayKind::Weekend => f.write_str("weekend"),
        }
    }
}

/// A trading session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Session {
    /// The exchange's local date.
    pub date: Date,
    /// The regular open.
    pub open: Timestamp,
    /// The regular close, the early one on early-close days.
    pub close: Timestamp,
    /// [`DayKind::Regular`] or [`DayKind::EarlyClose`].
    pub kind: DayKind,
}

/// The sessions of a range of dates: see [`Calendar::sessions`].
#[derive(Debug, Clone)]
pub struct Sessions {
    venue: &'static Venue,
    next: usize,
    end: usize,
}

impl Iterator for Sessions {
    type Item = Session;

    fn next(&mut self) -> Option<Session> {
        while self.next < self.end {
            let day = self.venue.day(self.next);
            self.next += 1;
            if let Some((open, close)) = day.bounds {
                return Some(Session {
                    date: day.date,
                    open,
                    close,
                    kind: day.kind,
                });
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.end - self.next))
    }
}

impl FusedIterator for Sessions {}

/// A weekday that is not a regular session: see [`Calendar::non_regular_days`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NonRegularDay {
    /// The exchange's local date.
    pub date: Date,
    /// [`DayKind::Closed`] or [`DayKind::EarlyClose`].
    pub kind: DayKind,
    /// The open and (early) close of an early-close session; `None` when closed.
    pub bounds: Option<(Timestamp, Timestamp)>,
}

/// A question the calendar cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("calendar `{code}`: {kind}")]
pub struct CalendarError {
    /// The exchange code asked for.
    pub code: String,
    /// What is wrong.
    #[source]
    pub kind: CalendarErrorKind,
}

/// What is wrong with a question to a [`Calendar`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarErrorKind {
    /// No calendar has this code.
    #[error("unknown exchange code: the known codes are {}", KNOWN_CODES)]
    UnknownCode,
    /// The date is before [`FIRST_DATE`] or after [`LAST_DATE`].
    #[error(
        "{date} is outside the known range {first}..={last}: the exchange's rules are not known there, so no answer is guessed; ask about dates within the range",
        first = FIRST_DATE,
        last = LAST_DATE
    )]
    DateOutOfRange {
        /// The date asked about.
        date: Date,
    },
    /// The instant falls on an exchange date outside the known range.
    #[error(
        "{at} falls on an exchange date outside the known range {first}..={last}: the exchange's rules are not known there, so no answer is guessed; ask about instants within the range",
        first = FIRST_DATE,
        last = LAST_DATE
    )]
    TimestampOutOfRange {
        /// The instant asked about.
        at: Timestamp,
    },
    /// The first date of a range is after the last.
    #[error("the range {from}..={to} is reversed: give the earlier date first")]
    ReversedRange {
        /// The first date given.
        from: Date,
        /// The last date given.
        to: Date,
    },
    /// No session opens after the instant within the known range.
    #[error(
        "no session opens after {at} before the end of the known range ({last}): the exchange's later sessions are not known",
        last = LAST_DATE
    )]
    NoOpenAfter {
        /// The instant asked about.
        at: Timestamp,
    },
    /// No session closes after the instant within the known range.
    #[error(
        "no session closes after {at} before the end of the known range ({last}): the exchange's later sessions are not known",
        last = LAST_DATE
    )]
    NoCloseAfter {
        /// The instant asked about.
        at: Timestamp,
    },
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};

    use super::*;

    fn nyse() -> &'static Calendar {
        Calendar::by_code("XNYS").unwrap()
    }

    fn lse() -> &'static Calendar {
        Calendar::by_code("XLON").unwrap()
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn bounds(calendar: &Calendar, day: Date) -> (String, String) {
        let (open, close) = calendar.session_bounds(day).unwrap().expect("a session");
        (open.to_string(), close.to_string())
    }

    fn reason(calendar: &Calendar, day: Date) -> &'static str {
        match calendar.day_kind(day).unwrap() {
            DayKind::Closed { reason } => reason,
            other => panic!("{day} is {other}, not closed"),
        }
    }

    #[test]
    fn codes_name_the_venues() {
        assert_eq!(nyse().code(), "XNYS");
        assert_eq!(nyse().name(), "New York Stock Exchange");
        assert_eq!(nyse().time_zone().iana_name(), Some("America/New_York"));
        assert_eq!(lse().time_zone().iana_name(), Some("Europe/London"));
        let nasdaq = Calendar::by_code("xnas").unwrap();
        assert_eq!(nasdaq.code(), "XNAS");
        assert_eq!(nasdaq.name(), "New York Stock Exchange");
        assert_eq!(
            nasdaq.non_regular_days(FIRST_DATE, LAST_DATE).unwrap(),
            nyse().non_regular_days(FIRST_DATE, LAST_DATE).unwrap()
        );
        let codes: Vec<_> = Calendar::all().iter().map(Calendar::code).collect();
        assert_eq!(codes, ["XNYS", "XNAS", "XLON"]);
        let err = Calendar::by_code("NYSE").unwrap_err();
        assert_eq!(err.kind, CalendarErrorKind::UnknownCode);
        let text = err.to_string();
        assert!(
            text.starts_with("calendar `NYSE`: unknown exchange code"),
            "{text}"
        );
        for code in ["`XNYS`", "`XNAS`", "`XLON`"] {
            assert!(text.contains(code), "{text}");
        }
    }

    #[test]
    fn juneteenth_is_a_holiday_from_2022() {
        // 2021-06-19 was a Saturday: before the rule, the Friday traded.
        assert_eq!(
            nyse().day_kind(date(2021, 6, 18)).unwrap(),
            DayKind::Regular
        );
        assert_eq!(reason(nyse(), date(2022, 6, 20)), "Juneteenth");
        assert_eq!(reason(nyse(), date(2023, 6, 19)), "Juneteenth");
        // A Saturday Juneteenth is observed on the Friday.
        assert_eq!(reason(nyse(), date(2027, 6, 18)), "Juneteenth");
        assert!(lse().is_session(date(2023, 6, 19)).unwrap());
    }

    #[test]
    fn ad_hoc_closures() {
        assert!(reason(nyse(), date(2018, 12, 5)).contains("George H. W. Bush"));
        assert!(reason(nyse(), date(2025, 1, 9)).contains("Carter"));
        assert!(reason(nyse(), date(1994, 4, 27)).contains("Nixon"));
        assert_eq!(reason(nyse(), date(2012, 10, 29)), "Hurricane Sandy");
        assert_eq!(reason(nyse(), date(2012, 10, 30)), "Hurricane Sandy");
        assert!(nyse().is_session(date(2012, 10, 31)).unwrap());
        for day in 11..=14 {
            assert!(!nyse().is_session(date(2001, 9, day)).unwrap());
        }
        assert!(nyse().is_session(date(2001, 9, 17)).unwrap());
        // London traded through all of them, and closed for its own.
        assert!(lse().is_session(date(2025, 1, 9)).unwrap());
        assert!(reason(lse(), date(2022, 9, 19)).contains("funeral"));
        assert!(reason(lse(), date(2023, 5, 8)).contains("Coronation"));
        assert!(reason(lse(), date(1999, 12, 31)).contains("Millennium"));
    }

    #[test]
    fn a_saturday_new_years_day_is_not_observed_on_friday() {
        assert_eq!(date(2022, 1, 1).weekday(), jiff::civil::Weekday::Saturday);
        assert_eq!(
            nyse().day_kind(date(2021, 12, 31)).unwrap(),
            DayKind::Regular
        );
        assert!(nyse().is_session(date(2022, 1, 3)).unwrap());
        // A Sunday one is observed on Monday.
        assert_eq!(reason(nyse(), date(2023, 1, 2)), "New Year's Day");
        // London moves a weekend one to Monday.
        assert_eq!(reason(lse(), date(2022, 1, 3)), "New Year's Day");
    }

    #[test]
    fn london_bank_holidays_and_their_moves() {
        assert_eq!(reason(lse(), date(2024, 4, 1)), "Easter Monday");
        assert_eq!(reason(lse(), date(2024, 5, 6)), "Early May bank holiday");
        // VE Day replaced the early May bank holiday in 1995 and 2020.
        assert!(lse().is_session(date(1995, 5, 1)).unwrap());
        assert!(reason(lse(), date(1995, 5, 8)).contains("VE Day"));
        assert!(lse().is_session(date(2020, 5, 4)).unwrap());
        assert!(reason(lse(), date(2020, 5, 8)).contains("VE Day"));
        // The spring bank holiday moved for the Platinum Jubilee.
        assert!(lse().is_session(date(2022, 5, 30)).unwrap());
        assert!(reason(lse(), date(2022, 6, 2)).contains("Spring bank holiday"));
        // Christmas on a Saturday: Monday and Tuesday are substitutes.
        assert_eq!(
            reason(lse(), date(2021, 12, 27)),
            "Christmas Day (substitute)"
        );
        assert_eq!(reason(lse(), date(2021, 12, 28)), "Boxing Day (substitute)");
        assert!(lse().is_session(date(2021, 12, 29)).unwrap());
    }

    #[test]
    fn daylight_saving_time_moves_the_utc_open() {
        let summer = ("2025-07-01T13:30:00Z".into(), "2025-07-01T20:00:00Z".into());
        assert_eq!(bounds(nyse(), date(2025, 7, 1)), summer);
        let winter = ("2025-01-15T14:30:00Z".into(), "2025-01-15T21:00:00Z".into());
        assert_eq!(bounds(nyse(), date(2025, 1, 15)), winter);
        assert_eq!(
            bounds(lse(), date(2025, 7, 1)),
            ("2025-07-01T07:00:00Z".into(), "2025-07-01T15:30:00Z".into())
        );
        assert_eq!(
            bounds(lse(), date(2025, 1, 15)),
            ("2025-01-15T08:00:00Z".into(), "2025-01-15T16:30:00Z".into())
        );
    }

    #[test]
    fn the_weeks_where_us_and_uk_summer_time_differ() {
        // New York changed its clocks on 2024-03-10, London on 2024-03-31:
        // for three weeks the two opens are 5 hours 30 apart, not 6 hours 30.
        assert_eq!(bounds(nyse(), date(2024, 3, 11)).0, "2024-03-11T13:30:00Z");
        assert_eq!(bounds(lse(), date(2024, 3, 11)).0, "2024-03-11T08:00:00Z");
        assert_eq!(bounds(nyse(), date(2024, 4, 2)).0, "2024-04-02T13:30:00Z");
        assert_eq!(bounds(lse(), date(2024, 4, 2)).0, "2024-04-02T07:00:00Z");
        // London went back on 2024-10-27, New York on 2024-11-03.
        assert_eq!(bounds(nyse(), date(2024, 10, 28)).0, "2024-10-28T13:30:00Z");
        assert_eq!(bounds(lse(), date(2024, 10, 28)).0, "2024-10-28T08:00:00Z");
        assert_eq!(bounds(nyse(), date(2024, 11, 4)).0, "2024-11-04T14:30:00Z");
        // While both trade, an instant can be inside one session only.
        let at = ts("2024-03-11T15:45:00Z");
        assert!(nyse().is_open_at(at).unwrap());
        assert!(lse().is_open_at(at).unwrap());
        let at = ts("2024-03-11T16:45:00Z");
        assert!(nyse().is_open_at(at).unwrap());
        assert!(!lse().is_open_at(at).unwrap());
    }

    #[test]
    fn early_closes() {
        let early = |calendar: &Calendar, day: Date| match calendar.day_kind(day).unwrap() {
            DayKind::EarlyClose { close, reason } => (close, reason),
            other => panic!("{day} is {other}"),
        };
        assert_eq!(
            early(nyse(), date(2025, 7, 3)),
            (time(13, 0, 0, 0), "Day before Independence Day")
        );
        assert_eq!(
            early(nyse(), date(2025, 11, 28)).1,
            "Day after Thanksgiving"
        );
        assert_eq!(bounds(nyse(), date(2025, 11, 28)).1, "2025-11-28T18:00:00Z");
        assert_eq!(early(nyse(), date(2025, 12, 24)).1, "Christmas Eve");
        // Until 1992 the NYSE closed early at 14:00.
        assert_eq!(early(nyse(), date(1992, 12, 24)).0, time(14, 0, 0, 0));
        // July 4th on a Thursday: the Friday after until 2012, the Wednesday before since.
        assert_eq!(
            early(nyse(), date(2002, 7, 5)).1,
            "Day after Independence Day"
        );
        assert_eq!(nyse().day_kind(date(2019, 7, 5)).unwrap(), DayKind::Regular);
        assert_eq!(
            early(nyse(), date(2019, 7, 3)).1,
            "Day before Independence Day"
        );
        // Christmas Eve on a weekend: London closes early the Friday before.
        assert_eq!(
            early(lse(), date(2023, 12, 22)),
            (time(12, 30, 0, 0), "Christmas Eve")
        );
        assert_eq!(bounds(lse(), date(2025, 12, 31)).1, "2025-12-31T12:30:00Z");
        let year = nyse()
            .non_regular_days(date(2025, 1, 1), date(2025, 12, 31))
            .unwrap();
        let early_closes: Vec<_> = year
            .iter()
            .filter(|day| matches!(day.kind, DayKind::EarlyClose { .. }))
            .map(|day| day.date.to_string())
            .collect();
        assert_eq!(early_closes, ["2025-07-03", "2025-11-28", "2025-12-24"]);
        assert_eq!(year.len(), 10 + 1 + 3, "holidays, Carter, early closes");
        assert!(
            year.iter()
                .all(|day| day.kind.is_session() == day.bounds.is_some())
        );
    }

    #[test]
    fn extended_hours() {
        let extended = |calendar: &Calendar, day: Date| {
            let (open, close) = calendar.extended_bounds(day).unwrap().expect("a session");
            (open.to_string(), close.to_string())
        };
        assert_eq!(
            extended(nyse(), date(2025, 7, 7)),
            ("2025-07-07T08:00:00Z".into(), "2025-07-08T00:00:00Z".into())
        );
        // After-hours end at 17:00 after a 13:00 close.
        assert_eq!(
            extended(nyse(), date(2025, 7, 3)),
            ("2025-07-03T08:00:00Z".into(), "2025-07-03T21:00:00Z".into())
        );
        assert_eq!(nyse().extended_bounds(date(2025, 7, 4)).unwrap(), None);
        assert_eq!(nyse().extended_bounds(date(2025, 7, 5)).unwrap(), None);
        assert!(nyse().has_extended_hours());
        assert!(!lse().has_extended_hours());
        let day = date(2025, 7, 7);
        assert_eq!(
            lse().extended_bounds(day).unwrap(),
            lse().session_bounds(day).unwrap()
        );
    }

    #[test]
    fn open_at_instants() {
        assert!(nyse().is_open_at(ts("2025-07-07T13:30:00Z")).unwrap());
        assert!(!nyse().is_open_at(ts("2025-07-07T13:29:59Z")).unwrap());
        assert!(nyse().is_open_at(ts("2025-07-07T19:59:59Z")).unwrap());
        assert!(
            !nyse().is_open_at(ts("2025-07-07T20:00:00Z")).unwrap(),
            "the close is excluded"
        );
        assert!(
            !nyse().is_open_at(ts("2025-07-03T18:00:00Z")).unwrap(),
            "an early close"
        );
        assert!(
            !nyse().is_open_at(ts("2025-07-04T15:00:00Z")).unwrap(),
            "a holiday"
        );
        assert!(
            !nyse().is_open_at(ts("2025-07-05T15:00:00Z")).unwrap(),
            "a weekend"
        );
        assert!(lse().is_open_at(ts("1990-01-02T08:00:00Z")).unwrap());
        assert!(!lse().is_open_at(ts("1990-01-01T10:00:00Z")).unwrap());
    }

    #[test]
    fn next_open_and_close_skip_weekends_and_holidays() {
        // Thursday before Good Friday 2025, after the close: Monday's open.
        let thursday_evening = ts("2025-04-17T21:00:00Z");
        assert_eq!(
            nyse().next_open(thursday_evening).unwrap(),
            ts("2025-04-21T13:30:00Z")
        );
        assert_eq!(
            nyse().next_close(thursday_evening).unwrap(),
            ts("2025-04-21T20:00:00Z")
        );
        // London is closed on Easter Monday too.
        assert_eq!(
            lse().next_open(thursday_evening).unwrap(),
            ts("2025-04-22T07:00:00Z")
        );
        // During a session: the next open is tomorrow's, the next close today's.
        let midday = ts("2025-07-03T15:00:00Z");
        assert_eq!(
            nyse().next_open(midday).unwrap(),
            ts("2025-07-07T13:30:00Z")
        );
        assert_eq!(
            nyse().next_close(midday).unwrap(),
            ts("2025-07-03T17:00:00Z")
        );
        // Strictly after: at the open, the next open is the following session's.
        let open = ts("2025-07-07T13:30:00Z");
        assert_eq!(nyse().next_open(open).unwrap(), ts("2025-07-08T13:30:00Z"));
        // Across the Carter closure and a weekend.
        let wednesday = ts("2025-01-08T22:00:00Z");
        assert_eq!(
            nyse().next_open(wednesday).unwrap(),
            ts("2025-01-10T14:30:00Z")
        );
        // From the very start of the range.
        assert_eq!(
            nyse().next_open(ts("1990-01-01T12:00:00Z")).unwrap(),
            ts("1990-01-02T14:30:00Z")
        );
        // After the last session of the range, there is nothing to tell.
        let last_evening = ts("2035-12-31T22:00:00Z");
        let err = nyse().next_open(last_evening).unwrap_err();
        assert!(
            matches!(err.kind, CalendarErrorKind::NoOpenAfter { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("2035-12-31"), "{err}");
        let err = nyse().next_close(last_evening).unwrap_err();
        assert!(
            matches!(err.kind, CalendarErrorKind::NoCloseAfter { .. }),
            "{err}"
        );
        assert_eq!(
            nyse().next_close(ts("2035-12-31T15:00:00Z")).unwrap(),
            ts("2035-12-31T21:00:00Z")
        );
    }

    #[test]
    fn outside_the_range_every_answer_is_an_error() {
        let before = date(1989, 12, 29);
        let after = date(2036, 1, 2);
        for calendar in Calendar::all() {
            for day in [before, after] {
                let err = calendar.is_session(day).unwrap_err();
                assert_eq!(err.kind, CalendarErrorKind::DateOutOfRange { date: day });
                let text = err.to_string();
                assert!(text.contains("1990-01-01..=2035-12-31"), "{text}");
                assert!(text.contains(&day.to_string()), "{text}");
                assert!(calendar.day_kind(day).is_err());
                assert!(calendar.session_bounds(day).is_err());
                assert!(calendar.extended_bounds(day).is_err());
                assert!(calendar.sessions(day, day).is_err());
                assert!(calendar.non_regular_days(day, day).is_err());
            }
            assert!(calendar.sessions(before, date(1990, 1, 5)).is_err());
            assert!(calendar.sessions(date(2035, 12, 1), after).is_err());
            for at in ["1989-12-31T12:00:00Z", "2036-01-01T12:00:00Z"] {
                let at = ts(at);
                let err = calendar.is_open_at(at).unwrap_err();
                assert_eq!(err.kind, CalendarErrorKind::TimestampOutOfRange { at });
                assert!(calendar.next_open(at).is_err());
                assert!(calendar.next_close(at).is_err());
            }
        }
        // The range ends at local midnight: still 2035-12-31 in New York.
        assert!(!nyse().is_open_at(ts("2036-01-01T03:00:00Z")).unwrap());
        assert!(nyse().is_open_at(ts("2036-01-01T05:00:00Z")).is_err());
        let err = nyse()
            .sessions(date(2025, 2, 1), date(2025, 1, 1))
            .unwrap_err();
        assert!(
            matches!(err.kind, CalendarErrorKind::ReversedRange { .. }),
            "{err}"
        );
    }

    #[test]
    fn sessions_of_a_range() {
        let sessions: Vec<Session> = nyse()
            .sessions(date(2024, 12, 20), date(2025, 1, 3))
            .unwrap()
            .collect();
        let dates: Vec<String> = sessions.iter().map(|s| s.date.to_string()).collect();
        assert_eq!(
            dates,
            [
                "2024-12-20",
                "2024-12-23",
                "2024-12-24",
                "2024-12-26",
                "2024-12-27",
                "2024-12-30",
                "2024-12-31",
                "2025-01-02",
                "2025-01-03"
            ]
        );
        assert!(matches!(sessions[2].kind, DayKind::EarlyClose { .. }));
        assert_eq!(sessions[3].kind, DayKind::Regular);
        assert_eq!(
            nyse()
                .sessions(date(2025, 7, 4), date(2025, 7, 6))
                .unwrap()
                .count(),
            0
        );
        // One day ranges and the whole range.
        assert_eq!(nyse().sessions(LAST_DATE, LAST_DATE).unwrap().count(), 1);
        let all = lse().sessions(FIRST_DATE, LAST_DATE).unwrap().count();
        assert_eq!(all, 11_626, "as exchange_calendars counts them");
    }

    #[test]
    fn every_session_lies_within_its_local_day() {
        for calendar in Calendar::all() {
            let tz = calendar.time_zone();
            for session in calendar.sessions(FIRST_DATE, LAST_DATE).unwrap() {
                assert!(session.open < session.close, "{session:?}");
                let open = session.open.to_zoned_datetime(tz.clone());
                let close = session.close.to_zoned_datetime(tz.clone());
                assert_eq!(open.date(), session.date);
                assert_eq!(close.date(), session.date);
                assert!(session.kind.is_session());
            }
        }
    }

    /// A desk's calendar with one mistake of each kind.
    struct Desk;

    impl SessionCalendar for Desk {
        fn is_session(&self, day: Date) -> bool {
            match day.to_string().as_str() {
                // Forgot Carter's day of mourning; takes Good Friday as a session.
                "2025-01-09" | "2025-04-18" => true,
                // Closes on the Tuesday after Martin Luther King Jr. Day too.
                "2025-01-21" => false,
                _ => nyse().is_session(day).unwrap(),
            }
        }

        fn session_bounds(&self, day: Date) -> Option<(Timestamp, Timestamp)> {
            let (open, close) = nyse().session_bounds(day).ok()??;
            // Ignores the early close of Christmas Eve.
            if day == date(2025, 12, 24) {
                return Some((open, ts("2025-12-24T21:00:00Z")));
            }
            Some((open, close))
        }
    }

    #[test]
    fn compare_lists_every_disagreement() {
        let differences = compare(nyse(), &Desk, date(2025, 1, 1), date(2025, 12, 31)).unwrap();
        let dates: Vec<String> = differences.iter().map(|d| d.date().to_string()).collect();
        assert_eq!(
            dates,
            ["2025-01-09", "2025-01-21", "2025-04-18", "2025-12-24"]
        );
        assert!(matches!(
            differences[0],
            Difference::ExtraSession {
                reference: DayKind::Closed { .. },
                ..
            }
        ));
        assert!(matches!(differences[1], Difference::MissingSession { .. }));
        assert!(matches!(differences[3], Difference::DifferentHours { .. }));
        let text = differences[3].to_string();
        assert_eq!(
            text,
            "2025-12-24: session 2025-12-24T14:30:00Z to 2025-12-24T21:00:00Z, the exchange trades 2025-12-24T14:30:00Z to 2025-12-24T18:00:00Z"
        );
        assert!(
            differences[0].to_string().contains("Carter"),
            "{}",
            differences[0]
        );
        assert!(compare(nyse(), &Desk, date(2036, 1, 1), date(2036, 1, 2)).is_err());
    }
}
