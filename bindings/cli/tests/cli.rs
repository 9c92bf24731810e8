//! The `tekser` command end to end: exit codes, output formats, stdin, catalog commands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tekser(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tekser"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tekser runs");
    if let Some(bytes) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(bytes)
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("tekser finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn shipped_example_is_accepted() {
    let out = tekser(&["check", "examples/plan_item.json", "examples/plan_item.xml"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("examples/plan_item.json: accepted"), "{stdout}");
    assert!(stdout.contains("examples/plan_item.xml: accepted"), "{stdout}");
}

#[test]
fn three_findings_each_name_record_field_and_rule() {
    let out = tekser(
        &[
            "check",
            "--format",
            "json",
            "--lang",
            "en",
            "examples/plan_item_three_findings.json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("canonical JSON report");
    assert_eq!(report["status"], "rejected");
    let findings = report["findings"].as_array().expect("findings");
    let summary: Vec<(String, String, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_owned(),
                f["field"].as_str().unwrap_or("").to_owned(),
                f["record"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("bin.checksum".to_owned(), "customer_bin".to_owned(), 0),
            ("dictionary.unknown_code".to_owned(), "h_method_trade_id".to_owned(), 0),
            ("plan.sum_mismatch".to_owned(), "sum".to_owned(), 0),
        ]
    );
    assert_eq!(findings[1]["suggestion"], "openTender");
}

#[test]
fn json_output_is_the_canonical_report() {
    let out = tekser(
        &[
            "check",
            "--format",
            "json",
            "--lang",
            "all",
            "tests/corpus/plan_item/three-findings.json",
        ],
        None,
    );
    let expected =
        std::fs::read(root().join("tests/corpus/plan_item/three-findings.json.report.json")).expect("expected report");
    assert_eq!(out.stdout, expected);
}

#[test]
fn stdin_and_caller_entity() {
    let bytes = std::fs::read(root().join("tests/corpus/lot/bare-list.json")).expect("packet");
    let out = tekser(&["check", "--entity", "lot", "-"], Some(&bytes));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("<stdin>: accepted"));
    let out = tekser(&["check", "-"], Some(&bytes));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("entity_not_named"), "{}", text(&out.stderr));
}

#[test]
fn unusable_input_exits_2_and_says_why() {
    let out = tekser(
        &["check", "tests/corpus/errors/doctype.xml", "examples/plan_item.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("doctype.xml: unusable input (xml_doctype)"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("plan_item.json: accepted"),
        "later files are still checked"
    );
    let out = tekser(&["check", "no/such/file.json"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = tekser(&["check", "--entity", "tenders", "examples/plan_item.json"], None);
    assert_eq!(out.status.code(), Some(2), "unknown entity is a usage error");
    // A record longer than --max-record-bytes is refused, from a file and from stdin.
    let packet = std::fs::read(root().join("examples/plan_item.json")).expect("example");
    for args in [
        &["check", "--max-record-bytes", "200", "examples/plan_item.json"][..],
        &["check", "--max-record-bytes", "200", "-"][..],
    ] {
        let out = tekser(args, Some(&packet));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains("(too_large)") && text(&out.stderr).contains("max_record_bytes"),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn rules_and_explain() {
    let out = tekser(&["rules"], None);
    assert_eq!(out.status.code(), Some(0));
    let listing = text(&out.stdout);
    for code in tekser::codes::ALL {
        assert!(listing.contains(code), "rules lists {code}");
    }
    let out = tekser(&["explain", "bin.checksum"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("clause: "));
    assert!(text(&out.stdout).contains("message [kk]"));
    let out = tekser(&["explain", "bin.nonsense"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn digest_is_the_same_for_json_and_xml_with_every_algorithm() {
    for alg in ["sha256", "streebog256", "streebog512", "gost34311"] {
        let out = tekser(
            &[
                "digest",
                "--alg",
                alg,
                "examples/plan_item.json",
                "examples/plan_item.xml",
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let digests: Vec<&str> = stdout.lines().filter_map(|l| l.split_whitespace().next()).collect();
        assert_eq!(digests.len(), 2, "{stdout}");
        assert_eq!(digests[0], digests[1], "{alg}: {stdout}");
        assert!(digests[0].starts_with(&format!("{alg}:")), "{stdout}");
    }
    let changed = tekser(&["digest", "tests/corpus/digest/plan_item.changed.json"], None);
    let same = tekser(&["digest", "examples/plan_item.json"], None);
    let first = |o: &Output| text(&o.stdout).split_whitespace().next().unwrap_or_default().to_owned();
    assert_ne!(first(&changed), first(&same), "one changed value changes the digest");
    let out = tekser(&["digest", "--alg", "md5", "examples/plan_item.json"], None);
    assert_eq!(out.status.code(), Some(2), "unknown algorithm is a usage error");
}

#[test]
fn diff_names_exactly_the_changed_record() {
    let dir = std::env::temp_dir().join(format!("tekser-cli-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ours = dir.join("ours.json");
    let theirs = dir.join("theirs.json");
    for (packet, list) in [
        ("tests/corpus/digest/lots.json", &ours),
        ("tests/corpus/digest/lots.theirs.json", &theirs),
    ] {
        let out = tekser(&["digest", "--per-record", packet], None);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        std::fs::write(list, &out.stdout).expect("write list");
    }
    let out = tekser(&["diff", &ours.to_string_lossy(), &theirs.to_string_lossy()], None);
    assert_eq!(out.status.code(), Some(1), "lists differ: exit 1");
    let stdout = text(&out.stdout);
    let named: Vec<&str> = stdout.lines().filter(|l| l.starts_with("changed ")).collect();
    assert_eq!(named, ["changed      0f8fae24-d9cb-469f-a165-7086772895d7"], "{stdout}");
    assert!(!stdout.lines().any(|l| l.starts_with("only ")), "{stdout}");
    let out = tekser(&["diff", &ours.to_string_lossy(), &ours.to_string_lossy()], None);
    assert_eq!(out.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_of_two_packets_names_the_changed_fields() {
    let out = tekser(
        &[
            "diff",
            "tests/corpus/digest/contracts.json",
            "tests/corpus/digest/contracts.theirs.xml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "packets differ: exit 1");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("changed      0f8faeeb-d9cb-469f-a165-70867728969e: details/0/n_cert, linkkontrakt, note"),
        "{stdout}"
    );
    assert!(
        stdout.contains("only ours    0f8faeec-d9cb-469f-a165-70867728969f"),
        "{stdout}"
    );
    let out = tekser(
        &[
            "diff",
            "--format",
            "json",
            "tests/corpus/digest/plan_item.json",
            "tests/corpus/digest/plan_item.changed.xml",
        ],
        None,
    );
    let expected = std::fs::read_to_string(root().join("tests/corpus/digest/plan_item.changed.packets.diff.json"))
        .expect("expected diff");
    assert_eq!(text(&out.stdout), expected);
    let out = tekser(
        &[
            "diff",
            "tests/corpus/digest/plan_item.json",
            "tests/corpus/digest/plan_item.typed.json",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "the same meaning: exit 0\n{}",
        text(&out.stdout)
    );
}

#[test]
fn dataset_with_a_lot_pointing_to_a_missing_announcement_is_rejected() {
    let dir = "tests/corpus/dataset/lot-missing-announcement";
    let files: Vec<String> = ["plan_item", "lot", "result", "contract"]
        .iter()
        .map(|e| format!("{dir}/{e}.json"))
        .collect();
    let mut args = vec!["check", "--dataset", "--format", "json", "--lang", "en"];
    args.extend(files.iter().map(String::as_str));
    let out = tekser(&args, None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("dataset report is JSON");
    assert_eq!(report["status"], "rejected");
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["code"], "dataset.reference_missing");
    assert_eq!(f["packet"], format!("{dir}/lot.json"));
    assert_eq!(f["path"], "/records/0/tender_id");
    assert_eq!(f["related"]["entity"], "announcement");
    assert!(f["message"].as_str().is_some_and(|m| m.contains("announcement.id")));
    // Each packet alone is fine; with the announcement the dataset is accepted.
    let full: Vec<String> = ["plan_item", "announcement", "lot", "result", "contract"]
        .iter()
        .map(|e| format!("tests/corpus/dataset/full-load/{e}.json"))
        .collect();
    let mut args = vec!["check", "--dataset"];
    args.extend(full.iter().map(String::as_str));
    assert_eq!(tekser(&args, None).status.code(), Some(0));
}

#[test]
fn reply_and_run_time_dictionaries() {
    let out = tekser(&["reply", "examples/plan_item.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).expect("reply is JSON");
    assert_eq!(reply["status"], "accepted");
    let digest = tekser(&["digest", "examples/plan_item.xml"], None);
    assert!(text(&digest.stdout).starts_with(reply["digest"].as_str().expect("digest")));
    let out = tekser(
        &["reply", "--format", "xml", "examples/plan_item_three_findings.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("<status>error</status>"));
    // A dictionary file changes the dictionaries version and the rules digest, not the verdict here.
    let out = tekser(
        &[
            "check",
            "--format",
            "json",
            "--dictionaries",
            "examples/dictionaries.json",
            "examples/plan_item.json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report");
    assert_eq!(report["dictionaries"], "2026-11 agreement: yuan added");
    let out = tekser(
        &["check", "--dictionaries", "Cargo.toml", "examples/plan_item.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("Cargo.toml"), "{}", text(&out.stderr));
}

#[test]
fn a_large_packet_gives_the_same_report_on_one_thread_and_two_from_file_and_stdin() {
    // About 3 MB: past the size at which checker threads take over the records.
    let records: Vec<String> = (0..12_000)
        .map(|i| {
            let name = if i % 997 == 0 {
                String::new()
            } else {
                format!("Закон № {i}")
            };
            format!(
                r#"{{"name_ru": "{name}", "accept_date": "01.07.2024", "download_url": "https://adilet.example/Z{i}"}}"#
            )
        })
        .collect();
    let packet = format!(
        r#"{{"header": {{"entity": "legal_act", "packet_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
          "sender_bin": "081140000436", "created_at": "01.02.2024 10:00"}}, "records": [{}]}}"#,
        records.join(",\n")
    );
    let dir = root().join("target/cli-test");
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let path = dir.join("large-legal-acts.json");
    std::fs::write(&path, &packet).expect("the packet is written");
    let file = path.to_string_lossy().into_owned();
    let two = tekser(&["check", "--format", "json", &file], None);
    assert_eq!(two.status.code(), Some(1), "{}", text(&two.stderr));
    assert!(text(&two.stdout).contains("\"rejected\""));
    let one = tekser(&["check", "--one-thread", "--format", "json", &file], None);
    assert_eq!(one.stdout, two.stdout);
    let piped = tekser(&["check", "--format", "json", "-"], Some(packet.as_bytes()));
    assert_eq!(
        text(&piped.stdout).replace("<stdin>", ""),
        text(&two.stdout).replace(&file, "")
    );
}

#[test]
fn verify_reports_each_signature_and_exits_by_verdict() {
    let eds = root().join("tests/eds");
    let path = |p: &str| eds.join(p).display().to_string();
    // A valid GOST 2015 signature at a time inside its certificate's validity (Astana time).
    let ok = tekser(
        &[
            "verify",
            &path("xml/gost2015_org_ceo_sign_2024.xml"),
            "--anchors",
            "test",
            "--at",
            "25.02.2025 00:23",
            "--lang",
            "en",
        ],
        None,
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    let out = text(&ok.stdout);
    assert!(out.contains("signature accepted"), "{out}");
    assert!(out.contains("#1 valid gost34102015-512"), "{out}");
    assert!(out.contains("IIN 123456789011, BIN 123456789021"), "{out}");
    // The same, later: expired (exit 1), with the finding's code and the canonical JSON.
    let late = tekser(
        &[
            "verify",
            &path("xml/gost2015_org_ceo_sign_2024.xml"),
            "--anchors",
            "test",
            "--at",
            "2026-01-01T00:00:00Z",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(late.status.code(), Some(1));
    let expected =
        std::fs::read_to_string(eds.join("expected/gost2015_org_ceo_sign_2024@2026-01-01.json")).expect("expected");
    // The expected report has all three languages and the manifest's anchors; the CLI's
    // Russian one with the shipped test set differs only there.
    let report: serde_json::Value = serde_json::from_slice(&late.stdout).expect("JSON");
    let expected: serde_json::Value = serde_json::from_str(&expected).expect("JSON");
    assert_eq!(report["signatures"][0]["signer"], expected["signatures"][0]["signer"]);
    assert_eq!(report["signatures"][0]["findings"][0]["code"], "certificate.expired");
    // A directory of anchors and a CRL; a usage error exits 2.
    let dir = tekser(
        &[
            "verify",
            &path("local/plan_item.signed.xml"),
            "--anchors",
            &path("local/anchors"),
            "--crl",
            &path("local/tekser_test_ca.crl"),
        ],
        None,
    );
    assert_eq!(dir.status.code(), Some(0), "{}", text(&dir.stdout));
    let bad = tekser(
        &["verify", &path("local/plan_item.signed.xml"), "--at", "yesterday"],
        None,
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("--at"), "{}", text(&bad.stderr));
}

#[test]
fn check_runs_the_signature_stage_of_a_signed_packet() {
    let eds = root().join("tests/eds");
    let path = |p: &str| eds.join(p).display().to_string();
    let anchors = path("local/anchors");
    // Tampered after signing: the data are fine, the signature stage refuses it.
    let tampered = tekser(
        &[
            "check",
            &path("local/plan_item.signed_tampered.xml"),
            "--anchors",
            &anchors,
            "--lang",
            "en",
        ],
        None,
    );
    assert_eq!(tampered.status.code(), Some(1));
    let out = text(&tampered.stdout);
    assert!(
        out.contains("signature.reference_mismatch") && out.contains("refused by: signature"),
        "{out}"
    );
    // A valid signature over a packet with a format-logical error: refused at that stage.
    let flk = tekser(
        &[
            "check",
            &path("local/plan_item.signed_flk_error.xml"),
            "--anchors",
            &anchors,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(flk.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&flk.stdout).expect("JSON");
    assert_eq!(report["refused_by"], "format_logical_control");
    assert_eq!(report["signature"]["status"], "accepted");
    // Signed and valid: accepted; an unsigned packet has no signature section unless required.
    let ok = tekser(
        &["check", &path("local/plan_item.signed.xml"), "--anchors", &anchors],
        None,
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
    let example = root().join("examples/plan_item.xml").display().to_string();
    let plain = tekser(&["check", &example, "--format", "json"], None);
    assert_eq!(plain.status.code(), Some(0));
    assert!(!text(&plain.stdout).contains("\"signature\""));
    let required = tekser(&["check", &example, "--signature", "require", "--lang", "en"], None);
    assert_eq!(required.status.code(), Some(1));
    assert!(text(&required.stdout).contains("signature.missing"));
}

#[test]
fn the_reply_carries_the_signature_result() {
    let eds = root().join("tests/eds");
    let path = |p: &str| eds.join(p).display().to_string();
    let tampered = tekser(
        &[
            "reply",
            &path("local/plan_item.signed_tampered.xml"),
            "--anchors",
            &path("local/anchors"),
            "--lang",
            "en",
        ],
        None,
    );
    assert_eq!(tampered.status.code(), Some(1), "{}", text(&tampered.stderr));
    let reply: serde_json::Value = serde_json::from_slice(&tampered.stdout).expect("JSON");
    assert_eq!(reply["status"], "error");
    assert_eq!(reply["signature"], "rejected");
    assert_eq!(reply["findings"][0]["code"], "signature.reference_mismatch");
    let ok = tekser(
        &[
            "reply",
            &path("local/plan_item.signed.xml"),
            "--anchors",
            &path("local/anchors"),
        ],
        None,
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
    let reply: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("JSON");
    assert_eq!(reply["signature"], "accepted");
}
