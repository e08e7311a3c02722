//! What a check sees while it runs: configuration, project root, clock, shared inputs
//! and extensions handed in by the service.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::check::CheckError;
use crate::config::Config;
use crate::evidence::Artifact;
use crate::meta::CheckMeta;

/// The time source of a run; tests inject a [`FixedClock`].
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> jiff::Timestamp;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

/// A clock that always says the same instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub jiff::Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> jiff::Timestamp {
        self.0
    }
}

/// A shared artifact named in `[inputs]`, parsed once per run however many checks use it.
///
/// ```
/// use preflight_core::{CheckError, Input, InputSource};
///
/// struct Threshold(f64);
///
/// impl Input for Threshold {
///     fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
///         source.value().as_float().map(Threshold).ok_or_else(|| source.error("expected a number"))
///     }
/// }
/// ```
pub trait Input: Sized + Send + Sync + 'static {
    /// Parses the input from its `[inputs]` entry.
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError>;
}

/// The `[inputs]` entry an [`Input`] is parsed from.
#[derive(Debug)]
pub struct InputSource<'a> {
    name: &'a str,
    value: &'a toml::Value,
    root: &'a Path,
}

impl InputSource<'_> {
    /// The input's name (the key in `[inputs]`).
    #[must_use]
    pub fn name(&self) -> &str {
        self.name
    }

    /// The entry: a string (usually a path) or a table.
    #[must_use]
    pub fn value(&self) -> &toml::Value {
        self.value
    }

    /// The project root, against which relative paths resolve.
    #[must_use]
    pub fn root(&self) -> &Path {
        self.root
    }

    /// The entry's path: the string itself, or the table's `path` key, resolved against the root.
    pub fn path(&self) -> Result<PathBuf, CheckError> {
        let text = match self.value {
            toml::Value::String(s) => Some(s.as_str()),
            toml::Value::Table(t) => t.get("path").and_then(toml::Value::as_str),
            _ => None,
        };
        text.map(|p| self.root.join(p)).ok_or_else(|| {
            self.error(format!(
                "expected a path: `{0} = \"file\"` or `[inputs.{0}]` with `path = \"file\"`",
                self.name
            ))
        })
    }

    /// An error about this input.
    #[must_use]
    pub fn error(&self, message: impl fmt::Display) -> CheckError {
        CheckError::Input {
            name: self.name.to_owned(),
            message: message.to_string(),
        }
    }
}

/// Values a service hands to the run for its checks to use, one per type
/// (its risk engine, its broker adapter, ...).
#[derive(Default)]
pub struct Extensions {
    map: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Extensions")
            .field("count", &self.map.len())
            .finish()
    }
}

impl Extensions {
    /// Adds a value, replacing any earlier one of the same type.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.map.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`, if one was handed in.
    #[must_use]
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.map.get(&TypeId::of::<T>())?.downcast_ref()
    }
}

type Cached = Arc<OnceLock<Result<Arc<dyn Any + Send + Sync>, CheckError>>>;

/// What every check of one run shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) extensions: Extensions,
    inputs: Mutex<HashMap<(String, TypeId), Cached>>,
}

impl Shared {
    pub(crate) fn new(config: Config, clock: Arc<dyn Clock>, extensions: Extensions) -> Self {
        Shared {
            config,
            clock,
            extensions,
            inputs: Mutex::new(HashMap::new()),
        }
    }
}

/// What a check sees while it runs.
#[derive(Debug, Clone)]
pub struct Context {
    pub(crate) shared: Arc<Shared>,
    pub(crate) meta: Arc<CheckMeta>,
}

impl Context {
    /// The run's configuration.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// The project root (the directory of `preflight.toml`).
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.shared.config.root
    }

    /// The environment being readied (`[project] environment`).
    #[must_use]
    pub fn environment(&self) -> &str {
        &self.shared.config.project.environment
    }

    /// The run's clock: use it instead of the system time so tests can fix it.
    #[must_use]
    pub fn now(&self) -> jiff::Timestamp {
        self.shared.clock.now()
    }

    /// The metadata of the item being run.
    #[must_use]
    pub fn item(&self) -> &CheckMeta {
        &self.meta
    }

    /// The extension of type `T` the service handed in.
    ///
    /// # Errors
    /// [`CheckError::MissingExtension`] when none was: the check cannot be evaluated.
    pub fn extension<T: Send + Sync + 'static>(&self) -> Result<&T, CheckError> {
        self.shared
            .extensions
            .get()
            .ok_or(CheckError::MissingExtension {
                type_name: std::any::type_name::<T>(),
            })
    }

    /// The shared input `name`, parsed as `T` the first time any check asks for it;
    /// every later request in the run (from any thread) gets the same value or the same error.
    pub fn input<T: Input>(&self, name: &str) -> Result<Arc<T>, CheckError> {
        let cell = {
            let mut inputs = self
                .shared
                .inputs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            inputs
                .entry((name.to_owned(), TypeId::of::<T>()))
                .or_default()
                .clone()
        };
        let parsed =
            cell.get_or_init(|| {
                let value = self.shared.config.inputs.get(name).ok_or_else(|| {
                    CheckError::MissingInput {
                        name: name.to_owned(),
                    }
                })?;
                let source = InputSource {
                    name,
                    value,
                    root: self.root(),
                };
                T::parse(&source).map(|v| Arc::new(v) as Arc<dyn Any + Send + Sync>)
            });
        match parsed {
            Ok(any) => Ok(any
                .clone()
                .downcast::<T>()
                .expect("the cache is keyed by type")),
            Err(e) => Err(e.clone()),
        }
    }

    /// Resolves a path against the project root.
    #[must_use]
    pub fn resolve(&self, path: impl AsRef<Path>) -> PathBuf {
        self.root().join(path)
    }

    /// Reads an artifact (relative paths resolve against the root) and describes it
    /// by content hash, for [`Outcome::with_artifact`](crate::Outcome::with_artifact).
    pub fn read_artifact(&self, path: impl AsRef<Path>) -> Result<(Artifact, Vec<u8>), CheckError> {
        let full = self.resolve(&path);
        // Relative to the root, so messages and digests do not depend on where the project lives.
        let shown = full
            .strip_prefix(self.root())
            .unwrap_or(&full)
            .display()
            .to_string();
        let io = |e: std::io::Error| CheckError::Io {
            path: shown.clone(),
            message: e.to_string(),
        };
        let bytes = std::fs::read(&full).map_err(io)?;
        let modified = std::fs::metadata(&full)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| jiff::Timestamp::try_from(t).ok());
        Ok((Artifact::from_bytes(shown, &bytes, modified), bytes))
    }
}
