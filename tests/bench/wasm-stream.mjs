// The wasm package in Node, as a page would use it: a file streamed in chunks through a
// PacketValidator. Used by `cargo xtask bench` and by the wasm tests.
//
//   node tests/bench/wasm-stream.mjs FILE                 one worker does everything
//   node tests/bench/wasm-stream.mjs --hash-worker FILE   the packet digest is hashed on a
//                                                         second worker (hashElsewhere)
//   node tests/bench/wasm-stream.mjs --check-workers N FILE
//                                                         the records are checked on N
//                                                         workers (checkElsewhere)
//   node tests/bench/wasm-stream.mjs --hash-node FILE     the packet digest is hashed by
//                                                         node:crypto (hashOutside)
//   --report   print the canonical report JSON rather than a summary
//
// This file is also the other workers' script: a hasher feeds each work the validator
// hands out to a RemoteHasher and at the end sends the hasher's state back; a checker
// answers each work with what its RecordChecker found.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tekser = require(join(root, "target", "wasm-pkg", "node", "tekser_wasm.js"));
const script = fileURLToPath(import.meta.url);

/** Checkers on `count` workers: work goes to them in turn; results come back in order. */
class CheckerPool {
  constructor(count) {
    this.workers = Array.from({ length: count }, () => new Worker(script, { workerData: "checker" }));
    // Per worker, the callbacks of its works in flight (a worker answers in order).
    this.waiting = this.workers.map(() => []);
    this.workers.forEach((worker, i) => {
      worker.on("message", (found) => this.waiting[i].shift().resolve(found));
      worker.on("error", (e) => {
        for (const w of this.waiting[i].splice(0)) w.reject(e);
      });
    });
    this.next = 0;
  }

  /** Hands one work out; the promise of what the checker found. */
  check(work) {
    const i = this.next++ % this.workers.length;
    return new Promise((resolve, reject) => {
      this.waiting[i].push({ resolve, reject });
      this.workers[i].postMessage(work, [work.buffer]);
    });
  }

  close() {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}

if (!isMainThread && workerData === "checker") {
  const checker = new tekser.RecordChecker();
  parentPort.on("message", (work) => {
    const found = checker.check(work);
    parentPort.postMessage(found, [found.buffer]);
  });
} else if (!isMainThread) {
  const hasher = new tekser.RemoteHasher();
  parentPort.on("message", (work) => {
    if (work === "end") parentPort.postMessage(hasher.state());
    else hasher.apply(work);
  });
} else {
  const started = process.hrtime.bigint();
  const args = process.argv.slice(2);
  const elsewhere = args.includes("--hash-worker");
  const outside = args.includes("--hash-node") ? createHash("sha256") : null;
  const at = args.indexOf("--check-workers");
  const checkers = at >= 0 ? Number(args[at + 1]) : 0;
  const file = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--check-workers");
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
  const worker = elsewhere ? new Worker(script) : null;
  const pool = checkers > 0 ? new CheckerPool(checkers) : null;
  // Works in flight, oldest first: merged in the order taken. At most a few per
  // checker, so that memory stays bounded while the file is read.
  const inFlight = [];
  const merge = async (keep) => {
    while (inFlight.length > keep) {
      // With hashOutside: the bytes to hash now, the records' form a view of what the
      // checker sent (never copied into the package).
      const toHash = validator.mergeChecked(await inFlight.shift());
      if (outside) for (const bytes of toHash) outside.update(bytes);
    }
  };
  const handChecks = async () => {
    for (let work = validator.takeCheckWork(); work; work = validator.takeCheckWork()) {
      inFlight.push(pool.check(work));
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
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
      validator.push(chunk);
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
