import io.jarrow.PythonRuntime;

/** Java that Python calls, and that calls Python back (the JVM started from Python). */
public final class Callback {
    private Callback() {}

    public static long viaPython(long x) {
        return PythonRuntime.start().function("py_udfs:add_ten").callLong(x) * 2;
    }

    public static Object failInPython(String message) {
        return PythonRuntime.start().function("py_udfs:fail").call(message);
    }
}
