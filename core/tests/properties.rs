//! Properties of the engine, checked on generated inputs (proptest):
//!
//! - the digest is over meaning: the same under member reordering, any white space between
//!   JSON tokens, and the JSON↔XML conversion (and so is the whole report of a valid packet);
//! - validation is deterministic, and the same for the input pushed in chunks of any size;
//! - a record of each entity whose free-text and id fields are generated is accepted;
//! - one defect injected into a valid record of any entity gives exactly its finding, and a
//!   mandatory field left out gives exactly `field.missing`.
//!
//! The valid records are the corpus's (written from the regulation's tables); the
//! generators vary what the tables leave free. A failure prints the shrunk input.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use tekser::catalog::{FieldDef, Kind};
use tekser::{codes, Algorithm, Catalog, Entity, Options, PacketStream};

/// A JSON value whose objects keep their members in a chosen order.
#[derive(Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    Number(String),
    Text(String),
    List(Vec<J>),
    Object(Vec<(String, J)>),
}

impl J {
    fn of(v: &serde_json::Value) -> J {
        match v {
            serde_json::Value::Null => J::Null,
            serde_json::Value::Bool(b) => J::Bool(*b),
            serde_json::Value::Number(n) => J::Number(n.to_string()),
            serde_json::Value::String(s) => J::Text(s.clone()),
            serde_json::Value::Array(a) => J::List(a.iter().map(J::of).collect()),
            serde_json::Value::Object(o) => J::Object(o.iter().map(|(k, v)| (k.clone(), J::of(v))).collect()),
        }
    }

    /// Reorders the members of every object by `order` (one permutation seed per object).
    fn reordered(&self, order: &mut impl FnMut(usize) -> Vec<usize>) -> J {
        match self {
            J::List(items) => J::List(items.iter().map(|i| i.reordered(order)).collect()),
            J::Object(members) => {
                let permutation = order(members.len());
                J::Object(
                    permutation
                        .into_iter()
                        .map(|i| (members[i].0.clone(), members[i].1.reordered(order)))
                        .collect(),
                )
            }
            other => other.clone(),
        }
    }

    /// JSON text, with `space(n)` put at the n-th place white space may go.
    fn json(&self, out: &mut String, space: &mut impl FnMut() -> &'static str) {
        out.push_str(space());
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Number(n) => out.push_str(n),
            J::Text(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
            J::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.json(out, space);
                    out.push_str(space());
                }
                if items.is_empty() {
                    out.push_str(space());
                }
                out.push(']');
            }
            J::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(space());
                    out.push_str(&serde_json::Value::String(key.clone()).to_string());
                    out.push_str(space());
                    out.push(':');
                    value.json(out, space);
                    out.push_str(space());
                }
                if members.is_empty() {
                    out.push_str(space());
                }
                out.push('}');
            }
        }
        out.push_str(space());
    }

    /// The XML form of a packet's member `name`: lists as one element per item, null as
    /// `xsi:nil`, text escaped (or, where `cdata` says, in CDATA sections).
    fn xml(&self, name: &str, out: &mut String, cdata: &mut impl FnMut() -> bool) {
        match self {
            J::Null => out.push_str(&format!("<{name} xsi:nil=\"true\"/>")),
            J::Bool(b) => out.push_str(&format!("<{name}>{b}</{name}>")),
            J::Number(n) => out.push_str(&format!("<{name}>{n}</{name}>")),
            J::Text(s) => {
                out.push_str(&format!("<{name}>"));
                if cdata() && !s.contains("]]>") {
                    out.push_str(&format!("<![CDATA[{s}]]>"));
                } else {
                    for c in s.chars() {
                        match c {
                            '<' => out.push_str("&lt;"),
                            '&' => out.push_str("&amp;"),
                            '>' => out.push_str("&gt;"),
                            '\r' => out.push_str("&#13;"),
                            c => out.push(c),
                        }
                    }
                }
                out.push_str(&format!("</{name}>"));
            }
            J::List(items) => {
                out.push_str(&format!("<{name}>"));
                let item = name.strip_suffix('s').unwrap_or("item");
                for i in items {
                    i.xml(item, out, cdata);
                }
                out.push_str(&format!("</{name}>"));
            }
            J::Object(members) => {
                out.push_str(&format!("<{name}>"));
                for (key, value) in members {
                    value.xml(key, out, cdata);
                }
                out.push_str(&format!("</{name}>"));
            }
        }
    }

    fn member_mut(&mut self, key: &str) -> Option<&mut J> {
        match self {
            J::Object(members) => members.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn first_record_mut(&mut self) -> &mut J {
        let records = match self.member_mut("records") {
            Some(J::List(records)) => records,
            _ => unreachable!("a valid corpus packet has a records list"),
        };
        records.first_mut().expect("a valid corpus packet has a record")
    }
}

fn compact(j: &J) -> String {
    let mut out = String::new();
    j.json(&mut out, &mut || "");
    out
}

fn xml_packet(j: &J, cdata: &mut impl FnMut() -> bool) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let mut body = String::new();
    j.xml("packet", &mut body, cdata);
    out.push_str(&body.replacen(
        "<packet>",
        "<packet xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
        1,
    ));
    out
}

const ENTITIES: [Entity; 8] = Entity::ALL;

fn valid_packet(entity: Entity) -> J {
    let path = common::corpus_dir().join(entity.as_str()).join("valid.json");
    let text = std::fs::read_to_string(&path).expect("the entity's valid corpus packet");
    J::of(&serde_json::from_str(&text).expect("the valid packet is JSON"))
}

fn options() -> Options {
    Options {
        lang: None,
        ..Options::default()
    }
}

fn report(text: &[u8]) -> String {
    match tekser::validate(text, &options()) {
        Ok(r) => r.to_json(),
        Err(e) => format!("error {}: {e}", e.kind()),
    }
}

fn digest(text: &[u8]) -> String {
    match tekser::digest(text, &options(), Algorithm::Sha256) {
        Ok(d) => d.digest,
        Err(e) => format!("error {}: {e}", e.kind()),
    }
}

/// White space JSON allows between tokens, chosen by the generated bytes in turn.
fn spaces(choices: Vec<u8>) -> impl FnMut() -> &'static str {
    const SPACE: [&str; 6] = ["", "", " ", "\n", "\t", "\r\n  "];
    let mut at = 0;
    move || {
        let s = SPACE[choices.get(at % choices.len().max(1)).copied().unwrap_or(0) as usize % SPACE.len()];
        at += 1;
        s
    }
}

/// Permutations of `n` members, from generated seeds in turn.
fn orders(seeds: Vec<u64>) -> impl FnMut(usize) -> Vec<usize> {
    let mut at = 0;
    move |n| {
        let mut state = seeds.get(at % seeds.len().max(1)).copied().unwrap_or(1) | 1;
        at += 1;
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            p.swap(i, (state % (i as u64 + 1)) as usize);
        }
        p
    }
}

/// Free text as a sender might write it: Russian and Kazakh letters, Latin, digits,
/// punctuation, quotes, the characters JSON and XML escape, an emoji.
fn free_text() -> impl Strategy<Value = String> {
    "[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі][А-Яа-яӘәҚқA-Za-z0-9 ,.;:«»\"'()\\\\/<>&№%+=?!_-]{0,30}[А-Яа-я0-9.)»😀]"
}

fn uuid() -> impl Strategy<Value = String> {
    (any::<u128>()).prop_map(|n| {
        let h = format!("{n:032x}");
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Reordered members and any white space: the same digest and the same report; the XML
    /// form (members reordered, text escaped or in CDATA): the same digest and report.
    #[test]
    fn the_digest_and_report_are_over_meaning(
        entity in 0..ENTITIES.len(),
        seeds in prop::collection::vec(any::<u64>(), 1..16),
        space in prop::collection::vec(any::<u8>(), 1..64),
        cdata in prop::collection::vec(any::<bool>(), 1..16),
    ) {
        let packet = valid_packet(ENTITIES[entity]);
        let reference = compact(&packet);
        let (want_digest, want_report) = (digest(reference.as_bytes()), report(reference.as_bytes()));
        prop_assert!(want_digest.starts_with("sha256:"), "{want_digest}");
        let moved = packet.reordered(&mut orders(seeds));
        let mut text = String::new();
        moved.json(&mut text, &mut spaces(space));
        prop_assert_eq!(&digest(text.as_bytes()), &want_digest, "JSON reordered/spaced:\n{}", text);
        prop_assert_eq!(&report(text.as_bytes()), &want_report, "JSON reordered/spaced:\n{}", text);
        let mut at = 0;
        let xml = xml_packet(&moved, &mut || { at += 1; cdata[at % cdata.len()] });
        prop_assert_eq!(&digest(xml.as_bytes()), &want_digest, "XML form:\n{}", xml);
        prop_assert_eq!(&report(xml.as_bytes()), &want_report, "XML form:\n{}", xml);
    }

    /// The same input twice gives the same bytes, and pushed in chunks of any size the
    /// report of the input given whole — for valid packets and for generated defects alike.
    #[test]
    fn validation_is_deterministic_and_chunking_free(
        entity in 0..ENTITIES.len(),
        text in free_text(),
        chunk in 1usize..300,
    ) {
        let mut packet = valid_packet(ENTITIES[entity]);
        // Some field gets generated text, whatever its kind: a defect or not.
        let schema = Catalog::get().expect("catalog").entity(ENTITIES[entity]);
        let field = &schema.fields[text.len() % schema.fields.len()];
        if let J::Object(members) = packet.first_record_mut() {
            members.push((field.name.clone(), J::Text(text)));
        }
        let input = compact(&packet);
        let once = report(input.as_bytes());
        prop_assert_eq!(&report(input.as_bytes()), &once);
        let mut stream = PacketStream::new(&options()).expect("stream");
        for piece in input.as_bytes().chunks(chunk) {
            stream.push(piece).expect("a readable packet");
        }
        prop_assert_eq!(stream.finish().expect("a report").to_json(), once);
    }

    /// A record whose free-text fields hold generated text and whose id fields hold
    /// generated GUIDs is accepted, for every entity.
    #[test]
    fn a_generated_valid_record_is_accepted(
        entity in 0..ENTITIES.len(),
        texts in prop::collection::vec(free_text(), 8),
        ids in prop::collection::vec(uuid(), 8),
    ) {
        let entity = ENTITIES[entity];
        let mut packet = valid_packet(entity);
        let schema = Catalog::get().expect("catalog").entity(entity);
        let record = packet.first_record_mut();
        let (mut t, mut g) = (0, 0);
        for field in &schema.fields {
            let Some(value) = record.member_mut(&field.name) else { continue };
            match (&field.kind, &*value) {
                (Kind::Text, J::Text(_)) => {
                    *value = J::Text(texts[t % texts.len()].clone());
                    t += 1;
                }
                (Kind::Guid, J::Text(_)) => {
                    *value = J::Text(ids[g % ids.len()].clone());
                    g += 1;
                }
                _ => {}
            }
        }
        let input = compact(&packet);
        let got = tekser::validate(input.as_bytes(), &options()).expect("a readable packet");
        prop_assert!(got.accepted(), "{} not accepted:\n{}\n{}", entity.as_str(), input, got.to_json());
    }

    /// One defect in one field of a valid record: exactly its finding, at its place.
    #[test]
    fn one_injected_defect_gives_exactly_its_finding(
        entity in 0..ENTITIES.len(),
        pick in any::<usize>(),
        junk in "[a-z]{1,6}",
        digits in 0u32..100,
    ) {
        let entity = ENTITIES[entity];
        let mut packet = valid_packet(entity);
        let schema = Catalog::get().expect("catalog").entity(entity);
        let record = packet.first_record_mut();
        // The fields present whose kind has a defect of its own.
        let candidates: Vec<_> = schema
            .fields
            .iter()
            .filter(|f| record.member_mut(&f.name).is_some_and(|v| matches!(v, J::Text(_))))
            .filter(|f| defect(f, &junk, digits).is_some())
            .collect();
        prop_assume!(!candidates.is_empty());
        let field = candidates[pick % candidates.len()];
        let (bad, code) = defect(field, &junk, digits).expect("a candidate has a defect");
        if let Some(value) = record.member_mut(&field.name) {
            *value = J::Text(bad.clone());
        }
        let input = compact(&packet);
        let got = tekser::validate(input.as_bytes(), &options()).expect("a readable packet");
        let found: Vec<(String, String)> =
            got.findings.iter().map(|f| (f.code.to_owned(), f.path.clone())).collect();
        prop_assert_eq!(
            found,
            vec![(code.to_owned(), format!("/records/0/{}", field.name))],
            "{}.{} = {:?}", entity.as_str(), field.name, bad
        );
    }
}

proptest! {
    /// A mandatory field left out of a valid record: exactly `field.missing`, naming it.
    #[test]
    fn a_missing_mandatory_field_gives_exactly_field_missing(entity in 0..ENTITIES.len(), pick in any::<usize>()) {
        let entity = ENTITIES[entity];
        let mut packet = valid_packet(entity);
        let schema = Catalog::get().expect("catalog").entity(entity);
        let mandatory: Vec<_> = schema.fields.iter().filter(|f| f.mandatory).collect();
        prop_assume!(!mandatory.is_empty());
        let field = mandatory[pick % mandatory.len()];
        if let J::Object(members) = packet.first_record_mut() {
            members.retain(|(k, _)| *k != field.name);
        }
        let got = tekser::validate(compact(&packet).as_bytes(), &options()).expect("a readable packet");
        let found: Vec<(String, Option<String>)> =
            got.findings.iter().map(|f| (f.code.to_owned(), f.field.clone())).collect();
        prop_assert_eq!(found, vec![(codes::FIELD_MISSING.to_owned(), Some(field.name.clone()))], "{}.{}", entity.as_str(), field.name);
    }
}

/// A defective value for `field`, and the finding it must give.
fn defect(field: &FieldDef, junk: &str, digits: u32) -> Option<(String, &'static str)> {
    Some(match &field.kind {
        Kind::Guid => (format!("{junk}-not-a-guid"), codes::GUID_FORMAT),
        Kind::Date => (format!("{}.13.2024", 10 + digits % 18), codes::DATE_CALENDAR),
        Kind::DateTime => (format!("{}.02.2024 25:00", 10 + digits % 18), codes::DATETIME_CALENDAR),
        Kind::Kato => (format!("{:08}", digits), codes::KATO_FORMAT),
        Kind::Mkei => (format!("{junk}1"), codes::MKEI_FORMAT),
        Kind::Dictionary(_) => (format!("zz-{junk}"), codes::DICTIONARY_UNKNOWN_CODE),
        Kind::Phone => (junk.to_owned(), codes::PHONE_FORMAT),
        // Blank is a defect where the field is mandatory (an optional one left blank is absent).
        Kind::Text if field.mandatory => (" \t ".repeat(1 + digits as usize % 3), codes::TEXT_BLANK),
        // The check digit one off (the twelfth digit of a BIN/IIN is its checksum).
        Kind::Bin => (format!("08114000043{}", (6 + 1 + digits % 9) % 10), codes::BIN_CHECKSUM),
        Kind::Rca => (format!("{junk}{digits}"), codes::RCA_FORMAT),
        Kind::Year => (format!("{}x{}", digits % 10, junk), codes::YEAR_FORMAT),
        Kind::Month => (format!("{}", 13 + digits), codes::MONTH_RANGE),
        _ => return None,
    })
}
