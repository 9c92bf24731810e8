"""tekser.spark in Spark local mode: the dataset check as Spark joins gives the findings of
the single-machine dataset check (tekser check --dataset, here validate_dataset, the same
core) on a generated multi-entity dataset in which every dataset code is triggered, and on
every dataset of the conformance corpus; records validated by mapInArrow give
validate_arrow's findings; facts taken from DataFrames give the facts taken from packets.

Spark is not optional: when pyspark or Java is missing these tests fail and say so."""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pyarrow as pa
import pytest

import tekser

ROOT = pathlib.Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
DATASET_CODES = {
    "dataset.reference_missing",
    "dataset.duplicate_key",
    "dataset.announcement_sum_mismatch",
    "dataset.winner_repeated",
    "dataset.customer_mismatch",
    "dataset.method_mismatch",
    "dataset.supplier_not_winner",
    "dataset.result_before_reception_end",
}
GUID = re.compile(r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-)([0-9a-fA-F]{4})(-[0-9a-fA-F]{12})")


def _java_or_fail() -> None:
    java = shutil.which("java") or (os.environ.get("JAVA_HOME") and str(pathlib.Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    if not java:
        pytest.fail("host python/spark: Java is not installed (pyspark needs Java 17); install openjdk-17-jre-headless")
    done = subprocess.run([java, "-version"], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"host python/spark: `java -version` failed: {done.stderr.strip()}")


@pytest.fixture(scope="module")
def spark():
    try:
        from pyspark.sql import SparkSession
    except ImportError as missing:  # the suite installs pyspark: its absence is a failure
        pytest.fail(f"host python/spark: pyspark cannot be imported ({missing}); `cargo xtask python` installs it")
    _java_or_fail()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("tekser-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _generated_dataset(tmp: pathlib.Path) -> list[pathlib.Path]:
    """Every corpus dataset as one dataset: copy k of dataset k has its GUIDs' fourth group
    replaced by k, so copies do not meet, while each keeps its own defects (a repeated id,
    a missing reference, two winners, a mismatched customer…)."""
    files = []
    for k, case in enumerate(MANIFEST["datasets"], start=1):
        for rel in case["packets"]:
            text = (CORPUS / rel).read_text(encoding="utf-8")
            text = GUID.sub(lambda m, k=k: f"{m.group(1)}{k:04x}{m.group(3)}", text)
            target = tmp / f"{k:02d}-{case['name']}" / pathlib.Path(rel).name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            files.append(target)
    return files


def _expected(labelled: list[tuple[str, pathlib.Path]], lang: str = "ru"):
    report = tekser.validate_dataset([(label, path.read_bytes()) for label, path in labelled], lang=lang)
    doc = json.loads(report.to_json())
    rows = []
    for f in doc["findings"]:
        related = f.get("related") or {}
        rows.append((
            f["packet"], f.get("record"), f["path"], f.get("field"), f["code"], f["severity"], f["message"],
            related.get("entity"), related.get("packet"), related.get("path"), related.get("value"),
        ))
    return doc, sorted(rows, key=repr)


def _found(check):
    cols = ["packet", "record", "path", "field", "code", "severity", "message",
            "related_entity", "related_packet", "related_path", "related_value"]
    return sorted((tuple(r[c] for c in cols) for r in check.findings.collect()), key=repr)


def test_generated_dataset_spark_equals_single_machine(spark, tmp_path):
    import tekser.spark

    written = _generated_dataset(tmp_path)
    # A load's files in the order packet_files gives (sorted by path), on both sides.
    files = [pathlib.Path(p) for p in tekser.spark.packet_files(tmp_path)]
    assert sorted(files) == sorted(written) and len(files) == len(written)
    labelled = [(str(p.relative_to(tmp_path)), p) for p in files]
    doc, expected = _expected(labelled)
    codes = {row[4] for row in expected}
    assert DATASET_CODES <= codes, f"the generated dataset misses {DATASET_CODES - codes}"
    check = tekser.spark.check_packets(spark, files, labels=[label for label, _ in labelled], lang="ru")
    found = _found(check)
    missing = [row for row in expected if row not in found]
    extra = [row for row in found if row not in expected]
    assert not missing and not extra, (
        f"host python/spark: generated dataset ({len(files)} packets): "
        f"{len(missing)} findings missing, {len(extra)} extra; first missing {missing[:2]}, first extra {extra[:2]}"
    )
    packets = {r["packet"]: r.asDict() for r in check.packets.collect()}
    for summary in doc["packets"]:
        got = packets[summary["packet"]]
        for key in ("status", "entity", "rule_set", "rules_digest", "packet_id", "digest", "record_count", "errors", "warnings"):
            assert got[key] == summary[key], f"host python/spark: packet {summary['packet']}: {key}"
    assert check.accepted() == (doc["status"] == "accepted")
    counts = check.counts()
    for code in DATASET_CODES:
        assert counts[code] == sum(1 for row in expected if row[4] == code)
    # The README's recipe: the records of each entity as a DataFrame read on the executors,
    # row for row those of tekser.read_packets, and every finding on a lot row joins to it.
    labels = [label for label, _ in labelled]
    lots = tekser.spark.read_packets(spark, files, "lot", labels=labels)
    local = tekser.read_packets(files, "lot", labels=labels).read_all()
    assert lots.columns == local.schema.names
    assert sorted(map(tuple, lots.collect()), key=repr) == sorted(
        (tuple(r.values()) for r in local.to_pylist()), key=repr
    ), "host python/spark: read_packets(lot) differs from tekser.read_packets"
    on_lots = check.findings.join(lots.select("packet", "record"), ["packet", "record"])
    lot_packets = {r["packet"] for r in check.packets.filter("entity = 'lot'").collect()}
    assert on_lots.count() == sum(1 for row in expected if row[0] in lot_packets and row[1] is not None) > 0
    check.unpersist()


def test_unusable_packet_is_a_row(spark, tmp_path):
    import tekser.spark

    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    check = tekser.spark.check_packets(spark, [broken, tmp_path / "absent.json"], labels=["broken", "absent"])
    rows = {r["packet"]: r for r in check.packets.collect()}
    assert rows["broken"]["status"] == "unusable" and rows["broken"]["error"].startswith("json")
    assert rows["absent"]["status"] == "unusable" and "absent.json" in rows["absent"]["error"]
    assert not check.accepted()


def test_validate_dataframe_matches_validate_arrow(spark):
    import tekser.spark

    doc = json.loads((CORPUS / "plan_item" / "each-mandatory-missing.json").read_text(encoding="utf-8"))
    records = doc["records"] if isinstance(doc, dict) else doc
    good = json.loads((ROOT / "examples" / "plan_item.json").read_text(encoding="utf-8"))["records"]
    rows = [dict(r, _row=i) for i, r in enumerate((records + good) * 3)]
    table = pa.Table.from_pylist([{k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v) for k, v in r.items()} for r in rows])
    table = table.cast(pa.schema([(f.name, pa.string() if f.name != "_row" else pa.int64()) for f in table.schema]))
    df = spark.createDataFrame(table).repartition(3)
    findings = tekser.spark.validate(df, "plan_item", keep=["_row"], lang="en")
    got = sorted((r["_row"], r["path"], r["code"], r["message"]) for r in findings.collect())
    direct = tekser.validate_arrow(table.drop(["_row"]), entity="plan_item", lang="en")
    want = sorted(
        (f["record"], re.sub(r"^/[0-9]+", "", f["path"]), f["code"], f["message"])
        for f in direct.findings.to_pylist()
    )
    assert got == want, "host python/spark: validate(DataFrame) differs from validate_arrow"
    assert got, "the records have findings"


def test_facts_of_dataframes_equal_facts_of_packets(spark):
    import tekser.spark

    case = next(c for c in MANIFEST["datasets"] if c["name"] == "customer-mismatch")
    labelled = [(rel, CORPUS / rel) for rel in case["packets"]]
    check = tekser.spark.check_packets(spark, [p for _, p in labelled], labels=[label for label, _ in labelled], lang="kk")
    # Messages in another language than the generated dataset's.
    assert _found(check) == _expected(labelled, lang="kk")[1], "host python/spark: dataset customer-mismatch in kk"
    from_packets = sorted(tuple(r) for r in check.facts.drop("packet", "order").collect())
    frames = []
    for order, (label, path) in enumerate(labelled):
        doc = json.loads(path.read_text(encoding="utf-8"))
        entity = doc["header"]["entity"]
        table = pa.Table.from_pylist([dict(r, _packet=label, _order=order, _record=i) for i, r in enumerate(doc["records"])])
        frames.append(tekser.spark.facts(spark.createDataFrame(table), entity, packet="_packet", order="_order", record="_record"))
    union = frames[0]
    for frame in frames[1:]:
        union = union.unionByName(frame)
    from_frames = sorted(tuple(r) for r in union.drop("packet", "order").collect())
    assert from_frames == from_packets, "host python/spark: facts of DataFrames differ from facts of packets"
    cross = tekser.spark.check_facts(union)
    assert {r["code"] for r in cross.collect()} == {"dataset.customer_mismatch"}
    check.unpersist()
