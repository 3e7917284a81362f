"""Make the merchandising benchmark script importable by its tests."""

import sys
from pathlib import Path

HARNESS = Path(__file__).resolve().parents[3] / "experiments" / "merchandising"
if str(HARNESS) not in sys.path:
    sys.path.insert(0, str(HARNESS))
