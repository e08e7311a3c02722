//! Which items a run covers: by ID glob, section and phase. The selection is
//! recorded in the report and covered by its digest, so a sign-off of a partial
//! run never counts for a full one.

use serde::{Deserialize, Serialize};

use crate::meta::{CheckMeta, Phase, Section};

/// The items a run covers. The default is every pre-launch item.
///
/// ```
/// use preflight_core::meta::{CheckMeta, Phase};
/// use preflight_core::select::Selection;
///
/// let meta = CheckMeta::new("code.review.peer-reviewed", "All code has been peer-reviewed").unwrap();
/// assert!(Selection::default().matches(&meta));
/// let week1 = Selection::default().with_phases([Phase::PostLaunchWeek1]);
/// assert!(!week1.matches(&meta));
/// let ids = Selection::default().with_ids(["code.*"]).unwrap();
/// assert!(ids.matches(&meta));
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Selection {
    /// Item ID globs (`*` matches any run of characters, dots included); empty: every ID.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Sections; empty: every section.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// Phases (default: pre-launch only).
    pub phases: Vec<Phase>,
    #[serde(skip)]
    globs: Option<globset::GlobSet>,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            ids: Vec::new(),
            sections: Vec::new(),
            phases: vec![Phase::PreLaunch],
            globs: None,
        }
    }
}

impl PartialEq for Selection {
    fn eq(&self, other: &Self) -> bool {
        self.ids == other.ids && self.sections == other.sections && self.phases == other.phases
    }
}

impl Eq for Selection {}

impl Selection {
    /// Every item of every phase.
    #[must_use]
    pub fn all() -> Self {
        Selection::default().with_phases(Phase::ALL.iter().copied())
    }

    /// Only items whose ID matches one of `globs`.
    ///
    /// # Errors
    /// A glob that is not valid, as a message naming it.
    pub fn with_ids<S: Into<String>>(
        mut self,
        globs: impl IntoIterator<Item = S>,
    ) -> Result<Self, String> {
        self.ids = globs.into_iter().map(Into::into).collect();
        self.globs = if self.ids.is_empty() {
            None
        } else {
            Some(crate::config::glob_set(&self.ids)?)
        };
        Ok(self)
    }

    /// Only items of `sections`.
    #[must_use]
    pub fn with_sections(mut self, sections: impl IntoIterator<Item = Section>) -> Self {
        self.sections = sections.into_iter().collect();
        self
    }

    /// Only items of `phases`.
    #[must_use]
    pub fn with_phases(mut self, phases: impl IntoIterator<Item = Phase>) -> Self {
        self.phases = phases.into_iter().collect();
        self
    }

    /// Whether the run covers the item.
    #[must_use]
    pub fn matches(&self, meta: &CheckMeta) -> bool {
        self.phases.contains(&meta.phase)
            && (self.sections.is_empty() || self.sections.contains(&meta.section))
            && (self.ids.is_empty()
                || match &self.globs {
                    Some(globs) => globs.is_match(&*meta.id),
                    // Read back from a report: compile on demand.
                    None => crate::config::glob_set(&self.ids).is_ok_and(|g| g.is_match(&*meta.id)),
                })
    }

    /// Whether this is the default selection (all pre-launch items).
    #[must_use]
    pub fn is_default(&self) -> bool {
        self.ids.is_empty() && self.sections.is_empty() && self.phases == [Phase::PreLaunch]
    }
}
