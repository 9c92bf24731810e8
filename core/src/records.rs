//! A packet's records handed out one by one as the packet is read: for hosts that load
//! packets into tables (Arrow record batches, Spark DataFrames) without holding them whole.
//!
//! The records are read by the same readers (JSON and XML, streamed) as the check; nothing
//! is checked. A record that comes before the packet's header is kept until the header
//! says the packet's entity, as the check keeps it.

use crate::entity::Entity;
use crate::error::Error;
use crate::integrity::{entity_of, StreamingDigest};
use crate::stream::{Members, Reader, Walk};
use crate::value::Value;
use crate::{xml, Options};

/// The walk that only collects records.
pub(crate) struct RecordWalk {
    options: Options,
    members: Members,
    /// The entity, once the header (or the caller, for a bare list) said it.
    entity: Option<Entity>,
    /// Records read and not yet taken, with their index in the packet.
    ready: Vec<(usize, Value)>,
    /// Records read so far.
    count: usize,
}

impl RecordWalk {
    fn add(&mut self, record: Value) {
        self.ready.push((self.count, record));
        self.count += 1;
    }
}

impl Walk for RecordWalk {
    fn members(&mut self) -> &mut Members {
        &mut self.members
    }

    fn options(&self) -> &Options {
        &self.options
    }

    fn start_packet(&mut self) -> Result<(), Error> {
        self.entity = Some(entity_of(self.members.header(), &self.options)?);
        Ok(())
    }

    fn list_start(&mut self) -> Result<(), Error> {
        self.entity = Some(self.options.entity.ok_or(Error::EntityNotNamed)?);
        Ok(())
    }

    fn record(&mut self, record: Value) -> Option<Value> {
        self.add(record);
        None
    }

    fn ignored_attributes(&mut self, _attributes: &[xml::IgnoredAttribute]) {}

    fn packet_digest(&mut self) -> Option<&mut StreamingDigest> {
        None
    }
}

/// A packet's records, read from chunks pushed in order: take the records read so far
/// after each chunk, so that no more than a chunk's worth is held (records before the
/// header excepted).
///
/// ```
/// let packet = r#"{"header": {"entity": "legal_act", "packet_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
///   "sender_bin": "081140000436", "created_at": "01.02.2024 10:00"},
///   "records": [{"name_ru": "Закон"}, {"name_ru": "Приказ"}]}"#.as_bytes();
/// let mut stream = tekser::RecordStream::new(&tekser::Options::default());
/// let mut names = Vec::new();
/// for chunk in packet.chunks(16) {
///     stream.push(chunk).expect("readable");
///     names.extend(stream.take().into_iter().map(|(index, record)| (index, record.to_json())));
/// }
/// stream.end_input().expect("a packet");
/// names.extend(stream.take().into_iter().map(|(index, record)| (index, record.to_json())));
/// assert_eq!(stream.entity(), Some(tekser::Entity::LegalAct));
/// assert_eq!(names, [(0, r#"{"name_ru":"Закон"}"#.to_owned()), (1, r#"{"name_ru":"Приказ"}"#.to_owned())]);
/// ```
pub struct RecordStream {
    reader: Reader<RecordWalk>,
}

impl RecordStream {
    /// A stream read with `options`' limits; `options.entity` is the entity of a bare list
    /// of records (a packet's header names its own).
    pub fn new(options: &Options) -> RecordStream {
        RecordStream {
            reader: Reader::new(RecordWalk {
                options: options.clone(),
                members: Members::default(),
                entity: None,
                ready: Vec::new(),
                count: 0,
            }),
        }
    }

    /// Feeds the next chunk of the packet.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.reader.push(chunk)
    }

    /// Ends the input: the last records become ready; an error if the packet is not
    /// whole or names no entity.
    pub fn end_input(&mut self) -> Result<(), Error> {
        self.reader.end_input()?;
        let walk = self.reader.walk_mut();
        if walk.entity.is_none() {
            // A packet without records, or with its records before a header that never
            // came: the header (or its lack) decides now.
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

    /// The records read since the last call, with their index in the packet (from 0, the
    /// `n` of `/records/n`); none while the entity is not known.
    pub fn take(&mut self) -> Vec<(usize, Value)> {
        let walk = self.reader.walk_mut();
        if walk.entity.is_none() {
            return Vec::new();
        }
        std::mem::take(&mut walk.ready)
    }

    /// The records read so far.
    pub fn records_read(&self) -> usize {
        self.reader.walk().count
    }
}
