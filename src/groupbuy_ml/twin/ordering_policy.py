"""Classic ordering policies per pickup point x product, on the platform's own sales records.

- :class:`LastWeekSales`: the naive practice of fresh retail -- order what sold on the same
  weekday a week before the day the goods will serve, 20% more when it sold out that day.
- :class:`BaseStock`: order up to ``S = mu_L + z sigma_L`` each day (Arrow, Harris & Marschak
  1951; Snyder & Shen 2019, "Fundamentals of Supply Chain Theory", 2nd ed., ch. 4), with the
  demand over the ``L`` protection days estimated from the last ``window`` days of sales and
  ``z`` the standard-normal quantile of the critical ratio.
- :class:`SsPolicy`: reorder when the inventory position falls to ``s`` (the base-stock level)
  and then order up to ``S = s + Q`` with ``Q`` the economic order quantity ``sqrt(2 K mu / h)``
  for a fixed cost ``K`` per order line (Scarf 1960; the EOQ + reorder-point approximation of
  Snyder & Shen, sec. 4.5), capped by what sells before the product spoils.

Costs per unit: underage ``price - unit_cost`` (the margin lost); overage :func:`overage_cost`
(a unit left over loses its cost if it spoils before it can sell, plus holding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from groupbuy_ml.twin.policies import OrderDecision
from groupbuy_ml.twin.state import PlatformState
from groupbuy_ml.twin.stock_projection import inventory_position


def overage_cost(unit_cost: np.ndarray, shelf_life: np.ndarray,
                 holding_rate: float = 0.02) -> np.ndarray:
    """Cost of one unit too many: its cost over the days it can wait (``cost / shelf_life``,
    the whole cost for a one-day product) plus ``holding_rate * cost``."""
    cost = np.asarray(unit_cost, np.float64)
    return cost / np.maximum(np.asarray(shelf_life, np.float64), 1.0) + holding_rate * cost


def critical_ratio(price: np.ndarray, unit_cost: np.ndarray, shelf_life: np.ndarray,
                   holding_rate: float = 0.02) -> np.ndarray:
    """``c_u / (c_u + c_o)`` (0 where the price does not cover the cost)."""
    under = np.clip(np.asarray(price, np.float64) - unit_cost, 0.0, None)
    over = overage_cost(unit_cost, shelf_life, holding_rate)
    return under / (under + over)


def normal_base_stock(mean: np.ndarray, sd: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """Newsvendor order-up-to level for normal demand: ``mean + sd * Phi^-1(ratio)``."""
    z = norm.ppf(np.clip(ratio, 1e-6, 1 - 1e-6))
    return np.clip(mean + np.asarray(sd) * z, 0.0, None)


def economic_order_quantity(fixed_cost: float, mean: np.ndarray, holding: np.ndarray
                            ) -> np.ndarray:
    """Harris (1913) EOQ ``sqrt(2 K mu / h)`` per period of demand ``mu``."""
    return np.sqrt(2.0 * fixed_cost * np.asarray(mean) / np.maximum(holding, 1e-12))


def _sales_stats(state: PlatformState, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd per (P, I) of accepted units over the last ``window`` offered days."""
    h = state.history
    units = h.accepted[-window:].astype(np.float64)
    seen = h.offered[-window:]
    n = np.maximum(seen.sum(axis=0), 1)
    mean = np.where(seen, units, 0).sum(axis=0) / n
    var = np.where(seen, (units - mean) ** 2, 0).sum(axis=0) / np.maximum(n - 1, 1)
    return mean, np.sqrt(var)


def _today_ratio(state: PlatformState, holding_rate: float) -> np.ndarray:
    price = state.today.price if state.today.price is not None else state.scheduled_price
    cat = state.catalogue
    return critical_ratio(price, cat["unit_cost"].to_numpy(), cat["shelf_life_days"].to_numpy(),
                          holding_rate)


def _offered(state: PlatformState) -> np.ndarray:
    return np.asarray(state.today.offered if state.today.offered is not None else state.live)


@dataclass(frozen=True)
class LastWeekSales:
    """Order last week's same-weekday sales of the day the goods serve (see the module).

    Non-perishables (shelf life > 7 days) order up to last week's sales over the lead time,
    net of the stock on hand and in transit; perishables order the day's quantity as is.
    """

    sold_out_bump: float = 0.2

    def order(self, state: PlatformState) -> OrderDecision:
        h = state.history
        n_p, n_i = state.shape
        lead = np.asarray(state.lead_time)
        days = len(h.dates)
        target_back = 7 - (lead - 1)  # days back from yesterday+1 to the target's last week
        idx = days - target_back  # index in history of (target - 7)
        ok = (idx >= 0) & (idx < days)
        cols = np.arange(n_i)
        q = np.zeros((n_p, n_i))
        if ok.any():
            rows = np.clip(idx, 0, max(days - 1, 0))
            sold = h.accepted[rows, :, cols].T.astype(np.float64)  # (P, I)
            out = h.sold_out[rows, :, cols].T
            q = np.where(ok[None, :], sold * np.where(out, 1.0 + self.sold_out_bump, 1.0), 0)
        shelf = state.catalogue["shelf_life_days"].to_numpy()
        keeps = shelf > 7
        if keeps.any() and days >= 7:
            week = h.accepted[-7:].astype(np.float64)
            cover = week.mean(axis=0) * lead[None, :] * (1.0 + self.sold_out_bump *
                                                          h.sold_out[-7:].mean(axis=0))
            q = np.where(keeps[None, :], np.maximum(cover - inventory_position(state), 0), q)
        return OrderDecision(np.ceil(q) * _offered(state))


@dataclass(frozen=True)
class BaseStock:
    """Order up to ``S = mu_L + z sigma_L`` (see the module); ``service_level`` overrides the
    critical ratio when given."""

    window: int = 28
    service_level: float | None = None
    holding_rate: float = 0.02

    def levels(self, state: PlatformState) -> np.ndarray:
        """(P, I) order-up-to levels over each product's lead time."""
        mean, sd = _sales_stats(state, self.window)
        lead = np.asarray(state.lead_time, np.float64)[None, :]
        ratio = np.full(state.shape, self.service_level) if self.service_level is not None \
            else _today_ratio(state, self.holding_rate)
        return normal_base_stock(mean * lead, sd * np.sqrt(lead), ratio)

    def order(self, state: PlatformState) -> OrderDecision:
        gap = self.levels(state) - inventory_position(state)
        return OrderDecision(np.ceil(np.clip(gap, 0, None)) * _offered(state))


@dataclass(frozen=True)
class SsPolicy:
    """(s, S): when the inventory position is at or below ``s`` order up to ``S = s + Q``."""

    window: int = 28
    fixed_cost: float = 2.0
    holding_rate: float = 0.02
    service_level: float | None = None

    def order(self, state: PlatformState) -> OrderDecision:
        mean, _ = _sales_stats(state, self.window)
        base = BaseStock(self.window, self.service_level, self.holding_rate)
        s = base.levels(state)
        cat = state.catalogue
        cost = cat["unit_cost"].to_numpy()
        shelf = cat["shelf_life_days"].to_numpy()
        holding = overage_cost(cost, shelf, self.holding_rate)[None, :]
        q = economic_order_quantity(self.fixed_cost, mean, holding)
        q = np.minimum(q, mean * np.maximum(shelf - 1, 1)[None, :])  # sells before it spoils
        big_s = s + q
        position = inventory_position(state)
        order = np.where(position <= s, np.clip(big_s - position, 0, None), 0.0)
        return OrderDecision(np.ceil(order) * _offered(state))
