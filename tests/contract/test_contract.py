"""The Python side of the cross-language contract: every call in cases.json, made through
``jarrow.function`` (the JVM's contract, in this interpreter), gives the result or the error the
file says; the Rust core (contract.rs) and Java (ContractTest) check the same file."""
import json
from pathlib import Path

import pyarrow as pa
import pytest

import jarrow

CASES = json.loads((Path(__file__).with_name("cases.json")).read_text(encoding="utf-8"))
TYPES = {"int64": pa.int64(), "float64": pa.float64(), "utf8": pa.utf8()}
NAMES = {v: k for k, v in TYPES.items()}


def batch(columns):
    arrays = [pa.array(values, TYPES[kind]) for (kind, values) in (next(iter(c.items())) for c in columns.values())]
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


def columns_of(result):
    return {f.name: {NAMES[f.type]: result.column(i).to_pylist()} for i, f in enumerate(result.schema)}


def check_error(case, error):
    raises = case["raises"]
    assert error.code == raises["code"], (case, error)
    if raises["code"] == "PYTHON":
        assert error.python_type == raises["type"]
        assert error.python_message == raises["message"]
        if "traceback_has" in raises:
            assert raises["traceback_has"] in error.python_traceback


@pytest.mark.parametrize("case", CASES["calls"], ids=lambda c: c["call"])
def test_every_call_gives_what_the_contract_says(case):
    try:
        result = jarrow.function(case["call"])(*case["args"], **case.get("kwargs", {}))
    except jarrow.JarrowError as error:
        assert "raises" in case, (case, error)
        check_error(case, error)
    else:
        assert "returns" in case, (case, result)
        assert result == case["returns"]
        assert type(result) is type(case["returns"]), "an int stays an int, a float a float"


@pytest.mark.parametrize("case", CASES["batches"], ids=lambda c: c["apply"])
def test_every_batch_gives_what_the_contract_says(case):
    function = jarrow.function(case["apply"])
    try:
        result = function.apply(batch(case["columns"]))
    except jarrow.JarrowError as error:
        assert "raises" in case, (case, error)
        check_error(case, error)
    else:
        assert "returns" in case, (case, result)
        assert columns_of(pa.record_batch(result)) == case["returns"]
