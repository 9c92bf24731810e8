//! The hostile corpus on the Rust host: every case of `tests/hostile/manifest.json`
//! (entities, DOCTYPEs, SOAP tricks, bad encodings, NULs, surrogates, duplicate keys,
//! extreme numbers, truncation, 64 MB strings, 100 000-deep nesting, a million copies of a
//! record, limits) streamed through [`PacketStream`] in chunks, and small ones also given
//! whole, must end in its expected report (byte for byte) or error (kind and fields).
//! `TEKSER_BLESS=1` writes the expected reports instead (review them before committing).

mod common;

use tekser::{Error, Lang, Options, PacketStream};

/// One case's input, generated as it is streamed: no case is ever held whole here.
struct Input {
    parts: Vec<(Vec<u8>, u64)>,
}

impl Input {
    fn of(case: &serde_json::Value) -> Input {
        let dir = common::root().join("tests/hostile");
        if let Some(file) = case["file"].as_str() {
            let bytes = std::fs::read(dir.join(file)).expect("a hostile input file is readable");
            return Input {
                parts: vec![(bytes, 1)],
            };
        }
        let parts = case["parts"]
            .as_array()
            .expect("a case has a file or parts")
            .iter()
            .map(|p| match p {
                serde_json::Value::String(text) => (text.as_bytes().to_vec(), 1),
                other => (
                    other["repeat"].as_str().expect("repeat").as_bytes().to_vec(),
                    other["times"].as_u64().expect("times"),
                ),
            })
            .collect();
        Input { parts }
    }

    fn len(&self) -> u64 {
        self.parts.iter().map(|(b, n)| b.len() as u64 * n).sum()
    }

    /// Calls `each` with chunks of about `size` bytes, in order.
    fn chunks(&self, size: usize, mut each: impl FnMut(&[u8]) -> Result<(), Error>) -> Result<(), Error> {
        let mut buf = Vec::with_capacity(size * 2);
        for (bytes, times) in &self.parts {
            for _ in 0..*times {
                buf.extend_from_slice(bytes);
                while buf.len() >= size {
                    each(&buf[..size])?;
                    buf.drain(..size);
                }
            }
        }
        if !buf.is_empty() {
            each(&buf)?;
        }
        Ok(())
    }

    fn whole(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (bytes, times) in &self.parts {
            for _ in 0..*times {
                out.extend_from_slice(bytes);
            }
        }
        out
    }
}

fn options_of(case: &serde_json::Value) -> Options {
    let o = &case["options"];
    let defaults = Options::default();
    Options {
        entity: o["entity"]
            .as_str()
            .map(|e| e.parse().expect("manifest entity is known")),
        lang: match o["lang"].as_str() {
            None | Some("all") => None,
            Some(l) => Some(l.parse::<Lang>().expect("manifest lang is known")),
        },
        max_findings: o["max_findings"].as_u64().map_or(defaults.max_findings, |n| n as usize),
        max_record_bytes: o["max_record_bytes"]
            .as_u64()
            .map_or(defaults.max_record_bytes, |n| n as usize),
        max_records: o["max_records"].as_u64().unwrap_or(defaults.max_records),
        ..Options::default()
    }
    .with_max_input_bytes(o["max_input_bytes"].as_u64())
}

/// An outcome as the manifest states it: the report's JSON, or `error <kind> <fields>`
/// with only the fields the case names.
fn outcome(result: Result<String, Error>, case: &serde_json::Value) -> String {
    match result {
        Ok(report) => report,
        Err(e) => {
            let mut text = format!("error {}", e.kind());
            if let Some(wanted) = case["fields"].as_object() {
                let fields = e.fields();
                for name in wanted.keys() {
                    let value = fields.iter().find(|(n, _)| n == name).map(|(_, v)| match v {
                        tekser::Value::Number(n) | tekser::Value::Text(n) => n.clone(),
                        other => format!("{other:?}"),
                    });
                    text.push_str(&format!(" {name}={}", value.unwrap_or_else(|| "(none)".to_owned())));
                }
            }
            text
        }
    }
}

fn expected(case: &serde_json::Value) -> String {
    if let Some(kind) = case["error"].as_str() {
        let mut text = format!("error {kind}");
        if let Some(wanted) = case["fields"].as_object() {
            for (name, value) in wanted {
                let value = match value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                text.push_str(&format!(" {name}={value}"));
            }
        }
        return text;
    }
    let path = common::root()
        .join("tests/hostile")
        .join(case["report"].as_str().expect("a report or an error"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| format!("(cannot read {}: {e})", path.display()))
}

fn streamed(input: &Input, options: &Options, size: usize) -> Result<String, Error> {
    let mut stream = PacketStream::new(options)?;
    input.chunks(size, |chunk| stream.push(chunk))?;
    Ok(stream.finish()?.to_json())
}

#[test]
fn every_hostile_case_ends_as_expected() {
    let text = std::fs::read_to_string(common::root().join("tests/hostile/manifest.json")).expect("manifest");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    let bless = std::env::var_os("TEKSER_BLESS").is_some();
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in manifest["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let input = Input::of(case);
        let options = options_of(case);
        let want = expected(case);
        let mut runs: Vec<(String, String)> = vec![(
            "streamed in chunks of 64 KiB".to_owned(),
            outcome(streamed(&input, &options, 64 * 1024), case),
        )];
        if input.len() <= 1 << 20 {
            runs.push((
                "streamed in chunks of 7".to_owned(),
                outcome(streamed(&input, &options, 7), case),
            ));
            let whole = tekser::validate(&input.whole(), &options).map(|r| r.to_json());
            runs.push(("given whole".to_owned(), outcome(whole, case)));
        }
        if bless {
            if let (Some(report), Some((_, got))) = (case["report"].as_str(), runs.first()) {
                if !got.starts_with("error ") {
                    std::fs::write(common::root().join("tests/hostile").join(report), got).expect("bless");
                }
            }
            continue;
        }
        for (how, got) in runs {
            ran += 1;
            if got != want {
                failures.push(format!(
                    "host rust: hostile case {name} ({how}): expected {}, got {}",
                    &want[..want.len().min(200)],
                    &got[..got.len().min(200)]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
