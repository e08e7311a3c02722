//! Not public API. Used by code that `#[derive(ChecklistItem)]` and `#[derive(Evidence)]` generate.

use std::borrow::Cow;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::check::{Check, ChecklistItem, ParamError, ParamProblem};
use crate::meta::{
    Applicability, CheckMeta, Kind, ParamMeta, Phase, Role, Section, Severity, SourceLocation,
};

// Not public API. Used by generated code.
pub use inventory;
// Not public API. Used by generated code.
pub use std::borrow::Cow as CowStr;
// Not public API. Used by generated code.
pub use std::format;
// Not public API. Used by generated code.
pub use std::option::Option;
// Not public API. Used by generated code.
pub use std::result::Result;
// Not public API. Used by generated code.
pub use std::string::String;
// Not public API. Used by generated code.
pub use toml::Table;

// Not public API. Used by generated code.
/// Every field of [`CheckMeta`], so generated code can build one in a `static`
/// although `CheckMeta` is `#[non_exhaustive]`.
#[derive(Debug)]
pub struct MetaParts {
    pub id: &'static str,
    pub title: &'static str,
    pub section: Section,
    pub group: &'static str,
    pub severity: Severity,
    pub owner: Role,
    pub kind: Kind,
    pub applicability: Applicability,
    pub phase: Phase,
    pub timeout_ms: Option<u64>,
    pub evidence_ttl_ms: Option<u64>,
    pub tags: &'static [Cow<'static, str>],
    pub refs: &'static [Cow<'static, str>],
    pub remediation: Option<&'static str>,
    pub description: &'static str,
    pub inputs: &'static [Cow<'static, str>],
    pub params: &'static [ParamMeta],
    pub file: &'static str,
    pub line: u32,
    pub module_path: &'static str,
}

impl MetaParts {
    // Not public API. Used by generated code.
    #[must_use]
    pub const fn build(self) -> CheckMeta {
        CheckMeta {
            id: Cow::Borrowed(self.id),
            title: Cow::Borrowed(self.title),
            section: self.section,
            group: Cow::Borrowed(self.group),
            severity: self.severity,
            owner: self.owner,
            kind: self.kind,
            applicability: self.applicability,
            phase: self.phase,
            timeout: match self.timeout_ms {
                Some(ms) => Some(Duration::from_millis(ms)),
                None => None,
            },
            evidence_ttl: match self.evidence_ttl_ms {
                Some(ms) => Some(Duration::from_millis(ms)),
                None => None,
            },
            tags: Cow::Borrowed(self.tags),
            refs: Cow::Borrowed(self.refs),
            remediation: match self.remediation {
                Some(r) => Some(Cow::Borrowed(r)),
                None => None,
            },
            description: Cow::Borrowed(self.description),
            inputs: Cow::Borrowed(self.inputs),
            position: None,
            params: Cow::Borrowed(self.params),
            location: Some(SourceLocation {
                file: Cow::Borrowed(self.file),
                line: self.line,
                module_path: Cow::Borrowed(self.module_path),
            }),
        }
    }
}

// Not public API. Used by generated code.
#[must_use]
pub const fn param(name: &'static str, ty: &'static str, doc: &'static str) -> ParamMeta {
    ParamMeta {
        name: Cow::Borrowed(name),
        ty: Cow::Borrowed(ty),
        doc: Cow::Borrowed(doc),
    }
}

// Not public API. Used by generated code.
/// Reads an item's parameters field by field over its `Default`, collecting
/// every problem before reporting.
#[derive(Debug)]
pub struct Params<'a> {
    meta: &'static CheckMeta,
    table: &'a Table,
    problems: Vec<ParamProblem>,
}

impl<'a> Params<'a> {
    // Not public API. Used by generated code.
    #[must_use]
    pub fn new(meta: &'static CheckMeta, table: &'a Table) -> Self {
        Params {
            meta,
            table,
            problems: Vec::new(),
        }
    }

    // Not public API. Used by generated code.
    /// Overwrites `slot` with the value of `key` when the table has one.
    pub fn field<T: DeserializeOwned>(&mut self, key: &str, slot: &mut T) {
        if let Some(value) = self.table.get(key) {
            match T::deserialize(value.clone()) {
                Ok(v) => *slot = v,
                Err(e) => self.problems.push(ParamProblem::InvalidValue {
                    key: key.to_owned(),
                    message: e.message().to_owned(),
                }),
            }
        }
    }

    // Not public API. Used by generated code.
    /// Reports unknown keys and every problem found by [`Params::field`].
    pub fn finish(mut self) -> Result<(), ParamError> {
        let expected: Vec<String> = self
            .meta
            .params
            .iter()
            .map(|p| p.name.to_string())
            .collect();
        for key in self.table.keys() {
            if !expected.iter().any(|e| e == key) {
                self.problems.push(ParamProblem::UnknownKey {
                    key: key.clone(),
                    expected: expected.clone(),
                });
            }
        }
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ParamError {
                id: self.meta.id.to_string(),
                problems: self.problems,
            })
        }
    }
}

// Not public API. Used by generated code.
/// Shows a parameter's default: as TOML when its type is `Serialize`
/// ([`ShowSerialize`]), else not at all ([`ShowFallback`]), picked by autoref
/// method resolution on the concrete type in generated code.
#[derive(Debug)]
pub struct ShowDefault<'a, T>(pub &'a T);

// Not public API. Used by generated code.
/// The preferred way to show a default (see [`ShowDefault`]).
pub trait ShowSerialize {
    // Not public API. Used by generated code.
    fn show(&self) -> Option<String>;
}

impl<T: serde::Serialize> ShowSerialize for ShowDefault<'_, T> {
    fn show(&self) -> Option<String> {
        match toml::Value::try_from(self.0) {
            Ok(value) => Some(value.to_string()),
            // TOML has no null: an `Option` that is `None` by default.
            Err(_) => Some("(none)".to_owned()),
        }
    }
}

// Not public API. Used by generated code.
/// The fallback way to show a default (see [`ShowDefault`]).
pub trait ShowFallback {
    // Not public API. Used by generated code.
    fn show(&self) -> Option<String>;
}

impl<T> ShowFallback for &ShowDefault<'_, T> {
    fn show(&self) -> Option<String> {
        None
    }
}

/// Builds an item's check from its parameters.
pub(crate) type BuildFn = fn(&Table) -> Result<Option<Box<dyn Check>>, ParamError>;

// Not public API. Used by generated code.
/// One item as collected by `inventory`.
#[derive(Debug, Clone, Copy)]
pub struct Registration {
    pub(crate) meta: fn() -> &'static CheckMeta,
    pub(crate) build: BuildFn,
    pub(crate) defaults: fn() -> Vec<Option<String>>,
}

impl Registration {
    // Not public API. Used by generated code.
    #[must_use]
    pub const fn new<T: ChecklistItem>() -> Self {
        Registration {
            meta: T::meta,
            build: build::<T>,
            defaults: T::param_defaults,
        }
    }
}

fn build<T: ChecklistItem>(params: &Table) -> Result<Option<Box<dyn Check>>, ParamError> {
    T::from_params(params).map(ChecklistItem::into_check)
}

inventory::collect!(Registration);

// Not public API. Used by generated code.
/// Boxes an automated item as its check.
pub fn boxed_check<T: Check>(item: T) -> Option<Box<dyn Check>> {
    Some(Box::new(item))
}
