"""Model-based pricing for the twin's price hook: estimated elasticity x demand forecast ->
the margin-maximising price on a grid within bounds."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from groupbuy_ml.pricing.elasticity import ElasticityEstimator
from groupbuy_ml.pricing.policies import near_expiry_units, price_grid
from groupbuy_ml.twin.state import PlatformState

__all__ = ["ElasticityOptimiser", "shrink"]


def shrink(estimate: np.ndarray, se: np.ndarray, prior: float) -> np.ndarray:
    """Empirical-Bayes shrinkage of group estimates toward ``prior`` (Efron & Morris 1975,
    JASA 70(350)): weight ``tau2 / (tau2 + se**2)`` with ``tau2`` the method-of-moments spread
    of the estimates around the prior, beyond their sampling noise (floored at a small value)."""
    ok = np.isfinite(estimate) & np.isfinite(se)
    if not ok.any():
        return estimate
    tau2 = max(float(np.mean((estimate[ok] - prior) ** 2 - se[ok] ** 2)), 0.05 ** 2)
    w = tau2 / (tau2 + se ** 2)
    return np.where(ok, w * estimate + (1 - w) * prior, prior)


@dataclass
class ElasticityOptimiser:
    """Model-based pricing.

    Every ``refit_days`` it estimates each category's elasticity from the last ``history_days``
    of records (:class:`~groupbuy_ml.pricing.elasticity.ElasticityEstimator` with
    ``method="censored"``: Poisson on pickup point x product x day, cells that sold out known
    only as a lower bound of demand, point x product fixed effects), leaving out cells it
    marked down for stock about to expire (that price answered low demand: endogenous), and
    shrinks the category estimates toward the pooled one
    (:func:`shrink`). Each morning it forecasts each cell's demand at its recent price (the
    mean of the last ``forecast_days`` uncensored days) and picks from the grid the price that
    maximises ``p * min(q(p), S) + (p - c) * max(q(p) - S, 0)``, with ``q(p) = q0 (p / p0) **
    -e`` and ``S`` the units about to expire (already paid for). With probability ``explore``
    a product gets a random grid price for the day instead (city-wide): exogenous price
    variation that keeps the estimates identified once prices settle.

    Fallbacks (documented, counted in ``fallbacks``): a category without an estimate uses the
    pooled one; with no estimate at all the list price. Elasticities are clipped to
    ``elasticity_range``.
    """

    bounds: tuple[float, float] = (0.8, 1.3)
    grid_points: int = 11
    refit_days: int = 7
    history_days: int = 112
    forecast_days: int = 7
    days_left: int = 1
    explore: float = 0.1
    shrinkage: bool = True
    elasticity_range: tuple[float, float] = (0.2, 6.0)
    seed: int = 0
    elasticity: np.ndarray | None = field(default=None, repr=False)
    estimates: pd.DataFrame | None = field(default=None, repr=False)
    fallbacks: dict[str, int] = field(default_factory=lambda: {"pooled": 0, "list_price": 0})
    _fitted_on: int = field(default=-10**9, repr=False)
    _marked: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.grid = price_grid(self.bounds, self.grid_points)
        self.rng = np.random.default_rng(self.seed)

    def price(self, state: PlatformState) -> np.ndarray:
        if state.day - self._fitted_on >= self.refit_days:
            self.elasticity = self._estimate(state)
            self._fitted_on = state.day
        lst = np.asarray(state.list_price, np.float64)
        if self.elasticity is None:
            self.fallbacks["list_price"] += 1
            return np.broadcast_to(lst, state.shape).copy()
        h = state.history
        days = slice(-self.forecast_days, None)
        ok = h.offered[days] & ~h.sold_out[days]
        n = ok.sum(axis=0)
        q0 = np.where(ok, h.accepted[days], 0).sum(axis=0) / np.maximum(n, 1)
        p0 = np.where(ok, h.price[days], 0).sum(axis=0) / np.maximum(n, 1)
        p0 = np.where(n > 0, p0, lst[None, :])
        cost = state.catalogue["unit_cost"].to_numpy(np.float64)
        sunk = near_expiry_units(state.point_stock, state.day, self.days_left)
        best = self._best(q0, p0, lst, cost, sunk, state.shape)
        plain = self._best(q0, p0, lst, cost, np.zeros_like(sunk), state.shape)
        explore = self.rng.uniform(size=state.shape[1]) < self.explore
        random = self.grid[self.rng.integers(0, len(self.grid), state.shape[1])] * lst
        best = np.where(explore[None, :], random[None, :], best)
        self._marked[state.day] = ~explore[None, :] & (best != plain)
        self._marked.pop(state.day - self.history_days - 1, None)
        return best

    def _best(self, q0: np.ndarray, p0: np.ndarray, lst: np.ndarray, cost: np.ndarray,
              sunk: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        best, best_value = None, None
        for r in self.grid:
            p = r * lst[None, :]
            q = q0 * (p / p0) ** (-self.elasticity[None, :])
            value = p * np.minimum(q, sunk) + (p - cost[None, :]) * np.maximum(q - sunk, 0)
            if best is None:
                best, best_value = np.broadcast_to(p, shape).copy(), value
            else:
                better = value > best_value + 1e-9
                best = np.where(better, p, best)
                best_value = np.maximum(value, best_value)
        return best

    def _estimate(self, state: PlatformState) -> np.ndarray | None:
        panel = state.history.panel(self.history_days)
        keep = ~panel["sold_out"].to_numpy()
        if self._marked:
            first = state.day - len(state.history.dates)
            day = ((panel["date"] - state.history.dates[0]).dt.days + first).to_numpy()
            loc, prod = panel["location_id"].to_numpy(), panel["product_id"].to_numpy()
            marked = np.zeros(len(panel), bool)
            for d, mask in self._marked.items():
                rows = np.flatnonzero(day == d)
                marked[rows] = mask[loc[rows], prod[rows]]
            keep &= ~marked
        panel = panel[keep].assign(censored=lambda f: f["sold_out"])
        if panel.empty or panel["price"].nunique() < 2:
            return None
        controls = ("weekday", "is_holiday", "temperature_c", "rain_mm", "promo", "trend")
        series = ("location_id", "product_id")
        est = ElasticityEstimator(by=("category",), series=series, method="censored",
                                  controls=controls, cov="HC1").fit(panel)
        pooled = ElasticityEstimator(by=(), series=series, method="censored",
                                     controls=controls, cov="HC1").fit(panel)
        pooled_e = float(pooled["elasticity"].iloc[0])
        if self.shrinkage and np.isfinite(pooled_e):
            est = est.assign(raw_elasticity=est["elasticity"], elasticity=shrink(
                est["elasticity"].to_numpy(), est["se"].to_numpy(), pooled_e))
        self.estimates = est.assign(day=state.day, pooled=pooled_e)
        by_cat = est.set_index("category")["elasticity"]
        e = pd.Series(state.catalogue["category"].to_numpy()).map(by_cat).to_numpy(np.float64)
        missing = ~np.isfinite(e)
        if missing.any():
            if not np.isfinite(pooled_e):
                return None
            self.fallbacks["pooled"] += int(missing.sum())
            e[missing] = pooled_e
        return np.clip(e, *self.elasticity_range)
