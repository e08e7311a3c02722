//! Misuse of `#[derive(ChecklistItem)]` and `#[derive(Evidence)]`: each file
//! in `tests/ui` holds one mistake and its `.stderr` the error a user sees.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
