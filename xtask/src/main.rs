//! `cargo xtask …`: every build and test task of the project.
//!
//! - `setup`: installs what the build needs (the wasm32 target), idempotently.
//! - `test`: the whole suite: format, lints, unit and corpus tests, the wasm32 build, CLI acceptance.
//! - `bless`: rewrites the expected corpus reports from the engine (review the diff!).
//! - `corpus`: regenerates the corpus packets (python3) and blesses them.
//! - `catalog`: rewrites `schemas/RULES.md` from the catalog files (`test` checks it is fresh).
//! - `build-wasm`: the WebAssembly package (`target/wasm-pkg`) and the demo's copy of it.
//! - `typings`: rewrites the committed TypeScript typings (`test` checks they are fresh).
//! - `serve-demo [PORT]`: serves `web-demo/` on localhost (default port 8080).
//! - `python` / `node`: builds and tests one host package on its own.
//! - `bench [--quick] [--records N,…] [--runs N]`: throughput and peak memory on every host
//!   against peers measured in the same run (see `bench.rs`).
//! - `stream-modes`: every way `tests/bench/wasm-stream.mjs` validates gives one report
//!   (part of `test`).
//! - `fuzz [--minutes N] [--target NAME]`: the fuzz targets of `fuzz/` (see `fuzz.rs`).
//! - `hostile`: the hostile corpus through the release CLI, each case within 20 s and
//!   256 MiB, exit 1 or 2 (part of `test`; see `hostile.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod bench;
mod fuzz;
mod hostile;
mod hosts;
mod wasm;

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
        Some("catalog") => write_catalog(),
        Some("build-wasm") => wasm::build(),
        Some("typings") => wasm::write_typings(),
        Some("python") => hosts::python(),
        Some("node") => hosts::node(),
        Some("serve-demo") => wasm::serve_demo(args.get(1).map_or("8080", String::as_str)),
        Some("bench") => bench::bench(&args[1..]),
        Some("stream-modes") => bench::stream_modes_test(),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("hostile") => hostile::cli(),
        _ => {
            eprintln!(
                "usage: cargo xtask <setup|test|bless|corpus|catalog|build-wasm|typings|serve-demo [PORT]|python|node|bench [--quick] [--records N,…] [--runs N]|stream-modes|fuzz [--minutes N] [--target NAME]|hostile>"
            );
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
    run_with_env(program, args, &[])
}

fn run_with_env(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let shown: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    eprintln!("xtask: $ {}{program} {}", shown.concat(), args.join(" "));
    // What the steps print goes to stderr with xtask's own lines, so that stdout holds
    // only what a command produces (the bench's table).
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .stdout(std::process::Stdio::from(std::io::stderr()))
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` exited with {status}", args.join(" ")))
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
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        eprintln!("xtask: wasm32-unknown-unknown target already installed");
        Ok(())
    } else {
        run("rustup", &["target", "add", "wasm32-unknown-unknown"])
    }
}

fn test() -> Result<(), String> {
    setup()?;
    check_catalog_fresh()?;
    run("cargo", &["fmt", "--all", "--", "--check"])?;
    run_with_env(
        "cargo",
        &["doc", "-q", "-p", "tekser", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    run(
        "cargo",
        &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
    )?;
    run("cargo", &["test", "--workspace"])?;
    // The canonical form, re-implemented from schemas/CANONICAL.md alone, agrees with core.
    run("python3", &["tests/corpus/canonical_check.py"])?;
    cli_acceptance()?;
    hostile::cli()?;
    // WebAssembly: the package, its typings, the corpus through it in Node, the core's unit
    // tests inside wasm, and the demo page in headless Chromium.
    wasm::build()?;
    wasm::check_typings()?;
    wasm::node_corpus()?;
    bench::stream_modes_test()?;
    wasm::core_tests_in_wasm()?;
    wasm::browser_test()?;
    // Python and Node: built as a user would, the corpus and API suites.
    hosts::python()?;
    hosts::node()?;
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
        &["check", "--format", "json", "examples/plan_item_three_findings.json"],
    )?;
    let report: serde_json::Value =
        serde_json::from_str(&stdout).map_err(|e| format!("cli: report is not JSON: {e}"))?;
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let mut codes: Vec<&str> = findings.iter().filter_map(|f| f["code"].as_str()).collect();
    codes.sort_unstable();
    if code != 1 || codes != ["bin.checksum", "dictionary.unknown_code", "plan.sum_mismatch"] {
        return Err(format!("cli: the three-findings example should be rejected (exit 1) with exactly bin.checksum, dictionary.unknown_code, plan.sum_mismatch; got exit {code}, {codes:?}"));
    }
    for f in &findings {
        if f["record"].as_u64() != Some(0) || f["field"].as_str().is_none_or(str::is_empty) {
            return Err(format!("cli: finding does not name the record and field: {f}"));
        }
    }
    let (code, _) = output(&exe, &["check", "Cargo.toml"])?;
    if code != 2 {
        return Err(format!("cli: unusable input should exit 2, got {code}"));
    }
    // Issue 3: digests of the JSON and XML forms agree for every algorithm.
    for alg in ["sha256", "streebog256", "streebog512", "gost34311"] {
        let (code, stdout) = output(
            &exe,
            &[
                "digest",
                "--alg",
                alg,
                "examples/plan_item.json",
                "examples/plan_item.xml",
            ],
        )?;
        let digests: Vec<&str> = stdout.lines().filter_map(|l| l.split_whitespace().next()).collect();
        if code != 0 || digests.len() != 2 || digests[0] != digests[1] || !digests[0].starts_with(alg) {
            return Err(format!(
                "cli: digest --alg {alg} of the JSON and XML example differ or failed (exit {code}):\n{stdout}"
            ));
        }
    }
    // A dataset with a lot pointing to a missing announcement is rejected, naming both sides.
    let dir = "tests/corpus/dataset/lot-missing-announcement";
    let files: Vec<String> = ["plan_item", "lot", "result", "contract"]
        .iter()
        .map(|e| format!("{dir}/{e}.json"))
        .collect();
    let mut args = vec!["check", "--dataset", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let (code, stdout) = output(&exe, &args)?;
    let report: serde_json::Value =
        serde_json::from_str(&stdout).map_err(|e| format!("cli: dataset report is not JSON: {e}"))?;
    let finding = &report["findings"][0];
    if code != 1
        || report["status"] != "rejected"
        || finding["code"] != "dataset.reference_missing"
        || finding["path"] != "/records/0/tender_id"
        || finding["related"]["entity"] != "announcement"
    {
        return Err(format!("cli: the dataset without its announcement should be rejected with dataset.reference_missing naming the lot and the announcement; got exit {code}:\n{stdout}"));
    }
    // diff of two per-record lists that differ in one record names exactly that record.
    let tmp = root().join("target/xtask-acceptance");
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let mut lists = Vec::new();
    for (packet, name) in [
        ("tests/corpus/digest/lots.json", "ours.json"),
        ("tests/corpus/digest/lots.theirs.json", "theirs.json"),
    ] {
        let (code, stdout) = output(&exe, &["digest", "--per-record", packet])?;
        if code != 0 {
            return Err(format!("cli: digest --per-record {packet} failed (exit {code})"));
        }
        let path = tmp.join(name);
        std::fs::write(&path, stdout).map_err(|e| e.to_string())?;
        lists.push(path.to_string_lossy().into_owned());
    }
    let (code, stdout) = output(&exe, &["diff", "--format", "json", &lists[0], &lists[1]])?;
    let comparison: serde_json::Value =
        serde_json::from_str(&stdout).map_err(|e| format!("cli: diff output is not JSON: {e}"))?;
    if code != 1
        || comparison["changed"] != serde_json::json!(["0f8fae24-d9cb-469f-a165-7086772895d7"])
        || comparison["only_ours"] != serde_json::json!([])
        || comparison["only_theirs"] != serde_json::json!([])
    {
        return Err(format!(
            "cli: diff should name exactly the second lot; got exit {code}:\n{stdout}"
        ));
    }
    eprintln!("xtask: cli acceptance: accepted example exit 0; three findings exit 1; unusable input exit 2; JSON/XML digests equal for 4 algorithms; dataset missing announcement rejected; diff names the one changed record");
    println!("cli acceptance: 6 passed, 0 failed");
    Ok(())
}

fn bless() -> Result<(), String> {
    let dir = root().join("tests/corpus");
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).map_err(|e| format!("manifest: {e}"))?;
    let manifest: serde_json::Value = serde_json::from_str(&manifest).map_err(|e| format!("manifest: {e}"))?;
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
            max_findings: case["max_findings"]
                .as_u64()
                .map_or(tekser::DEFAULT_MAX_FINDINGS, |n| n as usize),
            ..tekser::Options::default()
        };
        let report = match case["dictionaries"].as_str() {
            Some(file) => {
                let catalog = tekser::Catalog::get()
                    .and_then(|c| c.with_dictionaries(&std::fs::read(dir.join(file)).unwrap_or_default()))
                    .map_err(|e| format!("{file}: {e}"))?;
                tekser::validate_with(&catalog, &bytes, &options)
            }
            None => tekser::validate(&bytes, &options),
        }
        .map_err(|e| format!("{packet}: {e}"))?;
        std::fs::write(dir.join(report_path), report.to_json()).map_err(|e| format!("{report_path}: {e}"))?;
        written += 1;
    }
    eprintln!("xtask: wrote {written} expected reports; review them with git diff before committing");
    bless_integrity(&dir, &manifest)?;
    bless_datasets(&dir, &manifest)
}

fn read_corpus(dir: &Path, relative: &str) -> Result<Vec<u8>, String> {
    std::fs::read(dir.join(relative)).map_err(|e| format!("{relative}: {e}"))
}

fn write_corpus(dir: &Path, relative: &str, text: &str) -> Result<(), String> {
    if let Some(parent) = dir.join(relative).parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{relative}: {e}"))?;
    }
    std::fs::write(dir.join(relative), text).map_err(|e| format!("{relative}: {e}"))
}

/// Digest vectors (every algorithm, from the group's first packet), diffs and replies.
fn bless_integrity(dir: &Path, manifest: &serde_json::Value) -> Result<(), String> {
    let options = tekser::Options::default();
    let mut written = 0;
    for group in manifest["digests"].as_array().into_iter().flatten() {
        let first = group["packets"][0].as_str().ok_or("digest group without packets")?;
        let bytes = read_corpus(dir, first)?;
        let mut digests = serde_json::Map::new();
        let mut roots = serde_json::Map::new();
        let mut records = serde_json::Value::Null;
        for algorithm in tekser::Algorithm::ALL {
            let d = tekser::digest(&bytes, &options, algorithm).map_err(|e| format!("{first}: {e}"))?;
            digests.insert(algorithm.as_str().into(), d.digest.clone().into());
            roots.insert(algorithm.as_str().into(), d.root.clone().into());
            if algorithm == tekser::Algorithm::Sha256 {
                records = serde_json::from_str(&d.to_json()).map_err(|e| e.to_string())?;
            }
        }
        let doc = serde_json::json!({"digest": digests, "root": roots, "records": records["records"]});
        let expected = group["expected"].as_str().ok_or("digest group without expected")?;
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
        write_corpus(dir, expected, &text)?;
        written += 1;
    }
    for diff in manifest["diffs"].as_array().into_iter().flatten() {
        let list = |key: &str| -> Result<tekser::PacketDigest, String> {
            let rel = diff[key].as_str().ok_or("diff without packets")?;
            tekser::digest(&read_corpus(dir, rel)?, &options, tekser::Algorithm::Sha256)
                .map_err(|e| format!("{rel}: {e}"))
        };
        let comparison = if diff["packets"].as_bool() == Some(true) {
            let ours = read_corpus(dir, diff["ours"].as_str().ok_or("diff without ours")?)?;
            let theirs = read_corpus(dir, diff["theirs"].as_str().ok_or("diff without theirs")?)?;
            tekser::compare_packets(&ours, &theirs, &options, tekser::Algorithm::Sha256).map_err(|e| e.to_string())?
        } else {
            tekser::compare(&list("ours")?, &list("theirs")?).map_err(|e| e.to_string())?
        };
        write_corpus(
            dir,
            diff["expected"].as_str().ok_or("diff without expected")?,
            &comparison.to_json(),
        )?;
        written += 1;
    }
    for reply in manifest["replies"].as_array().into_iter().flatten() {
        let rel = reply["packet"].as_str().ok_or("reply without packet")?;
        let report = tekser::validate(&read_corpus(dir, rel)?, &options).map_err(|e| format!("{rel}: {e}"))?;
        let replied_at = match reply["replied_at"].as_str() {
            Some(t) => Some(tekser::LocalDateTime::parse(t).map_err(|_| format!("{rel}: replied_at {t:?}"))?),
            None => None,
        };
        let message = tekser::Reply::from_report(&report, replied_at).map_err(|e| format!("{rel}: {e}"))?;
        let text = match reply["format"].as_str() {
            Some("xml") => message.to_xml(),
            _ => message.to_json(),
        };
        write_corpus(dir, reply["reply"].as_str().ok_or("reply without file")?, &text)?;
        written += 1;
    }
    eprintln!("xtask: wrote {written} digest vectors, diffs and replies");
    Ok(())
}

/// Dataset reports (all three languages, like the corpus default).
fn bless_datasets(dir: &Path, manifest: &serde_json::Value) -> Result<(), String> {
    let mut written = 0;
    for case in manifest["datasets"].as_array().into_iter().flatten() {
        let mut dataset = tekser::Dataset::new(tekser::Options {
            lang: None,
            ..tekser::Options::default()
        });
        for rel in case["packets"].as_array().into_iter().flatten() {
            let rel = rel.as_str().ok_or("dataset packet is not a path")?;
            dataset
                .add(rel, &read_corpus(dir, rel)?)
                .map_err(|e| format!("{rel}: {e}"))?;
        }
        let report = dataset.finish();
        write_corpus(
            dir,
            case["report"].as_str().ok_or("dataset without report")?,
            &report.to_json(),
        )?;
        written += 1;
    }
    eprintln!("xtask: wrote {written} dataset reports");
    Ok(())
}

fn read_json(relative: &str) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(root().join(relative)).map_err(|e| format!("{relative}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{relative}: {e}"))
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Renders the rule catalog, field kinds, dictionaries and errata as one Markdown page.
fn render_catalog() -> Result<String, String> {
    let rules = read_json("schemas/rules.json")?;
    let kinds = read_json("schemas/kinds.schema.json")?;
    let dictionaries = read_json("schemas/dictionaries.schema.json")?;
    let errata = read_json("schemas/errata.json")?;
    let mut out = String::new();
    out.push_str("<!-- Generated by `cargo xtask catalog` from rules.json, kinds.schema.json, dictionaries.schema.json and errata.json. Do not edit. -->\n");
    out.push_str(&format!(
        "# Rule catalog — rule set `{}`\n\n",
        rules["rule_set"].as_str().unwrap_or("")
    ));
    out.push_str(&format!("{}\n\n", rules["title"].as_str().unwrap_or("")));
    out.push_str(&format!("{}\n\n", rules["description"].as_str().unwrap_or("")));
    let rule_sets = read_json("schemas/rule-sets.json")?;
    out.push_str("## Rule sets\n\n| name | regulation | applies from | until |\n|---|---|---|---|\n");
    for set in rule_sets["rule_sets"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            set["name"].as_str().unwrap_or(""),
            cell(set["title"].as_str().unwrap_or("")),
            set["applies_from"].as_str().unwrap_or(""),
            set["applies_until"].as_str().unwrap_or("—")
        ));
    }
    out.push_str(&format!("\n{}\n\n", cell(rule_sets["$comment"].as_str().unwrap_or(""))));
    out.push_str(
        "## Finding codes\n\n| code | severity | in JSON Schema | what it means | clause |\n|---|---|---|---|---|\n",
    );
    for rule in rules["rules"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            rule["code"].as_str().unwrap_or(""),
            rule["severity"].as_str().unwrap_or(""),
            if rule["structural"].as_bool() == Some(true) {
                "yes"
            } else {
                "no"
            },
            cell(rule["title"].as_str().unwrap_or("")),
            match rule["errata"].as_str() {
                Some(id) => format!("{} (errata `{id}`)", cell(rule["clause"].as_str().unwrap_or(""))),
                None => cell(rule["clause"].as_str().unwrap_or("")),
            },
        ));
    }
    out.push_str("\nMessages in Russian, Kazakh and English are in `rules.json`; `tekser explain CODE` prints them.\n");
    out.push_str(
        "\n## Phrases (values of {reason}, and the suggestion suffix)\n\n| key | ru | kk | en |\n|---|---|---|---|\n",
    );
    if let Some(phrases) = rules["phrases"].as_object() {
        for (key, texts) in phrases {
            out.push_str(&format!(
                "| `{key}` | {} | {} | {} |\n",
                cell(texts["ru"].as_str().unwrap_or("")),
                cell(texts["kk"].as_str().unwrap_or("")),
                cell(texts["en"].as_str().unwrap_or("")),
            ));
        }
    }
    out.push_str("\n## Field kinds\n\n| kind | rule |\n|---|---|\n");
    if let Some(defs) = kinds["$defs"].as_object() {
        for (name, def) in defs {
            out.push_str(&format!(
                "| `{name}` | {} |\n",
                cell(def["description"].as_str().unwrap_or(""))
            ));
        }
    }
    out.push_str("\n## Dictionaries\n\n| name | title | codes |\n|---|---|---|\n");
    if let Some(defs) = dictionaries["$defs"].as_object() {
        for (name, def) in defs {
            // Entries are the `const` items; an integer `enum` item repeats the codes as numbers.
            let entries = def["anyOf"].as_array().into_iter().flatten();
            let count = entries.filter(|e| e.get("const").is_some()).count();
            out.push_str(&format!(
                "| `{name}` | {} | {count} |\n",
                cell(def["title"].as_str().unwrap_or(""))
            ));
        }
    }
    out.push_str("\n## Errata: where the regulation is ambiguous, and the choice made\n\n| id | where | the regulation says | choice |\n|---|---|---|---|\n");
    for e in errata["errata"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            e["id"].as_str().unwrap_or(""),
            cell(e["where"].as_str().unwrap_or("")),
            cell(e["regulation_says"].as_str().unwrap_or("")),
            cell(e["choice"].as_str().unwrap_or("")),
        ));
    }
    Ok(out)
}

fn write_catalog() -> Result<(), String> {
    let text = render_catalog()?;
    std::fs::write(root().join("schemas/RULES.md"), text).map_err(|e| format!("schemas/RULES.md: {e}"))?;
    eprintln!("xtask: wrote schemas/RULES.md");
    Ok(())
}

fn check_catalog_fresh() -> Result<(), String> {
    let expected = render_catalog()?;
    let actual = std::fs::read_to_string(root().join("schemas/RULES.md")).unwrap_or_default();
    if actual != expected {
        return Err("schemas/RULES.md is stale: run `cargo xtask catalog` and commit it".to_owned());
    }
    eprintln!("xtask: schemas/RULES.md is fresh");
    Ok(())
}
