"""The per-(pickup point, product) rows of a day: ``daily_demand``.

Per (pickup point, product) the day's orders (participating households) are Poisson with the
ground-truth intensity (:mod:`~groupbuy_ml.data.simulate.world`). The funnel is a thinning:
households that stopped at the cart, at the click or at the view are independent Poisson counts
with rates ``lambda (1/p - 1)`` for the conversion rates in :data:`~.catalog.CONVERSION`. Each
order has ``1 + Poisson(basket_qty - 1)`` units. A group buy (成团) of a product forms on a day
only when its participants across the city reach the product's ``min_group_size`` before the
cut-off; otherwise every order of it is cancelled and nothing is delivered. Formed orders are
delivered to the pickup point next morning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def group_formed(participants: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Formation per group buy: ``threshold`` (I,) is one city-wide group per product (returns
    (I,) bool); (P, I) is one group per pickup point and product (returns (P, I))."""
    threshold = np.asarray(threshold)
    if threshold.ndim == 1:
        return participants.sum(axis=0) >= threshold
    return participants >= threshold


def daily_demand_frame(
    date: pd.Timestamp, active: np.ndarray, rate: np.ndarray, orders: np.ndarray,
    cart_only: np.ndarray, click_only: np.ndarray, view_only: np.ndarray,
    units_ordered: np.ndarray, formed: np.ndarray, units: np.ndarray, price: np.ndarray,
    discount: np.ndarray, basket_qty: np.ndarray,
) -> pd.DataFrame:
    """The day's rows of ``daily_demand`` (``active`` cells only), ordered by point then product.

    ``orders`` are the participating households, ``units_ordered`` the units asked for,
    ``units`` those delivered next morning, ``formed`` (I,) or (P, I) the group outcome and
    ``rate`` (P, I) the expected participants (``expected_units = rate * basket_qty``);
    ``price`` and ``discount`` are (I,) or (P, I).
    """
    p_idx, i_idx = np.nonzero(active)
    n_orders = orders[p_idx, i_idx]
    carts = n_orders + cart_only[p_idx, i_idx]
    clicks = carts + click_only[p_idx, i_idx]
    formed = np.asarray(formed)
    formed_rows = formed[i_idx] if formed.ndim == 1 else formed[p_idx, i_idx]
    price = np.broadcast_to(price, active.shape)[p_idx, i_idx]
    discount = np.broadcast_to(discount, active.shape)[p_idx, i_idx]
    return pd.DataFrame({
        "date": np.full(len(p_idx), np.datetime64(date, "ns")),
        "pickup_point_id": p_idx.astype("int32"),
        "product_id": i_idx.astype("int32"),
        "price": price.astype("float32"),
        "discount": discount.astype("float32"),
        "promo": (discount > 0).astype("int8"),
        "views": (clicks + view_only[p_idx, i_idx]).astype("int32"),
        "clicks": clicks.astype("int32"),
        "carts": carts.astype("int32"),
        "orders": n_orders.astype("int32"),
        "units_ordered": units_ordered[p_idx, i_idx].astype("int32"),
        "group_formed": formed_rows.astype(bool),
        "units": units[p_idx, i_idx].astype("int32"),
        "expected_units": (rate[p_idx, i_idx] * basket_qty[i_idx]).astype("float32"),
    })
