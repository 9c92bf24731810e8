//! Bad input gets a report or an error, never a panic or a hang: every corpus packet is
//! mutated many times (truncated, bytes flipped, spans repeated or dropped) and each
//! result must validate to `Ok(report)` whose JSON parses, or to `Err`.

use std::path::Path;

use tekser::{Error, Options};

/// A small deterministic generator (xorshift64*), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INTERESTING: [&[u8]; 12] = [
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b"<",
    b">",
    b"&",
    b"\xff",
    b"\\u0000",
    b"1e999",
    b"<!DOCTYPE x>",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(5) {
            0 => out.truncate(at),
            1 => {
                if at < out.len() {
                    out[at] = rng.next() as u8;
                }
            }
            2 => {
                let end = (at + rng.below(64)).min(out.len());
                let span = out[at..end].to_vec();
                out.splice(at..at, span);
            }
            3 => {
                let end = (at + rng.below(64)).min(out.len());
                out.drain(at..end);
            }
            _ => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(at..at, piece.iter().copied());
            }
        }
    }
    out
}

#[test]
fn mutated_corpus_packets_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let mut packets: Vec<_> = Vec::new();
    for entity in std::fs::read_dir(&dir).expect("corpus").flatten() {
        if entity.path().is_dir() {
            for file in std::fs::read_dir(entity.path()).expect("dir").flatten() {
                let name = file.file_name().to_string_lossy().into_owned();
                if (name.ends_with(".json") || name.ends_with(".xml")) && !name.ends_with(".report.json") {
                    packets.push(file.path());
                }
            }
        }
    }
    packets.sort();
    assert!(packets.len() > 100);
    let mut rng = Rng(0x7e45_e12d_u64);
    let (mut reports, mut errors) = (0, 0);
    for path in &packets {
        let bytes = std::fs::read(path).expect("packet");
        for round in 0..150 {
            let mutated = mutate(&mut rng, &bytes);
            let options = Options {
                lang: None,
                entity: Some(tekser::Entity::PlanItem),
                ..Options::default()
            };
            // The other readers never panic on the same bytes either.
            let _ = tekser::Reply::parse(&mutated);
            let _ = tekser::PacketDigest::from_json(&mutated);
            let digest = tekser::digest(&mutated, &options, tekser::Algorithm::Sha256);
            match tekser::validate(&mutated, &options) {
                Ok(report) => {
                    let json = report.to_json();
                    assert!(
                        serde_json::from_str::<serde_json::Value>(&json).is_ok(),
                        "{} round {round}: report is not JSON",
                        path.display()
                    );
                    // The digest streamed while validating equals the digest API's and the
                    // hash of the canonical form of the parsed tree.
                    if let Ok(tree) = tekser::canonical_form(&mutated, &options) {
                        assert_eq!(
                            report.digest.as_deref(),
                            Some(tekser::Algorithm::Sha256.digest(tree.as_bytes()).as_str()),
                            "{} round {round}: streamed and tree digests differ",
                            path.display()
                        );
                    }
                    if let Ok(d) = &digest {
                        assert_eq!(
                            report.digest.as_deref(),
                            Some(d.digest.as_str()),
                            "{} round {round}: streamed and tree digests differ:\n{}",
                            path.display(),
                            String::from_utf8_lossy(&mutated)
                        );
                    }
                    reports += 1;
                }
                Err(Error::Catalog(e)) => panic!("catalog error on input: {e}"),
                Err(_) => errors += 1,
            }
        }
    }
    eprintln!("mutations: {reports} reports, {errors} API errors");
    assert!(reports > 0 && errors > 0);
}

#[test]
fn deep_json_nesting_is_an_error() {
    let options = Options {
        entity: Some(tekser::Entity::Lot),
        ..Options::default()
    };
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        tekser::validate(deep.as_bytes(), &options),
        Err(Error::Json { .. })
    ));
    let deep = format!("[{}{}]", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    assert!(matches!(
        tekser::validate(deep.as_bytes(), &options),
        Err(Error::Json { .. })
    ));
    // Brackets inside strings do not count.
    let text = format!("[{{\"id\": \"{}\"}}]", "[".repeat(1000));
    assert!(tekser::validate(text.as_bytes(), &options).is_ok());
}

#[test]
fn a_record_with_very_many_keys_is_checked_in_reasonable_time() {
    let keys: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\": {i}")).collect();
    let text = format!("[{{{}}}]", keys.join(","));
    let options = Options {
        entity: Some(tekser::Entity::Lot),
        ..Options::default()
    };
    let report = tekser::validate(text.as_bytes(), &options).expect("readable");
    assert_eq!(
        report.count(tekser::Severity::Warning),
        100_000,
        "every unknown key is a warning"
    );
}

/// Inputs that fuzzing found (`cargo xtask fuzz`), kept in `tests/hostile/fuzz/` as the
/// target saw them: for `chunked_stream-*` the first byte is a chunk size and the rest the
/// input. Each must give the outcome of validating it whole in chunks of 1, 7, 4096 and
/// that size; every other must validate without a panic.
#[test]
fn inputs_found_by_fuzzing_keep_their_fix() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/hostile/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/hostile/fuzz") {
        let path = entry.expect("an entry").path();
        let data = std::fs::read(&path).expect("the input reads");
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut options = Options {
            entity: Some(tekser::Entity::PlanItem),
            ..Options::default()
        };
        let outcome = |r: Result<tekser::Report, Error>| match r {
            Ok(report) => report.to_json(),
            Err(e) => format!("error {}: {e}", e.kind()),
        };
        if let Some((&size, input)) = data.split_first().filter(|_| name.starts_with("chunked_stream-")) {
            // As the fuzz target reads its first byte: the chunk size, and small limits.
            let size = size & 0x7f;
            if data[0] & 0x80 != 0 {
                options.max_record_bytes = 100 + usize::from(size.max(1)) * 8;
                options.max_records = u64::from(size.max(1) % 7);
            }
            let whole = outcome(tekser::validate(input, &options));
            for chunk in [1, 7, 4096, usize::from(size.max(1))] {
                let chunked = tekser::PacketStream::new(&options).and_then(|mut stream| {
                    for piece in input.chunks(chunk) {
                        stream.push(piece)?;
                    }
                    stream.finish()
                });
                assert_eq!(outcome(chunked), whole, "{name} in chunks of {chunk}");
            }
        } else {
            let _ = outcome(tekser::validate(&data, &options));
        }
        seen += 1;
    }
    assert!(seen > 0, "no inputs in {}", dir.display());
}
