//! The pre-trade risk conformance suite against risk engines: one that
//! enforces every limit, and ones with the gaps real engines have.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use preflight_core::select::Selection;
use preflight_core::{Config, Registry, Report, Runner, Status};
use preflight_probes::risk::pretrade::{
    Decision, Fill, OrderIntent, PreTradeRisk, RiskEngine, Side,
};

const LIMITS: &str = r#"
capital = 1_000_000.0
restricted = ["XYZQ"]

[global]
max_order_quantity = 500
max_order_notional = 40_000.0
max_position = 1_500
max_position_notional = 150_000.0
max_gross_exposure = 1_200_000.0
max_net_exposure = 600_000.0
max_leverage = 1.0
daily_loss_limit = 20_000.0
max_drawdown = 0.05

[price_collar]
percent = 5.0

[rate_limits]
orders_per_second = 10

[stop_loss]
policy = "per-position"
max_loss_fraction = 0.02

[position_sizing]
rule = "fixed-fractional"
risk_per_trade = 0.005

[kill_switch]
triggers = ["manual"]
action = "cancel-all-and-block"
re_enable_roles = ["risk-manager"]
"#;

/// A small engine enforcing the limits above; `gaps` switches controls off.
#[derive(Default)]
struct Engine {
    gaps: HashSet<&'static str>,
    /// ACME's order notional limit, when tighter than the global 40 000.
    acme_notional: Option<f64>,
    /// The collar's width in price units, instead of 5 % of the reference.
    collar_width: Option<f64>,
    /// A tick size: prices off it are refused.
    tick: Option<f64>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    capital: f64,
    positions: BTreeMap<String, (f64, f64)>, // quantity, average cost
    marks: BTreeMap<String, f64>,
    seen: HashSet<String>,
    sent: Vec<jiff::Timestamp>,
    killed: bool,
}

impl State {
    fn pnl(&self) -> f64 {
        self.positions
            .iter()
            .map(|(s, (q, cost))| q * (self.marks.get(s).copied().unwrap_or(*cost) - cost))
            .sum()
    }

    fn net(&self) -> f64 {
        self.positions
            .iter()
            .map(|(s, (q, cost))| q * self.marks.get(s).copied().unwrap_or(*cost))
            .sum()
    }

    fn gross(&self) -> f64 {
        self.positions
            .iter()
            .map(|(s, (q, cost))| (q * self.marks.get(s).copied().unwrap_or(*cost)).abs())
            .sum()
    }
}

impl Engine {
    fn with_gaps(gaps: &[&'static str]) -> Arc<Self> {
        Arc::new(Engine {
            gaps: gaps.iter().copied().collect(),
            ..Engine::default()
        })
    }

    fn decide(&self, s: &mut State, o: &OrderIntent) -> Result<(), String> {
        let on = |control: &str| !self.gaps.contains(control);
        if s.killed && on("kill-switch") {
            return Err("kill switch active".into());
        }
        if on("duplicate-order") && !s.seen.insert(o.client_order_id.clone()) {
            return Err("duplicate client order ID".into());
        }
        if ["XYZQ"].contains(&o.symbol.as_str()) {
            return Err("restricted".into());
        }
        let second = o.at.as_second();
        let recent = s.sent.iter().filter(|t| t.as_second() == second).count();
        if on("order-rate") && recent >= 10 {
            return Err("order rate".into());
        }
        if let Some(t) = self.tick
            && ((o.price / t) - (o.price / t).round()).abs() > 1e-6
        {
            return Err(format!("price {} off the tick {t}", o.price));
        }
        if o.quantity > 500.0 {
            return Err("quantity".into());
        }
        let notional = match self.acme_notional {
            Some(limit) if o.symbol == "ACME" => limit,
            _ => 40_000.0,
        };
        if o.quantity * o.price > notional {
            return Err("notional".into());
        }
        let width = self.collar_width.unwrap_or(o.reference_price * 0.05);
        if (o.price - o.reference_price).abs() > width {
            return Err("price collar".into());
        }
        let signed = if o.side == Side::Buy {
            o.quantity
        } else {
            -o.quantity
        };
        let held = s.positions.get(&o.symbol).map_or(0.0, |p| p.0);
        let after = held + signed;
        let reduces = after.abs() < held.abs();
        if !reduces && after.abs() > 1_500.0 {
            return Err("position".into());
        }
        if on("daily-loss") && !reduces && -s.pnl() > 20_000.0 {
            return Err("daily loss".into());
        }
        if on("exposure") && !reduces && (s.net() + signed * o.price).abs() > 600_000.0 {
            return Err("net exposure".into());
        }
        if on("leverage") && !reduces && s.gross() + o.quantity * o.price > s.capital {
            return Err("leverage".into());
        }
        s.sent.push(o.at);
        Ok(())
    }
}

impl PreTradeRisk for Engine {
    fn reset(&self, capital: f64) {
        *self.state.lock().unwrap() = State {
            capital,
            ..State::default()
        };
    }

    fn check(&self, order: &OrderIntent) -> Decision {
        let mut state = self.state.lock().unwrap();
        match self.decide(&mut state, order) {
            Ok(()) => Decision::Approve,
            Err(reason) => Decision::Reject { reason },
        }
    }

    fn on_fill(&self, fill: &Fill) {
        let mut state = self.state.lock().unwrap();
        let entry = state
            .positions
            .entry(fill.symbol.clone())
            .or_insert((0.0, 0.0));
        let signed = if fill.side == Side::Buy {
            fill.quantity
        } else {
            -fill.quantity
        };
        let quantity = entry.0 + signed;
        // Adding to the position (or opening it) moves the average cost.
        if entry.0 * signed >= 0.0 && quantity.abs() > 0.0 {
            entry.1 = (entry.0 * entry.1 + signed * fill.price) / quantity;
        }
        entry.0 = quantity;
    }

    fn on_mark(&self, symbol: &str, price: f64) {
        self.state
            .lock()
            .unwrap()
            .marks
            .insert(symbol.to_owned(), price);
    }

    fn trigger_kill_switch(&self) {
        self.state.lock().unwrap().killed = true;
    }

    fn reset_kill_switch(&self) {
        self.state.lock().unwrap().killed = false;
    }

    fn stop_orders(&self) -> Vec<OrderIntent> {
        if self.gaps.contains("stop-loss") {
            return Vec::new();
        }
        let state = self.state.lock().unwrap();
        state
            .positions
            .iter()
            .filter(|(symbol, (q, cost))| {
                *q > 0.0
                    && state
                        .marks
                        .get(*symbol)
                        .is_some_and(|m| *m < cost * (1.0 - 0.02))
            })
            .map(|(symbol, (q, _))| {
                let mark = state.marks[symbol];
                OrderIntent::new(
                    &format!("STOP-{symbol}"),
                    symbol,
                    Side::Sell,
                    *q,
                    mark,
                    mark,
                    jiff::Timestamp::UNIX_EPOCH,
                )
            })
            .collect()
    }

    fn position_size(&self, _symbol: &str, _price: f64, stop_distance: f64) -> Option<f64> {
        let capital = self.state.lock().unwrap().capital;
        let factor = if self.gaps.contains("position-sizing") {
            3.0
        } else {
            1.0
        };
        Some((0.005 * capital * factor / stop_distance).floor())
    }
}

const IDS: [&str; 6] = [
    "trading.logic.risk-checks-before-every-order",
    "trading.logic.duplicate-order-prevention",
    "trading.controls.trading-limits",
    "trading.controls.leverage-limits",
    "trading.controls.daily-loss-circuit-breakers",
    "strategy.risk.circuit-breakers",
];

fn run(engine: Option<Arc<Engine>>) -> Report {
    run_at_price(engine, 50.0)
}

/// [`run`] with the scenarios' reference price `price`.
fn run_at_price(engine: Option<Arc<Engine>>, price: f64) -> Report {
    run_with(engine, price, LIMITS)
}

/// [`run_at_price`] with the risk limits `limits`.
fn run_with(engine: Option<Arc<Engine>>, price: f64, limits: &str) -> Report {
    run_seeded(engine, price, limits, 1)
}

/// [`run_with`], the random orders drawn from `seed`.
fn run_seeded(engine: Option<Arc<Engine>>, price: f64, limits: &str, seed: u64) -> Report {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("risk.toml"), limits).unwrap();
    let mut text = String::from(
        "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n[inputs.risk_limits]\npath = \"risk.toml\"\n",
    );
    for id in IDS {
        let _ = writeln!(
            text,
            "[checks.\"{id}\"]\nsymbol = \"ACME\"\nprice = {price:?}\nseed = {seed}"
        );
    }
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    let mut runner =
        Runner::new(&registry, config).selection(Selection::default().with_ids(IDS).unwrap());
    if let Some(engine) = engine {
        runner = runner.extension(RiskEngine::new(engine));
    }
    runner.run().unwrap()
}

fn status(report: &Report, id: &str) -> Status {
    report.item(id).unwrap().status
}

/// Item `id` of `report` fails, and its message says `text`.
fn fails_saying(report: &Report, id: &str, text: &str) {
    let item = report.item(id).unwrap();
    assert_eq!(item.status, Status::Fail, "{id}: {}", item.message);
    assert!(item.message.contains(text), "{id}: {}", item.message);
}

#[test]
fn an_engine_that_enforces_every_limit_conforms() {
    let report = run(Some(Engine::with_gaps(&[])));
    for id in IDS {
        let item = report.item(id).unwrap();
        assert_eq!(item.status, Status::Pass, "{id}: {}", item.message);
    }
    let all = report.item(IDS[0]).unwrap().evidence.as_ref().unwrap();
    let controls: HashSet<&str> = all.values["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["control"].as_str().unwrap())
        .collect();
    for control in [
        "quantity",
        "notional",
        "price-collar",
        "within-limits",
        "position",
        "exposure",
        "leverage",
        "daily-loss",
        "order-rate",
        "duplicate-order",
        "restricted",
        "kill-switch",
    ] {
        assert!(
            controls.contains(control),
            "no {control} scenario: {controls:?}"
        );
    }
}

#[test]
fn each_gap_fails_its_items_and_names_the_scenario() {
    let report = run(Some(Engine::with_gaps(&["duplicate-order"])));
    assert_eq!(
        status(&report, "trading.logic.duplicate-order-prevention"),
        Status::Fail
    );
    assert_eq!(
        status(&report, "trading.logic.risk-checks-before-every-order"),
        Status::Fail
    );
    assert_eq!(
        status(&report, "trading.controls.trading-limits"),
        Status::Pass
    );
    let message = &report
        .item("trading.logic.duplicate-order-prevention")
        .unwrap()
        .message;
    assert!(message.contains("the same client order ID"), "{message}");
    assert!(
        message.contains("was approved (expected reject)"),
        "{message}"
    );

    let report = run(Some(Engine::with_gaps(&["daily-loss"])));
    assert_eq!(
        status(&report, "trading.controls.daily-loss-circuit-breakers"),
        Status::Fail
    );
    assert_eq!(
        status(&report, "strategy.risk.circuit-breakers"),
        Status::Fail
    );
    assert_eq!(
        status(&report, "trading.controls.leverage-limits"),
        Status::Pass
    );

    // Without a net exposure check, the trading limits fail on it alone.
    let report = run(Some(Engine::with_gaps(&["exposure"])));
    fails_saying(
        &report,
        "trading.controls.trading-limits",
        "1 of 37 scenarios do not conform: exposure: net exposure 587500 of 600000 allowed, a buy of 500 taking it past the limit",
    );
    assert_eq!(
        status(&report, "trading.controls.leverage-limits"),
        Status::Pass
    );

    let report = run(Some(Engine::with_gaps(&["kill-switch", "order-rate"])));
    assert_eq!(
        status(&report, "strategy.risk.circuit-breakers"),
        Status::Fail
    );
    assert_eq!(
        status(&report, "trading.controls.trading-limits"),
        Status::Fail
    );
}

#[test]
fn an_engine_without_a_leverage_check_fails_even_when_the_notional_limit_is_lower() {
    // At 100, the largest order (500) is over the notional limit (40 000):
    // the suite sends 400, which only the exposure can turn down.
    for price in [50.0, 100.0] {
        let report = run_at_price(Some(Engine::with_gaps(&["leverage"])), price);
        assert_eq!(
            status(&report, "trading.controls.leverage-limits"),
            Status::Fail,
            "at {price}"
        );
        let message = &report
            .item("trading.controls.leverage-limits")
            .unwrap()
            .message;
        assert!(message.contains("taking it past the limit"), "{message}");
        let item = report.item("trading.controls.trading-limits").unwrap();
        assert_eq!(item.status, Status::Pass, "at {price}: {}", item.message);
        let report = run_at_price(Some(Engine::with_gaps(&[])), price);
        let item = report.item("trading.controls.leverage-limits").unwrap();
        assert_eq!(item.status, Status::Pass, "at {price}: {}", item.message);
    }
}

/// The instrument's own notional limit, tighter than the global one, is the
/// one the scenarios test: an engine that only knows the global limit fails.
#[test]
fn an_instrument_notional_limit_is_tested_at_its_own_value() {
    let limits = format!("{LIMITS}\n[instrument.ACME]\nmax_order_notional = 20_000.0\n");
    let conforming = Engine {
        acme_notional: Some(20_000.0),
        ..Engine::default()
    };
    let report = run_with(Some(Arc::new(conforming)), 50.0, &limits);
    for id in IDS {
        let item = report.item(id).unwrap();
        assert_eq!(item.status, Status::Pass, "{id}: {}", item.message);
    }
    let report = run_with(Some(Engine::with_gaps(&[])), 50.0, &limits);
    fails_saying(
        &report,
        "trading.controls.trading-limits",
        "just above the notional limit 20000 was approved (expected reject)",
    );
}

/// A collar in ticks is tested one tick inside and one tick beyond it.
#[test]
fn a_collar_in_ticks_is_tested_in_whole_ticks() {
    // 20 ticks of 0.05 around 50.02 (rounded to 50.0): a width of 1.0.
    let limits =
        LIMITS.replace("percent = 5.0", "ticks = 20") + "\n[instrument.ACME]\ntick_size = 0.05\n";
    let ticks = Engine {
        collar_width: Some(1.0),
        ..Engine::default()
    };
    let report = run_with(Some(Arc::new(ticks)), 50.02, &limits);
    let item = report.item("trading.controls.trading-limits").unwrap();
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    let collar: Vec<&serde_json::Value> = item.evidence.as_ref().unwrap().values["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["control"] == "price-collar"
                && !s["description"].as_str().unwrap().starts_with("random")
        })
        .collect();
    assert_eq!(collar.len(), 2);
    let price = |i: usize, key: &str| collar[i]["order"][key].as_f64().unwrap();
    assert!((price(0, "price") - 50.95).abs() < 1e-9, "{collar:?}");
    assert!((price(0, "reference_price") - 50.0).abs() < 1e-9);
    assert!((price(1, "price") - 51.05).abs() < 1e-9, "{collar:?}");
    // An engine with a 5 % collar (2.5 wide) lets the order beyond 20 ticks through.
    let report = run_with(Some(Engine::with_gaps(&[])), 50.02, &limits);
    fails_saying(
        &report,
        "trading.controls.trading-limits",
        "price-collar: a buy at 51.0500, beyond",
    );
}

/// With a tick size in risk.toml, every order the suite sends is on the
/// tick, so that an engine that refuses prices off it still conforms.
#[test]
fn every_order_is_on_the_instruments_tick() {
    let limits = format!("{LIMITS}\n[instrument.ACME]\ntick_size = 0.05\n");
    let ticked = Engine {
        tick: Some(0.05),
        ..Engine::default()
    };
    // 50.02 is off the tick: the suite trades around 50.00.
    let report = run_with(Some(Arc::new(ticked)), 50.02, &limits);
    for id in IDS {
        let item = report.item(id).unwrap();
        assert_eq!(item.status, Status::Pass, "{id}: {}", item.message);
    }
}

/// Controls whose limits risk.toml does not set cannot pass: the item names
/// each missing key, and the items whose limits are set still run.
#[test]
fn limits_the_controls_need_are_named_when_unset() {
    let limits = LIMITS
        .replace("[price_collar]\npercent = 5.0\n", "")
        .replace("[rate_limits]\norders_per_second = 10\n", "")
        .replace("re_enable_roles = [\"risk-manager\"]\n", "");
    let report = run_with(Some(Engine::with_gaps(&[])), 50.0, &limits);
    let item = report.item("trading.controls.trading-limits").unwrap();
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    for key in ["`price_collar.percent`", "`rate_limits.orders_per_second`"] {
        assert!(item.message.contains(key), "{key}: {}", item.message);
    }
    let unset = &item.evidence.as_ref().unwrap().values["unset_limits"];
    assert_eq!(unset.as_array().unwrap().len(), 2, "{unset}");
    let breakers = report.item("strategy.risk.circuit-breakers").unwrap();
    assert_eq!(breakers.status, Status::Fail, "{}", breakers.message);
    assert!(
        breakers.message.contains("`kill_switch.re_enable_roles`"),
        "{}",
        breakers.message
    );
    let leverage = report.item("trading.controls.leverage-limits").unwrap();
    assert_eq!(leverage.status, Status::Pass, "{}", leverage.message);
}

/// The random orders come from the seed the evidence shows: the same seed
/// draws the same orders, another seed others, and every draw is judged.
#[test]
fn random_orders_are_drawn_from_the_seed_in_the_evidence() {
    let orders = |seed: u64| {
        let report = run_seeded(Some(Engine::with_gaps(&[])), 50.0, LIMITS, seed);
        let item = report.item("trading.controls.trading-limits").unwrap();
        assert_eq!(item.status, Status::Pass, "{}", item.message);
        let values = &item.evidence.as_ref().unwrap().values;
        assert_eq!(values["seed"], seed);
        let random: Vec<(String, f64, f64, bool)> = values["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["description"].as_str().unwrap().starts_with("random"))
            .map(|s| {
                (
                    s["control"].as_str().unwrap().to_owned(),
                    s["order"]["quantity"].as_f64().unwrap(),
                    s["order"]["price"].as_f64().unwrap(),
                    s["expect_approve"].as_bool().unwrap(),
                )
            })
            .collect();
        random
    };
    let first = orders(7);
    // Twelve inside every limit, twelve beyond one of them.
    assert_eq!(first.len(), 24, "{first:?}");
    assert_eq!(first.iter().filter(|o| o.3).count(), 12);
    assert!(first.iter().any(|o| o.0 == "quantity") && first.iter().any(|o| o.0 == "notional"));
    for (control, quantity, price, approve) in &first {
        if *approve {
            assert!(
                *quantity <= 500.0 && quantity * price <= 40_000.0,
                "{control}"
            );
        }
    }
    assert_eq!(orders(7), first);
    assert_ne!(orders(8), first);
    // An engine whose collar is twice too wide lets a random order through.
    let wide = Engine {
        collar_width: Some(5.0),
        ..Engine::default()
    };
    let report = run_seeded(Some(Arc::new(wide)), 50.0, LIMITS, 7);
    fails_saying(
        &report,
        "trading.controls.trading-limits",
        "price-collar: random order",
    );
}

#[test]
fn without_the_engine_the_items_are_errors() {
    let report = run(None);
    for id in IDS {
        let item = report.item(id).unwrap();
        assert_eq!(item.status, Status::Error, "{id}");
        assert!(item.message.contains("RiskEngine"), "{}", item.message);
    }
}

/// A service in another language hands in no engine: its order log alone
/// judges the two items that read it, and the others still need the engine.
#[test]
fn the_order_log_alone_judges_the_items_that_read_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("risk.toml"), LIMITS).unwrap();
    let log = "time,event,client_order_id,quantity,decision\n\
        2025-01-27T14:30:00Z,risk,A1,,approve\n\
        2025-01-27T14:30:01Z,order,A1,100,\n\
        2025-01-27T14:30:02Z,order,B2,100,\n\
        2025-01-27T14:30:03Z,risk,A1,,approve\n\
        2025-01-27T14:30:04Z,order,A1,100,\n";
    std::fs::write(dir.path().join("orders.csv"), log).unwrap();
    let text = "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n\
        [inputs.risk_limits]\npath = \"risk.toml\"\n[inputs.order_log]\npath = \"orders.csv\"\n";
    let mut config = Config::parse(text, "preflight.toml").unwrap();
    dir.path().clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    let report = Runner::new(&registry, config)
        .selection(Selection::default().with_ids(IDS).unwrap())
        .run()
        .unwrap();
    let every = report
        .item("trading.logic.risk-checks-before-every-order")
        .unwrap();
    assert_eq!(every.status, Status::Fail, "{}", every.message);
    assert!(
        every
            .message
            .contains("1 orders without an approving risk decision (first `B2` on line 4)"),
        "{}",
        every.message
    );
    let duplicates = report
        .item("trading.logic.duplicate-order-prevention")
        .unwrap();
    assert_eq!(duplicates.status, Status::Fail, "{}", duplicates.message);
    assert!(
        duplicates.message.contains("first `A1` on line 6"),
        "{}",
        duplicates.message
    );
    assert_eq!(
        status(&report, "trading.controls.trading-limits"),
        Status::Error
    );
}

#[test]
fn stop_loss_and_sizing_follow_the_policy() {
    let ids = [
        "strategy.risk.stop-loss",
        "strategy.risk.position-sizing",
        "trading.logic.position-sizing",
    ];
    let run = |engine: Arc<Engine>| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("risk.toml"), LIMITS).unwrap();
        let text = "[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n[inputs.risk_limits]\npath = \"risk.toml\"\n";
        let mut config = Config::parse(text, "preflight.toml").unwrap();
        dir.path().clone_into(&mut config.root);
        let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
        Runner::new(&registry, config)
            .selection(Selection::default().with_ids(ids).unwrap())
            .extension(RiskEngine::new(engine))
            .run()
            .unwrap()
    };
    let report = run(Engine::with_gaps(&[]));
    for id in ids {
        let item = report.item(id).unwrap();
        assert_eq!(item.status, Status::Pass, "{id}: {}", item.message);
    }
    let report = run(Engine::with_gaps(&["stop-loss", "position-sizing"]));
    for id in ids {
        assert_eq!(status(&report, id), Status::Fail, "{id}");
    }
    let stop = report.item("strategy.risk.stop-loss").unwrap();
    assert!(stop.message.contains("a sell of"), "{}", stop.message);
}
