//! Reading a reply message (JSON or XML).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tekser::Reply::parse(data);
});
