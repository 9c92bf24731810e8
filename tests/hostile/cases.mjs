// The hostile corpus for the JavaScript hosts (wasm in Node and in Chromium, the Node
// addon): each case's input generated chunk by chunk from tests/hostile/manifest.json (no
// large case is ever held whole), its options in the JS spelling, and outcomes in the
// form the Rust host compares (core/tests/hostile.rs): the report's JSON, or
// `error <kind> <field>=<value>…` with the fields the case names. No imports: the browser
// test loads this file into the page as it is.

const encoder = new TextEncoder();

/** The input's size in bytes. */
export function sizeOf(c) {
  if (c.bytes) return c.bytes.length;
  return c.parts.reduce((n, p) => n + (typeof p === "string" ? encoder.encode(p).length : encoder.encode(p.repeat).length * p.times), 0);
}

/** The input in chunks of about `size` bytes, in order. */
export function* chunksOf(c, size) {
  if (c.bytes) {
    for (let at = 0; at < c.bytes.length; at += size) yield c.bytes.subarray(at, at + size);
    return;
  }
  const buffer = new Uint8Array(size * 2);
  let filled = 0;
  for (const p of c.parts) {
    const unit = encoder.encode(typeof p === "string" ? p : p.repeat);
    const times = typeof p === "string" ? 1 : p.times;
    for (let i = 0; i < times; i++) {
      if (unit.length >= size) {
        if (filled) yield buffer.slice(0, filled);
        filled = 0;
        for (let at = 0; at < unit.length; at += size) yield unit.subarray(at, at + size);
        continue;
      }
      buffer.set(unit, filled);
      filled += unit.length;
      if (filled >= size) {
        yield buffer.slice(0, filled);
        filled = 0;
      }
    }
  }
  if (filled) yield buffer.slice(0, filled);
}

/** The input whole (small cases only). */
export function wholeOf(c) {
  const out = new Uint8Array(sizeOf(c));
  let at = 0;
  for (const chunk of chunksOf(c, 65536)) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** The case's options as the JS packages take them. */
export function jsOptions(c) {
  const o = c.options ?? {};
  const options = { lang: o.lang ?? "all" };
  if (o.entity) options.entity = o.entity;
  if (o.max_findings !== undefined) options.maxFindings = o.max_findings;
  if (o.max_records !== undefined) options.maxRecords = o.max_records;
  if (o.max_input_bytes !== undefined) options.maxInputBytes = o.max_input_bytes;
  if (o.max_record_bytes !== undefined) options.maxRecordBytes = o.max_record_bytes;
  return options;
}

/** The expected outcome; `report` is the expected report's text for a report case. */
export function expectedOf(c, report) {
  if (c.error === undefined) return report;
  return [`error ${c.error}`, ...Object.entries(c.fields ?? {}).map(([k, v]) => `${k}=${v}`)].join(" ");
}

/** The outcome of an error thrown by a host, whose kind is `e[kindProperty]`. */
export function errorOutcome(e, c, kindProperty) {
  const kind = e?.[kindProperty];
  if (typeof kind !== "string") return `not a TekserError: ${e}`;
  return [`error ${kind}`, ...Object.keys(c.fields ?? {}).map((k) => `${k}=${e[k] ?? "(none)"}`)].join(" ");
}

/**
 * Runs every case through `validator` (streamed in chunks of 64 KiB) and, for inputs up
 * to 1 MiB, also in chunks of 7 and through `validateJson` given whole; calls
 * `check(ok, message)` for each run (the caller's check names the host). `api` is
 * { PacketValidator, validateJson, kind }: `kind` names the error's kind property.
 */
export function runCases(cases, api, check) {
  for (const c of cases) {
    const expected = expectedOf(c, c.expectedReport);
    const options = jsOptions(c);
    const small = sizeOf(c) <= 1 << 20;
    const runs = [[`streamed in chunks of 65536`, () => streamed(api, c, options, 65536)]];
    if (small) {
      runs.push([`streamed in chunks of 7`, () => streamed(api, c, options, 7)]);
      runs.push([`given whole`, () => api.validateJson(wholeOf(c), options)]);
    }
    for (const [how, run] of runs) {
      let got;
      try {
        got = run();
      } catch (e) {
        got = errorOutcome(e, c, api.kind);
      }
      check(got === expected, `hostile case ${c.name} (${how}): expected ${expected.slice(0, 120)}, got ${String(got).slice(0, 160)}`);
    }
  }
}

function streamed(api, c, options, size) {
  const validator = new api.PacketValidator(options);
  for (const chunk of chunksOf(c, size)) validator.push(chunk);
  return validator.finishJson();
}
