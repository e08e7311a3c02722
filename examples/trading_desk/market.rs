//! Trading items: the instrument universe, order throttling, the FIX session and venue agreements.

use preflight_core::{Check, CheckError, ChecklistItem, Context, Evidence, Outcome};
use serde::{Deserialize, Serialize};

use crate::data;

/// The part of the strategy configuration these items read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrategyConfig {
    instruments: Vec<String>,
    orders_per_second: u32,
}

fn strategy_config() -> Result<StrategyConfig, CheckError> {
    toml::from_str(data::STRATEGY_TOML).map_err(|e| CheckError::Malformed {
        location: "strategy.toml".to_owned(),
        message: e.to_string(),
    })
}

/// Every instrument the strategy trades is in the venue's tradable universe.
#[derive(ChecklistItem, Default)]
#[item(
    id = "trading.desk.instrument-universe",
    title = "Every traded instrument is tradable at the venue",
    severity = "high",
    owner = "trading-strategist",
    group = "Desk Trading"
)]
pub(crate) struct InstrumentUniverse;

#[derive(Evidence, Serialize)]
#[evidence(summary = "{listed} of {configured} instruments listed; unknown: {unknown_list}")]
struct UniverseEvidence {
    configured: usize,
    listed: usize,
    unknown: Vec<String>,
    unknown_list: String,
}

impl Check for InstrumentUniverse {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        let config = strategy_config()?;
        let universe: Vec<&str> = data::UNIVERSE_CSV
            .lines()
            .skip(1)
            .filter_map(|line| line.split(',').next())
            .collect();
        let unknown: Vec<String> = config
            .instruments
            .iter()
            .filter(|symbol| !universe.contains(&symbol.as_str()))
            .cloned()
            .collect();
        let evidence = UniverseEvidence {
            configured: config.instruments.len(),
            listed: config.instruments.len() - unknown.len(),
            unknown_list: if unknown.is_empty() {
                "none".to_owned()
            } else {
                unknown.join(", ")
            },
            unknown,
        };
        let outcome = if evidence.unknown.is_empty() {
            Outcome::pass("every configured instrument is tradable")
        } else {
            Outcome::fail(format!(
                "the strategy trades instruments the venue does not list: {}",
                evidence.unknown_list
            ))
        };
        Ok(outcome
            .with_evidence(&evidence)
            .with_artifact(data::artifact("strategy.toml", data::STRATEGY_TOML))
            .with_artifact(data::artifact("universe.csv", data::UNIVERSE_CSV)))
    }
}

/// The strategy's order rate stays under the venue's message limit, with headroom.
#[derive(ChecklistItem)]
#[item(id = "trading.desk.order-throttle", title = "Order rate leaves headroom under the venue limit",
       severity = "high", owner = "risk-manager", group = "Desk Trading",
       refs = ["MiFID II RTS 6 Art. 15"])]
pub(crate) struct OrderThrottle {
    /// The venue's order limit per second.
    pub(crate) venue_limit_per_second: u32,
    /// Warn when the configured rate uses more than this fraction of the limit.
    pub(crate) headroom_warn: f64,
}

impl Default for OrderThrottle {
    fn default() -> Self {
        OrderThrottle {
            venue_limit_per_second: 50,
            headroom_warn: 0.8,
        }
    }
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "{orders_per_second} orders/s against a venue limit of {venue_limit} ({utilisation_pct:.0}% used)"
)]
struct ThrottleEvidence {
    orders_per_second: u32,
    venue_limit: u32,
    utilisation_pct: f64,
}

impl Check for OrderThrottle {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        let config = strategy_config()?;
        if self.venue_limit_per_second == 0 {
            return Err(CheckError::msg("`venue_limit_per_second` must be positive"));
        }
        let utilisation =
            f64::from(config.orders_per_second) / f64::from(self.venue_limit_per_second);
        let evidence = ThrottleEvidence {
            orders_per_second: config.orders_per_second,
            venue_limit: self.venue_limit_per_second,
            utilisation_pct: utilisation * 100.0,
        };
        let outcome = if utilisation > 1.0 {
            Outcome::fail("the configured order rate exceeds the venue limit")
        } else if utilisation > self.headroom_warn {
            Outcome::warn("the configured order rate leaves little headroom under the venue limit")
        } else {
            Outcome::pass("the configured order rate leaves headroom")
        };
        Ok(outcome
            .with_evidence(&evidence)
            .with_artifact(data::artifact("strategy.toml", data::STRATEGY_TOML)))
    }
}

/// The FIX session configuration exists and sets a heartbeat of at most 30 seconds.
#[derive(ChecklistItem, Default)]
#[item(
    id = "trading.desk.fix-session",
    title = "FIX session heartbeat configured",
    severity = "high",
    owner = "devops-lead",
    group = "Desk Trading"
)]
pub(crate) struct FixSession;

impl Check for FixSession {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        // Not embedded on purpose: the demo desk has not written it yet, so the item is `error`.
        let (artifact, bytes) = cx.read_artifact("fix/session.cfg")?;
        let text = String::from_utf8_lossy(&bytes);
        let heartbeat = text
            .lines()
            .find_map(|line| line.strip_prefix("HeartBtInt="))
            .ok_or_else(|| CheckError::Malformed {
                location: artifact.path.clone(),
                message: "no `HeartBtInt=` line".to_owned(),
            })?;
        let seconds: u32 = heartbeat
            .trim()
            .parse()
            .map_err(|e| CheckError::Malformed {
                location: artifact.path.clone(),
                message: format!("`HeartBtInt={heartbeat}`: {e}"),
            })?;
        let outcome = if seconds <= 30 {
            Outcome::pass(format!("heartbeat every {seconds} s"))
        } else {
            Outcome::fail(format!("heartbeat every {seconds} s is slower than 30 s"))
        };
        Ok(outcome.with_artifact(artifact))
    }
}

/// Agreements with every execution venue are signed (a person attests it).
#[derive(ChecklistItem, Default)]
#[item(
    id = "legal.desk.venue-agreements",
    title = "Venue and broker agreements signed",
    severity = "high",
    owner = "legal-compliance",
    group = "Desk Legal",
    attested
)]
pub(crate) struct VenueAgreements;
