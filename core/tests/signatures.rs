//! The signature stage on the Rust host: every case of `tests/eds/cases.json` (the cases of
//! the test data's `manifest.json` plus tekser's own) gives its expected status and finding
//! codes per signature, agrees with the manifest's reference-digest and signature-value
//! checks, reads the same from memory and from a re-opened file, and writes its expected
//! report (`tests/eds/expected/<id>.json`) byte for byte. Signed packets of `tests/eds/local`
//! also go through the whole pipeline (`expected/check/`). The standard vectors of
//! `vectors/gost_test_vectors.json` are checked against the hashes core uses.
//! `TEKSER_BLESS=1` writes the expected reports instead (review them before committing).

// A failure names the case and the file that broke, so helpers panic with them.
#![allow(clippy::panic)]

mod common;

use std::path::PathBuf;

use tekser::signature::{self, Anchors, Crl, SignatureReport, VerifyOptions};
use tekser::{Algorithm, Options};

fn eds() -> PathBuf {
    common::root().join("tests/eds")
}

fn read(relative: &str) -> Vec<u8> {
    let path = eds().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn options(case: &serde_json::Value) -> VerifyOptions {
    let anchors = match &case["anchors"] {
        serde_json::Value::String(name) => Anchors::named(name).expect("a named anchor set"),
        set => {
            let files: Vec<(String, Vec<u8>)> = set["files"]
                .as_array()
                .expect("anchor files")
                .iter()
                .map(|f| {
                    let f = f.as_str().expect("a file name");
                    (f.to_owned(), read(f))
                })
                .collect();
            Anchors::custom(set["name"].as_str().expect("a set name"), &files).expect("anchors parse")
        }
    };
    let crls = case["crls"]
        .as_array()
        .expect("crls")
        .iter()
        .map(|f| Crl::parse(&read(f.as_str().expect("a CRL file"))).expect("the CRL parses"))
        .collect();
    VerifyOptions {
        anchors,
        crls,
        at: case["at"]
            .as_str()
            .map(|t| signature::parse_time(t).expect("a readable time")),
        semantics: case["semantics"]
            .as_str()
            .expect("semantics")
            .parse()
            .expect("known semantics"),
    }
}

fn bless() -> bool {
    std::env::var_os("TEKSER_BLESS").is_some()
}

fn compare_or_bless(path: PathBuf, actual: &str, what: &str) {
    if bless() {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        std::fs::write(&path, actual).expect("write the expected report");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{what}: {}: {e} (bless with TEKSER_BLESS=1)", path.display()));
    assert_eq!(actual, expected, "{what}: the report differs from {}", path.display());
}

fn codes(list: &[tekser::Finding]) -> Vec<&str> {
    list.iter().map(|f| f.code).collect()
}

#[test]
fn every_case_gives_its_expected_report() {
    let text = String::from_utf8(read("cases.json")).expect("UTF-8");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("cases.json is JSON");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 40, "cases.json lists every case");
    for case in cases {
        let id = case["id"].as_str().expect("an id");
        let xml = case["xml"].as_str().expect("xml");
        let options = options(case);
        let bytes = read(xml);
        let report: SignatureReport = signature::verify(&bytes, &options).unwrap_or_else(|e| panic!("{id}: {e}"));
        // From a file read twice, never whole: the same report.
        let path = eds().join(xml);
        let streamed = signature::verify_source(
            || std::fs::File::open(&path).map(|f| std::io::BufReader::with_capacity(64, f)),
            &options,
        )
        .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(report, streamed, "{id}: in memory and streamed differ");

        assert_eq!(
            report.status.as_str(),
            case["status"].as_str().expect("status"),
            "{id}: status"
        );
        let expected: Vec<Vec<&str>> = case["codes"]
            .as_array()
            .expect("codes")
            .iter()
            .map(|s| {
                s.as_array()
                    .expect("codes of a signature")
                    .iter()
                    .map(|c| c.as_str().expect("code"))
                    .collect()
            })
            .collect();
        let actual: Vec<Vec<&str>> = report.signatures.iter().map(|s| codes(&s.findings)).collect();
        assert_eq!(actual, expected, "{id}: codes per signature");
        let document: Vec<&str> = case["document_codes"]
            .as_array()
            .map(|l| l.iter().map(|c| c.as_str().expect("code")).collect())
            .unwrap_or_default();
        assert_eq!(codes(&report.findings), document, "{id}: codes of the document");
        // The test data's own cryptographic expectations.
        if let Some(checks) = case["checks"].as_array() {
            let n = checks.len();
            for (i, check) in checks.iter().enumerate() {
                let s = &report.signatures[i];
                // Sequential: the last signature without itself, earlier ones without all later.
                let key = if i + 1 == n || n == 1 {
                    "reference_digest_matches"
                } else {
                    "reference_digest_matches_if_all_signatures_removed"
                };
                assert_eq!(
                    s.reference_matches,
                    check[key].as_bool(),
                    "{id}: signature {} reference digest",
                    i + 1
                );
                assert_eq!(
                    s.value_verifies,
                    check["signature_value_valid"].as_bool(),
                    "{id}: signature {} value",
                    i + 1
                );
                assert_eq!(
                    s.method.as_deref(),
                    check["algorithm"].as_str(),
                    "{id}: signature {} method",
                    i + 1
                );
            }
        }
        compare_or_bless(eds().join("expected").join(format!("{id}.json")), &report.to_json(), id);
    }
}

#[test]
fn signed_packets_run_the_whole_pipeline() {
    let local = eds().join("local");
    let anchors = Anchors::custom(
        "local",
        &[(
            "local/anchors/tekser_test_ca.pem".to_owned(),
            read("local/anchors/tekser_test_ca.pem"),
        )],
    )
    .expect("anchors");
    let options = VerifyOptions {
        anchors,
        crls: vec![Crl::parse(&read("local/tekser_test_ca.crl")).expect("CRL")],
        ..VerifyOptions::default()
    };
    let mut names: Vec<String> = std::fs::read_dir(&local)
        .expect("tests/eds/local")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    assert!(names.len() >= 6);
    let mut refused = Vec::new();
    for name in &names {
        let bytes = read(&format!("local/{name}"));
        let report = tekser::validate(&bytes, &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let signature = signature::verify(&bytes, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = report.with_signature(signature);
        refused.push((name.as_str(), report.refused_by()));
        compare_or_bless(
            eds().join("expected/check").join(format!("{name}.json")),
            &report.to_json(),
            name,
        );
        // The reply carries the signature's result and findings.
        let reply = tekser::Reply::from_report(&report, None).expect("a reply");
        assert_eq!(
            reply.signature.as_deref(),
            Some(report.signature.as_ref().map_or("", |s| s.status.as_str()))
        );
        assert_eq!(reply.accepted, report.accepted(), "{name}: reply status");
        let parsed = tekser::Reply::parse(reply.to_json().as_bytes()).expect("the reply reads back");
        assert_eq!(parsed.signature, reply.signature);
    }
    assert_eq!(
        refused,
        vec![
            ("plan_item.signed.xml", None),
            ("plan_item.signed_auth.xml", Some("signature")),
            ("plan_item.signed_by_other.xml", None),
            ("plan_item.signed_flk_error.xml", Some("format_logical_control")),
            ("plan_item.signed_revoked.xml", None),
            ("plan_item.signed_tampered.xml", Some("signature")),
        ]
    );
}

#[test]
fn the_packet_signature_is_not_packet_content() {
    // The signed packet has the digest and findings of the packet it was made from.
    let signed = tekser::validate(&read("local/plan_item.signed.xml"), &Options::default()).expect("valid");
    let plain = tekser::validate(&read("../../examples/plan_item.xml"), &Options::default()).expect("valid");
    assert_eq!(signed.digest, plain.digest);
    assert_eq!(signed.findings, plain.findings);
}

#[test]
fn standard_hash_vectors() {
    let text = String::from_utf8(read("vectors/gost_test_vectors.json")).expect("UTF-8");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut checked = 0;
    for vector in v["gost_r_34_11_94"]["test_paramset"]["vectors"]
        .as_array()
        .expect("vectors")
    {
        let message = vector["message"].as_str().expect("message");
        let expected = vector["digest_bytes"].as_str().expect("digest");
        assert_eq!(
            tekser::digest::hex(&Algorithm::Gost34311.hash(message.as_bytes())),
            expected,
            "GOST 34.11-94 {message:?}"
        );
        checked += 1;
    }
    for example in v["gost_r_34_11_2012_streebog"]["examples"]
        .as_array()
        .expect("examples")
    {
        let message = common::unhex(example["message_hex"].as_str().expect("message"));
        for (algorithm, key) in [
            (Algorithm::Streebog512, "streebog512_bytes"),
            (Algorithm::Streebog256, "streebog256_bytes"),
        ] {
            assert_eq!(
                tekser::digest::hex(&algorithm.hash(&message)),
                example[key].as_str().expect("digest"),
                "{} {key}",
                example["name"]
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
}
