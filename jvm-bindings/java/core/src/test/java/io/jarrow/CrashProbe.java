package io.jarrow;

/** A program for {@link CrashTest}: calls a Python function that dereferences a null pointer. */
public final class CrashProbe {
    private CrashProbe() {}

    public static void main(String[] args) {
        PythonRuntime python = TestPython.runtime();
        System.out.println("before the crash " + python.function("udfs:add_one").callLong(1));
        System.out.flush();
        python.function("udfs:crash").call();
        System.out.println("after the crash");
    }
}
