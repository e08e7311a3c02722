//! The `preflight` command line, offered over any set of items with one call from `main`.
//!
//! ```no_run
//! preflight_core::provider! {
//!     /// The desk's items.
//!     pub fn items = "my-desk" [];
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     // The seed catalog and the ready-made probes, plus the desk's own items.
//!     let providers = [preflight_probes::items(), items()];
//!     preflight_probes::cli::main(&preflight_probes::cli::App::new("my-desk", &providers))
//! }
//! ```
//!
//! Subcommands: `run` (the default), `list`, `explain`, `attest`, `waive`,
//! `sign`, `approve`, `verify`, `init` and (feature `trading`) `calendar`,
//! which prints an exchange's holidays and early closes. `run --format` writes
//! the report for people (`human`, the default, or `markdown`) or for other
//! tools (`json`, `sarif` for code scanning, `junit` for CI test reports); the
//! format never changes the exit code. Exit codes: 0 ready
//! (or done), 1 not ready (or a tampered report), 2 a usage or configuration
//! error.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use jiff::civil::Date;
use preflight_core::meta::{Applicability, CheckMeta, Kind, Phase, Role, Section};
use preflight_core::records::{
    Approval, Attestation, AttestationStatus, Attestations, SignoffRecord, Signoffs,
};
use preflight_core::registry::Entry;
use preflight_core::render::color_wanted;
use preflight_core::report::Signoff;
use preflight_core::select::Selection;
use preflight_core::signing::KeyPair;
use preflight_core::{Config, Format, Observer, Provider, Registry, Report, ReportItem, Runner};

/// What a program offers on its command line.
#[derive(Debug, Clone)]
pub struct App<'a> {
    name: &'a str,
    providers: &'a [Provider],
    default_config: Option<(&'a str, PathBuf)>,
    as_of: Option<jiff::Timestamp>,
    setup: Option<fn(Runner<'_>) -> Runner<'_>>,
}

impl<'a> App<'a> {
    /// A command line named `name` over the items of `providers`.
    #[must_use]
    pub fn new(name: &'a str, providers: &'a [Provider]) -> Self {
        App {
            name,
            providers,
            default_config: None,
            as_of: None,
            setup: None,
        }
    }

    /// Prepares every run: hands the service's extensions to the checks
    /// (its risk engine, its broker adapter), e.g.
    /// `|runner| runner.extension(RiskEngine::new(engine()))`.
    #[must_use]
    pub fn setup(mut self, setup: fn(Runner<'_>) -> Runner<'_>) -> Self {
        self.setup = Some(setup);
        self
    }

    /// Pins the clock: runs, records and expiries are judged as of `now`
    /// instead of the system time (for demos and reproducible reports).
    #[must_use]
    pub fn as_of(mut self, now: jiff::Timestamp) -> Self {
        self.as_of = Some(now);
        self
    }

    fn now(&self) -> jiff::Timestamp {
        self.as_of.unwrap_or_else(jiff::Timestamp::now)
    }

    fn today(&self) -> Date {
        self.now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
    }

    /// The configuration used when `--config` is not given and `preflight.toml`
    /// does not exist: `text`, with paths relative to `root`.
    #[must_use]
    pub fn default_config(mut self, text: &'a str, root: impl Into<PathBuf>) -> Self {
        self.default_config = Some((text, root.into()));
        self
    }
}

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Runs the production pre-flight checklist and decides go/no-go"
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the selected items and prints the report; exits 0 when ready, 1 when not, 2 on a usage or configuration error.
    Run(RunArgs),
    /// Lists the checklist's items.
    List {
        /// `human`, `json` or `markdown`.
        #[arg(long, default_value = "human")]
        format: String,
        #[command(flatten)]
        select: SelectArgs,
    },
    /// Shows one item: what it verifies, its parameters and defaults, the evidence it reads and how to satisfy it.
    Explain {
        /// The item's ID.
        id: String,
    },
    /// Records that an item is done (or does not apply), in the attestations file.
    Attest(AttestArgs),
    /// Waives an item until a date: it still runs, and its result stays visible under the waiver.
    Waive(WaiveArgs),
    /// Signs the digest of the current report (of the selection) in the sign-offs file.
    Sign(SignArgs),
    /// Records the final approval and go-live date of the current report; it must be ready.
    Approve(ApproveArgs),
    /// Checks a saved JSON report: item digests, report digest, signatures, summary and decision.
    Verify {
        /// The report (`preflight run --format json --output FILE`).
        report: PathBuf,
    },
    /// Writes a starter `preflight.toml` and empty record files; never overwrites.
    Init {
        /// The project directory (default: the current one).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Prints an exchange's non-regular days (holidays, closures and early closes), to check a holiday schedule against.
    #[cfg(feature = "trading")]
    Calendar(CalendarArgs),
}

#[cfg(feature = "trading")]
#[derive(Debug, clap::Args)]
struct CalendarArgs {
    /// The exchange: XNYS (New York Stock Exchange), XNAS (Nasdaq, the NYSE's days) or XLON (London Stock Exchange).
    code: String,
    /// The first date (default: today in the exchange's time zone); the calendars know 1990-01-01 to 2035-12-31.
    #[arg(long)]
    from: Option<Date>,
    /// The last date, included (default: 365 days after the first, at most 2035-12-31).
    #[arg(long)]
    to: Option<Date>,
    /// `csv` (columns date,kind,open,close) or `json` (an array of objects with those keys).
    #[arg(long, value_enum, default_value_t = CalendarFormat::Csv)]
    format: CalendarFormat,
}

#[cfg(feature = "trading")]
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CalendarFormat {
    Csv,
    Json,
}

#[derive(Debug, clap::Args)]
struct AttestArgs {
    /// The item's ID.
    id: String,
    /// Who attests.
    #[arg(long)]
    by: String,
    /// The role they attest in.
    #[arg(long)]
    role: Role,
    /// Where to see the evidence: a URL, a ticket, a document.
    #[arg(long, required_unless_present = "not_applicable")]
    evidence: Option<String>,
    /// Declares the item not applicable, with the reason.
    #[arg(long, value_name = "REASON")]
    not_applicable: Option<String>,
    /// The record's date (default: today, UTC).
    #[arg(long)]
    date: Option<Date>,
    /// When the record expires (default: 90 days after its date).
    #[arg(long)]
    expires: Option<Date>,
    #[command(flatten)]
    config: ConfigArg,
}

#[derive(Debug, clap::Args)]
struct WaiveArgs {
    /// The item's ID.
    id: String,
    /// Who approves the waiver.
    #[arg(long)]
    by: String,
    /// The approver's role.
    #[arg(long)]
    role: Role,
    /// The last day the waiver counts.
    #[arg(long)]
    until: Date,
    /// Why going live without the item is acceptable until then.
    #[arg(long)]
    reason: String,
    /// The record's date (default: today, UTC).
    #[arg(long)]
    date: Option<Date>,
    #[command(flatten)]
    config: ConfigArg,
}

#[derive(Debug, clap::Args)]
struct ApproveArgs {
    /// Who approves.
    #[arg(long)]
    by: String,
    /// The production go-live date.
    #[arg(long)]
    go_live: Date,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    select: SelectArgs,
}

#[derive(Debug, clap::Args, Default, Clone)]
struct ConfigArg {
    /// The configuration file (default: `preflight.toml` in the current directory).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Debug, clap::Args, Default, Clone)]
struct SelectArgs {
    /// Only items whose ID matches this glob (repeatable), e.g. `strategy.*`.
    #[arg(long = "id", value_name = "GLOB")]
    ids: Vec<String>,
    /// Only items of this section (repeatable): code, strategy, infra, ..., post-launch.
    #[arg(long = "section", value_name = "NAME")]
    sections: Vec<Section>,
    /// Only items of this phase (repeatable; default pre-launch), or `all`.
    #[arg(long = "phase", value_name = "PHASE")]
    phases: Vec<String>,
}

impl SelectArgs {
    fn selection(&self) -> Result<Selection, String> {
        let mut phases = Vec::new();
        for phase in &self.phases {
            if phase == "all" {
                phases.extend_from_slice(Phase::ALL);
            } else {
                phases.push(phase.parse::<Phase>().map_err(|e| e.to_string())?);
            }
        }
        let mut selection = Selection::default()
            .with_ids(self.ids.clone())?
            .with_sections(self.sections.iter().copied());
        if !phases.is_empty() {
            phases.sort();
            phases.dedup();
            selection = selection.with_phases(phases);
        }
        Ok(selection)
    }
}

#[derive(Debug, clap::Args, Default)]
struct RunArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Output format: human, json, markdown, sarif (SARIF 2.1.0) or junit (XML test report).
    #[arg(long, default_value = "human")]
    format: String,
    /// Writes the report to this file (atomically) instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    select: SelectArgs,
}

#[derive(Debug, clap::Args)]
struct SignArgs {
    /// The role signing.
    #[arg(long, required_unless_present = "generate_key")]
    role: Option<Role>,
    /// Who signs.
    #[arg(long, required_unless_present = "generate_key")]
    by: Option<String>,
    /// An Ed25519 private key (PKCS#8 PEM) to sign with; with `--generate-key`, where to write it.
    #[arg(long)]
    key: Option<PathBuf>,
    /// Writes a new key pair (`--key`, default `preflight-signing-key.pem`, and `.pub`) and prints the public key.
    #[arg(long, conflicts_with_all = ["role", "by"])]
    generate_key: bool,
    /// The sign-off's date (default: today, UTC).
    #[arg(long)]
    date: Option<Date>,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    select: SelectArgs,
}

/// Parses the process's arguments, runs the command and returns its exit code:
/// 0 ready, 1 not ready, 2 usage or configuration error.
#[must_use]
pub fn main(app: &App<'_>) -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let command = args.command.unwrap_or(Command::Run(RunArgs {
        format: "human".to_owned(),
        ..RunArgs::default()
    }));
    match execute(app, command) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("{}: error: {message}", app.name);
            ExitCode::from(2)
        }
    }
}

fn execute(app: &App<'_>, command: Command) -> Result<u8, String> {
    if let Command::Init { dir } = &command {
        return init(dir);
    }
    if let Command::Verify { report } = &command {
        return verify(report);
    }
    #[cfg(feature = "trading")]
    if let Command::Calendar(args) = &command {
        return calendar(app, args);
    }
    let registry = Registry::from_inventory(app.providers).map_err(|e| e.to_string())?;
    match command {
        Command::List { format, select } => {
            // The catalog is every phase unless `--phase` narrows it.
            let mut selection = select.selection()?;
            if select.phases.is_empty() {
                selection = selection.with_phases(Phase::ALL.iter().copied());
            }
            list(&registry, &format, &selection)?;
            Ok(0)
        }
        Command::Explain { id } => {
            explain(&registry, &id, app.name)?;
            Ok(0)
        }
        Command::Run(args) => run(app, &registry, &args),
        Command::Attest(args) => attest(app, &registry, args),
        Command::Waive(args) => waive(app, &registry, args),
        Command::Sign(args) => sign(app, &registry, args),
        Command::Approve(args) => approve(app, &registry, args),
        Command::Verify { .. } | Command::Init { .. } => unreachable!("handled above"),
        #[cfg(feature = "trading")]
        Command::Calendar(_) => unreachable!("handled above"),
    }
}

fn attest(app: &App<'_>, registry: &Registry, args: AttestArgs) -> Result<u8, String> {
    let AttestArgs {
        id,
        by,
        role,
        evidence,
        not_applicable,
        date,
        expires,
        config,
    } = args;
    let config = load_config(app, config.config.as_ref())?;
    let entry = item(registry, &id)?;
    let date = date.unwrap_or_else(|| app.today());
    let record = match not_applicable {
        Some(reason) => {
            if entry.meta().applicability == Applicability::Always {
                let allow = preflight_core::config::glob_set(&config.gate.allow_not_applicable)?;
                if !allow.is_match(&*entry.meta().id) {
                    return Err(format!(
                        "item `{id}` applies to every system and cannot be declared not applicable; waive it instead (`waive`), or list it in `allow_not_applicable` in [gate]"
                    ));
                }
            }
            let record = Attestation::new(&id, AttestationStatus::NotApplicable, by, role, date)
                .with_justification(reason);
            match evidence {
                Some(evidence) => record.with_evidence(evidence),
                None => record,
            }
        }
        None => Attestation::new(&id, AttestationStatus::Done, by, role, date)
            .with_evidence(evidence.unwrap_or_default()),
    };
    let record = match expires {
        Some(expires) => record.with_expires(expires),
        None => record,
    };
    let path = config.attestations_path();
    Attestations::append(&path, &record).map_err(|e| e.to_string())?;
    if entry.meta().kind == Kind::Automated && record.status == AttestationStatus::Done {
        eprintln!(
            "note: `{id}` is automated: its check decides; the attestation is shown beside its result"
        );
    }
    println!(
        "recorded: {} {} by {} ({}), expires {}, in {}",
        record.status,
        id,
        record.by,
        role.title(),
        record.expires,
        path.display()
    );
    Ok(0)
}

fn waive(app: &App<'_>, registry: &Registry, args: WaiveArgs) -> Result<u8, String> {
    let WaiveArgs {
        id,
        by,
        role,
        until,
        reason,
        date,
        config,
    } = args;
    let config = load_config(app, config.config.as_ref())?;
    item(registry, &id)?;
    let date = date.unwrap_or_else(|| app.today());
    let record = Attestation::new(&id, AttestationStatus::Waived, by, role, date)
        .with_justification(reason)
        .with_expires(until);
    let path = config.attestations_path();
    Attestations::append(&path, &record).map_err(|e| e.to_string())?;
    println!(
        "recorded: {id} waived by {} ({}) until {until}, in {}",
        record.by,
        role.title(),
        path.display()
    );
    Ok(0)
}

fn approve(app: &App<'_>, registry: &Registry, args: ApproveArgs) -> Result<u8, String> {
    let ApproveArgs {
        by,
        go_live,
        config,
        select,
    } = args;
    let config = load_config(app, config.config.as_ref())?;
    let path = config.signoffs_path();
    let report = build_report(app, registry, config, &select.selection()?, false)?;
    if !report.is_ready() {
        return Err(format!(
            "the report is not ready ({} blocking): the final approval needs every item satisfied and every required role signed; see `run`",
            report.decision.blocking.len()
        ));
    }
    let approval = Approval::new(by, app.today(), go_live, report.digest.clone());
    Signoffs::append_approval(&path, &approval).map_err(|e| e.to_string())?;
    println!(
        "approved {} by {}, go-live {go_live}, in {}",
        report.digest,
        approval.by,
        path.display()
    );
    Ok(0)
}

fn item<'r>(registry: &'r Registry, id: &str) -> Result<&'r Entry, String> {
    registry.get(id).ok_or_else(|| {
        let close: Vec<&str> = registry
            .entries()
            .iter()
            .map(|e| &*e.meta().id)
            .filter(|other| {
                let (a, b) = (id.rsplit('.').next(), other.rsplit('.').next());
                a.is_some() && a == b
            })
            .collect();
        let hint = if close.is_empty() {
            "`list` shows every ID".to_owned()
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        format!("unknown item `{id}`: {hint}")
    })
}

/// Runs the selection with the project's records and returns the report.
fn build_report(
    app: &App<'_>,
    registry: &Registry,
    config: Config,
    selection: &Selection,
    progress: bool,
) -> Result<Report, String> {
    let attestations = Attestations::load(config.attestations_path()).map_err(|e| e.to_string())?;
    let signoffs = Signoffs::load(config.signoffs_path()).map_err(|e| e.to_string())?;
    let mut runner = Runner::new(registry, config)
        .clock(preflight_core::FixedClock(app.now()))
        .attestations(attestations)
        .selection(selection.clone())
        .signoffs(signoffs.records().iter().map(Signoff::from))
        .approval(signoffs.approval().cloned());
    if let Some(setup) = app.setup {
        runner = setup(runner);
    }
    if progress && std::io::stderr().is_terminal() {
        runner = runner.observer(Progress::new());
    }
    runner.run().map_err(|e| e.to_string())
}

fn run(app: &App<'_>, registry: &Registry, args: &RunArgs) -> Result<u8, String> {
    let config = load_config(app, args.config.config.as_ref())?;
    let format = match args.format.as_str() {
        "human" if args.output.is_none() => Format::Human {
            color: color_wanted(&std::io::stdout()),
        },
        "human" => Format::Human { color: false },
        other => Format::from_name(other).map_err(|e| e.to_string())?,
    };
    let report = build_report(app, registry, config, &args.select.selection()?, true)?;
    if let Some(path) = &args.output {
        report
            .write_atomic(path, format)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    } else {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(report.render(format).as_bytes());
    }
    Ok(report.exit_code())
}

fn sign(app: &App<'_>, registry: &Registry, args: SignArgs) -> Result<u8, String> {
    if args.generate_key {
        let path = args
            .key
            .unwrap_or_else(|| PathBuf::from("preflight-signing-key.pem"));
        let keys = KeyPair::generate().map_err(|e| e.to_string())?;
        let public = keys.save(&path).map_err(|e| e.to_string())?;
        println!(
            "wrote the private key to {} (keep it secret) and the public key to {}",
            path.display(),
            public.display()
        );
        println!("public key: {}", keys.public_key_hex());
        println!(
            "to require it, add to preflight.toml:\n[gate.signing_keys]\n\"ROLE\" = \"{}\"",
            keys.public_key_hex()
        );
        return Ok(0);
    }
    let (Some(role), Some(by)) = (args.role, args.by) else {
        return Err("`sign` needs --role and --by".to_owned());
    };
    let keys = args
        .key
        .as_ref()
        .map(KeyPair::load)
        .transpose()
        .map_err(|e| e.to_string())?;
    let config = load_config(app, args.config.config.as_ref())?;
    let path = config.signoffs_path();
    let report = build_report(app, registry, config, &args.select.selection()?, false)?;
    let blocking_items = report
        .decision
        .blocking
        .iter()
        .filter(|b| matches!(b, preflight_core::report::Blocker::Item { .. }))
        .count();
    if blocking_items > 0 {
        eprintln!(
            "{}: the report has {blocking_items} blocking items; a sign-off counts only for this digest, so fixing them will outdate it (`run` lists them)",
            app.name
        );
        return Ok(1);
    }
    let mut record = SignoffRecord::new(
        role,
        by,
        args.date.unwrap_or_else(|| app.today()),
        report.digest.clone(),
    );
    if let Some(keys) = &keys {
        record = record.sign(keys);
    }
    Signoffs::append(&path, &record).map_err(|e| e.to_string())?;
    println!(
        "signed {} as {} ({}){}, in {}",
        report.digest,
        record.name,
        role.title(),
        if keys.is_some() { " with ed25519" } else { "" },
        path.display()
    );
    Ok(0)
}

fn verify(path: &Path) -> Result<u8, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let report: Report = serde_json::from_str(&text).map_err(|e| {
        format!(
            "`{}` is not a preflight JSON report ({e}); write one with `run --format json --output FILE`",
            path.display()
        )
    })?;
    let problems = report.verify();
    let mut out = std::io::stdout().lock();
    if problems.is_empty() {
        let signed = report
            .signoffs
            .iter()
            .filter(|s| s.signature.is_some())
            .count();
        let _ = writeln!(
            out,
            "ok: {} matches its content ({} items, {} sign-offs, {signed} with a valid signature); decision: {}",
            report.digest,
            report.items.len(),
            report.signoffs.len(),
            if report.is_ready() {
                "ready"
            } else {
                "not ready"
            }
        );
        return Ok(0);
    }
    let _ = writeln!(
        out,
        "TAMPERED: `{}` does not match what it claims ({} problems):",
        path.display(),
        problems.len()
    );
    for problem in &problems {
        let _ = writeln!(out, "  - {problem}");
    }
    Ok(1)
}

/// `calendar`: the non-regular days of an exchange, one line (CSV) or one
/// object (JSON) per day, with the local open and close of early closes.
#[cfg(feature = "trading")]
fn calendar(app: &App<'_>, args: &CalendarArgs) -> Result<u8, String> {
    use std::fmt::Write as _;

    use crate::trading::calendar::{Calendar, DayKind, LAST_DATE};
    use jiff::ToSpan as _;

    let calendar = Calendar::by_code(&args.code).map_err(|e| e.to_string())?;
    let tz = calendar.time_zone();
    let from = args
        .from
        .unwrap_or_else(|| app.now().to_zoned_datetime(tz.clone()).date());
    // A year ahead, but not past the calendars' range.
    let to = args.to.unwrap_or_else(|| {
        from.checked_add(365.days())
            .map_or(LAST_DATE, |to| to.min(LAST_DATE))
    });
    let days = calendar
        .non_regular_days(from, to)
        .map_err(|e| e.to_string())?;
    let local = |at: jiff::Timestamp| at.display_with_offset(tz.to_offset(at)).to_string();
    let rows = days.iter().map(|day| {
        let kind = match day.kind {
            DayKind::EarlyClose { .. } => "early-close",
            _ => "closed",
        };
        let bounds = day.bounds.map(|(open, close)| (local(open), local(close)));
        (day.date.to_string(), kind, bounds)
    });
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        CalendarFormat::Csv => {
            let mut text = String::from("date,kind,open,close\n");
            for (date, kind, bounds) in rows {
                let (open, close) = bounds.unwrap_or_default();
                let _ = writeln!(text, "{date},{kind},{open},{close}");
            }
            out.write_all(text.as_bytes())
        }
        CalendarFormat::Json => {
            /// A JSON row, with the keys in the CSV's order.
            #[derive(serde::Serialize)]
            struct Row {
                date: String,
                kind: &'static str,
                open: Option<String>,
                close: Option<String>,
            }
            let rows: Vec<Row> = rows
                .map(|(date, kind, bounds)| {
                    let (open, close) = bounds.unzip();
                    Row {
                        date,
                        kind,
                        open,
                        close,
                    }
                })
                .collect();
            let text = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
            writeln!(out, "{text}")
        }
    };
    written.map_err(|e| format!("cannot write the calendar: {e}"))?;
    Ok(0)
}

/// A starter configuration written by `init`.
const STARTER_CONFIG: &str = r#"# preflight: the production pre-flight checklist as code.
# `preflight list` shows every item; `preflight explain ID` shows one.

[project]
name = "my-trading-system"
environment = "production"

[gate]
# Statuses that block the go-live, and the lowest severity that can block.
blocking = ["fail", "error", "pending", "stale"]
severity_floor = "low"
# Roles that must sign the report's digest (the seed's sign-off table).
required_roles = ["tech-lead", "devops-lead", "security-lead", "trading-strategist", "risk-manager", "product-owner", "legal-compliance"]

[records]
attestations = "preflight/attestations.toml"
signoffs = "preflight/signoffs.toml"

[inputs]
# Shared artifacts the probes read, e.g.
# backtest = { path = "research/returns.csv" }

# Per-item parameters, or `enabled = false` with a `reason`:
# [checks."strategy.backtest.sharpe-ratio"]
# min = 1.5
"#;

const STARTER_ATTESTATIONS: &str = r#"# Attestations, waivers and not-applicable declarations (`preflight attest`, `preflight waive`).
# Each record expires 90 days after its date unless `expires` says otherwise: review quarterly.
#
# [[attestation]]
# item = "legal.review.legal-team-reviewed"
# status = "done"            # done | not-applicable | waived
# by = "Dana Cruz"
# role = "legal-compliance"
# date = 2026-11-02
# evidence = "LEGAL-1142"
# justification = "..."      # required for not-applicable and waived
"#;

const STARTER_SIGNOFFS: &str = r"# Sign-offs of report digests (`preflight sign`) and the final approval (`preflight approve`).
# A sign-off counts only while the report's digest is the one it signed.
";

fn init(dir: &Path) -> Result<u8, String> {
    let files = [
        (dir.join("preflight.toml"), STARTER_CONFIG),
        (
            dir.join("preflight/attestations.toml"),
            STARTER_ATTESTATIONS,
        ),
        (dir.join("preflight/signoffs.toml"), STARTER_SIGNOFFS),
        // Writers lock `<file>.lock` beside each record file; never commit those.
        (dir.join("preflight/.gitignore"), "*.lock\n"),
    ];
    for (path, text) in files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(text.as_bytes())
                    .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
                println!("created {}", path.display());
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                println!("kept {} (exists)", path.display());
            }
            Err(e) => return Err(format!("cannot create `{}`: {e}", path.display())),
        }
    }
    Ok(0)
}

fn load_config(app: &App<'_>, path: Option<&PathBuf>) -> Result<Config, String> {
    if let Some(path) = path {
        return Config::load(path).map_err(|e| e.to_string());
    }
    let default_path = PathBuf::from("preflight.toml");
    if default_path.exists() {
        return Config::load(&default_path).map_err(|e| e.to_string());
    }
    match &app.default_config {
        Some((text, root)) => {
            let mut config =
                Config::parse(text, "embedded preflight.toml").map_err(|e| e.to_string())?;
            config.root.clone_from(root);
            Ok(config)
        }
        None => Err(
            "no `preflight.toml` here: pass --config PATH, or write a starter with `init`"
                .to_owned(),
        ),
    }
}

fn list(registry: &Registry, format: &str, selection: &Selection) -> Result<(), String> {
    let entries: Vec<&Entry> = registry
        .in_checklist_order()
        .into_iter()
        .filter(|e| selection.matches(e.meta()))
        .collect();
    let mut out = std::io::stdout().lock();
    match format {
        "json" => {
            let metas: Vec<&CheckMeta> = entries.iter().map(|e| &**e.meta()).collect();
            let text = serde_json::to_string_pretty(&metas).map_err(|e| e.to_string())?;
            let _ = writeln!(out, "{text}");
        }
        "human" => {
            let mut section = None;
            for entry in &entries {
                let meta = entry.meta();
                if section != Some(meta.section) {
                    section = Some(meta.section);
                    let _ = writeln!(out, "{}", meta.section.title());
                }
                let _ = writeln!(
                    out,
                    "  {:<52} {:<8} {:<18} {:<9} {}",
                    meta.id, meta.severity, meta.owner, meta.kind, meta.title
                );
            }
            let _ = writeln!(out, "{} items", entries.len());
        }
        "markdown" | "md" => {
            let mut heading = None;
            for entry in &entries {
                let meta = entry.meta();
                if heading != Some((meta.section, meta.group.clone())) {
                    if heading.as_ref().is_none_or(|(s, _)| *s != meta.section) {
                        let _ = writeln!(out, "\n## {}", meta.section.title());
                    }
                    let _ = writeln!(out, "\n### {}\n", meta.group);
                    heading = Some((meta.section, meta.group.clone()));
                }
                let _ = writeln!(
                    out,
                    "- [ ] {} (`{}`, {}, {}, {})",
                    meta.title, meta.id, meta.severity, meta.owner, meta.kind
                );
            }
        }
        other => {
            return Err(format!(
                "unknown list format `{other}` (expected human, json or markdown)"
            ));
        }
    }
    Ok(())
}

fn explain(registry: &Registry, id: &str, program: &str) -> Result<(), String> {
    let entry = item(registry, id)?;
    let meta = entry.meta();
    let mut lines = Vec::new();
    let mut line = |text: String| lines.push(text);
    line(format!("{}: {}", meta.id, meta.title));
    line(format!(
        "  section     {} / {}{}",
        meta.section.title(),
        meta.group,
        meta.position
            .map(|p| format!(" (checklist line {p})"))
            .unwrap_or_default()
    ));
    line(format!("  severity    {}", meta.severity));
    line(format!(
        "  owner       {} ({})",
        meta.owner.title(),
        meta.owner
    ));
    line(format!("  kind        {}", meta.kind));
    line(format!(
        "  applies     {}",
        match meta.applicability {
            Applicability::Always => "to every system",
            Applicability::IfApplicable =>
                "if applicable (may be declared not applicable, with a reason)",
        }
    ));
    line(format!("  phase       {}", meta.phase));
    if let Some(timeout) = meta.timeout {
        line(format!(
            "  timeout     {}",
            preflight_core::meta::format_duration(timeout)
        ));
    }
    if let Some(ttl) = meta.evidence_ttl {
        line(format!(
            "  evidence    valid for {}",
            preflight_core::meta::format_duration(ttl)
        ));
    }
    if !meta.refs.is_empty() {
        let refs: Vec<&str> = meta.refs.iter().map(|r| &**r).collect();
        line(format!("  references  {}", refs.join("; ")));
    }
    if let Some(location) = &meta.location {
        line(format!("  defined at  {location}"));
    }
    if !meta.description.trim().is_empty() {
        line(String::new());
        for text in meta.description.trim().lines() {
            line(format!("  {}", text.trim_end()));
        }
    }
    explain_usage(entry, program, &mut lines);
    let mut out = lines.join("\n");
    out.push('\n');
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(())
}

/// The parameters, inputs and how to satisfy an item, for `explain`.
fn explain_usage(entry: &Entry, program: &str, lines: &mut Vec<String>) {
    let meta = entry.meta();
    let mut line = |text: String| lines.push(text);
    line(String::new());
    if meta.params.is_empty() {
        line("Parameters: none".to_owned());
    } else {
        line(format!(
            "Parameters ([checks.\"{}\"] in preflight.toml):",
            meta.id
        ));
        let defaults = entry.param_defaults();
        for (i, param) in meta.params.iter().enumerate() {
            let default = defaults
                .get(i)
                .cloned()
                .flatten()
                .unwrap_or_else(|| "(not shown)".to_owned());
            line(format!(
                "  {} = {default}   ({}){}",
                param.name,
                param.ty,
                if param.doc.is_empty() {
                    String::new()
                } else {
                    format!(": {}", param.doc.trim())
                }
            ));
        }
    }
    if meta.inputs.is_empty() {
        line(if meta.kind == Kind::Attested {
            "Evidence it reads: none; a person attests it".to_owned()
        } else {
            "Evidence it reads: see the description".to_owned()
        });
    } else {
        let inputs: Vec<String> = meta
            .inputs
            .iter()
            .map(|i| format!("[inputs.{i}]"))
            .collect();
        line(format!("Evidence it reads: {}", inputs.join(", ")));
    }
    line(String::new());
    line("How to satisfy it:".to_owned());
    match meta.kind {
        Kind::Attested => {
            line(format!(
                "  {program} attest {} --by NAME --role {} --evidence \"URL, ticket or document\"",
                meta.id, meta.owner
            ));
            line("  The attestation counts for 90 days (review quarterly).".to_owned());
        }
        Kind::Automated => {
            line(format!(
                "  Its check runs with `{program} run` and reads the evidence above."
            ));
        }
    }
    if meta.applicability == Applicability::IfApplicable {
        line(format!(
            "  If it does not apply: {program} attest {} --by NAME --role {} --not-applicable \"why\"",
            meta.id, meta.owner
        ));
    }
    line(format!(
        "  To go live without it: {program} waive {} --by NAME --role ROLE --until DATE --reason \"why\"",
        meta.id
    ));
    if let Some(remediation) = &meta.remediation {
        line(format!("  When it does not pass: {remediation}"));
    }
}

/// A progress bar on standard error, drawn only once a run has lasted a moment.
struct Progress {
    bar: indicatif::ProgressBar,
    started: Instant,
    shown: bool,
}

impl Progress {
    /// How long a run goes without a bar: quick runs print nothing extra.
    const DELAY: Duration = Duration::from_millis(300);

    fn new() -> Self {
        let bar = indicatif::ProgressBar::hidden();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Progress {
            bar,
            started: Instant::now(),
            shown: false,
        }
    }
}

impl Observer for Progress {
    fn started(&mut self, total: usize) {
        self.bar.set_length(total as u64);
    }

    fn finished(&mut self, item: &ReportItem, done: usize, total: usize) {
        if !self.shown && self.started.elapsed() >= Self::DELAY {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.shown = true;
        }
        self.bar.set_position(done as u64);
        self.bar.set_message(item.meta.id.to_string());
        if done == total {
            self.bar.finish_and_clear();
        }
    }
}
