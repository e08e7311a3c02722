//! The traits a checklist item implements and what a check returns.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::evidence::{Artifact, Evidence, Finding};
use crate::meta::CheckMeta;
use crate::status::Status;

/// A checklist item that a program can verify.
///
/// `run` reads evidence through the [`Context`] and decides. Returning `Err`
/// makes the item `error` (could not evaluate): a check that cannot find or
/// parse its evidence must return an error, never a pass.
///
/// ```
/// use preflight_core::{Check, CheckError, Context, Outcome};
///
/// struct AlwaysReady;
///
/// impl Check for AlwaysReady {
///     fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
///         Ok(Outcome::pass("nothing to verify"))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is an automated checklist item but does not implement `Check`",
    note = "implement `preflight_core::Check` for it, or mark the item `#[item(attested)]` if a person attests it"
)]
pub trait Check: Send + Sync + 'static {
    /// Reads the evidence and judges it.
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError>;
}

/// A registered checklist item: metadata, construction from configuration and
/// (for automated items) the check to run.
///
/// Implemented by `#[derive(ChecklistItem)]`; hand-written items are rare
/// (see [`RegistryBuilder::add_check`](crate::RegistryBuilder::add_check)).
pub trait ChecklistItem: Sized + Send + Sync + 'static {
    /// The item's static metadata.
    fn meta() -> &'static CheckMeta;

    /// Builds the item from its `[checks."<id>"]` table, over `Default`.
    ///
    /// The table holds only the item's own parameters: the runner's keys
    /// (`enabled`, `reason`, `timeout`) are removed before this is called.
    fn from_params(params: &toml::Table) -> Result<Self, ParamError>;

    /// The default of each parameter, in the order of
    /// [`CheckMeta::params`], shown as a TOML value; `None` where the type
    /// cannot be shown. Used by `preflight explain`.
    #[must_use]
    fn param_defaults() -> Vec<Option<String>> {
        Vec::new()
    }

    /// The check to run: `None` for attested items, which people satisfy.
    fn into_check(self) -> Option<Box<dyn Check>>;
}

/// What a check decided, with the evidence it observed.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Outcome {
    pub(crate) status: Status,
    pub(crate) message: String,
    pub(crate) summary: Option<String>,
    pub(crate) values: Option<serde_json::Value>,
    pub(crate) artifacts: Vec<Artifact>,
    pub(crate) findings: Vec<Finding>,
}

impl Outcome {
    fn with_status(status: Status, message: impl Into<String>) -> Self {
        Outcome {
            status,
            message: message.into(),
            summary: None,
            values: None,
            artifacts: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// The evidence satisfies the item.
    pub fn pass(message: impl Into<String>) -> Self {
        Self::with_status(Status::Pass, message)
    }

    /// Satisfied, with a concern the reader should see (does not block by default).
    pub fn warn(message: impl Into<String>) -> Self {
        Self::with_status(Status::Warn, message)
    }

    /// The evidence shows the item is not satisfied.
    pub fn fail(message: impl Into<String>) -> Self {
        Self::with_status(Status::Fail, message)
    }

    /// The evidence would satisfy the item but is too old to vouch for it,
    /// judged by the check from dates inside the evidence (a chaos journal's
    /// end, a test run's timestamp) where a file's modification time would
    /// mislead. Like the runner's evidence TTL (which judges modification
    /// times), `stale` blocks by default: produce the evidence again.
    ///
    /// ```
    /// use preflight_core::{Outcome, Status};
    ///
    /// let outcome = Outcome::stale("the chaos experiment ended 45 days ago, longer ago than 30d");
    /// assert_eq!(outcome.status(), Status::Stale);
    /// ```
    pub fn stale(message: impl Into<String>) -> Self {
        Self::with_status(Status::Stale, message)
    }

    /// The item does not apply to this system; `justification` says why.
    pub fn not_applicable(justification: impl Into<String>) -> Self {
        Self::with_status(Status::NotApplicable, justification)
    }

    /// Attaches the typed evidence: its values go into the report and its
    /// summary becomes the evidence line.
    ///
    /// Evidence that cannot be serialized turns the outcome into `error`: a
    /// result whose evidence cannot be recorded cannot be audited.
    pub fn with_evidence<E: Evidence>(mut self, evidence: &E) -> Self {
        match serde_json::to_value(evidence) {
            Ok(values) => {
                self.summary = Some(evidence.summary());
                self.values = Some(values);
            }
            Err(e) => {
                self.message = format!(
                    "the check's evidence could not be recorded ({e}); was: {}",
                    self.message
                );
                self.status = Status::Error;
            }
        }
        self
    }

    /// Records an artifact the check read (see [`Context::read_artifact`]).
    pub fn with_artifact(mut self, artifact: Artifact) -> Self {
        self.artifacts.push(artifact);
        self
    }

    /// Records findings with locations (they feed SARIF output).
    pub fn with_findings(mut self, findings: impl IntoIterator<Item = Finding>) -> Self {
        self.findings.extend(findings);
        self
    }

    /// The status the check decided.
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
    }

    /// The one-line message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Why a check could not be evaluated; the item's status becomes `error`.
///
/// Messages say what is missing and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// A named input is not configured.
    #[error("input `{name}` is not configured: add [inputs.{name}] to preflight.toml")]
    MissingInput {
        /// The input's name in `[inputs]`.
        name: String,
    },
    /// An input is configured but could not be read or parsed.
    #[error("input `{name}`: {message}")]
    Input {
        /// The input's name in `[inputs]`.
        name: String,
        /// What went wrong, naming the file, line and column where known.
        message: String,
    },
    /// An artifact could not be read.
    #[error("cannot read `{path}`: {message}")]
    Io {
        /// The path, as given.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// Evidence was found but is malformed.
    #[error("{location}: {message}")]
    Malformed {
        /// Where: a path, optionally with `:line:column`.
        location: String,
        /// What is wrong with it.
        message: String,
    },
    /// The service did not hand in an extension the check needs.
    #[error(
        "this check needs the extension `{type_name}`: hand it to the run with `Runner::extension`"
    )]
    MissingExtension {
        /// The extension's Rust type.
        type_name: &'static str,
    },
    /// Any other reason.
    #[error("{0}")]
    Other(String),
}

impl CheckError {
    /// An error with a free-form message.
    pub fn msg(message: impl fmt::Display) -> Self {
        CheckError::Other(message.to_string())
    }
}

/// One problem with an item's `[checks."<id>"]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ParamProblem {
    /// A key that names no parameter of the item.
    UnknownKey {
        /// The key as written.
        key: String,
        /// The item's parameters.
        expected: Vec<String>,
    },
    /// A value of the wrong type or out of range.
    InvalidValue {
        /// The key.
        key: String,
        /// The deserializer's reason.
        message: String,
    },
}

/// The item's `[checks."<id>"]` table does not fit its parameters; every problem is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParamError {
    /// The item's ID.
    pub id: String,
    /// Every problem found, not only the first.
    pub problems: Vec<ParamProblem>,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = &self.id;
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            match problem {
                ParamProblem::UnknownKey { key, expected } => {
                    write!(f, "item `{id}`: unknown key `{key}` in [checks.\"{id}\"] ")?;
                    if expected.is_empty() {
                        write!(f, "(the item has no parameters)")?;
                    } else {
                        let list: Vec<String> = expected.iter().map(|k| format!("`{k}`")).collect();
                        write!(f, "(expected {})", list.join(", "))?;
                    }
                }
                ParamProblem::InvalidValue { key, message } => {
                    write!(
                        f,
                        "item `{id}`: invalid value for `{key}` in [checks.\"{id}\"]: {message}"
                    )?;
                }
            }
        }
        Ok(())
    }
}
