# The Python half of jarrow's core, loaded into the embedded interpreter as `_jarrow_bridge`.
# It resolves function names, formats exceptions and turns whatever a batch function returns into
# one pyarrow.RecordBatch. Kept free of imports beyond the standard library until a batch is seen,
# so scalar-only users need neither numpy nor pyarrow.
import importlib
import inspect
import sys
import traceback

RESULT_COLUMN = "result"

ACCEPTED_RESULTS = (
    "pyarrow.RecordBatch, pyarrow.Table, pyarrow.Array, pyarrow.ChunkedArray, a 1-D numpy.ndarray, "
    "pandas.DataFrame, pandas.Series, polars.DataFrame, polars.Series, or any object with "
    "__arrow_c_array__ or __arrow_c_stream__"
)


class ResolveError(LookupError):
    """A function name did not lead to a callable."""


def resolve(name):
    """Resolves 'pkg.module:attr' or 'pkg.module:Class.method' to a callable, once.

    'Class.method' naming a plain (instance) method binds it to one instance of Class, created here
    with no arguments, so a model can be loaded in __init__ and used by every call.
    """
    module_name, sep, qualname = name.partition(":")
    if not sep or not module_name or not qualname:
        raise ResolveError(
            f"{name!r} is not a function name: expected 'package.module:function' or "
            "'package.module:Class.method'"
        )
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name is not None and module_name.startswith(e.name):
            raise ResolveError(
                f"no module named {e.name!r} (looking for {name!r}); sys.path is {sys.path}"
            ) from None
        raise
    owner, target = None, module
    parts = qualname.split(".")
    for i, part in enumerate(parts):
        try:
            owner, target = target, getattr(target, part)
        except AttributeError:
            where = getattr(module, "__file__", None) or module_name
            raise ResolveError(
                f"module {module_name!r} ({where}) has no attribute {'.'.join(parts[: i + 1])!r} "
                f"(looking for {name!r}); sys.path is {sys.path}"
            ) from None
    if isinstance(owner, type) and inspect.isfunction(target):
        static = inspect.getattr_static(owner, parts[-1])
        if not isinstance(static, (staticmethod, classmethod)):
            target = getattr(owner(), parts[-1])
    if not callable(target):
        raise ResolveError(f"{name!r} is a {type(target).__name__}, which is not callable")
    return target


def describe_exception(exc, tb):
    """(qualified type name, message, full traceback text) of an exception raised with `tb`."""
    cls = type(exc)
    module = cls.__module__
    type_name = cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"
    text = "".join(traceback.format_exception(cls, exc, tb))
    return type_name, str(exc), text


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
