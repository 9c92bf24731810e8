#!/usr/bin/env python3
"""Writes manifest.json: every hostile case, its input (a file, or `parts` that every host
generates as it streams them: text, or text repeated `times` times) and its expected
outcome (an error kind with fields, or the report). Run after make.py when cases change."""
import json
from pathlib import Path

import make

HERE = Path(__file__).resolve().parent
H = make.HEADER_JSON
R = make.RECORD_JSON.format(name=make.NAME)
HX = make.HEADER_XML
RX = make.RECORD_XML.format(name=make.NAME)
DEFECT = "expected/defect.report.json"


def case(name, why, expect, file=None, parts=None, **options):
    c = {"name": name, "why": why}
    if file:
        c["file"] = f"files/{file}"
    else:
        c["parts"] = parts
    if options:
        c["options"] = options
    if isinstance(expect, str) and expect.startswith("expected/"):
        c["report"] = expect
    elif isinstance(expect, str) and expect == "report":
        c["report"] = f"expected/{name}.report.json"
    else:
        kind, fields = expect if isinstance(expect, tuple) else (expect, None)
        c["error"] = kind
        if fields:
            c["fields"] = fields
    return c


def rep(text, times):
    return {"repeat": text, "times": times}


CASES = [
    case("defect-json", "the reference: one defect (31 February), nothing unusual", DEFECT, "defect.json"),
    case("defect-xml", "the reference in XML: the same report, digest included", DEFECT, "defect.xml"),
    case("billion-laughs", "nested entities expanding to 10^9 copies: DOCTYPE refused before any expansion", ("xml_doctype", {"offset": 22}), "billion-laughs.xml"),
    case("xxe-external-entity", "an external entity naming a local file: refused, nothing is read", ("xml_doctype", {"offset": 22}), "xxe-external-entity.xml"),
    case("parameter-entities", "a parameter entity fetching a remote DTD: refused, nothing is fetched", ("xml_doctype", {"offset": 22}), "parameter-entities.xml"),
    case("doctype-in-soap-body", "a DOCTYPE inside the SOAP Body (where XML allows none)", ("xml_doctype", {"offset": 120}), "doctype-in-soap-body.xml"),
    case("processing-instructions", "a stylesheet PI before the root and a PI inside a record: ignored, as XML says; same meaning", DEFECT, "processing-instructions.xml"),
    case("cdata-split", "the name cut into CDATA sections of three characters: the same text, the same digest", DEFECT, "cdata-split.xml"),
    case("character-references", "every other character of the name as &#N;: the same text", DEFECT, "character-references.xml"),
    case("soap-envelope", "the packet in a SOAP 1.1 Body: the same report", DEFECT, "soap-envelope-ok.xml"),
    case("soap-wrong-namespace", "an Envelope outside the SOAP namespaces", ("xml", {"offset": 39}), "soap-wrong-namespace.xml"),
    case("soap-two-bodies", "a second Body with a second packet: refused, whichever a reader would take", ("xml", {"offset": 632}), "soap-two-bodies.xml"),
    case("invalid-utf8-json", "an overlong encoding (C0 AF) inside a string: refused at its byte", ("invalid_utf8", {"offset": 253}), "invalid-utf8.json"),
    case("overlong-utf8-xml", "an overlong three-byte encoding in XML text", ("invalid_utf8", {"offset": 333}), "overlong-utf8.xml"),
    case("utf16le-bom-json", "UTF-16LE with its BOM: the regulation's exchange is UTF-8", ("invalid_utf8", {"offset": 0}), "utf16le-bom.json"),
    case("utf16be-bom-xml", "UTF-16BE with its BOM", ("invalid_utf8", {"offset": 0}), "utf16be-bom.xml"),
    case("utf16le-no-bom-xml", "UTF-16LE without a BOM: the NUL after '<' is refused", ("xml", {"offset": 1}), "utf16le-no-bom.xml"),
    case("utf8-bom-json", "a UTF-8 BOM before JSON: skipped", DEFECT, "utf8-bom.json"),
    case("utf8-bom-xml", "a UTF-8 BOM before XML: skipped", DEFECT, "utf8-bom.xml"),
    case("nul-byte-json", "a raw NUL inside a JSON string (JSON requires it escaped)", ("json", {"line": 1, "column": 207}), "nul-byte-in-json-string.json"),
    case("nul-byte-xml", "a raw NUL in XML text (XML 1.0 allows it nowhere)", ("xml", {"offset": 286}), "nul-byte-in-xml-text.xml"),
    case("nul-escape-json", "\\u0000 inside a JSON string: valid JSON, read as the character", "report", "nul-escape-in-json-string.json"),
    case("nul-character-reference-xml", "&#0; (XML 1.0 allows it nowhere)", ("xml", {"offset": 286}), "nul-character-reference.xml"),
    case("nul-in-comment-xml", "a NUL in a comment between elements (ignored content, but XML 1.0 allows it nowhere)", ("xml", {"offset": 262}), "nul-in-comment.xml"),
    case("control-in-pi-xml", "U+0001 in a processing instruction between elements", ("xml", {"offset": 262}), "control-in-processing-instruction.xml"),
    case("lone-high-surrogate", "\\ud800 alone: no character, cannot be UTF-8", ("json", {"line": 1, "column": 213}), "lone-high-surrogate.json"),
    case("lone-low-surrogate", "\\udc00 alone", ("json", {"line": 1, "column": 213}), "lone-low-surrogate.json"),
    case("surrogate-pair-escape", "a proper pair (U+1F600) is one character", "report", "surrogate-pair-escape.json"),
    case("duplicate-member-json", "accept_date twice in a record: field.duplicate, not a silent choice", "report", "duplicate-member-in-record.json"),
    case("duplicate-element-xml", "accept_date twice in an XML record: the same report as the JSON form", "expected/duplicate-member-json.report.json", "duplicate-element-in-record.xml"),
    case("duplicate-header", "a second header with another sender: field.duplicate", "report", "duplicate-header.json"),
    case("numbers-as-strings", "1e400, -0 and a 400-digit number where text is due: field.type", "report", "numbers-extreme.json"),
    case("numbers-in-header", "-0.0e-400 and a 400-digit number as packet_id and sender_bin", "report", "numbers-as-header-fields.json"),
    case("numbers-plan-item", "1e400 as a percentage, -0, a 400-digit year and volume, 24.15e-400 as a price", "report", "numbers-extreme-plan-item.json"),
    case("truncated-json", "the packet cut in half", ("json", {"line": 1, "column": 180}), "truncated.json"),
    case("truncated-xml", "the packet cut in half", ("xml", {"offset": 244}), "truncated.xml"),
    case("truncated-in-utf8-sequence", "cut inside a two-byte character", ("invalid_utf8", {"offset": 253}), "truncated-in-utf8-sequence.json"),
    case("trailing-garbage", "a second JSON value after the packet", ("json", {"line": 2, "column": 1}), "trailing-garbage.json"),
    case("two-roots", "a second root element", ("xml", {"offset": 539}), "two-roots.xml"),
    case("unclosed-cdata", "a CDATA section never closed", "xml", "unclosed-cdata.xml"),
    case("random-bytes", "64 KiB of random bytes", ("invalid_utf8", {"offset": 0}), "random-bytes.bin"),
    case("random-ascii", "64 KiB of random printable ASCII", ("unknown_format", {"found": "Y"}), "random-ascii.txt"),
    # Generated while streamed: large, or deep.
    case("string-64mb-json", "one name of 64 MB (32 Mi Cyrillic letters): refused at max_record_bytes without holding it",
         ("too_large", {"option": "max_record_bytes", "limit": 16777216}),
         parts=['{"header": ' + H + ', "records": [{"name_ru": "', rep("Ж", 32 * 1024 * 1024), '"}]}']),
    case("string-64mb-xml", "the same in XML", ("too_large", {"option": "max_record_bytes", "limit": 16777216}),
         parts=["<packet>" + HX + "<records><record><name_ru>", rep("Ж", 32 * 1024 * 1024), "</name_ru></record></records></packet>"]),
    case("deep-json", "100 000 nested arrays in a bare list", "json",
         parts=[rep("[", 100000), rep("]", 100000)], entity="legal_act"),
    case("deep-json-in-record", "100 000 nested objects as a record's value", "json",
         parts=['{"header": ' + H + ', "records": [{"name_ru": ', rep('{"a": ', 100000), "1", rep("}", 100000), "}]}"]),
    case("deep-xml", "100 000 nested elements in a record", "xml",
         parts=["<packet>" + HX + "<records><record>", rep("<a>", 100000), rep("</a>", 100000), "</record></records></packet>"]),
    case("copies-1m", "1 000 000 copies of one record: every copy after the first repeats its keys", "report",
         parts=['{"header": ' + H + ', "records": [' + R, rep(", " + R, 999999), "]}"], max_findings=20),
    case("empty-records-2m", "2 000 000 empty records in a bare list (once 16.5 GB and an abort)", "report",
         parts=["[{}", rep(",{}", 1999999), "]"], entity="plan_item", max_findings=20),
    case("records-before-header", "200 000 records before the header: held until it comes, so refused past max_record_bytes",
         ("too_large", {"option": "max_record_bytes", "limit": 16777216}),
         parts=['{"records": [' + R, rep(", " + R, 199999), '], "header": ' + H + "}"]),
    case("records-before-header-xml", "the same in XML", ("too_large", {"option": "max_record_bytes", "limit": 16777216}),
         parts=["<packet><records>", rep(RX, 200000), "</records>" + HX + "</packet>"]),
    case("header-last", "the header after the records (JSON members have no order): the same report", DEFECT,
         parts=['{"records": [' + R + '], "header": ' + H + "}"]),
    case("header-last-xml", "the same in XML", DEFECT, parts=["<packet><records>" + RX + "</records>" + HX + "</packet>"]),
    case("max-records-xml", "1001 XML records where the caller allows 1000", ("too_large", {"option": "max_records", "limit": 1000}),
         parts=["<packet>" + HX + "<records>", rep(RX, 1001), "</records></packet>"], max_records=1000),
    case("max-records", "1001 records where the caller allows 1000", ("too_large", {"option": "max_records", "limit": 1000}),
         parts=['{"header": ' + H + ', "records": [' + R, rep(", " + R, 1000), "]}"], max_records=1000),
    case("max-input-bytes", "a packet longer than the caller allows", ("too_large", {"option": "max_input_bytes", "limit": 300}),
         file="defect.json", max_input_bytes=300),
]


def main():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names repeat"
    manifest = {
        "about": "Hostile inputs and what every host must make of them (tests/hostile/README.md).",
        "cases": CASES,
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
