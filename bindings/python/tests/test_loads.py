"""tekser.read_packets on the Python host: the records of packet files as Arrow batches.

Every JSON corpus packet that the check reads gives, row for row, its records as the JSON
text writes them (read here with Python's json module, not with tekser); each XML twin
gives the rows of its JSON twin; batches have at most the rows asked for; a packet of another
entity is skipped and an unreadable one raises the check's error, naming it."""

import json
import pathlib

import polars as pl
import pyarrow as pa
import pytest

import tekser

ROOT = pathlib.Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))


def _usable_cases():
    """(packet, entity) of every corpus packet the check reads (a report, not an error)."""
    out = []
    for case in MANIFEST["cases"]:
        if case.get("error"):
            continue
        try:
            report = tekser.validate((CORPUS / case["packet"]).read_bytes(), entity=case.get("entity"))
        except tekser.TekserError:
            continue
        out.append((case["packet"], report.entity))
    return out


CASES = _usable_cases()


class _Literal(str):
    """A JSON number kept as its literal text."""


def _cell(value):
    """What a field's column holds for a JSON value: text as is, a number's literal,
    true/false, nested values as JSON (compared by meaning), None for null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return ("json", _plain(value))


def _plain(value):
    """A value with number literals as Python numbers, for comparing nested JSON."""
    if isinstance(value, _Literal):
        return json.loads(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return [(k, _plain(v)) for k, v in value]
    return value


def _expected_rows(packet: str, entity: str):
    """The rows of a JSON packet, from its text."""
    doc = json.loads(
        (CORPUS / packet).read_text(encoding="utf-8"),
        parse_float=_Literal,
        parse_int=_Literal,
        object_pairs_hook=tuple,
    )
    records = doc if isinstance(doc, list) else next((v for k, v in doc if k == "records"), [])
    if not isinstance(records, list):
        records = []
    fields = tekser._tekser._entity_fields(entity)
    rows = []
    for index, record in enumerate(records):
        row = {"packet": packet, "record": index, **{f: None for f in fields}}
        other = []
        if isinstance(record, tuple):
            taken = set()
            for name, value in record:
                if name in fields and name not in taken and value is not None:
                    taken.add(name)
                    row[name] = str(value) if isinstance(value, _Literal) else _cell(value)
                elif name in fields and name not in taken:
                    continue
                else:
                    other.append((name, _plain(value)))
        else:
            other.append(("", _plain(record)))
        row["_other"] = ("json", other) if other else None
        rows.append(row)
    return rows


def _actual_rows(table: pa.Table, packet_label=None):
    rows = []
    for row in table.to_pylist():
        for name, value in row.items():
            if isinstance(value, str) and value[:1] in "[{" and name not in ("packet",):
                try:
                    parsed = json.loads(value, object_pairs_hook=lambda pairs: [tuple(p) for p in pairs])
                except json.JSONDecodeError:
                    continue
                if name == "_other":
                    row[name] = ("json", [(k, v) for k, v in parsed])
                else:
                    row[name] = ("json", parsed)
        if packet_label is not None:
            row["packet"] = packet_label
        rows.append(row)
    return rows


def _normalise(value):
    """Nested JSON compared by meaning: objects as lists of pairs, numbers as numbers."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "json":
        return ("json", json.dumps(_pairs(value[1]), sort_keys=False, ensure_ascii=False))
    return value


def _pairs(value):
    if isinstance(value, list):
        return [_pairs(v) for v in value]
    if isinstance(value, tuple):
        return ["__pair__", value[0], _pairs(value[1])]
    return value


@pytest.mark.parametrize("packet,entity", [c for c in CASES if c[0].endswith(".json")], ids=lambda v: str(v))
def test_records_of_every_json_packet_are_its_text(packet, entity):
    table = tekser.read_packets(CORPUS / packet, entity, labels=[packet], batch_size=7).read_all()
    expected = [{k: _normalise(v) for k, v in row.items()} for row in _expected_rows(packet, entity)]
    actual = [{k: _normalise(v) for k, v in row.items()} for row in _actual_rows(table)]
    assert actual == expected, f"host python-read_packets: packet {packet}"


XML_TWINS = [c[0] for c in CASES if c[0].endswith(".xml") and (CORPUS / (c[0][:-4] + ".json")).exists()]


def test_the_corpus_has_xml_twins():
    assert len(XML_TWINS) >= 10


@pytest.mark.parametrize("packet", XML_TWINS)
def test_xml_twin_gives_the_rows_of_its_json_twin(packet):
    twin = packet[: -len(".xml")] + ".json"
    entity = dict(CASES)[packet]
    xml = tekser.read_packets(CORPUS / packet, entity, labels=["p"]).read_all()
    js = tekser.read_packets(CORPUS / twin, entity, labels=["p"]).read_all()
    assert xml.to_pylist() == js.to_pylist(), f"host python-read_packets: packet {packet}"


def test_batches_have_at_most_the_rows_asked_for(tmp_path):
    files = []
    for i, count in enumerate([5, 0, 12]):
        records = [{"name_ru": f"Акт {i}-{n}", "accept_date": "01.07.2024"} for n in range(count)]
        doc = {"header": {"entity": "legal_act", "packet_id": "0f8fad5b-d9cb-469f-a165-70867728950e"}, "records": records}
        path = tmp_path / f"p{i}.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        files.append(path)
    seen = []
    records = tekser.read_packets(tmp_path, "legal_act", batch_size=4, progress=lambda r, b: seen.append((r, b)))
    sizes = [b.num_rows for b in records]
    assert sum(sizes) == 17 and max(sizes) == 4 and min(sizes) >= 1
    assert seen[-1][0] == 17 and seen[-1][1] == sum(p.stat().st_size for p in files)
    table = tekser.read_packets(tmp_path, "legal_act").read_all()
    assert table.column("packet").to_pylist() == [str(files[0])] * 5 + [str(files[2])] * 12
    assert table.column("record").to_pylist() == list(range(5)) + list(range(12))
    assert table.schema.names[:2] == ["packet", "record"] and table.schema.names[-1] == "_other"
    with pytest.raises(RuntimeError):
        list(records)


def test_other_entities_are_skipped_and_bare_lists_read_as_asked(tmp_path):
    (tmp_path / "a.json").write_text(
        json.dumps({"header": {"entity": "lot"}, "records": [{"id": "x"}]}), encoding="utf-8"
    )
    (tmp_path / "b.json").write_text(json.dumps([{"name_ru": "Закон", "extra": 1}]), encoding="utf-8")
    records = tekser.read_packets(tmp_path, "legal_act")
    table = records.read_all()
    assert table.num_rows == 1
    assert table.column("name_ru").to_pylist() == ["Закон"]
    assert json.loads(table.column("_other")[0].as_py()) == {"extra": 1}
    assert records.skipped == [(str(tmp_path / "a.json"), "a packet of lot, not legal_act")]


def test_an_unreadable_packet_raises_the_checks_error_naming_it(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"header": {"entity": "lot"}, "records": [{"id": ', encoding="utf-8")
    with pytest.raises(tekser.TekserError) as raised:
        tekser.read_packets(bad, "lot").read_all()
    assert raised.value.packet == str(bad)
    with pytest.raises(tekser.UnknownEntityError):
        tekser.read_packets(bad, "lots")
    with pytest.raises(FileNotFoundError):
        tekser.read_packets(tmp_path / "missing", "lot")


def test_arrow_consumers_take_the_records_directly():
    folder = CORPUS / "dataset" / "duplicate-id"
    files = tekser.packet_files(folder)
    table = pa.table(tekser.read_packets(folder, "lot"))
    frame = pl.from_arrow(tekser.read_packets(files, "lot").read_all())
    assert table.num_rows == frame.height > 0
    # The rows join to the findings of the dataset check on (packet, record).
    report = tekser.validate_dataset([(f, pathlib.Path(f).read_bytes()) for f in files])
    findings = pa.Table.from_pylist(
        [
            {"packet": label, "record": f.record_index}
            for label, one in report.reports
            if one.entity == "lot"
            for f in one.findings
            if f.record_index is not None
        ]
        + [
            {"packet": f["packet"], "record": f["record"]}
            for f in report.to_dict()["findings"]
            if f.get("packet") in table.column("packet").to_pylist() and f.get("record") is not None
        ]
    )
    assert findings.num_rows > 0
    joined = findings.join(table.select(["packet", "record", "id"]), ["packet", "record"])
    assert joined.num_rows == findings.num_rows
