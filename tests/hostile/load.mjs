// Loads tests/hostile/manifest.json for a JavaScript host in Node: file cases get their
// bytes, report cases their expected report's text.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const hostileDir = dirname(fileURLToPath(import.meta.url));

/** The cases, ready for cases.mjs's runCases. */
export function loadHostile() {
  const manifest = JSON.parse(readFileSync(join(hostileDir, "manifest.json"), "utf8"));
  return manifest.cases.map((c) => ({
    ...c,
    bytes: c.file ? new Uint8Array(readFileSync(join(hostileDir, c.file))) : undefined,
    expectedReport: c.report ? readFileSync(join(hostileDir, c.report), "utf8") : undefined,
  }));
}

/** The valid corpus packet of every entity, as JSON texts (for properties.mjs). */
export function loadValidPackets() {
  const corpus = join(hostileDir, "..", "corpus");
  return ["plan_item", "lot", "announcement", "contract", "participant", "result", "unreliable_supplier", "legal_act"]
    .map((entity) => readFileSync(join(corpus, entity, "valid.json"), "utf8"));
}
