package io.jarrow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Python source shipped in the jar as {@code .py} resources of this package, read at run time:
 * Python lives in Python files, where it can be read, linted and run on its own, not in Java
 * strings.
 */
final class PythonScripts {
    private PythonScripts() {}

    /** The text of the resource {@code io/jarrow/<name>}. */
    static String read(String name) {
        try (InputStream in = PythonScripts.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("jarrow's jar lacks its resource io/jarrow/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read jarrow's resource io/jarrow/" + name, e);
        }
    }
}
