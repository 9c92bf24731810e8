//! The input splitter: tells JSON from XML by the first character and cuts an input
//! pushed in chunks into parsed pieces (the packet's members, then each record), handed
//! over in document order.
//!
//! A sink may take a record's text unparsed ([`Sink::raw_record`]): large inputs have their
//! records checked on checker threads (`checkers.rs`). Where that cannot be (dataset
//! checks, a catalog made at run time, a header after the first megabyte), a large input
//! is split and parsed on one worker thread while the caller's thread validates and hashes
//! the pieces already parsed. Channels of a few chunks each way bound the memory; the
//! pieces and their order are the same as on one thread (the tests compare both on the
//! whole corpus).

use crate::catalog::Catalog;
use crate::error::Error;
use crate::json;
use crate::reader::{JsonSplitter, Piece, Position};
use crate::recycle::Recycler;
use crate::value::Value;
use crate::xml::{IgnoredAttribute, PieceSink, RawRecord, XmlSplitter};

/// A piece of the input converted to the data model.
#[derive(Debug)]
pub(crate) enum Parsed {
    /// A member of the packet other than its streamed records.
    Member { key: String, value: Value },
    /// The packet's first `records` member is a list: its records follow.
    RecordsStart,
    /// The input is a bare list of records: its records follow.
    ListStart,
    /// One record.
    Record(Value),
    /// XML attributes without data on the piece just handed over, or on a container.
    Attributes(Vec<IgnoredAttribute>),
}

/// Where pieces go as they are parsed; a record handed back is storage for the next ones.
pub(crate) trait Sink {
    /// One piece, parsed.
    fn piece(&mut self, piece: Parsed) -> Result<Option<Value>, Error>;

    /// A JSON record's bytes (whole, its syntax not yet checked) before they are parsed:
    /// true when the sink takes them as they are (to be parsed elsewhere), false to have
    /// the record parsed and handed to [`Sink::piece`].
    fn raw_record(&mut self, _bytes: &[u8], _at: Position) -> Result<bool, Error> {
        Ok(false)
    }

    /// An XML record's text before it is read: as [`Sink::raw_record`].
    fn raw_xml_record(&mut self, _record: &RawRecord<'_>) -> Result<bool, Error> {
        Ok(false)
    }
}

/// The XML splitter's pieces going to a [`Sink`]; records handed back are kept for the
/// XML reader's pool.
struct XmlPieces<'s> {
    sink: &'s mut dyn Sink,
    back: Vec<Value>,
}

impl PieceSink for XmlPieces<'_> {
    fn piece(&mut self, piece: Parsed) -> Result<(), Error> {
        if let Some(done) = self.sink.piece(piece)? {
            self.back.push(done);
        }
        Ok(())
    }

    fn raw_record(&mut self, record: &RawRecord<'_>) -> Result<bool, Error> {
        self.sink.raw_xml_record(record)
    }
}

impl<F: FnMut(Parsed) -> Result<Option<Value>, Error>> Sink for F {
    fn piece(&mut self, piece: Parsed) -> Result<Option<Value>, Error> {
        self(piece)
    }
}

/// How the input is read, once its first character is known.
enum Input {
    /// Nothing but white space (and a byte-order mark) so far.
    Undecided(Vec<u8>),
    /// JSON, split as it arrives.
    Json(Box<JsonSplitter>),
    /// XML, split as it arrives.
    Xml(Box<XmlSplitter>),
}

/// The limits that bound what reading an input holds ([`crate::Options::max_record_bytes`],
/// [`crate::Options::max_records`]), and the counts kept against them.
#[derive(Debug, Clone)]
pub(crate) struct Bounds {
    /// The longest piece (record or other member), in bytes; also the most bytes of the
    /// pieces held together.
    pub(crate) max_piece: usize,
    /// The most records.
    max_records: u64,
    /// Bytes of the members other than the records: they are kept until the end (the
    /// digest sorts them).
    members: usize,
    /// Bytes of the packet's records read before its header: they are kept until the
    /// header says how to read them.
    waiting: usize,
    /// Records read.
    records: u64,
    /// Whether the packet's header has been read.
    header_seen: bool,
}

impl Bounds {
    /// Pieces of at most `max_piece` bytes, at most `max_records` records.
    pub(crate) fn new(max_piece: usize, max_records: u64) -> Bounds {
        Bounds {
            max_piece,
            max_records,
            members: 0,
            waiting: 0,
            records: 0,
            header_seen: false,
        }
    }

    /// A member of the packet other than its streamed records, `bytes` long, starting at
    /// the place `at` tells.
    pub(crate) fn member(&mut self, key: &str, bytes: usize, at: impl FnOnce() -> String) -> Result<(), Error> {
        self.members = self.members.saturating_add(bytes);
        if self.members.saturating_add(self.waiting) > self.max_piece {
            return Err(crate::xml::members_too_large(&at(), self.max_piece));
        }
        if key == "header" {
            // The records held for it are read now.
            self.header_seen = true;
            self.waiting = 0;
        }
        Ok(())
    }

    /// A record, `bytes` long, starting at the place `at` tells; `in_packet` when it is
    /// one of a packet's records (which wait for its header), not of a bare list.
    pub(crate) fn record(&mut self, in_packet: bool, bytes: usize, at: impl FnOnce() -> String) -> Result<(), Error> {
        self.records += 1;
        if self.records > self.max_records {
            return Err(Error::TooManyRecords {
                at: at(),
                limit: self.max_records,
            });
        }
        if in_packet && !self.header_seen {
            self.waiting = self.waiting.saturating_add(bytes);
            if self.members.saturating_add(self.waiting) > self.max_piece {
                return Err(Error::RecordsBeforeHeader {
                    at: at(),
                    limit: self.max_piece,
                });
            }
        }
        Ok(())
    }
}

/// Cuts an input pushed in chunks into [`Parsed`] pieces, on the caller's thread.
pub(crate) struct Splitter {
    input: Input,
    /// Storage of records given back, for the records parsed next.
    pool: Recycler,
    /// The limits on what is read and held, and the counts against them.
    bounds: Bounds,
    /// Whether the records are a packet's (not a bare list's).
    in_packet: bool,
}

impl Splitter {
    /// A splitter that keeps to `bounds`.
    pub(crate) fn new(bounds: Bounds) -> Splitter {
        Splitter {
            input: Input::Undecided(Vec::new()),
            pool: Recycler::default(),
            bounds,
            in_packet: false,
        }
    }

    /// Takes back the storage of records the caller is done with.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn recycle(&mut self, done: Vec<Value>) {
        match &mut self.input {
            Input::Xml(splitter) => splitter.recycle(done),
            _ => {
                for record in done {
                    self.pool.reclaim(record);
                }
            }
        }
    }

    /// Whether the input is XML (known from its first character).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn is_xml(&self) -> bool {
        matches!(self.input, Input::Xml(_))
    }

    /// Feeds the next chunk; `sink` receives each piece that ends in it.
    pub(crate) fn push(&mut self, chunk: &[u8], sink: &mut dyn Sink) -> Result<(), Error> {
        if let Input::Undecided(start) = &mut self.input {
            start.extend_from_slice(chunk);
            let Some(first) = first_char(start)? else {
                return Ok(());
            };
            let buffered = std::mem::take(start);
            match first {
                '<' => {
                    let lists = Catalog::get()?.xml_lists.clone();
                    let mut xml = XmlSplitter::new(lists, "packet");
                    xml.bound(self.bounds.clone());
                    self.input = Input::Xml(Box::new(xml))
                }
                '{' | '[' | '"' | '-' | '0'..='9' | 't' | 'f' | 'n' => {
                    let mut json = JsonSplitter::new();
                    json.limit_pieces(self.bounds.max_piece);
                    self.input = Input::Json(Box::new(json))
                }
                found => return Err(Error::UnknownFormat { found }),
            }
            return self.feed(&buffered, sink);
        }
        self.feed(chunk, sink)
    }

    fn feed(&mut self, chunk: &[u8], sink: &mut dyn Sink) -> Result<(), Error> {
        let pool = &mut self.pool;
        let (bounds, in_packet) = (&mut self.bounds, &mut self.in_packet);
        match &mut self.input {
            Input::Undecided(_) => Ok(()),
            // The XML reader keeps its own pool (it is borrowed while it reads): records
            // given back go to it once the chunk is read.
            Input::Xml(splitter) => {
                let mut pieces = XmlPieces { sink, back: Vec::new() };
                let read = splitter.push(chunk, &mut pieces);
                splitter.recycle(pieces.back);
                read
            }
            Input::Json(splitter) => splitter.push(chunk, &mut |piece| {
                count_piece(&piece, bounds, in_packet)?;
                if let Piece::Record { value, at } = piece {
                    if sink.raw_record(value, at)? {
                        return Ok(());
                    }
                }
                let parsed = json_piece(piece, pool)?;
                if let Some(done) = sink.piece(parsed)? {
                    pool.reclaim(done);
                }
                Ok(())
            }),
        }
    }

    /// Ends the input: the last pieces, or why the input is not a packet.
    pub(crate) fn finish(self, sink: &mut dyn Sink) -> Result<(), Error> {
        match self.input {
            Input::Undecided(start) => match first_char(&start)? {
                // Bytes that never completed a character, or nothing at all.
                Some(found) => Err(Error::UnknownFormat { found }),
                None if std::str::from_utf8(&start).is_err() => Err(Error::InvalidUtf8 {
                    offset: std::str::from_utf8(&start).err().map_or(0, |e| e.valid_up_to()),
                }),
                None => Err(Error::Empty),
            },
            Input::Json(mut splitter) => {
                let mut pool = self.pool;
                let (mut bounds, mut in_packet) = (self.bounds, self.in_packet);
                splitter.finish(&mut |piece| {
                    count_piece(&piece, &mut bounds, &mut in_packet)?;
                    if let Piece::Record { value, at } = piece {
                        if sink.raw_record(value, at)? {
                            return Ok(());
                        }
                    }
                    let parsed = json_piece(piece, &mut pool)?;
                    if let Some(done) = sink.piece(parsed)? {
                        pool.reclaim(done);
                    }
                    Ok(())
                })
            }
            Input::Xml(mut splitter) => splitter.finish(&mut XmlPieces { sink, back: Vec::new() }),
        }
    }
}

/// Counts a JSON piece against the bounds.
fn count_piece(piece: &Piece<'_>, bounds: &mut Bounds, in_packet: &mut bool) -> Result<(), Error> {
    let place = |at: &Position| format!("line {}, column {}", at.line, at.column);
    match piece {
        Piece::Member { key, value, at } => bounds.member(key, key.len() + value.len(), || place(at)),
        Piece::RecordsStart => {
            *in_packet = true;
            Ok(())
        }
        Piece::Record { value, at } => bounds.record(*in_packet, value.len(), || place(at)),
        Piece::ListStart | Piece::Scalar { .. } => Ok(()),
    }
}

/// Converts one JSON piece.
fn json_piece(piece: Piece<'_>, pool: &mut Recycler) -> Result<Parsed, Error> {
    Ok(match piece {
        Piece::Member { key, value, at } => Parsed::Member {
            key: key.to_owned(),
            value: piece_value(value, at, pool)?,
        },
        Piece::RecordsStart => Parsed::RecordsStart,
        Piece::ListStart => Parsed::ListStart,
        Piece::Record { value, at } => Parsed::Record(piece_value(value, at, pool)?),
        // A JSON text that is a single string, number or literal is not a packet.
        Piece::Scalar { value, at } => {
            return Err(Error::NotAPacket {
                found: piece_value(value, at, pool)?.type_name(),
            })
        }
    })
}

/// Converts one piece's bytes (whole values, syntax unchecked) into the data model.
pub(crate) fn piece_value(bytes: &[u8], at: Position, pool: &mut Recycler) -> Result<Value, Error> {
    // The splitter checked these bytes already, but only a check gives a `&str` without
    // unsafe code: the vector one costs a tenth of std's on Cyrillic text.
    let text = simdutf8::compat::from_utf8(bytes).map_err(|e| Error::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    json::parse_piece_with(text, pool).map_err(|e| {
        // Place the error in the whole document: the piece starts at `at`.
        let before = &bytes[..e.offset.min(bytes.len())];
        let (line, column) = match before.iter().rposition(|b| *b == b'\n') {
            Some(last) => (
                at.line + before.iter().filter(|b| **b == b'\n').count(),
                e.offset - last,
            ),
            None => (at.line, at.column + e.offset),
        };
        Error::Json {
            line,
            column,
            message: e.message.to_owned(),
        }
    })
}

/// The first character after white space and a byte-order mark, once it is complete;
/// invalid UTF-8 before it is an error.
fn first_char(bytes: &[u8]) -> Result<Option<char>, Error> {
    let start = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
    let Some(i) = bytes[start..]
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    else {
        return Ok(None);
    };
    let rest = &bytes[start + i..];
    let prefix = &rest[..rest.len().min(4)];
    match std::str::from_utf8(prefix) {
        Ok(text) => Ok(text.chars().next()),
        Err(e) if e.valid_up_to() > 0 => Ok(std::str::from_utf8(&prefix[..e.valid_up_to()])
            .ok()
            .and_then(|t| t.chars().next())),
        // Incomplete: wait for more bytes.
        Err(e) if e.error_len().is_none() => Ok(None),
        Err(_) => Err(Error::InvalidUtf8 { offset: start + i }),
    }
}

/// Splits on a worker thread (not in WebAssembly, which has none here).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use worker::Worker;

#[cfg(not(target_arch = "wasm32"))]
mod worker {
    use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError, TrySendError};
    use std::thread::JoinHandle;

    use super::{Parsed, Splitter};
    use crate::digest::Hasher;
    use crate::error::Error;
    use crate::integrity::HashWork;
    use crate::value::Value;

    /// Where the worker's pieces go; a record given back goes back to the worker, which
    /// built it, as storage for the records it parses next.
    pub(crate) type Consumer<'s> = dyn FnMut(Parsed) -> Result<Option<Value>, Error> + 's;

    /// Chunks (and batches of pieces) in flight each way: enough to keep both threads
    /// busy, few enough to bound the memory to a few chunks.
    const IN_FLIGHT: usize = 8;
    /// What crosses to the worker at a time: small pushes are gathered to this size, and
    /// large ones cut to it. Small batches are read by the caller while the records the
    /// worker built are still in a near cache: with 256 KiB batches (a megabyte of
    /// records each) the caller's first touch of every string missed the cache, and a
    /// check of 100 000 plan items took 1.39 s wall / 2.1 s CPU against 1.11 s / 1.55 s
    /// with 32 KiB (round robin of 7 runs; 16 and 64 KiB were between).
    const BATCH_BYTES: usize = 32 * 1024;

    /// What the worker hands back for each chunk: its pieces, or why the input stops.
    type Batch = Result<Vec<Parsed>, Error>;

    /// What goes to the worker: the next chunk, with the records done with since the last
    /// and the hashing of the records checked since the last.
    struct Message {
        chunk: Vec<u8>,
        done: Vec<Value>,
        hash: Option<HashWork>,
    }

    /// A [`Splitter`] running on its own thread.
    pub(crate) struct Worker {
        chunks: Option<SyncSender<Message>>,
        batches: Receiver<Batch>,
        handle: Option<JoinHandle<Option<Hasher>>>,
        gathered: Vec<u8>,
        /// Records the consumer is done with, to go back with the next chunk.
        done: Vec<Value>,
        /// Hashing to go with the next chunk.
        hash: Option<HashWork>,
        /// Whether the input is XML, whose reading keeps the worker the busier thread.
        xml: bool,
    }

    impl Worker {
        /// Moves `splitter` (with whatever it has read so far) onto a new thread; `None`
        /// when no thread can be started (the caller keeps splitting itself).
        // The splitter comes back by value at most once per input (no thread could start):
        // boxing it for that would cost more than it saves.
        #[allow(clippy::result_large_err)]
        pub(crate) fn start(splitter: Splitter) -> Result<Worker, Splitter> {
            let xml = splitter.is_xml();
            let (chunk_tx, chunk_rx) = sync_channel::<Message>(IN_FLIGHT);
            let (batch_tx, batch_rx) = sync_channel::<Batch>(IN_FLIGHT);
            // The splitter moves into the thread only once it has started.
            let (splitter_tx, splitter_rx) = sync_channel::<Splitter>(1);
            let spawned = std::thread::Builder::new()
                .name("tekser-reader".to_owned())
                .spawn(move || match splitter_rx.recv() {
                    Ok(splitter) => run(splitter, &chunk_rx, &batch_tx),
                    Err(_) => None,
                });
            match spawned {
                Ok(handle) => {
                    if let Err(returned) = splitter_tx.send(splitter) {
                        return Err(returned.0);
                    }
                    Ok(Worker {
                        chunks: Some(chunk_tx),
                        batches: batch_rx,
                        handle: Some(handle),
                        gathered: Vec::with_capacity(BATCH_BYTES),
                        done: Vec::new(),
                        hash: None,
                        xml,
                    })
                }
                Err(_) => Err(splitter),
            }
        }

        /// Whether the worker should hash the packet digest: for JSON, where the caller
        /// has the larger share of the work. For XML the two threads are about even since
        /// plain pieces are read in one pass, and hashing on the worker measured no faster
        /// (100 000 plan items, round robin of 7: 1.17 s here, 1.21 s on the worker).
        pub(crate) fn hashes(&self) -> bool {
            !self.xml
        }

        /// Gives the worker hashing to do (sent with the next chunk): the packet digest of
        /// the records checked so far, hashed while the caller checks the next ones.
        pub(crate) fn hash(&mut self, work: HashWork) {
            match &mut self.hash {
                Some(earlier) => earlier.append(work),
                None => self.hash = Some(work),
            }
        }

        /// Hands `chunk` to the worker; `sink` receives the pieces parsed so far.
        pub(crate) fn push(&mut self, chunk: &[u8], sink: &mut Consumer<'_>) -> Result<(), Error> {
            if self.gathered.is_empty() && chunk.len() >= BATCH_BYTES {
                for part in chunk.chunks(BATCH_BYTES) {
                    self.send(part.to_vec(), sink)?;
                }
            } else {
                self.gathered.extend_from_slice(chunk);
                if self.gathered.len() >= BATCH_BYTES {
                    let full = std::mem::replace(&mut self.gathered, Vec::with_capacity(BATCH_BYTES));
                    self.send(full, sink)?;
                }
            }
            // Take what is ready without waiting.
            loop {
                match self.batches.try_recv() {
                    Ok(batch) => deliver(batch, sink, &mut self.done)?,
                    Err(TryRecvError::Empty) => return Ok(()),
                    Err(TryRecvError::Disconnected) => return Err(stopped()),
                }
            }
        }

        /// Sends one chunk, taking the worker's pieces while it is busy (so that neither
        /// thread waits on the other forever).
        fn send(&mut self, chunk: Vec<u8>, sink: &mut Consumer<'_>) -> Result<(), Error> {
            let Some(chunks) = &self.chunks else {
                return Err(stopped());
            };
            let mut message = Message {
                chunk,
                done: std::mem::take(&mut self.done),
                hash: self.hash.take(),
            };
            loop {
                match chunks.try_send(message) {
                    Ok(()) => return Ok(()),
                    Err(TrySendError::Full(back)) => {
                        message = back;
                        match self.batches.recv() {
                            Ok(batch) => deliver(batch, sink, &mut message.done)?,
                            Err(_) => return Err(stopped()),
                        }
                    }
                    Err(TrySendError::Disconnected(_)) => {
                        // The worker ended early: its last batch says why.
                        while let Ok(batch) = self.batches.recv() {
                            deliver(batch, sink, &mut self.done)?;
                        }
                        return Err(stopped());
                    }
                }
            }
        }

        /// Ends the input and takes every remaining piece; gives back the hasher handed to
        /// the worker (with all its work done), if one was.
        pub(crate) fn finish(mut self, sink: &mut Consumer<'_>) -> Result<Option<Hasher>, Error> {
            if !self.gathered.is_empty() || self.hash.is_some() {
                let rest = std::mem::take(&mut self.gathered);
                self.send(rest, sink)?;
            }
            // Closing the chunk channel tells the worker the input has ended.
            self.chunks = None;
            while let Ok(batch) = self.batches.recv() {
                deliver(batch, sink, &mut self.done)?;
            }
            match self.handle.take().map(JoinHandle::join) {
                Some(Ok(hasher)) => Ok(hasher),
                Some(Err(_)) => Err(stopped()),
                None => Ok(None),
            }
        }
    }

    fn deliver(batch: Batch, sink: &mut Consumer<'_>, done: &mut Vec<Value>) -> Result<(), Error> {
        for piece in batch? {
            if let Some(record) = sink(piece)? {
                done.push(record);
            }
        }
        Ok(())
    }

    fn stopped() -> Error {
        Error::Read("the reader thread stopped before the end of the input".to_owned())
    }

    /// The worker's loop: one batch of pieces per chunk, then the last pieces at the end;
    /// returns the hasher it was handed, with every byte handed to it hashed.
    fn run(mut splitter: Splitter, chunks: &Receiver<Message>, batches: &SyncSender<Batch>) -> Option<Hasher> {
        let mut hasher = None;
        for Message { chunk, done, hash } in chunks {
            if let Some(work) = hash {
                work.apply(&mut hasher);
            }
            splitter.recycle(done);
            let mut pieces = Vec::new();
            let result = splitter.push(&chunk, &mut |piece| {
                pieces.push(piece);
                Ok(None)
            });
            let failed = result.is_err();
            let batch = result.map(|()| pieces);
            if batches.send(batch).is_err() || failed {
                return None;
            }
        }
        let mut pieces = Vec::new();
        let result = splitter.finish(&mut |piece| {
            pieces.push(piece);
            Ok(None)
        });
        let _ = batches.send(result.map(|()| pieces));
        hasher
    }
}
