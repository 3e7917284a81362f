"""Where a pickup point's stock will stand when today's order arrives.

An order placed on the morning of day ``t`` for a product with lead time ``L`` reaches the pickup
point on the morning of ``t + L`` and is first sold on order day ``d = t + L - 1`` (households
order a day ahead). Until then the units on hand and in transit serve the days ``t .. d - 1``:
:func:`project_available` plays those days forward -- expected sales taken oldest first, lots
written off at the end of their shelf life, shipments added on their mornings -- and returns the
units that will still be there to sell on day ``d``: the carry-over an order-up-to policy nets.
"""

from __future__ import annotations

import numpy as np

from groupbuy_ml.twin.inventory import LotStock
from groupbuy_ml.twin.state import PlatformState


def project_available(state: PlatformState, sales: np.ndarray) -> np.ndarray:
    """(P, I) units available to sell on each product's first day ``d = t + L_i - 1``.

    Args:
        sales: (H, P, I) expected units sold on days ``t .. t + H - 1`` (H >= max lead - 1).
    """
    n_p, n_i = state.shape
    lead = np.asarray(state.lead_time, np.int64)
    horizon = int(lead.max(initial=1))
    stock = LotStock(n_p, state.point_stock.shelf_life, state.point_stock.units.shape[2] + horizon)
    k = state.point_stock.units.shape[2]
    stock.units[:, :, :k] = state.point_stock.units
    stock.arrived[:, :, :k] = state.point_stock.arrived
    out = np.zeros((n_p, n_i), np.int64)
    t = state.day
    for offset in range(horizon):
        day = t + offset
        # Availability for order day `day`: fresh lots on the morning after + that morning's vans.
        arriving = state.pipeline.point[offset + 1] if offset + 1 < len(state.pipeline.point) \
            else np.zeros((n_p, n_i), np.int64)
        stock.add(arriving, day + 1)
        stock.expire(day + 1)
        first_day = lead - 1 == offset
        out[:, first_day] = stock.on_hand[:, first_day]
        if offset < len(sales):
            stock.take(np.rint(sales[offset]).astype(np.int64))
    return out


def inventory_position(state: PlatformState) -> np.ndarray:
    """(P, I) units fresh tomorrow morning plus everything in transit to the pickup points."""
    return (state.point_stock.fresh_on(state.day + 1)
            + state.pipeline.point[1:].sum(axis=0))


def project_daily(state: PlatformState, sales: np.ndarray, horizon: int) -> np.ndarray:
    """(horizon, P, I) units available to sell on order days ``t .. t + horizon - 1`` from the
    stock on hand and in transit alone (today's order left out), playing the expected
    ``sales`` (>= horizon - 1 days of (P, I)) forward as :func:`project_available` does."""
    n_p, n_i = state.shape
    stock = LotStock(n_p, state.point_stock.shelf_life, state.point_stock.units.shape[2] + horizon)
    k = state.point_stock.units.shape[2]
    stock.units[:, :, :k] = state.point_stock.units
    stock.arrived[:, :, :k] = state.point_stock.arrived
    out = np.zeros((horizon, n_p, n_i), np.int64)
    for offset in range(horizon):
        day = state.day + offset
        if offset + 1 < len(state.pipeline.point):
            stock.add(state.pipeline.point[offset + 1], day + 1)
        stock.expire(day + 1)
        out[offset] = stock.on_hand
        if offset < len(sales):
            stock.take(np.rint(sales[offset]).astype(np.int64))
    return out
