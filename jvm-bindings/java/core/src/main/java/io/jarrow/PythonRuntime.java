package io.jarrow;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The Python interpreter of this JVM. A process has exactly one: {@link #start(PythonConfig)} starts
 * it, or returns the running one when the configuration is equal, and refuses a different
 * configuration (CPython cannot be restarted in a process).
 *
 * <pre>{@code
 * try (PythonRuntime python = PythonRuntime.start(PythonConfig.builder()
 *         .executable(Path.of("/opt/models/.venv/bin/python")).build());
 *      PythonFunction score = python.function("fraud.model:score")) {
 *     double p = score.callDouble(42.0);
 * }
 * }</pre>
 *
 * Any Java thread may call in at any time; the GIL is held only while Python code runs.
 * {@link #close()} closes this handle and every function made from it (later calls throw
 * {@link IllegalStateException}); the interpreter itself lives until the JVM exits, and never keeps
 * the JVM from exiting.
 */
public final class PythonRuntime implements AutoCloseable {
    private static PythonConfig startedWith;
    private static PythonRuntime current;

    private final PythonConfig config;
    private final Path executable;
    private final Set<AutoCloseable> children = Collections.newSetFromMap(new WeakHashMap<>());
    private volatile boolean closed;

    private PythonRuntime(PythonConfig config, Path executable) {
        this.config = config;
        this.executable = executable;
    }

    /** Starts the interpreter with the default configuration (see {@link PythonConfig#resolveExecutable()}). */
    public static PythonRuntime start() {
        return start(PythonConfig.defaults());
    }

    /**
     * Starts the interpreter of this JVM, or returns it if it runs with an equal configuration.
     *
     * @throws JarrowException code {@code CONFIG} if the interpreter runs with another configuration,
     *     or Python cannot be found or loaded (the message says what was tried and how to fix it)
     */
    public static synchronized PythonRuntime start(PythonConfig config) {
        if (startedWith != null) {
            if (!startedWith.equals(config)) {
                throw new JarrowException("CONFIG", "the Python interpreter of this JVM already runs with " + startedWith
                        + "; it cannot be restarted with " + config + ". Start it once, with one configuration");
            }
            if (current == null || current.closed) {
                current = new PythonRuntime(config, current == null ? config.resolveExecutable() : current.executable);
            }
            return current;
        }
        // When Python hosts this JVM, its interpreter is the one: the executable is that process.
        Path executable = NativeLibrary.pythonHosted
                ? Path.of(ProcessHandle.current().info().command().orElse("python"))
                : config.resolveExecutable();
        NativeLibrary.load(executable);
        String[] pythonPath = config.pythonPath().stream().map(Path::toString).toArray(String[]::new);
        String[] environment = config.environment().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        String workingDirectory = config.workingDirectory().map(Path::toString).orElse(null);
        String pythonHome = config.pythonHome().map(Path::toString).orElse(null);
        nativeStart(executable.toString(), pythonPath, environment, workingDirectory, pythonHome);
        // A Python host keeps its own stdout, stderr and logging.
        if (config.redirectOutput() && !NativeLibrary.pythonHosted) {
            nativeExec(PythonLogging.INSTALL);
        }
        startedWith = config;
        current = new PythonRuntime(config, executable);
        return current;
    }

    /** The configuration the interpreter runs with. */
    public PythonConfig config() {
        return config;
    }

    /** The Python executable whose environment is embedded. */
    public Path executable() {
        return executable;
    }

    /**
     * Resolves {@code "pkg.module:function"} or {@code "pkg.module:Class.method"} once into a callable
     * handle ({@code Class.method} naming an instance method binds it to one instance of Class made
     * with no arguments).
     *
     * @throws JarrowException code {@code NOT_FOUND} naming what was looked for and sys.path
     */
    public PythonFunction function(String name) {
        ensureOpen();
        PythonFunction function = new PythonFunction(this, name, PythonFunction.nativeResolve(name));
        synchronized (children) {
            children.add(function);
        }
        return function;
    }

    /** Runs Python statements in the {@code __main__} module. */
    public void exec(String code) {
        ensureOpen();
        nativeExec(code);
    }

    /** Evaluates a Python expression in the {@code __main__} module and converts its value. */
    public Object eval(String expression) {
        ensureOpen();
        return ValueCodec.decode(nativeEval(expression));
    }

    void adopt(AutoCloseable child) {
        synchronized (children) {
            children.add(child);
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("PythonRuntime is closed");
        }
    }

    /** Closes this handle and every function made from it. Closing twice is harmless. */
    @Override
    public void close() {
        closed = true;
        AutoCloseable[] open;
        synchronized (children) {
            open = children.toArray(new AutoCloseable[0]);
            children.clear();
        }
        for (AutoCloseable child : open) {
            try {
                child.close();
            } catch (Exception e) {
                // Closing native handles does not fail; nothing to report.
            }
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    private static native void nativeStart(String executable, String[] pythonPath, String[] environment,
            String workingDirectory, String pythonHome);

    private static native void nativeExec(String code);

    private static native byte[] nativeEval(String expression);
}
