//! Probe (temporary).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let doc = std::fs::read(&args[1]).expect("read");
    let files: Vec<(String, Vec<u8>)> = args[3..].iter().map(|f| (f.clone(), std::fs::read(f).expect("anchor"))).collect();
    let options = tekser::signature::VerifyOptions {
        anchors: tekser::signature::Anchors::custom("manifest", &files).expect("anchors"),
        at: Some(tekser::signature::parse_time(&args[2]).expect("time")),
        ..Default::default()
    };
    let report = tekser::signature::verify(&doc, &options).expect("verify");
    print!("{}", report.to_json());
}
