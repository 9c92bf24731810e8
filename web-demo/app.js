// The pre-submission page: pick, drop or paste a packet, see the verdict of the same engine
// the receiver runs, download the canonical report. No request leaves the page.
const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });

let run = 0;            // increases with every validation; the status carries it (tests wait on it)
let reportJson = null;  // the canonical report of the last packet, offered for download
let reportUrl = null;   // its blob: URL (a real link, so every download is a user's click)
let packetName = "packet";

const MESSAGES = {
  reading: "Чтение файла…",
  validating: "Проверка…",
  accepted: "Пакет принят: ошибок нет.",
  rejected: "Пакет отклонён.",
};

function setProgress(text, value, max) {
  $("progress-box").hidden = text === null;
  if (text === null) return;
  $("progress-text").textContent = text;
  const bar = $("progress");
  if (value === undefined) {
    bar.removeAttribute("value"); // indeterminate
  } else {
    bar.max = max;
    bar.value = value;
  }
}

// `?checkers=N` sets how many workers check the records of a large file (by default the
// worker decides from the machine's cores).
const CHECK_WORKERS = (() => {
  const n = Number.parseInt(new URLSearchParams(self.location.search).get("checkers") ?? "", 10);
  return Number.isInteger(n) ? n : undefined;
})();

function options() {
  const o = { lang: $("lang").value };
  if ($("entity").value) o.entity = $("entity").value;
  if ($("rule-set").value) o.ruleSet = $("rule-set").value;
  return o;
}

function signatureOptions() {
  const o = { anchors: $("anchors").value };
  if ($("signature-at").value.trim()) o.at = $("signature-at").value.trim();
  return o;
}

function reset() {
  $("signature").hidden = true;
  $("signatures").querySelector("tbody").replaceChildren();
  $("error").hidden = true;
  $("facts").hidden = true;
  $("findings").hidden = true;
  $("place").hidden = true;
  $("download").hidden = true;
  if (reportUrl) URL.revokeObjectURL(reportUrl);
  reportUrl = null;
  $("findings").querySelector("tbody").replaceChildren();
  reportJson = null;
}

// The worker streams the Blob (a picked or dropped File, or the pasted text): the page
// never holds the packet, and progress is by bytes checked.
function validate(blob, name) {
  packetName = name;
  run += 1;
  reset();
  $("status").dataset.state = "validating";
  $("status").textContent = MESSAGES.validating;
  setProgress(MESSAGES.validating, 0, blob.size || 1);
  worker.postMessage({ type: "validate", id: run, blob, options: options(), checkWorkers: CHECK_WORKERS, signature: signatureOptions() });
}

function readFile(file) {
  $("file-name").textContent = `${file.name} — ${file.size.toLocaleString()} B`;
  validate(file, file.name);
}

function showError(kind, message) {
  setProgress(null);
  $("status").dataset.state = "error";
  $("status").dataset.run = String(run);
  $("status").textContent = "Пакет не может быть проверен.";
  $("error").hidden = false;
  $("error").textContent = `${kind}: ${message}`;
}

function messageOf(finding) {
  if (finding.message !== undefined) return finding.message;
  return ["ru", "kk", "en"].map((l) => `[${l}] ${finding.messages[l]}`).join("\n");
}

/** The signature section: each signature's result, signer, IIN/BIN, algorithm, certificate. */
function showSignature(json) {
  const section = $("signature");
  section.hidden = false;
  const report = JSON.parse(json);
  if (report.error) {
    section.dataset.state = "error";
    $("signature-status").textContent = "не проверена / not checked";
    $("signature-facts").textContent = report.error;
    return null;
  }
  section.dataset.state = report.status;
  $("signature-status").textContent = report.status === "accepted" ? "действительна / valid" : "недействительна / invalid";
  $("signature-facts").textContent = `время проверки / at ${report.at ?? "неизвестно"} (${report.time_source}) · УЦ / anchors: ${report.anchors} · ${report.semantics}`;
  const body = $("signatures").querySelector("tbody");
  const rows = report.signatures.length ? report.signatures : [{ index: "—", result: "invalid", findings: report.findings }];
  for (const s of rows) {
    const row = document.createElement("tr");
    row.className = s.result === "valid" ? "" : "error";
    const signer = s.signer;
    const cells = [
      s.index,
      s.result,
      signer?.common_name ?? "—",
      [signer?.iin && `ИИН ${signer.iin}`, signer?.bin && `БИН ${signer.bin}`].filter(Boolean).join(" · ") || "—",
      s.algorithm ?? "—",
      signer ? `${signer.serial} · ${signer.not_before} – ${signer.not_after}` : "—",
      (s.findings ?? []).map((f) => `${f.code}: ${messageOf(f)}`).join("\n") || "—",
    ];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = String(text);
      row.append(cell);
    }
    body.append(row);
  }
  return report;
}

function showReport(json, millis, signatureJson) {
  setProgress(null);
  reportJson = json;
  const report = JSON.parse(json);
  const signature = signatureJson ? showSignature(signatureJson) : null;
  // The Rules' order: integrity, then the signature, then format-logical control.
  const refused = signature && signature.status !== "accepted";
  const state = refused ? "rejected" : report.status;
  const status = $("status");
  status.dataset.state = state;
  status.textContent = `${MESSAGES[state]} ${refused ? "Подпись не прошла проверку (ЭЦП). " : ""}${report.entity}: записей ${report.record_count}, ошибок ${report.errors}, предупреждений ${report.warnings} (${Math.round(millis)} мс).`;
  status.dataset.run = String(run);
  $("digest").textContent = report.digest ?? "—";
  $("rules").textContent = `${report.rule_set} · ${report.rules_digest} · словари: ${report.dictionaries}`;
  $("engine").textContent = report.engine;
  $("facts").hidden = false;
  reportUrl = URL.createObjectURL(new Blob([json], { type: "application/json" }));
  $("download").href = reportUrl;
  $("download").download = `${packetName}.report.json`;
  $("download").hidden = false;
  const body = $("findings").querySelector("tbody");
  for (const f of report.findings) {
    const row = document.createElement("tr");
    row.className = f.severity;
    row.tabIndex = 0;
    row.dataset.path = f.path;
    row.dataset.field = f.field ?? "";
    const cells = [f.code, f.record ?? "—", f.field ?? "—", messageOf(f)];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = String(text);
      row.append(cell);
    }
    row.title = f.path;
    row.addEventListener("click", () => worker.postMessage({ type: "locate", id: run, path: f.path }));
    row.addEventListener("keydown", (e) => e.key === "Enter" && row.click());
    body.append(row);
  }
  $("findings").hidden = report.findings.length === 0;
}

function showPlace(path, place) {
  $("place").hidden = false;
  $("place-path").textContent = path;
  const pre = $("place-text");
  pre.replaceChildren();
  if (place === null) {
    pre.textContent = "(пакет больше 64 МБ: место не показывается, чтобы не читать его целиком)";
    return;
  }
  const text = place.recordJson ?? place.value ?? "(этого места нет в пакете: поле отсутствует)";
  const field = path.split("/").pop().replaceAll("~1", "/").replaceAll("~0", "~");
  for (const line of text.split("\n")) {
    const hit = place.recordJson !== null && line.trimStart().startsWith(JSON.stringify(field) + ":");
    const node = document.createElement(hit ? "mark" : "span");
    node.textContent = line + "\n";
    pre.append(node);
    if (hit) node.scrollIntoView({ block: "nearest" });
  }
}

worker.onmessage = (event) => {
  const m = event.data;
  if (m.type === "info") {
    $("version").textContent = m.version;
    for (const set of m.ruleSets) {
      const option = document.createElement("option");
      option.value = set.name;
      option.textContent = `${set.name} (с ${set.appliesFrom}${set.appliesUntil ? ` по ${set.appliesUntil}` : ""})`;
      $("rule-set").append(option);
    }
    document.body.dataset.ready = "true";
    return;
  }
  if (m.id !== run) return; // an answer to an older packet
  if (m.type === "progress") {
    setProgress(`${MESSAGES.validating} ${m.loaded.toLocaleString()} / ${m.total.toLocaleString()} B`, m.loaded, m.total || 1);
  }
  else if (m.type === "report") showReport(m.reportJson, m.millis, m.signatureJson);
  else if (m.type === "place") showPlace(m.path, m.place);
  else if (m.type === "error") {
    showError(m.kind, m.message);
    if (m.signatureJson) showSignature(m.signatureJson);
  }
};
worker.onerror = (e) => showError("worker", e.message);
worker.postMessage({ type: "info" });

$("file").addEventListener("change", () => $("file").files[0] && readFile($("file").files[0]));
const drop = $("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  if (e.dataTransfer.files[0]) readFile(e.dataTransfer.files[0]);
});
$("check-paste").addEventListener("click", () => {
  $("file-name").textContent = "вставленный текст";
  validate(new Blob([$("paste").value]), "pasted");
});
for (const id of ["entity", "lang", "rule-set", "anchors", "signature-at"]) {
  $(id).addEventListener("change", () => $("file").files[0] && readFile($("file").files[0]));
}
