//! The versioned JSON report.

use std::io;

use super::Render;
use crate::report::Report;

/// The report as pretty-printed JSON (`preflight.report/v1`), for other tools.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Render for Json {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
        out.write_all(b"\n")
    }
}
