//! An XML packet (SOAP envelopes included) validated whole (see `packet.rs`).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "packet.rs"]
mod packet;

fuzz_target!(|data: &[u8]| packet::validate_as(data, tekser::InputFormat::Xml));
