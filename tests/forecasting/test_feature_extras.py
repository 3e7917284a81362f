"""Retail feature families: event distances, same-weekday means, closed days masked."""

from __future__ import annotations

import numpy as np
import pandas as pd

from groupbuy_ml.forecasting import LightGBMForecaster, holdout_split
from groupbuy_ml.forecasting.feature_extras import event_distances, same_weekday_means


def test_event_distances_stay_inside_each_series() -> None:
    flag = np.array([0, 1, 0, 0, 0, 0, 1, 0], dtype=bool)
    codes = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    since, until = event_distances(flag, codes)
    assert since.tolist() == [np.inf, 0, 1, 2, np.inf, np.inf, 0, 1]
    assert until.tolist() == [1, 0, np.inf, np.inf, 2, 1, 0, np.inf]


def test_same_weekday_means_skip_missing_values() -> None:
    y = np.arange(30, dtype=float)
    y[8] = np.nan  # lag 14 of row 22
    out = same_weekday_means(y, np.zeros(30, dtype=np.int64), horizon=10, n=2)
    assert out[22] == 1.0  # lags 14 (NaN) and 21 -> y[1]
    assert out[28] == np.mean([14.0, 7.0]) and np.isnan(out[13])


def test_log_target_on_open_days_with_extras(promo_panel: pd.DataFrame) -> None:
    panel = promo_panel.assign(is_open=(promo_panel["date"].dt.dayofweek != 6).astype(int))
    panel.loc[panel["is_open"] == 0, "units"] = 0.0
    panel["size"] = panel["location_id"] * 1.0
    train, test = holdout_split(panel, 14)
    model = LightGBMForecaster(
        horizon=14, n_estimators=30, validation_days=14, min_data_in_leaf=5, num_leaves=7,
        target_transform="log1p", fit_open_days_only=True, mask_closed=True,
        weekday_means=(2,), static_reals=("size",), events=("closed", "promo")).fit(train)
    assert {"weekday_mean_2", "since_closed", "until_promo", "size"} <= set(model.spec_.columns)
    forecast = model.predict(train, test)
    closed = test["is_open"].to_numpy() == 0
    assert (forecast["prediction"].to_numpy()[closed] == 0).all()
    assert (forecast["prediction"].to_numpy()[~closed] > 0).all()
    val = model.validation_forecast_  # every row of the last 14 training days, from before them
    assert val["date"].nunique() == 14 and val["date"].max() == train["date"].max()
