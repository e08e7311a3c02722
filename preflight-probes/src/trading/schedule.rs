//! The service's trading schedule against the exchange's calendar: its
//! holidays and early closes (`trading.market-data.holiday-schedule`), its
//! session hours and time zone (`trading.market-data.market-hours`) and its
//! pre-market and after-hours sessions (`trading.market-data.extended-hours`),
//! compared with the reference [`Calendar`] over a horizon that starts on the
//! run's date.
//!
//! A service declares its schedule in one of two ways.
//!
//! **A file** the service itself reads, named in `preflight.toml`:
//!
//! ```toml
//! [inputs.trading_schedule]
//! path = "config/schedule.toml"
//! ```
//!
//! and written like this ([`TradingSchedule`]; times are the local times of
//! `time_zone`, dates its local dates):
//!
//! ```toml
//! calendar = "XNYS"                    # the exchange to compare against: XNYS, XNAS or XLON
//! time_zone = "America/New_York"       # an IANA time zone name
//! open = "09:30"
//! close = "16:00"
//! early_close = "13:00"                # optional: the close on the days of `early_closes`
//! pre_market_open = "04:00"            # optional: extended hours
//! after_hours_close = "20:00"          # optional
//! early_after_hours_close = "17:00"    # optional: the end of after-hours trading on early closes
//! holidays = ["2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25",
//!             "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"]
//! early_closes = ["2026-11-27", "2026-12-24"]
//! ```
//!
//! Weekends are closed; every other day not in `holidays` is a session from
//! `open` to `close` (to `early_close` on the days of `early_closes`). Without
//! `early_after_hours_close`, after-hours trading on early closes ends at
//! `after_hours_close`, as the file says. The file is read strictly: an
//! unknown key, a time zone that does not exist, a date or time that cannot
//! be, a close before its open, or a day listed twice is an error naming the
//! key and the line, and every such problem is reported at once.
//!
//! **A type**: the service implements [`SessionCalendar`] (and, for extended
//! hours, [`ExtendedSessions`]) for its own calendar and hands it to the run
//! as a [`ServiceCalendar`]. When both a file and a type are configured, both
//! are checked. When neither is, the items are `error`, never a pass.
//!
//! The horizon runs from the run's date ([`Context::now`] in the exchange's
//! time zone) for `horizon_days` days (365 by default), and stops at
//! [`LAST_DATE`], the last date the calendars know; the evidence says so
//! when it does.
//!
//! - Holidays: both schedules share [`compare`]. Every missing holiday (the
//!   exchange is closed, the schedule trades), extra holiday (the schedule
//!   is closed on a session) and early-close mismatch is listed with the
//!   date and the exchange's reason. An early-close mismatch is a day the
//!   exchange closes early and the schedule closes at another time, or a
//!   regular session the schedule makes shorter than its usual one. Other
//!   differences of hours belong to market hours. A calendar type without
//!   hours has its days compared, and the item warns that early closes were
//!   not.
//! - Market hours: whether the schedule is open is compared with
//!   [`Calendar::is_open_at`] at the open and close of every session of the
//!   horizon and one minute before and after each, and every 30 minutes of
//!   each day the exchange's clocks change (and of the session after it).
//!   The evidence lists the first 20 mismatches, in UTC and local time.
//! - Extended hours: the same sampling at the pre-market open and the end of
//!   after-hours trading ([`Calendar::extended_bounds`], early closes
//!   included). An exchange without extended sessions (`XLON`) makes the
//!   item not applicable, unless the schedule declares extended hours
//!   there, which fails. An exchange with extended sessions and a schedule
//!   that declares none fails: a service that trades regular hours only
//!   disables the item with a reason.
//!
//! The evidence of each item holds `schedules`, one entry per schedule
//! checked, each with its `source`, the exchange (`calendar`,
//! `exchange_time_zone`) and the horizon (`from`, `to`, `horizon_days`, and
//! `capped` when the calendar's range cut it short); then
//! `missing_holidays`, `extra_holidays` and `early_close_mismatches` (with
//! the exchange's reason for each date) for holidays, or `samples`,
//! `sessions`, `dst_days`, `mismatch_count` and the first `mismatches`
//! (`utc`, `local`, `expected`, `found`) for market and extended hours.
//!
//! The type path, through the runner:
//!
//! ```
//! use jiff::Timestamp;
//! use jiff::civil::{Date, date};
//! use preflight_core::select::Selection;
//! use preflight_core::{Config, FixedClock, Registry, Runner, Status};
//! use preflight_probes::trading::calendar::{Calendar, SessionCalendar};
//! use preflight_probes::trading::schedule::ServiceCalendar;
//!
//! /// The desk's calendar: the NYSE's, except that it forgot Juneteenth.
//! struct Desk;
//!
//! impl SessionCalendar for Desk {
//!     fn is_session(&self, day: Date) -> bool {
//!         let nyse = Calendar::by_code("XNYS").expect("a known code");
//!         day == date(2026, 6, 19) || nyse.is_session(day).unwrap_or(false)
//!     }
//!
//!     fn session_bounds(&self, day: Date) -> Option<(Timestamp, Timestamp)> {
//!         Calendar::by_code("XNYS").ok()?.session_bounds(day).ok()?
//!     }
//! }
//!
//! let id = "trading.market-data.holiday-schedule";
//! let config = Config::parse("[project]\nname = \"desk\"\n", "preflight.toml")?;
//! let registry = Registry::from_inventory(&[preflight_probes::items()])?;
//! let report = Runner::new(&registry, config)
//!     .selection(Selection::default().with_ids([id])?)
//!     .clock(FixedClock("2026-01-01T12:00:00Z".parse()?))
//!     .extension(ServiceCalendar::new("XNYS", Desk))
//!     .run()?;
//! let item = report.item(id).expect("selected");
//! assert_eq!(item.status, Status::Fail);
//! assert!(item.message.contains("missing holiday 2026-06-19, XNYS is closed (Juneteenth)"), "{}", item.message);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan as _};
use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use serde::{Deserialize, Serialize};

use super::calendar::{
    Calendar, CalendarError, DayKind, Difference, FIRST_DATE, LAST_DATE, SessionCalendar, compare,
};

/// The `[inputs]` name of the schedule file.
const INPUT: &str = "trading_schedule";

/// The horizon when `horizon_days` is not set.
const HORIZON_DAYS: u32 = 365;

/// Mismatches of sampled instants kept in the evidence.
const KEEP: usize = 20;

/// Differences named in an item's message; the evidence lists all of them.
const NAMED: usize = 10;

/// How to configure a schedule, for the error when none is.
const HOW_TO_CONFIGURE: &str = "no trading schedule to check: add [inputs.trading_schedule] with `path = \"schedule.toml\"` (the schedule file the service reads) to preflight.toml, or hand the service's calendar type to the run with `Runner::extension(ServiceCalendar::new(\"XNYS\", calendar))`";

/// A calendar that knows its pre-market and after-hours sessions, for
/// `trading.market-data.extended-hours`: implement it next to
/// [`SessionCalendar`] and hand the calendar to the run with
/// [`ServiceCalendar::with_extended_hours`].
pub trait ExtendedSessions {
    /// The extended trading day on `date` (the exchange's local date), from
    /// the pre-market open to the end of after-hours trading, or `None` when
    /// the calendar trades no extended session that day.
    fn extended_bounds(&self, date: Date) -> Option<(Timestamp, Timestamp)>;
}

/// The service's own calendar type, handed to the run with
/// [`Runner::extension`](preflight_core::Runner::extension), and the
/// exchange it must agree with.
///
/// ```
/// use jiff::civil::{Date, Weekday};
/// use preflight_probes::trading::calendar::SessionCalendar;
/// use preflight_probes::trading::schedule::ServiceCalendar;
///
/// /// Trades every weekday (holidays forgotten).
/// struct Weekdays;
///
/// impl SessionCalendar for Weekdays {
///     fn is_session(&self, date: Date) -> bool {
///         !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
///     }
/// }
///
/// let calendar = ServiceCalendar::new("XLON", Weekdays);
/// assert_eq!(calendar.reference(), "XLON");
/// ```
pub struct ServiceCalendar {
    reference: String,
    calendar: Arc<dyn SessionCalendar + Send + Sync>,
    extended: Option<Arc<dyn ExtendedSessions + Send + Sync>>,
}

impl fmt::Debug for ServiceCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceCalendar")
            .field("reference", &self.reference)
            .field("extended_hours", &self.extended.is_some())
            .finish_non_exhaustive()
    }
}

impl ServiceCalendar {
    /// A calendar of regular sessions, compared with the exchange whose
    /// market identifier code is `reference` (`XNYS`, `XNAS`, `XLON`).
    #[must_use]
    pub fn new(
        reference: impl Into<String>,
        calendar: impl SessionCalendar + Send + Sync + 'static,
    ) -> Self {
        ServiceCalendar {
            reference: reference.into(),
            calendar: Arc::new(calendar),
            extended: None,
        }
    }

    /// A calendar that also knows its extended sessions, compared with the
    /// exchange `reference` by the extended-hours item too.
    #[must_use]
    pub fn with_extended_hours(
        reference: impl Into<String>,
        calendar: impl SessionCalendar + ExtendedSessions + Send + Sync + 'static,
    ) -> Self {
        let calendar = Arc::new(calendar);
        ServiceCalendar {
            reference: reference.into(),
            calendar: calendar.clone(),
            extended: Some(calendar),
        }
    }

    /// The exchange the calendar is compared with, as given.
    #[must_use]
    pub fn reference(&self) -> &str {
        &self.reference
    }
}

/// A schedule file (see the [module docs](self) for its format), as
/// `[inputs.trading_schedule]` names it.
///
/// ```
/// use jiff::civil::date;
/// use preflight_probes::trading::calendar::SessionCalendar;
/// use preflight_probes::trading::schedule::TradingSchedule;
///
/// let text = r#"
/// calendar = "XLON"
/// time_zone = "Europe/London"
/// open = "08:00"
/// close = "16:30"
/// holidays = ["2026-04-03"]
/// "#;
/// let schedule = TradingSchedule::parse(text, "schedule.toml")?;
/// assert!(!schedule.is_session(date(2026, 4, 3)), "Good Friday");
/// // British Summer Time: 08:00 in London is 07:00 UTC.
/// assert!(schedule.is_open_at("2026-07-01T07:00:00Z".parse()?));
/// assert!(!schedule.is_open_at("2026-07-01T06:59:00Z".parse()?));
///
/// let err = TradingSchedule::parse(&text.replace("Europe/London", "Europe/Londn"), "schedule.toml")
///     .unwrap_err();
/// assert!(err.to_string().starts_with("schedule.toml:3: `time_zone`: unknown time zone `Europe/Londn`"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TradingSchedule {
    /// The exchange the schedule is compared with (`calendar`).
    pub calendar: &'static Calendar,
    /// The time zone of its times and dates (`time_zone`).
    pub time_zone: TimeZone,
    /// The regular open (`open`).
    pub open: Time,
    /// The regular close (`close`).
    pub close: Time,
    /// The close on early-close days (`early_close`).
    pub early_close: Option<Time>,
    /// The start of pre-market trading (`pre_market_open`).
    pub pre_market_open: Option<Time>,
    /// The end of after-hours trading (`after_hours_close`).
    pub after_hours_close: Option<Time>,
    /// The end of after-hours trading on early-close days
    /// (`early_after_hours_close`; `after_hours_close` when not set).
    pub early_after_hours_close: Option<Time>,
    /// Weekdays without a session (`holidays`).
    pub holidays: BTreeSet<Date>,
    /// Sessions that close at `early_close` (`early_closes`).
    pub early_closes: BTreeSet<Date>,
    /// The file read, when read from a file.
    pub artifact: Option<Artifact>,
}

impl TradingSchedule {
    /// Parses a schedule file's text; `shown` names the file in messages.
    pub fn parse(text: &str, shown: &str) -> Result<Self, CheckError> {
        let raw: RawSchedule = toml::from_str(text).map_err(|e| {
            let location = match e.span() {
                Some(span) => format!("{shown}:{}", line_of(text, &span)),
                None => shown.to_owned(),
            };
            CheckError::Malformed {
                location,
                message: e.message().to_owned(),
            }
        })?;
        let mut parser = Parser {
            text,
            problems: Vec::new(),
        };
        let schedule = parser.schedule(&raw);
        match schedule {
            Some(schedule) if parser.problems.is_empty() => Ok(schedule),
            _ => Err(parser.error(shown)),
        }
    }

    /// Reads and parses the file at `root/shown`; `name` is its `[inputs]` name.
    pub fn load(name: &str, shown: &str, root: &Path) -> Result<Self, CheckError> {
        let full = root.join(shown);
        let bytes = std::fs::read(&full).map_err(|e| CheckError::Input {
            name: name.to_owned(),
            message: format!("cannot read `{shown}`: {e}"),
        })?;
        let modified = std::fs::metadata(&full)
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| Timestamp::try_from(t).ok());
        let text = std::str::from_utf8(&bytes).map_err(|_| CheckError::Malformed {
            location: shown.to_owned(),
            message: "not valid UTF-8: save the schedule as UTF-8".to_owned(),
        })?;
        let mut schedule = Self::parse(text, shown)?;
        schedule.artifact = Some(Artifact::from_bytes(shown, &bytes, modified));
        Ok(schedule)
    }

    /// Whether the schedule's regular session is open at `at`: from the open
    /// (included) to the close (excluded).
    #[must_use]
    pub fn is_open_at(&self, at: Timestamp) -> bool {
        is_open(self, &self.time_zone, at)
    }

    /// Whether the schedule declares extended hours (`pre_market_open` or
    /// `after_hours_close`).
    #[must_use]
    pub fn has_extended_hours(&self) -> bool {
        self.pre_market_open.is_some() || self.after_hours_close.is_some()
    }

    /// The last day the schedule lists a holiday or an early close on.
    fn listed_through(&self) -> Option<Date> {
        let holiday = self.holidays.last().copied();
        let early = self.early_closes.last().copied();
        holiday.max(early)
    }

    fn is_early_close(&self, date: Date) -> bool {
        self.early_close.is_some() && self.early_closes.contains(&date)
    }

    /// `time` on `date` in the schedule's time zone (the later instant of a
    /// repeated hour, the time after a skipped one).
    fn instant(&self, date: Date, time: Time) -> Option<Timestamp> {
        local_instant(&self.time_zone, date, time)
    }
}

impl SessionCalendar for TradingSchedule {
    fn is_session(&self, date: Date) -> bool {
        !is_weekend(date) && !self.holidays.contains(&date)
    }

    fn session_bounds(&self, date: Date) -> Option<(Timestamp, Timestamp)> {
        if !self.is_session(date) {
            return None;
        }
        let close = match self.early_close {
            Some(early) if self.early_closes.contains(&date) => early,
            _ => self.close,
        };
        Some((self.instant(date, self.open)?, self.instant(date, close)?))
    }
}

impl ExtendedSessions for TradingSchedule {
    /// From `pre_market_open` (or the open) to `after_hours_close` (or the
    /// close), `early_after_hours_close` on early closes; `None` on days
    /// without a session and when the schedule declares no extended hours.
    fn extended_bounds(&self, date: Date) -> Option<(Timestamp, Timestamp)> {
        if !self.has_extended_hours() {
            return None;
        }
        let (open, close) = self.session_bounds(date)?;
        let start = match self.pre_market_open {
            Some(time) => self.instant(date, time)?,
            None => open,
        };
        let after_hours = match (self.is_early_close(date), self.early_after_hours_close) {
            (true, Some(time)) => Some(time),
            _ => self.after_hours_close,
        };
        let end = match after_hours {
            Some(time) => self.instant(date, time)?,
            None => close,
        };
        Some((start, end))
    }
}

impl Input for TradingSchedule {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let shown = match source.value() {
            toml::Value::String(path) => path.clone(),
            toml::Value::Table(table) => {
                if let Some(key) = table.keys().find(|k| *k != "path") {
                    return Err(source.error(format!(
                        "unknown key `{key}` in [inputs.{}] (expected `path`)",
                        source.name()
                    )));
                }
                table
                    .get("path")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| source.error("expected `path = \"schedule.toml\"`"))?
                    .to_owned()
            }
            _ => return Err(source.error("expected `path = \"schedule.toml\"` in a table")),
        };
        Self::load(source.name(), &shown, source.root())
    }
}

/// A value of the file, with where it is.
type Field = toml::Spanned<toml::Value>;

/// The file as written, before its values are checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    calendar: Field,
    time_zone: Field,
    open: Field,
    close: Field,
    early_close: Option<Field>,
    pre_market_open: Option<Field>,
    after_hours_close: Option<Field>,
    early_after_hours_close: Option<Field>,
    holidays: toml::Spanned<Vec<Field>>,
    early_closes: Option<toml::Spanned<Vec<Field>>>,
}

/// Checks the values of a [`RawSchedule`], collecting every problem.
struct Parser<'a> {
    text: &'a str,
    /// The line and the message of each problem.
    problems: Vec<(usize, String)>,
}

impl Parser<'_> {
    fn problem(&mut self, span: &Range<usize>, message: String) {
        self.problems.push((line_of(self.text, span), message));
    }

    /// The error listing every problem, in line order.
    fn error(mut self, shown: &str) -> CheckError {
        self.problems.sort_by_key(|(line, _)| *line);
        let mut problems = self.problems.into_iter();
        let Some((line, first)) = problems.next() else {
            return CheckError::Malformed {
                location: shown.to_owned(),
                message: "the schedule could not be read".to_owned(),
            };
        };
        let mut message = first;
        for (line, text) in problems {
            let _ = write!(message, "; {shown}:{line}: {text}");
        }
        CheckError::Malformed {
            location: format!("{shown}:{line}"),
            message,
        }
    }

    /// The text of a string (or of a TOML date or time written bare).
    fn text(&mut self, key: &str, field: &Field, example: &str) -> Option<String> {
        match field.get_ref() {
            toml::Value::String(text) => Some(text.clone()),
            toml::Value::Datetime(datetime) => Some(datetime.to_string()),
            other => {
                self.problem(
                    &field.span(),
                    format!(
                        "`{key}`: expected a string such as \"{example}\", found a {}",
                        other.type_str()
                    ),
                );
                None
            }
        }
    }

    fn time(&mut self, key: &str, field: &Field) -> Option<Time> {
        let text = self.text(key, field, "09:30")?;
        let time = Time::strptime("%H:%M", &text)
            .or_else(|_| Time::strptime("%H:%M:%S", &text))
            .ok();
        if time.is_none() {
            self.problem(
                &field.span(),
                format!("`{key}`: `{text}` is not a time: write it as \"HH:MM\" (24-hour, local)"),
            );
        }
        time
    }

    fn optional_time(&mut self, key: &str, field: Option<&Field>) -> Option<Time> {
        field.and_then(|field| self.time(key, field))
    }

    fn dates(&mut self, key: &str, list: &[Field]) -> BTreeSet<Date> {
        let mut dates = BTreeSet::new();
        for field in list {
            let Some(text) = self.text(key, field, "2026-01-01") else {
                continue;
            };
            let Ok(date) = Date::strptime("%Y-%m-%d", &text) else {
                self.problem(
                    &field.span(),
                    format!("`{key}`: `{text}` is not a date: write it as \"YYYY-MM-DD\""),
                );
                continue;
            };
            if !dates.insert(date) {
                self.problem(
                    &field.span(),
                    format!("`{key}`: {date} is listed twice: remove one"),
                );
            }
        }
        dates
    }

    fn calendar(&mut self, field: &Field) -> Option<&'static Calendar> {
        let code = self.text("calendar", field, "XNYS")?;
        Calendar::by_code(&code)
            .map_err(|e| self.problem(&field.span(), format!("`calendar`: {e}")))
            .ok()
    }

    fn time_zone(&mut self, field: &Field) -> Option<TimeZone> {
        let name = self.text("time_zone", field, "America/New_York")?;
        TimeZone::get(&name)
            .map_err(|_| {
                self.problem(
                    &field.span(),
                    format!(
                        "`time_zone`: unknown time zone `{name}`: use an IANA name such as `America/New_York` or `Europe/London`"
                    ),
                );
            })
            .ok()
    }

    /// Every value read and checked; `None` when a required one is unusable.
    fn schedule(&mut self, raw: &RawSchedule) -> Option<TradingSchedule> {
        let calendar = self.calendar(&raw.calendar);
        let time_zone = self.time_zone(&raw.time_zone);
        let open = self.time("open", &raw.open);
        let close = self.time("close", &raw.close);
        let early_close = self.optional_time("early_close", raw.early_close.as_ref());
        let pre_market_open = self.optional_time("pre_market_open", raw.pre_market_open.as_ref());
        let after_hours_close =
            self.optional_time("after_hours_close", raw.after_hours_close.as_ref());
        let early_after_hours_close = self.optional_time(
            "early_after_hours_close",
            raw.early_after_hours_close.as_ref(),
        );
        let holidays = self.dates("holidays", raw.holidays.get_ref());
        let early_closes = raw
            .early_closes
            .as_ref()
            .map(|list| self.dates("early_closes", list.get_ref()))
            .unwrap_or_default();
        let schedule = TradingSchedule {
            calendar: calendar?,
            time_zone: time_zone?,
            open: open?,
            close: close?,
            early_close,
            pre_market_open,
            after_hours_close,
            early_after_hours_close,
            holidays,
            early_closes,
            artifact: None,
        };
        self.check_order(raw, &schedule);
        self.check_days(raw, &schedule);
        Some(schedule)
    }

    /// The times of a day follow each other: pre-market, open, early close,
    /// close, after hours.
    fn check_order(&mut self, raw: &RawSchedule, s: &TradingSchedule) {
        let (open, close) = (s.open, s.close);
        if close <= open {
            self.problem(
                &raw.close.span(),
                format!(
                    "`close` {} is not after `open` {}: a session opens and closes on the same day",
                    hm(close),
                    hm(open)
                ),
            );
        }
        if let (Some(field), Some(early)) = (&raw.early_close, s.early_close)
            && !(open < early && early < close)
        {
            self.problem(
                &field.span(),
                format!(
                    "`early_close` {} is not between `open` {} and `close` {}",
                    hm(early),
                    hm(open),
                    hm(close)
                ),
            );
        }
        if let (Some(field), Some(pre)) = (&raw.pre_market_open, s.pre_market_open)
            && pre >= open
        {
            self.problem(
                &field.span(),
                format!(
                    "`pre_market_open` {} is not before `open` {}",
                    hm(pre),
                    hm(open)
                ),
            );
        }
        if let (Some(field), Some(after)) = (&raw.after_hours_close, s.after_hours_close)
            && after <= close
        {
            self.problem(
                &field.span(),
                format!(
                    "`after_hours_close` {} is not after `close` {}",
                    hm(after),
                    hm(close)
                ),
            );
        }
        if let Some(field) = &raw.early_after_hours_close {
            self.check_early_after_hours(field, s);
        }
    }

    fn check_early_after_hours(&mut self, field: &Field, s: &TradingSchedule) {
        let Some(after) = s.early_after_hours_close else {
            return;
        };
        if s.after_hours_close.is_none() {
            self.problem(
                &field.span(),
                "`early_after_hours_close` is set without `after_hours_close`: set both, or neither".to_owned(),
            );
        }
        match s.early_close {
            None => self.problem(
                &field.span(),
                "`early_after_hours_close` is set without `early_close`: set `early_close` too"
                    .to_owned(),
            ),
            Some(early) if after <= early => self.problem(
                &field.span(),
                format!(
                    "`early_after_hours_close` {} is not after `early_close` {}",
                    hm(after),
                    hm(early)
                ),
            ),
            Some(_) => {}
        }
    }

    /// Early closes need their time, fall on weekdays, and are not holidays.
    fn check_days(&mut self, raw: &RawSchedule, s: &TradingSchedule) {
        let Some(list) = &raw.early_closes else {
            return;
        };
        if s.early_close.is_none() && !s.early_closes.is_empty() {
            self.problem(
                &list.span(),
                "`early_closes` lists days but `early_close` is not set: add `early_close = \"13:00\"` (the local close on those days)".to_owned(),
            );
        }
        for field in list.get_ref() {
            let Some(date) = field
                .get_ref()
                .as_str()
                .and_then(|text| Date::strptime("%Y-%m-%d", text).ok())
            else {
                continue;
            };
            if is_weekend(date) {
                self.problem(
                    &field.span(),
                    format!(
                        "`early_closes`: {date} is a {:?}: an early close is a weekday session",
                        date.weekday()
                    ),
                );
            } else if s.holidays.contains(&date) {
                self.problem(
                    &field.span(),
                    format!(
                        "`early_closes`: {date} is also in `holidays`: a day is either closed or closes early"
                    ),
                );
            }
        }
    }
}

/// The 1-based line of a span's start.
fn line_of(text: &str, span: &Range<usize>) -> usize {
    text[..span.start.min(text.len())].matches('\n').count() + 1
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// `HH:MM`.
fn hm(time: Time) -> String {
    time.strftime("%H:%M").to_string()
}

/// `at` as local `HH:MM` in `tz`.
fn local_hm(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned_datetime(tz.clone())
        .strftime("%H:%M")
        .to_string()
}

fn local_instant(tz: &TimeZone, date: Date, time: Time) -> Option<Timestamp> {
    tz.to_ambiguous_timestamp(date.to_datetime(time))
        .compatible()
        .ok()
}

fn shift(at: Timestamp, minutes: i64) -> Timestamp {
    at.checked_add(SignedDuration::from_mins(minutes))
        .unwrap_or(at)
}

/// Whether `bounds` of the local date of `at` in `tz` (or of a neighbouring
/// date, for calendars in another zone) contain `at`.
fn within(
    bounds: impl Fn(Date) -> Option<(Timestamp, Timestamp)>,
    tz: &TimeZone,
    at: Timestamp,
) -> bool {
    let day = at.to_zoned_datetime(tz.clone()).date();
    [day.yesterday().ok(), Some(day), day.tomorrow().ok()]
        .into_iter()
        .flatten()
        .filter_map(&bounds)
        .any(|(open, close)| open <= at && at < close)
}

/// Whether `calendar`'s regular session is open at `at`, its dates read in `tz`.
fn is_open<C: SessionCalendar + ?Sized>(calendar: &C, tz: &TimeZone, at: Timestamp) -> bool {
    within(
        |day| {
            if calendar.is_session(day) {
                calendar.session_bounds(day)
            } else {
                None
            }
        },
        tz,
        at,
    )
}

/// One schedule to judge: the file or the type, and its exchange.
struct Schedule<'a> {
    /// How messages name it: "`schedule.toml`", "the `ServiceCalendar` extension".
    name: String,
    reference: &'static Calendar,
    calendar: &'a (dyn SessionCalendar + Send + Sync),
    extended: Option<&'a (dyn ExtendedSessions + Send + Sync)>,
    /// The file's time zone.
    time_zone: Option<String>,
    /// The file's last listed day.
    listed_through: Option<Date>,
    /// A type, whose hours are optional (a file always has them).
    is_type: bool,
}

impl<'a> Schedule<'a> {
    fn file(schedule: &'a TradingSchedule) -> Self {
        let name = schedule.artifact.as_ref().map_or_else(
            || "the schedule file".to_owned(),
            |a| format!("`{}`", a.path),
        );
        Schedule {
            name,
            reference: schedule.calendar,
            calendar: schedule,
            extended: schedule
                .has_extended_hours()
                .then_some(schedule as &(dyn ExtendedSessions + Send + Sync)),
            time_zone: Some(
                schedule
                    .time_zone
                    .iana_name()
                    .unwrap_or("a fixed offset")
                    .to_owned(),
            ),
            listed_through: schedule.listed_through(),
            is_type: false,
        }
    }

    fn service(service: &'a ServiceCalendar) -> Result<Self, CheckError> {
        let reference = Calendar::by_code(&service.reference)
            .map_err(|e| CheckError::msg(format!("the `ServiceCalendar` extension: {e}")))?;
        Ok(Schedule {
            name: "the `ServiceCalendar` extension".to_owned(),
            reference,
            calendar: service.calendar.as_ref(),
            extended: service.extended.as_deref(),
            time_zone: None,
            listed_through: None,
            is_type: true,
        })
    }
}

/// The file, when `[inputs.trading_schedule]` is configured.
fn file_schedule(cx: &Context) -> Result<Option<Arc<TradingSchedule>>, CheckError> {
    if cx.config().inputs.contains_key(INPUT) {
        cx.input::<TradingSchedule>(INPUT).map(Some)
    } else {
        Ok(None)
    }
}

/// The schedules configured: the file, the type, or both; an error when none is.
fn schedules<'a>(
    file: Option<&'a TradingSchedule>,
    service: Option<&'a ServiceCalendar>,
) -> Result<Vec<Schedule<'a>>, CheckError> {
    let mut out = Vec::new();
    if let Some(file) = file {
        out.push(Schedule::file(file));
    }
    if let Some(service) = service {
        out.push(Schedule::service(service)?);
    }
    if out.is_empty() {
        return Err(CheckError::msg(HOW_TO_CONFIGURE));
    }
    Ok(out)
}

/// The days compared: from the run's date in the exchange's time zone.
#[derive(Debug, Clone, Serialize)]
struct Horizon {
    /// The exchange (`XNYS`).
    calendar: &'static str,
    /// Its time zone.
    exchange_time_zone: String,
    from: Date,
    to: Date,
    /// The days asked for.
    #[serde(rename = "horizon_days")]
    days: u32,
    /// Why the horizon is shorter than asked, when it is.
    capped: Option<String>,
}

impl Horizon {
    fn new(reference: &'static Calendar, now: Timestamp, days: u32) -> Result<Self, CheckError> {
        let code = reference.code();
        if days == 0 {
            return Err(CheckError::msg(
                "`horizon_days` is 0: set it to the number of days to check, 1 or more (365 by default)",
            ));
        }
        let from = now.to_zoned_datetime(reference.time_zone().clone()).date();
        if from < FIRST_DATE || from > LAST_DATE {
            return Err(CheckError::msg(format!(
                "the run's date {from} is outside {FIRST_DATE}..={LAST_DATE}, the dates the `{code}` calendar knows: the schedule cannot be compared with it"
            )));
        }
        let (to, capped) = match from.checked_add((i64::from(days) - 1).days()) {
            Ok(end) if end <= LAST_DATE => (end, None),
            _ => {
                let note = format!(
                    "the horizon ends at {LAST_DATE}, the last date the `{code}` calendar knows, not {days} days from {from}"
                );
                (LAST_DATE, Some(note))
            }
        };
        Ok(Horizon {
            calendar: code,
            exchange_time_zone: reference.time_zone().iana_name().unwrap_or("").to_owned(),
            from,
            to,
            days,
            capped,
        })
    }

    /// "XNYS from 2026-01-01 to 2026-12-31".
    fn describe(&self) -> String {
        format!("{} from {} to {}", self.calendar, self.from, self.to)
    }

    /// "", or the reason the horizon is short, in parentheses.
    fn cap_note(&self) -> String {
        self.capped
            .as_ref()
            .map_or_else(String::new, |note| format!(" ({note})"))
    }
}

fn calendar_error(e: CalendarError) -> CheckError {
    CheckError::msg(e)
}

/// How one schedule fared, before the items' verdicts are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    NotApplicable,
    Pass,
    Warn,
    Fail,
}

/// The worst verdict, with every schedule's message; not applicable only
/// when it is for every schedule.
fn combine(verdicts: Vec<(Verdict, String)>) -> Outcome {
    let worst = verdicts
        .iter()
        .map(|(verdict, _)| *verdict)
        .max()
        .unwrap_or(Verdict::Pass);
    let message = verdicts
        .into_iter()
        .filter(|(verdict, _)| {
            worst == Verdict::NotApplicable || *verdict != Verdict::NotApplicable
        })
        .map(|(_, message)| message)
        .collect::<Vec<_>>()
        .join("; ");
    match worst {
        Verdict::NotApplicable => Outcome::not_applicable(message),
        Verdict::Pass => Outcome::pass(message),
        Verdict::Warn => Outcome::warn(message),
        Verdict::Fail => Outcome::fail(message),
    }
}

/// "1 day", "2 days".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The first [`NAMED`] of `items`, and how many more the evidence lists.
fn name_some(items: &[String]) -> String {
    let mut text = items
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > NAMED {
        let _ = write!(
            text,
            "; and {} more (the evidence lists every one)",
            items.len() - NAMED
        );
    }
    text
}

// ---------------------------------------------------------------------------
// Holidays and early closes.

/// A day the schedule is open or closed against the exchange.
#[derive(Debug, Clone, Serialize)]
struct DayFinding {
    date: Date,
    /// What the exchange's day is ([`DayKind`] as text): "closed (Juneteenth)".
    reference: String,
    #[serde(skip)]
    kind: DayKind,
}

impl DayFinding {
    fn new(date: Date, kind: DayKind) -> Self {
        DayFinding {
            date,
            reference: kind.to_string(),
            kind,
        }
    }
}

/// A day the schedule closes at another time than the exchange.
#[derive(Debug, Clone, Serialize)]
struct EarlyCloseFinding {
    date: Date,
    /// The exchange's day: "early close at 13:00 (Christmas Eve)", "regular session".
    reference: String,
    /// The exchange's close, local time.
    expected_close: String,
    /// The schedule's close, in the exchange's local time.
    found_close: String,
}

/// One schedule's days against the exchange's.
#[derive(Debug, Clone, Serialize)]
struct HolidayCheck {
    source: String,
    #[serde(flatten)]
    horizon: Horizon,
    /// Weekdays the exchange is closed in the horizon.
    reference_holidays: usize,
    /// Sessions closing early in the horizon.
    reference_early_closes: usize,
    /// The exchange is closed, the schedule trades.
    missing_holidays: Vec<DayFinding>,
    /// The exchange trades, the schedule is closed.
    extra_holidays: Vec<DayFinding>,
    early_close_mismatches: Vec<EarlyCloseFinding>,
    /// Whether the schedule gives hours, so that early closes could be compared.
    early_closes_compared: bool,
    /// The last day a schedule file lists.
    listed_through: Option<Date>,
}

impl HolidayCheck {
    fn differences(&self) -> usize {
        self.missing_holidays.len() + self.extra_holidays.len() + self.early_close_mismatches.len()
    }

    fn verdict(&self, name: &str) -> (Verdict, String) {
        let h = &self.horizon;
        let code = h.calendar;
        if self.differences() == 0 {
            let mut message = format!(
                "{name} matches {code} on every day from {} to {}: {} and {}{}",
                h.from,
                h.to,
                count(self.reference_holidays, "holiday"),
                count(self.reference_early_closes, "early close"),
                h.cap_note()
            );
            if self.early_closes_compared {
                return (Verdict::Pass, message);
            }
            message.push_str(", but early closes were not compared: the calendar type gives no hours (implement `session_bounds`)");
            return (Verdict::Warn, message);
        }
        let mut items = Vec::new();
        for d in &self.missing_holidays {
            let closed = match d.kind {
                DayKind::Weekend => "closed (weekend)".to_owned(),
                _ => d.reference.clone(),
            };
            items.push(format!("missing holiday {}, {code} is {closed}", d.date));
        }
        for d in &self.extra_holidays {
            items.push(format!(
                "extra holiday {}, {code} trades ({})",
                d.date, d.reference
            ));
        }
        for d in &self.early_close_mismatches {
            items.push(format!(
                "early close {}: closes at {}, {code} at {} ({})",
                d.date, d.found_close, d.expected_close, d.reference
            ));
        }
        let mut message = format!(
            "{name} differs from {code} on {} from {} to {}{}: {}",
            count(self.differences(), "day"),
            h.from,
            h.to,
            h.cap_note(),
            name_some(&items)
        );
        if let Some(last) = self.listed_through
            && self.missing_holidays.iter().any(|d| d.date > last)
        {
            let _ = write!(
                message,
                " (the schedule lists no day after {last}: extend `holidays` and `early_closes` to {})",
                h.to
            );
        }
        if !self.early_closes_compared {
            message.push_str("; early closes were not compared: the calendar type gives no hours (implement `session_bounds`)");
        }
        (Verdict::Fail, message)
    }
}

/// The usual length of the calendar's sessions on the exchange's regular
/// sessions of the horizon (the most frequent, the longest of a tie), and
/// whether it gave any hours.
fn usual_length<C: SessionCalendar + ?Sized>(
    reference: &Calendar,
    calendar: &C,
    horizon: &Horizon,
) -> Result<(Option<SignedDuration>, bool), CalendarError> {
    let mut lengths: BTreeMap<SignedDuration, usize> = BTreeMap::new();
    let mut any_hours = false;
    for session in reference.sessions(horizon.from, horizon.to)? {
        if !calendar.is_session(session.date) {
            continue;
        }
        let Some((open, close)) = calendar.session_bounds(session.date) else {
            continue;
        };
        any_hours = true;
        if session.kind == DayKind::Regular {
            *lengths.entry(close.duration_since(open)).or_default() += 1;
        }
    }
    let usual = lengths
        .into_iter()
        .max_by_key(|&(length, count)| (count, length))
        .map(|(length, _)| length);
    Ok((usual, any_hours))
}

/// Compares the schedule's days with the exchange's over the horizon.
fn holiday_check(schedule: &Schedule<'_>, horizon: Horizon) -> Result<HolidayCheck, CalendarError> {
    let reference = schedule.reference;
    let tz = reference.time_zone();
    let differences = compare(reference, schedule.calendar, horizon.from, horizon.to)?;
    let (usual, any_hours) = usual_length(reference, schedule.calendar, &horizon)?;
    let mut check = HolidayCheck {
        source: schedule.name.clone(),
        reference_holidays: 0,
        reference_early_closes: 0,
        missing_holidays: Vec::new(),
        extra_holidays: Vec::new(),
        early_close_mismatches: Vec::new(),
        early_closes_compared: any_hours,
        listed_through: schedule.listed_through,
        horizon,
    };
    for day in reference.non_regular_days(check.horizon.from, check.horizon.to)? {
        match day.kind {
            DayKind::Closed { .. } => check.reference_holidays += 1,
            DayKind::EarlyClose { .. } => check.reference_early_closes += 1,
            _ => {}
        }
    }
    for difference in differences {
        match difference {
            Difference::ExtraSession { date, reference } => {
                check
                    .missing_holidays
                    .push(DayFinding::new(date, reference));
            }
            Difference::MissingSession { date, .. } => {
                let kind = reference.day_kind(date)?;
                check.extra_holidays.push(DayFinding::new(date, kind));
            }
            Difference::DifferentHours {
                date,
                expected,
                found,
            } if expected.1 != found.1 => {
                let kind = reference.day_kind(date)?;
                let closes_early = matches!(kind, DayKind::EarlyClose { .. });
                let made_short = usual.is_some_and(|usual| found.1.duration_since(found.0) < usual);
                if closes_early || made_short {
                    check.early_close_mismatches.push(EarlyCloseFinding {
                        date,
                        reference: kind.to_string(),
                        expected_close: local_hm(expected.1, tz),
                        found_close: local_hm(found.1, tz),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(check)
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{differences} days differ from {compared}")]
struct HolidayEvidence {
    differences: usize,
    /// "XNYS from 2026-01-01 to 2026-12-31", for each schedule.
    compared: String,
    schedules: Vec<HolidayCheck>,
}

/// The service's holiday schedule matches the exchange's for the horizon:
/// the same closed days and the same early closes.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "trading.market-data.holiday-schedule",
    title = "Holiday schedule configured",
    group = "Market Data",
    severity = "high",
    owner = "tech-lead",
    inputs = ["trading_schedule"],
    remediation = "add the missing holidays and early closes the evidence lists to the service's schedule (and remove the extra ones), or fix its calendar type"
)]
pub struct HolidaySchedule {
    /// Days from the run's date to compare (365 by default).
    pub horizon_days: u32,
}

impl Default for HolidaySchedule {
    fn default() -> Self {
        HolidaySchedule {
            horizon_days: HORIZON_DAYS,
        }
    }
}

impl Check for HolidaySchedule {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let file = file_schedule(cx)?;
        let service = cx.extension::<ServiceCalendar>().ok();
        let schedules = schedules(file.as_deref(), service)?;
        let mut checks = Vec::new();
        let mut verdicts = Vec::new();
        for schedule in &schedules {
            let horizon = Horizon::new(schedule.reference, cx.now(), self.horizon_days)?;
            let check = holiday_check(schedule, horizon).map_err(calendar_error)?;
            verdicts.push(check.verdict(&schedule.name));
            checks.push(check);
        }
        let evidence = HolidayEvidence {
            differences: checks.iter().map(HolidayCheck::differences).sum(),
            compared: describe_all(checks.iter().map(|c| &c.horizon)),
            schedules: checks,
        };
        Ok(attach(
            combine(verdicts).with_evidence(&evidence),
            file.as_deref(),
        ))
    }
}

/// The schedule file read, on the outcome.
fn attach(outcome: Outcome, file: Option<&TradingSchedule>) -> Outcome {
    match file.and_then(|f| f.artifact.clone()) {
        Some(artifact) => outcome.with_artifact(artifact),
        None => outcome,
    }
}

fn describe_all<'h>(horizons: impl Iterator<Item = &'h Horizon>) -> String {
    horizons
        .map(Horizon::describe)
        .collect::<Vec<_>>()
        .join(" and ")
}

// ---------------------------------------------------------------------------
// Sampled instants: market hours and extended hours.

/// Open or closed, at a sampled instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum State {
    Open,
    Closed,
}

impl State {
    fn of(open: bool) -> Self {
        if open { State::Open } else { State::Closed }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Open => "open",
            State::Closed => "closed",
        })
    }
}

/// A sampled instant where the schedule and the exchange disagree.
#[derive(Debug, Clone, Serialize)]
struct Mismatch {
    utc: Timestamp,
    /// The same instant in the exchange's time zone: "2026-03-09 09:30 EDT".
    local: String,
    /// The exchange.
    expected: State,
    /// The schedule.
    found: State,
}

/// The instants sampled over a horizon and what they showed.
#[derive(Debug, Clone, Serialize)]
struct Sampled {
    /// Sessions of the exchange sampled.
    sessions: usize,
    /// The days the exchange's clocks change, sampled every 30 minutes
    /// (with the session after each).
    dst_days: Vec<Date>,
    samples: usize,
    mismatch_count: usize,
    /// The first [`KEEP`] mismatches, in time order.
    mismatches: Vec<Mismatch>,
}

impl Sampled {
    /// Compares `found` with `expected` at every instant of `instants`.
    fn compare(
        instants: &Instants,
        tz: &TimeZone,
        expected: impl Fn(Timestamp) -> Result<bool, CalendarError>,
        found: impl Fn(Timestamp) -> bool,
    ) -> Result<Self, CalendarError> {
        let mut mismatch_count = 0;
        let mut mismatches = Vec::new();
        for &at in &instants.at {
            let (expected, found) = (expected(at)?, found(at));
            if expected == found {
                continue;
            }
            mismatch_count += 1;
            if mismatches.len() < KEEP {
                mismatches.push(Mismatch {
                    utc: at,
                    local: at
                        .to_zoned_datetime(tz.clone())
                        .strftime("%Y-%m-%d %H:%M %Z")
                        .to_string(),
                    expected: State::of(expected),
                    found: State::of(found),
                });
            }
        }
        Ok(Sampled {
            sessions: instants.sessions,
            dst_days: instants.dst_days.clone(),
            samples: instants.at.len(),
            mismatch_count,
            mismatches,
        })
    }

    /// The verdict of a schedule whose hours were sampled; `what` names them
    /// ("hours", "extended hours").
    fn verdict(&self, name: &str, what: &str, horizon: &Horizon) -> (Verdict, String) {
        let code = horizon.calendar;
        let dst = match self.dst_days.len() {
            0 => String::new(),
            1 => " and the day the clocks change".to_owned(),
            n => format!(" and the {n} days the clocks change"),
        };
        let Some(first) = self.mismatches.first() else {
            return (
                Verdict::Pass,
                format!(
                    "{name} agrees with {code}'s {what} at all {} sampled instants of {} from {} to {} (opens and closes, a minute either side{dst}){}",
                    self.samples,
                    count(self.sessions, "session"),
                    horizon.from,
                    horizon.to,
                    horizon.cap_note()
                ),
            );
        };
        (
            Verdict::Fail,
            format!(
                "{name} disagrees with {code}'s {what} at {} of {} sampled instants from {} to {}{}: first at {} ({}), {code} is {}, the schedule {}",
                self.mismatch_count,
                self.samples,
                horizon.from,
                horizon.to,
                horizon.cap_note(),
                first.utc,
                first.local,
                first.expected,
                first.found
            ),
        )
    }
}

/// The instants to sample, in order, without repeats.
struct Instants {
    at: BTreeSet<Timestamp>,
    sessions: usize,
    dst_days: Vec<Date>,
}

impl Instants {
    /// The bounds `bounds` gives each session of the horizon, and a minute
    /// either side of each; every 30 minutes of the days the exchange's
    /// clocks change and of the session after each.
    fn new(
        reference: &Calendar,
        horizon: &Horizon,
        bounds: impl Fn(Date) -> Result<Option<(Timestamp, Timestamp)>, CalendarError>,
    ) -> Result<Self, CalendarError> {
        let mut at = BTreeSet::new();
        let mut sessions = 0;
        for session in reference.sessions(horizon.from, horizon.to)? {
            let Some((open, close)) = bounds(session.date)? else {
                continue;
            };
            sessions += 1;
            for edge in [open, close] {
                at.extend([shift(edge, -1), edge, shift(edge, 1)]);
            }
        }
        let tz = reference.time_zone();
        let dst_days = clock_changes(tz, horizon.from, horizon.to);
        for &day in &dst_days {
            every_half_hour(tz, day, &mut at);
            let after = day.tomorrow().unwrap_or(day);
            let week = after
                .checked_add(7.days())
                .unwrap_or(LAST_DATE)
                .min(horizon.to);
            if after <= week
                && let Some(next) = reference.sessions(after, week)?.next()
            {
                every_half_hour(tz, next.date, &mut at);
            }
        }
        Ok(Instants {
            at,
            sessions,
            dst_days,
        })
    }
}

/// The local dates of `tz`'s transitions from `from` to `to`.
fn clock_changes(tz: &TimeZone, from: Date, to: Date) -> Vec<Date> {
    let start = local_instant(tz, from, Time::midnight());
    let end = to
        .tomorrow()
        .ok()
        .and_then(|day| local_instant(tz, day, Time::midnight()));
    let (Some(start), Some(end)) = (start, end) else {
        return Vec::new();
    };
    tz.following(shift(start, -1))
        .map(|transition| transition.timestamp())
        .take_while(|&at| at < end)
        .map(|at| at.to_zoned_datetime(tz.clone()).date())
        .collect()
}

/// Every 30 minutes of `day` in `tz`, from its local midnight to the next.
fn every_half_hour(tz: &TimeZone, day: Date, at: &mut BTreeSet<Timestamp>) {
    let start = local_instant(tz, day, Time::midnight());
    let end = day
        .tomorrow()
        .ok()
        .and_then(|next| local_instant(tz, next, Time::midnight()));
    let (Some(mut instant), Some(end)) = (start, end) else {
        return;
    };
    while instant < end {
        at.insert(instant);
        instant = shift(instant, 30);
    }
}

/// One schedule's regular hours against the exchange's.
#[derive(Debug, Clone, Serialize)]
struct HoursCheck {
    source: String,
    /// The time zone the schedule file is written in.
    schedule_time_zone: Option<String>,
    #[serde(flatten)]
    horizon: Horizon,
    #[serde(flatten)]
    sampled: Sampled,
}

/// Samples the schedule's regular hours against the exchange's.
fn hours_check(schedule: &Schedule<'_>, horizon: Horizon) -> Result<HoursCheck, CheckError> {
    let reference = schedule.reference;
    let tz = reference.time_zone();
    let calendar = schedule.calendar;
    if schedule.is_type
        && !usual_length(reference, calendar, &horizon)
            .map_err(calendar_error)?
            .1
    {
        return Err(CheckError::msg(format!(
            "{}: the calendar type gives no hours: implement `session_bounds`",
            schedule.name
        )));
    }
    let instants = Instants::new(reference, &horizon, |day| reference.session_bounds(day))
        .map_err(calendar_error)?;
    let sampled = Sampled::compare(
        &instants,
        tz,
        |at| reference.is_open_at(at),
        |at| is_open(calendar, tz, at),
    )
    .map_err(calendar_error)?;
    Ok(HoursCheck {
        source: schedule.name.clone(),
        schedule_time_zone: schedule.time_zone.clone(),
        horizon,
        sampled,
    })
}

#[derive(Evidence, Serialize)]
#[evidence(summary = "{mismatches} of {samples} sampled instants disagree with {compared}")]
struct HoursEvidence {
    samples: usize,
    mismatches: usize,
    /// "XNYS from 2026-01-01 to 2026-12-31", for each schedule.
    compared: String,
    schedules: Vec<HoursCheck>,
}

/// The service's session times and time zone match the exchange's, checked
/// at sampled instants over the horizon (opens, closes, early closes and the
/// days the clocks change).
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "trading.market-data.market-hours",
    title = "Market hours handling implemented",
    group = "Market Data",
    severity = "high",
    owner = "tech-lead",
    inputs = ["trading_schedule"],
    remediation = "write the schedule's open and close in the exchange's local time with its IANA time zone (not a fixed UTC time), so that they follow daylight saving time; the evidence lists the instants that disagree"
)]
pub struct MarketHours {
    /// Days from the run's date to sample (365 by default).
    pub horizon_days: u32,
}

impl Default for MarketHours {
    fn default() -> Self {
        MarketHours {
            horizon_days: HORIZON_DAYS,
        }
    }
}

impl Check for MarketHours {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let file = file_schedule(cx)?;
        let service = cx.extension::<ServiceCalendar>().ok();
        let schedules = schedules(file.as_deref(), service)?;
        let mut checks = Vec::new();
        let mut verdicts = Vec::new();
        for schedule in &schedules {
            let horizon = Horizon::new(schedule.reference, cx.now(), self.horizon_days)?;
            let check = hours_check(schedule, horizon)?;
            verdicts.push(
                check
                    .sampled
                    .verdict(&schedule.name, "hours", &check.horizon),
            );
            checks.push(check);
        }
        let evidence = HoursEvidence {
            samples: checks.iter().map(|c| c.sampled.samples).sum(),
            mismatches: checks.iter().map(|c| c.sampled.mismatch_count).sum(),
            compared: describe_all(checks.iter().map(|c| &c.horizon)),
            schedules: checks,
        };
        Ok(attach(
            combine(verdicts).with_evidence(&evidence),
            file.as_deref(),
        ))
    }
}

/// One schedule's extended hours against the exchange's.
#[derive(Debug, Clone, Serialize)]
struct ExtendedCheck {
    source: String,
    #[serde(flatten)]
    horizon: Horizon,
    exchange_has_extended_hours: bool,
    declares_extended_hours: bool,
    /// The sampling, when both have extended hours.
    #[serde(flatten)]
    sampled: Option<Sampled>,
}

impl ExtendedCheck {
    fn verdict(&self, schedule: &Schedule<'_>) -> (Verdict, String) {
        let name = &schedule.name;
        let code = self.horizon.calendar;
        if let Some(sampled) = &self.sampled {
            return sampled.verdict(name, "extended hours", &self.horizon);
        }
        let how = if schedule.is_type {
            "implement `ExtendedSessions` and hand the calendar to the run with `ServiceCalendar::with_extended_hours`"
        } else {
            "set `pre_market_open`, `after_hours_close` and `early_after_hours_close`"
        };
        match (
            self.exchange_has_extended_hours,
            self.declares_extended_hours,
        ) {
            (false, false) => (
                Verdict::NotApplicable,
                format!("{code} has no extended sessions, and {name} declares none"),
            ),
            (false, true) => (
                Verdict::Fail,
                format!(
                    "{name} declares extended hours, but {code} has no pre-market or after-hours sessions: remove them from the schedule"
                ),
            ),
            _ => (
                Verdict::Fail,
                format!(
                    "{name} declares no extended hours, but {code} trades pre-market and after hours: {how}, or, if the service trades regular hours only, disable the item with a reason"
                ),
            ),
        }
    }
}

/// Samples the schedule's extended hours against the exchange's, when both have them.
fn extended_check(schedule: &Schedule<'_>, horizon: Horizon) -> Result<ExtendedCheck, CheckError> {
    let reference = schedule.reference;
    let mut check = ExtendedCheck {
        source: schedule.name.clone(),
        horizon,
        exchange_has_extended_hours: reference.has_extended_hours(),
        declares_extended_hours: schedule.extended.is_some(),
        sampled: None,
    };
    let (true, Some(extended)) = (check.exchange_has_extended_hours, schedule.extended) else {
        return Ok(check);
    };
    let tz = reference.time_zone();
    let h = &check.horizon;
    let gives_hours = reference
        .sessions(h.from, h.to)
        .map_err(calendar_error)?
        .any(|session| extended.extended_bounds(session.date).is_some());
    if !gives_hours {
        return Err(CheckError::msg(format!(
            "{}: the calendar type gives no extended hours: implement `extended_bounds`",
            schedule.name
        )));
    }
    let instants = Instants::new(reference, h, |day| reference.extended_bounds(day))
        .map_err(calendar_error)?;
    let sampled = Sampled::compare(
        &instants,
        tz,
        |at| {
            Ok(within(
                |day| reference.extended_bounds(day).ok().flatten(),
                tz,
                at,
            ))
        },
        |at| within(|day| extended.extended_bounds(day), tz, at),
    )
    .map_err(calendar_error)?;
    check.sampled = Some(sampled);
    Ok(check)
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "{mismatches} of {samples} sampled instants of extended hours disagree with {compared}"
)]
struct ExtendedEvidence {
    samples: usize,
    mismatches: usize,
    /// "XNYS from 2026-01-01 to 2026-12-31", for each schedule.
    compared: String,
    schedules: Vec<ExtendedCheck>,
}

/// The service's pre-market and after-hours sessions match the exchange's
/// (early closes included), checked at sampled instants over the horizon;
/// not applicable on an exchange without extended sessions.
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "trading.market-data.extended-hours",
    title = "Pre-market and after-hours handling (if applicable)",
    group = "Market Data",
    severity = "medium",
    owner = "tech-lead",
    applicability = "if-applicable",
    inputs = ["trading_schedule"],
    remediation = "set the schedule's `pre_market_open`, `after_hours_close` and `early_after_hours_close` to the exchange's extended hours (local time), or implement `ExtendedSessions` for the service's calendar type"
)]
pub struct ExtendedHours {
    /// Days from the run's date to sample (365 by default).
    pub horizon_days: u32,
}

impl Default for ExtendedHours {
    fn default() -> Self {
        ExtendedHours {
            horizon_days: HORIZON_DAYS,
        }
    }
}

impl Check for ExtendedHours {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let file = file_schedule(cx)?;
        let service = cx.extension::<ServiceCalendar>().ok();
        let schedules = schedules(file.as_deref(), service)?;
        let mut checks = Vec::new();
        let mut verdicts = Vec::new();
        for schedule in &schedules {
            let horizon = Horizon::new(schedule.reference, cx.now(), self.horizon_days)?;
            let check = extended_check(schedule, horizon)?;
            verdicts.push(check.verdict(schedule));
            checks.push(check);
        }
        let all_sampled = || checks.iter().filter_map(|c| c.sampled.as_ref());
        let samples = all_sampled().map(|s| s.samples).sum();
        let mismatches = all_sampled().map(|s| s.mismatch_count).sum();
        let evidence = ExtendedEvidence {
            samples,
            mismatches,
            compared: describe_all(checks.iter().map(|c| &c.horizon)),
            schedules: checks,
        };
        Ok(attach(
            combine(verdicts).with_evidence(&evidence),
            file.as_deref(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    /// The NYSE's 2026, written as a service would.
    const XNYS_2026: &str = r#"calendar = "XNYS"
time_zone = "America/New_York"
open = "09:30"
close = "16:00"
early_close = "13:00"
pre_market_open = "04:00"
after_hours_close = "20:00"
early_after_hours_close = "17:00"
holidays = ["2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25",
            "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"]
early_closes = ["2026-11-27", "2026-12-24"]
"#;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn parse(text: &str) -> TradingSchedule {
        TradingSchedule::parse(text, "schedule.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn parse_error(text: &str) -> String {
        TradingSchedule::parse(text, "schedule.toml")
            .unwrap_err()
            .to_string()
    }

    fn nyse() -> &'static Calendar {
        Calendar::by_code("XNYS").unwrap()
    }

    /// 2026 in New York: the run at 07:00 local on New Year's Day.
    fn year_2026(reference: &'static Calendar) -> Horizon {
        Horizon::new(reference, ts("2026-01-01T12:00:00Z"), HORIZON_DAYS).unwrap()
    }

    fn holidays(text: &str) -> HolidayCheck {
        let schedule = parse(text);
        let file = Schedule::file(&schedule);
        holiday_check(&file, year_2026(schedule.calendar)).unwrap()
    }

    fn hours(text: &str, horizon: Horizon) -> Sampled {
        let schedule = parse(text);
        hours_check(&Schedule::file(&schedule), horizon)
            .unwrap()
            .sampled
    }

    fn extended(text: &str) -> ExtendedCheck {
        let schedule = parse(text);
        extended_check(&Schedule::file(&schedule), year_2026(schedule.calendar)).unwrap()
    }

    fn dates(findings: &[DayFinding]) -> Vec<String> {
        findings.iter().map(|f| f.date.to_string()).collect()
    }

    #[test]
    fn the_module_example_is_the_2026_schedule() {
        let docs = include_str!("schedule.rs");
        let example = docs
            .lines()
            .skip_while(|line| !line.starts_with("//! calendar = \"XNYS\""))
            .take_while(|line| *line != "//! ```")
            .map(|line| line.trim_start_matches("//! "))
            .collect::<Vec<_>>()
            .join("\n");
        let from_docs = parse(&example);
        let here = parse(XNYS_2026);
        assert_eq!(from_docs.holidays, here.holidays);
        assert_eq!(from_docs.early_closes, here.early_closes);
        assert_eq!(
            from_docs.early_after_hours_close,
            here.early_after_hours_close
        );
    }

    #[test]
    fn the_file_is_read_into_its_values() {
        let schedule = parse(XNYS_2026);
        assert_eq!(schedule.calendar.code(), "XNYS");
        assert_eq!(schedule.time_zone.iana_name(), Some("America/New_York"));
        assert_eq!(schedule.open, Time::constant(9, 30, 0, 0));
        assert_eq!(schedule.early_close, Some(Time::constant(13, 0, 0, 0)));
        assert_eq!(schedule.holidays.len(), 10);
        assert!(schedule.has_extended_hours());
        assert!(!schedule.is_session(date(2026, 6, 19)));
        assert!(!schedule.is_session(date(2026, 6, 20)), "a Saturday");
        assert_eq!(
            schedule.session_bounds(date(2026, 12, 24)),
            Some((ts("2026-12-24T14:30:00Z"), ts("2026-12-24T18:00:00Z")))
        );
        assert_eq!(
            schedule.extended_bounds(date(2026, 12, 24)),
            Some((ts("2026-12-24T09:00:00Z"), ts("2026-12-24T22:00:00Z")))
        );
        assert_eq!(schedule.extended_bounds(date(2026, 12, 25)), None);
        // Summer time: 09:30 in New York is 13:30 UTC.
        assert!(schedule.is_open_at(ts("2026-07-01T13:30:00Z")));
        assert!(!schedule.is_open_at(ts("2026-07-01T20:00:00Z")));
        // TOML's own times and dates are read too.
        let bare = XNYS_2026
            .replace("open = \"09:30\"", "open = 09:30:00")
            .replace("\"2026-01-01\"", "2026-01-01");
        let schedule = parse(&bare);
        assert_eq!(schedule.open, Time::constant(9, 30, 0, 0));
        assert!(schedule.holidays.contains(&date(2026, 1, 1)));
    }

    #[test]
    fn parse_errors_name_the_key_and_the_line() {
        let err = parse_error(&XNYS_2026.replace("open = \"09:30\"", "opne = \"09:30\""));
        assert!(
            err.starts_with("schedule.toml:3: unknown field `opne`"),
            "{err}"
        );
        let err = parse_error(&XNYS_2026.replace("America/New_York", "America/New_Yrok"));
        assert_eq!(
            err,
            "schedule.toml:2: `time_zone`: unknown time zone `America/New_Yrok`: use an IANA name such as `America/New_York` or `Europe/London`"
        );
        let err = parse_error(&XNYS_2026.replace("\"XNYS\"", "\"XNSE\""));
        assert!(
            err.starts_with("schedule.toml:1: `calendar`: calendar `XNSE`: unknown exchange code"),
            "{err}"
        );
        let err = parse_error(&XNYS_2026.replace("open = \"09:30\"", "open = 930"));
        assert_eq!(
            err,
            "schedule.toml:3: `open`: expected a string such as \"09:30\", found a integer"
        );
        let err = parse_error(&XNYS_2026.replace("close = \"16:00\"", "close = \"09:00\""));
        assert_eq!(
            err,
            "schedule.toml:4: `close` 09:00 is not after `open` 09:30: a session opens and closes on the same day; schedule.toml:5: `early_close` 13:00 is not between `open` 09:30 and `close` 09:00"
        );
        let err = parse_error(&XNYS_2026.replace("holidays = [", "holiday = ["));
        assert!(err.contains("unknown field `holiday`"), "{err}");
    }

    #[test]
    fn every_bad_value_is_reported_at_once() {
        let text = XNYS_2026
            .replace("close = \"16:00\"", "close = \"25:00\"")
            .replace("\"2026-02-16\"", "\"2026-02-30\"")
            .replace("\"2026-05-25\"", "\"2026-01-19\"")
            .replace(
                "early_closes = [\"2026-11-27\", \"2026-12-24\"]",
                "early_closes = [\"2026-11-28\", \"2026-12-25\"]",
            );
        let err = parse_error(&text);
        assert_eq!(
            err,
            "schedule.toml:4: `close`: `25:00` is not a time: write it as \"HH:MM\" (24-hour, local); \
             schedule.toml:9: `holidays`: `2026-02-30` is not a date: write it as \"YYYY-MM-DD\"; \
             schedule.toml:9: `holidays`: 2026-01-19 is listed twice: remove one"
        );
        // With the close fixed, the checks that need every value run too.
        let err = parse_error(&text.replace("\"25:00\"", "\"16:00\""));
        assert!(
            err.ends_with(
                "schedule.toml:11: `early_closes`: 2026-11-28 is a Saturday: an early close is a weekday session; \
                 schedule.toml:11: `early_closes`: 2026-12-25 is also in `holidays`: a day is either closed or closes early"
            ),
            "{err}"
        );
        let err = parse_error(&XNYS_2026.replace("early_close = \"13:00\"\n", ""));
        assert!(
            err.contains(
                "schedule.toml:10: `early_closes` lists days but `early_close` is not set"
            ),
            "{err}"
        );
        let err = parse_error(
            &XNYS_2026.replace("pre_market_open = \"04:00\"", "pre_market_open = \"10:00\""),
        );
        assert_eq!(
            err,
            "schedule.toml:6: `pre_market_open` 10:00 is not before `open` 09:30"
        );
        let err = parse_error(&XNYS_2026.replace("after_hours_close = \"20:00\"\n", ""));
        assert_eq!(
            err,
            "schedule.toml:7: `early_after_hours_close` is set without `after_hours_close`: set both, or neither"
        );
    }

    #[test]
    fn a_correct_xnys_2026_schedule_passes() {
        let check = holidays(XNYS_2026);
        assert_eq!(check.differences(), 0, "{check:?}");
        assert_eq!(
            (check.reference_holidays, check.reference_early_closes),
            (10, 2)
        );
        assert!(check.early_closes_compared);
        let (verdict, message) = check.verdict("`schedule.toml`");
        assert_eq!(verdict, Verdict::Pass);
        assert_eq!(
            message,
            "`schedule.toml` matches XNYS on every day from 2026-01-01 to 2026-12-31: 10 holidays and 2 early closes"
        );

        let sampled = hours(XNYS_2026, year_2026(nyse()));
        assert_eq!(sampled.mismatch_count, 0, "{:?}", sampled.mismatches);
        assert_eq!(sampled.sessions, 251);
        assert_eq!(sampled.dst_days, [date(2026, 3, 8), date(2026, 11, 1)]);
        // Six instants a session, and the 30-minute grid of four days (a
        // 23-hour and a 25-hour Sunday), less the grid's instants that are
        // opens or closes already.
        assert_eq!(sampled.samples, 251 * 6 + 46 + 48 + 50 + 48 - 4);

        let check = extended(XNYS_2026);
        let sampled = check.sampled.as_ref().unwrap();
        assert_eq!(sampled.mismatch_count, 0, "{:?}", sampled.mismatches);
        assert_eq!(
            check.verdict(&Schedule::file(&parse(XNYS_2026))).0,
            Verdict::Pass
        );
    }

    #[test]
    fn a_missing_juneteenth_is_a_missing_holiday() {
        let check = holidays(&XNYS_2026.replace("\"2026-06-19\", ", ""));
        assert_eq!(dates(&check.missing_holidays), ["2026-06-19"]);
        assert_eq!(check.missing_holidays[0].reference, "closed (Juneteenth)");
        assert!(check.extra_holidays.is_empty() && check.early_close_mismatches.is_empty());
        let (verdict, message) = check.verdict("`schedule.toml`");
        assert_eq!(verdict, Verdict::Fail);
        assert_eq!(
            message,
            "`schedule.toml` differs from XNYS on 1 day from 2026-01-01 to 2026-12-31: missing holiday 2026-06-19, XNYS is closed (Juneteenth)"
        );
    }

    #[test]
    fn extra_holidays_and_a_short_list_are_found() {
        // Closed the day after Thanksgiving, which is a (short) session.
        let text = XNYS_2026
            .replace("\"2026-11-26\"", "\"2026-11-26\", \"2026-11-27\"")
            .replace("[\"2026-11-27\", ", "[");
        let check = holidays(&text);
        assert_eq!(dates(&check.extra_holidays), ["2026-11-27"]);
        assert_eq!(
            check.extra_holidays[0].reference,
            "early close at 13:00 (Day after Thanksgiving)"
        );
        // A list that stops in the summer misses the autumn's holidays.
        let text = XNYS_2026
            .replace(", \"2026-09-07\", \"2026-11-26\", \"2026-12-25\"", "")
            .replace("early_closes = [\"2026-11-27\", \"2026-12-24\"]", "");
        let check = holidays(&text);
        assert_eq!(
            dates(&check.missing_holidays),
            ["2026-09-07", "2026-11-26", "2026-12-25"]
        );
        let (_, message) = check.verdict("`schedule.toml`");
        assert!(
            message.ends_with("(the schedule lists no day after 2026-07-03: extend `holidays` and `early_closes` to 2026-12-31)"),
            "{message}"
        );
    }

    #[test]
    fn wrong_early_closes_are_found() {
        // New Year's Eve instead of Christmas Eve.
        let check = holidays(&XNYS_2026.replace("\"2026-12-24\"]", "\"2026-12-31\"]"));
        let found: Vec<_> = check
            .early_close_mismatches
            .iter()
            .map(|m| {
                (
                    m.date.to_string(),
                    m.found_close.as_str(),
                    m.expected_close.as_str(),
                    m.reference.as_str(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "2026-12-24".to_owned(),
                    "16:00",
                    "13:00",
                    "early close at 13:00 (Christmas Eve)"
                ),
                ("2026-12-31".to_owned(), "13:00", "16:00", "regular session"),
            ]
        );
        assert!(check.missing_holidays.is_empty() && check.extra_holidays.is_empty());
        let (verdict, message) = check.verdict("`schedule.toml`");
        assert_eq!(verdict, Verdict::Fail);
        assert!(
            message.contains("early close 2026-12-24: closes at 16:00, XNYS at 13:00 (early close at 13:00 (Christmas Eve))"),
            "{message}"
        );
        // The right days at the wrong time.
        let check =
            holidays(&XNYS_2026.replace("early_close = \"13:00\"", "early_close = \"14:00\""));
        assert_eq!(check.early_close_mismatches.len(), 2);
        assert_eq!(check.early_close_mismatches[0].found_close, "14:00");
    }

    #[test]
    fn a_wrong_time_zone_is_found() {
        let text = XNYS_2026.replace("America/New_York", "America/Chicago");
        // The days are right, but 13:00 in Chicago is 14:00 in New York ...
        let check = holidays(&text);
        assert!(check.missing_holidays.is_empty() && check.extra_holidays.is_empty());
        let late: Vec<_> = check
            .early_close_mismatches
            .iter()
            .map(|m| (m.date.to_string(), m.found_close.as_str()))
            .collect();
        assert_eq!(
            late,
            [
                ("2026-11-27".to_owned(), "14:00"),
                ("2026-12-24".to_owned(), "14:00")
            ]
        );
        // ... and every open and close an hour late.
        let sampled = hours(&text, year_2026(nyse()));
        let first = &sampled.mismatches[0];
        assert_eq!(first.utc, ts("2026-01-02T14:30:00Z"));
        assert_eq!(first.local, "2026-01-02 09:30 EST");
        assert_eq!((first.expected, first.found), (State::Open, State::Closed));
        assert_eq!(sampled.mismatches.len(), KEEP);
        assert!(
            sampled.mismatch_count >= 251 * 4,
            "{}",
            sampled.mismatch_count
        );
    }

    #[test]
    fn an_open_at_nine_is_found() {
        let text = XNYS_2026.replace("open = \"09:30\"", "open = \"09:00\"");
        let sampled = hours(&text, year_2026(nyse()));
        let first = &sampled.mismatches[0];
        assert_eq!(first.utc, ts("2026-01-02T14:29:00Z"));
        assert_eq!((first.expected, first.found), (State::Closed, State::Open));
        // A minute before each open, and 09:00 on the two Mondays after the
        // clocks change.
        assert_eq!(sampled.mismatch_count, 251 + 2);
        let (verdict, message) = sampled.verdict("`schedule.toml`", "hours", &year_2026(nyse()));
        assert_eq!(verdict, Verdict::Fail);
        assert_eq!(
            message,
            "`schedule.toml` disagrees with XNYS's hours at 253 of 1694 sampled instants from 2026-01-01 to 2026-12-31: first at 2026-01-02T14:29:00Z (2026-01-02 09:29 EST), XNYS is closed, the schedule open"
        );
    }

    #[test]
    fn dst_sampling_catches_a_schedule_written_in_utc() {
        let text = XNYS_2026
            .replace("America/New_York", "UTC")
            .replace("open = \"09:30\"", "open = \"14:30\"")
            .replace("close = \"16:00\"", "close = \"21:00\"")
            .replace("early_close = \"13:00\"", "early_close = \"18:00\"")
            .replace("pre_market_open = \"04:00\"", "pre_market_open = \"09:00\"")
            .replace(
                "after_hours_close = \"20:00\"",
                "after_hours_close = \"23:59\"",
            )
            .replace(
                "early_after_hours_close = \"17:00\"",
                "early_after_hours_close = \"22:00\"",
            );
        // Two weeks around the change to summer time, 2026-03-08.
        let horizon = Horizon::new(nyse(), ts("2026-03-02T12:00:00Z"), 14).unwrap();
        let sampled = hours(&text, horizon);
        assert_eq!(sampled.dst_days, [date(2026, 3, 8)]);
        let first = &sampled.mismatches[0];
        assert_eq!(first.utc, ts("2026-03-09T13:30:00Z"));
        assert_eq!(first.local, "2026-03-09 09:30 EDT");
        assert_eq!((first.expected, first.found), (State::Open, State::Closed));
        // Right in winter: the week before the change agrees.
        let winter = Horizon::new(nyse(), ts("2026-01-05T12:00:00Z"), 60).unwrap();
        assert_eq!(hours(&text, winter).mismatch_count, 0);
    }

    #[test]
    fn the_horizon_starts_on_the_exchange_date_and_stops_at_the_last_date() {
        // 03:00 UTC on the 2nd is still the 1st in New York.
        let horizon = Horizon::new(nyse(), ts("2026-01-02T03:00:00Z"), 10).unwrap();
        assert_eq!(
            (horizon.from, horizon.to),
            (date(2026, 1, 1), date(2026, 1, 10))
        );
        assert_eq!(horizon.capped, None);
        let horizon = Horizon::new(nyse(), ts("2035-06-01T12:00:00Z"), 365).unwrap();
        assert_eq!(horizon.to, LAST_DATE);
        assert_eq!(
            horizon.capped.as_deref(),
            Some(
                "the horizon ends at 2035-12-31, the last date the `XNYS` calendar knows, not 365 days from 2035-06-01"
            )
        );
        let err = Horizon::new(nyse(), ts("2036-01-02T12:00:00Z"), 365).unwrap_err();
        assert!(
            err.to_string()
                .contains("the run's date 2036-01-02 is outside 1990-01-01..=2035-12-31"),
            "{err}"
        );
        let err = Horizon::new(nyse(), ts("2026-01-02T12:00:00Z"), 0).unwrap_err();
        assert!(err.to_string().starts_with("`horizon_days` is 0"), "{err}");
    }

    /// The NYSE's days, without hours.
    struct DaysOnly;

    impl SessionCalendar for DaysOnly {
        fn is_session(&self, day: Date) -> bool {
            nyse().is_session(day).unwrap()
        }
    }

    #[test]
    fn a_calendar_type_without_hours() {
        let service = ServiceCalendar::new("xnys", DaysOnly);
        let schedule = Schedule::service(&service).unwrap();
        let check = holiday_check(&schedule, year_2026(nyse())).unwrap();
        let (verdict, message) = check.verdict(&schedule.name);
        assert_eq!(verdict, Verdict::Warn);
        assert!(message.ends_with("but early closes were not compared: the calendar type gives no hours (implement `session_bounds`)"), "{message}");
        let err = hours_check(&schedule, year_2026(nyse())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the `ServiceCalendar` extension: the calendar type gives no hours: implement `session_bounds`"
        );
        let check = extended_check(&schedule, year_2026(nyse())).unwrap();
        let (verdict, message) = check.verdict(&schedule);
        assert_eq!(verdict, Verdict::Fail);
        assert!(
            message.contains("implement `ExtendedSessions`"),
            "{message}"
        );
        let unknown = ServiceCalendar::new("XTKS", DaysOnly);
        let err = Schedule::service(&unknown).err().unwrap();
        assert!(
            err.to_string().starts_with(
                "the `ServiceCalendar` extension: calendar `XTKS`: unknown exchange code"
            ),
            "{err}"
        );
    }

    #[test]
    fn extended_hours_where_the_exchange_has_none_or_the_schedule_declares_none() {
        let london = r#"calendar = "XLON"
time_zone = "Europe/London"
open = "08:00"
close = "16:30"
holidays = []
"#;
        let check = extended(london);
        let schedule = parse(london);
        let (verdict, message) = check.verdict(&Schedule::file(&schedule));
        assert_eq!(verdict, Verdict::NotApplicable);
        assert_eq!(
            message,
            "XLON has no extended sessions, and the schedule file declares none"
        );
        let pre_market = format!("{london}pre_market_open = \"07:00\"\n");
        let schedule = parse(&pre_market);
        let (verdict, message) = extended(&pre_market).verdict(&Schedule::file(&schedule));
        assert_eq!(verdict, Verdict::Fail);
        assert!(
            message.contains("but XLON has no pre-market or after-hours sessions"),
            "{message}"
        );

        let regular_only = XNYS_2026
            .replace("pre_market_open = \"04:00\"\n", "")
            .replace("after_hours_close = \"20:00\"\n", "")
            .replace("early_after_hours_close = \"17:00\"\n", "");
        let schedule = parse(&regular_only);
        let (verdict, message) = extended(&regular_only).verdict(&Schedule::file(&schedule));
        assert_eq!(verdict, Verdict::Fail);
        assert!(message.contains("declares no extended hours, but XNYS trades pre-market and after hours: set `pre_market_open`"), "{message}");
    }

    #[test]
    fn after_hours_on_early_closes_are_sampled() {
        let text = XNYS_2026.replace("early_after_hours_close = \"17:00\"\n", "");
        let check = extended(&text);
        let sampled = check.sampled.unwrap();
        let days: BTreeSet<String> = sampled
            .mismatches
            .iter()
            .map(|m| m.local[..10].to_owned())
            .collect();
        assert_eq!(
            days,
            BTreeSet::from(["2026-11-27".to_owned(), "2026-12-24".to_owned()])
        );
        assert_eq!(sampled.mismatches[0].local, "2026-11-27 17:00 EST");
        assert_eq!(sampled.mismatch_count, 4, "17:00 and 17:01 of each");
    }

    #[test]
    fn verdicts_combine_to_the_worst() {
        let outcome = combine(vec![
            (Verdict::NotApplicable, "not here".to_owned()),
            (Verdict::Pass, "fine".to_owned()),
        ]);
        assert_eq!(
            (outcome.status(), outcome.message()),
            (preflight_core::Status::Pass, "fine")
        );
        let outcome = combine(vec![
            (Verdict::Fail, "wrong".to_owned()),
            (Verdict::Warn, "unsure".to_owned()),
        ]);
        assert_eq!(outcome.status(), preflight_core::Status::Fail);
        assert_eq!(outcome.message(), "wrong; unsure");
        let outcome = combine(vec![(Verdict::NotApplicable, "not here".to_owned())]);
        assert_eq!(outcome.status(), preflight_core::Status::NotApplicable);
    }
}
