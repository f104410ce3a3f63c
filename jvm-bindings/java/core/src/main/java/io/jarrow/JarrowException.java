package io.jarrow;

/**
 * Every exception jarrow throws for a failed call: the Python function raised
 * ({@link PythonException}), a value did not convert, a batch was malformed, the environment is
 * wrong. {@link #code()} is a short machine-readable kind ({@code PYTHON}, {@code NOT_FOUND},
 * {@code CONVERSION}, {@code ARROW}, {@code CONFIG}, {@code TIMEOUT}, {@code OVERLOADED}, ...),
 * stable across releases. A result with the wrong number of rows is {@code CONVERSION}.
 *
 * <p>Misuse of the API is reported the way Java reports it, not with this class: a call on a closed
 * handle throws {@link IllegalStateException}, an invalid argument {@link IllegalArgumentException}
 * or {@link NullPointerException}.
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
