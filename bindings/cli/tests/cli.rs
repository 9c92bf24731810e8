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
