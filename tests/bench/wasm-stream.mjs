// The wasm package in Node, as a page would use it: a file streamed in chunks through a
// PacketValidator. Used by `cargo xtask bench`.
//
//   node tests/bench/wasm-stream.mjs FILE                 one worker does everything
//   node tests/bench/wasm-stream.mjs --hash-worker FILE   the packet digest is hashed on a
//                                                         second worker (hashElsewhere)
//
// With --hash-worker, this file is also the second worker's script: it feeds each work the
// validator hands out to a RemoteHasher and, at the end, sends the hasher's state back.
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort } from "node:worker_threads";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tekser = require(join(root, "target", "wasm-pkg", "node", "tekser_wasm.js"));

if (!isMainThread) {
  const hasher = new tekser.RemoteHasher();
  parentPort.on("message", (work) => {
    if (work === "end") parentPort.postMessage(hasher.state());
    else hasher.apply(work);
  });
} else {
  const started = process.hrtime.bigint();
  const elsewhere = process.argv.includes("--hash-worker");
  const file = process.argv.slice(2).find((a) => !a.startsWith("--"));
  const validator = new tekser.PacketValidator({ lang: "ru", hashElsewhere: elsewhere });
  const worker = elsewhere ? new Worker(fileURLToPath(import.meta.url)) : null;
  let handed = false;
  const hand = () => {
    const work = validator.takeHashWork();
    if (work) {
      handed = true;
      worker.postMessage(work, [work.buffer]);
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    validator.push(chunk);
    if (worker) hand();
  }
  let json;
  if (worker) {
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
    await worker.terminate();
  } else {
    json = validator.finishJson();
  }
  // The call's time, from the validator's creation (the module is compiled by then).
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const report = JSON.parse(json);
  console.log(`${report.status}: ${report.record_count} records, ${report.errors} errors, ${report.digest}`);
  console.log(`call seconds: ${seconds}`);
}
