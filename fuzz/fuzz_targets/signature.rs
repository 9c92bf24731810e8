//! Verifying the signatures of a document: any bytes give a report or an error, never a
//! panic, and the same from memory as from a reader of a few bytes at a time (the
//! streamed C14N sees the document cut anywhere).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = tekser::signature::VerifyOptions {
        anchors: tekser::signature::Anchors::Test,
        at: Some(1_590_969_600), // 2020-06-01T00:00:00Z
        ..Default::default()
    };
    let whole = tekser::signature::verify(data, &options);
    let streamed = tekser::signature::verify_source(|| Ok(std::io::BufReader::with_capacity(7, data)), &options);
    match (whole, streamed) {
        (Ok(a), Ok(b)) => assert_eq!(a.to_json(), b.to_json()),
        (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind()),
        (a, b) => panic!("whole {:?} but streamed {:?}", a.map(|r| r.status), b.map(|r| r.status)),
    }
});
