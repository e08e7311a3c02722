//! The desk's broker adapter: it paces requests under the broker's documented
//! rate (the venue allows 10 a second; the desk keeps to 8) and forwards
//! everything else. The desk has a single prime broker, so no failover.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use preflight_probes::trading::broker::{Broker, BrokerOrder, OrderState, SimulatedVenue};

/// Requests the desk allows itself per second.
const PER_SECOND: usize = 8;

pub(crate) struct DeskBroker {
    venue: Arc<SimulatedVenue>,
    sent: Mutex<VecDeque<Instant>>,
}

impl DeskBroker {
    pub(crate) fn connect(venue: Arc<SimulatedVenue>) -> Arc<dyn Broker> {
        Arc::new(DeskBroker {
            venue,
            sent: Mutex::new(VecDeque::new()),
        })
    }

    /// Waits until one more request fits in the rolling second.
    fn pace(&self) {
        let mut sent = self.sent.lock().expect("the pacing lock");
        while sent.len() >= PER_SECOND {
            let wait = Duration::from_secs(1).saturating_sub(sent[0].elapsed());
            if wait.is_zero() {
                sent.pop_front();
            } else {
                std::thread::sleep(wait);
            }
        }
        sent.push_back(Instant::now());
    }
}

impl Broker for DeskBroker {
    fn submit(&self, order: &BrokerOrder) -> Result<String, String> {
        self.pace();
        self.venue.submit(order)
    }

    fn cancel(&self, order_id: &str) -> Result<(), String> {
        self.pace();
        self.venue.cancel(order_id)
    }

    fn status(&self, order_id: &str) -> Option<OrderState> {
        self.venue.status(order_id)
    }

    fn positions(&self) -> BTreeMap<String, f64> {
        self.venue.positions()
    }

    fn cash(&self) -> f64 {
        self.venue.cash()
    }
}
