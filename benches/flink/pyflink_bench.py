"""PyFlink, the way Flink users run Python today, scoring the demo's transactions with the demo's
model on one subtask, for benches/flink/run.sh to compare with jarrow.

    python pyflink_bench.py <thread|process> <transactions.jsonl> <fraud_model dir> <model file> <records>
    python pyflink_bench.py paced-process <transactions.jsonl> <fraud_model dir> <model file> <records per second>

thread: `python.execution-mode: thread` (PemJa, in the TaskManager's process), a scalar UDF, one
call per record. process: the default mode (Python workers beside the JVM, over gRPC), a Pandas
UDF, its default Arrow batch size. Both parse each record's JSON in Python and call the same
scikit-learn pipeline. The job reads the transactions from a file, `records` of them, then the
same for twice as many (after a small job, not measured, that starts the JVM): prints `pyflink-<mode> <records/s>`, the records of the second job beyond
the first over its extra time, so that the start-up of a job (and its Python workers) cancels out.

paced-process: process mode's latency at a steady rate: a datagen source of that many records per
second for 20 s, each record's making stamped by CURRENT_ROW_TIMESTAMP() in the Java operator
before the Python one, and its latency taken in the Pandas UDF right after the model: prints
`paced-pyflink-process-<rate> <p50 ms> <p99 ms> <max ms>` past the first 5 s.
"""
import json
import pickle
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import numpy as np
from pyflink.common import Configuration
from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.udf import ScalarFunction, udf

mode, transactions, model_dir, model_file, records = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
FEATURES = [f"v{i}" for i in range(28)]


def features(t):
    return [t[name] for name in FEATURES] + [np.log1p(t["amount"]), 1.0 if t["hour"] < 6 else 0.0]


class ScoreOne(ScalarFunction):
    """The model on one transaction: its fraud probability."""

    def open(self, function_context):
        self.model = pickle.loads(Path(model_file).read_bytes())["model"]

    def eval(self, line):
        return float(self.model.predict_proba(np.array([features(json.loads(line))]))[0, 1])


class ScoreBatch(ScalarFunction):
    """The model on a Pandas batch of transactions."""

    def open(self, function_context):
        self.model = pickle.loads(Path(model_file).read_bytes())["model"]

    def eval(self, lines):
        import pandas as pd

        x = np.array([features(json.loads(line)) for line in lines])
        return pd.Series(self.model.predict_proba(x)[:, 1])


class LatencyBatch(ScalarFunction):
    """The model on a Pandas batch of the paced records; appends each record's id and latency so
    far (ms) to `out` (the worker's own file), and gives the latency."""

    def __init__(self, out):
        self.out = out

    def open(self, function_context):
        self.model = pickle.loads(Path(model_file).read_bytes())["model"]
        self.lines = Path(transactions).read_text().splitlines()
        self.file = open(self.out, "a")

    def eval(self, ids, made):
        import pandas as pd

        x = np.array([features(json.loads(self.lines[i % len(self.lines)])) for i in ids])
        self.model.predict_proba(x)
        now = pd.Timestamp.now(tz="UTC")
        latency = (now - pd.to_datetime(made, utc=True)).dt.total_seconds() * 1000.0
        self.file.write("".join(f"{i} {ms:.3f}\n" for i, ms in zip(ids, latency)))
        self.file.flush()
        return latency

    def close(self):
        self.file.close()


def configuration():
    config = Configuration()
    config.set_string("parallelism.default", "1")
    # This venv's Python for the workers (thread mode's PemJa, process mode's workers), not PATH's.
    config.set_string("python.executable", sys.executable)
    config.set_string("python.client.executable", sys.executable)
    # Thread mode's embedded interpreter does not see a venv's site-packages by itself.
    config.set_string("python.pythonpath", sysconfig.get_paths()["purelib"])
    return config


def paced(rate, work):
    env = TableEnvironment.create(EnvironmentSettings.new_instance().in_streaming_mode()
                                  .with_configuration(configuration()).build())
    out = Path(work) / "latencies.txt"
    env.create_temporary_function("latency", udf(LatencyBatch(str(out)), result_type=DataTypes.DOUBLE(),
                                                 func_type="pandas"))
    records = rate * 20
    env.execute_sql(f"CREATE TABLE paced (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '{rate}', "
                    f"'number-of-rows' = '{records}', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0', "
                    f"'fields.id.end' = '{records - 1}')")
    env.execute_sql("CREATE TABLE latencies (ms DOUBLE) WITH ('connector' = 'blackhole')")
    env.execute_sql("INSERT INTO latencies SELECT latency(id, CURRENT_ROW_TIMESTAMP()) FROM paced").wait()
    ms = sorted(float(latency) for i, latency in (line.split() for line in out.read_text().splitlines())
                if int(i) >= records // 4)
    print(f"paced-pyflink-process-{rate} {ms[len(ms) // 2]:.1f} {ms[int(len(ms) * 0.99)]:.1f} {ms[-1]:.1f}")


def run(n, work):
    lines = Path(transactions).read_text().splitlines()
    path = Path(work) / f"in-{n}.jsonl"
    with path.open("w") as out:
        for i in range(n):
            out.write(lines[i % len(lines)] + "\n")
    config = configuration()
    if mode == "thread":
        config.set_string("python.execution-mode", "thread")
    env = TableEnvironment.create(EnvironmentSettings.new_instance().in_streaming_mode().with_configuration(config).build())
    if mode == "thread":
        env.create_temporary_function("score", udf(ScoreOne(), result_type=DataTypes.DOUBLE()))
    else:
        env.create_temporary_function("score", udf(ScoreBatch(), result_type=DataTypes.DOUBLE(), func_type="pandas"))
    env.execute_sql(f"CREATE TABLE transactions (line STRING) WITH ('connector' = 'filesystem', 'path' = '{path}', "
                    "'format' = 'raw')")
    env.execute_sql("CREATE TABLE scores (probability DOUBLE) WITH ('connector' = 'blackhole')")
    start = time.perf_counter()
    env.execute_sql("INSERT INTO scores SELECT score(line) FROM transactions").wait()
    return time.perf_counter() - start


if mode == "paced-process":
    with tempfile.TemporaryDirectory() as work:
        paced(records, work)
    sys.exit(0)

with tempfile.TemporaryDirectory() as work:
    run(1000, work)  # starts the gateway's JVM and the first Python workers, not measured
    once = run(records, work)
    twice = run(2 * records, work)
print(f"pyflink-{mode} {records / (twice - once):.0f}")
print(f"# {records} records in {once:.1f} s, {2 * records} in {twice:.1f} s", file=sys.stderr)
