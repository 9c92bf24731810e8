//! `cargo xtask …`: every build and test task of the project.
//!
//! - `setup`: installs what the build needs (the wasm32 target), idempotently.
//! - `test`: the whole suite: format, lints, unit and corpus tests, the wasm32 build, CLI acceptance.
//! - `bless`: rewrites the expected corpus reports from the engine (review the diff!).
//! - `corpus`: regenerates the corpus packets (python3) and blesses them.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup(),
        Some("test") => test(),
        Some("bless") => bless(),
        Some("corpus") => run("python3", &["tests/corpus/generate.py"]).and_then(|_| bless()),
        _ => {
            eprintln!("usage: cargo xtask <setup|test|bless|corpus>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(program: &str, args: &[&str]) -> Result<(), String> {
    eprintln!("xtask: $ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` exited with {status}",
            args.join(" ")
        ))
    }
}

fn output(program: &str, args: &[&str]) -> Result<(i32, String), String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(root())
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

fn setup() -> Result<(), String> {
    let (_, installed) = output("rustup", &["target", "list", "--installed"])?;
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        eprintln!("xtask: wasm32-unknown-unknown target already installed");
        Ok(())
    } else {
        run("rustup", &["target", "add", "wasm32-unknown-unknown"])
    }
}

fn test() -> Result<(), String> {
    setup()?;
    run("cargo", &["fmt", "--all", "--", "--check"])?;
    run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    run("cargo", &["test", "--workspace"])?;
    run(
        "cargo",
        &[
            "build",
            "-p",
            "tekser",
            "--target",
            "wasm32-unknown-unknown",
            "--release",
        ],
    )?;
    cli_acceptance()?;
    eprintln!("xtask: all checks passed");
    Ok(())
}

/// The acceptance checks through the real `tekser` binary.
fn cli_acceptance() -> Result<(), String> {
    run("cargo", &["build", "-q", "-p", "tekser-cli"])?;
    let exe = root().join("target/debug/tekser");
    let exe = exe.to_string_lossy();
    let (code, stdout) = output(&exe, &["check", "examples/plan_item.json"])?;
    if code != 0 || !stdout.contains(": accepted") {
        return Err(format!(
            "cli: examples/plan_item.json should be accepted (exit 0), got exit {code}:\n{stdout}"
        ));
    }
    let (code, stdout) = output(
        &exe,
        &[
            "check",
            "--format",
            "json",
            "examples/plan_item_three_findings.json",
        ],
    )?;
    let report: serde_json::Value =
        serde_json::from_str(&stdout).map_err(|e| format!("cli: report is not JSON: {e}"))?;
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let mut codes: Vec<&str> = findings.iter().filter_map(|f| f["code"].as_str()).collect();
    codes.sort_unstable();
    if code != 1
        || codes
            != [
                "bin.checksum",
                "dictionary.unknown_code",
                "plan.sum_mismatch",
            ]
    {
        return Err(format!("cli: the three-findings example should be rejected (exit 1) with exactly bin.checksum, dictionary.unknown_code, plan.sum_mismatch; got exit {code}, {codes:?}"));
    }
    for f in &findings {
        if f["record"].as_u64() != Some(0) || f["field"].as_str().is_none_or(str::is_empty) {
            return Err(format!(
                "cli: finding does not name the record and field: {f}"
            ));
        }
    }
    let (code, _) = output(&exe, &["check", "Cargo.toml"])?;
    if code != 2 {
        return Err(format!("cli: unusable input should exit 2, got {code}"));
    }
    eprintln!("xtask: cli acceptance: accepted example exit 0; three findings exit 1; unusable input exit 2");
    println!("cli acceptance: 3 passed, 0 failed");
    Ok(())
}

fn bless() -> Result<(), String> {
    let dir = root().join("tests/corpus");
    let manifest =
        std::fs::read_to_string(dir.join("manifest.json")).map_err(|e| format!("manifest: {e}"))?;
    let manifest: serde_json::Value =
        serde_json::from_str(&manifest).map_err(|e| format!("manifest: {e}"))?;
    let cases = manifest["cases"].as_array().cloned().unwrap_or_default();
    let mut written = 0;
    for case in cases {
        let Some(report_path) = case["report"].as_str() else {
            continue;
        };
        let packet = case["packet"].as_str().ok_or("case without packet")?;
        let bytes = std::fs::read(dir.join(packet)).map_err(|e| format!("{packet}: {e}"))?;
        let options = tekser::Options {
            entity: case["entity"]
                .as_str()
                .map(str::parse)
                .transpose()
                .map_err(|e| format!("{packet}: {e}"))?,
            lang: case["lang"]
                .as_str()
                .map(str::parse)
                .transpose()
                .map_err(|e| format!("{packet}: {e}"))?,
            ..tekser::Options::default()
        };
        let report = tekser::validate(&bytes, &options).map_err(|e| format!("{packet}: {e}"))?;
        std::fs::write(dir.join(report_path), report.to_json())
            .map_err(|e| format!("{report_path}: {e}"))?;
        written += 1;
    }
    eprintln!(
        "xtask: wrote {written} expected reports; review them with git diff before committing"
    );
    Ok(())
}
