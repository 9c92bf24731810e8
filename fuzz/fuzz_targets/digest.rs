//! The packet digest (canonical form and SHA-256, and the GOST hashes) of any input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tekser::{Algorithm, Options};

fuzz_target!(|data: &[u8]| {
    let options = Options {
        entity: Some(tekser::Entity::Lot),
        ..Options::default()
    };
    for algorithm in [Algorithm::Sha256, Algorithm::Streebog256] {
        let _ = tekser::digest(data, &options, algorithm);
    }
});
