import subprocess
from pathlib import Path

import pytest

import jarrow


@pytest.fixture(scope="session")
def jvm(tmp_path_factory):
    """The JVM of the test process, with the test's Java classes on its classpath."""
    classes = tmp_path_factory.mktemp("classes")
    subprocess.run(["javac", "-d", str(classes), str(Path(__file__).with_name("java") / "Scalars.java")], check=True)
    return jarrow.start_jvm(classpath=[classes])
