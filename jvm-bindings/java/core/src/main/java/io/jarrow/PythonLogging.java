package io.jarrow;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Python's {@code logging} records, stdout and stderr, sent to SLF4J: logger {@code python.<name>}
 * for a Python logger {@code <name>}, {@code python.stdout} (INFO) and {@code python.stderr} (WARN)
 * for the streams, one log event per line. On by default; see {@link PythonConfig.Builder#redirectOutput}.
 */
final class PythonLogging {
    /** Python code run once at start-up to install the redirection (python_logging.py). */
    static final String INSTALL = PythonScripts.read("python_logging.py");

    private PythonLogging() {}

    /** Called from native code (the {@code _jarrow_jvm.log} Python function). */
    static void log(String name, int level, String message) {
        Logger logger = LoggerFactory.getLogger("python." + name);
        if (level >= 40) {
            logger.error(message);
        } else if (level >= 30) {
            logger.warn(message);
        } else if (level >= 20) {
            logger.info(message);
        } else if (level >= 10) {
            logger.debug(message);
        } else {
            logger.trace(message);
        }
    }
}
