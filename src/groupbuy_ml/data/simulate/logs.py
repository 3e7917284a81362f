"""Household-level events and orders for a logged day.

Every order instance already has its household, minute and quantity
(:meth:`~groupbuy_ml.data.simulate.world.MarketWorld.sample_orders`). The instances that stopped
earlier in the funnel (at the cart, the click or the view) get their households here, from the
same rates (Poisson superposition: an instance belongs to household ``h`` with probability
proportional to ``h``'s rate). An instance that reached depth ``d`` (1 view ... 4 order) yields
``d`` event rows, minutes apart; an order instance also yields one ``orders`` row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from groupbuy_ml.data.simulate.world import (
    STEP_MINUTES,
    STREAM_LOG,
    DayCounts,
    DayIntensity,
    DayOrders,
    MarketWorld,
    first_minutes,
)

EVENT_TYPES = ("view", "click", "cart", "order")
ORDER_STATUS = ("delivered", "cancelled_group_not_formed", "cancelled_short_shipped")


@dataclass(frozen=True)
class FunnelInstances:
    """Instances that did not order: (pickup point, product, household, depth 1..3)."""

    point: np.ndarray
    product: np.ndarray
    household: np.ndarray
    depth: np.ndarray


def sample_funnel(world: MarketWorld, day: DayIntensity, counts: DayCounts,
                  extra_carts: np.ndarray | None = None) -> FunnelInstances:
    """Households of the view-, click- and cart-only instances of a day.

    ``extra_carts`` (P, I) adds cart-only instances (the twin: demand that found the product
    sold out stops at the cart).
    """
    rng = np.random.default_rng([world.cfg.seed, STREAM_LOG, day.t])
    carts = counts.cart_only if extra_carts is None else counts.cart_only + extra_carts
    n_i = world.shape[1]
    parts = [(counts.view_only, 1), (counts.click_only, 2), (carts, 3)]
    cells = np.concatenate([np.repeat(np.arange(c.size), c.ravel()) for c, _ in parts])
    depth = np.concatenate([np.full(int(c.sum()), d, np.int8) for c, d in parts])
    point, product = np.divmod(cells, n_i)
    household = world.behaviour.assign(point, product, day.band_rate, rng, day.lift)
    return FunnelInstances(point, product, household, depth)


def log_frames(t: int, date: pd.Timestamp, funnel: FunnelInstances, orders: DayOrders,
               quantity: np.ndarray, status: np.ndarray, unit_price: np.ndarray,
               seed: int, cutoff_minute: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The day's ``events`` and ``orders`` rows.

    Args:
        orders: the order instances that were placed; ``quantity`` their units and ``status``
            their codes in :data:`ORDER_STATUS`.
        unit_price: (I,) or (P, I) selling price.
    """
    rng = np.random.default_rng([seed, STREAM_LOG, t, 1])
    n_f, n_o = len(funnel.point), len(orders.point)
    depth = np.concatenate([funnel.depth.astype(np.int64), np.full(n_o, 4)])
    point = np.concatenate([funnel.point, orders.point])
    product = np.concatenate([funnel.product, orders.product])
    household = np.concatenate([funnel.household, orders.household])
    rows = np.repeat(np.arange(n_f + n_o), depth)
    stage = np.arange(len(rows)) - np.repeat(np.cumsum(depth) - depth, depth)
    gap = np.where(stage > 0, rng.uniform(0.0, 1.0, len(rows))
                   * np.asarray((0.0, *STEP_MINUTES))[stage], 0.0)
    gap_cum = np.cumsum(gap)
    offset = gap_cum - np.repeat(gap_cum[np.cumsum(depth) - depth], depth)
    start = first_minutes(rng, n_f + n_o, cutoff_minute)
    # Orders keep their minute: their funnel is laid out backwards from it.
    last_offset = offset[np.cumsum(depth) - 1]
    start[n_f:] = orders.minute - last_offset[n_f:]
    minute = np.clip(start[rows] + offset, 0, cutoff_minute - 1).astype("int32")
    stamp = np.datetime64(date, "ns")
    events = pd.DataFrame({
        "date": np.full(len(rows), stamp),
        "minute": minute,
        "household_id": household[rows].astype("int32"),
        "pickup_point_id": point[rows].astype("int32"),
        "product_id": product[rows].astype("int32"),
        "event_type": pd.Categorical.from_codes(stage, EVENT_TYPES),
    })
    unit_price = np.asarray(unit_price)
    price = unit_price[orders.product] if unit_price.ndim == 1 \
        else unit_price[orders.point, orders.product]
    order_rows = pd.DataFrame({
        "order_id": t * 1_000_000_000 + np.arange(n_o, dtype="int64"),
        "date": np.full(n_o, stamp),
        "delivery_date": np.full(n_o, np.datetime64(date + pd.Timedelta(days=1), "ns")),
        "minute": orders.minute.astype("int32"),
        "household_id": orders.household.astype("int32"),
        "pickup_point_id": orders.point.astype("int32"),
        "product_id": orders.product.astype("int32"),
        "quantity": np.asarray(quantity).astype("int32"),
        "unit_price": price.astype("float32"),
        "status": pd.Categorical.from_codes(np.asarray(status, np.int8), ORDER_STATUS),
    })
    return events, order_rows
