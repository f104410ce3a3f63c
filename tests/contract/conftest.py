"""The Python side of the contract calls the shared fixtures (tests/fixtures) in this interpreter."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))
