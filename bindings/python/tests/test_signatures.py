"""The signature stage on the Python host: every case of tests/eds/cases.json gives its
expected report byte for byte (tests/eds/expected/<id>.json), as the Rust, wasm and Node
hosts do; plus the Python API's own shapes (anchors as a set name, a directory or a list
of certificates; errors as TekserError subclasses)."""

import json
import pathlib

import pytest

import tekser

EDS = pathlib.Path(__file__).resolve().parents[3] / "tests" / "eds"
CASES = json.loads((EDS / "cases.json").read_text(encoding="utf-8"))["cases"]


def _kwargs(case):
    kwargs = {"lang": "all", "semantics": case["semantics"]}
    if isinstance(case["anchors"], str):
        kwargs["anchors"] = case["anchors"]
    else:
        kwargs["anchors"] = [(EDS / f).read_bytes() for f in case["anchors"]["files"]]
        kwargs["anchors_name"] = case["anchors"]["name"]
    if case["crls"]:
        kwargs["crls"] = [(EDS / f).read_bytes() for f in case["crls"]]
    if case["at"]:
        kwargs["at"] = case["at"]
    return kwargs


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_signature_case(case):
    actual = tekser.verify_json((EDS / case["xml"]).read_bytes(), **_kwargs(case))
    expected = (EDS / "expected" / f"{case['id']}.json").read_text(encoding="utf-8")
    assert actual == expected, f"host python: signature case {case['id']} ({case['xml']}): report differs"
    assert json.loads(actual)["status"] == case["status"]


def test_verify_returns_the_signer():
    report = tekser.verify(EDS / "xml" / "gost2015_org_ceo_sign_2024.xml", anchors="test", at="25.02.2025 00:23", lang="en")
    assert report["status"] == "accepted"
    (signature,) = report["signatures"]
    assert signature["algorithm"] == "gost34102015-512"
    assert signature["signer"]["iin"] == "123456789011"
    assert signature["signer"]["bin"] == "123456789021"
    assert signature["findings"] == []


def test_anchors_as_a_directory():
    report = tekser.verify(EDS / "local" / "plan_item.signed.xml", anchors=EDS / "local" / "anchors", anchors_name="local")
    assert report["status"] == "accepted"
    assert report["anchors"] == "local"
    assert report["time_source"] == "created_at"


def test_unusable_options_raise():
    signed = EDS / "xml" / "rsa_personal_sign_2020.xml"
    with pytest.raises(tekser.InvalidOptionError) as e:
        tekser.verify(signed, anchors="nowhere")
    assert e.value.kind == "option"
    with pytest.raises(tekser.InvalidTimeError):
        tekser.verify(signed, anchors="test", at="yesterday")
    with pytest.raises(tekser.InvalidCertificateError):
        tekser.verify(signed, anchors=[b"not a certificate"])
    with pytest.raises(tekser.InvalidCertificateError):
        tekser.verify(signed, anchors="test", crls=[b"not a CRL"])
    with pytest.raises(tekser.XmlSyntaxError):
        tekser.verify(b"<packet><header></packet>")
    with pytest.raises(TypeError):
        tekser.verify(42)
