package io.jarrow;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A public static Java method, resolved once from {@code "pkg.Class::method"} and called from
 * Python ({@code jarrow.jvm().function(...)}). Arguments arrive converted as for
 * {@link PythonFunction#call}, then fit to the method's parameter types (an int fits {@code long},
 * {@code int}, {@code short}, {@code byte} and their boxes; a float fits {@code double} and
 * {@code float}). Among the overloads whose parameters fit, the most specific is called, as Java
 * picks one: a primitive before its box, a narrower primitive before a wider one, a subclass before
 * its superclass ({@code m(Number)} before {@code m(Object)} for an int). When no one overload is
 * the most specific, the call is a CONVERSION error naming the candidates.
 */
public final class JavaFunction {
    private final String name;
    private final List<Method> overloads;
    /**
     * The overloads native code calls directly for one argument of Python's common scalar types:
     * {@code long m(long)}, {@code double m(double)}, {@code boolean m(boolean)} and
     * {@code String m(String)}, each only where the general path would pick the same overload.
     */
    private final Method longToLong;
    private final Method doubleToDouble;
    private final Method booleanToBoolean;
    private final Method stringToString;

    private JavaFunction(String name, List<Method> overloads) {
        this.name = name;
        this.overloads = overloads;
        Method longToLong = null;
        Method doubleToDouble = null;
        Method booleanToBoolean = null;
        Method stringToString = null;
        boolean narrower = false;
        for (Method m : overloads) {
            if (m.getParameterCount() != 1) {
                continue;
            }
            Class<?> t = m.getParameterTypes()[0];
            Class<?> r = m.getReturnType();
            if (r == long.class && t == long.class) {
                longToLong = m;
            } else if (r == double.class && t == double.class) {
                doubleToDouble = m;
            } else if (r == boolean.class && t == boolean.class) {
                booleanToBoolean = m;
            } else if (r == String.class && t == String.class) {
                stringToString = m;
            }
            // An int that fits one of these would call it, not m(long).
            narrower |= t == int.class || t == short.class || t == byte.class || t == Integer.class
                    || t == Short.class || t == Byte.class;
        }
        this.longToLong = narrower ? null : longToLong;
        // A float prefers m(double) to m(float) (no narrowing while an exact fit exists), a bool
        // m(boolean) to m(Boolean) or m(Object), a str m(String) to any supertype of String.
        this.doubleToDouble = doubleToDouble;
        this.booleanToBoolean = booleanToBoolean;
        this.stringToString = stringToString;
    }

    /** Called from native code: the {@code long m(long)} overload, or null. */
    Method longPath() {
        return longToLong;
    }

    /** Called from native code: the {@code double m(double)} overload, or null. */
    Method doublePath() {
        return doubleToDouble;
    }

    /** Called from native code: the {@code boolean m(boolean)} overload, or null. */
    Method booleanPath() {
        return booleanToBoolean;
    }

    /** Called from native code: the {@code String m(String)} overload, or null. */
    Method stringPath() {
        return stringToString;
    }

    /** Called from native code. */
    static JavaFunction resolve(String name) throws ClassNotFoundException {
        int sep = name.indexOf("::");
        if (sep <= 0 || sep + 2 >= name.length()) {
            throw new JarrowException("NOT_FOUND", name + " is not a Java method name: expected 'package.Class::method'");
        }
        String className = name.substring(0, sep);
        String methodName = name.substring(sep + 2);
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> cls;
        try {
            cls = Class.forName(className, true, loader != null ? loader : JavaFunction.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new JarrowException("NOT_FOUND", "no class " + className + " (looking for " + name
                    + ") on the classpath " + System.getProperty("java.class.path"));
        }
        List<Method> overloads = new ArrayList<>();
        for (Method m : cls.getMethods()) {
            if (m.getName().equals(methodName) && Modifier.isStatic(m.getModifiers())) {
                overloads.add(m);
            }
        }
        if (overloads.isEmpty()) {
            throw new JarrowException("NOT_FOUND", "class " + className + " has no public static method " + methodName
                    + " (looking for " + name + ")");
        }
        return new JavaFunction(name, overloads);
    }

    /** Called from native code: encoded arguments in, encoded result out. */
    byte[] call(byte[] encodedArgs) throws Throwable {
        Map<String, Object> kwargs = new LinkedHashMap<>();
        Object[] args = ValueCodec.decodeCall(encodedArgs, kwargs);
        if (!kwargs.isEmpty()) {
            throw new JarrowException("CONVERSION", name + " is a Java method: it takes no keyword arguments, got "
                    + kwargs.keySet());
        }
        List<Method> applicable = new ArrayList<>();
        List<Object[]> fittedArgs = new ArrayList<>();
        // Overloads that narrow a float to a Java float count only when no other fits.
        for (boolean narrowing : new boolean[] {false, true}) {
            for (Method m : overloads) {
                Object[] fitted = fit(m.getParameterTypes(), args);
                if (fitted != null && narrowsAFloat(m.getParameterTypes(), args) == narrowing) {
                    applicable.add(m);
                    fittedArgs.add(fitted);
                }
            }
            if (!applicable.isEmpty()) {
                break;
            }
        }
        List<String> given = new ArrayList<>();
        for (Object a : args) {
            given.add(a == null ? "null" : a.getClass().getSimpleName());
        }
        int chosen = mostSpecific(applicable);
        if (chosen < 0) {
            List<String> signatures = new ArrayList<>();
            for (Method m : applicable.isEmpty() ? overloads : applicable) {
                signatures.add(m.toGenericString());
            }
            throw new JarrowException("CONVERSION", applicable.isEmpty()
                    ? "no overload of " + name + " takes (" + String.join(", ", given) + "); it has " + signatures
                    : "the call of " + name + " with (" + String.join(", ", given) + ") is ambiguous: "
                            + signatures + " all fit and none is the most specific");
        }
        try {
            return ValueCodec.encodeValue(applicable.get(chosen).invoke(null, fittedArgs.get(chosen)));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static boolean narrowsAFloat(Class<?>[] types, Object[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Double && (types[i] == float.class || types[i] == Float.class)) {
                return true;
            }
        }
        return false;
    }

    /** The index of the one overload at least as specific as every other, or -1 if none is. */
    private static int mostSpecific(List<Method> applicable) {
        int found = -1;
        for (int i = 0; i < applicable.size(); i++) {
            boolean best = true;
            for (int j = 0; j < applicable.size() && best; j++) {
                best = i == j || atLeastAsSpecific(applicable.get(i), applicable.get(j));
            }
            if (best) {
                if (found >= 0) {
                    return -1;
                }
                found = i;
            }
        }
        return found;
    }

    private static boolean atLeastAsSpecific(Method a, Method b) {
        Class<?>[] ta = a.getParameterTypes();
        Class<?>[] tb = b.getParameterTypes();
        for (int i = 0; i < ta.length; i++) {
            if (!atLeastAsSpecific(ta[i], tb[i])) {
                return false;
            }
        }
        return true;
    }

    private static final List<Class<?>> WIDENING = List.of(byte.class, short.class, int.class, long.class, float.class,
            double.class);

    /** Java's subtyping for method choice: primitive widening, then boxing, then subclassing. */
    private static boolean atLeastAsSpecific(Class<?> a, Class<?> b) {
        if (a == b) {
            return true;
        }
        if (a.isPrimitive() && b.isPrimitive()) {
            int ia = WIDENING.indexOf(a);
            int ib = WIDENING.indexOf(b);
            return ia >= 0 && ib >= 0 && ia <= ib;
        }
        if (a.isPrimitive()) {
            return b.isAssignableFrom(box(a));
        }
        return !b.isPrimitive() && b.isAssignableFrom(a);
    }

    private static Class<?> box(Class<?> primitive) {
        return java.lang.invoke.MethodType.methodType(primitive).wrap().returnType();
    }

    private static Object[] fit(Class<?>[] types, Object[] args) {
        if (types.length != args.length) {
            return null;
        }
        Object[] fitted = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            Class<?> t = types[i];
            if (a instanceof Long l) {
                if (t == long.class || t == Long.class || t == Object.class || t == Number.class) {
                    fitted[i] = l;
                } else if ((t == int.class || t == Integer.class) && l == l.intValue()) {
                    fitted[i] = l.intValue();
                } else if ((t == short.class || t == Short.class) && l == l.shortValue()) {
                    fitted[i] = l.shortValue();
                } else if ((t == byte.class || t == Byte.class) && l == l.byteValue()) {
                    fitted[i] = l.byteValue();
                } else if (t == double.class || t == Double.class) {
                    fitted[i] = l.doubleValue();
                } else {
                    return null;
                }
            } else if (a instanceof Double d) {
                if (t == double.class || t == Double.class || t == Object.class || t == Number.class) {
                    fitted[i] = d;
                } else if (t == float.class || t == Float.class) {
                    fitted[i] = d.floatValue();
                } else {
                    return null;
                }
            } else if (a == null) {
                if (t.isPrimitive()) {
                    return null;
                }
                fitted[i] = null;
            } else if (t.isInstance(a) || (t == boolean.class && a instanceof Boolean)) {
                fitted[i] = a;
            } else {
                return null;
            }
        }
        return fitted;
    }

    /**
     * Called from native code: calls a batch method ({@code VectorSchemaRoot m(VectorSchemaRoot)} or
     * {@code VectorSchemaRoot m(VectorSchemaRoot, BufferAllocator)}) on the batch Python exported into
     * the input structs (imported without copying) and exports its result into the output structs.
     * The method's input and result roots are closed here; the exported data lives on in the structs.
     */
    void apply(long inArray, long inSchema, long outArray, long outSchema) throws Throwable {
        BufferAllocator allocator = Allocator.ROOT;
        Method method = null;
        for (Method m : overloads) {
            Class<?>[] types = m.getParameterTypes();
            boolean one = types.length == 1 && types[0] == VectorSchemaRoot.class;
            boolean two = types.length == 2 && types[0] == VectorSchemaRoot.class && types[1] == BufferAllocator.class;
            if ((one || two) && VectorSchemaRoot.class.isAssignableFrom(m.getReturnType())) {
                method = m;
                break;
            }
        }
        try (VectorSchemaRoot input = ArrowImport.importRoot(allocator, ArrowArray.wrap(inArray),
                ArrowSchema.wrap(inSchema))) {
            if (method == null) {
                throw new JarrowException("NOT_FOUND", name + " has no batch overload: expected a public static "
                        + "VectorSchemaRoot method taking (VectorSchemaRoot) or (VectorSchemaRoot, BufferAllocator)");
            }
            Object result;
            try {
                result = method.getParameterCount() == 1 ? method.invoke(null, input) : method.invoke(null, input, allocator);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (result == null) {
                throw new JarrowException("CONVERSION", name + " returned null; expected a VectorSchemaRoot");
            }
            VectorSchemaRoot root = (VectorSchemaRoot) result;
            try {
                BatchExport.export(allocator, root, null, ArrowArray.wrap(outArray), ArrowSchema.wrap(outSchema));
            } finally {
                if (root != input) {
                    root.close();
                }
            }
        }
    }

    /** The allocator of batches Python hands to Java, made on first use. */
    private static final class Allocator {
        static final BufferAllocator ROOT = new RootAllocator();
    }

    /** Called from native code: class name, message and stack trace of a throwable; then for a
     *  {@link PythonException} its Python type, message and traceback, for another
     *  {@link JarrowException} its code. */
    static String[] describe(Throwable t) {
        StringWriter stack = new StringWriter();
        t.printStackTrace(new PrintWriter(stack));
        String message = t.getMessage() == null ? "" : t.getMessage();
        if (t instanceof PythonException p) {
            return new String[] {t.getClass().getName(), message, stack.toString(), p.pythonType(), p.pythonMessage(),
                p.pythonTraceback()};
        }
        if (t instanceof JarrowException j) {
            return new String[] {t.getClass().getName(), message, stack.toString(), j.code()};
        }
        return new String[] {t.getClass().getName(), message, stack.toString()};
    }

    @Override
    public String toString() {
        return "JavaFunction{" + name + "}";
    }
}
