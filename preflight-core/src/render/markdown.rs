//! Markdown shaped like the seed checklist.

use std::io;

use super::Render;
use crate::report::Report;

/// The report as the seed checklist's Markdown, boxes ticked from the statuses.
#[derive(Debug, Clone, Copy, Default)]
pub struct Markdown;

impl Render for Markdown {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        for item in &report.items {
            writeln!(out, "- [{}] {}", if item.status.is_satisfied() { 'x' } else { ' ' }, item.meta.title)?;
        }
        Ok(())
    }
}
