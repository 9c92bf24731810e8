//! tekser: validation of Kazakhstan public-procurement data packets.
//!
//! One pure core (no I/O, no clock; natively, checker threads check the records of a large input)
//! shared by every host: the CLI, the
//! WebAssembly package, and the Python and Node bindings. It reads a packet (JSON, or
//! XML optionally inside a SOAP envelope), checks every record against the field tables
//! and dictionaries of Appendix 1 of the 2019 ЕОЗ regulation and the format-logical
//! rules that relate fields, and returns a [`Report`] whose canonical JSON form
//! ([`Report::to_json`]) is byte-identical on every host.
//!
//! ```
//! let packet = r#"{"header": {"packet_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
//!   "sender_bin": "081140000436", "entity": "legal_act", "created_at": "01.02.2024 10:00"},
//!   "records": [{"name_ru": "Закон о закупках", "accept_date": "01.07.2024",
//!                "download_url": "https://adilet.example/docs/Z2400000106"}]}"#;
//! let report = tekser::validate(packet.as_bytes(), &tekser::Options::default()).expect("readable");
//! assert!(report.accepted());
//! ```

mod calendar;
mod canonical;
pub mod catalog;
mod checkers;
pub mod codes;
pub mod dataset;
mod decimal;
pub mod digest;
mod engine;
mod entity;
mod error;
mod identifiers;
pub mod integrity;
mod json;
mod keys;
mod kinds;
mod reader;
mod records;
mod recycle;
pub mod reply;
mod report;
mod rules;
pub mod signature;
mod splitter;
mod stream;
mod suggest;
mod text;
mod value;
mod xml;

pub use calendar::{Date, Instant, LocalDateTime};
pub use catalog::{Catalog, Rule, BUILT_IN_DICTIONARIES, RULE_SET};
pub use checkers::RecordChecker;
pub use dataset::{packet_facts, CrossFinding, Dataset, DatasetReport, Fact, FactKind};
pub use digest::Algorithm;
pub use engine::Validator;
pub use entity::Entity;
pub use error::Error;
pub use integrity::{
    canonical_form, compare, compare_packets, digest, digest_reader, Comparison, PacketDigest, RecordDigest,
    RemoteHasher,
};
pub use records::{RecordSink, RecordStream};
pub use reply::Reply;
pub use report::{Finding, Lang, Omitted, Report, Severity, Status, UnknownLang};
pub use stream::{validate_reader, PacketStream, READ_CHUNK};
pub use value::Value;

/// The engine version, reported by hosts.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Default limit on the findings a report keeps (the rest are counted per code).
pub const DEFAULT_MAX_FINDINGS: usize = 1000;

/// Default limit on the size of one record (or other member of a packet): 16 MiB, some
/// ten thousand detail rows. Reading a record holds it (and its values) whole, about
/// three times its size, so the limit bounds the memory of a check whatever the input.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// Default limit on the size of one input given whole (a streamed input has none unless
/// the caller sets [`Options::max_stream_bytes`]: its memory does not grow with it).
pub const DEFAULT_MAX_INPUT_BYTES: usize = 256 * 1024 * 1024;

/// Default limit on the records of one input: ten million. The key sets that find repeated
/// ids keep some 24 bytes per record, so the limit bounds them to a few hundred MiB.
pub const DEFAULT_MAX_RECORDS: u64 = 10_000_000;

/// How to validate a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The entity the caller expects. Needed for a bare list of records; for a packet
    /// it must match `header.entity`.
    pub entity: Option<Entity>,
    /// Language of messages; `None` gives all three (ru, kk, en).
    pub lang: Option<Lang>,
    /// The rule set to apply; `None` lets the packet header name it, else its creation
    /// date choose it (see [`validate`]). An unknown name is [`Error::UnknownRuleSet`].
    pub rule_set: Option<String>,
    /// Inputs given whole (not streamed) larger than this are refused.
    pub max_input_bytes: usize,
    /// The most findings a report keeps; past it the report counts the rest per code
    /// (`omitted`), and its verdict and totals still cover every record.
    pub max_findings: usize,
    /// The longest record (or other member of a packet) read, in bytes: reading one means
    /// holding it whole, so a longer one is [`Error::PieceTooLarge`] (kind `too_large`).
    pub max_record_bytes: usize,
    /// The most records read; past it the check stops with [`Error::TooManyRecords`].
    pub max_records: u64,
    /// The most bytes read from a streamed input (`None`: no limit); past it the check
    /// stops with [`Error::StreamTooLarge`]. Inputs given whole have `max_input_bytes`.
    pub max_stream_bytes: Option<u64>,
}

impl Options {
    /// Limits the bytes of one input, whole or streamed, to `limit`; `None` keeps the
    /// defaults ([`DEFAULT_MAX_INPUT_BYTES`] given whole, no limit streamed). The hosts'
    /// one option (`--max-input-bytes`, `max_input_bytes`, `maxInputBytes`) sets both.
    pub fn with_max_input_bytes(mut self, limit: Option<u64>) -> Options {
        self.max_input_bytes = limit.map_or(DEFAULT_MAX_INPUT_BYTES, |n| usize::try_from(n).unwrap_or(usize::MAX));
        self.max_stream_bytes = limit;
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            entity: None,
            lang: Some(Lang::Ru),
            rule_set: None,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_findings: DEFAULT_MAX_FINDINGS,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            max_records: DEFAULT_MAX_RECORDS,
            max_stream_bytes: None,
        }
    }
}

/// The wire form of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// JSON.
    Json,
    /// XML, optionally in a SOAP envelope.
    Xml,
}

/// Decodes the input as UTF-8 (without a byte-order mark) and tells its wire form.
pub fn detect(input: &[u8]) -> Result<(&str, InputFormat), Error> {
    let text = std::str::from_utf8(input).map_err(|e| Error::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match text.trim_start().chars().next() {
        None => Err(Error::Empty),
        // Any JSON text is read as JSON; one that is not an object or array is then NotAPacket.
        Some('{' | '[' | '"' | '-' | '0'..='9' | 't' | 'f' | 'n') => Ok((text, InputFormat::Json)),
        Some('<') => Ok((text, InputFormat::Xml)),
        Some(found) => Err(Error::UnknownFormat { found }),
    }
}

/// Validates one packet.
///
/// The rule set is the one `options.rule_set` names, else the one the packet header
/// names, else the one in force on the header's `created_at` date, else the current one.
/// Returns a report for any readable packet, accepted or rejected; an `Err` means the
/// input could not be read as a packet at all (see [`Error`]).
pub fn validate(input: &[u8], options: &Options) -> Result<Report, Error> {
    run(input, options, None, false).map(|(report, _)| report)
}

/// Validates one packet against a given catalog (e.g. one with run-time dictionaries,
/// [`Catalog::with_dictionaries`]); the packet header cannot choose another rule set.
pub fn validate_with(catalog: &Catalog, input: &[u8], options: &Options) -> Result<Report, Error> {
    run(input, options, Some(catalog), false).map(|(report, _)| report)
}

/// Validates a packet and, when `collect` is set, gathers the ids and references the
/// dataset checks need. The whole input goes through the streaming reader in one push.
pub(crate) fn run(
    input: &[u8],
    options: &Options,
    fixed: Option<&Catalog>,
    collect: bool,
) -> Result<(Report, Option<dataset::Collected>), Error> {
    // An input already in memory keeps its size limit; streamed input has none (XML aside).
    if input.len() > options.max_input_bytes {
        return Err(Error::TooLarge {
            size: input.len(),
            limit: options.max_input_bytes,
        });
    }
    Catalog::get()?;
    let named = match &options.rule_set {
        Some(name) => Some(Catalog::named(name)?),
        None => None,
    };
    let mut stream = PacketStream::build(options, fixed.or(named), collect);
    if fixed.is_none() {
        stream = stream.shared_catalog(named);
    }
    stream.push(input)?;
    stream.finish_collected()
}

/// Parses a packet into the data model without validating it (JSON and XML alike).
///
/// Tools use this to hand an XML packet to a JSON Schema validator in its JSON shape.
pub fn parse(input: &[u8]) -> Result<Value, Error> {
    let catalog = Catalog::get()?;
    let (text, format) = detect(input)?;
    match format {
        InputFormat::Json => json::to_value(json::parse_raw(text)?),
        InputFormat::Xml => xml::parse(text.as_bytes(), &catalog.xml_lists),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn catalog_loads_and_codes_match_rules() {
        let catalog = Catalog::get().expect("catalog loads");
        let in_rules: Vec<&str> = catalog.rules.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(
            in_rules,
            codes::ALL.to_vec(),
            "schemas/rules.json and core/src/codes.rs list the same codes in the same order"
        );
        assert_eq!(catalog.dictionaries.len(), 14);
        for entity in Entity::ALL {
            assert!(!catalog.entity(entity).fields.is_empty(), "{entity}");
        }
        for reason in identifiers::REASONS.iter().chain(&["never_issued", "suggestion"]) {
            for lang in Lang::ALL {
                assert!(
                    catalog.phrase(reason, lang).is_some_and(|p| !p.is_empty()),
                    "phrase {reason} in {}",
                    lang.as_str()
                );
            }
        }
        for rule in &catalog.rules {
            for lang in Lang::ALL {
                assert!(!rule.template(lang).is_empty(), "{} {}", rule.code, lang.as_str());
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn unusable_inputs_are_errors() {
        let options = Options::default();
        assert_eq!(validate(b"", &options), Err(Error::Empty));
        assert_eq!(validate(b"\xff{}", &options), Err(Error::InvalidUtf8 { offset: 0 }));
        assert_eq!(
            validate(b"{\"a\": \xc3}", &options),
            Err(Error::InvalidUtf8 { offset: 6 })
        );
        assert_eq!(validate(b"hello", &options), Err(Error::UnknownFormat { found: 'h' }));
        assert_eq!(validate(b"[]", &options), Err(Error::EntityNotNamed));
        assert!(matches!(
            validate(b"{\"header\": {\"entity\": \"lots\"}}", &options),
            Err(Error::UnknownEntity { .. })
        ));
        let small = Options {
            max_input_bytes: 4,
            ..Options::default()
        };
        assert_eq!(validate(b"[1, 2]", &small), Err(Error::TooLarge { size: 6, limit: 4 }));
        let other = Options {
            rule_set: Some("eoz-2030".into()),
            ..Options::default()
        };
        assert!(matches!(validate(b"[]", &other), Err(Error::UnknownRuleSet { .. })));
        assert!(matches!(
            validate(b"{\"header\": {\"entity\": \"lot\"}, \"records\": []}", &other),
            Err(Error::UnknownRuleSet { .. })
        ));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn streamed_report_digest_equals_the_tree_digest_for_odd_packet_shapes() {
        let header = r#"{"entity": "lot", "packet_id": "0F8FAD5B-D9CB-469F-A165-70867728950E"}"#;
        let lot = r#"{"id": "0f8fad5b-d9cb-469f-a165-70867728950f", "number": "L1", "h_status_id": "published"}"#;
        let shapes = [
            format!(r#"{{"header": {header}, "records": [{lot}, 7, null]}}"#),
            format!(r#"{{"records": [{lot}], "header": {header}, "zz": 1, "a": [1.50]}}"#),
            format!(r#"{{"header": {header}, "records": [{lot}], "records": [{lot}, {lot}]}}"#),
            format!(r#"{{"header": {header}, "header": {{"entity": "plan_item"}}, "records": []}}"#),
            format!(r#"{{"header": {header}, "records": null}}"#),
            format!(r#"{{"header": {header}, "records": {{"a": 1}}}}"#),
            format!(r#"{{"header": {header}, "records": "  "}}"#),
            format!(r#"{{"header": {header}, "records": {{"a": 1}}, "records": [{lot}]}}"#),
            format!(r#"{{"header": {header}, "records": "x", "records": "y"}}"#),
            format!(r#"{{"header": {header}}}"#),
            format!(r#"{{"header": null, "records": [{lot}]}}"#),
            format!("[{lot}, {lot}]"),
        ];
        let options = Options {
            entity: Some(Entity::Lot),
            ..Options::default()
        };
        for shape in &shapes {
            let report = validate(shape.as_bytes(), &options).expect("readable");
            let streamed = digest(shape.as_bytes(), &options, Algorithm::Sha256).expect("digestible");
            assert_eq!(report.digest.as_deref(), Some(streamed.digest.as_str()), "{shape}");
            // Both streamed digests equal the hash of the canonical form of the parsed tree.
            let tree = canonical_form(shape.as_bytes(), &options).expect("canonical");
            assert_eq!(Algorithm::Sha256.digest(tree.as_bytes()), streamed.digest, "{shape}");
        }
    }
}
