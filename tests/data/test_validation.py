"""A bad file is reported with its path, the column, the first bad rows and what was expected."""

from pathlib import Path

import pandas as pd
import pytest

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.data.schemas import demand_panel_schema
from groupbuy_ml.data.simulate import MarketConfig, simulate_market
from groupbuy_ml.data.validation import validate


def test_panel_problems_name_column_rows_and_expectation() -> None:
    panel = pd.DataFrame({
        "location_id": [1, 1, 2], "product_id": ["a", "a", "a"],
        "date": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-01"]),
        "units": [3.0, -1.0, 2.0], "promo": [0, 1, 2],
    })
    with pytest.raises(DataValidationError) as info:
        validate(panel, demand_panel_schema, "sales.csv")
    text = str(info.value)
    assert text.startswith("sales.csv: 2 schema problem(s)")
    assert ("column 'units': expected values >= 0 (1 failing value(s)); "
            "first bad rows: row 1: -1.0") in text
    assert "column 'promo': expected 0 or 1" in text and "row 2: 2" in text
    assert {p["column"] for p in info.value.problems} == {"units", "promo"}


def test_missing_column_is_named() -> None:
    with pytest.raises(DataValidationError,
                       match="column 'units': expected a column named 'units' \\(it is missing"):
        validate(pd.DataFrame({"location_id": [1], "product_id": [1],
                               "date": pd.to_datetime(["2025-01-01"])}),
                 demand_panel_schema, "x.csv")


def test_corrupted_market_file_is_reported_not_loaded(tmp_path: Path) -> None:
    out = tmp_path / "m"
    simulate_market(MarketConfig(n_pickup_points=2, n_products=5, n_days=3,
                                 event_log_days=0), out)
    products = pd.read_parquet(out / "products.parquet")
    products.loc[2, "base_price"] = -5.0
    products.to_parquet(out / "products.parquet", index=False)
    with pytest.raises(DataValidationError,
                       match=r"(?s)products\.parquet.*'base_price'.*row 2: -5"):
        load_market_table(out, "products")
