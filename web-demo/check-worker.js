// Checks batches of records for worker.js on another thread (PacketValidator's
// checkElsewhere): the records of a large file are parsed, checked and written in
// canonical form here, while worker.js only cuts them out and merges what the checkers
// found. Messages: {type: "work", work}, answered in order with {type: "found", found}
// (or {type: "error", message}).
import init, { RecordChecker } from "./pkg/tekser_wasm.js";

const ready = init();
let checker = null;

self.onmessage = async (event) => {
  const message = event.data;
  try {
    await ready;
    if (message.type === "work") {
      checker ??= new RecordChecker();
      const found = checker.check(message.work);
      self.postMessage({ type: "found", found }, [found.buffer]);
    }
  } catch (e) {
    self.postMessage({ type: "error", message: String(e?.message ?? e) });
  }
};
