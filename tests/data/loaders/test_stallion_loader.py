"""Stallion: documented counts and the faithful (unclipped) mapping of prices and discounts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.data import DataValidationError
from groupbuy_ml.data.loaders import load_stallion
from groupbuy_ml.data.loaders.stallion import EVENT_COLUMNS, STATIC_COLUMNS


@pytest.fixture(scope="module")
def panel(shared_data: Path) -> pd.DataFrame:
    return load_stallion(shared_data / "stallion")


@pytest.fixture(scope="module")
def raw(shared_data: Path) -> pd.DataFrame:
    return pd.read_parquet(shared_data / "stallion" / "stallion.parquet")


def test_counts_match_the_readme(panel: pd.DataFrame) -> None:
    assert len(panel) == 21_000
    assert panel["location_id"].nunique() == 58
    assert panel["product_id"].nunique() == 25
    series = panel.groupby(["location_id", "product_id"]).size()
    assert len(series) == 350 and (series == 60).all()
    assert panel["date"].min() == pd.Timestamp("2013-01-01")
    assert panel["date"].max() == pd.Timestamp("2017-12-01")
    assert (panel["date"].dt.day == 1).all()
    assert panel["date"].dtype == "datetime64[ns]"


def test_ids_are_plain_strings_and_sorted(panel: pd.DataFrame) -> None:
    assert pd.api.types.is_string_dtype(panel["location_id"])  # text, not categorical
    assert panel.loc[0, ["location_id", "product_id"]].tolist() == ["Agency_01", "SKU_01"]
    keys = panel[["location_id", "product_id", "date"]]
    assert keys.equals(keys.sort_values(list(keys)).reset_index(drop=True))


def test_values_are_carried_over_unchanged(panel: pd.DataFrame, raw: pd.DataFrame) -> None:
    merged = panel.merge(
        raw.assign(agency=raw["agency"].astype(str), sku=raw["sku"].astype(str)),
        left_on=["location_id", "product_id", "date"],
        right_on=["agency", "sku", "date"],
        suffixes=("", "_raw"),
    )
    assert len(merged) == 21_000
    assert (merged["units"] == merged["volume"]).all()
    assert (merged["temperature_c"] == merged["avg_max_temp"]).all()
    assert (merged["discount_amount"] == merged["discount"]).all()
    assert (merged["discount_in_percent"] == merged["discount_in_percent_raw"]).all()


def test_price_is_missing_only_where_no_positive_price(panel: pd.DataFrame) -> None:
    no_price = panel["price_actual"] <= 0
    assert no_price.sum() == 2_579
    assert panel["price"].isna().equals(no_price)
    assert (panel.loc[~no_price, "price"] == panel.loc[~no_price, "price_actual"]).all()
    assert panel["price_actual"].min() < 0  # the raw column keeps the one negative price


def test_discount_is_not_mapped_because_it_leaves_0_1(panel: pd.DataFrame) -> None:
    assert "discount" not in panel.columns
    assert "promo" not in panel.columns
    assert panel["discount_in_percent"].max() > 100
    rises = panel["price_actual"] > panel["price_regular"]
    assert rises.sum() == 53
    assert (panel.loc[rises, "discount_amount"] > 0).all()  # a price rise counted as a discount


def test_flags_and_demographics_kept(panel: pd.DataFrame) -> None:
    for column in EVENT_COLUMNS:
        assert set(panel[column].unique()) <= {0, 1}
    christmas = panel.loc[panel["christmas"] == 1, "date"].dt.month.unique()
    assert christmas.tolist() == [12]
    static = panel.groupby("location_id")[STATIC_COLUMNS].nunique()
    assert (static == 1).all().all()


def test_missing_column_is_named(tmp_path: Path, raw: pd.DataFrame) -> None:
    raw.head(10).drop(columns=["avg_max_temp"]).to_parquet(tmp_path / "stallion.parquet")
    with pytest.raises(DataValidationError, match=r"(?s)stallion.parquet.*'avg_max_temp'.*missing"):
        load_stallion(tmp_path)


def test_bad_flag_and_negative_volume(tmp_path: Path, raw: pd.DataFrame) -> None:
    broken = raw.head(10).copy()
    broken["music_fest"] = np.where(np.arange(10) == 3, 2, broken["music_fest"])
    broken.to_parquet(tmp_path / "stallion.parquet")
    with pytest.raises(DataValidationError, match=r"(?s)'music_fest'.*0/1.*row 3: 2"):
        load_stallion(tmp_path)
    broken = raw.head(10).copy()
    broken["volume"] = -1.0
    broken.to_parquet(tmp_path / "stallion.parquet")
    with pytest.raises(DataValidationError, match=r"(?s)stallion.parquet.*'units'.*values >= 0"):
        load_stallion(tmp_path)
