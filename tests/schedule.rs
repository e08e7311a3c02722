//! A service's trading schedule against the exchange calendar, through the
//! registry and runner: as a file the service reads, and as its own calendar
//! type handed to the run.

use jiff::Timestamp;
use jiff::civil::Date;
use preflight_core::select::Selection;
use preflight_core::{Config, FixedClock, Registry, Report, Runner, Status};
use preflight_probes::trading::calendar::{Calendar, SessionCalendar};
use preflight_probes::trading::schedule::{ExtendedSessions, ServiceCalendar};

const HOLIDAYS: &str = "trading.market-data.holiday-schedule";
const HOURS: &str = "trading.market-data.market-hours";
const EXTENDED: &str = "trading.market-data.extended-hours";
const ALL: [&str; 3] = [HOLIDAYS, HOURS, EXTENDED];

/// The NYSE's 2026, as a service writes it.
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

/// The run: 07:00 in New York on New Year's Day 2026, so that the default
/// horizon of 365 days is the year 2026.
fn new_years_day() -> FixedClock {
    FixedClock("2026-01-01T12:00:00Z".parse().unwrap())
}

/// A runner over `extra` configuration, with `schedule` (when given) as
/// `schedule.toml` in a fresh project directory.
fn run(schedule: Option<&str>, extra: &str, service: Option<ServiceCalendar>) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n");
    if let Some(schedule) = schedule {
        std::fs::write(dir.path().join("schedule.toml"), schedule).unwrap();
        text.push_str("[inputs.trading_schedule]\npath = \"schedule.toml\"\n");
    }
    text.push_str(extra);
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    let mut runner = Runner::new(&registry, config)
        .selection(Selection::default().with_ids(ALL).unwrap())
        .clock(new_years_day());
    if let Some(service) = service {
        runner = runner.extension(service);
    }
    runner.run().unwrap()
}

fn outcome(report: &Report, id: &str) -> (Status, String) {
    let item = report.item(id).unwrap();
    (item.status, item.message.clone())
}

#[test]
fn a_correct_schedule_file_passes_every_item() {
    let report = run(Some(XNYS_2026), "", None);
    for id in ALL {
        let (status, message) = outcome(&report, id);
        assert_eq!(status, Status::Pass, "{id}: {message}");
    }
    let item = report.item(HOLIDAYS).unwrap();
    assert_eq!(
        item.message,
        "`schedule.toml` matches XNYS on every day from 2026-01-01 to 2026-12-31: 10 holidays and 2 early closes"
    );
    let evidence = item.evidence.as_ref().unwrap();
    assert_eq!(
        evidence.summary,
        "0 days differ from XNYS from 2026-01-01 to 2026-12-31"
    );
    assert_eq!(evidence.artifacts[0].path, "schedule.toml");
    let schedule = &evidence.values["schedules"][0];
    assert_eq!(schedule["source"], "`schedule.toml`");
    assert_eq!(schedule["calendar"], "XNYS");
    assert_eq!(schedule["from"], "2026-01-01");
    assert_eq!(schedule["to"], "2026-12-31");
    assert_eq!(schedule["capped"], serde_json::Value::Null);

    let hours = report.item(HOURS).unwrap().evidence.as_ref().unwrap();
    let sampled = &hours.values["schedules"][0];
    assert_eq!(sampled["schedule_time_zone"], "America/New_York");
    assert_eq!(sampled["dst_days"][0], "2026-03-08");
    assert_eq!(sampled["dst_days"][1], "2026-11-01");
    assert_eq!(hours.values["mismatches"], 0);
    assert!(hours.values["samples"].as_u64().unwrap() > 1_500);
}

#[test]
fn a_schedule_file_with_mistakes_fails() {
    // Juneteenth forgotten, and the market hours written an hour late.
    let wrong = XNYS_2026
        .replace("\"2026-06-19\", ", "")
        .replace("America/New_York", "America/Chicago");
    let report = run(Some(&wrong), "", None);
    let (status, message) = outcome(&report, HOLIDAYS);
    assert_eq!(status, Status::Fail);
    assert!(
        message.starts_with("`schedule.toml` differs from XNYS on 3 days from 2026-01-01 to 2026-12-31: missing holiday 2026-06-19, XNYS is closed (Juneteenth); early close 2026-11-27: closes at 14:00, XNYS at 13:00"),
        "{message}"
    );
    let values = &report
        .item(HOLIDAYS)
        .unwrap()
        .evidence
        .as_ref()
        .unwrap()
        .values;
    let missing = &values["schedules"][0]["missing_holidays"][0];
    assert_eq!(missing["date"], "2026-06-19");
    assert_eq!(missing["reference"], "closed (Juneteenth)");

    let (status, message) = outcome(&report, HOURS);
    assert_eq!(status, Status::Fail);
    assert!(
        message.contains("first at 2026-01-02T14:30:00Z (2026-01-02 09:30 EST), XNYS is open, the schedule closed"),
        "{message}"
    );
    let values = &report
        .item(HOURS)
        .unwrap()
        .evidence
        .as_ref()
        .unwrap()
        .values;
    let first = &values["schedules"][0]["mismatches"][0];
    assert_eq!(first["utc"], "2026-01-02T14:30:00Z");
    assert_eq!(first["local"], "2026-01-02 09:30 EST");
    assert_eq!(first["expected"], "open");
    assert_eq!(first["found"], "closed");
    assert_eq!(
        values["schedules"][0]["mismatches"]
            .as_array()
            .unwrap()
            .len(),
        20
    );
}

#[test]
fn a_bad_schedule_file_is_an_error_with_its_line() {
    let report = run(
        Some(&XNYS_2026.replace("close = \"16:00\"", "clsoe = \"16:00\"")),
        "",
        None,
    );
    for id in ALL {
        let (status, message) = outcome(&report, id);
        assert_eq!(status, Status::Error, "{id}");
        assert!(
            message.starts_with("schedule.toml:4: unknown field `clsoe`"),
            "{message}"
        );
    }
}

#[test]
fn extended_hours_on_a_venue_without_them_are_not_applicable() {
    let london = r#"calendar = "XLON"
time_zone = "Europe/London"
open = "08:00"
close = "16:30"
early_close = "12:30"
holidays = ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
            "2026-08-31", "2026-12-25", "2026-12-28"]
early_closes = ["2026-12-24", "2026-12-31"]
"#;
    let report = run(Some(london), "", None);
    assert_eq!(
        outcome(&report, HOLIDAYS).0,
        Status::Pass,
        "{}",
        outcome(&report, HOLIDAYS).1
    );
    assert_eq!(
        outcome(&report, HOURS).0,
        Status::Pass,
        "{}",
        outcome(&report, HOURS).1
    );
    assert_eq!(
        outcome(&report, EXTENDED),
        (
            Status::NotApplicable,
            "XLON has no extended sessions, and `schedule.toml` declares none".to_owned()
        )
    );
    let with_pre_market = format!("{london}pre_market_open = \"07:00\"\n");
    let report = run(Some(&with_pre_market), "", None);
    let (status, message) = outcome(&report, EXTENDED);
    assert_eq!(status, Status::Fail);
    assert!(
        message.contains(
            "declares extended hours, but XLON has no pre-market or after-hours sessions"
        ),
        "{message}"
    );
}

/// A desk's calendar type over the NYSE calendar, with switches for the
/// mistakes real calendars have.
#[derive(Default)]
struct Desk {
    forgets_juneteenth: bool,
    opens_at_nine: bool,
}

fn nyse() -> &'static Calendar {
    Calendar::by_code("XNYS").unwrap()
}

impl SessionCalendar for Desk {
    fn is_session(&self, date: Date) -> bool {
        (self.forgets_juneteenth && date == jiff::civil::date(2026, 6, 19))
            || nyse().is_session(date).unwrap_or(false)
    }

    fn session_bounds(&self, date: Date) -> Option<(Timestamp, Timestamp)> {
        let (open, close) = nyse().session_bounds(date).ok()??;
        if self.opens_at_nine {
            let earlier = open.checked_sub(jiff::SignedDuration::from_mins(30)).ok()?;
            return Some((earlier, close));
        }
        Some((open, close))
    }
}

impl ExtendedSessions for Desk {
    fn extended_bounds(&self, date: Date) -> Option<(Timestamp, Timestamp)> {
        nyse().extended_bounds(date).ok()?
    }
}

#[test]
fn a_correct_calendar_type_passes_every_item() {
    let service = ServiceCalendar::with_extended_hours("XNYS", Desk::default());
    let report = run(None, "", Some(service));
    for id in ALL {
        let (status, message) = outcome(&report, id);
        assert_eq!(status, Status::Pass, "{id}: {message}");
        assert!(
            message.starts_with("the `ServiceCalendar` extension "),
            "{message}"
        );
    }
    // Without its extended sessions, the extended-hours item says what is missing.
    let report = run(
        None,
        "",
        Some(ServiceCalendar::new("XNYS", Desk::default())),
    );
    let (status, message) = outcome(&report, EXTENDED);
    assert_eq!(status, Status::Fail);
    assert!(
        message.contains("implement `ExtendedSessions` and hand the calendar to the run with `ServiceCalendar::with_extended_hours`"),
        "{message}"
    );
}

#[test]
fn a_calendar_type_with_mistakes_fails() {
    let desk = Desk {
        forgets_juneteenth: true,
        opens_at_nine: true,
    };
    let report = run(None, "", Some(ServiceCalendar::new("XNYS", desk)));
    let (status, message) = outcome(&report, HOLIDAYS);
    assert_eq!(status, Status::Fail);
    assert_eq!(
        message,
        "the `ServiceCalendar` extension differs from XNYS on 1 day from 2026-01-01 to 2026-12-31: missing holiday 2026-06-19, XNYS is closed (Juneteenth)"
    );
    let (status, message) = outcome(&report, HOURS);
    assert_eq!(status, Status::Fail);
    assert!(
        message.contains("first at 2026-01-02T14:29:00Z (2026-01-02 09:29 EST), XNYS is closed, the schedule open"),
        "{message}"
    );
}

#[test]
fn a_file_and_a_type_are_both_checked() {
    let desk = Desk {
        forgets_juneteenth: true,
        ..Desk::default()
    };
    let report = run(
        Some(XNYS_2026),
        "",
        Some(ServiceCalendar::new("XNYS", desk)),
    );
    let (status, message) = outcome(&report, HOLIDAYS);
    assert_eq!(status, Status::Fail);
    assert!(
        message.starts_with("`schedule.toml` matches XNYS on every day"),
        "{message}"
    );
    assert!(
        message.contains("; the `ServiceCalendar` extension differs from XNYS on 1 day"),
        "{message}"
    );
    let values = &report
        .item(HOLIDAYS)
        .unwrap()
        .evidence
        .as_ref()
        .unwrap()
        .values;
    assert_eq!(values["schedules"].as_array().unwrap().len(), 2);
    assert_eq!(values["differences"], 1);
}

#[test]
fn without_a_schedule_every_item_is_an_error() {
    let report = run(None, "", None);
    for id in ALL {
        let (status, message) = outcome(&report, id);
        assert_eq!(status, Status::Error, "{id}");
        assert!(
            message.starts_with("no trading schedule to check: add [inputs.trading_schedule]"),
            "{message}"
        );
        assert!(message.contains("ServiceCalendar::new"), "{message}");
    }
}

#[test]
fn the_horizon_is_a_parameter_and_stops_at_the_calendars_last_date() {
    // Ten days of 2026: the file's later mistakes are out of sight.
    let wrong = XNYS_2026.replace("\"2026-06-19\", ", "");
    let extra = "[checks.\"trading.market-data.holiday-schedule\"]\nhorizon_days = 10\n";
    let report = run(Some(&wrong), extra, None);
    let (status, message) = outcome(&report, HOLIDAYS);
    assert_eq!(status, Status::Pass, "{message}");
    assert!(
        message.contains("from 2026-01-01 to 2026-01-10"),
        "{message}"
    );

    // In mid-2035 the calendar ends before the horizon does.
    let dir = tempfile::tempdir().unwrap();
    let text = "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n";
    let mut config = Config::parse(text, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    let report = Runner::new(&registry, config)
        .selection(Selection::default().with_ids([HOLIDAYS]).unwrap())
        .clock(FixedClock("2035-06-01T12:00:00Z".parse().unwrap()))
        .extension(ServiceCalendar::new("XNYS", Desk::default()))
        .run()
        .unwrap();
    let item = report.item(HOLIDAYS).unwrap();
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert!(
        item.message
            .contains("(the horizon ends at 2035-12-31, the last date the `XNYS` calendar knows"),
        "{}",
        item.message
    );
    let capped = &item.evidence.as_ref().unwrap().values["schedules"][0]["capped"];
    assert!(capped.as_str().unwrap().contains("2035-12-31"), "{capped}");
}
