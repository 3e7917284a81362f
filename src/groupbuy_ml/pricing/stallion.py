"""The Stallion beverage panel (real monthly prices, promotions and volumes) for elasticity.

Stallion (the pytorch-forecasting TFT tutorial data, ``../shared/data/stallion``) has 350
agency x SKU series over 60 months with ``price_actual``, ``discount``, temperature and event
flags. There are no household segments; the agencies' household income (``avg_yearly_household_
income_2017``) split into terciles stands in for a price-sensitivity segment. Rows whose actual
price is <= 0 (no regular price recorded, or a discount above it: 2,579 of the 21,000 rows) are
dropped and counted, never repaired.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from groupbuy_ml.errors import InputNotFoundError

__all__ = ["EVENTS", "stallion_panel"]

EVENTS = ("easter_day", "good_friday", "new_year", "christmas", "labor_day", "independence_day",
          "revolution_day_memorial", "regional_games", "fifa_u_17_world_cup",
          "football_gold_cup", "beer_capital", "music_fest")


def stallion_panel(path: str | Path) -> tuple[pd.DataFrame, int]:
    """``(panel, dropped)``: rows ``date, location_id (agency), product_id (SKU), segment
    (income tercile: low / medium / high), units, price, promo (discount > 0), discount,
    is_holiday (any event in the month), temperature_c``; ``dropped`` rows had price <= 0."""
    path = Path(path)
    if path.is_dir():
        path = path / "stallion.parquet"
    if not path.exists():
        raise InputNotFoundError(f"stallion: {path} is missing; point data_root at the shared "
                                 "data folder (../shared/data)")
    raw = pd.read_parquet(path)
    income = raw.groupby("agency", observed=True)["avg_yearly_household_income_2017"].first()
    tercile = pd.qcut(income.rank(method="first"), 3, labels=["low", "medium", "high"])
    frame = pd.DataFrame({
        "date": pd.to_datetime(raw["date"]),
        "location_id": raw["agency"].astype(str),
        "product_id": raw["sku"].astype(str),
        "segment": tercile.reindex(raw["agency"]).astype(str).to_numpy(),
        "units": raw["volume"].clip(lower=0).astype(np.float64),
        "price": raw["price_actual"].astype(np.float64),
        "discount": (raw["discount_in_percent"] / 100.0).astype(np.float64),
        "promo": (raw["discount"] > 0).astype(np.int8),
        "is_holiday": (raw[list(EVENTS)].sum(axis=1) > 0).astype(np.int8),
        "temperature_c": raw["avg_max_temp"].astype(np.float64),
    })
    ok = np.isfinite(frame["price"]) & (frame["price"] > 0)
    return frame[ok].reset_index(drop=True), int((~ok).sum())
