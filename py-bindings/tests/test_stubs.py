"""The checked-in stubs (_native.pyi) match the native module."""
import ast
from pathlib import Path

import jarrow._native as native

STUBS = Path(jarrow_dir := native.__file__).parent / "_native.pyi"


def stub_names():
    tree = ast.parse(STUBS.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_stubs_name_exactly_what_the_module_exports():
    exported = {name for name in dir(native) if not (name.startswith("__") and name.endswith("__"))}
    exported |= {"__version__"}
    assert stub_names() == exported


def test_stubbed_methods_exist():
    tree = ast.parse(STUBS.read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            cls = getattr(native, node.name)
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    assert hasattr(cls, item.name), f"{node.name}.{item.name}"
