//! `cargo xtask fuzz [--minutes N] [--target NAME]`: runs the fuzz targets of `fuzz/`
//! (cargo-fuzz and libFuzzer, on the nightly toolchain), each for N minutes (default 1),
//! from a seed corpus made of the conformance corpus, the hostile corpus's files and the
//! examples. A crash stops the run with the input libFuzzer saved under
//! `fuzz/artifacts/<target>/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{output, root, run};

/// The targets in `fuzz/Cargo.toml`, and the corpus files that seed each.
const TARGETS: [(&str, &[&str]); 7] = [
    ("json_packet", &["json"]),
    ("xml_packet", &["xml"]),
    ("chunked_stream", &["json", "xml"]),
    ("digest", &["json", "xml"]),
    ("reply", &["reply.json", "reply.xml"]),
    ("dictionary_file", &["dictionaries"]),
    ("signature", &["eds"]),
];

/// cargo-fuzz from crates.io and the nightly toolchain, unless they are there.
fn setup() -> Result<(), String> {
    let (_, toolchains) = output("rustup", &["toolchain", "list"])?;
    if !toolchains.lines().any(|l| l.starts_with("nightly")) {
        run("rustup", &["toolchain", "install", "nightly", "--profile", "minimal"])?;
    }
    if !output("cargo", &["fuzz", "--version"]).is_ok_and(|(code, _)| code == 0) {
        run("cargo", &["install", "cargo-fuzz", "--locked"])?;
    }
    Ok(())
}

/// Every file under `dir` (recursively).
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The seed corpus of a target: corpus, hostile and example files whose path matches one of
/// `kinds` (an extension, a suffix, or a directory name), copied into a fresh directory.
fn seeds(target: &str, kinds: &[&str]) -> Result<PathBuf, String> {
    let dir = root().join("target/fuzz-corpus").join(target);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    files_under(&root().join("tests/corpus"), &mut files);
    files_under(&root().join("tests/hostile/files"), &mut files);
    files_under(&root().join("examples"), &mut files);
    files_under(&root().join("tests/eds/xml"), &mut files);
    files_under(&root().join("tests/eds/local"), &mut files);
    files_under(&root().join("tests/eds/derived"), &mut files);
    let mut n = 0;
    for file in files {
        let name = file.to_string_lossy();
        let wanted = kinds
            .iter()
            .any(|k| name.ends_with(&format!(".{k}")) || name.contains(&format!("/{k}/")) || name.ends_with(k));
        // Expected reports are outputs, not inputs.
        if wanted && !name.ends_with(".report.json") {
            n += 1;
            std::fs::copy(&file, dir.join(format!("seed-{n:04}"))).map_err(|e| e.to_string())?;
        }
    }
    eprintln!("xtask: fuzz {target}: {n} seed files");
    Ok(dir)
}

/// Runs the fuzz targets; prints each one's executions.
pub fn fuzz(args: &[String]) -> Result<(), String> {
    let value_of = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1));
    let minutes: f64 = match value_of("--minutes") {
        Some(m) => m.parse().map_err(|_| format!("--minutes: {m:?} is not a number"))?,
        None => 1.0,
    };
    let only = value_of("--target");
    if let Some(name) = only {
        if !TARGETS.iter().any(|(t, _)| t == name) {
            let names: Vec<&str> = TARGETS.iter().map(|(t, _)| *t).collect();
            return Err(format!("--target: {name:?} is not one of {names:?}"));
        }
    }
    setup()?;
    let seconds = (minutes * 60.0).round().max(1.0) as u64;
    let mut summary = Vec::new();
    for (target, kinds) in TARGETS {
        if only.is_some_and(|name| name != target) {
            continue;
        }
        let corpus = seeds(target, kinds)?;
        let corpus = corpus.to_string_lossy().into_owned();
        eprintln!("xtask: fuzz {target} for {seconds} s");
        let run = Command::new("cargo")
            .args(["+nightly", "fuzz", "run", target, &corpus, "--"])
            .arg(format!("-max_total_time={seconds}"))
            // A hostile input may take seconds and some memory, never more than this.
            .args(["-timeout=20", "-rss_limit_mb=2048", "-print_final_stats=1"])
            .current_dir(root())
            .output()
            .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
        let log = String::from_utf8_lossy(&run.stderr);
        let runs = log
            .lines()
            .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
            .map_or_else(|| "?".to_owned(), |n| n.trim().to_owned());
        if !run.status.success() {
            // From the panic or sanitizer report on, without the backtrace's frames.
            let lines: Vec<&str> = log.lines().collect();
            let from = lines
                .iter()
                .position(|l| l.contains("panicked at") || l.contains("ERROR: "))
                .unwrap_or(lines.len().saturating_sub(30));
            let tail: Vec<&str> = lines[from..].iter().copied().take(25).collect();
            return Err(format!(
                "fuzz target {target} failed after {runs} executions (its input is under fuzz/artifacts/{target}/):\n{}",
                tail.join("\n")
            ));
        }
        summary.push(format!("{target}: {runs} executions in {seconds} s, no crash"));
    }
    for line in &summary {
        println!("{line}");
    }
    Ok(())
}
