//! # preflight-probes
//!
//! The ready-made side of preflight:
//!
//! - [`catalog`]: every line of the seed checklist as an item with a stable ID.
//!   A line is an attested item until a probe with its ID is registered.
//! - [`cli`]: the `preflight` command line, which any crate can offer over its
//!   own items with one call from `main`.
//! - [`code`] (feature `code`): source scanners for leftover work markers
//!   and hardcoded credentials, and the reports of linters and
//!   vulnerability scanners.
//! - [`testing`] (feature `testing`): coverage reports, `JUnit` XML test
//!   reports, latency samples, load-test summaries and chaos journals.
//! - [`strategy`] (feature `strategy`): backtest statistics, overfitting,
//!   paper trading and model validation probes.
//! - [`risk`] (feature `risk`): the `risk.toml` limits schema, the items that
//!   judge it, and the pre-trade risk conformance suite.
//! - [`trading`] (feature `trading`): broker conformance, the order log
//!   reconciled as a stream, end-of-day reconciliation, exchange calendars,
//!   market-data quality, coverage and feed latency.
//!
//! [`items`] is the crate's entry point: pass it to
//! [`Registry::from_inventory`](preflight_core::Registry::from_inventory) (or to
//! [`cli::App::new`]) so that the catalog and every probe are linked in.
//!
//! ```
//! use preflight_core::Registry;
//! use preflight_core::meta::Kind;
//!
//! let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
//! assert_eq!(registry.len(), 240);
//! let sharpe = registry.get("strategy.backtest.sharpe-ratio").unwrap();
//! assert_eq!(sharpe.meta().title, "Sharpe ratio > 1.0");
//! ```
#![forbid(unsafe_code)]

pub mod catalog;
pub mod cli;
#[cfg(feature = "code")]
pub mod code;
#[cfg(test)]
mod damage;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(any(feature = "code", feature = "testing"))]
mod globs;
#[cfg(feature = "trading")]
mod lines;
#[cfg(any(feature = "strategy", feature = "trading"))]
mod number;
#[cfg(feature = "risk")]
pub mod risk;
#[cfg(feature = "strategy")]
pub mod strategy;
#[cfg(any(feature = "risk", feature = "trading"))]
mod table;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(any(feature = "code", feature = "testing", feature = "trading"))]
mod text;
#[cfg(feature = "trading")]
pub mod trading;

#[cfg(all(
    feature = "code",
    feature = "strategy",
    feature = "risk",
    feature = "testing",
    feature = "trading"
))]
preflight_core::provider! {
    /// The seed catalog and every probe of this crate: the entry point that links them.
    pub fn items = "preflight-probes" [
        strategy::backtest::SharpeRatio,
        strategy::backtest::MaxDrawdown,
        strategy::backtest::WinRate,
        strategy::backtest::MarketRegimes,
        strategy::backtest::CostsIncluded,
        strategy::backtest::OutOfSample,
        strategy::backtest::WalkForward,
        strategy::backtest::BacktestHistory,
        strategy::paper::PaperTrading,
        strategy::overfitting::Overfitting,
        strategy::model::DriftDetection,
        strategy::model::CrossValidation,
        strategy::model::ModelVersioning,
        strategy::model::FallbackModel,
        risk::config::MaxPortfolioExposure,
        risk::config::LeverageLimits,
        risk::config::LossLimits,
        risk::config::MaxPositionSizes,
        risk::history::ValidatedInBacktest,
        risk::history::CorrelationLimits,
        risk::pretrade::RiskChecksBeforeEveryOrder,
        risk::pretrade::DuplicateOrderPrevention,
        risk::pretrade::TradingLimits,
        risk::pretrade::LeverageEnforced,
        risk::pretrade::DailyLossCircuitBreakers,
        risk::pretrade::CircuitBreakers,
        risk::pretrade::StopLoss,
        risk::pretrade::PositionSizing,
        risk::pretrade::PositionSizingValidated,
        trading::orders::OrderReconciliation,
        trading::recon::EndOfDayReconciliation,
        trading::recon::PositionTracking,
        trading::broker::ApiIntegration,
        trading::broker::OrderExecution,
        trading::broker::AccountBalance,
        trading::broker::RejectedOrders,
        trading::broker::ApiRateLimits,
        trading::broker::BackupBrokerFailover,
        trading::broker::OrderRouting,
        trading::bars::DataQualityChecks,
        trading::bars::ValidationRules,
        trading::bars::MissingDataHandling,
        trading::bars::HistoricalBackfill,
        trading::backup::BackupSources,
        trading::schedule::HolidaySchedule,
        trading::schedule::MarketHours,
        trading::schedule::ExtendedHours,
        trading::feed::DataLatency,
        trading::feed::RealTimeFeed,
        code::markers::NoTodoFixme,
        code::secrets::NoHardcodedSecrets,
        code::lint::StyleGuide,
        code::lint::StaticAnalysis,
        code::vulnerabilities::SecurityVulnerabilities,
        testing::coverage::UnitCoverage,
        testing::junit::IntegrationTests,
        testing::junit::EndToEnd,
        testing::latency::PerformanceLatency,
        testing::load::LoadTest,
        testing::chaos::ChaosExperiments,
    ] catalog catalog::SEED;
}

// Without every area feature, the catalog's lines stay attested: the
// entry point links the catalog alone (an item is never half provided).
#[cfg(not(all(
    feature = "code",
    feature = "strategy",
    feature = "risk",
    feature = "testing",
    feature = "trading"
)))]
preflight_core::provider! {
    /// The seed catalog: the entry point that links it.
    pub fn items = "preflight-probes" [] catalog catalog::SEED;
}
