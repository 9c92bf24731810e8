//! Integrity digests of packets and records, and the audit comparison of Rules p.12.
//!
//! The packet digest is the hash of the packet's canonical form (see `canonical.rs`
//! and `schemas/CANONICAL.md`). Each record also gets a digest of its own canonical form,
//! keyed by the record's id (the entity's key fields), and a root digest over those, so
//! that two systems can exchange the per-record lists and name the records that are
//! missing on either side or differ ("list of changed objects").

use std::collections::BTreeMap;

use crate::canonical::{self, utf16_order};
use crate::catalog::{Catalog, Kind, RecordSchema};
use crate::digest::{hex, parse_digest, Algorithm, Hasher};
use crate::entity::Entity;
use crate::error::Error;
use crate::stream::{DigestWalk, Reader};
use crate::value::{get, int, opt_text, text, Object, Value};
use crate::Options;

/// The digest of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDigest {
    /// The record's id: its key field values joined by `|` (GUIDs in lower case), or
    /// `#<index>` when a key value is missing; a repeated id gets `#<index>` appended.
    pub id: String,
    /// Index of the record in the packet.
    pub record: usize,
    /// `<algorithm>:<hex>` of the record's canonical form.
    pub digest: String,
}

/// The integrity digests of one packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketDigest {
    /// The hash algorithm.
    pub algorithm: Algorithm,
    /// The entity of the records.
    pub entity: Entity,
    /// The packet id from the header, if it has one.
    pub packet_id: Option<String>,
    /// Digest of the whole packet's canonical form (header and records in order).
    pub digest: String,
    /// Digest over the per-record digests, independent of record order.
    pub root: String,
    /// One digest per record, in packet order.
    pub records: Vec<RecordDigest>,
}

/// Where the records of a parsed input are.
pub(crate) struct Parsed<'a> {
    pub entity: Entity,
    pub packet: Option<&'a Object>,
    pub records: &'a [Value],
}

/// Finds the entity and the records of a parsed input (a packet object or a bare list).
pub(crate) fn locate<'a>(value: &'a Value, options: &Options) -> Result<Parsed<'a>, Error> {
    match value {
        Value::Object(members) => {
            let entity = entity_of(get(members, "header"), options)?;
            let records = match get(members, "records") {
                Some(Value::Array(items)) => items.as_slice(),
                _ => &[],
            };
            Ok(Parsed {
                entity,
                packet: Some(members),
                records,
            })
        }
        Value::Array(items) => Ok(Parsed {
            entity: options.entity.ok_or(Error::EntityNotNamed)?,
            packet: None,
            records: items,
        }),
        other => Err(Error::NotAPacket {
            found: other.type_name(),
        }),
    }
}

/// The id of a record for the per-record digest list.
fn record_id(record: &Value, schema: &RecordSchema, index: usize) -> String {
    let Value::Object(members) = record else {
        return format!("#{index}");
    };
    let mut parts = Vec::with_capacity(schema.key.len());
    for name in &schema.key {
        match get(members, name) {
            Some(Value::Text(t)) if !t.trim().is_empty() => {
                let guid = schema.field(name).is_some_and(|f| f.kind == Kind::Guid);
                parts.push(if guid { t.to_ascii_lowercase() } else { t.clone() });
            }
            Some(Value::Number(n)) => match schema.field(name).and_then(|f| canonical::number_as_code(f, n)) {
                Some(code) => parts.push(code),
                None => return format!("#{index}"),
            },
            _ => return format!("#{index}"),
        }
    }
    if parts.is_empty() {
        return format!("#{index}");
    }
    parts.join("|")
}

/// The root digest: the hash of the canonical JSON object that maps each record id to
/// its written digest (so the root does not depend on record order).
fn root_of(algorithm: Algorithm, records: &[RecordDigest]) -> String {
    let mut sorted: Vec<&RecordDigest> = records.iter().collect();
    sorted.sort_by(|a, b| utf16_order(&a.id, &b.id));
    let map = Value::Object(
        sorted
            .into_iter()
            .map(|r| (r.id.clone(), Value::Text(r.digest.clone())))
            .collect(),
    );
    let mut out = String::new();
    canonical::write_value(&mut out, &map, None);
    algorithm.digest(out.as_bytes())
}

/// The canonical form of a packet: the exact text its integrity digest hashes (UTF-8).
pub fn canonical_form(input: &[u8], options: &Options) -> Result<String, Error> {
    let tree = read_tree(input, options)?;
    let catalog = Catalog::get()?;
    let parsed = locate(&tree, options)?;
    Ok(whole_form(catalog, &parsed))
}

fn read_tree(input: &[u8], options: &Options) -> Result<Value, Error> {
    if input.len() > options.max_input_bytes {
        return Err(Error::TooLarge {
            size: input.len(),
            limit: options.max_input_bytes,
        });
    }
    crate::parse(input)
}

fn whole_form(catalog: &Catalog, parsed: &Parsed<'_>) -> String {
    let schema = catalog.entity(parsed.entity);
    match parsed.packet {
        Some(members) => canonical::packet(members, &catalog.header, schema),
        None => canonical::list(parsed.records, schema),
    }
}

/// Computes the packet digest, the per-record digests and their root.
///
/// The same streaming reader as validation walks the input once, record by record, JSON
/// and XML alike.
pub fn digest(input: &[u8], options: &Options, algorithm: Algorithm) -> Result<PacketDigest, Error> {
    if input.len() > options.max_input_bytes {
        return Err(Error::TooLarge {
            size: input.len(),
            limit: options.max_input_bytes,
        });
    }
    Catalog::get()?;
    let mut reader = Reader::new(DigestWalk::new(options, algorithm, true));
    reader.push(input)?;
    reader.end()?.finish()
}

/// Computes the digests of a packet read from `reader` in chunks. With `per_record` the
/// result lists every record's digest and their root (a list that grows with the packet);
/// without, only the packet digest is computed (`records` is empty, `root` is the root of
/// no records), in memory that does not grow with a JSON packet.
pub fn digest_reader<R: std::io::Read>(
    reader: R,
    options: &Options,
    algorithm: Algorithm,
    per_record: bool,
) -> Result<PacketDigest, Error> {
    Catalog::get()?;
    let mut stream = Reader::new(DigestWalk::new(options, algorithm, per_record));
    stream.read_all(reader, |_| {})?;
    stream.end()?.finish()
}

/// The entity named by a packet header, else by the caller.
pub(crate) fn entity_of(header: Option<&Value>, options: &Options) -> Result<Entity, Error> {
    let named = match header {
        Some(Value::Object(h)) => match get(h, "entity") {
            Some(Value::Text(name)) if !name.trim().is_empty() => Some(name.as_str()),
            _ => None,
        },
        _ => None,
    };
    match (named, options.entity) {
        (Some(name), caller) => name.parse::<Entity>().or_else(|e| caller.ok_or(e)),
        (None, Some(caller)) => Ok(caller),
        (None, None) => Err(Error::EntityNotNamed),
    }
}

pub(crate) fn packet_id_of(header: Option<&Value>) -> Option<String> {
    match header {
        Some(Value::Object(h)) => match get(h, "packet_id") {
            Some(Value::Text(id)) if !id.trim().is_empty() => Some(id.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Collects per-record digests with unique ids.
pub(crate) struct RecordDigests {
    algorithm: Algorithm,
    records: Vec<RecordDigest>,
    seen: BTreeMap<String, usize>,
}

impl RecordDigests {
    pub(crate) fn new(algorithm: Algorithm) -> RecordDigests {
        RecordDigests {
            algorithm,
            records: Vec::new(),
            seen: BTreeMap::new(),
        }
    }

    pub(crate) fn push(&mut self, record: &Value, schema: &RecordSchema, index: usize) {
        let mut id = record_id(record, schema, index);
        if self.seen.insert(id.clone(), index).is_some() {
            id = format!("{id}#{index}");
        }
        self.records.push(RecordDigest {
            id,
            record: index,
            digest: self.algorithm.digest(canonical::record(record, schema).as_bytes()),
        });
    }

    pub(crate) fn finish(self, entity: Entity, packet_id: Option<String>, digest: String) -> PacketDigest {
        PacketDigest {
            algorithm: self.algorithm,
            entity,
            packet_id,
            digest,
            root: root_of(self.algorithm, &self.records),
            records: self.records,
        }
    }
}

/// The digests of a parsed tree (the XML path).
fn digest_tree(catalog: &Catalog, parsed: &Parsed<'_>, algorithm: Algorithm) -> PacketDigest {
    let schema = catalog.entity(parsed.entity);
    let mut records = RecordDigests::new(algorithm);
    for (index, record) in parsed.records.iter().enumerate() {
        records.push(record, schema, index);
    }
    let header = parsed.packet.and_then(|p| get(p, "header"));
    let whole = algorithm.digest(whole_form(catalog, parsed).as_bytes());
    records.finish(parsed.entity, packet_id_of(header), whole)
}

impl PacketDigest {
    /// The per-record digest list as an indented JSON document (the input of `diff`).
    pub fn to_json(&self) -> String {
        let records = self
            .records
            .iter()
            .map(|r| {
                Value::Object(vec![
                    ("id".into(), text(&r.id)),
                    ("record".into(), int(r.record)),
                    ("digest".into(), text(&r.digest)),
                ])
            })
            .collect();
        Value::Object(vec![
            ("algorithm".into(), text(self.algorithm.as_str())),
            ("entity".into(), text(self.entity.as_str())),
            ("packet_id".into(), opt_text(self.packet_id.as_deref())),
            ("digest".into(), text(&self.digest)),
            ("root".into(), text(&self.root)),
            ("records".into(), Value::Array(records)),
        ])
        .to_pretty_json()
    }

    /// A per-record digest list from `input`: read as one when it is a digest list (a JSON
    /// object with `algorithm` and `root`), else computed from it as a packet.
    pub fn read_or_compute(input: &[u8], options: &Options, algorithm: Algorithm) -> Result<PacketDigest, Error> {
        let is_list = std::str::from_utf8(input)
            .ok()
            .and_then(|text| crate::json::parse_raw(text).ok())
            .and_then(|raw| crate::json::raw_object(raw).ok())
            .is_some_and(|members| {
                members.iter().any(|(k, _)| k == "algorithm") && members.iter().any(|(k, _)| k == "root")
            });
        if is_list {
            PacketDigest::from_json(input)
        } else {
            digest(input, options, algorithm)
        }
    }

    /// Reads a per-record digest list written by [`PacketDigest::to_json`] (ours or the
    /// receiver's); checks that every digest is of the list's algorithm.
    pub fn from_json(input: &[u8]) -> Result<PacketDigest, Error> {
        let bad = |m: &str| Error::InvalidDigestList(m.to_owned());
        let text = std::str::from_utf8(input).map_err(|_| bad("not UTF-8"))?;
        let tree = crate::json::to_value(crate::json::parse_raw(text)?)?;
        let Value::Object(doc) = &tree else {
            return Err(bad("the top level is not an object"));
        };
        let string = |o: &Object, key: &str| match get(o, key) {
            Some(Value::Text(t)) => Ok(t.clone()),
            _ => Err(Error::InvalidDigestList(format!("{key} is missing or not a string"))),
        };
        let algorithm: Algorithm = string(doc, "algorithm")?
            .parse()
            .map_err(|e: crate::digest::UnknownAlgorithm| bad(&e.to_string()))?;
        let entity: Entity = string(doc, "entity")?.parse()?;
        let checked = |d: String| match parse_digest(&d) {
            Some((a, _)) if a == algorithm => Ok(d),
            _ => Err(Error::InvalidDigestList(format!(
                "{d:?} is not a {} digest",
                algorithm.as_str()
            ))),
        };
        let Some(Value::Array(items)) = get(doc, "records") else {
            return Err(bad("records is missing or not an array"));
        };
        let mut records = Vec::with_capacity(items.len());
        let mut ids = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            let Value::Object(r) = item else {
                return Err(bad("a record entry is not an object"));
            };
            let record = match get(r, "record") {
                Some(Value::Number(n)) => n.parse().map_err(|_| bad("record is not an index"))?,
                _ => i,
            };
            let id = string(r, "id")?;
            if ids.insert(id.clone(), ()).is_some() {
                return Err(Error::InvalidDigestList(format!("id {id:?} is listed twice")));
            }
            records.push(RecordDigest {
                id,
                record,
                digest: checked(string(r, "digest")?)?,
            });
        }
        let packet_id = match get(doc, "packet_id") {
            Some(Value::Text(t)) => Some(t.clone()),
            _ => None,
        };
        Ok(PacketDigest {
            algorithm,
            entity,
            packet_id,
            digest: checked(string(doc, "digest")?)?,
            root: checked(string(doc, "root")?)?,
            records,
        })
    }
}

/// The outcome of comparing two per-record digest lists (the audit of Rules p.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The algorithm of both lists.
    pub algorithm: Algorithm,
    /// Ids of records only in our list (missing at the receiver).
    pub only_ours: Vec<String>,
    /// Ids of records only in their list (missing here).
    pub only_theirs: Vec<String>,
    /// Ids of records in both lists whose digests differ.
    pub changed: Vec<String>,
    /// For each changed record, the fields whose canonical values differ (Rules p.12:
    /// "changed properties"); known only when two packets, not two lists, were compared.
    pub changed_fields: Option<Vec<(String, Vec<String>)>>,
}

impl Comparison {
    /// True when both sides hold the same records with the same content.
    pub fn same(&self) -> bool {
        self.only_ours.is_empty() && self.only_theirs.is_empty() && self.changed.is_empty()
    }

    /// The comparison as an indented JSON document.
    pub fn to_json(&self) -> String {
        let ids = |list: &[String]| Value::Array(list.iter().map(text).collect());
        let mut members = vec![
            ("algorithm".into(), text(self.algorithm.as_str())),
            ("same".into(), Value::Bool(self.same())),
            ("only_ours".into(), ids(&self.only_ours)),
            ("only_theirs".into(), ids(&self.only_theirs)),
            ("changed".into(), ids(&self.changed)),
        ];
        if let Some(fields) = &self.changed_fields {
            members.push((
                "changed_fields".into(),
                Value::Object(
                    fields
                        .iter()
                        .map(|(id, names)| (id.clone(), Value::Array(names.iter().map(text).collect())))
                        .collect(),
                ),
            ));
        }
        Value::Object(members).to_pretty_json()
    }

    /// The changed fields of record `id`, when two packets were compared.
    pub fn fields_of(&self, id: &str) -> Option<&[String]> {
        self.changed_fields
            .as_ref()?
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, names)| names.as_slice())
    }
}

/// Appends to `names` the members of two records (or detail rows) whose canonical values
/// differ, in canonical member order; detail rows are compared row by row and named
/// `details/<row>/<field>` (a row on one side only: `details/<row>`).
fn changed_members(x: &Object, y: &Object, schema: &RecordSchema, prefix: &str, names: &mut Vec<String>) {
    let (fx, fy) = (canonical::member_forms(x, schema), canonical::member_forms(y, schema));
    let mut keys: Vec<&String> = fx.keys().chain(fy.keys()).collect();
    keys.sort_by(|p, q| utf16_order(p, q));
    keys.dedup();
    for key in keys {
        if fx.get(key) == fy.get(key) {
            continue;
        }
        let rows = (get(x, key), get(y, key), schema.field(key).map(|f| &f.kind));
        if let (Some(Value::Array(a)), Some(Value::Array(b)), Some(Kind::List(nested))) = rows {
            for row in 0..a.len().max(b.len()) {
                let here = format!("{prefix}{key}/{row}");
                match (a.get(row), b.get(row)) {
                    (Some(Value::Object(p)), Some(Value::Object(q))) => {
                        changed_members(p, q, nested, &format!("{here}/"), names)
                    }
                    (p, q) if p != q => names.push(here),
                    _ => {}
                }
            }
        } else {
            names.push(format!("{prefix}{key}"));
        }
    }
}

/// Compares two packets (ours and the receiver's copy) record by record: the records
/// missing on either side or changed, as [`compare`] does with their digest lists, and
/// for each changed record the names of the fields whose canonical values differ
/// (present on one side only, or written differently in canonical form), in canonical
/// member order.
pub fn compare_packets(
    ours: &[u8],
    theirs: &[u8],
    options: &Options,
    algorithm: Algorithm,
) -> Result<Comparison, Error> {
    let catalog = Catalog::get()?;
    let ours_tree = read_tree(ours, options)?;
    let theirs_tree = read_tree(theirs, options)?;
    let a = locate(&ours_tree, options)?;
    let b = locate(&theirs_tree, options)?;
    if a.entity != b.entity {
        return Err(Error::InvalidDigestList(format!(
            "the packets hold different entities ({} and {})",
            a.entity.as_str(),
            b.entity.as_str()
        )));
    }
    let ours_digest = digest_tree(catalog, &a, algorithm);
    let theirs_digest = digest_tree(catalog, &b, algorithm);
    let mut comparison = compare(&ours_digest, &theirs_digest)?;
    let schema = catalog.entity(a.entity);
    let index =
        |d: &PacketDigest| -> BTreeMap<String, usize> { d.records.iter().map(|r| (r.id.clone(), r.record)).collect() };
    let (ours_index, theirs_index) = (index(&ours_digest), index(&theirs_digest));
    let mut changed_fields = Vec::with_capacity(comparison.changed.len());
    for id in &comparison.changed {
        let pair = ours_index
            .get(id)
            .and_then(|i| a.records.get(*i))
            .zip(theirs_index.get(id).and_then(|i| b.records.get(*i)));
        let mut names = Vec::new();
        // A record that is not an object on one side differs as a whole: no field named.
        if let Some((Value::Object(x), Value::Object(y))) = pair {
            changed_members(x, y, schema, "", &mut names);
        }
        changed_fields.push((id.clone(), names));
    }
    comparison.changed_fields = Some(changed_fields);
    Ok(comparison)
}

/// Compares our per-record digests with the receiver's; ids are listed in sorted order.
pub fn compare(ours: &PacketDigest, theirs: &PacketDigest) -> Result<Comparison, Error> {
    if ours.algorithm != theirs.algorithm {
        return Err(Error::InvalidDigestList(format!(
            "the lists use different algorithms ({} and {})",
            ours.algorithm, theirs.algorithm
        )));
    }
    let mine: BTreeMap<&str, &str> = ours
        .records
        .iter()
        .map(|r| (r.id.as_str(), r.digest.as_str()))
        .collect();
    let other: BTreeMap<&str, &str> = theirs
        .records
        .iter()
        .map(|r| (r.id.as_str(), r.digest.as_str()))
        .collect();
    let mut result = Comparison {
        algorithm: ours.algorithm,
        only_ours: Vec::new(),
        only_theirs: Vec::new(),
        changed: Vec::new(),
        changed_fields: None,
    };
    for (id, digest) in &mine {
        match other.get(id) {
            None => result.only_ours.push((*id).to_owned()),
            Some(d) if d != digest => result.changed.push((*id).to_owned()),
            Some(_) => {}
        }
    }
    for id in other.keys() {
        if !mine.contains_key(id) {
            result.only_theirs.push((*id).to_owned());
        }
    }
    Ok(result)
}

/// Hashes a packet's canonical form while the reader walks it, record by record.
///
/// The canonical form writes a packet's streamed `records` array first, so each record
/// is hashed as it is read; the other members (header, unknown members, repeats: small)
/// are kept in canonical form and written after the array, sorted, when the packet ends.
pub(crate) struct StreamingDigest {
    algorithm: Algorithm,
    hasher: Hasher,
    /// The packet's other members in canonical form: (name, written value).
    members: Vec<(String, String)>,
    records_open: bool,
    packet: bool,
    count: usize,
    /// The record being hashed, in canonical form (reused, so it allocates once).
    form: String,
    /// Whether records are hashed on another thread ([`StreamingDigest::hash_work`]):
    /// their canonical form is gathered in `away_bytes` for it, and `hasher` is a stand-in
    /// once the real one has gone.
    away: bool,
    /// Whether `hasher` is the real one (not lent to the other thread).
    hasher_here: bool,
    away_bytes: String,
    /// Hashed outside the library ([`StreamingDigest::go_outside`]): the bytes to hash
    /// not yet taken.
    outside: Option<String>,
    /// The digest the outside hasher gave, once it did.
    outside_digest: Option<String>,
    /// Whether what follows the records (members, closing brackets) has been written.
    sealed: bool,
}

/// The canonical form of records checked elsewhere, as the merge has it.
#[derive(Clone, Copy)]
pub(crate) enum Form<'a> {
    /// Written by a checker thread of this process.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    Text(&'a str),
    /// From another instance of the library (hashed as they are; read as text only to be
    /// kept).
    Bytes(&'a [u8]),
    /// Hashed by the host outside the library, right after the bytes taken before it
    /// ([`StreamingDigest::take_outside`]).
    Outside,
}

impl<'a> Form<'a> {
    /// The form as text, where it is kept rather than hashed.
    fn text(self) -> Result<&'a str, Error> {
        match self {
            Form::Text(t) => Ok(t),
            Form::Bytes(b) => std::str::from_utf8(b)
                .map_err(|_| Error::Read("check work: a canonical form that is not UTF-8".to_owned())),
            Form::Outside => Err(Error::Read(
                "check work: a canonical form left to a hasher outside, with none".to_owned(),
            )),
        }
    }
}

/// Hashing handed to another thread: the hasher (the first time), then the bytes to feed
/// it, in order.
pub(crate) struct HashWork {
    pub(crate) hasher: Option<Hasher>,
    pub(crate) bytes: String,
}

impl HashWork {
    /// The work as bytes for another instance of the library ([`RemoteHasher::apply`]):
    /// 0, or 1 and the hasher's state after its length (four bytes, little-endian), then
    /// the bytes to hash.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes.len() + 128);
        match &self.hasher {
            Some(h) => {
                let state = h.to_state();
                out.push(1);
                out.extend_from_slice(&u32::try_from(state.len()).unwrap_or(u32::MAX).to_le_bytes());
                out.extend_from_slice(&state);
            }
            None => out.push(0),
        }
        out.extend_from_slice(self.bytes.as_bytes());
        out
    }

    /// Appends later work (its bytes follow these).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn append(&mut self, later: HashWork) {
        if later.hasher.is_some() {
            self.hasher = later.hasher;
        }
        self.bytes.push_str(&later.bytes);
    }

    /// Feeds the bytes to the hasher (taken from the work or already held).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn apply(self, held: &mut Option<Hasher>) {
        if let Some(h) = self.hasher {
            *held = Some(h);
        }
        if let Some(h) = held {
            h.update(self.bytes.as_bytes());
        }
    }
}

impl StreamingDigest {
    /// Starts a packet object; `records_streamed` tells whether its first `records`
    /// member is an array whose records will be fed one by one.
    pub(crate) fn packet(algorithm: Algorithm, records_streamed: bool) -> StreamingDigest {
        let mut hasher = algorithm.hasher();
        hasher.update(if records_streamed { b"{\"records\":[" } else { b"{" });
        StreamingDigest {
            algorithm,
            hasher,
            members: Vec::new(),
            records_open: records_streamed,
            packet: true,
            count: 0,
            form: String::new(),
            away: false,
            hasher_here: true,
            away_bytes: String::new(),
            outside: None,
            outside_digest: None,
            sealed: false,
        }
    }

    /// Adds a packet member other than the streamed records (written when it ends),
    /// typed as the tree's canonical form types it: a header by the header schema, a
    /// repeated `records` array as records of the entity.
    pub(crate) fn member(&mut self, key: &str, value: &Value, header: &RecordSchema, entity: &RecordSchema) {
        if value.is_blank() {
            return;
        }
        let mut out = String::new();
        match value {
            Value::Object(h) if key == "header" => canonical::write_object(&mut out, h, Some(header)),
            Value::Array(records) if key == "records" => out.push_str(&canonical::list(records, entity)),
            v => canonical::write_value(&mut out, v, None),
        }
        self.members.push((key.to_owned(), out));
    }

    /// Starts a bare list of records.
    pub(crate) fn list(algorithm: Algorithm) -> StreamingDigest {
        let mut hasher = algorithm.hasher();
        hasher.update(b"[");
        StreamingDigest {
            algorithm,
            hasher,
            members: Vec::new(),
            records_open: true,
            packet: false,
            count: 0,
            form: String::new(),
            away: false,
            hasher_here: true,
            away_bytes: String::new(),
            outside: None,
            outside_digest: None,
            sealed: false,
        }
    }

    /// Feeds the next record.
    pub(crate) fn record(&mut self, record: &Value, schema: &RecordSchema) {
        self.record_with_fields(record, schema, &[]);
    }

    /// Feeds the next record, whose members' fields the validator found (see
    /// [`canonical::record_with_fields_into`]).
    pub(crate) fn record_with_fields(&mut self, record: &Value, schema: &RecordSchema, fields: &[u16]) {
        if !self.records_open {
            return;
        }
        if let Some(out) = &mut self.outside {
            if self.count > 0 {
                out.push(',');
            }
            self.count += 1;
            canonical::record_with_fields_into(out, record, schema, fields);
            return;
        }
        if self.away {
            // Written straight into what goes to the hashing thread.
            if self.count > 0 {
                self.away_bytes.push(',');
            }
            self.count += 1;
            canonical::record_with_fields_into(&mut self.away_bytes, record, schema, fields);
            return;
        }
        if self.count > 0 {
            self.hasher.update(b",");
        }
        self.count += 1;
        self.form.clear();
        canonical::record_with_fields_into(&mut self.form, record, schema, fields);
        self.hasher.update(self.form.as_bytes());
    }

    /// Feeds `count` records already in canonical form, separated by commas (written by
    /// a checker). Bytes from another instance are read as text only where they are kept
    /// as text; `Form::Outside` only when hashing outside.
    pub(crate) fn records_written(&mut self, form: Form<'_>, count: usize) -> Result<(), Error> {
        if !self.records_open || count == 0 {
            return Ok(());
        }
        if let Some(out) = &mut self.outside {
            let form = match form {
                Form::Outside => "",
                other => other.text()?,
            };
            if self.count > 0 {
                out.push(',');
            }
            out.push_str(form);
        } else if self.away {
            let form = form.text()?;
            if self.count > 0 {
                self.away_bytes.push(',');
            }
            self.away_bytes.push_str(form);
        } else {
            let form = match form {
                Form::Bytes(b) => b,
                other => other.text()?.as_bytes(),
            };
            if self.count > 0 {
                self.hasher.update(b",");
            }
            self.hasher.update(form);
        }
        self.count += count;
        Ok(())
    }

    /// The records hashed since the last call, for another thread to hash (with the
    /// hasher itself the first time); from the first call on, records are gathered for it
    /// rather than hashed here, until [`StreamingDigest::hasher_back`].
    pub(crate) fn hash_work(&mut self) -> Option<HashWork> {
        if self.outside.is_some() {
            return None;
        }
        self.away = true;
        let hasher = if self.hasher_here {
            self.hasher_here = false;
            Some(std::mem::replace(&mut self.hasher, self.algorithm.hasher()))
        } else {
            None
        };
        if hasher.is_none() && self.away_bytes.is_empty() {
            return None;
        }
        Some(HashWork {
            hasher,
            bytes: std::mem::take(&mut self.away_bytes),
        })
    }

    /// The hasher back from the other thread, with all the work handed to it hashed;
    /// the records gathered since are hashed here, and hashing stays here.
    pub(crate) fn hasher_back(&mut self, hasher: Option<Hasher>) {
        if !self.away {
            return;
        }
        self.away = false;
        if let Some(h) = hasher {
            self.hasher = h;
            self.hasher_here = true;
        }
        self.hasher.update(self.away_bytes.as_bytes());
        self.away_bytes = String::new();
    }

    /// From now on (before any record), the bytes to hash are gathered for a hasher
    /// outside the library ([`StreamingDigest::take_outside`]), from the first one.
    pub(crate) fn go_outside(&mut self) {
        if self.outside.is_some() || self.count > 0 || self.away {
            return;
        }
        // What the constructor hashed: the opening of the records or of the packet.
        let opening = match (self.packet, self.records_open) {
            (true, true) => "{\"records\":[",
            (true, false) => "{",
            (false, _) => "[",
        };
        self.hasher = self.algorithm.hasher();
        self.outside = Some(opening.to_owned());
    }

    /// The bytes for the outside hasher gathered since the last call, in order.
    pub(crate) fn take_outside(&mut self) -> Option<String> {
        let out = self.outside.as_mut()?;
        Some(std::mem::take(out))
    }

    /// Whether the digest is hashed outside the library.
    pub(crate) fn is_outside(&self) -> bool {
        self.outside.is_some()
    }

    /// The outside hasher's digest of every byte taken (hex).
    pub(crate) fn set_outside_digest(&mut self, hex: String) {
        self.outside_digest = Some(hex);
    }

    fn feed(&mut self, bytes: &str) {
        match &mut self.outside {
            Some(out) => out.push_str(bytes),
            None => self.hasher.update(bytes.as_bytes()),
        }
    }

    /// Writes what follows the records: the closing bracket, the other members in
    /// canonical order, the closing brace (once).
    pub(crate) fn seal(&mut self) {
        if self.sealed || self.away || !self.hasher_here {
            return;
        }
        self.sealed = true;
        if self.records_open {
            self.feed("]");
        }
        if self.packet {
            // A stable sort keeps repeated names in document order, as the tree's form does.
            let mut members = std::mem::take(&mut self.members);
            members.sort_by(|a, b| utf16_order(&a.0, &b.0));
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 || self.records_open {
                    self.feed(",");
                }
                let mut name = String::new();
                crate::report::write_json_string(&mut name, key);
                self.feed(&name);
                self.feed(":");
                self.feed(value);
            }
            self.feed("}");
        }
    }

    /// The written digest of the whole packet; an error when the hasher went to another
    /// thread and did not come back (that thread failed), or when the packet was hashed
    /// outside and that digest was not given.
    pub(crate) fn finish(mut self) -> Result<String, Error> {
        if self.away || !self.hasher_here {
            return Err(Error::Read(
                "the packet digest's hasher went to another thread or worker and did not come back".to_owned(),
            ));
        }
        self.seal();
        if self.outside.is_some() {
            return match self.outside_digest {
                Some(hex) => Ok(format!("{}:{hex}", self.algorithm.as_str())),
                None => Err(Error::Read(
                    "the packet digest was hashed outside and its value was not given".to_owned(),
                )),
            };
        }
        Ok(format!("{}:{}", self.algorithm.as_str(), hex(&self.hasher.finish())))
    }
}

/// The other side of a packet digest hashed elsewhere: a second worker of a WebAssembly
/// page (which has no threads of its own) hashes the records while the first checks the
/// next ones. Feed it, in order, what [`crate::PacketStream::take_hash_work`] gives; at
/// the end give [`RemoteHasher::state`] to [`crate::PacketStream::finish_with_hasher`].
#[derive(Default)]
pub struct RemoteHasher {
    hasher: Option<Hasher>,
}

impl RemoteHasher {
    /// A hasher waiting for its first work.
    pub fn new() -> RemoteHasher {
        RemoteHasher::default()
    }

    /// Hashes one piece of work. An error when the bytes are not work from
    /// `take_hash_work`, or when the first work (which carries the hasher) was not first.
    pub fn apply(&mut self, work: &[u8]) -> Result<(), Error> {
        let bad = |what: &str| Error::Read(format!("hash work: {what}"));
        let (&flag, rest) = work.split_first().ok_or_else(|| bad("empty"))?;
        let bytes = match flag {
            0 => rest,
            1 => {
                let length = rest.get(..4).ok_or_else(|| bad("cut short"))?;
                let length = u32::from_le_bytes([length[0], length[1], length[2], length[3]]) as usize;
                let state = rest.get(4..4 + length).ok_or_else(|| bad("cut short"))?;
                self.hasher = Some(Hasher::from_state(state).ok_or_else(|| bad("not a hasher's state"))?);
                &rest[4 + length..]
            }
            _ => return Err(bad("not work from take_hash_work")),
        };
        match &mut self.hasher {
            Some(h) => {
                h.update(bytes);
                Ok(())
            }
            None => Err(bad("the first work, which carries the hasher, has not come")),
        }
    }

    /// The hasher's state, with everything fed so far, for `finish_with_hasher`.
    pub fn state(&self) -> Result<Vec<u8>, Error> {
        self.hasher
            .as_ref()
            .map(Hasher::to_state)
            .ok_or_else(|| Error::Read("hash work: no work was given".to_owned()))
    }
}

/// The canonical JSON of any value (used for the rule-set digest).
pub(crate) fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    canonical::write_value(&mut out, value, None);
    out
}
