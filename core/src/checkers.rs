//! Records checked on several threads: the caller's thread cuts the records out of the
//! input, checker threads parse, check and write the canonical form of batches of them,
//! and the caller's thread merges what they found, in document order.
//!
//! Why: with the splitting on one thread and everything else on the caller's, the caller
//! was the busier one and each record was written by one core and read by the other (a
//! cache miss per value). Here a record's values are built, checked, written in canonical
//! form and given back on one core. What needs the whole packet stays on the caller's
//! thread and is cheap: the cap on findings, the key sets (duplicate records and detail
//! rows, repeated winners: a checker leaves a [`crate::engine::KeyCheck`] in its place among the
//! record's findings), and hashing the canonical bytes. The report is the one the caller's
//! thread alone would give (the tests compare both on the whole corpus).
//!
//! Batch `k` goes to checker `k mod n` and the results are taken back in the same order,
//! so no reordering is needed; each checker has at most [`IN_FLIGHT`] batches, which
//! bounds the memory.

use std::fmt::Write;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::canonical;
use crate::catalog::Catalog;
use crate::engine::{Deferred, Validator};
use crate::entity::Entity;
use crate::error::Error;
use crate::integrity::StreamingDigest;
use crate::reader::Position;
use crate::recycle::Recycler;
use crate::report::{Finding, Lang, Severity};
use crate::splitter::piece_value;
use crate::stream::{record_of_path, Raw};
use crate::xml::{self, PlainReader};

/// Bytes of records gathered into one batch: large enough that sending costs little
/// per record, small enough that a batch stays in the checker's cache.
const BATCH_BYTES: usize = 64 * 1024;
/// Most records in one batch (for packets of very small records).
const BATCH_RECORDS: usize = 1024;
/// Batches handed to one checker and not yet merged.
const IN_FLIGHT: usize = 4;

/// Records handed to a checker: their bytes, one after the other.
struct Batch {
    /// The index of the first record in the packet.
    first: usize,
    bytes: Vec<u8>,
    /// Each record's end in `bytes` and where it starts in the document.
    records: Vec<(usize, Start)>,
    /// For XML records: the namespaces they inherit (the same for a whole batch).
    inherited: Option<xml::Namespaces>,
    /// Whether the merge had kept all the findings it will when the batch left: the
    /// checker then counts findings rather than building them.
    full: bool,
}

/// Where a record starts in the document: what places its errors.
#[derive(Clone, Copy)]
enum Start {
    Json(Position),
    Xml(u64),
}

/// What a checker found in one batch.
struct Checked {
    /// For each record: the end of its findings and of its key checks.
    ends: Vec<(usize, usize)>,
    findings: Vec<Finding>,
    deferred: Deferred,
    omitted: Vec<(&'static str, Severity, u64)>,
    /// The records' canonical forms, separated by commas.
    canonical: String,
    /// Why the record after the last one checked could not be read.
    error: Option<Error>,
    /// The batch's storage, back for the next batch.
    batch: Batch,
}

/// One checker thread.
struct Lane {
    batches: Option<SyncSender<Batch>>,
    checked: Receiver<Checked>,
    handle: Option<JoinHandle<()>>,
}

/// The checker threads of one packet, and the batch being gathered.
pub(crate) struct Checkers {
    lanes: Vec<Lane>,
    /// Batches sent and batches merged, over all lanes.
    sent: usize,
    merged: usize,
    gathering: Batch,
    /// Storage of batches merged, for the next ones.
    spare: Vec<Batch>,
    /// The index of the next record.
    next: usize,
}

/// What the caller's thread keeps for the whole packet: where checked batches merge.
pub(crate) struct Merge<'a, 'c> {
    pub(crate) v: &'a mut Validator<'c>,
    pub(crate) digest: &'a mut StreamingDigest,
}

impl Merge<'_, '_> {
    fn take(&mut self, checked: Checked) -> Result<Batch, Error> {
        let Checked {
            ends,
            findings,
            deferred,
            omitted,
            canonical,
            error,
            batch,
        } = checked;
        let mut findings = findings.into_iter();
        let (mut finding_from, mut check_from) = (0, 0);
        for &(finding_end, check_end) in &ends {
            let record_findings = findings.by_ref().take(finding_end - finding_from);
            let checks = deferred.checks.get(check_from..check_end).unwrap_or(&[]);
            self.v.merge_record(record_findings, finding_from, &deferred, checks);
            (finding_from, check_from) = (finding_end, check_end);
        }
        self.v.merge_omitted(&omitted);
        self.digest.records_written(&canonical, ends.len());
        match error {
            Some(e) => Err(e),
            None => Ok(batch),
        }
    }
}

impl Checkers {
    /// Starts `threads` checkers of records of `entity`, the first of which has index
    /// `next`; `list` tells whether the records are a bare list (their paths). `None`
    /// when no thread could be started.
    pub(crate) fn start(
        catalog: &'static Catalog,
        entity: Entity,
        lang: Option<Lang>,
        list: bool,
        threads: usize,
        next: usize,
    ) -> Option<Checkers> {
        let mut lanes = Vec::with_capacity(threads);
        for n in 0..threads {
            let (batch_tx, batch_rx) = sync_channel::<Batch>(IN_FLIGHT);
            let (checked_tx, checked_rx) = sync_channel::<Checked>(IN_FLIGHT);
            let spawned = std::thread::Builder::new()
                .name(format!("tekser-checker-{n}"))
                .spawn(move || check_batches(catalog, entity, lang, list, &batch_rx, &checked_tx));
            let Ok(handle) = spawned else {
                break;
            };
            lanes.push(Lane {
                batches: Some(batch_tx),
                checked: checked_rx,
                handle: Some(handle),
            });
        }
        if lanes.is_empty() {
            return None;
        }
        Some(Checkers {
            lanes,
            sent: 0,
            merged: 0,
            gathering: Batch::empty(next),
            spare: Vec::new(),
            next,
        })
    }

    /// Adds one record's text to the batch being gathered; a full batch goes to its
    /// checker, and what is checked by then is merged.
    pub(crate) fn add(&mut self, record: Raw<'_>, merge: &mut Merge) -> Result<(), Error> {
        let (bytes, start, inherited) = match record {
            Raw::Json(bytes, at) => (bytes, Start::Json(at), None),
            Raw::Xml(r) => (r.text.as_bytes(), Start::Xml(r.offset), Some(r.inherited)),
        };
        // A batch's XML records share their inherited namespaces.
        if let Some(inherited) = inherited {
            let same = self
                .gathering
                .inherited
                .as_ref()
                .is_some_and(|held| Arc::ptr_eq(held, inherited));
            if !same {
                if !self.gathering.records.is_empty() {
                    self.send(merge)?;
                }
                self.gathering.inherited = Some(Arc::clone(inherited));
            }
        }
        if self.gathering.records.is_empty() {
            self.gathering.first = self.next;
        }
        self.gathering.bytes.extend_from_slice(bytes);
        self.gathering.records.push((self.gathering.bytes.len(), start));
        self.next += 1;
        if self.gathering.bytes.len() >= BATCH_BYTES || self.gathering.records.len() >= BATCH_RECORDS {
            self.send(merge)?;
        }
        // Merge what is ready without waiting, so that the findings cap is known early.
        while self.merged < self.sent {
            let lane = &self.lanes[self.merged % self.lanes.len()];
            match lane.checked.try_recv() {
                Ok(checked) => self.merged_one(checked, merge)?,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return Err(stopped()),
            }
        }
        Ok(())
    }

    /// Sends the batch being gathered to its checker, first merging (waiting if need be)
    /// until that checker has room.
    fn send(&mut self, merge: &mut Merge) -> Result<(), Error> {
        let n = self.lanes.len();
        while self.sent - self.merged >= IN_FLIGHT * n {
            self.wait_one(merge)?;
        }
        let mut batch = std::mem::replace(&mut self.gathering, self.spare.pop().unwrap_or_else(|| Batch::empty(0)));
        batch.full = merge.v.full();
        self.gathering.first = self.next;
        self.gathering.inherited = batch.inherited.clone();
        let lane = &self.lanes[self.sent % n];
        match &lane.batches {
            Some(tx) if tx.send(batch).is_ok() => {
                self.sent += 1;
                Ok(())
            }
            _ => Err(stopped()),
        }
    }

    /// Takes the next checked batch in order, waiting for it, and merges it.
    fn wait_one(&mut self, merge: &mut Merge) -> Result<(), Error> {
        let lane = &self.lanes[self.merged % self.lanes.len()];
        match lane.checked.recv() {
            Ok(checked) => self.merged_one(checked, merge),
            Err(_) => Err(stopped()),
        }
    }

    fn merged_one(&mut self, checked: Checked, merge: &mut Merge) -> Result<(), Error> {
        self.merged += 1;
        let mut batch = merge.take(checked)?;
        batch.bytes.clear();
        batch.records.clear();
        self.spare.push(batch);
        Ok(())
    }

    /// Sends what is gathered and merges every batch: all records added so far are then
    /// in the validator and the digest, or the first record that cannot be read gives
    /// its error.
    pub(crate) fn drain(&mut self, merge: &mut Merge) -> Result<(), Error> {
        if !self.gathering.records.is_empty() {
            self.send(merge)?;
        }
        while self.merged < self.sent {
            self.wait_one(merge)?;
        }
        Ok(())
    }
}

impl Drop for Checkers {
    fn drop(&mut self) {
        // Closing the batch channels ends the checkers (a checker blocked on a full
        // result channel is freed when the receiver goes with the lane).
        for lane in &mut self.lanes {
            lane.batches = None;
        }
        for mut lane in self.lanes.drain(..) {
            let handle = lane.handle.take();
            drop(lane);
            if let Some(handle) = handle {
                let _ = handle.join();
            }
        }
    }
}

impl Batch {
    fn empty(first: usize) -> Batch {
        Batch {
            first,
            bytes: Vec::with_capacity(BATCH_BYTES + BATCH_BYTES / 4),
            records: Vec::new(),
            inherited: None,
            full: false,
        }
    }
}

fn stopped() -> Error {
    Error::Read("a checker thread stopped before the end of the input".to_owned())
}

/// A checker's loop: parses, checks and writes in canonical form each record of each
/// batch, on this thread, and hands back what it found.
fn check_batches(
    catalog: &'static Catalog,
    entity: Entity,
    lang: Option<Lang>,
    list: bool,
    batches: &Receiver<Batch>,
    checked: &SyncSender<Checked>,
) {
    let mut v = Validator::deferring(catalog, entity, lang);
    let schema = catalog.entity(entity);
    let mut pool = Recycler::default();
    let mut path = String::new();
    // XML is read with the lists of the catalog the splitter uses.
    let lists = Catalog::get().map(|c| c.xml_lists.as_slice()).unwrap_or(&[]);
    let mut plain = PlainReader::default();
    let no_namespaces = Vec::new();
    for batch in batches {
        v.set_max_findings(if batch.full { 0 } else { usize::MAX });
        let mut ends = Vec::with_capacity(batch.records.len());
        let mut canonical = String::with_capacity(batch.bytes.len() + batch.bytes.len() / 4);
        let mut error = None;
        let mut start = 0;
        let inherited = batch.inherited.as_deref().unwrap_or(&no_namespaces);
        for (n, &(end, at)) in batch.records.iter().enumerate() {
            let bytes = batch.bytes.get(start..end).unwrap_or(&[]);
            start = end;
            let index = batch.first + n;
            path.clear();
            let _ = write!(path, "{}/{index}", if list { "" } else { "/records" });
            let read = match at {
                Start::Json(at) => piece_value(bytes, at, &mut pool).map(|record| (record, Vec::new())),
                Start::Xml(offset) => match std::str::from_utf8(bytes) {
                    Ok(text) => xml::read_record(
                        text,
                        offset,
                        inherited,
                        lists,
                        Some(&mut plain),
                        |at| at.push_str(&path),
                        &mut pool,
                    ),
                    Err(_) => Err(Error::Read("an XML record was cut inside a character".to_owned())),
                },
            };
            let (record, attributes) = match read {
                Ok(read) => read,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            };
            v.record(index, &path, &record);
            for a in &attributes {
                v.ignored_attribute(&a.path, &a.element, &a.attribute, record_of_path(&a.path, !list));
            }
            if n > 0 {
                canonical.push(',');
            }
            canonical::record_with_fields_into(&mut canonical, &record, schema, v.member_fields());
            pool.reclaim(record);
            let checks = v.deferred_mut().map_or(0, |d| d.checks.len());
            ends.push((v.findings_mut().len(), checks));
        }
        let deferred = v.deferred_mut().map(std::mem::take).unwrap_or_default();
        let result = Checked {
            ends,
            findings: std::mem::take(v.findings_mut()),
            deferred,
            omitted: v.take_omitted(),
            canonical,
            error,
            batch,
        };
        if checked.send(result).is_err() {
            return;
        }
    }
}
