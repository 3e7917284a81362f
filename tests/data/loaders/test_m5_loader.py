"""M5: calendar, the 56-day window of all 30,490 series and the 20 full-history series."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from groupbuy_ml.data import DataValidationError
from groupbuy_ml.data.loaders import load_m5_calendar, load_m5_full_history_sample, load_m5_window


@pytest.fixture(scope="module")
def m5(shared_data: Path) -> Path:
    return shared_data / "m5"


@pytest.fixture(scope="module")
def window(m5: Path) -> pd.DataFrame:
    return load_m5_window(m5)


def test_calendar(m5: Path) -> None:
    calendar = load_m5_calendar(m5)
    assert len(calendar) == 1969
    by_d = calendar.set_index("d")["date"]
    assert by_d["d_1"] == pd.Timestamp("2011-01-29")
    assert by_d["d_1886"] == pd.Timestamp("2016-03-28")
    assert by_d["d_1914"] == pd.Timestamp("2016-04-25")
    assert by_d["d_1969"] == pd.Timestamp("2016-06-19")
    national = calendar.loc[calendar["is_holiday"] == 1, "event_name_1"]
    assert national.str.contains("Christmas").sum() == 5  # 2011 .. 2015
    assert calendar["is_event"].sum() == calendar["event_name_1"].notna().sum()


def test_window_shape_and_keys(window: pd.DataFrame) -> None:
    assert len(window) == 30_490 * 56 == 1_707_440
    assert window.groupby(["location_id", "product_id"], observed=True).ngroups == 30_490
    assert window["location_id"].nunique() == 10
    assert window["product_id"].nunique() == 3_049
    assert window["date"].min() == pd.Timestamp("2016-03-28")
    assert window["date"].max() == pd.Timestamp("2016-05-22")
    assert sorted(window["category"].unique()) == ["FOODS", "HOBBIES", "HOUSEHOLD"]
    assert window["dept_id"].nunique() == 7


def test_window_strings_are_categoricals(window: pd.DataFrame) -> None:
    for column in ["location_id", "product_id", "dept_id", "state_id", "event_name_1"]:
        assert isinstance(window[column].dtype, pd.CategoricalDtype), column
    assert pd.api.types.is_string_dtype(window["category"])  # the schema types it as str
    # shallow size: the repeated category strings are 3 shared objects (about 89 MB in all)
    assert window.memory_usage(deep=False).sum() < 120e6


def test_window_equals_the_wide_file(window: pd.DataFrame, m5: Path) -> None:
    wide = pd.read_csv(m5 / "window" / "sales_d1886_d1941_all_series.csv.gz")
    assert window["units"].sum() == wide.filter(like="d_").to_numpy().sum()
    one = wide.loc[wide["id"] == "FOODS_3_090_CA_3_validation"].filter(like="d_")
    got = window.loc[
        (window["location_id"] == "CA_3") & (window["product_id"] == "FOODS_3_090"), "units"
    ]
    assert got.to_numpy().tolist() == one.to_numpy().ravel().astype(float).tolist()


def test_prices_only_for_ca_1(window: pd.DataFrame) -> None:
    in_ca_1 = window["location_id"] == "CA_1"
    assert window.loc[in_ca_1, "price"].notna().all()
    assert window.loc[~in_ca_1, "price"].isna().all()
    assert window["price"].min() > 0


def test_event_and_snap_columns(window: pd.DataFrame, m5: Path) -> None:
    assert window["is_holiday"].sum() == 0  # no National event between 2016-03-28 and 05-22
    event_days = window.loc[window["is_event"] == 1, "date"].unique()
    assert len(event_days) == 4
    calendar = load_m5_calendar(m5).set_index("date")
    rows = window.loc[window["state_id"] == "TX"].drop_duplicates("date")
    assert (rows["snap"].to_numpy() == calendar.loc[rows["date"], "snap_TX"].to_numpy()).all()


def test_full_history_sample(m5: Path, window: pd.DataFrame) -> None:
    full = load_m5_full_history_sample(m5)
    assert len(full) == 20 * 1941 == 38_820
    assert full["date"].min() == pd.Timestamp("2011-01-29")
    assert full.groupby(["location_id", "product_id"], observed=True).ngroups == 20
    # the README check: the last 56 days equal the window rows of the same series
    tail = full.loc[full["date"] >= pd.Timestamp("2016-03-28")]
    keys = ["location_id", "product_id", "date"]
    both = tail.astype({"location_id": str, "product_id": str}).merge(
        window.astype({"location_id": str, "product_id": str}), on=keys, suffixes=("", "_w")
    )
    assert len(both) == 20 * 56
    assert (both["units"] == both["units_w"]).all()
    assert full.loc[full["location_id"] == "CA_1", "price"].notna().any()


def _tiny_m5(
    folder: Path, sales: str, prices: str = "store_id,item_id,wm_yr_wk,sell_price\n"
) -> Path:
    (folder / "window").mkdir(parents=True)
    calendar = (
        "date,wm_yr_wk,weekday,wday,month,year,d,event_name_1,event_type_1,event_name_2,"
        "event_type_2,snap_CA,snap_TX,snap_WI\n"
        "2016-03-28,11609,Monday,3,3,2016,d_1886,,,,,0,0,0\n"
        "2016-03-29,11609,Tuesday,4,3,2016,d_1887,Easter,National,,,1,0,0\n"
    )
    (folder / "calendar.csv").write_text(calendar)
    with gzip.open(folder / "window" / "sales_d1886_d1941_all_series.csv.gz", "wt") as handle:
        handle.write(sales)
    with gzip.open(folder / "window" / "sell_prices_CA_1.csv.gz", "wt") as handle:
        handle.write(prices)
    return folder


SALES_HEADER = "id,item_id,dept_id,cat_id,store_id,state_id,d_1886,d_1887\n"


def test_tiny_window_loads_with_holiday_and_snap(tmp_path: Path) -> None:
    folder = _tiny_m5(
        tmp_path / "m5",
        SALES_HEADER + "A_1_001_CA_1_validation,A_1_001,A_1,A,CA_1,CA,3,0\n",
        "store_id,item_id,wm_yr_wk,sell_price\nCA_1,A_1_001,11609,1.5\n",
    )
    panel = load_m5_window(folder)
    assert panel["units"].tolist() == [3.0, 0.0]
    assert panel["is_holiday"].tolist() == [0, 1]
    assert panel["snap"].tolist() == [0, 1]
    assert panel["price"].tolist() == [1.5, 1.5]


def test_negative_units_are_rejected(tmp_path: Path) -> None:
    folder = _tiny_m5(
        tmp_path / "m5", SALES_HEADER + "A_1_001_CA_1_validation,A_1_001,A_1,A,CA_1,CA,3,-1\n"
    )
    with pytest.raises(DataValidationError, match=r"(?s)sales_d1886.*'units'.*values >= 0"):
        load_m5_window(folder)


def test_non_integer_units_name_the_day_and_line(tmp_path: Path) -> None:
    folder = _tiny_m5(
        tmp_path / "m5", SALES_HEADER + "A_1_001_CA_1_validation,A_1_001,A_1,A,CA_1,CA,3,x\n"
    )
    with pytest.raises(DataValidationError, match=r"(?s)'d_1887'.*line 2: 'x'"):
        load_m5_window(folder)


def test_empty_store_id_is_named(tmp_path: Path) -> None:
    folder = _tiny_m5(
        tmp_path / "m5", SALES_HEADER + "A_1_001_CA_1_validation,A_1_001,A_1,A,,CA,3,0\n"
    )
    with pytest.raises(DataValidationError, match=r"(?s)'store_id'.*non-empty ids.*line 2"):
        load_m5_window(folder)


def test_unknown_day_column_and_duplicate_series(tmp_path: Path) -> None:
    header = SALES_HEADER.replace("d_1887", "d_9999")
    folder = _tiny_m5(
        tmp_path / "a", header + "A_1_001_CA_1_validation,A_1_001,A_1,A,CA_1,CA,3,0\n"
    )
    with pytest.raises(DataValidationError, match="d_9999"):
        load_m5_window(folder)
    row = "A_1_001_CA_1_validation,A_1_001,A_1,A,CA_1,CA,3,0\n"
    folder = _tiny_m5(tmp_path / "b", SALES_HEADER + row + row)
    with pytest.raises(DataValidationError, match=r"(?s)one row per \(item_id, store_id\).*line 3"):
        load_m5_window(folder)
