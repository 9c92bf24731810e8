//! Records checked elsewhere: the reading thread cuts the records out of the input into
//! batches, checkers parse, check and write the canonical form of each batch, and the
//! reading thread merges what they found, in document order.
//!
//! Why: with the splitting on one thread and everything else on the caller's, the caller
//! was the busier one and each record was written by one core and read by the other (a
//! cache miss per value). Here a record's values are built, checked, written in canonical
//! form and given back by one checker. What needs the whole packet stays with the reader
//! and is cheap: the cap on findings, the key sets (duplicate records and detail rows,
//! repeated winners: a checker leaves a [`crate::engine::KeyCheck`] in its place among
//! the record's findings), and hashing the canonical bytes. The report is the one the
//! reader alone would give (the tests compare both on the whole corpus).
//!
//! Natively the checkers are threads ([`Checkers`]). WebAssembly has no threads here: a
//! page (or Node) runs checkers in workers of its own, each with an instance of the
//! library, and batches and their results cross as bytes ([`RecordChecker`],
//! [`crate::PacketStream::check_elsewhere`]).

use std::sync::Arc;

use crate::canonical;
use crate::catalog::Catalog;
use crate::engine::{Deferred, Validator};
use crate::entity::Entity;
use crate::error::Error;
use crate::integrity::{Form, StreamingDigest};
use crate::reader::Position;
use crate::recycle::Recycler;
use crate::report::{Finding, Lang, Severity};
use crate::splitter::piece_value;
use crate::stream::{record_of_path, Raw};
use crate::xml::{self, PlainReader};

/// Bytes of records gathered into one batch for a checker thread: large enough that
/// handing it over costs little per record, small enough that a batch stays in the
/// checker's cache.
#[cfg(not(target_arch = "wasm32"))]
const BATCH_BYTES: usize = 64 * 1024;
/// Bytes of records in one batch for a checker elsewhere (a worker): each batch there
/// crosses to a worker and back as a message, and a message costs tens of
/// microseconds whatever its size.
pub(crate) const BATCH_BYTES_ELSEWHERE: usize = 512 * 1024;

/// What every batch of a packet shares: what the checker checks against.
#[derive(Clone)]
pub(crate) struct Setting {
    /// The rule set (one built in: checkers elsewhere find it by name).
    pub(crate) catalog: &'static Catalog,
    pub(crate) entity: Entity,
    pub(crate) lang: Option<Lang>,
    /// Whether the records are a bare list (their paths have no `/records`).
    pub(crate) list: bool,
}

impl Setting {
    /// Whether checks against `other` are the same (one catalog is the same object).
    fn same_as(&self, other: &Setting) -> bool {
        std::ptr::eq(self.catalog, other.catalog)
            && self.entity == other.entity
            && self.lang == other.lang
            && self.list == other.list
    }
}

/// Records handed to a checker: their bytes, one after the other.
pub(crate) struct Batch {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    Json(Position),
    Xml(u64),
}

/// What a checker found in one batch.
pub(crate) struct Checked {
    /// For each record: the end of its findings and of its key checks.
    ends: Vec<(usize, usize)>,
    findings: Vec<Finding>,
    deferred: Deferred,
    omitted: Vec<(&'static str, Severity, u64)>,
    /// The records' canonical forms, separated by commas.
    canonical: String,
    /// Why the record after the last one checked could not be read.
    error: Option<Error>,
    /// The batch's storage, back for the next batch (on the same machine).
    batch: Option<Batch>,
}

/// What the reader keeps for the whole packet: where checked batches merge.
pub(crate) struct Merge<'a, 'c> {
    pub(crate) v: &'a mut Validator<'c>,
    pub(crate) digest: &'a mut StreamingDigest,
}

impl Merge<'_, '_> {
    /// Merges one checked batch (the next in document order); gives back its storage,
    /// or the error of its record that could not be read.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn take(&mut self, mut checked: Checked) -> Result<Option<Batch>, Error> {
        let canonical = std::mem::take(&mut checked.canonical);
        self.take_with(checked, Form::Text(&canonical))
    }

    /// Merges one checked batch whose canonical form is `form` (not the batch's own).
    pub(crate) fn take_with(&mut self, checked: Checked, form: Form<'_>) -> Result<Option<Batch>, Error> {
        let Checked {
            ends,
            findings,
            deferred,
            omitted,
            canonical: _,
            error,
            batch,
        } = checked;
        let mut findings = findings.into_iter();
        let (mut finding_from, mut check_from) = (0, 0);
        for &(finding_end, check_end) in &ends {
            let record_findings = findings.by_ref().take(finding_end.saturating_sub(finding_from));
            let checks = deferred.checks.get(check_from..check_end).unwrap_or(&[]);
            self.v.merge_record(record_findings, finding_from, &deferred, checks);
            (finding_from, check_from) = (finding_end, check_end);
        }
        self.v.merge_omitted(&omitted);
        self.digest.records_written(form, ends.len())?;
        match error {
            Some(e) => Err(e),
            None => Ok(batch),
        }
    }
}

/// The batch being gathered on the reading side.
pub(crate) struct Gathering {
    batch: Batch,
    /// Bytes of records that complete a batch; so does a record per 64 bytes of it (for
    /// packets of very small records).
    size: usize,
    /// Storage of batches merged, for the next ones.
    spare: Vec<Batch>,
    /// The index of the next record.
    next: usize,
}

impl Gathering {
    /// Gathering batches of about `size` bytes from the record with index `next`.
    pub(crate) fn new(next: usize, size: usize) -> Gathering {
        Gathering {
            batch: Batch::empty(next, size),
            size,
            spare: Vec::new(),
            next,
        }
    }

    /// Adds one record's text; gives the batch before it when that one is complete (full,
    /// or its XML records inherit other namespaces). `full` tells whether the merge has
    /// kept all the findings it will.
    pub(crate) fn add(&mut self, record: Raw<'_>, full: bool) -> Option<Batch> {
        let (bytes, start, inherited) = match record {
            Raw::Json(bytes, at) => (bytes, Start::Json(at), None),
            Raw::Xml(r) => (r.text.as_bytes(), Start::Xml(r.offset), Some(r.inherited)),
        };
        let mut done = None;
        if let Some(inherited) = inherited {
            let same = self
                .batch
                .inherited
                .as_ref()
                .is_some_and(|held| Arc::ptr_eq(held, inherited));
            if !same {
                done = self.take(full);
                self.batch.inherited = Some(Arc::clone(inherited));
            }
        }
        if done.is_none() && (self.batch.bytes.len() >= self.size || self.batch.records.len() >= self.size / 64) {
            done = self.take(full);
        }
        if self.batch.records.is_empty() {
            self.batch.first = self.next;
        }
        self.batch.bytes.extend_from_slice(bytes);
        self.batch.records.push((self.batch.bytes.len(), start));
        self.next += 1;
        done
    }

    /// The batch gathered so far, if it has records.
    pub(crate) fn take(&mut self, full: bool) -> Option<Batch> {
        if self.batch.records.is_empty() {
            return None;
        }
        let mut next = self.spare.pop().unwrap_or_else(|| Batch::empty(self.next, self.size));
        next.first = self.next;
        next.inherited = self.batch.inherited.clone();
        let mut batch = std::mem::replace(&mut self.batch, next);
        batch.full = full;
        Some(batch)
    }

    /// The next record is not gathered (it is checked elsewhere): its index is passed
    /// over.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn skip_one(&mut self) {
        self.next += 1;
        self.batch.first = self.next;
    }

    /// Takes back a merged batch's storage (not when a large record made it large).
    pub(crate) fn give_back(&mut self, mut batch: Batch) {
        batch.bytes.clear();
        batch.records.clear();
        batch.inherited = None;
        if self.spare.len() < 8 && batch.bytes.capacity() <= 2 * self.size {
            self.spare.push(batch);
        }
    }
}

impl Batch {
    fn empty(first: usize, size: usize) -> Batch {
        Batch {
            first,
            bytes: Vec::with_capacity(size + size / 4),
            records: Vec::new(),
            inherited: None,
            full: false,
        }
    }
}

/// One checker: parses, checks and writes in canonical form the records of batches.
pub(crate) struct Checker {
    setting: Setting,
    v: Validator<'static>,
    pool: Recycler,
    path: String,
    plain: PlainReader,
    /// XML is read with the lists of the catalog the splitter uses.
    lists: &'static [String],
}

impl Checker {
    pub(crate) fn new(setting: Setting) -> Checker {
        Checker {
            v: Validator::deferring(setting.catalog, setting.entity, setting.lang),
            setting,
            pool: Recycler::default(),
            path: String::new(),
            plain: PlainReader::default(),
            lists: Catalog::get().map(|c| c.xml_lists.as_slice()).unwrap_or(&[]),
        }
    }

    /// Checks one batch.
    pub(crate) fn check(&mut self, batch: Batch) -> Checked {
        let Checker {
            setting,
            v,
            pool,
            path,
            plain,
            lists,
        } = self;
        let schema = setting.catalog.entity(setting.entity);
        v.set_max_findings(if batch.full { 0 } else { usize::MAX });
        let mut ends = Vec::with_capacity(batch.records.len());
        let mut canonical = String::with_capacity(batch.bytes.len() + batch.bytes.len() / 4);
        let mut error = None;
        let mut start = 0;
        let inherited: &[(String, String)] = batch.inherited.as_deref().map_or(&[], Vec::as_slice);
        for (n, &(end, at)) in batch.records.iter().enumerate() {
            let bytes = batch.bytes.get(start..end).unwrap_or(&[]);
            start = end;
            let index = batch.first + n;
            path.clear();
            if !setting.list {
                path.push_str("/records");
            }
            crate::engine::push_index(path, index);
            let read = match at {
                Start::Json(at) => piece_value(bytes, at, pool).map(|record| (record, Vec::new())),
                Start::Xml(offset) => match std::str::from_utf8(bytes) {
                    Ok(text) => xml::read_record(
                        text,
                        offset,
                        inherited,
                        lists,
                        Some(plain),
                        |at| at.push_str(path),
                        pool,
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
            v.record(index, path, &record);
            // As the reader reports them: after the record's own findings.
            for a in &attributes {
                v.ignored_attribute(
                    &a.path,
                    &a.element,
                    &a.attribute,
                    record_of_path(&a.path, !setting.list),
                );
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
        Checked {
            ends,
            findings: std::mem::take(v.findings_mut()),
            deferred,
            omitted: v.take_omitted(),
            canonical,
            error,
            batch: Some(batch),
        }
    }
}

/// Checks batches handed over as bytes ([`crate::PacketStream::take_check_work`]) in
/// another instance of the library (a worker of a page, which has no threads of its
/// own); what it gives back goes to [`crate::PacketStream::merge_checked`], in the order
/// the work was taken.
#[derive(Default)]
pub struct RecordChecker {
    checker: Option<Checker>,
}

impl RecordChecker {
    /// A checker; it learns the rule set and entity from the first work. The built-in
    /// rule sets are read now, once per process or WebAssembly instance (a checker on a
    /// worker reads them while its first work is being cut out, not when it arrives).
    pub fn new() -> RecordChecker {
        // An embedded catalog that does not load is reported by the first check.
        let _ = Catalog::all();
        RecordChecker::default()
    }

    /// Checks one batch of records (bytes from [`crate::PacketStream::take_check_work`])
    /// and gives what it found, as bytes for [`crate::PacketStream::merge_checked`]. An
    /// `Err` means the bytes are not check work; a record that cannot be read is not an
    /// `Err` here but travels back to the merge, which reports it in its place.
    pub fn check(&mut self, work: &[u8]) -> Result<Vec<u8>, Error> {
        let (setting, batch) = wire::read_batch(work)?;
        let checker = match &mut self.checker {
            Some(c) if c.setting.same_as(&setting) => c,
            _ => self.checker.insert(Checker::new(setting)),
        };
        let checked = checker.check(batch);
        Ok(wire::write_checked(&checked))
    }
}

/// The byte form of batches and of what checkers found, for checkers in other instances
/// of the library. Little-endian integers; texts as a length and UTF-8.
pub(crate) mod wire {
    use super::{Batch, Checked, Setting, Start};
    use crate::catalog::Catalog;
    use crate::codes;
    use crate::engine::{Deferred, KeyCheck, Rows};
    use crate::entity::Entity;
    use crate::error::Error;
    use crate::reader::Position;
    use crate::report::{Finding, Lang, Severity};

    /// Marks check work (and its version), so that other bytes are refused.
    const WORK: &[u8; 4] = b"TKW1";
    /// Marks what a checker found. Its layout: the mark, the length of the head (what
    /// comes before the canonical form, the mark included), the head's fields, the
    /// canonical form's length; then the canonical form, to the end. A host that hashes
    /// the packet digest itself hands only the head to the merge ([`head_len`]).
    const FOUND: &[u8; 4] = b"TKC2";

    /// Bytes at the start of what a checker found that give the length of its head.
    pub(crate) const FOUND_PREFIX: usize = 12;

    /// Parameter names a finding may carry (they are static in findings).
    const PARAMS: [&str; 6] = ["value", "expected", "reason", "dictionary", "pair", "related"];

    fn bad(what: &str) -> Error {
        Error::Read(format!("check work: {what}"))
    }

    struct Out(Vec<u8>);

    impl Out {
        fn u8(&mut self, v: u8) {
            self.0.push(v);
        }
        fn u64(&mut self, v: u64) {
            self.0.extend_from_slice(&v.to_le_bytes());
        }
        fn usize(&mut self, v: usize) {
            self.u64(v as u64);
        }
        fn text(&mut self, v: &str) {
            self.usize(v.len());
            self.0.extend_from_slice(v.as_bytes());
        }
        fn opt_text(&mut self, v: Option<&str>) {
            match v {
                Some(t) => {
                    self.u8(1);
                    self.text(t);
                }
                None => self.u8(0),
            }
        }
        fn opt_usize(&mut self, v: Option<usize>) {
            match v {
                Some(n) => {
                    self.u8(1);
                    self.usize(n);
                }
                None => self.u8(0),
            }
        }
    }

    struct In<'a>(&'a [u8]);

    impl<'a> In<'a> {
        fn bytes(&mut self, n: usize) -> Result<&'a [u8], Error> {
            if self.0.len() < n {
                return Err(bad("cut short"));
            }
            let (head, rest) = self.0.split_at(n);
            self.0 = rest;
            Ok(head)
        }
        fn u8(&mut self) -> Result<u8, Error> {
            Ok(self.bytes(1)?[0])
        }
        fn u64(&mut self) -> Result<u64, Error> {
            let mut word = [0u8; 8];
            word.copy_from_slice(self.bytes(8)?);
            Ok(u64::from_le_bytes(word))
        }
        fn usize(&mut self) -> Result<usize, Error> {
            usize::try_from(self.u64()?).map_err(|_| bad("a number out of range"))
        }
        /// A count of items of at least `each` bytes: no more than the bytes left allow.
        fn count(&mut self, each: usize) -> Result<usize, Error> {
            let n = self.usize()?;
            if n.saturating_mul(each) > self.0.len() {
                return Err(bad("a count past the end"));
            }
            Ok(n)
        }
        fn text(&mut self) -> Result<&'a str, Error> {
            let n = self.usize()?;
            std::str::from_utf8(self.bytes(n)?).map_err(|_| bad("text that is not UTF-8"))
        }
        fn opt_text(&mut self) -> Result<Option<&'a str>, Error> {
            match self.u8()? {
                0 => Ok(None),
                _ => self.text().map(Some),
            }
        }
        fn opt_usize(&mut self) -> Result<Option<usize>, Error> {
            match self.u8()? {
                0 => Ok(None),
                _ => self.usize().map(Some),
            }
        }
        fn range(&mut self) -> Result<std::ops::Range<usize>, Error> {
            Ok(self.usize()?..self.usize()?)
        }
        fn mark(&mut self, mark: &[u8; 4]) -> Result<(), Error> {
            if self.bytes(4)? == mark {
                Ok(())
            } else {
                Err(bad("not check work of this version"))
            }
        }
    }

    fn severity_byte(s: Severity) -> u8 {
        match s {
            Severity::Error => 0,
            Severity::Warning => 1,
        }
    }

    fn severity_of(b: u8) -> Severity {
        if b == 0 {
            Severity::Error
        } else {
            Severity::Warning
        }
    }

    fn code_of(text: &str) -> Result<&'static str, Error> {
        codes::ALL
            .iter()
            .find(|c| **c == text)
            .copied()
            .ok_or_else(|| bad("an unknown finding code"))
    }

    /// Check work: the setting, then the batch.
    pub(crate) fn write_batch(setting: &Setting, batch: &Batch) -> Vec<u8> {
        let mut out = Out(Vec::with_capacity(batch.bytes.len() + 64 + batch.records.len() * 25));
        out.0.extend_from_slice(WORK);
        out.text(&setting.catalog.rule_set);
        out.text(setting.entity.as_str());
        out.opt_text(setting.lang.map(Lang::as_str));
        out.u8(u8::from(setting.list));
        out.usize(batch.first);
        out.u8(u8::from(batch.full));
        match &batch.inherited {
            Some(namespaces) => {
                out.u8(1);
                out.usize(namespaces.len());
                for (prefix, uri) in namespaces.iter() {
                    out.text(prefix);
                    out.text(uri);
                }
            }
            None => out.u8(0),
        }
        out.usize(batch.records.len());
        for (end, start) in &batch.records {
            out.usize(*end);
            match start {
                Start::Json(at) => {
                    out.u8(0);
                    out.usize(at.line);
                    out.usize(at.column);
                }
                Start::Xml(offset) => {
                    out.u8(1);
                    out.u64(*offset);
                }
            }
        }
        out.usize(batch.bytes.len());
        out.0.extend_from_slice(&batch.bytes);
        out.0
    }

    pub(crate) fn read_batch(bytes: &[u8]) -> Result<(Setting, Batch), Error> {
        let mut r = In(bytes);
        r.mark(WORK)?;
        let catalog = Catalog::named(r.text()?)?;
        let entity: Entity = r.text()?.parse()?;
        let lang = match r.opt_text()? {
            Some(code) => Some(code.parse::<Lang>().map_err(|_| bad("an unknown language"))?),
            None => None,
        };
        let list = r.u8()? != 0;
        let first = r.usize()?;
        let full = r.u8()? != 0;
        let inherited = match r.u8()? {
            0 => None,
            _ => {
                let n = r.count(16)?;
                let mut namespaces = Vec::with_capacity(n);
                for _ in 0..n {
                    namespaces.push((r.text()?.to_owned(), r.text()?.to_owned()));
                }
                Some(std::sync::Arc::new(namespaces))
            }
        };
        let n = r.count(9)?;
        let mut records = Vec::with_capacity(n);
        for _ in 0..n {
            let end = r.usize()?;
            let start = match r.u8()? {
                0 => Start::Json(Position {
                    line: r.usize()?,
                    column: r.usize()?,
                }),
                _ => Start::Xml(r.u64()?),
            };
            records.push((end, start));
        }
        let size = r.usize()?;
        let text = r.bytes(size)?.to_vec();
        if records.iter().any(|(end, _)| *end > text.len()) {
            return Err(bad("a record past the end"));
        }
        let setting = Setting {
            catalog,
            entity,
            lang,
            list,
        };
        let batch = Batch {
            first,
            bytes: text,
            records,
            inherited,
            full,
        };
        Ok((setting, batch))
    }

    fn rows_byte(rows: Rows) -> u8 {
        match rows {
            Rows::Records => 0,
            Rows::Details => 1,
            Rows::Winners => 2,
        }
    }

    fn rows_of(b: u8) -> Result<Rows, Error> {
        match b {
            0 => Ok(Rows::Records),
            1 => Ok(Rows::Details),
            2 => Ok(Rows::Winners),
            _ => Err(bad("an unknown kind of key")),
        }
    }

    /// What a checker found, as bytes.
    pub(crate) fn write_checked(checked: &Checked) -> Vec<u8> {
        let mut out = Out(Vec::with_capacity(checked.canonical.len() + 256));
        out.0.extend_from_slice(FOUND);
        // The head's length, filled in once the head is written.
        out.u64(0);
        out.usize(checked.ends.len());
        for (findings, checks) in &checked.ends {
            out.usize(*findings);
            out.usize(*checks);
        }
        out.usize(checked.findings.len());
        for f in &checked.findings {
            out.text(f.code);
            out.u8(severity_byte(f.severity));
            out.text(&f.path);
            out.opt_usize(f.record);
            out.opt_text(f.field.as_deref());
            out.opt_text(f.suggestion.as_deref());
            out.usize(f.params.len());
            for (name, value) in &f.params {
                out.text(name);
                out.text(value);
            }
        }
        out.usize(checked.deferred.checks.len());
        for c in &checked.deferred.checks {
            out.usize(c.at);
            out.u8(rows_byte(c.rows));
            out.u64(c.here);
            out.opt_usize(c.record);
            for range in [&c.key, &c.path, &c.field] {
                out.usize(range.start);
                out.usize(range.end);
            }
        }
        out.text(&checked.deferred.text);
        out.usize(checked.omitted.len());
        for (code, severity, n) in &checked.omitted {
            out.text(code);
            out.u8(severity_byte(*severity));
            out.u64(*n);
        }
        match &checked.error {
            None => out.u8(0),
            Some(Error::Json { line, column, message }) => {
                out.u8(1);
                out.usize(*line);
                out.usize(*column);
                out.text(message);
            }
            Some(Error::Xml { offset, message }) => {
                out.u8(2);
                out.u64(*offset);
                out.text(message);
            }
            Some(Error::XmlDoctype { offset }) => {
                out.u8(3);
                out.u64(*offset);
            }
            Some(Error::InvalidUtf8 { offset }) => {
                out.u8(4);
                out.usize(*offset);
            }
            Some(Error::Read(detail)) => {
                out.u8(5);
                out.text(detail);
            }
            // A checker reads records only: what else could stop it is said in words.
            Some(other) => {
                out.u8(5);
                out.text(&other.to_string());
            }
        }
        out.usize(checked.canonical.len());
        let head = out.0.len() as u64;
        if let Some(at) = out.0.get_mut(4..FOUND_PREFIX) {
            at.copy_from_slice(&head.to_le_bytes());
        }
        out.0.extend_from_slice(checked.canonical.as_bytes());
        out.0
    }

    /// The length of the head of what a checker found, from its first [`FOUND_PREFIX`]
    /// bytes (or more).
    pub(crate) fn head_len(prefix: &[u8]) -> Result<usize, Error> {
        let mut r = In(prefix);
        r.mark(FOUND)?;
        let n = r.usize()?;
        if n < FOUND_PREFIX + 8 {
            return Err(bad("a head too short"));
        }
        Ok(n)
    }

    /// What a checker found, and its canonical form (the bytes to hash; not read as text
    /// here, since they are only hashed).
    pub(crate) fn read_checked(bytes: &[u8]) -> Result<(Checked, &[u8]), Error> {
        let n = head_len(bytes)?;
        let (head, canonical) = bytes.split_at_checked(n).ok_or_else(|| bad("cut short"))?;
        let (checked, len) = read_checked_head(head)?;
        if canonical.len() != len {
            return Err(bad("a canonical form of the wrong length"));
        }
        Ok((checked, canonical))
    }

    /// What a checker found, from its head alone (the canonical form left out), and the
    /// canonical form's length.
    pub(crate) fn read_checked_head(head: &[u8]) -> Result<(Checked, usize), Error> {
        if head_len(head)? != head.len() {
            return Err(bad("a head of the wrong length"));
        }
        let mut r = In(head.get(FOUND_PREFIX..).unwrap_or(&[]));
        let n = r.count(16)?;
        let mut ends = Vec::with_capacity(n);
        for _ in 0..n {
            ends.push((r.usize()?, r.usize()?));
        }
        let n = r.count(20)?;
        let mut findings = Vec::with_capacity(n);
        for _ in 0..n {
            let code = code_of(r.text()?)?;
            let severity = severity_of(r.u8()?);
            let path = r.text()?.to_owned();
            let record = r.opt_usize()?;
            let field = r.opt_text()?.map(str::to_owned);
            let suggestion = r.opt_text()?.map(str::to_owned);
            let count = r.count(16)?;
            let mut params = Vec::with_capacity(count);
            for _ in 0..count {
                let name = r.text()?;
                let name = PARAMS
                    .iter()
                    .find(|p| **p == name)
                    .copied()
                    .ok_or_else(|| bad("an unknown parameter"))?;
                params.push((name, r.text()?.to_owned()));
            }
            findings.push(Finding {
                code,
                severity,
                path,
                record,
                field,
                suggestion,
                params,
            });
        }
        let n = r.count(66)?;
        let mut checks = Vec::with_capacity(n);
        for _ in 0..n {
            let at = r.usize()?;
            let rows = rows_of(r.u8()?)?;
            let here = r.u64()?;
            let record = r.opt_usize()?;
            checks.push(KeyCheck {
                at,
                rows,
                here,
                record,
                key: r.range()?,
                path: r.range()?,
                field: r.range()?,
            });
        }
        let text = r.text()?.to_owned();
        let n = r.count(17)?;
        let mut omitted = Vec::with_capacity(n);
        for _ in 0..n {
            let code = code_of(r.text()?)?;
            let severity = severity_of(r.u8()?);
            omitted.push((code, severity, r.u64()?));
        }
        let error = match r.u8()? {
            0 => None,
            1 => Some(Error::Json {
                line: r.usize()?,
                column: r.usize()?,
                message: r.text()?.to_owned(),
            }),
            2 => Some(Error::Xml {
                offset: r.u64()?,
                message: r.text()?.to_owned(),
            }),
            3 => Some(Error::XmlDoctype { offset: r.u64()? }),
            4 => Some(Error::InvalidUtf8 { offset: r.usize()? }),
            _ => Some(Error::Read(r.text()?.to_owned())),
        };
        let canonical = r.usize()?;
        if !r.0.is_empty() {
            return Err(bad("bytes after the head"));
        }
        Ok((
            Checked {
                ends,
                findings,
                deferred: Deferred { checks, text },
                omitted,
                canonical: String::new(),
                error,
                batch: None,
            },
            canonical,
        ))
    }
}

/// Checkers on threads of this process (not in WebAssembly, which has none here).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use threads::Checkers;

#[cfg(not(target_arch = "wasm32"))]
mod threads {
    use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};
    use std::thread::JoinHandle;

    use super::{Batch, Checked, Checker, Gathering, Merge, Setting, BATCH_BYTES};
    use crate::error::Error;
    use crate::stream::Raw;

    /// Batches handed to one checker and not yet merged.
    const IN_FLIGHT: usize = 4;
    /// Bytes of records out with the checkers and not yet merged (more than one batch
    /// is out only below this): batches of ordinary records are far under it, and a
    /// packet of records near `max_record_bytes` is checked one record at a time rather
    /// than eight (20 records of 15 MB each took 249 MB; on one thread, 48 MB).
    const BYTES_OUT: usize = 2 * 1024 * 1024;

    /// One checker thread.
    struct Lane {
        batches: Option<SyncSender<Batch>>,
        checked: Receiver<Checked>,
        handle: Option<JoinHandle<()>>,
    }

    /// The checker threads of one packet, and the batch being gathered.
    ///
    /// Batch `k` goes to checker `k mod n` and the results are taken back in the same
    /// order, so no reordering is needed; each checker has at most [`IN_FLIGHT`]
    /// batches, which bounds the memory.
    pub(crate) struct Checkers {
        lanes: Vec<Lane>,
        /// Batches sent and batches merged, over all lanes.
        sent: usize,
        merged: usize,
        /// The size of each batch out, oldest first, and their sum.
        sizes: std::collections::VecDeque<usize>,
        bytes_out: usize,
        gathering: Gathering,
    }

    impl Checkers {
        /// Starts `threads` checkers; the next record has index `next`. `None` when no
        /// thread could be started.
        pub(crate) fn start(setting: &Setting, threads: usize, next: usize) -> Option<Checkers> {
            let mut lanes = Vec::with_capacity(threads);
            for n in 0..threads {
                let (batch_tx, batch_rx) = sync_channel::<Batch>(IN_FLIGHT);
                let (checked_tx, checked_rx) = sync_channel::<Checked>(IN_FLIGHT);
                let setting = setting.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("tekser-checker-{n}"))
                    .spawn(move || {
                        let mut checker = Checker::new(setting);
                        for batch in batch_rx {
                            if checked_tx.send(checker.check(batch)).is_err() {
                                return;
                            }
                        }
                    });
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
                sizes: std::collections::VecDeque::new(),
                bytes_out: 0,
                gathering: Gathering::new(next, BATCH_BYTES),
            })
        }

        /// Adds one record's text to the batch being gathered; a complete batch goes to
        /// its checker, and what is checked by then is merged.
        pub(crate) fn add(&mut self, record: Raw<'_>, merge: &mut Merge) -> Result<(), Error> {
            if let Some(batch) = self.gathering.add(record, merge.v.full()) {
                self.send(batch, merge)?;
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

        /// Sends a batch to its checker, first merging (waiting if need be) until that
        /// checker has room.
        fn send(&mut self, batch: Batch, merge: &mut Merge) -> Result<(), Error> {
            let n = self.lanes.len();
            let size = batch.bytes.len();
            while self.sent > self.merged
                && (self.sent - self.merged >= IN_FLIGHT * n || self.bytes_out + size > BYTES_OUT)
            {
                self.wait_one(merge)?;
            }
            let lane = &self.lanes[self.sent % n];
            match &lane.batches {
                Some(tx) if tx.send(batch).is_ok() => {
                    self.sent += 1;
                    self.sizes.push_back(size);
                    self.bytes_out += size;
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
            self.bytes_out = self.bytes_out.saturating_sub(self.sizes.pop_front().unwrap_or(0));
            if let Some(batch) = merge.take(checked)? {
                self.gathering.give_back(batch);
            }
            Ok(())
        }

        /// The next record is checked elsewhere (on the caller's thread): its index is
        /// passed over. Only when nothing is gathered ([`Checkers::drain`] first).
        pub(crate) fn skip_one(&mut self) {
            self.gathering.skip_one();
        }

        /// Sends what is gathered and merges every batch: all records added so far are
        /// then in the validator and the digest, or the first record that cannot be read
        /// gives its error.
        pub(crate) fn drain(&mut self, merge: &mut Merge) -> Result<(), Error> {
            if let Some(batch) = self.gathering.take(merge.v.full()) {
                self.send(batch, merge)?;
            }
            while self.merged < self.sent {
                self.wait_one(merge)?;
            }
            Ok(())
        }
    }

    impl Drop for Checkers {
        fn drop(&mut self) {
            // Closing the batch channels ends the checkers; a checker blocked on a full
            // result channel is freed when the receiver goes with its lane.
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

    fn stopped() -> Error {
        Error::Read("a checker thread stopped before the end of the input".to_owned())
    }
}
