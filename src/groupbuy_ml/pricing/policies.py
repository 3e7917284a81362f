"""Pricing policies for the twin's price hook (:class:`~groupbuy_ml.twin.policies.
PricingPolicy`): one object, one method, ``price(state) -> (P, I) CNY``.

- :class:`NearExpiryMarkdown`: the schedule, with a markdown where stock is about to expire.
- :class:`~groupbuy_ml.pricing.optimiser.ElasticityOptimiser`: estimated elasticity (from the
  platform's own records) x a demand forecast -> the margin-maximising price on a grid within
  bounds (stock that would spoil counts as sunk cost).
- :class:`ThompsonGrid`: learns each product's best price online, Thompson sampling over a price
  grid (Thompson 1933; Russo et al. 2018, "A Tutorial on Thompson Sampling").
- :class:`~groupbuy_ml.pricing.oracle.OraclePrice` (truth; the bound only).

The list price is the twin's own :class:`~groupbuy_ml.twin.pricing_policy.ListPrice`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.twin.state import PlatformState, StockView

__all__ = ["NearExpiryMarkdown", "ThompsonGrid", "near_expiry_units",
           "price_grid"]


def check_bounds(bounds: Sequence[float], field_name: str = "bounds") -> tuple[float, float]:
    """``(low, high)`` multiples of the list price; a clear error when inverted or <= 0."""
    low, high = (float(b) for b in bounds)
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0:
        raise ConfigError(f"{field_name}: ({low}, {high}) must be finite multiples of the "
                          "list price > 0")
    if low > high:
        raise ConfigError(f"{field_name}: low {low} > high {high}; give (low, high)")
    return low, high


def price_grid(bounds: Sequence[float], points: int) -> np.ndarray:
    """``points`` multiples of the list price from low to high (inclusive)."""
    low, high = check_bounds(bounds)
    if points < 1:
        raise ConfigError(f"grid_points: {points}; need at least 1")
    return np.linspace(low, high, points) if points > 1 else np.array([low])


def near_expiry_units(stock: StockView, today: int, days_left: int) -> np.ndarray:
    """(P, I) units that today's orders can still take but that expire within ``days_left``
    order days (a lot that arrived on day ``a`` serves orders up to day ``a + shelf - 2``:
    orders are collected the next morning)."""
    expiry = np.where(stock.arrived >= 0, stock.arrived + stock.shelf_life[None, :, None], -1)
    near = (expiry > today + 1) & (expiry <= today + 1 + days_left)
    return np.where(near, stock.units, 0).sum(axis=2)


@dataclass(frozen=True)
class NearExpiryMarkdown:
    """The scheduled price, cut by ``depth`` at every pickup point that holds at least
    ``min_units`` units expiring within ``days_left`` order days (the rule-based markdown of
    near-expiry stock, 临期折扣)."""

    depth: float = 0.3
    days_left: int = 1
    min_units: int = 1

    def __post_init__(self) -> None:
        if not 0 < self.depth < 1:
            raise ConfigError(f"depth: {self.depth}; a markdown is a fraction in (0, 1)")
        if self.days_left < 1:
            raise ConfigError(f"days_left: {self.days_left}; need >= 1")

    def price(self, state: PlatformState) -> np.ndarray:
        base = np.broadcast_to(np.asarray(state.scheduled_price, np.float64), state.shape)
        near = near_expiry_units(state.point_stock, state.day, self.days_left)
        return np.where(near >= self.min_units, base * (1.0 - self.depth), base)


@dataclass
class ThompsonGrid:
    """Thompson sampling over a price grid, one bandit per product: each arm's reward is the
    day's city-wide margin of the units delivered (``(price - unit cost) x delivered``), its
    posterior Normal with the arm's sample mean and ``sd / sqrt(n)`` (the sd pooled over the
    product's arms); an arm not tried yet is tried first. Yesterday's reward is read from the
    records each morning."""

    bounds: tuple[float, float] = (0.8, 1.3)
    grid_points: int = 6
    seed: int = 0
    n: np.ndarray | None = field(default=None, repr=False)
    total: np.ndarray | None = field(default=None, repr=False)
    total_sq: np.ndarray | None = field(default=None, repr=False)
    _last: tuple[int, np.ndarray] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.grid = price_grid(self.bounds, self.grid_points)
        self.rng = np.random.default_rng(self.seed)

    def price(self, state: PlatformState) -> np.ndarray:
        n_i, k = state.shape[1], len(self.grid)
        if self.n is None:
            self.n, self.total, self.total_sq = (np.zeros((n_i, k)) for _ in range(3))
        cost = state.catalogue["unit_cost"].to_numpy(np.float64)
        h = state.history
        if self._last is not None and self._last[0] == state.day - 1 and len(h.dates):
            reward = ((h.price[-1] - cost[None, :]) * h.delivered[-1]).sum(axis=0)
            arm, launched = self._last[1], h.offered[-1].any(axis=0)
            rows = np.flatnonzero(launched)
            self.n[rows, arm[rows]] += 1
            self.total[rows, arm[rows]] += reward[rows]
            self.total_sq[rows, arm[rows]] += reward[rows] ** 2
        n = np.maximum(self.n, 1)
        mean = self.total / n
        resid = (self.total_sq - self.total ** 2 / n).sum(axis=1)
        dof = np.maximum(self.n.sum(axis=1) - k, 1)
        sd = np.sqrt(np.maximum(resid / dof, 1e-9))[:, None]
        draw = mean + sd / np.sqrt(n) * self.rng.standard_normal((n_i, k))
        draw = np.where(self.n == 0, np.inf, draw)
        draw += self.rng.uniform(0, 1e-9, draw.shape)  # random order among untried arms
        arm = draw.argmax(axis=1)
        self._last = (state.day, arm)
        lst = np.asarray(state.list_price, np.float64)
        return np.broadcast_to(self.grid[arm] * lst, state.shape).copy()
