"""Assortment policies for the twin's offer hook (:class:`~groupbuy_ml.twin.policies.
AssortmentPolicy`): what each pickup point offers (智能选品).

- :class:`TopSellers`: each point's ``max_products`` best sellers of the recent records.
- :class:`OptimisedAssortment`: per point, the CP-SAT assortment
  (:func:`~groupbuy_ml.selection.assortment.solve_assortment`) that maximises expected margin
  minus expected waste on forecast demand, under shelf slots, holding capacity, cold storage
  and a minimum variety.

Both forecast a cell's daily demand as its mean accepted units over the last ``window`` days it
was offered; a product a point has not offered recently gets the city's mean per offered point
(scaled by the point's households), and products launched fewer than ``launch_days`` ago are
always offered (they have no history to judge).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.selection.assortment import AssortmentProblem, solve_assortment
from groupbuy_ml.twin.state import PlatformState

__all__ = ["OptimisedAssortment", "TopSellers", "forecast_demand"]


def forecast_demand(state: PlatformState, window: int) -> np.ndarray:
    """(P, I) expected units per day (see module)."""
    h = state.history
    offered = np.asarray(h.offered[-window:])
    units = np.where(offered, h.accepted[-window:], 0).sum(axis=0)
    n = offered.sum(axis=0)
    own = units / np.maximum(n, 1)
    size = state.pickup_points["n_households"].to_numpy(np.float64)
    share = size / size.mean()
    per_point = units.sum(axis=0) / np.maximum(n.sum(axis=0), 1)
    return np.where(n > 0, own, per_point[None, :] * share[:, None])


def _new(state: PlatformState, launch_days: int) -> np.ndarray:
    launch = pd.to_datetime(state.catalogue["launch_date"])
    return ((state.date - launch).dt.days < launch_days).to_numpy()


@dataclass
class TopSellers:
    """Each pickup point offers its ``max_products`` highest forecast sellers (plus launches)."""

    max_products: int = 20
    window: int = 14
    launch_days: int = 14

    def __post_init__(self) -> None:
        if self.max_products < 1:
            raise ConfigError(f"max_products: {self.max_products}; an empty assortment "
                              "offers nothing; give at least 1")

    def offer(self, state: PlatformState) -> np.ndarray:
        live = np.asarray(state.live)
        q = np.where(live, forecast_demand(state, self.window), -np.inf)
        rank = np.argsort(np.argsort(-q, axis=1), axis=1)
        return live & ((rank < self.max_products) | _new(state, self.launch_days)[None, :])


@dataclass
class OptimisedAssortment:
    """CP-SAT assortment per pickup point (see module). Expected margin is forecast units x
    unit margin x the product's recent group formation rate (a group that fails sells
    nothing). Expected waste of a perishable product
    is ``waste_z * sqrt(cover_days * q)`` units at cost (the mean leftover of stocking the
    forecast under Poisson demand); volume is ``cover_days * q`` units; products of
    ``cold_categories`` share cold storage, ``cold_share`` of the point's ``capacity_units``.
    Group buys are city-wide, so after each of ``rounds`` solves a product whose chosen
    points' forecast participants fall short of its threshold is dropped everywhere and the
    points are solved again. ``capacity=False`` drops the holding and cold-storage limits
    (shelf slots and variety only). ``statuses`` counts solver outcomes
    (``relaxed``: the constraints could not all hold, a documented fallback)."""

    max_products: int = 20
    min_categories: int = 8
    cover_days: float = 1.0
    cold_share: float = 0.5
    cold_categories: tuple[str, ...] = ("meat", "seafood", "dairy", "frozen")
    waste_z: float = 0.4
    window: int = 14
    launch_days: int = 14
    refresh_days: int = 7
    rounds: int = 2
    capacity: bool = True
    statuses: dict[str, int] = field(default_factory=dict)
    _last: tuple[int, np.ndarray] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.max_products < 1:
            raise ConfigError(f"max_products: {self.max_products}; an empty assortment "
                              "offers nothing; give at least 1")
        if not 0 <= self.cold_share <= 1:
            raise ConfigError(f"cold_share: {self.cold_share}; a fraction in [0, 1]")

    def offer(self, state: PlatformState) -> np.ndarray:
        live = np.asarray(state.live)
        new = _new(state, self.launch_days)
        if self._last is not None and state.day - self._last[0] < self.refresh_days:
            return live & (self._last[1] | new[None, :])
        cat = state.catalogue
        q = forecast_demand(state, self.window)
        price = np.asarray(state.scheduled_price, np.float64)
        cost = cat["unit_cost"].to_numpy(np.float64)
        perishable = cat["perishable"].to_numpy(bool)
        capacity = state.pickup_points["capacity_units"].to_numpy(np.float64)
        if not self.capacity:  # shelf slots and variety only
            capacity = np.full_like(capacity, np.inf)
        categories = cat["category"].to_numpy()
        h = state.history
        launched = np.asarray(h.offered[-self.window:]).any(axis=1)  # (D, I)
        formed = np.asarray(h.formed[-self.window:])
        formed = formed.any(axis=1) if formed.ndim == 3 else formed
        p_form = np.where(launched.any(axis=0), (formed & launched).sum(axis=0)
                          / np.maximum(launched.sum(axis=0), 1), 1.0)
        threshold = cat["min_group_size"].to_numpy(np.float64)
        basket = cat["basket_qty"].to_numpy(np.float64)
        eligible = live.copy()
        for _ in range(self.rounds):
            chosen = np.zeros_like(live)
            for p in range(live.shape[0]):
                if not eligible[p].any():
                    continue
                waste = np.where(perishable, self.waste_z * np.sqrt(self.cover_days * q[p]),
                                 0.0)
                problem = AssortmentProblem(
                    value=q[p] * (price - cost) * p_form - waste * cost,
                    volume=self.cover_days * q[p],
                    cold=np.isin(categories, list(self.cold_categories)), category=categories,
                    eligible=eligible[p], must=new & live[p],
                    max_products=self.max_products, capacity=min(capacity[p], 1e12),
                    cold_capacity=min(self.cold_share * capacity[p], 1e12),
                    min_categories=self.min_categories)
                chosen[p], status = solve_assortment(problem)
                self.statuses[status] = self.statuses.get(status, 0) + 1
            # city-wide groups: a product chosen at too few points to reach its threshold
            # fails everywhere; drop it and let those points use the slots elsewhere
            participants = (chosen * q).sum(axis=0) / basket
            weak = chosen.any(axis=0) & (participants < threshold) & ~new
            if not weak.any():
                break
            eligible &= ~weak[None, :]
        self._last = (state.day, chosen)
        return live & chosen
