# The Python half of jarrow's interpreter, loaded into the embedded interpreter as `_jarrow_bridge`.
# It resolves function names and formats exceptions (the Arrow path's helpers are the arrow
# module's, in batches.py). Standard library only.
import importlib
import inspect
import pickle
import sys
import traceback

class ResolveError(LookupError):
    """A function name did not lead to a callable."""


def resolve(name):
    """Resolves 'pkg.module:attr' or 'pkg.module:Class.method' to a callable, once.

    'Class.method' naming a plain (instance) method binds it to one instance of Class, created here
    with no arguments, so a model can be loaded in __init__ and used by every call.
    """
    module_name, sep, qualname = name.partition(":")
    if not sep or not module_name or not qualname:
        raise ResolveError(
            f"{name!r} is not a function name: expected 'package.module:function' or "
            "'package.module:Class.method'"
        )
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name is not None and module_name.startswith(e.name):
            raise ResolveError(
                f"no module named {e.name!r} (looking for {name!r}); sys.path is {sys.path}"
            ) from None
        raise
    owner, target = None, module
    parts = qualname.split(".")
    for i, part in enumerate(parts):
        try:
            owner, target = target, getattr(target, part)
        except AttributeError:
            where = getattr(module, "__file__", None) or module_name
            raise ResolveError(
                f"module {module_name!r} ({where}) has no attribute {'.'.join(parts[: i + 1])!r} "
                f"(looking for {name!r}); sys.path is {sys.path}"
            ) from None
    if isinstance(owner, type) and inspect.isfunction(target):
        static = inspect.getattr_static(owner, parts[-1])
        if not isinstance(static, (staticmethod, classmethod)):
            target = getattr(owner(), parts[-1])
    if not callable(target):
        raise ResolveError(f"{name!r} is a {type(target).__name__}, which is not callable")
    return target


def _instance(target):
    """The instance a resolved 'Class.method' is bound to; None for a function."""
    owner = getattr(target, "__self__", None)
    return None if owner is None or inspect.ismodule(owner) or isinstance(owner, type) else owner


def snapshot(target):
    """The state of the instance behind a resolved 'Class.method', pickled (its __getstate__, if
    any, decides what goes in); None for a function, which has no instance."""
    instance = _instance(target)
    return None if instance is None else pickle.dumps(instance, protocol=pickle.HIGHEST_PROTOCOL)


def restore(target, state):
    """The same method bound to the instance unpickled from `state` (its __setstate__, if any, puts
    it back), which must be of the same class."""
    instance = _instance(target)
    if instance is None:
        raise TypeError(f"{target!r} is a function, not a method of an instance: it has no state to restore")
    restored = pickle.loads(state)
    if type(restored) is not type(instance):
        raise TypeError(f"the state is of a {type(restored).__qualname__}, not of a {type(instance).__qualname__}")
    return getattr(restored, target.__name__)


def describe_exception(exc, tb):
    """(qualified type name, message, full traceback text) of an exception raised with `tb`."""
    cls = type(exc)
    module = cls.__module__
    type_name = cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"
    text = "".join(traceback.format_exception(cls, exc, tb))
    return type_name, str(exc), text
