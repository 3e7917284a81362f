from pathlib import Path

import pandas as pd
import pytest

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.data.simulate.writer import read_manifest
from groupbuy_ml.data.sources import CsvSource, MarketSource, limit_series

SMALL = {"n_pickup_points": 2, "n_products": 5, "n_days": 20}


def test_market_source_simulates_once_and_fingerprints_stably(tmp_path: Path) -> None:
    source = MarketSource(tmp_path / "m", simulation=SMALL)
    panel = source.load()
    assert panel[["location_id", "product_id"]].drop_duplicates().shape[0] <= 10
    manifest = (tmp_path / "m" / "market.json").stat().st_mtime_ns
    assert source.fingerprints() == source.fingerprints()
    MarketSource(tmp_path / "m", simulation={**SMALL, "workers": 2}).load()
    assert (tmp_path / "m" / "market.json").stat().st_mtime_ns == manifest  # not re-simulated


def test_market_source_resimulates_when_config_changes(tmp_path: Path) -> None:
    MarketSource(tmp_path / "m", simulation=SMALL).load()
    before = MarketSource(tmp_path / "m").fingerprints()
    MarketSource(tmp_path / "m", simulation={**SMALL, "seed": 99}).load()
    assert read_manifest(tmp_path / "m")["config"]["seed"] == 99
    assert MarketSource(tmp_path / "m").fingerprints() != before


def test_limit_series_keeps_whole_series() -> None:
    panel = pd.DataFrame({"location_id": [2, 1, 1, 3], "product_id": [0, 0, 1, 0],
                          "date": pd.to_datetime(["2025-01-01"] * 4), "units": [1.0] * 4})
    kept = limit_series(panel, 2)
    assert sorted(map(tuple, kept[["location_id", "product_id"]].to_numpy())) == [(1, 0), (1, 1)]
    assert limit_series(panel, None) is panel


def test_csv_source_maps_columns_and_reports_bad_rows(tmp_path: Path) -> None:
    good = tmp_path / "sales.csv"
    good.write_text("shop,day,qty\nA,2025-01-01,3\nA,2025-01-02,4\n")
    panel = CsvSource(good, {"location_id": "shop", "date": "day", "units": "qty"}).load()
    assert panel["units"].tolist() == [3.0, 4.0]
    bad = tmp_path / "bad.csv"
    bad.write_text("shop,day,qty\nA,2025-01-01,3\nA,2025-13-02,-4\n")
    with pytest.raises(DataValidationError, match="bad.csv"):
        CsvSource(bad, {"location_id": "shop", "date": "day", "units": "qty"}).load()
