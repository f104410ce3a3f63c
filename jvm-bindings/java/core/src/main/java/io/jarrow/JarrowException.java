package io.jarrow;

/**
 * Base of every exception jarrow throws. {@link #code()} is a short machine-readable kind
 * ({@code PYTHON}, {@code NOT_FOUND}, {@code CONVERSION}, {@code ARROW}, {@code CONFIG},
 * {@code TIMEOUT}, {@code OVERLOADED}, ...), stable across releases.
 */
public class JarrowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;

    public JarrowException(String code, String message) {
        super(message);
        this.code = code;
    }

    public JarrowException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The kind of error, e.g. {@code "CONVERSION"}. */
    public String code() {
        return code;
    }
}
