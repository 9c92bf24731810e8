"""Records per second of tekser.validate_arrow against the JSON path (validate_records on the
same records as Python dicts, and validate on the packet's bytes), alternating the runs and
taking medians; part of `cargo xtask bench`. Run: python3 tests/bench/arrow.py PACKET.json [--runs N]"""

import json
import statistics
import sys
import time

import pyarrow as pa

import tekser


def main():
    path = sys.argv[1]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    raw = open(path, "rb").read()
    doc = json.loads(raw)
    entity = doc["header"]["entity"]
    records = doc["records"]
    keys = list(dict.fromkeys(k for r in records for k in r))
    table = pa.table({k: [r.get(k) for r in records] for k in keys})
    n = len(records)
    times = {"validate_arrow (pyarrow Table)": [], "validate_records (dicts → JSON)": [], "validate (packet bytes)": []}
    for _ in range(runs):
        start = time.perf_counter()
        a = tekser.validate_arrow(table, entity=entity)
        times["validate_arrow (pyarrow Table)"].append(time.perf_counter() - start)
        start = time.perf_counter()
        j = tekser.validate_records(records, entity=entity)
        times["validate_records (dicts → JSON)"].append(time.perf_counter() - start)
        start = time.perf_counter()
        tekser.validate(raw)
        times["validate (packet bytes)"].append(time.perf_counter() - start)
        assert a.record_count == j.record_count == n
    arrow = statistics.median(times["validate_arrow (pyarrow Table)"])
    print(f"\n### Arrow in Python: {n:,} {entity} records, median of {runs} alternating runs\n")
    print("| path | seconds | records/s | vs validate_arrow |")
    print("| --- | ---: | ---: | ---: |")
    for name, values in times.items():
        t = statistics.median(values)
        print(f"| {name} | {t:.2f} | {n / t:,.0f} | {arrow / t:.2f}× |")


if __name__ == "__main__":
    main()
