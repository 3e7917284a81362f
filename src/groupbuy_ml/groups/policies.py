"""Threshold policies (:class:`~groupbuy_ml.twin.policies.ThresholdPolicy`): participants each
group buy launched today needs, one city-wide group per product.

:class:`FormationThreshold` learns P(formed | launch features, threshold) from the platform's own
records (refitted every ``refit_days``; thresholds of days it did not set are the catalogue's)
and sets each product's threshold to the largest candidate ``round(factor x catalogue)`` whose
predicted formation probability reaches ``target``; when none does, the lowest candidate (the
supplier's minimum batch, ``min(factors)`` x catalogue). New products (launched fewer than
:data:`~groupbuy_ml.groups.features.NEW_PRODUCT_DAYS` days ago) choose from ``new_factors``,
which may go lower: a launch discount on the batch so that a first group can form. The twin
charges nothing for small groups, so the catalogue threshold stands for the supplier's batch
preference: by default the policy only lowers it (``factors`` <= 1), as far as the target
needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.groups.features import NEW_PRODUCT_DAYS, launch_features
from groupbuy_ml.groups.model import FormationModel, LogisticFormation
from groupbuy_ml.twin.state import PlatformState

__all__ = ["FormationThreshold"]


@dataclass
class FormationThreshold:
    """Model-chosen thresholds under a target formation probability (see module)."""

    target: float = 0.9
    factors: Sequence[float] = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    new_factors: Sequence[float] = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    model: Literal["logistic", "lightgbm"] = "logistic"
    refit_days: int = 7
    window: int = 7
    chosen: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    fitted: Any = field(default=None, repr=False)
    _fitted_on: int = field(default=-10**9, repr=False)

    def __post_init__(self) -> None:
        if not 0 < self.target < 1:
            raise ConfigError(f"target: {self.target}; a formation probability in (0, 1)")
        for name in ("factors", "new_factors"):
            values = list(getattr(self, name))
            if not values or min(values) <= 0:
                raise ConfigError(f"{name}: {values}; need multiples of the catalogue "
                                  "threshold > 0")
        if self.model not in ("logistic", "lightgbm"):
            raise ConfigError(f"model: {self.model!r} is not one of 'logistic', 'lightgbm'")

    def threshold(self, state: PlatformState) -> np.ndarray:
        base = state.catalogue["min_group_size"].to_numpy(np.int64)
        if state.day - self._fitted_on >= self.refit_days:
            self.fitted = self._fit(state, base)
            self._fitted_on = state.day
        out = base.copy()
        if self.fitted is not None:
            factors = np.array(sorted(set(self.factors) | set(self.new_factors)), np.float64)
            launch = pd.to_datetime(state.catalogue["launch_date"])
            new = ((state.date - launch).dt.days < NEW_PRODUCT_DAYS).to_numpy()
            allowed = np.where(new[None, :], np.isin(factors, self.new_factors)[:, None],
                               np.isin(factors, self.factors)[:, None])  # (F, I)
            grid = np.maximum(1, np.round(factors[:, None] * base[None, :])).astype(np.int64)
            probs = np.stack([self._today(state, k) for k in grid])  # (F, I)
            ok = (probs >= self.target) & allowed
            lowest = allowed.argmax(axis=0)
            last_ok = np.where(ok.any(axis=0), len(factors) - 1 - ok[::-1].argmax(axis=0),
                               lowest)
            out = grid[last_ok, np.arange(len(base))]
        self.chosen[state.day] = out
        return out

    # -- the records as launch features -----------------------------------------------------
    def _arrays(self, state: PlatformState, base: np.ndarray) -> dict[str, np.ndarray]:
        h = state.history
        offered = np.asarray(h.offered)
        launched = offered.any(axis=1)
        lst = np.asarray(state.list_price, np.float64)
        n_points = offered.sum(axis=1)
        price = np.where(offered, h.price, 0.0).sum(axis=1) / np.maximum(n_points, 1)
        day0 = state.day - len(h.dates)
        threshold = np.stack([self.chosen.get(day0 + d, base) for d in range(len(h.dates))]) \
            if len(h.dates) else np.zeros((0, len(base)), np.int64)
        formed = np.asarray(h.formed)
        formed = formed.any(axis=1) if formed.ndim == 3 else formed
        return {"units": np.asarray(h.accepted).sum(axis=1), "launched": launched,
                "formed": formed, "threshold": threshold,
                "price_ratio": np.where(n_points > 0, price / lst[None, :], 1.0),
                "n_points": n_points}

    def _context(self, state: PlatformState, dates: pd.DatetimeIndex) -> dict[str, np.ndarray]:
        launch = pd.to_datetime(state.catalogue["launch_date"]).to_numpy()
        age = (dates.to_numpy()[:, None] - launch[None, :]) / np.timedelta64(1, "D")
        cal = state.calendar.set_index("date").reindex(dates)
        codes = pd.Categorical(state.catalogue["category"]).codes
        return {"age": age, "weekday": dates.weekday.to_numpy(),
                "holiday": cal["is_holiday"].fillna(False).to_numpy(bool), "category_code": codes}

    def _fit(self, state: PlatformState, base: np.ndarray) -> Any:
        a = self._arrays(state, base)
        n_d = len(state.history.dates)
        if n_d <= self.window:
            return None
        frame = launch_features(a["units"], a["launched"], a["formed"], a["threshold"],
                                a["price_ratio"], **self._context(state, state.history.dates),
                                n_points=a["n_points"], days=np.arange(self.window, n_d),
                                window=self.window)
        frame["formed"] = a["formed"][frame["day"], frame["product_id"]].astype(int)
        if frame["formed"].nunique() < 2:
            return None
        model = LogisticFormation() if self.model == "logistic" else FormationModel()
        return model.fit(frame)

    def _today(self, state: PlatformState, threshold: np.ndarray) -> np.ndarray:
        """(I,) predicted formation probability of today's launches at ``threshold``."""
        base = state.catalogue["min_group_size"].to_numpy(np.int64)
        a = self._arrays(state, base)
        offered = np.asarray(state.today.offered)
        n_i = offered.shape[1]
        today_price = np.where(offered, state.today.price, 0.0).sum(axis=0) / np.maximum(
            offered.sum(axis=0), 1)
        lst = np.asarray(state.list_price, np.float64)
        stack = {k: np.concatenate([v, row[None, :]]) for k, v, row in (
            ("units", a["units"], np.zeros(n_i)), ("launched", a["launched"], offered.any(axis=0)),
            ("formed", a["formed"], np.zeros(n_i, bool)),
            ("threshold", a["threshold"], threshold),
            ("price_ratio", a["price_ratio"], today_price / lst),
            ("n_points", a["n_points"], offered.sum(axis=0)))}
        dates = state.history.dates.append(pd.DatetimeIndex([state.date]))
        d = len(dates) - 1
        frame = launch_features(stack["units"], stack["launched"], stack["formed"],
                                stack["threshold"], stack["price_ratio"],
                                **self._context(state, dates), n_points=stack["n_points"],
                                days=np.array([d]), window=self.window)
        out = np.ones(n_i)
        if len(frame):
            out[frame["product_id"].to_numpy()] = self.fitted.predict_proba(frame)
        return out
