//! Static metadata of a checklist item: what it is, who owns it and how it is judged.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Declares a string-backed enum with its slugs, a display name and `FromStr`.
macro_rules! slug_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $slug:literal, $title:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $slug)] $variant, )+
        }

        impl $name {
            /// Every value, in their canonical order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The kebab-case slug used in IDs, configuration files and reports.
            #[must_use]
            pub const fn slug(self) -> &'static str {
                match self { $($name::$variant => $slug),+ }
            }

            /// The human-readable name, as the seed checklist writes it.
            #[must_use]
            pub const fn title(self) -> &'static str {
                match self { $($name::$variant => $title),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.slug())
            }
        }

        impl FromStr for $name {
            type Err = UnknownSlug;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($slug => Ok($name::$variant),)+
                    _ => Err(UnknownSlug {
                        what: $what,
                        value: s.to_owned(),
                        expected: &[$($slug),+],
                    }),
                }
            }
        }
    };
}

/// A string that names none of the values of a metadata enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}` (expected one of: {})", expected.join(", "))]
pub struct UnknownSlug {
    /// What was being parsed (`severity`, `role`, ...).
    pub what: &'static str,
    /// The rejected input.
    pub value: String,
    /// The accepted slugs.
    pub expected: &'static [&'static str],
}

slug_enum! {
    /// A top-level section of the checklist; the first segment of every item ID.
    Section, "section" {
        /// 1. Code Quality and Testing.
        Code = "code", "Code Quality and Testing";
        /// 2. Strategy Validation.
        Strategy = "strategy", "Strategy Validation";
        /// 3. Infrastructure.
        Infra = "infra", "Infrastructure";
        /// 4. Security.
        Security = "security", "Security";
        /// 5. Monitoring and Observability.
        Monitoring = "monitoring", "Monitoring and Observability";
        /// 6. Data Management.
        Data = "data", "Data Management";
        /// 7. Deployment.
        Deploy = "deploy", "Deployment";
        /// 8. Disaster Recovery.
        Dr = "dr", "Disaster Recovery";
        /// 9. Operations.
        Ops = "ops", "Operations";
        /// 10. Business and Legal.
        Legal = "legal", "Business and Legal";
        /// 11. Performance and Scalability.
        Perf = "perf", "Performance and Scalability";
        /// 12. Trading-Specific Checks.
        Trading = "trading", "Trading-Specific Checks";
        /// Post-Launch (weeks 1 to 4 and month 1).
        PostLaunch = "post-launch", "Post-Launch";
    }
}

slug_enum! {
    /// How much a failing item matters; the gate can ignore items below a floor.
    Severity, "severity" {
        /// Informational: never worth delaying a launch on its own.
        Low = "low", "Low";
        /// Should be fixed before launch.
        Medium = "medium", "Medium";
        /// Must be fixed before launch unless waived.
        High = "high", "High";
        /// Trading must not start while this item is not satisfied.
        Critical = "critical", "Critical";
    }
}

slug_enum! {
    /// A sign-off role from the seed checklist's sign-off table.
    Role, "role" {
        /// Tech Lead.
        TechLead = "tech-lead", "Tech Lead";
        /// DevOps Lead.
        DevopsLead = "devops-lead", "DevOps Lead";
        /// Security Lead.
        SecurityLead = "security-lead", "Security Lead";
        /// Trading Strategist.
        TradingStrategist = "trading-strategist", "Trading Strategist";
        /// Risk Manager.
        RiskManager = "risk-manager", "Risk Manager";
        /// Product Owner.
        ProductOwner = "product-owner", "Product Owner";
        /// Legal/Compliance.
        LegalCompliance = "legal-compliance", "Legal/Compliance";
    }
}

slug_enum! {
    /// How an item is satisfied.
    Kind, "kind" {
        /// A program reads evidence and decides (`impl Check`).
        Automated = "automated", "Automated";
        /// A person attests it; no program can verify it.
        Attested = "attested", "Attested";
    }
}

slug_enum! {
    /// Whether an item applies to every system.
    Applicability, "applicability" {
        /// Every system must satisfy the item.
        Always = "always", "Always";
        /// Marked "(if applicable)" in the seed: may be declared not applicable with a reason.
        IfApplicable = "if-applicable", "If applicable";
    }
}

slug_enum! {
    /// When in the launch an item is due.
    Phase, "phase" {
        /// Before go-live.
        PreLaunch = "pre-launch", "Pre-launch";
        /// During the first week after go-live.
        PostLaunchWeek1 = "post-launch-week-1", "Week 1";
        /// During weeks 2 to 4 after go-live.
        PostLaunchWeeks2To4 = "post-launch-weeks-2-4", "Week 2-4";
        /// During the first month after go-live.
        PostLaunchMonth1 = "post-launch-month-1", "Month 1";
    }
}

/// Where a checklist item was defined, for error messages that name both sides of a clash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLocation {
    /// The source file, as `file!()` gives it.
    pub file: Cow<'static, str>,
    /// The 1-based line of the definition.
    pub line: u32,
    /// The module that defines the item, as `module_path!()` gives it.
    pub module_path: Cow<'static, str>,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} ({})", self.file, self.line, self.module_path)
    }
}

/// One configurable parameter of an item: a field of the item's struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamMeta {
    /// The key in `[checks."<id>"]`.
    pub name: Cow<'static, str>,
    /// The Rust type, as written in the struct.
    pub ty: Cow<'static, str>,
    /// The field's doc comment.
    pub doc: Cow<'static, str>,
}

/// Static metadata of a checklist item, written by `#[derive(ChecklistItem)]`.
///
/// Every string is a `Cow` so that the same type serves the compiled-in
/// catalog (borrowed, `const`) and reports read back from JSON (owned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CheckMeta {
    /// Stable ID, `section.group.item` in lowercase kebab words.
    pub id: Cow<'static, str>,
    /// The checklist line.
    pub title: Cow<'static, str>,
    /// The section, always the first segment of the ID.
    pub section: Section,
    /// The group heading within the section (e.g. "Backtesting Results").
    pub group: Cow<'static, str>,
    /// How much a failure matters.
    pub severity: Severity,
    /// The sign-off role that owns the item.
    pub owner: Role,
    /// Automated (a probe) or attested (a person).
    pub kind: Kind,
    /// Whether the item may be declared not applicable.
    pub applicability: Applicability,
    /// When the item is due.
    pub phase: Phase,
    /// Longest a run of the check may take; the runner's default applies when `None`.
    #[serde(
        default,
        with = "duration_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout: Option<Duration>,
    /// How long evidence or an attestation stays valid.
    #[serde(
        default,
        with = "duration_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub evidence_ttl: Option<Duration>,
    /// Free-form tags for selection.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub tags: Cow<'static, [Cow<'static, str>]>,
    /// Regulatory or standards references, e.g. `MiFID II RTS 6 Art. 15`.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub refs: Cow<'static, [Cow<'static, str>]>,
    /// What to do when the item does not pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Cow<'static, str>>,
    /// The item's doc comment: what it verifies and how.
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub description: Cow<'static, str>,
    /// The shared inputs (`[inputs.<name>]`) the item's check reads.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub inputs: Cow<'static, [Cow<'static, str>]>,
    /// The item's line number in its checklist (1-based, counting checklist lines
    /// only); reports list items in checklist order. `None` for items of no checklist,
    /// which follow the checklist's items of their section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    /// The configurable parameters (struct fields).
    #[serde(skip)]
    pub params: Cow<'static, [ParamMeta]>,
    /// Where the item was defined.
    #[serde(skip)]
    pub location: Option<SourceLocation>,
}

impl CheckMeta {
    /// Metadata with the given ID and title and every other field at its default:
    /// section from the ID, group from the ID's second segment, medium severity,
    /// owned by the tech lead, automated, always applicable, pre-launch.
    ///
    /// Meant for hand-written items and tests; derived items set every field.
    ///
    /// # Errors
    /// When `id` is not a valid item ID (see [`validate_id`]).
    pub fn new(
        id: impl Into<Cow<'static, str>>,
        title: impl Into<Cow<'static, str>>,
    ) -> Result<Self, IdError> {
        let id = id.into();
        let parts = validate_id(&id)?;
        Ok(CheckMeta {
            section: parts.section,
            group: Cow::Owned(title_case(parts.group)),
            id: id.clone(),
            title: title.into(),
            severity: Severity::Medium,
            owner: Role::TechLead,
            kind: Kind::Automated,
            applicability: Applicability::Always,
            phase: Phase::PreLaunch,
            timeout: None,
            evidence_ttl: None,
            tags: Cow::Borrowed(&[]),
            refs: Cow::Borrowed(&[]),
            remediation: None,
            description: Cow::Borrowed(""),
            inputs: Cow::Borrowed(&[]),
            position: None,
            params: Cow::Borrowed(&[]),
            location: None,
        })
    }

    /// The order in which reports list items: by section, then checklist position
    /// (items of no checklist last), then ID.
    #[must_use]
    pub fn order_key(&self) -> (Section, u32, &str) {
        (self.section, self.position.unwrap_or(u32::MAX), &self.id)
    }

    /// Sets the severity.
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets the owning role.
    #[must_use]
    pub fn with_owner(mut self, owner: Role) -> Self {
        self.owner = owner;
        self
    }

    /// Sets the kind.
    #[must_use]
    pub fn with_kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// Sets the applicability.
    #[must_use]
    pub fn with_applicability(mut self, applicability: Applicability) -> Self {
        self.applicability = applicability;
        self
    }

    /// Sets the phase.
    #[must_use]
    pub fn with_phase(mut self, phase: Phase) -> Self {
        self.phase = phase;
        self
    }

    /// Sets the remediation text.
    #[must_use]
    pub fn with_remediation(mut self, remediation: impl Into<Cow<'static, str>>) -> Self {
        self.remediation = Some(remediation.into());
        self
    }

    /// Sets the timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

/// One line of a checklist, as a catalog declares it: the metadata that every
/// implementation of the line shares.
///
/// A catalog (see [`Provider::with_catalog`](crate::Provider::with_catalog))
/// makes each of its lines an attested item, unless an item with the same ID is
/// registered: then that item implements the line, and its metadata must agree
/// with the catalog's. An item becomes automated by adding a probe with the ID,
/// never by changing the ID.
///
/// ```
/// use preflight_core::meta::{Applicability, CatalogEntry, Phase, Role, Severity};
/// let line = CatalogEntry {
///     id: "code.review.peer-reviewed",
///     title: "All code has been peer-reviewed",
///     group: "Code Review",
///     severity: Severity::High,
///     owner: Role::TechLead,
///     applicability: Applicability::Always,
///     phase: Phase::PreLaunch,
///     position: 1,
/// };
/// let meta = line.meta().unwrap();
/// assert_eq!(meta.position, Some(1));
/// assert_eq!(meta.kind, preflight_core::meta::Kind::Attested);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogEntry {
    /// Stable ID.
    pub id: &'static str,
    /// The exact checklist line.
    pub title: &'static str,
    /// The group heading the line sits under.
    pub group: &'static str,
    /// How much a failure matters.
    pub severity: Severity,
    /// The owning sign-off role.
    pub owner: Role,
    /// Whether the line is marked "(if applicable)".
    pub applicability: Applicability,
    /// When the line is due.
    pub phase: Phase,
    /// The line's number among the checklist's lines (1-based).
    pub position: u32,
}

impl CatalogEntry {
    /// The line's metadata, as an attested item.
    ///
    /// # Errors
    /// When the ID is malformed.
    pub fn meta(&self) -> Result<CheckMeta, IdError> {
        let mut meta = CheckMeta::new(self.id, self.title)?
            .with_severity(self.severity)
            .with_owner(self.owner)
            .with_kind(Kind::Attested)
            .with_applicability(self.applicability)
            .with_phase(self.phase);
        meta.group = Cow::Borrowed(self.group);
        meta.position = Some(self.position);
        Ok(meta)
    }
}

/// Turns a kebab slug into a heading: `backtest-results` becomes `Backtest Results`.
fn title_case(slug: &str) -> String {
    slug.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The three segments of a valid item ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdParts<'a> {
    /// The section (first segment).
    pub section: Section,
    /// The group slug (second segment).
    pub group: &'a str,
    /// The item slug (third segment).
    pub item: &'a str,
}

/// Why a string is not a valid item ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Not three dot-separated segments.
    #[error(
        "item ID `{0}` must have three dot-separated segments, `section.group.item` (e.g. `strategy.backtest.sharpe-ratio`)"
    )]
    Segments(String),
    /// A segment that is not lowercase kebab words.
    #[error(
        "item ID `{id}`: segment `{segment}` must be lowercase kebab words (a-z, 0-9, single dashes between words)"
    )]
    Segment {
        /// The whole ID.
        id: String,
        /// The offending segment.
        segment: String,
    },
    /// The first segment names no section.
    #[error("item ID `{id}`: {source}")]
    Section {
        /// The whole ID.
        id: String,
        /// What was wrong with the section.
        source: UnknownSlug,
    },
}

/// Checks an item ID: `section.group.item`, each segment lowercase kebab words,
/// the section one of [`Section`]'s slugs.
///
/// ```
/// use preflight_core::meta::{validate_id, Section};
/// let parts = validate_id("strategy.backtest.sharpe-ratio").unwrap();
/// assert_eq!(parts.section, Section::Strategy);
/// assert!(validate_id("Strategy.backtest.sharpe").is_err());
/// ```
pub fn validate_id(id: &str) -> Result<IdParts<'_>, IdError> {
    let segments: Vec<&str> = id.split('.').collect();
    let [section, group, item] = segments[..] else {
        return Err(IdError::Segments(id.to_owned()));
    };
    for segment in [section, group, item] {
        if !is_kebab(segment) {
            return Err(IdError::Segment {
                id: id.to_owned(),
                segment: segment.to_owned(),
            });
        }
    }
    let section = section.parse().map_err(|source| IdError::Section {
        id: id.to_owned(),
        source,
    })?;
    Ok(IdParts {
        section,
        group,
        item,
    })
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

/// Parses a duration written as `30s`, `500ms`, `5m`, `2h`, `90d` or `1h 30m`
/// (days are 24 hours; months and years are refused because their length varies).
///
/// ```
/// use std::time::Duration;
/// assert_eq!(preflight_core::meta::parse_duration("1m 30s"), Ok(Duration::from_secs(90)));
/// assert!(preflight_core::meta::parse_duration("1mo").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let span: jiff::Span = text
        .parse()
        .map_err(|e| format!("`{text}` is not a duration such as `30s`, `5m` or `90d`: {e}"))?;
    let signed = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|_| {
            format!("`{text}`: use units up to weeks (`w`, `d`, `h`, `m`, `s`, `ms`), not months or years")
        })?;
    Duration::try_from(signed).map_err(|_| format!("`{text}`: a duration must not be negative"))
}

/// Formats a duration the way [`parse_duration`] reads it (`1h 30m`).
#[must_use]
pub fn format_duration(duration: Duration) -> String {
    let signed = jiff::SignedDuration::try_from(duration).unwrap_or(jiff::SignedDuration::MAX);
    format!("{signed:#}")
}

/// Serde for `Option<Duration>` as a friendly string (`"30s"`).
pub(crate) mod duration_opt {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(clippy::ref_option)] // serde's `with` passes `&Option<T>`.
    pub(crate) fn serialize<S: Serializer>(
        value: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => serializer.serialize_str(&super::format_duration(*d)),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|s| super::parse_duration(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_validated() {
        assert!(validate_id("post-launch.week-1.monitor-alerts-daily").is_ok());
        assert!(matches!(
            validate_id("code.review"),
            Err(IdError::Segments(_))
        ));
        assert!(matches!(
            validate_id("code.review.no--todo"),
            Err(IdError::Segment { .. })
        ));
        assert!(matches!(
            validate_id("code.Review.x"),
            Err(IdError::Segment { .. })
        ));
        let err = validate_id("cod.review.x").unwrap_err();
        assert!(err.to_string().contains("unknown section `cod`"), "{err}");
    }

    #[test]
    fn slugs_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.slug().parse::<Role>().unwrap(), *role);
        }
        assert_eq!(Role::ALL.len(), 7);
        assert_eq!(Section::ALL.len(), 13);
        let err = "boss".parse::<Role>().unwrap_err();
        assert!(err.to_string().contains("tech-lead"), "{err}");
    }

    #[test]
    fn durations_parse_and_format() {
        assert_eq!(parse_duration("90d"), Ok(Duration::from_secs(90 * 86_400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(format_duration(Duration::from_secs(90)), "1m 30s");
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn new_meta_infers_section_and_group() {
        let meta = CheckMeta::new("strategy.backtest-results.sharpe-ratio", "Sharpe").unwrap();
        assert_eq!(meta.section, Section::Strategy);
        assert_eq!(meta.group, "Backtest Results");
    }
}
