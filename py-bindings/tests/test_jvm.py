"""The JVM in-process from Python: start_jvm, static Java methods, errors, threads."""
import math
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import jarrow


def test_same_arguments_same_jvm_different_ones_refused(jvm):
    assert repr(jvm) == "jarrow.Jvm()"
    with pytest.raises(jarrow.ConfigError, match="cannot be restarted"):
        jarrow.start_jvm(classpath=["/elsewhere"])
    assert jarrow.jvm().function("java.lang.Math::max")(3, 7) == 7


def test_scalars_both_ways_with_boundaries(jvm):
    identity = jvm.function("Scalars::identityLong")
    for x in [0, 1, -1, -(2**63), 2**63 - 1]:
        assert identity(x) == x
    identity_double = jvm.function("Scalars::identityDouble")
    for x in [0.5, -2.25, float("inf"), 1e308]:
        assert identity_double(x) == x
    assert jvm.function("Scalars::not")(True) is False
    assert jvm.function("Scalars::upper")("héllo") == "HÉLLO"
    assert jvm.function("Scalars::reversed")(b"\x00\x01\xff") == b"\xff\x01\x00"
    assert jvm.function("Scalars::boxed")(41) == 42
    assert jvm.function("Scalars::boxed")(None) is None
    assert jvm.function("Scalars::narrow")(21) == 42
    assert jvm.function("Scalars::listOf")([1, "a", None]) == [1, "a", None, "end"]
    assert jvm.function("Scalars::size")({"a": 1, "b": 2}) == 2
    assert jvm.function("Scalars::echo")({"k": [1.5, b"x"]}) == {"k": [1.5, b"x"]}
    assert jvm.function("Scalars::sum")(1, 2) == 3
    assert jvm.function("Scalars::sum")(1.5, 2) == 3.5


def test_the_scalar_fast_paths_agree_with_the_general_path_on_random_values(jvm):
    """double, boolean and String take a direct JNI call for an exact float, bool or str; a
    subclass of each takes the general path, which must give the very same results."""
    import random
    import struct

    class Float(float):
        pass

    class Str(str):
        pass

    rng = random.Random(7)
    double = jvm.function("Scalars::identityDouble")
    bits = lambda x: struct.pack("<d", x)  # noqa: E731
    floats = [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, 1.7976931348623157e308]
    floats += [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(2000)]
    for x in floats:
        fast, general = double(x), double(Float(x))
        assert type(fast) is float and bits(fast) == bits(general) == bits(x) or (math.isnan(x) and math.isnan(fast))
    negate = jvm.function("Scalars::not")
    assert (negate(True), negate(False)) == (False, True) == (negate(np.bool_(True)), negate(np.bool_(False)))
    upper = jvm.function("Scalars::upper")
    alphabet = "aZ09 \0\t\nßçΣжあ漢🎉𝄞\u00ff\u0100\uffff"
    for _ in range(2000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        assert upper(s) == upper(Str(s)), repr(s)
    assert upper("") == "" and upper("ß") == "SS" and upper("🎉x") == "🎉X"
    assert jvm.function("Scalars::nothing")("x") is None
    with pytest.raises(jarrow.JavaError) as failed:
        jvm.function("Scalars::failDouble")(2.5)
    assert failed.value.java_class == "java.lang.IllegalStateException" and "no 2.5" in failed.value.java_message
    assert double(7) == 7.0, "an int still reaches double m(double) by the general path"


def test_every_call_shape_reaches_a_long_method(jvm):
    """`long m(long)` called with one exact int goes straight to Java; every other shape takes the
    general path, with the same results and errors."""
    import enum
    import functools

    class Size(enum.IntEnum):
        LARGE = 40

    identity = jvm.function("Scalars::identityLong")
    assert identity(Size.LARGE) == 40 and type(identity(Size.LARGE)) is int
    assert identity(*[7]) == 7
    assert functools.partial(identity, 9)() == 9
    assert list(map(identity, range(3))) == [0, 1, 2]
    assert identity.__call__(11) == 11
    with pytest.raises(jarrow.ConversionError):
        identity(2**63)
    with pytest.raises(jarrow.ConversionError):
        identity(True)
    with pytest.raises(jarrow.ConversionError):
        identity(1, 2)
    with pytest.raises(jarrow.ConversionError, match="no keyword arguments"):
        identity(x=1)
    with pytest.raises(jarrow.ConversionError):
        identity()


def test_java_errors_carry_class_message_and_stack(jvm):
    with pytest.raises(jarrow.JavaError) as raised:
        jvm.function("Scalars::fail")("bad input")
    e = raised.value
    assert isinstance(e, jarrow.JarrowError)
    assert (e.code, e.java_class, e.java_message) == ("JAVA", "java.lang.IllegalArgumentException", "bad input")
    assert "at Scalars.fail" in e.java_stack
    # The long -> long fast path reports exceptions the same way.
    with pytest.raises(jarrow.JavaError) as raised:
        jvm.function("Scalars::explode")(3)
    assert (raised.value.java_class, raised.value.java_message) == ("java.lang.ArithmeticException", "boom 3")
    assert "at Scalars.explode" in raised.value.java_stack
    assert jvm.function("Scalars::identityLong")(5) == 5, "the next call works"
    with pytest.raises(jarrow.ConversionError, match="no overload"):
        jvm.function("Scalars::narrow")(2**40)
    with pytest.raises(jarrow.NotFoundError, match="NoSuchClass"):
        jvm.function("NoSuchClass::f")
    with pytest.raises(jarrow.NotFoundError, match="no public static method"):
        jvm.function("Scalars::missing")
    with pytest.raises(jarrow.NotFoundError, match="package.Class::method"):
        jvm.function("Scalars")


def test_python_threads_call_java_concurrently(jvm):
    slow = jvm.function("Scalars::slow")
    identity = jvm.function("Scalars::identityLong")
    errors = []

    def work(t):
        try:
            for i in range(2000):
                assert identity(t * 10_000 + i) == t * 10_000 + i
            assert slow(50) == 50
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_python_threads_that_called_java_leave_no_java_thread_behind(jvm):
    live = jvm.function("Scalars::liveThreads")
    identity = jvm.function("Scalars::identityLong")
    before = live()
    for _ in range(10):
        threads = [threading.Thread(target=identity, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    # A thread detaches as it ends, a moment after join() returns (its thread-locals go last).
    deadline = time.monotonic() + 10
    while live() > before + 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live() <= before + 2, f"{live() - before} Java threads left behind by 200 Python threads"


def test_the_most_specific_overload_is_called_and_an_ambiguity_names_the_candidates(jvm):
    assert jvm.function("Overloads::amb")(5) == "Number"
    assert jvm.function("Overloads::amb")("text") == "Object"
    width = jvm.function("Overloads::width")
    assert (width(5), width(2**40), width(0.5)) == ("int", "long", "double")
    assert jvm.function("Overloads::boxed")(5) == "long"
    assert jvm.function("Overloads::real")(0.5) == "double", "a float is not narrowed while an exact fit exists"
    with pytest.raises(jarrow.ConversionError) as ambiguous:
        jvm.function("Overloads::pair")(1, 2)
    message = str(ambiguous.value)
    assert "ambiguous" in message and "pair(java.lang.Long,java.lang.Object)" in message, message
    assert "pair(java.lang.Object,java.lang.Long)" in message, message
    assert jvm.function("Overloads::pair")(1, "b") == "Long, Object"


def test_every_error_has_a_code_and_timeouts_are_builtin_timeouts(jvm):
    with pytest.raises(jarrow.ConfigError) as refused:
        jarrow.start_jvm(classpath=["/somewhere/else"])
    assert refused.value.code == "CONFIG"
    assert issubclass(jarrow.TimeoutError, TimeoutError) and issubclass(jarrow.TimeoutError, jarrow.JarrowError)
    assert jarrow.TimeoutError("late").code == "TIMEOUT"
    try:
        raise jarrow.TimeoutError("late")
    except TimeoutError as e:
        assert isinstance(e, jarrow.JarrowError)


def test_a_refused_jvm_option_is_named_every_time(tmp_path):
    # One JVM per process, and this one runs already: a process of its own.
    script = """
import jarrow
for attempt in range(2):
    try:
        jarrow.start_jvm(options=["-Xbogus"])
    except jarrow.ConfigError as e:
        print(e.code, e)
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    lines = [line for line in run.stdout.splitlines() if line.startswith("CONFIG")]
    assert len(lines) == 2, run.stdout + run.stderr
    for line in lines:
        assert "Unrecognized option: -Xbogus" in line, line


def test_a_native_crash_after_the_jvm_started_prints_the_python_stack(tmp_path):
    # The JVM chains to faulthandler's handlers, installed before its own by start_jvm.
    script = """
import ctypes, jarrow
jarrow.start_jvm()
assert jarrow.jvm().function("java.lang.Math::max")(1, 2) == 2
def crash():
    ctypes.string_at(0)
crash()
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode != 0
    assert "Fatal Python error: Segmentation fault" in run.stderr, run.stderr
    assert "in crash" in run.stderr, run.stderr


def test_the_gil_is_released_while_java_runs(jvm):
    # While one thread sleeps in Java, another runs Python.
    slow = jvm.function("Scalars::slow")
    counted = []
    sleeper = threading.Thread(target=slow, args=(300,))
    sleeper.start()
    while sleeper.is_alive():
        counted.append(sum(range(1000)))
    sleeper.join()
    assert len(counted) > 10


def test_a_java_method_that_calls_back_into_python(jvm):
    assert jvm.function("Callback::viaPython")(5) == 30
    with pytest.raises(jarrow.PythonError) as raised:
        jvm.function("Callback::failInPython")("deep")
    e = raised.value
    assert (e.python_type, e.python_message) == ("ValueError", "deep")
    assert "in raise_value_error" in e.python_traceback



@pytest.mark.skipif(not os.environ.get("JARROW_EXPECT_STATIC_PYTHON"), reason="runs under a statically linked python")
def test_no_second_cpython_enters_a_static_python(jvm):
    # Debian's /usr/bin/python3 links CPython statically: loading anything that links libpython
    # (the JNI library) would bring a second interpreter into the process.
    assert not [line for line in open("/proc/self/maps") if "libpython" in line]
    assert jvm.function("Callback::viaPython")(1) == 22, "Java still calls back into this Python"
