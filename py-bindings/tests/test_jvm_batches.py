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


def test_all_valid_columns_and_slices_reach_java_as_their_rows(jvm):
    """Arrow Java needs a validity bitmap where pyarrow has none: every all-valid column gets one of
    its own (a copy-on-write mapping, so the hand-over does not grow with the rows), which reads as
    all valid. Its importer ignores offsets: a sliced batch is compacted first."""
    identity, seen = jvm.function("Batches::identity"), jvm.function("Batches::seen")
    small = pa.record_batch({"a": np.arange(10.0), "b": np.arange(10.0)})
    big = pa.record_batch({"a": np.arange(1_000_000.0), "n": pa.array([None, 1.0] * 500_000)})
    identity.apply(small)
    small_a, small_b = (column[0] for column in seen())
    assert small_a != small_b and 0 not in (small_a, small_b), "each all-valid column has its own bitmap"
    identity.apply(big)
    big_a, big_n = (column[0] for column in seen())
    assert big_n == big.column(1).buffers()[0].address, "a column with nulls keeps its own bitmap"
    identity.apply(big)
    assert big_a != 0 and seen()[0][0] != small_a
    doubled = jvm.function("Batches::doubled")
    sliced = big.slice(999_990, 10)
    assert doubled.apply(sliced).to_pydict() == {
        "a": [2.0 * i for i in range(999_990, 1_000_000)],
        "n": [None, 2.0] * 5,
    }
    assert doubled.apply(small).column(0).null_count == 0
    nested = pa.record_batch({"l": [[i, i + 1] for i in range(100)], "s": [str(i) for i in range(100)]}).slice(37, 5)
    assert identity.apply(nested).equals(nested), "a slice at every level reaches Java as its rows"


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
