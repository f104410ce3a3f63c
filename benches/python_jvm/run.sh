#!/usr/bin/env bash
# jarrow against JPype and jpy from Python, each in its own process (one JVM per process): static
# `long f(long)`, `double f(double)`, `boolean f(boolean)` and `String f(String)`, and a 1M-row x
# 10-column float64 batch (jarrow hands Java the Arrow buffers; JPype copies the numpy arrays into
# Java arrays). Prints the ratios measured in this run.
# `make bench-python-jvm` runs it (after the wheel is installed into the venv).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${JARROW_PYTHON:-$root/.venv/bin/python}
work=$root/target/python-jvm-bench
mkdir -p "$work/classes"
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
"$py" -m pip install --quiet --disable-pip-version-check -r "$root/benches/python_jvm/requirements.txt"
jar=$("$py" -c 'import jarrow; print(jarrow._jar())')
javac -d "$work/classes" -cp "$jar" "$root/benches/python_jvm/BenchTarget.java"
for bridge in jarrow jpype jpy; do
    echo "Measuring $bridge ..." >&2
    "$py" "$root/benches/python_jvm/bench.py" "$bridge" "$work/classes" > "$work/$bridge.txt"
done
"$py" - "$work" <<'PY'
import sys
from pathlib import Path

work = Path(sys.argv[1])
r = {}
for bridge in ("jarrow", "jpype", "jpy"):
    for line in (work / f"{bridge}.txt").read_text().split("\n"):
        if line.strip():
            name, ns = line.split()
            r.setdefault(name, {})[bridge] = float(ns)

def show(ns):
    return f"{ns / 1e6:.2f} ms" if ns >= 1e6 else f"{ns / 1e3:.2f} us" if ns >= 1e3 else f"{ns:.1f} ns"

for name, shape in (("call_long", "long f(long)"), ("call_double", "double f(double)"),
                    ("call_boolean", "boolean f(boolean)"), ("call_string", "String f(String)")):
    c = r[name]
    print(f"{shape + ':':<20} jarrow {show(c['jarrow'])}, JPype {show(c['jpype'])}, jpy {show(c['jpy'])}; "
          f"jarrow/JPype {c['jarrow'] / c['jpype']:.2f}x, jarrow/jpy {c['jarrow'] / c['jpy']:.2f}x")
b = r["batch_1m_x_10"]
print(f"1M x 10 batch: jarrow {show(b['jarrow'])}, JPype copying into Java arrays {show(b['jpype'])}; "
      f"{b['jpype'] / b['jarrow']:.1f}x faster")
small, big = r["handover_1k_x_10"]["jarrow"], r["handover_1m_x_10"]["jarrow"]
print(f"batch to Java (row count back): 1k rows {show(small)}, 1M rows {show(big)}; 1M/1k {big / small:.2f}x "
      "(target: independent of row count)")
small, big = r["roundtrip_1k_x_10"]["jarrow"], r["roundtrip_1m_x_10"]["jarrow"]
print(f"batch to Java and back (identity): 1k rows {show(small)}, 1M rows {show(big)}; 1M/1k {big / small:.2f}x "
      "(target: independent of row count)")
PY
