"""Python functions the Java tests call."""
import logging
import threading
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

seen_addresses = []
log = logging.getLogger("jvm_udfs")


def add_one(x):
    return x + 1


def half(x):
    return x / 2


def identity(x):
    return x


def type_name(x):
    return type(x).__name__


def echo(*args, **kwargs):
    return [list(args), kwargs]


def three(a, b, c):
    return a + b + c


def fail(message):
    raise ValueError(message)


def chained():
    try:
        {}["missing"]
    except KeyError as e:
        raise RuntimeError("lookup failed") from e


def huge():
    return 2**64


def unconvertible():
    return object()


def says(message):
    log.warning("warning from Python: %s", message)
    print("printed by Python:", message)
    return message


def record_addresses(batch):
    seen_addresses.clear()
    for column in batch.columns:
        seen_addresses.append([b.address if b is not None else 0 for b in column.buffers()])
    return batch


def doubled(batch):
    return pa.RecordBatch.from_arrays([pc.multiply(c, 2) for c in batch.columns], names=batch.schema.names)


def column_sum(batch):
    total = batch.column(0)
    for i in range(1, batch.num_columns):
        total = pc.add(total, batch.column(i))
    return total


def as_pandas(batch):
    return batch.to_pandas()


def not_a_batch(batch):
    return "a string"


def failing_batch(batch):
    raise ZeroDivisionError("model exploded")


def score_rows(batch):
    """One result row per input row: score = 2 * id + 1, and the thread that scored it."""
    ids = batch.column("id").to_numpy()
    return pa.RecordBatch.from_arrays(
        [pa.array(ids * 2 + 1), pa.array([threading.current_thread().name] * len(ids))],
        names=["score", "thread"],
    )


def batch_sizes(batch):
    """Each row gets its id back and the number of rows of the batch it came in."""
    rows = batch.num_rows
    return pa.RecordBatch.from_arrays(
        [batch.column("id"), pa.array([rows] * rows, type=pa.int64())], names=["id", "batch_size"]
    )


_gates = {}
_calls = {}


def _event(events, name):
    return events.setdefault(name, threading.Event())


def gated_batch_sizes(batch):
    """batch_sizes, once the gate the rows name is open (the bound keeps a failed test from
    hanging); wait_for_call tells when a call is waiting there."""
    name = batch.column("gate")[0].as_py()
    _event(_calls, name).set()
    _event(_gates, name).wait(timeout=20)
    return batch_sizes(batch)


def wait_for_call(gate):
    return _event(_calls, gate).wait(timeout=20)


def open_gate(gate):
    _event(_gates, gate).set()


def middle_rows(batch):
    """Rows 40..59, with a list and a string column: a slice, offsets at every level."""
    n = batch.num_rows
    wide = batch.append_column("tags", pa.array([[f"t{i}", f"u{i}"] for i in range(n)]))
    return wide.slice(40, 20)


def drop_a_row(batch):
    return batch.slice(0, max(batch.num_rows - 1, 0))


class Scorer:
    def __init__(self):
        self.offset = 1000

    def score(self, x):
        return x + self.offset

    def mean(self, batch):
        return np.asarray(batch.column(0).to_numpy(zero_copy_only=False)).mean()


def reenter(x):
    """Python -> Java -> Python: a Java method that itself calls Python."""
    import jarrow

    return jarrow.jvm().function("io.jarrow.ReentryTarget::viaPython")(x)


def reenter_failing(x):
    import jarrow

    return jarrow.jvm().function("io.jarrow.ReentryTarget::failInPython")(x)


def java_error():
    import jarrow

    return jarrow.jvm().function("java.lang.Integer::parseInt")("not a number")


def local_call(name, *args):
    """The same call through jarrow.function in this interpreter: result, or (type, message) raised."""
    import jarrow

    try:
        return ["ok", jarrow.function(name)(*args)]
    except jarrow.PythonError as e:
        return ["raised", e.python_type, e.python_message]
    except jarrow.JarrowError as e:
        return ["error", e.code]


def local_apply(name, batch):
    import jarrow

    return jarrow.function(name).apply(batch)


def flag_large(batch):
    """The JSON tests' model: each row's id and whether its amount is over 100."""
    return pa.RecordBatch.from_arrays(
        [batch.column("id"), pc.greater(batch.column("amount"), 100.0)], names=["id", "large"]
    )


def fail_on_negative(batch):
    if pc.any(pc.less(batch.column("amount"), 0)).as_py():
        raise ValueError("negative amount")
    return batch


def identity_batch(batch):
    return batch


def fresh_column(batch):
    """A new all-valid column (no validity bitmap, as numpy-built arrays have none) per call."""
    return pa.record_batch({"x": np.arange(batch.num_rows, dtype=np.float64)})


class _ShortColumn:
    """An Arrow producer whose batch says it has more rows than its first column holds."""

    def __init__(self, batch):
        self.batch = batch

    def __arrow_c_array__(self, requested_schema=None):
        import ctypes

        schema, array = self.batch.__arrow_c_array__()
        get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
        get_pointer.restype = ctypes.c_void_p
        get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
        struct = get_pointer(array, b"arrow_array")
        # struct ArrowArray: five int64s (length first), then buffers, then children.
        children = ctypes.c_void_p.from_address(struct + 48).value
        first_column = ctypes.c_void_p.from_address(children).value
        ctypes.c_int64.from_address(first_column).value = 0
        return schema, array


def short_column(batch):
    """A malformed result: pyarrow imports it without complaint; the column is 0 rows long."""
    return _ShortColumn(pa.record_batch({"x": np.arange(batch.num_rows, dtype=np.float64)}))


def value_of(expression):
    """The value of a Python expression over numpy, pandas and datetime (the conversion tests)."""
    import datetime

    import pandas as pd

    return eval(expression, {"np": np, "pd": pd, "datetime": datetime})


def numpy_int(x):
    return np.int64(x + 1)


def numpy_float(x):
    return np.float32(x / 2)


def times_two_to_the_64(x):
    return x * 2**64


def crash():
    """A native crash: reads memory at address 0."""
    import ctypes

    return ctypes.string_at(0)


def dictionary_types(batch):
    """The type of each column as Python sees it."""
    return pa.record_batch({"type": [str(column.type) for column in batch.columns]})


# MicroBatcher's tests: a scoring function whose batch sizes and speed the test controls.
batcher_calls = []
batcher_delay = [0.0]


def batcher_score(batch):
    """Each record's id and twice its amount; fails a batch holding a poisoned record."""
    batcher_calls.append(batch.num_rows)
    if batcher_delay[0]:
        time.sleep(batcher_delay[0])
    if "poison" in batch.schema.names and pc.any(pc.fill_null(batch.column("poison"), False)).as_py():
        raise ValueError("poisoned record in the batch")
    return pa.RecordBatch.from_arrays(
        [batch.column("id"), pc.multiply(batch.column("amount"), 2.0)], names=["id", "score"]
    )


def batcher_sizes(delay=0.0):
    """The batch sizes seen since the last call, and how long the next calls take."""
    sizes = list(batcher_calls)
    batcher_calls.clear()
    batcher_delay[0] = delay
    return sizes
