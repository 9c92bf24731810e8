//! tekser for WebAssembly (browsers and Node), a thin wasm-bindgen wrapper of the core.
//!
//! Every function takes the packet as a `string` or `Uint8Array` and an options object,
//! and returns exactly what the core returns on every other host: the canonical report
//! JSON (as a string, or parsed into a plain object), digests, replies. Core errors become
//! JS `Error`s whose `name` is `TekserError` and whose `kind` is the core's stable error
//! kind; a panic, which should never happen, is turned into a JS `Error` by a panic hook
//! instead of an opaque `unreachable` trap.

use js_sys::{Array, Object, Reflect, Uint8Array, JSON};
use tekser::{Algorithm, Catalog, Dataset, Entity, Lang, Options, PacketDigest, Reply, Value};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** The packet: JSON or XML text, or its UTF-8 bytes. */
export type PacketInput = string | Uint8Array;

/** How a packet is validated. */
export interface ValidateOptions {
  /** Entity of the records; needed for a bare list, checked against a packet's header. */
  entity?: "plan_item" | "lot" | "announcement" | "contract" | "participant" | "result" | "unreliable_supplier" | "legal_act";
  /** Language of messages; "all" gives ru, kk and en (default "ru"). */
  lang?: "ru" | "kk" | "en" | "all";
  /** Rule set name (default: the header's, else the one in force on its creation date). */
  ruleSet?: string;
  /** A dictionary file (schemas/dictionary-file.schema.json) applied at run time. */
  dictionaries?: string | Uint8Array;
  /** The most findings a report keeps (default 1000); the rest are counted per code in
   * `omitted`, and the verdict and totals still cover every record. */
  maxFindings?: number;
  /** The longest record (or other packet member) read, in bytes (default 16 MiB): a
   * longer one is an error of kind `too_large`, since reading it holds it whole. */
  maxRecordBytes?: number;
  /** The most records read (default 10 000 000): more is an error of kind `too_large`. */
  maxRecords?: number;
  /** The most bytes of one input (default: 256 MiB given whole, no limit pushed to a
   * `PacketValidator`): more is an error of kind `too_large`. */
  maxInputBytes?: number;
}

/** What every function throws for input it cannot validate: `kind` is the core's stable
 * error kind (`json`, `xml`, `too_large`, …); the error's fields (`offset`, `line`,
 * `column`, `limit`, `option`, …) are properties. */
export interface TekserError extends Error {
  name: "TekserError";
  kind: string;
  [field: string]: unknown;
}

/** How a `PacketValidator` validates. */
export interface PacketValidatorOptions extends ValidateOptions {
  /** Hash the packet digest on a second worker: after each `push`, hand
   * `takeHashWork()` to a `RemoteHasher` there, and end with `finishJsonWithHasher`
   * (`tests/bench/wasm-stream.mjs` shows the whole exchange). Same report; the work of
   * SHA-256, about a quarter of the time in WebAssembly, leaves this worker. */
  hashElsewhere?: boolean;
  /** Check the records on other workers: after each `push`, hand each
   * `takeCheckWork()` to a `RecordChecker` on a worker of a pool and give what it returns
   * to `mergeChecked`, in the order the work was taken; after the last push call
   * `endInput()`, hand and merge the last work, then finish
   * (`tests/bench/wasm-stream.mjs --check-workers 2` shows the whole exchange). Same
   * report; this worker only cuts the records out and merges what the checkers found.
   * An input error is held until the work before it is merged (`stopped` tells). Needs
   * a built-in rule set: with `dictionaries`, records are checked here. */
  checkElsewhere?: boolean;
  /** Hash the packet digest (SHA-256) outside the package, with a SHA-256 that has the
   * CPU's instructions (Node's `node:crypto`; WebAssembly has none): after each `push`
   * feed `takeHashBytes()` to it, and with `checkElsewhere` each array `mergeChecked`
   * returns, in order; at the end feed `endHashing()` and give its hex digest to
   * `finishJsonWithDigest` (`tests/bench/wasm-stream.mjs --hash-node`). Same report. */
  hashOutside?: boolean;
}

/** How a packet is digested. */
export interface DigestOptions {
  /** Hash algorithm (default "sha256"). */
  alg?: "sha256" | "streebog256" | "streebog512" | "gost34311";
  /** Entity of a bare list of records. */
  entity?: ValidateOptions["entity"];
}

/** Options of a reply message. */
export interface ReplyOptions extends ValidateOptions {
  /** "json" (default) or "xml". */
  format?: "json" | "xml";
  /** The receiver's Astana local time of the reply, "dd.mm.yyyy HH:MM": a reply more than an
   * hour after the packet's created_at carries the warning reply.transfer_late (Rules p.18 (3)). */
  repliedAt?: string;
}

/** One finding of a report (schemas/report.schema.json). */
export interface Finding {
  code: string;
  severity: "error" | "warning";
  path: string;
  record: number | null;
  field: string | null;
  message?: string;
  messages?: { ru: string; kk: string; en: string };
  suggestion?: string;
}

/** The canonical report (schemas/report.schema.json). */
export interface Report {
  status: "accepted" | "rejected";
  entity: string;
  rule_set: string;
  rules_digest: string;
  dictionaries: string;
  engine: string;
  packet_id: string | null;
  digest: string | null;
  record_count: number;
  errors: number;
  warnings: number;
  findings: Finding[];
}

/** A per-record digest list (schemas/digest-list.schema.json). */
export interface DigestList {
  algorithm: string;
  entity: string;
  packet_id: string | null;
  digest: string;
  root: string;
  records: { id: string; record: number; digest: string }[];
}

/** A packet of a dataset. */
export interface DatasetPacket {
  /** How findings name the packet (e.g. its file name). */
  label: string;
  data: PacketInput;
}

/** A rule set the engine has. */
export interface RuleSet {
  name: string;
  title: string;
  appliesFrom: string;
  appliesUntil: string | null;
  digest: string;
}

/** How signatures are verified (`verify`, `verifyJson`). */
export interface VerifyOptions {
  /** Trust anchors: "prod" (default) or "test", NCA RK's certificates shipped with tekser, or
   * certificates of your own (DER bytes or PEM text), shown in reports under `name`. */
  anchors?: "test" | "prod" | { name?: string; certificates: (string | Uint8Array)[] };
  /** CRLs (DER bytes or PEM text) to check revocation against. */
  crls?: (string | Uint8Array)[];
  /** Verification time: "dd.mm.yyyy HH:MM" (Astana time) or "yyyy-mm-ddTHH:MM[:SS]Z" (UTC);
   * default: the packet's header/created_at. The clock is never used. */
  at?: string;
  /** Several signatures: "sequential" (default; each covers the document without itself and
   * the later ones, as NCA RK's verifier reads them) or "strict" (without itself only). */
  semantics?: "sequential" | "strict";
  /** Language of messages; "all" gives ru, kk and en (default "ru"). */
  lang?: "ru" | "kk" | "en" | "all";
}

/** A certificate in a signature report. */
export interface CertificateInfo {
  subject: string;
  common_name?: string | null;
  iin?: string | null;
  bin?: string | null;
  organization?: string | null;
  issuer?: string;
  serial: string;
  not_before: string;
  not_after: string;
  key_usage?: string[];
  extended_key_usage?: string[];
}

/** The check of one signature. */
export interface SignatureCheck {
  index: number;
  result: "valid" | "invalid";
  algorithm: "rsa-sha256" | "gost34310-2004" | "gost34102015-512" | null;
  signature_method: string | null;
  reference_digest: "match" | "mismatch" | "not_checked";
  signature_value: "valid" | "invalid" | "not_checked";
  signer: CertificateInfo | null;
  chain: CertificateInfo[];
  revocation: "not_checked" | "good" | "revoked";
  findings: Finding[];
}

/** The signature report (schemas/report.schema.json, $defs/signature). */
export interface SignatureReport {
  stage: "signature";
  status: "accepted" | "rejected";
  at: string | null;
  time_source: "caller" | "created_at" | "unknown";
  anchors: string;
  semantics: "sequential" | "strict";
  errors: number;
  warnings: number;
  signatures: SignatureCheck[];
  findings: Finding[];
}

/** Where a finding's path points in the packet. */
export interface Place {
  /** The value at the path, as indented JSON, or null when the path is not in the packet. */
  value: string | null;
  /** The record that contains it (index), or null for the header. */
  record: number | null;
  /** That whole record as indented JSON, or null. */
  recordJson: string | null;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `ValidateOptions` of the typings (read field by field, so any object works).
    #[wasm_bindgen(typescript_type = "ValidateOptions")]
    pub type ValidateOptionsArg;
    /// `PacketValidatorOptions` of the typings.
    #[wasm_bindgen(typescript_type = "PacketValidatorOptions")]
    pub type PacketValidatorOptionsArg;
    /// `DigestOptions` of the typings.
    #[wasm_bindgen(typescript_type = "DigestOptions")]
    pub type DigestOptionsArg;
    /// `ReplyOptions` of the typings.
    #[wasm_bindgen(typescript_type = "ReplyOptions")]
    pub type ReplyOptionsArg;
    /// `VerifyOptions` of the typings.
    #[wasm_bindgen(typescript_type = "VerifyOptions")]
    pub type VerifyOptionsArg;
}

thread_local! {
    static HOOK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs the panic hook once: a panic becomes a thrown JS `Error` with its message.
fn install_panic_hook() {
    if HOOK.with(|h| h.replace(true)) {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let message = match info.payload().downcast_ref::<&str>() {
            Some(s) => (*s).to_owned(),
            None => info
                .payload()
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "unknown panic".to_owned()),
        };
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        // Throwing from the hook unwinds the wasm frames as a JS exception, so the caller
        // gets an Error instead of a RuntimeError("unreachable").
        wasm_bindgen::throw_str(&format!(
            "tekser internal error (a bug, please report it): {message}{place}"
        ));
    }));
}

/// A JS `Error` named `TekserError` with the core's error kind.
fn error(kind: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    e.set_name("TekserError");
    let _ = Reflect::set(&e, &"kind".into(), &kind.into());
    e.into()
}

/// The JS error of a core error: its kind, and its fields (`offset`, `line`, `limit`,
/// `option`, …) as properties, as the Node addon and Python give them.
fn core_error(e: &tekser::Error) -> JsValue {
    let object = error(e.kind(), &e.to_string());
    // A field named like the Error's own properties (an unknown entity's `name`) would hide
    // them: the message states it instead.
    for (name, value) in e
        .fields()
        .into_iter()
        .filter(|(n, _)| !matches!(*n, "name" | "message" | "stack"))
    {
        let value: JsValue = match value {
            Value::Number(n) => n.parse::<f64>().map_or_else(|_| n.as_str().into(), JsValue::from_f64),
            Value::Text(t) => t.as_str().into(),
            _ => continue,
        };
        let _ = Reflect::set(&object, &name.into(), &value);
    }
    object
}

fn usage(message: &str) -> JsValue {
    error("usage", message)
}

/// The bytes of a `string` or `Uint8Array` argument.
fn bytes_of(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(array) = value.dyn_ref::<Uint8Array>() {
        return Ok(array.to_vec());
    }
    if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(buffer).to_vec());
    }
    Err(usage(&format!("{what} must be a string or a Uint8Array")))
}

/// A string option (`undefined`/`null` when absent).
fn option(options: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    if !options.is_object() {
        return Err(usage("options must be an object"));
    }
    let value = Reflect::get(options, &name.into())?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| usage(&format!("option {name} must be a string")))
}

/// A whole, non-negative number option that fits in memory sizes (`usize`, 32 bits in
/// wasm; `undefined`/`null` when absent).
fn count_option(options: &JsValue, name: &str) -> Result<Option<usize>, JsValue> {
    match big_count_option(options, name)? {
        None => Ok(None),
        Some(n) => usize::try_from(n)
            .map(Some)
            .map_err(|_| usage(&format!("option {name} must be a whole number from 0 to 4294967295"))),
    }
}

/// A whole, non-negative number option up to 2^53 − 1, which a JS number holds exactly
/// (`undefined`/`null` when absent).
fn big_count_option(options: &JsValue, name: &str) -> Result<Option<u64>, JsValue> {
    if !options.is_object() {
        return Ok(None);
    }
    let value = Reflect::get(options, &name.into())?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 => Ok(Some(n as u64)),
        _ => Err(usage(&format!("option {name} must be a whole number from 0"))),
    }
}

fn entity_option(options: &JsValue) -> Result<Option<Entity>, JsValue> {
    option(options, "entity")?
        .map(|name| name.parse::<Entity>().map_err(|e| core_error(&e)))
        .transpose()
}

fn lang_option(options: &JsValue, default: Option<Lang>) -> Result<Option<Lang>, JsValue> {
    match option(options, "lang")?.as_deref() {
        None => Ok(default),
        Some("all") => Ok(None),
        Some(code) => code.parse::<Lang>().map(Some).map_err(|e| usage(&e.to_string())),
    }
}

/// The core options (the dictionary file aside).
fn core_options(options: &JsValue) -> Result<Options, JsValue> {
    Ok(Options {
        entity: entity_option(options)?,
        lang: lang_option(options, Some(Lang::Ru))?,
        rule_set: option(options, "ruleSet")?,
        max_findings: count_option(options, "maxFindings")?.unwrap_or(tekser::DEFAULT_MAX_FINDINGS),
        max_record_bytes: count_option(options, "maxRecordBytes")?.unwrap_or(tekser::DEFAULT_MAX_RECORD_BYTES),
        max_records: big_count_option(options, "maxRecords")?.unwrap_or(tekser::DEFAULT_MAX_RECORDS),
        ..Options::default()
    }
    .with_max_input_bytes(big_count_option(options, "maxInputBytes")?))
}

/// The core options and the catalog fixed by a dictionary file, if any.
fn validate_options(options: &JsValue) -> Result<(Options, Option<Catalog>), JsValue> {
    let core = core_options(options)?;
    let dictionaries = if options.is_object() {
        Reflect::get(options, &"dictionaries".into())?
    } else {
        JsValue::UNDEFINED
    };
    let catalog = if dictionaries.is_undefined() || dictionaries.is_null() {
        None
    } else {
        let file = bytes_of(&dictionaries, "option dictionaries")?;
        let base = match &core.rule_set {
            Some(name) => Catalog::named(name),
            None => Catalog::get(),
        }
        .map_err(|e| core_error(&e))?;
        Some(base.with_dictionaries(&file).map_err(|e| core_error(&e))?)
    };
    Ok((core, catalog))
}

fn report_of(input: &JsValue, options: &JsValue) -> Result<tekser::Report, JsValue> {
    install_panic_hook();
    let bytes = bytes_of(input, "the packet")?;
    let (core, catalog) = validate_options(options)?;
    match &catalog {
        Some(c) => tekser::validate_with(c, &bytes, &core),
        None => tekser::validate(&bytes, &core),
    }
    .map_err(|e| core_error(&e))
}

thread_local! {
    /// Catalogs made from dictionary files, by the file's bytes: a streamed validation
    /// borrows its catalog for as long as it runs, so each distinct file is kept once.
    static DICTIONARY_CATALOGS: std::cell::RefCell<Vec<(Vec<u8>, &'static Catalog)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The catalog of a dictionary file, made once per distinct file and kept.
fn lasting_catalog(file: &[u8], rule_set: Option<&str>) -> Result<&'static Catalog, JsValue> {
    let key: Vec<u8> = rule_set
        .unwrap_or("")
        .bytes()
        .chain([0])
        .chain(file.iter().copied())
        .collect();
    if let Some(found) = DICTIONARY_CATALOGS.with(|c| c.borrow().iter().find(|(k, _)| *k == key).map(|(_, v)| *v)) {
        return Ok(found);
    }
    let base = match rule_set {
        Some(name) => Catalog::named(name),
        None => Catalog::get(),
    }
    .map_err(|e| core_error(&e))?;
    let catalog: &'static Catalog = Box::leak(Box::new(base.with_dictionaries(file).map_err(|e| core_error(&e))?));
    DICTIONARY_CATALOGS.with(|c| c.borrow_mut().push((key, catalog)));
    Ok(catalog)
}

/// Validates a packet that arrives in chunks (e.g. from `File.stream()`), so that a page
/// or a worker checks a file of any size without holding it: memory does not grow with
/// the number of records.
#[wasm_bindgen]
pub struct PacketValidator {
    stream: tekser::PacketStream<'static>,
    /// Whether the packet digest is hashed outside (`hashOutside`): then what a checker
    /// found is merged without copying its canonical form in.
    hash_outside: bool,
}

#[wasm_bindgen]
impl PacketValidator {
    /// A validator with the options of `validate`, and `hashElsewhere`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<PacketValidatorOptionsArg>) -> Result<PacketValidator, JsValue> {
        install_panic_hook();
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let core = core_options(&options)?;
        let dictionaries = if options.is_object() {
            Reflect::get(&options, &"dictionaries".into())?
        } else {
            JsValue::UNDEFINED
        };
        let stream = if dictionaries.is_undefined() || dictionaries.is_null() {
            tekser::PacketStream::new(&core).map_err(|e| core_error(&e))?
        } else {
            let file = bytes_of(&dictionaries, "option dictionaries")?;
            tekser::PacketStream::with_catalog(lasting_catalog(&file, core.rule_set.as_deref())?, &core)
        };
        let flag = |name: &str| -> Result<bool, JsValue> {
            Ok(options.is_object() && Reflect::get(&options, &name.into())?.is_truthy())
        };
        let stream = if flag("hashElsewhere")? {
            stream.hash_elsewhere()
        } else {
            stream
        };
        let stream = if flag("checkElsewhere")? {
            stream.check_elsewhere()
        } else {
            stream
        };
        let hash_outside = flag("hashOutside")?;
        let stream = if hash_outside { stream.hash_outside() } else { stream };
        Ok(PacketValidator { stream, hash_outside })
    }

    /// With `hashOutside`: the bytes to feed to the outside SHA-256 since the last call,
    /// in order; `undefined` when there are none.
    #[wasm_bindgen(js_name = takeHashBytes)]
    pub fn take_hash_bytes(&mut self) -> Option<Vec<u8>> {
        self.stream.take_hash_bytes()
    }

    /// With `hashOutside`: ends the input and gives the last bytes to hash (throws the
    /// packet's error, as finishing would).
    #[wasm_bindgen(js_name = endHashing)]
    pub fn end_hashing(&mut self) -> Result<Vec<u8>, JsValue> {
        self.stream.end_hashing().map_err(|e| core_error(&e))
    }

    /// With `hashOutside`: ends with the outside SHA-256 of every byte taken (64 hex
    /// digits); returns the canonical report JSON. The validator is used up.
    #[wasm_bindgen(js_name = finishJsonWithDigest)]
    pub fn finish_json_with_digest(self, sha256_hex: &str) -> Result<String, JsValue> {
        self.stream
            .finish_with_digest(sha256_hex)
            .map(|r| r.to_json())
            .map_err(|e| core_error(&e))
    }

    /// With `checkElsewhere`: the next batch of records for `RecordChecker.check` on
    /// another worker; `undefined` when there is none now. Given `into` large enough (a
    /// batch is about 512 KiB), the work is written there and a view of it returned:
    /// reusing buffers spares a fresh allocation per batch.
    #[wasm_bindgen(js_name = takeCheckWork)]
    pub fn take_check_work(&mut self, into: Option<Uint8Array>) -> Option<Uint8Array> {
        self.stream.take_check_work().map(|work| written_into(&work, into))
    }

    /// With `checkElsewhere`: merges what a checker returned for the oldest work taken
    /// and not merged. Throws the packet's error (as `push` would) when a record of that
    /// work cannot be read. With `hashOutside` too, returns the bytes to feed to the
    /// outside SHA-256 now, in order (what `takeHashBytes()` would give, then the
    /// records' canonical form: a view of `found`, which is not copied into the
    /// package); otherwise `undefined`.
    #[wasm_bindgen(js_name = mergeChecked, unchecked_return_type = "Uint8Array[] | undefined")]
    pub fn merge_checked(&mut self, found: &Uint8Array) -> Result<JsValue, JsValue> {
        if !self.hash_outside {
            self.stream.merge_checked(&found.to_vec()).map_err(|e| core_error(&e))?;
            return Ok(JsValue::UNDEFINED);
        }
        let total = found.length();
        let prefix = found.subarray(0, total.min(tekser::PacketStream::CHECKED_PREFIX as u32));
        let head = tekser::PacketStream::checked_head_len(&prefix.to_vec()).map_err(|e| core_error(&e))?;
        // A head longer than `found` is cut short here and refused by the merge.
        let head = u32::try_from(head).unwrap_or(u32::MAX).min(total);
        self.stream
            .merge_checked_head(&found.subarray(0, head).to_vec(), (total - head) as usize)
            .map_err(|e| core_error(&e))?;
        let out = Array::new();
        if let Some(before) = self.stream.take_hash_bytes() {
            out.push(&Uint8Array::from(before.as_slice()));
        }
        out.push(&found.subarray(head, total));
        Ok(out.into())
    }

    /// Ends the input without finishing: the last records become check work
    /// (`checkElsewhere`). Finishing does it when it was not done.
    #[wasm_bindgen(js_name = endInput)]
    pub fn end_input(&mut self) -> Result<(), JsValue> {
        self.stream.end_input().map_err(|e| core_error(&e))
    }

    /// With `checkElsewhere`: whether an input error is held (reported when finishing,
    /// once the work taken is merged): the rest of the input need not be pushed.
    #[wasm_bindgen(getter)]
    pub fn stopped(&self) -> bool {
        self.stream.stopped()
    }

    /// With `hashElsewhere`: the hashing of the records checked since the last call, for
    /// `RemoteHasher.apply` on the other worker (in order; the first carries the hasher);
    /// `undefined` when there is none.
    #[wasm_bindgen(js_name = takeHashWork)]
    pub fn take_hash_work(&mut self) -> Option<Vec<u8>> {
        self.stream.take_hash_work()
    }

    /// With `hashElsewhere`: ends the input with the hasher's state from
    /// `RemoteHasher.state()` (after every work taken was applied); returns the canonical
    /// report JSON. The validator is used up.
    #[wasm_bindgen(js_name = finishJsonWithHasher)]
    pub fn finish_json_with_hasher(self, state: &[u8]) -> Result<String, JsValue> {
        self.stream
            .finish_with_hasher(state)
            .map(|r| r.to_json())
            .map_err(|e| core_error(&e))
    }

    /// Feeds the next chunk (a `Uint8Array` or a string).
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] chunk: JsValue,
    ) -> Result<(), JsValue> {
        let bytes = bytes_of(&chunk, "a chunk")?;
        self.stream.push(&bytes).map_err(|e| core_error(&e))
    }

    /// Bytes fed so far (for progress).
    #[wasm_bindgen(getter, js_name = bytesRead)]
    pub fn bytes_read(&self) -> f64 {
        self.stream.bytes_read() as f64
    }

    /// Ends the input; returns the canonical report JSON. The validator is used up.
    #[wasm_bindgen(js_name = finishJson)]
    pub fn finish_json(self) -> Result<String, JsValue> {
        self.stream.finish().map(|r| r.to_json()).map_err(|e| core_error(&e))
    }

    /// Ends the input; returns the canonical report as a plain object.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn finish(self) -> Result<JsValue, JsValue> {
        let json = self.finish_json()?;
        js_sys::JSON::parse(&json)
    }
}

/// The other side of `PacketValidator`'s `hashElsewhere`: hashes, on a second worker, the
/// work the validator hands out.
#[wasm_bindgen]
#[derive(Default)]
pub struct RemoteHasher {
    inner: tekser::RemoteHasher,
}

#[wasm_bindgen]
impl RemoteHasher {
    /// A hasher waiting for its first work.
    #[wasm_bindgen(constructor)]
    pub fn new() -> RemoteHasher {
        install_panic_hook();
        RemoteHasher::default()
    }

    /// Hashes one work from `takeHashWork`, in the order they were taken.
    pub fn apply(&mut self, work: &[u8]) -> Result<(), JsValue> {
        self.inner.apply(work).map_err(|e| core_error(&e))
    }

    /// The hasher's state, for `finishJsonWithHasher`.
    pub fn state(&self) -> Result<Vec<u8>, JsValue> {
        self.inner.state().map_err(|e| core_error(&e))
    }
}

/// `bytes` in `into` when it is large enough (a view of its start), else in a new array:
/// a fresh array buffer per batch costs as much as the copy itself.
fn written_into(bytes: &[u8], into: Option<Uint8Array>) -> Uint8Array {
    match (into, u32::try_from(bytes.len())) {
        (Some(into), Ok(n)) if into.length() >= n => {
            let view = into.subarray(0, n);
            view.copy_from(bytes);
            view
        }
        _ => Uint8Array::from(bytes),
    }
}

/// The other side of `PacketValidator`'s `checkElsewhere`: checks, on another worker, the
/// batches of records the validator hands out.
#[wasm_bindgen]
#[derive(Default)]
pub struct RecordChecker {
    inner: tekser::RecordChecker,
}

#[wasm_bindgen]
impl RecordChecker {
    /// A checker; it learns the rule set and entity from its first work.
    #[wasm_bindgen(constructor)]
    pub fn new() -> RecordChecker {
        install_panic_hook();
        RecordChecker::default()
    }

    /// Checks one work from `takeCheckWork`; returns what to give to `mergeChecked`.
    /// Throws only for bytes that are not check work (a record that cannot be read
    /// travels back and is reported by the merge).
    /// Given `into` large enough, what it found is written there and a view of it
    /// returned (as `takeCheckWork`).
    pub fn check(&mut self, work: &[u8], into: Option<Uint8Array>) -> Result<Uint8Array, JsValue> {
        let found = self.inner.check(work).map_err(|e| core_error(&e))?;
        Ok(written_into(&found, into))
    }
}

/// Validates a packet; returns the canonical report JSON, byte for byte as on every host.
#[wasm_bindgen(js_name = validateJson, unchecked_return_type = "string")]
pub fn validate_json(
    #[wasm_bindgen(unchecked_param_type = "PacketInput")] input: JsValue,
    options: Option<ValidateOptionsArg>,
) -> Result<String, JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    Ok(report_of(&input, &options)?.to_json())
}

/// Validates a packet; returns the canonical report as a plain object.
#[wasm_bindgen(unchecked_return_type = "Report")]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "PacketInput")] input: JsValue,
    options: Option<ValidateOptionsArg>,
) -> Result<JsValue, JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    JSON::parse(&report_of(&input, &options)?.to_json())
}

/// The algorithm and core options of `DigestOptions`.
fn digest_options(options: &JsValue) -> Result<(Algorithm, Options), JsValue> {
    let algorithm = match option(options, "alg")? {
        Some(name) => name
            .parse::<Algorithm>()
            .map_err(|e| error("unknown_algorithm", &e.to_string()))?,
        None => Algorithm::Sha256,
    };
    let core = Options {
        entity: entity_option(options)?,
        ..Options::default()
    };
    Ok((algorithm, core))
}

fn digest_of(input: &JsValue, options: &JsValue) -> Result<PacketDigest, JsValue> {
    install_panic_hook();
    let bytes = bytes_of(input, "the packet")?;
    let (algorithm, core) = digest_options(options)?;
    tekser::digest(&bytes, &core, algorithm).map_err(|e| core_error(&e))
}

/// The integrity digest of a packet (`<alg>:<hex>`): the same for its JSON and XML forms.
#[wasm_bindgen(unchecked_return_type = "string")]
pub fn digest(
    #[wasm_bindgen(unchecked_param_type = "PacketInput")] input: JsValue,
    options: Option<DigestOptionsArg>,
) -> Result<String, JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    Ok(digest_of(&input, &options)?.digest)
}

/// The per-record digest list of a packet, as indented JSON (the input of `compareDigests`).
#[wasm_bindgen(js_name = digestListJson, unchecked_return_type = "string")]
pub fn digest_list_json(
    #[wasm_bindgen(unchecked_param_type = "PacketInput")] input: JsValue,
    options: Option<DigestOptionsArg>,
) -> Result<String, JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    Ok(digest_of(&input, &options)?.to_json())
}

/// The canonical form the digest hashes (schemas/CANONICAL.md).
#[wasm_bindgen(js_name = canonicalForm, unchecked_return_type = "string")]
pub fn canonical_form(
    #[wasm_bindgen(unchecked_param_type = "PacketInput")] input: JsValue,
    options: Option<DigestOptionsArg>,
) -> Result<String, JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    install_panic_hook();
    let bytes = bytes_of(&input, "the packet")?;
    let core = Options {
        entity: entity_option(&options)?,
        ..Options::default()
    };
    tekser::canonical_form(&bytes, &core).map_err(|e| core_error(&e))
}

/// Compares two per-record digest lists (ours, the receiver's); returns the comparison JSON.
#[wasm_bindgen(js_name = compareDigests, unchecked_return_type = "string")]
pub fn compare_digests(ours: &str, theirs: &str) -> Result<String, JsValue> {
    install_panic_hook();
    let ours = PacketDigest::from_json(ours.as_bytes()).map_err(|e| core_error(&e))?;
    let theirs = PacketDigest::from_json(theirs.as_bytes()).map_err(|e| core_error(&e))?;
    tekser::compare(&ours, &theirs)
        .map(|c| c.to_json())
        .map_err(|e| core_error(&e))
}

/// Compares two packets record by record and names each changed record's changed fields
/// (Rules p.12); returns the comparison JSON.
#[wasm_bindgen(js_name = comparePackets, unchecked_return_type = "string")]
pub fn compare_packets(
    #[wasm_bindgen(unchecked_param_type = "PacketInput")] ours: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PacketInput")] theirs: JsValue,
    options: Option<DigestOptionsArg>,
) -> Result<String, JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    install_panic_hook();
    let ours = bytes_of(&ours, "our packet")?;
    let theirs = bytes_of(&theirs, "their packet")?;
    let (algorithm, core) = digest_options(&options)?;
    tekser::compare_packets(&ours, &theirs, &core, algorithm)
        .map(|c| c.to_json())
        .map_err(|e| core_error(&e))
}

/// Validates a packet and returns the reply message ("accepted" or "error"), JSON or XML.
#[wasm_bindgen(unchecked_return_type = "string")]
pub fn reply(
    #[wasm_bindgen(unchecked_param_type = "PacketInput")] input: JsValue,
    options: Option<ReplyOptionsArg>,
) -> Result<String, JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let report = report_of(&input, &options)?;
    let replied_at = match option(&options, "repliedAt")? {
        Some(text) => Some(
            tekser::LocalDateTime::parse(&text)
                .map_err(|_| usage(&format!("repliedAt {text:?} is not an Astana time dd.mm.yyyy HH:MM")))?,
        ),
        None => None,
    };
    let message = Reply::from_report(&report, replied_at).map_err(|e| core_error(&e))?;
    match option(&options, "format")?.as_deref() {
        None | Some("json") => Ok(message.to_json()),
        Some("xml") => Ok(message.to_xml()),
        Some(other) => Err(usage(&format!("format {other:?} is not json or xml"))),
    }
}

/// Validates packets together (cross-entity checks); returns the dataset report JSON.
#[wasm_bindgen(js_name = validateDatasetJson, unchecked_return_type = "string")]
pub fn validate_dataset_json(
    #[wasm_bindgen(unchecked_param_type = "DatasetPacket[]")] packets: Array,
    options: Option<ValidateOptionsArg>,
) -> Result<String, JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    install_panic_hook();
    let (core, catalog) = validate_options(&options)?;
    let mut dataset = match &catalog {
        Some(c) => Dataset::with_catalog(c, core),
        None => Dataset::new(core),
    };
    for packet in packets.iter() {
        let label = Reflect::get(&packet, &"label".into())?
            .as_string()
            .ok_or_else(|| usage("each dataset packet needs a string label"))?;
        let data = bytes_of(&Reflect::get(&packet, &"data".into())?, "a dataset packet's data")?;
        dataset
            .add(&label, &data)
            .map_err(|e| error(e.kind(), &format!("{label}: {e}")))?;
    }
    Ok(dataset.finish().to_json())
}

/// Where a finding's JSON Pointer path points in a packet: the value and its record.
#[wasm_bindgen(js_name = locate, unchecked_return_type = "Place")]
pub fn locate(
    #[wasm_bindgen(unchecked_param_type = "PacketInput")] input: JsValue,
    path: &str,
) -> Result<JsValue, JsValue> {
    install_panic_hook();
    let bytes = bytes_of(&input, "the packet")?;
    let tree = tekser::parse(&bytes).map_err(|e| core_error(&e))?;
    let record_path = record_path(path);
    let record = record_path.as_deref().and_then(|p| tree.pointer(p));
    let place = Object::new();
    let set = |key: &str, value: JsValue| Reflect::set(&place, &key.into(), &value).map(|_| ());
    set(
        "value",
        tree.pointer(path)
            .map_or(JsValue::NULL, |v| v.to_pretty_json().trim_end().into()),
    )?;
    set(
        "record",
        record_path
            .as_deref()
            .and_then(|p| p.rsplit('/').next())
            .and_then(|i| i.parse::<u32>().ok())
            .filter(|_| record.is_some())
            .map_or(JsValue::NULL, JsValue::from),
    )?;
    set(
        "recordJson",
        record.map_or(JsValue::NULL, |v| v.to_pretty_json().trim_end().into()),
    )?;
    Ok(place.into())
}

/// `/records/3/details/0/lot_id` → `/records/3`; `/3/sum` (a bare list) → `/3`.
fn record_path(path: &str) -> Option<String> {
    let mut segments = path.strip_prefix('/')?.split('/');
    match segments.next()? {
        "records" => Some(format!("/records/{}", segments.next()?)),
        first if first.parse::<usize>().is_ok() => Some(format!("/{first}")),
        _ => None,
    }
}

/// The engine version (`0.1.0`).
#[wasm_bindgen]
pub fn version() -> String {
    tekser::VERSION.to_owned()
}

/// The rule sets the engine has, oldest first.
#[wasm_bindgen(js_name = ruleSets, unchecked_return_type = "RuleSet[]")]
pub fn rule_sets() -> Result<JsValue, JsValue> {
    let all = Catalog::all().map_err(|e| core_error(&e))?;
    let out = Array::new();
    let date = |d: tekser::Date| format!("{:02}.{:02}.{:04}", d.day, d.month, d.year);
    for c in all {
        let o = Object::new();
        Reflect::set(&o, &"name".into(), &c.rule_set.as_str().into())?;
        Reflect::set(&o, &"title".into(), &c.title.as_str().into())?;
        Reflect::set(&o, &"appliesFrom".into(), &date(c.applies_from).into())?;
        Reflect::set(
            &o,
            &"appliesUntil".into(),
            &c.applies_until.map_or(JsValue::NULL, |d| date(d).into()),
        )?;
        Reflect::set(&o, &"digest".into(), &c.digest.as_str().into())?;
        out.push(&o);
    }
    Ok(out.into())
}

/// For tests of the host: panics inside wasm, which the panic hook turns into a JS Error.
#[wasm_bindgen(js_name = __panicForTests)]
#[allow(clippy::panic)]
pub fn panic_for_tests() {
    install_panic_hook();
    panic!("deliberate panic for the binding's tests");
}

/// The byte arrays of an array option (`undefined`/`null` when absent).
fn bytes_list(options: &JsValue, name: &str) -> Result<Vec<Vec<u8>>, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(Vec::new());
    }
    let value = Reflect::get(options, &name.into())?;
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let Some(list) = value.dyn_ref::<js_sys::Array>() else {
        return Err(usage(&format!("option {name} must be an array")));
    };
    list.iter()
        .map(|item| bytes_of(&item, &format!("each of {name}")))
        .collect()
}

/// The signature report of a signed XML document, with its language.
fn signature_report(input: &JsValue, options: &JsValue) -> Result<tekser::signature::SignatureReport, JsValue> {
    install_panic_hook();
    let bytes = bytes_of(input, "the document")?;
    let lang = lang_option(options, Some(Lang::Ru))?;
    let mut named = None;
    let mut own: Option<(String, Vec<tekser::signature::NamedBytes>)> = None;
    if options.is_object() {
        let anchors = Reflect::get(options, &"anchors".into())?;
        if let Some(name) = anchors.as_string() {
            named = Some(name);
        } else if anchors.is_object() {
            let name = option(&anchors, "name")?.unwrap_or_else(|| "own".to_owned());
            let files = bytes_list(&anchors, "certificates")?
                .into_iter()
                .enumerate()
                .map(|(i, b)| (format!("certificate {}", i + 1), b))
                .collect();
            own = Some((name, files));
        } else if !anchors.is_undefined() && !anchors.is_null() {
            return Err(usage(
                "option anchors must be \"test\", \"prod\" or { name, certificates }",
            ));
        }
    }
    let crls = bytes_list(options, "crls")?;
    let at = option(options, "at")?;
    let semantics = option(options, "semantics")?;
    let verify_options = tekser::signature::VerifyOptions::from_host(
        named.as_deref(),
        own.as_ref().map(|(n, f)| (n.as_str(), f.as_slice())),
        &crls,
        at.as_deref(),
        semantics.as_deref(),
    )
    .map_err(|e| core_error(&e))?;
    let mut report = tekser::signature::verify(&bytes, &verify_options).map_err(|e| core_error(&e))?;
    report.lang = lang;
    Ok(report)
}

/// Verifies the XMLDSig signatures of a signed XML packet or document; returns the canonical
/// signature report JSON, byte for byte as on every host.
#[wasm_bindgen(js_name = verifyJson, unchecked_return_type = "string")]
pub fn verify_json(
    #[wasm_bindgen(unchecked_param_type = "PacketInput")] input: JsValue,
    options: Option<VerifyOptionsArg>,
) -> Result<String, JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    Ok(signature_report(&input, &options)?.to_json())
}

/// Verifies the XMLDSig signatures of a signed XML packet or document; returns the signature
/// report as a plain object.
#[wasm_bindgen(unchecked_return_type = "SignatureReport")]
pub fn verify(
    #[wasm_bindgen(unchecked_param_type = "PacketInput")] input: JsValue,
    options: Option<VerifyOptionsArg>,
) -> Result<JsValue, JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    JSON::parse(&signature_report(&input, &options)?.to_json())
}
