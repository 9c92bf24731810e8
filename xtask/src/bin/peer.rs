//! The peers `cargo xtask bench` measures tekser against, on the same files:
//!
//! - `peer serde FILE`: serde_json parses the file into a tree (parse only);
//! - `peer jsonschema SCHEMA FILE`: serde_json parse, then the `jsonschema` crate checks
//!   the tree against `schemas/SCHEMA` (structural rules only: no check digits, no sums).
//!
//! Each prints one line (what it found) so that the work cannot be optimised away.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["serde", file] => parse(file).map(|v| format!("parsed: {} top-level members", members(&v))),
        ["jsonschema", schema, file] => jsonschema_check(schema, file),
        _ => Err("usage: peer serde FILE | peer jsonschema SCHEMA FILE".to_owned()),
    };
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("peer: {e}");
            ExitCode::from(2)
        }
    }
}

fn members(value: &serde_json::Value) -> usize {
    value.as_object().map_or(0, serde_json::Map::len)
}

fn parse(file: &str) -> Result<serde_json::Value, String> {
    let reader = std::io::BufReader::new(std::fs::File::open(file).map_err(|e| format!("{file}: {e}"))?);
    serde_json::from_reader(reader).map_err(|e| format!("{file}: {e}"))
}

fn jsonschema_check(schema: &str, file: &str) -> Result<String, String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let mut builder = jsonschema::Registry::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir).map_err(|e| e.to_string())?.flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if !path.to_string_lossy().ends_with(".schema.json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let id = doc["$id"].as_str().ok_or("a schema without $id")?.to_owned();
        builder = builder.add(id, doc).map_err(|e| e.to_string())?;
    }
    let registry = builder.prepare().map_err(|e| e.to_string())?;
    let validator = jsonschema::options()
        .with_registry(&registry)
        .build(&serde_json::json!({ "$ref": format!("https://tekser.example/schemas/eoz-2019/{schema}") }))
        .map_err(|e| e.to_string())?;
    let instance = parse(file)?;
    Ok(format!("structurally valid: {}", validator.is_valid(&instance)))
}
