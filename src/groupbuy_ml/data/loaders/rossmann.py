"""Rossmann Store Sales (Kaggle, 2015) as a demand panel.

Real daily sales of 1,115 German Rossmann drug stores, 2013-01-01 .. 2015-07-31 (942 days,
1,017,209 store-days), with promotion, holiday and open flags, plus static store attributes.
Source: Kaggle competition "Rossmann Store Sales" (Dirk Rossmann GmbH, 2015,
kaggle.com/c/rossmann-store-sales); research / benchmark use under the competition rules.
See ``data/cards/rossmann.md`` for the full mapping and the quirks.

Mapping into :data:`~groupbuy_ml.data.schemas.demand_panel_schema` (one product per store):

| panel column | from | conversion |
|---|---|---|
| ``location_id`` | ``Store`` | int64 |
| ``product_id`` | constant ``"all"`` | store-level sales, one series per store |
| ``date`` | ``Date`` | format ``%Y-%m-%d``, errors raised |
| ``units`` | ``Sales`` | int -> float64 (exact) |
| ``customers`` | ``Customers`` | int64 |
| ``is_open``, ``promo``, ``school_holiday`` | ``Open``, ``Promo``, ``SchoolHoliday`` | int8 |
| ``is_holiday`` | ``StateHoliday != "0"`` | int8 0/1 |
| ``state_holiday`` | ``StateHoliday`` | str code ``0``/``a``/``b``/``c`` kept |
| store attributes | ``store.csv`` | snake_case names, NaN where the file is empty |

``DayOfWeek`` is dropped: it equals ``date.dayofweek + 1``. No day is invented: 180 stores have no
rows for 2014-07-01 .. 2014-12-31 (refurbishment) and store 988 lacks one day (2013-01-01).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from groupbuy_ml.data.loaders import conversions
from groupbuy_ml.data.loaders.paths import dataset_dir, require_file
from groupbuy_ml.data.schemas import demand_panel_schema
from groupbuy_ml.data.validation import validate
from groupbuy_ml.errors import InvalidDataError, UnknownNameError

PRODUCT_ID = "all"
DATE_FORMAT = "%Y-%m-%d"

_TRAIN_DTYPES = {
    "Store": "int64",
    "DayOfWeek": "int8",
    "Date": str,
    "Sales": "int64",
    "Customers": "int64",
    "Open": "int8",
    "Promo": "int8",
    "StateHoliday": str,
    "SchoolHoliday": "int8",
}
_STORE_DTYPES = {
    "Store": "int64",
    "StoreType": str,
    "Assortment": str,
    "CompetitionDistance": "float64",
    "CompetitionOpenSinceMonth": "float64",
    "CompetitionOpenSinceYear": "float64",
    "Promo2": "int8",
    "Promo2SinceWeek": "float64",
    "Promo2SinceYear": "float64",
    "PromoInterval": str,
}
_ORDER = [
    "location_id",
    "product_id",
    "date",
    "units",
    "customers",
    "is_open",
    "promo",
    "is_holiday",
    "state_holiday",
    "school_holiday",
]
_STORE_NAMES = {
    "Store": "location_id",
    "StoreType": "store_type",
    "Assortment": "assortment",
    "CompetitionDistance": "competition_distance",
    "CompetitionOpenSinceMonth": "competition_open_since_month",
    "CompetitionOpenSinceYear": "competition_open_since_year",
    "Promo2": "promo2",
    "Promo2SinceWeek": "promo2_since_week",
    "Promo2SinceYear": "promo2_since_year",
    "PromoInterval": "promo_interval",
}


def load_rossmann(
    root: Path | str | None = None, stores: Sequence[int] | None = None
) -> pd.DataFrame:
    """Load Rossmann ``train.csv.xz`` + ``store.csv`` as a validated demand panel.

    Args:
        root: folder holding ``train.csv.xz`` (or ``train.csv``) and ``store.csv``; defaults to
            ``shared_data_dir() / "rossmann"``.
        stores: keep only these store ids (all 1,115 when None); unknown ids raise ValueError.

    Returns:
        One row per store-day present in the file (1,017,209 for all stores), sorted by
        (``location_id``, ``date``), with the store attributes joined on.

    Raises:
        DataValidationError: a value does not parse or the panel fails its schema.
    """
    folder = dataset_dir("rossmann", root)
    train_path = folder / "train.csv.xz"
    if not train_path.is_file():
        train_path = require_file(folder, "train.csv")
    sales = _read_train(train_path)
    store_info = _read_stores(require_file(folder, "store.csv")).set_index("location_id")
    if stores is not None:
        wanted = pd.Index(stores)
        unknown = wanted.difference(store_info.index)
        if len(unknown):
            raise UnknownNameError(f"unknown Rossmann store id(s): {list(unknown)[:10]}")
        keep = np.isin(sales["location_id"], wanted.to_numpy())
        sales = {name: values[keep] for name, values in sales.items()}
    order = np.lexsort((sales["date"], sales["location_id"]))
    columns = {name: values[order] for name, values in sales.items()}
    columns["product_id"] = np.full(len(order), PRODUCT_ID, dtype=object)
    position = store_info.index.get_indexer(columns["location_id"])
    if (position < 0).any():
        missing = sorted(set(columns["location_id"][position < 0].tolist()))
        raise InvalidDataError(f"{train_path}: stores {missing[:10]} are not in store.csv")
    for name in store_info.columns:
        columns[name] = store_info[name].to_numpy()[position]
    panel = pd.DataFrame(columns)[_ORDER + list(store_info.columns)]
    return validate(panel, demand_panel_schema, source=train_path)


def _read_train(path: Path) -> dict[str, np.ndarray]:
    try:
        raw = pd.read_csv(
            path, dtype=_TRAIN_DTYPES, usecols=list(_TRAIN_DTYPES), keep_default_na=False
        )
    except ValueError:  # a value that does not fit its dtype: find and name the bad lines
        _explain_bad_values(path, _TRAIN_DTYPES)
        raise
    lines = raw.index + 2  # 1-based, after the header line
    dates, date_problem = conversions.to_dates(
        raw["Date"].set_axis(lines), "Date", DATE_FORMAT, row_label="line"
    )
    holiday = raw["StateHoliday"].set_axis(lines)
    bad_holiday = ~holiday.isin(["0", "a", "b", "c"])
    holiday_problem = (
        conversions.problem(
            "StateHoliday", "one of '0', 'a', 'b', 'c'", holiday[bad_holiday], "line"
        )
        if bad_holiday.any()
        else None
    )
    conversions.raise_if_any(path, [date_problem, holiday_problem])
    return {
        "location_id": raw["Store"].to_numpy(),
        "date": dates.to_numpy(),
        "units": raw["Sales"].to_numpy(dtype="float64"),
        "customers": raw["Customers"].to_numpy(),
        "is_open": raw["Open"].to_numpy(),
        "promo": raw["Promo"].to_numpy(),
        "is_holiday": (holiday != "0").to_numpy(dtype="int8"),
        "state_holiday": holiday.to_numpy(dtype=object),
        "school_holiday": raw["SchoolHoliday"].to_numpy(),
    }


def _read_stores(path: Path) -> pd.DataFrame:
    try:
        info = pd.read_csv(path, dtype=_STORE_DTYPES, usecols=list(_STORE_DTYPES))
    except ValueError:
        _explain_bad_values(path, _STORE_DTYPES)
        raise
    return info.rename(columns=_STORE_NAMES)


def _explain_bad_values(path: Path, dtypes: dict[str, object]) -> None:
    """Re-read ``path`` as text and raise a DataValidationError naming the lines that failed.

    Returns without raising when no column explains the failure (the caller re-raises).
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw.index = raw.index + 2
    found = []
    for column, dtype in dtypes.items():
        if column not in raw.columns:
            found.append(
                conversions.problem(
                    column, f"a column named {column!r} (it is missing)", raw.iloc[:0, 0]
                )
            )
        elif dtype is not str:
            allow_missing = dtype == "float64"
            _, issue = conversions.to_numbers(
                raw[column], column, allow_missing=allow_missing, row_label="line"
            )
            if issue is None and dtype != "float64":
                values = pd.to_numeric(raw[column], errors="coerce")
                fractional = values != values.round()
                if fractional.any():
                    issue = conversions.problem(column, "integers", raw[column][fractional], "line")
            found.append(issue)
    conversions.raise_if_any(path, found)
