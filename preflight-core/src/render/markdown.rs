//! Markdown shaped like the seed checklist.
//!
//! The same headings as `production-preflight-checklist.md` (numbered
//! sections, group sub-headings, one `- [x]` box per item, the sign-off table
//! and final approval, post-launch last), with each box ticked from the
//! item's status and followed by the evidence, so the document can replace
//! the hand-ticked file in a review or a ticket. User text is escaped so that
//! a title or a message can never change the document's structure.

use std::fmt::Write as _;
use std::io;

use super::{
    MAX_FINDINGS, Render, SectionItems, blockers, count, decision_headline, one_line, record_line,
    remediation, section_heading, sections, short_digest, signoffs_of, summary_line, timestamp,
};
use crate::evidence::EvidenceRecord;
use crate::meta::{Kind, Role, Section};
use crate::report::{Blocker, Report, ReportItem, SignoffStatus};
use crate::status::Status;

/// The report as the seed checklist's Markdown, boxes ticked from the statuses.
#[derive(Debug, Clone, Copy, Default)]
pub struct Markdown;

impl Render for Markdown {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let mut doc = String::new();
        write_report(&mut doc, report);
        out.write_all(doc.as_bytes())
    }
}

/// Left blank in the final approval, as in the seed, for a person to fill in.
const BLANK: &str = "___________________________";

// `writeln!` into a `String` cannot fail; the results are ignored below.
fn write_report(doc: &mut String, report: &Report) {
    let _ = writeln!(doc, "# Production Pre-Flight Checklist\n");
    let _ = writeln!(
        doc,
        "**Project:** {} · **Environment:** {} · **Generated:** {} · **Digest:** {} · **preflight** {}\n",
        text(&report.project),
        text(&report.environment),
        timestamp(report.generated_at),
        code(&report.digest),
        text(&report.preflight_version),
    );
    let (verdict, detail) = decision_headline(report);
    let _ = writeln!(
        doc,
        "**Decision: {verdict}** — {detail} (see [Decision](#decision)).\n"
    );
    let _ = writeln!(doc, "{}.", summary_line(&report.summary));

    let mut post_launch = None;
    for section in sections(report) {
        if section.section == Section::PostLaunch {
            // After the sign-off, as in the seed: these items follow the go-live.
            post_launch = Some(section);
            continue;
        }
        write_section(doc, &section);
    }
    write_decision(doc, report);
    write_signoff(doc, report);
    // Only when the run has post-launch items: a go-live report ends with the
    // sign-off table and the final approval.
    if let Some(section) = post_launch.filter(|s| !s.groups.is_empty()) {
        write_section(doc, &section);
    }
}

fn write_section(doc: &mut String, section: &SectionItems<'_>) {
    let _ = writeln!(doc, "\n---\n\n## {}", section_heading(section.section));
    if section.groups.is_empty() {
        let _ = writeln!(doc, "\n_No items of this section in this run._");
    }
    for group in &section.groups {
        let _ = writeln!(doc, "\n### {}\n", text(group.name));
        for item in &group.items {
            write_item(doc, item);
        }
    }
}

/// `- [x] Title — **pass** (`id`): message`, then the evidence as sub-items.
fn write_item(doc: &mut String, item: &ReportItem) {
    // A waived item is knowingly not done: its box stays empty.
    let done = item.status.is_satisfied() && item.status != Status::Waived;
    let tick = if done { 'x' } else { ' ' };
    let _ = write!(
        doc,
        "- [{tick}] {} — **{}** ({})",
        text(&item.meta.title),
        item.status,
        code(&item.meta.id)
    );
    if item.message.is_empty() {
        doc.push('\n');
    } else {
        let _ = writeln!(doc, ": {}", text(&item.message));
    }
    if let Some(raw) = &item.raw {
        let _ = writeln!(
            doc,
            "  - Check says: **{}**: {}",
            raw.status,
            text(&raw.message)
        );
    }
    // The message already says what the record says for attested and waived items.
    if let Some(record) = item
        .attestation
        .as_ref()
        .filter(|_| item.meta.kind == Kind::Automated && item.raw.is_none())
    {
        let _ = writeln!(doc, "  - Record: {}", text(&record_line(record)));
    }
    if let Some(evidence) = &item.evidence {
        write_evidence(doc, evidence);
    }
    if let Some(remediation) = remediation(item) {
        let _ = writeln!(doc, "  - To fix: {}", text(remediation));
    }
}

fn write_evidence(doc: &mut String, evidence: &EvidenceRecord) {
    if !evidence.summary.is_empty() {
        let _ = writeln!(doc, "  - Evidence: {}", text(&evidence.summary));
    }
    for artifact in &evidence.artifacts {
        let size = usize::try_from(artifact.size).unwrap_or(usize::MAX);
        let _ = writeln!(
            doc,
            "  - Artifact: {} ({}, {})",
            code(&artifact.path),
            code(&artifact.sha256),
            count(size, "byte", "bytes")
        );
    }
    for finding in evidence.findings.iter().take(MAX_FINDINGS) {
        let location = format!("{}:{}:{}", finding.file, finding.line, finding.column);
        let _ = writeln!(
            doc,
            "  - Finding: {} {}: {}",
            code(&location),
            code(&finding.rule),
            text(&finding.message)
        );
    }
    if evidence.findings.len() > MAX_FINDINGS {
        let more = evidence.findings.len() - MAX_FINDINGS;
        let _ = writeln!(
            doc,
            "  - Finding: … and {more} more (all are in the JSON and SARIF reports)"
        );
    }
}

fn write_decision(doc: &mut String, report: &Report) {
    let (verdict, detail) = decision_headline(report);
    let _ = writeln!(doc, "\n---\n\n## Decision\n\n**{verdict}**: {detail}.");
    let (items, signoffs) = blockers(&report.decision);
    if !items.is_empty() {
        let _ = writeln!(doc, "\n### Blocking Items\n");
        for blocker in items {
            if let Blocker::Item {
                id,
                status,
                severity,
                owner,
                reason,
            } = blocker
            {
                let _ = writeln!(
                    doc,
                    "- **{status}** {} ({severity}, owner: {}): {}",
                    code(id),
                    owner.title(),
                    text(reason)
                );
            }
        }
    }
    if !signoffs.is_empty() {
        let _ = writeln!(doc, "\n### Blocking Sign-Offs\n");
        for blocker in signoffs {
            if let Blocker::Signoff { reason, .. } = blocker {
                let _ = writeln!(doc, "- {}", text(reason));
            }
        }
    }
}

fn write_signoff(doc: &mut String, report: &Report) {
    let _ = writeln!(doc, "\n---\n\n## Sign-Off\n");
    let _ = writeln!(
        doc,
        "A sign-off counts only for the report digest it signed: {}.\n",
        code(&report.digest)
    );
    let _ = writeln!(doc, "### Team Sign-Off\n");
    let _ = writeln!(doc, "| Role | Name | Signature | Date |");
    let _ = writeln!(doc, "|------|------|-----------|------|");
    for &role in Role::ALL {
        let mut signed = false;
        for signoff in signoffs_of(report, role) {
            signed = true;
            let signature = if signoff.signature.is_some() {
                "ed25519, "
            } else {
                ""
            };
            let state = match signoff.status {
                SignoffStatus::Valid => "valid",
                SignoffStatus::Outdated => "outdated",
                SignoffStatus::BadSignature => "bad signature",
                SignoffStatus::WrongKey => "wrong key",
            };
            let _ = writeln!(
                doc,
                "| {} | {} | {} ({signature}{state}) | {} |",
                cell(role.title()),
                cell(&signoff.name),
                code(short_digest(&signoff.digest)),
                signoff.date
            );
        }
        if !signed {
            let _ = writeln!(doc, "| {} | | | |", cell(role.title()));
        }
    }
    let _ = writeln!(doc, "\n### Final Approval\n");
    if let Some(approval) = &report.approval {
        let note = if approval.valid {
            String::new()
        } else {
            format!(
                " (approved digest {}, not this report's: approve again)",
                code(short_digest(&approval.digest))
            )
        };
        let _ = writeln!(doc, "**Approved by:** {}{note}\n", text(&approval.by));
        let _ = writeln!(doc, "**Date:** {}\n", approval.date);
        let _ = writeln!(doc, "**Production Go-Live Date:** {}", approval.go_live);
    } else {
        let _ = writeln!(doc, "**Approved by:** {BLANK}\n");
        let _ = writeln!(doc, "**Date:** {BLANK}\n");
        let _ = writeln!(doc, "**Production Go-Live Date:** {BLANK}");
    }
}

/// User text escaped for inline Markdown, on one line.
///
/// Code spans in the text are kept: messages name things in backticks, and
/// Markdown shows them as code. Elsewhere, characters that could start
/// emphasis, code, math or strike-through are backslash-escaped, and so are
/// `|` (a table cell's end), a `<` that could open HTML or an autolink, a `]`
/// that could make a link (before `(` or `[`), a `#` that could open or close
/// a heading and a `_` at the edge of a word. What cannot change the document
/// stays as written, so the source reads like the seed: `drawdown < 25%`,
/// `max_drawdown`, `[desk-alpha]`.
fn text(raw: &str) -> String {
    escape(raw, false)
}

/// [`text`] for a table cell, where `|` must be escaped even in a code span.
fn cell(raw: &str) -> String {
    escape(raw, true)
}

fn escape(raw: &str, in_table: bool) -> String {
    let raw = one_line(raw);
    let chars: Vec<char> = raw.chars().collect();
    let verbatim = code_spans(&chars);
    let mut out = String::with_capacity(raw.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let special = if verbatim[i] {
            in_table && c == '|'
        } else {
            match c {
                '\\' | '`' | '*' | '|' | '~' | '$' => true,
                '_' => !(word(prev) && word(next)),
                ']' => matches!(next, Some('(' | '[')),
                '<' => {
                    next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'))
                }
                '#' => prev.is_none_or(char::is_whitespace),
                _ => false,
            }
        };
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Marks the characters that belong to code spans (a run of backticks up to
/// the next run of the same length), fences included.
fn code_spans(chars: &[char]) -> Vec<bool> {
    let run_at = |i: usize| chars[i..].iter().take_while(|&&c| c == '`').count();
    let mut verbatim = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            i += 1;
            continue;
        }
        let open = run_at(i);
        let mut j = i + open;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let run = run_at(j);
                if run == open {
                    close = Some(j + run);
                    break;
                }
                j += run;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                verbatim[i..end].fill(true);
                i = end;
            }
            // An unmatched fence is literal text: escaped like any backtick.
            None => i += open,
        }
    }
    verbatim
}

/// `raw` as a code span, whose fence is longer than any run of backticks inside it.
fn code(raw: &str) -> String {
    let raw = one_line(raw);
    let mut longest = 0;
    let mut run = 0;
    for c in raw.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest > 0 || raw.starts_with(' ') || raw.ends_with(' ') {
        // A space on each side keeps a backtick at the edge out of the fence;
        // the renderer strips one space from each side.
        format!("{fence} {raw} {fence}")
    } else {
        format!("{fence}{raw}{fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample;

    fn render() -> String {
        sample().render(crate::Format::Markdown)
    }

    #[test]
    fn shaped_like_the_seed() {
        let doc = render();
        assert!(
            doc.starts_with("# Production Pre-Flight Checklist\n"),
            "{doc}"
        );
        for heading in [
            "\n## 1. Code Quality and Testing\n",
            "\n## 12. Trading-Specific Checks\n",
            "\n### Backtest\n",
            "\n## Decision\n",
            "\n## Sign-Off\n",
            "\n### Team Sign-Off\n",
            "\n| Role | Name | Signature | Date |\n|------|------|-----------|------|\n",
            "\n### Final Approval\n",
            "\n**Production Go-Live Date:** ___________________________\n",
        ] {
            assert!(doc.contains(heading), "missing {heading:?} in {doc}");
        }
        // Post-launch comes after the sign-off, as in the seed.
        let signoff = doc.find("## Sign-Off").unwrap();
        assert!(doc.find("## Post-Launch").unwrap() > signoff, "{doc}");
    }

    #[test]
    fn boxes_are_ticked_from_the_status() {
        let doc = render();
        assert!(
            doc.contains(
                "- [x] Sharpe ratio > 1.0 — **pass** (`strategy.backtest.sharpe-ratio`): the Sharpe ratio exceeds the minimum\n  - Evidence: Sharpe 1.42 over 504 periods (minimum 1)\n"
            ),
            "{doc}"
        );
        assert!(
            doc.contains(
                "- [ ] Maximum drawdown < 25% — **fail** (`strategy.backtest.max-drawdown`)"
            ),
            "{doc}"
        );
        assert!(
            doc.contains("- [ ] Monitor all alerts and dashboards daily — **skipped**"),
            "{doc}"
        );
    }

    #[test]
    fn signoff_table_marks_outdated_signatures() {
        let doc = render();
        assert!(
            doc.contains("| Tech Lead | Ada | `sha256:old` (outdated) | 2025-03-10 |\n"),
            "{doc}"
        );
        assert!(doc.contains("| Risk Manager | Rita | `sha256:"), "{doc}");
        assert!(doc.contains("` (valid) | 2025-03-14 |"), "{doc}");
        assert!(doc.contains("| Legal/Compliance | | | |\n"), "{doc}");
    }

    #[test]
    fn no_trailing_whitespace() {
        for line in render().lines() {
            assert_eq!(line, line.trim_end(), "trailing whitespace in {line:?}");
        }
    }

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(text("a | b"), r"a \| b");
        assert_eq!(text("# not a heading"), r"\# not a heading");
        assert_eq!(text("C# and issue #4"), r"C# and issue \#4");
        assert_eq!(text("*bold* _em_ <b>x</b>"), r"\*bold\* \_em\_ \<b>x\</b>");
        assert_eq!(
            text("[link](x) [ref][r] ~~s~~ $5"),
            r"[link\](x) [ref\][r] \~\~s\~\~ \$5"
        );
        assert_eq!(text("back\\slash"), r"back\\slash");
        assert_eq!(text("two\nlines"), "two lines");
        // What cannot change the document is left as written.
        assert_eq!(text("Sharpe ratio > 1.0"), "Sharpe ratio > 1.0");
        assert_eq!(text("drawdown < 25% (<100ms)"), "drawdown < 25% (<100ms)");
        assert_eq!(
            text("max_drawdown of [desk-alpha]"),
            "max_drawdown of [desk-alpha]"
        );
        assert_eq!(text("<https://x> <!-- c -->"), r"\<https://x> \<!-- c -->");
    }

    #[test]
    fn code_spans_in_text_are_kept() {
        assert_eq!(
            text("input `tls_endpoints` is not configured: add [inputs.tls_endpoints]"),
            "input `tls_endpoints` is not configured: add [inputs.tls_endpoints]"
        );
        assert_eq!(text("``a ` b`` and *x*"), r"``a ` b`` and \*x\*");
        // An unmatched backtick is text.
        assert_eq!(text("it`s *x*"), r"it\`s \*x\*");
        assert_eq!(text("`a|b` | c"), r"`a|b` \| c");
        assert_eq!(cell("`a|b` | c"), r"`a\|b` \| c");
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a.b.c"), "`a.b.c`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("``x"), "``` ``x ```");
    }

    #[test]
    fn escaped_report_text_keeps_the_structure() {
        let mut report = sample();
        std::sync::Arc::make_mut(&mut report.items[0].meta).title = "# Injected | heading".into();
        report.items[0].message = "line one\n## line two".to_owned();
        let doc = report.render(crate::Format::Markdown);
        assert!(
            doc.contains(r"- [ ] \# Injected \| heading — **fail**"),
            "{doc}"
        );
        assert!(doc.contains(r": line one \## line two"), "{doc}");
        assert!(!doc.contains("\n## line two"), "{doc}");
    }
}
