//! The `preflight` command: the seed catalog and every ready-made probe.
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let providers = [preflight_probes::items()];
    preflight_probes::cli::main(&preflight_probes::cli::App::new("preflight", &providers))
}
