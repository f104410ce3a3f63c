#!/usr/bin/env bash
# jarrow against PemJa and JEP on the same workloads, each bridge in its own JVM (two embedded
# CPythons cannot share a process): f(long) -> long, a 3-argument call, and a 1M-row x 10-column
# float64 batch (jarrow `apply` on Arrow vectors; the peers get the same data as Java arrays).
# Prints a table of ratios measured in this run, then jarrow's own figures: the apply overhead, and
# one record scored on an idle BatchedFunction against a direct apply of a one-row batch.
# `make bench-jvm` runs it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${JARROW_PYTHON:-$root/.venv/bin/python}
work=$root/target/jvm-bench
mkdir -p "$work"
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}

echo "Installing the peers (pemja, jep) into $("$py" -c 'import sys; print(sys.prefix)')" >&2
"$py" -m pip install --quiet --disable-pip-version-check -r "$root/benches/jvm/requirements.txt"
cargo build --quiet --release -p jarrow-jni
mvn -q -B --no-transfer-progress -f "$root/jvm-bindings/java/core/pom.xml" package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=runtime
mvn -q -B --no-transfer-progress dependency:get dependency:copy -Dartifact=com.alibaba:pemja:0.5.5 \
    -DoutputDirectory="$work" >/dev/null
site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
home=$("$py" -c 'import sys; print(sys.base_prefix)')
cp="$root/jvm-bindings/java/core/target/jarrow-0.1.0.jar:$(cat "$work/classpath.txt"):$work/pemja-0.5.5.jar:$site/jep/jep-4.3.2.jar"
javac -d "$work/classes" -cp "$cp" "$root/benches/jvm/JvmBench.java"

for bridge in jarrow pemja jep; do
    echo "Measuring $bridge ..." >&2
    java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx4g \
        -Djarrow.library="$root/target/release/libjarrow_jni.so" \
        -Dbench.site.packages="$site" -Dbench.python.home="$home" \
        -cp "$work/classes:$cp" JvmBench "$bridge" "$py" "$root/benches/jvm" > "$work/$bridge.txt"
done

"$py" - "$work" <<'PY'
import sys
from pathlib import Path

work = Path(sys.argv[1])
results = {}
for bridge in ("jarrow", "pemja", "jep"):
    for line in (work / f"{bridge}.txt").read_text().split("\n"):
        if line.strip():
            name, nanos = line.split()
            results.setdefault(name, {})[bridge] = float(nanos)

def show(ns):
    return f"{ns / 1e6:9.2f} ms" if ns >= 1e6 else f"{ns / 1e3:9.2f} us" if ns >= 1e3 else f"{ns:9.1f} ns"

targets = {"call_long": ("<= 0.6x PemJa", lambda r: r["jarrow"] <= 0.6 * r["pemja"]),
           "batch_1m_x_10": (">= 100x faster than the fastest peer",
                             lambda r: min(r["pemja"], r["jep"]) >= 100 * r["jarrow"])}
print(f"{'workload':<16}{'jarrow':>13}{'PemJa':>13}{'JEP':>13}  {'jarrow/PemJa':>13}{'jarrow/JEP':>11}  target")
for name, r in results.items():
    if name.startswith(("apply_overhead_", "single_row_")):
        continue
    target, met = targets.get(name, ("", None))
    verdict = "" if met is None else ("ok" if met(r) else "MISSED")
    print(f"{name:<16}{show(r['jarrow']):>13}{show(r['pemja']):>13}{show(r['jep']):>13}  "
          f"{r['jarrow'] / r['pemja']:>12.3f}x{r['jarrow'] / r['jep']:>10.3f}x  {target} {verdict}")

overhead = {name: r["jarrow"] for name, r in results.items() if name.startswith("apply_overhead_")}
if overhead:
    print("\njarrow apply overhead (10 float64 columns each way, the function returns a prepared batch):")
    first = next(iter(overhead.values()))
    for name, ns in overhead.items():
        rows = int(name.split("_")[2])
        print(f"  {rows:>9,} rows  {show(ns)}  ({ns / first:.2f}x the 1k-row figure)")

single = {name: r["jarrow"] for name, r in results.items() if name.startswith("single_row_")}
if single:
    direct, batched = single["single_row_direct"], single["single_row_batched"]
    ratio = batched / direct
    print("\njarrow single record on an idle function (medians of one operation, taking turns):")
    print(f"  direct apply of a one-row batch   {show(direct)}")
    print(f"  BatchedFunction.submit(row).get() {show(batched)}  ({ratio:.2f}x direct)  "
          f"target <= 2x {'ok' if ratio <= 2 else 'MISSED'}")
PY
