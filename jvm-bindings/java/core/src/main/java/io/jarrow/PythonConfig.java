package io.jarrow;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to start the embedded Python interpreter: which Python environment, extra {@code sys.path}
 * entries, environment variables and working directory. Immutable; build one with
 * {@link #builder()}. Two configs are equal when every setting is. Serializable, so that an
 * engine can ship it to its workers with the job (Flink serializes its operators).
 *
 * <pre>{@code
 * PythonConfig config = PythonConfig.builder()
 *     .executable(Path.of("/opt/models/.venv/bin/python"))
 *     .addPythonPath(Path.of("/opt/models/src"))
 *     .build();
 * }</pre>
 */
public final class PythonConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Path executable;
    private final List<Path> pythonPath;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final Path pythonHome;
    private final boolean redirectOutput;

    private PythonConfig(Builder b) {
        this.executable = b.executable;
        this.pythonPath = Collections.unmodifiableList(new ArrayList<>(b.pythonPath));
        this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(b.environment));
        this.workingDirectory = b.workingDirectory;
        this.pythonHome = b.pythonHome;
        this.redirectOutput = b.redirectOutput;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A config with every default. */
    public static PythonConfig defaults() {
        return builder().build();
    }

    /** The executable set on the builder, if any; see {@link #resolveExecutable()}. */
    public Optional<Path> executable() {
        return Optional.ofNullable(executable);
    }

    /** Entries put in front of {@code sys.path}, in order. */
    public List<Path> pythonPath() {
        return pythonPath;
    }

    /** Environment variables set for Python ({@code os.environ}) when it starts. */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * The directory Python starts in (also first on {@code sys.path}). Python's working directory
     * is the process's: setting it changes the JVM process's current directory too.
     */
    public Optional<Path> workingDirectory() {
        return Optional.ofNullable(workingDirectory);
    }

    /** An explicit PYTHONHOME; unset, Python derives it from the executable. */
    public Optional<Path> pythonHome() {
        return Optional.ofNullable(pythonHome);
    }

    /** Whether Python's logging, stdout and stderr go to SLF4J (default true). */
    public boolean redirectOutput() {
        return redirectOutput;
    }

    /**
     * The Python executable to use, in order: the builder's value, the system property
     * {@code jarrow.python}, the environment variable {@code JARROW_PYTHON}, the active venv
     * ({@code VIRTUAL_ENV}), the active conda env ({@code CONDA_PREFIX}), {@code python3} on
     * {@code PATH}.
     *
     * @throws JarrowException (code {@code CONFIG}) listing what was tried, if none is found
     */
    public Path resolveExecutable() {
        if (executable != null) {
            return executable;
        }
        List<String> tried = new ArrayList<>();
        String property = System.getProperty("jarrow.python");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        tried.add("system property jarrow.python (unset)");
        String env = System.getenv("JARROW_PYTHON");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        tried.add("$JARROW_PYTHON (unset)");
        for (String variable : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String prefix = System.getenv(variable);
            if (prefix == null || prefix.isBlank()) {
                tried.add("$" + variable + " (unset)");
                continue;
            }
            Path candidate = Path.of(prefix, "bin", "python");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
            tried.add("$" + variable + "/bin/python (" + candidate + " does not exist)");
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, "python3");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        tried.add("python3 on PATH (not found)");
        throw new JarrowException("CONFIG", "no Python executable found; tried " + String.join(", ", tried)
                + ". Set PythonConfig.builder().executable(...), -Djarrow.python=... or JARROW_PYTHON");
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PythonConfig other)) {
            return false;
        }
        return Objects.equals(executable, other.executable) && pythonPath.equals(other.pythonPath)
                && environment.equals(other.environment) && Objects.equals(workingDirectory, other.workingDirectory)
                && Objects.equals(pythonHome, other.pythonHome) && redirectOutput == other.redirectOutput;
    }

    @Override
    public int hashCode() {
        return Objects.hash(executable, pythonPath, environment, workingDirectory, pythonHome, redirectOutput);
    }

    @Override
    public String toString() {
        return "PythonConfig{executable=" + (executable == null ? "<default>" : executable) + ", pythonPath="
                + pythonPath + ", environment=" + environment.keySet() + ", workingDirectory=" + workingDirectory
                + ", pythonHome=" + pythonHome + ", redirectOutput=" + redirectOutput + "}";
    }

    /** Serialized as its settings in text (a {@link Path} is not serializable). */
    private Object writeReplace() {
        return new Settings(executable == null ? null : executable.toString(),
                pythonPath.stream().map(Path::toString).toList(), new LinkedHashMap<>(environment),
                workingDirectory == null ? null : workingDirectory.toString(),
                pythonHome == null ? null : pythonHome.toString(), redirectOutput);
    }

    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a PythonConfig is read through its settings");
    }

    /** The serialized form of a {@link PythonConfig}. */
    private record Settings(String executable, List<String> pythonPath, LinkedHashMap<String, String> environment,
            String workingDirectory, String pythonHome, boolean redirectOutput) implements Serializable {
        private Object readResolve() {
            Builder b = builder().redirectOutput(redirectOutput);
            if (executable != null) {
                b.executable(Path.of(executable));
            }
            pythonPath.forEach(entry -> b.addPythonPath(Path.of(entry)));
            environment.forEach(b::environment);
            if (workingDirectory != null) {
                b.workingDirectory(Path.of(workingDirectory));
            }
            if (pythonHome != null) {
                b.pythonHome(Path.of(pythonHome));
            }
            return b.build();
        }
    }

    /** Builds a {@link PythonConfig}. */
    public static final class Builder {
        private Path executable;
        private final List<Path> pythonPath = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private Path pythonHome;
        private boolean redirectOutput = true;

        private Builder() {}

        /** The Python executable: a venv's {@code bin/python}, a conda env's, or the system's. */
        public Builder executable(Path executable) {
            this.executable = Objects.requireNonNull(executable, "executable");
            return this;
        }

        public Builder addPythonPath(Path entry) {
            pythonPath.add(Objects.requireNonNull(entry, "entry"));
            return this;
        }

        public Builder environment(String name, String value) {
            if (name == null || name.isEmpty() || name.contains("=")) {
                throw new IllegalArgumentException("environment variable name must be non-empty without '=': " + name);
            }
            environment.put(name, Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder workingDirectory(Path directory) {
            this.workingDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        public Builder pythonHome(Path home) {
            this.pythonHome = Objects.requireNonNull(home, "home");
            return this;
        }

        /** Send Python's logging, stdout and stderr to SLF4J (true, the default) or leave them. */
        public Builder redirectOutput(boolean redirect) {
            this.redirectOutput = redirect;
            return this;
        }

        public PythonConfig build() {
            return new PythonConfig(this);
        }
    }
}
