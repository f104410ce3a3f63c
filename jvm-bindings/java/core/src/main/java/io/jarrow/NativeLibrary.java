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
    private static final String PROBE = String.join("\n",
            "import os, sys, sysconfig",
            "def mapped():",
            "    try:",
            "        for line in open('/proc/self/maps'):",
            "            f = line.split(None, 5)",
            "            if len(f) == 6 and os.path.basename(f[5].strip()).startswith('libpython') and '.so' in f[5]:",
            "                return os.path.realpath(f[5].strip())",
            "    except OSError:",
            "        pass",
            "def installed():",
            "    v = sysconfig.get_config_var",
            "    names = [n for n in (v('INSTSONAME'), v('LDLIBRARY')) if n and '.so' in n]",
            "    dirs = [d for d in (v('LIBDIR'), os.path.join(v('LIBDIR') or '', v('MULTIARCH') or ''), v('LIBPL')) if d]",
            "    for d in dirs:",
            "        for n in names:",
            "            if os.path.exists(os.path.join(d, n)):",
            "                return os.path.realpath(os.path.join(d, n))",
            "print('version=%d.%d' % sys.version_info[:2])",
            "print('libpython=' + (mapped() or installed() or ''))",
            "try:",
            "    import jarrow",
            "    print('jni=' + jarrow.jni_library())",
            "except Exception as e:",
            "    print('jni_error=%s: %s' % (type(e).__name__, str(e).replace(chr(10), ' ')))",
            "");

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
        String libpython = facts.getOrDefault("libpython", "");
        if (libpython.isEmpty()) {
            throw new JarrowException("CONFIG", python + " (Python " + facts.get("version")
                    + ") has no shared libpython: it is linked statically, and jarrow needs libpython"
                    + facts.get("version") + ".so to embed it. Install the distribution's libpython package, "
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
            throw new JarrowException("CONFIG", "cannot load " + libpython + " (the libpython of " + python + "): "
                    + e.getMessage(), e);
        }
        try {
            System.load(Path.of(library).toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            String source = override != null && !override.isBlank() ? "-Djarrow.library" : "the jarrow package of " + python;
            throw new JarrowException("CONFIG", "cannot load jarrow's JNI library " + library + " (from " + source
                    + "): " + e.getMessage() + ". It must be built for Python " + facts.get("version"), e);
        }
        loadedFor = python;
    }

    /** What `python` says about its libpython and its jarrow package. */
    static Map<String, String> probe(Path python) {
        if (!Files.isExecutable(python)) {
            throw new JarrowException("CONFIG", "the Python executable " + python + " does not exist or is not "
                    + "executable; point jarrow at a venv's bin/python, a conda env's, or python3");
        }
        Process process;
        try {
            process = new ProcessBuilder(python.toString(), "-c", PROBE).redirectErrorStream(true).start();
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
