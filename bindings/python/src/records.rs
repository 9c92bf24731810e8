//! The records of packet files as Arrow record batches: `tekser.read_packets`.
//!
//! Files are read in chunks through the core's `RecordStream` (JSON and XML, any size) and
//! each batch is built once about `batch_size` records are read, so a load of any size
//! goes through a bounded amount of memory. Nothing is checked here: the values go into
//! text columns as written, for analysis and for joining the findings back.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::{Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use pyo3::prelude::*;
use pyo3_arrow::PyRecordBatch;
use tekser::{Entity, Options, RecordStream, Value};

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

/// A value as the text its column holds: a string as it is, a number's literal, a boolean
/// `true`/`false`, anything nested as JSON text; `None` for null.
fn cell(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Text(text) => Some(text.clone()),
        Value::Number(literal) => Some(literal.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(_) | Value::Object(_) => Some(value.to_json()),
    }
}

/// Why a packet gave no records.
struct Skipped {
    packet: String,
    reason: String,
}

/// The packet being read.
struct Current {
    label: String,
    path: PathBuf,
    file: std::fs::File,
    stream: RecordStream,
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
    entity: Entity,
    options: Options,
    field_index: HashMap<String, usize>,
    schema: SchemaRef,
    batch_size: usize,
    packet: StringBuilder,
    record: Int64Builder,
    values: Vec<StringBuilder>,
    other: StringBuilder,
    rows: usize,
    chunk: Vec<u8>,
    /// Records taken from the current packet and not yet in a batch, and its label.
    ready: std::vec::IntoIter<(usize, Value)>,
    ready_label: String,
    skipped: Vec<Skipped>,
    records_read: u64,
    bytes_read: u64,
}

impl Batches {
    /// Appends one record's row.
    fn append(&mut self, label: &str, index: usize, record: Value) {
        self.packet.append_value(label);
        self.record.append_value(i64::try_from(index).unwrap_or(i64::MAX));
        let mut row: Vec<Option<String>> = vec![None; self.values.len()];
        let mut other: Vec<(String, Value)> = Vec::new();
        match record {
            Value::Object(members) => {
                for (name, value) in members {
                    match self.field_index.get(&name) {
                        // A repeated member (the check's finding) goes with the unknown ones.
                        Some(&i) if row[i].is_none() && !matches!(value, Value::Null) => row[i] = cell(&value),
                        Some(&i) if row[i].is_none() => {}
                        _ => other.push((name, value)),
                    }
                }
            }
            // A record that is not an object: kept whole, under the empty name.
            not_object => other.push((String::new(), not_object)),
        }
        for (builder, value) in self.values.iter_mut().zip(row) {
            builder.append_option(value);
        }
        if other.is_empty() {
            self.other.append_null();
        } else {
            self.other.append_value(Value::Object(other).to_json());
        }
        self.rows += 1;
        self.records_read += 1;
    }

    /// The rows appended so far as a batch.
    fn finish_batch(&mut self) -> Result<RecordBatch, String> {
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.values.len() + 3);
        columns.push(Arc::new(self.packet.finish()));
        columns.push(Arc::new(self.record.finish()));
        for builder in &mut self.values {
            columns.push(Arc::new(builder.finish()));
        }
        columns.push(Arc::new(self.other.finish()));
        self.rows = 0;
        RecordBatch::try_new(Arc::clone(&self.schema), columns).map_err(|e| e.to_string())
    }

    /// Takes the records the current packet has ready, to be appended by [`Self::fill`].
    fn take_ready(&mut self) {
        let Some(current) = self.current.as_mut() else {
            return;
        };
        self.ready = current.stream.take().into_iter();
        self.ready_label.clone_from(&current.label);
    }

    /// Appends ready records until the batch is full.
    fn fill(&mut self) {
        while self.rows < self.batch_size {
            let Some((index, record)) = self.ready.next() else {
                return;
            };
            let label = std::mem::take(&mut self.ready_label);
            self.append(&label, index, record);
            self.ready_label = label;
        }
    }

    /// Reads on until a batch is full or the files end; `None` at the end.
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, Unusable> {
        loop {
            self.fill();
            if self.rows >= self.batch_size {
                return self.finish_batch().map(Some).map_err(|e| self.internal(e));
            }
            let Some(current) = self.current.as_mut() else {
                let Some((label, path)) = self.files.get(self.next_file).cloned() else {
                    if self.rows > 0 {
                        return self.finish_batch().map(Some).map_err(|e| self.internal(e));
                    }
                    return Ok(None);
                };
                self.next_file += 1;
                let file = std::fs::File::open(&path).map_err(|e| Unusable {
                    packet: label.clone(),
                    path: path.clone(),
                    error: tekser::Error::Read(format!("{}: {e}", path.display())),
                })?;
                let stream = RecordStream::new(&self.options);
                self.current = Some(Current {
                    label,
                    path,
                    file,
                    stream,
                });
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
            let ended = match step {
                Ok(ended) => ended,
                Err(error) => {
                    let Some(current) = self.current.take() else {
                        continue;
                    };
                    return Err(Unusable {
                        packet: current.label,
                        path: current.path,
                        error,
                    });
                }
            };
            if let Some(found) = current.stream.entity() {
                if found != self.entity {
                    // Another entity's packet: not read further.
                    let reason = format!("a packet of {}, not {}", found.as_str(), self.entity.as_str());
                    let packet = current.label.clone();
                    self.current = None;
                    self.skipped.push(Skipped { packet, reason });
                    continue;
                }
            }
            self.take_ready();
            self.fill();
            if ended {
                self.current = None;
            }
        }
    }

    fn internal(&self, message: String) -> Unusable {
        Unusable {
            packet: String::new(),
            path: PathBuf::new(),
            error: tekser::Error::Read(message),
        }
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
                entity,
                options,
                field_index: fields.iter().enumerate().map(|(i, f)| (f.clone(), i)).collect(),
                schema,
                batch_size: batch_size.max(1),
                packet: StringBuilder::new(),
                record: Int64Builder::new(),
                values: fields.iter().map(|_| StringBuilder::new()).collect(),
                other: StringBuilder::new(),
                rows: 0,
                chunk: vec![0; tekser::READ_CHUNK],
                ready: Vec::new().into_iter(),
                ready_label: String::new(),
                skipped: Vec::new(),
                records_read: 0,
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
        Ok((inner.records_read, inner.bytes_read))
    }
}

impl PacketBatches {
    fn lock(&self) -> PyResult<std::sync::MutexGuard<'_, Batches>> {
        self.inner
            .lock()
            .map_err(|_| crate::InternalError::new_err("a read of these packets failed part-way"))
    }
}
