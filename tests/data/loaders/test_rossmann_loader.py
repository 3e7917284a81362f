"""Rossmann: documented counts on the real files, and errors on tiny broken copies."""

from __future__ import annotations

import lzma
from pathlib import Path

import pandas as pd
import pytest

from groupbuy_ml.data import DataValidationError, validate
from groupbuy_ml.data.loaders import load_rossmann
from groupbuy_ml.data.schemas import demand_panel_schema

HEADER = (
    '"Store","DayOfWeek","Date","Sales","Customers","Open","Promo","StateHoliday","SchoolHoliday"'
)
STORES = (
    '"Store","StoreType","Assortment","CompetitionDistance","CompetitionOpenSinceMonth",'
    '"CompetitionOpenSinceYear","Promo2","Promo2SinceWeek","Promo2SinceYear","PromoInterval"\n'
    '1,"c","a",1270,9,2008,0,,,""\n'
    '2,"a","a",570,11,2007,1,13,2010,"Jan,Apr,Jul,Oct"\n'
)


@pytest.fixture(scope="module")
def panel(shared_data: Path) -> pd.DataFrame:
    return load_rossmann(shared_data / "rossmann")


def test_all_rows_kept_and_schema_valid(panel: pd.DataFrame) -> None:
    assert len(panel) == 1_017_209
    assert panel["location_id"].nunique() == 1115
    assert panel["date"].min() == pd.Timestamp("2013-01-01")
    assert panel["date"].max() == pd.Timestamp("2015-07-31")
    assert panel["date"].nunique() == 942
    assert validate(panel, demand_panel_schema, "rossmann").shape == panel.shape  # no raise


def test_sorted_by_store_then_date(panel: pd.DataFrame) -> None:
    keys = panel[["location_id", "date"]]
    assert keys.equals(keys.sort_values(["location_id", "date"]).reset_index(drop=True))


def test_totals_match_the_readme(panel: pd.DataFrame) -> None:
    assert panel["units"].sum() == 5_873_180_623
    assert panel["customers"].sum() == 644_041_755
    assert (panel["is_open"] == 0).sum() == 172_817
    assert ((panel["is_open"] == 1) & (panel["units"] == 0)).sum() == 54
    assert ((panel["is_open"] == 0) & (panel["units"] > 0)).sum() == 0


def test_holiday_codes_and_flag(panel: pd.DataFrame) -> None:
    counts = panel["state_holiday"].value_counts().to_dict()
    assert counts == {"0": 986_159, "a": 20_260, "b": 6_690, "c": 4_100}
    assert panel["is_holiday"].sum() == 20_260 + 6_690 + 4_100


def test_gap_stores_are_not_filled(panel: pd.DataFrame) -> None:
    days = panel.groupby("location_id").size()
    assert days.value_counts().to_dict() == {942: 934, 758: 180, 941: 1}
    assert days[days == 941].index.tolist() == [988]
    gap_store = days[days == 758].index[0]
    dates = panel.loc[panel["location_id"] == gap_store, "date"]
    missing = pd.date_range("2013-01-01", "2015-07-31").difference(dates)
    assert missing.min() == pd.Timestamp("2014-07-01")
    assert missing.max() == pd.Timestamp("2014-12-31")


def test_store_attributes_joined(panel: pd.DataFrame) -> None:
    first = panel.groupby("location_id").first()
    assert first["store_type"].value_counts().to_dict() == {"a": 602, "d": 348, "c": 148, "b": 17}
    assert first["competition_distance"].isna().sum() == 3
    assert first.loc[1, "competition_distance"] == 1270
    assert first.loc[2, "promo_interval"] == "Jan,Apr,Jul,Oct"


def test_store_filter(shared_data: Path) -> None:
    two = load_rossmann(shared_data / "rossmann", stores=[2, 1])
    assert sorted(two["location_id"].unique()) == [1, 2]
    assert len(two) == 2 * 942
    with pytest.raises(ValueError, match="9999"):
        load_rossmann(shared_data / "rossmann", stores=[1, 9999])


def _write(folder: Path, rows: list[str], header: str = HEADER) -> Path:
    folder.mkdir(exist_ok=True)
    text = "\n".join([header, *rows]) + "\n"
    (folder / "train.csv.xz").write_bytes(lzma.compress(text.encode()))
    (folder / "store.csv").write_text(STORES)
    return folder


def test_tiny_copy_loads(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "r", ['2,5,2015-07-31,10,2,1,1,"0","1"', '1,5,2015-07-31,5,1,1,0,"a","0"']
    )
    panel = load_rossmann(folder)
    assert panel["location_id"].tolist() == [1, 2]
    assert panel["is_holiday"].tolist() == [1, 0]
    assert panel["assortment"].tolist() == ["a", "a"]


def test_bad_date_names_file_column_and_line(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "r", ['1,5,2015-07-31,5,1,1,0,"0","0"', '1,5,31.07.2015,5,1,1,0,"0","0"']
    )
    with pytest.raises(DataValidationError) as err:
        load_rossmann(folder)
    message = str(err.value)
    assert "train.csv.xz" in message and "'Date'" in message
    assert "line 3: '31.07.2015'" in message and "%Y-%m-%d" in message


def test_non_integer_sales_names_the_line(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "r", ['1,5,2015-07-31,5,1,1,0,"0","0"', '1,4,2015-07-30,12.5,1,1,0,"0","0"']
    )
    with pytest.raises(DataValidationError, match=r"(?s)'Sales'.*integers.*line 3: '12.5'"):
        load_rossmann(folder)


def test_negative_sales_fail_the_schema(tmp_path: Path) -> None:
    folder = _write(tmp_path / "r", ['1,5,2015-07-31,-5,1,1,0,"0","0"'])
    with pytest.raises(DataValidationError, match=r"(?s)'units'.*values >= 0.*-5.0"):
        load_rossmann(folder)


def test_unknown_holiday_code(tmp_path: Path) -> None:
    folder = _write(tmp_path / "r", ['1,5,2015-07-31,5,1,1,0,"x","0"'])
    with pytest.raises(DataValidationError, match=r"(?s)'StateHoliday'.*line 2: 'x'"):
        load_rossmann(folder)


def test_missing_column(tmp_path: Path) -> None:
    header = HEADER.replace(',"Customers"', "")
    folder = _write(tmp_path / "r", ['1,5,2015-07-31,5,1,0,"0","0"'], header=header)
    with pytest.raises(DataValidationError, match=r"(?s)train.csv.xz.*'Customers'.*missing"):
        load_rossmann(folder)
