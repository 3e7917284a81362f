"""AutoETS wrapper: quantiles, interface, bad input."""

import numpy as np
import pytest

from groupbuy_ml.forecasting import AutoETSForecaster, evaluate_forecast, holdout_split


def test_autoets_quantiles_and_accuracy(weekly_panel) -> None:
    train, test = holdout_split(weekly_panel, 14)
    model = AutoETSForecaster(season_length=7).fit(train)
    forecast = model.predict(train, test.drop(columns="units"))
    assert len(forecast) == len(test)
    q = forecast[["q0.1", "q0.5", "q0.9"]].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all() and (q >= 0).all()
    assert evaluate_forecast(train, test, forecast, 7)["rmsse"] < 0.2  # pure weekly pattern
    assert len(model.predict(3)) == 3 * 6


def test_autoets_closed_days_and_unknown_series(weekly_panel) -> None:
    train, test = holdout_split(weekly_panel, 7)
    future = test.drop(columns="units").assign(is_open=1)
    future.loc[future.index[:2], "is_open"] = 0
    forecast = AutoETSForecaster().fit(train).predict(train, future)
    assert (forecast.loc[:1, "prediction"] == 0).all()
    with pytest.raises(ValueError, match="no history"):
        AutoETSForecaster().fit(train).predict(train, future.assign(location_id=99))
