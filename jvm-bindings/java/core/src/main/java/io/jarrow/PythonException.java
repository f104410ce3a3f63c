package io.jarrow;

/**
 * Python code raised an exception. The message shows the Python exception type and message
 * followed by the full Python traceback (chained exceptions included).
 */
public final class PythonException extends JarrowException {
    private static final long serialVersionUID = 1L;

    private final String pythonType;
    private final String pythonMessage;
    private final String pythonTraceback;

    /** Called from native code. */
    public PythonException(String pythonType, String pythonMessage, String pythonTraceback) {
        super("PYTHON", pythonType + ": " + pythonMessage + "\n" + pythonTraceback.stripTrailing());
        this.pythonType = pythonType;
        this.pythonMessage = pythonMessage;
        this.pythonTraceback = pythonTraceback;
    }

    /** The qualified name of the Python exception class, e.g. {@code ValueError}. */
    public String pythonType() {
        return pythonType;
    }

    /** {@code str(exception)}. */
    public String pythonMessage() {
        return pythonMessage;
    }

    /** The formatted Python traceback, {@code Traceback (most recent call last): ...}. */
    public String pythonTraceback() {
        return pythonTraceback;
    }
}
