//! What the README shows must run: each snippet is a file that `make test` compiles and runs, and
//! these tests keep the README equal to those files.

/// The README's Rust quick start is `src/bin/quickstart.rs` from its first import on.
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

/// Every code block after a `<!-- snippet: path -->` line is a run of that file's lines (at any one
/// indentation).
#[test]
fn every_marked_readme_snippet_is_in_its_file() {
    let readme = include_str!("../../README.md");
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut snippets = 0;
    for (at, _) in readme.match_indices("<!-- snippet: ") {
        let rest = &readme[at + "<!-- snippet: ".len()..];
        let path = &rest[..rest.find(" -->").expect("a snippet marker ends with -->")];
        let block = &rest[rest.find("```").expect("a code block after the marker")..];
        let block = &block[block.find('\n').unwrap() + 1..];
        let block: Vec<&str> = block[..block.find("\n```").expect("the code block's end")].lines().collect();
        let file =
            std::fs::read_to_string(format!("{root}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"));
        let lines: Vec<&str> = file.lines().collect();
        let found = lines.windows(block.len()).any(|window| {
            let indent = window[0].len() - window[0].trim_start().len();
            let prefix = &window[0][..indent];
            window.iter().zip(&block).all(|(line, shown)| {
                if shown.is_empty() {
                    line.trim().is_empty()
                } else {
                    line.strip_prefix(prefix) == Some(shown)
                }
            })
        });
        assert!(found, "README.md's snippet of {path} is not in that file as shown");
        snippets += 1;
    }
    assert!(snippets >= 3, "the Java, Kafka Streams and Python quick starts are marked snippets");
}
