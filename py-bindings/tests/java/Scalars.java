import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Static methods the Python tests call through jarrow.jvm(). */
public final class Scalars {
    private Scalars() {}

    public static long identityLong(long x) { return x; }
    public static double identityDouble(double x) { return x; }
    public static boolean not(boolean b) { return !b; }
    public static String upper(String s) { return s.toUpperCase(); }
    public static byte[] reversed(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) { r[i] = b[b.length - 1 - i]; }
        return r;
    }
    public static Long boxed(Long x) { return x == null ? null : x + 1; }
    public static int narrow(int x) { return x * 2; }
    public static List<Object> listOf(List<Object> items) { List<Object> out = new ArrayList<>(items); out.add("end"); return out; }
    public static int size(Map<Object, Object> map) { return map.size(); }
    public static Object echo(Object o) { return o; }
    public static long sum(long a, long b) { return a + b; }
    public static double sum(double a, double b) { return a + b; }
    public static long fail(String message) { throw new IllegalArgumentException(message); }
    public static long slow(long millis) throws InterruptedException { Thread.sleep(millis); return millis; }
    public static long explode(long x) { throw new ArithmeticException("boom " + x); }
    public static String nothing(String s) { return null; }
    public static double failDouble(double x) { throw new IllegalStateException("no " + x); }
    public static int liveThreads() { return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount(); }
}
