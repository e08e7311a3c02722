//! Trading: the order log ([`orders`]) read as a stream and reconciled.

pub mod orders;
