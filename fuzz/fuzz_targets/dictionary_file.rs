//! A dictionary file (`schemas/dictionary-file.schema.json`) applied to the built-in
//! rule set.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(catalog) = tekser::Catalog::get() {
        let _ = catalog.with_dictionaries(data);
    }
});
