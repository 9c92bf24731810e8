// Validates packets off the main thread, so that the page stays responsive on large files.
// Everything runs here, in this browser: the wasm module is loaded from this origin.
// A file is streamed (File.stream()) through a PacketValidator: a 1 GB packet is checked
// without ever being held, with progress by bytes; the packet digest of a large file is
// hashed on a second worker (hash-worker.js), and on a machine with cores to spare its
// records are checked on a pool of further workers (check-worker.js).
import init, { PacketValidator, locate, ruleSets, verifyJson, version } from "./pkg/tekser_wasm.js";

const ready = init();
const LOCATE_LIMIT = 64 * 1024 * 1024; // larger packets are not re-read to show a place
const SIGNATURE_LIMIT = 256 * 1024 * 1024; // larger signed packets: the signature is not checked here
const XMLDSIG = new TextEncoder().encode("http://www.w3.org/2000/09/xmldsig#");

/** Whether `bytes` contain `needle` (the XMLDSig namespace name: the packet is signed). */
function contains(bytes, needle) {
  outer: for (let i = bytes.indexOf(needle[0]); i !== -1 && i <= bytes.length - needle.length; i = bytes.indexOf(needle[0], i + 1)) {
    for (let j = 1; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The signature stage (Rules, App. 2 scheme 1 step 3) of a signed XML packet: its report
 * JSON, or null when the packet is not signed (or too large to check here). */
async function signatureOf(blob, signatureOptions, lang) {
  if (blob.size > SIGNATURE_LIMIT) return null;
  const bytes = new Uint8Array(await blob.arrayBuffer());
  if (!contains(bytes, XMLDSIG)) return null;
  packet = bytes;
  return verifyJson(bytes, { ...signatureOptions, lang });
}
let source = null; // the last packet (a Blob), re-read on demand to show a finding's place
let packet = null; // its bytes, once read for "show the place"

/** Files larger than this have their digest hashed on a second worker (hash-worker.js). */
const HASH_WORKER_AFTER = 8 * 1024 * 1024;

/** How many checker workers a large file gets: those asked for, else the cores left
 * once this worker and the hashing worker have theirs (none on a 2- or 3-core machine,
 * where they only share the same cores), at most 4. */
function checkerCount(asked) {
  if (Number.isInteger(asked) && asked >= 0) return Math.min(asked, 8);
  const cores = self.navigator?.hardwareConcurrency ?? 1;
  return cores >= 4 ? Math.min(cores - 2, 4) : 0;
}

/** Record checkers on `count` workers: work goes to them in turn, and each answers in
 * order, so what they found is merged in the order the work was taken. */
class CheckerPool {
  constructor(count) {
    this.workers = Array.from({ length: count }, () => new Worker(new URL("./check-worker.js", import.meta.url), { type: "module" }));
    this.waiting = this.workers.map(() => []);
    this.workers.forEach((worker, i) => {
      worker.onmessage = (e) => {
        const w = this.waiting[i].shift();
        if (e.data.type === "found") w?.resolve(e.data.found);
        else w?.reject(new Error(e.data.message));
      };
      worker.onerror = (e) => {
        for (const w of this.waiting[i].splice(0)) w.reject(new Error(e.message || "a checker worker failed"));
      };
    });
    this.next = 0;
  }

  check(work) {
    const i = this.next++ % this.workers.length;
    return new Promise((resolve, reject) => {
      this.waiting[i].push({ resolve, reject });
      this.workers[i].postMessage({ type: "work", work }, [work.buffer]);
    });
  }

  close() {
    for (const worker of this.workers) worker.terminate();
  }
}

// The checker workers stay from one file to the next: starting them (a worker, the
// module, the rule catalog) is a fixed cost of a few tenths of a second.
let pool = null;

/** The pool of `count` checker workers (none for 0), started once. */
function checkerPool(count) {
  if (count === 0) return null;
  if (pool && pool.workers.length !== count) dropCheckers();
  pool ??= new CheckerPool(count);
  return pool;
}

function dropCheckers() {
  pool?.close();
  pool = null;
}

async function validateBlob(id, blob, options, checkWorkers, signatureOptions = {}) {
  source = blob;
  packet = null;
  // Nested workers exist in every current browser; where not, all is done here.
  const large = blob.size > HASH_WORKER_AFTER && typeof Worker !== "undefined";
  const hashing = large ? new Worker(new URL("./hash-worker.js", import.meta.url), { type: "module" }) : null;
  const checkers = large ? checkerPool(checkerCount(checkWorkers)) : null;
  let clean = false;
  try {
    const validator = new PacketValidator({
      ...options,
      hashElsewhere: hashing !== null,
      checkElsewhere: checkers !== null,
    });
    // Work out with the checkers, oldest first; a few per checker bound the memory.
    const inFlight = [];
    const merge = async (keep) => {
      while (inFlight.length > keep) validator.mergeChecked(await inFlight.shift());
    };
    const handChecks = async () => {
      for (let work = validator.takeCheckWork(); work; work = validator.takeCheckWork()) {
        inFlight.push(checkers.check(work));
        await merge(4 * checkers.workers.length);
      }
    };
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
      if (checkers) {
        await handChecks();
        if (validator.stopped) break;
      }
      if (hashing) hand();
      const now = performance.now();
      if (now - lastPost > 100) {
        lastPost = now;
        self.postMessage({ type: "progress", id, loaded: validator.bytesRead, total: blob.size });
      }
    }
    let reportJson;
    if (checkers) {
      validator.endInput();
      await handChecks();
      await merge(0);
    }
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
    let signatureJson = null;
    try {
      signatureJson = await signatureOf(blob, signatureOptions, options.lang);
    } catch (e) {
      signatureJson = JSON.stringify({ error: `${e.kind ?? "internal"}: ${e.message ?? e}` });
    }
    self.postMessage({ type: "report", id, reportJson, signatureJson, millis: performance.now() - started });
    clean = true;
  } finally {
    hashing?.terminate();
    // After a failure work may still be out with the checkers: their answers must not
    // reach the next file, so the pool goes. After a success it stays for the next file.
    if (checkers && !clean) dropCheckers();
  }
}

self.onmessage = async (event) => {
  const message = event.data;
  try {
    await ready;
    if (message.type === "info") {
      self.postMessage({ type: "info", version: version(), ruleSets: ruleSets() });
    } else if (message.type === "validate") {
      await validateBlob(message.id, message.blob, message.options, message.checkWorkers, message.signature);
    } else if (message.type === "locate" && source) {
      if (source.size > LOCATE_LIMIT) {
        self.postMessage({ type: "place", id: message.id, path: message.path, place: null, tooLarge: true });
        return;
      }
      packet ??= new Uint8Array(await source.arrayBuffer());
      self.postMessage({ type: "place", id: message.id, path: message.path, place: locate(packet, message.path) });
    }
  } catch (e) {
    // A signed document that is not a packet still has its signature checked and shown.
    let signatureJson = null;
    if (message.type === "validate") {
      try {
        signatureJson = await signatureOf(message.blob, message.signature ?? {}, message.options?.lang);
      } catch {
        signatureJson = null;
      }
    }
    self.postMessage({ type: "error", id: message.id, kind: e.kind ?? "internal", message: String(e.message ?? e), signatureJson });
  }
};
