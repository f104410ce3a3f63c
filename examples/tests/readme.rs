//! The README's quick start is `src/bin/quickstart.rs`, which `make test` runs: keep them equal.

#[test]
fn the_readme_quick_start_is_the_quickstart_example() {
    let example = include_str!("../src/bin/quickstart.rs");
    let body = &example[example.find("use std::sync::Arc;").expect("the example's first import")..];
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(body),
        "README.md's Rust quick start differs from examples/src/bin/quickstart.rs"
    );
}
