//! Hot paths of the core, one at a time (`cargo bench -p tekser`): reading and checking a
//! packet as JSON and as XML, the digest alone, chunked streaming, and a flood of findings.
//! Packets of 500 plan items (well under the size at which a worker thread takes over),
//! built from the corpus's valid plan item with a distinct id per record.
//! The end-to-end figures against the peers are `cargo xtask bench`'s.

use criterion::{BatchSize, Criterion, Throughput};
use std::hint::black_box;

const RECORDS: usize = 500;
const TEMPLATE_ID: &str = "0f8fadbf-d9cb-469f-a165-708677289572";

fn corpus(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/corpus/plan_item")
        .join(name);
    std::fs::read_to_string(&path).expect("the corpus's valid plan item reads")
}

/// The text from the first `open` to the end of the record (the last `close`, of which
/// `kept` bytes belong to the record), and the text around it.
fn split_around<'t>(text: &'t str, open: &str, close: &str, kept: usize) -> (&'t str, &'t str, &'t str) {
    let start = text.find(open).expect("the record starts");
    let end = text.rfind(close).expect("the record ends") + kept;
    (&text[..start], &text[start..end], &text[end..])
}

/// The corpus packet with its one record repeated `RECORDS` times, each with its own id.
fn packet(name: &str, open: &str, close: &str, kept: usize, separator: &str) -> Vec<u8> {
    let text = corpus(name);
    let (before, record, after) = split_around(&text, open, close, kept);
    let records: Vec<String> = (0..RECORDS)
        .map(|i| record.replace(TEMPLATE_ID, &format!("{i:08x}-d9cb-469f-a165-708677289572")))
        .collect();
    format!("{before}{}{after}", records.join(separator)).into_bytes()
}

fn hot_paths(c: &mut Criterion) {
    let json = packet("valid.json", "{\n      \"id\"", "}\n  ]", 1, ",\n");
    let xml = packet("valid.xml", "<record>", "</record>", "</record>".len(), "\n");
    let options = tekser::Options::default();
    // The packets are what they claim: every record accepted.
    for input in [&json, &xml] {
        let report = tekser::validate(input, &options).expect("the bench packet reads");
        assert!(report.accepted(), "{}", report.to_text("bench packet"));
    }
    let mut group = c.benchmark_group("plan_items_500");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("validate_json", |b| {
        b.iter(|| tekser::validate(black_box(&json), &options))
    });
    group.bench_function("digest_json", |b| {
        b.iter(|| tekser::digest(black_box(&json), &options, tekser::Algorithm::Sha256))
    });
    group.bench_function("stream_json_4096", |b| {
        b.iter(|| {
            let mut stream = tekser::PacketStream::new(&options).expect("options");
            for chunk in json.chunks(4096) {
                stream.push(chunk).expect("reads");
            }
            stream.finish()
        })
    });
    group.bench_function("parse_json", |b| b.iter(|| tekser::parse(black_box(&json))));
    group.throughput(Throughput::Bytes(xml.len() as u64));
    group.bench_function("validate_xml", |b| {
        b.iter(|| tekser::validate(black_box(&xml), &options))
    });
    group.finish();

    // Every field of every record missing: the findings cap decides the cost.
    let empty = format!("[{}]", vec!["{}"; 20_000].join(","));
    let capped = tekser::Options {
        entity: Some(tekser::Entity::PlanItem),
        ..tekser::Options::default()
    };
    let mut group = c.benchmark_group("findings");
    group.bench_function("empty_records_20000", |b| {
        b.iter_batched(
            || empty.as_bytes(),
            |input| tekser::validate(input, &capped),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// What `criterion_main!` would write, without its undocumented group function.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    hot_paths(&mut criterion);
    criterion.final_summary();
}
