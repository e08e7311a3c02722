//! SARIF 2.1.0: the report renderer [`Sarif`].

use std::fmt::Write as _;
use std::io;

use serde_json::{Map, Value, json};

use super::Render;
use crate::evidence::{Finding, FindingLevel};
use crate::meta::Severity;
use crate::report::{Report, ReportItem};
use crate::status::Status;

/// The schema a SARIF log names in `$schema`.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The report as a SARIF 2.1.0 log, for code-scanning tools (GitHub code
/// scanning, IDE viewers, `sarif-tools`).
///
/// One run, whose tool is preflight. Each item that has findings or is not
/// satisfied (`fail`, `error`, `pending`, `stale`) becomes a rule
/// (`reportingDescriptor`): its ID, title, description, remediation and a
/// default level from its severity (critical and high: `error`, medium:
/// `warning`, low: `note`). The results are every located finding, at its
/// file, line and column with the finding's own level, and one result without
/// a location for each unsatisfied item that has no finding, so nothing that
/// blocks is lost. Findings of a waived item carry an accepted suppression
/// with the waiver's justification. Skipped items are left out: nothing was
/// evaluated.
///
/// The run's invocation is successful unless an item ended in `error` (could
/// not be evaluated); each such item is also a tool execution notification.
/// The run's property bag carries the report's project, environment, digest
/// and decision. Everything is in report order, so the same report always
/// renders to the same bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sarif;

impl Render for Sarif {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &log(report)).map_err(io::Error::other)?;
        out.write_all(b"\n")
    }
}

/// Whether an unsatisfied item is reported without a finding.
fn is_reported(status: Status) -> bool {
    matches!(
        status,
        Status::Fail | Status::Error | Status::Pending | Status::Stale
    )
}

fn findings(item: &ReportItem) -> &[Finding] {
    item.evidence.as_ref().map_or(&[], |e| &e.findings)
}

fn severity_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn finding_level(level: FindingLevel) -> &'static str {
    match level {
        FindingLevel::Error => "error",
        FindingLevel::Warning => "warning",
        FindingLevel::Note => "note",
    }
}

fn message(text: impl Into<String>) -> Value {
    json!({ "text": text.into() })
}

/// `no-todo-markers` → `NoTodoMarkers`: SARIF's `name` is an identifier-like
/// name, and this is how check structs are named.
fn rule_name(id: &str) -> String {
    let last = id.rsplit('.').next().unwrap_or(id);
    last.split('-')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// A relative URI reference for a project-relative path: `/` separators, and
/// percent-encoding for every byte that may not appear in a URI path.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            // Unreserved characters, sub-delimiters, `/` and `@`; a colon is
            // encoded, since in a first segment it would read as a URI scheme.
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

fn rule(item: &ReportItem) -> Value {
    let meta = &item.meta;
    let mut rule = Map::new();
    rule.insert("id".into(), json!(meta.id));
    rule.insert("name".into(), json!(rule_name(&meta.id)));
    rule.insert("shortDescription".into(), message(&*meta.title));
    let description = meta.description.trim();
    rule.insert(
        "fullDescription".into(),
        message(if description.is_empty() {
            &*meta.title
        } else {
            description
        }),
    );
    if let Some(remediation) = &meta.remediation {
        rule.insert("help".into(), message(&**remediation));
    }
    rule.insert(
        "defaultConfiguration".into(),
        json!({ "level": severity_level(meta.severity) }),
    );
    let mut properties = Map::new();
    properties.insert("section".into(), json!(meta.section.slug()));
    properties.insert("group".into(), json!(meta.group));
    properties.insert("severity".into(), json!(meta.severity.slug()));
    properties.insert("owner".into(), json!(meta.owner.slug()));
    if !meta.tags.is_empty() {
        properties.insert("tags".into(), json!(meta.tags));
    }
    if !meta.refs.is_empty() {
        properties.insert("refs".into(), json!(meta.refs));
    }
    rule.insert("properties".into(), Value::Object(properties));
    Value::Object(rule)
}

fn location(finding: &Finding) -> Value {
    let mut physical = Map::new();
    physical.insert(
        "artifactLocation".into(),
        json!({ "uri": uri(&finding.file) }),
    );
    // SARIF lines and columns start at 1; a finding without one has no region.
    if finding.line >= 1 {
        let mut region = Map::new();
        region.insert("startLine".into(), json!(finding.line));
        if finding.column >= 1 {
            region.insert("startColumn".into(), json!(finding.column));
        }
        physical.insert("region".into(), Value::Object(region));
    }
    json!({ "physicalLocation": physical })
}

/// The accepted suppression of a waived item's findings.
fn suppression(item: &ReportItem) -> Option<Value> {
    if item.status != Status::Waived {
        return None;
    }
    let mut suppression = Map::new();
    suppression.insert("kind".into(), json!("external"));
    suppression.insert("status".into(), json!("accepted"));
    let justification = item
        .attestation
        .as_ref()
        .and_then(|a| a.justification.as_deref())
        .unwrap_or(&item.message);
    suppression.insert("justification".into(), json!(justification));
    Some(Value::Object(suppression))
}

fn results(item: &ReportItem, rule_index: usize, out: &mut Vec<Value>) {
    let id = &*item.meta.id;
    let found = findings(item);
    for finding in found {
        let mut result = Map::new();
        result.insert("ruleId".into(), json!(id));
        result.insert("ruleIndex".into(), json!(rule_index));
        result.insert("level".into(), json!(finding_level(finding.level)));
        result.insert("message".into(), message(&finding.message));
        result.insert("locations".into(), json!([location(finding)]));
        if let Some(suppression) = suppression(item) {
            result.insert("suppressions".into(), json!([suppression]));
        }
        result.insert(
            "properties".into(),
            json!({ "rule": finding.rule, "status": item.status }),
        );
        out.push(Value::Object(result));
    }
    if found.is_empty() && is_reported(item.status) {
        let level = if item.status == Status::Error {
            "error"
        } else {
            severity_level(item.meta.severity)
        };
        let mut text = format!("{}: {}", item.status, item.message);
        if let Some(evidence) = item.evidence.as_ref().filter(|e| !e.summary.is_empty()) {
            let _ = write!(text, " (evidence: {})", evidence.summary);
        }
        out.push(json!({
            "ruleId": id,
            "ruleIndex": rule_index,
            "level": level,
            "message": message(text),
            "properties": { "status": item.status },
        }));
    }
}

fn log(report: &Report) -> Value {
    let mut rules = Vec::new();
    let mut results_ = Vec::new();
    let mut notifications = Vec::new();
    for item in &report.items {
        if findings(item).is_empty() && !is_reported(item.status) {
            continue;
        }
        let index = rules.len();
        rules.push(rule(item));
        results(item, index, &mut results_);
        if item.status == Status::Error {
            notifications.push(json!({
                "level": "error",
                "message": message(&item.message),
                "associatedRule": { "id": item.meta.id, "index": index },
            }));
        }
    }
    let mut invocation = Map::new();
    invocation.insert(
        "executionSuccessful".into(),
        json!(notifications.is_empty()),
    );
    invocation.insert(
        "endTimeUtc".into(),
        json!(super::timestamp(report.generated_at)),
    );
    if !notifications.is_empty() {
        invocation.insert(
            "toolExecutionNotifications".into(),
            Value::Array(notifications),
        );
    }
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "preflight",
                    "version": report.preflight_version,
                    "rules": rules,
                }
            },
            "invocations": [invocation],
            "results": results_,
            "properties": {
                "project": report.project,
                "environment": report.environment,
                "digest": report.digest,
                "ready": report.decision.ready,
                "summary": report.summary.by_status,
            },
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{item, report, sample};

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(uri("src/engine.rs"), "src/engine.rs");
        assert_eq!(uri(r".\src\my file#1.rs"), "src/my%20file%231.rs");
        assert_eq!(uri("c:/x/é"), "c%3A/x/%C3%A9");
    }

    #[test]
    fn rule_names_follow_check_struct_names() {
        assert_eq!(rule_name("code.review.no-todo-markers"), "NoTodoMarkers");
        assert_eq!(rule_name("dr.backups.rpo"), "Rpo");
    }

    #[test]
    fn every_finding_and_every_unsatisfied_item_is_a_result() {
        let log = log(&sample());
        let run = &log["runs"][0];
        let results = run["results"].as_array().unwrap();
        // 7 located findings, the failed drawdown, the pending legal review,
        // the stale runbooks; the waived item has no finding, the pass and the
        // skipped item are not results.
        assert_eq!(results.len(), 10);
        let ids: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "code.review.no-todo-markers",
                "strategy.backtest.max-drawdown",
                "legal.review.legal-team",
                "ops.docs.runbooks"
            ]
        );
        for result in results {
            let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
            assert_eq!(ids[index], result["ruleId"]);
        }
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["region"],
            json!({ "startLine": 42, "startColumn": 9 })
        );
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
        assert_eq!(run["properties"]["digest"], sample().digest);
    }

    #[test]
    fn errors_make_the_invocation_unsuccessful() {
        let log = log(&report(vec![item("code.a.b", Status::Error)]));
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        assert_eq!(
            invocation["toolExecutionNotifications"][0]["associatedRule"]["id"],
            "code.a.b"
        );
        assert_eq!(log["runs"][0]["results"][0]["level"], "error");
    }
}
