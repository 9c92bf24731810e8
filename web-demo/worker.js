// Validates packets off the main thread, so that the page stays responsive on large files.
// Everything runs here, in this browser: the wasm module is loaded from this origin.
import init, { validateJson, locate, ruleSets, version } from "./pkg/tekser_wasm.js";

const ready = init();
let packet = null; // the bytes of the last packet, for "show the place"

self.onmessage = async (event) => {
  const message = event.data;
  try {
    await ready;
    if (message.type === "info") {
      self.postMessage({ type: "info", version: version(), ruleSets: ruleSets() });
    } else if (message.type === "validate") {
      packet = new Uint8Array(message.bytes);
      self.postMessage({ type: "progress", id: message.id, phase: "validating", size: packet.length });
      const started = performance.now();
      const reportJson = validateJson(packet, message.options);
      self.postMessage({ type: "report", id: message.id, reportJson, millis: performance.now() - started });
    } else if (message.type === "locate" && packet) {
      self.postMessage({ type: "place", id: message.id, path: message.path, place: locate(packet, message.path) });
    }
  } catch (e) {
    self.postMessage({ type: "error", id: message.id, kind: e.kind ?? "internal", message: String(e.message ?? e) });
  }
};
