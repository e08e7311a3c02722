//! Trading: the order log ([`orders`]) read as a stream and reconciled, and
//! end-of-day positions against the broker's statement ([`recon`]).

pub mod orders;
pub mod recon;
