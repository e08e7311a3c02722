//! `#[item(...)]` and `#[evidence(...)]`: one branch per key, each value
//! checked on its own (rules that involve several keys live in `check.rs`).
//!
//! Parsing goes on after a bad key or value, so that every mistake in an
//! attribute is reported at once.

use std::cell::RefCell;

use proc_macro2::TokenTree;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Attribute, LitStr, Path, Token};

use crate::ctxt::Ctxt;

/// Declares the derive's view of a metadata enum of preflight-core: its
/// variants (named as in core, for code generation) and their slugs.
macro_rules! slug_enum {
    ($name:ident, $what:literal { $($variant:ident = $slug:literal,)+ }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $name {
            $($variant,)+
        }

        impl SlugEnum for $name {
            const WHAT: &'static str = $what;
            const SLUGS: &'static [&'static str] = &[$($slug),+];

            fn from_slug(slug: &str) -> Option<Self> {
                match slug {
                    $($slug => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl $name {
            /// The type's name in `preflight_core::meta`.
            pub(crate) const TYPE: &'static str = stringify!($name);

            #[allow(dead_code)] // Not every enum's slug appears in a message.
            pub(crate) fn slug(self) -> &'static str {
                match self {
                    $($name::$variant => $slug,)+
                }
            }

            /// The variant's name in `preflight_core::meta`.
            pub(crate) fn variant(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)+
                }
            }
        }
    };
}

/// A metadata enum written as a kebab-case slug in attributes.
pub(crate) trait SlugEnum: Sized {
    /// What a value is called in messages.
    const WHAT: &'static str;
    /// Every slug, in the order messages list them.
    const SLUGS: &'static [&'static str];

    fn from_slug(slug: &str) -> Option<Self>;
}

slug_enum!(Section, "section" {
    Code = "code",
    Strategy = "strategy",
    Infra = "infra",
    Security = "security",
    Monitoring = "monitoring",
    Data = "data",
    Deploy = "deploy",
    Dr = "dr",
    Ops = "ops",
    Legal = "legal",
    Perf = "perf",
    Trading = "trading",
    PostLaunch = "post-launch",
});

slug_enum!(Severity, "severity" {
    Critical = "critical",
    High = "high",
    Medium = "medium",
    Low = "low",
});

slug_enum!(Role, "role" {
    TechLead = "tech-lead",
    DevopsLead = "devops-lead",
    SecurityLead = "security-lead",
    TradingStrategist = "trading-strategist",
    RiskManager = "risk-manager",
    ProductOwner = "product-owner",
    LegalCompliance = "legal-compliance",
});

slug_enum!(Kind, "kind" {
    Automated = "automated",
    Attested = "attested",
});

slug_enum!(Applicability, "applicability" {
    Always = "always",
    IfApplicable = "if-applicable",
});

slug_enum!(Phase, "phase" {
    PreLaunch = "pre-launch",
    PostLaunchWeek1 = "post-launch-week-1",
    PostLaunchWeeks2To4 = "post-launch-weeks-2-4",
    PostLaunchMonth1 = "post-launch-month-1",
});

/// A key's value as given: `None` until the key is seen; `value` stays `None`
/// when the key was given with an invalid value (already reported).
pub(crate) struct Slot<T> {
    key: Option<Path>,
    value: Option<T>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            key: None,
            value: None,
        }
    }
}

impl<T> Slot<T> {
    /// Whether the key was written, valid or not.
    pub(crate) fn is_given(&self) -> bool {
        self.key.is_some()
    }

    /// The key as written, for spans.
    pub(crate) fn key(&self) -> Option<&Path> {
        self.key.as_ref()
    }

    /// The valid value, if the key was given with one.
    pub(crate) fn value(&self) -> Option<&T> {
        self.value.as_ref()
    }
}

/// A value read from a string literal, with the literal for spans.
pub(crate) struct Valued<T> {
    pub(crate) value: T,
    pub(crate) lit: LitStr,
}

/// A valid item ID.
pub(crate) struct Id {
    pub(crate) value: String,
    pub(crate) section: Section,
    /// The second segment, from which the group heading is inferred.
    pub(crate) group: String,
}

/// The keys of `#[item(...)]`.
#[derive(Default)]
pub(crate) struct ItemAttrs<'a> {
    /// The first `#[item(...)]` attribute, for errors about missing keys.
    pub(crate) attr: Option<&'a Attribute>,
    pub(crate) id: Slot<Id>,
    pub(crate) title: Slot<LitStr>,
    pub(crate) section: Slot<Valued<Section>>,
    pub(crate) group: Slot<LitStr>,
    pub(crate) severity: Slot<Valued<Severity>>,
    pub(crate) owner: Slot<Valued<Role>>,
    pub(crate) kind: Slot<Valued<Kind>>,
    /// The bare `attested` flag.
    pub(crate) attested: Slot<()>,
    pub(crate) applicability: Slot<Valued<Applicability>>,
    pub(crate) phase: Slot<Valued<Phase>>,
    pub(crate) timeout: Slot<Valued<u64>>,
    pub(crate) evidence_ttl: Slot<Valued<u64>>,
    pub(crate) tags: Slot<Vec<LitStr>>,
    pub(crate) refs: Slot<Vec<LitStr>>,
    pub(crate) inputs: Slot<Vec<LitStr>>,
    pub(crate) remediation: Slot<LitStr>,
    /// Known keys that unknown keys look like misspellings of (already
    /// reported, so not reported again as missing).
    pub(crate) typos: Vec<&'static str>,
}

/// Every key of `#[item(...)]`, in the order messages list them.
pub(crate) const ITEM_KEYS: &[&str] = &[
    "id",
    "title",
    "section",
    "group",
    "severity",
    "owner",
    "kind",
    "attested",
    "applicability",
    "phase",
    "timeout",
    "evidence_ttl",
    "tags",
    "refs",
    "inputs",
    "remediation",
];

/// The keys of `#[evidence(...)]`.
#[derive(Default)]
pub(crate) struct EvidenceAttrs<'a> {
    pub(crate) attr: Option<&'a Attribute>,
    pub(crate) summary: Slot<Template>,
    /// As in [`ItemAttrs::typos`].
    pub(crate) typos: Vec<&'static str>,
}

/// Every key of `#[evidence(...)]`.
pub(crate) const EVIDENCE_KEYS: &[&str] = &["summary"];

/// A summary template and the field names its placeholders use, in order of
/// first use, each once.
pub(crate) struct Template {
    pub(crate) lit: LitStr,
    pub(crate) names: Vec<String>,
}

/// Reads every `#[item(...)]` attribute.
pub(crate) fn item_attrs<'a>(cx: &Ctxt, attrs: &'a [Attribute]) -> ItemAttrs<'a> {
    let mut out = ItemAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("item")) {
        out.attr.get_or_insert(attr);
        let keys = Keys::new(cx, "item", ITEM_KEYS);
        keys.parse(attr, |meta, key| item_key(&keys, &mut out, meta, key));
        out.typos.extend(keys.typos.take());
    }
    out
}

/// Reads every `#[evidence(...)]` attribute.
pub(crate) fn evidence_attrs<'a>(cx: &Ctxt, attrs: &'a [Attribute]) -> EvidenceAttrs<'a> {
    let mut out = EvidenceAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("evidence")) {
        out.attr.get_or_insert(attr);
        let keys = Keys::new(cx, "evidence", EVIDENCE_KEYS);
        keys.parse(attr, |meta, key| match key {
            "summary" => keys.string(&mut out.summary, meta, |lit| {
                parse_template(&lit.value())
                    .map(|names| Template {
                        lit: lit.clone(),
                        names,
                    })
                    .map_err(|msg| syn::Error::new(lit.span(), msg))
            }),
            _ => Err(keys.unknown(&meta.path, key)),
        });
        out.typos.extend(keys.typos.take());
    }
    out
}

fn item_key(
    keys: &Keys<'_>,
    out: &mut ItemAttrs<'_>,
    meta: &ParseNestedMeta<'_>,
    key: &str,
) -> syn::Result<()> {
    match key {
        "id" => keys.string(&mut out.id, meta, |lit| {
            let value = lit.value();
            let (section, group) = validate_id(&value)
                .map(|(section, group)| (section, group.to_owned()))
                .map_err(|msg| syn::Error::new(lit.span(), msg))?;
            Ok(Id {
                value,
                section,
                group,
            })
        }),
        "title" => keys.string(&mut out.title, meta, |lit| non_empty(lit, "title")),
        "section" => keys.string(&mut out.section, meta, slug::<Section>),
        "group" => keys.string(&mut out.group, meta, |lit| non_empty(lit, "group")),
        "severity" => keys.string(&mut out.severity, meta, slug::<Severity>),
        "owner" => keys.string(&mut out.owner, meta, slug::<Role>),
        "kind" => keys.string(&mut out.kind, meta, slug::<Kind>),
        "attested" => keys.flag(&mut out.attested, meta, "attested", "kind = \"attested\""),
        "applicability" => keys.string(&mut out.applicability, meta, slug::<Applicability>),
        "phase" => keys.string(&mut out.phase, meta, slug::<Phase>),
        "timeout" => keys.string(&mut out.timeout, meta, |lit| duration(lit, "timeout")),
        "evidence_ttl" => keys.string(&mut out.evidence_ttl, meta, |lit| {
            duration(lit, "evidence_ttl")
        }),
        "tags" => keys.strings(&mut out.tags, meta),
        "refs" => keys.strings(&mut out.refs, meta),
        "inputs" => keys.strings(&mut out.inputs, meta),
        "remediation" => keys.string(&mut out.remediation, meta, |lit| {
            non_empty(lit, "remediation")
        }),
        _ => Err(keys.unknown(&meta.path, key)),
    }
}

/// Parses the keys of one attribute, reporting problems to the context and
/// going on with the next key.
struct Keys<'c> {
    cx: &'c Ctxt,
    attr: &'static str,
    expected: &'static [&'static str],
    /// Keys that unknown keys look like misspellings of.
    typos: RefCell<Vec<&'static str>>,
}

impl<'c> Keys<'c> {
    fn new(cx: &'c Ctxt, attr: &'static str, expected: &'static [&'static str]) -> Self {
        Keys {
            cx,
            attr,
            expected,
            typos: RefCell::new(Vec::new()),
        }
    }

    fn parse(
        &self,
        attr: &Attribute,
        mut one_key: impl FnMut(&ParseNestedMeta<'_>, &str) -> syn::Result<()>,
    ) {
        let result = attr.parse_nested_meta(|meta| {
            let key = match meta.path.get_ident() {
                Some(ident) => ident.to_string(),
                None => String::new(),
            };
            if let Err(err) = one_key(&meta, &key) {
                self.cx.syn_error(err);
                skip_value(meta.input)?;
            }
            Ok(())
        });
        if let Err(err) = result {
            self.cx.syn_error(err);
        }
    }

    fn unknown(&self, path: &Path, key: &str) -> syn::Error {
        let shown = if key.is_empty() {
            quote::quote!(#path).to_string().replace(' ', "")
        } else {
            key.to_owned()
        };
        let msg = format!(
            "unknown key `{shown}` in #[{}(...)] (expected one of: {}){}",
            self.attr,
            self.expected.join(", "),
            did_you_mean(&shown, self.expected),
        );
        if let Some(near) = closest(&shown, self.expected) {
            self.typos.borrow_mut().push(near);
        }
        syn::Error::new_spanned(path, msg)
    }

    /// Reports a key given twice and skips its value; the first value is kept.
    fn duplicate<T>(&self, slot: &Slot<T>, meta: &ParseNestedMeta<'_>) -> syn::Result<bool> {
        if slot.is_given() {
            let name = key_name(meta);
            self.cx.error_spanned_by(
                &meta.path,
                format!(
                    "duplicate key `{name}` in #[{}(...)]: give each key once",
                    self.attr
                ),
            );
            skip_value(meta.input)?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// `key = "..."`, converted and checked by `convert`.
    fn string<T>(
        &self,
        slot: &mut Slot<T>,
        meta: &ParseNestedMeta<'_>,
        convert: impl FnOnce(&LitStr) -> syn::Result<T>,
    ) -> syn::Result<()> {
        if self.duplicate(slot, meta)? {
            return Ok(());
        }
        slot.key = Some(meta.path.clone());
        let lit = self.lit_str(meta)?;
        match convert(&lit) {
            Ok(value) => slot.value = Some(value),
            Err(err) => self.cx.syn_error(err),
        }
        Ok(())
    }

    /// `key = ["a", "b"]`.
    fn strings(&self, slot: &mut Slot<Vec<LitStr>>, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        if self.duplicate(slot, meta)? {
            return Ok(());
        }
        slot.key = Some(meta.path.clone());
        let name = key_name(meta);
        let expected = || format!("expected `{name} = [\"...\", ...]`: a list of string literals");
        if !meta.input.peek(Token![=]) {
            return Err(meta.error(expected()));
        }
        let value = meta.value()?;
        if !value.peek(syn::token::Bracket) {
            return Err(syn::Error::new(value.span(), expected()));
        }
        let content;
        syn::bracketed!(content in value);
        let list = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)
            .map_err(|e| syn::Error::new(e.span(), expected()))?;
        let mut lits = Vec::with_capacity(list.len());
        for lit in list {
            if lit.value().trim().is_empty() {
                self.cx
                    .error_spanned_by(&lit, format!("`{name}` entries must not be empty"));
            } else {
                lits.push(lit);
            }
        }
        slot.value = Some(lits);
        Ok(())
    }

    /// A bare flag such as `attested`.
    fn flag(
        &self,
        slot: &mut Slot<()>,
        meta: &ParseNestedMeta<'_>,
        name: &str,
        long_form: &str,
    ) -> syn::Result<()> {
        if self.duplicate(slot, meta)? {
            return Ok(());
        }
        slot.key = Some(meta.path.clone());
        if !(meta.input.is_empty() || meta.input.peek(Token![,])) {
            return Err(meta.error(format!(
                "`{name}` is a flag and takes no value: write `{name}` or `{long_form}`"
            )));
        }
        slot.value = Some(());
        Ok(())
    }

    /// The string literal after `key =`, with errors that show the expected form.
    fn lit_str(&self, meta: &ParseNestedMeta<'_>) -> syn::Result<LitStr> {
        let name = key_name(meta);
        if !meta.input.peek(Token![=]) {
            return Err(meta.error(format!("expected `{name} = \"...\"`")));
        }
        let value = meta.value()?;
        if value.peek(LitStr) {
            value.parse()
        } else {
            Err(syn::Error::new(
                value.span(),
                format!(
                    "expected a string literal: `{name} = \"...\"` in #[{}(...)]",
                    self.attr
                ),
            ))
        }
    }
}

fn key_name(meta: &ParseNestedMeta<'_>) -> String {
    meta.path
        .get_ident()
        .map_or_else(String::new, ToString::to_string)
}

/// Skips the rest of a key's value (up to the next top-level comma), so that
/// the keys after a bad one are still read.
fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

fn non_empty(lit: &LitStr, key: &str) -> syn::Result<LitStr> {
    if lit.value().trim().is_empty() {
        Err(syn::Error::new(
            lit.span(),
            format!("`{key}` must not be empty"),
        ))
    } else {
        Ok(lit.clone())
    }
}

fn slug<T: SlugEnum>(lit: &LitStr) -> syn::Result<Valued<T>> {
    let (what, slugs) = (T::WHAT, T::SLUGS);
    let text = lit.value();
    if let Some(value) = T::from_slug(&text) {
        return Ok(Valued {
            value,
            lit: lit.clone(),
        });
    }
    let msg = format!(
        "unknown {what} `{text}` (expected one of: {}){}",
        slugs.join(", "),
        did_you_mean(&text, slugs),
    );
    Err(syn::Error::new(lit.span(), msg))
}

fn duration(lit: &LitStr, key: &str) -> syn::Result<Valued<u64>> {
    parse_duration_ms(&lit.value())
        .map(|value| Valued {
            value,
            lit: lit.clone(),
        })
        .map_err(|msg| syn::Error::new(lit.span(), format!("invalid `{key}`: {msg}")))
}

/// Parses a duration such as `30s`, `5m`, `90d` or `1h 30m` into whole
/// milliseconds. Days are 24 hours; months and years are refused because
/// their length varies, and so are negative, zero and sub-millisecond values.
pub(crate) fn parse_duration_ms(text: &str) -> Result<u64, String> {
    let span: jiff::Span = text
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as `30s`, `5m`, `2h` or `90d`"))?;
    let signed = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|_| {
            format!(
                "`{text}`: use units up to weeks (`w`, `d`, `h`, `m`, `s`, `ms`), not months or years, whose length varies"
            )
        })?;
    if signed.is_negative() {
        return Err(format!(
            "`{text}` is negative; a duration must be longer than zero"
        ));
    }
    if signed.is_zero() {
        return Err(format!(
            "`{text}` is zero; a duration must be longer than zero"
        ));
    }
    if signed.subsec_nanos() % 1_000_000 != 0 {
        return Err(format!("`{text}` is not a whole number of milliseconds"));
    }
    u64::try_from(signed.as_millis()).map_err(|_| format!("`{text}` is too long"))
}

/// Checks an item ID (`section.group.item`, each segment lowercase kebab
/// words, the section a known one) and returns its section and group slug.
pub(crate) fn validate_id(id: &str) -> Result<(Section, &str), String> {
    let segments: Vec<&str> = id.split('.').collect();
    let [section, group, item] = segments[..] else {
        return Err(format!(
            "item ID `{id}` must have three dot-separated segments, `section.group.item` (e.g. `strategy.backtest.sharpe-ratio`)"
        ));
    };
    for segment in [section, group, item] {
        if !is_kebab(segment) {
            return Err(format!(
                "item ID `{id}`: segment `{segment}` must be lowercase kebab words (a-z, 0-9, single dashes between words)"
            ));
        }
    }
    let Some(known) = Section::from_slug(section) else {
        return Err(format!(
            "item ID `{id}`: unknown section `{section}` (expected one of: {})",
            Section::SLUGS.join(", ")
        ));
    };
    Ok((known, group))
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Turns a kebab slug into a heading: `backtest-results` becomes `Backtest Results`.
pub(crate) fn title_case(slug: &str) -> String {
    slug.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads a summary template: `{name}` and `{name:spec}` placeholders (with
/// `{{` and `}}` for literal braces) and returns the names they use, in order
/// of first use, each once. Names used by a spec (`{x:>width$}`) count too.
/// Positional placeholders are refused: evidence is described by field names.
pub(crate) fn parse_template(template: &str) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = Vec::new();
    let mut use_name = |name: &str| {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    };
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
            }
            '}' => {
                return Err("unmatched `}` in summary: write `}}` for a literal brace".to_owned());
            }
            '{' => {
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some('{') | None => {
                            return Err(
                                "unclosed `{` in summary: close the placeholder with `}`, or write `{{` for a literal brace"
                                    .to_owned(),
                            );
                        }
                        Some(c) => inner.push(c),
                    }
                }
                let (arg, spec) = match inner.split_once(':') {
                    Some((arg, spec)) => (arg.trim(), Some(spec)),
                    None => (inner.trim(), None),
                };
                if arg.is_empty() || arg.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!(
                        "positional placeholder `{{{inner}}}` in summary: name a field instead, e.g. `{{sharpe}}` or `{{sharpe:.2}}`"
                    ));
                }
                if !is_identifier(arg) {
                    return Err(format!(
                        "placeholder `{{{inner}}}` in summary: `{arg}` is not a field name"
                    ));
                }
                use_name(arg);
                if let Some(spec) = spec {
                    for name in spec_names(spec)
                        .map_err(|what| format!("placeholder `{{{inner}}}` in summary: {what}"))?
                    {
                        use_name(name);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(names)
}

/// The arguments a format spec refers to by name (`width$`, `.prec$`).
fn spec_names(spec: &str) -> Result<Vec<&str>, String> {
    if spec.contains(".*") {
        return Err("`.*` takes a positional argument: use `.name$` with a field name".to_owned());
    }
    let mut names = Vec::new();
    for (dollar, _) in spec.match_indices('$') {
        let before = &spec[..dollar];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let name = &before[start..];
        if name.is_empty() || name.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "`{name}$` refers to a positional argument: use a field name, e.g. `width$`"
            ));
        }
        names.push(name);
    }
    Ok(names)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && s != "_"
}

/// `; did you mean `x`?` when `word` looks like a typo of an expected word.
fn did_you_mean(word: &str, expected: &[&str]) -> String {
    closest(word, expected).map_or_else(String::new, |near| format!("; did you mean `{near}`?"))
}

/// The expected word closest to `word`, if it is a likely typo.
fn closest<'e>(word: &str, expected: &[&'e str]) -> Option<&'e str> {
    expected
        .iter()
        .map(|e| (levenshtein(word, e), *e))
        .filter(|(d, e)| *d > 0 && *d <= 1.max(e.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, e)| e)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(
            validate_id("strategy.backtest-results.sharpe-ratio"),
            Ok((Section::Strategy, "backtest-results"))
        );
        assert_eq!(
            validate_id("post-launch.week-1.monitor-alerts-daily"),
            Ok((Section::PostLaunch, "week-1"))
        );
        assert!(
            validate_id("strategy.backtest")
                .unwrap_err()
                .contains("three")
        );
        assert!(validate_id("a.b.c.d").unwrap_err().contains("three"));
        assert!(
            validate_id("code.Review.x")
                .unwrap_err()
                .contains("segment `Review`")
        );
        assert!(
            validate_id("code.review.no--todo")
                .unwrap_err()
                .contains("`no--todo`")
        );
        assert!(validate_id("code.review.-x").is_err());
        assert!(validate_id("code..x").is_err());
        assert!(validate_id("code.review.snake_case").is_err());
        let err = validate_id("cod.review.x").unwrap_err();
        assert!(err.contains("unknown section `cod`"), "{err}");
        assert!(err.contains("post-launch"), "{err}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("30s"), Ok(30_000));
        assert_eq!(parse_duration_ms("500ms"), Ok(500));
        assert_eq!(parse_duration_ms("1h 30m"), Ok(5_400_000));
        assert_eq!(parse_duration_ms("90d"), Ok(90 * 86_400_000));
        assert_eq!(parse_duration_ms("2w"), Ok(14 * 86_400_000));
        assert_eq!(parse_duration_ms("1.5s"), Ok(1_500));
        assert!(
            parse_duration_ms("soon")
                .unwrap_err()
                .contains("not a duration")
        );
        assert!(parse_duration_ms("1mo").unwrap_err().contains("months"));
        assert!(
            parse_duration_ms("1y")
                .unwrap_err()
                .contains("months or years")
        );
        assert!(parse_duration_ms("-5s").unwrap_err().contains("negative"));
        assert!(
            parse_duration_ms("5s ago")
                .unwrap_err()
                .contains("negative")
        );
        assert!(parse_duration_ms("0s").unwrap_err().contains("zero"));
        assert!(
            parse_duration_ms("1500us")
                .unwrap_err()
                .contains("milliseconds")
        );
    }

    #[test]
    fn templates() {
        assert_eq!(
            parse_template("Sharpe {sharpe:.2} over {observations} periods"),
            Ok(vec!["sharpe".to_owned(), "observations".to_owned()])
        );
        assert_eq!(parse_template("no placeholders"), Ok(vec![]));
        assert_eq!(
            parse_template("{{literal}} {a} {a:>8}"),
            Ok(vec!["a".to_owned()])
        );
        assert_eq!(
            parse_template("{value:>width$.prec$}"),
            Ok(vec![
                "value".to_owned(),
                "width".to_owned(),
                "prec".to_owned()
            ])
        );
        assert_eq!(parse_template("{r_2}}}"), Ok(vec!["r_2".to_owned()]));
        assert!(parse_template("{}").unwrap_err().contains("positional"));
        assert!(parse_template("{0}").unwrap_err().contains("positional"));
        assert!(parse_template("{:.2}").unwrap_err().contains("positional"));
        assert!(parse_template("{a:.*}").unwrap_err().contains(".*"));
        assert!(parse_template("{a:1$}").unwrap_err().contains("positional"));
        assert!(parse_template("{a").unwrap_err().contains("unclosed"));
        assert!(parse_template("a}").unwrap_err().contains("unmatched"));
        assert!(
            parse_template("{a-b}")
                .unwrap_err()
                .contains("not a field name")
        );
    }

    #[test]
    fn headings() {
        assert_eq!(title_case("backtest-results"), "Backtest Results");
        assert_eq!(title_case("week-1"), "Week 1");
    }

    #[test]
    fn typos_are_suggested() {
        assert_eq!(closest("sevrity", ITEM_KEYS), Some("severity"));
        assert_eq!(closest("critcal", Severity::SLUGS), Some("critical"));
        assert_eq!(closest("banana", ITEM_KEYS), None);
        assert_eq!(closest("xyz", ITEM_KEYS), None);
        assert_eq!(closest("owners", ITEM_KEYS), Some("owner"));
    }

    #[test]
    fn slugs_round_trip() {
        for slug in Role::SLUGS {
            assert_eq!(Role::from_slug(slug).map(Role::slug), Some(*slug));
        }
        assert_eq!(Section::SLUGS.len(), 13);
        assert_eq!(Phase::PostLaunchWeeks2To4.variant(), "PostLaunchWeeks2To4");
    }
}
