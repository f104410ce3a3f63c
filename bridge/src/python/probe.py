# Run by jarrow under the Python executable it was given, to learn how that Python is laid out.
# Prints one JSON object on stdout.
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
    mapped = mapped_libpython()
    return {
        "executable": sys.executable,
        "version": list(sys.version_info[:3]),
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "exec_prefix": sys.exec_prefix,
        "sys_path": [p for p in sys.path if p],
        "libpython": mapped or installed_libpython(),
        "links_libpython": mapped is not None,
    }


if __name__ == "__main__":
    print(json.dumps(layout()))
