// Type declarations of the `tekser` Node package (bindings/node). The report shapes are
// those of schemas/report.schema.json and the other schemas in the repository.
/// <reference types="node" />

/** The packet: JSON or XML text, or its bytes. */
export type PacketInput = Buffer | string;
export type Entity = "plan_item" | "lot" | "announcement" | "contract" | "participant" | "result" | "unreliable_supplier" | "legal_act";

/** How a packet is validated. */
export interface ValidateOptions {
  /** Entity of the records; needed for a bare list, checked against a packet's header. */
  entity?: Entity;
  /** Language of messages; "all" gives ru, kk and en (default "ru"). */
  lang?: "ru" | "kk" | "en" | "all";
  /** Rule set (default: the header's, else the one in force on its creation date). */
  ruleSet?: string;
  /** A dictionary file (schemas/dictionary-file.schema.json) applied at run time. */
  dictionaries?: PacketInput;
  /** The most findings a report keeps (default 1000); the rest are counted per code in
   * `omitted`, and the verdict and totals still cover every record. */
  maxFindings?: number;
  /** The longest record (or other packet member) read, in bytes (default 16 MiB): a
   * longer one is an error of kind `too_large`, since reading it holds it whole. */
  maxRecordBytes?: number;
  /** The most records read (default 10 000 000): more is an error with code `too_large`. */
  maxRecords?: number;
  /** The most bytes of one input (default: 256 MiB for a Buffer or string, no limit for
   * files, which are streamed): more is an error with code `too_large`. */
  maxInputBytes?: number;
}

/** Options of a reply message. */
export interface ReplyOptions extends ValidateOptions {
  format?: "json" | "xml";
  /** The receiver's Astana local time of the reply, "dd.mm.yyyy HH:MM": a reply more than an
   * hour after the packet's created_at carries the warning reply.transfer_late (Rules p.18 (3)). */
  repliedAt?: string;
}

/** How a packet is digested. */
export interface DigestOptions {
  alg?: "sha256" | "streebog256" | "streebog512" | "gost34311";
  entity?: Entity;
}

/** One finding of a report. */
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

/** The fields of the canonical report (schemas/report.schema.json). */
export interface ReportFields {
  status: "accepted" | "rejected";
  entity: Entity;
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

/** The report of one packet: the fields of the canonical report, and the methods below. */
export interface Report extends ReportFields {}
export class Report {
  /** True when every check ran and no finding is an error. */
  readonly accepted: boolean;
  /** The canonical report JSON (not enumerable). */
  readonly canonicalJson: string;
  /** The report's fields, as JSON.stringify uses them. */
  toJSON(): ReportFields;
  /** The canonical report JSON, byte for byte as every tekser host returns it. */
  toCanonicalJSON(): string;
}

/** A per-record digest list (schemas/digest-list.schema.json). */
export interface DigestList {
  algorithm: string;
  entity: Entity;
  packet_id: string | null;
  digest: string;
  root: string;
  records: { id: string; record: number; digest: string }[];
}

/** The comparison of two digest lists (schemas/comparison.schema.json). */
export interface Comparison {
  algorithm: string;
  same: boolean;
  only_ours: string[];
  only_theirs: string[];
  changed: string[];
  /** For each changed record id, the fields whose values differ (comparePackets only). */
  changed_fields?: Record<string, string[]>;
}

/** A packet of a dataset. */
export interface DatasetPacket {
  label: string;
  data: PacketInput;
}

/** A rule set the engine has. */
export interface RuleSet {
  name: string;
  title: string;
  appliesFrom: string;
  appliesUntil?: string | null;
  digest: string;
}

/**
 * Errors are `Error`s named "TekserError" whose `code` is the core's error kind
 * ("json", "xml_doctype", "unknown_entity", …, "usage" for bad options), with the error's
 * fields (`line`, `column`, `offset`, `name`, `expected`, `detail`, …) as properties.
 */
export interface TekserError extends Error {
  code: string;
  [field: string]: unknown;
}

/** Validates a packet (synchronously). */
export function validate(data: PacketInput, options?: ValidateOptions): Report;
/** Validates a packet on the libuv thread pool; the event loop stays free. */
export function validateAsync(data: PacketInput, options?: ValidateOptions): Promise<Report>;
/** The canonical report JSON of a packet. */
export function validateJson(data: PacketInput, options?: ValidateOptions): string;
/** The canonical report JSON, computed on the libuv thread pool. */
export function validateJsonAsync(data: PacketInput, options?: ValidateOptions): Promise<string>;
/** The integrity digest `<alg>:<hex>`: the same for a packet's JSON and XML forms. */
export function digest(data: PacketInput, options?: DigestOptions): string;
/** The per-record digest list. */
export function digestList(data: PacketInput, options?: DigestOptions): DigestList;
/** The per-record digest list as JSON. */
export function digestListJson(data: PacketInput, options?: DigestOptions): string;
/** The canonical form the digest hashes (schemas/CANONICAL.md). */
export function canonicalForm(data: PacketInput, options?: DigestOptions): string;
/** Records only in ours, only in theirs, and changed (the audit of Rules p.12). */
export function compareDigests(ours: DigestList | string, theirs: DigestList | string): Comparison;
/** Validates a packet file streamed on the libuv thread pool (never held whole); the event loop stays free. */
export function validateFile(path: string | URL, options?: ValidateOptions): Promise<Report>;
/** Validates a packet from a readable stream (or any async iterable of chunks), chunk by chunk. */
export function validateStream(
  readable: AsyncIterable<Buffer | Uint8Array | string>,
  options?: ValidateOptions,
): Promise<Report>;
/** A packet fed in chunks; memory does not grow with the number of records. */
export class PacketValidator {
  constructor(options?: ValidateOptions);
  /** Feeds the next chunk. Throws a TekserError as soon as the input cannot be a packet. */
  push(chunk: Buffer | Uint8Array | string): void;
  /** Bytes fed so far. */
  readonly bytesRead: number;
  /** Ends the input; the canonical report JSON. The validator cannot be used after it. */
  finishJson(): string;
}
/** Compares two packets record by record and names each changed record's changed fields (Rules p.12). */
export function comparePackets(ours: PacketInput, theirs: PacketInput, options?: DigestOptions): Comparison;
/** comparePackets, as the exact JSON text. */
export function comparePacketsJson(ours: PacketInput, theirs: PacketInput, options?: DigestOptions): string;
/** Validates a packet and returns the reply message ("accepted" or "error"). */
export function reply(data: PacketInput, options?: ReplyOptions): string;
/** Validates packets together (cross-entity checks); the dataset report as an object. */
export function validateDataset(packets: DatasetPacket[], options?: ValidateOptions): Record<string, unknown>;
/** The canonical dataset report JSON. */
export function validateDatasetJson(packets: DatasetPacket[], options?: ValidateOptions): string;
/** The rule sets the engine has, oldest first. */
export function ruleSets(): RuleSet[];
/** The engine version. */
export function version(): string;

/** How signatures are verified (`verify`, `verifyJson`). */
export interface VerifyOptions {
  /** Trust anchors: "prod" (default) or "test", NCA RK's certificates shipped with tekser, or
   * certificates of your own (DER Buffers or PEM text), named `name` in reports. */
  anchors?: "test" | "prod" | { name?: string; certificates: (Buffer | string)[] };
  /** CRLs (DER Buffers or PEM text) to check revocation against. */
  crls?: (Buffer | string)[];
  /** Verification time: "dd.mm.yyyy HH:MM" (Astana time) or "yyyy-mm-ddTHH:MM[:SS]Z" (UTC);
   * default: the packet's header/created_at. The clock is never used. */
  at?: string;
  /** Several signatures: "sequential" (default) or "strict". */
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

/** Verifies the XMLDSig signatures of a signed XML packet or document (Rules, App. 2 scheme 1
 * step 3): reference digest, signature value (RSA-SHA256, GOST 34.310-2004, GOST 34.10-2015
 * 512), the certificate's chain to the anchors, validity at `at` (default the packet's
 * created_at), key usage and revocation. */
export function verify(data: PacketInput, options?: VerifyOptions): SignatureReport;
/** `verify`, returning the canonical signature report JSON (byte for byte as on every host). */
export function verifyJson(data: PacketInput, options?: VerifyOptions): string;
/** For tests: a panic inside the addon becomes an Error with code "internal". */
export function __panicForTests(): void;
