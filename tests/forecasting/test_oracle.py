"""The market oracle forecasts the twin's true expected demand and beats a baseline on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from groupbuy_ml.data.market import load_market_table, market_panel
from groupbuy_ml.data.simulate import MarketConfig, simulate_market
from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.forecasting import SeasonalNaive, evaluate_forecast, holdout_split
from groupbuy_ml.forecasting.oracle import MarketOracle


def test_oracle_is_expected_units_and_the_floor(tmp_path: Path) -> None:
    market = tmp_path / "market"
    simulate_market(MarketConfig(n_pickup_points=2, n_products=6, n_days=35, n_suppliers=2,
                                 seed=5), market)
    train, test = holdout_split(market_panel(market), 7)
    forecast = MarketOracle(market).fit(train).predict(train, test)
    truth = load_market_table(market, "daily_demand",
                              ["date", "pickup_point_id", "product_id", "expected_units"])
    joined = forecast.merge(truth, left_on=["location_id", "product_id", "date"],
                            right_on=["pickup_point_id", "product_id", "date"])
    assert len(joined) == len(test)
    np.testing.assert_allclose(joined["prediction"], joined["expected_units"], rtol=1e-6)
    oracle = evaluate_forecast(train, test, forecast, 7)
    naive = evaluate_forecast(train, test, SeasonalNaive(7).fit(train).predict(train, test), 7)
    assert oracle["rmse"] < naive["rmse"]
    with pytest.raises(InvalidDataError, match="not in"):
        MarketOracle(market).predict(train, test.assign(location_id=999))
