// Properties every JavaScript host must keep (wasm in Node and in Chromium, the Node
// addon), on inputs generated from a seed (a failure names the seed and the run, so it
// reproduces): the Rust host checks the same with proptest (core/tests/properties.rs).
//
// - A packet given as a JS string, as UTF-8 bytes, and pushed in chunks cut anywhere
//   (inside multi-byte characters too) gives one report; generated free text (Cyrillic,
//   Kazakh letters, emoji, quotes, backslashes, markup characters) keeps a valid packet valid.
// - The digest and the report are over meaning: members reordered, any white space
//   between JSON tokens, and the XML form (text escaped or in CDATA) give the same.
// No imports: the browser test loads this file into the page as it is.

/** A small seeded generator (mulberry32). */
function generator(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n) => Math.floor(next() * n);
  const pick = (items) => items[below(items.length)];
  return { next, below, pick };
}

const LETTERS = [..."АаБбВвЖжЗзИиЁёЯяӘәҒғҚқҢңӨөҰұҮүҺһІі"];
const OTHERS = [..."AZaz09 ,.;:«»\"'()\\/<>&№%+=?!_-😀"];

/** Free text a sender might write: starts with a letter, never blank. */
function freeText(g) {
  let s = g.pick(LETTERS);
  for (let n = g.below(30); n > 0; n--) s += g.next() < 0.6 ? g.pick(LETTERS) : g.pick(OTHERS);
  return s;
}

/** The value with every object's members in a generated order. */
function reordered(value, g) {
  if (Array.isArray(value)) return value.map((v) => reordered(v, g));
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = g.below(i + 1);
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  // Object keys that look like integers would be put first by JS: the packets have none.
  return Object.fromEntries(keys.map((k) => [k, reordered(value[k], g)]));
}

/** JSON text with generated white space wherever JSON allows it. */
function spaced(value, g) {
  const space = () => g.pick(["", "", " ", "\n", "\t", "\r\n  "]);
  const write = (v) => {
    if (Array.isArray(v)) return `[${space()}${v.map((x) => space() + write(x) + space()).join(",")}]`;
    if (v !== null && typeof v === "object") {
      return `{${space()}${Object.entries(v).map(([k, x]) => `${space()}${JSON.stringify(k)}${space()}:${space()}${write(x)}${space()}`).join(",")}}`;
    }
    return JSON.stringify(v);
  };
  return space() + write(value) + space();
}

/** The XML form of a packet: lists one element per item, null as xsi:nil. */
function xmlOf(packet, g) {
  const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
  const write = (name, v) => {
    if (v === null) return `<${name} xsi:nil="true"/>`;
    if (Array.isArray(v)) {
      const item = name.endsWith("s") ? name.slice(0, -1) : "item";
      return `<${name}>${v.map((x) => write(item, x)).join("")}</${name}>`;
    }
    if (typeof v === "object") return `<${name}>${Object.entries(v).map(([k, x]) => write(k, x)).join("")}</${name}>`;
    const text = String(v);
    const inCdata = typeof v === "string" && g.next() < 0.5 && !text.includes("]]>");
    return `<${name}>${inCdata ? `<![CDATA[${text}]]>` : escape(text)}</${name}>`;
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${write("packet", packet).replace("<packet>", '<packet xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">')}`;
}

/**
 * Runs the properties `runs` times from `seed` on the valid packets (`valid`: a list of
 * their JSON texts) through `api` = { validateJson, digest, PacketValidator }; calls
 * `check(ok, message)` once per property per run (the caller's check names the host).
 */
export function runProperties({ api, check, valid, runs = 64, seed = 20261203 }) {
  const encoder = new TextEncoder();
  const options = { lang: "all" };
  for (let run = 0; run < runs; run++) {
    const g = generator(seed + run);
    const where = `property run ${run} (seed ${seed + run})`;
    const packet = JSON.parse(g.pick(valid));
    for (const record of packet.records) {
      for (const key of Object.keys(record)) {
        if (/^(name|description)_(ru|kz)$/.test(key) && typeof record[key] === "string") record[key] = freeText(g);
      }
    }
    const text = JSON.stringify(packet);
    const bytes = encoder.encode(text);
    const whole = api.validateJson(bytes, options);
    const report = JSON.parse(whole);
    check(report.status === "accepted", `${where}: a packet with generated free text is ${report.status}: ${text.slice(0, 300)}`);
    check(api.validateJson(text, options) === whole, `${where}: the packet as a JS string gives another report`);
    const validator = new api.PacketValidator(options);
    for (let at = 0; at < bytes.length;) {
      const size = 1 + g.below(64);
      validator.push(bytes.subarray(at, at + size));
      at += size;
    }
    check(validator.finishJson() === whole, `${where}: pushed in chunks cut anywhere, another report`);
    const moved = spaced(reordered(packet, g), g);
    check(api.digest(moved) === report.digest && api.validateJson(moved, options) === whole,
      `${where}: reordered and spaced, another digest or report: ${moved.slice(0, 300)}`);
    const xml = xmlOf(reordered(packet, g), g);
    check(api.digest(xml) === report.digest && api.validateJson(xml, options) === whole,
      `${where}: the XML form gives another digest or report: ${xml.slice(0, 300)}`);
  }
}
