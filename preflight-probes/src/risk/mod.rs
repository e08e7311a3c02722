//! Risk management: the limits of `risk.toml` ([`limits`]), the items that
//! judge them ([`config`]), and the items that judge what the strategy held
//! against them ([`history`]). The seed's lines that say a limit is *set*,
//! *configured* or *defined* are judged on the configuration; the lines that
//! say a control is *enforced* or *tested* need the pre-trade risk
//! conformance suite, which exercises the service's own risk engine.

pub mod config;
pub mod history;
pub mod limits;
pub mod pretrade;
