//! A service's own calendar, checked day by day against the reference.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;

use super::{Calendar, CalendarError, DayKind};

/// A trading calendar that can be checked against a reference [`Calendar`]
/// with [`compare`]: implement it for the calendar type of your service.
///
/// Only [`is_session`](SessionCalendar::is_session) is required; a calendar
/// that also knows its hours returns them from
/// [`session_bounds`](SessionCalendar::session_bounds), and they are compared
/// too.
///
/// ```
/// use std::collections::BTreeSet;
///
/// use jiff::civil::{Date, Weekday, date};
/// use preflight_probes::trading::calendar::{Calendar, Difference, SessionCalendar, compare};
///
/// /// The desk's holiday list: every weekday not in it is a session.
/// struct Holidays(BTreeSet<Date>);
///
/// impl SessionCalendar for Holidays {
///     fn is_session(&self, date: Date) -> bool {
///         !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
///             && !self.0.contains(&date)
///     }
/// }
///
/// // Forgot the day of mourning for President Carter.
/// let desk = Holidays(BTreeSet::from([date(2025, 1, 1), date(2025, 1, 20)]));
/// let nyse = Calendar::by_code("XNYS")?;
/// let differences = compare(nyse, &desk, date(2025, 1, 1), date(2025, 1, 31))?;
/// assert_eq!(differences.len(), 1);
/// assert!(matches!(differences[0], Difference::ExtraSession { .. }));
/// assert_eq!(differences[0].date(), date(2025, 1, 9));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait SessionCalendar {
    /// Whether the calendar says the exchange trades on `date` (its local date).
    fn is_session(&self, date: Date) -> bool;

    /// The calendar's regular open and close of the session on `date`, the
    /// close being the early one on early-close days.
    ///
    /// The default returns `None`: the calendar knows days, not hours, and
    /// only days are compared.
    fn session_bounds(&self, date: Date) -> Option<(Timestamp, Timestamp)> {
        let _ = date;
        None
    }
}

/// A date on which a calendar and the reference disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Difference {
    /// The exchange trades; the calendar says it does not.
    MissingSession {
        /// The exchange's local date.
        date: Date,
        /// The reference's open and close.
        expected: (Timestamp, Timestamp),
    },
    /// The calendar has a session; the exchange is closed.
    ExtraSession {
        /// The exchange's local date.
        date: Date,
        /// Why the exchange is closed ([`DayKind::Closed`] or [`DayKind::Weekend`]).
        reference: DayKind,
    },
    /// Both trade, but the calendar's open or close differs.
    DifferentHours {
        /// The exchange's local date.
        date: Date,
        /// The reference's open and close.
        expected: (Timestamp, Timestamp),
        /// The calendar's open and close.
        found: (Timestamp, Timestamp),
    },
}

impl Difference {
    /// The date of the disagreement.
    #[must_use]
    pub fn date(&self) -> Date {
        match *self {
            Difference::MissingSession { date, .. }
            | Difference::ExtraSession { date, .. }
            | Difference::DifferentHours { date, .. } => date,
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::MissingSession {
                date,
                expected: (open, close),
            } => write!(
                f,
                "{date}: missing session (the exchange trades {open} to {close})"
            ),
            Difference::ExtraSession { date, reference } => {
                write!(f, "{date}: extra session (the exchange is {reference})")
            }
            Difference::DifferentHours {
                date,
                expected: (open, close),
                found: (found_open, found_close),
            } => write!(
                f,
                "{date}: session {found_open} to {found_close}, the exchange trades {open} to {close}"
            ),
        }
    }
}

/// Every date from `from` to `to` (both included, weekends too) where
/// `calendar` disagrees with `reference`, in date order.
///
/// Hours are compared on the dates where both trade and `calendar` knows
/// them ([`SessionCalendar::session_bounds`] returns `Some`).
pub fn compare<C: SessionCalendar + ?Sized>(
    reference: &Calendar,
    calendar: &C,
    from: Date,
    to: Date,
) -> Result<Vec<Difference>, CalendarError> {
    let (first, last) = reference.range(from, to)?;
    let mut differences = Vec::new();
    for index in first..=last {
        let day = reference.venue.day(index);
        let date = day.date;
        let difference = match (day.bounds, calendar.is_session(date)) {
            (Some(expected), false) => Some(Difference::MissingSession { date, expected }),
            (None, true) => Some(Difference::ExtraSession {
                date,
                reference: day.kind,
            }),
            (Some(expected), true) => calendar
                .session_bounds(date)
                .filter(|&found| found != expected)
                .map(|found| Difference::DifferentHours {
                    date,
                    expected,
                    found,
                }),
            (None, false) => None,
        };
        differences.extend(difference);
    }
    Ok(differences)
}
