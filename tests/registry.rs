//! The registry as a program sees it: items of a dependency crate linked through its
//! provider entry point, and the guard against items the linker dropped.

use preflight_core::registry::RegistryProblem;
use preflight_core::{Check, CheckError, CheckMeta, Context, Outcome, Provider, Registry};

/// This test binary references nothing of `desk-items` but its provider entry point.
#[test]
fn a_provider_entry_point_links_every_item_of_its_crate() {
    let registry =
        Registry::from_inventory(&[desk_items::items()]).expect("all declared items present");
    let ids: Vec<&str> = registry.entries().iter().map(|e| &*e.meta().id).collect();
    for declared in desk_items::items().ids() {
        assert!(ids.contains(&declared), "`{declared}` missing from {ids:?}");
    }
    assert_eq!(
        ids,
        [
            "legal.review.legal-team-reviewed",
            "trading.controls.daily-loss-limit",
            "trading.controls.max-order-quantity",
        ],
        "sorted by ID, nothing else linked in"
    );
}

fn not_linked() -> &'static CheckMeta {
    static META: std::sync::OnceLock<CheckMeta> = std::sync::OnceLock::new();
    META.get_or_init(|| CheckMeta::new("ops.docs.runbooks", "Runbooks created").unwrap())
}

#[test]
fn a_declared_item_that_is_not_linked_is_an_error_not_a_silent_pass() {
    static ITEMS: [fn() -> &'static CheckMeta; 1] = [not_linked];
    let provider = Provider::__new("ops-items", &ITEMS);
    let err = Registry::from_inventory(&[desk_items::items(), provider]).unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert!(
        matches!(&err.problems[0], RegistryProblem::Missing { provider, ids } if provider == "ops-items" && ids == &["ops.docs.runbooks"]),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains(
            "crate `ops-items` declares items that are not in the registry: ops.docs.runbooks"
        ),
        "{text}"
    );
}

#[derive(Clone)]
struct Fine;

impl Check for Fine {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Ok(Outcome::pass("fine"))
    }
}

#[test]
fn duplicates_name_both_definitions() {
    let mut meta = CheckMeta::new("trading.controls.daily-loss-limit", "again").unwrap();
    meta.location = None;
    let err = Registry::builder()
        .provider(desk_items::items())
        .add_check(meta, Fine)
        .build()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("duplicate item ID `trading.controls.daily-loss-limit`"),
        "{text}"
    );
    assert!(
        text.contains("limits.rs"),
        "names the derived definition: {text}"
    );
    assert!(
        text.contains("(registered by hand)"),
        "names the other one: {text}"
    );
}

#[test]
fn malformed_ids_are_rejected() {
    let mut meta = CheckMeta::new("ops.docs.runbooks", "Runbooks").unwrap();
    meta.id = "ops.docs.Runbooks".into();
    let err = Registry::builder()
        .add_check(meta, Fine)
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("segment `Runbooks` must be lowercase kebab words"),
        "{err}"
    );
}
