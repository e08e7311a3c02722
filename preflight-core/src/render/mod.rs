//! Renderers: one file per output format, all behind the [`Render`] trait.

use std::io;

use crate::report::Report;

mod human;
mod json;
mod markdown;

pub use human::Human;
pub use json::Json;
pub use markdown::Markdown;

/// Writes a report in one format. Adding a format is one file implementing this
/// trait and one variant of [`Format`].
pub trait Render {
    /// Writes `report` to `out`.
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()>;
}

/// The built-in output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// For a terminal; `color` adds ANSI styles.
    Human {
        /// Whether to use colour (see [`color_wanted`]).
        color: bool,
    },
    /// The versioned JSON report.
    Json,
    /// Markdown shaped like the seed checklist.
    Markdown,
}

impl Format {
    /// The renderer of this format.
    #[must_use]
    pub fn renderer(self) -> Box<dyn Render> {
        match self {
            Format::Human { color } => Box::new(Human { color }),
            Format::Json => Box::new(Json),
            Format::Markdown => Box::new(Markdown),
        }
    }

    /// Parses a format name (`human`, `json`, `markdown`); `human` gets colour
    /// when [`color_wanted`] says so.
    pub fn from_name(name: &str) -> Result<Self, crate::meta::UnknownSlug> {
        match name {
            "human" => Ok(Format::Human {
                color: color_wanted(&io::stdout()),
            }),
            "json" => Ok(Format::Json),
            "markdown" | "md" => Ok(Format::Markdown),
            _ => Err(crate::meta::UnknownSlug {
                what: "format",
                value: name.to_owned(),
                expected: &["human", "json", "markdown"],
            }),
        }
    }
}

/// Whether to colour output to `stream`: it is a terminal and `NO_COLOR` is
/// unset or empty (<https://no-color.org>).
#[must_use]
pub fn color_wanted(stream: &impl io::IsTerminal) -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stream.is_terminal()
}
