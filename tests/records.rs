//! Attestations, waivers, not-applicable declarations, catalogs and signed
//! sign-offs, through the public API as a service embedding preflight uses them.

use preflight_core::meta::{Applicability, CatalogEntry, Kind, Phase, Role, Severity};
use preflight_core::records::{Attestation, AttestationStatus, Attestations};
use preflight_core::report::{SignoffStatus, Tampering};
use preflight_core::select::Selection;
use preflight_core::signing::KeyPair;
use preflight_core::{
    Check, CheckError, CheckMeta, Config, Context, FixedClock, Outcome, Registry, Runner, Status,
};

#[derive(Clone)]
struct Fails;

impl Check for Fails {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Ok(Outcome::fail("p99 latency 140 ms (limit 100 ms)"))
    }
}

#[derive(Clone)]
struct Counts(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Check for Counts {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(Outcome::pass("ran"))
    }
}

const fn line(id: &'static str, title: &'static str, position: u32) -> CatalogEntry {
    CatalogEntry {
        id,
        title,
        group: "Documentation",
        severity: Severity::High,
        owner: Role::DevopsLead,
        applicability: Applicability::Always,
        phase: Phase::PreLaunch,
        position,
    }
}

/// Out of ID order on purpose: reports follow the checklist's order.
static CATALOG: &[CatalogEntry] = &[
    line("ops.docs.zz-first", "Architecture diagrams up to date", 1),
    line("ops.docs.aa-second", "API documentation complete", 2),
    CatalogEntry {
        applicability: Applicability::IfApplicable,
        ..line("ops.docs.cdn", "CDN configured (if applicable)", 3)
    },
];

preflight_core::provider! {
    /// The test catalog.
    fn catalog = "records-test" [] catalog CATALOG;
}

fn today() -> jiff::Timestamp {
    "2026-11-24T12:00:00Z".parse().unwrap()
}

fn date(text: &str) -> jiff::civil::Date {
    text.parse().unwrap()
}

fn latency() -> CheckMeta {
    CheckMeta::new(
        "trading.market-data.data-latency",
        "Data latency measured and acceptable",
    )
    .unwrap()
    .with_severity(Severity::Critical)
    .with_owner(Role::RiskManager)
}

fn registry() -> Registry {
    Registry::builder()
        .provider(catalog())
        .add_check(latency(), Fails)
        .build()
        .unwrap()
}

/// The records as `preflight attest` would write them, read back.
fn records(list: &[Attestation]) -> Attestations {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("attestations.toml");
    for record in list {
        Attestations::append(&path, record).unwrap();
    }
    Attestations::load(&path).unwrap()
}

fn run(registry: &Registry, config: Config, attestations: Attestations) -> preflight_core::Report {
    Runner::new(registry, config)
        .clock(FixedClock(today()))
        .attestations(attestations)
        .run()
        .unwrap()
}

#[test]
fn catalog_lines_are_attested_items_in_checklist_order() {
    let registry = registry();
    let entry = registry.get("ops.docs.zz-first").unwrap();
    assert_eq!(entry.meta().kind, Kind::Attested);
    assert_eq!(entry.meta().position, Some(1));
    let report = run(&registry, Config::default(), Attestations::default());
    let ids: Vec<&str> = report.items.iter().map(|i| &*i.meta.id).collect();
    // Checklist order within a section, whatever the IDs; sections in seed order.
    assert_eq!(
        ids,
        [
            "ops.docs.zz-first",
            "ops.docs.aa-second",
            "ops.docs.cdn",
            "trading.market-data.data-latency"
        ]
    );
    assert_eq!(report.items[0].status, Status::Pending);
}

#[test]
fn an_implementation_replaces_its_catalog_line_and_must_agree_with_it() {
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let probe = CheckMeta::new("ops.docs.aa-second", "API documentation complete")
        .unwrap()
        .with_severity(Severity::High)
        .with_owner(Role::DevopsLead);
    let mut probe_meta = probe.clone();
    probe_meta.group = "Documentation".into();
    let registry = Registry::builder()
        .provider(catalog())
        .add_check(probe_meta, Counts(counter.clone()))
        .build()
        .unwrap();
    let entry = registry.get("ops.docs.aa-second").unwrap();
    assert_eq!(entry.meta().kind, Kind::Automated);
    assert_eq!(entry.meta().position, Some(2), "takes the line's position");
    assert_eq!(registry.len(), 3);
    let report = run(&registry, Config::default(), Attestations::default());
    assert_eq!(
        report.item("ops.docs.aa-second").unwrap().status,
        Status::Pass
    );
    assert_eq!(counter.load(std::sync::atomic::Ordering::SeqCst), 1);

    // A probe whose metadata drifts from the catalog is refused, naming the field.
    let err = Registry::builder()
        .provider(catalog())
        .add_check(probe.with_severity(Severity::Low), Counts(counter))
        .build()
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("item `ops.docs.aa-second`"), "{text}");
    assert!(
        text.contains("severity is `low` where the catalog says `high`"),
        "{text}"
    );
}

#[test]
fn attestations_satisfy_attested_items_until_they_expire() {
    let registry = registry();
    let report = run(
        &registry,
        Config::default(),
        records(&[
            Attestation::new(
                "ops.docs.zz-first",
                AttestationStatus::Done,
                "Sam",
                Role::DevopsLead,
                date("2026-11-01"),
            )
            .with_evidence("https://wiki.example/arch"),
            // 2026-07-01 + 90 days = 2026-09-29: expired on 2026-11-24.
            Attestation::new(
                "ops.docs.aa-second",
                AttestationStatus::Done,
                "Sam",
                Role::DevopsLead,
                date("2026-07-01"),
            )
            .with_evidence("https://wiki.example/api"),
            Attestation::new(
                "ops.docs.cdn",
                AttestationStatus::NotApplicable,
                "Sam",
                Role::DevopsLead,
                date("2026-11-01"),
            )
            .with_justification("no web content"),
        ]),
    );
    let first = report.item("ops.docs.zz-first").unwrap();
    assert_eq!(first.status, Status::Pass);
    assert!(
        first.message.contains("https://wiki.example/arch"),
        "{}",
        first.message
    );
    assert_eq!(
        first.attestation.as_ref().unwrap().expires,
        date("2027-01-30")
    );
    let stale = report.item("ops.docs.aa-second").unwrap();
    assert_eq!(stale.status, Status::Stale);
    assert!(
        stale.message.contains("expired on 2026-09-29"),
        "{}",
        stale.message
    );
    assert_eq!(
        report.item("ops.docs.cdn").unwrap().status,
        Status::NotApplicable
    );
    assert!(report.decision.blocking.iter().any(|b| matches!(
        b,
        preflight_core::report::Blocker::Item { id, status: Status::Stale, .. } if id == "ops.docs.aa-second"
    )));
}

#[test]
fn a_waiver_keeps_the_raw_result_visible_and_expires() {
    let registry = registry();
    let waiver = |until: &str| {
        Attestation::new(
            "trading.market-data.data-latency",
            AttestationStatus::Waived,
            "Rita",
            Role::RiskManager,
            date("2026-11-01"),
        )
        .with_justification("vendor switch in December")
        .with_expires(date(until))
    };
    let report = run(
        &registry,
        Config::default(),
        records(&[waiver("2026-12-31")]),
    );
    let item = report.item("trading.market-data.data-latency").unwrap();
    assert_eq!(item.status, Status::Waived);
    let raw = item.raw.as_ref().expect("the check's own result");
    assert_eq!(raw.status, Status::Fail);
    assert_eq!(raw.message, "p99 latency 140 ms (limit 100 ms)");
    assert!(
        item.message.contains("until 2026-12-31"),
        "{}",
        item.message
    );
    assert!(!report.decision.blocking.iter().any(|b| matches!(
        b,
        preflight_core::report::Blocker::Item { id, .. } if id == "trading.market-data.data-latency"
    )));

    let report = run(
        &registry,
        Config::default(),
        records(&[waiver("2026-11-20")]),
    );
    let item = report.item("trading.market-data.data-latency").unwrap();
    assert_eq!(item.status, Status::Stale, "{}", item.message);
}

#[test]
fn not_applicable_is_only_for_if_applicable_items_unless_the_gate_allows() {
    let registry = registry();
    let text = r#"
[[attestation]]
item = "ops.docs.zz-first"
status = "not-applicable"
by = "Sam"
role = "devops-lead"
date = 2026-11-01
justification = "no architecture"

[[attestation]]
item = "ops.docs.nope"
status = "done"
by = "Sam"
role = "devops-lead"
date = 2026-11-01
evidence = "x"
"#;
    let attestations = Attestations::parse(text, "preflight/attestations.toml").unwrap();
    let err = Runner::new(&registry, Config::default())
        .attestations(attestations.clone())
        .run()
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("`preflight/attestations.toml`: "),
        "{message}"
    );
    assert!(
        message.contains("line 2: item `ops.docs.zz-first` applies to every system"),
        "{message}"
    );
    assert!(
        message.contains("line 10: unknown item `ops.docs.nope`"),
        "{message}"
    );

    let config = Config::parse(
        "[gate]\nallow_not_applicable = [\"ops.docs.zz-*\"]\n",
        "preflight.toml",
    )
    .unwrap();
    let only_first = Attestations::parse(
        &text[..text
            .find("\n[[attestation]]\nitem = \"ops.docs.nope\"")
            .unwrap()],
        "a.toml",
    )
    .unwrap();
    let report = run(&registry, config, only_first);
    assert_eq!(
        report.item("ops.docs.zz-first").unwrap().status,
        Status::NotApplicable
    );
}

#[test]
fn signed_signoffs_count_for_their_digest_and_key_only() {
    let registry = registry();
    let first = run(&registry, Config::default(), Attestations::default());
    let keys = KeyPair::generate().unwrap();
    let signed = preflight_core::records::SignoffRecord::new(
        Role::DevopsLead,
        "Sam",
        date("2026-11-24"),
        first.digest.clone(),
    )
    .sign(&keys);
    let mut forged = preflight_core::records::SignoffRecord::new(
        Role::RiskManager,
        "Rita",
        date("2026-11-24"),
        first.digest.clone(),
    )
    .sign(&keys);
    forged.name = "Mallory".to_owned();
    let unsigned = preflight_core::records::SignoffRecord::new(
        Role::TechLead,
        "Ada",
        date("2026-11-24"),
        first.digest.clone(),
    );
    let config = Config::parse(
        &format!(
            "[gate]\nsigning_keys = {{ \"tech-lead\" = \"{}\" }}\n",
            keys.public_key_hex()
        ),
        "preflight.toml",
    )
    .unwrap();
    let report = Runner::new(&registry, config)
        .clock(FixedClock(today()))
        .signoffs([&signed, &forged, &unsigned].map(preflight_core::report::Signoff::from))
        .run()
        .unwrap();
    // The gate policy is in the digest: a different policy is a different report.
    assert_ne!(report.digest, first.digest);
    let status: Vec<SignoffStatus> = report.signoffs.iter().map(|s| s.status).collect();
    assert_eq!(
        status,
        [
            SignoffStatus::Outdated,
            SignoffStatus::BadSignature,
            SignoffStatus::WrongKey
        ]
    );

    let report = Runner::new(&registry, Config::default())
        .clock(FixedClock(today()))
        .signoffs([preflight_core::report::Signoff::from(&signed)])
        .run()
        .unwrap();
    assert_eq!(report.signoffs[0].status, SignoffStatus::Valid);
    assert!(report.verify().is_empty());

    // A saved report whose sign-off is edited no longer verifies.
    let mut edited: preflight_core::Report =
        serde_json::from_str(&report.render(preflight_core::Format::Json)).unwrap();
    assert!(edited.verify().is_empty(), "{:?}", edited.verify());
    edited.signoffs[0].name = "Someone Else".to_owned();
    assert!(matches!(
        edited.verify()[..],
        [
            Tampering::Signoff {
                computed: SignoffStatus::BadSignature,
                ..
            },
            ..
        ]
    ));
}

#[test]
fn the_selection_is_recorded_and_covered_by_the_digest() {
    let registry = registry();
    let all = run(&registry, Config::default(), Attestations::default());
    let docs = Runner::new(&registry, Config::default())
        .clock(FixedClock(today()))
        .selection(Selection::default().with_ids(["ops.docs.*"]).unwrap())
        .run()
        .unwrap();
    assert_eq!(docs.items.len(), 3);
    assert_eq!(docs.selection.ids, ["ops.docs.*"]);
    assert_ne!(docs.digest, all.digest);
    let week1 = Runner::new(&registry, Config::default())
        .selection(Selection::default().with_phases([Phase::PostLaunchWeek1]))
        .run()
        .unwrap();
    assert!(week1.items.is_empty());
}
