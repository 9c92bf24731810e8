// The demo page in a real browser: Debian's Chromium (/usr/bin/chromium) driven by
// playwright-core, never a downloaded browser. For every corpus packet the test picks the
// file, waits for the verdict, reads the status and the findings table, downloads the
// report and compares it with the expected corpus report byte for byte. It also checks
// that no request leaves the page, that the CSP is never violated, that a click on a
// finding shows its place, and it keeps a screenshot in target/artifacts/.
// Run: node tests/browser/page.test.mjs  (after `cargo xtask build-wasm`)
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { loadHostile, loadValidPackets, hostileDir } from "../hostile/load.mjs";

const HOST = "wasm-chromium";
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const corpus = join(root, "tests", "corpus");
const edsDir = join(root, "tests", "eds");
const artifacts = join(root, "target", "artifacts");
mkdirSync(artifacts, { recursive: true });
const manifest = JSON.parse(readFileSync(join(corpus, "manifest.json"), "utf8"));

// The page's own server, on a free port.
const server = spawn(process.execPath, [join(root, "web-demo", "serve.mjs"), "0"], { stdio: ["ignore", "pipe", "inherit"] });
const origin = await new Promise((resolve, reject) => {
  server.stdout.on("data", (chunk) => {
    const m = /http:\/\/127\.0\.0\.1:\d+/.exec(String(chunk));
    if (m) resolve(m[0]);
  });
  server.on("exit", (code) => reject(new Error(`demo server exited with ${code}`)));
  setTimeout(() => reject(new Error("demo server did not start")), 10000);
});

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const failures = [];
let passed = 0;
const check = (ok, message) => (ok ? passed++ : failures.push(`host ${HOST}: ${message}`));

try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const outside = [];
  const cspViolations = [];
  // Chromium lets one tab start about ten downloads; a fresh tab every few packets keeps
  // the download of each report a plain user click.
  let page = null;
  const openPage = async (query = "") => {
    if (page) await page.close();
    page = await context.newPage();
    page.on("request", (r) => {
      const url = r.url();
      if (!url.startsWith(origin + "/") && !url.startsWith("blob:") && !url.startsWith("data:")) outside.push(url);
    });
    page.on("console", (m) => /Content Security Policy/i.test(m.text()) && cspViolations.push(m.text()));
    page.on("pageerror", (e) => failures.push(`host ${HOST}: page error: ${e.message}`));
    await page.goto(origin + "/" + query);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30000 });
    run = 0;
  };
  // Changing an option re-validates the current file (one more run); setting an unchanged
  // value is skipped, so that the test counts runs exactly.
  let run = 0;
  let current = null; // the packet the page has
  await openPage();
  const select = async (id, value) => {
    if ((await page.inputValue(id)) === value) return;
    const hasFile = await page.$eval("#file", (input) => input.files.length > 0);
    await page.selectOption(id, value);
    if (hasFile) {
      run += 1;
      await page.waitForSelector(`#status[data-run="${run}"]`, { timeout: 30000 });
    }
  };
  // The page has no dictionary-file or findings-limit input.
  const cases = manifest.cases.filter((c) => !c.dictionaries && c.max_findings === undefined);
  for (const [i, c] of cases.entries()) {
    if (i > 0 && i % 8 === 0) {
      await openPage();
      current = null;
    }
    if (process.env.TEKSER_DEBUG) console.log(c.packet, c.lang ?? "all", c.entity ?? "");
    await select("#lang", c.lang ?? "all");
    await select("#entity", c.entity ?? "");
    // Picking the file already picked fires no change event: the option change above
    // has re-validated it.
    if (c.packet !== current) {
      run += 1;
      await page.setInputFiles("#file", join(corpus, c.packet));
      await page.waitForSelector(`#status[data-run="${run}"]`, { timeout: 30000 });
      current = c.packet;
    }
    const state = await page.getAttribute("#status", "data-state");
    if (c.error) {
      const shown = await page.textContent("#error");
      check(state === "error" && shown.startsWith(c.error + ":"), `packet ${c.packet}: expected error ${c.error}, page shows ${state}: ${shown}`);
      continue;
    }
    const expected = readFileSync(join(corpus, c.report), "utf8");
    const report = JSON.parse(expected);
    check(state === report.status, `packet ${c.packet}: page shows ${state}, expected ${report.status}`);
    const codes = await page.$$eval("#findings tbody tr td:first-child", (cells) => cells.map((td) => td.textContent));
    check(JSON.stringify(codes) === JSON.stringify(report.findings.map((f) => f.code)),
      `packet ${c.packet}: findings table ${JSON.stringify(codes)} differs from the report`);
    check((await page.textContent("#digest")) === (report.digest ?? "—"), `packet ${c.packet}: digest shown differs`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const bytes = readFileSync(await download.path(), "utf8");
    check(bytes === expected, `packet ${c.packet}: downloaded report differs from ${c.report}`);
  }

  // A signed packet: the page shows the signature section with the signer and the result.
  // Its local test CA is not among the page's anchors: the packet's data is accepted, the
  // signature is not (untrusted), so the packet is refused.
  await select("#lang", "en");
  await select("#entity", "");
  await select("#anchors", "test");
  run += 1;
  await page.setInputFiles("#file", join(edsDir, "local", "plan_item.signed.xml"));
  await page.waitForSelector(`#status[data-run="${run}"]`);
  check((await page.getAttribute("#status", "data-state")) === "rejected", "a signed packet with an untrusted signer is refused");
  check(!(await page.$eval("#signature", (s) => s.hidden)), "the signature section is shown");
  const signatureRow = await page.$$eval("#signatures tbody tr td", (cells) => cells.map((td) => td.textContent));
  check(signatureRow[1] === "invalid" && signatureRow[3].includes("ИИН 123456789011") && signatureRow[3].includes("БИН 081140000436")
    && signatureRow[4] === "rsa-sha256" && signatureRow[6].includes("certificate.untrusted"),
    `the signature row shows the signer and the result: ${JSON.stringify(signatureRow)}`);
  // An NCA RK test signature that is valid at the time given: the section says valid.
  await page.fill("#signature-at", "01.06.2020 10:00");
  run += 1;
  await page.setInputFiles("#file", join(edsDir, "xml", "rsa_personal_sign_2020.xml"));
  await page.waitForSelector(`#status[data-run="${run}"]`);
  check((await page.getAttribute("#signature", "data-state")) === "accepted", "a valid NCA RK test signature is shown valid");
  await page.fill("#signature-at", "");
  await page.setInputFiles("#file", []);
  current = null;

  // A click on a finding shows its place in the packet.
  await select("#entity", "");
  run += 1;
  await page.setInputFiles("#file", join(root, "examples", "plan_item_three_findings.json"));
  await page.waitForSelector(`#status[data-run="${run}"]`);
  await page.click("#findings tbody tr:nth-child(3)");
  await page.waitForSelector("#place:not([hidden]) mark");
  const marked = await page.textContent("#place-text mark");
  check(/"sum": "28980.00"/.test(marked), `a click on plan.sum_mismatch marks ${JSON.stringify(marked)}`);
  await page.screenshot({ path: join(artifacts, "web-demo.png"), fullPage: true });

  // A large packet is validated in the worker: the progress indicator shows and the page
  // keeps answering while it runs.
  const base = JSON.parse(readFileSync(join(corpus, "plan_item", "valid.json"), "utf8"));
  const record = base.records[0];
  const hex = (n) => n.toString(16).padStart(12, "0");
  base.records = Array.from({ length: 20000 }, (_, n) => ({ ...record, id: `${record.id.slice(0, 24)}${hex(n)}` }));
  const big = Buffer.from(JSON.stringify(base));
  run += 1;
  await page.setInputFiles("#file", { name: "big.json", mimeType: "application/json", buffer: big });
  await page.waitForSelector("#progress-box:not([hidden])", { timeout: 30000 });
  const t0 = Date.now();
  await page.evaluate(() => document.title.length);
  const answerMillis = Date.now() - t0;
  await page.waitForSelector(`#status[data-run="${run}"]`, { timeout: 120000 });
  const bigStatus = await page.textContent("#status");
  check((await page.getAttribute("#status", "data-state")) === "accepted" && bigStatus.includes("20000"),
    `the 20 000-record packet (${big.length} bytes): ${bigStatus}`);
  check(answerMillis < 1000, `the page took ${answerMillis} ms to answer while validating`);
  // Its digest was hashed on the second worker (hash-worker.js): the same as in one piece.
  const wasm = createRequire(import.meta.url)(join(root, "target", "wasm-pkg", "node", "tekser_wasm.js"));
  const shown = (await page.textContent("#digest")).trim();
  check(shown === wasm.digest(big), `the large packet's digest on the page ${shown} differs from digest()`);
  console.log(`host ${HOST}: ${big.length} bytes, 20 000 records: ${bigStatus} (page answered in ${answerMillis} ms meanwhile)`);

  // The same packet with its records checked on two checker workers (check-worker.js;
  // by default only machines with four cores or more use them): the same verdict, count
  // and digest.
  await openPage("?checkers=2");
  run += 1;
  await page.setInputFiles("#file", { name: "big.json", mimeType: "application/json", buffer: big });
  await page.waitForSelector(`#status[data-run="${run}"]`, { timeout: 120000 });
  const checkedStatus = await page.textContent("#status");
  // The status ends with the time taken: the rest must be the same.
  const untimed = (status) => status.replace(/\(\d+ [^)]*\)\.?$/, "");
  check(untimed(checkedStatus) === untimed(bigStatus), `the large packet on checker workers: ${checkedStatus}, not ${bigStatus}`);
  const checkedDigest = (await page.textContent("#digest")).trim();
  check(checkedDigest === shown, `the large packet's digest on checker workers ${checkedDigest} differs from ${shown}`);
  console.log(`host ${HOST}: the same packet on two checker workers: ${checkedStatus}`);
  // Again: the checker workers stay from one file to the next, with the same result.
  await page.setInputFiles("#file", []);
  run += 1;
  await page.setInputFiles("#file", { name: "big-again.json", mimeType: "application/json", buffer: big });
  await page.waitForSelector(`#status[data-run="${run}"]`, { timeout: 120000 });
  const againStatus = await page.textContent("#status");
  check(untimed(againStatus) === untimed(bigStatus), `the large packet again on checker workers: ${againStatus}`);
  check((await page.textContent("#digest")).trim() === shown, "the large packet's digest again on checker workers");
  await openPage();

  // Pasting works too, and an unusable text gives an error, not a crash.
  await page.click("#paste-box summary");
  await page.fill("#paste", "<packet><header></packet>");
  run += 1;
  await page.click("#check-paste");
  await page.waitForSelector(`#status[data-run="${run}"]`);
  check((await page.getAttribute("#status", "data-state")) === "error", "malformed pasted XML is reported as an error");

  // The hostile corpus (tests/hostile) through the web package on the page's main thread:
  // cases.mjs is served at the page's origin (the CSP allows only its own scripts), each
  // case generated in the page chunk by chunk. Then a panic inside wasm: an Error, and the
  // module still works.
  for (const name of ["cases.mjs", "properties.mjs"]) {
    await page.route(`${origin}/hostile/${name}`, (route) =>
      route.fulfill({ contentType: "text/javascript", body: readFileSync(join(hostileDir, name), "utf8") }));
  }
  const hostile = loadHostile().map((c) => ({ ...c, bytes: c.bytes ? Buffer.from(c.bytes).toString("base64") : undefined }));
  const inPage = await page.evaluate(async ({ cases, valid }) => {
    const { runCases } = await import("/hostile/cases.mjs");
    const { runProperties } = await import("/hostile/properties.mjs");
    const wasm = await import("/pkg/tekser_wasm.js");
    await wasm.default();
    const results = [];
    const decoded = cases.map((c) => ({ ...c, bytes: c.bytes ? Uint8Array.from(atob(c.bytes), (ch) => ch.charCodeAt(0)) : undefined }));
    runCases(decoded, { PacketValidator: wasm.PacketValidator, validateJson: wasm.validateJson, kind: "kind" },
      (ok, message) => results.push([ok, message]));
    runProperties({ api: wasm, valid, check: (ok, message) => results.push([ok, message]) });
    let panic = "no error";
    try {
      wasm.__panicForTests();
    } catch (e) {
      panic = e instanceof Error && /internal error/.test(e.message) ? "internal error" : String(e);
    }
    const after = wasm.validate(new TextEncoder().encode("[]"), { entity: "legal_act" }).status;
    return { results, panic, after };
  }, { cases: hostile, valid: loadValidPackets() });
  for (const [ok, message] of inPage.results) check(ok, message);
  check(inPage.results.length >= hostile.length, `hostile cases ran: ${inPage.results.length} runs for ${hostile.length} cases`);
  check(inPage.panic === "internal error", `a panic inside wasm in the page became: ${inPage.panic}`);
  check(inPage.after === "accepted", `the module in the page after a panic: ${inPage.after}`);
  console.log(`host ${HOST}: ${hostile.length} hostile cases and the properties, ${inPage.results.length} checks in the page`);

  // The signature cases (tests/eds) through the web package in the page, byte for byte.
  await page.route(`${origin}/eds/cases.mjs`, (route) =>
    route.fulfill({ contentType: "text/javascript", body: readFileSync(join(edsDir, "cases.mjs"), "utf8") }));
  const signatureCases = JSON.parse(readFileSync(join(edsDir, "cases.json"), "utf8")).cases;
  const { pathsOf } = await import("../eds/cases.mjs");
  const edsFiles = Object.fromEntries(pathsOf(signatureCases).map((p) => [p, readFileSync(join(edsDir, p)).toString("base64")]));
  const signed = await page.evaluate(async ({ cases, files, host }) => {
    const { runSignatureCases } = await import("/eds/cases.mjs");
    const wasm = await import("/pkg/tekser_wasm.js");
    await wasm.default();
    const bytes = Object.fromEntries(Object.entries(files).map(([p, b]) => [p, Uint8Array.from(atob(b), (ch) => ch.charCodeAt(0))]));
    const results = [];
    const ran = runSignatureCases(cases, bytes, wasm, (ok, message) => results.push([ok, message]), host);
    return { results, ran };
  }, { cases: signatureCases, files: edsFiles, host: HOST });
  for (const [ok, message] of signed.results) check(ok, message);
  check(signed.ran === signatureCases.length, `signature cases ran in the page: ${signed.ran} of ${signatureCases.length}`);
  console.log(`host ${HOST}: ${signed.ran} signature cases in the page`);

  check(outside.length === 0, `requests left the page: ${outside.join(", ")}`);
  check(cspViolations.length === 0, `CSP violations: ${cspViolations.join(" | ")}`);
  console.log(`host ${HOST}: ${cases.length} corpus packets through the page in Chromium ${browser.version()}`);
} finally {
  await browser.close();
  server.kill();
}

for (const f of failures) console.error(f);
console.log(`host ${HOST}: ${passed} checks passed, ${failures.length} failed; screenshot in target/artifacts/web-demo.png`);
process.exit(failures.length ? 1 : 0);
