//! Risk management: the limits of `risk.toml` ([`limits`]) and the items that
//! judge them ([`config`]). The seed's lines that say a limit is *set*,
//! *configured* or *defined* are judged on the configuration; the lines that
//! say a control is *enforced* or *tested* need the pre-trade risk
//! conformance suite, which exercises the service's own risk engine.

pub mod config;
pub mod limits;
