//! The conformance corpus on the Rust host: every packet of `tests/corpus/manifest.json`
//! gives its expected report byte for byte (or its expected API error kind).

mod common;

use std::collections::BTreeSet;

use common::{corpus_dir, manifest_cases as manifest, manifest_section};
use tekser::{codes, Options};

const HOST: &str = "rust";

fn options(case: &serde_json::Value) -> Options {
    Options {
        entity: case["entity"]
            .as_str()
            .map(|e| e.parse().expect("manifest entity is known")),
        lang: case["lang"]
            .as_str()
            .map(|l| l.parse().expect("manifest lang is known")),
        max_findings: case["max_findings"]
            .as_u64()
            .map_or(tekser::DEFAULT_MAX_FINDINGS, |n| n as usize),
        ..Options::default()
    }
}

#[test]
fn every_packet_gives_its_expected_report() {
    let dir = corpus_dir();
    let cases = manifest();
    let mut failures = Vec::new();
    let mut seen_codes = BTreeSet::new();
    for case in &cases {
        let packet = case["packet"].as_str().expect("case names its packet");
        let bytes = std::fs::read(dir.join(packet)).expect("packet is readable");
        let result = match case["dictionaries"].as_str() {
            // A run-time dictionary file: the packet is validated against the extended catalog.
            Some(file) => {
                let update = std::fs::read(dir.join(file)).expect("dictionary file is readable");
                let catalog = tekser::Catalog::get()
                    .and_then(|c| c.with_dictionaries(&update))
                    .expect("dictionary file is accepted");
                tekser::validate_with(&catalog, &bytes, &options(case))
            }
            None => tekser::validate(&bytes, &options(case)),
        };
        match (case["report"].as_str(), case["error"].as_str(), result) {
            (Some(report_path), _, Ok(report)) => {
                let expected = std::fs::read_to_string(dir.join(report_path)).unwrap_or_default();
                let actual = report.to_json();
                if let Err(e) = serde_json::from_str::<serde_json::Value>(&actual) {
                    failures.push(format!(
                        "host {HOST}: packet {packet}: the report is not valid JSON: {e}"
                    ));
                }
                if actual != expected {
                    failures.push(format!("host {HOST}: packet {packet}: report differs from {report_path} (run `cargo xtask bless` and review the diff)"));
                }
                let codes_in_report: BTreeSet<&str> = report.findings.iter().map(|f| f.code).collect();
                for trigger in case["triggers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str())
                {
                    if !codes_in_report.contains(trigger) {
                        failures.push(format!(
                            "host {HOST}: packet {packet}: expected finding {trigger} is missing"
                        ));
                    }
                }
                seen_codes.extend(codes_in_report);
            }
            (None, Some(kind), Err(e)) if e.kind() == kind => {}
            (_, _, Err(e)) => failures.push(format!(
                "host {HOST}: packet {packet}: unexpected error {} ({e})",
                e.kind()
            )),
            (None, expected, Ok(_)) => failures.push(format!(
                "host {HOST}: packet {packet}: expected error {expected:?}, got a report"
            )),
        }
    }
    // Datasets: several packets together, cross-entity findings.
    let datasets = common::manifest_section("datasets");
    for case in &datasets {
        let name = case["name"].as_str().expect("dataset name");
        let mut dataset = tekser::Dataset::new(Options {
            lang: None,
            ..Options::default()
        });
        for rel in case["packets"].as_array().expect("packets") {
            let rel = rel.as_str().expect("path");
            let bytes = std::fs::read(dir.join(rel)).expect("dataset packet is readable");
            if let Err(e) = dataset.add(rel, &bytes) {
                failures.push(format!(
                    "host {HOST}: dataset {name}: packet {rel}: unexpected error {e}"
                ));
            }
        }
        let report = dataset.finish();
        // The parts other engines use (tekser.spark): a packet's facts come with the same
        // report, and a cross finding rebuilt from its parameters is the same finding.
        for (rel, summary) in case["packets"].as_array().expect("packets").iter().zip(&report.packets) {
            let file = std::fs::File::open(dir.join(rel.as_str().unwrap_or_default())).expect("packet");
            let options = Options {
                lang: None,
                ..Options::default()
            };
            match tekser::packet_facts(file, &options, None, |_| {}) {
                Ok((own, _)) if own == summary.report => {}
                _ => failures.push(format!(
                    "host {HOST}: dataset {name}: packet_facts of {rel} gives another report"
                )),
            }
        }
        let catalog = tekser::Catalog::get().expect("catalog");
        for f in &report.findings {
            let param = |key: &str| {
                f.finding
                    .params
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.as_str())
            };
            let rebuilt = tekser::CrossFinding {
                code: f.finding.code,
                record: f.finding.record.unwrap_or_default(),
                path: f.finding.path.rsplit_once('/').map_or("", |(record, _)| record),
                field: f.finding.field.as_deref().unwrap_or_default(),
                value: param("value").unwrap_or_default(),
                expected: param("expected").unwrap_or_default(),
                related: param("related"),
            }
            .to_finding(catalog);
            if rebuilt.as_ref().ok() != Some(&f.finding) {
                failures.push(format!(
                    "host {HOST}: dataset {name}: {} rebuilt by CrossFinding differs: {rebuilt:?}",
                    f.finding.code
                ));
            }
        }
        let report_path = case["report"].as_str().expect("report");
        let expected = std::fs::read_to_string(dir.join(report_path)).unwrap_or_default();
        if report.to_json() != expected {
            failures.push(format!(
                "host {HOST}: dataset {name}: report differs from {report_path} (run `cargo xtask bless` and review the diff)"
            ));
        }
        // A dataset's triggers may be cross-entity findings or a packet's own.
        let found: BTreeSet<&str> = report
            .findings
            .iter()
            .map(|f| f.finding.code)
            .chain(
                report
                    .packets
                    .iter()
                    .flat_map(|p| p.report.findings.iter().map(|f| f.code)),
            )
            .collect();
        for trigger in case["triggers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str())
        {
            if !found.contains(trigger) {
                failures.push(format!(
                    "host {HOST}: dataset {name}: expected finding {trigger} is missing"
                ));
            }
        }
        if case["triggers"].as_array().is_some_and(|t| t.is_empty()) && !report.accepted() {
            failures.push(format!("host {HOST}: dataset {name}: expected to be accepted"));
        }
        seen_codes.extend(found);
    }
    // Findings only a reply message carries (reply.transfer_late) come from the replies.
    let mut reply_codes = BTreeSet::new();
    for case in manifest_section("replies") {
        let packet = case["packet"].as_str().expect("packet");
        let bytes = std::fs::read(dir.join(packet)).expect("reply packet is readable");
        let report = tekser::validate(&bytes, &Options::default()).expect("readable");
        let replied_at = case["replied_at"]
            .as_str()
            .map(|t| tekser::LocalDateTime::parse(t).expect("replied_at"));
        let reply = tekser::Reply::from_report(&report, replied_at).expect("reply");
        reply_codes.extend(reply.findings.into_iter().map(|f| f.code));
    }
    // The signature stage's codes come from the signed documents of tests/eds (whose codes
    // core/tests/signatures.rs asserts case by case).
    let eds = std::fs::read_to_string(common::root().join("tests/eds/cases.json")).expect("tests/eds/cases.json");
    let eds: serde_json::Value = serde_json::from_str(&eds).expect("JSON");
    let mut signature_codes = BTreeSet::new();
    for case in eds["cases"].as_array().expect("cases") {
        let per_signature = case["codes"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s.as_array().into_iter().flatten());
        let document = case["document_codes"].as_array().into_iter().flatten();
        signature_codes.extend(
            per_signature
                .chain(document)
                .filter_map(|c| c.as_str().map(str::to_owned)),
        );
    }
    for code in codes::ALL {
        if !seen_codes.contains(code) && !reply_codes.contains(code) && !signature_codes.contains(code) {
            failures.push(format!("host {HOST}: no corpus packet triggers {code}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases and datasets failed:\n{}",
        failures.len(),
        cases.len() + datasets.len(),
        failures.join("\n")
    );
    eprintln!(
        "host {HOST}: {} corpus cases and {} datasets passed",
        cases.len(),
        datasets.len()
    );
}

#[test]
fn json_and_xml_forms_give_the_same_report() {
    let dir = corpus_dir();
    let cases = manifest();
    let mut pairs = 0;
    for case in &cases {
        let packet = case["packet"].as_str().expect("packet");
        let Some(stem) = packet.strip_suffix(".json") else {
            continue;
        };
        if case["report"].is_null() {
            continue;
        }
        for xml in [
            format!("{stem}.xml"),
            format!("{stem}.soap11.xml"),
            format!("{stem}.soap12.xml"),
        ] {
            let Ok(xml_bytes) = std::fs::read(dir.join(&xml)) else {
                continue;
            };
            let json_bytes = std::fs::read(dir.join(packet)).expect("packet");
            let from_json = tekser::validate(&json_bytes, &options(case))
                .expect("readable")
                .to_json();
            let from_xml = tekser::validate(&xml_bytes, &options(case))
                .expect("readable")
                .to_json();
            assert_eq!(
                from_json, from_xml,
                "host {HOST}: {packet} and {xml} give different reports"
            );
            pairs += 1;
        }
    }
    assert!(pairs >= 20, "only {pairs} JSON/XML pairs in the corpus");
}

#[test]
fn reports_are_deterministic_across_runs_and_languages() {
    let bytes = std::fs::read(corpus_dir().join("plan_item/three-findings.json")).expect("packet");
    let all = tekser::validate(
        &bytes,
        &Options {
            lang: None,
            ..Options::default()
        },
    )
    .expect("readable");
    assert_eq!(
        all.to_json(),
        tekser::validate(
            &bytes,
            &Options {
                lang: None,
                ..Options::default()
            }
        )
        .expect("readable")
        .to_json()
    );
    for lang in tekser::Lang::ALL {
        let one = tekser::validate(
            &bytes,
            &Options {
                lang: Some(lang),
                ..Options::default()
            },
        )
        .expect("readable");
        assert_eq!(one.findings, all.findings, "findings do not depend on the language");
        assert!(one.to_json().contains("\"message\": "));
    }
}

/// The streaming reader: every corpus packet pushed in chunks of 1, 7 and 4096 bytes (and
/// read through `validate_reader`) gives the same report, or the same error kind, as the
/// whole input at once.
#[test]
fn every_packet_gives_the_same_report_in_any_chunking() {
    let dir = corpus_dir();
    let mut failures = Vec::new();
    for case in manifest() {
        let packet = case["packet"].as_str().expect("packet");
        let bytes = std::fs::read(dir.join(packet)).expect("packet is readable");
        let mut options = options(&case);
        let catalog = case["dictionaries"].as_str().map(|rel| {
            let file = std::fs::read(dir.join(rel)).expect("dictionary file");
            tekser::Catalog::get()
                .expect("catalog")
                .with_dictionaries(&file)
                .expect("dictionary file applies")
        });
        let whole = match &catalog {
            Some(c) => tekser::validate_with(c, &bytes, &options),
            None => tekser::validate(&bytes, &options),
        }
        .map(|r| r.to_json())
        .map_err(|e| e.kind());
        for size in [1, 7, 4096] {
            let mut stream = match &catalog {
                Some(c) => tekser::PacketStream::with_catalog(c, &options),
                None => tekser::PacketStream::new(&options).expect("options"),
            };
            let mut result = Ok(());
            for chunk in bytes.chunks(size) {
                result = stream.push(chunk);
                if result.is_err() {
                    break;
                }
            }
            let streamed = result
                .and_then(|()| stream.finish())
                .map(|r| r.to_json())
                .map_err(|e| e.kind());
            if streamed != whole {
                failures.push(format!(
                    "host {HOST}-stream: packet {packet}: chunks of {size} give another result"
                ));
            }
        }
        if catalog.is_none() {
            // A streamed JSON input has no size limit (XML is still read whole, so its stays).
            if packet.ends_with(".json") {
                options.max_input_bytes = 1;
            }
            let read = tekser::validate_reader(bytes.as_slice(), &options, |_| {})
                .map(|r| r.to_json())
                .map_err(|e| e.kind());
            if read != whole {
                failures.push(format!(
                    "host {HOST}-reader: packet {packet}: validate_reader gives another result"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `RecordStream`: every corpus packet that parses, pushed in chunks of 1, 7 and 4096 bytes,
/// hands out exactly the records of the whole packet parsed at once (`parse`), in order
/// with their indexes (none when the header names another entity than the one asked for),
/// and the header's entity (or the caller's, for a bare list).
#[test]
fn record_stream_hands_out_the_records_of_every_packet() {
    let dir = corpus_dir();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in manifest() {
        let packet = case["packet"].as_str().expect("packet");
        let bytes = std::fs::read(dir.join(packet)).expect("packet is readable");
        let options = options(&case);
        let Ok(whole) = tekser::parse(&bytes) else {
            continue;
        };
        let expected: Vec<(usize, String)> = match &whole {
            tekser::Value::Array(records) => records.iter().map(tekser::Value::to_json).enumerate().collect(),
            tekser::Value::Object(members) => match members.iter().find(|(k, _)| k == "records") {
                Some((_, tekser::Value::Array(records))) => {
                    records.iter().map(tekser::Value::to_json).enumerate().collect()
                }
                _ => Vec::new(),
            },
            _ => continue,
        };
        for size in [1, 7, 4096] {
            let mut got = Vec::new();
            let mut stream =
                tekser::RecordStream::new(&options, |i: usize, r: &tekser::Value| got.push((i, r.to_json())));
            let mut result = Ok(());
            for chunk in bytes.chunks(size) {
                result = stream.push(chunk);
                if result.is_err() {
                    break;
                }
            }
            let result = result.and_then(|()| stream.end_input());
            let entity = stream.entity();
            drop(stream);
            match result {
                // A packet whose header names no known entity is an error here as in the check.
                Err(_) if tekser::validate(&bytes, &options).is_err() => {}
                Err(e) => failures.push(format!("host {HOST}-records: packet {packet}: chunks of {size}: {e}")),
                Ok(()) => {
                    // A packet of another entity than the one asked for hands out nothing.
                    let other_entity = matches!((entity, options.entity), (Some(e), Some(asked)) if e != asked);
                    if got != expected && !(other_entity && got.is_empty()) {
                        failures.push(format!(
                            "host {HOST}-records: packet {packet}: chunks of {size}: {} records, {} expected (or other values)",
                            got.len(),
                            expected.len()
                        ));
                    }
                    if entity.is_none() {
                        failures.push(format!("host {HOST}-records: packet {packet}: no entity"));
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} packets read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
