//! Leftover markers in source files: the scanner [`scan_markers`] and the
//! item [`NoTodoFixme`] (`code.review.no-todo-fixme`) that judges its result.
//!
//! # What is scanned
//!
//! The tree is walked as git sees it, on every core (the `ignore` crate's
//! parallel walker): `.gitignore`, `.ignore` and `.git/info/exclude` are
//! honoured even when the tree is not a git checkout, the user's global
//! gitignore is not (a result must not depend on the machine), hidden files
//! are scanned but `.git` directories are not, and symbolic links are not
//! followed. Binary files (a NUL byte in the first 8 KiB) and files larger
//! than [`MarkerOptions::max_file_size`] are skipped and counted in
//! [`MarkerScan::files_skipped`].
//!
//! # What is a marker
//!
//! Each marker (by default the four words of [`DEFAULT_MARKERS`]) matches
//! case-sensitively and as a whole word: the byte before and the byte after
//! must not be an ASCII letter, digit or underscore (or be the start or end of
//! the file). So `FOOS` or `MAXFOO` never match the marker `FOO`, while
//! `FOO:`, `(FOO)` and `FOO(name)` do. Where several markers start at the same
//! byte the longest one is tried. All markers are searched in one pass over
//! each file with one Aho-Corasick automaton.
//!
//! # Deliberate mentions
//!
//! A line that contains the exact text `preflight: allow(marker)` (in any
//! comment syntax, e.g. `// preflight: allow(marker)` or
//! `# preflight: allow(marker)`) reports no marker ([`ALLOW_COMMENT`]).

use crate::text::counted;
use std::fmt;
use std::fs::File;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use aho_corasick::{AhoCorasick, Input as Haystack, MatchKind};
use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};
use preflight_core::evidence::FindingLevel;
use preflight_core::{Check, CheckError, ChecklistItem, Context, Evidence, Finding, Outcome};
use serde::Serialize;

/// The markers searched for by default.
pub const DEFAULT_MARKERS: [&str; 4] = ["TODO", "FIXME", "XXX", "HACK"]; // preflight: allow(marker)

/// The text that, anywhere on a line, keeps that line's markers from being reported.
pub const ALLOW_COMMENT: &str = "preflight: allow(marker)";

/// How many locations [`MarkerScan::first`] keeps by default.
pub const DEFAULT_KEEP: usize = 50;

/// The default of [`MarkerOptions::max_file_size`]: 16 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// The longest line text kept in a [`MarkerLocation`], in characters.
const MAX_TEXT_CHARS: usize = 200;

/// How much of a file's start is looked at for a NUL byte (as git and ripgrep do).
const BINARY_PROBE: usize = 8 * 1024;

/// What [`scan_markers`] looks for and where.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MarkerOptions {
    /// The markers, matched case-sensitively as whole words.
    pub markers: Vec<String>,
    /// Files or directories to scan, relative to the root; empty scans the root.
    pub paths: Vec<PathBuf>,
    /// Globs (gitignore syntax, relative to the root) of paths not to scan,
    /// e.g. `tests/snapshots/` or `*.snap`.
    pub exclude: Vec<String>,
    /// Files larger than this many bytes are skipped.
    pub max_file_size: u64,
    /// How many locations to keep, the first by (file, line, column).
    pub keep: usize,
    /// Walker threads; 0 picks one per core.
    pub threads: usize,
}

impl Default for MarkerOptions {
    fn default() -> Self {
        MarkerOptions {
            markers: DEFAULT_MARKERS.iter().map(|&m| m.to_owned()).collect(),
            paths: Vec::new(),
            exclude: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            keep: DEFAULT_KEEP,
            threads: 0,
        }
    }
}

/// One marker found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MarkerLocation {
    /// The file, relative to the root, with `/` separators.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in bytes.
    pub column: u64,
    /// The marker that matched.
    pub marker: String,
    /// The line, trimmed, at most 200 characters.
    pub text: String,
}

/// The result of [`scan_markers`].
#[derive(Debug)]
#[non_exhaustive]
pub struct MarkerScan {
    /// Markers found (all of them, not only those kept in `first`).
    pub count: u64,
    /// Text files read and searched.
    pub files_scanned: u64,
    /// Bytes of the files searched.
    pub bytes_scanned: u64,
    /// Files not searched: binary, or larger than the size limit.
    pub files_skipped: u64,
    /// The first [`MarkerOptions::keep`] locations, sorted by (file, line, column).
    pub first: Vec<MarkerLocation>,
    /// Files or directories that could not be read, sorted by path; the scan
    /// went on without them.
    pub errors: Vec<ScanError>,
}

/// A path that could not be scanned, or options that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("`{path}`: {kind}")]
pub struct ScanError {
    /// The path (relative to the root where it is under it), or the offending option value.
    pub path: String,
    /// What went wrong.
    #[source]
    pub kind: ScanErrorKind,
}

/// What went wrong in a [`ScanError`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanErrorKind {
    /// A path to scan does not exist.
    #[error("does not exist: fix or remove it in `paths`")]
    NotFound,
    /// No marker to look for, or an empty one.
    #[error("a marker must be a non-empty string, and at least one is needed")]
    EmptyMarker,
    /// An `exclude` glob that does not parse.
    #[error("invalid `exclude` glob: {0}")]
    Glob(String),
    /// The markers could not be compiled into an automaton.
    #[error("the markers cannot be searched for: {0}")]
    Automaton(String),
    /// A file or directory could not be read.
    #[error("cannot be read: {0}")]
    Io(String),
}

impl ScanError {
    fn new(path: impl Into<String>, kind: ScanErrorKind) -> Self {
        ScanError {
            path: path.into(),
            kind,
        }
    }
}

/// Scans the files under `root` (or under `options.paths`) for markers.
///
/// Findings are collected per thread and sorted at the end, so the result does
/// not depend on thread scheduling. A path in `options.paths` that does not
/// exist, or unusable markers or globs, are an error; a file that cannot be
/// read is recorded in [`MarkerScan::errors`] and the scan goes on.
///
/// ```
/// use preflight_probes::code::markers::{MarkerOptions, scan_markers};
///
/// let dir = tempfile::tempdir()?;
/// std::fs::create_dir(dir.path().join("src"))?;
/// std::fs::write(
///     dir.path().join("src/lib.rs"),
///     "fn f() {}\n    // TODO: tidy up\n// TODOS and MAXXX are not markers\n", // preflight: allow(marker)
/// )?;
/// // A deliberate mention, allowed on its line.
/// std::fs::write(
///     dir.path().join("src/doc.rs"),
///     "// FIXME is a word we document // preflight: allow(marker)\n", // preflight: allow(marker)
/// )?;
///
/// let scan = scan_markers(dir.path(), &MarkerOptions::default())?;
/// assert_eq!(scan.count, 1);
/// assert_eq!(scan.files_scanned, 2);
/// let first = &scan.first[0];
/// assert_eq!((first.file.as_str(), first.line, first.column), ("src/lib.rs", 2, 8));
/// assert_eq!(first.marker, "TODO"); // preflight: allow(marker)
/// assert_eq!(first.text, "// TODO: tidy up"); // preflight: allow(marker)
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn scan_markers(root: &Path, options: &MarkerOptions) -> Result<MarkerScan, ScanError> {
    let matcher = Matcher::new(&options.markers)?;
    let mut starts = Vec::new();
    for path in &options.paths {
        let full = under(root, path);
        if full.symlink_metadata().is_err() {
            return Err(ScanError::new(
                path.display().to_string(),
                ScanErrorKind::NotFound,
            ));
        }
        starts.push(full);
    }
    if starts.is_empty() {
        if root.symlink_metadata().is_err() {
            return Err(ScanError::new(
                root.display().to_string(),
                ScanErrorKind::NotFound,
            ));
        }
        starts.push(root.to_path_buf());
    }

    let mut overrides = OverrideBuilder::new(root);
    for glob in &options.exclude {
        overrides
            .add(&format!("!{glob}"))
            .map_err(|e| ScanError::new(glob.clone(), ScanErrorKind::Glob(e.to_string())))?;
    }
    let overrides = overrides
        .build()
        .map_err(|e| ScanError::new("exclude", ScanErrorKind::Glob(e.to_string())))?;

    let mut builder = WalkBuilder::new(&starts[0]);
    for start in &starts[1..] {
        builder.add(start);
    }
    builder
        .require_git(false)
        .git_global(false)
        .hidden(false)
        .follow_links(false)
        .overrides(overrides)
        .threads(options.threads)
        .filter_entry(|entry| entry.file_name() != ".git");

    let done = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let mut worker = Worker {
            root,
            options,
            matcher: &matcher,
            done: &done,
            part: Part::default(),
            buffer: Vec::new(),
        };
        Box::new(move |entry| {
            worker.visit(entry);
            WalkState::Continue
        })
    });

    let mut scan = MarkerScan {
        count: 0,
        files_scanned: 0,
        bytes_scanned: 0,
        files_skipped: 0,
        first: Vec::new(),
        errors: Vec::new(),
    };
    for part in done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        scan.count += part.count;
        scan.files_scanned += part.files_scanned;
        scan.bytes_scanned += part.bytes_scanned;
        scan.files_skipped += part.files_skipped;
        scan.first.extend(part.first);
        scan.errors.extend(part.errors);
    }
    sort_and_keep(&mut scan.first, options.keep);
    scan.errors.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(scan)
}

/// `path` resolved against `root`, without `.` components (so that `.`
/// means the root itself and exclude globs still apply under it).
fn under(root: &Path, path: &Path) -> PathBuf {
    let mut out = root.to_path_buf();
    for component in path.components() {
        if component != Component::CurDir {
            out.push(component);
        }
    }
    out
}

/// `path` relative to `root`, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for component in rel.components() {
        if component == Component::CurDir {
            continue;
        }
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(&component.as_os_str().to_string_lossy());
    }
    if out.is_empty() {
        // The root given as a file: name it by its file name.
        out = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
    }
    out
}

fn sort_and_keep(first: &mut Vec<MarkerLocation>, keep: usize) {
    first.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    first.truncate(keep);
}

/// The markers compiled into one automaton.
#[derive(Debug)]
struct Matcher {
    automaton: AhoCorasick,
    markers: Vec<String>,
}

fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

impl Matcher {
    fn new(markers: &[String]) -> Result<Self, ScanError> {
        if markers.is_empty() || markers.iter().any(String::is_empty) {
            return Err(ScanError::new("markers", ScanErrorKind::EmptyMarker));
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(markers)
            .map_err(|e| ScanError::new("markers", ScanErrorKind::Automaton(e.to_string())))?;
        Ok(Matcher {
            automaton,
            markers: markers.to_vec(),
        })
    }

    /// Calls `found(marker index, start, line, line start, line end)` for
    /// every whole-word marker of `bytes` not on an allowed line, in order.
    fn find(&self, bytes: &[u8], mut found: impl FnMut(usize, usize, u64, usize, usize)) {
        let allow = memchr::memmem::Finder::new(ALLOW_COMMENT);
        let (mut at, mut line, mut line_start, mut counted) = (0, 1u64, 0, 0);
        while let Some(m) = self
            .automaton
            .find(Haystack::new(bytes).span(at..bytes.len()))
        {
            let (start, end) = (m.start(), m.end());
            let left = start == 0 || !is_word(bytes[start - 1]);
            let right = end == bytes.len() || !is_word(bytes[end]);
            if !(left && right) {
                // Another marker may still start inside this match, after a non-word byte.
                at = start + 1;
                continue;
            }
            at = end;
            let skipped = &bytes[counted..start];
            if let Some(last) = memchr::memrchr(b'\n', skipped) {
                line += memchr::memchr_iter(b'\n', skipped).count() as u64;
                line_start = counted + last + 1;
            }
            counted = start;
            let line_end =
                memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            if allow.find(&bytes[line_start..line_end]).is_some() {
                continue;
            }
            found(m.pattern().as_usize(), start, line, line_start, line_end);
        }
    }
}

/// What one walker thread found.
#[derive(Debug, Default)]
struct Part {
    count: u64,
    files_scanned: u64,
    bytes_scanned: u64,
    files_skipped: u64,
    first: Vec<MarkerLocation>,
    errors: Vec<ScanError>,
}

/// One walker thread: hands its [`Part`] over when the walk drops it.
struct Worker<'a> {
    root: &'a Path,
    options: &'a MarkerOptions,
    matcher: &'a Matcher,
    done: &'a Mutex<Vec<Part>>,
    part: Part,
    buffer: Vec<u8>,
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        let part = std::mem::take(&mut self.part);
        self.done
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(part);
    }
}

impl Worker<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = walk_error_path(&error)
                    .map_or_else(|| String::from("."), |p| relative(self.root, p));
                self.part
                    .errors
                    .push(ScanError::new(path, ScanErrorKind::Io(error.to_string())));
                return;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            return;
        }
        let path = entry.path();
        if let Err(error) = self.read(path) {
            self.part.errors.push(ScanError::new(
                relative(self.root, path),
                ScanErrorKind::Io(error.to_string()),
            ));
        }
    }

    /// Reads `path` into the buffer and scans it, unless it is skipped.
    fn read(&mut self, path: &Path) -> std::io::Result<()> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        if len > self.options.max_file_size {
            self.part.files_skipped += 1;
            return Ok(());
        }
        self.buffer.clear();
        // The limit also holds for a file that grows while it is read.
        file.take(self.options.max_file_size.saturating_add(1))
            .read_to_end(&mut self.buffer)?;
        let bytes = &self.buffer[..];
        let probe = &bytes[..bytes.len().min(BINARY_PROBE)];
        if bytes.len() as u64 > self.options.max_file_size || memchr::memchr(0, probe).is_some() {
            self.part.files_skipped += 1;
            return Ok(());
        }
        self.part.files_scanned += 1;
        self.part.bytes_scanned += bytes.len() as u64;

        let (part, keep, matcher) = (&mut self.part, self.options.keep, self.matcher);
        let mut file_name = None;
        let mut kept = 0;
        matcher.find(bytes, |index, start, line, line_start, line_end| {
            part.count += 1;
            if kept >= keep {
                return;
            }
            kept += 1;
            let file = file_name.get_or_insert_with(|| relative(self.root, path));
            part.first.push(MarkerLocation {
                file: file.clone(),
                line,
                column: (start - line_start + 1) as u64,
                marker: matcher.markers[index].clone(),
                text: line_text(&bytes[line_start..line_end]),
            });
        });
        // Bounded memory whatever the number of markers: only the first
        // `keep` overall can be reported.
        if self.part.first.len() > keep.saturating_mul(2).max(64) {
            sort_and_keep(&mut self.part.first, keep);
        }
        Ok(())
    }
}

/// The path a walk error is about, if it names one.
fn walk_error_path(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithLineNumber { err, .. } | ignore::Error::WithDepth { err, .. } => {
            walk_error_path(err)
        }
        _ => None,
    }
}

/// A line as shown: trimmed, at most [`MAX_TEXT_CHARS`] characters.
fn line_text(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    text.trim().chars().take(MAX_TEXT_CHARS).collect()
}

#[derive(Evidence, Serialize)]
#[evidence(
    summary = "markers: {count}; files scanned: {files_scanned} ({bytes_scanned} bytes), skipped: {files_skipped}"
)]
struct MarkerEvidence {
    count: u64,
    files_scanned: u64,
    bytes_scanned: u64,
    files_skipped: u64,
    first: Vec<MarkerLocation>,
}

/// No leftover marker (by default TODO, FIXME, XXX or HACK) in the project's <!-- preflight: allow(marker) -->
/// source files: the tree under the directory of `preflight.toml` (or under
/// `paths`) is scanned as described in the [module documentation](self).
#[derive(ChecklistItem, Debug, Clone)]
#[item(
    id = "code.review.no-todo-fixme",
    title = "No TODO or FIXME comments in production code", // preflight: allow(marker)
    group = "Code Review",
    severity = "medium",
    owner = "tech-lead",
    remediation = "resolve each marker listed, or track it in an issue and remove it; mark a deliberate mention with `preflight: allow(marker)` on its line"
)]
pub struct NoTodoFixme {
    /// The markers, matched case-sensitively as whole words.
    pub markers: Vec<String>,
    /// Files or directories to scan, relative to the project root; empty scans the root.
    pub paths: Vec<String>,
    /// Globs (gitignore syntax, relative to the project root) of paths not to scan.
    pub exclude: Vec<String>,
    /// Markers allowed before the item fails.
    pub max: u64,
    /// Files larger than this many bytes are skipped.
    pub max_file_size: u64,
}

impl Default for NoTodoFixme {
    fn default() -> Self {
        let options = MarkerOptions::default();
        NoTodoFixme {
            markers: options.markers,
            paths: Vec::new(),
            exclude: Vec::new(),
            max: 0,
            max_file_size: options.max_file_size,
        }
    }
}

impl Check for NoTodoFixme {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let options = MarkerOptions {
            markers: self.markers.clone(),
            paths: self.paths.iter().map(PathBuf::from).collect(),
            exclude: self.exclude.clone(),
            max_file_size: self.max_file_size,
            ..MarkerOptions::default()
        };
        let scan = scan_markers(cx.root(), &options).map_err(CheckError::msg)?;
        if !scan.errors.is_empty() {
            let shown: Vec<String> = scan
                .errors
                .iter()
                .take(5)
                .map(ToString::to_string)
                .collect();
            return Err(CheckError::msg(format_args!(
                "{} paths could not be scanned: {}",
                scan.errors.len(),
                shown.join("; ")
            )));
        }
        if scan.files_scanned == 0 {
            return Err(CheckError::msg(format_args!(
                "no text file to scan under `{}`{}: check `paths` and `exclude`",
                cx.root().display(),
                if self.paths.is_empty() {
                    String::new()
                } else {
                    format!(" in `paths` {:?}", self.paths)
                }
            )));
        }
        let outcome = match scan.first.first() {
            Some(first) if scan.count > self.max => Outcome::fail(format!(
                "{} in {} (at most {} allowed); first at {}:{}:{}: {}",
                counted(scan.count, "marker"),
                counted(scan.files_scanned, "file"),
                self.max,
                first.file,
                first.line,
                first.column,
                first.text
            )),
            _ if scan.count > 0 => Outcome::pass(format!(
                "{} in {} ({} bytes), within the {} allowed",
                counted(scan.count, "marker"),
                counted(scan.files_scanned, "file"),
                scan.bytes_scanned,
                self.max
            )),
            _ => Outcome::pass(format!(
                "no marker in {} ({} bytes) scanned",
                counted(scan.files_scanned, "file"),
                scan.bytes_scanned
            )),
        };
        let findings: Vec<Finding> = scan
            .first
            .iter()
            .map(|l| Finding {
                rule: l.marker.to_ascii_lowercase(),
                message: l.text.clone(),
                level: FindingLevel::Warning,
                file: l.file.clone(),
                line: u32::try_from(l.line).unwrap_or(u32::MAX),
                column: u32::try_from(l.column).unwrap_or(u32::MAX),
            })
            .collect();
        let evidence = MarkerEvidence {
            count: scan.count,
            files_scanned: scan.files_scanned,
            bytes_scanned: scan.bytes_scanned,
            files_skipped: scan.files_skipped,
            first: scan.first,
        };
        Ok(outcome.with_evidence(&evidence).with_findings(findings))
    }
}

impl fmt::Display for MarkerLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.text
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (marker, line, column) of every marker `markers` finds in `text`.
    fn find(markers: &[&str], text: &str) -> Vec<(String, u64, usize)> {
        let markers: Vec<String> = markers.iter().map(|&m| m.to_owned()).collect();
        let matcher = Matcher::new(&markers).unwrap();
        let mut out = Vec::new();
        matcher.find(text.as_bytes(), |i, start, line, line_start, _| {
            out.push((markers[i].clone(), line, start - line_start + 1));
        });
        out
    }

    #[test]
    fn markers_match_whole_words_only() {
        let got = find(
            &["FOO", "BAR"],
            "FOO\nFOOS MAXFOO _FOO FOO_ FOO1\n(FOO) FOO: x-BAR\nFOOFOO BAR",
        );
        let want = [
            ("FOO", 1, 1),
            ("FOO", 3, 2),
            ("FOO", 3, 7),
            ("BAR", 3, 14),
            ("BAR", 4, 8),
        ];
        let want: Vec<_> = want.iter().map(|&(m, l, c)| (m.to_owned(), l, c)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_rejected_match_does_not_hide_a_later_marker() {
        // `A-B-C` fails (a word byte follows); `B` starts inside it and passes.
        assert_eq!(
            find(&["A-B-C", "B"], "A-B-CD"),
            vec![("B".to_owned(), 1, 3)]
        );
    }

    #[test]
    fn the_allow_comment_silences_its_line_only() {
        let text = "a FOO # preflight: allow(marker)\nb FOO\r\n  FOO // preflight: allow(marker)";
        assert_eq!(find(&["FOO"], text), vec![("FOO".to_owned(), 2, 3)]);
    }

    #[test]
    fn empty_markers_are_rejected() {
        assert!(matches!(
            Matcher::new(&[]).unwrap_err().kind,
            ScanErrorKind::EmptyMarker
        ));
        assert!(matches!(
            Matcher::new(&[String::new()]).unwrap_err().kind,
            ScanErrorKind::EmptyMarker
        ));
    }

    #[test]
    fn line_text_is_trimmed_and_bounded() {
        assert_eq!(line_text(b"  \tx y \r"), "x y");
        let long = "é".repeat(300);
        assert_eq!(line_text(long.as_bytes()).chars().count(), MAX_TEXT_CHARS);
    }

    #[test]
    fn relative_paths_use_slashes() {
        let root = Path::new("/r");
        assert_eq!(relative(root, &root.join("a").join("b.rs")), "a/b.rs");
        assert_eq!(
            relative(root, &under(root, Path::new("./a/./b.rs"))),
            "a/b.rs"
        );
        assert_eq!(under(root, Path::new(".")), root);
    }
}
