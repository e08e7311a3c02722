//! The `preflight` command line, offered over any set of items with one call from `main`.
//!
//! ```no_run
//! preflight_core::provider! {
//!     /// The desk's items.
//!     pub fn items = "my-desk" [];
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     let providers = [items()];
//!     preflight_probes::cli::main(&preflight_probes::cli::App::new("my-desk", &providers))
//! }
//! ```

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use preflight_core::render::color_wanted;
use preflight_core::{Config, Format, Provider, Registry, Runner};

/// What a program offers on its command line.
#[derive(Debug, Clone)]
pub struct App<'a> {
    name: &'a str,
    providers: &'a [Provider],
    default_config: Option<(&'a str, PathBuf)>,
}

impl<'a> App<'a> {
    /// A command line named `name` over the items of `providers`.
    #[must_use]
    pub fn new(name: &'a str, providers: &'a [Provider]) -> Self {
        App {
            name,
            providers,
            default_config: None,
        }
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
    /// Runs every item and prints the report; exits 0 when ready, 1 when not, 2 on a usage or configuration error.
    Run(RunArgs),
    /// Lists the registered items.
    List {
        /// `human` (one line per item) or `json`.
        #[arg(long, default_value = "human")]
        format: String,
    },
}

#[derive(Debug, clap::Args, Default)]
struct RunArgs {
    /// The configuration file (default: `preflight.toml` in the current directory).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output format: human, json or markdown.
    #[arg(long, default_value = "human")]
    format: String,
    /// Writes the report to this file (atomically) instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
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
    match execute(
        app,
        args.command.unwrap_or(Command::Run(RunArgs {
            format: "human".to_owned(),
            ..RunArgs::default()
        })),
    ) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("{}: error: {message}", app.name);
            ExitCode::from(2)
        }
    }
}

fn execute(app: &App<'_>, command: Command) -> Result<u8, String> {
    let registry = Registry::from_inventory(app.providers).map_err(|e| e.to_string())?;
    match command {
        Command::List { format } => {
            list(&registry, &format)?;
            Ok(0)
        }
        Command::Run(args) => {
            let config = load_config(app, args.config.as_ref())?;
            let format = match args.format.as_str() {
                "human" if args.output.is_none() => Format::Human {
                    color: color_wanted(&std::io::stdout()),
                },
                "human" => Format::Human { color: false },
                other => Format::from_name(other).map_err(|e| e.to_string())?,
            };
            let report = Runner::new(&registry, config)
                .run()
                .map_err(|e| e.to_string())?;
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
    }
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
        None => Err("no `preflight.toml` here: pass --config PATH".to_owned()),
    }
}

fn list(registry: &Registry, format: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match format {
        "json" => {
            let metas: Vec<_> = registry.entries().iter().map(|e| &**e.meta()).collect();
            let text = serde_json::to_string_pretty(&metas).map_err(|e| e.to_string())?;
            let _ = writeln!(out, "{text}");
        }
        "human" => {
            for entry in registry.entries() {
                let meta = entry.meta();
                let _ = writeln!(
                    out,
                    "{:<48} {:<8} {:<18} {}",
                    meta.id, meta.severity, meta.owner, meta.title
                );
            }
        }
        other => {
            return Err(format!(
                "unknown list format `{other}` (expected human or json)"
            ));
        }
    }
    Ok(())
}
