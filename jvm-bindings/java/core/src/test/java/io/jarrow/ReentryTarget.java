package io.jarrow;

/** Java methods that Python calls back into, and that call Python again. */
public final class ReentryTarget {
    private ReentryTarget() {}

    public static long viaPython(long x) {
        return TestPython.runtime().function("udfs:add_one").callLong(x) * 10;
    }

    public static long failInPython(long x) {
        TestPython.runtime().function("udfs:raise_value_error").call("deep failure " + x);
        return x;
    }
}
