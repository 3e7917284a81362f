"""Naive and seasonal naive baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.forecasting import Naive, SeasonalNaive, evaluate_forecast, holdout_split

KEYS = ["location_id", "product_id", "date"]


def test_seasonal_naive_exact_on_weekly_pattern(weekly_panel: pd.DataFrame) -> None:
    train, test = holdout_split(weekly_panel, horizon=21)
    model = SeasonalNaive(season_length=7).fit(train)
    by_horizon = model.predict(21)
    assert list(by_horizon.columns) == [*KEYS, "prediction"]
    merged = test.merge(by_horizon, on=KEYS, validate="one_to_one")
    assert len(merged) == len(test)
    np.testing.assert_array_equal(merged["units"], merged["prediction"])
    by_frame = model.predict(test.drop(columns="units").sample(frac=1.0, random_state=0))
    merged = test.merge(by_frame, on=KEYS)
    np.testing.assert_array_equal(merged["units"], merged["prediction"])
    assert evaluate_forecast(train, test, by_horizon)["mae"] == 0.0


def test_seasonal_index_hand_computed() -> None:
    # history 1..10, m = 3: last season 8 9 10 -> steps 1..5 give 8 9 10 8 9
    dates = pd.date_range("2024-01-01", periods=10, freq="D")
    train = pd.DataFrame({"location_id": 1, "product_id": 1, "date": dates, "units": range(1, 11)})
    pred = SeasonalNaive(season_length=3).fit(train).predict(5)
    assert pred["prediction"].tolist() == [8, 9, 10, 8, 9]
    assert pred["date"].tolist() == list(pd.date_range("2024-01-11", periods=5, freq="D"))
    assert Naive().fit(train).predict(3)["prediction"].tolist() == [10, 10, 10]


def test_short_series_fall_back_to_last_value(weekly_panel: pd.DataFrame) -> None:
    one = weekly_panel[(weekly_panel["location_id"] == 1) & (weekly_panel["product_id"] == "sku0")]
    short = one.tail(3).assign(product_id="new")  # 3 days < one season
    train = pd.concat([weekly_panel, short], ignore_index=True)
    pred = SeasonalNaive(7).fit(train).predict(9)
    got = pred.loc[pred["product_id"] == "new", "prediction"]
    assert (got == short["units"].iloc[-1]).all() and len(got) == 9


def test_monthly_panel() -> None:
    dates = pd.date_range("2020-01-01", periods=30, freq="MS")
    train = pd.DataFrame({"location_id": 1, "product_id": 1, "date": dates, "units": range(30)})
    pred = SeasonalNaive(season_length=12).fit(train).predict(3)
    assert pred["date"].tolist() == list(pd.date_range("2022-07-01", periods=3, freq="MS"))
    assert pred["prediction"].tolist() == [18, 19, 20]


def test_errors(weekly_panel: pd.DataFrame) -> None:
    train, test = holdout_split(weekly_panel, horizon=7)
    model = SeasonalNaive(7).fit(train)
    unseen = test.assign(product_id="ghost").drop(columns="units")
    with pytest.raises(ValueError, match=r"no history for 2 series .*'ghost'"):
        model.predict(unseen)
    with pytest.raises(ValueError, match="at or before the end"):
        model.predict(train.tail(3))
    with pytest.raises(RuntimeError, match="not fitted"):
        SeasonalNaive().predict(3)
    with pytest.raises(ValueError, match="season_length"):
        SeasonalNaive(0)
    with pytest.raises(ValueError, match="skip dates"):
        SeasonalNaive().fit(train.drop(index=5))


def test_predict_from_history_like_global_models(weekly_panel: pd.DataFrame) -> None:
    train, test = holdout_split(weekly_panel, horizon=7)
    early, _ = holdout_split(weekly_panel, horizon=30)
    model = SeasonalNaive(7).fit(early)
    pred = model.predict(train, test.drop(columns="units"))  # origin = end of `train`
    np.testing.assert_array_equal(test.merge(pred, on=KEYS)["prediction"], test["units"])
    assert model.end_ == early["date"].max()  # the fitted model is left as it was
