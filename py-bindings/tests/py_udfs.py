"""UDFs the Python package's tests call through jarrow.function."""
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

seen_addresses = []


def identity(x):
    return x


def type_name(x):
    return type(x).__name__


def echo(*args, **kwargs):
    return [list(args), kwargs]


def fail(message):
    raise ValueError(message)


def huge():
    return 2**64


def record_addresses(batch):
    seen_addresses.clear()
    for column in batch.columns:
        seen_addresses.append([b.address if b is not None else 0 for b in column.buffers()])
    return batch


def doubled(batch):
    return pa.RecordBatch.from_arrays([pc.multiply(c, 2) for c in batch.columns], names=batch.schema.names)


def as_numpy(batch):
    return batch.column(0).to_numpy() + 1


class Scorer:
    def __init__(self):
        self.offset = 100

    def score(self, x):
        return x + self.offset


def add_ten(x):
    return x + 10


def chained():
    try:
        {}["missing"]
    except KeyError as e:
        raise RuntimeError("lookup failed") from e


def identity_batch(batch):
    return batch
