//! A small demo trading desk: its own checklist items, evaluated on embedded data.
//!
//! `cargo run --example trading_desk` prints the human report and the go/no-go
//! decision; `cargo run --example trading_desk -- run --format json` prints the
//! JSON report. The exit code is 0 when ready, 1 when not, 2 on a usage or
//! configuration error.

mod broker;
mod data;
mod market;
mod risk_engine;

use std::process::ExitCode;

preflight_core::provider! {
    /// Every item of the demo desk.
    pub(crate) fn items = "trading-desk" [
        market::InstrumentUniverse,
        market::OrderThrottle,
        market::FixSession,
        market::VenueAgreements,
    ];
}

fn main() -> ExitCode {
    // The seed catalog (every checklist line) and the desk's own items.
    let providers = [preflight_probes::items(), items()];
    let app = preflight_probes::cli::App::new("trading_desk", &providers)
        .default_config(data::CONFIG, data::root())
        // The desk's records are dated; judging them as of a fixed day keeps
        // the demo's report the same on every run.
        .as_of(data::AS_OF.parse().expect("a valid timestamp"))
        // The conformance suite exercises the desk's own risk engine.
        .setup(|runner| {
            runner
                .extension(preflight_probes::risk::pretrade::RiskEngine::new(
                    risk_engine::DeskRiskEngine::adapter(),
                ))
                // The broker suite exercises the desk's adapter on a simulated venue.
                .extension(preflight_probes::trading::broker::BrokerConformance::new(
                    |primary, _| broker::DeskBroker::connect(primary),
                    false,
                ))
        });
    preflight_probes::cli::main(&app)
}
