// Copies the addon cargo built (target/<profile>/libtekser_node.so|.dylib, tekser_node.dll)
// to bindings/node/tekser.node, where index.js loads it. Usage: node scripts/copy-addon.mjs release|debug
import { copyFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const profile = process.argv[2] ?? "release";
const target = process.env.CARGO_TARGET_DIR ?? join(here, "..", "..", "..", "target");
const names = { linux: "libtekser_node.so", darwin: "libtekser_node.dylib", win32: "tekser_node.dll" };
const built = join(target, profile, names[process.platform] ?? names.linux);
if (!existsSync(built)) {
  console.error(`copy-addon: ${built} not found; run cargo build -p tekser-node first`);
  process.exit(1);
}
copyFileSync(built, join(here, "..", "tekser.node"));
console.log(`copy-addon: ${built} -> bindings/node/tekser.node`);
