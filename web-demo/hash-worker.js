// Hashes the packet digest for worker.js on a second thread (PacketValidator's
// hashElsewhere): SHA-256 in WebAssembly is about a quarter of a check's time, and this
// way it runs beside the checking instead of inside it. Messages: {type: "work", work}
// in the order the validator handed them out, then {type: "end"}, answered with
// {type: "state", state} (or {type: "error", message}).
import init, { RemoteHasher } from "./pkg/tekser_wasm.js";

const ready = init();
let hasher = null;

self.onmessage = async (event) => {
  const message = event.data;
  try {
    await ready;
    if (message.type === "work") {
      hasher ??= new RemoteHasher();
      hasher.apply(message.work);
    } else if (message.type === "end") {
      self.postMessage({ type: "state", state: hasher.state() });
    }
  } catch (e) {
    self.postMessage({ type: "error", message: String(e?.message ?? e) });
  }
};
