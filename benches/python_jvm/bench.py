"""One bridge per process (a process has one JVM): python bench.py <jarrow|jpype|jpy> <classes dir>.

Prints one line per workload: name and nanoseconds per operation (median of repeated runs).
"""
import os
import statistics
import sys
import time

import numpy as np
import pyarrow as pa

COLUMNS = 10


def per_op(run, operations, seconds=3.0, warm_up=2.0):
    # The JVM compiles hot code after thousands of calls: warm up for a while before measuring.
    end = time.perf_counter() + warm_up
    while time.perf_counter() < end:
        run()
    samples, end = [], time.perf_counter() + seconds
    while len(samples) < 5 or (time.perf_counter() < end and len(samples) < 5000):
        start = time.perf_counter_ns()
        run()
        samples.append((time.perf_counter_ns() - start) / operations)
    return statistics.median(samples)


def columns(rows):
    return [np.arange(rows, dtype=np.float64) % 1000 * 0.5 + c for c in range(COLUMNS)]


def arrow_jar():
    """BenchTarget names Arrow classes; jarrow's jar carries Arrow Java (no JVM is started here)."""
    import jarrow

    return jarrow._jar()


def main():
    bridge, classes = sys.argv[1], sys.argv[2]
    data = columns(1_000_000)
    expected = float(sum(c.sum() for c in data))
    if bridge == "jarrow":
        import jarrow

        jvm = jarrow.start_jvm(classpath=[classes])
        add_one = jvm.function("BenchTarget::addOne")
        half, negate, echo = (jvm.function(f"BenchTarget::{m}") for m in ("half", "negate", "echo"))
        total = jvm.function("BenchTarget::totalBatch")
        identity = jvm.function("BenchTarget::identity")
        row_count = jvm.function("BenchTarget::rowCount")
        big = pa.record_batch({f"c{i}": c for i, c in enumerate(data)})
        small = pa.record_batch({f"c{i}": c for i, c in enumerate(columns(1000))})
        assert abs(total.apply(big).column(0)[0].as_py() - expected) < 1e-6 * expected
        call_batch = lambda: total.apply(big)  # noqa: E731
        assert row_count.apply(big).column(0)[0].as_py() == 1_000_000
        extra = {
            "handover_1k_x_10": per_op(lambda: row_count.apply(small), 1),
            "handover_1m_x_10": per_op(lambda: row_count.apply(big), 1),
            "roundtrip_1k_x_10": per_op(lambda: identity.apply(small), 1),
            "roundtrip_1m_x_10": per_op(lambda: identity.apply(big), 1),
        }
    elif bridge == "jpype":
        import jpype

        jpype.startJVM(classpath=[classes, arrow_jar()])
        target = jpype.JClass("BenchTarget")
        add_one = target.addOne
        half, negate, echo = target.half, target.negate, target.echo
        double_array = jpype.JArray(jpype.JDouble)

        def call_batch():
            return target.total(jpype.JArray(double_array)([double_array(c) for c in data]))

        assert abs(call_batch() - expected) < 1e-6 * expected
        extra = {}
    elif bridge == "jpy":
        import jpyutil

        jpyutil.init_jvm(java_home=os.environ["JAVA_HOME"], jvm_classpath=[classes, arrow_jar()])
        import jpy

        target = jpy.get_type("BenchTarget")
        add_one = target.addOne
        half, negate, echo = target.half, target.negate, target.echo
        call_batch = None
        extra = {}
    else:
        raise SystemExit(f"unknown bridge {bridge}")
    assert add_one(41) == 42 and half(3.0) == 1.5 and negate(True) is False and str(echo("a")) == "a"

    def loop(f, argument):
        def calls():
            for _ in range(100_000):
                f(argument)

        return calls

    def calls():
        for i in range(100_000):
            add_one(i)

    print(f"call_long {per_op(calls, 100_000):.1f}")
    print(f"call_double {per_op(loop(half, 2.5), 100_000):.1f}")
    print(f"call_boolean {per_op(loop(negate, True), 100_000):.1f}")
    print(f"call_string {per_op(loop(echo, 'transaction-42'), 100_000):.1f}")
    if call_batch is not None:
        print(f"batch_1m_x_10 {per_op(call_batch, 1):.1f}")
    for name, ns in extra.items():
        print(f"{name} {ns:.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
