"""Batches handed to Java methods: zero-copy both ways, pyarrow/polars/pandas inputs."""
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import jarrow


def addresses(batch):
    return [[b.address if b is not None else 0 for b in c.buffers()] for c in batch.columns]


def test_java_sees_pythons_buffers_and_python_sees_javas(jvm):
    batch = pa.record_batch({
        "x": pa.array(np.arange(1000, dtype=np.float64)),
        "y": pa.array([None if i % 7 == 0 else float(i) for i in range(1000)]),
    })
    result = jvm.function("Batches::identity").apply(batch)
    seen = jvm.function("Batches::seen")()
    expected = addresses(batch)
    # Java lists a validity buffer for every column; pyarrow lists a column without nulls as 0.
    for java, python in zip(seen, expected):
        assert java[1:] == python[1:]
        assert python[0] in (0, java[0])
    assert [a[1:] for a in addresses(result)] == [a[1:] for a in expected], "the result comes back over the same buffers"
    assert result.equals(batch)


@pytest.mark.parametrize(
    "make",
    [lambda t: t.to_batches()[0], lambda t: t, lambda t: t.to_pandas(), lambda t: pl.from_arrow(t)],
    ids=["pyarrow-batch", "pyarrow-table", "pandas", "polars"],
)
def test_batch_round_trips_from_every_kind_of_input(jvm, make):
    table = pa.table({"a": [1.0, 2.0, None], "b": [10.0, 20.0, 30.0]})
    result = jvm.function("Batches::doubled").apply(make(table))
    assert isinstance(result, pa.RecordBatch)
    assert result.to_pydict() == {"a": [2.0, 4.0, None], "b": [20.0, 40.0, 60.0]}


def test_batch_errors(jvm):
    batch = pa.record_batch({"a": [1.0]})
    with pytest.raises(jarrow.JavaError, match="no batch today") as raised:
        jvm.function("Batches::fail").apply(batch)
    assert raised.value.java_class == "java.lang.IllegalStateException"
    with pytest.raises(jarrow.NotFoundError, match="no batch overload"):
        jvm.function("Scalars::identityLong").apply(batch)
    with pytest.raises(jarrow.ConversionError, match="not a batch"):
        jvm.function("Batches::identity").apply(42)
    # Nothing leaked or broke: the next call works.
    assert jvm.function("Batches::doubled").apply(batch).to_pydict() == {"a": [2.0]}
