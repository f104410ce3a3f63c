"""jarrow: Python functions called in-process from the JVM, on zero-copy Apache Arrow batches.

Test a UDF exactly as the JVM will call it:

>>> import jarrow
>>> sqrt = jarrow.function("math:sqrt")
>>> sqrt(16)
4.0
>>> jarrow.function("math:no_such_function")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
jarrow.NotFoundError: cannot resolve "math:no_such_function": ...

When the JVM hosts this interpreter (Java called Python), ``jarrow.jvm()`` reaches back into it:
``jarrow.jvm().function("com.acme.Rules::score")(x)`` calls a public static Java method, with the
GIL released while Java runs.

Every error jarrow raises is a :class:`JarrowError`; an exception raised by the function is a
:class:`PythonError` with ``python_type``, ``python_message`` and ``python_traceback``.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path

from jarrow import _native
from jarrow._native import (
    ArrowError,
    ClosedError,
    ConfigError,
    ConversionError,
    JarrowError,
    JavaError,
    JavaFunction,
    Jvm,
    NotFoundError,
    OverloadedError,
    PythonError,
    PythonFunction,
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
    "JarrowError",
    "JavaError",
    "JavaFunction",
    "Jvm",
    "NotFoundError",
    "OverloadedError",
    "PythonError",
    "PythonFunction",
    "TimeoutError",
    "__version__",
    "function",
    "jni_library",
    "jvm",
    "start_jvm",
]

_JNI_LIBRARY = "libjarrow_jni.so"
_JAR = "jarrow.jar"
_LIBJVM_PLACES = ("lib/server/libjvm.so", "jre/lib/amd64/server/libjvm.so", "lib/amd64/server/libjvm.so")
_start_lock = threading.Lock()
_started_with: tuple[tuple[str, ...], tuple[str, ...], str | None] | None = None


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


def _jar() -> str:
    """jarrow's jar (with Arrow Java), which start_jvm puts on the classpath."""
    jar = Path(__file__).with_name(_JAR)
    if not jar.is_file():
        raise ConfigError(f"this jarrow installation ({jar.parent}) has no {_JAR}; install a jarrow wheel built with it")
    return str(jar)


def _libjvm(java_home: str | os.PathLike[str] | None) -> str:
    """libjvm.so from `java_home`, else $JAVA_HOME, else the `java` on PATH."""
    homes: list[tuple[str, Path]] = []
    if java_home is not None:
        homes.append(("java_home", Path(java_home)))
    elif os.environ.get("JAVA_HOME"):
        homes.append(("$JAVA_HOME", Path(os.environ["JAVA_HOME"])))
    else:
        java = shutil.which("java")
        if java:
            homes.append(("java on PATH", Path(java).resolve().parent.parent))
    tried = []
    for source, home in homes:
        for place in _LIBJVM_PLACES:
            candidate = home / place
            if candidate.is_file():
                return str(candidate)
            tried.append(f"{candidate} ({source})")
    if not homes:
        tried.append("java_home (not given), $JAVA_HOME (unset), java on PATH (not found)")
    raise ConfigError("cannot find libjvm.so; tried " + ", ".join(tried) + ". Pass java_home= or set JAVA_HOME")


def start_jvm(
    classpath: Iterable[str | os.PathLike[str]] = (),
    options: Iterable[str] = (),
    java_home: str | os.PathLike[str] | None = None,
) -> Jvm:
    """Starts the JVM of this process and returns it; jarrow's own jar joins the classpath.

    A process has one JVM, and a JVM cannot be restarted: a second call with the same arguments
    returns the same JVM, with different ones it raises :class:`ConfigError`. ``-Xrs`` (Ctrl-C
    stays with Python) and ``--add-opens=java.base/java.nio=ALL-UNNAMED`` (Arrow Java's direct
    buffers) are added unless given.

    >>> import jarrow
    >>> jvm = jarrow.start_jvm()
    >>> jvm.function("java.lang.Math::max")(3, 7)
    7
    """
    global _started_with
    key = (tuple(str(p) for p in classpath), tuple(options), None if java_home is None else str(java_home))
    with _start_lock:
        if _started_with is not None:
            if _started_with == key:
                return jvm()
            raise ConfigError(
                f"a JVM already runs in this process, started with classpath={list(_started_with[0])}, "
                f"options={list(_started_with[1])}, java_home={_started_with[2]}; a JVM cannot be restarted "
                "or reconfigured in a process: call start_jvm once, with one configuration"
            )
        options = list(key[1])
        # Ctrl-C stays Python's (-Xrs), and Arrow Java may reach direct buffers (--add-opens).
        if "-Xrs" not in options:
            options.append("-Xrs")
        if not any(o.startswith("--add-opens=java.base/java.nio=") for o in options):
            options.append("--add-opens=java.base/java.nio=ALL-UNNAMED")
        _native._start_jvm(_libjvm(java_home), [*key[0], _jar()], options)
        _started_with = key
    return jvm()
