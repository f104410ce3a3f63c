package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A JVM without --add-opens for java.nio gets a CONFIG error naming the option, and leaks nothing. */
class AddOpensTest {
    @Test
    void aBatchWithoutTheOptionSaysWhichOptionIsMissing() throws Exception {
        ChildJvm.Outcome child = ChildJvm.run(AddOpensProbe.class, List.of());
        assertEquals(0, child.exitValue(), child.output());
        assertTrue(child.output().contains("scalar 42"), child.output());
        assertTrue(child.output().contains("CONFIG Arrow batches need the JVM option --add-opens=java.base/java.nio=ALL-UNNAMED"),
                child.output());
        assertTrue(child.output().contains("allocator closed clean"), child.output());
    }
}
