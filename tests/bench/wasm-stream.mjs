// The wasm package in Node, as a page would use it: a file streamed in chunks through a
// PacketValidator. Used by `cargo xtask bench`. Run: node tests/bench/wasm-stream.mjs FILE
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tekser = require(join(root, "target", "wasm-pkg", "node", "tekser_wasm.js"));

const validator = new tekser.PacketValidator({ lang: "ru" });
for await (const chunk of createReadStream(process.argv[2], { highWaterMark: 256 * 1024 })) validator.push(chunk);
const report = JSON.parse(validator.finishJson());
console.log(`${report.status}: ${report.record_count} records, ${report.errors} errors`);
