//! The report digest: same inputs give the same digest, any changed evidence changes it,
//! and a sign-off counts only for the digest it signed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use preflight_core::meta::Role;
use preflight_core::report::{Blocker, Signoff};
use preflight_core::{
    Check, CheckError, CheckMeta, Config, Context, Evidence, FixedClock, Outcome, Registry, Report,
    Runner,
};

#[derive(Evidence, serde::Serialize)]
#[evidence(summary = "max drawdown {max_drawdown}")]
struct Drawdown {
    max_drawdown: f64,
}

/// Reads its measured value from a shared cell, so a test can change the evidence.
#[derive(Clone)]
struct Measured(Arc<AtomicU64>);

impl Check for Measured {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let (artifact, _) = cx.read_artifact("returns.csv")?;
        let max_drawdown = f64::from_bits(self.0.load(Ordering::SeqCst));
        Ok(Outcome::pass("within limit")
            .with_evidence(&Drawdown { max_drawdown })
            .with_artifact(artifact))
    }
}

struct Fixture {
    dir: tempfile::TempDir,
    value: Arc<AtomicU64>,
    registry: Registry,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("returns.csv"),
            "date,return\n2024-01-02,0.01\n",
        )
        .unwrap();
        let value = Arc::new(AtomicU64::new(0.12_f64.to_bits()));
        let registry = Registry::builder()
            .add_check(
                CheckMeta::new("strategy.backtest.max-drawdown", "Maximum drawdown < 25%").unwrap(),
                Measured(value.clone()),
            )
            .add_attested(
                CheckMeta::new(
                    "legal.review.legal-team-reviewed",
                    "Legal team has reviewed",
                )
                .unwrap(),
            )
            .build()
            .unwrap();
        Fixture {
            dir,
            value,
            registry,
        }
    }

    fn run_at(&self, second: i64, signoffs: Vec<Signoff>) -> Report {
        let mut config = Config::parse("[project]\nname = \"desk\"\n", "preflight.toml").unwrap();
        self.dir.path().clone_into(&mut config.root);
        Runner::new(&self.registry, config)
            .clock(FixedClock(jiff::Timestamp::from_second(second).unwrap()))
            .signoffs(signoffs)
            .run()
            .unwrap()
    }
}

#[test]
fn same_inputs_give_the_same_digest_whatever_the_time() {
    let fixture = Fixture::new();
    let first = fixture.run_at(1_700_000_000, vec![]);
    let second = fixture.run_at(1_800_000_000, vec![]);
    assert_ne!(first.generated_at, second.generated_at);
    assert_eq!(first.digest, second.digest);
    assert!(first.digest.starts_with("sha256:") && first.digest.len() == 7 + 64);
    assert_eq!(first.digest, first.compute_digest());
}

#[test]
fn a_changed_evidence_value_or_artifact_changes_the_digest() {
    let fixture = Fixture::new();
    let before = fixture.run_at(1_700_000_000, vec![]).digest;
    fixture.value.store(0.13_f64.to_bits(), Ordering::SeqCst);
    let changed_value = fixture.run_at(1_700_000_000, vec![]).digest;
    assert_ne!(before, changed_value);
    std::fs::write(
        fixture.dir.path().join("returns.csv"),
        "date,return\n2024-01-02,0.02\n",
    )
    .unwrap();
    let changed_artifact = fixture.run_at(1_700_000_000, vec![]).digest;
    assert_ne!(changed_value, changed_artifact);
}

#[test]
fn a_tampered_saved_report_no_longer_matches_its_digest() {
    let fixture = Fixture::new();
    let report = fixture.run_at(1_700_000_000, vec![]);
    let json = report.render(preflight_core::Format::Json);
    let mut tampered: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(
        tampered.compute_digest(),
        report.digest,
        "a saved report round-trips"
    );
    assert!(tampered.verify().is_empty(), "{:?}", tampered.verify());
    let item = tampered
        .items
        .iter_mut()
        .find(|i| {
            i.evidence
                .as_ref()
                .is_some_and(|e| e.values.get("max_drawdown").is_some())
        })
        .expect("an item with a drawdown in its evidence");
    let id = item.meta.id.to_string();
    item.evidence.as_mut().unwrap().values["max_drawdown"] = serde_json::json!(0.01);
    let problems = tampered.verify();
    assert!(
        problems[0].to_string().contains(&format!("item `{id}`")),
        "verify names the edited item: {problems:?}"
    );
    // Re-sealing the item hides nothing: the report digest no longer matches.
    let item = tampered.items.iter_mut().find(|i| i.meta.id == id).unwrap();
    item.digest = item.compute_digest();
    assert_ne!(tampered.compute_digest(), report.digest);
    assert!(!tampered.verify().is_empty());
}

#[test]
fn sign_offs_count_only_for_the_digest_they_signed() {
    let fixture = Fixture::new();
    let digest = fixture.run_at(1_700_000_000, vec![]).digest;
    let date = jiff::civil::date(2026, 11, 24);
    let report = fixture.run_at(
        1_700_000_000,
        vec![
            Signoff::new(Role::TechLead, "Ada", date, digest.clone()),
            Signoff::new(Role::RiskManager, "Grace", date, "sha256:0000"),
        ],
    );
    assert!(report.signoffs[0].valid);
    assert!(!report.signoffs[1].valid);
    let signoff_blockers: Vec<&Blocker> = report
        .decision
        .blocking
        .iter()
        .filter(|b| matches!(b, Blocker::Signoff { .. }))
        .collect();
    assert_eq!(
        signoff_blockers.len(),
        6,
        "tech lead signed; six roles still missing"
    );
    assert!(signoff_blockers.iter().any(|b| matches!(b,
        Blocker::Signoff { role: Role::RiskManager, reason } if reason.contains("by Grace is outdated"))));
}

#[test]
fn reports_are_written_atomically_and_read_back() {
    let fixture = Fixture::new();
    let report = fixture.run_at(1_700_000_000, vec![]);
    let path = fixture.dir.path().join("out/report.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "old content").unwrap();
    report
        .write_atomic(&path, preflight_core::Format::Json)
        .unwrap();
    let back: Report = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(back.digest, report.digest);
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
}

#[test]
fn a_looser_gate_changes_the_digest() {
    let fixture = Fixture::new();
    let strict = fixture.run_at(1_700_000_000, vec![]);
    let mut config = Config::parse(
        "[project]\nname = \"desk\"\n[gate]\nseverity_floor = \"critical\"\n",
        "preflight.toml",
    )
    .unwrap();
    fixture.dir.path().clone_into(&mut config.root);
    let loose = Runner::new(&fixture.registry, config).run().unwrap();
    assert_ne!(
        strict.digest, loose.digest,
        "a sign-off of the strict report must not carry over"
    );
}

#[test]
fn computed_floats_survive_the_json_round_trip() {
    let fixture = Fixture::new();
    // Values a statistic computes carry all 17 significant digits; a saved
    // report must parse back to the very bits its digests covered.
    for value in [
        0.1 + 0.2,
        1.0 / 3.0,
        0.117_889_527_598_901_54,
        2.0_f64.sqrt() * 1e-7,
    ] {
        fixture.value.store(value.to_bits(), Ordering::SeqCst);
        let report = fixture.run_at(1_700_000_000, vec![]);
        let back: Report =
            serde_json::from_str(&report.render(preflight_core::Format::Json)).unwrap();
        assert!(back.verify().is_empty(), "{value}: {:?}", back.verify());
    }
}
