"""PyFlink, the way Flink users run Python today, scoring the demo's transactions with the demo's
model on one subtask, for benches/flink/run.sh to compare with jarrow.

    python pyflink_bench.py <thread|process> <transactions.jsonl> <fraud_model dir> <model file> <records>

thread: `python.execution-mode: thread` (PemJa, in the TaskManager's process), a scalar UDF, one
call per record. process: the default mode (Python workers beside the JVM, over gRPC), a Pandas
UDF, its default Arrow batch size. Both parse each record's JSON in Python and call the same
scikit-learn pipeline. The job reads the transactions from a file, `records` of them, then the
same for twice as many (after a small job, not measured, that starts the JVM): prints `pyflink-<mode> <records/s>`, the records of the second job beyond
the first over its extra time, so that the start-up of a job (and its Python workers) cancels out.
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


def run(n, work):
    lines = Path(transactions).read_text().splitlines()
    path = Path(work) / f"in-{n}.jsonl"
    with path.open("w") as out:
        for i in range(n):
            out.write(lines[i % len(lines)] + "\n")
    config = Configuration()
    config.set_string("parallelism.default", "1")
    # This venv's Python for the workers (thread mode's PemJa, process mode's workers), not PATH's.
    config.set_string("python.executable", sys.executable)
    config.set_string("python.client.executable", sys.executable)
    # Thread mode's embedded interpreter does not see a venv's site-packages by itself.
    config.set_string("python.pythonpath", sysconfig.get_paths()["purelib"])
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


with tempfile.TemporaryDirectory() as work:
    run(1000, work)  # starts the gateway's JVM and the first Python workers, not measured
    once = run(records, work)
    twice = run(2 * records, work)
print(f"pyflink-{mode} {records / (twice - once):.0f}")
print(f"# {records} records in {once:.1f} s, {2 * records} in {twice:.1f} s", file=sys.stderr)
