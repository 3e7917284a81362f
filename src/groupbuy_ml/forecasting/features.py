"""Features of a global direct forecaster, all known at the forecast origin.

A *direct*, non-recursive model (the approach of top M5 entries, Makridakis et al. 2022, IJF
38(4), section 4) predicts every step ``1..horizon`` from features that exist at the origin
``T``: target lags ``>= horizon`` and rolling statistics of the target shifted by ``horizon``
(they never look past ``T``), the calendar, known-future covariates (price, promotions, holidays,
opening, weather forecasts) and the series' identifiers as categoricals. Forecasts therefore
never feed back into features, and one model serves the whole horizon.

Rows must come from :func:`groupbuy_ml.forecasting.series.sort_panel` with one row per period per
series; the target is NaN on future rows. Everything is numpy index arithmetic on the sorted
frame (no Python loop over series), so a few million rows take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.forecasting.feature_extras import ExtraFeatures, target_mask
from groupbuy_ml.forecasting.series import (
    SERIES_KEYS,
    TARGET,
    TIME,
    group_starts,
    require_columns,
    series_codes,
    sort_panel,
)

__all__ = [
    "CALENDAR",
    "CATEGORICALS",
    "KNOWN_COVARIATES",
    "FeatureSpec",
    "build_features",
    "stack_history_and_future",
    "direct_lags",
]

KNOWN_COVARIATES = (
    "price", "discount", "promo", "is_holiday", "is_open", "temperature_c", "rain_mm",
)
CATEGORICALS = ("location_id", "product_id", "category")
CALENDAR = ("day_of_week", "day_of_month", "month", "week_of_year")
FUTURE = "_future"


def direct_lags(horizon: int, span: int = 28) -> tuple[int, ...]:
    """Lags available for every step of ``horizon``: ``horizon .. horizon + 6`` plus every
    multiple of 7 in ``[horizon, horizon + span]`` (same weekday as the target for daily data).
    """
    if horizon < 1:
        raise ConfigError(f"horizon must be >= 1, got {horizon}")
    weekly = range(7 * -(-horizon // 7), horizon + span + 1, 7)
    return tuple(sorted({*range(horizon, horizon + 7), *weekly}))


@dataclass
class FeatureSpec:
    """What :func:`build_features` computes, fitted once on the training panel.

    Attributes:
        horizon: forecast horizon; every lag is >= it and rolling windows end ``horizon`` back.
        lags: target lags.
        windows: rolling windows (mean and standard deviation) of the target shifted by horizon.
        covariates: known-future covariates present in the training panel.
        categories: fitted levels of each categorical column (unseen levels become missing).
        price_reference: mean price per series in the training panel (for ``price_relative``).
        extras: optional feature families (same-weekday means, event distances, store
            attributes...; :class:`~groupbuy_ml.forecasting.feature_extras.ExtraFeatures`).
    """

    horizon: int
    lags: tuple[int, ...]
    windows: tuple[int, ...]
    covariates: tuple[str, ...]
    categories: dict[str, pd.Index] = field(default_factory=dict)
    price_reference: pd.Series | None = None
    extras: ExtraFeatures = field(default_factory=ExtraFeatures)

    @classmethod
    def from_panel(
        cls,
        panel: pd.DataFrame,
        horizon: int,
        lags: tuple[int, ...] | None = None,
        windows: tuple[int, ...] = (7, 28),
        extras: ExtraFeatures | None = None,
    ) -> FeatureSpec:
        """Fit the spec on a training panel: covariates present, category levels, mean prices."""
        lags = direct_lags(horizon) if lags is None else tuple(sorted(set(lags)))
        if min(lags) < horizon:
            raise ConfigError(f"lags {lags} must all be >= horizon {horizon} (direct model)")
        extras = extras or ExtraFeatures()
        require_columns(panel, [*extras.numeric, *extras.categoricals], "train")
        covariates = tuple(c for c in KNOWN_COVARIATES if c in panel.columns
                           and c not in extras.numeric)
        categories = {
            c: pd.Index(pd.unique(panel[c].dropna())).sort_values()
            for c in (*CATEGORICALS, *extras.categoricals) if c in panel.columns
        }
        price_reference = None
        if "price" in covariates:
            price_reference = panel.groupby(SERIES_KEYS)["price"].mean()
        return cls(horizon, lags, tuple(windows), covariates, categories, price_reference,
                   extras)

    @property
    def columns(self) -> list[str]:
        """Feature names, in the order of the matrix."""
        rolling = [f"roll_{s}_{w}" for w in self.windows for s in ("mean", "std")]
        price = ["price_relative"] if "price" in self.covariates else []
        return [
            *(f"lag_{k}" for k in self.lags), *rolling, *CALENDAR, *self.covariates, *price,
            *self.extras.columns(), *self.categories,
        ]

    @property
    def categorical(self) -> list[str]:
        """Names of the categorical features (integer level codes, NaN when unseen)."""
        return list(self.categories)

    @property
    def history_needed(self) -> int:
        """Periods of history before the origin that the features of any step can read."""
        weekly = [7 * -(-self.horizon // 7) + 7 * (n - 1) for n in self.extras.weekday_means]
        since = [self.extras.since_cap] if self.extras.events else []
        return max(max(self.lags), self.horizon + max(self.windows, default=0), *weekly, *since)


def _lag(y: np.ndarray, starts: np.ndarray, k: int) -> np.ndarray:
    src = np.arange(len(y)) - k
    ok = src >= starts
    out = np.full(len(y), np.nan)
    out[ok] = y[src[ok]]
    return out


def _rolling(
    y: np.ndarray, codes: np.ndarray, starts: np.ndarray, shift: int, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample std of y over rows ``[i - shift - window + 1, i - shift]`` of the series.

    Uses per-series cumulative sums (NaN values skipped), so it is O(rows) for any window.
    """
    valid = ~np.isnan(y)
    v = np.where(valid, y, 0.0)
    grouped = pd.DataFrame({"n": valid.astype(np.float64), "s": v, "ss": v * v}).groupby(codes)
    cum = grouped.cumsum().to_numpy()
    hi = np.arange(len(y)) - shift
    lo = hi - window
    has_hi = hi >= starts
    has_lo = lo >= starts
    total = np.zeros((len(y), 3))
    total[has_hi] = cum[hi[has_hi]]
    total[has_lo] -= cum[lo[has_lo]]
    n, s, ss = total.T
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, s / n, np.nan)
        var = np.where(n > 1, (ss - s * s / np.maximum(n, 1)) / (n - 1), np.nan)
    return mean, np.sqrt(np.clip(var, 0.0, None))


def _level_codes(values: pd.Series, levels: pd.Index) -> np.ndarray:
    codes = levels.get_indexer(values).astype(np.float32)
    codes[codes < 0] = np.nan
    return codes


def build_features(panel: pd.DataFrame, spec: FeatureSpec) -> pd.DataFrame:
    """Feature matrix (float32, ``spec.columns``) for every row of a sorted demand panel.

    Args:
        panel: sorted by series then date (:func:`~groupbuy_ml.forecasting.series.sort_panel`),
            one row per period per series; ``units`` NaN where unknown (future rows).
        spec: the fitted :class:`FeatureSpec`.

    A series unseen at fit takes its mean price in ``panel`` as price reference; unseen
    categorical levels are missing values for LightGBM.
    """
    codes = series_codes(panel)
    starts = group_starts(codes)
    y = panel[TARGET].to_numpy(np.float64)
    if spec.extras.mask_closed:  # closed / unobserved days are no sales figure
        y = np.where(target_mask(panel), y, np.nan)
    cols: dict[str, np.ndarray] = spec.extras.build(panel, y, starts, codes, spec.horizon)
    for k in spec.lags:
        cols[f"lag_{k}"] = _lag(y, starts, k)
    for w in spec.windows:
        cols[f"roll_mean_{w}"], cols[f"roll_std_{w}"] = _rolling(y, codes, starts, spec.horizon, w)
    dates = panel[TIME].dt
    cols["day_of_week"] = dates.dayofweek.to_numpy()
    cols["day_of_month"] = dates.day.to_numpy()
    cols["month"] = dates.month.to_numpy()
    cols["week_of_year"] = dates.isocalendar().week.to_numpy(np.float32)
    for c in spec.covariates:
        cols[c] = pd.to_numeric(panel[c], errors="coerce").to_numpy(np.float64)
    if "price" in spec.covariates:
        cols["price_relative"] = cols["price"] / _price_reference(panel, codes, spec)
    for c, levels in spec.categories.items():
        cols[c] = _level_codes(panel[c], levels)
    return pd.DataFrame({c: np.asarray(cols[c], dtype=np.float32) for c in spec.columns})


def _price_reference(panel: pd.DataFrame, codes: np.ndarray, spec: FeatureSpec) -> np.ndarray:
    in_frame = panel.groupby(codes)["price"].mean().to_numpy(np.float64)
    first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes
    keys = pd.MultiIndex.from_frame(panel.loc[first, SERIES_KEYS])
    fitted = spec.price_reference.reindex(keys).to_numpy(np.float64)
    ref = np.where(np.isnan(fitted), in_frame, fitted)
    ref[ref <= 0] = np.nan
    return ref[codes]


def stack_history_and_future(
    history: pd.DataFrame, future: pd.DataFrame, spec: FeatureSpec
) -> pd.DataFrame:
    """The frame to compute forecast features on: the last ``spec.history_needed`` periods of
    each series of ``history`` stacked on the ``future`` rows (target NaN, flagged ``_future``),
    sorted by series then date. Static categoricals absent from ``future`` (``category``) are
    taken from ``history``; a ``units`` column in ``future`` is dropped.
    """
    static = [c for c in (*spec.categories, *spec.extras.static_reals) if c not in SERIES_KEYS]
    varying = [c for c in (*spec.extras.covariates, *spec.extras.events) if c != "closed"]
    if spec.extras.events and "is_open" not in spec.covariates:
        varying.append("is_open")
    cols = list(dict.fromkeys([*SERIES_KEYS, TIME, *spec.covariates, *varying, *static]))
    require_columns(history, [*SERIES_KEYS, TIME, TARGET], "history")
    future = future.drop(columns=[TARGET], errors="ignore")
    missing_static = [c for c in static if c not in future.columns]
    if missing_static:
        require_columns(history, missing_static, "history")
        lookup = history.groupby(SERIES_KEYS)[missing_static].last().reset_index()
        future = future.merge(lookup, on=SERIES_KEYS, how="left")
    require_columns(future, cols, "future")
    if future.empty:
        raise InvalidDataError("future is empty: nothing to forecast")
    past = sort_panel(history[[c for c in [*cols, TARGET] if c in history.columns]])
    recent = past.groupby(SERIES_KEYS, sort=False).cumcount(ascending=False)
    past = past.loc[recent.to_numpy() < spec.history_needed].assign(**{FUTURE: False})
    ahead = future[cols].assign(**{TARGET: np.nan, FUTURE: True})
    return sort_panel(pd.concat([past, ahead], ignore_index=True))
