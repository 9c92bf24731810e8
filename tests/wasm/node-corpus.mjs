// The conformance corpus on the wasm host in Node: every case of tests/corpus/manifest.json
// through the WebAssembly package (target/wasm-pkg, built by `cargo xtask build-wasm`)
// must give the expected bytes: reports, digests, per-record diffs, replies, datasets.
// A failure names the host and the packet. Run: node tests/wasm/node-corpus.mjs
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pathsOf, runSignatureCases } from "../eds/cases.mjs";
import { runCases } from "../hostile/cases.mjs";
import { loadHostile, loadValidPackets } from "../hostile/load.mjs";
import { runProperties } from "../hostile/properties.mjs";

const HOST = "wasm-node";
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const corpus = join(root, "tests", "corpus");
const require = createRequire(import.meta.url);
const tekser = require(join(root, "target", "wasm-pkg", "node", "tekser_wasm.js"));
const manifest = JSON.parse(readFileSync(join(corpus, "manifest.json"), "utf8"));
const read = (rel) => readFileSync(join(corpus, rel));
const text = (rel) => readFileSync(join(corpus, rel), "utf8");

const failures = [];
let passed = 0;
const check = (ok, message) => (ok ? passed++ : failures.push(`host ${HOST}: ${message}`));

// Reports (and API errors) of every case; bytes and strings must both work.
for (const c of manifest.cases) {
  const options = { lang: c.lang ?? "all" };
  if (c.entity) options.entity = c.entity;
  if (c.max_findings !== undefined) options.maxFindings = c.max_findings;
  if (c.dictionaries) options.dictionaries = read(c.dictionaries);
  const bytes = read(c.packet);
  try {
    const report = tekser.validateJson(bytes, options);
    if (c.error) {
      check(false, `packet ${c.packet}: expected error ${c.error}, got a report`);
      continue;
    }
    check(report === text(c.report), `packet ${c.packet}: report differs from ${c.report}`);
    const object = tekser.validate(bytes, options);
    const codes = new Set(object.findings.map((f) => f.code));
    for (const t of c.triggers) check(codes.has(t), `packet ${c.packet}: expected finding ${t} is missing`);
  } catch (e) {
    check(c.error !== undefined && e.kind === c.error && e instanceof Error && e.name === "TekserError",
      `packet ${c.packet}: ${c.error ? `expected error ${c.error}` : "unexpected error"}, got ${e.kind}: ${e.message}`);
  }
  // The streaming validator: the same report (or error kind) for chunks of 7 and 4096 bytes.
  for (const size of [7, 4096]) {
    let outcome;
    try {
      const validator = new tekser.PacketValidator(options);
      for (let at = 0; at < bytes.length; at += size) validator.push(bytes.subarray(at, at + size));
      outcome = validator.finishJson();
    } catch (e) {
      outcome = `error ${e.kind}`;
    }
    const expected = c.error ? `error ${c.error}` : text(c.report);
    check(outcome === expected, `packet ${c.packet}: PacketValidator in chunks of ${size} gives ${outcome.slice(0, 60)}`);
  }
  // hashElsewhere: the packet digest hashed by a RemoteHasher (here in the same worker;
  // tests/bench/wasm-stream.mjs --hash-worker runs it on a second one), the same report.
  {
    let outcome;
    try {
      const validator = new tekser.PacketValidator({ ...options, hashElsewhere: true });
      const hasher = new tekser.RemoteHasher();
      let handed = false;
      for (let at = 0; at < bytes.length; at += 4096) {
        validator.push(bytes.subarray(at, at + 4096));
        const work = validator.takeHashWork();
        if (work) {
          hasher.apply(work);
          handed = true;
        }
      }
      const work = validator.takeHashWork();
      if (work) hasher.apply(work);
      outcome = handed || work ? validator.finishJsonWithHasher(hasher.state()) : validator.finishJson();
    } catch (e) {
      outcome = `error ${e.kind}`;
    }
    const expected = c.error ? `error ${c.error}` : text(c.report);
    check(outcome === expected, `packet ${c.packet}: PacketValidator with hashElsewhere gives ${outcome.slice(0, 60)}`);
  }
  // checkElsewhere: the records checked by two RecordCheckers in turn (here in the same
  // worker, what they found merged two works late; tests/bench/wasm-stream.mjs
  // --check-workers runs them on workers), the same report or error. In chunks of 4096
  // the work and what was found are written into buffers that go round (`into`); in
  // chunks of 7 into buffers too small for them (then into new arrays).
  for (const size of [7, 4096]) {
    let outcome;
    try {
      const validator = new tekser.PacketValidator({ ...options, checkElsewhere: true });
      const checkers = [new tekser.RecordChecker(), new tekser.RecordChecker()];
      const late = [];
      const spare = [];
      const buffer = () => spare.pop() ?? new Uint8Array(size === 7 ? 16 : 1 << 20);
      let taken = 0;
      const hand = (keep) => {
        for (;;) {
          const into = buffer();
          const work = validator.takeCheckWork(into);
          if (work) late.push(checkers[taken++ % 2].check(work, buffer()));
          // The work is checked (copied in): its buffer is free again.
          spare.push(into);
          if (!work) break;
        }
        while (late.length > keep) {
          const found = late.shift();
          validator.mergeChecked(found);
          spare.push(new Uint8Array(found.buffer));
        }
      };
      for (let at = 0; at < bytes.length && !validator.stopped; at += size) {
        validator.push(bytes.subarray(at, at + size));
        hand(2);
      }
      validator.endInput();
      hand(0);
      outcome = validator.finishJson();
    } catch (e) {
      outcome = `error ${e.kind}`;
    }
    const expected = c.error ? `error ${c.error}` : text(c.report);
    check(outcome === expected, `packet ${c.packet}: PacketValidator with checkElsewhere in chunks of ${size} gives ${outcome.slice(0, 60)}`);
  }
  // hashOutside: the packet digest hashed by node:crypto, with the records checked here
  // and elsewhere: the same report or error.
  for (const checkElsewhere of [false, true]) {
    let outcome;
    try {
      const validator = new tekser.PacketValidator({ ...options, hashOutside: true, checkElsewhere });
      const checker = new tekser.RecordChecker();
      const sha = createHash("sha256");
      const feed = () => {
        for (let work = validator.takeCheckWork(); work; work = validator.takeCheckWork()) {
          for (const part of validator.mergeChecked(checker.check(work))) sha.update(part);
        }
        const bytes = validator.takeHashBytes();
        if (bytes) sha.update(bytes);
      };
      for (let at = 0; at < bytes.length && !validator.stopped; at += 4096) {
        validator.push(bytes.subarray(at, at + 4096));
        feed();
      }
      validator.endInput();
      feed();
      sha.update(validator.endHashing());
      outcome = validator.finishJsonWithDigest(sha.digest("hex"));
    } catch (e) {
      outcome = `error ${e.kind}`;
    }
    const expected = c.error ? `error ${c.error}` : text(c.report);
    check(outcome === expected, `packet ${c.packet}: PacketValidator with hashOutside (checkElsewhere ${checkElsewhere}) gives ${outcome.slice(0, 60)}`);
  }
}

// Check work that was taken and not merged back is an error, not a report without it;
// bytes that are not check work are refused.
{
  const validator = new tekser.PacketValidator({ checkElsewhere: true });
  validator.push(readFileSync(join(root, "examples", "plan_item.json")));
  validator.endInput();
  const work = validator.takeCheckWork();
  check(work instanceof Uint8Array, "takeCheckWork gives the last work after endInput");
  let kind;
  try {
    validator.finishJson();
  } catch (e) {
    kind = e.kind;
  }
  check(kind === "read", `finishJson with work not merged: expected error read, got ${kind}`);
  let refused;
  try {
    new tekser.RecordChecker().check(new TextEncoder().encode('{"records": []}'));
  } catch (e) {
    refused = e.kind;
  }
  check(refused === "read", `RecordChecker.check of a packet: expected error read, got ${refused}`);
}

// A record longer than maxRecordBytes is an error of kind too_large, streamed or not.
{
  const example = readFileSync(join(root, "examples", "plan_item.json"));
  let whole;
  try {
    tekser.validateJson(example, { maxRecordBytes: 200 });
  } catch (e) {
    whole = e.kind;
  }
  check(whole === "too_large", `validateJson with maxRecordBytes 200: expected too_large, got ${whole}`);
  let streamed;
  try {
    const validator = new tekser.PacketValidator({ maxRecordBytes: 200 });
    for (let at = 0; at < example.length; at += 7) validator.push(example.subarray(at, at + 7));
    validator.finishJson();
  } catch (e) {
    streamed = e.kind;
  }
  check(streamed === "too_large", `PacketValidator with maxRecordBytes 200: expected too_large, got ${streamed}`);
}

// hashOutside without the digest given back is an error, not a report without a digest.
{
  const validator = new tekser.PacketValidator({ hashOutside: true });
  validator.push(readFileSync(join(root, "examples", "plan_item.json")));
  check(validator.takeHashBytes() instanceof Uint8Array, "takeHashBytes gives the first bytes");
  let kind;
  try {
    validator.finishJson();
  } catch (e) {
    kind = e.kind;
  }
  check(kind === "read", `finishJson without the outside digest: expected error read, got ${kind}`);
}

// A hasher that went to the other worker and did not come back is an error, not a wrong digest.
{
  const validator = new tekser.PacketValidator({ hashElsewhere: true });
  validator.push(readFileSync(join(root, "examples", "plan_item.json")));
  check(validator.takeHashWork() instanceof Uint8Array, "takeHashWork gives the first work");
  let kind;
  try {
    validator.finishJson();
  } catch (e) {
    kind = e.kind;
  }
  check(kind === "read", `finishJson without the hasher back: expected error read, got ${kind}`);
}

// Digest vectors: every form of a packet, every algorithm; the per-record list and root.
for (const group of manifest.digests) {
  const expected = JSON.parse(text(group.expected));
  for (const packet of group.packets) {
    for (const alg of Object.keys(expected.digest)) {
      const list = JSON.parse(tekser.digestListJson(read(packet), { alg }));
      check(list.digest === expected.digest[alg], `packet ${packet}: ${alg} digest differs from group ${group.name}`);
      check(list.root === expected.root[alg], `packet ${packet}: ${alg} root differs from group ${group.name}`);
      check(tekser.digest(text(packet), { alg }) === expected.digest[alg], `packet ${packet}: ${alg} digest of the string form differs`);
      if (alg === "sha256") {
        check(JSON.stringify(list.records) === JSON.stringify(expected.records.map(({ id, record, digest }) => ({ id, record, digest }))),
          `packet ${packet}: per-record digests differ`);
      }
    }
  }
}

// Per-record comparisons.
for (const diff of manifest.diffs) {
  if (diff.packets) {
    check(tekser.comparePackets(read(diff.ours), text(diff.theirs)) === text(diff.expected), `diff ${diff.expected}: comparison of the packets differs`);
    continue;
  }
  const ours = tekser.digestListJson(read(diff.ours), {});
  const theirs = tekser.digestListJson(read(diff.theirs), {});
  check(tekser.compareDigests(ours, theirs) === text(diff.expected), `diff ${diff.expected}: comparison differs`);
}

// Reply messages.
for (const r of manifest.replies) {
  check(tekser.reply(read(r.packet), { format: r.format, repliedAt: r.replied_at }) === text(r.reply), `packet ${r.packet}: reply differs from ${r.reply}`);
}

// Datasets.
for (const d of manifest.datasets) {
  const packets = d.packets.map((label) => ({ label, data: read(label) }));
  check(tekser.validateDatasetJson(packets, { lang: "all" }) === text(d.report), `dataset ${d.name}: report differs from ${d.report}`);
}

// The hostile corpus (tests/hostile): each case's report or error, streamed and whole.
const hostile = loadHostile();
runCases(hostile, { PacketValidator: tekser.PacketValidator, validateJson: tekser.validateJson, kind: "kind" }, check);
// Properties on generated packets (tests/hostile/properties.mjs).
runProperties({ api: tekser, check, valid: loadValidPackets() });

// The signature stage (tests/eds): every case's report byte for byte.
const edsDir = join(root, "tests", "eds");
const signatureCases = JSON.parse(readFileSync(join(edsDir, "cases.json"), "utf8")).cases;
const edsFiles = Object.fromEntries(pathsOf(signatureCases).map((p) => [p, new Uint8Array(readFileSync(join(edsDir, p)))]));
const signatureRuns = runSignatureCases(signatureCases, edsFiles, tekser, check, HOST);
try {
  tekser.verifyJson(edsFiles[signatureCases[0].xml], { anchors: "nowhere" });
  check(false, "unknown anchors did not throw");
} catch (e) {
  check(e.name === "TekserError" && e.kind === "option", `unknown anchors threw ${e}`);
}
check(tekser.verify(edsFiles[signatureCases[0].xml], { anchors: "test", at: "01.06.2020 10:00" }).signatures[0].signer.iin === "123456789011", "verify() returns the signer's IIN");

// The panic hook: a panic inside wasm reaches JS as an Error, and the module still works.
try {
  tekser.__panicForTests();
  check(false, "a panic inside wasm did not throw");
} catch (e) {
  check(e instanceof Error && /internal error/.test(e.message), `a panic became ${e}`);
}
check(tekser.validate(read("plan_item/valid.json"), {}).status === "accepted", "the module works after a panic");
for (const bad of [[42, {}], ["{}", { lang: "de" }], ["{}", "ru"], ["[]", { entity: "tenders" }]]) {
  try {
    tekser.validate(...bad);
    check(false, `${JSON.stringify(bad)} did not throw`);
  } catch (e) {
    check(e instanceof Error && e.name === "TekserError" && typeof e.kind === "string", `${JSON.stringify(bad)} threw ${e}`);
  }
}

for (const f of failures) console.error(f);
console.log(`host ${HOST}: ${passed} checks passed, ${failures.length} failed (${manifest.cases.length} cases, ${manifest.digests.length} digest groups, ${manifest.replies.length} replies, ${manifest.datasets.length} datasets, ${hostile.length} hostile cases, ${signatureRuns} signature cases)`);
process.exit(failures.length ? 1 : 0);
