//! Node bindings of tekser (napi-rs), loaded by `bindings/node/index.js`.
//!
//! Conversion only: a `Buffer` or string becomes bytes, options become core options,
//! results are the core's canonical JSON texts (the JS side wraps them in objects), and a
//! core error becomes a JS `Error` whose `code` is the core's error kind, with the error's
//! fields as properties. Asynchronous validation runs on the libuv thread pool. A panic,
//! which would be a bug, is caught and becomes an `Error` with code `internal`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi::{Env, JsValue, Status, Task};
use napi_derive::napi;
use tekser::{Algorithm, Catalog, Dataset, Entity, Lang, Options, PacketDigest, Reply, Value};

/// Options of validation (`ValidateOptions` in index.d.ts).
#[napi(object)]
pub struct ValidateOptions {
    /// Entity of the records.
    pub entity: Option<String>,
    /// `ru` (default), `kk`, `en` or `all`.
    pub lang: Option<String>,
    /// Rule set name.
    pub rule_set: Option<String>,
    /// A dictionary file applied at run time.
    pub dictionaries: Option<Either<Buffer, String>>,
    /// Reply format: `json` (default) or `xml` (`reply` only).
    pub format: Option<String>,
    /// The receiver's Astana local time of the reply, `dd.mm.yyyy HH:MM` (`reply` only).
    pub replied_at: Option<String>,
    /// The most findings a report keeps (default 1000); the rest are counted per code.
    pub max_findings: Option<u32>,
    /// The longest record (or other packet member) read, in bytes (default 16 MiB).
    pub max_record_bytes: Option<f64>,
    /// The most records read (default 10 000 000).
    pub max_records: Option<f64>,
    /// The most bytes of one input (default: 256 MiB given whole, no limit for files).
    pub max_input_bytes: Option<f64>,
}

/// Options of digests (`DigestOptions` in index.d.ts).
#[napi(object)]
pub struct DigestOptions {
    /// `sha256` (default), `streebog256`, `streebog512` or `gost34311`.
    pub alg: Option<String>,
    /// Entity of a bare list of records.
    pub entity: Option<String>,
}

/// One packet of a dataset.
#[napi(object)]
pub struct DatasetPacket {
    /// How findings name the packet.
    pub label: String,
    /// The packet.
    pub data: Either<Buffer, String>,
}

/// A failure: a core error, or a usage error of the binding.
enum Failure {
    Core(tekser::Error),
    Usage(String),
    Internal(String),
}

impl From<tekser::Error> for Failure {
    fn from(e: tekser::Error) -> Self {
        Failure::Core(e)
    }
}

/// The JS error for a failure: `code` = the core's error kind (`usage`, `internal`).
fn js_error(env: &Env, failure: Failure) -> napi::Error {
    let (code, message, fields) = match failure {
        Failure::Core(e) => (e.kind().to_owned(), e.to_string(), e.fields()),
        Failure::Usage(m) => ("usage".to_owned(), m, Vec::new()),
        Failure::Internal(m) => ("internal".to_owned(), m, Vec::new()),
    };
    let build = || -> napi::Result<napi::Error> {
        let mut object = env.create_error(napi::Error::new(Status::GenericFailure, message.clone()))?;
        object.set("code", code.as_str())?;
        object.set("name", "TekserError")?;
        // A field named like the Error's own properties (an unknown entity's `name`) would
        // hide them: the message states it instead.
        for (name, value) in fields
            .into_iter()
            .filter(|(n, _)| !matches!(*n, "name" | "message" | "stack"))
        {
            match value {
                Value::Number(n) => object.set(name, n.parse::<f64>().unwrap_or(f64::NAN))?,
                Value::Text(t) => object.set(name, t.as_str())?,
                _ => {}
            }
        }
        Ok(napi::Error::from(object.to_unknown()))
    };
    build().unwrap_or_else(|e| e)
}

/// Runs `f`, turning a panic into a failure instead of letting it reach Node.
fn guarded<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(Failure::Internal(format!(
            "tekser internal error (a bug, please report it): {message}"
        )))
    })
}

fn bytes_of(data: &Either<Buffer, String>) -> Vec<u8> {
    match data {
        Either::A(buffer) => buffer.to_vec(),
        Either::B(text) => text.as_bytes().to_vec(),
    }
}

/// A count option: a whole number from 0 (JS numbers hold them exactly up to 2^53).
fn whole_number(value: Option<f64>, name: &str) -> Result<Option<u64>, Failure> {
    match value {
        None => Ok(None),
        Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => Ok(Some(n.min(u64::MAX as f64) as u64)),
        Some(n) => Err(Failure::Usage(format!("{name}: {n} is not a whole number from 0"))),
    }
}

/// Core options and the catalog fixed by a dictionary file, if any.
fn options_of(options: Option<&ValidateOptions>) -> Result<(Options, Option<Catalog>), Failure> {
    let Some(o) = options else {
        return Ok((Options::default(), None));
    };
    let lang = match o.lang.as_deref() {
        None => Some(Lang::Ru),
        Some("all") => None,
        Some(code) => Some(code.parse::<Lang>().map_err(|e| Failure::Usage(e.to_string()))?),
    };
    let core = Options {
        entity: o.entity.as_deref().map(str::parse::<Entity>).transpose()?,
        lang,
        rule_set: o.rule_set.clone(),
        max_findings: o.max_findings.map_or(tekser::DEFAULT_MAX_FINDINGS, |n| n as usize),
        max_record_bytes: whole_number(o.max_record_bytes, "maxRecordBytes")?
            .map_or(tekser::DEFAULT_MAX_RECORD_BYTES, |n| {
                usize::try_from(n).unwrap_or(usize::MAX)
            }),
        max_records: whole_number(o.max_records, "maxRecords")?.unwrap_or(tekser::DEFAULT_MAX_RECORDS),
        ..Options::default()
    }
    .with_max_input_bytes(whole_number(o.max_input_bytes, "maxInputBytes")?);
    let catalog = match &o.dictionaries {
        None => None,
        Some(file) => {
            let base = match &o.rule_set {
                Some(name) => Catalog::named(name)?,
                None => Catalog::get()?,
            };
            Some(base.with_dictionaries(&bytes_of(file))?)
        }
    };
    Ok((core, catalog))
}

fn report_json(bytes: &[u8], options: &Options, catalog: Option<&Catalog>) -> Result<String, Failure> {
    guarded(|| {
        let report = match catalog {
            Some(c) => tekser::validate_with(c, bytes, options)?,
            None => tekser::validate(bytes, options)?,
        };
        Ok(report.to_json())
    })
}

/// Validates a packet; returns the canonical report JSON (byte for byte as every host).
#[napi(js_name = "validateJson")]
pub fn validate_json(env: Env, data: Either<Buffer, String>, options: Option<ValidateOptions>) -> napi::Result<String> {
    let result =
        options_of(options.as_ref()).and_then(|(core, catalog)| report_json(&bytes_of(&data), &core, catalog.as_ref()));
    result.map_err(|f| js_error(&env, f))
}

/// The work of `validateJsonAsync`, done on the libuv thread pool.
pub struct ValidateTask {
    input: TaskInput,
    options: Result<(Options, Option<Catalog>), String>,
}

/// What a task validates: bytes given by the caller, or a file it streams.
enum TaskInput {
    Bytes(Vec<u8>),
    File(std::path::PathBuf),
}

impl Task for ValidateTask {
    type Output = Result<String, FailureBox>;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match (&self.options, &self.input) {
            (Ok((core, catalog)), TaskInput::Bytes(bytes)) => {
                report_json(bytes, core, catalog.as_ref()).map_err(FailureBox)
            }
            (Ok((core, catalog)), TaskInput::File(path)) => {
                guarded(|| stream_file(path, core, catalog.as_ref())).map_err(FailureBox)
            }
            (Err(usage), _) => Err(FailureBox(Failure::Usage(usage.clone()))),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<String> {
        output.map_err(|f| js_error(&env, f.0))
    }
}

/// A failure carried from the thread pool back to the JS thread.
pub struct FailureBox(Failure);

/// Validates a packet on the libuv thread pool; resolves to the canonical report JSON.
#[napi(js_name = "validateJsonAsync", ts_return_type = "Promise<string>")]
pub fn validate_json_async(
    env: Env,
    data: Either<Buffer, String>,
    options: Option<ValidateOptions>,
) -> napi::Result<AsyncTask<ValidateTask>> {
    validate_task(&env, TaskInput::Bytes(bytes_of(&data)), options.as_ref())
}

/// A validation task for the libuv pool. Options are converted here, on the JS thread: a
/// usage error rejects the promise, a core error in them (unknown entity or rule set, bad
/// dictionary file) is thrown at once (the async wrappers in index.js turn that into a
/// rejection too).
fn validate_task(
    env: &Env,
    input: TaskInput,
    options: Option<&ValidateOptions>,
) -> napi::Result<AsyncTask<ValidateTask>> {
    let options = match options_of(options) {
        Ok(o) => Ok(o),
        Err(Failure::Usage(m)) => Err(m),
        Err(other) => return Err(js_error(env, other)),
    };
    Ok(AsyncTask::new(ValidateTask { input, options }))
}

/// Streams a file through the validator, in chunks, on the calling (pool) thread.
fn stream_file(path: &std::path::Path, core: &Options, catalog: Option<&Catalog>) -> Result<String, Failure> {
    let file = std::fs::File::open(path).map_err(|e| tekser::Error::Read(format!("{}: {e}", path.display())))?;
    let mut stream = match catalog {
        Some(c) => tekser::PacketStream::with_catalog(c, core),
        None => tekser::PacketStream::new(core)?,
    };
    stream.read_all(file, |_| {})?;
    Ok(stream.finish()?.to_json())
}

/// Validates a packet file, streamed on the libuv thread pool (the file is never held
/// whole); resolves to the canonical report JSON.
#[napi(js_name = "validateFileJsonAsync", ts_return_type = "Promise<string>")]
pub fn validate_file_json_async(
    env: Env,
    path: String,
    options: Option<ValidateOptions>,
) -> napi::Result<AsyncTask<ValidateTask>> {
    validate_task(&env, TaskInput::File(path.into()), options.as_ref())
}

/// Catalogs made from dictionary files, by (rule set, file bytes): a `PacketValidator`
/// borrows its catalog for as long as it lives, so each distinct file is kept once.
static DICTIONARY_CATALOGS: std::sync::Mutex<Vec<(Vec<u8>, &'static Catalog)>> = std::sync::Mutex::new(Vec::new());

fn lasting_catalog(catalog: Catalog, file_key: Vec<u8>) -> &'static Catalog {
    let mut known = DICTIONARY_CATALOGS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, found)) = known.iter().find(|(k, _)| *k == file_key) {
        return found;
    }
    let lasting: &'static Catalog = Box::leak(Box::new(catalog));
    known.push((file_key, lasting));
    lasting
}

/// Validates a packet that arrives in chunks (e.g. from a Node stream): memory does not
/// grow with the number of records. `validateStream` in index.js drives it.
#[napi]
pub struct PacketValidator {
    stream: Option<tekser::PacketStream<'static>>,
}

#[napi]
impl PacketValidator {
    /// A validator with the options of `validate`.
    #[napi(constructor)]
    pub fn new(env: Env, options: Option<ValidateOptions>) -> napi::Result<Self> {
        let result = (|| {
            let (core, catalog) = options_of(options.as_ref())?;
            let stream = match catalog {
                Some(c) => {
                    let mut key = core.rule_set.clone().unwrap_or_default().into_bytes();
                    key.push(0);
                    if let Some(file) = options.as_ref().and_then(|o| o.dictionaries.as_ref()) {
                        key.extend(bytes_of(file));
                    }
                    tekser::PacketStream::with_catalog(lasting_catalog(c, key), &core)
                }
                None => tekser::PacketStream::new(&core)?,
            };
            Ok(PacketValidator { stream: Some(stream) })
        })();
        result.map_err(|f| js_error(&env, f))
    }

    /// Feeds the next chunk (a Buffer or a string).
    #[napi]
    pub fn push(&mut self, env: Env, chunk: Either<Buffer, String>) -> napi::Result<()> {
        let result = match self.stream.as_mut() {
            Some(stream) => {
                let bytes = bytes_of(&chunk);
                guarded(|| Ok(stream.push(&bytes)?))
            }
            None => Err(Failure::Usage("the validator has finished".to_owned())),
        };
        result.map_err(|f| js_error(&env, f))
    }

    /// Bytes fed so far (for progress).
    #[napi(getter, js_name = "bytesRead")]
    pub fn bytes_read(&self) -> f64 {
        self.stream.as_ref().map_or(0.0, |s| s.bytes_read() as f64)
    }

    /// Ends the input; returns the canonical report JSON. The validator is used up.
    #[napi(js_name = "finishJson")]
    pub fn finish_json(&mut self, env: Env) -> napi::Result<String> {
        let result = match self.stream.take() {
            Some(stream) => guarded(|| Ok(stream.finish()?.to_json())),
            None => Err(Failure::Usage("the validator has finished".to_owned())),
        };
        result.map_err(|f| js_error(&env, f))
    }
}

/// The algorithm and core options of `DigestOptions`.
fn digest_options(options: Option<&DigestOptions>) -> Result<(Algorithm, Options), Failure> {
    let algorithm = match options.and_then(|o| o.alg.as_deref()) {
        Some(name) => name
            .parse::<Algorithm>()
            .map_err(|e| tekser::Error::UnknownAlgorithm(e.0))?,
        None => Algorithm::Sha256,
    };
    let core = Options {
        entity: options
            .and_then(|o| o.entity.as_deref())
            .map(str::parse::<Entity>)
            .transpose()?,
        ..Options::default()
    };
    Ok((algorithm, core))
}

fn digest_of(data: &Either<Buffer, String>, options: Option<&DigestOptions>) -> Result<PacketDigest, Failure> {
    let (algorithm, core) = digest_options(options)?;
    let bytes = bytes_of(data);
    guarded(|| Ok(tekser::digest(&bytes, &core, algorithm)?))
}

/// The integrity digest `<alg>:<hex>`: the same for a packet's JSON and XML forms.
#[napi]
pub fn digest(env: Env, data: Either<Buffer, String>, options: Option<DigestOptions>) -> napi::Result<String> {
    digest_of(&data, options.as_ref())
        .map(|d| d.digest)
        .map_err(|f| js_error(&env, f))
}

/// The per-record digest list as JSON (packet digest, root, one digest per record id).
#[napi(js_name = "digestListJson")]
pub fn digest_list_json(
    env: Env,
    data: Either<Buffer, String>,
    options: Option<DigestOptions>,
) -> napi::Result<String> {
    digest_of(&data, options.as_ref())
        .map(|d| d.to_json())
        .map_err(|f| js_error(&env, f))
}

/// The canonical form the digest hashes (schemas/CANONICAL.md).
#[napi(js_name = "canonicalForm")]
pub fn canonical_form(env: Env, data: Either<Buffer, String>, options: Option<DigestOptions>) -> napi::Result<String> {
    let result = (|| {
        let core = Options {
            entity: options
                .as_ref()
                .and_then(|o| o.entity.as_deref())
                .map(str::parse::<Entity>)
                .transpose()?,
            ..Options::default()
        };
        let bytes = bytes_of(&data);
        guarded(|| Ok(tekser::canonical_form(&bytes, &core)?))
    })();
    result.map_err(|f| js_error(&env, f))
}

/// Compares two per-record digest lists (JSON); returns the comparison JSON.
#[napi(js_name = "compareDigestsJson")]
pub fn compare_digests_json(env: Env, ours: String, theirs: String) -> napi::Result<String> {
    let result = guarded(|| {
        let ours = PacketDigest::from_json(ours.as_bytes())?;
        let theirs = PacketDigest::from_json(theirs.as_bytes())?;
        Ok(tekser::compare(&ours, &theirs)?.to_json())
    });
    result.map_err(|f| js_error(&env, f))
}

/// Compares two packets record by record, naming each changed record's changed fields;
/// returns the comparison JSON.
#[napi(js_name = "comparePacketsJson")]
pub fn compare_packets_json(
    env: Env,
    ours: Either<Buffer, String>,
    theirs: Either<Buffer, String>,
    options: Option<DigestOptions>,
) -> napi::Result<String> {
    let result = (|| {
        let (algorithm, core) = digest_options(options.as_ref())?;
        let (ours, theirs) = (bytes_of(&ours), bytes_of(&theirs));
        guarded(|| Ok(tekser::compare_packets(&ours, &theirs, &core, algorithm)?.to_json()))
    })();
    result.map_err(|f| js_error(&env, f))
}

/// Validates a packet and returns the reply message ("accepted" or "error"), JSON or XML.
#[napi]
pub fn reply(env: Env, data: Either<Buffer, String>, options: Option<ValidateOptions>) -> napi::Result<String> {
    let result = options_of(options.as_ref()).and_then(|(core, catalog)| {
        let bytes = bytes_of(&data);
        guarded(|| {
            let report = match &catalog {
                Some(c) => tekser::validate_with(c, &bytes, &core)?,
                None => tekser::validate(&bytes, &core)?,
            };
            let replied_at = match options.as_ref().and_then(|o| o.replied_at.as_deref()) {
                Some(text) => Some(tekser::LocalDateTime::parse(text).map_err(|_| {
                    Failure::Usage(format!("repliedAt {text:?} is not an Astana time dd.mm.yyyy HH:MM"))
                })?),
                None => None,
            };
            let message = Reply::from_report(&report, replied_at)?;
            match options.as_ref().and_then(|o| o.format.as_deref()) {
                None | Some("json") => Ok(message.to_json()),
                Some("xml") => Ok(message.to_xml()),
                Some(other) => Err(Failure::Usage(format!("format {other:?} is not json or xml"))),
            }
        })
    });
    result.map_err(|f| js_error(&env, f))
}

/// Validates packets together (cross-entity checks); returns the dataset report JSON.
#[napi(js_name = "validateDatasetJson")]
pub fn validate_dataset_json(
    env: Env,
    packets: Vec<DatasetPacket>,
    options: Option<ValidateOptions>,
) -> napi::Result<String> {
    let result = options_of(options.as_ref()).and_then(|(core, catalog)| {
        guarded(|| {
            let mut dataset = match &catalog {
                Some(c) => Dataset::with_catalog(c, core),
                None => Dataset::new(core),
            };
            for packet in &packets {
                dataset.add(&packet.label, &bytes_of(&packet.data))?;
            }
            Ok(dataset.finish().to_json())
        })
    });
    result.map_err(|f| js_error(&env, f))
}

/// A rule set the engine has.
#[napi(object)]
pub struct RuleSet {
    /// Name, e.g. `eoz-2019`.
    pub name: String,
    /// The regulation edition.
    pub title: String,
    /// First day it applies, `dd.mm.yyyy`.
    pub applies_from: String,
    /// First day it no longer applies, if replaced.
    pub applies_until: Option<String>,
    /// Its digest (`rules_digest` in reports).
    pub digest: String,
}

/// The rule sets the engine has, oldest first.
#[napi(js_name = "ruleSets")]
pub fn rule_sets(env: Env) -> napi::Result<Vec<RuleSet>> {
    let date = |d: tekser::Date| format!("{:02}.{:02}.{:04}", d.day, d.month, d.year);
    let all = Catalog::all().map_err(|e| js_error(&env, Failure::Core(e)))?;
    Ok(all
        .iter()
        .map(|c| RuleSet {
            name: c.rule_set.clone(),
            title: c.title.clone(),
            applies_from: date(c.applies_from),
            applies_until: c.applies_until.map(date),
            digest: c.digest.clone(),
        })
        .collect())
}

/// Trust anchors of one's own (`{ name, certificates }` in `VerifyOptions`).
#[napi(object)]
pub struct OwnAnchors {
    /// How reports name the set (default `own`).
    pub name: Option<String>,
    /// The certificates, DER (`Buffer`) or PEM text.
    pub certificates: Vec<Either<Buffer, String>>,
}

/// Options of signature verification (`VerifyOptions` in index.d.ts).
#[napi(object)]
pub struct VerifyOptions {
    /// `prod` (default) or `test`, NCA RK's certificates shipped with tekser, or one's own.
    pub anchors: Option<Either<String, OwnAnchors>>,
    /// CRLs, DER (`Buffer`) or PEM text.
    pub crls: Option<Vec<Either<Buffer, String>>>,
    /// Verification time: `dd.mm.yyyy HH:MM` (Astana) or `yyyy-mm-ddTHH:MM[:SS]Z` (UTC).
    pub at: Option<String>,
    /// `sequential` (default) or `strict`.
    pub semantics: Option<String>,
    /// `ru` (default), `kk`, `en` or `all`.
    pub lang: Option<String>,
}

/// Verifies the XMLDSig signatures of a signed XML packet or document; returns the canonical
/// signature report JSON (byte for byte as on every host).
#[napi(js_name = "verifyJson")]
pub fn verify_json(env: Env, data: Either<Buffer, String>, options: Option<VerifyOptions>) -> napi::Result<String> {
    let bytes = bytes_of(&data);
    let result = guarded(|| {
        let o = options.as_ref();
        let lang = match o.and_then(|o| o.lang.as_deref()) {
            None => Some(Lang::Ru),
            Some("all") => None,
            Some(code) => Some(code.parse::<Lang>().map_err(|e| Failure::Usage(e.to_string()))?),
        };
        let (named, own) = match o.and_then(|o| o.anchors.as_ref()) {
            None => (None, None),
            Some(Either::A(name)) => (Some(name.as_str()), None),
            Some(Either::B(set)) => {
                let files: Vec<(String, Vec<u8>)> = set
                    .certificates
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (format!("certificate {}", i + 1), bytes_of(c)))
                    .collect();
                (
                    None,
                    Some((set.name.clone().unwrap_or_else(|| "own".to_owned()), files)),
                )
            }
        };
        let crls: Vec<Vec<u8>> = o
            .and_then(|o| o.crls.as_ref())
            .map(|list| list.iter().map(bytes_of).collect())
            .unwrap_or_default();
        let verify_options = tekser::signature::VerifyOptions::from_host(
            named,
            own.as_ref().map(|(n, f)| (n.as_str(), f.as_slice())),
            &crls,
            o.and_then(|o| o.at.as_deref()),
            o.and_then(|o| o.semantics.as_deref()),
        )?;
        let mut report = tekser::signature::verify(&bytes, &verify_options)?;
        report.lang = lang;
        Ok(report.to_json())
    });
    result.map_err(|f| js_error(&env, f))
}

/// The engine version.
#[napi]
pub fn version() -> String {
    tekser::VERSION.to_owned()
}

/// For the binding's tests: a panic inside the addon becomes an Error with code `internal`.
#[napi(js_name = "__panicForTests")]
#[allow(clippy::panic)]
pub fn panic_for_tests(env: Env) -> napi::Result<()> {
    guarded(|| -> Result<(), Failure> { panic!("deliberate panic for the binding's tests") })
        .map_err(|f| js_error(&env, f))
}
