"""Stallion beverage demand (pytorch-forecasting TFT tutorial data) as a demand panel.

Monthly sales volume of 350 agency x SKU series (58 agencies, 25 SKUs), 2013-01 .. 2017-12
(21,000 rows), with prices, weather, demographics and holiday/event flags. Source:
``sktime/pytorch-forecasting:examples/data/stallion.parquet`` (MIT repository), originally the
Kaggle dataset "Stallion" (``utathya/future-volume-prediction``); tutorial "Demand forecasting with
the Temporal Fusion Transformer". See ``data/cards/stallion.md``.

Mapping into :data:`~groupbuy_ml.data.schemas.demand_panel_schema`:

| panel column | from | conversion |
|---|---|---|
| ``location_id`` | ``agency`` | category -> str |
| ``product_id`` | ``sku`` | category -> str |
| ``date`` | ``date`` | datetime64[ms] -> datetime64[ns] (exact), first day of the month |
| ``units`` | ``volume`` | float64 as is |
| ``price`` | ``price_actual`` | NaN where ``price_actual <= 0`` (2,579 rows); raw column kept |
| ``temperature_c`` | ``avg_max_temp`` | renamed (average daily maximum, deg C) |
| ``discount_amount`` | ``discount`` | renamed: an amount of money, not the panel's fraction |

Not mapped, on purpose: ``discount`` (``discount_in_percent / 100`` reaches 2.27 on one row, and
the raw amount is ``|price_regular - price_actual|``, so price rises count as discounts), ``promo``
(no promotion flag exists and the discount is not a reliable proxy) and ``is_holiday`` (the flags
are month-level and event-specific: use :data:`EVENT_COLUMNS`). Every other column is kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from groupbuy_ml.data.loaders import conversions
from groupbuy_ml.data.loaders.paths import dataset_dir, require_file
from groupbuy_ml.data.schemas import demand_panel_schema
from groupbuy_ml.data.validation import validate

#: Month-level 0/1 flags of special days and events, kept under their original names.
EVENT_COLUMNS = [
    "easter_day",
    "good_friday",
    "new_year",
    "christmas",
    "labor_day",
    "independence_day",
    "revolution_day_memorial",
    "regional_games",
    "fifa_u_17_world_cup",
    "football_gold_cup",
    "beer_capital",
    "music_fest",
]
#: Static agency demographics.
STATIC_COLUMNS = ["avg_population_2017", "avg_yearly_household_income_2017"]

_RENAMED = {
    "agency": "location_id",
    "sku": "product_id",
    "volume": "units",
    "avg_max_temp": "temperature_c",
    "discount": "discount_amount",
}
_NUMERIC = [
    "volume",
    "industry_volume",
    "soda_volume",
    "avg_max_temp",
    "price_regular",
    "price_actual",
    "discount",
    "discount_in_percent",
    "timeseries",
    *STATIC_COLUMNS,
]
_ORDER = ["location_id", "product_id", "date", "units", "price", "temperature_c"]


def load_stallion(root: Path | str | None = None) -> pd.DataFrame:
    """Load ``stallion.parquet`` as a validated monthly demand panel.

    Args:
        root: folder holding ``stallion.parquet``; defaults to ``shared_data_dir() / "stallion"``.

    Returns:
        21,000 rows (350 series x 60 months) sorted by (``location_id``, ``product_id``, ``date``):
        the mapped panel columns first, then every raw column not mapped (``price_actual``,
        ``price_regular``, ``discount_amount``, ``discount_in_percent``, ``industry_volume``,
        ``soda_volume``, ``timeseries``, the event flags and the static demographics).

    Raises:
        DataValidationError: a column is missing or has the wrong kind of values.
    """
    path = require_file(dataset_dir("stallion", root), "stallion.parquet")
    raw = pd.read_parquet(path).reset_index(drop=True)  # rows are reported by file position
    _check_raw(raw, path)
    frame = raw.rename(columns=_RENAMED)
    frame["location_id"] = raw["agency"].astype(str)
    frame["product_id"] = raw["sku"].astype(str)
    frame["date"] = raw["date"].astype("datetime64[ns]")
    frame["units"] = raw["volume"].astype("float64")
    frame["price"] = raw["price_actual"].where(raw["price_actual"] > 0, np.nan).astype("float64")
    rest = [c for c in frame.columns if c not in _ORDER]
    frame = frame[_ORDER + rest].sort_values(["location_id", "product_id", "date"])
    return validate(frame.reset_index(drop=True), demand_panel_schema, source=path)


def _check_raw(raw: pd.DataFrame, path: Path) -> None:
    """Name missing columns and non-numeric / non-flag columns before anything is mapped."""
    expected = ["agency", "sku", "date", *_NUMERIC, *EVENT_COLUMNS]
    empty = pd.Series([], dtype=object)
    problems: list[dict | None] = [
        conversions.problem(c, f"a column named {c!r} (it is missing)", empty)
        for c in expected
        if c not in raw.columns
    ]
    if problems:
        conversions.raise_if_any(path, problems)
    if not pd.api.types.is_datetime64_dtype(raw["date"]):
        problems.append(conversions.problem("date", "a datetime column", raw["date"].head(3)))
    for column in _NUMERIC:
        values = raw[column]
        if not pd.api.types.is_numeric_dtype(values) or values.isna().any():
            bad = values[values.isna()] if values.isna().any() else values.head(3)
            problems.append(conversions.problem(column, "numbers, no missing values", bad))
    for column in EVENT_COLUMNS:
        bad = raw[column][~raw[column].isin([0, 1])]
        if len(bad):
            problems.append(conversions.problem(column, "0/1 flags", bad))
    conversions.raise_if_any(path, problems)
