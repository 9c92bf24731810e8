//! A packet's records handed to the caller one by one as the packet is read: for hosts
//! that load packets into tables (Arrow record batches, Spark DataFrames) without holding
//! them whole.
//!
//! The records are read by the same readers (JSON and XML, streamed) as the check; nothing
//! is checked. Each record is lent to a [`RecordSink`] and then given back to the reader,
//! whose storage the next records reuse (see `recycle`), so reading allocates little once
//! warm. A record that comes before the packet's header is kept until the header says the
//! packet's entity, as the check keeps it.

use crate::entity::Entity;
use crate::error::Error;
use crate::integrity::{entity_of, StreamingDigest};
use crate::stream::{Members, Reader, Walk};
use crate::value::Value;
use crate::{xml, Options};

/// Where [`RecordStream`] hands the records.
pub trait RecordSink {
    /// One record of the packet, with its index in it (from 0, the `n` of `/records/n`).
    fn record(&mut self, index: usize, record: &Value);
}

impl<F: FnMut(usize, &Value)> RecordSink for F {
    fn record(&mut self, index: usize, record: &Value) {
        self(index, record);
    }
}

/// The walk that hands records to a sink.
pub(crate) struct RecordWalk<S> {
    options: Options,
    members: Members,
    sink: S,
    /// The entity, once the header (or the caller, for a bare list) said it.
    entity: Option<Entity>,
    /// Whether the records go to the sink: the entity is the one asked for (or none was).
    wanted: bool,
    /// Records read before the entity was known.
    pending: Vec<Value>,
    /// Records read so far.
    count: usize,
}

impl<S: RecordSink> RecordWalk<S> {
    fn known(&mut self, entity: Entity) {
        self.entity = Some(entity);
        self.wanted = self.options.entity.is_none_or(|asked| asked == entity);
        for record in std::mem::take(&mut self.pending) {
            self.hand(&record);
        }
    }

    fn hand(&mut self, record: &Value) {
        if self.wanted {
            self.sink.record(self.count, record);
        }
        self.count += 1;
    }
}

impl<S: RecordSink> Walk for RecordWalk<S> {
    fn members(&mut self) -> &mut Members {
        &mut self.members
    }

    fn options(&self) -> &Options {
        &self.options
    }

    fn start_packet(&mut self) -> Result<(), Error> {
        let entity = entity_of(self.members.header(), &self.options)?;
        self.known(entity);
        Ok(())
    }

    fn list_start(&mut self) -> Result<(), Error> {
        let entity = self.options.entity.ok_or(Error::EntityNotNamed)?;
        self.known(entity);
        Ok(())
    }

    fn record(&mut self, record: Value) -> Option<Value> {
        if self.entity.is_none() {
            self.pending.push(record);
            return None;
        }
        self.hand(&record);
        // Given back: its storage becomes the next record's.
        Some(record)
    }

    fn ignored_attributes(&mut self, _attributes: &[xml::IgnoredAttribute]) {}

    fn packet_digest(&mut self) -> Option<&mut StreamingDigest> {
        None
    }
}

/// A packet's records, read from chunks pushed in order and handed to a [`RecordSink`] as
/// they are read. With `options.entity` set, only a packet of that entity (or a bare
/// list) hands out its records; [`RecordStream::entity`] says which entity a packet is.
///
/// ```
/// let packet = r#"{"header": {"entity": "legal_act", "packet_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
///   "sender_bin": "081140000436", "created_at": "01.02.2024 10:00"},
///   "records": [{"name_ru": "Закон"}, {"name_ru": "Приказ"}]}"#.as_bytes();
/// let mut names = Vec::new();
/// let mut stream = tekser::RecordStream::new(&tekser::Options::default(), |index: usize, record: &tekser::Value| {
///     names.push((index, record.to_json()));
/// });
/// for chunk in packet.chunks(16) {
///     stream.push(chunk).expect("readable");
/// }
/// stream.end_input().expect("a packet");
/// assert_eq!(stream.entity(), Some(tekser::Entity::LegalAct));
/// drop(stream);
/// assert_eq!(names, [(0, r#"{"name_ru":"Закон"}"#.to_owned()), (1, r#"{"name_ru":"Приказ"}"#.to_owned())]);
/// ```
pub struct RecordStream<S> {
    reader: Reader<RecordWalk<S>>,
}

impl<S: RecordSink> RecordStream<S> {
    /// A stream read with `options`' limits, handing records to `sink`; `options.entity`
    /// is the entity asked for, and that of a bare list of records.
    pub fn new(options: &Options, sink: S) -> RecordStream<S> {
        RecordStream {
            reader: Reader::new(RecordWalk {
                options: options.clone(),
                members: Members::default(),
                sink,
                entity: None,
                wanted: false,
                pending: Vec::new(),
                count: 0,
            }),
        }
    }

    /// Feeds the next chunk of the packet.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.reader.push(chunk)
    }

    /// Ends the input: the last records go to the sink; an error if the packet is not
    /// whole or names no entity.
    pub fn end_input(&mut self) -> Result<(), Error> {
        self.reader.end_input()?;
        let walk = self.reader.walk_mut();
        if walk.entity.is_none() {
            // A packet without records, or with its records before a header that came
            // after them: the header (or its lack) decides now.
            walk.start_packet()?;
        }
        Ok(())
    }

    /// The packet's entity, once known (its header has been read with the records'
    /// start, or the input has ended).
    pub fn entity(&self) -> Option<Entity> {
        self.reader.walk().entity
    }

    /// The packet's header, once read.
    pub fn header(&self) -> Option<&Value> {
        self.reader.walk().members.header()
    }

    /// The records read so far (handed out or not).
    pub fn records_read(&self) -> usize {
        self.reader.walk().count
    }

    /// The sink.
    pub fn sink(&self) -> &S {
        &self.reader.walk().sink
    }

    /// The sink, to take what it gathered between pushes.
    pub fn sink_mut(&mut self) -> &mut S {
        &mut self.reader.walk_mut().sink
    }

    /// The sink, once the stream is no longer needed.
    pub fn into_sink(self) -> S {
        self.reader.into_walk().sink
    }
}
