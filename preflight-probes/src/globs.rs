//! Paths of `[inputs]` entries given as globs relative to the
//! configuration's directory (`reports/*.xml`, `target/nextest/ci/junit.xml`),
//! shared by the readers of test, lint, vulnerability and chaos reports.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use preflight_core::{Artifact, CheckError, InputSource};

/// Whether `pattern` holds a glob metacharacter.
fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

/// The files under `root` whose path relative to `root` matches `pattern`
/// (`*` does not cross `/`; `**` does). Only the directory before the first
/// glob component is walked, and only as deep as the pattern reaches, so that
/// `target/nextest/ci/junit.xml` never walks the whole project.
pub(crate) fn expand(root: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let pattern = pattern.replace('\\', "/");
    if !is_glob(&pattern) {
        let full = root.join(&pattern);
        return Ok(if full.is_file() {
            vec![full]
        } else {
            Vec::new()
        });
    }
    let matcher: GlobMatcher = GlobBuilder::new(&pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("`{pattern}` is not a valid glob: {e}"))?
        .compile_matcher();
    let components: Vec<&str> = pattern.split('/').collect();
    let literal = components.iter().take_while(|c| !is_glob(c)).count();
    let base = root.join(components[..literal].join("/"));
    let depth = if pattern.contains("**") {
        usize::MAX
    } else {
        components.len() - literal
    };
    let mut found = Vec::new();
    let mut pending = vec![(base, 1usize)];
    while let Some((dir, level)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            // Not followed: a symbolic link to a directory could loop.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if level < depth {
                    pending.push((path, level + 1));
                }
                continue;
            }
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let relative = relative.to_string_lossy().replace('\\', "/");
            if matcher.is_match(relative.as_str()) && path.is_file() {
                found.push(path);
            }
        }
    }
    Ok(found)
}

/// A file an input's globs matched, read.
pub(crate) struct Matched {
    /// Its path relative to the configuration's directory.
    pub(crate) shown: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) modified: Option<jiff::Timestamp>,
}

impl Matched {
    /// The file as an artifact of the outcome.
    pub(crate) fn artifact(&self) -> Artifact {
        Artifact::from_bytes(self.shown.clone(), &self.bytes, self.modified)
    }
}

/// The strings of setting `key`: one string, or an array of them.
pub(crate) fn strings(
    source: &InputSource<'_>,
    key: &str,
    value: &toml::Value,
) -> Result<Vec<String>, CheckError> {
    let expected = || source.error(format!("`{key}`: expected a list of glob strings"));
    match value {
        toml::Value::String(s) => Ok(vec![s.clone()]),
        toml::Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(expected))
            .collect(),
        _ => Err(expected()),
    }
}

/// The globs of an input that names report files: `name = "<glob>"`,
/// `name = ["<glob>", ...]`, or a table with `paths` and the `extra` keys
/// its reader takes itself. An unknown key, a missing or empty `paths` is an
/// error that names `what` the globs should match.
pub(crate) fn report_paths(
    source: &InputSource<'_>,
    extra: &[&str],
    what: &str,
) -> Result<Vec<String>, CheckError> {
    let name = source.name();
    let expected = || {
        source.error(format!(
            "expected `paths = [\"<glob>\", ...]` in [inputs.{name}]"
        ))
    };
    let paths = match source.value() {
        value @ (toml::Value::String(_) | toml::Value::Array(_)) => {
            strings(source, "paths", value)?
        }
        toml::Value::Table(t) => {
            if let Some(key) = t
                .keys()
                .find(|k| k.as_str() != "paths" && !extra.contains(&k.as_str()))
            {
                let known: Vec<String> = std::iter::once("paths")
                    .chain(extra.iter().copied())
                    .map(|k| format!("`{k}`"))
                    .collect();
                return Err(source.error(format!(
                    "unknown key `{key}` in [inputs.{name}] (expected {})",
                    known.join(", ")
                )));
            }
            strings(source, "paths", t.get("paths").ok_or_else(expected)?)?
        }
        _ => return Err(expected()),
    };
    if paths.is_empty() {
        return Err(source.error(format!("`paths` is empty: name the {what} to read")));
    }
    Ok(paths)
}

/// Every file the globs `patterns` match under the configuration's
/// directory, each once and in path order, read. A glob that matches no
/// file is an error of the input that ends with `hint` (what to run first).
pub(crate) fn read_matches(
    source: &InputSource<'_>,
    patterns: &[String],
    hint: &str,
) -> Result<Vec<Matched>, CheckError> {
    let root = source.root();
    let mut files = BTreeSet::new();
    for pattern in patterns {
        let found = expand(root, pattern).map_err(|e| source.error(e))?;
        if found.is_empty() {
            return Err(source.error(format!(
                "`{pattern}` matches no file under `{}`: {hint}, or fix the glob",
                root.display()
            )));
        }
        files.extend(found);
    }
    files
        .into_iter()
        .map(|full| {
            let shown = full
                .strip_prefix(root)
                .unwrap_or(&full)
                .display()
                .to_string();
            let bytes = std::fs::read(&full)
                .map_err(|e| source.error(format!("cannot read `{shown}`: {e}")))?;
            let modified = std::fs::metadata(&full)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| jiff::Timestamp::try_from(t).ok());
            Ok(Matched {
                shown,
                bytes,
                modified,
            })
        })
        .collect()
}
