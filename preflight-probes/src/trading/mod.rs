//! Trading: the broker adapter's conformance against a simulated venue
//! ([`broker`]), the order log read as a stream and reconciled ([`orders`]),
//! end-of-day positions against the broker's statement ([`recon`]); and
//! market data: exchange calendars ([`calendar`]), the service's trading
//! schedule against them ([`schedule`]), OHLCV bars checked for quality
//! ([`bars`]) and for coverage of the sessions ([`coverage`]), a backup
//! source against the primary ([`backup`]) and a captured feed's latency
//! and sequence gaps ([`feed`]).

pub mod backup;
mod bar_blocks;
pub mod bars;
pub mod broker;
pub mod calendar;
pub mod coverage;
pub mod feed;
pub mod orders;
pub mod recon;
pub mod schedule;
