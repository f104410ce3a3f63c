"""Ctrl-C interrupts a Python main thread waiting in a long Java call."""
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

SCRIPT = textwrap.dedent("""
    import subprocess, sys, tempfile, time
    from pathlib import Path
    import jarrow
    classes = tempfile.mkdtemp()
    subprocess.run(["javac", "-d", classes, sys.argv[1]], check=True)
    jvm = jarrow.start_jvm(classpath=[classes])
    slow = jvm.function("Scalars::slow")
    print("calling", flush=True)
    started = time.monotonic()
    try:
        slow(60_000)
        print("returned", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - started:.1f} s", flush=True)
    print("next call", slow(1), flush=True)
""")


def test_ctrl_c_interrupts_a_long_java_call(tmp_path):
    script = tmp_path / "long_call.py"
    script.write_text(SCRIPT)
    java = Path(__file__).with_name("java") / "Scalars.java"
    child = subprocess.Popen([sys.executable, str(script), str(java)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "calling"
    time.sleep(1.0)
    child.send_signal(signal.SIGINT)
    output, _ = child.communicate(timeout=30)
    assert child.returncode == 0, output
    lines = output.strip().splitlines()
    assert lines[0].startswith("interrupted after"), output
    assert float(lines[0].split()[2]) < 30, "interrupted long before the call's 60 s"
    assert lines[1] == "next call 1", "the interrupt flag was cleared for the next call"
