"""A stateful function tested from Python as the engine drives it: called, snapshotted, restored."""
import pytest

import jarrow


def test_a_restored_function_goes_on_from_the_snapshot():
    counter = jarrow.function("stateful:Counter.add")
    assert counter(2) == 2
    state = counter.snapshot()
    assert isinstance(state, bytes)
    assert counter(3) == 5
    restored = counter.restored(state)
    assert restored(1) == 3, "the snapshot's total, 2, plus 1"
    assert counter(0) == 5, "the function restored from is left as it was"
    assert restored.name == "stateful:Counter.add"


def test_getstate_decides_what_a_snapshot_holds():
    cached = jarrow.function("stateful:CachedCounter.add")  # holds a lock, which pickle refuses
    cached(7)
    assert cached.restored(cached.snapshot())(1) == 8


def test_a_function_has_no_state_and_bad_state_is_refused():
    import math  # noqa: F401

    sqrt = jarrow.function("math:sqrt")
    assert sqrt.snapshot() is None
    state = jarrow.function("stateful:Counter.add").snapshot()
    with pytest.raises(jarrow.PythonError, match="no state to restore"):
        sqrt.restored(state)
    with pytest.raises(jarrow.PythonError, match="of a Counter, not of a CachedCounter"):
        jarrow.function("stateful:CachedCounter.add").restored(state)
    with pytest.raises(jarrow.PythonError, match="TypeError"):
        jarrow.function("stateful:Unpicklable.call").snapshot()
