//! Streaming validation: a packet pushed in chunks (or read from any `std::io::Read`),
//! checked record by record as it arrives.
//!
//! [`PacketStream`] tells JSON from XML by the first character, cuts the input into
//! members and records with [`JsonSplitter`] or [`XmlSplitter`] and converts one piece
//! at a time. [`PacketWalk`] is the
//! one packet walk behind both: it takes the header and the other members, then each
//! record, and feeds the validator and the integrity digest together. Between records
//! it keeps only what the rules need (record keys, winners, dataset ids) and the small
//! members of the packet, never the records.

use std::io::Read;

use crate::catalog::Catalog;
use crate::catalog::RecordSchema;
#[cfg(not(target_arch = "wasm32"))]
use crate::checkers::Checkers;
use crate::checkers::{wire, Checked, Gathering, Merge, Setting};
use crate::codes;
use crate::dataset::Collected;
use crate::engine::{pointer_segment, Validator};
use crate::entity::Entity;
use crate::error::Error;
use crate::integrity::{entity_of, packet_id_of, Form, PacketDigest, RecordDigests, StreamingDigest};
use crate::reader::Position;
use crate::report::Report;
#[cfg(not(target_arch = "wasm32"))]
use crate::splitter::Worker;
use crate::splitter::{Bounds, Parsed, Sink, Splitter};
use crate::value::{self, Value};
use crate::{digest, suggest, xml, LocalDateTime, Options};

/// Size of the chunks [`validate_reader`] reads.
pub const READ_CHUNK: usize = 256 * 1024;

/// The packet's first `records` member.
#[derive(Default)]
enum Records {
    /// Not (yet) seen.
    #[default]
    Absent,
    /// An array whose records are walked one by one.
    Streamed,
    /// Any other value (null, an object, text): a finding of its own.
    Other(Value),
}

/// The members of a packet object other than its streamed records: the header, the first
/// `records` when it is not an array, and every other member (repeats, unknown names).
#[derive(Default)]
pub(crate) struct Members {
    header: Option<Value>,
    records: Records,
    others: Vec<(String, Value)>,
    duplicates: Vec<String>,
    unknown: Vec<String>,
}

impl Members {
    /// The packet's header, once read.
    pub(crate) fn header(&self) -> Option<&Value> {
        self.header.as_ref()
    }

    fn add(&mut self, key: &str, value: Value) {
        match key {
            "header" if self.header.is_none() => self.header = Some(value),
            "records" if matches!(self.records, Records::Absent) => self.records = Records::Other(value),
            "header" | "records" => {
                self.duplicates.push(key.to_owned());
                self.others.push((key.to_owned(), value));
            }
            _ => {
                self.unknown.push(key.to_owned());
                self.others.push((key.to_owned(), value));
            }
        }
    }

    /// The first `records` member is an array; false when one was seen before (only the
    /// first is walked, and the splitter streams only it).
    fn start_records(&mut self) -> bool {
        if matches!(self.records, Records::Absent) {
            self.records = Records::Streamed;
            true
        } else {
            false
        }
    }

    /// Adds the members to the packet's digest (written after the streamed records).
    fn digest_into(&self, digest: &mut StreamingDigest, header: &RecordSchema, entity: &RecordSchema) {
        if let Some(h) = &self.header {
            digest.member("header", h, header, entity);
        }
        if let Records::Other(r) = &self.records {
            digest.member("records", r, header, entity);
        }
        for (key, value) in &self.others {
            digest.member(key, value, header, entity);
        }
    }
}

/// What the walk checks with, once the header (or the lack of one) is known.
struct Live<'c> {
    v: Validator<'c>,
    digest: StreamingDigest,
    catalog: &'c Catalog,
    /// The same catalog when it lives as long as the program (the rule sets built in):
    /// what checkers may share.
    shared: Option<&'static Catalog>,
    entity: Entity,
    count: usize,
    /// Threads checking the records, once the input is large enough to need them.
    #[cfg(not(target_arch = "wasm32"))]
    checkers: Option<Checkers>,
    /// Checkers elsewhere, fed with bytes ([`PacketStream::check_elsewhere`]).
    elsewhere: Option<Elsewhere>,
}

/// The records checked by checkers elsewhere: the batches gathered, their bytes waiting
/// to be taken, and how many were taken and merged back.
struct Elsewhere {
    setting: Setting,
    gathering: Gathering,
    work: std::collections::VecDeque<Vec<u8>>,
    taken: usize,
    merged: usize,
}

/// The one walk over a packet object or a bare list of records: members first, then
/// records one at a time. Readers of every wire form drive it.
pub(crate) struct PacketWalk<'c> {
    options: Options,
    fixed: Option<&'c Catalog>,
    /// `fixed` when it lives as long as the program.
    fixed_shared: Option<&'static Catalog>,
    /// Whether the records are to be checked on several threads as soon as the walk
    /// starts (the input is large).
    #[cfg(not(target_arch = "wasm32"))]
    checkers_wanted: bool,
    /// Whether the records go to checkers elsewhere ([`PacketStream::check_elsewhere`]).
    elsewhere_wanted: bool,
    /// An input error met while records were out with checkers elsewhere: reported once
    /// they are merged back (one of them may fail first, as it would here).
    held: Option<Error>,
    /// Whether the packet digest is hashed outside the library
    /// ([`PacketStream::hash_outside`]).
    hash_outside: bool,
    /// Whether the packet-level findings and the digest's tail are written
    /// ([`PacketWalk::close`]).
    closed: bool,
    collect: bool,
    list: bool,
    members: Members,
    live: Option<Live<'c>>,
    /// Records that came before the header: kept until the header says how to read them.
    pending: Vec<Value>,
    /// XML attributes found before the header, reported once the walk starts.
    pending_attributes: Vec<xml::IgnoredAttribute>,
    /// The path of the record being checked.
    path: String,
}

impl<'c> PacketWalk<'c> {
    /// A walk with the rule set fixed by the caller (or chosen by the header when `None`).
    pub(crate) fn new(options: &Options, fixed: Option<&'c Catalog>, collect: bool) -> PacketWalk<'c> {
        PacketWalk {
            options: options.clone(),
            fixed,
            fixed_shared: None,
            #[cfg(not(target_arch = "wasm32"))]
            checkers_wanted: false,
            elsewhere_wanted: false,
            held: None,
            hash_outside: false,
            closed: false,
            collect,
            list: false,
            members: Members::default(),
            live: None,
            pending: Vec::new(),
            pending_attributes: Vec::new(),
            path: String::new(),
        }
    }

    /// One record of the packet's records array or of the bare list.
    fn take_record(&mut self, record: Value) -> Option<Value> {
        match &mut self.live {
            Some(live) => {
                let i = live.count;
                live.count += 1;
                // The record's path, in a buffer reused from record to record.
                let path = &mut self.path;
                path.clear();
                if !self.list {
                    path.push_str("/records");
                }
                crate::engine::push_index(path, i);
                live.v.record(i, path, &record);
                let schema = live.catalog.entity(live.entity);
                live.digest.record_with_fields(&record, schema, live.v.member_fields());
                Some(record)
            }
            None => {
                self.pending.push(record);
                None
            }
        }
    }

    /// Chooses the rule set and entity from the header and starts validating.
    fn begin(&mut self) -> Result<(), Error> {
        let (catalog, shared): (&'c Catalog, _) = match self.fixed {
            Some(c) => (c, self.fixed_shared),
            None => {
                let c = rule_set_for(self.members.header.as_ref())?;
                (c, Some(c))
            }
        };
        let named = match &self.members.header {
            Some(Value::Object(h)) => match value::get(h, "entity") {
                Some(Value::Text(name)) if !name.trim().is_empty() => Some(name.clone()),
                _ => None,
            },
            _ => None,
        };
        // The header's entity decides how the records are read: when it differs from the
        // caller's, the mismatch is one finding (header.entity_mismatch) rather than a
        // finding on every field of every record.
        let entity = match (self.options.entity, named) {
            (Some(caller), Some(name)) => name.parse::<Entity>().unwrap_or(caller),
            (Some(caller), None) => caller,
            (None, Some(name)) => name.parse::<Entity>()?,
            (None, None) => return Err(Error::EntityNotNamed),
        };
        let streamed = matches!(self.members.records, Records::Streamed);
        self.start(
            catalog,
            shared,
            entity,
            StreamingDigest::packet(digest::Algorithm::Sha256, streamed),
        );
        if let Some(live) = &mut self.live {
            match &self.members.header {
                None | Some(Value::Null) => {
                    live.v
                        .packet_finding(codes::FIELD_MISSING, "/header", "header", Vec::new(), None)
                }
                Some(h) => live.v.header(h, self.options.entity),
            }
        }
        Ok(())
    }

    fn start(
        &mut self,
        catalog: &'c Catalog,
        shared: Option<&'static Catalog>,
        entity: Entity,
        digest: StreamingDigest,
    ) {
        let mut v = Validator::new(catalog, entity, self.options.lang).max_findings(self.options.max_findings);
        if self.collect {
            v.collect_references();
        }
        self.live = Some(Live {
            v,
            digest,
            catalog,
            shared,
            entity,
            count: 0,
            #[cfg(not(target_arch = "wasm32"))]
            checkers: None,
            elsewhere: None,
        });
        if self.hash_outside {
            if let Some(live) = &mut self.live {
                live.digest.go_outside();
            }
        }
        for record in std::mem::take(&mut self.pending) {
            self.take_record(record);
        }
        let attributes = std::mem::take(&mut self.pending_attributes);
        self.report_attributes(&attributes);
    }

    /// Reports attributes the XML form carried that hold no data.
    fn report_attributes(&mut self, attributes: &[xml::IgnoredAttribute]) {
        let list = self.list;
        if let Some(live) = &mut self.live {
            for a in attributes {
                let record = record_of_path(&a.path, !list);
                live.v.ignored_attribute(&a.path, &a.element, &a.attribute, record);
            }
        }
    }

    /// What checkers of this packet's records check against, once the walk is live;
    /// `None` when the records cannot be checked elsewhere (dataset checks gather every
    /// record's ids here; a catalog made at run time cannot be shared).
    fn setting(&self) -> Option<Setting> {
        let live = self.live.as_ref()?;
        if self.collect {
            return None;
        }
        Some(Setting {
            catalog: live.shared?,
            entity: live.entity,
            lang: self.options.lang,
            list: self.list,
        })
    }

    /// Starts the checker threads once the walk is live, when it can have them; true
    /// when they run.
    #[cfg(not(target_arch = "wasm32"))]
    fn start_checkers(&mut self) -> bool {
        let setting = self.setting();
        let Some(live) = &mut self.live else {
            return false;
        };
        if live.checkers.is_none() && live.elsewhere.is_none() {
            if let Some(setting) = setting {
                live.checkers = Checkers::start(&setting, cores(), live.count);
            }
        }
        live.checkers.is_some()
    }

    /// Starts handing records to checkers elsewhere once the walk is live, when it can.
    fn start_elsewhere(&mut self) {
        let setting = self.setting();
        let Some(live) = &mut self.live else {
            return;
        };
        if live.elsewhere.is_some() {
            return;
        }
        #[cfg(not(target_arch = "wasm32"))]
        if live.checkers.is_some() {
            return;
        }
        if let Some(setting) = setting {
            live.elsewhere = Some(Elsewhere {
                setting,
                gathering: Gathering::new(live.count, crate::checkers::BATCH_BYTES_ELSEWHERE),
                work: std::collections::VecDeque::new(),
                taken: 0,
                merged: 0,
            });
        }
    }

    /// The next check work for a checker elsewhere.
    fn take_check_work(&mut self) -> Option<Vec<u8>> {
        let elsewhere = self.live.as_mut()?.elsewhere.as_mut()?;
        let work = elsewhere.work.pop_front()?;
        elsewhere.taken += 1;
        Some(work)
    }

    /// Merges what a checker elsewhere found (the next work taken, in order).
    fn merge_checked(&mut self, found: &[u8]) -> Result<(), Error> {
        let (checked, canonical) = wire::read_checked(found)?;
        self.merge_found(checked, Form::Bytes(canonical))
    }

    /// Merges what a checker found, given without its canonical form (`rest` bytes, which
    /// the host hashes outside the library).
    fn merge_checked_head(&mut self, head: &[u8], rest: usize) -> Result<(), Error> {
        let (checked, len) = wire::read_checked_head(head)?;
        if len != rest {
            return Err(Error::Read(
                "check work: a canonical form of the wrong length".to_owned(),
            ));
        }
        if !self.packet_digest().is_some_and(|d| d.is_outside()) {
            return Err(Error::Read(
                "check work merged without its canonical form while the digest is hashed here".to_owned(),
            ));
        }
        self.merge_found(checked, Form::Outside)
    }

    fn merge_found(&mut self, checked: Checked, form: Form<'_>) -> Result<(), Error> {
        let live = self
            .live
            .as_mut()
            .ok_or_else(|| Error::Read("check work merged before any was taken".to_owned()))?;
        let elsewhere = live
            .elsewhere
            .as_mut()
            .filter(|e| e.merged < e.taken)
            .ok_or_else(|| Error::Read("more check work merged than was taken".to_owned()))?;
        elsewhere.merged += 1;
        let mut merge = Merge {
            v: &mut live.v,
            digest: &mut live.digest,
        };
        merge.take_with(checked, form)?;
        Ok(())
    }

    /// The input has ended: the records gathered become the last check work.
    fn flush_elsewhere(&mut self) {
        if let Some(live) = &mut self.live {
            let full = live.v.full();
            if let Some(elsewhere) = &mut live.elsewhere {
                if let Some(batch) = elsewhere.gathering.take(full) {
                    elsewhere.queue(batch);
                }
            }
        }
    }

    /// Whether records are out with checkers elsewhere.
    fn out_elsewhere(&self) -> bool {
        self.live.as_ref().and_then(|l| l.elsewhere.as_ref()).is_some()
    }

    /// Ends the reading: every record merged, the packet-level findings made, and what
    /// follows the records written into the digest (once; then only the report is left).
    fn close(&mut self) -> Result<(), Error> {
        if self.closed {
            return Ok(());
        }
        self.settle()?;
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(live) = &mut self.live {
            // The checker threads end here.
            live.checkers = None;
        }
        if let Some(elsewhere) = self.live.as_ref().and_then(|l| l.elsewhere.as_ref()) {
            if elsewhere.merged < elsewhere.taken || !elsewhere.work.is_empty() {
                return Err(Error::Read(
                    "check work was not all taken, checked and merged back before the end".to_owned(),
                ));
            }
        }
        if let Some(held) = self.held.take() {
            return Err(held);
        }
        if self.live.is_none() {
            self.start_packet()?;
        }
        let Some(live) = &mut self.live else {
            return Err(Error::Catalog("the packet walk did not start".to_owned()));
        };
        if !self.list {
            let v = &mut live.v;
            for key in &self.members.duplicates {
                v.packet_finding(codes::FIELD_DUPLICATE, &format!("/{key}"), key, Vec::new(), None);
            }
            for key in &self.members.unknown {
                let suggestion = suggest::nearest(key, ["header", "records"]).map(str::to_owned);
                v.packet_finding(
                    codes::FIELD_UNKNOWN,
                    &format!("/{}", pointer_segment(key)),
                    key,
                    Vec::new(),
                    suggestion,
                );
            }
            match &self.members.records {
                Records::Absent | Records::Other(Value::Null) => {
                    v.packet_finding(codes::FIELD_MISSING, "/records", "records", Vec::new(), None)
                }
                Records::Streamed => {}
                Records::Other(_) => v.packet_finding(
                    codes::FIELD_TYPE,
                    "/records",
                    "records",
                    vec![("expected", "array".into())],
                    None,
                ),
            }
            self.members
                .digest_into(&mut live.digest, &live.catalog.header, live.catalog.entity(live.entity));
        }
        live.digest.seal();
        self.closed = true;
        Ok(())
    }

    /// Ends the walk: the packet-level findings, the digest, the report.
    pub(crate) fn finish(mut self) -> Result<(Report, Option<Collected>), Error> {
        self.close()?;
        let Some(live) = self.live.take() else {
            return Err(Error::Catalog("the packet walk did not start".to_owned()));
        };
        let (mut report, collected) = live.v.finish_collected();
        report.digest = Some(live.digest.finish()?);
        Ok((report, collected))
    }
}

impl<'c> Walk for PacketWalk<'c> {
    fn members(&mut self) -> &mut Members {
        &mut self.members
    }

    fn options(&self) -> &Options {
        &self.options
    }

    fn start_packet(&mut self) -> Result<(), Error> {
        self.begin()
    }

    fn list_start(&mut self) -> Result<(), Error> {
        self.list = true;
        let entity = self.options.entity.ok_or(Error::EntityNotNamed)?;
        let (catalog, shared): (&'c Catalog, _) = match self.fixed {
            Some(c) => (c, self.fixed_shared),
            None => {
                let c = Catalog::get()?;
                (c, Some(c))
            }
        };
        self.start(
            catalog,
            shared,
            entity,
            StreamingDigest::list(digest::Algorithm::Sha256),
        );
        Ok(())
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn go_parallel(&mut self) -> bool {
        self.checkers_wanted = true;
        // Before the header (an input pushed whole, say) the checkers start with the
        // first record, when the rule set can be shared.
        let later = self.live.is_none() && !self.collect && (self.fixed.is_none() || self.fixed_shared.is_some());
        self.start_checkers() || later
    }

    fn raw_record(&mut self, record: Raw<'_>) -> Result<bool, Error> {
        if self.elsewhere_wanted {
            self.start_elsewhere();
        }
        #[cfg(not(target_arch = "wasm32"))]
        if self.checkers_wanted {
            self.start_checkers();
        }
        let Some(live) = &mut self.live else {
            return Ok(false);
        };
        if let Some(elsewhere) = &mut live.elsewhere {
            live.count += 1;
            if let Some(batch) = elsewhere.gathering.add(record, live.v.full()) {
                elsewhere.queue(batch);
            }
            return Ok(true);
        }
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(checkers) = &mut live.checkers {
            let mut merge = Merge {
                v: &mut live.v,
                digest: &mut live.digest,
            };
            if record.len() > CHECKED_HERE_AFTER {
                // A large record is checked here, once every record before it is merged:
                // handed over it would be held three times at once (its bytes out, the
                // next ones gathered, the values), here once.
                checkers.drain(&mut merge)?;
                checkers.skip_one();
                return Ok(false);
            }
            live.count += 1;
            checkers.add(record, &mut merge)?;
            return Ok(true);
        }
        Ok(false)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn settle(&mut self) -> Result<(), Error> {
        if let Some(live) = &mut self.live {
            if let Some(checkers) = &mut live.checkers {
                let mut merge = Merge {
                    v: &mut live.v,
                    digest: &mut live.digest,
                };
                checkers.drain(&mut merge)?;
            }
        }
        Ok(())
    }

    fn hold(&mut self, error: Error) -> Result<(), Error> {
        if self.out_elsewhere() {
            self.held.get_or_insert(error);
            Ok(())
        } else {
            Err(error)
        }
    }

    fn stopped(&self) -> bool {
        self.held.is_some()
    }

    fn end_elsewhere(&mut self) {
        self.flush_elsewhere();
    }

    fn record(&mut self, record: Value) -> Option<Value> {
        self.take_record(record)
    }

    fn packet_digest(&mut self) -> Option<&mut StreamingDigest> {
        self.live.as_mut().map(|live| &mut live.digest)
    }

    fn ignored_attributes(&mut self, attributes: &[xml::IgnoredAttribute]) {
        if self.live.is_none() {
            // Findings need the validator, which waits for the header.
            self.pending_attributes.extend_from_slice(attributes);
            return;
        }
        self.report_attributes(attributes);
    }
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

pub(crate) fn record_of_path(path: &str, in_packet: bool) -> Option<usize> {
    let rest = if in_packet {
        path.strip_prefix("/records/")?
    } else {
        path.strip_prefix('/')?
    };
    rest.split('/').next()?.parse().ok()
}

/// What a reader feeds: the packet's members, then its records one at a time.
pub(crate) trait Walk {
    /// The packet's members gathered so far.
    fn members(&mut self) -> &mut Members;
    /// The options, whose limits bound what the reader holds and reads.
    fn options(&self) -> &Options;
    /// Starts the walk once the header is known (or known to be missing).
    fn start_packet(&mut self) -> Result<(), Error>;
    /// A member of the packet object other than a streamed `records` array.
    fn member(&mut self, key: &str, value: Value) {
        self.members().add(key, value);
    }
    /// The packet's first `records` member is an array: its records follow. The walk
    /// starts now when the header came first; else its records wait for the header.
    fn records_start(&mut self) -> Result<(), Error> {
        let members = self.members();
        if members.start_records() && members.header.is_some() {
            self.start_packet()?;
        }
        Ok(())
    }
    /// The input is a bare list of records.
    fn list_start(&mut self) -> Result<(), Error>;
    /// One record.
    /// One record; the walk hands it back when done with it (to be dropped where it was
    /// built), or keeps it until the header comes.
    fn record(&mut self, record: Value) -> Option<Value>;
    /// Attributes the XML form carried that hold no data.
    fn ignored_attributes(&mut self, attributes: &[xml::IgnoredAttribute]);
    /// The packet digest being computed; none before the walk has started.
    fn packet_digest(&mut self) -> Option<&mut StreamingDigest>;
    /// From now on, has the records checked on several threads ([`Checkers`]), handed
    /// over as bytes by [`Walk::raw_record`]; false when this walk cannot.
    #[cfg(not(target_arch = "wasm32"))]
    fn go_parallel(&mut self) -> bool {
        false
    }
    /// A record's text before it is read: true when taken as it is (see
    /// [`Sink::raw_record`]).
    fn raw_record(&mut self, _record: Raw<'_>) -> Result<bool, Error> {
        Ok(false)
    }
    /// Takes in every record handed over as bytes so far; the error of the first one that
    /// cannot be read.
    fn settle(&mut self) -> Result<(), Error> {
        Ok(())
    }
    /// An input error: given back at once, or held until the records out with checkers
    /// elsewhere are merged back (one of them may fail first).
    fn hold(&mut self, error: Error) -> Result<(), Error> {
        Err(error)
    }
    /// Whether an input error is held: the rest of the input is not read.
    fn stopped(&self) -> bool {
        false
    }
    /// The input has ended: what is gathered for checkers elsewhere becomes work.
    fn end_elsewhere(&mut self) {}
}

/// Records longer than this are checked on the caller's thread even when checker threads
/// run (see [`PacketWalk::raw_record`]).
#[cfg(not(target_arch = "wasm32"))]
const CHECKED_HERE_AFTER: usize = 1024 * 1024;

/// A record's text before it is read.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(crate) enum Raw<'a> {
    /// A JSON record's bytes (whole, syntax unchecked) and where they start.
    Json(&'a [u8], Position),
    /// An XML record's text.
    Xml(&'a xml::RawRecord<'a>),
}

impl Raw<'_> {
    /// The record's length in bytes.
    #[cfg(not(target_arch = "wasm32"))]
    fn len(&self) -> usize {
        match self {
            Raw::Json(bytes, _) => bytes.len(),
            Raw::Xml(r) => r.text.len(),
        }
    }
}

impl Elsewhere {
    /// A complete batch becomes check work, in its byte form; its storage is kept.
    fn queue(&mut self, batch: crate::checkers::Batch) {
        self.work.push_back(wire::write_batch(&self.setting, &batch));
        self.gathering.give_back(batch);
    }
}

/// A walk as the splitter's sink.
struct WalkSink<'w, W>(&'w mut W);

impl<W: Walk> Sink for WalkSink<'_, W> {
    fn piece(&mut self, piece: Parsed) -> Result<Option<Value>, Error> {
        apply(self.0, piece)
    }

    fn raw_record(&mut self, bytes: &[u8], at: Position) -> Result<bool, Error> {
        self.0.raw_record(Raw::Json(bytes, at))
    }

    fn raw_xml_record(&mut self, record: &xml::RawRecord<'_>) -> Result<bool, Error> {
        self.0.raw_record(Raw::Xml(record))
    }
}

/// Hands the hashing of the records checked so far to the worker (JSON only: see
/// [`Worker::hashes`]), to be done while the caller checks the next ones.
#[cfg(not(target_arch = "wasm32"))]
fn hand_hashing<W: Walk>(worker: &mut Worker, walk: &mut W, elsewhere: bool) {
    if worker.hashes() && !elsewhere {
        if let Some(work) = walk.packet_digest().and_then(StreamingDigest::hash_work) {
            worker.hash(work);
        }
    }
}

/// Reads an input pushed in chunks and drives a [`Walk`] with it, piece by piece.
pub(crate) struct Reader<W> {
    walk: W,
    split: Split,
    read: u64,
    /// The most bytes to read ([`Options::max_stream_bytes`]).
    max_read: Option<u64>,
    /// Whether a large input may be split on a worker thread.
    worker_allowed: bool,
    /// Whether the packet digest is hashed by the caller's other worker
    /// ([`PacketStream::hash_elsewhere`]), not by ours.
    hash_elsewhere: bool,
    /// Whether the walk checks the records on several threads (then the splitting
    /// stays here).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    parallel: bool,
}

/// Where the input is split: here, or (large inputs, several cores) on a worker thread.
enum Split {
    Here(Splitter),
    #[cfg(not(target_arch = "wasm32"))]
    Worker(Box<Worker>),
    /// While the splitting moves to the worker.
    #[cfg(not(target_arch = "wasm32"))]
    Gone,
    /// The input has ended.
    Ended,
}

/// Inputs larger than this are checked on checker threads (or split on a worker thread)
/// when there is a core for it.
#[cfg(not(target_arch = "wasm32"))]
const WORKER_AFTER_BYTES: u64 = 1024 * 1024;

impl<W: Walk> Reader<W> {
    pub(crate) fn new(walk: W) -> Reader<W> {
        let options = walk.options();
        let bounds = Bounds::new(options.max_record_bytes, options.max_records);
        let max_read = options.max_stream_bytes;
        Reader {
            walk,
            split: Split::Here(Splitter::new(bounds)),
            max_read,
            read: 0,
            worker_allowed: true,
            hash_elsewhere: false,
            parallel: false,
        }
    }

    /// The walk being fed.
    pub(crate) fn walk(&self) -> &W {
        &self.walk
    }

    /// The walk being fed, to take what it gathered.
    pub(crate) fn walk_mut(&mut self) -> &mut W {
        &mut self.walk
    }

    /// The walk, when no more input comes (a worker thread, if any, is stopped).
    pub(crate) fn into_walk(self) -> W {
        self.walk
    }

    /// Feeds the next chunk.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<(), Error> {
        if let Some(limit) = self.max_read {
            let left = limit.saturating_sub(self.read);
            if chunk.len() as u64 > left {
                // The bytes up to the limit are read first, so that an error in them is
                // the one given, whatever the chunks.
                let within = usize::try_from(left).unwrap_or(usize::MAX).min(chunk.len());
                self.push_unlimited(&chunk[..within])?;
                if self.walk.stopped() {
                    // An error before the limit is held: it is given at the end.
                    return Ok(());
                }
                self.walk.settle()?;
                return self.walk.hold(Error::StreamTooLarge { limit });
            }
        }
        self.push_unlimited(chunk)
    }

    /// Feeds the next chunk, within the limit.
    fn push_unlimited(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.read += chunk.len() as u64;
        #[cfg(not(target_arch = "wasm32"))]
        if self.worker_allowed
            && !self.parallel
            && self.read > WORKER_AFTER_BYTES
            && cores() > 1
            && matches!(self.split, Split::Here(_))
        {
            // Records are checked on several threads when the walk can; else the
            // splitting (and parsing) moves to one worker thread.
            if self.walk.go_parallel() {
                self.parallel = true;
            } else if self.max_read.is_none() {
                self.use_worker();
            } else {
                // With a limit on the bytes, the input stays split here so that an error
                // before the limit is found before the limit is (a worker may be behind).
                self.worker_allowed = false;
            }
        }
        let walk = &mut self.walk;
        match &mut self.split {
            Split::Here(splitter) => {
                if walk.stopped() {
                    return Ok(());
                }
                match splitter.push(chunk, &mut WalkSink(walk)) {
                    Ok(()) => Ok(()),
                    Err(e) => {
                        // A record before the point of the error may fail first.
                        walk.settle()?;
                        walk.hold(e)
                    }
                }
            }
            #[cfg(not(target_arch = "wasm32"))]
            Split::Worker(worker) => {
                hand_hashing(worker, walk, self.hash_elsewhere);
                let mut sink = |piece: Parsed| apply(walk, piece);
                worker.push(chunk, &mut sink)
            }
            #[cfg(not(target_arch = "wasm32"))]
            Split::Gone => Err(Error::Read("the splitter was lost".to_owned())),
            Split::Ended => Err(Error::Read("input pushed after its end".to_owned())),
        }
    }

    /// Moves the splitting (and what it has read so far) onto a worker thread.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn use_worker(&mut self) {
        if let Split::Here(splitter) = std::mem::replace(&mut self.split, Split::Gone) {
            self.split = match Worker::start(splitter) {
                Ok(worker) => Split::Worker(Box::new(worker)),
                Err(splitter) => Split::Here(splitter),
            };
        }
    }

    /// Feeds everything `reader` gives, in chunks of [`READ_CHUNK`] bytes.
    pub(crate) fn read_all<R: Read>(&mut self, mut reader: R, mut progress: impl FnMut(u64)) -> Result<(), Error> {
        let mut chunk = vec![0u8; READ_CHUNK];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) => return Ok(()),
                Ok(n) => self.push(&chunk[..n])?,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Read(e.to_string())),
            }
            progress(self.read);
        }
    }

    /// Ends the input; the walk has seen all of it.
    pub(crate) fn end(mut self) -> Result<W, Error> {
        self.end_input()?;
        Ok(self.walk)
    }

    /// Ends the input (once; later calls do nothing): the last pieces go to the walk.
    pub(crate) fn end_input(&mut self) -> Result<(), Error> {
        let walk = &mut self.walk;
        match std::mem::replace(&mut self.split, Split::Ended) {
            Split::Here(splitter) => {
                if walk.stopped() {
                    return Ok(());
                }
                let finished = splitter.finish(&mut WalkSink(walk));
                walk.settle()?;
                if let Err(e) = finished {
                    walk.hold(e)?;
                }
                walk.end_elsewhere();
            }
            #[cfg(not(target_arch = "wasm32"))]
            Split::Worker(mut worker) => {
                // Only the worker thread (not in WebAssembly) has hashing to leave alone.
                hand_hashing(&mut worker, walk, self.hash_elsewhere);
                let hasher = worker.finish(&mut |piece: Parsed| apply(walk, piece))?;
                if let (Some(digest), false) = (walk.packet_digest(), self.hash_elsewhere) {
                    digest.hasher_back(hasher);
                }
            }
            Split::Ended => {}
            #[cfg(not(target_arch = "wasm32"))]
            Split::Gone => return Err(Error::Read("the splitter was lost".to_owned())),
        }
        Ok(())
    }
}

/// The cores this process may use (1 when unknown).
#[cfg(not(target_arch = "wasm32"))]
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// Hands one parsed piece to the walk; gives back a record the walk is done with.
fn apply<W: Walk>(walk: &mut W, piece: Parsed) -> Result<Option<Value>, Error> {
    match piece {
        Parsed::Member { key, value } => walk.member(&key, value),
        Parsed::RecordsStart => walk.records_start()?,
        Parsed::ListStart => walk.list_start()?,
        Parsed::Record(record) => return Ok(walk.record(record)),
        Parsed::Attributes(attributes) => walk.ignored_attributes(&attributes),
    }
    Ok(None)
}

/// Validates a packet pushed in chunks of any size: the same report as [`crate::validate`]
/// on the whole input, with memory that does not grow with the number of records.
///
/// ```
/// let packet = r#"{"header": {"entity": "legal_act", "packet_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
///   "sender_bin": "081140000436", "created_at": "01.02.2024 10:00"},
///   "records": [{"name_ru": "Закон", "accept_date": "01.07.2024", "download_url": "https://adilet.example/Z1"}]}"#
///   .as_bytes();
/// let mut stream = tekser::PacketStream::new(&tekser::Options::default()).expect("options");
/// for chunk in packet.chunks(7) {
///     stream.push(chunk).expect("readable so far");
/// }
/// let report = stream.finish().expect("a packet");
/// assert_eq!(report.to_json(), tekser::validate(packet, &tekser::Options::default()).expect("a packet").to_json());
/// ```
pub struct PacketStream<'c> {
    reader: Reader<PacketWalk<'c>>,
}

impl PacketStream<'static> {
    /// A stream validated as [`crate::validate`] does (rule set by the options, the
    /// header, or its date).
    pub fn new(options: &Options) -> Result<PacketStream<'static>, Error> {
        let named = match &options.rule_set {
            Some(name) => Some(Catalog::named(name)?),
            None => None,
        };
        Catalog::get()?;
        Ok(PacketStream::build(options, named, false).shared_catalog(named))
    }
}

impl<'c> PacketStream<'c> {
    /// A stream validated against one catalog (e.g. with run-time dictionaries).
    pub fn with_catalog(catalog: &'c Catalog, options: &Options) -> PacketStream<'c> {
        PacketStream::build(options, Some(catalog), false)
    }

    pub(crate) fn build(options: &Options, fixed: Option<&'c Catalog>, collect: bool) -> PacketStream<'c> {
        PacketStream {
            reader: Reader::new(PacketWalk::new(options, fixed, collect)),
        }
    }

    /// Says that the fixed catalog (if any) is `shared`, one that lives as long as the
    /// program: checker threads may then share it.
    pub(crate) fn shared_catalog(mut self, shared: Option<&'static Catalog>) -> PacketStream<'c> {
        self.reader.walk.fixed_shared = shared;
        self
    }

    /// Keeps all the work on the caller's thread (by default a large input is split and
    /// parsed on a worker thread when the machine has a second core). The report is the
    /// same either way; this is for callers that budget their own threads, and for
    /// measuring one thread.
    pub fn on_one_thread(mut self) -> PacketStream<'c> {
        self.reader.worker_allowed = false;
        self
    }

    /// Has the packet digest hashed elsewhere: by a second worker of a WebAssembly page,
    /// which has no threads of its own, while this one checks the next records. After each
    /// push, [`PacketStream::take_hash_work`] gives what to hand to a
    /// [`crate::RemoteHasher`] there; the hasher comes back with
    /// [`PacketStream::finish_with_hasher`]. The report is the same as without.
    pub fn hash_elsewhere(mut self) -> PacketStream<'c> {
        self.reader.hash_elsewhere = true;
        self
    }

    /// The hashing of the records checked since the last call, as bytes for
    /// [`crate::RemoteHasher::apply`] (the first work carries the hasher itself); `None`
    /// when there is none yet or the stream was not made with
    /// [`PacketStream::hash_elsewhere`].
    pub fn take_hash_work(&mut self) -> Option<Vec<u8>> {
        if !self.reader.hash_elsewhere {
            return None;
        }
        let work = self.reader.walk.packet_digest()?.hash_work()?;
        Some(work.into_bytes())
    }

    /// Has the records checked elsewhere: by checkers in other workers of a WebAssembly
    /// page (which has no threads of its own), each with a [`crate::RecordChecker`].
    /// This stream then only cuts the records into batches and merges what the
    /// checkers found, in order; the report is the same as without.
    ///
    /// After each push, hand each [`PacketStream::take_check_work`] to a checker and give
    /// what it returns to [`PacketStream::merge_checked`], in the order the work was
    /// taken. After the last push, [`PacketStream::end_input`] makes the last work; once
    /// every work is merged, [`PacketStream::finish`] gives the report. An input error is
    /// then held until the work before it is merged (a record there may fail first);
    /// [`PacketStream::stopped`] says the rest of the input need not be pushed.
    ///
    /// Records go elsewhere only with a built-in rule set (not a catalog made at run
    /// time): otherwise they are checked here and there is never any work.
    pub fn check_elsewhere(mut self) -> PacketStream<'c> {
        self.reader.walk.elsewhere_wanted = true;
        self.reader.worker_allowed = false;
        self
    }

    /// The next batch of records to check elsewhere, as bytes for
    /// [`crate::RecordChecker::check`]; `None` when there is none now.
    pub fn take_check_work(&mut self) -> Option<Vec<u8>> {
        self.reader.walk.take_check_work()
    }

    /// Merges what a checker found in the oldest work taken and not yet merged. An `Err`
    /// is the error of a record of that work that could not be read (the packet's error,
    /// as [`PacketStream::push`] would give it), or bytes that are not a checker's.
    pub fn merge_checked(&mut self, found: &[u8]) -> Result<(), Error> {
        self.reader.walk.merge_checked(found)
    }

    /// How many bytes at the start of what a checker found come before the records'
    /// canonical form (the rest), read from its first [`PacketStream::CHECKED_PREFIX`]
    /// bytes: with [`PacketStream::hash_outside`], a host that must copy bytes into the
    /// library (WebAssembly) copies only those and hashes the rest itself
    /// ([`PacketStream::merge_checked_head`]).
    pub fn checked_head_len(prefix: &[u8]) -> Result<usize, Error> {
        wire::head_len(prefix)
    }

    /// Bytes of what a checker found that [`PacketStream::checked_head_len`] needs.
    pub const CHECKED_PREFIX: usize = wire::FOUND_PREFIX;

    /// With [`PacketStream::hash_outside`]: merges what a checker found given as its head
    /// (the first [`PacketStream::checked_head_len`] bytes) and the length of the rest.
    /// The host then feeds [`PacketStream::take_hash_bytes`] and right after it the rest
    /// of what the checker found to its SHA-256, before anything else. Same report.
    pub fn merge_checked_head(&mut self, head: &[u8], rest: usize) -> Result<(), Error> {
        self.reader.walk.merge_checked_head(head, rest)
    }

    /// Ends the input without finishing: the last pieces are read and the last records
    /// become check work ([`PacketStream::check_elsewhere`]). [`PacketStream::finish`]
    /// does it when it was not done.
    pub fn end_input(&mut self) -> Result<(), Error> {
        self.reader.end_input()
    }

    /// Whether an input error is held ([`PacketStream::check_elsewhere`]): what is pushed
    /// from now on is not read; merge the work taken and finish to have the error.
    pub fn stopped(&self) -> bool {
        self.reader.walk.stopped()
    }

    /// Has the packet digest (SHA-256) hashed outside the library: by a host that has
    /// SHA-256 with the CPU's instructions where the library has not (Node's
    /// `node:crypto` beside the WebAssembly package). After each push (and merge), feed
    /// [`PacketStream::take_hash_bytes`] to the outside SHA-256, in order; then feed
    /// [`PacketStream::end_hashing`], and give the hex digest to
    /// [`PacketStream::finish_with_digest`]. The report is the same as without.
    pub fn hash_outside(mut self) -> PacketStream<'c> {
        self.reader.walk.hash_outside = true;
        // Not hashed by this library's worker thread either.
        self.reader.hash_elsewhere = true;
        self
    }

    /// The bytes to hash outside gathered since the last call, in order
    /// ([`PacketStream::hash_outside`]); `None` when there are none.
    pub fn take_hash_bytes(&mut self) -> Option<Vec<u8>> {
        let digest = self.reader.walk.packet_digest()?;
        if !digest.is_outside() {
            return None;
        }
        digest.take_outside().filter(|b| !b.is_empty()).map(String::into_bytes)
    }

    /// Ends the input and gives the last bytes to hash outside
    /// ([`PacketStream::hash_outside`]; with checkers elsewhere, once all their work is
    /// merged). An `Err` is the packet's error, as [`PacketStream::finish`] gives it.
    pub fn end_hashing(&mut self) -> Result<Vec<u8>, Error> {
        self.reader.end_input()?;
        self.reader.walk.close()?;
        Ok(self.take_hash_bytes().unwrap_or_default())
    }

    /// Ends with the SHA-256 the outside hasher gave for every byte taken (64 hex
    /// digits), and returns the report.
    pub fn finish_with_digest(mut self, sha256_hex: &str) -> Result<Report, Error> {
        let hex = sha256_hex.trim().to_ascii_lowercase();
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Read(format!(
                "the outside digest {sha256_hex:?} is not 64 hexadecimal digits"
            )));
        }
        if !self.end_hashing()?.is_empty() {
            return Err(Error::Read(
                "bytes to hash outside were left untaken before the digest was given".to_owned(),
            ));
        }
        if let Some(digest) = self.reader.walk.packet_digest() {
            digest.set_outside_digest(hex);
        }
        self.finish()
    }

    /// Ends the input with the hasher back from elsewhere ([`crate::RemoteHasher::state`]
    /// once every work taken was applied) and returns the report.
    pub fn finish_with_hasher(self, state: &[u8]) -> Result<Report, Error> {
        let hasher = crate::digest::Hasher::from_state(state)
            .ok_or_else(|| Error::Read("hash work: not a hasher's state".to_owned()))?;
        let mut walk = self.reader.end()?;
        if let Some(digest) = walk.packet_digest() {
            digest.hasher_back(Some(hasher));
        }
        walk.finish().map(|(report, _)| report)
    }

    /// Bytes pushed so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.reader.read
    }

    /// Feeds the next chunk. An `Err` means the input cannot be read as a packet; the
    /// stream must not be used after it.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.reader.push(chunk)
    }

    /// Feeds everything `reader` gives, in chunks of [`READ_CHUNK`] bytes; `progress` is
    /// called with the bytes read so far after each chunk. A read error is [`Error::Read`].
    pub fn read_all<R: Read>(&mut self, reader: R, progress: impl FnMut(u64)) -> Result<(), Error> {
        self.reader.read_all(reader, progress)
    }

    /// Ends the input and returns the report.
    pub fn finish(self) -> Result<Report, Error> {
        self.finish_collected().map(|(report, _)| report)
    }

    /// Ends the input; also hands over what was gathered for dataset checks.
    pub(crate) fn finish_collected(self) -> Result<(Report, Option<Collected>), Error> {
        self.reader.end()?.finish()
    }
}

/// The integrity digests of a packet as it streams: the packet digest, and when asked
/// the per-record digests (a list that grows with the packet, as the caller wants it).
pub(crate) struct DigestWalk {
    options: Options,
    algorithm: digest::Algorithm,
    per_record: bool,
    list: bool,
    members: Members,
    live: Option<DigestLive>,
    pending: Vec<Value>,
}

struct DigestLive {
    entity: Entity,
    whole: StreamingDigest,
    records: Option<RecordDigests>,
    count: usize,
}

impl DigestWalk {
    pub(crate) fn new(options: &Options, algorithm: digest::Algorithm, per_record: bool) -> DigestWalk {
        DigestWalk {
            options: options.clone(),
            algorithm,
            per_record,
            list: false,
            members: Members::default(),
            live: None,
            pending: Vec::new(),
        }
    }

    fn start(&mut self, entity: Entity, whole: StreamingDigest) -> Result<(), Error> {
        self.live = Some(DigestLive {
            entity,
            whole,
            records: self.per_record.then(|| RecordDigests::new(self.algorithm)),
            count: 0,
        });
        for record in std::mem::take(&mut self.pending) {
            self.record(record);
        }
        Ok(())
    }

    fn begin(&mut self) -> Result<(), Error> {
        let entity = entity_of(self.members.header.as_ref(), &self.options)?;
        let streamed = matches!(self.members.records, Records::Streamed);
        self.start(entity, StreamingDigest::packet(self.algorithm, streamed))
    }

    /// The digests, once the input has ended.
    pub(crate) fn finish(mut self) -> Result<PacketDigest, Error> {
        if self.live.is_none() {
            self.start_packet()?;
        }
        let Some(mut live) = self.live.take() else {
            return Err(Error::Catalog("the digest walk did not start".to_owned()));
        };
        let catalog = Catalog::get()?;
        if !self.list {
            self.members
                .digest_into(&mut live.whole, &catalog.header, catalog.entity(live.entity));
        }
        let whole = live.whole.finish()?;
        let packet_id = if self.list {
            None
        } else {
            packet_id_of(self.members.header.as_ref())
        };
        let records = live.records.unwrap_or_else(|| RecordDigests::new(self.algorithm));
        Ok(records.finish(live.entity, packet_id, whole))
    }
}

impl Walk for DigestWalk {
    fn members(&mut self) -> &mut Members {
        &mut self.members
    }

    fn options(&self) -> &Options {
        &self.options
    }

    fn start_packet(&mut self) -> Result<(), Error> {
        self.begin()
    }

    fn list_start(&mut self) -> Result<(), Error> {
        self.list = true;
        let entity = self.options.entity.ok_or(Error::EntityNotNamed)?;
        self.start(entity, StreamingDigest::list(self.algorithm))
    }

    fn record(&mut self, record: Value) -> Option<Value> {
        let Some(live) = &mut self.live else {
            self.pending.push(record);
            return None;
        };
        let Ok(catalog) = Catalog::get() else {
            return Some(record);
        };
        let schema = catalog.entity(live.entity);
        live.whole.record(&record, schema);
        if let Some(records) = &mut live.records {
            records.push(&record, schema, live.count);
        }
        live.count += 1;
        Some(record)
    }

    fn ignored_attributes(&mut self, _attributes: &[xml::IgnoredAttribute]) {}

    fn packet_digest(&mut self) -> Option<&mut StreamingDigest> {
        self.live.as_mut().map(|live| &mut live.whole)
    }
}

/// Validates a packet read from `reader` in chunks of [`READ_CHUNK`] bytes; `progress`
/// is called with the bytes read so far after each chunk.
pub fn validate_reader<R: Read>(reader: R, options: &Options, progress: impl FnMut(u64)) -> Result<Report, Error> {
    let mut stream = PacketStream::new(options)?;
    stream.read_all(reader, progress)?;
    stream.finish()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::entity::Entity;

    /// Every packet file of the conformance corpus, with the entity its folder names.
    fn corpus() -> Vec<(std::path::PathBuf, Option<Entity>)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
        let mut files = Vec::new();
        let Ok(folders) = std::fs::read_dir(&root) else {
            return files;
        };
        for folder in folders.flatten() {
            let entity = folder.file_name().to_str().and_then(|n| n.parse::<Entity>().ok());
            let Ok(entries) = std::fs::read_dir(folder.path()) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = path.to_string_lossy();
                if (name.ends_with(".json") || name.ends_with(".xml")) && !name.ends_with(".report.json") {
                    files.push((path, entity));
                }
            }
        }
        files.sort();
        files
    }

    /// An error as the tests compare it: its kind and its words (which say where).
    fn said(e: Error) -> String {
        format!("{}: {e}", e.kind())
    }

    fn validated(input: &[u8], options: &Options, chunk: usize, worker: bool) -> Result<String, String> {
        let mut stream = PacketStream::new(options).map_err(said)?;
        if worker {
            stream.reader.use_worker();
        }
        for piece in input.chunks(chunk) {
            stream.push(piece).map_err(said)?;
        }
        stream.finish().map(|r| r.to_json()).map_err(said)
    }

    fn digested(input: &[u8], options: &Options, worker: bool) -> Result<PacketDigestText, String> {
        let mut reader = Reader::new(DigestWalk::new(options, digest::Algorithm::Sha256, true));
        if worker {
            reader.use_worker();
        }
        for piece in input.chunks(4096) {
            reader.push(piece).map_err(|e| e.kind().to_owned())?;
        }
        let digest = reader
            .end()
            .and_then(DigestWalk::finish)
            .map_err(|e| e.kind().to_owned())?;
        Ok(format!("{digest:?}"))
    }

    type PacketDigestText = String;

    #[test]
    fn a_worker_thread_gives_the_same_reports_and_digests_on_the_whole_corpus() {
        let files = corpus();
        assert!(files.len() > 100, "the corpus is found ({} files)", files.len());
        for (path, entity) in files {
            let input = std::fs::read(&path).expect("a corpus file reads");
            let options = Options {
                entity,
                max_findings: 7,
                ..Options::default()
            };
            let here = validated(&input, &options, 4096, false);
            for chunk in [7, 4096] {
                assert_eq!(
                    validated(&input, &options, chunk, true),
                    here,
                    "{} in chunks of {chunk}",
                    path.display()
                );
            }
            assert_eq!(
                digested(&input, &options, true),
                digested(&input, &options, false),
                "digest of {}",
                path.display()
            );
        }
    }

    /// Packets whose records went to checker threads (in any test).
    static CHECKED_ON_THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    /// Validates with the records checked on checker threads from the first record on.
    fn validated_on_checkers(input: &[u8], options: &Options, chunk: usize, elsewhere: bool) -> Result<String, String> {
        let mut stream = PacketStream::new(options).map_err(said)?;
        if elsewhere {
            stream = stream.hash_elsewhere();
        }
        stream.reader.walk.checkers_wanted = true;
        let mut remote = crate::RemoteHasher::new();
        for piece in input.chunks(chunk) {
            stream.push(piece).map_err(said)?;
            if let Some(work) = stream.take_hash_work() {
                remote.apply(&work).map_err(said)?;
            }
        }
        if stream.reader.walk.live.as_ref().is_some_and(|l| l.checkers.is_some()) {
            CHECKED_ON_THREADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        match remote.state() {
            Ok(state) => stream.finish_with_hasher(&state),
            Err(_) => stream.finish(),
        }
        .map(|r| r.to_json())
        .map_err(said)
    }

    #[test]
    fn checker_threads_give_the_same_reports_on_the_whole_corpus() {
        let files = corpus();
        assert!(files.len() > 100, "the corpus is found ({} files)", files.len());
        for (path, entity) in files {
            let input = std::fs::read(&path).expect("a corpus file reads");
            for max_findings in [3, 1000] {
                let options = Options {
                    entity,
                    max_findings,
                    ..Options::default()
                };
                let here = validated(&input, &options, 4096, false);
                for (chunk, elsewhere) in [(1, false), (7, true), (4096, false)] {
                    assert_eq!(
                        validated_on_checkers(&input, &options, chunk, elsewhere),
                        here,
                        "{} in chunks of {chunk}, at most {max_findings} findings, hashed elsewhere: {elsewhere}",
                        path.display()
                    );
                }
            }
        }
        let parallel = CHECKED_ON_THREADS.load(std::sync::atomic::Ordering::Relaxed);
        assert!(parallel > 300, "packets checked on checker threads: {parallel}");
    }

    /// Records of `many` plan items (with repeats of keys and winners far apart, and an
    /// unreadable record when `broken`), as a packet.
    fn many_records(records: usize, broken: Option<usize>) -> Vec<u8> {
        let example =
            std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/plan_item.json"))
                .expect("the example reads");
        let text = String::from_utf8(example).expect("UTF-8");
        let start = text.find("\"records\"").expect("records");
        let open = start + text[start..].find('[').expect("[");
        let close = text.rfind(']').expect("]");
        let record = text[open + 1..close].trim();
        let mut out = String::from(&text[..open + 1]);
        for i in 0..records {
            if i > 0 {
                out.push(',');
            }
            if Some(i) == broken {
                out.push_str("{\"id\": tru}");
            } else if i % 997 == 5 {
                // A repeat of the first record's key, far from it.
                out.push_str(record);
            } else {
                out.push_str(&record.replacen("\"id\"", &format!("\"x_{i}\": {i}, \"id\""), 1));
            }
        }
        out.push_str(&text[close..]);
        out.into_bytes()
    }

    /// Validates with the records checked elsewhere: the work goes as bytes to two
    /// [`crate::RecordChecker`]s in turn and comes back, as from workers, `lag` works late.
    fn validated_elsewhere(input: &[u8], options: &Options, chunk: usize, lag: usize) -> Result<String, String> {
        let mut stream = PacketStream::new(options).map_err(said)?.check_elsewhere();
        let mut checkers = [crate::RecordChecker::new(), crate::RecordChecker::new()];
        let mut out: std::collections::VecDeque<Vec<u8>> = std::collections::VecDeque::new();
        let mut taken = 0;
        let mut step = |stream: &mut PacketStream, lag: usize| -> Result<(), String> {
            while let Some(work) = stream.take_check_work() {
                out.push_back(checkers[taken % 2].check(&work).map_err(said)?);
                taken += 1;
            }
            while out.len() > lag {
                if let Some(found) = out.pop_front() {
                    stream.merge_checked(&found).map_err(said)?;
                }
            }
            Ok(())
        };
        for piece in input.chunks(chunk) {
            if stream.stopped() {
                break;
            }
            stream.push(piece).map_err(said)?;
            step(&mut stream, lag)?;
        }
        stream.end_input().map_err(said)?;
        step(&mut stream, 0)?;
        if stream.reader.walk.out_elsewhere() {
            CHECKED_ON_THREADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        stream.finish().map(|r| r.to_json()).map_err(said)
    }

    #[test]
    fn checkers_elsewhere_give_the_same_reports_on_the_whole_corpus() {
        let before = CHECKED_ON_THREADS.load(std::sync::atomic::Ordering::Relaxed);
        for (path, entity) in corpus() {
            let input = std::fs::read(&path).expect("a corpus file reads");
            for max_findings in [3, 1000] {
                let options = Options {
                    entity,
                    max_findings,
                    ..Options::default()
                };
                let here = validated(&input, &options, 4096, false);
                for (chunk, lag) in [(1, 0), (7, 3), (4096, 1)] {
                    assert_eq!(
                        validated_elsewhere(&input, &options, chunk, lag),
                        here,
                        "{} in chunks of {chunk}, at most {max_findings} findings, {lag} works late",
                        path.display()
                    );
                }
            }
        }
        let elsewhere = CHECKED_ON_THREADS.load(std::sync::atomic::Ordering::Relaxed) - before;
        assert!(elsewhere > 300, "packets checked elsewhere: {elsewhere}");
    }

    /// Checks and merges every work the stream has out (`check_elsewhere`), at once.
    fn check_all(stream: &mut PacketStream, checker: &mut crate::RecordChecker) -> Result<(), String> {
        while let Some(work) = stream.take_check_work() {
            stream
                .merge_checked(&checker.check(&work).map_err(said)?)
                .map_err(said)?;
        }
        Ok(())
    }

    #[test]
    fn large_records_checked_on_the_callers_thread_give_the_same_report() {
        // Every 300th record past a megabyte (checked on the caller's thread between the
        // batches of the checker threads), repeats of keys across both kinds.
        let mut out = String::from_utf8(many_records(2_000, None)).expect("UTF-8");
        let padding = "я".repeat(600 * 1024);
        for k in (1..2_000).step_by(300) {
            let at = format!("\"x_{k}\": {k}, ");
            out = out.replacen(&at, &format!("{at}\"x_pad\": \"{padding}\", "), 1);
        }
        for max_findings in [10, 100_000] {
            let options = Options {
                max_findings,
                ..Options::default()
            };
            let here = validated(out.as_bytes(), &options, 64 * 1024, false);
            assert!(here.as_ref().is_ok_and(|r| r.contains("x_pad")), "{here:?}");
            assert_eq!(validated_on_checkers(out.as_bytes(), &options, 64 * 1024, false), here);
        }
    }

    #[test]
    fn a_record_past_the_limit_is_the_same_error_however_the_input_is_chunked() {
        let mut refused = 0;
        for (path, entity) in corpus() {
            let input = std::fs::read(&path).expect("a corpus file reads");
            // Small limits, so that most packets have a record or member past them.
            for max_record_bytes in [40, 300, 2000] {
                let options = Options {
                    entity,
                    max_record_bytes,
                    ..Options::default()
                };
                let whole = validated(&input, &options, input.len().max(1), false);
                refused += usize::from(whole.as_ref().is_err_and(|e| e.starts_with("too_large")));
                for chunk in [1, 7, 4096] {
                    assert_eq!(
                        validated(&input, &options, chunk, false),
                        whole,
                        "{} in chunks of {chunk}, records of at most {max_record_bytes} bytes",
                        path.display()
                    );
                }
                assert_eq!(
                    validated_on_checkers(&input, &options, 7, false),
                    whole,
                    "{} on checker threads",
                    path.display()
                );
            }
        }
        assert!(refused > 100, "packets refused for a record past the limit: {refused}");
        // The members other than the records are kept to the end: together they may not
        // pass the limit either (a million unknown members took 556 MB).
        let mut many = String::from(r#"{"header": {"entity": "legal_act"}, "records": []"#);
        for i in 0..200 {
            many.push_str(&format!(r#", "x{i:03}": "{}""#, "v".repeat(20)));
        }
        many.push('}');
        let limited = Options {
            max_record_bytes: 2000,
            ..Options::default()
        };
        for chunk in [3, many.len()] {
            let outcome = validated(many.as_bytes(), &limited, chunk, false);
            assert!(
                outcome
                    .as_ref()
                    .is_err_and(|e| e.starts_with("too_large") && e.contains("together")),
                "{outcome:?}"
            );
            assert!(validated(many.as_bytes(), &Options::default(), chunk, false).is_ok());
        }
        // Exactly at the limit is read; one byte more is not (the record is the longest
        // piece of this packet).
        let packet =
            r#"{"header": {"entity": "legal_act"}, "records": [{"name_ru": "Закон о государственных закупках"}]}"#
                .as_bytes();
        let record = r#"{"name_ru": "Закон о государственных закупках"}"#.len();
        for (max_record_bytes, refused) in [(record, false), (record - 1, true)] {
            let options = Options {
                max_record_bytes,
                ..Options::default()
            };
            for chunk in [1, 5, packet.len()] {
                let outcome = validated(packet, &options, chunk, false);
                assert_eq!(
                    outcome.as_ref().is_err_and(|e| e.starts_with("too_large")),
                    refused,
                    "limit {max_record_bytes}, chunks of {chunk}: {outcome:?}"
                );
            }
        }
    }

    /// How records are checked when the digest is hashed outside.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Checking {
        Here,
        /// Elsewhere, what a checker found merged whole.
        Elsewhere,
        /// Elsewhere, merged as its head, the canonical form hashed outside directly.
        Heads,
    }

    /// Validates with the packet digest hashed outside (here by the sha2 crate directly),
    /// the records checked here or elsewhere.
    fn validated_hashing_outside(
        input: &[u8],
        options: &Options,
        chunk: usize,
        checking: Checking,
    ) -> Result<String, String> {
        use sha2::Digest;
        let mut stream = PacketStream::new(options).map_err(said)?.hash_outside();
        if checking != Checking::Here {
            stream = stream.check_elsewhere();
        }
        let mut checker = crate::RecordChecker::new();
        let mut outside = sha2::Sha256::new();
        let mut check = |stream: &mut PacketStream, outside: &mut sha2::Sha256| -> Result<(), String> {
            if checking != Checking::Heads {
                return check_all(stream, &mut checker);
            }
            while let Some(work) = stream.take_check_work() {
                let found = checker.check(&work).map_err(said)?;
                let prefix = found.get(..PacketStream::CHECKED_PREFIX).ok_or("no prefix")?;
                let n = PacketStream::checked_head_len(prefix).map_err(said)?;
                let (head, rest) = found.split_at(n);
                stream.merge_checked_head(head, rest.len()).map_err(said)?;
                if let Some(bytes) = stream.take_hash_bytes() {
                    outside.update(&bytes);
                }
                outside.update(rest);
            }
            Ok(())
        };
        for piece in input.chunks(chunk) {
            if stream.stopped() {
                break;
            }
            stream.push(piece).map_err(said)?;
            check(&mut stream, &mut outside)?;
            if let Some(bytes) = stream.take_hash_bytes() {
                outside.update(&bytes);
            }
        }
        stream.end_input().map_err(said)?;
        check(&mut stream, &mut outside)?;
        outside.update(stream.end_hashing().map_err(said)?);
        let hex: String = outside.finalize().iter().map(|b| format!("{b:02x}")).collect();
        stream.finish_with_digest(&hex).map(|r| r.to_json()).map_err(said)
    }

    #[test]
    fn hashing_outside_gives_the_same_reports_on_the_whole_corpus() {
        for (path, entity) in corpus() {
            let input = std::fs::read(&path).expect("a corpus file reads");
            let options = Options {
                entity,
                ..Options::default()
            };
            let here = validated(&input, &options, 4096, false);
            for (chunk, checking) in [
                (1, Checking::Here),
                (7, Checking::Elsewhere),
                (5, Checking::Heads),
                (4096, Checking::Here),
                (4096, Checking::Elsewhere),
                (4096, Checking::Heads),
            ] {
                assert_eq!(
                    validated_hashing_outside(&input, &options, chunk, checking),
                    here,
                    "{} in chunks of {chunk}, checked {checking:?}",
                    path.display()
                );
            }
        }
        // A digest not given, or not a digest, is an error, not a report.
        let input = many_records(50, None);
        let mut stream = PacketStream::new(&Options::default()).expect("stream").hash_outside();
        stream.push(&input).expect("pushed");
        assert!(stream
            .take_hash_bytes()
            .is_some_and(|b| b.starts_with(b"{\"records\":[")));
        assert_eq!(stream.finish().map_err(|e| e.kind()).err(), Some("read"));
        let mut stream = PacketStream::new(&Options::default()).expect("stream").hash_outside();
        stream.push(&input).expect("pushed");
        assert_eq!(
            stream.finish_with_digest("12ab").map_err(|e| e.kind()).err(),
            Some("read")
        );
    }

    #[test]
    fn check_work_refuses_other_bytes_and_a_stream_refuses_unmerged_work() {
        let mut checker = crate::RecordChecker::new();
        for bytes in [&b""[..], b"TKW1", b"TKW2\0\0\0\0", b"{\"records\": []}"] {
            assert!(checker.check(bytes).is_err(), "{bytes:?}");
        }
        let input = many_records(600, None);
        let mut stream = PacketStream::new(&Options::default())
            .expect("stream")
            .check_elsewhere();
        stream.push(&input).expect("pushed");
        stream.end_input().expect("ended");
        let work = stream.take_check_work().expect("work");
        assert!(stream.merge_checked(&work).is_err(), "work is not what a checker found");
        let found = checker.check(&work).expect("checked");
        let n = PacketStream::checked_head_len(&found).expect("a head");
        for cut in [0, 3, PacketStream::CHECKED_PREFIX, n - 1, found.len() - 1] {
            assert!(stream.merge_checked(&found[..cut]).is_err(), "cut at {cut}");
        }
        assert!(
            stream.merge_checked_head(&found[..n], found.len() - n).is_err(),
            "a head alone while the digest is hashed here"
        );
        assert!(stream.merge_checked(&found).is_ok());
        assert!(stream.merge_checked(&found).is_err(), "merged twice");
        let left = stream.take_check_work().is_some();
        assert!(left, "600 plan items are more than one batch");
        assert_eq!(stream.finish().map_err(|e| e.kind()).err(), Some("read"));
    }

    #[test]
    fn checker_threads_give_the_same_report_on_many_records_and_the_same_first_error() {
        for max_findings in [10, 100_000] {
            let options = Options {
                max_findings,
                ..Options::default()
            };
            let input = many_records(20_000, None);
            let here = validated(&input, &options, 64 * 1024, false);
            assert!(
                here.as_ref().is_ok_and(|r| r.contains("record.duplicate_key")),
                "{here:?}"
            );
            assert_eq!(validated_on_checkers(&input, &options, 64 * 1024, false), here);
            assert_eq!(validated_on_checkers(&input, &options, 1000, true), here);
            assert_eq!(validated_elsewhere(&input, &options, 64 * 1024, 5), here);
        }
        // A record that cannot be read, followed by a splitting error much later: the
        // record's error comes first, as on one thread.
        let mut input = many_records(20_000, Some(7_000));
        input.truncate(input.len() - 3);
        input.extend_from_slice(b"}}}");
        let here = validated(&input, &Options::default(), 64 * 1024, false);
        assert!(
            here.as_ref()
                .is_err_and(|e| e.starts_with("json") && e.contains("line")),
            "{here:?}"
        );
        assert_eq!(
            validated_on_checkers(&input, &Options::default(), 64 * 1024, false),
            here
        );
    }

    /// Validates with the packet digest hashed elsewhere: the work taken after each push
    /// goes through bytes to a [`RemoteHasher`], whose state comes back at the end.
    fn validated_hashing_elsewhere(
        input: &[u8],
        options: &Options,
        chunk: usize,
        worker: bool,
    ) -> Result<String, String> {
        let mut stream = PacketStream::new(options).map_err(said)?.hash_elsewhere();
        if worker {
            stream.reader.use_worker();
        }
        let mut remote = crate::RemoteHasher::new();
        for piece in input.chunks(chunk) {
            stream.push(piece).map_err(said)?;
            if let Some(work) = stream.take_hash_work() {
                remote.apply(&work).map_err(said)?;
            }
        }
        let Ok(state) = remote.state() else {
            // No record was checked: the hasher never left.
            return stream.finish().map(|r| r.to_json()).map_err(said);
        };
        stream.finish_with_hasher(&state).map(|r| r.to_json()).map_err(said)
    }

    #[test]
    fn hashing_elsewhere_gives_the_same_reports_on_the_whole_corpus() {
        for (path, entity) in corpus() {
            let input = std::fs::read(&path).expect("a corpus file reads");
            let options = Options {
                entity,
                ..Options::default()
            };
            let here = validated(&input, &options, 4096, false);
            for (chunk, worker) in [(1, false), (7, true), (4096, false)] {
                assert_eq!(
                    validated_hashing_elsewhere(&input, &options, chunk, worker),
                    here,
                    "{} in chunks of {chunk}, worker {worker}",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn a_hasher_that_does_not_come_back_is_an_error_not_a_wrong_digest() {
        let input = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/plan_item.json"))
            .expect("the example reads");
        let mut stream = PacketStream::new(&Options::default()).expect("stream").hash_elsewhere();
        stream.push(&input).expect("pushed");
        let work = stream.take_hash_work().expect("work with the hasher");
        assert_eq!(work.first(), Some(&1), "the first work carries the hasher");
        assert_eq!(
            stream.finish().map_err(|e| e.kind().to_owned()).err().as_deref(),
            Some("read")
        );
        let mut remote = crate::RemoteHasher::new();
        assert!(remote.apply(&[0, b'x']).is_err(), "work without the hasher first");
        assert!(remote.apply(&[7]).is_err());
        assert!(remote.apply(&work[..3]).is_err(), "cut short");
    }

    #[test]
    fn a_large_packet_is_read_on_a_worker_and_gives_the_same_report() {
        // 3 000 records (about 2 MB): past the size at which the worker takes over.
        let record =
            r#"{"name_ru": "Закон", "accept_date": "01.07.2024", "download_url": "https://adilet.example/Z1"}"#;
        let records = vec![record; 3000].join(",\n");
        let packet = format!(
            r#"{{"header": {{"entity": "legal_act", "packet_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
              "sender_bin": "081140000436", "created_at": "01.02.2024 10:00"}}, "records": [{records}, {{"name_ru": 5}}]}}"#
        );
        let options = Options::default();
        let whole = validated(packet.as_bytes(), &options, packet.len(), false);
        let streamed = validate_reader(packet.as_bytes(), &options, |_| {}).map(|r| r.to_json());
        assert_eq!(streamed.map_err(|e| e.kind().to_owned()), whole);
        assert!(whole.is_ok_and(|r| r.contains("\"status\": \"rejected\"")));
    }
}
