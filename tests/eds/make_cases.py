#!/usr/bin/env python3
"""Writes cases.json: every case of manifest.json (the test data's own expectations) plus
tekser's own (named anchor sets, CRLs, strict reading, no time, packets signed by a local
test CA in local/). Each case names the expected status and, per signature, the finding
codes; the expected report bytes are in expected/<id>.json (blessed by
`TEKSER_BLESS=1 cargo test -p tekser --test signatures`, which checks the codes first).

Run: python3 tests/eds/make_cases.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
manifest = json.load(open(os.path.join(HERE, "manifest.json"), encoding="utf-8"))

# Our policy on top of the data's expectations (errata signing-certificate, signature-time).
AUTH = "certificate.not_for_signing"
cases = []


def case(id, xml, anchors, at, codes, why, crls=(), semantics="sequential", checks=None):
    status = "accepted" if all(all(c in WARNINGS for c in s) for s in codes) and codes else "rejected"
    c = {
        "id": id,
        "xml": xml,
        "anchors": anchors,
        "crls": list(crls),
        "at": at,
        "semantics": semantics,
        "status": status,
        "codes": codes,
        "why": why,
    }
    if checks:
        c["checks"] = checks
    cases.append(c)


WARNINGS = {"crl.stale", "signature.signer_mismatch"}


def expected_codes(m, xml, t):
    e = m["expected"]
    stem = os.path.basename(xml)
    if stem.startswith("rsa_and_gost2015_two_signers"):
        return [[], ["certificate.not_yet_valid", "certificate.issuer_invalid"]] if t.startswith("2021") else [["certificate.expired"], []]
    codes = []
    if e.startswith("invalid: certificate expired"):
        codes.append("certificate.expired")
        if stem.startswith("gost2004"):
            codes.append("certificate.issuer_invalid")  # ҰКО 3.0 (GOST TEST) expired 2024-03-12
    if "tampered" in e:
        codes.append("signature.reference_mismatch")
    if e.startswith("invalid: signature value does not verify"):
        codes.append("signature.invalid")
    if "auth" in stem:
        codes.append(AUTH)
    if "wrong CA" in e:
        codes.append("certificate.untrusted")
    return [codes]


for m in manifest["cases"]:
    times = [t.split(" ")[0] for t in m["verification_time"].split(" / ")]
    for t in times:
        stem = os.path.splitext(os.path.basename(m["xml"]))[0]
        tag = "-wrong-ca" if "wrong CA" in m["expected"] else ""
        cid = f"{stem}@{t[:10]}{tag}"
        case(
            cid,
            m["xml"],
            {"name": "manifest", "files": m["trust_anchors"]},
            t,
            expected_codes(m, m["xml"], t),
            f"manifest.json: {m['expected']} ({m['reason']})",
            checks=m["checks"],
        )

X = "xml/"
case("gost2004_org_sign_2020@2020-06-01-test-set", X + "gost2004_org_sign_2020.xml", "test", "2020-06-01T00:00:00Z", [[]],
     "the shipped test anchor set")
case("rsa_prod_nca_personal_auth_2018_crlf@2019-01-01-prod-set", X + "rsa_prod_nca_personal_auth_2018_crlf.xml", "prod", "2019-01-01T00:00:00Z", [[AUTH]],
     "the shipped production anchor set; an AUTH key")
case("gost2015_org_ceo_sign_2024@2025-02-24-prod-set", X + "gost2015_org_ceo_sign_2024.xml", "prod", "2025-02-24T19:23:13Z", [["certificate.untrusted"]],
     "a test certificate against the production anchors")
case("gost2004_org_sign_2020@astana-time", X + "gost2004_org_sign_2020.xml", "test", "01.06.2020 10:00", [[]],
     "time given as Astana local time (UTC+6 in 2020)")
case("gost2004_org_sign_2020@no-time", X + "gost2004_org_sign_2020.xml", "test", None, [["certificate.time_unknown"]],
     "no time given and no header/created_at: validity cannot be judged, never the machine clock")
case("rsa_and_gost2015_two_signers_2022@2021-06-01-strict", X + "rsa_and_gost2015_two_signers_2022.xml", "test", "2021-06-01T00:00:00Z",
     [["signature.reference_mismatch"], ["certificate.not_yet_valid", "certificate.issuer_invalid"]],
     "strict XMLDSig reading: signature 1's digest covers the document without both signatures", semantics="strict")
case("rsa_personal_sign_2020@2020-06-01-crl", X + "rsa_personal_sign_2020.xml", "test", "2020-06-01T00:00:00Z", [[]],
     "the RSA test CA's CRL (signature verified) does not list the signer: revocation good", crls=["crl/test_nca_rsa_uko30.crl"])
case("gost2004_org_sign_2020@2020-06-01-crl", X + "gost2004_org_sign_2020.xml", "test", "2020-06-01T00:00:00Z", [[]],
     "the GOST 2004 test CA's CRL, signed GOST 2004: revocation good", crls=["crl/test_nca_gost2004_uko30.crl", "crl/test_nca_rsa_uko30.crl"])
case("gost2015_individual_sign_2023@2024-06-01-stale-crl", X + "gost2015_individual_sign_2023.xml", "test", "2024-06-01T00:00:00Z", [["crl.stale"]],
     "the GOST 2015 CRL (signed GOST 2015 512) was due for update on 2023-01-23", crls=["crl/test_nca_gost2015_2022.crl"])
case("rsa_personal_sign_2020@2020-06-01-foreign-crl", X + "rsa_personal_sign_2020.xml", "test", "2020-06-01T00:00:00Z", [[]],
     "a CRL of another CA says nothing of this certificate: revocation not checked", crls=["crl/test_nca_gost2004_uko30.crl"])
case("rsa_personal_sign_2020@2020-06-01-tampered-crl", X + "rsa_personal_sign_2020.xml", "test", "2020-06-01T00:00:00Z", [["crl.invalid"]],
     "the signer CA's CRL with one byte of its signature changed", crls=["crl/derived/test_nca_rsa_uko30__tampered_signature.crl"])

D = "derived/gost2004_org_sign_2020__"
for name, code, why in [
    ("no_signed_info", "signature.malformed", "SignedInfo removed"),
    ("signature_value_not_base64", "signature.malformed", "SignatureValue is not base64"),
    ("exclusive_c14n", "signature.unsupported", "exclusive C14N for SignedInfo"),
    ("reference_to_id", "signature.unsupported", "a Reference to an element by id (URI=\"#packet\")"),
    ("no_certificate", "certificate.malformed", "KeyInfo without X509Certificate"),
    ("certificate_cut", "certificate.malformed", "the certificate's DER cut short"),
]:
    case(f"derived/{name}", D + name + ".xml", "test", "2020-06-01T00:00:00Z", [[code]], why)

L = "local/"
LOCAL = {"name": "local", "files": [L + "anchors/tekser_test_ca.pem"]}
CRL = [L + "tekser_test_ca.crl"]
case("local/plan_item.signed", L + "plan_item.signed.xml", LOCAL, None, [[]],
     "a tekser packet signed with xmlsec1 by its sender (OU=BIN = sender_bin), checked at its created_at", crls=CRL)
case("local/plan_item.signed_by_other", L + "plan_item.signed_by_other.xml", LOCAL, None, [["signature.signer_mismatch"]],
     "signed by another organisation's certificate: a warning (errata signer-is-sender)")
case("local/plan_item.signed_revoked@created_at", L + "plan_item.signed_revoked.xml", LOCAL, None, [[]],
     "the certificate was revoked after the packet's created_at: good at that time", crls=CRL)
case("local/plan_item.signed_revoked@2027-01-01", L + "plan_item.signed_revoked.xml", LOCAL, "2027-01-01T00:00:00Z", [["certificate.revoked"]],
     "checked after the revocation", crls=CRL)
case("local/plan_item.signed_auth", L + "plan_item.signed_auth.xml", LOCAL, None, [[AUTH]],
     "an authentication certificate")
case("local/plan_item.signed_tampered", L + "plan_item.signed_tampered.xml", LOCAL, None, [["signature.reference_mismatch"]],
     "a record's name changed after signing")
case("local/plan_item.signed_flk_error", L + "plan_item.signed_flk_error.xml", LOCAL, None, [[]],
     "a valid signature over a packet with a format-logical error (check refuses it at that stage)")
cases.append({
    "id": "local/unsigned", "xml": "../../examples/plan_item.xml", "anchors": LOCAL, "crls": [], "at": None,
    "semantics": "sequential", "status": "rejected", "codes": [], "document_codes": ["signature.missing"],
    "why": "an unsigned packet",
})

out = {
    "$comment": "Generated by make_cases.py from manifest.json and tekser's own cases; run on every host (core/tests/signatures.rs, tests/wasm, bindings/python/tests, bindings/node/test). Paths are relative to this folder; an anchors object is the caller's own certificates under a name.",
    "cases": cases,
}
with open(os.path.join(HERE, "cases.json"), "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(len(cases), "cases")
