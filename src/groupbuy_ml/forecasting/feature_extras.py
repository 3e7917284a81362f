"""The features a careful retail practitioner adds to a direct model, all known at the origin.

What the strongest single models of the Rossmann competition used (the 1st-place write-up of
Gert Jacobusse, the 3rd place entity embeddings of Guo & Berkhahn 2016, "Entity Embeddings of
Categorical Variables", arXiv:1604.06737): same-weekday means of the recent past, distances in
days to and from events (closures, holidays, promotions), event calendars and the static store
attributes. In a *direct* model every target-derived value must lie ``>= horizon`` periods back
(:mod:`groupbuy_ml.forecasting.features`); event calendars are known-future covariates.

Closed and unobserved days (``is_open == 0``, ``is_observed == 0``) sell nothing by
definition; with ``mask_closed`` the target statistics skip them, so "mean of the last 4
Mondays" means the open ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from groupbuy_ml.data.gaps import observed_mask
from groupbuy_ml.errors import ConfigError

__all__ = ["CLOSED", "ExtraFeatures", "event_distances", "same_weekday_means", "target_mask"]

CLOSED = "closed"
"""Name of the event "the series is closed that day" (``is_open == 0``) in ``events``."""


@dataclass(frozen=True)
class ExtraFeatures:
    """Optional feature families of :class:`~groupbuy_ml.forecasting.features.FeatureSpec`.

    Attributes:
        weekday_means: for each ``n``, the mean target of the ``n`` most recent same weekdays
            at least ``horizon`` back (daily data: lags ``7 * ceil(horizon / 7) + 7 j``).
        covariates: extra known-future numeric columns (``school_holiday``, ``promo2_active``).
        static_reals: per-series numeric attributes (``competition_distance``).
        categoricals: extra categorical columns (``store_type``, ``state_holiday``).
        events: 0/1 columns (or :data:`CLOSED`) whose days since the last and until the next
            occurrence become features (``since_<e>``, ``until_<e>``; capped, see below).
        mask_closed: target statistics skip closed / unobserved days.
        since_cap, until_cap: distances are clipped to these many periods (a missing event
            counts as the cap). ``until`` is capped short because a forecast knows the
            calendar only up to the end of its window.
    """

    weekday_means: tuple[int, ...] = ()
    covariates: tuple[str, ...] = ()
    static_reals: tuple[str, ...] = ()
    categoricals: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    mask_closed: bool = False
    since_cap: int = 30
    until_cap: int = 14

    def __post_init__(self) -> None:
        if any(int(n) < 1 for n in self.weekday_means):
            raise ConfigError(f"weekday_means must be >= 1, got {self.weekday_means}")

    @property
    def numeric(self) -> tuple[str, ...]:
        """Numeric input columns the panel must hold (history and future)."""
        found = (*self.covariates, *self.static_reals, *(e for e in self.events if e != CLOSED))
        return tuple(dict.fromkeys(found))

    def columns(self) -> list[str]:
        """Names of the derived features, in matrix order."""
        return [*(f"weekday_mean_{n}" for n in self.weekday_means), *self.covariates,
                *self.static_reals, *(f"{d}_{e}" for e in self.events for d in ("since", "until"))]

    def build(self, panel: pd.DataFrame, y: np.ndarray, starts: np.ndarray, codes: np.ndarray,
              horizon: int) -> dict[str, np.ndarray]:
        """The derived feature columns of a sorted panel (``y`` masked already)."""
        out: dict[str, np.ndarray] = {}
        for n in self.weekday_means:
            out[f"weekday_mean_{n}"] = same_weekday_means(y, starts, horizon, n)
        for c in (*self.covariates, *self.static_reals):
            out[c] = pd.to_numeric(panel[c], errors="coerce").to_numpy(np.float64)
        for e in self.events:
            flag = (panel["is_open"].to_numpy() == 0) if e == CLOSED else (
                pd.to_numeric(panel[e], errors="coerce").fillna(0).to_numpy() != 0)
            since, until = event_distances(flag, codes)
            out[f"since_{e}"] = np.minimum(since, self.since_cap)
            out[f"until_{e}"] = np.minimum(until, self.until_cap)
        return out


def target_mask(panel: pd.DataFrame) -> np.ndarray:
    """True where the target is a real sale figure: observed and not a closed day."""
    mask = observed_mask(panel)
    if "is_open" in panel.columns:
        mask &= panel["is_open"].to_numpy() != 0
    return mask


def same_weekday_means(y: np.ndarray, starts: np.ndarray, horizon: int, n: int) -> np.ndarray:
    """Mean of ``y`` at lags ``first, first + 7, ... first + 7 (n - 1)`` (``first`` the
    smallest multiple of 7 >= ``horizon``) within each series, NaN values skipped."""
    first = 7 * -(-horizon // 7)
    total = np.zeros(len(y))
    count = np.zeros(len(y))
    index = np.arange(len(y))
    for j in range(n):
        src = index - (first + 7 * j)
        ok = src >= starts
        vals = np.full(len(y), np.nan)
        vals[ok] = y[src[ok]]
        seen = ~np.isnan(vals)
        total[seen] += vals[seen]
        count[seen] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def event_distances(flag: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Periods since the last and until the next row with ``flag`` within each series of a
    sorted frame (0 on an event row; ``inf`` when there is none)."""
    n = len(flag)
    index = np.arange(n, dtype=np.float64)
    first = np.r_[True, codes[1:] != codes[:-1]] if n else np.zeros(0, bool)
    last_row = np.r_[codes[1:] != codes[:-1], True] if n else np.zeros(0, bool)
    start = np.maximum.accumulate(np.where(first, index, 0.0))
    end = np.minimum.accumulate(np.where(last_row, index, np.inf)[::-1])[::-1]
    last = np.maximum.accumulate(np.where(flag, index, -np.inf))
    nxt = np.minimum.accumulate(np.where(flag, index, np.inf)[::-1])[::-1]
    since = np.where(last >= start, index - last, np.inf)
    until = np.where(nxt <= end, nxt - index, np.inf)
    return since, until
