#!/usr/bin/env python3
"""An independent implementation of schemas/CANONICAL.md, in Python's standard library.

It recomputes, from the packets and the schemas alone, the SHA-256 packet digest, the
record digests and the root of every digest vector in tests/corpus/manifest.json, and the
rules digest of the built-in rule set, and compares them with what the engine wrote. It
shares no code with the engine: if the specification and the engine drift apart, this
fails. Run: python3 tests/corpus/canonical_check.py (exit 1 on any mismatch).
"""
import hashlib
import json
import os
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(HERE, "..", "..", "schemas")
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
SOAP = {"http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"}
LISTS = {"records", "details"}
NUMERIC = {"decimal", "amount", "count", "percent", "year", "month"}
# A code typed «число» sent as a plain whole number is its digits, zero-padded to this length.
CODE_LENGTH = {"bin": 12, "iin": 12, "bin_iin": 12, "kato": 9, "mkei": 3}
ECMA_SPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {chr(c) for c in range(0x2000, 0x200B)}


class Num(str):
    """A JSON number, kept as its literal."""


def load_schema(name):
    with open(os.path.join(SCHEMAS, name), encoding="utf-8") as f:
        return json.load(f)


def kind_of(prop, root):
    ref = prop.get("$ref")
    if ref is None and "anyOf" in prop:
        ref = prop["anyOf"][-1]["$ref"]
    if ref is None and "items" in prop:
        ref = prop["items"]["$ref"]
    if ref.startswith("kinds.schema.json#/$defs/"):
        name = ref.rsplit("/", 1)[1]
        if name.endswith("_number"):
            return "code:%d" % CODE_LENGTH.get(name[: -len("_number")], 0)
        return name
    if ref.startswith("dictionaries.schema.json#/$defs/"):
        definition = load_schema("dictionaries.schema.json")["$defs"][ref.rsplit("/", 1)[1]]
        return "code:0" if any("enum" in e for e in definition["anyOf"]) else "other"
    if ref.startswith("#/$defs/") and ref != "#/$defs/entity":
        return fields_of(root["$defs"][ref.rsplit("/", 1)[1]], root)
    return "other"


def fields_of(schema, root):
    return {name: kind_of(prop, root) for name, prop in schema["properties"].items()}


def json_tree(text):
    return json.loads(text, object_pairs_hook=lambda pairs: ("obj", pairs), parse_int=Num, parse_float=Num,
                      parse_constant=Num)


def local(tag):
    return tag.rsplit("}", 1)[-1]


def xml_tree(text):
    root = ET.fromstring(text.encode("utf-8"))
    if local(root.tag) == "Envelope" and root.tag.split("}")[0].lstrip("{") in SOAP:
        body = next(c for c in root if local(c.tag) == "Body")
        root = list(body)[0]

    def convert(el, as_list=False):
        if el.get(XSI_NIL) == "true":
            return None
        children = list(el)
        if as_list or local(el.tag) in LISTS:
            return [convert(c) for c in children]
        if not children:
            return el.text or ""
        return ("obj", [(local(c.tag), convert(c)) for c in children])

    return convert(root, as_list=local(root.tag) != "packet")


def is_number(text):
    import re
    return re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?", text) is not None


def number(literal):
    negative = literal.startswith("-")
    body = literal.lstrip("-")
    mantissa, _, exponent = body.replace("E", "e").partition("e")
    exponent = int(exponent or "0")
    integer, _, fraction = mantissa.partition(".")
    digits = integer + fraction
    stripped = digits.lstrip("0")
    n = len(integer) + exponent - (len(digits) - len(stripped))
    d = stripped.rstrip("0")
    if not d:
        return "0"
    k = len(d)
    if k <= n <= 21:
        out = d + "0" * (n - k)
    elif 0 < n <= 21:
        out = d[:n] + "." + d[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + d
    else:
        out = d[0] + ("." + d[1:] if k > 1 else "") + "e" + ("-" if n - 1 < 0 else "+") + str(abs(n - 1))
    return ("-" if negative else "") + out


def string(s):
    out = ['"']
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[c])
        elif ord(c) < 0x20:
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def blank(v):
    return v is None or (isinstance(v, str) and not isinstance(v, Num) and all(c in ECMA_SPACE for c in v))


def code_of_number(v, kind):
    """The code's text of a plain whole JSON number in a field of kind code:N, else None."""
    if isinstance(kind, str) and kind.startswith("code:") and isinstance(v, Num) and v.isdigit() and v.isascii():
        return v.zfill(int(kind[5:]))
    return None


def canon(v, kind=None):
    if isinstance(kind, dict):
        if isinstance(v, list):
            return "[" + ",".join(obj(i, kind) if isinstance(i, tuple) else canon(i) for i in v) + "]"
        return canon(v)
    if code_of_number(v, kind) is not None:
        return string(code_of_number(v, kind))
    if kind in NUMERIC and isinstance(v, str) and is_number(v):
        return number(v)
    if kind == "boolean" and isinstance(v, str) and not isinstance(v, Num) and v in ("true", "false"):
        return v
    if kind == "guid" and isinstance(v, str) and not isinstance(v, Num):
        return string(v.translate({c: c + 32 for c in range(65, 91)}))
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, Num):
        return number(v) if is_number(v) else v
    if isinstance(v, str):
        return string(v)
    if isinstance(v, list):
        return "[" + ",".join(canon(i) for i in v) + "]"
    return obj(v, None)


def obj(v, fields):
    members = [(k, x) for k, x in v[1] if not blank(x)]
    members.sort(key=lambda m: m[0].encode("utf-16-be"))
    return "{" + ",".join(string(k) + ":" + canon(x, (fields or {}).get(k)) for k, x in members) + "}"


def get(o, key):
    return next((v for k, v in o[1] if k == key), None)


def digests(path, header_fields):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    tree = xml_tree(text) if text.lstrip().startswith("<") else json_tree(text)
    if isinstance(tree, list):
        raise SystemExit(f"{path}: bare lists need an entity; not used in the vectors")
    entity = get(get(tree, "header"), "entity")
    schema = load_schema(f"{entity}.schema.json")
    fields = fields_of(schema, schema)
    # The first `records` member, when it is an array, is written first; the rest sorted.
    first = next((i for i, (k, _) in enumerate(tree[1]) if k == "records"), None)
    streamed = first if first is not None and isinstance(tree[1][first][1], list) else None
    members = [(k, x) for i, (k, x) in enumerate(tree[1]) if not blank(x) and i != streamed]
    members.sort(key=lambda m: m[0].encode("utf-16-be"))
    if streamed is not None:
        members.insert(0, tree[1][streamed])
    parts = []
    for k, x in members:
        if k == "header" and isinstance(x, tuple):
            parts.append(string(k) + ":" + obj(x, header_fields))
        elif k == "records" and isinstance(x, list):
            parts.append(string(k) + ":[" + ",".join(obj(r, fields) if isinstance(r, tuple) else canon(r) for r in x) + "]")
        else:
            parts.append(string(k) + ":" + canon(x))
    packet = "{" + ",".join(parts) + "}"
    records, seen = [], set()
    for i, r in enumerate(get(tree, "records") or []):
        rid = None
        if isinstance(r, tuple):
            values = []
            for name in schema.get("x-key", []):
                v = get(r, name)
                if code_of_number(v, fields.get(name)) is not None:
                    v = str(code_of_number(v, fields.get(name)))
                elif not isinstance(v, str) or isinstance(v, Num) or blank(v):
                    values = None
                    break
                values.append(v.lower() if fields.get(name) == "guid" else v)
            rid = "|".join(values) if values else None
        rid = rid or f"#{i}"
        if rid in seen:
            rid = f"{rid}#{i}"
        seen.add(rid)
        body = obj(r, fields) if isinstance(r, tuple) else canon(r)
        records.append({"id": rid, "record": i, "digest": "sha256:" + hashlib.sha256(body.encode()).hexdigest()})
    mapping = ("obj", sorted(((r["id"], r["digest"]) for r in records), key=lambda m: m[0].encode("utf-16-be")))
    root = "sha256:" + hashlib.sha256(obj(mapping, None).encode()).hexdigest()
    return "sha256:" + hashlib.sha256(packet.encode()).hexdigest(), root, records


def rules_digest():
    with open(os.path.join(SCHEMAS, "dictionaries.schema.json"), encoding="utf-8") as f:
        dictionaries = json.loads(f.read(), object_pairs_hook=lambda p: ("obj", p))
    # Entries are the const items (an integer enum item repeats a dictionary's codes as numbers).
    dicts = [(name, [[get(e, "const"), get(e, "title")] for e in get(d, "anyOf") if get(e, "const") is not None])
             for name, d in get(dictionaries, "$defs")[1]]
    files = []
    for name in sorted(os.listdir(SCHEMAS)):
        if name == "rules.json" or (name.endswith(".schema.json") and name.count(".") == 2
                                     and name not in {"dictionaries.schema.json", "report.schema.json", "reply.schema.json",
                                                      "digest-list.schema.json", "comparison.schema.json",
                                                      "dataset-report.schema.json", "dictionary-file.schema.json"}):
            with open(os.path.join(SCHEMAS, name), encoding="utf-8") as f:
                files.append((name, json_tree(f.read())))
    doc = ("obj", [("dictionaries", ("obj", dicts)), ("dictionaries_version", "built-in"),
                   ("files", ("obj", files)), ("rule_set", "eoz-2019")])
    return "sha256:" + hashlib.sha256(canon(doc).encode()).hexdigest()


def main():
    with open(os.path.join(HERE, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    packet_schema = load_schema("packet.schema.json")
    header_fields = fields_of(packet_schema["$defs"]["header"], packet_schema)
    failures, checked = [], 0
    for group in manifest["digests"]:
        with open(os.path.join(HERE, group["expected"]), encoding="utf-8") as f:
            expected = json.load(f)
        for packet in group["packets"]:
            digest, root, records = digests(os.path.join(HERE, packet), header_fields)
            checked += 1
            if digest != expected["digest"]["sha256"]:
                failures.append(f"{packet}: packet digest {digest} != {expected['digest']['sha256']}")
            if root != expected["root"]["sha256"]:
                failures.append(f"{packet}: root {root} != {expected['root']['sha256']}")
            if records != expected["records"]:
                failures.append(f"{packet}: record digests differ")
    with open(os.path.join(HERE, "plan_item/valid.json.report.json"), encoding="utf-8") as f:
        reported = json.load(f)["rules_digest"]
    ours = rules_digest()
    if ours != reported:
        failures.append(f"rules digest {ours} != {reported} (plan_item/valid.json.report.json)")
    for failure in failures:
        print("canonical_check (python, independent):", failure, file=sys.stderr)
    print(f"canonical_check: {checked} packets and the rules digest recomputed from CANONICAL.md, {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
