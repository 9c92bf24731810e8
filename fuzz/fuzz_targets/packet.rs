//! What the two packet targets share: whole-packet validation of input in one format
//! (the streaming reader, the piece parser or the XML reader, the rules), as a bare list
//! of plan items and as a packet naming its entity: never a panic, and a report that is a
//! JSON object.

use tekser::{InputFormat, Options};

/// Validates `data` when it is in `format`.
pub fn validate_as(data: &[u8], format: InputFormat) {
    match tekser::detect(data) {
        Ok((_, found)) if found == format => {}
        _ => return,
    }
    for entity in [None, Some(tekser::Entity::PlanItem)] {
        let options = Options {
            entity,
            ..Options::default()
        };
        if let Ok(report) = tekser::validate(data, &options) {
            let json = report.to_json();
            let json = json.trim_end();
            assert!(json.starts_with('{') && json.ends_with('}'), "{json}");
        }
    }
}
