#!/usr/bin/env python3
"""Makes the malformed signatures of tests/eds/derived from xml/gost2004_org_sign_2020.xml
(one edit each, written byte for byte). Run: python3 tests/eds/derived/make.py"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
source = open(os.path.join(HERE, "..", "xml", "gost2004_org_sign_2020.xml"), "rb").read()


def edit(name, old, new, count=1):
    assert source.count(old) >= 1, name
    out = source.replace(old, new, count)
    assert out != source
    open(os.path.join(HERE, f"gost2004_org_sign_2020__{name}.xml"), "wb").write(out)


# SignedInfo removed whole: not an XMLDSig signature.
start = source.index(b"<ds:SignedInfo>")
end = source.index(b"</ds:SignedInfo>") + len(b"</ds:SignedInfo>")
open(os.path.join(HERE, "gost2004_org_sign_2020__no_signed_info.xml"), "wb").write(source[:start] + source[end:])
# SignatureValue that is not base64.
edit("signature_value_not_base64", b"<ds:SignatureValue>\n", b"<ds:SignatureValue>\n!!")
# Exclusive C14N for SignedInfo: a canonicalisation tekser does not implement.
edit("exclusive_c14n", b'<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>',
     b'<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>')
# A reference to an element by id, not the whole document.
edit("reference_to_id", b'<ds:Reference URI="">', b'<ds:Reference URI="#packet">')
# KeyInfo without a certificate.
start = source.index(b"<ds:KeyInfo>")
end = source.index(b"</ds:KeyInfo>") + len(b"</ds:KeyInfo>")
open(os.path.join(HERE, "gost2004_org_sign_2020__no_certificate.xml"), "wb").write(source[:start] + source[end:])
# A certificate whose DER is cut short.
cert = re.search(rb"<ds:X509Certificate>\n(.*?)</ds:X509Certificate>", source, re.S)
compact = re.sub(rb"\s", b"", cert.group(1))
edit("certificate_cut", cert.group(1), compact[:400] + b"\n")  # 300 bytes of DER: base64 fine
print("made")
