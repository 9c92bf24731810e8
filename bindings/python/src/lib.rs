//! Python bindings of tekser (module `tekser._tekser`, re-exported by the `tekser` package).
//!
//! Conversion only: Python inputs become bytes and options, core errors become one
//! exception class per error kind (with the error's fields as attributes), and core
//! results become small read-only classes whose `to_json()` is the core's canonical JSON.
//! The core runs with the GIL released.

use std::path::{Path, PathBuf};

mod arrow;
mod facts;
mod records;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString};
use tekser::{Algorithm, Catalog, Dataset, Entity, Lang, LocalDateTime, Options, PacketDigest, Reply, Value};

create_exception!(
    tekser,
    TekserError,
    PyException,
    "A packet (or another input) could not be read at all; `kind` names the core's error kind. Findings are never exceptions."
);
create_exception!(
    tekser,
    InternalError,
    TekserError,
    "A bug inside tekser (a panic of the Rust core), caught at the boundary; please report it. The module goes on working."
);
create_exception!(
    tekser,
    InvalidUtf8Error,
    TekserError,
    "The input is not UTF-8 (`offset`: first bad byte)."
);
create_exception!(
    tekser,
    TooLargeError,
    TekserError,
    "The input is larger than the limit (`size`, `limit`)."
);
create_exception!(tekser, EmptyInputError, TekserError, "The input is empty.");
create_exception!(
    tekser,
    UnknownFormatError,
    TekserError,
    "The input is neither JSON nor XML (`found`)."
);
create_exception!(
    tekser,
    JsonSyntaxError,
    TekserError,
    "Malformed JSON (`line`, `column`, `detail`)."
);
create_exception!(
    tekser,
    XmlSyntaxError,
    TekserError,
    "Malformed XML (`offset`, `detail`)."
);
create_exception!(
    tekser,
    XmlDoctypeError,
    TekserError,
    "An XML DOCTYPE, refused (`offset`)."
);
create_exception!(
    tekser,
    NotAPacketError,
    TekserError,
    "The top level is not a packet or a list (`found`)."
);
create_exception!(
    tekser,
    UnknownEntityError,
    TekserError,
    "An unknown entity name (`name`, `expected`)."
);
create_exception!(
    tekser,
    EntityNotNamedError,
    TekserError,
    "A bare list of records without `entity=`."
);
create_exception!(
    tekser,
    UnknownRuleSetError,
    TekserError,
    "An unknown rule set (`name`, `expected`)."
);
create_exception!(
    tekser,
    UnknownAlgorithmError,
    TekserError,
    "An unknown digest algorithm (`name`)."
);
create_exception!(
    tekser,
    InvalidDigestListError,
    TekserError,
    "Not a per-record digest list (`detail`)."
);
create_exception!(
    tekser,
    InvalidReplyError,
    TekserError,
    "Not a reply message (`detail`)."
);
create_exception!(
    tekser,
    InvalidDictionaryFileError,
    TekserError,
    "A dictionary file refused (`detail`)."
);
create_exception!(
    tekser,
    CatalogError,
    TekserError,
    "The embedded rule catalog is defective (a build defect)."
);
create_exception!(
    tekser,
    ReadError,
    TekserError,
    "Reading a streamed input failed (`detail`)."
);
create_exception!(
    tekser,
    InvalidTimeError,
    TekserError,
    "A verification time cannot be read (`detail`)."
);
create_exception!(
    tekser,
    InvalidCertificateError,
    TekserError,
    "A trust anchor or CRL given cannot be read (`detail`)."
);
create_exception!(
    tekser,
    InvalidOptionError,
    TekserError,
    "An option's value is not one of those allowed (`detail`)."
);

/// A core value as a Python object (numbers: int when whole, else float from the literal).
fn to_python(py: Python<'_>, value: &Value) -> PyResult<Py<PyAny>> {
    Ok(match value {
        Value::Null => py.None(),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
        Value::Number(n) => match n.parse::<i64>() {
            Ok(i) => i.into_pyobject(py)?.into_any().unbind(),
            Err(_) => py.import("builtins")?.getattr("float")?.call1((n.as_str(),))?.unbind(),
        },
        Value::Text(s) => PyString::new(py, s).into_any().unbind(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any().unbind()
        }
        Value::Object(members) => {
            let dict = PyDict::new(py);
            for (key, item) in members {
                dict.set_item(key, to_python(py, item)?)?;
            }
            dict.into_any().unbind()
        }
    })
}

/// A JSON document produced by the core, as Python dicts and lists.
fn json_to_python(py: Python<'_>, json: &str) -> PyResult<Py<PyAny>> {
    let tree = tekser::parse(json.as_bytes()).map_err(|e| error(py, &e))?;
    to_python(py, &tree)
}

/// The exception for a core error, with `kind` and the error's fields as attributes.
fn error(py: Python<'_>, e: &tekser::Error) -> PyErr {
    let message = e.to_string();
    let err = match e {
        tekser::Error::InvalidUtf8 { .. } => InvalidUtf8Error::new_err(message),
        tekser::Error::TooLarge { .. }
        | tekser::Error::PieceTooLarge { .. }
        | tekser::Error::StreamTooLarge { .. }
        | tekser::Error::TooManyRecords { .. }
        | tekser::Error::RecordsBeforeHeader { .. } => TooLargeError::new_err(message),
        tekser::Error::Empty => EmptyInputError::new_err(message),
        tekser::Error::UnknownFormat { .. } => UnknownFormatError::new_err(message),
        tekser::Error::Json { .. } => JsonSyntaxError::new_err(message),
        tekser::Error::Xml { .. } => XmlSyntaxError::new_err(message),
        tekser::Error::XmlDoctype { .. } => XmlDoctypeError::new_err(message),
        tekser::Error::NotAPacket { .. } => NotAPacketError::new_err(message),
        tekser::Error::UnknownEntity { .. } => UnknownEntityError::new_err(message),
        tekser::Error::EntityNotNamed => EntityNotNamedError::new_err(message),
        tekser::Error::UnknownRuleSet { .. } => UnknownRuleSetError::new_err(message),
        tekser::Error::UnknownAlgorithm(_) => UnknownAlgorithmError::new_err(message),
        tekser::Error::InvalidDigestList(_) => InvalidDigestListError::new_err(message),
        tekser::Error::InvalidReply(_) => InvalidReplyError::new_err(message),
        tekser::Error::InvalidDictionaryFile(_) => InvalidDictionaryFileError::new_err(message),
        tekser::Error::Catalog(_) => CatalogError::new_err(message),
        tekser::Error::Read(_) => ReadError::new_err(message),
        tekser::Error::InvalidTime(_) => InvalidTimeError::new_err(message),
        tekser::Error::InvalidCertificate(_) => InvalidCertificateError::new_err(message),
        tekser::Error::InvalidOption(_) => InvalidOptionError::new_err(message),
    };
    let value = err.value(py);
    let mut attributes = vec![("kind", Value::Text(e.kind().to_owned()))];
    attributes.extend(e.fields());
    for (name, field) in attributes {
        if let Ok(object) = to_python(py, &field) {
            let _ = value.setattr(name, object);
        }
    }
    err
}

/// The bytes of `bytes`, `bytearray`, `memoryview`, `str` (the packet's text) or a
/// path-like object (the file is read).
fn bytes_of(data: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = data.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(s) = data.cast::<PyString>() {
        return Ok(s.to_str()?.as_bytes().to_vec());
    }
    if let Ok(b) = data.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    let py = data.py();
    if data.hasattr("__fspath__")? {
        let path: PathBuf = py.import("os")?.getattr("fspath")?.call1((data,))?.extract()?;
        return Ok(std::fs::read(&path)?);
    }
    if data.is_instance(&py.import("builtins")?.getattr("memoryview")?)? {
        let bytes = py.import("builtins")?.getattr("bytes")?.call1((data,))?;
        return Ok(bytes.cast::<PyBytes>()?.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "a packet must be bytes, str or a path-like object, not {}",
        data.get_type().name()?
    )))
}

fn lang_of(lang: Option<&str>) -> PyResult<Option<Lang>> {
    match lang {
        None | Some("all") => Ok(None),
        Some(code) => code
            .parse::<Lang>()
            .map(Some)
            .map_err(|e| PyValueError::new_err(format!("{e} (or \"all\")"))),
    }
}

/// Core options and the catalog fixed by a dictionary file, if any.
fn options_of(
    py: Python<'_>,
    entity: Option<&str>,
    lang: Option<&str>,
    ruleset: Option<&str>,
    dictionaries: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Options, Option<Catalog>)> {
    limited_options_of(py, entity, lang, ruleset, dictionaries, Limits::default())
}

/// The limits a caller of `validate` may set.
struct Limits {
    max_findings: usize,
    max_record_bytes: usize,
    max_records: u64,
    /// The most bytes of one input, whole or streamed (`None`: the core's defaults).
    max_input_bytes: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_findings: tekser::DEFAULT_MAX_FINDINGS,
            max_record_bytes: tekser::DEFAULT_MAX_RECORD_BYTES,
            max_records: tekser::DEFAULT_MAX_RECORDS,
            max_input_bytes: None,
        }
    }
}

/// The options, with the most findings a report keeps.
fn limited_options_of(
    py: Python<'_>,
    entity: Option<&str>,
    lang: Option<&str>,
    ruleset: Option<&str>,
    dictionaries: Option<&Bound<'_, PyAny>>,
    limits: Limits,
) -> PyResult<(Options, Option<Catalog>)> {
    let options = Options {
        entity: entity
            .map(|e| e.parse::<Entity>().map_err(|err| error(py, &err)))
            .transpose()?,
        lang: lang_of(lang)?,
        rule_set: ruleset.map(str::to_owned),
        max_findings: limits.max_findings,
        max_record_bytes: limits.max_record_bytes,
        max_records: limits.max_records,
        ..Options::default()
    }
    .with_max_input_bytes(limits.max_input_bytes);
    let catalog = match dictionaries {
        None => None,
        Some(file) => {
            let bytes = bytes_of(file)?;
            let base = match ruleset {
                Some(name) => Catalog::named(name),
                None => Catalog::get(),
            }
            .map_err(|e| error(py, &e))?;
            Some(base.with_dictionaries(&bytes).map_err(|e| error(py, &e))?)
        }
    };
    Ok((options, catalog))
}

fn run_validate(catalog: Option<&Catalog>, bytes: &[u8], options: &Options) -> Result<tekser::Report, tekser::Error> {
    match catalog {
        Some(c) => tekser::validate_with(c, bytes, options),
        None => tekser::validate(bytes, options),
    }
}

/// A string as Python's `repr` writes it (single quotes) for the `__repr__`s below.
fn py_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// One problem found in a packet.
#[pyclass(frozen, module = "tekser", name = "Finding")]
struct Finding {
    inner: tekser::Finding,
    /// The rule set whose messages render it, and the report's language.
    rule_set: String,
    lang: Lang,
}

impl Finding {
    fn render(&self, lang: Lang) -> PyResult<String> {
        let catalog = Catalog::named(&self.rule_set)
            .or_else(|_| Catalog::get())
            .map_err(|e| CatalogError::new_err(e.to_string()))?;
        Ok(self.inner.message(catalog, lang))
    }
}

#[pymethods]
impl Finding {
    /// Stable finding code (schemas/rules.json).
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code
    }

    /// `"error"` or `"warning"`.
    #[getter]
    fn severity(&self) -> &'static str {
        self.inner.severity.as_str()
    }

    /// JSON Pointer into the packet.
    #[getter]
    fn path(&self) -> &str {
        &self.inner.path
    }

    /// Index of the record, or None for the header and the packet.
    #[getter]
    fn record_index(&self) -> Option<usize> {
        self.inner.record
    }

    /// Service name of the field.
    #[getter]
    fn field(&self) -> Option<&str> {
        self.inner.field.as_deref()
    }

    /// The nearest known spelling of a mistyped code or field name.
    #[getter]
    fn suggestion(&self) -> Option<&str> {
        self.inner.suggestion.as_deref()
    }

    /// The message in the report's language (Russian when the report has all three).
    #[getter]
    fn message(&self) -> PyResult<String> {
        self.render(self.lang)
    }

    /// The message in Russian, Kazakh and English: `{"ru": …, "kk": …, "en": …}`.
    #[getter]
    fn messages<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for lang in Lang::ALL {
            dict.set_item(lang.as_str(), self.render(lang)?)?;
        }
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        format!(
            "Finding(code={}, severity={}, path={}, record_index={}, field={})",
            py_str(self.inner.code),
            py_str(self.inner.severity.as_str()),
            py_str(&self.inner.path),
            self.inner.record.map_or("None".to_owned(), |i| i.to_string()),
            self.inner.field.as_deref().map_or("None".to_owned(), py_str)
        )
    }
}

/// The result of validating one packet: accepted or rejected, with its findings.
#[pyclass(frozen, module = "tekser", name = "Report")]
struct Report {
    inner: tekser::Report,
}

#[pymethods]
impl Report {
    /// True when every check ran and no finding is an error.
    #[getter]
    fn accepted(&self) -> bool {
        self.inner.accepted()
    }

    /// `"accepted"` or `"rejected"`.
    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status.as_str()
    }

    /// The entity of the records.
    #[getter]
    fn entity(&self) -> &'static str {
        self.inner.entity.as_str()
    }

    /// The rule set applied.
    #[getter]
    fn rule_set(&self) -> &str {
        &self.inner.rule_set
    }

    /// Digest of the rule set's files and the dictionaries used.
    #[getter]
    fn rules_digest(&self) -> &str {
        &self.inner.rules_digest
    }

    /// Version of the dictionaries used.
    #[getter]
    fn dictionaries(&self) -> &str {
        &self.inner.dictionaries
    }

    /// The engine that produced the report.
    #[getter]
    fn engine(&self) -> &str {
        &self.inner.engine
    }

    /// `header.packet_id`, when it is a valid GUID.
    #[getter]
    fn packet_id(&self) -> Option<&str> {
        self.inner.packet_id.as_deref()
    }

    /// The packet's integrity digest (SHA-256 of its canonical form).
    #[getter]
    fn digest(&self) -> Option<&str> {
        self.inner.digest.as_deref()
    }

    /// Number of records.
    #[getter]
    fn record_count(&self) -> usize {
        self.inner.record_count
    }

    /// Number of errors.
    #[getter]
    fn errors(&self) -> usize {
        self.inner.count(tekser::Severity::Error)
    }

    /// Number of warnings.
    #[getter]
    fn warnings(&self) -> usize {
        self.inner.count(tekser::Severity::Warning)
    }

    /// Findings left out past `max_findings`: `{code: count}` (empty when none were).
    #[getter]
    fn omitted(&self) -> std::collections::BTreeMap<String, u64> {
        self.inner
            .omitted
            .iter()
            .map(|o| (o.code.to_owned(), o.count))
            .collect()
    }

    /// The findings, in the report's canonical order (messages are rendered on access).
    #[getter]
    fn findings(&self) -> Vec<Finding> {
        self.inner
            .findings
            .iter()
            .map(|f| Finding {
                inner: f.clone(),
                rule_set: self.inner.rule_set.clone(),
                lang: self.inner.lang.unwrap_or(Lang::Ru),
            })
            .collect()
    }

    /// The canonical report JSON: byte for byte what every tekser host returns.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The canonical report as dicts and lists.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        json_to_python(py, &self.inner.to_json())
    }

    /// The report as readable text (what the `tekser` command prints), headed by `name`.
    #[pyo3(signature = (name = "packet"))]
    fn to_text(&self, name: &str) -> String {
        self.inner.to_text(name)
    }

    fn __bool__(&self) -> bool {
        self.inner.accepted()
    }

    fn __repr__(&self) -> String {
        format!(
            "Report(status={}, entity={}, record_count={}, errors={}, warnings={})",
            py_str(self.inner.status.as_str()),
            py_str(self.inner.entity.as_str()),
            self.inner.record_count,
            self.errors(),
            self.warnings()
        )
    }
}

/// The result of validating several packets together (cross-entity checks).
#[pyclass(frozen, module = "tekser", name = "DatasetReport")]
struct DatasetReport {
    inner: tekser::DatasetReport,
}

#[pymethods]
impl DatasetReport {
    /// True when every packet is accepted and no cross-entity check failed.
    #[getter]
    fn accepted(&self) -> bool {
        self.inner.accepted()
    }

    /// `"accepted"` or `"rejected"`.
    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status().as_str()
    }

    /// Each packet's own report, in the order given.
    #[getter]
    fn reports(&self) -> Vec<(String, Report)> {
        self.inner
            .packets
            .iter()
            .map(|p| {
                (
                    p.label.clone(),
                    Report {
                        inner: p.report.clone(),
                    },
                )
            })
            .collect()
    }

    /// The canonical dataset report JSON.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The dataset report as dicts and lists.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        json_to_python(py, &self.inner.to_json())
    }

    /// The dataset report as readable text.
    fn to_text(&self) -> String {
        self.inner.to_text()
    }

    fn __bool__(&self) -> bool {
        self.inner.accepted()
    }

    fn __repr__(&self) -> String {
        format!(
            "DatasetReport(status={}, packets={})",
            py_str(self.inner.status().as_str()),
            self.inner.packets.len()
        )
    }
}

/// Validates one packet (JSON or XML): bytes, str (the text), a path-like object or a
/// binary file object. Paths and file objects are streamed: read in chunks and checked
/// record by record, so a packet of any size needs little memory.
#[pyfunction]
#[pyo3(signature = (data, *, entity = None, lang = Some("ru"), ruleset = None, dictionaries = None, max_findings = tekser::DEFAULT_MAX_FINDINGS, max_record_bytes = tekser::DEFAULT_MAX_RECORD_BYTES, max_records = tekser::DEFAULT_MAX_RECORDS, max_input_bytes = None))]
#[allow(clippy::too_many_arguments)]
fn validate(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    entity: Option<&str>,
    lang: Option<&str>,
    ruleset: Option<&str>,
    dictionaries: Option<&Bound<'_, PyAny>>,
    max_findings: usize,
    max_record_bytes: usize,
    max_records: u64,
    max_input_bytes: Option<u64>,
) -> PyResult<Report> {
    let limits = Limits {
        max_findings,
        max_record_bytes,
        max_records,
        max_input_bytes,
    };
    let (options, catalog) = limited_options_of(py, entity, lang, ruleset, dictionaries, limits)?;
    let result = if data.hasattr("__fspath__")? {
        let path: PathBuf = py.import("os")?.getattr("fspath")?.call1((data,))?.extract()?;
        // Opening fails as Python's open() does (FileNotFoundError, PermissionError, …).
        let file = std::fs::File::open(&path)?;
        py.detach(|| stream_file(file, &path, catalog.as_ref(), &options))
    } else if data.hasattr("read")? && !data.is_instance_of::<PyString>() && !data.is_instance_of::<PyBytes>() {
        stream_file_object(py, data, catalog.as_ref(), &options)?
    } else {
        let bytes = bytes_of(data)?;
        py.detach(|| run_validate(catalog.as_ref(), &bytes, &options))
    };
    result.map(|inner| Report { inner }).map_err(|e| error(py, &e))
}

fn new_stream<'c>(catalog: Option<&'c Catalog>, options: &Options) -> Result<tekser::PacketStream<'c>, tekser::Error> {
    match catalog {
        Some(c) => Ok(tekser::PacketStream::with_catalog(c, options)),
        None => tekser::PacketStream::new(options),
    }
}

/// Streams an opened file: read in chunks with the GIL released.
fn stream_file(
    file: std::fs::File,
    path: &Path,
    catalog: Option<&Catalog>,
    options: &Options,
) -> Result<tekser::Report, tekser::Error> {
    let mut stream = new_stream(catalog, options)?;
    stream.read_all(file, |_| {}).map_err(|e| match e {
        tekser::Error::Read(detail) => tekser::Error::Read(format!("{}: {detail}", path.display())),
        other => other,
    })?;
    stream.finish()
}

/// Streams a binary file object: `read(n)` with the GIL, each chunk checked without it.
fn stream_file_object(
    py: Python<'_>,
    file: &Bound<'_, PyAny>,
    catalog: Option<&Catalog>,
    options: &Options,
) -> PyResult<Result<tekser::Report, tekser::Error>> {
    let mut stream = match new_stream(catalog, options) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    loop {
        let chunk = file.call_method1("read", (tekser::READ_CHUNK,))?;
        let Ok(bytes) = chunk.cast::<PyBytes>() else {
            return Err(PyTypeError::new_err(format!(
                "the file object's read() returned {}, not bytes: open the file in binary mode ('rb')",
                chunk.get_type().name()?
            )));
        };
        let bytes = bytes.as_bytes();
        if bytes.is_empty() {
            break;
        }
        if let Err(e) = py.detach(|| stream.push(bytes)) {
            return Ok(Err(e));
        }
    }
    Ok(py.detach(|| stream.finish()))
}

/// Validates many packets, on `workers` threads with the GIL released; the reports come
/// back in the order of `items`. An unusable packet raises its exception, or, with
/// `return_exceptions=True`, takes its place in the list.
#[pyfunction]
#[pyo3(signature = (items, *, entity = None, lang = Some("ru"), ruleset = None, dictionaries = None, workers = None, return_exceptions = false))]
#[allow(clippy::too_many_arguments)]
fn validate_many(
    py: Python<'_>,
    items: &Bound<'_, PyAny>,
    entity: Option<&str>,
    lang: Option<&str>,
    ruleset: Option<&str>,
    dictionaries: Option<&Bound<'_, PyAny>>,
    workers: Option<usize>,
    return_exceptions: bool,
) -> PyResult<Vec<Py<PyAny>>> {
    let mut inputs = Vec::new();
    for item in items.try_iter()? {
        inputs.push(bytes_of(&item?)?);
    }
    let (options, catalog) = options_of(py, entity, lang, ruleset, dictionaries)?;
    let threads = workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .clamp(1, inputs.len().max(1));
    let results: Vec<Result<tekser::Report, tekser::Error>> = py.detach(|| {
        let chunk = inputs.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = inputs
                .chunks(chunk)
                .map(|part| {
                    let options = &options;
                    let catalog = catalog.as_ref();
                    scope.spawn(move || {
                        part.iter()
                            .map(|bytes| run_validate(catalog, bytes, options))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join()
                        .unwrap_or_else(|_| vec![Err(tekser::Error::Catalog("a worker thread failed".to_owned()))])
                })
                .collect()
        })
    });
    let mut out = Vec::with_capacity(results.len());
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(inner) => out.push(Py::new(py, Report { inner })?.into_any()),
            Err(e) => {
                let err = error(py, &e);
                let _ = err.value(py).setattr("index", index);
                if !return_exceptions {
                    return Err(err);
                }
                out.push(err.value(py).clone().into_any().unbind());
            }
        }
    }
    Ok(out)
}

/// Validates an iterable of records of one entity (dicts, or JSON texts of one record
/// each) as one bare list: paths are `/<index>/<field>`.
#[pyfunction]
#[pyo3(signature = (records, *, entity, lang = Some("ru"), ruleset = None, dictionaries = None))]
fn validate_records(
    py: Python<'_>,
    records: &Bound<'_, PyAny>,
    entity: &str,
    lang: Option<&str>,
    ruleset: Option<&str>,
    dictionaries: Option<&Bound<'_, PyAny>>,
) -> PyResult<Report> {
    let dumps = py.import("json")?.getattr("dumps")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("ensure_ascii", false)?;
    kwargs.set_item("allow_nan", false)?;
    let mut text = String::from("[");
    for (i, record) in records.try_iter()?.enumerate() {
        let record = record?;
        if i > 0 {
            text.push(',');
        }
        if record.is_instance_of::<PyString>() || record.is_instance_of::<PyBytes>() {
            text.push_str(&String::from_utf8(bytes_of(&record)?).map_err(|e| PyValueError::new_err(e.to_string()))?);
        } else {
            text.push_str(dumps.call((record,), Some(&kwargs))?.extract::<&str>()?);
        }
    }
    text.push(']');
    let (options, catalog) = options_of(py, Some(entity), lang, ruleset, dictionaries)?;
    let result = py.detach(|| run_validate(catalog.as_ref(), text.as_bytes(), &options));
    result.map(|inner| Report { inner }).map_err(|e| error(py, &e))
}

fn algorithm_of(py: Python<'_>, alg: &str) -> PyResult<Algorithm> {
    alg.parse::<Algorithm>()
        .map_err(|e| error(py, &tekser::Error::UnknownAlgorithm(e.0)))
}

fn packet_digest(py: Python<'_>, data: &Bound<'_, PyAny>, alg: &str, entity: Option<&str>) -> PyResult<PacketDigest> {
    let bytes = bytes_of(data)?;
    let algorithm = algorithm_of(py, alg)?;
    let (options, _) = options_of(py, entity, None, None, None)?;
    py.detach(|| tekser::digest(&bytes, &options, algorithm))
        .map_err(|e| error(py, &e))
}

/// The integrity digest `<alg>:<hex>` of a packet: the same for its JSON and XML forms.
#[pyfunction]
#[pyo3(signature = (data, *, alg = "sha256", entity = None))]
fn digest(py: Python<'_>, data: &Bound<'_, PyAny>, alg: &str, entity: Option<&str>) -> PyResult<String> {
    Ok(packet_digest(py, data, alg, entity)?.digest)
}

/// The per-record digest list of a packet (packet digest, root, one digest per record id).
#[pyfunction]
#[pyo3(signature = (data, *, alg = "sha256", entity = None))]
fn digest_list(py: Python<'_>, data: &Bound<'_, PyAny>, alg: &str, entity: Option<&str>) -> PyResult<Py<PyAny>> {
    let list = packet_digest(py, data, alg, entity)?;
    json_to_python(py, &list.to_json())
}

/// The canonical form the digest hashes (schemas/CANONICAL.md).
#[pyfunction]
#[pyo3(signature = (data, *, entity = None))]
fn canonical_form(py: Python<'_>, data: &Bound<'_, PyAny>, entity: Option<&str>) -> PyResult<String> {
    let bytes = bytes_of(data)?;
    let (options, _) = options_of(py, entity, None, None, None)?;
    tekser::canonical_form(&bytes, &options).map_err(|e| error(py, &e))
}

/// A digest list given as a dict (from `digest_list`) or as JSON text/bytes.
fn digest_list_of(py: Python<'_>, list: &Bound<'_, PyAny>) -> PyResult<PacketDigest> {
    let bytes = if list.is_instance_of::<PyDict>() {
        let text: String = py.import("json")?.getattr("dumps")?.call1((list,))?.extract()?;
        text.into_bytes()
    } else {
        bytes_of(list)?
    };
    PacketDigest::from_json(&bytes).map_err(|e| error(py, &e))
}

/// Compares our per-record digest list with the receiver's: records only in ours, only in
/// theirs, and changed (the audit of Rules p.12).
#[pyfunction]
fn compare_digests(py: Python<'_>, ours: &Bound<'_, PyAny>, theirs: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let comparison =
        tekser::compare(&digest_list_of(py, ours)?, &digest_list_of(py, theirs)?).map_err(|e| error(py, &e))?;
    json_to_python(py, &comparison.to_json())
}

/// Compares two packets (ours, the receiver's copy) record by record and names, for each
/// changed record, the fields whose values differ (Rules p.12: "changed properties").
#[pyfunction]
#[pyo3(signature = (ours, theirs, *, alg = "sha256", entity = None))]
fn compare_packets(
    py: Python<'_>,
    ours: &Bound<'_, PyAny>,
    theirs: &Bound<'_, PyAny>,
    alg: &str,
    entity: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let (ours, theirs) = (bytes_of(ours)?, bytes_of(theirs)?);
    let algorithm = algorithm_of(py, alg)?;
    let (options, _) = options_of(py, entity, None, None, None)?;
    let comparison = py
        .detach(|| tekser::compare_packets(&ours, &theirs, &options, algorithm))
        .map_err(|e| error(py, &e))?;
    json_to_python(py, &comparison.to_json())
}

/// Validates a packet and returns the reply message ("accepted" or "error") as JSON or XML.
#[pyfunction]
#[pyo3(signature = (data, *, format = "json", lang = "ru", entity = None, ruleset = None, dictionaries = None, replied_at = None))]
#[allow(clippy::too_many_arguments)]
fn reply(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    format: &str,
    lang: &str,
    entity: Option<&str>,
    ruleset: Option<&str>,
    dictionaries: Option<&Bound<'_, PyAny>>,
    replied_at: Option<&str>,
) -> PyResult<String> {
    let bytes = bytes_of(data)?;
    let (options, catalog) = options_of(py, entity, Some(lang), ruleset, dictionaries)?;
    let replied_at = replied_at
        .map(|t| {
            LocalDateTime::parse(t)
                .map_err(|_| PyValueError::new_err(format!("replied_at {t:?} is not an Astana time dd.mm.yyyy HH:MM")))
        })
        .transpose()?;
    let report = py
        .detach(|| run_validate(catalog.as_ref(), &bytes, &options))
        .map_err(|e| error(py, &e))?;
    let message = Reply::from_report(&report, replied_at).map_err(|e| error(py, &e))?;
    match format {
        "json" => Ok(message.to_json()),
        "xml" => Ok(message.to_xml()),
        other => Err(PyValueError::new_err(format!(
            "format {other:?} is not \"json\" or \"xml\""
        ))),
    }
}

/// Validates several packets together: each on its own, and the references between them.
/// `packets` is a mapping or an iterable of `(label, data)` pairs.
#[pyfunction]
#[pyo3(signature = (packets, *, lang = Some("ru"), entity = None, ruleset = None, dictionaries = None))]
fn validate_dataset(
    py: Python<'_>,
    packets: &Bound<'_, PyAny>,
    lang: Option<&str>,
    entity: Option<&str>,
    ruleset: Option<&str>,
    dictionaries: Option<&Bound<'_, PyAny>>,
) -> PyResult<DatasetReport> {
    let pairs = if let Ok(mapping) = packets.cast::<PyDict>() {
        mapping.items().into_any()
    } else {
        packets.clone()
    };
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for pair in pairs.try_iter()? {
        let (label, data): (String, Bound<'_, PyAny>) = pair?.extract()?;
        inputs.push((label, bytes_of(&data)?));
    }
    let (options, catalog) = options_of(py, entity, lang, ruleset, dictionaries)?;
    let result = py.detach(|| {
        let mut dataset = match &catalog {
            Some(c) => Dataset::with_catalog(c, options),
            None => Dataset::new(options),
        };
        for (label, bytes) in &inputs {
            dataset.add(label, bytes).map_err(|e| (label.clone(), e))?;
        }
        Ok::<_, (String, tekser::Error)>(dataset.finish())
    });
    match result {
        Ok(inner) => Ok(DatasetReport { inner }),
        Err((label, e)) => {
            let err = error(py, &e);
            let _ = err.value(py).setattr("packet", label);
            Err(err)
        }
    }
}

/// The rule sets the engine has, oldest first.
#[pyfunction]
fn rule_sets(py: Python<'_>) -> PyResult<Vec<Py<PyDict>>> {
    let date = |d: tekser::Date| format!("{:02}.{:02}.{:04}", d.day, d.month, d.year);
    let mut out = Vec::new();
    for c in Catalog::all().map_err(|e| error(py, &e))? {
        let d = PyDict::new(py);
        d.set_item("name", &c.rule_set)?;
        d.set_item("title", &c.title)?;
        d.set_item("applies_from", date(c.applies_from))?;
        d.set_item("applies_until", c.applies_until.map(date))?;
        d.set_item("digest", &c.digest)?;
        out.push(d.unbind());
    }
    Ok(out)
}

/// For the binding's tests: panics inside the native module (the package turns it into
/// `InternalError`).
#[pyfunction]
#[allow(clippy::panic)]
fn _panic_for_tests() {
    panic!("deliberate panic for the binding's tests")
}

/// The signature report of a signed XML document, in `lang`.
#[allow(clippy::too_many_arguments)]
fn signature_report(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    anchors: &Bound<'_, PyAny>,
    anchors_name: Option<&str>,
    crls: Option<Vec<Bound<'_, PyAny>>>,
    at: Option<&str>,
    semantics: &str,
    lang: Option<&str>,
) -> PyResult<tekser::signature::SignatureReport> {
    let bytes = bytes_of(data)?;
    let lang = lang_of(lang)?;
    // A set's name, or certificates of one's own (each bytes, str or a path).
    let (named, own) = if let Ok(name) = anchors.extract::<String>() {
        (Some(name), None)
    } else if anchors.hasattr("__fspath__")? {
        // A directory: every file in it, in name order.
        let dir: PathBuf = py.import("os")?.getattr("fspath")?.call1((anchors,))?.extract()?;
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        let files = paths
            .iter()
            .map(|p| std::fs::read(p).map(|b| (p.display().to_string(), b)))
            .collect::<std::io::Result<Vec<_>>>()?;
        let name = anchors_name.map_or_else(|| dir.display().to_string(), str::to_owned);
        (None, Some((name, files)))
    } else {
        let mut files = Vec::new();
        for (i, item) in anchors.try_iter()?.enumerate() {
            files.push((format!("certificate {}", i + 1), bytes_of(&item?)?));
        }
        (None, Some((anchors_name.unwrap_or("own").to_owned(), files)))
    };
    let crls = crls
        .unwrap_or_default()
        .iter()
        .map(bytes_of)
        .collect::<PyResult<Vec<_>>>()?;
    let options = tekser::signature::VerifyOptions::from_host(
        named.as_deref(),
        own.as_ref().map(|(n, f)| (n.as_str(), f.as_slice())),
        &crls,
        at,
        Some(semantics),
    )
    .map_err(|e| error(py, &e))?;
    let mut report = py
        .detach(|| tekser::signature::verify(&bytes, &options))
        .map_err(|e| error(py, &e))?;
    report.lang = lang;
    Ok(report)
}

/// Verifies the XMLDSig signatures of a signed XML packet or document (Rules, App. 2 scheme 1
/// step 3); returns the signature report as a dict.
#[pyfunction]
#[pyo3(signature = (data, *, anchors = None, anchors_name = None, crls = None, at = None, semantics = "sequential", lang = Some("ru")))]
#[allow(clippy::too_many_arguments)]
fn verify(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    anchors: Option<&Bound<'_, PyAny>>,
    anchors_name: Option<&str>,
    crls: Option<Vec<Bound<'_, PyAny>>>,
    at: Option<&str>,
    semantics: &str,
    lang: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let json = verify_json(py, data, anchors, anchors_name, crls, at, semantics, lang)?;
    json_to_python(py, &json)
}

/// [`verify`], returning the canonical signature report JSON (byte for byte as on every host).
#[pyfunction]
#[pyo3(signature = (data, *, anchors = None, anchors_name = None, crls = None, at = None, semantics = "sequential", lang = Some("ru")))]
#[allow(clippy::too_many_arguments)]
fn verify_json(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    anchors: Option<&Bound<'_, PyAny>>,
    anchors_name: Option<&str>,
    crls: Option<Vec<Bound<'_, PyAny>>>,
    at: Option<&str>,
    semantics: &str,
    lang: Option<&str>,
) -> PyResult<String> {
    let prod = pyo3::types::PyString::new(py, "prod").into_any();
    let anchors = anchors.unwrap_or(&prod);
    Ok(signature_report(py, data, anchors, anchors_name, crls, at, semantics, lang)?.to_json())
}

/// Validates records held as Arrow data (a pyarrow Table, RecordBatch or RecordBatchReader, a
/// Polars DataFrame, anything with `__arrow_c_stream__` or `__arrow_c_array__`) without a
/// JSON round trip; returns an `ArrowReport` whose `findings` is a pyarrow Table.
#[pyfunction]
#[pyo3(signature = (data, *, entity, lang = "ru", ruleset = None, dictionaries = None, max_findings = tekser::DEFAULT_MAX_FINDINGS, columns = None, id_column = "id", facts = false))]
#[allow(clippy::too_many_arguments)]
fn validate_arrow(
    py: Python<'_>,
    data: pyo3_arrow::input::AnyRecordBatch,
    entity: &str,
    lang: &str,
    ruleset: Option<&str>,
    dictionaries: Option<&Bound<'_, PyAny>>,
    max_findings: usize,
    columns: Option<std::collections::BTreeMap<String, String>>,
    id_column: &str,
    facts: bool,
) -> PyResult<arrow::ArrowReport> {
    let (options, catalog) = options_of(py, Some(entity), Some(lang), ruleset, dictionaries)?;
    let catalog = match catalog {
        Some(c) => c,
        None => match &options.rule_set {
            Some(name) => Catalog::named(name),
            None => Catalog::get(),
        }
        .map_err(|e| error(py, &e))?
        .clone(),
    };
    arrow::validate_arrow(
        py,
        data,
        entity,
        lang,
        &catalog,
        max_findings,
        columns,
        id_column,
        facts,
    )
}

/// The catalog the options name (run-time dictionaries, a rule set, or the current one).
fn catalog_of_options(py: Python<'_>, options: &Options, catalog: Option<Catalog>) -> PyResult<Catalog> {
    match catalog {
        Some(c) => Ok(c),
        None => match &options.rule_set {
            Some(name) => Catalog::named(name),
            None => Catalog::get(),
        }
        .cloned()
        .map_err(|e| error(py, &e)),
    }
}

/// The per-packet half of the dataset checks (for tekser.spark): validates one packet, read
/// from a path (streamed) or from bytes, and returns its summary, its own findings and its
/// facts (two pyarrow Tables).
#[pyfunction]
#[pyo3(signature = (source, label, *, lang = "ru", entity = None, ruleset = None, dictionaries = None))]
#[allow(clippy::type_complexity)]
fn _packet_facts(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    label: &str,
    lang: &str,
    entity: Option<&str>,
    ruleset: Option<&str>,
    dictionaries: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Py<PyDict>, Py<PyAny>, Py<PyAny>)> {
    let one = arrow::one_lang(lang, "the dataset checks")?;
    let (options, catalog) = options_of(py, entity, Some(lang), ruleset, dictionaries)?;
    let fixed = catalog.is_some();
    let catalog = catalog_of_options(py, &options, catalog)?;
    let reader: Box<dyn std::io::Read + Send> = if source.hasattr("__fspath__")? || source.cast::<PyString>().is_ok() {
        let path: PathBuf = py.import("os")?.getattr("fspath")?.call1((source,))?.extract()?;
        Box::new(std::fs::File::open(&path).map_err(|e| ReadError::new_err(format!("{}: {e}", path.display())))?)
    } else {
        Box::new(std::io::Cursor::new(bytes_of(source)?))
    };
    let result = py.detach(|| tekser::packet_facts(reader, &options, fixed.then_some(&catalog), |_| {}));
    let (report, found) = result.map_err(|e| {
        let err = error(py, &e);
        let _ = err.value(py).setattr("packet", label);
        err
    })?;
    // Messages come from the rule set the packet was checked with, as in the dataset report.
    let messages = if fixed {
        catalog
    } else {
        Catalog::named(&report.rule_set).cloned().unwrap_or(catalog)
    };
    let summary = PyDict::new(py);
    summary.set_item("packet", label)?;
    summary.set_item("status", report.status.as_str())?;
    summary.set_item("entity", report.entity.as_str())?;
    summary.set_item("rule_set", &report.rule_set)?;
    summary.set_item("rules_digest", &report.rules_digest)?;
    summary.set_item("packet_id", report.packet_id.as_deref())?;
    summary.set_item("digest", report.digest.as_deref())?;
    summary.set_item("record_count", report.record_count)?;
    summary.set_item("errors", report.count(tekser::Severity::Error))?;
    summary.set_item("warnings", report.count(tekser::Severity::Warning))?;
    let own = facts::own_findings_batch(label, &report, &messages, one).map_err(InternalError::new_err)?;
    let rows = facts::facts_batch(Some(label), report.entity.as_str(), &found).map_err(InternalError::new_err)?;
    Ok((
        summary.unbind(),
        facts::to_pyarrow(py, own)?,
        facts::to_pyarrow(py, rows)?,
    ))
}

/// The records of packet files as Arrow batches (for tekser.read_packets): an iterator of
/// pyarrow RecordBatches and their schema.
#[pyfunction]
#[pyo3(signature = (files, entity, *, ruleset = None, batch_size = 65_536, max_record_bytes = None))]
fn _read_packets(
    py: Python<'_>,
    files: Vec<(String, PathBuf)>,
    entity: &str,
    ruleset: Option<&str>,
    batch_size: usize,
    max_record_bytes: Option<usize>,
) -> PyResult<(records::PacketBatches, Py<PyAny>)> {
    let named: Entity = entity.parse().map_err(|e: tekser::Error| error(py, &e))?;
    let catalog = match ruleset {
        Some(name) => Catalog::named(name),
        None => Catalog::get(),
    }
    .map_err(|e| error(py, &e))?;
    let fields: Vec<String> = catalog.entity(named).fields.iter().map(|f| f.name.clone()).collect();
    let mut options = Options {
        entity: Some(named),
        ..Options::default()
    };
    if let Some(limit) = max_record_bytes {
        options.max_record_bytes = limit;
    }
    let schema = pyo3_arrow::PySchema::new(records::records_schema(&fields))
        .into_pyarrow(py)?
        .unbind();
    Ok((
        records::PacketBatches::new(files, named, &fields, options, batch_size),
        schema,
    ))
}

/// The field a `dataset.duplicate_key` finding names for an entity (its key's first field).
#[pyfunction]
fn _key_field(py: Python<'_>, entity: &str) -> PyResult<String> {
    let entity: Entity = entity.parse().map_err(|e: tekser::Error| error(py, &e))?;
    let catalog = Catalog::get().map_err(|e| error(py, &e))?;
    Ok(catalog.entity(entity).key.first().cloned().unwrap_or_default())
}

/// The service names of an entity's fields, in the table's order.
#[pyfunction]
fn _entity_fields(py: Python<'_>, entity: &str) -> PyResult<Vec<String>> {
    let entity: Entity = entity.parse().map_err(|e: tekser::Error| error(py, &e))?;
    let catalog = Catalog::get().map_err(|e| error(py, &e))?;
    Ok(catalog.entity(entity).fields.iter().map(|f| f.name.clone()).collect())
}

/// The cross-entity half's last step (for tekser.spark): rows found by joins over facts
/// (code, record, path, field, value, expected, related) become findings; returns their
/// severity and message columns as a pyarrow Table, row for row.
#[pyfunction]
#[pyo3(signature = (rows, *, lang = "ru", ruleset = None, dictionaries = None))]
fn _cross_findings(
    py: Python<'_>,
    rows: pyo3_arrow::input::AnyRecordBatch,
    lang: &str,
    ruleset: Option<&str>,
    dictionaries: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let one = arrow::one_lang(lang, "the dataset checks")?;
    let (options, catalog) = options_of(py, None, Some(lang), ruleset, dictionaries)?;
    let catalog = catalog_of_options(py, &options, catalog)?;
    facts::render_cross(py, rows, &catalog, one)
}

/// The native part of the `tekser` package.
#[pymodule]
fn _tekser(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", tekser::VERSION)?;
    m.add_class::<Report>()?;
    m.add_class::<Finding>()?;
    m.add_class::<DatasetReport>()?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(validate_many, m)?)?;
    m.add_function(wrap_pyfunction!(validate_records, m)?)?;
    m.add_function(wrap_pyfunction!(validate_dataset, m)?)?;
    m.add_function(wrap_pyfunction!(digest, m)?)?;
    m.add_function(wrap_pyfunction!(digest_list, m)?)?;
    m.add_function(wrap_pyfunction!(canonical_form, m)?)?;
    m.add_function(wrap_pyfunction!(compare_digests, m)?)?;
    m.add_function(wrap_pyfunction!(compare_packets, m)?)?;
    m.add_function(wrap_pyfunction!(reply, m)?)?;
    m.add_function(wrap_pyfunction!(rule_sets, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(validate_arrow, m)?)?;
    m.add_class::<arrow::ArrowReport>()?;
    m.add_function(wrap_pyfunction!(_packet_facts, m)?)?;
    m.add_function(wrap_pyfunction!(_cross_findings, m)?)?;
    m.add_function(wrap_pyfunction!(_key_field, m)?)?;
    m.add_function(wrap_pyfunction!(_read_packets, m)?)?;
    m.add_class::<records::PacketBatches>()?;
    m.add_function(wrap_pyfunction!(_entity_fields, m)?)?;
    m.add_function(wrap_pyfunction!(verify_json, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add("InvalidTimeError", py.get_type::<InvalidTimeError>())?;
    m.add("InvalidCertificateError", py.get_type::<InvalidCertificateError>())?;
    m.add("InvalidOptionError", py.get_type::<InvalidOptionError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("TekserError", py.get_type::<TekserError>())?;
    m.add("InvalidUtf8Error", py.get_type::<InvalidUtf8Error>())?;
    m.add("TooLargeError", py.get_type::<TooLargeError>())?;
    m.add("EmptyInputError", py.get_type::<EmptyInputError>())?;
    m.add("UnknownFormatError", py.get_type::<UnknownFormatError>())?;
    m.add("JsonSyntaxError", py.get_type::<JsonSyntaxError>())?;
    m.add("XmlSyntaxError", py.get_type::<XmlSyntaxError>())?;
    m.add("XmlDoctypeError", py.get_type::<XmlDoctypeError>())?;
    m.add("NotAPacketError", py.get_type::<NotAPacketError>())?;
    m.add("UnknownEntityError", py.get_type::<UnknownEntityError>())?;
    m.add("EntityNotNamedError", py.get_type::<EntityNotNamedError>())?;
    m.add("UnknownRuleSetError", py.get_type::<UnknownRuleSetError>())?;
    m.add("UnknownAlgorithmError", py.get_type::<UnknownAlgorithmError>())?;
    m.add("InvalidDigestListError", py.get_type::<InvalidDigestListError>())?;
    m.add("InvalidReplyError", py.get_type::<InvalidReplyError>())?;
    m.add(
        "InvalidDictionaryFileError",
        py.get_type::<InvalidDictionaryFileError>(),
    )?;
    m.add("CatalogError", py.get_type::<CatalogError>())?;
    m.add("ReadError", py.get_type::<ReadError>())?;
    Ok(())
}
