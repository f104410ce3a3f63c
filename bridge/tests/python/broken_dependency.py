"""A module whose own import fails: resolving a function in it reports that import error."""
import definitely_not_installed_package  # noqa: F401


def f():
    return 1
