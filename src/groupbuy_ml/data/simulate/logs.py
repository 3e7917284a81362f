"""Household-level events and orders for a sampled day.

Every funnel instance in a (pickup point, product) cell belongs to household ``h`` with
probability proportional to ``h``'s rate (Poisson superposition), drawn in two exact steps: first
the (price band, scene-tag combination) group by its summed rate, then the household inside the
group by its activity. An instance that reached depth ``d`` (1 view ... 4 order) yields ``d``
event rows; an order instance also yields one ``orders`` row, whose quantity is 1 plus its share
of the cell's extra units, spread uniformly (exact: independent Poisson counts with equal means
are multinomial given their sum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from groupbuy_ml.data.simulate.demand import DemandModel
from groupbuy_ml.data.simulate.sampler import STREAM_LOG, DayDraw

EVENT_TYPES = ("view", "click", "cart", "order")
STEP_MINUTES = (3.0, 10.0, 60.0)  # max gap view->click, click->cart, cart->order
CHUNK = 50_000


@dataclass(frozen=True)
class HouseholdIndex:
    """Households sorted by (pickup point, band, tag combination) with cumulative activity."""

    order: np.ndarray  # sorted position -> household_id
    group_start: np.ndarray  # (P * B * C,)
    group_count: np.ndarray
    cum_activity: np.ndarray  # cumulative activity in sorted order
    n_bands: int
    n_combos: int

    @classmethod
    def build(cls, point: np.ndarray, band: np.ndarray, combo: np.ndarray,
              activity: np.ndarray, n_points: int, n_bands: int, n_combos: int) -> HouseholdIndex:
        order = np.lexsort((combo, band, point))
        group = (point * n_bands + band) * n_combos + combo
        count = np.bincount(group, minlength=n_points * n_bands * n_combos)
        start = np.concatenate([[0], np.cumsum(count)[:-1]])
        return cls(order, start, count, np.cumsum(activity[order]), n_bands, n_combos)


def sample_logs(
    model: DemandModel, index: HouseholdIndex, draw: DayDraw, date: pd.Timestamp,
    price: np.ndarray, seed: int, cutoff_minute: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The day's ``events`` and ``orders`` rows."""
    rng = np.random.default_rng([seed, STREAM_LOG, draw.t])
    n_points, n_products = draw.orders.shape
    depth_counts = [draw.view_only, draw.click_only, draw.cart_only, draw.orders]
    cells = np.concatenate([np.repeat(np.arange(n_points * n_products), c.ravel())
                            for c in depth_counts])
    depth = np.concatenate([np.full(int(c.sum()), d + 1) for d, c in enumerate(depth_counts)])
    point, product = np.divmod(cells, n_products)
    household = _households(model, index, draw.t, point, product, rng)

    minute0 = _first_minutes(rng, len(cells), cutoff_minute)
    rows = np.repeat(np.arange(len(cells)), depth)
    stage = np.arange(len(rows)) - np.repeat(np.cumsum(depth) - depth, depth)
    gap = np.where(stage > 0, rng.uniform(0.0, 1.0, len(rows)) *
                   np.asarray((0.0, *STEP_MINUTES))[stage], 0.0)
    gap_cum = np.cumsum(gap)
    minute = minute0[rows] + gap_cum - np.repeat(gap_cum[np.cumsum(depth) - depth], depth)
    minute = np.minimum(minute, cutoff_minute - 1).astype("int32")
    events = pd.DataFrame({
        "date": np.full(len(rows), np.datetime64(date, "ns")),
        "minute": minute,
        "household_id": household[rows].astype("int32"),
        "pickup_point_id": point[rows].astype("int32"),
        "product_id": product[rows].astype("int32"),
        "event_type": pd.Categorical.from_codes(stage, EVENT_TYPES),
    })

    is_order = depth == 4
    order_cells = cells[is_order]
    quantity = 1 + _spread_extra_units(rng, order_cells, draw.extra_units.ravel())
    formed = draw.formed[product[is_order]]
    orders = pd.DataFrame({
        "order_id": draw.t * 1_000_000_000 + np.arange(len(order_cells), dtype="int64"),
        "date": np.full(len(order_cells), np.datetime64(date, "ns")),
        "delivery_date": np.full(len(order_cells), np.datetime64(date + pd.Timedelta(days=1),
                                                                  "ns")),
        "minute": minute[np.flatnonzero(stage == 3)],
        "household_id": household[is_order].astype("int32"),
        "pickup_point_id": point[is_order].astype("int32"),
        "product_id": product[is_order].astype("int32"),
        "quantity": quantity.astype("int32"),
        "unit_price": price[product[is_order]].astype("float32"),
        "status": pd.Categorical(np.where(formed, "delivered", "cancelled_group_not_formed"),
                                 categories=["delivered", "cancelled_group_not_formed"]),
    })
    return events, orders


def _households(model: DemandModel, index: HouseholdIndex, t: int, point: np.ndarray,
                product: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(len(point), dtype=np.int64)
    band_price = model.band_price_factor(t)  # (B, I)
    for lo in range(0, len(point), CHUNK):
        p, i = point[lo:lo + CHUNK], product[lo:lo + CHUNK]
        w = (band_price[:, i].T[:, :, None] * model.group_weight[p]
             * model.combo_lift[:, i].T[:, None, :]).reshape(len(p), -1)
        cum = np.cumsum(w, axis=1)
        u = rng.uniform(size=len(p)) * cum[:, -1]
        pick = np.minimum((cum <= u[:, None]).sum(axis=1), w.shape[1] - 1)
        group = p * index.n_bands * index.n_combos + pick
        start, count = index.group_start[group], index.group_count[group]
        before = np.where(start > 0, index.cum_activity[np.maximum(start - 1, 0)], 0.0)
        last = index.cum_activity[start + count - 1]
        pos = np.searchsorted(index.cum_activity, before + rng.uniform(size=len(p)) *
                              (last - before), side="right")
        out[lo:lo + CHUNK] = index.order[np.clip(pos, start, start + count - 1)]
    return out


def _first_minutes(rng: np.random.Generator, n: int, cutoff: int) -> np.ndarray:
    lunch = rng.uniform(size=n) < 0.4
    m = np.where(lunch, rng.normal(12.5 * 60, 60, n), rng.normal(20.5 * 60, 90, n))
    return np.clip(m, 6 * 60, cutoff - 75)


def _spread_extra_units(rng: np.random.Generator, order_cells: np.ndarray,
                        extra_per_cell: np.ndarray) -> np.ndarray:
    """Extra units of each cell assigned uniformly to that cell's orders (contiguous rows)."""
    if len(order_cells) == 0:
        return np.zeros(0, dtype=np.int64)
    cells, first, n_orders = np.unique(order_cells, return_index=True, return_counts=True)
    extra = extra_per_cell[cells]
    owner_first = np.repeat(first, extra)
    owner_n = np.repeat(n_orders, extra)
    owner = owner_first + np.floor(rng.uniform(size=len(owner_first)) * owner_n).astype(np.int64)
    return np.bincount(owner, minlength=len(order_cells))
