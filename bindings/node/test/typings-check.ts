// Compiled with `tsc --noEmit --strict` by the test command: index.d.ts describes the API.
import { validate, validateAsync, validateJson, validateFile, validateStream, PacketValidator, comparePackets, digest, digestList, compareDigests, reply, validateDataset, ruleSets, Report, type TekserError, type DigestList } from "../index.js";

export async function streaming(path: string, chunks: AsyncIterable<Buffer>): Promise<number> {
  const fromFile: Report = await validateFile(path, { maxFindings: 10 });
  const fromStream: Report = await validateStream(chunks, { lang: "en" });
  const validator = new PacketValidator({ entity: "lot" });
  validator.push("[]");
  const read: number = validator.bytesRead;
  const changed = comparePackets(Buffer.from("[]"), "[]", { entity: "lot" }).changed_fields;
  return read + fromFile.findings.length + fromStream.errors + JSON.parse(validator.finishJson()).errors + Object.keys(changed ?? {}).length;
}

export async function example(bytes: Buffer): Promise<string> {
  const report: Report = validate(bytes, { entity: "plan_item", lang: "all", ruleSet: "eoz-2019" });
  const later: Report = await validateAsync(bytes.toString("utf8"), { maxRecords: 1000, maxInputBytes: 1 << 20, maxRecordBytes: 1 << 16 });
  const list: DigestList = digestList(bytes, { alg: "streebog256" });
  const fields = report.toJSON();
  try {
    validateJson("[]");
  } catch (e) {
    const error = e as TekserError;
    return error.code;
  }
  return [report.accepted, report.status, report.findings[0]?.code, later.canonicalJson, fields.findings.length, list.root, compareDigests(list, list).same,
    reply(bytes, { format: "xml" }), JSON.stringify(validateDataset([{ label: "a", data: bytes }])), ruleSets()[0]?.appliesFrom, digest(bytes)].join();
}
