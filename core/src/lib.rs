//! tekser: validation of Kazakhstan public-procurement data packets.
//!
//! One pure core (no I/O, no clock, no threads) shared by every host: the CLI, the
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
mod kinds;
mod reader;
pub mod reply;
mod report;
mod rules;
mod suggest;
mod text;
mod value;
mod xml;

pub use calendar::{Date, Instant, LocalDateTime};
pub use catalog::{Catalog, Rule, BUILT_IN_DICTIONARIES, RULE_SET};
pub use dataset::{Dataset, DatasetReport};
pub use digest::Algorithm;
pub use engine::Validator;
pub use entity::Entity;
pub use error::Error;
pub use integrity::{canonical_form, compare, compare_packets, digest, Comparison, PacketDigest, RecordDigest};
pub use reply::Reply;
pub use report::{Finding, Lang, Report, Severity, Status, UnknownLang};
pub use value::Value;

use serde_json::value::RawValue;

/// The engine version, reported by hosts.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Default limit on the size of one input.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 256 * 1024 * 1024;

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
    /// Inputs larger than this are refused.
    pub max_input_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            entity: None,
            lang: Some(Lang::Ru),
            rule_set: None,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
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
/// dataset checks need.
pub(crate) fn run(
    input: &[u8],
    options: &Options,
    fixed: Option<&Catalog>,
    collect: bool,
) -> Result<(Report, Option<dataset::Collected>), Error> {
    if input.len() > options.max_input_bytes {
        return Err(Error::TooLarge {
            size: input.len(),
            limit: options.max_input_bytes,
        });
    }
    let current = Catalog::get()?;
    let named = match &options.rule_set {
        Some(name) => Some(Catalog::named(name)?),
        None => None,
    };
    let choice = Choice {
        fixed: fixed.or(named),
        collect,
    };
    let (text, format) = detect(input)?;
    match format {
        InputFormat::Json => {
            let raw = json::parse_raw(text)?;
            match json::raw_kind(raw) {
                b'{' => {
                    let members = json::raw_object(raw)?
                        .into_iter()
                        .map(|(k, v)| (k, Item::Raw(v)))
                        .collect();
                    packet(choice, members, options, &[])
                }
                b'[' => {
                    let records = json::raw_array(raw)?.into_iter().map(Item::Raw).collect();
                    list(choice.fixed.unwrap_or(current), choice.collect, records, options, &[])
                }
                _ => Err(Error::NotAPacket {
                    found: json::to_value(raw)?.type_name(),
                }),
            }
        }
        InputFormat::Xml => {
            let lists: Vec<&str> = current.xml_lists.iter().map(String::as_str).collect();
            let document = xml::parse(text, &lists)?;
            match document.value {
                Value::Object(members) => {
                    let members = members.into_iter().map(|(k, v)| (k, Item::Parsed(v))).collect();
                    packet(choice, members, options, &document.ignored_attributes)
                }
                Value::Array(records) => list(
                    choice.fixed.unwrap_or(current),
                    choice.collect,
                    records.into_iter().map(Item::Parsed).collect(),
                    options,
                    &document.ignored_attributes,
                ),
                other => Err(Error::NotAPacket {
                    found: other.type_name(),
                }),
            }
        }
    }
}

/// How the rule set is chosen, and whether dataset references are collected.
#[derive(Clone, Copy)]
struct Choice<'c> {
    fixed: Option<&'c Catalog>,
    collect: bool,
}

/// The rule set for a packet whose header is `header`: the header's named one if known,
/// else the one in force on its creation date, else the current one.
fn rule_set_for(header: Option<&Value>) -> Result<&'static Catalog, Error> {
    let Some(Value::Object(h)) = header else {
        return Catalog::get();
    };
    if let Some(Value::Text(name)) = value::get(h, "rule_set") {
        if let Ok(catalog) = Catalog::named(name) {
            return Ok(catalog);
        }
    }
    if let Some(Value::Text(created)) = value::get(h, "created_at") {
        if let Ok(at) = LocalDateTime::parse(created) {
            return Catalog::for_date(at.date);
        }
    }
    Catalog::get()
}

/// A value not yet converted (JSON, converted one record at a time) or already parsed (XML).
enum Item<'a> {
    Raw(&'a RawValue),
    Parsed(Value),
}

impl Item<'_> {
    fn into_value(self) -> Result<Value, Error> {
        match self {
            Item::Raw(raw) => json::to_value(raw),
            Item::Parsed(value) => Ok(value),
        }
    }
}

fn record_of_path(path: &str, in_packet: bool) -> Option<usize> {
    let rest = if in_packet {
        path.strip_prefix("/records/")?
    } else {
        path.strip_prefix('/')?
    };
    rest.split('/').next()?.parse().ok()
}

fn report_attributes(v: &mut Validator, attributes: &[xml::IgnoredAttribute], in_packet: bool) {
    for a in attributes {
        v.ignored_attribute(&a.path, &a.element, &a.attribute, record_of_path(&a.path, in_packet));
    }
}

fn packet(
    choice: Choice<'_>,
    members: Vec<(String, Item<'_>)>,
    options: &Options,
    attributes: &[xml::IgnoredAttribute],
) -> Result<(Report, Option<dataset::Collected>), Error> {
    let mut header: Option<Item> = None;
    let mut records: Option<Item> = None;
    let mut duplicates = Vec::new();
    let mut unknown = Vec::new();
    // Every member but the primary `records`, converted, for the packet digest.
    let mut others: Vec<(String, Value)> = Vec::new();
    for (key, item) in members {
        let slot = match key.as_str() {
            "header" => &mut header,
            "records" => &mut records,
            _ => {
                others.push((key.clone(), item.into_value()?));
                unknown.push(key);
                continue;
            }
        };
        if slot.is_some() {
            others.push((key.clone(), item.into_value()?));
            duplicates.push(key);
        } else {
            *slot = Some(item);
        }
    }
    let header = header.map(Item::into_value).transpose()?;
    let catalog = match choice.fixed {
        Some(c) => c,
        None => rule_set_for(header.as_ref())?,
    };
    let named = match &header {
        Some(Value::Object(h)) => match value::get(h, "entity") {
            Some(Value::Text(name)) if !name.trim().is_empty() => Some(name.clone()),
            _ => None,
        },
        _ => None,
    };
    // The header's entity decides how the records are read: when it differs from the
    // caller's, the mismatch is one finding (header.entity_mismatch) rather than a
    // finding on every field of every record.
    let entity = match (options.entity, named) {
        (Some(caller), Some(name)) => name.parse::<Entity>().unwrap_or(caller),
        (Some(caller), None) => caller,
        (None, Some(name)) => name.parse::<Entity>()?,
        (None, None) => return Err(Error::EntityNotNamed),
    };
    let mut v = Validator::new(catalog, entity, options.lang);
    if choice.collect {
        v.collect_references();
    }
    let records_streamed = match &records {
        Some(Item::Raw(raw)) => json::raw_kind(raw) == b'[',
        Some(Item::Parsed(Value::Array(_))) => true,
        _ => false,
    };
    // A `records` member that is not an array is digested like any other value.
    let records_value = match &records {
        Some(Item::Raw(raw)) if !records_streamed => Some(json::to_value(raw)?),
        Some(Item::Parsed(value)) if !records_streamed => Some(value.clone()),
        _ => None,
    };
    let mut digest = integrity::start_packet_digest(
        digest::Algorithm::Sha256,
        header.as_ref(),
        records_value.as_ref(),
        &others,
        &catalog.header,
        records_streamed,
    );
    let schema = catalog.entity(entity);
    for key in duplicates {
        v.packet_finding(codes::FIELD_DUPLICATE, &format!("/{key}"), &key, Vec::new(), None);
    }
    for key in unknown {
        let suggestion = suggest::nearest(&key, ["header", "records"]).map(str::to_owned);
        v.packet_finding(
            codes::FIELD_UNKNOWN,
            &format!("/{}", engine::pointer_segment(&key)),
            &key,
            Vec::new(),
            suggestion,
        );
    }
    match &header {
        None | Some(Value::Null) => v.packet_finding(codes::FIELD_MISSING, "/header", "header", Vec::new(), None),
        Some(h) => v.header(h, options.entity),
    }
    match records {
        None | Some(Item::Parsed(Value::Null)) => {
            v.packet_finding(codes::FIELD_MISSING, "/records", "records", Vec::new(), None)
        }
        Some(Item::Raw(raw)) if json::raw_kind(raw) == b'n' => {
            v.packet_finding(codes::FIELD_MISSING, "/records", "records", Vec::new(), None)
        }
        Some(Item::Raw(raw)) if json::raw_kind(raw) == b'[' => {
            for (i, record) in json::raw_array(raw)?.into_iter().enumerate() {
                let record = json::to_value(record)?;
                v.record(i, &format!("/records/{i}"), &record);
                digest.record(&record, schema);
            }
        }
        Some(Item::Parsed(Value::Array(items))) => {
            for (i, record) in items.iter().enumerate() {
                v.record(i, &format!("/records/{i}"), record);
                digest.record(record, schema);
            }
        }
        Some(_) => v.packet_finding(
            codes::FIELD_TYPE,
            "/records",
            "records",
            vec![("expected", "array".into())],
            None,
        ),
    }
    report_attributes(&mut v, attributes, true);
    let (mut report, collected) = v.finish_collected();
    report.digest = Some(digest.finish());
    Ok((report, collected))
}

fn list(
    catalog: &Catalog,
    collect: bool,
    records: Vec<Item<'_>>,
    options: &Options,
    attributes: &[xml::IgnoredAttribute],
) -> Result<(Report, Option<dataset::Collected>), Error> {
    let entity = options.entity.ok_or(Error::EntityNotNamed)?;
    let mut v = Validator::new(catalog, entity, options.lang);
    if collect {
        v.collect_references();
    }
    let schema = catalog.entity(entity);
    let mut digest = integrity::StreamingDigest::list(digest::Algorithm::Sha256);
    for (i, record) in records.into_iter().enumerate() {
        let record = record.into_value()?;
        v.record(i, &format!("/{i}"), &record);
        digest.record(&record, schema);
    }
    report_attributes(&mut v, attributes, false);
    let (mut report, collected) = v.finish_collected();
    report.digest = Some(digest.finish());
    Ok((report, collected))
}

/// Parses a packet into the data model without validating it (JSON and XML alike).
///
/// Tools use this to hand an XML packet to a JSON Schema validator in its JSON shape.
pub fn parse(input: &[u8]) -> Result<Value, Error> {
    let catalog = Catalog::get()?;
    let (text, format) = detect(input)?;
    match format {
        InputFormat::Json => json::to_value(json::parse_raw(text)?),
        InputFormat::Xml => {
            let lists: Vec<&str> = catalog.xml_lists.iter().map(String::as_str).collect();
            Ok(xml::parse(text, &lists)?.value)
        }
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
