"""The denominators and weights of scaled errors: naive in-sample scales and M5 sales weights.

RMSSE and MASE divide a series' forecast error by the in-sample error of the (seasonal) naive
forecast on its training history (Hyndman & Koehler 2006, IJF 22(4)); M5 (Makridakis et al.
2022, IJF 38(4)) counts that history from the series' first non-zero value and weights series by
their sales value over the last 28 training days. Both are computed for all series at once with
numpy index arithmetic on the sorted panel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.forecasting.series import (
    SERIES_KEYS,
    TARGET,
    TIME,
    group_starts,
    require_columns,
    series_codes,
    sort_panel,
)

__all__ = ["naive_scale", "sales_weights"]


def naive_scale(
    train: pd.DataFrame, season_length: int = 1, power: int = 2, target: str = TARGET
) -> pd.Series:
    """Per-series in-sample error of the (seasonal) naive forecast, the RMSSE / MASE denominator.

    ``mean(|y_t - y_{t-m}| ** power)`` over pairs whose both points lie at or after the series'
    first non-zero value (M5). Returns 0 for constant histories and NaN when no pair exists;
    indexed by (location_id, product_id).
    """
    if season_length < 1:
        raise ConfigError(f"season_length must be >= 1, got {season_length}")
    require_columns(train, [*SERIES_KEYS, TIME, target], "train")
    if train.empty:
        raise InvalidDataError("train is empty: no history to scale errors by")
    panel = sort_panel(train[[*SERIES_KEYS, TIME, target]])
    codes = series_codes(panel)
    n_series = int(codes[-1]) + 1 if len(codes) else 0
    y = panel[target].to_numpy(np.float64)
    rows = np.arange(len(y))
    first_nonzero = np.full(n_series, len(y) + 1)
    nz = np.flatnonzero(y != 0)
    uniq, at = np.unique(codes[nz], return_index=True)
    first_nonzero[uniq] = nz[at]
    prev = rows - season_length
    ok = (prev >= group_starts(codes)) & (prev >= first_nonzero[codes])
    diff = np.abs(y[ok] - y[prev[ok]]) ** power
    sums = np.bincount(codes[ok], weights=diff, minlength=n_series)
    counts = np.bincount(codes[ok], minlength=n_series)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    index = pd.MultiIndex.from_frame(panel.loc[np.r_[True, np.diff(codes) != 0], SERIES_KEYS])
    return pd.Series(scale, index=index, name="scale")


def sales_weights(train: pd.DataFrame, window: int = 28, target: str = TARGET) -> pd.Series:
    """M5 weights: each series' share of sales value over the last ``window`` training dates.

    Sales value is ``units * price`` when a ``price`` column exists (a missing price takes the
    series' mean price, then 0), else ``units``. Indexed by (location_id, product_id).
    """
    require_columns(train, [*SERIES_KEYS, TIME, target], "train")
    dates = np.sort(train[TIME].unique())
    recent = train[train[TIME] >= dates[max(len(dates) - window, 0)]]
    value = recent[target].astype(np.float64)
    if "price" in recent.columns:
        by_series = recent.groupby(SERIES_KEYS)["price"].transform("mean")
        value = value * recent["price"].fillna(by_series).fillna(0.0)
    totals = value.groupby([recent[k] for k in SERIES_KEYS]).sum()
    all_series = train.groupby(SERIES_KEYS).size().index
    totals = totals.reindex(all_series, fill_value=0.0)
    grand = totals.sum()
    return totals / grand if grand > 0 else totals
