//! Integrity on the Rust host: digest vectors of the corpus (every form of a packet gives
//! the same digest, a changed value a different one), the hash functions against their
//! standards' published examples, per-record comparison, and reply messages.

mod common;

use common::{corpus_dir, manifest_cases, manifest_section, root};
use tekser::{Algorithm, Options, PacketDigest, Reply};

const HOST: &str = "rust";

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join(rel))
        .map_err(|e| format!("{rel}: {e}"))
        .expect("corpus file is readable and well-formed")
}

fn json(rel: &str) -> serde_json::Value {
    serde_json::from_slice(&read(rel))
        .map_err(|e| format!("{rel}: {e}"))
        .expect("corpus file is readable and well-formed")
}

#[test]
fn every_form_of_a_packet_has_the_expected_digest() {
    let groups = manifest_section("digests");
    assert!(groups.len() >= 5, "digest groups in the manifest");
    let mut failures = Vec::new();
    for group in &groups {
        let name = group["name"].as_str().expect("name");
        let expected = json(group["expected"].as_str().expect("expected"));
        for packet in group["packets"].as_array().expect("packets") {
            let packet = packet.as_str().expect("path");
            for algorithm in Algorithm::ALL {
                let d = tekser::digest(&read(packet), &Options::default(), algorithm).expect("digestible");
                if d.digest != expected["digest"][algorithm.as_str()] {
                    failures.push(format!(
                        "host {HOST}: packet {packet}: {algorithm} digest differs from group {name}"
                    ));
                }
                if d.root != expected["root"][algorithm.as_str()] {
                    failures.push(format!(
                        "host {HOST}: packet {packet}: {algorithm} root differs from group {name}"
                    ));
                }
                if algorithm == Algorithm::Sha256 {
                    let records: serde_json::Value = serde_json::from_str(&d.to_json()).expect("json");
                    if records["records"] != expected["records"] {
                        failures.push(format!("host {HOST}: packet {packet}: per-record digests differ"));
                    }
                }
            }
        }
        if let Some(other) = group["differs_from"].as_str() {
            let other = groups
                .iter()
                .find(|g| g["name"] == other)
                .expect("group named by differs_from");
            let theirs = json(other["expected"].as_str().expect("expected"));
            for algorithm in Algorithm::ALL {
                if expected["digest"][algorithm.as_str()] == theirs["digest"][algorithm.as_str()] {
                    failures.push(format!(
                        "host {HOST}: group {name}: one changed value left the {algorithm} digest unchanged"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_report_digest_is_the_sha256_packet_digest() {
    // The report's digest is computed while validating (streamed); the digest API reads
    // the whole tree. Both must agree on every readable corpus packet.
    let mut checked = 0;
    for case in manifest_cases() {
        if case["report"].is_null() {
            continue;
        }
        let packet = case["packet"].as_str().expect("packet");
        let options = Options {
            entity: case["entity"].as_str().map(|e| e.parse().expect("entity")),
            ..Options::default()
        };
        let report = tekser::validate(&read(packet), &options).expect("readable");
        let digest = tekser::digest(&read(packet), &options, Algorithm::Sha256).expect("digestible");
        assert_eq!(
            report.digest.as_deref(),
            Some(digest.digest.as_str()),
            "host {HOST}: packet {packet}"
        );
        checked += 1;
    }
    assert!(checked > 100);
}

#[test]
fn hashes_match_their_standards_examples() {
    let path = root().join("../shared/testdata/eds/vectors/gost_test_vectors.json");
    // The shared test data sits beside the repository on development machines; the same
    // published values are repeated here so that a clean clone checks them too.
    let streebog = [
        // GOST R 34.11-2012 / RFC 6986 M1 and M2 (digest bytes as the hash API returns them).
        (
            "303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132",
            "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500",
            "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48",
        ),
        (
            "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb",
            "9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50",
            "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28",
        ),
    ];
    for (message, d256, d512) in streebog {
        assert_eq!(
            Algorithm::Streebog256.digest(&common::unhex(message)),
            format!("streebog256:{d256}")
        );
        assert_eq!(
            Algorithm::Streebog512.digest(&common::unhex(message)),
            format!("streebog512:{d512}")
        );
    }
    // GOST R 34.11-94 with the test parameter set (= GOST 34.311-95 of the national PKI).
    let gost94 = [
        ("", "ce85b99cc46752fffee35cab9a7b0278abb4c2d2055cff685af4912c49490f8d"),
        (
            "This is message, length=32 bytes",
            "b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa",
        ),
        (
            "Suppose the original message has length = 50 bytes",
            "471aba57a60a770d3a76130635c1fbea4ef14de51f78b4ae57dd893b62f55208",
        ),
        (
            "abc",
            "f3134348c44fb1b2a277729e2285ebb5cb5e0f29c975bc753b70497c06a4d51d",
        ),
    ];
    for (message, expected) in gost94 {
        assert_eq!(
            Algorithm::Gost34311.digest(message.as_bytes()),
            format!("gost34311:{expected}"),
            "{message:?}"
        );
    }
    // SHA-256: FIPS 180-4 examples.
    assert_eq!(
        Algorithm::Sha256.digest(b"abc"),
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        Algorithm::Sha256.digest(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    // Every vector of the shared file, when it is there.
    if let Ok(text) = std::fs::read_to_string(path) {
        let v: serde_json::Value = serde_json::from_str(&text).expect("vectors");
        for e in v["gost_r_34_11_2012_streebog"]["examples"]
            .as_array()
            .expect("examples")
        {
            let m = common::unhex(e["message_hex"].as_str().expect("hex"));
            assert_eq!(
                Algorithm::Streebog256.digest(&m),
                format!("streebog256:{}", e["streebog256_bytes"].as_str().expect("256"))
            );
            assert_eq!(
                Algorithm::Streebog512.digest(&m),
                format!("streebog512:{}", e["streebog512_bytes"].as_str().expect("512"))
            );
        }
        for e in v["gost_r_34_11_94"]["test_paramset"]["vectors"]
            .as_array()
            .expect("vectors")
        {
            let m = e["message"].as_str().expect("message");
            assert_eq!(
                Algorithm::Gost34311.digest(m.as_bytes()),
                format!("gost34311:{}", e["digest_bytes"].as_str().expect("digest"))
            );
        }
    }
}

#[test]
fn per_record_lists_name_exactly_the_changed_records() {
    for diff in manifest_section("diffs") {
        let list = |key: &str| {
            let d = tekser::digest(
                &read(diff[key].as_str().expect("path")),
                &Options::default(),
                Algorithm::Sha256,
            )
            .expect("digestible");
            // The written list reads back to the same digests.
            let back = PacketDigest::from_json(d.to_json().as_bytes()).expect("list reads back");
            assert_eq!(back, d);
            d
        };
        let comparison = if diff["packets"].as_bool() == Some(true) {
            let (ours, theirs) = (
                read(diff["ours"].as_str().expect("ours")),
                read(diff["theirs"].as_str().expect("theirs")),
            );
            let by_fields = tekser::compare_packets(&ours, &theirs, &Options::default(), Algorithm::Sha256)
                .expect("comparable packets");
            // The same records as comparing the two packets' digest lists.
            let by_lists = tekser::compare(&list("ours"), &list("theirs")).expect("same algorithm");
            assert_eq!(
                (&by_fields.only_ours, &by_fields.only_theirs, &by_fields.changed),
                (&by_lists.only_ours, &by_lists.only_theirs, &by_lists.changed)
            );
            by_fields
        } else {
            tekser::compare(&list("ours"), &list("theirs")).expect("same algorithm")
        };
        let expected = String::from_utf8(read(diff["expected"].as_str().expect("expected"))).expect("utf-8");
        assert_eq!(comparison.to_json(), expected, "host {HOST}: diff {}", diff["expected"]);
    }
    // Missing on either side.
    let ours = tekser::digest(&read("digest/lots.json"), &Options::default(), Algorithm::Sha256).expect("ok");
    let mut theirs = ours.clone();
    let gone = theirs.records.remove(0);
    theirs.records.push(tekser::RecordDigest {
        id: "extra".into(),
        record: 9,
        digest: gone.digest.clone(),
    });
    let c = tekser::compare(&ours, &theirs).expect("same algorithm");
    assert_eq!(c.only_ours, [gone.id]);
    assert_eq!(c.only_theirs, ["extra"]);
    assert!(c.changed.is_empty() && !c.same());
    let other = tekser::digest(&read("digest/lots.json"), &Options::default(), Algorithm::Streebog256).expect("ok");
    assert!(
        tekser::compare(&ours, &other).is_err(),
        "lists of different algorithms are not compared"
    );
}

#[test]
fn reply_messages_are_as_expected_and_read_back() {
    let replies = manifest_section("replies");
    assert!(replies.len() >= 4);
    for case in replies {
        let packet = case["packet"].as_str().expect("packet");
        let report = tekser::validate(&read(packet), &Options::default()).expect("readable");
        let replied_at = case["replied_at"]
            .as_str()
            .map(|t| tekser::LocalDateTime::parse(t).expect("replied_at is dd.mm.yyyy HH:MM"));
        let reply = Reply::from_report(&report, replied_at).expect("reply");
        let written = match case["format"].as_str() {
            Some("xml") => reply.to_xml(),
            _ => reply.to_json(),
        };
        let rel = case["reply"].as_str().expect("reply file");
        let expected = String::from_utf8(read(rel)).expect("utf-8");
        assert_eq!(written, expected, "host {HOST}: reply {rel}");
        let back = Reply::parse(written.as_bytes()).expect("a reply reads back");
        assert_eq!(back, reply, "host {HOST}: reply {rel} reads back to the same message");
        let sent = tekser::digest(&read(packet), &Options::default(), Algorithm::Sha256).expect("digest");
        assert!(
            back.confirms(&sent.digest),
            "the reply names the digest the sender computed"
        );
        assert_eq!(back.accepted, report.accepted());
        // Rules p.18 (3): the late replies, and only they, carry reply.transfer_late.
        let late = reply.findings.iter().any(|f| f.code == "reply.transfer_late");
        assert_eq!(
            late,
            rel.contains(".late"),
            "host {HOST}: reply {rel}: reply.transfer_late"
        );
    }
    assert!(Reply::parse(b"{\"status\": \"maybe\"}").is_err());
    assert!(Reply::parse(b"<reply><status>accepted</status></reply>").is_err());
}
