"""Make the serving benchmark scripts (experiments/serving/*.py) importable by their tests."""

import sys
from pathlib import Path

HARNESS = Path(__file__).resolve().parents[3] / "experiments" / "serving"
if str(HARNESS) not in sys.path:
    sys.path.insert(0, str(HARNESS))
