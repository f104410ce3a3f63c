# Run once in the embedded interpreter when the JVM starts it (PythonLogging.java): Python's
# logging records, stdout and stderr go to SLF4J through the _jarrow_jvm module that the native
# side registers, one log event per line.
import io, logging, sys
import _jarrow_jvm
class _JvmHandler(logging.Handler):
    def emit(self, record, _log=_jarrow_jvm.log):
        try:
            message = self.format(record)
        except Exception:
            self.handleError(record)
            return
        _log(record.name, record.levelno, message)
class _JvmStream(io.TextIOBase):
    def __init__(self, name, level):
        self._name, self._level, self._pending = name, level, ''
        self._log = _jarrow_jvm.log
    def writable(self):
        return True
    def write(self, text):
        lines = (self._pending + text).split('\n')
        self._pending = lines.pop()
        for line in lines:
            self._log(self._name, self._level, line)
        return len(text)
    def flush(self):
        if self._pending:
            self._log(self._name, self._level, self._pending)
            self._pending = ''
logging.getLogger().addHandler(_JvmHandler())
if logging.getLogger().level > logging.INFO:
    logging.getLogger().setLevel(logging.INFO)
sys.stdout = _JvmStream('stdout', logging.INFO)
sys.stderr = _JvmStream('stderr', logging.WARNING)
del io, logging, sys, _JvmHandler, _JvmStream, _jarrow_jvm
