//! The same outcome for any chunking: the first byte sets the chunk size (its low seven
//! bits) and whether the limits are small (its high bit: records of at most a few hundred
//! bytes, a few records, so that the limits' errors are reached too); the rest is pushed to
//! a `PacketStream` in chunks of that size and must give the report (or the error) of
//! validating it whole.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tekser::{Options, PacketStream};

fn outcome<T>(result: Result<T, tekser::Error>, show: impl Fn(T) -> String) -> String {
    match result {
        Ok(value) => show(value),
        Err(e) => format!("error {}: {e}", e.kind()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&size, input)) = data.split_first() else {
        return;
    };
    let small = size & 0x80 != 0;
    let size = usize::from((size & 0x7f).max(1));
    let mut options = Options {
        entity: Some(tekser::Entity::PlanItem),
        ..Options::default()
    };
    if small {
        options.max_record_bytes = 100 + size * 8;
        options.max_records = (size % 7) as u64;
    }
    let whole = outcome(tekser::validate(input, &options), |r| r.to_json());
    let chunked = PacketStream::new(&options).and_then(|mut stream| {
        for chunk in input.chunks(size) {
            stream.push(chunk)?;
        }
        stream.finish()
    });
    let chunked = outcome(chunked, |r| r.to_json());
    assert_eq!(whole, chunked, "chunks of {size}, small limits: {small}");
});
