// Compiled with `tsc --noEmit --strict` by the test command: index.d.ts describes the API.
import { validate, validateAsync, validateJson, digest, digestList, compareDigests, reply, validateDataset, ruleSets, Report, type TekserError, type DigestList } from "../index.js";

export async function example(bytes: Buffer): Promise<string> {
  const report: Report = validate(bytes, { entity: "plan_item", lang: "all", ruleSet: "eoz-2019" });
  const later: Report = await validateAsync(bytes.toString("utf8"));
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
