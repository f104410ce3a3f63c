"""jarrow.function: the JVM's resolution, conversions, batch contract and errors, in this Python."""
import datetime
import decimal

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import jarrow
import batches


def test_scalars_cross_with_the_jvm_conversions():
    identity = jarrow.function("udfs:identity")
    for value in [None, True, 0, -(2**63), 2**63 - 1, 1.5, float("inf"), "", "héllo 🎉", b"\x00\xff",
                  [1, [2, None]], {"a": {"b": [1.5]}}, datetime.date(2024, 2, 29),
                  datetime.time(23, 59, 59, 999999), datetime.datetime(1969, 12, 31, 23, 59, 59),
                  decimal.Decimal("12345678901234567890.0123456789")]:
        assert identity(value) == value
    assert identity((1, 2)) == [1, 2], "a tuple arrives as a list, as a Java List would"
    assert identity(np.int64(7)) == 7
    assert jarrow.function("udfs:type_name")(np.float32(1.5)) == "float"


def test_call_shapes_and_instance_methods():
    echo = jarrow.function("udfs:echo")
    assert echo() == [[], {}]
    assert echo(1, "two", three=3.0) == [[1, "two"], {"three": 3.0}]
    assert jarrow.function("udfs:Scorer.score")(1) == 101
    assert repr(echo) == 'jarrow.PythonFunction("udfs:echo")'
    assert echo.name == "udfs:echo"


def test_errors_are_jarrow_errors_with_the_python_details():
    with pytest.raises(jarrow.PythonError) as raised:
        jarrow.function("udfs:raise_value_error")("bad input")
    e = raised.value
    assert isinstance(e, jarrow.JarrowError)
    assert (e.code, e.python_type, e.python_message) == ("PYTHON", "ValueError", "bad input")
    assert e.python_traceback.startswith("Traceback (most recent call last):")
    assert "in raise_value_error" in e.python_traceback
    with pytest.raises(jarrow.PythonError) as chained:
        jarrow.function("udfs:chained")()
    assert chained.value.python_type == "RuntimeError"
    assert "KeyError: 'missing'" in chained.value.python_traceback
    assert "direct cause of the following exception" in chained.value.python_traceback
    assert jarrow.function("udfs:two_to_the_64")() == 2**64
    with pytest.raises(jarrow.ConversionError, match="object"):
        jarrow.function("udfs:identity")(object())
    with pytest.raises(jarrow.NotFoundError, match="sys.path"):
        jarrow.function("no_such_module:f")
    with pytest.raises(jarrow.NotFoundError, match="package.module:function"):
        jarrow.function("udfs")


def test_batches_are_zero_copy_from_pyarrow():
    batch = pa.record_batch({"x": pa.array(np.arange(1000, dtype=np.float64)), "s": [str(i) for i in range(1000)]})
    result = jarrow.function("batches:record_addresses").apply(batch)
    expected = [[b.address if b is not None else 0 for b in c.buffers()] for c in batch.columns]
    assert batches.seen_addresses == expected
    assert [[b.address if b is not None else 0 for b in c.buffers()] for c in result.columns] == expected
    assert result.equals(batch)


@pytest.mark.parametrize(
    "make",
    [
        lambda t: t.to_batches()[0],
        lambda t: t,
        lambda t: t.to_pandas(),
        lambda t: pl.from_arrow(t),
    ],
    ids=["pyarrow-batch", "pyarrow-table", "pandas", "polars"],
)
def test_pyarrow_polars_and_pandas_inputs(make):
    table = pa.table({"a": [1.0, 2.0, 3.0], "b": [10.0, 20.0, 30.0]})
    result = jarrow.function("batches:doubled").apply(make(table))
    assert isinstance(result, pa.RecordBatch)
    assert result.to_pydict() == {"a": [2.0, 4.0, 6.0], "b": [20.0, 40.0, 60.0]}


def test_results_are_coerced_like_the_jvm_gets_them():
    result = jarrow.function("batches:as_numpy_plus_one").apply(pa.record_batch({"x": [1.0, 2.0]}))
    assert result.schema.names == ["result"]
    assert result.column(0).to_pylist() == [2.0, 3.0]
    with pytest.raises(jarrow.ConversionError, match="builtins.str"):
        jarrow.function("udfs:identity").apply("not a batch")


def test_the_jni_library_ships_in_the_wheel():
    path = jarrow.jni_library()
    assert path.endswith("libjarrow_jni.so")
    with open(path, "rb") as f:
        assert f.read(4) == b"\x7fELF"
