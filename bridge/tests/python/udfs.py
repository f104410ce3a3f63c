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
