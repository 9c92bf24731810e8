//! The JSON Schemas in `schemas/` and core agree: on every corpus packet, a standard
//! JSON Schema validator (the `jsonschema` crate) finds the packet structurally valid
//! exactly when core reports no structural error.

mod common;

use common::{manifest_cases, root, structurally_valid};
use jsonschema::{Registry, Validator};
use tekser::{Catalog, Entity, Options};

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
            serde_json::from_str(&std::fs::read_to_string(&path).expect("readable")).expect("schema is JSON");
        let id = schema["$id"].as_str().expect("every schema has an $id").to_owned();
        builder = builder.add(id, schema).expect("valid $id");
    }
    builder.prepare().expect("schemas resolve")
}

const BASE: &str = "https://tekser.example/schemas/eoz-2019/";

/// A validator for the schema file `name` of `schemas/`, resolved through the registry.
fn validator(registry: &Registry<'static>, name: &str) -> Validator {
    jsonschema::options()
        .with_registry(registry)
        .build(&serde_json::json!({ "$ref": format!("{BASE}{name}") }))
        .expect("validator builds")
}

#[test]
fn schema_validator_agrees_with_core_on_every_corpus_packet() {
    let registry = registry();
    let catalog = Catalog::get().expect("catalog");
    let mut disagreements = Vec::new();
    let mut checked = 0;
    for case in &manifest_cases() {
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
        let core_valid = structurally_valid(&report, catalog);
        // The packet in its JSON shape (an XML packet as the data model reads it).
        let model = tekser::parse(&bytes).expect("parses");
        let instance: serde_json::Value = serde_json::from_str(&model.to_json()).expect("model is JSON");
        let form = if instance.is_array() { "list" } else { "packet" };
        let validator = validator(&registry, &format!("{}.{form}.schema.json", report.entity));
        let schema_valid = validator.is_valid(&instance);
        if schema_valid != core_valid {
            let errors: Vec<String> = validator
                .iter_errors(&instance)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            disagreements.push(format!(
                "{packet}: schema says valid={schema_valid}, core says valid={core_valid}; schema errors: {errors:?}"
            ));
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
    let validator = validator(&registry, "report.schema.json");
    let mut checked = 0;
    for case in &manifest_cases() {
        let Some(report) = case["report"].as_str() else {
            continue;
        };
        let text = std::fs::read_to_string(root().join("tests/corpus").join(report)).expect("report");
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

/// Differential test: for every kind, tricky values put into a field of that kind in an
/// otherwise valid packet get the same structural verdict from the schemas and from core.
#[test]
fn schemas_and_core_agree_on_tricky_values_of_every_kind() {
    let registry = registry();
    let catalog = Catalog::get().expect("catalog");
    // (entity, field) of each kind.
    let fields = [
        ("plan_item", "name_ru"),
        ("plan_item", "id"),
        ("plan_item", "volume"),
        ("plan_item", "price"),
        ("contract", "lot_count"),
        ("plan_item", "advance"),
        ("plan_item", "customer_bin"),
        ("participant", "director_iin"),
        ("participant", "bin_iin"),
        ("plan_item", "delivery_date"),
        ("announcement", "publish_date"),
        ("plan_item", "fin_year"),
        ("plan_item", "plan_date"),
        ("participant", "is_resident"),
        ("plan_item", "delivery_kato"),
        ("plan_item", "h_mkei_id"),
        ("plan_item", "delivery_rca"),
        ("plan_item", "h_enstru15_id"),
        ("plan_item", "linkplan"),
        ("announcement", "organizer_email"),
        ("announcement", "organizer_phone"),
        ("plan_item", "h_flag_member_list"),
        ("plan_item", "h_status_id"),
        ("plan_item", "h_opf_id_absent_field_is_unknown"),
        // «число» codes that take numbers, and «строка» codes that take strings only.
        ("participant", "h_opf_id"),
        ("participant", "h_fact_rca"),
        ("participant", "h_jur_rca"),
        ("participant", "phone"),
        ("participant", "h_kato_jur_address"),
        ("unreliable_supplier", "bin_iin"),
        ("result", "bin_iin"),
    ];
    let strings = [
        "",
        " ",
        "\u{a0}",
        "\u{2003}",
        "\u{feff}",
        "x",
        " x",
        "x ",
        "\tx\n",
        "0",
        "00",
        "007",
        "1",
        "-1",
        "-0",
        "+1",
        "1.0",
        "1.",
        ".5",
        "1e3",
        "1E3",
        "100",
        "100.0",
        "100.01",
        "99.999",
        "12",
        "13",
        "0.5",
        "2024",
        "0999",
        "٣",
        "１２",
        "081140000436",
        "081140000437",
        " 081140000436",
        "08114000043٦",
        "850615300013",
        "710000000",
        "71000000٠",
        "006",
        "6",
        "12345",
        "1234567890123456",
        "12345678901234567",
        "true",
        "false",
        "TRUE",
        "yes",
        "01.02.2024",
        "1.02.2024",
        "31.02.2024",
        "01.02.2024 10:00",
        "01.02.2024 24:00",
        "01.02.2024T10:00",
        "01.02.2024 10:00 ",
        "0f8fad5b-d9cb-469f-a165-70867728950e",
        "0F8FAD5B-D9CB-469F-A165-70867728950E",
        "{0f8fad5b-d9cb-469f-a165-70867728950e}",
        "0f8fad5b-d9cb-469f-a165-70867728950g",
        "https://a.kz",
        "http://a",
        "https://",
        "https://a b",
        "HTTPS://a.kz",
        "https://u@a.kz",
        "https://a.kz/p@q",
        "https://a.kz?x",
        "https://a.kz#",
        "https://a.kz\u{a0}",
        "a@b.kz",
        "a@b",
        "a b@c.kz",
        "a@b@c.kz",
        "@b.kz",
        "a@.kz",
        "a@b.",
        "a@b..c",
        "a\u{2003}@b.kz",
        "+77012345678",
        "87012345678",
        "+7701234567",
        "+7 701 234 56 78",
        "+٧7012345678",
        "351210.900.000000",
        "351210900000000",
        "approved",
        "Approved",
        "domesticProducers",
        "domesticProducers,supplier",
        "domesticProducers, supplier",
        "domesticProducers,,supplier",
        "12345678901234567890",
        "0.0000000000000000001",
        "-12345678901234567890",
        "\u{85}",
        "50.00000000000000000001",
        "100.000000000000000000001",
    ];
    let mut values: Vec<serde_json::Value> = strings.iter().map(|s| serde_json::json!(s)).collect();
    for number in [
        "1e30",
        "-1e30",
        "1e-30",
        "100.000000000000000000001",
        "99.9999999999999999999999",
        "0",
        "-0",
        "1",
        "-1",
        "1.0",
        "1.5",
        "1e2",
        "1E2",
        "100",
        "100.5",
        "12",
        "13",
        "2024",
        "2024.0",
        "81140000436",
        "0.001",
        "1e-3",
        "-0.0",
        "6",
        "796",
        "12345",
        "710000000",
        "999999999",
        "1000000000",
        "7012345678",
        "77012345678",
        "999999999999",
        "1000000000000",
        "850615300013",
        "9007199254740993",
        "9999999999999999",
        "10000000000000000",
        "36",
        "37",
        "13.0",
        "1.3e1",
    ] {
        values.push(serde_json::from_str(number).expect("number"));
    }
    values.extend([
        serde_json::json!(true),
        serde_json::json!(false),
        serde_json::json!(null),
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!(["x"]),
    ]);
    let mut disagreements = Vec::new();
    let mut checked = 0;
    for (entity, field) in fields {
        let base_text =
            std::fs::read_to_string(root().join(format!("tests/corpus/{entity}/valid.json"))).expect("valid packet");
        let base: serde_json::Value = serde_json::from_str(&base_text).expect("JSON");
        let validator = validator(&registry, &format!("{entity}.packet.schema.json"));
        for value in &values {
            let mut packet = base.clone();
            packet["records"][0][field] = value.clone();
            let bytes = serde_json::to_vec(&packet).expect("serialises");
            let report = tekser::validate(&bytes, &Options::default()).expect("readable");
            let core_valid = structurally_valid(&report, catalog);
            let schema_valid = validator.is_valid(&packet);
            if core_valid != schema_valid {
                let codes: Vec<&str> = report.findings.iter().map(|f| f.code).collect();
                disagreements.push(format!(
                    "{entity}.{field} = {value}: schema valid={schema_valid}, core valid={core_valid} {codes:?}"
                ));
            }
            checked += 1;
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {checked} disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// Validates the JSON document at `rel` (under the repository root) against `schema`.
fn conforms(registry: &Registry<'static>, schema: &str, rel: &str, instance: &serde_json::Value) {
    let validator = validator(registry, schema);
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{rel} does not conform to {schema}: {errors:?}");
}

fn read_json(rel: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(root().join(rel))
        .map_err(|e| format!("{rel}: {e}"))
        .expect("corpus file is readable and well-formed");
    serde_json::from_str(&text)
        .map_err(|e| format!("{rel}: {e}"))
        .expect("corpus file is readable and well-formed")
}

#[test]
fn replies_digest_lists_comparisons_and_dataset_reports_conform_to_their_schemas() {
    let registry = registry();
    let mut checked = 0;
    for case in common::manifest_section("replies") {
        if case["format"] == "json" {
            let rel = format!("tests/corpus/{}", case["reply"].as_str().expect("reply"));
            conforms(&registry, "reply.schema.json", &rel, &read_json(&rel));
            checked += 1;
        }
    }
    for case in common::manifest_section("diffs") {
        let rel = format!("tests/corpus/{}", case["expected"].as_str().expect("expected"));
        conforms(&registry, "comparison.schema.json", &rel, &read_json(&rel));
        let packet =
            std::fs::read(root().join("tests/corpus").join(case["ours"].as_str().expect("ours"))).expect("packet");
        let list =
            tekser::digest(&packet, &tekser::Options::default(), tekser::Algorithm::Streebog512).expect("digest");
        let instance: serde_json::Value = serde_json::from_str(&list.to_json()).expect("json");
        conforms(&registry, "digest-list.schema.json", &rel, &instance);
        checked += 2;
    }
    for case in common::manifest_section("datasets") {
        let rel = format!("tests/corpus/{}", case["report"].as_str().expect("report"));
        conforms(&registry, "dataset-report.schema.json", &rel, &read_json(&rel));
        checked += 1;
    }
    conforms(
        &registry,
        "dictionary-file.schema.json",
        "examples/dictionaries.json",
        &read_json("examples/dictionaries.json"),
    );
    assert!(checked >= 12, "only {checked} documents checked");
}
