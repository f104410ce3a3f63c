package io.jarrow;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Python's {@code logging} records, stdout and stderr, sent to SLF4J: logger {@code python.<name>}
 * for a Python logger {@code <name>}, {@code python.stdout} (INFO) and {@code python.stderr} (WARN)
 * for the streams, one log event per line. On by default; see {@link PythonConfig.Builder#redirectOutput}.
 */
final class PythonLogging {
    /** Python code run once at start-up to install the redirection. */
    static final String INSTALL = String.join("\n",
            "import io, logging, sys",
            "import _jarrow_jvm",
            "class _JvmHandler(logging.Handler):",
            "    def emit(self, record, _log=_jarrow_jvm.log):",
            "        try:",
            "            message = self.format(record)",
            "        except Exception:",
            "            self.handleError(record)",
            "            return",
            "        _log(record.name, record.levelno, message)",
            "class _JvmStream(io.TextIOBase):",
            "    def __init__(self, name, level):",
            "        self._name, self._level, self._pending = name, level, ''",
            "        self._log = _jarrow_jvm.log",
            "    def writable(self):",
            "        return True",
            "    def write(self, text):",
            "        lines = (self._pending + text).split('\\n')",
            "        self._pending = lines.pop()",
            "        for line in lines:",
            "            self._log(self._name, self._level, line)",
            "        return len(text)",
            "    def flush(self):",
            "        if self._pending:",
            "            self._log(self._name, self._level, self._pending)",
            "            self._pending = ''",
            "logging.getLogger().addHandler(_JvmHandler())",
            "if logging.getLogger().level > logging.INFO:",
            "    logging.getLogger().setLevel(logging.INFO)",
            "sys.stdout = _JvmStream('stdout', logging.INFO)",
            "sys.stderr = _JvmStream('stderr', logging.WARNING)",
            "del io, logging, sys, _JvmHandler, _JvmStream, _jarrow_jvm",
            "");

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
