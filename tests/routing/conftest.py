"""Tiny routing instances with answers checked by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from groupbuy_ml.routing import Problem, VehicleType, from_stops

SOLOMON_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "solomon"
for _folder in Path(__file__).resolve().parents:  # a worktree may sit deeper than a clone
    if (_folder / "shared" / "data" / "solomon").is_dir():
        SOLOMON_DIR = _folder / "shared" / "data" / "solomon"
        break


def _line_stops() -> pd.DataFrame:
    """Depot at 0 and four stops on a line: x = 1, 2, -1, -2 (demand 1 each, wide windows)."""
    return pd.DataFrame({
        "stop_id": [0, 1, 2, 3, 4],
        "x": [0.0, 1.0, 2.0, -1.0, -2.0],
        "y": [0.0, 0.0, 0.0, 0.0, 0.0],
        "demand": [0, 1, 1, 1, 1],
        "ready_time": [0, 0, 0, 0, 0],
        "due_time": [100, 100, 100, 100, 100],
        "service_time": [0, 0, 0, 0, 0],
    })


@pytest.fixture
def line_stops():
    """A factory of fresh copies of the line stops table."""
    return _line_stops


@pytest.fixture
def line_problem() -> Problem:
    """Best plan: two vehicles (capacity 2), 0-1-2-0 and 0-3-4-0, distance 4 + 4 = 8."""
    return from_stops(_line_stops(), VehicleType(count=3, capacity=2), name="line")


@pytest.fixture(scope="session")
def solomon_dir() -> Path:
    if not (SOLOMON_DIR / "C101.txt").exists():
        pytest.skip(f"Solomon instances not found in {SOLOMON_DIR}")
    return SOLOMON_DIR
