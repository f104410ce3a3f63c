"""jarrow: Python functions called in-process from the JVM, on zero-copy Apache Arrow batches.

Test a UDF exactly as the JVM will call it:

>>> import jarrow
>>> sqrt = jarrow.function("math:sqrt")
>>> sqrt(16)
4.0
>>> jarrow.function("math:no_such_function")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
jarrow.NotFoundError: cannot resolve Python function "math:no_such_function": ...

When the JVM hosts this interpreter (Java called Python), ``jarrow.jvm()`` reaches back into it:
``jarrow.jvm().function("com.acme.Rules::score")(x)`` calls a public static Java method, with the
GIL released while Java runs.

Every error jarrow raises is a :class:`JarrowError`; an exception raised by the function is a
:class:`PythonError` with ``python_type``, ``python_message`` and ``python_traceback``.
"""

from __future__ import annotations

from pathlib import Path

from jarrow._native import (
    ArrowError,
    ClosedError,
    ConfigError,
    ConversionError,
    Function,
    JarrowError,
    JavaError,
    JavaFunction,
    Jvm,
    NotFoundError,
    OverloadedError,
    PythonError,
    TimeoutError,
    __version__,
    function,
    jvm,
)

__all__ = [
    "ArrowError",
    "ClosedError",
    "ConfigError",
    "ConversionError",
    "Function",
    "JarrowError",
    "JavaError",
    "JavaFunction",
    "Jvm",
    "NotFoundError",
    "OverloadedError",
    "PythonError",
    "TimeoutError",
    "__version__",
    "function",
    "jni_library",
    "jvm",
]

_JNI_LIBRARY = "libjarrow_jni.so"


def jni_library() -> str:
    """The path of the JNI library built for this Python, which the Java side (``io.jarrow``) loads.

    Raises :class:`ConfigError` if this installation was built without it.
    """
    path = Path(__file__).with_name(_JNI_LIBRARY)
    if not path.is_file():
        raise ConfigError(
            f"this jarrow installation ({Path(__file__).parent}) has no {_JNI_LIBRARY}: install a jarrow "
            "wheel built with it (`make wheel` in the jarrow repository), or point the JVM at the library "
            "with -Djarrow.library"
        )
    return str(path)
