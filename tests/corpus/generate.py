#!/usr/bin/env python3
"""Writes the conformance corpus: packets and tests/corpus/manifest.json.

The packets are derived from one valid base record per entity by small, named
mutations, so each case differs from a valid packet in exactly the way its name says.
Expected reports are not written here: `cargo xtask bless` produces them with the
engine, and a reviewer reads the diff. Run: python3 tests/corpus/generate.py
"""
import copy
import json
import os
from xml.sax.saxutils import escape

ROOT = os.path.dirname(os.path.abspath(__file__))
CASES = []


def check_digit(d11):
    s = sum(int(d) * (i + 1) for i, d in enumerate(d11)) % 11
    if s == 10:
        s = sum(int(d) * (((i + 2) % 11) + 1) for i, d in enumerate(d11)) % 11
        if s == 10:
            return None
    return str(s)


def with_check(d11):
    c = check_digit(d11)
    assert c is not None, d11
    return d11 + c


BIN_A, BIN_B, BIN_C = "081140000436", "940140000385", "971240001315"
IIN_A = with_check("85061530001")  # born 15.06.1985, male
IIN_B = with_check("92112040002")  # born 20.11.1992, female
IIN_C = with_check("05030150003")  # born 01.03.2005, male (21st century)
for x in (BIN_A, BIN_B, BIN_C):
    assert check_digit(x[:11]) == x[11]
BAD_CHECK = BIN_A[:11] + str((int(BIN_A[11]) + 1) % 10)


def guid(n):
    return "%08x-d9cb-469f-a165-%012x" % (0x0f8fad5b + n, 0x70867728950e + n)


HEADER = {"packet_id": guid(0), "sender_bin": BIN_A, "entity": None, "rule_set": "eoz-2019", "created_at": "01.02.2024 10:00"}

BASE = {
    "plan_item": {
        "id": guid(100), "number": "2024-001-1", "h_enstru15_id": "351210.900.000000", "h_kpved_id": "35.12.10",
        "h_skp_id": "35.12.10.900", "name_ru": "Услуги по передаче электроэнергии",
        "description_ru": "Передача электрической энергии по сетям 0,4–10 кВ",
        "name_kz": "Электр энергиясын беру қызметтері", "description_kz": "Электр энергиясын 0,4–10 кВ желілер арқылы беру",
        "volume": "1200", "h_mkei_id": "245", "price": "24.15", "sum": "28980.00", "advance": 30, "last_pay": 70,
        "customer_bin": BIN_A, "fin_year": 2024, "plan_date": 3, "h_status_id": "approved", "delivery_date": "31.12.2024",
        "h_flag_member_list": "domesticProducers", "delivery_kato": "710000000",
        "delivery_address": "г. Астана, район Есиль, ул. Кунаева, 8", "sum_year1": "28980.00",
        "procurement_address_kato": "710000000", "procurement_address": "г. Астана, ул. Кенесары, 40",
        "h_tender_period_id": "annualplan", "h_method_trade_id": "openTender",
        "obosnovanie": "Годовой план закупок на 2024 год", "linkplan": "https://eoz.example/plans/2024-001-1",
    },
    "lot": {
        "id": guid(200), "h_status_id": "published", "tender_id": guid(300), "number": "2024-001-1-L1",
        "plan_id": guid(100), "linklot": "https://eoz.example/lots/2024-001-1-L1",
    },
    "announcement": {
        "id": guid(300), "number": "2024-001", "name_ru": "Закуп услуг по передаче электроэнергии",
        "name_kz": "Электр энергиясын беру қызметтерін сатып алу", "sum": "28980.00", "organizer_fio": "Сапарова Айгерим Нурлановна",
        "organizer_iin": IIN_B, "organizer_phone": "+77172555010", "organizer_email": "zakup@example.kz",
        "organizer_bin": BIN_B, "customer_bin": BIN_A, "publish_date": "01.02.2024 09:00", "h_method_trade_id": "openTender",
        "reception_from": "02.02.2024 09:00", "reception_to": "12.02.2024 18:00", "status": "posted_AcceptingApplications",
        "linkobyavlenie": "https://eoz.example/announcements/2024-001",
    },
    "contract": {
        "id": guid(400), "number": "Д-2024/17", "sum": "28980.00", "local_content": "85.5", "h_order_type_id": "mainContract",
        "provider_bin": BIN_C, "accept_date": "01.03.2024", "h_currency_id": "KZT", "customer_bin": BIN_A,
        "h_method_trade_id": "openTender", "lot_count": 1, "linkkontrakt": "https://eoz.example/contracts/D-2024-17",
        "details": [{
            "id": guid(410), "lot_id": guid(200), "n_cert": "0123456", "s_cert": "KZ", "c_cert": "7100",
            "realese_date": "15.01.2024", "dolya_t": "85.5", "dolya_r_u": "0",
        }],
    },
    "participant": {
        "h_flag_member_list": "supplier,domesticProducers", "is_resident": True, "h_opf_id": "19", "phone": "+77172555020",
        "director_fio": "Ахметов Ерлан Серикович", "director_iin": IIN_A, "h_kato_jur_address": "710000000",
        "h_kato_fact_address": "751110000", "name_ru": "ТОО «Энерго Сервис»", "name_kz": "«Энерго Сервис» ЖШС", "bin_iin": BIN_C,
        "email": "info@energo.example.kz", "jur_address": "г. Астана, ул. Сыганак, 10",
        "fact_address": "г. Алматы, пр. Абая, 52", "h_jur_rca": "0201100000012345", "h_fact_rca": "0301100000054321",
    },
    "result": {
        "h_state_member_id": "winner", "id": guid(200), "finish_date": "14.02.2024 11:00", "bin_iin": BIN_C, "price": "28500.00",
        "linkitogi": "https://eoz.example/results/2024-001-1-L1.pdf",
    },
    "unreliable_supplier": {"bin_iin": BIN_B, "start_date": "10.01.2023", "end_date": "10.01.2025"},
    "legal_act": {
        "name_ru": "Закон Республики Казахстан «О государственных закупках»",
        "name_kz": "«Мемлекеттік сатып алу туралы» Қазақстан Республикасының Заңы", "accept_date": "01.07.2024",
        "adilet_url": "https://adilet.example/rus/docs/Z2400000106", "download_url": "https://adilet.example/download/Z2400000106.pdf",
    },
}


def packet(entity, records, header=True):
    p = {}
    if header:
        h = dict(HEADER)
        h["entity"] = entity
        p["header"] = h
    p["records"] = records
    return p


def xml_value(name, value, indent):
    pad = "  " * indent
    if value is None:
        return f'{pad}<{name} xsi:nil="true"/>\n'
    if isinstance(value, bool):
        return f"{pad}<{name}>{'true' if value else 'false'}</{name}>\n"
    if isinstance(value, dict):
        inner = "".join(xml_value(k, v, indent + 1) for k, v in value.items())
        return f"{pad}<{name}>\n{inner}{pad}</{name}>\n"
    if isinstance(value, list):
        item = "record" if name == "records" else "detail"
        inner = "".join(xml_value(item, v, indent + 1) for v in value)
        return f"{pad}<{name}>\n{inner}{pad}</{name}>\n"
    return f"{pad}<{name}>{escape(str(value))}</{name}>\n"


def to_xml(p, soap=None):
    ns = ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    if isinstance(p, list):
        body = "".join(xml_value("record", r, 1) for r in p)
        doc = f"<records{ns}>\n{body}</records>\n"
    else:
        body = "".join(xml_value(k, v, 1) for k, v in p.items())
        doc = f"<packet{ns}>\n{body}</packet>\n"
    if soap == "1.1":
        doc = ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n<soap:Header/>\n<soap:Body>\n'
               + doc + "</soap:Body>\n</soap:Envelope>\n")
    elif soap == "1.2":
        doc = ('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">\n<env:Body>\n'
               + doc + "</env:Body>\n</env:Envelope>\n")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + doc


def write(rel, text):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def case(entity, name, data, triggers=(), forms=("json",), caller=None, lang=None, raw=None, error=None, note="",
         dictionaries=None, max_findings=None):
    """Registers a case; `data` is a packet dict or list of records, `raw` a literal text."""
    for form in forms:
        ext = "xml" if form.startswith("xml") else "json"
        suffix = {"json": "", "xml": "", "xml-soap11": ".soap11", "xml-soap12": ".soap12"}[form]
        rel = f"{entity}/{name}{suffix}.{ext}"
        if raw is not None:
            text = raw
        elif ext == "json":
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        else:
            text = to_xml(data, {"xml": None, "xml-soap11": "1.1", "xml-soap12": "1.2"}[form])
        write(rel, text)
        entry = {"packet": rel}
        if caller:
            entry["entity"] = caller
        if lang:
            entry["lang"] = lang
        if dictionaries:
            entry["dictionaries"] = dictionaries
        if max_findings is not None:
            entry["max_findings"] = max_findings
        if error:
            entry["error"] = error
        else:
            entry["report"] = rel + (f".{lang}" if lang else "") + ".report.json"
            entry["triggers"] = sorted(set(triggers))
        if note:
            entry["note"] = note
        CASES.append(entry)


def one(entity, **changes):
    """A packet with one record: the base record with `changes` applied (None removes)."""
    r = copy.deepcopy(BASE[entity])
    for k, v in changes.items():
        if v is REMOVE:
            r.pop(k, None)
        else:
            r[k] = v
    return packet(entity, [r])


REMOVE = object()
digest_group_pending = []

# ---------------------------------------------------------------- valid packets, every entity, JSON and XML
for entity in BASE:
    case(entity, "valid", packet(entity, [copy.deepcopy(BASE[entity])]), forms=("json", "xml"))
case("plan_item", "valid", packet("plan_item", [copy.deepcopy(BASE["plan_item"])]), forms=("xml-soap11", "xml-soap12"))
case("plan_item", "valid", packet("plan_item", [copy.deepcopy(BASE["plan_item"])]), lang="kk", note="messages in one language")
case("lot", "bare-list", [copy.deepcopy(BASE["lot"])], caller="lot", forms=("json", "xml"),
     note="the regulation's collection of records, entity named by the caller")
second_result = dict(BASE["result"], bin_iin=BIN_B, h_state_member_id="potentialSupplier", price="28900.00")
case("result", "two-participants", packet("result", [copy.deepcopy(BASE["result"]), second_result]), forms=("json", "xml"),
     note="one lot, two rows: the key is id + bin_iin")

# ---------------------------------------------------------------- every field, one record each
def schema_fields(entity):
    schema = json.load(open(os.path.join(ROOT, "../../schemas", entity + ".schema.json"), encoding="utf-8"))
    return schema["properties"], schema["required"]


for entity in BASE:
    props, required = schema_fields(entity)
    missing, wrong = [], []
    for name in props:
        r = copy.deepcopy(BASE[entity])
        if name in required:
            r.pop(name, None)
            missing.append(r)
        r = copy.deepcopy(BASE[entity])
        r[name] = {"value": "x"}
        wrong.append(r)
    if entity == "contract":
        detail_props = json.load(open(os.path.join(ROOT, "../../schemas/contract.schema.json"), encoding="utf-8"))["$defs"]["detail"]["required"]
        for name in detail_props:
            r = copy.deepcopy(BASE[entity])
            r["details"][0]["id"] = guid(5000 + len(missing))
            r["details"][0].pop(name)
            missing.append(r)
    # Distinct keys, so that the only findings are the ones each record is about.
    for i, r in enumerate(missing + wrong):
        if entity == "contract" and isinstance(r.get("details"), list) and "id" in r["details"][0]:
            r["details"][0]["id"] = guid(6000 + i)
        for key in ("id", "download_url"):
            if key in r and not isinstance(r[key], dict):
                r[key] = guid(1000 + i) if key == "id" else BASE[entity][key] + "?" + str(i)
        if entity in ("participant", "unreliable_supplier") and not isinstance(r.get("bin_iin"), dict) and "bin_iin" in r:
            r["bin_iin"] = with_check("0811400%04d" % i)
    case(entity, "each-mandatory-missing", packet(entity, missing), triggers=["field.missing"], forms=("json", "xml"),
         note="record i lacks the i-th mandatory field")
    case(entity, "each-field-an-object", packet(entity, wrong), triggers=["field.type"],
         note="record i has an object in the i-th field")

# ---------------------------------------------------------------- the acceptance case: exactly three findings
case("plan_item", "three-findings", one("plan_item", customer_bin=BAD_CHECK, h_method_trade_id="openTendr", price="24.16"),
     triggers=["bin.checksum", "dictionary.unknown_code", "plan.sum_mismatch"], forms=("json", "xml"))
for lang in ("ru", "kk", "en"):
    case("plan_item", "three-findings", one("plan_item", customer_bin=BAD_CHECK, h_method_trade_id="openTendr", price="24.16"),
         triggers=["bin.checksum", "dictionary.unknown_code", "plan.sum_mismatch"], lang=lang, note="messages in one language")

# ---------------------------------------------------------------- presence and shape
case("plan_item", "field-missing", one("plan_item", name_ru=REMOVE, h_skp_id=None), triggers=["field.missing"], forms=("json", "xml"),
     note="name_ru absent and h_skp_id null: field.missing only (no bilingual finding for a mandatory Russian text)")
case("plan_item", "text-blank", one("plan_item", obosnovanie="   ", number=""), triggers=["text.blank"], forms=("json", "xml"))
case("plan_item", "field-type", one("plan_item", name_ru=5, customer_bin=81140000436, h_status_id=["approved"]), triggers=["field.type"])
case("plan_item", "field-unknown", one("plan_item", sumyear1="28980.00", comment="x"), triggers=["field.unknown"],
     note="warnings only: the packet is accepted")
raw_dup = json.dumps(one("plan_item"), ensure_ascii=False, indent=2).replace('"price": "24.15",', '"price": "24.15",\n      "price": "25.00",')
assert raw_dup.count('"price"') == 2
case("plan_item", "field-duplicate", None, triggers=["field.duplicate"], raw=raw_dup + "\n")
case("plan_item", "record-type", packet("plan_item", ["2024-001-1", None]), triggers=["record.type"])
case("plan_item", "record-duplicate-key", packet("plan_item", [copy.deepcopy(BASE["plan_item"]), dict(BASE["plan_item"], number="2024-001-2", id=BASE["plan_item"]["id"].upper())]),
     triggers=["record.duplicate_key"], note="GUIDs compare case-insensitively")

# ---------------------------------------------------------------- field kinds
case("plan_item", "guid-format", one("plan_item", id="2024-001-1"), triggers=["guid.format"], forms=("json", "xml"))
case("plan_item", "decimal-format", one("plan_item", volume="1 200,5"), triggers=["decimal.format"], forms=("json", "xml"),
     note="one cause, one finding: no plan.sum_mismatch when the volume is unreadable")
case("plan_item", "decimal-negative", one("plan_item", price=-24.15, volume="-1200"), triggers=["decimal.negative"])
case("plan_item", "decimal-range", one("plan_item", volume="12345678901234567890"), triggers=["decimal.range"])
case("plan_item", "decimal-exact", one("plan_item", volume="3", price="0.1", sum="0.30", sum_year1=0.3),
     note="3 × 0.1 = 0.30 exactly (binary floating point gives 0.30000000000000004)")
case("plan_item", "amount-scale", one("plan_item", price="24.155", sum="28986.00", sum_year1="28986"), triggers=["amount.scale"])
case("plan_item", "percent-range", one("plan_item", advance=130, last_pay="-30"), triggers=["percent.range", "decimal.negative"])
case("plan_item", "bin-format", one("plan_item", customer_bin="08114000043"), triggers=["bin.format"], forms=("json", "xml"))
case("plan_item", "bin-checksum", one("plan_item", customer_bin=BAD_CHECK), triggers=["bin.checksum"])
case("plan_item", "bin-structure", one("plan_item", customer_bin=IIN_A), triggers=["bin.structure"], note="an IIN where a BIN is required")
BIN_TYPE_9 = next(with_check("08119000" + "%03d" % n) for n in range(1000) if check_digit("08119000" + "%03d" % n))
case("participant", "bin-type", one("participant", bin_iin=BIN_TYPE_9), triggers=["bin.structure"], note="digit 5 is 9: neither a BIN type nor an IIN day")
case("plan_item", "date-format", one("plan_item", delivery_date="2024-12-31"), triggers=["date.format"])
case("plan_item", "date-calendar", one("plan_item", delivery_date="31.02.2024"), triggers=["date.calendar"], forms=("json", "xml"))
case("plan_item", "year-format", one("plan_item", fin_year="24"), triggers=["year.format"])
case("plan_item", "month-range", one("plan_item", plan_date=13), triggers=["month.range"])
case("plan_item", "month-as-text", one("plan_item", plan_date="12", fin_year="2024"), note="month and year may be strings")
case("plan_item", "kato-format", one("plan_item", delivery_kato="71000000"), triggers=["kato.format"])
case("plan_item", "mkei-format", one("plan_item", h_mkei_id="6"), triggers=["mkei.format"])
case("plan_item", "mkei-leading-zero", one("plan_item", h_mkei_id="006"), note="MKEI 006 (metre): leading zeros are part of the code")
case("plan_item", "rca-format", one("plan_item", delivery_rca="12345678901234567"), triggers=["rca.format"])
case("plan_item", "enstru-format", one("plan_item", h_enstru15_id="351210900000000"), triggers=["enstru.format"],
     note="a warning: the packet is accepted")
case("plan_item", "url-format", one("plan_item", linkplan="eoz.example/plans/2024-001-1"), triggers=["url.format"])
case("plan_item", "dictionary-unknown-code", one("plan_item", h_status_id="Approved", h_tender_period_id="annual"),
     triggers=["dictionary.unknown_code"])
case("plan_item", "flags-unknown-code", one("plan_item", h_flag_member_list="domesticProducer, invalidOrganization,,nobody"),
     triggers=["flags.unknown_code"])

# ---------------------------------------------------------------- plan item format-logical control
case("plan_item", "plan-annual-year-sum", one("plan_item", sum_year1="20000.00"), triggers=["plan.annual_year_sum"])
case("plan_item", "plan-long-term-valid", one("plan_item", h_tender_period_id="longTermPlan", sum_year1="10000", sum_year2="10000", sum_year3="8980"))
case("plan_item", "plan-long-term-year-sums", one("plan_item", h_tender_period_id="longTermPlan", sum_year1="10000", sum_year2="10000"),
     triggers=["plan.long_term_year_sums"], forms=("json", "xml"))
case("plan_item", "plan-payments-total", one("plan_item", advance=30, step_pay="20", last_pay=60), triggers=["plan.payments_total"])
case("plan_item", "plan-sum-rounding", one("plan_item", volume="3", price="3.33", sum="9.99", sum_year1="9.99"),
     note="volume × price rounded half-up to 0.01")
case("plan_item", "plan-sum-rounding-half-up", one("plan_item", volume="0.5", price="0.05", sum="0.03", sum_year1="0.03"),
     note="0.025 rounds half-up to 0.03")
case("plan_item", "bilingual-ru-missing", one("plan_item", note_kz="Қосымша сипаттама"), triggers=["bilingual.ru_missing"], forms=("json", "xml"))

# ---------------------------------------------------------------- packet and header
h = packet("plan_item", [copy.deepcopy(BASE["plan_item"])])
h["header"]["rule_set"] = "eoz-2030"
case("plan_item", "header-rule-set-unknown", h, triggers=["header.rule_set_unknown"])
h = packet("plan_item", [copy.deepcopy(BASE["plan_item"])])
case("plan_item", "header-entity-mismatch", h, caller="lot", triggers=["header.entity_mismatch"],
     note="records are read as the header's entity; the mismatch is one finding")
h = packet("plan_item", [copy.deepcopy(BASE["plan_item"])])
h["header"].pop("packet_id")
h["header"]["created_at"] = "2024-02-01T10:00:00+05:00"
h["header"]["sender_bin"] = BAD_CHECK
case("plan_item", "header-fields", h, triggers=["field.missing", "datetime.format", "bin.checksum"], forms=("json", "xml"))
h = packet("plan_item", [copy.deepcopy(BASE["plan_item"])])
h["header"]["created_at"] = "30.02.2024 10:00"
h["header"]["entity"] = "plan_items"
case("plan_item", "header-entity-unknown", h, caller="plan_item", triggers=["datetime.calendar", "dictionary.unknown_code"])
case("plan_item", "packet-no-header", {"records": [copy.deepcopy(BASE["plan_item"])]}, caller="plan_item", triggers=["field.missing"])
case("plan_item", "packet-records-shape", {"header": dict(HEADER, entity="plan_item"), "records": {"id": guid(1)}, "meta": 1},
     triggers=["field.type", "field.unknown"])
case("plan_item", "packet-null-parts", {"header": None, "records": None}, caller="plan_item", triggers=["field.missing"], forms=("json", "xml"),
     note="null header and records are missing, as a null mandatory field is")
case("plan_item", "packet-no-records", {"header": dict(HEADER, entity="plan_item"), "recrods": []}, triggers=["field.missing", "field.unknown"])

# ---------------------------------------------------------------- lots
case("lot", "status-other-spelling", one("lot", h_status_id="published.Auction"), triggers=["dictionary.unknown_code"],
     note="the announcement dictionary's spelling is not a lot status (errata status-spellings)")
case("lot", "link-missing", one("lot", linklot=REMOVE), triggers=["field.missing"])

# ---------------------------------------------------------------- announcements
case("announcement", "publish-after-reception", one("announcement", publish_date="03.02.2024 09:00"),
     triggers=["announcement.publish_after_reception"], forms=("json", "xml"))
case("announcement", "reception-window", one("announcement", reception_to="02.02.2024 09:00"), triggers=["announcement.reception_window"])
case("announcement", "dates-malformed", one("announcement", publish_date="01.02.2024 9:00", reception_to="12.02.2024 25:00"),
     triggers=["datetime.format", "datetime.calendar"], note="malformed dates do not also break the date-order rules")
case("announcement", "email-format", one("announcement", organizer_email="zakup@example"), triggers=["email.format"])
case("announcement", "phone-format", one("announcement", organizer_phone="+7 7172 55 50 10"), triggers=["phone.format"])
case("announcement", "iin-is-bin", one("announcement", organizer_iin=BIN_B), triggers=["bin.structure"])
case("announcement", "status-other-spelling", one("announcement", status="published_Auction"), triggers=["dictionary.unknown_code"])
case("announcement", "kazakh-name-only", one("announcement", name_ru=REMOVE), triggers=["field.missing"])
case("announcement", "optional-iin-absent", one("announcement", organizer_iin=""), forms=("json", "xml"),
     note="an optional field may be blank (an empty XML element)")

# ---------------------------------------------------------------- contracts
case("contract", "works-services-share", one("contract", local_content=REMOVE, local_content_works_services=40))
case("contract", "local-content-missing", one("contract", local_content=REMOVE), triggers=["contract.local_content_missing"], forms=("json", "xml"))
two = copy.deepcopy(BASE["contract"])
two["lot_count"] = 3
two["details"].append(dict(two["details"][0], id=guid(411), lot_id=guid(201)))
case("contract", "lot-count-mismatch", packet("contract", [two]), triggers=["contract.lot_count_mismatch"], forms=("json", "xml"))
dup = copy.deepcopy(BASE["contract"])
dup["lot_count"] = "2"
dup["details"].append(dict(dup["details"][0], lot_id=guid(201)))
case("contract", "detail-duplicate-id", packet("contract", [dup]), triggers=["record.duplicate_key"])
bad_detail = copy.deepcopy(BASE["contract"])
bad_detail["details"][0].pop("lot_id")
bad_detail["details"][0]["dolya_t"] = "100.5"
bad_detail["details"][0]["release_date"] = bad_detail["details"][0].pop("realese_date")
case("contract", "detail-fields", packet("contract", [bad_detail]), triggers=["field.missing", "percent.range", "field.unknown"], forms=("json", "xml"))
case("contract", "count-format", one("contract", lot_count="1.0"), triggers=["count.format"])
case("contract", "details-shape", one("contract", details={"id": guid(410)}), triggers=["field.type"])
case("contract", "currency-typo", one("contract", h_currency_id="KZ"), triggers=["dictionary.unknown_code"])

# Run-time dictionaries: a value agreed by the parties is accepted only with the dictionary file.
AGREEMENT = {"rule_set": "eoz-2019", "version": "2026-11 agreement: yuan added",
             "dictionaries": {"currency": {"mode": "extend", "entries": [{"const": "CNY", "title": "Китайский юань"}]},
                              "contract_type": {"mode": "replace", "entries": [{"const": "mainContract", "title": "Основной договор"}]}}}
write("dictionaries/agreement.json", json.dumps(AGREEMENT, ensure_ascii=False, indent=2) + "\n")
case("contract", "currency-agreed", one("contract", h_currency_id="CNY"), triggers=["dictionary.unknown_code"],
     note="CNY is not in the built-in currency dictionary")
CASES[-1]["report"] = "contract/currency-agreed.json.builtin.report.json"
case("contract", "currency-agreed", one("contract", h_currency_id="CNY"), dictionaries="dictionaries/agreement.json",
     forms=("json", "xml"), note="accepted with the dictionary file that adds CNY; the report names its version")
case("contract", "contract-type-replaced", one("contract", h_order_type_id="additionalAgreement"), dictionaries="dictionaries/agreement.json",
     triggers=["dictionary.unknown_code"], note="a replaced dictionary no longer has the built-in codes the file dropped")

# ---------------------------------------------------------------- participants
case("participant", "resident-conflict", one("participant", h_flag_member_list="supplierNon-Resident"),
     triggers=["participant.resident_conflict"], forms=("json", "xml"))
case("participant", "non-resident", one("participant", h_flag_member_list="supplierNon-Resident", is_resident="false"))
case("participant", "boolean-format", one("participant", is_resident="yes"), triggers=["boolean.format"])
case("participant", "director-iin-is-bin", one("participant", director_iin=BIN_A, bin_iin=IIN_C), triggers=["bin.structure"],
     note="bin_iin accepts an IIN (an individual entrepreneur); director_iin does not accept a BIN")
case("participant", "legal-form-31", one("participant", h_opf_id="31", h_kato_fact_address="710000000"), note="code 31 is listed twice; accepted")
part_xml = to_xml(one("participant", email=None)).replace("<is_resident>", '<is_resident source="registry">').replace(
    "<h_opf_id>19</h_opf_id>", "<h_opf_id>19</h_opf_id>\n      <h_opf_id>20</h_opf_id>")
case("participant", "xml-attribute-and-repeat", None, triggers=["xml.attribute_ignored", "field.duplicate"], forms=("xml",), raw=part_xml,
     note="xsi:nil on an optional field is absent; another attribute is a warning; a repeated element is an error")

# ---------------------------------------------------------------- results
case("result", "duplicate-participant", packet("result", [copy.deepcopy(BASE["result"]), copy.deepcopy(BASE["result"])]),
     triggers=["record.duplicate_key"])
case("result", "finish-date-calendar", one("result", finish_date="14.02.2024 24:00"), triggers=["datetime.calendar"])
case("result", "status-unknown", one("result", h_state_member_id="loser"), triggers=["dictionary.unknown_code"])

# ---------------------------------------------------------------- registers
case("unreliable_supplier", "dates-order", one("unreliable_supplier", end_date="09.01.2023"), triggers=["register.dates_order"],
     forms=("json", "xml"))
case("unreliable_supplier", "same-day", one("unreliable_supplier", end_date="10.01.2023"), note="exclusion on the inclusion day is allowed")
case("legal_act", "adilet-url-format", one("legal_act", adilet_url="adilet.example/rus/docs/Z2400000106"), triggers=["url.format"])
case("legal_act", "kazakh-name-only", one("legal_act", name_ru=REMOVE), triggers=["field.missing"])

# ---------------------------------------------------------------- the regulation's letter (issue 9)
# Which fields Appendix 1 types «число», read from the regulation's own table (not from our schemas).
def appendix_number_fields():
    titles = {"ПЛАНЫ ЗАКУПОК": "plan_item", "ЛОТЫ": "lot", "ОБЪЯВЛЕНИЯ": "announcement", "ДОГОВОРЫ": "contract",
              "УЧАСТНИКИ": "participant", "ИТОГИ": "result", "РЕЕСТР НЕДОБРОСОВЕСТНЫХ/НЕНАДЕЖНЫХ УЧАСТНИКОВ": "unreliable_supplier",
              "РЕЕСТР НПА": "legal_act"}
    out, entity = {}, None
    with open(os.path.join(ROOT, "..", "..", "schemas", "source", "eoz-2019-appendix1.txt"), encoding="utf-8") as f:
        for line in f:
            heading = line.strip().strip("*#").strip()
            if heading in titles:
                entity = titles[heading]
                continue
            if heading == "СПРАВОЧНИКИ":
                break
            cols = line.rstrip("\n").split("\t")
            if entity and len(cols) == 4 and cols[3].strip():
                title, typ, name = cols[0], cols[1].strip(), cols[3].strip()
                # «число» and «число (N)», and the ОПФ dictionary whose codes are numbers; not «число, %».
                if (typ.startswith("число") and "%" not in typ) or "ОПФ" in typ:
                    length = 12 if "(12)" in typ else 9 if "КАТО" in title else 3 if "МКЕИ" in title else 0
                    out.setdefault(entity, {})[name] = length
    return out


NUMBER_FIELDS = appendix_number_fields()
assert NUMBER_FIELDS["plan_item"]["customer_bin"] == 12 and NUMBER_FIELDS["plan_item"]["h_mkei_id"] == 3, NUMBER_FIELDS
assert "bin_iin" not in NUMBER_FIELDS.get("unreliable_supplier", {}), "the register types bin_iin «строка(12)»"


def as_numbers(record, entity):
    """(digit-string twin, number twin): every «число» field of the record as a JSON number, and the
    same values as strings of digits (zeros kept only where the code has a fixed length)."""
    strings, numbers = copy.deepcopy(record), copy.deepcopy(record)
    for target_s, target_n, fields in [(strings, numbers, NUMBER_FIELDS.get(entity, {}))] + [
            (ds, dn, NUMBER_FIELDS.get("contract", {})) for ds, dn in zip(strings.get("details", []), numbers.get("details", []))]:
        for name, length in fields.items():
            value = target_s.get(name)
            if not isinstance(value, str):
                continue
            digits = value.lstrip("+")
            if not digits.isdigit():
                try:
                    target_n[name] = json.loads(digits)  # amounts: "24.15" -> 24.15
                except ValueError:
                    pass
                continue
            number = int(digits)
            target_n[name] = number
            target_s[name] = str(number).zfill(length)
    return strings, numbers


for entity in ("plan_item", "announcement", "contract", "participant", "result"):
    strings, numbers = as_numbers(BASE[entity], entity)
    case(entity, "numbers-as-numbers", packet(entity, [numbers]),
         triggers=["number.zeros_restored"] if entity in ("plan_item", "announcement", "contract") else [],
         note="every field Appendix 1 types «число» sent as a JSON number: accepted; lost leading zeros of BIN/KATO/MKEI restored (warning)")
    case(entity, "numbers-as-strings", packet(entity, [strings]), forms=("json", "xml"),
         note="the digit-string twin of numbers-as-numbers: the same digest")
    digest_group_pending.append((entity, [f"{entity}/numbers-as-strings.json", f"{entity}/numbers-as-numbers.json",
                                          f"{entity}/numbers-as-strings.xml"]))
case("plan_item", "number-checks-run", one("plan_item", customer_bin=81140000437, delivery_kato=71000000, h_mkei_id=6),
     triggers=["bin.checksum", "number.zeros_restored"],
     note="zeros restored (081140000437, 071000000, 006), then the usual checks: the check digit is wrong")
case("plan_item", "number-too-long", one("plan_item", customer_bin=1081140000436, delivery_kato=7100000001, h_mkei_id=12345),
     triggers=["bin.format", "kato.format", "mkei.format"])
case("plan_item", "number-form", one("plan_item", customer_bin=8.1140000436e10, delivery_kato=710000000.0, delivery_rca=-5),
     triggers=["number.form", "field.type"], note="a code must be a plain whole number: no exponent, fraction or sign")
case("participant", "number-unsafe-integer", one("participant", h_fact_rca=9007199254740993),
     triggers=["number.unsafe_integer"], note="a 16-digit code above 2^53 as a number: accepted with a warning")
case("participant", "legal-form-number", one("participant", h_opf_id=37, phone=717255502),
     triggers=["dictionary.unknown_code", "phone.format"], note="numbers are read as codes and checked: ОПФ 37 is not a code, a 9-digit phone is too short")
case("participant", "legal-form-number-valid", one("participant", h_opf_id=19, phone=77172555020),
     note="ОПФ 19 and the phone as JSON numbers: accepted")
case("participant", "string-typed-codes-as-numbers", one("participant", h_kato_jur_address=710000000, h_jur_rca=201100000012345),
     triggers=["field.type"], note="the participant's KATO and h_jur_rca are typed «строка»: numbers are not allowed there")
case("unreliable_supplier", "bin-as-number", one("unreliable_supplier", bin_iin=940140000385),
     triggers=["field.type"], note="the register types bin_iin «строка(12)»")
case("contract", "details-empty", one("contract", details=[]), triggers=["list.empty"], forms=("json", "xml"),
     note="the detail fields are mandatory: a contract needs at least one detail row")
two_certs = copy.deepcopy(BASE["contract"])
two_certs["details"].append(dict(two_certs["details"][0], id=guid(411), n_cert="0123457", lot_id=guid(200).upper()))
case("contract", "one-lot-two-certificates", packet("contract", [two_certs]), forms=("json", "xml"),
     note="two detail rows (two certificates) of one lot: lot_count 1 is right")
case("result", "two-winners", packet("result", [copy.deepcopy(BASE["result"]), dict(BASE["result"], bin_iin=BIN_B)]),
     triggers=["result.winner_repeated"], forms=("json", "xml"), note="one lot, two winners in one packet")
case("participant", "flag-unreliable", one("participant", h_flag_member_list="supplier,unreliableSupplier"),
     triggers=["flags.unknown_code"], note="the title names «ненадежный», the dictionary has no code for it: a warning")
case("participant", "email-format", one("participant", email="info at energo.kz"), triggers=["email.format"],
     note="typed «строка»: the e-mail form is a warning")

# Bounded findings: the report keeps the first five and counts the rest per code.
many_bad = [dict(copy.deepcopy(BASE["plan_item"]), id=guid(500 + i), customer_bin=BAD_CHECK, h_mkei_id="6", linkplan="x")
            for i in range(4)]
case("plan_item", "max-findings", packet("plan_item", many_bad), triggers=["bin.checksum", "mkei.format", "url.format"],
     max_findings=5, forms=("json", "xml"), note="12 findings, 5 kept; 'omitted' counts the other 7 per code; the verdict counts all")

# ---------------------------------------------------------------- inputs that are not packets (API errors, no report)
case("errors", "not-utf8", None, raw="", error="invalid_utf8")
case("errors", "malformed-json", None, raw='{"header": {"entity": "lot"}, "records": [\n', error="json")
case("errors", "malformed-xml", None, raw="<packet><header></packet>\n", forms=("xml",), error="xml")
case("errors", "doctype", None, raw='<?xml version="1.0"?>\n<!DOCTYPE packet [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<packet>&e;</packet>\n',
     forms=("xml",), error="xml_doctype")
case("errors", "foreign-envelope", None, raw='<Envelope xmlns="urn:example:not-soap"><Body><packet/></Body></Envelope>\n', forms=("xml",), error="xml")
case("errors", "bare-list-no-entity", None, raw="[]\n", error="entity_not_named")
case("errors", "unknown-entity", None, raw='{"header": {"entity": "tenders"}, "records": []}\n', error="unknown_entity")
case("errors", "not-a-packet", None, raw='"plan_item"\n', error="not_a_packet")

# not-utf8 needs raw bytes: overwrite it.
with open(os.path.join(ROOT, "errors/not-utf8.json"), "wb") as f:
    f.write(b'{"records": ["\xd0\xbf\xd0"]}\n')

# ---------------------------------------------------------------- Astana time: UTC+6 until 2024-02-29T18:00Z, then UTC+5
def switch_packet(created_at, **times):
    p = one("announcement", **times)
    p["header"]["created_at"] = created_at
    return p


case("announcement", "astana-switch-straddle",
     switch_packet("01.03.2024 00:30", publish_date="29.02.2024 23:30", reception_from="01.03.2024 00:10",
                   reception_to="01.03.2024 18:00"),
     forms=("json", "xml"), note="times on both sides of the 2024 switch, in order as instants; created after it (UTC+5)")
case("announcement", "astana-switch-window",
     switch_packet("29.02.2024 23:30", publish_date="29.02.2024 20:00", reception_from="01.03.2024 00:10",
                   reception_to="29.02.2024 23:50"),
     ["announcement.reception_window"], note="reception ends before it starts across the switch; created in the repeated hour (read as UTC+6)")

# ---------------------------------------------------------------- integrity digests: one packet in many forms
DIGESTS = []


def digest_group(name, forms, note):
    DIGESTS.append({"name": name, "packets": forms, "expected": f"digest/{name}.digests.json", "note": note})


def reordered(value):
    """The same data with every object's members in reverse order."""
    if isinstance(value, dict):
        return {k: reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(v) for v in value]
    return value


for entity in ("plan_item", "contract", "participant"):
    base = packet(entity, [copy.deepcopy(BASE[entity])])
    write(f"digest/{entity}.json", json.dumps(base, ensure_ascii=False, indent=2) + "\n")
    write(f"digest/{entity}.compact-reordered.json", json.dumps(reordered(base), ensure_ascii=False, separators=(",", ":")))
    write(f"digest/{entity}.xml", to_xml(base))
    write(f"digest/{entity}.soap12.xml", to_xml(reordered(base), "1.2"))
    forms = [f"digest/{entity}.json", f"digest/{entity}.compact-reordered.json", f"digest/{entity}.xml", f"digest/{entity}.soap12.xml"]
    if entity == "plan_item":
        # Numbers as numbers instead of strings, written differently, and nulls for absent optional fields.
        alt = copy.deepcopy(base)
        r = alt["records"][0]
        r["price"] = 24.150
        r["sum"] = 2.898e4
        r["volume"] = 1200
        r["note_ru"] = None
        r["sum_year2"] = ""
        write("digest/plan_item.typed.json", json.dumps(alt, ensure_ascii=False, indent=2) + "\n")
        forms.append("digest/plan_item.typed.json")
    digest_group(entity, forms, "the same packet as JSON, compact JSON with members reversed, XML, SOAP 1.2 XML: one digest")
changed = packet("plan_item", [copy.deepcopy(BASE["plan_item"])])
changed["records"][0]["price"] = "24.16"
changed["records"][0]["sum"] = "28992.00"
write("digest/plan_item.changed.json", json.dumps(changed, ensure_ascii=False, indent=2) + "\n")
write("digest/plan_item.changed.xml", to_xml(changed))
digest_group("plan_item.changed", ["digest/plan_item.changed.json", "digest/plan_item.changed.xml"],
             "one changed value (price, and the sum with it): a different digest from group plan_item")
DIGESTS[-1]["differs_from"] = "plan_item"

for entity, forms in digest_group_pending:
    digest_group(f"{entity}.numbers", forms, "every «число» field as digit strings, as JSON numbers, and as XML: one digest")

# The worked example of schemas/CANONICAL.md (hand-written files, kept as they are).
digest_group("vector", ["digest/vector.json", "digest/vector.xml"],
             "the worked example of CANONICAL.md: typed numbers, null and blank members, GUID case, XML form")

# Per-record digest lists and their comparison (the audit of Rules p.12).
three = packet("lot", [dict(copy.deepcopy(BASE["lot"]), id=guid(200 + i), number=f"2024-001-1-L{i + 1}") for i in range(3)])
write("digest/lots.json", json.dumps(three, ensure_ascii=False, indent=2) + "\n")
theirs = copy.deepcopy(three)
theirs["records"][1]["h_status_id"] = "cancelled"
write("digest/lots.theirs.json", json.dumps(theirs, ensure_ascii=False, indent=2) + "\n")
digest_group("lots", ["digest/lots.json"], "three lots: per-record digests")
digest_group("lots.theirs", ["digest/lots.theirs.json"], "the receiver's copy: the second lot's status differs")
DIFFS = [{"ours": "digest/lots.json", "theirs": "digest/lots.theirs.json", "expected": "digest/lots.diff.json",
          "note": "exactly the second lot is named as changed"},
         # Rules p.12 "changed properties": two packets compared field by field.
         {"ours": "digest/lots.json", "theirs": "digest/lots.theirs.json", "packets": True,
          "expected": "digest/lots.packets.diff.json", "note": "the second lot changed: its field h_status_id"},
         {"ours": "digest/plan_item.json", "theirs": "digest/plan_item.changed.xml", "packets": True,
          "expected": "digest/plan_item.changed.packets.diff.json", "note": "JSON against XML: price and sum changed"},
         {"ours": "digest/plan_item.json", "theirs": "digest/plan_item.typed.json", "packets": True,
          "expected": "digest/plan_item.typed.packets.diff.json", "note": "numbers written differently, nulls for absent fields: the same"}]
contracts = packet("contract", [copy.deepcopy(BASE["contract"]),
                                dict(copy.deepcopy(BASE["contract"]), id=guid(401), number="Д-2024/18")])
write("digest/contracts.json", json.dumps(contracts, ensure_ascii=False, indent=2) + "\n")
contracts_theirs = copy.deepcopy(contracts)
first = contracts_theirs["records"][0]
first["details"][0]["n_cert"] = "0123458"
first["local_content"] = "85.50"  # the same value
first.pop("linkkontrakt")
first["note"] = "extra"
contracts_theirs["records"][1] = dict(copy.deepcopy(BASE["contract"]), id=guid(402), number="Д-2024/19")
write("digest/contracts.theirs.xml", to_xml(contracts_theirs))
DIFFS.append({"ours": "digest/contracts.json", "theirs": "digest/contracts.theirs.xml", "packets": True,
              "expected": "digest/contracts.packets.diff.json",
              "note": "a detail row's certificate changed, a link missing, an unknown member added, 85.5 = 85.50; one contract only on each side"})

# ---------------------------------------------------------------- reply messages (Rules p.13, App. 2 scheme 1)
REPLIES = []
for packet_rel, fmt in (("plan_item/valid.json", "json"), ("plan_item/valid.json", "xml"),
                        ("plan_item/three-findings.json", "json"), ("plan_item/three-findings.xml", "xml"),
                        ("announcement/astana-switch-straddle.json", "json"), ("announcement/astana-switch-window.json", "xml")):
    name = packet_rel.replace("/", "-").rsplit(".", 1)[0]
    REPLIES.append({"packet": packet_rel, "format": fmt, "reply": f"reply/{name}.reply.{fmt}"})
# Rules p.18 (3): transfer within one hour of formation; times as instants across the 2024 switch.
for packet_rel, fmt, replied_at, tag, note in (
        ("plan_item/valid.json", "json", "01.02.2024 11:00", "in-hour", "exactly one hour after created_at: on time"),
        ("plan_item/valid.json", "xml", "01.02.2024 11:01", "late", "61 minutes after created_at: reply.transfer_late"),
        ("announcement/astana-switch-window.json", "json", "01.03.2024 00:10", "late-switch",
         "created 29.02.2024 23:30 (UTC+6), replied 01.03.2024 00:10 (UTC+5): 40 minutes on the clock, 100 in fact"),
        ("announcement/astana-switch-window.json", "xml", "29.02.2024 23:59", "in-hour-switch",
         "created and replied in the repeated hour, both read as UTC+6: 29 minutes")):
    name = packet_rel.replace("/", "-").rsplit(".", 1)[0]
    REPLIES.append({"packet": packet_rel, "format": fmt, "replied_at": replied_at,
                    "reply": f"reply/{name}.{tag}.reply.{fmt}", "note": note})

# ---------------------------------------------------------------- datasets: cross-entity checks
DATASETS = []


def dataset(name, packets, triggers=(), note=""):
    rels = []
    for label, data in packets:
        rel = f"dataset/{name}/{label}.json"
        write(rel, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        rels.append(rel)
    DATASETS.append({"name": name, "packets": rels, "report": f"dataset/{name}.report.json",
                     "triggers": sorted(set(triggers)), "note": note})


def full_load(**overrides):
    records = {e: [copy.deepcopy(BASE[e])] for e in ("plan_item", "announcement", "lot", "result", "contract")}
    records.update(overrides)
    return [(e, packet(e, rs)) for e, rs in records.items()]


dataset("full-load", full_load(), note="plan item → lot → announcement, result and contract detail → lot: every reference resolves")
dataset("lot-missing-announcement", [p for p in full_load() if p[0] != "announcement"],
        ["dataset.reference_missing"], "the lot's tender_id names an announcement no packet contains")
dataset("lot-missing-plan", full_load(lot=[dict(copy.deepcopy(BASE["lot"]), plan_id=guid(199))]),
        ["dataset.reference_missing"], "the lot's plan_id names a plan item no packet contains")
dataset("result-missing-lot", full_load(result=[dict(copy.deepcopy(BASE["result"]), id=guid(299))]),
        ["dataset.reference_missing"], "the result's id (a lot id) names no lot")
contract_bad = copy.deepcopy(BASE["contract"])
contract_bad["details"][0]["lot_id"] = guid(298)
dataset("detail-missing-lot", full_load(contract=[contract_bad]), ["dataset.reference_missing"],
        "a contract detail row's lot_id names no lot")
dataset("duplicate-id", full_load() + [("lot-again", packet("lot", [dict(copy.deepcopy(BASE["lot"]), number="2024-001-1-L1-copy")]))],
        ["dataset.duplicate_key"], "the same lot id in two packets")
dataset("announcement-sum", full_load(announcement=[dict(copy.deepcopy(BASE["announcement"]), sum="30000.00")]),
        ["dataset.announcement_sum_mismatch"], "the announcement's sum differs from its lot's plan-item sum")
second_plan = dict(copy.deepcopy(BASE["plan_item"]), id=guid(101), number="2024-001-2", price="10.00", volume="100", sum="1000.00", sum_year1="1000.00")
second_lot = dict(copy.deepcopy(BASE["lot"]), id=guid(201), plan_id=guid(101), number="2024-001-1-L2")
dataset("announcement-two-lots", full_load(plan_item=[copy.deepcopy(BASE["plan_item"]), second_plan],
                                           lot=[copy.deepcopy(BASE["lot"]), second_lot],
                                           announcement=[dict(copy.deepcopy(BASE["announcement"]), sum="29980.00")]),
        note="an announcement with two lots: its sum is the sum of both plan items")
dataset("two-winners", full_load() + [("result-again", packet("result", [dict(copy.deepcopy(BASE["result"]), bin_iin=BIN_B)]))],
        ["dataset.winner_repeated"], "two winners for one lot, in two results packets")
dataset("two-winners-one-packet", full_load(result=[copy.deepcopy(BASE["result"]), dict(copy.deepcopy(BASE["result"]), bin_iin=BIN_B)]),
        ["result.winner_repeated"], "two winners for one lot in one packet: the packet's own finding, not repeated by the dataset")

# Consistency the tables imply (warnings, errata dataset-consistency): each defect alone, then all at once.
dataset("customer-mismatch", full_load(announcement=[dict(copy.deepcopy(BASE["announcement"]), customer_bin=BIN_B)],
                                       contract=[dict(copy.deepcopy(BASE["contract"]), customer_bin=BIN_B)]),
        ["dataset.customer_mismatch"], "the announcement's and the contract's customer is not the plan item's")
dataset("method-mismatch", full_load(contract=[dict(copy.deepcopy(BASE["contract"]), h_method_trade_id="fromSameSourceOnFailedProcurement")]),
        ["dataset.method_mismatch"], "the contract's procurement method is not the plan item's")
dataset("supplier-not-winner", full_load(contract=[dict(copy.deepcopy(BASE["contract"]), provider_bin=BIN_B)]),
        ["dataset.supplier_not_winner"], "the contract's supplier is not the lot's winner")
dataset("result-before-reception-end", full_load(result=[dict(copy.deepcopy(BASE["result"]), finish_date="12.02.2024 17:59")]),
        ["dataset.result_before_reception_end"], "results summed up a minute before reception ended")
dataset("result-at-reception-end", full_load(result=[dict(copy.deepcopy(BASE["result"]), finish_date="12.02.2024 18:00")]),
        note="results summed up the minute reception ended: consistent")
with open(os.path.join(ROOT, "manifest.json"), "w", encoding="utf-8", newline="\n") as f:
    json.dump({"description": "Conformance corpus. cases: every host validates each packet with the given options (entity, lang; dictionaries = a run-time dictionary file applied to the built-in rule set; max_findings = the most findings the report keeps) and must produce the report file byte for byte (or the API error kind); triggers: codes the report must contain. digests: every packet of a group has the group's packet digest and root for all four algorithms and its SHA-256 record list (differs_from: a group whose digests must all differ). diffs: the comparison of the per-record SHA-256 lists of two packets, byte for byte; with packets = true, the comparison of the two packets themselves (compare_packets: also the changed fields of each changed record). replies: the reply message (default options, and replied_at when given: the receiver's Astana time of the reply) in the given format, byte for byte. datasets: the packets validated together (labels = their paths here, messages in all three languages) give the dataset report byte for byte.",
               "cases": CASES, "digests": DIGESTS, "diffs": DIFFS, "replies": REPLIES, "datasets": DATASETS},
              f, ensure_ascii=False, indent=2)
    f.write("\n")
print(len(CASES), "cases,", len(DIGESTS), "digest groups,", len(REPLIES), "replies,", len(DATASETS), "datasets")
