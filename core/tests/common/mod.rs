//! Helpers shared by the integration tests: the corpus and its manifest, and core's
//! structural verdict (what the JSON Schemas must agree with).

#![allow(dead_code)] // each test crate uses its own subset

use std::path::{Path, PathBuf};

use tekser::{Catalog, Report, Severity};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `tests/corpus/`.
pub fn corpus_dir() -> PathBuf {
    root().join("tests/corpus")
}

/// The cases of `tests/corpus/manifest.json`.
pub fn manifest_cases() -> Vec<serde_json::Value> {
    let text =
        std::fs::read_to_string(corpus_dir().join("manifest.json")).expect("tests/corpus/manifest.json is readable");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    manifest["cases"].as_array().cloned().expect("manifest has cases")
}

/// A section of `tests/corpus/manifest.json` (`digests`, `diffs`, `replies`, `datasets`).
pub fn manifest_section(name: &str) -> Vec<serde_json::Value> {
    let text =
        std::fs::read_to_string(corpus_dir().join("manifest.json")).expect("tests/corpus/manifest.json is readable");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    manifest[name].as_array().cloned().unwrap_or_default()
}

/// True when the report has no error that the JSON Schemas also express.
pub fn structurally_valid(report: &Report, catalog: &Catalog) -> bool {
    !report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error && catalog.rule(f.code).is_some_and(|r| r.structural))
}

/// Bytes from lower- or upper-case hex.
pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}
