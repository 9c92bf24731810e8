// The other workers of tests/bench/wasm-stream.mjs, each with an instance of the wasm
// package. A file of its own that loads nothing else: a worker's boot is a fixed cost
// (with the main script's imports, Node's loader took 60 ms of CPU more per worker).
//
// workerData.role "checker": answers each {work, give} with {found, back}: what its
// RecordChecker found, written into a buffer given back earlier, and the work's buffer.
// workerData.role "hasher": feeds each work to a RemoteHasher; on "end" sends its state.
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const tekser = require(workerData.wasmPackage);

if (workerData.role === "checker") {
  // Made at once: it reads the rule catalog while the first work is being cut out.
  const checker = new tekser.RecordChecker();
  const spare = [];
  parentPort.on("message", ({ work, give }) => {
    for (const buffer of give) spare.push(new Uint8Array(buffer));
    const found = checker.check(work, spare.pop() ?? new Uint8Array(workerData.bufferBytes));
    parentPort.postMessage({ found, back: work.buffer }, [found.buffer, work.buffer]);
  });
} else {
  const hasher = new tekser.RemoteHasher();
  parentPort.on("message", (work) => {
    if (work === "end") parentPort.postMessage(hasher.state());
    else hasher.apply(work);
  });
}
