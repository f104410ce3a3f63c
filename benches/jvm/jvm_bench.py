"""Python functions of the JVM benchmark, called the same way through jarrow, PemJa and JEP."""
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def add_one(x):
    return x + 1


def three(a, b, c):
    return a + b + c


def total_arrays(*columns):
    """The peers' way: each column arrives as a Java double[] converted by the bridge."""
    return float(sum(np.sum(np.asarray(c, dtype=np.float64)) for c in columns))


def total_batch(batch):
    """jarrow's way: the columns arrive as a pyarrow.RecordBatch over the Java buffers."""
    return pa.array([float(sum(pc.sum(c).as_py() for c in batch.columns))])


_prepared = {}


def prepared(batch):
    """A batch of the input's shape, made once per row count: the hand-over is all that is timed."""
    rows = batch.num_rows
    if rows not in _prepared:
        _prepared[rows] = pa.record_batch({f"c{c}": np.full(rows, 1.5) for c in range(batch.num_columns)})
    return _prepared[rows]


def score_batch(batch):
    """One score per row, computed from its id: the single-row latency workload, applied directly
    and through a BatchedFunction."""
    return pa.record_batch({"score": pc.add(pc.multiply(batch.column("id"), 2), 1)})
