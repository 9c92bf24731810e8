// The wasm package in Node, as a page would use it: a file streamed in chunks through a
// PacketValidator. Used by `cargo xtask bench` and by the wasm tests.
//
//   node tests/bench/wasm-stream.mjs FILE                 one worker does everything
//   node tests/bench/wasm-stream.mjs --hash-worker FILE   the packet digest is hashed on a
//                                                         second worker (hashElsewhere)
//   node tests/bench/wasm-stream.mjs --check-workers N FILE
//                                                         the records are checked on N
//                                                         workers (checkElsewhere)
//   --check-here   with --check-workers: this worker checks a batch itself when every
//                  checker has a few waiting, rather than wait (on a machine of C cores,
//                  C - 1 checker workers and this one: one worker fewer to boot and feed)
//   node tests/bench/wasm-stream.mjs --hash-node FILE     the packet digest is hashed by
//                                                         node:crypto (hashOutside)
//   --report   print the canonical report JSON rather than a summary
//
// The other workers run tests/bench/wasm-worker.cjs: a hasher feeds each work the
// validator hands out to a RemoteHasher and at the end sends the hasher's state back; a
// checker answers each work with what its RecordChecker found.
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const wasmPackage = join(root, "target", "wasm-pkg", "node", "tekser_wasm.js");
const workerScript = join(dirname(fileURLToPath(import.meta.url)), "wasm-worker.cjs");

/** Buffers for work and for what checkers found: larger than a batch (about 512 KiB),
 * so that each is written into a buffer that went round before rather than a fresh one. */
const BUFFER_BYTES = 1024 * 1024;
/** What this thread found (--check-here) comes from no worker. */
const HERE = -1;

/** Checkers on `count` workers: work goes to them in turn; results come back in order.
 * Buffers go round: a work's buffer comes back with what was found, and the buffer of
 * what was found goes back to its checker with its next work, once merged. */
class CheckerPool {
  constructor(count) {
    this.workers = Array.from({ length: count }, () => new Worker(workerScript, { workerData: { role: "checker", wasmPackage, bufferBytes: BUFFER_BYTES } }));
    // Per worker, the callbacks of its works in flight (a worker answers in order).
    this.waiting = this.workers.map(() => []);
    // Per worker, buffers of what it found, merged and to go back to it.
    this.returns = this.workers.map(() => []);
    this.spare = [];
    // Buffers of what this thread found (--check-here), merged.
    this.spareFound = [];
    this.workers.forEach((worker, i) => {
      worker.on("message", ({ found, back }) => {
        this.spare.push(new Uint8Array(back));
        this.waiting[i].shift().resolve({ found, from: i });
      });
      worker.on("error", (e) => {
        for (const w of this.waiting[i].splice(0)) w.reject(e);
      });
    });
    this.next = 0;
  }

  /** The validator's next work, written into a spare buffer; undefined when none. */
  take(validator) {
    const buffer = this.spare.pop() ?? new Uint8Array(BUFFER_BYTES);
    const work = validator.takeCheckWork(buffer);
    // No work, or one too large for the buffer (then in an array of its own).
    if (work?.buffer !== buffer.buffer) this.spare.push(buffer);
    return work;
  }

  /** Hands one work out; the promise of what the checker found ({found, from}). */
  check(work) {
    const i = this.next++ % this.workers.length;
    const give = this.returns[i].splice(0);
    return new Promise((resolve, reject) => {
      this.waiting[i].push({ resolve, reject });
      this.workers[i].postMessage({ work, give }, [work.buffer, ...give]);
    });
  }

  /** What a checker found is merged: its buffer goes back to that checker. */
  done({ found, from }) {
    if (from === HERE) this.spareFound.push(new Uint8Array(found.buffer));
    else this.returns[from].push(found.buffer);
  }

  /** Whether every checker has at least `n` works waiting. */
  busy(n) {
    return this.waiting.every((w) => w.length >= n);
  }

  /** Checks a work on this thread with `checker` (in order with the others). */
  checkHere(checker, work) {
    const found = checker.check(work, this.spareFound.pop() ?? new Uint8Array(BUFFER_BYTES));
    this.spare.push(new Uint8Array(work.buffer));
    return Promise.resolve({ found, from: HERE });
  }

  close() {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Validates the file named on the command line, as the options say. */
async function main() {
  const args = process.argv.slice(2);
  const elsewhere = args.includes("--hash-worker");
  const outside = args.includes("--hash-node") ? createHash("sha256") : null;
  const at = args.indexOf("--check-workers");
  const checkers = at >= 0 ? Number(args[at + 1]) : 0;
  const file = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--check-workers");
  // The other workers start first: booting one takes about a tenth of a second, spent
  // while this one loads the package and its rule catalog.
  const worker = elsewhere ? new Worker(workerScript, { workerData: { role: "hasher", wasmPackage } }) : null;
  const pool = checkers > 0 ? new CheckerPool(checkers) : null;
  const tekser = require(wasmPackage);
  const here = pool && args.includes("--check-here") ? new tekser.RecordChecker() : null;
  const started = process.hrtime.bigint();
  const validator = new tekser.PacketValidator({
    lang: "ru",
    hashElsewhere: elsewhere,
    checkElsewhere: checkers > 0,
    hashOutside: outside !== null,
  });
  const feed = () => {
    const bytes = validator.takeHashBytes();
    if (bytes) outside.update(bytes);
  };
  // Works in flight, oldest first: merged in the order taken. At most a few per
  // checker, so that memory stays bounded while the file is read.
  const inFlight = [];
  const merge = async (keep) => {
    while (inFlight.length > keep) {
      // With hashOutside: the bytes to hash now, the records' form a view of what the
      // checker sent (never copied into the package).
      const checked = await inFlight.shift();
      const toHash = validator.mergeChecked(checked.found);
      if (outside) for (const bytes of toHash) outside.update(bytes);
      pool.done(checked);
    }
  };
  const handChecks = async () => {
    for (let work = pool.take(validator); work; work = pool.take(validator)) {
      // Three waiting per checker keep them busy; past that this thread checks too.
      inFlight.push(here && pool.busy(3) ? pool.checkHere(here, work) : pool.check(work));
      await merge(4 * checkers);
    }
  };
  let handed = false;
  const hand = () => {
    const work = validator.takeHashWork();
    if (work) {
      handed = true;
      worker.postMessage(work, [work.buffer]);
    }
  };
  let json;
  let input;
  try {
    // One buffer read into again and again (push copies what it is given): a stream
    // would allocate a fresh one per chunk.
    input = await open(file);
    const chunk = new Uint8Array(256 * 1024);
    for (;;) {
      const { bytesRead } = await input.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      validator.push(chunk.subarray(0, bytesRead));
      if (pool) {
        await handChecks();
        if (validator.stopped) break;
      }
      if (worker) hand();
      if (outside) feed();
    }
    if (pool) {
      validator.endInput();
      await handChecks();
      await merge(0);
    }
    if (outside) {
      feed();
      outside.update(validator.endHashing());
      json = validator.finishJsonWithDigest(outside.digest("hex"));
    } else if (worker) {
      hand();
      if (handed) {
        const state = await new Promise((resolve, reject) => {
          worker.once("message", resolve);
          worker.once("error", reject);
          worker.postMessage("end");
        });
        json = validator.finishJsonWithHasher(state);
      } else {
        json = validator.finishJson();
      }
    } else {
      json = validator.finishJson();
    }
  } finally {
    await input?.close();
    if (worker) await worker.terminate();
    if (pool) await pool.close();
  }
  // The call's time, from the validator's creation (the module is compiled by then).
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (args.includes("--report")) {
    process.stdout.write(json);
  } else {
    const report = JSON.parse(json);
    console.log(`${report.status}: ${report.record_count} records, ${report.errors} errors, ${report.digest}`);
    console.log(`call seconds: ${seconds}`);
  }
}

await main();
