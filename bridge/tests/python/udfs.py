"""Functions the core's tests call from Rust."""
import decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

seen_addresses = []


def add_one(x):
    return x + 1


def half(x):
    return x / 2


def identity(x):
    return x


def echo(*args, **kwargs):
    return [list(args), kwargs]


def describe(x):
    return type(x).__name__


def raise_value_error(message):
    inner()


def inner():
    raise ValueError("bad input: expected a positive number")


def chained():
    try:
        {}["missing"]
    except KeyError as e:
        raise RuntimeError("lookup failed") from e


def huge():
    return 2**70


def returns_str(x):
    return "not a number"


class Scorer:
    """An instance method resolved as 'udfs:Scorer.score' binds to one instance."""

    instances = 0

    def __init__(self):
        Scorer.instances += 1
        self.offset = 100

    def score(self, x):
        return x + self.offset

    @staticmethod
    def static_double(x):
        return 2 * x

    @classmethod
    def count(cls):
        return cls.instances


not_callable = 42


# Batch functions -----------------------------------------------------------------------------

def record_addresses(batch):
    """Records the data buffer address of every column, as Python sees it."""
    assert isinstance(batch, pa.RecordBatch), type(batch)
    seen_addresses.clear()
    for column in batch.columns:
        seen_addresses.append([b.address if b is not None else 0 for b in column.buffers()])
    return batch


def column_sum(batch):
    total = pc.add(batch.column(0), batch.column(1))
    for i in range(2, batch.num_columns):
        total = pc.add(total, batch.column(i))
    return pa.RecordBatch.from_arrays([total], names=["sum"])


def doubled(batch):
    return pa.RecordBatch.from_arrays(
        [pc.multiply(c, 2) for c in batch.columns], names=batch.schema.names
    )


def as_table(batch):
    return pa.Table.from_batches([batch, batch])


def as_array(batch):
    return batch.column(0)


def as_chunked(batch):
    return pa.chunked_array([batch.column(0), batch.column(0)])


def as_numpy(batch):
    return batch.column(0).to_numpy(zero_copy_only=False) * 2


def as_numpy_2d(batch):
    return np.zeros((batch.num_rows, 2))


def as_pandas(batch):
    return batch.to_pandas()


def as_series(batch):
    return batch.to_pandas().iloc[:, 0] + 1


def as_polars(batch):
    import polars as pl

    return pl.from_arrow(batch)


def as_polars_series(batch):
    import polars as pl

    return pl.from_arrow(batch).to_series(0)


class CArray:
    """Only the capsule protocol, no pyarrow type."""

    def __init__(self, array):
        self._array = array

    def __arrow_c_array__(self, requested_schema=None):
        return self._array.__arrow_c_array__(requested_schema)


class CStream:
    def __init__(self, table):
        self._table = table

    def __arrow_c_stream__(self, requested_schema=None):
        return self._table.__arrow_c_stream__(requested_schema)


def as_capsule_array(batch):
    return CArray(batch.column(0))


def as_capsule_batch(batch):
    return CArray(batch)


def as_capsule_stream(batch):
    return CStream(pa.Table.from_batches([batch]))


def as_dict(batch):
    return {"not": "a batch"}


def failing_batch(batch):
    raise ZeroDivisionError("model exploded")


def decimal_value():
    return decimal.Decimal("12345678901234567890.0123456789")


class ScoreError(Exception):
    pass


def raise_score_error():
    raise ScoreError("model refused the input")


def as_capsule_stream_array(batch):
    return CStream(pa.chunked_array([batch.column(0)]))


# Batched single-row calls (the batch coalescer's tests) -------------------------------------


def id_times_two_plus_one(batch):
    """Gives each row back its id and `id * 2 + 1`, so every caller can tell its own row."""
    ids = batch.column("id")
    return pa.RecordBatch.from_arrays([ids, pc.add(pc.multiply(ids, 2), 1)], names=["id", "out"])


recorded_batch_sizes = []


def record_batch_size(batch):
    recorded_batch_sizes.append(batch.num_rows)
    return batch


def drop_last_row(batch):
    return batch.slice(0, batch.num_rows - 1)


slow_batch_sizes = []


def slow_batch(batch):
    import time

    slow_batch_sizes.append(batch.num_rows)
    time.sleep(1.5)
    return batch


_gates = {}


def gate(name):
    """The gate (a threading.Event) of one test; batches naming it in their "gate" column wait
    for it to open."""
    import threading

    return _gates.setdefault(name, threading.Event())


gated_batch_sizes = {}


def gated_batch(batch):
    """Waits for the gate its rows name (the bound keeps a failed test from hanging), and records
    the batch's size under that gate."""
    name = batch.column("gate")[0].as_py()
    gated_batch_sizes.setdefault(name, []).append(batch.num_rows)
    gate(name).wait(timeout=20)
    return batch


_probability_model = None


def probability_model():
    """A LogisticRegression on synthetic data with a fixed seed, trained once per process.

    Trained on first use rather than at import, so the tests that import this module without
    scoring do not pay for importing scikit-learn.
    """
    global _probability_model
    if _probability_model is None:
        from sklearn.linear_model import LogisticRegression

        rng = np.random.default_rng(42)
        x = rng.normal(size=(1000, 3))
        y = (x @ np.array([1.5, -2.0, 0.5]) + rng.normal(scale=0.5, size=1000) > 0).astype(int)
        _probability_model = LogisticRegression().fit(x, y)
    return _probability_model


def predict_proba_batch(batch):
    """P(y = 1) of each row's features x0, x1, x2, with the row's id."""
    x = np.column_stack([batch.column(name).to_numpy() for name in ("x0", "x1", "x2")])
    p = probability_model().predict_proba(x)[:, 1]
    return pa.RecordBatch.from_arrays([batch.column("id"), pa.array(p)], names=["id", "p"])


def predict_proba_all(x0, x1, x2):
    """The same probabilities, for all rows in one call."""
    x = np.column_stack([np.asarray(column, dtype=float) for column in (x0, x1, x2)])
    return probability_model().predict_proba(x)[:, 1].tolist()
