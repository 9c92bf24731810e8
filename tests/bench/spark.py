"""tekser.spark on local[1] against local[2] on the same data, alternating the runs and taking
medians; part of `cargo xtask bench`.

Run: python3 tests/bench/spark.py PACKET.json [--packets N] [--runs N]

The packet's records are split into N packets (a load is many packets), which are checked as
one dataset (check_packets: each packet validated on an executor, then the joins), and the
same records are validated as a DataFrame (validate: mapInArrow). Each measurement is its
own process with its own Spark session, so that local[1] and local[2] do not share a JVM;
Spark's start-up and a warm-up run are outside the time."""

import json
import os
import pathlib
import statistics
import subprocess
import sys
import time


def child(master: str, folder: str) -> None:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    import pyarrow as pa
    from pyspark.sql import SparkSession

    import tekser.spark

    spark = (
        SparkSession.builder.master(master)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", master[6:-1])
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    files = sorted(pathlib.Path(folder).glob("part-*.json"))
    records = []
    for f in files:
        records.extend(json.loads(f.read_text(encoding="utf-8"))["records"])
    keys = list(dict.fromkeys(k for r in records for k in r))
    table = pa.table({k: [r.get(k) for r in records] for k in keys})
    df = spark.createDataFrame(table).persist()
    df.count()

    def dataset():
        check = tekser.spark.check_packets(spark, files)
        n = check.findings.count()
        check.unpersist()
        return n

    def frame():
        return tekser.spark.validate(df, "plan_item").count()

    dataset(), frame()  # warm-up: JIT, Python workers
    out = {}
    for name, call in (("check_packets", dataset), ("validate", frame)):
        start = time.perf_counter()
        call()
        out[name] = time.perf_counter() - start
    out["records"] = len(records)
    print(json.dumps(out))
    spark.stop()


def main() -> None:
    if sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    path = pathlib.Path(sys.argv[1])
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    parts = int(sys.argv[sys.argv.index("--packets") + 1]) if "--packets" in sys.argv else 16
    doc = json.loads(path.read_bytes())
    folder = path.parent / f"spark.{path.stem}.{parts}"
    folder.mkdir(exist_ok=True)
    records = doc["records"]
    size = -(-len(records) // parts)
    for i in range(parts):
        target = folder / f"part-{i:03d}.json"
        if not target.exists():
            part = {"header": dict(doc["header"]), "records": records[i * size:(i + 1) * size]}
            target.write_text(json.dumps(part, ensure_ascii=False), encoding="utf-8")
    times = {"local[1]": [], "local[2]": []}
    n = 0
    for _ in range(runs):
        for master in times:
            done = subprocess.run(
                [sys.executable, __file__, "--child", master, str(folder)], capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(f"spark bench ({master}) failed:\n{done.stderr[-3000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            n = result.pop("records")
            times[master].append(result)
    print(f"\n### tekser.spark: {n:,} plan items in {parts} packets, median of {runs} alternating runs\n")
    print("| job | local[1] s | local[2] s | local[1] records/s | local[2] records/s | local[2] speed-up |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for job, what in (("check_packets", "check_packets (dataset: packets, then joins)"), ("validate", "validate (DataFrame, mapInArrow)")):
        one = statistics.median(r[job] for r in times["local[1]"])
        two = statistics.median(r[job] for r in times["local[2]"])
        print(f"| {what} | {one:.2f} | {two:.2f} | {n / one:,.0f} | {n / two:,.0f} | {one / two:.2f}× |")


if __name__ == "__main__":
    main()
