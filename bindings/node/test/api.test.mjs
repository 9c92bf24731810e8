// The Node API: report objects, errors with codes, async and concurrency, no panics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createReadStream, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const tekser = require("..");
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const example = readFileSync(join(root, "examples", "plan_item.json"));
const three = readFileSync(join(root, "examples", "plan_item_three_findings.json"));

test("a report is an object with accepted, findings, toJSON and the canonical JSON", () => {
  const report = tekser.validate(three, { lang: "en" });
  assert.equal(report.accepted, false);
  assert.equal(report.status, "rejected");
  assert.deepEqual(report.findings.map((f) => f.code), ["bin.checksum", "dictionary.unknown_code", "plan.sum_mismatch"]);
  assert.equal(report.findings[1].suggestion, "openTender");
  assert.equal(report.findings[0].record, 0);
  assert.match(report.digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(report.engine, `tekser ${tekser.version()}`);
  assert.ok(report instanceof tekser.Report);
  assert.deepEqual(JSON.parse(JSON.stringify(report)), JSON.parse(report.toCanonicalJSON()));
  assert.ok(!Object.keys(report).includes("canonicalJson"));
  assert.equal(tekser.validate(example).accepted, true);
  assert.equal(tekser.validate(example.toString("utf8")).toCanonicalJSON(), tekser.validateJson(example));
});

test("errors are Errors with the core's kind as code and its fields", () => {
  const cases = [
    [Buffer.from(""), "empty", {}],
    [Buffer.from([0xff, 0x7b]), "invalid_utf8", { offset: 0 }],
    ['{"a": \n', "json", { line: 2 }],
    ["<packet><header></packet>", "xml", {}],
    ['<!DOCTYPE p [<!ENTITY e "x">]><p/>', "xml_doctype", { offset: 0 }],
    ['"x"', "not_a_packet", { found: "string" }],
    ["[]", "entity_not_named", {}],
  ];
  for (const [input, code, fields] of cases) {
    assert.throws(() => tekser.validate(input), (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.name, "TekserError");
      assert.equal(e.code, code);
      for (const [k, v] of Object.entries(fields)) assert.equal(e[k], v);
      return true;
    });
  }
  // The unknown name is in the message: a field called `name` would hide the Error's own.
  assert.throws(() => tekser.validate("[]", { entity: "lots" }), (e) => e.code === "unknown_entity" && e.name === "TekserError" && /"lots"/.test(e.message));
  assert.throws(() => tekser.validate(example, { ruleSet: "eoz-2030" }), (e) => e.code === "unknown_rule_set");
  assert.throws(() => tekser.validate(example, { lang: "de" }), (e) => e.code === "usage");
  assert.throws(() => tekser.digest(example, { alg: "md5" }), (e) => e.code === "unknown_algorithm");
  assert.throws(() => tekser.validate(42), (e) => e instanceof Error);
  assert.throws(() => tekser.__panicForTests(), (e) => e.code === "internal" && /internal error/.test(e.message));
  assert.equal(tekser.validate(example).accepted, true, "the addon works after a panic");
});

test("options: languages, entity, dictionaries", () => {
  const kk = tekser.validate(three, { lang: "kk" }).findings[0].message;
  const ru = tekser.validate(three).findings[0].message;
  assert.notEqual(kk, ru);
  assert.ok(tekser.validate(three, { lang: "all" }).findings[0].messages.en);
  const agreed = readFileSync(join(root, "tests", "corpus", "contract", "currency-agreed.json"));
  const file = readFileSync(join(root, "tests", "corpus", "dictionaries", "agreement.json"));
  assert.equal(tekser.validate(agreed).accepted, false);
  assert.equal(tekser.validate(agreed, { dictionaries: file }).accepted, true);
  assert.throws(() => tekser.validate(agreed, { dictionaries: "{}" }), (e) => e.code === "dictionary_file");
});

test("many async validations at once give the same reports as sync ones, and the loop stays free", async () => {
  const packets = [example, three, readFileSync(join(root, "examples", "plan_item.xml"))];
  const expected = packets.map((p) => tekser.validateJson(p, { lang: "all" }));
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const jobs = Array.from({ length: 300 }, (_, i) => tekser.validateAsync(packets[i % 3], { lang: "all" }));
  const reports = await Promise.all(jobs);
  clearInterval(timer);
  reports.forEach((r, i) => assert.equal(r.toCanonicalJSON(), expected[i % 3]));
  // A large packet validated asynchronously does not block timers.
  const big = JSON.parse(example.toString("utf8"));
  const record = big.records[0];
  big.records = Array.from({ length: 20000 }, (_, n) => ({ ...record, id: record.id.slice(0, 24) + n.toString(16).padStart(12, "0") }));
  let during = 0;
  const interval = setInterval(() => during++, 5);
  const started = Date.now();
  const report = await tekser.validateAsync(Buffer.from(JSON.stringify(big)));
  const millis = Date.now() - started;
  clearInterval(interval);
  assert.equal(report.record_count, 20000);
  assert.ok(during >= Math.floor(millis / 50), `timers ran ${during} times in ${millis} ms`);
});

test("files and streams are validated chunk by chunk with the same report", async () => {
  const path = join(root, "tests", "corpus", "plan_item", "max-findings.xml");
  const options = { maxFindings: 5, lang: "all" };
  const expected = tekser.validate(readFileSync(path), options).toCanonicalJSON();
  assert.equal((await tekser.validateFile(path, options)).toCanonicalJSON(), expected);
  const trickle = createReadStream(path, { highWaterMark: 7 });
  assert.equal((await tekser.validateStream(trickle, options)).toCanonicalJSON(), expected);
  const validator = new tekser.PacketValidator(options);
  for (const part of [readFileSync(path).subarray(0, 100), readFileSync(path).subarray(100)]) validator.push(part);
  assert.equal(validator.bytesRead, readFileSync(path).length);
  assert.equal(validator.finishJson(), expected);
  assert.throws(() => validator.finishJson(), (e) => e.code === "usage");
  const omitted = JSON.parse(expected).omitted;
  assert.deepEqual(omitted, { "bin.checksum": 2, "mkei.format": 2, "url.format": 3 });
  await assert.rejects(tekser.validateFile(join(root, "no", "such.json")), (e) => e.code === "read");
  const broken = new tekser.PacketValidator();
  assert.throws(() => broken.push("{\"records\": [1 2]"), (e) => e.code === "json" && e.line === 1);
});

test("a record longer than maxRecordBytes is refused", async () => {
  const path = join(root, "examples", "plan_item.json");
  assert.equal(tekser.validate(readFileSync(path)).accepted, true);
  assert.throws(() => tekser.validate(readFileSync(path), { maxRecordBytes: 200 }), (e) => e.code === "too_large");
  await assert.rejects(tekser.validateFile(path, { maxRecordBytes: 200 }), (e) => e.code === "too_large");
  assert.throws(() => tekser.validate(readFileSync(path), { maxRecordBytes: 1.5 }), (e) => e.code === "usage");
});

test("digests, replies, datasets, rule sets", () => {
  const xml = readFileSync(join(root, "examples", "plan_item.xml"));
  for (const alg of ["sha256", "streebog256", "streebog512", "gost34311"]) {
    assert.equal(tekser.digest(example, { alg }), tekser.digest(xml, { alg }));
  }
  assert.equal(tekser.canonicalForm(example), tekser.canonicalForm(xml));
  const list = tekser.digestList(example);
  assert.equal(tekser.compareDigests(list, list).same, true);
  assert.throws(() => tekser.compareDigests("{}", list), (e) => e.code === "digest_list");
  assert.equal(JSON.parse(tekser.reply(three)).status, "error");
  assert.match(tekser.reply(example, { format: "xml" }), /<status>accepted<\/status>/);
  const dir = join(root, "tests", "corpus", "dataset", "lot-missing-announcement");
  const packets = ["plan_item", "lot", "result", "contract"].map((e) => ({ label: `${e}.json`, data: readFileSync(join(dir, `${e}.json`)) }));
  const dataset = tekser.validateDataset(packets, { lang: "en" });
  assert.equal(dataset.status, "rejected");
  assert.equal(dataset.findings[0].code, "dataset.reference_missing");
  assert.equal(tekser.ruleSets()[0].name, "eoz-2019");
});
