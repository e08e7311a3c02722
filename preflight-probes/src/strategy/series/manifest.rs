//! `[inputs.model_manifest]`: the models deployed, with their versions and digests.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};

use preflight_core::{Artifact, CheckError, Input, InputSource};
use serde::Deserialize;
use toml::Spanned;

use super::digest::Hashing;
use super::read::{io_error, modified, shown_value};
use super::settings::Settings;

const KEYS: &[&str] = &["path"];

/// The model manifest: every model the strategy may load, pinned by version
/// and content digest, with at most one fallback.
///
/// ```toml
/// [inputs.model_manifest]
/// path = "model/manifest.toml"
/// ```
///
/// The manifest itself is TOML:
///
/// ```toml
/// [[model]]
/// name = "alpha"
/// version = "2024.06.1"
/// path = "alpha-2024.06.1.onnx"  # relative to the manifest's directory
/// sha256 = "sha256:9f86d0…"      # or the bare 64 hex digits
/// fallback = false               # default; at most one model is the fallback
/// ```
///
/// It is parsed strictly: an unknown key, a missing or mistyped field, a
/// digest that is not 64 hex digits, a (name, version) listed twice, a second
/// fallback or an empty manifest is a [`CheckError::Malformed`] located
/// `<manifest>:<line>:<column>`. The model files are not read here:
/// [`verify_files`](Self::verify_files) hashes them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelManifest {
    /// The models, in manifest order.
    pub models: Vec<ModelEntry>,
    /// The manifest file as read.
    pub artifact: Artifact,
}

/// One `[[model]]` of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelEntry {
    /// `name`.
    pub name: String,
    /// `version`, as written.
    pub version: String,
    /// `path`, as written in the manifest (relative to its directory).
    pub path: String,
    /// The file's path relative to the project root (the manifest's directory
    /// as written, joined with [`path`](Self::path)), as reports show it.
    pub location: String,
    /// The expected digest, normalised to `sha256:` and lowercase hex.
    pub sha256: String,
    /// Whether this is the fallback model.
    pub fallback: bool,
    /// The line of the entry's `name` in the manifest.
    pub line: u64,
    full_path: PathBuf,
}

impl ModelEntry {
    /// The file's full path (resolved against the project root).
    #[must_use]
    pub fn full_path(&self) -> &Path {
        &self.full_path
    }
}

/// What [`ModelManifest::verify_files`] found for one model.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelFileStatus {
    /// The model's name.
    pub name: String,
    /// The model's version.
    pub version: String,
    /// The file, relative to the project root ([`ModelEntry::location`]).
    pub path: String,
    /// The digest the manifest expects (`sha256:<hex>`).
    pub expected: String,
    /// What the file turned out to be.
    pub state: ModelFileState,
}

/// The state of a model file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelFileState {
    /// The file exists and its digest is the expected one.
    Ok(Artifact),
    /// The file exists but its digest (the artifact's `sha256`) differs.
    Mismatch(Artifact),
    /// There is no file at the path.
    Missing,
    /// The file exists but could not be read; the operating system's reason.
    Unreadable(String),
}

impl ModelFileStatus {
    /// Whether the file exists and matches its digest.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        matches!(self.state, ModelFileState::Ok(_))
    }

    /// The file's actual digest, when it could be read.
    #[must_use]
    pub fn actual(&self) -> Option<&str> {
        self.artifact().map(|a| a.sha256.as_str())
    }

    /// The file as read, when it could be.
    #[must_use]
    pub fn artifact(&self) -> Option<&Artifact> {
        match &self.state {
            ModelFileState::Ok(a) | ModelFileState::Mismatch(a) => Some(a),
            ModelFileState::Missing | ModelFileState::Unreadable(_) => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    model: Vec<RawModel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    name: Spanned<String>,
    version: Spanned<String>,
    path: Spanned<String>,
    sha256: Spanned<String>,
    #[serde(default)]
    fallback: Option<Spanned<bool>>,
}

impl ModelManifest {
    /// Parses the `[inputs.<name>]` entry `value`, resolving paths against `root`.
    pub fn from_table(name: &str, value: &toml::Value, root: &Path) -> Result<Self, CheckError> {
        let settings = Settings::new(name, value, KEYS)?;
        let shown = settings.path();
        let full = root.join(shown);
        let io = |e: &io::Error| io_error(name, shown, e);
        let mut file = File::open(&full).map_err(|e| io(&e))?;
        let metadata = file.metadata().map_err(|e| io(&e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| io(&e))?;
        let artifact = Artifact::from_bytes(shown, &bytes, modified(&metadata));
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
            let text = std::str::from_utf8(valid).unwrap_or_default();
            let at = Located { shown, text };
            at.error(
                e.valid_up_to()..e.valid_up_to(),
                "the manifest is not valid UTF-8",
            )
        })?;
        let at = Located { shown, text };
        let raw: RawManifest =
            toml::from_str(text).map_err(|e| at.error(e.span().unwrap_or(0..0), e.message()))?;

        let dir_shown = Path::new(shown).parent().unwrap_or(Path::new(""));
        let dir_full = full.parent().unwrap_or(root);
        let mut models = Vec::with_capacity(raw.model.len());
        let mut seen: HashMap<(String, String), u64> = HashMap::new();
        let mut fallback: Option<(String, u64)> = None;
        for m in raw.model {
            for (field, value) in [
                ("name", &m.name),
                ("version", &m.version),
                ("path", &m.path),
            ] {
                if value.get_ref().trim().is_empty() {
                    return Err(at.error(value.span(), format!("`{field}` is empty")));
                }
            }
            let line = at.line(m.name.span().start);
            let version_span = m.version.span();
            let model_name = m.name.into_inner();
            let version = m.version.into_inner();
            let sha256 = normalise_sha256(m.sha256.get_ref()).ok_or_else(|| {
                at.error(
                    m.sha256.span(),
                    format!(
                        "`sha256` must be `sha256:` and 64 hex digits (or the 64 digits), found `{}`",
                        shown_value(m.sha256.get_ref().as_bytes())
                    ),
                )
            })?;
            if let Some(first) = seen.insert((model_name.clone(), version.clone()), line) {
                return Err(at.error(
                    version_span,
                    format!("model `{model_name}` version `{version}` is listed twice (also on line {first})"),
                ));
            }
            let is_fallback = m.fallback.as_ref().is_some_and(|f| *f.get_ref());
            if is_fallback {
                if let (Some((first, first_line)), Some(flag)) = (&fallback, &m.fallback) {
                    return Err(at.error(
                        flag.span(),
                        format!(
                            "model `{model_name}` is a second fallback (`{first}` on line {first_line} is one): \
                             at most one model may be the fallback"
                        ),
                    ));
                }
                fallback = Some((model_name.clone(), line));
            }
            let path = m.path.into_inner();
            models.push(ModelEntry {
                location: dir_shown.join(&path).display().to_string(),
                full_path: dir_full.join(&path),
                name: model_name,
                version,
                path,
                sha256,
                fallback: is_fallback,
                line,
            });
        }
        if models.is_empty() {
            return Err(at.error(
                text.len()..text.len(),
                "the manifest lists no models: add a [[model]] table per model",
            ));
        }
        Ok(ModelManifest { models, artifact })
    }

    /// The fallback model, if one is marked.
    #[must_use]
    pub fn fallback(&self) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.fallback)
    }

    /// The model named `name`, in its first listed version.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.name == name)
    }

    /// Hashes every listed file (streaming) and compares it with its digest,
    /// in manifest order.
    #[must_use]
    pub fn verify_files(&self) -> Vec<ModelFileStatus> {
        self.models
            .iter()
            .map(|m| ModelFileStatus {
                name: m.name.clone(),
                version: m.version.clone(),
                path: m.location.clone(),
                expected: m.sha256.clone(),
                state: match hash_file(&m.location, &m.full_path) {
                    Ok(artifact) if artifact.sha256 == m.sha256 => ModelFileState::Ok(artifact),
                    Ok(artifact) => ModelFileState::Mismatch(artifact),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => ModelFileState::Missing,
                    Err(e) => ModelFileState::Unreadable(e.to_string()),
                },
            })
            .collect()
    }

    /// The manifest file read (not the model files: see [`verify_files`](Self::verify_files)).
    #[must_use]
    pub fn artifacts(&self) -> Vec<Artifact> {
        vec![self.artifact.clone()]
    }
}

impl Input for ModelManifest {
    fn parse(source: &InputSource<'_>) -> Result<Self, CheckError> {
        Self::from_table(source.name(), source.value(), source.root())
    }
}

/// Hashes the file at `full` as it streams, shown as `shown`.
fn hash_file(shown: &str, full: &Path) -> io::Result<Artifact> {
    let file = File::open(full)?;
    let metadata = file.metadata()?;
    if metadata.is_dir() {
        return Err(io::Error::other("it is a directory"));
    }
    let mut reader = Hashing::new(file, metadata.len());
    let mut buf = vec![0; 1 << 16];
    while reader.read(&mut buf)? > 0 {}
    let (sha256, size) = reader.finish()?;
    Ok(Artifact {
        path: shown.to_owned(),
        sha256,
        size,
        modified: modified(&metadata),
    })
}

/// `sha256:<lowercase hex>` from `sha256:<hex>` or bare hex, if it is 64 hex digits.
fn normalise_sha256(written: &str) -> Option<String> {
    let hex = written.strip_prefix("sha256:").unwrap_or(written);
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("sha256:{}", hex.to_ascii_lowercase()))
}

/// Turns byte offsets of the manifest into `file:line:column` errors.
struct Located<'a> {
    shown: &'a str,
    text: &'a str,
}

impl Located<'_> {
    /// The 1-based line of byte `offset`.
    fn line(&self, offset: usize) -> u64 {
        let before = self.text.get(..offset).unwrap_or(self.text);
        before.bytes().filter(|&b| b == b'\n').count() as u64 + 1
    }

    fn error(&self, span: Range<usize>, message: impl std::fmt::Display) -> CheckError {
        let before = self.text.get(..span.start).unwrap_or(self.text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |l| l.chars().count()) + 1;
        CheckError::Malformed {
            location: format!("{}:{}:{column}", self.shown, self.line(span.start)),
            message: message.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::series::testutil::{malformed, table, write};

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    fn parse(dir: &Path) -> Result<ModelManifest, CheckError> {
        ModelManifest::from_table(
            "model_manifest",
            &table("path = \"models/manifest.toml\""),
            dir,
        )
    }

    #[test]
    fn manifest_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = format!(
            "# deployed models\n\
             [[model]]\nname = \"alpha\"\nversion = \"2\"\npath = \"alpha.bin\"\nsha256 = \"sha256:{ABC}\"\n\n\
             [[model]]\nname = \"beta\"\nversion = \"1\"\npath = \"sub/beta.bin\"\nsha256 = \"{}\"\nfallback = true\n\n\
             [[model]]\nname = \"gamma\"\nversion = \"1\"\npath = \"gamma.bin\"\nsha256 = \"{ABC}\"\nfallback = false\n",
            ABC.to_ascii_uppercase()
        );
        write(dir.path(), "models/manifest.toml", &manifest);
        write(dir.path(), "models/alpha.bin", "abc");
        write(dir.path(), "models/sub/beta.bin", "not abc");
        let m = parse(dir.path()).unwrap();
        assert_eq!(m.artifact.path, "models/manifest.toml");
        assert_eq!(
            m.artifact.sha256,
            preflight_core::evidence::sha256_hex(manifest.as_bytes())
        );
        assert_eq!(m.models.len(), 3);
        let beta = &m.models[1];
        assert_eq!(
            (
                beta.name.as_str(),
                beta.version.as_str(),
                beta.path.as_str(),
                beta.location.as_str()
            ),
            ("beta", "1", "sub/beta.bin", "models/sub/beta.bin")
        );
        assert_eq!(beta.sha256, format!("sha256:{ABC}"));
        assert_eq!((beta.fallback, beta.line), (true, 9));
        assert_eq!(m.fallback().map(|f| f.name.as_str()), Some("beta"));
        assert_eq!(m.get("alpha").unwrap().line, 3);

        let status = m.verify_files();
        assert!(status[0].is_ok());
        assert_eq!(status[0].actual(), Some(status[0].expected.as_str()));
        assert_eq!(status[0].artifact().unwrap().size, 3);
        assert_eq!(status[0].path, "models/alpha.bin");
        let ModelFileState::Mismatch(actual) = &status[1].state else {
            panic!("{:?}", status[1]);
        };
        assert_eq!(
            actual.sha256,
            preflight_core::evidence::sha256_hex(b"not abc")
        );
        assert_eq!(status[1].expected, format!("sha256:{ABC}"));
        assert_eq!(status[2].state, ModelFileState::Missing);
        assert_eq!(status[2].actual(), None);
    }

    #[test]
    fn malformed_manifests() {
        let dir = tempfile::tempdir().unwrap();
        let model = |name: &str, extra: &str| {
            format!(
                "[[model]]\nname = \"{name}\"\nversion = \"1\"\npath = \"m.bin\"\nsha256 = \"{ABC}\"\n{extra}"
            )
        };
        let cases = [
            (
                model("a", "owner = \"me\"\n"),
                "models/manifest.toml:6:1",
                "unknown field `owner`, expected one of `name`, `version`, `path`, `sha256`, `fallback`",
            ),
            (
                format!(
                    "{}{}",
                    model("a", "fallback = true\n"),
                    model("b", "fallback = true\n")
                ),
                "models/manifest.toml:12:12",
                "model `b` is a second fallback (`a` on line 2 is one): at most one model may be the fallback",
            ),
            (
                "[[model]]\nname = \"a\"\nversion = \"1\"\npath = \"m.bin\"\nsha256 = \"md5:00\"\n"
                    .to_owned(),
                "models/manifest.toml:5:10",
                "`sha256` must be `sha256:` and 64 hex digits (or the 64 digits), found `md5:00`",
            ),
            (
                format!("{}{}", model("a", ""), model("a", "")),
                "models/manifest.toml:8:11",
                "model `a` version `1` is listed twice (also on line 2)",
            ),
            (
                "[[model]]\nname = \"a\"\nversion = 1\npath = \"m.bin\"\nsha256 = \"x\"\n"
                    .to_owned(),
                "models/manifest.toml:3:11",
                "invalid type: integer `1`, expected a string",
            ),
            (
                "# nothing yet\n".to_owned(),
                "models/manifest.toml:2:1",
                "the manifest lists no models: add a [[model]] table per model",
            ),
        ];
        for (content, location, message) in cases {
            write(dir.path(), "models/manifest.toml", &content);
            let err = parse(dir.path()).unwrap_err();
            assert_eq!(malformed(&err), (location, message), "{content}");
        }
        std::fs::remove_file(dir.path().join("models/manifest.toml")).unwrap();
        let err = parse(dir.path()).unwrap_err().to_string();
        assert!(
            err.starts_with("input `model_manifest`: cannot read `models/manifest.toml`: "),
            "{err}"
        );
    }
}
