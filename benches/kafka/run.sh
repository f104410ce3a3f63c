#!/usr/bin/env bash
# The demo's Kafka Streams topology on TopologyTestDriver, one stream thread: records/s through
# PythonProcessor at batch sizes 1 to 4096, against one PemJa call per record (the way it is done
# today) and a Java-only topology (the driver's own ceiling), each in its own JVM, same run.
# `make bench-kafka` runs it (after the wheel is installed into the venv).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${JARROW_PYTHON:-$root/.venv/bin/python}
work=$root/target/kafka-bench
mkdir -p "$work/classes"
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}

"$py" -m pip install --quiet --disable-pip-version-check -r "$root/benches/jvm/requirements.txt"
mvn -q -B --no-transfer-progress -f "$root/jvm-bindings/java/pom.xml" package -DskipTests \
    -pl ../../examples/kafka-fraud -am dependency:build-classpath \
    -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
mvn -q -B --no-transfer-progress dependency:get dependency:copy -Dartifact=com.alibaba:pemja:0.5.5 \
    -DoutputDirectory="$work" >/dev/null
demo=$root/examples/kafka-fraud
cp="$demo/target/classes:$(cat "$demo/target/bench-classpath.txt"):$work/pemja-0.5.5.jar"
javac -d "$work/classes" -cp "$cp" "$root/benches/kafka/KafkaBench.java"
"$py" -c "import sys; sys.path.insert(0, '$demo/python'); import fraud_model; open('$work/transactions.jsonl', 'wb').write(fraud_model.transactions_json(0, 50000, 11))"
site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')

for mode in baseline jarrow pemja; do
    echo "Measuring $mode ..." >&2
    java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
        -Djarrow.python="$py" -Dbench.python="$py" -Dbench.site.packages="$site" -Dbench.dir="$root/benches/kafka" \
        -cp "$work/classes:$cp" KafkaBench "$mode" "$work/transactions.jsonl" "$demo/python" "$work/fraud-model.pkl" \
        > "$work/$mode.txt"
done

"$py" - "$work" <<'PY'
import sys
from pathlib import Path

work = Path(sys.argv[1])
r = {}
for mode in ("baseline", "jarrow", "pemja"):
    for line in (work / f"{mode}.txt").read_text().split("\n"):
        if line.strip():
            name, rate = line.split()
            r[name] = float(rate)
def table(title, prefix, pemja, ceiling):
    print(f"{title:<44}{'records/s':>12}{'vs PemJa':>10}{'of ceiling':>12}")
    for name, rate in r.items():
        if name.startswith("broker_") == (prefix == "broker_"):
            print(f"{name:<44}{rate:>12,.0f}{rate / pemja:>9.1f}x{rate / ceiling:>11.0%}")
    print()

table("TopologyTestDriver, 1 stream thread", "", r["pemja_per_record"], r["java_only"])
table("real broker on this machine, 1 stream thread", "broker_", r["broker_pemja_per_record"], r["broker_java_only"])
b, p = r["jarrow_batch_1024"], r["pemja_per_record"]
print(f"TopologyTestDriver, batch 1024: {b / p:.0f}x one PemJa call per record (target >= 50x); {b:,.0f} records/s "
      f"(target >= 300k; the driver with a Java-only processor does {r['java_only']:,.0f})")
b, p = r["broker_jarrow_batch_1024"], r["broker_pemja_per_record"]
print(f"Real broker, batch 1024: {b / p:.0f}x one PemJa call per record; {b:,.0f} records/s "
      f"(a Java-only processor on the same broker does {r['broker_java_only']:,.0f})")
PY
