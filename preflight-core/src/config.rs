//! `preflight.toml`: project, gate, run settings, shared inputs and per-item parameters.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::meta::{Role, Severity};
use crate::status::Status;

/// The parsed `preflight.toml`. Parsing is strict: an unknown key anywhere is an error
/// that names the file, the table and the key.
///
/// ```
/// use preflight_core::Config;
///
/// let config = Config::parse(r#"
/// [project]
/// name = "desk"
/// environment = "staging"
///
/// [checks."strategy.backtest.sharpe-ratio"]
/// min = 1.5
/// "#, "preflight.toml").unwrap();
/// assert_eq!(config.project.name, "desk");
///
/// let err = Config::parse("[projet]\nname = \"desk\"\n", "preflight.toml").unwrap_err();
/// assert!(err.to_string().contains("unknown field `projet`"));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Config {
    /// The file the configuration came from, for messages (`None` when built in code).
    pub path: Option<PathBuf>,
    /// The project root: paths in the configuration are relative to it.
    pub root: PathBuf,
    /// `[project]`.
    pub project: ProjectConfig,
    /// `[gate]`.
    pub gate: GateConfig,
    /// `[run]`.
    pub run: RunConfig,
    /// `[records]`: where attestations and sign-offs are kept.
    pub records: RecordsConfig,
    /// `[inputs]`: named shared artifacts, each read by [`Input`](crate::Input) types.
    pub inputs: toml::Table,
    /// `[checks."<id>"]`, by item ID.
    pub checks: BTreeMap<String, CheckConfig>,
}

/// `[project]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ProjectConfig {
    /// The system's name, shown in reports.
    pub name: String,
    /// The environment being readied, e.g. `production`.
    #[serde(default = "default_environment")]
    pub environment: String,
}

fn default_environment() -> String {
    "production".to_owned()
}

impl Default for ProjectConfig {
    fn default() -> Self {
        ProjectConfig {
            name: "unnamed".to_owned(),
            environment: default_environment(),
        }
    }
}

impl ProjectConfig {
    /// A project with the given name and environment.
    #[must_use]
    pub fn new(name: impl Into<String>, environment: impl Into<String>) -> Self {
        ProjectConfig {
            name: name.into(),
            environment: environment.into(),
        }
    }
}

/// `[gate]`: what blocks a go-live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct GateConfig {
    /// Statuses that block (default: fail, error, pending, stale).
    pub blocking: Vec<Status>,
    /// Items below this severity never block (default: low, so every item counts).
    pub severity_floor: Severity,
    /// Roles that must sign the report's digest (default: the seven roles of the sign-off table).
    pub required_roles: Vec<Role>,
    /// Item ID globs that may be declared not applicable although the checklist
    /// does not mark them "(if applicable)" (default: none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allow_not_applicable: Vec<String>,
    /// Public keys (Ed25519, hex) per role: a role listed here counts only with a
    /// sign-off signed by its key.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub signing_keys: BTreeMap<Role, String>,
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig {
            blocking: vec![Status::Fail, Status::Error, Status::Pending, Status::Stale],
            severity_floor: Severity::Low,
            required_roles: Role::ALL.to_vec(),
            allow_not_applicable: Vec::new(),
            signing_keys: BTreeMap::new(),
        }
    }
}

/// `[records]`: the record files, relative to the project root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct RecordsConfig {
    /// Attestations, waivers and not-applicable declarations (default `preflight/attestations.toml`).
    pub attestations: PathBuf,
    /// Sign-offs and the final approval (default `preflight/signoffs.toml`).
    pub signoffs: PathBuf,
}

impl Default for RecordsConfig {
    fn default() -> Self {
        RecordsConfig {
            attestations: PathBuf::from("preflight/attestations.toml"),
            signoffs: PathBuf::from("preflight/signoffs.toml"),
        }
    }
}

impl GateConfig {
    /// Sets the roles that must sign off.
    #[must_use]
    pub fn with_required_roles(mut self, roles: impl IntoIterator<Item = Role>) -> Self {
        self.required_roles = roles.into_iter().collect();
        self
    }
}

/// `[run]`: how the runner schedules checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct RunConfig {
    /// Checks run at once (default: eight per core, between 8 and 64: checks mostly wait on I/O).
    pub workers: Option<usize>,
    /// Timeout of items whose metadata sets none (default 60 s).
    #[serde(with = "duration_str")]
    pub default_timeout: Duration,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            workers: None,
            default_timeout: Duration::from_secs(60),
        }
    }
}

mod duration_str {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::meta::format_duration(*value))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        crate::meta::parse_duration(&text).map_err(serde::de::Error::custom)
    }
}

/// `[checks."<id>"]`: the runner's keys and the item's own parameters.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct CheckConfig {
    /// `enabled = false` drops the item from the run (status `skipped`); needs `reason`.
    pub enabled: bool,
    /// Why the item is disabled.
    pub reason: Option<String>,
    /// Overrides the item's timeout.
    pub timeout: Option<Duration>,
    /// Every other key: the item's parameters.
    pub params: toml::Table,
}

/// The whole file as TOML gives it; `checks` is split afterwards.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    project: ProjectConfig,
    #[serde(default)]
    gate: GateConfig,
    #[serde(default)]
    run: RunConfig,
    #[serde(default)]
    records: RecordsConfig,
    #[serde(default)]
    inputs: toml::Table,
    #[serde(default)]
    checks: BTreeMap<String, toml::Table>,
}

impl Config {
    /// A configuration for `project`, rooted at `root`, with every default.
    #[must_use]
    pub fn new(project: ProjectConfig, root: impl Into<PathBuf>) -> Self {
        Config {
            root: root.into(),
            project,
            ..Config::default()
        }
    }

    /// Reads and parses a configuration file; its directory becomes the project root.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: Some(path.to_owned()),
            kind: ConfigErrorKind::Read(e.to_string()),
        })?;
        let mut config = Self::parse(&text, path)?;
        config.root = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        Ok(config)
    }

    /// Parses configuration text; `path` is only used in messages. The root is `.`.
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref().to_owned();
        let err = |kind| ConfigError {
            path: Some(path.clone()),
            kind,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let table = e
                .span()
                .map_or_else(String::new, |span| enclosing_table(text, span.start));
            err(ConfigErrorKind::Toml(format!("{table}{e}")))
        })?;
        let mut checks = BTreeMap::new();
        let mut problems = Vec::new();
        for (id, mut table) in raw.checks {
            match split_check_table(&id, &mut table) {
                Ok(mut check) => {
                    check.params = table;
                    checks.insert(id, check);
                }
                Err(problem) => problems.push(problem),
            }
        }
        if let Err(e) = glob_set(&raw.gate.allow_not_applicable) {
            problems.push(format!("[gate]: `allow_not_applicable`: {e}"));
        }
        for (role, key) in &raw.gate.signing_keys {
            if hex::decode(key).map_or(true, |b| b.len() != 32) {
                problems.push(format!(
                    "[gate.signing_keys]: the key of `{role}` is not an Ed25519 public key (64 hex digits, as `preflight sign --generate-key` prints)"
                ));
            }
        }
        if !problems.is_empty() {
            return Err(err(ConfigErrorKind::Checks(problems)));
        }
        Ok(Config {
            path: Some(path.clone()),
            root: PathBuf::from("."),
            project: raw.project,
            gate: raw.gate,
            run: raw.run,
            records: raw.records,
            inputs: raw.inputs,
            checks,
        })
    }

    /// The attestations file, resolved against the root.
    #[must_use]
    pub fn attestations_path(&self) -> PathBuf {
        self.root.join(&self.records.attestations)
    }

    /// The sign-offs file, resolved against the root.
    #[must_use]
    pub fn signoffs_path(&self) -> PathBuf {
        self.root.join(&self.records.signoffs)
    }

    /// The file name used in messages.
    #[must_use]
    pub fn display_path(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "configuration".to_owned(), |p| p.display().to_string())
    }
}

/// Compiles item ID globs (`*` matches any run of characters, dots included).
pub fn glob_set(patterns: &[String]) -> Result<globset::GlobSet, String> {
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(false)
            .build()
            .map_err(|e| format!("`{pattern}` is not a valid pattern: {e}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
}

/// `in [table]: ` for the table header above `offset` (`at the top level: ` when none),
/// so that a schema error names the table as well as the line and key.
fn enclosing_table(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    before
        .lines()
        .rev()
        .map(str::trim_start)
        .find(|line| line.starts_with('['))
        .map_or_else(
            || "at the top level: ".to_owned(),
            |header| {
                let header = header.split('#').next().unwrap_or(header).trim_end();
                format!("in {header}: ")
            },
        )
}

/// Takes the runner's keys out of a `[checks."<id>"]` table.
fn split_check_table(id: &str, table: &mut toml::Table) -> Result<CheckConfig, String> {
    let mut check = CheckConfig {
        enabled: true,
        ..CheckConfig::default()
    };
    if let Some(value) = table.remove("enabled") {
        check.enabled = value
            .as_bool()
            .ok_or_else(|| format!("[checks.\"{id}\"]: `enabled` must be true or false"))?;
    }
    if let Some(value) = table.remove("reason") {
        check.reason = Some(
            value
                .as_str()
                .ok_or_else(|| format!("[checks.\"{id}\"]: `reason` must be a string"))?
                .to_owned(),
        );
    }
    if let Some(value) = table.remove("timeout") {
        let text = value.as_str().ok_or_else(|| {
            format!("[checks.\"{id}\"]: `timeout` must be a string such as \"30s\"")
        })?;
        check.timeout = Some(
            crate::meta::parse_duration(text)
                .map_err(|e| format!("[checks.\"{id}\"]: `timeout`: {e}"))?,
        );
    }
    if !check.enabled && check.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(format!(
            "[checks.\"{id}\"]: `enabled = false` needs a `reason` saying why the item is dropped"
        ));
    }
    Ok(check)
}

/// A configuration that cannot be used; the run stops before any check runs (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The file, when the configuration came from one.
    pub path: Option<PathBuf>,
    /// What is wrong.
    #[source]
    pub kind: ConfigErrorKind,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "`{}`: {}", path.display(), self.kind),
            None => write!(f, "configuration: {}", self.kind),
        }
    }
}

/// What is wrong with a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The file could not be read.
    #[error("cannot read the configuration: {0}")]
    Read(String),
    /// Not valid TOML, or a key or value the schema does not have (the message names the line).
    #[error("{0}")]
    Toml(String),
    /// `[checks]` tables that name unknown items or carry bad values; every problem is listed.
    #[error("{}", .0.join("; "))]
    Checks(Vec<String>),
    /// A record file (attestations, sign-offs) that cannot be used; every problem is listed.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Records(Vec<crate::records::RecordProblem>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_name_table_and_key() {
        let err = Config::parse("[gate]\nblockng = []\n", "preflight.toml").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("`preflight.toml`: "), "{text}");
        assert!(text.contains("unknown field `blockng`"), "{text}");
        assert!(text.contains("line 2"), "{text}");
        assert!(text.contains("[gate]"), "{text}");
    }

    #[test]
    fn check_tables_split_runner_keys() {
        let config = Config::parse(
            "[checks.\"code.review.peer-review\"]\nenabled = false\nreason = \"no reviewers\"\ntimeout = \"5s\"\nmin = 2\n",
            "p.toml",
        )
        .unwrap();
        let check = &config.checks["code.review.peer-review"];
        assert!(!check.enabled);
        assert_eq!(check.timeout, Some(Duration::from_secs(5)));
        assert_eq!(check.params.len(), 1);
    }

    #[test]
    fn disabling_needs_a_reason() {
        let err = Config::parse("[checks.\"a.b.c\"]\nenabled = false\n", "p.toml").unwrap_err();
        assert!(err.to_string().contains("needs a `reason`"), "{err}");
    }

    #[test]
    fn gate_defaults_require_every_role() {
        let config = Config::parse("", "p.toml").unwrap();
        assert_eq!(config.gate.required_roles.len(), 7);
        assert_eq!(config.run.default_timeout, Duration::from_secs(60));
    }
}
