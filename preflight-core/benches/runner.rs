//! Overhead of the registry and the runner.
//!
//! Targets (issue 2): registry build plus a run of 10 000 trivial items under
//! 20 ms (under 2 µs of overhead per item), and 64 items that each sleep
//! 200 ms finishing in under 1.5 s of wall time on 2 cores (concurrency, not
//! the 12.8 s sum). A run includes everything a report needs: checklist
//! order, selection, per-item digests (hashed on the worker threads), the
//! report digest, the summary and the gate.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use preflight_core::config::GateConfig;
use preflight_core::meta::Role;
use preflight_core::{Check, CheckError, CheckMeta, Config, Context, Outcome, Registry, Runner};

#[derive(Clone)]
struct Trivial;

impl Check for Trivial {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Ok(Outcome::pass("ok"))
    }
}

#[derive(Clone)]
struct Sleeps(Duration);

impl Check for Sleeps {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        std::thread::sleep(self.0);
        Ok(Outcome::pass("slept"))
    }
}

fn registry<C: Check + Clone>(count: usize, check: &C) -> Registry {
    let mut builder = Registry::builder();
    for i in 0..count {
        let meta =
            CheckMeta::new(format!("perf.bench.item-{i:05}"), "benchmark item").expect("valid ID");
        builder = builder.add_check(meta, check.clone());
    }
    builder.build().expect("unique IDs")
}

fn config() -> Config {
    let mut config = Config::default();
    config.gate = GateConfig::default().with_required_roles(Vec::<Role>::new());
    config
}

fn benches(c: &mut Criterion) {
    c.bench_function("registry build, 10 000 items", |b| {
        b.iter(|| registry(10_000, &Trivial));
    });

    let trivial = registry(10_000, &Trivial);
    c.bench_function("run 10 000 trivial items", |b| {
        b.iter(|| {
            let report = Runner::new(&trivial, config()).run().expect("valid config");
            assert!(report.is_ready());
        });
    });

    let sleepy = registry(64, &Sleeps(Duration::from_millis(200)));
    let mut group = c.benchmark_group("concurrency");
    group.sample_size(10);
    group.bench_function("run 64 items sleeping 200 ms", |b| {
        b.iter(|| {
            let report = Runner::new(&sleepy, config()).run().expect("valid config");
            assert!(report.is_ready());
        });
    });
    group.finish();
}

criterion_group!(runner, benches);
criterion_main!(runner);
