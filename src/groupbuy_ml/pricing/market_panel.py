"""Sales panels for elasticity estimation from a simulated market's order logs, and the truth.

:func:`segment_panel` turns the ``orders`` log (one row per order, with its household) into
units per (date, product, price-sensitivity segment) over the whole city, zeros included from
each product's launch onwards, joined with the price schedule and the calendar. The simulator's
documented truth (:mod:`groupbuy_ml.data.simulate.demand`) is that a household of band ``b``
responds to price with elasticity ``elasticity_i * beta_b``; :func:`true_elasticities` reads it
from the market's ``products`` table and :data:`~groupbuy_ml.data.simulate.catalog.
PRICE_SENSITIVITY_BANDS` (read-only: nothing in the simulator changes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from groupbuy_ml.data.simulate.catalog import PRICE_SENSITIVITY_BANDS
from groupbuy_ml.errors import InputNotFoundError

__all__ = ["load_market", "segment_panel", "true_elasticities"]

TABLES = ("orders", "households", "products", "prices", "calendar")


def load_market(market_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of a simulated market folder that elasticity estimation needs."""
    root = Path(market_dir)
    out = {}
    for name in TABLES:
        path = root / name if (root / name).is_dir() else root / f"{name}.parquet"
        if not path.exists():
            raise InputNotFoundError(f"market_dir: {path} is missing; simulate a market with "
                                     "`groupbuy simulate` (event logs on) first")
        out[name] = pd.read_parquet(path)
    return out


def segment_panel(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Units per (date, product, segment), zeros included, with ``price, promo, discount``,
    the calendar's controls and ``category``."""
    orders, households = tables["orders"], tables["households"]
    products, prices, calendar = tables["products"], tables["prices"], tables["calendar"]
    band = households.set_index("household_id")["price_sensitivity"]
    o = orders[["date", "product_id", "household_id", "quantity"]].copy()
    o["segment"] = band.reindex(o["household_id"]).to_numpy()
    units = o.groupby(["date", "product_id", "segment"], observed=True)["quantity"].sum()
    dates = pd.DatetimeIndex(sorted(o["date"].unique()))
    segments = list(PRICE_SENSITIVITY_BANDS)
    grid = pd.MultiIndex.from_product([dates, products["product_id"], segments],
                                      names=["date", "product_id", "segment"])
    panel = units.reindex(grid, fill_value=0).rename("units").reset_index()
    launch = products.set_index("product_id")["launch_date"]
    panel = panel[panel["date"] >= launch.reindex(panel["product_id"]).to_numpy()]
    panel = panel.merge(prices[["date", "product_id", "price", "promo", "discount"]],
                        on=["date", "product_id"], how="left")
    cal = calendar[["date", "is_holiday", "pre_holiday", "temperature_c", "rain_mm"]]
    panel = panel.merge(cal, on="date", how="left")
    panel["category"] = products.set_index("product_id")["category"].reindex(
        panel["product_id"]).to_numpy()
    for c in ("is_holiday", "pre_holiday", "promo"):
        panel[c] = panel[c].astype(np.int8)
    panel["units"] = panel["units"].astype(np.float64)
    return panel.reset_index(drop=True)


def true_elasticities(products: pd.DataFrame) -> pd.DataFrame:
    """The simulator's true own-price elasticity per (product, segment):
    ``elasticity_i * beta_segment``, with the product's category."""
    rows = [products[["product_id", "category", "elasticity"]].assign(
        segment=seg, true_elasticity=products["elasticity"] * beta)
        for seg, beta in PRICE_SENSITIVITY_BANDS.items()]
    return pd.concat(rows, ignore_index=True).drop(columns="elasticity")
