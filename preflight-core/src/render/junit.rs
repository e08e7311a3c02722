//! `JUnit` XML: the report renderer [`Junit`].

use std::fmt::Write as _;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{MAX_FINDINGS, Render, one_line};
use crate::meta::Section;
use crate::report::{Report, ReportItem};
use crate::status::Status;

/// The report as `JUnit` XML, for CI systems that show test results (GitLab,
/// Jenkins, Azure Pipelines, GitHub test reporters).
///
/// Layout: one `<testsuites name="preflight">` root holding one `<testsuite>`
/// per checklist section that has items in the run (named by the section's
/// slug, in the seed's order), and in it one `<testcase classname="<section>"
/// name="<item id>">` per item, in report order. Sections without items are
/// left out: a suite with no test case reads as an empty test run in most CI
/// tools.
///
/// Statuses map to `JUnit` outcomes so that a CI tool fails the build on what
/// the gate blocks on by default:
///
/// | status | `JUnit` |
/// | --- | --- |
/// | `pass` | passed |
/// | `warn` | passed, with a `<system-out>` note (a warning does not block) |
/// | `fail`, `pending`, `stale` | `<failure type="<status>">` |
/// | `error` | `<error type="error">` |
/// | `waived`, `not-applicable`, `skipped` | `<skipped>` |
///
/// A failure's or error's `message` is the item's message; its text is the
/// evidence summary and the first findings. Every count attribute (`tests`,
/// `failures`, `errors`, `skipped`) is computed from the test cases written,
/// and `time` is the items' run time in seconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Junit;

/// What an item becomes in `JUnit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failure,
    Error,
    Skipped,
}

fn outcome(status: Status) -> Outcome {
    match status {
        Status::Pass | Status::Warn => Outcome::Passed,
        Status::Fail | Status::Pending | Status::Stale => Outcome::Failure,
        Status::Error => Outcome::Error,
        Status::Waived | Status::NotApplicable | Status::Skipped => Outcome::Skipped,
    }
}

/// Test, failure, error and skipped counts, and the run time in seconds.
#[derive(Debug, Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    seconds: f64,
}

impl Counts {
    fn of<'r>(items: impl IntoIterator<Item = &'r ReportItem>) -> Self {
        let mut counts = Counts::default();
        for item in items {
            counts.tests += 1;
            counts.seconds += item.duration_ms / 1000.0;
            match outcome(item.status) {
                Outcome::Passed => {}
                Outcome::Failure => counts.failures += 1,
                Outcome::Error => counts.errors += 1,
                Outcome::Skipped => counts.skipped += 1,
            }
        }
        counts
    }

    fn attributes(&self) -> [(&'static str, String); 5] {
        [
            ("tests", self.tests.to_string()),
            ("failures", self.failures.to_string()),
            ("errors", self.errors.to_string()),
            ("skipped", self.skipped.to_string()),
            ("time", seconds(self.seconds)),
        ]
    }
}

/// Seconds with millisecond precision, as `JUnit` writers do.
fn seconds(value: f64) -> String {
    format!("{value:.3}")
}

/// Text that XML 1.0 can carry: characters it forbids (most C0 controls, such
/// as a stray ANSI escape in a tool's output) become U+FFFD.
fn xml_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            _ => c,
        })
        .collect()
}

/// An attribute value: one line (parsers would fold line breaks into spaces
/// anyway) of characters XML allows.
fn xml_attr(text: &str) -> String {
    xml_text(&one_line(text))
}

/// The body of a failure, error, skip or note: the evidence summary, the first
/// findings, the raw result under a waiver and the remediation (empty when the
/// item has none of them).
fn details(item: &ReportItem) -> String {
    let mut text = String::new();
    if let Some(evidence) = &item.evidence {
        if !evidence.summary.is_empty() {
            let _ = writeln!(text, "evidence: {}", one_line(&evidence.summary));
        }
        for finding in evidence.findings.iter().take(MAX_FINDINGS) {
            let _ = writeln!(text, "{finding}");
        }
        let more = evidence.findings.len().saturating_sub(MAX_FINDINGS);
        if more > 0 {
            let _ = writeln!(text, "and {more} more findings");
        }
    }
    if let Some(raw) = &item.raw {
        let _ = writeln!(
            text,
            "the check itself: {} ({})",
            raw.status,
            one_line(&raw.message)
        );
    }
    if let Some(remediation) = super::remediation(item) {
        let _ = writeln!(text, "remediation: {}", one_line(remediation));
    }
    xml_text(text.trim_end())
}

fn write_case<W: io::Write>(writer: &mut Writer<W>, item: &ReportItem) -> io::Result<()> {
    let time = seconds(item.duration_ms / 1000.0);
    let case = writer.create_element("testcase").with_attributes([
        ("classname", item.meta.section.slug()),
        ("name", &*item.meta.id),
        ("time", time.as_str()),
    ]);
    let message = xml_attr(&item.message);
    let status = item.status.as_str();
    let details = details(item);
    match outcome(item.status) {
        Outcome::Passed if item.status == Status::Pass => {
            case.write_empty()?;
        }
        Outcome::Passed => {
            case.write_inner_content(|w| {
                let note = format!("{status}: {}\n{details}", xml_text(&item.message));
                w.create_element("system-out")
                    .write_text_content(BytesText::new(note.trim_end()))?;
                Ok(())
            })?;
        }
        Outcome::Failure | Outcome::Error => {
            let tag = if item.status == Status::Error {
                "error"
            } else {
                "failure"
            };
            // A failure without evidence repeats its message as text, which
            // is what most CI tools show.
            let text = if details.is_empty() {
                xml_text(&item.message)
            } else {
                details
            };
            case.write_inner_content(|w| {
                w.create_element(tag)
                    .with_attributes([("message", message.as_str()), ("type", status)])
                    .write_text_content(BytesText::new(&text))?;
                Ok(())
            })?;
        }
        Outcome::Skipped => {
            let message = format!("{status}: {message}");
            case.write_inner_content(|w| {
                let skipped = w
                    .create_element("skipped")
                    .with_attribute(("message", message.as_str()));
                if details.is_empty() {
                    skipped.write_empty()?;
                } else {
                    skipped.write_text_content(BytesText::new(&details))?;
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

impl Render for Junit {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let mut writer = Writer::new_with_indent(&mut *out, b' ', 2);
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let total = Counts::of(&report.items);
        let timestamp = super::timestamp(report.generated_at);
        writer
            .create_element("testsuites")
            .with_attribute(("name", "preflight"))
            .with_attributes(total.attributes().iter().map(|(k, v)| (*k, v.as_str())))
            .write_inner_content(|w| {
                for &section in Section::ALL {
                    let mut items = report.items.iter().filter(|i| i.meta.section == section);
                    let counts = Counts::of(items.clone());
                    if counts.tests == 0 {
                        continue;
                    }
                    w.create_element("testsuite")
                        .with_attribute(("name", section.slug()))
                        .with_attributes(counts.attributes().iter().map(|(k, v)| (*k, v.as_str())))
                        .with_attribute(("timestamp", timestamp.as_str()))
                        .write_inner_content(|w| items.try_for_each(|item| write_case(w, item)))?;
                }
                Ok(())
            })?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{item, report, sample};

    #[test]
    fn statuses_map_to_junit_outcomes() {
        let text = report(vec![
            item("code.a.pass", Status::Pass),
            item("code.a.warn", Status::Warn),
            item("code.a.fail", Status::Fail),
            item("code.a.error", Status::Error),
            item("ops.a.pending", Status::Pending),
            item("ops.a.stale", Status::Stale),
            item("ops.a.waived", Status::Waived),
            item("ops.a.na", Status::NotApplicable),
            item("ops.a.skipped", Status::Skipped),
        ])
        .render(crate::render::Format::Junit);
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(text.contains(
            r#"<testsuites name="preflight" tests="9" failures="3" errors="1" skipped="3" time="0.000">"#
        ));
        assert!(
            text.contains(
                r#"<testsuite name="code" tests="4" failures="1" errors="1" skipped="0""#
            )
        );
        assert!(
            text.contains(r#"<testsuite name="ops" tests="5" failures="2" errors="0" skipped="3""#)
        );
        assert!(text.contains(r#"<failure message="msg" type="stale">msg</failure>"#));
        assert!(text.contains(r#"<error message="msg" type="error">msg</error>"#));
        assert!(text.contains(r#"<skipped message="not-applicable: msg"/>"#));
        assert!(text.contains("<system-out>warn: msg</system-out>"));
        assert!(text.contains(r#"<testcase classname="code" name="code.a.pass" time="0.000"/>"#));
    }

    #[test]
    fn markup_and_control_characters_are_escaped() {
        let mut failing = item("code.a.fail", Status::Fail);
        failing.message = "a < b & \"c\" > 'd'\u{1b}[31m\nnext".to_owned();
        let text = report(vec![failing]).render(crate::render::Format::Junit);
        assert!(
            text.contains(
                "message=\"a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;\u{fffd}[31m next\""
            ),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'));
    }

    #[test]
    fn failures_carry_the_evidence_and_findings() {
        let text = sample().render(crate::render::Format::Junit);
        assert!(text.contains("evidence: 7 markers in 120 files"), "{text}");
        assert!(text.contains("src/engine.rs:42:9: [todo]"));
        assert!(text.contains("and 2 more findings"));
    }
}
