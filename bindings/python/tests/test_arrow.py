"""validate_arrow on the Python host: Arrow data in (pyarrow, pandas, Polars), Arrow findings
out, and the same findings as the JSON path (validate_records) on the same records: every
record of every JSON corpus packet as a one-row table, and whole packets as one table."""

import datetime
import decimal
import json
import pathlib

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import tekser

ROOT = pathlib.Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
ENTITIES = {"plan_item", "lot", "announcement", "contract", "participant", "result", "unreliable_supplier", "legal_act"}


def _corpus_records():
    """(packet, entity, records) of every JSON corpus packet with a list of records."""
    out = []
    for case in MANIFEST["cases"]:
        packet = case["packet"]
        if not packet.endswith(".json") or case.get("error") or case.get("dictionaries"):
            continue
        doc = json.loads((CORPUS / packet).read_text(encoding="utf-8"))
        header = doc.get("header") if isinstance(doc, dict) else None
        records = doc.get("records") if isinstance(doc, dict) else doc
        entity = case.get("entity") or (header.get("entity") if isinstance(header, dict) else None)
        if entity in ENTITIES and isinstance(records, list):
            out.append((packet, entity, records))
    return out


CORPUS_RECORDS = _corpus_records()


def _findings(report):
    return sorted((f.code, f.path, f.field) for f in report.findings)


def _arrow_findings(report):
    return sorted((f["code"], f["path"], f["field"]) for f in report.findings.to_pylist())


def test_every_corpus_record_gives_the_json_paths_findings():
    compared, not_tables = 0, []
    for packet, entity, records in CORPUS_RECORDS:
        for i, record in enumerate(records):
            if not isinstance(record, dict):
                not_tables.append(f"{packet} record {i}: a {type(record).__name__}, not an object")
                continue
            table = pa.Table.from_pylist([record])
            arrow = tekser.validate_arrow(table, entity=entity, lang="en")
            json_path = tekser.validate_records([record], entity=entity, lang="en")
            assert _arrow_findings(arrow) == _findings(json_path), f"host python-arrow: {packet} record {i}"
            assert arrow.status == json_path.status
            compared += 1
    # Records that are not objects have no Arrow row; they are named, not skipped silently.
    assert compared >= 300, (compared, not_tables)
    assert len(not_tables) <= 10, not_tables


def test_whole_packets_as_one_table():
    compared = 0
    for packet, entity, records in CORPUS_RECORDS:
        if not all(isinstance(r, dict) for r in records):
            continue
        # Every key of any record is a column (pyarrow's from_pylist would keep the first
        # record's keys only); a record without it has a null there.
        keys = list(dict.fromkeys(k for r in records for k in r))
        try:
            table = pa.table({k: [r.get(k) for r in records] for k in keys})
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            continue  # values of one field with different JSON types: no single Arrow type
        arrow = tekser.validate_arrow(table, entity=entity, lang="en")
        json_path = tekser.validate_records(records, entity=entity, lang="en")
        # A null is an absent member, so JSON's absent members and Arrow's nulls agree.
        assert _arrow_findings(arrow) == _findings(json_path), f"host python-arrow: {packet}"
        assert arrow.record_count == len(records)
        compared += 1
    assert compared >= 50, compared


def _plan_item():
    records = next(r for p, _, r in CORPUS_RECORDS if p == "plan_item/valid.json")
    return dict(records[0])


def test_findings_table_joins_back_and_counts():
    good = _plan_item()
    bad = dict(good, id="not-a-guid", sum="-1")
    table = pa.Table.from_pylist([good, bad, good])
    report = tekser.validate_arrow(table, entity="plan_item", lang="en", id_column="number")
    findings = report.findings
    assert findings.column_names == ["record", "record_id", "field", "code", "severity", "message", "path", "related"]
    rows = findings.to_pylist()
    assert {r["record"] for r in rows} >= {1}
    assert all(r["record_id"] == bad["number"] for r in rows if r["record"] == 1)
    assert report.counts.get("guid.format") == 1
    assert report.errors == sum(n for code, n in report.counts.items() if any(r["code"] == code and r["severity"] == "error" for r in rows))
    assert not report.accepted and report.status == "rejected"
    # Joined back to the data by row number.
    joined = pa.Table.from_pylist([{"record": i, **r} for i, r in enumerate([good, bad, good])]).join(findings, "record", join_type="inner")
    assert joined.num_rows == findings.num_rows


def test_pandas_and_polars_frames():
    records = [_plan_item(), dict(_plan_item(), id="x")]
    expected = _arrow_findings(tekser.validate_arrow(pa.Table.from_pylist(records), entity="plan_item"))
    assert expected
    frame = pd.DataFrame(records)
    assert _arrow_findings(tekser.validate_arrow(pa.Table.from_pandas(frame, preserve_index=False), entity="plan_item")) == expected
    assert _arrow_findings(tekser.validate_arrow(pl.DataFrame(records), entity="plan_item")) == expected
    # Batches: a RecordBatchReader is read batch by batch, record numbers continue.
    table = pa.Table.from_pylist(records * 3)
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=2))
    streamed = tekser.validate_arrow(reader, entity="plan_item")
    assert streamed.record_count == 6
    rows = streamed.findings.to_pylist()
    assert sorted({r["record"] for r in rows if r["code"] == "guid.format"}) == [1, 3, 5]
    # Keys are checked across batches too: the repeated valid ids are duplicates (an id that
    # is not a GUID is not a key).
    assert sorted({r["record"] for r in rows if r["code"] == "record.duplicate_key"}) == [2, 4]


def test_arrow_types_become_the_regulations_forms():
    base = _plan_item()
    text = tekser.validate_records([base], entity="plan_item", lang="en")
    assert text.accepted
    # The same record with typed columns: decimals, integers, dates, categorical strings.
    typed = dict(base)
    typed["sum"] = decimal.Decimal(str(base["sum"]))
    fields = []
    for name, value in typed.items():
        if isinstance(value, decimal.Decimal):
            fields.append(pa.field(name, pa.decimal128(18, 2)))
        else:
            fields.append(pa.field(name, pa.infer_type([value])))
    table = pa.Table.from_pylist([typed], schema=pa.schema(fields))
    assert _arrow_findings(tekser.validate_arrow(table, entity="plan_item")) == _findings(text)
    dictionary = table.set_column(table.schema.get_field_index("id"), "id", pa.array([base["id"]]).dictionary_encode())
    assert _arrow_findings(tekser.validate_arrow(dictionary, entity="plan_item")) == _findings(text)


def test_dates_and_timestamps():
    # legal_act: accept_date is a date; Arrow dates and Astana timestamps read as the regulation writes them.
    records = next(r for p, _, r in CORPUS_RECORDS if p.startswith("legal_act/valid"))
    record = dict(records[0])
    day = datetime.datetime.strptime(record["accept_date"], "%d.%m.%Y").date()
    table = pa.table({**{k: [v] for k, v in record.items() if k != "accept_date"}, "accept_date": pa.array([day], pa.date32())})
    assert tekser.validate_arrow(table, entity="legal_act").accepted
    packet = pa.table({"t": pa.array([datetime.datetime(2024, 2, 1, 5, 0)], pa.timestamp("s", tz="UTC"))})
    # 05:00 UTC on 01.02.2024 is 11:00 in Astana (UTC+6 then): an unknown field, but read.
    report = tekser.validate_arrow(packet, entity="legal_act", lang="en")
    assert any(r["code"] == "field.unknown" for r in report.findings.to_pylist())


def test_unusable_input_raises():
    with pytest.raises(TypeError):
        tekser.validate_arrow(pa.table({"id": pa.array([b"\x00"], pa.binary())}), entity="lot")
    with pytest.raises(ValueError):
        tekser.validate_arrow(pa.table({"id": ["x"]}), entity="lot", lang="all")
    with pytest.raises(Exception):
        tekser.validate_arrow([{"id": "x"}], entity="lot")
