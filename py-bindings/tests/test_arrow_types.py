"""Every Arrow type pyarrow makes, sent to Java and back: through a Java identity method, and
through Java to a Python identity function and back (both hand-overs each way). A type arrives as
it left (extension types with their name), arrives decoded (a dictionary: a Java root has no
place for one), or is refused with a clear error; it never crashes the process or comes back
wrong."""
import datetime
import decimal

import numpy as np
import pyarrow as pa
import pytest

import jarrow

N = 5

COLUMNS = {
    "null": pa.nulls(N),
    "bool": pa.array([True, None, False, True, False]),
    **{t: pa.array([1, None, 0, 7, 100], t) for t in ("int8", "int16", "int32", "int64")},
    **{t: pa.array([1, None, 0, 7, 200], t) for t in ("uint8", "uint16", "uint32")},
    "uint64": pa.array([1, 2**64 - 1, None, 0, 5], pa.uint64()),
    "float16": pa.array(np.array([1, 2, 3, 4, 0.5], dtype=np.float16)),
    "float32": pa.array([1.5, None, 2.5, 3.0, -0.0], pa.float32()),
    "float64": pa.array([1.5, None, float("nan"), float("inf"), -0.0]),
    "decimal128": pa.array([decimal.Decimal("1.25"), None, decimal.Decimal("-3.50"), decimal.Decimal(0), decimal.Decimal("99999999.99")], pa.decimal128(10, 2)),
    "decimal256": pa.array([decimal.Decimal("1.25"), None, decimal.Decimal("-3.50"), decimal.Decimal(0), decimal.Decimal(10) ** 37], pa.decimal256(40, 2)),
    "date32": pa.array([datetime.date(2024, 1, 1), None, datetime.date(1, 1, 1), datetime.date(9999, 12, 31), datetime.date(1970, 1, 1)]),
    "date64": pa.array([datetime.date(2024, 1, 1), None, datetime.date(1970, 1, 1), datetime.date(2000, 2, 29), datetime.date(1900, 3, 1)], pa.date64()),
    **{f"time32[{u}]": pa.array([1, None, 3, 86399, 0], pa.time32(u)) for u in ("s", "ms")},
    **{f"time64[{u}]": pa.array([1, None, 3, 4, 0], pa.time64(u)) for u in ("us", "ns")},
    **{f"timestamp[{u}]": pa.array([1, None, -3, 4, 0], pa.timestamp(u)) for u in ("s", "ms", "us", "ns")},
    "timestamp[ns, tz]": pa.array([1, None, 3, 4, 0], pa.timestamp("ns", tz="Europe/Paris")),
    **{f"duration[{u}]": pa.array([1, None, -3, 4, 0], pa.duration(u)) for u in ("s", "ms", "us", "ns")},
    "interval[month_day_nano]": pa.array([(1, 2, 3), None, (0, 0, 0), (-1, 5, 10**12), (12, 0, 1)], pa.month_day_nano_interval()),
    "string": pa.array(["a", None, "", "é🎉", "\0"]),
    "large_string": pa.array(["a", None, "", "x", "yy"], pa.large_string()),
    "binary": pa.array([b"a", None, b"", b"\0", b"\xff"]),
    "large_binary": pa.array([b"a", None, b"", b"x", b"yy"], pa.large_binary()),
    "fixed_size_binary": pa.array([b"ab", None, b"cd", b"ef", b"\0\0"], pa.binary(2)),
    "string_view": pa.array(["a", None, "a string longer than twelve bytes", "x", ""], pa.string_view()),
    "binary_view": pa.array([b"a", None, b"a binary longer than twelve bytes", b"x", b""], pa.binary_view()),
    "list": pa.array([[1], None, [], [2, 3], [None]]),
    "large_list": pa.array([[1], None, [], [2, 3], [4]], pa.large_list(pa.int64())),
    "fixed_size_list": pa.array([[1, 2], None, [3, 4], [5, 6], [None, 7]], pa.list_(pa.int32(), 2)),
    "list_view": pa.array([[1], None, [], [2, 3], [4]], pa.list_view(pa.int64())),
    "large_list_view": pa.array([[1], None, [], [2, 3], [4]], pa.large_list_view(pa.int64())),
    "struct": pa.array([{"a": 1, "b": "x"}, None, {"a": None, "b": "y"}, {"a": 3, "b": None}, {"a": 0, "b": ""}]),
    "map": pa.array([[("k", 1)], None, [], [("a", 2), ("b", 3)], [("c", None)]], pa.map_(pa.string(), pa.int64())),
    "dictionary": pa.array(["a", "b", None, "a", "c"]).dictionary_encode(),
    "dense_union": pa.UnionArray.from_dense(pa.array([0, 1, 0, 1, 1], pa.int8()), pa.array([0, 0, 1, 1, 2], pa.int32()), [pa.array([1, 2]), pa.array(["x", "y", "z"])]),
    "sparse_union": pa.UnionArray.from_sparse(pa.array([0, 1, 0, 1, 0], pa.int8()), [pa.array([1, 2, 3, 4, 5]), pa.array(["a", "b", "c", "d", "e"])]),
    "run_end_encoded": pa.RunEndEncodedArray.from_arrays([2, 5], ["x", "y"]),
    "uuid": pa.array([bytes(range(16)), None, b"\xff" * 16, bytes(16), b"0123456789abcdef"], pa.uuid()),
}


# Arrow Java numbers a sparse union's children by its own type ids without rewriting the ids of
# the rows: the batch it sends back is refused, by name, before pyarrow reads it.
REFUSED = {"sparse_union": "does not list"}


def arrived(sent: pa.RecordBatch, received: pa.RecordBatch) -> str:
    """'same', 'decoded' (a dictionary arrived as its values), or what differs."""
    column, back = sent.column(0), received.column(0)
    # Compared as text too: NaN is not equal to itself.
    if received.schema == sent.schema and (received.equals(sent) or repr(back.to_pylist()) == repr(column.to_pylist())):
        return "same"
    if pa.types.is_dictionary(column.type) and back.type == column.type.value_type:
        return "decoded" if back.to_pylist() == column.to_pylist() else "decoded to other values"
    return f"{back.type}: {back.to_pylist()}"


@pytest.mark.parametrize("path", ["Batches::identity", "Batches::throughPython"])
@pytest.mark.parametrize("name", list(COLUMNS))
def test_every_arrow_type_through_java_and_python_identities(jvm, name, path):
    batch = pa.record_batch({name: COLUMNS[name]})
    if name in REFUSED:
        with pytest.raises(jarrow.JarrowError, match=REFUSED[name]):
            jvm.function(path).apply(batch)
        return
    result = jvm.function(path).apply(batch)
    outcome = arrived(batch, result)
    assert outcome in ("same", "decoded"), f"{name} came back as {outcome}"
    if outcome == "decoded":
        assert name == "dictionary"
