"""Prices and promotions per product and day (platform-wide, known one day ahead).

Fresh products (farm suppliers) re-price weekly with the wholesale market: the regular price is the
list price times ``exp(N(0, 0.06))`` per week. Promotion episodes arrive as a Poisson process
(``promo_rate_per_30_days``, three times as often around shopping festivals and before holidays),
last 1-3 days and cut the price by 10-40% in 5% steps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from groupbuy_ml.data.simulate.config import MarketConfig


def build_prices(
    cfg: MarketConfig, products: pd.DataFrame, suppliers: pd.DataFrame, calendar: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Long table (date, product_id, regular_price, price, discount, promo)."""
    n_days, n_prod = cfg.n_days, len(products)
    kind = suppliers.set_index("supplier_id").loc[products["supplier_id"], "kind"].to_numpy()
    weeks = np.arange(n_days) // 7
    weekly = np.exp(rng.normal(0.0, 0.06, (weeks[-1] + 1, n_prod)))[weeks]
    weekly[:, kind != "farm"] = 1.0
    regular = products["base_price"].to_numpy()[None, :] * weekly

    hot = (calendar["shopping_festival"] != "") | calendar["pre_holiday"] | calendar["is_holiday"]
    rate = cfg.promo_rate_per_30_days / 30.0 * np.where(hot.to_numpy(), 3.0, 1.0)
    starts = rng.uniform(size=(n_days, n_prod)) < rate[:, None]
    length = rng.integers(1, 4, (n_days, n_prod))
    depth = rng.choice(np.arange(0.10, 0.401, 0.05), (n_days, n_prod))
    discount = np.zeros((n_days, n_prod))
    for t, i in zip(*np.nonzero(starts), strict=True):
        span = slice(t, min(n_days, t + length[t, i]))
        discount[span, i] = np.maximum(discount[span, i], depth[t, i])
    discount = np.round(discount, 2)
    price = np.maximum(0.1, np.round(regular * (1.0 - discount), 1))
    return pd.DataFrame({
        "date": np.repeat(calendar["date"].to_numpy(), n_prod),
        "product_id": np.tile(products["product_id"].to_numpy(), n_days),
        "regular_price": np.round(regular, 1).ravel(),
        "price": price.ravel(),
        "discount": discount.ravel(),
        "promo": (discount > 0).ravel().astype("int8"),
    })
