//! The records of packet files as Arrow record batches: `tekser.read_packets`.
//!
//! Files are read in chunks through the core's `RecordStream` (JSON and XML, any size) and
//! each batch is built once about `batch_size` records are read, so a load of any size
//! goes through a bounded amount of memory. Nothing is checked here: the values go into
//! text columns as written, for analysis and for joining the findings back.

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::{Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use pyo3::prelude::*;
use pyo3_arrow::PyRecordBatch;
use tekser::{Entity, Options, RecordSink, RecordStream, Value};

/// The column of members that are not fields of the entity (JSON object text).
pub const OTHER_COLUMN: &str = "_other";

/// The schema of an entity's records: `packet`, `record`, its fields, `_other`.
pub fn records_schema(fields: &[String]) -> SchemaRef {
    let mut columns = vec![
        Field::new("packet", DataType::Utf8, false),
        Field::new("record", DataType::Int64, false),
    ];
    columns.extend(fields.iter().map(|name| Field::new(name, DataType::Utf8, true)));
    columns.push(Field::new(OTHER_COLUMN, DataType::Utf8, true));
    Arc::new(Schema::new(columns))
}

/// Appends a value as the text its column holds: a string as it is, a number's literal, a
/// boolean `true`/`false`, anything nested as JSON text; null for null. Scalars are copied
/// straight from the record into the column (no allocation per value).
fn append_cell(builder: &mut StringBuilder, value: &Value) {
    match value {
        Value::Null => builder.append_null(),
        Value::Text(text) | Value::Number(text) => builder.append_value(text),
        Value::Bool(b) => builder.append_value(if *b { "true" } else { "false" }),
        Value::Array(_) | Value::Object(_) => builder.append_value(value.to_json()),
    }
}

/// The columns being built: the sink of the packets' record streams, moved from one
/// packet's stream to the next.
struct Builders {
    /// The label of the packet whose records come in.
    label: String,
    field_index: HashMap<String, usize>,
    /// Per field, the member of the current record that fills it (reused per record).
    slots: Vec<Option<usize>>,
    /// Members of the current record that are not fields, or repeat one.
    others: Vec<usize>,
    packet: StringBuilder,
    record: Int64Builder,
    values: Vec<StringBuilder>,
    other: StringBuilder,
    rows: usize,
    records_read: u64,
}

impl RecordSink for Builders {
    fn record(&mut self, index: usize, record: &Value) {
        self.packet.append_value(&self.label);
        self.record.append_value(i64::try_from(index).unwrap_or(i64::MAX));
        self.slots.clear();
        self.slots.resize(self.values.len(), None);
        self.others.clear();
        match record {
            Value::Object(members) => {
                for (m, (name, value)) in members.iter().enumerate() {
                    match self.field_index.get(name.as_str()) {
                        Some(&i) if self.slots[i].is_none() && !matches!(value, Value::Null) => self.slots[i] = Some(m),
                        // A null is an absent value (as in validate_arrow).
                        Some(&i) if self.slots[i].is_none() => {}
                        // A repeated member (the check's finding) goes with the unknown ones.
                        _ => self.others.push(m),
                    }
                }
                for (builder, slot) in self.values.iter_mut().zip(&self.slots) {
                    match slot {
                        Some(m) => append_cell(builder, &members[*m].1),
                        None => builder.append_null(),
                    }
                }
                if self.others.is_empty() {
                    self.other.append_null();
                } else {
                    let rest: Vec<(String, Value)> = self.others.iter().map(|&m| members[m].clone()).collect();
                    self.other.append_value(Value::Object(rest).to_json());
                }
            }
            // A record that is not an object: kept whole, under the empty name.
            not_object => {
                for builder in &mut self.values {
                    builder.append_null();
                }
                self.other
                    .append_value(Value::Object(vec![(String::new(), not_object.clone())]).to_json());
            }
        }
        self.rows += 1;
        self.records_read += 1;
    }
}

impl Builders {
    /// The rows appended so far as a batch.
    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, String> {
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.values.len() + 3);
        columns.push(Arc::new(self.packet.finish()));
        columns.push(Arc::new(self.record.finish()));
        for builder in &mut self.values {
            columns.push(Arc::new(builder.finish()));
        }
        columns.push(Arc::new(self.other.finish()));
        self.rows = 0;
        RecordBatch::try_new(Arc::clone(schema), columns).map_err(|e| e.to_string())
    }
}

/// Why a packet gave no records.
struct Skipped {
    packet: String,
    reason: String,
}

/// The packet being read.
struct Current {
    path: PathBuf,
    file: std::fs::File,
    stream: RecordStream<Builders>,
}

/// A packet that could not be read, with its label.
pub struct Unusable {
    /// The packet's label.
    pub packet: String,
    /// The packet's path.
    pub path: PathBuf,
    /// What went wrong.
    pub error: tekser::Error,
}

/// The state of a `read_packets` iteration (no Python objects: read without the GIL).
struct Batches {
    files: Vec<(String, PathBuf)>,
    next_file: usize,
    current: Option<Current>,
    /// The builders while no packet is being read (else its stream's sink).
    idle: Option<Builders>,
    entity: Entity,
    options: Options,
    schema: SchemaRef,
    batch_size: usize,
    /// Batches of at most `batch_size` rows, ready to be given.
    out: VecDeque<RecordBatch>,
    chunk: Vec<u8>,
    skipped: Vec<Skipped>,
    bytes_read: u64,
}

impl Batches {
    fn builders(&mut self) -> Option<&mut Builders> {
        match &mut self.current {
            Some(current) => Some(current.stream.sink_mut()),
            None => self.idle.as_mut(),
        }
    }

    fn rows(&mut self) -> usize {
        self.builders().map_or(0, |b| b.rows)
    }

    fn records_read(&self) -> u64 {
        match &self.current {
            Some(current) => current.stream.sink().records_read,
            None => self.idle.as_ref().map_or(0, |b| b.records_read),
        }
    }

    /// Ends the current packet: its stream's builders become idle.
    fn close_current(&mut self) {
        if let Some(current) = self.current.take() {
            self.idle = Some(current.stream.into_sink());
        }
    }

    /// Finishes the rows built so far into batches of at most `batch_size` rows.
    fn flush(&mut self) -> Result<(), Unusable> {
        let schema = Arc::clone(&self.schema);
        let Some(builders) = self.builders() else {
            return Ok(());
        };
        let batch = builders.finish(&schema).map_err(internal)?;
        let mut offset = 0;
        while offset < batch.num_rows() {
            let length = self.batch_size.min(batch.num_rows() - offset);
            self.out.push_back(batch.slice(offset, length));
            offset += length;
        }
        Ok(())
    }

    /// Reads on until a batch is ready or the files end; `None` at the end.
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, Unusable> {
        loop {
            if let Some(batch) = self.out.pop_front() {
                return Ok(Some(batch));
            }
            if self.rows() >= self.batch_size {
                self.flush()?;
                continue;
            }
            let Some(current) = self.current.as_mut() else {
                let Some((label, path)) = self.files.get(self.next_file).cloned() else {
                    if self.rows() > 0 {
                        self.flush()?;
                        continue;
                    }
                    return Ok(None);
                };
                self.next_file += 1;
                let file = std::fs::File::open(&path).map_err(|e| Unusable {
                    packet: label.clone(),
                    path: path.clone(),
                    error: tekser::Error::Read(format!("{}: {e}", path.display())),
                })?;
                let Some(mut builders) = self.idle.take() else {
                    return Err(internal("the column builders were lost".to_owned()));
                };
                builders.label = label;
                let stream = RecordStream::new(&self.options, builders);
                self.current = Some(Current { path, file, stream });
                continue;
            };
            let read = loop {
                match current.file.read(&mut self.chunk) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            let step = match read {
                Ok(0) => current.stream.end_input().map(|()| true),
                Ok(n) => {
                    self.bytes_read += n as u64;
                    current.stream.push(&self.chunk[..n]).map(|()| false)
                }
                Err(e) => Err(tekser::Error::Read(format!("{}: {e}", current.path.display()))),
            };
            let found = current.stream.entity();
            let path = current.path.clone();
            match step {
                Err(error) => {
                    let packet = current.stream.sink_mut().label.clone();
                    self.close_current();
                    return Err(Unusable { packet, path, error });
                }
                Ok(ended) => {
                    if let Some(found) = found.filter(|&e| e != self.entity) {
                        // Another entity's packet (its records were not handed out): not
                        // read further.
                        let reason = format!("a packet of {}, not {}", found.as_str(), self.entity.as_str());
                        let packet = current.stream.sink_mut().label.clone();
                        self.close_current();
                        self.skipped.push(Skipped { packet, reason });
                    } else if ended {
                        self.close_current();
                    }
                }
            }
        }
    }
}

fn internal(message: String) -> Unusable {
    Unusable {
        packet: String::new(),
        path: PathBuf::new(),
        error: tekser::Error::Read(message),
    }
}

/// An iterator of record batches over packet files, from `tekser.read_packets`.
#[pyclass(module = "tekser", name = "_PacketBatches")]
pub struct PacketBatches {
    // A mutex because a Python object may be shared between threads; one reads at a time.
    inner: std::sync::Mutex<Batches>,
}

impl PacketBatches {
    /// Batches of `entity`'s records from `files` (label, path), `fields` its columns.
    pub fn new(
        files: Vec<(String, PathBuf)>,
        entity: Entity,
        fields: &[String],
        options: Options,
        batch_size: usize,
    ) -> PacketBatches {
        let schema = records_schema(fields);
        PacketBatches {
            inner: std::sync::Mutex::new(Batches {
                files,
                next_file: 0,
                current: None,
                idle: Some(Builders {
                    label: String::new(),
                    field_index: fields.iter().enumerate().map(|(i, f)| (f.clone(), i)).collect(),
                    slots: Vec::with_capacity(fields.len()),
                    others: Vec::new(),
                    packet: StringBuilder::new(),
                    record: Int64Builder::new(),
                    values: fields.iter().map(|_| StringBuilder::new()).collect(),
                    other: StringBuilder::new(),
                    rows: 0,
                    records_read: 0,
                }),
                entity,
                options,
                schema,
                batch_size: batch_size.max(1),
                out: VecDeque::new(),
                chunk: vec![0; tekser::READ_CHUNK],
                skipped: Vec::new(),
                bytes_read: 0,
            }),
        }
    }
}

#[pymethods]
impl PacketBatches {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let mut inner = self.lock()?;
        let inner = &mut *inner;
        match py.detach(|| inner.next_batch()) {
            Ok(Some(batch)) => Ok(Some(PyRecordBatch::new(batch).into_pyarrow(py)?.unbind())),
            Ok(None) => Ok(None),
            Err(unusable) => {
                let err = crate::error(py, &unusable.error);
                let _ = err.value(py).setattr("packet", &unusable.packet);
                let _ = err.value(py).setattr("path", unusable.path.display().to_string());
                Err(err)
            }
        }
    }

    /// The packets given no records: (label, reason), e.g. a packet of another entity.
    #[getter]
    fn skipped(&self) -> PyResult<Vec<(String, String)>> {
        Ok(self
            .lock()?
            .skipped
            .iter()
            .map(|s| (s.packet.clone(), s.reason.clone()))
            .collect())
    }

    /// Records and bytes read so far.
    #[getter]
    fn progress(&self) -> PyResult<(u64, u64)> {
        let inner = self.lock()?;
        Ok((inner.records_read(), inner.bytes_read))
    }
}

impl PacketBatches {
    fn lock(&self) -> PyResult<std::sync::MutexGuard<'_, Batches>> {
        self.inner
            .lock()
            .map_err(|_| crate::InternalError::new_err("a read of these packets failed part-way"))
    }
}
