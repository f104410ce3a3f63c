"""The Python package's tests call the Python functions every suite shares (tests/fixtures)."""
import subprocess
import sys
from pathlib import Path

import pytest

import jarrow

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "fixtures"))


@pytest.fixture(scope="session")
def jvm(tmp_path_factory):
    """The JVM of the test process, with the test's Java classes on its classpath."""
    classes = tmp_path_factory.mktemp("classes")
    sources = sorted(str(p) for p in Path(__file__).with_name("java").glob("*.java"))
    subprocess.run(["javac", "-d", str(classes), "-cp", jarrow._jar(), *sources], check=True)
    return jarrow.start_jvm(classpath=[classes])
