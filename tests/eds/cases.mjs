// The signature cases (tests/eds/cases.json) for the JavaScript hosts (wasm in Node and in
// Chromium, the Node addon): each case's options in the JS spelling and its report compared
// byte for byte with tests/eds/expected/<id>.json, as core/tests/signatures.rs does. No
// imports: the browser test loads this file into the page as it is; `files` maps each path
// of the cases (relative to tests/eds) to its bytes.

const decoder = new TextDecoder();

/** The case's options as the JS packages take them. */
export function verifyOptions(c, files) {
  const options = { lang: "all", semantics: c.semantics };
  if (typeof c.anchors === "string") options.anchors = c.anchors;
  else options.anchors = { name: c.anchors.name, certificates: c.anchors.files.map((f) => files[f]) };
  if (c.crls.length) options.crls = c.crls.map((f) => files[f]);
  if (c.at) options.at = c.at;
  return options;
}

/** Every path a case reads (its document, anchors, CRLs, expected report). */
export function pathsOf(cases) {
  const paths = new Set();
  for (const c of cases) {
    paths.add(c.xml);
    if (typeof c.anchors !== "string") c.anchors.files.forEach((f) => paths.add(f));
    c.crls.forEach((f) => paths.add(f));
    paths.add(`expected/${c.id}.json`);
  }
  return [...paths];
}

/** Runs every case through `api.verifyJson`; `check(ok, message)` records each result. */
export function runSignatureCases(cases, files, api, check, host) {
  let ran = 0;
  for (const c of cases) {
    let actual;
    try {
      actual = api.verifyJson(files[c.xml], verifyOptions(c, files));
    } catch (e) {
      check(false, `host ${host}: signature case ${c.id} (${c.xml}): threw ${e.kind ?? ""} ${e.message}`);
      continue;
    }
    const expected = decoder.decode(files[`expected/${c.id}.json`]);
    check(actual === expected, `host ${host}: signature case ${c.id} (${c.xml}): the report differs from tests/eds/expected/${c.id}.json`);
    const report = JSON.parse(actual);
    check(report.status === c.status, `host ${host}: signature case ${c.id}: status ${report.status}, expected ${c.status}`);
    ran++;
  }
  return ran;
}
