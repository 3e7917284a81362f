"""One day of the market: the behaviour funnel, group formation and the per-point aggregate.

Per (pickup point, product) the day's orders (participating households) are Poisson with the
ground-truth intensity. The funnel is a thinning: households that stopped at the cart, at the
click or at the view are independent Poisson counts with rates ``lambda (1/p - 1)`` for the
conversion rates in :data:`~.catalog.CONVERSION`. Each order has ``1 + Poisson(basket_qty - 1)``
units. A group buy (成团) of a product forms on a day only when its participants across the city
reach the product's ``min_group_size`` before the cut-off; otherwise every order of it is
cancelled and nothing is delivered. Formed orders are delivered to the pickup point next morning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from groupbuy_ml.data.simulate.catalog import CONVERSION
from groupbuy_ml.data.simulate.demand import DemandModel

STREAM_DAY, STREAM_LOG = 1, 2
"""Independent random streams: aggregates never depend on whether household logs are written."""


@dataclass(frozen=True)
class DayDraw:
    """The sampled counts of one day on the full (pickup point x product) grid."""

    t: int
    band_intensity: np.ndarray  # (B, P, I)
    orders: np.ndarray  # (P, I) participating households
    cart_only: np.ndarray
    click_only: np.ndarray
    view_only: np.ndarray
    extra_units: np.ndarray  # (P, I) units beyond one per order
    formed: np.ndarray  # (I,) group buy formed city-wide
    active: np.ndarray  # (P, I) point open and product launched


def sample_day(model: DemandModel, t: int, seed: int, affinity: np.ndarray) -> DayDraw:
    """Draw day ``t`` from its own seeded stream (independent of chunking and workers)."""
    rng = np.random.default_rng([seed, STREAM_DAY, t])
    band_lam = model.intensity(t, affinity)
    lam = band_lam.sum(axis=0)
    p_click, p_cart, p_order = (CONVERSION[k] for k in ("view_to_click", "click_to_cart",
                                                          "cart_to_order"))
    orders = rng.poisson(lam)
    cart_only = rng.poisson(lam * (1 / p_order - 1))
    click_only = rng.poisson(lam / p_order * (1 / p_cart - 1))
    view_only = rng.poisson(lam / (p_order * p_cart) * (1 / p_click - 1))
    extra = rng.poisson(orders * (model.basket_qty - 1.0)[None, :])
    formed = orders.sum(axis=0) >= model.min_participants
    active = (model.point_factor[t] > 0)[:, None] & (model.day_factor[t] > 0)[None, :]
    return DayDraw(t, band_lam, orders, cart_only, click_only, view_only, extra, formed, active)


def daily_demand_frame(
    draw: DayDraw, date: pd.Timestamp, price: np.ndarray, discount: np.ndarray,
    basket_qty: np.ndarray,
) -> pd.DataFrame:
    """The day's rows of ``daily_demand`` (active cells only), ordered by point then product."""
    p_idx, i_idx = np.nonzero(draw.active)
    orders = draw.orders[p_idx, i_idx]
    carts = orders + draw.cart_only[p_idx, i_idx]
    clicks = carts + draw.click_only[p_idx, i_idx]
    units_ordered = orders + draw.extra_units[p_idx, i_idx]
    formed = draw.formed[i_idx]
    lam = draw.band_intensity.sum(axis=0)[p_idx, i_idx]
    return pd.DataFrame({
        "date": np.full(len(p_idx), np.datetime64(date, "ns")),
        "pickup_point_id": p_idx.astype("int32"),
        "product_id": i_idx.astype("int32"),
        "price": price[i_idx].astype("float32"),
        "discount": discount[i_idx].astype("float32"),
        "promo": (discount[i_idx] > 0).astype("int8"),
        "views": (clicks + draw.view_only[p_idx, i_idx]).astype("int32"),
        "clicks": clicks.astype("int32"),
        "carts": carts.astype("int32"),
        "orders": orders.astype("int32"),
        "units_ordered": units_ordered.astype("int32"),
        "group_formed": formed,
        "units": np.where(formed, units_ordered, 0).astype("int32"),
        "expected_units": (lam * basket_qty[i_idx]).astype("float32"),
    })
