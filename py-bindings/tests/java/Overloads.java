/** Overloaded static methods: the Python tests check that the most specific one is called. */
public final class Overloads {
    private Overloads() {}

    public static String amb(Object o) { return "Object"; }
    public static String amb(Number n) { return "Number"; }
    public static String width(long x) { return "long"; }
    public static String width(int x) { return "int"; }
    public static String width(double x) { return "double"; }
    public static String real(float x) { return "float"; }
    public static String real(double x) { return "double"; }
    public static String boxed(Long x) { return "Long"; }
    public static String boxed(long x) { return "long"; }
    public static String pair(Long a, Object b) { return "Long, Object"; }
    public static String pair(Object a, Long b) { return "Object, Long"; }
}
