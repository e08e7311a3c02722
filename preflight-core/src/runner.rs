//! The runner: executes the selected items concurrently, each under its own timeout,
//! isolating panics and hangs, and assembles the report.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::check::{Check, CheckError, Outcome};
use crate::config::{Config, ConfigError, ConfigErrorKind};
use crate::context::{Clock, Context, Extensions, Shared, SystemClock};
use crate::evidence::EvidenceRecord;
use crate::meta::{Applicability, CheckMeta, Kind, format_duration};
use crate::records::{Approval, Attestation, AttestationStatus, Attestations};
use crate::registry::Registry;
use crate::report::{FinalApproval, RawResult, Report, ReportItem, SCHEMA, Signoff, Summary};
use crate::select::Selection;
use crate::status::Status;

/// Watches a run's progress (a progress bar, a log). Called on the thread
/// that called [`Runner::run`], in completion order.
pub trait Observer {
    /// The run is about to start `total` checks (items that do not run are not counted).
    fn started(&mut self, total: usize) {
        let _ = total;
    }

    /// An item finished; `done` of `total` checks are finished.
    fn finished(&mut self, item: &ReportItem, done: usize, total: usize);
}

/// Runs the items of a registry against a configuration.
///
/// ```
/// use preflight_core::{Check, CheckError, CheckMeta, Config, Context, Outcome, Registry, Runner, Status};
///
/// #[derive(Clone)]
/// struct Fine;
/// impl Check for Fine {
///     fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
///         Ok(Outcome::pass("fine"))
///     }
/// }
///
/// let registry = Registry::builder()
///     .add_check(CheckMeta::new("ops.docs.fine", "Fine").unwrap(), Fine)
///     .build()
///     .unwrap();
/// let report = Runner::new(&registry, Config::default()).run().unwrap();
/// assert_eq!(report.items[0].status, Status::Pass);
/// // Nobody signed off, and by default all seven roles must.
/// assert!(!report.is_ready());
/// ```
pub struct Runner<'r> {
    registry: &'r Registry,
    config: Config,
    clock: Arc<dyn Clock>,
    extensions: Extensions,
    observer: Option<Box<dyn Observer + 'r>>,
    signoffs: Vec<Signoff>,
    attestations: Option<Attestations>,
    selection: Selection,
    approval: Option<Approval>,
}

impl std::fmt::Debug for Runner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("items", &self.registry.len())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The default number of workers: checks mostly wait on I/O, so eight per core,
/// between 8 and 64.
#[must_use]
pub fn default_workers() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (cores * 8).clamp(8, 64)
}

impl<'r> Runner<'r> {
    /// A runner over `registry` with `config`, the system clock and no extensions.
    #[must_use]
    pub fn new(registry: &'r Registry, config: Config) -> Self {
        Runner {
            registry,
            config,
            clock: Arc::new(SystemClock),
            extensions: Extensions::default(),
            observer: None,
            signoffs: Vec::new(),
            attestations: None,
            selection: Selection::default(),
            approval: None,
        }
    }

    /// Applies attestations, waivers and not-applicable declarations; they are
    /// checked against the registry before any check runs.
    #[must_use]
    pub fn attestations(mut self, attestations: Attestations) -> Self {
        self.attestations = Some(attestations);
        self
    }

    /// Runs only the selected items (default: every pre-launch item).
    #[must_use]
    pub fn selection(mut self, selection: Selection) -> Self {
        self.selection = selection;
        self
    }

    /// The final approval to show; it counts only for its digest.
    #[must_use]
    pub fn approval(mut self, approval: Option<Approval>) -> Self {
        self.approval = approval;
        self
    }

    /// Uses `clock` for every timestamp of the run.
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Hands a value to the checks ([`Context::extension`]).
    #[must_use]
    pub fn extension<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Reports progress to `observer`.
    #[must_use]
    pub fn observer(mut self, observer: impl Observer + 'r) -> Self {
        self.observer = Some(Box::new(observer));
        self
    }

    /// Sets the number of checks run at once (overrides `[run] workers`).
    #[must_use]
    pub fn workers(mut self, workers: usize) -> Self {
        self.config.run.workers = Some(workers.max(1));
        self
    }

    /// Sign-offs to present to the gate; only those of this report's digest count.
    #[must_use]
    pub fn signoffs(mut self, signoffs: impl IntoIterator<Item = Signoff>) -> Self {
        self.signoffs = signoffs.into_iter().collect();
        self
    }

    /// Runs every selected item and returns the report.
    ///
    /// # Errors
    /// A [`ConfigError`] (exit code 2) when `[checks]` names an unknown item,
    /// an item's parameters do not fit, or an attestation names an unknown item
    /// or declares an item not applicable that must apply; every such problem
    /// is listed, and no check runs.
    pub fn run(mut self) -> Result<Report, ConfigError> {
        self.validate_records()?;
        let plan = self.plan()?;
        let shared = Arc::new(Shared::new(
            std::mem::take(&mut self.config),
            self.clock.clone(),
            std::mem::take(&mut self.extensions),
        ));
        let mut items: Vec<Option<ReportItem>> = Vec::with_capacity(plan.len());
        let mut waivers: Vec<(usize, Attestation)> = Vec::new();
        let mut jobs = Vec::new();
        for (index, step) in plan.into_iter().enumerate() {
            match step {
                Step::Done(item) => items.push(Some(*item)),
                Step::Run {
                    check,
                    meta,
                    timeout,
                    attestation,
                } => {
                    items.push(None);
                    if let Some(attestation) = attestation {
                        waivers.push((index, attestation));
                    }
                    jobs.push(Job {
                        index,
                        check,
                        timeout,
                        cx: Context {
                            shared: shared.clone(),
                            meta,
                        },
                    });
                }
            }
        }
        let workers = shared.config.run.workers.unwrap_or_else(default_workers);
        let observer = self.observer.as_deref_mut();
        for (index, item) in execute(jobs, workers, observer) {
            items[index] = Some(item);
        }
        let today = self.today();
        for (index, attestation) in waivers {
            if let Some(item) = items[index].take() {
                items[index] = Some(apply_to_result(item, attestation, today));
            }
        }
        let items: Vec<ReportItem> = items
            .into_iter()
            .map(|item| item.expect("every planned item has a result"))
            .collect();
        let approval = self.approval.take();
        let selection = std::mem::take(&mut self.selection);
        let report = assemble(&shared, items, self.signoffs, selection, approval);
        release(shared);
        Ok(report)
    }

    fn today(&self) -> jiff::civil::Date {
        self.clock
            .now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()
    }

    fn validate_records(&self) -> Result<(), ConfigError> {
        let Some(attestations) = &self.attestations else {
            return Ok(());
        };
        let allow =
            crate::config::glob_set(&self.config.gate.allow_not_applicable).map_err(|e| {
                ConfigError {
                    path: self.config.path.clone(),
                    kind: ConfigErrorKind::Checks(vec![format!(
                        "[gate]: `allow_not_applicable`: {e}"
                    )]),
                }
            })?;
        attestations
            .validate(self.registry, &allow)
            .map_err(|e| ConfigError {
                path: Some(e.path),
                kind: ConfigErrorKind::Records(e.problems),
            })
    }

    /// Builds every item from its configuration, collecting every problem.
    fn plan(&self) -> Result<Vec<Step>, ConfigError> {
        let mut problems = Vec::new();
        for id in self.config.checks.keys() {
            if self.registry.get(id).is_none() {
                problems.push(format!(
                    "[checks.\"{id}\"] names no registered item: check the ID (`preflight list` shows them)"
                ));
            }
        }
        let mut plan = Vec::with_capacity(self.registry.len());
        let today = self.today();
        let current = self
            .attestations
            .as_ref()
            .map(Attestations::current_by_item)
            .unwrap_or_default();
        for entry in self.registry.in_checklist_order() {
            if !self.selection.matches(entry.meta()) {
                continue;
            }
            let meta = entry.meta().clone();
            let attestation = current.get(&*meta.id).map(|a| (*a).clone());
            let check_config = self.config.checks.get(&*meta.id);
            if let Some(cfg) = check_config.filter(|c| !c.enabled) {
                let reason = cfg.reason.clone().unwrap_or_default();
                plan.push(Step::Done(Box::new(ReportItem::new(
                    meta.clone(),
                    Status::Skipped,
                    format!("disabled in the configuration: {reason}"),
                ))));
                continue;
            }
            let params = check_config.map(|c| c.params.clone()).unwrap_or_default();
            match entry.build(&params) {
                Err(e) => problems.push(e.to_string()),
                Ok(None) => {
                    debug_assert_eq!(meta.kind, Kind::Attested);
                    plan.push(Step::Done(Box::new(attested(meta, attestation, today))));
                }
                Ok(Some(check)) => {
                    // A current not-applicable declaration, or any expired
                    // record other than a plain attestation, decides without the check.
                    if let Some(record) = attestation.as_ref().filter(|r| {
                        r.status == AttestationStatus::NotApplicable
                            || (r.status == AttestationStatus::Waived && r.is_expired(today))
                    }) {
                        plan.push(Step::Done(Box::new(attested(
                            meta,
                            Some(record.clone()),
                            today,
                        ))));
                        continue;
                    }
                    let timeout = check_config
                        .and_then(|c| c.timeout)
                        .or(meta.timeout)
                        .unwrap_or(self.config.run.default_timeout);
                    plan.push(Step::Run {
                        check,
                        meta,
                        timeout,
                        attestation,
                    });
                }
            }
        }
        if problems.is_empty() {
            Ok(plan)
        } else {
            Err(ConfigError {
                path: self.config.path.clone(),
                kind: ConfigErrorKind::Checks(problems),
            })
        }
    }
}

enum Step {
    Done(Box<ReportItem>),
    Run {
        check: Box<dyn Check>,
        meta: Arc<CheckMeta>,
        timeout: Duration,
        attestation: Option<Attestation>,
    },
}

/// The result of an item decided by its record alone: attested items, and
/// automated items declared not applicable or whose waiver expired.
fn attested(
    meta: Arc<CheckMeta>,
    record: Option<Attestation>,
    today: jiff::civil::Date,
) -> ReportItem {
    let Some(record) = record else {
        let message = format!("awaiting attestation (owner: {})", meta.owner.title());
        return ReportItem::new(meta, Status::Pending, message);
    };
    let who = format!("{} ({})", record.by, record.role.title());
    let (status, message) = if record.is_expired(today) {
        (
            Status::Stale,
            format!(
                "the {} record by {who} of {} expired on {}: review the item and attest again (review quarterly)",
                record.status, record.date, record.expires
            ),
        )
    } else {
        match record.status {
            AttestationStatus::Done => (
                Status::Pass,
                format!(
                    "attested by {who} on {}, valid until {}: {}",
                    record.date,
                    record.expires,
                    record.evidence.as_deref().unwrap_or_default()
                ),
            ),
            AttestationStatus::NotApplicable => (
                Status::NotApplicable,
                format!(
                    "declared not applicable by {who} on {}, valid until {}: {}",
                    record.date,
                    record.expires,
                    record.justification.as_deref().unwrap_or_default()
                ),
            ),
            AttestationStatus::Waived => (
                Status::Waived,
                format!(
                    "waived by {who} until {}: {}",
                    record.expires,
                    record.justification.as_deref().unwrap_or_default()
                ),
            ),
        }
    };
    let raw = (record.status == AttestationStatus::Waived && meta.kind == Kind::Attested)
        .then(|| RawResult::new(Status::Pending, "awaiting attestation"));
    let mut item = ReportItem::new(meta, status, message).with_attestation(Some(record));
    item.raw = raw.map(Box::new);
    item
}

/// Applies a record to an automated item's result: a current waiver turns a
/// result that is not satisfied into `waived`, keeping the raw result visible;
/// a plain attestation is attached but the check decides.
fn apply_to_result(
    mut item: ReportItem,
    record: Attestation,
    today: jiff::civil::Date,
) -> ReportItem {
    if record.status == AttestationStatus::Waived
        && !record.is_expired(today)
        && !item.status.is_satisfied()
    {
        item.raw = Some(Box::new(RawResult::new(
            item.status,
            std::mem::take(&mut item.message),
        )));
        item.status = Status::Waived;
        item.message = format!(
            "waived by {} ({}) until {}: {}",
            record.by,
            record.role.title(),
            record.expires,
            record.justification.as_deref().unwrap_or_default()
        );
    }
    item.digest.clear();
    item.with_attestation(Some(record))
}

struct Job {
    index: usize,
    check: Box<dyn Check>,
    cx: Context,
    timeout: Duration,
}

enum Message {
    Started { job: usize, at: Instant },
    Finished { job: usize, item: Box<ReportItem> },
}

/// Drops what the run's checks shared (its parsed inputs above all) on a
/// thread of its own: a large input, such as a ten-million-row series, takes
/// milliseconds to give back to the system, and the report need not wait for
/// it. A thread that cannot start leaves the drop to the caller.
fn release(shared: Arc<Shared>) {
    let _ = std::thread::Builder::new()
        .name("preflight-release".to_owned())
        .spawn(move || drop(shared));
}

/// Runs `jobs` on `workers` threads pulling from a shared counter. The calling
/// thread supervises: it enforces each job's deadline, and when one passes it
/// records an error and starts a replacement worker, abandoning the hung one
/// (a thread cannot be killed; it is detached and its late result ignored).
fn execute(
    jobs: Vec<Job>,
    workers: usize,
    mut observer: Option<&mut (dyn Observer + '_)>,
) -> Vec<(usize, ReportItem)> {
    let total = jobs.len();
    if let Some(observer) = observer.as_deref_mut() {
        observer.started(total);
    }
    let (tx, rx) = mpsc::channel();
    let mut pool = Pool {
        jobs: Arc::new(jobs),
        next: Arc::new(AtomicUsize::new(0)),
        tx,
        spawned: 0,
        available: 0,
    };
    for _ in 0..workers.min(total) {
        pool.spawn();
    }
    let mut tally = Tally {
        results: vec![None; total],
        done: 0,
        observer,
    };
    let mut running: HashMap<usize, Instant> = HashMap::new();
    while tally.done < total {
        if pool.available == 0 {
            // No thread can take the remaining jobs: fail them closed.
            let first = pool.next.swap(total, Ordering::SeqCst).min(total);
            for job in first..total {
                let meta = pool.jobs[job].cx.meta.clone();
                let reason = "the check was never run: no worker thread could be started";
                tally.record(job, ReportItem::new(meta, Status::Error, reason));
            }
            if tally.done == total {
                break;
            }
        }
        let deadline = running
            .iter()
            .map(|(job, started)| *started + pool.jobs[*job].timeout)
            .min();
        let message = match deadline {
            Some(deadline) => rx.recv_timeout(deadline.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        };
        match message {
            Ok(Message::Started { job, at }) => {
                running.insert(job, at);
            }
            Ok(Message::Finished { job, item }) => {
                running.remove(&job);
                // A job that timed out already has its result; its late one is ignored.
                if tally.results[job].is_none() {
                    tally.record(job, *item);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let now = Instant::now();
                running.retain(|&job, &mut started| {
                    let timeout = pool.jobs[job].timeout;
                    if now < started + timeout {
                        return true;
                    }
                    let meta = &pool.jobs[job].cx.meta;
                    let reason = format!(
                        "timed out after {}: the check did not finish and was abandoned; raise `timeout` in [checks.\"{}\"] if it needs longer",
                        format_duration(timeout),
                        meta.id
                    );
                    let item = ReportItem::new(meta.clone(), Status::Error, reason)
                        .with_duration(now - started);
                    tally.record(job, item);
                    pool.replace_hung_worker();
                    false
                });
            }
            // The pool holds a sender, so the channel never disconnects.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                unreachable!("the pool holds a sender")
            }
        }
    }
    let jobs = &pool.jobs;
    tally
        .results
        .into_iter()
        .enumerate()
        .map(|(job, item)| (jobs[job].index, item.expect("every job has a result")))
        .collect()
}

/// The worker threads of one run.
struct Pool {
    jobs: Arc<Vec<Job>>,
    next: Arc<AtomicUsize>,
    tx: mpsc::Sender<Message>,
    spawned: usize,
    /// Workers able to take a job: started ones minus those stuck in an abandoned check.
    available: usize,
}

impl Pool {
    fn spawn(&mut self) {
        self.spawned += 1;
        let (jobs, next, tx) = (self.jobs.clone(), self.next.clone(), self.tx.clone());
        let started = std::thread::Builder::new()
            .name(format!("preflight-worker-{}", self.spawned))
            .spawn(move || worker(&jobs, &next, &tx))
            .is_ok();
        if started {
            self.available += 1;
        }
    }

    fn replace_hung_worker(&mut self) {
        self.available -= 1;
        if self.next.load(Ordering::SeqCst) < self.jobs.len() {
            self.spawn();
        }
    }
}

/// Results as they arrive, reported to the observer.
struct Tally<'o, 'b> {
    results: Vec<Option<ReportItem>>,
    done: usize,
    observer: Option<&'o mut (dyn Observer + 'b)>,
}

impl Tally<'_, '_> {
    fn record(&mut self, job: usize, item: ReportItem) {
        self.done += 1;
        if let Some(observer) = self.observer.as_deref_mut() {
            observer.finished(&item, self.done, self.results.len());
        }
        self.results[job] = Some(item);
    }
}

fn worker(jobs: &[Job], next: &AtomicUsize, tx: &mpsc::Sender<Message>) {
    let mut buffer = Vec::new();
    loop {
        let job = next.fetch_add(1, Ordering::Relaxed);
        let Some(Job { check, cx, .. }) = jobs.get(job) else {
            return;
        };
        let at = Instant::now();
        if tx.send(Message::Started { job, at }).is_err() {
            return;
        }
        let result = catch_unwind(AssertUnwindSafe(|| check.run(cx)));
        let mut item = to_item(cx, result).with_duration(at.elapsed());
        // Hashed here, in parallel, rather than one by one when the report is sealed.
        item.digest = item.digest_with(&mut buffer);
        if tx
            .send(Message::Finished {
                job,
                item: Box::new(item),
            })
            .is_err()
        {
            return;
        }
    }
}

fn to_item(cx: &Context, result: std::thread::Result<Result<Outcome, CheckError>>) -> ReportItem {
    let meta = cx.meta.clone();
    match result {
        Ok(Ok(outcome)) => {
            let evidence = (outcome.values.is_some()
                || !outcome.artifacts.is_empty()
                || !outcome.findings.is_empty())
            .then(|| EvidenceRecord {
                summary: outcome.summary.unwrap_or_default(),
                observed_at: cx.now(),
                values: outcome.values.unwrap_or(serde_json::Value::Null),
                artifacts: outcome.artifacts,
                findings: outcome.findings,
            });
            if outcome.status == Status::NotApplicable
                && meta.applicability == Applicability::Always
            {
                // Only "(if applicable)" items may be declared not applicable.
                let message = format!(
                    "the check declared the item not applicable ({}), but it applies to every system",
                    outcome.message
                );
                return ReportItem::new(meta, Status::Error, message).with_evidence(evidence);
            }
            // Evidence older than the item's TTL cannot vouch for it: a
            // check that passes on it is stale (a failing one still fails).
            let stale = evidence
                .as_ref()
                .and_then(|e| stale_evidence(&meta, cx.now(), &e.artifacts));
            let (status, message) = match stale {
                Some(reason) if matches!(outcome.status, Status::Pass | Status::Warn) => {
                    (Status::Stale, reason)
                }
                _ => (outcome.status, outcome.message),
            };
            ReportItem::new(meta, status, message).with_evidence(evidence)
        }
        Ok(Err(error)) => ReportItem::new(meta, Status::Error, error.to_string()),
        Err(payload) => {
            let reason = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic payload".to_owned());
            ReportItem::new(meta, Status::Error, format!("the check panicked: {reason}"))
        }
    }
}

/// Why the artifacts of an item with an evidence TTL are too old at `now`:
/// the oldest whose modification time is further back than the TTL.
/// `None` without a TTL, or when every artifact is fresh or has no
/// modification time.
fn stale_evidence(
    meta: &CheckMeta,
    now: jiff::Timestamp,
    artifacts: &[crate::evidence::Artifact],
) -> Option<String> {
    let ttl = meta.evidence_ttl?;
    let limit = jiff::SignedDuration::try_from(ttl).ok()?;
    let oldest = artifacts
        .iter()
        .filter_map(|a| a.modified.map(|m| (m, a)))
        .filter(|(m, _)| now.duration_since(*m) > limit)
        .min_by_key(|(m, _)| *m)?;
    let (modified, artifact) = oldest;
    let days = now.duration_since(modified).as_secs() / 86_400;
    let ttl_text = if ttl.as_secs() % 86_400 == 0 {
        format!("{} days", ttl.as_secs() / 86_400)
    } else {
        format_duration(ttl)
    };
    Some(format!(
        "stale evidence: `{}` was last modified {modified} ({days} days ago), longer ago than the item's evidence TTL of {ttl_text}; produce it again",
        artifact.path,
    ))
}

/// Summary, digests and decision over finished items.
fn assemble(
    shared: &Shared,
    items: Vec<ReportItem>,
    signoffs: Vec<Signoff>,
    selection: Selection,
    approval: Option<Approval>,
) -> Report {
    let config = &shared.config;
    let mut report = Report {
        schema: SCHEMA.to_owned(),
        project: config.project.name.clone(),
        environment: config.project.environment.clone(),
        generated_at: shared.clock.now(),
        preflight_version: env!("CARGO_PKG_VERSION").to_owned(),
        selection,
        summary: Summary::default(),
        items,
        decision: crate::report::Decision {
            ready: false,
            blocking: Vec::new(),
        },
        gate: config.gate.clone(),
        signoffs,
        approval: approval.map(|a| FinalApproval {
            by: a.by,
            date: a.date,
            go_live: a.go_live,
            digest: a.digest,
            valid: false,
        }),
        digest: String::new(),
    };
    report.seal_new_items();
    report
}
