"""Bring-your-own CSV: the mapping, explicit conversions and every bad-input message."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

from groupbuy_ml.data import DataValidationError
from groupbuy_ml.data.loaders import ColumnMapping, read_demand_csv
from groupbuy_ml.errors import ConfigError

CARD = Path(__file__).resolve().parents[3] / "data" / "cards" / "bring_your_own_csv.md"
MAPPING = {"location_id": "shop", "product_id": "sku", "date": "day", "units": "qty"}
GOOD = "shop,sku,day,qty,unit_price,on_promo,region\n"


def _csv(tmp_path: Path, text: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _error(path: Path, mapping: dict) -> str:
    with pytest.raises(DataValidationError) as err:
        read_demand_csv(path, mapping)
    message = str(err.value)
    assert message.startswith(str(path)), message
    return message


def test_happy_path_keeps_ids_as_text_and_sorts(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        GOOD + "B2,x,2024-01-02,1.5,3,true,south\n"
        "007,0042,2024-01-01,3,2.5,0,north\n"
        "007,0042,2024-01-02,0,,1,north\n",
    )
    mapping = {
        **MAPPING,
        "price": "unit_price",
        "promo": "on_promo",
        "passthrough": ["region"],
        "category": "region",
    }
    panel = read_demand_csv(path, mapping)
    assert panel["category"].tolist() == ["north", "north", "south"]
    assert panel["location_id"].tolist() == ["007", "007", "B2"]  # leading zeros kept
    assert panel["product_id"].tolist() == ["0042", "0042", "x"]
    assert panel["date"].dtype == "datetime64[ns]"
    assert panel["units"].tolist() == [3.0, 0.0, 1.5]
    assert panel["price"].isna().tolist() == [False, True, False]  # empty price = unknown
    assert panel["promo"].tolist() == [0, 1, 1]
    assert panel["region"].tolist() == ["north", "north", "south"]
    assert list(panel.columns) == [
        "location_id",
        "product_id",
        "date",
        "units",
        "price",
        "promo",
        "category",
        "region",
    ]


def test_constant_product_and_mapping_forms(tmp_path: Path) -> None:
    path = _csv(tmp_path, "shop;day;qty\nA;01/02/2024;4\n")
    plain = {
        "location_id": "shop",
        "date": "day",
        "units": "qty",
        "sep": ";",
        "date_format": "%d/%m/%Y",
        "constant_product_id": "milk",
    }
    for mapping in (plain, ColumnMapping(**plain), OmegaConf.create(plain)):
        panel = read_demand_csv(path, mapping)
        assert panel[["product_id", "date"]].iloc[0].tolist() == [
            "milk",
            pd.Timestamp("2024-02-01"),
        ]


def test_unknown_mapping_key_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"data\.columns\.temprature_c: no such key; known "
                       r"keys: .*temperature_c"):
        ColumnMapping.of({**MAPPING, "temprature_c": "t"})
    with pytest.raises(ConfigError, match="overwrite panel columns"):
        ColumnMapping.of({**MAPPING, "passthrough": ["price"]})
    assert ColumnMapping.of({**MAPPING, "price": None, "promo": None}) == ColumnMapping.of(
        MAPPING)  # null means "not mapped": the config lists every key


def test_bad_date(tmp_path: Path) -> None:
    path = _csv(tmp_path, "shop,sku,day,qty\nA,x,2024-01-01,1\nA,x,2024-13-01,1\nA,x,,1\n")
    message = _error(path, MAPPING)
    assert "column 'day (-> date)': expected dates in format '%Y-%m-%d'" in message
    assert "line 3: '2024-13-01', line 4: ''" in message


def test_negative_units(tmp_path: Path) -> None:
    path = _csv(tmp_path, "shop,sku,day,qty\nA,x,2024-01-01,1\nA,x,2024-01-02,-2\n")
    message = _error(path, MAPPING)
    assert "column 'qty (-> units)': expected values >= 0" in message
    assert "line 3: -2.0" in message


def test_non_numeric_and_empty_units(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "shop,sku,day,qty\nA,x,2024-01-01,3 kg\nA,x,2024-01-02,\nA,x,2024-01-03,inf\n"
    )
    message = _error(path, MAPPING)
    assert "'qty (-> units)': expected finite numbers" in message and "no empty cells" in message
    assert "line 2: '3 kg', line 3: '', line 4: 'inf'" in message


def test_empty_id_and_bad_flag(tmp_path: Path) -> None:
    path = _csv(tmp_path, GOOD + ",x,2024-01-01,1,2,yes,n\n")
    message = _error(path, {**MAPPING, "promo": "on_promo"})
    assert "'shop (-> location_id)': expected non-empty identifiers" in message
    assert "'on_promo (-> promo)': expected 0/1 flags" in message and "line 2: 'yes'" in message


def test_discount_outside_0_1_is_not_clipped(tmp_path: Path) -> None:
    path = _csv(tmp_path, "shop,sku,day,qty,off\nA,x,2024-01-01,1,15\n")
    message = _error(path, {**MAPPING, "discount": "off"})
    assert "'off (-> discount)': expected values between 0.0 and 1.0" in message
    assert "line 2: 15.0" in message


def test_duplicate_keys_are_an_error_not_a_dedupe(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "shop,sku,day,qty\nA,x,2024-01-01,1\nB,x,2024-01-01,1\nA,x,2024-01-01,2\n"
    )
    message = _error(path, MAPPING)
    assert "unique (location_id, product_id, date) combinations" in message
    assert "line 2: ('A', 'x', '2024-01-01'), line 4: ('A', 'x', '2024-01-01')" in message


def test_missing_column_lists_what_the_file_has(tmp_path: Path) -> None:
    path = _csv(tmp_path, "store,sku,day,sales\nA,x,2024-01-01,1\n")
    message = _error(path, MAPPING)
    assert "column 'shop': expected a column named 'shop' (mapped to location_id)" in message
    assert "column 'qty': expected a column named 'qty' (mapped to units)" in message
    assert "['store', 'sku', 'day', 'sales']" in message


def test_ragged_lines_and_empty_files(tmp_path: Path) -> None:
    path = _csv(tmp_path, "shop,sku,day,qty\nA,x,2024-01-01\nA,x,2024-01-02,1,9\n")
    message = _error(path, MAPPING)
    assert "expected 4 fields per line" in message
    assert "line 2: '3 fields', line 3: '5 fields'" in message
    assert "at least one data row" in _error(_csv(tmp_path, "shop,sku,day,qty\n", "h.csv"), MAPPING)
    assert "header line" in _error(_csv(tmp_path, "", "e.csv"), MAPPING)


def test_line_numbers_follow_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        'shop,sku,day,qty\n\nA,x,2024-01-01,1\n"B\nC",x,2024-01-01,1\nD,x,2024-01-01,oops\n',
    )
    assert "line 6: 'oops'" in _error(path, MAPPING)


def _block(markdown: str, language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", markdown, flags=re.S)
    assert match, f"no {language} block in {CARD}"
    return match.group(1)


def test_card_example_runs(tmp_path: Path) -> None:
    card = CARD.read_text()
    config = OmegaConf.create(_block(card, "yaml"))
    path = _csv(tmp_path, _block(card, "csv"), "orders.csv")
    panel = read_demand_csv(path, config.data.columns)
    assert len(panel) == _block(card, "csv").strip().count("\n")
    assert {"location_id", "product_id", "date", "units", "price", "promo"} <= set(panel.columns)
