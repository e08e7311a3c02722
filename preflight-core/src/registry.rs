//! The registry: every checklist item linked into the program, sorted by ID and verified.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::__private::Registration;
use crate::check::{Check, ChecklistItem, ParamError, ParamProblem};
use crate::meta::{CatalogEntry, CheckMeta, Kind, validate_id};

/// A crate's declaration of the items it provides.
///
/// Linkers drop object files that nothing references, and with them the
/// link-time registrations of their items: a missing item must never look
/// like a pass. Each item-providing crate therefore exposes one entry point,
/// made with [`provider!`](crate::provider), that the program passes to
/// [`RegistryBuilder::provider`]: calling it references every item (so they
/// are linked) and the registry verifies that every declared ID is present.
#[derive(Debug, Clone, Copy)]
pub struct Provider {
    name: &'static str,
    items: &'static [fn() -> &'static CheckMeta],
    catalog: &'static [CatalogEntry],
}

impl Provider {
    #[doc(hidden)]
    #[must_use]
    pub const fn __new(name: &'static str, items: &'static [fn() -> &'static CheckMeta]) -> Self {
        Provider {
            name,
            items,
            catalog: &[],
        }
    }

    /// Adds a catalog: every line becomes an attested item unless a registered
    /// item implements it (same ID, same metadata); see [`CatalogEntry`].
    #[must_use]
    pub const fn with_catalog(mut self, catalog: &'static [CatalogEntry]) -> Self {
        self.catalog = catalog;
        self
    }

    /// The catalog's lines.
    #[must_use]
    pub fn catalog(&self) -> &'static [CatalogEntry] {
        self.catalog
    }

    /// The providing crate's name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The IDs it declares.
    pub fn ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.items.iter().map(|meta| &*meta().id)
    }
}

/// Declares a crate's items, making the entry point that links them.
///
/// `... [Items] catalog SEED;` adds a catalog (a `&'static [CatalogEntry]`):
/// see [`Provider::with_catalog`].
///
/// ```
/// use preflight_core::{ChecklistItem, Registry};
///
/// /// Every order passes through the risk engine.
/// #[derive(ChecklistItem, Default)]
/// #[item(id = "trading.logic.risk-checks-before-every-order",
///        title = "Risk checks before every order", severity = "critical",
///        owner = "risk-manager", attested)]
/// pub struct RiskChecks;
///
/// preflight_core::provider! {
///     /// The items of this crate.
///     pub fn items = "my-desk" [RiskChecks];
/// }
///
/// let registry = Registry::builder().provider(items()).build().unwrap();
/// assert!(registry.get("trading.logic.risk-checks-before-every-order").is_some());
/// ```
#[macro_export]
macro_rules! provider {
    ($(#[$attr:meta])* $vis:vis fn $name:ident = $crate_name:literal [$($item:ty),* $(,)?] catalog $catalog:expr;) => {
        $(#[$attr])*
        $vis fn $name() -> $crate::Provider {
            $crate::Provider::__new(
                $crate_name,
                &[$(<$item as $crate::ChecklistItem>::meta),*],
            )
            .with_catalog($catalog)
        }
    };
    ($(#[$attr:meta])* $vis:vis fn $name:ident = $crate_name:literal [$($item:ty),* $(,)?];) => {
        $(#[$attr])*
        $vis fn $name() -> $crate::Provider {
            $crate::Provider::__new(
                $crate_name,
                &[$(<$item as $crate::ChecklistItem>::meta),*],
            )
        }
    };
}

type Factory =
    Arc<dyn Fn(&toml::Table) -> Result<Option<Box<dyn Check>>, ParamError> + Send + Sync>;

/// One registered item.
#[derive(Clone)]
pub struct Entry {
    meta: Arc<CheckMeta>,
    factory: Factory,
    defaults: fn() -> Vec<Option<String>>,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("id", &self.meta.id)
            .finish_non_exhaustive()
    }
}

impl Entry {
    /// The item's metadata.
    #[must_use]
    pub fn meta(&self) -> &Arc<CheckMeta> {
        &self.meta
    }

    /// The default of each parameter (see [`ChecklistItem::param_defaults`]).
    #[must_use]
    pub fn param_defaults(&self) -> Vec<Option<String>> {
        (self.defaults)()
    }

    /// Builds the item's check from its parameters (`None` for attested items).
    pub fn build(&self, params: &toml::Table) -> Result<Option<Box<dyn Check>>, ParamError> {
        (self.factory)(params)
    }
}

/// Every item of a program, sorted by ID.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    entries: Vec<Entry>,
}

impl Registry {
    /// Starts a registry.
    #[must_use]
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder::default()
    }

    /// The registry of every item linked into the program, verified against the
    /// providers' declarations.
    pub fn from_inventory(providers: &[Provider]) -> Result<Self, RegistryError> {
        let mut builder = Registry::builder();
        for provider in providers {
            builder = builder.provider(*provider);
        }
        builder.build()
    }

    /// The items, sorted by ID.
    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The items in checklist order (section, checklist position, ID), the
    /// order of reports.
    #[must_use]
    pub fn in_checklist_order(&self) -> Vec<&Entry> {
        let mut entries: Vec<&Entry> = self.entries.iter().collect();
        entries.sort_by(|a, b| a.meta.order_key().cmp(&b.meta.order_key()));
        entries
    }

    /// The item with this ID.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| (*e.meta.id).cmp(id))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// Number of items.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no items.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Collects items: from `inventory` (the derive's registrations) and by hand.
#[derive(Default)]
pub struct RegistryBuilder {
    entries: Vec<Entry>,
    providers: Vec<Provider>,
    use_inventory: bool,
}

impl fmt::Debug for RegistryBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryBuilder")
            .field("entries", &self.entries.len())
            .field("providers", &self.providers)
            .field("use_inventory", &self.use_inventory)
            .finish()
    }
}

impl RegistryBuilder {
    /// Includes every derived item linked into the program and checks that the
    /// provider's declared items are among them.
    #[must_use]
    pub fn provider(mut self, provider: Provider) -> Self {
        self.use_inventory = true;
        self.providers.push(provider);
        self
    }

    /// Includes every derived item linked into the program, with no provider to verify.
    #[must_use]
    pub fn inventory(mut self) -> Self {
        self.use_inventory = true;
        self
    }

    /// Adds one derived item without going through `inventory`.
    #[must_use]
    pub fn item<T: ChecklistItem>(self) -> Self {
        let registration = Registration::new::<T>();
        self.registration(&registration)
    }

    fn registration(mut self, registration: &Registration) -> Self {
        let build = registration.build;
        self.entries.push(Entry {
            meta: Arc::new((registration.meta)().clone()),
            factory: Arc::new(build),
            defaults: registration.defaults,
        });
        self
    }

    /// Adds a hand-written automated item whose check takes no parameters.
    #[must_use]
    pub fn add_check<C: Check + Clone>(mut self, meta: CheckMeta, check: C) -> Self {
        let id = meta.id.to_string();
        self.entries.push(Entry {
            meta: Arc::new(meta.with_kind(Kind::Automated)),
            factory: Arc::new(move |params: &toml::Table| {
                reject_params(&id, params)?;
                Ok(Some(Box::new(check.clone()) as Box<dyn Check>))
            }),
            defaults: Vec::new,
        });
        self
    }

    /// Adds a hand-written attested item.
    #[must_use]
    pub fn add_attested(mut self, meta: CheckMeta) -> Self {
        let id = meta.id.to_string();
        self.entries.push(Entry {
            meta: Arc::new(meta.with_kind(Kind::Attested)),
            factory: Arc::new(move |params: &toml::Table| {
                reject_params(&id, params)?;
                Ok(None)
            }),
            defaults: Vec::new,
        });
        self
    }

    /// Sorts, then rejects malformed IDs, duplicate IDs (naming both definitions)
    /// and declared items that are missing; every problem is reported.
    pub fn build(mut self) -> Result<Registry, RegistryError> {
        if self.use_inventory {
            for registration in inventory::iter::<Registration> {
                self = self.registration(registration);
            }
        }
        let mut problems = Vec::new();
        let mut entries = std::mem::take(&mut self.entries);
        entries.retain(|entry| match validate_id(&entry.meta.id) {
            Ok(parts) if parts.section == entry.meta.section => true,
            Ok(parts) => {
                problems.push(RegistryProblem::SectionMismatch {
                    id: entry.meta.id.to_string(),
                    section: entry.meta.section.slug(),
                    expected: parts.section.slug(),
                });
                false
            }
            Err(e) => {
                problems.push(RegistryProblem::InvalidId {
                    message: e.to_string(),
                    location: location(&entry.meta),
                });
                false
            }
        });
        entries.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        let mut unique: Vec<Entry> = Vec::with_capacity(entries.len());
        for entry in entries {
            match unique.last() {
                Some(prev) if prev.meta.id == entry.meta.id => {
                    problems.push(RegistryProblem::Duplicate {
                        id: entry.meta.id.to_string(),
                        first: location(&prev.meta),
                        second: location(&entry.meta),
                    });
                }
                _ => unique.push(entry),
            }
        }
        let mut registry = Registry { entries: unique };
        apply_catalogs(&mut registry, &self.providers, &mut problems);
        let mut missing: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for provider in &self.providers {
            for id in provider.ids() {
                if registry.get(id).is_none() {
                    missing
                        .entry(provider.name)
                        .or_default()
                        .push(id.to_owned());
                }
            }
        }
        for (provider, ids) in missing {
            problems.push(RegistryProblem::Missing {
                provider: provider.to_owned(),
                ids,
            });
        }
        if problems.is_empty() {
            Ok(registry)
        } else {
            Err(RegistryError { problems })
        }
    }
}

/// Makes each catalog line an attested item unless an item implements it; an
/// implementing item takes the line's position and must agree with its metadata.
fn apply_catalogs(
    registry: &mut Registry,
    providers: &[Provider],
    problems: &mut Vec<RegistryProblem>,
) {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let mut added = Vec::new();
    for provider in providers {
        for line in provider.catalog {
            if let Some(first) = seen.insert(line.id, provider.name) {
                problems.push(RegistryProblem::Duplicate {
                    id: line.id.to_owned(),
                    first: format!("the catalog of `{first}`"),
                    second: format!("the catalog of `{}`", provider.name),
                });
                continue;
            }
            let catalog_meta = match line.meta() {
                Ok(meta) => meta,
                Err(e) => {
                    problems.push(RegistryProblem::InvalidId {
                        message: e.to_string(),
                        location: format!("the catalog of `{}`", provider.name),
                    });
                    continue;
                }
            };
            match registry
                .entries
                .binary_search_by(|e| (*e.meta.id).cmp(line.id))
            {
                Ok(i) => {
                    let entry = &mut registry.entries[i];
                    for (field, catalog, item) in catalog_differences(&catalog_meta, &entry.meta) {
                        problems.push(RegistryProblem::CatalogMismatch {
                            id: line.id.to_owned(),
                            field,
                            catalog,
                            item,
                            location: location(&entry.meta),
                        });
                    }
                    Arc::make_mut(&mut entry.meta).position = Some(line.position);
                }
                Err(_) => added.push(catalog_meta),
            }
        }
    }
    if added.is_empty() {
        return;
    }
    for meta in added {
        let id = meta.id.to_string();
        registry.entries.push(Entry {
            meta: Arc::new(meta),
            factory: Arc::new(move |params: &toml::Table| {
                reject_params(&id, params)?;
                Ok(None)
            }),
            defaults: Vec::new,
        });
    }
    registry.entries.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
}

/// The metadata fields on which an implementation differs from its catalog line.
fn catalog_differences(
    catalog: &CheckMeta,
    item: &CheckMeta,
) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let mut compare = |field: &'static str, a: String, b: String| {
        if a != b {
            out.push((field, a, b));
        }
    };
    compare("title", catalog.title.to_string(), item.title.to_string());
    compare("group", catalog.group.to_string(), item.group.to_string());
    compare(
        "severity",
        catalog.severity.to_string(),
        item.severity.to_string(),
    );
    compare("owner", catalog.owner.to_string(), item.owner.to_string());
    compare(
        "applicability",
        catalog.applicability.to_string(),
        item.applicability.to_string(),
    );
    compare("phase", catalog.phase.to_string(), item.phase.to_string());
    out
}

fn reject_params(id: &str, params: &toml::Table) -> Result<(), ParamError> {
    if params.is_empty() {
        return Ok(());
    }
    Err(ParamError {
        id: id.to_owned(),
        problems: params
            .keys()
            .map(|key| ParamProblem::UnknownKey {
                key: key.clone(),
                expected: Vec::new(),
            })
            .collect(),
    })
}

fn location(meta: &CheckMeta) -> String {
    meta.location
        .as_ref()
        .map_or_else(|| "(registered by hand)".to_owned(), ToString::to_string)
}

/// The registry cannot be trusted; every problem is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RegistryError {
    /// Every problem found.
    pub problems: Vec<RegistryProblem>,
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the checklist registry is invalid:")?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

/// One problem of a registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryProblem {
    /// Two items share an ID.
    #[error(
        "duplicate item ID `{id}`: defined at {first} and again at {second}; IDs must be unique, rename one"
    )]
    Duplicate {
        /// The shared ID.
        id: String,
        /// The first definition.
        first: String,
        /// The second definition.
        second: String,
    },
    /// A malformed ID.
    #[error("{message} (defined at {location})")]
    InvalidId {
        /// What is wrong with the ID.
        message: String,
        /// Where the item is defined.
        location: String,
    },
    /// The metadata's section differs from the ID's first segment.
    #[error("item `{id}` says section `{section}` but its ID puts it in `{expected}`")]
    SectionMismatch {
        /// The item.
        id: String,
        /// The section in the metadata.
        section: &'static str,
        /// The section the ID names.
        expected: &'static str,
    },
    /// An item implements a catalog line but its metadata disagrees with the line.
    #[error(
        "item `{id}` (defined at {location}) implements a catalog line but its {field} is `{item}` where the catalog says `{catalog}`; make them agree"
    )]
    CatalogMismatch {
        /// The item.
        id: String,
        /// The field that differs.
        field: &'static str,
        /// The catalog's value.
        catalog: String,
        /// The item's value.
        item: String,
        /// Where the item is defined.
        location: String,
    },
    /// Declared items that were not linked into the program.
    #[error(
        "crate `{provider}` declares items that are not in the registry: {}; the linker dropped them or they lost their #[derive(ChecklistItem)]: call the crate's provider entry point from the program and keep every declared item derived",
        ids.join(", ")
    )]
    Missing {
        /// The declaring crate.
        provider: String,
        /// The missing IDs.
        ids: Vec<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CheckError, Context, Outcome};

    #[derive(Clone)]
    struct Ok_;

    impl Check for Ok_ {
        fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
            Ok(Outcome::pass("ok"))
        }
    }

    fn meta(id: &str) -> CheckMeta {
        CheckMeta {
            id: id.to_owned().into(),
            ..CheckMeta::new("code.review.x", "x").unwrap()
        }
    }

    #[test]
    fn sorted_and_duplicates_rejected() {
        let err = Registry::builder()
            .add_check(meta("code.review.b"), Ok_)
            .add_check(meta("code.review.a"), Ok_)
            .add_check(meta("code.review.b"), Ok_)
            .add_check(meta("code.Review.c"), Ok_)
            .build()
            .unwrap_err();
        assert_eq!(err.problems.len(), 2, "{err}");
        let text = err.to_string();
        assert!(text.contains("duplicate item ID `code.review.b`"), "{text}");
        assert!(text.contains("segment `Review`"), "{text}");

        let registry = Registry::builder()
            .add_check(meta("code.review.b"), Ok_)
            .add_check(meta("code.review.a"), Ok_)
            .build()
            .unwrap();
        let ids: Vec<&str> = registry.entries().iter().map(|e| &*e.meta().id).collect();
        assert_eq!(ids, ["code.review.a", "code.review.b"]);
    }

    #[test]
    fn hand_written_items_reject_parameters() {
        let registry = Registry::builder()
            .add_check(meta("code.review.a"), Ok_)
            .build()
            .unwrap();
        let mut params = toml::Table::new();
        params.insert("min".into(), toml::Value::Integer(1));
        let err = registry
            .get("code.review.a")
            .unwrap()
            .build(&params)
            .err()
            .unwrap();
        assert!(err.to_string().contains("has no parameters"), "{err}");
    }
}
