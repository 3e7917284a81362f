"""The series of a demand panel: sorting, integer series codes, group boundaries, messages.

A demand panel (:mod:`groupbuy_ml.data.schemas.panel`) is a long frame keyed by
``(location_id, product_id, date)``. Every forecaster sorts it by series then date once and
works on contiguous blocks of rows, one block per series: shifts, lags and rolling windows are
then plain numpy index arithmetic instead of Python loops over series.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from groupbuy_ml.data.schemas.panel import SERIES_KEYS, TARGET, TIME
from groupbuy_ml.errors import InvalidDataError

__all__ = [
    "PREDICTION",
    "SERIES_KEYS",
    "TARGET",
    "TIME",
    "describe_series",
    "group_starts",
    "require_columns",
    "series_codes",
    "sort_panel",
]

MAX_NAMED = 5
PREDICTION = "prediction"


def require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """Raise ``ValueError`` naming every column of ``columns`` that ``frame`` lacks."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidDataError(f"{name} lacks required column(s) {missing}; it has "
                               f"{list(frame.columns)}")


def sort_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """Return ``panel`` sorted by series keys then date, with a fresh ``RangeIndex``.

    Raises:
        ValueError: if a ``(location_id, product_id, date)`` triple occurs twice.
    """
    out = panel.sort_values([*SERIES_KEYS, TIME], kind="stable").reset_index(drop=True)
    dup = out.duplicated([*SERIES_KEYS, TIME])
    if dup.any():
        first = out.loc[dup, [*SERIES_KEYS, TIME]].head(MAX_NAMED).to_dict("records")
        raise InvalidDataError(
            f"{int(dup.sum())} duplicated (location_id, product_id, date) row(s), e.g. {first}"
        )
    return out


def series_codes(sorted_panel: pd.DataFrame) -> np.ndarray:
    """Integer code of each row's series, non-decreasing on a frame from :func:`sort_panel`."""
    return sorted_panel.groupby(SERIES_KEYS, sort=False).ngroup().to_numpy(np.int64)


def group_starts(codes: np.ndarray) -> np.ndarray:
    """Row index of the first row of each row's series (codes must be contiguous blocks)."""
    n = len(codes)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    sizes = np.diff(np.r_[first, n])
    return np.repeat(first, sizes)


def describe_series(keys: Iterable[tuple], limit: int = MAX_NAMED) -> str:
    """``'3 series, e.g. (1, 'a'), (2, 'b')'``: a short message naming offending series."""
    keys = list(keys)
    shown = ", ".join(repr(tuple(k)) for k in keys[:limit])
    more = ", ..." if len(keys) > limit else ""
    return f"{len(keys)} series (location_id, product_id), e.g. {shown}{more}"
