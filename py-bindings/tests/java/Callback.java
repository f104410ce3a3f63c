import io.jarrow.PythonRuntime;

/** Java that Python calls, and that calls Python back (the JVM started from Python). */
public final class Callback {
    private Callback() {}

    public static long viaPython(long x) {
        return PythonRuntime.start().function("udfs:add_ten").callLong(x) * 2;
    }

    public static Object failInPython(String message) {
        return PythonRuntime.start().function("udfs:raise_value_error").call(message);
    }
}
