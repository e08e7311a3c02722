//! Human-readable terminal output.

use std::io;

use super::Render;
use crate::report::Report;

/// The report for a terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Human {
    /// Whether to add ANSI colour.
    pub color: bool,
}

impl Render for Human {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        for item in &report.items {
            writeln!(out, "{} {} {}", item.status, item.meta.id, item.message)?;
        }
        Ok(())
    }
}
