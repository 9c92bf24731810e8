//! The JSON Schemas in `schemas/` and core agree: on every corpus packet, a standard
//! JSON Schema validator (the `jsonschema` crate) finds the packet structurally valid
//! exactly when core reports no structural error.

use std::path::{Path, PathBuf};

use jsonschema::Registry;
use tekser::{Catalog, Entity, Options, Severity};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn registry() -> Registry<'static> {
    let mut builder = Registry::new();
    let mut entries: Vec<_> = std::fs::read_dir(root().join("schemas"))
        .expect("schemas/")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if !path.to_string_lossy().ends_with(".schema.json") {
            continue;
        }
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("readable"))
                .expect("schema is JSON");
        let id = schema["$id"]
            .as_str()
            .expect("every schema has an $id")
            .to_owned();
        builder = builder.add(id, schema).expect("valid $id");
    }
    builder.prepare().expect("schemas resolve")
}

const BASE: &str = "https://tekser.example/schemas/eoz-2019/";

#[test]
fn schema_validator_agrees_with_core_on_every_corpus_packet() {
    let registry = registry();
    let catalog = Catalog::get().expect("catalog");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/corpus/manifest.json")).expect("manifest"),
    )
    .expect("JSON");
    let mut disagreements = Vec::new();
    let mut checked = 0;
    for case in manifest["cases"].as_array().expect("cases") {
        if case["report"].is_null() {
            continue;
        }
        let packet = case["packet"].as_str().expect("packet");
        let bytes = std::fs::read(root().join("tests/corpus").join(packet)).expect("packet");
        let caller: Option<Entity> = case["entity"].as_str().map(|e| e.parse().expect("entity"));
        let report = tekser::validate(
            &bytes,
            &Options {
                entity: caller,
                ..Options::default()
            },
        )
        .expect("readable");
        let core_valid = !report.findings.iter().any(|f| {
            f.severity == Severity::Error && catalog.rule(f.code).is_some_and(|r| r.structural)
        });
        // The packet in its JSON shape (an XML packet as the data model reads it).
        let model = tekser::parse(&bytes).expect("parses");
        let instance: serde_json::Value =
            serde_json::from_str(&model.to_json()).expect("model is JSON");
        let schema_id = if instance.is_array() {
            format!("{BASE}{}.list.schema.json", report.entity)
        } else {
            format!("{BASE}{}.packet.schema.json", report.entity)
        };
        let validator = jsonschema::options()
            .with_registry(&registry)
            .build(&serde_json::json!({ "$ref": schema_id }))
            .expect("validator builds");
        let schema_valid = validator.is_valid(&instance);
        if schema_valid != core_valid {
            let errors: Vec<String> = validator
                .iter_errors(&instance)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            disagreements.push(format!("{packet}: schema says valid={schema_valid}, core says valid={core_valid}; schema errors: {errors:?}"));
        }
        checked += 1;
    }
    assert!(
        disagreements.is_empty(),
        "schemas and core disagree:\n{}",
        disagreements.join("\n")
    );
    assert!(checked > 100, "only {checked} packets checked");
}

#[test]
fn every_expected_report_conforms_to_the_report_schema() {
    let registry = registry();
    let validator = jsonschema::options()
        .with_registry(&registry)
        .build(&serde_json::json!({ "$ref": format!("{BASE}report.schema.json") }))
        .expect("validator builds");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/corpus/manifest.json")).expect("manifest"),
    )
    .expect("JSON");
    let mut checked = 0;
    for case in manifest["cases"].as_array().expect("cases") {
        let Some(report) = case["report"].as_str() else {
            continue;
        };
        let text =
            std::fs::read_to_string(root().join("tests/corpus").join(report)).expect("report");
        let instance: serde_json::Value = serde_json::from_str(&text).expect("report is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{report}: {errors:?}");
        checked += 1;
    }
    assert!(checked > 100);
}
