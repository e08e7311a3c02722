//! Chaos Toolkit journals, and the item `code.testing.chaos` that requires
//! recent chaos experiments to have held their steady state.
//!
//! `chaos run experiment.json --journal-path journal.json` writes one journal
//! per run; the item reads every journal its globs match:
//!
//! ```toml
//! [inputs.chaos]
//! paths = ["chaos/journals/*.json"]
//!
//! [checks."code.testing.chaos"]
//! max_age = "30d"   # the default: each experiment ended at most this long ago
//! ```
//!
//! | Journal key | Read as |
//! |-------------|---------|
//! | `experiment.title` | the experiment's title (required) |
//! | `status` | `completed`, `failed`, `aborted` or `interrupted` (required) |
//! | `deviated` | whether the steady state deviated after the method (required) |
//! | `steady_states.before.steady_state_met` | the hypothesis held before the method (`null` or absent: not checked) |
//! | `steady_states.after.steady_state_met` | the hypothesis held after the method (`null` or absent: not checked) |
//! | `start`, `end` | ISO 8601 timestamps; `end` is required, without an offset it is UTC |
//! | `run[]` | the method's activities: `activity.name`, `activity.type`, `status` |
//!
//! An experiment passes when its status is `completed`, it did not deviate,
//! its steady state held before and after the method (when the experiment
//! declares a hypothesis at all), and it ended no longer than `max_age` before
//! the run's clock. The item fails when an experiment did not hold; when
//! every one held but some ended longer ago than `max_age`, the evidence is
//! `stale` (the journal's own end time is the clock here, not the file's
//! modification time, which a copy resets). The `paths` are globs relative to the directory of
//! `preflight.toml` (`*` stays within a directory, `**` crosses them); a glob
//! that matches no file is an error. Each journal is an artifact of the
//! outcome (sha256 and modification time).
//!
//! A malformed journal is a [`CheckError::Malformed`] located
//! `file:line:column` (`serde_json`'s position, or the position of the faulty
//! key), never a panic and never a pass.

use preflight_core::{
    Artifact, Check, CheckError, ChecklistItem, Context, Evidence, Input, InputSource, Outcome,
};
use serde::Serialize;
use serde_json::Value;

use super::load::at_key;

use crate::globs::{read_matches, report_paths};

/// How a Chaos Toolkit run ended (`status` of the journal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RunStatus {
    /// The method ran to its end.
    Completed,
    /// An activity or the hypothesis failed.
    Failed,
    /// A control or the hypothesis before the method aborted the run.
    Aborted,
    /// The run was interrupted (a signal, an exit request).
    Interrupted,
}

impl RunStatus {
    /// Its name in the journal.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Aborted => "aborted",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

/// One activity of the experiment's method (`run[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Activity {
    /// `activity.name`.
    pub name: String,
    /// `activity.type`: `action` or `probe`.
    pub kind: String,
    /// `status`: `succeeded`, `failed`, ...
    pub status: String,
}

/// One Chaos Toolkit journal, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ChaosJournal {
    /// `experiment.title`.
    pub title: String,
    /// How the run ended.
    pub status: RunStatus,
    /// Whether the steady state deviated.
    pub deviated: bool,
    /// Whether the hypothesis held before the method (`None`: not checked).
    pub steady_state_before: Option<bool>,
    /// Whether the hypothesis held after the method (`None`: not checked).
    pub steady_state_after: Option<bool>,
    /// Whether the experiment declares a steady-state hypothesis.
    pub has_hypothesis: bool,
    /// When the run started.
    pub start: Option<jiff::Timestamp>,
    /// When the run ended.
    pub end: jiff::Timestamp,
    /// The method's activities, in order.
    pub activities: Vec<Activity>,
}

impl ChaosJournal {
    /// Whether the run completed without deviating and held its steady state.
    #[must_use]
    pub fn held(&self) -> bool {
        self.status == RunStatus::Completed
            && !self.deviated
            && (!self.has_hypothesis
                || (self.steady_state_before == Some(true)
                    && self.steady_state_after == Some(true)))
    }
}

/// A journal timestamp: RFC 3339 with an offset, or a civil date-time in UTC
/// (older chaostoolkit-lib versions wrote no offset).
fn timestamp(text: &str) -> Option<jiff::Timestamp> {
    text.parse::<jiff::Timestamp>().ok().or_else(|| {
        text.parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|dt| jiff::tz::TimeZone::UTC.to_timestamp(dt).ok())
    })
}

/// Parses a Chaos Toolkit journal (see the [module documentation](self)),
/// `shown` naming the file in errors.
///
/// ```
/// use preflight_probes::testing::chaos::{RunStatus, parse_chaos_journal};
///
/// let journal = br#"{
///   "experiment": {"title": "orders survive a broker restart",
///                  "steady-state-hypothesis": {"title": "orders flow", "probes": []}},
///   "status": "completed", "deviated": false,
///   "steady_states": {"before": {"steady_state_met": true}, "after": {"steady_state_met": true}},
///   "start": "2026-01-05T10:00:00+00:00", "end": "2026-01-05T10:02:30.5+00:00",
///   "run": [{"activity": {"type": "action", "name": "restart-broker"}, "status": "succeeded"}]
/// }"#;
/// let parsed = parse_chaos_journal(journal, "journal.json").unwrap();
/// assert_eq!(parsed.status, RunStatus::Completed);
/// assert!(parsed.held());
/// assert_eq!(parsed.activities[0].name, "restart-broker");
///
/// let err = parse_chaos_journal(b"{\"status\": \"done\"}", "journal.json");
/// assert!(err.unwrap_err().to_string().starts_with("journal.json:1:2: "));
/// ```
///
/// # Errors
///
/// [`CheckError::Malformed`] for invalid JSON and for a missing or
/// mistyped `experiment.title`, `status` (or an unknown status), `deviated`,
/// `steady_state_met`, `start`, `end` or `run` entry.
pub fn parse_chaos_journal(bytes: &[u8], shown: &str) -> Result<ChaosJournal, CheckError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| CheckError::Malformed {
        location: format!("{shown}:{}:{}", e.line(), e.column().max(1)),
        message: format!("invalid JSON: {e}"),
    })?;
    let bad = |key: &str, message: String| at_key(bytes, shown, key, message);
    let root = value.as_object().ok_or_else(|| {
        bad(
            "",
            "expected a JSON object (a Chaos Toolkit journal)".into(),
        )
    })?;
    let status = match root.get("status").and_then(Value::as_str) {
        Some("completed") => RunStatus::Completed,
        Some("failed") => RunStatus::Failed,
        Some("aborted") => RunStatus::Aborted,
        Some("interrupted") => RunStatus::Interrupted,
        Some(other) => {
            return Err(bad(
                "status",
                format!(
                    "unknown `status` `{other}` (expected `completed`, `failed`, `aborted` or `interrupted`)"
                ),
            ));
        }
        None => return Err(bad("status", "`status`: expected a string".into())),
    };
    let experiment = root
        .get("experiment")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("experiment", "`experiment`: expected an object".into()))?;
    let title = experiment
        .get("title")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("title", "`experiment.title`: expected a string".into()))?
        .to_owned();
    let has_hypothesis = experiment
        .get("steady-state-hypothesis")
        .is_some_and(|h| !h.is_null());
    let deviated = root
        .get("deviated")
        .and_then(Value::as_bool)
        .ok_or_else(|| bad("deviated", "`deviated`: expected true or false".into()))?;
    let steady = root.get("steady_states").filter(|v| !v.is_null());
    let met = |when: &str| -> Result<Option<bool>, CheckError> {
        let Some(state) = steady.and_then(|s| s.get(when)).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        match state.get("steady_state_met") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(bad(
                "steady_state_met",
                format!("`steady_states.{when}.steady_state_met`: expected true, false or null"),
            )),
        }
    };
    let steady_state_before = met("before")?;
    let steady_state_after = met("after")?;
    let time = |key: &str, required: bool| -> Result<Option<jiff::Timestamp>, CheckError> {
        match root.get(key) {
            None | Some(Value::Null) if !required => Ok(None),
            Some(Value::String(s)) => timestamp(s)
                .map(Some)
                .ok_or_else(|| bad(key, format!("`{key}`: `{s}` is not an ISO 8601 timestamp"))),
            _ => Err(bad(key, format!("`{key}`: expected an ISO 8601 timestamp"))),
        }
    };
    let start = time("start", false)?;
    let end = time("end", true)?.unwrap_or_default();
    let activities = activities(root.get("run"), &bad)?;
    Ok(ChaosJournal {
        title,
        status,
        deviated,
        steady_state_before,
        steady_state_after,
        has_hypothesis,
        start,
        end,
        activities,
    })
}

/// The method's activities (`run[]`); `bad` makes the error at a key.
fn activities(
    run: Option<&Value>,
    bad: &dyn Fn(&str, String) -> CheckError,
) -> Result<Vec<Activity>, CheckError> {
    let mut activities = Vec::new();
    match run {
        None | Some(Value::Null) => {}
        Some(Value::Array(entries)) => {
            for entry in entries {
                let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
                let activity = entry.get("activity");
                let (Some(name), Some(status)) = (
                    text(activity.and_then(|a| a.get("name"))),
                    text(entry.get("status")),
                ) else {
                    return Err(bad(
                        "run",
                        "`run[]`: each entry needs `activity.name` and `status` strings".into(),
                    ));
                };
                activities.push(Activity {
                    name,
                    kind: text(activity.and_then(|a| a.get("type"))).unwrap_or_default(),
                    status,
                });
            }
        }
        Some(_) => return Err(bad("run", "`run`: expected an array of activities".into())),
    }
    Ok(activities)
}

/// The journals named by `[inputs.chaos]`, parsed once per run.
#[derive(Debug)]
#[non_exhaustive]
pub struct ChaosJournals {
    /// Each file read, with its journal, in path order.
    pub files: Vec<(Artifact, ChaosJournal)>,
}

impl Input for ChaosJournals {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        let paths = report_paths(source, &[], "Chaos Toolkit journals")?;
        let mut files = Vec::new();
        for file in read_matches(
            source,
            &paths,
            "run the experiments with `chaos run --journal-path`",
        )? {
            let journal = parse_chaos_journal(&file.bytes, &file.shown)?;
            files.push((file.artifact(), journal));
        }
        Ok(ChaosJournals { files })
    }
}

/// One experiment, as the evidence lists it.
#[derive(Debug, Serialize)]
struct ExperimentEvidence {
    file: String,
    title: String,
    status: RunStatus,
    deviated: bool,
    steady_state_before: Option<bool>,
    steady_state_after: Option<bool>,
    end: jiff::Timestamp,
    /// Days between the end of the run and the check.
    age_days: i64,
    /// The method's activities that did not succeed.
    failed_activities: Vec<String>,
    /// Why the experiment does not count (empty when it does).
    problems: Vec<String>,
    /// It held, but ended longer ago than `max_age`.
    #[serde(skip)]
    only_stale: bool,
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "{passed} of {count} chaos experiments held their steady state within {max_age}"
)]
struct ChaosEvidence {
    count: usize,
    passed: usize,
    max_age: String,
    experiments: Vec<ExperimentEvidence>,
}

/// Chaos experiments were run recently and the system held: every Chaos
/// Toolkit journal of `[inputs.chaos]` completed, did not deviate, held its
/// steady-state hypothesis before and after the method, and ended within
/// `max_age` (see the [module documentation](self)).
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "code.testing.chaos",
    title = "Chaos engineering tests performed",
    group = "Testing",
    severity = "medium",
    owner = "tech-lead",
    inputs = ["chaos"],
    remediation = "rerun the experiments listed with `chaos run --journal-path`, fix what made them fail or deviate, and point [inputs.chaos] at the fresh journals"
)]
pub struct ChaosExperiments {
    /// The longest time since an experiment ended, such as `30d` or `12h`.
    pub max_age: String,
}

impl Default for ChaosExperiments {
    fn default() -> Self {
        ChaosExperiments {
            max_age: "30d".to_owned(),
        }
    }
}

impl Check for ChaosExperiments {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let max_age = preflight_core::meta::parse_duration(&self.max_age)
            .map_err(|e| CheckError::msg(format!("item `code.testing.chaos`: `max_age`: {e}")))?;
        let max_age_signed = jiff::SignedDuration::try_from(max_age).map_err(|e| {
            CheckError::msg(format!(
                "item `code.testing.chaos`: `max_age` is too long: {e}"
            ))
        })?;
        let input = cx.input::<ChaosJournals>("chaos")?;
        let now = cx.now();
        let mut experiments = Vec::new();
        for (artifact, journal) in &input.files {
            let age = now.duration_since(journal.end);
            let mut problems = Vec::new();
            if journal.status != RunStatus::Completed {
                problems.push(format!("status {}", journal.status.name()));
            }
            if journal.deviated {
                problems.push("deviated".to_owned());
            }
            if journal.has_hypothesis {
                for (when, met) in [
                    ("before", journal.steady_state_before),
                    ("after", journal.steady_state_after),
                ] {
                    match met {
                        Some(true) => {}
                        Some(false) => {
                            problems.push(format!("steady state not met {when} the method"));
                        }
                        None => {
                            problems.push(format!("steady state not checked {when} the method"));
                        }
                    }
                }
            }
            let stale = age > max_age_signed;
            if stale {
                problems.push(format!(
                    "stale: ended {} ({} days ago), longer ago than `max_age` {}",
                    journal.end,
                    age.as_secs() / 86_400,
                    self.max_age
                ));
            }
            experiments.push(ExperimentEvidence {
                file: artifact.path.clone(),
                title: journal.title.clone(),
                status: journal.status,
                deviated: journal.deviated,
                steady_state_before: journal.steady_state_before,
                steady_state_after: journal.steady_state_after,
                end: journal.end,
                age_days: age.as_secs() / 86_400,
                failed_activities: journal
                    .activities
                    .iter()
                    .filter(|a| a.status != "succeeded")
                    .map(|a| format!("{} ({})", a.name, a.status))
                    .collect(),
                only_stale: stale && problems.len() == 1,
                problems,
            });
        }
        let failing: Vec<String> = experiments
            .iter()
            .filter(|e| !e.problems.is_empty())
            .map(|e| format!("`{}` in `{}`: {}", e.title, e.file, e.problems.join(", ")))
            .collect();
        let count = experiments.len();
        // Experiments that held but ended too long ago make the evidence
        // stale; any that did not hold make the item fail.
        let outcome = if failing.is_empty() {
            Outcome::pass(format!(
                "all {count} chaos experiments completed and held their steady state within {}",
                self.max_age
            ))
        } else {
            let message = format!(
                "{} of {count} chaos experiments do not count: {}",
                failing.len(),
                failing.join("; ")
            );
            if experiments
                .iter()
                .all(|e| e.problems.is_empty() || e.only_stale)
            {
                Outcome::stale(format!("{message}; run them again"))
            } else {
                Outcome::fail(message)
            }
        };
        let evidence = ChaosEvidence {
            count,
            passed: count - failing.len(),
            max_age: self.max_age.clone(),
            experiments,
        };
        let mut outcome = outcome.with_evidence(&evidence);
        for (artifact, _) in &input.files {
            outcome = outcome.with_artifact(artifact.clone());
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::damage::for_each_damaged;

    /// A journal chaostoolkit 1.19.0 (chaostoolkit-lib 1.44.0) wrote for an
    /// experiment whose probe and action run `/bin/true` (outputs trimmed).
    const JOURNAL: &str = r#"{
  "chaoslib-version": "1.44.0",
  "experiment": {
    "version": "1.0.0",
    "title": "The service survives a restart",
    "steady-state-hypothesis": {"title": "service answers", "probes": [{"type": "probe", "name": "service-answers", "tolerance": 0, "provider": {"type": "process", "path": "/bin/true"}}]},
    "method": [{"type": "action", "name": "restart", "provider": {"type": "process", "path": "/bin/true"}}],
    "dry": null
  },
  "start": "2026-11-24T06:45:55.374990+00:00",
  "status": "completed",
  "deviated": false,
  "steady_states": {
    "before": {"steady_state_met": true, "probes": []},
    "after": {"steady_state_met": true, "probes": []},
    "during": []
  },
  "run": [
    {"activity": {"type": "action", "name": "restart", "provider": {"type": "process", "path": "/bin/true"}},
     "output": {"status": 0, "stdout": "", "stderr": ""},
     "start": "2026-11-24T06:45:55.377038+00:00", "status": "succeeded",
     "end": "2026-11-24T06:45:55.379929+00:00", "duration": 0.002891}
  ],
  "rollbacks": [],
  "end": "2026-11-24T06:45:55.384141+00:00",
  "duration": 0.010479211807250977
}"#;

    fn parse(text: &str) -> Result<ChaosJournal, CheckError> {
        parse_chaos_journal(text.as_bytes(), "j.json")
    }

    #[test]
    fn a_real_journal() {
        let j = parse(JOURNAL).unwrap();
        assert_eq!(j.title, "The service survives a restart");
        assert_eq!(j.status, RunStatus::Completed);
        assert_eq!(
            (j.steady_state_before, j.steady_state_after),
            (Some(true), Some(true))
        );
        assert!(j.held());
        assert_eq!(j.end.to_string(), "2026-11-24T06:45:55.384141Z");
        assert_eq!(
            j.activities,
            [Activity {
                name: "restart".into(),
                kind: "action".into(),
                status: "succeeded".into()
            }]
        );
    }

    #[test]
    fn failures_deviations_and_old_timestamps() {
        let failed = JOURNAL
            .replace("\"status\": \"completed\"", "\"status\": \"failed\"")
            .replace("\"deviated\": false", "\"deviated\": true")
            .replace(
                "\"after\": {\"steady_state_met\": true",
                "\"after\": {\"steady_state_met\": false",
            );
        let j = parse(&failed).unwrap();
        assert_eq!(
            (j.status, j.deviated, j.steady_state_after),
            (RunStatus::Failed, true, Some(false))
        );
        assert!(!j.held());
        // Aborted before the method: no `after`.
        let aborted = JOURNAL
            .replace("\"status\": \"completed\"", "\"status\": \"aborted\"")
            .replace(
                "\"after\": {\"steady_state_met\": true, \"probes\": []}",
                "\"after\": null",
            );
        let j = parse(&aborted).unwrap();
        assert_eq!((j.status, j.steady_state_after), (RunStatus::Aborted, None));
        // chaostoolkit-lib before 1.x wrote no offset: UTC.
        let naive = JOURNAL.replace(
            "2026-11-24T06:45:55.384141+00:00",
            "2019-01-02T03:04:05.000001",
        );
        assert_eq!(
            parse(&naive).unwrap().end.to_string(),
            "2019-01-02T03:04:05.000001Z"
        );
    }

    #[test]
    fn malformed_journals_are_located() {
        let cases = [
            ("{\n  \"status\": ", "j.json:2:12: invalid JSON"),
            ("[]", "j.json:1:1: expected a JSON object"),
            ("{\"x\": 1}", "j.json:1:1: `status`: expected a string"),
            (
                "{\"status\": \"done\"}",
                "j.json:1:2: unknown `status` `done`",
            ),
            (
                "{\"status\": \"failed\"}",
                "j.json:1:1: `experiment`: expected an object",
            ),
        ];
        for (text, expected) in cases {
            let err = parse(text).unwrap_err();
            assert!(matches!(err, CheckError::Malformed { .. }), "{err:?}");
            assert!(err.to_string().starts_with(expected), "{expected}: {err}");
        }
        let no_end = JOURNAL.replace(
            "\"end\": \"2026-11-24T06:45:55.384141+00:00\"",
            "\"end\": \"yesterday\"",
        );
        let err = parse(&no_end).unwrap_err().to_string();
        assert!(
            err.contains("`end`: `yesterday` is not an ISO 8601 timestamp"),
            "{err}"
        );
        let bad_run = JOURNAL.replace("\"status\": \"succeeded\"", "\"status\": 1");
        let err = parse(&bad_run).unwrap_err().to_string();
        assert!(err.starts_with("j.json:18:3: `run[]`"), "{err}");
    }

    /// Truncations and byte flips of a real journal: never a panic, and an
    /// error is always `Malformed` with a location.
    #[test]
    fn damaged_journals_never_panic() {
        let runs = for_each_damaged(
            &[JOURNAL.as_bytes()],
            0x0DDB_1A5E_5BAD_5EED,
            3,
            3000,
            b"{}[]\":,-9tfn \n\xff",
            check_damaged,
        );
        assert!(runs > 3000);
    }

    fn check_damaged(bytes: &[u8]) {
        match parse_chaos_journal(bytes, "d.json") {
            Ok(j) => {
                let _ = j.held();
            }
            Err(CheckError::Malformed { location, .. }) => {
                assert!(location.starts_with("d.json:"), "{location}");
            }
            Err(other) => panic!("not Malformed: {other:?}"),
        }
    }
}
