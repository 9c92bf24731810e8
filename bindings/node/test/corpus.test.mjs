// The conformance corpus on the Node host (addon), sync and async: byte for byte.
// A failure names the host and the packet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const tekser = require("..");
const HOST = "node";
const corpus = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "tests", "corpus");
const manifest = JSON.parse(readFileSync(join(corpus, "manifest.json"), "utf8"));
const read = (rel) => readFileSync(join(corpus, rel));
const text = (rel) => readFileSync(join(corpus, rel), "utf8");

function optionsOf(c) {
  const options = { lang: c.lang ?? "all" };
  if (c.entity) options.entity = c.entity;
  if (c.max_findings !== undefined) options.maxFindings = c.max_findings;
  if (c.dictionaries) options.dictionaries = read(c.dictionaries);
  return options;
}

test("every corpus case, synchronously", () => {
  for (const c of manifest.cases) {
    const where = `host ${HOST}: packet ${c.packet}`;
    if (c.error) {
      assert.throws(() => tekser.validate(read(c.packet), optionsOf(c)), (e) => e instanceof Error && e.code === c.error, where);
      continue;
    }
    const report = tekser.validate(read(c.packet), optionsOf(c));
    assert.equal(report.toCanonicalJSON(), text(c.report), `${where}: report differs from ${c.report}`);
    assert.equal(tekser.validateJson(text(c.packet), optionsOf(c)), text(c.report), `${where}: string input`);
    assert.deepEqual(JSON.parse(JSON.stringify(report)), JSON.parse(text(c.report)), `${where}: toJSON`);
    const codes = new Set(report.findings.map((f) => f.code));
    for (const t of c.triggers) assert.ok(codes.has(t), `${where}: expected finding ${t} is missing`);
  }
});

test("every corpus case, asynchronously on the thread pool", async () => {
  await Promise.all(manifest.cases.map(async (c) => {
    const where = `host ${HOST}-async: packet ${c.packet}`;
    if (c.error) {
      await assert.rejects(tekser.validateAsync(read(c.packet), optionsOf(c)), (e) => e.code === c.error, where);
      return;
    }
    const report = await tekser.validateAsync(read(c.packet), optionsOf(c));
    assert.equal(report.toCanonicalJSON(), text(c.report), `${where}: report differs from ${c.report}`);
  }));
});

test("digest vectors, diffs, replies and datasets", () => {
  for (const group of manifest.digests) {
    const expected = JSON.parse(text(group.expected));
    for (const packet of group.packets) {
      for (const alg of Object.keys(expected.digest)) {
        const list = tekser.digestList(read(packet), { alg });
        assert.equal(list.digest, expected.digest[alg], `host ${HOST}: packet ${packet}: ${alg} digest`);
        assert.equal(list.root, expected.root[alg], `host ${HOST}: packet ${packet}: ${alg} root`);
        assert.equal(tekser.digest(text(packet), { alg }), expected.digest[alg]);
      }
      assert.deepEqual(tekser.digestList(read(packet)).records, expected.records);
    }
  }
  for (const diff of manifest.diffs) {
    if (diff.packets) {
      assert.equal(tekser.comparePacketsJson(read(diff.ours), text(diff.theirs)), text(diff.expected), `host ${HOST}: diff ${diff.expected}`);
      assert.deepEqual(tekser.comparePackets(read(diff.ours), read(diff.theirs)), JSON.parse(text(diff.expected)));
      continue;
    }
    const ours = tekser.digestListJson(read(diff.ours));
    const theirs = tekser.digestList(read(diff.theirs));
    assert.deepEqual(tekser.compareDigests(ours, theirs), JSON.parse(text(diff.expected)), `host ${HOST}: diff ${diff.expected}`);
  }
  for (const r of manifest.replies) {
    assert.equal(tekser.reply(read(r.packet), { format: r.format, repliedAt: r.replied_at }), text(r.reply), `host ${HOST}: reply ${r.reply}`);
  }
  for (const d of manifest.datasets) {
    const packets = d.packets.map((label) => ({ label, data: read(label) }));
    assert.equal(tekser.validateDatasetJson(packets, { lang: "all" }), text(d.report), `host ${HOST}: dataset ${d.name}`);
  }
});

test("every hostile case (tests/hostile), streamed and whole", async () => {
  const { runCases } = await import("../../../tests/hostile/cases.mjs");
  const { loadHostile } = await import("../../../tests/hostile/load.mjs");
  const failures = [];
  const cases = loadHostile();
  runCases(cases, { PacketValidator: tekser.PacketValidator, validateJson: tekser.validateJson, kind: "code" },
    (ok, message) => ok || failures.push(`host ${HOST}: ${message}`));
  assert.deepEqual(failures, [], `${failures.length} hostile runs failed`);
  assert.ok(cases.length >= 50, "the hostile manifest has its cases");
});

test("properties on generated packets (tests/hostile/properties.mjs)", async () => {
  const { runProperties } = await import("../../../tests/hostile/properties.mjs");
  const { loadValidPackets } = await import("../../../tests/hostile/load.mjs");
  const failures = [];
  let checks = 0;
  runProperties({ api: tekser, valid: loadValidPackets(),
    check: (ok, message) => { checks++; if (!ok) failures.push(`host ${HOST}: ${message}`); } });
  assert.deepEqual(failures, [], `${failures.length} property checks failed`);
  assert.ok(checks >= 64 * 5, `${checks} property checks ran`);
});

// The signature stage (tests/eds): every case's report byte for byte, as on every host.
test("every signature case", async () => {
  const { pathsOf, runSignatureCases } = await import("../../../tests/eds/cases.mjs");
  const eds = join(corpus, "..", "eds");
  const cases = JSON.parse(readFileSync(join(eds, "cases.json"), "utf8")).cases;
  const files = Object.fromEntries(pathsOf(cases).map((p) => [p, readFileSync(join(eds, p))]));
  const failures = [];
  const ran = runSignatureCases(cases, files, tekser, (ok, message) => ok || failures.push(message), HOST);
  assert.deepEqual(failures, []);
  assert.equal(ran, cases.length);
  const report = tekser.verify(files[cases[0].xml], { anchors: "test", at: "01.06.2020 10:00", lang: "en" });
  assert.equal(report.signatures[0].signer.iin, "123456789011");
  assert.throws(() => tekser.verify(files[cases[0].xml], { anchors: "nowhere" }), (e) => e.code === "option" && e.name === "TekserError");
  assert.throws(() => tekser.verify(files[cases[0].xml], { anchors: "test", at: "tomorrow" }), (e) => e.code === "time");
});
