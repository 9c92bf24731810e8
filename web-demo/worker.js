// Validates packets off the main thread, so that the page stays responsive on large files.
// Everything runs here, in this browser: the wasm module is loaded from this origin.
// A file is streamed (File.stream()) through a PacketValidator: a 1 GB packet is checked
// without ever being held, with progress by bytes; the packet digest of a large file is
// hashed on a second worker (hash-worker.js).
import init, { PacketValidator, locate, ruleSets, version } from "./pkg/tekser_wasm.js";

const ready = init();
const LOCATE_LIMIT = 64 * 1024 * 1024; // larger packets are not re-read to show a place
let source = null; // the last packet (a Blob), re-read on demand to show a finding's place
let packet = null; // its bytes, once read for "show the place"

/** Files larger than this have their digest hashed on a second worker (hash-worker.js). */
const HASH_WORKER_AFTER = 8 * 1024 * 1024;

async function validateBlob(id, blob, options) {
  source = blob;
  packet = null;
  // Nested workers exist in every current browser; where not, all is done here.
  const hashing = blob.size > HASH_WORKER_AFTER && typeof Worker !== "undefined"
    ? new Worker(new URL("./hash-worker.js", import.meta.url), { type: "module" })
    : null;
  try {
    const validator = new PacketValidator({ ...options, hashElsewhere: hashing !== null });
    let handed = false;
    const hand = () => {
      const work = validator.takeHashWork();
      if (work) {
        handed = true;
        hashing.postMessage({ type: "work", work }, [work.buffer]);
      }
    };
    const started = performance.now();
    const reader = blob.stream().getReader();
    let lastPost = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      validator.push(value);
      if (hashing) hand();
      const now = performance.now();
      if (now - lastPost > 100) {
        lastPost = now;
        self.postMessage({ type: "progress", id, loaded: validator.bytesRead, total: blob.size });
      }
    }
    let reportJson;
    if (hashing) hand();
    if (hashing && handed) {
      const state = await new Promise((resolve, reject) => {
        hashing.onmessage = (e) => (e.data.type === "state" ? resolve(e.data.state) : reject(new Error(e.data.message)));
        hashing.onerror = (e) => reject(new Error(e.message || "the hashing worker failed"));
        hashing.postMessage({ type: "end" });
      });
      reportJson = validator.finishJsonWithHasher(state);
    } else {
      reportJson = validator.finishJson();
    }
    self.postMessage({ type: "report", id, reportJson, millis: performance.now() - started });
  } finally {
    hashing?.terminate();
  }
}

self.onmessage = async (event) => {
  const message = event.data;
  try {
    await ready;
    if (message.type === "info") {
      self.postMessage({ type: "info", version: version(), ruleSets: ruleSets() });
    } else if (message.type === "validate") {
      await validateBlob(message.id, message.blob, message.options);
    } else if (message.type === "locate" && source) {
      if (source.size > LOCATE_LIMIT) {
        self.postMessage({ type: "place", id: message.id, path: message.path, place: null, tooLarge: true });
        return;
      }
      packet ??= new Uint8Array(await source.arrayBuffer());
      self.postMessage({ type: "place", id: message.id, path: message.path, place: locate(packet, message.path) });
    }
  } catch (e) {
    self.postMessage({ type: "error", id: message.id, kind: e.kind ?? "internal", message: String(e.message ?? e) });
  }
};
