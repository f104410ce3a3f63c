package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A stateful function's instance, snapshotted to a pickle and restored into a new function. */
class StateTest {
    @Test
    void aRestoredFunctionGoesOnFromTheSnapshot() {
        PythonRuntime python = TestPython.runtime();
        try (PythonFunction counter = python.function("stateful:Counter.add")) {
            assertEquals(2L, counter.call(2L));
            byte[] state = counter.snapshot();
            assertNotNull(state);
            assertEquals(5L, counter.call(3L));
            try (PythonFunction restored = counter.restored(state)) {
                assertEquals(3L, restored.call(1L), "the snapshot's total, 2, plus 1");
                assertEquals(5L, counter.call(0L), "the function restored from is left as it was");
            }
        }
    }

    @Test
    void aFunctionHasNoStateAndBadStateIsRefused() {
        PythonRuntime python = TestPython.runtime();
        try (PythonFunction sqrt = python.function("math:sqrt");
             PythonFunction counter = python.function("stateful:Counter.add");
             PythonFunction cached = python.function("stateful:CachedCounter.add");
             PythonFunction unpicklable = python.function("stateful:Unpicklable.call")) {
            assertNull(sqrt.snapshot());
            byte[] state = counter.snapshot();
            PythonException function = assertThrows(PythonException.class, () -> sqrt.restored(state));
            assertTrue(function.getMessage().contains("no state to restore"), function.getMessage());
            PythonException other = assertThrows(PythonException.class, () -> cached.restored(state));
            assertTrue(other.getMessage().contains("of a Counter, not of a CachedCounter"), other.getMessage());
            PythonException garbage = assertThrows(PythonException.class, () -> cached.restored(new byte[] {1, 2, 3}));
            assertTrue(garbage.pythonType().contains("UnpicklingError"), garbage.pythonType());
            PythonException lock = assertThrows(PythonException.class, unpicklable::snapshot);
            assertEquals("TypeError", lock.pythonType());
        }
    }

    @Test
    void aClosedFunctionRefusesSnapshots() {
        PythonFunction counter = TestPython.runtime().function("stateful:Counter.add");
        counter.close();
        assertThrows(IllegalStateException.class, counter::snapshot);
        assertThrows(IllegalStateException.class, () -> counter.restored(new byte[0]));
    }
}
