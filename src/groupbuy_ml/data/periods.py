"""The time grid of a panel: its frequency and the position of each date on it.

Panels are daily in the simulated market, Rossmann and M5, monthly (month start) in Stallion,
and whatever a user's file holds. The frequency is inferred once from the distinct dates with
:func:`pandas.infer_freq`; when dates have gaps it falls back to the smallest spacing between
consecutive distinct dates (so a daily panel with missing days is still daily).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

__all__ = ["grid_positions", "infer_frequency"]


def infer_frequency(dates: pd.Series | pd.DatetimeIndex) -> pd.DateOffset:
    """The spacing of ``dates`` as a pandas offset (``Day`` when fewer than two dates exist)."""
    unique = pd.DatetimeIndex(pd.unique(pd.Series(dates).dropna())).sort_values()
    if len(unique) < 2:
        return pd.offsets.Day()
    if len(unique) >= 3:
        freq = pd.infer_freq(unique)
        if freq is not None:
            return to_offset(freq)
        if _calendar_months(unique):
            return to_offset("MS")
    step = pd.Timedelta(int(np.diff(unique.asi8).min()), unit="ns")
    if step == pd.Timedelta(days=7):  # weekly with missing weeks: anchored on the weekday
        return pd.offsets.Week(weekday=int(unique[0].dayofweek))
    return to_offset(step)


def _calendar_months(unique: pd.DatetimeIndex) -> bool:
    """True when every date is a month start (a monthly panel with missing months)."""
    return bool((unique.day == 1).all() and (unique.normalize() == unique).all())


def grid_positions(dates: pd.Series | np.ndarray, freq: pd.DateOffset
                   ) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Position of every date on the grid of ``freq`` spanning them, and that grid.

    Returns ``(positions, grid)`` with ``grid[positions] == dates``; dates that do not lie on
    the grid get position ``-1`` (e.g. a Tuesday in a weekly panel of Mondays).
    """
    values = pd.DatetimeIndex(np.asarray(dates, dtype="datetime64[ns]"))
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), pd.DatetimeIndex([])
    grid = pd.date_range(values.min(), values.max(), freq=freq)
    pos = grid.searchsorted(values)
    inside = pos < len(grid)
    on_grid = np.zeros(len(values), dtype=bool)
    on_grid[inside] = grid[pos[inside]] == values[inside]
    return np.where(on_grid, pos, -1).astype(np.int64), grid
