//! Trading: the broker adapter's conformance against a simulated venue
//! ([`broker`]), the order log read as a stream and reconciled ([`orders`]),
//! and end-of-day positions against the broker's statement ([`recon`]).

pub mod backup;
pub mod bars;
pub mod broker;
pub mod calendar;
pub mod coverage;
pub mod orders;
pub mod recon;
