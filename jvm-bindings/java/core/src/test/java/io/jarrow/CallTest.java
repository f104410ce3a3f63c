package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Every call shape, exceptions with tracebacks, recovery, and use after close. */
class CallTest {
    @Test
    void noArgsPositionalKeywordAndInstanceMethods() {
        PythonRuntime python = TestPython.runtime();
        PythonFunction echo = python.function("udfs:echo");
        assertEquals(List.of(List.of(), Map.of()), echo.call());
        assertEquals(List.of(List.of(1L, "two"), Map.of("three", 3.0)),
                echo.call(new Object[] {1, "two"}, Map.of("three", 3.0)));
        assertEquals(1003L, python.function("udfs:LargeOffsetScorer.score").callLong(3));
        assertEquals(3.5, python.function("udfs:half").callDouble(7.0));
        assertEquals(42L, python.function("udfs:add_one").callLong(41));
        assertEquals(2.0, python.function("udfs:add_one").callDouble(1.0));
    }

    @Test
    void aShortInsideAMultiArgumentCall() {
        PythonFunction three = TestPython.runtime().function("udfs:three");
        assertEquals(111L, three.call((short) 1, 10, 100L));
        assertEquals(6.5, three.call((short) 1, (byte) 2, 3.5));
    }

    @Test
    void twoFunctionsDefinedByExecCalledAlternately() {
        PythonRuntime python = TestPython.runtime();
        python.exec("def plus(a, b):\n    return a + b\ndef times(a, b):\n    return a * b\n");
        PythonFunction plus = python.function("__main__:plus");
        PythonFunction times = python.function("__main__:times");
        for (long i = 0; i < 1000; i++) {
            assertEquals(i + 3, plus.call(i, 3));
            assertEquals(i * 3, times.call(i, 3));
        }
        assertEquals(12L, python.eval("plus(5, 7)"));
    }

    /** A context class loader that refuses every class, as a Flink job's does once the job ended. */
    static final class ClosedLoader extends ClassLoader {
        ClosedLoader() {
            super(null);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) {
            throw new IllegalStateException("Trying to access closed classloader");
        }
    }

    /** What {@code call} throws on a new thread whose context class loader is {@code loader}. */
    static Throwable thrownOnThreadWith(ClassLoader loader, Runnable call) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                call.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        thread.setContextClassLoader(loader);
        thread.start();
        thread.join();
        return thrown.get();
    }

    @Test
    void errorsReachJavaWhateverTheThreadsContextClassLoader() throws InterruptedException {
        PythonRuntime python = TestPython.runtime();
        PythonFunction fail = python.function("udfs:raise_value_error");
        for (ClassLoader loader : new ClassLoader[] {new ClosedLoader(), null}) {
            PythonException raised = assertInstanceOf(PythonException.class, thrownOnThreadWith(loader, () -> fail.call("bad")));
            assertEquals("ValueError", raised.pythonType());
            JarrowException missing = assertInstanceOf(JarrowException.class,
                    thrownOnThreadWith(loader, () -> python.function("no_such_module_anywhere:f")));
            assertEquals("NOT_FOUND", missing.code());
        }
    }

    @Test
    void pythonExceptionsCarryTypeMessageAndTraceback() {
        PythonFunction fail = TestPython.runtime().function("udfs:raise_value_error");
        PythonException e = assertThrows(PythonException.class, () -> fail.call("bad input"));
        assertEquals("PYTHON", e.code());
        assertEquals("ValueError", e.pythonType());
        assertEquals("bad input", e.pythonMessage());
        assertTrue(e.pythonTraceback().startsWith("Traceback (most recent call last):"), e.pythonTraceback());
        assertTrue(e.pythonTraceback().contains("udfs.py") && e.pythonTraceback().contains("in raise_value_error"));
        assertTrue(e.getMessage().startsWith("ValueError: bad input\nTraceback"), e.getMessage());

        PythonException chained = assertThrows(PythonException.class,
                () -> TestPython.runtime().function("udfs:chained").call());
        assertEquals("RuntimeError", chained.pythonType());
        assertTrue(chained.pythonTraceback().contains("KeyError: 'missing'"), chained.pythonTraceback());
    }

    @Test
    void anExceptionNeverKillsTheRuntime() {
        PythonRuntime python = TestPython.runtime();
        PythonFunction fail = python.function("udfs:raise_value_error");
        PythonFunction addOne = python.function("udfs:add_one");
        for (int i = 0; i < 100; i++) {
            assertThrows(PythonException.class, () -> fail.call("again"));
            assertEquals(i + 1, addOne.callLong(i));
        }
        assertThrows(PythonException.class, () -> python.exec("raise KeyError('x')"));
        assertThrows(PythonException.class, () -> python.eval("1 / 0"));
        assertEquals(2L, python.eval("1 + 1"));
    }

    @Test
    void missingModulesAndAttributesNameWhatWasLookedFor() {
        PythonRuntime python = TestPython.runtime();
        JarrowException module = assertThrows(JarrowException.class, () -> python.function("no_such_module:f"));
        assertEquals("NOT_FOUND", module.code());
        assertTrue(module.getMessage().contains("no_such_module") && module.getMessage().contains("sys.path"),
                module.getMessage());
        JarrowException attribute = assertThrows(JarrowException.class, () -> python.function("udfs:nope"));
        assertTrue(attribute.getMessage().contains("'nope'"), attribute.getMessage());
        JarrowException malformed = assertThrows(JarrowException.class, () -> python.function("udfs"));
        assertTrue(malformed.getMessage().contains("package.module:function"), malformed.getMessage());
    }

    @Test
    void useAfterCloseThrowsInsteadOfTouchingFreedMemory() {
        PythonRuntime python = TestPython.runtime();
        PythonFunction f = python.function("udfs:add_one");
        f.close();
        f.close();
        assertTrue(f.isClosed());
        assertThrows(IllegalStateException.class, () -> f.callLong(1));
        assertThrows(IllegalStateException.class, () -> f.call(1));

        PythonFunction g = python.function("udfs:add_one");
        python.close();
        assertTrue(python.isClosed());
        assertThrows(IllegalStateException.class, () -> g.callLong(1), "functions close with their runtime");
        assertThrows(IllegalStateException.class, () -> python.function("udfs:add_one"));
        assertThrows(IllegalStateException.class, () -> python.eval("1"));

        PythonRuntime again = TestPython.runtime();
        assertEquals(2L, again.function("udfs:add_one").callLong(1), "the interpreter lives on");
        assertSame(again, TestPython.runtime());
    }

    @Test
    void aDifferentConfigurationIsRefused() {
        TestPython.runtime();
        PythonConfig other = PythonConfig.builder().addPythonPath(java.nio.file.Path.of("/elsewhere")).build();
        JarrowException e = assertThrows(JarrowException.class, () -> PythonRuntime.start(other));
        assertEquals("CONFIG", e.code());
        assertTrue(e.getMessage().contains("cannot be restarted"), e.getMessage());
    }
}
