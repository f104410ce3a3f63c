# The Python half of jarrow's Arrow path, loaded into the embedded interpreter as `_jarrow_arrow`:
# it turns whatever a batch function returns into one pyarrow.RecordBatch, and compacts a batch
# for Arrow Java. Imports pyarrow only when a batch is seen, so scalar-only users need neither
# numpy nor pyarrow.
import sys

RESULT_COLUMN = "result"

ACCEPTED_RESULTS = (
    "pyarrow.RecordBatch, pyarrow.Table, pyarrow.Array, pyarrow.ChunkedArray, a 1-D numpy.ndarray, "
    "pandas.DataFrame, pandas.Series, polars.DataFrame, polars.Series, or any object with "
    "__arrow_c_array__ or __arrow_c_stream__"
)


def _type_name(obj):
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _from_module(obj, package):
    module = type(obj).__module__
    return module == package or module.startswith(package + ".")


def _single_column(pa, array):
    return pa.RecordBatch.from_arrays([array], names=[RESULT_COLUMN])


def _table_to_batch(pa, table):
    batches = table.combine_chunks().to_batches()
    if len(batches) == 1:
        return batches[0]
    if not batches:
        return pa.RecordBatch.from_arrays(
            [pa.array([], type=field.type) for field in table.schema], schema=table.schema
        )
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]


def compact(batch):
    """A copy of the batch in which every array starts at offset 0.

    Arrow Java's C Data importer ignores offsets, so a sliced batch must not reach it as a slice.
    The IPC format has no offsets: a batch read back from it starts at 0 at every level.
    """
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return pa.ipc.open_stream(sink.getvalue()).read_next_batch()


def to_record_batch(result):
    """Coerces what a batch function returned into one pyarrow.RecordBatch.

    A bare array or series becomes one column named 'result'.
    """
    import pyarrow as pa

    if isinstance(result, pa.RecordBatch):
        return result
    if isinstance(result, pa.Table):
        return _table_to_batch(pa, result)
    if isinstance(result, pa.Array):
        return _single_column(pa, result)
    if isinstance(result, pa.ChunkedArray):
        return _single_column(pa, result.combine_chunks())
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(result, numpy.ndarray):
        if result.ndim != 1:
            raise TypeError(
                f"a batch function returned a numpy array of shape {result.shape}; "
                "expected a 1-D array (one value per row)"
            )
        return _single_column(pa, pa.array(result))
    if _from_module(result, "pandas"):
        pandas = sys.modules["pandas"]
        if isinstance(result, pandas.DataFrame):
            return pa.RecordBatch.from_pandas(result, preserve_index=False)
        if isinstance(result, pandas.Series):
            return _single_column(pa, pa.Array.from_pandas(result))
    if _from_module(result, "polars"):
        polars = sys.modules["polars"]
        if isinstance(result, polars.DataFrame):
            return _table_to_batch(pa, result.to_arrow())
        if isinstance(result, polars.Series):
            return _single_column(pa, pa.array(result.to_arrow()))
    if hasattr(result, "__arrow_c_array__"):
        array = pa.array(result)
        if pa.types.is_struct(array.type):
            return pa.RecordBatch.from_struct_array(array)
        return _single_column(pa, array)
    if hasattr(result, "__arrow_c_stream__"):
        chunked = pa.chunked_array(result)
        if pa.types.is_struct(chunked.type):
            return pa.RecordBatch.from_struct_array(chunked.combine_chunks())
        return _single_column(pa, chunked.combine_chunks())
    raise TypeError(
        f"a batch function returned {_type_name(result)}; expected {ACCEPTED_RESULTS}"
    )
