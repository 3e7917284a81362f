"""The memory slope of the fault runs, with hand-computed numbers."""

from __future__ import annotations

import math

import pytest
from faults import slope_per_minute


def test_slope_is_least_squares_per_minute() -> None:
    # points (0, 100), (30, 100), (60, 106): mean t 30, mean v 102;
    # slope = sum (t - 30)(v - 102) / sum (t - 30)^2 = (60 + 0 + 120) / 1800 = 0.1 per s
    assert slope_per_minute([0, 30, 60], [100, 100, 106]) == pytest.approx(6.0)
    assert slope_per_minute([0, 2, 4], [50, 50, 50]) == 0.0
    assert math.isnan(slope_per_minute([1], [5]))
