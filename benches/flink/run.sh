#!/usr/bin/env bash
# Full-load records/s of one Flink subtask (a local cluster in the bench's JVM) scoring the demo's
# transactions with the demo's fraud model through PythonOperator, in fixed batches of 1 to 4096
# and in adaptive batches of up to 1024, and through SQL's ML_PREDICT, against a Java-only map (the ceiling) and the same model
# written in Java (Jackson, then the scaler and the regression from the trained parameters). Each mode in its
# own JVM, in BENCH_FLINK_ROUNDS rounds (default 2), interleaved; the summary gives the median of
# the rounds, as records/s and as a share of the Java-only ceiling of the same run.
# `make bench-flink` runs it (after the wheel is installed into the venv).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${JARROW_PYTHON:-$root/.venv/bin/python}
work=$root/target/flink-bench
mkdir -p "$work/classes"
mvn -q -B --no-transfer-progress -f "$root/jvm-bindings/java/pom.xml" install -DskipTests -pl core,flink
mvn -q -B --no-transfer-progress -f "$root/jvm-bindings/java/flink/pom.xml" dependency:build-classpath \
    -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=test
cp="$root/jvm-bindings/java/flink/target/classes:$(cat "$work/classpath.txt")"
javac -d "$work/classes" -cp "$cp" "$root/benches/flink/FlinkBench.java"
demo=$root/examples/kafka-fraud/python
"$py" - "$demo" "$work" <<'PY'
import json, pickle, sys
sys.path.insert(0, sys.argv[1])
import fraud_model
work = sys.argv[2]
open(f"{work}/transactions.jsonl", "wb").write(fraud_model.transactions_json(0, 50000, 11))
# The trained model's parameters, for the Java-only model (java-model): scaler, then regression.
fraud_model.prepare(f"{work}/fraud-model.pkl")
saved = pickle.load(open(f"{work}/fraud-model.pkl", "rb"))
scaler, regression = saved["model"].steps[0][1], saved["model"].steps[1][1]
json.dump({"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(), "coef": regression.coef_[0].tolist(),
           "intercept": float(regression.intercept_[0]), "threshold": saved["threshold"]},
          open(f"{work}/fraud-model.json", "w"))
PY
pyflink=$root/target/pyflink-venv
if [ ! -x "$pyflink/bin/python" ] || ! cmp -s "$root/benches/flink/requirements.txt" "$pyflink/requirements.txt"; then
    echo "Installing PyFlink into $pyflink ..." >&2
    python3 -m venv "$pyflink"
    JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")} \
        "$pyflink/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/benches/flink/requirements.txt"
    cp "$root/benches/flink/requirements.txt" "$pyflink/requirements.txt"
fi
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
rounds=${BENCH_FLINK_ROUNDS:-2}
modes="java-only java-model jarrow-adaptive jarrow-ml-predict jarrow-1 jarrow-64 jarrow-256 jarrow-1024 jarrow-4096"
rm -f "$work"/result-*.txt "$work"/paced-*.txt
for round in $(seq "$rounds"); do
    for mode in $modes; do
        echo "Round $round: $mode ..." >&2
        case $mode in
            java-only) records=20000000 ;;
            java-model) records=4000000 ;;
            jarrow-1) records=40000 ;;
            *) records=2000000 ;;
        esac
        java --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
            --add-opens=java.base/java.lang=ALL-UNNAMED -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
            -Djarrow.python="$py" -Dbench.records="$records" -Dbench.model.json="$work/fraud-model.json" -cp "$work/classes:$cp" \
            FlinkBench "$mode" "$work/transactions.jsonl" "$demo" "$work/fraud-model.pkl" >> "$work/result-$round.txt"
    done
    for mode in thread process; do
        echo "Round $round: PyFlink $mode mode ..." >&2
        records=100000
        if [ "$mode" = thread ]; then records=10000; fi
        "$pyflink/bin/python" "$root/benches/flink/pyflink_bench.py" "$mode" "$work/transactions.jsonl" "$demo" \
            "$work/fraud-model.pkl" "$records" 2> "$work/pyflink-$mode-$round.log" >> "$work/result-$round.txt"
    done
done
for round in $(seq "$rounds"); do
    for mode in paced-java-only paced-jarrow-adaptive paced-jarrow-ml-predict; do
        echo "Round $round: $mode at 10k/s ..." >&2
        java --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
            --add-opens=java.base/java.lang=ALL-UNNAMED -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
            -Djarrow.python="$py" -Dbench.rate=10000 -cp "$work/classes:$cp" \
            FlinkBench "$mode" "$work/transactions.jsonl" "$demo" "$work/fraud-model.pkl" >> "$work/paced-$round.txt"
    done
    echo "Round $round: PyFlink process mode at 10k/s ..." >&2
    "$pyflink/bin/python" "$root/benches/flink/pyflink_bench.py" paced-process "$work/transactions.jsonl" "$demo" \
        "$work/fraud-model.pkl" 10000 2> "$work/pyflink-paced-$round.log" >> "$work/paced-$round.txt"
done
"$py" - "$work" "$rounds" <<'PY'
import statistics
import sys
from pathlib import Path

work, rounds = Path(sys.argv[1]), int(sys.argv[2])
runs = {}
for path in sorted(work.glob("result-*.txt")):
    for line in path.read_text().split("\n"):
        if line.strip():
            mode, rate = line.split()
            runs.setdefault(mode, []).append(float(rate))
r = {mode: statistics.median(rates) for mode, rates in runs.items()}
ceiling = r["java-only"]
print(f"One Flink subtask, full load, the median of {rounds} rounds (modes interleaved, each in its own JVM)")
print(f"{'mode':<18}{'records/s':>12}{'of ceiling':>12}{'vs batch 1':>12}{'rounds':>26}")
for mode, rate in sorted(r.items(), key=lambda kv: kv[1]):
    spread = ", ".join(f"{x:,.0f}" for x in runs[mode])
    print(f"{mode:<18}{rate:>12,.0f}{rate / ceiling:>11.0%}{rate / r['jarrow-1']:>11.1f}x{spread:>26}")
adaptive = r["jarrow-adaptive"]
print()
print(f"jarrow adaptive (up to 1024): {adaptive / ceiling:.0%} of the Java-only ceiling (a map doing next to "
      f"nothing; target >= 70%), {adaptive / r['java-model']:.2f}x the same model in Java (Jackson and the "
      f"regression), {adaptive / r['jarrow-1024']:.2f}x fixed batches of 1024")
print(f"  {adaptive / r['pyflink-thread']:.0f}x PyFlink thread mode (target >= 50x), "
      f"{adaptive / r['pyflink-process']:.1f}x PyFlink process mode with a Pandas UDF (target >= 5x)")
ml = r["jarrow-ml-predict"]
print(f"jarrow ML_PREDICT: {ml / adaptive:.2f}x the DataStream operator, {ml / r['pyflink-thread']:.0f}x PyFlink thread mode, "
      f"{ml / r['pyflink-process']:.1f}x PyFlink process mode")
print()
print("Paced, 10k records/s for 20 s, latency from a record's making to its result (past the first 5 s), ms;")
print("PyFlink process mode: from CURRENT_ROW_TIMESTAMP() in the Java operator before the Python one to the")
print("end of the model's call in the Python worker:")
print(f"{'mode':<44}{'p50':>8}{'p99':>8}{'max':>8}")
for path in sorted(work.glob("paced-*.txt")):
    for line in path.read_text().split("\n"):
        if line.strip():
            mode, p50, p99, worst = line.split()
            print(f"{mode + ' (' + path.stem + ')':<44}{float(p50):>8.1f}{float(p99):>8.1f}{float(worst):>8.1f}")
PY
