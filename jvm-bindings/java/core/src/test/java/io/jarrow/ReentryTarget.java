package io.jarrow;

/** Java methods that Python calls back into, and that call Python again. */
public final class ReentryTarget {
    private ReentryTarget() {}

    public static long viaPython(long x) {
        return TestPython.runtime().function("jvm_udfs:add_one").callLong(x) * 10;
    }

    public static long failInPython(long x) {
        TestPython.runtime().function("jvm_udfs:fail").call("deep failure " + x);
        return x;
    }
}
