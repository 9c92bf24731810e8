//! The same outcome for any chunking: the first byte sets the chunk size, the rest is
//! pushed to a `PacketStream` in chunks of that size and must give the report (or the
//! error) of validating it whole.
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
    let size = usize::from(size.max(1));
    let options = Options {
        entity: Some(tekser::Entity::PlanItem),
        ..Options::default()
    };
    let whole = outcome(tekser::validate(input, &options), |r| r.to_json());
    let chunked = PacketStream::new(&options).and_then(|mut stream| {
        for chunk in input.chunks(size) {
            stream.push(chunk)?;
        }
        stream.finish()
    });
    let chunked = outcome(chunked, |r| r.to_json());
    assert_eq!(whole, chunked, "chunks of {size}");
});
