"""The platform's KPIs, per day and per run, from what the closed loop recorded.

Per day (units unless noted): ``demand`` (what households asked for: truth), ``accepted`` (what
the platform took: the censored sales), ``lost`` (``demand - accepted``: sold out), ``delivered``
(handed out next morning: accepted, formed and not short-shipped), ``received`` (goods that
reached pickup points or the warehouse), ``spoiled`` (written off), and:

| KPI | definition |
|---|---|
| ``waste_rate`` (损耗率) | spoiled / received |
| ``fill_rate`` | (accepted - short-shipped) / demand |
| ``stockout_rate`` | share of (pickup point, product) cells with demand that lost some of it |
| ``formation_rate`` (成团率) | group buys formed / launched (a product offered anywhere) |
| ``gmv`` | delivered units x selling price, CNY |
| ``gross_margin`` | delivered x (price - unit cost) - spoiled x unit cost, CNY (after waste) |
| ``inventory_value`` | stock at cost at pickup points, the warehouse and on the vans, CNY |
| ``delivery_km``, ``vans`` | the morning's routes (when delivery routing is on) |

Per run: the sums and ratios over the scored days, ``inventory_turnover`` (周转率: cost of goods
delivered / mean inventory value, over the run) with ``days_of_inventory`` (days / turnover), and
``repeat_purchase_rate`` (复购率): among households that received something in a 30-day month,
the share that received goods on at least two different days of it (mean over months).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from groupbuy_ml.twin.engine import DayOutcome

DAY_COLUMNS = ("day", "date", "demand", "expected_demand", "accepted", "lost", "delivered",
               "short_shipped", "received", "spoiled", "ordered", "waste_rate", "fill_rate",
               "stockout_rate", "formation_rate", "groups_launched", "gmv", "cogs",
               "gross_margin", "lost_margin", "inventory_value", "delivery_km", "vans")


def day_kpis(day: DayOutcome, date: pd.Timestamp, price: np.ndarray, unit_cost: np.ndarray,
             basket_qty: np.ndarray, delivered: np.ndarray, short: np.ndarray) -> dict:
    """KPIs of order day ``day`` once its orders were collected (``delivered``, ``short``)."""
    m = day.morning
    demand = float(day.demand.sum())
    accepted = float(day.accepted.sum())
    lost_cells = day.demand > day.accepted
    has_demand = day.demand > 0
    formed = np.asarray(day.formed)
    launched = day.decisions.offered.any(axis=0)
    if formed.ndim == 1:
        n_formed, n_groups = int((formed & launched).sum()), int(launched.sum())
    else:
        n_formed = int((formed & day.decisions.offered).sum())
        n_groups = int(day.decisions.offered.sum())
    spoiled = float(m.spoiled.sum() + m.spoiled_warehouse.sum())
    spoiled_cost = float((m.spoiled * unit_cost).sum() + (m.spoiled_warehouse * unit_cost).sum())
    received = float(m.arrived.sum() + m.arrived_warehouse.sum())
    gmv = float((delivered * price).sum())
    cogs = float((delivered * unit_cost[None, :]).sum())
    lost_units = day.demand - day.accepted
    return {
        "day": day.t, "date": date, "demand": demand,
        "expected_demand": float((day.intensity.rate * basket_qty[None, :]).sum()),
        "accepted": accepted, "lost": demand - accepted, "delivered": float(delivered.sum()),
        "short_shipped": float(short.sum()), "received": received, "spoiled": spoiled,
        "ordered": float(day.ordered_point.sum() + day.ordered_warehouse.sum()),
        "waste_rate": spoiled / received if received else 0.0,
        "fill_rate": (accepted - float(short.sum())) / demand if demand else 1.0,
        "stockout_rate": float((lost_cells & has_demand).sum() / max(has_demand.sum(), 1)),
        "formation_rate": n_formed / n_groups if n_groups else 1.0,
        "groups_launched": n_groups, "gmv": gmv, "cogs": cogs,
        "gross_margin": gmv - cogs - spoiled_cost,
        "lost_margin": float((lost_units * np.clip(price - unit_cost[None, :], 0, None)).sum()),
        "inventory_value": day.stock_value, "delivery_km": np.nan, "vans": np.nan,
    }


def run_kpis(daily: pd.DataFrame, received_days: np.ndarray | None = None) -> dict[str, float]:
    """Run totals and ratios over the rows of ``daily`` (the scored days)."""
    if daily.empty:
        return {}
    s = daily.sum(numeric_only=True)
    mean_inventory = float(daily["inventory_value"].mean())
    turnover = float(s["cogs"] / mean_inventory) if mean_inventory > 0 else float("nan")
    out = {
        "days": float(len(daily)), "demand": float(s["demand"]), "accepted": float(s["accepted"]),
        "lost": float(s["lost"]), "delivered": float(s["delivered"]),
        "received": float(s["received"]), "spoiled": float(s["spoiled"]),
        "waste_rate": float(s["spoiled"] / s["received"]) if s["received"] else 0.0,
        "fill_rate": float((s["accepted"] - s["short_shipped"]) / s["demand"])
        if s["demand"] else 1.0,
        "stockout_rate": float(daily["stockout_rate"].mean()),
        "formation_rate": float((daily["formation_rate"] * daily["groups_launched"]).sum()
                                / max(daily["groups_launched"].sum(), 1)),
        "gmv": float(s["gmv"]), "gross_margin": float(s["gross_margin"]),
        "lost_margin": float(s["lost_margin"]),
        "inventory_turnover": turnover,
        "days_of_inventory": float(len(daily) / turnover) if turnover and turnover > 0
        else float("nan"),
        "delivery_km": float(daily["delivery_km"].sum()) if daily["delivery_km"].notna().any()
        else float("nan"),
    }
    return out


class RepeatTracker:
    """Days on which each household received goods, per 30-day month of the scored run."""

    def __init__(self, n_households: int, month_days: int = 30) -> None:
        self.n, self.month_days = n_households, month_days
        self.days_with = np.zeros(n_households, np.int64)
        self.rates: list[float] = []
        self._last_day = np.full(n_households, -1, np.int64)
        self._count = 0

    def add(self, day: int, households: np.ndarray) -> None:
        """Households that received anything from order day ``day`` (scored days in order)."""
        h = np.asarray(households, np.int64)
        new = self._last_day[h] != day
        self.days_with[h[new]] += 1
        self._last_day[h[new]] = day
        self._count += 1
        if self._count % self.month_days == 0:
            self._close()

    def _close(self) -> None:
        buyers = self.days_with > 0
        if buyers.any():
            self.rates.append(float((self.days_with >= 2).sum() / buyers.sum()))
        self.days_with[:] = 0

    def rate(self) -> float:
        """Mean monthly repeat-purchase rate (the months completed; a partial last month counts
        when at least half of it ran)."""
        rates = list(self.rates)
        if self._count % self.month_days >= self.month_days // 2:
            buyers = self.days_with > 0
            if buyers.any():
                rates.append(float((self.days_with >= 2).sum() / buyers.sum()))
        return float(np.mean(rates)) if rates else float("nan")
