//! Runner faults as a user meets them: panics, hangs, errors, slow checks in parallel,
//! ordering, progress, shared inputs, extensions and configuration errors.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use preflight_core::{
    Check, CheckError, CheckMeta, ChecklistItem, Config, Context, Input, InputSource, Observer,
    Outcome, Registry, ReportItem, Runner, Status,
};

type CheckFn = dyn Fn(&Context) -> Result<Outcome, CheckError> + Send + Sync;

#[derive(Clone)]
struct Closure(Arc<CheckFn>);

impl Check for Closure {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        (self.0)(cx)
    }
}

fn check(f: impl Fn(&Context) -> Result<Outcome, CheckError> + Send + Sync + 'static) -> Closure {
    Closure(Arc::new(f))
}

fn meta(id: &str) -> CheckMeta {
    CheckMeta::new(id.to_owned(), format!("item {id}")).unwrap()
}

fn config(text: &str) -> Config {
    Config::parse(text, "preflight.toml").unwrap()
}

#[test]
fn panics_hangs_and_errors_become_error_and_the_run_completes() {
    let registry = Registry::builder()
        .add_check(
            meta("ops.faults.panics"),
            check(|_| panic!("index out of bounds")),
        )
        .add_check(
            meta("ops.faults.hangs"),
            check(|_| {
                loop {
                    std::thread::sleep(Duration::from_secs(3600));
                }
            }),
        )
        .add_check(
            meta("ops.faults.cannot-read"),
            check(|cx| {
                cx.read_artifact("does/not/exist.csv")
                    .map(|_| Outcome::pass("read"))
            }),
        )
        .add_check(
            meta("ops.faults.fine"),
            check(|_| Ok(Outcome::pass("fine"))),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let report = Runner::new(
        &registry,
        config("[checks.\"ops.faults.hangs\"]\ntimeout = \"300ms\"\n"),
    )
    .run()
    .unwrap();
    let elapsed = started.elapsed();
    // Returning at all proves the hung check was abandoned; the bound is generous
    // (timeout plus margin), not a performance claim.
    assert!(
        elapsed < Duration::from_secs(10),
        "the run waited for the hung check: {elapsed:?}"
    );

    let status = |id: &str| report.item(id).unwrap();
    assert_eq!(status("ops.faults.panics").status, Status::Error);
    assert_eq!(
        status("ops.faults.panics").message,
        "the check panicked: index out of bounds"
    );
    assert_eq!(status("ops.faults.hangs").status, Status::Error);
    assert!(
        status("ops.faults.hangs")
            .message
            .starts_with("timed out after 300ms"),
        "{}",
        status("ops.faults.hangs").message
    );
    assert_eq!(status("ops.faults.cannot-read").status, Status::Error);
    assert!(
        status("ops.faults.cannot-read")
            .message
            .contains("does/not/exist.csv")
    );
    assert_eq!(status("ops.faults.fine").status, Status::Pass);
    assert!(!report.is_ready());
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn checks_run_concurrently_and_results_are_ordered_by_id() {
    // Eight checks wait for each other at a barrier: a serial runner would never
    // get past it, and the items would time out as errors.
    let barrier = Arc::new(Barrier::new(8));
    let mut builder = Registry::builder();
    for i in (0..8).rev() {
        let barrier = barrier.clone();
        builder = builder.add_check(
            meta(&format!("perf.parallel.item-{i}")),
            check(move |_| {
                barrier.wait();
                Ok(Outcome::pass("met the others"))
            }),
        );
    }
    let registry = builder.build().unwrap();
    let report = Runner::new(&registry, config("[run]\ndefault_timeout = \"20s\"\n"))
        .workers(8)
        .run()
        .unwrap();
    let ids: Vec<&str> = report.items.iter().map(|i| &*i.meta.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    assert!(
        report.items.iter().all(|i| i.status == Status::Pass),
        "{:#?}",
        report.items
    );
}

#[test]
fn the_worker_count_bounds_concurrency() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let mut builder = Registry::builder();
    for i in 0..12 {
        let (in_flight, peak) = (in_flight.clone(), peak.clone());
        builder = builder.add_check(
            meta(&format!("perf.bounded.item-{i:02}")),
            check(move |_| {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
                in_flight.fetch_sub(1, Ordering::SeqCst);
                Ok(Outcome::pass("done"))
            }),
        );
    }
    let registry = builder.build().unwrap();
    let report = Runner::new(&registry, config("[run]\nworkers = 3\n"))
        .run()
        .unwrap();
    assert_eq!(report.summary.count(Status::Pass), 12);
    assert!(
        peak.load(Ordering::SeqCst) <= 3,
        "peak {}",
        peak.load(Ordering::SeqCst)
    );
}

#[derive(Default)]
struct Progress {
    total: usize,
    seen: Vec<(String, usize)>,
}

impl Observer for &mut Progress {
    fn started(&mut self, total: usize) {
        self.total = total;
    }

    fn finished(&mut self, item: &ReportItem, done: usize, total: usize) {
        assert_eq!(total, self.total);
        self.seen.push((item.meta.id.to_string(), done));
    }
}

#[test]
fn the_observer_sees_every_check_finish() {
    let registry = Registry::builder()
        .add_check(meta("ops.progress.a"), check(|_| Ok(Outcome::pass("a"))))
        .add_check(meta("ops.progress.b"), check(|_| Ok(Outcome::fail("b"))))
        .add_attested(meta("ops.progress.c"))
        .build()
        .unwrap();
    let mut progress = Progress::default();
    let report = Runner::new(&registry, Config::default())
        .observer(&mut progress)
        .run()
        .unwrap();
    assert_eq!(progress.total, 2, "attested items do not run");
    let mut ids: Vec<&str> = progress.seen.iter().map(|(id, _)| id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["ops.progress.a", "ops.progress.b"]);
    let counts: Vec<usize> = progress.seen.iter().map(|(_, done)| *done).collect();
    assert_eq!(counts, [1, 2]);
    assert_eq!(
        report.item("ops.progress.c").unwrap().status,
        Status::Pending
    );
}

/// A shared input that counts how often it is parsed.
struct Returns(Vec<f64>);

static PARSES: AtomicUsize = AtomicUsize::new(0);

impl Input for Returns {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        PARSES.fetch_add(1, Ordering::SeqCst);
        let text = std::fs::read_to_string(source.path()?).map_err(|e| source.error(e))?;
        text.lines()
            .enumerate()
            .map(|(i, line)| {
                line.trim().parse().map_err(|e| {
                    source.error(format!("line {}: `{line}` is not a number: {e}", i + 1))
                })
            })
            .collect::<Result<_, _>>()
            .map(Returns)
    }
}

#[test]
fn shared_inputs_are_parsed_once_per_run_and_errors_are_shared_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("returns.txt"), "0.01\n-0.02\n0.03\n").unwrap();
    std::fs::write(dir.path().join("bad.txt"), "0.01\nabc\n").unwrap();
    let mut builder = Registry::builder();
    for i in 0..6 {
        builder = builder.add_check(
            meta(&format!("strategy.inputs.user-{i}")),
            check(|cx| {
                let returns = cx.input::<Returns>("returns")?;
                Ok(Outcome::pass(format!("{} returns", returns.0.len())))
            }),
        );
    }
    builder = builder.add_check(
        meta("strategy.inputs.bad"),
        check(|cx| cx.input::<Returns>("bad").map(|_| Outcome::pass("parsed"))),
    );
    builder = builder.add_check(
        meta("strategy.inputs.missing"),
        check(|cx| {
            cx.input::<Returns>("absent")
                .map(|_| Outcome::pass("parsed"))
        }),
    );
    let registry = builder.build().unwrap();
    let mut config = config("[inputs]\nreturns = \"returns.txt\"\nbad = { path = \"bad.txt\" }\n");
    dir.path().clone_into(&mut config.root);
    let report = Runner::new(&registry, config).run().unwrap();
    assert_eq!(
        PARSES.load(Ordering::SeqCst),
        2,
        "one parse per input, not per check"
    );
    assert_eq!(report.summary.count(Status::Pass), 6);
    let bad = report.item("strategy.inputs.bad").unwrap();
    assert_eq!(bad.status, Status::Error);
    assert_eq!(
        bad.message,
        "input `bad`: line 2: `abc` is not a number: invalid float literal"
    );
    let missing = report.item("strategy.inputs.missing").unwrap();
    assert_eq!(
        missing.message,
        "input `absent` is not configured: add [inputs.absent] to preflight.toml"
    );
}

struct RiskEngine {
    max_order: u64,
}

#[test]
fn extensions_reach_checks_and_a_missing_one_is_an_error() {
    let registry = Registry::builder()
        .add_check(
            meta("trading.controls.engine"),
            check(|cx| {
                let engine = cx.extension::<RiskEngine>()?;
                Ok(Outcome::pass(format!("max order {}", engine.max_order)))
            }),
        )
        .build()
        .unwrap();
    let report = Runner::new(&registry, Config::default())
        .extension(RiskEngine { max_order: 500 })
        .run()
        .unwrap();
    assert_eq!(report.items[0].message, "max order 500");

    let report = Runner::new(&registry, Config::default()).run().unwrap();
    assert_eq!(report.items[0].status, Status::Error);
    assert!(
        report.items[0]
            .message
            .contains("needs the extension `runner::RiskEngine`"),
        "{}",
        report.items[0].message
    );
}

/// A derived item with parameters, for configuration errors.
#[derive(ChecklistItem)]
#[item(
    id = "strategy.backtest.sharpe-ratio",
    title = "Sharpe ratio > 1.0",
    severity = "critical",
    owner = "trading-strategist"
)]
struct SharpeRatio {
    /// Minimum Sharpe ratio.
    min: f64,
    /// Periods per year.
    periods: u32,
}

impl Default for SharpeRatio {
    fn default() -> Self {
        SharpeRatio {
            min: 1.0,
            periods: 252,
        }
    }
}

impl Check for SharpeRatio {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Ok(Outcome::pass(format!(
            "min {} over {} periods",
            self.min, self.periods
        )))
    }
}

#[test]
fn parameters_are_read_over_defaults() {
    let registry = Registry::builder().item::<SharpeRatio>().build().unwrap();
    let report = Runner::new(
        &registry,
        config("[checks.\"strategy.backtest.sharpe-ratio\"]\nmin = 1.5\n"),
    )
    .run()
    .unwrap();
    assert_eq!(report.items[0].message, "min 1.5 over 252 periods");
}

#[test]
fn configuration_errors_are_all_reported_before_any_check_runs() {
    let registry = Registry::builder().item::<SharpeRatio>().build().unwrap();
    let err = Runner::new(
        &registry,
        config(
            "[checks.\"strategy.backtest.sharpe-ratio\"]\nmn = 1.5\nperiods = \"daily\"\n\n[checks.\"strategy.backtest.sharpe\"]\nmin = 1\n",
        ),
    )
    .run()
    .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("`preflight.toml`: "), "{text}");
    assert!(
        text.contains("[checks.\"strategy.backtest.sharpe\"] names no registered item"),
        "{text}"
    );
    assert!(
        text.contains("item `strategy.backtest.sharpe-ratio`: unknown key `mn` in [checks.\"strategy.backtest.sharpe-ratio\"] (expected `min`, `periods`)"),
        "{text}"
    );
    assert!(
        text.contains("item `strategy.backtest.sharpe-ratio`: invalid value for `periods`"),
        "{text}"
    );
}

#[test]
fn disabled_items_are_skipped_with_their_reason() {
    let registry = Registry::builder().item::<SharpeRatio>().build().unwrap();
    let report = Runner::new(
        &registry,
        config("[checks.\"strategy.backtest.sharpe-ratio\"]\nenabled = false\nreason = \"market-making desk\"\n"),
    )
    .run()
    .unwrap();
    assert_eq!(report.items[0].status, Status::Skipped);
    assert_eq!(
        report.items[0].message,
        "disabled in the configuration: market-making desk"
    );
}

#[test]
fn only_if_applicable_items_may_be_declared_not_applicable() {
    let mut optional = meta("infra.cloud.cdn-configured");
    optional.applicability = preflight_core::meta::Applicability::IfApplicable;
    let registry = Registry::builder()
        .add_check(
            optional,
            check(|_| Ok(Outcome::not_applicable("no static content served"))),
        )
        .add_check(
            meta("infra.cloud.load-balancers"),
            check(|_| Ok(Outcome::not_applicable("single host"))),
        )
        .build()
        .unwrap();
    let report = Runner::new(&registry, Config::default()).run().unwrap();
    assert_eq!(
        report.item("infra.cloud.cdn-configured").unwrap().status,
        Status::NotApplicable
    );
    let always = report.item("infra.cloud.load-balancers").unwrap();
    assert_eq!(always.status, Status::Error);
    assert!(
        always.message.contains("applies to every system"),
        "{}",
        always.message
    );
}

#[test]
fn post_launch_items_run_in_their_own_phase_and_block_only_there() {
    let mut week_one = meta("post-launch.week-1.check-error-logs");
    week_one.phase = preflight_core::meta::Phase::PostLaunchWeek1;
    let registry = Registry::builder()
        .add_attested(week_one)
        .add_check(
            meta("ops.docs.runbooks"),
            check(|_| Ok(Outcome::pass("written"))),
        )
        .build()
        .unwrap();
    let config = config("[gate]\nrequired_roles = []\n");
    // The default run is the go-live's: pre-launch items only.
    let report = Runner::new(&registry, config.clone()).run().unwrap();
    assert!(report.item("post-launch.week-1.check-error-logs").is_none());
    assert!(report.is_ready(), "{:?}", report.decision);
    assert_eq!(report.exit_code(), 0);
    // A week-1 run judges week-1 items: the pending one blocks it.
    let report = Runner::new(&registry, config)
        .selection(
            preflight_core::select::Selection::default()
                .with_phases([preflight_core::meta::Phase::PostLaunchWeek1]),
        )
        .run()
        .unwrap();
    let ids: Vec<&str> = report.items.iter().map(|i| &*i.meta.id).collect();
    assert_eq!(ids, ["post-launch.week-1.check-error-logs"]);
    assert_eq!(report.items[0].status, Status::Pending);
    assert!(!report.is_ready());
}

/// Evidence older than the item's TTL makes a passing check `stale`, with
/// the artifact named; a failing check still fails, and fresh evidence (or
/// evidence without a modification time) passes.
#[test]
fn evidence_older_than_the_ttl_is_stale() {
    let now: jiff::Timestamp = "2026-11-24T12:00:00Z".parse().unwrap();
    let days_ago = move |days: i64| Some(now - jiff::SignedDuration::from_hours(24 * days));
    let with_ttl = |id: &str| {
        let mut meta = meta(id);
        meta.evidence_ttl = Some(Duration::from_secs(7 * 86_400));
        meta
    };
    let artifact = |name: &str, modified| {
        preflight_core::Artifact::from_bytes(name.to_owned(), b"samples", modified)
    };
    let registry = Registry::builder()
        .add_check(
            with_ttl("ops.ttl.old"),
            check(move |_| {
                Ok(Outcome::pass("fine")
                    .with_artifact(artifact("fresh.csv", days_ago(1)))
                    .with_artifact(artifact("old.csv", days_ago(9))))
            }),
        )
        .add_check(
            with_ttl("ops.ttl.failing"),
            check(move |_| {
                Ok(Outcome::fail("too slow").with_artifact(artifact("old.csv", days_ago(9))))
            }),
        )
        .add_check(
            with_ttl("ops.ttl.fresh"),
            check(move |_| {
                Ok(Outcome::pass("fine")
                    .with_artifact(artifact("fresh.csv", days_ago(6)))
                    .with_artifact(artifact("undated.csv", None)))
            }),
        )
        .add_check(
            meta("ops.ttl.none"),
            check(move |_| {
                Ok(Outcome::pass("fine").with_artifact(artifact("old.csv", days_ago(400))))
            }),
        )
        .build()
        .unwrap();
    let report = Runner::new(&registry, config("[project]\nname = \"ttl\"\n"))
        .clock(preflight_core::FixedClock(now))
        .run()
        .unwrap();
    let status = |id: &str| {
        let item = report.item(id).unwrap();
        (item.status, item.message.clone())
    };
    assert_eq!(
        status("ops.ttl.old"),
        (
            Status::Stale,
            "stale evidence: `old.csv` was last modified 2026-11-15T12:00:00Z (9 days ago), \
             longer ago than the item's evidence TTL of 7 days; produce it again"
                .to_owned()
        )
    );
    assert_eq!(
        status("ops.ttl.failing"),
        (Status::Fail, "too slow".to_owned())
    );
    assert_eq!(status("ops.ttl.fresh").0, Status::Pass);
    assert_eq!(status("ops.ttl.none").0, Status::Pass);
}
