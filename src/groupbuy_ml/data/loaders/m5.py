"""M5 Forecasting - Accuracy (Walmart, Kaggle/MOFC 2020): the verified partial copies as panels.

Daily unit sales of 3,049 Walmart products in 10 stores (30,490 item x store series). The shared
folder holds the real calendar, all 30,490 series for the 56 days d_1886..d_1941
(2016-03-28 .. 2016-05-22), 20 series with full history d_1..d_1941 and the CA_1 weekly prices.
Citation: S. Makridakis, E. Spiliotis, V. Assimakopoulos (2022), "M5 accuracy competition:
Results, findings, and conclusions", International Journal of Forecasting 38(4):1346-1364.
Kaggle competition data terms (research / education use). See ``data/cards/m5.md``.

Long panel mapping (one row per series and day, sorted by location, product, date):

| panel column | from | conversion |
|---|---|---|
| ``location_id`` | ``store_id`` | categorical (sorted categories) |
| ``product_id`` | ``item_id`` | categorical |
| ``date`` | ``calendar.csv`` via ``d_N`` | format ``%Y-%m-%d`` |
| ``units`` | the ``d_N`` cell | int -> float64 (exact) |
| ``price`` | ``sell_price`` by (store, item, ``wm_yr_wk``) | NaN where no price is listed |
| ``category`` | ``cat_id`` | text (the schema's ``str``), not categorical |
| ``is_holiday`` | ``event_type_1`` or ``event_type_2 == "National"`` | int8 (US federal holidays) |
| ``is_event`` | any ``event_name_1`` / ``event_name_2`` | int8 |
| ``snap`` | ``snap_<state_id>`` of the row's state | int8 |

``dept_id``, ``state_id``, ``wm_yr_wk`` and the four event name/type columns are kept (repeated
strings as categoricals: pass ``observed=True`` to ``groupby``). The Kaggle ``id``
(``<item>_<store>_validation``) is dropped: it is ``item_id`` + ``store_id``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from groupbuy_ml.data.loaders import conversions
from groupbuy_ml.data.loaders.paths import dataset_dir, require_file
from groupbuy_ml.data.schemas import demand_panel_schema
from groupbuy_ml.data.validation import validate
from groupbuy_ml.errors import InvalidDataError

WINDOW_FILE = "window/sales_d1886_d1941_all_series.csv.gz"
FULL_HISTORY_FILE = "window/sales_train_evaluation_sample20.csv"
PRICES_FILE = "window/sell_prices_CA_1.csv.gz"
ID_COLUMNS = ["id", "item_id", "dept_id", "cat_id", "store_id", "state_id"]
EVENT_COLUMNS = ["event_name_1", "event_type_1", "event_name_2", "event_type_2"]


def load_m5_calendar(root: Path | str | None = None) -> pd.DataFrame:
    """Load ``calendar.csv`` (1,969 days, d_1 = 2011-01-29 .. d_1969 = 2016-06-19).

    ``date`` is parsed (``%Y-%m-%d``, errors raised); empty event cells stay NaN (no event); all
    other columns keep their Kaggle names and values. Adds ``is_holiday`` (a "National" event,
    i.e. a US federal holiday, in either event slot) and ``is_event`` (any event), both int8.

    Args:
        root: the M5 folder (holding ``calendar.csv``); defaults to ``shared_data_dir() / "m5"``.
    """
    path = require_file(dataset_dir("m5", root), "calendar.csv")
    raw = pd.read_csv(path, dtype={c: str for c in ["date", "d", "weekday", *EVENT_COLUMNS]})
    missing = [c for c in ["date", "d", "wm_yr_wk", *EVENT_COLUMNS] if c not in raw.columns]
    conversions.raise_if_any(
        path,
        [
            conversions.problem(c, f"a column named {c!r} (it is missing)", raw.iloc[:0, 0])
            for c in missing
        ],
    )
    dates, problem = conversions.to_dates(
        raw["date"].set_axis(raw.index + 2), "date", "%Y-%m-%d", row_label="line"
    )
    conversions.raise_if_any(path, [problem])
    calendar = raw.assign(date=dates.to_numpy())
    national = (raw["event_type_1"] == "National") | (raw["event_type_2"] == "National")
    calendar["is_holiday"] = national.to_numpy(dtype="int8")
    has_event = raw["event_name_1"].notna() | raw["event_name_2"].notna()
    calendar["is_event"] = has_event.to_numpy(dtype="int8")
    return calendar


def load_m5_window(root: Path | str | None = None) -> pd.DataFrame:
    """Load all 30,490 series for d_1886..d_1941 (56 days) as a validated long panel.

    d_1886..d_1913 is the last 28 training days, d_1914..d_1941 the validation-period truth.
    Prices exist for store CA_1 only (``price`` is NaN elsewhere). 1,707,440 rows.

    Args:
        root: the M5 folder (``calendar.csv`` and ``window/``); defaults to
            ``shared_data_dir() / "m5"``.
    """
    folder = dataset_dir("m5", root)
    return _load_panel(folder, require_file(folder, WINDOW_FILE))


def load_m5_full_history_sample(root: Path | str | None = None) -> pd.DataFrame:
    """Load the 20 series with full history d_1..d_1941 (2011-01-29 .. 2016-05-22) as a panel.

    These are the only series whose official RMSSE scale (mean squared one-step difference over
    the whole history from the first non-zero sale) can be computed. Leading zeros before an
    item's first sale are kept as they are in the Kaggle file. 38,820 rows; prices for the 12
    CA_1 series from their first listed week.
    """
    folder = dataset_dir("m5", root)
    return _load_panel(folder, require_file(folder, FULL_HISTORY_FILE))


def _load_panel(folder: Path, sales_path: Path) -> pd.DataFrame:
    calendar = load_m5_calendar(folder).set_index("d")
    wide = pd.read_csv(sales_path, dtype={c: str for c in ID_COLUMNS})
    day_columns = [c for c in wide.columns if c not in ID_COLUMNS]
    _check_wide(wide, day_columns, calendar, sales_path)
    wide = wide.sort_values(["store_id", "item_id"]).reset_index(drop=True)
    n_series, n_days = len(wide), len(day_columns)
    days = calendar.loc[day_columns]
    panel = pd.DataFrame(
        {
            "location_id": _repeat_categorical(wide["store_id"], n_days),
            "product_id": _repeat_categorical(wide["item_id"], n_days),
            "date": np.tile(days["date"].to_numpy(), n_series),
            "units": wide[day_columns].to_numpy(dtype="float64").ravel(),
            "price": _prices(folder, wide, days["wm_yr_wk"].to_numpy()).ravel(),
            # the schema types ``category`` as text (str), so it is not a categorical
            "category": pd.Series(np.repeat(wide["cat_id"].to_numpy(), n_days)).astype(str),
            "dept_id": _repeat_categorical(wide["dept_id"], n_days),
            "state_id": _repeat_categorical(wide["state_id"], n_days),
            "wm_yr_wk": np.tile(days["wm_yr_wk"].to_numpy(), n_series),
            "is_holiday": np.tile(days["is_holiday"].to_numpy(), n_series),
            "is_event": np.tile(days["is_event"].to_numpy(), n_series),
            "snap": _snap(wide["state_id"], days, sales_path).ravel(),
            **{c: _tile_categorical(days[c], n_series) for c in EVENT_COLUMNS},
        }
    )
    return validate(panel, demand_panel_schema, source=sales_path)


def _repeat_categorical(values: pd.Series, times: int) -> pd.Categorical:
    """Each value repeated ``times`` times, as a categorical with sorted categories."""
    codes, categories = pd.factorize(values, sort=True)
    return pd.Categorical.from_codes(np.repeat(codes, times), categories=categories)


def _tile_categorical(values: pd.Series, times: int) -> pd.Categorical:
    """The whole column repeated ``times`` times, as a categorical (NaN stays missing)."""
    codes, categories = pd.factorize(values, sort=True, use_na_sentinel=True)
    return pd.Categorical.from_codes(np.tile(codes, times), categories=categories)


def _check_wide(wide: pd.DataFrame, days: list[str], calendar: pd.DataFrame, path: Path) -> None:
    empty = pd.Series([], dtype=object)
    problems: list[dict | None] = [
        conversions.problem(c, f"a column named {c!r} (it is missing)", empty)
        for c in ID_COLUMNS
        if c not in wide.columns
    ]
    present = [c for c in ID_COLUMNS if c in wide.columns]
    for column in present:
        blank = (wide[column].isna() | (wide[column] == "")).to_numpy()
        if blank.any():
            lines = wide[column].set_axis(wide.index + 2)
            problems.append(conversions.problem(column, "non-empty ids", lines[blank], "line"))
    unknown = [d for d in days if d not in calendar.index]
    if unknown:
        problems.append(
            conversions.problem(
                "<columns>", "day columns d_1 .. d_1969 of calendar.csv", pd.Series(unknown)
            )
        )
    conversions.raise_if_any(path, problems)
    for column in days:  # integer counts, no empty cells (the schema then checks >= 0)
        if not pd.api.types.is_integer_dtype(wide[column]):
            _, issue = conversions.to_numbers(
                wide[column].set_axis(wide.index + 2), column, row_label="line"
            )
            issue = issue or conversions.problem(
                column, "integer unit counts", wide[column].head(3)
            )
            conversions.raise_if_any(path, [issue])
    duplicated = wide.duplicated(["store_id", "item_id"], keep=False)
    if duplicated.any():
        keys = (wide["item_id"] + "@" + wide["store_id"]).set_axis(wide.index + 2)
        conversions.raise_if_any(
            path,
            [
                conversions.problem(
                    "item_id, store_id",
                    "one row per (item_id, store_id)",
                    keys[duplicated.to_numpy()],
                    "line",
                )
            ],
        )


def _prices(folder: Path, wide: pd.DataFrame, weeks: np.ndarray) -> np.ndarray:
    """Return a (series x day) float matrix of sell prices, NaN where none is listed."""
    path = require_file(folder, PRICES_FILE)
    prices = pd.read_csv(
        path,
        dtype={"store_id": str, "item_id": str, "wm_yr_wk": "int64", "sell_price": "float64"},
    )
    prices = prices.loc[prices["wm_yr_wk"].isin(np.unique(weeks))]
    keys = ["store_id", "item_id", "wm_yr_wk"]
    duplicated = prices.duplicated(keys, keep=False)
    if duplicated.any():
        conversions.raise_if_any(
            path,
            [
                conversions.problem(
                    ", ".join(keys),
                    "one price per (store_id, item_id, wm_yr_wk)",
                    prices.loc[duplicated, "sell_price"].set_axis(prices.index[duplicated] + 2),
                    "line",
                )
            ],
        )
    table = prices.pivot(index=["store_id", "item_id"], columns="wm_yr_wk", values="sell_price")
    rows = pd.MultiIndex.from_frame(wide[["store_id", "item_id"]])
    table = table.reindex(index=rows, columns=pd.Index(np.unique(weeks)))
    return table.to_numpy(dtype="float64")[:, np.searchsorted(table.columns, weeks)]


def _snap(states: pd.Series, days: pd.DataFrame, path: Path) -> np.ndarray:
    """Return a (series x day) int8 matrix: the SNAP flag of each series' own state."""
    unknown = sorted(set(states) - {c.removeprefix("snap_") for c in days.columns})
    if unknown:
        raise InvalidDataError(f"{path}: no snap_<state> column in calendar.csv for states "
                               f"{unknown}")
    by_state = {s: days[f"snap_{s}"].to_numpy(dtype="int8") for s in states.unique()}
    return np.stack([by_state[s] for s in states])
