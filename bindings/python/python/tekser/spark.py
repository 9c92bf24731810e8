"""Validate ЕОЗ data on Apache Spark: records partition by partition, datasets as joins.

Two things scale out here, both with the same Rust core as every other tekser host:

* **Records** (:func:`validate`): a DataFrame of one entity's records is validated on the
  executors with ``mapInArrow`` (each Arrow batch goes to :func:`tekser.validate_arrow`);
  the findings come back as a DataFrame that joins to the data on the columns you keep.
* **Datasets** (:func:`check_packets`, :func:`check_facts`): the dataset checks of
  ``tekser check --dataset`` (references between entities, keys unique across packets, an
  announcement's sum against its lots' plan items, one winner per lot, and the consistency
  warnings) split in two halves. Each packet is validated where it is read, and what the
  cross-entity checks need of it (ids, references, sums, customers, methods, times: its
  *facts*) becomes rows; the checks are then Spark joins and aggregations over those rows,
  so a full load needs no machine that holds all its ids. The findings are made by the
  core from what the joins found, so they are, message for message, those of
  ``tekser check --dataset`` on the same packets.

Example::

    from pyspark.sql import SparkSession
    import tekser.spark

    spark = SparkSession.builder.master("local[2]").getOrCreate()
    check = tekser.spark.check_packets(spark, ["load/plan.json", "load/lots.xml"], lang="en")
    check.findings.groupBy("code").count().show()
    print(check.accepted())

Packets are read by path on the executors: on a cluster, give paths every executor can
open (a shared file system). Messages are in one language (``ru``, ``kk`` or ``en``).
This module needs ``pyspark`` (and ``pyarrow``); ``import tekser`` does not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute is used on the executors

from . import _tekser, validate_arrow
from .loads import packet_files, read_packets as _read_packets

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "FACTS_SCHEMA",
    "FINDINGS_SCHEMA",
    "PACKETS_SCHEMA",
    "DatasetCheck",
    "check_facts",
    "check_packets",
    "facts",
    "packet_files",
    "read_packets",
    "validate",
]

#: Columns of a findings DataFrame (a packet's own findings and the cross-entity ones).
#: ``order`` is the packet's position in the dataset; ``related_*`` name the other side of a
#: cross-entity finding (null otherwise), as ``related`` does in the dataset report.
FINDINGS_SCHEMA = (
    "order long, packet string, record long, path string, field string, code string, "
    "severity string, message string, related_entity string, related_packet string, "
    "related_path string, related_value string"
)

#: Columns of a facts DataFrame: what the dataset checks keep of each record
#: (``tekser::Fact`` in the core). ``kind`` is key, plan_item, lot, announcement, result,
#: contract or detail; ``at_minutes`` is reception_to or finish_date in UTC minutes.
FACTS_SCHEMA = (
    "order long, packet string, entity string, kind string, record long, path string, "
    "id string, tender_id string, plan_id string, sum string, customer_bin string, "
    "method string, at_minutes long, at_shown string, winner boolean, bin string"
)

#: Columns of the packets DataFrame: one summary per packet, as in the dataset report;
#: status ``unusable`` (and ``error``) for an input that could not be read as a packet.
PACKETS_SCHEMA = (
    "order long, packet string, status string, entity string, rule_set string, "
    "rules_digest string, packet_id string, digest string, record_count long, "
    "errors long, warnings long, error string"
)

_PART_SCHEMA = (
    "part string, order long, packet string, entity string, record long, path string, "
    "status string, rule_set string, rules_digest string, packet_id string, digest string, "
    "record_count long, errors long, warnings long, error string, "
    "field string, code string, severity string, message string, related_entity string, "
    "related_packet string, related_path string, related_value string, "
    "kind string, id string, tender_id string, plan_id string, sum string, "
    "customer_bin string, method string, at_minutes long, at_shown string, winner boolean, "
    "bin string"
)


_ENTITIES = (
    "plan_item", "lot", "announcement", "contract", "participant", "result", "unreliable_supplier", "legal_act",
)


def _columns(ddl: str) -> list[str]:
    return [column.split()[0] for column in ddl.split(", ")]


def _arrow_schema(ddl: str) -> pa.Schema:
    types = {"string": pa.string(), "long": pa.int64(), "boolean": pa.bool_()}
    return pa.schema([(name, types[kind]) for name, kind in (c.split() for c in ddl.split(", "))])


@dataclass(frozen=True)
class DatasetCheck:
    """The result of a dataset check on Spark.

    ``packets``: one summary row per packet (:data:`PACKETS_SCHEMA`); ``findings``: every
    packet's own findings and the cross-entity findings (:data:`FINDINGS_SCHEMA`);
    ``cross_findings``: only the latter; ``facts``: the rows the joins ran over
    (:data:`FACTS_SCHEMA`). The DataFrames are lazy; what the packets gave and the
    cross-entity findings are persisted (at the first action), so that packets are read and
    joins run once; :meth:`unpersist` frees them.
    """

    packets: "DataFrame"
    findings: "DataFrame"
    cross_findings: "DataFrame"
    facts: "DataFrame"
    persisted: tuple = field(default=(), repr=False)

    def counts(self) -> dict[str, int]:
        """Findings per code, over every packet and the cross-entity checks."""
        return {row["code"]: row["count"] for row in self.findings.groupBy("code").count().collect()}

    def accepted(self) -> bool:
        """True when every packet is accepted and no cross-entity finding is an error (as
        ``tekser check --dataset``'s verdict)."""
        if self.packets.filter("status != 'accepted'").limit(1).count():
            return False
        return self.cross_findings.filter("severity = 'error'").limit(1).count() == 0

    def unpersist(self) -> None:
        """Frees what the check persisted."""
        for frame in self.persisted:
            frame.unpersist()


def read_packets(
    spark: "SparkSession",
    paths: Sequence[str | os.PathLike[str]],
    entity: str,
    *,
    labels: Sequence[str] | None = None,
    ruleset: str | None = None,
    partitions: int | None = None,
    batch_size: int = 10_000,
) -> "DataFrame":
    """The records of ``entity`` in packet files as a DataFrame, read on the executors.

    Each packet is streamed by :func:`tekser.read_packets` on an executor (any size), so
    the columns are the same: ``packet`` (the label: the path as given unless ``labels``
    name them), ``record`` (the index in the packet), each field of the entity as text as
    written, ``_other``. Packets of other entities give no rows; a packet that cannot be
    read fails the job with the error that names it (:func:`check_packets` lists such
    packets without failing). ``partitions`` defaults to one per packet, at most four per
    core. Join :attr:`DatasetCheck.findings` on ``packet`` and ``record``.
    """
    paths = [os.fspath(p) for p in paths]
    labels = [str(label) for label in labels] if labels is not None else paths
    if len(labels) != len(paths):
        raise ValueError(f"{len(labels)} labels for {len(paths)} packets")
    _, schema = _tekser._read_packets([], entity, ruleset=ruleset)
    ddl = ", ".join(
        f"`{f.name}` {'long' if f.name == 'record' and pa.types.is_integer(f.type) else 'string'}" for f in schema
    )
    if partitions is None:
        partitions = max(1, min(len(paths), spark.sparkContext.defaultParallelism * 4))
    rows = list(zip(labels, paths))
    inputs = spark.sparkContext.parallelize(rows, partitions).toDF("packet string, file string")

    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for label, file in zip(batch.column("packet").to_pylist(), batch.column("file").to_pylist()):
                records = _read_packets([file], entity, labels=[label], ruleset=ruleset, batch_size=batch_size, progress=False)
                yield from records

    return inputs.mapInArrow(read, ddl)


def check_packets(
    spark: "SparkSession",
    paths: Sequence[str | os.PathLike[str]],
    *,
    labels: Sequence[str] | None = None,
    lang: str = "ru",
    entity: str | None = None,
    ruleset: str | None = None,
    dictionaries: str | os.PathLike[str] | None = None,
    partitions: int | None = None,
) -> DatasetCheck:
    """Checks packet files as one dataset, as ``tekser check --dataset`` does, on Spark.

    Each packet is validated on an executor (streamed: any size), giving its summary, its
    own findings and its facts; the cross-entity checks are then :func:`check_facts`. A
    packet's label (``packet`` in every table) is its path as given unless ``labels`` name
    them; the order of ``paths`` is the dataset's order (the first occurrence of a key or a
    winner is the one in the earliest packet). ``partitions`` defaults to one per packet,
    at most four per core.
    """
    paths = [os.fspath(p) for p in paths]
    labels = list(labels) if labels is not None else paths
    if len(labels) != len(paths):
        raise ValueError(f"{len(labels)} labels for {len(paths)} packets")
    options = {"lang": lang, "entity": entity, "ruleset": ruleset, "dictionaries": dictionaries}
    if lang not in ("ru", "kk", "en"):
        raise ValueError(f"lang must be ru, kk or en (one message column), not {lang!r}")
    if partitions is None:
        partitions = max(1, min(len(paths), spark.sparkContext.defaultParallelism * 4))
    rows = [(i, label, path) for i, (label, path) in enumerate(zip(labels, paths))]
    inputs = spark.sparkContext.parallelize(rows, partitions).toDF("order long, packet string, file string")
    schema = _arrow_schema(_PART_SCHEMA)

    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for order, label, file in zip(*(batch.column(n).to_pylist() for n in ("order", "packet", "file"))):
                yield from _packet_parts(order, label, file, options, schema)

    parts = inputs.mapInArrow(read, _PART_SCHEMA).persist()
    packets = parts.filter("part = 'packet'").select(*_columns(PACKETS_SCHEMA))
    own = parts.filter("part = 'finding'").select(*_columns(FINDINGS_SCHEMA))
    facts_df = parts.filter("part = 'fact'").select(*_columns(FACTS_SCHEMA))
    # Persisted (lazily) too: a caller counts, shows and writes the findings, and each would
    # run every join again.
    cross = check_facts(facts_df, lang=lang, ruleset=ruleset, dictionaries=dictionaries).persist()
    return DatasetCheck(
        packets=packets, findings=own.unionByName(cross), cross_findings=cross, facts=facts_df, persisted=(parts, cross)
    )


def _packet_parts(order: int, label: str, file: str, options: Mapping[str, Any], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """One packet's summary, own findings and facts as batches of the part schema."""
    try:
        summary, own, found = _tekser._packet_facts(file, label, **options)
    except Exception as error:  # noqa: BLE001 - an unusable packet is a row, as the CLI says it
        kind = getattr(error, "kind", type(error).__name__)
        row = {"part": "packet", "order": order, "packet": label, "status": "unusable", "error": f"{kind}: {error}"}
        yield pa.RecordBatch.from_pylist([row], schema=schema)
        return
    yield pa.RecordBatch.from_pylist([{"part": "packet", "order": order, **summary}], schema=schema)
    for part, table in (("finding", own), ("fact", found)):
        if table.num_rows == 0:
            continue
        table = table.append_column("part", pa.array([part] * table.num_rows, pa.string()))
        table = table.append_column("order", pa.array([order] * table.num_rows, pa.int64()))
        for batch in _conform(table, schema).to_batches(max_chunksize=65_536):
            yield batch


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The table with every column of ``schema`` (missing ones null), in its order."""
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def check_facts(
    facts: "DataFrame",
    *,
    lang: str = "ru",
    ruleset: str | None = None,
    dictionaries: str | os.PathLike[str] | None = None,
) -> "DataFrame":
    """The cross-entity checks of a dataset as Spark joins over its facts.

    ``facts`` has the columns of :data:`FACTS_SCHEMA` (from :func:`check_packets` or
    :func:`facts`). Returns the cross-entity findings (:data:`FINDINGS_SCHEMA`): the same
    ones, with the same messages, that ``tekser check --dataset`` gives on those packets.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    f = facts
    place = ["order", "packet", "record", "path"]

    def of(kind: str):
        return f.filter(F.col("kind") == kind)

    def first(frame, key: str):
        """The first row per ``key`` in dataset order (what the core's maps keep)."""
        w = Window.partitionBy(key).orderBy("order", "record", "path")
        return frame.withColumn("_n", F.row_number().over(w)).filter("_n = 1").drop("_n")

    def label(packet, path, field=None):
        text = F.concat_ws(" ", packet, path)
        return F.concat(text, F.lit("/" + field)) if field else text

    def rows(frame, code, field, value, expected, related=None, rel_entity=None, rel_packet=None, rel_path=None, rel_value=None, there=None):
        lit_null = F.lit(None).cast("string")
        return frame.select(
            F.col("order"),
            F.col("packet"),
            F.col("record"),
            F.col("path"),
            (field if not isinstance(field, str) else F.lit(field)).alias("field"),
            F.lit(code).alias("code"),
            value.cast("string").alias("value"),
            expected.cast("string").alias("expected"),
            (related if related is not None else lit_null).alias("related"),
            (F.lit(rel_entity) if isinstance(rel_entity, str) else rel_entity if rel_entity is not None else lit_null).alias("related_entity"),
            (rel_packet if rel_packet is not None else lit_null).alias("related_packet"),
            (rel_path if rel_path is not None else lit_null).alias("related_path"),
            (rel_value if rel_value is not None else lit_null).alias("related_value"),
            (there[0] if there else F.lit(None).cast("long")).alias("_there_order"),
            (there[1] if there else F.lit(None).cast("long")).alias("_there_record"),
        )

    lots = of("lot")
    plans = of("plan_item")
    announcements = of("announcement")
    results = of("result")
    details = of("detail")
    contracts = of("contract")
    lot_ids = lots.filter("id is not null").select(F.col("id").alias("_id")).distinct()
    plan_ids = plans.select(F.col("id").alias("_id")).distinct()
    announcement_ids = announcements.select(F.col("id").alias("_id")).distinct()
    found = []

    # References: the dataset is complete (errata dataset-closed-world).
    def missing(frame, column, field, ids, target):
        unresolved = frame.filter(F.col(column).isNotNull()).join(ids, F.col(column) == F.col("_id"), "left_anti")
        return rows(
            unresolved, "dataset.reference_missing", field, F.col(column), F.lit(f"{target}.id"),
            rel_entity=target, rel_path=F.lit("/records/*/id"), rel_value=F.col(column),
        )

    found.append(missing(lots, "tender_id", "tender_id", announcement_ids, "announcement"))
    found.append(missing(lots, "plan_id", "plan_id", plan_ids, "plan_item"))
    found.append(missing(results, "id", "id", lot_ids, "lot"))
    found.append(missing(details, "id", "lot_id", lot_ids, "lot"))

    # Keys unique per entity across packets (repeats inside one packet are the packet's own).
    keys = of("key")
    firsts = first(keys.withColumn("_key", F.concat_ws("\u0000", "entity", "id")), "_key").select(
        "_key", F.col("order").alias("_f_order"), F.col("packet").alias("_f_packet"), F.col("path").alias("_f_path")
    )
    repeated = keys.withColumn("_key", F.concat_ws("\u0000", "entity", "id")).join(firsts, "_key").filter(
        F.col("order") != F.col("_f_order")
    )
    # The field a repeated key is reported on: the first of the entity's key fields.
    key_field = F.create_map(*[x for e in _ENTITIES for x in (F.lit(e), F.lit(_tekser._key_field(e)))])
    found.append(rows(
        repeated, "dataset.duplicate_key", key_field[F.col("entity")], F.col("id"),
        label(F.col("_f_packet"), F.col("_f_path")), rel_entity=F.col("entity"), rel_packet=F.col("_f_packet"),
        rel_path=F.col("_f_path"), rel_value=F.col("id"),
    ))

    # An announcement's sum is the sum of its lots' plan-item sums, when all of them resolve.
    first_plans = first(plans, "id").select(
        F.col("id").alias("_plan"), F.col("sum").alias("_plan_sum"), F.col("customer_bin").alias("_p_customer"),
        F.col("method").alias("_p_method"), F.col("order").alias("_p_order"), F.col("packet").alias("_p_packet"),
        F.col("record").alias("_p_record"), F.col("path").alias("_p_path"),
    )
    money = "decimal(38,18)"
    totals = (
        lots.filter("tender_id is not null")
        .join(first_plans, F.col("plan_id") == F.col("_plan"), "left")
        .groupBy(F.col("tender_id").alias("_tender"))
        .agg(
            F.count(F.lit(1)).alias("_lots"),
            F.count("_plan_sum").alias("_priced"),
            F.try_sum(F.col("_plan_sum").cast(money)).alias("_total"),
        )
        .filter("_lots = _priced and _total is not null")
    )
    first_announcements = first(announcements, "id")
    unequal = first_announcements.filter("sum is not null").join(totals, F.col("id") == F.col("_tender")).filter(
        F.col("sum").cast(money) != F.col("_total")
    )
    found.append(rows(unequal, "dataset.announcement_sum_mismatch", "sum", F.col("sum"), F.col("_total")))

    # One winner per lot across packets (two in one packet are the packet's own finding).
    winners = results.filter("winner")
    first_winners = first(winners, "id").select(
        F.col("id").alias("_lot"), F.col("order").alias("_w_order"), F.col("packet").alias("_w_packet"),
        F.col("record").alias("_w_record"), F.col("path").alias("_w_path"), F.col("bin").alias("_w_bin"),
    )
    again = winners.join(first_winners, F.col("id") == F.col("_lot")).filter(F.col("order") != F.col("_w_order"))
    found.append(rows(
        again, "dataset.winner_repeated", "h_state_member_id", F.col("id"), label(F.col("_w_packet"), F.col("_w_path")),
        rel_entity="result", rel_packet=F.col("_w_packet"), rel_path=F.col("_w_path"), rel_value=F.col("id"),
    ))

    # Consistency warnings (errata dataset-consistency), one per pair of records and code.
    def differ(frame, code, field, ours, theirs, there_packet, there_path, their_field, there_entity, there):
        frame = frame.filter(ours.isNotNull() & theirs.isNotNull() & (ours != theirs))
        return rows(
            frame, code, field, ours, theirs,
            related=label(there_packet, there_path, their_field),
            rel_entity=there_entity, rel_packet=there_packet,
            rel_path=F.concat(there_path, F.lit("/" + their_field)), rel_value=theirs, there=there,
        )

    plan_there = (F.col("_p_order"), F.col("_p_record"))
    announced = (
        lots.select(F.col("tender_id").alias("_t"), F.col("plan_id").alias("_pl"))
        .join(first_announcements, F.col("_t") == F.col("id"))
        .join(first_plans, F.col("_pl") == F.col("_plan"))
    )
    for code, field, ours, theirs in (
        ("dataset.customer_mismatch", "customer_bin", "customer_bin", "_p_customer"),
        ("dataset.method_mismatch", "h_method_trade_id", "method", "_p_method"),
    ):
        found.append(differ(announced, code, field, F.col(ours), F.col(theirs), F.col("_p_packet"), F.col("_p_path"), field, "plan_item", plan_there))

    first_lots = first(lots.filter("id is not null"), "id").select(
        F.col("id").alias("_lid"), F.col("plan_id").alias("_lplan"), F.col("tender_id").alias("_ltender")
    )
    contracted = details.select(F.col("order").alias("_d_order"), F.col("record").alias("_d_record"), F.col("id").alias("_dlot")).join(
        contracts, (F.col("_d_order") == F.col("order")) & (F.col("_d_record") == F.col("record"))
    )
    with_plan = contracted.join(first_lots, F.col("_dlot") == F.col("_lid")).join(first_plans, F.col("_lplan") == F.col("_plan"))
    for code, field, ours, theirs in (
        ("dataset.customer_mismatch", "customer_bin", "customer_bin", "_p_customer"),
        ("dataset.method_mismatch", "h_method_trade_id", "method", "_p_method"),
    ):
        found.append(differ(with_plan, code, field, F.col(ours), F.col(theirs), F.col("_p_packet"), F.col("_p_path"), field, "plan_item", plan_there))
    with_winner = contracted.join(first_winners, F.col("_dlot") == F.col("_lot"))
    found.append(differ(
        with_winner, "dataset.supplier_not_winner", "provider_bin", F.col("bin"), F.col("_w_bin"),
        F.col("_w_packet"), F.col("_w_path"), "bin_iin", "result", (F.col("_w_order"), F.col("_w_record")),
    ))

    timed = (
        results.filter("at_minutes is not null")
        .join(first_lots, F.col("id") == F.col("_lid"))
        .join(
            first_announcements.select(
                F.col("id").alias("_a"), F.col("at_minutes").alias("_end"), F.col("at_shown").alias("_end_shown"),
                F.col("order").alias("_a_order"), F.col("packet").alias("_a_packet"), F.col("record").alias("_a_record"),
                F.col("path").alias("_a_path"),
            ),
            F.col("_ltender") == F.col("_a"),
        )
        .filter(F.col("at_minutes") < F.col("_end"))
    )
    found.append(rows(
        timed, "dataset.result_before_reception_end", "finish_date", F.col("at_shown"), F.col("_end_shown"),
        related=label(F.col("_a_packet"), F.col("_a_path"), "reception_to"),
        rel_entity="announcement", rel_packet=F.col("_a_packet"),
        rel_path=F.concat(F.col("_a_path"), F.lit("/reception_to")), rel_value=F.col("_end_shown"),
        there=(F.col("_a_order"), F.col("_a_record")),
    ))

    everything = found[0]
    for frame in found[1:]:
        everything = everything.unionByName(frame)
    everything = everything.dropDuplicates(["code", "order", "record", "path", "field", "_there_order", "_there_record", "value", "expected"])
    options = {"lang": lang, "ruleset": ruleset, "dictionaries": dictionaries}
    out_schema = _arrow_schema(FINDINGS_SCHEMA)

    def render(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            made = _tekser._cross_findings(batch, **options)
            table = pa.Table.from_batches([batch])
            path = pa.compute.binary_join_element_wise(table.column("path"), table.column("field"), "/")
            columns = {
                "order": table.column("order"),
                "packet": table.column("packet"),
                "record": table.column("record"),
                "path": path,
                "field": table.column("field"),
                "code": table.column("code"),
                "severity": made.column("severity"),
                "message": made.column("message"),
                "related_entity": table.column("related_entity"),
                "related_packet": table.column("related_packet"),
                "related_path": table.column("related_path"),
                "related_value": table.column("related_value"),
            }
            yield from pa.Table.from_pydict(columns, schema=out_schema).to_batches()

    # The union has the partitions of every branch (dozens of small ones); rendering needs
    # no more tasks than there are cores.
    cores = max(1, facts.sparkSession.sparkContext.defaultParallelism)
    return everything.drop("_there_order", "_there_record").coalesce(cores).mapInArrow(render, FINDINGS_SCHEMA)


def validate(
    df: "DataFrame",
    entity: str,
    *,
    lang: str = "ru",
    keep: Sequence[str] = ("id",),
    columns: Mapping[str, str] | None = None,
    ruleset: str | None = None,
    dictionaries: str | os.PathLike[str] | None = None,
) -> "DataFrame":
    """Validates a DataFrame of ``entity`` records partition by partition on the executors.

    Each Arrow batch of a partition goes to :func:`tekser.validate_arrow` (columns are
    service names, or renamed by ``columns``; a null is an absent value). Returns one row
    per finding: the ``keep`` columns of the record it is about (to join back: its id, a
    packet label, a row number you added; those that are not fields of ``entity`` are
    carried, not validated), then field, code, severity, message, path
    (``/<field>`` inside the record) and related. Findings of a record do not depend on the
    other records, so the result does not depend on the partitioning; the checks of a
    packet as a whole (its header, repeated keys) are :func:`check_packets`' part.
    """
    from pyspark.sql.types import StructType

    keep = list(keep)
    missing = [name for name in keep if name not in df.columns]
    if missing:
        raise ValueError(f"keep names columns the DataFrame does not have: {missing}")
    kept_fields = [df.schema[name] for name in keep]
    finding_fields = "field string, code string, severity string, message string, path string, related string"
    out = StructType(kept_fields + list(StructType.fromDDL(finding_fields).fields))
    options = {"entity": entity, "lang": lang, "columns": dict(columns or {}), "ruleset": ruleset, "dictionaries": dictionaries}

    fields = set(_tekser._entity_fields(entity)) | set((columns or {}).keys())
    carried_only = [name for name in keep if name not in fields]

    def check(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            data = batch.drop_columns(carried_only) if carried_only else batch
            report = validate_arrow(data, **options)
            found = report.findings
            if found.num_rows == 0:
                continue
            rows = pa.array(found.column("record").to_pylist(), pa.int64())
            # A record's path in the batch is /<row>/<field>; the finding's is inside the record.
            path = pa.compute.replace_substring_regex(found.column("path"), r"^/[0-9]+", "")
            out = {name: batch.column(name).take(rows) for name in keep}
            out.update({n: found.column(n) for n in ("field", "code", "severity", "message")})
            out.update({"path": path, "related": found.column("related")})
            yield from pa.Table.from_pydict(out).to_batches()

    return df.mapInArrow(check, out)


def facts(
    df: "DataFrame",
    entity: str,
    *,
    packet: str | None = None,
    order: str | None = None,
    record: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> "DataFrame":
    """The dataset facts of a DataFrame of ``entity`` records (:data:`FACTS_SCHEMA`), for
    :func:`check_facts` together with other entities' facts.

    ``packet``, ``order`` and ``record`` name the columns that say which packet a row
    came from, that packet's position in the dataset and the row's index in it; without
    them every row is one packet named after the entity at position 0 and ``record`` is
    the row's position in its batch, which depends on the partitioning: give a record
    column when findings must point back at rows. A path is then ``/records/<record>``.
    """
    from pyspark.sql import functions as F

    carried = [c for c in (packet, order, record) if c]
    missing = [c for c in carried if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the DataFrame: {missing}")
    data_columns = [c for c in df.columns if c not in carried]
    source = df.select(
        *data_columns,
        (F.col(packet).cast("string") if packet else F.lit(entity)).alias("_packet"),
        (F.col(order).cast("long") if order else F.lit(0).cast("long")).alias("_order"),
        (F.col(record).cast("long") if record else F.lit(None).cast("long")).alias("_record"),
    )
    schema = _arrow_schema(FACTS_SCHEMA)
    options = {"entity": entity, "columns": dict(columns or {})}

    def gather(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            table = pa.Table.from_batches([batch])
            data = table.select(data_columns)
            report = validate_arrow(data, facts=True, max_findings=0, **options)
            found = report.facts
            if found is None or found.num_rows == 0:
                continue
            at = pa.array(found.column("record").to_pylist(), pa.int64())
            records = table.column("_record").take(at)
            records = pa.compute.coalesce(records, at)
            position = pa.compute.replace_substring_regex(found.column("path"), r"^/[0-9]+", "")
            prefix = pa.compute.binary_join_element_wise("/records", pa.compute.cast(records, pa.string()), "/")
            path = pa.compute.binary_join_element_wise(prefix, position, "")
            columns_out = {
                "order": table.column("_order").take(at),
                "packet": table.column("_packet").take(at),
                "record": records,
                "path": path,
            }
            for name in schema.names:
                if name not in columns_out:
                    columns_out[name] = found.column(name)
            yield from pa.Table.from_pydict(columns_out, schema=schema).to_batches()

    return source.mapInArrow(gather, FACTS_SCHEMA)
