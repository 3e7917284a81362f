"""The time grid of a demand panel: its frequency, future dates and steps between dates.

Panels are daily in the simulated market, Rossmann and M5, and monthly (month start) in Stallion.
The frequency is inferred once from the panel's distinct dates with :func:`pandas.infer_freq`;
when dates have gaps it falls back to the smallest spacing between consecutive distinct dates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from groupbuy_ml.data.periods import infer_frequency
from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.forecasting.series import SERIES_KEYS, TIME, describe_series

__all__ = ["check_regular", "future_dates", "infer_frequency", "periods_between"]


def periods_between(
    start: pd.Series | np.ndarray, end: pd.Series | np.ndarray, freq: pd.DateOffset
) -> np.ndarray:
    """Number of ``freq`` periods from each ``start`` to each ``end`` (negative when before).

    Raises:
        ValueError: if a date does not lie on the grid of ``freq`` anchored at the start dates.
    """
    start_idx = pd.DatetimeIndex(np.asarray(start, dtype="datetime64[ns]"))
    end_idx = pd.DatetimeIndex(np.asarray(end, dtype="datetime64[ns]"))
    if len(start_idx) == 0:
        return np.zeros(0, dtype=np.int64)
    nanos = getattr(freq, "nanos", None) if isinstance(freq, pd.offsets.Tick) else None
    if nanos:
        delta = end_idx.asi8 - start_idx.asi8
        if np.any(delta % nanos):
            raise InvalidDataError(f"dates are not a whole number of {freq.freqstr} periods apart")
        return (delta // nanos).astype(np.int64)
    lo = min(start_idx.min(), end_idx.min())
    hi = max(start_idx.max(), end_idx.max())
    grid = pd.date_range(lo, hi, freq=freq)
    pos_start = grid.searchsorted(start_idx)
    pos_end = grid.searchsorted(end_idx)
    ok = (pos_start < len(grid)) & (pos_end < len(grid))
    ok &= grid[np.minimum(pos_start, len(grid) - 1)] == start_idx
    ok &= grid[np.minimum(pos_end, len(grid) - 1)] == end_idx
    if not ok.all():
        raise InvalidDataError(f"dates do not lie on the panel's {freq.freqstr} grid")
    return (pos_end - pos_start).astype(np.int64)


def future_dates(last: pd.Timestamp, horizon: int, freq: pd.DateOffset) -> pd.DatetimeIndex:
    """The ``horizon`` dates after ``last`` on the grid of ``freq``."""
    return pd.date_range(pd.Timestamp(last), periods=horizon + 1, freq=freq)[1:]


def check_regular(sorted_panel: pd.DataFrame, freq: pd.DateOffset, name: str = "panel") -> None:
    """Raise ``ValueError`` when a series skips periods between its first and last date.

    Lags and seasonal repeats count rows, so every series must hold one row per period (closed
    days included, with ``units`` 0, as the panel schema asks). Fill gaps before forecasting.
    """
    if sorted_panel.empty:
        return
    span = sorted_panel.groupby(SERIES_KEYS, sort=False)[TIME].agg(["first", "last", "size"])
    expected = periods_between(span["first"].to_numpy(), span["last"].to_numpy(), freq) + 1
    gaps = span.index[expected != span["size"].to_numpy()]
    if len(gaps):
        raise InvalidDataError(
            f"{name}: {describe_series(gaps)} skip dates on the {freq.freqstr} grid; forecasters "
            "need one row per period per series (fill gaps, e.g. units 0 with is_open 0)"
        )
