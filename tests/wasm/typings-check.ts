// Compiled with `tsc --noEmit --strict` by the test command: the committed typings of the
// wasm package describe its real API (a wrong type here fails the build).
import init, { validate, validateJson, digest, digestListJson, reply, locate, ruleSets, version, validateDatasetJson, PacketValidator, RemoteHasher, RecordChecker, comparePackets } from "../../target/wasm-pkg/web/tekser_wasm.js";
import type { Report, Finding, DigestList, Place, RuleSet, ValidateOptions, TekserError } from "../../target/wasm-pkg/web/tekser_wasm.js";

export async function example(bytes: Uint8Array): Promise<string> {
  await init();
  const options: ValidateOptions = { entity: "plan_item", lang: "all", ruleSet: "eoz-2019" };
  const report: Report = validate(bytes, options);
  const first: Finding | undefined = report.findings[0];
  const json: string = validateJson(bytes);
  const list: DigestList = JSON.parse(digestListJson(bytes, { alg: "streebog512" }));
  const place: Place = locate(bytes, first?.path ?? "");
  const sets: RuleSet[] = ruleSets();
  const xml: string = reply(bytes, { format: "xml", lang: "kk" });
  const dataset: string = validateDatasetJson([{ label: "a.json", data: bytes }], { lang: "en" });
  return [report.status, json, list.root, place.recordJson ?? "", sets[0]?.name ?? "", xml, dataset, digest(bytes), version()].join();
}

export function streamed(chunks: Uint8Array[]): string {
  const validator = new PacketValidator({ maxFindings: 10, lang: "en" });
  for (const chunk of chunks) validator.push(chunk);
  const read: number = validator.bytesRead;
  return `${read} ${validator.finishJson()} ${comparePackets("[]", "[]", { entity: "lot" })} ${reply("[]", { repliedAt: "01.02.2024 11:00", entity: "lot" })}`;
}

export function hashedElsewhere(chunks: Uint8Array[]): string {
  const validator = new PacketValidator({ hashElsewhere: true });
  const hasher = new RemoteHasher();
  for (const chunk of chunks) {
    validator.push(chunk);
    const work: Uint8Array | undefined = validator.takeHashWork();
    if (work) hasher.apply(work);
  }
  const state: Uint8Array = hasher.state();
  return validator.finishJsonWithHasher(state);
}

export function hashedOutside(chunks: Uint8Array[], sha256: (parts: Uint8Array[]) => string): string {
  const validator = new PacketValidator({ hashOutside: true });
  const parts: Uint8Array[] = [];
  for (const chunk of chunks) {
    validator.push(chunk);
    const bytes: Uint8Array | undefined = validator.takeHashBytes();
    if (bytes) parts.push(bytes);
  }
  parts.push(validator.endHashing());
  return validator.finishJsonWithDigest(sha256(parts));
}

/** Pushes the chunks (until an input error is held), handing out check work after each,
 * then ends the input and hands out the last work. */
function pushAll(validator: PacketValidator, chunks: Uint8Array[], hand: () => void): void {
  for (const chunk of chunks) {
    if (validator.stopped) break;
    validator.push(chunk);
    hand();
  }
  validator.endInput();
  hand();
}

export function checkedElsewhere(chunks: Uint8Array[]): string {
  const validator = new PacketValidator({ checkElsewhere: true });
  const checker = new RecordChecker();
  const hand = (): void => {
    for (let work = validator.takeCheckWork(); work; work = validator.takeCheckWork()) {
      const found: Uint8Array = checker.check(work);
      validator.mergeChecked(found);
    }
  };
  pushAll(validator, chunks, hand);
  return validator.finishJson();
}

export function checkedElsewhereHashedOutside(chunks: Uint8Array[], sha256: (parts: Uint8Array[]) => string): string {
  const validator = new PacketValidator({ checkElsewhere: true, hashOutside: true });
  const checker = new RecordChecker();
  const parts: Uint8Array[] = [];
  const hand = (): void => {
    const into = new Uint8Array(1 << 20);
    for (let work = validator.takeCheckWork(into); work; work = validator.takeCheckWork(into)) {
      const toHash: Uint8Array[] | undefined = validator.mergeChecked(checker.check(work, new Uint8Array(1 << 20)));
      if (toHash) parts.push(...toHash);
    }
    const bytes: Uint8Array | undefined = validator.takeHashBytes();
    if (bytes) parts.push(bytes);
  };
  pushAll(validator, chunks, hand);
  parts.push(validator.endHashing());
  return validator.finishJsonWithDigest(sha256(parts));
}

// The limits, and the error that names one.
export function limited(bytes: Uint8Array): string {
  const options: ValidateOptions = { maxRecords: 1000, maxInputBytes: 1 << 20, maxRecordBytes: 1 << 16, maxFindings: 10 };
  try {
    return validate(bytes, options).status;
  } catch (e) {
    const error = e as TekserError;
    return `${error.name} ${error.kind} ${String(error.option)} ${String(error.limit)}`;
  }
}
