"""The conformance corpus on the Python host: byte for byte what every host produces.

A failure names the host and the packet.
"""

import json

import pytest
import tekser

from conftest import CORPUS, MANIFEST

HOST = "python"


def _options(case):
    options = {"lang": case.get("lang", "all"), "entity": case.get("entity")}
    if "dictionaries" in case:
        options["dictionaries"] = CORPUS / case["dictionaries"]
    if "max_findings" in case:
        options["max_findings"] = case["max_findings"]
    return options


@pytest.mark.parametrize("case", MANIFEST["cases"], ids=lambda c: c["packet"] + (f"[{c['lang']}]" if "lang" in c else ""))
def test_case(case):
    packet = CORPUS / case["packet"]
    if "error" in case:
        with pytest.raises(tekser.TekserError) as raised:
            tekser.validate(packet.read_bytes(), **_options(case))
        assert raised.value.kind == case["error"], f"host {HOST}: packet {case['packet']}"
        return
    report = tekser.validate(packet.read_bytes(), **_options(case))
    expected = (CORPUS / case["report"]).read_text(encoding="utf-8")
    assert report.to_json() == expected, f"host {HOST}: packet {case['packet']}: report differs from {case['report']}"
    # The same packet as a path and as text gives the same bytes.
    assert tekser.validate(packet, **_options(case)).to_json() == expected
    codes = {f.code for f in report.findings}
    for trigger in case["triggers"]:
        assert trigger in codes, f"host {HOST}: packet {case['packet']}: expected finding {trigger} is missing"
    assert report.to_dict() == json.loads(expected)


@pytest.mark.parametrize("group", MANIFEST["digests"], ids=lambda g: g["name"])
def test_digest_group(group):
    expected = json.loads((CORPUS / group["expected"]).read_text(encoding="utf-8"))
    for packet in group["packets"]:
        for alg, digest in expected["digest"].items():
            listed = tekser.digest_list(CORPUS / packet, alg=alg)
            assert listed["digest"] == digest, f"host {HOST}: packet {packet}: {alg} digest"
            assert listed["root"] == expected["root"][alg], f"host {HOST}: packet {packet}: {alg} root"
            assert tekser.digest((CORPUS / packet).read_text(encoding="utf-8"), alg=alg) == digest
        assert tekser.digest_list(CORPUS / packet)["records"] == expected["records"]


@pytest.mark.parametrize("diff", MANIFEST["diffs"], ids=lambda d: d["expected"])
def test_diff(diff):
    expected = json.loads((CORPUS / diff["expected"]).read_text(encoding="utf-8"))
    if diff.get("packets"):
        compared = tekser.compare_packets(CORPUS / diff["ours"], (CORPUS / diff["theirs"]).read_bytes())
        assert compared == expected, f"host {HOST}: diff {diff['expected']}"
        return
    ours = tekser.digest_list(CORPUS / diff["ours"])
    theirs = tekser.digest_list(CORPUS / diff["theirs"])
    assert tekser.compare_digests(ours, theirs) == expected, f"host {HOST}: diff {diff['expected']}"


@pytest.mark.parametrize("case", MANIFEST["replies"], ids=lambda r: r["reply"])
def test_reply(case):
    expected = (CORPUS / case["reply"]).read_text(encoding="utf-8")
    written = tekser.reply(CORPUS / case["packet"], format=case["format"], replied_at=case.get("replied_at"))
    assert written == expected, f"host {HOST}: packet {case['packet']}: reply differs from {case['reply']}"


@pytest.mark.parametrize("case", MANIFEST["datasets"], ids=lambda d: d["name"])
def test_dataset(case):
    packets = [(label, CORPUS / label) for label in case["packets"]]
    report = tekser.validate_dataset(packets, lang="all")
    expected = (CORPUS / case["report"]).read_text(encoding="utf-8")
    assert report.to_json() == expected, f"host {HOST}: dataset {case['name']}"
    assert report.accepted == (json.loads(expected)["status"] == "accepted"), f"host {HOST}: dataset {case['name']}"
