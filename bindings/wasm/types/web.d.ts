/* tslint:disable */
/* eslint-disable */

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



/**
 * Validates a packet that arrives in chunks (e.g. from `File.stream()`), so that a page
 * or a worker checks a file of any size without holding it: memory does not grow with
 * the number of records.
 */
export class PacketValidator {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * With `hashOutside`: ends the input and gives the last bytes to hash (throws the
     * packet's error, as finishing would).
     */
    endHashing(): Uint8Array;
    /**
     * Ends the input without finishing: the last records become check work
     * (`checkElsewhere`). Finishing does it when it was not done.
     */
    endInput(): void;
    /**
     * With `hashOutside`: ends with the outside SHA-256 of every byte taken (64 hex
     * digits); returns the canonical report JSON. The validator is used up.
     */
    finishJsonWithDigest(sha256_hex: string): string;
    /**
     * With `hashElsewhere`: ends the input with the hasher's state from
     * `RemoteHasher.state()` (after every work taken was applied); returns the canonical
     * report JSON. The validator is used up.
     */
    finishJsonWithHasher(state: Uint8Array): string;
    /**
     * Ends the input; returns the canonical report JSON. The validator is used up.
     */
    finishJson(): string;
    /**
     * Ends the input; returns the canonical report as a plain object.
     */
    finish(): Report;
    /**
     * With `checkElsewhere`: merges what a checker returned for the oldest work taken
     * and not merged. Throws the packet's error (as `push` would) when a record of that
     * work cannot be read. With `hashOutside` too, returns the bytes to feed to the
     * outside SHA-256 now, in order (what `takeHashBytes()` would give, then the
     * records' canonical form: a view of `found`, which is not copied into the
     * package); otherwise `undefined`.
     */
    mergeChecked(found: Uint8Array): Uint8Array[] | undefined;
    /**
     * A validator with the options of `validate`, and `hashElsewhere`.
     */
    constructor(options?: PacketValidatorOptions | null);
    /**
     * Feeds the next chunk (a `Uint8Array` or a string).
     */
    push(chunk: Uint8Array | string): void;
    /**
     * With `checkElsewhere`: the next batch of records for `RecordChecker.check` on
     * another worker; `undefined` when there is none now. Given `into` large enough (a
     * batch is about 512 KiB), the work is written there and a view of it returned:
     * reusing buffers spares a fresh allocation per batch.
     */
    takeCheckWork(into?: Uint8Array | null): Uint8Array | undefined;
    /**
     * With `hashOutside`: the bytes to feed to the outside SHA-256 since the last call,
     * in order; `undefined` when there are none.
     */
    takeHashBytes(): Uint8Array | undefined;
    /**
     * With `hashElsewhere`: the hashing of the records checked since the last call, for
     * `RemoteHasher.apply` on the other worker (in order; the first carries the hasher);
     * `undefined` when there is none.
     */
    takeHashWork(): Uint8Array | undefined;
    /**
     * Bytes fed so far (for progress).
     */
    readonly bytesRead: number;
    /**
     * With `checkElsewhere`: whether an input error is held (reported when finishing,
     * once the work taken is merged): the rest of the input need not be pushed.
     */
    readonly stopped: boolean;
}

/**
 * The other side of `PacketValidator`'s `checkElsewhere`: checks, on another worker, the
 * batches of records the validator hands out.
 */
export class RecordChecker {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Checks one work from `takeCheckWork`; returns what to give to `mergeChecked`.
     * Throws only for bytes that are not check work (a record that cannot be read
     * travels back and is reported by the merge).
     * Given `into` large enough, what it found is written there and a view of it
     * returned (as `takeCheckWork`).
     */
    check(work: Uint8Array, into?: Uint8Array | null): Uint8Array;
    /**
     * A checker; it learns the rule set and entity from its first work.
     */
    constructor();
}

/**
 * The other side of `PacketValidator`'s `hashElsewhere`: hashes, on a second worker, the
 * work the validator hands out.
 */
export class RemoteHasher {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Hashes one work from `takeHashWork`, in the order they were taken.
     */
    apply(work: Uint8Array): void;
    /**
     * A hasher waiting for its first work.
     */
    constructor();
    /**
     * The hasher's state, for `finishJsonWithHasher`.
     */
    state(): Uint8Array;
}

/**
 * For tests of the host: panics inside wasm, which the panic hook turns into a JS Error.
 */
export function __panicForTests(): void;

/**
 * The canonical form the digest hashes (schemas/CANONICAL.md).
 */
export function canonicalForm(input: PacketInput, options?: DigestOptions | null): string;

/**
 * Compares two per-record digest lists (ours, the receiver's); returns the comparison JSON.
 */
export function compareDigests(ours: string, theirs: string): string;

/**
 * Compares two packets record by record and names each changed record's changed fields
 * (Rules p.12); returns the comparison JSON.
 */
export function comparePackets(ours: PacketInput, theirs: PacketInput, options?: DigestOptions | null): string;

/**
 * The integrity digest of a packet (`<alg>:<hex>`): the same for its JSON and XML forms.
 */
export function digest(input: PacketInput, options?: DigestOptions | null): string;

/**
 * The per-record digest list of a packet, as indented JSON (the input of `compareDigests`).
 */
export function digestListJson(input: PacketInput, options?: DigestOptions | null): string;

/**
 * Where a finding's JSON Pointer path points in a packet: the value and its record.
 */
export function locate(input: PacketInput, path: string): Place;

/**
 * Validates a packet and returns the reply message ("accepted" or "error"), JSON or XML.
 */
export function reply(input: PacketInput, options?: ReplyOptions | null): string;

/**
 * The rule sets the engine has, oldest first.
 */
export function ruleSets(): RuleSet[];

/**
 * Validates a packet; returns the canonical report as a plain object.
 */
export function validate(input: PacketInput, options?: ValidateOptions | null): Report;

/**
 * Validates packets together (cross-entity checks); returns the dataset report JSON.
 */
export function validateDatasetJson(packets: DatasetPacket[], options?: ValidateOptions | null): string;

/**
 * Validates a packet; returns the canonical report JSON, byte for byte as on every host.
 */
export function validateJson(input: PacketInput, options?: ValidateOptions | null): string;

/**
 * Verifies the XMLDSig signatures of a signed XML packet or document; returns the signature
 * report as a plain object.
 */
export function verify(input: PacketInput, options?: VerifyOptions | null): SignatureReport;

/**
 * Verifies the XMLDSig signatures of a signed XML packet or document; returns the canonical
 * signature report JSON, byte for byte as on every host.
 */
export function verifyJson(input: PacketInput, options?: VerifyOptions | null): string;

/**
 * The engine version (`0.1.0`).
 */
export function version(): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __panicForTests: () => void;
    readonly __wbg_packetvalidator_free: (a: number, b: number) => void;
    readonly __wbg_recordchecker_free: (a: number, b: number) => void;
    readonly __wbg_remotehasher_free: (a: number, b: number) => void;
    readonly canonicalForm: (a: number, b: number, c: number) => void;
    readonly compareDigests: (a: number, b: number, c: number, d: number, e: number) => void;
    readonly comparePackets: (a: number, b: number, c: number, d: number) => void;
    readonly digest: (a: number, b: number, c: number) => void;
    readonly digestListJson: (a: number, b: number, c: number) => void;
    readonly locate: (a: number, b: number, c: number, d: number) => void;
    readonly packetvalidator_bytesRead: (a: number) => number;
    readonly packetvalidator_endHashing: (a: number, b: number) => void;
    readonly packetvalidator_endInput: (a: number, b: number) => void;
    readonly packetvalidator_finish: (a: number, b: number) => void;
    readonly packetvalidator_finishJson: (a: number, b: number) => void;
    readonly packetvalidator_finishJsonWithDigest: (a: number, b: number, c: number, d: number) => void;
    readonly packetvalidator_finishJsonWithHasher: (a: number, b: number, c: number, d: number) => void;
    readonly packetvalidator_mergeChecked: (a: number, b: number, c: number) => void;
    readonly packetvalidator_new: (a: number, b: number) => void;
    readonly packetvalidator_push: (a: number, b: number, c: number) => void;
    readonly packetvalidator_stopped: (a: number) => number;
    readonly packetvalidator_takeCheckWork: (a: number, b: number) => number;
    readonly packetvalidator_takeHashBytes: (a: number, b: number) => void;
    readonly packetvalidator_takeHashWork: (a: number, b: number) => void;
    readonly recordchecker_check: (a: number, b: number, c: number, d: number, e: number) => void;
    readonly recordchecker_new: () => number;
    readonly remotehasher_apply: (a: number, b: number, c: number, d: number) => void;
    readonly remotehasher_new: () => number;
    readonly remotehasher_state: (a: number, b: number) => void;
    readonly reply: (a: number, b: number, c: number) => void;
    readonly ruleSets: (a: number) => void;
    readonly validate: (a: number, b: number, c: number) => void;
    readonly validateDatasetJson: (a: number, b: number, c: number) => void;
    readonly validateJson: (a: number, b: number, c: number) => void;
    readonly verify: (a: number, b: number, c: number) => void;
    readonly verifyJson: (a: number, b: number, c: number) => void;
    readonly version: (a: number) => void;
    readonly __wbindgen_export: (a: number, b: number) => number;
    readonly __wbindgen_export2: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_export3: (a: number) => void;
    readonly __wbindgen_add_to_stack_pointer: (a: number) => number;
    readonly __wbindgen_export4: (a: number, b: number, c: number) => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
