//! Renderers: one file per output format, all behind the [`Render`] trait.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io;

use crate::meta::{Role, Section};
use crate::report::{Blocker, Decision, Report, ReportItem, Signoff, Summary};
use crate::status::Status;

mod human;
mod json;
mod junit;
mod markdown;
mod sarif;

pub use human::Human;
pub use json::Json;
pub use junit::Junit;
pub use markdown::Markdown;
pub use sarif::{SARIF_SCHEMA, Sarif};

/// Writes a report in one format. Adding a format is one file implementing this
/// trait and one variant of [`Format`].
pub trait Render {
    /// Writes `report` to `out`.
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()>;
}

/// The built-in output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// For a terminal; `color` adds ANSI styles.
    Human {
        /// Whether to use colour (see [`color_wanted`]).
        color: bool,
    },
    /// The versioned JSON report.
    Json,
    /// Markdown shaped like the seed checklist.
    Markdown,
    /// SARIF 2.1.0: every located finding and every unsatisfied item, for
    /// code-scanning tools (see [`Sarif`]).
    Sarif,
    /// `JUnit` XML: one test case per item, for CI test reports (see [`Junit`]).
    Junit,
}

impl Format {
    /// The renderer of this format.
    #[must_use]
    pub fn renderer(self) -> Box<dyn Render> {
        match self {
            Format::Human { color } => Box::new(Human { color }),
            Format::Json => Box::new(Json),
            Format::Markdown => Box::new(Markdown),
            Format::Sarif => Box::new(Sarif),
            Format::Junit => Box::new(Junit),
        }
    }

    /// Parses a format name (`human`, `json`, `markdown`, `sarif`, `junit`); `human` gets colour
    /// when [`color_wanted`] says so.
    pub fn from_name(name: &str) -> Result<Self, crate::meta::UnknownSlug> {
        match name {
            "human" => Ok(Format::Human {
                color: color_wanted(&io::stdout()),
            }),
            "json" => Ok(Format::Json),
            "markdown" | "md" => Ok(Format::Markdown),
            "sarif" => Ok(Format::Sarif),
            "junit" => Ok(Format::Junit),
            _ => Err(crate::meta::UnknownSlug {
                what: "format",
                value: name.to_owned(),
                expected: &["human", "json", "markdown", "sarif", "junit"],
            }),
        }
    }
}

/// Whether to colour output to `stream`: it is a terminal and `NO_COLOR` is
/// unset or empty (<https://no-color.org>).
#[must_use]
pub fn color_wanted(stream: &impl io::IsTerminal) -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stream.is_terminal()
}

// Helpers shared by the renderers, so that every format groups, numbers and
// counts the same way.

/// How many findings of one item a renderer shows before "and N more".
pub(crate) const MAX_FINDINGS: usize = 5;

/// The items of one section of the checklist, by group.
#[derive(Debug)]
pub(crate) struct SectionItems<'r> {
    /// The section.
    pub(crate) section: Section,
    /// Its groups in order of first appearance; empty when no item of the run is in it.
    pub(crate) groups: Vec<GroupItems<'r>>,
}

/// The items of one group (sub-heading) of a section, in report (ID) order.
#[derive(Debug)]
pub(crate) struct GroupItems<'r> {
    /// The group's heading, as the items' metadata writes it.
    pub(crate) name: &'r str,
    /// Its items.
    pub(crate) items: Vec<&'r ReportItem>,
}

/// Every section of the checklist in the seed's order (post-launch last), each
/// with its items grouped by `meta.group`. Sections without items are kept,
/// with no groups, so a renderer can show what the run did not cover.
pub(crate) fn sections(report: &Report) -> Vec<SectionItems<'_>> {
    Section::ALL
        .iter()
        .map(|&section| {
            let mut groups: Vec<GroupItems<'_>> = Vec::new();
            for item in report.items.iter().filter(|i| i.meta.section == section) {
                let name = &*item.meta.group;
                match groups.iter_mut().find(|g| g.name == name) {
                    Some(group) => group.items.push(item),
                    None => groups.push(GroupItems {
                        name,
                        items: vec![item],
                    }),
                }
            }
            SectionItems { section, groups }
        })
        .collect()
}

/// The section's number in the seed checklist (1 to 12); post-launch has none.
pub(crate) fn section_number(section: Section) -> Option<usize> {
    if section == Section::PostLaunch {
        return None;
    }
    Section::ALL
        .iter()
        .position(|&s| s == section)
        .map(|index| index + 1)
}

/// `1. Code Quality and Testing`, or `Post-Launch`.
pub(crate) fn section_heading(section: Section) -> String {
    match section_number(section) {
        Some(n) => format!("{n}. {}", section.title()),
        None => section.title().to_owned(),
    }
}

/// The sign-offs presented for `role`, in report order.
pub(crate) fn signoffs_of(report: &Report, role: Role) -> impl Iterator<Item = &Signoff> {
    report.signoffs.iter().filter(move |s| s.role == role)
}

/// One line about an attestation record: what, who, when, until when, and why.
pub(crate) fn record_line(record: &crate::records::Attestation) -> String {
    use std::fmt::Write as _;
    let mut line = format!(
        "{} by {} ({}) on {}, expires {}",
        record.status,
        one_line(&record.by),
        record.role.title(),
        record.date,
        record.expires
    );
    if let Some(evidence) = &record.evidence {
        let _ = write!(line, "; evidence: {}", one_line(evidence));
    }
    if let Some(justification) = &record.justification {
        let _ = write!(line, "; justification: {}", one_line(justification));
    }
    line
}

/// The selection of a run that is not the default, for headers.
pub(crate) fn selection_line(report: &Report) -> String {
    let selection = &report.selection;
    let mut parts = Vec::new();
    if !selection.ids.is_empty() {
        parts.push(format!("IDs {}", selection.ids.join(", ")));
    }
    if !selection.sections.is_empty() {
        let names: Vec<&str> = selection.sections.iter().map(|s| s.slug()).collect();
        parts.push(format!("sections {}", names.join(", ")));
    }
    let phases: Vec<&str> = selection.phases.iter().map(|p| p.slug()).collect();
    parts.push(format!("phases {}", phases.join(", ")));
    parts.join("; ")
}

/// What to do about an item, shown when it is unsatisfied and was evaluated
/// (a skipped item was not, so the advice may not apply).
pub(crate) fn remediation(item: &ReportItem) -> Option<&str> {
    let unsatisfied = !item.status.is_satisfied() && item.status != Status::Skipped;
    item.meta.remediation.as_deref().filter(|_| unsatisfied)
}

/// `sha256:` and the first 12 hex digits: enough to recognise a digest at a glance.
pub(crate) fn short_digest(digest: &str) -> &str {
    let end = digest.find(':').map_or(0, |colon| colon + 1) + 12;
    digest.get(..end).unwrap_or(digest)
}

/// A timestamp for people: UTC to the second (`2025-03-14T09:30:00Z`); the
/// JSON report keeps the full precision.
pub(crate) fn timestamp(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `1 item`, `2 items`.
pub(crate) fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// The blocking items and the blocking sign-offs of a decision.
pub(crate) fn blockers(decision: &Decision) -> (Vec<&Blocker>, Vec<&Blocker>) {
    decision
        .blocking
        .iter()
        .partition(|b| matches!(b, Blocker::Item { .. }))
}

/// `READY` or `NOT READY`, and what blocks the go-live.
pub(crate) fn decision_headline(report: &Report) -> (&'static str, String) {
    let decision = &report.decision;
    if decision.ready {
        return (
            "READY",
            "every blocking item is satisfied and every required role signed this report"
                .to_owned(),
        );
    }
    let (items, signoffs) = blockers(decision);
    let outdated = signoffs
        .iter()
        .filter(|b| matches!(b, Blocker::Signoff { role, .. } if signoffs_of(report, *role).next().is_some()))
        .count();
    let signoffs = match (signoffs.len() - outdated, outdated) {
        (0, 0) => None,
        (missing, 0) => Some(count(missing, "missing sign-off", "missing sign-offs")),
        (0, outdated) => Some(count(outdated, "outdated sign-off", "outdated sign-offs")),
        (missing, outdated) => Some(format!(
            "{} ({missing} missing, {outdated} outdated)",
            count(missing + outdated, "sign-off", "sign-offs")
        )),
    };
    let items = (!items.is_empty()).then(|| count(items.len(), "item", "items"));
    let detail = match (items, signoffs) {
        (None, None) => "the report is marked not ready".to_owned(),
        (Some(one), None) | (None, Some(one)) => format!("{one} block the go-live"),
        (Some(items), Some(signoffs)) => format!("{items} and {signoffs} block the go-live"),
    };
    ("NOT READY", detail)
}

/// `12 items: 2 error, 1 fail, 3 pass`: most urgent status first.
pub(crate) fn summary_line(summary: &Summary) -> String {
    let total = count(summary.total, "item", "items");
    let counts = counts_line(&summary.by_status);
    if counts.is_empty() {
        total
    } else {
        format!("{total}: {counts}")
    }
}

/// `1 fail, 2 pass` for some items, most urgent status first.
pub(crate) fn tally<'r>(items: impl IntoIterator<Item = &'r ReportItem>) -> String {
    let mut by_status = BTreeMap::new();
    for item in items {
        *by_status.entry(item.status).or_insert(0) += 1;
    }
    counts_line(&by_status)
}

fn counts_line(by_status: &BTreeMap<Status, usize>) -> String {
    by_status
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(status, n)| format!("{n} {status}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// User text on one line: line breaks (a panic message, a tool's output) become spaces.
pub(crate) fn one_line(text: &str) -> Cow<'_, str> {
    if text.contains(['\n', '\r']) {
        Cow::Owned(text.split_whitespace().collect::<Vec<_>>().join(" "))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::meta::CheckMeta;
    use crate::records::{Attestation, AttestationStatus};

    pub(crate) fn item(id: &'static str, status: Status) -> ReportItem {
        ReportItem::new(CheckMeta::new(id, id).unwrap(), status, "msg")
    }

    pub(crate) fn report(items: Vec<ReportItem>) -> Report {
        Report {
            schema: crate::report::SCHEMA.to_owned(),
            project: "desk".to_owned(),
            environment: "production".to_owned(),
            generated_at: "2025-03-14T09:30:00Z".parse().unwrap(),
            preflight_version: "0.0.0".to_owned(),
            selection: crate::select::Selection::default(),
            summary: Summary::of(&items),
            items,
            decision: Decision {
                ready: false,
                blocking: Vec::new(),
            },
            gate: crate::config::GateConfig::default(),
            signoffs: Vec::new(),
            approval: None,
            digest: "sha256:0123456789abcdef0123".to_owned(),
        }
    }

    /// A stale attested item, for [`sample`].
    fn stale_item() -> ReportItem {
        ReportItem::new(
            CheckMeta::new("ops.docs.runbooks", "Runbooks created for common operations")
                .unwrap()
                .with_owner(Role::DevopsLead),
            Status::Stale,
            "the done record by Sam (DevOps Lead) of 2024-11-01 expired on 2025-01-30: review the item and attest again (review quarterly)",
        )
        .with_attestation(Some(
            Attestation::new(
                "ops.docs.runbooks",
                AttestationStatus::Done,
                "Sam",
                Role::DevopsLead,
                jiff::civil::date(2024, 11, 1),
            )
            .with_evidence("https://wiki.example/runbooks"),
        ))
    }

    /// A waived automated item whose check failed, for [`sample`].
    fn waived_item() -> ReportItem {
        let mut item = ReportItem::new(
            CheckMeta::new(
                "trading.market-data.data-latency",
                "Data latency measured and acceptable",
            )
            .unwrap()
            .with_severity(crate::meta::Severity::Critical)
            .with_owner(Role::RiskManager),
            Status::Waived,
            "waived by Rita (Risk Manager) until 2025-04-30: the feed vendor switch lands in April",
        )
        .with_attestation(Some(
            Attestation::new(
                "trading.market-data.data-latency",
                AttestationStatus::Waived,
                "Rita",
                Role::RiskManager,
                jiff::civil::date(2025, 3, 1),
            )
            .with_justification("the feed vendor switch lands in April")
            .with_expires(jiff::civil::date(2025, 4, 30)),
        ));
        item.raw = Some(Box::new(crate::report::RawResult::new(
            Status::Fail,
            "p99 latency 140 ms (limit 100 ms)",
        )));
        item
    }

    /// A small report with every kind of content a renderer shows.
    pub(crate) fn sample() -> Report {
        use crate::evidence::{Artifact, EvidenceRecord, Finding, FindingLevel};
        use crate::meta::Severity;

        let observed_at: jiff::Timestamp = "2025-03-14T09:29:00Z".parse().unwrap();
        let evidence = |summary: &str| EvidenceRecord {
            summary: summary.to_owned(),
            observed_at,
            values: serde_json::json!({}),
            artifacts: Vec::new(),
            findings: Vec::new(),
        };
        let meta = |id: &'static str, title: &'static str| {
            CheckMeta::new(id, title)
                .unwrap()
                .with_severity(Severity::Critical)
                .with_owner(Role::RiskManager)
        };
        let findings = (0..7).map(|i| Finding {
            rule: "todo".to_owned(),
            message: "TODO: handle partial fills".to_owned(), // preflight: allow(marker)
            level: FindingLevel::Warning,
            file: "src/engine.rs".to_owned(),
            line: 42 + i,
            column: 9,
        });
        let mut markers = evidence("7 markers in 120 files");
        markers.findings = findings.collect();
        let mut sharpe = evidence("Sharpe 1.42 over 504 periods (minimum 1)");
        sharpe.artifacts = vec![Artifact::from_bytes("data/returns.csv", b"0.01\n", None)];
        let items = vec![
            ReportItem::new(
                meta(
                    "code.review.no-todo-markers",
                    "No TODO or FIXME comments in production code", // preflight: allow(marker)
                ),
                Status::Fail,
                "7 TODO/FIXME markers in production code", // preflight: allow(marker)
            )
            .with_evidence(Some(markers)),
            ReportItem::new(
                meta("strategy.backtest.max-drawdown", "Maximum drawdown < 25%"),
                Status::Fail,
                "the drawdown exceeds the limit",
            )
            .with_evidence(Some(evidence("drawdown 31.0% (limit 25%)"))),
            ReportItem::new(
                meta("strategy.backtest.sharpe-ratio", "Sharpe ratio > 1.0"),
                Status::Pass,
                "the Sharpe ratio exceeds the minimum",
            )
            .with_evidence(Some(sharpe)),
            ReportItem::new(
                meta("legal.review.legal-team", "Legal team has reviewed"),
                Status::Pending,
                "awaiting attestation (owner: Legal/Compliance)",
            ),
            stale_item(),
            waived_item(),
            ReportItem::new(
                meta(
                    "post-launch.week-1.monitor-alerts",
                    "Monitor all alerts and dashboards daily",
                ),
                Status::Skipped,
                "disabled in the configuration: not launched yet",
            ),
        ];
        let mut report = report(items);
        report.signoffs = vec![Signoff::new(
            Role::TechLead,
            "Ada",
            jiff::civil::date(2025, 3, 10),
            "sha256:old",
        )];
        report.seal();
        let mut current = Signoff::new(
            Role::RiskManager,
            "Rita",
            jiff::civil::date(2025, 3, 14),
            report.digest.clone(),
        );
        current.valid = true;
        current.status = crate::report::SignoffStatus::Valid;
        report.signoffs.push(current);
        report.seal();
        report
    }

    #[test]
    fn sections_follow_the_seed_and_groups_their_first_appearance() {
        let report = report(vec![
            item("code.testing.a", Status::Pass),
            item("code.review.b", Status::Pass),
            item("code.testing.c", Status::Pass),
            item("post-launch.week-1.d", Status::Pending),
            item("strategy.backtest.e", Status::Fail),
        ]);
        let sections = sections(&report);
        assert_eq!(sections.len(), Section::ALL.len());
        assert_eq!(sections[0].section, Section::Code);
        let names: Vec<&str> = sections[0].groups.iter().map(|g| g.name).collect();
        assert_eq!(names, ["Testing", "Review"]);
        assert_eq!(sections[0].groups[0].items.len(), 2);
        assert_eq!(
            sections[1].groups[0].items[0].meta.id,
            "strategy.backtest.e"
        );
        assert!(sections[2].groups.is_empty());
        let last = sections.last().unwrap();
        assert_eq!(last.section, Section::PostLaunch);
        assert_eq!(last.groups[0].name, "Week 1");
    }

    #[test]
    fn sections_are_numbered_as_in_the_seed() {
        assert_eq!(
            section_heading(Section::Code),
            "1. Code Quality and Testing"
        );
        assert_eq!(
            section_heading(Section::Trading),
            "12. Trading-Specific Checks"
        );
        assert_eq!(section_heading(Section::PostLaunch), "Post-Launch");
    }

    #[test]
    fn small_helpers() {
        assert_eq!(
            short_digest("sha256:0123456789abcdef0123"),
            "sha256:0123456789ab"
        );
        assert_eq!(short_digest("sha256:old"), "sha256:old");
        assert_eq!(one_line("a\n  b"), "a b");
        let at: jiff::Timestamp = "2026-11-24T01:04:30.216347489Z".parse().unwrap();
        assert_eq!(timestamp(at), "2026-11-24T01:04:30Z");
        let summary = Summary::of(&[
            item("code.a.b", Status::Pass),
            item("code.a.c", Status::Fail),
        ]);
        assert_eq!(summary_line(&summary), "2 items: 1 fail, 1 pass");
    }
}
