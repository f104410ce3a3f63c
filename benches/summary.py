"""Summarizes a `cargo bench -p jarrow-benches` run against the baselines measured in the same run.

Usage: python benches/summary.py target/criterion

Reads criterion's `<id>/new/benchmark.json` and `new/estimates.json` files and prints, beside
each target: the scalar call overhead (jarrow - the same call made from Python), the batch call
overhead for identity and column-sum at 1k/100k/1M rows and how it grows from 1k to 1M, the
coalescer's rows/s for 1/2/8 submitting threads against one Python call per row, and the JSON
codec's decode time against arrow-json's decoder alone.

Times are criterion's median estimates (robust to the noise of a shared machine). A difference of
two times carries the half-widths of both 95% confidence intervals (the figure after "+-"); a
target the figure meets or misses only within that band is marked "noise", not "ok" or "MISSED":
a few microseconds of overhead cannot be told apart from the run-to-run spread of a 4 ms call.
Exits with status 1 when a figure is missing (its bench did not run).
"""
import json
import sys
from pathlib import Path

SCALAR_OVERHEAD_NS = 150
BATCH_OVERHEAD_US = 20
BATCH_GROWTH = 2.0
COALESCER_SPEEDUP = 20.0

BATCH_FUNCTIONS = {"identity": "identity", "sum_columns": "column-sum"}
BATCH_ROWS = [1_000, 100_000, 1_000_000]
THREADS = [1, 2, 8]


class Estimate:
    """A median time per iteration in ns, with its 95% confidence interval."""

    def __init__(self, median):
        self.ns = median["point_estimate"]
        interval = median["confidence_interval"]
        self.lo, self.hi = interval["lower_bound"], interval["upper_bound"]

    @property
    def spread(self):
        return (self.hi - self.lo) / 2


def load(root):
    """Estimates by criterion benchmark id."""
    estimates = {}
    for meta in root.glob("**/new/benchmark.json"):
        path = meta.with_name("estimates.json")
        if path.exists():
            full_id = json.loads(meta.read_text())["full_id"]
            estimates[full_id] = Estimate(json.loads(path.read_text())["median"])
    return estimates


def duration(ns):
    if abs(ns) < 1e3:
        return f"{ns:.1f} ns"
    if abs(ns) < 1e6:
        return f"{ns / 1e3:.1f} us"
    return f"{ns / 1e6:.2f} ms"


def rate(ns):
    return f"{1e9 / ns:,.0f} /s"


def verdict(lo, hi, limit, at_most=True):
    """'ok', 'MISSED', or 'noise' when the band [lo, hi] straddles the limit."""
    good, bad = (hi <= limit, lo > limit) if at_most else (lo >= limit, hi < limit)
    return "ok" if good else "MISSED" if bad else "noise"


class Table:
    HEADER = ("figure", "jarrow", "baseline", "overhead", "ratio", "target", "")

    def __init__(self):
        self.rows = []
        self.missing = []

    def add(self, figure, jarrow="", baseline="", overhead="", ratio="", target="", status=""):
        self.rows.append((figure, jarrow, baseline, overhead, ratio, target, status))

    def section(self, title):
        self.rows.append(title)

    def print(self):
        rows = [r for r in self.rows if isinstance(r, tuple)] + [self.HEADER]
        widths = [max(len(r[i]) for r in rows) for i in range(len(self.HEADER))]

        def line(row):
            cells = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
            return "  ".join(cells).rstrip()

        print(line(self.HEADER))
        print("  ".join("-" * w for w in widths).rstrip())
        for row in self.rows:
            print(line(row) if isinstance(row, tuple) else f"-- {row}")


def summarize(estimates):
    table = Table()

    def get(*ids):
        found = [estimates.get(i) for i in ids]
        table.missing.extend(i for i, e in zip(ids, found) if e is None and i not in table.missing)
        return None if None in found else found

    table.section("scalar: add_one(i64) -> i64, per call")
    if pair := get("scalar/jarrow_call_i64", "scalar/python_call"):
        jarrow, python = pair
        overhead, err = jarrow.ns - python.ns, jarrow.spread + python.spread
        table.add(
            "call_i64 vs call from Python",
            duration(jarrow.ns),
            duration(python.ns),
            f"{overhead:.1f} +- {err:.1f} ns",
            f"{jarrow.ns / python.ns:.2f}x",
            f"<= {SCALAR_OVERHEAD_NS} ns",
            verdict(overhead - err, overhead + err, SCALAR_OVERHEAD_NS),
        )
    for name, figure in [("jarrow_call_f64", "call_f64 (info)"), ("jarrow_call_3_args", "call, 3 args (info)")]:
        if pair := get(f"scalar/{name}", "scalar/python_call"):
            t, python = pair
            table.add(
                figure,
                duration(t.ns),
                duration(python.ns),
                f"{t.ns - python.ns:.1f} +- {t.spread + python.spread:.1f} ns",
                f"{t.ns / python.ns:.2f}x",
            )

    for function, label in BATCH_FUNCTIONS.items():
        table.section(f"batch: {label}, 10 float64 columns, per call")
        overheads = {}
        for rows in BATCH_ROWS:
            pair = get(f"batch_{function}/jarrow/{rows}", f"batch_{function}/python/{rows}")
            if not pair:
                continue
            jarrow, python = pair
            overhead, err = (jarrow.ns - python.ns) / 1e3, (jarrow.spread + python.spread) / 1e3
            overheads[rows] = (overhead, err)
            table.add(
                f"{label} {rows:>9,} rows",
                duration(jarrow.ns),
                duration(python.ns),
                f"{overhead:.1f} +- {err:.1f} us",
                f"{jarrow.ns / python.ns:.2f}x",
                f"<= {BATCH_OVERHEAD_US} us",
                verdict(overhead - err, overhead + err, BATCH_OVERHEAD_US),
            )
        if BATCH_ROWS[0] in overheads and BATCH_ROWS[-1] in overheads:
            (small, small_err), (large, large_err) = overheads[BATCH_ROWS[0]], overheads[BATCH_ROWS[-1]]
            # The ratio of two differences: bounded by the bands of both.
            lowest_small = small - small_err
            lo = (large - large_err) / (small + small_err)
            hi = (large + large_err) / lowest_small if lowest_small > 0 else float("inf")
            table.add(
                f"{label} overhead 1M / 1k",
                ratio=f"{large / small:.2f}x" if small > 0 else "n/a",
                target=f"<= {BATCH_GROWTH:g}x",
                status=verdict(lo, hi, BATCH_GROWTH),
            )

    table.section("coalescer: LogisticRegression, 30 features, rows/s")
    if per_row := get("coalescer/per_row_call"):
        table.add("one Python call per row", baseline=rate(per_row[0].ns))
        for threads in THREADS:
            if not (found := get(f"coalescer/threads/{threads}")):
                continue
            (t,), (row,) = found, per_row
            table.add(
                f"coalescer, {threads} thread{'s' if threads > 1 else ''}",
                rate(t.ns),
                rate(row.ns),
                ratio=f"{row.ns / t.ns:.1f}x",
                target=f">= {COALESCER_SPEEDUP:g}x",
                status=verdict(row.lo / t.hi, row.hi / t.lo, COALESCER_SPEEDUP, at_most=False),
            )
    table.section("JSON values (Kafka adapter): 1,024 demo transactions, ~500 bytes each, per batch")
    if pair := get("json_decode_1024_transactions/jarrow", "json_decode_1024_transactions/arrow_json"):
        jarrow, arrow_json = pair
        table.add(
            "decode vs arrow-json alone (info)",
            duration(jarrow.ns),
            duration(arrow_json.ns),
            ratio=f"{jarrow.ns / arrow_json.ns:.2f}x",
        )
    if found := get("json_encode_1024_scores/jarrow"):
        table.add("encode 1,024 results of 3 fields (info)", duration(found[0].ns))
    return table


def main(argv):
    if len(argv) != 2:
        sys.exit(f"usage: {argv[0]} target/criterion")
    root = Path(argv[1])
    if not root.is_dir():
        sys.exit(f"{root} is not a directory: run `cargo bench -p jarrow-benches` first")
    table = summarize(load(root))
    table.print()
    print(
        "\nmedians; overhead = jarrow - baseline (+- both 95% CI half-widths); ratio = jarrow / "
        "baseline, for the coalescer its rows/s over one call per row; noise = the target is met "
        "or missed only within the +- band"
    )
    if table.missing:
        print(f"missing (bench not run?): {', '.join(table.missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
