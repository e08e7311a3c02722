//! Rules that involve several keys or the fields together with the keys.
//! Each returns what the code generator needs once the rule holds.

use syn::LitStr;

use crate::ast::{Evidence, Field, Item};
use crate::attr::{Applicability, Id, Kind, Phase, Role, Section, Severity, Template, title_case};
use crate::ctxt::Ctxt;

/// An item whose attributes passed every rule, with every default resolved.
pub(crate) struct ValidItem<'i, 'a> {
    pub(crate) item: &'i Item<'a>,
    pub(crate) id: &'i Id,
    pub(crate) title: &'i LitStr,
    pub(crate) section: Section,
    pub(crate) group: String,
    pub(crate) severity: Severity,
    pub(crate) owner: Role,
    pub(crate) kind: Kind,
    pub(crate) applicability: Applicability,
    pub(crate) phase: Phase,
    pub(crate) timeout_ms: Option<u64>,
    pub(crate) evidence_ttl_ms: Option<u64>,
    pub(crate) tags: &'i [LitStr],
    pub(crate) refs: &'i [LitStr],
    pub(crate) inputs: &'i [LitStr],
    pub(crate) remediation: Option<&'i LitStr>,
}

/// Evidence whose summary names only fields.
pub(crate) struct ValidEvidence<'i, 'a> {
    pub(crate) evidence: &'i Evidence<'a>,
    pub(crate) template: &'i Template,
    /// The fields the summary uses, in the template's order.
    pub(crate) used: Vec<&'i Field<'a>>,
}

/// The parameter names that `[checks."<id>"]` reserves for the runner.
const RESERVED_PARAMS: &[&str] = &["enabled", "reason", "timeout"];

/// Runs every rule on an item. Returns `None` when a rule failed (the
/// context holds why); every rule runs regardless, so all problems show at once.
pub(crate) fn item<'i, 'a>(cx: &Ctxt, item: &'i Item<'a>) -> Option<ValidItem<'i, 'a>> {
    let required = required_keys(cx, item);
    let section = section_matches_id(cx, item);
    let kind = kind_given_once(cx, item);
    reserved_params(cx, item);
    let (id, title, severity, owner) = required?;
    let group = match item.attrs.group.value() {
        Some(group) => group.value(),
        None => title_case(&id.group),
    };
    Some(ValidItem {
        item,
        id,
        title,
        section: section?,
        group,
        severity,
        owner,
        kind: kind?,
        applicability: item
            .attrs
            .applicability
            .value()
            .map_or(Applicability::Always, |v| v.value),
        phase: item
            .attrs
            .phase
            .value()
            .map_or(Phase::PreLaunch, |v| v.value),
        timeout_ms: item.attrs.timeout.value().map(|v| v.value),
        evidence_ttl_ms: item.attrs.evidence_ttl.value().map(|v| v.value),
        tags: item.attrs.tags.value().map_or(&[], Vec::as_slice),
        refs: item.attrs.refs.value().map_or(&[], Vec::as_slice),
        inputs: item.attrs.inputs.value().map_or(&[], Vec::as_slice),
        remediation: item.attrs.remediation.value(),
    })
}

/// `id`, `title`, `severity` and `owner` have no sensible default: an item
/// without them cannot be listed, judged or signed off. Missing ones are
/// reported together, on the `#[item]` attribute (or the struct's name when
/// there is none). A key given with a bad value was already reported and
/// does not count as missing.
fn required_keys<'i>(
    cx: &Ctxt,
    item: &'i Item<'_>,
) -> Option<(&'i Id, &'i LitStr, Severity, Role)> {
    let attrs = &item.attrs;
    if attrs.attr.is_none() {
        cx.error_at(
            item.ident().span(),
            format!(
                "missing #[item(...)] on `{}`: #[derive(ChecklistItem)] needs at least #[item(id = \"section.group.item\", title = \"...\", severity = \"...\", owner = \"...\")]",
                item.ident()
            ),
        );
        return None;
    }
    let missing: Vec<&str> = [
        ("id", attrs.id.is_given()),
        ("title", attrs.title.is_given()),
        ("severity", attrs.severity.is_given()),
        ("owner", attrs.owner.is_given()),
    ]
    .into_iter()
    .filter(|(key, given)| !given && !attrs.typos.contains(key))
    .map(|(key, _)| key)
    .collect();
    if !missing.is_empty() {
        let keys: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
        let examples: Vec<&str> = missing
            .iter()
            .map(|k| match *k {
                "id" => "id = \"section.group.item\"",
                "title" => "title = \"the checklist line\"",
                "severity" => "severity = \"critical|high|medium|low\"",
                _ => "owner = \"tech-lead|devops-lead|...\"",
            })
            .collect();
        let (noun, them) = if missing.len() == 1 {
            ("key", "it")
        } else {
            ("keys", "them")
        };
        cx.error_at(
            item.span(),
            format!(
                "missing required {noun} {} in #[item(...)] on `{}`: add {them}, e.g. {}",
                keys.join(", "),
                item.ident(),
                examples.join(", ")
            ),
        );
    }
    Some((
        attrs.id.value()?,
        attrs.title.value()?,
        attrs.severity.value()?.value,
        attrs.owner.value()?.value,
    ))
}

/// The section is the ID's first segment; `section = "..."` may repeat it for
/// readability but must not contradict it, or the same item would be filed
/// under two sections.
fn section_matches_id(cx: &Ctxt, item: &Item<'_>) -> Option<Section> {
    let id = item.attrs.id.value();
    let given = item.attrs.section.value();
    match (id, given) {
        (Some(id), Some(given)) if given.value != id.section => {
            cx.error_spanned_by(
                &given.lit,
                format!(
                    "section `{}` contradicts the ID `{}`, whose first segment is `{}`: the section is the ID's first segment, so fix the ID or remove `section = ...`",
                    given.value.slug(),
                    id.value,
                    id.section.slug()
                ),
            );
            None
        }
        (Some(id), _) => Some(id.section),
        (None, _) => None,
    }
}

/// `attested` is shorthand for `kind = "attested"`; writing both is
/// redundant at best and contradictory at worst, so only one is accepted.
fn kind_given_once(cx: &Ctxt, item: &Item<'_>) -> Option<Kind> {
    let attrs = &item.attrs;
    if let (true, Some(flag)) = (attrs.kind.is_given(), attrs.attested.key()) {
        cx.error_spanned_by(
            flag,
            "`attested` is shorthand for `kind = \"attested\"`: give either `attested` or `kind`, not both",
        );
        return None;
    }
    if attrs.attested.is_given() {
        return Some(Kind::Attested);
    }
    if attrs.kind.is_given() {
        return attrs.kind.value().map(|k| k.value);
    }
    Some(Kind::Automated)
}

/// The runner reads `enabled`, `reason` and `timeout` from every
/// `[checks."<id>"]` table and removes them before the item sees its
/// parameters, so a field with one of these names could never be set.
fn reserved_params(cx: &Ctxt, item: &Item<'_>) {
    for field in &item.fields {
        if RESERVED_PARAMS.contains(&field.name.as_str()) {
            cx.error_spanned_by(
                field.ident,
                format!(
                    "parameter name `{}` is reserved by the runner (`enabled`, `reason` and `timeout` in [checks.\"<id>\"] configure the run, not the item); rename the field",
                    field.name
                ),
            );
        }
    }
}

/// Runs every rule on an evidence struct.
pub(crate) fn evidence<'i, 'a>(
    cx: &Ctxt,
    evidence: &'i Evidence<'a>,
) -> Option<ValidEvidence<'i, 'a>> {
    let template = summary_given(cx, evidence)?;
    let used = placeholders_name_fields(cx, evidence, template)?;
    Some(ValidEvidence {
        evidence,
        template,
        used,
    })
}

/// The summary is the evidence's line in every report; there is no useful
/// default for it.
fn summary_given<'i>(cx: &Ctxt, evidence: &'i Evidence<'_>) -> Option<&'i Template> {
    let summary = &evidence.attrs.summary;
    if !summary.is_given() && !evidence.attrs.typos.contains(&"summary") {
        cx.error_at(
            evidence.span(),
            format!(
                "missing #[evidence(summary = \"...\")] on `{}`: the summary is the evidence's line in reports, e.g. #[evidence(summary = \"Sharpe {{sharpe:.2}} over {{observations}} periods\")]",
                evidence.ident()
            ),
        );
    }
    summary.value()
}

/// Every placeholder of the summary must name a field: the summary is
/// rendered from the fields only, never from variables in scope.
fn placeholders_name_fields<'i, 'a>(
    cx: &Ctxt,
    evidence: &'i Evidence<'a>,
    template: &Template,
) -> Option<Vec<&'i Field<'a>>> {
    let mut used = Vec::new();
    let mut ok = true;
    for name in &template.names {
        if let Some(field) = evidence.fields.iter().find(|f| &f.name == name) {
            used.push(field);
        } else {
            ok = false;
            let fields = if evidence.fields.is_empty() {
                "it has no named fields".to_owned()
            } else {
                let names: Vec<&str> = evidence.fields.iter().map(|f| f.name.as_str()).collect();
                format!("fields: {}", names.join(", "))
            };
            cx.error_spanned_by(
                &template.lit,
                format!(
                    "summary placeholder `{{{name}}}` names no field of `{}` ({fields})",
                    evidence.ident()
                ),
            );
        }
    }
    ok.then_some(used)
}
