// tekser for Node: the native addon (napi-rs) and a thin wrapper that turns the core's
// canonical report JSON into a Report object. No rule or formatting logic lives here.
"use strict";

const native = require("./tekser.node");

/** The canonical report of one packet, as an object (see index.d.ts). */
class Report {
  constructor(json) {
    Object.assign(this, JSON.parse(json));
    // The exact bytes every tekser host returns; not enumerable, so JSON.stringify and
    // console.log show the report's fields only.
    Object.defineProperty(this, "canonicalJson", { value: json, enumerable: false });
  }

  /** True when every check ran and no finding is an error. */
  get accepted() {
    return this.status === "accepted";
  }

  /** The report's fields, as JSON.stringify uses them. */
  toJSON() {
    return JSON.parse(this.canonicalJson);
  }

  /** The canonical report JSON, byte for byte as every tekser host returns it. */
  toCanonicalJSON() {
    return this.canonicalJson;
  }
}

function validate(data, options) {
  return new Report(native.validateJson(data, options));
}

async function validateAsync(data, options) {
  return new Report(await native.validateJsonAsync(data, options));
}

/** Validates a packet file, streamed on the thread pool: the file is never held whole. */
async function validateFile(path, options) {
  return new Report(await native.validateFileJsonAsync(String(path), options));
}

/** Validates a packet from a readable stream (or any async iterable of Buffers/strings),
 * chunk by chunk; each chunk is checked as it arrives. */
async function validateStream(readable, options) {
  const validator = new native.PacketValidator(options);
  for await (const chunk of readable) validator.push(chunk);
  return new Report(validator.finishJson());
}

function digestList(data, options) {
  return JSON.parse(native.digestListJson(data, options));
}

function compareDigests(ours, theirs) {
  const text = (list) => (typeof list === "string" ? list : JSON.stringify(list));
  return JSON.parse(native.compareDigestsJson(text(ours), text(theirs)));
}

function comparePackets(ours, theirs, options) {
  return JSON.parse(native.comparePacketsJson(ours, theirs, options));
}

/** Verifies the XMLDSig signatures of a signed XML packet or document: the signature report. */
function verify(data, options) {
  return JSON.parse(native.verifyJson(data, options));
}

function validateDataset(packets, options) {
  return JSON.parse(native.validateDatasetJson(packets, options));
}

module.exports = {
  Report,
  verify,
  verifyJson: native.verifyJson,
  validate,
  validateAsync,
  validateJson: native.validateJson,
  validateJsonAsync: native.validateJsonAsync,
  digest: native.digest,
  digestList,
  digestListJson: native.digestListJson,
  canonicalForm: native.canonicalForm,
  compareDigests,
  comparePackets,
  validateFile,
  validateStream,
  PacketValidator: native.PacketValidator,
  comparePacketsJson: native.comparePacketsJson,
  reply: native.reply,
  validateDataset,
  validateDatasetJson: native.validateDatasetJson,
  ruleSets: native.ruleSets,
  version: native.version,
  __panicForTests: native.__panicForTests,
};
