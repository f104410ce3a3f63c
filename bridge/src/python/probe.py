# Run by jarrow under the Python executable it was given, to learn how that Python is laid out.
# Prints one JSON object on stdout; with --properties, `key=value` lines instead, and where the
# environment's jarrow package keeps its JNI library. The one probe of both sides: the core runs
# it (probe.rs, and inside the embedded interpreter), and the build copies this very file into
# jarrow.jar, where the Java side runs it (NativeLibrary.java; ProbeTest checks the copy).
import json
import os
import sys
import sysconfig


def mapped_libpython():
    """The libpython this very process runs on, if it links one dynamically."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                fields = line.split(None, 5)
                if len(fields) == 6:
                    path = fields[5].strip()
                    name = os.path.basename(path)
                    if name.startswith("libpython") and ".so" in name:
                        return os.path.realpath(path)
    except OSError:
        pass
    return None


def installed_libpython():
    """A shared libpython next to a statically linked interpreter (Debian ships one separately)."""
    var = sysconfig.get_config_var
    names = [n for n in (var("INSTSONAME"), var("LDLIBRARY")) if n and ".so" in n]
    dirs = [var("LIBDIR"), var("LIBPL"), os.path.join(sys.base_prefix, "lib")]
    if var("LIBDIR") and var("MULTIARCH"):
        dirs.insert(1, os.path.join(var("LIBDIR"), var("MULTIARCH")))
    for d in dirs:
        for n in names:
            if d and os.path.exists(os.path.join(d, n)):
                return os.path.realpath(os.path.join(d, n))
    return None


def layout():
    return {
        "executable": sys.executable,
        "version": list(sys.version_info[:3]),
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "exec_prefix": sys.exec_prefix,
        "sys_path": [p for p in sys.path if p],
        "libpython": mapped_libpython() or installed_libpython(),
    }


def jni_library():
    """Where this environment's jarrow package keeps the JNI library the JVM loads."""
    try:
        import jarrow

        return {"jni": jarrow.jni_library()}
    except Exception as e:
        return {"jni_error": "%s: %s" % (type(e).__name__, str(e).replace("\n", " "))}


def as_text(value):
    """A layout value on one line: a path list joined with os.pathsep, a version with dots."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        separator = "." if all(isinstance(v, int) for v in value) else os.pathsep
        return separator.join(str(v) for v in value)
    return str(value)


if __name__ == "__main__":
    if sys.argv[1:] == ["--properties"]:
        facts = layout()
        facts.update(jni_library())
        for key, value in facts.items():
            print("%s=%s" % (key, as_text(value)))
    else:
        print(json.dumps(layout()))
