//! The shortest complete preflight program: one derived item, one run, one
//! assertion on the report.

use preflight_core::config::GateConfig;
use preflight_core::{
    Check, CheckError, ChecklistItem, Config, Context, Outcome, Registry, Runner, Status,
};

/// Production logs at INFO: more verbose levels flood storage and leak detail.
#[derive(ChecklistItem)]
#[item(
    id = "monitoring.logging.log-levels",
    title = "Log levels properly set (INFO for production)",
    severity = "medium",
    owner = "devops-lead"
)]
struct LogLevel {
    /// The log level the service is configured with.
    level: String,
}

impl Default for LogLevel {
    fn default() -> Self {
        LogLevel {
            level: "info".to_owned(),
        }
    }
}

impl Check for LogLevel {
    fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        match self.level.as_str() {
            "info" | "warn" | "error" => {
                Ok(Outcome::pass(format!("log level is `{}`", self.level)))
            }
            "debug" | "trace" => Ok(Outcome::fail(format!(
                "log level `{}` is too verbose for production",
                self.level
            ))),
            other => Err(CheckError::msg(format!("unknown log level `{other}`"))),
        }
    }
}

fn main() {
    let registry = Registry::builder()
        .item::<LogLevel>()
        .build()
        .expect("a valid registry");
    let mut config = Config::parse(
        "[checks.\"monitoring.logging.log-levels\"]\nlevel = \"debug\"\n",
        "preflight.toml",
    )
    .expect("a valid configuration");
    // This example judges the item alone; a real go-live also needs the seven sign-offs.
    config.gate = GateConfig::default().with_required_roles([]);
    let report = Runner::new(&registry, config)
        .run()
        .expect("the configuration fits the item");

    let item = report
        .item("monitoring.logging.log-levels")
        .expect("the item ran");
    assert_eq!(item.status, Status::Fail);
    assert!(!report.is_ready());
    println!("{}: {} ({})", item.meta.id, item.status, item.message);
}
