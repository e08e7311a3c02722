//! What the integration tests of the probes share: the workspace root, a
//! run of selected items on a project directory, an item's result, and the
//! tools `.ci/run` installs. Each test crate uses only some of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use preflight_core::select::Selection;
use preflight_core::{Config, FixedClock, Registry, Report, Runner, Status};

/// The workspace root.
pub(crate) fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the items `ids` of the seed catalog on the project in `dir`, whose
/// `preflight.toml` is a bare project with no required role plus `extra`.
pub(crate) fn run(dir: &Path, extra: &str, ids: &[&str]) -> Report {
    run_at(dir, extra, ids, None)
}

/// [`run`] with the run's clock fixed at `now`, when given.
pub(crate) fn run_at(
    dir: &Path,
    extra: &str,
    ids: &[&str],
    now: Option<jiff::Timestamp>,
) -> Report {
    let text = format!("[project]\nname = \"desk\"\n[gate]\nrequired_roles = []\n{extra}");
    let mut config = Config::parse(&text, "preflight.toml").unwrap();
    dir.clone_into(&mut config.root);
    let registry = Registry::from_inventory(&[preflight_probes::items()]).unwrap();
    let mut runner = Runner::new(&registry, config)
        .selection(Selection::default().with_ids(ids.iter().copied()).unwrap());
    if let Some(now) = now {
        runner = runner.clock(FixedClock(now));
    }
    runner.run().unwrap()
}

/// Item `id` of `report`: its status, message and evidence values.
pub(crate) fn item(report: &Report, id: &str) -> (Status, String, serde_json::Value) {
    let item = report.item(id).unwrap();
    let values = item
        .evidence
        .as_ref()
        .map(|e| serde_json::to_value(&e.values).unwrap())
        .unwrap_or_default();
    (item.status, item.message.clone(), values)
}

/// The `node_modules` where `.ci/run` installs the JavaScript test tools,
/// after checking that `packages` are there.
pub(crate) fn js_tools(packages: &[&str]) -> PathBuf {
    let modules = workspace().join("target/js-tools/node_modules");
    for package in packages {
        assert!(
            modules.join(package).join("package.json").is_file(),
            "`{package}` is not installed in `{}`: run `bash .ci/run` to install the JavaScript test tools",
            modules.display()
        );
    }
    modules
}

/// The executable `name` from `PATH`, cargo's own `bin` directory or
/// `/usr/local/bin`; a failure saying `hint` (how to install it) when it is
/// in none.
pub(crate) fn installed(name: &str, hint: &str) -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(cargo_home.map(|h| h.join("bin")))
        .chain([PathBuf::from("/usr/local/bin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("`{name}` is not installed: {hint}"))
}

/// An empty directory `name` under the test crate's scratch directory
/// (`CARGO_TARGET_TMPDIR`), emptied first if an earlier run left it.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes each `(path, text)` under `dir`, making the directories on the way.
pub(crate) fn write_files<P: AsRef<Path>, T: AsRef<[u8]>>(
    dir: &Path,
    files: impl IntoIterator<Item = (P, T)>,
) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}
