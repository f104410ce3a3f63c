package io.jarrow;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/** A program for {@link AddOpensTest}, run without --add-opens: a scalar call, then a batch. */
public final class AddOpensProbe {
    private AddOpensProbe() {}

    public static void main(String[] args) {
        PythonRuntime python = TestPython.runtime();
        System.out.println("scalar " + python.function("udfs:add_one").callLong(41));
        try (BufferAllocator allocator = new RootAllocator();
             org.apache.arrow.vector.VectorSchemaRoot input = ApplyTest.batch(allocator, 1, 3)) {
            try {
                python.function("udfs:identity").apply(input, allocator).close();
                System.out.println("the batch went through");
            } catch (JarrowException e) {
                System.out.println(e.code() + " " + e.getMessage());
            }
        }
        System.out.println("allocator closed clean");
    }
}
