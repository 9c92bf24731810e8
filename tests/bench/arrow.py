"""Records per second of tekser.validate_arrow against the JSON path (validate_records on the
same records as Python dicts, and validate on the packet's bytes), alternating the runs and
taking medians; with the CPU time of each (all threads), records per CPU-second is the
figure per core. Also tekser.read_packets (the packet file into Arrow batches, unchecked).
Part of `cargo xtask bench`. Run: python3 tests/bench/arrow.py PACKET.json [--runs N]"""

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
    jobs = {
        "validate_arrow (pyarrow Table)": lambda: tekser.validate_arrow(table, entity=entity).record_count,
        "validate_records (dicts → JSON)": lambda: tekser.validate_records(records, entity=entity).record_count,
        "validate (packet bytes)": lambda: tekser.validate(raw).record_count,
        "read_packets (file → Arrow batches, unchecked)": lambda: tekser.read_packets(path, entity).read_all().num_rows,
    }
    times = {name: [] for name in jobs}
    cpu = {name: [] for name in jobs}
    for _ in range(runs):
        for name, job in jobs.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            count = job()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
            assert count == n, (name, count, n)
    arrow = statistics.median(times["validate_arrow (pyarrow Table)"])
    print(f"\n### Arrow in Python: {n:,} {entity} records, median of {runs} alternating runs\n")
    print("| path | seconds | records/s | CPU s | records per CPU-second | speed vs validate_arrow |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in jobs:
        t, c = statistics.median(times[name]), statistics.median(cpu[name])
        print(f"| {name} | {t:.2f} | {n / t:,.0f} | {c:.2f} | {n / c:,.0f} | {arrow / t:.2f}× |")


if __name__ == "__main__":
    main()
