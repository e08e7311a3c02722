use preflight_core::ChecklistItem;

/// An automated item (the default kind) without `impl Check`.
#[derive(ChecklistItem, Default)]
#[item(
    id = "code.quality.no-todo-markers",
    title = "No TODO markers in production code", // preflight: allow(marker)
    severity = "medium",
    owner = "tech-lead"
)]
struct NoTodoMarkers {
    paths: Vec<String>,
}

fn main() {}
