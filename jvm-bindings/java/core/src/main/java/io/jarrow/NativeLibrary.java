package io.jarrow;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Loads jarrow's JNI library, the one built for the chosen Python. The library ships inside the
 * Python package {@code jarrow} of that environment, so the interpreter itself says where it is;
 * the system property {@code jarrow.library} overrides that for unusual installs. libpython is
 * loaded first, so the JNI library's dependency on it resolves without LD_LIBRARY_PATH (the
 * native side then makes its symbols global for numpy and friends).
 */
final class NativeLibrary {
    /**
     * The core's probe of a Python environment (bridge/src/python/probe.py, which the build copies
     * into the jar): both sides look for libpython in the same places.
     */
    private static final String PROBE = PythonScripts.read("probe.py");

    private static Path loadedFor;

    /**
     * Set (from native code) when Python hosts this JVM and the Python extension registered the
     * natives itself: nothing is to be loaded then, the interpreter is the host's.
     */
    static volatile boolean pythonHosted;

    private NativeLibrary() {}

    /** Loads the library for {@code python} once per JVM; later calls with the same Python do nothing. */
    static synchronized void load(Path python) {
        if (loadedFor != null || pythonHosted) {
            return;
        }
        Map<String, String> facts = probe(python);
        String version = shortVersion(facts.getOrDefault("version", ""));
        String libpython = facts.getOrDefault("libpython", "");
        if (libpython.isEmpty()) {
            throw new JarrowException("CONFIG", python + " (Python " + version
                    + ") has no shared libpython: it is linked statically, and jarrow needs libpython"
                    + version + ".so to embed it. Install the distribution's libpython package, "
                    + "or use a Python built with --enable-shared");
        }
        String override = System.getProperty("jarrow.library");
        String library = override != null && !override.isBlank() ? override : facts.get("jni");
        if (library == null || library.isEmpty()) {
            throw new JarrowException("CONFIG", "cannot find jarrow's JNI library: the Python environment of "
                    + python + " has no usable jarrow package (" + facts.getOrDefault("jni_error", "unknown error")
                    + "). Install it there with `" + python + " -m pip install jarrow`, or set -Djarrow.library "
                    + "to the path of libjarrow_jni.so");
        }
        try {
            System.load(libpython);
        } catch (UnsatisfiedLinkError e) {
            checkFirstCopy(e);
            throw new JarrowException("CONFIG", "cannot load " + libpython + " (the libpython of " + python + "): "
                    + e.getMessage(), e);
        }
        try {
            System.load(Path.of(library).toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            checkFirstCopy(e);
            String source = override != null && !override.isBlank() ? "-Djarrow.library" : "the jarrow package of " + python;
            throw new JarrowException("CONFIG", "cannot load jarrow's JNI library " + library + " (from " + source
                    + "): " + e.getMessage() + ". It must be built for Python " + version, e);
        }
        loadedFor = python;
    }

    /**
     * Throws the error that says what to do when {@code e} is the JVM refusing a library because
     * another copy of jarrow's classes, made by another class loader, loaded it already.
     */
    private static void checkFirstCopy(UnsatisfiedLinkError e) {
        if (String.valueOf(e.getMessage()).contains("already loaded in another classloader")) {
            throw new JarrowException("CONFIG", "jarrow's classes are loaded a second time, by "
                    + NativeLibrary.class.getClassLoader() + ", in a JVM whose first copy of them loaded the native "
                    + "libraries already (a JVM has one Python interpreter, shared by everything in it). In a Flink "
                    + "cluster a job jar that carries jarrow does this when a second job runs in a TaskManager: put "
                    + "jarrow's jars (with Arrow Java's) in Flink's lib/ and, if job jars carry them too, set "
                    + "classloader.parent-first-patterns.additional to io.jarrow.;org.apache.arrow. so that every job "
                    + "uses lib/'s copy (" + e.getMessage() + ")", e);
        }
    }

    /** {@code major.minor} of a probed {@code major.minor.micro}. */
    static String shortVersion(String version) {
        String[] parts = version.split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] : version;
    }

    /** What `python` says about its layout, its libpython and its jarrow package. */
    static Map<String, String> probe(Path python) {
        if (!Files.isExecutable(python)) {
            throw new JarrowException("CONFIG", "the Python executable " + python + " does not exist or is not "
                    + "executable; point jarrow at a venv's bin/python, a conda env's, or python3");
        }
        Process process;
        try {
            process = new ProcessBuilder(python.toString(), "-c", PROBE, "--properties").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new JarrowException("CONFIG", "cannot run " + python + ": " + e.getMessage(), e);
        }
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new JarrowException("CONFIG", python + " did not answer within 60 s");
            }
        } catch (IOException e) {
            throw new JarrowException("CONFIG", "cannot read from " + python + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JarrowException("CONFIG", "interrupted while asking " + python + " for its layout", e);
        }
        if (process.exitValue() != 0) {
            throw new JarrowException("CONFIG", python + " failed to report its layout (exit " + process.exitValue()
                    + "): " + output.strip());
        }
        Map<String, String> facts = new HashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                facts.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return facts;
    }
}
